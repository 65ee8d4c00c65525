//! X.509 certificates and CRLs on `x509-cert`, read as far as passive
//! authentication needs: names, serial, validity, public key, key usage, key
//! identifiers, and the signed bytes with their signature.
//!
//! Input goes through [`crate::lenient`] first, so that the small DER faults of
//! certificates in the field are tolerated; the signed part (`tbs`) is kept as
//! received, since that is what the issuer signed.

use der::asn1::{BitString, PrintableStringRef};
use der::{Decode, Encode};
use x509_cert::certificate::{CertificateInner, Raw};
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, BasicConstraints, KeyUsage as X509KeyUsage, SubjectKeyIdentifier};
use x509_cert::name::Name;
use x509_cert::time::Time;

use crate::crypto::{self, HashAlgorithm, PublicKey, SignatureScheme, algorithm_parts};
use crate::{PkiError, lenient};

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

    use der::asn1::ObjectIdentifier;
    /// subjectKeyIdentifier, as an OID
    pub const SUBJECT_KEY_ID_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap(SUBJECT_KEY_ID);
    /// keyUsage, as an OID
    pub const KEY_USAGE_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap(KEY_USAGE);
    /// basicConstraints, as an OID
    pub const BASIC_CONSTRAINTS_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap(BASIC_CONSTRAINTS);
    /// authorityKeyIdentifier, as an OID
    pub const AUTHORITY_KEY_ID_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap(AUTHORITY_KEY_ID);
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
    /// Parses one DER certificate (with the faults [`crate::lenient`] tolerates).
    pub fn from_der(bytes: &[u8]) -> Result<Certificate, PkiError> {
        Certificate::from_received(&lenient::parse(bytes)?)
    }

    /// The certificate an element already split by [`crate::lenient`] holds.
    pub(crate) fn from_received(received: &lenient::Element<'_>) -> Result<Certificate, PkiError> {
        let bytes = received.raw;
        let tbs = received.child(0, "tbsCertificate")?.raw.to_vec();
        // No profile checks (serial length, time encoding): passports carry what they carry.
        let parsed = CertificateInner::<Raw>::from_der(&received.to_canonical_der()?)?;
        let body = parsed.tbs_certificate();
        if body.signature() != parsed.signature_algorithm() {
            // RFC 5280 §4.1.1.2: the two must be identical, else the signed algorithm is not the one used.
            return Err(PkiError::Malformed("certificate signature algorithms inside and outside the signed part differ".into()));
        }
        let extension = |oid: der::asn1::ObjectIdentifier| {
            body.extensions().into_iter().flatten().find(|e| e.extn_id == oid).map(|e| e.extn_value.as_bytes())
        };
        let key_usage = match extension(ext_oid::KEY_USAGE_OID) {
            Some(value) => {
                let usage = X509KeyUsage::from_der(value)?;
                Some(KeyUsage(usage.0.bits()))
            }
            None => None,
        };
        let is_ca = match extension(ext_oid::BASIC_CONSTRAINTS_OID) {
            Some(value) => BasicConstraints::from_der(value)?.ca,
            None => false,
        };
        let subject_key_id = match extension(ext_oid::SUBJECT_KEY_ID_OID) {
            Some(value) => Some(SubjectKeyIdentifier::from_der(value)?.0.as_bytes().to_vec()),
            None => None,
        };
        let authority_key_id = match extension(ext_oid::AUTHORITY_KEY_ID_OID) {
            Some(value) => AuthorityKeyIdentifier::from_der(value)?.key_identifier.map(|id| id.as_bytes().to_vec()),
            None => None,
        };
        Ok(Certificate {
            der: bytes.to_vec(),
            tbs,
            serial: body.serial_number().as_bytes().to_vec(),
            issuer: body.issuer().to_der()?,
            subject: body.subject().to_der()?,
            issuer_text: name_text(body.issuer()),
            subject_text: name_text(body.subject()),
            subject_country: name_country(body.subject()),
            not_before: unix_seconds(&body.validity().not_before),
            not_after: unix_seconds(&body.validity().not_after),
            public_key: PublicKey::from_spki(body.subject_public_key_info())?,
            signature_algorithm: algorithm_parts(parsed.signature_algorithm())?,
            signature: whole_octets(parsed.signature())?,
            key_usage,
            is_ca,
            subject_key_id,
            authority_key_id,
        })
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
        tdverify_core::hex::encode_upper(&self.serial)
    }
}

pub(crate) fn scheme_from_parts(parts: &(String, Option<Vec<u8>>)) -> Result<SignatureScheme, PkiError> {
    SignatureScheme::from_algorithm(&parts.0, parts.1.as_deref(), HashAlgorithm::Sha256)
}

/// The octets of a BIT STRING with no unused bits (signatures).
pub(crate) fn whole_octets(bits: &BitString) -> Result<Vec<u8>, PkiError> {
    bits.as_bytes().map(<[u8]>::to_vec).ok_or_else(|| PkiError::Malformed("bit string with unused bits".into()))
}

/// A certificate or CRL time as Unix seconds.
pub(crate) fn unix_seconds(time: &Time) -> UnixSeconds {
    i64::try_from(time.to_unix_duration().as_secs()).unwrap_or(i64::MAX)
}

/// Writes Unix seconds as DER time: UTCTime before 2050, GeneralizedTime after (RFC 5280).
/// Times before 1970 or after 9999 cannot be written and come out as the nearest end.
pub fn encode_time(seconds: UnixSeconds) -> Vec<u8> {
    let clamped = seconds.clamp(0, 253_402_300_799);
    let duration = std::time::Duration::from_secs(u64::try_from(clamped).unwrap_or_default());
    let time = der::DateTime::from_unix_duration(duration).map_err(der::Error::from).and_then(|date_time| {
        if date_time.year() < 2050 {
            der::asn1::UtcTime::from_date_time(date_time).map(Time::UtcTime)
        } else {
            Ok(Time::GeneralTime(der::asn1::GeneralizedTime::from_date_time(date_time)))
        }
    });
    time.and_then(|t| t.to_der()).unwrap_or_default()
}

/// The attributes of a Name in order, as (OID text, value text) pairs.
fn name_attributes(name: &Name) -> Vec<(String, String)> {
    name.iter().map(|atv| (atv.oid.to_string(), String::from_utf8_lossy(atv.value.value()).into_owned())).collect()
}

fn name_country(name: &Name) -> Option<String> {
    match name.country() {
        Ok(Some(country)) => Some(PrintableStringRef::as_str(&country).to_string()),
        _ => name_attributes(name).into_iter().find(|(a, _)| a == ext_oid::COUNTRY).map(|(_, v)| v),
    }
}

fn name_text(name: &Name) -> String {
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
    /// Parses a DER CertificateList (with the faults [`crate::lenient`] tolerates).
    pub fn from_der(bytes: &[u8]) -> Result<Crl, PkiError> {
        let received = lenient::parse(bytes)?;
        let tbs = received.child(0, "tbsCertList")?.raw.to_vec();
        let parsed = CertificateList::<Raw>::from_der(&received.to_canonical_der()?)?;
        let body = &parsed.tbs_cert_list;
        Ok(Crl {
            der: bytes.to_vec(),
            tbs,
            issuer: body.issuer.to_der()?,
            issuer_text: name_text(&body.issuer),
            this_update: unix_seconds(&body.this_update),
            next_update: body.next_update.as_ref().map(unix_seconds),
            revoked_serials: body.revoked_certificates.iter().flatten().map(|r| r.serial_number.as_bytes().to_vec()).collect(),
            signature_algorithm: algorithm_parts(&parsed.signature_algorithm)?,
            signature: whole_octets(&parsed.signature)?,
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
            assert_eq!(unix_seconds(&Time::from_der(&encoded).unwrap()), t);
        }
        assert_eq!(encode_time(951_782_400)[0], 0x17);
        assert_eq!(encode_time(2_600_000_000)[0], 0x18);
    }

    /// TEST certificates and a TEST CRL to mutate.
    fn seeds() -> &'static [Vec<u8>] {
        static SEEDS: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
        SEEDS.get_or_init(|| {
            let pki = crate::testpki::TestPki::generate("UTO", crate::testpki::TestKeyAlgorithm::EcdsaP256, b"TEST-ONLY mutations")
                .expect("TEST PKI generates");
            vec![pki.csca.certificate, pki.document_signer.certificate, pki.crl]
        })
    }

    #[test]
    fn seeds_parse_before_mutation() {
        let seeds = seeds();
        assert!(Certificate::from_der(&seeds[0]).unwrap().is_self_signed());
        assert_eq!(Certificate::from_der(&seeds[1]).unwrap().serial, vec![100]);
        assert_eq!(Crl::from_der(&seeds[2]).unwrap().revoked_serials, vec![vec![102]]);
    }

    proptest! {
        #[test]
        fn mutated_certificates_and_crls_never_panic(which in 0usize..3, position in 0usize..2000, flip in 1u8..=255, cut in 0usize..2000) {
            let mut bytes = seeds()[which].clone();
            let index = position % bytes.len();
            bytes[index] ^= flip;
            let _ = Certificate::from_der(&bytes);
            let _ = Crl::from_der(&bytes);
            bytes.truncate(cut % (bytes.len() + 1));
            let _ = Certificate::from_der(&bytes);
            let _ = Crl::from_der(&bytes);
        }

        #[test]
        fn random_certificates_and_crls_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = Certificate::from_der(&bytes);
            let _ = Crl::from_der(&bytes);
        }
    }
}
