//! X.509 certificates and CRLs, read as far as passive authentication needs:
//! names, serial, validity, public key, key usage, key identifiers, and the
//! signed bytes with their signature.

use crate::crypto::{self, read_algorithm_identifier, HashAlgorithm, PublicKey, SignatureScheme};
use crate::der::{self, tag, Reader, Tlv};
use crate::PkiError;

/// Extension OIDs (RFC 5280).
pub mod ext_oid {
    /// subjectKeyIdentifier
    pub const SUBJECT_KEY_ID: &str = "2.5.29.14";
    /// keyUsage
    pub const KEY_USAGE: &str = "2.5.29.15";
    /// basicConstraints
    pub const BASIC_CONSTRAINTS: &str = "2.5.29.19";
    /// authorityKeyIdentifier
    pub const AUTHORITY_KEY_ID: &str = "2.5.29.35";
    /// commonName attribute
    pub const COMMON_NAME: &str = "2.5.4.3";
    /// countryName attribute
    pub const COUNTRY: &str = "2.5.4.6";
}

/// keyUsage bits (RFC 5280 §4.2.1.3), as a bit mask with bit 0 = digitalSignature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KeyUsage(pub u16);

impl KeyUsage {
    /// digitalSignature (what a Document Signer needs)
    pub const DIGITAL_SIGNATURE: u16 = 1 << 0;
    /// keyCertSign (what a CSCA needs)
    pub const KEY_CERT_SIGN: u16 = 1 << 5;
    /// cRLSign
    pub const CRL_SIGN: u16 = 1 << 6;

    /// True if every bit of `mask` is set.
    pub fn allows(self, mask: u16) -> bool {
        self.0 & mask == mask
    }
}

/// Seconds since 1970-01-01T00:00:00Z.
pub type UnixSeconds = i64;

/// A parsed certificate; `der` keeps the exact bytes for storage and comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// The whole certificate as received.
    pub der: Vec<u8>,
    /// The signed part (tbsCertificate).
    pub tbs: Vec<u8>,
    /// Serial number magnitude.
    pub serial: Vec<u8>,
    /// Issuer Name, DER.
    pub issuer: Vec<u8>,
    /// Subject Name, DER.
    pub subject: Vec<u8>,
    /// Readable issuer ("CN=…, C=…").
    pub issuer_text: String,
    /// Readable subject.
    pub subject_text: String,
    /// Country of the subject (C attribute), if present.
    pub subject_country: Option<String>,
    /// notBefore.
    pub not_before: UnixSeconds,
    /// notAfter.
    pub not_after: UnixSeconds,
    /// The subject public key.
    pub public_key: PublicKey,
    /// Signature algorithm OID and its raw parameters (DER), as signed by the issuer.
    pub signature_algorithm: (String, Option<Vec<u8>>),
    /// The issuer's signature over `tbs`.
    pub signature: Vec<u8>,
    /// keyUsage, if present.
    pub key_usage: Option<KeyUsage>,
    /// basicConstraints cA.
    pub is_ca: bool,
    /// subjectKeyIdentifier.
    pub subject_key_id: Option<Vec<u8>>,
    /// authorityKeyIdentifier keyIdentifier.
    pub authority_key_id: Option<Vec<u8>>,
}

impl Certificate {
    /// Parses one DER certificate.
    pub fn from_der(bytes: &[u8]) -> Result<Certificate, PkiError> {
        let outer = der::parse_single(bytes, tag::SEQUENCE, "Certificate")?;
        let mut reader = outer.reader();
        let tbs = reader.read(tag::SEQUENCE, "tbsCertificate")?;
        let outer_algorithm = reader.clone().read(tag::SEQUENCE, "signatureAlgorithm")?.raw;
        let (sig_oid, sig_params) = read_algorithm_identifier(&mut reader, "signatureAlgorithm")?;
        let signature = bit_string(reader.read(tag::BIT_STRING, "signatureValue")?)?;
        reader.finish("Certificate")?;

        let mut t = tbs.reader();
        let _version = t.read_optional(tag::CONTEXT_0)?;
        let serial = t.read_unsigned("serialNumber")?.to_vec();
        let inner_algorithm = t.read(tag::SEQUENCE, "signature")?;
        if inner_algorithm.raw != outer_algorithm {
            // RFC 5280 §4.1.1.2: the two must be identical, else the signed algorithm is not the one used.
            return Err(PkiError::Malformed("certificate signature algorithms inside and outside the signed part differ".into()));
        }
        let issuer = t.read(tag::SEQUENCE, "issuer")?;
        let validity = t.read(tag::SEQUENCE, "validity")?;
        let mut v = validity.reader();
        let not_before = read_time(&mut v)?;
        let not_after = read_time(&mut v)?;
        let subject = t.read(tag::SEQUENCE, "subject")?;
        let spki = t.read(tag::SEQUENCE, "subjectPublicKeyInfo")?;
        let public_key = PublicKey::from_spki(spki)?;
        let mut cert = Certificate {
            der: bytes.to_vec(),
            tbs: tbs.raw.to_vec(),
            serial,
            issuer: issuer.raw.to_vec(),
            subject: subject.raw.to_vec(),
            issuer_text: name_text(issuer),
            subject_text: name_text(subject),
            subject_country: name_attribute(subject, ext_oid::COUNTRY),
            not_before,
            not_after,
            public_key,
            signature_algorithm: (sig_oid, sig_params.map(|p| p.raw.to_vec())),
            signature,
            key_usage: None,
            is_ca: false,
            subject_key_id: None,
            authority_key_id: None,
        };
        while let Some(next) = t.peek_tag() {
            let element = t.read_any()?;
            if next == tag::CONTEXT_3 {
                let extensions = der::parse_single(element.value, tag::SEQUENCE, "extensions")?;
                let mut exts = extensions.reader();
                while !exts.is_empty() {
                    read_extension(&mut exts, &mut cert)?;
                }
            }
        }
        Ok(cert)
    }

    /// The scheme this certificate was signed with by its issuer.
    pub fn signature_scheme(&self) -> Result<SignatureScheme, PkiError> {
        scheme_from_parts(&self.signature_algorithm)
    }

    /// Verifies that `issuer_key` signed this certificate.
    pub fn verify_signed_by(&self, issuer_key: &PublicKey) -> Result<(), PkiError> {
        crypto::verify_signature(issuer_key, self.signature_scheme()?, &self.tbs, &self.signature)
    }

    /// True if this certificate's subject is its issuer and its own key verifies it.
    pub fn is_self_signed(&self) -> bool {
        self.subject == self.issuer && self.verify_signed_by(&self.public_key).is_ok()
    }

    /// Serial as upper-case hex, for messages.
    pub fn serial_hex(&self) -> String {
        self.serial.iter().map(|b| format!("{b:02X}")).collect()
    }
}

pub(crate) fn scheme_from_parts(parts: &(String, Option<Vec<u8>>)) -> Result<SignatureScheme, PkiError> {
    let params = match &parts.1 {
        Some(raw) => Some(Reader::new(raw).read_any()?),
        None => None,
    };
    SignatureScheme::from_algorithm(&parts.0, params, HashAlgorithm::Sha256)
}

fn read_extension(exts: &mut Reader<'_>, cert: &mut Certificate) -> Result<(), PkiError> {
    let ext = exts.read(tag::SEQUENCE, "extension")?;
    let mut e = ext.reader();
    let ext_id = e.read_oid("extnID")?;
    let _critical = e.read_optional(tag::BOOLEAN)?;
    let value = e.read(tag::OCTET_STRING, "extnValue")?.value;
    match ext_id.as_str() {
        ext_oid::KEY_USAGE => {
            let bits = der::parse_single(value, tag::BIT_STRING, "keyUsage")?;
            let mut mask = 0u16;
            for (byte_index, byte) in bits.value.iter().skip(1).take(2).enumerate() {
                for bit in 0..8 {
                    if byte & (0x80 >> bit) != 0 {
                        mask |= 1 << (byte_index * 8 + bit);
                    }
                }
            }
            cert.key_usage = Some(KeyUsage(mask));
        }
        ext_oid::BASIC_CONSTRAINTS => {
            let seq = der::parse_single(value, tag::SEQUENCE, "basicConstraints")?;
            if let Some(flag) = seq.reader().read_optional(tag::BOOLEAN)? {
                cert.is_ca = flag.value.first().is_some_and(|&b| b != 0);
            }
        }
        ext_oid::SUBJECT_KEY_ID => {
            cert.subject_key_id = Some(der::parse_single(value, tag::OCTET_STRING, "subjectKeyIdentifier")?.value.to_vec());
        }
        ext_oid::AUTHORITY_KEY_ID => {
            let seq = der::parse_single(value, tag::SEQUENCE, "authorityKeyIdentifier")?;
            if let Some(key_id) = seq.reader().read_optional(0x80)? {
                cert.authority_key_id = Some(key_id.value.to_vec());
            }
        }
        _ => {}
    }
    Ok(())
}

/// The content of a BIT STRING with no unused bits.
pub(crate) fn bit_string(tlv: Tlv<'_>) -> Result<Vec<u8>, PkiError> {
    match tlv.value.split_first() {
        Some((0, rest)) => Ok(rest.to_vec()),
        _ => Err(PkiError::Malformed("bit string with unused bits".into())),
    }
}

/// Reads a UTCTime or GeneralizedTime ("…Z") as Unix seconds.
pub(crate) fn read_time(reader: &mut Reader<'_>) -> Result<UnixSeconds, PkiError> {
    let tlv = reader.read_any()?;
    let text = std::str::from_utf8(tlv.value).map_err(|_| PkiError::Malformed("time".into()))?;
    let digits = text.strip_suffix('Z').ok_or_else(|| PkiError::Malformed("time without Z".into()))?;
    let (year, rest) = match tlv.tag {
        tag::UTC_TIME => {
            let yy: i64 = parse_digits(digits.get(0..2))?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, digits.get(2..))
        }
        tag::GENERALIZED_TIME => (parse_digits(digits.get(0..4))?, digits.get(4..)),
        _ => return Err(PkiError::Malformed("time tag".into())),
    };
    let rest = rest.ok_or_else(|| PkiError::Malformed("time".into()))?;
    if rest.len() != 10 {
        return Err(PkiError::Malformed("time precision".into()));
    }
    let month: i64 = parse_digits(rest.get(0..2))?;
    let day: i64 = parse_digits(rest.get(2..4))?;
    let hour: i64 = parse_digits(rest.get(4..6))?;
    let minute: i64 = parse_digits(rest.get(6..8))?;
    let second: i64 = parse_digits(rest.get(8..10))?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return Err(PkiError::Malformed("time out of range".into()));
    }
    Ok(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second)
}

fn parse_digits(text: Option<&str>) -> Result<i64, PkiError> {
    let text = text.ok_or_else(|| PkiError::Malformed("time".into()))?;
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PkiError::Malformed("time digits".into()));
    }
    text.parse().map_err(|_| PkiError::Malformed("time digits".into()))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (the well-known era algorithm).
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Writes Unix seconds as DER time: UTCTime before 2050, GeneralizedTime after (RFC 5280).
pub fn encode_time(seconds: UnixSeconds) -> Vec<u8> {
    let days = seconds.div_euclid(86_400);
    let secs = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let clock = format!("{:02}{:02}{:02}{:02}{:02}Z", month, day, secs / 3600, (secs / 60) % 60, secs % 60);
    if (1950..2050).contains(&year) {
        der::write::tlv(tag::UTC_TIME, format!("{:02}{clock}", year % 100).as_bytes())
    } else {
        der::write::tlv(tag::GENERALIZED_TIME, format!("{year:04}{clock}").as_bytes())
    }
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let (year, month, day) = tdverify_core::civil::civil_from_days(days);
    (year, i64::from(month), i64::from(day))
}

fn name_attributes(name: Tlv<'_>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rdns = name.reader();
    while let Ok(rdn) = rdns.read(tag::SET, "RDN") {
        let mut atvs = rdn.reader();
        while let Ok(atv) = atvs.read(tag::SEQUENCE, "AttributeTypeAndValue") {
            let mut a = atv.reader();
            if let (Ok(attr), Ok(value)) = (a.read_oid("attribute type"), a.read_any()) {
                out.push((attr, String::from_utf8_lossy(value.value).into_owned()));
            }
        }
    }
    out
}

fn name_attribute(name: Tlv<'_>, attribute: &str) -> Option<String> {
    name_attributes(name).into_iter().find(|(a, _)| a == attribute).map(|(_, v)| v)
}

fn name_text(name: Tlv<'_>) -> String {
    name_attributes(name)
        .into_iter()
        .map(|(attr, value)| {
            let short = match attr.as_str() {
                ext_oid::COMMON_NAME => "CN",
                ext_oid::COUNTRY => "C",
                "2.5.4.10" => "O",
                "2.5.4.11" => "OU",
                "2.5.4.5" => "serialNumber",
                other => return format!("{other}={value}"),
            };
            format!("{short}={value}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A certificate revocation list from a CSCA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crl {
    /// The whole CRL as received.
    pub der: Vec<u8>,
    /// Signed part.
    pub tbs: Vec<u8>,
    /// Issuer Name, DER.
    pub issuer: Vec<u8>,
    /// Readable issuer.
    pub issuer_text: String,
    /// thisUpdate.
    pub this_update: UnixSeconds,
    /// nextUpdate, if given.
    pub next_update: Option<UnixSeconds>,
    /// Serial numbers (magnitudes) of revoked certificates.
    pub revoked_serials: Vec<Vec<u8>>,
    /// Signature algorithm.
    pub signature_algorithm: (String, Option<Vec<u8>>),
    /// Signature over `tbs`.
    pub signature: Vec<u8>,
}

impl Crl {
    /// Parses a DER CertificateList.
    pub fn from_der(bytes: &[u8]) -> Result<Crl, PkiError> {
        let outer = der::parse_single(bytes, tag::SEQUENCE, "CertificateList")?;
        let mut reader = outer.reader();
        let tbs = reader.read(tag::SEQUENCE, "tbsCertList")?;
        let (sig_oid, sig_params) = read_algorithm_identifier(&mut reader, "signatureAlgorithm")?;
        let signature = bit_string(reader.read(tag::BIT_STRING, "signatureValue")?)?;
        let mut t = tbs.reader();
        let _version = t.read_optional(tag::INTEGER)?;
        let _sig = t.read(tag::SEQUENCE, "signature")?;
        let issuer = t.read(tag::SEQUENCE, "issuer")?;
        let this_update = read_time(&mut t)?;
        let next_update = match t.peek_tag() {
            Some(tag::UTC_TIME | tag::GENERALIZED_TIME) => Some(read_time(&mut t)?),
            _ => None,
        };
        let mut revoked_serials = Vec::new();
        if let Some(list) = t.read_optional(tag::SEQUENCE)? {
            let mut entries = list.reader();
            while !entries.is_empty() {
                let entry = entries.read(tag::SEQUENCE, "revokedCertificate")?;
                revoked_serials.push(entry.reader().read_unsigned("userCertificate")?.to_vec());
            }
        }
        Ok(Crl {
            der: bytes.to_vec(),
            tbs: tbs.raw.to_vec(),
            issuer: issuer.raw.to_vec(),
            issuer_text: name_text(issuer),
            this_update,
            next_update,
            revoked_serials,
            signature_algorithm: (sig_oid, sig_params.map(|p| p.raw.to_vec())),
            signature,
        })
    }

    /// Verifies the CRL was signed with `issuer_key`.
    pub fn verify_signed_by(&self, issuer_key: &PublicKey) -> Result<(), PkiError> {
        crypto::verify_signature(issuer_key, scheme_from_parts(&self.signature_algorithm)?, &self.tbs, &self.signature)
    }

    /// True if `serial` is listed.
    pub fn is_revoked(&self, serial: &[u8]) -> bool {
        self.revoked_serials.iter().any(|s| s == serial)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn time_round_trips() {
        for t in [0i64, 951_782_400, 1_790_000_000, 2_600_000_000] {
            let encoded = encode_time(t);
            assert_eq!(read_time(&mut Reader::new(&encoded)).unwrap(), t);
        }
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    proptest! {
        #[test]
        fn random_certificates_and_crls_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = Certificate::from_der(&bytes);
            let _ = Crl::from_der(&bytes);
        }
    }
}
