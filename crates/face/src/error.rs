//! Errors of the face pipeline.

use std::path::PathBuf;

/// Everything that can go wrong while loading models or comparing faces.
///
/// A face that is simply not there is not an error: detection returns no
/// faces and comparison reports `no_face`.
#[derive(Debug, thiserror::Error)]
pub enum FaceError {
    /// ONNX Runtime is missing or could not be loaded.
    #[error(transparent)]
    Runtime(#[from] tdverify_runtime::RuntimeError),
    /// A model file is missing.
    #[error("face model not found at {path}: the models/ folder of the installation is incomplete")]
    ModelMissing {
        /// The model file.
        path: PathBuf,
    },
    /// ONNX Runtime refused a model or failed while running it.
    #[error("ONNX Runtime error in {model}: {reason}")]
    Inference {
        /// Which model (file name).
        model: String,
        /// What ONNX Runtime said.
        reason: String,
    },
    /// A model produced output of an unexpected shape (wrong model file).
    #[error("model {model} produced unexpected output: {detail}")]
    ModelOutput {
        /// Which model.
        model: String,
        /// What was wrong.
        detail: String,
    },
    /// An image file could not be read or decoded.
    #[error("cannot read image {path}: {reason}")]
    Image {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// Reading or writing a file failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done ("reading", "listing"…).
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Making a degraded copy failed (the caller's JPEG 2000 codec, or
    /// re-encoding for the printed-like copy).
    #[error("degrading an image: {0}")]
    Degrade(String),
    /// The evaluation set is unusable (no genuine pairs, no images…).
    #[error("evaluation set {path}: {detail}")]
    EvalSet {
        /// The folder.
        path: PathBuf,
        /// What is wrong with it.
        detail: String,
    },
}
