//! Reading the machine-readable zone (MRZ) of travel documents from photos
//! and scans, under white or infrared light, at any rotation and with
//! perspective.
//!
//! Pipeline: [`locate`] finds groups of 2–3 long parallel text lines of equal
//! height (the best few, since a paragraph can out-score the MRZ on geometry);
//! [`segment`] warps a group upright (lines level, cell windows sheared by the
//! strokes' slant) and cuts fixed-pitch OCR-B cells, with alternative cuts
//! per line (fitted to the line's ink ends); [`classify`]
//! runs our own small CNN (models/ocr/mrz_chars.onnx), and [`read`] lets it
//! judge orientation, character count, each line's cut, one-cell shifts and
//! slight pitch stretches by the best character the MRZ layouts allow at each
//! position, and takes a second look at doubtful cells from a few other
//! views; [`decode`] lets the `tdverify-mrz` grammar and check digits
//! choose the most probable reading, lists every correction, and says when
//! the evidence is too weak. [`eval`] measures it over folders with ground truth.
//!
//! Entry points: [`OcrEngine::load_default`], [`read_mrz`], [`reading_json`].

pub mod classify;
pub mod decode;
pub mod error;
pub mod eval;
pub mod geometry;
pub mod line_recognizer;
pub mod locate;
pub mod read;
pub mod segment;

pub use classify::{CHARSET, Candidate, OcrEngine};
pub use decode::{Correction, ReadingStatus};
pub use error::OcrError;
pub use geometry::Point;
pub use read::{
    CharacterReading, DEFAULT_READER, MrzReading, ReadTrace, Reader, load_image, read_mrz, read_mrz_file, read_mrz_traced, read_mrz_with,
    reading_json,
};
