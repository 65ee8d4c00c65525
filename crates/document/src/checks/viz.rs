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
//! that cannot be trusted never fails a document: a zone that could not be
//! read, a reading below [`MIN_CONFIDENCE`], print faded or under glare where
//! it differs, or cut into the wrong number of characters is `not_checked`
//! ("compare by eye": says nothing about the document); a small difference on
//! a trusted reading is a `Warn`. An MRZ name truncated as ICAO 9303
//! prescribes that begins the VIZ name passes.

use image::RgbImage;
use tdverify_core::{Check, CheckStatus, Evidence, Light};
use tdverify_mrz::{Mrz, MrzDate};

use super::PageContext;
use super::data::parse_viz_date;
use crate::quality::GlareMap;
use crate::reference::{RectMm, VizField};
use crate::viz::{GlyphSet, READ_PX_PER_MM, ReadGlyph, ZoneImage, ZoneReading, read_zone};

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

/// Whether a truncated MRZ name begins the printed one word by word: each MRZ
/// word (the last may be a cut word or an initial) starts the printed word
/// at its place, printed words past the MRZ's being left out by truncation.
fn truncated_words_match(glyphs: &[ReadGlyph], expected: &str, tolerated: usize) -> bool {
    let mut read: Vec<&[ReadGlyph]> = Vec::new();
    let mut start = 0;
    for (i, glyph) in glyphs.iter().enumerate() {
        if glyph.space_before && i > start {
            read.push(&glyphs[start..i]);
            start = i;
        }
    }
    if start < glyphs.len() {
        read.push(&glyphs[start..]);
    }
    let words: Vec<Vec<char>> = expected
        .split_whitespace()
        .map(key)
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() || read.len() < words.len() {
        return false;
    }
    let total: usize = words
        .iter()
        .zip(&read)
        .map(|(word, glyphs)| distance(glyphs, word, true, true))
        .sum();
    total <= tolerated
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
                status: CheckStatus::NotChecked,
                confidence: 0.0,
                message: format!(
                    "{} printed on the page could not be read ({why}){}: compare it with the MRZ ({}) by eye.",
                    spec.label,
                    glare_note(page.glare.covered(&zone.rect_mm)),
                    spec.expected
                ),
                evidence: Some(evidence_for(&zone.rect_mm, "zone not readable".into())),
            });
        }
    };
    Some(judge(spec, &reading, &image.rect, &page.glare, &|rect, detail| {
        evidence_for(rect, detail)
    }))
}

/// Compares a zone's reading with the MRZ value. `zone_rect` is the page
/// area the reading's glyph positions are relative to; `evidence_for` turns a
/// page rectangle into evidence on the white-light capture.
fn judge(
    spec: &Field<'_>,
    reading: &ZoneReading,
    zone_rect: &RectMm,
    glare: &GlareMap,
    evidence_for: &dyn Fn(&RectMm, String) -> Evidence,
) -> ZoneOutcome {
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
    let outcome = |status, message| ZoneOutcome {
        status,
        confidence,
        message,
        evidence: evidence.clone(),
    };
    if confidence < MIN_CONFIDENCE {
        return outcome(
            CheckStatus::NotChecked,
            format!(
                "{} printed on the page could not be read reliably (read {}, {:.0}% confidence){}: compare it with the MRZ ({}) by eye.",
                spec.label,
                reading.text,
                confidence * 100.0,
                glare_note(glare.covered(zone_rect)),
                spec.expected
            ),
        );
    }
    // An MRZ name that fills its field may be cut (ICAO 9303 part 3, 4.6:
    // letters dropped from the end, later names reduced to initials or left
    // out): it passes when it begins the printed name, word by word.
    if spec.kind == Kind::Name && spec.prefix {
        let whole = distance(&reading.glyphs, &expected, false, true);
        let cut = if d <= tolerated && whole > d {
            true
        } else {
            d > tolerated && truncated_words_match(&reading.glyphs, &spec.expected, tolerated)
        };
        if cut {
            let begin = if spec.plural { "begin" } else { "begins" };
            return outcome(
                CheckStatus::Pass,
                format!(
                    "The MRZ ({}) {begin} the {} printed on the page ({}): the MRZ truncates the VIZ name as ICAO 9303 prescribes.",
                    spec.expected,
                    spec.label.to_lowercase(),
                    reading.text
                ),
            );
        }
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
    // Glyphs under glare: their shapes are washed out. When every glyph that
    // differs from the MRZ (or, cut into another number of characters than
    // the MRZ value has, any glyph) is under glare, the reading says nothing.
    let glared: Vec<bool> = reading
        .glyphs
        .iter()
        .map(|g| glyph_under_glare(glare, zone_rect, reading, g))
        .collect();
    if glared.iter().any(|&g| g) {
        let differing_outside_glare = if reading.glyphs.len() == expected.len() {
            reading
                .glyphs
                .iter()
                .zip(&expected)
                .zip(&glared)
                .any(|((g, c), &under)| !under && !consistent(g, *c))
        } else {
            false
        };
        if !differing_outside_glare {
            let n = glared.iter().filter(|&&g| g).count();
            return outcome(
                CheckStatus::NotChecked,
                format!(
                    "{message} {n} character(s) are under glare, so the reading is unsure: compare by eye (a capture without glare there lets tdverify check it)."
                ),
            );
        }
    }
    if faded > 0 {
        return outcome(
            CheckStatus::NotChecked,
            format!(
                "{message} Part of the print is faded or under glare ({faded} character(s) pale), so the reading is unsure: compare by eye."
            ),
        );
    }
    if spec.kind == Kind::Exact && reading.glyphs.len() != expected.len() {
        return outcome(
            CheckStatus::NotChecked,
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
                CheckStatus::NotChecked,
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
            CheckStatus::NotChecked,
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

/// " (glare covers 40% of the zone)" when glare touches the zone.
fn glare_note(covered: f32) -> String {
    if covered > 0.0 {
        format!(" (glare covers {:.0}% of the zone)", (covered * 100.0).max(1.0))
    } else {
        String::new()
    }
}

/// Whether glare touches a glyph (its box on the page grown by half a
/// millimetre: the washed-out halo reaches past the saturated cells).
fn glyph_under_glare(
    glare: &GlareMap,
    zone_rect: &RectMm,
    reading: &ZoneReading,
    glyph: &ReadGlyph,
) -> bool {
    let rect = RectMm {
        x: zone_rect.x + glyph.x0 as f32 / READ_PX_PER_MM - 0.5,
        y: reading.line_mm.y - 0.5,
        w: (glyph.x1.saturating_sub(glyph.x0)) as f32 / READ_PX_PER_MM + 1.0,
        h: reading.line_mm.h + 1.0,
    };
    glare.covered(&rect) > 0.0
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
/// then a doubt, then a zone not checked (compare by eye), then agreement.
fn combine(id: &str, outcomes: Vec<ZoneOutcome>) -> Check {
    if outcomes.is_empty() {
        return Check::new(
            id,
            CheckStatus::NotApplicable,
            "This side does not print the field, or the MRZ does not hold it.",
        );
    }
    let rank = |s: CheckStatus| match s {
        CheckStatus::Fail => 5,
        CheckStatus::Warn => 4,
        CheckStatus::NotChecked => 3,
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
    let not_checked: Vec<&Check> = with(CheckStatus::NotChecked).collect();
    let unread = with(CheckStatus::Error).count();
    if passed > 0 {
        let mut notes = Vec::new();
        if !not_checked.is_empty() {
            notes.push(format!("{} not checked: compare by eye", not_checked.len()));
        }
        if unread > 0 {
            notes.push(format!("{unread} could not be read"));
        }
        let note = if notes.is_empty() {
            String::new()
        } else {
            format!(" ({})", notes.join("; "))
        };
        return Check::pass(
            ID,
            format!("{passed} VIZ fields read on the page agree with the MRZ{note}."),
        );
    }
    if !not_checked.is_empty() {
        // Only readings that cannot be trusted: nothing was checked.
        let message = not_checked
            .iter()
            .map(|c| c.message.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let mut check = Check::not_checked(ID, message);
        for evidence in not_checked.iter().flat_map(|c| c.evidence.iter()) {
            check = check.with_evidence(evidence.clone());
        }
        return check;
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

    /// A reading of `text` laid out at 2 mm per glyph from x = 10 mm (zone
    /// image at 16 px/mm starting at 10 mm), words split on spaces.
    fn reading(text: &str) -> (ZoneReading, RectMm) {
        let zone = RectMm { x: 10.0, y: 20.0, w: 60.0, h: 6.0 };
        let mut glyphs = Vec::new();
        let mut space = false;
        for c in text.chars() {
            if c == ' ' {
                space = true;
                continue;
            }
            let mut g = glyph(c);
            let i = glyphs.len();
            g.x0 = i * 32;
            g.x1 = i * 32 + 24;
            g.space_before = space;
            space = false;
            glyphs.push(g);
        }
        let reading = ZoneReading {
            glyphs,
            text: text.to_string(),
            confidence: 0.9,
            line_mm: RectMm { x: 10.0, y: 21.0, w: 50.0, h: 3.0 },
            cap_height_mm: 2.5,
        };
        (reading, zone)
    }

    fn field(label: &'static str, expected: &str, kind: Kind, prefix: bool) -> Field<'static> {
        Field {
            field: VizField::DocumentNumber,
            label,
            expected: expected.to_string(),
            kind,
            prefix,
            date: None,
            plural: false,
        }
    }

    /// Glare cells (1 mm) over x in `x0..x1` mm, y 18..28 mm, on a 125 × 88 mm page.
    fn glare_over(x0: usize, x1: usize) -> GlareMap {
        let (cols, rows) = (125, 88);
        let mut cells = vec![false; cols * rows];
        for row in 18..28 {
            for col in x0..x1 {
                cells[row * cols + col] = true;
            }
        }
        GlareMap::from_cells(cols, rows, cells)
    }

    fn no_evidence(_: &RectMm, detail: String) -> Evidence {
        Evidence::source("test").with_detail(detail)
    }

    #[test]
    fn a_difference_under_glare_is_not_checked_but_one_outside_still_fails() {
        let spec = field("Document number", "TV4509961", Kind::Exact, false);
        // Glyph 4 (`U` for `0`) sits at 18-19.5 mm.
        let (read, zone) = reading("TV45U9961");
        let clean = judge(&spec, &read, &zone, &GlareMap::default(), &no_evidence);
        assert_eq!(clean.status, CheckStatus::Fail, "{}", clean.message);
        let glared = judge(&spec, &read, &zone, &glare_over(17, 21), &no_evidence);
        assert_eq!(glared.status, CheckStatus::NotChecked, "{}", glared.message);
        assert!(glared.message.contains("under glare"), "{}", glared.message);
        // Glare elsewhere on the line does not hide a re-typed character.
        let elsewhere = judge(&spec, &read, &zone, &glare_over(24, 27), &no_evidence);
        assert_eq!(elsewhere.status, CheckStatus::Fail, "{}", elsewhere.message);
    }

    #[test]
    fn untrusted_readings_are_not_checked() {
        let spec = field("Document number", "TV4509961", Kind::Exact, false);
        let (mut faded, zone) = reading("TV45U9961");
        faded.glyphs[4].ink_contrast = 0.3;
        let outcome = judge(&spec, &faded, &zone, &GlareMap::default(), &no_evidence);
        assert_eq!(outcome.status, CheckStatus::NotChecked, "{}", outcome.message);
        assert!(outcome.message.contains("compare by eye"));
        let (mut doubtful, zone) = reading("TV4509961");
        doubtful.confidence = 0.5;
        let outcome = judge(&spec, &doubtful, &zone, &GlareMap::default(), &no_evidence);
        assert_eq!(outcome.status, CheckStatus::NotChecked);
        let (short, zone) = reading("TV459961");
        let outcome = judge(&spec, &short, &zone, &GlareMap::default(), &no_evidence);
        assert_eq!(outcome.status, CheckStatus::NotChecked, "cut into fewer characters");
    }

    #[test]
    fn a_truncated_mrz_name_that_begins_the_viz_name_passes() {
        // The MRZ cut the given names at the end of its field.
        let spec = Field {
            plural: true,
            ..field("Given names", "MARIA ALEXANDR", Kind::Name, true)
        };
        let (read, zone) = reading("MARIA ALEXANDRA JOSEFINA");
        let outcome = judge(&spec, &read, &zone, &GlareMap::default(), &no_evidence);
        assert_eq!(outcome.status, CheckStatus::Pass, "{}", outcome.message);
        assert!(outcome.message.contains("truncates the VIZ name as ICAO 9303 prescribes"), "{}", outcome.message);
        // Later names reduced to an initial.
        let spec = Field {
            plural: true,
            ..field("Given names", "MARIA A J", Kind::Name, true)
        };
        let outcome = judge(&spec, &read, &zone, &GlareMap::default(), &no_evidence);
        assert_eq!(outcome.status, CheckStatus::Pass, "{}", outcome.message);
        // A printed name with a diacritic the MRZ transliterates (Ö → OE), cut.
        let spec = field("Surname", "SCHOENBERGERMUELLERHAUS", Kind::Name, true);
        let (read, zone) = reading("SCHONBERGERMULLERHAUSEN");
        let outcome = judge(&spec, &read, &zone, &GlareMap::default(), &no_evidence);
        assert_eq!(outcome.status, CheckStatus::Pass, "{}", outcome.message);
        // Another name is no prefix: it still fails.
        let spec = field("Surname", "ROSENQVIST", Kind::Name, true);
        let (read, zone) = reading("LINDQVISTSSON");
        let outcome = judge(&spec, &read, &zone, &GlareMap::default(), &no_evidence);
        assert_eq!(outcome.status, CheckStatus::Fail, "{}", outcome.message);
        // Without truncation (the MRZ name ends in fillers) a longer VIZ name is no pass.
        let spec = field("Given names", "MARIA", Kind::Name, false);
        let (read, zone) = reading("MARIA ALEXANDRA JOSEFINA");
        let outcome = judge(&spec, &read, &zone, &GlareMap::default(), &no_evidence);
        assert_ne!(outcome.status, CheckStatus::Pass, "{}", outcome.message);
    }

    #[test]
    fn summary_of_only_not_checked_fields_is_not_checked() {
        let unsure = Check::not_checked(BIRTH_DATE, "compare by eye");
        let pass = Check::pass(NAME, "agrees");
        let fail = Check::fail(DOCUMENT_NUMBER, "differs");
        assert_eq!(summary(std::slice::from_ref(&unsure)).status, CheckStatus::NotChecked);
        let mixed = summary(&[unsure.clone(), pass]);
        assert_eq!(mixed.status, CheckStatus::Pass);
        assert!(mixed.message.contains("1 not checked"), "{}", mixed.message);
        assert_eq!(summary(&[unsure, fail]).status, CheckStatus::Fail);
    }
}
