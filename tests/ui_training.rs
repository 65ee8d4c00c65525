//! Issue 25 through egui_kittest, end to end on a generated fixture set: a Trainer builds
//! and signs a three-document session on the Training screen; a trainee runs it (every
//! view marked TRAINING), marks the fraud by dragging a rectangle over its defect region
//! on the image, answers each document, gets the feedback at once (right, the regions
//! found), judges a face drill (same person or not), and sees the score, which is kept in the store's training tables; the
//! Trainer then sees the run in Results and saves the CSV.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use tdverify::fixtures::{CaptureMix, FixtureConfig, Scenario, generate};
use tdverify::resources::Resources;
use tdverify::settings::Settings;
use tdverify::store::{Role, Store, StoreOptions};
use tdverify::ui::{Screen, StartOptions, TdverifyApp};

const PASSWORD: &str = "TEST-ONLY password 1";

fn harness(data: &Path, settings_dir: &Path) -> Harness<'static, TdverifyApp> {
    let settings = Settings { data_dir: data.to_path_buf(), ..Settings::default() };
    let start = StartOptions::on_screen(Screen::Training, Settings::file_in(settings_dir));
    let app = TdverifyApp::new(settings, Resources::in_home(settings_dir), start);
    Harness::builder().with_size([1500.0, 1000.0]).build_ui_state(|ui, app: &mut TdverifyApp| app.show(ui), app)
}

/// Steps until `done` holds (the item loader and the store work in the background).
fn wait(harness: &mut Harness<'static, TdverifyApp>, what: &str, done: impl Fn(&TdverifyApp) -> bool) {
    let started = Instant::now();
    harness.step();
    while !done(harness.state()) {
        assert!(started.elapsed() < Duration::from_secs(120), "{what} never happened");
        std::thread::sleep(Duration::from_millis(20));
        harness.step();
    }
    harness.run();
}

/// Three genuine documents and three with their VIZ altered (defect regions in the truth).
fn fixture_set(dir: &Path) -> PathBuf {
    let out = dir.join("fixtures");
    let config = FixtureConfig {
        count: 6,
        scenarios: Some(vec![Scenario::Genuine, Scenario::VizAltered]),
        captures: CaptureMix::Flatbed(300),
        templates: Some(vec!["UTO/passport".to_string()]),
        ..FixtureConfig::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("reference-library"))
    };
    generate(&config, &out, |_, _| {}).expect("fixture set");
    out
}

#[test]
fn a_trainer_builds_a_session_a_trainee_runs_it_and_the_trainer_sees_the_result() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fixtures = fixture_set(dir.path());
    let data = dir.path().join("data");
    let store =
        Store::initialize(&data, "TEST-ONLY station passphrase", StoreOptions::test_only_fast()).expect("store");
    store.create_first_admin("admin", PASSWORD).expect("admin");
    let admin = store.login("admin", PASSWORD).expect("login");
    store.create_user(&admin, "trainer", PASSWORD, Role::Trainer).expect("trainer");
    store.create_user(&admin, "trainee", PASSWORD, Role::Officer).expect("trainee");

    let mut harness = harness(&data, dir.path());
    harness.run();
    harness.get_by_label_contains("TRAINING");

    // The Trainer builds and signs a three-document session with one fraudulent document.
    let trainer = store.login("trainer", PASSWORD).expect("login");
    harness.state_mut().cases.session = Some(trainer);
    harness.state_mut().cases.store = Some(store);
    harness.state_mut().training.fixtures_path = fixtures.display().to_string();
    harness.state_mut().training.build.count = 3;
    harness.state_mut().training.build.prevalence_percent = 34;
    harness.state_mut().training.build.name = "TEST-ONLY practice".into();
    // Automatic checks hidden: the trainee decides alone (a full inspection per document
    // would only slow this test down).
    harness.state_mut().training.build.checks = tdverify::training::CheckDisplay::Hidden;
    // One face drill showing two different people.
    harness.state_mut().training.build.face_drills = 1;
    harness.state_mut().training.build.face_prevalence_percent = 100;
    harness.run();
    harness.get_by_label("Build a session").click();
    harness.run();
    harness.get_by_label("Build and sign").click();
    harness.run();
    harness.get_by_label_contains("Session saved");
    let session_file = PathBuf::from(&harness.state().training.session_path);
    assert!(session_file.is_file(), "{}", session_file.display());

    // The trainee runs it.
    let store = harness.state_mut().cases.store.take().expect("store");
    let trainee = store.login("trainee", PASSWORD).expect("login");
    harness.state_mut().cases.session = Some(trainee);
    harness.state_mut().cases.store = Some(store);
    harness.get_by_label("Run a session").click();
    harness.run();
    harness.get_by_label("Start the session").click();
    harness.step();
    let run = harness.state().training.run.as_ref().expect("a run");
    assert_eq!(run.len(), 4, "three documents and a face drill");
    assert_eq!(run.session.documents.iter().filter(|d| d.fraud_type != tdverify::core::FraudType::NoFraud).count(), 1);

    for position in 0..3 {
        wait(&mut harness, "the document loading", |app| {
            app.training.run.as_ref().is_some_and(|r| r.position == position && r.light == 0) && harness_ready(app)
        });
        harness.get_by_label_contains(&format!("Document {} of 4", position + 1));
        let document = harness.state().training.run.as_ref().expect("run").session.documents[position].clone();
        if document.is_fraud() {
            // Drag a rectangle over the first white-light defect region of the MRZ side.
            let region = document
                .defect_regions
                .iter()
                .find(|r| r.light == "white" && document.sides.iter().any(|s| s.name == r.side && s.has_mrz))
                .expect("a white-light defect region on the MRZ side")
                .clone();
            let image = harness.get_by_label_contains("white light").rect();
            let full =
                image::image_dimensions(fixtures.join(&document.sides.iter().find(|s| s.has_mrz).expect("side").white))
                    .expect("image size");
            let per_pixel = image.width() / full.0 as f32;
            let at = |x: u32, y: u32| image.min + eframe::egui::vec2(x as f32 * per_pixel, y as f32 * per_pixel);
            let (from, to) = (at(region.x + 1, region.y + 1), at(region.x + region.w - 1, region.y + region.h - 1));
            harness.hover_at(from);
            harness.run();
            harness.drag_at(from);
            harness.run();
            harness.hover_at(from + (to - from) * 0.5);
            harness.run();
            harness.hover_at(to);
            harness.run();
            harness.drop_at(to);
            harness.run();
            let draft = &harness.state().training.run.as_ref().expect("run").draft;
            assert_eq!(draft.hotspots.len(), 1, "the drag marked one place");
            assert_eq!(draft.verdict, Some(tdverify::training::AnswerVerdict::Fraudulent), "marking means fraud");

            // UTO/passport declares coaxial features: the coaxial image is there to mark too.
            harness.get_by_label("Coaxial").click();
            harness.run();
            let coaxial = harness.get_by_label_contains("coaxial light").rect();
            let (from, to) = (coaxial.min + coaxial.size() * 0.3, coaxial.min + coaxial.size() * 0.5);
            harness.hover_at(from);
            harness.run();
            harness.drag_at(from);
            harness.run();
            harness.hover_at(from + (to - from) * 0.5);
            harness.run();
            harness.hover_at(to);
            harness.run();
            harness.drop_at(to);
            harness.run();
            let draft = &harness.state().training.run.as_ref().expect("run").draft;
            assert_eq!(draft.hotspots.len(), 2, "a second mark, on the coaxial image");
            assert_eq!((draft.hotspots[0].light.as_str(), draft.hotspots[1].light.as_str()), ("white", "coaxial"));
            harness.get_by_label("Coaxial (1)");
        } else {
            harness.get_by_label("Genuine").click();
            harness.run();
        }
        harness.get_by_label("Answer").click();
        harness.run();
        harness.get_by_label("Right");
        if document.is_fraud() {
            harness.get_by_label_contains("Where it shows: 1 of");
        }
        harness.get_by_label("Next document").click();
        harness.step();
    }

    // The face drill: a document portrait beside a bearer photo of someone else.
    wait(&mut harness, "the face drill loading", |app| {
        app.training.run.as_ref().is_some_and(|r| r.position == 3) && harness_ready(app)
    });
    harness.get_by_label("Is the person on the document the person presenting it?");
    harness.get_by_label("Different people").click();
    harness.run();
    harness.get_by_label("Answer").click();
    harness.run();
    harness.get_by_label("Right");
    harness.get_by_label("Two different people.");
    harness.get_by_label("See my score").click();
    harness.step();

    // The score, kept in the trainee's results.
    harness.run();
    harness.get_by_label_contains("Score: TEST-ONLY practice");
    harness.get_by_label("Kept in your training results.");
    let score = harness.state().training.run.as_ref().and_then(|r| r.score.clone()).expect("score");
    assert_eq!((score.detection.hits, score.detection.correct_rejections), (1, 2));
    assert_eq!((score.detection.misses, score.detection.false_alarms), (0, 0));
    assert!(score.hotspot_recall.is_some_and(|r| r > 0.0), "{:?}", score.hotspot_recall);
    assert_eq!((score.face_drills.items, score.face_drills.detection.hits), (1, 1), "the drill scored apart");
    harness.get_by_label("Close the session").click();
    harness.run();

    // The Trainer sees the run and saves the CSV.
    let store = harness.state_mut().cases.store.take().expect("store");
    let trainer = store.login("trainer", PASSWORD).expect("login");
    let runs = store.training_history(&trainer, None).expect("history");
    assert_eq!(runs.len(), 1);
    assert_eq!((runs[0].trainee.as_str(), runs[0].hits, runs[0].correct_rejections), ("trainee", 1, 2));
    harness.state_mut().cases.session = Some(trainer);
    harness.state_mut().cases.store = Some(store);
    harness.get_by_label("Results").click();
    harness.run();
    harness.get_by_label("Class summary");
    harness.get_by_label("Save as CSV").click();
    harness.run();
    let csv = std::fs::read_to_string(data.join("training-output").join("training-results.csv")).expect("csv");
    assert!(csv.lines().nth(1).is_some_and(|line| line.starts_with("trainee,")), "{csv}");
}

/// The item's images are decoded and on the screen.
fn harness_ready(app: &TdverifyApp) -> bool {
    app.training.run.as_ref().is_some_and(|r| r.is_loaded())
}
