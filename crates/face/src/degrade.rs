//! Degraded copies of a face photo for the evaluation: what the comparison
//! really sees at a border.
//!
//! * chip-like: a DG2 portrait, 240×320 and JPEG 2000 at about 12 KB
//!   (encoded and decoded with OpenCV's JPEG 2000 codec, OpenJPEG);
//! * printed-like: the printed portrait photographed off the data page,
//!   about 100×140 px, grey, halftone screen, blur, a slight tilt and strong JPEG.
//!
//! Both are deterministic, so evaluation figures can be reproduced.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, GrayImage, ImageFormat, Luma, imageops};
use opencv::core::Vector;
use opencv::imgcodecs;

use crate::error::FaceError;

/// Size of an ICAO chip portrait as most issuers store it.
pub const CHIP_SIZE: (u32, u32) = (240, 320);
/// Target size of the chip-like JPEG 2000 file in bytes.
pub const CHIP_TARGET_BYTES: usize = 12 * 1024;
/// Size of a printed portrait photographed off the page.
pub const PRINTED_SIZE: (u32, u32) = (100, 140);
/// JPEG quality of the printed-like copy.
pub const PRINTED_JPEG_QUALITY: u8 = 25;

fn opencv_error(error: opencv::Error) -> FaceError {
    FaceError::OpenCv(error.to_string())
}

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

fn encode_png(image: &DynamicImage) -> Result<Vec<u8>, FaceError> {
    let mut bytes = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
        .map_err(|e| FaceError::OpenCv(format!("PNG encoding for OpenCV: {e}")))?;
    Ok(bytes)
}

/// Encodes as JPEG 2000 with OpenCV at a compression rate (`X1000`, 1..=1000).
fn encode_jp2(image: &DynamicImage, rate_x1000: i32) -> Result<Vec<u8>, FaceError> {
    let png = Vector::<u8>::from_slice(&encode_png(image)?);
    let mat = imgcodecs::imdecode(&png, imgcodecs::IMREAD_COLOR).map_err(opencv_error)?;
    let mut out = Vector::<u8>::new();
    let params =
        Vector::<i32>::from_slice(&[imgcodecs::IMWRITE_JPEG2000_COMPRESSION_X1000, rate_x1000]);
    let written = imgcodecs::imencode(".jp2", &mat, &mut out, &params).map_err(opencv_error)?;
    if !written {
        return Err(FaceError::OpenCv(
            "JPEG 2000 encoder refused the image".to_string(),
        ));
    }
    Ok(out.as_slice().to_vec())
}

/// Decodes a JPEG 2000 (or any OpenCV-readable) file into an RGB image.
pub fn decode_with_opencv(bytes: &[u8]) -> Result<DynamicImage, FaceError> {
    let mat = imgcodecs::imdecode(&Vector::<u8>::from_slice(bytes), imgcodecs::IMREAD_COLOR)
        .map_err(opencv_error)?;
    let mut png = Vector::<u8>::new();
    let written =
        imgcodecs::imencode(".png", &mat, &mut png, &Vector::new()).map_err(opencv_error)?;
    if !written {
        return Err(FaceError::OpenCv(
            "could not re-encode the decoded image".to_string(),
        ));
    }
    image::load_from_memory_with_format(png.as_slice(), ImageFormat::Png)
        .map_err(|e| FaceError::OpenCv(format!("decoding OpenCV output: {e}")))
}

/// The chip-like copy and its JPEG 2000 size in bytes: cropped to 3:4,
/// 240×320, JPEG 2000 at the largest rate that fits in about 12 KB.
pub fn chip_like(image: &DynamicImage) -> Result<(DynamicImage, usize), FaceError> {
    let portrait = crop_to_aspect(image, 3, 4).resize_exact(
        CHIP_SIZE.0,
        CHIP_SIZE.1,
        imageops::FilterType::CatmullRom,
    );
    // Binary search of the rate for the largest file not above the target.
    let (mut low, mut high) = (1i32, 1000i32);
    let mut best = encode_jp2(&portrait, low)?;
    while low < high {
        let middle = (low + high + 1) / 2;
        let bytes = encode_jp2(&portrait, middle)?;
        if bytes.len() <= CHIP_TARGET_BYTES {
            low = middle;
            best = bytes;
        } else {
            high = middle - 1;
        }
    }
    let size = best.len();
    Ok((decode_with_opencv(&best)?, size))
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
        .map_err(|e| FaceError::OpenCv(format!("JPEG encoding: {e}")))?;
    let decoded = image::load_from_memory_with_format(&jpeg, ImageFormat::Jpeg)
        .map_err(|e| FaceError::OpenCv(format!("JPEG decoding: {e}")))?;
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

    #[test]
    fn chip_like_is_240_by_320_and_about_12_kb() {
        let (chip, bytes) = chip_like(&pattern()).expect("chip-like");
        assert_eq!((chip.width(), chip.height()), CHIP_SIZE);
        assert!(
            bytes <= CHIP_TARGET_BYTES && bytes > CHIP_TARGET_BYTES / 2,
            "{bytes} bytes"
        );
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
