//! `tdverify export verify BUNDLE`: is this bundle exactly what a station signed, and
//! does it keep its promises? Checked in order: the manifest parses; the signature
//! verifies under the given key (or the manifest's own key when none is given, which
//! proves integrity but not origin); the manifest's key is the given one; every listed
//! file is there with its hash and nothing else is; every record matches the schema;
//! the counts agree; every quasi-identifier group has at least k records.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};
use tdverify_core::hex;

use crate::anonymity::{MIN_K, smallest_group};
use crate::bundle::{BUNDLE_FORMAT, DATA_FILES, Manifest};
use crate::record::{DescRecord, FIELDS, SCHEMA_VERSION};

/// Why a bundle is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// A file could not be read.
    #[error("cannot read {file}: {problem}")]
    Unreadable {
        /// Which file.
        file: String,
        /// The OS error.
        problem: String,
    },
    /// The manifest is not a manifest of this format.
    #[error("manifest.json is not valid: {0}")]
    Manifest(String),
    /// The signature does not verify: the manifest was changed or signed by another key.
    #[error("bad signature: manifest.json was changed after signing, or signed by another key")]
    BadSignature,
    /// The bundle names a different station key than the one the hub trusts.
    #[error("signed by a different station key: the bundle's key is {found}, expected {expected}")]
    WrongKey {
        /// Key in the manifest.
        found: String,
        /// Key given to verify.
        expected: String,
    },
    /// A data file does not match its hash.
    #[error("hash mismatch: {0} was changed after signing")]
    HashMismatch(String),
    /// A listed file is missing, or an unlisted one is present.
    #[error("file list: {0}")]
    Files(String),
    /// A record breaks the schema.
    #[error("schema: records.jsonl line {line}: {problem}")]
    Schema {
        /// 1-based line.
        line: usize,
        /// What is wrong.
        problem: String,
    },
    /// Counts disagree with the manifest.
    #[error("counts: {0}")]
    Counts(String),
    /// A quasi-identifier group is smaller than k.
    #[error("group below k: a quasi-identifier group has {size} records, k is {k}")]
    BelowK {
        /// Smallest group.
        size: usize,
        /// k of the manifest.
        k: usize,
    },
}

/// What a valid bundle says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verified {
    /// Station id.
    pub station_id: String,
    /// Station public key (hex).
    pub station_public_key: String,
    /// Whether the key was given by the caller (origin proven) or taken from the bundle.
    pub key_given: bool,
    /// `YYYY-MM..YYYY-MM`.
    pub period: String,
    /// Records.
    pub records: u64,
    /// Suppressed records.
    pub suppressed: u64,
    /// k.
    pub k: usize,
}

/// Parses a public key given as 64 hex characters (optionally `ed25519:`-prefixed), or
/// the contents of a file holding that.
pub fn parse_public_key(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    let text = text.strip_prefix("ed25519:").unwrap_or(text);
    hex::decode(text).filter(|k| k.len() == 32)
}

fn read(dir: &Path, name: &str) -> Result<Vec<u8>, VerifyError> {
    fs::read(dir.join(name)).map_err(|e| VerifyError::Unreadable { file: name.to_string(), problem: e.to_string() })
}

/// Verifies the bundle in `dir`; `trusted_key` is the station's public key as the hub
/// knows it (32 bytes).
pub fn verify_bundle(dir: &Path, trusted_key: Option<&[u8]>) -> Result<Verified, VerifyError> {
    let manifest_bytes = read(dir, "manifest.json")?;
    let signature_text = read(dir, "manifest.sig")?;
    let manifest: Manifest =
        serde_json::from_slice(&manifest_bytes).map_err(|e| VerifyError::Manifest(e.to_string()))?;
    if manifest.format != BUNDLE_FORMAT || manifest.schema_version != SCHEMA_VERSION {
        return Err(VerifyError::Manifest(format!(
            "format {} / schema {} (this program reads {BUNDLE_FORMAT} / {SCHEMA_VERSION})",
            manifest.format, manifest.schema_version
        )));
    }
    let manifest_key = parse_public_key(&manifest.station_public_key)
        .ok_or_else(|| VerifyError::Manifest("station_public_key is not an Ed25519 key".into()))?;
    let key = match trusted_key {
        Some(given) => {
            if given != manifest_key.as_slice() {
                return Err(VerifyError::WrongKey { found: manifest.station_public_key.clone(), expected: hex::encode(given) });
            }
            given.to_vec()
        }
        None => manifest_key,
    };
    let signature = std::str::from_utf8(&signature_text).ok().and_then(hex::decode).ok_or(VerifyError::BadSignature)?;
    ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, &key)
        .verify(&manifest_bytes, &signature)
        .map_err(|_| VerifyError::BadSignature)?;

    // Files: exactly the listed ones plus the manifest and its signature.
    let listed: BTreeSet<&str> = manifest.files.iter().map(|f| f.name.as_str()).collect();
    let expected: BTreeSet<&str> = DATA_FILES.iter().copied().collect();
    if listed != expected {
        return Err(VerifyError::Files(format!("the manifest lists {listed:?}, a bundle has {expected:?}")));
    }
    let present = fs::read_dir(dir)
        .map_err(|e| VerifyError::Unreadable { file: dir.display().to_string(), problem: e.to_string() })?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect::<BTreeSet<String>>();
    for name in &present {
        if !expected.contains(name.as_str()) && name != "manifest.json" && name != "manifest.sig" {
            return Err(VerifyError::Files(format!("{name} is not part of the signed bundle")));
        }
    }
    let mut jsonl = Vec::new();
    let mut csv = Vec::new();
    for file in &manifest.files {
        let bytes = read(dir, &file.name)?;
        let digest = hex::encode(ring::digest::digest(&ring::digest::SHA256, &bytes).as_ref());
        if digest != file.sha256 || bytes.len() as u64 != file.bytes {
            return Err(VerifyError::HashMismatch(file.name.clone()));
        }
        match file.name.as_str() {
            "records.jsonl" => jsonl = bytes,
            "records.csv" => csv = bytes,
            _ => {}
        }
    }

    // Schema, line by line.
    let text = std::str::from_utf8(&jsonl).map_err(|_| VerifyError::Schema { line: 0, problem: "not UTF-8".into() })?;
    let mut records = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let record: DescRecord = serde_json::from_str(line)
            .map_err(|e| VerifyError::Schema { line: index + 1, problem: e.to_string() })?;
        record.validate().map_err(|problem| VerifyError::Schema { line: index + 1, problem })?;
        records.push(record);
    }
    let counts = &manifest.counts;
    if records.len() as u64 != counts.exported {
        return Err(VerifyError::Counts(format!(
            "records.jsonl has {} records, the manifest says {}",
            records.len(),
            counts.exported
        )));
    }
    if counts.exported + counts.suppressed != counts.eligible {
        return Err(VerifyError::Counts(format!(
            "exported {} + suppressed {} is not eligible {}",
            counts.exported, counts.suppressed, counts.eligible
        )));
    }
    let csv_rows = csv.split(|b| *b == b'\n').filter(|l| !l.is_empty()).count();
    let csv_header = csv.split(|b| *b == b'\n').next().unwrap_or_default();
    if csv_header != FIELDS.join(",").as_bytes() || csv_rows != records.len() + 1 {
        return Err(VerifyError::Counts("records.csv does not hold the same records".into()));
    }

    // k-anonymity.
    if manifest.k < MIN_K {
        return Err(VerifyError::BelowK { size: manifest.k, k: MIN_K });
    }
    if let Some(size) = smallest_group(&records)
        && size < manifest.k
    {
        return Err(VerifyError::BelowK { size, k: manifest.k });
    }
    Ok(Verified {
        station_id: manifest.station_id,
        station_public_key: manifest.station_public_key,
        key_given: trusted_key.is_some(),
        period: format!("{}..{}", manifest.period_from, manifest.period_to),
        records: counts.exported,
        suppressed: counts.suppressed,
        k: manifest.k,
    })
}
