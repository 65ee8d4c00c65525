//! From per-position candidates to MRZ lines. The choice itself is
//! `tdverify_mrz::decode` (grammar and check digits, never forcing a
//! valid-looking reading); this module picks the layout, turns its
//! corrections into officer-readable reasons and separates "read with
//! confidence but breaking a rule" (a finding about the document) from
//! "not read with confidence".

use serde::Serialize;
use tdverify_mrz::{CorrectionReason, DecodeStatus, MrzFormat};

use crate::classify::Candidate;

/// A character the decoder changed from the classifier's first choice.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Correction {
    /// Line index, 0-based.
    pub line: usize,
    /// Character index in the line, 0-based.
    pub column: usize,
    /// The classifier's first choice.
    pub from: char,
    /// What the decoder chose.
    pub to: char,
    /// Why (the grammar rule or check digit that decided it).
    pub reason: String,
}

/// How far the reading can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadingStatus {
    /// Every character was read with confidence and every check digit and
    /// grammar rule holds (possibly after the listed corrections).
    Valid,
    /// Every character was read with near certainty and every grammar rule
    /// holds, but a check digit as printed fails: a finding about the
    /// document (the MRZ checks say which), deliberately not "corrected".
    Invalid,
    /// A reading exists but some characters are uncertain and no confident
    /// valid reading explains them: the officer must check or type it.
    LowConfidence,
    /// The characters could not be read.
    Unreadable,
}

/// The decoder's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// The chosen lines.
    pub lines: Vec<String>,
    /// What changed from the classifier's first choices.
    pub corrections: Vec<Correction>,
    /// Trust in the result.
    pub status: ReadingStatus,
    /// The layout the lines were decoded as, when one fitted.
    pub format: Option<MrzFormat>,
}

/// A reading that breaks a rule is reported as printed ("invalid") only when
/// every character is at least this probable; otherwise it is low confidence.
pub const PRINTED_AS_IS: f32 = 0.97;

/// Chooses the lines for per-line, per-position candidates (best first).
pub fn decode(candidates: &[Vec<Vec<Candidate>>]) -> Decoded {
    let top: Vec<String> = candidates
        .iter()
        .map(|line| line.iter().map(|c| c.first().map_or('<', |k| k.character)).collect())
        .collect();
    let refs: Vec<&str> = top.iter().map(String::as_str).collect();
    let Some(format) = detect_format(&refs) else {
        return Decoded { lines: top, corrections: Vec::new(), status: ReadingStatus::Unreadable, format: None };
    };
    let pairs: Vec<Vec<Vec<(char, f32)>>> = candidates
        .iter()
        .map(|line| line.iter().map(|c| c.iter().map(|k| (k.character, k.probability)).collect()).collect())
        .collect();
    let decoded = tdverify_mrz::decode(format, &pairs);
    let classes = tdverify_mrz::position_classes(format);
    let corrections = decoded
        .corrections
        .iter()
        .map(|c| {
            let reason = match c.reason {
                CorrectionReason::Grammar => {
                    let class = classes.get(c.line).and_then(|l| l.get(c.position)).map(|(class, field)| {
                        format!("{} allows only {} here", field.label(), class.describe())
                    });
                    format!("grammar: {}", class.unwrap_or_else(|| "character not allowed here".to_string()))
                }
                CorrectionReason::CheckDigit(kind) => format!("check digit: makes the {} check digit hold", kind.label()),
                CorrectionReason::IssuerCode => {
                    format!("issuer code: no known state or issuer code was read; '{}' makes it one", c.to)
                }
                CorrectionReason::LookAlike(kind) => format!(
                    "look-alike: '{}' was read clearly, but only '{}' makes the {} check digit hold; confirm on the document",
                    c.from,
                    c.to,
                    kind.label()
                ),
            };
            Correction { line: c.line, column: c.position, from: c.from, to: c.to, reason }
        })
        .collect();
    let weakest = decoded.confidence.iter().flatten().copied().fold(1.0f32, f32::min);
    let status = match decoded.status {
        DecodeStatus::Valid => ReadingStatus::Valid,
        DecodeStatus::Unreadable => ReadingStatus::Unreadable,
        DecodeStatus::LowConfidence => {
            // Only failing check digits on a grammatical reading: a cut or
            // layout mistake breaks grammar too, a printing mistake does not.
            let breaks_rule = decoded.mrz.as_ref().is_some_and(|m| !m.is_valid() && m.grammar.is_empty());
            if breaks_rule && weakest >= PRINTED_AS_IS && decoded.corrections.is_empty() {
                ReadingStatus::Invalid
            } else {
                ReadingStatus::LowConfidence
            }
        }
    };
    let lines = if decoded.lines.is_empty() { top } else { decoded.lines };
    Decoded { lines, corrections, status, format: Some(format) }
}

/// The layout of the classifier's first choices; when the first characters
/// are misread, falls back on the line count and length alone.
fn detect_format(lines: &[&str]) -> Option<MrzFormat> {
    if let Some(format) = MrzFormat::detect(lines) {
        return Some(format);
    }
    let length = lines.first()?.chars().count();
    match (lines.len(), length) {
        (3, 30) => Some(MrzFormat::Td1),
        (2, 44) => Some(MrzFormat::Td3),
        (2, 36) => Some(MrzFormat::Td2),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn certain(lines: &[&str]) -> Vec<Vec<Vec<Candidate>>> {
        lines
            .iter()
            .map(|l| l.chars().map(|c| vec![Candidate { character: c, probability: 0.999 }]).collect())
            .collect()
    }

    /// ICAO 9303 Part 4, Appendix B (TD3 specimen).
    const TD3: [&str; 2] = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"];

    #[test]
    fn certain_valid_reading_is_valid() {
        let d = decode(&certain(&TD3));
        assert_eq!(d.status, ReadingStatus::Valid);
        assert_eq!(d.lines, TD3);
        assert!(d.corrections.is_empty());
    }

    #[test]
    fn printed_wrong_check_digit_is_reported_not_corrected() {
        let mut lines = TD3;
        lines[1] = "L898902C35UTO7408122F1204159ZE184226B<<<<<10";
        let mut c = certain(&lines);
        // Even with a plausible alternative, a certain character is not changed.
        c[1][9].push(Candidate { character: '6', probability: 0.001 });
        let d = decode(&c);
        assert_eq!(d.lines[1], lines[1]);
        assert_eq!(d.status, ReadingStatus::Invalid);
    }

    #[test]
    fn uncertain_character_is_corrected_by_the_check_digit() {
        let mut c = certain(&TD3);
        // Document number check digit '6' read as '5' with low confidence, '6' second.
        c[1][9] = vec![Candidate { character: '5', probability: 0.55 }, Candidate { character: '6', probability: 0.4 }];
        let d = decode(&c);
        assert_eq!(d.lines, TD3);
        assert_eq!(d.corrections.len(), 1);
        assert_eq!((d.corrections[0].from, d.corrections[0].to), ('5', '6'));
        assert!(d.corrections[0].reason.contains("check digit"), "{}", d.corrections[0].reason);
    }

    #[test]
    fn wrong_shape_is_unreadable() {
        let d = decode(&certain(&["P<UTO", "L898"]));
        assert_eq!(d.status, ReadingStatus::Unreadable);
    }
}
