//! MRZ print: character pitch, character height, regular fixed-pitch spacing
//! and position, against the template (ICAO 9303 Part 3: OCR-B at a nominal
//! pitch of 2.54 mm, 10 characters per inch).
//!
//! Counterfeiters type the MRZ with whatever font and spacing their software
//! has; a proportional font or a wrong pitch shows in the rhythm of the
//! characters even when every character is readable.

use serde::Serialize;
use tdverify_core::{Check, CheckStatus, Light};

use super::{LightPage, PageContext, mm_to_px};
use crate::reference::{MrzLayout, RectMm};
use crate::register::{RECTIFIED_PX_PER_MM, percentile};

/// Largest tolerated pitch error (ICAO allows small printer tolerances; a
/// different fixed pitch is several percent off).
pub const MAX_PITCH_ERROR: f32 = 0.04;

/// Largest tolerated spread of character centres around the fixed-pitch grid,
/// as a fraction of the pitch.
pub const MAX_GRID_SPREAD: f32 = 0.16;

/// Largest tolerated character-height error, as a fraction.
pub const MAX_HEIGHT_ERROR: f32 = 0.18;

/// What was measured on one MRZ.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MrzPrintMeasure {
    /// Light measured under.
    pub light: Light,
    /// Text lines found.
    pub lines_found: usize,
    /// Mean character pitch, mm.
    pub pitch_mm: f32,
    /// RMS distance of character centres from the fixed-pitch grid, in pitches.
    pub grid_spread: f32,
    /// Mean height of the text lines, mm.
    pub char_height_mm: f32,
    /// Left edge of the first character, mm from the page's left.
    pub left_mm: f32,
    /// Top of the first line, mm from the page's top.
    pub top_mm: f32,
}

/// Measures the MRZ print on a rectified page within `zone` (expanded a little).
pub fn measure(
    page: &LightPage,
    zone: &RectMm,
    expected_lines: usize,
    layout: &MrzLayout,
) -> Option<MrzPrintMeasure> {
    let window = RectMm {
        x: (zone.x - 2.0).max(0.0),
        y: (zone.y - 2.0).max(0.0),
        w: zone.w + 4.0,
        h: zone.h + 4.0,
    };
    let (x0, y0, x1, y1) = page.page.px_rect(&window);
    if x1 <= x0 + 8 || y1 <= y0 + 8 {
        return None;
    }
    let mut values = page.luma_in(&window, &[]);
    let background = percentile(&mut values, 0.75);
    let ink = percentile(&mut values, 0.03);
    if background - ink < 40.0 {
        return None;
    }
    let threshold = (background + ink) / 2.0;
    let (w, h) = ((x1 - x0) as usize, (y1 - y0) as usize);
    let mut mask = vec![false; w * h];
    for y in 0..h {
        for x in 0..w {
            let luma = f32::from(page.page.luma.get_pixel(x0 + x as u32, y0 + y as u32).0[0]);
            mask[y * w + x] = luma < threshold;
        }
    }
    let row_counts: Vec<usize> = (0..h)
        .map(|y| mask[y * w..(y + 1) * w].iter().filter(|&&m| m).count())
        .collect();
    let max_row = row_counts.iter().copied().max().unwrap_or(0);
    if max_row == 0 {
        return None;
    }
    // Text lines: runs of rows with substantial ink.
    let mut bands: Vec<(usize, usize)> = Vec::new();
    let mut start = None;
    for (y, &count) in row_counts.iter().enumerate() {
        let inked = count as f32 > max_row as f32 * 0.12;
        match (inked, start) {
            (true, None) => start = Some(y),
            (false, Some(s)) => {
                bands.push((s, y));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        bands.push((s, h));
    }
    let min_height = mm_to_px(layout.char_height_mm * 0.4) as usize;
    bands.retain(|&(s, e)| e - s >= min_height.max(2));
    if bands.is_empty() {
        return None;
    }
    // Keep the tallest `expected_lines` bands, in reading order.
    bands.sort_by_key(|&(s, e)| std::cmp::Reverse(e - s));
    bands.truncate(expected_lines.max(1));
    bands.sort_by_key(|&(s, _)| s);
    let expected_pitch_px = mm_to_px(layout.pitch_mm);
    let mut pitches = Vec::new();
    let mut spreads = Vec::new();
    let mut heights = Vec::new();
    let mut lefts = Vec::new();
    for &(s, e) in &bands {
        let columns: Vec<f32> = (0..w)
            .map(|x| (s..e).filter(|&y| mask[y * w + x]).count() as f32)
            .collect();
        let Some(pitch) = autocorrelation_pitch(&columns, expected_pitch_px) else {
            continue;
        };
        pitches.push(pitch);
        heights.push((e - s) as f32);
        let centres = character_centres(&columns, pitch);
        if let Some(first) = columns.iter().position(|&c| c > 0.0) {
            lefts.push(first as f32);
        }
        if centres.len() >= 4 {
            // Phase of each centre on the grid, relative to the circular mean phase.
            let (mut sx, mut sy) = (0f32, 0f32);
            for c in &centres {
                let angle = c / pitch * std::f32::consts::TAU;
                sx += angle.cos();
                sy += angle.sin();
            }
            let mean = sy.atan2(sx);
            let mut sum = 0.0;
            for c in &centres {
                let angle = c / pitch * std::f32::consts::TAU - mean;
                let wrapped = angle.sin().atan2(angle.cos()) / std::f32::consts::TAU;
                sum += wrapped * wrapped;
            }
            spreads.push((sum / centres.len() as f32).sqrt());
        }
    }
    if pitches.is_empty() {
        return None;
    }
    let mean = |v: &[f32]| {
        if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f32>() / v.len() as f32
        }
    };
    let left_px = lefts.iter().copied().fold(f32::INFINITY, f32::min);
    Some(MrzPrintMeasure {
        light: page.light,
        lines_found: bands.len(),
        pitch_mm: mean(&pitches) / RECTIFIED_PX_PER_MM,
        grid_spread: mean(&spreads),
        char_height_mm: mean(&heights) / RECTIFIED_PX_PER_MM,
        left_mm: (x0 as f32 + if left_px.is_finite() { left_px } else { 0.0 })
            / RECTIFIED_PX_PER_MM,
        top_mm: (y0 as f32 + bands.first().map(|b| b.0 as f32).unwrap_or(0.0))
            / RECTIFIED_PX_PER_MM,
    })
}

/// Narrowest run of inked columns that can be a character, as a fraction of
/// the pitch. A guilloche line crossing the MRZ, or what is left of a character
/// at the edge of a glare halo, leaves runs of a pixel or two whose centres fall
/// anywhere on the grid (a genuine camera capture measured 18 % spread with them,
/// 6 % without). The narrowest OCR-B characters are wider than this.
pub const MIN_CHARACTER_WIDTH: f32 = 0.25;

/// Least ink of a run that can be a character, as a fraction of the median run's.
pub const MIN_CHARACTER_INK: f32 = 0.25;

/// Centres of the character blobs of one text line: runs of inked columns
/// (`columns`: inked pixels per column), leaving out the slivers that cannot be
/// characters ([`MIN_CHARACTER_WIDTH`], [`MIN_CHARACTER_INK`]). Characters that
/// touch stay one run, centred between cells: a font wider than OCR-B shows so.
fn character_centres(columns: &[f32], pitch: f32) -> Vec<f32> {
    // (first column, end column, ink)
    let mut runs: Vec<(usize, usize, f32)> = Vec::new();
    let mut run: Option<(usize, f32)> = None;
    for (x, &count) in columns.iter().enumerate() {
        match (count > 0.0, run) {
            (true, None) => run = Some((x, count)),
            (true, Some((start, ink))) => run = Some((start, ink + count)),
            (false, Some((start, ink))) => {
                runs.push((start, x, ink));
                run = None;
            }
            (false, None) => {}
        }
    }
    if let Some((start, ink)) = run {
        runs.push((start, columns.len(), ink));
    }
    let mut inks: Vec<f32> = runs.iter().map(|r| r.2).collect();
    let median_ink = percentile(&mut inks, 0.5);
    runs.iter()
        .filter(|(start, end, ink)| {
            (end - start) as f32 >= MIN_CHARACTER_WIDTH * pitch
                && *ink >= MIN_CHARACTER_INK * median_ink
        })
        .map(|(start, end, _)| (start + end) as f32 / 2.0)
        .collect()
}

/// Least length of MRZ, in character pitches, measured when glare hides the rest.
pub const MIN_GLARE_FREE_PITCHES: f32 = 12.0;

/// The part of the MRZ zone to measure on a page: the whole zone when no glare
/// touches it, else the widest stretch whose whole height is free of glare
/// (kept off the glare by the measuring margin), flagged partial; `None` when
/// no stretch of [`MIN_GLARE_FREE_PITCHES`] remains.
fn glare_free_window(page: &LightPage, zone: &RectMm, layout: &MrzLayout) -> Option<(RectMm, bool)> {
    // measure() looks 2 mm around the zone: glare there counts too.
    let around = RectMm {
        x: (zone.x - 2.0).max(0.0),
        y: (zone.y - 2.0).max(0.0),
        w: zone.w + 4.0,
        h: zone.h + 4.0,
    };
    if page.glare.covered(&around) <= 0.0 {
        return Some((*zone, false));
    }
    let keep_off = 2.5;
    page.glare
        .free_spans(&around)
        .into_iter()
        .map(|(x0, x1)| {
            let left = if x0 > around.x { x0 + keep_off } else { zone.x };
            let right = if x1 < around.right() { x1 - keep_off } else { zone.right() };
            (left.max(zone.x), right.min(zone.right()))
        })
        .filter(|(x0, x1)| x1 - x0 >= MIN_GLARE_FREE_PITCHES * layout.pitch_mm)
        .max_by(|a, b| (a.1 - a.0).total_cmp(&(b.1 - b.0)))
        .map(|(x0, x1)| {
            (
                RectMm {
                    x: x0,
                    y: zone.y,
                    w: x1 - x0,
                    h: zone.h,
                },
                true,
            )
        })
}

/// The lag, near `expected`, at which a column profile best repeats
/// (sub-pixel, by a parabola through the peak).
fn autocorrelation_pitch(profile: &[f32], expected: f32) -> Option<f32> {
    let n = profile.len();
    let mean = profile.iter().sum::<f32>() / n.max(1) as f32;
    let centred: Vec<f32> = profile.iter().map(|v| v - mean).collect();
    let lo = (expected * 0.7).floor().max(2.0) as usize;
    let hi = (expected * 1.35).ceil() as usize;
    if hi + 2 >= n {
        return None;
    }
    let score = |lag: usize| -> f32 {
        let mut sum = 0.0;
        for i in 0..n - lag {
            sum += centred[i] * centred[i + lag];
        }
        sum / (n - lag) as f32
    };
    let scores: Vec<f32> = (lo - 1..=hi + 1).map(score).collect();
    let mut best = 1;
    for i in 1..scores.len() - 1 {
        if scores[i] > scores[best] {
            best = i;
        }
    }
    if scores[best] <= 0.0 {
        return None;
    }
    let (a, b, c) = (scores[best - 1], scores[best], scores[best + 1]);
    let denominator = a - 2.0 * b + c;
    let offset = if denominator.abs() > 1e-6 {
        (0.5 * (a - c) / denominator).clamp(-0.5, 0.5)
    } else {
        0.0
    };
    Some((lo - 1 + best) as f32 + offset)
}

/// `mrz.print`.
pub fn print(ctx: &PageContext<'_>) -> (Check, Option<MrzPrintMeasure>) {
    const ID: &str = "mrz.print";
    let (Some(zone), Some(layout)) = (ctx.mrz_zone(), ctx.side.mrz) else {
        return (
            Check::new(ID, CheckStatus::NotApplicable, "This side carries no MRZ."),
            None,
        );
    };
    let lines = ctx
        .template
        .map(|t| t.document.mrz_format.line_count())
        .or(ctx.mrz.map(|m| m.lines.len()))
        .unwrap_or(2);
    // White light shows the MRZ whatever its ink; IR is the fallback. Under
    // glare, only the part of the MRZ free of it is measured.
    let measured = [ctx.white.as_ref(), ctx.ir.as_ref()]
        .into_iter()
        .flatten()
        .find_map(|page| {
            let (window, partial) = glare_free_window(page, &zone.rect_mm, &layout)?;
            measure(page, &window, lines, &layout).map(|m| (page, m, partial.then_some(window)))
        });
    let Some((page, m, partial)) = measured else {
        let glare = ctx
            .white
            .as_ref()
            .map(|w| w.glare.covered(&zone.rect_mm))
            .unwrap_or(0.0);
        if glare > 0.0 {
            return (
                Check::needs_recapture(
                    ID,
                    format!(
                        "The MRZ print could not be measured: glare covers {:.0}% of the MRZ in white light and leaves no stretch of it long enough to measure the pitch{}.",
                        (glare * 100.0).max(1.0),
                        if ctx.ir.is_some() { ", and the IR capture shows no measurable MRZ" } else { "" }
                    ),
                    "Tilt the document or move the lamp so the MRZ is free of glare, then capture it again under white light.",
                ),
                None,
            );
        }
        return (
            Check::new(
                ID,
                CheckStatus::Error,
                "The MRZ print could not be measured (no contrasting text in the MRZ zone).",
            ),
            None,
        );
    };
    let pitch_error = (m.pitch_mm / layout.pitch_mm - 1.0).abs();
    let height_error = (m.char_height_mm / layout.char_height_mm - 1.0).abs();
    let mut problems = Vec::new();
    if pitch_error > MAX_PITCH_ERROR {
        problems.push(format!(
            "character pitch {:.2} mm, expected {:.2} mm",
            m.pitch_mm, layout.pitch_mm
        ));
    }
    if m.grid_spread > MAX_GRID_SPREAD {
        problems.push(format!(
            "characters off the fixed-pitch grid by {:.0}% of a pitch (OCR-B: under {:.0}%): not a monospaced OCR-B print",
            m.grid_spread * 100.0,
            MAX_GRID_SPREAD * 100.0
        ));
    }
    if height_error > MAX_HEIGHT_ERROR {
        problems.push(format!(
            "character height {:.2} mm, expected {:.2} mm",
            m.char_height_mm, layout.char_height_mm
        ));
    }
    let detail = format!(
        "pitch {:.2} mm (expected {:.2}), height {:.2} mm (expected {:.2}), grid spread {:.0}%, {} line(s)",
        m.pitch_mm,
        layout.pitch_mm,
        m.char_height_mm,
        layout.char_height_mm,
        m.grid_spread * 100.0,
        m.lines_found
    );
    let detail = match partial {
        Some(window) => format!(
            "{detail}; measured on the glare-free part of the MRZ ({:.0} to {:.0} mm from the left)",
            window.x,
            window.right()
        ),
        None => detail,
    };
    let evidence = page
        .evidence(&partial.unwrap_or(zone.rect_mm))
        .with_detail(detail.clone());
    let check = if !problems.is_empty() && ctx.template.is_none() {
        // Without a template the MRZ's place is only approximate: report, do not accuse.
        Check::warn(
            ID,
            format!(
                "No template: MRZ print measured at the generic ICAO position: {}.",
                problems.join("; ")
            ),
        )
        .with_confidence(0.4)
        .with_evidence(evidence)
    } else if problems.is_empty() {
        Check::pass(ID, format!("MRZ print matches the template: {detail}."))
            .with_evidence(evidence)
    } else {
        Check::fail(
            ID,
            format!(
                "MRZ print differs from the template: {}.",
                problems.join("; ")
            ),
        )
        .with_confidence(0.8)
        .with_evidence(evidence)
    };
    (check, Some(m))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::Template;
    use crate::register::{Homography, RectifiedPage, Registration};
    use image::RgbImage;

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

    /// A UTO passport page with two MRZ lines of 44 blocks at `pitch_mm` and
    /// a saturated glare rectangle `glare` (x0, x1 in mm, over the MRZ's height).
    fn page(pitch_mm: f32, glare: Option<(f32, f32)>) -> LightPage {
        let s = RECTIFIED_PX_PER_MM;
        let (w, h) = ((125.0 * s) as u32, (88.0 * s) as u32);
        let rgb = RgbImage::from_fn(w, h, |x, y| {
            let (xm, ym) = ((x as f32 + 0.5) / s, (y as f32 + 0.5) / s);
            if let Some((g0, g1)) = glare
                && xm >= g0
                && xm < g1
                && (63.0..88.0).contains(&ym)
            {
                return image::Rgb([255, 255, 255]);
            }
            let in_line = [70.0f32, 74.23].iter().any(|top| ym >= *top && ym < top + 2.4);
            let column = (xm - 6.0) / pitch_mm;
            let in_char = (0.0..44.0).contains(&column) && column.fract() < 0.6;
            if in_line && in_char {
                image::Rgb([20, 20, 20])
            } else {
                image::Rgb([236, 233, 220])
            }
        });
        let luma = image::DynamicImage::ImageRgb8(rgb.clone()).to_luma8();
        let page = RectifiedPage { rgb, luma, width_mm: 125.0, height_mm: 88.0 };
        LightPage::new(Light::White, page, registration())
    }

    fn check(template: &Template, white: LightPage) -> Check {
        let ctx = PageContext {
            template: Some(template),
            side: &template.sides[0],
            width_mm: 125.0,
            height_mm: 88.0,
            white: Some(white),
            uv: None,
            ir: None,
            coaxial: None,
            mrz: None,
            today: tdverify_mrz::MrzDate::new(2026, 1, 1),
        };
        print(&ctx).0
    }

    /// Column profile of `cells` characters 12 px wide at a 20 px pitch, with a
    /// one-pixel line of ink every `sliver_every` pixels between them.
    fn profile_with_slivers(cells: usize, sliver_every: usize) -> Vec<f32> {
        let mut columns = vec![0.0f32; cells * 20 + 4];
        for cell in 0..cells {
            for x in 4..16 {
                columns[cell * 20 + x] = 10.0;
            }
        }
        for x in (0..columns.len()).step_by(sliver_every) {
            if columns[x] == 0.0 && x % 20 >= 17 {
                columns[x] = 2.0;
            }
        }
        columns
    }

    #[test]
    fn slivers_between_characters_are_left_out_and_touching_characters_stay_one_blob() {
        let columns = profile_with_slivers(30, 7);
        let centres = character_centres(&columns, 20.0);
        assert_eq!(centres.len(), 30, "{centres:?}");
        assert!(
            centres.iter().all(|c| (c - 10.0).rem_euclid(20.0) < 0.6),
            "{centres:?}"
        );
        // Two characters that touch (a font wider than OCR-B) remain one run, between cells.
        let mut touching = profile_with_slivers(30, 1000);
        for x in 16..24 {
            touching[x] = 10.0;
        }
        let centres = character_centres(&touching, 20.0);
        assert_eq!(centres.len(), 29);
        assert!((centres[0] - 20.0).abs() < 0.6, "{centres:?}");
    }

    #[test]
    fn a_washed_out_mrz_asks_for_a_recapture_and_a_partly_glared_one_is_measured_on_the_rest() {
        let template = uto_passport();
        let clean = check(&template, page(2.54, None));
        assert_eq!(clean.status, CheckStatus::Pass, "{}", clean.message);

        // Glare over the whole MRZ: nothing to measure, the capture is at fault.
        let washed = check(&template, page(2.54, Some((3.0, 122.0))));
        assert_eq!(washed.status, CheckStatus::Error, "{}", washed.message);
        assert!(washed.recapture.as_deref().is_some_and(|r| r.contains("free of glare")), "{washed:?}");
        assert!(washed.message.contains("glare covers"), "{}", washed.message);

        // Glare over the left 40 mm: measured on the glare-free right part.
        let partly = check(&template, page(2.54, Some((3.0, 45.0))));
        assert_eq!(partly.status, CheckStatus::Pass, "{}", partly.message);
        assert!(partly.recapture.is_none());
        let detail = partly.evidence[0].detail.as_deref().unwrap_or("");
        assert!(detail.contains("glare-free part"), "{detail}");

        // A counterfeit's wrong pitch still fails on the glare-free part.
        let forged = check(&template, page(2.54 * 0.92, Some((3.0, 45.0))));
        assert_eq!(forged.status, CheckStatus::Fail, "{}", forged.message);
        assert!(forged.recapture.is_none());
    }
}
