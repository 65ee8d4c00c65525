//! Issue 30's `tdverify doctor` additions through the real binary, in text and `--json`:
//! the case store (absent, then present with its schema version and counts), the CSCA
//! trust store (nothing imported, then a TEST-ONLY master list with its expiry and
//! country) and the SLTD hotlist's age (current, then older than the 7-day maximum).

use std::path::Path;

use serde_json::Value;
use tdverify::pki::testpki::{TestKeyAlgorithm, TestPki};
use tdverify::store::{CURRENT_SCHEMA_VERSION, Store, StoreOptions};

#[path = "support/cli.rs"]
mod cli_support;

use cli_support::{TEST_PASSPHRASE, TEST_PASSWORD, ok, tdverify, text};

/// The doctor's JSON finding for `subsystem`.
fn finding(data: &Path, subsystem: &str) -> Value {
    let output = tdverify(data, &["doctor", "--json"]);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let findings: Vec<Value> = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&output)));
    findings
        .into_iter()
        .find(|f| f["subsystem"] == subsystem)
        .unwrap_or_else(|| panic!("no {subsystem} finding in {stdout}"))
}

/// Imports a TEST-ONLY hotlist bundle dated `days_ago` days before today.
fn import_hotlist(data: &Path, days_ago: i64) {
    let as_of = tdverify::sltd::iso_from_days(tdverify::sltd::today_days() - days_ago);
    let bytes = tdverify::sltd::test_bundle::make_test_bundle(100, 7, &as_of, &[]).expect("TEST-ONLY bundle");
    let key = tdverify::sltd::parse_key(&tdverify::sltd::test_bundle::test_only_signer_key()).expect("key");
    tdverify::sltd::Hotlist::import_bytes(data, bytes, &tdverify::sltd::TrustedKeys::of(&[key]), true)
        .expect("hotlist import");
}

#[test]
fn doctor_reports_the_case_store_the_csca_trust_store_and_the_hotlist_age() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).expect("data dir");

    // Nothing yet: three warnings, each with its fix.
    let store = finding(&data, "case store");
    assert_eq!(store["health"], "warn", "{store}");
    let csca = finding(&data, "CSCA trust store");
    assert_eq!(csca["health"], "warn", "{csca}");
    assert!(csca["fix"].as_str().is_some_and(|f| f.contains("tdverify csca import")), "{csca}");
    let hotlist = finding(&data, "SLTD hotlist");
    assert_eq!(hotlist["health"], "warn", "{hotlist}");

    // A store, a TEST-ONLY master list and a current hotlist.
    let created = Store::initialize(&data, TEST_PASSPHRASE, StoreOptions::test_only_fast()).expect("store");
    created.create_first_admin("admin", TEST_PASSWORD).expect("admin");
    drop(created);
    let pki = TestPki::generate("UTO", TestKeyAlgorithm::EcdsaP256, b"TEST-ONLY cli_doctor seed").expect("TEST PKI");
    let master_list = dir.path().join("TEST-masterlist-UTO.ml");
    std::fs::write(&master_list, pki.master_list(&[]).expect("master list")).expect("write");
    ok(tdverify(&data, &["csca", "import", master_list.to_str().expect("utf-8")]));
    import_hotlist(&data, 2);

    let store = finding(&data, "case store");
    assert_eq!(store["health"], "ok", "{store}");
    assert_eq!(store["detail"], format!("schema version {CURRENT_SCHEMA_VERSION}, 0 cases, 1 users"));
    let csca = finding(&data, "CSCA trust store");
    assert_eq!(csca["health"], "ok", "{csca}");
    let detail = csca["detail"].as_str().expect("detail");
    assert!(detail.starts_with("1 CSCA certificates, 0 CRLs; nearest expiry 2040-01-01 (UTO, "), "{detail}");
    let hotlist = finding(&data, "SLTD hotlist");
    assert_eq!(hotlist["health"], "ok", "{hotlist}");
    assert!(hotlist["detail"].as_str().is_some_and(|d| d.contains("(2 days old); used up to 7 days old")), "{hotlist}");

    // The text report has the same lines.
    let report = text(&tdverify(&data, &["doctor"]));
    assert!(report.contains("ok    case store"), "{report}");
    assert!(report.contains("ok    CSCA trust store"), "{report}");

    // A hotlist older than the store's maximum age (7 days) is a warning naming the limit.
    import_hotlist(&data, 10);
    let hotlist = finding(&data, "SLTD hotlist");
    assert_eq!(hotlist["health"], "warn", "{hotlist}");
    assert!(hotlist["detail"].as_str().is_some_and(|d| d.contains("older than 7 days")), "{hotlist}");
}

/// The CSCA import the doctor then reports, made by an administrator with `--user`: checked
/// against the role, audited in the case store; `csca list` shows the days left.
#[test]
fn an_audited_csca_import_from_the_cli_and_the_days_left_in_the_list() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let store = Store::initialize(&data, TEST_PASSPHRASE, StoreOptions::test_only_fast()).expect("store");
    store.create_first_admin("admin", TEST_PASSWORD).expect("admin");
    let admin = store.login("admin", TEST_PASSWORD).expect("login");
    store.create_user(&admin, "officer", TEST_PASSWORD, tdverify::store::Role::Officer).expect("officer");
    drop(store);
    let pki = TestPki::generate("UTO", TestKeyAlgorithm::EcdsaP256, b"TEST-ONLY cli_doctor seed").expect("TEST PKI");
    let master_list = dir.path().join("TEST-masterlist-UTO.ml");
    std::fs::write(&master_list, pki.master_list(&[]).expect("master list")).expect("write");
    let file = master_list.to_str().expect("utf-8");

    // An officer is refused before anything is imported.
    let refused = tdverify(&data, &["csca", "import", file, "--user", "officer"]);
    assert!(!refused.status.success(), "{}", text(&refused));
    assert!(text(&refused).contains("not an administrator"), "{}", text(&refused));
    assert!(tdverify::chip_session::load_csca_store(&data).expect("trust store").certificates().is_empty());

    ok(tdverify(&data, &["csca", "import", file, "--user", "admin"]));
    let store = Store::open(&data, TEST_PASSPHRASE, StoreOptions::test_only_fast()).expect("open");
    let filter = tdverify::store::AuditFilter { action: Some("csca_config".into()), ..Default::default() };
    let entries = store.audit_page(&store.station_session(), &filter, 0, 10).expect("audit").entries;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].actor, "admin");
    assert!(entries[0].detail.starts_with("imported TEST-masterlist-UTO.ml (master_list): 1 CSCA added"));

    let list = ok(tdverify(&data, &["csca", "list"]));
    assert!(list.contains("valid 2020-01-01 to 2040-01-01 (") && list.contains(" days left)"), "{list}");
}
