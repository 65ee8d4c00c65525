//! The whole reading: locate → rectify → cut → classify → decode.

use std::path::Path;
use std::time::Instant;

use image::DynamicImage;
use serde::Serialize;
use tdverify_core::Rect;

use crate::classify::{Candidate, OcrEngine, TOP_K, top_candidates};
use crate::decode::{Correction, ReadingStatus, decode};
use crate::error::OcrError;
use crate::geometry::{Homography, Point};
use crate::line_recognizer::{LineRecognizer, cut_line_strip, decode_constrained};
use crate::locate::{INK_CONTRASTS, LocatedMrz, locate, locate_candidates, locate_candidates_with};
use crate::segment::{
    LineCells, PATCH_HEIGHT, PATCH_WIDTH, Rectified, cut_lines, cut_patch, extend_strip,
    line_lengths, rectify, shifted_lines,
};

/// Cutting attempts are scored on every this-many-th cell (speed).
const ATTEMPT_STRIDE: usize = 3;
/// An attempt scoring at least this (mean log-probability of the best
/// allowed character) reads well enough that the locator's runners-up are
/// not tried.
const CONFIDENT_ATTEMPT: f32 = -0.15;

/// How much better (mean log-probability) a runner-up of the locator must
/// read than its first choice to replace it.
const RUNNER_UP_HANDICAP: f32 = 0.25;

/// Smallest side, in pixels, of an image that can hold a readable MRZ.
pub const MIN_SIDE: u32 = 24;
/// Largest image accepted, in pixels (a 12000 x 8000 scan).
pub const MAX_PIXELS: u64 = 96_000_000;

/// One character as read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CharacterReading {
    /// The character finally chosen (after decoding).
    pub character: char,
    /// The classifier's probability for the chosen character.
    pub confidence: f32,
    /// The classifier's best candidates, most probable first.
    pub candidates: Vec<Candidate>,
    /// The character cell in image pixels (axis-aligned bounds), for the UI.
    pub bounds: Rect,
}

/// What was read from an image.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MrzReading {
    /// The MRZ lines, top to bottom, after decoding.
    pub lines: Vec<String>,
    /// The classifier's best guess per character, before decoding.
    pub raw_lines: Vec<String>,
    /// Per line, per character: what was chosen, how sure, where.
    pub characters: Vec<Vec<CharacterReading>>,
    /// The MRZ's corners in image pixels (top-left, top-right, bottom-right,
    /// bottom-left as the document reads), for drawing the evidence.
    pub quadrilateral: [Point; 4],
    /// Every character the decoder changed, and why.
    pub corrections: Vec<Correction>,
    /// Whether the reading can be trusted.
    pub status: ReadingStatus,
    /// Overall confidence 0..1: the lowest probability of a chosen character.
    pub confidence: f32,
    /// The document was upside down in the image.
    pub upside_down: bool,
    /// Time spent reading, in milliseconds.
    pub ms: f64,
}

impl MrzReading {
    /// The lines joined with newlines (the text form of the MRZ).
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }
}

/// The reading's JSON for `tdverify mrz --json --image FILE`: `lines`,
/// `confidence`, `corrections`, `ms`, plus `status`, `raw_lines`,
/// `quadrilateral`, `upside_down` and per-character `characters`
/// (`char`, `confidence`, `box` {x, y, w, h}, `candidates`).
pub fn reading_json(reading: &MrzReading) -> serde_json::Value {
    let characters: Vec<Vec<serde_json::Value>> = reading
        .characters
        .iter()
        .map(|line| {
            line.iter()
                .map(|c| {
                    serde_json::json!({
                        "char": c.character.to_string(),
                        "confidence": round3(c.confidence),
                        "box": {"x": c.bounds.x.round(), "y": c.bounds.y.round(), "w": c.bounds.w.round(), "h": c.bounds.h.round()},
                        "candidates": c.candidates.iter().map(|k| serde_json::json!([k.character.to_string(), round3(k.probability)])).collect::<Vec<_>>(),
                    })
                })
                .collect()
        })
        .collect();
    serde_json::json!({
        "lines": reading.lines,
        "confidence": round3(reading.confidence),
        "corrections": reading.corrections,
        "ms": (reading.ms * 10.0).round() / 10.0,
        "status": reading.status,
        "raw_lines": reading.raw_lines,
        "quadrilateral": reading.quadrilateral.iter().map(|p| [p.x.round(), p.y.round()]).collect::<Vec<_>>(),
        "upside_down": reading.upside_down,
        "characters": characters,
    })
}

fn round3(v: f32) -> f64 {
    (v as f64 * 1000.0).round() / 1000.0
}

/// Reads an image file (any format the `image` crate decodes here).
pub fn read_mrz_file(path: &Path, engine: &OcrEngine) -> Result<MrzReading, OcrError> {
    let image = load_image(path)?;
    read_mrz(&image, engine)
}

/// Decodes an image file, with the path in any error.
pub fn load_image(path: &Path) -> Result<DynamicImage, OcrError> {
    let bytes = std::fs::read(path).map_err(|source| OcrError::Io {
        action: "reading",
        path: path.to_path_buf(),
        source,
    })?;
    image::load_from_memory(&bytes).map_err(|e| OcrError::Decode {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

/// A grey image in which only dark, unsaturated ink stays dark: the
/// brightest of the three channels. MRZ ink is black (dark in every
/// channel); coloured guilloche, stamps and highlighter marks are bright in
/// at least one channel and fade away. Grey input is used as it is.
pub fn ink_contrast_gray(image: &DynamicImage) -> image::GrayImage {
    match image {
        DynamicImage::ImageLuma8(gray) => gray.clone(),
        DynamicImage::ImageLuma16(_)
        | DynamicImage::ImageLumaA8(_)
        | DynamicImage::ImageLumaA16(_) => image.to_luma8(),
        _ => {
            let rgb = image.to_rgb8();
            let (w, h) = rgb.dimensions();
            let raw: Vec<u8> = rgb
                .as_raw()
                .chunks_exact(3)
                .map(|p| p[0].max(p[1]).max(p[2]))
                .collect();
            image::GrayImage::from_raw(w, h, raw).unwrap_or_else(|| image.to_luma8())
        }
    }
}

/// One way of cutting the MRZ (orientation, characters per line) and what the classifier made of it.
struct Attempt {
    flipped: bool,
    to_source: Homography,
    lines: Vec<LineCells>,
    probabilities: Vec<Vec<Vec<f32>>>,
    /// Mean log-probability of the cells scored when choosing this cut.
    #[allow(dead_code)]
    score: f32,
}

/// Which of the two readers gives the reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reader {
    /// The character-cell reader alone (cut, classify each cell).
    Cells,
    /// The line recognizer's characters, on the same located and cut lines,
    /// with the cells as a witness: a reading the two readers' disagreement
    /// leaves open (see `Combined`) is low confidence (falls back to the
    /// cells, never above low confidence, without its model).
    Lines,
    /// Both opinions: per position the product of the two readers'
    /// probabilities, so agreement raises confidence and disagreement lowers
    /// it; a reading left valid or invalid where the two first choices differ
    /// at a position no check digit covers, or where another choice between
    /// them would make the check digits hold too, is made low confidence.
    Combined,
}

impl Reader {
    /// All readers, in the evaluation's column order.
    pub const ALL: [Reader; 3] = [Reader::Cells, Reader::Lines, Reader::Combined];

    /// Short name for reports and flags.
    pub fn label(self) -> &'static str {
        match self {
            Reader::Cells => "cell",
            Reader::Lines => "line",
            Reader::Combined => "combined",
        }
    }
}

/// The reader [`read_mrz`] uses: both opinions. On the frozen seeds 7200-7202
/// (318 genuine prints) it accepted 300 readings, all right, where the cell
/// reader alone accepted 279 (39 rejected against 18), with nothing wrong
/// accepted by either; on `../shared/mrz` 42 of 43 exact against 41 (issue 26,
/// models/MODELS.md). Without the line model it reads with the cells alone.
pub const DEFAULT_READER: Reader = Reader::Combined;

/// Finds and reads the MRZ in `image`.
///
/// Errors: [`OcrError::NoMrzFound`] when the image shows no MRZ (CLI exit 3),
/// [`OcrError::ImageTooSmall`]/[`OcrError::ImageTooLarge`] for unusable
/// sizes, [`OcrError::Inference`] if the model fails. A found but poorly
/// legible MRZ is not an error: it comes back with status
/// `low_confidence` or `unreadable`.
pub fn read_mrz(image: &DynamicImage, engine: &OcrEngine) -> Result<MrzReading, OcrError> {
    read_mrz_with(image, engine, DEFAULT_READER, None)
}

/// What the reader saw on the way, for diagnosing failures (the evaluation's
/// `--dump`): where each stage ended and the strip it cut.
#[derive(Debug, Clone, Default)]
pub struct ReadTrace {
    /// The locator's answer (`None`: locating failed).
    pub located: Option<LocatedMrz>,
    /// The upright strip the cells were cut from.
    pub strip: Option<image::GrayImage>,
    /// The cells of each line in strip pixels.
    pub cells: Vec<LineCells>,
    /// From strip pixels to the image's (to draw the cut on the image).
    pub to_source: Option<Homography>,
}

/// [`read_mrz`], filling `trace` with the intermediate results when given.
pub fn read_mrz_traced(
    image: &DynamicImage,
    engine: &OcrEngine,
    trace: Option<&mut ReadTrace>,
) -> Result<MrzReading, OcrError> {
    read_mrz_with(image, engine, DEFAULT_READER, trace)
}

/// [`read_mrz_traced`] with the given [`Reader`].
pub fn read_mrz_with(
    image: &DynamicImage,
    engine: &OcrEngine,
    reader: Reader,
    trace: Option<&mut ReadTrace>,
) -> Result<MrzReading, OcrError> {
    let started = Instant::now();
    let (width, height) = (image.width(), image.height());
    if width < MIN_SIDE || height < MIN_SIDE {
        return Err(OcrError::ImageTooSmall { width, height });
    }
    if width as u64 * height as u64 > MAX_PIXELS {
        return Err(OcrError::ImageTooLarge {
            width,
            height,
            max_pixels: MAX_PIXELS,
        });
    }
    let gray = ink_contrast_gray(image);
    let candidates = locate_candidates(&gray);
    read_located(&gray, candidates, engine, reader, trace, started)
}

/// Reads the MRZ from the locator's `candidates` (best first) in the
/// ink-contrast grey image `gray` (see [`read_mrz_with`]).
fn read_located(
    gray: &image::GrayImage,
    candidates: Vec<LocatedMrz>,
    engine: &OcrEngine,
    reader: Reader,
    trace: Option<&mut ReadTrace>,
    started: Instant,
) -> Result<MrzReading, OcrError> {
    if candidates.is_empty() {
        return Err(OcrError::NoMrzFound {
            reason: "no group of 2 or 3 long parallel text lines of equal height".to_string(),
        });
    }

    // Every way of cutting each located group (upright or upside down; 36 or
    // 44 characters for two lines) is scored on a third of its cells by the
    // best character the layouts allow there; the best is read in full. The
    // runners-up of the locator are only tried when the first reads poorly.
    let mut best: Option<(f32, bool, Rectified, Vec<LineCells>, LocatedMrz, bool)> = None;
    let mut strict_tried = candidates
        .first()
        .is_none_or(|c| c.ink_contrast >= INK_CONTRASTS[1]);
    let mut queue: std::collections::VecDeque<LocatedMrz> = candidates.into();
    let mut rank = 0usize;
    let mut first_choice: Option<[Point; 4]> = None;
    loop {
        if best.as_ref().is_some_and(|b| b.0 >= CONFIDENT_ATTEMPT) {
            break;
        }
        let located = match queue.pop_front() {
            Some(located) => located,
            None if !strict_tried => {
                // Still poor: the strict ink contrast may separate the MRZ from background print.
                strict_tried = true;
                queue = locate_candidates_with(gray, &INK_CONTRASTS[1..])
                    .into_iter()
                    .take(1)
                    .collect();
                continue;
            }
            None => break,
        };
        rank += 1;
        // A runner-up elsewhere in the image must read clearly better than
        // the locator's first choice; one over the same lines (a better
        // estimate of their direction or extent) is judged on its reading alone.
        let first = *first_choice.get_or_insert(located.corners);
        let handicap = if rank == 1 || same_place(&first, &located.corners) {
            0.0
        } else {
            RUNNER_UP_HANDICAP
        };
        for flipped in [false, true] {
            // An MRZ that reads well upright is not read upside down too (speed).
            if flipped && best.as_ref().is_some_and(|b| b.0 >= CONFIDENT_ATTEMPT) {
                break;
            }
            let Some(rect) = rectify(gray, &located, flipped) else {
                continue;
            };
            let overrides: Vec<Option<usize>> = if located.line_count == 3 {
                vec![None]
            } else {
                vec![Some(36), Some(44)]
            };
            for chars in overrides {
                let Some(lines) = cut_lines(&rect, chars) else {
                    continue;
                };
                // A cut whose print goes on past one of its ends is a longer
                // line seen short: cut again, at the longest length, in the
                // strip extended on that side.
                let (rect, lines, extended) = match print_past_the_cut(gray, &rect, &lines)
                    .and_then(|side| recut_extended(gray, &rect, &lines, side))
                {
                    Some((extended, lines)) => (extended, lines, true),
                    None => (rect.clone(), lines, false),
                };
                let probabilities = classify_cells(engine, &rect, &lines, ATTEMPT_STRIDE)?;
                // Ink left outside the cells means the character count is wrong.
                let outside = lines.iter().map(|l| l.ink_outside).fold(0f32, f32::max);
                // The locator's length-to-height estimate is a prior on the count.
                let count = lines.first().map_or(0, |l| l.centres.len());
                let estimate_gap =
                    (rect.estimated_chars_per_line / count.max(1) as f32 - 1.0).abs();
                let allowed = AllowedCharacters::new(lines.len(), count);
                // A pitch the ink's own period does not support is suspect: a
                // classifier trained to forgive loose cuts can read a wrong
                // count of cells confidently.
                let period_gap = lines.first().map_or(0.0, |l| l.period_gap);
                let score = allowed.sampled_score(&probabilities, ATTEMPT_STRIDE)
                    - 6.0 * (outside - 0.03).max(0.0)
                    - estimate_gap
                    - 2.0 * period_gap
                    - handicap;
                if best.as_ref().is_none_or(|b| score > b.0) {
                    best = Some((score, flipped, rect, lines, located.clone(), extended));
                }
            }
        }
    }
    let (score, flipped, rect, lines, located, extended) =
        best.ok_or_else(|| OcrError::NoMrzFound {
            reason: "text lines found but they could not be cut into characters".to_string(),
        })?;
    let ChosenCuts {
        lines,
        mut probabilities,
        recut,
    } = best_hypotheses(engine, &rect, &lines)?;
    second_look(engine, &rect, &lines, &mut probabilities)?;
    if let Some(trace) = trace {
        trace.located = Some(located.clone());
        trace.strip = Some(rect.image.clone());
        trace.cells = lines.clone();
        trace.to_source = Some(rect.to_source);
    }
    // The line recognizer reads the same lines along the chosen cuts.
    let cell_probabilities = probabilities.clone();
    let line_probabilities = match (reader, engine.line_recognizer()) {
        (Reader::Cells, _) | (_, None) => None,
        (_, Some(recognizer)) => read_whole_lines(recognizer, &rect, &lines)?,
    };
    let probabilities = match (reader, &line_probabilities) {
        (Reader::Lines, Some(by_line)) => by_line.clone(),
        (Reader::Combined, Some(by_line)) => product_of_opinions(&probabilities, by_line),
        _ => probabilities,
    };
    let attempt = Attempt {
        flipped,
        to_source: rect.to_source,
        lines,
        probabilities,
        score,
    };

    // The decoder sees every class's probability, best first: where the first
    // choice breaks the grammar, the right character may be far down the list.
    // The reading shows the first TOP_K.
    let all_classes: Vec<Vec<Vec<Candidate>>> = attempt
        .probabilities
        .iter()
        .map(|line| line.iter().map(|p| top_candidates(p, p.len())).collect())
        .collect();
    let raw_lines: Vec<String> = all_classes
        .iter()
        .map(|line| {
            line.iter()
                .map(|c| c.first().map_or('<', |k| k.character))
                .collect()
        })
        .collect();
    let mut decoded = decode(&all_classes);
    // "Printed as is" needs an unambiguous cut: when a line was read from
    // another cut than the segmenter's first, a failing check digit may be
    // our misreading, not the document's.
    if recut && decoded.status == ReadingStatus::Invalid {
        decoded.status = ReadingStatus::LowConfidence;
    }
    match (reader, &line_probabilities) {
        // Asked for the line reader but it could not read: the cells' reading, never trusted more.
        (Reader::Lines, None)
            if matches!(
                decoded.status,
                ReadingStatus::Valid | ReadingStatus::Invalid
            ) =>
        {
            decoded.status = ReadingStatus::LowConfidence;
        }
        // Either reading that uses the line recognizer answers for what the
        // two readers disagree on: where no check digit can settle it, or
        // where the check digits would hold for the other reader's choice too.
        (Reader::Lines | Reader::Combined, Some(by_line))
            if matches!(
                decoded.status,
                ReadingStatus::Valid | ReadingStatus::Invalid
            ) && (unsettled_disagreement(&cell_probabilities, by_line, &decoded)
                || another_valid_reading(&cell_probabilities, by_line, &decoded)) =>
        {
            decoded.status = ReadingStatus::LowConfidence;
        }
        _ => {}
    }
    // A reading shorter than the longest layout of its line count (2 x 36:
    // MRV-B, TD2) whose lines' print provably goes on past the same end of the
    // cut is a longer MRZ cut short: an MRV-A visa cut at 36 reads as a valid
    // MRV-B (its line 2 starts like MRV-B's and visas have no composite check
    // digit). Whatever chose that cut, it is never trusted.
    if matches!(
        decoded.status,
        ReadingStatus::Valid | ReadingStatus::Invalid
    ) && print_past_the_cut(gray, &rect, &attempt.lines).is_some()
    {
        decoded.status = ReadingStatus::LowConfidence;
    }
    let mut characters = Vec::new();
    for (line_index, line) in attempt.lines.iter().enumerate() {
        let mut out = Vec::new();
        let chosen: Vec<char> = decoded
            .lines
            .get(line_index)
            .map(|l| l.chars().collect())
            .unwrap_or_default();
        for (column, &centre) in line.centres.iter().enumerate() {
            let options: Vec<Candidate> = all_classes
                .get(line_index)
                .and_then(|l| l.get(column))
                .map(|c| c.iter().take(TOP_K).copied().collect())
                .unwrap_or_default();
            let character = chosen.get(column).copied().unwrap_or('<');
            let probability = attempt
                .probabilities
                .get(line_index)
                .and_then(|l| l.get(column))
                .and_then(|p| {
                    crate::classify::CHARSET
                        .chars()
                        .position(|c| c == character)
                        .and_then(|i| p.get(i))
                })
                .copied()
                .unwrap_or(0.0);
            let bounds = cell_bounds(&attempt.to_source, line, centre);
            out.push(CharacterReading {
                character,
                confidence: probability,
                candidates: options,
                bounds,
            });
        }
        characters.push(out);
    }
    let confidence = characters
        .iter()
        .flatten()
        .map(|c| c.confidence)
        .fold(1.0f32, f32::min);
    let quadrilateral = if extended {
        // The strip reaches past the print: the quadrilateral is the cut's.
        cut_quadrilateral(&rect, &attempt.lines)
    } else if attempt.flipped {
        let [tl, tr, br, bl] = located.corners;
        [br, bl, tl, tr]
    } else {
        located.corners
    };
    Ok(MrzReading {
        lines: decoded.lines,
        raw_lines,
        characters,
        quadrilateral,
        corrections: decoded.corrections,
        status: decoded.status,
        confidence,
        upside_down: attempt.flipped,
        ms: started.elapsed().as_secs_f64() * 1000.0,
    })
}

/// The line recognizer's per-position probabilities for each line, decoded
/// to the line's cell count under the characters the layouts allow there;
/// `None` when a line could not be read that way.
fn read_whole_lines(
    recognizer: &LineRecognizer,
    rect: &Rectified,
    lines: &[LineCells],
) -> Result<Option<Vec<Vec<Vec<f32>>>>, OcrError> {
    let Some(strips) = lines
        .iter()
        .map(|line| cut_line_strip(&rect.image, line))
        .collect::<Option<Vec<_>>>()
    else {
        return Ok(None);
    };
    let frames = recognizer.frames(&strips)?;
    let allowed = AllowedCharacters::new(lines.len(), lines.first().map_or(0, |l| l.centres.len()));
    let mut out = Vec::with_capacity(lines.len());
    for (index, (line, frames)) in lines.iter().zip(&frames).enumerate() {
        let table: Vec<[bool; 37]> = (0..line.centres.len())
            .map(|p| {
                allowed
                    .table
                    .get(index)
                    .and_then(|l| l.get(p))
                    .copied()
                    .unwrap_or([true; 37])
            })
            .collect();
        match decode_constrained(frames, &table) {
            Some(positions) => out.push(positions),
            None => return Ok(None),
        }
    }
    Ok(Some(out))
}

/// Lowest probability either opinion lends a character in the product (so
/// that one reader's zero cannot veto what the other reads clearly).
const OPINION_FLOOR: f32 = 1e-3;

/// Per position, the normalised product of the two readers' probabilities.
fn product_of_opinions(cells: &[Vec<Vec<f32>>], lines: &[Vec<Vec<f32>>]) -> Vec<Vec<Vec<f32>>> {
    cells
        .iter()
        .zip(lines)
        .map(|(cell_line, line_line)| {
            cell_line
                .iter()
                .zip(line_line)
                .map(|(c, l)| {
                    let mut p: Vec<f32> = c
                        .iter()
                        .zip(l)
                        .map(|(a, b)| a.max(OPINION_FLOOR) * b.max(OPINION_FLOOR))
                        .collect();
                    let total: f32 = p.iter().sum();
                    if total > 0.0 {
                        p.iter_mut().for_each(|v| *v /= total);
                    }
                    p
                })
                .collect()
        })
        .collect()
}

/// Each reader alone must be at least this sure of a character no check digit
/// covers (the decoder's `LOW_CONFIDENCE`): there, agreement of two weak
/// opinions is no evidence.
const SURE_ALONE: f32 = 0.6;

/// Whether, at some position of the decoded reading that no check digit
/// covers, the two readers' first choices differ or either reader alone is
/// not sure of the decoded character: nothing there tells which reader is
/// right (fixture captures showed a name letter the cells read weakly and the
/// line recognizer read surely, and wrongly, the same way).
fn unsettled_disagreement(
    cells: &[Vec<Vec<f32>>],
    lines: &[Vec<Vec<f32>>],
    decoded: &crate::decode::Decoded,
) -> bool {
    let best = |p: &[f32]| {
        p.iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(i, &v)| (i, v))
    };
    let covered = decoded
        .format
        .map(|format| tdverify_mrz::parse_lines(format, decoded.lines.clone()));
    let is_covered = |line: usize, position: usize| {
        covered.as_ref().is_some_and(|mrz| {
            mrz.check_digits.iter().any(|digit| {
                digit
                    .covers
                    .iter()
                    .chain(std::iter::once(&digit.at))
                    .any(|span| span.line == line && (span.start..span.end).contains(&position))
            })
        })
    };
    for (line, (cell_line, line_line)) in cells.iter().zip(lines).enumerate() {
        for (position, (c, l)) in cell_line.iter().zip(line_line).enumerate() {
            if is_covered(line, position) {
                continue;
            }
            let chosen = decoded
                .lines
                .get(line)
                .and_then(|l| l.chars().nth(position))
                .and_then(|ch| crate::classify::CHARSET.chars().position(|k| k == ch));
            let weak = |p: &[f32]| chosen.is_none_or(|i| p.get(i).is_none_or(|&v| v < SURE_ALONE));
            if let (Some((a, _)), Some((b, _))) = (best(c), best(l))
                && (a != b || weak(c) || weak(l))
            {
                return true;
            }
        }
    }
    false
}

/// Most positions at which the readers may disagree before the reading is
/// ambiguous without looking further (2^12 readings to check at most).
const MOST_DISAGREEMENTS: usize = 12;

/// Whether some other choice among the two readers' first choices and the
/// decoded character, at the positions where they differ, also makes a valid
/// MRZ (grammar and every check digit). A check digit cannot tell such
/// readings apart: two 0/O swaps whose weights add to 10 (7 and 3) leave it
/// unchanged, G and 6, K and `<` have the same value. Seed 7100 showed the
/// line recognizer alone accepting such readings (`19O5O22` for `1905022` in
/// a document number, `OO33` for `0033` in a personal number).
fn another_valid_reading(
    cells: &[Vec<Vec<f32>>],
    lines: &[Vec<Vec<f32>>],
    decoded: &crate::decode::Decoded,
) -> bool {
    let Some(format) = decoded.format else {
        return false;
    };
    let charset: Vec<char> = crate::classify::CHARSET.chars().collect();
    let first = |p: &[f32]| {
        p.iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .and_then(|(i, _)| charset.get(i).copied())
    };
    let mut base: Vec<Vec<char>> = decoded.lines.iter().map(|l| l.chars().collect()).collect();
    // (line, position, the other characters proposed there)
    let mut open: Vec<(usize, usize, Vec<char>)> = Vec::new();
    for (line, (cell_line, line_line)) in cells.iter().zip(lines).enumerate() {
        for (position, (c, l)) in cell_line.iter().zip(line_line).enumerate() {
            let Some(&chosen) = base.get(line).and_then(|l| l.get(position)) else {
                continue;
            };
            let mut others: Vec<char> = [first(c), first(l)]
                .into_iter()
                .flatten()
                .filter(|&k| k != chosen)
                .collect();
            others.dedup();
            if !others.is_empty() {
                open.push((line, position, others));
            }
        }
    }
    if open.is_empty() {
        return false;
    }
    if open.len() > MOST_DISAGREEMENTS {
        return true;
    }
    // Every combination of choices but the decoded one (index 0 everywhere).
    let sizes: Vec<usize> = open.iter().map(|(_, _, others)| others.len() + 1).collect();
    let mut choice = vec![0usize; open.len()];
    loop {
        let mut carry = 0;
        while carry < choice.len() {
            choice[carry] += 1;
            if choice[carry] < sizes[carry] {
                break;
            }
            choice[carry] = 0;
            carry += 1;
        }
        if carry == choice.len() {
            return false;
        }
        let original: Vec<char> = open
            .iter()
            .map(|(line, position, _)| base[*line][*position])
            .collect();
        for ((line, position, others), &pick) in open.iter().zip(&choice) {
            if pick > 0 {
                base[*line][*position] = others[pick - 1];
            }
        }
        let candidate: Vec<String> = base.iter().map(|l| l.iter().collect()).collect();
        for ((line, position, _), c) in open.iter().zip(original) {
            base[*line][*position] = c;
        }
        if tdverify_mrz::parse_lines(format, candidate).is_valid() {
            return true;
        }
    }
}

/// Whether two located quadrilaterals lie over the same lines: each one's
/// centre inside the other.
fn same_place(a: &[Point; 4], b: &[Point; 4]) -> bool {
    let centre = |q: &[Point; 4]| {
        Point::new(
            q.iter().map(|p| p.x).sum::<f32>() / 4.0,
            q.iter().map(|p| p.y).sum::<f32>() / 4.0,
        )
    };
    // Inside a convex quadrilateral: on the same side of all four edges, whichever their order.
    let inside = |q: &[Point; 4], p: Point| {
        let sides: Vec<f32> = (0..4)
            .map(|i| {
                let (s, e) = (q[i], q[(i + 1) % 4]);
                (e.x - s.x) * (p.y - s.y) - (e.y - s.y) * (p.x - s.x)
            })
            .collect();
        sides.iter().all(|&v| v > 0.0) || sides.iter().all(|&v| v < 0.0)
    };
    inside(a, centre(b)) && inside(b, centre(a))
}

/// Classifies every `stride`-th cell of every line (1: all cells).
fn classify_cells(
    engine: &OcrEngine,
    rect: &Rectified,
    lines: &[LineCells],
    stride: usize,
) -> Result<Vec<Vec<Vec<f32>>>, OcrError> {
    let stride = stride.max(1);
    let mut patches = Vec::new();
    let mut per_line = Vec::new();
    let mut count = 0;
    for line in lines {
        let mut in_line = 0;
        for (index, &centre) in line.centres.iter().enumerate() {
            if index % stride == stride / 2 || stride == 1 {
                cut_patch(&rect.image, line, centre, &mut patches);
                in_line += 1;
            }
        }
        per_line.push(in_line);
        count += in_line;
    }
    debug_assert_eq!(patches.len(), count * PATCH_WIDTH * PATCH_HEIGHT);
    let flat = engine.classify(patches, count)?;
    let mut iter = flat.into_iter();
    Ok(per_line
        .iter()
        .map(|&n| iter.by_ref().take(n).collect())
        .collect())
}

/// A cell whose best character is less probable than this gets a second look.
const DOUBTFUL_CELL: f32 = 0.9;
/// Horizontal offsets (in pitches) of the second look's extra views.
const SECOND_LOOK_SHIFTS: [f32; 2] = [-0.1, 0.1];

/// Looks again at every doubtful cell through a few other views of it (a
/// little to each side, and without the slant correction when there was
/// one) and averages the classifier's answers with the first: a mark or a
/// stroke cut at the window's edge rarely fools every view the same way,
/// while a character read the same from every view keeps its reading.
fn second_look(
    engine: &OcrEngine,
    rect: &Rectified,
    lines: &[LineCells],
    probabilities: &mut [Vec<Vec<f32>>],
) -> Result<(), OcrError> {
    let mut views: Vec<LineCells> = Vec::new();
    let mut owners: Vec<(usize, usize)> = Vec::new();
    for (line_index, line) in lines.iter().enumerate() {
        let Some(cells) = probabilities.get(line_index) else {
            continue;
        };
        for (column, p) in cells.iter().enumerate() {
            if p.iter().copied().fold(0f32, f32::max) >= DOUBTFUL_CELL {
                continue;
            }
            let Some(&centre) = line.centres.get(column) else {
                continue;
            };
            let mut centres: Vec<f32> = SECOND_LOOK_SHIFTS
                .iter()
                .map(|s| centre + s * line.pitch)
                .collect();
            let mut view = LineCells {
                centres: Vec::new(),
                alternatives: Vec::new(),
                ..line.clone()
            };
            if line.slant != 0.0 {
                views.push(LineCells {
                    centres: vec![centre],
                    slant: 0.0,
                    ..view.clone()
                });
                owners.push((line_index, column));
            }
            view.centres.append(&mut centres);
            for _ in 0..view.centres.len() {
                owners.push((line_index, column));
            }
            views.push(view);
        }
    }
    if owners.is_empty() {
        return Ok(());
    }
    let seen: Vec<Vec<f32>> = classify_cells(engine, rect, &views, 1)?
        .into_iter()
        .flatten()
        .collect();
    let mut sums: std::collections::BTreeMap<(usize, usize), (Vec<f32>, f32)> =
        std::collections::BTreeMap::new();
    for (&(line_index, column), p) in owners.iter().zip(&seen) {
        let first = &probabilities[line_index][column];
        let entry = sums
            .entry((line_index, column))
            .or_insert_with(|| (first.clone(), 1.0));
        for (sum, v) in entry.0.iter_mut().zip(p) {
            *sum += v;
        }
        entry.1 += 1.0;
    }
    for ((line_index, column), (sum, count)) in sums {
        probabilities[line_index][column] = sum.into_iter().map(|v| v / count).collect();
    }
    Ok(())
}

/// Classifies every line's hypotheses (its cut and the alternatives the
/// segmenter proposed, each also shifted by one cell either way) and keeps,
/// per line, the one the classifier reads most confidently. A whole-pitch
/// offset is the segmenter's typical mistake when something dark touches a
/// line's end (a card edge, a stamp): the shifted cuts reuse the same cells
/// plus one more at each end, so they cost two cells each. A shift whose new
/// end cell holds no ink is not considered (every MRZ character has ink).
fn best_hypotheses(
    engine: &OcrEngine,
    rect: &Rectified,
    lines: &[LineCells],
) -> Result<ChosenCuts, OcrError> {
    let allowed = AllowedCharacters::new(lines.len(), lines.first().map_or(0, |l| l.centres.len()));
    // First the segmenter's own cuts (and their shifts).
    let proposed: Vec<LineCells> = lines
        .iter()
        .map(|line| LineCells {
            alternatives: Vec::new(),
            ..line.clone()
        })
        .collect();
    let extended: Vec<LineCells> = proposed.iter().map(with_end_neighbours).collect();
    let probabilities = classify_cells(engine, rect, &extended, 1)?;
    let mut best: Vec<Option<Judged>> = vec![None; lines.len()];
    for (owner, (cut, probabilities)) in extended.iter().zip(&probabilities).enumerate() {
        keep_better(
            &mut best[owner],
            judge(&allowed, rect, owner, cut, probabilities, true),
        );
    }
    // A line read confidently as proposed is left alone (speed); the others
    // get their alternatives: the ink-end fit, and each cut slightly
    // stretched and squeezed about its middle (a pitch off by 1 % moves the
    // cells of a 44-character line by half a cell at its ends). A stretch is
    // judged on the end cells and read in full only if it reads them better.
    let confident = |owner: usize, judged: &Judged| -> bool {
        // Pitch errors show at the line's ends first: those cells must be sure too.
        let ends_sure = end_positions(judged.probabilities.len())
            .into_iter()
            .all(|p| {
                judged
                    .probabilities
                    .get(p)
                    .is_some_and(|v| allowed.cell_score(owner, p, v) >= SURE_END.ln())
            });
        judged.score >= GOOD_LINE && judged.cut.centres == proposed[owner].centres && ends_sure
    };
    let doubtful: Vec<usize> = (0..lines.len())
        .filter(|&owner| best[owner].as_ref().is_none_or(|j| !confident(owner, j)))
        .collect();
    if doubtful.is_empty() {
        return Ok(finish(best));
    }
    let mut pool: Vec<(usize, LineCells)> = Vec::new();
    for &owner in &doubtful {
        for alternative in &lines[owner].alternatives {
            pool.push((
                owner,
                LineCells {
                    alternatives: Vec::new(),
                    ..alternative.clone()
                },
            ));
        }
    }
    let stretches: Vec<(usize, LineCells)> = doubtful
        .iter()
        .flat_map(|&owner| PITCH_VARIANTS.iter().map(move |&factor| (owner, factor)))
        .map(|(owner, factor)| (owner, stretched(&proposed[owner], factor)))
        .collect();
    let mut ends: Vec<LineCells> = doubtful
        .iter()
        .map(|&owner| end_cells(&proposed[owner]))
        .collect();
    ends.extend(stretches.iter().map(|(_, cut)| end_cells(cut)));
    let end_probabilities = classify_cells(engine, rect, &ends, 1)?;
    let end_score = |line: usize, cut: &LineCells, probabilities: &[Vec<f32>]| -> f32 {
        let positions = end_positions(cut.centres.len());
        let sum: f32 = positions
            .iter()
            .zip(probabilities)
            .map(|(&p, v)| allowed.cell_score(line, p, v))
            .sum();
        sum / positions.len().max(1) as f32
    };
    let base_scores: Vec<(usize, f32)> = doubtful
        .iter()
        .zip(&end_probabilities)
        .map(|(&owner, p)| (owner, end_score(owner, &proposed[owner], p)))
        .collect();
    for ((owner, cut), probabilities) in stretches
        .into_iter()
        .zip(end_probabilities.iter().skip(base_scores.len()))
    {
        let base = base_scores
            .iter()
            .find(|(o, _)| *o == owner)
            .map_or(f32::MIN, |(_, s)| *s);
        if end_score(owner, &cut, probabilities) > base + STRETCH_MARGIN {
            pool.push((owner, cut));
        }
    }
    let extended: Vec<LineCells> = pool
        .iter()
        .map(|(_, cut)| with_end_neighbours(cut))
        .collect();
    let probabilities = classify_cells(engine, rect, &extended, 1)?;
    for (((owner, _), cut), probabilities) in pool.iter().zip(&extended).zip(&probabilities) {
        keep_better(
            &mut best[*owner],
            judge(&allowed, rect, *owner, cut, probabilities, false),
        );
    }
    Ok(finish(best))
}

/// A line cut as judged: its score, the cells, their probabilities, and
/// whether it differs from the segmenter's own cut.
#[derive(Clone)]
struct Judged {
    score: f32,
    cut: LineCells,
    probabilities: Vec<Vec<f32>>,
    recut: bool,
}

fn keep_better(slot: &mut Option<Judged>, candidate: Option<Judged>) {
    if let Some(candidate) = candidate
        && slot.as_ref().is_none_or(|s| candidate.score > s.score)
    {
        *slot = Some(candidate);
    }
}

/// Each line's chosen cut and its cells' probabilities.
struct ChosenCuts {
    lines: Vec<LineCells>,
    probabilities: Vec<Vec<Vec<f32>>>,
    /// Some line was read from another cut than the segmenter's own.
    recut: bool,
}

fn finish(best: Vec<Option<Judged>>) -> ChosenCuts {
    let mut chosen = ChosenCuts {
        lines: Vec::with_capacity(best.len()),
        probabilities: Vec::with_capacity(best.len()),
        recut: false,
    };
    for judged in best.into_iter().flatten() {
        chosen.lines.push(judged.cut);
        chosen.probabilities.push(judged.probabilities);
        chosen.recut |= judged.recut;
    }
    chosen
}

/// `line` with one more cell before its first and after its last.
fn with_end_neighbours(line: &LineCells) -> LineCells {
    let mut centres = Vec::with_capacity(line.centres.len() + 2);
    if let (Some(&first), Some(&last)) = (line.centres.first(), line.centres.last()) {
        centres.push(first - line.pitch);
        centres.extend_from_slice(&line.centres);
        centres.push(last + line.pitch);
    }
    LineCells {
        centres,
        alternatives: Vec::new(),
        ..line.clone()
    }
}

/// The best of an extended cut (see [`with_end_neighbours`]) as given or
/// shifted by one cell either way. A shift whose new end cell holds no ink is
/// not considered (every MRZ character has ink), and must read clearly better.
fn judge(
    allowed: &AllowedCharacters,
    rect: &Rectified,
    owner: usize,
    cut: &LineCells,
    probabilities: &[Vec<f32>],
    proposed: bool,
) -> Option<Judged> {
    let count = cut.centres.len().checked_sub(2)?;
    let mut best: Option<Judged> = None;
    for shift in [1usize, 0, 2] {
        // shift 1 is the cut as given; 0 and 2 move it a cell left or right.
        let new_end = match shift {
            0 => Some(0),
            2 => Some(cut.centres.len() - 1),
            _ => None,
        };
        if let Some(end) = new_end
            && !cell_has_ink(&rect.image, cut, cut.centres[end])
        {
            continue;
        }
        let Some(window) = probabilities.get(shift..shift + count) else {
            continue;
        };
        let margin = if shift == 1 {
            0.0
        } else {
            0.5 / count.max(1) as f32
        };
        let score = allowed.line_score(owner, window) - margin;
        let centres = cut.centres[shift..shift + count].to_vec();
        keep_better(
            &mut best,
            Some(Judged {
                score,
                cut: LineCells {
                    centres,
                    ..cut.clone()
                },
                probabilities: window.to_vec(),
                recut: !(proposed && shift == 1),
            }),
        );
    }
    best
}

/// Which characters each position may hold, whatever the layout of this
/// shape (line count and length) turns out to be: the union over the layouts
/// of that shape. Scoring a cut by the best *allowed* character keeps a
/// border line read as `1` from passing for a document code or a blank
/// read as `<` for a check digit.
pub(crate) struct AllowedCharacters {
    /// `[line][position][class index]`.
    pub(crate) table: Vec<Vec<[bool; 37]>>,
}

impl AllowedCharacters {
    fn new(line_count: usize, length: usize) -> AllowedCharacters {
        let charset: Vec<char> = crate::classify::CHARSET.chars().collect();
        let mut table = vec![vec![[false; 37]; length]; line_count];
        let formats = tdverify_mrz::MrzFormat::ALL
            .into_iter()
            .filter(|f| f.line_count() == line_count && f.line_length() == length);
        let mut any = false;
        for format in formats {
            any = true;
            for (line, classes) in tdverify_mrz::position_classes(format).iter().enumerate() {
                for (position, (class, _)) in classes.iter().enumerate() {
                    for (index, &c) in charset.iter().enumerate() {
                        if let Some(slot) = table
                            .get_mut(line)
                            .and_then(|l| l.get_mut(position))
                            .and_then(|p| p.get_mut(index))
                        {
                            *slot |= class.allows(c);
                        }
                    }
                }
            }
        }
        if !any {
            table = vec![vec![[true; 37]; length]; line_count];
        }
        AllowedCharacters { table }
    }

    /// [`AllowedCharacters::line_score`] over all lines of cells classified
    /// every `stride`-th (as `classify_cells` samples them), averaged.
    fn sampled_score(&self, probabilities: &[Vec<Vec<f32>>], stride: usize) -> f32 {
        let stride = stride.max(1);
        let (mut sum, mut count) = (0f32, 0usize);
        for (line, cells) in probabilities.iter().enumerate() {
            for (k, p) in cells.iter().enumerate() {
                let position = if stride == 1 {
                    k
                } else {
                    k * stride + stride / 2
                };
                sum += self.cell_score(line, position, p);
                count += 1;
            }
        }
        if count == 0 {
            f32::MIN
        } else {
            sum / count as f32
        }
    }

    /// Log-probability of the most probable character allowed at `line`, `position`.
    fn cell_score(&self, line: usize, position: usize, p: &[f32]) -> f32 {
        let allowed = self.table.get(line).and_then(|l| l.get(position));
        let best = p
            .iter()
            .enumerate()
            .filter(|(index, _)| allowed.is_none_or(|a| a.get(*index).copied().unwrap_or(true)))
            .map(|(_, &v)| v)
            .fold(0f32, f32::max);
        best.max(1e-6).ln()
    }

    /// Mean log-probability of the most probable allowed character per position of `line`.
    fn line_score(&self, line: usize, probabilities: &[Vec<f32>]) -> f32 {
        let sum: f32 = probabilities
            .iter()
            .enumerate()
            .map(|(position, p)| self.cell_score(line, position, p))
            .sum();
        if probabilities.is_empty() {
            f32::MIN
        } else {
            sum / probabilities.len() as f32
        }
    }
}

/// A line whose proposed cut reads at least this well (mean log-probability
/// of the best allowed character) is not recut.
const GOOD_LINE: f32 = -0.02;
/// The end cells of a line left alone must each be at least this probable.
const SURE_END: f32 = 0.95;
/// Pitch factors tried around each proposed cut.
const PITCH_VARIANTS: [f32; 2] = [0.985, 1.015];

/// Cells at each end of a line judged when trying a stretch.
const END_CELLS: usize = 5;
/// How much better (mean log-probability over the end cells) a stretch must
/// read the ends to be read in full.
const STRETCH_MARGIN: f32 = 0.05;

/// Positions of the end cells of a line of `count` cells.
fn end_positions(count: usize) -> Vec<usize> {
    if count <= 2 * END_CELLS {
        return (0..count).collect();
    }
    (0..END_CELLS).chain(count - END_CELLS..count).collect()
}

/// Only the end cells of `line` (see [`end_positions`]).
fn end_cells(line: &LineCells) -> LineCells {
    let centres = end_positions(line.centres.len())
        .into_iter()
        .filter_map(|i| line.centres.get(i).copied())
        .collect();
    LineCells {
        centres,
        alternatives: Vec::new(),
        ..line.clone()
    }
}

/// `line` with its cells spread by `factor` about the line's middle.
fn stretched(line: &LineCells, factor: f32) -> LineCells {
    let middle = match (line.centres.first(), line.centres.last()) {
        (Some(a), Some(b)) => (a + b) / 2.0,
        _ => 0.0,
    };
    let centres = line
        .centres
        .iter()
        .map(|c| middle + (c - middle) * factor)
        .collect();
    LineCells {
        centres,
        pitch: line.pitch * factor,
        alternatives: Vec::new(),
        ..line.clone()
    }
}

/// Whether the cell around `centre` holds ink: at least 4 % of its middle
/// (half a pitch by a digit height) darker than halfway between the line's
/// ink and paper levels.
fn cell_has_ink(image: &image::GrayImage, line: &LineCells, centre: f32) -> bool {
    let threshold = (line.black + line.white) / 2.0;
    let (mut dark, mut total) = (0usize, 0usize);
    let steps = 12;
    for row in 0..steps {
        let y = line.centre_y + (row as f32 / (steps - 1) as f32 - 0.5) * line.height;
        for col in 0..steps {
            let x = centre + (col as f32 / (steps - 1) as f32 - 0.5) * 0.5 * line.pitch;
            total += 1;
            if crate::geometry::sample_bilinear(image, x, y, line.white) < threshold {
                dark += 1;
            }
        }
    }
    dark as f32 >= 0.04 * total as f32
}

/// Of the cells a shorter line lacks past its end (8 for 36 against 44),
/// how many must hold print like a character's for the line to go on:
/// glare can wash out a few of them.
const CONTINUING_CELLS: usize = 3;

/// One end of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Left,
    Right,
}

/// Which end of the cut, if any, the print of every line provably goes on
/// past: the lines are shorter than the longest layout of their line count
/// (2 x 36 against 2 x 44) and, among the cells the longer line would add
/// past that end at the cut's pitch, at least [`CONTINUING_CELLS`] hold print
/// like a character's in every line. An MRV-A visa's lines cut at 36 read as
/// a valid MRV-B (line 2 starts alike and visas have no composite check
/// digit); a TD3 passport's as a TD2. Looked for in the strip extended past
/// both ends (the located strip can end where the locator stopped).
fn print_past_the_cut(
    gray: &image::GrayImage,
    rect: &Rectified,
    lines: &[LineCells],
) -> Option<End> {
    let longest = line_lengths(lines.len()).iter().copied().max()?;
    let count = lines.first()?.centres.len();
    if count >= longest || lines.iter().any(|l| l.centres.len() != count) {
        return None;
    }
    let missing = longest - count;
    let pitch = lines.iter().map(|l| l.pitch).fold(0.0, f32::max);
    let reach = ((missing + 1) as f32 * pitch).ceil() as u32;
    let wide = extend_strip(gray, rect, reach, reach)?;
    let lines = shifted_lines(lines, reach as f32);
    [End::Right, End::Left].into_iter().find(|&end| {
        lines.iter().all(|line| {
            let (from, step) = match end {
                End::Left => (line.centres.first(), -line.pitch),
                End::Right => (line.centres.last(), line.pitch),
            };
            from.is_some_and(|&from| {
                (1..=missing)
                    .filter(|&k| character_like(&wide.image, line, from + k as f32 * step))
                    .count()
                    >= CONTINUING_CELLS
            })
        })
    })
}

/// The lines cut again at the longest length of their line count, in the
/// strip extended past `end` by the cells they lack and the locator's
/// margin; `None` when that cut fails. The extended strip's length estimate
/// is the longest line's (the locator's was of the part it saw).
fn recut_extended(
    gray: &image::GrayImage,
    rect: &Rectified,
    lines: &[LineCells],
    end: End,
) -> Option<(Rectified, Vec<LineCells>)> {
    let longest = line_lengths(lines.len()).iter().copied().max()?;
    let count = lines.first()?.centres.len();
    let pitch = lines.iter().map(|l| l.pitch).fold(0.0, f32::max);
    let margin = crate::locate::END_MARGIN_HEIGHTS * crate::segment::RECTIFIED_DIGIT_HEIGHT;
    let reach = (longest.saturating_sub(count) as f32 * pitch + margin).ceil() as u32;
    let (left, right) = match end {
        End::Left => (reach, 0),
        End::Right => (0, reach),
    };
    let mut extended = extend_strip(gray, rect, left, right)?;
    extended.estimated_chars_per_line = longest as f32;
    let lines = cut_lines(&extended, Some(longest))?;
    Some((extended, lines))
}

/// Whether the cell around `centre` holds print like a character's: ink in
/// the text band (see [`cell_has_ink`]) and almost none just above and
/// below it, where a line's characters never reach but a card edge, a
/// table or a dark background would.
fn character_like(image: &image::GrayImage, line: &LineCells, centre: f32) -> bool {
    if !cell_has_ink(image, line, centre) {
        return false;
    }
    let threshold = (line.black + line.white) / 2.0;
    let (mut dark, mut total) = (0usize, 0usize);
    let steps = 12;
    for side in [-1.0f32, 1.0] {
        for row in 0..4 {
            // 0.65 to 0.95 digit heights from the band's centre: the gap
            // between MRZ lines is about 0.75 digit heights.
            let y = line.centre_y + side * (0.65 + 0.1 * row as f32) * line.height;
            for col in 0..steps {
                let x = centre + (col as f32 / (steps - 1) as f32 - 0.5) * line.pitch;
                total += 1;
                if crate::geometry::sample_bilinear(image, x, y, line.white) < threshold {
                    dark += 1;
                }
            }
        }
    }
    (dark as f32) < 0.03 * total as f32
}

/// The quadrilateral (image pixels, in reading order) around the cut's
/// cells with the locator's margin, for a strip that reaches past the print.
fn cut_quadrilateral(rect: &Rectified, lines: &[LineCells]) -> [Point; 4] {
    let (w, h) = (rect.image.width() as f32, rect.image.height() as f32);
    let margin = crate::locate::END_MARGIN_HEIGHTS * crate::segment::RECTIFIED_DIGIT_HEIGHT;
    let left = lines
        .iter()
        .filter_map(|l| l.centres.first().map(|c| c - 0.5 * l.pitch))
        .fold(w, f32::min);
    let right = lines
        .iter()
        .filter_map(|l| l.centres.last().map(|c| c + 0.5 * l.pitch))
        .fold(0.0, f32::max);
    let (left, right) = if left < right {
        ((left - margin).max(0.0), (right + margin).min(w))
    } else {
        (0.0, w)
    };
    [
        rect.to_source.apply(Point::new(left, 0.0)),
        rect.to_source.apply(Point::new(right, 0.0)),
        rect.to_source.apply(Point::new(right, h)),
        rect.to_source.apply(Point::new(left, h)),
    ]
}

/// The cell's bounds mapped back to image pixels.
fn cell_bounds(to_source: &Homography, line: &LineCells, centre: f32) -> Rect {
    let (hw, hh) = (line.pitch / 2.0, line.height / 2.0);
    let corners = [
        to_source.apply(Point::new(centre - hw, line.centre_y - hh)),
        to_source.apply(Point::new(centre + hw, line.centre_y - hh)),
        to_source.apply(Point::new(centre + hw, line.centre_y + hh)),
        to_source.apply(Point::new(centre - hw, line.centre_y + hh)),
    ];
    let min_x = corners.iter().map(|p| p.x).fold(f32::MAX, f32::min);
    let max_x = corners.iter().map(|p| p.x).fold(f32::MIN, f32::max);
    let min_y = corners.iter().map(|p| p.y).fold(f32::MAX, f32::min);
    let max_y = corners.iter().map(|p| p.y).fold(f32::MIN, f32::max);
    Rect::new(min_x, min_y, max_x - min_x, max_y - min_y)
}

/// The located MRZ warped upright (as the reader sees it), for display and
/// for running other OCR engines on the same crop. `upside_down` comes from
/// a previous [`MrzReading`]. `None` when no MRZ is found.
pub fn mrz_crop(image: &DynamicImage, upside_down: bool) -> Option<image::GrayImage> {
    let (width, height) = (image.width(), image.height());
    if width < MIN_SIDE || height < MIN_SIDE || width as u64 * height as u64 > MAX_PIXELS {
        return None;
    }
    let gray = ink_contrast_gray(image);
    let located = locate(&gray)?;
    rectify(&gray, &located, upside_down).map(|r| r.image)
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Renders MRZs in OCR-B for tests (Debian's fonts-ocr-b, public domain).
    use ab_glyph::{Font, FontVec, PxScale, ScaleFont};
    use image::{GrayImage, Luma};

    /// Where Debian installs OCR-B.
    pub const OCRB_PATH: &str = "/usr/share/fonts/opentype/ocr-b/OCRB.otf";

    /// The font; `cargo xtask setup` installs fonts-ocr-b, so a missing or
    /// unreadable font fails the test.
    #[track_caller]
    pub fn ocrb() -> FontVec {
        match std::fs::read(OCRB_PATH)
            .ok()
            .and_then(|bytes| FontVec::try_from_vec(bytes).ok())
        {
            Some(font) => font,
            None => tdverify_core::test_data::missing_project_piece(
                format!("the OCR-B font at {OCRB_PATH} (Debian fonts-ocr-b)"),
                "run cargo xtask setup",
            ),
        }
    }

    /// `image` sheared so that its vertical strokes lean by `slant`
    /// (horizontal shift per pixel down), widened to keep it all.
    pub fn sheared(image: &GrayImage, slant: f32) -> GrayImage {
        let (w, h) = image.dimensions();
        let extra = (slant.abs() * h as f32 / 2.0).ceil() as u32 + 2;
        GrayImage::from_fn(w + 2 * extra, h, |x, y| {
            let source_x = x as f32 - extra as f32 - slant * (y as f32 - h as f32 / 2.0);
            let value =
                crate::geometry::sample_bilinear(image, source_x + 0.5, y as f32 + 0.5, 235.0);
            Luma([value.round() as u8])
        })
    }

    /// A white page with some title text and the MRZ lines near the bottom;
    /// `digit_height` in pixels.
    pub fn render_page(font: &FontVec, lines: &[&str], digit_height: f32) -> GrayImage {
        let size = digit_height / 0.77;
        let scaled = font.as_scaled(PxScale::from(size));
        let pitch = scaled.h_advance(font.glyph_id('A'));
        let longest = lines.iter().map(|l| l.len()).max().unwrap_or(0) as f32;
        let width = (longest * pitch + 8.0 * pitch) as u32;
        let line_gap = 1.9 * digit_height;
        let height = (12.0 * digit_height + lines.len() as f32 * line_gap) as u32;
        let mut page = GrayImage::from_pixel(width, height, Luma([235]));
        let mut draw = |text: &str, x0: f32, baseline: f32, scale: f32| {
            let s = font.as_scaled(PxScale::from(size * scale));
            let mut x = x0;
            for ch in text.chars() {
                let glyph = s.scaled_glyph(ch).clone();
                let mut positioned = glyph;
                positioned.position = ab_glyph::point(x, baseline);
                if let Some(outline) = font.outline_glyph(positioned) {
                    let bounds = outline.px_bounds();
                    outline.draw(|gx, gy, coverage| {
                        let px = bounds.min.x as i64 + gx as i64;
                        let py = bounds.min.y as i64 + gy as i64;
                        if px >= 0
                            && py >= 0
                            && (px as u32) < page.width()
                            && (py as u32) < page.height()
                        {
                            let p = page.get_pixel_mut(px as u32, py as u32);
                            let ink = 20.0;
                            p.0[0] = (p.0[0] as f32 * (1.0 - coverage) + ink * coverage) as u8;
                        }
                    });
                }
                x += s.h_advance(s.glyph_id(ch));
            }
        };
        draw("UTOPIA PASSPORT", 4.0 * pitch, 3.0 * digit_height, 1.4);
        draw("Surname ERIKSSON", 4.0 * pitch, 5.5 * digit_height, 0.8);
        let first_baseline =
            height as f32 - lines.len() as f32 * line_gap - 1.5 * digit_height + line_gap;
        for (i, line) in lines.iter().enumerate() {
            draw(line, 4.0 * pitch, first_baseline + i as f32 * line_gap, 1.0);
        }
        page
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::{ocrb, render_page};
    use super::*;
    use proptest::prelude::*;

    /// ICAO 9303 Part 4, Appendix B: the Utopia TD3 specimen.
    const TD3: [&str; 2] = [
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
        "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
    ];
    /// ICAO 9303 Part 5, Appendix B: the Utopia TD1 specimen.
    const TD1: [&str; 3] = [
        "I<UTOD231458907<<<<<<<<<<<<<<<",
        "7408122F1204159UTO<<<<<<<<<<<6",
        "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
    ];

    /// The engine. ONNX Runtime (`cargo xtask setup`) and the model (in the
    /// repository) are the project's own, so a missing one fails the test.
    #[track_caller]
    fn engine() -> OcrEngine {
        let library = tdverify_runtime::default_library_path();
        if !library.is_file() {
            tdverify_core::test_data::missing_project_piece(
                format!("ONNX Runtime at {}", library.display()),
                "run cargo xtask setup",
            );
        }
        OcrEngine::load_default().expect("load the MRZ OCR engine")
    }

    fn rotated(page: &image::GrayImage, degrees: f32) -> DynamicImage {
        // Pad so rotation keeps the whole page.
        let (w, h) = page.dimensions();
        let side = ((w * w + h * h) as f32).sqrt() as u32 + 4;
        let mut canvas = image::GrayImage::from_pixel(side, side, image::Luma([200]));
        image::imageops::overlay(
            &mut canvas,
            page,
            ((side - w) / 2) as i64,
            ((side - h) / 2) as i64,
        );
        let turned = imageproc::geometric_transformations::rotate_about_center(
            &canvas,
            degrees.to_radians(),
            imageproc::geometric_transformations::Interpolation::Bilinear,
            imageproc::geometric_transformations::Border::Constant(image::Luma([200])),
        );
        DynamicImage::ImageLuma8(turned)
    }

    #[test]
    fn synthetic_td3_reads_exactly_at_many_angles() {
        let (font, engine) = (ocrb(), engine());
        let page = render_page(&font, &TD3, 22.0);
        for degrees in [0.0f32, 7.0, -15.0, 20.0, 90.0, 180.0, 270.0, 95.0] {
            let reading = read_mrz(&rotated(&page, degrees), &engine).expect("MRZ found");
            assert_eq!(
                reading.lines, TD3,
                "at {degrees}°: raw {:?}",
                reading.raw_lines
            );
            assert_eq!(reading.status, ReadingStatus::Valid, "at {degrees}°");
        }
    }

    #[test]
    fn quadrilaterals_over_the_same_lines_are_the_same_place() {
        let quad = |x0: f32, y0: f32, w: f32, h: f32, shear: f32| {
            [
                Point::new(x0 + shear, y0),
                Point::new(x0 + w + shear, y0),
                Point::new(x0 + w, y0 + h),
                Point::new(x0, y0 + h),
            ]
        };
        let upright = quad(0.0, 650.0, 560.0, 115.0, 0.0);
        // The same lines seen upside down (corners in the other order) and sheared.
        let mut turned = quad(-30.0, 646.0, 610.0, 125.0, 25.0);
        turned.reverse();
        assert!(same_place(&upright, &turned));
        // A paragraph above the MRZ is another place.
        assert!(!same_place(&upright, &quad(0.0, 300.0, 560.0, 115.0, 0.0)));
        // A small group inside the large one, whose own centre the small one does not hold.
        assert!(!same_place(&upright, &quad(0.0, 650.0, 100.0, 20.0, 0.0)));
    }

    #[test]
    fn sheared_photos_and_oblique_print_read_exactly() {
        let (font, engine) = (ocrb(), engine());
        let page = render_page(&font, &TD1, 20.0);
        // A document photographed askew leans its strokes; so does oblique print.
        for slant in [-0.35f32, 0.3] {
            let leaning = super::test_support::sheared(&page, slant);
            let reading = read_mrz(&rotated(&leaning, 5.0), &engine).expect("MRZ found");
            assert_eq!(
                reading.lines, TD1,
                "slant {slant}: raw {:?}",
                reading.raw_lines
            );
            assert_eq!(reading.status, ReadingStatus::Valid, "slant {slant}");
        }
    }

    #[test]
    fn synthetic_td1_reads_exactly_when_blurred() {
        let (font, engine) = (ocrb(), engine());
        let page = render_page(&font, &TD1, 18.0);
        for sigma in [0.6f32, 1.2, 1.8] {
            let blurred = imageproc::filter::gaussian_blur_f32(&page, sigma);
            let reading = read_mrz(&rotated(&blurred, -6.0), &engine).expect("MRZ found");
            assert_eq!(
                reading.lines, TD1,
                "blur {sigma}: raw {:?}",
                reading.raw_lines
            );
        }
    }

    #[test]
    fn a_card_edge_touching_the_lines_and_grey_background_print_do_not_shift_the_cells() {
        let (font, engine) = (ocrb(), engine());
        use ab_glyph::{Font, ScaleFont};
        let digit_height = 20.0f32;
        let pitch = font
            .as_scaled(ab_glyph::PxScale::from(digit_height / 0.77))
            .h_advance(font.glyph_id('A'));
        let mut page = render_page(&font, &TD1, digit_height);
        let (w, h) = page.dimensions();
        // Wavy background lines, lighter than the ink, under and between the lines.
        for x in 0..w {
            for k in 0..12 {
                let y =
                    (k as f32 * h as f32 / 12.0 + 6.0 * (x as f32 / 17.0 + k as f32).sin()) as u32;
                if y < h {
                    let p = page.get_pixel_mut(x, y);
                    p.0[0] = p.0[0].min(165);
                }
            }
        }
        // A dark vertical edge a third of a pitch left of the first characters.
        let edge = (4.0 * pitch - 0.35 * pitch) as u32;
        for y in h / 3..h {
            for x in edge..edge + 2 {
                page.put_pixel(x, y, image::Luma([25]));
            }
        }
        let reading = read_mrz(&rotated(&page, 4.0), &engine).expect("MRZ found");
        assert_eq!(reading.lines, TD1, "raw {:?}", reading.raw_lines);
    }

    #[test]
    fn character_boxes_lie_inside_the_image_and_json_has_the_contract_keys() {
        let (font, engine) = (ocrb(), engine());
        let page = render_page(&font, &TD3, 20.0);
        let image = DynamicImage::ImageLuma8(page);
        let reading = read_mrz(&image, &engine).expect("MRZ found");
        for c in reading.characters.iter().flatten() {
            assert!(c.bounds.x >= -2.0 && c.bounds.y >= -2.0);
            assert!(c.bounds.x + c.bounds.w <= image.width() as f32 + 2.0);
            assert!(c.bounds.y + c.bounds.h <= image.height() as f32 + 2.0);
        }
        let json = reading_json(&reading);
        for key in ["lines", "confidence", "corrections", "ms", "status"] {
            assert!(json.get(key).is_some(), "missing {key}");
        }
    }

    #[test]
    fn blank_tiny_and_huge_images_are_errors() {
        let engine = engine();
        let blank =
            DynamicImage::ImageLuma8(image::GrayImage::from_pixel(800, 600, image::Luma([255])));
        assert!(matches!(
            read_mrz(&blank, &engine),
            Err(OcrError::NoMrzFound { .. })
        ));
        let tiny = DynamicImage::ImageLuma8(image::GrayImage::new(5, 5));
        assert!(matches!(
            read_mrz(&tiny, &engine),
            Err(OcrError::ImageTooSmall { .. })
        ));
        let huge = DynamicImage::ImageLuma8(image::GrayImage::new(12_000, 8_001));
        assert!(matches!(
            read_mrz(&huge, &engine),
            Err(OcrError::ImageTooLarge { .. })
        ));
    }

    #[test]
    fn the_line_recognizer_reads_a_synthetic_td3_and_both_readers_agree() {
        let (font, engine) = (ocrb(), engine());
        assert!(
            engine.line_recognizer().is_some(),
            "models/ocr/mrz_lines.onnx is the project's own"
        );
        let page = render_page(&font, &TD3, 22.0);
        for degrees in [0.0f32, 8.0, 180.0] {
            let image = rotated(&page, degrees);
            let lines = read_mrz_with(&image, &engine, Reader::Lines, None).expect("MRZ found");
            assert_eq!(lines.lines, TD3, "line reader at {degrees}°");
            let both = read_mrz_with(&image, &engine, Reader::Combined, None).expect("MRZ found");
            assert_eq!(both.lines, TD3, "both readers at {degrees}°");
            assert_eq!(
                both.status,
                ReadingStatus::Valid,
                "both readers at {degrees}°"
            );
        }
    }

    /// ICAO 9303 Part 7's MRV-A specimen (issuer UTO): 2 x 44 characters.
    const MRV_A: [&str; 2] = [
        "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
        "L8988901C4UTO4009078F96121096ZE184226B<<<<<<",
    ];
    /// The MRV-B specimen of the same holder: 2 x 36 characters.
    const MRV_B: [&str; 2] = [
        "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
        "L8988901C4UTO4009078F9612109<<<<<<<<",
    ];

    /// An MRV-A visa whose optional data is empty, as the fixture visas'.
    const MRV_A_BLANK: [&str; 2] = [
        "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
        "L8988901C4UTO4009078F9612109<<<<<<<<<<<<<<<<",
    ];

    #[test]
    fn an_mrv_a_visa_with_glare_over_its_lines_is_never_read_as_a_valid_mrv_b() {
        use ab_glyph::{Font, ScaleFont};
        let (font, engine) = (ocrb(), engine());
        let valid = |format, lines: &[&str]| {
            tdverify_mrz::parse_lines(format, lines.iter().map(|l| l.to_string()).collect())
                .is_valid()
        };
        // The danger: the visa's first 36 characters a line make a valid MRV-B.
        let left: Vec<&str> = MRV_A_BLANK.iter().map(|l| &l[..36]).collect();
        assert!(valid(tdverify_mrz::MrzFormat::MrvA, &MRV_A_BLANK));
        assert!(valid(tdverify_mrz::MrzFormat::MrvB, &left));
        assert!(valid(tdverify_mrz::MrzFormat::MrvB, &MRV_B));
        let digit_height = 20.0f32;
        let pitch = font
            .as_scaled(ab_glyph::PxScale::from(digit_height / 0.77))
            .h_advance(font.glyph_id('A'));
        let page = render_page(&font, &MRV_A_BLANK, digit_height);
        // Glare washes out five characters of both lines near their end
        // (render_page starts the lines 4 pitches in): the locator's lines
        // stop there, and the few fillers past it are too short a piece to
        // be a line.
        for first in [32usize, 33] {
            let mut glared = page.clone();
            let (x0, x1) = (
                (4.0 + first as f32) * pitch,
                (4.0 + first as f32 + 5.0) * pitch,
            );
            let height = glared.height();
            for y in height / 2..height {
                for x in x0 as u32..x1 as u32 {
                    glared.put_pixel(x, y, image::Luma([252]));
                }
            }
            for degrees in [0.0f32, 6.0] {
                let image = rotated(&glared, degrees);
                for reader in Reader::ALL {
                    let reading = read_mrz_with(&image, &engine, reader, None).expect("MRZ read");
                    let accepted = matches!(
                        reading.status,
                        ReadingStatus::Valid | ReadingStatus::Invalid
                    );
                    assert!(
                        reading.lines == MRV_A_BLANK || !accepted,
                        "{} reader, glare from {first}, {degrees}°: {:?} accepted as {:?}",
                        reader.label(),
                        reading.lines,
                        reading.status
                    );
                    assert!(
                        reading.lines.iter().all(|l| l.len() == 44),
                        "{} reader, glare from {first}, {degrees}°: cut {:?}",
                        reader.label(),
                        reading.lines
                    );
                }
            }
        }
    }

    #[test]
    fn a_cut_short_of_its_print_is_told_from_a_whole_mrv_b() {
        let font = ocrb();
        // The visa's lines cut at 36: print goes on past the cut's right end.
        let visa = render_page(&font, &MRV_A, 20.0);
        let located = locate(&visa).expect("MRZ found");
        let rect = rectify(&visa, &located, false).expect("strip");
        let mut lines = cut_lines(&rect, Some(44)).expect("cut");
        assert_eq!(
            print_past_the_cut(&visa, &rect, &lines),
            None,
            "44 is the longest layout"
        );
        for line in &mut lines {
            line.centres.truncate(36);
        }
        assert_eq!(print_past_the_cut(&visa, &rect, &lines), Some(End::Right));
        // Glare washing out the first five cells past the cut: still print.
        let mut glared = visa.clone();
        let from = rect
            .to_source
            .apply(Point::new(lines[0].centres[35] + 0.5 * lines[0].pitch, 0.0))
            .x;
        let to = rect
            .to_source
            .apply(Point::new(lines[0].centres[35] + 5.5 * lines[0].pitch, 0.0))
            .x;
        for y in 0..glared.height() {
            for x in from as u32..to as u32 {
                glared.put_pixel(x, y, image::Luma([250]));
            }
        }
        assert_eq!(print_past_the_cut(&glared, &rect, &lines), Some(End::Right));
        let (extended, recut) = recut_extended(&glared, &rect, &lines, End::Right).expect("recut");
        assert!(recut.iter().all(|l| l.centres.len() == 44));
        assert!(extended.image.width() > rect.image.width());
        // A whole MRV-B: nothing past its ends, though a card edge and a dark
        // table lie just past the right one.
        let mut card = render_page(&font, &MRV_B, 20.0);
        let located = locate(&card).expect("MRZ found");
        let rect = rectify(&card, &located, false).expect("strip");
        let lines = cut_lines(&rect, Some(36)).expect("cut");
        assert_eq!(print_past_the_cut(&card, &rect, &lines), None);
        let reading =
            read_mrz(&DynamicImage::ImageLuma8(card.clone()), &engine()).expect("MRZ read");
        assert_eq!(reading.lines, MRV_B, "raw {:?}", reading.raw_lines);
        assert_eq!(reading.status, ReadingStatus::Valid);
        let last = lines[0].centres[35];
        let edge = rect
            .to_source
            .apply(Point::new(last + 1.2 * lines[0].pitch, 0.0))
            .x as u32;
        let (w, h) = card.dimensions();
        for y in 0..h {
            for x in edge.min(w)..w {
                card.put_pixel(x, y, image::Luma([if x < edge + 2 { 15 } else { 60 }]));
            }
        }
        assert_eq!(
            print_past_the_cut(&card, &rect, &lines),
            None,
            "an edge or a table is not print"
        );
    }

    /// Per line, per position: probability `p` on the character of `lines`, the rest spread.
    fn opinions(lines: &[&str], p: f32) -> Vec<Vec<Vec<f32>>> {
        lines
            .iter()
            .map(|line| {
                line.chars()
                    .map(|c| {
                        let index = crate::classify::CHARSET
                            .chars()
                            .position(|k| k == c)
                            .expect("MRZ character");
                        let mut v = vec![(1.0 - p) / 36.0; 37];
                        v[index] = p;
                        v
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn a_disagreement_no_check_digit_covers_is_unsettled() {
        let decoded = crate::decode::Decoded {
            lines: TD3.iter().map(|l| l.to_string()).collect(),
            corrections: Vec::new(),
            status: ReadingStatus::Valid,
            format: Some(tdverify_mrz::MrzFormat::Td3),
        };
        let cells = opinions(&TD3, 0.95);
        assert!(!unsettled_disagreement(&cells, &cells, &decoded));
        // A name letter (no check digit): even a weak first choice of the cells counts.
        let mut name = TD3;
        name[0] = "P<UTOFRIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<";
        assert!(unsettled_disagreement(
            &opinions(&name, 0.4),
            &cells,
            &decoded
        ));
        // The document number is covered by its check digit.
        let mut number = TD3;
        number[1] = "L898902D36UTO7408122F1204159ZE184226B<<<<<10";
        assert!(!unsettled_disagreement(
            &opinions(&number, 0.95),
            &cells,
            &decoded
        ));
        // Two 0/O swaps at weights 7 and 3 leave the document number's check
        // digit and the composite unchanged: the check digits cannot settle them.
        assert!(!another_valid_reading(&cells, &cells, &decoded));
        let mut swapped = TD3;
        swapped[1] = "L898902C46UTO7408122F1204159ZE184226B<<<<<10";
        assert!(
            !another_valid_reading(&opinions(&swapped, 0.95), &cells, &decoded),
            "4 for 3 breaks the check digit"
        );
        let td1 = [
            "IDUTOBT19050221<<<<<<<<<<<<<<<",
            "7408122F1204159UTO<<<<<<<<<<<8",
            "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
        ];
        let td1_decoded = crate::decode::Decoded {
            lines: td1.iter().map(|l| l.to_string()).collect(),
            corrections: Vec::new(),
            status: ReadingStatus::Valid,
            format: Some(tdverify_mrz::MrzFormat::Td1),
        };
        assert!(
            tdverify_mrz::parse_lines(tdverify_mrz::MrzFormat::Td1, td1_decoded.lines.clone())
                .is_valid(),
            "test MRZ"
        );
        let mut misread = td1;
        misread[0] = "IDUTOBT19O5O221<<<<<<<<<<<<<<<";
        assert!(another_valid_reading(
            &opinions(&misread, 0.99),
            &opinions(&td1, 0.99),
            &td1_decoded
        ));
        // Agreement raises confidence: the product is surer than either reader.
        let fused = product_of_opinions(&opinions(&TD3, 0.8), &opinions(&TD3, 0.7));
        assert!(
            fused[0][0][crate::classify::CHARSET
                .chars()
                .position(|k| k == 'P')
                .expect("P")]
                > 0.95
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn random_images_never_panic(width in 1u32..300, height in 1u32..300, seed in any::<u32>(), stripes in any::<bool>()) {
            let mut state = seed | 1;
            let image = image::GrayImage::from_fn(width, height, |x, y| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                let noise = (state >> 24) as u8;
                image::Luma([if stripes && (y / 7) % 3 == 0 && (x / 5) % 2 == 0 { noise / 4 } else { noise }])
            });
            let _ = locate(&image);
            let _ = read_mrz(&DynamicImage::ImageLuma8(image), ENGINE.get_or_init(engine));
        }
    }

    static ENGINE: std::sync::OnceLock<OcrEngine> = std::sync::OnceLock::new();
}
