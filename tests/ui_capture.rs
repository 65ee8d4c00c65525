//! Issue 30's camera in the window, through egui_kittest, with a camera-like source: the
//! Camera button on a machine without a camera opens the capture window with a clear
//! message; a fixture page played as a folder of frames (blurred and sliding, then sharp
//! and still) is captured by itself and opens as the document's white image; with the
//! auto-capture off, Space takes the bearer's photo.

use std::path::{Path, PathBuf};
use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use tdverify::capture::live::write_camera_like_sequence;
use tdverify::core::Light;
use tdverify::resources::Resources;
use tdverify::settings::Settings;
use tdverify::ui::screens::CaptureMode;
use tdverify::ui::{Screen, StartOptions, TdverifyApp};

mod support;
use support::step_until;

fn harness(dir: &Path) -> Harness<'static, TdverifyApp> {
    let settings = Settings { data_dir: dir.join("data"), ..Settings::default() };
    let start = StartOptions::on_screen(Screen::Document, Settings::file_in(dir));
    let app = TdverifyApp::new(settings, Resources::discover(), start).with_manual_stages();
    Harness::builder().with_size([1400.0, 1000.0]).build_ui_state(|ui, app: &mut TdverifyApp| app.show(ui), app)
}

/// A fixture document's white page as a camera sees it: 8 frames blurred and sliding, then 14 sharp and still.
fn camera_like_folder(out: &Path) -> PathBuf {
    let fixtures = Resources::discover().fixtures;
    let Some((white, _)) = tdverify::samples::first_sample(&fixtures)
        .and_then(|sample| sample.images.into_iter().find(|(_, light)| *light == Light::White))
    else {
        tdverify::core::test_data::missing_project_piece("out/fixtures", "run cargo xtask setup (it generates them)");
    };
    let page = tdverify::capture::decode_file(&white).expect("the fixture page decodes").into_rgb8();
    let folder = out.join("frames");
    write_camera_like_sequence(&page, &folder, 8, 14).expect("write the frames");
    folder
}

#[test]
fn the_camera_button_without_a_camera_opens_the_window_with_a_clear_message() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut harness = harness(dir.path());
    harness.step();
    harness.get_by_label("Camera…").click();
    harness.run();
    assert!(harness.state().document.camera.is_open());
    assert!(harness.query_by_label_contains("No camera found").is_some(), "the window says there is no camera");
    // Nothing to preview and nothing running: no panic, no still.
    assert!(!harness.state().document.camera.is_running());
    assert!(harness.state().document.slots.is_empty());
}

#[test]
fn a_sequence_folder_is_captured_by_itself_as_the_white_image() {
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = camera_like_folder(dir.path());
    let mut harness = harness(dir.path());
    harness.step();
    {
        let camera = &mut harness.state_mut().document.camera;
        camera.folder_fps = 30.0;
        camera.open_folder(CaptureMode::Document { light: Light::White, page: 0 }, &folder);
    }
    step_until(&mut harness, Duration::from_secs(60), "the first frame", |app| {
        app.document.camera.last_quality().is_some()
    });
    for gauge in ["Sharpness", "Glare", "Stillness"] {
        assert!(harness.query_all_by_label(gauge).next().is_some(), "the {gauge} gauge is shown");
    }
    assert!(harness.state().document.slots.is_empty(), "nothing captured while the page is blurred and moving");
    step_until(&mut harness, Duration::from_secs(120), "the auto-capture", |app| {
        app.document.slots.iter().any(|slot| slot.light == Light::White)
    });
    let state = harness.state();
    assert!(!state.document.camera.is_open(), "the window closes with the still");
    let slot = state.document.slots.iter().find(|slot| slot.light == Light::White).expect("a white slot");
    assert_eq!(slot.page, 0);
    assert_eq!(slot.path.parent(), Some(dir.path().join("data").join("captures").as_path()));
    assert!(slot.path.to_string_lossy().ends_with("Z-white.png"), "{}", slot.path.display());
    assert_eq!((slot.capture.image.width(), slot.capture.image.height()), (1280, 720));
}

#[test]
fn with_auto_capture_off_space_takes_the_bearer_photo() {
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = camera_like_folder(dir.path());
    let mut harness = harness(dir.path());
    harness.step();
    {
        let camera = &mut harness.state_mut().document.camera;
        camera.auto_capture = false;
        camera.folder_fps = 30.0;
        camera.open_folder(CaptureMode::Bearer, &folder);
    }
    // Past the frames a rule would have fired on: off, it must not.
    step_until(&mut harness, Duration::from_secs(60), "frame 18", |app| {
        app.document.camera.last_quality().is_some() && app.document.camera.is_running()
    });
    std::thread::sleep(Duration::from_millis(1000));
    harness.step();
    assert!(harness.state().document.camera.is_open(), "no still without Space when the auto-capture is off");
    harness.key_press(eframe::egui::Key::Space);
    step_until(&mut harness, Duration::from_secs(30), "the still", |app| !app.document.camera.is_open());
    harness.state_mut().document.face.finish();
    harness.step();
    let bearer = harness.state().document.face.bearer.as_ref().expect("the bearer photo is open");
    let path = bearer.path.as_ref().expect("it came from the capture file");
    assert!(path.to_string_lossy().ends_with("Z-bearer.png"), "{}", path.display());
    assert!(harness.state().document.slots.is_empty(), "a bearer photo is not a document image");
}
