//! The station's side of the trends dashboard, shared by the CLI and the Trends screen:
//! the reporting stations an administrator trusts (kept and audited in the case store),
//! and the station's own fraud cases added to the analysis, anonymised exactly as the
//! DESC export does (they never leave the machine).

use serde::Serialize;
use tdverify_export::{ExportError, Period};
use tdverify_store::{KeyPurpose, Session, Store, StoreError};
use tdverify_trends::{ImportOutcome, Trends, TrendsError, TrustedKey};

/// Why the own cases were not added.
#[derive(Debug, thiserror::Error)]
pub enum OwnCasesError {
    /// The period or the store refused (a Supervisor reads the cases for export).
    #[error(transparent)]
    Export(#[from] ExportError),
    /// The trends database refused.
    #[error(transparent)]
    Trends(#[from] TrendsError),
    /// The store refused.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What adding the own cases did.
#[derive(Debug, Clone, Serialize)]
pub struct OwnImport {
    /// The import as the database recorded it (`own: true`).
    #[serde(flatten)]
    pub outcome: ImportOutcome,
    /// Cases left out by k-anonymity suppression.
    pub suppressed: u64,
}

/// The reporting stations' keys the administrator trusts.
pub fn trusted_stations(store: &Store) -> Result<Vec<TrustedKey>, StoreError> {
    Ok(store
        .trusted_keys(KeyPurpose::TrendStation)?
        .into_iter()
        .map(|k| TrustedKey { label: k.label, key: k.public_key })
        .collect())
}

/// Adds this station's submitted fraud cases of `from..=to` (`YYYY-MM`) to `trends`,
/// anonymised with the station's export k, replacing an earlier own import of the period.
pub fn import_own_cases(
    store: &Store,
    session: &Session,
    trends: &mut Trends,
    from: &str,
    to: &str,
) -> Result<OwnImport, OwnCasesError> {
    let period = Period::parse(from, to)?;
    let k = store.export_min_k()?.max(tdverify_export::DEFAULT_K);
    let prepared = tdverify_export::prepare(store, session, period, k)?;
    let suppressed = prepared.anonymised.suppressed_total();
    let station = store.station_id()?;
    let outcome = trends.import_own(&prepared.anonymised.records, &station, prepared.period, k)?;
    Ok(OwnImport { outcome, suppressed })
}
