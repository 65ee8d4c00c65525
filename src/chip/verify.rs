//! Everything a read proves or disproves: passive authentication against the
//! CSCA trust store, clone detection (AA/CA with authentic key files), and the
//! chip against the printed MRZ. Also the JSON of `tdverify chip read --json`
//! and `tdverify chip verify DIR`.


use serde_json::{json, Value};
use tdverify_chip::checks::{self as chip_checks, KeyFilesAuthenticity};
use tdverify_chip::lds::FileId;
use tdverify_chip::reader::{ChipRead, ReadError};
use tdverify_core::{Check, CheckStatus, Evidence};
use tdverify_mrz::Mrz;
use tdverify_pki::{CscaStore, PaReport, UnixSeconds};

use super::consistency;

/// The verification of one read.
#[derive(Debug, Clone)]
pub struct ChipVerification {
    /// Passive authentication, one check per step.
    pub pa: PaReport,
    /// Every check in display order: chip.access, chip.read, chip.ca, chip.aa,
    /// chip.clone, chip.pa.*, consistency.*.
    pub checks: Vec<Check>,
}

impl ChipVerification {
    /// The worst status of all checks (what the officer should act on).
    pub fn worst_status(&self) -> CheckStatus {
        self.checks.iter().map(|c| c.status).max_by_key(|s| s.severity()).unwrap_or(CheckStatus::Error)
    }

    /// Whether any check failed.
    pub fn any_failed(&self) -> bool {
        self.checks.iter().any(|c| c.status == CheckStatus::Fail)
    }

    /// The check with this id, if present.
    pub fn check(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }
}

/// Passive authentication when EF.SOD was not read: nothing is proven.
fn pa_without_sod() -> PaReport {
    let check = Check::fail("chip.pa.sod_parse", "EF.SOD was not read: the chip data cannot be authenticated").with_evidence(Evidence::source("chip:EF.SOD"));
    PaReport {
        reason: format!("{}: {}", check.id, check.message),
        checks: vec![check],
        status: CheckStatus::Fail,
        hash_algorithm: None,
        signature_algorithm: None,
        document_signer: None,
        csca: None,
        lds_version: None,
    }
}

fn status_of(pa: &PaReport, id: &str) -> Option<CheckStatus> {
    pa.checks.iter().find(|c| c.id == id).map(|c| c.status)
}

/// Verifies a read: PA against `store` at `inspection_time`, clone detection, and
/// consistency with the printed MRZ (`None` when the chip was opened with the CAN).
pub fn verify_read(read: &ChipRead, printed_mrz: Option<&Mrz>, store: &CscaStore, inspection_time: UnixSeconds) -> ChipVerification {
    let data_groups = tdverify_chip::lds::data_groups(&read.files);
    let pa = match read.files.get(&FileId::Sod) {
        Some(sod) => tdverify_pki::passive_authentication(sod, &data_groups, store, inspection_time),
        None => pa_without_sod(),
    };
    let hash_ok = |number: u8| status_of(&pa, &format!("chip.pa.dg_hash.DG{number}")).map(|s| s == CheckStatus::Pass);
    let signed_and_trusted = ["chip.pa.sod_signature", "chip.pa.ds_chain"].iter().all(|id| status_of(&pa, id) == Some(CheckStatus::Pass))
        && matches!(status_of(&pa, "chip.pa.ds_validity"), Some(CheckStatus::Pass | CheckStatus::Warn));
    let authenticity = KeyFilesAuthenticity { dg14: hash_ok(14), dg15: hash_ok(15), sod_trusted: Some(signed_and_trusted) };
    let mut checks = chip_checks::checks(&Ok(read.clone()), authenticity);
    checks.extend(pa.checks.iter().cloned());
    let dg1 = read.files.get(&FileId::Dg(1)).map(Vec::as_slice);
    checks.push(consistency::mrz_vs_dg1(printed_mrz, dg1));
    let chip_mrz = dg1
        .and_then(|bytes| tdverify_chip::lds::dg1::parse(bytes).ok())
        .and_then(|text| tdverify_mrz::parse(&tdverify_chip::lds::dg1::lines(&text).join("\n")).ok());
    if let Some(check) = consistency::mrz_vs_dg11_name(printed_mrz.or(chip_mrz.as_ref()), read.files.get(&FileId::Dg(11)).map(Vec::as_slice)) {
        checks.push(check);
    }
    ChipVerification { pa, checks }
}

/// The status words of `pa`, matching those of `aa` and `ca`: passed, failed, warning, error.
pub fn pa_status_word(status: CheckStatus) -> &'static str {
    match status {
        CheckStatus::Pass => "passed",
        CheckStatus::Fail => "failed",
        CheckStatus::Warn => "warning",
        CheckStatus::Error => "error",
        CheckStatus::NotChecked => "not_checked",
        CheckStatus::NotApplicable => "not_performed",
    }
}

/// The JSON contract of `tdverify chip read --json` and `tdverify chip verify DIR --json`:
/// the chip's summary (`access`, `pace_protocol`, `data_groups`, `unreadable`, `aa`, `ca`,
/// `apdus`, `ms`) plus `pa` (`status`, `reason`, `csca`, `document_signer`,
/// `hash_algorithm`, `signature_algorithm`, `checks`), `clone` and `consistency`
/// (`status`, `reason`), `verdict` (worst status), and `checks` (every check).
pub fn report_json(read: &ChipRead, verification: &ChipVerification) -> Value {
    let mut value = read.summary_json();
    let pa = &verification.pa;
    let brief = |id: &str| {
        verification
            .check(id)
            .map(|c| json!({"status": pa_status_word(c.status), "reason": c.message}))
            .unwrap_or(Value::Null)
    };
    let consistency: Vec<&Check> = verification.checks.iter().filter(|c| c.id.starts_with("consistency.")).collect();
    let consistency_worst = consistency.iter().map(|c| c.status).max_by_key(|s| s.severity()).unwrap_or(CheckStatus::NotApplicable);
    let consistency_reason = consistency
        .iter()
        .find(|c| c.status == consistency_worst)
        .map(|c| c.message.clone())
        .unwrap_or_else(|| "nothing to compare".into());
    if let Value::Object(map) = &mut value {
        map.insert(
            "pa".into(),
            json!({
                "status": pa_status_word(pa.status),
                "reason": pa.reason,
                "csca": pa.csca,
                "document_signer": pa.document_signer,
                "hash_algorithm": pa.hash_algorithm,
                "signature_algorithm": pa.signature_algorithm,
                "checks": pa.checks,
            }),
        );
        map.insert("clone".into(), brief("chip.clone"));
        map.insert("consistency".into(), json!({"status": pa_status_word(consistency_worst), "reason": consistency_reason}));
        map.insert("verdict".into(), json!(verification.worst_status().as_str()));
        map.insert("checks".into(), json!(verification.checks));
    }
    value
}

/// The JSON of a read that did not get the chip's data (access denied, no card...):
/// `error`, `access` (null), `verdict` and the `chip.access` / `chip.read` checks.
pub fn failure_json(error: &ReadError) -> Value {
    let result = Err(clone_error(error));
    let checks = vec![chip_checks::access_check(&result), chip_checks::read_check(&result)];
    let message = checks.iter().find(|c| c.status != CheckStatus::NotApplicable && c.status != CheckStatus::Pass).map(|c| c.message.clone());
    json!({
        "error": message.unwrap_or_else(|| error.to_string()),
        "access": Value::Null,
        "verdict": checks.iter().map(|c| c.status).max_by_key(|s| s.severity()).unwrap_or(CheckStatus::Error).as_str(),
        "checks": checks,
    })
}

/// `ReadError` is not `Clone`; the checks only look at the variant and message.
fn clone_error(error: &ReadError) -> ReadError {
    match error {
        ReadError::AccessDenied(why) => ReadError::AccessDenied(why.clone()),
        ReadError::AccessControl(why) => ReadError::AccessControl(why.clone()),
        ReadError::Transport(e) => ReadError::Transport(e.clone()),
        other => ReadError::AccessControl(other.to_string()),
    }
}

/// The officer-facing one-line message for a read that failed.
pub fn failure_message(error: &ReadError) -> String {
    match failure_json(error).get("error").and_then(Value::as_str) {
        Some(text) => text.to_string(),
        None => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chip_session::fixtures::{ChipCase, FixtureSet};
    use crate::chip_session::session::{self, ChipSource, SessionOptions};
    use tdverify_chip::emulator::VirtualChip;

    fn verify_case(set: &FixtureSet, case: ChipCase) -> ChipVerification {
        let dataset = set.dataset(case).expect("dataset");
        let chip = VirtualChip::new(dataset);
        let read = session::read_chip(ChipSource::Emulator(Box::new(chip)), set.access_key().expect("key"), SessionOptions::default(), &mut |_| {})
            .expect("read");
        let printed = tdverify_mrz::parse(&set.printed_mrz().expect("mrz").join("\n")).expect("parses");
        verify_read(&read, Some(&printed), &set.trust_store().expect("store"), tdverify_pki::now_unix())
    }

    #[test]
    fn every_case_gets_its_exact_verdict() {
        let set = FixtureSet::generate().expect("fixtures");
        for case in ChipCase::ALL {
            let verification = verify_case(&set, case);
            let (id, status) = case.expected();
            let check = verification.check(id).unwrap_or_else(|| panic!("{case:?}: no {id} in {:#?}", verification.checks));
            assert_eq!(check.status, status, "{case:?}: {id}: {}", check.message);
            let failed: Vec<&str> = verification.checks.iter().filter(|c| c.status == CheckStatus::Fail).map(|c| c.id.as_str()).collect();
            match case {
                ChipCase::Genuine | ChipCase::GenuineJpeg2000 => assert!(failed.is_empty(), "{case:?}: {failed:?}"),
                ChipCase::AlteredDg2 => assert_eq!(failed, ["chip.pa.dg_hash.DG2"], "{case:?}"),
                _ => assert!(failed.contains(&id), "{case:?}: {failed:?}"),
            }
        }
    }

    #[test]
    fn missing_sod_fails_passive_authentication() {
        let set = FixtureSet::generate().expect("fixtures");
        let mut dataset = set.dataset(ChipCase::Genuine).expect("dataset");
        dataset.files.remove(&FileId::Sod);
        let read = session::read_chip(ChipSource::Emulator(Box::new(VirtualChip::new(dataset))), set.access_key().expect("key"), SessionOptions::default(), &mut |_| {})
            .expect("read");
        let verification = verify_read(&read, None, &CscaStore::new(), tdverify_pki::now_unix());
        assert_eq!(verification.pa.status, CheckStatus::Fail);
        assert_eq!(report_json(&read, &verification)["pa"]["status"], "failed");
    }
}
