//! `face.photo_vs_ghost`: the printed portrait against the ghost image the
//! template declares, on the same capture. It needs no chip and no bearer: a
//! portrait replaced cleanly (no edge, no shadow, same paper) still disagrees
//! with the ghost image the forger left alone.

use tdverify_core::{Check, CheckStatus, Evidence, Light};
use tdverify_document::checks::photo::PortraitCopy;
use tdverify_document::quality::QualityMeasure;
use tdverify_document::reference::ZoneKind;
use tdverify_face::ghost::{GHOST_THRESHOLDS, GhostComparison};
use tdverify_face::{Decision, FaceEngine};

use crate::run::FaceView;

/// The check id.
pub const ID: &str = "face.photo_vs_ghost";

/// The ghost comparison's outcome: the check, and the faces for the side-by-side view.
#[derive(Debug, Clone)]
pub struct GhostOutcome {
    /// `face.photo_vs_ghost`.
    pub check: Check,
    /// The ghost image's enhanced face (source `ghost`), when one was found.
    pub views: Vec<FaceView>,
    /// The similarity, when both faces were found.
    pub score: Option<f32>,
}

/// Largest perspective (corner-angle deviation, degrees) of a capture that
/// counts as scanned flat. Flatbed scans of the tuning sets measured ≤ 0.1°,
/// camera and phone photographs 0.2–12°.
pub const FLAT_SCAN_MAX_SKEW_DEG: f32 = 0.25;

/// Smallest resolution (pixels per millimetre, about 254 dpi) of a capture that
/// counts as scanned flat.
pub const FLAT_SCAN_MIN_PX_PER_MM: f32 = 10.0;

/// Whether every white capture was scanned flat: no more perspective than
/// [`FLAT_SCAN_MAX_SKEW_DEG`] and at least [`FLAT_SCAN_MIN_PX_PER_MM`].
pub fn scanned_flat(quality: &[QualityMeasure]) -> bool {
    let mut whites = quality.iter().filter(|q| q.light == Light::White).peekable();
    whites.peek().is_some() && whites.all(|q| q.skew_deg <= FLAT_SCAN_MAX_SKEW_DEG && q.px_per_mm >= FLAT_SCAN_MIN_PX_PER_MM)
}

/// Smallest share of the ghost image zone under glare that can hide its face.
pub const GHOST_GLARE_SHARE: f32 = 0.05;

/// What to capture again when glare hid the ghost image's face.
pub const RECAPTURE_GHOST: &str = "Capture the side with the ghost image again without glare on it (tilt the document or move the lamp)";

/// Compares the portrait with the ghost image of the same side. `None` when the
/// template declares no ghost image (nothing to compare: no check at all).
///
/// `glare_over_ghost` is the share of the ghost image zone under glare (white
/// light). When glare hid the ghost's face and nothing else vouches for the
/// printed portrait (`portrait_confirmed_by_chip` false: the chip's portrait
/// did not match it) on a flat scan, the check asks for a recapture: without
/// it a clean photo substitution goes unseen.
///
/// `flat_scan`: the white capture was scanned flat (see [`scanned_flat`]).
/// On a photographed page (perspective, blur, noise) the faint ghost image
/// scores too unevenly to call different people: there only a match is
/// reported, and a low score asks the officer to compare by eye.
pub fn compare(copies: &[PortraitCopy], engine: &FaceEngine, glare_over_ghost: f32, portrait_confirmed_by_chip: bool, flat_scan: bool) -> Option<GhostOutcome> {
    let ghost = copies.iter().find(|c| c.kind == ZoneKind::GhostImage)?;
    let evidence_of = |copy: &PortraitCopy| Evidence::region(copy.light, copy.region).on_page(copy.page);
    // The portrait on the same side as the ghost image, else any.
    let Some(portrait) = copies.iter().filter(|c| c.kind == ZoneKind::Photo).min_by_key(|c| c.page != ghost.page) else {
        return Some(GhostOutcome {
            check: Check::not_checked(ID, "The template's portrait zone was not captured, so the ghost image could not be compared: compare it with the portrait by eye")
                .with_evidence(evidence_of(ghost)),
            views: Vec::new(),
            score: None,
        });
    };
    let outcome = match engine.compare_with_ghost(&portrait.image, &ghost.image) {
        Ok(comparison) => outcome(&comparison, portrait, ghost, flat_scan),
        Err(e) => GhostOutcome {
            check: Check::new(ID, CheckStatus::Error, format!("The portrait and the ghost image could not be compared ({e}): compare them by eye")),
            views: Vec::new(),
            score: None,
        },
    };
    // On a photographed page a new capture could only confirm a match: no request.
    let outcome = settle_hidden_ghost(outcome, glare_over_ghost, portrait_confirmed_by_chip || !flat_scan);
    let GhostOutcome { check, views, score } = outcome;
    Some(GhostOutcome { check: check.with_evidence(evidence_of(portrait)).with_evidence(evidence_of(ghost)), views, score })
}

/// No face in the ghost image while glare lies over it: the capture, not the
/// document, stopped the comparison. Ask for a recapture, unless it would not
/// change the outcome (`no_recapture_needed`: the chip's portrait already
/// vouches for the printed one, or the page was photographed).
fn settle_hidden_ghost(outcome: GhostOutcome, glare_over_ghost: f32, no_recapture_needed: bool) -> GhostOutcome {
    let ghost_hidden_by_glare = outcome.score.is_none()
        && outcome.check.status == CheckStatus::NotChecked
        && outcome.views.iter().any(|v| v.source == "photo")
        && glare_over_ghost >= GHOST_GLARE_SHARE;
    let check = if ghost_hidden_by_glare {
        let message = format!(
            "No face could be made out in the ghost image: glare covers {:.0} % of it, so the portrait could not be compared with it",
            glare_over_ghost * 100.0
        );
        if no_recapture_needed {
            Check::not_checked(ID, format!("{message}: compare them by eye"))
        } else {
            Check::needs_recapture(ID, message, RECAPTURE_GHOST)
        }
    } else {
        outcome.check
    };
    GhostOutcome { check, ..outcome }
}

fn outcome(comparison: &GhostComparison, portrait: &PortraitCopy, ghost: &PortraitCopy, flat_scan: bool) -> GhostOutcome {
    // The zone's box on the capture (the crops are upright, the capture may not be).
    let view = |source: &'static str, copy: &PortraitCopy, analysis: &tdverify_face::FaceAnalysis| FaceView {
        source,
        region: Some((copy.light, copy.region)),
        page: copy.page,
        aligned: analysis.aligned.clone(),
    };
    let views = [view("photo", portrait, &comparison.portrait), view("ghost", ghost, &comparison.ghost)]
        .into_iter()
        .filter(|v| v.aligned.is_some())
        .collect();
    let Some(score) = comparison.score else {
        let which = if comparison.portrait.face.is_none() {
            "no face was found in the portrait zone"
        } else {
            "no face could be made out in the ghost image (too faint, covered or worn)"
        };
        return GhostOutcome {
            check: Check::not_checked(ID, format!("Portrait and ghost image not compared: {which}. Compare them by eye")),
            views,
            score: None,
        };
    };
    let thresholds = &GHOST_THRESHOLDS;
    let decision = thresholds.decide(score);
    let detail = format!("score {score:.3}; {}", thresholds.explain(decision));
    let check = match decision {
        Decision::NoMatch | Decision::Review if !flat_scan => Check::not_checked(
            ID,
            "The ghost image on this photographed page is too faint and uneven to tell whether it shows the portrait's person: compare them by eye, or scan the page flat at 300 dpi",
        ),
        Decision::Match => Check::pass(ID, "The portrait and the ghost image show the same person"),
        Decision::NoMatch => Check::fail(
            ID,
            "The portrait and the ghost image show different people: the portrait may have been replaced. Compare them side by side",
        ),
        Decision::Review => Check::warn(ID, "The portrait and the ghost image may show different people: compare them side by side"),
        Decision::NoFace => Check::not_checked(ID, "Portrait and ghost image not compared: compare them by eye"),
    };
    let check = Check { confidence: if decision == Decision::Review { 0.5 } else { 0.9 }, ..check };
    GhostOutcome { check: check.with_evidence(Evidence::source("face:photo+face:ghost").with_detail(detail)), views, score: Some(score) }
}

#[cfg(test)]
mod tests {
    use image::RgbImage;
    use tdverify_core::{Light, Rect};
    use tdverify_face::detect::{FaceDetection, Landmarks, Point};
    use tdverify_face::{FaceAnalysis, QualityReport};

    use super::*;

    fn analysis(face: bool) -> FaceAnalysis {
        let point = Point { x: 0.0, y: 0.0 };
        let detection = FaceDetection {
            rect: Rect::new(10.0, 10.0, 50.0, 60.0),
            score: 0.99,
            landmarks: Landmarks { left_eye: point, right_eye: point, nose: point, mouth_left: point, mouth_right: point },
        };
        FaceAnalysis {
            faces: if face { vec![detection] } else { Vec::new() },
            face: face.then_some(detection),
            aligned: face.then(|| RgbImage::new(112, 112)),
            embedding: None,
            quality: QualityReport::default(),
            ms: 1.0,
            grey: true,
        }
    }

    fn copy(kind: ZoneKind) -> PortraitCopy {
        PortraitCopy { kind, zone: "zone".to_owned(), light: Light::White, region: Rect::new(0.0, 0.0, 100.0, 120.0), page: 0, image: RgbImage::new(40, 50) }
    }

    fn compared(score: Option<f32>, ghost_face: bool) -> GhostOutcome {
        let comparison = GhostComparison { portrait: analysis(true), ghost: analysis(ghost_face), score, ms: 1.0 };
        outcome(&comparison, &copy(ZoneKind::Photo), &copy(ZoneKind::GhostImage), true)
    }

    #[test]
    fn scores_map_to_pass_review_and_fail_at_the_ghost_thresholds() {
        let t = &GHOST_THRESHOLDS;
        assert_eq!(compared(Some(t.match_at.threshold + 0.05), true).check.status, CheckStatus::Pass);
        assert_eq!(compared(Some((t.match_at.threshold + t.no_match_below.threshold) / 2.0), true).check.status, CheckStatus::Warn);
        let different = compared(Some(t.no_match_below.threshold - 0.05), true);
        assert_eq!(different.check.status, CheckStatus::Fail);
        assert!(different.check.message.contains("replaced"));
        assert!(different.check.evidence.iter().any(|e| e.detail.as_deref().is_some_and(|d| d.starts_with("score "))));
        assert_eq!(different.views.iter().map(|v| v.source).collect::<Vec<_>>(), ["photo", "ghost"], "both faces are shown");
    }

    #[test]
    fn a_page_counts_as_scanned_flat_only_without_perspective_and_at_scan_resolution() {
        let white = |skew_deg: f32, px_per_mm: f32| QualityMeasure {
            light: Light::White,
            focus: 200.0,
            glare_fraction: 0.0,
            px_per_mm,
            skew_deg,
            median_luma: 200.0,
            glare_blobs: Vec::new(),
        };
        assert!(scanned_flat(&[white(0.05, 11.8)]));
        assert!(!scanned_flat(&[white(1.5, 11.8)]), "perspective: photographed");
        assert!(!scanned_flat(&[white(0.05, 7.0)]), "phone resolution");
        assert!(!scanned_flat(&[white(0.05, 11.8), white(2.0, 12.0)]), "both sides must be flat");
        assert!(!scanned_flat(&[]), "no white capture");
    }

    #[test]
    fn on_a_photographed_page_only_a_match_is_reported() {
        let comparison = |score: f32| GhostComparison { portrait: analysis(true), ghost: analysis(true), score: Some(score), ms: 1.0 };
        let photographed = |score: f32| outcome(&comparison(score), &copy(ZoneKind::Photo), &copy(ZoneKind::GhostImage), false).check;
        assert_eq!(photographed(0.9).status, CheckStatus::Pass);
        let low = photographed(GHOST_THRESHOLDS.no_match_below.threshold - 0.1);
        assert_eq!(low.status, CheckStatus::NotChecked);
        assert!(low.message.contains("scan the page flat"));
        assert_eq!(photographed(GHOST_THRESHOLDS.match_at.threshold - 0.01).status, CheckStatus::NotChecked);
    }

    #[test]
    fn a_ghost_face_not_found_is_not_checked_and_under_glare_asks_for_a_recapture() {
        let unseen = compared(None, false);
        assert_eq!(unseen.check.status, CheckStatus::NotChecked, "never a silent pass");
        assert!(unseen.check.message.contains("ghost image"));
        let faint = settle_hidden_ghost(compared(None, false), 0.0, false);
        assert_eq!((faint.check.status, faint.check.recapture.is_none()), (CheckStatus::NotChecked, true));
        let glared = settle_hidden_ghost(compared(None, false), 0.3, false);
        assert_eq!(glared.check.status, CheckStatus::Error);
        assert_eq!(glared.check.recapture.as_deref(), Some(RECAPTURE_GHOST));
        assert!(glared.check.message.contains("30 %"));
        let vouched = settle_hidden_ghost(compared(None, false), 0.3, true);
        assert_eq!((vouched.check.status, vouched.check.recapture.is_none()), (CheckStatus::NotChecked, true));
        // A comparison that ran is left alone whatever the glare.
        let ran = settle_hidden_ghost(compared(Some(0.9), true), 0.3, false);
        assert_eq!(ran.check.status, CheckStatus::Pass);
    }
}
