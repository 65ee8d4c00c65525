//! Still photos from a camera (V4L2 through nokhwa): the live bearer, or a
//! document under a desk camera. A camera that is missing, busy or unplugged
//! gives a message, never a panic.

use image::DynamicImage;
use nokhwa::pixel_format::RgbFormat;
use nokhwa::utils::{ApiBackend, CameraIndex, RequestedFormat, RequestedFormatType};
use thiserror::Error;

/// Frames dropped before the still is kept: cameras adjust exposure and focus
/// over their first frames, which come out dark or blurred.
const WARM_UP_FRAMES: usize = 8;

/// A camera the system lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CameraInfo {
    /// Index to open it with.
    pub index: u32,
    /// Name shown to the officer.
    pub name: String,
}

/// Why no photo was taken.
#[derive(Debug, Error)]
pub enum CameraError {
    /// The system's camera list could not be read.
    #[error("cannot list the cameras: {0}")]
    List(String),
    /// No camera is connected.
    #[error("no camera found: connect one, or open a photo file or a folder of images instead")]
    NoCamera,
    /// Cameras are connected, but none with this index.
    #[error("there is no camera {index}; connected: {}", available.join(", "))]
    NotFound {
        /// The index asked for.
        index: u32,
        /// The cameras there are (`camera:N (name)`).
        available: Vec<String>,
    },
    /// The camera stopped sending pictures in the middle of the stream.
    #[error("camera {index} stopped sending pictures ({reason}): was it unplugged? connect it and start again")]
    Lost {
        /// Which camera.
        index: u32,
        /// The driver's message.
        reason: String,
    },
    /// A source that is neither `camera:N` nor a folder path.
    #[error("{given:?} is not a source: give camera:N (N from the camera list) or a folder of images")]
    BadSource {
        /// What was given.
        given: String,
    },
    /// The image sequence's folder or one of its images could not be read.
    #[error("image sequence {folder}: {reason}")]
    Sequence {
        /// The folder.
        folder: std::path::PathBuf,
        /// What went wrong (with the file).
        reason: String,
    },
    /// The folder holds no image to play.
    #[error("{folder} holds no image (PNG, JPEG, TIFF or BMP) to play as a camera")]
    EmptySequence {
        /// The folder.
        folder: std::path::PathBuf,
    },
    /// The still could not be written.
    #[error("cannot write the still to {path}: {reason}")]
    Write {
        /// The file or folder.
        path: std::path::PathBuf,
        /// The I/O or encoder message.
        reason: String,
    },
    /// The background thread reading the camera could not start.
    #[error("cannot start reading the camera: {0}")]
    Thread(String),
    /// The camera could not be opened (busy, unplugged, no permission).
    #[error("cannot open camera {index}: {reason} (is another program using it? check /dev/video* permissions)")]
    Open {
        /// Which camera.
        index: u32,
        /// The driver's message.
        reason: String,
    },
    /// Opened, but no usable frame came.
    #[error("camera {index} gave no picture: {reason}; try again, or open a photo file")]
    Frame {
        /// Which camera.
        index: u32,
        /// The driver's message.
        reason: String,
    },
}

/// The cameras connected now.
pub fn list_cameras() -> Result<Vec<CameraInfo>, CameraError> {
    let cameras = nokhwa::query(ApiBackend::Auto).map_err(|e| CameraError::List(e.to_string()))?;
    Ok(cameras
        .iter()
        .enumerate()
        .map(|(position, camera)| CameraInfo {
            index: camera.index().as_index().unwrap_or(position as u32),
            name: camera.human_name(),
        })
        .collect())
}

/// Takes one still at the camera's highest resolution.
pub fn capture_still(index: u32) -> Result<DynamicImage, CameraError> {
    let requested = RequestedFormat::new::<RgbFormat>(RequestedFormatType::AbsoluteHighestResolution);
    let mut camera = nokhwa::Camera::new(CameraIndex::Index(index), requested)
        .map_err(|e| CameraError::Open { index, reason: e.to_string() })?;
    camera.open_stream().map_err(|e| CameraError::Open { index, reason: e.to_string() })?;
    let frame_error = |e: nokhwa::NokhwaError| CameraError::Frame { index, reason: e.to_string() };
    let mut last = None;
    for _ in 0..=WARM_UP_FRAMES {
        last = Some(camera.frame().map_err(frame_error)?);
    }
    let _ = camera.stop_stream();
    let buffer = last.ok_or(CameraError::Frame { index, reason: "no frame".into() })?;
    let rgb = buffer.decode_image::<RgbFormat>().map_err(frame_error)?;
    Ok(DynamicImage::ImageRgb8(rgb))
}

/// The first camera's still (the usual desk set-up has one).
pub fn capture_from_first_camera() -> Result<DynamicImage, CameraError> {
    let first = list_cameras()?.into_iter().next().ok_or(CameraError::NoCamera)?;
    capture_still(first.index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_camera_that_does_not_exist_is_an_error_with_advice_not_a_panic() {
        let error = capture_still(4_000).expect_err("no machine has camera 4000");
        let message = error.to_string();
        assert!(message.contains("4000"), "{message}");
    }
}
