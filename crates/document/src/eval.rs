//! Evaluation of the document checks over a folder of fixture documents with
//! ground truth (`truth.json` per document, schema in `fixtures/README.md`):
//! detection rate per scenario and fraud type, false alarms on genuine
//! documents, per-check confusion against the expected outcomes, and time per
//! document. `cargo xtask eval-docs DIR` prints it.
//!
//! The MRZ given to the checks is the one printed on the document (from ground
//! truth), standing in for the MRZ stage's reading, so these numbers measure
//! the document checks alone. Only check ids this crate emits are scored;
//! scenarios whose expected failures all belong to other stages (chip, face,
//! SLTD, MRZ check digits) are reported as outside this stage.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;
use tdverify_core::{Capture, CaptureSource, CheckStatus, Light};
use tdverify_mrz::MrzDate;

use crate::checks::document::{DocumentOptions, check_document_with};
use crate::reference::ReferenceLibrary;

/// Check ids this crate emits that ground truth scores.
pub const SCORED_IDS: &[&str] = &[
    "document.template_match",
    "document.layout",
    "document.expiry",
    "ir.b900",
    "ir.zones",
    "uv.dull_paper",
    "uv.features",
    "photo.integrity",
    "mrz.print",
    "consistency.viz_vs_mrz",
    "viz.mrz.document_number",
    "viz.mrz.birth_date",
    "viz.mrz.expiry_date",
    "viz.mrz.name",
];

/// Why an evaluation could not run.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// A file or folder could not be read.
    #[error("reading {path}: {source}")]
    Read {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A ground-truth file is malformed.
    #[error("ground truth {path} is malformed: {message}")]
    Truth {
        /// The path.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// No document folder was found.
    #[error("no document with truth.json under {0}")]
    Empty(PathBuf),
}

/// Outcome counts of one check against expectations.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Confusion {
    /// Expected fail, got fail.
    pub true_fail: usize,
    /// Expected pass, got fail (false alarm).
    pub false_fail: usize,
    /// Expected fail, got pass (missed).
    pub missed: usize,
    /// Expected pass, got pass.
    pub true_pass: usize,
    /// Got warn, not applicable or error (not decided).
    pub undecided: usize,
}

/// Per-scenario detection.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ScenarioResult {
    /// Documents of the scenario.
    pub documents: usize,
    /// Documents with at least one failing document check.
    pub flagged: usize,
    /// Documents whose expected failures include a check of this stage.
    pub detectable: usize,
    /// Detectable documents flagged.
    pub detectable_flagged: usize,
}

/// One document's outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentResult {
    /// Folder name.
    pub id: String,
    /// Scenario.
    pub scenario: String,
    /// Whether any check failed.
    pub flagged: bool,
    /// Checks that disagreed with ground truth: (id, expected, got, message).
    pub disagreements: Vec<(String, String, String, String)>,
    /// Milliseconds in check_document (all sides, images already decoded).
    pub ms: f64,
}

/// The whole evaluation.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EvalReport {
    /// Documents evaluated.
    pub documents: usize,
    /// Per scenario.
    pub scenarios: BTreeMap<String, ScenarioResult>,
    /// Per fraud type (`no_fraud` includes expired documents).
    pub fraud_types: BTreeMap<String, ScenarioResult>,
    /// Per check id.
    pub checks: BTreeMap<String, Confusion>,
    /// Per document.
    pub results: Vec<DocumentResult>,
    /// Mean ms per document.
    pub mean_ms: f64,
    /// Slowest document, ms.
    pub max_ms: f64,
}

impl EvalReport {
    /// Share of detectable forgeries flagged.
    pub fn detection_rate(&self) -> f64 {
        let (mut n, mut hit) = (0, 0);
        for (name, s) in &self.scenarios {
            if name != "genuine" && name != "expired" {
                n += s.detectable;
                hit += s.detectable_flagged;
            }
        }
        if n == 0 { 0.0 } else { hit as f64 / n as f64 }
    }

    /// Share of genuine documents flagged.
    pub fn false_alarm_rate(&self) -> f64 {
        self.scenarios
            .get("genuine")
            .map(|s| {
                if s.documents == 0 {
                    0.0
                } else {
                    s.flagged as f64 / s.documents as f64
                }
            })
            .unwrap_or(0.0)
    }

    /// A plain-text table for the terminal.
    pub fn table(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!(
            "documents: {}   mean {:.0} ms/document (max {:.0} ms)\n",
            self.documents, self.mean_ms, self.max_ms
        ));
        out.push_str(&format!(
            "detection (forgeries this stage can see): {:.1}%   false alarms on genuine: {:.1}%\n\n",
            self.detection_rate() * 100.0,
            self.false_alarm_rate() * 100.0
        ));
        out.push_str(&format!(
            "{:<30} {:>5} {:>8} {:>11} {:>9}\n",
            "scenario", "docs", "flagged", "detectable", "det.flag"
        ));
        for (name, s) in &self.scenarios {
            out.push_str(&format!(
                "{:<30} {:>5} {:>8} {:>11} {:>9}\n",
                name, s.documents, s.flagged, s.detectable, s.detectable_flagged
            ));
        }
        out.push_str(&format!(
            "\n{:<30} {:>5} {:>8} {:>11} {:>9}\n",
            "fraud type", "docs", "flagged", "detectable", "det.flag"
        ));
        for (name, s) in &self.fraud_types {
            out.push_str(&format!(
                "{:<30} {:>5} {:>8} {:>11} {:>9}\n",
                name, s.documents, s.flagged, s.detectable, s.detectable_flagged
            ));
        }
        out.push_str(&format!(
            "\n{:<26} {:>9} {:>10} {:>7} {:>9} {:>9}\n",
            "check", "true_fail", "false_fail", "missed", "true_pass", "undecided"
        ));
        for (id, c) in &self.checks {
            out.push_str(&format!(
                "{:<26} {:>9} {:>10} {:>7} {:>9} {:>9}\n",
                id, c.true_fail, c.false_fail, c.missed, c.true_pass, c.undecided
            ));
        }
        let wrong: Vec<&DocumentResult> = self
            .results
            .iter()
            .filter(|r| !r.disagreements.is_empty())
            .collect();
        if !wrong.is_empty() {
            out.push_str("\ndisagreements:\n");
            for r in wrong {
                for (id, expected, got, message) in &r.disagreements {
                    out.push_str(&format!(
                        "  {} {}: expected {}, got {} — {}\n",
                        r.id, id, expected, got, message
                    ));
                }
            }
        }
        out
    }
}

fn truth_error(path: &Path, message: impl Into<String>) -> EvalError {
    EvalError::Truth {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// The document folders of a fixture set: those directly under `dir` that hold
/// a `truth.json`, in name order (so every evaluation sees the same order).
pub fn document_folders(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut folders = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.join("truth.json").is_file() {
            folders.push(path);
        }
    }
    folders.sort();
    Ok(folders)
}

/// Evaluates every document folder (holding `truth.json`) directly under `dir`.
pub fn evaluate_folder(
    dir: &Path,
    library: &ReferenceLibrary,
    limit: Option<usize>,
) -> Result<EvalReport, EvalError> {
    let mut folders = document_folders(dir).map_err(|source| EvalError::Read {
        path: dir.to_path_buf(),
        source,
    })?;
    if let Some(limit) = limit {
        folders.truncate(limit);
    }
    if folders.is_empty() {
        return Err(EvalError::Empty(dir.to_path_buf()));
    }
    let mut report = EvalReport::default();
    for folder in &folders {
        let result = evaluate_document(folder, library, &mut report)?;
        report.results.push(result);
    }
    report.documents = report.results.len();
    let total: f64 = report.results.iter().map(|r| r.ms).sum();
    report.mean_ms = total / report.documents.max(1) as f64;
    report.max_ms = report.results.iter().map(|r| r.ms).fold(0.0, f64::max);
    Ok(report)
}

fn load(path: &Path, light: Light) -> Result<Capture, EvalError> {
    let image = image::open(path).map_err(|error| EvalError::Read {
        path: path.to_path_buf(),
        source: std::io::Error::other(error.to_string()),
    })?;
    Ok(Capture {
        light,
        image,
        dpi: None,
        source: CaptureSource::Fixture(path.display().to_string()),
    })
}

fn evaluate_document(
    folder: &Path,
    library: &ReferenceLibrary,
    report: &mut EvalReport,
) -> Result<DocumentResult, EvalError> {
    let truth_path = folder.join("truth.json");
    let text = std::fs::read_to_string(&truth_path).map_err(|source| EvalError::Read {
        path: truth_path.clone(),
        source,
    })?;
    let truth: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| truth_error(&truth_path, e.to_string()))?;
    let scenario = truth["scenario"]
        .as_str()
        .ok_or_else(|| truth_error(&truth_path, "no scenario"))?
        .to_string();
    let fraud_type = truth["fraud_type"]
        .as_str()
        .unwrap_or("undetermined")
        .to_string();
    let today = truth["reference_date"]
        .as_str()
        .and_then(MrzDate::from_iso)
        .ok_or_else(|| truth_error(&truth_path, "no reference_date"))?;
    let lines: Vec<String> = truth["mrz"]["lines"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|l| l.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let mrz = tdverify_mrz::parse(&lines.join("\n")).ok();
    let expected: BTreeMap<String, String> = truth["expected_checks"]
        .as_object()
        .map(|o| {
            o.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                .collect()
        })
        .unwrap_or_default();
    let sides = truth["sides"].as_array().cloned().unwrap_or_default();
    let mut outcomes: BTreeMap<String, (CheckStatus, String)> = BTreeMap::new();
    let mut ms = 0.0;
    for side in &sides {
        let mut captures = Vec::new();
        for (key, light) in [
            ("white", Light::White),
            ("uv", Light::Uv),
            ("ir", Light::Ir),
            ("coaxial", Light::Coaxial),
        ] {
            if let Some(file) = side[key].as_str() {
                captures.push(load(&folder.join(file), light)?);
            }
        }
        let options = DocumentOptions {
            today,
            side: None,
            viz: None,
        };
        let start = Instant::now();
        let document =
            check_document_with(&captures, library, mrz.as_ref(), &options, &mut |_, _| {});
        ms += start.elapsed().as_secs_f64() * 1000.0;
        for check in document.checks {
            let entry = outcomes
                .entry(check.id.clone())
                .or_insert((check.status, check.message.clone()));
            // Fail wins over pass, pass over undecided.
            let rank = |s: CheckStatus| match s {
                CheckStatus::Fail => 3,
                CheckStatus::Pass => 2,
                _ => 1,
            };
            if rank(check.status) > rank(entry.0) {
                *entry = (check.status, check.message);
            }
        }
    }
    let flagged = outcomes
        .iter()
        .any(|(id, (s, _))| *s == CheckStatus::Fail && !id.starts_with("capture."));
    let detectable = expected
        .iter()
        .any(|(id, e)| e == "fail" && SCORED_IDS.contains(&id.as_str()));
    let mut disagreements = Vec::new();
    for id in SCORED_IDS {
        let Some(want) = expected.get(*id) else {
            continue;
        };
        let (got, message) = outcomes
            .get(*id)
            .cloned()
            .unwrap_or((CheckStatus::NotApplicable, "not emitted".into()));
        let confusion = report.checks.entry(id.to_string()).or_default();
        match (want.as_str(), got) {
            ("fail", CheckStatus::Fail) => confusion.true_fail += 1,
            ("pass", CheckStatus::Fail) => confusion.false_fail += 1,
            ("fail", CheckStatus::Pass) => confusion.missed += 1,
            ("pass", CheckStatus::Pass) => confusion.true_pass += 1,
            _ => confusion.undecided += 1,
        }
        let agrees = matches!(
            (want.as_str(), got),
            ("fail", CheckStatus::Fail) | ("pass", CheckStatus::Pass)
        );
        let undecided = !matches!(got, CheckStatus::Fail | CheckStatus::Pass);
        if !(agrees || (undecided && want == "pass")) {
            disagreements.push((
                id.to_string(),
                want.clone(),
                got.as_str().to_string(),
                message,
            ));
        }
    }
    let s = report.scenarios.entry(scenario.clone()).or_default();
    s.documents += 1;
    s.flagged += usize::from(flagged);
    s.detectable += usize::from(detectable);
    s.detectable_flagged += usize::from(detectable && flagged);
    let f = report.fraud_types.entry(fraud_type).or_default();
    f.documents += 1;
    f.flagged += usize::from(flagged);
    f.detectable += usize::from(detectable);
    f.detectable_flagged += usize::from(detectable && flagged);
    let id = folder
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    Ok(DocumentResult {
        id,
        scenario,
        flagged,
        disagreements,
        ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_folder_is_an_error() {
        let dir = std::env::temp_dir().join(format!("tdverify-eval-empty-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let library = ReferenceLibrary::from_templates(PathBuf::new(), Vec::new());
        assert!(matches!(
            evaluate_folder(&dir, &library, None),
            Err(EvalError::Empty(_))
        ));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn dates_parse() {
        assert_eq!(MrzDate::from_iso("2026-01-01"), Some(MrzDate::new(2026, 1, 1)));
        assert_eq!(MrzDate::from_iso("x"), None);
    }
}
