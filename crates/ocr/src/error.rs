//! Everything that can stop an MRZ from being read off an image.

use std::path::PathBuf;

/// Why no reading came out of an image.
///
/// [`OcrError::NoMrzFound`] is its own variant because the CLI maps it to a
/// distinct exit code (3): the image was fine, it just shows no MRZ.
#[derive(Debug, thiserror::Error)]
pub enum OcrError {
    /// The image was examined and holds nothing that looks like an MRZ.
    #[error("no MRZ found in the image: {reason}")]
    NoMrzFound {
        /// What the locator saw (or did not).
        reason: String,
    },
    /// Too few pixels to hold a readable MRZ.
    #[error("image too small to hold an MRZ: {width}x{height} pixels")]
    ImageTooSmall {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// More pixels than the reader accepts (protects memory and time).
    #[error("image too large: {width}x{height} pixels (at most {max_pixels} pixels)")]
    ImageTooLarge {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
        /// The limit.
        max_pixels: u64,
    },
    /// The character model file is not where it was expected.
    #[error("MRZ character model not found at {path}")]
    ModelMissing {
        /// Where it was looked for.
        path: PathBuf,
    },
    /// ONNX Runtime could not be loaded.
    #[error("ONNX Runtime could not be loaded: {reason}")]
    Runtime {
        /// The loader's message.
        reason: String,
    },
    /// The model could not be loaded or run.
    #[error("MRZ character model {model} failed: {reason}")]
    Inference {
        /// The model file name.
        model: String,
        /// ONNX Runtime's message.
        reason: String,
    },
    /// A file could not be read or written.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done ("reading", "listing"…).
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// An image file could not be decoded.
    #[error("decoding image {path}: {reason}")]
    Decode {
        /// The file.
        path: PathBuf,
        /// The decoder's message.
        reason: String,
    },
    /// Ground truth for an evaluation could not be understood.
    #[error("ground truth {path}: {reason}")]
    GroundTruth {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
}
