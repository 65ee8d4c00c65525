//! EF.COM: LDS and Unicode versions and the list of data groups present.

use super::{FileId, LdsError, open_template, text};
use crate::tlv;
use serde::{Deserialize, Serialize};

/// Decoded EF.COM.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Com {
    /// LDS version "aabb" (e.g. "0107" for 1.7).
    pub lds_version: String,
    /// Unicode version "aabbcc".
    pub unicode_version: String,
    /// Files listed as present.
    pub files: Vec<FileId>,
}

impl Com {
    /// Parses EF.COM bytes.
    pub fn parse(bytes: &[u8]) -> Result<Com, LdsError> {
        let content = open_template("COM", bytes, 0x60)?;
        let lds_version = tlv::find(content, 0x5F01)
            .map_err(|e| LdsError::Tlv("COM", e))?
            .map(text)
            .unwrap_or_default();
        let unicode_version = tlv::find(content, 0x5F36)
            .map_err(|e| LdsError::Tlv("COM", e))?
            .map(text)
            .unwrap_or_default();
        let list = tlv::require(content, 0x5C).map_err(|e| LdsError::Tlv("COM", e))?;
        let files = list
            .iter()
            .filter_map(|tag| FileId::from_tag(u32::from(*tag)))
            .collect();
        Ok(Com {
            lds_version,
            unicode_version,
            files,
        })
    }

    /// Encodes EF.COM.
    pub fn encode(&self) -> Vec<u8> {
        let tags: Vec<u8> = self
            .files
            .iter()
            .filter_map(|f| f.tag())
            .filter_map(|t| u8::try_from(t).ok())
            .collect();
        tlv::encode_constructed(
            0x60,
            &[
                tlv::encode(0x5F01, self.lds_version.as_bytes()),
                tlv::encode(0x5F36, self.unicode_version.as_bytes()),
                tlv::encode(0x5C, &tags),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex::h;
    use proptest::prelude::*;

    #[test]
    fn parses_icao_appendix_d_com() {
        // The EF.COM read in ICAO 9303-11 Appendix D.4.
        let com = Com::parse(&h("60145F0104303130365F36063034303030305C026175")).expect("valid");
        assert_eq!(com.lds_version, "0106");
        assert_eq!(com.unicode_version, "040000");
        assert_eq!(com.files, vec![FileId::Dg(1), FileId::Dg(2)]);
        assert_eq!(
            com.encode(),
            h("60145F0104303130365F36063034303030305C026175")
        );
    }

    proptest! {
        #[test]
        fn random_input_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = Com::parse(&bytes);
            let _ = Com::parse(&tlv::encode(0x60, &bytes));
        }
    }
}
