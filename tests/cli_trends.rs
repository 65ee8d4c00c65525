//! Issue 24's CLI contract against the real binary: TEST-ONLY demo bundles → import
//! refused until their keys are trusted → imported once (again: nothing added) → a
//! tampered bundle refused with its reason → `trends query` rows with `"<k"` where
//! suppressed, filters and bad input (exit 2) → `trends alerts` finds the planted spike.

use std::path::Path;
use std::process::Output;

#[path = "support/cli.rs"]
mod cli_support;

use cli_support::{ok, tdverify, text};

fn json(output: Output) -> serde_json::Value {
    serde_json::from_str(&ok(output)).expect("JSON")
}

fn bundle_args(demo: &serde_json::Value) -> Vec<String> {
    demo["bundles"]
        .as_array()
        .expect("bundles")
        .iter()
        .map(|b| b["bundle"].as_str().expect("a path").to_owned())
        .collect()
}

fn with(args: &[&str], more: &[String]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).chain(more.iter().cloned()).collect()
}

fn run(data: &Path, args: &[String]) -> Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    tdverify(data, &args)
}

#[test]
fn import_query_and_alerts_from_demo_bundles() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    ok(tdverify(&data, &["store", "init"]));
    ok(tdverify(&data, &["users", "add", "officer", "--role", "officer", "--admin", "admin"]));
    ok(tdverify(&data, &["users", "add", "supervisor", "--role", "supervisor", "--admin", "admin"]));
    let out = dir.path().join("bundles");
    let out_arg = out.display().to_string();
    let demo = json(tdverify(
        &data,
        &["trends", "demo-bundles", "--stations", "6", "--records", "1200", "--seed", "7", "--out", &out_arg, "--json"],
    ));
    assert_eq!(demo["test_only"], true);
    let bundles = bundle_args(&demo);
    assert_eq!(bundles.len(), 6);
    let trusted_file = out.join("trusted-stations.txt");
    let trusted = std::fs::read_to_string(&trusted_file).expect("trusted-stations.txt");
    assert!(trusted.contains("TEST-ONLY") && trusted.lines().filter(|l| l.contains("ed25519:")).count() == 6);
    let human = ok(tdverify(
        &data,
        &[
            "trends",
            "demo-bundles",
            "--stations",
            "1",
            "--records",
            "50",
            "--out",
            &dir.path().join("tiny").display().to_string(),
        ],
    ));
    assert!(human.contains("TEST-ONLY key ed25519:"), "{human}");

    // Not trusted yet: every bundle refused, naming its key; exit 1.
    let refused = tdverify(
        &data,
        &with(&["trends", "import", "--json"], &bundles).iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    let value: serde_json::Value = serde_json::from_slice(&refused.stdout).expect("JSON");
    assert_eq!(value["imported"].as_array().map(Vec::len), Some(0));
    let first = &value["refused"][0];
    assert_eq!(first["code"], "untrusted_key");
    let key = demo["bundles"][0]["key"].as_str().expect("key");
    assert!(first["reason"].as_str().expect("reason").contains(key), "{first}");

    // An administrator trusts the stations (only an administrator): imported; again: nothing added.
    let trusted_arg = trusted_file.display().to_string();
    let by_officer = tdverify(&data, &["trends", "trust", "--file", &trusted_arg, "--admin", "officer"]);
    assert_eq!(by_officer.status.code(), Some(1), "{}", text(&by_officer));
    assert!(ok(tdverify(&data, &["trends", "trust", "--file", &trusted_arg, "--admin", "admin"])).contains("6 key(s) newly trusted"));
    let listed = json(tdverify(&data, &["trends", "trusted", "--json"]));
    assert_eq!(listed.as_array().map(Vec::len), Some(6), "{listed}");
    // The station's own cases: a supervisor adds them (none submitted here: nothing added), an officer may not.
    let own = json(tdverify(&data, &["trends", "import-own", "--from", "2026-01", "--to", "2026-03", "--user", "supervisor", "--json"]));
    assert_eq!(own["bundle"]["own"], true, "{own}");
    assert_eq!(own["bundle"]["records"], 0, "{own}");
    let officer_own = tdverify(&data, &["trends", "import-own", "--from", "2026-01", "--to", "2026-03", "--user", "officer"]);
    assert_eq!(officer_own.status.code(), Some(1), "{}", text(&officer_own));
    let imported = json(run(&data, &with(&["trends", "import", "--json"], &bundles)));
    assert_eq!(imported["imported"].as_array().map(Vec::len), Some(6));
    assert_eq!(imported["refused"].as_array().map(Vec::len), Some(0));
    let records = imported["records"].as_u64().expect("records");
    assert_eq!(records, demo["records"].as_u64().expect("demo records"));
    let again = json(run(&data, &with(&["trends", "import", "--json"], &bundles[..1])));
    assert_eq!(again["imported"][0]["already_imported"], true);
    assert_eq!(again["records"].as_u64(), Some(records));

    // A tampered bundle of another demo, trusted by --trust-key: refused for its hash.
    let other = json(tdverify(
        &data,
        &[
            "trends",
            "demo-bundles",
            "--stations",
            "1",
            "--records",
            "200",
            "--seed",
            "8",
            "--out",
            &dir.path().join("other").display().to_string(),
            "--json",
        ],
    ));
    let tampered = other["bundles"][0]["bundle"].as_str().expect("bundle");
    let csv = Path::new(tampered).join("records.csv");
    let mut bytes = std::fs::read(&csv).expect("csv");
    bytes.extend_from_slice(b"\n");
    std::fs::write(&csv, bytes).expect("tamper");
    let other_key = other["bundles"][0]["key"].as_str().expect("key");
    let refused = tdverify(&data, &["trends", "import", tampered, "--trust-key", other_key, "--json"]);
    assert_eq!(refused.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_slice(&refused.stdout).expect("JSON");
    assert_eq!(value["refused"][0]["code"], "hash_mismatch", "{value}");
    assert!(value["refused"][0]["reason"].as_str().expect("reason").contains("records.csv"));
    assert_eq!(value["records"].as_u64(), Some(records));

    // Queries: rows of {key, count}, count a number or "<k"; the total is every record.
    let view = json(tdverify(&data, &["trends", "query", "--by", "issuing_state", "--json"]));
    assert_eq!(view["k"], 5);
    assert_eq!(view["total"].as_u64(), Some(records));
    let rows = view["rows"].as_array().expect("rows");
    assert!(!rows.is_empty());
    for row in rows {
        assert!(row["key"].is_string());
        assert!(row["count"].as_u64().is_some_and(|n| n >= 5) || row["count"] == "<k", "{row}");
    }
    let filtered = json(tdverify(
        &data,
        &[
            "trends",
            "query",
            "--by",
            "route",
            "--from",
            "2026-01",
            "--to",
            "2026-03",
            "--filter",
            "region=europe",
            "--filter",
            "border_type=air",
            "--json",
        ],
    ));
    let filtered_total = filtered["total"].as_u64().unwrap_or(0);
    assert!(filtered_total < records);
    let small = json(tdverify(&data, &["trends", "query", "--by", "sex", "--filter", "issuing_state=UTO", "--json"]));
    assert_eq!(small["total"], 0);
    for by in ["nationality", "fraud_type", "age_band", "period", "failed_check", "detection_stage"] {
        let view = json(tdverify(&data, &["trends", "query", "--by", by, "--json"]));
        assert!(view["rows"].as_array().is_some_and(|r| !r.is_empty()), "{by}");
    }
    let csv = ok(tdverify(&data, &["trends", "query", "--by", "fraud_type", "--csv"]));
    assert!(csv.starts_with("fraud_type,count\n") && csv.contains(&format!("total,{records}")), "{csv}");
    let bad = tdverify(&data, &["trends", "query", "--by", "colour", "--json"]);
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
    let bad = tdverify(&data, &["trends", "query", "--by", "route", "--filter", "planet=mars"]);
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
    let bad = tdverify(&data, &["trends", "query", "--by", "route", "--from", "2026-13"]);
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));

    // Alerts: the planted spike, with its evidence.
    let spike = &demo["spike"];
    let alerts = json(tdverify(&data, &["trends", "alerts", "--json"]));
    assert!(alerts["rule"].as_str().expect("rule").contains("Poisson"));
    let found = alerts["alerts"]
        .as_array()
        .expect("alerts")
        .iter()
        .find(|a| a["dimension"] == "issuing_state" && a["series"] == spike["issuing_state"])
        .unwrap_or_else(|| panic!("no alert for {spike} in {alerts}"));
    assert_eq!(found["month"], spike["month"]);
    assert!(found["p_value"].as_f64().expect("p") < 0.01);
    assert_eq!(found["history"].as_array().map(Vec::len), Some(12));
    let words = ok(tdverify(&data, &["trends", "alerts"]));
    assert!(words.contains("ALERT issuing_state"), "{words}");

    // The national trend report: a PDF naming the period and the alert, and the seven views as PNG.
    let pdf = dir.path().join("report.pdf");
    let png = dir.path().join("png");
    let made = ok(tdverify(
        &data,
        &["trends", "report", "--from", "2025-01", "--to", "2026-12", "--out", &pdf.display().to_string(), "--png", &png.display().to_string()],
    ));
    assert!(made.contains("Trend report written"), "{made}");
    let bytes = std::fs::read(&pdf).expect("the PDF");
    assert!(bytes.starts_with(b"%PDF"));
    let pages = tdverify::report::extract_text(&bytes).join("\n");
    assert!(pages.contains("2025-01") && pages.contains(spike["issuing_state"].as_str().expect("state")), "the period and the alerted state are in the report");
    let pngs = std::fs::read_dir(&png).expect("png folder").flatten().filter(|e| e.path().extension().is_some_and(|x| x == "png")).count();
    assert_eq!(pngs, 7);
    let bad = tdverify(&data, &["trends", "report", "--from", "2026-13", "--to", "2026-12", "--out", &pdf.display().to_string()]);
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
}
