//! The document screen's whole inspection through egui_kittest.
//!
//! - A trainer opens the sample document (its bearer photo comes with it),
//!   reads the sample chip in the chip panel and inspects: the chip's findings
//!   join the inspection.
//! - With real faces (documents generated in a temporary folder from
//!   `../shared/faces/london`, read in place), the printed portrait is compared
//!   with the bearer: the holder matches, an impostor does not, and the faces
//!   are shown side by side with the comparison pointing at the portrait.
//! - With no chip and no bearer, a portrait replaced cleanly (another genuine
//!   portrait, no edge or shadow) is found by the ghost image, and the genuine
//!   passport's portrait matches its ghost image; both faces are shown.

mod support;

use std::path::Path;
use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use tdverify::core::CheckStatus;
use tdverify::fixtures::Scenario;
use tdverify::resources::Resources;
use tdverify::settings::Settings;
use tdverify::ui::{Screen, StartOptions, TdverifyApp};

fn harness(dir: &Path, resources: Resources, screen: Screen) -> Harness<'static, TdverifyApp> {
    let settings = Settings { data_dir: dir.join("data"), ..Settings::default() };
    let start = StartOptions::on_screen(screen, Settings::file_in(dir));
    let app = TdverifyApp::new(settings, resources, start).with_manual_stages();
    Harness::builder().with_size([1400.0, 1000.0]).build_ui_state(|ui, app: &mut TdverifyApp| app.show(ui), app)
}

#[test]
fn the_chip_read_in_the_chip_panel_and_the_bearer_photo_join_the_inspection() {
    let resources = Resources::discover();
    assert!(
        tdverify::samples::first_sample(&resources.fixtures).is_some_and(|s| s.bearer.is_some()),
        "fixture documents with bearer photos (cargo xtask setup generates them into out/fixtures)"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let mut harness = harness(dir.path(), resources, Screen::Home);
    harness.run();

    harness.get_by_label("Open a sample document").click();
    harness.step();
    harness.state_mut().document.finish_loading();
    harness.state_mut().document.face.finish();
    harness.run();
    assert_eq!(harness.state().screen, Screen::Document);
    assert!(harness.state().document.face.bearer.is_some(), "the sample's bearer photo is ready for the comparison");
    harness.get_by_label_contains("Compared at the next inspection");

    harness.get_by_label("Read the sample chip (emulator)").click();
    harness.step();
    harness.state_mut().document.chip.finish(Duration::from_secs(120));
    harness.run();
    assert!(matches!(harness.state().document.chip.outcome, Some(Ok(_))), "the sample chip was read");

    let result = support::inspect(&mut harness);
    assert!(result.chip.is_some(), "the chip read joined the inspection");
    assert!(result.checks.iter().any(|c| c.id == "chip.pa.sod_signature"), "chip findings are listed");
    assert!(
        result.checks.iter().any(|c| c.id == "consistency.mrz_vs_dg1"),
        "the chip's MRZ is compared with the printed one"
    );
    assert!(result.checks.iter().any(|c| c.id.starts_with("face.")), "the bearer photo was looked at");

    // Closing the images starts a new document: no chip read or bearer carried over.
    harness.get_by_label("Close all").click();
    harness.run();
    assert!(harness.state().document.chip.outcome.is_none() && harness.state().document.face.bearer.is_none());
}

/// The face findings of an inspection, one line each, for failure messages.
fn face_findings(result: &tdverify::inspect::Inspection) -> Vec<String> {
    result
        .checks
        .iter()
        .filter(|c| c.id.starts_with("face."))
        .map(|c| format!("{} {:?} {}", c.id, c.status, c.message))
        .collect()
}

#[test]
fn the_printed_portrait_matches_its_holder_and_not_an_impostor() {
    let Some(faces) = tdverify::core::test_data::london_faces() else { return };
    let (dir, resources, documents) =
        support::two_passports(faces, "UTO/passport", [Scenario::Genuine, Scenario::Impostor]);

    let mut harness = harness(dir.path(), resources, Screen::Document);
    for (document, expected) in documents.iter().zip([CheckStatus::Pass, CheckStatus::Fail]) {
        support::replace_images(&mut harness, document);
        harness.state_mut().document.face.open_bearer(document.bearer.clone().expect("a bearer photo"));
        harness.state_mut().document.finish_loading();
        harness.state_mut().document.face.finish();
        harness.run();

        let result = support::inspect(&mut harness);
        let faces = face_findings(&result);
        let comparison = result
            .checks
            .iter()
            .find(|c| c.id == "face.photo_vs_bearer")
            .unwrap_or_else(|| panic!("no comparison: {faces:#?}"));
        assert_eq!(comparison.status, expected, "{}: {faces:#?}", document.folder.display());
        assert!(
            comparison.evidence.iter().any(|e| e.region.is_some()),
            "the comparison points at the printed portrait"
        );
        let printed = result.faces.iter().find(|f| f.source == "photo").expect("the printed portrait was found");
        assert!(printed.region.is_some() && printed.aligned.is_some());
        harness.get_by_label("Printed portrait");
        harness.get_by_label("Bearer photo");
    }
}

#[test]
fn a_clean_photo_substitution_is_found_by_the_ghost_image_without_chip_or_bearer() {
    let Some(faces) = tdverify::core::test_data::london_faces() else { return };
    let (dir, resources, documents) =
        support::two_passports(faces, "UTO/passport", [Scenario::Genuine, Scenario::PhotoSubstitutionClean]);

    let mut harness = harness(dir.path(), resources, Screen::Document);
    for (document, substituted) in documents.iter().zip([false, true]) {
        support::replace_images(&mut harness, document);
        harness.state_mut().document.finish_loading();
        harness.run();

        let result = support::inspect(&mut harness);
        let faces = face_findings(&result);
        let ghost = result
            .checks
            .iter()
            .find(|c| c.id == "face.photo_vs_ghost")
            .unwrap_or_else(|| panic!("no ghost comparison: {faces:#?}"));
        // A substitution is a no-match (fraud) or, in the band between the
        // thresholds, a call to compare side by side (review): flagged either way.
        let expected: &[CheckStatus] =
            if substituted { &[CheckStatus::Fail, CheckStatus::Warn] } else { &[CheckStatus::Pass] };
        assert!(expected.contains(&ghost.status), "{}: {faces:#?}", document.folder.display());
        assert!(
            ghost.evidence.iter().filter(|e| e.region.is_some()).count() >= 2,
            "the comparison points at the portrait and the ghost image"
        );
        assert!(
            ghost.evidence.iter().any(|e| e.detail.as_deref().is_some_and(|d| d.starts_with("score "))),
            "the score is shown"
        );
        assert!(
            result.checks.iter().all(|c| c.id != "face.photo_vs_chip" && c.id != "face.photo_vs_bearer"),
            "no chip, no bearer"
        );
        let flagged =
            matches!(result.verdict.proposed, tdverify::core::Verdict::Fraudulent | tdverify::core::Verdict::Review);
        assert_eq!(flagged, substituted, "{:?}", result.verdict);
        harness.get_by_label("Printed portrait");
        harness.get_by_label("Ghost image (enhanced)");
    }
}
