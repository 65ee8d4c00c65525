//! DG2 portraits as images for the screen and the face module: JPEG through the
//! `image` crate, JPEG 2000 (common in chips) through OpenCV.

use image::DynamicImage;
use tdverify_chip::lds::dg2::{self, ImageFormat};

/// One decoded chip portrait.
#[derive(Debug, Clone)]
pub struct ChipPortrait {
    /// JPEG or JPEG 2000, as stored.
    pub format: ImageFormat,
    /// Size of the stored image in bytes.
    pub stored_bytes: usize,
    /// The pixels.
    pub image: DynamicImage,
}

/// Decodes every portrait in DG2; an undecodable one is an error naming its format.
pub fn decode_portraits(dg2_bytes: &[u8]) -> Result<Vec<ChipPortrait>, String> {
    let faces = dg2::parse(dg2_bytes).map_err(|e| format!("DG2 is malformed: {e}"))?;
    faces
        .into_iter()
        .map(|face| {
            let image = match face.format {
                ImageFormat::Jpeg2000 => crate::imaging::decode_jpeg2000(&face.image).map_err(|e| format!("JPEG 2000 portrait: {e}"))?,
                _ => image::load_from_memory(&face.image).map_err(|e| format!("{:?} portrait: {e}", face.format))?,
            };
            Ok(ChipPortrait { format: face.format, stored_bytes: face.image.len(), image })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chip_session::fixtures::{ChipCase, FixtureSet};
    use tdverify_chip::lds::FileId;

    #[test]
    fn jpeg_and_jpeg2000_portraits_decode() {
        let set = FixtureSet::generate().expect("fixtures");
        for (case, format) in [(ChipCase::Genuine, ImageFormat::Jpeg), (ChipCase::GenuineJpeg2000, ImageFormat::Jpeg2000)] {
            let dataset = set.dataset(case).expect("dataset");
            let portraits = decode_portraits(dataset.files.get(&FileId::Dg(2)).expect("DG2")).expect("decodes");
            assert_eq!(portraits.len(), 1);
            assert_eq!(portraits[0].format, format);
            assert_eq!((portraits[0].image.width(), portraits[0].image.height()), (300, 400));
        }
    }

    #[test]
    fn garbage_dg2_is_an_error() {
        assert!(decode_portraits(&[0x75, 0x03, 0x01, 0x02]).is_err());
    }
}
