//! The trainer's exports of training results (issue 25): a PDF with a class summary
//! and one section per trainee (runs, d′ over runs, weaknesses by fraud type), and a
//! CSV with one row per run. Every PDF page says TRAINING, so a printout is never taken
//! for case data.
//!
//! The input is plain data that does not depend on the training crate: whoever holds
//! the scores converts them into a [`TrainingReportInput`]. The pages are laid out as
//! [`Scene`](crate::trends::chart::Scene)s and written by the same PDF writer as the
//! trend report.

mod csv;
mod pages;
#[cfg(test)]
mod tests;

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::{ReportError, ReportFont};

pub use csv::training_csv;

/// Marking printed on every page of the training report.
pub const TRAINING_MARK: &str = "TRAINING — not case data";

/// Everything the training report shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrainingReportInput {
    /// Title on the first page and in the footer.
    pub title: String,
    /// When the report was made (as the caller wants it printed).
    pub generated_at: String,
    /// The station the results come from.
    pub station: String,
    /// Which trainees and dates the report covers, e.g. "All trainees, 2026-11-01 – 2026-12-07".
    pub scope: String,
    /// One history per trainee, in the order they are printed.
    pub trainees: Vec<TraineeHistory>,
    /// Figures over the whole class.
    pub class: ClassSummary,
}

/// One trainee's results over the sessions they ran.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TraineeHistory {
    /// Trainee name as the trainer knows them.
    pub trainee: String,
    /// Runs oldest first (the d′ chart follows this order).
    pub runs: Vec<RunRow>,
    /// What the trainee missed, per fraud type.
    pub weaknesses: Vec<WeaknessRow>,
}

/// The scores of one run of one session.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunRow {
    /// Session name or id.
    pub session: String,
    /// When the run ended.
    pub finished_at: String,
    /// Documents answered.
    pub items: u32,
    /// Frauds answered "fraudulent".
    pub hits: u32,
    /// Frauds answered "genuine".
    pub misses: u32,
    /// Genuine documents answered "fraudulent".
    pub false_alarms: u32,
    /// Genuine documents answered "genuine".
    pub correct_rejections: u32,
    /// Hit rate as answered (`None`: no fraud in the run).
    pub hit_rate: Option<f64>,
    /// False-alarm rate as answered (`None`: no genuine document in the run).
    pub false_alarm_rate: Option<f64>,
    /// Sensitivity d′ (log-linear corrected rates).
    pub d_prime: f64,
    /// Criterion c (positive: the trainee tends to answer "genuine").
    pub criterion: f64,
    /// Share of defect regions the trainee's marks overlapped.
    pub hotspot_recall: Option<f64>,
    /// Mean seconds per document.
    pub mean_seconds: Option<f64>,
    /// d′ of the face-matching drills, when the run had some.
    pub face_d_prime: Option<f64>,
}

/// Misses of one fraud type.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WeaknessRow {
    /// Fraud type (or forgery method) as printed.
    pub fraud_type: String,
    /// Documents of this type answered "genuine".
    pub missed: u32,
    /// Documents of this type shown.
    pub shown: u32,
}

/// Figures over the whole class.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClassSummary {
    /// Trainees with at least one run.
    pub trainees: u32,
    /// Runs in scope.
    pub runs: u32,
    /// Mean d′ over runs.
    pub mean_d_prime: Option<f64>,
    /// Mean hit rate over runs.
    pub mean_hit_rate: Option<f64>,
    /// Mean false-alarm rate over runs.
    pub mean_false_alarm_rate: Option<f64>,
    /// Misses per fraud type over the class.
    pub by_fraud_type: Vec<WeaknessRow>,
}

/// Renders the training report as an A4 PDF: the class summary first, then one
/// section per trainee; TRAINING on every page, page numbers in the footer.
pub fn render_training_report(input: &TrainingReportInput, font: &ReportFont) -> Result<Vec<u8>, ReportError> {
    let pages = pages::layout(input, font);
    Ok(crate::trends::pdf::document(&pages, font, &input.title))
}

/// Renders the report with the system font and writes it to `path` through a
/// temporary file, so a failure never leaves half a PDF. Returns the size in bytes.
pub fn write_training_report(path: &Path, input: &TrainingReportInput) -> Result<u64, ReportError> {
    let font = ReportFont::system()?;
    let bytes = render_training_report(input, &font)?;
    crate::trends::write_atomically(path, &bytes)?;
    Ok(bytes.len() as u64)
}

/// A rate as a whole percentage, "–" when there is none.
fn percent(rate: Option<f64>) -> String {
    match rate {
        Some(value) if value.is_finite() => format!("{:.0} %", value * 100.0),
        _ => "–".to_string(),
    }
}

/// A score with two decimals, "–" when there is none.
fn decimal(value: Option<f64>) -> String {
    match value {
        Some(value) if value.is_finite() => format!("{value:.2}"),
        _ => "–".to_string(),
    }
}
