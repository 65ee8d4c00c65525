//! Capture quality gate: focus, glare, resolution, perspective and exposure of
//! each capture, so an officer recaptures before trusting (or doubting) a
//! document on a poor image. Each finding says how to recapture.

use image::{GrayImage, RgbImage};
use tdverify_core::{Check, Evidence, Light, Rect};

use crate::register::{Registration, median};

/// Minimum page resolution in pixels per mm (150 dpi): below it OCR-B strokes blur together.
pub const MIN_PX_PER_MM: f32 = 5.9;

/// Largest tolerated corner-angle deviation (perspective), degrees.
pub const MAX_SKEW_DEG: f32 = 8.0;

/// Glare: largest tolerated fraction of saturated page pixels under white light.
pub const MAX_GLARE_FRACTION: f32 = 0.004;

/// Focus: smallest tolerated variance of the Laplacian, on a page resampled to
/// a common scale (see [`focus_measure`]).
pub const MIN_FOCUS: f32 = 60.0;

/// What was measured on one capture.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct QualityMeasure {
    /// Light.
    pub light: Light,
    /// Variance of the Laplacian over the page.
    pub focus: f32,
    /// Fraction of page pixels at saturation.
    pub glare_fraction: f32,
    /// Page pixels per mm.
    pub px_per_mm: f32,
    /// Corner-angle deviation, degrees.
    pub skew_deg: f32,
    /// Median page luma.
    pub median_luma: f32,
}

/// Measures one capture inside its page outline.
pub fn measure(light: Light, image: &RgbImage, registration: &Registration) -> QualityMeasure {
    let gray: GrayImage = image::DynamicImage::ImageRgb8(image.clone()).to_luma8();
    let bounds = page_bounds(registration, gray.width(), gray.height());
    let focus = focus_measure(&gray, bounds, registration.px_per_mm);
    let (x0, y0, x1, y1) = bounds;
    let stride = (((x1 - x0) * (y1 - y0)) / 250_000).max(1) as usize;
    let mut saturated = 0u32;
    let mut count = 0u32;
    let mut lumas = Vec::new();
    for y in (y0..y1).step_by(stride.max(1)) {
        for x in (x0..x1).step_by(stride.max(1)) {
            let l = gray.get_pixel(x, y).0[0];
            count += 1;
            if l >= 250 {
                saturated += 1;
            }
            lumas.push(f32::from(l));
        }
    }
    QualityMeasure {
        light,
        focus,
        glare_fraction: if count > 0 {
            saturated as f32 / count as f32
        } else {
            0.0
        },
        px_per_mm: registration.px_per_mm,
        skew_deg: registration.skew_deg,
        median_luma: median(&mut lumas),
    }
}

fn page_bounds(registration: &Registration, width: u32, height: u32) -> (u32, u32, u32, u32) {
    let xs = registration.page_corners_px.map(|c| c[0]);
    let ys = registration.page_corners_px.map(|c| c[1]);
    let clamp = |v: f32, max: u32| v.clamp(0.0, max as f32) as u32;
    let (mut x0, mut x1) = (
        clamp(xs.iter().copied().fold(f32::INFINITY, f32::min), width),
        clamp(xs.iter().copied().fold(0.0, f32::max), width),
    );
    let (mut y0, mut y1) = (
        clamp(ys.iter().copied().fold(f32::INFINITY, f32::min), height),
        clamp(ys.iter().copied().fold(0.0, f32::max), height),
    );
    // Stay off the page edges (shadows, background).
    let inset_x = (x1.saturating_sub(x0)) / 20;
    let inset_y = (y1.saturating_sub(y0)) / 20;
    x0 += inset_x;
    x1 = x1.saturating_sub(inset_x).max(x0);
    y0 += inset_y;
    y1 = y1.saturating_sub(inset_y).max(y0);
    (x0, y0, x1, y1)
}

/// Variance of the 4-neighbour Laplacian, taken at a pixel spacing of about
/// 0.2 mm whatever the capture resolution, so sharp 600 dpi scans and sharp
/// phone photos score alike.
pub fn focus_measure(gray: &GrayImage, bounds: (u32, u32, u32, u32), px_per_mm: f32) -> f32 {
    let (x0, y0, x1, y1) = bounds;
    let spacing = ((px_per_mm * 0.2).round() as u32).max(1);
    if x1 < x0 + 3 * spacing || y1 < y0 + 3 * spacing {
        return 0.0;
    }
    let stride = spacing.max(((x1 - x0) / spacing * (y1 - y0) / spacing / 200_000).max(1));
    let at = |x: u32, y: u32| f64::from(gray.get_pixel(x, y).0[0]);
    let (mut sum, mut sum_sq, mut n) = (0f64, 0f64, 0f64);
    let mut y = y0 + spacing;
    while y + spacing < y1 {
        let mut x = x0 + spacing;
        while x + spacing < x1 {
            let l =
                at(x - spacing, y) + at(x + spacing, y) + at(x, y - spacing) + at(x, y + spacing)
                    - 4.0 * at(x, y);
            sum += l;
            sum_sq += l * l;
            n += 1.0;
            x += stride;
        }
        y += stride;
    }
    if n < 1.0 {
        return 0.0;
    }
    let mean = sum / n;
    (sum_sq / n - mean * mean) as f32
}

/// Quality checks over all captures (one check per property, naming each light).
pub fn checks(measures: &[(QualityMeasure, Rect)]) -> Vec<Check> {
    let mut out = Vec::new();
    let mut gather = |id: &str, problem: &dyn Fn(&QualityMeasure) -> Option<String>, fine: &str| {
        let mut problems = Vec::new();
        let mut evidence = Vec::new();
        for (m, rect) in measures {
            if let Some(text) = problem(m) {
                evidence.push(Evidence::region(m.light, *rect).with_detail(text.clone()));
                problems.push(format!("{}: {}", m.light, text));
            }
        }
        if measures.is_empty() {
            return;
        }
        let check = if problems.is_empty() {
            Check::pass(id, fine.to_string())
        } else {
            let mut check = Check::warn(id, problems.join("; ")).with_confidence(0.8);
            check.evidence = evidence;
            check
        };
        out.push(check);
    };
    gather(
        "capture.quality.focus",
        &|m| {
            (m.light != Light::Uv && m.focus < MIN_FOCUS).then(|| {
                format!("image blurred (sharpness {:.0}, need {:.0}): hold the document flat and refocus, then recapture", m.focus, MIN_FOCUS)
            })
        },
        "Captures are in focus.",
    );
    gather(
        "capture.quality.glare",
        &|m| {
            (m.light == Light::White && m.glare_fraction > MAX_GLARE_FRACTION).then(|| {
                format!(
                    "glare on {:.1}% of the page: tilt the document or the lamp, then recapture",
                    m.glare_fraction * 100.0
                )
            })
        },
        "No glare on the page.",
    );
    gather(
        "capture.quality.resolution",
        &|m| {
            (m.px_per_mm < MIN_PX_PER_MM).then(|| {
                format!(
                    "{:.0} dpi on the page, need 150: move closer or scan at 300 dpi",
                    m.px_per_mm * 25.4
                )
            })
        },
        "Resolution sufficient.",
    );
    gather(
        "capture.quality.perspective",
        &|m| {
            (m.skew_deg > MAX_SKEW_DEG).then(|| {
                format!("page seen at an angle (corners {:.0}° off square): hold the camera parallel to the page", m.skew_deg)
            })
        },
        "Page seen square-on.",
    );
    gather(
        "capture.quality.exposure",
        &|m| match m.light {
            Light::White if m.median_luma < 70.0 => Some(format!(
                "too dark (page level {:.0}/255): add light or lengthen exposure",
                m.median_luma
            )),
            Light::White | Light::Ir if m.median_luma > 250.0 => Some(format!(
                "overexposed (page level {:.0}/255): reduce exposure",
                m.median_luma
            )),
            Light::Ir if m.median_luma < 40.0 => Some(format!(
                "too dark (page level {:.0}/255): check the IR lamp",
                m.median_luma
            )),
            _ => None,
        },
        "Exposure correct.",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tdverify_core::CheckStatus;

    #[test]
    fn flat_image_has_no_focus_and_noise_has_some() {
        let flat = GrayImage::from_pixel(200, 200, image::Luma([128]));
        assert_eq!(focus_measure(&flat, (0, 0, 200, 200), 8.0), 0.0);
        let checker = GrayImage::from_fn(200, 200, |x, y| {
            image::Luma([if (x / 2 + y / 2) % 2 == 0 { 0 } else { 255 }])
        });
        assert!(focus_measure(&checker, (0, 0, 200, 200), 8.0) > MIN_FOCUS);
        assert_eq!(focus_measure(&flat, (0, 0, 2, 2), 8.0), 0.0);
    }

    #[test]
    fn problems_become_warnings_with_instructions() {
        let m = QualityMeasure {
            light: Light::White,
            focus: 5.0,
            glare_fraction: 0.1,
            px_per_mm: 3.0,
            skew_deg: 12.0,
            median_luma: 40.0,
        };
        let checks = checks(&[(m, Rect::new(0.0, 0.0, 1.0, 1.0))]);
        assert_eq!(checks.len(), 5);
        assert!(
            checks.iter().all(|c| c.status == CheckStatus::Warn),
            "{checks:?}"
        );
    }
}
