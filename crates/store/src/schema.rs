//! Database schema and versioned migrations.
//!
//! `schema_version` holds one row per applied migration. A database whose newest version
//! is above [`CURRENT_SCHEMA_VERSION`] was written by a newer program: it is refused before
//! anything is written (it is inspected through a read-only connection first).

use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::path::Path;

use crate::error::{StoreError, StoreResult, classify_sqlite};

/// Newest schema version this program knows.
pub const CURRENT_SCHEMA_VERSION: i64 = 5;

/// Migrations in order; entry `i` brings the schema to version `i + 1`.
const MIGRATIONS: &[&str] = &[
    // Version 1: station keys, users, cases (index columns in clear, personal data sealed),
    // captures, notes, audit chain.
    r#"
    CREATE TABLE station (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        created INTEGER NOT NULL,
        kdf_salt BLOB NOT NULL,
        kdf_memory_kib INTEGER NOT NULL,
        kdf_iterations INTEGER NOT NULL,
        kdf_lanes INTEGER NOT NULL,
        wrapped_station_key BLOB NOT NULL,
        wrapped_hmac_key BLOB NOT NULL,
        retention_days INTEGER,
        audit_head_seq INTEGER NOT NULL DEFAULT 0,
        audit_head_hash BLOB NOT NULL
    );
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL,
        password_salt BLOB NOT NULL,
        password_hash BLOB NOT NULL,
        kdf_memory_kib INTEGER NOT NULL,
        kdf_iterations INTEGER NOT NULL,
        kdf_lanes INTEGER NOT NULL,
        failed_logins INTEGER NOT NULL DEFAULT 0,
        locked_until INTEGER NOT NULL DEFAULT 0,
        active INTEGER NOT NULL DEFAULT 1,
        created INTEGER NOT NULL
    );
    CREATE TABLE cases (
        id TEXT PRIMARY KEY,
        opened INTEGER NOT NULL,
        updated INTEGER NOT NULL,
        officer_id INTEGER NOT NULL REFERENCES users(id),
        status TEXT NOT NULL,
        proposed_verdict TEXT,
        officer_verdict TEXT,
        fraud_type TEXT,
        forgery_methods TEXT NOT NULL DEFAULT '',
        issuing_state TEXT,
        document_code TEXT,
        detection_point TEXT,
        detection_point_type TEXT,
        detection_stage TEXT,
        travel_direction TEXT,
        transport_mode TEXT,
        route_embarkation TEXT,
        route_transits TEXT NOT NULL DEFAULT '',
        route_destination TEXT,
        group_size INTEGER,
        failed_checks TEXT NOT NULL DEFAULT '',
        hotlist_result TEXT,
        conclusion_level TEXT,
        outcome TEXT,
        repeat_document BLOB,
        reviewed_by INTEGER REFERENCES users(id),
        reviewed_at INTEGER,
        wrapped_key BLOB NOT NULL,
        payload BLOB NOT NULL,
        sealed_profile BLOB
    );
    CREATE INDEX cases_opened ON cases(opened DESC);
    CREATE INDEX cases_status_opened ON cases(status, opened DESC);
    CREATE INDEX cases_officer_opened ON cases(officer_id, opened DESC);
    CREATE INDEX cases_state ON cases(issuing_state);
    CREATE INDEX cases_repeat ON cases(repeat_document);
    CREATE TABLE captures (
        case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
        slot INTEGER NOT NULL,
        light TEXT NOT NULL,
        sealed_image BLOB NOT NULL,
        PRIMARY KEY (case_id, slot)
    );
    CREATE TABLE notes (
        case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
        slot INTEGER NOT NULL,
        author_id INTEGER REFERENCES users(id),
        created INTEGER NOT NULL,
        sealed_text BLOB NOT NULL,
        PRIMARY KEY (case_id, slot)
    );
    CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        case_id TEXT,
        detail TEXT NOT NULL,
        prev_hash BLOB NOT NULL,
        hash BLOB NOT NULL
    );
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    "#,
    // Version 2 (DESC export): the station's Ed25519 signing key (private part sealed by the
    // station key, made when the store is first unlocked by a version-2 program), the
    // detection country and area and the documents held, the training flag, the log of
    // exported periods and the smallest k an export may use (an administrator raises it). Existing cases keep NULL context fields and are not training cases.
    r#"
    ALTER TABLE station ADD COLUMN sealed_signing_key BLOB;
    ALTER TABLE station ADD COLUMN signing_public_key BLOB;
    ALTER TABLE station ADD COLUMN export_min_k INTEGER NOT NULL DEFAULT 5;
    ALTER TABLE cases ADD COLUMN detection_country TEXT;
    ALTER TABLE cases ADD COLUMN detection_area TEXT;
    ALTER TABLE cases ADD COLUMN documents_held INTEGER;
    ALTER TABLE cases ADD COLUMN training INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE exports (
        id INTEGER PRIMARY KEY,
        created INTEGER NOT NULL,
        actor TEXT NOT NULL,
        period_from INTEGER NOT NULL,
        period_to INTEGER NOT NULL,
        records INTEGER NOT NULL,
        suppressed INTEGER NOT NULL,
        overlap_override INTEGER NOT NULL,
        manifest_sha256 BLOB NOT NULL
    );
    "#,
    // Version 3 (SLTD and trends): the publishers' keys an administrator trusts (they were
    // a text file beside the hotlist, outside the audit), the hotlist's maximum age and the
    // online SLTD service (endpoint, pinned CA, token sealed by the station key).
    r#"
    CREATE TABLE trusted_keys (
        purpose TEXT NOT NULL,
        public_key BLOB NOT NULL,
        label TEXT NOT NULL,
        added_by TEXT NOT NULL,
        added_at INTEGER NOT NULL,
        PRIMARY KEY (purpose, public_key)
    );
    ALTER TABLE station ADD COLUMN sltd_max_age_days INTEGER NOT NULL DEFAULT 7;
    ALTER TABLE station ADD COLUMN sltd_online_endpoint TEXT;
    ALTER TABLE station ADD COLUMN sltd_online_ca TEXT;
    ALTER TABLE station ADD COLUMN sltd_online_token BLOB;
    "#,
    // Version 4 (the officer's desk): the station's administrator settings that are policy,
    // not secret (the scanner hot folder first), one JSON value per name, readable without
    // the passphrase; every change audited.
    r#"
    CREATE TABLE station_settings (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        changed_by TEXT NOT NULL,
        changed_at INTEGER NOT NULL
    );
    "#,
    // Version 5 (training mode): trainees' runs of practice sessions, kept apart from
    // cases (no case id; never read by the export, trends or case list code), with each
    // item's answer for the trainer's weaknesses view.
    r#"
    CREATE TABLE training_runs (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL,
        session_name TEXT NOT NULL,
        trainee TEXT NOT NULL,
        started INTEGER NOT NULL,
        finished INTEGER NOT NULL,
        recorded INTEGER NOT NULL,
        documents INTEGER NOT NULL,
        answered INTEGER NOT NULL,
        hits INTEGER NOT NULL,
        misses INTEGER NOT NULL,
        false_alarms INTEGER NOT NULL,
        correct_rejections INTEGER NOT NULL,
        hit_rate REAL,
        false_alarm_rate REAL,
        d_prime REAL,
        criterion REAL,
        hotspot_recall REAL,
        mean_seconds REAL,
        face_drills INTEGER NOT NULL,
        face_d_prime REAL,
        score_json TEXT NOT NULL
    );
    CREATE INDEX training_runs_trainee ON training_runs(trainee, finished);
    CREATE INDEX training_runs_session ON training_runs(session_id, finished);
    CREATE TABLE training_answers (
        run_id INTEGER NOT NULL REFERENCES training_runs(id) ON DELETE CASCADE,
        item TEXT NOT NULL,
        face_drill INTEGER NOT NULL,
        truth_fraud_type TEXT,
        truth_forgery_methods TEXT NOT NULL DEFAULT '',
        signal INTEGER NOT NULL,
        verdict TEXT,
        fraud_type TEXT,
        correct INTEGER NOT NULL,
        seconds REAL,
        hotspots INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (run_id, item)
    );
    "#,
];

/// Reads the schema version of an existing database without writing to it.
/// Returns 0 for a database without the version table (fresh file).
pub(crate) fn read_version_read_only(path: &Path) -> StoreResult<i64> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| classify_sqlite("opening the database read-only", path, e))?;
    read_version(&conn).map_err(|e| classify_sqlite("reading the schema version", path, e))
}

/// Whether the database has its station row (initialisation finished), read-only.
pub(crate) fn has_station_read_only(path: &Path) -> StoreResult<bool> {
    if read_version_read_only(path)? == 0 {
        return Ok(false);
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| classify_sqlite("opening the database read-only", path, e))?;
    let rows: i64 = conn
        .query_row("SELECT COUNT(*) FROM station", [], |r| r.get(0))
        .map_err(|e| classify_sqlite("reading the station row", path, e))?;
    Ok(rows > 0)
}

/// The hotlist's maximum age from the station row, read-only and without unlocking (it
/// is policy, not secret: inspections without a passphrase must honour it too). `None`
/// before migration 3 or without a station row.
pub(crate) fn sltd_max_age_read_only(path: &Path) -> StoreResult<Option<i64>> {
    if read_version_read_only(path)? < 3 {
        return Ok(None);
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| classify_sqlite("opening the database read-only", path, e))?;
    conn.query_row("SELECT sltd_max_age_days FROM station WHERE id = 1", [], |r| r.get(0))
        .optional()
        .map_err(|e| classify_sqlite("reading the hotlist policy", path, e))
}

/// One station setting's JSON value, read-only and without unlocking. `None` before
/// migration 4 or when the setting was never made.
pub(crate) fn station_setting_read_only(path: &Path, name: &str) -> StoreResult<Option<String>> {
    if read_version_read_only(path)? < 4 {
        return Ok(None);
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| classify_sqlite("opening the database read-only", path, e))?;
    conn.query_row("SELECT value FROM station_settings WHERE name = ?1", [name], |r| r.get(0))
        .optional()
        .map_err(|e| classify_sqlite("reading a station setting", path, e))
}

/// Newest applied migration, 0 if none.
fn read_version(conn: &Connection) -> rusqlite::Result<i64> {
    let has_table: Option<i64> = conn
        .query_row(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if has_table.is_none() {
        return Ok(0);
    }
    conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_version",
        [],
        |r| r.get(0),
    )
}

/// Brings the schema up to date, each migration in its own transaction.
pub(crate) fn migrate(conn: &mut Connection, path: &Path, now: i64) -> StoreResult<()> {
    let err = |context| move |e| classify_sqlite(context, path, e);
    conn.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)")
        .map_err(err("creating the schema version table"))?;
    let found = read_version(conn).map_err(err("reading the schema version"))?;
    if found > CURRENT_SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            found,
            supported: CURRENT_SCHEMA_VERSION,
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate() {
        let version = i64::try_from(index).unwrap_or(i64::MAX).saturating_add(1);
        if version <= found {
            continue;
        }
        let tx = conn.transaction().map_err(err("starting a migration"))?;
        tx.execute_batch(sql).map_err(err("applying a migration"))?;
        tx.execute(
            "INSERT INTO schema_version (version, applied_at) VALUES (?1, ?2)",
            (version, now),
        )
        .map_err(err("recording a migration"))?;
        tx.commit().map_err(err("committing a migration"))?;
    }
    Ok(())
}

/// Sets the connection options every store connection uses.
pub(crate) fn configure(conn: &Connection, path: &Path) -> StoreResult<()> {
    let err = |e| classify_sqlite("configuring the database connection", path, e);
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(err)?;
    // WAL: readers never block the autosave; FULL: a committed case survives power loss too.
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(err)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Corrupt(format!(
            "could not switch the database to WAL (got {mode})"
        )));
    }
    conn.execute_batch(
        "PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA secure_delete = ON;
         PRAGMA temp_store = MEMORY;",
    )
    .map_err(err)?;
    Ok(())
}
