//! Security-feature and data checks on a registered page, one file per family.
//!
//! Every check measures a physical property relative to the template and to
//! the page itself (for example the UV brightness of the substrate relative to
//! its white-light brightness), so that it holds for any printer, scanner or
//! camera rather than for one generator's pixels. Each returns
//! `tdverify_core::Check`s whose message states measured against expected
//! values and whose evidence points at the region on the right light's capture.

pub mod coaxial;
pub mod data;
pub mod document;
pub mod ir;
pub mod layout;
pub mod mrz_print;
pub mod photo;
pub mod portrait_integrity;
pub mod uv;
pub mod viz;

use tdverify_core::{CheckIdInfo, Evidence, Light};
use tdverify_mrz::{Mrz, MrzDate};

use crate::quality::GlareMap;
use crate::reference::{RectMm, Side, Template, Zone};
use crate::register::{RECTIFIED_PX_PER_MM, RectifiedPage, Registration, median, percentile};

/// Every check id this crate can emit, with its meaning (the documented table).
pub const CHECK_IDS: &[CheckIdInfo] = &[
    CheckIdInfo {
        id: "document.template_match",
        meaning: "a reference template exists for the MRZ's issuer, document code and format",
    },
    CheckIdInfo {
        id: "document.registration",
        meaning: "the page was found in the capture and mapped to the template",
    },
    CheckIdInfo {
        id: "document.layout",
        meaning: "printed zones (photo, VIZ, MRZ) sit where the template puts them",
    },
    CheckIdInfo {
        id: "document.expiry",
        meaning: "document not expired on the inspection date",
    },
    CheckIdInfo {
        id: "document.plausibility",
        meaning: "issuer known; birth, expiry and validity period plausible",
    },
    CheckIdInfo {
        id: "ir.b900",
        meaning: "MRZ printed in IR-absorbing ink (ICAO 9303 B900 band), contrast measured",
    },
    CheckIdInfo {
        id: "ir.zones",
        meaning: "IR-absorbing and IR-transparent zones behave as the template declares",
    },
    CheckIdInfo {
        id: "uv.dull_paper",
        meaning: "substrate dull under UV (no optical brighteners)",
    },
    CheckIdInfo {
        id: "uv.features",
        meaning: "UV-fluorescent patterns and fibres present where the template expects",
    },
    CheckIdInfo {
        id: "coaxial.laminate",
        meaning: "retro-reflective laminate pattern unbroken under coaxial light where the template declares it",
    },
    CheckIdInfo {
        id: "coaxial.ovd",
        meaning: "declared OVDs reflect specularly under coaxial light, unlike print",
    },
    CheckIdInfo {
        id: "photo.integrity",
        meaning: "no photo-substitution signs (UV glow, IR transparency, hard paper edge at the photo)",
    },
    CheckIdInfo {
        id: "photo.guilloche_continuity",
        meaning: "the frame lines the template declares run on across the portrait's edge (a portrait cut out and replaced breaks them)",
    },
    CheckIdInfo {
        id: "photo.overlap_intact",
        meaning: "the seal and OVD the template lays across the portrait's edge continue from the page onto the portrait",
    },
    CheckIdInfo {
        id: "mrz.print",
        meaning: "MRZ print: character pitch, regular OCR-B spacing and position against the template",
    },
    CheckIdInfo {
        id: "consistency.viz_vs_mrz",
        meaning: "VIZ fields agree with the MRZ: typed by the officer, else the viz.mrz.* readings summed up",
    },
    CheckIdInfo {
        id: "viz.mrz.document_number",
        meaning: "document number read in the VIZ (white light) equals the MRZ's",
    },
    CheckIdInfo {
        id: "viz.mrz.birth_date",
        meaning: "date of birth read in the VIZ equals the MRZ's, in the template's VIZ date format",
    },
    CheckIdInfo {
        id: "viz.mrz.expiry_date",
        meaning: "date of expiry read in the VIZ equals the MRZ's, in the template's VIZ date format",
    },
    CheckIdInfo {
        id: "viz.mrz.name",
        meaning: "surname and given names read in the VIZ match the MRZ after transliteration",
    },
    CheckIdInfo {
        id: "capture.quality.*",
        meaning: "capture quality per light: focus, glare, resolution, perspective, exposure",
    },
];

/// One light's capture, registered and rectified.
#[derive(Debug, Clone)]
pub struct LightPage {
    /// The light.
    pub light: Light,
    /// Page resampled upright.
    pub page: RectifiedPage,
    /// How the capture maps to the page.
    pub registration: Registration,
    /// Median luma of the page (the substrate dominates any page).
    pub substrate_luma: f32,
    /// Median colour of the page.
    pub substrate_rgb: [f32; 3],
    /// Where the page is washed out by glare (white light only; empty otherwise).
    pub glare: GlareMap,
}

impl LightPage {
    /// Rectifies and measures one capture.
    pub fn new(light: Light, page: RectifiedPage, registration: Registration) -> LightPage {
        let mut luma: Vec<f32> = page
            .luma
            .pixels()
            .step_by(3)
            .map(|p| f32::from(p.0[0]))
            .collect();
        let substrate_luma = median(&mut luma);
        let mut substrate_rgb = [0f32; 3];
        for (c, value) in substrate_rgb.iter_mut().enumerate() {
            let mut channel: Vec<f32> = page
                .rgb
                .pixels()
                .step_by(3)
                .map(|p| f32::from(p.0[c]))
                .collect();
            *value = median(&mut channel);
        }
        let glare = if light == Light::White {
            GlareMap::from_page(&page)
        } else {
            GlareMap::default()
        };
        LightPage {
            light,
            page,
            registration,
            substrate_luma,
            substrate_rgb,
            glare,
        }
    }

    /// Evidence on this capture for a template rectangle.
    pub fn evidence(&self, rect: &RectMm) -> Evidence {
        Evidence::region(self.light, self.registration.region(rect))
    }

    /// Luma values of a millimetre rectangle, skipping pixels inside `exclude`.
    pub fn luma_in(&self, rect: &RectMm, exclude: &[RectMm]) -> Vec<f32> {
        let (x0, y0, x1, y1) = self.page.px_rect(rect);
        let excluded: Vec<(u32, u32, u32, u32)> =
            exclude.iter().map(|r| self.page.px_rect(r)).collect();
        let mut values = Vec::with_capacity(((x1 - x0) * (y1 - y0)) as usize);
        for y in y0..y1 {
            for x in x0..x1 {
                if excluded
                    .iter()
                    .any(|&(ex0, ey0, ex1, ey1)| x >= ex0 && x < ex1 && y >= ey0 && y < ey1)
                {
                    continue;
                }
                values.push(f32::from(self.page.luma.get_pixel(x, y).0[0]));
            }
        }
        values
    }

    /// Fraction of a rectangle's pixels that are dark print: darker than
    /// `factor` × the substrate. Counts how much ink there is, unlike
    /// [`LightPage::ink_contrast`] which says how dark the darkest ink is.
    pub fn ink_coverage(&self, rect: &RectMm, exclude: &[RectMm], factor: f32) -> Option<f32> {
        let values = self.luma_in(rect, exclude);
        if values.len() < 16 {
            return None;
        }
        let threshold = self.substrate_luma * factor;
        Some(values.iter().filter(|&&v| v < threshold).count() as f32 / values.len() as f32)
    }

    /// Ink contrast of a rectangle against the page substrate: how much darker
    /// than the substrate its darkest 5% are, as a fraction (0 blank, 1 black).
    pub fn ink_contrast(&self, rect: &RectMm, exclude: &[RectMm]) -> Option<f32> {
        let mut values = self.luma_in(rect, exclude);
        if values.len() < 16 || self.substrate_luma < 1.0 {
            return None;
        }
        let dark = percentile(&mut values, 0.05);
        Some(((self.substrate_luma - dark) / self.substrate_luma).clamp(0.0, 1.0))
    }
}

/// Everything a check needs about one side of one document.
pub struct PageContext<'a> {
    /// The matched template (`None`: generic ICAO checks only).
    pub template: Option<&'a Template>,
    /// The side being checked (a generic side when no template matched).
    pub side: &'a Side,
    /// Page width in millimetres.
    pub width_mm: f32,
    /// Page height in millimetres.
    pub height_mm: f32,
    /// White-light page, when captured and registered.
    pub white: Option<LightPage>,
    /// UV page.
    pub uv: Option<LightPage>,
    /// IR page.
    pub ir: Option<LightPage>,
    /// Coaxial-light page.
    pub coaxial: Option<LightPage>,
    /// The MRZ as read (OCR or typed), when known.
    pub mrz: Option<&'a Mrz>,
    /// The inspection date.
    pub today: MrzDate,
}

impl PageContext<'_> {
    /// The page of one light.
    pub fn light(&self, light: Light) -> Option<&LightPage> {
        match light {
            Light::White => self.white.as_ref(),
            Light::Uv => self.uv.as_ref(),
            Light::Ir => self.ir.as_ref(),
            Light::Coaxial => self.coaxial.as_ref(),
        }
    }

    /// The whole page as a millimetre rectangle, less a small margin (page edges
    /// carry shadows and background).
    pub fn page_rect(&self) -> RectMm {
        let margin = 1.5;
        RectMm {
            x: margin,
            y: margin,
            w: (self.width_mm - 2.0 * margin).max(1.0),
            h: (self.height_mm - 2.0 * margin).max(1.0),
        }
    }

    /// The side's MRZ zone, if it has one.
    pub fn mrz_zone(&self) -> Option<&Zone> {
        self.side.mrz_zone()
    }
}

/// Converts millimetres to rectified pixels.
pub fn mm_to_px(mm: f32) -> f32 {
    mm * RECTIFIED_PX_PER_MM
}

/// Formats a fraction as a percentage for messages.
pub fn pct(value: f32) -> String {
    format!("{:.0}%", value * 100.0)
}
