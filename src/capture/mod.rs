//! Getting images: files of the document under each light, and stills from a
//! camera (the live bearer, or a desk camera), live with a preview and
//! auto-capture (`live`, `frame_quality`).

pub mod camera;
pub mod frame_quality;
pub mod hot_folder;
pub mod import;
pub mod live;

pub use import::{ImportError, decode_file, guess_light, import_file};
