//! The proposed verdict: documented rules from check outcomes to a verdict and
//! a fraud type. tdverify proposes; the officer decides.
//!
//! Rules, in order:
//! 1. Every failed check that indicates fraud (table `FRAUD_SIGNS`) votes for a
//!    fraud type; the proposal is `Fraudulent` with the type that has the most
//!    votes, ties broken by the order of the table (the stronger evidence first:
//!    chip cryptography, then physical security features, then data).
//! 2. Failed checks that are not fraud signs (an expired document, a poor
//!    capture), warnings, and SLTD hits (a *possible* hit, to confirm with the
//!    national central bureau) give `Review`.
//! 3. When nothing could be checked, or a core step could not run (the MRZ
//!    could not be read or typed, the page was not found in the images) and
//!    nothing failed, the proposal is `Inconclusive`: say what to redo. Other
//!    checks that could not run (`Error`) ask for the officer's `Review`.
//! 4. Otherwise `Genuine` with fraud type `NoFraud`.

use serde::Serialize;
use tdverify_core::{Check, CheckStatus, ForgeryMethod, FraudType, Verdict};

/// A check-id prefix whose failure is a sign of fraud, with what it points to.
struct FraudSign {
    prefix: &'static str,
    fraud_type: FraudType,
    method: Option<ForgeryMethod>,
}

const fn sign(prefix: &'static str, fraud_type: FraudType, method: Option<ForgeryMethod>) -> FraudSign {
    FraudSign { prefix, fraud_type, method }
}

/// Fraud signs, strongest evidence first.
const FRAUD_SIGNS: &[FraudSign] = &[
    sign("chip.pa.dg_hash", FraudType::Forged, Some(ForgeryMethod::ChipTampering)),
    sign("chip.pa.sod_signature", FraudType::Forged, Some(ForgeryMethod::ChipTampering)),
    sign("chip.clone", FraudType::Counterfeit, Some(ForgeryMethod::ChipTampering)),
    sign("chip.aa", FraudType::Counterfeit, Some(ForgeryMethod::ChipTampering)),
    sign("chip.ca", FraudType::Counterfeit, Some(ForgeryMethod::ChipTampering)),
    sign("consistency.mrz_vs_dg1", FraudType::Forged, Some(ForgeryMethod::MrzAlteration)),
    sign("face.photo_vs_chip", FraudType::Forged, Some(ForgeryMethod::PhotoSubstitution)),
    sign("face.photo_vs_bearer", FraudType::Impostor, None),
    sign("face.chip_vs_bearer", FraudType::Impostor, None),
    sign("uv.dull_paper", FraudType::Counterfeit, None),
    sign("ir.b900", FraudType::Counterfeit, None),
    sign("ir.zones", FraudType::Counterfeit, None),
    sign("uv.features", FraudType::Counterfeit, None),
    sign("mrz.print", FraudType::Counterfeit, None),
    sign("document.layout", FraudType::Counterfeit, None),
    sign("photo.integrity", FraudType::Forged, Some(ForgeryMethod::PhotoSubstitution)),
    sign("consistency.viz_vs_mrz", FraudType::Forged, Some(ForgeryMethod::DataAlteration)),
    sign("mrz.check_digit", FraudType::Forged, Some(ForgeryMethod::MrzAlteration)),
    sign("mrz.grammar", FraudType::Forged, Some(ForgeryMethod::MrzAlteration)),
    sign("mrz.issuing_state.known", FraudType::Pseudo, None),
    sign("document.template_match", FraudType::Pseudo, None),
    sign("document.plausibility", FraudType::Pseudo, None),
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
}

fn matches(id: &str, prefix: &str) -> bool {
    id == prefix || id.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('.'))
}

/// Applies the rules of the module documentation to a set of checks.
pub fn propose(checks: &[Check]) -> ProposedVerdict {
    let mut votes: Vec<(usize, usize)> = Vec::new(); // (sign index, count)
    let mut methods = Vec::new();
    let mut fraud_ids = Vec::new();
    for check in checks.iter().filter(|c| c.status == CheckStatus::Fail) {
        if let Some(index) = FRAUD_SIGNS.iter().position(|s| matches(&check.id, s.prefix)) {
            let sign = &FRAUD_SIGNS[index];
            match votes.iter_mut().find(|(i, _)| FRAUD_SIGNS[*i].fraud_type == sign.fraud_type) {
                Some((_, count)) => *count += 1,
                None => votes.push((index, 1)),
            }
            if let Some(method) = sign.method
                && !methods.contains(&method)
            {
                methods.push(method);
            }
            fraud_ids.push(check.id.clone());
        }
    }
    if let Some(&(index, _)) = votes.iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))) {
        return ProposedVerdict {
            proposed: Verdict::Fraudulent,
            fraud_type: FRAUD_SIGNS[index].fraud_type,
            forgery_methods: methods,
            because_of: fraud_ids,
        };
    }
    let ran = checks.iter().filter(|c| matches!(c.status, CheckStatus::Pass | CheckStatus::Fail | CheckStatus::Warn)).count();
    let core_errors: Vec<String> =
        checks.iter().filter(|c| c.status == CheckStatus::Error && CORE_STEPS.iter().any(|p| matches(&c.id, p))).map(|c| c.id.clone()).collect();
    if ran == 0 || !core_errors.is_empty() {
        return ProposedVerdict { proposed: Verdict::Inconclusive, fraud_type: FraudType::Undetermined, forgery_methods: Vec::new(), because_of: core_errors };
    }
    let to_review: Vec<String> = checks
        .iter()
        .filter(|c| matches!(c.status, CheckStatus::Fail | CheckStatus::Warn | CheckStatus::Error))
        .map(|c| c.id.clone())
        .collect();
    if !to_review.is_empty() {
        return ProposedVerdict { proposed: Verdict::Review, fraud_type: FraudType::Undetermined, forgery_methods: Vec::new(), because_of: to_review };
    }
    ProposedVerdict { proposed: Verdict::Genuine, fraud_type: FraudType::NoFraud, forgery_methods: Vec::new(), because_of: Vec::new() }
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
        assert_eq!(propose(&[check("document.expired", CheckStatus::Fail)]).proposed, Verdict::Review);
        assert_eq!(propose(&[check("capture.quality.focus", CheckStatus::Warn)]).proposed, Verdict::Review);
        let hit = propose(&[check("sltd.hit", CheckStatus::Fail)]);
        assert_eq!((hit.proposed, hit.fraud_type), (Verdict::Review, FraudType::Undetermined));
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
