//! How good a live frame is for a capture: sharpness, glare, stillness and the
//! page outline, measured on every preview frame, and the auto-capture rule
//! that fires when a document lies sharp, still and free of glare.
//!
//! Every measure works on a copy of the frame reduced to [`ANALYSIS_SIDE`]
//! pixels on its longest side, so one threshold holds for a 720p webcam and a
//! 4K document camera alike. The copy is made in one pass over the frame
//! ([`reduce_pixels`], the same cells and rounding as `image`'s `thumbnail`, so
//! the thresholds tuned on it still hold), the page outline is looked for on a
//! copy reduced once more to [`OUTLINE_SIDE`], and [`FrameAnalyser`] takes the
//! outline over from an earlier frame while the picture has not changed: a
//! 720p frame fits one frame time at 30 frames a second (issue 30,
//! `benches/frame_quality.rs`). The page outline and the Laplacian are the
//! document crate's ([`find_page`], [`focus_measure`]).

use std::ops::Range;

use image::{GrayImage, RgbImage};
use serde::Serialize;
use tdverify_core::Rect;
use tdverify_document::quality::focus_measure;
use tdverify_document::register::find_page;

/// Longest side of the reduced frame every measure works on, in pixels.
pub const ANALYSIS_SIDE: u32 = 640;

/// Longest side of the copy the page outline is looked for on, in pixels. The
/// outline needs the page's edges against the table, not its print: at 320 px
/// the corners land within two analysis pixels of where they are found at
/// [`ANALYSIS_SIDE`] (4 frame pixels of a 720p frame), well inside the 5 % the
/// sharpness and glare bounds keep from the edges, and the search costs a
/// quarter as much.
pub const OUTLINE_SIDE: u32 = 320;

/// Longest side of the thumbnail two frames are compared on for stillness:
/// small enough that sensor noise averages out, large enough that a hand
/// moving the page a few millimetres shows.
pub const STILLNESS_SIDE: u32 = 160;

/// Largest mean grey-level difference between a frame's stillness thumbnail
/// and that of the frame the outline was last looked for on, under which the
/// outline is taken over instead of looked for again. Sensor noise alone
/// differs by about 0.25 and a page sliding 14 px a frame (720p) by 8 to 10
/// (see [`MAX_MOTION`]), so 1.0 lets through noise and a drift of a pixel or
/// two, far less than the 5 % the sharpness and glare bounds keep from the
/// page's edges. Comparing with the frame the outline was found on, not the
/// previous one, keeps a slow drift from carrying a stale outline along.
pub const OUTLINE_REUSE_MOTION: f32 = 1.0;
/// Side of the square cells glare is located with, in reduced-frame pixels.
const GLARE_CELL: u32 = 8;

/// Grey level from which a pixel is clipped by glare. A camera's blown
/// highlights read 253 to 255 after compression; white paper, and the scanner
/// lid around the fixture pages, read 246 to 250, so the inspection's
/// [`tdverify_document::quality::SATURATED_LUMA`] (248, for calibrated flat
/// scans) would count a white page as glare here.
pub const CLIPPED_LUMA: u8 = 253;

/// Share of a cell's pixels that must be clipped for the cell to count as glare.
const GLARE_CELL_SHARE: f32 = 0.5;

/// Sharpness (variance of the Laplacian on the reduced frame) from which a frame
/// is sharp enough to capture. Tuned on generated sequences of the fixture
/// pages laid on a table at 1280×720 (`live::tests::auto_capture_fires_…`,
/// which prints the measures): the sharp page scores about 6000, the same frame
/// under a Gaussian blur of σ 2.25 px (about one reduced pixel, a camera
/// slightly out of focus) about 200, σ 3 px under 100. 300 sits above every
/// blurred frame and far below a sharp one, leaving room for real cameras,
/// whose sharp frames are softer than a rendered page.
pub const MIN_SHARPNESS: f32 = 300.0;

/// Largest share of the page's pixels clipped to white before glare counts: a
/// few specular specks (0.5 %) are tolerated, a glare spot over a zone is not.
/// Looser than the inspection's own limit
/// ([`tdverify_document::quality::MAX_GLARE_FRACTION`], measured at full
/// resolution) because reducing the frame averages small specks away.
pub const MAX_GLARE: f32 = 0.005;

/// Largest mean grey-level difference to the previous frame that still counts
/// as still. Tuned on the generated sequences: a page sliding 14 px a frame
/// (1280×720) differs by 8 to 10 grey levels, an unchanged page under ±2 levels
/// of sensor noise by 0.25; 2.5 leaves ten times the noise before a still page
/// counts as moving.
pub const MAX_MOTION: f32 = 2.5;

/// Consecutive good frames before the auto-capture fires: at 30 frames a second
/// a third of a second of stillness, long enough that the officer's hand has
/// left the page.
pub const STILL_FRAMES: u32 = 8;

/// What was measured on one frame.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrameQuality {
    /// Width of the measured frame, in pixels.
    pub width: u32,
    /// Height of the measured frame, in pixels.
    pub height: u32,
    /// Variance of the Laplacian inside the page (the whole frame when no page
    /// was found), on the reduced frame: higher is sharper.
    pub sharpness: f32,
    /// Share of the page's pixels clipped to white (0 to 1): lower is better.
    pub glare: f32,
    /// Where the largest glare spot is, in frame pixels.
    pub glare_region: Option<Rect>,
    /// Mean grey-level difference to the previous frame (0 = perfectly still);
    /// `None` for the first frame or after the frame size changed.
    pub stillness: Option<f32>,
    /// The page's corners in frame pixels (top-left, top-right, bottom-right,
    /// bottom-left as seen), when a page stands out from the background.
    pub outline: Option<[[f32; 2]; 4]>,
}

impl FrameQuality {
    /// Whether this frame alone is good enough under `rule` (sharp, still, no glare).
    pub fn acceptable(&self, rule: &AutoCaptureRule) -> bool {
        self.sharpness >= rule.min_sharpness
            && self.glare <= rule.max_glare
            && self.stillness.is_some_and(|motion| motion <= rule.max_motion)
    }
}

/// Measures frames one after the other, keeping what stillness compares with
/// and the last page outline found.
#[derive(Debug, Default)]
pub struct FrameAnalyser {
    previous: Option<GrayImage>,
    known_outline: Option<KnownOutline>,
}

/// A page outline and the frame it was looked for on (its size and stillness
/// thumbnail), to take it over while the picture stays the same.
#[derive(Debug)]
struct KnownOutline {
    frame_size: (u32, u32),
    thumbnail: GrayImage,
    outline: Option<[[f32; 2]; 4]>,
}

impl FrameAnalyser {
    /// A fresh analyser (the first frame has no stillness).
    pub fn new() -> FrameAnalyser {
        FrameAnalyser::default()
    }

    /// Measures `frame` and remembers it for the next frame's stillness. The
    /// page outline is looked for again only when the frame differs from the
    /// one it was last looked for on by more than [`OUTLINE_REUSE_MOTION`].
    pub fn analyse(&mut self, frame: &RgbImage) -> FrameQuality {
        let Some(reduced) = ReducedFrame::of(frame) else {
            self.reset();
            return FrameQuality::empty(frame.width(), frame.height());
        };
        let unchanged = self.known_outline.as_ref().filter(|known| {
            known.frame_size == frame.dimensions()
                && known.thumbnail.dimensions() == reduced.thumbnail.dimensions()
                && mean_difference(&known.thumbnail, &reduced.thumbnail) <= OUTLINE_REUSE_MOTION
        });
        let outline = match unchanged {
            Some(known) => known.outline,
            None => {
                let outline = reduced.outline();
                self.known_outline = Some(KnownOutline {
                    frame_size: frame.dimensions(),
                    thumbnail: reduced.thumbnail.clone(),
                    outline,
                });
                outline
            }
        };
        let quality = reduced.quality(outline, self.previous.as_ref());
        self.previous = Some(reduced.thumbnail);
        quality
    }

    /// Forgets the previous frame and the outline (the source changed).
    pub fn reset(&mut self) {
        self.previous = None;
        self.known_outline = None;
    }
}

/// Measures one frame against the previous frame's stillness thumbnail, looking
/// for the page outline afresh; returns the measures and this frame's thumbnail
/// (`None` for an empty frame).
pub fn measure(frame: &RgbImage, previous: Option<&GrayImage>) -> (FrameQuality, Option<GrayImage>) {
    let Some(reduced) = ReducedFrame::of(frame) else {
        return (FrameQuality::empty(frame.width(), frame.height()), None);
    };
    let quality = reduced.quality(reduced.outline(), previous);
    (quality, Some(reduced.thumbnail))
}

impl FrameQuality {
    /// The measures of a frame with nothing in it (or nothing measured yet).
    fn empty(width: u32, height: u32) -> FrameQuality {
        FrameQuality { width, height, sharpness: 0.0, glare: 0.0, glare_region: None, stillness: None, outline: None }
    }
}

/// One frame reduced for measuring: the colour copy and its grey levels at
/// [`ANALYSIS_SIDE`], and the stillness thumbnail.
struct ReducedFrame {
    width: u32,
    height: u32,
    /// Frame pixels per reduced pixel.
    scale: f32,
    colour: RgbImage,
    gray: GrayImage,
    thumbnail: GrayImage,
}

impl ReducedFrame {
    /// `None` for an empty frame.
    fn of(frame: &RgbImage) -> Option<ReducedFrame> {
        let (width, height) = frame.dimensions();
        if width == 0 || height == 0 {
            return None;
        }
        // `image`'s own grey conversion, the one the thresholds were tuned on.
        let colour = image::DynamicImage::ImageRgb8(reduce(frame, ANALYSIS_SIDE));
        let gray = colour.to_luma8();
        let colour = colour.into_rgb8();
        let thumbnail = reduce(&gray, STILLNESS_SIDE);
        Some(ReducedFrame { width, height, scale: width as f32 / colour.width() as f32, colour, gray, thumbnail })
    }

    /// The page's corners in frame pixels, looked for on a copy reduced to
    /// [`OUTLINE_SIDE`]; `None` when no page stands out from the background.
    fn outline(&self) -> Option<[[f32; 2]; 4]> {
        let small = reduce(&self.colour, OUTLINE_SIDE);
        let scale = self.width as f32 / small.width() as f32;
        find_page(&small)
            .ok()
            .filter(|page| !page.whole_image)
            .map(|page| page.corners.map(|[x, y]| [x * scale, y * scale]))
    }

    /// Sharpness and glare inside `outline` (the whole frame without one), and
    /// stillness against the previous frame's thumbnail.
    fn quality(&self, outline: Option<[[f32; 2]; 4]>, previous: Option<&GrayImage>) -> FrameQuality {
        let (gray, scale) = (&self.gray, self.scale);
        let bounds = match outline {
            Some(corners) => inner_bounds(&corners, scale, gray.width(), gray.height()),
            None => (0, 0, gray.width(), gray.height()),
        };
        // One reduced pixel is the Laplacian's spacing: 0.2 mm at 5 px/mm.
        let sharpness = focus_measure(gray, bounds, 5.0);
        let (glare, glare_region) = glare(gray, bounds);
        let stillness = previous
            .filter(|p| p.dimensions() == self.thumbnail.dimensions())
            .map(|p| mean_difference(p, &self.thumbnail));
        let glare_region = glare_region.map(|r| Rect::new(r.x * scale, r.y * scale, r.w * scale, r.h * scale));
        FrameQuality {
            sharpness,
            glare,
            glare_region,
            stillness,
            outline,
            ..FrameQuality::empty(self.width, self.height)
        }
    }
}

/// The image reduced (area average) so its longest side is at most `side`.
fn reduce<P>(image: &image::ImageBuffer<P, Vec<u8>>, side: u32) -> image::ImageBuffer<P, Vec<u8>>
where
    P: image::Pixel<Subpixel = u8>,
{
    let (width, height) = image.dimensions();
    if width.max(height) <= side {
        return image.clone();
    }
    let (w, h) = reduced_size(width, height, side);
    let pixels = reduce_pixels(image.as_raw(), width, usize::from(P::CHANNEL_COUNT), w, h);
    image::ImageBuffer::from_raw(w, h, pixels).expect("reduce_pixels makes w × h pixels of the image's channels")
}

/// Reduces interleaved 8-bit pixels (`channels` a pixel, `width` a row) to
/// `target_width` × `target_height` by averaging each target pixel's block of
/// source pixels, in one pass over the rows. The blocks and the rounding are
/// those of `image::imageops::thumbnail`, whose result the thresholds were tuned
/// on; it reads every pixel through a generic accessor and cost a 720p frame
/// several milliseconds.
fn reduce_pixels(raw: &[u8], width: u32, channels: usize, target_width: u32, target_height: u32) -> Vec<u8> {
    let row_length = width as usize * channels;
    let height = if row_length == 0 { 0 } else { (raw.len() / row_length) as u32 };
    if height == 0 || target_width == 0 || target_height == 0 {
        return Vec::new();
    }
    let columns = block_ranges(width, target_width);
    let rows = block_ranges(height, target_height);
    let mut pixels = Vec::with_capacity(columns.len() * rows.len() * channels);
    let mut sums = vec![0u64; columns.len() * channels];
    for row_block in &rows {
        sums.fill(0);
        for row in raw.chunks_exact(row_length).skip(row_block.start).take(row_block.len()) {
            for (cell, column_block) in sums.chunks_exact_mut(channels).zip(&columns) {
                let block = &row[column_block.start * channels..column_block.end * channels];
                for pixel in block.chunks_exact(channels) {
                    for (sum, &value) in cell.iter_mut().zip(pixel) {
                        *sum += u64::from(value);
                    }
                }
            }
        }
        for (cell, column_block) in sums.chunks_exact(channels).zip(&columns) {
            let count = (column_block.len() * row_block.len()).max(1) as u64;
            pixels.extend(cell.iter().map(|&sum| ((sum + count / 2) / count).min(255) as u8));
        }
    }
    pixels
}

/// The source pixels `[start, end)` each of `target` pixels averages along an
/// axis of `source` pixels (`target <= source`): the cells start at the ceiling
/// of `i × source / target`, computed in `f32` as `image`'s `thumbnail` does.
/// Never empty.
fn block_ranges(source: u32, target: u32) -> Vec<Range<usize>> {
    let ratio = source as f32 / target.max(1) as f32;
    (0..target)
        .map(|i| {
            let start_f = i as f32 * ratio;
            let start = (start_f.ceil() as u32).min(source.saturating_sub(1));
            let end = ((start_f + ratio).ceil() as u32).clamp(start + 1, source.max(start + 1));
            start as usize..end as usize
        })
        .collect()
}

/// Size with the longest side `side`, the aspect kept, never a zero side.
fn reduced_size(width: u32, height: u32, side: u32) -> (u32, u32) {
    let longest = u64::from(width.max(height).max(1));
    let w = (u64::from(width) * u64::from(side) / longest).max(1) as u32;
    let h = (u64::from(height) * u64::from(side) / longest).max(1) as u32;
    (w, h)
}

/// The outline's bounding box in reduced pixels, 5 % in from each side (page
/// edges show the table and shadows, which are not the page's sharpness).
fn inner_bounds(corners: &[[f32; 2]; 4], scale: f32, width: u32, height: u32) -> (u32, u32, u32, u32) {
    let clamp = |v: f32, max: u32| (v / scale).clamp(0.0, max as f32) as u32;
    let x0 = clamp(corners.iter().map(|c| c[0]).fold(f32::INFINITY, f32::min), width);
    let x1 = clamp(corners.iter().map(|c| c[0]).fold(f32::NEG_INFINITY, f32::max), width);
    let y0 = clamp(corners.iter().map(|c| c[1]).fold(f32::INFINITY, f32::min), height);
    let y1 = clamp(corners.iter().map(|c| c[1]).fold(f32::NEG_INFINITY, f32::max), height);
    let (inset_x, inset_y) = (x1.saturating_sub(x0) / 20, y1.saturating_sub(y0) / 20);
    let (x0, y0) = (x0 + inset_x, y0 + inset_y);
    (x0, y0, x1.saturating_sub(inset_x).max(x0), y1.saturating_sub(inset_y).max(y0))
}

/// Share of clipped pixels inside `bounds`, and the bounding box (reduced
/// pixels) of the largest connected group of glare cells.
fn glare(gray: &GrayImage, bounds: (u32, u32, u32, u32)) -> (f32, Option<Rect>) {
    let (x0, y0, x1, y1) = bounds;
    if x1 <= x0 || y1 <= y0 {
        return (0.0, None);
    }
    let (columns, rows) = ((x1 - x0).div_ceil(GLARE_CELL) as usize, (y1 - y0).div_ceil(GLARE_CELL) as usize);
    let mut clipped_in_cell = vec![0u32; columns * rows];
    let mut pixels_in_cell = vec![0u32; columns * rows];
    let mut clipped = 0u64;
    for y in y0..y1 {
        for x in x0..x1 {
            let cell = ((y - y0) / GLARE_CELL) as usize * columns + ((x - x0) / GLARE_CELL) as usize;
            pixels_in_cell[cell] += 1;
            if gray.get_pixel(x, y).0[0] >= CLIPPED_LUMA {
                clipped_in_cell[cell] += 1;
                clipped += 1;
            }
        }
    }
    let share = clipped as f32 / (u64::from(x1 - x0) * u64::from(y1 - y0)) as f32;
    let glare_cells: Vec<bool> = clipped_in_cell
        .iter()
        .zip(&pixels_in_cell)
        .map(|(&c, &n)| n > 0 && c as f32 >= GLARE_CELL_SHARE * n as f32)
        .collect();
    let region = largest_group(&glare_cells, columns, rows).map(|(cx0, cy0, cx1, cy1)| {
        let left = x0 + cx0 as u32 * GLARE_CELL;
        let top = y0 + cy0 as u32 * GLARE_CELL;
        let right = (x0 + (cx1 as u32 + 1) * GLARE_CELL).min(x1);
        let bottom = (y0 + (cy1 as u32 + 1) * GLARE_CELL).min(y1);
        Rect::new(left as f32, top as f32, (right - left) as f32, (bottom - top) as f32)
    });
    (share, region)
}

/// Bounding box (first column, first row, last column, last row) of the
/// largest 4-connected group of set cells.
fn largest_group(cells: &[bool], columns: usize, rows: usize) -> Option<(usize, usize, usize, usize)> {
    let mut seen = vec![false; cells.len()];
    let mut best: Option<(usize, (usize, usize, usize, usize))> = None;
    for start in 0..cells.len() {
        if !cells[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        let mut stack = vec![start];
        let (mut size, mut bounds) = (0, (usize::MAX, usize::MAX, 0, 0));
        while let Some(cell) = stack.pop() {
            let (x, y) = (cell % columns, cell / columns);
            size += 1;
            bounds = (bounds.0.min(x), bounds.1.min(y), bounds.2.max(x), bounds.3.max(y));
            let neighbours = [
                (x > 0).then(|| cell - 1),
                (x + 1 < columns).then(|| cell + 1),
                (y > 0).then(|| cell - columns),
                (y + 1 < rows).then(|| cell + columns),
            ];
            for next in neighbours.into_iter().flatten() {
                if cells[next] && !seen[next] {
                    seen[next] = true;
                    stack.push(next);
                }
            }
        }
        if best.is_none_or(|(best_size, _)| size > best_size) {
            best = Some((size, bounds));
        }
    }
    best.map(|(_, bounds)| bounds)
}

/// Mean absolute grey-level difference of two images of the same size.
fn mean_difference(a: &GrayImage, b: &GrayImage) -> f32 {
    let count = a.as_raw().len().max(1);
    let total: u64 = a.as_raw().iter().zip(b.as_raw()).map(|(&p, &q)| u64::from(p.abs_diff(q))).sum();
    total as f32 / count as f32
}

/// When a frame is good enough to capture by itself.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AutoCaptureRule {
    /// Least sharpness ([`MIN_SHARPNESS`]).
    pub min_sharpness: f32,
    /// Largest glare share ([`MAX_GLARE`]).
    pub max_glare: f32,
    /// Largest difference to the previous frame ([`MAX_MOTION`]).
    pub max_motion: f32,
    /// Consecutive acceptable frames needed ([`STILL_FRAMES`]).
    pub still_frames: u32,
}

impl Default for AutoCaptureRule {
    fn default() -> AutoCaptureRule {
        AutoCaptureRule {
            min_sharpness: MIN_SHARPNESS,
            max_glare: MAX_GLARE,
            max_motion: MAX_MOTION,
            still_frames: STILL_FRAMES,
        }
    }
}

/// The auto-capture rule applied frame after frame: sharp above the threshold
/// AND still AND glare below the threshold, for [`AutoCaptureRule::still_frames`]
/// frames in a row.
#[derive(Debug, Clone, Default)]
pub struct AutoCapture {
    /// The thresholds.
    pub rule: AutoCaptureRule,
    run: u32,
}

impl AutoCapture {
    /// The rule with its thresholds.
    pub fn new(rule: AutoCaptureRule) -> AutoCapture {
        AutoCapture { rule, run: 0 }
    }

    /// Counts this frame; true when the rule holds (and then starts counting
    /// again, so one still page is captured once, not on every frame).
    pub fn observe(&mut self, quality: &FrameQuality) -> bool {
        if quality.acceptable(&self.rule) {
            self.run += 1;
        } else {
            self.run = 0;
        }
        if self.run >= self.rule.still_frames.max(1) {
            self.run = 0;
            return true;
        }
        false
    }

    /// Acceptable frames in a row so far (for the stillness gauge).
    pub fn run(&self) -> u32 {
        self.run
    }

    /// Starts counting again (after a capture by hand, or a new source).
    pub fn reset(&mut self) {
        self.run = 0;
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use image::Rgb;
    use proptest::prelude::*;

    /// A page of printed-looking text (dark strokes on light paper) on a dark table.
    pub(crate) fn synthetic_page(width: u32, height: u32, offset: (i32, i32)) -> RgbImage {
        RgbImage::from_fn(width, height, |x, y| {
            let (px, py) = (x as i32 - offset.0 - width as i32 / 8, y as i32 - offset.1 - height as i32 / 8);
            let (pw, ph) = (width as i32 * 3 / 4, height as i32 * 3 / 4);
            if px < 0 || py < 0 || px >= pw || py >= ph {
                return Rgb([40, 42, 45]);
            }
            let (cell_x, cell_y) = (px * 60 / pw.max(1), py * 30 / ph.max(1));
            let stroke = (cell_x * 7 + cell_y * 13) % 5 < 2 && (px * 120 / pw.max(1)) % 2 == 0;
            if stroke { Rgb([30, 30, 40]) } else { Rgb([225, 222, 210]) }
        })
    }

    fn blurred(image: &RgbImage, sigma: f32) -> RgbImage {
        image::imageops::blur(image, sigma)
    }

    #[test]
    fn a_blurred_frame_scores_below_a_sharp_one_and_below_the_threshold() {
        let sharp = synthetic_page(1280, 720, (0, 0));
        let (sharp_quality, _) = measure(&sharp, None);
        let (blurred_quality, _) = measure(&blurred(&sharp, 6.0), None);
        assert!(sharp_quality.sharpness > MIN_SHARPNESS, "{sharp_quality:?}");
        assert!(blurred_quality.sharpness < MIN_SHARPNESS, "{blurred_quality:?}");
        assert!(sharp_quality.sharpness > 3.0 * blurred_quality.sharpness);
    }

    #[test]
    fn sharpness_is_alike_across_resolutions() {
        let small = measure(&synthetic_page(1280, 720, (0, 0)), None).0.sharpness;
        let large = measure(&synthetic_page(3840, 2160, (0, 0)), None).0.sharpness;
        assert!(small > MIN_SHARPNESS && large > MIN_SHARPNESS, "{small} {large}");
        assert!((small / large) > 0.5 && (small / large) < 2.0, "{small} {large}");
    }

    #[test]
    fn a_moving_sequence_is_not_still_and_a_repeated_frame_is() {
        let mut analyser = FrameAnalyser::new();
        let first = analyser.analyse(&synthetic_page(1280, 720, (0, 0)));
        assert_eq!(first.stillness, None, "the first frame has nothing to compare with");
        for step in 1..5 {
            let moved = analyser.analyse(&synthetic_page(1280, 720, (step * 12, step * 5)));
            assert!(moved.stillness.is_some_and(|m| m > MAX_MOTION), "{moved:?}");
        }
        let held = analyser.analyse(&synthetic_page(1280, 720, (48, 20)));
        assert!(held.stillness.is_some_and(|m| m <= MAX_MOTION), "{held:?}");
    }

    #[test]
    fn the_page_outline_is_found_where_the_page_is() {
        let quality = measure(&synthetic_page(1280, 720, (0, 0)), None).0;
        let outline = quality.outline.expect("a page on a dark table");
        // The page spans x 160..1120, y 90..630.
        let [top_left, _, bottom_right, _] = outline;
        assert!((top_left[0] - 160.0).abs() < 20.0 && (top_left[1] - 90.0).abs() < 20.0, "{outline:?}");
        assert!((bottom_right[0] - 1120.0).abs() < 20.0 && (bottom_right[1] - 630.0).abs() < 20.0, "{outline:?}");
    }

    #[test]
    fn a_clipped_patch_shows_glare_where_it_is() {
        let clean = synthetic_page(1280, 720, (0, 0));
        let clean_quality = measure(&clean, None).0;
        assert!(clean_quality.glare < MAX_GLARE && clean_quality.glare_region.is_none(), "{clean_quality:?}");
        let mut glared = clean.clone();
        for y in 400..520 {
            for x in 700..900 {
                glared.put_pixel(x, y, Rgb([255, 255, 255]));
            }
        }
        let quality = measure(&glared, None).0;
        assert!(quality.glare > MAX_GLARE, "{quality:?}");
        let region = quality.glare_region.expect("the spot is located");
        let centre = (region.x + region.w / 2.0, region.y + region.h / 2.0);
        assert!((centre.0 - 800.0).abs() < 30.0 && (centre.1 - 460.0).abs() < 30.0, "{region:?}");
        assert!(region.w > 150.0 && region.w < 260.0 && region.h > 80.0 && region.h < 170.0, "{region:?}");
    }

    /// Frame pixels of deterministic noise (xorshift), the hardest case for a reduction.
    fn noise_frame(width: u32, height: u32, seed: u32) -> RgbImage {
        let mut state = seed | 1;
        RgbImage::from_fn(width, height, |_, _| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            Rgb([state as u8, (state >> 8) as u8, (state >> 16) as u8])
        })
    }

    #[test]
    fn the_one_pass_reduction_is_the_thumbnail_the_thresholds_were_tuned_on() {
        for (width, height) in [(1280, 720), (1920, 1080), (1600, 900), (1000, 1333), (641, 480), (3000, 2), (640, 360)]
        {
            let frame = noise_frame(width, height, width * 7 + height);
            let reduced = ReducedFrame::of(&frame).expect("a frame with pixels");
            let (w, h) = if width.max(height) > ANALYSIS_SIDE {
                reduced_size(width, height, ANALYSIS_SIDE)
            } else {
                (width, height)
            };
            let colour = image::imageops::thumbnail(&frame, w, h);
            let gray = image::DynamicImage::ImageRgb8(colour.clone()).into_luma8();
            let (tw, th) = reduced_size(w, h, STILLNESS_SIDE);
            assert!(reduced.colour == colour, "colour differs at {width}×{height}");
            assert!(reduced.gray == gray, "grey differs at {width}×{height}");
            assert!(
                reduced.thumbnail == image::imageops::thumbnail(&gray, tw, th),
                "thumbnail differs at {width}×{height}"
            );
        }
    }

    #[test]
    fn a_still_frame_takes_the_outline_over_and_a_moved_page_gets_a_new_one() {
        let mut analyser = FrameAnalyser::new();
        let first = analyser.analyse(&synthetic_page(1280, 720, (0, 0)));
        let held = analyser.analyse(&synthetic_page(1280, 720, (0, 0)));
        assert_eq!(held.outline, first.outline);
        assert!(first.outline.is_some());
        assert_eq!(held, FrameQuality { stillness: Some(0.0), ..first.clone() });
        // The page moved 60 px right and 30 px down: the outline follows it.
        let moved = analyser.analyse(&synthetic_page(1280, 720, (60, 30)));
        let ([old_left, _], [new_left, new_top]) =
            (first.outline.expect("found")[0], moved.outline.expect("found again")[0]);
        assert!((new_left - old_left - 60.0).abs() < 10.0, "{first:?} {moved:?}");
        assert!((new_top - first.outline.expect("found")[0][1] - 30.0).abs() < 10.0, "{first:?} {moved:?}");
        // A fresh measure of the held frame finds the outline the analyser kept.
        assert_eq!(measure(&synthetic_page(1280, 720, (0, 0)), None).0.outline, first.outline);
    }

    #[test]
    fn the_outline_on_the_smaller_copy_is_within_a_few_pixels_of_the_one_at_analysis_size() {
        for (offset, size) in [((0, 0), (1280, 720)), ((37, -21), (1280, 720)), ((-50, 30), (1920, 1080))] {
            let frame = synthetic_page(size.0, size.1, offset);
            let reduced = ReducedFrame::of(&frame).expect("a frame with pixels");
            let found = reduced.outline().expect("a page on a dark table");
            let at_analysis_size = find_page(&reduced.colour).expect("large enough");
            assert!(!at_analysis_size.whole_image);
            for (corner, reference) in found.iter().zip(at_analysis_size.corners) {
                let reference = reference.map(|v| v * reduced.scale);
                let distance = (corner[0] - reference[0]).hypot(corner[1] - reference[1]);
                assert!(distance <= 4.0 * reduced.scale / 2.0, "{found:?} against {reference:?} at {size:?}");
            }
        }
    }

    #[test]
    fn the_rule_fires_after_enough_good_frames_and_not_before() {
        let good = FrameQuality {
            width: 10,
            height: 10,
            sharpness: MIN_SHARPNESS * 2.0,
            glare: 0.0,
            glare_region: None,
            stillness: Some(0.5),
            outline: None,
        };
        let mut rule = AutoCapture::default();
        for _ in 1..STILL_FRAMES {
            assert!(!rule.observe(&good));
        }
        let blurred = FrameQuality { sharpness: MIN_SHARPNESS / 2.0, ..good.clone() };
        assert!(!rule.observe(&blurred), "a blurred frame breaks the run");
        assert_eq!(rule.run(), 0);
        let glare = FrameQuality { glare: MAX_GLARE * 2.0, ..good.clone() };
        let moving = FrameQuality { stillness: Some(MAX_MOTION * 2.0), ..good.clone() };
        assert!(!glare.acceptable(&rule.rule) && !moving.acceptable(&rule.rule));
        let fired: Vec<bool> = (0..STILL_FRAMES).map(|_| rule.observe(&good)).collect();
        assert_eq!(fired.iter().filter(|f| **f).count(), 1);
        assert!(fired[STILL_FRAMES as usize - 1]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn the_reduction_is_the_thumbnail_for_any_size(
            width in 1u32..300,
            height in 1u32..300,
            side in 1u32..120,
            seed in any::<u32>(),
        ) {
            let frame = noise_frame(width, height, seed);
            let (w, h) = reduced_size(width, height, side);
            let expected = if width.max(height) <= side { frame.clone() } else { image::imageops::thumbnail(&frame, w, h) };
            prop_assert!(reduce(&frame, side) == expected, "{}×{} to {}", width, height, side);
        }

        #[test]
        fn frame_quality_never_panics_on_any_size_or_content(
            width in prop_oneof![Just(0u32), Just(1u32), 1u32..40, Just(3000u32)],
            height in prop_oneof![Just(0u32), Just(1u32), 1u32..40, Just(2u32)],
            seed in any::<u32>(),
            flat in any::<bool>(),
        ) {
            let mut state = seed | 1;
            let frame = RgbImage::from_fn(width, height, |_, _| {
                if flat { return Rgb([255, 255, 255]); }
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                Rgb([state as u8, (state >> 8) as u8, (state >> 16) as u8])
            });
            let mut analyser = FrameAnalyser::new();
            let first = analyser.analyse(&frame);
            let second = analyser.analyse(&frame);
            prop_assert!(first.sharpness.is_finite() && first.sharpness >= 0.0);
            prop_assert!((0.0..=1.0).contains(&second.glare));
            if width > 0 && height > 0 {
                prop_assert_eq!(second.stillness, Some(0.0));
            }
        }
    }
}
