//! Issue 30's administration from the command line, through the real binary, as the
//! Administration screen does it: template packs (`reference list | validate | import`),
//! the retention period (`retention show | set | purge`, which names the cases a shorter
//! period destroys before it destroys them) and the station (`station show | set`).
//! Every administrator action lands in the audit log; refusals change nothing.

use std::path::{Path, PathBuf};

use tdverify::store::{CaseDraft, Role, Store, StoreOptions};

#[path = "support/cli.rs"]
mod cli_support;

use cli_support::{TEST_PASSPHRASE, TEST_PASSWORD, ok, tdverify, text};

/// A store with an administrator, an officer and an auditor.
fn station(dir: &Path) -> PathBuf {
    let data = dir.join("data");
    let store = Store::initialize(&data, TEST_PASSPHRASE, StoreOptions::test_only_fast()).expect("store");
    store.create_first_admin("admin", TEST_PASSWORD).expect("admin");
    let admin = store.login("admin", TEST_PASSWORD).expect("admin login");
    for role in [Role::Officer, Role::Auditor] {
        store.create_user(&admin, role.as_str(), TEST_PASSWORD, role).expect("user");
    }
    data
}

/// The audit entries of one action, oldest first.
fn audited(data: &Path, action: &str) -> Vec<String> {
    let store = Store::open(data, TEST_PASSPHRASE, StoreOptions::test_only_fast()).expect("store");
    let auditor = store.login("auditor", TEST_PASSWORD).expect("auditor login");
    let entries = store.audit_entries(&auditor, 0, 10_000).expect("audit log");
    entries.into_iter().filter(|e| e.action == action).map(|e| e.detail).collect()
}

/// A pack holding a copy of one bundled template.
fn pack_of(dir: &Path, key: &str) -> PathBuf {
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("reference-library").join(key);
    let pack = dir.join("TEST-pack");
    let target = pack.join(key);
    std::fs::create_dir_all(&target).expect("pack folder");
    for entry in std::fs::read_dir(&bundled).expect("bundled template") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), target.join(entry.file_name())).expect("copy");
    }
    pack
}

#[test]
fn an_administrator_validates_and_imports_a_template_pack() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = station(dir.path());
    let listed = ok(tdverify(&data, &["reference", "list"]));
    assert!(listed.lines().any(|l| l.starts_with("ZZA/passport") && l.contains("bundled")), "{listed}");
    assert!(!listed.contains("imported"), "{listed}");

    let pack = pack_of(dir.path(), "ZZA/passport");
    let pack_arg = pack.to_str().expect("utf-8");
    let valid = ok(tdverify(&data, &["reference", "validate", pack_arg]));
    assert!(valid.contains("valid, 1 template(s): ZZA/passport"), "{valid}");

    // A broken pack: every problem named, nothing installed, no password asked.
    let broken = dir.path().join("TEST-broken-pack");
    std::fs::create_dir_all(broken.join("ZZA/passport")).expect("folder");
    std::fs::write(broken.join("ZZA/passport/template.toml"), "not = [ a template").expect("write");
    let refused = tdverify(&data, &["reference", "import", broken.to_str().expect("utf-8"), "--user", "admin"]);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert!(text(&refused).contains("template.toml"), "{}", text(&refused));
    let empty = dir.path().join("TEST-empty-pack");
    std::fs::create_dir_all(&empty).expect("folder");
    let refused = tdverify(&data, &["reference", "validate", empty.to_str().expect("utf-8")]);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert!(text(&refused).contains("no templates found"), "{}", text(&refused));

    // Without a user, or as an officer: refused before anything is copied.
    let no_user = tdverify(&data, &["reference", "import", pack_arg]);
    assert_eq!(no_user.status.code(), Some(2), "{}", text(&no_user));
    assert!(text(&no_user).contains("--user"), "{}", text(&no_user));
    let officer = tdverify(&data, &["reference", "import", pack_arg, "--user", "officer"]);
    assert!(!officer.status.success(), "an officer may not change the library: {}", text(&officer));
    assert!(!data.join("reference-library/ZZA/passport").exists(), "nothing copied for the officer");

    let installed = ok(tdverify(&data, &["reference", "import", pack_arg, "--user", "admin"]));
    assert!(installed.contains("1 added (ZZA/passport)"), "{installed}");
    assert!(data.join("reference-library/ZZA/passport/template.toml").is_file());
    let again = ok(tdverify(&data, &["reference", "import", pack_arg, "--user", "admin"]));
    assert!(again.contains("1 replaced (ZZA/passport)"), "{again}");
    let listed = ok(tdverify(&data, &["reference", "list", "--json"]));
    let json: serde_json::Value = serde_json::from_str(&listed).expect("JSON");
    let imported: Vec<&str> = json["templates"]
        .as_array()
        .expect("templates")
        .iter()
        .filter(|t| t["imported"] == true)
        .filter_map(|t| t["key"].as_str())
        .collect();
    assert_eq!(imported, vec!["ZZA/passport"], "{listed}");

    // The version the second install replaced is kept, by revision, and can be put back.
    let revision = json["templates"]
        .as_array()
        .expect("templates")
        .iter()
        .find(|t| t["imported"] == true)
        .and_then(|t| t["revision"].as_str())
        .unwrap_or_default()
        .to_string();
    assert_eq!(revision.len(), 12, "{listed}");
    let versions = ok(tdverify(&data, &["reference", "versions", "ZZA/passport"]));
    assert!(versions.starts_with(&format!("{revision}  replaced ")), "{versions}");
    let unknown = tdverify(&data, &["reference", "restore", "ZZA/passport", "0123456789ab", "--user", "admin"]);
    assert_eq!(unknown.status.code(), Some(2), "{}", text(&unknown));
    assert!(text(&unknown).contains("no earlier version"), "{}", text(&unknown));
    let restored = ok(tdverify(&data, &["reference", "restore", "ZZA/passport", &revision, "--user", "admin"]));
    assert!(restored.contains("in use again"), "{restored}");

    let imports = audited(&data, "reference_import");
    assert_eq!(imports.len(), 3, "the two installs and the restore, nothing for the refusals: {imports:?}");
    assert!(imports[0].contains("added ZZA/passport"), "{imports:?}");
    assert!(imports[2].starts_with(&format!("restored ZZA/passport revision {revision}")), "{imports:?}");
}

#[test]
fn a_shorter_retention_period_names_the_cases_it_destroys_before_destroying_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = station(dir.path());
    {
        let store = Store::open(&data, TEST_PASSPHRASE, StoreOptions::test_only_fast()).expect("store");
        let officer = store.login("officer", TEST_PASSWORD).expect("officer login");
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .expect("clock");
        let day = 86_400;
        let drafts: Vec<(i64, CaseDraft)> =
            [400, 200, 3].iter().map(|age| (now - age * day, CaseDraft::default())).collect();
        store.create_cases_batch(&officer, &drafts).expect("cases");
    }
    let no_user = tdverify(&data, &["retention", "show"]);
    assert_eq!(no_user.status.code(), Some(2), "{}", text(&no_user));
    let shown = ok(tdverify(&data, &["retention", "show", "--user", "admin"]));
    assert!(shown.contains("kept until they are deleted"), "{shown}");

    for bad in ["0", "forever", "36501"] {
        let refused = tdverify(&data, &["retention", "set", bad, "--user", "admin"]);
        assert_eq!(refused.status.code(), Some(2), "{bad}: {}", text(&refused));
    }
    let officer = tdverify(&data, &["retention", "set", "365", "--user", "officer"]);
    assert!(!officer.status.success(), "an officer may not set retention: {}", text(&officer));

    // 365 days destroys one case: named, nothing changed until --yes.
    let asked = tdverify(&data, &["retention", "set", "365", "--user", "admin"]);
    assert_eq!(asked.status.code(), Some(2), "{}", text(&asked));
    assert!(text(&asked).contains("1 case(s) are older than 365 days"), "{}", text(&asked));
    let shown = ok(tdverify(&data, &["retention", "show", "--json", "--user", "admin"]));
    let json: serde_json::Value = serde_json::from_str(&shown).expect("JSON");
    assert_eq!(json["retention_days"], serde_json::Value::Null, "unchanged: {shown}");

    let set = ok(tdverify(&data, &["retention", "set", "365", "--yes", "--user", "admin"]));
    assert!(set.contains("kept 365 days; 1 older case(s) destroyed"), "{set}");
    let longer = ok(tdverify(&data, &["retention", "set", "3650", "--user", "admin"]));
    assert!(longer.contains("none is older"), "{longer}");
    let shown = ok(tdverify(&data, &["retention", "show", "--json", "--user", "admin"]));
    let json: serde_json::Value = serde_json::from_str(&shown).expect("JSON");
    assert_eq!(json["retention_days"], 3650, "{shown}");
    assert_eq!(json["expired_cases"], 0, "{shown}");

    let store = Store::open(&data, TEST_PASSPHRASE, StoreOptions::test_only_fast()).expect("store");
    let admin = store.login("admin", TEST_PASSWORD).expect("admin login");
    assert_eq!(store.cases_older_than(&admin, 1).expect("count"), 2, "the two younger cases are kept");
    drop(store);
    let changes = audited(&data, "retention_config");
    assert_eq!(changes.len(), 2, "365 then 3650 days, nothing for the refusals: {changes:?}");
    let purges = audited(&data, "retention_purge");
    assert!(purges.iter().any(|p| p.starts_with("purged 1 cases")), "{purges:?}");
}

#[test]
fn the_station_shows_its_id_and_keeps_checked_detection_defaults() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = station(dir.path());
    let set = ok(tdverify(
        &data,
        &[
            "station",
            "set",
            "--detection-country",
            "uto",
            "--detection-area",
            "north-1",
            "--detection-point-type",
            "air",
        ],
    ));
    assert!(set.contains("saved"), "{set}");
    let refused = tdverify(&data, &["station", "set", "--transport-mode", "horse"]);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert!(text(&refused).contains("transport_mode"), "{}", text(&refused));

    let shown = ok(tdverify(&data, &["station", "show", "--json"]));
    let json: serde_json::Value = serde_json::from_str(&shown).expect("JSON");
    assert_eq!(json["defaults"]["detection_country"], "UTO", "normalised: {shown}");
    assert_eq!(json["defaults"]["detection_area"], "north-1", "{shown}");
    assert_eq!(json["defaults"]["transport_mode"], "", "the refused value was not kept: {shown}");
    let id = json["store"]["station_id"].as_str().unwrap_or_default();
    assert!(id.starts_with("st-") && id.len() == 19, "{shown}");
    let text_form = ok(tdverify(&data, &["station", "show"]));
    assert!(text_form.contains(id) && text_form.contains("north-1"), "{text_form}");
}
