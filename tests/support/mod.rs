//! Shared by the GUI tests: fixture documents chosen for what their MRZ reading
//! shows, and running an inspection through the harness.
// Each test crate uses part of it.
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use tdverify::core::Light;
use tdverify::fixtures::Scenario;
use tdverify::ocr::{MrzReading, ReadingStatus};
use tdverify::resources::Resources;
use tdverify::samples::{Sample, list_samples};
use tdverify::ui::TdverifyApp;

/// Steps frames until `done` holds, at most `limit` (`harness.run()` fails while a
/// spinner keeps repainting, so the GUI tests step by hand).
pub fn step_until(
    harness: &mut Harness<'static, TdverifyApp>,
    limit: Duration,
    what: &str,
    done: impl Fn(&TdverifyApp) -> bool,
) {
    let started = Instant::now();
    while !done(harness.state()) {
        assert!(started.elapsed() < limit, "{what} did not happen within {limit:?}");
        std::thread::sleep(Duration::from_millis(20));
        harness.step();
    }
    harness.step();
}

/// The first one-sided fixture document whose MRZ, read the way the inspection reads
/// it (IR, then white unless the IR reading was trusted), is `wanted`; with that reading.
pub fn sample_whose_reading(
    resources: &Resources,
    wanted: impl Fn(&MrzReading) -> bool,
) -> Option<(Sample, MrzReading)> {
    // The reader is the project's own (cargo xtask setup): a failure to load it is not "no such document".
    let ocr = tdverify::ocr::OcrEngine::load(&resources.onnxruntime, &resources.models)
        .unwrap_or_else(|e| panic!("the MRZ reader does not load ({e}); run cargo xtask setup"));
    for sample in list_samples(&resources.fixtures) {
        if !sample.other_side.is_empty() {
            continue;
        }
        let mut best: Option<MrzReading> = None;
        for light in [Light::Ir, Light::White] {
            let Some((path, _)) = sample.images.iter().find(|(_, l)| *l == light) else { continue };
            let Ok(image) = tdverify::ocr::load_image(path) else { continue };
            let Ok(reading) = tdverify::ocr::read_mrz(&image, &ocr) else { continue };
            let trusted = matches!(reading.status, ReadingStatus::Valid | ReadingStatus::Invalid);
            if best.as_ref().is_none_or(|b| reading.confidence > b.confidence) {
                best = Some(reading);
            }
            if trusted {
                break;
            }
        }
        if let Some(reading) = best.filter(|r| !r.lines.is_empty() && wanted(r)) {
            return Some((sample, reading));
        }
    }
    None
}

/// Whether some character of `reading` was read with less than `confidence`.
pub fn has_character_under(reading: &MrzReading, confidence: f32) -> bool {
    reading.characters.iter().flatten().any(|c| c.confidence < confidence)
}

/// Two passports of `template` carrying real faces from `faces`, one per scenario,
/// scanned flat at 300 dpi, generated into a temporary folder that lives as long
/// as the returned guard; with the resources the app uses.
pub fn two_passports(
    faces: PathBuf,
    template: &str,
    scenarios: [Scenario; 2],
) -> (tempfile::TempDir, Resources, Vec<Sample>) {
    use tdverify::fixtures::{CaptureMix, FixtureConfig};
    let resources = Resources::discover();
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("documents");
    let config = FixtureConfig {
        count: 2,
        faces: Some(faces),
        scenarios: Some(scenarios.to_vec()),
        captures: CaptureMix::Flatbed(300),
        templates: Some(vec![template.to_string()]),
        threads: 1,
        ..FixtureConfig::new(resources.reference_library.clone())
    };
    tdverify::fixtures::generate(&config, &out, |_, _| {}).expect("generate two passports");
    let documents = list_samples(&out);
    assert_eq!(documents.len(), 2);
    (dir, resources, documents)
}

/// Closes what the document screen shows and opens `document`'s images, each
/// under its light (still loading: the caller adds what it needs, then
/// `finish_loading`).
pub fn replace_images(harness: &mut Harness<'static, TdverifyApp>, document: &Sample) {
    harness.get_by_label("Close all").click();
    harness.run();
    for (path, light) in &document.images {
        harness.state_mut().document.open(path.clone(), Some(*light));
    }
}

/// Presses Inspect on the document screen and steps frames until the inspection is done.
pub fn inspect(harness: &mut Harness<'static, TdverifyApp>) -> tdverify::inspect::Inspection {
    harness.get_by_label("Inspect").click();
    harness.step();
    let started = Instant::now();
    while harness.state().document.inspection.is_running() {
        assert!(started.elapsed() < Duration::from_secs(300), "the inspection never finished");
        std::thread::sleep(Duration::from_millis(20));
        harness.step();
    }
    harness.run();
    harness.state().document.inspection.result.clone().expect("an inspection result")
}
