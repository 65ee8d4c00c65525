//! Preparing and writing a bundle: the supervisor's period → eligible cases → records →
//! k-anonymity → `records.jsonl`, `records.csv`, `schema.json`, `manifest.json` and
//! `manifest.sig` in a new folder. The folder is written under a temporary name and
//! renamed only once complete and signed, so a half-written bundle is never left looking
//! like a good one.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tdverify_core::hex;
use tdverify_store::time::format_utc;
use tdverify_store::{ExportExclusions, ExportSeal, PastExport, Session, Store};

use crate::anonymity::{Anonymised, GroupKey, MIN_K, QUASI_IDENTIFIERS, STEPS, StepCount, anonymise};
use crate::error::{ExportError, io_error};
use crate::period::Period;
use crate::record::{DescRecord, FIELDS, SCHEMA_VERSION, map_case};

/// The JSON Schema of one record line, shipped in every bundle.
pub const SCHEMA_JSON: &str = include_str!("../schema.json");

/// Bundle format name in the manifest.
pub const BUNDLE_FORMAT: &str = "tdverify-desc-bundle/1";

/// Names of the files a bundle holds (besides `manifest.json` and `manifest.sig`).
pub const DATA_FILES: &[&str] = &["records.jsonl", "records.csv", "schema.json"];

/// What an export will contain, computed before anything is written (the wizard's preview).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    /// The period.
    pub period: Period,
    /// k used.
    pub k: usize,
    /// Cases of the period that were eligible.
    pub eligible: u64,
    /// Cases left out, by reason.
    pub excluded: ExportExclusions,
    /// The anonymised records and what it took.
    pub anonymised: Anonymised,
    /// Earlier exports whose period overlaps this one.
    pub overlapping: Vec<PastExport>,
}

/// Progress of a running export, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// What is being done.
    pub stage: &'static str,
    /// 0..=1.
    pub fraction: f32,
}

/// Counts in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestCounts {
    /// Eligible cases (submitted or reviewed fraud cases of the period).
    pub eligible: u64,
    /// Records in `records.jsonl`.
    pub exported: u64,
    /// Records suppressed (eligible − exported).
    pub suppressed: u64,
    /// Cases of the period left out before anonymisation.
    pub excluded: ExportExclusions,
}

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// [`BUNDLE_FORMAT`].
    pub format: String,
    /// Record schema version.
    pub schema_version: u32,
    /// Station id (from its public key).
    pub station_id: String,
    /// The station's Ed25519 public key, hex.
    pub station_public_key: String,
    /// tdverify version that wrote it.
    pub software_version: String,
    /// When the bundle was made, UTC day (`YYYY-MM-DD`).
    pub created: String,
    /// First month, `YYYY-MM`.
    pub period_from: String,
    /// Last month, `YYYY-MM` (inclusive).
    pub period_to: String,
    /// k of the k-anonymity.
    pub k: usize,
    /// Quasi-identifier fields.
    pub quasi_identifiers: Vec<String>,
    /// Generalisation steps in the order they are applied.
    pub generalization_order: Vec<String>,
    /// Records changed by each step.
    pub generalizations_applied: Vec<StepCount>,
    /// Suppressed records by reason.
    pub suppressed_by_reason: Vec<StepCount>,
    /// Counts.
    pub counts: ManifestCounts,
    /// Whether an overlap with an earlier export was explicitly allowed.
    pub overlap_override: bool,
    /// SHA-256 (hex) of each data file.
    pub files: Vec<ManifestFile>,
}

/// One file's hash in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestFile {
    /// File name inside the bundle.
    pub name: String,
    /// Hex SHA-256.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Written {
    /// The bundle folder.
    pub bundle: PathBuf,
    /// Records exported.
    pub records: u64,
    /// Records suppressed.
    pub suppressed: u64,
    /// k used.
    pub k: usize,
    /// The station public key (hex) the receiving hub should trust.
    pub station_public_key: String,
}

/// Reads the eligible cases of `period` and anonymises them (nothing written; audited as
/// a read by the store). Supervisors only.
pub fn prepare(store: &Store, session: &Session, period: Period, k: usize) -> Result<Prepared, ExportError> {
    let min = store.export_min_k()?.max(MIN_K);
    if k < min {
        return Err(ExportError::KTooSmall { k, min });
    }
    let (from, to) = period.unix_bounds()?;
    let selection = store.export_selection(session, from, to)?;
    let eligible = selection.records.len() as u64;
    let mut items = Vec::with_capacity(selection.records.len());
    for case in selection.records {
        items.push(map_case(&case, Store::random_record_id()?));
    }
    let anonymised = anonymise(items, k);
    Ok(Prepared {
        period,
        k,
        eligible,
        excluded: selection.excluded,
        anonymised,
        overlapping: selection.overlapping,
    })
}

/// One CSV field: quoted when it holds a separator, quote or line break.
fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

/// One record as a CSV line (lists joined with `|`, null empty), without the newline,
/// in [`FIELDS`] order.
fn csv_line(r: &DescRecord) -> Result<String, ExportError> {
    let opt = |v: &Option<String>| v.as_deref().map(csv_field).unwrap_or_default();
    let list = |v: &[String]| csv_field(&v.join("|"));
    let cells = [
        r.schema_version.to_string(),
        csv_field(&r.record_id),
        csv_field(&r.event_period),
        opt(&r.detection_country),
        opt(&r.detection_area),
        opt(&r.detection_point_type),
        opt(&r.detection_stage),
        opt(&r.travel_direction),
        opt(&r.transport_mode),
        opt(&r.document_category),
        opt(&r.icao_doc_code),
        opt(&r.issuing_state),
        opt(&r.fraud_type),
        list(&r.forgery_methods),
        list(&r.detection_evidence),
        opt(&r.hotlist_result),
        opt(&r.conclusion_level),
        opt(&r.nationality_claimed),
        opt(&r.nationality_established),
        opt(&r.holder_sex),
        opt(&r.age_band),
        opt(&r.route_embarkation),
        list(&r.route_transits),
        opt(&r.route_destination),
        opt(&r.group_size_band),
        opt(&r.outcome),
        opt(&r.repeat_document),
    ];
    debug_assert_eq!(cells.len(), FIELDS.len());
    Ok(cells.join(","))
}

/// `records.csv`: the header is [`FIELDS`]; lists are joined with `|`; null is empty.
pub fn records_csv(records: &[DescRecord]) -> Result<String, ExportError> {
    let mut out = FIELDS.join(",");
    out.push('\n');
    for record in records {
        out.push_str(&csv_line(record)?);
        out.push('\n');
    }
    Ok(out)
}

/// `records.jsonl`: one record per line.
pub fn records_jsonl(records: &[DescRecord]) -> Result<String, ExportError> {
    let mut out = String::with_capacity(records.len() * 600);
    for record in records {
        out.push_str(&serde_json::to_string(record).map_err(|e| ExportError::Internal(e.to_string()))?);
        out.push('\n');
    }
    Ok(out)
}

/// A file being written and hashed at once (bundles are streamed, not built in memory).
struct HashingFile {
    path: PathBuf,
    out: std::io::BufWriter<fs::File>,
    digest: ring::digest::Context,
    bytes: u64,
}

impl HashingFile {
    fn create(path: PathBuf) -> Result<HashingFile, ExportError> {
        let file = fs::File::create(&path).map_err(io_error("creating", &path))?;
        Ok(HashingFile {
            path,
            out: std::io::BufWriter::new(file),
            digest: ring::digest::Context::new(&ring::digest::SHA256),
            bytes: 0,
        })
    }

    fn write(&mut self, data: &[u8]) -> Result<(), ExportError> {
        use std::io::Write;
        self.out.write_all(data).map_err(io_error("writing", &self.path))?;
        self.digest.update(data);
        self.bytes += data.len() as u64;
        Ok(())
    }

    fn finish(mut self, name: &str) -> Result<ManifestFile, ExportError> {
        use std::io::Write;
        self.out.flush().map_err(io_error("writing", &self.path))?;
        let file = self.out.into_inner().map_err(|e| ExportError::Io {
            action: "writing",
            path: self.path.clone(),
            source: e.into_error(),
        })?;
        file.sync_all().map_err(io_error("flushing", &self.path))?;
        Ok(ManifestFile { name: name.to_string(), sha256: hex::encode(self.digest.finish().as_ref()), bytes: self.bytes })
    }
}

/// Streams the three data files into `dir`, hashing as it goes.
fn write_data_files(
    dir: &Path,
    records: &[DescRecord],
    progress: &mut dyn FnMut(Progress),
) -> Result<Vec<ManifestFile>, ExportError> {
    let mut jsonl = HashingFile::create(dir.join("records.jsonl"))?;
    let mut csv = HashingFile::create(dir.join("records.csv"))?;
    csv.write(FIELDS.join(",").as_bytes())?;
    csv.write(b"\n")?;
    let step = (records.len() / 20).max(1);
    let mut line = Vec::with_capacity(1024);
    for (index, record) in records.iter().enumerate() {
        line.clear();
        serde_json::to_writer(&mut line, record).map_err(|e| ExportError::Internal(e.to_string()))?;
        line.push(b'\n');
        jsonl.write(&line)?;
        csv.write(csv_line(record)?.as_bytes())?;
        csv.write(b"\n")?;
        if index % step == 0 {
            progress(Progress { stage: "writing records", fraction: 0.05 + 0.75 * index as f32 / records.len() as f32 });
        }
    }
    let mut schema = HashingFile::create(dir.join("schema.json"))?;
    schema.write(SCHEMA_JSON.as_bytes())?;
    Ok(vec![jsonl.finish("records.jsonl")?, csv.finish("records.csv")?, schema.finish("schema.json")?])
}

fn counts(list: &[(String, u64)]) -> Vec<StepCount> {
    list.iter()
        .map(|(step, records)| StepCount { step: step.clone(), records: *records })
        .collect()
}

/// A folder name that does not exist yet under `out_dir`.
fn free_name(out_dir: &Path, base: &str) -> PathBuf {
    let mut candidate = out_dir.join(base);
    let mut n = 2;
    while candidate.exists() {
        candidate = out_dir.join(format!("{base}-{n}"));
        n += 1;
    }
    candidate
}

/// Writes, signs and logs the bundle of a prepared export into a new folder under
/// `out_dir` (a USB stick, typically). A period overlapping an earlier export needs
/// `overlap_override` (audited). Supervisors only.
pub fn write(
    store: &Store,
    session: &Session,
    prepared: &Prepared,
    out_dir: &Path,
    overlap_override: bool,
    progress: &mut dyn FnMut(Progress),
) -> Result<Written, ExportError> {
    if !prepared.overlapping.is_empty() && !overlap_override {
        let earlier = &prepared.overlapping[0];
        return Err(ExportError::Store(tdverify_store::StoreError::ExportOverlap {
            from: format_utc(earlier.period_from),
            to: format_utc(earlier.period_to),
            created: earlier.created.clone(),
        }));
    }
    if !out_dir.is_dir() {
        return Err(ExportError::Destination(out_dir.to_path_buf()));
    }
    let public_key = store.export_public_key()?;
    let station_id = store.station_id()?;
    let (from, to) = prepared.period.unix_bounds()?;
    let exported = prepared.anonymised.records.len() as u64;
    let suppressed = prepared.anonymised.suppressed_total();
    let contents = BundleContents {
        records: &prepared.anonymised.records,
        station_id: &station_id,
        public_key: &public_key,
        period: prepared.period,
        k: prepared.k,
        eligible: prepared.eligible,
        excluded: prepared.excluded,
        generalised: &prepared.anonymised.generalised,
        suppressed: &prepared.anonymised.suppressed,
        overlap_override,
    };
    // The store signs the manifest and logs the period in one transaction.
    let mut sign = |manifest: &[u8]| -> Result<Vec<u8>, ExportError> {
        Ok(store.seal_export(
            session,
            &ExportSeal { period_from: from, period_to: to, records: exported, suppressed, overlap_override, manifest },
        )?)
    };
    write_bundle(&contents, out_dir, &mut sign, progress)
}

/// Writes a signed bundle of records that are already k-anonymous, without a case store:
/// the trends dashboard's demo and test bundles, and tools that hold a station key of
/// their own. The format is exactly what [`write`] produces (the same manifest, files and
/// signature), so [`verify_bundle`](crate::verify_bundle) accepts it; nothing is logged
/// anywhere, which is why the case-store export must keep using [`write`]. `k` below
/// [`MIN_K`] is refused; the records are not re-anonymised here (the caller runs
/// [`anonymise`] first), so a group below k yields a bundle that verification refuses.
pub fn write_signed(
    records: &[DescRecord],
    station_id: &str,
    period: Period,
    k: usize,
    key: &ring::signature::Ed25519KeyPair,
    out_dir: &Path,
) -> Result<Written, ExportError> {
    use ring::signature::KeyPair;
    if k < MIN_K {
        return Err(ExportError::KTooSmall { k, min: MIN_K });
    }
    if !crate::record::is_area(station_id) {
        return Err(ExportError::Internal(format!("station id {station_id:?}: letters, digits, - and _ only")));
    }
    if !out_dir.is_dir() {
        return Err(ExportError::Destination(out_dir.to_path_buf()));
    }
    let contents = BundleContents {
        records,
        station_id,
        public_key: key.public_key().as_ref(),
        period,
        k,
        eligible: records.len() as u64,
        excluded: ExportExclusions::default(),
        generalised: &[],
        suppressed: &[],
        overlap_override: false,
    };
    let mut sign = |manifest: &[u8]| -> Result<Vec<u8>, ExportError> { Ok(key.sign(manifest).as_ref().to_vec()) };
    write_bundle(&contents, out_dir, &mut sign, &mut |_| {})
}

/// Everything a bundle's files and manifest are made of, whoever signs it.
struct BundleContents<'a> {
    records: &'a [DescRecord],
    station_id: &'a str,
    public_key: &'a [u8],
    period: Period,
    k: usize,
    eligible: u64,
    excluded: ExportExclusions,
    generalised: &'a [(String, u64)],
    suppressed: &'a [(String, u64)],
    overlap_override: bool,
}

/// Signs the exact manifest bytes: the store's station key, or a key the caller holds.
type Signer<'a> = dyn FnMut(&[u8]) -> Result<Vec<u8>, ExportError> + 'a;

/// Writes the files into a hidden partial folder, has `sign` sign the manifest bytes,
/// then renames the folder into place (removed again if anything fails).
fn write_bundle(
    contents: &BundleContents<'_>,
    out_dir: &Path,
    sign: &mut Signer<'_>,
    progress: &mut dyn FnMut(Progress),
) -> Result<Written, ExportError> {
    let records = contents.records;
    let public_key = hex::encode(contents.public_key);
    let station_id = contents.station_id;
    let exported = records.len() as u64;
    let suppressed: u64 = contents.suppressed.iter().map(|(_, n)| n).sum();
    let base = format!("desc-{station_id}-{}_{}", contents.period.from, contents.period.to);
    let final_dir = free_name(out_dir, &base);
    let partial = out_dir.join(format!(".{base}.partial"));
    if partial.exists() {
        fs::remove_dir_all(&partial).map_err(io_error("removing an unfinished bundle", &partial))?;
    }
    fs::create_dir(&partial).map_err(io_error("creating the bundle folder", &partial))?;
    let result = (|| {
        progress(Progress { stage: "writing records", fraction: 0.05 });
        let files = write_data_files(&partial, records, progress)?;
        let manifest = Manifest {
            format: BUNDLE_FORMAT.to_string(),
            schema_version: SCHEMA_VERSION,
            station_id: station_id.to_string(),
            station_public_key: public_key.clone(),
            software_version: env!("CARGO_PKG_VERSION").to_string(),
            created: format_utc(store_now())[..10].to_string(),
            period_from: contents.period.from.to_string(),
            period_to: contents.period.to.to_string(),
            k: contents.k,
            quasi_identifiers: QUASI_IDENTIFIERS.iter().map(|s| (*s).to_string()).collect(),
            generalization_order: STEPS.iter().map(|s| (*s).to_string()).collect(),
            generalizations_applied: counts(contents.generalised),
            suppressed_by_reason: counts(contents.suppressed),
            counts: ManifestCounts {
                eligible: contents.eligible,
                exported,
                suppressed,
                excluded: contents.excluded,
            },
            overlap_override: contents.overlap_override,
            files,
        };
        let manifest_bytes =
            serde_json::to_vec_pretty(&manifest).map_err(|e| ExportError::Internal(e.to_string()))?;
        let path = partial.join("manifest.json");
        fs::write(&path, &manifest_bytes).map_err(io_error("writing", &path))?;
        progress(Progress { stage: "signing", fraction: 0.9 });
        let signature = sign(&manifest_bytes)?;
        let path = partial.join("manifest.sig");
        fs::write(&path, format!("{}\n", hex::encode(&signature))).map_err(io_error("writing", &path))?;
        sync_dir(&partial);
        fs::rename(&partial, &final_dir).map_err(io_error("finishing the bundle folder", &final_dir))
    })();
    if let Err(e) = result {
        let _ = fs::remove_dir_all(&partial);
        return Err(e);
    }
    progress(Progress { stage: "done", fraction: 1.0 });
    Ok(Written { bundle: final_dir, records: exported, suppressed, k: contents.k, station_public_key: public_key })
}

/// Best-effort flush of a folder's files to the medium (USB sticks get pulled).
fn sync_dir(dir: &Path) {
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            if let Ok(file) = fs::File::open(entry.path()) {
                let _ = file.sync_all();
            }
        }
    }
}

/// Today for the manifest's `created` (the bundle's day, not a case's time).
fn store_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
}

/// A suppressed group as the preview shows it: its generalised quasi-identifiers.
pub fn describe_group(key: &GroupKey) -> String {
    QUASI_IDENTIFIERS
        .iter()
        .zip(key.iter())
        .filter_map(|(field, value)| value.as_ref().map(|v| format!("{field}={v}")))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_less_bundle_verifies_under_its_key_and_only_that_key() {
        use ring::signature::{Ed25519KeyPair, KeyPair};
        let line = r#"{"schema_version":1,"record_id":"00000000000000000000000000000000","event_period":"2026-11","detection_country":"UTO","detection_area":null,"detection_point_type":"air","detection_stage":"first_line","travel_direction":"entry","transport_mode":"air","document_category":"passport","icao_doc_code":"P","issuing_state":"D","fraud_type":"forged","forgery_methods":[],"detection_evidence":[],"hotlist_result":null,"conclusion_level":"suspected","nationality_claimed":"UTO","nationality_established":null,"holder_sex":"F","age_band":"18-20","route_embarkation":null,"route_transits":[],"route_destination":null,"group_size_band":"1","outcome":"other","repeat_document":null}"#;
        let record: DescRecord = serde_json::from_str(line).unwrap();
        let records = vec![record; 5];
        // TEST-ONLY key from a fixed seed.
        let key = Ed25519KeyPair::from_seed_unchecked(&[7u8; 32]).unwrap();
        let out = tempfile::tempdir().unwrap();
        let period = Period::parse("2026-10", "2026-12").unwrap();
        let written = write_signed(&records, "test-station", period, 5, &key, out.path()).unwrap();
        assert_eq!(written.records, 5);
        let verified = crate::verify_bundle(&written.bundle, Some(key.public_key().as_ref())).unwrap();
        assert_eq!((verified.station_id.as_str(), verified.k, verified.records), ("test-station", 5, 5));
        let other = Ed25519KeyPair::from_seed_unchecked(&[8u8; 32]).unwrap();
        assert!(matches!(
            crate::verify_bundle(&written.bundle, Some(other.public_key().as_ref())),
            Err(crate::VerifyError::WrongKey { .. })
        ));
        assert!(matches!(
            write_signed(&records, "test-station", period, 4, &key, out.path()),
            Err(ExportError::KTooSmall { .. })
        ));
    }

    #[test]
    fn csv_columns_follow_the_field_list() {
        let line = r#"{"schema_version":1,"record_id":"00000000000000000000000000000000","event_period":"2026-Q4","detection_country":"UTO","detection_area":null,"detection_point_type":"air","detection_stage":"first_line","travel_direction":"entry","transport_mode":"air","document_category":"passport","icao_doc_code":"P","issuing_state":"D","fraud_type":"forged","forgery_methods":["photo_substitution","other"],"detection_evidence":["ir.b900"],"hotlist_result":null,"conclusion_level":"suspected","nationality_claimed":"region:africa","nationality_established":null,"holder_sex":"F","age_band":"18-29","route_embarkation":null,"route_transits":["FRA","TUR"],"route_destination":"D","group_size_band":"3-5","outcome":"other","repeat_document":null}"#;
        let record: DescRecord = serde_json::from_str(line).unwrap();
        let csv = records_csv(&[record.clone()]).unwrap();
        let row: Vec<&str> = csv.lines().nth(1).unwrap().split(',').collect();
        assert_eq!(row.len(), FIELDS.len());
        let value = serde_json::to_value(&record).unwrap();
        for (field, cell) in FIELDS.iter().zip(&row) {
            let expected = match &value[*field] {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Array(a) => a.iter().filter_map(|v| v.as_str()).collect::<Vec<_>>().join("|"),
                other => other.to_string(),
            };
            assert_eq!(*cell, expected, "{field}");
        }
        assert_eq!(records_jsonl(&[record]).unwrap().trim_end(), line);
    }
}
