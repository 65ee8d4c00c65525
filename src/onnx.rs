//! ONNX Runtime, as the doctor reports it. Loading itself happens once per
//! process in `tdverify_runtime` (ort allows a single environment), which
//! every model user (faces, MRZ OCR) shares.

use std::path::{Path, PathBuf};

/// The loaded runtime: its version and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnnxRuntime {
    /// Version reported by the library itself (`1.31.1`).
    pub version: String,
    /// The library file.
    pub path: PathBuf,
}

/// Loads ONNX Runtime from `path` (once per process) and reports its version.
pub fn init(path: &Path) -> Result<OnnxRuntime, String> {
    let runtime = tdverify_runtime::init_onnxruntime(path)
        .map_err(|e| format!("{e}; run `cargo xtask setup`, or set TDVERIFY_ORT_LIB to libonnxruntime.so.1.31.1"))?;
    let path = runtime.library_path().to_path_buf();
    let version = library_version(&path).unwrap_or_else(|| "unknown version".to_owned());
    Ok(OnnxRuntime { version, path })
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
