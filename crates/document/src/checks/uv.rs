//! Ultraviolet checks. Security paper contains no optical brighteners, so its
//! substrate stays dull under UV-A while office paper glows blue-white; the
//! issuer's fluorescent inks and fibres glow in their declared colours.
//!
//! Brightness is measured relative to the same page under white light, which
//! cancels lamp power and exposure differences between capture devices.

use tdverify_core::{Check, CheckStatus};

use super::{LightPage, PageContext, pct};
use crate::reference::{Colour, RectMm, UvSubstrate, ZoneKind};

/// Substrate UV/white luma ratio above which paper counts as UV-bright.
/// Security paper measures well under 0.3, brightened office paper above 0.5.
pub const DULL_MAX_RATIO: f32 = 0.40;

/// Fraction of a fluorescent zone that must glow for the feature to count as present.
const MIN_GLOW_FRACTION: f32 = 0.005;

/// Fraction of a fibre zone that must show glowing fibres.
const MIN_FIBRE_FRACTION: f32 = 0.0003;

/// `uv.dull_paper`: the substrate does not fluoresce.
pub fn dull_paper(ctx: &PageContext<'_>) -> Check {
    const ID: &str = "uv.dull_paper";
    let Some(uv) = ctx.uv.as_ref() else {
        return Check::new(
            ID,
            CheckStatus::NotApplicable,
            "No UV capture: take a UV image to check the paper.",
        );
    };
    if ctx.side.uv.substrate == UvSubstrate::Bright {
        return Check::new(
            ID,
            CheckStatus::NotApplicable,
            "The template declares a UV-bright substrate for this side.",
        );
    }
    let page = ctx.page_rect();
    let page_area = page.w * page.h;
    let glowing: Vec<RectMm> = glowing_zones(ctx)
        .into_iter()
        .map(|(rect, _)| rect)
        .filter(|r| r.w * r.h < 0.3 * page_area)
        .collect();
    let mut values = uv.luma_in(&page, &glowing);
    if values.is_empty() {
        values = uv.luma_in(&page, &[]);
    }
    let uv_level = super::median(&mut values);
    let white_level = ctx
        .white
        .as_ref()
        .map(|w| w.substrate_luma)
        .filter(|l| *l > 20.0);
    let (ratio, detail) = match white_level {
        Some(white) => {
            let ratio = uv_level / white;
            (
                ratio,
                format!(
                    "substrate brightness under UV {:.0}/255 = {} of its white-light brightness (security paper: under {})",
                    uv_level,
                    pct(ratio),
                    pct(DULL_MAX_RATIO)
                ),
            )
        }
        None => {
            let ratio = uv_level / 255.0;
            (
                ratio,
                format!(
                    "substrate brightness under UV {:.0}/255 (no white capture to compare with)",
                    uv_level
                ),
            )
        }
    };
    let evidence = uv.evidence(&page).with_detail(detail.clone());
    if ratio <= DULL_MAX_RATIO {
        Check::pass(ID, format!("Paper is dull under UV: {detail}.")).with_evidence(evidence)
    } else {
        let confidence = ((ratio - DULL_MAX_RATIO) / 0.2 + 0.5).clamp(0.5, 1.0);
        Check::fail(
            ID,
            format!("Paper glows under UV (optical brighteners): not security paper. {detail}."),
        )
        .with_confidence(confidence)
        .with_evidence(evidence)
    }
}

/// Zones expected to glow and their colours (fibre zones have no single colour).
fn glowing_zones(ctx: &PageContext<'_>) -> Vec<(RectMm, Option<Colour>)> {
    let mut zones: Vec<(RectMm, Option<Colour>)> = ctx
        .side
        .uv
        .fluorescent
        .iter()
        .filter_map(|f| ctx.side.zone(&f.zone).map(|z| (z.rect_mm, Some(f.colour))))
        .collect();
    for zone in ctx.side.zones_of(ZoneKind::UvFibres) {
        zones.push((zone.rect_mm, None));
    }
    zones
}

/// How much of a zone is covered by its fluorescent colour, from the zone's
/// mean colour: the projection of (mean − substrate) on (expected − substrate),
/// as a fraction of full coverage. Blur and resolution change where the glow
/// is, not its mean, so this holds for phone photos as for 600 dpi scans.
fn colour_coverage(uv: &LightPage, rect: &RectMm, colour: Colour) -> f32 {
    let (x0, y0, x1, y1) = uv.page.px_rect(rect);
    let total = ((x1 - x0) * (y1 - y0)) as f32;
    if total < 1.0 {
        return 0.0;
    }
    let mut sum = [0f64; 3];
    for y in y0..y1 {
        for x in x0..x1 {
            let p = uv.page.rgb.get_pixel(x, y).0;
            for c in 0..3 {
                sum[c] += f64::from(p[c]);
            }
        }
    }
    let mean = sum.map(|v| (v / f64::from(total)) as f32);
    let expected = colour.0.map(f32::from);
    let direction = [
        expected[0] - uv.substrate_rgb[0],
        expected[1] - uv.substrate_rgb[1],
        expected[2] - uv.substrate_rgb[2],
    ];
    let length_sq = direction.iter().map(|d| d * d).sum::<f32>();
    if length_sq < 400.0 {
        return 0.0; // the feature colour is the substrate colour: nothing to see
    }
    let shift = [
        mean[0] - uv.substrate_rgb[0],
        mean[1] - uv.substrate_rgb[1],
        mean[2] - uv.substrate_rgb[2],
    ];
    (shift
        .iter()
        .zip(&direction)
        .map(|(s, d)| s * d)
        .sum::<f32>()
        / length_sq)
        .max(0.0)
}

/// Fraction of a zone's pixels showing fibres: strongly coloured and far from
/// the substrate colour (fibres may be brighter or, on bright paper, darker).
fn fibre_fraction(uv: &LightPage, rect: &RectMm) -> f32 {
    let (x0, y0, x1, y1) = uv.page.px_rect(rect);
    let total = ((x1 - x0) * (y1 - y0)) as f32;
    if total < 1.0 {
        return 0.0;
    }
    let substrate = uv.substrate_rgb;
    let mut hits = 0u32;
    for y in y0..y1 {
        for x in x0..x1 {
            let p = uv.page.rgb.get_pixel(x, y).0.map(f32::from);
            let max = p[0].max(p[1]).max(p[2]);
            let min = p[0].min(p[1]).min(p[2]);
            if max - min > 60.0 && distance(&p, &substrate) > 70.0 {
                hits += 1;
            }
        }
    }
    hits as f32 / total
}

fn distance(a: &[f32; 3], b: &[f32; 3]) -> f32 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
}

/// `uv.features`: each declared fluorescent pattern and the fibres glow.
pub fn features(ctx: &PageContext<'_>) -> Check {
    const ID: &str = "uv.features";
    let Some(uv) = ctx.uv.as_ref() else {
        return Check::new(
            ID,
            CheckStatus::NotApplicable,
            "No UV capture: take a UV image to check the UV features.",
        );
    };
    let side = ctx.side;
    let mut judged = Vec::new();
    let mut missing = Vec::new();
    let mut evidence = Vec::new();
    for fluorescent in &side.uv.fluorescent {
        let Some(zone) = side.zone(&fluorescent.zone) else {
            continue;
        };
        let fraction = colour_coverage(uv, &zone.rect_mm, fluorescent.colour);
        let line = format!(
            "{}: glowing {} covers {} of the zone (expected at least {})",
            zone.name,
            String::from(fluorescent.colour),
            pct_fine(fraction),
            pct_fine(MIN_GLOW_FRACTION)
        );
        evidence.push(uv.evidence(&zone.rect_mm).with_detail(line.clone()));
        if fraction < MIN_GLOW_FRACTION {
            missing.push(line);
        } else {
            judged.push(line);
        }
    }
    if !side.uv.fibre_colours.is_empty() {
        for zone in side.zones_of(ZoneKind::UvFibres) {
            let fraction = fibre_fraction(uv, &zone.rect_mm);
            let line = format!(
                "fibres in {}: {} of the zone (expected at least {})",
                zone.name,
                pct_fine(fraction),
                pct_fine(MIN_FIBRE_FRACTION)
            );
            evidence.push(uv.evidence(&zone.rect_mm).with_detail(line.clone()));
            if fraction < MIN_FIBRE_FRACTION {
                missing.push(line);
            } else {
                judged.push(line);
            }
        }
    }
    if judged.is_empty() && missing.is_empty() {
        return Check::new(
            ID,
            CheckStatus::NotApplicable,
            "The template declares no UV features for this side.",
        );
    }
    if missing.is_empty() {
        let mut check = Check::pass(ID, format!("UV features present: {}.", judged.join("; ")));
        check.evidence = evidence;
        return check;
    }
    let mut check = Check::fail(ID, format!("UV features missing: {}.", missing.join("; ")))
        .with_confidence(0.85);
    check.evidence = evidence;
    check
}

fn pct_fine(value: f32) -> String {
    format!("{:.2}%", value * 100.0)
}
