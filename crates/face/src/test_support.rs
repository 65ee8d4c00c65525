//! Shared set-up of the tests that run the real models.

use std::path::PathBuf;
use std::sync::OnceLock;

use crate::engine::FaceEngine;
use crate::runtime::default_library_path;

/// The engine, loaded once per test process; `None` (with a note) when ONNX Runtime is not installed.
pub(crate) fn engine() -> Option<&'static FaceEngine> {
    static ENGINE: OnceLock<Option<FaceEngine>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            if !default_library_path().is_file() {
                eprintln!(
                    "skipping: ONNX Runtime missing at {} (run cargo xtask setup)",
                    default_library_path().display()
                );
                return None;
            }
            Some(
                FaceEngine::load_default(None)
                    .expect("ONNX Runtime is installed, so the face models must load"),
            )
        })
        .as_ref()
}

/// The development face set (`../shared/faces/london` beside the work tree, or `TDVERIFY_FACES`).
pub(crate) fn london_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("TDVERIFY_FACES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            crate::runtime::workspace_root()
                .parent()
                .map(|p| p.join("shared/faces/london"))
                .unwrap_or_default()
        });
    if dir.join("002_neutral.jpg").is_file() {
        Some(dir)
    } else {
        eprintln!("skipping: face set not found at {}", dir.display());
        None
    }
}
