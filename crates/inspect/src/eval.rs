//! Evaluation of the whole inspection as officers see it, over a folder of
//! fixture documents with ground truth (`truth.json`, schema in
//! `fixtures/README.md`): what verdict each document gets, not only which
//! checks fail. `cargo xtask eval-docs DIR` prints it after the document-check
//! table.
//!
//! Each document is inspected with [`run`] as the CLI does: the MRZ side under
//! white, UV and IR, the other side of a two-sided card, and the bearer's live
//! photo when the folder has one; no chip is read, so forgeries only the chip shows
//! are listed apart; the hotlist is whatever the engines hold (`cargo xtask
//! eval-docs` gives them the set's TEST-ONLY one, so stolen blanks can fail `sltd.hit`).
//!
//! Counting rules (see [`DocumentOutcome`] and [`OfficerReport`]):
//! - a forgery (fraud type forged, counterfeit, pseudo or impostor) whose
//!   ground truth expects some check to fail is **flagged** when one of those
//!   checks failed, or when the proposed verdict is "fraudulent" or "review";
//!   the reason ids are kept (the failed expected checks, else the verdict's);
//! - a **genuine** document (scenario `genuine`) is a false alarm when its
//!   proposed verdict is anything but "genuine"; the verdict's `because_of`
//!   ids are counted, and "recapture" is counted apart as well;
//! - **recapture**: documents whose proposed verdict is "recapture", and those
//!   where at least one check asked for a new capture;
//! - an **expired** document should get "review".
//!
//! The counting is separate from running the engines, so it is tested with
//! hand-made inspections.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tdverify_core::{Capture, CaptureSource, CheckStatus, Light, Verdict};
use tdverify_mrz::MrzDate;

use crate::run::{ChipEvidence, Engines, InspectInput, Inspection, run};

/// Fraud types counted as forgeries an officer must catch (ground truth
/// `fraud_type`). Stolen blanks are genuine prints: only the hotlist shows them.
pub const FORGERY_FRAUD_TYPES: &[&str] = &["forged", "counterfeit", "pseudo", "impostor"];

/// Why the officer evaluation could not run.
#[derive(Debug, thiserror::Error)]
pub enum OfficerEvalError {
    /// A file or folder could not be read.
    #[error("reading {path}: {source}")]
    Read {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// An image could not be decoded.
    #[error("decoding the image {path}: {message}")]
    Image {
        /// The path.
        path: PathBuf,
        /// What the decoder said.
        message: String,
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
    /// An engine the evaluation needs is not loaded: without it the numbers
    /// would describe a degraded program, not what officers see.
    #[error("the {0} engine is not loaded: the officer evaluation needs the real MRZ reader and face comparison (run cargo xtask setup)")]
    MissingEngine(&'static str),
}

/// What the evaluation reads of `truth.json`. Read leniently (unknown fields
/// ignored) so that this crate does not depend on the fixture generator.
#[derive(Debug, Clone, Deserialize)]
pub struct TruthSummary {
    /// Scenario name (`genuine`, `expired`, `viz_altered`…).
    pub scenario: String,
    /// Fraud type (`no_fraud`, `forged`…).
    pub fraud_type: String,
    /// "Today" for the inspection (`YYYY-MM-DD`).
    pub reference_date: String,
    /// Expected outcome per check id (`pass` / `fail`).
    #[serde(default)]
    pub expected_checks: BTreeMap<String, String>,
    /// How the images were captured.
    pub capture: CaptureTruth,
    /// Image files per side.
    #[serde(default)]
    pub sides: Vec<SideTruth>,
    /// The bearer's photo.
    #[serde(default)]
    pub faces: Option<FacesTruth>,
    /// The template the document was drawn on (`UTO/passport`), if any.
    #[serde(default)]
    pub template: Option<String>,
    /// The MRZ the document carries.
    #[serde(default)]
    pub mrz: Option<MrzTruth>,
}

/// The MRZ part of ground truth.
#[derive(Debug, Clone, Deserialize)]
pub struct MrzTruth {
    /// The MRZ lines as issued.
    pub lines: Vec<String>,
}

/// The capture part of ground truth.
#[derive(Debug, Clone, Deserialize)]
pub struct CaptureTruth {
    /// `flatbed`, `camera` or `phone`.
    pub kind: String,
    /// Resolution the page was rendered at (tells 300 from 600 dpi scans).
    #[serde(default)]
    pub render_dpi: Option<f32>,
}

/// One side's image files.
#[derive(Debug, Clone, Deserialize)]
pub struct SideTruth {
    /// Whether this side carries the MRZ.
    #[serde(default)]
    pub has_mrz: bool,
    /// White-light image file.
    pub white: String,
    /// UV image file.
    pub uv: String,
    /// IR image file.
    pub ir: String,
    /// Coaxial-light image file, on sides whose template declares coaxial features
    /// (truth schema 3); without it the coaxial checks are not checked.
    #[serde(default)]
    pub coaxial: Option<String>,
}

/// The faces part of ground truth.
#[derive(Debug, Clone, Deserialize)]
pub struct FacesTruth {
    /// The bearer's live photo file.
    #[serde(default)]
    pub bearer_file: Option<String>,
    /// Who the printed portrait shows.
    #[serde(default)]
    pub portrait_identity: Option<String>,
    /// Who the document was issued to (the ghost image and the chip show them).
    #[serde(default)]
    pub holder_identity: Option<String>,
}

impl TruthSummary {
    /// The capture kind as the set's `index.json` names it: `flatbed_300`,
    /// `flatbed_600`, `camera`, `phone`.
    pub fn capture_label(&self) -> String {
        match (self.capture.kind.as_str(), self.capture.render_dpi) {
            ("flatbed", Some(dpi)) => format!("flatbed_{}", dpi.round() as u32),
            (kind, _) => kind.to_owned(),
        }
    }

    /// What the counting needs to know about the document.
    pub fn expectation(&self) -> Expectation {
        Expectation {
            scenario: self.scenario.clone(),
            fraud_type: self.fraud_type.clone(),
            capture: self.capture_label(),
            template: self.template.clone(),
            expected_to_fail: self.expected_checks.iter().filter(|(_, outcome)| *outcome == "fail").map(|(id, _)| id.clone()).collect(),
        }
    }
}

/// What ground truth says about a document, as far as counting goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    /// Scenario name.
    pub scenario: String,
    /// Fraud type name.
    pub fraud_type: String,
    /// Capture kind label (see [`TruthSummary::capture_label`]).
    pub capture: String,
    /// Template key, if any.
    pub template: Option<String>,
    /// Check ids ground truth expects to fail (chip checks are not among them).
    pub expected_to_fail: Vec<String>,
}

/// One document's inspection, as an officer would see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentOutcome {
    /// Folder name.
    pub id: String,
    /// Scenario name.
    pub scenario: String,
    /// Fraud type name.
    pub fraud_type: String,
    /// Capture kind label.
    pub capture: String,
    /// Template key, if any.
    pub template: Option<String>,
    /// The proposed verdict.
    pub proposed: Verdict,
    /// The ids the proposal rests on.
    pub because_of: Vec<String>,
    /// Every failed check id.
    pub failed: Vec<String>,
    /// Check ids ground truth expects to fail.
    pub expected_to_fail: Vec<String>,
    /// Of those, the ones that did fail.
    pub expected_failures_found: Vec<String>,
    /// Ids of checks that asked for a new capture.
    pub recapture_asked_by: Vec<String>,
    /// Where the MRZ used came from (`ocr:ir`, `ocr:white`…), if one was read.
    pub mrz_source: Option<String>,
    /// Milliseconds in the inspection (images already decoded).
    pub ms: f64,
}

impl DocumentOutcome {
    /// The outcome of `inspection` against what ground truth expects.
    pub fn new(id: impl Into<String>, expectation: &Expectation, inspection: &Inspection, ms: f64) -> DocumentOutcome {
        let mut failed: Vec<String> = Vec::new();
        let mut recapture_asked_by: Vec<String> = Vec::new();
        for check in &inspection.checks {
            if check.status == CheckStatus::Fail && !failed.contains(&check.id) {
                failed.push(check.id.clone());
            }
            if check.recapture.is_some() && !recapture_asked_by.contains(&check.id) {
                recapture_asked_by.push(check.id.clone());
            }
        }
        let expected_failures_found = expectation.expected_to_fail.iter().filter(|id| failed.contains(id)).cloned().collect();
        DocumentOutcome {
            id: id.into(),
            scenario: expectation.scenario.clone(),
            fraud_type: expectation.fraud_type.clone(),
            capture: expectation.capture.clone(),
            template: expectation.template.clone(),
            proposed: inspection.verdict.proposed,
            because_of: inspection.verdict.because_of.clone(),
            failed,
            expected_to_fail: expectation.expected_to_fail.clone(),
            expected_failures_found,
            recapture_asked_by,
            mrz_source: inspection.mrz.as_ref().map(|m| m.source.clone()),
            ms,
        }
    }

    /// A forgery an officer must catch (see [`FORGERY_FRAUD_TYPES`]).
    pub fn is_forgery(&self) -> bool {
        FORGERY_FRAUD_TYPES.contains(&self.fraud_type.as_str())
    }

    /// A forgery the captures and the bearer photo can show: ground truth
    /// expects some check to fail. Chip-only forgeries expect their failures
    /// from the chip, which this evaluation does not read.
    pub fn is_visible_forgery(&self) -> bool {
        self.is_forgery() && !self.expected_to_fail.is_empty()
    }

    /// A check ground truth expects to fail failed, or the verdict is
    /// "fraudulent" or "review": the officer looks at the document.
    pub fn flagged(&self) -> bool {
        !self.expected_failures_found.is_empty() || matches!(self.proposed, Verdict::Fraudulent | Verdict::Review)
    }

    /// Why the document is flagged: the expected failures found, else the
    /// verdict's reasons; empty when not flagged.
    pub fn flag_reasons(&self) -> Vec<String> {
        if !self.expected_failures_found.is_empty() {
            self.expected_failures_found.clone()
        } else if self.flagged() {
            self.because_of.clone()
        } else {
            Vec::new()
        }
    }

    /// The scenario of a genuine document presented by its holder.
    pub fn is_genuine(&self) -> bool {
        self.scenario == "genuine"
    }

    /// The scenario of an expired (otherwise genuine) document.
    pub fn is_expired(&self) -> bool {
        self.scenario == "expired"
    }
}

/// Forgeries flagged.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ForgeryTally {
    /// Forgeries the captures and bearer photo can show.
    pub total: usize,
    /// Of those, flagged.
    pub flagged: usize,
    /// Flagged by a check ground truth expects to fail.
    pub by_expected_check: usize,
    /// Flagged only by a "fraudulent" or "review" verdict resting on other checks.
    pub by_verdict_only: usize,
    /// Documents flagged, per reason id.
    pub reasons: BTreeMap<String, usize>,
    /// Forgeries only the chip shows (not counted: no chip is read), per scenario.
    pub chip_only: BTreeMap<String, usize>,
}

/// Genuine documents and what they came out as.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GenuineTally {
    /// Genuine documents.
    pub total: usize,
    /// Proposed anything but "genuine" (false alarms, recapture included).
    pub not_genuine: usize,
    /// Proposed "recapture".
    pub recapture: usize,
    /// Count per proposed verdict.
    pub verdicts: BTreeMap<String, usize>,
    /// Documents not "genuine", per id in the verdict's `because_of`.
    pub because_of: BTreeMap<String, usize>,
}

/// Requests for a new capture.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RecaptureTally {
    /// Documents.
    pub documents: usize,
    /// Documents whose proposed verdict is "recapture".
    pub proposed: usize,
    /// Documents where at least one check asked for a new capture.
    pub asked_by_a_check: usize,
    /// Documents, per check id that asked.
    pub asked_by: BTreeMap<String, usize>,
}

/// Expired documents, which should get "review".
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ExpiredTally {
    /// Expired documents.
    pub total: usize,
    /// Of those, proposed "review".
    pub review: usize,
}

/// One scenario's row.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ScenarioRow {
    /// Documents.
    pub documents: usize,
    /// Flagged (see [`DocumentOutcome::flagged`]).
    pub flagged: usize,
    /// Count per proposed verdict.
    pub verdicts: BTreeMap<String, usize>,
}

/// One capture kind's row.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CaptureRow {
    /// Documents.
    pub documents: usize,
    /// Forgeries the captures can show.
    pub forgeries: usize,
    /// Of those, flagged.
    pub forgeries_flagged: usize,
    /// Genuine documents.
    pub genuine: usize,
    /// Of those, not proposed "genuine".
    pub genuine_not_genuine: usize,
    /// Of those, proposed "recapture".
    pub genuine_recapture: usize,
    /// Documents (all scenarios) proposed "recapture".
    pub recapture_proposed: usize,
    /// Mean milliseconds per document.
    pub mean_ms: f64,
    /// Slowest document, milliseconds.
    pub max_ms: f64,
}

/// The officer evaluation of one set.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OfficerReport {
    /// What each document was given (always "white, UV, IR, other side,
    /// bearer photo when present; no chip, no hotlist").
    pub inputs: String,
    /// Documents evaluated.
    pub documents: usize,
    /// Forgeries flagged.
    pub forgeries: ForgeryTally,
    /// Genuine documents not proposed "genuine".
    pub genuine: GenuineTally,
    /// Recapture requests over all documents.
    pub recapture: RecaptureTally,
    /// Expired documents proposed "review".
    pub expired: ExpiredTally,
    /// Per scenario.
    pub scenarios: BTreeMap<String, ScenarioRow>,
    /// Photo substitution scenarios per template (`scenario template`).
    pub photo_substitutions_by_template: BTreeMap<String, ScenarioRow>,
    /// Per capture kind.
    pub captures: BTreeMap<String, CaptureRow>,
    /// Mean milliseconds per document.
    pub mean_ms: f64,
    /// Slowest document, milliseconds.
    pub max_ms: f64,
    /// Per document.
    pub results: Vec<DocumentOutcome>,
}

/// What each document is given, said in the report and its table.
pub const INPUTS: &str = "white, UV, IR and coaxial (where the fixture has it) of the MRZ side, the other side of two-sided cards, the bearer photo when present; no chip read, no hotlist";

fn percent(part: usize, whole: usize) -> String {
    if whole == 0 { "-".to_owned() } else { format!("{:.1}%", part as f64 * 100.0 / whole as f64) }
}

fn count_list(counts: &BTreeMap<String, usize>) -> String {
    let mut sorted: Vec<(&String, &usize)> = counts.iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    sorted.iter().map(|(id, n)| format!("{id} ×{n}")).collect::<Vec<_>>().join(", ")
}

impl OfficerReport {
    /// Counts the outcomes (the rules are in the module documentation).
    pub fn from_outcomes(results: Vec<DocumentOutcome>) -> OfficerReport {
        let mut report = OfficerReport { inputs: INPUTS.to_owned(), documents: results.len(), ..OfficerReport::default() };
        for outcome in &results {
            let verdict = outcome.proposed.as_str().to_owned();
            let flagged = outcome.flagged();
            let recapture = outcome.proposed == Verdict::Recapture;

            let row = report.scenarios.entry(outcome.scenario.clone()).or_default();
            row.documents += 1;
            row.flagged += usize::from(flagged);
            *row.verdicts.entry(verdict.clone()).or_default() += 1;

            if outcome.scenario.starts_with("photo_substitution") {
                let key = format!("{} {}", outcome.scenario, outcome.template.as_deref().unwrap_or("-"));
                let row = report.photo_substitutions_by_template.entry(key).or_default();
                row.documents += 1;
                row.flagged += usize::from(flagged);
                *row.verdicts.entry(verdict.clone()).or_default() += 1;
            }

            let capture = report.captures.entry(outcome.capture.clone()).or_default();
            capture.documents += 1;
            capture.recapture_proposed += usize::from(recapture);
            capture.mean_ms += outcome.ms;
            capture.max_ms = capture.max_ms.max(outcome.ms);

            if outcome.is_visible_forgery() {
                report.forgeries.total += 1;
                capture.forgeries += 1;
                if flagged {
                    report.forgeries.flagged += 1;
                    capture.forgeries_flagged += 1;
                    if outcome.expected_failures_found.is_empty() {
                        report.forgeries.by_verdict_only += 1;
                    } else {
                        report.forgeries.by_expected_check += 1;
                    }
                    for id in outcome.flag_reasons() {
                        *report.forgeries.reasons.entry(id).or_default() += 1;
                    }
                }
            } else if outcome.is_forgery() {
                *report.forgeries.chip_only.entry(outcome.scenario.clone()).or_default() += 1;
            }

            if outcome.is_genuine() {
                report.genuine.total += 1;
                capture.genuine += 1;
                *report.genuine.verdicts.entry(verdict.clone()).or_default() += 1;
                if outcome.proposed != Verdict::Genuine {
                    report.genuine.not_genuine += 1;
                    capture.genuine_not_genuine += 1;
                    let mut ids: Vec<&String> = outcome.because_of.iter().collect();
                    ids.sort();
                    ids.dedup();
                    for id in ids {
                        *report.genuine.because_of.entry(id.clone()).or_default() += 1;
                    }
                }
                if recapture {
                    report.genuine.recapture += 1;
                    capture.genuine_recapture += 1;
                }
            }

            report.recapture.documents += 1;
            report.recapture.proposed += usize::from(recapture);
            report.recapture.asked_by_a_check += usize::from(!outcome.recapture_asked_by.is_empty());
            for id in &outcome.recapture_asked_by {
                *report.recapture.asked_by.entry(id.clone()).or_default() += 1;
            }

            if outcome.is_expired() {
                report.expired.total += 1;
                report.expired.review += usize::from(outcome.proposed == Verdict::Review);
            }
        }
        for capture in report.captures.values_mut() {
            capture.mean_ms /= capture.documents.max(1) as f64;
        }
        report.mean_ms = results.iter().map(|r| r.ms).sum::<f64>() / results.len().max(1) as f64;
        report.max_ms = results.iter().map(|r| r.ms).fold(0.0, f64::max);
        report.results = results;
        report
    }

    /// Share of the forgeries the captures can show that were flagged.
    pub fn forgery_flag_rate(&self) -> f64 {
        ratio(self.forgeries.flagged, self.forgeries.total)
    }

    /// Share of genuine documents not proposed "genuine".
    pub fn genuine_false_alarm_rate(&self) -> f64 {
        ratio(self.genuine.not_genuine, self.genuine.total)
    }

    /// Share of all documents proposed "recapture".
    pub fn recapture_rate(&self) -> f64 {
        ratio(self.recapture.proposed, self.recapture.documents)
    }

    /// A plain-text table for the terminal.
    pub fn table(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!("officer evaluation (full inspection; {})\n", self.inputs));
        out.push_str(&format!("documents: {}   mean {:.0} ms/document (max {:.0} ms)\n", self.documents, self.mean_ms, self.max_ms));
        let forgeries = &self.forgeries;
        out.push_str(&format!(
            "forgeries flagged: {}/{} ({})   by an expected check {}, by the verdict alone {}\n",
            forgeries.flagged,
            forgeries.total,
            percent(forgeries.flagged, forgeries.total),
            forgeries.by_expected_check,
            forgeries.by_verdict_only
        ));
        if !forgeries.reasons.is_empty() {
            out.push_str(&format!("  flagged because of: {}\n", count_list(&forgeries.reasons)));
        }
        if !forgeries.chip_only.is_empty() {
            let chip_only: usize = forgeries.chip_only.values().sum();
            out.push_str(&format!("  not counted, only the chip shows them: {chip_only} ({})\n", count_list(&forgeries.chip_only)));
        }
        let genuine = &self.genuine;
        out.push_str(&format!(
            "genuine documents not \"genuine\": {}/{} ({})   of which recapture {}/{} ({})   verdicts: {}\n",
            genuine.not_genuine,
            genuine.total,
            percent(genuine.not_genuine, genuine.total),
            genuine.recapture,
            genuine.total,
            percent(genuine.recapture, genuine.total),
            count_list(&genuine.verdicts)
        ));
        if !genuine.because_of.is_empty() {
            out.push_str(&format!("  because of: {}\n", count_list(&genuine.because_of)));
        }
        let recapture = &self.recapture;
        out.push_str(&format!(
            "recapture proposed: {}/{} ({})   a check asked for a new capture on {}/{}\n",
            recapture.proposed,
            recapture.documents,
            percent(recapture.proposed, recapture.documents),
            recapture.asked_by_a_check,
            recapture.documents
        ));
        if !recapture.asked_by.is_empty() {
            out.push_str(&format!("  asked by: {}\n", count_list(&recapture.asked_by)));
        }
        out.push_str(&format!("expired documents proposed \"review\": {}/{}\n", self.expired.review, self.expired.total));

        out.push_str(&format!(
            "\n{:<12} {:>5} {:>9} {:>8} {:>8} {:>9} {:>9} {:>8} {:>8} {:>8}\n",
            "capture", "docs", "forgeries", "flagged", "genuine", "not gen.", "recapt.g", "recapt.", "mean ms", "max ms"
        ));
        for (name, row) in &self.captures {
            out.push_str(&format!(
                "{:<12} {:>5} {:>9} {:>8} {:>8} {:>9} {:>9} {:>8} {:>8.0} {:>8.0}\n",
                name,
                row.documents,
                row.forgeries,
                row.forgeries_flagged,
                row.genuine,
                row.genuine_not_genuine,
                row.genuine_recapture,
                row.recapture_proposed,
                row.mean_ms,
                row.max_ms
            ));
        }

        let verdicts = [Verdict::Genuine, Verdict::Review, Verdict::Fraudulent, Verdict::Inconclusive, Verdict::Recapture];
        out.push_str(&format!("\n{:<30} {:>5} {:>8}", "scenario", "docs", "flagged"));
        for verdict in verdicts {
            out.push_str(&format!(" {:>12}", verdict.as_str()));
        }
        out.push('\n');
        for (name, row) in &self.scenarios {
            out.push_str(&format!("{:<30} {:>5} {:>8}", name, row.documents, format!("{}/{}", row.flagged, row.documents)));
            for verdict in verdicts {
                out.push_str(&format!(" {:>12}", row.verdicts.get(verdict.as_str()).copied().unwrap_or(0)));
            }
            out.push('\n');
        }

        if !self.photo_substitutions_by_template.is_empty() {
            out.push_str(&format!("\n{:<46} {:>5} {:>8}", "photo substitution by template", "docs", "flagged"));
            for verdict in verdicts {
                out.push_str(&format!(" {:>12}", verdict.as_str()));
            }
            out.push('\n');
            for (name, row) in &self.photo_substitutions_by_template {
                out.push_str(&format!("{:<46} {:>5} {:>8}", name, row.documents, format!("{}/{}", row.flagged, row.documents)));
                for verdict in verdicts {
                    out.push_str(&format!(" {:>12}", row.verdicts.get(verdict.as_str()).copied().unwrap_or(0)));
                }
                out.push('\n');
            }
        }

        let missed: Vec<&DocumentOutcome> = self.results.iter().filter(|r| r.is_visible_forgery() && !r.flagged()).collect();
        if !missed.is_empty() {
            out.push_str("\nforgeries not flagged:\n");
            for r in missed {
                out.push_str(&format!(
                    "  {} ({}): proposed {}; expected to fail {:?}; failed {:?}; MRZ {}\n",
                    r.id,
                    r.capture,
                    r.proposed.as_str(),
                    r.expected_to_fail,
                    r.failed,
                    r.mrz_source.as_deref().unwrap_or("not read")
                ));
            }
        }
        let alarms: Vec<&DocumentOutcome> = self.results.iter().filter(|r| r.is_genuine() && r.proposed != Verdict::Genuine).collect();
        if !alarms.is_empty() {
            out.push_str("\ngenuine documents not \"genuine\":\n");
            for r in alarms {
                out.push_str(&format!("  {} ({}): {} because of {:?}\n", r.id, r.capture, r.proposed.as_str(), r.because_of));
            }
        }
        out
    }
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 { 0.0 } else { part as f64 / whole as f64 }
}

/// What to evaluate.
#[derive(Debug, Clone, Default)]
pub struct OfficerEvalOptions {
    /// Only the first N documents (in folder-name order).
    pub limit: Option<usize>,
    /// Leave the bearer's photo out (a document inspected without its bearer).
    pub without_bearer: bool,
    /// Reads a document folder's chip portrait (DG2) for the face comparison;
    /// the chip's protocol checks are not run. `None`: no chip.
    pub chip_portrait: Option<fn(&Path) -> Option<image::DynamicImage>>,
}

impl OfficerEvalOptions {
    /// What each inspection is given, in words (the report's `inputs`); `hotlist`: whether
    /// the engines hold a hotlist (eval-docs loads the set's TEST-ONLY one).
    pub fn inputs(&self, hotlist: bool) -> String {
        let bearer = if self.without_bearer { "no bearer photo" } else { "the bearer photo when present" };
        let chip = if self.chip_portrait.is_some() { "the chip portrait (DG2) only, no chip protocol checks" } else { "no chip read" };
        let list = if hotlist { "the set's TEST-ONLY hotlist" } else { "no hotlist" };
        format!("white, UV, IR and coaxial (where the fixture has it) of the MRZ side, the other side of two-sided cards, {bearer}; {chip}, {list}")
    }
}

/// Inspects every document folder (holding `truth.json`) directly under `dir`
/// and counts the outcomes. Both the MRZ reader and face comparison must be
/// loaded. `progress(done, total)` is called after each document.
pub fn evaluate_folder(
    dir: &Path,
    engines: &Engines<'_>,
    options: &OfficerEvalOptions,
    mut progress: impl FnMut(usize, usize),
) -> Result<OfficerReport, OfficerEvalError> {
    if engines.ocr.is_none() {
        return Err(OfficerEvalError::MissingEngine("MRZ reader (OCR)"));
    }
    if engines.face.is_none() {
        return Err(OfficerEvalError::MissingEngine("face comparison"));
    }
    let mut folders = tdverify_document::eval::document_folders(dir)
        .map_err(|source| OfficerEvalError::Read { path: dir.to_path_buf(), source })?;
    if let Some(limit) = options.limit {
        folders.truncate(limit);
    }
    if folders.is_empty() {
        return Err(OfficerEvalError::Empty(dir.to_path_buf()));
    }
    let mut outcomes = Vec::with_capacity(folders.len());
    for (done, folder) in folders.iter().enumerate() {
        outcomes.push(evaluate_document_with(folder, engines, options)?);
        progress(done + 1, folders.len());
    }
    Ok(OfficerReport { inputs: options.inputs(engines.hotlist.is_some()), ..OfficerReport::from_outcomes(outcomes) })
}

/// Reads a document's ground truth.
pub fn load_truth_summary(folder: &Path) -> Result<TruthSummary, OfficerEvalError> {
    let path = folder.join("truth.json");
    let text = std::fs::read_to_string(&path).map_err(|source| OfficerEvalError::Read { path: path.clone(), source })?;
    serde_json::from_str(&text).map_err(|e| OfficerEvalError::Truth { path, message: e.to_string() })
}

/// Inspects one document folder as the CLI would and scores the outcome.
pub fn evaluate_document(folder: &Path, engines: &Engines<'_>) -> Result<DocumentOutcome, OfficerEvalError> {
    evaluate_document_with(folder, engines, &OfficerEvalOptions::default())
}

/// [`evaluate_document`] with the bearer left out or the chip portrait added.
pub fn evaluate_document_with(folder: &Path, engines: &Engines<'_>, options: &OfficerEvalOptions) -> Result<DocumentOutcome, OfficerEvalError> {
    let truth = load_truth_summary(folder)?;
    let truth_path = folder.join("truth.json");
    let inspection_date = MrzDate::from_iso(&truth.reference_date)
        .ok_or_else(|| OfficerEvalError::Truth { path: truth_path.clone(), message: format!("reference_date {:?} is not YYYY-MM-DD", truth.reference_date) })?;
    let mrz_side = truth
        .sides
        .iter()
        .find(|side| side.has_mrz)
        .ok_or_else(|| OfficerEvalError::Truth { path: truth_path, message: "no side carries the MRZ".to_owned() })?;
    let captures = load_side(folder, mrz_side)?;
    let other_side = match truth.sides.iter().find(|side| !side.has_mrz) {
        Some(side) => load_side(folder, side)?,
        None => Vec::new(),
    };
    let bearer = match truth.faces.as_ref().and_then(|f| f.bearer_file.as_deref()).map(|file| folder.join(file)) {
        Some(path) if path.is_file() && !options.without_bearer => Some(open_image(&path)?),
        _ => None,
    };
    let chip = options.chip_portrait.and_then(|read| read(folder)).map(|portrait| ChipEvidence { portrait: Some(portrait), ..ChipEvidence::default() });
    let input = InspectInput {
        captures,
        other_side,
        bearer,
        typed_mrz: None,
        officer_mrz_fixes: Vec::new(),
        chip,
        inspection_date,
    };
    let started = Instant::now();
    let inspection = run(&input, engines, &|_, _| {});
    let ms = started.elapsed().as_secs_f64() * 1e3;
    let id = folder.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(DocumentOutcome::new(id, &truth.expectation(), &inspection, ms))
}

pub(crate) fn load_side(folder: &Path, side: &SideTruth) -> Result<Vec<Capture>, OfficerEvalError> {
    let lights = [(Light::White, &side.white), (Light::Uv, &side.uv), (Light::Ir, &side.ir)];
    let coaxial = side.coaxial.as_ref().map(|file| (Light::Coaxial, file));
    lights
        .into_iter()
        .chain(coaxial)
        .map(|(light, file)| {
            let path = folder.join(file);
            let image = open_image(&path)?;
            Ok(Capture { light, image, dpi: None, source: CaptureSource::Fixture(path.display().to_string()) })
        })
        .collect()
}

fn open_image(path: &Path) -> Result<image::DynamicImage, OfficerEvalError> {
    image::open(path).map_err(|e| OfficerEvalError::Image { path: path.to_path_buf(), message: e.to_string() })
}

#[cfg(test)]
mod tests {
    use tdverify_core::{Check, FraudType};

    use super::*;
    use crate::run::DocumentSummary;
    use crate::verdict::propose;

    /// An inspection with a verdict set by hand (not by the rules: the counting
    /// must follow whatever the verdict says).
    fn inspection(checks: Vec<Check>, proposed: Verdict, because_of: &[&str]) -> Inspection {
        let mut verdict = propose(&[]);
        verdict.proposed = proposed;
        verdict.fraud_type = if proposed == Verdict::Genuine { FraudType::NoFraud } else { FraudType::Undetermined };
        verdict.because_of = because_of.iter().map(|s| s.to_string()).collect();
        Inspection {
            document: DocumentSummary::default(),
            mrz: None,
            document_report: None,
            chip: None,
            checks,
            verdict,
            ms: BTreeMap::new(),
            faces: Vec::new(),
        }
    }

    fn expect(scenario: &str, fraud_type: &str, capture: &str, fail: &[&str]) -> Expectation {
        Expectation {
            scenario: scenario.to_owned(),
            fraud_type: fraud_type.to_owned(),
            capture: capture.to_owned(),
            template: None,
            expected_to_fail: fail.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn outcome(id: &str, expectation: Expectation, checks: Vec<Check>, proposed: Verdict, because_of: &[&str], ms: f64) -> DocumentOutcome {
        DocumentOutcome::new(id, &expectation, &inspection(checks, proposed, because_of), ms)
    }

    fn fail(id: &str) -> Check {
        Check::fail(id, "test")
    }

    fn pass(id: &str) -> Check {
        Check::pass(id, "test")
    }

    fn glare(id: &str) -> Check {
        Check { recapture: Some("glare over the MRZ".to_owned()), ..Check::new(id, CheckStatus::Error, "test") }
    }

    #[test]
    fn a_forgery_is_flagged_by_an_expected_failure_or_by_a_fraudulent_or_review_verdict() {
        let by_check = outcome("a", expect("viz_altered", "forged", "camera", &["consistency.viz_vs_mrz"]), vec![fail("consistency.viz_vs_mrz")], Verdict::Genuine, &[], 1.0);
        assert!(by_check.flagged());
        assert_eq!(by_check.flag_reasons(), ["consistency.viz_vs_mrz"]);
        let by_verdict = outcome("b", expect("mrz_altered_white_only", "forged", "phone", &["mrz.lights_agree"]), vec![fail("uv.features")], Verdict::Fraudulent, &["uv.features"], 1.0);
        assert!(by_verdict.flagged());
        assert_eq!(by_verdict.flag_reasons(), ["uv.features"]);
        let review = outcome("c", expect("impostor", "impostor", "flatbed_300", &["face.photo_vs_bearer"]), vec![Check::warn("viz.read", "x")], Verdict::Review, &["viz.read"], 1.0);
        assert!(review.flagged());
        let missed = outcome("d", expect("mrz_altered_white_only", "forged", "flatbed_300", &["mrz.lights_agree"]), vec![pass("mrz.lights_agree")], Verdict::Genuine, &[], 1.0);
        assert!(!missed.flagged());
        assert!(missed.flag_reasons().is_empty());
        let recapture = outcome("e", expect("viz_altered", "forged", "camera", &["consistency.viz_vs_mrz"]), vec![glare("consistency.viz_vs_mrz")], Verdict::Recapture, &["consistency.viz_vs_mrz"], 1.0);
        assert!(!recapture.flagged(), "recapture is not a flag");
        assert_eq!(recapture.recapture_asked_by, ["consistency.viz_vs_mrz"]);
    }

    #[test]
    fn counts_per_set_capture_and_scenario() {
        let outcomes = vec![
            // Two visible forgeries: one flagged by its expected check, one missed.
            outcome("01", expect("viz_altered", "forged", "camera", &["consistency.viz_vs_mrz"]), vec![fail("consistency.viz_vs_mrz"), fail("consistency.viz_vs_mrz")], Verdict::Fraudulent, &["consistency.viz_vs_mrz"], 100.0),
            outcome("02", expect("mrz_altered_white_only", "forged", "flatbed_300", &["mrz.lights_agree"]), vec![pass("mrz.lights_agree")], Verdict::Genuine, &[], 300.0),
            // A chip-only forgery: not counted, listed apart.
            outcome("03", expect("chip_clone", "counterfeit", "flatbed_300", &[]), vec![], Verdict::Genuine, &[], 200.0),
            // Genuine: one clean, one review for a VIZ reading, one recapture for glare.
            outcome("04", expect("genuine", "no_fraud", "flatbed_300", &[]), vec![pass("ir.b900")], Verdict::Genuine, &[], 200.0),
            outcome("05", expect("genuine", "no_fraud", "camera", &[]), vec![Check::warn("viz.mrz.name", "x")], Verdict::Review, &["viz.mrz.name", "viz.mrz.name"], 500.0),
            outcome("06", expect("genuine", "no_fraud", "camera", &[]), vec![glare("uv.features")], Verdict::Recapture, &["uv.features"], 300.0),
            // Expired: one review, one genuine (missed).
            outcome("07", expect("expired", "no_fraud", "phone", &["document.expiry", "mrz.expired"]), vec![fail("document.expiry")], Verdict::Review, &["document.expiry"], 100.0),
            outcome("08", expect("expired", "no_fraud", "phone", &["document.expiry", "mrz.expired"]), vec![], Verdict::Genuine, &[], 100.0),
            // A stolen blank is not a forgery an officer sees without the hotlist.
            outcome("09", expect("stolen_blank", "stolen_blank", "flatbed_600", &["sltd.hit"]), vec![], Verdict::Genuine, &[], 100.0),
        ];
        let report = OfficerReport::from_outcomes(outcomes);
        assert_eq!(report.documents, 9);
        assert_eq!(report.inputs, INPUTS);

        assert_eq!((report.forgeries.total, report.forgeries.flagged), (2, 1));
        assert_eq!((report.forgeries.by_expected_check, report.forgeries.by_verdict_only), (1, 0));
        assert_eq!(report.forgeries.reasons, BTreeMap::from([("consistency.viz_vs_mrz".to_owned(), 1)]));
        assert_eq!(report.forgeries.chip_only, BTreeMap::from([("chip_clone".to_owned(), 1)]));
        assert_eq!(report.forgery_flag_rate(), 0.5);

        assert_eq!((report.genuine.total, report.genuine.not_genuine, report.genuine.recapture), (3, 2, 1));
        assert_eq!(report.genuine.because_of, BTreeMap::from([("viz.mrz.name".to_owned(), 1), ("uv.features".to_owned(), 1)]));
        assert_eq!(report.genuine.verdicts.values().sum::<usize>(), 3);
        assert!((report.genuine_false_alarm_rate() - 2.0 / 3.0).abs() < 1e-9);

        assert_eq!((report.recapture.documents, report.recapture.proposed, report.recapture.asked_by_a_check), (9, 1, 1));
        assert_eq!(report.recapture.asked_by, BTreeMap::from([("uv.features".to_owned(), 1)]));
        assert_eq!((report.expired.total, report.expired.review), (2, 1));

        let scenario = |name: &str| report.scenarios.get(name).cloned().unwrap_or_default();
        assert_eq!((scenario("genuine").documents, scenario("genuine").flagged), (3, 1), "review is a flag, recapture is not");
        assert_eq!(scenario("genuine").verdicts.get("recapture"), Some(&1));
        assert_eq!((scenario("expired").documents, scenario("expired").flagged), (2, 1));
        assert_eq!(report.scenarios.values().map(|row| row.documents).sum::<usize>(), 9);

        let camera = &report.captures["camera"];
        assert_eq!((camera.documents, camera.forgeries, camera.forgeries_flagged), (3, 1, 1));
        assert_eq!((camera.genuine, camera.genuine_not_genuine, camera.genuine_recapture, camera.recapture_proposed), (2, 2, 1, 1));
        assert!((camera.mean_ms - 300.0).abs() < 1e-9 && camera.max_ms == 500.0);
        let flatbed = &report.captures["flatbed_300"];
        assert_eq!((flatbed.documents, flatbed.forgeries, flatbed.forgeries_flagged, flatbed.genuine, flatbed.genuine_not_genuine), (3, 1, 0, 1, 0));
        assert_eq!(report.captures.values().map(|row| row.documents).sum::<usize>(), 9);
        assert!((report.mean_ms - 1900.0 / 9.0).abs() < 1e-9 && report.max_ms == 500.0);

        let table = report.table();
        for expected in [
            "forgeries flagged: 1/2 (50.0%)",
            "genuine documents not \"genuine\": 2/3 (66.7%)   of which recapture 1/3 (33.3%)",
            "recapture proposed: 1/9 (11.1%)",
            "expired documents proposed \"review\": 1/2",
            "not counted, only the chip shows them: 1 (chip_clone ×1)",
            "no chip read",
            "02 (flatbed_300): proposed genuine",
            "05 (camera): review because of [\"viz.mrz.name\", \"viz.mrz.name\"]",
        ] {
            assert!(table.contains(expected), "table lacks {expected:?}:\n{table}");
        }
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["forgeries"]["flagged"], 1);
        assert_eq!(json["results"][1]["proposed"], "genuine");
    }

    #[test]
    fn an_empty_set_has_no_rates_and_no_division_by_zero() {
        let report = OfficerReport::from_outcomes(Vec::new());
        assert_eq!((report.forgery_flag_rate(), report.genuine_false_alarm_rate(), report.recapture_rate()), (0.0, 0.0, 0.0));
        assert!(report.table().contains("forgeries flagged: 0/0 (-)"));
    }

    #[test]
    fn ground_truth_is_read_leniently_and_capture_kinds_follow_the_index() {
        let text = r#"{"schema_version": 1, "scenario": "genuine", "fraud_type": "no_fraud", "reference_date": "2026-01-01",
            "expected_checks": {"ir.b900": "pass", "mrz.lights_agree": "fail"},
            "capture": {"kind": "flatbed", "render_dpi": 600.0, "width": 10},
            "sides": [{"name": "data_page", "has_mrz": true, "white": "white.png", "uv": "uv.png", "ir": "ir.png"}],
            "faces": {"bearer_file": "bearer.jpg", "source": "synthetic"}, "unknown": [1, 2]}"#;
        let truth: TruthSummary = serde_json::from_str(text).unwrap();
        assert_eq!(truth.capture_label(), "flatbed_600");
        assert_eq!(truth.expectation().expected_to_fail, ["mrz.lights_agree"]);
        let camera: TruthSummary =
            serde_json::from_str(r#"{"scenario": "x", "fraud_type": "forged", "reference_date": "2026-01-01", "capture": {"kind": "camera"}}"#).unwrap();
        assert_eq!(camera.capture_label(), "camera");
        assert_eq!(MrzDate::from_iso("2026-01-31"), Some(MrzDate::new(2026, 1, 31)));
        assert_eq!(MrzDate::from_iso("2026-01"), None);
        assert_eq!(MrzDate::from_iso("2026-01-01-x"), None);
        assert_eq!(MrzDate::from_iso("2026-02-30"), None);
    }

    #[test]
    fn a_side_with_a_coaxial_image_loads_it_after_white_uv_and_ir() {
        let dir = tempfile::tempdir().unwrap();
        for (name, shade) in [("white.png", 200u8), ("uv.png", 40), ("ir.png", 120), ("coaxial.png", 90)] {
            image::GrayImage::from_pixel(4, 3, image::Luma([shade])).save(dir.path().join(name)).unwrap();
        }
        let with: SideTruth = serde_json::from_str(
            r#"{"has_mrz": true, "white": "white.png", "uv": "uv.png", "ir": "ir.png", "coaxial": "coaxial.png"}"#,
        )
        .unwrap();
        let captures = load_side(dir.path(), &with).unwrap();
        let lights: Vec<Light> = captures.iter().map(|c| c.light).collect();
        assert_eq!(lights, [Light::White, Light::Uv, Light::Ir, Light::Coaxial]);
        assert_eq!(captures[3].image.to_luma8().get_pixel(0, 0).0, [90]);

        let without: SideTruth =
            serde_json::from_str(r#"{"white": "white.png", "uv": "uv.png", "ir": "ir.png"}"#).unwrap();
        assert_eq!(load_side(dir.path(), &without).unwrap().len(), 3);

        // A coaxial image the truth names but the folder lacks is an error, not a silent skip.
        let missing: SideTruth =
            serde_json::from_str(r#"{"white": "white.png", "uv": "uv.png", "ir": "ir.png", "coaxial": "gone.png"}"#)
                .unwrap();
        assert!(matches!(load_side(dir.path(), &missing), Err(OfficerEvalError::Image { .. })));
    }

    #[test]
    fn missing_engines_and_empty_folders_are_errors() {
        let library = tdverify_document::reference::ReferenceLibrary::from_templates(PathBuf::new(), Vec::new());
        let engines = Engines { library: &library, ocr: None, face: None, hotlist: None };
        let dir = tempfile::tempdir().unwrap();
        let error = evaluate_folder(dir.path(), &engines, &OfficerEvalOptions::default(), |_, _| {}).unwrap_err();
        assert!(matches!(error, OfficerEvalError::MissingEngine(_)), "{error}");
        assert!(error.to_string().contains("cargo xtask setup"));
    }
}
