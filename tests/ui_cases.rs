//! The Cases screen through egui_kittest: an officer unlocks the station, logs in,
//! sees an empty list, sees a case (created through the library) listed, opens it,
//! sets a verdict and submits it; a supervisor then finds it in the review queue.
//! Also: the first-run form, and the message for a wrong password.

use std::path::Path;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use tdverify::core::{Check, FraudType, Verdict};
use tdverify::resources::Resources;
use tdverify::settings::Settings;
use tdverify::store::{CaseDraft, CaseMetadata, CaseStatus, Role, Store, StoreOptions};
use tdverify::ui::{Screen, StartOptions, TdverifyApp};

const TEST_PASSPHRASE: &str = "TEST-ONLY station passphrase";
const TEST_PASSWORD: &str = "TEST-ONLY user password";

fn harness(dir: &Path) -> Harness<'static, TdverifyApp> {
    let settings = Settings { data_dir: dir.join("data"), ..Settings::default() };
    let start = StartOptions::on_screen(Screen::Cases, Settings::file_in(dir));
    let app = TdverifyApp::new(settings, Resources::in_home(dir), start).with_manual_stages();
    Harness::builder().with_size([1280.0, 900.0]).build_ui_state(|ui, app: &mut TdverifyApp| app.show(ui), app)
}

/// Every context field a fraud case needs.
fn complete_context() -> tdverify::store::ContextUpdate {
    tdverify::store::ContextUpdate::from_json(
        r#"{"detection_country":"UTO","detection_point_type":"air","detection_stage":"second_line","travel_direction":"entry",
            "transport_mode":"air","nationality_claimed":"UTO","conclusion_level":"suspected","outcome":"refused_entry"}"#,
    )
    .expect("a valid context")
}

/// A store with an officer and a supervisor (TEST-ONLY credentials).
fn prepare_store(data: &Path) {
    let store = Store::initialize(data, TEST_PASSPHRASE, StoreOptions::default()).expect("initialise");
    store.create_first_admin("admin", TEST_PASSWORD).expect("first admin");
    let admin = store.login("admin", TEST_PASSWORD).expect("admin login");
    store.create_user(&admin, "officer", TEST_PASSWORD, Role::Officer).expect("officer");
    store.create_user(&admin, "supervisor", TEST_PASSWORD, Role::Supervisor).expect("supervisor");
}

fn log_in(harness: &mut Harness<'static, TdverifyApp>, user: &str) {
    let login = &mut harness.state_mut().cases.login;
    login.username = user.to_owned();
    login.password = TEST_PASSWORD.to_owned();
    harness.get_by_label("Log in").click();
    harness.run();
}

#[test]
fn officer_submits_a_case_and_the_supervisor_finds_it_in_the_review_queue() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    prepare_store(&data);
    let mut harness = harness(dir.path());
    harness.run();

    harness.get_by_label("Enter the station passphrase to unlock the cases (once per start).");
    harness.state_mut().cases.login.passphrase = "TEST-ONLY wrong passphrase".to_owned();
    harness.get_by_label("Unlock").click();
    harness.run();
    harness.get_by_label("Wrong station passphrase.");
    harness.state_mut().cases.login.passphrase = TEST_PASSPHRASE.to_owned();
    harness.get_by_label("Unlock").click();
    harness.run();
    // Unlocked: the cursor waits in the user name, not in the password.
    assert!(harness.get_by_label("User name").is_focused(), "the user name has the focus after unlocking");
    assert!(!harness.get_by_label("Password").is_focused());

    harness.state_mut().cases.login.username = "officer".to_owned();
    harness.state_mut().cases.login.password = "TEST-ONLY wrong password".to_owned();
    harness.get_by_label("Log in").click();
    harness.run();
    harness.get_by_label("Unknown user or wrong password.");

    log_in(&mut harness, "officer");
    harness.run();
    harness.get_by_label("No cases match.");
    assert!(harness.query_by_label("Review queue").is_none(), "officers have no review queue");

    // A case saved by the inspection (through the library, as the officer).
    let case_id = {
        let store = Store::open(&data, TEST_PASSPHRASE, StoreOptions::default()).expect("open");
        let officer = store.login("officer", TEST_PASSWORD).expect("officer login");
        let draft = CaseDraft {
            metadata: CaseMetadata {
                issuing_state: Some("UTO".into()),
                document_code: Some("P".into()),
                ..CaseMetadata::default()
            },
            inspection: serde_json::json!({ "checks": [Check::fail("mrz.check_digit.number", "TEST check digit mismatch")] }),
            ..CaseDraft::default()
        };
        store.create_case(&officer, &draft).expect("create case")
    };
    harness.get_by_label("Refresh").click();
    harness.run();
    harness.get_by_label(&case_id).click();
    harness.run();
    harness.get_by_label("TEST check digit mismatch");
    harness.get_by_label("fraudulent").click();
    harness.run();
    harness.get_by_label("forged").click();
    harness.run();
    // A fraud case needs its context (tests/ui_export.rs shows the refusal).
    harness.state_mut().cases.detail.as_mut().expect("the case is open").context.update = complete_context();
    harness.get_by_label("Submit for review").click();
    harness.run();
    harness.get_by_label("Case submitted for review.");
    harness.get_by_label("This case is submitted and read-only for you.");
    assert!(harness.query_by_label("Submit for review").is_none());

    {
        let store = Store::open(&data, TEST_PASSPHRASE, StoreOptions::default()).expect("open");
        let case = store.open_case(&store.station_session(), &case_id).expect("read back");
        assert_eq!(case.status, CaseStatus::Submitted);
        assert_eq!(case.classification.officer_verdict, Some(Verdict::Fraudulent));
        assert_eq!(case.classification.fraud_type, Some(FraudType::Forged));
    }

    // The report button writes the PDF next to the store and says where.
    harness.get_by_label("Report (PDF)").click();
    harness.run();
    harness.get_by_label_contains("Report written to");
    let pdf = data.join("reports").join(format!("{case_id}.pdf"));
    assert!(std::fs::read(&pdf).expect("the PDF").starts_with(b"%PDF-"));

    harness.get_by_label("Log out").click();
    harness.run();
    log_in(&mut harness, "supervisor");
    harness.get_by_label("Review queue").click();
    harness.run();
    // The keyboard alone: Enter opens the row under the cursor, Escape goes back, Enter again.
    harness.key_press(eframe::egui::Key::Enter);
    harness.run();
    harness.get_by_label("Mark as reviewed");
    harness.key_press(eframe::egui::Key::Escape);
    harness.run();
    assert!(harness.query_by_label("Mark as reviewed").is_none(), "Escape went back to the list");
    harness.get_by_label(&case_id);
    harness.key_press(eframe::egui::Key::ArrowDown);
    harness.key_press(eframe::egui::Key::Enter);
    harness.run();
    harness.get_by_label("Mark as reviewed").click();
    harness.run();
    harness.get_by_label("Case marked as reviewed.");
}

#[test]
fn repeated_wrong_passwords_lock_the_account_with_the_wait_shown() {
    let dir = tempfile::tempdir().expect("temp dir");
    prepare_store(&dir.path().join("data"));
    let mut harness = harness(dir.path());
    harness.run();
    harness.state_mut().cases.login.passphrase = TEST_PASSPHRASE.to_owned();
    harness.get_by_label("Unlock").click();
    harness.run();
    for _ in 0..=tdverify::store::LOCKOUT_THRESHOLD {
        let login = &mut harness.state_mut().cases.login;
        login.username = "officer".to_owned();
        login.password = "TEST-ONLY wrong password".to_owned();
        harness.get_by_label("Log in").click();
        harness.run();
    }
    harness.get_by_label_contains("Account locked after repeated failed logins: try again in");
    // Even the right password is refused while locked.
    log_in(&mut harness, "officer");
    harness.get_by_label_contains("Account locked");
    assert!(harness.query_by_label("Log out").is_none());
}

#[test]
fn first_run_creates_the_store_and_the_administrator() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut harness = harness(dir.path());
    harness.run();
    harness.get_by_label("Create the case store");
    {
        let login = &mut harness.state_mut().cases.login;
        login.passphrase = TEST_PASSPHRASE.to_owned();
        login.passphrase_again = TEST_PASSPHRASE.to_owned();
        login.username = "admin".to_owned();
        login.password = TEST_PASSWORD.to_owned();
        login.password_again = "TEST-ONLY different".to_owned();
    }
    harness.get_by_label("Create the case store").click();
    harness.run();
    harness.get_by_label("The two entries differ; type them again.");
    assert!(!Store::exists(&dir.path().join("data")));
    harness.state_mut().cases.login.password_again = TEST_PASSWORD.to_owned();
    harness.get_by_label("Create the case store").click();
    harness.run();
    assert!(Store::exists(&dir.path().join("data")));
    log_in(&mut harness, "admin");
    harness.get_by_label("Log out");
    harness.get_by_label("Your role has no access to case contents.");
}

/// Steps frames until the document screen's inspection has finished.
fn finish_inspection(harness: &mut Harness<'static, TdverifyApp>) {
    let started = std::time::Instant::now();
    while harness.state().document.inspection.is_running() {
        assert!(started.elapsed() < std::time::Duration::from_secs(300), "the inspection never finished");
        std::thread::sleep(std::time::Duration::from_millis(20));
        harness.step();
    }
    harness.run();
}

#[test]
fn an_inspection_saved_before_login_becomes_a_case_at_login_and_later_inspections_update_it() {
    use tdverify::ui::screens::CaseLink;
    let resources = Resources::discover();
    let sample = tdverify::samples::first_sample(&resources.fixtures)
        .expect("fixture documents (cargo xtask setup generates them into out/fixtures)");
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    prepare_store(&data);
    let settings = Settings { data_dir: data.clone(), ..Settings::default() };
    let images = sample.images.iter().map(|(path, light)| (path.clone(), Some(*light))).collect();
    let start = StartOptions {
        images,
        screen: Some(Screen::Document),
        settings_file: Settings::file_in(dir.path()),
        startup_probe: None,
        bearer: None,
        inspect: false,
    };
    let app = TdverifyApp::new(settings, resources, start).with_manual_stages();
    let mut harness =
        Harness::builder().with_size([1280.0, 900.0]).build_ui_state(|ui, app: &mut TdverifyApp| app.show(ui), app);
    harness.state_mut().document.finish_loading();
    harness.run();

    harness.get_by_label("Inspect").click();
    harness.step();
    finish_inspection(&mut harness);
    // Nobody is logged in: the autosave waits and the panel says so.
    harness.get_by_label("Not saved as a case yet.");
    assert_eq!(harness.state().document.case, CaseLink::Unsaved);

    harness.get_by_label("Save as case").click();
    harness.run();
    assert_eq!(harness.state().screen, Screen::Cases, "saving without a login goes to the login");
    harness.get_by_label("Log in to save the inspection: it is kept until then.");
    harness.state_mut().cases.login.passphrase = TEST_PASSPHRASE.to_owned();
    harness.get_by_label("Unlock").click();
    harness.run();
    log_in(&mut harness, "officer");
    harness.get_by_label_contains("Saved as case");
    let CaseLink::Saved(case_id) = harness.state().document.case.clone() else {
        panic!("the document screen does not know its case: {:?}", harness.state().document.case)
    };

    let store = Store::open(&data, TEST_PASSPHRASE, StoreOptions::default()).expect("open");
    let officer = store.login("officer", TEST_PASSWORD).expect("officer login");
    let case = store.open_case(&officer, &case_id).expect("the saved case");
    assert_eq!(case.status, CaseStatus::Draft);
    assert_eq!(case.captures.len(), sample.images.len(), "every image is kept");
    let checks = case.inspection["checks"].as_array().map_or(0, Vec::len);
    assert!(checks > 5, "the inspection's findings are kept ({checks})");
    assert!(case.holder.nationality_claimed.is_some(), "bearer facts from the MRZ");
    let first_update = case.updated;

    // Back on the document, a new inspection updates the same case instead of making another.
    harness.get_by_label("Document").click();
    harness.run();
    harness.get_by_label_contains("Saved as case");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    harness.get_by_label("Inspect").click();
    harness.step();
    finish_inspection(&mut harness);
    assert_eq!(harness.state().document.case, CaseLink::Saved(case_id.clone()));
    let page = store.list_cases(&officer, &Default::default(), Default::default()).expect("list");
    assert_eq!(page.total, 1, "one document, one case");
    assert!(store.open_case(&officer, &case_id).expect("reread").updated > first_update, "autosaved");
}
