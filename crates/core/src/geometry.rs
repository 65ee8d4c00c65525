//! The one plane homography of tdverify: the page registration (template
//! millimetres to capture pixels) and the MRZ reader (strip to source pixels)
//! both map points through it.

use serde::Serialize;

/// A 3×3 projective transform, row-major, its last element 1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Homography(pub [f64; 9]);

impl Homography {
    /// The transform taking each `from[i]` to `to[i]`, or `None` when the
    /// points are degenerate (three on a line, a repeated point).
    pub fn from_points(from: [[f64; 2]; 4], to: [[f64; 2]; 4]) -> Option<Homography> {
        // The classic 8×8 system for h11..h32 with h33 = 1.
        let mut a = [[0.0f64; 9]; 8];
        for i in 0..4 {
            let [x, y] = from[i];
            let [u, v] = to[i];
            a[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
            a[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
        }
        let solution = solve_8x8(a)?;
        let mut h = [1.0; 9];
        h[..8].copy_from_slice(&solution);
        h.iter().all(|value| value.is_finite()).then_some(Homography(h))
    }

    /// Maps one point; `None` when it falls on the horizon.
    pub fn map(&self, x: f64, y: f64) -> Option<(f64, f64)> {
        let h = &self.0;
        let w = h[6] * x + h[7] * y + h[8];
        if w.abs() < 1e-12 {
            return None;
        }
        Some(((h[0] * x + h[1] * y + h[2]) / w, (h[3] * x + h[4] * y + h[5]) / w))
    }
}

/// Gaussian elimination with partial pivoting on an 8×9 augmented matrix.
fn solve_8x8(mut a: [[f64; 9]; 8]) -> Option<[f64; 8]> {
    for col in 0..8 {
        let pivot = (col..8).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if !(a[pivot][col].abs() >= 1e-10) {
            return None;
        }
        a.swap(col, pivot);
        for row in 0..8 {
            if row != col {
                let factor = a[row][col] / a[col][col];
                let pivot_row = a[col];
                for (value, pivot_value) in a[row].iter_mut().zip(pivot_row.iter()).skip(col) {
                    *value -= factor * pivot_value;
                }
            }
        }
    }
    let mut x = [0.0; 8];
    for i in 0..8 {
        x[i] = a[i][8] / a[i][i];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn maps_its_four_points_exactly() {
        let from = [[0.0, 0.0], [125.0, 0.0], [125.0, 88.0], [0.0, 88.0]];
        let to = [[103.5, 77.0], [1590.0, 120.25], [1555.0, 1170.0], [80.0, 1101.0]];
        let h = Homography::from_points(from, to).expect("four corners of a page");
        for (source, target) in from.iter().zip(&to) {
            let (x, y) = h.map(source[0], source[1]).expect("on the page");
            assert!((x - target[0]).abs() < 1e-6 && (y - target[1]).abs() < 1e-6, "{source:?} -> {x},{y}");
        }
    }

    #[test]
    fn three_points_on_a_line_have_no_transform() {
        let from = [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [0.0, 5.0]];
        let to = [[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]];
        assert_eq!(Homography::from_points(from, to), None);
        assert_eq!(Homography::from_points(to, to.map(|_| [f64::NAN, 0.0])), None);
    }

    proptest! {
        /// Any input, however wild, gives a transform or `None`, never a panic,
        /// and a transform it gives is finite.
        #[test]
        fn any_points_give_a_finite_transform_or_none(points in proptest::array::uniform8(proptest::array::uniform2(-1e6f64..1e6))) {
            let from = [points[0], points[1], points[2], points[3]];
            let to = [points[4], points[5], points[6], points[7]];
            if let Some(h) = Homography::from_points(from, to) {
                prop_assert!(h.0.iter().all(|v| v.is_finite()));
            }
        }
    }
}
