//! Runs the evaluation over a fixture folder named by `TDVERIFY_EVAL_DIR`
//! (ignored by default: `cargo test --release -p tdverify-document --test
//! eval_folder -- --ignored --nocapture`). `cargo xtask eval-docs DIR` is the
//! usual way; this runs without xtask.

use std::path::{Path, PathBuf};

#[test]
#[ignore = "needs TDVERIFY_EVAL_DIR pointing at generated fixtures"]
fn evaluate_folder_from_env() {
    let Some(dir) = std::env::var_os("TDVERIFY_EVAL_DIR").map(PathBuf::from) else {
        panic!(
            "set TDVERIFY_EVAL_DIR to a folder of generated fixtures (cargo xtask fixtures writes out/fixtures)"
        );
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../reference-library");
    // TDVERIFY_EVAL_GENERATE=N: first generate the default mix of N documents there.
    if let Some(count) = std::env::var("TDVERIFY_EVAL_GENERATE")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        let mut config = tdverify_fixtures::FixtureConfig::new(root.clone());
        config.count = count;
        tdverify_fixtures::generate(&config, &dir, |_, _| {}).expect("fixtures generate");
    }
    let library =
        tdverify_document::reference::ReferenceLibrary::load(&root).expect("reference library");
    let limit = std::env::var("TDVERIFY_EVAL_LIMIT")
        .ok()
        .and_then(|v| v.parse().ok());
    let report =
        tdverify_document::eval::evaluate_folder(&dir, &library, limit).expect("evaluation");
    println!("{}", report.table());
}

/// Writes the rectified pages of one fixture side (`TDVERIFY_DEBUG_DOC`, a
/// folder; optional `TDVERIFY_DEBUG_SIDE` index) to the temp folder and prints
/// the registrations: for looking at what the checks see.
#[test]
#[ignore = "debugging aid: needs TDVERIFY_DEBUG_DOC"]
fn dump_rectified_pages() {
    use tdverify_core::{Capture, CaptureSource, Light};
    let Some(dir) = std::env::var_os("TDVERIFY_DEBUG_DOC").map(PathBuf::from) else {
        panic!("set TDVERIFY_DEBUG_DOC to one fixture document's folder (with truth.json)");
    };
    let side_index: usize = std::env::var("TDVERIFY_DEBUG_SIDE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("truth.json")).unwrap()).unwrap();
    let side = &truth["sides"][side_index];
    let lines: Vec<String> = truth["mrz"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().to_string())
        .collect();
    let mrz = tdverify_mrz::parse(&lines.join("\n")).ok();
    let mut captures = Vec::new();
    for (key, light) in [
        ("white", Light::White),
        ("uv", Light::Uv),
        ("ir", Light::Ir),
    ] {
        let image = image::open(dir.join(side[key].as_str().unwrap())).unwrap();
        captures.push(Capture {
            light,
            image,
            dpi: None,
            source: CaptureSource::Fixture(key.into()),
        });
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../reference-library");
    let library = tdverify_document::reference::ReferenceLibrary::load(&root).unwrap();
    let options = tdverify_document::DocumentOptions {
        today: tdverify_mrz::MrzDate::new(2026, 1, 1),
        side: None,
        viz: None,
    };
    let report = tdverify_document::check_document_with(
        &captures,
        &library,
        mrz.as_ref(),
        &options,
        &mut |_, _| {},
    );
    println!("side {:?} template {:?}", report.side, report.template);
    for r in &report.registrations {
        println!(
            "{:?} {:?} q{} conf {:.2} {}",
            r.light,
            r.registration.page_corners_px,
            r.registration.rotation_quadrant_deg,
            r.registration.confidence,
            r.registration.method
        );
        let template = library
            .get(report.template.as_deref().unwrap_or(""))
            .unwrap();
        let page = tdverify_document::register::RectifiedPage::new(
            &captures
                .iter()
                .find(|c| c.light == r.light)
                .unwrap()
                .image
                .to_rgb8(),
            &r.registration,
            template.document.width_mm,
            template.document.height_mm,
        );
        page.rgb
            .save(std::env::temp_dir().join(format!("rectified-{}.png", r.light)))
            .unwrap();
    }
    for check in &report.checks {
        println!("{} {} {}", check.id, check.status.as_str(), check.message);
    }
    println!("{:?}", report.mrz_print);
}
