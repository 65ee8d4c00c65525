//! The ONNX Runtime environment of a tdverify process, and where the models are.
//!
//! `ort` allows exactly one environment per process, so every part of
//! tdverify that runs an ONNX model (faces, MRZ OCR…) goes through
//! [`init_onnxruntime`], which loads the library on first use and hands out
//! the same environment afterwards.
//!
//! This crate is small on purpose: the model users depend on it instead of on
//! each other, so the MRZ reader does not pull in the face pipeline, and
//! nothing here links OpenCV (a test in `tests/dependency_rule.rs` keeps it so).

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// The ONNX Runtime version tdverify is built and tested against.
pub const ONNXRUNTIME_VERSION: &str = "1.31.1";

/// File name of the library as `cargo xtask setup` installs it.
pub const ONNXRUNTIME_LIBRARY_NAME: &str = "libonnxruntime.so.1.31.1";

/// Why ONNX Runtime could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// The ONNX Runtime shared library is missing.
    #[error(
        "ONNX Runtime library not found at {path}: run `cargo xtask setup` or pass the path to libonnxruntime.so.1.31.1"
    )]
    Missing {
        /// Where it was looked for.
        path: PathBuf,
    },
    /// The library exists but could not be loaded (wrong file or version).
    #[error("cannot load ONNX Runtime from {path}: {reason}")]
    Load {
        /// The library file.
        path: PathBuf,
        /// What the loader said.
        reason: String,
    },
    /// A model file could not be made into a session (unreadable, not ONNX,
    /// or an operator this runtime lacks).
    #[error("cannot load the model {path}: {reason}")]
    Session {
        /// The model file.
        path: PathBuf,
        /// What ONNX Runtime said.
        reason: String,
    },
    /// The current folder, needed to make a relative path absolute, is unreadable.
    #[error("finding the current folder for {path}: {source}")]
    CurrentDir {
        /// The relative path asked for.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// A loaded ONNX Runtime: the environment sessions are created in.
///
/// Cheap to clone; keep one for as long as any model is in use.
#[derive(Clone)]
pub struct OnnxRuntime {
    environment: ort::environment::Environment,
    library_path: PathBuf,
}

impl std::fmt::Debug for OnnxRuntime {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("OnnxRuntime")
            .field("library_path", &self.library_path)
            .finish()
    }
}

impl OnnxRuntime {
    /// The environment to build sessions in.
    pub fn environment(&self) -> &ort::environment::Environment {
        &self.environment
    }

    /// The library file that was loaded.
    pub fn library_path(&self) -> &Path {
        &self.library_path
    }

    /// A session of the model at `path` running on at most `max_threads`
    /// intra-op threads, no more than the machine has and at least one. Every
    /// model of tdverify loads through here, so they share one environment
    /// and one rule for threads.
    pub fn session(&self, path: &Path, max_threads: usize) -> Result<ort::session::Session, RuntimeError> {
        let failed = |error: ort::Error| RuntimeError::Session { path: path.to_path_buf(), reason: error.to_string() };
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(max_threads)).max(1);
        ort::session::Session::builder(&self.environment)
            .map_err(failed)?
            .with_intra_threads(threads)
            .map_err(|e| failed(e.into()))?
            .commit_from_file(path)
            .map_err(failed)
    }
}

static RUNTIME: OnceLock<OnnxRuntime> = OnceLock::new();
static INIT_LOCK: Mutex<()> = Mutex::new(());

/// Where the library is in a development tree: `TDVERIFY_ORT_LIB` (or the older
/// `TDVERIFY_ONNXRUNTIME`) when set, else `third_party/onnxruntime/` at the
/// workspace root (put there by `cargo xtask setup`).
pub fn default_library_path() -> PathBuf {
    for variable in ["TDVERIFY_ORT_LIB", "TDVERIFY_ONNXRUNTIME"] {
        if let Some(path) = std::env::var_os(variable).filter(|path| !path.is_empty()) {
            return PathBuf::from(path);
        }
    }
    workspace_root()
        .join("third_party")
        .join("onnxruntime")
        .join(ONNXRUNTIME_LIBRARY_NAME)
}

/// The `models/` folder of a development tree (overridable with `TDVERIFY_MODELS`).
pub fn default_models_dir() -> PathBuf {
    if let Some(path) = std::env::var_os("TDVERIFY_MODELS").filter(|path| !path.is_empty()) {
        return PathBuf::from(path);
    }
    workspace_root().join("models")
}

/// The workspace root, found from this crate's manifest folder at build time
/// (development trees and tests; an installation passes its own paths).
pub fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| manifest.to_path_buf())
}

/// Loads ONNX Runtime from `library_path` (once per process) and returns the
/// shared environment. Later calls return the environment already loaded,
/// whatever path they pass.
///
/// A missing file, a file that is not ONNX Runtime, or a version older than
/// the one `ort` needs gives a [`RuntimeError`] that names the path, never a panic.
pub fn init_onnxruntime(library_path: impl AsRef<Path>) -> Result<OnnxRuntime, RuntimeError> {
    if let Some(runtime) = RUNTIME.get() {
        return Ok(runtime.clone());
    }
    let _guard = INIT_LOCK
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(runtime) = RUNTIME.get() {
        return Ok(runtime.clone());
    }
    let requested = library_path.as_ref();
    let absolute = if requested.is_absolute() {
        requested.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|source| RuntimeError::CurrentDir {
                path: requested.to_path_buf(),
                source,
            })?
            .join(requested)
    };
    if !absolute.is_file() {
        return Err(RuntimeError::Missing { path: absolute });
    }
    let load_error = |reason: String| RuntimeError::Load {
        path: absolute.clone(),
        reason,
    };
    let environment = ort::init_from(&absolute)
        .map_err(|error| load_error(error.to_string()))?
        .with_name("tdverify")
        .build()
        .map_err(|error| load_error(error.to_string()))?;
    let runtime = OnnxRuntime {
        environment,
        library_path: absolute,
    };
    Ok(RUNTIME.get_or_init(|| runtime).clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_library_is_a_clear_error() {
        // Only meaningful before the real library is loaded in this process.
        if RUNTIME.get().is_some() {
            return;
        }
        match init_onnxruntime("/nonexistent/libonnxruntime.so.1.31.1") {
            Err(error @ RuntimeError::Missing { .. }) => {
                assert!(error.to_string().contains("cargo xtask setup"), "{error}");
            }
            // Another test of this process loaded the real library meanwhile.
            Ok(_) if RUNTIME.get().is_some() => {}
            other => panic!("expected Missing, got {other:?}"),
        }
    }

    #[test]
    fn a_file_that_is_not_onnxruntime_is_a_clear_error() {
        if RUNTIME.get().is_some() {
            return;
        }
        let path = std::env::temp_dir().join(format!(
            "tdverify-runtime-test-not-a-library-{}.so",
            std::process::id()
        ));
        std::fs::write(&path, b"this is not a shared library").expect("write temp file");
        let result = init_onnxruntime(&path);
        let _ = std::fs::remove_file(&path);
        match result {
            Err(RuntimeError::Load { reason, .. }) => assert!(!reason.is_empty()),
            Ok(_) if RUNTIME.get().is_some() => {}
            other => panic!("expected Load, got {other:?}"),
        }
    }

    #[test]
    fn loads_the_pinned_library_once() {
        let path = default_library_path();
        if !path.is_file() {
            tdverify_core::test_data::missing_project_piece(
                format!("ONNX Runtime at {}", path.display()),
                "run cargo xtask setup",
            );
        }
        let first = init_onnxruntime(&path).expect("load ONNX Runtime");
        let second = init_onnxruntime("/some/other/path").expect("already loaded");
        assert_eq!(first.library_path(), second.library_path());
    }

    #[test]
    fn the_development_tree_holds_the_models() {
        let root = workspace_root();
        assert!(root.join("Cargo.toml").is_file(), "{}", root.display());
        if std::env::var_os("TDVERIFY_MODELS").is_none() {
            assert!(default_models_dir().join("ocr").is_dir());
        }
    }
}
