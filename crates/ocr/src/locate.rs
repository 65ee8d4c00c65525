//! Finding the MRZ in a whole photo or scan.
//!
//! The MRZ is two or three long, parallel, equally long lines of same-sized
//! characters at a fixed pitch. We look for exactly that, at any angle:
//!
//! 1. work on a grey copy whose long side is at most [`WORKING_LONG_SIDE`];
//! 2. mark dark ink against the local mean (uneven light and glare tolerant);
//! 3. collect ink blobs (connected components) of character size;
//! 4. take the text direction from the angles between each blob and its
//!    nearest similar neighbour (a histogram peak, modulo 180°; a few peaks
//!    are tried so text at another angle in the background cannot hide the MRZ);
//! 5. chain blobs into text lines along that direction, join line pieces a
//!    mark or stamp broke apart, and pick the best group of 2 or 3 parallel,
//!    evenly spaced, equally long lines;
//! 6. return the group's quadrilateral in the caller's pixels, wide enough
//!    for the segmenter to rectify it (perspective included).
//!
//! Whether the MRZ is upright or upside down is left to the reader, which
//! classifies both ways and keeps the more confident.

use image::GrayImage;

use crate::geometry::Point;

/// Long side, in pixels, of the copy the locator works on (speed).
pub const WORKING_LONG_SIDE: u32 = 1280;

/// Where an MRZ was found.
#[derive(Debug, Clone, PartialEq)]
pub struct LocatedMrz {
    /// Top-left, top-right, bottom-right, bottom-left corners around the
    /// lines (with a margin), in pixels of the image passed to [`locate`].
    /// "Top" is the first line if the document is upright, the last if it is
    /// upside down.
    pub corners: [Point; 4],
    /// Number of lines found (2 or 3).
    pub line_count: usize,
    /// Centre of each line across the quadrilateral, as a fraction of its
    /// height (0 = top edge, 1 = bottom edge), top to bottom.
    pub line_centres: Vec<f32>,
    /// Character height in pixels of the image passed to [`locate`].
    pub char_height: f32,
    /// Rough number of characters per line (from the length and height).
    pub estimated_chars_per_line: f32,
    /// How much darker than its surroundings a pixel had to be to count as
    /// ink (share of the local mean) when the MRZ was found.
    pub ink_contrast: f32,
}

/// Ink contrasts tried in turn: ordinary, then strict for dense coloured
/// backgrounds whose guilloche would otherwise glue the characters together.
pub const INK_CONTRASTS: [f32; 2] = [0.1, 0.35];

/// A connected group of ink pixels.
#[derive(Debug, Clone)]
struct Blob {
    /// Index range of its pixels in the shared pixel list.
    first: usize,
    len: usize,
    min_x: u32,
    min_y: u32,
    max_x: u32,
    max_y: u32,
    cx: f32,
    cy: f32,
}

/// A blob seen in a rotated frame: `u` along the text, `v` across it.
#[derive(Debug, Clone, Copy)]
struct Projected {
    u: f32,
    v: f32,
    u_min: f32,
    u_max: f32,
    height: f32,
}

/// A text line: projected blobs in reading order.
#[derive(Debug, Clone)]
struct TextLine {
    members: Vec<Projected>,
    /// v = a + b * u through the blob centres.
    a: f32,
    b: f32,
    height: f32,
    u_start: f32,
    u_end: f32,
}

impl TextLine {
    fn v_at(&self, u: f32) -> f32 {
        self.a + self.b * u
    }

    fn length(&self) -> f32 {
        self.u_end - self.u_start
    }

    fn middle_v(&self) -> f32 {
        self.v_at((self.u_start + self.u_end) / 2.0)
    }

    fn estimated_chars(&self) -> f32 {
        // OCR-B: pitch is about 0.94 of a digit's height.
        self.length() / (0.94 * self.height.max(1.0)) + 0.3
    }
}

/// Margin beyond the lines' ends, in character heights, that the located
/// quadrilateral leaves on each side (the segmenter finds the ends itself).
pub const END_MARGIN_HEIGHTS: f32 = 2.5;

/// How many MRZ-like groups [`locate_candidates`] returns at most.
pub const MAX_CANDIDATES: usize = 3;

/// Looks for an MRZ in a grey image; `None` when nothing MRZ-like is there.
pub fn locate(gray: &GrayImage) -> Option<LocatedMrz> {
    locate_candidates(gray).into_iter().next()
}

/// The most MRZ-like groups of lines, best first (at most
/// [`MAX_CANDIDATES`]): on a page dense with printed text a paragraph can
/// look more MRZ-like to geometry alone than the MRZ itself, so the reader
/// lets the classifier and the grammar judge the runners-up too.
pub fn locate_candidates(gray: &GrayImage) -> Vec<LocatedMrz> {
    locate_candidates_with(gray, &INK_CONTRASTS)
}

/// [`locate_candidates`] with the ink contrasts tried in turn (the first
/// that finds anything wins); the reader asks for the strict one alone when
/// the ordinary one's groups read poorly (dense background print can join
/// MRZ lines to it without hiding them from the ordinary contrast).
pub fn locate_candidates_with(gray: &GrayImage, contrasts: &[f32]) -> Vec<LocatedMrz> {
    let (width, height) = gray.dimensions();
    if width < 16 || height < 16 {
        return Vec::new();
    }
    let long = width.max(height);
    let scale = if long > WORKING_LONG_SIDE { WORKING_LONG_SIDE as f32 / long as f32 } else { 1.0 };
    let small = if scale < 1.0 {
        let w = ((width as f32 * scale).round() as u32).max(1);
        let h = ((height as f32 * scale).round() as u32).max(1);
        image::imageops::thumbnail(gray, w, h)
    } else {
        gray.clone()
    };
    for &contrast in contrasts {
        let found = locate_with_contrast(&small, scale, contrast);
        if !found.is_empty() {
            return found;
        }
    }
    Vec::new()
}

fn locate_with_contrast(small: &GrayImage, scale: f32, contrast: f32) -> Vec<LocatedMrz> {
    let ink = dark_ink_mask(small, contrast);
    let (blobs, pixels) = ink_blobs(&ink, small.width(), small.height());
    if blobs.len() < 20 {
        return Vec::new();
    }
    let mut all: Vec<(f32, LocatedMrz)> = Vec::new();
    for angle in text_direction_candidates(&blobs) {
        for (score, mut found) in best_groups_at_angle(&blobs, &pixels, small.width(), angle) {
            // Back to the caller's pixels.
            for corner in found.corners.iter_mut() {
                corner.x /= scale;
                corner.y /= scale;
            }
            found.char_height /= scale;
            found.ink_contrast = contrast;
            all.push((score, found));
        }
    }
    all.sort_by(|a, b| b.0.total_cmp(&a.0));
    all.truncate(MAX_CANDIDATES);
    all.into_iter().map(|(_, found)| found).collect()
}

/// Marks pixels clearly darker than their neighbourhood (Bradley-style local
/// mean threshold over an integral image).
fn dark_ink_mask(gray: &GrayImage, contrast: f32) -> Vec<bool> {
    let (w, h) = (gray.width() as usize, gray.height() as usize);
    let raw = gray.as_raw();
    let mut integral = vec![0u64; (w + 1) * (h + 1)];
    for y in 0..h {
        let mut row_sum = 0u64;
        for x in 0..w {
            row_sum += raw[y * w + x] as u64;
            integral[(y + 1) * (w + 1) + x + 1] = integral[y * (w + 1) + x + 1] + row_sum;
        }
    }
    let radius = (w.max(h) / 60).max(7);
    let mut mask = vec![false; w * h];
    for y in 0..h {
        let y0 = y.saturating_sub(radius);
        let y1 = (y + radius + 1).min(h);
        for x in 0..w {
            let x0 = x.saturating_sub(radius);
            let x1 = (x + radius + 1).min(w);
            let sum = integral[y1 * (w + 1) + x1] + integral[y0 * (w + 1) + x0]
                - integral[y0 * (w + 1) + x1]
                - integral[y1 * (w + 1) + x0];
            let count = ((y1 - y0) * (x1 - x0)) as f32;
            let mean = sum as f32 / count;
            let value = raw[y * w + x] as f32;
            mask[y * w + x] = value < mean - (contrast * mean).max(8.0);
        }
    }
    mask
}

/// 8-connected components of the mask, with their pixels (as `y * w + x`)
/// stored contiguously per blob. Blobs far too small or too large to be
/// characters are dropped.
fn ink_blobs(mask: &[bool], width: u32, height: u32) -> (Vec<Blob>, Vec<u32>) {
    let (w, h) = (width as usize, height as usize);
    let mut seen = vec![false; w * h];
    let mut pixels: Vec<u32> = Vec::new();
    let mut blobs = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    let max_side = (w.max(h) / 6).max(8) as u32;
    for start in 0..w * h {
        if !mask[start] || seen[start] {
            continue;
        }
        let first = pixels.len();
        seen[start] = true;
        stack.push(start);
        let (mut min_x, mut min_y, mut max_x, mut max_y) = (u32::MAX, u32::MAX, 0u32, 0u32);
        let (mut sum_x, mut sum_y) = (0f64, 0f64);
        while let Some(index) = stack.pop() {
            pixels.push(index as u32);
            let (x, y) = (index % w, index / w);
            min_x = min_x.min(x as u32);
            max_x = max_x.max(x as u32);
            min_y = min_y.min(y as u32);
            max_y = max_y.max(y as u32);
            sum_x += x as f64;
            sum_y += y as f64;
            for dy in -1i64..=1 {
                for dx in -1i64..=1 {
                    let nx = x as i64 + dx;
                    let ny = y as i64 + dy;
                    if nx < 0 || ny < 0 || nx >= w as i64 || ny >= h as i64 {
                        continue;
                    }
                    let n = ny as usize * w + nx as usize;
                    if mask[n] && !seen[n] {
                        seen[n] = true;
                        stack.push(n);
                    }
                }
            }
        }
        let len = pixels.len() - first;
        let bw = max_x - min_x + 1;
        let bh = max_y - min_y + 1;
        let keep = len >= 6 && bw.max(bh) >= 4 && bw.max(bh) <= max_side;
        if keep {
            blobs.push(Blob {
                first,
                len,
                min_x,
                min_y,
                max_x,
                max_y,
                cx: (sum_x / len as f64) as f32,
                cy: (sum_y / len as f64) as f32,
            });
        } else {
            pixels.truncate(first);
        }
    }
    (blobs, pixels)
}

/// Up to three text directions (radians, in [0, π)) from the angles between
/// blobs and their nearest similar-sized neighbours.
fn text_direction_candidates(blobs: &[Blob]) -> Vec<f32> {
    let cell = 24f32;
    let mut grid: std::collections::HashMap<(i32, i32), Vec<usize>> = std::collections::HashMap::new();
    for (i, b) in blobs.iter().enumerate() {
        grid.entry(((b.cx / cell) as i32, (b.cy / cell) as i32)).or_default().push(i);
    }
    let mut histogram = [0f32; 180];
    for (i, b) in blobs.iter().enumerate() {
        let size_i = ((b.max_x - b.min_x).max(b.max_y - b.min_y) + 1) as f32;
        let reach = (2.0 * size_i / cell).ceil() as i32;
        let (gx, gy) = ((b.cx / cell) as i32, (b.cy / cell) as i32);
        let mut nearest: Option<(f32, f32, f32)> = None;
        for ny in gy - reach..=gy + reach {
            for nx in gx - reach..=gx + reach {
                let Some(list) = grid.get(&(nx, ny)) else { continue };
                for &j in list {
                    if j == i {
                        continue;
                    }
                    let o = &blobs[j];
                    let size_j = ((o.max_x - o.min_x).max(o.max_y - o.min_y) + 1) as f32;
                    let ratio = size_i / size_j;
                    if !(0.6..=1.7).contains(&ratio) {
                        continue;
                    }
                    let (dx, dy) = (o.cx - b.cx, o.cy - b.cy);
                    let d2 = dx * dx + dy * dy;
                    if d2 > (2.0 * size_i) * (2.0 * size_i) || d2 < 1.0 {
                        continue;
                    }
                    if nearest.is_none_or(|(best, _, _)| d2 < best) {
                        nearest = Some((d2, dx, dy));
                    }
                }
            }
        }
        if let Some((_, dx, dy)) = nearest {
            let degrees = dy.atan2(dx).to_degrees().rem_euclid(180.0);
            let bin = (degrees.round() as usize) % 180;
            histogram[bin] += 1.0;
        }
    }
    let mut smooth = [0f32; 180];
    for (i, s) in smooth.iter_mut().enumerate() {
        for d in -2i32..=2 {
            let weight = 3.0 - d.abs() as f32;
            *s += weight * histogram[(i as i32 + d).rem_euclid(180) as usize];
        }
    }
    let mut peaks: Vec<usize> = Vec::new();
    let mut order: Vec<usize> = (0..180).collect();
    order.sort_by(|&a, &b| smooth[b].total_cmp(&smooth[a]));
    for bin in order {
        if smooth[bin] <= 0.0 || peaks.len() >= 3 {
            break;
        }
        let far = peaks.iter().all(|&p| {
            let d = (bin as i32 - p as i32).rem_euclid(180);
            d.min(180 - d) >= 8
        });
        if far {
            peaks.push(bin);
        }
    }
    peaks
        .into_iter()
        .map(|peak| {
            // Refine within ±3° by a weighted mean (around the peak, no wrap issue).
            let (mut sum, mut weight) = (0f32, 0f32);
            for d in -3i32..=3 {
                let h = histogram[(peak as i32 + d).rem_euclid(180) as usize];
                sum += h * (peak as f32 + d as f32);
                weight += h;
            }
            let degrees = if weight > 0.0 { sum / weight } else { peak as f32 };
            degrees.to_radians()
        })
        .collect()
}

/// Projects each blob's pixels on the text direction and its normal.
fn project(blobs: &[Blob], pixels: &[u32], width: u32, angle: f32) -> Vec<Projected> {
    let (c, s) = (angle.cos(), angle.sin());
    let w = width.max(1);
    let mut out = Vec::with_capacity(blobs.len());
    for blob in blobs {
        let Some(list) = pixels.get(blob.first..blob.first + blob.len) else { continue };
        let (mut u_min, mut u_max, mut v_min, mut v_max) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
        for &p in list {
            let (x, y) = ((p % w) as f32, (p / w) as f32);
            let u = x * c + y * s;
            let v = -x * s + y * c;
            u_min = u_min.min(u);
            u_max = u_max.max(u);
            v_min = v_min.min(v);
            v_max = v_max.max(v);
        }
        let height = v_max - v_min + 1.0;
        let along = u_max - u_min + 1.0;
        if height < 4.0 || along > 6.0 * height || height > 3.5 * along.max(1.0) + 2.0 {
            continue;
        }
        out.push(Projected { u: (u_min + u_max) / 2.0, v: (v_min + v_max) / 2.0, u_min, u_max, height });
    }
    out
}

/// Chains blobs into lines at one angle and returns the most MRZ-like
/// groups (no two sharing a line), best first.
fn best_groups_at_angle(blobs: &[Blob], pixels: &[u32], width: u32, angle: f32) -> Vec<(f32, LocatedMrz)> {
    let mut items = project(blobs, pixels, width, angle);
    if items.len() < 20 {
        return Vec::new();
    }
    items.sort_by(|a, b| a.u.total_cmp(&b.u));
    // Right neighbour of each blob: the closest one starting after it, on the same line.
    let mut right: Vec<Option<(usize, f32)>> = vec![None; items.len()];
    for i in 0..items.len() {
        let a = items[i];
        let mut best: Option<(usize, f32)> = None;
        for (j, b) in items.iter().enumerate().skip(i + 1) {
            let size = a.height.max(b.height);
            if b.u - a.u > 4.0 * size {
                break;
            }
            if b.u_min <= a.u || b.u <= a.u_max - 0.3 * a.height.min(b.height) {
                continue;
            }
            let ratio = a.height / b.height;
            if !(0.5..=2.0).contains(&ratio) || (a.v - b.v).abs() > 0.35 * size {
                continue;
            }
            let gap = b.u_min - a.u_max;
            if gap > 1.2 * size {
                continue;
            }
            let cost = gap.max(0.0) + 2.0 * (a.v - b.v).abs();
            if best.is_none_or(|(_, c)| cost < c) {
                best = Some((j, cost));
            }
        }
        right[i] = best;
    }
    // Keep each link only once: the cheapest claim on a right neighbour wins.
    let mut claimed_by: Vec<Option<(usize, f32)>> = vec![None; items.len()];
    for (i, link) in right.iter().enumerate() {
        if let Some((j, cost)) = *link
            && claimed_by[j].is_none_or(|(_, c)| cost < c)
        {
            claimed_by[j] = Some((i, cost));
        }
    }
    let mut next: Vec<Option<usize>> = vec![None; items.len()];
    for (j, claim) in claimed_by.iter().enumerate() {
        if let Some((i, _)) = *claim {
            next[i] = Some(j);
        }
    }
    let mut lines: Vec<TextLine> = Vec::new();
    for start in 0..items.len() {
        if claimed_by[start].is_some() {
            continue; // not a chain head
        }
        let mut members = vec![items[start]];
        let mut cursor = start;
        while let Some(n) = next[cursor] {
            members.push(items[n]);
            cursor = n;
            if members.len() > items.len() {
                break;
            }
        }
        if members.len() >= 5 {
            lines.push(fit_line(members));
        }
    }
    let mut lines = join_broken_lines(lines);
    lines.retain(|l| l.members.len() >= 10);
    lines.sort_by(|a, b| a.middle_v().total_cmp(&b.middle_v()));

    let mut scored: Vec<(f32, Vec<usize>)> = Vec::new();
    for start in 0..lines.len() {
        for count in [2usize, 3] {
            let group: Vec<usize> = (start..start + count).collect();
            if group.last().is_none_or(|&l| l >= lines.len()) {
                continue;
            }
            if let Some(score) = group_score(&lines, &group) {
                scored.push((score, group));
            }
        }
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut kept: Vec<(f32, Vec<usize>)> = Vec::new();
    for (score, group) in scored {
        if kept.len() >= MAX_CANDIDATES {
            break;
        }
        if kept.iter().all(|(_, other)| other.iter().all(|l| !group.contains(l))) {
            kept.push((score, group));
        }
    }
    kept.into_iter().filter_map(|(score, group)| group_quadrilateral(&lines, &group, angle).map(|found| (score, found))).collect()
}

/// The located MRZ for a group of lines.
fn group_quadrilateral(lines: &[TextLine], group: &[usize], angle: f32) -> Option<LocatedMrz> {
    let chosen: Vec<&TextLine> = group.iter().filter_map(|&i| lines.get(i)).collect();
    let first = chosen.first()?;
    let last = chosen.last()?;
    let char_height = median(chosen.iter().map(|l| l.height).collect())?;
    let u_left = chosen.iter().map(|l| l.u_start).fold(f32::MAX, f32::min) - END_MARGIN_HEIGHTS * char_height;
    let u_right = chosen.iter().map(|l| l.u_end).fold(f32::MIN, f32::max) + END_MARGIN_HEIGHTS * char_height;
    let margin = 1.0 * char_height;
    let (c, s) = (angle.cos(), angle.sin());
    let to_image = |u: f32, v: f32| Point::new(u * c - v * s, u * s + v * c);
    let corners = [
        to_image(u_left, first.v_at(u_left) - margin),
        to_image(u_right, first.v_at(u_right) - margin),
        to_image(u_right, last.v_at(u_right) + margin),
        to_image(u_left, last.v_at(u_left) + margin),
    ];
    let u_mid = (u_left + u_right) / 2.0;
    let top = first.v_at(u_mid) - margin;
    let bottom = last.v_at(u_mid) + margin;
    let span = (bottom - top).max(1.0);
    let line_centres = chosen.iter().map(|l| (l.v_at(u_mid) - top) / span).collect();
    let estimated = chosen.iter().map(|l| l.estimated_chars()).fold(0f32, f32::max);
    Some(LocatedMrz {
        corners,
        line_count: chosen.len(),
        line_centres,
        char_height,
        estimated_chars_per_line: estimated,
        ink_contrast: INK_CONTRASTS[0],
    })
}

/// Least-squares line through the centres of the taller members.
fn fit_line(members: Vec<Projected>) -> TextLine {
    let heights: Vec<f32> = members.iter().map(|m| m.height).collect();
    let height = percentile(heights, 0.75).unwrap_or(1.0);
    let tall: Vec<&Projected> = members.iter().filter(|m| m.height >= 0.7 * height).collect();
    let used: Vec<&Projected> = if tall.len() >= 2 { tall } else { members.iter().collect() };
    let n = used.len() as f32;
    let mean_u = used.iter().map(|m| m.u).sum::<f32>() / n;
    let mean_v = used.iter().map(|m| m.v).sum::<f32>() / n;
    let suu: f32 = used.iter().map(|m| (m.u - mean_u) * (m.u - mean_u)).sum();
    let suv: f32 = used.iter().map(|m| (m.u - mean_u) * (m.v - mean_v)).sum();
    let b = if suu > 1e-3 { (suv / suu).clamp(-0.2, 0.2) } else { 0.0 };
    let a = mean_v - b * mean_u;
    let u_start = members.iter().map(|m| m.u_min).fold(f32::MAX, f32::min);
    let u_end = members.iter().map(|m| m.u_max).fold(f32::MIN, f32::max);
    TextLine { members, a, b, height, u_start, u_end }
}

/// Joins collinear pieces of one line that a mark, stamp or glare split.
fn join_broken_lines(mut lines: Vec<TextLine>) -> Vec<TextLine> {
    lines.sort_by(|a, b| a.u_start.total_cmp(&b.u_start));
    let mut merged = true;
    while merged {
        merged = false;
        'outer: for i in 0..lines.len() {
            for j in 0..lines.len() {
                if i == j {
                    continue;
                }
                let (a, b) = (&lines[i], &lines[j]);
                let size = a.height.max(b.height);
                let ratio = a.height / b.height.max(1e-3);
                let gap = b.u_start - a.u_end;
                let dv = (a.v_at(a.u_end) - b.v_at(b.u_start)).abs();
                if (0.75..=1.33).contains(&ratio) && gap > -0.5 * size && gap < 4.0 * size && dv < 0.4 * size {
                    let mut members = a.members.clone();
                    members.extend(b.members.iter().copied());
                    members.sort_by(|x, y| x.u.total_cmp(&y.u));
                    let joined = fit_line(members);
                    let (hi, lo) = if i > j { (i, j) } else { (j, i) };
                    lines.remove(hi);
                    lines.remove(lo);
                    lines.push(joined);
                    merged = true;
                    break 'outer;
                }
            }
        }
    }
    lines
}

/// How MRZ-like a group of consecutive lines is; `None` if it cannot be one.
fn group_score(lines: &[TextLine], group: &[usize]) -> Option<f32> {
    let chosen: Vec<&TextLine> = group.iter().filter_map(|&i| lines.get(i)).collect();
    if chosen.len() != group.len() {
        return None;
    }
    let longest = chosen.iter().map(|l| l.length()).fold(0f32, f32::max);
    let chars = chosen.iter().map(|l| l.estimated_chars()).fold(0f32, f32::max);
    let plausible_length = match chosen.len() {
        3 => (22.0..=38.0).contains(&chars),
        _ => (26.0..=52.0).contains(&chars),
    };
    if !plausible_length {
        return None;
    }
    for pair in chosen.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let ratio = a.height / b.height.max(1e-3);
        if !(0.75..=1.33).contains(&ratio) || (a.b - b.b).abs() > 0.06 {
            return None;
        }
        let size = a.height.max(b.height);
        let spacing = b.middle_v() - a.middle_v();
        if !(1.1 * size..=3.2 * size).contains(&spacing) {
            return None;
        }
        let overlap = a.u_end.min(b.u_end) - a.u_start.max(b.u_start);
        if overlap < 0.7 * longest {
            return None;
        }
    }
    let blobs: usize = chosen.iter().map(|l| l.members.len()).sum();
    // Each line should hold roughly one blob per character (merged glyphs count less).
    let fill: f32 = chosen.iter().map(|l| (l.members.len() as f32 / l.estimated_chars().max(1.0)).min(1.0)).sum();
    Some(blobs as f32 + 20.0 * fill)
}

fn median(values: Vec<f32>) -> Option<f32> {
    percentile(values, 0.5)
}

fn percentile(mut values: Vec<f32>, q: f32) -> Option<f32> {
    values.retain(|v| v.is_finite());
    if values.is_empty() {
        return None;
    }
    values.sort_by(f32::total_cmp);
    let index = ((values.len() - 1) as f32 * q).round() as usize;
    values.get(index.min(values.len() - 1)).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_and_noise_images_hold_no_mrz() {
        assert!(locate(&GrayImage::from_pixel(640, 480, image::Luma([255]))).is_none());
        assert!(locate(&GrayImage::from_pixel(10, 10, image::Luma([0]))).is_none());
        let mut state = 12345u32;
        let noise = GrayImage::from_fn(300, 200, |_, _| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
            image::Luma([(state >> 24) as u8])
        });
        assert!(locate(&noise).is_none());
    }
}
