//! Cutting a located MRZ into lines and character cells.
//!
//! The located quadrilateral is warped onto an upright strip in which a digit
//! is [`RECTIFIED_DIGIT_HEIGHT`] pixels tall, warped again if its lines still
//! tilt; the strokes' slant (oblique print, a document photographed askew) is
//! measured and every cell's window is sheared by it. There, each line's text band is
//! measured from the row profile of the ink, its left and right ink edges from
//! the column profile, and its characters are placed at the OCR-B fixed pitch
//! (so touching characters are split and missing ones still get a cell). The
//! cell centres are then refined with a robust straight-line fit of the ink
//! centroids against the cell index.
//!
//! The classifier window around each cell centre is the contract with the
//! training script (models/scripts/ocr/train_mrz_chars.py): width
//! [`PATCH_W_PITCHES`] pitches, height [`PATCH_H_HEIGHTS`] digit heights,
//! resampled to [`PATCH_WIDTH`] x [`PATCH_HEIGHT`], intensities stretched so
//! the line band's 2nd percentile is 0 and its 98th is 1.

use image::GrayImage;

use crate::geometry::{Homography, Point, sample_bilinear, warp_quad};
use crate::locate::LocatedMrz;

/// Digit height in the rectified strip, in pixels.
pub const RECTIFIED_DIGIT_HEIGHT: f32 = 32.0;
/// Classifier input width in pixels.
pub const PATCH_WIDTH: usize = 24;
/// Classifier input height in pixels.
pub const PATCH_HEIGHT: usize = 32;
/// Classifier window width in character pitches.
pub const PATCH_W_PITCHES: f32 = 1.3;
/// Classifier window height in digit heights.
pub const PATCH_H_HEIGHTS: f32 = 1.5;
/// OCR-B: the pitch is this many digit heights (72.3 / 77 font units).
const PITCH_PER_HEIGHT: f32 = 0.94;
/// OCR-B: ink of a typical glyph covers this fraction of its cell width.
const INK_WIDTH_PER_PITCH: f32 = 0.68;

/// The MRZ warped upright, ready to cut.
#[derive(Debug, Clone)]
pub struct Rectified {
    /// The upright grey strip.
    pub image: GrayImage,
    /// From strip pixels to the caller's image pixels.
    pub to_source: Homography,
    /// Line centres (fractions of the strip height), top to bottom.
    pub line_centres: Vec<f32>,
    /// Character count per line the locator's geometry suggests.
    pub estimated_chars_per_line: f32,
    /// Ink contrast the locator needed (see `locate::INK_CONTRASTS`).
    pub ink_contrast: f32,
    /// Slant of the strokes: horizontal shift per pixel down (positive when
    /// the tops lean left); 0 when too small to matter.
    pub slant: f32,
}

/// One line cut into cells, in strip pixels.
#[derive(Debug, Clone)]
pub struct LineCells {
    /// Centre x of each character cell.
    pub centres: Vec<f32>,
    /// Vertical centre of the text band.
    pub centre_y: f32,
    /// Digit height (text band height).
    pub height: f32,
    /// Character pitch.
    pub pitch: f32,
    /// Darkest-ink reference (2nd percentile of the band).
    pub black: f32,
    /// Paper reference (98th percentile of the band).
    pub white: f32,
    /// Share of the line's ink left outside the cells (a sign of a wrong
    /// character count).
    pub ink_outside: f32,
    /// How far the pitch is from the period of the ink (0 when the period
    /// was used; over 0.2 when the line length overruled it).
    pub period_gap: f32,
    /// Slant of the strokes (see [`Rectified::slant`]): every cell's window
    /// is sheared by it, so the classifier sees upright characters.
    pub slant: f32,
    /// Other ways of laying this line's cells, for the classifier to judge
    /// (see [`LineCells::alternatives`]); empty when they agree with this one.
    pub alternatives: Vec<LineCells>,
}

impl LineCells {
    /// This cut and its alternatives, this one first.
    pub fn hypotheses(&self) -> impl Iterator<Item = &LineCells> {
        std::iter::once(self).chain(self.alternatives.iter())
    }
}

/// Warps the located quadrilateral upright. `flipped` turns it by 180°.
pub fn rectify(gray: &GrayImage, located: &LocatedMrz, flipped: bool) -> Option<Rectified> {
    let scale = RECTIFIED_DIGIT_HEIGHT / located.char_height.max(1.0);
    let [tl, tr, br, bl] = located.corners;
    let dist = |a: Point, b: Point| ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt();
    let width = ((dist(tl, tr) + dist(bl, br)) / 2.0 * scale).round();
    let height = ((dist(tl, bl) + dist(tr, br)) / 2.0 * scale).round();
    if !(width.is_finite() && height.is_finite())
        || width < 16.0
        || height < 16.0
        || width > MAX_STRIP_WIDTH
        || height > 1000.0
    {
        return None;
    }
    let corners = if flipped { [br, bl, tl, tr] } else { [tl, tr, br, bl] };
    let (mut image, mut to_source) = warp_quad(gray, &corners, width as u32, height as u32)?;
    let mut line_centres = located.line_centres.clone();
    if flipped {
        line_centres = line_centres.iter().rev().map(|c| 1.0 - c).collect();
    }
    // The quadrilateral can leave the lines slightly tilted (the bands then
    // look taller than the glyphs): warp again with the tilt taken out.
    // Oblique print or a skewed photo leaves the strokes slanted (upright
    // cells then cut through neighbouring glyphs): each cell's window is
    // sheared by the slant instead of the strip, so that lines keep their
    // places (a sheared strip would move lines apart when only the print
    // is oblique).
    let tilt = estimate_tilt(&image);
    if tilt.abs() >= MIN_TILT_CORRECTION {
        let (w, h) = (width, height);
        // New strip (u, v) -> old strip: (u, v + tilt (u - w/2)).
        let old = |u: f32, v: f32| to_source.apply(Point::new(u, v + tilt * (u - w / 2.0)));
        let straightened = [old(0.0, 0.0), old(w, 0.0), old(w, h), old(0.0, h)];
        if let Some(warped) = warp_quad(gray, &straightened, width as u32, height as u32) {
            (image, to_source) = warped;
        }
    }
    let slant = Some(estimate_slant(&image, &line_centres)).filter(|s| s.abs() >= MIN_SLANT_CORRECTION).unwrap_or(0.0);
    Some(Rectified {
        image,
        to_source,
        line_centres,
        estimated_chars_per_line: located.estimated_chars_per_line,
        ink_contrast: located.ink_contrast,
        slant,
    })
}

/// The strip extended by `left` and `right` pixels at its ends, along its
/// own lines (the same homography, extrapolated), to look past the located
/// lines' ends: the locator can stop short of them (glare washing out a few
/// characters, fillers too faint to chain at a phone's resolution). The tilt
/// and slant measured on the located strip are kept (background past the
/// ends must not change them), and a pixel of the extended strip at
/// `x + left` is the located strip's pixel `x` exactly; outside the image is
/// paper. `None` when the result would be too wide.
pub fn extend_strip(gray: &GrayImage, rect: &Rectified, left: u32, right: u32) -> Option<Rectified> {
    let (w, h) = (rect.image.width(), rect.image.height());
    let width = w + left + right;
    if width as f32 > MAX_STRIP_WIDTH {
        return None;
    }
    let corner = |u: f32, v: f32| rect.to_source.apply(Point::new(u, v));
    let (l, r) = (-(left as f32), (w + right) as f32);
    let corners = [corner(l, 0.0), corner(r, 0.0), corner(r, h as f32), corner(l, h as f32)];
    let (image, to_source) = warp_quad(gray, &corners, width, h)?;
    Some(Rectified { image, to_source, ..rect.clone() })
}

/// `lines` moved `offset` pixels along the strip (their cells in a strip
/// extended by `offset` at its left end, see [`extend_strip`]).
pub fn shifted_lines(lines: &[LineCells], offset: f32) -> Vec<LineCells> {
    lines
        .iter()
        .map(|line| LineCells {
            centres: line.centres.iter().map(|c| c + offset).collect(),
            alternatives: shifted_lines(&line.alternatives, offset),
            ..line.clone()
        })
        .collect()
}

/// The character counts a line of a group of `line_count` lines may have.
pub fn line_lengths(line_count: usize) -> &'static [usize] {
    chars_per_line_options(line_count)
}

/// Widest strip warped, in pixels (a 44-character line at the rectified
/// height is about 1 300).
const MAX_STRIP_WIDTH: f32 = 4000.0;

/// Tilts smaller than this (vertical shift per pixel across) are left alone.
const MIN_TILT_CORRECTION: f32 = 0.004;
/// The largest tilt looked for (about 3.4°): the locator's lines are close.
const MAX_TILT: f32 = 0.06;
/// Slants smaller than this (horizontal shift per pixel down) are left alone.
const MIN_SLANT_CORRECTION: f32 = 0.05;
/// The largest slant looked for: oblique OCR-B leans about 0.2, a skewed photo adds to it.
const MAX_SLANT: f32 = 0.45;

/// How the strip's lines tilt (vertical shift per pixel to the right): the
/// shear under which the rows' ink profile is sharpest, since a level
/// line's ink falls into the fewest rows.
fn estimate_tilt(image: &GrayImage) -> f32 {
    let (w, h) = (image.width() as usize, image.height() as usize);
    let raw = image.as_raw();
    let (black, white) = band_levels(image, h as f32 / 2.0, h as f32, 0.0, w as f32);
    let threshold = black + 0.5 * (white - black);
    // Ink pixels (x, y, darkness) of the strip, every other row and column.
    let mut ink: Vec<(f32, f32, f32)> = Vec::new();
    for y in (0..h).step_by(2) {
        for x in (0..w).step_by(2) {
            let darkness = threshold - raw[y * w + x] as f32;
            if darkness > 0.0 {
                ink.push((x as f32, y as f32, darkness));
            }
        }
    }
    let half_width = w as f32 / 2.0;
    let row_offset = MAX_TILT * half_width + 2.0;
    let rows = h + (2.0 * row_offset) as usize + 4;
    // Sum of squares of the row profile under `tilt`, in bins of 2 pixels.
    let sharpness = |tilt: f32| -> f32 {
        let mut profile = vec![0f32; rows / 2 + 2];
        for &(x, y, weight) in &ink {
            let p = (y - tilt * (x - half_width) + row_offset) / 2.0;
            let i = p.floor().max(0.0);
            let f = p - i;
            let i = i as usize;
            if let Some(c) = profile.get_mut(i) {
                *c += weight * (1.0 - f);
            }
            if let Some(c) = profile.get_mut(i + 1) {
                *c += weight * f;
            }
        }
        profile.iter().map(|c| c * c).sum()
    };
    let mut best = (0f32, sharpness(0.0));
    for step in -10..=10 {
        let tilt = step as f32 * MAX_TILT / 10.0;
        let score = sharpness(tilt);
        if score > best.1 {
            best = (tilt, score);
        }
    }
    let coarse = best.0;
    for step in -4..=4 {
        let tilt = coarse + step as f32 * MAX_TILT / 50.0;
        let score = sharpness(tilt);
        if score > best.1 {
            best = (tilt, score);
        }
    }
    best.0
}

/// How the strokes slant (horizontal shift per pixel down; positive when
/// the tops lean left): the most common direction of the near-vertical
/// edges in the line bands. Upright OCR-B has many vertical stems (B, D, E,
/// H, 1, 4 …); round glyphs, fillers and diagonals spread symmetrically
/// about them, and a stray vertical mark weighs no more than one glyph.
fn estimate_slant(image: &GrayImage, line_centres: &[f32]) -> f32 {
    let (w, h) = (image.width() as usize, image.height() as usize);
    let raw = image.as_raw();
    let at = |x: usize, y: usize| raw[y * w + x] as f32;
    // The histogram reaches well past the slants looked for, so that the
    // spread of round glyphs' edges around the peak is not cut off on one side.
    const REACH: f32 = MAX_SLANT + 0.35;
    const BINS: usize = 81;
    let bin_width = 2.0 * REACH / (BINS - 1) as f32;
    let mut histogram = [0f32; BINS];
    let half_band = 0.5 * RECTIFIED_DIGIT_HEIGHT;
    for &centre in line_centres {
        let centre = centre * h as f32;
        let y0 = ((centre - half_band).max(1.0)) as usize;
        let y1 = ((centre + half_band) as usize).min(h.saturating_sub(2));
        for y in y0..=y1 {
            for x in 1..w.saturating_sub(1) {
                // Sobel gradient.
                let gx = (at(x + 1, y - 1) + 2.0 * at(x + 1, y) + at(x + 1, y + 1))
                    - (at(x - 1, y - 1) + 2.0 * at(x - 1, y) + at(x - 1, y + 1));
                let gy = (at(x - 1, y + 1) + 2.0 * at(x, y + 1) + at(x + 1, y + 1))
                    - (at(x - 1, y - 1) + 2.0 * at(x, y - 1) + at(x + 1, y - 1));
                if gx.abs() < 40.0 || gy.abs() > REACH * gx.abs() {
                    continue;
                }
                // An edge along x = x0 + slant * y has its gradient along (1, -slant).
                let slant = -gy / gx;
                let bin = ((slant + REACH) / bin_width).round();
                if (0.0..BINS as f32).contains(&bin) {
                    histogram[bin as usize] += gx.abs();
                }
            }
        }
    }
    // The mode of the histogram smoothed over three bins, refined by a parabola.
    let smoothed: Vec<f32> = (0..BINS)
        .map(|i| histogram[i] + 0.5 * (histogram.get(i.wrapping_sub(1)).copied().unwrap_or(0.0) + histogram.get(i + 1).copied().unwrap_or(0.0)))
        .collect();
    let first = ((REACH - MAX_SLANT) / bin_width).round() as usize;
    let Some(peak) = (first..BINS - first).max_by(|&a, &b| smoothed[a].total_cmp(&smoothed[b])) else { return 0.0 };
    if smoothed[peak] <= 0.0 {
        return 0.0;
    }
    (peak as f32 + parabola_offset(smoothed[peak - 1], smoothed[peak], smoothed[peak + 1])) * bin_width - REACH
}

/// Where a parabola through three equally spaced samples peaks, relative to
/// the middle one (within half a step either way).
fn parabola_offset(left: f32, centre: f32, right: f32) -> f32 {
    let denominator = left - 2.0 * centre + right;
    if denominator.abs() > 1e-6 { (0.5 * (left - right) / denominator).clamp(-0.5, 0.5) } else { 0.0 }
}

/// Dark-ink mask of the strip (local mean threshold).
fn ink_mask(image: &GrayImage, contrast: f32) -> Vec<bool> {
    let (w, h) = (image.width() as usize, image.height() as usize);
    let raw = image.as_raw();
    let mut integral = vec![0u64; (w + 1) * (h + 1)];
    for y in 0..h {
        let mut row = 0u64;
        for x in 0..w {
            row += raw[y * w + x] as u64;
            integral[(y + 1) * (w + 1) + x + 1] = integral[y * (w + 1) + x + 1] + row;
        }
    }
    let radius = 40usize;
    let mut mask = vec![false; w * h];
    for y in 0..h {
        let (y0, y1) = (y.saturating_sub(radius), (y + radius + 1).min(h));
        for x in 0..w {
            let (x0, x1) = (x.saturating_sub(radius), (x + radius + 1).min(w));
            let sum = integral[y1 * (w + 1) + x1] + integral[y0 * (w + 1) + x0]
                - integral[y0 * (w + 1) + x1]
                - integral[y1 * (w + 1) + x0];
            let mean = sum as f32 / ((y1 - y0) * (x1 - x0)) as f32;
            mask[y * w + x] = (raw[y * w + x] as f32) < mean - ((contrast - 0.02) * mean).max(6.0);
        }
    }
    mask
}

/// Possible character counts per line for a number of lines.
fn chars_per_line_options(line_count: usize) -> &'static [usize] {
    if line_count == 3 { &[30] } else { &[36, 44] }
}

/// Cuts every line of the strip into cells. `chars_override` forces the
/// characters per line (used to try the other length when unsure).
pub fn cut_lines(rect: &Rectified, chars_override: Option<usize>) -> Option<Vec<LineCells>> {
    let image = &rect.image;
    let (w, h) = (image.width() as usize, image.height() as usize);
    let mut mask = ink_mask(image, rect.ink_contrast);
    // Locally dark is not enough: background print (guilloche, wavy lines)
    // is locally dark too but far lighter than the MRZ's ink. Keep only what
    // is darker than 60 % of the way from the strip's ink to its paper.
    let (black, white) = band_levels(image, h as f32 / 2.0, h as f32, 0.0, w as f32);
    let darkest_background = black + 0.6 * (white - black);
    for (flag, pixel) in mask.iter_mut().zip(image.as_raw()) {
        *flag &= (*pixel as f32) < darkest_background;
    }
    let ink = |x: usize, y: usize| mask.get(y * w + x).copied().unwrap_or(false);
    struct Band {
        top: usize,
        bottom: usize,
        left: usize,
        right: usize,
        columns: Vec<f32>,
    }
    let mut bands = Vec::new();
    for &centre in &rect.line_centres {
        let expected = (centre * h as f32).round() as i64;
        let reach = RECTIFIED_DIGIT_HEIGHT as i64;
        let y0 = (expected - reach).clamp(0, h as i64 - 1) as usize;
        let y1 = (expected + reach).clamp(0, h as i64 - 1) as usize;
        let profile: Vec<usize> = (y0..=y1).map(|y| (0..w).filter(|&x| ink(x, y)).count()).collect();
        let peak = *profile.iter().max()?;
        if peak < 8 {
            return None;
        }
        // The contiguous run of strong rows nearest the expected centre.
        let strong: Vec<bool> = profile.iter().map(|&c| c as f32 >= 0.3 * peak as f32).collect();
        let local_centre = (expected as usize).saturating_sub(y0).min(strong.len() - 1);
        let seed = (0..strong.len()).filter(|&i| strong[i]).min_by_key(|&i| i.abs_diff(local_centre))?;
        let mut top = seed;
        while top > 0 && strong[top - 1] {
            top -= 1;
        }
        let mut bottom = seed;
        while bottom + 1 < strong.len() && strong[bottom + 1] {
            bottom += 1;
        }
        let (top, bottom) = (y0 + top, y0 + bottom);
        let band_height = (bottom - top + 1) as f32;
        // Column extent: the run of ink columns with the most ink whose gaps stay small.
        let counts: Vec<usize> = (0..w).map(|x| (top..=bottom).filter(|&y| ink(x, y)).count()).collect();
        let min_ink = ((0.08 * band_height) as usize).max(1);
        let max_gap = (1.2 * band_height) as usize;
        let mut runs: Vec<(usize, usize, usize)> = Vec::new(); // start, end, ink
        let mut current: Option<(usize, usize, usize)> = None;
        let solid = solid_columns(&counts, band_height);
        for (x, &count) in counts.iter().enumerate() {
            if count < min_ink || solid[x] {
                continue;
            }
            current = match current {
                Some((s, e, total)) if x - e <= max_gap => Some((s, x, total + count)),
                Some(run) => {
                    runs.push(run);
                    Some((x, x, count))
                }
                None => Some((x, x, count)),
            };
        }
        if let Some(run) = current {
            runs.push(run);
        }
        let (left, right) = line_extent(&runs, band_height, rect.line_centres.len())?;
        let columns = counts.iter().map(|&c| c as f32).collect();
        bands.push(Band { top, bottom, left, right, columns });
    }
    let heights: Vec<f32> = bands.iter().map(|b| (b.bottom - b.top + 1) as f32).collect();
    let height = median(heights)?;
    // Pitch: the period of the column profiles (summed autocorrelation of all
    // lines), unless it disagrees with every pitch the line length allows.
    let guess = PITCH_PER_HEIGHT * height;
    let periodic = common_period(bands.iter().map(|b| (&b.columns[..], b.left, b.right)).collect(), guess)?;
    let longest = bands.iter().map(|b| (b.right - b.left + 1) as f32).fold(0f32, f32::max);
    let options: Vec<usize> = match chars_override {
        Some(n) => vec![n],
        None => chars_per_line_options(rect.line_centres.len()).to_vec(),
    };
    let from_length = |n: usize| longest / (n as f32 - 1.0 + INK_WIDTH_PER_PITCH);
    let chars = *options.iter().min_by(|&&a, &&b| {
        (from_length(a) / periodic - 1.0).abs().total_cmp(&(from_length(b) / periodic - 1.0).abs())
    })?;
    // Only a gross disagreement (a period locked on a pattern of the data or
    // the background) overrules the measured period.
    let pitch = if (from_length(chars) / periodic - 1.0).abs() <= 0.2 { periodic } else { from_length(chars) };
    // Each line's possible placements; lines of one MRZ start at the same place.
    let placements: Vec<Vec<Placement>> =
        bands.iter().map(|b| grid_placements(&b.columns, b.left, b.right, pitch, chars)).collect();
    let mut best: Option<(f32, Vec<Placement>)> = None;
    for reference in placements.iter().flatten() {
        let mut total = 0f32;
        let mut chosen = Vec::new();
        for line in &placements {
            let near = line
                .iter()
                .filter(|p| (p.first_centre - reference.first_centre).abs() <= 0.5 * pitch)
                .max_by(|a, b| a.score.total_cmp(&b.score));
            let pick = near.or_else(|| line.iter().max_by(|a, b| a.score.total_cmp(&b.score)))?;
            total += if near.is_some() { pick.score } else { pick.score - 1.0 };
            chosen.push(*pick);
        }
        if best.as_ref().is_none_or(|b| total > b.0) {
            best = Some((total, chosen));
        }
    }
    let (_, chosen) = best?;
    let mut lines = Vec::new();
    for (band, placement) in bands.iter().zip(chosen) {
        let mut centres: Vec<f32> = (0..chars).map(|i| placement.first_centre + i as f32 * pitch).collect();
        let centre_y = (band.top + band.bottom) as f32 / 2.0 + 0.5;
        let band_height = (band.bottom - band.top + 1) as f32;
        refine_centres(image, &mut centres, centre_y, band_height, pitch);
        let left = centres.first().copied().unwrap_or(0.0) - 0.5 * pitch;
        let right = centres.last().copied().unwrap_or(0.0) + 0.5 * pitch;
        let (black, white) = band_levels(image, centre_y, band_height, left, right);
        let mut line = LineCells {
            centres,
            centre_y,
            height: band_height,
            pitch,
            black,
            white,
            ink_outside: placement.ink_outside,
            period_gap: (pitch / periodic - 1.0).abs(),
            slant: rect.slant,
            alternatives: Vec::new(),
        };
        line.alternatives = extent_alternative(image, &line, band.left, band.right).into_iter().collect();
        lines.push(line);
    }
    Some(lines)
}

/// Columns inside a dark stretch wider than any stroke: the table or the
/// card's edge beside the line, not print. Left out of the line's extent.
fn solid_columns(counts: &[usize], band_height: f32) -> Vec<bool> {
    let full = ((0.85 * band_height) as usize).max(1);
    let widest_stroke = (0.4 * PITCH_PER_HEIGHT * band_height).ceil() as usize;
    let mut solid = vec![false; counts.len()];
    let mut start = 0;
    while start < counts.len() {
        let mut end = start;
        while end < counts.len() && counts[end] >= full {
            end += 1;
        }
        if end - start > widest_stroke {
            solid[start..end].iter_mut().for_each(|s| *s = true);
        }
        start = end + 1;
    }
    solid
}

/// Column extent of one line from its runs of ink columns (in order, as
/// `(start, end, ink)`): the run with the most ink, joined with neighbouring
/// runs that a wider gap split off (glare or a stamp washing out a few
/// characters) as long as the whole still fits the longest line the layout
/// allows. A neighbour must be at least two characters wide, so a speck of
/// dirt beside the line does not stretch it.
fn line_extent(runs: &[(usize, usize, usize)], band_height: f32, line_count: usize) -> Option<(usize, usize)> {
    let main = (0..runs.len()).max_by_key(|&i| runs[i].2)?;
    let pitch = PITCH_PER_HEIGHT * band_height;
    let longest_chars = chars_per_line_options(line_count).iter().copied().max().unwrap_or(44) as f32;
    let widest = 1.1 * (longest_chars - 1.0 + INK_WIDTH_PER_PITCH) * pitch;
    let max_gap = 8.0 * pitch;
    let min_width = 2.0 * pitch;
    let joins = |run: &(usize, usize, usize), gap: usize, new_left: usize, new_right: usize| {
        (run.1 - run.0) as f32 >= min_width && gap as f32 <= max_gap && (new_right - new_left) as f32 <= widest
    };
    let (mut first, mut last) = (main, main);
    loop {
        let (left, right) = (runs[first].0, runs[last].1);
        if first > 0 && joins(&runs[first - 1], left - runs[first - 1].1, runs[first - 1].0, right) {
            first -= 1;
        } else if last + 1 < runs.len() && joins(&runs[last + 1], runs[last + 1].0 - right, left, runs[last + 1].1) {
            last += 1;
        } else {
            return Some((runs[first].0, runs[last].1));
        }
    }
}

/// The line's cells fitted to its own ink ends: an MRZ line is full (fillers
/// are ink too), so its first and last characters sit at the ends of its ink.
/// The common grid can miss that when the lines are sheared (oblique print,
/// a slanted photo) or the period locked slightly off; `None` when this fit
/// agrees with `line` to a fifth of a pitch everywhere.
fn extent_alternative(image: &GrayImage, line: &LineCells, ink_left: usize, ink_right: usize) -> Option<LineCells> {
    let chars = line.centres.len();
    if chars < 2 {
        return None;
    }
    let extent = (ink_right + 1).saturating_sub(ink_left) as f32;
    let pitch = extent / (chars as f32 - 1.0 + INK_WIDTH_PER_PITCH);
    if !(pitch.is_finite() && (pitch / line.pitch - 1.0).abs() <= 0.15) {
        return None;
    }
    let first = ink_left as f32 + 0.5 * INK_WIDTH_PER_PITCH * pitch;
    let mut centres: Vec<f32> = (0..chars).map(|i| first + i as f32 * pitch).collect();
    refine_centres(image, &mut centres, line.centre_y, line.height, pitch);
    let differs = centres.iter().zip(&line.centres).any(|(a, b)| (a - b).abs() > 0.2 * line.pitch);
    if !differs {
        return None;
    }
    let left = centres.first().copied().unwrap_or(0.0) - 0.5 * pitch;
    let right = centres.last().copied().unwrap_or(0.0) + 0.5 * pitch;
    let (black, white) = band_levels(image, line.centre_y, line.height, left, right);
    Some(LineCells { centres, pitch, black, white, ink_outside: 0.0, alternatives: Vec::new(), ..line.clone() })
}

/// Linear interpolation of a profile at a fractional column.
fn profile_at(profile: &[f32], x: f32) -> f32 {
    if x < 0.0 {
        return 0.0;
    }
    let i = x.floor() as usize;
    let f = x - i as f32;
    let a = profile.get(i).copied().unwrap_or(0.0);
    let b = profile.get(i + 1).copied().unwrap_or(0.0);
    a * (1.0 - f) + b * f
}

/// The character pitch: the lag between 0.75 and 1.3 times `guess` where
/// the summed autocorrelation of the lines' column profiles peaks.
fn common_period(lines: Vec<(&[f32], usize, usize)>, guess: f32) -> Option<f32> {
    let min_lag = (0.75 * guess).floor().max(2.0) as usize;
    let max_lag = (1.3 * guess).ceil() as usize;
    let mut scores = vec![0f32; max_lag + 2];
    for (profile, left, right) in lines {
        let Some(part) = profile.get(left..=right) else { continue };
        let mean = part.iter().sum::<f32>() / part.len().max(1) as f32;
        let centred: Vec<f32> = part.iter().map(|v| v - mean).collect();
        for (lag, score) in scores.iter_mut().enumerate().take(max_lag + 2).skip(min_lag.saturating_sub(1)) {
            if lag >= centred.len() {
                break;
            }
            let n = centred.len() - lag;
            let sum: f32 = (0..n).map(|i| centred[i] * centred[i + lag]).sum();
            *score += sum / n as f32;
        }
    }
    let best = (min_lag..=max_lag).max_by(|&a, &b| scores[a].total_cmp(&scores[b]))?;
    // Parabolic refinement around the peak.
    Some(best as f32 + parabola_offset(scores[best - 1], scores[best], scores[best + 1]))
}

/// One way of laying a line's cells over its ink.
#[derive(Debug, Clone, Copy)]
struct Placement {
    /// Centre of the first cell.
    first_centre: f32,
    /// Share of the line's ink inside the cells minus the share outside.
    score: f32,
    /// Share of the line's ink left outside the cells.
    ink_outside: f32,
}

/// Lays `chars` cells of width `pitch` over the line: the phase puts cell
/// borders on the emptiest columns; every run of `chars` consecutive cells
/// is a placement, scored by the share of ink inside minus the share outside.
fn grid_placements(profile: &[f32], left: usize, right: usize, pitch: f32, chars: usize) -> Vec<Placement> {
    let (left, right) = (left as f32, right as f32 + 1.0);
    let mut best_phase = left;
    let mut best_cost = f32::MAX;
    for step in 0..16 {
        let phase = left - pitch * (step as f32 / 16.0);
        let mut cost = 0f32;
        let mut x = phase;
        while x <= right + pitch {
            cost += profile_at(profile, x - 0.5);
            x += pitch;
        }
        if cost < best_cost {
            best_cost = cost;
            best_phase = phase;
        }
    }
    let first_border = best_phase - pitch;
    let cell_count = ((right - first_border) / pitch).ceil().max(0.0) as usize + 1;
    let cell_ink: Vec<f32> = (0..cell_count)
        .map(|k| {
            let x0 = first_border + k as f32 * pitch;
            let (a, b) = (x0.max(0.0) as usize, (x0 + pitch).max(0.0) as usize);
            profile.get(a..b.min(profile.len())).map_or(0.0, |s| s.iter().sum())
        })
        .collect();
    let total: f32 = cell_ink.iter().sum::<f32>().max(1.0);
    if cell_count < chars {
        // Shorter than a full line (a mark hides part of it): start at the ink.
        return vec![Placement { first_centre: first_border + 1.5 * pitch, score: 0.0, ink_outside: 0.0 }];
    }
    (0..=cell_count - chars)
        .map(|start| {
            let inside: f32 = cell_ink[start..start + chars].iter().sum::<f32>() / total;
            Placement {
                first_centre: first_border + (start as f32 + 0.5) * pitch,
                score: inside - (1.0 - inside),
                ink_outside: 1.0 - inside,
            }
        })
        .collect()
}

/// Fits centre = a + b * index to the cells' ink centroids (robustly) and
/// moves the cells onto that line when the fit is well supported.
fn refine_centres(image: &GrayImage, centres: &mut [f32], centre_y: f32, height: f32, pitch: f32) {
    let mut observations: Vec<(f32, f32)> = Vec::new();
    for (index, &cx) in centres.iter().enumerate() {
        let (mut sum, mut weight) = (0f32, 0f32);
        let x0 = (cx - 0.5 * pitch).floor() as i64;
        let x1 = (cx + 0.5 * pitch).ceil() as i64;
        let y0 = (centre_y - 0.5 * height).floor() as i64;
        let y1 = (centre_y + 0.5 * height).ceil() as i64;
        for y in y0..=y1 {
            for x in x0..=x1 {
                let value = sample_bilinear(image, x as f32 + 0.5, y as f32 + 0.5, 255.0);
                let darkness = (255.0 - value).max(0.0);
                sum += darkness * x as f32;
                weight += darkness;
            }
        }
        if weight > 0.0 {
            observations.push((index as f32, sum / weight + 0.5));
        }
    }
    let mut used = observations.clone();
    let mut fit = None;
    for _ in 0..3 {
        if used.len() < 10 {
            return;
        }
        let Some((a, b)) = least_squares(&used) else { return };
        fit = Some((a, b));
        used = observations.iter().copied().filter(|&(i, x)| (x - (a + b * i)).abs() < 0.2 * pitch).collect();
    }
    if let Some((a, b)) = fit {
        // Trust the fit only if it keeps close to the fixed-pitch prediction.
        if (b - pitch).abs() < 0.08 * pitch {
            for (index, centre) in centres.iter_mut().enumerate() {
                *centre = a + b * index as f32;
            }
        }
    }
}

fn least_squares(points: &[(f32, f32)]) -> Option<(f32, f32)> {
    let n = points.len() as f32;
    let mean_i = points.iter().map(|p| p.0).sum::<f32>() / n;
    let mean_x = points.iter().map(|p| p.1).sum::<f32>() / n;
    let sii: f32 = points.iter().map(|p| (p.0 - mean_i).powi(2)).sum();
    let six: f32 = points.iter().map(|p| (p.0 - mean_i) * (p.1 - mean_x)).sum();
    if sii < 1e-6 {
        return None;
    }
    let b = six / sii;
    Some((mean_x - b * mean_i, b))
}

/// 2nd and 98th percentiles of the line band (the training script's normalisation).
fn band_levels(image: &GrayImage, centre_y: f32, height: f32, left: f32, right: f32) -> (f32, f32) {
    let mut histogram = [0u32; 256];
    let y0 = (centre_y - height).max(0.0) as u32;
    let y1 = ((centre_y + height) as u32).min(image.height().saturating_sub(1));
    let x0 = left.max(0.0) as u32;
    let x1 = (right as u32).min(image.width().saturating_sub(1));
    let mut total = 0u32;
    for y in y0..=y1 {
        for x in x0..=x1 {
            if let Some(p) = image.get_pixel_checked(x, y) {
                histogram[p.0[0] as usize] += 1;
                total += 1;
            }
        }
    }
    if total == 0 {
        return (0.0, 255.0);
    }
    let level = |q: f32| {
        let target = (q * total as f32) as u32;
        let mut seen = 0u32;
        for (value, &count) in histogram.iter().enumerate() {
            seen += count;
            if seen > target {
                return value as f32;
            }
        }
        255.0
    };
    (level(0.02), level(0.98))
}

/// The classifier window of one cell, as `PATCH_HEIGHT * PATCH_WIDTH` values.
pub fn cut_patch(image: &GrayImage, line: &LineCells, centre_x: f32, out: &mut Vec<f32>) {
    let window_w = PATCH_W_PITCHES * line.pitch;
    let window_h = PATCH_H_HEIGHTS * line.height;
    let step_x = window_w / PATCH_WIDTH as f32;
    let step_y = window_h / PATCH_HEIGHT as f32;
    let range = (line.white - line.black).max(1.0);
    for row in 0..PATCH_HEIGHT {
        let y = line.centre_y + (row as f32 + 0.5 - PATCH_HEIGHT as f32 / 2.0) * step_y;
        for col in 0..PATCH_WIDTH {
            let x = centre_x + (col as f32 + 0.5 - PATCH_WIDTH as f32 / 2.0) * step_x + line.slant * (y - line.centre_y);
            let value = sample_bilinear(image, x, y, line.white);
            out.push(((value - line.black) / range).clamp(0.0, 1.5));
        }
    }
}

fn median(mut values: Vec<f32>) -> Option<f32> {
    values.retain(|v| v.is_finite());
    values.sort_by(f32::total_cmp);
    values.get(values.len() / 2).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_split_by_glare_is_joined_but_not_stretched_past_its_layout() {
        // Band 30 px high: pitch about 28 px, a 44-character line about 1250 px.
        let h = 30.0;
        let runs = [(100, 1000, 9000), (1150, 1330, 1500)];
        assert_eq!(line_extent(&runs, h, 2), Some((100, 1330)), "a gap of about 5 characters is glare");
        // The same pieces cannot form one 30-character TD1 line.
        assert_eq!(line_extent(&runs, h, 3), Some((100, 1000)));
        // A speck beside the line is not part of it, nor is a piece far away.
        assert_eq!(line_extent(&[(100, 1000, 9000), (1030, 1040, 30)], h, 2), Some((100, 1000)));
        assert_eq!(line_extent(&[(10, 200, 900), (600, 1300, 7000)], h, 2), Some((600, 1300)));
        assert_eq!(line_extent(&[], h, 2), None);
    }

    #[test]
    fn a_dark_stretch_wider_than_a_stroke_is_solid_and_strokes_are_not() {
        // 30 px band: strokes (full height, 3 columns) then the table beyond the card edge.
        let mut counts = vec![0usize; 60];
        counts[10..13].fill(30);
        counts[40..60].fill(29);
        let solid = solid_columns(&counts, 30.0);
        assert!(solid[10..13].iter().all(|s| !s));
        assert!(solid[40..60].iter().all(|s| *s));
        assert!(solid_columns(&[], 30.0).is_empty());
    }

    #[test]
    fn least_squares_recovers_a_line() {
        let points: Vec<(f32, f32)> = (0..10).map(|i| (i as f32, 3.0 + 2.0 * i as f32)).collect();
        let (a, b) = least_squares(&points).expect("fit");
        assert!((a - 3.0).abs() < 1e-4 && (b - 2.0).abs() < 1e-4);
        assert!(least_squares(&[(1.0, 1.0), (1.0, 2.0)]).is_none());
    }

    #[test]
    fn slant_of_sheared_ocr_b_is_measured() {
        let font = crate::read::test_support::ocrb();
        let lines = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"];
        let digit_height = RECTIFIED_DIGIT_HEIGHT;
        let page = crate::read::test_support::render_page(&font, &lines, digit_height);
        // Where render_page puts the lines' digit centres.
        let line_gap = 1.9 * digit_height;
        let first_baseline = page.height() as f32 - 2.0 * line_gap - 1.5 * digit_height + line_gap;
        let centres: Vec<f32> = (0..2)
            .map(|i| (first_baseline + i as f32 * line_gap - digit_height / 2.0) / page.height() as f32)
            .collect();
        for slant in [-0.3f32, -0.15, 0.0, 0.2, 0.35] {
            let estimate = estimate_slant(&crate::read::test_support::sheared(&page, slant), &centres);
            eprintln!("slant {slant}: estimated {estimate}");
            assert!((estimate - slant).abs() < 0.05, "slant {slant}: estimated {estimate}");
        }
    }

    #[test]
    fn tilt_of_a_strip_is_measured() {
        let font = crate::read::test_support::ocrb();
        let lines = ["I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"];
        let page = crate::read::test_support::render_page(&font, &lines, RECTIFIED_DIGIT_HEIGHT);
        let (w, h) = page.dimensions();
        for tilt in [-0.04f32, 0.0, 0.025] {
            // Rows shifted by tilt * (x - w/2): a level line becomes a tilted one.
            let tilted = GrayImage::from_fn(w, h, |x, y| {
                let source_y = y as f32 - tilt * (x as f32 - w as f32 / 2.0);
                image::Luma([sample_bilinear(&page, x as f32 + 0.5, source_y + 0.5, 235.0).round() as u8])
            });
            let estimate = estimate_tilt(&tilted);
            assert!((estimate - tilt).abs() < 0.005, "tilt {tilt}: estimated {estimate}");
        }
    }

    #[test]
    fn blank_strip_has_no_lines() {
        let rect = Rectified {
            image: GrayImage::from_pixel(400, 100, image::Luma([250])),
            to_source: Homography::from_points(
                &[Point::new(0.0, 0.0), Point::new(1.0, 0.0), Point::new(1.0, 1.0), Point::new(0.0, 1.0)],
                &[Point::new(0.0, 0.0), Point::new(1.0, 0.0), Point::new(1.0, 1.0), Point::new(0.0, 1.0)],
            )
            .expect("identity"),
            line_centres: vec![0.3, 0.7],
            estimated_chars_per_line: 44.0,
            ink_contrast: 0.1,
            slant: 0.0,
        };
        assert!(cut_lines(&rect, None).is_none());
    }
}
