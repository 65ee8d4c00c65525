//! `tdverify capture`: the capture window's pump and auto-capture rule without a
//! window. Reads a camera (`camera:N`) or a folder of images played like one,
//! writes the still as PNG (under `<data-dir>/captures/` unless `--out`) and
//! says where, with the frame's measures.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use tdverify::capture::frame_quality::FrameQuality;
use tdverify::capture::live::{
    DEFAULT_SEQUENCE_FPS, FramePump, PumpEvent, PumpSettings, SourceSpec, Still, capture_path, write_still,
};
use tdverify::core::Light;

use super::Context;
use super::cases::{Failure, finish, print_json};

/// `tdverify capture`: take one still from a camera or a folder of images.
#[derive(Debug, clap::Args)]
pub struct CaptureArgs {
    /// `camera:N` (N from the camera list; `camera` is the first) or a folder of images played in name order.
    #[arg(long, value_name = "camera:N|FOLDER")]
    source: String,
    /// The light the document is lit with (white, uv, ir, coaxial).
    #[arg(long, default_value = "white")]
    light: String,
    /// The side: 0 the MRZ side (or the only side), 1 the other side of a card.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=1))]
    side: u8,
    /// Take the still by itself when the page is sharp, still and free of glare
    /// (without it: the frame after the camera's first `--after` frames).
    #[arg(long)]
    auto: bool,
    /// Without `--auto`: frames to let pass before the still (cameras settle exposure and focus).
    #[arg(long, default_value_t = 8, value_name = "N")]
    after: u64,
    /// Write the still here instead of `<data-dir>/captures/<UTC time>-<light>.png`.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Frames a second a folder of images plays at.
    #[arg(long, default_value_t = DEFAULT_SEQUENCE_FPS, value_name = "N")]
    fps: f32,
    /// Give up after this many seconds without a still.
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    timeout: u64,
    /// Print the result as JSON (path, frame, sharpness, glare, stillness).
    #[arg(long)]
    json: bool,
}

/// What `--json` prints.
#[derive(Debug, serde::Serialize)]
struct CaptureReport {
    /// The PNG written.
    path: PathBuf,
    /// The frame the still was taken at, from 0.
    frame: u64,
    /// Variance of the Laplacian on the reduced frame.
    sharpness: f32,
    /// Share of the page clipped to white.
    glare: f32,
    /// Mean grey-level difference to the previous frame (null for the first frame).
    stillness: Option<f32>,
    /// Taken by the auto-capture rule.
    automatic: bool,
    /// The source's name.
    source: String,
    /// The light.
    light: Light,
    /// The side (0 the MRZ side).
    side: u8,
    /// Width of the still in pixels.
    width: u32,
    /// Height of the still in pixels.
    height: u32,
}

/// Runs `tdverify capture`.
pub fn run(context: &Context, args: CaptureArgs) -> ExitCode {
    finish(capture(context, &args))
}

fn capture(context: &Context, args: &CaptureArgs) -> Result<(), Failure> {
    let light = Light::parse(&args.light)
        .ok_or_else(|| Failure::input(format!("--light {}: give white, uv, ir or coaxial", args.light)))?;
    if !args.fps.is_finite() {
        return Err(Failure::input("--fps must be a number"));
    }
    let spec = match SourceSpec::parse(&args.source).map_err(|e| Failure::input(e.to_string()))? {
        SourceSpec::Sequence { folder, .. } => SourceSpec::Sequence { folder, fps: args.fps, looping: false },
        camera => camera,
    };
    let settings = PumpSettings { auto_capture: args.auto, ..PumpSettings::default() };
    let pump = FramePump::start(spec, settings, || {}).map_err(|e| Failure::failed(e.to_string()))?;
    let deadline = Instant::now() + Duration::from_secs(args.timeout);
    let mut source = String::new();
    let mut asked = false;
    let mut best: Option<FrameQuality> = None;
    let still: Still = loop {
        let left = deadline.checked_duration_since(Instant::now()).ok_or_else(|| {
            Failure::failed(format!("no still within {} s{}", args.timeout, best_so_far(best.as_ref())))
        })?;
        match pump.next_timeout(left) {
            Some(PumpEvent::Started(name)) => source = name,
            Some(PumpEvent::Frame(frame)) => {
                if !args.auto && !asked && frame.index >= args.after {
                    pump.capture();
                    asked = true;
                }
                if best.as_ref().is_none_or(|b| frame.quality.sharpness > b.sharpness) {
                    best = Some(frame.quality.clone());
                }
            }
            Some(PumpEvent::Still(still)) => break *still,
            Some(PumpEvent::Ended) => {
                let why = if args.auto {
                    "before a frame was sharp, still and free of glare"
                } else {
                    "before the still (fewer frames than --after)"
                };
                return Err(Failure::failed(format!("{} ended {why}{}", args.source, best_so_far(best.as_ref()))));
            }
            Some(PumpEvent::Failed(message)) => return Err(Failure::failed(message)),
            None => {}
        }
    };
    drop(pump);
    let label =
        if args.side == 0 { light.as_str().to_owned() } else { format!("{}-side{}", light.as_str(), args.side) };
    let target = match &args.out {
        Some(path) => path.clone(),
        None => capture_path(&context.data_dir, &label, tdverify::pki::now_unix()),
    };
    let path = if args.out.is_some() {
        write_exact(&still, &target)?
    } else {
        write_still(&still.image, &target).map_err(|e| Failure::failed(e.to_string()))?
    };
    let report = CaptureReport {
        path,
        frame: still.frame_index,
        sharpness: still.quality.sharpness,
        glare: still.quality.glare,
        stillness: still.quality.stillness,
        automatic: still.automatic,
        source,
        light,
        side: args.side,
        width: still.image.width(),
        height: still.image.height(),
    };
    if args.json {
        return print_json(&report);
    }
    println!(
        "wrote {} (frame {}, sharpness {:.0}, glare {:.2} %, stillness {}{})",
        report.path.display(),
        report.frame,
        report.sharpness,
        report.glare * 100.0,
        report.stillness.map_or_else(|| "-".to_owned(), |m| format!("{m:.1}")),
        if report.automatic { ", taken automatically" } else { "" }
    );
    Ok(())
}

/// `--out FILE`: exactly that file (replaced when it exists), its folder made.
fn write_exact(still: &Still, path: &std::path::Path) -> Result<PathBuf, Failure> {
    if let Some(folder) = path.parent().filter(|f| !f.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder)
            .map_err(|e| Failure::failed(format!("cannot create {}: {e}", folder.display())))?;
    }
    still
        .image
        .save_with_format(path, image::ImageFormat::Png)
        .map_err(|e| Failure::failed(format!("cannot write the still to {}: {e}", path.display())))?;
    Ok(path.to_path_buf())
}

fn best_so_far(best: Option<&FrameQuality>) -> String {
    match best {
        Some(q) => format!(
            " (sharpest frame: sharpness {:.0}, glare {:.2} %, stillness {})",
            q.sharpness,
            q.glare * 100.0,
            q.stillness.map_or_else(|| "-".to_owned(), |m| format!("{m:.1}"))
        ),
        None => String::new(),
    }
}
