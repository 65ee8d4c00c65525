//! DG2: the encoded face (ICAO 9303-10 biometric information template holding
//! ISO/IEC 19794-5 facial records). The image bytes are extracted here and the
//! format (JPEG or JPEG 2000) is named; decoding the image is the face module's job.

use super::{LdsError, open_template};
use crate::tlv;
use serde::{Deserialize, Serialize};

/// Image encoding of a portrait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImageFormat {
    /// JPEG (JFIF/EXIF), magic FF D8 FF.
    Jpeg,
    /// JPEG 2000, JP2 container or raw codestream.
    Jpeg2000,
    /// Neither signature found.
    Unknown,
}

impl ImageFormat {
    /// Detects the format from the first bytes of the image.
    pub fn sniff(image: &[u8]) -> ImageFormat {
        if image.starts_with(&[0xFF, 0xD8, 0xFF]) {
            ImageFormat::Jpeg
        } else if image.starts_with(&[0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20])
            || image.starts_with(&[0xFF, 0x4F, 0xFF, 0x51])
        {
            ImageFormat::Jpeg2000
        } else {
            ImageFormat::Unknown
        }
    }

    /// ISO/IEC 19794-5 image data type code.
    fn code(self) -> u8 {
        match self {
            ImageFormat::Jpeg2000 => 1,
            _ => 0,
        }
    }
}

/// One portrait from DG2.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaceImage {
    /// Format detected from the image bytes (the header's claim may be wrong).
    pub format: ImageFormat,
    /// Width in pixels as stated in the record header.
    pub width: u16,
    /// Height in pixels as stated in the record header.
    pub height: u16,
    /// The encoded image.
    #[serde(skip)]
    pub image: Vec<u8>,
}

const FACIAL_INFORMATION_LEN: usize = 20;
const IMAGE_INFORMATION_LEN: usize = 12;

fn read_u16(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*bytes.get(at)?, *bytes.get(at + 1)?]))
}

fn read_u32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes([
        *bytes.get(at)?,
        *bytes.get(at + 1)?,
        *bytes.get(at + 2)?,
        *bytes.get(at + 3)?,
    ]))
}

/// Decodes the facial records of one ISO/IEC 19794-5 biometric data block.
fn parse_facial_block(block: &[u8]) -> Result<Vec<FaceImage>, LdsError> {
    let invalid = |why: &str| LdsError::Invalid("DG2", why.to_string());
    if !block.starts_with(b"FAC\0") {
        return Err(invalid(
            "biometric data block is not an ISO/IEC 19794-5 facial record (no FAC header)",
        ));
    }
    let count = read_u16(block, 12).ok_or_else(|| invalid("facial record header truncated"))?;
    let mut faces = Vec::new();
    let mut at = 14usize;
    for _ in 0..count {
        let record_len =
            read_u32(block, at).ok_or_else(|| invalid("facial information truncated"))? as usize;
        let feature_points = usize::from(
            read_u16(block, at + 4).ok_or_else(|| invalid("facial information truncated"))?,
        );
        let info_at = at + FACIAL_INFORMATION_LEN + feature_points * 8;
        let width =
            read_u16(block, info_at + 2).ok_or_else(|| invalid("image information truncated"))?;
        let height =
            read_u16(block, info_at + 4).ok_or_else(|| invalid("image information truncated"))?;
        let image_at = info_at + IMAGE_INFORMATION_LEN;
        let end = at
            .checked_add(record_len)
            .ok_or_else(|| invalid("record length overflows"))?;
        if record_len < image_at - at {
            return Err(invalid("facial record length shorter than its headers"));
        }
        let image = block
            .get(image_at..end)
            .ok_or_else(|| invalid("image data truncated"))?
            .to_vec();
        faces.push(FaceImage {
            format: ImageFormat::sniff(&image),
            width,
            height,
            image,
        });
        at = end;
    }
    Ok(faces)
}

/// Extracts every portrait of DG2.
pub fn parse(bytes: &[u8]) -> Result<Vec<FaceImage>, LdsError> {
    let content = open_template("DG2", bytes, 0x75)?;
    let group = tlv::require(content, 0x7F61).map_err(|e| LdsError::Tlv("DG2", e))?;
    let mut faces = Vec::new();
    for object in tlv::parse_all(group).map_err(|e| LdsError::Tlv("DG2", e))? {
        if object.tag != 0x7F60 {
            continue;
        }
        let block = match tlv::find(object.value, 0x5F2E).map_err(|e| LdsError::Tlv("DG2", e))? {
            Some(block) => block,
            None => tlv::require(object.value, 0x7F2E).map_err(|e| LdsError::Tlv("DG2", e))?,
        };
        faces.extend(parse_facial_block(block)?);
    }
    if faces.is_empty() {
        return Err(LdsError::Invalid("DG2", "no facial image".into()));
    }
    Ok(faces)
}

/// Encodes DG2 with one portrait (minimal 19794-5 record: no feature points,
/// frontal image, unspecified attributes).
pub fn encode(image: &[u8], width: u16, height: u16) -> Vec<u8> {
    let format = ImageFormat::sniff(image);
    let record_len = FACIAL_INFORMATION_LEN + IMAGE_INFORMATION_LEN + image.len();
    let mut block = Vec::with_capacity(14 + record_len);
    block.extend_from_slice(b"FAC\x00010\x00");
    block.extend_from_slice(&((14 + record_len) as u32).to_be_bytes());
    block.extend_from_slice(&1u16.to_be_bytes());
    block.extend_from_slice(&(record_len as u32).to_be_bytes());
    block.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    // Image information: full frontal, data type, size, colour space sRGB, static photo scanner.
    block.extend_from_slice(&[0x01, format.code()]);
    block.extend_from_slice(&width.to_be_bytes());
    block.extend_from_slice(&height.to_be_bytes());
    block.extend_from_slice(&[0x01, 0x02, 0x00, 0x00, 0x00, 0x00]);
    block.extend_from_slice(image);
    // Biometric header template: ICAO header version 0101, type face (02), subtype none, format owner/type.
    let header = tlv::encode_constructed(
        0xA1,
        &[
            tlv::encode(0x80, &[0x01, 0x01]),
            tlv::encode(0x81, &[0x02]),
            tlv::encode(0x87, &[0x01, 0x01]),
            tlv::encode(0x88, &[0x00, 0x08]),
        ],
    );
    let instance = tlv::encode_constructed(0x7F60, &[header, tlv::encode(0x5F2E, &block)]);
    let group = tlv::encode_constructed(0x7F61, &[tlv::encode(0x02, &[1]), instance]);
    tlv::encode(0x75, &group)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn round_trip_jpeg_and_jpeg2000() {
        let jpeg = [&[0xFF, 0xD8, 0xFF, 0xE0][..], &[0x11; 500]].concat();
        let faces = parse(&encode(&jpeg, 480, 640)).expect("valid");
        assert_eq!(faces.len(), 1);
        assert_eq!(faces[0].format, ImageFormat::Jpeg);
        assert_eq!((faces[0].width, faces[0].height), (480, 640));
        assert_eq!(faces[0].image, jpeg);

        let jp2 = [
            &[0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A][..],
            &[0x22; 40],
        ]
        .concat();
        let faces = parse(&encode(&jp2, 10, 20)).expect("valid");
        assert_eq!(faces[0].format, ImageFormat::Jpeg2000);
        assert_eq!(faces[0].image, jp2);
    }

    #[test]
    fn refuses_truncated_records() {
        let mut encoded = encode(&[0xFF, 0xD8, 0xFF, 0x00], 1, 1);
        // Make the facial record claim more image bytes than present.
        let at = encoded
            .windows(4)
            .position(|w| w == b"FAC\0")
            .expect("header")
            + 17;
        encoded[at] = 0xFF;
        assert!(parse(&encoded).is_err());
    }

    proptest! {
        #[test]
        fn random_input_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = parse(&bytes);
            let _ = parse_facial_block(&bytes);
            let mut block = b"FAC\x00010\x00".to_vec();
            block.extend(&bytes);
            let _ = parse_facial_block(&block);
        }
    }
}
