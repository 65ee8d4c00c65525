use serde::{Deserialize, Serialize};

use crate::Light;

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// The property holds.
    Pass,
    /// The property does not hold: a sign of fraud or of a defective document.
    Fail,
    /// Something an officer should look at, not proof of fraud (poor image, near threshold…).
    Warn,
    /// The check does not apply to this document or these captures.
    NotApplicable,
    /// The check could not be run (unreadable input, missing data); says nothing about the document.
    Error,
    /// The check ran but its reading is not trustworthy enough to conclude
    /// (print faded or under glare): the officer compares by eye. Says nothing
    /// about the document and never changes the proposed verdict by itself.
    NotChecked,
}

impl CheckStatus {
    /// Stable name used in JSON and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Pass => "pass",
            CheckStatus::Fail => "fail",
            CheckStatus::Warn => "warn",
            CheckStatus::NotApplicable => "not_applicable",
            CheckStatus::Error => "error",
            CheckStatus::NotChecked => "not_checked",
        }
    }

    /// Severity for sorting: failures first, passes last.
    pub fn severity(self) -> u8 {
        match self {
            CheckStatus::Fail => 4,
            CheckStatus::Error => 3,
            CheckStatus::Warn => 2,
            CheckStatus::NotChecked => 2,
            CheckStatus::Pass => 1,
            CheckStatus::NotApplicable => 0,
        }
    }
}

/// An axis-aligned rectangle in pixels of the capture it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rect {
    /// Left edge in pixels.
    pub x: f32,
    /// Top edge in pixels.
    pub y: f32,
    /// Width in pixels.
    pub w: f32,
    /// Height in pixels.
    pub h: f32,
}

impl Rect {
    /// A rectangle from its left, top, width and height.
    pub fn new(x: f32, y: f32, w: f32, h: f32) -> Rect {
        Rect { x, y, w, h }
    }
}

/// Where a finding can be seen: a light's capture and a region of it, or a
/// non-image source such as the chip (then `light` and `region` are `None`
/// and `source` says where, e.g. `chip:DG1`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Evidence {
    /// The capture the region belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub light: Option<Light>,
    /// The region on that capture.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Rect>,
    /// A non-image source (`mrz:line2:0-9`, `chip:DG1`, `face:bearer`…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// What is to be seen there, e.g. measured vs expected values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Which side of the document the capture shows: 0 (or absent) for the side
    /// inspected first (the MRZ side), 1 for the other side of a two-sided card.
    #[serde(default, skip_serializing_if = "is_first_side")]
    pub page: u8,
}

fn is_first_side(page: &u8) -> bool {
    *page == 0
}

impl Evidence {
    /// Evidence on an image region.
    pub fn region(light: Light, region: Rect) -> Evidence {
        Evidence { light: Some(light), region: Some(region), ..Evidence::default() }
    }

    /// Evidence from a named non-image source.
    pub fn source(source: impl Into<String>) -> Evidence {
        Evidence { source: Some(source.into()), ..Evidence::default() }
    }

    /// The same evidence, on side `page` of the document (see [`Evidence::page`]).
    pub fn on_page(mut self, page: u8) -> Evidence {
        self.page = page;
        self
    }

    /// Adds a detail line (measured vs expected…).
    pub fn with_detail(mut self, detail: impl Into<String>) -> Evidence {
        self.detail = Some(detail.into());
        self
    }
}

/// One finding about a document or bearer.
///
/// `id` is a stable dotted name (`mrz.check_digit.number`, `ir.b900`…) that the
/// UI, reports, exports and training scores rely on; see `docs/CHECKS.md`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// Stable dotted identifier.
    pub id: String,
    /// Outcome.
    pub status: CheckStatus,
    /// How sure the check is of its status, 0.0 to 1.0.
    pub confidence: f32,
    /// A sentence an officer understands.
    pub message: String,
    /// Where to see it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    /// Set when the check could not run (status `error`) because of the capture
    /// (glare over the zone it reads, blur, the zone outside the image): what to
    /// capture again. The proposed verdict is then "recapture", not "review".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recapture: Option<String>,
}

impl Check {
    /// A check with full confidence and no evidence yet.
    pub fn new(id: impl Into<String>, status: CheckStatus, message: impl Into<String>) -> Check {
        Check { id: id.into(), status, confidence: 1.0, message: message.into(), evidence: Vec::new(), recapture: None }
    }

    /// A check that could not run because of the capture: status `error`, with
    /// what to capture again (see [`Check::recapture`]).
    pub fn needs_recapture(id: impl Into<String>, message: impl Into<String>, what_to_recapture: impl Into<String>) -> Check {
        Check { recapture: Some(what_to_recapture.into()), ..Check::new(id, CheckStatus::Error, message) }
    }

    /// A check whose reading could not be trusted: status `not_checked`, the
    /// officer compares by eye (see [`CheckStatus::NotChecked`]).
    pub fn not_checked(id: impl Into<String>, message: impl Into<String>) -> Check {
        Check::new(id, CheckStatus::NotChecked, message)
    }

    /// Shorthand for a passing check.
    pub fn pass(id: impl Into<String>, message: impl Into<String>) -> Check {
        Check::new(id, CheckStatus::Pass, message)
    }

    /// Shorthand for a failing check.
    pub fn fail(id: impl Into<String>, message: impl Into<String>) -> Check {
        Check::new(id, CheckStatus::Fail, message)
    }

    /// Shorthand for a warning.
    pub fn warn(id: impl Into<String>, message: impl Into<String>) -> Check {
        Check::new(id, CheckStatus::Warn, message)
    }

    /// Sets the confidence (clamped to 0..=1).
    pub fn with_confidence(mut self, confidence: f32) -> Check {
        self.confidence = if confidence.is_nan() { 0.0 } else { confidence.clamp(0.0, 1.0) };
        self
    }

    /// Adds one piece of evidence.
    pub fn with_evidence(mut self, evidence: Evidence) -> Check {
        self.evidence.push(evidence);
        self
    }
}

/// One row of the check-id table: every domain crate publishes the ids it can emit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckIdInfo {
    /// The stable id, or a prefix ending in `.*` for a family (`mrz.check_digit.*`).
    pub id: &'static str,
    /// What it checks, in one line.
    pub meaning: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_serialises_with_stable_names() {
        let check = Check::fail("ir.b900", "MRZ not visible in IR")
            .with_confidence(1.7)
            .with_evidence(Evidence::region(Light::Ir, Rect::new(1.0, 2.0, 3.0, 4.0)));
        let json = serde_json::to_value(&check).unwrap();
        assert_eq!(json["status"], "fail");
        assert_eq!(json["confidence"], 1.0);
        assert_eq!(json["evidence"][0]["light"], "ir");
        let back: Check = serde_json::from_value(json).unwrap();
        assert_eq!(back, check);
    }

    #[test]
    fn nan_confidence_becomes_zero() {
        assert_eq!(Check::pass("x", "y").with_confidence(f32::NAN).confidence, 0.0);
    }
}
