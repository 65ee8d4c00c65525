//! An MRZ the officer corrected by hand: the image is read again, the fixes are
//! applied to the reading, the checks run on the corrected lines, and the outcome
//! keeps both the reading (evidence) and the fixes (what the officer did).

use std::path::Path;

use tdverify_core::{Capture, CaptureSource, CheckStatus, Light};
use tdverify_document::reference::ReferenceLibrary;
use tdverify_fixtures::{CaptureMix, FixtureConfig, Scenario};
use tdverify_inspect::{Engines, InspectInput, MrzHandFix, run};
use tdverify_mrz::MrzDate;

fn captures(folder: &Path) -> Vec<Capture> {
    [Light::White, Light::Ir]
        .into_iter()
        .filter_map(|light| {
            let image = image::open(folder.join(format!("{}.png", light.as_str()))).ok()?;
            Some(Capture { light, image, dpi: None, source: CaptureSource::Fixture(folder.display().to_string()) })
        })
        .collect()
}

fn reference_date(folder: &Path) -> MrzDate {
    let date = tdverify_fixtures::load_truth(folder).unwrap().reference_date;
    MrzDate::from_iso(&date).expect("the truth's reference date")
}

#[test]
fn hand_fixes_are_applied_to_the_reading_checked_and_kept() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let library_path = root.join("reference-library");
    let out = tempfile::tempdir().unwrap();
    let config = FixtureConfig {
        count: 1,
        scenarios: Some(vec![Scenario::Genuine]),
        templates: Some(vec!["UTO/passport".to_string()]),
        captures: CaptureMix::Flatbed(300),
        ..FixtureConfig::new(library_path.clone())
    };
    tdverify_fixtures::generate(&config, out.path(), |_, _| {}).unwrap();
    let folder = std::fs::read_dir(out.path()).unwrap().flatten().map(|e| e.path()).find(|p| p.join("truth.json").is_file()).expect("one document");
    let library = ReferenceLibrary::load(&library_path).unwrap();
    let ocr = tdverify_ocr::OcrEngine::load_default().expect("the OCR model (cargo xtask setup)");
    let engines = Engines { library: &library, ocr: Some(&ocr), face: None, hotlist: None };
    let mut input = InspectInput {
        captures: captures(&folder),
        other_side: Vec::new(),
        bearer: None,
        typed_mrz: None,
        officer_mrz_fixes: Vec::new(),
        chip: None,
        inspection_date: reference_date(&folder),
    };

    let read = run(&input, &engines, &|_, _| {});
    let outcome = read.mrz.as_ref().expect("the MRZ was read");
    assert!(outcome.officer_fixes.is_empty() && !outcome.source.contains("officer"), "{}", outcome.source);
    let lines: Vec<String> = outcome.reading.as_ref().expect("the reading")["lines"].as_array().unwrap().iter().map(|l| l.as_str().unwrap().to_owned()).collect();
    assert!(read.checks.iter().any(|c| c.id == "mrz.check_digit.number" && c.status == CheckStatus::Pass));

    // The document number's check digit (TD3 line 2, position 10), changed by hand.
    let printed = lines[1].chars().nth(9).unwrap();
    let other = if printed == '0' { '1' } else { '0' };
    input.officer_mrz_fixes = vec![
        MrzHandFix { line: 1, column: 9, from: printed, to: other },
        // Outside the MRZ: ignored, not a panic.
        MrzHandFix { line: 7, column: 99, from: 'A', to: 'B' },
    ];
    let fixed = run(&input, &engines, &|_, _| {});
    let outcome = fixed.mrz.as_ref().expect("the corrected MRZ");
    assert!(outcome.source.starts_with("ocr:") && outcome.source.ends_with("+officer"), "{}", outcome.source);
    assert_eq!(outcome.officer_fixes, vec![MrzHandFix { line: 1, column: 9, from: printed, to: other }]);
    assert_eq!(outcome.reading.as_ref().unwrap()["lines"][1].as_str(), Some(lines[1].as_str()), "the reading is kept as read");
    assert_eq!(outcome.report["lines"][1].as_str().and_then(|l| l.chars().nth(9)), Some(other), "the checks ran on the corrected text");
    let number = fixed.checks.iter().find(|c| c.id == "mrz.check_digit.number").expect("the number's check digit");
    assert_eq!(number.status, CheckStatus::Fail);
    let read_check = fixed.checks.iter().find(|c| c.id == "mrz.read").unwrap();
    assert!(read_check.message.contains("corrected by hand") && read_check.message.contains("line 2, position 10"), "{}", read_check.message);

    let json = serde_json::to_value(&fixed).unwrap();
    assert_eq!(json["mrz"]["officer_fixes"][0], serde_json::json!({"line": 1, "column": 9, "from": printed.to_string(), "to": other.to_string()}));
    assert!(json["mrz"]["reading"]["characters"].is_array());

    // A typed MRZ wins over fixes; without a reading they mean nothing.
    input.typed_mrz = Some(lines.join("\n"));
    let typed = run(&input, &engines, &|_, _| {});
    let outcome = typed.mrz.as_ref().unwrap();
    assert_eq!(outcome.source, "typed");
    assert!(outcome.officer_fixes.is_empty());
}
