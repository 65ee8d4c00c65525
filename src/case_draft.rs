//! Turns a finished inspection into the draft case the store saves: the same
//! function for the CLI (`inspect --save`) and the GUI (Save as case, autosave),
//! so both keep exactly the same things.

use std::io::Cursor;

use thiserror::Error;

use crate::core::{Capture, CheckStatus};
use crate::inspect::Inspection;
use crate::mrz::MrzDate;
use crate::store::{CaseDraft, CaseMetadata, DocumentIdentity, HolderProfile, StoredCapture};

/// Why an inspection could not be turned into a case.
#[derive(Debug, Error)]
pub enum CaseDraftError {
    /// A capture could not be encoded for storage.
    #[error("encoding the {light} image for the case: {source}")]
    Encode {
        /// Which capture.
        light: crate::core::Light,
        /// The encoder's error.
        source: image::ImageError,
    },
}

/// The draft of a case holding `captures` (both sides of a card, in order; stored
/// lossless as PNG) and `inspection`.
/// Bearer facts (nationality, sex, age) and the document identity come from the MRZ
/// when one was read; they are sealed by the store like the rest. The officer's hand
/// corrections of the MRZ are in the inspection; their count goes to the audit log.
pub fn draft_from_inspection<'a>(
    captures: impl IntoIterator<Item = &'a Capture>,
    inspection: &Inspection,
    today: MrzDate,
) -> Result<CaseDraft, CaseDraftError> {
    let mut stored = Vec::new();
    for capture in captures {
        let mut png = Vec::new();
        capture
            .image
            .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .map_err(|source| CaseDraftError::Encode { light: capture.light, source })?;
        stored.push(StoredCapture { light: capture.light, image: png });
    }
    let fields = inspection.mrz.as_ref().map(|m| &m.report["fields"]);
    let field = |name: &str| fields.and_then(|f| f[name].as_str()).map(str::to_owned).filter(|v| !v.is_empty());
    let failed_checks = inspection.checks.iter().filter(|c| c.status == CheckStatus::Fail).map(|c| c.id.clone()).collect();
    // The SLTD lookup's result goes into the case (and, from there, into exports).
    let sltd = inspection.checks.iter().find(|c| c.id == "sltd.hit").map(|c| c.status);
    let hotlist_result = match sltd {
        Some(CheckStatus::Fail) => "possible_hit",
        Some(CheckStatus::Pass) => "no_hit",
        _ => "not_checked",
    };
    let mut metadata = CaseMetadata {
        proposed_verdict: Some(inspection.verdict.proposed),
        issuing_state: inspection.document.issuer.clone().or_else(|| field("issuing_state")),
        document_code: field("document_code"),
        failed_checks,
        hotlist_result: Some(hotlist_result.to_owned()),
        ..CaseMetadata::default()
    };
    if sltd == Some(CheckStatus::Fail) {
        metadata.context.detection_stage = Some("sltd_hit".to_owned());
    }
    let holder = HolderProfile {
        nationality_claimed: field("nationality"),
        sex: field("sex").filter(|s| s != "<"),
        age_years: field("birth_date").and_then(|birth| age_on(&birth, today)),
        ..HolderProfile::default()
    };
    let document = match (field("issuing_state"), field("document_number")) {
        (Some(issuing_state), Some(number)) => Some(DocumentIdentity { issuing_state, number }),
        _ => None,
    };
    Ok(CaseDraft {
        metadata,
        inspection: serde_json::to_value(inspection).unwrap_or(serde_json::Value::Null),
        captures: stored,
        holder,
        document,
        mrz_hand_fixes: inspection.mrz.as_ref().map_or(0, |m| m.officer_fixes.len()),
        ..CaseDraft::default()
    })
}

/// Whole years from an ISO birth date (`YYYY-MM-DD`; unknown month or day count as
/// January / the 1st) to `today`; `None` when unreadable or in the future.
fn age_on(birth: &str, today: MrzDate) -> Option<u32> {
    let mut parts = birth.splitn(3, '-');
    let year: u16 = parts.next()?.parse().ok()?;
    let month: u8 = parts.next().and_then(|m| m.parse().ok()).unwrap_or(1);
    let day: u8 = parts.next().and_then(|d| d.parse().ok()).unwrap_or(1);
    let (today_month, today_day) = (today.month.unwrap_or(1), today.day.unwrap_or(1));
    let mut age = i32::from(today.year) - i32::from(year);
    if (today_month, today_day) < (month, day) {
        age -= 1;
    }
    u32::try_from(age).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_counts_whole_years_and_refuses_the_future() {
        let today = MrzDate::new(2026, 11, 25);
        assert_eq!(age_on("1974-08-12", today), Some(52));
        assert_eq!(age_on("2000-11-26", today), Some(25));
        assert_eq!(age_on("2000-11-25", today), Some(26));
        assert_eq!(age_on("2030-01-01", today), None);
        assert_eq!(age_on("not a date", today), None);
    }
}
