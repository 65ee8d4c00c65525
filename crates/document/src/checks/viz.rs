//! VIZ against MRZ (`viz.mrz.*`): the document number, dates of birth and
//! expiry and the name printed on the page, read and compared with the MRZ.
//!
//! A forger who changes a date or a name erases the printed value and types
//! another one, leaving the MRZ (protected by check digits) untouched; or
//! re-prints the MRZ and leaves the VIZ. Either way the two disagree.
//!
//! The comparison is a test of the MRZ's value against the print rather than
//! free reading: a glyph counts as different only when another character
//! matches its shape clearly better than the character the MRZ says (by
//! [`MARGIN`]). Typefaces that make `0` and `O` or `1` and `I` look alike
//! therefore never raise a difference, while a re-typed year does. A reading
//! below [`MIN_CONFIDENCE`] never fails a document: unreadable zones are
//! inconclusive (`Error`, "compare by eye") and doubtful differences a `Warn`.

use image::RgbImage;
use tdverify_core::{Check, CheckStatus, Evidence, Light};
use tdverify_mrz::{Mrz, MrzDate};

use super::PageContext;
use super::data::parse_viz_date;
use crate::reference::{RectMm, VizField};
use crate::viz::{GlyphSet, ReadGlyph, ZoneImage, ZoneReading, read_zone};

/// Check id: printed document number against the MRZ.
pub const DOCUMENT_NUMBER: &str = "viz.mrz.document_number";
/// Check id: printed date of birth against the MRZ.
pub const BIRTH_DATE: &str = "viz.mrz.birth_date";
/// Check id: printed date of expiry against the MRZ.
pub const EXPIRY_DATE: &str = "viz.mrz.expiry_date";
/// Check id: printed surname and given names against the MRZ.
pub const NAME: &str = "viz.mrz.name";

/// How much better (in glyph score) another character must match a glyph than
/// the MRZ's character for the glyph to count as different.
pub const MARGIN: f32 = 0.08;

/// Least mean glyph score of a reading for a pass or a fail. Clean print of
/// any of the prototype typefaces scores 0.85 to 0.98; guilloche or a
/// misplaced zone read as text scores about 0.55 to 0.70.
pub const MIN_CONFIDENCE: f32 = 0.78;

/// Least ink contrast (see [`ReadGlyph::ink_contrast`]) of every glyph of a
/// reading that fails a document. Print washed out by glare or uneven light
/// breaks into pieces that look like other letters; such a reading only
/// raises a doubt.
pub const MIN_INK_CONTRAST: f32 = 0.6;

/// VIZ date layout when the template does not give one.
pub const DEFAULT_DATE_FORMAT: &str = "DD MMM YYYY";

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];

/// `07`, or `XX` for a part the MRZ leaves unknown (as ICAO 9303 prints it).
fn two_digits(part: Option<u8>) -> String {
    part.map(|p| format!("{p:02}"))
        .unwrap_or_else(|| "XX".into())
}

/// Formats a date with a template's `viz_date_format` pattern.
pub fn format_date(date: &MrzDate, pattern: &str) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while !rest.is_empty() {
        let (token, len) = if rest.starts_with("YYYY") {
            (format!("{:04}", date.year), 4)
        } else if rest.starts_with("MMM") {
            let month = date
                .month
                .and_then(|m| MONTHS.get(usize::from(m.saturating_sub(1))))
                .copied()
                .unwrap_or("XXX");
            (month.to_string(), 3)
        } else if rest.starts_with("YY") {
            (format!("{:02}", date.year % 100), 2)
        } else if rest.starts_with("MM") {
            (two_digits(date.month), 2)
        } else if rest.starts_with("DD") {
            (two_digits(date.day), 2)
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            (c.to_string(), c.len_utf8())
        };
        out.push_str(&token);
        rest = rest.get(len..).unwrap_or("");
    }
    out
}

/// How a field is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Every character must agree (numbers, dates).
    Exact,
    /// Names: transliteration may add or drop a letter (`Ö` printed, `OE` in the MRZ).
    Name,
}

/// The outcome for one zone, before it becomes a check.
struct ZoneOutcome {
    status: CheckStatus,
    confidence: f32,
    message: String,
    evidence: Option<Evidence>,
}

/// Printed letters the MRZ writes as two (`Ä` → `AE`, `Ø` → `OE`, `ß` → `SS`),
/// as (letter the glyph looks like, MRZ pair), from the ICAO tables of
/// `tdverify_mrz::transliterate`. The reader sees the base letter (or a
/// look-alike), so a name glyph may stand for the whole pair.
fn expansions() -> &'static [(char, [char; 2])] {
    static PAIRS: std::sync::OnceLock<Vec<(char, [char; 2])>> = std::sync::OnceLock::new();
    PAIRS.get_or_init(|| {
        let mut pairs = Vec::new();
        for c in ('\u{C0}'..='\u{17F}').map(String::from) {
            let full: Vec<char> = tdverify_mrz::transliterate(&c).chars().collect();
            let base: Vec<char> = tdverify_mrz::transliterate_base_letters(&c)
                .chars()
                .collect();
            if let ([a, b], [letter]) = (full.as_slice(), base.as_slice())
                && !pairs.contains(&(*letter, [*a, *b]))
            {
                pairs.push((*letter, [*a, *b]));
            }
        }
        pairs
    })
}

/// Whether a glyph may be the character: it is the best match, or no other
/// character matches clearly better.
fn consistent(glyph: &ReadGlyph, c: char) -> bool {
    glyph.class.best == c || glyph.class.score_of(c) >= glyph.class.score - MARGIN
}

/// Edit distance between the glyphs read and the MRZ's characters, where a
/// glyph matches a character when [`consistent`]. For names (`pairs`), one
/// glyph may also stand for an MRZ letter pair of a transliterated diacritic.
/// `prefix`: the MRZ value may be truncated, so glyphs past its end are free.
fn distance(glyphs: &[ReadGlyph], expected: &[char], prefix: bool, pairs: bool) -> usize {
    let m = expected.len();
    let mut previous: Vec<usize> = (0..=m).collect();
    let mut best_prefix = previous[m];
    for (i, glyph) in glyphs.iter().enumerate() {
        let mut row = vec![usize::MAX; m + 1];
        row[0] = i + 1;
        for j in 0..m {
            let substitution = previous[j] + usize::from(!consistent(glyph, expected[j]));
            row[j + 1] = row[j + 1]
                .min(substitution)
                .min(previous[j + 1] + 1)
                .min(row[j].saturating_add(1));
            if pairs && j + 2 <= m {
                let pair = [expected[j], expected[j + 1]];
                let stands_for_pair = expansions()
                    .iter()
                    .any(|(letter, p)| *p == pair && consistent(glyph, *letter));
                if stands_for_pair {
                    row[j + 2] = row[j + 2].min(previous[j]);
                }
            }
        }
        previous = row;
        best_prefix = best_prefix.min(previous[m]);
    }
    if prefix { best_prefix } else { previous[m] }
}

/// Edit distance where MRZ characters may be skipped for free: how many glyphs
/// read disagree with the MRZ value when lost letters are forgiven.
fn subsequence_distance(glyphs: &[ReadGlyph], expected: &[char]) -> usize {
    let m = expected.len();
    // cost[j]: best cost with the glyphs so far matched within expected[..j].
    let mut previous = vec![0usize; m + 1];
    for (i, glyph) in glyphs.iter().enumerate() {
        let mut row = vec![i + 1; m + 1];
        for j in 0..m {
            let substitution = previous[j] + usize::from(!consistent(glyph, expected[j]));
            row[j + 1] = substitution.min(previous[j + 1] + 1).min(row[j]);
        }
        previous = row;
    }
    previous[m]
}

fn key(text: &str) -> Vec<char> {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// One field to compare: what the MRZ says, printed the way the VIZ prints it.
struct Field<'a> {
    field: VizField,
    label: &'a str,
    expected: String,
    kind: Kind,
    prefix: bool,
    date: Option<MrzDate>,
    /// The label is plural ("Given names … agree").
    plural: bool,
}

/// Reads one zone and compares it with the MRZ value.
fn compare_zone(
    ctx: &PageContext<'_>,
    white: &RgbImage,
    set: &GlyphSet,
    spec: &Field<'_>,
) -> Option<ZoneOutcome> {
    let zone = ctx.side.viz_zone(spec.field)?;
    let page = ctx.white.as_ref()?;
    let evidence_for = |rect: &RectMm, detail: String| {
        Evidence::region(Light::White, page.registration.region(rect)).with_detail(detail)
    };
    let Some(image) = ZoneImage::sample(
        white,
        &page.registration,
        &zone.rect_mm,
        ctx.width_mm,
        ctx.height_mm,
    ) else {
        return Some(ZoneOutcome {
            status: CheckStatus::Error,
            confidence: 0.0,
            message: format!(
                "The {} zone could not be sampled from the white-light capture.",
                spec.label.to_lowercase()
            ),
            evidence: None,
        });
    };
    let reading: ZoneReading = match read_zone(set, &image) {
        Ok(reading) => reading,
        Err(why) => {
            return Some(ZoneOutcome {
                status: CheckStatus::Error,
                confidence: 0.0,
                message: format!(
                    "{} printed on the page could not be read ({why}): compare it with the MRZ ({}) by eye.",
                    spec.label, spec.expected
                ),
                evidence: Some(evidence_for(&zone.rect_mm, "zone not readable".into())),
            });
        }
    };
    let expected = key(&spec.expected);
    let d = distance(
        &reading.glyphs,
        &expected,
        spec.prefix,
        spec.kind == Kind::Name,
    );
    let confidence = reading.confidence.clamp(0.0, 1.0);
    let detail = format!(
        "read `{}` ({:.0}% confidence), MRZ `{}`",
        reading.text,
        confidence * 100.0,
        spec.expected
    );
    let evidence = Some(evidence_for(&reading.line_mm, detail));
    // A date read in another layout than the template's (09.05.1985) still agrees.
    let same_date = spec.date.is_some() && parse_viz_date(&reading.text) == spec.date;
    let tolerated = match spec.kind {
        Kind::Exact => 0,
        Kind::Name => (expected.len() / 6).max(1),
    };
    let outcome = |status, message| {
        Some(ZoneOutcome {
            status,
            confidence,
            message,
            evidence: evidence.clone(),
        })
    };
    if confidence < MIN_CONFIDENCE {
        return outcome(
            CheckStatus::Error,
            format!(
                "{} printed on the page could not be read reliably (read {}, {:.0}% confidence): compare it with the MRZ ({}) by eye.",
                spec.label,
                reading.text,
                confidence * 100.0,
                spec.expected
            ),
        );
    }
    if d <= tolerated || same_date {
        let agree = if spec.plural { "agree" } else { "agrees" };
        return outcome(
            CheckStatus::Pass,
            format!(
                "{} printed on the page ({}) {agree} with the MRZ.",
                spec.label, reading.text
            ),
        );
    }
    // Glyph count far from the MRZ value's with a small distance: more likely a
    // cutting problem than another value.
    let differ = if spec.plural { "differ" } else { "differs" };
    let message = format!(
        "{} printed on the page ({}) {differ} from the MRZ ({}).",
        spec.label, reading.text, spec.expected
    );
    // A difference fails the document only on a reading that can be trusted:
    // every glyph printed evenly dark, and a number or date cut into as many
    // characters as the MRZ value has (a re-typed value keeps its format).
    let faded = reading
        .glyphs
        .iter()
        .filter(|g| g.ink_contrast < MIN_INK_CONTRAST)
        .count();
    if faded > 0 {
        return outcome(
            CheckStatus::Warn,
            format!(
                "{message} Part of the print is faded or under glare ({faded} character(s) pale), so the reading is unsure: compare by eye."
            ),
        );
    }
    if spec.kind == Kind::Exact && reading.glyphs.len() != expected.len() {
        return outcome(
            CheckStatus::Warn,
            format!(
                "{message} The print was cut into {} characters where the MRZ value has {}, so the reading is unsure: compare by eye.",
                reading.glyphs.len(),
                expected.len()
            ),
        );
    }
    if spec.date.is_some() && reading.glyphs.len() == expected.len() {
        // A printed date has digits and month letters in fixed places: a glyph
        // read as a letter where the date has a digit (or the reverse) is a
        // misreading (a guilloche line touching a 0 reads as W), not a re-typed date.
        let misread = reading
            .glyphs
            .iter()
            .zip(&expected)
            .filter(|(g, c)| g.class.best != **c && g.class.best.is_ascii_digit() != c.is_ascii_digit())
            .count();
        // Characters of the right kind that clearly differ still show a re-typed date.
        let retyped = reading
            .glyphs
            .iter()
            .zip(&expected)
            .filter(|(g, c)| !consistent(g, **c) && g.class.best.is_ascii_digit() == c.is_ascii_digit())
            .count();
        if misread > 0 && retyped == 0 {
            return outcome(
                CheckStatus::Warn,
                format!(
                    "{message} {misread} character(s) read as a letter where the date has a digit, or the reverse, so the reading is unsure: compare by eye."
                ),
            );
        }
    }
    if spec.kind == Kind::Name
        && reading.glyphs.len() < expected.len()
        && subsequence_distance(&reading.glyphs, &expected) <= tolerated + 1
    {
        // Fewer letters than the MRZ's, and those read agree with them: letters
        // were lost in reading (faint print, glare), not a different name.
        return outcome(
            CheckStatus::Warn,
            format!(
                "{message} Some letters could not be read, and those read agree with the MRZ: compare by eye."
            ),
        );
    }
    if d > tolerated + 1 || spec.kind == Kind::Exact {
        outcome(CheckStatus::Fail, message)
    } else {
        outcome(
            CheckStatus::Warn,
            format!("{message} The difference is small: compare by eye."),
        )
    }
}

fn to_check(id: &str, outcome: ZoneOutcome) -> Check {
    let mut check = Check::new(id, outcome.status, outcome.message);
    check.confidence = outcome.confidence;
    match outcome.evidence {
        Some(evidence) => check.with_evidence(evidence),
        None => check,
    }
}

/// The four `viz.mrz.*` checks of one side. `white` is the white-light capture
/// the context's white page was registered on.
pub fn checks(ctx: &PageContext<'_>, white: Option<&RgbImage>) -> Vec<Check> {
    let ids = [DOCUMENT_NUMBER, BIRTH_DATE, EXPIRY_DATE, NAME];
    let not_applicable = |message: &str| {
        ids.iter()
            .map(|id| Check::new(*id, CheckStatus::NotApplicable, message))
            .collect()
    };
    let Some(mrz) = ctx.mrz else {
        return not_applicable("No MRZ read: nothing to compare the VIZ with.");
    };
    if ctx.template.is_none() {
        return not_applicable("No template matched: the VIZ zones are unknown.");
    }
    let (Some(white), Some(_)) = (white, ctx.white.as_ref()) else {
        return not_applicable("No white-light capture: the VIZ cannot be read.");
    };
    let set = match GlyphSet::shared() {
        Ok(set) => set,
        Err(error) => {
            let message = format!(
                "The VIZ reader is unavailable ({error}): compare the VIZ with the MRZ by eye."
            );
            return ids
                .iter()
                .map(|id| Check::new(*id, CheckStatus::Error, message.clone()))
                .collect();
        }
    };
    let pattern = ctx
        .template
        .and_then(|t| t.document.viz_date_format.as_deref())
        .unwrap_or(DEFAULT_DATE_FORMAT);
    let date_field = |field, label, resolved: Option<MrzDate>| {
        resolved.map(|date| Field {
            field,
            label,
            expected: format_date(&date, pattern),
            kind: Kind::Exact,
            prefix: false,
            date: Some(date),
            plural: false,
        })
    };
    let name = |value: &str| {
        value
            .replace('<', " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let number = mrz.document_number.trim_end_matches('<').to_string();
    let groups: [(&str, Vec<Field<'_>>); 4] = [
        (
            DOCUMENT_NUMBER,
            (!number.is_empty())
                .then(|| Field {
                    field: VizField::DocumentNumber,
                    label: "Document number",
                    expected: number.clone(),
                    kind: Kind::Exact,
                    prefix: false,
                    date: None,
                    plural: false,
                })
                .into_iter()
                .collect(),
        ),
        (
            BIRTH_DATE,
            date_field(
                VizField::BirthDate,
                "Date of birth",
                mrz.birth_date
                    .as_ref()
                    .and_then(|d| d.resolve_birth(&ctx.today)),
            )
            .into_iter()
            .collect(),
        ),
        (
            EXPIRY_DATE,
            date_field(
                VizField::ExpiryDate,
                "Date of expiry",
                mrz.expiry_date
                    .as_ref()
                    .and_then(|d| d.resolve_expiry(&ctx.today)),
            )
            .into_iter()
            .collect(),
        ),
        (NAME, name_fields(mrz, &name)),
    ];
    groups
        .into_iter()
        .map(|(id, fields)| {
            let outcomes: Vec<ZoneOutcome> = fields
                .iter()
                .filter_map(|spec| compare_zone(ctx, white, set, spec))
                .collect();
            combine(id, outcomes)
        })
        .collect()
}

fn name_fields<'a>(mrz: &Mrz, name: &dyn Fn(&str) -> String) -> Vec<Field<'a>> {
    let mut fields = Vec::new();
    for (field, label, value) in [
        (VizField::Surname, "Surname", &mrz.surname),
        (VizField::GivenNames, "Given names", &mrz.given_names),
    ] {
        let expected = name(value);
        if !expected.is_empty() {
            fields.push(Field {
                field,
                label,
                expected,
                kind: Kind::Name,
                prefix: mrz.name_may_be_truncated,
                date: None,
                plural: field == VizField::GivenNames,
            });
        }
    }
    fields
}

/// One check from the zones of a field (the name has two): a failure wins,
/// then a doubt, then agreement; unreadable zones only when nothing was read.
fn combine(id: &str, outcomes: Vec<ZoneOutcome>) -> Check {
    if outcomes.is_empty() {
        return Check::new(
            id,
            CheckStatus::NotApplicable,
            "This side does not print the field, or the MRZ does not hold it.",
        );
    }
    let rank = |s: CheckStatus| match s {
        CheckStatus::Fail => 4,
        CheckStatus::Warn | CheckStatus::NotChecked => 3,
        CheckStatus::Pass => 2,
        CheckStatus::Error => 1,
        CheckStatus::NotApplicable => 0,
    };
    let worst = outcomes.iter().map(|o| rank(o.status)).max().unwrap_or(0);
    let mut chosen: Vec<ZoneOutcome> = outcomes
        .into_iter()
        .filter(|o| rank(o.status) == worst)
        .collect();
    if chosen.len() == 1 {
        return to_check(id, chosen.remove(0));
    }
    let status = chosen[0].status;
    let confidence = chosen.iter().map(|o| o.confidence).fold(1.0, f32::min);
    let message = chosen
        .iter()
        .map(|o| o.message.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let mut check = Check::new(id, status, message);
    check.confidence = confidence;
    for evidence in chosen.into_iter().filter_map(|o| o.evidence) {
        check = check.with_evidence(evidence);
    }
    check
}

/// `consistency.viz_vs_mrz` from the `viz.mrz.*` checks, when no VIZ text
/// was typed: fails when any field differs, passes when the fields read agree.
pub fn summary(checks: &[Check]) -> Check {
    const ID: &str = "consistency.viz_vs_mrz";
    let with = |status: CheckStatus| {
        checks
            .iter()
            .filter(move |c| c.status == status && c.id.starts_with("viz.mrz."))
    };
    let failed: Vec<&Check> = with(CheckStatus::Fail).collect();
    if !failed.is_empty() {
        let message = failed
            .iter()
            .map(|c| c.message.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let mut check = Check::fail(ID, format!("VIZ and MRZ disagree: {message}"));
        check.confidence = failed.iter().map(|c| c.confidence).fold(0.0, f32::max);
        for evidence in failed.iter().flat_map(|c| c.evidence.iter()) {
            check = check.with_evidence(evidence.clone());
        }
        return check;
    }
    let warned: Vec<&Check> = with(CheckStatus::Warn).collect();
    if !warned.is_empty() {
        let message = warned
            .iter()
            .map(|c| c.message.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        return Check::new(ID, CheckStatus::Warn, message);
    }
    let passed = with(CheckStatus::Pass).count();
    if passed > 0 {
        let unread = with(CheckStatus::Error).count();
        let note = if unread > 0 {
            format!(" ({unread} could not be read)")
        } else {
            String::new()
        };
        return Check::pass(
            ID,
            format!("{passed} VIZ fields read on the page agree with the MRZ{note}."),
        );
    }
    Check::new(
        ID,
        CheckStatus::NotApplicable,
        "No VIZ field could be read and compared: compare the printed name, number and dates with the MRZ by eye.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::viz::glyphs::{ALPHABET, Classified};

    /// A glyph read clearly as `c` (score 0.9, every other character 0.3).
    fn glyph(c: char) -> ReadGlyph {
        let mut scores = [0.3f32; 36];
        if let Some(i) = ALPHABET.iter().position(|&a| char::from(a) == c) {
            scores[i] = 0.9;
        }
        ReadGlyph {
            class: Classified {
                best: c,
                score: 0.9,
                scores,
            },
            x0: 0,
            x1: 1,
            space_before: false,
            ink_contrast: 1.0,
        }
    }

    fn glyphs(text: &str) -> Vec<ReadGlyph> {
        text.chars().map(glyph).collect()
    }

    #[test]
    fn dates_are_printed_in_the_templates_layout() {
        let date = MrzDate::new(1998, 3, 15);
        assert_eq!(format_date(&date, DEFAULT_DATE_FORMAT), "15 MAR 1998");
        assert_eq!(format_date(&date, "DD.MM.YYYY"), "15.03.1998");
        assert_eq!(format_date(&date, "YY/MM/DD"), "98/03/15");
    }

    #[test]
    fn distance_counts_glyphs_that_clearly_differ() {
        assert_eq!(
            distance(&glyphs("15MAR1998"), &key("15 MAR 1998"), false, false),
            0
        );
        assert_eq!(
            distance(&glyphs("15MAR1993"), &key("15 MAR 1998"), false, false),
            1
        );
        // A glyph that matches the MRZ's character nearly as well is not a difference.
        let mut close = glyph('O');
        close.class.scores[ALPHABET.iter().position(|&a| a == b'0').unwrap_or(0)] = 0.85;
        assert_eq!(distance(&[close], &['0'], false, false), 0);
    }

    #[test]
    fn lost_letters_are_forgiven_but_other_letters_are_not() {
        let expected = key("CELIK");
        assert_eq!(
            subsequence_distance(&glyphs("LIK"), &expected),
            0,
            "C and E lost in reading"
        );
        assert_eq!(subsequence_distance(&glyphs("CELIK"), &expected), 0);
        assert!(
            subsequence_distance(&glyphs("NG"), &expected) >= 2,
            "another, shorter name"
        );
        assert!(subsequence_distance(&glyphs("MULLER"), &expected) >= 4);
    }

    #[test]
    fn summary_fails_on_any_difference_and_passes_on_agreement() {
        let pass = Check::pass(BIRTH_DATE, "agrees");
        let fail = Check::fail(NAME, "differs");
        assert_eq!(summary(&[pass.clone(), fail]).status, CheckStatus::Fail);
        assert_eq!(summary(&[pass]).status, CheckStatus::Pass);
        assert_eq!(summary(&[]).status, CheckStatus::NotApplicable);
    }
}
