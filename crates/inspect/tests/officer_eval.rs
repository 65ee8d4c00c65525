//! The officer evaluation end to end: fixture documents generated into a
//! temporary folder, inspected with the real MRZ reader and face comparison
//! (ONNX Runtime), counted as officers see them. A missing engine or fixture
//! fails the test: the counts would mean nothing without them.

use std::path::Path;

use tdverify_core::Verdict;
use tdverify_document::reference::ReferenceLibrary;
use tdverify_fixtures::{CaptureMix, FixtureConfig, Scenario};
use tdverify_inspect::Engines;
use tdverify_inspect::eval::{OfficerEvalOptions, evaluate_folder};

#[test]
fn officer_evaluation_counts_every_document_once_and_consistently() {
    let library_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../reference-library");
    let out = tempfile::tempdir().expect("a temporary folder");
    let config = FixtureConfig {
        count: 3,
        seed: 5,
        // Mixed captures: indices 0 and 1 are 300 dpi scans, 2 a camera photo.
        captures: CaptureMix::Mixed,
        scenarios: Some(vec![Scenario::Genuine, Scenario::MrzAlteredWhiteOnly, Scenario::Expired]),
        ..FixtureConfig::new(library_path.clone())
    };
    tdverify_fixtures::generate(&config, out.path(), |_, _| {}).expect("fixture documents generate");
    let library = ReferenceLibrary::load(&library_path).expect("the reference library loads");
    let ocr = tdverify_ocr::OcrEngine::load_default().expect("the MRZ reader loads (TDVERIFY_ORT_LIB, models/)");
    let face = tdverify_face::FaceEngine::load_default(None).expect("the face models load (TDVERIFY_ORT_LIB, models/)");
    let engines = Engines { library: &library, ocr: Some(&ocr), face: Some(&face), hotlist: None };

    let mut calls = Vec::new();
    let report = evaluate_folder(out.path(), &engines, &OfficerEvalOptions::default(), |done, total| calls.push((done, total)))
        .expect("the officer evaluation runs");
    println!("{}", report.table());
    assert_eq!(calls, [(1, 3), (2, 3), (3, 3)]);
    assert_eq!(report.documents, 3);
    assert_eq!(report.results.len(), 3);

    // Every document counted once per breakdown.
    assert_eq!(report.scenarios.keys().map(String::as_str).collect::<Vec<_>>(), ["expired", "genuine", "mrz_altered_white_only"]);
    assert_eq!(report.scenarios.values().map(|row| row.documents).sum::<usize>(), 3);
    assert_eq!(report.scenarios.values().flat_map(|row| row.verdicts.values()).sum::<usize>(), 3);
    assert_eq!(report.captures.values().map(|row| row.documents).sum::<usize>(), 3);
    assert_eq!(report.captures.keys().map(String::as_str).collect::<Vec<_>>(), ["camera", "flatbed_300"]);

    // The white-only MRZ alteration is the one forgery, visible (mrz.lights_agree expected to fail).
    assert_eq!(report.forgeries.total, 1);
    assert!(report.forgeries.flagged <= 1);
    assert_eq!(report.forgeries.flagged, report.forgeries.by_expected_check + report.forgeries.by_verdict_only);
    let altered = report.results.iter().find(|r| r.scenario == "mrz_altered_white_only").expect("the altered document");
    assert_eq!(altered.expected_to_fail, ["mrz.lights_agree"]);
    assert_eq!(altered.flagged(), report.forgeries.flagged == 1);
    assert_eq!(report.captures.values().map(|row| row.forgeries_flagged).sum::<usize>(), report.forgeries.flagged);

    // Genuine and expired: counts agree with the per-document verdicts.
    let genuine = report.results.iter().find(|r| r.scenario == "genuine").expect("the genuine document");
    assert_eq!(report.genuine.total, 1);
    assert_eq!(report.genuine.not_genuine, usize::from(genuine.proposed != Verdict::Genuine));
    assert_eq!(report.genuine.recapture, usize::from(genuine.proposed == Verdict::Recapture));
    let expired = report.results.iter().find(|r| r.scenario == "expired").expect("the expired document");
    assert_eq!((report.expired.total, report.expired.review), (1, usize::from(expired.proposed == Verdict::Review)));
    assert_eq!(report.recapture.proposed, report.results.iter().filter(|r| r.proposed == Verdict::Recapture).count());
    assert_eq!(report.recapture.documents, 3);

    // The real engines ran: the MRZ was read from the images, and it took time.
    let scans = report.results.iter().filter(|r| r.capture.starts_with("flatbed"));
    assert!(scans.clone().count() == 2 && scans.clone().all(|r| r.mrz_source.as_deref().is_some_and(|s| s.starts_with("ocr:"))), "{:?}", report.results);
    assert!(report.results.iter().all(|r| r.ms > 0.0) && report.max_ms >= report.mean_ms);
    let json = serde_json::to_value(&report).expect("the report serialises");
    assert_eq!(json["documents"], 3);
}
