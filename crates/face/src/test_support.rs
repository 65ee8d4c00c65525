//! Shared set-up of the tests that run the real models.

use std::path::PathBuf;
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

/// The development face set (`../shared/faces/london` beside the work tree, or
/// `TDVERIFY_FACES`); outside the repository, so its absence is a skip unless
/// `TDVERIFY_REQUIRE_DATA` is set.
#[track_caller]
pub(crate) fn london_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("TDVERIFY_FACES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            tdverify_runtime::workspace_root()
                .parent()
                .map(|p| p.join("shared/faces/london"))
                .unwrap_or_default()
        });
    if dir.join("002_neutral.jpg").is_file() {
        Some(dir)
    } else {
        test_data::skip_or_fail(format!(
            "face set not found at {} (../shared/faces/london beside the checkout, or set TDVERIFY_FACES)",
            dir.display()
        ));
        None
    }
}
