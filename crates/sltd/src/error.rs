//! Errors of reading, verifying and importing hotlist bundles.

use std::path::PathBuf;

/// Why a bundle or the station's copy could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SltdError {
    /// A file could not be read or written.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// Not a hotlist bundle, or a damaged one.
    #[error("not a valid hotlist bundle: {0}")]
    Format(String),
    /// The signature does not verify: the bundle was changed or signed by someone else.
    #[error("the hotlist bundle's signature does not verify (changed after signing, or not signed by its stated key)")]
    BadSignature,
    /// The signer's key is not one the administrator trusts.
    #[error("the hotlist bundle is signed by key {0}, which this station does not trust (an administrator adds it with `tdverify sltd trust KEY`)")]
    UntrustedSigner(String),
    /// The bundle is older than the copy in use.
    #[error("the bundle is as of {bundle}, older than the copy in use (as of {current}); nothing was changed")]
    Older {
        /// The bundle's as-of date.
        bundle: String,
        /// The copy in use.
        current: String,
    },
    /// A bad argument.
    #[error("{0}")]
    Invalid(String),
}

pub(crate) fn io_error(action: &'static str, path: &std::path::Path) -> impl FnOnce(std::io::Error) -> SltdError {
    let path = path.to_path_buf();
    move |source| SltdError::Io { action, path, source }
}
