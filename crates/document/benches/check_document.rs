//! Benchmark of the whole document stage on one W+UV+IR TD3 passport data
//! page scanned at 300 dpi (budget: under 1 s on 2 cores, release).

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use tdverify_core::{Capture, CaptureSource, Light};
use tdverify_document::reference::ReferenceLibrary;
use tdverify_document::{DocumentOptions, check_document_with};
use tdverify_fixtures::{CaptureMix, FixtureConfig, Scenario, generate};

fn bench(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../reference-library");
    let library = ReferenceLibrary::load(&root).expect("reference library");
    let out = std::env::temp_dir().join(format!("tdverify-document-bench-{}", std::process::id()));
    let mut config = FixtureConfig::new(root.clone());
    config.count = 1;
    config.captures = CaptureMix::Flatbed(300);
    config.scenarios = Some(vec![Scenario::Genuine]);
    config.templates = Some(vec!["UTO/passport".into()]);
    generate(&config, &out, |_, _| {}).expect("fixture generates");
    let folder = std::fs::read_dir(&out)
        .expect("fixture folder")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.join("truth.json").is_file())
        .expect("one document");
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(folder.join("truth.json")).expect("truth"))
            .expect("truth json");
    let lines: Vec<&str> = truth["mrz"]["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .filter_map(|l| l.as_str())
        .collect();
    let mrz = tdverify_mrz::parse(&lines.join("\n")).expect("mrz parses");
    let side = &truth["sides"][0];
    let captures: Vec<Capture> = [
        ("white", Light::White),
        ("uv", Light::Uv),
        ("ir", Light::Ir),
    ]
    .into_iter()
    .map(|(key, light)| Capture {
        light,
        image: image::open(folder.join(side[key].as_str().expect("file"))).expect("image"),
        dpi: Some(300.0),
        source: CaptureSource::Fixture(key.into()),
    })
    .collect();
    let options = DocumentOptions {
        today: tdverify_mrz::MrzDate::new(2026, 1, 1),
        side: None,
        viz: None,
    };
    c.bench_function("check_document W+UV+IR TD3 300 dpi", |b| {
        b.iter(|| check_document_with(&captures, &library, Some(&mrz), &options, &mut |_, _| {}))
    });
    std::fs::remove_dir_all(&out).ok();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
