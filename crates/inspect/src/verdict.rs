//! The proposed verdict: documented rules from check outcomes to a verdict and
//! a fraud type. tdverify proposes; the officer decides.
//!
//! Every check id has one effect on the verdict ([`VERDICT_RULES`], the longest
//! matching id prefix wins; docs/CHECKS.md lists it beside each id):
//! - **fraud sign**: a failure votes for a fraud type (and forgery method); a
//!   warning or an error asks for review;
//! - **review**: a failure, warning or error asks for the officer's review (an
//!   expired document, a possible SLTD hit, a chip that could not be read);
//! - **information**: shown to the officer, never changes the verdict (a capture
//!   quality note, a name the MRZ truncates as ICAO 9303 prescribes, a partial
//!   birth date, the quality of a face image).
//!
//! A check that is `not_checked` (its reading could not be trusted: the officer
//! compares by eye) never changes the verdict; the proposal lists it apart. An
//! id no rule names asks for review, so a new check is never silently ignored.
//!
//! Rules, in order:
//! 1. Every failed fraud sign votes for its fraud type; the proposal is
//!    `Fraudulent` with the type that has the most votes, ties broken by the
//!    order of the table (the stronger evidence first: chip cryptography, then
//!    physical security features, then data).
//! 2. A check that could not run because of the capture (its `recapture` says
//!    what to capture again) makes the proposal `Recapture`, not `Review`.
//! 3. When nothing could be checked, or a core step could not run (the MRZ
//!    could not be read or typed, the page was not found in the images), the
//!    proposal is `Inconclusive`: say what to redo.
//! 4. A failure, warning or error of a fraud sign or a review check gives `Review`.
//! 5. Otherwise `Genuine` with fraud type `NoFraud`.

use serde::Serialize;
use tdverify_core::{Check, CheckStatus, ForgeryMethod, FraudType, Verdict};

/// What a check's outcome can do to the proposed verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// A failure is a sign of fraud of this type (by this method); a warning or
    /// an error asks for review.
    FraudSign(FraudType, Option<ForgeryMethod>),
    /// A failure, warning or error asks for the officer's review.
    Review,
    /// Shown to the officer; never changes the verdict.
    Information,
}

impl Effect {
    /// One line for docs/CHECKS.md.
    pub fn describe(self) -> String {
        match self {
            Effect::FraudSign(fraud_type, Some(method)) => format!("fail: fraudulent ({}, {}); warn/error: review", fraud_type.as_str(), method.as_str()),
            Effect::FraudSign(fraud_type, None) => format!("fail: fraudulent ({}); warn/error: review", fraud_type.as_str()),
            Effect::Review => "fail/warn/error: review".to_owned(),
            Effect::Information => "information only".to_owned(),
        }
    }
}

/// A check-id prefix and its effect on the verdict.
#[derive(Debug, Clone, Copy)]
pub struct VerdictRule {
    /// A whole id, or a prefix of whole dotted segments (`mrz.check_digit`).
    pub prefix: &'static str,
    /// What its outcome does to the verdict.
    pub effect: Effect,
}

const fn fraud(prefix: &'static str, fraud_type: FraudType, method: Option<ForgeryMethod>) -> VerdictRule {
    VerdictRule { prefix, effect: Effect::FraudSign(fraud_type, method) }
}

const fn review(prefix: &'static str) -> VerdictRule {
    VerdictRule { prefix, effect: Effect::Review }
}

const fn information(prefix: &'static str) -> VerdictRule {
    VerdictRule { prefix, effect: Effect::Information }
}

/// Every check id's effect. Fraud signs come first, strongest evidence first
/// (their order breaks ties between fraud types).
pub const VERDICT_RULES: &[VerdictRule] = &[
    fraud("chip.pa.dg_hash", FraudType::Forged, Some(ForgeryMethod::ChipTampering)),
    fraud("chip.pa.sod_signature", FraudType::Forged, Some(ForgeryMethod::ChipTampering)),
    fraud("chip.clone", FraudType::Counterfeit, Some(ForgeryMethod::ChipTampering)),
    fraud("chip.aa", FraudType::Counterfeit, Some(ForgeryMethod::ChipTampering)),
    fraud("chip.ca", FraudType::Counterfeit, Some(ForgeryMethod::ChipTampering)),
    fraud("consistency.mrz_vs_dg1", FraudType::Forged, Some(ForgeryMethod::MrzAlteration)),
    fraud("mrz.lights_agree", FraudType::Forged, Some(ForgeryMethod::MrzAlteration)),
    fraud("face.photo_vs_chip", FraudType::Forged, Some(ForgeryMethod::PhotoSubstitution)),
    fraud("face.photo_vs_ghost", FraudType::Forged, Some(ForgeryMethod::PhotoSubstitution)),
    fraud("face.photo_vs_uv_copy", FraudType::Forged, Some(ForgeryMethod::PhotoSubstitution)),
    fraud("face.photo_vs_ir_copy", FraudType::Forged, Some(ForgeryMethod::PhotoSubstitution)),
    fraud("face.photo_vs_bearer", FraudType::Impostor, None),
    fraud("face.chip_vs_bearer", FraudType::Impostor, None),
    fraud("uv.dull_paper", FraudType::Counterfeit, None),
    fraud("ir.b900", FraudType::Counterfeit, None),
    fraud("ir.zones", FraudType::Counterfeit, None),
    fraud("uv.features", FraudType::Counterfeit, None),
    fraud("coaxial.ovd", FraudType::Counterfeit, None),
    fraud("mrz.print", FraudType::Counterfeit, None),
    fraud("document.layout", FraudType::Counterfeit, None),
    fraud("photo.integrity", FraudType::Forged, Some(ForgeryMethod::PhotoSubstitution)),
    fraud("photo.guilloche_continuity", FraudType::Forged, Some(ForgeryMethod::PhotoSubstitution)),
    fraud("photo.overlap_intact", FraudType::Forged, Some(ForgeryMethod::PhotoSubstitution)),
    // A broken laminate shows tampering; the message says where (over the
    // portrait: photo substitution), the rule cannot.
    fraud("coaxial.laminate", FraudType::Forged, None),
    fraud("consistency.viz_vs_mrz", FraudType::Forged, Some(ForgeryMethod::DataAlteration)),
    fraud("mrz.check_digit", FraudType::Forged, Some(ForgeryMethod::MrzAlteration)),
    fraud("mrz.grammar", FraudType::Forged, Some(ForgeryMethod::MrzAlteration)),
    fraud("mrz.issuing_state.known", FraudType::Pseudo, None),
    fraud("document.template_match", FraudType::Pseudo, None),
    fraud("document.plausibility", FraudType::Pseudo, None),
    // Not proof of fraud, but the officer must look.
    review("mrz.read"),
    review("mrz.nationality.known"),
    review("mrz.expired"),
    review("mrz.dates.plausible"),
    review("document.registration"),
    review("document.expiry"),
    review("viz.mrz"),
    review("consistency.mrz_vs_dg11_name"),
    review("chip"),
    review("face.stage"),
    review("face.quality.face_found"),
    review("sltd"),
    // Shown, never escalating: they describe the capture or a rule ICAO allows.
    information("mrz.names.truncated"),
    information("mrz.birth_date.partial"),
    information("capture.quality"),
    information("face.quality"),
];

/// Steps without which nothing can be concluded (rule 3).
const CORE_STEPS: &[&str] = &["mrz.read", "document.registration"];

/// What tdverify proposes, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProposedVerdict {
    /// The proposed verdict.
    pub proposed: Verdict,
    /// The proposed fraud type (`no_fraud` for a genuine document).
    pub fraud_type: FraudType,
    /// Forgery methods pointed to by the failed checks.
    pub forgery_methods: Vec<ForgeryMethod>,
    /// Ids of the checks the proposal rests on.
    pub because_of: Vec<String>,
    /// What to capture again (rule 2), one line per check that could not run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recapture: Vec<String>,
    /// Checks whose reading could not be trusted: the officer compares by eye.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub compare_by_eye: Vec<String>,
    /// Information checks that did not pass (shown, not escalating).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub information: Vec<String>,
}

fn matches(id: &str, prefix: &str) -> bool {
    id == prefix || id.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('.'))
}

/// The index in [`VERDICT_RULES`] of the rule for a check id: the longest
/// matching prefix (`None`: no rule names it).
fn rule_index(id: &str) -> Option<usize> {
    (0..VERDICT_RULES.len()).filter(|&i| matches(id, VERDICT_RULES[i].prefix)).max_by_key(|&i| VERDICT_RULES[i].prefix.len())
}

/// The rule for a check id (`None`: no rule names it, see [`effect_of`]).
pub fn rule_for(id: &str) -> Option<&'static VerdictRule> {
    rule_index(id).map(|i| &VERDICT_RULES[i])
}

/// The effect of a check id on the verdict; an id no rule names asks for review.
pub fn effect_of(id: &str) -> Effect {
    rule_for(id).map_or(Effect::Review, |r| r.effect)
}

/// Applies the rules of the module documentation to a set of checks.
pub fn propose(checks: &[Check]) -> ProposedVerdict {
    // (rule index of the type's first vote, fraud type, votes)
    let mut votes: Vec<(usize, FraudType, usize)> = Vec::new();
    let mut methods = Vec::new();
    let mut fraud_ids = Vec::new();
    for check in checks.iter().filter(|c| c.status == CheckStatus::Fail) {
        let Some(index) = rule_index(&check.id) else { continue };
        let Effect::FraudSign(fraud_type, method) = VERDICT_RULES[index].effect else { continue };
        match votes.iter_mut().find(|(_, t, _)| *t == fraud_type) {
            Some((first, _, count)) => {
                *first = (*first).min(index);
                *count += 1;
            }
            None => votes.push((index, fraud_type, 1)),
        }
        if let Some(method) = method
            && !methods.contains(&method)
        {
            methods.push(method);
        }
        fraud_ids.push(check.id.clone());
    }
    let compare_by_eye: Vec<String> = checks.iter().filter(|c| c.status == CheckStatus::NotChecked).map(|c| c.id.clone()).collect();
    let information: Vec<String> = checks
        .iter()
        .filter(|c| matches!(c.status, CheckStatus::Fail | CheckStatus::Warn | CheckStatus::Error) && c.recapture.is_none())
        .filter(|c| effect_of(&c.id) == Effect::Information)
        .map(|c| c.id.clone())
        .collect();
    let proposal = |proposed, fraud_type, forgery_methods, because_of, recapture| ProposedVerdict {
        proposed,
        fraud_type,
        forgery_methods,
        because_of,
        recapture,
        compare_by_eye: compare_by_eye.clone(),
        information: information.clone(),
    };
    if let Some(&(_, fraud_type, _)) = votes.iter().max_by(|a, b| a.2.cmp(&b.2).then(b.0.cmp(&a.0))) {
        return proposal(Verdict::Fraudulent, fraud_type, methods, fraud_ids, Vec::new());
    }
    let blocked: Vec<&Check> = checks.iter().filter(|c| c.status == CheckStatus::Error && c.recapture.is_some()).collect();
    if !blocked.is_empty() {
        let ids = blocked.iter().map(|c| c.id.clone()).collect();
        let mut what: Vec<String> = Vec::new();
        for reason in blocked.iter().filter_map(|c| c.recapture.clone()) {
            if !what.contains(&reason) {
                what.push(reason);
            }
        }
        return proposal(Verdict::Recapture, FraudType::Undetermined, Vec::new(), ids, what);
    }
    let ran = checks.iter().filter(|c| matches!(c.status, CheckStatus::Pass | CheckStatus::Fail | CheckStatus::Warn)).count();
    let core_errors: Vec<String> =
        checks.iter().filter(|c| c.status == CheckStatus::Error && CORE_STEPS.iter().any(|p| matches(&c.id, p))).map(|c| c.id.clone()).collect();
    if ran == 0 || !core_errors.is_empty() {
        return proposal(Verdict::Inconclusive, FraudType::Undetermined, Vec::new(), core_errors, Vec::new());
    }
    let to_review: Vec<String> = checks
        .iter()
        .filter(|c| matches!(c.status, CheckStatus::Fail | CheckStatus::Warn | CheckStatus::Error))
        .filter(|c| effect_of(&c.id) != Effect::Information)
        .map(|c| c.id.clone())
        .collect();
    if !to_review.is_empty() {
        return proposal(Verdict::Review, FraudType::Undetermined, Vec::new(), to_review, Vec::new());
    }
    proposal(Verdict::Genuine, FraudType::NoFraud, Vec::new(), Vec::new(), Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(id: &str, status: CheckStatus) -> Check {
        Check::new(id, status, "test")
    }

    #[test]
    fn all_passing_is_genuine() {
        let v = propose(&[check("mrz.check_digit.number", CheckStatus::Pass), check("ir.b900", CheckStatus::Pass)]);
        assert_eq!((v.proposed, v.fraud_type), (Verdict::Genuine, FraudType::NoFraud));
    }

    #[test]
    fn physical_feature_failures_point_to_counterfeit() {
        let v = propose(&[
            check("uv.dull_paper", CheckStatus::Fail),
            check("ir.b900", CheckStatus::Fail),
            check("mrz.check_digit.number", CheckStatus::Pass),
        ]);
        assert_eq!((v.proposed, v.fraud_type), (Verdict::Fraudulent, FraudType::Counterfeit));
        assert_eq!(v.because_of, vec!["uv.dull_paper", "ir.b900"]);
    }

    #[test]
    fn photo_substitution_is_forged_with_its_method() {
        let v = propose(&[check("photo.integrity", CheckStatus::Fail), check("uv.dull_paper", CheckStatus::Pass)]);
        assert_eq!(v.fraud_type, FraudType::Forged);
        assert_eq!(v.forgery_methods, vec![ForgeryMethod::PhotoSubstitution]);
    }

    #[test]
    fn ties_go_to_the_stronger_evidence() {
        let v = propose(&[check("mrz.check_digit.number", CheckStatus::Fail), check("face.photo_vs_bearer", CheckStatus::Fail)]);
        assert_eq!(v.fraud_type, FraudType::Impostor, "face evidence is listed before MRZ data");
    }

    #[test]
    fn prefixes_match_whole_segments_only() {
        assert!(matches("mrz.check_digit.number", "mrz.check_digit"));
        assert!(!matches("mrz.check_digits_other", "mrz.check_digit"));
        let v = propose(&[check("document.layout_other", CheckStatus::Fail)]);
        assert_eq!(v.proposed, Verdict::Review);
    }

    #[test]
    fn expired_alone_or_warnings_need_review_and_sltd_hit_is_never_fraud_by_itself() {
        assert_eq!(propose(&[check("document.expiry", CheckStatus::Fail)]).proposed, Verdict::Review);
        assert_eq!(propose(&[check("mrz.read", CheckStatus::Warn)]).proposed, Verdict::Review);
        let focus = propose(&[check("capture.quality.focus", CheckStatus::Warn), check("ir.b900", CheckStatus::Pass)]);
        assert_eq!((focus.proposed, focus.information), (Verdict::Genuine, vec!["capture.quality.focus".to_owned()]));
        let hit = propose(&[check("sltd.hit", CheckStatus::Fail)]);
        assert_eq!((hit.proposed, hit.fraud_type), (Verdict::Review, FraudType::Undetermined));
    }

    #[test]
    fn information_and_not_checked_never_turn_genuine_into_review() {
        let v = propose(&[
            check("mrz.check_digit.number", CheckStatus::Pass),
            check("mrz.names.truncated", CheckStatus::Warn),
            check("capture.quality.glare", CheckStatus::Warn),
            check("face.quality.blur", CheckStatus::Warn),
            check("viz.mrz.birth_date", CheckStatus::NotChecked),
        ]);
        assert_eq!(v.proposed, Verdict::Genuine);
        assert_eq!(v.compare_by_eye, vec!["viz.mrz.birth_date"]);
        assert_eq!(v.information, vec!["mrz.names.truncated", "capture.quality.glare", "face.quality.blur"]);
        let warned = propose(&[check("mrz.check_digit.number", CheckStatus::Pass), check("photo.integrity", CheckStatus::Warn)]);
        assert_eq!((warned.proposed, warned.because_of), (Verdict::Review, vec!["photo.integrity".to_owned()]));
    }

    #[test]
    fn a_check_stopped_by_the_capture_asks_for_a_recapture_but_fraud_comes_first() {
        let glare = Check::needs_recapture("mrz.print", "MRZ under glare", "Move the lamp so the MRZ is free of glare");
        let v = propose(&[check("ir.b900", CheckStatus::Pass), glare.clone(), check("document.expiry", CheckStatus::Fail)]);
        assert_eq!(v.proposed, Verdict::Recapture);
        assert_eq!(v.because_of, vec!["mrz.print"]);
        assert_eq!(v.recapture, vec!["Move the lamp so the MRZ is free of glare"]);
        let fraud = propose(&[check("ir.b900", CheckStatus::Fail), glare.clone()]);
        assert_eq!(fraud.proposed, Verdict::Fraudulent);
        let unreadable_mrz = Check::needs_recapture("mrz.read", "no MRZ", "Recapture without glare on the MRZ");
        assert_eq!(propose(&[unreadable_mrz, check("uv.dull_paper", CheckStatus::Pass)]).proposed, Verdict::Recapture);
    }

    #[test]
    fn lights_that_disagree_on_the_mrz_are_an_mrz_alteration() {
        let v = propose(&[check("mrz.lights_agree", CheckStatus::Fail), check("mrz.check_digit.number", CheckStatus::Pass)]);
        assert_eq!((v.proposed, v.fraud_type), (Verdict::Fraudulent, FraudType::Forged));
        assert_eq!(v.forgery_methods, vec![ForgeryMethod::MrzAlteration]);
    }

    #[test]
    fn coaxial_checks_escalate_on_failure_only() {
        let no_image = propose(&[
            check("ir.b900", CheckStatus::Pass),
            check("coaxial.laminate", CheckStatus::NotChecked),
            check("coaxial.ovd", CheckStatus::NotApplicable),
        ]);
        assert_eq!(no_image.proposed, Verdict::Genuine, "no coaxial image is no reason for review");
        let relaminated = propose(&[check("coaxial.laminate", CheckStatus::Fail), check("face.photo_vs_ghost", CheckStatus::Fail)]);
        assert_eq!((relaminated.proposed, relaminated.fraud_type), (Verdict::Fraudulent, FraudType::Forged));
        let flat_ovd = propose(&[check("coaxial.ovd", CheckStatus::Fail), check("ir.b900", CheckStatus::Pass)]);
        assert_eq!((flat_ovd.proposed, flat_ovd.fraud_type), (Verdict::Fraudulent, FraudType::Counterfeit));
        let plain_paper = propose(&[
            check("coaxial.laminate", CheckStatus::Fail),
            check("coaxial.ovd", CheckStatus::Fail),
            check("uv.dull_paper", CheckStatus::Fail),
        ]);
        assert_eq!(plain_paper.fraud_type, FraudType::Counterfeit);
    }

    #[test]
    fn the_longest_prefix_decides_and_unknown_ids_ask_for_review() {
        assert_eq!(effect_of("face.quality.face_found"), Effect::Review);
        assert_eq!(effect_of("face.quality.pose"), Effect::Information);
        assert_eq!(effect_of("chip.pa.dg_hash.dg2"), Effect::FraudSign(FraudType::Forged, Some(ForgeryMethod::ChipTampering)));
        assert_eq!(effect_of("chip.pa.ds_chain"), Effect::Review);
        assert_eq!(effect_of("something.new"), Effect::Review);
    }

    #[test]
    fn nothing_checked_or_a_core_step_missing_is_inconclusive() {
        assert_eq!(propose(&[]).proposed, Verdict::Inconclusive);
        assert_eq!(propose(&[check("mrz.read", CheckStatus::Error), check("ir.b900", CheckStatus::Pass)]).proposed, Verdict::Inconclusive);
        let other_error = propose(&[check("chip.read", CheckStatus::Error), check("ir.b900", CheckStatus::Pass)]);
        assert_eq!(other_error.proposed, Verdict::Review);
        assert_eq!(other_error.because_of, vec!["chip.read"]);
    }
}
