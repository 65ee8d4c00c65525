//! Issue 30's hot folder in the window, through egui_kittest: an administrator sets the
//! folder and rule on the System screen (an officer only sees who may), tests the rule
//! on the files present and saves it (audited); with a folder configured, a fixture
//! passport's set written into it opens as a new inspection by itself, and the status
//! line says which files were opened.

use std::path::Path;
use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use tdverify::capture::hot_folder::{HotFolderConfig, NamingRule};
use tdverify::core::Light;
use tdverify::fixtures::{CaptureMix, FixtureConfig, Scenario, generate, load_index, load_truth};
use tdverify::resources::Resources;
use tdverify::settings::Settings;
use tdverify::store::{Role, Store, StoreOptions};
use tdverify::ui::hot_folder::HotFolderStatus;
use tdverify::ui::{Screen, StartOptions, TdverifyApp};

mod support;
use support::step_until;

const TEST_PASSPHRASE: &str = "TEST-ONLY station passphrase";
const TEST_PASSWORD: &str = "TEST-ONLY password 1";

fn harness(dir: &Path, resources: Resources, screen: Screen) -> Harness<'static, TdverifyApp> {
    let settings = Settings { data_dir: dir.join("data"), ..Settings::default() };
    let start = StartOptions::on_screen(screen, Settings::file_in(dir));
    let app = TdverifyApp::new(settings, resources, start);
    Harness::builder().with_size([1400.0, 1000.0]).build_ui_state(|ui, app: &mut TdverifyApp| app.show(ui), app)
}

/// A store with an administrator and an officer (TEST-ONLY credentials).
fn prepare_store(data: &Path) -> Store {
    let store = Store::initialize(data, TEST_PASSPHRASE, StoreOptions::test_only_fast()).expect("store");
    store.create_first_admin("admin", TEST_PASSWORD).expect("admin");
    let admin = store.login("admin", TEST_PASSWORD).expect("login");
    store.create_user(&admin, "officer", TEST_PASSWORD, Role::Officer).expect("officer");
    store
}

/// One genuine passport scanned flat: its folder and MRZ lines.
fn passport(out: &Path) -> (std::path::PathBuf, Vec<String>) {
    let config = FixtureConfig {
        count: 1,
        scenarios: Some(vec![Scenario::Genuine]),
        captures: CaptureMix::Flatbed(300),
        templates: Some(vec!["UTO/passport".to_string()]),
        ..FixtureConfig::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("reference-library"))
    };
    generate(&config, out, |_, _| {}).expect("generate a passport");
    let entry = load_index(out).expect("index").documents.into_iter().next().expect("one document");
    let dir = out.join(&entry.id);
    let lines = load_truth(&dir).expect("truth").mrz.lines;
    (dir, lines)
}

#[test]
fn an_administrator_sets_the_folder_and_tests_the_rule() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let hot = dir.path().join("scanner");
    std::fs::create_dir_all(&hot).expect("hot folder");
    for name in ["doc1-white.png", "doc1-uv.png", "doc1-ir.png", "doc2-white.png", "notes.txt"] {
        std::fs::write(hot.join(name), b"x").expect("a file");
    }
    let store = prepare_store(&data);
    let officer = store.login("officer", TEST_PASSWORD).expect("login");
    let admin = store.login("admin", TEST_PASSWORD).expect("login");

    let mut system = harness(dir.path(), Resources::in_home(dir.path()), Screen::System);
    system.state_mut().cases.session = Some(officer);
    system.state_mut().cases.store = Some(store);
    step_until(&mut system, Duration::from_secs(120), "the system check", |app| app.system.findings.is_some());
    system.get_by_label_contains("Only an administrator changes the hot folder");
    assert!(system.query_by_label("Save hot folder").is_none());

    system.state_mut().cases.session = Some(admin);
    system.step();
    system.get_by_label_contains("No hot folder");
    system.state_mut().system.hot_folder.folder = hot.display().to_string();
    system.state_mut().system.hot_folder.preset = Some(1);
    system.step();
    system.get_by_label_contains("{stem}-{light:white|uv|ir}.png");
    system.get_by_label("Test the rule").click();
    system.step();
    system.step();
    system.get_by_label("doc1: doc1-white.png, doc1-uv.png, doc1-ir.png");
    system.get_by_label_contains("doc2: doc2-white.png — missing doc2-uv.png, doc2-ir.png");
    system.get_by_label_contains("1 other files the rule does not name");

    system.get_by_label("Save hot folder").click();
    system.step();
    system.step();
    system.get_by_label_contains("Saved: folder");
    let setting = Store::hot_folder_in(&data).expect("readable").expect("saved");
    assert_eq!(setting.folder, hot.display().to_string());
    assert_eq!(setting.pattern, "{stem}-{light:white|uv|ir}.png");
    assert_eq!(setting.after, "keep");
    let store = system.state_mut().cases.store.take().expect("store");
    let audited = store.audit_entries(&store.station_session(), 0, 1000).expect("audit");
    assert!(audited.iter().any(|e| e.action == "station_config" && e.actor == "admin"), "the change is audited");
}

#[test]
fn a_set_written_into_the_folder_opens_as_an_inspection() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let hot = dir.path().join("scanner");
    std::fs::create_dir_all(&hot).expect("hot folder");
    let (document, mrz) = passport(&dir.path().join("documents"));
    let store = prepare_store(&data);
    let admin = store.login("admin", TEST_PASSWORD).expect("login");
    let rule = NamingRule::parse("dash-words").expect("a preset");
    store.set_hot_folder(&admin, Some(&HotFolderConfig::new(&hot, rule.clone()).to_setting())).expect("configure");
    drop(store);

    let mut app = harness(dir.path(), Resources::discover(), Screen::Home);
    step_until(&mut app, Duration::from_secs(10), "watching", |app| app.hot_folder.is_watching());
    app.get_by_label_contains("Hot folder: watching");
    assert_eq!(app.state().screen, Screen::Home);

    for (light, source) in [(Light::White, "white.png"), (Light::Uv, "uv.png"), (Light::Ir, "ir.png")] {
        let name = rule.file_name("doc1", light, 0).expect("a name");
        std::fs::copy(document.join(source), hot.join(name)).expect("copy");
    }
    step_until(&mut app, Duration::from_secs(10), "the set opening", |app| app.screen == Screen::Document);
    assert_eq!(
        app.state().hot_folder.status,
        HotFolderStatus::Opened(vec!["doc1-white.png".into(), "doc1-uv.png".into(), "doc1-ir.png".into()])
    );
    app.get_by_label_contains("Hot folder: opened doc1-white.png");
    step_until(&mut app, Duration::from_secs(300), "the inspection", |app| {
        app.document.inspection.result.is_some() && !app.document.inspection.is_running()
    });
    assert_eq!(app.state().document.slots.len(), 3, "the three images are open");
    let result = app.state().document.inspection.result.clone().expect("a result");
    let read: Vec<String> = result
        .mrz
        .as_ref()
        .and_then(|m| m.report["lines"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|l| l.as_str().map(str::to_owned))
        .collect();
    assert_eq!(read, mrz, "the MRZ of the set was read");
}
