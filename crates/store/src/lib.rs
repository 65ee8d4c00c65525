//! tdverify-store: the encrypted local case store.
//!
//! One SQLite file (WAL, foreign keys, `secure_delete`, `synchronous=FULL`) in a data
//! directory given by the caller. Cases keep non-personal index columns in clear (list,
//! filters, anonymised export) and everything personal — the inspection JSON, captures,
//! notes, the holder profile — sealed with AES-256-GCM under a per-case key wrapped by the
//! station key. The station key is unlocked from the administrator's station passphrase
//! with Argon2id (see `crypto.rs` for why a passphrase rather than a key file). Users log in
//! with Argon2id-hashed passwords and get a [`Session`]; every call checks its [`Role`].
//! Every action is appended, in the same transaction, to a SHA-256 hash-chained audit log.
//!
//! Start-up: [`Store::exists`] → first run: [`Store::initialize`] + [`Store::create_first_admin`];
//! otherwise [`Store::open`]. Then [`Store::login`] (UI) or [`Store::station_session`]
//! (scripted CLI with `TDVERIFY_PASSPHRASE`). On start, [`Store::purge_expired`] applies retention.
//!
//! | role | may |
//! |---|---|
//! | Officer | create cases; see, edit, annotate and submit own drafts; see own cases; ask the online SLTD service |
//! | Expert | as Officer, plus see, edit, reclassify and annotate any case in any status; review others' cases |
//! | Supervisor | see and annotate all cases; review others' cases; export (only role, not even the station session) |
//! | Trainer | nothing on real cases (training uses fixtures); build and sign training sessions, see every trainee's training results |
//! | Auditor | read and verify the audit log |
//! | Admin | users, retention, delete cases, backup, trusted keys, SLTD hotlist and online service, station settings (hot folder) |
//! | station session | everything (the passphrase decrypts every case anyway) |
//!
//! CLI contract: `cases list --json` → [`Store::list_case_entries`] (`[CaseListEntry]`:
//! `case_id, status, opened, verdict`); `cases show ID --json` → [`Store::open_case`] then
//! [`Case::to_view`]; `audit verify` → [`Store::verify_audit`], exit non-zero unless
//! [`AuditReport::intact`]; `backup` → [`Store::backup`]; `restore` → [`Store::restore`].

#![warn(missing_docs)]

mod admin;
mod audit;
mod cases;
pub mod context;
mod crypto;
mod error;
mod export;
mod list;
mod maintenance;
mod roles;
mod schema;
mod station_settings;
mod store;
#[cfg(test)]
mod test_support;
pub mod time;
mod training;
mod trust;
mod users;

pub use admin::{AuditFilter, AuditPage, StoreSummary};
pub use audit::{AuditAction, AuditEntry, AuditProblem, AuditProblemKind, AuditReport};
pub use cases::{
    CaptureSummary, Case, CaseDraft, CaseMetadata, CaseStatus, CaseView,
    Classification, DocumentIdentity, HolderProfile, Note, StoredCapture,
};
pub use crypto::KdfParams;
pub use error::{StoreError, StoreResult};
pub use context::{CaseContext, ContextError, ContextUpdate};
pub use export::{MIN_EXPORT_K, CaseExportRecord, ExportExclusions, ExportSeal, ExportSelection, PastExport};
pub use list::{CaseFilter, CaseListEntry, CasePage, CaseRow, PageRequest};
pub use maintenance::{BackupReport, PurgeReport};
pub use roles::{Permission, Role, Session};
pub use schema::CURRENT_SCHEMA_VERSION;
pub use station_settings::HotFolderSetting;
pub use store::{DATABASE_FILE_NAME, MIN_PASSWORD_CHARS, Store, StoreOptions, database_path};
pub use training::{
    TRAINING_SIGNATURE_CONTEXT, TrainingAnswerRow, TrainingClassRow, TrainingRunInput,
    TrainingRunRow, TrainingWeakness,
};
pub use trust::{DEFAULT_SLTD_MAX_AGE_DAYS, KeyPurpose, OnlineQueryOutcome, SltdOnlineConfig, TrustedKey};
pub use users::{
    LOCKOUT_BASE_SECONDS, LOCKOUT_MAX_SECONDS, LOCKOUT_THRESHOLD, UserInfo, lockout_seconds,
};
