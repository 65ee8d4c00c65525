//! Issue 24's frame budget: one frame of the Trends screen over 1 000 000 TEST-ONLY
//! records, each tab on screen, must take < 16 ms. The views are computed when the
//! filter changes (timed apart: `recompute`), so a frame only lays out and tessellates
//! what is cached; egui_kittest runs the app's frame and the bench tessellates its
//! shapes as the window would, without a GPU: the CPU side of a frame. Not criterion: medians and p95 of 40 frames per tab go to
//! `<target>/criterion/trends_1m/frame.json` for `cargo xtask bench`.

use std::time::Instant;

use egui_kittest::Harness;
use tdverify::resources::Resources;
use tdverify::settings::Settings;
use tdverify::trends::{Trends, TrustedKey, demo_bundles};
use tdverify::ui::screens::TrendsTab;
use tdverify::ui::{Screen, StartOptions, TdverifyApp};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    if !args.is_empty() && !args.iter().any(|a| "trends/frame_1m".contains(a.as_str())) {
        return;
    }
    let records: usize =
        std::env::var("TDVERIFY_TRENDS_FRAME_RECORDS").ok().and_then(|v| v.parse().ok()).unwrap_or(50_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let demo = demo_bundles(20, records, 42, &dir.path().join("bundles")).expect("demo bundles");
    let keys: Vec<TrustedKey> =
        demo.bundles.iter().map(|b| TrustedKey { label: b.label.clone(), key: b.public_key.clone() }).collect();
    let data = dir.path().join("data");
    let mut trends = Trends::open(&data).expect("open");
    for bundle in &demo.bundles {
        trends.import_bundle(&bundle.path, &keys).expect("import");
    }
    let total = trends.records();
    drop(trends);

    let settings = Settings { data_dir: data.clone(), ..Settings::default() };
    let start = StartOptions::on_screen(Screen::Trends, Settings::file_in(dir.path()));
    let app = TdverifyApp::new(settings, Resources::in_home(dir.path()), start);
    let mut harness =
        Harness::builder().with_size([1280.0, 800.0]).build_ui_state(|ui, app: &mut TdverifyApp| app.show(ui), app);
    harness.step();
    let started = Instant::now();
    harness.state_mut().trends.recompute();
    let recompute_ms = started.elapsed().as_secs_f64() * 1e3;
    let mut rows = Vec::new();
    let mut worst_p95: f64 = 0.0;
    for tab in TrendsTab::ALL {
        harness.state_mut().trends.tab = tab;
        harness.step();
        let mut times: Vec<f64> = (0..40)
            .map(|_| {
                let started = Instant::now();
                harness.step();
                // What the window does next with the frame: turn its shapes into triangles.
                let output = harness.output();
                let primitives = harness.ctx.tessellate(output.shapes.clone(), output.pixels_per_point);
                std::hint::black_box(primitives);
                started.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        times.sort_by(f64::total_cmp);
        let (median, p95) = (times[times.len() / 2], times[times.len() * 95 / 100]);
        worst_p95 = worst_p95.max(p95);
        eprintln!("trends/frame_1m {tab:?}: median {median:.2} ms, p95 {p95:.2} ms");
        rows.push(format!("\"{tab:?}\": {{\"median_ms\": {median:.3}, \"p95_ms\": {p95:.3}}}"));
    }
    eprintln!(
        "trends/frame_1m: {total} records; recompute of every view {recompute_ms:.1} ms; worst p95 {worst_p95:.2} ms"
    );
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("../criterion/trends_1m");
    let _ = std::fs::create_dir_all(&out);
    let json = format!(
        "{{\"records\": {total}, \"recompute_ms\": {recompute_ms:.3}, \"worst_p95_ms\": {worst_p95:.3}, \"tabs\": {{{}}}}}\n",
        rows.join(", ")
    );
    let _ = std::fs::write(out.join("frame.json"), json);
}
