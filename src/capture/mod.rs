//! Getting images: files of the document under each light, and stills from a
//! camera (the live bearer, or a desk camera).

pub mod camera;
pub mod hot_folder;
pub mod import;

pub use import::{ImportError, decode_file, guess_light, import_file};
