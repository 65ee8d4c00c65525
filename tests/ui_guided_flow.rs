//! Issue 30's guided flow through egui_kittest, with the keyboard only and the real chip
//! stack: an officer logged in presses Ctrl+N, the scanner delivers a fixture passport's
//! images, the MRZ is read, the chip is read by itself through pcscd + vpcd from
//! `tdverify chip emulate` (the passport's own TEST-ONLY chip), the bearer's photo comes
//! from the desk camera (a camera-like image sequence), and Ctrl+S saves the case with
//! the officer's verdict. The keystrokes and the time from "new case" to "saved" are
//! printed for the note.
//!
//! It uses the machine's only virtual reader and starts pcscd when none runs, so
//! `.config/nextest.toml` runs it alone.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use tdverify::core::{Light, Verdict};
use tdverify::resources::Resources;
use tdverify::settings::Settings;
use tdverify::store::{Role, Store, StoreOptions};
use tdverify::ui::screens::CaseLink;
use tdverify::ui::screens::flow::{Progress, Stage};
use tdverify::ui::{Screen, StartOptions, TdverifyApp};

mod support;
use support::step_until;

const BINARY: &str = env!("CARGO_BIN_EXE_tdverify");
const TEST_PASSPHRASE: &str = "TEST-ONLY station passphrase";
const TEST_PASSWORD: &str = "TEST-ONLY password 1";
const PCSCD: &str = "/usr/sbin/pcscd";
const VPCD_DRIVER: &str = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so";

/// Stops the processes this test started.
struct Children(Vec<Child>);

impl Drop for Children {
    fn drop(&mut self) {
        for child in self.0.iter_mut().rev() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A genuine one-page fixture document with a chip.
fn passport_with_chip(fixtures: &Path) -> tdverify::samples::Sample {
    tdverify::samples::list_samples(fixtures)
        .into_iter()
        .find(|s| {
            let truth = std::fs::read_to_string(s.folder.join("truth.json")).unwrap_or_default();
            let genuine = serde_json::from_str::<serde_json::Value>(&truth)
                .is_ok_and(|t| t.get("scenario").and_then(|g| g.as_str()) == Some("genuine"));
            genuine && s.other_side.is_empty() && s.folder.join("chip").is_dir() && s.bearer.is_some()
        })
        .unwrap_or_else(|| {
            tdverify::core::test_data::missing_project_piece(
                "a genuine fixture passport with a chip and a bearer photo in out/fixtures",
                "run cargo xtask setup",
            )
        })
}

fn press(harness: &mut Harness<'static, TdverifyApp>, keys: &mut usize, modifiers: egui::Modifiers, key: egui::Key) {
    harness.key_press_modifiers(modifiers, key);
    *keys += 1;
    harness.step();
}

/// Where a stage of the flow stands, as the bar shows it.
fn stage(app: &TdverifyApp, which: Stage) -> Progress {
    app.document.stage_progress(which, &tdverify::i18n::Translator::new("en-US"))
}

#[test]
fn keyboard_only_case_from_new_case_to_saved_with_the_chip_read_by_itself() {
    for (path, package) in [(PCSCD, "pcscd"), (VPCD_DRIVER, "vsmartcard-vpcd")] {
        if !Path::new(path).exists() {
            tdverify::core::test_data::missing_project_piece(path, format!("run cargo xtask setup (Debian {package})"));
        }
    }
    let resources = Resources::discover();
    let sample = passport_with_chip(&resources.fixtures);
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");

    // The station: a store with an officer, and the fixtures' TEST CSCA trusted.
    let store = Store::initialize(&data, TEST_PASSPHRASE, StoreOptions::test_only_fast()).expect("store");
    store.create_first_admin("admin", TEST_PASSWORD).expect("admin");
    let admin = store.login("admin", TEST_PASSWORD).expect("admin login");
    store.create_user(&admin, "officer", TEST_PASSWORD, Role::Officer).expect("officer");
    drop(store);
    // The master lists first: a CRL is imported only under a CSCA it verifies with.
    let pki = resources.fixtures.join("pki");
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(&pki)
        .expect("fixture pki folder")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "ml" || e == "crl"))
        .collect();
    files.sort_by_key(|path| (path.extension().is_some_and(|e| e == "crl"), path.clone()));
    for path in files {
        let out = Command::new(BINARY).arg("--data-dir").arg(&data).arg("csca").arg("import").arg(&path).output();
        let out = out.expect("tdverify runs");
        assert!(out.status.success(), "csca import {}: {}", path.display(), String::from_utf8_lossy(&out.stderr));
    }

    // The reader: pcscd with vpcd, and the passport's own chip on it.
    let mut children = Children(Vec::new());
    let no_reader = || tdverify::chip::pcsc_transport::list_readers().map(|r| r.is_empty()).unwrap_or(true);
    if no_reader() {
        children
            .0
            .push(Command::new(PCSCD).arg("-f").stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("pcscd"));
        let started = Instant::now();
        while no_reader() {
            assert!(started.elapsed() < Duration::from_secs(10), "pcscd did not come up");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    children.0.push(
        Command::new(BINARY)
            .arg("chip")
            .arg("emulate")
            .arg("--fixture")
            .arg(sample.folder.join("chip"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("emulator starts"),
    );

    // The desk camera: a camera-like source, a folder of frames of the bearer.
    let camera_frames = dir.path().join("camera");
    std::fs::create_dir_all(&camera_frames).expect("camera folder");
    let bearer = sample.bearer.clone().expect("bearer photo");
    for index in 0..4 {
        std::fs::copy(&bearer, camera_frames.join(format!("frame-{index:02}.jpg"))).expect("camera frame");
    }

    let settings = Settings { data_dir: data.clone(), ..Settings::default() };
    let start = StartOptions::on_screen(Screen::Cases, Settings::file_in(dir.path()));
    let mut app = TdverifyApp::new(settings, resources.clone(), start);
    // The station's desk camera is this folder (a camera-like source).
    app.document.camera.source = tdverify::ui::screens::SourceChoice::Folder;
    app.document.camera.folder = camera_frames.display().to_string();
    let mut harness =
        Harness::builder().with_size([1280.0, 800.0]).build_ui_state(|ui, app: &mut TdverifyApp| app.show(ui), app);

    // Before the case: the officer unlocks the station and logs in (not counted).
    harness.state_mut().cases.login.passphrase = TEST_PASSPHRASE.to_owned();
    harness.get_by_label("Unlock").click();
    harness.run();
    harness.state_mut().cases.login.username = "officer".to_owned();
    harness.state_mut().cases.login.password = TEST_PASSWORD.to_owned();
    harness.get_by_label("Log in").click();
    harness.run();
    assert!(harness.state().cases.session.is_some(), "the officer is logged in");

    let mut keys = 0;
    let started = Instant::now();
    press(&mut harness, &mut keys, egui::Modifiers::COMMAND, egui::Key::N);
    assert_eq!(harness.state().screen, Screen::Document, "Ctrl+N opens a new case on the Document screen");

    // The scanner delivers the images (the hot folder has its own test).
    for (path, light) in &sample.images {
        harness.state_mut().document.open_on_page(path.clone(), Some(*light), 0);
    }
    step_until(&mut harness, Duration::from_secs(300), "the MRZ read", |app| stage(app, Stage::Mrz) == Progress::Done);
    step_until(&mut harness, Duration::from_secs(120), "the chip read, started by itself", |app| {
        !matches!(stage(app, Stage::Chip), Progress::Waiting | Progress::Running)
    });
    assert_eq!(stage(harness.state(), Stage::Chip), Progress::Done, "the chip is read");

    // The bearer's photo from the desk camera: Ctrl+B, captured when sharp and still.
    press(&mut harness, &mut keys, egui::Modifiers::COMMAND, egui::Key::B);
    step_until(&mut harness, Duration::from_secs(60), "the bearer's photo", |app| app.document.face.bearer.is_some());
    step_until(&mut harness, Duration::from_secs(300), "the results with the chip and the photo", |app| {
        stage(app, Stage::Results) == Progress::Done
    });
    let result = harness.state().document.inspection.result.clone().expect("results");
    assert!(result.chip.is_some(), "the chip read joined the inspection");
    assert!(result.faces.iter().any(|f| f.source == "bearer"), "the bearer's photo joined the inspection");
    assert_eq!(result.verdict.proposed, Verdict::Genuine, "because of {:?}", result.verdict.because_of);

    // The proposed verdict is preselected; Ctrl+S saves the case with it.
    press(&mut harness, &mut keys, egui::Modifiers::COMMAND, egui::Key::S);
    step_until(&mut harness, Duration::from_secs(30), "the decision saved", |app| {
        stage(app, Stage::Decide) == Progress::Done
    });
    let elapsed = started.elapsed();
    let CaseLink::Saved(case_id) = harness.state().document.case.clone() else {
        panic!("the case is saved: {:?}", harness.state().document.case)
    };

    let store = Store::open(&data, TEST_PASSPHRASE, StoreOptions::test_only_fast()).expect("store opens");
    let officer = store.login("officer", TEST_PASSWORD).expect("login");
    let case = store.open_case(&officer, &case_id).expect("the case");
    assert_eq!(case.classification.officer_verdict, Some(Verdict::Genuine));
    assert!(case.inspection.get("chip").is_some_and(|c| !c.is_null()), "the saved inspection holds the chip");
    assert!(case.captures.iter().any(|c| c.light == Light::White), "the saved case holds the white image");
    println!(
        "guided flow, new case to saved: {keys} keystrokes (Ctrl+N, Ctrl+B, Ctrl+S), {:.1} s (debug build, 2 cores)",
        elapsed.as_secs_f64()
    );
    assert_eq!(keys, 3);
}
