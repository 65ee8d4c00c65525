//! The document stage: identify, register every light, gate capture quality,
//! and run every check family on one side of a document.
//!
//! Entry point: [`check_document`]; `inspect::run` calls it with the captures
//! of one side and the MRZ read by the MRZ stage.

use std::collections::BTreeMap;
use std::time::Instant;

use image::RgbImage;
use serde::Serialize;
use tdverify_core::{Capture, Check, CheckStatus, Light};
use tdverify_mrz::{Mrz, MrzDate};

use super::{LightPage, PageContext, coaxial, data, ir, layout, mrz_print, photo, portrait_integrity, uv, viz};
use crate::identify::{
    NO_TEMPLATE_MESSAGE, generic_side, icao_page_size, identify,
};
use crate::quality;
use crate::reference::{MrzFormat, ReferenceLibrary, Side, Template, VizField, ZoneKind};
use crate::register::{
    PageOutline, RectifiedPage, Registration, candidate_quadrants, find_page, registration_for,
};

/// What the caller knows besides the images.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentOptions {
    /// The inspection date ("today"), for expiry.
    pub today: MrzDate,
    /// Which template side the captures show (`None`: decided from the page).
    pub side: Option<String>,
    /// VIZ fields read by an OCR stage or typed by the officer.
    pub viz: Option<BTreeMap<VizField, String>>,
}

impl DocumentOptions {
    /// Options with today's date from the system clock.
    pub fn today() -> DocumentOptions {
        DocumentOptions {
            today: system_date(),
            side: None,
            viz: None,
        }
    }
}

/// One light's registration, for the report and the UI overlays.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LightRegistration {
    /// The light.
    pub light: Light,
    /// Where the page is in that capture.
    pub registration: Registration,
}

/// Time spent in one stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageTiming {
    /// Stage name.
    pub stage: String,
    /// Milliseconds.
    pub ms: f64,
}

/// Result of the document stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentReport {
    /// Matched template key (`UTO/passport`), or `None`: generic checks only.
    pub template: Option<String>,
    /// Issuer name from the template.
    pub issuer: Option<String>,
    /// Document name from the template.
    pub document: Option<String>,
    /// Side checked.
    pub side: Option<String>,
    /// Set when no template matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Per-light registrations.
    pub registrations: Vec<LightRegistration>,
    /// Every check, in a stable order.
    pub checks: Vec<Check>,
    /// Capture quality measurements.
    pub quality: Vec<quality::QualityMeasure>,
    /// MRZ print measurement, when made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mrz_print: Option<mrz_print::MrzPrintMeasure>,
    /// Milliseconds per stage.
    pub timings: Vec<StageTiming>,
    /// The portrait copies the template declares (photo, ghost image), cut
    /// out upright for the face stage; empty without a template.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub portrait_copies: Vec<photo::PortraitCopy>,
}

impl DocumentReport {
    /// True when any check failed.
    pub fn any_failure(&self) -> bool {
        self.checks.iter().any(|c| c.status == CheckStatus::Fail)
    }

    /// The check with an id, if emitted.
    pub fn check(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }
}

/// Runs the document stage with today's date from the system clock.
pub fn check_document(
    captures: &[Capture],
    library: &ReferenceLibrary,
    mrz: Option<&Mrz>,
    progress: &mut dyn FnMut(&str, f32),
) -> DocumentReport {
    check_document_with(captures, library, mrz, &DocumentOptions::today(), progress)
}

/// Runs the document stage: identify, register, quality, checks.
/// `progress(stage, fraction_done)` is called as stages complete.
pub fn check_document_with(
    captures: &[Capture],
    library: &ReferenceLibrary,
    mrz: Option<&Mrz>,
    options: &DocumentOptions,
    progress: &mut dyn FnMut(&str, f32),
) -> DocumentReport {
    let mut timings = Vec::new();
    let mut clock = Instant::now();
    let mut lap = |stage: &str, timings: &mut Vec<StageTiming>| {
        timings.push(StageTiming {
            stage: stage.to_string(),
            ms: clock.elapsed().as_secs_f64() * 1000.0,
        });
        clock = Instant::now();
    };
    progress("identify", 0.0);
    let (template, template_check) = identify(library, mrz);
    let format = template
        .map(|t| t.document.mrz_format)
        .or(mrz.map(|m| m.format.family()));
    let mut report = DocumentReport {
        template: template.map(|t| t.key.clone()),
        issuer: template.map(|t| t.issuer.name.clone()),
        document: template.map(|t| t.document.name.clone()),
        side: None,
        note: template.is_none().then(|| NO_TEMPLATE_MESSAGE.to_string()),
        registrations: Vec::new(),
        checks: vec![template_check],
        quality: Vec::new(),
        mrz_print: None,
        timings: Vec::new(),
        portrait_copies: Vec::new(),
    };
    lap("identify", &mut timings);

    // Decode each light once.
    let mut images: Vec<(Light, RgbImage)> = Vec::new();
    for capture in captures {
        if !images.iter().any(|(l, _)| *l == capture.light) {
            images.push((capture.light, capture.image.to_rgb8()));
        }
    }
    if images.iter().all(|(light, _)| *light == Light::Coaxial) {
        report.checks.push(Check::new(
            "document.registration",
            CheckStatus::Error,
            "No white, UV or IR capture of the document was given.",
        ));
        report.timings = timings;
        return report;
    }
    progress("register", 0.1);

    // The generic side (no template) or the template's sides.
    let generic;
    let sides: Vec<&Side> = match template {
        Some(t) => t.sides.iter().collect(),
        None => {
            let (side, _, _) = generic_side(format.unwrap_or(MrzFormat::Td3));
            generic = side;
            vec![&generic]
        }
    };
    let (width_mm, height_mm) = match template {
        Some(t) => (t.document.width_mm, t.document.height_mm),
        None => icao_page_size(format.unwrap_or(MrzFormat::Td3)),
    };

    // Register the reference light (white, else IR, else UV) and choose side and orientation.
    let order = [Light::White, Light::Ir, Light::Uv];
    let Some((reference_light, reference_image)) = order
        .iter()
        .find_map(|l| images.iter().find(|(light, _)| light == l))
        .map(|(l, i)| (*l, i))
    else {
        report.timings = timings;
        return report;
    };
    let outline = match find_page(reference_image) {
        Ok(outline) => outline,
        Err(error) => {
            report.checks.push(Check::new(
                "document.registration",
                CheckStatus::Error,
                format!(
                    "The {reference_light} capture cannot be used: {error}. Recapture the document."
                ),
            ));
            report.timings = timings;
            return report;
        }
    };
    let Some((side, registration)) = choose_side_and_orientation(
        reference_image,
        &outline,
        &sides,
        options.side.as_deref(),
        width_mm,
        height_mm,
        format.map(MrzFormat::line_count).unwrap_or(2),
    ) else {
        report.checks.push(Check::new(
            "document.registration",
            CheckStatus::Error,
            "The page outline is degenerate: recapture the document flat and whole.",
        ));
        report.timings = timings;
        return report;
    };
    report.side = Some(side.name.clone());
    lap("register", &mut timings);
    progress("rectify", 0.3);

    // Every light: reuse the reference registration when the page sits at the
    // same place, else register it on its own.
    let mut pages: Vec<LightPage> = Vec::new();
    let mut quality_inputs = Vec::new();
    for (light, image) in &images {
        let own = if *light == reference_light {
            registration.clone()
        } else {
            aligned_registration(image, &registration, width_mm, height_mm)
        };
        let rectified = RectifiedPage::new(image, &own, width_mm, height_mm);
        if *light == Light::Coaxial {
            // Coaxial images are dim by nature: the white, UV and IR quality
            // rules do not apply to them.
            report.registrations.push(LightRegistration {
                light: *light,
                registration: own.clone(),
            });
            pages.push(LightPage::new(*light, rectified, own));
            continue;
        }
        let mut measure = quality::measure(*light, image, &own);
        let whole = crate::reference::RectMm {
            x: 0.0,
            y: 0.0,
            w: width_mm,
            h: height_mm,
        };
        let page = LightPage::new(*light, rectified, own.clone());
        measure.glare_blobs = quality::glare_blobs(*light, &page.glare, side, &own);
        quality_inputs.push((measure.clone(), own.region(&whole)));
        report.quality.push(measure);
        report.registrations.push(LightRegistration {
            light: *light,
            registration: own,
        });
        pages.push(page);
    }
    lap("rectify", &mut timings);
    let registration_check = {
        let confidence = registration.confidence;
        let message = format!(
            "Page found ({}, turned {}°, {:.0} dpi, confidence {:.0}%).",
            registration.method,
            registration.rotation_quadrant_deg,
            registration.px_per_mm * 25.4,
            confidence * 100.0
        );
        let whole = crate::reference::RectMm {
            x: 0.0,
            y: 0.0,
            w: width_mm,
            h: height_mm,
        };
        let evidence =
            tdverify_core::Evidence::region(reference_light, registration.region(&whole));
        let status = if confidence >= 0.5 {
            CheckStatus::Pass
        } else {
            CheckStatus::Warn
        };
        let mut check = Check::new(
            "document.registration",
            status,
            if status == CheckStatus::Pass {
                message
            } else {
                format!(
                    "{message} The page edges were not found clearly: place the document on a plain, contrasting background."
                )
            },
        );
        check.confidence = confidence;
        check.with_evidence(evidence)
    };
    report.checks.push(registration_check);
    report.checks.extend(quality::checks(&quality_inputs));
    lap("quality", &mut timings);
    progress("checks", 0.5);

    let take = |light: Light, pages: &mut Vec<LightPage>| {
        pages
            .iter()
            .position(|p| p.light == light)
            .map(|i| pages.remove(i))
    };
    let ctx = PageContext {
        template,
        side,
        width_mm,
        height_mm,
        white: take(Light::White, &mut pages),
        uv: take(Light::Uv, &mut pages),
        ir: take(Light::Ir, &mut pages),
        coaxial: take(Light::Coaxial, &mut pages),
        mrz,
        today: options.today,
    };
    report.checks.push(ir::b900(&ctx));
    report.checks.push(ir::zones(&ctx));
    lap("ir", &mut timings);
    progress("checks", 0.6);
    report.checks.push(uv::dull_paper(&ctx));
    report.checks.push(uv::features(&ctx));
    lap("uv", &mut timings);
    report.checks.push(coaxial::laminate(&ctx));
    report.checks.push(coaxial::ovd(&ctx));
    lap("coaxial", &mut timings);
    progress("checks", 0.7);
    report.checks.push(photo::integrity(&ctx));
    let white_capture = images.iter().find(|(light, _)| *light == Light::White).map(|(_, image)| image);
    report.checks.extend(portrait_integrity::checks(&ctx, white_capture));
    if template.is_some() {
        report.portrait_copies = photo::portrait_copies(&ctx, &images);
    }
    let (print_check, print_measure) = mrz_print::print(&ctx);
    report.checks.push(print_check);
    report.mrz_print = print_measure;
    report.checks.push(layout::layout(&ctx));
    lap("print_layout", &mut timings);
    progress("checks", 0.9);
    report.checks.push(data::expiry(mrz, &options.today));
    report
        .checks
        .push(data::plausibility(mrz, template, &options.today));
    lap("data", &mut timings);
    progress("viz", 0.95);
    let white_image = images
        .iter()
        .find(|(light, _)| *light == Light::White)
        .map(|(_, image)| image);
    let viz_checks = viz::checks(&ctx, white_image);
    // Officer-typed VIZ text wins; otherwise the reading sums up.
    report.checks.push(match options.viz.as_ref() {
        Some(typed) => data::viz_vs_mrz(mrz, Some(typed), &options.today),
        None => viz::summary(&viz_checks),
    });
    report.checks.extend(viz_checks);
    lap("viz", &mut timings);
    progress("done", 1.0);
    report.timings = timings;
    report
}

/// Fraction of dark ink on the page that falls inside the side's content zones
/// (photo, VIZ, MRZ, signature): high when side and orientation are right.
fn zone_fit(page: &RectifiedPage, side: &Side) -> f32 {
    let mut lumas: Vec<f32> = page
        .luma
        .pixels()
        .step_by(7)
        .map(|p| f32::from(p.0[0]))
        .collect();
    let substrate = crate::register::median(&mut lumas);
    let threshold = substrate * 0.5;
    let zones: Vec<(u32, u32, u32, u32)> = side
        .zones
        .iter()
        .filter(|z| {
            matches!(
                z.kind,
                ZoneKind::Photo | ZoneKind::Viz | ZoneKind::Mrz | ZoneKind::Signature
            )
        })
        .map(|z| page.px_rect(&z.rect_mm))
        .collect();
    let (mut inside, mut total) = (0u32, 0u32);
    for (x, y, p) in page.luma.enumerate_pixels() {
        if (x + y) % 2 == 1 || f32::from(p.0[0]) >= threshold {
            continue;
        }
        total += 1;
        if zones
            .iter()
            .any(|&(x0, y0, x1, y1)| x >= x0 && x < x1 && y >= y0 && y < y1)
        {
            inside += 1;
        }
    }
    if total == 0 {
        0.0
    } else {
        inside as f32 / total as f32
    }
}

/// Tries each side (or the requested one) at each compatible quarter turn and
/// keeps the combination whose ink best fills the side's zones.
fn choose_side_and_orientation<'a>(
    image: &RgbImage,
    outline: &PageOutline,
    sides: &[&'a Side],
    requested: Option<&str>,
    width_mm: f32,
    height_mm: f32,
    mrz_lines: usize,
) -> Option<(&'a Side, Registration)> {
    let candidates: Vec<&'a Side> =
        match requested.and_then(|name| sides.iter().find(|s| s.name == name)) {
            Some(side) => vec![*side],
            None => sides.to_vec(),
        };
    let mut best: Option<(f32, &'a Side, Registration)> = None;
    for quadrant in candidate_quadrants(outline, width_mm, height_mm) {
        let Ok(registration) = registration_for(outline, quadrant, width_mm, height_mm) else {
            continue;
        };
        let page = RectifiedPage::new(image, &registration, width_mm, height_mm);
        let light_page = LightPage::new(Light::White, page.clone(), registration.clone());
        for side in &candidates {
            let mut fit = zone_fit(&page, side);
            // An MRZ side must show an MRZ: lines of characters at the OCR-B pitch.
            if let (Some(zone), Some(layout)) = (side.mrz_zone(), side.mrz) {
                let shows_mrz = mrz_print::measure(&light_page, &zone.rect_mm, mrz_lines, &layout)
                    .is_some_and(|m| {
                        m.lines_found == mrz_lines
                            && (m.pitch_mm / layout.pitch_mm - 1.0).abs() < 0.06
                            && (m.char_height_mm / layout.char_height_mm - 1.0).abs() < 0.3
                            && m.grid_spread < 0.16
                    });
                fit += if shows_mrz { 0.5 } else { -0.5 };
            }
            if best.as_ref().is_none_or(|b| fit > b.0) {
                best = Some((fit, side, registration.clone()));
            }
        }
    }
    best.map(|(_, side, registration)| (side, registration))
}

/// The registration of another light's capture: the reference one when that
/// capture's own outline agrees with it (the usual aligned multi-light scan),
/// else the capture's own outline at the same turn.
fn aligned_registration(
    image: &RgbImage,
    reference: &Registration,
    width_mm: f32,
    height_mm: f32,
) -> Registration {
    let Ok(outline) = find_page(image) else {
        return reused(reference);
    };
    if outline.whole_image {
        return reused(reference);
    }
    let Ok(own) = registration_for(
        &outline,
        reference.rotation_quadrant_deg,
        width_mm,
        height_mm,
    ) else {
        return reused(reference);
    };
    let diagonal = {
        let c = &reference.page_corners_px;
        ((c[0][0] - c[2][0]).powi(2) + (c[0][1] - c[2][1]).powi(2))
            .sqrt()
            .max(1.0)
    };
    let max_offset = own
        .page_corners_px
        .iter()
        .zip(&reference.page_corners_px)
        .map(|(a, b)| ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt())
        .fold(0.0f32, f32::max);
    if max_offset <= 0.02 * diagonal || own.confidence < 0.5 {
        reused(reference)
    } else {
        Registration {
            method: "re-registered".into(),
            ..own
        }
    }
}

fn reused(reference: &Registration) -> Registration {
    Registration {
        method: "reused_from_reference_light".into(),
        ..reference.clone()
    }
}

/// Today's date (UTC) from the system clock.
pub fn system_date() -> MrzDate {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() / 86_400)
        .unwrap_or(0) as i64;
    let (year, month, day) = tdverify_core::civil::civil_from_days(days);
    MrzDate::new(year as u16, month as u8, day as u8)
}

/// The template a report matched, from the library.
pub fn report_template<'a>(
    report: &DocumentReport,
    library: &'a ReferenceLibrary,
) -> Option<&'a Template> {
    report.template.as_deref().and_then(|key| library.get(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_date_is_plausible() {
        let today = system_date();
        assert!(today.year >= 2024 && today.is_valid());
    }

    #[test]
    fn no_captures_is_an_error_check() {
        let library = ReferenceLibrary::from_templates(std::path::PathBuf::new(), Vec::new());
        let report = check_document(&[], &library, None, &mut |_, _| {});
        assert!(report.checks.iter().any(|c| c.status == CheckStatus::Error));
    }
}
