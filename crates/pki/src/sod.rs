//! EF.SOD (ICAO 9303-10 §4.6.2): tag 0x77 around a CMS SignedData whose eContent
//! is the LDSSecurityObject listing a hash per data group.
//!
//! No crate declares the ICAO structures, so the LDSSecurityObject is declared
//! here with `der`'s derive; the SignedData around it is [`crate::cms`].

use std::collections::BTreeMap;

use der::asn1::{OctetString, PrintableString};
use der::{Decode, Sequence};
use spki::AlgorithmIdentifierOwned;

use crate::cms::{self, SignedData};
use crate::crypto::HashAlgorithm;
use crate::{PkiError, lenient};

/// The application tag [APPLICATION 23] around EF.SOD's ContentInfo.
pub const EF_SOD_TAG: u8 = 0x77;

/// The LDS version stated in an LDS 1.8 security object.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LdsVersionInfo {
    /// e.g. "0108"
    pub lds_version: String,
    /// e.g. "040000"
    pub unicode_version: String,
}

/// A parsed EF.SOD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sod {
    /// The SignedData (signer, certificates, eContent).
    pub signed_data: SignedData,
    /// The hash algorithm of the data-group hashes.
    pub hash_algorithm: HashAlgorithm,
    /// Data-group number → expected hash.
    pub data_group_hashes: BTreeMap<u8, Vec<u8>>,
    /// LDS version info, when present (LDS 1.8).
    pub lds_version: Option<LdsVersionInfo>,
}

impl Sod {
    /// Parses EF.SOD bytes (with the 0x77 wrapper; a bare ContentInfo is accepted too).
    pub fn parse(bytes: &[u8]) -> Result<Sod, PkiError> {
        let signed_data = match bytes.first() {
            Some(&EF_SOD_TAG) => {
                let wrapper = lenient::parse(bytes)?;
                match wrapper.children() {
                    [content_info] => SignedData::from_content_info(content_info.raw)?,
                    _ => return Err(PkiError::Malformed("EF.SOD must hold exactly one ContentInfo".into())),
                }
            }
            _ => SignedData::from_content_info(bytes)?,
        };
        if signed_data.content_type != cms::oid::LDS_SECURITY_OBJECT {
            return Err(PkiError::Malformed(format!("EF.SOD content type {} is not an LDS security object", signed_data.content_type)));
        }
        let object = parse_lds_security_object(&signed_data.content)?;
        Ok(Sod {
            signed_data,
            hash_algorithm: object.hash_algorithm,
            data_group_hashes: object.data_group_hashes,
            lds_version: object.lds_version,
        })
    }
}

/// The signed content of EF.SOD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LdsSecurityObject {
    /// Hash algorithm of the data-group hashes.
    pub hash_algorithm: HashAlgorithm,
    /// Data-group number → hash.
    pub data_group_hashes: BTreeMap<u8, Vec<u8>>,
    /// LDS version info (LDS 1.8), if present.
    pub lds_version: Option<LdsVersionInfo>,
}

/// LDSSecurityObject (ICAO 9303-10 §4.6.2.2) as encoded.
#[derive(Sequence)]
struct EncodedSecurityObject {
    version: u64,
    hash_algorithm: AlgorithmIdentifierOwned,
    data_group_hash_values: Vec<EncodedDataGroupHash>,
    lds_version_info: Option<EncodedVersionInfo>,
}

/// DataGroupHash: number and hash.
#[derive(Sequence)]
struct EncodedDataGroupHash {
    data_group_number: u64,
    data_group_hash_value: OctetString,
}

/// LDSVersionInfo (LDS 1.8).
#[derive(Sequence)]
struct EncodedVersionInfo {
    lds_version: PrintableString,
    unicode_version: PrintableString,
}

/// Parses LDSSecurityObject: version, hash algorithm, DG hashes, optional version info.
pub fn parse_lds_security_object(content: &[u8]) -> Result<LdsSecurityObject, PkiError> {
    let object = EncodedSecurityObject::from_der(&lenient::canonical(content)?)?;
    let _version = object.version;
    let hash_oid = object.hash_algorithm.oid.to_string();
    let hash_algorithm =
        HashAlgorithm::from_oid(&hash_oid).ok_or_else(|| PkiError::UnsupportedAlgorithm(format!("SOD hash {hash_oid}")))?;
    let mut hashes = BTreeMap::new();
    for entry in object.data_group_hash_values {
        let number = entry.data_group_number;
        let number = u8::try_from(number)
            .ok()
            .filter(|n| (1..=16).contains(n))
            .ok_or_else(|| PkiError::Malformed(format!("data group number {number}")))?;
        if hashes.insert(number, entry.data_group_hash_value.into_bytes().into_vec()).is_some() {
            return Err(PkiError::Malformed(format!("DG{number} listed twice in EF.SOD")));
        }
    }
    let lds_version = object.lds_version_info.map(|info| LdsVersionInfo {
        lds_version: info.lds_version.to_string(),
        unicode_version: info.unicode_version.to_string(),
    });
    Ok(LdsSecurityObject { hash_algorithm, data_group_hashes: hashes, lds_version })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn from_hex(text: &str) -> Vec<u8> {
        // Test vectors are written with spaces and line breaks between the digits.
        let digits: String = text.chars().filter(char::is_ascii_hexdigit).collect();
        tdverify_core::hex::decode(&digits).expect("test hex")
    }

    proptest! {
        /// The BSI reference EF.SOD with one byte changed, one byte inserted (0x80 makes
        /// indefinite lengths) and cut short: never a panic.
        #[test]
        fn mutated_reference_sods_never_panic(position in 0usize..4000, flip in 1u8..=255, insert in 0usize..4000, cut in 0usize..4000) {
            let mut sod = from_hex(include_str!("../testdata/bsi_tr03105_5_EF_SOD.hex"));
            prop_assert!(Sod::parse(&sod).is_ok());
            let index = position % sod.len();
            sod[index] ^= flip;
            let _ = Sod::parse(&sod);
            sod.insert(insert % sod.len(), 0x80);
            let _ = Sod::parse(&sod);
            sod.truncate(cut % (sod.len() + 1));
            let _ = Sod::parse(&sod);
        }

        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = Sod::parse(&bytes);
            let _ = parse_lds_security_object(&bytes);
        }

        #[test]
        fn random_bytes_behind_the_sod_tag_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let mut wrapped = vec![EF_SOD_TAG, 0x82];
            wrapped.extend(u16::try_from(bytes.len() + 4).unwrap().to_be_bytes());
            wrapped.extend([0x30, 0x82]);
            wrapped.extend(u16::try_from(bytes.len()).unwrap().to_be_bytes());
            wrapped.extend(&bytes);
            let _ = Sod::parse(&wrapped);
        }
    }
}
