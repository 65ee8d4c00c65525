//! Face embeddings: MobileFaceNet (192 values) on the aligned 112×112 crop.
//!
//! Each face is embedded together with its mirror image (the model takes a
//! batch of two) and the two vectors are summed: a standard test-time
//! augmentation that makes the embedding less sensitive to lighting from one side.

use image::{RgbImage, imageops};
use serde::Serialize;

use crate::align::ALIGNED_SIZE;
use crate::error::FaceError;
use crate::model::Model;

/// Length of a MobileFaceNet embedding.
pub const EMBEDDING_LENGTH: usize = 192;

/// A unit-length face embedding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Embedding(pub Vec<f32>);

impl Embedding {
    /// Scales `values` to unit length; `None` if they are all zero or not finite.
    pub fn normalised(values: Vec<f32>) -> Option<Embedding> {
        let norm = values.iter().map(|v| v * v).sum::<f32>().sqrt();
        if !norm.is_finite() || norm < 1e-12 {
            return None;
        }
        Some(Embedding(values.into_iter().map(|v| v / norm).collect()))
    }

    /// Cosine similarity, −1 to 1 (1 = same direction). Vectors of different length score 0.
    pub fn cosine(&self, other: &Embedding) -> f32 {
        if self.0.len() != other.0.len() {
            return 0.0;
        }
        self.0
            .iter()
            .zip(&other.0)
            .map(|(a, b)| a * b)
            .sum::<f32>()
            .clamp(-1.0, 1.0)
    }
}

/// Runs the embedding model.
pub(crate) struct Embedder {
    pub model: Model,
}

fn push_normalised(image: &RgbImage, out: &mut Vec<f32>) {
    out.extend(
        image
            .as_raw()
            .iter()
            .map(|&v| (f32::from(v) - 127.5) / 128.0),
    );
}

impl Embedder {
    /// Embeds one aligned face (112×112; other sizes are resized first).
    pub fn embed(&self, aligned: &RgbImage) -> Result<Embedding, FaceError> {
        let face = if aligned.dimensions() == (ALIGNED_SIZE, ALIGNED_SIZE) {
            aligned.clone()
        } else {
            imageops::resize(
                aligned,
                ALIGNED_SIZE,
                ALIGNED_SIZE,
                imageops::FilterType::Triangle,
            )
        };
        let mirrored = imageops::flip_horizontal(&face);
        let side = ALIGNED_SIZE as usize;
        let mut input = Vec::with_capacity(2 * side * side * 3);
        push_normalised(&face, &mut input);
        push_normalised(&mirrored, &mut input);
        let outputs = self.model.run([2, side, side, 3], input)?;
        let output = outputs.first().ok_or_else(|| FaceError::ModelOutput {
            model: self.model.name().to_string(),
            detail: "no output".to_string(),
        })?;
        if output.values.len() != 2 * EMBEDDING_LENGTH {
            return Err(FaceError::ModelOutput {
                model: self.model.name().to_string(),
                detail: format!(
                    "expected 2×{EMBEDDING_LENGTH} values, got shape {:?}",
                    output.shape
                ),
            });
        }
        let (original, flipped) = output.values.split_at(EMBEDDING_LENGTH);
        let unit = |values: &[f32]| Embedding::normalised(values.to_vec());
        let (Some(original), Some(flipped)) = (unit(original), unit(flipped)) else {
            return Err(FaceError::ModelOutput {
                model: self.model.name().to_string(),
                detail: "embedding is zero or not finite".to_string(),
            });
        };
        let summed = original
            .0
            .iter()
            .zip(&flipped.0)
            .map(|(a, b)| a + b)
            .collect();
        Embedding::normalised(summed).ok_or_else(|| FaceError::ModelOutput {
            model: self.model.name().to_string(),
            detail: "embedding is zero".to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cosine_of_unit_vectors() {
        let a = Embedding::normalised(vec![3.0, 4.0]).expect("unit");
        let b = Embedding::normalised(vec![-3.0, -4.0]).expect("unit");
        assert!((a.cosine(&a) - 1.0).abs() < 1e-6);
        assert!((a.cosine(&b) + 1.0).abs() < 1e-6);
        assert_eq!(a.cosine(&Embedding(vec![1.0])), 0.0);
        assert!(Embedding::normalised(vec![0.0, 0.0]).is_none());
        assert!(Embedding::normalised(vec![f32::NAN, 1.0]).is_none());
    }
}
