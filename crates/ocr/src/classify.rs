//! The character classifier: a small CNN (models/ocr/mrz_chars.onnx) that
//! turns each cell's window into probabilities over the 37 MRZ characters.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ort::session::Session;
use ort::value::Tensor;
use serde::Serialize;

use crate::error::OcrError;
use crate::segment::{PATCH_HEIGHT, PATCH_WIDTH};

/// The classifier's classes, in output order (also stored in the model's
/// `charset` metadata).
pub const CHARSET: &str = "<0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// Path of the model inside the models folder.
pub const MODEL_FILE: &str = "ocr/mrz_chars.onnx";
/// Most threads the classifier runs on.
const CLASSIFIER_THREADS: usize = 2;

/// How many candidates per position are kept.
pub const TOP_K: usize = 5;

/// One possible character at one position, with the model's probability.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Candidate {
    /// The character.
    pub character: char,
    /// Its probability, 0..1.
    pub probability: f32,
}

/// The loaded classifier. Load once and share: `read_mrz` takes `&OcrEngine`.
pub struct OcrEngine {
    session: Mutex<Session>,
    model_path: PathBuf,
    /// The line recognizer, in the same ONNX Runtime environment, when its model is there.
    lines: Option<crate::line_recognizer::LineRecognizer>,
}

impl std::fmt::Debug for OcrEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OcrEngine").field("model_path", &self.model_path).finish()
    }
}

/// The `models/` folder of a development tree (overridable with `TDVERIFY_MODELS`).
pub fn default_models_dir() -> PathBuf {
    tdverify_runtime::default_models_dir()
}

impl OcrEngine {
    /// Loads ONNX Runtime from its default place (see
    /// `tdverify_runtime::default_library_path`) and the model from
    /// [`default_models_dir`].
    pub fn load_default() -> Result<OcrEngine, OcrError> {
        OcrEngine::load(&tdverify_runtime::default_library_path(), &default_models_dir())
    }

    /// Loads ONNX Runtime from `onnxruntime_library` (once per process, shared
    /// with the face engine) and `models_dir/ocr/mrz_chars.onnx`.
    pub fn load(onnxruntime_library: &Path, models_dir: &Path) -> Result<OcrEngine, OcrError> {
        let model_path = models_dir.join(MODEL_FILE);
        if !model_path.is_file() {
            return Err(OcrError::ModelMissing { path: model_path });
        }
        let runtime = tdverify_runtime::init_onnxruntime(onnxruntime_library)
            .map_err(|e| OcrError::Runtime { reason: e.to_string() })?;
        let failed = |reason: String| OcrError::Inference { model: MODEL_FILE.to_string(), reason };
        // Classifying the cells is most of a reading's time, and the officer
        // waits for it: both cores of the budget machine (one where there is
        // only one).
        let session = runtime.session(&model_path, CLASSIFIER_THREADS).map_err(|e| failed(e.to_string()))?;
        let lines = crate::line_recognizer::LineRecognizer::load_beside(&runtime, models_dir)?;
        Ok(OcrEngine { session: Mutex::new(session), model_path, lines })
    }

    /// The model file in use.
    pub fn model_path(&self) -> &Path {
        &self.model_path
    }

    /// The line recognizer (models/ocr/mrz_lines.onnx), when its model was found.
    pub fn line_recognizer(&self) -> Option<&crate::line_recognizer::LineRecognizer> {
        self.lines.as_ref()
    }

    /// Classifies `count` patches laid out one after the other
    /// (`PATCH_HEIGHT * PATCH_WIDTH` values each); returns the full
    /// probability vector of each.
    pub fn classify(&self, patches: Vec<f32>, count: usize) -> Result<Vec<Vec<f32>>, OcrError> {
        let classes = CHARSET.chars().count();
        if count == 0 {
            return Ok(Vec::new());
        }
        let failed = |reason: String| OcrError::Inference { model: MODEL_FILE.to_string(), reason };
        if patches.len() != count * PATCH_HEIGHT * PATCH_WIDTH {
            return Err(failed(format!("{} values for {count} patches", patches.len())));
        }
        let tensor = Tensor::from_array(([count, PATCH_HEIGHT, PATCH_WIDTH, 1usize], patches))
            .map_err(|e| failed(e.to_string()))?;
        let mut session = self.session.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let outputs = session.run(ort::inputs![tensor]).map_err(|e| failed(e.to_string()))?;
        if outputs.len() == 0 {
            return Err(failed("no output".to_string()));
        }
        let (shape, values) = outputs[0].try_extract_tensor::<f32>().map_err(|e| failed(e.to_string()))?;
        if shape.len() != 2 || shape[0] as usize != count || shape[1] as usize != classes {
            return Err(failed(format!("unexpected output shape {shape:?}")));
        }
        Ok(values.chunks(classes).map(<[f32]>::to_vec).collect())
    }
}

/// The `k` most probable characters of one probability vector, best first.
pub fn top_candidates(probabilities: &[f32], k: usize) -> Vec<Candidate> {
    let mut all: Vec<Candidate> = CHARSET
        .chars()
        .zip(probabilities.iter())
        .map(|(character, &probability)| Candidate { character, probability })
        .collect();
    all.sort_by(|a, b| b.probability.total_cmp(&a.probability));
    all.truncate(k);
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_candidates_are_sorted_and_truncated() {
        let mut p = vec![0.0f32; 37];
        p[1] = 0.7; // '0'
        p[25] = 0.2; // 'O'
        p[0] = 0.1; // '<'
        let top = top_candidates(&p, 2);
        assert_eq!(top.len(), 2);
        assert_eq!(top[0].character, '0');
        assert_eq!(top[1].character, 'O');
    }

    #[test]
    fn missing_model_is_a_clear_error() {
        let error = OcrEngine::load(Path::new("/nonexistent/lib.so"), Path::new("/nonexistent-models")).err();
        assert!(matches!(error, Some(OcrError::ModelMissing { .. })), "{error:?}");
    }
}
