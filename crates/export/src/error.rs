//! Errors of preparing, writing and verifying bundles.

use std::path::{Path, PathBuf};

/// Why an export could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The store refused or failed (permission, overlap, database).
    #[error(transparent)]
    Store(#[from] tdverify_store::StoreError),
    /// `--from`/`--to` are not a valid period.
    #[error("export period: {0}")]
    Period(String),
    /// k below the minimum.
    #[error("k = {k} is too small: at least {min} records must share every combination")]
    KTooSmall {
        /// Requested.
        k: usize,
        /// Minimum.
        min: usize,
    },
    /// The destination folder does not exist (a USB stick not mounted).
    #[error("the destination folder {0} does not exist or is not a folder (is the USB stick mounted?)")]
    Destination(PathBuf),
    /// A file could not be written or read.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A bug: serialising our own types failed.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Maps an I/O error with its action and path.
pub(crate) fn io_error(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> ExportError {
    let path = path.to_path_buf();
    move |source| ExportError::Io { action, path, source }
}
