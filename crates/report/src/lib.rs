//! tdverify-report: the PDF case report an officer prints, signs and files.
//!
//! The report holds no more personal data than the officer's own case record: case id,
//! dates, status, issuing state and document type, the captures with the findings'
//! evidence regions drawn, the checks (chip and face results in their own sections),
//! the proposed and officer verdicts with the fraud classification, notes, and signature
//! lines for officer and supervisor.
//!
//! The PDF is written with `pdf-writer`; text uses a TrueType font read from the system
//! at run time (DejaVu Sans from Debian's fonts-dejavu-core), embedded whole, so no font
//! is committed to the repository. Use [`write_pdf`] (finds the font) or [`render_pdf`]
//! with a [`ReportFont`] you loaded.

#![warn(missing_docs)]

mod error;
mod font;
mod render;
mod training;
mod trends;

pub use error::ReportError;
pub use font::{DEFAULT_FONT_PATHS, ReportFont};
pub use render::render_pdf;
pub use training::{
    ClassSummary, RunRow, TRAINING_MARK, TraineeHistory, TrainingReportInput, WeaknessRow, render_training_report,
    training_csv, write_training_report,
};
pub use trends::{
    PNG_SIZE, TrendReportInput, TrendView, extract_text, render_trend_report, render_view_png, write_trend_report,
    write_view_pngs,
};

use std::path::Path;

use serde::{Deserialize, Serialize};
use tdverify_core::{Check, ForgeryMethod, FraudType, Light, Verdict};

/// The case facts shown in the report's summary: a `CaseView`-like record with
/// strings ready to print, so this crate does not depend on the store.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportCase {
    /// Case id.
    pub case_id: String,
    /// Case status (draft, submitted, reviewed).
    pub status: String,
    /// When the case was opened (UTC, `YYYY-MM-DDTHH:MM:SSZ`).
    pub opened: String,
    /// When the case last changed (UTC).
    pub updated: String,
    /// The officer who opened the case.
    pub officer: String,
    /// The supervisor or expert who reviewed it, if reviewed.
    pub reviewed_by: Option<String>,
    /// When it was reviewed.
    pub reviewed_at: Option<String>,
    /// Issuing state of the document (ICAO code).
    pub issuing_state: Option<String>,
    /// Document type code (`P`, `ID`, `V`…).
    pub document_code: Option<String>,
    /// The verdict the program proposed.
    pub proposed_verdict: Option<Verdict>,
    /// The officer's own verdict.
    pub officer_verdict: Option<Verdict>,
    /// The officer's fraud type, if any.
    pub fraud_type: Option<FraudType>,
    /// The officer's forgery methods.
    pub forgery_methods: Vec<ForgeryMethod>,
    /// Notes already formatted as `date author: text`.
    pub notes: Vec<String>,
}

/// One capture to show, with its light (evidence regions refer to it by light).
#[derive(Debug, Clone, PartialEq)]
pub struct ReportCapture {
    /// Under which light the image was taken.
    pub light: Light,
    /// Encoded image bytes (PNG, JPEG…), as stored in the case.
    pub image: Vec<u8>,
}

/// Everything one report shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportInput {
    /// Summary, verdicts, classification and notes.
    pub case: ReportCase,
    /// Captures, drawn with the evidence regions of `checks`.
    pub captures: Vec<ReportCapture>,
    /// Every check of the inspection; `chip.*` and `face.*` get their own sections.
    pub checks: Vec<Check>,
}

/// Finds the checks in a stored inspection JSON: the first `checks` array (searched
/// breadth-first, a few levels deep) whose items parse as [`Check`], or the value
/// itself when it is such an array. Items that do not parse are skipped, so a newer
/// inspection format never stops a report.
pub fn checks_from_inspection(inspection: &serde_json::Value) -> Vec<Check> {
    fn parse_all(items: &[serde_json::Value]) -> Vec<Check> {
        items
            .iter()
            .filter_map(|item| serde_json::from_value(item.clone()).ok())
            .collect()
    }
    if let serde_json::Value::Array(items) = inspection {
        return parse_all(items);
    }
    let mut level = vec![inspection];
    for _depth in 0..4 {
        let mut next = Vec::new();
        for value in level {
            if let serde_json::Value::Object(map) = value {
                if let Some(serde_json::Value::Array(items)) = map.get("checks") {
                    let checks = parse_all(items);
                    if !checks.is_empty() {
                        return checks;
                    }
                }
                next.extend(map.values().filter(|v| v.is_object()));
            }
        }
        level = next;
    }
    Vec::new()
}

/// The report's input for a stored case: only what the case record itself holds
/// (no holder profile, no document number).
pub fn input_from_case(case: &tdverify_store::Case) -> ReportInput {
    let view = case.to_view();
    ReportInput {
        checks: checks_from_inspection(&view.inspection),
        captures: case
            .captures
            .iter()
            .map(|c| ReportCapture {
                light: c.light,
                image: c.image.clone(),
            })
            .collect(),
        case: ReportCase {
            case_id: view.case_id,
            status: view.status.as_str().to_string(),
            opened: view.opened,
            updated: view.updated,
            officer: view.officer,
            reviewed_by: view.reviewed_by,
            reviewed_at: view.reviewed_at,
            issuing_state: view.metadata.issuing_state,
            document_code: view.metadata.document_code,
            proposed_verdict: view.metadata.proposed_verdict,
            officer_verdict: view.classification.officer_verdict,
            fraud_type: view.classification.fraud_type,
            forgery_methods: view.classification.forgery_methods,
            notes: view
                .notes
                .iter()
                .map(|n| format!("{} {}: {}", n.created, n.author, n.text))
                .collect(),
        },
    }
}

/// Renders the report with the system font and writes it to `path`. Returns the size
/// in bytes. The file is written to a temporary name first and then renamed, so a
/// failure never leaves half a PDF under the requested name.
pub fn write_pdf(input: &ReportInput, path: &Path) -> Result<u64, ReportError> {
    let font = ReportFont::system()?;
    let bytes = render_pdf(input, &font);
    let temporary = path.with_extension("pdf.partial");
    std::fs::write(&temporary, &bytes).map_err(|source| ReportError::Write {
        path: temporary.clone(),
        source,
    })?;
    std::fs::rename(&temporary, path).map_err(|source| ReportError::Write {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(bytes.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tdverify_core::CheckStatus;

    #[test]
    fn finds_checks_at_top_level_and_nested() {
        let check = Check::fail("mrz.check_digit.number", "Bad digit");
        let top = serde_json::json!({"checks": [check.clone()], "verdict": "fraudulent"});
        assert_eq!(checks_from_inspection(&top), vec![check.clone()]);
        let nested =
            serde_json::json!({"inspection": {"result": {"checks": [check.clone(), {"junk": 1}]}}});
        assert_eq!(checks_from_inspection(&nested), vec![check.clone()]);
        let array = serde_json::json!([check.clone()]);
        assert_eq!(checks_from_inspection(&array)[0].status, CheckStatus::Fail);
        assert!(checks_from_inspection(&serde_json::json!({"checks": "no"})).is_empty());
        assert!(checks_from_inspection(&serde_json::Value::Null).is_empty());
    }
}
