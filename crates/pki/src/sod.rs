//! EF.SOD (ICAO 9303-10 §4.6.2): tag 0x77 around a CMS SignedData whose eContent
//! is the LDSSecurityObject listing a hash per data group.

use std::collections::BTreeMap;

use crate::cms::{self, SignedData};
use crate::crypto::{read_algorithm_identifier, HashAlgorithm};
use crate::der::{self, tag};
use crate::PkiError;

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
        let content_info = match bytes.first() {
            Some(&tag::EF_SOD) => der::parse_single(bytes, tag::EF_SOD, "EF.SOD")?.value,
            _ => bytes,
        };
        let signed_data = SignedData::from_content_info(content_info)?;
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

/// Parses LDSSecurityObject: version, hash algorithm, DG hashes, optional version info.
pub fn parse_lds_security_object(content: &[u8]) -> Result<LdsSecurityObject, PkiError> {
    let object = der::parse_single(content, tag::SEQUENCE, "LDSSecurityObject")?;
    let mut r = object.reader();
    let _version = r.read_small_int("LDSSecurityObject version")?;
    let (hash_oid, _) = read_algorithm_identifier(&mut r, "hashAlgorithm")?;
    let hash_algorithm =
        HashAlgorithm::from_oid(&hash_oid).ok_or_else(|| PkiError::UnsupportedAlgorithm(format!("SOD hash {hash_oid}")))?;
    let list = r.read(tag::SEQUENCE, "dataGroupHashValues")?;
    let mut hashes = BTreeMap::new();
    let mut l = list.reader();
    while !l.is_empty() {
        let entry = l.read(tag::SEQUENCE, "DataGroupHash")?;
        let mut e = entry.reader();
        let number = e.read_small_int("dataGroupNumber")?;
        let number = u8::try_from(number).ok().filter(|n| (1..=16).contains(n))
            .ok_or_else(|| PkiError::Malformed(format!("data group number {number}")))?;
        let hash = e.read(tag::OCTET_STRING, "dataGroupHashValue")?.value.to_vec();
        if hashes.insert(number, hash).is_some() {
            return Err(PkiError::Malformed(format!("DG{number} listed twice in EF.SOD")));
        }
    }
    let lds_version = match r.read_optional(tag::SEQUENCE)? {
        Some(info) => {
            let mut i = info.reader();
            let lds = i.read(tag::PRINTABLE_STRING, "ldsVersion")?;
            let unicode = i.read(tag::PRINTABLE_STRING, "unicodeVersion")?;
            Some(LdsVersionInfo {
                lds_version: String::from_utf8_lossy(lds.value).into_owned(),
                unicode_version: String::from_utf8_lossy(unicode.value).into_owned(),
            })
        }
        None => None,
    };
    Ok(LdsSecurityObject { hash_algorithm, data_group_hashes: hashes, lds_version })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = Sod::parse(&bytes);
            let _ = parse_lds_security_object(&bytes);
        }

        #[test]
        fn random_bytes_behind_the_sod_tag_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let mut wrapped = vec![0x77];
            wrapped.extend(der::write::tlv(0x30, &bytes));
            let _ = Sod::parse(&wrapped);
        }
    }
}
