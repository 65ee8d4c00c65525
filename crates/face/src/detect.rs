//! Face detection with five landmarks: the MTCNN cascade (P-Net proposals,
//! R-Net refinement, O-Net boxes and landmarks), after Zhang et al. 2016,
//! with the weights of PyPI `mtcnn` 1.0.0 converted to ONNX.

use image::{DynamicImage, RgbImage, imageops};
use serde::Serialize;
use tdverify_core::Rect;

use crate::error::FaceError;
use crate::model::{Model, Output};

/// A point in pixels of the image it was found in.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Point {
    /// Column in pixels.
    pub x: f32,
    /// Row in pixels.
    pub y: f32,
}

/// The five landmarks, in the order the alignment template uses.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Landmarks {
    /// Eye on the left of the image (the subject's right eye).
    pub left_eye: Point,
    /// Eye on the right of the image.
    pub right_eye: Point,
    /// Tip of the nose.
    pub nose: Point,
    /// Mouth corner on the left of the image.
    pub mouth_left: Point,
    /// Mouth corner on the right of the image.
    pub mouth_right: Point,
}

impl Landmarks {
    /// The five points in template order.
    pub fn points(&self) -> [Point; 5] {
        [
            self.left_eye,
            self.right_eye,
            self.nose,
            self.mouth_left,
            self.mouth_right,
        ]
    }

    /// Distance between the eye centres in pixels: the usual measure of face size (ISO/IEC 19794-5).
    pub fn inter_eye_distance(&self) -> f32 {
        (self.right_eye.x - self.left_eye.x).hypot(self.right_eye.y - self.left_eye.y)
    }
}

/// One detected face.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FaceDetection {
    /// Face box in pixels of the input image.
    pub rect: Rect,
    /// Detector confidence, 0 to 1.
    pub score: f32,
    /// Eye, nose and mouth positions.
    pub landmarks: Landmarks,
}

/// Tuning of the cascade. The defaults suit document portraits and bearer photos.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DetectorConfig {
    /// Images are first shrunk so that their longer side is at most this (speed).
    pub max_side: u32,
    /// Smallest face searched for, in pixels of the shrunk image.
    pub min_face_pixels: f32,
    /// Smallest face searched for, as a fraction of the shrunk image's shorter side.
    pub min_face_fraction: f32,
    /// Pyramid step between scales.
    pub scale_factor: f32,
    /// Face probability needed at each stage (P-Net, R-Net, O-Net).
    pub thresholds: [f32; 3],
}

impl Default for DetectorConfig {
    fn default() -> Self {
        DetectorConfig {
            max_side: 640,
            min_face_pixels: 20.0,
            min_face_fraction: 0.1,
            scale_factor: 0.709,
            thresholds: [0.6, 0.7, 0.7],
        }
    }
}

/// Most candidates passed from one stage to the next (bounds the work on busy images).
const MAX_RNET_CANDIDATES: usize = 1000;
const MAX_ONET_CANDIDATES: usize = 100;

/// The MTCNN cascade.
pub(crate) struct Detector {
    pub pnet: Model,
    pub rnet: Model,
    pub onet: Model,
    pub config: DetectorConfig,
}

/// A candidate box during the cascade, in pixels of the shrunk image.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    x1: f32,
    y1: f32,
    x2: f32,
    y2: f32,
    score: f32,
    landmarks: [f32; 10],
}

impl Candidate {
    fn area(&self) -> f32 {
        (self.x2 - self.x1 + 1.0).max(0.0) * (self.y2 - self.y1 + 1.0).max(0.0)
    }

    fn squared(mut self) -> Candidate {
        let w = self.x2 - self.x1;
        let h = self.y2 - self.y1;
        let side = w.max(h);
        self.x1 += w * 0.5 - side * 0.5;
        self.y1 += h * 0.5 - side * 0.5;
        self.x2 = self.x1 + side;
        self.y2 = self.y1 + side;
        self
    }

    fn regressed(mut self, offsets: &[f32]) -> Candidate {
        let w = self.x2 - self.x1 + 1.0;
        let h = self.y2 - self.y1 + 1.0;
        if let [dx1, dy1, dx2, dy2] = offsets {
            self.x1 += dx1 * w;
            self.y1 += dy1 * h;
            self.x2 += dx2 * w;
            self.y2 += dy2 * h;
        }
        self
    }

    fn is_finite(&self) -> bool {
        [self.x1, self.y1, self.x2, self.y2, self.score]
            .iter()
            .all(|v| v.is_finite())
    }
}

/// An RGB image as normalised floats `(v - 127.5) / 128`, row-major HWC.
struct NormalisedImage {
    width: usize,
    height: usize,
    values: Vec<f32>,
}

impl NormalisedImage {
    fn new(image: &RgbImage) -> NormalisedImage {
        let values = image
            .as_raw()
            .iter()
            .map(|&v| (f32::from(v) - 127.5) / 128.0)
            .collect();
        NormalisedImage {
            width: image.width() as usize,
            height: image.height() as usize,
            values,
        }
    }

    fn pixel(&self, x: isize, y: isize, channel: usize) -> f32 {
        if x < 0 || y < 0 || x as usize >= self.width || y as usize >= self.height {
            return 0.0;
        }
        self.values
            .get((y as usize * self.width + x as usize) * 3 + channel)
            .copied()
            .unwrap_or(0.0)
    }

    /// Bilinear resampling of the box to `size`×`size`, zeros outside the image, appended to `out`.
    fn crop_resized(&self, candidate: &Candidate, size: usize, out: &mut Vec<f32>) {
        let step_x = (candidate.x2 - candidate.x1) / (size as f32 - 1.0);
        let step_y = (candidate.y2 - candidate.y1) / (size as f32 - 1.0);
        for row in 0..size {
            let y = candidate.y1 + row as f32 * step_y;
            let y0 = y.floor();
            let fy = y - y0;
            for col in 0..size {
                let x = candidate.x1 + col as f32 * step_x;
                let x0 = x.floor();
                let fx = x - x0;
                let (xi, yi) = (x0 as isize, y0 as isize);
                for channel in 0..3 {
                    let top = self.pixel(xi, yi, channel) * (1.0 - fx)
                        + self.pixel(xi + 1, yi, channel) * fx;
                    let bottom = self.pixel(xi, yi + 1, channel) * (1.0 - fx)
                        + self.pixel(xi + 1, yi + 1, channel) * fx;
                    out.push(top * (1.0 - fy) + bottom * fy);
                }
            }
        }
    }
}

fn output_with_last_dim<'o>(
    outputs: &'o [Output],
    last: i64,
    model: &str,
) -> Result<&'o Output, FaceError> {
    outputs
        .iter()
        .find(|o| o.shape.last() == Some(&last))
        .ok_or_else(|| FaceError::ModelOutput {
            model: model.to_string(),
            detail: format!("no output with last dimension {last}"),
        })
}

fn intersection_over(a: &Candidate, b: &Candidate, by_min: bool) -> f32 {
    let w = (a.x2.min(b.x2) - a.x1.max(b.x1) + 1.0).max(0.0);
    let h = (a.y2.min(b.y2) - a.y1.max(b.y1) + 1.0).max(0.0);
    let inter = w * h;
    let denominator = if by_min {
        a.area().min(b.area())
    } else {
        a.area() + b.area() - inter
    };
    if denominator <= 0.0 {
        0.0
    } else {
        inter / denominator
    }
}

/// Greedy non-maximum suppression: keeps the best box of every overlapping group.
fn non_maximum_suppression(
    mut candidates: Vec<Candidate>,
    threshold: f32,
    by_min: bool,
) -> Vec<Candidate> {
    candidates.retain(Candidate::is_finite);
    candidates.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut kept: Vec<Candidate> = Vec::new();
    for candidate in candidates {
        if kept
            .iter()
            .all(|k| intersection_over(k, &candidate, by_min) <= threshold)
        {
            kept.push(candidate);
        }
    }
    kept
}

impl Detector {
    /// Finds every face, best score first, in pixels of `image`.
    pub fn detect(&self, image: &DynamicImage) -> Result<Vec<FaceDetection>, FaceError> {
        self.detect_with(image, &self.config)
    }

    /// [`Detector::detect`] with other tuning (a zone known to hold one face).
    pub fn detect_with(&self, image: &DynamicImage, config: &DetectorConfig) -> Result<Vec<FaceDetection>, FaceError> {
        let rgb = image.to_rgb8();
        let (width, height) = rgb.dimensions();
        if width < 12 || height < 12 {
            return Ok(Vec::new());
        }
        let longer = width.max(height);
        let shrink = if longer > config.max_side {
            config.max_side as f32 / longer as f32
        } else {
            1.0
        };
        let small = if shrink < 1.0 {
            let w = ((width as f32 * shrink).round() as u32).max(12);
            let h = ((height as f32 * shrink).round() as u32).max(12);
            imageops::resize(&rgb, w, h, imageops::FilterType::Triangle)
        } else {
            rgb
        };
        let normalised = NormalisedImage::new(&small);
        let proposals = self.propose(config, &small)?;
        let refined = self.refine(config, &normalised, proposals)?;
        let finals = self.output_stage(config, &normalised, refined)?;
        let back = 1.0 / shrink;
        Ok(finals
            .into_iter()
            .map(|c| {
                let point = |i: usize| Point {
                    x: c.landmarks.get(i).copied().unwrap_or(0.0) * back,
                    y: c.landmarks.get(i + 5).copied().unwrap_or(0.0) * back,
                };
                FaceDetection {
                    rect: Rect::new(
                        c.x1 * back,
                        c.y1 * back,
                        (c.x2 - c.x1) * back,
                        (c.y2 - c.y1) * back,
                    ),
                    score: c.score,
                    landmarks: Landmarks {
                        left_eye: point(0),
                        right_eye: point(1),
                        nose: point(2),
                        mouth_left: point(3),
                        mouth_right: point(4),
                    },
                }
            })
            .collect())
    }

    fn scales(config: &DetectorConfig, width: u32, height: u32) -> Vec<f32> {
        let shorter = width.min(height) as f32;
        let min_face = config
            .min_face_pixels
            .max(config.min_face_fraction * shorter)
            .max(12.0);
        let mut scale = 12.0 / min_face;
        let mut scales = Vec::new();
        while shorter * scale >= 12.0 && scales.len() < 32 {
            scales.push(scale);
            scale *= config.scale_factor.clamp(0.3, 0.95);
        }
        scales
    }

    /// Stage 1: P-Net over an image pyramid.
    fn propose(&self, config: &DetectorConfig, small: &RgbImage) -> Result<Vec<Candidate>, FaceError> {
        let (width, height) = small.dimensions();
        let mut all = Vec::new();
        for scale in Self::scales(config, width, height) {
            let w = ((width as f32 * scale).ceil() as u32).max(12);
            let h = ((height as f32 * scale).ceil() as u32).max(12);
            let scaled = imageops::resize(small, w, h, imageops::FilterType::Triangle);
            let input = NormalisedImage::new(&scaled).values;
            let outputs = self.pnet.run([1, h as usize, w as usize, 3], input)?;
            let regression = output_with_last_dim(&outputs, 4, self.pnet.name())?;
            let probability = output_with_last_dim(&outputs, 2, self.pnet.name())?;
            let (rows, cols) = match probability.shape.as_slice() {
                [_, rows, cols, _] => (*rows as usize, *cols as usize),
                _ => {
                    return Err(FaceError::ModelOutput {
                        model: self.pnet.name().to_string(),
                        detail: format!("probability shape {:?}", probability.shape),
                    });
                }
            };
            let mut at_scale = Vec::new();
            for row in 0..rows {
                for col in 0..cols {
                    let cell = row * cols + col;
                    let Some(&score) = probability.values.get(cell * 2 + 1) else {
                        continue;
                    };
                    if score <= config.thresholds[0] {
                        continue;
                    }
                    let Some(offsets) = regression.values.get(cell * 4..cell * 4 + 4) else {
                        continue;
                    };
                    let (x, y) = (col as f32 * 2.0, row as f32 * 2.0);
                    at_scale.push(Candidate {
                        x1: (x + offsets[0] * 12.0) / scale,
                        y1: (y + offsets[1] * 12.0) / scale,
                        x2: (x + 12.0 + offsets[2] * 12.0) / scale,
                        y2: (y + 12.0 + offsets[3] * 12.0) / scale,
                        score,
                        landmarks: [0.0; 10],
                    });
                }
            }
            all.extend(non_maximum_suppression(at_scale, 0.5, false));
        }
        let mut kept = non_maximum_suppression(all, 0.7, false);
        kept.truncate(MAX_RNET_CANDIDATES);
        Ok(kept)
    }

    /// Stage 2: R-Net on 24×24 crops.
    fn refine(
        &self,
        config: &DetectorConfig,
        image: &NormalisedImage,
        proposals: Vec<Candidate>,
    ) -> Result<Vec<Candidate>, FaceError> {
        if proposals.is_empty() {
            return Ok(proposals);
        }
        let squared: Vec<Candidate> = proposals.into_iter().map(Candidate::squared).collect();
        let mut input = Vec::with_capacity(squared.len() * 24 * 24 * 3);
        for candidate in &squared {
            image.crop_resized(candidate, 24, &mut input);
        }
        let outputs = self.rnet.run([squared.len(), 24, 24, 3], input)?;
        let regression = output_with_last_dim(&outputs, 4, self.rnet.name())?;
        let probability = output_with_last_dim(&outputs, 2, self.rnet.name())?;
        let mut passed = Vec::new();
        for (index, candidate) in squared.iter().enumerate() {
            let Some(&score) = probability.values.get(index * 2 + 1) else {
                continue;
            };
            let Some(offsets) = regression.values.get(index * 4..index * 4 + 4) else {
                continue;
            };
            if score > config.thresholds[1] {
                passed.push(
                    Candidate {
                        score,
                        ..*candidate
                    }
                    .regressed(offsets),
                );
            }
        }
        let mut kept = non_maximum_suppression(passed, 0.7, false);
        kept.truncate(MAX_ONET_CANDIDATES);
        Ok(kept)
    }

    /// Stage 3: O-Net on 48×48 crops: final boxes and landmarks.
    fn output_stage(
        &self,
        config: &DetectorConfig,
        image: &NormalisedImage,
        refined: Vec<Candidate>,
    ) -> Result<Vec<Candidate>, FaceError> {
        if refined.is_empty() {
            return Ok(refined);
        }
        let squared: Vec<Candidate> = refined.into_iter().map(Candidate::squared).collect();
        let mut input = Vec::with_capacity(squared.len() * 48 * 48 * 3);
        for candidate in &squared {
            image.crop_resized(candidate, 48, &mut input);
        }
        let outputs = self.onet.run([squared.len(), 48, 48, 3], input)?;
        let regression = output_with_last_dim(&outputs, 4, self.onet.name())?;
        let landmarks = output_with_last_dim(&outputs, 10, self.onet.name())?;
        let probability = output_with_last_dim(&outputs, 2, self.onet.name())?;
        let mut passed = Vec::new();
        for (index, candidate) in squared.iter().enumerate() {
            let Some(&score) = probability.values.get(index * 2 + 1) else {
                continue;
            };
            let Some(offsets) = regression.values.get(index * 4..index * 4 + 4) else {
                continue;
            };
            let Some(points) = landmarks.values.get(index * 10..index * 10 + 10) else {
                continue;
            };
            if score <= config.thresholds[2] {
                continue;
            }
            let w = candidate.x2 - candidate.x1 + 1.0;
            let h = candidate.y2 - candidate.y1 + 1.0;
            let mut absolute = [0.0f32; 10];
            for i in 0..5 {
                absolute[i] = w * points[i] + candidate.x1 - 1.0;
                absolute[i + 5] = h * points[i + 5] + candidate.y1 - 1.0;
            }
            passed.push(
                Candidate {
                    score,
                    landmarks: absolute,
                    ..*candidate
                }
                .regressed(offsets),
            );
        }
        Ok(non_maximum_suppression(passed, 0.7, true))
    }
}

/// The face to compare when several were found: the largest box (the
/// portrait, not a background face or a passport's small ghost image).
pub fn primary_face(faces: &[FaceDetection]) -> Option<&FaceDetection> {
    faces
        .iter()
        .max_by(|a, b| (a.rect.w * a.rect.h).total_cmp(&(b.rect.w * b.rect.h)))
}

/// Faces at least `fraction` as wide as the primary one: other people in the frame.
pub fn significant_faces(faces: &[FaceDetection], fraction: f32) -> usize {
    let Some(primary) = primary_face(faces) else {
        return 0;
    };
    faces
        .iter()
        .filter(|f| f.rect.w >= primary.rect.w * fraction)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(x1: f32, y1: f32, x2: f32, y2: f32, score: f32) -> Candidate {
        Candidate {
            x1,
            y1,
            x2,
            y2,
            score,
            landmarks: [0.0; 10],
        }
    }

    #[test]
    fn suppression_keeps_the_best_of_overlapping_boxes() {
        let boxes = vec![
            candidate(0.0, 0.0, 10.0, 10.0, 0.8),
            candidate(1.0, 1.0, 11.0, 11.0, 0.9),
            candidate(50.0, 50.0, 60.0, 60.0, 0.7),
            candidate(f32::NAN, 0.0, 1.0, 1.0, 0.99),
        ];
        let kept = non_maximum_suppression(boxes, 0.5, false);
        assert_eq!(kept.len(), 2);
        assert_eq!(kept[0].score, 0.9);
        assert_eq!(kept[1].score, 0.7);
    }

    #[test]
    fn squaring_keeps_the_centre() {
        let square = candidate(10.0, 20.0, 30.0, 60.0, 1.0).squared();
        assert_eq!((square.x2 - square.x1), (square.y2 - square.y1));
        assert!(((square.x1 + square.x2) / 2.0 - 20.0).abs() < 1e-4);
        assert!(((square.y1 + square.y2) / 2.0 - 40.0).abs() < 1e-4);
    }

    #[test]
    fn primary_face_is_the_largest() {
        let point = Point { x: 0.0, y: 0.0 };
        let landmarks = Landmarks {
            left_eye: point,
            right_eye: point,
            nose: point,
            mouth_left: point,
            mouth_right: point,
        };
        let small = FaceDetection {
            rect: Rect::new(0.0, 0.0, 10.0, 10.0),
            score: 0.99,
            landmarks,
        };
        let large = FaceDetection {
            rect: Rect::new(0.0, 0.0, 40.0, 50.0),
            score: 0.9,
            landmarks,
        };
        let faces = [small, large];
        assert_eq!(primary_face(&faces).map(|f| f.rect.w), Some(40.0));
        assert_eq!(significant_faces(&faces, 0.5), 1);
        assert_eq!(primary_face(&[]), None);
    }
}
