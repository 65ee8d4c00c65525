//! The trends database: `<data-dir>/trends.sqlite`, its own SQLite file. The analysis
//! copy can always be rebuilt from the bundles, and it must never touch the audited,
//! encrypted case store (other stations' records are not cases of this station, and an
//! analyst's imports are not audit events), so it lives beside the store, not in it.
//!
//! Tables: `bundles` (one row per imported bundle, or per own-cases import: the bundle
//! id is the SHA-256 of its signed `manifest.json`, so re-importing the same bundle adds
//! nothing) and `records` (the DESC fields, lists `|`-joined). Each import is one
//! transaction. Views are answered from the column cache ([`crate::columns`]) loaded
//! at open and extended on import.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use tdverify_export::{
    DEFAULT_K, DescRecord, MIN_K, Manifest, Period, format_public_key, parse_public_key, verify_bundle,
};

use crate::alerts::{AlertReport, alerts};
use crate::columns::{Columns, RowIn};
use crate::dimension::{Dimension, route_key};
use crate::error::{TrendsError, db_error, io_error};
use crate::filter::Filter;
use crate::view::{Grid, Ranking, View, grid, ranking, view};

/// The database's file name in the data folder.
pub const DATABASE_FILE: &str = "trends.sqlite";

/// A station key the analyst trusts, with a label to name it by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedKey {
    /// Who it is (the station, as the administrator wrote it).
    pub label: String,
    /// The Ed25519 public key, 32 bytes.
    pub key: Vec<u8>,
}

/// Parses the trusted-stations text: one `label ed25519:HEX` per line; blank lines and
/// `#` comments are skipped. A bad line is an error naming it (a silently dropped key
/// would refuse a good bundle later without saying why).
pub fn parse_trusted_keys(text: &str) -> Result<Vec<TrustedKey>, TrendsError> {
    let mut keys = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (label, key) = match line.rsplit_once(char::is_whitespace) {
            Some((label, key)) => (label.trim(), key),
            None => ("", line),
        };
        let key = parse_public_key(key).ok_or_else(|| TrendsError::TrustedKeys {
            line: index + 1,
            problem: format!("{key:?} is not an Ed25519 key (ed25519: and 64 hex characters)"),
        })?;
        keys.push(TrustedKey { label: label.to_string(), key });
    }
    Ok(keys)
}

/// Options of the analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrendsOptions {
    /// The smallest k the views apply, whatever the bundles say (never below
    /// [`MIN_K`]). The views use the larger of this and every imported bundle's k, so a
    /// region that exports with k = 10 is never shown at 5.
    pub min_k: usize,
}

impl Default for TrendsOptions {
    fn default() -> TrendsOptions {
        TrendsOptions { min_k: DEFAULT_K }
    }
}

/// One imported bundle (or own-cases import).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BundleInfo {
    /// SHA-256 of `manifest.json` (hex), or `own:STATION:PERIOD` for the station's own cases.
    pub bundle_id: String,
    /// Station id.
    pub station_id: String,
    /// Label of the trusted key that signed it (empty for own cases).
    pub key_label: String,
    /// `YYYY-MM..YYYY-MM`.
    pub period: String,
    /// k of the bundle.
    pub k: usize,
    /// Records.
    pub records: u64,
    /// Whether these are the station's own cases.
    pub own: bool,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportOutcome {
    /// The bundle.
    pub bundle: BundleInfo,
    /// True when the same bundle was imported before: nothing was added.
    pub already_imported: bool,
}

/// The trends database and its column cache.
pub struct Trends {
    conn: Connection,
    path: PathBuf,
    options: TrendsOptions,
    bundles: Vec<BundleInfo>,
    /// Database row id of each bundle in `bundles`.
    bundle_rows: Vec<i64>,
    columns: Columns,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS bundles (
    id INTEGER PRIMARY KEY,
    bundle_id TEXT NOT NULL UNIQUE,
    station_id TEXT NOT NULL,
    station_key TEXT NOT NULL,
    key_label TEXT NOT NULL,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    k INTEGER NOT NULL,
    records INTEGER NOT NULL,
    own INTEGER NOT NULL,
    source TEXT NOT NULL,
    imported TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS records (
    bundle INTEGER NOT NULL REFERENCES bundles(id),
    record_id TEXT NOT NULL,
    event_period TEXT NOT NULL,
    detection_country TEXT, detection_area TEXT, detection_point_type TEXT, detection_stage TEXT,
    travel_direction TEXT, transport_mode TEXT, document_category TEXT, icao_doc_code TEXT,
    issuing_state TEXT, fraud_type TEXT, forgery_methods TEXT NOT NULL, detection_evidence TEXT NOT NULL,
    hotlist_result TEXT, conclusion_level TEXT, nationality_claimed TEXT, nationality_established TEXT,
    holder_sex TEXT, age_band TEXT, route_embarkation TEXT, route_transits TEXT NOT NULL,
    route_destination TEXT, group_size_band TEXT, outcome TEXT, repeat_document TEXT
);
CREATE INDEX IF NOT EXISTS records_bundle ON records(bundle);
";

const INSERT: &str = "INSERT INTO records VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, \
                      ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27)";

impl Trends {
    /// Opens (or creates) `<data_dir>/trends.sqlite` with the default options.
    pub fn open(data_dir: &Path) -> Result<Trends, TrendsError> {
        std::fs::create_dir_all(data_dir).map_err(io_error("creating", data_dir))?;
        Trends::open_file(&data_dir.join(DATABASE_FILE), TrendsOptions::default())
    }

    /// Opens (or creates) a trends database file and loads its column cache.
    pub fn open_file(path: &Path, options: TrendsOptions) -> Result<Trends, TrendsError> {
        let err = db_error(path);
        let conn = Connection::open(path).map_err(err)?;
        conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
            .and_then(|()| conn.execute_batch(SCHEMA))
            .map_err(db_error(path))?;
        let mut trends = Trends {
            conn,
            path: path.to_path_buf(),
            options: TrendsOptions { min_k: options.min_k.max(MIN_K) },
            bundles: Vec::new(),
            bundle_rows: Vec::new(),
            columns: Columns::new(),
        };
        trends.reload()?;
        Ok(trends)
    }

    /// Rebuilds the bundle list and the column cache from the database.
    fn reload(&mut self) -> Result<(), TrendsError> {
        let (bundles, rows) = self.load_bundles().map_err(db_error(&self.path))?;
        self.bundles = bundles;
        self.bundle_rows = rows;
        self.columns = Columns::new();
        let mut statement = self
            .conn
            .prepare(
                "SELECT bundle, event_period, issuing_state, nationality_claimed, route_embarkation, route_transits, \
                 route_destination, fraud_type, age_band, holder_sex, detection_stage, detection_point_type, \
                 detection_country, document_category, forgery_methods, detection_evidence FROM records ORDER BY rowid",
            )
            .map_err(db_error(&self.path))?;
        let mut rows = statement.query([]).map_err(db_error(&self.path))?;
        let positions: std::collections::HashMap<i64, u32> =
            self.bundle_rows.iter().enumerate().map(|(i, id)| (*id, i as u32)).collect();
        while let Some(row) = rows.next().map_err(db_error(&self.path))? {
            let text = |i: usize| row.get_ref(i).ok().and_then(|v| v.as_str_or_null().ok().flatten());
            let bundle = row.get::<_, i64>(0).ok().and_then(|id| positions.get(&id).copied()).unwrap_or(0);
            let transits: Vec<&str> = text(5).unwrap_or_default().split('|').filter(|t| !t.is_empty()).collect();
            let route = route_key(text(4), &transits, text(6));
            let station = self.bundles.get(bundle as usize).map_or("", |b| b.station_id.as_str());
            self.columns.push(&RowIn {
                bundle,
                station,
                event_period: text(1).unwrap_or_default(),
                issuing_state: text(2),
                nationality: text(3),
                route: route.as_deref(),
                fraud_type: text(7),
                age_band: text(8),
                sex: text(9),
                stage: text(10),
                border_type: text(11),
                country: text(12),
                document_category: text(13),
                forgery_methods: text(14).unwrap_or_default(),
                failed_checks: text(15).unwrap_or_default(),
            });
        }
        Ok(())
    }

    fn load_bundles(&self) -> rusqlite::Result<(Vec<BundleInfo>, Vec<i64>)> {
        let mut statement = self.conn.prepare(
            "SELECT id, bundle_id, station_id, key_label, period_from, period_to, k, records, own FROM bundles ORDER BY id",
        )?;
        let mut bundles = Vec::new();
        let mut ids = Vec::new();
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            ids.push(row.get(0)?);
            bundles.push(BundleInfo {
                bundle_id: row.get(1)?,
                station_id: row.get(2)?,
                key_label: row.get(3)?,
                period: format!("{}..{}", row.get::<_, String>(4)?, row.get::<_, String>(5)?),
                k: row.get::<_, i64>(6)?.max(0) as usize,
                records: row.get::<_, i64>(7)?.max(0) as u64,
                own: row.get::<_, i64>(8)? != 0,
            });
        }
        Ok((bundles, ids))
    }

    /// Verifies a bundle folder and adds its records. Refused (nothing added) when its key
    /// is not among `trusted` (the reason names the key), or when verification fails
    /// (signature, hashes, file list, schema, counts, k: [`TrendsError::Refused`] carries
    /// the reason). The same bundle imported again adds nothing.
    pub fn import_bundle(&mut self, dir: &Path, trusted: &[TrustedKey]) -> Result<ImportOutcome, TrendsError> {
        let manifest_path = dir.join("manifest.json");
        let manifest_bytes = match std::fs::read(&manifest_path) {
            Ok(bytes) => bytes,
            // Let verification word the problem the way `export verify` does.
            Err(_) => {
                return Err(verify_bundle(dir, None)
                    .err()
                    .map_or_else(|| TrendsError::Changed(dir.display().to_string()), TrendsError::Refused));
            }
        };
        let manifest: Manifest = match serde_json::from_slice(&manifest_bytes) {
            Ok(m) => m,
            Err(e) => return Err(TrendsError::Refused(tdverify_export::VerifyError::Manifest(e.to_string()))),
        };
        let bundle_key = parse_public_key(&manifest.station_public_key).ok_or_else(|| {
            TrendsError::Refused(tdverify_export::VerifyError::Manifest(
                "station_public_key is not an Ed25519 key".into(),
            ))
        })?;
        let Some(trusted_key) = trusted.iter().find(|t| t.key == bundle_key) else {
            return Err(TrendsError::UntrustedKey {
                key: format_public_key(&bundle_key),
                station: manifest.station_id.clone(),
            });
        };
        let bundle_id = sha256_hex(&manifest_bytes);
        if let Some(existing) = self.bundles.iter().find(|b| b.bundle_id == bundle_id) {
            return Ok(ImportOutcome { bundle: existing.clone(), already_imported: true });
        }
        let verified = verify_bundle(dir, Some(&trusted_key.key))?;
        // Read again what was verified, and check it is still what the manifest signed.
        let again = std::fs::read(&manifest_path).map_err(io_error("reading", &manifest_path))?;
        if sha256_hex(&again) != bundle_id {
            return Err(TrendsError::Changed(manifest_path.display().to_string()));
        }
        let records_path = dir.join("records.jsonl");
        let jsonl = std::fs::read(&records_path).map_err(io_error("reading", &records_path))?;
        let listed = manifest.files.iter().find(|f| f.name == "records.jsonl").map(|f| f.sha256.as_str());
        if listed != Some(sha256_hex(&jsonl).as_str()) {
            return Err(TrendsError::Changed(records_path.display().to_string()));
        }
        let text = std::str::from_utf8(&jsonl).map_err(|_| TrendsError::Changed(records_path.display().to_string()))?;
        let mut records = Vec::with_capacity(verified.records as usize);
        for line in text.lines() {
            let record: DescRecord =
                serde_json::from_str(line).map_err(|_| TrendsError::Changed(records_path.display().to_string()))?;
            records.push(record);
        }
        let info = BundleInfo {
            bundle_id,
            station_id: manifest.station_id.clone(),
            key_label: trusted_key.label.clone(),
            period: format!("{}..{}", manifest.period_from, manifest.period_to),
            k: manifest.k,
            records: records.len() as u64,
            own: false,
        };
        self.insert(&info, &manifest.station_public_key, &dir.display().to_string(), &records)?;
        Ok(ImportOutcome { bundle: info, already_imported: false })
    }

    /// Adds the station's own cases of `period`, as anonymised by
    /// `tdverify_export::prepare` (they never leave the machine), replacing an earlier own
    /// import of the same station and period. Refused when a record breaks the schema or a
    /// quasi-identifier group is below `k`.
    pub fn import_own(
        &mut self,
        records: &[DescRecord],
        station_id: &str,
        period: Period,
        k: usize,
    ) -> Result<ImportOutcome, TrendsError> {
        if k < MIN_K {
            return Err(TrendsError::OwnRecords(format!("k = {k} is below the minimum {MIN_K}")));
        }
        for (index, record) in records.iter().enumerate() {
            record.validate().map_err(|p| TrendsError::OwnRecords(format!("record {}: {p}", index + 1)))?;
        }
        if let Some(size) = tdverify_export::anonymity::smallest_group(records)
            && size < k
        {
            return Err(TrendsError::OwnRecords(format!("a quasi-identifier group has {size} records, k is {k}")));
        }
        let info = BundleInfo {
            bundle_id: format!("own:{station_id}:{period}"),
            station_id: station_id.to_string(),
            key_label: String::new(),
            period: period.to_string(),
            k,
            records: records.len() as u64,
            own: true,
        };
        let replaced = self.bundles.iter().any(|b| b.bundle_id == info.bundle_id);
        if replaced {
            let tx = self.conn.transaction().map_err(db_error(&self.path))?;
            tx.execute(
                "DELETE FROM records WHERE bundle = (SELECT id FROM bundles WHERE bundle_id = ?1)",
                [&info.bundle_id],
            )
            .and_then(|_| tx.execute("DELETE FROM bundles WHERE bundle_id = ?1", [&info.bundle_id]))
            .map_err(db_error(&self.path))?;
            Trends::insert_in(&tx, &info, "", "own cases", records).map_err(|e| with_path(e, &self.path))?;
            tx.commit().map_err(db_error(&self.path))?;
            self.reload()?;
        } else {
            self.insert(&info, "", "own cases", records)?;
        }
        Ok(ImportOutcome { bundle: info, already_imported: false })
    }

    /// Inserts a bundle and its records in one transaction, then extends the cache.
    fn insert(
        &mut self,
        info: &BundleInfo,
        key: &str,
        source: &str,
        records: &[DescRecord],
    ) -> Result<(), TrendsError> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(db_error(&path))?;
        let id = Trends::insert_in(&tx, info, key, source, records).map_err(|e| with_path(e, &path))?;
        tx.commit().map_err(db_error(&path))?;
        let position = self.bundles.len() as u32;
        self.bundles.push(info.clone());
        self.bundle_rows.push(id);
        for record in records {
            let transits: Vec<&str> = record.route_transits.iter().map(String::as_str).collect();
            let route = route_key(record.route_embarkation.as_deref(), &transits, record.route_destination.as_deref());
            let forgery = record.forgery_methods.join("|");
            let checks = record.detection_evidence.join("|");
            self.columns.push(&RowIn {
                bundle: position,
                station: &info.station_id,
                event_period: &record.event_period,
                issuing_state: record.issuing_state.as_deref(),
                nationality: record.nationality_claimed.as_deref(),
                route: route.as_deref(),
                fraud_type: record.fraud_type.as_deref(),
                age_band: record.age_band.as_deref(),
                sex: record.holder_sex.as_deref(),
                stage: record.detection_stage.as_deref(),
                border_type: record.detection_point_type.as_deref(),
                country: record.detection_country.as_deref(),
                document_category: record.document_category.as_deref(),
                forgery_methods: &forgery,
                failed_checks: &checks,
            });
        }
        Ok(())
    }

    /// The SQL part of an import, inside the caller's transaction; returns the bundle's row id.
    fn insert_in(
        tx: &rusqlite::Transaction<'_>,
        info: &BundleInfo,
        key: &str,
        source: &str,
        records: &[DescRecord],
    ) -> Result<i64, TrendsError> {
        let wrap = |source| TrendsError::Database { path: PathBuf::new(), source };
        let (from, to) = info.period.split_once("..").unwrap_or((info.period.as_str(), info.period.as_str()));
        tx.execute(
            "INSERT INTO bundles (bundle_id, station_id, station_key, key_label, period_from, period_to, k, records, own, source, imported) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, datetime('now'))",
            params![info.bundle_id, info.station_id, key, info.key_label, from, to, info.k as i64, info.records as i64, info.own as i64, source],
        )
        .map_err(wrap)?;
        let id = tx.last_insert_rowid();
        let mut insert = tx.prepare_cached(INSERT).map_err(wrap)?;
        for r in records {
            insert
                .execute(params![
                    id,
                    r.record_id,
                    r.event_period,
                    r.detection_country,
                    r.detection_area,
                    r.detection_point_type,
                    r.detection_stage,
                    r.travel_direction,
                    r.transport_mode,
                    r.document_category,
                    r.icao_doc_code,
                    r.issuing_state,
                    r.fraud_type,
                    r.forgery_methods.join("|"),
                    r.detection_evidence.join("|"),
                    r.hotlist_result,
                    r.conclusion_level,
                    r.nationality_claimed,
                    r.nationality_established,
                    r.holder_sex,
                    r.age_band,
                    r.route_embarkation,
                    r.route_transits.join("|"),
                    r.route_destination,
                    r.group_size_band,
                    r.outcome,
                    r.repeat_document,
                ])
                .map_err(wrap)?;
        }
        Ok(id)
    }

    /// The imported bundles, oldest first.
    pub fn bundles(&self) -> &[BundleInfo] {
        &self.bundles
    }

    /// Records held.
    pub fn records(&self) -> usize {
        self.columns.len()
    }

    /// The k every view applies: the largest of the configured minimum and every imported
    /// bundle's k.
    pub fn k(&self) -> usize {
        self.bundles.iter().map(|b| b.k).max().unwrap_or(0).max(self.options.min_k)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The first and last month with records (`YYYY-MM`), for the filter bar's defaults.
    pub fn months(&self) -> Option<(String, String)> {
        let first = self.columns.month.iter().min()?;
        let last = self.columns.month.iter().max()?;
        Some((crate::dimension::month_label(*first), crate::dimension::month_label(*last)))
    }

    /// Counts by `dimension` under `filter`, suppressed.
    pub fn query(&self, dimension: Dimension, filter: &Filter) -> Result<View, TrendsError> {
        view(&self.columns, dimension, filter, self.k())
    }

    /// A 2-D table (the heat map is issuing state × nationality), suppressed per row,
    /// column and margin.
    pub fn heatmap(&self, rows: Dimension, cols: Dimension, filter: &Filter) -> Result<Grid, TrendsError> {
        grid(&self.columns, rows, cols, filter, self.k())
    }

    /// Detections over time stacked by fraud type (`Dimension::Month` or `Dimension::Quarter`).
    pub fn time_series(&self, period: Dimension, filter: &Filter) -> Result<Grid, TrendsError> {
        if !period.is_period() {
            return Err(TrendsError::Input(format!("a time series is by month or quarter, not {period}")));
        }
        grid(&self.columns, period, Dimension::FraudType, filter, self.k())
    }

    /// Issuing states ranked with their change against the previous period of equal length.
    pub fn ranked_issuing_states(&self, filter: &Filter) -> Result<Ranking, TrendsError> {
        ranking(&self.columns, filter, self.k())
    }

    /// Risk alerts under `filter` (rule in [`crate::alerts`]).
    pub fn alerts(&self, filter: &Filter) -> Result<AlertReport, TrendsError> {
        alerts(&self.columns, filter, self.k())
    }

    /// Whether a bundle id is imported.
    pub fn has_bundle(&self, bundle_id: &str) -> bool {
        self.bundles.iter().any(|b| b.bundle_id == bundle_id)
    }

    /// Records stored in SQLite (to check the cache against the durable copy).
    pub fn stored_records(&self) -> Result<u64, TrendsError> {
        self.conn
            .query_row("SELECT COUNT(*) FROM records", [], |r| r.get::<_, i64>(0))
            .optional()
            .map(|n| n.unwrap_or(0).max(0) as u64)
            .map_err(db_error(&self.path))
    }
}

/// Puts the database's path on an SQLite error raised where the path was not at hand.
fn with_path(error: TrendsError, path: &Path) -> TrendsError {
    match error {
        TrendsError::Database { source, .. } => TrendsError::Database { path: path.to_path_buf(), source },
        other => other,
    }
}

/// Lower-case hex SHA-256.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    tdverify_core::hex::encode(ring::digest::digest(&ring::digest::SHA256, bytes).as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_keys_parse_with_labels() {
        let hex = "ab".repeat(32);
        let keys = parse_trusted_keys(&format!("# stations\nLyon airport ed25519:{hex}\n\n{hex}\n")).unwrap();
        assert_eq!(keys.len(), 2);
        assert_eq!(keys[0].label, "Lyon airport");
        assert_eq!(keys[1].label, "");
        assert!(matches!(parse_trusted_keys("x ed25519:12"), Err(TrendsError::TrustedKeys { line: 1, .. })));
    }
}
