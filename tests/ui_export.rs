//! Issue 22 through egui_kittest: the officer's case form shows the context with the
//! station's defaults prefilled and the required fields marked; a fraud case missing
//! context is refused at submission with the fields named; once complete it submits.
//! A supervisor then opens the export wizard, previews the quarter, exports and signs
//! the bundle (progress, summary, station key shown), and the bundle verifies.

use std::path::Path;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use tdverify::core::{FraudType, Verdict};
use tdverify::resources::Resources;
use tdverify::settings::{Settings, StationDefaults};
use tdverify::store::{
    CaseDraft, CaseMetadata, Classification, ContextUpdate, HolderProfile, Role, Store, StoreOptions,
};
use tdverify::ui::{Screen, StartOptions, TdverifyApp};

const TEST_PASSPHRASE: &str = "TEST-ONLY station passphrase";
const TEST_PASSWORD: &str = "TEST-ONLY user password";

fn harness(dir: &Path) -> Harness<'static, TdverifyApp> {
    let station = StationDefaults {
        detection_country: "UTO".into(),
        detection_area: "north".into(),
        detection_point_type: "air".into(),
        transport_mode: "air".into(),
        ..StationDefaults::default()
    };
    let settings = Settings { data_dir: dir.join("data"), station, ..Settings::default() };
    let start = StartOptions::on_screen(Screen::Cases, Settings::file_in(dir));
    let app = TdverifyApp::new(settings, Resources::in_home(dir), start).with_manual_stages();
    Harness::builder().with_size([1280.0, 1000.0]).build_ui_state(|ui, app: &mut TdverifyApp| app.show(ui), app)
}

fn unlock_and_log_in(harness: &mut Harness<'static, TdverifyApp>, user: &str) {
    harness.state_mut().cases.login.passphrase = TEST_PASSPHRASE.to_owned();
    if harness.query_by_label("Unlock").is_some() {
        harness.get_by_label("Unlock").click();
        harness.run();
    }
    let login = &mut harness.state_mut().cases.login;
    login.username = user.to_owned();
    login.password = TEST_PASSWORD.to_owned();
    harness.get_by_label("Log in").click();
    harness.run();
}

/// A store with an officer and a supervisor, one fraud draft to fill in through the
/// form, and six submitted fraud cases of alike holders (one k-group) for the export.
fn prepare_store(data: &Path) -> String {
    let store = Store::initialize(data, TEST_PASSPHRASE, StoreOptions::default()).expect("initialise");
    store.create_first_admin("admin", TEST_PASSWORD).expect("first admin");
    let admin = store.login("admin", TEST_PASSWORD).expect("admin login");
    store.create_user(&admin, "officer", TEST_PASSWORD, Role::Officer).expect("officer");
    store.create_user(&admin, "supervisor", TEST_PASSWORD, Role::Supervisor).expect("supervisor");
    let officer = store.login("officer", TEST_PASSWORD).expect("officer login");
    let draft = |name: &str| CaseDraft {
        metadata: CaseMetadata {
            proposed_verdict: Some(Verdict::Fraudulent),
            issuing_state: Some("UTO".into()),
            document_code: Some("P".into()),
            failed_checks: vec!["face.photo_vs_ghost".into()],
            ..CaseMetadata::default()
        },
        classification: Classification {
            officer_verdict: Some(Verdict::Fraudulent),
            fraud_type: Some(FraudType::Forged),
            ..Classification::default()
        },
        inspection: serde_json::json!({"mrz": {"surname": name}}),
        holder: HolderProfile { sex: Some("M".into()), age_years: Some(35), ..HolderProfile::default() },
        ..CaseDraft::default()
    };
    let full = ContextUpdate::from_json(
        r#"{"detection_country":"UTO","detection_point_type":"land","detection_stage":"first_line","travel_direction":"exit",
            "transport_mode":"road","nationality_claimed":"ZZA","conclusion_level":"established","outcome":"arrested"}"#,
    )
    .expect("context");
    for i in 0..6 {
        let id = store.create_case(&officer, &draft(&format!("TESTHOLDER{i}"))).expect("create");
        store.set_case_context(&officer, &id, &full).expect("context");
        store.submit_case(&officer, &id).expect("submit");
    }
    store.create_case(&officer, &draft("TESTFORMHOLDER")).expect("the draft for the form")
}

#[test]
fn officer_fills_the_context_and_supervisor_exports_a_signed_bundle() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let form_case = prepare_store(&data);
    let mut harness = harness(dir.path());
    harness.run();
    unlock_and_log_in(&mut harness, "officer");
    harness.get_by_label(&form_case).click();
    harness.run();

    // The context is open for a fraud verdict, required fields marked, station defaults in.
    harness.get_by_label("Case context");
    harness.get_by_label("Fields marked * are needed before a fraud case can be submitted.");
    harness.get_by_label("Detection stage *");
    harness.get_by_label("Outcome *");
    let form = &harness.state().cases.detail.as_ref().expect("open case").context.update;
    assert_eq!(form.context.detection_country.as_deref(), Some("UTO"));
    assert_eq!(form.context.detection_area.as_deref(), Some("north"));
    assert_eq!(form.context.transport_mode.as_deref(), Some("air"));

    // Submitting without the rest is refused, naming what is missing; nothing changes.
    harness.get_by_label("Submit for review").click();
    harness.run();
    harness.get_by_label_contains(
        "Not submitted: a fraud case needs Detection stage, Direction, Nationality claimed, Conclusion, Outcome.",
    );
    harness.get_by_label("Submit for review");

    // The officer completes the form (the code lists are drop-downs; set through state).
    {
        let form = &mut harness.state_mut().cases.detail.as_mut().expect("open case").context.update;
        form.context.detection_stage = Some("second_line".into());
        form.context.travel_direction = Some("entry".into());
        form.nationality_claimed = Some("ZZB".into());
        form.conclusion_level = Some("suspected".into());
        form.outcome = Some("refused_entry".into());
        form.context.route_transits = vec!["FRA".into()];
    }
    harness.get_by_label("Submit for review").click();
    harness.run();
    harness.get_by_label("Case submitted for review.");
    {
        let store = Store::open(&data, TEST_PASSPHRASE, StoreOptions::default()).expect("open");
        let case = store.open_case(&store.station_session(), &form_case).expect("read back");
        assert_eq!(case.metadata.context.detection_area.as_deref(), Some("north"));
        assert_eq!(case.metadata.context.route_transits, vec!["FRA"]);
        assert_eq!(case.holder.nationality_claimed.as_deref(), Some("ZZB"));
    }
    assert!(harness.query_by_label("Export DESC bundle…").is_none(), "officers do not export");
    harness.get_by_label("Log out").click();
    harness.run();

    // The supervisor exports this quarter.
    unlock_and_log_in(&mut harness, "supervisor");
    harness.get_by_label("Export DESC bundle…").click();
    harness.run();
    let usb = dir.path().join("usb");
    std::fs::create_dir(&usb).expect("usb");
    harness.state_mut().cases.export.as_mut().expect("wizard").out_dir = usb.display().to_string();
    harness.get_by_label("Preview").click();
    harness.run();
    harness
        .get_by_label_contains("7 fraud cases, 6 records go, 1 suppressed so that every group has at least 5 records.");
    harness.get_by_label("Suppressed groups (below k after every step)");
    harness.get_by_label("Export and sign").click();
    let started = std::time::Instant::now();
    let done = |app: &TdverifyApp| app.cases.export.as_ref().is_none_or(|w| w.written.is_some() || w.error.is_some());
    while !done(harness.state()) {
        assert!(started.elapsed() < std::time::Duration::from_secs(60), "the export never finished");
        std::thread::sleep(std::time::Duration::from_millis(20));
        harness.step();
    }
    harness.run();
    let error = harness.state().cases.export.as_ref().and_then(|w| w.error.clone());
    assert_eq!(error, None);
    harness.get_by_label_contains("Exported 6 records (1 suppressed) to");
    let written = harness.state().cases.export.as_ref().and_then(|w| w.written.clone()).expect("written");
    let store = Store::open(&data, TEST_PASSPHRASE, StoreOptions::default()).expect("open");
    let key = store.export_public_key().expect("key");
    let verified = tdverify::export::verify_bundle(&written.bundle, Some(&key)).expect("the bundle verifies");
    assert_eq!(verified.records, 6);
    let records = std::fs::read_to_string(written.bundle.join("records.jsonl")).expect("records");
    assert!(!records.contains("TESTHOLDER") && !records.contains("TESTFORMHOLDER"));

    // The same quarter again: the overlap is shown and needs the explicit override.
    harness.get_by_label("Preview").click();
    harness.run();
    harness.get_by_label_contains("This period overlaps an export made on");
    harness.get_by_label("Export again anyway (recorded in the audit log)");
    harness.get_by_label("Close").click();
    harness.run();
    harness.get_by_label("Log out");
}

#[test]
fn country_picker_types_ahead_and_sets_only_known_codes() {
    let mut harness = Harness::builder().with_size([600.0, 300.0]).build_ui_state(
        |ui, value: &mut Option<String>| {
            let label = ui.label("Embarkation");
            tdverify::ui::widgets::context_fields::country_picker(ui, "test", label.id, value);
        },
        None::<String>,
    );
    harness.run();
    let field = harness.get_by_role(egui::accesskit::Role::TextInput);
    field.focus();
    field.type_text("ger");
    harness.run();
    assert_eq!(harness.state(), &None, "a partial name sets nothing");
    harness.get_by_label("D Germany").click();
    harness.run();
    assert_eq!(harness.state().as_deref(), Some("D"));
    assert!(harness.query_by_label("DEU Germany").is_none(), "the suggestions close once a code is picked");
}
