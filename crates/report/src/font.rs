//! The report's font: a TrueType file read at run time and embedded whole (CID-keyed,
//! Identity-H, so every glyph of the font can be shown and copied as text).

use std::path::{Path, PathBuf};

use crate::ReportError;

/// Where the font is looked for, first found wins (Debian fonts-dejavu-core, then others).
pub const DEFAULT_FONT_PATHS: [&str; 3] = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
];

/// A parsed TrueType font ready to measure and embed.
#[derive(Debug, Clone)]
pub struct ReportFont {
    pub(crate) data: Vec<u8>,
    /// Advance width of every glyph, in 1/1000 of the font size (PDF glyph space).
    pub(crate) advances: Vec<f32>,
    pub(crate) ascent: f32,
    pub(crate) descent: f32,
    pub(crate) cap_height: f32,
    pub(crate) bbox: [f32; 4],
    pub(crate) path: PathBuf,
}

impl ReportFont {
    /// The first font of [`DEFAULT_FONT_PATHS`] that exists.
    pub fn system() -> Result<ReportFont, ReportError> {
        match DEFAULT_FONT_PATHS
            .iter()
            .map(Path::new)
            .find(|p| p.is_file())
        {
            Some(path) => ReportFont::load(path),
            None => Err(ReportError::FontMissing {
                tried: DEFAULT_FONT_PATHS.join(", "),
            }),
        }
    }

    /// Reads and checks a TrueType font file.
    pub fn load(path: &Path) -> Result<ReportFont, ReportError> {
        let data = std::fs::read(path).map_err(|source| ReportError::FontRead {
            path: path.to_path_buf(),
            source,
        })?;
        ReportFont::from_bytes(data, path)
    }

    /// Parses font bytes (`path` only names them in errors).
    pub fn from_bytes(data: Vec<u8>, path: &Path) -> Result<ReportFont, ReportError> {
        let parse_error = |reason: String| ReportError::FontParse {
            path: path.to_path_buf(),
            reason,
        };
        let face = ttf_parser::Face::parse(&data, 0).map_err(|e| parse_error(e.to_string()))?;
        if face.tables().glyf.is_none() {
            return Err(parse_error("no TrueType outlines (glyf table)".into()));
        }
        let units_per_em = f32::from(face.units_per_em());
        let scale = 1000.0 / units_per_em;
        let advances = (0..face.number_of_glyphs())
            .map(|gid| {
                f32::from(
                    face.glyph_hor_advance(ttf_parser::GlyphId(gid))
                        .unwrap_or(0),
                ) * scale
            })
            .collect();
        let bbox = face.global_bounding_box();
        let font = ReportFont {
            advances,
            ascent: f32::from(face.ascender()) * scale,
            descent: f32::from(face.descender()) * scale,
            cap_height: f32::from(face.capital_height().unwrap_or(face.ascender())) * scale,
            bbox: [
                f32::from(bbox.x_min) * scale,
                f32::from(bbox.y_min) * scale,
                f32::from(bbox.x_max) * scale,
                f32::from(bbox.y_max) * scale,
            ],
            path: path.to_path_buf(),
            data: Vec::new(),
        };
        Ok(ReportFont { data, ..font })
    }

    /// The file the font was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Glyph id of a character (0, the "missing" box, when the font lacks it).
    pub(crate) fn glyph(&self, character: char) -> u16 {
        ttf_parser::Face::parse(&self.data, 0)
            .ok()
            .and_then(|face| face.glyph_index(character))
            .map(|g| g.0)
            .unwrap_or(0)
    }

    /// Width of `text` at `size` points.
    pub fn text_width(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .map(|c| {
                self.advances
                    .get(usize::from(self.glyph(c)))
                    .copied()
                    .unwrap_or(0.0)
            })
            .sum::<f32>()
            * size
            / 1000.0
    }
}
