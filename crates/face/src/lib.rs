//! Face comparison for tdverify: is the printed portrait the chip's portrait,
//! and is the bearer the person the document was issued to?
//!
//! Pipeline: [`detect`] (MTCNN, five landmarks) → [`align`] (similarity
//! transform to the 112×112 template) → [`embed`] (MobileFaceNet) →
//! [`compare`] (cosine similarity → match / review / no-match with measured
//! error rates), plus [`quality`] warnings per image. [`FaceEngine`] loads the
//! ONNX models once through `tdverify_runtime::init_onnxruntime`, which the
//! rest of the program uses too. [`eval`] measures the error rates on a folder of
//! identities; [`degrade`] makes chip-like and printed-like copies for it.

pub mod align;
pub mod checks;
pub mod cli;
pub mod compare;
pub mod degrade;
pub mod detect;
pub mod embed;
pub mod engine;
pub mod error;
pub mod eval;
pub mod ghost;
mod model;
pub mod quality;

pub use checks::{CHECK_IDS, FaceSource, RETAKE_BEARER_PHOTO, comparison_check, quality_checks};
pub use compare::{CALIBRATED, Decision, OperatingPoint, Thresholds};
pub use detect::{FaceDetection, Landmarks, Point};
pub use embed::Embedding;
pub use engine::{Comparison, EngineConfig, FaceAnalysis, FaceEngine, load_image};
pub use error::FaceError;
pub use model::files as model_files;
pub use quality::{QualityReport, QualityWarning};

#[cfg(test)]
pub(crate) mod test_support;
