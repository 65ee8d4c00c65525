//! Where things live in the repository and in the build.

use std::path::{Path, PathBuf};

/// The repository root (the folder of the workspace Cargo.toml).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."))
}

/// The bundled reference library of document templates (the evaluation tools' default).
#[cfg(feature = "tools")]
pub fn reference_library() -> PathBuf {
    root().join("reference-library")
}

/// Git-ignored folder for things set-up fetches (ONNX Runtime).
pub fn third_party() -> PathBuf {
    root().join("third_party")
}

/// The ONNX Runtime shared library set-up extracts from the pinned wheel.
pub fn onnxruntime_library() -> PathBuf {
    third_party().join("onnxruntime").join(crate::setup::ORT_LIBRARY_FILE)
}

/// Git-ignored folder for generated fixtures, screenshots and reports.
pub fn out() -> PathBuf {
    root().join("out")
}

/// The generated default fixture set.
pub fn generated_fixtures() -> PathBuf {
    out().join("fixtures")
}

/// Cargo's target directory, honouring CARGO_TARGET_DIR.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => root().join("target"),
    }
}
