//! The face panel shows the printed portrait beside its copies (ghost image,
//! UV and IR copies) with each comparison's score, and the portrait edge
//! checks: a ZZA passport with real faces (`../shared/faces/london`, read in
//! place), genuine and with its portrait replaced cleanly, no chip, no bearer.

mod support;

use std::path::Path;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use tdverify::core::CheckStatus;
use tdverify::fixtures::Scenario;
use tdverify::resources::Resources;
use tdverify::settings::Settings;
use tdverify::ui::{Screen, StartOptions, TdverifyApp};

fn harness(dir: &Path, resources: Resources) -> Harness<'static, TdverifyApp> {
    let settings = Settings { data_dir: dir.join("data"), ..Settings::default() };
    let start = StartOptions::on_screen(Screen::Document, Settings::file_in(dir));
    let app = TdverifyApp::new(settings, resources, start).with_manual_stages();
    Harness::builder().with_size([1600.0, 1100.0]).build_ui_state(|ui, app: &mut TdverifyApp| app.show(ui), app)
}

#[test]
fn the_portrait_its_copies_and_their_scores_are_shown_side_by_side() {
    let Some(faces) = tdverify::core::test_data::london_faces() else { return };
    let (dir, resources, documents) =
        support::two_passports(faces, "ZZA/passport", [Scenario::Genuine, Scenario::PhotoSubstitutionClean]);

    let mut harness = harness(dir.path(), resources);
    for (document, substituted) in documents.iter().zip([false, true]) {
        support::replace_images(&mut harness, document);
        harness.state_mut().document.finish_loading();
        harness.run();
        let result = support::inspect(&mut harness);

        harness.get_by_label("The portrait and its copies, side by side");
        for label in
            ["Printed portrait", "Ghost image (enhanced)", "UV copy of the portrait", "IR copy of the portrait"]
        {
            harness.get_by_label(label);
        }
        // Each copy's column carries its comparison's score (or the zone as printed).
        let scores = harness.query_all_by_label_contains("score ").count();
        assert!(scores >= 1, "at least the ghost image's score is shown beside it");
        let edge = result.checks.iter().find(|c| c.id == "photo.guilloche_continuity").expect("the frame check ran");
        // Shown in the face panel (and in the checks list).
        assert!(harness.query_all_by_label_contains(&edge.message).count() >= 1, "the portrait edge check is shown");
        let expected = if substituted { CheckStatus::Fail } else { CheckStatus::Pass };
        assert_eq!(edge.status, expected, "{}", edge.message);
    }
}
