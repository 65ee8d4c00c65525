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

fn captures_in(folder: &Path) -> Vec<Capture> {
    let mut captures = Vec::new();
    for light in [Light::White, Light::Uv, Light::Ir] {
        for extension in ["png", "jpg"] {
            let path = folder.join(format!("{}.{extension}", light.as_str()));
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
    let ocr = tdverify_ocr::OcrEngine::load_default().ok();
    let face = tdverify_face::FaceEngine::load_default(None).ok();
    let engines = Engines { library: &library, ocr: ocr.as_ref(), face: face.as_ref() };

    let mut folders: Vec<PathBuf> = std::fs::read_dir(out.path()).unwrap().flatten().map(|e| e.path()).filter(|p| p.join("truth.json").is_file()).collect();
    folders.sort();
    assert!(!folders.is_empty());
    let mut rows = Vec::new();
    for folder in &folders {
        let truth = tdverify_fixtures::load_truth(folder).unwrap();
        let date = MrzDate::new(
            truth.reference_date[0..4].parse().unwrap(),
            truth.reference_date[5..7].parse().unwrap(),
            truth.reference_date[8..10].parse().unwrap(),
        );
        // Fixture portraits are synthetic: a bearer comparison would say nothing here
        // (face comparison is measured on real faces by `cargo xtask eval-face`).
        let input = InspectInput { captures: captures_in(folder), bearer: None, typed_mrz: None, chip: None, inspection_date: date };
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
