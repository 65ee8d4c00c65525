//! Evaluation figures held against their stored baselines (`eval/baselines/*.json`).
//!
//! Each test measures one evaluation the way its `cargo xtask eval-*` command
//! does and compares every figure with the file: a figure worse than its
//! baseline by more than the stated noise fails the test, so a change that
//! costs accuracy is seen in `cargo xtask test`, not months later. After a
//! deliberate change (a new model, a re-rendered fixture set), re-measure and
//! record the new figures with `TDVERIFY_BLESS=1`; the diff of the JSON is the
//! review. The evaluations are deterministic, so the noise only absorbs
//! floating-point differences between machines (one document, one pair).
//!
//! These are regression guards, not the reported figures: the default fixture
//! set and `../shared/mrz` are looked at while tuning. Reported figures come
//! from frozen seeds generated after the last change (see the issues' notes).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};
use tdverify_core::test_data;
use tdverify_document::reference::ReferenceLibrary;
use tdverify_inspect::Engines;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Which way a figure improves.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Better {
    Higher,
    Lower,
}

/// One measured figure with the noise allowed when a baseline is first written.
struct Measured {
    value: f64,
    noise: f64,
    better: Better,
}

fn higher(value: f64, noise: f64) -> Measured {
    Measured { value, noise, better: Better::Higher }
}

fn lower(value: f64, noise: f64) -> Measured {
    Measured { value, noise, better: Better::Lower }
}

/// Compares `measured` with `eval/baselines/<name>.json`, or writes the file under
/// `TDVERIFY_BLESS=1` (keeping the noise already stated there).
fn hold_against_baseline(name: &str, description: &str, command: &str, measured: BTreeMap<String, Measured>) {
    let path = workspace().join("eval/baselines").join(format!("{name}.json"));
    let stored: Option<Value> = std::fs::read_to_string(&path).ok().and_then(|text| serde_json::from_str(&text).ok());
    let stored_figures =
        stored.as_ref().and_then(|v| v.get("figures")).and_then(Value::as_object).cloned().unwrap_or_default();
    if std::env::var_os("TDVERIFY_BLESS").is_some() {
        let mut figures = Map::new();
        for (key, figure) in &measured {
            let noise =
                stored_figures.get(key).and_then(|f| f.get("noise")).and_then(Value::as_f64).unwrap_or(figure.noise);
            let better = if figure.better == Better::Higher { "higher" } else { "lower" };
            figures.insert(key.clone(), json!({ "value": round(figure.value), "noise": noise, "better": better }));
        }
        let file = json!({ "evaluation": description, "command": command, "figures": figures });
        std::fs::create_dir_all(path.parent().expect("eval/baselines has a parent")).expect("creating eval/baselines");
        let text = serde_json::to_string_pretty(&file).expect("a JSON value serialises");
        std::fs::write(&path, text + "\n").unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        eprintln!("blessed {}", path.display());
        return;
    }
    assert!(
        stored.is_some(),
        "{} is missing or not JSON: measure and record it with TDVERIFY_BLESS=1 cargo nextest run -p tdverify-inspect --test baselines",
        path.display()
    );
    let mut worse = Vec::new();
    let mut report = Vec::new();
    for (key, figure) in &measured {
        let Some(base) = stored_figures.get(key) else {
            worse.push(format!("{key}: measured {:.4} but the baseline has no such figure (bless it)", figure.value));
            continue;
        };
        let value = base.get("value").and_then(Value::as_f64).unwrap_or(f64::NAN);
        let noise = base.get("noise").and_then(Value::as_f64).unwrap_or(0.0);
        let change = figure.value - value;
        let loss = if figure.better == Better::Higher { -change } else { change };
        report.push(format!("{key}: {:.4} (baseline {value:.4} ± {noise})", figure.value));
        if !(loss <= noise + 1e-9) {
            worse.push(format!("{key}: {:.4}, baseline {value:.4}, allowed noise {noise}", figure.value));
        } else if -loss > noise + 1e-9 {
            eprintln!("{name}: {key} improved to {:.4} from {value:.4}: record it with TDVERIFY_BLESS=1", figure.value);
        }
    }
    for key in stored_figures.keys().filter(|key| !measured.contains_key(*key)) {
        worse.push(format!("{key}: in the baseline but no longer measured (bless to drop it)"));
    }
    println!("{name}:\n  {}", report.join("\n  "));
    assert!(worse.is_empty(), "{name} is worse than its baseline ({}):\n  {}", path.display(), worse.join("\n  "));
}

fn round(value: f64) -> f64 {
    (value * 1e6).round() / 1e6
}

/// The guard set: fixture documents generated here from the tree's own generator,
/// so the figures follow the code and not a stale `out/fixtures`.
const GUARD_SEED: u64 = 27;
/// Documents in the guard set (every scenario and capture kind of the default mix comes round).
const GUARD_COUNT: usize = 36;

fn generate_guard_set(out: &Path) {
    let mut config = tdverify_fixtures::FixtureConfig::new(workspace().join("reference-library"));
    config.count = GUARD_COUNT;
    config.seed = GUARD_SEED;
    tdverify_fixtures::generate(&config, out, |_, _| {}).expect("the guard fixture set generates");
}

fn ocr() -> tdverify_ocr::OcrEngine {
    tdverify_ocr::OcrEngine::load_default()
        .expect("the MRZ reader loads (TDVERIFY_ORT_LIB, models/; cargo xtask setup)")
}

/// MRZ reading figures of one evaluated folder: genuine prints exact, every image's wrong acceptances.
fn mrz_figures(dir: &Path, engine: &tdverify_ocr::OcrEngine) -> BTreeMap<String, Measured> {
    let items = tdverify_ocr::eval::load_dataset(dir).expect("the evaluation folder loads");
    assert!(!items.is_empty(), "{} holds no MRZ images", dir.display());
    let results = tdverify_ocr::eval::evaluate(&items, engine);
    let (genuine, counterfeit): (Vec<_>, Vec<_>) =
        results.into_iter().partition(|r| !r.item.group.ends_with("/counterfeit"));
    let genuine_summary = tdverify_ocr::eval::summarize(&genuine);
    let one_image = 1.0 / genuine.len().max(1) as f64;
    let mut figures = BTreeMap::from([
        ("genuine_exact_share".to_string(), higher(genuine_summary.exact_rate, one_image / 2.0)),
        ("genuine_char_error_rate".to_string(), lower(genuine_summary.char_error_rate, 0.002)),
        ("wrong_accepted_as_valid".to_string(), lower(genuine_summary.wrong_accepted_valid as f64, 0.0)),
    ]);
    if !counterfeit.is_empty() {
        let counterfeit_summary = tdverify_ocr::eval::summarize(&counterfeit);
        figures.insert(
            "counterfeit_wrong_accepted_as_valid".into(),
            lower(counterfeit_summary.wrong_accepted_valid as f64, 0.0),
        );
    }
    figures
}

#[test]
fn mrz_reading_on_the_development_photographs() {
    let Some(dir) = test_data::shared_mrz() else { return };
    let figures = mrz_figures(&dir, &ocr());
    hold_against_baseline(
        "mrz_shared_photographs",
        "MRZ reading (default reader) on ../shared/mrz, real photographs (looked at while tuning: a guard, not a report)",
        "cargo xtask eval-mrz ../shared/mrz",
        figures,
    );
}

/// MRZ reading and the officer's view of the verdicts on the guard set (one generation for both).
#[test]
fn mrz_reading_and_officer_view_on_the_guard_set() {
    let out = tempfile::tempdir().expect("a temporary folder");
    generate_guard_set(out.path());
    let dir = out.path();
    let ocr = ocr();
    hold_against_baseline(
        "mrz_guard_fixtures",
        "MRZ reading (default reader) on the guard fixture set (seed 27, 36 documents), white and IR images; counterfeit prints apart",
        "cargo xtask fixtures --seed 27 --count 36 --out DIR; cargo xtask eval-mrz DIR",
        mrz_figures(dir, &ocr),
    );
    let library =
        ReferenceLibrary::load(&workspace().join("reference-library")).expect("the bundled reference library loads");
    let face = tdverify_face::FaceEngine::load_default(None).expect("the face models load (TDVERIFY_ORT_LIB, models/)");
    let engines = Engines { library: &library, ocr: Some(&ocr), face: Some(&face), hotlist: None };
    // The guard set's portraits are synthetic: a bearer comparison would say nothing
    // (face comparison has its own baseline on real faces below).
    let options = tdverify_inspect::eval::OfficerEvalOptions { without_bearer: true, ..Default::default() };
    let report = tdverify_inspect::eval::evaluate_folder(dir, &engines, &options, |_, _| {})
        .expect("the officer evaluation runs");
    let share = |part: usize, whole: usize| part as f64 / whole.max(1) as f64;
    let figures = BTreeMap::from([
        (
            "forgeries_flagged_share".to_string(),
            higher(share(report.forgeries.flagged, report.forgeries.total), share(1, report.forgeries.total) / 2.0),
        ),
        (
            "genuine_not_genuine_share".to_string(),
            lower(share(report.genuine.not_genuine, report.genuine.total), share(1, report.genuine.total) / 2.0),
        ),
        (
            "recapture_proposed_share".to_string(),
            lower(share(report.recapture.proposed, report.documents), share(1, report.documents) / 2.0),
        ),
        ("documents".to_string(), higher(report.documents as f64, 0.0)),
    ]);
    hold_against_baseline(
        "officer_guard_fixtures",
        "Officer view (eval-docs): forgeries flagged, genuine documents not \"genuine\", recaptures; guard fixture set (seed 27, 36 documents), no bearer photo, no chip, no hotlist",
        "cargo xtask fixtures --seed 27 --count 36 --out DIR; cargo xtask eval-docs DIR --officer-only --no-bearer",
        figures,
    );
}

#[test]
fn face_thresholds_fitted_on_one_half_hold_on_the_other() {
    let Some(dir) = test_data::london_faces() else { return };
    let engine =
        tdverify_face::FaceEngine::load_default(None).expect("the face models load (TDVERIFY_ORT_LIB, models/)");
    let codec: &dyn tdverify_face::degrade::Jpeg2000Codec = &tdverify_imaging::OpenCvJpeg2000;
    let split = tdverify_face::eval::evaluate_split(&engine, &dir, Some(codec)).expect("the split evaluation runs");
    let shipped = tdverify_face::CALIBRATED;
    assert_eq!(
        (split.on_all.match_at, split.on_all.no_match_below),
        (shipped.match_at.threshold, shipped.no_match_below.threshold),
        "the calibration rule on every identity no longer gives the shipped thresholds (tdverify_face::CALIBRATED): recalibrate"
    );
    let mut figures = BTreeMap::new();
    for fold in &split.folds {
        for condition in &fold.held_out_rates {
            let name = format!("fitted_on_{}.{:?}_vs_{:?}", fold.fitted_on, condition.a, condition.b).to_lowercase();
            let one_genuine = 1.0 / condition.pairs.0.max(1) as f64;
            let one_impostor = 1.0 / condition.pairs.1.max(1) as f64;
            figures.insert(format!("{name}.fmr_at_match"), lower(condition.at_match.0, one_impostor));
            figures.insert(format!("{name}.fnmr_at_match"), lower(condition.at_match.1, one_genuine));
            figures.insert(format!("{name}.fmr_at_no_match"), lower(condition.at_no_match.0, 2.0 * one_impostor));
            figures.insert(format!("{name}.fnmr_at_no_match"), lower(condition.at_no_match.1, one_genuine));
        }
    }
    hold_against_baseline(
        "face_london_split",
        "Face comparison: two-fold cross-validation of the threshold rule on ../shared/faces/london (fitted on the even-numbered identities, measured on the odd-numbered ones, and the reverse)",
        "cargo xtask eval-face ../shared/faces/london --split",
        figures,
    );
}
