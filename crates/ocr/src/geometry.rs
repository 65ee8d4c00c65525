//! Small geometry helpers: points, plane homographies and bilinear sampling of
//! grey images. Kept here so the reader needs no OpenCV.

use image::GrayImage;
use serde::Serialize;

/// A point in image pixels (x to the right, y down).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Point {
    /// Horizontal position.
    pub x: f32,
    /// Vertical position.
    pub y: f32,
}

impl Point {
    /// A point from its coordinates.
    pub fn new(x: f32, y: f32) -> Point {
        Point { x, y }
    }
}

/// A plane projective transform between image points (the one of
/// `tdverify_core::geometry`, in the reader's `Point`s).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Homography(tdverify_core::geometry::Homography);

impl Homography {
    /// The transform taking each `from[i]` to `to[i]`; `None` when the four
    /// points are degenerate (three in a line, repeated points).
    pub fn from_points(from: &[Point; 4], to: &[Point; 4]) -> Option<Homography> {
        let plain = |points: &[Point; 4]| points.map(|p| [f64::from(p.x), f64::from(p.y)]);
        tdverify_core::geometry::Homography::from_points(plain(from), plain(to)).map(Homography)
    }

    /// Applies the transform to a point (not a number on the horizon).
    pub fn apply(&self, p: Point) -> Point {
        match self.0.map(f64::from(p.x), f64::from(p.y)) {
            Some((x, y)) => Point::new(x as f32, y as f32),
            None => Point::new(f32::NAN, f32::NAN),
        }
    }
}

/// Grey value at a sub-pixel position (pixel centres at integer + 0.5);
/// outside the image counts as `outside`.
pub fn sample_bilinear(image: &GrayImage, x: f32, y: f32, outside: f32) -> f32 {
    let (w, h) = (image.width() as i64, image.height() as i64);
    if !x.is_finite() || !y.is_finite() {
        return outside;
    }
    let fx = x - 0.5;
    let fy = y - 0.5;
    let x0 = fx.floor();
    let y0 = fy.floor();
    let ax = fx - x0;
    let ay = fy - y0;
    let (x0, y0) = (x0 as i64, y0 as i64);
    let pixel = |xx: i64, yy: i64| -> f32 {
        if xx < 0 || yy < 0 || xx >= w || yy >= h {
            outside
        } else {
            image.as_raw()[(yy * w + xx) as usize] as f32
        }
    };
    let top = pixel(x0, y0) * (1.0 - ax) + pixel(x0 + 1, y0) * ax;
    let bottom = pixel(x0, y0 + 1) * (1.0 - ax) + pixel(x0 + 1, y0 + 1) * ax;
    top * (1.0 - ay) + bottom * ay
}

/// Warps the quadrilateral `corners` (top-left, top-right, bottom-right,
/// bottom-left in `source` pixels) onto an upright `width` x `height` image.
/// Returns the warped image and the homography from warped to source pixels.
pub fn warp_quad(source: &GrayImage, corners: &[Point; 4], width: u32, height: u32) -> Option<(GrayImage, Homography)> {
    let (w, h) = (width as f32, height as f32);
    let rect = [Point::new(0.0, 0.0), Point::new(w, 0.0), Point::new(w, h), Point::new(0.0, h)];
    let to_source = Homography::from_points(&rect, corners)?;
    let mut out = GrayImage::new(width, height);
    for (x, y, pixel) in out.enumerate_pixels_mut() {
        let p = to_source.apply(Point::new(x as f32 + 0.5, y as f32 + 0.5));
        pixel.0[0] = sample_bilinear(source, p.x, p.y, 255.0).round().clamp(0.0, 255.0) as u8;
    }
    Some((out, to_source))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn homography_maps_its_four_points() {
        let from = [Point::new(0.0, 0.0), Point::new(100.0, 0.0), Point::new(100.0, 50.0), Point::new(0.0, 50.0)];
        let to = [Point::new(10.0, 5.0), Point::new(120.0, 15.0), Point::new(115.0, 70.0), Point::new(5.0, 60.0)];
        let h = Homography::from_points(&from, &to).expect("non-degenerate");
        for (f, t) in from.iter().zip(to.iter()) {
            let p = h.apply(*f);
            assert!((p.x - t.x).abs() < 1e-3 && (p.y - t.y).abs() < 1e-3, "{p:?} vs {t:?}");
        }
    }

    #[test]
    fn degenerate_points_give_none() {
        let p = Point::new(1.0, 1.0);
        assert!(Homography::from_points(&[p; 4], &[p; 4]).is_none());
    }

    #[test]
    fn sampling_outside_is_the_fill_value() {
        let img = GrayImage::from_pixel(4, 4, image::Luma([10]));
        assert_eq!(sample_bilinear(&img, -5.0, 2.0, 255.0), 255.0);
        assert_eq!(sample_bilinear(&img, 2.0, 2.0, 255.0), 10.0);
        assert_eq!(sample_bilinear(&img, f32::NAN, 2.0, 7.0), 7.0);
    }
}
