//! DG7: displayed signature or usual mark images.

use super::{LdsError, open_template};
use crate::tlv;

/// The signature images (usually one JPEG) of DG7.
pub fn parse(bytes: &[u8]) -> Result<Vec<Vec<u8>>, LdsError> {
    let content = open_template("DG7", bytes, 0x67)?;
    let objects = tlv::parse_all(content).map_err(|e| LdsError::Tlv("DG7", e))?;
    Ok(objects
        .iter()
        .filter(|o| o.tag == 0x5F43)
        .map(|o| o.value.to_vec())
        .collect())
}

/// Encodes DG7 with the given images.
pub fn encode(images: &[Vec<u8>]) -> Vec<u8> {
    let mut children = vec![tlv::encode(0x02, &[images.len().min(255) as u8])];
    children.extend(images.iter().map(|image| tlv::encode(0x5F43, image)));
    tlv::encode_constructed(0x67, &children)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn round_trip() {
        let images = vec![vec![0xFF, 0xD8, 0xFF, 1, 2, 3]];
        assert_eq!(parse(&encode(&images)), Ok(images));
    }

    proptest! {
        #[test]
        fn random_input_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..100)) {
            let _ = parse(&bytes);
            let _ = parse(&tlv::encode(0x67, &bytes));
        }
    }
}
