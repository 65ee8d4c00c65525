//! DG11: additional personal details (full name in national characters,
//! place of birth, address...). Names are compared with the MRZ by the lead.

use super::{LdsError, open_template, text};
use crate::tlv;
use serde::{Deserialize, Serialize};

/// Decoded DG11; every field is optional on the chip.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dg11 {
    /// Full name, primary and secondary identifiers separated by "<<" (5F0E).
    pub full_name: Option<String>,
    /// Other names (5F0F, inside A0 templates or direct).
    pub other_names: Vec<String>,
    /// Personal number (5F10).
    pub personal_number: Option<String>,
    /// Full date of birth YYYYMMDD (5F2B).
    pub full_date_of_birth: Option<String>,
    /// Place of birth, fields separated by '<' (5F11).
    pub place_of_birth: Option<String>,
    /// Permanent address (5F42).
    pub address: Option<String>,
    /// Telephone (5F12).
    pub telephone: Option<String>,
    /// Profession (5F13).
    pub profession: Option<String>,
    /// Title (5F14).
    pub title: Option<String>,
    /// Personal summary (5F15).
    pub personal_summary: Option<String>,
    /// Other valid travel document numbers (5F17).
    pub other_travel_documents: Option<String>,
    /// Custody information (5F18).
    pub custody_information: Option<String>,
}

const FIELDS: [u32; 11] = [
    0x5F0E, 0x5F10, 0x5F2B, 0x5F11, 0x5F42, 0x5F12, 0x5F13, 0x5F14, 0x5F15, 0x5F17, 0x5F18,
];

impl Dg11 {
    fn slot(&mut self, tag: u32) -> Option<&mut Option<String>> {
        Some(match tag {
            0x5F0E => &mut self.full_name,
            0x5F10 => &mut self.personal_number,
            0x5F2B => &mut self.full_date_of_birth,
            0x5F11 => &mut self.place_of_birth,
            0x5F42 => &mut self.address,
            0x5F12 => &mut self.telephone,
            0x5F13 => &mut self.profession,
            0x5F14 => &mut self.title,
            0x5F15 => &mut self.personal_summary,
            0x5F17 => &mut self.other_travel_documents,
            0x5F18 => &mut self.custody_information,
            _ => return None,
        })
    }

    /// Parses DG11 bytes.
    pub fn parse(bytes: &[u8]) -> Result<Dg11, LdsError> {
        let content = open_template("DG11", bytes, 0x6B)?;
        let mut dg11 = Dg11::default();
        for object in tlv::parse_all(content).map_err(|e| LdsError::Tlv("DG11", e))? {
            match object.tag {
                0x5F0F => dg11.other_names.push(text(object.value)),
                0xA0 => {
                    for inner in object.children().map_err(|e| LdsError::Tlv("DG11", e))? {
                        if inner.tag == 0x5F0F {
                            dg11.other_names.push(text(inner.value));
                        }
                    }
                }
                tag => {
                    if let Some(slot) = dg11.slot(tag) {
                        *slot = Some(text(object.value));
                    }
                }
            }
        }
        Ok(dg11)
    }

    /// Encodes DG11 with a tag list of the fields present.
    pub fn encode(&self) -> Vec<u8> {
        let mut copy = self.clone();
        let mut tags = Vec::new();
        let mut children = Vec::new();
        for tag in FIELDS {
            if let Some(Some(value)) = copy.slot(tag).map(|slot| slot.take()) {
                tags.extend(tlv::tag_bytes(tag));
                children.push(tlv::encode(tag, value.as_bytes()));
            }
        }
        if !self.other_names.is_empty() {
            tags.push(0xA0);
            let mut names = vec![tlv::encode(0x02, &[self.other_names.len().min(255) as u8])];
            names.extend(
                self.other_names
                    .iter()
                    .map(|n| tlv::encode(0x5F0F, n.as_bytes())),
            );
            children.push(tlv::encode_constructed(0xA0, &names));
        }
        children.insert(0, tlv::encode(0x5C, &tags));
        tlv::encode_constructed(0x6B, &children)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn round_trip_with_national_characters() {
        let dg11 = Dg11 {
            full_name: Some("ERIKSSON<<ANNA MARIA ÅSA".into()),
            other_names: vec!["ANNA ERIKSDOTTER".into()],
            full_date_of_birth: Some("19740812".into()),
            place_of_birth: Some("ZENITH<UTOPIA".into()),
            ..Dg11::default()
        };
        assert_eq!(Dg11::parse(&dg11.encode()), Ok(dg11));
    }

    proptest! {
        #[test]
        fn random_input_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..100)) {
            let _ = Dg11::parse(&bytes);
            let _ = Dg11::parse(&tlv::encode(0x6B, &bytes));
        }
    }
}
