//! Degraded copies of a face photo for the evaluation: what the comparison
//! really sees at a border.
//!
//! * chip-like: a DG2 portrait, 240×320 and JPEG 2000 at about 12 KB
//!   (through the caller's [`Jpeg2000Codec`]: `tdverify_imaging::OpenCvJpeg2000`,
//!   so that this crate does not link OpenCV);
//! * printed-like: the printed portrait photographed off the data page,
//!   about 100×140 px, grey, halftone screen, blur, a slight tilt and strong JPEG.
//!
//! Both are deterministic, so evaluation figures can be reproduced.

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, GrayImage, ImageFormat, Luma, imageops};
pub use tdverify_core::codec::Jpeg2000Codec;

use crate::error::FaceError;

/// Size of an ICAO chip portrait as most issuers store it.
pub const CHIP_SIZE: (u32, u32) = (240, 320);
/// Target size of the chip-like JPEG 2000 file in bytes.
pub const CHIP_TARGET_BYTES: usize = 12 * 1024;
/// Size of a printed portrait photographed off the page.
pub const PRINTED_SIZE: (u32, u32) = (100, 140);
/// JPEG quality of the printed-like copy.
pub const PRINTED_JPEG_QUALITY: u8 = 25;

/// The centre of the image cropped to the portrait aspect `w:h`.
pub fn crop_to_aspect(image: &DynamicImage, w: u32, h: u32) -> DynamicImage {
    let (width, height) = (image.width(), image.height());
    if width == 0 || height == 0 || w == 0 || h == 0 {
        return image.clone();
    }
    if u64::from(width) * u64::from(h) > u64::from(height) * u64::from(w) {
        let new_width = ((u64::from(height) * u64::from(w)) / u64::from(h)).max(1) as u32;
        image.crop_imm((width - new_width) / 2, 0, new_width, height)
    } else {
        let new_height = ((u64::from(width) * u64::from(h)) / u64::from(w)).max(1) as u32;
        image.crop_imm(0, (height - new_height) / 2, width, new_height)
    }
}

/// The chip-like copy and its JPEG 2000 size in bytes: cropped to 3:4,
/// 240×320, JPEG 2000 (through `codec`) at the largest rate that fits in about 12 KB.
pub fn chip_like(
    image: &DynamicImage,
    codec: &dyn Jpeg2000Codec,
) -> Result<(DynamicImage, usize), FaceError> {
    let encode = |portrait: &DynamicImage, rate: i32| {
        codec
            .encode(portrait, rate)
            .map_err(|e| FaceError::Degrade(format!("JPEG 2000 encoding: {e}")))
    };
    let portrait = crop_to_aspect(image, 3, 4).resize_exact(
        CHIP_SIZE.0,
        CHIP_SIZE.1,
        imageops::FilterType::CatmullRom,
    );
    // Binary search of the rate for the largest file not above the target.
    let (mut low, mut high) = (1i32, 1000i32);
    let mut best = encode(&portrait, low)?;
    while low < high {
        let middle = (low + high + 1) / 2;
        let bytes = encode(&portrait, middle)?;
        if bytes.len() <= CHIP_TARGET_BYTES {
            low = middle;
            best = bytes;
        } else {
            high = middle - 1;
        }
    }
    let size = best.len();
    let decoded = codec
        .decode(&best)
        .map_err(|e| FaceError::Degrade(format!("JPEG 2000 decoding: {e}")))?;
    Ok((DynamicImage::ImageRgb8(decoded.to_rgb8()), size))
}

/// A small deterministic pseudo-random generator (xorshift) for noise and tilt.
struct Noise(u64);

impl Noise {
    fn next_unit(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 40) as f32 / (1u64 << 24) as f32
    }
}

/// Rotates a grey image about its centre by `degrees`, filling with paper white.
fn rotate(grey: &GrayImage, degrees: f32) -> GrayImage {
    let (w, h) = grey.dimensions();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let (sin, cos) = degrees.to_radians().sin_cos();
    GrayImage::from_fn(w, h, |x, y| {
        let (dx, dy) = (x as f32 - cx, y as f32 - cy);
        let (sx, sy) = (cos * dx + sin * dy + cx, -sin * dx + cos * dy + cy);
        if sx < 0.0 || sy < 0.0 || sx >= w as f32 - 1.0 || sy >= h as f32 - 1.0 {
            return Luma([235]);
        }
        let (x0, y0) = (sx.floor() as u32, sy.floor() as u32);
        let (fx, fy) = (sx - x0 as f32, sy - y0 as f32);
        let at = |x: u32, y: u32| f32::from(grey.get_pixel(x, y).0[0]);
        let top = at(x0, y0) * (1.0 - fx) + at(x0 + 1, y0) * fx;
        let bottom = at(x0, y0 + 1) * (1.0 - fx) + at(x0 + 1, y0 + 1) * fx;
        Luma([(top * (1.0 - fy) + bottom * fy).round().clamp(0.0, 255.0) as u8])
    })
}

/// The printed-like copy: grey, halftone-screened at twice the final size,
/// tilted by 1.5–3.5° (sign and size from `seed`), blurred, shrunk to
/// 100×140 and saved as JPEG at quality 25.
pub fn printed_like(image: &DynamicImage, seed: u64) -> Result<DynamicImage, FaceError> {
    let mut noise = Noise(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let (w, h) = (PRINTED_SIZE.0 * 3, PRINTED_SIZE.1 * 3);
    let grey = crop_to_aspect(image, PRINTED_SIZE.0, PRINTED_SIZE.1)
        .resize_exact(w, h, imageops::FilterType::Triangle)
        .to_luma8();
    // Printing: tone compressed to paper and ink, a 45° amplitude-modulated dot screen, paper grain.
    let period = 4.0f32;
    let screened = GrayImage::from_fn(w, h, |x, y| {
        let value = f32::from(grey.get_pixel(x, y).0[0]) / 255.0;
        let (u, v) = (
            (x as f32 + y as f32) / std::f32::consts::SQRT_2,
            (x as f32 - y as f32) / std::f32::consts::SQRT_2,
        );
        let screen = 0.5
            + 0.25
                * ((std::f32::consts::TAU * u / period).cos()
                    + (std::f32::consts::TAU * v / period).cos());
        let ink = if value > screen { 1.0 } else { 0.0 };
        let mixed = 0.55 * ink + 0.45 * value;
        let grain = (noise.next_unit() - 0.5) * 0.12;
        Luma([((0.08 + 0.84 * mixed + grain) * 255.0)
            .round()
            .clamp(0.0, 255.0) as u8])
    });
    let tilt = (1.5 + 2.0 * noise.next_unit()) * if noise.next_unit() < 0.5 { -1.0 } else { 1.0 };
    let tilted = rotate(&screened, tilt);
    let blurred = imageops::blur(&tilted, 1.6);
    let small = imageops::resize(
        &blurred,
        PRINTED_SIZE.0,
        PRINTED_SIZE.1,
        imageops::FilterType::Triangle,
    );
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, PRINTED_JPEG_QUALITY)
        .encode_image(&small)
        .map_err(|e| FaceError::Degrade(format!("JPEG encoding: {e}")))?;
    let decoded = image::load_from_memory_with_format(&jpeg, ImageFormat::Jpeg)
        .map_err(|e| FaceError::Degrade(format!("JPEG decoding: {e}")))?;
    Ok(DynamicImage::ImageRgb8(decoded.to_rgb8()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage};

    fn pattern() -> DynamicImage {
        DynamicImage::ImageRgb8(RgbImage::from_fn(300, 300, |x, y| {
            Rgb([(x % 256) as u8, (y % 256) as u8, ((x * y) % 256) as u8])
        }))
    }

    /// A stand-in codec whose files grow by 20 bytes per rate step and carry the
    /// image size, so the rate search can be checked without OpenCV (the real
    /// codec's figures are tested in `tdverify-imaging`).
    struct SizedByRate;

    impl Jpeg2000Codec for SizedByRate {
        fn encode(
            &self,
            image: &DynamicImage,
            rate_x1000: i32,
        ) -> Result<Vec<u8>, tdverify_core::codec::CodecError> {
            let mut bytes = vec![0u8; rate_x1000 as usize * 20];
            bytes[..4].copy_from_slice(&image.width().to_le_bytes());
            bytes[4..8].copy_from_slice(&image.height().to_le_bytes());
            Ok(bytes)
        }

        fn decode(&self, bytes: &[u8]) -> Result<DynamicImage, tdverify_core::codec::CodecError> {
            let word = |at: usize| {
                u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
            };
            Ok(DynamicImage::ImageLuma8(GrayImage::new(word(0), word(4))))
        }
    }

    #[test]
    fn chip_like_is_240_by_320_at_the_largest_rate_under_12_kb() {
        let (chip, bytes) = chip_like(&pattern(), &SizedByRate).expect("chip-like");
        assert_eq!((chip.width(), chip.height()), CHIP_SIZE);
        // 614 × 20 = 12 280 bytes fits in 12 288; 615 × 20 does not.
        assert_eq!(bytes, 614 * 20);
        assert!(chip.as_rgb8().is_some(), "the chip-like copy is colour");
    }

    #[test]
    fn a_codec_failure_is_an_error_not_a_panic() {
        struct Refuses;
        impl Jpeg2000Codec for Refuses {
            fn encode(
                &self,
                _: &DynamicImage,
                _: i32,
            ) -> Result<Vec<u8>, tdverify_core::codec::CodecError> {
                Err(tdverify_core::codec::CodecError("refused".into()))
            }
            fn decode(&self, _: &[u8]) -> Result<DynamicImage, tdverify_core::codec::CodecError> {
                Err(tdverify_core::codec::CodecError("refused".into()))
            }
        }
        let error = chip_like(&pattern(), &Refuses).expect_err("the codec refuses");
        assert!(error.to_string().contains("refused"), "{error}");
    }

    #[test]
    fn printed_like_is_small_grey_and_deterministic() {
        let first = printed_like(&pattern(), 3).expect("printed-like");
        let second = printed_like(&pattern(), 3).expect("printed-like");
        assert_eq!((first.width(), first.height()), PRINTED_SIZE);
        assert_eq!(first.to_rgb8(), second.to_rgb8());
        let rgb = first.to_rgb8();
        let greyish = rgb
            .pixels()
            .all(|p| p.0[0].abs_diff(p.0[1]) < 12 && p.0[1].abs_diff(p.0[2]) < 12);
        assert!(greyish);
    }

    #[test]
    fn aspect_crop_handles_degenerate_sizes() {
        let tiny = DynamicImage::ImageRgb8(RgbImage::new(1, 1));
        let cropped = crop_to_aspect(&tiny, 3, 4);
        assert!(cropped.width() >= 1 && cropped.height() >= 1);
        assert_eq!(crop_to_aspect(&pattern(), 3, 4).width(), 225);
    }
}
