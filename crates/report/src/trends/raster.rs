//! Paints a [`Scene`] into an RGB image: polygons and lines by an even-odd scanline fill
//! with four sub-scanlines (anti-aliased edges), text with `ab_glyph` from the same
//! TrueType file the PDF embeds, so the PNG and the PDF measure text alike.

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use image::{ImageEncoder, Rgb, RgbImage};

use super::chart::{Anchor, Rgb as Colour, Scene, Shape};
use crate::{ReportError, ReportFont};

/// Sub-scanlines per pixel row.
const SUBSAMPLES: usize = 4;

/// Paints `scene` at `scale` pixels per point on a white background.
pub(crate) fn paint(scene: &Scene, scale: f32, font: &ReportFont) -> Result<RgbImage, ReportError> {
    let glyphs = FontRef::try_from_slice(&font.data)
        .map_err(|e| ReportError::FontParse { path: font.path.clone(), reason: e.to_string() })?;
    let width = (scene.width * scale).round().max(1.0) as u32;
    let height = (scene.height * scale).round().max(1.0) as u32;
    let mut image = RgbImage::from_pixel(width, height, Rgb([255, 255, 255]));
    for shape in &scene.shapes {
        match shape {
            Shape::Rect { x, y, w, h, fill } => {
                let (x0, y0, x1, y1) = (x * scale, y * scale, (x + w) * scale, (y + h) * scale);
                fill_rings(&mut image, &[vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1]]], *fill);
            }
            Shape::Line { points, width, colour } => {
                let half = (width * scale).max(1.0) / 2.0;
                for pair in points.windows(2) {
                    let ([ax, ay], [bx, by]) = (pair[0], pair[1]);
                    let (ax, ay, bx, by) = (ax * scale, ay * scale, bx * scale, by * scale);
                    let length = ((bx - ax).powi(2) + (by - ay).powi(2)).sqrt();
                    if length <= f32::EPSILON {
                        continue;
                    }
                    let (nx, ny) = (-(by - ay) / length * half, (bx - ax) / length * half);
                    let quad = vec![[ax + nx, ay + ny], [bx + nx, by + ny], [bx - nx, by - ny], [ax - nx, ay - ny]];
                    fill_rings(&mut image, &[quad], *colour);
                }
            }
            Shape::Polygon { rings, fill, outline } => {
                let scaled: Vec<Vec<[f32; 2]>> =
                    rings.iter().map(|ring| ring.iter().map(|[x, y]| [x * scale, y * scale]).collect()).collect();
                fill_rings(&mut image, &scaled, *fill);
                if let Some((colour, width)) = outline {
                    let half = (width * scale).max(0.6) / 2.0;
                    for ring in &scaled {
                        for (index, a) in ring.iter().enumerate() {
                            let b = ring[(index + 1) % ring.len()];
                            let length = ((b[0] - a[0]).powi(2) + (b[1] - a[1]).powi(2)).sqrt();
                            if length <= f32::EPSILON {
                                continue;
                            }
                            let (nx, ny) = (-(b[1] - a[1]) / length * half, (b[0] - a[0]) / length * half);
                            let quad = vec![
                                [a[0] + nx, a[1] + ny],
                                [b[0] + nx, b[1] + ny],
                                [b[0] - nx, b[1] - ny],
                                [a[0] - nx, a[1] - ny],
                            ];
                            fill_rings(&mut image, &[quad], *colour);
                        }
                    }
                }
            }
            Shape::Text { x, y, size, colour, text, anchor } => {
                draw_text(&mut image, &glyphs, [x * scale, y * scale], size * scale, *colour, text, *anchor);
            }
        }
    }
    Ok(image)
}

/// Encodes an RGB image as PNG.
pub(crate) fn encode_png(image: &RgbImage) -> Result<Vec<u8>, ReportError> {
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(image.as_raw(), image.width(), image.height(), image::ExtendedColorType::Rgb8)
        .map_err(|e| ReportError::Image { reason: e.to_string() })?;
    Ok(out)
}

fn blend(image: &mut RgbImage, x: i64, y: i64, colour: Colour, coverage: f32) {
    if x < 0 || y < 0 || x >= i64::from(image.width()) || y >= i64::from(image.height()) || coverage <= 0.0 {
        return;
    }
    let a = coverage.min(1.0);
    let pixel = image.get_pixel_mut(x as u32, y as u32);
    for (channel, target) in pixel.0.iter_mut().zip(colour) {
        *channel = (*channel as f32 * (1.0 - a) + target as f32 * a).round() as u8;
    }
}

/// Fills the rings together with the even-odd rule.
fn fill_rings(image: &mut RgbImage, rings: &[Vec<[f32; 2]>], colour: Colour) {
    let (mut min_y, mut max_y, mut min_x, mut max_x) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
    for &[x, y] in rings.iter().flatten() {
        if !x.is_finite() || !y.is_finite() {
            return;
        }
        (min_y, max_y, min_x, max_x) = (min_y.min(y), max_y.max(y), min_x.min(x), max_x.max(x));
    }
    let (width, height) = (image.width() as f32, image.height() as f32);
    if min_y > max_y || max_y < 0.0 || min_y >= height || max_x < 0.0 || min_x >= width {
        return;
    }
    let first_row = min_y.max(0.0).floor() as i64;
    let last_row = max_y.min(height - 1.0).ceil() as i64;
    let left = min_x.max(0.0).floor() as i64;
    let right = max_x.min(width - 1.0).ceil() as i64;
    let span = (right - left + 1).max(0) as usize;
    let mut coverage = vec![0.0f32; span + 1];
    let mut crossings: Vec<f32> = Vec::new();
    for row in first_row..=last_row {
        coverage.iter_mut().for_each(|c| *c = 0.0);
        for sub in 0..SUBSAMPLES {
            let sy = row as f32 + (sub as f32 + 0.5) / SUBSAMPLES as f32;
            crossings.clear();
            for ring in rings {
                for (index, a) in ring.iter().enumerate() {
                    let b = ring[(index + 1) % ring.len()];
                    if (a[1] <= sy) != (b[1] <= sy) {
                        crossings.push(a[0] + (sy - a[1]) / (b[1] - a[1]) * (b[0] - a[0]));
                    }
                }
            }
            crossings.sort_by(f32::total_cmp);
            for pair in crossings.chunks_exact(2) {
                let (x0, x1) = ((pair[0] - left as f32).max(0.0), (pair[1] - left as f32).min(span as f32));
                if x1 <= x0 {
                    continue;
                }
                let (i0, i1) = (x0.floor() as usize, x1.floor() as usize);
                let weight = 1.0 / SUBSAMPLES as f32;
                if i0 == i1 {
                    coverage[i0] += (x1 - x0) * weight;
                } else {
                    coverage[i0] += (i0 as f32 + 1.0 - x0) * weight;
                    for c in &mut coverage[i0 + 1..i1] {
                        *c += weight;
                    }
                    if i1 < coverage.len() {
                        coverage[i1] += (x1 - i1 as f32) * weight;
                    }
                }
            }
        }
        for (offset, c) in coverage.iter().enumerate().take(span) {
            blend(image, left + offset as i64, row, colour, *c);
        }
    }
}

fn draw_text(
    image: &mut RgbImage,
    font: &FontRef,
    [x, baseline]: [f32; 2],
    size: f32,
    colour: Colour,
    text: &str,
    anchor: Anchor,
) {
    let units = font.units_per_em().unwrap_or(1000.0);
    let scale = PxScale::from(size * font.height_unscaled() / units);
    let scaled = font.as_scaled(scale);
    let width: f32 = text.chars().map(|c| scaled.h_advance(font.glyph_id(c))).sum();
    let mut pen = match anchor {
        Anchor::Start => x,
        Anchor::Middle => x - width / 2.0,
        Anchor::End => x - width,
    };
    for character in text.chars() {
        let id = font.glyph_id(character);
        let glyph = id.with_scale_and_position(scale, point(pen, baseline));
        if let Some(outline) = font.outline_glyph(glyph) {
            let bounds = outline.px_bounds();
            outline.draw(|gx, gy, coverage| {
                blend(
                    image,
                    bounds.min.x as i64 + i64::from(gx),
                    bounds.min.y as i64 + i64::from(gy),
                    colour,
                    coverage,
                );
            });
        }
        pen += scaled.h_advance(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_even_odd_fill_leaves_the_hole_white() {
        let mut image = RgbImage::from_pixel(40, 40, Rgb([255, 255, 255]));
        let outer = vec![[0.0, 0.0], [40.0, 0.0], [40.0, 40.0], [0.0, 40.0]];
        let hole = vec![[10.0, 10.0], [30.0, 10.0], [30.0, 30.0], [10.0, 30.0]];
        fill_rings(&mut image, &[outer, hole], [0, 0, 0]);
        assert_eq!(image.get_pixel(5, 5).0, [0, 0, 0]);
        assert_eq!(image.get_pixel(20, 20).0, [255, 255, 255]);
    }

    #[test]
    fn shapes_off_the_image_or_not_finite_are_skipped() {
        let mut image = RgbImage::from_pixel(10, 10, Rgb([255, 255, 255]));
        fill_rings(&mut image, &[vec![[-50.0, -50.0], [-40.0, -50.0], [-40.0, -40.0]]], [0, 0, 0]);
        fill_rings(&mut image, &[vec![[f32::NAN, 0.0], [5.0, 5.0], [0.0, 5.0]]], [0, 0, 0]);
        assert!(image.pixels().all(|p| p.0 == [255, 255, 255]));
    }
}
