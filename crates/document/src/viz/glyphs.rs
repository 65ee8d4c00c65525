//! Glyph prototypes and the nearest-prototype classifier for VIZ text.
//!
//! The VIZ is printed in whatever typeface the issuer chose (sans, serif,
//! sometimes OCR-B), unlike the MRZ which is always OCR-B. The OCR-B network
//! of `tdverify-ocr` is trained for the MRZ font only, so the VIZ reader
//! matches each glyph's shape against capitals and digits rendered from
//! several common typefaces instead: a handful of prototypes per character
//! covers sans, serif and monospaced print without any training data, and the
//! per-character scores let the checks ask "does this glyph look like the
//! character the MRZ says?" rather than trusting a single best guess.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ab_glyph::{Font, FontArc, PxScale};

/// The characters the reader knows: the MRZ alphabet without the filler.
pub const ALPHABET: &[u8; 36] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// Side of the normalised glyph grid, in cells.
const GRID: usize = 24;

/// Weight of the aspect-ratio difference in a score (narrow `I` against wide `M`).
const ASPECT_WEIGHT: f32 = 0.25;

/// Typefaces the prototypes are rendered from, where Debian installs them
/// (`fonts-dejavu-core`, `fonts-ocr-b`, both installed by `cargo xtask setup`,
/// so every machine reads with the same prototypes): sans, serif, bold and
/// regular, so that the reader holds for the usual VIZ print. Missing files are
/// skipped; the reader needs at least one.
pub const FONT_FILES: &[&str] = &[
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf",
    "/usr/share/fonts/opentype/ocr-b/OCRB.otf",
];

/// Why the glyph prototypes could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GlyphError {
    /// None of the typeface files could be read.
    #[error(
        "no typeface for the VIZ reader could be loaded (tried {tried}); install fonts-dejavu-core (cargo xtask setup does)"
    )]
    NoFont {
        /// The files tried, with why each failed.
        tried: String,
    },
}

/// A glyph's shape normalised for comparison: ink coverage on a fixed grid
/// (aspect ratio kept, centred), zero mean and unit length, plus its aspect.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    cells: Vec<f32>,
    /// Width over height of the glyph's ink box.
    pub aspect: f32,
}

impl Shape {
    /// Normalises a coverage bitmap (`width` × `height`, values 0 to 1, row
    /// major). `None` when it holds no ink or the size does not match.
    pub fn from_coverage(coverage: &[f32], width: usize, height: usize) -> Option<Shape> {
        if width == 0 || height == 0 || coverage.len() != width * height {
            return None;
        }
        let inked = |x: usize, y: usize| coverage[y * width + x] > 0.2;
        let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
        for y in 0..height {
            for x in 0..width {
                if inked(x, y) {
                    x0 = x0.min(x);
                    y0 = y0.min(y);
                    x1 = x1.max(x + 1);
                    y1 = y1.max(y + 1);
                }
            }
        }
        if x0 >= x1 || y0 >= y1 {
            return None;
        }
        let (w, h) = ((x1 - x0) as f32, (y1 - y0) as f32);
        let scale = (GRID as f32 / h).min(GRID as f32 / w);
        let (off_x, off_y) = (
            (GRID as f32 - w * scale) / 2.0,
            (GRID as f32 - h * scale) / 2.0,
        );
        let mut cells = vec![0f32; GRID * GRID];
        const SUB: usize = 3;
        for gy in 0..GRID {
            for gx in 0..GRID {
                let mut sum = 0.0;
                for sy in 0..SUB {
                    for sx in 0..SUB {
                        let u = (gx as f32 + (sx as f32 + 0.5) / SUB as f32 - off_x) / scale;
                        let v = (gy as f32 + (sy as f32 + 0.5) / SUB as f32 - off_y) / scale;
                        if u < 0.0 || v < 0.0 || u >= w || v >= h {
                            continue;
                        }
                        let (x, y) = (x0 + u as usize, y0 + v as usize);
                        sum += coverage[y.min(height - 1) * width + x.min(width - 1)];
                    }
                }
                cells[gy * GRID + gx] = sum / (SUB * SUB) as f32;
            }
        }
        let mean = cells.iter().sum::<f32>() / cells.len() as f32;
        cells.iter_mut().for_each(|c| *c -= mean);
        let norm = cells.iter().map(|c| c * c).sum::<f32>().sqrt();
        if norm < 1e-6 {
            return None;
        }
        cells.iter_mut().for_each(|c| *c /= norm);
        Some(Shape {
            cells,
            aspect: w / h,
        })
    }

    /// Similarity with another shape: correlation of the grids (−1 to 1) less
    /// a penalty for a different aspect ratio.
    pub fn similarity(&self, other: &Shape) -> f32 {
        let correlation: f32 = self
            .cells
            .iter()
            .zip(&other.cells)
            .map(|(a, b)| a * b)
            .sum();
        let aspect = (self.aspect.max(0.05) / other.aspect.max(0.05)).ln().abs();
        correlation - ASPECT_WEIGHT * aspect
    }
}

/// How well a glyph matches each character of [`ALPHABET`], best first available.
#[derive(Debug, Clone, PartialEq)]
pub struct Classified {
    /// The best-matching character.
    pub best: char,
    /// Its score (about 0.9 for a clean glyph of a known typeface).
    pub score: f32,
    /// Score of every character of [`ALPHABET`], in its order.
    pub scores: [f32; 36],
}

impl Classified {
    /// Score of one character (`-1` for characters outside the alphabet).
    pub fn score_of(&self, c: char) -> f32 {
        ALPHABET
            .iter()
            .position(|&a| char::from(a) == c)
            .map(|i| self.scores[i])
            .unwrap_or(-1.0)
    }
}

struct Prototype {
    index: usize,
    shape: Shape,
}

/// Prototypes of every character in every loaded typeface.
pub struct GlyphSet {
    prototypes: Vec<Prototype>,
    /// The typeface files used.
    pub fonts: Vec<PathBuf>,
}

impl std::fmt::Debug for GlyphSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GlyphSet")
            .field("fonts", &self.fonts)
            .field("prototypes", &self.prototypes.len())
            .finish()
    }
}

impl GlyphSet {
    /// The prototypes from [`FONT_FILES`], built once per process (about 300
    /// glyphs rendered) and shared.
    pub fn shared() -> Result<&'static GlyphSet, GlyphError> {
        static SET: OnceLock<Result<GlyphSet, GlyphError>> = OnceLock::new();
        SET.get_or_init(|| {
            let paths: Vec<PathBuf> = FONT_FILES.iter().map(PathBuf::from).collect();
            GlyphSet::from_font_files(&paths)
        })
        .as_ref()
        .map_err(Clone::clone)
    }

    /// Renders prototypes from the given typeface files, skipping those that
    /// cannot be read; fails only when none can.
    pub fn from_font_files(paths: &[PathBuf]) -> Result<GlyphSet, GlyphError> {
        let mut set = GlyphSet {
            prototypes: Vec::new(),
            fonts: Vec::new(),
        };
        let mut problems = Vec::new();
        for path in paths {
            match load_font(path) {
                Ok(font) => {
                    set.add_font(&font);
                    set.fonts.push(path.clone());
                }
                Err(problem) => problems.push(format!("{}: {problem}", path.display())),
            }
        }
        if set.prototypes.is_empty() {
            return Err(GlyphError::NoFont {
                tried: problems.join("; "),
            });
        }
        Ok(set)
    }

    fn add_font(&mut self, font: &FontArc) {
        for (index, &byte) in ALPHABET.iter().enumerate() {
            let glyph = font
                .glyph_id(char::from(byte))
                .with_scale(PxScale::from(64.0));
            let Some(outline) = font.outline_glyph(glyph) else {
                continue;
            };
            let bounds = outline.px_bounds();
            let (w, h) = (
                bounds.width().ceil() as usize + 1,
                bounds.height().ceil() as usize + 1,
            );
            let mut coverage = vec![0f32; w * h];
            outline.draw(|x, y, c| {
                if let Some(cell) = coverage.get_mut(y as usize * w + x as usize) {
                    *cell = c;
                }
            });
            if let Some(shape) = Shape::from_coverage(&coverage, w, h) {
                self.prototypes.push(Prototype { index, shape });
            }
        }
    }

    /// Scores a glyph against every character (best prototype per character).
    pub fn classify(&self, shape: &Shape) -> Classified {
        let mut scores = [-1f32; 36];
        for prototype in &self.prototypes {
            let s = shape.similarity(&prototype.shape);
            if s > scores[prototype.index] {
                scores[prototype.index] = s;
            }
        }
        let (best_index, score) = scores
            .iter()
            .copied()
            .enumerate()
            .fold((0, f32::MIN), |b, (i, s)| if s > b.1 { (i, s) } else { b });
        Classified {
            best: char::from(ALPHABET[best_index]),
            score,
            scores,
        }
    }
}

fn load_font(path: &Path) -> Result<FontArc, String> {
    let bytes = std::fs::read(path).map_err(|error| error.to_string())?;
    FontArc::try_from_vec(bytes).map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_of_nothing_is_none() {
        assert!(Shape::from_coverage(&[0.0; 16], 4, 4).is_none());
        assert!(Shape::from_coverage(&[1.0; 3], 4, 4).is_none());
    }

    #[test]
    fn missing_fonts_are_an_error_naming_them() {
        let error =
            GlyphSet::from_font_files(&[PathBuf::from("/nonexistent/font.ttf")]).unwrap_err();
        assert!(
            error.to_string().contains("/nonexistent/font.ttf"),
            "{error}"
        );
    }

    #[test]
    fn each_prototype_classifies_as_itself() {
        let set = GlyphSet::shared().expect("Debian fonts (fonts-dejavu-core) installed");
        for prototype in &set.prototypes {
            let classified = set.classify(&prototype.shape);
            assert_eq!(classified.best, char::from(ALPHABET[prototype.index]));
        }
    }
}
