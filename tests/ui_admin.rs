//! Issue 30 through egui_kittest: the Administration screen. Nobody logged in is sent to the
//! Cases screen's login; an administrator creates an officer and imports a TEST-ONLY CSCA
//! master list, sees it listed with its expiry, and both changes are in the audit log; an
//! officer sees no tab; an auditor sees only the audit log, with the chain verified.

use std::path::Path;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use tdverify::pki::testpki::{TestKeyAlgorithm, TestPki};
use tdverify::resources::Resources;
use tdverify::settings::Settings;
use tdverify::store::{AuditFilter, Role, Store, StoreOptions};
use tdverify::ui::{Screen, StartOptions, TdverifyApp};

const PASSWORD: &str = "TEST-ONLY password 1";

fn harness(dir: &Path) -> Harness<'static, TdverifyApp> {
    let settings = Settings { data_dir: dir.join("data"), ..Settings::default() };
    let start = StartOptions::on_screen(Screen::Admin, Settings::file_in(dir));
    let app = TdverifyApp::new(settings, Resources::in_home(Path::new(env!("CARGO_MANIFEST_DIR"))), start);
    Harness::builder().with_size([1400.0, 1000.0]).build_ui_state(|ui, app: &mut TdverifyApp| app.show(ui), app)
}

/// Logs `name` in as the Cases screen would, handing the store to the app.
fn log_in(harness: &mut Harness<'static, TdverifyApp>, name: &str) {
    let store = harness.state_mut().cases.store.take().expect("the app holds the store");
    let session = store.login(name, PASSWORD).expect("login");
    harness.state_mut().cases.session = Some(session);
    harness.state_mut().cases.store = Some(store);
    harness.run();
}

/// Types into the text field named `label` (focused first: a field takes text only once focused).
fn type_into(harness: &mut Harness<'static, TdverifyApp>, label: &str, text: &str) {
    use eframe::egui::accesskit::Role as A11y;
    // The role tells the field from a column header with the same words; passwords have their own.
    let role = if harness.query_by_role_and_label(A11y::PasswordInput, label).is_some() {
        A11y::PasswordInput
    } else {
        A11y::TextInput
    };
    harness.get_by_role_and_label(role, label).focus();
    harness.run();
    harness.get_by_role_and_label(role, label).type_text(text);
    harness.run();
}

fn audit_actions(harness: &Harness<'static, TdverifyApp>, action: &str) -> Vec<String> {
    let store = harness.state().cases.store.as_ref().expect("store");
    let filter = AuditFilter { action: Some(action.into()), ..AuditFilter::default() };
    let page = store.audit_page(&store.station_session(), &filter, 0, 100).expect("audit");
    page.entries.into_iter().map(|e| format!("{} {}", e.actor, e.detail)).collect()
}

#[test]
fn an_admin_creates_an_officer_and_imports_a_master_list_officers_see_nothing_auditors_the_log() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let store =
        Store::initialize(&data, "TEST-ONLY station passphrase", StoreOptions::test_only_fast()).expect("store");
    store.create_first_admin("admin", PASSWORD).expect("admin");
    let admin = store.login("admin", PASSWORD).expect("login");
    store.create_user(&admin, "auditor", PASSWORD, Role::Auditor).expect("auditor");
    let pki = TestPki::generate("UTO", TestKeyAlgorithm::EcdsaP256, b"TEST-ONLY ui_admin seed").expect("TEST PKI");
    let master_list = dir.path().join("TEST-masterlist-UTO.ml");
    std::fs::write(&master_list, pki.master_list(&[]).expect("master list")).expect("write");

    let mut harness = harness(dir.path());
    harness.run();
    harness.get_by_label_contains("Log in on the Cases screen");
    harness.state_mut().cases.store = Some(store);

    // The administrator creates an officer.
    log_in(&mut harness, "admin");
    assert!(harness.query_by_label("Audit log").is_none(), "administrators do not read the audit log");
    harness.get_by_label("Users").click();
    harness.run();
    type_into(&mut harness, "New user name", "officer1");
    type_into(&mut harness, "Password", PASSWORD);
    type_into(&mut harness, "Password again", PASSWORD);
    harness.run();
    harness.get_by_label("Create user").click();
    harness.run();
    harness.get_by_label_contains("User officer1 created as Officer");
    {
        let store = harness.state().cases.store.as_ref().expect("store");
        let officer = store.login("officer1", PASSWORD).expect("the new officer logs in");
        assert_eq!(officer.role(), Some(Role::Officer));
    }
    assert!(audit_actions(&harness, "user_admin").iter().any(|e| e.starts_with("admin ")), "audited");

    // Mismatched passwords are refused with the reason.
    type_into(&mut harness, "New user name", "officer2");
    type_into(&mut harness, "Password", PASSWORD);
    type_into(&mut harness, "Password again", "TEST-ONLY other password");
    harness.run();
    harness.get_by_label("Create user").click();
    harness.run();
    harness.get_by_label("The two passwords differ.");

    // The last administrator cannot be disabled: the store's rule is shown (rows by name, admin first).
    harness.get_all_by_label("Disable").next().expect("a Disable button").click();
    harness.run();
    harness.get_by_label_contains("admin is the last active administrator");

    // The administrator imports the TEST-ONLY master list and sees the CSCA with its expiry.
    harness.get_by_label("CSCA").click();
    harness.run();
    harness.get_by_label_contains("No CSCA imported yet");
    type_into(&mut harness, "Master list or certificate file", &master_list.display().to_string());
    harness.run();
    harness.get_by_label("Import").click();
    harness.run();
    harness.get_by_label_contains("Imported: 1 CSCA added");
    harness.get_by_label("2040-01-01");
    harness.get_by_label("UTO");
    let trusted = tdverify::chip_session::load_csca_store(&data).expect("trust store");
    assert_eq!(trusted.certificates().len(), 1);
    let csca_entries = audit_actions(&harness, "csca_config");
    assert_eq!(csca_entries.len(), 1, "{csca_entries:?}");
    assert!(csca_entries[0].contains("TEST-masterlist-UTO.ml") && csca_entries[0].contains("1 CSCA added"));

    // Removing a CSCA is asked twice, then audited.
    harness.get_by_label("Remove").click();
    harness.run();
    harness.get_by_label_contains("Chips signed under it will no longer verify");
    harness.get_by_label("Remove it").click();
    harness.run();
    harness.get_by_label_contains("Removed C=UTO");
    assert!(tdverify::chip_session::load_csca_store(&data).expect("trust store").certificates().is_empty());
    assert_eq!(audit_actions(&harness, "csca_config").len(), 2);

    // Retention: a period is saved, and the purge says how many cases it would destroy first.
    harness.get_by_label("Retention").click();
    harness.run();
    harness.get_by_label("Delete cases after a period").click();
    harness.run();
    harness.get_by_label("Save retention").click();
    harness.run();
    harness.get_by_label("Retention set to 365 days.");
    harness.get_by_label("Purge expired cases…").click();
    harness.run();
    harness.get_by_label_contains("0 cases are older than the period");
    assert_eq!(audit_actions(&harness, "retention_config"), vec!["admin 365 days".to_string()]);

    // Trusted keys: the TEST-ONLY hotlist publisher's key from a file, listed with its fingerprint.
    let key_file = dir.path().join("TEST-ONLY-ncb.pub");
    std::fs::write(&key_file, tdverify::sltd::test_bundle::test_only_signer_key()).expect("write");
    harness.get_by_label("Trusted keys").click();
    harness.run();
    type_into(&mut harness, "Name", "TEST-ONLY NCB");
    type_into(&mut harness, "Public key file", &key_file.display().to_string());
    harness.get_by_label("Trust").click();
    harness.run();
    harness.get_by_label_contains("Trusted (fingerprint");
    harness.get_by_label("TEST-ONLY NCB");
    assert_eq!(audit_actions(&harness, "trust_config").len(), 1);

    // Reference library: a broken pack lists its problem and installs nothing; a good one installs, audited.
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("reference-library/ZZA/passport");
    let pack = dir.path().join("TEST-ONLY-pack");
    std::fs::create_dir_all(pack.join("ZZA/passport")).expect("pack folder");
    std::fs::write(pack.join("ZZA/passport/template.toml"), "format_version = 1\n[issuer]\n").expect("write");
    harness.get_by_label("Reference library").click();
    harness.run();
    type_into(&mut harness, "Template pack folder", &pack.display().to_string());
    harness.get_by_label("Validate").click();
    harness.run();
    harness.get_by_label_contains("The pack has one problem; nothing was installed");
    for entry in std::fs::read_dir(&bundled).expect("bundled template") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), pack.join("ZZA/passport").join(entry.file_name())).expect("copy");
    }
    harness.get_by_label("Validate").click();
    harness.run();
    harness.get_by_label("The pack is valid: ZZA/passport");
    harness.get_by_label("Install").click();
    harness.run();
    harness.get_by_label("Installed: 1 new, 0 replaced.");
    assert!(data.join("reference-library/ZZA/passport/template.toml").is_file());
    harness.get_by_label("imported");
    assert_eq!(
        audit_actions(&harness, "reference_import"),
        vec!["admin pack TEST-ONLY-pack: added ZZA/passport; replaced ".to_string()]
    );
    // A second edition replaces it; the first stays as an earlier version and can be put back.
    let template = pack.join("ZZA/passport/template.toml");
    let first_edition = std::fs::read_to_string(&template).expect("template");
    std::fs::write(&template, format!("# TEST-ONLY second edition\n{first_edition}")).expect("write");
    harness.get_by_label("Validate").click();
    harness.run();
    harness.get_by_label("Install").click();
    harness.run();
    harness.get_by_label("Installed: 0 new, 1 replaced.");
    harness.get_by_label_contains("Restore ZZA/passport").click();
    harness.run();
    harness.get_by_label_contains("is in use again");
    let installed = std::fs::read_to_string(data.join("reference-library/ZZA/passport/template.toml")).expect("read");
    assert_eq!(installed, first_edition, "the first edition is back in use");
    let imports = audit_actions(&harness, "reference_import");
    assert_eq!(imports.len(), 3, "{imports:?}");
    assert!(imports[2].starts_with("admin restored ZZA/passport revision "), "{imports:?}");

    // An officer sees no tab at all.
    log_in(&mut harness, "officer1");
    assert!(harness.query_by_label("Users").is_none());
    assert!(harness.query_by_label("CSCA").is_none());
    harness.get_by_label_contains("has no administration rights");

    // An auditor sees the audit log only, with the chain verified and the import in it.
    log_in(&mut harness, "auditor");
    assert!(harness.query_by_label("Users").is_none());
    harness.get_by_label("Audit log");
    harness.get_by_label_contains("Audit chain verified");
    harness.get_by_role_and_label(eframe::egui::accesskit::Role::ComboBox, "Action").click();
    harness.run();
    // The option in the drop-down (the log's rows show the same word as plain text).
    harness.get_by_role_and_label(eframe::egui::accesskit::Role::Button, "csca_config").click_accesskit();
    harness.run();
    harness.run();
    harness.get_by_label("Filter").click();
    harness.run();
    harness.get_by_label("Entries 1 to 2 of 2");
}

/// An auditor is told where the chain breaks when someone with the file edited an entry.
#[test]
fn an_auditor_sees_the_first_broken_entry_of_a_tampered_log() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let store =
        Store::initialize(&data, "TEST-ONLY station passphrase", StoreOptions::test_only_fast()).expect("store");
    store.create_first_admin("admin", PASSWORD).expect("admin");
    let admin = store.login("admin", PASSWORD).expect("login");
    store.create_user(&admin, "auditor", PASSWORD, Role::Auditor).expect("auditor");
    drop(store);
    // As an attacker with the database file would: drop the append-only triggers and edit entry 3.
    let file = rusqlite::Connection::open(tdverify::store::database_path(&data)).expect("sqlite");
    file.execute_batch("DROP TRIGGER audit_no_update; UPDATE audit SET detail = 'nothing happened' WHERE seq = 3;")
        .expect("tamper");
    drop(file);
    let store = Store::open(&data, "TEST-ONLY station passphrase", StoreOptions::test_only_fast()).expect("open");

    let mut harness = harness(dir.path());
    harness.state_mut().cases.store = Some(store);
    log_in(&mut harness, "auditor");
    harness.get_by_label_contains("Audit chain broken at entry 3 (edited)");
    harness.get_by_label("nothing happened");
}
