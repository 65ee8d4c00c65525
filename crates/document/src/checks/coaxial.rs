//! Coaxial-light checks. Coaxial (on-axis) light leaves the lamp along the
//! camera's axis, so the camera sees only what sends light straight back:
//!
//! - a **retro-reflective security laminate** returns light towards its source,
//!   so its motif shines bright, while paper and print scatter diffusely and
//!   look flat and dim;
//! - an **OVD** (hologram, kinegram) is a mirror-like foil: it reflects the
//!   lamp specularly and shows as a uniform bright (or dark) patch, unlike its
//!   diffraction colours under diffuse white light; a printed imitation
//!   scatters like paper.
//!
//! A forger who lifts the laminate to replace the portrait and seals the page
//! again with plain film interrupts the pattern, typically over and around the
//! portrait; a counterfeit printed on plain paper shows no pattern at all.
//!
//! The pattern is measured as what the coaxial image shows that the white
//! image does not explain: in each cell of the laminate zone the coaxial luma
//! is fitted linearly to the white luma (the print, seen flattened), and the
//! spread of what is left over, relative to the page's coaxial brightness, is
//! the motif's contrast. This holds for any exposure, and the print, however
//! dark, is not mistaken for the motif.

use tdverify_core::{Check, CheckStatus};

use super::{LightPage, PageContext, pct};
use crate::reference::{RectMm, ZoneKind};

/// A cell shows the motif when what white light does not explain spreads by
/// at least this share of the page's coaxial brightness. Tuned on seed 1
/// (`coaxial_eval`): genuine cells measure well above, cells without the
/// pattern well below.
pub const MOTIF_MIN_CONTRAST: f32 = 0.09;

/// Cells are this many pitches wide, so that each holds a whole motif.
const CELL_PITCHES: f32 = 1.5;

/// A cell is judged only when this share of its pixels is not excluded.
const MIN_USABLE_SHARE: f32 = 0.4;

/// A connected patch of cells without the motif fails the check from this
/// area on (mm²): about two cells of a 6 mm pitch, more than noise leaves.
pub const MIN_BROKEN_AREA_MM2: f32 = 150.0;

/// The whole laminate counts as missing when this share of it shows no motif.
const MISSING_SHARE: f32 = 0.8;

/// A broken patch names the portrait when it covers this share of it.
const PORTRAIT_COVER: f32 = 0.3;

/// An OVD is specular when its brightness relative to the page differs by at
/// least this much between coaxial and white light (a printed imitation
/// scatters like the paper around it and keeps its ratio).
pub const OVD_MIN_SPECULAR_SHIFT: f32 = 0.35;

const NO_IMAGE: &str =
    "Not checked: no coaxial image. Capture the page under coaxial light to check";

/// `coaxial.laminate`: the retro-reflective pattern runs unbroken across the
/// zone the template declares.
pub fn laminate(ctx: &PageContext<'_>) -> Check {
    const ID: &str = "coaxial.laminate";
    let Some(laminate) = ctx.side.coaxial.laminate.as_ref() else {
        return Check::new(
            ID,
            CheckStatus::NotApplicable,
            "The template declares no retro-reflective laminate for this side.",
        );
    };
    let Some(coaxial) = ctx.coaxial.as_ref() else {
        return Check::not_checked(ID, format!("{NO_IMAGE} the laminate."));
    };
    let Some(zone) = ctx.side.zone(&laminate.zone) else {
        return Check::new(
            ID,
            CheckStatus::Error,
            "The template's laminate zone is missing.",
        );
    };
    let region = clip(&zone.rect_mm, &ctx.page_rect());
    let excluded: Vec<RectMm> = ctx
        .side
        .zones_of(ZoneKind::Ovd)
        .map(|z| z.rect_mm)
        .collect();
    let grid = MotifGrid::measure(
        coaxial,
        ctx.white.as_ref(),
        &region,
        laminate.pitch_mm,
        &excluded,
    );
    if grid.judged == 0 {
        return Check::new(
            ID,
            CheckStatus::Error,
            "The laminate zone falls outside the coaxial capture.",
        );
    }
    let missing_share = grid.missing as f32 / grid.judged as f32;
    let patches: Vec<(RectMm, f32)> = grid
        .patches()
        .into_iter()
        .filter(|(_, area)| *area >= MIN_BROKEN_AREA_MM2)
        .collect();
    let summary = format!(
        "motif seen in {} of {} cells of {:.0} mm (contrast at least {})",
        grid.judged - grid.missing,
        grid.judged,
        grid.cell_mm,
        pct(MOTIF_MIN_CONTRAST)
    );
    if missing_share >= MISSING_SHARE {
        let evidence = coaxial
            .evidence(&region)
            .with_detail(format!("no retro-reflective pattern: {summary}"));
        return Check::fail(
            ID,
            format!(
                "No retro-reflective laminate pattern under coaxial light ({} of the zone without it): not the genuine laminate, as on a counterfeit printed on plain paper. {summary}.",
                pct(missing_share)
            ),
        )
        .with_confidence(0.9)
        .with_evidence(evidence);
    }
    if patches.is_empty() {
        return Check::pass(
            ID,
            format!("Retro-reflective laminate pattern unbroken: {summary}."),
        )
        .with_evidence(coaxial.evidence(&region).with_detail(summary));
    }
    let portrait = ctx.side.first_zone_of(ZoneKind::Photo).map(|z| z.rect_mm);
    let mut lines = Vec::new();
    let mut evidence = Vec::new();
    let mut over_portrait = false;
    for (rect, area) in &patches {
        let share = area / (region.w * region.h).max(1.0);
        let on_portrait = portrait.is_some_and(|p| overlap(rect, &p) >= PORTRAIT_COVER * p.w * p.h);
        over_portrait |= on_portrait;
        let line = format!(
            "pattern missing over {:.0} mm² ({} of the laminate) at {:.0},{:.0} mm{}",
            area,
            pct(share),
            rect.x,
            rect.y,
            if on_portrait {
                ", over the portrait"
            } else {
                ""
            }
        );
        evidence.push(coaxial.evidence(rect).with_detail(line.clone()));
        lines.push(line);
    }
    let meaning = if over_portrait {
        "The laminate was lifted and the page sealed again over the portrait: a sign of photo substitution."
    } else {
        "The laminate was lifted or replaced there: a sign the page was tampered with."
    };
    let mut check = Check::fail(
        ID,
        format!(
            "Retro-reflective laminate pattern broken: {}. {meaning} {summary}.",
            lines.join("; ")
        ),
    )
    .with_confidence(0.85);
    check.evidence = evidence;
    check
}

/// `coaxial.ovd`: each declared OVD reflects specularly under coaxial light.
pub fn ovd(ctx: &PageContext<'_>) -> Check {
    const ID: &str = "coaxial.ovd";
    if ctx.side.coaxial.ovd.is_empty() {
        return Check::new(
            ID,
            CheckStatus::NotApplicable,
            "The template declares no OVD to check under coaxial light for this side.",
        );
    }
    let Some(coaxial) = ctx.coaxial.as_ref() else {
        return Check::not_checked(ID, format!("{NO_IMAGE} the OVD."));
    };
    let Some(white) = ctx.white.as_ref() else {
        return Check::new(
            ID,
            CheckStatus::NotApplicable,
            "Needs a white-light capture to compare the OVD with.",
        );
    };
    let mut flat = Vec::new();
    let mut specular = Vec::new();
    let mut evidence = Vec::new();
    for name in &ctx.side.coaxial.ovd {
        let Some(zone) = ctx.side.zone(name) else {
            continue;
        };
        let inner = shrink(&zone.rect_mm, 0.2);
        let (Some(under_coaxial), Some(under_white)) = (
            relative_level(coaxial, &inner),
            relative_level(white, &inner),
        ) else {
            continue;
        };
        let shift = under_coaxial - under_white;
        let line = format!(
            "{}: {} of the page's brightness under coaxial light, {} under white light (a foil differs by at least {})",
            zone.name,
            pct(under_coaxial),
            pct(under_white),
            pct(OVD_MIN_SPECULAR_SHIFT)
        );
        evidence.push(coaxial.evidence(&zone.rect_mm).with_detail(line.clone()));
        if shift.abs() >= OVD_MIN_SPECULAR_SHIFT {
            specular.push(line);
        } else {
            flat.push(line);
        }
    }
    if flat.is_empty() && specular.is_empty() {
        return Check::new(
            ID,
            CheckStatus::Error,
            "The OVD zones fall outside the captures.",
        );
    }
    if flat.is_empty() {
        let mut check = Check::pass(
            ID,
            format!(
                "OVD reflects like a foil under coaxial light: {}.",
                specular.join("; ")
            ),
        );
        check.evidence = evidence;
        return check;
    }
    let mut check = Check::fail(
        ID,
        format!(
            "OVD does not reflect under coaxial light: missing or printed flat. {}.",
            flat.join("; ")
        ),
    )
    .with_confidence(0.85);
    check.evidence = evidence;
    check
}

/// Median luma of a rectangle relative to the page's median luma.
fn relative_level(page: &LightPage, rect: &RectMm) -> Option<f32> {
    let mut values = page.luma_in(rect, &[]);
    if values.len() < 16 || page.substrate_luma < 1.0 {
        return None;
    }
    Some(super::median(&mut values) / page.substrate_luma)
}

/// The motif's presence in each cell of the laminate zone.
struct MotifGrid {
    /// Zone measured.
    region: RectMm,
    /// Cell side in mm.
    cell_mm: f32,
    cols: usize,
    rows: usize,
    /// Per cell: `Some(true)` motif seen, `Some(false)` missing, `None` not judged.
    cells: Vec<Option<bool>>,
    judged: usize,
    missing: usize,
}

impl MotifGrid {
    fn measure(
        coaxial: &LightPage,
        white: Option<&LightPage>,
        region: &RectMm,
        pitch_mm: f32,
        excluded: &[RectMm],
    ) -> MotifGrid {
        let cell_mm = (pitch_mm * CELL_PITCHES).max(2.0);
        let cols = ((region.w / cell_mm).round() as usize).max(1);
        let rows = ((region.h / cell_mm).round() as usize).max(1);
        let (cw, ch) = (region.w / cols as f32, region.h / rows as f32);
        let level = coaxial.substrate_luma.max(1.0);
        let mut cells = Vec::with_capacity(cols * rows);
        for row in 0..rows {
            for col in 0..cols {
                let cell = RectMm {
                    x: region.x + col as f32 * cw,
                    y: region.y + row as f32 * ch,
                    w: cw,
                    h: ch,
                };
                cells.push(
                    residual_spread(coaxial, white, &cell, excluded)
                        .map(|spread| spread / level >= MOTIF_MIN_CONTRAST),
                );
            }
        }
        let judged = cells.iter().filter(|c| c.is_some()).count();
        let missing = cells.iter().filter(|c| **c == Some(false)).count();
        MotifGrid {
            region: *region,
            cell_mm: cw.max(ch),
            cols,
            rows,
            cells,
            judged,
            missing,
        }
    }

    /// Connected patches (4-neighbours) of cells without the motif: bounding
    /// box and area of the missing cells in mm².
    fn patches(&self) -> Vec<(RectMm, f32)> {
        let (cw, ch) = (
            self.region.w / self.cols as f32,
            self.region.h / self.rows as f32,
        );
        let mut seen = vec![false; self.cells.len()];
        let mut patches = Vec::new();
        for start in 0..self.cells.len() {
            if seen[start] || self.cells[start] != Some(false) {
                continue;
            }
            seen[start] = true;
            let mut stack = vec![start];
            let (mut c0, mut r0, mut c1, mut r1, mut count) = (usize::MAX, usize::MAX, 0, 0, 0);
            while let Some(index) = stack.pop() {
                let (col, row) = (index % self.cols, index / self.cols);
                (c0, r0, c1, r1) = (c0.min(col), r0.min(row), c1.max(col), r1.max(row));
                count += 1;
                let mut push = |c: usize, r: usize| {
                    let next = r * self.cols + c;
                    if !seen[next] && self.cells[next] == Some(false) {
                        seen[next] = true;
                        stack.push(next);
                    }
                };
                if col > 0 {
                    push(col - 1, row);
                }
                if col + 1 < self.cols {
                    push(col + 1, row);
                }
                if row > 0 {
                    push(col, row - 1);
                }
                if row + 1 < self.rows {
                    push(col, row + 1);
                }
            }
            let rect = RectMm {
                x: self.region.x + c0 as f32 * cw,
                y: self.region.y + r0 as f32 * ch,
                w: (c1 - c0 + 1) as f32 * cw,
                h: (r1 - r0 + 1) as f32 * ch,
            };
            patches.push((rect, count as f32 * cw * ch));
        }
        patches.sort_by(|a, b| b.1.total_cmp(&a.1));
        patches
    }
}

/// Standard deviation of the coaxial luma left over after a linear fit on
/// the white luma of the same pixels (on the coaxial luma's mean without a
/// white page); `None` when too little of the cell is usable.
fn residual_spread(
    coaxial: &LightPage,
    white: Option<&LightPage>,
    cell: &RectMm,
    excluded: &[RectMm],
) -> Option<f32> {
    let (x0, y0, x1, y1) = coaxial.page.px_rect(cell);
    let total = (x1.saturating_sub(x0) * y1.saturating_sub(y0)) as f32;
    let skip: Vec<(u32, u32, u32, u32)> =
        excluded.iter().map(|r| coaxial.page.px_rect(r)).collect();
    let white_luma = white
        .map(|w| &w.page.luma)
        .filter(|l| l.dimensions() == coaxial.page.luma.dimensions());
    let mut pairs = Vec::with_capacity(total as usize);
    for y in y0..y1 {
        for x in x0..x1 {
            if skip
                .iter()
                .any(|&(ex0, ey0, ex1, ey1)| x >= ex0 && x < ex1 && y >= ey0 && y < ey1)
            {
                continue;
            }
            let c = f64::from(coaxial.page.luma.get_pixel(x, y).0[0]);
            let w = white_luma.map_or(0.0, |l| f64::from(l.get_pixel(x, y).0[0]));
            pairs.push((w, c));
        }
    }
    if total < 16.0 || (pairs.len() as f32) < MIN_USABLE_SHARE * total {
        return None;
    }
    let n = pairs.len() as f64;
    let (mean_w, mean_c) = pairs
        .iter()
        .fold((0.0, 0.0), |(a, b), (w, c)| (a + w / n, b + c / n));
    let (mut sww, mut swc, mut scc) = (0.0, 0.0, 0.0);
    for (w, c) in &pairs {
        let (dw, dc) = (w - mean_w, c - mean_c);
        sww += dw * dw;
        swc += dw * dc;
        scc += dc * dc;
    }
    // The flattened print: coaxial brightness follows the white one at a
    // positive slope; a cell of plain paper has nothing to fit.
    let slope = if sww > n { (swc / sww).max(0.0) } else { 0.0 };
    let residual = (scc - 2.0 * slope * swc + slope * slope * sww).max(0.0) / n;
    Some(residual.sqrt() as f32)
}

/// A rectangle shrunk by `share` of its size on each side.
fn shrink(rect: &RectMm, share: f32) -> RectMm {
    RectMm {
        x: rect.x + rect.w * share,
        y: rect.y + rect.h * share,
        w: rect.w * (1.0 - 2.0 * share),
        h: rect.h * (1.0 - 2.0 * share),
    }
}

/// The part of `rect` inside `within` (`rect` itself when they do not meet).
fn clip(rect: &RectMm, within: &RectMm) -> RectMm {
    let (x0, y0) = (rect.x.max(within.x), rect.y.max(within.y));
    let (x1, y1) = (
        rect.right().min(within.right()),
        rect.bottom().min(within.bottom()),
    );
    if x1 <= x0 || y1 <= y0 {
        return *rect;
    }
    RectMm {
        x: x0,
        y: y0,
        w: x1 - x0,
        h: y1 - y0,
    }
}

/// Area in mm² shared by two rectangles.
fn overlap(a: &RectMm, b: &RectMm) -> f32 {
    let w = (a.right().min(b.right()) - a.x.max(b.x)).max(0.0);
    let h = (a.bottom().min(b.bottom()) - a.y.max(b.y)).max(0.0);
    w * h
}

#[cfg(test)]
mod tests {
    use image::RgbImage;
    use tdverify_core::Light;

    use super::*;
    use crate::reference::{Side, Template};
    use crate::register::{Homography, RECTIFIED_PX_PER_MM, RectifiedPage, Registration};

    fn uto_passport() -> Template {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../reference-library/UTO/passport/template.toml");
        Template::load(&path).expect("UTO passport template")
    }

    fn registration() -> Registration {
        let from = [[0.0, 0.0], [125.0, 0.0], [125.0, 88.0], [0.0, 88.0]];
        let k = f64::from(RECTIFIED_PX_PER_MM);
        let to = from.map(|[x, y]| [x * k, y * k]);
        Registration {
            page_corners_px: to.map(|[x, y]| [x as f32, y as f32]),
            homography: Homography::from_points(from, to).expect("homography"),
            rotation_quadrant_deg: 0,
            px_per_mm: RECTIFIED_PX_PER_MM,
            skew_deg: 0.0,
            confidence: 1.0,
            method: "test".into(),
        }
    }

    /// Print the white page shows: text-like bars and a dark portrait.
    fn print(xm: f32, ym: f32) -> f32 {
        let in_photo = (5.0..37.0).contains(&xm) && (12.0..54.0).contains(&ym);
        let text = (42.0..120.0).contains(&xm) && (ym % 7.0) < 2.0 && (xm % 3.0) < 1.6;
        if in_photo {
            90.0 + 40.0 * (xm * 0.7).sin()
        } else if text {
            30.0
        } else {
            235.0
        }
    }

    fn in_ovd(xm: f32, ym: f32) -> bool {
        (xm - 35.0).powi(2) + (ym - 52.0).powi(2) < 7.0f32.powi(2)
    }

    fn page(light: Light, value: impl Fn(f32, f32) -> f32) -> LightPage {
        let s = RECTIFIED_PX_PER_MM;
        let (w, h) = ((125.0 * s) as u32, (88.0 * s) as u32);
        let rgb = RgbImage::from_fn(w, h, |x, y| {
            let v = value((x as f32 + 0.5) / s, (y as f32 + 0.5) / s).clamp(0.0, 255.0) as u8;
            image::Rgb([v, v, v])
        });
        let luma = image::DynamicImage::ImageRgb8(rgb.clone()).to_luma8();
        let page = RectifiedPage {
            rgb,
            luma,
            width_mm: 125.0,
            height_mm: 88.0,
        };
        LightPage::new(light, page, registration())
    }

    fn white() -> LightPage {
        page(
            Light::White,
            |x, y| if in_ovd(x, y) { 200.0 } else { print(x, y) },
        )
    }

    /// The ring motif at a 6 mm pitch (1 inside a ring line).
    fn ring(xm: f32, ym: f32) -> f32 {
        let (u, v) = ((xm % 6.0) - 3.0, (ym % 6.0) - 3.0);
        if ((u * u + v * v).sqrt() - 2.1).abs() < 0.25 {
            1.0
        } else {
            0.0
        }
    }

    /// Coaxial page: flattened print, the motif except where `broken` says,
    /// and the OVD bright (`foil`) or as flat as the print.
    fn coaxial(broken: impl Fn(f32, f32) -> bool, foil: bool) -> LightPage {
        page(Light::Coaxial, move |x, y| {
            if in_ovd(x, y) {
                return if foil { 245.0 } else { 0.45 * 200.0 + 10.0 };
            }
            let flat = 0.45 * print(x, y) + 10.0;
            if broken(x, y) {
                flat
            } else {
                flat + 100.0 * ring(x, y)
            }
        })
    }

    fn context<'a>(
        template: &'a Template,
        side: &'a Side,
        coaxial: Option<LightPage>,
    ) -> PageContext<'a> {
        PageContext {
            template: Some(template),
            side,
            width_mm: 125.0,
            height_mm: 88.0,
            white: Some(white()),
            uv: None,
            ir: None,
            coaxial,
            mrz: None,
            today: tdverify_mrz::MrzDate::new(2026, 1, 1),
        }
    }

    #[test]
    fn an_unbroken_pattern_and_a_shining_foil_pass() {
        let template = uto_passport();
        let ctx = context(
            &template,
            &template.sides[0],
            Some(coaxial(|_, _| false, true)),
        );
        let laminate = laminate(&ctx);
        assert_eq!(laminate.status, CheckStatus::Pass, "{}", laminate.message);
        let ovd = ovd(&ctx);
        assert_eq!(ovd.status, CheckStatus::Pass, "{}", ovd.message);
        assert_eq!(ovd.evidence[0].light, Some(Light::Coaxial));
    }

    #[test]
    fn a_pattern_broken_over_the_portrait_fails_and_names_photo_substitution() {
        let template = uto_passport();
        let around_portrait = |x: f32, y: f32| (2.0..40.0).contains(&x) && (9.0..57.0).contains(&y);
        let ctx = context(
            &template,
            &template.sides[0],
            Some(coaxial(around_portrait, true)),
        );
        let check = laminate(&ctx);
        assert_eq!(check.status, CheckStatus::Fail, "{}", check.message);
        assert!(
            check.message.contains("photo substitution"),
            "{}",
            check.message
        );
        let evidence = &check.evidence[0];
        assert_eq!(evidence.light, Some(Light::Coaxial));
        let region = evidence.region.expect("a box");
        let s = RECTIFIED_PX_PER_MM;
        // The box lies over the portrait (5..37 × 12..54 mm), not across the page.
        assert!(
            region.x < 12.0 * s && region.x + region.w > 30.0 * s,
            "{region:?}"
        );
        assert!(region.w < 60.0 * s, "{region:?}");
    }

    #[test]
    fn a_pattern_broken_elsewhere_fails_without_naming_the_portrait() {
        let template = uto_passport();
        let band = |x: f32, y: f32| (80.0..110.0).contains(&x) && (20.0..45.0).contains(&y);
        let ctx = context(&template, &template.sides[0], Some(coaxial(band, true)));
        let check = laminate(&ctx);
        assert_eq!(check.status, CheckStatus::Fail, "{}", check.message);
        assert!(
            !check.message.contains("photo substitution"),
            "{}",
            check.message
        );
    }

    #[test]
    fn plain_paper_fails_as_a_missing_laminate_and_a_flat_ovd_fails() {
        let template = uto_passport();
        let ctx = context(
            &template,
            &template.sides[0],
            Some(coaxial(|_, _| true, false)),
        );
        let check = laminate(&ctx);
        assert_eq!(check.status, CheckStatus::Fail, "{}", check.message);
        assert!(check.message.contains("plain paper"), "{}", check.message);
        let ovd = ovd(&ctx);
        assert_eq!(ovd.status, CheckStatus::Fail, "{}", ovd.message);
    }

    #[test]
    fn no_coaxial_image_is_not_checked_and_no_declaration_is_not_applicable() {
        let template = uto_passport();
        let ctx = context(&template, &template.sides[0], None);
        assert_eq!(laminate(&ctx).status, CheckStatus::NotChecked);
        assert_eq!(ovd(&ctx).status, CheckStatus::NotChecked);
        assert!(laminate(&ctx).message.contains("no coaxial image"));
        let mut bare = template.sides[0].clone();
        bare.coaxial = Default::default();
        let ctx = context(&template, &bare, Some(coaxial(|_, _| false, true)));
        assert_eq!(laminate(&ctx).status, CheckStatus::NotApplicable);
        assert_eq!(ovd(&ctx).status, CheckStatus::NotApplicable);
    }
}
