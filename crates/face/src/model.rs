//! One ONNX model loaded into a session that several threads may share.

use std::path::Path;
use std::sync::Mutex;

use ort::session::Session;
use ort::value::Tensor;

use crate::error::FaceError;
use tdverify_runtime::OnnxRuntime;

/// File names of the models in `models/` (see models/MODELS.md).
pub mod files {
    /// MTCNN proposal network.
    pub const PNET: &str = "mtcnn_pnet.onnx";
    /// MTCNN refinement network.
    pub const RNET: &str = "mtcnn_rnet.onnx";
    /// MTCNN output network (boxes and five landmarks).
    pub const ONET: &str = "mtcnn_onet.onnx";
    /// MobileFaceNet embedding (192 values).
    pub const MOBILEFACENET: &str = "mobilefacenet.onnx";
}

/// A float tensor that came out of a model: its shape and values.
#[derive(Debug, Clone)]
pub(crate) struct Output {
    pub shape: Vec<i64>,
    pub values: Vec<f32>,
}

/// A session behind a mutex: `ort` runs take `&mut Session`, the engine is shared.
pub(crate) struct Model {
    name: String,
    session: Mutex<Session>,
}

impl Model {
    /// Loads `dir/file` into a session with at most `threads` intra-op threads.
    pub fn load(
        runtime: &OnnxRuntime,
        dir: &Path,
        file: &str,
        threads: usize,
    ) -> Result<Model, FaceError> {
        let path = dir.join(file);
        if !path.is_file() {
            return Err(FaceError::ModelMissing { path });
        }
        let inference_error = |reason: String| FaceError::Inference {
            model: file.to_string(),
            reason,
        };
        let session = runtime
            .session(&path, threads)
            .map_err(|e| inference_error(e.to_string()))?;
        Ok(Model {
            name: file.to_string(),
            session: Mutex::new(session),
        })
    }

    /// Runs the model on one NHWC float input and returns every output in order.
    pub fn run(&self, shape: [usize; 4], input: Vec<f32>) -> Result<Vec<Output>, FaceError> {
        let inference_error = |reason: String| FaceError::Inference {
            model: self.name.clone(),
            reason,
        };
        let tensor =
            Tensor::from_array((shape, input)).map_err(|e| inference_error(e.to_string()))?;
        let mut session = self
            .session
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let outputs = session
            .run(ort::inputs![tensor])
            .map_err(|e| inference_error(e.to_string()))?;
        let mut result = Vec::with_capacity(outputs.len());
        for index in 0..outputs.len() {
            let (shape, values) = outputs[index]
                .try_extract_tensor::<f32>()
                .map_err(|e| inference_error(e.to_string()))?;
            result.push(Output {
                shape: shape.to_vec(),
                values: values.to_vec(),
            });
        }
        Ok(result)
    }

    /// The model's file name, for error messages.
    pub fn name(&self) -> &str {
        &self.name
    }
}
