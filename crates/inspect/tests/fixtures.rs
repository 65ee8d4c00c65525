//! The whole inspection over generated fixture documents: real templates,
//! real OCR and face models through ONNX Runtime, real document checks.

use std::path::{Path, PathBuf};

use tdverify_core::{Capture, CaptureSource, CheckStatus, Light, Verdict};
use tdverify_document::reference::ReferenceLibrary;
use tdverify_inspect::{Engines, InspectInput, run};
use tdverify_mrz::MrzDate;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The captures of one side: `white.png`… for the MRZ side, `front.white.png`… for
/// the other side of a two-sided card (`prefix` "front.").
fn captures_in(folder: &Path, prefix: &str) -> Vec<Capture> {
    let mut captures = Vec::new();
    for light in [Light::White, Light::Uv, Light::Ir] {
        for extension in ["png", "jpg"] {
            let path = folder.join(format!("{prefix}{}.{extension}", light.as_str()));
            if let Ok(image) = image::open(&path) {
                captures.push(Capture { light, image, dpi: None, source: CaptureSource::Fixture(folder.display().to_string()) });
                break;
            }
        }
    }
    captures
}

#[test]
fn genuine_documents_pass_and_forgeries_are_flagged() {
    let root = workspace();
    let library_path = root.join("reference-library");
    let out = tempfile::tempdir().unwrap();
    let mut config = tdverify_fixtures::FixtureConfig::new(library_path.clone());
    config.count = 16;
    config.seed = 7;
    tdverify_fixtures::generate(&config, out.path(), |_, _| {}).unwrap();
    let library = ReferenceLibrary::load(&library_path).unwrap();
    // ONNX Runtime (cargo xtask setup) and the models (models/) are the project's own: without them the
    // inspection would quietly run fewer stages, so a failure to load fails the test.
    let ocr = tdverify_ocr::OcrEngine::load_default().expect("the MRZ reader loads (TDVERIFY_ORT_LIB, models/; cargo xtask setup)");
    let face = tdverify_face::FaceEngine::load_default(None).expect("the face models load (TDVERIFY_ORT_LIB, models/; cargo xtask setup)");
    let engines = Engines { library: &library, ocr: Some(&ocr), face: Some(&face), hotlist: None };

    let mut folders: Vec<PathBuf> = std::fs::read_dir(out.path()).unwrap().flatten().map(|e| e.path()).filter(|p| p.join("truth.json").is_file()).collect();
    folders.sort();
    assert!(!folders.is_empty());
    let mut rows = Vec::new();
    for folder in &folders {
        let truth = tdverify_fixtures::load_truth(folder).unwrap();
        let date = MrzDate::from_iso(&truth.reference_date).expect("the truth's reference date");
        // Fixture portraits are synthetic: a bearer comparison would say nothing here
        // (face comparison is measured on real faces by `cargo xtask eval-face`).
        let input = InspectInput {
            captures: captures_in(folder, ""),
            other_side: captures_in(folder, "front."),
            bearer: None,
            typed_mrz: None,
            officer_mrz_fixes: Vec::new(),
            chip: None,
            inspection_date: date,
        };
        let inspection = run(&input, &engines, &|_, _| {});
        let failing: Vec<&str> = inspection.checks.iter().filter(|c| c.status == CheckStatus::Fail).map(|c| c.id.as_str()).collect();
        println!(
            "{:<40} expected {:<11} got {:<11} {:?} failing {:?}",
            folder.file_name().unwrap().to_string_lossy(),
            format!("{:?}", truth.expected_verdict),
            format!("{:?}", inspection.verdict.proposed),
            inspection.verdict.fraud_type,
            failing
        );
        // Impostors need the bearer, stolen blanks the hotlist: neither is visible on the document.
        let document_can_show = !matches!(truth.fraud_type, tdverify_core::FraudType::Impostor | tdverify_core::FraudType::StolenBlank);
        rows.push((truth.expected_verdict, inspection.verdict.proposed, document_can_show));
    }
    let genuine_flagged = rows.iter().filter(|(e, g, _)| *e == Verdict::Genuine && *g == Verdict::Fraudulent).count();
    let genuine_passed = rows.iter().filter(|(e, g, _)| *e == Verdict::Genuine && *g == Verdict::Genuine).count();
    let genuine = rows.iter().filter(|(e, _, _)| *e == Verdict::Genuine).count();
    let forged_missed = rows.iter().filter(|(e, g, visible)| *e == Verdict::Fraudulent && *g == Verdict::Genuine && *visible).count();
    println!("genuine flagged as fraudulent: {genuine_flagged}; genuine passed: {genuine_passed}/{genuine}; visible forgeries passed as genuine: {forged_missed}; of {}", rows.len());
    assert_eq!(genuine_flagged, 0, "a genuine document was called fraudulent");
    assert_eq!(forged_missed, 0, "a forgery visible on the document was passed as genuine");
    assert!(genuine_passed * 10 >= genuine * 8, "fewer than 80% of genuine documents passed cleanly");
}

/// A TD1 card has its MRZ on the back and its portrait on the front: given
/// both sides, the inspection reads the MRZ on the back, finds the printed
/// portrait on the front, and points its evidence at the side it came from.
#[test]
fn two_sided_card_is_inspected_on_both_sides() {
    let root = workspace();
    let library_path = root.join("reference-library");
    let out = tempfile::tempdir().unwrap();
    let mut config = tdverify_fixtures::FixtureConfig::new(library_path.clone());
    config.count = 1;
    config.scenarios = Some(vec![tdverify_fixtures::Scenario::Genuine]);
    config.templates = Some(vec!["UTO/id-card".into()]);
    tdverify_fixtures::generate(&config, out.path(), |_, _| {}).unwrap();
    let folder = std::fs::read_dir(out.path()).unwrap().flatten().map(|e| e.path()).find(|p| p.join("truth.json").is_file()).unwrap();
    let library = ReferenceLibrary::load(&library_path).unwrap();
    // ONNX Runtime (cargo xtask setup) and the models (models/) are the project's own: without them the
    // inspection would quietly run fewer stages, so a failure to load fails the test.
    let ocr = tdverify_ocr::OcrEngine::load_default().expect("the MRZ reader loads (TDVERIFY_ORT_LIB, models/; cargo xtask setup)");
    let face = tdverify_face::FaceEngine::load_default(None).expect("the face models load (TDVERIFY_ORT_LIB, models/; cargo xtask setup)");
    let engines = Engines { library: &library, ocr: Some(&ocr), face: Some(&face), hotlist: None };
    let truth = tdverify_fixtures::load_truth(&folder).unwrap();
    let date = MrzDate::from_iso(&truth.reference_date).expect("the truth's reference date");
    let back = captures_in(&folder, "");
    let front = captures_in(&folder, "front.");
    assert_eq!(front.len(), 3, "the generated card has a front under every light");
    // A second face (the bearer's) makes the face stage look for the printed portrait.
    let bearer = Some(image::open(folder.join("bearer.jpg")).expect("the fixture has its bearer"));

    let one_side = run(&InspectInput { captures: back.clone(), other_side: Vec::new(), bearer: bearer.clone(), typed_mrz: None, officer_mrz_fixes: Vec::new(), chip: None, inspection_date: date }, &engines, &|_, _| {});
    assert!(!one_side.faces.iter().any(|f| f.source == "photo"), "the back alone shows no portrait");

    let both = run(&InspectInput { captures: back, other_side: front, bearer, typed_mrz: None, officer_mrz_fixes: Vec::new(), chip: None, inspection_date: date }, &engines, &|_, _| {});
    let printed = both.faces.iter().find(|f| f.source == "photo").expect("the printed portrait is found on the front");
    assert_eq!(printed.page, 1, "the portrait is on the other side");
    assert!(both.mrz.is_some(), "the MRZ is read on the back");
    let compared = both.checks.iter().find(|c| c.id == "face.photo_vs_bearer").expect("printed portrait compared with the bearer");
    assert!(compared.evidence.iter().any(|e| e.page == 1), "the comparison points at the front's portrait");
    let viz = both.checks.iter().find(|c| c.id == "consistency.viz_vs_mrz").expect("VIZ compared");
    assert_eq!(viz.status, CheckStatus::Pass, "the front's VIZ agrees with the back's MRZ: {}", viz.message);
    assert!(viz.message.starts_with("Other side"), "{}", viz.message);
    assert_eq!(both.checks.iter().filter(|c| c.id == "consistency.viz_vs_mrz").count(), 1, "listed once");
    let on_front = both.checks.iter().flat_map(|c| &c.evidence).filter(|e| e.page == 1).count();
    assert!(on_front > 0, "checks of the front point at the front");
    let failing: Vec<&str> = both.checks.iter().filter(|c| c.status == CheckStatus::Fail).map(|c| c.id.as_str()).collect();
    assert!(failing.is_empty(), "a genuine card fails {failing:?}");
    assert_ne!(both.verdict.proposed, Verdict::Fraudulent);
}
