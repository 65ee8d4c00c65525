//! Live frames for the capture window and `tdverify capture`: a [`FrameSource`]
//! (a camera through nokhwa, or a folder of images played like a camera, which
//! is how everything is tested on machines without one) and a [`FramePump`]
//! that reads it on a background thread, measures every frame
//! ([`super::frame_quality`]), applies the auto-capture rule and hands the
//! newest frames over without ever letting the window fall behind.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use image::RgbImage;
use nokhwa::pixel_format::RgbFormat;
use nokhwa::utils::{CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType, Resolution};

use super::camera::{CameraError, list_cameras};
use super::frame_quality::{AutoCapture, AutoCaptureRule, FrameAnalyser, FrameQuality};

/// Resolution asked of a camera for the preview: enough to see the page and
/// measure it, light enough for 30 frames a second over USB 2.
pub const PREVIEW_RESOLUTION: (u32, u32) = (1280, 720);

/// Longest side of the preview image the pump hands to the window (a camera
/// or an image sequence may deliver more; the still keeps it all).
pub const PREVIEW_SIDE: u32 = 1280;

/// Frames a second an image sequence plays at unless told otherwise.
pub const DEFAULT_SEQUENCE_FPS: f32 = 15.0;

/// Frames the window may have waiting: older ones are dropped, so the preview
/// always shows what is in front of the camera now.
pub const QUEUED_FRAMES: usize = 2;

/// Frames dropped after the camera switches to its highest resolution for a
/// still: exposure and focus settle over the first frames.
const STILL_WARM_UP_FRAMES: usize = 4;

/// Image file extensions an image sequence plays.
const SEQUENCE_EXTENSIONS: [&str; 6] = ["png", "jpg", "jpeg", "tif", "tiff", "bmp"];

/// One frame from a source.
#[derive(Debug, Clone)]
pub struct Frame {
    /// Position in the stream, from 0.
    pub index: u64,
    /// Time since the stream started (nominal for an image sequence).
    pub timestamp: Duration,
    /// The picture, at the source's resolution.
    pub image: RgbImage,
}

/// Something that delivers frames like a camera.
pub trait FrameSource {
    /// Name shown to the officer ("camera 0: HD Webcam", "sequence /tmp/frames").
    fn name(&self) -> String;
    /// The next frame, waiting for it; `Ok(None)` when the stream ended normally
    /// (a sequence that does not loop). A camera that stops answering is an error.
    fn next_frame(&mut self) -> Result<Option<Frame>, CameraError>;
    /// The full-resolution still for `current` (the last frame given): a camera
    /// takes a new picture at its highest resolution when it can, a sequence
    /// gives the frame itself.
    fn still(&mut self, current: &Frame) -> Result<RgbImage, CameraError> {
        Ok(current.image.clone())
    }
    /// Releases the device.
    fn close(&mut self);
}

/// Which source to open: `camera:N`, or a folder of images.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceSpec {
    /// The camera with this index (see [`list_cameras`]).
    Camera(u32),
    /// A folder of images played in name order.
    Sequence {
        /// The folder.
        folder: PathBuf,
        /// Frames a second (0 or less: as fast as they decode).
        fps: f32,
        /// Start again after the last image.
        looping: bool,
    },
}

impl SourceSpec {
    /// `camera:N` (or `camera`, the first camera) selects a camera; anything
    /// else is a folder of images, played at [`DEFAULT_SEQUENCE_FPS`] once.
    pub fn parse(text: &str) -> Result<SourceSpec, CameraError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(CameraError::BadSource { given: text.to_owned() });
        }
        if trimmed.eq_ignore_ascii_case("camera") {
            return Ok(SourceSpec::Camera(0));
        }
        if let Some(number) = trimmed.strip_prefix("camera:") {
            return number
                .trim()
                .parse::<u32>()
                .map(SourceSpec::Camera)
                .map_err(|_| CameraError::BadSource { given: text.to_owned() });
        }
        Ok(SourceSpec::Sequence { folder: PathBuf::from(trimmed), fps: DEFAULT_SEQUENCE_FPS, looping: false })
    }

    /// Opens the source (on the thread that will read it: a camera handle stays
    /// on the thread that opened it).
    pub fn open(&self) -> Result<Box<dyn FrameSource>, CameraError> {
        match self {
            SourceSpec::Camera(index) => Ok(Box::new(CameraSource::open(*index)?)),
            SourceSpec::Sequence { folder, fps, looping } => Ok(Box::new(ImageSequence::open(folder, *fps, *looping)?)),
        }
    }
}

impl std::fmt::Display for SourceSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SourceSpec::Camera(index) => write!(f, "camera:{index}"),
            SourceSpec::Sequence { folder, .. } => write!(f, "{}", folder.display()),
        }
    }
}

/// A folder of images played like a camera: in name order, at a given rate,
/// looping or not. Each image is decoded when its turn comes.
pub struct ImageSequence {
    folder: PathBuf,
    files: Vec<PathBuf>,
    fps: f32,
    looping: bool,
    next: u64,
    started: Option<Instant>,
}

impl ImageSequence {
    /// The images in `folder` (PNG, JPEG, TIFF, BMP), in name order.
    pub fn open(folder: &Path, fps: f32, looping: bool) -> Result<ImageSequence, CameraError> {
        let entries = std::fs::read_dir(folder)
            .map_err(|e| CameraError::Sequence { folder: folder.to_path_buf(), reason: e.to_string() })?;
        let mut files: Vec<PathBuf> = entries
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| {
                path.is_file()
                    && path
                        .extension()
                        .and_then(|e| e.to_str())
                        .is_some_and(|e| SEQUENCE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
            })
            .collect();
        if files.is_empty() {
            return Err(CameraError::EmptySequence { folder: folder.to_path_buf() });
        }
        files.sort();
        Ok(ImageSequence { folder: folder.to_path_buf(), files, fps, looping, next: 0, started: None })
    }

    /// How many images one pass plays.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether the folder had no image (never: [`ImageSequence::open`] refuses it).
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

impl FrameSource for ImageSequence {
    fn name(&self) -> String {
        format!("sequence {}", self.folder.display())
    }

    fn next_frame(&mut self) -> Result<Option<Frame>, CameraError> {
        let count = self.files.len() as u64;
        if !self.looping && self.next >= count {
            return Ok(None);
        }
        let index = self.next;
        let path = &self.files[(index % count) as usize];
        let started = *self.started.get_or_insert_with(Instant::now);
        let timestamp = if self.fps > 0.0 {
            Duration::from_secs_f64(index as f64 / f64::from(self.fps))
        } else {
            started.elapsed()
        };
        if let Some(wait) = timestamp.checked_sub(started.elapsed()) {
            std::thread::sleep(wait);
        }
        let image = super::decode_file(path)
            .map_err(|e| CameraError::Sequence { folder: self.folder.clone(), reason: e.to_string() })?
            .into_rgb8();
        self.next += 1;
        Ok(Some(Frame { index, timestamp, image }))
    }

    fn close(&mut self) {}
}

/// A camera streaming at [`PREVIEW_RESOLUTION`] (or the nearest it offers).
pub struct CameraSource {
    index: u32,
    name: String,
    camera: nokhwa::Camera,
    started: Instant,
    next: u64,
}

impl CameraSource {
    /// Opens camera `index` and starts its stream. No camera connected, or
    /// none with that index, is an error that says so.
    pub fn open(index: u32) -> Result<CameraSource, CameraError> {
        // The list says clearly "no camera" where opening would give a driver message.
        let mut name = format!("camera {index}");
        if let Ok(cameras) = list_cameras() {
            if cameras.is_empty() {
                return Err(CameraError::NoCamera);
            }
            match cameras.iter().find(|c| c.index == index) {
                Some(camera) => name = format!("camera {index}: {}", camera.name),
                None => {
                    let available = cameras.iter().map(|c| format!("camera:{} ({})", c.index, c.name)).collect();
                    return Err(CameraError::NotFound { index, available });
                }
            }
        }
        let mut camera = nokhwa::Camera::new(CameraIndex::Index(index), preview_request())
            .map_err(|e| CameraError::Open { index, reason: e.to_string() })?;
        camera.open_stream().map_err(|e| CameraError::Open { index, reason: e.to_string() })?;
        Ok(CameraSource { index, name, camera, started: Instant::now(), next: 0 })
    }

    fn grab(&mut self) -> Result<RgbImage, CameraError> {
        let index = self.index;
        let buffer = self.camera.frame().map_err(|e| CameraError::Lost { index, reason: e.to_string() })?;
        buffer.decode_image::<RgbFormat>().map_err(|e| CameraError::Frame { index, reason: e.to_string() })
    }

    /// Switches to the highest resolution, takes a settled picture, switches back.
    fn full_resolution_still(&mut self) -> Result<RgbImage, CameraError> {
        let index = self.index;
        let open = |e: nokhwa::NokhwaError| CameraError::Open { index, reason: e.to_string() };
        self.camera.stop_stream().map_err(open)?;
        let highest = RequestedFormat::new::<RgbFormat>(RequestedFormatType::AbsoluteHighestResolution);
        let taken = self.camera.set_camera_requset(highest).map_err(open).and_then(|_| {
            self.camera.open_stream().map_err(open)?;
            let mut last = self.grab()?;
            for _ in 0..STILL_WARM_UP_FRAMES {
                last = self.grab()?;
            }
            let _ = self.camera.stop_stream();
            Ok(last)
        });
        // Back to the preview whatever happened, so the stream goes on.
        self.camera.set_camera_requset(preview_request()).map_err(open)?;
        self.camera.open_stream().map_err(open)?;
        taken
    }
}

fn preview_request() -> RequestedFormat<'static> {
    let (width, height) = PREVIEW_RESOLUTION;
    let wanted = CameraFormat::new(Resolution::new(width, height), FrameFormat::MJPEG, 30);
    RequestedFormat::new::<RgbFormat>(RequestedFormatType::Closest(wanted))
}

impl FrameSource for CameraSource {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn next_frame(&mut self) -> Result<Option<Frame>, CameraError> {
        let image = self.grab()?;
        let frame = Frame { index: self.next, timestamp: self.started.elapsed(), image };
        self.next += 1;
        Ok(Some(frame))
    }

    fn still(&mut self, current: &Frame) -> Result<RgbImage, CameraError> {
        match self.full_resolution_still() {
            Ok(image) if image.width() >= current.image.width() => Ok(image),
            Ok(_) => Ok(current.image.clone()),
            Err(error) => {
                tracing::warn!(%error, "no full-resolution still; keeping the preview frame");
                // The preview stream may be gone too: a camera pulled out ends here.
                if self.camera.is_stream_open() { Ok(current.image.clone()) } else { Err(error) }
            }
        }
    }

    fn close(&mut self) {
        let _ = self.camera.stop_stream();
    }
}

/// A frame measured by the pump, ready for the preview.
#[derive(Debug, Clone)]
pub struct PreviewFrame {
    /// Position in the stream.
    pub index: u64,
    /// Time since the stream started.
    pub timestamp: Duration,
    /// The picture reduced to [`PREVIEW_SIDE`] (coordinates in `quality` are the
    /// full frame's: scale by `image.width() / quality.width`).
    pub image: RgbImage,
    /// What was measured on it.
    pub quality: FrameQuality,
    /// Acceptable frames in a row, this one included (the auto-capture needs
    /// [`AutoCaptureRule::still_frames`]).
    pub good_run: u32,
}

/// A still taken by hand or by the auto-capture rule.
#[derive(Debug, Clone)]
pub struct Still {
    /// The picture at the source's full resolution.
    pub image: RgbImage,
    /// The frame it was taken at.
    pub frame_index: u64,
    /// That frame's measures.
    pub quality: FrameQuality,
    /// Taken by the auto-capture rule (false: asked for).
    pub automatic: bool,
}

/// What the pump reports.
#[derive(Debug, Clone)]
pub enum PumpEvent {
    /// The source opened; its name.
    Started(String),
    /// A new frame (older waiting frames were dropped).
    Frame(Box<PreviewFrame>),
    /// A still was taken.
    Still(Box<Still>),
    /// The stream ended normally (a sequence played once).
    Ended,
    /// The source failed (no camera, camera pulled out, unreadable image); the pump stopped.
    Failed(String),
}

/// Settings of a pump.
#[derive(Debug, Clone, Copy)]
pub struct PumpSettings {
    /// The auto-capture thresholds.
    pub rule: AutoCaptureRule,
    /// Whether a still is taken as soon as the rule holds.
    pub auto_capture: bool,
}

impl Default for PumpSettings {
    fn default() -> PumpSettings {
        PumpSettings { rule: AutoCaptureRule::default(), auto_capture: true }
    }
}

enum Command {
    Capture,
    SetAuto(bool),
}

#[derive(Default)]
struct Mailbox {
    frames: VecDeque<PreviewFrame>,
    /// Events that must not be dropped (start, stills, the end), in order, each
    /// after the newest frame that came before it.
    events: VecDeque<PumpEvent>,
    dropped: u64,
}

struct Shared {
    mailbox: Mutex<Mailbox>,
    arrived: Condvar,
}

/// Reads a source on a background thread; stops when dropped.
pub struct FramePump {
    shared: Arc<Shared>,
    commands: Option<Sender<Command>>,
    thread: Option<JoinHandle<()>>,
}

impl FramePump {
    /// Starts reading `spec` (opened on the pump's thread); `wake` is called
    /// after every event (the window asks for a repaint).
    pub fn start(
        spec: SourceSpec,
        settings: PumpSettings,
        wake: impl Fn() + Send + 'static,
    ) -> Result<FramePump, CameraError> {
        let shared = Arc::new(Shared { mailbox: Mutex::new(Mailbox::default()), arrived: Condvar::new() });
        let (commands, received) = mpsc::channel();
        let thread_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("frame-pump".into())
            .spawn(move || pump(&spec, settings, &received, &thread_shared, &wake))
            .map_err(|e| CameraError::Thread(e.to_string()))?;
        Ok(FramePump { shared, commands: Some(commands), thread: Some(thread) })
    }

    /// Asks for a still of the current frame.
    pub fn capture(&self) {
        self.send(Command::Capture);
    }

    /// Turns the auto-capture on or off.
    pub fn set_auto_capture(&self, on: bool) {
        self.send(Command::SetAuto(on));
    }

    fn send(&self, command: Command) {
        if let Some(commands) = &self.commands {
            let _ = commands.send(command);
        }
    }

    /// The next event without waiting: start, stills and the end first, then
    /// the newest frame.
    pub fn try_next(&self) -> Option<PumpEvent> {
        let mut mailbox = self.shared.mailbox.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        take(&mut mailbox)
    }

    /// The next event, waiting at most `timeout`.
    pub fn next_timeout(&self, timeout: Duration) -> Option<PumpEvent> {
        let deadline = Instant::now() + timeout;
        let mut mailbox = self.shared.mailbox.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        loop {
            if let Some(event) = take(&mut mailbox) {
                return Some(event);
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            mailbox = self.shared.arrived.wait_timeout(mailbox, left).unwrap_or_else(|p| p.into_inner()).0;
        }
    }

    /// Frames dropped because newer ones came before they were taken.
    pub fn dropped_frames(&self) -> u64 {
        self.shared.mailbox.lock().map(|m| m.dropped).unwrap_or(0)
    }
}

fn take(mailbox: &mut Mailbox) -> Option<PumpEvent> {
    if let Some(event) = mailbox.events.pop_front() {
        return Some(event);
    }
    // Older frames are of no use once a newer one is here.
    let newest = mailbox.frames.pop_back()?;
    mailbox.dropped += mailbox.frames.len() as u64;
    mailbox.frames.clear();
    Some(PumpEvent::Frame(Box::new(newest)))
}

impl Drop for FramePump {
    fn drop(&mut self) {
        // Closing the channel stops the thread at its next frame.
        self.commands = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn pump(spec: &SourceSpec, settings: PumpSettings, commands: &Receiver<Command>, shared: &Shared, wake: &dyn Fn()) {
    let post = |event: PumpEvent| {
        let mut mailbox = shared.mailbox.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        match event {
            PumpEvent::Frame(frame) => {
                mailbox.frames.push_back(*frame);
                while mailbox.frames.len() > QUEUED_FRAMES {
                    mailbox.frames.pop_front();
                    mailbox.dropped += 1;
                }
            }
            other => {
                // The newest frame goes before the event, in the order they came.
                if let Some(newest) = mailbox.frames.pop_back() {
                    mailbox.dropped += mailbox.frames.len() as u64;
                    mailbox.frames.clear();
                    mailbox.events.push_back(PumpEvent::Frame(Box::new(newest)));
                }
                mailbox.events.push_back(other);
            }
        }
        drop(mailbox);
        shared.arrived.notify_all();
        wake();
    };
    let mut source = match spec.open() {
        Ok(source) => source,
        Err(error) => return post(PumpEvent::Failed(error.to_string())),
    };
    post(PumpEvent::Started(source.name()));
    let mut analyser = FrameAnalyser::new();
    let mut rule = AutoCapture::new(settings.rule);
    let mut auto_capture = settings.auto_capture;
    let mut current: Option<(Frame, FrameQuality)> = None;
    loop {
        let mut capture_wanted = false;
        loop {
            match commands.try_recv() {
                Ok(Command::Capture) => capture_wanted = true,
                Ok(Command::SetAuto(on)) => {
                    auto_capture = on;
                    rule.reset();
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => return source.close(),
            }
        }
        if capture_wanted && let Some((frame, quality)) = &current {
            match source.still(frame) {
                Ok(image) => post(still(image, frame, quality, false)),
                Err(error) => return post(PumpEvent::Failed(error.to_string())),
            }
            rule.reset();
        }
        let frame = match source.next_frame() {
            Ok(Some(frame)) => frame,
            Ok(None) => {
                source.close();
                return post(PumpEvent::Ended);
            }
            Err(error) => {
                source.close();
                return post(PumpEvent::Failed(error.to_string()));
            }
        };
        let quality = analyser.analyse(&frame.image);
        let fired = rule.observe(&quality);
        let good_run = if fired { rule.rule.still_frames } else { rule.run() };
        let preview = reduce(&frame.image, PREVIEW_SIDE);
        post(PumpEvent::Frame(Box::new(PreviewFrame {
            index: frame.index,
            timestamp: frame.timestamp,
            image: preview,
            quality: quality.clone(),
            good_run,
        })));
        if fired && auto_capture {
            match source.still(&frame) {
                Ok(image) => post(still(image, &frame, &quality, true)),
                Err(error) => return post(PumpEvent::Failed(error.to_string())),
            }
        }
        current = Some((frame, quality));
    }
}

fn still(image: RgbImage, frame: &Frame, quality: &FrameQuality, automatic: bool) -> PumpEvent {
    PumpEvent::Still(Box::new(Still { image, frame_index: frame.index, quality: quality.clone(), automatic }))
}

/// The image reduced so its longest side is at most `side`.
fn reduce(image: &RgbImage, side: u32) -> RgbImage {
    let (width, height) = image.dimensions();
    let longest = width.max(height);
    if longest <= side || longest == 0 {
        return image.clone();
    }
    let w = (u64::from(width) * u64::from(side) / u64::from(longest)).max(1) as u32;
    let h = (u64::from(height) * u64::from(side) / u64::from(longest)).max(1) as u32;
    image::imageops::thumbnail(image, w, h)
}

/// Where a still is written: `<data_dir>/captures/<UTC timestamp>-<label>.png`.
pub fn capture_path(data_dir: &Path, label: &str, now_unix: i64) -> PathBuf {
    let (date, seconds) = (now_unix.div_euclid(86_400), now_unix.rem_euclid(86_400));
    let (year, month, day) = tdverify_core::civil::civil_from_days(date);
    let stamp =
        format!("{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z", seconds / 3600, seconds % 3600 / 60, seconds % 60);
    data_dir.join("captures").join(format!("{stamp}-{label}.png"))
}

/// Writes a still as PNG, making its folder; a name already taken gets `-2`, `-3`…
pub fn write_still(image: &RgbImage, path: &Path) -> Result<PathBuf, CameraError> {
    let io =
        |path: &Path, e: &dyn std::fmt::Display| CameraError::Write { path: path.to_path_buf(), reason: e.to_string() };
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder).map_err(|e| io(folder, &e))?;
    }
    let mut target = path.to_path_buf();
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let mut counter = 2;
    while target.exists() {
        target = path.with_file_name(format!("{stem}-{counter}.png"));
        counter += 1;
    }
    image.save_with_format(&target, image::ImageFormat::Png).map_err(|e| io(&target, &e))?;
    Ok(target)
}

/// Size of the frames [`write_camera_like_sequence`] makes (a 720p camera).
pub const SEQUENCE_FRAME_SIZE: (u32, u32) = (1280, 720);

/// Writes a folder of frames showing `page` on a dark table as a hand-held
/// camera would (the demo, the tests and the tuning of the thresholds use it):
/// first `moving` frames out of focus and sliding, then `still` frames sharp and
/// in one place, each with a little sensor noise. Frames are
/// `frame-000.png`, `frame-001.png`… at [`SEQUENCE_FRAME_SIZE`].
pub fn write_camera_like_sequence(
    page: &RgbImage,
    folder: &Path,
    moving: usize,
    still: usize,
) -> Result<Vec<PathBuf>, CameraError> {
    let (width, height) = SEQUENCE_FRAME_SIZE;
    if page.width() == 0 || page.height() == 0 {
        return Err(CameraError::Sequence { folder: folder.to_path_buf(), reason: "the page image is empty".into() });
    }
    // The page fills about 70 % of the frame, as a document camera is set up.
    let fit = (0.7 * width as f32 / page.width() as f32).min(0.7 * height as f32 / page.height() as f32);
    let (page_width, page_height) =
        (((page.width() as f32 * fit) as u32).max(1), ((page.height() as f32 * fit) as u32).max(1));
    let scaled = image::imageops::resize(page, page_width, page_height, image::imageops::FilterType::Triangle);
    std::fs::create_dir_all(folder)
        .map_err(|e| CameraError::Write { path: folder.to_path_buf(), reason: e.to_string() })?;
    let centre = ((width - page_width.min(width)) / 2, (height - page_height.min(height)) / 2);
    let mut paths = Vec::new();
    for index in 0..moving + still {
        let settling = index < moving;
        // Sliding towards its resting place, and coming into focus.
        let left = (moving - index.min(moving)) as i64 * 14;
        let offset = (i64::from(centre.0) + left, i64::from(centre.1) + left / 3);
        let mut frame = RgbImage::from_pixel(width, height, image::Rgb([46, 44, 42]));
        image::imageops::overlay(&mut frame, &scaled, offset.0, offset.1);
        if settling {
            frame = image::imageops::blur(&frame, 2.0 + 2.0 * (moving - index) as f32 / moving.max(1) as f32);
        }
        add_noise(&mut frame, index as u32);
        let path = folder.join(format!("frame-{index:03}.png"));
        frame.save(&path).map_err(|e| CameraError::Write { path: path.clone(), reason: e.to_string() })?;
        paths.push(path);
    }
    Ok(paths)
}

/// Adds ±2 grey levels of deterministic noise, like a camera sensor's.
fn add_noise(frame: &mut RgbImage, seed: u32) {
    let mut state = seed.wrapping_mul(0x9e37_79b9) | 1;
    for value in frame.iter_mut() {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        *value = value.saturating_add_signed((state % 5) as i8 - 2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::frame_quality::tests::synthetic_page;
    use crate::capture::frame_quality::{
        MAX_GLARE as MAX_GLARE_FOR_TESTS, MIN_SHARPNESS as MIN_SHARPNESS_FOR_TESTS,
        STILL_FRAMES as STILL_FRAMES_FOR_TESTS,
    };

    fn write_frames(folder: &Path, frames: &[RgbImage]) {
        for (index, frame) in frames.iter().enumerate() {
            frame.save(folder.join(format!("frame-{index:03}.png"))).expect("write a frame");
        }
    }

    #[test]
    fn sources_are_chosen_by_camera_n_or_a_folder() {
        assert_eq!(SourceSpec::parse("camera:2").expect("camera"), SourceSpec::Camera(2));
        assert_eq!(SourceSpec::parse("camera").expect("camera"), SourceSpec::Camera(0));
        assert!(matches!(SourceSpec::parse("camera:x"), Err(CameraError::BadSource { .. })));
        assert!(matches!(SourceSpec::parse("  "), Err(CameraError::BadSource { .. })));
        assert!(matches!(SourceSpec::parse("/tmp/frames"), Ok(SourceSpec::Sequence { looping: false, .. })));
    }

    #[test]
    fn camera_0_without_a_camera_says_so_clearly() {
        // This machine (and CI) has no camera: the message must say so and what to do.
        let error = SourceSpec::parse("camera:0").and_then(|spec| spec.open().map(|_| ())).expect_err("no camera here");
        let message = error.to_string();
        assert!(message.contains("no camera") || message.contains("camera 0"), "{message}");
    }

    #[test]
    fn a_sequence_plays_in_name_order_once_or_looping() {
        let dir = tempfile::tempdir().expect("temp dir");
        let frames: Vec<RgbImage> = (1..=3u32).map(|w| RgbImage::new(10 * w, 8)).collect();
        write_frames(dir.path(), &frames);
        std::fs::write(dir.path().join("notes.txt"), "not a frame").expect("write");
        let mut once = ImageSequence::open(dir.path(), 0.0, false).expect("open");
        let widths: Vec<u32> =
            std::iter::from_fn(|| once.next_frame().expect("a frame")).map(|f| f.image.width()).collect();
        assert_eq!(widths, [10, 20, 30]);
        let mut looping = ImageSequence::open(dir.path(), 0.0, true).expect("open");
        let indices: Vec<(u64, u32)> = (0..5)
            .map(|_| looping.next_frame().expect("ok").expect("a frame"))
            .map(|f| (f.index, f.image.width()))
            .collect();
        assert_eq!(indices, [(0, 10), (1, 20), (2, 30), (3, 10), (4, 20)]);
    }

    #[test]
    fn a_sequence_keeps_its_rate() {
        let dir = tempfile::tempdir().expect("temp dir");
        write_frames(dir.path(), &vec![RgbImage::new(8, 8); 4]);
        let mut sequence = ImageSequence::open(dir.path(), 20.0, false).expect("open");
        let started = Instant::now();
        while sequence.next_frame().expect("ok").is_some() {}
        // Four frames at 20 a second: the last is due at 150 ms.
        assert!(started.elapsed() >= Duration::from_millis(140), "{:?}", started.elapsed());
    }

    #[test]
    fn missing_empty_and_damaged_sequences_are_errors_not_panics() {
        let dir = tempfile::tempdir().expect("temp dir");
        let missing = ImageSequence::open(&dir.path().join("nope"), 10.0, false).err().expect("missing");
        assert!(missing.to_string().contains("nope"), "{missing}");
        let empty = ImageSequence::open(dir.path(), 10.0, false).err().expect("empty");
        assert!(matches!(empty, CameraError::EmptySequence { .. }), "{empty}");
        std::fs::write(dir.path().join("broken.png"), b"not a png").expect("write");
        let mut sequence = ImageSequence::open(dir.path(), 0.0, false).expect("one file");
        let damaged = sequence.next_frame().expect_err("damaged");
        assert!(damaged.to_string().contains("broken.png"), "{damaged}");
    }

    #[test]
    fn the_pump_keeps_only_the_newest_frames_and_reports_the_end() {
        let dir = tempfile::tempdir().expect("temp dir");
        write_frames(dir.path(), &vec![RgbImage::new(64, 48); 12]);
        let spec = SourceSpec::Sequence { folder: dir.path().to_path_buf(), fps: 0.0, looping: false };
        let settings = PumpSettings { auto_capture: false, ..PumpSettings::default() };
        let pump = FramePump::start(spec, settings, || {}).expect("start");
        // Nobody takes frames while the sequence plays: only the newest survive.
        std::thread::sleep(Duration::from_millis(800));
        let mut events = Vec::new();
        while let Some(event) = pump.next_timeout(Duration::from_secs(5)) {
            let end = matches!(event, PumpEvent::Ended | PumpEvent::Failed(_));
            events.push(event);
            if end {
                break;
            }
        }
        assert!(matches!(events.first(), Some(PumpEvent::Started(_))), "{events:?}");
        assert!(matches!(events.last(), Some(PumpEvent::Ended)), "{events:?}");
        let frames: Vec<u64> =
            events.iter().filter_map(|e| if let PumpEvent::Frame(f) = e { Some(f.index) } else { None }).collect();
        assert_eq!(frames, [11], "one frame, the newest");
        assert_eq!(pump.dropped_frames(), 11);
    }

    #[test]
    fn the_pump_fails_with_the_message_when_the_source_cannot_open() {
        let dir = tempfile::tempdir().expect("temp dir");
        let spec = SourceSpec::Sequence { folder: dir.path().join("absent"), fps: 10.0, looping: true };
        let pump = FramePump::start(spec, PumpSettings::default(), || {}).expect("start");
        match pump.next_timeout(Duration::from_secs(5)) {
            Some(PumpEvent::Failed(message)) => assert!(message.contains("absent"), "{message}"),
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    #[test]
    fn a_still_asked_for_is_the_full_resolution_frame() {
        let dir = tempfile::tempdir().expect("temp dir");
        write_frames(dir.path(), &vec![synthetic_page(1600, 900, (0, 0)); 3]);
        let spec = SourceSpec::Sequence { folder: dir.path().to_path_buf(), fps: 10.0, looping: true };
        let settings = PumpSettings { auto_capture: false, ..PumpSettings::default() };
        let pump = FramePump::start(spec, settings, || {}).expect("start");
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut asked = false;
        loop {
            assert!(Instant::now() < deadline, "no still came");
            match pump.next_timeout(Duration::from_secs(5)) {
                Some(PumpEvent::Frame(frame)) => {
                    assert!(frame.image.width() <= PREVIEW_SIDE);
                    if !asked {
                        pump.capture();
                        asked = true;
                    }
                }
                Some(PumpEvent::Still(still)) => {
                    assert!(!still.automatic);
                    assert_eq!(still.image.dimensions(), (1600, 900));
                    break;
                }
                Some(PumpEvent::Failed(message)) => panic!("{message}"),
                _ => {}
            }
        }
    }

    #[test]
    fn stills_are_written_under_captures_with_a_utc_stamp() {
        let dir = tempfile::tempdir().expect("temp dir");
        // 2026-12-07 16:02:28 UTC.
        let path = capture_path(dir.path(), "white", 1_796_659_348);
        assert_eq!(path, dir.path().join("captures").join("20261207T160228Z-white.png"));
        let image = RgbImage::new(4, 3);
        let first = write_still(&image, &path).expect("write");
        let second = write_still(&image, &path).expect("write again");
        assert_eq!(first, path);
        assert_ne!(first, second, "a second still the same second keeps the first");
        let blocked = dir.path().join("file");
        std::fs::write(&blocked, b"x").expect("write");
        let error = write_still(&image, &blocked.join("captures").join("x.png")).expect_err("a file is in the way");
        assert!(error.to_string().contains("file"), "{error}");
    }

    #[test]
    fn auto_capture_fires_on_a_sharp_still_frame_of_a_fixture_sequence_and_not_before() {
        let fixtures = crate::resources::Resources::discover().fixtures;
        let Some(white) = crate::samples::first_sample(&fixtures)
            .and_then(|sample| sample.images.into_iter().find(|(_, light)| *light == tdverify_core::Light::White))
        else {
            tdverify_core::test_data::missing_project_piece(
                "out/fixtures",
                "run cargo xtask setup (it generates the fixtures)",
            );
        };
        let page = crate::capture::decode_file(&white.0).expect("the fixture page decodes").into_rgb8();
        let dir = tempfile::tempdir().expect("temp dir");
        let (moving, still) = (8, 14);
        write_camera_like_sequence(&page, dir.path(), moving, still).expect("write the sequence");
        // The measures frame by frame (the thresholds were tuned on these).
        let mut analyser = FrameAnalyser::new();
        let mut rule = AutoCapture::default();
        let mut first_fired = None;
        for index in 0..moving + still {
            let frame = crate::capture::decode_file(&dir.path().join(format!("frame-{index:03}.png")))
                .expect("frame")
                .into_rgb8();
            let quality = analyser.analyse(&frame);
            let fired = rule.observe(&quality);
            eprintln!(
                "frame {index:2}: sharpness {:7.1} glare {:.4} motion {:?} outline {} fired {fired}",
                quality.sharpness,
                quality.glare,
                quality.stillness,
                quality.outline.is_some()
            );
            if index < moving {
                assert!(!quality.acceptable(&rule.rule), "frame {index} is blurred and moving: {quality:?}");
            } else {
                assert!(quality.sharpness > 1.5 * MIN_SHARPNESS_FOR_TESTS, "frame {index} is sharp: {quality:?}");
                assert!(quality.glare < MAX_GLARE_FOR_TESTS, "frame {index} has no glare: {quality:?}");
                assert!(quality.outline.is_some(), "frame {index} shows the page: {quality:?}");
            }
            if fired && first_fired.is_none() {
                first_fired = Some(index);
            }
        }
        // Frame `moving` is the first sharp one, but it differs from the last moving frame.
        assert_eq!(first_fired, Some(moving + STILL_FRAMES_FOR_TESTS as usize), "fires after enough still frames");

        // The pump does the same and hands over that frame at full resolution.
        let spec = SourceSpec::Sequence { folder: dir.path().to_path_buf(), fps: 0.0, looping: false };
        let pump = FramePump::start(spec, PumpSettings::default(), || {}).expect("start");
        let still = loop {
            match pump.next_timeout(Duration::from_secs(30)) {
                Some(PumpEvent::Still(still)) => break still,
                Some(PumpEvent::Ended) => panic!("the sequence ended without an auto-capture"),
                Some(PumpEvent::Failed(message)) => panic!("{message}"),
                Some(_) => {}
                None => panic!("the pump went quiet"),
            }
        };
        assert!(still.automatic);
        assert_eq!(still.frame_index, (moving + STILL_FRAMES_FOR_TESTS as usize) as u64);
        assert_eq!(still.image.dimensions(), SEQUENCE_FRAME_SIZE);
        assert!(still.quality.sharpness >= MIN_SHARPNESS_FOR_TESTS);
    }
}
