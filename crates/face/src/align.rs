//! Alignment: a similarity transform (rotation, uniform scale, shift) that
//! maps the five landmarks onto the standard 112×112 template used to train
//! ArcFace-family and MobileFaceNet embeddings, then bilinear resampling.

use image::{Rgb, RgbImage};

use crate::detect::{Landmarks, Point};

/// Side of the aligned crop in pixels.
pub const ALIGNED_SIZE: u32 = 112;

/// Where the five landmarks sit in a 112×112 aligned face (the InsightFace
/// template: left eye, right eye, nose, left and right mouth corner).
pub const TEMPLATE_112: [Point; 5] = [
    Point {
        x: 38.2946,
        y: 51.6963,
    },
    Point {
        x: 73.5318,
        y: 51.5014,
    },
    Point {
        x: 56.0252,
        y: 71.7366,
    },
    Point {
        x: 41.5493,
        y: 92.3655,
    },
    Point {
        x: 70.7299,
        y: 92.2041,
    },
];

/// `x' = a·x − b·y + tx`, `y' = b·x + a·y + ty`: rotation and uniform scale plus a shift.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Similarity {
    /// scale·cos(angle).
    pub a: f32,
    /// scale·sin(angle).
    pub b: f32,
    /// Shift in x.
    pub tx: f32,
    /// Shift in y.
    pub ty: f32,
}

impl Similarity {
    /// Applies the transform to a point.
    pub fn apply(&self, p: Point) -> Point {
        Point {
            x: self.a * p.x - self.b * p.y + self.tx,
            y: self.b * p.x + self.a * p.y + self.ty,
        }
    }

    /// The inverse transform, or `None` when the scale is zero (degenerate landmarks).
    pub fn inverse(&self) -> Option<Similarity> {
        let norm = self.a * self.a + self.b * self.b;
        if !norm.is_finite() || norm < 1e-12 {
            return None;
        }
        let (a, b) = (self.a / norm, -self.b / norm);
        Some(Similarity {
            a,
            b,
            tx: -(a * self.tx - b * self.ty),
            ty: -(b * self.tx + a * self.ty),
        })
    }

    /// Uniform scale factor.
    pub fn scale(&self) -> f32 {
        self.a.hypot(self.b)
    }

    /// Least-squares similarity mapping `from` onto `to` (Umeyama's method in 2-D,
    /// which has a closed form), or `None` when `from` has no spread.
    pub fn estimate(from: &[Point], to: &[Point]) -> Option<Similarity> {
        let n = from.len().min(to.len());
        if n < 2 {
            return None;
        }
        let mean = |points: &[Point]| {
            let (sx, sy) = points
                .iter()
                .take(n)
                .fold((0.0, 0.0), |(sx, sy), p| (sx + p.x, sy + p.y));
            Point {
                x: sx / n as f32,
                y: sy / n as f32,
            }
        };
        let (mf, mt) = (mean(from), mean(to));
        let (mut dot, mut cross, mut variance) = (0.0f32, 0.0f32, 0.0f32);
        for (p, q) in from.iter().zip(to.iter()).take(n) {
            let (px, py, qx, qy) = (p.x - mf.x, p.y - mf.y, q.x - mt.x, q.y - mt.y);
            dot += px * qx + py * qy;
            cross += px * qy - py * qx;
            variance += px * px + py * py;
        }
        if !variance.is_finite() || variance < 1e-6 {
            return None;
        }
        let (a, b) = (dot / variance, cross / variance);
        Some(Similarity {
            a,
            b,
            tx: mt.x - (a * mf.x - b * mf.y),
            ty: mt.y - (b * mf.x + a * mf.y),
        })
    }
}

/// The transform from image pixels to the aligned crop for these landmarks.
pub fn alignment_transform(landmarks: &Landmarks) -> Option<Similarity> {
    Similarity::estimate(&landmarks.points(), &TEMPLATE_112)
}

/// Cuts the 112×112 aligned face out of `image`; pixels outside the image are black.
/// `None` when the landmarks are degenerate.
pub fn align_face(image: &RgbImage, landmarks: &Landmarks) -> Option<RgbImage> {
    let to_source = alignment_transform(landmarks)?.inverse()?;
    let (width, height) = image.dimensions();
    let sample = |x: i64, y: i64| -> [f32; 3] {
        if x < 0 || y < 0 || x >= i64::from(width) || y >= i64::from(height) {
            return [0.0; 3];
        }
        let Rgb(p) = *image.get_pixel(x as u32, y as u32);
        [f32::from(p[0]), f32::from(p[1]), f32::from(p[2])]
    };
    Some(RgbImage::from_fn(ALIGNED_SIZE, ALIGNED_SIZE, |col, row| {
        let source = to_source.apply(Point {
            x: col as f32,
            y: row as f32,
        });
        let (x0, y0) = (source.x.floor(), source.y.floor());
        let (fx, fy) = (source.x - x0, source.y - y0);
        let (xi, yi) = (x0 as i64, y0 as i64);
        let (p00, p10, p01, p11) = (
            sample(xi, yi),
            sample(xi + 1, yi),
            sample(xi, yi + 1),
            sample(xi + 1, yi + 1),
        );
        let mut out = [0u8; 3];
        for channel in 0..3 {
            let top = p00[channel] * (1.0 - fx) + p10[channel] * fx;
            let bottom = p01[channel] * (1.0 - fx) + p11[channel] * fx;
            out[channel] = (top * (1.0 - fy) + bottom * fy).round().clamp(0.0, 255.0) as u8;
        }
        Rgb(out)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn landmarks_from(points: [Point; 5]) -> Landmarks {
        Landmarks {
            left_eye: points[0],
            right_eye: points[1],
            nose: points[2],
            mouth_left: points[3],
            mouth_right: points[4],
        }
    }

    #[test]
    fn recovers_a_known_similarity() {
        let truth = Similarity {
            a: 1.5 * 0.3f32.cos(),
            b: 1.5 * 0.3f32.sin(),
            tx: 12.0,
            ty: -7.0,
        };
        let moved: Vec<Point> = TEMPLATE_112.iter().map(|&p| truth.apply(p)).collect();
        let estimated = Similarity::estimate(&TEMPLATE_112, &moved).expect("estimate");
        for (value, expected) in [
            (estimated.a, truth.a),
            (estimated.b, truth.b),
            (estimated.tx, truth.tx),
            (estimated.ty, truth.ty),
        ] {
            assert!((value - expected).abs() < 1e-3, "{value} vs {expected}");
        }
        let back = estimated.inverse().expect("inverse");
        let p = back.apply(truth.apply(Point { x: 3.0, y: 4.0 }));
        assert!((p.x - 3.0).abs() < 1e-3 && (p.y - 4.0).abs() < 1e-3);
    }

    #[test]
    fn degenerate_landmarks_give_none() {
        let same = [Point { x: 5.0, y: 5.0 }; 5];
        assert!(align_face(&RgbImage::new(20, 20), &landmarks_from(same)).is_none());
    }

    #[test]
    fn template_landmarks_align_to_identity_crop() {
        let image = RgbImage::from_fn(112, 112, |x, y| Rgb([x as u8, y as u8, 7]));
        let crop = align_face(&image, &landmarks_from(TEMPLATE_112)).expect("aligned");
        assert_eq!(crop.get_pixel(40, 60), &Rgb([40, 60, 7]));
    }

    proptest! {
        #[test]
        fn random_landmarks_never_panic(coords in proptest::collection::vec(-1e6f32..1e6, 10), w in 1u32..40, h in 1u32..40) {
            let p = |i: usize| Point { x: coords[i], y: coords[i + 5] };
            let landmarks = landmarks_from([p(0), p(1), p(2), p(3), p(4)]);
            let _ = align_face(&RgbImage::new(w, h), &landmarks);
        }
    }
}
