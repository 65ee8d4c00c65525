//! Issue 25's CLI contract against the real binary, on a generated fixture set:
//! a Trainer creates a signed 10-document session at 30 % prevalence, `training score
//! --json` reproduces hand-computed numbers, tampered sessions and bad answers fail with
//! the documented exit codes, trainees record runs, each sees their own history and the
//! Trainer everyone's, the CSV and PDF exports, and another station imports the session only
//! once its administrator trusts the publisher. A second test proves that training
//! results never reach the case list, the DESC export or the trends' own-cases import.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use tdverify::core::Verdict;
use tdverify::store::{CaseDraft, CaseMetadata, Classification, HolderProfile, Store, StoreOptions};

#[path = "support/cli.rs"]
mod cli_support;

use cli_support::{TEST_PASSPHRASE, TEST_PASSWORD, ok, tdverify, text};

/// A 28-document fixture set generated once (a failure to generate fails the tests).
fn fixture_set() -> &'static Path {
    static SET: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = SET.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("fixtures");
        let mut config =
            tdverify::fixtures::FixtureConfig::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("reference-library"));
        config.count = 28;
        tdverify::fixtures::generate(&config, &out, |_, _| {}).expect("fixture set");
        (dir, out)
    });
    path
}

fn json(output: std::process::Output) -> serde_json::Value {
    serde_json::from_str(&ok(output)).expect("JSON on stdout")
}

fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// Answers every document right except the first fraudulent one (missed) and the first
/// genuine one (false alarm); fraud types named right; face drills all right.
fn answers_with_one_miss_and_one_false_alarm(session: &serde_json::Value) -> serde_json::Value {
    let mut missed = false;
    let mut false_alarm = false;
    let mut answers = Vec::new();
    for document in session["documents"].as_array().expect("documents") {
        let fraud = document["fraud_type"] != "no_fraud";
        let mut verdict = if fraud { "fraudulent" } else { "genuine" };
        if fraud && !missed {
            missed = true;
            verdict = "genuine";
        } else if !fraud && !false_alarm {
            false_alarm = true;
            verdict = "fraudulent";
        }
        answers.push(serde_json::json!({"document": document["id"], "verdict": verdict,
            "fraud_type": if verdict == "fraudulent" && fraud { document["fraud_type"].clone() } else { serde_json::Value::Null },
            "seconds": 20}));
    }
    for drill in session["face_drills"].as_array().expect("face drills") {
        let verdict = if drill["same_person"] == true { "same" } else { "different" };
        answers.push(serde_json::json!({"document": drill["id"], "verdict": verdict}));
    }
    serde_json::Value::Array(answers)
}

#[test]
fn trainer_creates_trainees_are_scored_and_recorded_other_stations_verify() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    ok(tdverify(&data, &["store", "init"]));
    for (name, role) in [("trainer", "trainer"), ("alice", "officer"), ("bob", "officer")] {
        ok(tdverify(&data, &["users", "add", name, "--role", role, "--admin", "admin"]));
    }
    let session_file = dir.path().join("session.json");
    let created = json(tdverify(
        &data,
        &[
            "training",
            "create",
            "--fixtures",
            path(fixture_set()),
            "--count",
            "10",
            "--prevalence",
            "0.3",
            "--seed",
            "5",
            "--face-drills",
            "4",
            "--face-prevalence",
            "0.5",
            "--checks",
            "after-answer",
            "--out",
            path(&session_file),
            "--user",
            "trainer",
            "--json",
        ],
    ));
    assert_eq!((created["documents"].as_u64(), created["fraudulent"].as_u64()), (Some(10), Some(3)), "{created}");
    assert_eq!(created["signed_by"], "trainer");
    let session: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&session_file).expect("session")).expect("session JSON");
    assert_eq!(session["documents"].as_array().map(Vec::len), Some(10));
    assert!(session["documents"][0]["expected_checks"].is_object(), "truth kept");
    assert_eq!(session["fixtures"]["seed"], 1);
    assert_eq!(session["settings"]["checks"], "after_answer");

    // A non-trainer cannot sign; an impossible request says what is short (exit 2).
    let officer_signs = tdverify(
        &data,
        &[
            "training",
            "create",
            "--fixtures",
            path(fixture_set()),
            "--count",
            "4",
            "--prevalence",
            "0.5",
            "--out",
            path(&dir.path().join("x.json")),
            "--user",
            "alice",
        ],
    );
    assert_eq!(officer_signs.status.code(), Some(1), "{}", text(&officer_signs));
    let too_many = tdverify(
        &data,
        &[
            "training",
            "create",
            "--fixtures",
            path(fixture_set()),
            "--count",
            "25",
            "--prevalence",
            "0.1",
            "--out",
            path(&dir.path().join("x.json")),
            "--user",
            "trainer",
        ],
    );
    assert_eq!(too_many.status.code(), Some(2), "{}", text(&too_many));
    assert!(text(&too_many).contains("genuine documents needed"), "{}", text(&too_many));

    // Score: 2 hits, 1 miss, 1 false alarm, 6 correct rejections. H = 2.5/4, F = 1.5/8:
    // d′ = 1.2057859229…, c = 0.2842535975…
    let answers_file = dir.path().join("answers.json");
    std::fs::write(&answers_file, answers_with_one_miss_and_one_false_alarm(&session).to_string()).expect("write");
    let score = json(tdverify(
        &data,
        &["training", "score", "--session", path(&session_file), "--answers", path(&answers_file), "--json"],
    ));
    assert_eq!(
        [&score["hits"], &score["misses"], &score["false_alarms"], &score["correct_rejections"]],
        [2, 1, 1, 6].map(serde_json::Value::from).iter().collect::<Vec<_>>()[..]
    );
    assert!((score["d_prime"].as_f64().expect("d′") - 1.205_785_922_983_251).abs() < 1e-9, "{score}");
    assert!((score["criterion"].as_f64().expect("c") - 0.284_253_597_527_250_3).abs() < 1e-9, "{score}");
    assert!((score["hit_rate"].as_f64().expect("H") - 2.0 / 3.0).abs() < 1e-12);
    assert_eq!(score["fraud_type_accuracy"], 1.0);
    assert_eq!(score["face_drills"]["hits"], 2);
    assert_eq!(score["face_drills"]["false_alarms"], 0);
    assert_eq!(score["signature"]["valid"], true);
    assert_eq!(score["signature"]["trusted"], true, "the station's own key");
    assert_eq!(score["by_fraud_type"]["no_fraud"]["correct"], 6);
    assert!(score["hotspot_recall"].is_number() || score["hotspot_recall"].is_null(), "{score}");
    let human =
        ok(tdverify(&data, &["training", "score", "--session", path(&session_file), "--answers", path(&answers_file)]));
    assert!(human.contains("hits 2  misses 1  false alarms 1  correct rejections 6"), "{human}");

    // A changed truth breaks the signature (exit 1); bad answers are bad input (exit 2).
    let tampered = dir.path().join("tampered.json");
    let text_session = std::fs::read_to_string(&session_file).expect("session");
    std::fs::write(&tampered, text_session.replacen("\"no_fraud\"", "\"forged\"", 1)).expect("write");
    let refused =
        tdverify(&data, &["training", "score", "--session", path(&tampered), "--answers", path(&answers_file)]);
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    assert!(text(&refused).contains("signature"), "{}", text(&refused));
    let garbage = dir.path().join("garbage.json");
    std::fs::write(&garbage, "{not json").expect("write");
    for (session_arg, answers_arg) in [(&session_file, &garbage), (&garbage, &answers_file)] {
        let out =
            tdverify(&data, &["training", "score", "--session", path(session_arg), "--answers", path(answers_arg)]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    }

    // Trainees record runs; each sees their own, the trainer sees both.
    let run = json(tdverify(
        &data,
        &[
            "training",
            "record",
            "--session",
            path(&session_file),
            "--answers",
            path(&answers_file),
            "--user",
            "alice",
            "--json",
        ],
    ));
    assert!(run["run_id"].as_i64().is_some(), "{run}");
    std::fs::write(&answers_file, "[]").expect("write");
    ok(tdverify(
        &data,
        &["training", "record", "--session", path(&session_file), "--answers", path(&answers_file), "--user", "bob"],
    ));
    let own = json(tdverify(&data, &["training", "history", "--user", "alice", "--json"]));
    assert_eq!(own["runs"].as_array().map(Vec::len), Some(1), "{own}");
    assert_eq!(own["runs"][0]["hits"], 2);
    assert!(own["weaknesses"]["alice"].as_array().is_some_and(|w| !w.is_empty()), "{own}");
    let denied = tdverify(&data, &["training", "history", "--trainee", "bob", "--user", "alice"]);
    assert_eq!(denied.status.code(), Some(1), "{}", text(&denied));
    let all = json(tdverify(&data, &["training", "history", "--user", "trainer", "--json"]));
    assert_eq!(all["runs"].as_array().map(Vec::len), Some(2), "{all}");
    let class = json(tdverify(&data, &["training", "class", "--user", "trainer", "--json"]));
    assert_eq!(class.as_array().map(Vec::len), Some(2), "{class}");
    let csv_file = dir.path().join("runs.csv");
    ok(tdverify(&data, &["training", "export", "--out", path(&csv_file), "--user", "trainer"]));
    let csv = std::fs::read_to_string(&csv_file).expect("csv");
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(csv.starts_with("trainee,session,") && csv.contains("\nalice,"), "{csv}");
    assert!(csv.lines().any(|l| l.starts_with("alice,") && l.contains(",2,1,1,6,")), "{csv}");
    let pdf_file = dir.path().join("runs.pdf");
    ok(tdverify(&data, &["training", "export", "--out", path(&pdf_file), "--user", "trainer"]));
    assert!(std::fs::read(&pdf_file).expect("pdf").starts_with(b"%PDF"));
    let own_pdf = dir.path().join("own.pdf");
    ok(tdverify(&data, &["training", "export", "--out", path(&own_pdf), "--user", "alice"]));
    let not_others =
        tdverify(&data, &["training", "export", "--out", path(&own_pdf), "--trainee", "bob", "--user", "alice"]);
    assert_eq!(not_others.status.code(), Some(1), "{}", text(&not_others));

    // Another station refuses the session until its administrator trusts the publisher.
    let other = dir.path().join("other");
    ok(tdverify(&other, &["store", "init"]));
    ok(tdverify(&other, &["users", "add", "carol", "--role", "officer", "--admin", "admin"]));
    let untrusted = tdverify(&other, &["training", "import", path(&session_file), "--user", "carol"]);
    assert_eq!(untrusted.status.code(), Some(2), "{}", text(&untrusted));
    assert!(text(&untrusted).contains("untrusted key"), "{}", text(&untrusted));
    let key = json(tdverify(&data, &["export", "key", "--json"]))["public_key"].as_str().expect("key").to_string();
    let not_admin = tdverify(&other, &["training", "trust", &key, "--admin", "carol"]);
    assert_eq!(not_admin.status.code(), Some(1), "{}", text(&not_admin));
    ok(tdverify(&other, &["training", "trust", &key, "--label", "academy", "--admin", "admin"]));
    let imported = ok(tdverify(&other, &["training", "import", path(&session_file), "--user", "carol"]));
    assert!(imported.contains("verified"), "{imported}");
    let id = session["id"].as_str().expect("id");
    assert!(other.join("training").join("sessions").join(format!("{id}.json")).is_file());
    let tampered_import = tdverify(&other, &["training", "import", path(&tampered), "--user", "carol"]);
    assert_eq!(tampered_import.status.code(), Some(2), "{}", text(&tampered_import));
}

#[test]
fn training_results_never_reach_cases_export_or_trends() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    ok(tdverify(&data, &["store", "init"]));
    ok(tdverify(&data, &["users", "add", "officer", "--role", "officer", "--admin", "admin"]));
    ok(tdverify(&data, &["users", "add", "supervisor", "--role", "supervisor", "--admin", "admin"]));
    ok(tdverify(&data, &["users", "add", "trainer", "--role", "trainer", "--admin", "admin"]));

    // Six real fraud cases, submitted with their context.
    let store = Store::open(&data, TEST_PASSPHRASE, StoreOptions::default()).expect("open");
    let officer = store.login("officer", TEST_PASSWORD).expect("login");
    let ids: Vec<String> = (0..6)
        .map(|i| {
            let draft = CaseDraft {
                metadata: CaseMetadata {
                    proposed_verdict: Some(Verdict::Fraudulent),
                    issuing_state: Some("UTO".into()),
                    document_code: Some("P".into()),
                    failed_checks: vec!["ir.b900".into()],
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
        .collect();
    drop(store);
    let context = dir.path().join("context.json");
    std::fs::write(
        &context,
        r#"{"detection_country":"UTO","detection_area":"north","detection_point_type":"air",
            "detection_stage":"second_line","travel_direction":"entry","transport_mode":"air",
            "route_embarkation":"ZZB","route_transits":["FRA"],"route_destination":"UTO",
            "group_size":2,"conclusion_level":"established","outcome":"refused_entry"}"#,
    )
    .expect("context");
    for id in &ids {
        ok(tdverify(
            &data,
            &[
                "cases",
                "classify",
                id,
                "--verdict",
                "fraudulent",
                "--fraud-type",
                "forged",
                "--context",
                path(&context),
                "--user",
                "officer",
            ],
        ));
        ok(tdverify(&data, &["cases", "submit", id, "--user", "officer"]));
    }

    // Training runs by the same officer, of a session whose items are all fraudulent
    // (the runs carry fraud types, verdicts, the session id).
    let session_file = dir.path().join("session.json");
    ok(tdverify(
        &data,
        &[
            "training",
            "create",
            "--fixtures",
            path(fixture_set()),
            "--count",
            "5",
            "--prevalence",
            "1",
            "--name",
            "TRAININGMARKER",
            "--out",
            path(&session_file),
            "--user",
            "trainer",
        ],
    ));
    let session = tdverify::training::Session::load(&session_file).expect("session");
    let answers: Vec<tdverify::training::Answer> = session
        .documents
        .iter()
        .map(|d| tdverify::training::Answer {
            document: d.id.clone(),
            verdict: tdverify::training::AnswerVerdict::Fraudulent,
            fraud_type: Some(d.fraud_type),
            hotspots: Vec::new(),
            seconds: Some(5.0),
        })
        .collect();
    let store = Store::open(&data, TEST_PASSPHRASE, StoreOptions::default()).expect("open");
    let officer = store.login("officer", TEST_PASSWORD).expect("login");
    for _ in 0..3 {
        tdverify::training_station::record_run(&store, &officer, &session, &answers, 0, 60).expect("record");
    }

    // The case list: exactly the six cases.
    let supervisor = store.login("supervisor", TEST_PASSWORD).expect("login");
    let listed = store.list_case_entries(&supervisor, &Default::default()).expect("list");
    assert_eq!(listed.len(), 6);
    let listed_json = serde_json::to_string(&listed).expect("json");
    let cli_list = ok(tdverify(&data, &["cases", "list", "--json"]));
    for text in [&listed_json, &cli_list] {
        assert!(!text.contains(&session.id) && !text.contains("TRAININGMARKER"), "{text}");
    }

    // The DESC export's preparation: the six cases, nothing excluded as training.
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs();
    let month = tdverify::store::time::format_utc(now as i64)[..7].to_string();
    let period = tdverify::export::Period::parse(&month, &month).expect("period");
    let prepared = tdverify::export::prepare(&store, &supervisor, period, 5).expect("prepare");
    assert_eq!(prepared.eligible, 6);
    assert_eq!(prepared.excluded.training, 0);
    let exported = tdverify::export::records_jsonl(&prepared.anonymised.records).expect("jsonl");
    assert!(!exported.contains(&session.id) && !exported.contains("TRAININGMARKER"));

    // The trends' own-cases import: the six cases' records, no more.
    let mut trends = tdverify::trends::Trends::open(&data).expect("trends");
    let own =
        tdverify::trends_station::import_own_cases(&store, &supervisor, &mut trends, &month, &month).expect("own");
    assert_eq!(own.outcome.bundle.records + own.suppressed, 6, "{:?}", own.outcome);
    drop(trends);
    let trends_db = std::fs::read(data.join("trends.sqlite")).expect("trends db");
    assert!(!String::from_utf8_lossy(&trends_db).contains("TRAININGMARKER"));

    // And the runs are there, for the trainer.
    let trainer = store.login("trainer", TEST_PASSWORD).expect("login");
    assert_eq!(store.training_history(&trainer, None).expect("history").len(), 3);
}
