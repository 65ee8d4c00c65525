//! Image codecs the `image` crate lacks, through OpenCV: JPEG 2000 (chip
//! portraits, some scanners).
//!
//! This is the one crate of the workspace that links OpenCV: the domain crates
//! (face, OCR, inspection) stay free of it and take a
//! [`tdverify_core::codec::Jpeg2000Codec`] ([`OpenCvJpeg2000`]) where they
//! need one.

use image::DynamicImage;
use opencv::core::{Mat, Vector};
use opencv::prelude::*;
use tdverify_core::codec::{CodecError, Jpeg2000Codec};

/// Why OpenCV could not encode or decode an image.
#[derive(Debug, thiserror::Error)]
pub enum ImagingError {
    /// OpenCV reported an error.
    #[error("OpenCV: {0}")]
    OpenCv(#[from] opencv::Error),
    /// The data decoded to nothing (not JPEG 2000, or damaged).
    #[error("OpenCV could not decode the JPEG 2000 data")]
    Undecodable,
    /// The encoder refused the image.
    #[error("the JPEG 2000 encoder refused the image")]
    EncoderRefused,
    /// A decoded image has a layout this crate does not convert.
    #[error("unsupported JPEG 2000 image: {0}")]
    Unsupported(String),
}

/// The OpenCV JPEG 2000 codec, for the crates that take a [`Jpeg2000Codec`].
#[derive(Debug, Clone, Copy, Default)]
pub struct OpenCvJpeg2000;

impl Jpeg2000Codec for OpenCvJpeg2000 {
    fn encode(&self, image: &DynamicImage, rate_x1000: i32) -> Result<Vec<u8>, CodecError> {
        encode_jpeg2000(image, rate_x1000).map_err(|e| CodecError(e.to_string()))
    }

    fn decode(&self, bytes: &[u8]) -> Result<DynamicImage, CodecError> {
        decode_jpeg2000(bytes).map_err(|e| CodecError(e.to_string()))
    }
}

/// Whether the bytes start like a JPEG 2000 file (JP2 box or raw codestream).
pub fn is_jpeg2000(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x00, 0x00, 0x00, 0x0c, b'j', b'P', b' ', b' '])
        || bytes.starts_with(&[0xff, 0x4f, 0xff, 0x51])
}

/// Decodes JPEG 2000 bytes to an RGB (or grey) image.
pub fn decode_jpeg2000(bytes: &[u8]) -> Result<DynamicImage, ImagingError> {
    let buffer = Vector::<u8>::from_slice(bytes);
    let mat = opencv::imgcodecs::imdecode(&buffer, opencv::imgcodecs::IMREAD_UNCHANGED)?;
    mat_to_image(&mat)
}

/// Encodes an image as JPEG 2000 (JP2) at a compression ratio in 1/1000
/// (OpenCV's IMWRITE_JPEG2000_COMPRESSION_X1000: 1000 = lossless).
pub fn encode_jpeg2000(
    image: &DynamicImage,
    compression_x1000: i32,
) -> Result<Vec<u8>, ImagingError> {
    let rgb = image.to_rgb8();
    let (width, height) = rgb.dimensions();
    let mut bgr: Vec<u8> = Vec::with_capacity(rgb.len());
    for pixel in rgb.pixels() {
        bgr.extend_from_slice(&[pixel[2], pixel[1], pixel[0]]);
    }
    let flat = Mat::from_slice(&bgr)?;
    let mat = flat.reshape(3, height as i32)?;
    debug_assert_eq!(mat.cols(), width as i32);
    let mut out = Vector::<u8>::new();
    let params = Vector::<i32>::from_slice(&[
        opencv::imgcodecs::IMWRITE_JPEG2000_COMPRESSION_X1000,
        compression_x1000,
    ]);
    if !opencv::imgcodecs::imencode(".jp2", &mat, &mut out, &params)? {
        return Err(ImagingError::EncoderRefused);
    }
    Ok(out.to_vec())
}

/// The OpenCV version string (for `tdverify doctor`).
pub fn opencv_version() -> String {
    opencv::core::get_version_string().unwrap_or_else(|e| format!("unknown ({e})"))
}

fn mat_to_image(mat: &Mat) -> Result<DynamicImage, ImagingError> {
    if mat.empty() {
        return Err(ImagingError::Undecodable);
    }
    let (width, height) = (mat.cols() as u32, mat.rows() as u32);
    let mat = if mat.depth() == opencv::core::CV_8U {
        mat.clone()
    } else {
        let mut converted = Mat::default();
        mat.convert_to(&mut converted, opencv::core::CV_8U, 1.0 / 256.0, 0.0)?;
        converted
    };
    let mat = if mat.is_continuous() {
        mat
    } else {
        mat.try_clone()?
    };
    let data = mat.data_bytes()?.to_vec();
    match mat.channels() {
        1 => image::GrayImage::from_raw(width, height, data).map(DynamicImage::ImageLuma8),
        3 => image::RgbImage::from_raw(
            width,
            height,
            data.chunks_exact(3)
                .flat_map(|p| [p[2], p[1], p[0]])
                .collect(),
        )
        .map(DynamicImage::ImageRgb8),
        4 => image::RgbaImage::from_raw(
            width,
            height,
            data.chunks_exact(4)
                .flat_map(|p| [p[2], p[1], p[0], p[3]])
                .collect(),
        )
        .map(DynamicImage::ImageRgba8),
        n => return Err(ImagingError::Unsupported(format!("{n} channels"))),
    }
    .ok_or_else(|| ImagingError::Unsupported("its size does not match its data".to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jpeg2000_round_trips_through_opencv() {
        let image = DynamicImage::ImageRgb8(image::RgbImage::from_fn(48, 64, |x, y| {
            image::Rgb([(x * 5) as u8, (y * 4) as u8, 128])
        }));
        let bytes = encode_jpeg2000(&image, 1000).unwrap();
        assert!(is_jpeg2000(&bytes));
        let back = decode_jpeg2000(&bytes).unwrap().to_rgb8();
        assert_eq!(back.dimensions(), (48, 64));
        assert_eq!(
            back.get_pixel(10, 20),
            &image::Rgb([50, 80, 128]),
            "lossless mode must keep pixels"
        );
    }

    #[test]
    fn damaged_jpeg2000_is_an_error() {
        let mut bytes = vec![0x00, 0x00, 0x00, 0x0c, b'j', b'P', b' ', b' '];
        bytes.extend_from_slice(&[0u8; 100]);
        assert!(decode_jpeg2000(&bytes).is_err());
    }

    #[test]
    fn the_codec_trait_makes_lossy_files_smaller() {
        let image = DynamicImage::ImageRgb8(image::RgbImage::from_fn(120, 160, |x, y| {
            image::Rgb([(x * 2) as u8, (y * 3 % 256) as u8, ((x * y) % 256) as u8])
        }));
        let codec: &dyn Jpeg2000Codec = &OpenCvJpeg2000;
        let lossless = codec.encode(&image, 1000).expect("lossless");
        let lossy = codec.encode(&image, 20).expect("lossy");
        assert!(
            lossy.len() * 4 < lossless.len(),
            "{} vs {} bytes",
            lossy.len(),
            lossless.len()
        );
        let back = codec.decode(&lossy).expect("decode");
        assert_eq!((back.width(), back.height()), (120, 160));
        assert!(codec.decode(b"not an image").is_err());
    }

    #[test]
    fn the_face_evaluation_chip_like_portrait_is_about_12_kb() {
        use tdverify_face::degrade::{CHIP_SIZE, CHIP_TARGET_BYTES, chip_like};
        let pattern = DynamicImage::ImageRgb8(image::RgbImage::from_fn(300, 300, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x * y) % 256) as u8])
        }));
        let (chip, bytes) = chip_like(&pattern, &OpenCvJpeg2000).expect("chip-like");
        assert_eq!((chip.width(), chip.height()), CHIP_SIZE);
        assert!(
            bytes <= CHIP_TARGET_BYTES && bytes > CHIP_TARGET_BYTES / 2,
            "{bytes} bytes"
        );
    }
}
