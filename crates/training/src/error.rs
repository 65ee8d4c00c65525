//! Why a session could not be built, read, verified or scored.

use std::path::PathBuf;

/// Everything that can go wrong in training mode. Messages name the file or the item.
#[derive(Debug, thiserror::Error)]
pub enum TrainingError {
    /// A file could not be read or written.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The system's reason.
        source: std::io::Error,
    },
    /// The fixture set could not be read.
    #[error("fixture set: {0}")]
    Fixtures(#[from] tdverify_fixtures::FixtureError),
    /// A JSON file is not what it should be.
    #[error("{what} is not valid: {reason}")]
    Malformed {
        /// Which file or part.
        what: String,
        /// The parser's reason.
        reason: String,
    },
    /// The request itself makes no sense (count 0, prevalence outside 0..=1…).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The fixture set has too few documents of a kind to meet the request.
    #[error(
        "the fixture set cannot meet the request: {needed} {what} needed, {available} available{hint}"
    )]
    NotEnough {
        /// What is short (e.g. "genuine documents").
        what: String,
        /// How many the request needs.
        needed: usize,
        /// How many the set offers after the filters.
        available: usize,
        /// How to get more.
        hint: String,
    },
    /// The session file carries no signature.
    #[error("the session is not signed")]
    Unsigned,
    /// The signature does not verify: the file was changed after signing, or is forged.
    #[error("the session's signature does not verify (the file was changed after signing)")]
    BadSignature,
    /// The signature verifies, but the key is not trusted by this station.
    #[error(
        "the session was signed by an untrusted key ed25519:{key}; an administrator trusts training publishers with `tdverify training trust`"
    )]
    UntrustedSigner {
        /// Hex public key.
        key: String,
    },
    /// An answer names no item of the session, or answers one twice.
    #[error("answers: {0}")]
    BadAnswers(String),
}

impl TrainingError {
    /// An I/O error with the path it concerns.
    pub fn io(
        action: &'static str,
        path: &std::path::Path,
        source: std::io::Error,
    ) -> TrainingError {
        TrainingError::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }

    /// A malformed-input error.
    pub fn malformed(what: impl Into<String>, reason: impl ToString) -> TrainingError {
        TrainingError::Malformed {
            what: what.into(),
            reason: reason.to_string(),
        }
    }

    /// Whether the caller gave bad input (exit code 2) rather than an operation failing.
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            TrainingError::Malformed { .. }
                | TrainingError::InvalidRequest(_)
                | TrainingError::BadAnswers(_)
                | TrainingError::Unsigned
                | TrainingError::BadSignature
                | TrainingError::UntrustedSigner { .. }
        )
    }
}
