//! The ghost image: the second, faded copy of the holder's portrait that
//! issuers print beside the data. A forger who replaces the main portrait
//! cleanly (same paper, same print process) rarely redoes the ghost image, so
//! comparing the two finds a substitution that leaves no edge or shadow.
//!
//! A ghost image is low in contrast, printed in one tint and usually under
//! guilloche lines. [`enhance_ghost`] makes its face visible to the detector:
//! its ink separated from the lines' ink, contrast stretched, a margin added. The
//! portrait is compared in grey with it, and the pair has its own thresholds
//! ([`GHOST_THRESHOLDS`]): a faded, line-crossed copy never scores as high as
//! two photographs of the same person.

use image::{GrayImage, Luma, RgbImage};

use crate::compare::{OperatingPoint, Thresholds};
use crate::engine::{FaceAnalysis, FaceEngine};
use crate::error::FaceError;

/// Decision thresholds for a printed portrait against its ghost image.
///
/// Calibrated with `cargo xtask eval-ghost` on generated documents carrying
/// real portraits (Face Research Lab London Set), tuning set seed 3030: 82
/// documents with a ghost image (flatbed 300 and 600 dpi, camera, phone), 22
/// genuine pairs compared, 5 821 impostor pairs (50 substituted portraits
/// against their own ghost image, the rest across documents); 10 of 82 ghost
/// faces were not found (camera and phone captures: glare, blur). Lowest
/// genuine score 0.397, highest impostor 0.507.
///
/// Match at ≥ 0.38 (FMR 1.0 %, FNMR 0 % on the tuning set). No match below
/// 0.25: 0.15 under the lowest genuine score, because 22 genuine pairs cannot
/// resolve a false-non-match rate under about 5 % and a no-match here proposes
/// fraud; a first held-out seed (3031) had a genuine pair at 0.306 (a dark
/// face whose ghost image shows no features). Between the two, the officer
/// compares the faces. Held-out figures (seed 3032) are in models/MODELS.md.
pub const GHOST_THRESHOLDS: Thresholds = Thresholds {
    match_at: OperatingPoint { threshold: 0.38, fmr: 0.0101, fnmr: 0.0 },
    no_match_below: OperatingPoint { threshold: 0.25, fmr: 0.0770, fnmr: 0.0 },
    calibration: "generated documents with real portraits (London Set), portrait vs ghost image, tuning seed 3030",
};

/// Share of the ink pixels at each end of the hue range taken as the two
/// inks' directions (the Macenko method uses 1 %; 2 % measured steadier on
/// camera captures of the tuning set).
const INK_EXTREMES: f32 = 0.02;

/// Optical density above which a pixel counts as inked (not paper).
const INKED_DENSITY: f32 = 0.15;

/// Smallest angle between the two inks, in degrees, for them to be told
/// apart; below it the crop is taken in plain grey.
const SEPARABLE_DEGREES: f32 = 3.0;

/// Margin added around the crop, as a fraction of its size: the ghost image
/// zone is cut tight around the head, and the detector needs some context.
const MARGIN_FRACTION: f32 = 0.2;

/// The ghost image made visible: its own ink separated from the lines printed
/// over or under it, as a grey image with the contrast stretched to the full
/// range and a plain margin around it (the face stays where it was, shifted by
/// the margin).
///
/// Two inks over paper add up in optical density (−log of the reflectance),
/// each along its own colour direction. The two directions are estimated from
/// the crop itself, as the extreme hues of the inked pixels in the plane of
/// their two main components (Macenko's stain separation); the ghost ink is
/// the one closer to neutral grey (the lines are the saturated guilloche).
/// Each pixel's ghost-ink amount is then solved for, which removes the lines
/// instead of blurring them.
pub fn enhance_ghost(crop: &RgbImage) -> RgbImage {
    enhance_ghost_sigma(crop, SMOOTHING_SIGMA)
}

/// Resolution the document stage cuts portrait copies at
/// (`tdverify_document::checks::photo::PORTRAIT_PX_PER_MM`).
pub const COPY_CROP_PX_PER_MM: f32 = 12.0;

/// Smoothing of the separated ink at the crop's full resolution (pixels).
const SMOOTHING_SIGMA: f32 = 1.5;

/// [`enhance_ghost`] for a crop upsampled from a capture of
/// `capture_px_per_mm`: the smoothing grows as the capture gets coarser (a
/// phone photograph's noise, JPEG blocks and left-over lines are that many
/// crop pixels wide). Measured on the camera captures of tuning seed 4101: the
/// lowest genuine score rose from 0.22 to 0.25, the substitutions' stayed put.
pub fn enhance_ghost_at(crop: &RgbImage, capture_px_per_mm: f32) -> RgbImage {
    let coarseness = (COPY_CROP_PX_PER_MM / capture_px_per_mm.max(1.0)).max(1.0);
    enhance_ghost_sigma(crop, SMOOTHING_SIGMA * coarseness)
}

#[doc(hidden)]
pub fn enhance_ghost_sigma(crop: &RgbImage, sigma: f32) -> RgbImage {
    let (w, h) = crop.dimensions();
    if w == 0 || h == 0 {
        return RgbImage::new(1, 1);
    }
    let ghost_ink = ghost_ink_amount(crop).unwrap_or_else(|| grey_darkness(crop));
    let mut sorted = ghost_ink.clone();
    sorted.sort_by(f32::total_cmp);
    let high = sorted[(sorted.len() - 1) * 99 / 100].max(1e-3);
    let ink = GrayImage::from_fn(w, h, |x, y| {
        let amount = ghost_ink[(y * w + x) as usize];
        Luma([(255.0 - amount / high * 255.0).round().clamp(0.0, 255.0) as u8])
    });
    let smoothed = image::imageops::blur(&ink, sigma);
    let mut values: Vec<u8> = smoothed.pixels().map(|p| p.0[0]).collect();
    values.sort_unstable();
    let at = |q: f32| f32::from(values[((values.len() - 1) as f32 * q) as usize]);
    let (low, high) = (at(0.01), at(0.99));
    let span = (high - low).max(8.0);
    let stretch = |v: u8| ((f32::from(v) - low) / span * 255.0).round().clamp(0.0, 255.0) as u8;
    let (margin_x, margin_y) = margin(w, h);
    let paper = stretch(values[(values.len() - 1) * 3 / 4]);
    let mut out = RgbImage::from_pixel(w + 2 * margin_x, h + 2 * margin_y, image::Rgb([paper; 3]));
    for (x, y, p) in smoothed.enumerate_pixels() {
        let v = stretch(p.0[0]);
        out.put_pixel(x + margin_x, y + margin_y, image::Rgb([v; 3]));
    }
    out
}

/// The margin [`enhance_ghost`] adds on each side of a `w`×`h` crop.
pub fn margin(w: u32, h: u32) -> (u32, u32) {
    ((w as f32 * MARGIN_FRACTION).round() as u32, (h as f32 * MARGIN_FRACTION).round() as u32)
}

type Vector = [f32; 3];

fn dot(a: Vector, b: Vector) -> f32 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn length(v: Vector) -> f32 {
    dot(v, v).sqrt()
}

/// Each pixel's darkness in plain grey (the fallback when the inks cannot be told apart).
fn grey_darkness(crop: &RgbImage) -> Vec<f32> {
    crop.pixels()
        .map(|p| {
            let [r, g, b] = p.0;
            255.0 - (0.299 * f32::from(r) + 0.587 * f32::from(g) + 0.114 * f32::from(b))
        })
        .collect()
}

/// Each pixel's amount of ghost ink (row-major), or `None` when the crop does
/// not show two separable inks.
fn ghost_ink_amount(crop: &RgbImage) -> Option<Vec<f32>> {
    let density: Vec<Vector> = crop.pixels().map(|p| p.0.map(|c| -((f32::from(c) + 1.0) / 256.0).ln())).collect();
    // The paper: the lightest 5 % in each channel.
    let mut paper = [0f32; 3];
    for (channel, level) in paper.iter_mut().enumerate() {
        let mut values: Vec<f32> = density.iter().map(|d| d[channel]).collect();
        values.sort_by(f32::total_cmp);
        *level = values[values.len() / 20];
    }
    let ink: Vec<Vector> = density.iter().map(|d| [0, 1, 2].map(|c| (d[c] - paper[c]).max(0.0))).collect();
    let inked: Vec<Vector> = ink.iter().copied().filter(|v| length(*v) > INKED_DENSITY).collect();
    if inked.len() < 50 {
        return None;
    }
    let mut scatter = [[0f32; 3]; 3];
    for v in &inked {
        for r in 0..3 {
            for c in 0..3 {
                scatter[r][c] += v[r] * v[c];
            }
        }
    }
    let (first, second) = two_main_axes(scatter)?;
    let mut angles: Vec<f32> = inked.iter().map(|v| dot(*v, second).atan2(dot(*v, first))).collect();
    angles.sort_by(f32::total_cmp);
    let last = (angles.len() - 1) as f32;
    let direction = |angle: f32| {
        let v = [0, 1, 2].map(|c| angle.cos() * first[c] + angle.sin() * second[c]);
        let n = length(v).max(1e-6);
        // Densities are positive: point the direction into the positive octant.
        if v.iter().sum::<f32>() < 0.0 { v.map(|x| -x / n) } else { v.map(|x| x / n) }
    };
    let a = direction(angles[(last * INK_EXTREMES) as usize]);
    let b = direction(angles[(last * (1.0 - INK_EXTREMES)) as usize]);
    if dot(a, b).clamp(-1.0, 1.0).acos().to_degrees() < SEPARABLE_DEGREES {
        return None;
    }
    let neutral = [1.0 / 3f32.sqrt(); 3];
    let (ghost, lines) = if dot(a, neutral) >= dot(b, neutral) { (a, b) } else { (b, a) };
    // Least squares of ink = g·ghost + l·lines, for g.
    let (gg, gl, ll) = (dot(ghost, ghost), dot(ghost, lines), dot(lines, lines));
    let determinant = gg * ll - gl * gl;
    if determinant.abs() < 1e-4 {
        return None;
    }
    Some(ink.iter().map(|v| ((ll * dot(ghost, *v) - gl * dot(lines, *v)) / determinant).max(0.0)).collect())
}

/// The two main axes (largest eigenvalues) of a symmetric 3×3 matrix, by power
/// iteration with deflation; `None` when the matrix is degenerate.
fn two_main_axes(matrix: [[f32; 3]; 3]) -> Option<(Vector, Vector)> {
    let apply = |m: &[[f32; 3]; 3], v: Vector| [0, 1, 2].map(|r| dot(m[r], v));
    let power = |m: &[[f32; 3]; 3], start: Vector| -> Option<Vector> {
        let mut v = start;
        for _ in 0..100 {
            let next = apply(m, v);
            let n = length(next);
            if !(n.is_finite() && n > 1e-9) {
                return None;
            }
            v = next.map(|x| x / n);
        }
        Some(v)
    };
    let first = power(&matrix, [0.58, 0.57, 0.58])?;
    let value = dot(apply(&matrix, first), first);
    let mut deflated = matrix;
    for r in 0..3 {
        for c in 0..3 {
            deflated[r][c] -= value * first[r] * first[c];
        }
    }
    // Start orthogonal to the first axis.
    let seed = if first[0].abs() < 0.9 { [1.0, 0.0, 0.0] } else { [0.0, 1.0, 0.0] };
    let along = dot(seed, first);
    let start = [0, 1, 2].map(|c| seed[c] - along * first[c]);
    let second = power(&deflated, start)?;
    Some((first, second))
}

/// A printed portrait compared with its ghost image.
#[derive(Debug, Clone)]
pub struct GhostComparison {
    /// The portrait's analysis.
    pub portrait: FaceAnalysis,
    /// The enhanced ghost image's analysis.
    pub ghost: FaceAnalysis,
    /// Cosine similarity, both in grey (`None` when a face is missing).
    pub score: Option<f32>,
    /// Milliseconds for both analyses and the comparison.
    pub ms: f64,
}

/// How the ink of a portrait copy shows on the capture it is cut from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyInk {
    /// Dark ink on light paper: the ghost image under white light, a copy in
    /// IR-absorbing ink under IR.
    Absorbing,
    /// Ink that glows on dark paper: a copy in UV-fluorescent ink under UV
    /// (brightest where the portrait is darkest). Inverted before enhancing.
    Fluorescent,
}

/// A portrait copy made visible as [`enhance_ghost`] does, after turning a
/// fluorescent copy's glow into dark-on-light ink.
pub fn enhance_copy(crop: &RgbImage, ink: CopyInk) -> RgbImage {
    enhance_copy_at(crop, ink, COPY_CROP_PX_PER_MM)
}

/// [`enhance_copy`] for a crop cut from a capture of `capture_px_per_mm` (see [`enhance_ghost_at`]).
pub fn enhance_copy_at(crop: &RgbImage, ink: CopyInk, capture_px_per_mm: f32) -> RgbImage {
    match ink {
        CopyInk::Absorbing => enhance_ghost_at(crop, capture_px_per_mm),
        CopyInk::Fluorescent => {
            let mut inverted = crop.clone();
            inverted.pixels_mut().for_each(|p| p.0 = p.0.map(|c| 255 - c));
            enhance_ghost_at(&inverted, capture_px_per_mm)
        }
    }
}

impl FaceEngine {
    /// Compares a printed portrait (the photo zone, upright) with the ghost
    /// image zone of the same document, in grey, both cut at [`COPY_CROP_PX_PER_MM`]
    /// from a capture at least that fine.
    pub fn compare_with_ghost(&self, portrait: &RgbImage, ghost_zone: &RgbImage) -> Result<GhostComparison, FaceError> {
        self.compare_with_copy(portrait, ghost_zone, CopyInk::Absorbing, COPY_CROP_PX_PER_MM)
    }

    /// Compares a printed portrait with one of its copies on the document
    /// (ghost image, UV or IR copy), the copy enhanced as its ink and the
    /// capture's resolution (`capture_px_per_mm`) need.
    pub fn compare_with_copy(&self, portrait: &RgbImage, copy_zone: &RgbImage, ink: CopyInk, capture_px_per_mm: f32) -> Result<GhostComparison, FaceError> {
        let started = std::time::Instant::now();
        let portrait = self.analyse(&image::DynamicImage::ImageRgb8(portrait.clone()))?;
        let ghost = self.analyse(&image::DynamicImage::ImageRgb8(enhance_copy_at(copy_zone, ink, capture_px_per_mm)))?;
        let score = match (self.grey_embedding(&portrait)?, &ghost.embedding) {
            (Some(a), Some(b)) => Some(a.cosine(b)),
            _ => None,
        };
        Ok(GhostComparison { portrait, ghost, score, ms: started.elapsed().as_secs_f64() * 1e3 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: u32 = 160;
    const H: u32 = 200;

    /// A face-like blob in a near-neutral ink under a grid of saturated green
    /// lines, on cream paper: inks multiply the light they reflect.
    fn lined_blob() -> RgbImage {
        RgbImage::from_fn(W, H, |x, y| {
            let in_blob = (x as f32 - 80.0).powi(2) / 40.0f32.powi(2) + (y as f32 - 100.0).powi(2) / 55.0f32.powi(2) < 1.0;
            let line = x % 12 < 2 || y % 15 < 2;
            let mut colour = [235.0f32, 232.0, 220.0];
            let mut apply = |filter: [f32; 3]| colour.iter_mut().zip(filter).for_each(|(c, f)| *c *= f);
            if in_blob {
                apply([0.62, 0.64, 0.66]);
            }
            if line {
                apply([0.45, 0.85, 0.6]);
            }
            image::Rgb(colour.map(|c| c.round() as u8))
        })
    }

    fn at(enhanced: &RgbImage, x: u32, y: u32) -> u8 {
        let (mx, my) = margin(W, H);
        enhanced.get_pixel(x + mx, y + my).0[0]
    }

    #[test]
    fn the_lines_ink_is_separated_out_and_the_ghost_stretched_to_full_contrast() {
        assert!(ghost_ink_amount(&lined_blob()).is_some(), "two inks told apart");
        let enhanced = enhance_ghost(&lined_blob());
        // A line through the paper and one through the blob no longer show.
        assert!(at(&enhanced, 36, 30).abs_diff(at(&enhanced, 42, 30)) < 25, "paper line left: {} vs {}", at(&enhanced, 36, 30), at(&enhanced, 42, 30));
        assert!(at(&enhanced, 72, 100).abs_diff(at(&enhanced, 78, 100)) < 25, "blob line left: {} vs {}", at(&enhanced, 72, 100), at(&enhanced, 78, 100));
        // Blob and paper are far apart after the stretch.
        assert!(at(&enhanced, 80, 100) < 80 && at(&enhanced, 8, 8) > 180, "blob {} paper {}", at(&enhanced, 80, 100), at(&enhanced, 8, 8));
        let (mx, my) = margin(W, H);
        assert_eq!(enhanced.dimensions(), (W + 2 * mx, H + 2 * my));
    }

    #[test]
    fn one_ink_only_falls_back_to_grey_and_keeps_the_blob() {
        let plain = RgbImage::from_fn(W, H, |x, y| {
            let in_blob = (x as f32 - 80.0).powi(2) / 40.0f32.powi(2) + (y as f32 - 100.0).powi(2) / 55.0f32.powi(2) < 1.0;
            if in_blob { image::Rgb([120, 125, 120]) } else { image::Rgb([230, 230, 225]) }
        });
        assert!(ghost_ink_amount(&plain).is_none(), "one ink: nothing to separate");
        let enhanced = enhance_ghost(&plain);
        assert!(at(&enhanced, 80, 100) < 80 && at(&enhanced, 8, 8) > 180, "blob {} paper {}", at(&enhanced, 80, 100), at(&enhanced, 8, 8));
    }

    #[test]
    fn a_fluorescent_copy_is_turned_into_dark_ink_on_light_paper() {
        // A glowing blob on dark UV paper, with a few glowing fibres.
        let glowing = RgbImage::from_fn(W, H, |x, y| {
            let in_blob = (x as f32 - 80.0).powi(2) / 40.0f32.powi(2) + (y as f32 - 100.0).powi(2) / 55.0f32.powi(2) < 1.0;
            if in_blob {
                image::Rgb([200, 190, 230])
            } else if (x + 3 * y) % 97 < 2 {
                image::Rgb([220, 60, 60])
            } else {
                image::Rgb([34, 28, 52])
            }
        });
        let enhanced = enhance_copy(&glowing, CopyInk::Fluorescent);
        assert!(at(&enhanced, 80, 100) < 80 && at(&enhanced, 8, 8) > 180, "blob {} paper {}", at(&enhanced, 80, 100), at(&enhanced, 8, 8));
        let absorbing = enhance_copy(&glowing, CopyInk::Absorbing);
        assert!(at(&absorbing, 80, 100) > at(&absorbing, 8, 8), "without inverting, the glow reads as paper");
    }

    #[test]
    fn a_coarse_capture_is_smoothed_more() {
        let lined = lined_blob();
        let fine = enhance_ghost_at(&lined, COPY_CROP_PX_PER_MM);
        assert_eq!(fine, enhance_ghost(&lined), "a capture as fine as the crop is enhanced as before");
        let coarse = enhance_ghost_at(&lined, 6.0);
        assert_eq!(coarse.dimensions(), fine.dimensions());
        let roughness = |image: &RgbImage| image.pixels().zip(image.pixels().skip(1)).map(|(a, b)| i32::from(a.0[0]).abs_diff(i32::from(b.0[0]))).sum::<u32>();
        assert!(roughness(&coarse) < roughness(&fine), "smoother: {} vs {}", roughness(&coarse), roughness(&fine));
    }

    #[test]
    fn degenerate_crops_do_not_panic() {
        for (w, h) in [(0, 0), (1, 1), (1, 40), (3, 2)] {
            let enhanced = enhance_ghost(&RgbImage::new(w, h));
            assert!(enhanced.width() >= 1 && enhanced.height() >= 1);
        }
        let flat = enhance_ghost(&RgbImage::from_pixel(50, 60, image::Rgb([200, 200, 200])));
        assert!(flat.pixels().all(|p| p.0 == flat.get_pixel(0, 0).0), "a flat crop stays flat");
    }

    proptest::proptest! {
        #[test]
        fn any_crop_gives_an_image_with_the_margin(w in 1u32..40, h in 1u32..40, seed in proptest::prelude::any::<u64>()) {
            let crop = RgbImage::from_fn(w, h, |x, y| {
                let v = seed.wrapping_mul(u64::from(x * 31 + y * 17 + 1)).wrapping_add(u64::from(x ^ y));
                image::Rgb([(v >> 8) as u8, (v >> 16) as u8, (v >> 24) as u8])
            });
            let enhanced = enhance_ghost(&crop);
            let (mx, my) = margin(w, h);
            proptest::prop_assert_eq!(enhanced.dimensions(), (w + 2 * mx, h + 2 * my));
        }
    }
}
