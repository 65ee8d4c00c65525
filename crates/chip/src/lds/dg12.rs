//! DG12: additional document details (issuing authority, date of issue...).

use super::{LdsError, open_template, text};
use crate::tlv;
use serde::{Deserialize, Serialize};

/// Decoded DG12 (the image fields 5F1D/5F1E are kept only as sizes).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dg12 {
    /// Issuing authority (5F19).
    pub issuing_authority: Option<String>,
    /// Date of issue YYYYMMDD (5F26).
    pub date_of_issue: Option<String>,
    /// Endorsements and observations (5F1B).
    pub endorsements: Option<String>,
    /// Tax or exit requirements (5F1C).
    pub tax_exit_requirements: Option<String>,
    /// Date and time of personalisation YYYYMMDDhhmmss (5F55).
    pub personalization_time: Option<String>,
    /// Serial number of the personalisation system (5F56).
    pub personalization_device: Option<String>,
}

const FIELDS: [u32; 6] = [0x5F19, 0x5F26, 0x5F1B, 0x5F1C, 0x5F55, 0x5F56];

impl Dg12 {
    fn slot(&mut self, tag: u32) -> Option<&mut Option<String>> {
        Some(match tag {
            0x5F19 => &mut self.issuing_authority,
            0x5F26 => &mut self.date_of_issue,
            0x5F1B => &mut self.endorsements,
            0x5F1C => &mut self.tax_exit_requirements,
            0x5F55 => &mut self.personalization_time,
            0x5F56 => &mut self.personalization_device,
            _ => return None,
        })
    }

    /// Parses DG12 bytes.
    pub fn parse(bytes: &[u8]) -> Result<Dg12, LdsError> {
        let content = open_template("DG12", bytes, 0x6C)?;
        let mut dg12 = Dg12::default();
        for object in tlv::parse_all(content).map_err(|e| LdsError::Tlv("DG12", e))? {
            if let Some(slot) = dg12.slot(object.tag) {
                *slot = Some(text(object.value));
            }
        }
        Ok(dg12)
    }

    /// Encodes DG12 with its tag list.
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
        children.insert(0, tlv::encode(0x5C, &tags));
        tlv::encode_constructed(0x6C, &children)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn round_trip() {
        let dg12 = Dg12 {
            issuing_authority: Some("UTOPIA TEST AUTHORITY".into()),
            date_of_issue: Some("20240101".into()),
            ..Dg12::default()
        };
        assert_eq!(Dg12::parse(&dg12.encode()), Ok(dg12));
    }

    proptest! {
        #[test]
        fn random_input_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..100)) {
            let _ = Dg12::parse(&bytes);
            let _ = Dg12::parse(&tlv::encode(0x6C, &bytes));
        }
    }
}
