//! Errors of the trends library: why an import was refused, why a query cannot be
//! answered, and I/O or database failures with their path.

use std::path::{Path, PathBuf};

use tdverify_export::VerifyError;

/// Why a trends operation failed. An import refusal names its reason so the analyst
/// knows whether to ask the station again (tampered, incomplete) or the administrator
/// (untrusted key).
#[derive(Debug, thiserror::Error)]
pub enum TrendsError {
    /// The bundle is signed by a key nobody trusted: the reason names the key so the
    /// administrator can check it with the station before trusting it.
    #[error(
        "untrusted station key {key} (station {station}): add it to the trusted station keys after checking it with the station"
    )]
    UntrustedKey {
        /// The bundle's key, `ed25519:HEX`.
        key: String,
        /// The station id the bundle claims.
        station: String,
    },
    /// The bundle failed verification (tampered, incomplete, below k…).
    #[error("refused: {0}")]
    Refused(#[from] VerifyError),
    /// A bundle changed on disk while it was being imported.
    #[error("refused: {0} changed while it was being imported")]
    Changed(String),
    /// The station's own records are not what an export would write.
    #[error("own records: {0}")]
    OwnRecords(String),
    /// A filter, dimension or period given by the user is not valid.
    #[error("{0}")]
    Input(String),
    /// The trusted-keys text has a bad line.
    #[error("trusted station keys, line {line}: {problem}")]
    TrustedKeys {
        /// 1-based line.
        line: usize,
        /// What is wrong.
        problem: String,
    },
    /// The analysis database failed.
    #[error("trends database {path}: {source}")]
    Database {
        /// The SQLite file.
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// A file could not be read or written.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// Writing a demo bundle failed.
    #[error(transparent)]
    Export(#[from] tdverify_export::ExportError),
    /// A bug in this crate (a serialisation of our own types failed).
    #[error("internal error: {0}")]
    Internal(String),
    /// The world map asset is damaged, altered or not a map: the map view cannot be
    /// drawn, the other views still work.
    #[error("world map {path}: {problem}")]
    WorldMap {
        /// The asset (or where the embedded copy came from).
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
}

impl TrendsError {
    /// A stable code for scripts and the GUI's refusal list (the same words as
    /// `tdverify export verify` for verification failures).
    pub fn reason_code(&self) -> &'static str {
        match self {
            TrendsError::UntrustedKey { .. } => "untrusted_key",
            TrendsError::Refused(error) => match error {
                VerifyError::Unreadable { .. } => "unreadable",
                VerifyError::Manifest(_) => "manifest",
                VerifyError::BadSignature => "bad_signature",
                VerifyError::WrongKey { .. } => "wrong_key",
                VerifyError::HashMismatch(_) => "hash_mismatch",
                VerifyError::Files(_) => "files",
                VerifyError::Schema { .. } => "schema",
                VerifyError::Counts(_) => "counts",
                VerifyError::BelowK { .. } => "below_k",
            },
            TrendsError::Changed(_) => "changed",
            TrendsError::OwnRecords(_) => "own_records",
            TrendsError::Input(_) => "input",
            TrendsError::TrustedKeys { .. } => "trusted_keys",
            TrendsError::Database { .. } => "database",
            TrendsError::Io { .. } => "io",
            TrendsError::Export(_) => "export",
            TrendsError::Internal(_) => "internal",
            TrendsError::WorldMap { .. } => "world_map",
        }
    }
}

/// Maps an I/O error with its action and path.
pub(crate) fn io_error(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> TrendsError {
    let path = path.to_path_buf();
    move |source| TrendsError::Io { action, path, source }
}

/// Maps an SQLite error with the database's path.
pub(crate) fn db_error(path: &Path) -> impl FnOnce(rusqlite::Error) -> TrendsError {
    let path = path.to_path_buf();
    move |source| TrendsError::Database { path, source }
}
