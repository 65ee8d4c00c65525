//! DG14: SecurityInfos for chip authentication (and PACE/AA parameters).

use super::security_infos::{self, SecurityInfo};
use super::{LdsError, open_template};
use crate::tlv;

/// Parses DG14 into its SecurityInfos.
pub fn parse(bytes: &[u8]) -> Result<Vec<SecurityInfo>, LdsError> {
    let content = open_template("DG14", bytes, 0x6E)?;
    security_infos::parse(content).map_err(|e| LdsError::Tlv("DG14", e))
}

/// Encodes DG14.
pub fn encode(infos: &[SecurityInfo]) -> Vec<u8> {
    tlv::encode(0x6E, &security_infos::encode(infos))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex::h;
    use proptest::prelude::*;

    #[test]
    fn round_trip() {
        let infos = vec![SecurityInfo::ChipAuthentication {
            protocol: h("04007F00070202030202"),
            version: 1,
            key_id: None,
        }];
        assert_eq!(parse(&encode(&infos)), Ok(infos));
    }

    proptest! {
        #[test]
        fn random_input_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..100)) {
            let _ = parse(&bytes);
            let _ = parse(&tlv::encode(0x6E, &bytes));
        }
    }
}
