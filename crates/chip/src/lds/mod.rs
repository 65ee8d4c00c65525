//! Logical Data Structure (ICAO 9303-10): file identifiers, EF.COM, data groups
//! and SecurityInfos, each with a parser and an encoder (the fixture generator
//! and the virtual eMRTD build chip datasets with the encoders).

pub mod com;
pub mod dg1;
pub mod dg11;
pub mod dg12;
pub mod dg14;
pub mod dg15;
pub mod dg2;
pub mod dg7;
pub mod security_infos;

use crate::tlv::{self, TlvError};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

/// Why an LDS file could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LdsError {
    /// The file does not start with the tag its type requires.
    #[error("{file}: expected tag {expected:X}, found {found:X}")]
    WrongTag {
        /// File name.
        file: &'static str,
        /// Tag required.
        expected: u32,
        /// Tag found.
        found: u32,
    },
    /// Malformed TLV.
    #[error("{0}: {1}")]
    Tlv(&'static str, TlvError),
    /// A field with content that breaks its rules (bad text, bad biometric header).
    #[error("{0}: {1}")]
    Invalid(&'static str, String),
}

/// Unwraps the outer template of an LDS file and checks its tag.
pub(crate) fn open_template<'a>(
    file: &'static str,
    bytes: &'a [u8],
    expected: u32,
) -> Result<&'a [u8], LdsError> {
    let (outer, _) = tlv::parse_one(bytes).map_err(|e| LdsError::Tlv(file, e))?;
    if outer.tag != expected {
        return Err(LdsError::WrongTag {
            file,
            expected,
            found: outer.tag,
        });
    }
    Ok(outer.value)
}

/// Text of a field: UTF-8, falling back to Latin-1 for older documents.
pub(crate) fn text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => bytes.iter().map(|b| char::from(*b)).collect(),
    }
}

/// The data groups among a chip's files, by number: what EF.SOD hashes.
pub fn data_groups(files: &std::collections::BTreeMap<FileId, Vec<u8>>) -> std::collections::BTreeMap<u8, Vec<u8>> {
    files
        .iter()
        .filter_map(|(id, bytes)| match id {
            FileId::Dg(number) => Some((*number, bytes.clone())),
            _ => None,
        })
        .collect()
}

/// An elementary file of the eMRTD application or the master file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileId {
    /// EF.CardAccess (master file, 011C): PACE parameters.
    CardAccess,
    /// EF.CardSecurity (master file, 011D): signed SecurityInfos.
    CardSecurity,
    /// EF.COM (011E): LDS version and data group list.
    Com,
    /// EF.SOD (011D in the applet): the Document Security Object.
    Sod,
    /// Data group 1 to 16 (0101 to 0110).
    Dg(u8),
}

impl FileId {
    /// Every file a reader may try, in reading order.
    pub fn all() -> Vec<FileId> {
        let mut files = vec![
            FileId::CardAccess,
            FileId::CardSecurity,
            FileId::Com,
            FileId::Sod,
        ];
        files.extend((1..=16).map(FileId::Dg));
        files
    }

    /// The two-byte file identifier used with SELECT.
    pub fn fid(self) -> u16 {
        match self {
            FileId::CardAccess => 0x011C,
            FileId::CardSecurity | FileId::Sod => 0x011D,
            FileId::Com => 0x011E,
            FileId::Dg(number) => 0x0100 + u16::from(number),
        }
    }

    /// Short EF identifier (for READ BINARY with SFI).
    pub fn sfi(self) -> u8 {
        (self.fid() & 0x1F) as u8
    }

    /// Whether the file lives in the master file rather than the eMRTD applet.
    pub fn in_master_file(self) -> bool {
        matches!(self, FileId::CardAccess | FileId::CardSecurity)
    }

    /// The outer tag of the file content (None for the raw SecurityInfos files).
    pub fn tag(self) -> Option<u32> {
        match self {
            FileId::CardAccess | FileId::CardSecurity => None,
            FileId::Com => Some(0x60),
            FileId::Sod => Some(0x77),
            FileId::Dg(number) => dg_tag(number),
        }
    }

    /// The file for an LDS tag (as listed in EF.COM).
    pub fn from_tag(tag: u32) -> Option<FileId> {
        if tag == 0x60 {
            return Some(FileId::Com);
        }
        if tag == 0x77 {
            return Some(FileId::Sod);
        }
        (1..=16).find(|n| dg_tag(*n) == Some(tag)).map(FileId::Dg)
    }

    /// Stable name used in JSON, file names and the UI: "COM", "SOD", "DG1".., "CardAccess", "CardSecurity".
    pub fn name(self) -> String {
        match self {
            FileId::CardAccess => "CardAccess".into(),
            FileId::CardSecurity => "CardSecurity".into(),
            FileId::Com => "COM".into(),
            FileId::Sod => "SOD".into(),
            FileId::Dg(number) => format!("DG{number}"),
        }
    }

    /// Inverse of [`FileId::name`].
    pub fn parse(name: &str) -> Option<FileId> {
        match name {
            "CardAccess" => Some(FileId::CardAccess),
            "CardSecurity" => Some(FileId::CardSecurity),
            "COM" => Some(FileId::Com),
            "SOD" => Some(FileId::Sod),
            other => {
                let number: u8 = other.strip_prefix("DG")?.parse().ok()?;
                (1..=16).contains(&number).then_some(FileId::Dg(number))
            }
        }
    }
}

/// LDS tag of data group `number` (ICAO 9303-10 table 34).
pub fn dg_tag(number: u8) -> Option<u32> {
    const TAGS: [u32; 16] = [
        0x61, 0x75, 0x63, 0x76, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6A, 0x6B, 0x6C, 0x6D, 0x6E, 0x6F,
        0x70,
    ];
    TAGS.get(usize::from(number).checked_sub(1)?).copied()
}

impl std::fmt::Display for FileId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

impl Serialize for FileId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.name())
    }
}

impl<'de> Deserialize<'de> for FileId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<FileId, D::Error> {
        let name = String::deserialize(deserializer)?;
        FileId::parse(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown LDS file {name:?}")))
    }
}

/// The CMS SignedData inside EF.SOD (tag 77), for the passive authentication crate.
pub fn sod_signed_data(sod: &[u8]) -> Result<&[u8], LdsError> {
    let (outer, _) = tlv::parse_one(sod).map_err(|e| LdsError::Tlv("SOD", e))?;
    if outer.tag != 0x77 {
        return Err(LdsError::WrongTag {
            file: "SOD",
            expected: 0x77,
            found: outer.tag,
        });
    }
    Ok(outer.value)
}

/// Wraps CMS SignedData bytes into an EF.SOD file.
pub fn encode_sod(signed_data: &[u8]) -> Vec<u8> {
    tlv::encode(0x77, signed_data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_ids_and_names() {
        for file in FileId::all() {
            assert_eq!(FileId::parse(&file.name()), Some(file));
            if let Some(tag) = file.tag() {
                assert_eq!(FileId::from_tag(tag), Some(file));
            }
        }
        assert_eq!(FileId::Dg(2).fid(), 0x0102);
        assert_eq!(FileId::Com.sfi(), 0x1E);
        assert_eq!(FileId::parse("DG17"), None);
        assert_eq!(
            serde_json::to_string(&FileId::Dg(14)).ok(),
            Some("\"DG14\"".into())
        );
    }
}
