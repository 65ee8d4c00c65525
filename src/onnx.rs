//! Loading the ONNX Runtime shared library once per process.
//!
//! `ort` is built with `load-dynamic`: the library set-up extracted from the
//! pinned PyPI wheel is opened by absolute path here, early, so a missing or
//! wrong-version library gives a clear message instead of a panic later.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Why ONNX Runtime could not be loaded.
#[derive(Debug, Clone, thiserror::Error)]
pub enum OnnxRuntimeError {
    /// The library file is not there.
    #[error("ONNX Runtime library not found at {0}; run `cargo xtask setup`, or set TDVERIFY_ORT_LIB to libonnxruntime.so.1.31.1")]
    Missing(PathBuf),
    /// The library could not be opened or is too old for this build.
    #[error("ONNX Runtime at {path} cannot be used: {message}")]
    Unusable {
        /// The library file.
        path: PathBuf,
        /// What went wrong (dlopen error, version mismatch).
        message: String,
    },
}

/// The loaded runtime: its version and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnnxRuntime {
    /// Version as reported by the library's build info (`1.31.1`).
    pub version: String,
    /// The library file.
    pub path: PathBuf,
}

static LOADED: OnceLock<Result<OnnxRuntime, OnnxRuntimeError>> = OnceLock::new();
static ENVIRONMENT: OnceLock<ort::environment::Environment> = OnceLock::new();

/// Loads ONNX Runtime from `path` once; later calls return the first outcome.
pub fn init(path: &Path) -> Result<OnnxRuntime, OnnxRuntimeError> {
    LOADED.get_or_init(|| load(path)).clone()
}

fn load(path: &Path) -> Result<OnnxRuntime, OnnxRuntimeError> {
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    if !path.exists() {
        return Err(OnnxRuntimeError::Missing(path));
    }
    let unusable = |message: String| OnnxRuntimeError::Unusable { path: path.clone(), message };
    let builder = ort::init_from(&path).map_err(|e| unusable(e.to_string()))?;
    let environment = builder.with_name("tdverify").build().map_err(|e| unusable(e.to_string()))?;
    let _ = ENVIRONMENT.set(environment);
    tracing::debug!(build_info = ort::info(), "ONNX Runtime loaded");
    let version = library_version(&path).unwrap_or_else(|| "unknown version".to_owned());
    Ok(OnnxRuntime { version, path })
}

/// Loads without touching the process-wide state (tests of the error paths).
#[cfg(test)]
pub(crate) fn load_for_test(path: &Path) -> Result<OnnxRuntime, OnnxRuntimeError> {
    if !path.exists() {
        return Err(OnnxRuntimeError::Missing(path.to_path_buf()));
    }
    load(path)
}

/// Asks the library itself for its version (`OrtGetApiBase()->GetVersionString()`);
/// `ort` checks compatibility but does not expose the string.
fn library_version(path: &Path) -> Option<String> {
    // SAFETY: the library was already opened by `ort` (dlopen returns the same
    // handle); OrtGetApiBase and GetVersionString are part of ONNX Runtime's
    // stable C ABI, take no arguments and return a static NUL-terminated string.
    unsafe {
        let library = libloading::Library::new(path).ok()?;
        let api_base: libloading::Symbol<unsafe extern "C" fn() -> *const ort::sys::OrtApiBase> =
            library.get(b"OrtGetApiBase").ok()?;
        let base = api_base();
        if base.is_null() {
            return None;
        }
        let version = ((*base).GetVersionString)();
        if version.is_null() {
            return None;
        }
        std::ffi::CStr::from_ptr(version).to_str().ok().map(str::to_owned)
    }
}
