//! The line recognizer: a small CNN + BiLSTM trained with CTC
//! (models/ocr/mrz_lines.onnx, `models/scripts/ocr/train_mrz_lines.py`) that
//! reads a whole rectified line at once, so a character is judged with its
//! neighbours in view and no cut between characters has to be right.
//!
//! Its answer is decoded under the layout's constraints: exactly the line's
//! length (runs of `<` never collapse, since each position is its own state)
//! and only the characters the layouts allow at each position. The result is
//! per-position probabilities, handed to the same grammar and check-digit
//! decoder as the cell reader's ([`crate::decode`]).

use std::path::Path;
use std::sync::Mutex;

use image::GrayImage;
use ort::session::Session;
use ort::value::Tensor;

use crate::classify::CHARSET;
use crate::error::OcrError;
use crate::geometry::sample_bilinear;
use crate::segment::LineCells;

/// Path of the model inside the models folder.
pub const LINE_MODEL_FILE: &str = "ocr/mrz_lines.onnx";
/// Rows of a strip (the model's input height).
pub const STRIP_HEIGHT: usize = 32;
/// Columns per character pitch.
pub const PX_PER_PITCH: f32 = 12.0;
/// Pitches of margin before the first and after the last cell centre (the
/// locator's extent may be off by a cell; CTC needs no exact ends).
pub const MARGIN_PITCHES: f32 = 2.0;
/// Digit heights the strip's rows span, centred on the line.
pub const STRIP_HEIGHT_HEIGHTS: f32 = 1.6;
/// Index of the CTC blank in the model's output (after the 37 characters).
const BLANK: usize = 37;
/// Classes per frame: the 37 MRZ characters and the blank.
const FRAME_CLASSES: usize = 38;
/// Floor on a probability before its logarithm (a zero must not veto a path).
const FLOOR: f32 = 1e-6;
/// Most threads the recognizer runs on (as the classifier).
const LINE_THREADS: usize = 2;

/// One line cut for the recognizer: `STRIP_HEIGHT` rows of `width` values.
#[derive(Debug, Clone, PartialEq)]
pub struct LineStrip {
    /// Row-major values, 0 ink .. 1 paper (clipped at 1.5).
    pub values: Vec<f32>,
    /// Columns.
    pub width: usize,
}

/// Columns of the strip of a line of `characters` cells.
pub fn strip_width(characters: usize) -> usize {
    ((characters.saturating_sub(1) as f32 + 2.0 * MARGIN_PITCHES) * PX_PER_PITCH).round() as usize
}

/// Cuts the strip of one line from the upright MRZ `image`, along the cells
/// the segmenter laid (their first and last centre set the pitch), with the
/// same slant and ink/paper levels as the classifier's windows. `None` for a
/// line of fewer than two cells.
pub fn cut_line_strip(image: &GrayImage, line: &LineCells) -> Option<LineStrip> {
    let (&first, &last) = (line.centres.first()?, line.centres.last()?);
    let count = line.centres.len();
    if count < 2 || !first.is_finite() || !last.is_finite() || last <= first || line.height <= 0.0 {
        return None;
    }
    let pitch = (last - first) / (count - 1) as f32;
    let width = strip_width(count);
    let range = (line.white - line.black).max(1.0);
    let mut values = Vec::with_capacity(width * STRIP_HEIGHT);
    for row in 0..STRIP_HEIGHT {
        let v = ((row as f32 + 0.5) / STRIP_HEIGHT as f32 - 0.5) * STRIP_HEIGHT_HEIGHTS;
        let y = line.centre_y + v * line.height;
        for column in 0..width {
            let u = (column as f32 + 0.5) / PX_PER_PITCH - MARGIN_PITCHES;
            let x = first + u * pitch + line.slant * (y - line.centre_y);
            let value = sample_bilinear(image, x, y, line.white);
            values.push(((value - line.black) / range).clamp(0.0, 1.5));
        }
    }
    Some(LineStrip { values, width })
}

/// The loaded line model; [`crate::OcrEngine`] holds one when the model file is there.
pub struct LineRecognizer {
    session: Mutex<Session>,
}

impl std::fmt::Debug for LineRecognizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LineRecognizer").finish_non_exhaustive()
    }
}

impl LineRecognizer {
    /// Loads `models_dir/ocr/mrz_lines.onnx` into `environment` (the one the
    /// cell classifier runs in); `Ok(None)` when the file is not there.
    pub fn load_beside(
        runtime: &tdverify_runtime::OnnxRuntime,
        models_dir: &Path,
    ) -> Result<Option<LineRecognizer>, OcrError> {
        let path = models_dir.join(LINE_MODEL_FILE);
        if !path.is_file() {
            return Ok(None);
        }
        let failed = |reason: String| OcrError::Inference {
            model: LINE_MODEL_FILE.to_string(),
            reason,
        };
        let session = runtime
            .session(&path, LINE_THREADS)
            .map_err(|e| failed(e.to_string()))?;
        Ok(Some(LineRecognizer {
            session: Mutex::new(session),
        }))
    }

    /// Per strip, per frame, the probabilities of the 37 characters and the
    /// blank. Strips of equal width run as one batch.
    pub fn frames(&self, strips: &[LineStrip]) -> Result<Vec<Vec<Vec<f32>>>, OcrError> {
        let failed = |reason: String| OcrError::Inference {
            model: LINE_MODEL_FILE.to_string(),
            reason,
        };
        let mut out: Vec<Option<Vec<Vec<f32>>>> = vec![None; strips.len()];
        let mut widths: Vec<usize> = strips.iter().map(|s| s.width).collect();
        widths.sort_unstable();
        widths.dedup();
        for width in widths {
            let members: Vec<usize> = (0..strips.len())
                .filter(|&i| strips[i].width == width)
                .collect();
            let mut input = Vec::with_capacity(members.len() * width * STRIP_HEIGHT);
            for &i in &members {
                if strips[i].values.len() != width * STRIP_HEIGHT {
                    return Err(failed(format!(
                        "strip of {} values for width {width}",
                        strips[i].values.len()
                    )));
                }
                input.extend_from_slice(&strips[i].values);
            }
            let tensor = Tensor::from_array(([members.len(), 1usize, STRIP_HEIGHT, width], input))
                .map_err(|e| failed(e.to_string()))?;
            let mut session = self
                .session
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let outputs = session
                .run(ort::inputs![tensor])
                .map_err(|e| failed(e.to_string()))?;
            if outputs.len() == 0 {
                return Err(failed("no output".to_string()));
            }
            let (shape, values) = outputs[0]
                .try_extract_tensor::<f32>()
                .map_err(|e| failed(e.to_string()))?;
            if shape.len() != 3
                || shape[0] as usize != members.len()
                || shape[2] as usize != FRAME_CLASSES
            {
                return Err(failed(format!("unexpected output shape {shape:?}")));
            }
            let frames = shape[1] as usize;
            for (k, &i) in members.iter().enumerate() {
                let chunk = values
                    .get(k * frames * FRAME_CLASSES..(k + 1) * frames * FRAME_CLASSES)
                    .unwrap_or_default();
                out[i] = Some(chunk.chunks(FRAME_CLASSES).map(<[f32]>::to_vec).collect());
            }
        }
        Ok(out.into_iter().map(Option::unwrap_or_default).collect())
    }
}

/// Decodes one line's frames into exactly `allowed.len()` characters, each
/// drawn from its position's allowed set (`allowed[p][class]`), by the most
/// probable CTC path of that length (a Viterbi search over the CTC states of
/// an unknown label sequence of known length: blank, position 0, blank,
/// position 1, …). Each position's frames on that path give its probabilities
/// (their non-blank mass, restricted to the allowed characters and
/// normalised). `None` when there are too few frames for the length.
pub fn decode_constrained(frames: &[Vec<f32>], allowed: &[[bool; 37]]) -> Option<Vec<Vec<f32>>> {
    let length = allowed.len();
    let t_count = frames.len();
    if length == 0 || t_count < length || frames.iter().any(|f| f.len() != FRAME_CLASSES) {
        return None;
    }
    // Best allowed character per frame and position, and its log-probability.
    let best_at = |t: usize, p: usize| -> (usize, f32) {
        let mut best = (0usize, f32::MIN);
        for (class, &ok) in allowed[p].iter().enumerate() {
            if ok && frames[t][class] > best.1 {
                best = (class, frames[t][class]);
            }
        }
        (best.0, best.1.max(FLOOR).ln())
    };
    let blank = |t: usize| frames[t][BLANK].max(FLOOR).ln();
    let states = 2 * length + 1;
    let mut score = vec![f32::NEG_INFINITY; states];
    let mut back = vec![vec![0u8; states]; t_count];
    let mut label = vec![vec![0usize; states]; t_count];
    score[0] = blank(0);
    let (c, s) = best_at(0, 0);
    score[1] = s;
    label[0][1] = c;
    for t in 1..t_count {
        let mut next = vec![f32::NEG_INFINITY; states];
        for state in 0..states {
            let emission = if state % 2 == 0 {
                blank(t)
            } else {
                let (c, s) = best_at(t, state / 2);
                label[t][state] = c;
                s
            };
            // Stay, come from the previous state, or (a character) skip the
            // blank from the previous character when the two differ.
            let mut best = (score[state], 0u8);
            if state >= 1 && score[state - 1] > best.0 {
                best = (score[state - 1], 1);
            }
            if state % 2 == 1
                && state >= 3
                && label[t - 1][state - 2] != label[t][state]
                && score[state - 2] > best.0
            {
                best = (score[state - 2], 2);
            }
            if best.0 > f32::NEG_INFINITY {
                next[state] = best.0 + emission;
                back[t][state] = best.1;
            }
        }
        score = next;
    }
    // End on the last character or the blank after it.
    let mut state = if score[states - 1] >= score[states - 2] {
        states - 1
    } else {
        states - 2
    };
    if !score[state].is_finite() {
        return None;
    }
    let mut owner = vec![usize::MAX; t_count];
    for t in (0..t_count).rev() {
        if state % 2 == 1 {
            owner[t] = state / 2;
        }
        if t > 0 {
            state -= back[t][state] as usize;
        }
    }
    let mut sums = vec![[0f32; 37]; length];
    let mut weights = vec![0f32; length];
    for (t, &p) in owner.iter().enumerate() {
        if p == usize::MAX {
            continue;
        }
        let mass = 1.0 - frames[t][BLANK];
        for class in 0..37 {
            sums[p][class] += frames[t][class];
        }
        weights[p] += mass;
    }
    let mut out = Vec::with_capacity(length);
    for p in 0..length {
        let mut distribution: Vec<f32> = (0..37)
            .map(|class| {
                if allowed[p][class] {
                    sums[p][class]
                } else {
                    0.0
                }
            })
            .collect();
        let total: f32 = distribution.iter().sum();
        if total <= 0.0 || weights[p] <= 0.0 {
            return None;
        }
        distribution.iter_mut().for_each(|v| *v /= total);
        out.push(distribution);
    }
    debug_assert_eq!(CHARSET.chars().count(), 37);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Frames spelling `text` with CTC spikes (one frame per character,
    /// a blank between), `probability` on the spike's character.
    fn spiky(text: &str, probability: f32) -> Vec<Vec<f32>> {
        let mut frames = Vec::new();
        let blank_frame = {
            let mut f = vec![0.0f32; FRAME_CLASSES];
            f[BLANK] = 1.0;
            f
        };
        frames.push(blank_frame.clone());
        for c in text.chars() {
            let index = CHARSET.chars().position(|k| k == c).expect("MRZ character");
            let mut f = vec![(1.0 - probability) / 37.0; FRAME_CLASSES];
            f[index] += probability;
            frames.push(f);
            frames.push(blank_frame.clone());
        }
        frames
    }

    #[test]
    fn runs_of_fillers_keep_their_length() {
        let text = "AB<<<<<<C";
        let frames = spiky(text, 0.99);
        let allowed = vec![[true; 37]; text.len()];
        let decoded = decode_constrained(&frames, &allowed).expect("decoded");
        let read: String = decoded
            .iter()
            .map(|p| {
                CHARSET
                    .chars()
                    .nth(
                        p.iter()
                            .enumerate()
                            .max_by(|a, b| a.1.total_cmp(b.1))
                            .map_or(0, |m| m.0),
                    )
                    .unwrap_or('?')
            })
            .collect();
        assert_eq!(read, text);
    }

    #[test]
    fn a_disallowed_character_gives_way_to_the_best_allowed_one() {
        // 'O' read where only digits are allowed: the digit closest in the
        // frames ('0', given some mass) is chosen.
        let mut frames = spiky("1O2", 0.8);
        let zero = CHARSET.chars().position(|c| c == '0').expect("0");
        frames[3][zero] += 0.15;
        let digits: [bool; 37] = std::array::from_fn(|i| (1..=10).contains(&i));
        let decoded = decode_constrained(&frames, &[digits; 3]).expect("decoded");
        let best = decoded[1]
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|m| m.0);
        assert_eq!(best, Some(zero));
        assert!(
            decoded
                .iter()
                .all(|p| p.iter().enumerate().all(|(i, &v)| digits[i] || v == 0.0))
        );
    }

    #[test]
    fn too_few_frames_or_malformed_frames_give_none() {
        let frames = spiky("AB", 0.9);
        assert!(decode_constrained(&frames, &vec![[true; 37]; frames.len() + 1]).is_none());
        assert!(decode_constrained(&[vec![0.5; 3]], &[[true; 37]]).is_none());
        assert!(decode_constrained(&[], &[[true; 37]]).is_none());
    }

    #[test]
    fn a_strip_has_its_contract_size_and_range() {
        let image = GrayImage::from_fn(400, 60, |x, _| {
            image::Luma([if x % 20 < 4 { 20 } else { 230 }])
        });
        let line = LineCells {
            centres: (0..10).map(|i| 60.0 + 28.0 * i as f32).collect(),
            centre_y: 30.0,
            height: 30.0,
            pitch: 28.0,
            black: 20.0,
            white: 230.0,
            ink_outside: 0.0,
            period_gap: 0.0,
            slant: 0.1,
            alternatives: Vec::new(),
        };
        let strip = cut_line_strip(&image, &line).expect("strip");
        assert_eq!(strip.width, strip_width(10));
        assert_eq!(strip.values.len(), strip.width * STRIP_HEIGHT);
        assert!(strip.values.iter().all(|v| (0.0..=1.5).contains(v)));
        assert!(strip.values.iter().any(|&v| v < 0.1) && strip.values.iter().any(|&v| v > 0.9));
        let single = LineCells {
            centres: vec![60.0],
            ..line
        };
        assert!(cut_line_strip(&image, &single).is_none());
    }
}
