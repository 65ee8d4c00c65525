//! DESIGN.md's budget "UI frame with results on screen < 16 ms": the Document
//! screen of a fixture sample (its images under three lights, the MRZ panel and
//! the checks list of a finished inspection) at 1280×800. egui_kittest runs the
//! app's frame and the bench tessellates its shapes as the window would,
//! without a GPU: the CPU side of a frame. Criterion id `ui/frame_with_results`.
//!
//! Needs what `cargo xtask setup` provides (fixtures in out/fixtures, ONNX
//! Runtime and the models); it fails with the reason when they are missing.

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use tdverify::resources::Resources;
use tdverify::settings::Settings;
use tdverify::ui::{Screen, StartOptions, TdverifyApp};

fn inspected_document(dir: &std::path::Path) -> Harness<'static, TdverifyApp> {
    let resources = Resources::discover();
    assert!(
        tdverify::samples::first_sample(&resources.fixtures).is_some(),
        "fixture documents (cargo xtask setup generates them into out/fixtures)"
    );
    let settings = Settings { data_dir: dir.join("data"), ..Settings::default() };
    let start = StartOptions::on_screen(Screen::Home, Settings::file_in(dir));
    let app = TdverifyApp::new(settings, resources, start);
    let mut harness =
        Harness::builder().with_size([1280.0, 800.0]).build_ui_state(|ui, app: &mut TdverifyApp| app.show(ui), app);
    harness.run();
    harness.get_by_label("Open a sample document").click();
    harness.step();
    harness.state_mut().document.finish_loading();
    harness.state_mut().document.face.finish();
    harness.run();
    harness.get_by_label("Inspect").click();
    harness.step();
    let started = Instant::now();
    while harness.state().document.inspection.is_running() {
        assert!(started.elapsed() < Duration::from_secs(300), "the inspection never finished");
        std::thread::sleep(Duration::from_millis(20));
        harness.step();
    }
    harness.run();
    assert!(harness.state().document.inspection.result.is_some(), "an inspection result is on screen");
    harness
}

fn frame_with_results(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut harness = inspected_document(dir.path());
    let mut group = c.benchmark_group("ui");
    group.bench_function("frame_with_results", |b| {
        b.iter(|| {
            harness.step();
            // What the window does next with the frame: turn its shapes into triangles.
            let output = harness.output();
            let primitives = harness.ctx.tessellate(output.shapes.clone(), output.pixels_per_point);
            std::hint::black_box(primitives);
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = frame_with_results
}
criterion_main!(benches);
