//! Shared set-up of the tests that run the real models.

use std::sync::OnceLock;

use tdverify_core::test_data;

use crate::engine::FaceEngine;
use tdverify_runtime::default_library_path;

/// The engine, loaded once per test process. ONNX Runtime and the models are
/// the project's own (`cargo xtask setup`), so a missing one fails the test.
pub(crate) fn engine() -> &'static FaceEngine {
    static ENGINE: OnceLock<Option<FaceEngine>> = OnceLock::new();
    let loaded = ENGINE.get_or_init(|| {
        default_library_path().is_file().then(|| {
            FaceEngine::load_default(None)
                .expect("ONNX Runtime is installed, so the face models must load")
        })
    });
    match loaded {
        Some(engine) => engine,
        None => test_data::missing_project_piece(
            format!("ONNX Runtime at {}", default_library_path().display()),
            "run cargo xtask setup",
        ),
    }
}
