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

/// The PDF object of the embedded font, as pages name it in their resources. Objects
/// 4 to 7 hold what is behind it (CID font, descriptor, font file, ToUnicode map); the
/// case report and the trend report both lay their documents out around these ids.
pub(crate) const FONT_ID: pdf_writer::Ref = pdf_writer::Ref::new(3);

/// Writes the embedded font's objects ([`FONT_ID`] and the four after it): a CID-keyed
/// Type0 font (Identity-H) with the widths and the ToUnicode map of the glyphs `used`,
/// so the text can be searched and copied. One copy for both reports.
pub(crate) fn write_font_objects(
    pdf: &mut pdf_writer::Pdf,
    font: &ReportFont,
    used: &std::collections::BTreeMap<u16, char>,
) {
    use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
    use pdf_writer::{Filter, Finish, Name, Rect, Ref, Str};
    let cid_font_id = Ref::new(FONT_ID.get() + 1);
    let descriptor_id = Ref::new(FONT_ID.get() + 2);
    let font_file_id = Ref::new(FONT_ID.get() + 3);
    let cmap_id = Ref::new(FONT_ID.get() + 4);
    let base_font = Name(b"DejaVuSans");
    let system_info = SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 };
    pdf.type0_font(FONT_ID)
        .base_font(base_font)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid_font_id)
        .to_unicode(cmap_id);
    let mut cid_font = pdf.cid_font(cid_font_id);
    cid_font.subtype(CidFontType::Type2);
    cid_font.base_font(base_font);
    cid_font.system_info(system_info);
    cid_font.font_descriptor(descriptor_id);
    cid_font.cid_to_gid_map_predefined(Name(b"Identity"));
    cid_font.default_width(0.0);
    {
        let mut widths = cid_font.widths();
        for glyph in used.keys() {
            widths.consecutive(*glyph, [font.advances.get(usize::from(*glyph)).copied().unwrap_or(0.0)]);
        }
    }
    cid_font.finish();
    pdf.font_descriptor(descriptor_id)
        .name(base_font)
        .flags(FontFlags::NON_SYMBOLIC)
        .bbox(Rect::new(font.bbox[0], font.bbox[1], font.bbox[2], font.bbox[3]))
        .italic_angle(0.0)
        .ascent(font.ascent)
        .descent(font.descent)
        .cap_height(font.cap_height)
        .stem_v(80.0)
        .font_file2(font_file_id);
    let compressed_font = miniz_oxide::deflate::compress_to_vec_zlib(&font.data, 6);
    pdf.stream(font_file_id, &compressed_font).filter(Filter::FlateDecode).pair(Name(b"Length1"), font.data.len() as i32);
    let mut cmap = UnicodeCmap::new(Name(b"Custom"), system_info);
    for (glyph, character) in used {
        cmap.pair(*glyph, *character);
    }
    pdf.stream(cmap_id, &cmap.finish());
}
