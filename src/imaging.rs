//! Image codecs the `image` crate lacks: JPEG 2000 (chip portraits, some
//! scanners), through OpenCV in `tdverify-imaging`, the one crate that links it.

pub use tdverify_imaging::{
    ImagingError, OpenCvJpeg2000, decode_jpeg2000, encode_jpeg2000, is_jpeg2000, opencv_version,
};
