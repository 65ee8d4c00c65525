//! UI behaviour through egui_kittest (AccessKit tree): navigation, keyboard
//! shortcuts, translations, settings persistence, and clear messages for bad files.

use std::path::Path;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use tdverify::resources::Resources;
use tdverify::settings::Settings;
use tdverify::ui::{Screen, StartOptions, TdverifyApp};

fn app_in(dir: &Path, images: Vec<(std::path::PathBuf, Option<tdverify::core::Light>)>) -> TdverifyApp {
    let settings = Settings { data_dir: dir.join("data"), ..Settings::default() };
    let start = StartOptions {
        images,
        screen: None,
        settings_file: Settings::file_in(dir),
        startup_probe: None,
        bearer: None,
        inspect: false,
    };
    TdverifyApp::new(settings, Resources::in_home(dir), start).with_manual_stages()
}

fn harness(app: TdverifyApp) -> Harness<'static, TdverifyApp> {
    Harness::builder().with_size([1280.0, 800.0]).build_ui_state(|ui, app: &mut TdverifyApp| app.show(ui), app)
}

#[test]
fn home_is_the_empty_state_and_navigation_switches_screens() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(app_in(dir.path(), Vec::new()));
    harness.run();
    assert_eq!(harness.state().screen, Screen::Home);
    harness.get_by_label("Check a travel document");
    harness.get_by_label("Open document images…");

    harness.get_by_label("Settings").click();
    harness.run();
    assert_eq!(harness.state().screen, Screen::Settings);

    harness.get_by_label("Document").click();
    harness.run();
    assert_eq!(harness.state().screen, Screen::Document);
    harness.get_by_label("No images open yet.");
}

#[test]
fn keyboard_shortcuts_reach_every_screen() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(app_in(dir.path(), Vec::new()));
    harness.run();
    let keys = [egui::Key::Num2, egui::Key::Num4, egui::Key::Num1];
    let expected = [Screen::Document, Screen::Settings, Screen::Home];
    for (key, screen) in keys.into_iter().zip(expected) {
        harness.key_press_modifiers(egui::Modifiers::COMMAND, key);
        harness.run();
        assert_eq!(harness.state().screen, screen);
    }
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::O);
    harness.run();
    assert_eq!(harness.state().screen, Screen::Document);
    harness.get_by_label("Open document images");
}

#[test]
fn choosing_french_and_saving_translates_the_ui_and_persists() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(app_in(dir.path(), Vec::new()));
    harness.run();
    harness.get_by_label("Settings").click();
    harness.run();
    harness.state_mut().settings_screen.draft.language = "fr".to_owned();
    harness.get_by_label("Save").click();
    harness.run();
    harness.get_by_label("Accueil");
    harness.get_by_label("Réglages enregistrés.");
    let saved = Settings::load(&Settings::file_in(dir.path())).unwrap();
    assert_eq!(saved.language, "fr");
}

#[test]
fn a_damaged_image_gives_a_message_and_the_good_ones_still_open() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("scan_uv.png");
    std::fs::write(&bad, b"not really a png").unwrap();
    let good = dir.path().join("scan_white.png");
    image::RgbImage::from_pixel(120, 80, image::Rgb([200, 180, 150])).save(&good).unwrap();
    let mut app = app_in(dir.path(), vec![(bad, None), (good, None)]);
    app.document.finish_loading();
    let mut harness = harness(app);
    harness.run();
    assert_eq!(harness.state().screen, Screen::Document);
    assert_eq!(harness.state().document.slots.len(), 1);
    assert_eq!(harness.state().document.slots[0].light, tdverify::core::Light::White);
    harness.get_by_label_contains("is not a readable image");
    harness.get_by_label_contains("scan_uv.png is not a readable image");
}

#[test]
fn system_screen_reports_every_subsystem() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(app_in(dir.path(), Vec::new()));
    harness.state_mut().screen = Screen::System;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while harness.state().system.findings.is_none() && std::time::Instant::now() < deadline {
        harness.step();
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    harness.run();
    for subsystem in ["ONNX Runtime", "OpenCV", "PC/SC service", "data directory", "reference library", "fixtures"] {
        harness.get_by_label(subsystem);
    }
    // The empty home has no reference library: the report says what to do.
    harness.get_by_label_contains("restore reference-library/");
}

#[test]
fn typing_an_mrz_shows_its_fields_and_the_failing_check() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_in(dir.path(), Vec::new());
    app.screen = Screen::Document;
    let mut harness = harness(app);
    harness.run();
    harness.get_by_label("No MRZ yet: type or paste its lines.");
    // ICAO 9303 Part 4 specimen with the document-number check digit altered (6 → 7).
    let altered = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C37UTO7408122F1204159ZE184226B<<<<<10";
    harness.get_by_label("MRZ lines (type or paste)").focus();
    harness.run();
    harness.get_by_label("MRZ lines (type or paste)").type_text(altered);
    harness.run();
    harness.get_by_label("ERIKSSON");
    harness.get_by_label("does not hold: see the checks");
    harness.get_by_label_contains("Document number check digit is 7, computed 6");
}
