//! Issue 24's budgets (release, 2 cores): import 1 000 000 records < 30 s; any filtered
//! view over 1 000 000 records < 200 ms.
//!
//! Makes 20 TEST-ONLY demo bundles of 50 000 records (outside any measurement), then
//! times once (criterion needs at least ten samples, and ten imports of a million records
//! would take minutes): importing all of them into a fresh trends database (verification,
//! SQLite, column cache) and reopening it (the cache rebuilt from SQLite). The figures go
//! to standard error. Then criterion measures the views over the million records, each
//! under a filter (region, period, border type, pins), including the heat map, the
//! stacked series, the ranking and the alerts.

use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use tdverify_trends::{Dimension, Filter, Trends, demo_bundles, parse_trusted_keys};

fn trends_1m(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let started = Instant::now();
    let demo = demo_bundles(20, 50_000, 42, &dir.path().join("bundles")).expect("demo bundles");
    eprintln!("demo bundles: {} records in {:.1} s", demo.records(), started.elapsed().as_secs_f64());
    let keys = parse_trusted_keys(&demo.trusted_stations_text()).expect("keys");
    let data = dir.path().join("data");
    let started = Instant::now();
    let mut trends = Trends::open(&data).expect("open");
    for bundle in &demo.bundles {
        trends.import_bundle(&bundle.path, &keys).expect("import");
    }
    let import = started.elapsed();
    eprintln!(
        "import: {} records from {} bundles in {:.2} s",
        trends.records(),
        demo.bundles.len(),
        import.as_secs_f64()
    );
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("../criterion/trends_1m");
    let _ = std::fs::create_dir_all(&out);
    let _ = std::fs::write(out.join("import.txt"), format!("{} {:.3}\n", trends.records(), import.as_secs_f64()));
    drop(trends);
    let started = Instant::now();
    let trends = Trends::open(&data).expect("reopen");
    eprintln!("reopen (column cache from SQLite): {:.2} s", started.elapsed().as_secs_f64());
    std::fs::remove_dir_all(dir.path().join("bundles")).expect("remove the bundles");

    let europe_q = Filter::all().between("2026-01", "2026-06").parse_pin("region=europe").expect("pin");
    let land =
        Filter::all().parse_pin("border_type=land").expect("pin").parse_pin("fraud_type=counterfeit").expect("pin");
    let mut group = c.benchmark_group("trends_1m");
    group.sample_size(20);
    group.bench_function("view_issuing_state_europe_h1", |b| {
        b.iter(|| trends.query(Dimension::IssuingState, &europe_q).expect("view"))
    });
    group
        .bench_function("view_route_all", |b| b.iter(|| trends.query(Dimension::Route, &Filter::all()).expect("view")));
    group.bench_function("view_failed_check_land_counterfeit", |b| {
        b.iter(|| trends.query(Dimension::FailedCheck, &land).expect("view"))
    });
    group.bench_function("heatmap_state_x_nationality_europe_h1", |b| {
        b.iter(|| trends.heatmap(Dimension::IssuingState, Dimension::Nationality, &europe_q).expect("grid"))
    });
    group.bench_function("time_series_month_x_fraud_type_all", |b| {
        b.iter(|| trends.time_series(Dimension::Month, &Filter::all()).expect("grid"))
    });
    group.bench_function("ranking_europe_h1", |b| b.iter(|| trends.ranked_issuing_states(&europe_q).expect("ranking")));
    group.bench_function("alerts_all", |b| b.iter(|| trends.alerts(&Filter::all()).expect("alerts")));
    group.finish();
    let report = trends.alerts(&Filter::all()).expect("alerts");
    eprintln!("alerts over 1M: {} of {} tests; spike {:?}", report.alerts.len(), report.tests, demo.spike);
    let spike_month = demo.spike.as_ref().map(|s| s.month.clone()).unwrap_or_default();
    let elsewhere: Vec<String> = report
        .alerts
        .iter()
        .filter(|a| a.month != spike_month)
        .map(|a| format!("{} {} {}", a.dimension, a.series, a.month))
        .collect();
    eprintln!("alerts outside the spike's month: {} {elsewhere:?}", elsewhere.len());
    for a in report.alerts.iter().take(5) {
        eprintln!(
            "  {} {} {}: x = {}, λ = {:.1}, p = {:.2e}",
            a.dimension, a.series, a.month, a.count, a.expected, a.p_value
        );
    }
}

criterion_group!(benches, trends_1m);
criterion_main!(benches);
