//! Issue 30's CSCA administration from the command line, through the real binary: an
//! administrator imports a TEST-ONLY master list (audited), `csca list` names each
//! certificate by the start of its SHA-256, an officer may not remove it, bad prefixes
//! are refused with the reason, and the administrator's removal takes the certificate
//! out of the trust store and into the audit log.

use tdverify::pki::testpki::{TestKeyAlgorithm, TestPki};
use tdverify::store::{Role, Store, StoreOptions};

#[path = "support/cli.rs"]
mod cli_support;

use cli_support::{TEST_PASSPHRASE, TEST_PASSWORD, ok, tdverify, text};

#[test]
fn an_administrator_removes_a_csca_by_its_sha256_and_the_removal_is_audited() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let store = Store::initialize(&data, TEST_PASSPHRASE, StoreOptions::test_only_fast()).expect("store");
    store.create_first_admin("admin", TEST_PASSWORD).expect("admin");
    let admin = store.login("admin", TEST_PASSWORD).expect("admin login");
    store.create_user(&admin, "officer", TEST_PASSWORD, Role::Officer).expect("officer");
    store.create_user(&admin, "auditor", TEST_PASSWORD, Role::Auditor).expect("auditor");
    drop(store);
    let pki = TestPki::generate("UTO", TestKeyAlgorithm::EcdsaP256, b"TEST-ONLY cli_csca seed").expect("TEST PKI");
    let master_list = dir.path().join("TEST-masterlist-UTO.ml");
    std::fs::write(&master_list, pki.master_list(&[]).expect("master list")).expect("write");
    ok(tdverify(&data, &["csca", "import", master_list.to_str().expect("utf-8"), "--user", "admin"]));

    let listed = ok(tdverify(&data, &["csca", "list"]));
    let line = listed.lines().find(|l| l.contains("C=UTO")).unwrap_or_else(|| panic!("UTO listed: {listed}"));
    let prefix = line.split_whitespace().next().expect("the SHA-256 prefix first");
    assert_eq!(prefix.len(), 16, "{line}");
    assert!(prefix.bytes().all(|b| b.is_ascii_hexdigit()), "{line}");

    // Without a user, with a short or unknown prefix, or as an officer: refused, nothing removed.
    let no_user = tdverify(&data, &["csca", "remove", prefix]);
    assert_eq!(no_user.status.code(), Some(2), "{}", text(&no_user));
    assert!(text(&no_user).contains("--user"), "{}", text(&no_user));
    let short = tdverify(&data, &["csca", "remove", &prefix[..4], "--user", "admin"]);
    assert_eq!(short.status.code(), Some(2), "{}", text(&short));
    let unknown = tdverify(&data, &["csca", "remove", "0000000000000000", "--user", "admin"]);
    assert_eq!(unknown.status.code(), Some(2), "{}", text(&unknown));
    assert!(text(&unknown).contains("no trusted CSCA"), "{}", text(&unknown));
    let officer = tdverify(&data, &["csca", "remove", prefix, "--user", "officer"]);
    assert!(!officer.status.success(), "an officer may not remove a CSCA: {}", text(&officer));
    assert!(ok(tdverify(&data, &["csca", "list"])).contains("C=UTO"), "still trusted after the refusals");

    let removed = ok(tdverify(&data, &["csca", "remove", prefix, "--user", "admin"]));
    assert!(removed.contains("removed CSCA C=UTO"), "{removed}");
    assert!(!ok(tdverify(&data, &["csca", "list"])).contains("C=UTO"), "gone from the trust store");

    let store = Store::open(&data, TEST_PASSPHRASE, StoreOptions::test_only_fast()).expect("store");
    let auditor = store.login("auditor", TEST_PASSWORD).expect("auditor login");
    let entries = store.audit_entries(&auditor, 0, 1000).expect("audit log");
    let csca: Vec<&str> = entries.iter().filter(|e| e.action == "csca_config").map(|e| e.detail.as_str()).collect();
    assert_eq!(csca.len(), 2, "the import and the removal, nothing for the refusals: {csca:?}");
    assert!(csca[1].starts_with("removed CSCA C=UTO") && csca[1].contains(prefix), "{csca:?}");
}
