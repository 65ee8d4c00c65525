//! Constrained decoding of OCR output: from per-position candidate characters
//! with probabilities to the most probable reading that satisfies the
//! position grammar and the check digits, with every correction listed.
//!
//! # Decision rule
//!
//! 1. **Shape.** Lines and positions must match the layout, and every position
//!    must have at least one candidate; otherwise the result is `Unreadable`.
//! 2. **Grammar.** Where the top candidate is not allowed at its position (a
//!    letter in a date), the most probable *allowed* candidate the OCR itself
//!    proposed (probability ≥ [`MIN_ALTERNATIVE`]) replaces it. If the OCR
//!    proposed none, the usual look-alike is used (`O`→`0`…) with its
//!    confidence cut to 60 % of the original, since no evidence backs it.
//! 3. **Issuer codes.** An issuing state or nationality that is no known
//!    code (or has a filler between letters) is changed at its uncertain
//!    positions, one or two, to the most probable known code the OCR
//!    candidates allow. A confidently read unknown code stays as printed.
//! 4. **Check digits.** For each failing check digit (document number, birth,
//!    expiry, optional data, then composite), the decoder tries replacing
//!    *uncertain* characters only — those whose chosen candidate has
//!    probability below [`CERTAIN`] — with their OCR alternatives, one change
//!    then two, keeping the assignment with the highest joint probability that
//!    makes that digit (and, for the composite, every digit) hold. At most
//!    [`MAX_TRIALS`] readings are evaluated. A check digit printed clearly
//!    wrong therefore stays wrong: the decoder reports what is printed.
//! 5. **Look-alikes.** Where letters and digits are both allowed (document
//!    number, optional data) the model can be confidently wrong between
//!    OCR-B look-alikes (`O` for `0`, `I` for `1`, `B` for `8`…). When step 4
//!    finds no fix, each confident letter of the failing digit's fields is
//!    swapped for its digit look-alike where the OCR gave that look-alike at least
//!    [`TRACE`] (a clearly printed character, such as a forger's wrong check
//!    digit, leaves none); if exactly one swap makes the digit hold, it is
//!    taken with 60 % of the original confidence, so the reading stays
//!    `LowConfidence` for the officer to confirm. Two or more candidate swaps
//!    leave the reading as printed.
//! 6. **Status.** `Valid` when the final reading passes every check digit and
//!    grammar rule and every character has confidence ≥ [`LOW_CONFIDENCE`];
//!    `LowConfidence` when it is readable but fails a rule or has a weak
//!    character; `Unreadable` when the shape is wrong, a position is empty, or
//!    the mean confidence is below [`UNREADABLE_MEAN`]. A valid-looking reading
//!    is never forced: corrected characters keep the (lower) probability of
//!    the candidate chosen.

use serde::{Deserialize, Serialize};

use crate::grammar::{confusable_fix, position_classes, CharClass};
use crate::layout::layout;
use crate::parse::{parse_lines, CheckDigitKind, Mrz};
use crate::codes::issuer_kind;
use crate::fields::Span;
use crate::MrzFormat;

/// A candidate at or above this probability is treated as certain: never changed.
pub const CERTAIN: f32 = 0.9;
/// OCR alternatives below this probability are ignored.
pub const MIN_ALTERNATIVE: f32 = 0.05;
/// Characters below this confidence make the reading `LowConfidence`.
pub const LOW_CONFIDENCE: f32 = 0.6;
/// Mean confidence below this makes the reading `Unreadable`.
pub const UNREADABLE_MEAN: f32 = 0.3;
/// Where the OCR's first choice breaks the grammar its ranking is unreliable:
/// alternatives down to this probability are still considered there.
pub const TRACE: f32 = 1e-4;
/// Bound on the readings evaluated during the check digit search.
pub const MAX_TRIALS: usize = 4000;
/// Alternatives considered per position during the check digit search.
const ALTERNATIVES_PER_POSITION: usize = 3;
/// Uncertain positions considered per check digit (the least certain first).
const POSITIONS_PER_DIGIT: usize = 10;

/// How much to trust a decoded reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecodeStatus {
    /// Every rule holds and every character is confidently read.
    Valid,
    /// Readable, but a rule fails or some character is weak: show it to the officer.
    LowConfidence,
    /// Not enough evidence for a reading.
    Unreadable,
}

/// Why a character was changed from the OCR's top candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CorrectionReason {
    /// The top candidate is not allowed at this position.
    Grammar,
    /// The change makes a failing check digit hold.
    CheckDigit(CheckDigitKind),
    /// The code read is no known state or issuer code; this uncertain
    /// character was the most probable change that makes it one.
    IssuerCode,
    /// A confidently read character was swapped for its OCR-B look-alike: the
    /// only such swap that makes this check digit hold. Needs confirming.
    LookAlike(CheckDigitKind),
}

/// One change from the OCR's top candidate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OcrCorrection {
    /// 0-based line.
    pub line: usize,
    /// 0-based position.
    pub position: usize,
    /// The OCR's top candidate.
    pub from: char,
    /// The character chosen.
    pub to: char,
    /// Why.
    pub reason: CorrectionReason,
}

/// The decoded reading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecodedMrz {
    /// Trust in the reading.
    pub status: DecodeStatus,
    /// The chosen lines (empty when unreadable because of shape).
    pub lines: Vec<String>,
    /// The parsed reading (`None` when unreadable because of shape).
    pub mrz: Option<Mrz>,
    /// Probability of each chosen character, `[line][position]`.
    pub confidence: Vec<Vec<f32>>,
    /// Every change from the top candidates.
    pub corrections: Vec<OcrCorrection>,
    /// Readings evaluated by the search (for benchmarks and tests).
    pub trials: usize,
}

/// Decodes per-position candidates (`lines → positions → (char, probability)`)
/// for a known layout, by the rule in the module documentation.
pub fn decode(format: MrzFormat, candidates: &[Vec<Vec<(char, f32)>>]) -> DecodedMrz {
    let unreadable = |trials| DecodedMrz {
        status: DecodeStatus::Unreadable,
        lines: Vec::new(),
        mrz: None,
        confidence: Vec::new(),
        corrections: Vec::new(),
        trials,
    };
    if candidates.len() != format.line_count()
        || candidates.iter().any(|line| line.len() != format.line_length())
    {
        return unreadable(0);
    }
    // Sorted, cleaned candidate lists.
    let mut sorted: Vec<Vec<Vec<(char, f32)>>> = Vec::with_capacity(candidates.len());
    for line in candidates {
        let mut positions = Vec::with_capacity(line.len());
        for position in line {
            let mut list: Vec<(char, f32)> = position
                .iter()
                .filter(|(_, p)| p.is_finite() && *p > 0.0)
                .map(|(c, p)| (*c, p.min(1.0)))
                .collect();
            list.sort_by(|a, b| b.1.total_cmp(&a.1));
            if list.is_empty() {
                return unreadable(0);
            }
            positions.push(list);
        }
        sorted.push(positions);
    }

    let classes = position_classes(format);
    let mut chosen: Vec<Vec<(char, f32)>> = Vec::with_capacity(sorted.len());
    let mut corrections = Vec::new();
    for (line_index, line) in sorted.iter().enumerate() {
        let mut out = Vec::with_capacity(line.len());
        for (position, list) in line.iter().enumerate() {
            let class = classes.get(line_index).and_then(|l| l.get(position)).map(|(c, _)| *c).unwrap_or(CharClass::Alphanumeric);
            let (top, top_p) = list[0];
            if class.allows(top) {
                out.push((top, top_p));
                continue;
            }
            let alternative = list.iter().skip(1).find(|(c, p)| class.allows(*c) && *p >= MIN_ALTERNATIVE);
            // Without a proposed alternative: the usual look-alike, else the
            // OCR's most probable allowed character however weak (a best guess
            // that stays `LowConfidence`, never a confident reading).
            let pick = match alternative {
                Some(&(c, p)) => Some((c, p)),
                None => confusable_fix(class, top)
                    .map(|c| (c, top_p * 0.6))
                    .or_else(|| list.iter().skip(1).find(|(c, p)| class.allows(*c) && *p >= TRACE).copied()),
            };
            match pick {
                Some((c, p)) => {
                    corrections.push(OcrCorrection { line: line_index, position, from: top, to: c, reason: CorrectionReason::Grammar });
                    out.push((c, p));
                }
                None => out.push((top, top_p)),
            }
        }
        chosen.push(out);
    }

    // Issuer and nationality codes come from a closed list no check digit covers.
    let code_spans = [Some(layout(format).issuing_state), layout(format).nationality];
    for span in code_spans.into_iter().flatten() {
        let changes = known_code(&chosen, &sorted, span);
        apply_changes(&mut chosen, &sorted, &mut corrections, changes, CorrectionReason::IssuerCode);
    }

    let mut trials = 0usize;
    let digit_order = [
        CheckDigitKind::Number,
        CheckDigitKind::BirthDate,
        CheckDigitKind::ExpiryDate,
        CheckDigitKind::OptionalData,
        CheckDigitKind::Composite,
    ];
    for kind in digit_order {
        let current = parse_lines(format, to_lines(&chosen));
        trials += 1;
        let Some(result) = current.check_digit(kind) else { continue };
        if result.holds() {
            continue;
        }
        let mut spans: Vec<Span> = result.covers.clone();
        spans.push(result.at);
        if kind == CheckDigitKind::Number {
            // A long TD1/TD2 number may move its digit: search the whole optional field too.
            if let Some(span) = layout(format).optional_data {
                spans.push(span);
            }
        }
        let (best, reason) = match search(format, &chosen, &sorted, classes, &spans, kind, &mut trials) {
            Some(best) => (best, CorrectionReason::CheckDigit(kind)),
            None => match look_alike_swap(format, &chosen, &sorted, classes, &spans, kind, &mut trials) {
                Some(swap) => (vec![swap], CorrectionReason::LookAlike(kind)),
                None => continue,
            },
        };
        apply_changes(&mut chosen, &sorted, &mut corrections, best, reason);
    }

    let lines = to_lines(&chosen);
    let mrz = parse_lines(format, lines.clone());
    let confidence: Vec<Vec<f32>> = chosen.iter().map(|line| line.iter().map(|(_, p)| *p).collect()).collect();
    let count = confidence.iter().map(Vec::len).sum::<usize>().max(1);
    let mean = confidence.iter().flatten().sum::<f32>() / count as f32;
    let weakest = confidence.iter().flatten().copied().fold(1.0f32, f32::min);
    let status = if mean < UNREADABLE_MEAN {
        DecodeStatus::Unreadable
    } else if mrz.is_valid() && weakest >= LOW_CONFIDENCE {
        DecodeStatus::Valid
    } else {
        DecodeStatus::LowConfidence
    };
    corrections.sort_by_key(|c| (c.line, c.position));
    DecodedMrz { status, lines, mrz: Some(mrz), confidence, corrections, trials }
}

fn to_lines(chosen: &[Vec<(char, f32)>]) -> Vec<String> {
    chosen.iter().map(|line| line.iter().map(|(c, _)| *c).collect()).collect()
}

type Change = (usize, usize, char, f32);

/// Whether `kind` holds once `changes` are made to the chosen reading; for
/// the composite, whether every check digit holds.
fn holds_with(format: MrzFormat, chosen: &[Vec<(char, f32)>], changes: &[Change], kind: CheckDigitKind) -> bool {
    let mut lines: Vec<Vec<char>> = chosen.iter().map(|l| l.iter().map(|(c, _)| *c).collect()).collect();
    for &(line, position, c, _) in changes {
        lines[line][position] = c;
    }
    let mrz = parse_lines(format, lines.into_iter().map(|l| l.into_iter().collect()).collect());
    if kind == CheckDigitKind::Composite {
        mrz.check_digits.iter().all(|d| d.holds())
    } else {
        mrz.check_digit(kind).is_some_and(|d| d.holds())
    }
}

/// Makes `changes` to the chosen reading and records each one that differs
/// from the OCR's top candidate (replacing an earlier correction there).
fn apply_changes(
    chosen: &mut [Vec<(char, f32)>],
    sorted: &[Vec<Vec<(char, f32)>>],
    corrections: &mut Vec<OcrCorrection>,
    changes: Vec<Change>,
    reason: CorrectionReason,
) {
    for (line, position, c, p) in changes {
        let from = sorted[line][position][0].0;
        chosen[line][position] = (c, p);
        corrections.retain(|k| !(k.line == line && k.position == position));
        if c != from {
            corrections.push(OcrCorrection { line, position, from, to: c, reason });
        }
    }
}

/// Best (highest joint probability) set of at most two changes among
/// uncertain positions of `spans` that makes `kind` hold; for the composite,
/// every check digit must hold.
fn search(
    format: MrzFormat,
    chosen: &[Vec<(char, f32)>],
    sorted: &[Vec<Vec<(char, f32)>>],
    classes: &[Vec<(CharClass, crate::fields::Field)>],
    spans: &[Span],
    kind: CheckDigitKind,
    trials: &mut usize,
) -> Option<Vec<Change>> {
    // Uncertain positions, least certain first.
    let mut positions: Vec<(usize, usize, f32)> = Vec::new();
    for span in spans {
        for position in span.start..span.end {
            let Some(&(_, p)) = chosen.get(span.line).and_then(|l| l.get(position)) else { continue };
            if p < CERTAIN && !positions.iter().any(|(l, q, _)| *l == span.line && *q == position) {
                positions.push((span.line, position, p));
            }
        }
    }
    positions.sort_by(|a, b| a.2.total_cmp(&b.2));
    positions.truncate(POSITIONS_PER_DIGIT);

    // Alternatives per position: OCR candidates allowed by the grammar, not the
    // current choice; where the OCR's first choice broke the grammar, weaker ones too.
    let options: Vec<Vec<Change>> = positions
        .iter()
        .map(|&(line, position, _)| {
            let current = chosen[line][position].0;
            let class = classes[line][position].0;
            let broke_grammar = sorted[line][position].first().is_some_and(|(top, _)| !class.allows(*top));
            let (floor, count) =
                if broke_grammar { (TRACE, ALTERNATIVES_PER_POSITION + 2) } else { (MIN_ALTERNATIVE, ALTERNATIVES_PER_POSITION) };
            sorted[line][position]
                .iter()
                .filter(|(c, p)| *c != current && *p >= floor && class.allows(*c))
                .take(count)
                .map(|&(c, p)| (line, position, c, p))
                .collect()
        })
        .collect();

    let score = |changes: &[Change]| -> f32 {
        changes.iter().map(|&(line, position, _, p)| p.ln() - chosen[line][position].1.ln()).sum()
    };
    let holds = |changes: &[Change], trials: &mut usize| -> bool {
        *trials += 1;
        holds_with(format, chosen, changes, kind)
    };

    let mut best: Option<(f32, Vec<Change>)> = None;
    for option in options.iter().flatten() {
        if *trials >= MAX_TRIALS {
            break;
        }
        let changes = vec![*option];
        if holds(&changes, trials) {
            let s = score(&changes);
            if best.as_ref().is_none_or(|(b, _)| s > *b) {
                best = Some((s, changes));
            }
        }
    }
    if best.is_none() {
        'pairs: for (i, first_options) in options.iter().enumerate() {
            for second_options in options.iter().skip(i + 1) {
                for first in first_options {
                    for second in second_options {
                        if *trials >= MAX_TRIALS {
                            break 'pairs;
                        }
                        let changes = vec![*first, *second];
                        if holds(&changes, trials) {
                            let s = score(&changes);
                            if best.as_ref().is_none_or(|(b, _)| s > *b) {
                                best = Some((s, changes));
                            }
                        }
                    }
                }
            }
        }
    }
    best.map(|(_, changes)| changes)
}

/// For a code span that reads as no known state or issuer code: the most
/// probable one or two changes at uncertain positions (any OCR candidate
/// down to [`TRACE`]) that make it a known code; empty when there is none.
fn known_code(chosen: &[Vec<(char, f32)>], sorted: &[Vec<Vec<(char, f32)>>], span: Span) -> Vec<Change> {
    let Some(line) = chosen.get(span.line) else { return Vec::new() };
    let Some(current) = line.get(span.start..span.end) else { return Vec::new() };
    let code = |changes: &[Change]| -> String {
        (span.start..span.end)
            .map(|position| {
                changes.iter().find(|k| k.1 == position).map_or(current[position - span.start].0, |k| k.2)
            })
            .collect()
    };
    if issuer_kind(&code(&[])).is_some() {
        return Vec::new();
    }
    let options: Vec<Vec<Change>> = (span.start..span.end)
        .filter(|&position| current[position - span.start].1 < CERTAIN)
        .map(|position| {
            let now = current[position - span.start].0;
            sorted[span.line][position]
                .iter()
                .filter(|(c, p)| *c != now && *p >= TRACE && (c.is_ascii_uppercase() || *c == '<'))
                .map(|&(c, p)| (span.line, position, c, p))
                .collect()
        })
        .collect();
    let score = |changes: &[Change]| -> f32 {
        changes.iter().map(|&(_, position, _, p)| p.ln() - current[position - span.start].1.ln()).sum()
    };
    let mut best: Option<(f32, Vec<Change>)> = None;
    let mut consider = |changes: Vec<Change>| {
        if issuer_kind(&code(&changes)).is_some() {
            let s = score(&changes);
            if best.as_ref().is_none_or(|(b, _)| s > *b) {
                best = Some((s, changes));
            }
        }
    };
    for option in options.iter().flatten() {
        consider(vec![*option]);
    }
    for (i, first_options) in options.iter().enumerate() {
        for second_options in options.iter().skip(i + 1) {
            for first in first_options {
                for second in second_options {
                    consider(vec![*first, *second]);
                }
            }
        }
    }
    best.map(|(_, changes)| changes).unwrap_or_default()
}

/// The digit an OCR-B letter is mistaken for (`O`→`0`, `B`→`8`…). Only
/// letters are swapped: document numbers are mostly digits, so a letter that
/// breaks the check digit is the likely misreading, while swapping digits
/// too would let a coincidence "fix" many a genuinely failing check digit.
fn look_alike(c: char) -> Option<char> {
    confusable_fix(CharClass::Numeric, c)
}

/// The single look-alike swap among the alphanumeric positions of `spans`
/// that makes `kind` hold (for the composite, every check digit); `None`
/// when no swap or more than one does.
fn look_alike_swap(
    format: MrzFormat,
    chosen: &[Vec<(char, f32)>],
    sorted: &[Vec<Vec<(char, f32)>>],
    classes: &[Vec<(CharClass, crate::fields::Field)>],
    spans: &[Span],
    kind: CheckDigitKind,
    trials: &mut usize,
) -> Option<Change> {
    let mut found: Option<Change> = None;
    let mut visited: Vec<(usize, usize)> = Vec::new();
    for span in spans {
        for position in span.start..span.end {
            if visited.contains(&(span.line, position)) {
                continue;
            }
            visited.push((span.line, position));
            let Some(&(current, p)) = chosen.get(span.line).and_then(|l| l.get(position)) else { continue };
            let alphanumeric = classes.get(span.line).and_then(|l| l.get(position)).is_some_and(|(c, _)| *c == CharClass::Alphanumeric);
            // The OCR must have seen a trace of the look-alike: a clearly
            // printed character (a forger's wrong check digit) has none.
            let Some(candidates) = sorted.get(span.line).and_then(|l| l.get(position)) else { continue };
            let traced = |c: char| candidates.iter().any(|&(k, q)| k == c && q >= TRACE);
            let Some(swapped) = look_alike(current).filter(|&c| alphanumeric && traced(c)) else { continue };
            if *trials >= MAX_TRIALS {
                return None;
            }
            *trials += 1;
            let swap = (span.line, position, swapped, p * 0.6);
            if holds_with(format, chosen, &[swap], kind) {
                if found.is_some() {
                    return None;
                }
                found = Some(swap);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const TD3: [&str; 2] =
        ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"];

    /// Every position certain (0.99) on the given lines.
    fn certain(lines: &[&str]) -> Vec<Vec<Vec<(char, f32)>>> {
        lines.iter().map(|l| l.chars().map(|c| vec![(c, 0.99)]).collect()).collect()
    }

    #[test]
    fn clean_reading_is_valid_without_corrections() {
        let decoded = decode(MrzFormat::Td3, &certain(&TD3));
        assert_eq!(decoded.status, DecodeStatus::Valid);
        assert!(decoded.corrections.is_empty());
        assert_eq!(decoded.lines, TD3);
    }

    #[test]
    fn grammar_prefers_the_allowed_ocr_alternative() {
        let mut input = certain(&TD3);
        // Birth date "740812": OCR thinks 'O' (0.6) over '0' (0.4) at line 2, position 16.
        input[1][15] = vec![('O', 0.6), ('0', 0.4)];
        let decoded = decode(MrzFormat::Td3, &input);
        assert_eq!(decoded.lines[1], TD3[1]);
        assert_eq!(decoded.corrections.len(), 1);
        assert_eq!(decoded.corrections[0].reason, CorrectionReason::Grammar);
        assert_eq!(decoded.status, DecodeStatus::LowConfidence, "0.4 is weak evidence");
    }

    #[test]
    fn check_digit_fixes_an_uncertain_character() {
        let mut input = certain(&TD3);
        // Document number "L898902C3": the '8' at position 2 read as '6' (0.55) vs '8' (0.45).
        input[1][1] = vec![('6', 0.55), ('8', 0.45)];
        let decoded = decode(MrzFormat::Td3, &input);
        assert_eq!(decoded.lines[1], TD3[1]);
        assert!(matches!(decoded.corrections[0].reason, CorrectionReason::CheckDigit(CheckDigitKind::Number)));
        assert_eq!(decoded.status, DecodeStatus::LowConfidence);
    }

    #[test]
    fn a_clearly_printed_wrong_check_digit_stays_wrong() {
        let forged = TD3[1].replacen("L898902C36", "L898902C37", 1);
        let decoded = decode(MrzFormat::Td3, &certain(&[TD3[0], &forged]));
        assert_eq!(decoded.lines[1], forged);
        assert!(decoded.corrections.is_empty());
        assert_eq!(decoded.status, DecodeStatus::LowConfidence);
        assert!(!decoded.mrz.unwrap().is_valid());
    }

    #[test]
    fn wrong_shape_or_empty_positions_are_unreadable() {
        assert_eq!(decode(MrzFormat::Td1, &certain(&TD3)).status, DecodeStatus::Unreadable);
        let mut input = certain(&TD3);
        input[0][3].clear();
        assert_eq!(decode(MrzFormat::Td3, &input).status, DecodeStatus::Unreadable);
        let weak: Vec<Vec<Vec<(char, f32)>>> =
            TD3.iter().map(|l| l.chars().map(|c| vec![(c, 0.1)]).collect()).collect();
        assert_eq!(decode(MrzFormat::Td3, &weak).status, DecodeStatus::Unreadable);
    }

    #[test]
    fn composite_alone_can_fix_an_uncovered_field() {
        // TD1 optional data 2 (line 2, positions 19–29) is covered by the composite only.
        let td1 = ["I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"];
        let mut input = certain(&td1);
        input[1][20] = vec![('L', 0.5), ('<', 0.45)];
        let decoded = decode(MrzFormat::Td1, &input);
        assert_eq!(decoded.lines[1], td1[1]);
        assert!(matches!(decoded.corrections[0].reason, CorrectionReason::CheckDigit(CheckDigitKind::Composite)));
    }

    #[test]
    fn a_check_digit_blind_spot_stays_low_confidence() {
        // `K` and `<` weigh the same modulo 10: no check digit can tell them apart
        // in optional data, so the weak read is kept and flagged, not trusted.
        let td1 = ["I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"];
        let mut input = certain(&td1);
        input[1][20] = vec![('K', 0.5), ('<', 0.45)];
        let decoded = decode(MrzFormat::Td1, &input);
        assert_eq!(decoded.status, DecodeStatus::LowConfidence);
        assert!(decoded.corrections.is_empty());
    }
    #[test]
    fn a_forbidden_document_letter_takes_the_best_allowed_one_and_stays_weak() {
        // A mark over the TD1 'I': the OCR is sure of 'Z', and 'I' is far down its list.
        let td1 = ["I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"];
        let mut input = certain(&td1);
        input[0][0] = vec![('Z', 0.95), ('B', 0.04), ('I', 0.003), ('A', 0.001)];
        let decoded = decode(MrzFormat::Td1, &input);
        assert_eq!(decoded.lines[0], td1[0]);
        assert_eq!((decoded.corrections[0].from, decoded.corrections[0].to), ('Z', 'I'));
        assert_eq!(decoded.status, DecodeStatus::LowConfidence, "a guess, never a confident reading");
    }

    #[test]
    fn a_check_digit_reaches_a_weak_alternative_where_the_first_choice_broke_the_grammar() {
        let mut input = certain(&TD3);
        // Birth date "740812": the '0' at position 16 read as 'B' (0.95); '8' and '6' rank
        // above '0', and only '0' makes the birth date check digit hold.
        input[1][15] = vec![('B', 0.95), ('8', 0.03), ('6', 0.01), ('0', 0.004)];
        let decoded = decode(MrzFormat::Td3, &input);
        assert_eq!(decoded.lines[1], TD3[1]);
        assert_eq!(decoded.status, DecodeStatus::LowConfidence);
        // A confidently read wrong letter elsewhere is not "fixed" with weak evidence.
        let mut input = certain(&TD3);
        input[1][15] = vec![('8', 0.97), ('0', 0.004)];
        assert_ne!(decode(MrzFormat::Td3, &input).lines[1], TD3[1]);
    }

    #[test]
    fn a_confident_look_alike_in_the_document_number_is_swapped_when_only_it_fits() {
        // "L898902C3": the '0' at position 6 read confidently as 'O'. Only O→0 makes the digit hold.
        let misread = TD3[1].replacen("L898902C36", "L8989O2C36", 1);
        let mut input = certain(&[TD3[0], &misread]);
        input[1][5].push(('0', 0.002));
        let decoded = decode(MrzFormat::Td3, &input);
        assert_eq!(decoded.lines[1], TD3[1]);
        assert_eq!(decoded.corrections.len(), 1);
        let correction = decoded.corrections[0];
        assert_eq!((correction.position, correction.from, correction.to), (5, 'O', '0'));
        assert_eq!(correction.reason, CorrectionReason::LookAlike(CheckDigitKind::Number));
        assert_eq!(decoded.status, DecodeStatus::LowConfidence, "a confident misread is confirmed by the officer");
        assert!(decoded.confidence[1][5] < LOW_CONFIDENCE);
        // Without a trace of '0' in the OCR's candidates the 'O' is taken as printed.
        let decoded = decode(MrzFormat::Td3, &certain(&[TD3[0], &misread]));
        assert_eq!(decoded.lines[1], misread);
        assert!(decoded.corrections.is_empty());
    }

    #[test]
    fn look_alikes_are_not_swapped_in_letter_only_or_digit_only_fields() {
        // A certain '6' for the '0' of the birth date: dates allow digits only, so no look-alike swap.
        let mut input = certain(&TD3);
        input[1][15] = vec![('6', 0.99)];
        let decoded = decode(MrzFormat::Td3, &input);
        assert!(decoded.corrections.is_empty());
        assert_ne!(decoded.lines[1], TD3[1]);
    }

    #[test]
    fn two_look_alike_swaps_that_both_fit_leave_the_reading_as_printed() {
        // "O89O902C3" + '1': either O→0 (both weigh 7) makes the digit hold.
        let misread = TD3[1].replacen("L898902C36", "O89O902C31", 1);
        let mut input = certain(&[TD3[0], &misread]);
        input[1][0].push(('0', 0.002));
        input[1][3].push(('0', 0.002));
        let decoded = decode(MrzFormat::Td3, &input);
        assert_eq!(&decoded.lines[1][..10], "O89O902C31");
        assert!(decoded.corrections.is_empty());
    }

    #[test]
    fn a_clear_digit_is_never_swapped_for_a_letter() {
        // "L898902C3" printed with check digit 5: 8→B at position 2 would make it hold,
        // and the OCR saw a trace of 'B' there, but digits are read as printed.
        let printed = TD3[1].replacen("L898902C36", "L898902C35", 1);
        let mut input = certain(&[TD3[0], &printed]);
        input[1][1].push(('B', 0.002));
        let decoded = decode(MrzFormat::Td3, &input);
        assert_eq!(decoded.lines[1], printed);
        assert!(decoded.corrections.is_empty());
    }

    #[test]
    fn an_unknown_issuer_code_takes_the_most_probable_known_one_at_uncertain_positions() {
        // Nationality "UTO" (line 2, positions 11–13): the 'T' read as 'I' (0.5), 'T' second.
        let mut input = certain(&TD3);
        input[1][11] = vec![('I', 0.5), ('T', 0.3), ('L', 0.1)];
        let decoded = decode(MrzFormat::Td3, &input);
        assert_eq!(decoded.lines[1], TD3[1]);
        assert_eq!(decoded.corrections.len(), 1);
        assert_eq!((decoded.corrections[0].from, decoded.corrections[0].to), ('I', 'T'));
        assert_eq!(decoded.corrections[0].reason, CorrectionReason::IssuerCode);
        assert_eq!(decoded.status, DecodeStatus::LowConfidence, "0.3 is weak evidence");
        // A filler between letters is never a code.
        let mut input = certain(&TD3);
        input[1][11] = vec![('<', 0.4), ('6', 0.2), ('T', 0.01)];
        assert_eq!(decode(MrzFormat::Td3, &input).lines[1], TD3[1]);
    }

    #[test]
    fn a_confidently_read_unknown_issuer_code_stays_as_printed() {
        let mut input = certain(&TD3);
        input[1][11] = vec![('I', 0.95), ('T', 0.04)];
        let decoded = decode(MrzFormat::Td3, &input);
        assert_eq!(&decoded.lines[1][10..13], "UIO");
        assert!(decoded.corrections.is_empty());
    }

    #[test]
    fn a_filler_read_for_the_composite_digit_takes_the_digit_the_check_needs() {
        // A loose cut over the TD1 composite '6' reads '<' first; '6' is a weak alternative.
        let td1 = ["I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"];
        let mut input = certain(&td1);
        input[1][29] = vec![('<', 0.95), ('5', 0.01), ('6', 0.004)];
        let decoded = decode(MrzFormat::Td1, &input);
        assert_eq!(decoded.lines[1], td1[1]);
        assert_eq!(decoded.status, DecodeStatus::LowConfidence);
    }

    #[test]
    fn a_digit_after_the_card_letter_is_kept() {
        // US permanent resident cards print "C1".
        let td1 = ["C1USA0000000392SRC0000000039<<", "2001010F8001022SLV<<<<<<<<<<<0", "VOID<<VOID<<<<<<<<<<<<<<<<<<<<"];
        let decoded = decode(MrzFormat::Td1, &certain(&td1));
        assert_eq!(decoded.lines, td1);
        assert!(decoded.corrections.is_empty());
    }
}
