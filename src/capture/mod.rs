//! Getting images of the document: file import now; camera, scanner hot folder
//! and image-quality checks join here.

pub mod import;

pub use import::{ImportError, decode_file, guess_light, import_file};
