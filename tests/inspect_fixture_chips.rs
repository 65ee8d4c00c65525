//! Fixture documents with their own chips through the real binary: a small set
//! is generated (genuine and every chip fraud scenario), then each document is
//! inspected with `tdverify inspect --emulate <document folder>` against the
//! set's TEST trust material (`--csca <out>/pki`). The genuine chip must pass
//! with DG1 = the printed MRZ; each fraud must fail the chip checks its ground
//! truth names, and the proposed verdict must not be "no fraud".

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use tdverify::fixtures::truth::Truth;
use tdverify::fixtures::{CaptureMix, Expected, FixtureConfig, Scenario, generate, load_index, load_truth};

const BINARY: &str = env!("CARGO_BIN_EXE_tdverify");

fn generate_set(out: &Path) -> Vec<(PathBuf, Truth)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scenarios = vec![
        Scenario::Genuine,
        Scenario::ChipDataGroupAltered,
        Scenario::ChipDataGroupAltered,
        Scenario::ChipUnknownCsca,
        Scenario::ChipClone,
        Scenario::ChipDg1Mismatch,
        Scenario::MrzAlteredRecomputed,
    ];
    let config = FixtureConfig {
        count: scenarios.len() + 1,
        scenarios: Some(scenarios),
        captures: CaptureMix::Flatbed(150),
        templates: Some(vec!["UTO/passport".into(), "UTO/id-card".into()]),
        ..FixtureConfig::new(root.join("reference-library"))
    };
    generate(&config, out, |_, _| {}).expect("fixtures generate");
    let index = load_index(out).expect("index");
    index
        .documents
        .iter()
        .map(|entry| {
            let dir = out.join(&entry.id);
            let truth = load_truth(&dir).expect("truth");
            (dir, truth)
        })
        .collect()
}

/// `tdverify inspect --json` on a document folder with its own chip.
fn inspect(data_dir: &Path, dir: &Path, truth: &Truth, pki: &Path, typed_mrz: bool) -> Value {
    let side = truth.sides.iter().find(|s| s.has_mrz).expect("MRZ side");
    let mut command = Command::new(BINARY);
    command.arg("--data-dir").arg(data_dir).arg("inspect");
    command.arg("--white").arg(dir.join(&side.white)).arg("--uv").arg(dir.join(&side.uv)).arg("--ir").arg(dir.join(&side.ir));
    command.arg("--emulate").arg(dir).arg("--csca").arg(pki).arg("--date").arg(&truth.reference_date).arg("--json");
    if typed_mrz {
        command.arg("--mrz").arg(truth.mrz.lines.join("|"));
    }
    let out = command.output().expect("tdverify runs");
    assert!(out.status.success(), "{}: exit {:?}\n{}", truth.id, out.status.code(), String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{}: JSON: {e}\n{}", truth.id, String::from_utf8_lossy(&out.stdout)))
}

fn status<'a>(json: &'a Value, id: &str) -> Option<&'a str> {
    json["checks"].as_array()?.iter().find(|c| c["id"] == id).and_then(|c| c["status"].as_str())
}

#[test]
fn inspect_emulates_each_fixture_documents_own_chip() {
    let temp = tempfile::tempdir().expect("temp dir");
    let out = temp.path().join("fixtures");
    let data_dir = temp.path().join("data");
    let documents = generate_set(&out);
    let pki = out.join("pki");
    let mut frauds = 0;
    for (dir, truth) in &documents {
        let Some(expected) = &truth.expected_chip else {
            continue;
        };
        let json = inspect(&data_dir, dir, truth, &pki, true);
        for (id, outcome) in &expected.checks {
            let want = match outcome {
                Expected::Pass => "pass",
                Expected::Fail => "fail",
            };
            assert_eq!(status(&json, id), Some(want), "{}: {id} in {:#}", truth.id, json["checks"]);
        }
        let fraud_type = json["verdict"]["fraud_type"].as_str().unwrap_or_default();
        if truth.scenario == Scenario::Genuine {
            let failed: Vec<&Value> = json["checks"].as_array().into_iter().flatten().filter(|c| c["status"] == "fail").collect();
            assert!(failed.iter().all(|c| !c["id"].as_str().unwrap_or_default().starts_with("chip.")), "{}: {failed:#?}", truth.id);
            assert_eq!(status(&json, "consistency.mrz_vs_dg1"), Some("pass"), "{}: DG1 = printed MRZ", truth.id);
            // Without a typed MRZ the key and the printed side come from the chip folder's printed-mrz.txt.
            let untyped = inspect(&data_dir, dir, truth, &pki, false);
            assert_eq!(status(&untyped, "chip.access"), Some("pass"), "{}", truth.id);
            assert_eq!(status(&untyped, "consistency.mrz_vs_dg1"), Some("pass"), "{}", truth.id);
        } else {
            frauds += 1;
            assert_ne!(fraud_type, "no_fraud", "{}: {:#}", truth.id, json["verdict"]);
            assert_ne!(json["verdict"]["proposed"], "genuine", "{}: {:#}", truth.id, json["verdict"]);
        }
    }
    assert!(frauds >= 6, "{frauds} chip frauds inspected");
}
