//! CMS SignedData (RFC 5652) as used by EF.SOD and CSCA master lists:
//! one signer, encapsulated content, certificates, signed attributes.

use crate::cert::{self, Certificate, UnixSeconds};
use crate::crypto::{self, read_algorithm_identifier, HashAlgorithm, SignatureScheme};
use crate::der::{self, tag, Reader};
use crate::PkiError;

/// CMS and ICAO content-type OIDs.
pub mod oid {
    /// id-signedData
    pub const SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
    /// id-icao-mrtd-security-ldsSecurityObject (ICAO 9303-10)
    pub const LDS_SECURITY_OBJECT: &str = "2.23.136.1.1.1";
    /// id-icao-cscaMasterList (ICAO 9303-12)
    pub const CSCA_MASTER_LIST: &str = "2.23.136.1.1.2";
    /// contentType signed attribute
    pub const ATTR_CONTENT_TYPE: &str = "1.2.840.113549.1.9.3";
    /// messageDigest signed attribute
    pub const ATTR_MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
    /// signingTime signed attribute
    pub const ATTR_SIGNING_TIME: &str = "1.2.840.113549.1.9.5";
}

/// How a SignerInfo names its certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignerId {
    /// Issuer Name (DER) and serial magnitude.
    IssuerAndSerial {
        /// Issuer Name, DER.
        issuer: Vec<u8>,
        /// Serial magnitude.
        serial: Vec<u8>,
    },
    /// subjectKeyIdentifier.
    KeyId(Vec<u8>),
}

/// The one signer of a SOD or master list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignerInfo {
    /// Which certificate signed.
    pub id: SignerId,
    /// Digest algorithm for the content and the signed attributes.
    pub digest_algorithm: HashAlgorithm,
    /// Signed attributes re-tagged as SET (the bytes the signature covers), if present.
    pub signed_attributes: Option<Vec<u8>>,
    /// messageDigest attribute value.
    pub message_digest: Option<Vec<u8>>,
    /// contentType attribute value.
    pub content_type: Option<String>,
    /// signingTime attribute, if present.
    pub signing_time: Option<UnixSeconds>,
    /// Signature algorithm OID and raw parameters.
    pub signature_algorithm: (String, Option<Vec<u8>>),
    /// The signature.
    pub signature: Vec<u8>,
}

/// A parsed SignedData.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedData {
    /// eContentType.
    pub content_type: String,
    /// eContent octets.
    pub content: Vec<u8>,
    /// Certificates carried in the structure (normally the Document Signer / master list signer).
    pub certificates: Vec<Certificate>,
    /// Signers (ICAO requires exactly one; all are kept).
    pub signers: Vec<SignerInfo>,
}

impl SignedData {
    /// Parses a ContentInfo wrapping SignedData.
    pub fn from_content_info(bytes: &[u8]) -> Result<SignedData, PkiError> {
        let content_info = der::parse_single(bytes, tag::SEQUENCE, "ContentInfo")?;
        let mut reader = content_info.reader();
        let content_type = reader.read_oid("contentType")?;
        if content_type != oid::SIGNED_DATA {
            return Err(PkiError::Malformed(format!("ContentInfo of type {content_type}, not SignedData")));
        }
        let explicit = reader.read(tag::CONTEXT_0, "content")?;
        let signed = der::parse_single(explicit.value, tag::SEQUENCE, "SignedData")?;
        let mut s = signed.reader();
        let _version = s.read_small_int("SignedData version")?;
        let _digest_algorithms = s.read(tag::SET, "digestAlgorithms")?;
        let encap = s.read(tag::SEQUENCE, "encapContentInfo")?;
        let mut e = encap.reader();
        let econtent_type = e.read_oid("eContentType")?;
        let econtent_explicit = e.read(tag::CONTEXT_0, "eContent")?;
        let econtent = der::parse_single(econtent_explicit.value, tag::OCTET_STRING, "eContent")?;
        let mut certificates = Vec::new();
        if let Some(certs) = s.read_optional(tag::CONTEXT_0)? {
            let mut c = certs.reader();
            while !c.is_empty() {
                let one = c.read(tag::SEQUENCE, "certificate")?;
                certificates.push(Certificate::from_der(one.raw)?);
            }
        }
        let _crls = s.read_optional(tag::CONTEXT_1)?;
        let signer_set = s.read(tag::SET, "signerInfos")?;
        let mut signers = Vec::new();
        let mut si = signer_set.reader();
        while !si.is_empty() {
            signers.push(read_signer_info(&mut si)?);
        }
        if signers.is_empty() {
            return Err(PkiError::Malformed("SignedData without a signer".into()));
        }
        Ok(SignedData { content_type: econtent_type, content: econtent.value.to_vec(), certificates, signers })
    }

    /// The certificate among `certificates` that `signer` names.
    pub fn signer_certificate(&self, signer: &SignerInfo) -> Option<&Certificate> {
        self.certificates.iter().find(|c| match &signer.id {
            SignerId::IssuerAndSerial { issuer, serial } => &c.issuer == issuer && &c.serial == serial,
            SignerId::KeyId(key_id) => c.subject_key_id.as_ref() == Some(key_id),
        })
    }

    /// Verifies `signer`'s signature with `certificate`'s key: content-type and
    /// message-digest attributes must match the eContent, then the signature must verify.
    pub fn verify_signer(&self, signer: &SignerInfo, certificate: &Certificate) -> Result<SignatureScheme, PkiError> {
        let scheme = {
            let params = match &signer.signature_algorithm.1 {
                Some(raw) => Some(Reader::new(raw).read_any()?),
                None => None,
            };
            SignatureScheme::from_algorithm(&signer.signature_algorithm.0, params, signer.digest_algorithm)?
        };
        let signed_bytes: &[u8] = match &signer.signed_attributes {
            Some(attributes) => {
                if signer.content_type.as_deref() != Some(self.content_type.as_str()) {
                    return Err(PkiError::BadSignature("content-type attribute does not match the eContent type".into()));
                }
                let expected = signer.digest_algorithm.digest(&self.content);
                if signer.message_digest.as_deref() != Some(expected.as_slice()) {
                    return Err(PkiError::BadSignature("message-digest attribute does not match the eContent hash".into()));
                }
                attributes
            }
            None => &self.content,
        };
        crypto::verify_signature(&certificate.public_key, scheme, signed_bytes, &signer.signature)?;
        Ok(scheme)
    }
}

fn read_signer_info(reader: &mut Reader<'_>) -> Result<SignerInfo, PkiError> {
    let info = reader.read(tag::SEQUENCE, "SignerInfo")?;
    let mut r = info.reader();
    let _version = r.read_small_int("SignerInfo version")?;
    let sid = r.read_any()?;
    let id = match sid.tag {
        tag::SEQUENCE => {
            let mut ias = sid.reader();
            let issuer = ias.read(tag::SEQUENCE, "issuer")?.raw.to_vec();
            let serial = ias.read_unsigned("serialNumber")?.to_vec();
            SignerId::IssuerAndSerial { issuer, serial }
        }
        0x80 => SignerId::KeyId(sid.value.to_vec()),
        _ => return Err(PkiError::Malformed("SignerIdentifier".into())),
    };
    let (digest_oid, _) = read_algorithm_identifier(&mut r, "digestAlgorithm")?;
    let digest_algorithm =
        HashAlgorithm::from_oid(&digest_oid).ok_or_else(|| PkiError::UnsupportedAlgorithm(format!("digest {digest_oid}")))?;
    let mut signer = SignerInfo {
        id,
        digest_algorithm,
        signed_attributes: None,
        message_digest: None,
        content_type: None,
        signing_time: None,
        signature_algorithm: (String::new(), None),
        signature: Vec::new(),
    };
    if let Some(attributes) = r.read_optional(tag::CONTEXT_0)? {
        let mut as_set = attributes.raw.to_vec();
        if let Some(first) = as_set.first_mut() {
            *first = tag::SET;
        }
        signer.signed_attributes = Some(as_set);
        let mut attrs = attributes.reader();
        while !attrs.is_empty() {
            let attribute = attrs.read(tag::SEQUENCE, "Attribute")?;
            let mut a = attribute.reader();
            let attr_type = a.read_oid("attrType")?;
            let values = a.read(tag::SET, "attrValues")?;
            let mut v = values.reader();
            match attr_type.as_str() {
                oid::ATTR_CONTENT_TYPE => signer.content_type = Some(v.read_oid("content-type attribute")?),
                oid::ATTR_MESSAGE_DIGEST => {
                    signer.message_digest = Some(v.read(tag::OCTET_STRING, "message-digest attribute")?.value.to_vec())
                }
                oid::ATTR_SIGNING_TIME => signer.signing_time = cert::read_time(&mut v).ok(),
                _ => {}
            }
        }
    }
    let (sig_oid, sig_params) = read_algorithm_identifier(&mut r, "signatureAlgorithm")?;
    signer.signature_algorithm = (sig_oid, sig_params.map(|p| p.raw.to_vec()));
    signer.signature = r.read(tag::OCTET_STRING, "signature")?.value.to_vec();
    Ok(signer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = SignedData::from_content_info(&bytes);
        }
    }
}
