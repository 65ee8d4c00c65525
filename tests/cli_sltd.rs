//! Issue 23's CLI contract against the real binary: a TEST-ONLY bundle with the
//! fixtures' stolen blanks → import refused until an administrator trusts the signer →
//! `sltd status` / `sltd check` → a tampered bundle is refused and the old copy keeps
//! working → `inspect` of the fixture `stolen_blank` document shows the possible hit
//! worded for the NCB, and a genuine one passes.

use std::path::{Path, PathBuf};
use std::process::Output;

#[path = "support/cli.rs"]
mod cli_support;

use cli_support::{ok, tdverify, text};

fn json(output: Output) -> serde_json::Value {
    serde_json::from_str(&ok(output)).expect("JSON")
}

/// The first fixture folder whose name ends with `suffix`.
fn fixture(suffix: &str) -> PathBuf {
    let root = tdverify::resources::Resources::discover().fixtures;
    let mut folders: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("fixture documents in {} (cargo xtask setup generates them): {e}", root.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().ends_with(suffix)))
        .collect();
    folders.sort();
    folders.into_iter().next().unwrap_or_else(|| panic!("no fixture ending in {suffix} in {}", root.display()))
}

fn inspect_sltd(data: &Path, folder: &Path) -> (String, String, String) {
    let arg = |name: &str| folder.join(name).display().to_string();
    let (w, u, i) = (arg("white.png"), arg("uv.png"), arg("ir.png"));
    let value = json(tdverify(data, &["inspect", "--white", &w, "--uv", &u, "--ir", &i, "--json"]));
    let check = value["checks"].as_array().expect("checks").iter().find(|c| c["id"] == "sltd.hit").expect("an sltd.hit check").clone();
    (
        check["status"].as_str().unwrap_or_default().to_owned(),
        check["message"].as_str().unwrap_or_default().to_owned(),
        value["verdict"]["proposed"].as_str().unwrap_or_default().to_owned(),
    )
}

#[test]
fn import_check_and_inspect_with_the_test_hotlist() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    ok(tdverify(&data, &["store", "init"]));
    let fixtures = tdverify::resources::Resources::discover().fixtures;
    let bundle = dir.path().join("bundle.tdvs");
    let bundle_arg = bundle.display().to_string();
    let made = ok(tdverify(
        &data,
        &["sltd", "make-test-bundle", "--count", "20000", "--seed", "5", "--fixtures", &fixtures.display().to_string(), "--out", &bundle_arg],
    ));
    let key = made.split_whitespace().find(|w| w.starts_with("ed25519:")).expect("the signer key").to_owned();

    // Before anything is imported, inspections say so.
    let genuine = fixture("genuine");
    let (status, message, _) = inspect_sltd(&data, &genuine);
    assert_eq!(status, "not_checked", "{message}");
    assert!(message.contains("no stolen and lost documents hotlist is loaded"), "{message}");

    let untrusted = tdverify(&data, &["sltd", "import", &bundle_arg]);
    assert_eq!(untrusted.status.code(), Some(2), "{}", text(&untrusted));
    assert!(text(&untrusted).contains("does not trust"), "{}", text(&untrusted));
    ok(tdverify(&data, &["users", "add", "officer", "--role", "officer", "--admin", "admin"]));
    let not_admin = tdverify(&data, &["sltd", "trust", &key, "--admin", "officer"]);
    assert_eq!(not_admin.status.code(), Some(1), "{}", text(&not_admin));
    ok(tdverify(&data, &["sltd", "trust", &key, "--label", "TEST-ONLY", "--admin", "admin"]));
    let trusted = json(tdverify(&data, &["sltd", "trusted", "--json"]));
    assert_eq!(trusted[0]["key"], key.as_str(), "{trusted}");
    assert_eq!(trusted[0]["added_by"], "admin");
    let officer_import = tdverify(&data, &["sltd", "import", &bundle_arg, "--user", "officer"]);
    assert_eq!(officer_import.status.code(), Some(1), "{}", text(&officer_import));
    assert!(text(&officer_import).contains("permission denied"), "{}", text(&officer_import));
    let imported = json(tdverify(&data, &["sltd", "import", &bundle_arg, "--json"]));
    let entries = imported["entries"].as_u64().expect("entries");
    assert!(entries >= 20_000, "{imported}");

    let status = json(tdverify(&data, &["sltd", "status", "--json"]));
    assert_eq!(status["entries"], entries);
    assert_eq!(status["age_days"], 0);
    assert_eq!(status["max_age_days"], 7);
    ok(tdverify(&data, &["sltd", "max-age", "10", "--admin", "admin"]));
    assert_eq!(json(tdverify(&data, &["sltd", "status", "--json"]))["max_age_days"], 10);
    let bad_age = tdverify(&data, &["sltd", "max-age", "0", "--admin", "admin"]);
    assert_eq!(bad_age.status.code(), Some(2), "{}", text(&bad_age));

    // The fixtures' stolen blank is on the list; a neighbouring number is not.
    let index: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures.join("index.json")).expect("index.json")).expect("JSON");
    let listed = &index["test_hotlist"][0];
    let number = listed["document_number"].as_str().expect("number");
    let state = listed["issuing_state"].as_str().expect("state");
    let code = listed["doc_code"].as_str().expect("code");
    let hit = json(tdverify(&data, &["sltd", "check", "--number", number, "--state", state, "--type", code, "--json"]));
    assert_eq!(hit["hit"], true, "{hit}");
    assert_eq!(hit["status"], "stolen_blank");
    let other = format!("{number}X");
    let miss = json(tdverify(&data, &["sltd", "check", "--number", &other, "--state", state, "--type", code, "--json"]));
    assert_eq!(miss["hit"], false, "{miss}");

    // A tampered bundle is refused; the copy in use keeps answering.
    let mut bytes = std::fs::read(&bundle).expect("bundle");
    let at = bytes.len() / 2;
    bytes[at] ^= 0x40;
    let tampered = dir.path().join("tampered.tdvs");
    std::fs::write(&tampered, &bytes).expect("write");
    let refused = tdverify(&data, &["sltd", "import", &tampered.display().to_string()]);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert!(text(&refused).contains("signature does not verify"), "{}", text(&refused));
    let still = json(tdverify(&data, &["sltd", "check", "--number", number, "--state", state, "--type", code, "--json"]));
    assert_eq!(still["hit"], true);

    // Inspections use the station's copy by themselves.
    let (status, message, verdict) = inspect_sltd(&data, &fixture("stolen_blank"));
    assert_eq!(status, "fail", "{message}");
    assert!(message.starts_with("Possible hit: reported stolen blank on"), "{message}");
    assert!(message.ends_with("confirm with the national central bureau before any action."), "{message}");
    assert_ne!(verdict, "fraudulent", "a possible hit alone is never a fraud verdict");
    let (status, message, _) = inspect_sltd(&data, &genuine);
    assert_eq!(status, "pass", "{message}");
    assert!(message.starts_with("Not on the stolen and lost documents hotlist as of"), "{message}");

    // The audit log has every import, refused or not, and the trust change.
    let audit = ok(tdverify(&data, &["audit", "verify"]));
    assert!(!audit.is_empty());
    let store = tdverify::store::Store::open(&data, "TEST-ONLY station passphrase", tdverify::store::StoreOptions::default())
        .expect("open the store");
    let actions: Vec<String> = store
        .audit_entries(&store.station_session(), 0, 10_000)
        .expect("audit")
        .into_iter()
        .filter(|e| e.action.starts_with("sltd") || e.action == "trust_config")
        .map(|e| format!("{} {}", e.action, e.detail))
        .collect();
    assert!(actions.iter().any(|a| a.starts_with("trust_config trusted hotlist publisher key")), "{actions:?}");
    assert_eq!(actions.iter().filter(|a| a.starts_with("sltd_import")).count(), 3, "{actions:?}");
    assert!(actions.iter().any(|a| a.starts_with("sltd_config hotlist maximum age set to 10")), "{actions:?}");
}

#[test]
fn online_service_is_configured_by_an_administrator_and_answers_no_answer_when_down() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    ok(tdverify(&data, &["store", "init"]));
    ok(tdverify(&data, &["users", "add", "officer", "--role", "officer", "--admin", "admin"]));
    let bundle = dir.path().join("bundle.tdvs");
    ok(tdverify(&data, &["sltd", "make-test-bundle", "--count", "100", "--out", &bundle.display().to_string()]));
    ok(tdverify(&data, &["sltd", "trust", &tdverify::sltd::test_bundle::test_only_signer_key(), "--admin", "admin"]));
    ok(tdverify(&data, &["sltd", "import", &bundle.display().to_string()]));
    // A port nobody listens on: the service is down.
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("address").port();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, "-----BEGIN CERTIFICATE-----
VEVTVC1PTkxZ
-----END CERTIFICATE-----
").expect("write");
    let endpoint = format!("https://127.0.0.1:{port}/v1/sltd");
    let plain = tdverify(&data, &["sltd", "online", "--endpoint", "http://127.0.0.1:1/", "--ca", &ca.display().to_string(), "--admin", "admin"]);
    assert_eq!(plain.status.code(), Some(2), "{}", text(&plain));
    let by_officer = tdverify(&data, &["sltd", "online", "--endpoint", &endpoint, "--ca", &ca.display().to_string(), "--admin", "officer"]);
    assert_eq!(by_officer.status.code(), Some(1), "{}", text(&by_officer));
    ok(tdverify(&data, &["sltd", "online", "--endpoint", &endpoint, "--ca", &ca.display().to_string(), "--admin", "admin"]));
    let answer = json(tdverify(
        &data,
        &["sltd", "check", "--number", "L898902C3", "--state", "UTO", "--type", "P", "--online", "--user", "officer", "--json"],
    ));
    assert_eq!(answer["hit"], false, "the offline answer stands: {answer}");
    assert_eq!(answer["online"]["result"], "no_answer", "{answer}");
    assert!(answer["online"]["reason"].as_str().unwrap_or_default().contains("cannot be reached"), "{answer}");
    let store = tdverify::store::Store::open(&data, "TEST-ONLY station passphrase", tdverify::store::StoreOptions::default())
        .expect("open the store");
    let queries: Vec<String> = store
        .audit_entries(&store.station_session(), 0, 10_000)
        .expect("audit")
        .into_iter()
        .filter(|e| e.action == "sltd_query")
        .map(|e| format!("{} {}", e.actor, e.detail))
        .collect();
    assert_eq!(queries.len(), 1, "{queries:?}");
    assert!(queries[0].starts_with("officer online query, document "), "{queries:?}");
    assert!(!queries[0].contains("L898902C3"), "{queries:?}");
    ok(tdverify(&data, &["sltd", "online", "--remove", "--admin", "admin"]));
    let unconfigured = tdverify(&data, &["sltd", "check", "--number", "L898902C3", "--state", "UTO", "--type", "P", "--online", "--json"]);
    assert!(ok(unconfigured).contains("no online SLTD service is configured"));
}
