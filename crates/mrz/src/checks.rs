//! Findings as [`Check`]s with stable ids and officer-readable messages.
//!
//! Every id in [`CHECK_IDS`] is emitted for every MRZ (as `not_applicable`
//! where the layout lacks the field), so reports and training scores can rely
//! on the set being stable.

use tdverify_core::{Check, CheckIdInfo, CheckStatus, Evidence};

use crate::codes::{issuer_kind, issuer_name, IssuerKind};
use crate::date::MrzDate;
use crate::fields::{Field, Span};
use crate::grammar::{confusable_fix, position_classes};
use crate::layout::layout;
use crate::parse::{parse_lines, CheckDigitKind, DigitOutcome, Mrz};

/// Every check id this crate emits, with its meaning.
pub const CHECK_IDS: &[CheckIdInfo] = &[
    CheckIdInfo { id: "mrz.check_digit.number", meaning: "Document number check digit (ICAO 9303 Part 3, 4.9)" },
    CheckIdInfo { id: "mrz.check_digit.birth_date", meaning: "Date of birth check digit" },
    CheckIdInfo { id: "mrz.check_digit.expiry_date", meaning: "Date of expiry check digit" },
    CheckIdInfo { id: "mrz.check_digit.optional_data", meaning: "Personal number / optional data check digit (TD3)" },
    CheckIdInfo { id: "mrz.check_digit.composite", meaning: "Composite check digit over several fields" },
    CheckIdInfo { id: "mrz.grammar.characters", meaning: "Only A–Z, 0–9 and < appear (no lower case, no punctuation)" },
    CheckIdInfo { id: "mrz.grammar.document_code", meaning: "Document code allowed for the layout (P, A/C/I, V)" },
    CheckIdInfo { id: "mrz.grammar.issuing_state", meaning: "Issuing state is letters then fillers" },
    CheckIdInfo { id: "mrz.grammar.document_number", meaning: "Document number characters and continuation" },
    CheckIdInfo { id: "mrz.grammar.birth_date", meaning: "Date of birth is YYMMDD (fillers for unknown parts) and a calendar date" },
    CheckIdInfo { id: "mrz.grammar.sex", meaning: "Sex is M, F, X or <" },
    CheckIdInfo { id: "mrz.grammar.expiry_date", meaning: "Date of expiry is a complete YYMMDD calendar date" },
    CheckIdInfo { id: "mrz.grammar.nationality", meaning: "Nationality is letters then fillers" },
    CheckIdInfo { id: "mrz.grammar.names", meaning: "Name field: letters and fillers, one << separator, clean padding" },
    CheckIdInfo { id: "mrz.grammar.optional_data", meaning: "Optional data holds letters, digits and fillers" },
    CheckIdInfo { id: "mrz.grammar.optional_data_2", meaning: "TD1 line 2 optional data holds letters, digits and fillers" },
    CheckIdInfo { id: "mrz.grammar.check_digits", meaning: "Check digit positions hold digits (or < where ICAO allows)" },
    CheckIdInfo { id: "mrz.issuing_state.known", meaning: "Issuing state is an ICAO code or a known fictional/registered issuer" },
    CheckIdInfo { id: "mrz.nationality.known", meaning: "Nationality is an ICAO code or a known fictional/registered issuer" },
    CheckIdInfo { id: "mrz.expired", meaning: "Document not expired on the inspection date" },
    CheckIdInfo { id: "mrz.dates.plausible", meaning: "Birth before expiry, expiry not implausibly far ahead, resolved dates exist" },
    CheckIdInfo { id: "mrz.birth_date.partial", meaning: "Date of birth has an unknown day or month (allowed; compare with the VIZ)" },
    CheckIdInfo { id: "mrz.names.truncated", meaning: "Name fills its field and may be truncated" },
];

/// Years after the inspection date beyond which an expiry date is implausible
/// (ICAO documents are issued for at most 10 years; some states allow more
/// for identity cards).
pub const MAX_YEARS_OF_VALIDITY_AHEAD: u16 = 15;

const GRAMMAR_FIELDS: [Field; 12] = [
    Field::Characters,
    Field::DocumentCode,
    Field::IssuingState,
    Field::DocumentNumber,
    Field::BirthDate,
    Field::Sex,
    Field::ExpiryDate,
    Field::Nationality,
    Field::Names,
    Field::OptionalData,
    Field::OptionalData2,
    Field::CheckDigits,
];

/// Every finding about one MRZ as of the inspection date (no clock is read).
pub fn checks(mrz: &Mrz, inspection_date: MrzDate) -> Vec<Check> {
    let layout = layout(mrz.format);
    let mut out = Vec::with_capacity(CHECK_IDS.len());

    for kind in CheckDigitKind::ALL {
        let id = kind.check_id();
        let Some(digit) = mrz.check_digit(kind) else {
            out.push(Check::new(id, CheckStatus::NotApplicable, format!("{} has no {} check digit", mrz.format.label(), kind.label().to_lowercase())));
            continue;
        };
        let mut evidence = vec![Evidence::source(digit.at.source())];
        evidence.extend(digit.covers.iter().map(|span| Evidence::source(span.source())));
        match digit.outcome {
            DigitOutcome::Valid => {
                let mut message = String::with_capacity(40);
                message.push_str(kind.label());
                message.push_str(" check digit ");
                message.push(digit.printed);
                message.push_str(" is correct");
                out.push(attach_plain(Check::pass(id, message), evidence));
                continue;
            }
            DigitOutcome::FillerAllowed => {
                let message = format!("{} is empty and its check digit is a filler, as ICAO allows", kind.label());
                out.push(attach_plain(Check::pass(id, message), evidence));
                continue;
            }
            DigitOutcome::Invalid | DigitOutcome::Uncomputable => {}
        }
        let covered: String = digit.covers.iter().map(|span| mrz.text(*span)).collect();
        let check = match (digit.outcome, digit.computed) {
            (DigitOutcome::Invalid, Some(computed)) => Check::fail(
                id,
                format!("{} check digit is {}, computed {} ({})", kind.label(), printed_name(digit.printed), computed, digit.at.describe()),
            ),
            _ => Check::new(
                id,
                CheckStatus::Error,
                format!("{} check digit cannot be computed: \"{covered}\" holds characters outside A–Z, 0–9 and <", kind.label()),
            ),
        };
        let evidence_detail = format!("covers \"{covered}\"");
        out.push(attach(check, evidence, evidence_detail));
    }

    for field in GRAMMAR_FIELDS {
        let id = field.grammar_check_id();
        let applicable = match field {
            Field::ExpiryDate => layout.expiry_date.is_some(),
            Field::Nationality => layout.nationality.is_some(),
            Field::OptionalData => layout.optional_data.is_some(),
            Field::OptionalData2 => layout.optional_data_2.is_some(),
            _ => true,
        };
        if !applicable {
            out.push(Check::new(id, CheckStatus::NotApplicable, format!("{} has no {} field", mrz.format.label(), field.label().to_lowercase())));
            continue;
        }
        let findings: Vec<_> = mrz.grammar.iter().filter(|finding| finding.field == field).collect();
        if findings.is_empty() {
            out.push(Check::pass(id, field.well_formed_message()));
        } else {
            let message = findings.iter().map(|f| f.message.as_str()).collect::<Vec<_>>().join(". ");
            let mut check = Check::fail(id, message);
            for finding in findings {
                check = check.with_evidence(Evidence::source(finding.span.source()));
            }
            out.push(check);
        }
    }

    out.push(code_known("mrz.issuing_state.known", "Issuing state", &mrz.issuing_state, layout.issuing_state));
    match layout.nationality {
        Some(span) => out.push(code_known("mrz.nationality.known", "Nationality", &mrz.nationality, span)),
        None => out.push(Check::new("mrz.nationality.known", CheckStatus::NotApplicable, "The French 1988 card prints no nationality")),
    }

    out.extend(date_checks(mrz, &inspection_date));

    let names_span = layout.names;
    out.push(if mrz.name_may_be_truncated {
        Check::warn(
            "mrz.names.truncated",
            "The name fills its whole MRZ field and may be truncated: compare with the name in the visual zone or chip",
        )
        .with_evidence(Evidence::source(names_span.source()))
    } else {
        Check::pass("mrz.names.truncated", "The name fits its field (not truncated)")
    });
    out
}

fn printed_name(c: char) -> String {
    match c {
        '<' => "a filler".to_string(),
        '\0' => "missing".to_string(),
        _ => c.to_string(),
    }
}

fn attach_plain(mut check: Check, evidence: Vec<Evidence>) -> Check {
    check.evidence = evidence;
    check
}

fn attach(mut check: Check, evidence: Vec<Evidence>, detail: String) -> Check {
    for (index, item) in evidence.into_iter().enumerate() {
        let item = if index == 0 { item.with_detail(detail.clone()) } else { item };
        check = check.with_evidence(item);
    }
    check
}

fn code_known(id: &str, label: &str, code: &str, span: Span) -> Check {
    let evidence = Evidence::source(span.source());
    let check = match issuer_kind(code) {
        Some(IssuerKind::State) => Check::pass(id, format!("{label} {code} is an ICAO state code")),
        Some(IssuerKind::NonState) => Check::pass(
            id,
            format!("{label} {code} is an ICAO non-state code: {}", issuer_name(code).unwrap_or_default()),
        ),
        Some(IssuerKind::Fictional) => Check::pass(
            id,
            format!("{label} {code} is the fictional specimen issuer {} (training and test documents only)", issuer_name(code).unwrap_or_default()),
        ),
        Some(IssuerKind::Registered) => Check::pass(
            id,
            format!("{label} {code} is a registered issuer: {}", issuer_name(code).unwrap_or_default()),
        ),
        None => Check::fail(id, format!("{label} code \"{code}\" is not an ICAO 9303 code nor a known issuer")),
    };
    check.with_evidence(evidence)
}

fn date_checks(mrz: &Mrz, inspection: &MrzDate) -> Vec<Check> {
    let layout = layout(mrz.format);
    let birth = mrz.birth_date.and_then(|printed| printed.resolve_birth(inspection));
    let expiry = mrz.expiry_date.and_then(|printed| printed.resolve_expiry(inspection));
    let mut out = Vec::new();
    let birth_source = Evidence::source(layout.birth_date.source());

    // Expired.
    out.push(match (layout.expiry_date, expiry) {
        (None, _) => Check::new("mrz.expired", CheckStatus::NotApplicable, "The French 1988 card prints no expiry date in its MRZ"),
        (Some(_), None) => Check::new("mrz.expired", CheckStatus::Error, "Date of expiry is unreadable: expiry cannot be checked"),
        (Some((span, _)), Some(expiry)) => {
            let evidence = Evidence::source(span.source());
            if expiry.is_before(inspection) {
                Check::fail("mrz.expired", format!("Document expired on {expiry} (inspection date {inspection})")).with_evidence(evidence)
            } else {
                Check::pass("mrz.expired", format!("Document valid until {expiry} (inspection date {inspection})")).with_evidence(evidence)
            }
        }
    });

    // Plausibility of the resolved dates.
    let mut problems = Vec::new();
    if let Some(birth) = birth {
        if !birth.is_valid() {
            problems.push(format!("date of birth {birth} does not exist (29 February of a year that is not a leap year)"));
        }
        if let Some(expiry) = expiry
            && !expiry.is_after(&birth) {
                problems.push(format!("date of expiry {expiry} is not after the date of birth {birth}"));
            }
    } else {
        problems.push("date of birth is unreadable or entirely unknown".to_string());
    }
    if let Some(expiry) = expiry {
        if !expiry.is_valid() {
            problems.push(format!("date of expiry {expiry} does not exist"));
        }
        let limit = inspection.plus_years(MAX_YEARS_OF_VALIDITY_AHEAD);
        if expiry.is_after(&limit) {
            problems.push(format!(
                "date of expiry {expiry} is more than {MAX_YEARS_OF_VALIDITY_AHEAD} years after the inspection date"
            ));
        }
    }
    out.push(if problems.is_empty() {
        Check::pass("mrz.dates.plausible", "Dates are plausible: born in the past, expiry after birth and within the validity window")
    } else {
        Check::fail("mrz.dates.plausible", format!("Implausible dates: {}", problems.join("; "))).with_evidence(birth_source.clone())
    });

    // Unknown parts of the birth date.
    let partial = mrz.birth_date.is_some_and(|date| date.mm.is_none() || date.dd.is_none() || date.yy.is_none());
    out.push(if partial {
        Check::warn(
            "mrz.birth_date.partial",
            "Date of birth has an unknown part printed as fillers (ICAO allows this): compare with the visual zone",
        )
        .with_evidence(birth_source)
    } else if mrz.birth_date.is_some() {
        Check::pass("mrz.birth_date.partial", "Date of birth is complete")
    } else {
        Check::new("mrz.birth_date.partial", CheckStatus::Error, "Date of birth is unreadable")
    });
    out
}

/// One character that a confusable correction would change.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ConfusableCorrection {
    /// 0-based line.
    pub line: usize,
    /// 0-based position.
    pub position: usize,
    /// As printed/read.
    pub from: char,
    /// The look-alike the position's grammar allows.
    pub to: char,
    /// The field it belongs to.
    pub field: Field,
}

/// The reading an MRZ would have if its confusable characters (an `O` in a
/// date, a `0` in a name…) were replaced by their allowed look-alikes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CorrectedReading {
    /// The corrected lines.
    pub lines: Vec<String>,
    /// Each change.
    pub corrections: Vec<ConfusableCorrection>,
    /// Whether the corrected reading passes every check digit and grammar rule.
    pub corrected_is_valid: bool,
}

/// Proposes, never applies: what the MRZ would read with confusables fixed
/// by the position grammar. `None` when there is nothing to correct. The
/// officer (or the OCR layer, for its own reading) decides; the printed
/// document's findings stay as they are.
pub fn suggest_corrections(mrz: &Mrz) -> Option<CorrectedReading> {
    let table = position_classes(mrz.format);
    let mut corrections = Vec::new();
    let mut lines = Vec::with_capacity(mrz.lines.len());
    for (line_index, line) in mrz.lines.iter().enumerate() {
        let mut corrected = String::with_capacity(line.len());
        for (position, c) in line.chars().enumerate() {
            let fix = table
                .get(line_index)
                .and_then(|classes| classes.get(position))
                .and_then(|(class, field)| confusable_fix(*class, c).map(|to| (to, *field)));
            match fix {
                Some((to, field)) => {
                    corrections.push(ConfusableCorrection { line: line_index, position, from: c, to, field });
                    corrected.push(to);
                }
                None => corrected.push(c),
            }
        }
        lines.push(corrected);
    }
    if corrections.is_empty() {
        return None;
    }
    let corrected_is_valid = parse_lines(mrz.format, lines.clone()).is_valid();
    Some(CorrectedReading { lines, corrections, corrected_is_valid })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse;

    const TD3: &str = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";

    fn find<'a>(checks: &'a [Check], id: &str) -> &'a Check {
        checks.iter().find(|c| c.id == id).unwrap_or_else(|| panic!("no check {id}"))
    }

    #[test]
    fn every_emitted_id_is_listed_and_every_listed_id_is_emitted() {
        let checks = checks(&parse(TD3).unwrap(), MrzDate::new(2010, 1, 1));
        let listed: Vec<&str> = CHECK_IDS.iter().map(|info| info.id).collect();
        for check in &checks {
            assert!(listed.contains(&check.id.as_str()), "unlisted {}", check.id);
        }
        assert_eq!(checks.len(), CHECK_IDS.len());
    }

    #[test]
    fn specimen_passes_before_expiry_and_fails_after() {
        let mrz = parse(TD3).unwrap();
        let before = checks(&mrz, MrzDate::new(2010, 1, 1));
        assert!(before.iter().all(|c| c.status != CheckStatus::Fail), "{before:#?}");
        let after = checks(&mrz, MrzDate::new(2026, 11, 25));
        let expired = find(&after, "mrz.expired");
        assert_eq!(expired.status, CheckStatus::Fail);
        assert_eq!(expired.message, "Document expired on 2012-04-15 (inspection date 2026-11-25)");
    }

    #[test]
    fn wrong_check_digit_message_names_field_and_digits() {
        let mrz = parse(&TD3.replace("L898902C36", "L898902C33")).unwrap();
        let all = checks(&mrz, MrzDate::new(2010, 1, 1));
        let number = find(&all, "mrz.check_digit.number");
        assert_eq!(number.status, CheckStatus::Fail);
        assert!(number.message.starts_with("Document number check digit is 3, computed 6"), "{}", number.message);
        assert_eq!(number.evidence[0].source.as_deref(), Some("mrz:line2:9-10"));
        assert_eq!(number.evidence[1].source.as_deref(), Some("mrz:line2:0-9"));
    }

    #[test]
    fn confusables_are_suggested_not_applied() {
        let mrz = parse(&TD3.replace("7408122F", "74O8122F")).unwrap();
        assert!(!mrz.is_valid());
        let suggestion = suggest_corrections(&mrz).unwrap();
        assert_eq!(suggestion.corrections.len(), 1);
        assert_eq!((suggestion.corrections[0].from, suggestion.corrections[0].to), ('O', '0'));
        assert!(suggestion.corrected_is_valid);
        assert!(suggest_corrections(&parse(TD3).unwrap()).is_none());
    }

    #[test]
    fn unknown_issuer_fails_and_fictional_passes() {
        let mrz = parse(&TD3.replace("P<UTO", "P<QQQ")).unwrap();
        let all = checks(&mrz, MrzDate::new(2010, 1, 1));
        assert_eq!(find(&all, "mrz.issuing_state.known").status, CheckStatus::Fail);
        assert!(find(&checks(&parse(TD3).unwrap(), MrzDate::new(2010, 1, 1)), "mrz.issuing_state.known").message.contains("Utopia"));
    }
}
