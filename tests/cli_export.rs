//! Issue 22's CLI contract against the real binary: `store init` → `users add` (an
//! officer and a supervisor) → fraud cases saved through the library → `cases classify
//! --context FILE.json` (bad keys and codes: exit 2 naming them) → `cases submit` →
//! `export` (officer refused, supervisor writes the bundle; the same period again needs
//! --override) → `export verify` with and without `--key` → a tampered bundle and
//! another station's key fail with exit 1 and a reason.

use std::path::Path;

use tdverify::core::Verdict;
use tdverify::store::{CaseDraft, CaseMetadata, Classification, HolderProfile, Store, StoreOptions};

#[path = "support/cli.rs"]
mod cli_support;

use cli_support::{TEST_PASSPHRASE, TEST_PASSWORD, ok, tdverify, text};

/// Six fraud drafts by `officer`, holders alike (one k-group), through the library.
fn fraud_drafts(data_dir: &Path) -> Vec<String> {
    let store = Store::open(data_dir, TEST_PASSPHRASE, StoreOptions::default()).expect("open");
    let officer = store.login("officer", TEST_PASSWORD).expect("login");
    (0..6)
        .map(|i| {
            let draft = CaseDraft {
                metadata: CaseMetadata {
                    proposed_verdict: Some(Verdict::Fraudulent),
                    issuing_state: Some("UTO".into()),
                    document_code: Some("P".into()),
                    failed_checks: vec!["face.photo_vs_ghost".into()],
                    ..CaseMetadata::default()
                },
                classification: Classification::default(),
                inspection: serde_json::json!({"mrz": {"surname": format!("TESTSURNAME{i}")}}),
                holder: HolderProfile {
                    nationality_claimed: Some("ZZA".into()),
                    sex: Some("F".into()),
                    age_years: Some(31),
                    ..HolderProfile::default()
                },
                ..CaseDraft::default()
            };
            store.create_case(&officer, &draft).expect("create")
        })
        .collect()
}

fn as_strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn this_month() -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs();
    tdverify::store::time::format_utc(now as i64)[..7].to_string()
}

#[test]
fn supervisor_exports_and_anyone_verifies() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    ok(tdverify(&data, &["store", "init"]));
    ok(tdverify(&data, &["users", "add", "officer", "--role", "officer", "--admin", "admin"]));
    ok(tdverify(&data, &["users", "add", "supervisor", "--role", "supervisor", "--admin", "admin"]));
    let bad_role = tdverify(&data, &["users", "add", "x", "--role", "chief", "--admin", "admin"]);
    assert_eq!(bad_role.status.code(), Some(2), "{}", text(&bad_role));

    let ids = fraud_drafts(&data);
    let context = dir.path().join("context.json");
    std::fs::write(
        &context,
        r#"{"detection_country":"UTO","detection_area":"north","detection_point_type":"air",
            "detection_stage":"second_line","travel_direction":"entry","transport_mode":"air",
            "route_embarkation":"ZZB","route_transits":["FRA"],"route_destination":"UTO",
            "group_size":2,"conclusion_level":"established","outcome":"refused_entry"}"#,
    )
    .expect("write context");

    // A fraud case cannot be submitted before its context is complete.
    ok(tdverify(&data, &["cases", "classify", &ids[0], "--verdict", "fraudulent", "--fraud-type", "forged", "--user", "officer"]));
    let early = tdverify(&data, &["cases", "submit", &ids[0], "--user", "officer"]);
    assert_eq!(early.status.code(), Some(2), "{}", text(&early));
    assert!(text(&early).contains("detection_country"), "{}", text(&early));

    // Bad context files: exit 2, the key named.
    for (body, key) in [
        (r#"{"colour":"red"}"#, "colour"),
        (r#"{"travel_direction":"sideways"}"#, "travel_direction"),
        (r#"{"route_transits":["QQQ"]}"#, "route_transits"),
    ] {
        let bad = dir.path().join("bad.json");
        std::fs::write(&bad, body).expect("write");
        let out = tdverify(
            &data,
            &["cases", "classify", &ids[0], "--verdict", "fraudulent", "--context", bad.to_str().expect("path"), "--user", "officer"],
        );
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        assert!(text(&out).contains(key), "{}", text(&out));
    }

    for id in &ids {
        ok(tdverify(
            &data,
            &[
                "cases", "classify", id, "--verdict", "fraudulent", "--fraud-type", "forged", "--method",
                "photo_substitution", "--context", context.to_str().expect("path"), "--user", "officer",
            ],
        ));
        ok(tdverify(&data, &["cases", "submit", id, "--user", "officer"]));
    }

    // An administrator raises the station's smallest k; a smaller --k is refused.
    let officer_sets = tdverify(&data, &["export", "min-k", "6", "--admin", "officer"]);
    assert_eq!(officer_sets.status.code(), Some(1), "{}", text(&officer_sets));
    ok(tdverify(&data, &["export", "min-k", "6", "--admin", "admin"]));
    let month = this_month();
    let usb_k = dir.path().join("usb-k");
    std::fs::create_dir(&usb_k).expect("usb");
    let small_k = tdverify(
        &data,
        &["export", "--from", &month, "--to", &month, "--out", usb_k.to_str().expect("path"), "--k", "5", "--user", "supervisor"],
    );
    assert_eq!(small_k.status.code(), Some(2), "{}", text(&small_k));
    assert!(text(&small_k).contains("at least 6"), "{}", text(&small_k));

    let out = dir.path().join("usb");
    std::fs::create_dir(&out).expect("usb");
    let args = |user: &str| -> Vec<String> {
        ["export", "--from", &month, "--to", &month, "--out", out.to_str().expect("path"), "--json", "--user", user]
            .iter()
            .map(|s| s.to_string())
            .collect()
    };
    let refused = tdverify(&data, &as_strs(&args("officer")));
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    assert!(text(&refused).contains("permission denied"), "{}", text(&refused));

    let result: serde_json::Value = serde_json::from_str(&ok(tdverify(&data, &as_strs(&args("supervisor"))))).expect("JSON");
    assert_eq!(result["records"], 6, "{result}");
    assert_eq!(result["suppressed"], 0);
    assert_eq!(result["k"], 6);
    let bundle = result["bundle"].as_str().expect("bundle path").to_string();
    let records = std::fs::read_to_string(Path::new(&bundle).join("records.jsonl")).expect("records");
    assert!(!records.contains("TESTSURNAME"));
    assert!(records.contains("\"route_transits\":[\"FRA\"]"), "{records}");

    let again = tdverify(&data, &as_strs(&args("supervisor")));
    assert_eq!(again.status.code(), Some(1), "{}", text(&again));
    assert!(text(&again).contains("--override"), "{}", text(&again));

    // Verification needs no store: run it against another, empty data dir.
    let elsewhere = dir.path().join("hub");
    let key = ok(tdverify(&data, &["export", "key"])).trim().to_string();
    assert!(key.starts_with("ed25519:") && key.len() == 8 + 64, "{key}");
    let verified = ok(tdverify(&elsewhere, &["export", "verify", &bundle, "--key", &key]));
    assert!(verified.contains("VALID: 6 records"), "{verified}");
    let json: serde_json::Value =
        serde_json::from_str(&ok(tdverify(&elsewhere, &["export", "verify", &bundle, "--json"]))).expect("JSON");
    assert_eq!(json["valid"], true);

    // Another station's key.
    let other = dir.path().join("other");
    ok(tdverify(&other, &["store", "init"]));
    let other_key = ok(tdverify(&other, &["export", "key"])).trim().to_string();
    let wrong = tdverify(&elsewhere, &["export", "verify", &bundle, "--key", &other_key, "--json"]);
    assert_eq!(wrong.status.code(), Some(1));
    assert!(text(&wrong).contains("wrong_key"), "{}", text(&wrong));

    // An edited record.
    let path = Path::new(&bundle).join("records.jsonl");
    std::fs::write(&path, records.replacen("refused_entry", "admitted", 1)).expect("tamper");
    let tampered = tdverify(&elsewhere, &["export", "verify", &bundle, "--key", &key, "--json"]);
    assert_eq!(tampered.status.code(), Some(1));
    assert!(text(&tampered).contains("hash_mismatch"), "{}", text(&tampered));
    let bad_key = tdverify(&elsewhere, &["export", "verify", &bundle, "--key", "nothex"]);
    assert_eq!(bad_key.status.code(), Some(2));

    // The audit log has the export and the refused nothing-written attempt left no bundle.
    let bundles = std::fs::read_dir(&out).expect("usb").count();
    assert_eq!(bundles, 1);
}
