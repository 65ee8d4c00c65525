//! tdverify-export: every fraud case becomes a shareable, anonymised, signed record for
//! the regional DESC dashboards.
//!
//! Flow: [`prepare`] (the store selects the period's submitted fraud cases; [`record`]
//! maps each to the whitelisted DESC fields; [`anonymity`] generalises and suppresses
//! until every quasi-identifier group has k records) → the supervisor sees the
//! [`Prepared`] preview → [`write`] writes `records.jsonl`, `records.csv`,
//! `schema.json`, `manifest.json` and has the store sign the manifest
//! (`manifest.sig`, Ed25519, station key) and log the period → [`verify_bundle`]
//! checks a bundle anywhere, with or without the station's public key.
//!
//! Never exported: names, birth dates, document numbers, MRZ, chip data, images, exact
//! times, officer and case ids, the detection point, notes or any free text. Only a
//! Supervisor exports (the store enforces it).

#![warn(missing_docs)]

pub mod anonymity;
mod bundle;
mod error;
mod period;
pub mod record;
mod verify;

pub use anonymity::{Anonymised, MIN_K, QUASI_IDENTIFIERS, STEPS};
pub use bundle::{
    BUNDLE_FORMAT, DATA_FILES, Manifest, ManifestCounts, ManifestFile, Prepared, Progress, SCHEMA_JSON, Written,
    describe_group, prepare, records_csv, records_jsonl, write, write_signed,
};
pub use error::ExportError;
pub use period::{Period, YearMonth};
pub use record::{DescRecord, SCHEMA_VERSION};
pub use verify::{Verified, VerifyError, parse_public_key, verify_bundle};

/// The default k.
pub const DEFAULT_K: usize = 5;

/// A station public key as printed by `tdverify export key` and shown in the wizard.
pub fn format_public_key(key: &[u8]) -> String {
    format!("ed25519:{}", tdverify_core::hex::encode(key))
}
