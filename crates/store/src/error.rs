//! Errors of the case store.
//!
//! Every variant says what went wrong in words an officer or administrator can act on;
//! I/O errors always carry the path they concern.

use std::path::PathBuf;

/// Everything that can go wrong in the case store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A file-system operation failed (creating the data directory, copying a backup…).
    #[error("{action} {path}: {source}")]
    Io {
        /// What the store was doing.
        action: &'static str,
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// SQLite reported an error that has no more specific variant.
    #[error("database error while {context}: {source}")]
    Database {
        /// What the store was doing.
        context: &'static str,
        /// The underlying error.
        #[source]
        source: rusqlite::Error,
    },
    /// The disk is full: nothing of the failed operation was written; keep the draft in memory.
    #[error(
        "the disk holding the case database is full: nothing was saved, the draft is kept in memory; free some space and save again"
    )]
    DiskFull,
    /// The data directory or database file cannot be written: nothing was saved.
    #[error(
        "the case database at {path} is read-only (read-only directory, file or medium): nothing was saved, the draft is kept in memory"
    )]
    ReadOnly {
        /// The database file.
        path: PathBuf,
    },
    /// The database was written by a newer tdverify; it was left untouched.
    #[error(
        "the case database has schema version {found}, but this program knows only up to version {supported}: use a newer tdverify (the database was not modified)"
    )]
    SchemaTooNew {
        /// Version found in the database.
        found: i64,
        /// Newest version this program understands.
        supported: i64,
    },
    /// The data directory has no store yet (first run).
    #[error("no case store in {0}: initialise it first with an administrator passphrase")]
    NotInitialized(PathBuf),
    /// A store already exists where a new one was to be created.
    #[error("a case store already exists in {0}")]
    AlreadyInitialized(PathBuf),
    /// The station passphrase (or key file) does not unlock the station key.
    #[error("wrong station passphrase")]
    WrongPassphrase,
    /// A passphrase or password was rejected by the policy.
    #[error("password too weak: {0}")]
    WeakPassword(&'static str),
    /// Login failed: unknown user or wrong password (deliberately not saying which).
    #[error("unknown user or wrong password")]
    InvalidCredentials,
    /// Too many failed logins: the account is locked until the given time.
    #[error("account locked after repeated failed logins; try again after {until_utc}")]
    AccountLocked {
        /// Unix seconds when the lock ends.
        until: i64,
        /// The same, as ISO 8601 UTC text.
        until_utc: String,
    },
    /// The account was disabled by an administrator.
    #[error("account disabled")]
    AccountDisabled,
    /// First-run administrator creation was attempted when users already exist.
    #[error("users already exist: the first administrator has already been created")]
    UsersAlreadyExist,
    /// A user name is taken.
    #[error("user name already taken: {0}")]
    UserExists(String),
    /// No such user.
    #[error("no such user: {0}")]
    UnknownUser(String),
    /// The role of the session does not allow this action.
    #[error("permission denied: role {role} may not {action}")]
    PermissionDenied {
        /// Role of the session.
        role: String,
        /// What was attempted.
        action: &'static str,
    },
    /// No case with this id (or it was deleted or purged).
    #[error("no such case: {0}")]
    CaseNotFound(String),
    /// The case can no longer be changed by this user in its current status.
    #[error("case {case_id} is {status} and read-only for you")]
    CaseReadOnly {
        /// The case.
        case_id: String,
        /// Its status.
        status: String,
    },
    /// The requested status change does not exist (e.g. reviewing a draft).
    #[error("case {case_id} is {status}: cannot {action}")]
    InvalidTransition {
        /// The case.
        case_id: String,
        /// Its current status.
        status: String,
        /// What was attempted.
        action: &'static str,
    },
    /// Encrypted data did not authenticate: the database was tampered with or damaged.
    #[error("encrypted data of {what} failed authentication (tampered or damaged)")]
    Decrypt {
        /// Which piece of data.
        what: String,
    },
    /// The operating system random generator failed.
    #[error("random number generator failure")]
    Random,
    /// Stored content could not be decoded (damaged database).
    #[error("damaged stored data: {0}")]
    Corrupt(String),
    /// The period was exported before; exporting it again needs an explicit override.
    #[error(
        "cases opened {from}..{to} were already exported on {created}: each case is exported once per period (an explicit override is audited)"
    )]
    ExportOverlap {
        /// Start of the earlier export's period.
        from: String,
        /// End of the earlier export's period.
        to: String,
        /// When the earlier export was made.
        created: String,
    },
    /// A fraud case cannot be submitted before its context is complete.
    #[error("case {case_id} cannot be submitted: fill in {}", missing.join(", "))]
    IncompleteContext {
        /// The case.
        case_id: String,
        /// The missing fields, by their export record names.
        missing: Vec<String>,
    },
    /// A context value is not allowed (unknown code, bad country).
    #[error("case context: {0}")]
    Context(#[from] crate::context::ContextError),
    /// A caller-supplied argument is invalid.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
}

/// Result type of the store.
pub type StoreResult<T> = Result<T, StoreError>;

impl StoreError {
    /// Wraps a SQLite error, turning disk-full and read-only conditions into their own variants.
    pub(crate) fn db(
        context: &'static str,
        path: &std::path::Path,
    ) -> impl FnOnce(rusqlite::Error) -> StoreError {
        let path = path.to_path_buf();
        move |source| classify_sqlite(context, &path, source)
    }
}

/// Maps SQLite's result codes to the variants the UI shows differently.
pub(crate) fn classify_sqlite(
    context: &'static str,
    path: &std::path::Path,
    source: rusqlite::Error,
) -> StoreError {
    use rusqlite::ffi::ErrorCode;
    if let rusqlite::Error::SqliteFailure(code, _) = &source {
        match code.code {
            ErrorCode::DiskFull => return StoreError::DiskFull,
            // CANTOPEN/PERM come from a write-protected directory (the -wal/-shm files cannot be created).
            ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied => {
                return StoreError::ReadOnly {
                    path: path.to_path_buf(),
                };
            }
            _ => {}
        }
    }
    StoreError::Database { context, source }
}
