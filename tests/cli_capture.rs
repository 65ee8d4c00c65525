//! Issue 30's camera from the command line, with a camera-like source: a fixture page
//! played as a folder of frames (first blurred and sliding, then sharp and still) gives,
//! with `capture --auto --json`, the still of the first frame the auto-capture rule
//! accepts, written under `<data-dir>/captures/`; without `--auto` the frame after
//! `--after` goes to `--out`; `camera:0` on a machine without a camera says so; a bad
//! light is bad input.

use std::path::{Path, PathBuf};

use tdverify::capture::frame_quality::{MIN_SHARPNESS, STILL_FRAMES};
use tdverify::capture::live::{SEQUENCE_FRAME_SIZE, write_camera_like_sequence};
use tdverify::core::Light;

#[path = "support/cli.rs"]
mod cli_support;

use cli_support::{ok, tdverify, text};

/// Frames out of focus and moving before the page lies still.
const MOVING: usize = 8;
/// Sharp, still frames after them.
const STILL: usize = 14;

/// A fixture document's white page played as a camera would see it: the folder.
fn camera_like_folder(out: &Path) -> PathBuf {
    let fixtures = tdverify::resources::Resources::discover().fixtures;
    let Some((white, _)) = tdverify::samples::first_sample(&fixtures)
        .and_then(|sample| sample.images.into_iter().find(|(_, light)| *light == Light::White))
    else {
        tdverify::core::test_data::missing_project_piece("out/fixtures", "run cargo xtask setup (it generates them)");
    };
    let page = tdverify::capture::decode_file(&white).expect("the fixture page decodes").into_rgb8();
    let folder = out.join("frames");
    write_camera_like_sequence(&page, &folder, MOVING, STILL).expect("write the frames");
    folder
}

#[test]
fn auto_capture_writes_the_first_sharp_still_frame_under_captures() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let folder = camera_like_folder(dir.path());
    let source = folder.display().to_string();
    let output =
        tdverify(&data, &["capture", "--source", &source, "--light", "white", "--auto", "--fps", "0", "--json"]);
    let report: serde_json::Value = serde_json::from_str(&ok(output)).expect("JSON");
    assert_eq!(report["frame"], serde_json::json!(MOVING + STILL_FRAMES as usize), "{report}");
    assert!(report["sharpness"].as_f64().is_some_and(|s| s >= f64::from(MIN_SHARPNESS)), "{report}");
    assert!(report["glare"].as_f64().is_some_and(|g| g < 0.005), "{report}");
    assert!(report["stillness"].as_f64().is_some_and(|m| m < 1.0), "{report}");
    assert_eq!(report["automatic"], true);
    let path = PathBuf::from(report["path"].as_str().expect("a path"));
    assert_eq!(path.parent(), Some(data.join("captures").as_path()), "{report}");
    assert!(path.file_name().is_some_and(|n| n.to_string_lossy().ends_with("Z-white.png")), "{report}");
    let still = image::open(&path).expect("the still is a PNG");
    assert_eq!((still.width(), still.height()), SEQUENCE_FRAME_SIZE);
}

#[test]
fn without_auto_the_frame_after_the_warm_up_goes_to_out() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let folder = camera_like_folder(dir.path());
    let out = dir.path().join("stills").join("uv-back.png");
    let args = [
        "capture",
        "--source",
        folder.to_str().expect("a UTF-8 path"),
        "--light",
        "uv",
        "--side",
        "1",
        "--after",
        "2",
        "--fps",
        "0",
        "--out",
        out.to_str().expect("a UTF-8 path"),
    ];
    let stdout = ok(tdverify(&data, &args));
    assert!(stdout.contains(&out.display().to_string()), "{stdout}");
    assert!(!stdout.contains("automatically"), "{stdout}");
    assert_eq!(image::open(&out).expect("a PNG").width(), SEQUENCE_FRAME_SIZE.0);
    assert!(!data.join("captures").exists(), "--out writes only there");
}

#[test]
fn a_sequence_that_never_settles_ends_with_the_reason() {
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = dir.path().join("blurred");
    std::fs::create_dir_all(&folder).expect("folder");
    for index in 0..4 {
        image::RgbImage::from_pixel(320, 200, image::Rgb([90, 90, 90]))
            .save(folder.join(format!("{index}.png")))
            .expect("frame");
    }
    let output = tdverify(
        &dir.path().join("data"),
        &["capture", "--source", folder.to_str().expect("UTF-8"), "--auto", "--fps", "0"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(text(&output).contains("before a frame was sharp, still and free of glare"), "{}", text(&output));
}

#[test]
fn camera_0_without_a_camera_gives_a_clear_message() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output =
        tdverify(&dir.path().join("data"), &["capture", "--source", "camera:0", "--light", "white", "--timeout", "20"]);
    let message = text(&output);
    assert_eq!(output.status.code(), Some(1), "{message}");
    assert!(message.contains("no camera found") || message.contains("camera 0"), "{message}");
    assert!(!message.contains("panicked"), "{message}");
}

#[test]
fn bad_input_is_refused_with_exit_code_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let light = tdverify(&data, &["capture", "--source", "camera:0", "--light", "green"]);
    assert_eq!(light.status.code(), Some(2), "{}", text(&light));
    assert!(text(&light).contains("--light green"), "{}", text(&light));
    let source = tdverify(&data, &["capture", "--source", "camera:one"]);
    assert_eq!(source.status.code(), Some(2), "{}", text(&source));
    assert!(text(&source).contains("camera:N"), "{}", text(&source));
}
