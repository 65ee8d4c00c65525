//! Image codecs that live outside the domain crates.
//!
//! JPEG 2000 (chip portraits, some scanners) needs OpenCV, which only
//! `tdverify-imaging` links; a domain crate that must encode or decode it (the
//! face evaluation's chip-like portraits) takes a [`Jpeg2000Codec`] from its
//! caller instead of linking OpenCV itself.

use image::DynamicImage;

/// Why a codec failed: the codec's own message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CodecError(pub String);

/// Encodes and decodes JPEG 2000.
pub trait Jpeg2000Codec {
    /// Encodes `image` as a JP2 file at a compression rate in 1/1000
    /// (1000 = lossless, smaller = smaller files).
    fn encode(&self, image: &DynamicImage, rate_x1000: i32) -> Result<Vec<u8>, CodecError>;

    /// Decodes JPEG 2000 bytes (JP2 file or raw codestream).
    fn decode(&self, bytes: &[u8]) -> Result<DynamicImage, CodecError>;
}
