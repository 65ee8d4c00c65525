//! One reference-library entry: the `template.toml` of a document model.
//!
//! A template says what a genuine document looks like: its size, where each
//! zone is (in millimetres from the top-left corner of the side), and how each
//! side must appear under white, UV and IR light. Checks compare captures with
//! it; the fixture generator draws documents from it. The file format is
//! described in `reference-library/README.md`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tdverify_core::Rect;

use super::error::ReferenceError;

/// The template format version this loader understands.
pub const TEMPLATE_FORMAT_VERSION: u32 = 1;

/// The MRZ layouts; a template declares a layout family (`td1`, `td2`, `td3`,
/// `mrv_a`, `mrv_b`; the French card is `td2`).
pub use tdverify_mrz::MrzFormat;

/// `mrz_format` as template files and JSON write it: the family's name.
mod family_name {
    use serde::de::Error;
    use serde::{Deserialize, Deserializer, Serializer};

    use super::MrzFormat;

    pub fn serialize<S: Serializer>(format: &MrzFormat, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(format.template_name())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<MrzFormat, D::Error> {
        let name = String::deserialize(deserializer)?;
        MrzFormat::from_template_name(&name).ok_or_else(|| {
            D::Error::custom(format!(
                "unknown MRZ format `{name}`, expected one of `td1`, `td2`, `td3`, `mrv_a`, `mrv_b` (the French card is `td2`)"
            ))
        })
    }
}

/// What kind of document a template describes (for menus, reports and exports).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// Passport book (TD3 data page).
    Passport,
    /// Identity card (TD1 or TD2).
    IdCard,
    /// Residence permit card.
    ResidencePermit,
    /// Visa sticker (MRV-A or MRV-B).
    Visa,
    /// Anything else (travel document for refugees, crew card…).
    Other,
}

/// A rectangle in millimetres from the top-left corner of a document side.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "[f32; 4]", into = "[f32; 4]")]
pub struct RectMm {
    /// Left edge in mm.
    pub x: f32,
    /// Top edge in mm.
    pub y: f32,
    /// Width in mm.
    pub w: f32,
    /// Height in mm.
    pub h: f32,
}

impl RectMm {
    /// The same rectangle in pixels of an image of the side at `dpi`.
    pub fn to_px(&self, dpi: f32) -> Rect {
        let scale = dpi / 25.4;
        Rect::new(
            self.x * scale,
            self.y * scale,
            self.w * scale,
            self.h * scale,
        )
    }

    /// Right edge in mm.
    pub fn right(&self) -> f32 {
        self.x + self.w
    }

    /// Bottom edge in mm.
    pub fn bottom(&self) -> f32 {
        self.y + self.h
    }
}

impl TryFrom<[f32; 4]> for RectMm {
    type Error = String;

    fn try_from([x, y, w, h]: [f32; 4]) -> Result<RectMm, String> {
        if [x, y, w, h].iter().any(|v| !v.is_finite()) {
            return Err("rectangle values must be finite numbers".into());
        }
        if w <= 0.0 || h <= 0.0 {
            return Err(format!(
                "rectangle [{x}, {y}, {w}, {h}] must have a positive width and height"
            ));
        }
        Ok(RectMm { x, y, w, h })
    }
}

impl From<RectMm> for [f32; 4] {
    fn from(rect: RectMm) -> [f32; 4] {
        [rect.x, rect.y, rect.w, rect.h]
    }
}

/// A colour written `#RRGGBB` in template files (UV fluorescence, inks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Colour(pub [u8; 3]);

impl TryFrom<String> for Colour {
    type Error = String;

    fn try_from(text: String) -> Result<Colour, String> {
        let hex = text.strip_prefix('#').unwrap_or(&text);
        let bad = || format!("colour `{text}` is not of the form #RRGGBB");
        if hex.len() != 6 || !hex.is_ascii() {
            return Err(bad());
        }
        let channel = |range: std::ops::Range<usize>| {
            hex.get(range)
                .and_then(|part| u8::from_str_radix(part, 16).ok())
                .ok_or_else(bad)
        };
        Ok(Colour([channel(0..2)?, channel(2..4)?, channel(4..6)?]))
    }
}

impl From<Colour> for String {
    fn from(colour: Colour) -> String {
        let [r, g, b] = colour.0;
        format!("#{r:02X}{g:02X}{b:02X}")
    }
}

/// What a zone holds. Checks pick zones by kind; the generator draws by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ZoneKind {
    /// The holder's primary portrait.
    Photo,
    /// The secondary, faded portrait (ghost image).
    GhostImage,
    /// A copy of the holder's portrait printed in UV-fluorescent ink: faint or
    /// invisible under white light, glowing under UV. Listed in
    /// `uv.fluorescent` with its colour.
    UvPortrait,
    /// A copy of the holder's portrait printed in IR-absorbing ink that blends
    /// into the print under white light and shows under IR. Listed in
    /// `ir.absorbing`.
    IrPortrait,
    /// The holder's signature.
    Signature,
    /// The machine readable zone.
    Mrz,
    /// A visual inspection zone field (label + personal data); see `field`.
    Viz,
    /// Optically variable device (hologram, kinegram): glare under white light.
    Ovd,
    /// A line of microprinted text.
    Microprint,
    /// A pattern printed in UV-fluorescent ink, invisible or faint under white.
    UvPattern,
    /// The area where UV-fluorescent security fibres are scattered.
    UvFibres,
    /// A pattern printed in IR-absorbing ink (visible in IR).
    IrPattern,
    /// The issuer's title or emblem printed on the page.
    Header,
    /// The fine-line guilloche background (usually IR-transparent colour ink).
    Guilloche,
    /// The contact chip or its window.
    Chip,
    /// Where an issuer's stamp or seal is impressed (by hand or machine, so
    /// its exact position varies a little): the zone is the area it lands in.
    Seal,
    /// Any other zone a check or the generator refers to by name.
    Other,
}

/// The personal-data fields a VIZ zone can hold, so checks can compare them
/// with the MRZ and the chip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VizField {
    /// Document type (e.g. `P`).
    DocumentType,
    /// Issuing state code.
    IssuingState,
    /// Document number.
    DocumentNumber,
    /// Primary identifier (surname).
    Surname,
    /// Secondary identifier (given names).
    GivenNames,
    /// Surname in a national script, beside the Latin one.
    SurnameNational,
    /// Given names in a national script.
    GivenNamesNational,
    /// Nationality.
    Nationality,
    /// Date of birth.
    BirthDate,
    /// Sex.
    Sex,
    /// Place of birth.
    PlaceOfBirth,
    /// Date of issue.
    IssueDate,
    /// Date of expiry.
    ExpiryDate,
    /// Issuing authority.
    Authority,
    /// Personal (national identity) number.
    PersonalNumber,
    /// Visa: type or category.
    VisaType,
    /// Visa: number of entries.
    Entries,
    /// Visa: duration of stay.
    DurationOfStay,
}

impl VizField {
    /// Stable snake_case name (ground truth JSON keys use it).
    pub fn as_str(self) -> &'static str {
        match self {
            VizField::DocumentType => "document_type",
            VizField::IssuingState => "issuing_state",
            VizField::DocumentNumber => "document_number",
            VizField::Surname => "surname",
            VizField::GivenNames => "given_names",
            VizField::SurnameNational => "surname_national",
            VizField::GivenNamesNational => "given_names_national",
            VizField::Nationality => "nationality",
            VizField::BirthDate => "birth_date",
            VizField::Sex => "sex",
            VizField::PlaceOfBirth => "place_of_birth",
            VizField::IssueDate => "issue_date",
            VizField::ExpiryDate => "expiry_date",
            VizField::Authority => "authority",
            VizField::PersonalNumber => "personal_number",
            VizField::VisaType => "visa_type",
            VizField::Entries => "entries",
            VizField::DurationOfStay => "duration_of_stay",
        }
    }
}

/// One named region of a document side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Zone {
    /// Unique name within the side; appearance sections refer to zones by it.
    pub name: String,
    /// What the zone holds.
    pub kind: ZoneKind,
    /// Where it is, `[x, y, width, height]` in mm from the side's top-left corner.
    pub rect_mm: RectMm,
    /// For `viz` zones: which personal-data field is printed there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<VizField>,
    /// For `viz` zones: the printed label above the value (e.g. `Surname / Nom`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// For `microprint` and `header` zones: the text printed there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// Typographic layout of the MRZ on the side that carries it (ICAO 9303 part 3/4).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MrzLayout {
    /// Distance between the starts of two characters (ICAO: 2.54 mm, 10 per inch).
    #[serde(default = "default_pitch")]
    pub pitch_mm: f32,
    /// Distance between two line baselines.
    #[serde(default = "default_line_spacing")]
    pub line_spacing_mm: f32,
    /// Height of a capital OCR-B character (ICAO nominal about 2.4 mm).
    #[serde(default = "default_char_height")]
    pub char_height_mm: f32,
}

fn default_pitch() -> f32 {
    2.54
}
fn default_line_spacing() -> f32 {
    4.23
}
fn default_char_height() -> f32 {
    2.4
}

impl Default for MrzLayout {
    fn default() -> MrzLayout {
        MrzLayout {
            pitch_mm: default_pitch(),
            line_spacing_mm: default_line_spacing(),
            char_height_mm: default_char_height(),
        }
    }
}

/// How a side looks under white light.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WhiteAppearance {
    /// Specimen image file, relative to the template folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub specimen: Option<String>,
    /// Substrate colour of a genuine page (`#RRGGBB`), the tint the guilloche sits on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub substrate: Option<Colour>,
    /// Ink colour of the guilloche background.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guilloche: Option<Colour>,
}

/// Brightness of the substrate under UV light.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UvSubstrate {
    /// Security paper without optical brighteners: dark under UV (ICAO 9303 part 2).
    Dull,
    /// Paper or plastic that glows (only where a template says the genuine one does).
    Bright,
}

/// One zone that fluoresces under UV, and in which colour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UvFluorescence {
    /// Name of the zone.
    pub zone: String,
    /// Colour it glows in.
    pub colour: Colour,
}

/// How a side looks under UV (365 nm) light.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UvAppearance {
    /// Specimen image file, relative to the template folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub specimen: Option<String>,
    /// Whether the substrate is dull (the norm) or bright.
    #[serde(default = "default_substrate")]
    pub substrate: UvSubstrate,
    /// Zones printed in fluorescent ink, with their colour.
    #[serde(default)]
    pub fluorescent: Vec<UvFluorescence>,
    /// Colours of the fluorescent fibres in the `uv_fibres` zone (empty: no fibres).
    #[serde(default)]
    pub fibre_colours: Vec<Colour>,
}

fn default_substrate() -> UvSubstrate {
    UvSubstrate::Dull
}

impl Default for UvAppearance {
    fn default() -> UvAppearance {
        UvAppearance {
            specimen: None,
            substrate: UvSubstrate::Dull,
            fluorescent: Vec::new(),
            fibre_colours: Vec::new(),
        }
    }
}

/// How a side looks under IR (around 900 nm) light.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IrAppearance {
    /// Specimen image file, relative to the template folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub specimen: Option<String>,
    /// The MRZ is printed in IR-absorbing ink and stays dark in the B900 band
    /// (ICAO 9303 part 3). True for every ICAO-conformant document.
    #[serde(default = "default_true")]
    pub mrz_b900: bool,
    /// Zones that must stay dark (absorb) under IR.
    #[serde(default)]
    pub absorbing: Vec<String>,
    /// Zones that must vanish (be transparent) under IR, e.g. the colour guilloche.
    #[serde(default)]
    pub transparent: Vec<String>,
}

fn default_true() -> bool {
    true
}

impl Default for IrAppearance {
    fn default() -> IrAppearance {
        IrAppearance {
            specimen: None,
            mrz_b900: true,
            absorbing: Vec::new(),
            transparent: Vec::new(),
        }
    }
}

/// What the retro-reflective security laminate's pattern looks like under
/// coaxial light (the fixtures draw it; the check only needs its pitch).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LaminateMotif {
    /// A grid of rings, one per pitch.
    Rings,
    /// Diagonal lines, one per pitch.
    Lines,
}

/// A retro-reflective laminate over part of a side: under coaxial (on-axis)
/// light its repeating motif shines back at the camera.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetroLaminate {
    /// The zone the laminate covers (usually the whole page or a band).
    pub zone: String,
    /// The motif it repeats.
    pub motif: LaminateMotif,
    /// Distance in mm after which the motif repeats; the check looks for it in
    /// cells a few pitches wide.
    pub pitch_mm: f32,
}

/// How a side looks under coaxial light. Empty (the default) means the
/// template declares no coaxial features and the coaxial checks do not apply.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoaxialAppearance {
    /// Specimen image file, relative to the template folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub specimen: Option<String>,
    /// The retro-reflective laminate, when the side has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub laminate: Option<RetroLaminate>,
    /// OVD zones that reflect specularly: under coaxial light they look like a
    /// uniform bright or dark patch, unlike under diffuse white light.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ovd: Vec<String>,
}

impl CoaxialAppearance {
    /// True when the side declares nothing to check under coaxial light.
    pub fn is_empty(&self) -> bool {
        self.laminate.is_none() && self.ovd.is_empty()
    }
}

/// What crosses the edge of the side's portrait on a genuine page: print a
/// clean substitution cut to the portrait's rectangle cannot continue. Empty
/// (the default) means the template declares nothing and the boundary checks
/// do not apply.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortraitBoundary {
    /// `guilloche` zones framing the photo zone: their fine lines run across
    /// the photo's edge, from the zone's edge as far into the photo as they
    /// lie outside it, perpendicular to the edge.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub continuous: Vec<String>,
    /// `ovd` or `seal` zones laid across the photo's edge: partly on the
    /// portrait, partly on the page around it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overlaps: Vec<String>,
}

impl PortraitBoundary {
    /// True when the side declares nothing across the portrait's edge.
    pub fn is_empty(&self) -> bool {
        self.continuous.is_empty() && self.overlaps.is_empty()
    }
}

/// One side (page, card face) of a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Side {
    /// Side name, unique in the template (`data_page`, `front`, `back`).
    pub name: String,
    /// Present on the side that carries the MRZ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mrz: Option<MrzLayout>,
    /// The zones of this side.
    #[serde(default, rename = "zone")]
    pub zones: Vec<Zone>,
    /// Appearance under white light.
    #[serde(default)]
    pub white: WhiteAppearance,
    /// Appearance under UV light.
    #[serde(default)]
    pub uv: UvAppearance,
    /// Appearance under IR light.
    #[serde(default)]
    pub ir: IrAppearance,
    /// Appearance under coaxial light (absent in templates that declare none).
    #[serde(default, skip_serializing_if = "CoaxialAppearance::is_empty")]
    pub coaxial: CoaxialAppearance,
    /// What runs across the portrait's edge (absent in templates that declare nothing).
    #[serde(default, skip_serializing_if = "PortraitBoundary::is_empty")]
    pub portrait_boundary: PortraitBoundary,
}

impl Side {
    /// The zone with this name.
    pub fn zone(&self, name: &str) -> Option<&Zone> {
        self.zones.iter().find(|zone| zone.name == name)
    }

    /// All zones of one kind, in file order.
    pub fn zones_of(&self, kind: ZoneKind) -> impl Iterator<Item = &Zone> {
        self.zones.iter().filter(move |zone| zone.kind == kind)
    }

    /// The first zone of one kind.
    pub fn first_zone_of(&self, kind: ZoneKind) -> Option<&Zone> {
        self.zones_of(kind).next()
    }

    /// The VIZ zone printing this field.
    pub fn viz_zone(&self, field: VizField) -> Option<&Zone> {
        self.zones
            .iter()
            .find(|zone| zone.kind == ZoneKind::Viz && zone.field == Some(field))
    }

    /// The MRZ zone, when this side carries the MRZ.
    pub fn mrz_zone(&self) -> Option<&Zone> {
        self.mrz
            .as_ref()
            .and_then(|_| self.first_zone_of(ZoneKind::Mrz))
    }

    /// Whether the named zone must absorb IR (dark in IR).
    pub fn absorbs_ir(&self, zone: &str) -> bool {
        self.ir.absorbing.iter().any(|name| name == zone)
            || (self.ir.mrz_b900 && self.zone(zone).is_some_and(|z| z.kind == ZoneKind::Mrz))
    }

    /// The UV colour of the named zone, when it fluoresces.
    pub fn uv_colour(&self, zone: &str) -> Option<Colour> {
        self.uv
            .fluorescent
            .iter()
            .find(|f| f.zone == zone)
            .map(|f| f.colour)
    }
}

/// The issuing state or organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Issuer {
    /// Three-letter ICAO code (`UTO`, `ZZA`…).
    pub code: String,
    /// Name in English.
    pub name: String,
}

/// What the document is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentInfo {
    /// Human name (`Passport`, `Identity card`).
    pub name: String,
    /// Kind, for menus and exports.
    pub kind: DocumentKind,
    /// ICAO document codes as written in the MRZ without fillers (`P`, `ID`, `V`…).
    pub doc_codes: Vec<String>,
    /// MRZ layout family.
    #[serde(with = "family_name")]
    pub mrz_format: MrzFormat,
    /// Width in mm (ID-1: 85.6, ID-2: 105, ID-3: 125).
    pub width_mm: f32,
    /// Height in mm (ID-1: 53.98, ID-2: 74, ID-3: 88).
    pub height_mm: f32,
    /// Year the model was first issued (for plausibility checks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_issued: Option<u16>,
    /// How the VIZ prints dates, from the tokens `DD`, `MM`, `MMM` (English
    /// month abbreviation), `YY`, `YYYY` and separators (`DD.MM.YYYY`). The VIZ
    /// reader formats the MRZ dates this way to compare them with the print;
    /// absent: `DD MMM YYYY`, the ICAO 9303 part 4 example.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub viz_date_format: Option<String>,
}

/// The whole `template.toml`, as written in the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateFile {
    format_version: u32,
    issuer: Issuer,
    document: DocumentInfo,
    #[serde(rename = "side")]
    sides: Vec<Side>,
}

/// One reference-library entry, loaded and validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    /// Library key: `<ISSUER>/<document folder>` (e.g. `UTO/passport`).
    pub key: String,
    /// The folder the template was loaded from (specimen paths are relative to it).
    pub dir: PathBuf,
    /// Issuing state.
    pub issuer: Issuer,
    /// Document model.
    pub document: DocumentInfo,
    /// Sides; exactly one carries the MRZ.
    pub sides: Vec<Side>,
}

impl Template {
    /// Reads and validates one `template.toml`. The key is taken from the last
    /// two folder names (`<ISSUER>/<document>`).
    pub fn load(path: &Path) -> Result<Template, ReferenceError> {
        let text = std::fs::read_to_string(path).map_err(|source| ReferenceError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Template::from_toml_str(&text, path)
    }

    /// Parses and validates template text; `path` names the file in errors and
    /// gives the template its key and folder.
    pub fn from_toml_str(text: &str, path: &Path) -> Result<Template, ReferenceError> {
        let file: TemplateFile = toml::from_str(text).map_err(|error| ReferenceError::Syntax {
            path: path.to_path_buf(),
            line: error.span().map(|span| line_of_offset(text, span.start)),
            message: error.message().to_string(),
        })?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let key = template_key(&dir);
        let template = Template {
            key,
            dir,
            issuer: file.issuer,
            document: file.document,
            sides: file.sides,
        };
        let invalid = |message: String, needle: Option<&str>| ReferenceError::Invalid {
            path: path.to_path_buf(),
            line: needle.and_then(|needle| line_of_text(text, needle)),
            message,
        };
        if file.format_version != TEMPLATE_FORMAT_VERSION {
            return Err(invalid(
                format!(
                    "format_version {} is not supported (this tdverify reads version {TEMPLATE_FORMAT_VERSION})",
                    file.format_version
                ),
                Some("format_version"),
            ));
        }
        template
            .validate()
            .map_err(|(message, needle)| invalid(message, needle.as_deref()))?;
        Ok(template)
    }

    /// Renders the template back to TOML (used by tools that write templates).
    pub fn to_toml_string(&self) -> Result<String, ReferenceError> {
        let file = TemplateFile {
            format_version: TEMPLATE_FORMAT_VERSION,
            issuer: self.issuer.clone(),
            document: self.document.clone(),
            sides: self.sides.clone(),
        };
        toml::to_string_pretty(&file).map_err(|error| ReferenceError::Serialize {
            key: self.key.clone(),
            message: error.to_string(),
        })
    }

    /// The side with this name.
    pub fn side(&self, name: &str) -> Option<&Side> {
        self.sides.iter().find(|side| side.name == name)
    }

    /// The side carrying the MRZ (validation guarantees there is one).
    pub fn mrz_side(&self) -> Option<&Side> {
        self.sides.iter().find(|side| side.mrz.is_some())
    }

    /// The primary ICAO document code (`P`, `ID`, `V`…).
    pub fn primary_doc_code(&self) -> &str {
        self.document
            .doc_codes
            .first()
            .map(String::as_str)
            .unwrap_or("")
    }

    /// Whether this template matches an MRZ's issuer, document code and format.
    /// Fillers (`<`) in the code are ignored; a one-letter code in the MRZ
    /// matches a template code starting with that letter.
    pub fn matches(&self, issuing_state: &str, doc_code: &str, format: MrzFormat) -> bool {
        let state = issuing_state.trim_end_matches('<');
        let code = doc_code.trim_end_matches('<');
        if !self.issuer.code.eq_ignore_ascii_case(state) || self.document.mrz_format.family() != format.family() {
            return false;
        }
        self.document.doc_codes.iter().any(|known| {
            known.eq_ignore_ascii_case(code) || (code.len() == 1 && known.starts_with(code))
        })
    }

    /// Absolute path of a specimen image named in an appearance section.
    pub fn specimen_path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }

    /// Checks everything serde cannot: geometry inside the page, unique names,
    /// references to existing zones, one MRZ side. Returns the message and a
    /// piece of text to locate the line.
    fn validate(&self) -> Result<(), (String, Option<String>)> {
        let code = &self.issuer.code;
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err((
                format!("issuer code `{code}` must be three capital letters"),
                Some(code.clone()),
            ));
        }
        let doc = &self.document;
        if !(doc.width_mm.is_finite()
            && doc.height_mm.is_finite()
            && doc.width_mm > 0.0
            && doc.height_mm > 0.0)
        {
            return Err((
                "document width_mm and height_mm must be positive".into(),
                Some("width_mm".into()),
            ));
        }
        if doc.doc_codes.is_empty() {
            return Err((
                "document doc_codes must name at least one ICAO document code".into(),
                Some("doc_codes".into()),
            ));
        }
        for doc_code in &doc.doc_codes {
            let valid = (1..=2).contains(&doc_code.len())
                && doc_code.bytes().all(|b| b.is_ascii_uppercase());
            if !valid {
                return Err((
                    format!("document code `{doc_code}` must be one or two capital letters"),
                    Some(format!("\"{doc_code}\"")),
                ));
            }
        }
        if self.sides.is_empty() {
            return Err(("a template needs at least one [[side]]".into(), None));
        }
        let mrz_sides = self.sides.iter().filter(|side| side.mrz.is_some()).count();
        if mrz_sides != 1 {
            return Err((
                format!("exactly one side must have an [side.mrz] section, found {mrz_sides}"),
                None,
            ));
        }
        for (index, side) in self.sides.iter().enumerate() {
            if self.sides[..index]
                .iter()
                .any(|other| other.name == side.name)
            {
                return Err((
                    format!("side name `{}` is used twice", side.name),
                    Some(quoted(&side.name)),
                ));
            }
            self.validate_side(side)?;
        }
        Ok(())
    }

    fn validate_side(&self, side: &Side) -> Result<(), (String, Option<String>)> {
        let (width, height) = (self.document.width_mm, self.document.height_mm);
        const TOLERANCE_MM: f32 = 0.01;
        for (index, zone) in side.zones.iter().enumerate() {
            let here = Some(quoted(&zone.name));
            if side.zones[..index]
                .iter()
                .any(|other| other.name == zone.name)
            {
                return Err((
                    format!(
                        "side `{}`: zone name `{}` is used twice",
                        side.name, zone.name
                    ),
                    here,
                ));
            }
            let r = zone.rect_mm;
            if r.x < -TOLERANCE_MM
                || r.y < -TOLERANCE_MM
                || r.right() > width + TOLERANCE_MM
                || r.bottom() > height + TOLERANCE_MM
            {
                return Err((
                    format!(
                        "side `{}`: zone `{}` [{}, {}, {}, {}] lies outside the {width} × {height} mm page",
                        side.name, zone.name, r.x, r.y, r.w, r.h
                    ),
                    here,
                ));
            }
            if zone.kind == ZoneKind::Viz && zone.field.is_none() {
                return Err((
                    format!(
                        "side `{}`: viz zone `{}` needs a `field`",
                        side.name, zone.name
                    ),
                    here,
                ));
            }
            if zone.kind != ZoneKind::Viz && zone.field.is_some() {
                return Err((
                    format!(
                        "side `{}`: only viz zones take a `field` (zone `{}`)",
                        side.name, zone.name
                    ),
                    here,
                ));
            }
        }
        if let Some(layout) = &side.mrz {
            let values = [
                layout.pitch_mm,
                layout.line_spacing_mm,
                layout.char_height_mm,
            ];
            if values.iter().any(|v| !v.is_finite() || *v <= 0.0) {
                return Err((
                    format!(
                        "side `{}`: MRZ pitch, line spacing and character height must be positive",
                        side.name
                    ),
                    Some("pitch_mm".into()),
                ));
            }
            let Some(zone) = side.first_zone_of(ZoneKind::Mrz) else {
                return Err((
                    format!(
                        "side `{}` has [side.mrz] but no zone of kind \"mrz\"",
                        side.name
                    ),
                    None,
                ));
            };
            let format = self.document.mrz_format;
            let needed_width = layout.pitch_mm * format.line_length() as f32;
            let needed_height =
                layout.line_spacing_mm * (format.line_count() as f32 - 1.0) + layout.char_height_mm;
            if zone.rect_mm.w + TOLERANCE_MM < needed_width
                || zone.rect_mm.h + TOLERANCE_MM < needed_height
            {
                return Err((
                    format!(
                        "side `{}`: MRZ zone `{}` ({} × {} mm) is too small for {} lines of {} characters ({needed_width:.1} × {needed_height:.1} mm)",
                        side.name,
                        zone.name,
                        zone.rect_mm.w,
                        zone.rect_mm.h,
                        format.line_count(),
                        format.line_length()
                    ),
                    Some(quoted(&zone.name)),
                ));
            }
        }
        let references = side
            .uv
            .fluorescent
            .iter()
            .map(|f| ("uv.fluorescent", &f.zone))
            .chain(side.ir.absorbing.iter().map(|z| ("ir.absorbing", z)))
            .chain(side.ir.transparent.iter().map(|z| ("ir.transparent", z)));
        for (section, name) in references {
            if side.zone(name).is_none() {
                return Err((
                    format!(
                        "side `{}`: {section} names zone `{name}`, which the side does not define",
                        side.name
                    ),
                    Some(quoted(name)),
                ));
            }
        }
        Self::validate_coaxial(side)?;
        Self::validate_portrait_copies(side)?;
        Self::validate_portrait_boundary(side)?;
        if let Some(name) = side
            .ir
            .absorbing
            .iter()
            .find(|name| side.ir.transparent.contains(name))
        {
            return Err((
                format!(
                    "side `{}`: zone `{name}` cannot be both IR-absorbing and IR-transparent",
                    side.name
                ),
                Some(quoted(name)),
            ));
        }
        Ok(())
    }
}

impl Template {
    /// A UV portrait copy must say what colour it glows in, and an IR copy
    /// must be declared IR-absorbing: without it no light shows them.
    fn validate_portrait_copies(side: &Side) -> Result<(), (String, Option<String>)> {
        for zone in &side.zones {
            let missing = match zone.kind {
                ZoneKind::UvPortrait if side.uv_colour(&zone.name).is_none() => "uv.fluorescent",
                ZoneKind::IrPortrait if !side.ir.absorbing.contains(&zone.name) => "ir.absorbing",
                _ => continue,
            };
            return Err((
                format!(
                    "side `{}`: portrait copy `{}` must be listed in {missing}",
                    side.name, zone.name
                ),
                Some(quoted(&zone.name)),
            ));
        }
        Ok(())
    }

    /// The portrait boundary: a photo zone to have a boundary; `continuous`
    /// names guilloche zones that frame the photo (reach beyond each of its
    /// edges); `overlaps` names ovd or seal zones that lie across its edge.
    fn validate_portrait_boundary(side: &Side) -> Result<(), (String, Option<String>)> {
        let boundary = &side.portrait_boundary;
        if boundary.is_empty() {
            return Ok(());
        }
        let Some(photo) = side.first_zone_of(ZoneKind::Photo) else {
            return Err((
                format!(
                    "side `{}`: portrait_boundary needs a zone of kind \"photo\"",
                    side.name
                ),
                Some("portrait_boundary".into()),
            ));
        };
        let p = photo.rect_mm;
        let lists = [
            ("continuous", &boundary.continuous),
            ("overlaps", &boundary.overlaps),
        ];
        for (section, names) in lists {
            for (index, name) in names.iter().enumerate() {
                let problem = |what: String| {
                    Err((
                        format!(
                            "side `{}`: portrait_boundary.{section} names zone `{name}`, {what}",
                            side.name
                        ),
                        Some(quoted(name)),
                    ))
                };
                let Some(zone) = side.zone(name) else {
                    return problem("which the side does not define".into());
                };
                if names[..index].contains(name) {
                    return problem("twice".into());
                }
                let r = zone.rect_mm;
                if section == "continuous" {
                    if zone.kind != ZoneKind::Guilloche {
                        return problem("which is not of kind \"guilloche\"".into());
                    }
                    let frames =
                        r.x < p.x && r.y < p.y && r.right() > p.right() && r.bottom() > p.bottom();
                    let band = (p.x - r.x)
                        .min(p.y - r.y)
                        .min(r.right() - p.right())
                        .min(r.bottom() - p.bottom());
                    if !frames || band > p.w.min(p.h) / 4.0 {
                        return problem(format!(
                            "which must frame the photo zone `{}` with a band narrower than a quarter of the photo",
                            photo.name
                        ));
                    }
                } else {
                    if !matches!(zone.kind, ZoneKind::Ovd | ZoneKind::Seal) {
                        return problem("which is not of kind \"ovd\" or \"seal\"".into());
                    }
                    let overlaps =
                        r.x < p.right() && r.right() > p.x && r.y < p.bottom() && r.bottom() > p.y;
                    let inside = r.x >= p.x
                        && r.y >= p.y
                        && r.right() <= p.right()
                        && r.bottom() <= p.bottom();
                    if !overlaps || inside {
                        return problem(format!(
                            "which does not lie across the edge of the photo zone `{}`",
                            photo.name
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// The coaxial section: the laminate names an existing zone and repeats
    /// inside it at a sensible pitch; OVDs name distinct `ovd` zones.
    fn validate_coaxial(side: &Side) -> Result<(), (String, Option<String>)> {
        let coaxial = &side.coaxial;
        if let Some(laminate) = &coaxial.laminate {
            let Some(zone) = side.zone(&laminate.zone) else {
                return Err((
                    format!(
                        "side `{}`: coaxial.laminate names zone `{}`, which the side does not define",
                        side.name, laminate.zone
                    ),
                    Some(quoted(&laminate.zone)),
                ));
            };
            let pitch = laminate.pitch_mm;
            let room = zone.rect_mm.w.min(zone.rect_mm.h) / 2.0;
            if !pitch.is_finite() || pitch < MIN_LAMINATE_PITCH_MM || pitch > room {
                return Err((
                    format!(
                        "side `{}`: coaxial.laminate pitch_mm {pitch} must be between {MIN_LAMINATE_PITCH_MM} mm and half the zone `{}`'s smaller side ({room} mm)",
                        side.name, zone.name
                    ),
                    Some("pitch_mm".into()),
                ));
            }
        }
        for (index, name) in coaxial.ovd.iter().enumerate() {
            let Some(zone) = side.zone(name) else {
                return Err((
                    format!(
                        "side `{}`: coaxial.ovd names zone `{name}`, which the side does not define",
                        side.name
                    ),
                    Some(quoted(name)),
                ));
            };
            if zone.kind != ZoneKind::Ovd {
                return Err((
                    format!(
                        "side `{}`: coaxial.ovd names zone `{name}`, which is not of kind \"ovd\"",
                        side.name
                    ),
                    Some(quoted(name)),
                ));
            }
            if coaxial.ovd[..index].contains(name) {
                return Err((
                    format!(
                        "side `{}`: coaxial.ovd names zone `{name}` twice",
                        side.name
                    ),
                    Some(quoted(name)),
                ));
            }
        }
        Ok(())
    }
}

/// The finest laminate pitch a capture can resolve (about 10 px at 300 dpi).
pub const MIN_LAMINATE_PITCH_MM: f32 = 1.0;

fn quoted(text: &str) -> String {
    format!("\"{text}\"")
}

/// `<ISSUER>/<document>` from the template's folder.
fn template_key(dir: &Path) -> String {
    let mut parts = dir
        .iter()
        .rev()
        .take(2)
        .map(|part| part.to_string_lossy().into_owned())
        .collect::<Vec<_>>();
    parts.reverse();
    parts.join("/")
}

/// 1-based line of a byte offset.
fn line_of_offset(text: &str, offset: usize) -> usize {
    text.as_bytes()
        .iter()
        .take(offset)
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// 1-based line of the first occurrence of `needle`.
fn line_of_text(text: &str, needle: &str) -> Option<usize> {
    text.find(needle).map(|offset| line_of_offset(text, offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const MINIMAL: &str = r##"
format_version = 1

[issuer]
code = "UTO"
name = "Utopia"

[document]
name = "Passport"
kind = "passport"
doc_codes = ["P"]
mrz_format = "td3"
width_mm = 125.0
height_mm = 88.0

[[side]]
name = "data_page"

[side.mrz]

[[side.zone]]
name = "mrz"
kind = "mrz"
rect_mm = [5.0, 68.0, 115.0, 17.0]

[[side.zone]]
name = "surname"
kind = "viz"
field = "surname"
label = "Surname"
rect_mm = [45.0, 20.0, 60.0, 7.0]

[side.uv]
fluorescent = [{ zone = "surname", colour = "#40a0ff" }]

[side.ir]
absorbing = ["surname"]
"##;

    fn parse(text: &str) -> Result<Template, ReferenceError> {
        Template::from_toml_str(text, Path::new("/lib/UTO/passport/template.toml"))
    }

    #[test]
    fn minimal_template_loads_with_defaults() {
        let template = parse(MINIMAL).unwrap();
        assert_eq!(template.key, "UTO/passport");
        let side = template.mrz_side().unwrap();
        assert_eq!(side.mrz.unwrap().pitch_mm, 2.54);
        assert!(side.ir.mrz_b900);
        assert_eq!(side.uv.substrate, UvSubstrate::Dull);
        assert_eq!(side.uv_colour("surname"), Some(Colour([0x40, 0xA0, 0xFF])));
        assert!(side.absorbs_ir("mrz"));
        assert!(side.absorbs_ir("surname"));
        assert_eq!(
            side.viz_zone(VizField::Surname).unwrap().label.as_deref(),
            Some("Surname")
        );
        assert!(template.matches("UTO", "P<", MrzFormat::Td3));
        assert!(!template.matches("UTO", "P", MrzFormat::Td1));
        assert!(!template.matches("ZZA", "P", MrzFormat::Td3));
    }

    #[test]
    fn round_trips_through_toml() {
        let template = parse(MINIMAL).unwrap();
        let text = template.to_toml_string().unwrap();
        assert_eq!(parse(&text).unwrap(), template);
    }

    #[test]
    fn syntax_error_names_file_and_line() {
        let broken = MINIMAL.replace("width_mm = 125.0", "width_mm = = 125.0");
        let error = parse(&broken).unwrap_err();
        let text = error.to_string();
        assert!(text.contains("/lib/UTO/passport/template.toml"), "{text}");
        assert!(
            matches!(error, ReferenceError::Syntax { line: Some(13), .. }),
            "{error:?}"
        );
    }

    #[test]
    fn unknown_field_is_an_error_with_line() {
        let broken = MINIMAL.replace("label = \"Surname\"", "lable = \"Surname\"");
        let error = parse(&broken).unwrap_err();
        assert!(
            matches!(error, ReferenceError::Syntax { line: Some(_), .. }),
            "{error:?}"
        );
        assert!(error.to_string().contains("lable"), "{error}");
    }

    #[test]
    fn zone_outside_page_is_rejected() {
        let broken = MINIMAL.replace("[45.0, 20.0, 60.0, 7.0]", "[100.0, 20.0, 60.0, 7.0]");
        let error = parse(&broken).unwrap_err();
        assert!(error.to_string().contains("outside"), "{error}");
        assert!(matches!(
            error,
            ReferenceError::Invalid { line: Some(_), .. }
        ));
    }

    #[test]
    fn reference_to_missing_zone_is_rejected() {
        let broken = MINIMAL.replace("absorbing = [\"surname\"]", "absorbing = [\"photo\"]");
        let error = parse(&broken).unwrap_err();
        assert!(error.to_string().contains("`photo`"), "{error}");
    }

    #[test]
    fn bad_colour_and_negative_rect_are_rejected() {
        assert!(parse(&MINIMAL.replace("#40a0ff", "#40a0f")).is_err());
        assert!(
            parse(&MINIMAL.replace("[45.0, 20.0, 60.0, 7.0]", "[45.0, 20.0, -60.0, 7.0]")).is_err()
        );
    }

    #[test]
    fn mrz_zone_too_small_is_rejected() {
        let broken = MINIMAL.replace("[5.0, 68.0, 115.0, 17.0]", "[5.0, 68.0, 100.0, 17.0]");
        assert!(
            parse(&broken)
                .unwrap_err()
                .to_string()
                .contains("too small")
        );
    }

    #[test]
    fn rect_to_px_scales_by_dpi() {
        let rect = RectMm {
            x: 25.4,
            y: 0.0,
            w: 2.54,
            h: 25.4,
        }
        .to_px(300.0);
        assert_eq!((rect.x, rect.w, rect.h), (300.0, 30.0, 300.0));
    }

    /// MINIMAL with a UV and an IR portrait copy, declared as `uv` and `ir` say.
    fn with_portrait_copies(uv: &str, ir: &str) -> String {
        MINIMAL
            .replace(
                "fluorescent = [{ zone = \"surname\", colour = \"#40a0ff\" }]",
                &format!("fluorescent = [{{ zone = \"surname\", colour = \"#40a0ff\" }}{uv}]"),
            )
            .replace(
                "absorbing = [\"surname\"]",
                &format!("absorbing = [\"surname\"{ir}]"),
            )
            + "\n[[side.zone]]\nname = \"uv_portrait\"\nkind = \"uv_portrait\"\nrect_mm = [100.0, 18.0, 16.0, 20.0]\n\n[[side.zone]]\nname = \"ir_portrait\"\nkind = \"ir_portrait\"\nrect_mm = [100.0, 40.0, 16.0, 20.0]\n"
    }

    #[test]
    fn portrait_copies_load_and_need_their_light_declared() {
        let declared = with_portrait_copies(
            ", { zone = \"uv_portrait\", colour = \"#E8E8FF\" }",
            ", \"ir_portrait\"",
        );
        let template = parse(&declared).unwrap();
        let side = template.mrz_side().unwrap();
        assert_eq!(
            side.first_zone_of(ZoneKind::UvPortrait)
                .map(|z| z.name.as_str()),
            Some("uv_portrait")
        );
        assert!(side.absorbs_ir("ir_portrait"));
        assert_eq!(
            parse(&template.to_toml_string().unwrap()).unwrap(),
            template
        );
        let no_colour = parse(&with_portrait_copies("", ", \"ir_portrait\""))
            .unwrap_err()
            .to_string();
        assert!(
            no_colour.contains("`uv_portrait`") && no_colour.contains("uv.fluorescent"),
            "{no_colour}"
        );
        let not_absorbing = parse(&with_portrait_copies(
            ", { zone = \"uv_portrait\", colour = \"#E8E8FF\" }",
            "",
        ))
        .unwrap_err()
        .to_string();
        assert!(
            not_absorbing.contains("`ir_portrait`") && not_absorbing.contains("ir.absorbing"),
            "{not_absorbing}"
        );
    }

    /// MINIMAL with a photo, a frame band around it, a seal across its corner,
    /// an OVD elsewhere and a portrait_boundary section.
    fn with_boundary(section: &str) -> String {
        format!(
            "{MINIMAL}\n[[side.zone]]\nname = \"photo\"\nkind = \"photo\"\nrect_mm = [5.0, 12.0, 32.0, 42.0]\n\n[[side.zone]]\nname = \"frame\"\nkind = \"guilloche\"\nrect_mm = [3.5, 10.5, 35.0, 45.0]\n\n[[side.zone]]\nname = \"seal\"\nkind = \"seal\"\nrect_mm = [1.0, 46.0, 12.0, 11.0]\n\n[[side.zone]]\nname = \"ovd\"\nkind = \"ovd\"\nrect_mm = [100.0, 40.0, 14.0, 14.0]\n\n{section}"
        )
    }

    const BOUNDARY: &str =
        "[side.portrait_boundary]\ncontinuous = [\"frame\"]\noverlaps = [\"seal\"]\n";

    #[test]
    fn portrait_boundary_loads_round_trips_and_defaults_to_empty() {
        let template = parse(&with_boundary(BOUNDARY)).unwrap();
        let boundary = &template.mrz_side().unwrap().portrait_boundary;
        assert_eq!(
            (boundary.continuous.as_slice(), boundary.overlaps.as_slice()),
            (&["frame".to_string()][..], &["seal".to_string()][..])
        );
        let text = template.to_toml_string().unwrap();
        assert!(text.contains("portrait_boundary"), "{text}");
        assert_eq!(parse(&text).unwrap(), template);
        let plain = parse(MINIMAL).unwrap();
        assert!(plain.mrz_side().unwrap().portrait_boundary.is_empty());
        assert!(
            !plain
                .to_toml_string()
                .unwrap()
                .contains("portrait_boundary")
        );
    }

    #[test]
    fn bad_portrait_boundaries_are_rejected_with_clear_errors() {
        let cases = [
            (
                BOUNDARY.replace("[\"frame\"]", "[\"nowhere\"]"),
                "does not define",
            ),
            (
                BOUNDARY.replace("[\"frame\"]", "[\"seal\"]"),
                "not of kind \"guilloche\"",
            ),
            (
                BOUNDARY.replace("[\"seal\"]", "[\"seal\", \"seal\"]"),
                "twice",
            ),
            (
                BOUNDARY.replace("[\"seal\"]", "[\"frame\"]"),
                "not of kind \"ovd\" or \"seal\"",
            ),
            (
                BOUNDARY.replace("[\"seal\"]", "[\"ovd\"]"),
                "does not lie across the edge",
            ),
            (BOUNDARY.replace("overlaps", "overlap"), "overlap"),
        ];
        for (section, needle) in cases {
            let error = parse(&with_boundary(&section)).unwrap_err();
            assert!(error.to_string().contains(needle), "{needle}: {error}");
        }
        // A band that does not frame the photo, and a boundary without a photo.
        let narrow =
            with_boundary(BOUNDARY).replace("[3.5, 10.5, 35.0, 45.0]", "[6.0, 10.5, 30.0, 45.0]");
        assert!(
            parse(&narrow)
                .unwrap_err()
                .to_string()
                .contains("must frame the photo")
        );
        let no_photo = format!("{MINIMAL}\n[side.portrait_boundary]\noverlaps = [\"surname\"]\n");
        assert!(
            parse(&no_photo)
                .unwrap_err()
                .to_string()
                .contains("needs a zone of kind \"photo\"")
        );
    }

    /// MINIMAL with an OVD, a page-wide laminate zone and a coaxial section.
    fn with_coaxial(section: &str) -> String {
        format!(
            "{MINIMAL}\n[[side.zone]]\nname = \"ovd\"\nkind = \"ovd\"\nrect_mm = [28.0, 45.0, 14.0, 14.0]\n\n[[side.zone]]\nname = \"laminate\"\nkind = \"other\"\nrect_mm = [0.0, 0.0, 125.0, 88.0]\n\n{section}"
        )
    }

    const COAXIAL: &str = r#"[side.coaxial]
ovd = ["ovd"]
laminate = { zone = "laminate", motif = "rings", pitch_mm = 5.0 }
"#;

    #[test]
    fn coaxial_section_loads_and_round_trips() {
        let template = parse(&with_coaxial(COAXIAL)).unwrap();
        let coaxial = &template.mrz_side().unwrap().coaxial;
        assert!(!coaxial.is_empty());
        assert_eq!(coaxial.ovd, ["ovd"]);
        let laminate = coaxial.laminate.as_ref().unwrap();
        assert_eq!(
            (laminate.zone.as_str(), laminate.motif, laminate.pitch_mm),
            ("laminate", LaminateMotif::Rings, 5.0)
        );
        let text = template.to_toml_string().unwrap();
        assert!(text.contains("coaxial"), "{text}");
        assert_eq!(parse(&text).unwrap(), template);
    }

    #[test]
    fn a_template_without_coaxial_section_declares_nothing_and_writes_none() {
        let template = parse(MINIMAL).unwrap();
        assert!(template.mrz_side().unwrap().coaxial.is_empty());
        assert!(!template.to_toml_string().unwrap().contains("coaxial"));
    }

    #[test]
    fn bad_coaxial_entries_are_rejected_with_clear_errors() {
        let cases = [
            (
                COAXIAL.replace("zone = \"laminate\"", "zone = \"nowhere\""),
                "`nowhere`",
            ),
            (
                COAXIAL.replace("ovd = [\"ovd\"]", "ovd = [\"surname\"]"),
                "not of kind \"ovd\"",
            ),
            (
                COAXIAL.replace("ovd = [\"ovd\"]", "ovd = [\"ovd\", \"ovd\"]"),
                "twice",
            ),
            (
                COAXIAL.replace("pitch_mm = 5.0", "pitch_mm = 0.1"),
                "pitch_mm",
            ),
            (
                COAXIAL.replace("pitch_mm = 5.0", "pitch_mm = 60.0"),
                "pitch_mm",
            ),
            (
                COAXIAL.replace("pitch_mm = 5.0", "pitch_mm = nan"),
                "pitch_mm",
            ),
            (COAXIAL.replace("\"rings\"", "\"stars\""), "stars"),
            (COAXIAL.replace("ovd = ", "ovds = "), "ovds"),
        ];
        for (section, needle) in cases {
            let error = parse(&with_coaxial(&section)).unwrap_err();
            assert!(error.to_string().contains(needle), "{needle}: {error}");
            assert!(
                matches!(
                    error,
                    ReferenceError::Invalid { line: Some(_), .. }
                        | ReferenceError::Syntax { line: Some(_), .. }
                ),
                "{error:?}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn malformed_coaxial_entries_never_panic(
            cut in 0usize..200,
            insert in "[\\[\\]{}=\"#a-z0-9 \n.,_-]{0,16}",
            pitch in proptest::num::f32::ANY,
        ) {
            let section = COAXIAL.replace("5.0", &format!("{pitch:?}"));
            let mut text = with_coaxial(&section);
            let start = text.len() - section.len();
            let at = text[start..].char_indices().map(|(i, _)| start + i).nth(cut % section.len()).unwrap_or(start);
            text.insert_str(at, &insert);
            let _ = parse(&text);
        }
    }

    proptest::proptest! {
        #[test]
        fn random_text_never_panics(text in "\\PC{0,400}") {
            let _ = parse(&text);
        }

        #[test]
        fn mutated_template_never_panics(cut in 0usize..600, insert in "[\\[\\]=\"#a-z0-9 \n.,-]{0,12}") {
            let mut text = MINIMAL.to_string();
            let at = text.char_indices().map(|(i, _)| i).nth(cut % MINIMAL.len()).unwrap_or(0);
            text.insert_str(at, &insert);
            let _ = parse(&text);
        }
    }
}
