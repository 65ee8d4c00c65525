//! Turning a cosine similarity into a decision an officer can act on, with
//! the error rates measured at each threshold.

use serde::Serialize;

/// What a comparison concludes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Same person, at a threshold whose false-match rate is stated.
    Match,
    /// Between the thresholds: an officer must compare the faces.
    Review,
    /// Different people, at a threshold whose false-non-match rate is stated.
    NoMatch,
    /// At least one image has no usable face.
    NoFace,
}

impl Decision {
    /// Stable name used in JSON (`match`, `review`, `no_match`, `no_face`).
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Match => "match",
            Decision::Review => "review",
            Decision::NoMatch => "no_match",
            Decision::NoFace => "no_face",
        }
    }
}

/// A threshold with the error rates measured there.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OperatingPoint {
    /// Cosine similarity threshold.
    pub threshold: f32,
    /// False-match rate at this threshold on the calibration set (impostor pairs scoring ≥ threshold).
    pub fmr: f32,
    /// False-non-match rate at this threshold on the calibration set (genuine pairs scoring < threshold).
    pub fnmr: f32,
}

/// The two thresholds of the three-way decision and where they come from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Thresholds {
    /// Scores at or above this are `match`.
    pub match_at: OperatingPoint,
    /// Scores below this are `no_match`; between the two, `review`.
    pub no_match_below: OperatingPoint,
    /// The set and conditions the rates were measured on.
    pub calibration: &'static str,
}

/// Thresholds calibrated on the development set, Face Research Lab London
/// Set (72 identities, 144 images: 72 genuine and 10 224 impostor pairs clean,
/// twice as many in the one-sided conditions), with `cargo xtask eval-face
/// ../shared/faces/london`; full tables in models/MODELS.md.
///
/// Match at ≥ 0.55: FMR 0.03% clean / 0.03% chip-like vs clean / 0.01%
/// printed-like vs chip-like; FNMR 0% clean and chip-like, 18% printed-like
/// vs chip-like (those go to review, not to no-match).
/// No match below 0.30: FNMR 0% clean and chip-like, 0.7% printed-like vs
/// clean, 1.4% printed-like vs chip-like; 4.3% of impostor pairs fall between
/// the thresholds (review). The rates stated below are the worst condition.
/// A set of 72 people cannot resolve rates under about 0.01%: treat them as estimates.
pub const CALIBRATED: Thresholds = Thresholds {
    match_at: OperatingPoint {
        threshold: 0.55,
        fmr: 0.0003,
        fnmr: 0.18,
    },
    no_match_below: OperatingPoint {
        threshold: 0.30,
        fmr: 0.0433,
        fnmr: 0.0139,
    },
    calibration: "Face Research Lab London Set (72 identities), clean, chip-like and printed-like pairs; worst condition",
};

impl Thresholds {
    /// The decision for a cosine similarity (NaN counts as no match).
    pub fn decide(&self, score: f32) -> Decision {
        if score.is_nan() || score < self.no_match_below.threshold {
            Decision::NoMatch
        } else if score >= self.match_at.threshold {
            Decision::Match
        } else {
            Decision::Review
        }
    }

    /// One sentence stating the error rates behind a decision.
    pub fn explain(&self, decision: Decision) -> String {
        match decision {
            Decision::Match => format!(
                "score ≥ {:.2}: false-match rate {:.2}% on the calibration set",
                self.match_at.threshold,
                self.match_at.fmr * 100.0
            ),
            Decision::NoMatch => format!(
                "score < {:.2}: false-non-match rate {:.2}% on the calibration set",
                self.no_match_below.threshold,
                self.no_match_below.fnmr * 100.0
            ),
            Decision::Review => format!(
                "score between {:.2} and {:.2}: the faces must be compared by an officer",
                self.no_match_below.threshold, self.match_at.threshold
            ),
            Decision::NoFace => "no usable face in at least one image".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_way_decision() {
        let t = CALIBRATED;
        assert_eq!(t.decide(0.99), Decision::Match);
        assert_eq!(t.decide(t.match_at.threshold), Decision::Match);
        assert_eq!(
            t.decide((t.match_at.threshold + t.no_match_below.threshold) / 2.0),
            Decision::Review
        );
        assert_eq!(t.decide(-0.2), Decision::NoMatch);
        assert_eq!(t.decide(f32::NAN), Decision::NoMatch);
        assert!(t.no_match_below.threshold < t.match_at.threshold);
        assert!(t.explain(Decision::Match).contains("false-match"));
    }

    #[test]
    fn decisions_serialise_to_the_cli_names() {
        for (decision, name) in [
            (Decision::Match, "match"),
            (Decision::Review, "review"),
            (Decision::NoMatch, "no_match"),
            (Decision::NoFace, "no_face"),
        ] {
            assert_eq!(
                serde_json::to_value(decision).ok(),
                Some(serde_json::json!(name))
            );
            assert_eq!(decision.as_str(), name);
        }
    }
}
