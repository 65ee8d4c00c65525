//! The MRZ read under each light, compared character by character
//! (`mrz.lights_agree`).
//!
//! The issued MRZ is printed in B900 ink, which absorbs infrared. A forger who
//! alters it with ordinary ink changes what white light shows while infrared
//! still shows the issued characters: the two readings differ. Commercial
//! readers compare them; so do we. A difference counts only where both readings
//! are confident of their character, so OCR doubt (glare, blur) never reads as
//! an alteration: it is left to the officer's eye.

use serde::Serialize;
use tdverify_core::{Check, CheckStatus, Evidence, Light, Rect};
use tdverify_ocr::{CharacterReading, MrzReading, ReadingStatus};

/// A character counts in the comparison when the classifier gave it at least
/// this probability in both readings (the MRZ panel marks less as doubtful).
pub const CONFIDENT: f32 = 0.9;

/// Differences shown one by one in the message; more are counted.
const LISTED_DIFFERENCES: usize = 6;

/// One light's reading, as the officer sees it beside the others.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReadingByLight {
    /// The light of the capture read.
    pub light: Light,
    /// The document side (0: the MRZ side, 1: the other side of a card).
    pub page: u8,
    /// `valid`, `invalid`, `low_confidence`, `unreadable`, or `not_found`.
    pub status: String,
    /// The lines read (empty when none were found).
    pub lines: Vec<String>,
    /// The lowest character probability (0 when nothing was read).
    pub confidence: f32,
    /// This reading is the one the MRZ checks use.
    pub used: bool,
}

impl ReadingByLight {
    /// A summary of one reading.
    pub fn of(light: Light, page: u8, reading: &MrzReading, used: bool) -> ReadingByLight {
        let status =
            serde_json::to_value(reading.status).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        ReadingByLight { light, page, status, lines: reading.lines.clone(), confidence: reading.confidence, used }
    }

    /// No MRZ found on that light's capture.
    pub fn not_found(light: Light, page: u8) -> ReadingByLight {
        ReadingByLight { light, page, status: "not_found".to_owned(), lines: Vec::new(), confidence: 0.0, used: false }
    }
}

/// Where two readings differ.
#[derive(Debug, Clone, PartialEq)]
struct Difference {
    line: usize,
    position: usize,
    used: char,
    other: char,
    used_bounds: Rect,
    other_bounds: Rect,
    confident: bool,
}

/// Compares the reading the MRZ checks use with the reading of another light
/// of the same side. `used_light` is normally IR (B900 ink shows best there).
pub fn compare(used_light: Light, used: &MrzReading, other_light: Light, other: &MrzReading, page: u8) -> Check {
    let id = "mrz.lights_agree";
    let (used_word, other_word) = (light_word(used_light), light_word(other_light));
    let shape = |r: &MrzReading| r.characters.iter().map(Vec::len).collect::<Vec<_>>();
    let trusted = |r: &MrzReading| matches!(r.status, ReadingStatus::Valid | ReadingStatus::Invalid);
    if shape(used) != shape(other) {
        let layout =
            |r: &MrzReading| format!("{} lines of {}", r.characters.len(), r.characters.first().map_or(0, Vec::len));
        let detail = format!(
            "{used_word}: {} / {other_word}: {}",
            used.text().replace('\n', " / "),
            other.text().replace('\n', " / ")
        );
        let evidence = [(used_light, used), (other_light, other)]
            .map(|(light, r)| Evidence::region(light, outline(r)).on_page(page).with_detail(detail.clone()));
        if trusted(used) && trusted(other) {
            return Check::fail(
                id,
                format!(
                    "The MRZ has a different layout under {other_word} light ({}) than under {used_word} light ({}): one of them was printed over; compare the document under both lights",
                    layout(other),
                    layout(used)
                ),
            )
            .with_evidence(evidence[0].clone())
            .with_evidence(evidence[1].clone());
        }
        return Check::not_checked(id, format!("The MRZ under {other_word} light could not be cut like the {used_word} reading: compare the MRZ under both lights by eye"))
            .with_evidence(evidence[0].clone())
            .with_evidence(evidence[1].clone());
    }
    // A reading the reader itself does not trust may have its cut slipped by a
    // cell: from there on every character differs, each read confidently. Such
    // a line's differences are left to the eye.
    let both_trusted = trusted(used) && trusted(other);
    let mut differences = Vec::new();
    for (line, (used_line, other_line)) in used.characters.iter().zip(&other.characters).enumerate() {
        let slipped = !both_trusted && cut_slipped(used_line, other_line);
        let last = used_line.len().saturating_sub(1);
        for (position, (a, b)) in used_line.iter().zip(other_line).enumerate() {
            // An unsure reading's last cell is where a cut ends too early or late.
            let edge = !both_trusted && position == last;
            // Glare or a faint print takes ink away, it never adds any: in a
            // reading the reader does not trust, a cell read as the filler where
            // the other light shows a character is a washed-out cell, not an
            // alteration (seen on a genuine visa photographed with glare over the
            // name: "IVA" under IR, "<<<" under white, each read at 0.99).
            let washed_out = !both_trusted && (a.character == '<') != (b.character == '<');
            if a.character != b.character {
                differences.push(Difference {
                    line,
                    position,
                    used: a.character,
                    other: b.character,
                    used_bounds: a.bounds,
                    other_bounds: b.bounds,
                    confident: !slipped
                        && !edge
                        && !washed_out
                        && a.confidence >= CONFIDENT
                        && b.confidence >= CONFIDENT,
                });
            }
        }
    }
    let compared: usize = used.characters.iter().map(Vec::len).sum();
    let confident: Vec<&Difference> = differences.iter().filter(|d| d.confident).collect();
    let evidence_of = |ds: &[&Difference]| -> Vec<Evidence> {
        let mut evidence = Vec::new();
        for d in ds {
            let detail = format!(
                "line {} position {}: {other_word} '{}' / {used_word} '{}'",
                d.line + 1,
                d.position + 1,
                d.other,
                d.used
            );
            evidence.push(Evidence::region(other_light, d.other_bounds).on_page(page).with_detail(detail.clone()));
            evidence.push(Evidence::region(used_light, d.used_bounds).on_page(page).with_detail(detail));
        }
        evidence
    };
    if !confident.is_empty() {
        let listed: Vec<String> = confident
            .iter()
            .take(LISTED_DIFFERENCES)
            .map(|d| {
                format!(
                    "line {} position {}: '{}' under {other_word}, '{}' under {used_word}",
                    d.line + 1,
                    d.position + 1,
                    d.other,
                    d.used
                )
            })
            .collect();
        let more = confident.len().saturating_sub(LISTED_DIFFERENCES);
        let more = if more > 0 { format!(" and {more} more") } else { String::new() };
        let mut check = Check::fail(
            id,
            format!(
                "The MRZ reads differently under {other_word} and {used_word} light ({}{more}): characters were printed over the issued MRZ with ink {used_word} light sees differently. The MRZ checks use the {used_word} reading",
                listed.join("; ")
            ),
        );
        check.evidence = evidence_of(&confident);
        return check;
    }
    if !differences.is_empty() {
        let doubtful: Vec<&Difference> = differences.iter().collect();
        let mut check = Check::not_checked(
            id,
            format!(
                "{} character(s) of the MRZ read differently under {other_word} and {used_word} light, but the reading of each is doubtful (glare, blur, a reading the reader does not trust): compare the MRZ under both lights by eye",
                doubtful.len()
            ),
        );
        check.evidence = evidence_of(&doubtful);
        return check;
    }
    Check::new(
        id,
        CheckStatus::Pass,
        format!("The MRZ reads the same under {other_word} and {used_word} light ({compared} characters)"),
    )
    .with_evidence(Evidence::region(used_light, outline(used)).on_page(page))
    .with_evidence(Evidence::region(other_light, outline(other)).on_page(page))
}

/// Whether one line's confident differences are explained by a cut that slipped
/// by one cell in either reading: from the first confident difference on, the
/// line matches the other reading moved by one position (doubtful characters
/// and the line's last cell aside). An altered character, or two swapped ones,
/// is not explained so.
fn cut_slipped(used: &[CharacterReading], other: &[CharacterReading]) -> bool {
    let confident_pair =
        |a: &CharacterReading, b: &CharacterReading| a.confidence >= CONFIDENT && b.confidence >= CONFIDENT;
    let Some(first) = used.iter().zip(other).position(|(a, b)| a.character != b.character && confident_pair(a, b))
    else {
        return false;
    };
    let matches_moved = |ahead: &[CharacterReading], behind: &[CharacterReading]| {
        // `ahead[i + 1]` should be `behind[i]` from `first` on.
        let mut compared = 0;
        // The line's last cell is where a slipped cut ends: not compared.
        for i in first..behind.len().min(ahead.len().saturating_sub(2)) {
            let (a, b) = (&ahead[i + 1], &behind[i]);
            if a.character != b.character && confident_pair(a, b) {
                return false;
            }
            compared += 1;
        }
        compared >= 2
    };
    matches_moved(other, used) || matches_moved(used, other)
}

/// No MRZ found under `other_light` while `used_light` shows one.
pub fn other_not_found(used_light: Light, other_light: Light, used: &MrzReading, page: u8) -> Check {
    let (used_word, other_word) = (light_word(used_light), light_word(other_light));
    if other_light == Light::Ir {
        // An MRZ that IR does not show is the B900 ink check's finding.
        return Check::new(
            "mrz.lights_agree",
            CheckStatus::NotApplicable,
            format!("No MRZ was found under IR light to compare with the {used_word} reading: see the IR ink check"),
        );
    }
    Check::not_checked(
        "mrz.lights_agree",
        format!("No MRZ could be read under {other_word} light to compare with the {used_word} reading (glare, blur or cropped): compare the MRZ under both lights by eye"),
    )
    .with_evidence(Evidence::region(used_light, outline(used)).on_page(page))
}

/// A light as a message names it ("white", "IR", "UV").
pub fn light_word(light: Light) -> &'static str {
    match light {
        Light::White => "white",
        Light::Uv => "UV",
        Light::Ir => "IR",
        Light::Coaxial => "coaxial",
    }
}

/// The reading's bounding box on its capture.
pub fn outline(reading: &MrzReading) -> Rect {
    let xs = reading.quadrilateral.iter().map(|p| p.x);
    let ys = reading.quadrilateral.iter().map(|p| p.y);
    let (min_x, max_x) = xs.fold((f32::MAX, f32::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let (min_y, max_y) = ys.fold((f32::MAX, f32::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    Rect::new(min_x, min_y, (max_x - min_x).max(0.0), (max_y - min_y).max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tdverify_ocr::Point;

    /// A reading of `lines`, every character with `confidence` except those
    /// listed in `doubtful` (line, position).
    fn reading(lines: &[&str], confidence: f32, doubtful: &[(usize, usize)]) -> MrzReading {
        let characters = lines
            .iter()
            .enumerate()
            .map(|(l, line)| {
                line.chars()
                    .enumerate()
                    .map(|(p, character)| CharacterReading {
                        character,
                        confidence: if doubtful.contains(&(l, p)) { 0.4 } else { confidence },
                        candidates: Vec::new(),
                        bounds: Rect::new(10.0 * p as f32, 20.0 * l as f32, 9.0, 18.0),
                    })
                    .collect()
            })
            .collect();
        MrzReading {
            lines: lines.iter().map(|l| (*l).to_owned()).collect(),
            raw_lines: lines.iter().map(|l| (*l).to_owned()).collect(),
            characters,
            quadrilateral: [
                Point::new(0.0, 0.0),
                Point::new(440.0, 0.0),
                Point::new(440.0, 40.0),
                Point::new(0.0, 40.0),
            ],
            corrections: Vec::new(),
            status: ReadingStatus::Valid,
            confidence,
            upside_down: false,
            ms: 1.0,
        }
    }

    const ISSUED: [&str; 2] =
        ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"];
    const ALTERED: [&str; 2] =
        ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7480122F1204159ZE184226B<<<<<10"];

    #[test]
    fn the_same_mrz_under_both_lights_passes() {
        let check = compare(Light::Ir, &reading(&ISSUED, 0.99, &[]), Light::White, &reading(&ISSUED, 0.97, &[]), 0);
        assert_eq!(check.status, CheckStatus::Pass, "{}", check.message);
        assert!(check.message.contains("88 characters"));
    }

    #[test]
    fn a_confident_difference_fails_with_both_boxes_as_evidence() {
        let check = compare(Light::Ir, &reading(&ISSUED, 0.99, &[]), Light::White, &reading(&ALTERED, 0.98, &[]), 0);
        assert_eq!(check.status, CheckStatus::Fail);
        assert!(check.message.contains("line 2 position 16: '8' under white, '0' under IR"), "{}", check.message);
        assert_eq!(check.evidence.len(), 4, "two characters, each boxed under both lights");
        assert!(
            check.evidence.iter().any(|e| e.light == Some(Light::White))
                && check.evidence.iter().any(|e| e.light == Some(Light::Ir))
        );
        assert_eq!(check.evidence[0].region.map(|r| r.x), Some(150.0));
    }

    #[test]
    fn doubtful_differences_are_left_to_the_eye() {
        let white = reading(&ALTERED, 0.98, &[(1, 15), (1, 16)]);
        let check = compare(Light::Ir, &reading(&ISSUED, 0.99, &[]), Light::White, &white, 0);
        assert_eq!(check.status, CheckStatus::NotChecked);
        assert_eq!(check.evidence.len(), 4);
    }

    #[test]
    fn a_cut_that_slipped_by_a_cell_is_not_an_alteration() {
        // A white cut shifted by one cell: every character after the shift is
        // read confidently, yet differs.
        let line2 = format!("{}1{}", &ISSUED[1][..30], &ISSUED[1][30..43]);
        let mut shifted = reading(&[ISSUED[0], line2.as_str()], 0.97, &[]);
        shifted.status = ReadingStatus::LowConfidence;
        let check = compare(Light::Ir, &reading(&ISSUED, 0.99, &[]), Light::White, &shifted, 0);
        assert_eq!(check.status, CheckStatus::NotChecked, "{}", check.message);
        // As seen on a genuine card: a cell inserted near the end, the line's last
        // cell read as junk, and the other line's last character lost, all confident.
        let junk_end = format!("{}1{}J", &ISSUED[1][..30], &ISSUED[1][30..42]);
        let lost_last = format!("{}<", &ISSUED[0][..43]);
        let mut slipped = reading(&[lost_last.as_str(), junk_end.as_str()], 0.97, &[]);
        slipped.status = ReadingStatus::LowConfidence;
        let mut issued_ending_in_a_letter = reading(&[&format!("{}X", &ISSUED[0][..43]), ISSUED[1]], 0.99, &[]);
        issued_ending_in_a_letter.status = ReadingStatus::Valid;
        let check = compare(Light::Ir, &issued_ending_in_a_letter, Light::White, &slipped, 0);
        assert_eq!(check.status, CheckStatus::NotChecked, "{}", check.message);
        // The same unsure reading with two digits swapped, cut in place, still shows the alteration.
        let mut swapped = reading(&ALTERED, 0.97, &[(0, 43)]);
        swapped.status = ReadingStatus::LowConfidence;
        assert_eq!(
            compare(Light::Ir, &reading(&ISSUED, 0.99, &[]), Light::White, &swapped, 0).status,
            CheckStatus::Fail
        );
    }

    #[test]
    fn cells_washed_out_to_the_filler_in_an_unsure_reading_are_left_to_the_eye() {
        // Glare over the name under white light: three letters read as fillers, confidently.
        let issued = ["V<ZZCIVANOVIC<<CHLOE<<<<<<<<<<<<<<<<<<<<<<<<", "EY36543072ZZC0409072F2710224<<<<<<<<<<<<<<<<"];
        let washed = ["V<ZZC<<<NOVIC<<CHLOE<<<<<<<<<<<<<<<<<<<<<<<<", issued[1]];
        let mut white = reading(&washed, 0.99, &[]);
        white.status = ReadingStatus::LowConfidence;
        let check = compare(Light::Ir, &reading(&issued, 0.99, &[]), Light::White, &white, 0);
        assert_eq!(check.status, CheckStatus::NotChecked, "{}", check.message);
        assert_eq!(check.evidence.len(), 6, "three cells, each boxed under both lights");
        // Read so by a reader that trusts its reading, the difference stands.
        white.status = ReadingStatus::Invalid;
        assert_eq!(compare(Light::Ir, &reading(&issued, 0.99, &[]), Light::White, &white, 0).status, CheckStatus::Fail);
        // An unsure reading with a character changed to another still fails.
        let mut altered = reading(&ALTERED, 0.97, &[]);
        altered.status = ReadingStatus::LowConfidence;
        assert_eq!(
            compare(Light::Ir, &reading(&ISSUED, 0.99, &[]), Light::White, &altered, 0).status,
            CheckStatus::Fail
        );
    }

    #[test]
    fn different_layouts_fail_only_when_both_readings_are_trusted() {
        let short =
            reading(&["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226"], 0.99, &[]);
        assert_eq!(compare(Light::Ir, &reading(&ISSUED, 0.99, &[]), Light::White, &short, 0).status, CheckStatus::Fail);
        let mut unsure = short;
        unsure.status = ReadingStatus::LowConfidence;
        assert_eq!(
            compare(Light::Ir, &reading(&ISSUED, 0.99, &[]), Light::White, &unsure, 0).status,
            CheckStatus::NotChecked
        );
    }

    #[test]
    fn no_mrz_under_white_is_left_to_the_eye_and_none_under_ir_to_the_ink_check() {
        let issued = reading(&ISSUED, 0.99, &[]);
        assert_eq!(other_not_found(Light::Ir, Light::White, &issued, 0).status, CheckStatus::NotChecked);
        assert_eq!(other_not_found(Light::White, Light::Ir, &issued, 0).status, CheckStatus::NotApplicable);
    }

    #[test]
    fn a_summary_names_the_reading_used() {
        let summary = ReadingByLight::of(Light::Ir, 0, &reading(&ISSUED, 0.99, &[]), true);
        assert_eq!((summary.status.as_str(), summary.used, summary.lines.len()), ("valid", true, 2));
        assert_eq!(ReadingByLight::not_found(Light::White, 0).status, "not_found");
    }
}
