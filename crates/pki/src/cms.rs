//! CMS SignedData (RFC 5652) as used by EF.SOD and CSCA master lists, on the
//! `cms` crate: one signer, encapsulated content, certificates, signed attributes.
//!
//! Input goes through [`crate::lenient`] first (BER and small DER faults are
//! tolerated). Two things are taken from the input as received rather than from
//! the decoded structure, because signatures cover them: the certificates (each
//! read by [`Certificate::from_der`] from its own bytes) and the signed
//! attributes (the signature is over their bytes re-tagged as SET, in the order
//! the signer wrote them; `cms` sorts them as DER requires). Each part (content
//! type, encapsulated content, each SignerInfo) is decoded by `cms` on its own.

use cms::signed_data::{EncapsulatedContentInfo, SignerIdentifier, SignerInfo as CmsSignerInfo};
use der::asn1::{ObjectIdentifier, OctetString};
use der::{Decode, Encode};
use x509_cert::time::Time;

use crate::cert::{self, Certificate, UnixSeconds};
use crate::crypto::{self, HashAlgorithm, SignatureScheme, algorithm_parts};
use crate::lenient::Element;
use crate::{PkiError, lenient};

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
        // Each part is decoded by `cms` from the canonical form of its own element, so that
        // the certificates are decoded once (by `Certificate::from_der`, from their bytes as received).
        let received = lenient::parse(bytes)?;
        let content_type = <ObjectIdentifier>::from_der(&received.child(0, "contentType")?.to_canonical_der()?)?.to_string();
        if content_type != oid::SIGNED_DATA {
            return Err(PkiError::Malformed(format!("ContentInfo of type {content_type}, not SignedData")));
        }
        let explicit = received.child(1, "content")?;
        let signed_received = explicit.child(0, "SignedData")?;
        if received.tag != 0x30 || explicit.tag != 0xA0 || explicit.children().len() != 1 || signed_received.tag != 0x30 {
            return Err(PkiError::Malformed("ContentInfo is not SEQUENCE { contentType, [0] SignedData }".into()));
        }
        let encapsulated = EncapsulatedContentInfo::from_der(&signed_received.child(2, "encapContentInfo")?.to_canonical_der()?)?;
        let econtent = encapsulated.econtent.as_ref().ok_or_else(|| PkiError::Malformed("SignedData without eContent".into()))?;
        let content = econtent.decode_as::<OctetString>()?.into_bytes().into_vec();

        let mut certificates = Vec::new();
        if let Some(set) = signed_received.children().iter().skip(3).find(|e| e.tag == 0xA0) {
            for one in set.children() {
                certificates.push(Certificate::from_received(one)?);
            }
        }
        let signer_set = signed_received.children().last().filter(|e| e.tag == 0x31);
        let signers = signer_set.map(Element::children).unwrap_or_default().iter().map(read_signer_info).collect::<Result<Vec<_>, _>>()?;
        if signers.is_empty() {
            return Err(PkiError::Malformed("SignedData without a signer".into()));
        }
        Ok(SignedData { content_type: encapsulated.econtent_type.to_string(), content, certificates, signers })
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
        let (algorithm, params) = &signer.signature_algorithm;
        let scheme = SignatureScheme::from_algorithm(algorithm, params.as_deref(), signer.digest_algorithm)?;
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

const ATTR_CONTENT_TYPE_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap(oid::ATTR_CONTENT_TYPE);
const ATTR_MESSAGE_DIGEST_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap(oid::ATTR_MESSAGE_DIGEST);
const ATTR_SIGNING_TIME_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap(oid::ATTR_SIGNING_TIME);

/// One SignerInfo: decoded by `cms` from its canonical form, signed attributes kept as received.
fn read_signer_info(received: &Element<'_>) -> Result<SignerInfo, PkiError> {
    let info = CmsSignerInfo::from_der(&received.to_canonical_der()?)?;
    let id = match &info.sid {
        SignerIdentifier::IssuerAndSerialNumber(named) => {
            SignerId::IssuerAndSerial { issuer: named.issuer.to_der()?, serial: named.serial_number.as_bytes().to_vec() }
        }
        SignerIdentifier::SubjectKeyIdentifier(key_id) => SignerId::KeyId(key_id.0.as_bytes().to_vec()),
    };
    let digest_oid = info.digest_alg.oid.to_string();
    let digest_algorithm =
        HashAlgorithm::from_oid(&digest_oid).ok_or_else(|| PkiError::UnsupportedAlgorithm(format!("digest {digest_oid}")))?;
    let mut signer = SignerInfo {
        id,
        digest_algorithm,
        signed_attributes: None,
        message_digest: None,
        content_type: None,
        signing_time: None,
        signature_algorithm: algorithm_parts(&info.signature_algorithm)?,
        signature: info.signature.as_bytes().to_vec(),
    };
    if let Some(attributes) = &info.signed_attrs {
        let as_received = received.children().iter().find(|e| e.tag == 0xA0).map(|e| e.raw).unwrap_or_default();
        let mut as_set = as_received.to_vec();
        if let Some(first) = as_set.first_mut() {
            *first = 0x31;
        }
        signer.signed_attributes = Some(as_set);
        for attribute in attributes.iter() {
            let Some(value) = attribute.values.iter().next() else { continue };
            if attribute.oid == ATTR_CONTENT_TYPE_OID {
                signer.content_type = Some(value.decode_as::<ObjectIdentifier>()?.to_string());
            } else if attribute.oid == ATTR_MESSAGE_DIGEST_OID {
                signer.message_digest = Some(value.decode_as::<OctetString>()?.into_bytes().into_vec());
            } else if attribute.oid == ATTR_SIGNING_TIME_OID {
                signer.signing_time = value.to_der().ok().and_then(|der| Time::from_der(&der).ok()).map(|t| cert::unix_seconds(&t));
            }
        }
    }
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
