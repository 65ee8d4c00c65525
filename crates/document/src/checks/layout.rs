//! Layout: the printed personal data (photo, VIZ fields, signature) sits
//! where the template puts it, relative to the page edges.
//!
//! Counterfeits are laid out by eye from a genuine document and land a few
//! millimetres off. The check finds the shift of the whole printed layout that
//! best puts its ink inside the template's zones; a genuine page needs none.

use tdverify_core::{Check, CheckStatus};

use super::{LightPage, PageContext};
use crate::reference::{RectMm, ZoneKind};
use crate::register::RECTIFIED_PX_PER_MM;

/// Largest tolerated layout shift, in mm.
pub const MAX_SHIFT_MM: f32 = 2.0;

/// Search range, in mm, each way.
const SEARCH_MM: f32 = 5.0;

/// Result of the shift search.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LayoutShift {
    /// Best shift of the print relative to the template, mm.
    pub dx_mm: f32,
    /// Best shift, mm.
    pub dy_mm: f32,
    /// Ink inside the zones with no shift, relative to the best shift.
    pub fit_at_zero: f32,
}

/// The zones whose print is laid out by hand on a counterfeit: photo, VIZ and
/// signature. The MRZ is left out: `mrz.print` checks its position, and a
/// forger who prints it with a template-aware tool while placing the rest by
/// eye would otherwise pin the measured shift to zero with its mass of ink
/// (the B900 MRZ dominates the IR picture).
fn content_zones(ctx: &PageContext<'_>) -> Vec<RectMm> {
    let page_area = ctx.width_mm * ctx.height_mm;
    ctx.side
        .zones
        .iter()
        .filter(|z| {
            matches!(
                z.kind,
                ZoneKind::Photo | ZoneKind::Viz | ZoneKind::Signature
            )
        })
        .filter(|z| z.rect_mm.w * z.rect_mm.h < 0.4 * page_area)
        .map(|z| z.rect_mm)
        .collect()
}

/// Finds the shift of the print's dark ink relative to the zones.
pub fn measure(page: &LightPage, zones: &[RectMm]) -> Option<LayoutShift> {
    measure_excluding(page, zones, &[])
}

/// [`measure`], ignoring the ink inside `exclude` (print laid out on its own,
/// such as the MRZ, whose mass of ink would otherwise attract the zones).
pub fn measure_excluding(
    page: &LightPage,
    zones: &[RectMm],
    exclude: &[RectMm],
) -> Option<LayoutShift> {
    let (w, h) = page.page.luma.dimensions();
    let (w, h) = (w as usize, h as usize);
    let threshold = page.substrate_luma * 0.5;
    let excluded: Vec<(u32, u32, u32, u32)> =
        exclude.iter().map(|r| page.page.px_rect(r)).collect();
    let outside = |x: usize, y: usize| {
        let (x, y) = (x as u32, y as u32);
        !excluded
            .iter()
            .any(|&(x0, y0, x1, y1)| x >= x0 && x < x1 && y >= y0 && y < y1)
    };
    // Integral image of ink pixels.
    let mut integral = vec![0u32; (w + 1) * (h + 1)];
    let mut total = 0u64;
    for y in 0..h {
        let mut row = 0u32;
        for x in 0..w {
            let ink = f32::from(page.page.luma.get_pixel(x as u32, y as u32).0[0]) < threshold
                && outside(x, y);
            row += u32::from(ink);
            integral[(y + 1) * (w + 1) + x + 1] = integral[y * (w + 1) + x + 1] + row;
        }
        total += u64::from(row);
    }
    if total < 200 {
        return None;
    }
    let sum = |x0: i64, y0: i64, x1: i64, y1: i64| -> u64 {
        let cx = |v: i64| v.clamp(0, w as i64) as usize;
        let cy = |v: i64| v.clamp(0, h as i64) as usize;
        let (x0, x1, y0, y1) = (cx(x0), cx(x1), cy(y0), cy(y1));
        if x1 <= x0 || y1 <= y0 {
            return 0;
        }
        let at = |x: usize, y: usize| u64::from(integral[y * (w + 1) + x]);
        at(x1, y1) + at(x0, y0) - at(x0, y1) - at(x1, y0)
    };
    let s = RECTIFIED_PX_PER_MM;
    let px: Vec<[i64; 4]> = zones
        .iter()
        .map(|r| {
            [
                (r.x * s) as i64,
                (r.y * s) as i64,
                (r.right() * s) as i64,
                (r.bottom() * s) as i64,
            ]
        })
        .collect();
    let score = |dx: i64, dy: i64| -> u64 {
        px.iter()
            .map(|r| sum(r[0] + dx, r[1] + dy, r[2] + dx, r[3] + dy))
            .sum()
    };
    let step = 2i64;
    let range = (SEARCH_MM * s) as i64;
    let mut results = Vec::new();
    let mut dy = -range;
    while dy <= range {
        let mut dx = -range;
        while dx <= range {
            results.push((dx, dy, score(dx, dy)));
            dx += step;
        }
        dy += step;
    }
    let best_score = results.iter().map(|r| r.2).max().unwrap_or(0);
    if best_score == 0 {
        return None;
    }
    // Among near-best shifts (a plateau when text is narrower than its zone), the smallest.
    let near = (best_score as f64 * 0.99) as u64;
    let (dx, dy, _) = results
        .iter()
        .filter(|r| r.2 >= near)
        .min_by_key(|r| r.0 * r.0 + r.1 * r.1)
        .copied()
        .unwrap_or((0, 0, 0));
    Some(LayoutShift {
        dx_mm: dx as f32 / s,
        dy_mm: dy as f32 / s,
        fit_at_zero: score(0, 0) as f32 / best_score as f32,
    })
}

/// `document.layout`.
pub fn layout(ctx: &PageContext<'_>) -> Check {
    const ID: &str = "document.layout";
    if ctx.template.is_none() {
        return Check::new(
            ID,
            CheckStatus::NotApplicable,
            "No template matched: the layout cannot be compared.",
        );
    }
    let zones = content_zones(ctx);
    if zones.is_empty() {
        return Check::new(
            ID,
            CheckStatus::NotApplicable,
            "The template declares no photo, VIZ or signature zones on this side.",
        );
    }
    // IR shows only the issuer's IR-absorbing personal data (no labels, no
    // guilloche): the cleanest picture of the layout, when the print absorbs.
    let absorbing: Vec<RectMm> = ctx
        .side
        .zones
        .iter()
        .filter(|z| ctx.side.absorbs_ir(&z.name) && zones.contains(&z.rect_mm))
        .map(|z| z.rect_mm)
        .collect();
    let ir_choice = ctx
        .ir
        .as_ref()
        .filter(|_| !absorbing.is_empty())
        .and_then(|ir| {
            let coverage = ir.ink_coverage(&ctx.page_rect(), &[], 0.5)?;
            (coverage > 0.004).then_some(ir)
        });
    let grow = |r: &RectMm, by: f32| RectMm {
        x: r.x - by,
        y: r.y - by,
        w: r.w + 2.0 * by,
        h: r.h + 2.0 * by,
    };
    let mrz: Vec<RectMm> = ctx
        .mrz_zone()
        .map(|z| grow(&z.rect_mm, 1.0))
        .into_iter()
        .collect();
    let measured = match ir_choice {
        Some(ir) => measure_excluding(ir, &absorbing, &mrz).map(|s| (ir, s)),
        None => None,
    }
    .or_else(|| {
        ctx.white
            .as_ref()
            .and_then(|white| measure_excluding(white, &zones, &mrz).map(|s| (white, s)))
    });
    let Some((page, shift)) = measured else {
        return Check::new(
            ID,
            CheckStatus::Error,
            "No printed data found on the page to compare with the template.",
        );
    };
    let magnitude = shift.dx_mm.hypot(shift.dy_mm);
    let detail = format!(
        "print offset {:+.1} mm across, {:+.1} mm down from the template (tolerance {:.1} mm); {:.0}% of the best fit in place",
        shift.dx_mm,
        shift.dy_mm,
        MAX_SHIFT_MM,
        shift.fit_at_zero * 100.0
    );
    let whole = ctx.page_rect();
    let evidence = page.evidence(&whole).with_detail(detail.clone());
    // Off when a clear shift fits the print much better than none, or when a
    // large shift fits it somewhat better.
    let mut off = (magnitude >= 1.0 && shift.fit_at_zero < 0.93)
        || (magnitude > MAX_SHIFT_MM && shift.fit_at_zero < 0.97);
    // A counterfeit's layout moves every printed field; a pasted-over photo
    // moves only the photo (photo.integrity's finding). Confirm the shift on
    // the text alone (VIZ and signature) before calling the layout off.
    if off {
        let text: Vec<RectMm> = ctx
            .side
            .zones
            .iter()
            .filter(|z| {
                matches!(z.kind, ZoneKind::Viz | ZoneKind::Signature) && zones.contains(&z.rect_mm)
            })
            .filter(|z| page.light != tdverify_core::Light::Ir || ctx.side.absorbs_ir(&z.name))
            .map(|z| z.rect_mm)
            .collect();
        let mut photo_and_mrz = mrz.clone();
        photo_and_mrz.extend(
            ctx.side
                .zones_of(ZoneKind::Photo)
                .map(|z| grow(&z.rect_mm, 3.0)),
        );
        // The text must itself sit clearly better elsewhere: a value line is
        // shorter than its zone, so small gains come from neighbouring print.
        if let Some(text_shift) = measure_excluding(page, &text, &photo_and_mrz) {
            off = text_shift.dx_mm.hypot(text_shift.dy_mm) >= 1.0 && text_shift.fit_at_zero < 0.95;
        }
    }
    if !off {
        Check::pass(
            ID,
            format!("Zones sit where the template puts them: {detail}."),
        )
        .with_evidence(evidence)
    } else {
        Check::fail(
            ID,
            format!("Printed zones are off the template layout: {detail}."),
        )
        .with_confidence(((magnitude - MAX_SHIFT_MM) / 2.0 + 0.6).clamp(0.6, 0.95))
        .with_evidence(evidence)
    }
}
