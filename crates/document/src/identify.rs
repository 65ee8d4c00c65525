//! Identification: which reference template describes this document.
//!
//! The MRZ names the issuing state, the document code and (by its shape) the
//! format; the reference library holds at most a few templates per triple.
//! With no template, only the checks ICAO 9303 makes universal are run (B900
//! MRZ in IR, UV-dull substrate, MRZ print), on a generic page of the
//! format's ICAO size, and the report says so.

use tdverify_core::{Check, CheckStatus, Evidence};
use tdverify_mrz::Mrz;

use crate::reference::{
    IrAppearance, MrzFormat, MrzLayout, RectMm, ReferenceLibrary, Side, Template, UvAppearance,
    WhiteAppearance, Zone, ZoneKind,
};

/// The message every report carries when no template matched.
pub const NO_TEMPLATE_MESSAGE: &str = "no template matched: generic checks only";

/// Finds the template for an MRZ and says how (`document.template_match`).
pub fn identify<'a>(
    library: &'a ReferenceLibrary,
    mrz: Option<&Mrz>,
) -> (Option<&'a Template>, Check) {
    const ID: &str = "document.template_match";
    let Some(mrz) = mrz else {
        return (
            None,
            Check::new(
                ID,
                CheckStatus::Warn,
                format!(
                    "No MRZ was read, so the document cannot be identified: {NO_TEMPLATE_MESSAGE}."
                ),
            ),
        );
    };
    let format = mrz.format.family();
    let evidence = Evidence::source("mrz:line1").with_detail(format!(
        "issuer {}, document code {}, format {}",
        mrz.issuing_state,
        mrz.document_code,
        format.template_name()
    ));
    if let Some(template) = library.find(&mrz.issuing_state, &mrz.document_code, format) {
        let check = Check::pass(
            ID,
            format!(
                "Identified as {} {} (template {}).",
                template.issuer.name, template.document.name, template.key
            ),
        )
        .with_evidence(evidence);
        return (Some(template), check);
    }
    let issuer_known = tdverify_mrz::issuer_kind(&mrz.issuing_state).is_some();
    let issuer_in_library = library
        .templates()
        .iter()
        .any(|t| t.issuer.code.eq_ignore_ascii_case(&mrz.issuing_state));
    let check = if !issuer_known {
        Check::fail(
            ID,
            format!(
                "Issuer code {} exists in no ICAO list: possible pseudo document; {NO_TEMPLATE_MESSAGE}.",
                mrz.issuing_state
            ),
        )
        .with_confidence(0.9)
    } else if issuer_in_library {
        Check::fail(
            ID,
            format!(
                "The library knows {} but no document with code {} in format {}: possible pseudo document; {NO_TEMPLATE_MESSAGE}.",
                mrz.issuing_state,
                mrz.document_code,
                format.template_name()
            ),
        )
        .with_confidence(0.7)
    } else {
        Check::warn(
            ID,
            format!(
                "No reference template for issuer {}: {NO_TEMPLATE_MESSAGE}.",
                mrz.issuing_state
            ),
        )
    };
    (None, check.with_evidence(evidence))
}

/// ICAO page size in mm (width, height) of a format, landscape.
pub fn icao_page_size(format: MrzFormat) -> (f32, f32) {
    match format {
        MrzFormat::Td1 => (85.6, 53.98),
        MrzFormat::Td2 | MrzFormat::FrenchId | MrzFormat::MrvB => (105.0, 74.0),
        MrzFormat::Td3 => (125.0, 88.0),
        MrzFormat::MrvA => (120.0, 80.0),
    }
}

/// A generic side for a format: only an MRZ zone at the ICAO position (bottom
/// of the page, B900 ink, UV-dull substrate), for documents without template.
pub fn generic_side(format: MrzFormat) -> (Side, f32, f32) {
    let (width, height) = icao_page_size(format);
    let layout = MrzLayout::default();
    let text_width = format.line_length() as f32 * layout.pitch_mm;
    // Generous height: ICAO fixes the MRZ at the bottom edge, but without a
    // template its exact top is unknown; the checks look for the darkest text.
    let zone_height = (format.line_count() as f32 * layout.line_spacing_mm + 6.0).min(height * 0.4);
    let x = ((width - text_width) / 2.0 - 2.0).max(0.5);
    let rect = RectMm {
        x,
        y: (height - zone_height - 1.0).max(0.0),
        w: (text_width + 4.0).min(width - x),
        h: zone_height,
    };
    let zone = Zone {
        name: "mrz".into(),
        kind: ZoneKind::Mrz,
        rect_mm: rect,
        field: None,
        label: None,
        text: None,
    };
    let side = Side {
        name: "generic".into(),
        mrz: Some(layout),
        zones: vec![zone],
        white: WhiteAppearance::default(),
        uv: UvAppearance::default(),
        ir: IrAppearance::default(),
        coaxial: Default::default(),
        portrait_boundary: Default::default(),
    };
    (side, width, height)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_side_fits_the_page() {
        for format in MrzFormat::ALL {
            let (side, width, height) = generic_side(format);
            let zone = side.mrz_zone().unwrap();
            assert!(
                zone.rect_mm.right() <= width + 0.01 && zone.rect_mm.bottom() <= height,
                "{format:?}"
            );
        }
    }

    #[test]
    fn no_mrz_means_no_template() {
        let library = ReferenceLibrary::from_templates(std::path::PathBuf::new(), Vec::new());
        let (template, check) = identify(&library, None);
        assert!(template.is_none());
        assert!(check.message.contains(NO_TEMPLATE_MESSAGE));
    }

    #[test]
    fn unknown_issuer_is_a_pseudo_document() {
        let library = ReferenceLibrary::from_templates(std::path::PathBuf::new(), Vec::new());
        let mrz = tdverify_mrz::parse(
            "P<QQQKOWALCZYK<<DORDE<<<<<<<<<<<<<<<<<<<<<<<\nTG94599681QQQ8505095M31101313123247100<<<<98",
        )
        .unwrap();
        let (template, check) = identify(&library, Some(&mrz));
        assert!(template.is_none());
        assert_eq!(check.status, CheckStatus::Fail);
    }
}
