//! Face results as `tdverify_core::Check`s for the inspection.

use tdverify_core::{Check, CheckIdInfo, CheckStatus, Evidence};

use crate::compare::Decision;
use crate::engine::Comparison;
use crate::quality::QualityReport;

/// Every check id this crate emits.
pub const CHECK_IDS: &[CheckIdInfo] = &[
    CheckIdInfo {
        id: "face.photo_vs_chip",
        meaning: "printed portrait and chip (DG2) portrait show the same person",
    },
    CheckIdInfo {
        id: "face.photo_vs_bearer",
        meaning: "printed portrait and the live bearer are the same person",
    },
    CheckIdInfo {
        id: "face.chip_vs_bearer",
        meaning: "chip (DG2) portrait and the live bearer are the same person",
    },
    CheckIdInfo {
        id: "face.photo_vs_ghost",
        meaning: "printed portrait and the ghost image beside the data show the same person (templates with a ghost image; needs no chip or bearer)",
    },
    CheckIdInfo {
        id: "face.photo_vs_uv_copy",
        meaning: "printed portrait and its copy in UV-fluorescent ink show the same person (templates with a UV portrait copy; needs a UV capture, no chip or bearer; a very low score asks for review, never proposes fraud: the copy's enhancement can fail on a genuine document)",
    },
    CheckIdInfo {
        id: "face.photo_vs_ir_copy",
        meaning: "printed portrait and its copy in IR-absorbing ink show the same person (templates with an IR portrait copy; needs an IR capture, no chip or bearer; a very low score fails on a page scanned flat and asks for review on a photographed page)",
    },
    CheckIdInfo {
        id: "face.quality.face_found",
        meaning: "a face was found in the image",
    },
    CheckIdInfo {
        id: "face.quality.single_face",
        meaning: "only one person is in the image",
    },
    CheckIdInfo {
        id: "face.quality.size",
        meaning: "the face is large enough (eye distance in pixels)",
    },
    CheckIdInfo {
        id: "face.quality.blur",
        meaning: "the face is sharp enough",
    },
    CheckIdInfo {
        id: "face.quality.pose",
        meaning: "the head is frontal and upright",
    },
    CheckIdInfo {
        id: "face.quality.lighting",
        meaning: "the face is neither too dark nor overexposed",
    },
    CheckIdInfo {
        id: "face.quality.glare",
        meaning: "no glare on the face",
    },
    CheckIdInfo {
        id: "face.quality.uneven_light",
        meaning: "the face is evenly lit",
    },
];

/// The three face images of an inspection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaceSource {
    /// The portrait printed on the document (white-light capture).
    Photo,
    /// The chip's DG2 portrait.
    Chip,
    /// The live bearer (camera or file).
    Bearer,
}

impl FaceSource {
    /// Name used in evidence (`face:photo`…) and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            FaceSource::Photo => "photo",
            FaceSource::Chip => "chip",
            FaceSource::Bearer => "bearer",
        }
    }
}

/// The check id for comparing two sources (in either order).
pub fn comparison_check_id(a: FaceSource, b: FaceSource) -> Option<&'static str> {
    use FaceSource::{Bearer, Chip, Photo};
    match (a, b) {
        (Photo, Chip) | (Chip, Photo) => Some("face.photo_vs_chip"),
        (Photo, Bearer) | (Bearer, Photo) => Some("face.photo_vs_bearer"),
        (Chip, Bearer) | (Bearer, Chip) => Some("face.chip_vs_bearer"),
        _ => None,
    }
}

/// The check for one comparison: match → pass, no match → fail, review → warn, no face → error.
pub fn comparison_check(a: FaceSource, b: FaceSource, comparison: &Comparison) -> Check {
    let id = comparison_check_id(a, b).unwrap_or("face.photo_vs_bearer");
    let (left, right) = (a.as_str(), b.as_str());
    let score = comparison
        .score
        .map_or("none".to_string(), |s| format!("{s:.3}"));
    let (status, message) = match comparison.decision {
        Decision::Match => (
            CheckStatus::Pass,
            format!("{left} and {right} show the same person"),
        ),
        Decision::NoMatch => (
            CheckStatus::Fail,
            format!("{left} and {right} show different people"),
        ),
        Decision::Review => (
            CheckStatus::Warn,
            format!("{left} and {right}: compare the faces yourself"),
        ),
        Decision::NoFace => (
            CheckStatus::Error,
            format!("{left} vs {right}: no usable face in at least one image"),
        ),
    };
    let confidence = match comparison.decision {
        Decision::Match | Decision::NoMatch => 0.95,
        Decision::Review => 0.5,
        Decision::NoFace => 0.0,
    };
    Check::new(id, status, message)
        .with_confidence(confidence)
        .with_evidence(
            Evidence::source(format!("face:{left}+face:{right}"))
                .with_detail(format!("score {score}; {}", comparison.explanation)),
        )
}

/// What to capture again when the live bearer's photo shows no face: the same
/// words for the quality check and for the comparisons it stopped, so the
/// proposed verdict lists it once.
pub const RETAKE_BEARER_PHOTO: &str = "Take the bearer's photo again: face the camera with nothing covering the face";

/// One warning check per quality problem of one image (`face.quality.<which>`).
/// No face in the live bearer's photo is a capture problem: the check asks for
/// a recapture (the verdict says "recapture", not "review").
pub fn quality_checks(source: FaceSource, report: &QualityReport) -> Vec<Check> {
    report
        .warnings
        .iter()
        .map(|warning| {
            let id = format!("face.quality.{}", warning.which);
            let message = format!("{}: {}. {}", source.as_str(), warning.message, warning.instruction);
            let check = match (warning.which, source) {
                ("face_found", FaceSource::Bearer) => Check::needs_recapture(id, message, RETAKE_BEARER_PHOTO),
                ("face_found", _) => Check::new(id, CheckStatus::Error, message),
                _ => Check::new(id, CheckStatus::Warn, message),
            };
            check.with_evidence(Evidence::source(format!("face:{}", source.as_str())))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quality::{QUALITY_KINDS, QualityWarning};

    #[test]
    fn no_face_in_the_bearer_photo_asks_for_a_recapture_elsewhere_an_error() {
        let report = QualityReport {
            warnings: vec![QualityWarning {
                which: "face_found",
                message: "no face found".to_owned(),
                instruction: "face the camera",
            }],
            ..QualityReport::default()
        };
        let bearer = quality_checks(FaceSource::Bearer, &report);
        assert_eq!(bearer[0].status, CheckStatus::Error);
        assert!(bearer[0].recapture.as_deref().is_some_and(|r| r.contains("face the camera")));
        let chip = quality_checks(FaceSource::Chip, &report);
        assert_eq!((chip[0].status, chip[0].recapture.is_none()), (CheckStatus::Error, true));
    }

    #[test]
    fn every_quality_kind_has_a_documented_id() {
        for kind in QUALITY_KINDS {
            let id = format!("face.quality.{kind}");
            assert!(
                CHECK_IDS.iter().any(|info| info.id == id),
                "{id} missing from CHECK_IDS"
            );
        }
    }

    #[test]
    fn decisions_map_to_statuses() {
        let mut comparison = Comparison {
            score: Some(0.9),
            decision: Decision::Match,
            explanation: String::new(),
            quality_a: QualityReport::default(),
            quality_b: QualityReport::default(),
            ms: 1.0,
        };
        assert_eq!(
            comparison_check(FaceSource::Chip, FaceSource::Photo, &comparison).status,
            CheckStatus::Pass
        );
        assert_eq!(
            comparison_check(FaceSource::Chip, FaceSource::Photo, &comparison).id,
            "face.photo_vs_chip"
        );
        comparison.decision = Decision::NoMatch;
        assert_eq!(
            comparison_check(FaceSource::Bearer, FaceSource::Chip, &comparison).status,
            CheckStatus::Fail
        );
        comparison.decision = Decision::NoFace;
        assert_eq!(
            comparison_check(FaceSource::Photo, FaceSource::Bearer, &comparison).status,
            CheckStatus::Error
        );
    }

    #[test]
    fn quality_warnings_become_checks() {
        let report = QualityReport {
            warnings: vec![QualityWarning {
                which: "glare",
                message: "glare".into(),
                instruction: "recapture without glare",
            }],
            ..QualityReport::default()
        };
        let checks = quality_checks(FaceSource::Bearer, &report);
        assert_eq!(checks.len(), 1);
        assert_eq!(checks[0].id, "face.quality.glare");
        assert!(checks[0].message.contains("recapture without glare"));
    }
}
