//! The officer's review of an MRZ read from an image: the reading as the UI shows it
//! (read back from the reading JSON, which is also what a saved case keeps), the
//! upright crop of the MRZ with every character box on it, and the characters the
//! officer corrected by hand.
//!
//! Nothing here trusts the JSON: a missing key, a box outside the image or a
//! degenerate quadrilateral gives less to show, never a panic.

use image::{DynamicImage, Rgba, RgbaImage};
use serde::{Deserialize, Serialize};
use tdverify_core::Rect;

/// Below this confidence a character is worth a look (drawn amber).
pub const DOUBTFUL_BELOW: f32 = 0.90;
/// Below this confidence a character is probably wrong (drawn red).
pub const LOW_BELOW: f32 = 0.50;

/// One character of the MRZ the officer changed by hand. Lines and columns count
/// from 0, like the reader's own corrections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MrzHandFix {
    /// Line index, 0-based.
    pub line: usize,
    /// Character index in the line, 0-based.
    pub column: usize,
    /// What the reading had.
    pub from: char,
    /// What the officer put instead.
    pub to: char,
}

impl MrzHandFix {
    /// Where, in the officer's words (`line 2, position 10`; counted from 1).
    pub fn position_text(&self) -> String {
        format!("line {}, position {}", self.line + 1, self.column + 1)
    }
}

/// Whether `c` may appear in an MRZ (`<`, digits, capital letters).
pub fn is_mrz_char(c: char) -> bool {
    c == '<' || c.is_ascii_digit() || c.is_ascii_uppercase()
}

/// The MRZ lines of a text as typed: each line trimmed, blank lines left out.
pub fn mrz_lines(text: &str) -> Vec<&str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).collect()
}

/// The characters that differ between the lines the reader produced and the text the
/// officer edited, position by position; `None` when the text no longer lines up with
/// the reading (other number of lines, or a line of another length): then it is a
/// typed MRZ, not a corrected reading.
pub fn diff_lines(read: &[String], edited: &str) -> Option<Vec<MrzHandFix>> {
    let edited = mrz_lines(edited);
    if edited.len() != read.len() {
        return None;
    }
    let mut fixes = Vec::new();
    for (line, (read_line, edited_line)) in read.iter().zip(&edited).enumerate() {
        if read_line.chars().count() != edited_line.chars().count() {
            return None;
        }
        for (column, (from, to)) in read_line.chars().zip(edited_line.chars()).enumerate() {
            if from != to {
                fixes.push(MrzHandFix { line, column, from, to });
            }
        }
    }
    Some(fixes)
}

/// `lines` with `fixes` applied, and the fixes that changed something, with `from`
/// taken from `lines` (a new reading of the same image may differ from the one the
/// officer corrected). Fixes outside the lines, to a character no MRZ has, or to the
/// character already there are left out; of two fixes of one position the last wins.
pub fn apply_fixes(lines: &[String], fixes: &[MrzHandFix]) -> (Vec<String>, Vec<MrzHandFix>) {
    let mut chars: Vec<Vec<char>> = lines.iter().map(|l| l.chars().collect()).collect();
    for fix in fixes {
        if !is_mrz_char(fix.to) {
            continue;
        }
        if let Some(slot) = chars.get_mut(fix.line).and_then(|l| l.get_mut(fix.column)) {
            *slot = fix.to;
        }
    }
    let fixed: Vec<String> = chars.iter().map(|l| l.iter().collect()).collect();
    let applied = diff_lines(lines, &fixed.join("\n")).unwrap_or_default();
    (fixed, applied)
}

/// `text` (as [`mrz_lines`] sees it) with the character at `line`, `column` replaced
/// by `to`; `None` when there is no such position or `to` is not an MRZ character.
pub fn set_char(text: &str, line: usize, column: usize, to: char) -> Option<String> {
    if !is_mrz_char(to) {
        return None;
    }
    let mut lines: Vec<Vec<char>> = mrz_lines(text).iter().map(|l| l.chars().collect()).collect();
    *lines.get_mut(line)?.get_mut(column)? = to;
    Some(lines.iter().map(|l| l.iter().collect::<String>()).collect::<Vec<_>>().join("\n"))
}

/// The positions of `fixes` for a finding's message (`line 2, position 10; …`): no
/// characters, so the audit trail and reports hold no personal data.
pub fn positions_text(fixes: &[MrzHandFix]) -> String {
    fixes.iter().map(MrzHandFix::position_text).collect::<Vec<_>>().join("; ")
}

/// How far the reader trusted its reading (the reading JSON's `status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadingState {
    /// Every character read with confidence, every check digit holds.
    Valid,
    /// Read with confidence, but a printed check digit fails.
    Invalid,
    /// Some characters are uncertain.
    LowConfidence,
    /// The characters could not be read.
    Unreadable,
    /// The JSON did not say (or said something this version does not know).
    Unknown,
}

impl ReadingState {
    fn parse(value: Option<&str>) -> ReadingState {
        match value {
            Some("valid") => ReadingState::Valid,
            Some("invalid") => ReadingState::Invalid,
            Some("low_confidence") => ReadingState::LowConfidence,
            Some("unreadable") => ReadingState::Unreadable,
            _ => ReadingState::Unknown,
        }
    }

    /// Stable name (translation keys, tests).
    pub fn as_str(self) -> &'static str {
        match self {
            ReadingState::Valid => "valid",
            ReadingState::Invalid => "invalid",
            ReadingState::LowConfidence => "low_confidence",
            ReadingState::Unreadable => "unreadable",
            ReadingState::Unknown => "unknown",
        }
    }
}

/// How much a character needs the officer's eye.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Doubt {
    /// Read with confidence (or the confidence is unknown).
    None,
    /// Below [`DOUBTFUL_BELOW`].
    Doubtful,
    /// Below [`LOW_BELOW`].
    Low,
}

impl Doubt {
    /// The doubt of a character read with `confidence`.
    pub fn of(confidence: Option<f32>) -> Doubt {
        match confidence {
            Some(c) if c < LOW_BELOW => Doubt::Low,
            Some(c) if c < DOUBTFUL_BELOW => Doubt::Doubtful,
            _ => Doubt::None,
        }
    }
}

/// One character of the reading.
#[derive(Debug, Clone, PartialEq)]
pub struct CharacterView {
    /// The character chosen.
    pub character: char,
    /// The classifier's probability for it, when known.
    pub confidence: Option<f32>,
    /// Its cell in image pixels, when known and sensible.
    pub bounds: Option<Rect>,
    /// The classifier's candidates with their probabilities, most probable first.
    pub candidates: Vec<(char, f32)>,
}

/// A correction the reader's decoder made.
#[derive(Debug, Clone, PartialEq)]
pub struct DecoderCorrection {
    /// Line index, 0-based.
    pub line: usize,
    /// Character index, 0-based.
    pub column: usize,
    /// What the classifier read.
    pub from: char,
    /// What the decoder chose.
    pub to: char,
    /// Why (the reader's words).
    pub reason: String,
}

/// The reading, as far as its JSON tells.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadingView {
    /// How far the reader trusted it.
    pub state: ReadingState,
    /// The lines after decoding (the baseline hand fixes are counted against).
    pub lines: Vec<String>,
    /// Overall confidence, when known.
    pub confidence: Option<f32>,
    /// The decoder's corrections.
    pub corrections: Vec<DecoderCorrection>,
    /// The MRZ's corners in image pixels, in reading order (top-left, top-right,
    /// bottom-right, bottom-left as the document reads).
    pub quadrilateral: Option<[[f32; 2]; 4]>,
    /// The document was upside down in the image.
    pub upside_down: bool,
    /// Per line, per character.
    pub characters: Vec<Vec<CharacterView>>,
}

fn finite(value: Option<&serde_json::Value>) -> Option<f32> {
    value.and_then(serde_json::Value::as_f64).map(|v| v as f32).filter(|v| v.is_finite())
}

fn one_char(value: Option<&serde_json::Value>) -> Option<char> {
    let text = value?.as_str()?;
    let mut chars = text.chars();
    let c = chars.next()?;
    chars.next().is_none().then_some(c)
}

fn index(value: Option<&serde_json::Value>) -> Option<usize> {
    value.and_then(serde_json::Value::as_u64).and_then(|v| usize::try_from(v).ok())
}

impl ReadingView {
    /// Reads the reading JSON (`tdverify_ocr::reading_json`); whatever is missing or
    /// malformed is left out.
    pub fn from_json(json: &serde_json::Value) -> ReadingView {
        let strings = |key: &str| -> Vec<String> {
            json.get(key).and_then(|v| v.as_array()).map(|a| a.iter().filter_map(|l| l.as_str().map(str::to_owned)).collect()).unwrap_or_default()
        };
        let lines = strings("lines");
        let corrections = json
            .get("corrections")
            .and_then(|v| v.as_array())
            .map(|items| {
                items
                    .iter()
                    .filter_map(|c| {
                        Some(DecoderCorrection {
                            line: index(c.get("line"))?,
                            column: index(c.get("column"))?,
                            from: one_char(c.get("from"))?,
                            to: one_char(c.get("to"))?,
                            reason: c.get("reason").and_then(|r| r.as_str()).unwrap_or_default().to_owned(),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let quadrilateral = json.get("quadrilateral").and_then(|v| v.as_array()).and_then(|corners| {
            let points: Vec<[f32; 2]> = corners
                .iter()
                .filter_map(|p| {
                    let p = p.as_array()?;
                    Some([finite(p.first())?, finite(p.get(1))?])
                })
                .collect();
            <[[f32; 2]; 4]>::try_from(points).ok()
        });
        let characters: Vec<Vec<CharacterView>> = json
            .get("characters")
            .and_then(|v| v.as_array())
            .map(|rows| {
                rows.iter()
                    .map(|row| row.as_array().map(|cells| cells.iter().filter_map(character_view).collect()).unwrap_or_default())
                    .collect()
            })
            .unwrap_or_default();
        // No per-character details: the lines alone, with nothing known about them.
        let characters = if characters.iter().all(Vec::is_empty) {
            lines.iter().map(|l| l.chars().map(|character| CharacterView { character, confidence: None, bounds: None, candidates: Vec::new() }).collect()).collect()
        } else {
            characters
        };
        ReadingView {
            state: ReadingState::parse(json.get("status").and_then(|s| s.as_str())),
            lines,
            confidence: finite(json.get("confidence")),
            corrections,
            quadrilateral,
            upside_down: json.get("upside_down").and_then(|v| v.as_bool()).unwrap_or(false),
            characters,
        }
    }

    /// The character at `line`, `column`, if the reading has it.
    pub fn character(&self, line: usize, column: usize) -> Option<&CharacterView> {
        self.characters.get(line)?.get(column)
    }

    /// The decoder's correction at `line`, `column`, if it made one.
    pub fn correction_at(&self, line: usize, column: usize) -> Option<&DecoderCorrection> {
        self.corrections.iter().find(|c| c.line == line && c.column == column)
    }

    /// How many characters are doubtful and how many low.
    pub fn doubt_counts(&self) -> (usize, usize) {
        let doubts = self.characters.iter().flatten().map(|c| Doubt::of(c.confidence));
        doubts.fold((0, 0), |(d, l), doubt| match doubt {
            Doubt::Doubtful => (d + 1, l),
            Doubt::Low => (d, l + 1),
            Doubt::None => (d, l),
        })
    }

    /// The MRZ's corners in reading order: the quadrilateral, or else the box around
    /// every character (turned half a turn when the document was upside down).
    fn corners(&self) -> Option<[[f32; 2]; 4]> {
        if let Some(quad) = self.quadrilateral {
            return Some(quad);
        }
        let boxes: Vec<&Rect> = self.characters.iter().flatten().filter_map(|c| c.bounds.as_ref()).collect();
        let (x0, y0) = boxes.iter().fold((f32::MAX, f32::MAX), |(x, y), b| (x.min(b.x), y.min(b.y)));
        let (x1, y1) = boxes.iter().fold((f32::MIN, f32::MIN), |(x, y), b| (x.max(b.x + b.w), y.max(b.y + b.h)));
        if boxes.is_empty() {
            return None;
        }
        let upright = [[x0, y0], [x1, y0], [x1, y1], [x0, y1]];
        Some(if self.upside_down { [upright[2], upright[3], upright[0], upright[1]] } else { upright })
    }
}

fn character_view(cell: &serde_json::Value) -> Option<CharacterView> {
    let character = one_char(cell.get("char"))?;
    let bounds = cell.get("box").and_then(|b| {
        let rect = Rect::new(finite(b.get("x"))?, finite(b.get("y"))?, finite(b.get("w"))?, finite(b.get("h"))?);
        (rect.w > 0.0 && rect.h > 0.0).then_some(rect)
    });
    let candidates = cell
        .get("candidates")
        .and_then(|c| c.as_array())
        .map(|items| {
            items
                .iter()
                .filter_map(|pair| {
                    let pair = pair.as_array()?;
                    Some((one_char(pair.first())?, finite(pair.get(1))?.clamp(0.0, 1.0)))
                })
                .collect()
        })
        .unwrap_or_default();
    Some(CharacterView { character, confidence: finite(cell.get("confidence")).map(|c| c.clamp(0.0, 1.0)), bounds, candidates })
}

/// Widest crop made, in pixels (the panel scales it down further).
pub const MAX_CROP_WIDTH: u32 = 1400;

/// The MRZ cut from its capture and turned upright, with each character's box in
/// crop pixels (`None` where the reading has no box, or it falls outside the crop).
#[derive(Debug, Clone)]
pub struct UprightCrop {
    /// The crop.
    pub image: RgbaImage,
    /// Per line, per character of the reading.
    pub boxes: Vec<Vec<Option<Rect>>>,
}

/// What the crop shows outside the capture.
const OUTSIDE: Rgba<u8> = Rgba([128, 128, 128, 255]);

/// Cuts the MRZ of `reading` out of `image` (the capture it was read from), upright
/// even when the document lay rotated or upside down, with a margin around it;
/// `None` when the reading says nowhere sensible (no corners, a degenerate
/// quadrilateral, an empty image).
pub fn upright_crop(image: &DynamicImage, reading: &ReadingView) -> Option<UprightCrop> {
    if image.width() == 0 || image.height() == 0 {
        return None;
    }
    let [tl, tr, br, bl] = reading.corners()?;
    let sub = |a: [f32; 2], b: [f32; 2]| [a[0] - b[0], a[1] - b[1]];
    let mean = |a: [f32; 2], b: [f32; 2]| [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0];
    let across = mean(sub(tr, tl), sub(br, bl));
    let down = mean(sub(bl, tl), sub(br, tr));
    let (width, height) = (across[0].hypot(across[1]), down[0].hypot(down[1]));
    if !(width >= 4.0 && height >= 2.0 && width.is_finite() && height.is_finite()) {
        return None;
    }
    let ux = [across[0] / width, across[1] / width];
    let uy = [down[0] / height, down[1] / height];
    let det = ux[0] * uy[1] - ux[1] * uy[0];
    if det.abs() < 1e-3 {
        return None;
    }
    let margin = height * 0.12;
    let origin = [tl[0] - (ux[0] + uy[0]) * margin, tl[1] - (ux[1] + uy[1]) * margin];
    let (full_w, full_h) = (width + 2.0 * margin, height + 2.0 * margin);
    // An MRZ is wider than tall: anything else is not one.
    if full_h > full_w {
        return None;
    }
    let scale = (MAX_CROP_WIDTH as f32 / full_w).min(1.0);
    let (out_w, out_h) = ((full_w * scale).round().max(1.0) as u32, (full_h * scale).round().max(1.0) as u32);
    // Crop pixel → image point.
    let to_image = |u: f32, v: f32| {
        let (a, b) = (u / scale, v / scale);
        [origin[0] + ux[0] * a + uy[0] * b, origin[1] + ux[1] * a + uy[1] * b]
    };
    // Only the part of the capture under the crop is converted.
    let corners = [to_image(0.0, 0.0), to_image(out_w as f32, 0.0), to_image(0.0, out_h as f32), to_image(out_w as f32, out_h as f32)];
    let clamp_x = |v: f32| v.clamp(0.0, image.width() as f32) as u32;
    let clamp_y = |v: f32| v.clamp(0.0, image.height() as f32) as u32;
    let x0 = clamp_x(corners.iter().map(|p| p[0]).fold(f32::MAX, f32::min).floor());
    let y0 = clamp_y(corners.iter().map(|p| p[1]).fold(f32::MAX, f32::min).floor());
    let x1 = clamp_x(corners.iter().map(|p| p[0]).fold(f32::MIN, f32::max).ceil() + 1.0);
    let y1 = clamp_y(corners.iter().map(|p| p[1]).fold(f32::MIN, f32::max).ceil() + 1.0);
    let source = (x1 > x0 && y1 > y0).then(|| image.crop_imm(x0, y0, x1 - x0, y1 - y0).to_rgba8());
    let crop = RgbaImage::from_fn(out_w, out_h, |u, v| {
        let Some(source) = &source else { return OUTSIDE };
        let [x, y] = to_image(u as f32 + 0.5, v as f32 + 0.5);
        sample(source, x - x0 as f32 - 0.5, y - y0 as f32 - 0.5)
    });
    // Image point → crop pixel (the inverse of `to_image`).
    let to_crop = |p: [f32; 2]| {
        let d = [p[0] - origin[0], p[1] - origin[1]];
        let a = (d[0] * uy[1] - d[1] * uy[0]) / det;
        let b = (ux[0] * d[1] - ux[1] * d[0]) / det;
        [a * scale, b * scale]
    };
    let boxes = reading
        .characters
        .iter()
        .map(|line| {
            line.iter()
                .map(|c| {
                    let b = c.bounds?;
                    let points = [[b.x, b.y], [b.x + b.w, b.y], [b.x, b.y + b.h], [b.x + b.w, b.y + b.h]].map(to_crop);
                    let lo_x = points.iter().map(|p| p[0]).fold(f32::MAX, f32::min).max(0.0);
                    let lo_y = points.iter().map(|p| p[1]).fold(f32::MAX, f32::min).max(0.0);
                    let hi_x = points.iter().map(|p| p[0]).fold(f32::MIN, f32::max).min(out_w as f32);
                    let hi_y = points.iter().map(|p| p[1]).fold(f32::MIN, f32::max).min(out_h as f32);
                    (hi_x - lo_x >= 1.0 && hi_y - lo_y >= 1.0).then(|| Rect::new(lo_x, lo_y, hi_x - lo_x, hi_y - lo_y))
                })
                .collect()
        })
        .collect();
    Some(UprightCrop { image: crop, boxes })
}

/// Bilinear sample of `image` at (`x`, `y`) (pixel centres at integers); grey outside.
fn sample(image: &RgbaImage, x: f32, y: f32) -> Rgba<u8> {
    let (w, h) = (image.width() as f32, image.height() as f32);
    if !(x > -1.0 && y > -1.0 && x < w && y < h) {
        return OUTSIDE;
    }
    let (fx, fy) = (x.floor(), y.floor());
    let (tx, ty) = (x - fx, y - fy);
    let pixel = |px: f32, py: f32| {
        let (px, py) = (px.clamp(0.0, w - 1.0) as u32, py.clamp(0.0, h - 1.0) as u32);
        image.get_pixel(px, py).0.map(f32::from)
    };
    let (a, b, c, d) = (pixel(fx, fy), pixel(fx + 1.0, fy), pixel(fx, fy + 1.0), pixel(fx + 1.0, fy + 1.0));
    let mut out = [0u8; 4];
    for i in 0..4 {
        let top = a[i] + (b[i] - a[i]) * tx;
        let bottom = c[i] + (d[i] - c[i]) * tx;
        out[i] = (top + (bottom - top) * ty).round().clamp(0.0, 255.0) as u8;
    }
    Rgba(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn lines(text: &[&str]) -> Vec<String> {
        text.iter().map(|l| (*l).to_owned()).collect()
    }

    #[test]
    fn a_corrected_character_is_one_fix_and_a_retyped_mrz_is_none() {
        let read = lines(&["P<UTO", "L8988"]);
        assert_eq!(diff_lines(&read, "P<UTO\nL8988"), Some(Vec::new()));
        assert_eq!(diff_lines(&read, " P<UTO \r\n\nL8968\n"), Some(vec![MrzHandFix { line: 1, column: 3, from: '8', to: '6' }]));
        assert_eq!(diff_lines(&read, "P<UTO\nL898"), None, "a shorter line is a typed MRZ");
        assert_eq!(diff_lines(&read, "P<UTO"), None, "a missing line is a typed MRZ");
        assert_eq!(diff_lines(&read, "P<UTO\nL8988\nXX"), None);
    }

    #[test]
    fn fixes_apply_by_position_and_record_what_was_there() {
        let read = lines(&["ABC", "123"]);
        let fixes = [
            MrzHandFix { line: 1, column: 0, from: '9', to: '7' },
            MrzHandFix { line: 0, column: 1, from: 'B', to: 'B' },
            MrzHandFix { line: 5, column: 0, from: 'A', to: 'X' },
            MrzHandFix { line: 0, column: 2, from: 'C', to: 'c' },
            MrzHandFix { line: 0, column: 0, from: 'A', to: 'X' },
            MrzHandFix { line: 0, column: 0, from: 'X', to: 'Y' },
        ];
        let (fixed, applied) = apply_fixes(&read, &fixes);
        assert_eq!(fixed, lines(&["YBC", "723"]));
        assert_eq!(applied, vec![MrzHandFix { line: 0, column: 0, from: 'A', to: 'Y' }, MrzHandFix { line: 1, column: 0, from: '1', to: '7' }]);
    }

    #[test]
    fn set_char_replaces_one_position_and_refuses_others() {
        assert_eq!(set_char("AB\n12", 1, 1, '<').as_deref(), Some("AB\n1<"));
        assert_eq!(set_char("AB\n\n12 ", 1, 0, '9').as_deref(), Some("AB\n92"));
        assert_eq!(set_char("AB\n12", 2, 0, 'A'), None);
        assert_eq!(set_char("AB\n12", 0, 2, 'A'), None);
        assert_eq!(set_char("AB\n12", 0, 0, 'a'), None);
        assert_eq!(positions_text(&[MrzHandFix { line: 1, column: 9, from: '5', to: '6' }]), "line 2, position 10");
    }

    #[test]
    fn a_reading_json_with_missing_or_wrong_keys_still_gives_a_view() {
        let empty = ReadingView::from_json(&serde_json::Value::Null);
        assert_eq!(empty.state, ReadingState::Unknown);
        assert!(empty.lines.is_empty() && empty.characters.is_empty() && empty.quadrilateral.is_none());
        let odd = ReadingView::from_json(&json!({
            "lines": ["AB", 3],
            "status": "low_confidence",
            "quadrilateral": [[0, 0], [10, 0], [10]],
            "corrections": [{"line": 0, "column": 1, "from": "8", "to": "B", "reason": "check digit"}, {"line": -1}],
            "characters": "no",
        }));
        assert_eq!(odd.state, ReadingState::LowConfidence);
        assert_eq!(odd.lines, vec!["AB".to_owned()]);
        assert!(odd.quadrilateral.is_none());
        assert_eq!(odd.corrections.len(), 1);
        assert_eq!(odd.characters[0].len(), 2, "the lines stand in for missing characters");
        assert_eq!(odd.character(0, 1).map(|c| c.character), Some('B'));
        let cell = ReadingView::from_json(&json!({"characters": [[{"char": "5", "confidence": 0.42, "box": {"x": 1, "y": 2, "w": 0, "h": 3}, "candidates": [["5", 0.42], ["6", 0.31], ["xx", 0.1], ["S"]]}]]}));
        let c = cell.character(0, 0).expect("one character");
        assert_eq!((c.character, c.confidence, c.bounds), ('5', Some(0.42), None), "a zero-width box is no box");
        assert_eq!(c.candidates, vec![('5', 0.42), ('6', 0.31)]);
        assert_eq!(Doubt::of(c.confidence), Doubt::Low);
        assert_eq!(cell.doubt_counts(), (0, 1));
        assert_eq!(Doubt::of(Some(0.7)), Doubt::Doubtful);
        assert_eq!(Doubt::of(None), Doubt::None);
    }

    /// A 200×100 image, black left half, white right half.
    fn half_black() -> DynamicImage {
        DynamicImage::ImageRgba8(RgbaImage::from_fn(200, 100, |x, _| if x < 100 { Rgba([0, 0, 0, 255]) } else { Rgba([255, 255, 255, 255]) }))
    }

    fn reading(quad: serde_json::Value, upside_down: bool) -> ReadingView {
        ReadingView::from_json(&json!({
            "lines": ["AB"],
            "quadrilateral": quad,
            "upside_down": upside_down,
            "characters": [[
                {"char": "A", "confidence": 0.99, "box": {"x": 40, "y": 40, "w": 20, "h": 20}},
                {"char": "B", "confidence": 0.3, "box": {"x": 140, "y": 40, "w": 20, "h": 20}},
            ]],
        }))
    }

    #[test]
    fn the_crop_is_upright_and_boxes_follow_it() {
        let upright = upright_crop(&half_black(), &reading(json!([[20, 30], [180, 30], [180, 70], [20, 70]]), false)).expect("a crop");
        let (w, h) = upright.image.dimensions();
        assert!(w > 160 && h > 40, "{w}×{h}: the MRZ and a margin");
        assert_eq!(upright.image.get_pixel(10, h / 2).0[0], 0, "black on the left");
        assert_eq!(upright.image.get_pixel(w - 10, h / 2).0[0], 255, "white on the right");
        let a = upright.boxes[0][0].expect("A's box");
        let b = upright.boxes[0][1].expect("B's box");
        assert!(a.x < b.x, "A before B");
        // Upside down: the reading's top-left is the image's bottom-right.
        let turned = upright_crop(&half_black(), &reading(json!([[180, 70], [20, 70], [20, 30], [180, 30]]), true)).expect("a crop");
        let (w, h) = turned.image.dimensions();
        assert_eq!(turned.image.get_pixel(10, h / 2).0[0], 255, "white first once turned");
        assert_eq!(turned.image.get_pixel(w - 10, h / 2).0[0], 0);
        let (a, b) = (turned.boxes[0][0].expect("A"), turned.boxes[0][1].expect("B"));
        assert!(a.x > b.x, "A now on the right");
        assert!((a.w - 20.0).abs() < 1.0 && (a.h - 20.0).abs() < 1.0, "{a:?}");
    }

    #[test]
    fn no_corners_or_a_degenerate_quadrilateral_gives_no_crop_and_boxes_fall_back() {
        assert!(upright_crop(&half_black(), &reading(json!([[0, 0], [0, 0], [0, 0], [0, 0]]), false)).is_none());
        assert!(upright_crop(&half_black(), &reading(json!([[0, 0], [100, 100], [200, 200], [300, 300]]), false)).is_none());
        assert!(upright_crop(&DynamicImage::new_rgba8(0, 0), &reading(json!([[20, 30], [180, 30], [180, 70], [20, 70]]), false)).is_none());
        assert!(upright_crop(&half_black(), &ReadingView::from_json(&json!({"lines": ["AB"]}))).is_none());
        // No quadrilateral: the box around the characters.
        let fallback = upright_crop(&half_black(), &reading(serde_json::Value::Null, false)).expect("crop around the boxes");
        assert!(fallback.boxes[0].iter().all(Option::is_some));
        // Far outside the image: grey, but no panic.
        let outside = upright_crop(&half_black(), &reading(json!([[5000, 5000], [5400, 5000], [5400, 5040], [5000, 5040]]), false)).expect("a grey crop");
        assert_eq!(outside.image.get_pixel(0, 0).0, OUTSIDE.0);
        assert!(outside.boxes[0].iter().all(Option::is_none), "the boxes are not on this crop");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn diffing_and_fixing_never_panic(read in proptest::collection::vec(".{0,12}", 0..4), edited in "(?s).{0,60}", line in 0usize..6, column in 0usize..50, to in any::<char>()) {
            let fixes = diff_lines(&read, &edited);
            if let Some(fixes) = &fixes {
                let (fixed, applied) = apply_fixes(&read, fixes);
                prop_assert_eq!(fixed.len(), read.len());
                prop_assert!(applied.len() <= fixes.len());
            }
            let _ = set_char(&edited, line, column, to);
            let _ = apply_fixes(&read, &[MrzHandFix { line, column, from: 'A', to }]);
        }

        #[test]
        fn any_quadrilateral_and_boxes_never_panic(quad in proptest::collection::vec(-3000f32..3000.0, 8), boxes in proptest::collection::vec(-3000f32..3000.0, 4), upside_down in any::<bool>()) {
            let json = json!({
                "lines": ["A"],
                "upside_down": upside_down,
                "quadrilateral": [[quad[0], quad[1]], [quad[2], quad[3]], [quad[4], quad[5]], [quad[6], quad[7]]],
                "characters": [[{"char": "A", "confidence": 0.5, "box": {"x": boxes[0], "y": boxes[1], "w": boxes[2], "h": boxes[3]}}]],
            });
            if let Some(crop) = upright_crop(&DynamicImage::new_rgba8(64, 48), &ReadingView::from_json(&json)) {
                prop_assert!(crop.image.width() <= MAX_CROP_WIDTH);
            }
        }
    }
}
