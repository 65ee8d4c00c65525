//! Registration: find the document page in a scan or photo, decide which way
//! is up, and map template millimetres to image pixels.
//!
//! The page is found by separating it from the scanner lid or table behind it
//! (the colour of the image border), taking the largest connected region and
//! its four extreme corners; a projective transform (homography) then maps the
//! template's millimetres onto the capture. The MRZ side of a page is told by
//! where the MRZ's dark, regular text sits: that settles 0° against 180°, and
//! the page's aspect ratio settles 0° against 90°.
//!
//! Every check then works on a [`RectifiedPage`]: the page resampled upright
//! at a fixed resolution, so zone positions are simple millimetre rectangles
//! whatever the capture's rotation or perspective.

use image::{GrayImage, RgbImage};
use serde::Serialize;
use tdverify_core::Rect;

use crate::reference::RectMm;

/// Resolution of rectified pages, in pixels per millimetre (about 203 dpi):
/// fine enough to resolve OCR-B strokes and pitch, small enough to stay fast.
pub const RECTIFIED_PX_PER_MM: f32 = 8.0;

/// Longest side of the reduced image the page is searched in (speed).
const SEARCH_SIZE: u32 = 640;

/// Template millimetres to capture pixels (the one homography of tdverify).
pub use tdverify_core::geometry::Homography;

/// The axis-aligned bounding box, in capture pixels, of a millimetre rectangle.
fn map_rect(homography: &Homography, rect: &RectMm) -> Rect {
    let corners = [
        (rect.x, rect.y),
        (rect.right(), rect.y),
        (rect.right(), rect.bottom()),
        (rect.x, rect.bottom()),
    ];
    let mapped: Vec<(f64, f64)> = corners
        .iter()
        .filter_map(|&(x, y)| homography.map(f64::from(x), f64::from(y)))
        .collect();
    if mapped.is_empty() {
        return Rect::new(0.0, 0.0, 0.0, 0.0);
    }
    let min_x = mapped.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
    let max_x = mapped.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
    let min_y = mapped.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let max_y = mapped.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    Rect::new(
        min_x as f32,
        min_y as f32,
        (max_x - min_x) as f32,
        (max_y - min_y) as f32,
    )
}

/// Where the page is in one capture and how template millimetres map onto it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Registration {
    /// Page corners in capture pixels, in page order: top-left, top-right,
    /// bottom-right, bottom-left of the upright page.
    pub page_corners_px: [[f32; 2]; 4],
    /// Millimetres (template) to capture pixels.
    pub homography: Homography,
    /// How far the page is turned in the capture: 0, 90, 180 or 270 degrees clockwise.
    pub rotation_quadrant_deg: u16,
    /// Mean scale of the page in the capture.
    pub px_per_mm: f32,
    /// Largest deviation of the page's corner angles from 90° (perspective).
    pub skew_deg: f32,
    /// How sure the page outline is, 0 to 1 (1: a clean page on a plain background).
    pub confidence: f32,
    /// How the page was found (`outline`, `whole_image`, `reused_from_white`).
    pub method: String,
}

impl Registration {
    /// Capture-pixel bounding box of a template rectangle (evidence regions).
    pub fn region(&self, rect: &RectMm) -> Rect {
        map_rect(&self.homography, rect)
    }
}

/// Why a capture could not be registered.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RegisterError {
    /// Too small to hold a readable document.
    #[error(
        "image is {width}×{height} pixels: too small to find a document in (need at least 64×64)"
    )]
    TooSmall {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// The page size is not usable.
    #[error("page size {width_mm}×{height_mm} mm is not usable")]
    BadPageSize {
        /// Width in millimetres.
        width_mm: f32,
        /// Height in millimetres.
        height_mm: f32,
    },
    /// No transform could be built from the outline found.
    #[error("the page outline found is degenerate (corners on a line)")]
    Degenerate,
}

/// A page found in a capture before orientation is decided: corners in image
/// order (top-left, top-right, bottom-right, bottom-left as seen in the image).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageOutline {
    /// Corners as seen in the image.
    pub corners: [[f32; 2]; 4],
    /// 0 to 1.
    pub confidence: f32,
    /// True when no outline was found and the whole image is taken as the page.
    pub whole_image: bool,
}

/// Finds the page in an image by separating it from the border colour.
pub fn find_page(image: &RgbImage) -> Result<PageOutline, RegisterError> {
    let (width, height) = image.dimensions();
    if width < 64 || height < 64 {
        return Err(RegisterError::TooSmall { width, height });
    }
    let step = width.max(height).div_ceil(SEARCH_SIZE).max(1);
    let (sw, sh) = (width / step, height / step);
    // Reduced image by box averaging.
    let mut small = vec![[0f32; 3]; (sw * sh) as usize];
    for sy in 0..sh {
        for sx in 0..sw {
            let mut sum = [0u32; 3];
            for dy in 0..step {
                for dx in 0..step {
                    let p = image.get_pixel(sx * step + dx, sy * step + dy).0;
                    for c in 0..3 {
                        sum[c] += u32::from(p[c]);
                    }
                }
            }
            let n = (step * step) as f32;
            small[(sy * sw + sx) as usize] =
                [sum[0] as f32 / n, sum[1] as f32 / n, sum[2] as f32 / n];
        }
    }
    // Background colour: median of the outermost frame.
    let mut frame: Vec<[f32; 3]> = Vec::new();
    for x in 0..sw {
        for y in [0, 1, sh - 2, sh - 1] {
            frame.push(small[(y * sw + x) as usize]);
        }
    }
    for y in 0..sh {
        for x in [0, 1, sw - 2, sw - 1] {
            frame.push(small[(y * sw + x) as usize]);
        }
    }
    let mut background = [0f32; 3];
    for (c, value) in background.iter_mut().enumerate() {
        let mut channel: Vec<f32> = frame.iter().map(|p| p[c]).collect();
        *value = median(&mut channel);
    }
    let mut spread: Vec<f32> = frame
        .iter()
        .map(|p| colour_distance(p, &background))
        .collect();
    let frame_spread = percentile(&mut spread, 0.8);
    let threshold = (frame_spread * 2.5).max(7.0);
    let mask: Vec<bool> = small
        .iter()
        .map(|p| colour_distance(p, &background) > threshold)
        .collect();
    let whole = || PageOutline {
        corners: [
            [0.0, 0.0],
            [width as f32, 0.0],
            [width as f32, height as f32],
            [0.0, height as f32],
        ],
        confidence: 0.3,
        whole_image: true,
    };
    let Some(component) = largest_component(&mask, sw as usize, sh as usize) else {
        return Ok(whole());
    };
    let area = component.len() as f32;
    if area < 0.08 * (sw * sh) as f32 {
        return Ok(whole());
    }
    let extreme = |score: &dyn Fn(f32, f32) -> f32| {
        let mut best = (f32::NEG_INFINITY, 0f32, 0f32);
        for &(x, y) in &component {
            let s = score(x as f32, y as f32);
            if s > best.0 {
                best = (s, x as f32, y as f32);
            }
        }
        [best.1, best.2]
    };
    let tl = extreme(&|x, y| -(x + y));
    let tr = extreme(&|x, y| x - y);
    let br = extreme(&|x, y| x + y);
    let bl = extreme(&|x, y| y - x);
    // Pixel centres of the reduced grid to full-image coordinates, pushing the
    // corners out by half a reduced pixel so they sit on the page edge.
    let scale = step as f32;
    let to_full =
        |p: [f32; 2], ox: f32, oy: f32| [(p[0] + 0.5 + ox) * scale, (p[1] + 0.5 + oy) * scale];
    // The extreme cells are where a glare halo or a shadow touching the page
    // pulls a corner out; the sides' straight middles are not. Prefer the
    // corners where the fitted sides meet when they agree with the extremes.
    let corners = match edge_corners(&component, sw as usize, sh as usize, [tl, tr, br, bl]) {
        Some(refined) => refined.map(|p| to_full(p, 0.0, 0.0)),
        None => [
            to_full(tl, -0.5, -0.5),
            to_full(tr, 0.5, -0.5),
            to_full(br, 0.5, 0.5),
            to_full(bl, -0.5, 0.5),
        ],
    };
    let quad_area = polygon_area(&corners) / (scale * scale);
    let fill = if quad_area > 0.0 {
        (area / quad_area).min(quad_area / area)
    } else {
        0.0
    };
    if fill < 0.6 {
        return Ok(whole());
    }
    Ok(PageOutline {
        corners,
        confidence: fill.clamp(0.0, 1.0),
        whole_image: false,
    })
}

/// The page corners where straight lines fitted to the middle of each side of
/// the page component meet, in reduced-grid cell coordinates on the page edge
/// (cell centres moved out by half a cell). `None` when a side has too few
/// points or the result strays far from the extreme cells `rough`.
fn edge_corners(component: &[(usize, usize)], width: usize, height: usize, rough: [[f32; 2]; 4]) -> Option<[[f32; 2]; 4]> {
    // Outermost component cell per column (top, bottom) and per row (left, right).
    let mut top = vec![usize::MAX; width];
    let mut bottom = vec![0usize; width];
    let mut left = vec![usize::MAX; height];
    let mut right = vec![0usize; height];
    let mut seen_column = vec![false; width];
    let mut seen_row = vec![false; height];
    for &(x, y) in component {
        top[x] = top[x].min(y);
        bottom[x] = bottom[x].max(y);
        left[y] = left[y].min(x);
        right[y] = right[y].max(x);
        seen_column[x] = true;
        seen_row[y] = true;
    }
    let [tl, tr, br, bl] = rough;
    // The middle 60% between two corners along one axis.
    let middle = |a: f32, b: f32| {
        let (lo, hi) = (a.min(b), a.max(b));
        let margin = 0.2 * (hi - lo);
        ((lo + margin).ceil() as usize, (hi - margin).floor() as usize)
    };
    // Points (along, across) of a side; the line is across = slope * along + offset.
    let side = |range: (usize, usize), seen: &[bool], edge: &[usize], outward: f32| -> Option<(f32, f32)> {
        let points: Vec<(f32, f32)> =
            (range.0..=range.1.min(seen.len().saturating_sub(1))).filter(|&i| seen[i]).map(|i| (i as f32, edge[i] as f32 + outward)).collect();
        fit_line_trimmed(&points)
    };
    let top_line = side(middle(tl[0], tr[0]), &seen_column, &top, -0.5)?;
    let bottom_line = side(middle(bl[0], br[0]), &seen_column, &bottom, 0.5)?;
    let left_line = side(middle(tl[1], bl[1]), &seen_row, &left, -0.5)?;
    let right_line = side(middle(tr[1], br[1]), &seen_row, &right, 0.5)?;
    // Horizontal side y = a x + b meets vertical side x = c y + d.
    let meet = |(a, b): (f32, f32), (c, d): (f32, f32)| -> Option<[f32; 2]> {
        let denominator = 1.0 - a * c;
        if denominator.abs() < 1e-3 {
            return None;
        }
        let y = (a * d + b) / denominator;
        Some([c * y + d, y])
    };
    let corners = [meet(top_line, left_line)?, meet(top_line, right_line)?, meet(bottom_line, right_line)?, meet(bottom_line, left_line)?];
    let diagonal = ((br[0] - tl[0]).hypot(br[1] - tl[1])).max((tr[0] - bl[0]).hypot(tr[1] - bl[1]));
    if !corners.iter().all(|c| c[0].is_finite() && c[1].is_finite()) {
        return None;
    }
    // A corner far from its extreme cell is trusted only when it moved in
    // (a glare halo or a shadow joined to the page pushed the extreme out,
    // never in) and the page fills the fitted outline while little of it
    // lies outside (the bulge).
    let centre = [rough.iter().map(|r| r[0]).sum::<f32>() / 4.0, rough.iter().map(|r| r[1]).sum::<f32>() / 4.0];
    let from_centre = |p: &[f32; 2]| (p[0] - centre[0]).hypot(p[1] - centre[1]);
    let mut moved_in = false;
    for (c, r) in corners.iter().zip(&rough) {
        let shift = (c[0] - r[0]).hypot(c[1] - r[1]);
        if shift <= 0.1 * diagonal {
            continue;
        }
        if shift > 0.35 * diagonal || from_centre(c) >= from_centre(r) {
            return None;
        }
        moved_in = true;
    }
    if moved_in {
        let inside = component.iter().filter(|&&(x, y)| inside_quad(&corners, x as f32, y as f32)).count() as f32;
        let quad = polygon_area(&corners);
        let outside = component.len() as f32 - inside;
        if quad <= 0.0 || inside < 0.9 * quad || outside > 0.15 * component.len() as f32 {
            return None;
        }
    }
    Some(corners)
}

/// Whether a point lies inside a convex quadrilateral (corners in order).
fn inside_quad(corners: &[[f32; 2]; 4], x: f32, y: f32) -> bool {
    let mut sign = 0.0f32;
    for i in 0..4 {
        let [ax, ay] = corners[i];
        let [bx, by] = corners[(i + 1) % 4];
        let cross = (bx - ax) * (y - ay) - (by - ay) * (x - ax);
        if cross != 0.0 {
            if sign != 0.0 && cross.signum() != sign {
                return false;
            }
            sign = cross.signum();
        }
    }
    true
}

/// A line through points that ignores a bulge on part of the side (a glare
/// halo or a shadow joined to the page): of the lines through two points a
/// quarter of the side or more apart, the one the most points lie within a
/// cell of, then least squares on those points. A consensus, not a median of
/// slopes: a halo covering 40 % of a side's middle pulls every slope towards
/// it and outvotes the median (Theil–Sen breaks down at 29 % of the points),
/// while the points along the straight edge still outnumber any line through
/// the curved bulge. Needs 4 points.
fn fit_line_trimmed(points: &[(f32, f32)]) -> Option<(f32, f32)> {
    if points.len() < 4 {
        return None;
    }
    let (low, high) = points.iter().fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), (x, _)| (lo.min(*x), hi.max(*x)));
    let apart = (0.25 * (high - low)).max(1.0);
    // At most about 32 points propose lines (each tested against every point).
    let stride = points.len().div_ceil(32).max(1);
    let proposers: Vec<(f32, f32)> = points.iter().copied().step_by(stride).collect();
    let support = |slope: f32, offset: f32| {
        points.iter().fold((0usize, 0.0f32), |(count, spread), (x, y)| {
            let residual = (y - (slope * x + offset)).abs();
            if residual <= 1.0 { (count + 1, spread + residual) } else { (count, spread) }
        })
    };
    let mut best: Option<(usize, f32, f32, f32)> = None;
    for (i, (x0, y0)) in proposers.iter().enumerate() {
        for (x1, y1) in &proposers[i + 1..] {
            if (x1 - x0).abs() < apart {
                continue;
            }
            let slope = (y1 - y0) / (x1 - x0);
            let offset = y0 - slope * x0;
            let (count, spread) = support(slope, offset);
            if best.is_none_or(|(best_count, best_spread, _, _)| count > best_count || (count == best_count && spread < best_spread)) {
                best = Some((count, spread, slope, offset));
            }
        }
    }
    let (_, _, slope, offset) = best?;
    let kept: Vec<(f32, f32)> = points.iter().copied().filter(|(x, y)| (y - (slope * x + offset)).abs() <= 1.0).collect();
    if kept.len() < 4 {
        return Some((slope, offset));
    }
    let n = kept.len() as f32;
    let (sx, sy) = kept.iter().fold((0.0, 0.0), |(sx, sy), (x, y)| (sx + x, sy + y));
    let (mx, my) = (sx / n, sy / n);
    let (sxx, sxy) = kept.iter().fold((0.0, 0.0), |(sxx, sxy), (x, y)| (sxx + (x - mx) * (x - mx), sxy + (x - mx) * (y - my)));
    if sxx <= f32::EPSILON {
        return Some((slope, offset));
    }
    let refined = sxy / sxx;
    Some((refined, my - refined * mx))
}

fn colour_distance(a: &[f32; 3], b: &[f32; 3]) -> f32 {
    (a[0] - b[0])
        .abs()
        .max((a[1] - b[1]).abs())
        .max((a[2] - b[2]).abs())
}

/// Largest 4-connected component of a mask, as (x, y) cells.
fn largest_component(mask: &[bool], width: usize, height: usize) -> Option<Vec<(usize, usize)>> {
    let mut label = vec![false; mask.len()];
    let mut best: Option<Vec<(usize, usize)>> = None;
    let mut stack = Vec::new();
    for start in 0..mask.len() {
        if !mask[start] || label[start] {
            continue;
        }
        let mut cells = Vec::new();
        label[start] = true;
        stack.push(start);
        while let Some(index) = stack.pop() {
            let (x, y) = (index % width, index / width);
            cells.push((x, y));
            let mut visit = |nx: usize, ny: usize| {
                let n = ny * width + nx;
                if mask[n] && !label[n] {
                    label[n] = true;
                    stack.push(n);
                }
            };
            if x > 0 {
                visit(x - 1, y);
            }
            if x + 1 < width {
                visit(x + 1, y);
            }
            if y > 0 {
                visit(x, y - 1);
            }
            if y + 1 < height {
                visit(x, y + 1);
            }
        }
        if best.as_ref().is_none_or(|b| cells.len() > b.len()) {
            best = Some(cells);
        }
    }
    best
}

fn polygon_area(points: &[[f32; 2]; 4]) -> f32 {
    let mut twice = 0.0;
    for i in 0..4 {
        let j = (i + 1) % 4;
        twice += points[i][0] * points[j][1] - points[j][0] * points[i][1];
    }
    (twice / 2.0).abs()
}

/// Builds the registration for an outline turned by `quadrant` × 90° clockwise.
pub fn registration_for(
    outline: &PageOutline,
    quadrant: u16,
    width_mm: f32,
    height_mm: f32,
) -> Result<Registration, RegisterError> {
    if !(width_mm.is_finite() && height_mm.is_finite() && width_mm > 1.0 && height_mm > 1.0) {
        return Err(RegisterError::BadPageSize {
            width_mm,
            height_mm,
        });
    }
    // Page corner k (TL, TR, BR, BL of the upright page) sits at image corner
    // (k + shift) of the outline when the page is turned clockwise by shift×90°.
    let shift = usize::from((quadrant / 90) % 4);
    let mut page_corners = [[0f32; 2]; 4];
    for (k, corner) in page_corners.iter_mut().enumerate() {
        *corner = outline.corners[(k + shift) % 4];
    }
    let (w, h) = (f64::from(width_mm), f64::from(height_mm));
    let from = [[0.0, 0.0], [w, 0.0], [w, h], [0.0, h]];
    let to = page_corners.map(|c| [f64::from(c[0]), f64::from(c[1])]);
    let homography = Homography::from_points(from, to).ok_or(RegisterError::Degenerate)?;
    let side = |a: [f32; 2], b: [f32; 2]| ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt();
    let top = side(page_corners[0], page_corners[1]);
    let bottom = side(page_corners[3], page_corners[2]);
    let left = side(page_corners[0], page_corners[3]);
    let right = side(page_corners[1], page_corners[2]);
    let px_per_mm = ((top + bottom) / (2.0 * width_mm) + (left + right) / (2.0 * height_mm)) / 2.0;
    let mut skew: f32 = 0.0;
    for k in 0..4 {
        let p = page_corners[k];
        let a = page_corners[(k + 1) % 4];
        let b = page_corners[(k + 3) % 4];
        let (ax, ay) = (a[0] - p[0], a[1] - p[1]);
        let (bx, by) = (b[0] - p[0], b[1] - p[1]);
        let cos = (ax * bx + ay * by) / ((ax.hypot(ay) * bx.hypot(by)).max(1e-6));
        skew = skew.max((cos.clamp(-1.0, 1.0).acos().to_degrees() - 90.0).abs());
    }
    // Aspect agreement lowers confidence when the outline is not this page.
    let measured_aspect = ((top + bottom) / (left + right)).max(1e-6);
    let aspect_error = (measured_aspect / (width_mm / height_mm) - 1.0).abs();
    let confidence =
        (outline.confidence * (1.0 - aspect_error * 2.0).clamp(0.0, 1.0)).clamp(0.0, 1.0);
    Ok(Registration {
        page_corners_px: page_corners,
        homography,
        rotation_quadrant_deg: quadrant % 360,
        px_per_mm,
        skew_deg: skew,
        confidence,
        method: if outline.whole_image {
            "whole_image".into()
        } else {
            "outline".into()
        },
    })
}

/// The two quarter turns compatible with the outline's aspect ratio, the
/// likelier first: a landscape page seen landscape is at 0° or 180°.
pub fn candidate_quadrants(outline: &PageOutline, width_mm: f32, height_mm: f32) -> [u16; 2] {
    let c = &outline.corners;
    let side = |a: [f32; 2], b: [f32; 2]| ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt();
    let horizontal = side(c[0], c[1]) + side(c[3], c[2]);
    let vertical = side(c[0], c[3]) + side(c[1], c[2]);
    let image_landscape = horizontal >= vertical;
    let page_landscape = width_mm >= height_mm;
    if image_landscape == page_landscape {
        [0, 180]
    } else {
        [90, 270]
    }
}

/// A page resampled upright at [`RECTIFIED_PX_PER_MM`].
#[derive(Debug, Clone)]
pub struct RectifiedPage {
    /// Colour pixels.
    pub rgb: RgbImage,
    /// Luma (Rec. 601) of the same pixels.
    pub luma: GrayImage,
    /// Page width in millimetres.
    pub width_mm: f32,
    /// Page height in millimetres.
    pub height_mm: f32,
}

impl RectifiedPage {
    /// Resamples the page of `image` (bilinear) through `registration`.
    pub fn new(
        image: &RgbImage,
        registration: &Registration,
        width_mm: f32,
        height_mm: f32,
    ) -> RectifiedPage {
        let scale = RECTIFIED_PX_PER_MM;
        let out_w = ((width_mm * scale).round() as u32).max(1);
        let out_h = ((height_mm * scale).round() as u32).max(1);
        let mut rgb = RgbImage::new(out_w, out_h);
        let mut luma = GrayImage::new(out_w, out_h);
        let (iw, ih) = image.dimensions();
        let h = &registration.homography;
        for v in 0..out_h {
            let y_mm = (f64::from(v) + 0.5) / f64::from(scale);
            for u in 0..out_w {
                let x_mm = (f64::from(u) + 0.5) / f64::from(scale);
                let Some((px, py)) = h.map(x_mm, y_mm) else {
                    continue;
                };
                let pixel = bilinear(image, iw, ih, px as f32 - 0.5, py as f32 - 0.5);
                rgb.put_pixel(u, v, image::Rgb(pixel));
                let l = 0.299 * f32::from(pixel[0])
                    + 0.587 * f32::from(pixel[1])
                    + 0.114 * f32::from(pixel[2]);
                luma.put_pixel(u, v, image::Luma([l.round().clamp(0.0, 255.0) as u8]));
            }
        }
        RectifiedPage {
            rgb,
            luma,
            width_mm,
            height_mm,
        }
    }

    /// Pixel rectangle (x0, y0, x1, y1), clamped to the page, of a millimetre rectangle.
    pub fn px_rect(&self, rect: &RectMm) -> (u32, u32, u32, u32) {
        let s = RECTIFIED_PX_PER_MM;
        let (w, h) = self.luma.dimensions();
        let clamp_x = |v: f32| (v * s).round().clamp(0.0, w as f32) as u32;
        let clamp_y = |v: f32| (v * s).round().clamp(0.0, h as f32) as u32;
        (
            clamp_x(rect.x),
            clamp_y(rect.y),
            clamp_x(rect.right()),
            clamp_y(rect.bottom()),
        )
    }
}

/// One template rectangle of `image` resampled upright at `px_per_mm`
/// (bilinear): the zone as the template draws it, whatever the capture's
/// rotation or perspective. Used for the portrait copies, which the face
/// models need at a finer resolution than [`RECTIFIED_PX_PER_MM`].
pub fn rectify_rect(image: &RgbImage, registration: &Registration, rect: &RectMm, px_per_mm: f32) -> RgbImage {
    let out_w = ((rect.w * px_per_mm).round() as u32).clamp(1, 4096);
    let out_h = ((rect.h * px_per_mm).round() as u32).clamp(1, 4096);
    let mut out = RgbImage::new(out_w, out_h);
    let (iw, ih) = image.dimensions();
    if iw == 0 || ih == 0 {
        return out;
    }
    for v in 0..out_h {
        let y_mm = f64::from(rect.y) + (f64::from(v) + 0.5) / f64::from(px_per_mm);
        for u in 0..out_w {
            let x_mm = f64::from(rect.x) + (f64::from(u) + 0.5) / f64::from(px_per_mm);
            if let Some((px, py)) = registration.homography.map(x_mm, y_mm) {
                out.put_pixel(u, v, image::Rgb(bilinear(image, iw, ih, px as f32 - 0.5, py as f32 - 0.5)));
            }
        }
    }
    out
}

pub(crate) fn bilinear(image: &RgbImage, width: u32, height: u32, x: f32, y: f32) -> [u8; 3] {
    if !(x.is_finite() && y.is_finite()) {
        return [0, 0, 0];
    }
    let x = x.clamp(0.0, (width - 1) as f32);
    let y = y.clamp(0.0, (height - 1) as f32);
    let (x0, y0) = (x.floor() as u32, y.floor() as u32);
    let (x1, y1) = ((x0 + 1).min(width - 1), (y0 + 1).min(height - 1));
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let p00 = image.get_pixel(x0, y0).0;
    let p10 = image.get_pixel(x1, y0).0;
    let p01 = image.get_pixel(x0, y1).0;
    let p11 = image.get_pixel(x1, y1).0;
    let mut out = [0u8; 3];
    for c in 0..3 {
        let top = f32::from(p00[c]) * (1.0 - fx) + f32::from(p10[c]) * fx;
        let bottom = f32::from(p01[c]) * (1.0 - fx) + f32::from(p11[c]) * fx;
        out[c] = (top * (1.0 - fy) + bottom * fy).round().clamp(0.0, 255.0) as u8;
    }
    out
}

/// Median of a slice (reorders it); 0 when empty.
pub fn median(values: &mut [f32]) -> f32 {
    percentile(values, 0.5)
}

/// The `p` quantile (0..=1) of a slice (reorders it); 0 when empty.
pub fn percentile(values: &mut [f32], p: f32) -> f32 {
    if values.is_empty() {
        return 0.0;
    }
    let index = ((values.len() - 1) as f32 * p.clamp(0.0, 1.0)).round() as usize;
    let index = index.min(values.len() - 1);
    let (_, value, _) = values.select_nth_unstable_by(index, f32::total_cmp);
    *value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn side_fit_ignores_a_glare_bulge() {
        // y = 0.1 x + 5, with 15 of 100 points pulled 4 cells out (a halo on the side).
        let points: Vec<(f32, f32)> = (0..100).map(|x| (x as f32, 0.1 * x as f32 + 5.0 - if (40..55).contains(&x) { 4.0 } else { 0.0 })).collect();
        let (slope, offset) = fit_line_trimmed(&points).expect("a line");
        assert!((slope - 0.1).abs() < 0.01 && (offset - 5.0).abs() < 0.3, "slope {slope}, offset {offset}");
        assert_eq!(fit_line_trimmed(&points[..3]), None, "too few points");
        assert_eq!(fit_line_trimmed(&[(1.0, 1.0); 10]), None, "all at one place");
    }

    #[test]
    fn side_fit_ignores_a_halo_over_two_fifths_of_the_side() {
        // The right side of seed 2's camera capture 0029 (a genuine ZZA passport): a glare
        // halo straddling the edge near the top corner bulges out over the first 40 % of
        // the side's middle, the bulge shrinking back to the edge. The median of pairwise
        // slopes followed the bulge (slope -0.46 instead of 0.094), turning the page outline
        // and then its orientation.
        let points: Vec<(f32, f32)> = (0..160)
            .map(|i| {
                let along = 111.0 + i as f32;
                let edge = 0.094 * along + 440.0;
                let bulge = if i < 65 { 75.0 * (1.0 - i as f32 / 65.0).powf(0.7) } else { 0.0 };
                (along, (edge + bulge).round())
            })
            .collect();
        let (slope, offset) = fit_line_trimmed(&points).expect("a line");
        assert!((slope - 0.094).abs() < 0.01, "slope {slope}");
        assert!((slope * 250.0 + offset - (0.094 * 250.0 + 440.0)).abs() < 1.0, "offset {offset}");
    }

    /// A camera-like capture: a page on a dark table with a glare spot (a Gaussian lift of
    /// white, as the fixtures draw it) straddling the right edge near the top corner.
    #[test]
    fn finds_the_page_under_a_glare_halo_that_spills_over_its_edge() {
        let (page_left, page_top, page_right, page_bottom) = (110.0f32, 90.0f32, 700.0f32, 530.0f32);
        let (glare_x, glare_y, radius) = (690.0f32, 200.0f32, 54.0f32);
        let image = RgbImage::from_fn(800, 600, |x, y| {
            let (xf, yf) = (x as f32 + 0.5, y as f32 + 0.5);
            let inside = xf >= page_left && xf < page_right && yf >= page_top && yf < page_bottom;
            let base: [f32; 3] = if inside { [225.0, 205.0, 200.0] } else { [62.0, 58.0, 54.0] };
            let lift = 255.0 * (-((xf - glare_x).powi(2) + (yf - glare_y).powi(2)) / (radius * radius)).exp();
            image::Rgb(base.map(|c| (c + lift).clamp(0.0, 255.0) as u8))
        });
        let outline = find_page(&image).expect("an outline");
        assert!(!outline.whole_image);
        let truth = [[page_left, page_top], [page_right, page_top], [page_right, page_bottom], [page_left, page_bottom]];
        for (found, expected) in outline.corners.iter().zip(&truth) {
            let off = (found[0] - expected[0]).hypot(found[1] - expected[1]);
            assert!(off < 8.0, "corner {found:?} is {off:.0} px from {expected:?}: {:?}", outline.corners);
        }
    }

    use proptest::prelude::*;

    fn page_on_background(width: u32, height: u32, page: [u32; 4]) -> RgbImage {
        RgbImage::from_fn(width, height, |x, y| {
            let inside = x >= page[0] && x < page[2] && y >= page[1] && y < page[3];
            if inside {
                image::Rgb([235, 225, 200])
            } else {
                image::Rgb([250, 250, 250])
            }
        })
    }

    #[test]
    fn finds_a_page_on_a_plain_background() {
        let image = page_on_background(800, 600, [100, 80, 700, 500]);
        let outline = find_page(&image).unwrap();
        assert!(!outline.whole_image);
        let expected = [[100.0, 80.0], [700.0, 80.0], [700.0, 500.0], [100.0, 500.0]];
        for (found, want) in outline.corners.iter().zip(expected) {
            assert!(
                (found[0] - want[0]).abs() <= 3.0 && (found[1] - want[1]).abs() <= 3.0,
                "{found:?} vs {want:?}"
            );
        }
        let registration = registration_for(&outline, 0, 125.0, 88.0).unwrap();
        assert!((registration.px_per_mm - 4.8).abs() < 0.1);
        assert!(registration.skew_deg < 1.0);
    }

    #[test]
    fn portrait_outline_of_landscape_page_offers_quarter_turns() {
        let image = page_on_background(600, 800, [80, 100, 500, 700]);
        let outline = find_page(&image).unwrap();
        assert_eq!(candidate_quadrants(&outline, 125.0, 88.0), [90, 270]);
        let registration = registration_for(&outline, 90, 125.0, 88.0).unwrap();
        // Turned 90° clockwise: the page's top-left sits at the image's top-right.
        let (x, y) = registration.homography.map(0.0, 0.0).unwrap();
        assert!(x > 450.0 && y < 150.0, "{x} {y}");
    }

    #[test]
    fn blank_image_falls_back_to_whole_image() {
        let image = RgbImage::from_pixel(300, 200, image::Rgb([255, 255, 255]));
        assert!(find_page(&image).unwrap().whole_image);
    }

    #[test]
    fn tiny_image_is_an_error() {
        assert!(matches!(
            find_page(&RgbImage::new(10, 10)),
            Err(RegisterError::TooSmall { .. })
        ));
    }

    proptest! {
        #[test]
        fn random_images_never_panic(width in 1u32..200, height in 1u32..200, seed in any::<u64>()) {
            let mut state = seed;
            let image = RgbImage::from_fn(width, height, |_, _| {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let v = (state >> 33) as u8;
                image::Rgb([v, v.wrapping_mul(3), v.wrapping_add(40)])
            });
            if let Ok(outline) = find_page(&image)
                && let Ok(registration) = registration_for(&outline, 0, 85.6, 53.98)
            {
                let page = RectifiedPage::new(&image, &registration, 85.6, 53.98);
                prop_assert!(page.luma.width() > 0);
            }
        }
    }
}
