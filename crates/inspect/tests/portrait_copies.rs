//! The portrait against its copies on the document (ghost image, UV and IR
//! copies) over generated documents with real portraits: a genuine document's
//! copies show the portrait's person, a clean photo substitution's copies keep
//! the issued holder and disagree with it. Needs the face set
//! `../shared/faces/london` (outside the repository: skipped without it unless
//! `TDVERIFY_REQUIRE_DATA` is set).

use std::path::{Path, PathBuf};

use tdverify_core::{Capture, CaptureSource, CheckStatus, Light};
use tdverify_document::reference::ReferenceLibrary;
use tdverify_fixtures::{CaptureMix, FixtureConfig, Scenario};
use tdverify_inspect::{Engines, InspectInput, run};
use tdverify_mrz::MrzDate;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn captures_in(folder: &Path) -> Vec<Capture> {
    [Light::White, Light::Uv, Light::Ir]
        .into_iter()
        .filter_map(|light| {
            let path = folder.join(format!("{}.png", light.as_str()));
            let image = image::open(&path).ok()?;
            Some(Capture { light, image, dpi: None, source: CaptureSource::Fixture(path.display().to_string()) })
        })
        .collect()
}

#[test]
fn uv_and_ir_copies_agree_with_a_genuine_portrait_and_betray_a_clean_substitution() {
    let Some(faces) = tdverify_core::test_data::london_faces() else { return };
    let library_path = workspace().join("reference-library");
    let out = tempfile::tempdir().unwrap();
    let mut config = FixtureConfig::new(library_path.clone());
    config.count = 4;
    config.seed = 29;
    config.faces = Some(faces);
    config.captures = CaptureMix::Flatbed(300);
    config.templates = Some(vec!["ZZA/passport".into()]);
    config.scenarios = Some(vec![Scenario::Genuine, Scenario::PhotoSubstitutionClean]);
    tdverify_fixtures::generate(&config, out.path(), |_, _| {}).unwrap();
    let library = ReferenceLibrary::load(&library_path).unwrap();
    let face = tdverify_face::FaceEngine::load_default(None)
        .expect("the face models load (TDVERIFY_ORT_LIB, models/; cargo xtask setup)");
    let engines = Engines { library: &library, ocr: None, face: Some(&face), hotlist: None };
    let mut folders: Vec<PathBuf> = std::fs::read_dir(out.path())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("truth.json").is_file())
        .collect();
    folders.sort();
    assert_eq!(folders.len(), 4);
    // (id, genuine passed, substitution flagged: on a flat scan a copy's own
    // calibration proposes a very low score as fraud, a doubtful one for review)
    let mut outcomes: Vec<(&str, bool, bool)> = Vec::new();
    for folder in &folders {
        let truth = tdverify_fixtures::load_truth(folder).unwrap();
        let date = MrzDate::from_iso(&truth.reference_date).expect("the truth's reference date");
        // The MRZ typed in: this test is about the portraits, not the reader.
        let input = InspectInput {
            captures: captures_in(folder),
            other_side: Vec::new(),
            bearer: None,
            typed_mrz: Some(truth.mrz.lines.join("\n")),
            officer_mrz_fixes: Vec::new(),
            chip: None,
            inspection_date: date,
        };
        let inspection = run(&input, &engines, &|_, _| {});
        let substituted = truth.scenario == Scenario::PhotoSubstitutionClean;
        for (id, light) in [("face.photo_vs_uv_copy", Light::Uv), ("face.photo_vs_ir_copy", Light::Ir)] {
            let check = inspection
                .checks
                .iter()
                .find(|c| c.id == id)
                .unwrap_or_else(|| panic!("{id} runs on a template that declares the copy"));
            // A copy whose face cannot be made out is "not checked", never a pass or a fail.
            let wrong = if substituted { CheckStatus::Pass } else { CheckStatus::Fail };
            assert_ne!(check.status, wrong, "{} {id}: {}", folder.display(), check.message);
            assert!(
                check.evidence.iter().any(|e| e.light == Some(light) && e.region.is_some()),
                "{id} marks the copy on the {} image: {:?}",
                light.as_str(),
                check.evidence
            );
            assert!(
                check.evidence.iter().any(|e| e.light == Some(Light::White) && e.region.is_some()),
                "{id} marks the portrait"
            );
            outcomes.push((
                id,
                !substituted && check.status == CheckStatus::Pass,
                substituted && matches!(check.status, CheckStatus::Fail | CheckStatus::Warn),
            ));
        }
        assert!(
            truth.expected_checks.contains_key("face.photo_vs_uv_copy")
                && truth.expected_checks.contains_key("face.photo_vs_ir_copy"),
            "ground truth scores the copies"
        );
    }
    for id in ["face.photo_vs_uv_copy", "face.photo_vs_ir_copy"] {
        assert!(outcomes.iter().any(|(i, passed, _)| *i == id && *passed), "{id} passes a genuine document");
        assert!(outcomes.iter().any(|(i, _, flagged)| *i == id && *flagged), "{id} flags a clean substitution");
    }
}
