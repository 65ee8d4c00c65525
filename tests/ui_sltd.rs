//! Issue 23 through egui_kittest: the Home screen says when no hotlist is loaded; the
//! System screen lets only an administrator import; it imports a signed bundle in the
//! background (a tampered one is refused with its reason, the copy in use stays), both
//! audited; Home then shows the list's age.

mod support;

use std::path::Path;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use tdverify::resources::Resources;
use tdverify::settings::Settings;
use tdverify::store::{KeyPurpose, Role, Store, StoreOptions};
use tdverify::ui::{Screen, StartOptions, TdverifyApp};

fn harness(dir: &Path, screen: Screen) -> Harness<'static, TdverifyApp> {
    let settings = Settings { data_dir: dir.join("data"), ..Settings::default() };
    let start = StartOptions::on_screen(screen, Settings::file_in(dir));
    let app = TdverifyApp::new(settings, Resources::in_home(dir), start).with_manual_stages();
    Harness::builder().with_size([1280.0, 900.0]).build_ui_state(|ui, app: &mut TdverifyApp| app.show(ui), app)
}

/// Steps frames until the doctor's report is in (the screen spins while it runs).
fn settle(harness: &mut Harness<'static, TdverifyApp>) {
    let started = std::time::Instant::now();
    while harness.state().system.findings.is_none() {
        assert!(started.elapsed() < std::time::Duration::from_secs(120), "the system check never finished");
        std::thread::sleep(std::time::Duration::from_millis(20));
        harness.step();
    }
    harness.step();
}

fn import(harness: &mut Harness<'static, TdverifyApp>, file: &Path) {
    harness.state_mut().system.hotlist_file = file.display().to_string();
    harness.get_by_label("Import hotlist").click();
    harness.step();
    let started = std::time::Instant::now();
    while harness.state().system.hotlist_message.is_none() {
        assert!(started.elapsed() < std::time::Duration::from_secs(60), "the import never finished");
        std::thread::sleep(std::time::Duration::from_millis(20));
        harness.step();
    }
    harness.step();
    settle(harness);
}

#[test]
fn system_screen_imports_and_home_shows_the_age() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let mut home = harness(dir.path(), Screen::Home);
    home.run();
    home.get_by_label_contains("No stolen and lost documents hotlist");

    let today = tdverify::sltd::iso_from_days(tdverify::sltd::today_days());
    let bytes = tdverify::sltd::test_bundle::make_test_bundle(5000, 3, &today, &[]).expect("bundle");
    let good = dir.path().join("good.tdvs");
    std::fs::write(&good, &bytes).expect("write");
    let mut tampered_bytes = bytes.clone();
    let at = tampered_bytes.len() / 2;
    tampered_bytes[at] ^= 1;
    let tampered = dir.path().join("tampered.tdvs");
    std::fs::write(&tampered, &tampered_bytes).expect("write");
    let store =
        Store::initialize(&data, "TEST-ONLY station passphrase", StoreOptions::test_only_fast()).expect("store");
    store.create_first_admin("admin", "TEST-ONLY password 1").expect("admin");
    let admin = store.login("admin", "TEST-ONLY password 1").expect("login");
    store.create_user(&admin, "officer", "TEST-ONLY password 1", Role::Officer).expect("officer");
    let key = tdverify::sltd::parse_key(&tdverify::sltd::test_bundle::test_only_signer_key()).expect("key");
    store.trust_key(&admin, KeyPurpose::SltdPublisher, &key, "TEST-ONLY NCB").expect("trust");

    // An officer sees why there is nothing to click.
    let mut system = harness(dir.path(), Screen::System);
    let officer = store.login("officer", "TEST-ONLY password 1").expect("login");
    system.state_mut().cases.session = Some(officer);
    system.state_mut().cases.store = Some(store);
    settle(&mut system);
    system.get_by_label_contains("An administrator imports the hotlist");
    assert!(system.query_by_label("Import hotlist").is_none());

    system.state_mut().cases.session = Some(admin);
    system.step();
    system.get_by_label_contains("Trusted publisher: TEST-ONLY NCB ed25519:");
    system.get_by_label_contains("used up to 7 days");
    import(&mut system, &good);
    system.get_by_label_contains("Hotlist imported: 5000 entries from TEST-ONLY NCB");
    import(&mut system, &tampered);
    system.get_by_label_contains("signature does not verify");
    let status =
        tdverify::sltd::Hotlist::read_status(&data, tdverify::sltd::today_days(), 7).expect("status").expect("a list");
    assert_eq!(status.entries, 5000, "the copy in use is unchanged");
    let store = system.state_mut().cases.store.take().expect("store");
    let auditor_view = store.audit_entries(&store.station_session(), 0, 1000);
    let imports: Vec<String> = auditor_view
        .map(|e| e.into_iter().filter(|e| e.action == "sltd_import").map(|e| e.detail).collect())
        .unwrap_or_default();
    assert_eq!(imports.len(), 2, "{imports:?}");
    assert!(imports[0].contains("5000 entries") && imports[1].contains("refused"), "{imports:?}");

    let mut home = harness(dir.path(), Screen::Home);
    home.run();
    home.get_by_label_contains("Stolen and lost documents hotlist: 5000 entries, as of");
}

/// The first fixture folder whose name ends with `suffix`.
fn fixture(resources: &Resources, suffix: &str) -> std::path::PathBuf {
    let mut folders: Vec<std::path::PathBuf> = std::fs::read_dir(&resources.fixtures)
        .unwrap_or_else(|e| {
            panic!("fixture documents in {} (cargo xtask setup generates them): {e}", resources.fixtures.display())
        })
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().ends_with(suffix)))
        .collect();
    folders.sort();
    folders.into_iter().next().unwrap_or_else(|| panic!("no fixture ending in {suffix}"))
}

/// An officer inspects a stolen blank in the window: before the import the hotlist is
/// "not checked"; an administrator's import (here through the library, as the CLI does)
/// is picked up at the next inspection without a restart; the hit is shown first, and
/// the officer asks the online service, which is down: the answer says so, the offline
/// hit stands, and the query is audited without the document number.
#[test]
fn the_window_picks_up_an_import_and_asks_the_online_service() {
    let resources = Resources::discover();
    let folder = fixture(&resources, "stolen_blank");
    let index: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(resources.fixtures.join("index.json")).expect("index.json"))
            .expect("JSON");
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let store =
        Store::initialize(&data, "TEST-ONLY station passphrase", StoreOptions::test_only_fast()).expect("store");
    store.create_first_admin("admin", "TEST-ONLY password 1").expect("admin");
    let admin = store.login("admin", "TEST-ONLY password 1").expect("login");
    store.create_user(&admin, "officer", "TEST-ONLY password 1", Role::Officer).expect("officer");
    let key = tdverify::sltd::parse_key(&tdverify::sltd::test_bundle::test_only_signer_key()).expect("key");
    store.trust_key(&admin, KeyPurpose::SltdPublisher, &key, "TEST-ONLY NCB").expect("trust");
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("address").port();
    let online = tdverify::store::SltdOnlineConfig {
        endpoint: format!("https://127.0.0.1:{port}/v1/sltd"),
        ca_pem: "-----BEGIN CERTIFICATE-----\nVEVTVC1PTkxZ\n-----END CERTIFICATE-----\n".into(),
        token: None,
    };
    store.set_sltd_online(&admin, Some(&online)).expect("online service");

    let settings = Settings { data_dir: data.clone(), ..Settings::default() };
    let start = StartOptions::on_screen(Screen::Document, Settings::file_in(dir.path()));
    let app = TdverifyApp::new(settings, resources.clone(), start).with_manual_stages();
    let mut harness =
        Harness::builder().with_size([1400.0, 1000.0]).build_ui_state(|ui, app: &mut TdverifyApp| app.show(ui), app);
    for (name, light) in [
        ("white.png", tdverify::core::Light::White),
        ("uv.png", tdverify::core::Light::Uv),
        ("ir.png", tdverify::core::Light::Ir),
    ] {
        harness.state_mut().document.open(folder.join(name), Some(light));
    }
    harness.state_mut().document.finish_loading();
    let officer = store.login("officer", "TEST-ONLY password 1").expect("login");
    harness.state_mut().cases.session = Some(officer);
    harness.state_mut().cases.store = Some(store);
    harness.run();

    let sltd =
        |result: &tdverify::inspect::Inspection| result.checks.iter().find(|c| c.id == "sltd.hit").map(|c| c.status);
    let before = support::inspect(&mut harness);
    assert_eq!(sltd(&before), Some(tdverify::core::CheckStatus::NotChecked));

    let today = tdverify::sltd::iso_from_days(tdverify::sltd::today_days());
    let extra: Vec<tdverify::sltd::Entry> = index["test_hotlist"]
        .as_array()
        .expect("test_hotlist")
        .iter()
        .map(|e| tdverify::sltd::Entry {
            document: tdverify::sltd::DocumentKey::new(
                e["doc_code"].as_str().unwrap_or_default(),
                e["issuing_state"].as_str().unwrap_or_default(),
                e["document_number"].as_str().unwrap_or_default(),
            ),
            status: tdverify::sltd::Status::StolenBlank,
            reported_days: 20_000,
        })
        .collect();
    let bytes = tdverify::sltd::test_bundle::make_test_bundle(1000, 9, &today, &extra).expect("bundle");
    tdverify::sltd::Hotlist::import_bytes(&data, bytes, &tdverify::sltd::test_bundle::test_only_trust(), false)
        .expect("import");

    let after = support::inspect(&mut harness);
    assert_eq!(sltd(&after), Some(tdverify::core::CheckStatus::Fail), "the import was picked up without a restart");
    harness.get_by_label_contains("POSSIBLE SLTD HIT");
    harness.get_by_label("Ask the online SLTD service").click();
    harness.step();
    let started = std::time::Instant::now();
    while harness.state().document.inspection.online_answer.is_none() {
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "the online query never ended");
        std::thread::sleep(std::time::Duration::from_millis(20));
        harness.step();
    }
    harness.run();
    harness.get_by_label_contains("Online SLTD: the service cannot be reached");
    harness.get_by_label_contains("The offline hotlist's answer stands.");
    harness.get_by_label_contains("POSSIBLE SLTD HIT");

    let store = harness.state_mut().cases.store.take().expect("store");
    let queries: Vec<String> = store
        .audit_entries(&store.station_session(), 0, 1000)
        .expect("audit")
        .into_iter()
        .filter(|e| e.action == "sltd_query")
        .map(|e| format!("{} {}", e.actor, e.detail))
        .collect();
    assert_eq!(queries.len(), 1, "{queries:?}");
    assert!(queries[0].starts_with("officer online query") && queries[0].contains("no answer"), "{queries:?}");
}
