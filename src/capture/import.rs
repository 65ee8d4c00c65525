//! Opening document images from files (JPEG, PNG, TIFF, BMP, and JPEG 2000 as
//! chips and some scanners produce), with a clear message for anything else.

use std::path::{Path, PathBuf};

use image::DynamicImage;
use tdverify_core::{Capture, CaptureSource, Light};

/// Largest image side accepted (a 600 dpi A4 scan is about 7000 px).
pub const MAX_SIDE: u32 = 20_000;
/// Largest file accepted.
pub const MAX_FILE_BYTES: u64 = 300 * 1024 * 1024;

/// Why an image file could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not an image we can decode, or is damaged.
    #[error("{path} is not a readable image ({reason}); rescan or export it again as PNG, JPEG or TIFF")]
    Undecodable {
        /// The file.
        path: PathBuf,
        /// What the decoder said.
        reason: String,
    },
    /// The image is larger than anything a scanner or camera produces.
    #[error("{path} is too large ({detail}); the limit is {MAX_SIDE} px a side and 300 MB")]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        detail: String,
    },
}

/// Guesses the light from a file name (`…_uv.png`, `IR-scan.jpg`, `white.png`);
/// white when nothing says otherwise. The user can change it in the UI.
pub fn guess_light(path: &Path) -> Light {
    let stem = path.file_stem().map(|s| s.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    let words: Vec<&str> = stem.split(|c: char| !c.is_ascii_alphanumeric()).collect();
    if words.iter().any(|w| matches!(*w, "uv" | "ultraviolet" | "uva" | "365nm")) {
        Light::Uv
    } else if words.iter().any(|w| matches!(*w, "ir" | "infrared" | "nir" | "b900" | "870nm" | "950nm")) {
        Light::Ir
    } else if words.iter().any(|w| matches!(*w, "coax" | "coaxial")) {
        Light::Coaxial
    } else {
        Light::White
    }
}

/// Reads and decodes an image file as a capture under `light`.
pub fn import_file(path: &Path, light: Light) -> Result<Capture, ImportError> {
    let image = decode_file(path)?;
    Ok(Capture { light, image, dpi: None, source: CaptureSource::File(path.to_path_buf()) })
}

/// Decodes an image file, refusing oversized or damaged files with a clear message.
pub fn decode_file(path: &Path) -> Result<DynamicImage, ImportError> {
    let io = |source| ImportError::Io { path: path.to_path_buf(), source };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_FILE_BYTES {
        return Err(ImportError::TooLarge { path: path.to_path_buf(), detail: format!("{} MB", size / 1_000_000) });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    decode_bytes(&bytes).map_err(|reason| match reason {
        DecodeFailure::TooLarge(detail) => ImportError::TooLarge { path: path.to_path_buf(), detail },
        DecodeFailure::Other(reason) => ImportError::Undecodable { path: path.to_path_buf(), reason },
    })
}

enum DecodeFailure {
    TooLarge(String),
    Other(String),
}

fn decode_bytes(bytes: &[u8]) -> Result<DynamicImage, DecodeFailure> {
    if crate::imaging::is_jpeg2000(bytes) {
        return crate::imaging::decode_jpeg2000(bytes).map_err(|e| DecodeFailure::Other(e.to_string()));
    }
    let reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| DecodeFailure::Other(e.to_string()))?;
    let format = reader.format().ok_or_else(|| DecodeFailure::Other("unknown image format".to_owned()))?;
    let (width, height) = reader.into_dimensions().map_err(|e| DecodeFailure::Other(e.to_string()))?;
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(DecodeFailure::TooLarge(format!("{width}×{height} px")));
    }
    let mut decoder = image::ImageReader::with_format(std::io::Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    decoder.limits(limits);
    decoder.decode().map_err(|e| DecodeFailure::Other(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn light_is_guessed_from_words_in_the_name() {
        assert_eq!(guess_light(Path::new("/scans/doc_uv.png")), Light::Uv);
        assert_eq!(guess_light(Path::new("IR-scan.jpg")), Light::Ir);
        assert_eq!(guess_light(Path::new("page-b900.tif")), Light::Ir);
        assert_eq!(guess_light(Path::new("white.png")), Light::White);
        assert_eq!(guess_light(Path::new("irina.png")), Light::White, "a word containing 'ir' is not IR");
    }

    #[test]
    fn damaged_and_foreign_files_get_clear_errors() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("notes.png");
        std::fs::write(&text, b"this is not an image").unwrap();
        let err = import_file(&text, Light::White).unwrap_err();
        assert!(matches!(err, ImportError::Undecodable { .. }), "{err}");

        let mut png = Vec::new();
        DynamicImage::new_rgb8(40, 30).write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
        let truncated = dir.path().join("cut.png");
        std::fs::write(&truncated, &png[..png.len() / 2]).unwrap();
        assert!(import_file(&truncated, Light::White).is_err());

        let missing = import_file(&dir.path().join("nope.jpg"), Light::Uv).unwrap_err();
        assert!(missing.to_string().contains("cannot read"), "{missing}");
    }

    #[test]
    fn a_good_png_imports_with_its_light() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("page_ir.png");
        DynamicImage::new_luma8(64, 48).save(&path).unwrap();
        let capture = import_file(&path, guess_light(&path)).unwrap();
        assert_eq!(capture.light, Light::Ir);
        assert_eq!((capture.image.width(), capture.image.height()), (64, 48));
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut state = 0x2545_f491_u32;
        for len in [0usize, 1, 7, 64, 600] {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 17;
                    state ^= state << 5;
                    state as u8
                })
                .collect();
            let _ = decode_bytes(&bytes);
            let mut with_png_magic = b"\x89PNG\r\n\x1a\n".to_vec();
            with_png_magic.extend(&bytes);
            let _ = decode_bytes(&with_png_magic);
        }
    }
}
