//! Reading the value printed in one VIZ zone.
//!
//! The zone is resampled from the original capture through the page
//! registration at [`READ_PX_PER_MM`] (twice the rectified page's resolution:
//! VIZ capitals are 1.2 to 2.5 mm tall and need about 20 pixels to be told
//! apart). Ink is measured on the brightest channel, so coloured guilloche
//! lines and labels stay lighter than the dark personal data. The value is the
//! tallest line of text in the lower part of the zone (the label sits above
//! it, smaller); each glyph of that line is cut out by connected components
//! and scored against the prototypes of [`super::glyphs`].

use image::RgbImage;

use super::glyphs::{Classified, GlyphSet, Shape};
use crate::reference::RectMm;
use crate::register::{Registration, bilinear};

/// Resolution of the resampled zone, in pixels per millimetre.
pub const READ_PX_PER_MM: f32 = 16.0;

/// Margin added around the template zone, in mm: print is never exactly in its box.
const MARGIN_MM: f32 = 0.6;

/// Smallest value line, in mm: below it the text is a label or noise.
const MIN_LINE_MM: f32 = 0.9;

/// Least contrast (0–255) between paper and darkest ink for a zone to hold print.
const MIN_CONTRAST: f32 = 60.0;

/// A zone resampled upright: the brightest channel of each pixel.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneImage {
    /// The page area sampled, in mm (the zone plus a margin).
    pub rect: RectMm,
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// Row-major brightest-channel values, 0–255.
    pub value: Vec<f32>,
}

impl ZoneImage {
    /// Resamples a template zone (plus a margin, clipped to the page) from a
    /// capture through its registration. `None` for an empty capture.
    pub fn sample(
        image: &RgbImage,
        registration: &Registration,
        zone: &RectMm,
        page_w_mm: f32,
        page_h_mm: f32,
    ) -> Option<ZoneImage> {
        let (iw, ih) = image.dimensions();
        if iw == 0 || ih == 0 {
            return None;
        }
        let x0 = (zone.x - MARGIN_MM).max(0.0);
        let y0 = (zone.y - MARGIN_MM).max(0.0);
        let x1 = (zone.right() + MARGIN_MM).min(page_w_mm);
        let y1 = (zone.bottom() + MARGIN_MM).min(page_h_mm);
        if !(x1 > x0 && y1 > y0) {
            return None;
        }
        let rect = RectMm {
            x: x0,
            y: y0,
            w: x1 - x0,
            h: y1 - y0,
        };
        let width = ((rect.w * READ_PX_PER_MM).round() as usize).clamp(1, 4096);
        let height = ((rect.h * READ_PX_PER_MM).round() as usize).clamp(1, 1024);
        let mut value = Vec::with_capacity(width * height);
        for v in 0..height {
            let y_mm = f64::from(rect.y) + (v as f64 + 0.5) / f64::from(READ_PX_PER_MM);
            for u in 0..width {
                let x_mm = f64::from(rect.x) + (u as f64 + 0.5) / f64::from(READ_PX_PER_MM);
                let pixel = match registration.homography.map(x_mm, y_mm) {
                    Some((px, py)) => bilinear(image, iw, ih, px as f32 - 0.5, py as f32 - 0.5),
                    None => [0, 0, 0],
                };
                value.push(f32::from(pixel[0].max(pixel[1]).max(pixel[2])));
            }
        }
        Some(ZoneImage {
            rect,
            width,
            height,
            value,
        })
    }

    /// A zone image from grey values (tests, other sources); `None` when the
    /// sizes do not match.
    pub fn from_values(
        rect: RectMm,
        width: usize,
        height: usize,
        value: Vec<f32>,
    ) -> Option<ZoneImage> {
        (width > 0 && height > 0 && value.len() == width * height).then_some(ZoneImage {
            rect,
            width,
            height,
            value,
        })
    }
}

/// Why a zone could not be read. Never a sign of fraud: the checks report it
/// as inconclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Unreadable {
    /// Nothing darker than the paper in the zone.
    #[error("no print found in the zone")]
    NoInk,
    /// Print, but no line of text tall enough for a value.
    #[error("no line of text found where the value should be")]
    NoTextLine,
    /// A text line without recognisable characters.
    #[error("no character could be recognised")]
    NoGlyphs,
}

/// One recognised glyph of a value line.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadGlyph {
    /// Scores against every character.
    pub class: Classified,
    /// Left edge in zone pixels.
    pub x0: usize,
    /// Right edge (exclusive) in zone pixels.
    pub x1: usize,
    /// A word space precedes it.
    pub space_before: bool,
    /// How dark its ink is against the zone's paper, relative to the zone's
    /// darkest print (1: as dark as the rest; well below: faded, or washed
    /// out by glare, so its shape is not to be trusted).
    pub ink_contrast: f32,
}

/// The value line of a zone as read.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneReading {
    /// The glyphs, left to right (letters and digits only).
    pub glyphs: Vec<ReadGlyph>,
    /// The text as read, with word spaces.
    pub text: String,
    /// Mean glyph score (about 0.9 clean print, below 0.6 doubtful).
    pub confidence: f32,
    /// Where the value line is on the page, mm.
    pub line_mm: RectMm,
    /// Height of the line's capitals, mm.
    pub cap_height_mm: f32,
}

/// A connected piece of ink.
#[derive(Debug, Clone, Copy)]
struct Blob {
    x0: usize,
    x1: usize,
    y0: usize,
    y1: usize,
    label: u32,
}

/// Reads the value line of a zone.
pub fn read_zone(set: &GlyphSet, zone: &ZoneImage) -> Result<ZoneReading, Unreadable> {
    let (w, h) = (zone.width, zone.height);
    let mut sorted = zone.value.clone();
    sorted.sort_by(f32::total_cmp);
    let at = |p: f32| {
        sorted
            .get(((sorted.len().saturating_sub(1)) as f32 * p) as usize)
            .copied()
            .unwrap_or(0.0)
    };
    let (paper, ink) = (at(0.8), at(0.005));
    if paper - ink < MIN_CONTRAST {
        return Err(Unreadable::NoInk);
    }
    let coverage: Vec<f32> = zone
        .value
        .iter()
        .map(|v| ((paper - v) / (paper - ink)).clamp(0.0, 1.0))
        .collect();
    let mask: Vec<bool> = coverage.iter().map(|&c| c > 0.5).collect();

    // Text lines from the row profile; the value is the tallest in the lower part.
    let min_row = 2.max(w / 200);
    let rows: Vec<bool> = (0..h)
        .map(|y| mask[y * w..(y + 1) * w].iter().filter(|&&m| m).count() >= min_row)
        .collect();
    let mut bands: Vec<(usize, usize)> = Vec::new();
    for (y, &text) in rows.iter().enumerate() {
        if !text {
            continue;
        }
        match bands.last_mut() {
            Some(last) if y <= last.1 + 2 => last.1 = y + 1,
            _ => bands.push((y, y + 1)),
        }
    }
    let min_line = (MIN_LINE_MM * READ_PX_PER_MM) as usize;
    let (top, bottom) = bands
        .iter()
        .copied()
        .filter(|&(t, b)| b - t >= min_line && (t + b) as f32 / 2.0 > 0.4 * h as f32)
        .max_by_key(|&(t, b)| (b - t, b))
        .ok_or(Unreadable::NoTextLine)?;

    // Connected components of the band's ink (8-connected).
    let mut labels = vec![0u32; w * h];
    let mut blobs: Vec<Blob> = Vec::new();
    let mut stack = Vec::new();
    for y in top..bottom {
        for x in 0..w {
            if !mask[y * w + x] || labels[y * w + x] != 0 {
                continue;
            }
            let label = blobs.len() as u32 + 1;
            let mut blob = Blob {
                x0: x,
                x1: x + 1,
                y0: y,
                y1: y + 1,
                label,
            };
            let mut area = 0usize;
            labels[y * w + x] = label;
            stack.push((x, y));
            while let Some((cx, cy)) = stack.pop() {
                area += 1;
                blob.x0 = blob.x0.min(cx);
                blob.x1 = blob.x1.max(cx + 1);
                blob.y0 = blob.y0.min(cy);
                blob.y1 = blob.y1.max(cy + 1);
                for ny in cy.saturating_sub(1)..=(cy + 1).min(bottom - 1) {
                    for nx in cx.saturating_sub(1)..=(cx + 1).min(w - 1) {
                        let i = ny * w + nx;
                        if ny >= top && mask[i] && labels[i] == 0 {
                            labels[i] = label;
                            stack.push((nx, ny));
                        }
                    }
                }
            }
            if area >= 4 {
                blobs.push(blob);
            } else {
                // Too small to be print: forget it (its pixels keep a label no glyph uses).
                blobs.push(Blob {
                    x0: 0,
                    x1: 0,
                    y0: 0,
                    y1: 0,
                    label,
                });
            }
        }
    }
    let line_h = (bottom - top) as f32;
    let mut pieces: Vec<(Blob, Vec<u32>)> = blobs
        .into_iter()
        .filter(|b| b.x1 > b.x0)
        .map(|b| (b, vec![b.label]))
        .collect();
    pieces.sort_by_key(|(b, _)| b.x0);
    // Pieces stacked over one another (accents, broken strokes) make one glyph.
    let mut glyphs: Vec<(Blob, Vec<u32>)> = Vec::new();
    for (blob, members) in pieces {
        if let Some((last, last_members)) = glyphs.last_mut() {
            let overlap = last.x1.min(blob.x1).saturating_sub(last.x0.max(blob.x0));
            let narrower = (last.x1 - last.x0).min(blob.x1 - blob.x0).max(1);
            if overlap * 2 >= narrower {
                last.x0 = last.x0.min(blob.x0);
                last.x1 = last.x1.max(blob.x1);
                last.y0 = last.y0.min(blob.y0);
                last.y1 = last.y1.max(blob.y1);
                last_members.extend(members);
                continue;
            }
        }
        glyphs.push((blob, members));
    }

    // The capitals' top: accents above it (É, Ö, Å) are left out of the shapes,
    // since the MRZ spells those letters without them.
    let mut tops: Vec<usize> = glyphs
        .iter()
        .filter(|(b, _)| (b.y1 - b.y0) as f32 >= 0.5 * line_h)
        .map(|(b, _)| b.y0)
        .collect();
    tops.sort_unstable();
    let cap_top = tops
        .get(tops.len() / 2)
        .copied()
        .unwrap_or(top)
        .saturating_sub(1)
        .max(top);
    let shape_of = |x0: usize, x1: usize, members: &[u32]| -> Option<Shape> {
        let gw = x1.saturating_sub(x0);
        let gh = bottom - cap_top;
        let mut cells = vec![0f32; gw * gh];
        for y in cap_top..bottom {
            for x in x0..x1 {
                if members.contains(&labels[y * w + x]) {
                    cells[(y - cap_top) * gw + (x - x0)] = coverage[y * w + x];
                }
            }
        }
        Shape::from_coverage(&cells, gw, gh)
    };
    let mut read: Vec<ReadGlyph> = Vec::new();
    let mut previous_x1: Option<usize> = None;
    for (blob, members) in &glyphs {
        let height = (blob.y1 - blob.y0) as f32;
        if height < 0.45 * line_h {
            // Punctuation (dots, hyphens) or noise: not a letter or digit.
            continue;
        }
        let width = (blob.x1 - blob.x0) as f32;
        if width > 4.5 * line_h {
            // Far wider than any run of touching characters: a rule or pattern, not text.
            continue;
        }
        let mut parts = vec![(blob.x0, blob.x1)];
        // A glyph much wider than tall is probably two touching characters.
        if width > 1.2 * line_h {
            parts = split_touching(set, blob.x0, blob.x1, line_h, &|a, b| {
                shape_of(a, b, members)
            });
        }
        for (x0, x1) in parts {
            let Some(shape) = shape_of(x0, x1, members) else {
                continue;
            };
            let class = set.classify(&shape);
            let space_before =
                previous_x1.is_some_and(|p| x0.saturating_sub(p) as f32 > 0.38 * line_h);
            previous_x1 = Some(x1);
            let ink_contrast = glyph_ink_contrast(zone, x0, x1, top, bottom, paper, ink);
            read.push(ReadGlyph {
                class,
                x0,
                x1,
                space_before,
                ink_contrast,
            });
        }
    }
    if read.is_empty() {
        return Err(Unreadable::NoGlyphs);
    }
    let mut text = String::new();
    for glyph in &read {
        if glyph.space_before {
            text.push(' ');
        }
        text.push(glyph.class.best);
    }
    let confidence = read.iter().map(|g| g.class.score).sum::<f32>() / read.len() as f32;
    let first = read.first().map(|g| g.x0).unwrap_or(0);
    let last = read.last().map(|g| g.x1).unwrap_or(w);
    let s = READ_PX_PER_MM;
    let line_mm = RectMm {
        x: zone.rect.x + first as f32 / s,
        y: zone.rect.y + top as f32 / s,
        w: (last.saturating_sub(first)).max(1) as f32 / s,
        h: line_h / s,
    };
    Ok(ZoneReading {
        glyphs: read,
        text,
        confidence,
        line_mm,
        cap_height_mm: line_h / s,
    })
}

/// The glyph box's darkest ink (its 5th percentile) against the zone's paper,
/// as a fraction of the zone's full paper-to-ink range.
fn glyph_ink_contrast(
    zone: &ZoneImage,
    x0: usize,
    x1: usize,
    top: usize,
    bottom: usize,
    paper: f32,
    ink: f32,
) -> f32 {
    let mut values: Vec<f32> = (top..bottom)
        .flat_map(|y| (x0..x1).map(move |x| (x, y)))
        .filter_map(|(x, y)| zone.value.get(y * zone.width + x).copied())
        .collect();
    if values.is_empty() || paper <= ink {
        return 0.0;
    }
    values.sort_by(f32::total_cmp);
    let dark = values[(values.len() - 1) / 20];
    ((paper - dark) / (paper - ink)).clamp(0.0, 1.0)
}

/// Splits a wide piece at the thinnest column when the halves read better than
/// the whole (touching characters), recursively up to four characters.
fn split_touching(
    set: &GlyphSet,
    x0: usize,
    x1: usize,
    line_h: f32,
    shape_of: &dyn Fn(usize, usize) -> Option<Shape>,
) -> Vec<(usize, usize)> {
    fn go(
        set: &GlyphSet,
        x0: usize,
        x1: usize,
        line_h: f32,
        depth: u32,
        shape_of: &dyn Fn(usize, usize) -> Option<Shape>,
    ) -> Vec<(usize, usize)> {
        let width = x1 - x0;
        let whole = shape_of(x0, x1)
            .map(|s| set.classify(&s).score)
            .unwrap_or(-1.0);
        if depth >= 3 || (width as f32) < 0.9 * line_h {
            return vec![(x0, x1)];
        }
        // Candidate cuts in the middle half; keep the one whose halves read best.
        let mut best: Option<(f32, usize)> = None;
        let step = (width / 16).max(1);
        let mut cut = x0 + width / 4;
        while cut < x0 + 3 * width / 4 {
            let left = shape_of(x0, cut).map(|s| set.classify(&s).score);
            let right = shape_of(cut, x1).map(|s| set.classify(&s).score);
            if let (Some(l), Some(r)) = (left, right) {
                let mean = (l + r) / 2.0;
                if best.is_none_or(|b| mean > b.0) {
                    best = Some((mean, cut));
                }
            }
            cut += step;
        }
        match best {
            Some((mean, cut)) if mean > whole + 0.05 => {
                let mut parts = go(set, x0, cut, line_h, depth + 1, shape_of);
                parts.extend(go(set, cut, x1, line_h, depth + 1, shape_of));
                parts
            }
            _ => vec![(x0, x1)],
        }
    }
    go(set, x0, x1, line_h, 0, shape_of)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any pixels (noise, blank, stripes, one pixel) give a reading or a
        /// reason it is unreadable, never a panic.
        #[test]
        fn any_zone_reads_or_says_why(width in 1usize..120, height in 1usize..60, seed in any::<u64>(), levels in 1u8..4) {
            let mut state = seed | 1;
            let value: Vec<f32> = (0..width * height)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    f32::from((state % u64::from(levels + 1)) as u8) * 255.0 / f32::from(levels)
                })
                .collect();
            let zone = ZoneImage { rect: RectMm { x: 0.0, y: 0.0, w: 10.0, h: 5.0 }, width, height, value };
            if let Ok(set) = GlyphSet::shared()
                && let Ok(reading) = read_zone(set, &zone)
            {
                prop_assert!(!reading.glyphs.is_empty());
                prop_assert!(reading.glyphs.iter().all(|g| (0.0..=1.0).contains(&g.ink_contrast)));
            }
        }
    }
}
