use std::path::PathBuf;

use image::DynamicImage;

use crate::Light;

/// Where a capture came from, kept with the case so an officer can tell a
/// flatbed scan from a phone photo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaptureSource {
    /// An image file the user opened or dropped.
    File(PathBuf),
    /// A scanner's hot folder.
    Scanner(PathBuf),
    /// A camera, by its device name.
    Camera(String),
    /// A generated fixture document (training, demo, tests).
    Fixture(String),
}

/// One image of the document (or bearer) under one light.
#[derive(Debug, Clone)]
pub struct Capture {
    /// The light it was taken under.
    pub light: Light,
    /// The decoded pixels.
    pub image: DynamicImage,
    /// Resolution in dots per inch when known (scanners know, cameras do not).
    pub dpi: Option<f32>,
    /// Where it came from.
    pub source: CaptureSource,
}
