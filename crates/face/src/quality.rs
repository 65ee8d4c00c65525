//! Capture quality of one face image: is there exactly one face, large,
//! sharp, frontal and evenly lit enough to compare? Each problem is a
//! warning that tells the officer what to do about it.

use image::{GrayImage, RgbImage, imageops};
use serde::Serialize;

use crate::detect::{FaceDetection, Landmarks, primary_face, significant_faces};

/// Limits of the quality warnings. Measured on the development set: clean
/// frontal photos stay clear of them, the degraded copies trip `size` and `blur`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct QualityLimits {
    /// Fewer pixels between the eyes than this: too small (ISO/IEC 19794-5 asks for 60 for a full-frontal image; 30 still compares).
    pub min_inter_eye_px: f32,
    /// Variance of the Laplacian of the aligned grey crop below this: blurred.
    pub min_sharpness: f32,
    /// Head roll beyond this many degrees.
    pub max_roll_degrees: f32,
    /// Nose offset from the eyes' midline, as a fraction of the eye distance, beyond this: head turned.
    pub max_yaw_ratio: f32,
    /// Nose height between eyes (0) and mouth (1) outside this range: head tilted up or down.
    pub pitch_range: (f32, f32),
    /// Mean grey level of the face outside this range: too dark or overexposed.
    pub brightness_range: (f32, f32),
    /// Fraction of saturated face pixels above this: glare.
    pub max_glare_fraction: f32,
    /// Difference of left and right face halves over their sum above this: lit from one side.
    pub max_side_imbalance: f32,
    /// Other faces at least this fraction of the main face's width count as a second person.
    pub second_face_fraction: f32,
}

impl Default for QualityLimits {
    fn default() -> Self {
        QualityLimits {
            min_inter_eye_px: 30.0,
            min_sharpness: 30.0,
            max_roll_degrees: 15.0,
            max_yaw_ratio: 0.25,
            pitch_range: (0.25, 0.75),
            brightness_range: (50.0, 215.0),
            max_glare_fraction: 0.03,
            max_side_imbalance: 0.25,
            second_face_fraction: 0.5,
        }
    }
}

/// One quality problem.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QualityWarning {
    /// Which property: the last part of the check id `face.quality.<which>`.
    pub which: &'static str,
    /// What was measured, in words.
    pub message: String,
    /// What the officer should do.
    pub instruction: &'static str,
}

/// Quality measurements of one image and the warnings they raise.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct QualityReport {
    /// Faces the detector found (any size).
    pub faces_found: usize,
    /// Faces large enough to be a second person.
    pub significant_faces: usize,
    /// Detector confidence of the compared face.
    pub detector_score: Option<f32>,
    /// Pixels between the eye centres.
    pub inter_eye_px: Option<f32>,
    /// Variance of the Laplacian of the aligned grey crop.
    pub sharpness: Option<f32>,
    /// Head roll in degrees.
    pub roll_degrees: Option<f32>,
    /// Nose offset from the eyes' midline over the eye distance.
    pub yaw_ratio: Option<f32>,
    /// Nose height between eye line (0) and mouth (1).
    pub pitch_ratio: Option<f32>,
    /// Mean grey level of the face, 0–255.
    pub brightness: Option<f32>,
    /// Fraction of saturated face pixels.
    pub glare_fraction: Option<f32>,
    /// |left − right| / (left + right) of the face halves' brightness.
    pub side_imbalance: Option<f32>,
    /// Every problem found, in check order.
    pub warnings: Vec<QualityWarning>,
}

impl QualityReport {
    /// True when nothing needs recapturing.
    pub fn is_good(&self) -> bool {
        self.warnings.is_empty()
    }
}

/// Every `<which>` a quality warning can carry (check ids `face.quality.<which>`).
pub const QUALITY_KINDS: [&str; 8] = [
    "face_found",
    "single_face",
    "size",
    "blur",
    "pose",
    "lighting",
    "glare",
    "uneven_light",
];

/// Roll, yaw ratio and pitch ratio from the five landmarks, in the frame of the eye line.
pub fn pose_from_landmarks(landmarks: &Landmarks) -> Option<(f32, f32, f32)> {
    let (le, re) = (landmarks.left_eye, landmarks.right_eye);
    let distance = landmarks.inter_eye_distance();
    if !distance.is_finite() || distance < 1e-3 {
        return None;
    }
    let angle = (re.y - le.y).atan2(re.x - le.x);
    let (cos, sin) = (angle.cos(), angle.sin());
    let mid = ((le.x + re.x) / 2.0, (le.y + re.y) / 2.0);
    let rotate = |x: f32, y: f32| {
        let (dx, dy) = (x - mid.0, y - mid.1);
        (dx * cos + dy * sin, -dx * sin + dy * cos)
    };
    let nose = rotate(landmarks.nose.x, landmarks.nose.y);
    let mouth = rotate(
        (landmarks.mouth_left.x + landmarks.mouth_right.x) / 2.0,
        (landmarks.mouth_left.y + landmarks.mouth_right.y) / 2.0,
    );
    let yaw = nose.0 / distance;
    let pitch = if mouth.1.abs() > 1e-3 {
        nose.1 / mouth.1
    } else {
        f32::NAN
    };
    Some((angle.to_degrees(), yaw, pitch))
}

/// Variance of the 4-neighbour Laplacian over the inner part of a grey image.
pub fn laplacian_variance(grey: &GrayImage) -> f32 {
    let (w, h) = grey.dimensions();
    if w < 3 || h < 3 {
        return 0.0;
    }
    let (mut sum, mut sum_sq, mut n) = (0.0f64, 0.0f64, 0.0f64);
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            let at = |x: u32, y: u32| f64::from(grey.get_pixel(x, y).0[0]);
            let value = at(x - 1, y) + at(x + 1, y) + at(x, y - 1) + at(x, y + 1) - 4.0 * at(x, y);
            sum += value;
            sum_sq += value * value;
            n += 1.0;
        }
    }
    let mean = sum / n;
    (sum_sq / n - mean * mean) as f32
}

/// Measures the image and lists its problems. `aligned` is the 112×112 crop of the primary face.
pub fn assess(
    faces: &[FaceDetection],
    aligned: Option<&RgbImage>,
    limits: &QualityLimits,
) -> QualityReport {
    let mut report = QualityReport {
        faces_found: faces.len(),
        ..QualityReport::default()
    };
    let Some(primary) = primary_face(faces) else {
        report.warnings.push(QualityWarning {
            which: "face_found",
            message: "no face found".to_string(),
            instruction: "face the camera with nothing covering the face, then recapture",
        });
        return report;
    };
    report.significant_faces = significant_faces(faces, limits.second_face_fraction);
    report.detector_score = Some(primary.score);
    if report.significant_faces > 1 {
        report.warnings.push(QualityWarning {
            which: "single_face",
            message: format!(
                "{} faces in the image; the largest was compared",
                report.significant_faces
            ),
            instruction: "make sure only the bearer is in the frame, then recapture",
        });
    }
    let eye_distance = primary.landmarks.inter_eye_distance();
    report.inter_eye_px = Some(eye_distance);
    if eye_distance < limits.min_inter_eye_px {
        report.warnings.push(QualityWarning {
            which: "size",
            message: format!(
                "face too small: {eye_distance:.0} px between the eyes (want ≥ {:.0})",
                limits.min_inter_eye_px
            ),
            instruction: "move closer, or capture or scan at a higher resolution",
        });
    }
    if let Some((roll, yaw, pitch)) = pose_from_landmarks(&primary.landmarks) {
        report.roll_degrees = Some(roll);
        report.yaw_ratio = Some(yaw);
        report.pitch_ratio = Some(pitch);
        let pitch_ok = pitch >= limits.pitch_range.0 && pitch <= limits.pitch_range.1;
        if roll.abs() > limits.max_roll_degrees || yaw.abs() > limits.max_yaw_ratio || !pitch_ok {
            report.warnings.push(QualityWarning {
                which: "pose",
                message: format!("head not frontal (roll {roll:.0}°, turn {yaw:+.2}, tilt {pitch:.2})"),
                instruction: "ask the person to look straight at the camera with the head upright, then recapture",
            });
        }
    }
    if let Some(crop) = aligned {
        assess_crop(crop, limits, &mut report);
    }
    report
}

/// Sharpness and lighting, measured on the aligned crop so that every image is judged at the same scale.
fn assess_crop(crop: &RgbImage, limits: &QualityLimits, report: &mut QualityReport) {
    let grey = imageops::grayscale(crop);
    let (w, h) = grey.dimensions();
    // The inner face: between the eyes' outer corners and below the brows to the chin.
    let (x0, x1, y0, y1) = (w * 20 / 112, w * 92 / 112, h * 36 / 112, h * 104 / 112);
    let inner =
        imageops::crop_imm(&grey, x0, y0, x1.saturating_sub(x0), y1.saturating_sub(y0)).to_image();
    let sharpness = laplacian_variance(&inner);
    report.sharpness = Some(sharpness);
    if sharpness < limits.min_sharpness {
        report.warnings.push(QualityWarning {
            which: "blur",
            message: format!("face blurred or low in detail (sharpness {sharpness:.0}, want ≥ {:.0})", limits.min_sharpness),
            instruction: "hold the camera still and refocus, or rescan at a higher resolution, then recapture",
        });
    }
    let pixels: Vec<f32> = inner.pixels().map(|p| f32::from(p.0[0])).collect();
    if pixels.is_empty() {
        return;
    }
    let count = pixels.len() as f32;
    let brightness = pixels.iter().sum::<f32>() / count;
    let glare = pixels.iter().filter(|&&v| v >= 250.0).count() as f32 / count;
    report.brightness = Some(brightness);
    report.glare_fraction = Some(glare);
    if brightness < limits.brightness_range.0 || brightness > limits.brightness_range.1 {
        let dark = brightness < limits.brightness_range.0;
        report.warnings.push(QualityWarning {
            which: "lighting",
            message: format!(
                "face {} (mean level {brightness:.0})",
                if dark { "too dark" } else { "overexposed" }
            ),
            instruction: if dark {
                "add light on the face, then recapture"
            } else {
                "reduce the light or exposure, then recapture"
            },
        });
    }
    if glare > limits.max_glare_fraction {
        report.warnings.push(QualityWarning {
            which: "glare",
            message: format!("glare on {:.0}% of the face", glare * 100.0),
            instruction: "recapture without glare: tilt the document or move the light",
        });
    }
    let half = inner.width() / 2;
    let mean_of = |from: u32, to: u32| {
        let mut sum = 0.0f32;
        let mut n = 0.0f32;
        for (x, _, p) in inner.enumerate_pixels() {
            if x >= from && x < to {
                sum += f32::from(p.0[0]);
                n += 1.0;
            }
        }
        if n > 0.0 { sum / n } else { 0.0 }
    };
    let (left, right) = (mean_of(0, half), mean_of(half, inner.width()));
    if left + right > 0.0 {
        let imbalance = (left - right).abs() / (left + right);
        report.side_imbalance = Some(imbalance);
        if imbalance > limits.max_side_imbalance {
            report.warnings.push(QualityWarning {
                which: "uneven_light",
                message: format!(
                    "face lit from one side ({:.0}% difference between halves)",
                    imbalance * 200.0
                ),
                instruction: "light the face evenly from the front, then recapture",
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::Point;
    use image::Rgb;
    use tdverify_core::Rect;

    fn face(x: f32, eye_distance: f32) -> FaceDetection {
        let p = |dx: f32, dy: f32| Point {
            x: x + dx * eye_distance,
            y: 100.0 + dy * eye_distance,
        };
        FaceDetection {
            rect: Rect::new(
                x - eye_distance,
                50.0,
                eye_distance * 3.0,
                eye_distance * 3.5,
            ),
            score: 0.99,
            landmarks: Landmarks {
                left_eye: p(0.0, 0.0),
                right_eye: p(1.0, 0.0),
                nose: p(0.5, 0.5),
                mouth_left: p(0.1, 1.0),
                mouth_right: p(0.9, 1.0),
            },
        }
    }

    fn kinds(report: &QualityReport) -> Vec<&'static str> {
        report.warnings.iter().map(|w| w.which).collect()
    }

    #[test]
    fn no_face_says_so() {
        let report = assess(&[], None, &QualityLimits::default());
        assert_eq!(kinds(&report), ["face_found"]);
    }

    #[test]
    fn frontal_large_face_has_no_pose_or_size_warning() {
        let report = assess(&[face(100.0, 60.0)], None, &QualityLimits::default());
        assert!(report.is_good(), "{:?}", report.warnings);
        let (roll, yaw, pitch) = (
            report.roll_degrees.unwrap_or(99.0),
            report.yaw_ratio.unwrap_or(9.0),
            report.pitch_ratio.unwrap_or(9.0),
        );
        assert!(roll.abs() < 1e-3 && yaw.abs() < 1e-3 && (pitch - 0.5).abs() < 1e-3);
    }

    #[test]
    fn small_face_and_second_person_are_flagged() {
        let report = assess(
            &[face(100.0, 20.0), face(300.0, 18.0)],
            None,
            &QualityLimits::default(),
        );
        assert_eq!(kinds(&report), ["single_face", "size"]);
        assert!(report.warnings[1].instruction.contains("closer"));
    }

    #[test]
    fn flat_dark_crop_is_blurred_and_dark() {
        let crop = RgbImage::from_pixel(112, 112, Rgb([20, 20, 20]));
        let report = assess(&[face(100.0, 60.0)], Some(&crop), &QualityLimits::default());
        assert_eq!(kinds(&report), ["blur", "lighting"]);
    }

    #[test]
    fn saturated_crop_is_glare() {
        let crop = RgbImage::from_fn(112, 112, |x, y| {
            if (x + y) % 2 == 0 {
                Rgb([255, 255, 255])
            } else {
                Rgb([90, 90, 90])
            }
        });
        let report = assess(&[face(100.0, 60.0)], Some(&crop), &QualityLimits::default());
        assert!(kinds(&report).contains(&"glare"));
        assert!(
            report
                .warnings
                .iter()
                .any(|w| w.instruction.contains("without glare"))
        );
    }
}
