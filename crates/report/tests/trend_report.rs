//! The trends outputs on TEST-ONLY data: the national trend report PDF (pages, period,
//! the planted spike in the alerts, `<k`), the seven PNGs (decode, size), a hidden count
//! drawn the same whatever it hides, and an empty database reported as "no records".
//!
//! Set `TDVERIFY_TREND_DEMO_OUT=/some/dir` to keep the demo's PDF and PNGs for a look.

use std::path::Path;

use tdverify_export::{DescRecord, Period, SCHEMA_VERSION, write_signed};
use tdverify_report::{
    PNG_SIZE, ReportFont, TrendReportInput, TrendView, extract_text, render_trend_report,
    render_view_png, write_view_pngs,
};
use tdverify_trends::{
    DemoSpec, Filter, PlantedSpike, Trends, demo_bundles_with, demo_key, parse_trusted_keys,
};

/// The report's font comes from the system (`cargo xtask setup` installs it): a missing
/// font fails the test with the reason rather than skipping it.
fn font() -> Option<ReportFont> {
    match ReportFont::system() {
        Ok(font) => Some(font),
        Err(e) => panic!("the report font is missing ({e}); run `cargo xtask setup`"),
    }
}

/// A few TEST-ONLY stations, a few thousand records, the planted spike.
fn demo(dir: &Path) -> (Trends, PlantedSpike) {
    let spec = DemoSpec {
        stations: 4,
        records_per_station: 1500,
        seed: 11,
        spike: true,
        k: 5,
    };
    let demo = demo_bundles_with(&spec, &dir.join("bundles")).expect("demo bundles");
    let keys = parse_trusted_keys(&demo.trusted_stations_text()).expect("keys");
    let mut trends = Trends::open(&dir.join("data")).expect("open");
    for bundle in &demo.bundles {
        trends.import_bundle(&bundle.path, &keys).expect("import");
    }
    (trends, demo.spike.expect("a planted spike"))
}

#[test]
fn with_nothing_in_the_previous_period_the_report_shows_no_change() {
    let Some(font) = font() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let (trends, _) = demo(dir.path());
    let (first, last) = trends.months().expect("months");
    let input =
        TrendReportInput::from_trends(&trends, &Filter::all().between(&first, &last), "TEST-ONLY")
            .expect("input");
    let pages = extract_text(&render_trend_report(&input, &font).expect("report"));
    assert!(
        pages[0].contains("no records in the previous period to compare with"),
        "{}",
        pages[0]
    );
}

#[test]
fn the_demo_report_has_its_pages_period_alert_and_hidden_counts() {
    let Some(font) = font() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let (trends, spike) = demo(dir.path());
    let filter = Filter::all().between("2026-07", "2026-12");
    let input =
        TrendReportInput::from_trends(&trends, &filter, "National trend report — TEST-ONLY demo")
            .expect("input");
    let pdf = render_trend_report(&input, &font).expect("report");
    assert!(pdf.starts_with(b"%PDF-"));
    let pages = extract_text(&pdf);
    let media_boxes = String::from_utf8_lossy(&pdf).matches("/MediaBox").count();
    assert_eq!(pages.len(), media_boxes, "one content stream per page");
    // Cover, the seven views, alerts, data sources.
    assert_eq!(pages.len(), 10, "{pages:#?}");
    let all = pages.join("\n");
    assert!(all.contains("2026-07 to 2026-12"), "{}", pages[0]);
    // A hidden count is printed as a count ("<k" on its own), not only in the key.
    assert!(
        pages[1..8]
            .iter()
            .any(|page| page.lines().any(|line| line == "<k")),
        "no hidden count drawn"
    );
    for (index, page) in pages.iter().enumerate() {
        assert!(
            page.contains(&format!("page {} of {}", index + 1, pages.len())),
            "{page}"
        );
    }
    for view in TrendView::ALL {
        assert!(all.contains(view.title()), "{}", view.title());
    }
    let alerts = pages
        .iter()
        .find(|p| p.starts_with("Risk alerts"))
        .expect("an alerts page");
    let headline = format!("{} (issuing state), {}", spike.issuing_state, spike.month);
    assert!(alerts.contains(&headline), "{headline} not in {alerts}");
    assert!(
        alerts.contains("Bonferroni"),
        "the rule text is in the alerts section"
    );
    let sources = pages.last().expect("pages");
    assert!(
        sources.contains("Data sources and k") && sources.contains("k used"),
        "{sources}"
    );
    assert!(sources.contains("test-only-01"), "{sources}");
    // No record ids or repeat-document links: the records' 32-hex-digit ids never appear.
    assert!(!all.contains("repeat"), "{all}");
    assert!(
        !all.split(|c: char| !c.is_ascii_hexdigit())
            .any(|w| w.len() >= 32),
        "a record id leaked"
    );

    let started = std::time::Instant::now();
    let mut pngs = Vec::new();
    for view in TrendView::ALL {
        let png = render_view_png(view, &input, &font).expect("png");
        let image = image::load_from_memory(&png).expect("decodes");
        assert_eq!((image.width(), image.height()), PNG_SIZE, "{view:?}");
        let rgb = image.to_rgb8();
        let dark = rgb
            .pixels()
            .filter(|p| p.0.iter().all(|&c| c < 100))
            .count();
        assert!(dark > 2_000, "{view:?} looks empty: {dark} dark pixels");
        pngs.push(png);
    }
    eprintln!("seven PNGs in {:?}", started.elapsed());
    if let Some(out) = std::env::var_os("TDVERIFY_TREND_DEMO_OUT") {
        let out = Path::new(&out);
        std::fs::create_dir_all(out).expect("out dir");
        std::fs::write(out.join("trend-report.pdf"), &pdf).expect("write pdf");
        write_view_pngs(out, &input, &font).expect("pngs");
    }
}

/// One record of the small hand-made set; the fields the views read, the rest fixed.
fn record(n: usize, period: &str, state: &str, fraud: &str) -> DescRecord {
    DescRecord {
        schema_version: SCHEMA_VERSION,
        record_id: format!("{n:032x}"),
        event_period: period.into(),
        detection_country: Some("FRA".into()),
        detection_area: None,
        detection_point_type: Some("land".into()),
        detection_stage: Some("first_line".into()),
        travel_direction: Some("entry".into()),
        transport_mode: Some("road".into()),
        document_category: Some("passport".into()),
        icao_doc_code: Some("P".into()),
        issuing_state: Some(state.into()),
        fraud_type: Some(fraud.into()),
        forgery_methods: vec![],
        detection_evidence: vec![],
        hotlist_result: Some("no_hit".into()),
        conclusion_level: Some("established".into()),
        nationality_claimed: Some("SYR".into()),
        nationality_established: None,
        holder_sex: Some("M".into()),
        age_band: Some("24-26".into()),
        route_embarkation: Some("TUR".into()),
        route_transits: vec!["GRC".into()],
        route_destination: Some("FRA".into()),
        group_size_band: Some("1".into()),
        outcome: Some("refused_entry".into()),
        repeat_document: None,
    }
}

/// Six records of 2026-01 split `counterfeit` / `forged` (both below k = 5, so both
/// hidden), and ten of 2026-02: the same published views whatever the split.
fn small(dir: &Path, counterfeit: usize) -> Trends {
    let mut records = Vec::new();
    for n in 0..6 {
        records.push(record(
            n,
            "2026-01",
            "FRA",
            if n < counterfeit {
                "counterfeit"
            } else {
                "forged"
            },
        ));
    }
    for n in 6..16 {
        records.push(record(n, "2026-02", "ITA", "impostor"));
    }
    std::fs::create_dir_all(dir.join("bundles")).expect("bundles dir");
    let key = demo_key(5, 0);
    let period = Period::parse("2026-01", "2026-02").expect("period");
    let written = write_signed(
        &records,
        "test-only-small",
        period,
        5,
        &key,
        &dir.join("bundles"),
    )
    .expect("write");
    let keys = parse_trusted_keys(&format!("test-only-small {}", written.station_public_key))
        .expect("keys");
    let mut trends = Trends::open(&dir.join("data")).expect("open");
    trends
        .import_bundle(&written.bundle, &keys)
        .expect("import");
    trends
}

#[test]
fn a_hidden_count_is_drawn_the_same_whatever_it_hides() {
    let Some(font) = font() else { return };
    let (a, b) = (
        tempfile::tempdir().expect("temp dir"),
        tempfile::tempdir().expect("temp dir"),
    );
    let (four, three) = (small(a.path(), 4), small(b.path(), 3));
    let filter = Filter::all();
    let mut input_four = TrendReportInput::from_trends(&four, &filter, "TEST").expect("input");
    let mut input_three = TrendReportInput::from_trends(&three, &filter, "TEST").expect("input");
    // The report date is the only thing allowed to differ between the two runs.
    input_three.generated = input_four.generated.clone();
    input_four.bundles.clear();
    input_three.bundles.clear();
    assert_eq!(
        input_four.time_series, input_three.time_series,
        "the published grids are the same"
    );
    let series = &input_four.time_series;
    assert!(
        series
            .cells
            .iter()
            .flatten()
            .any(|c| *c == tdverify_trends::Count::Suppressed),
        "{series:?}"
    );
    for view in [
        TrendView::TimeSeries,
        TrendView::ModusOperandi,
        TrendView::IssuingStates,
    ] {
        let png_four = render_view_png(view, &input_four, &font).expect("png");
        let png_three = render_view_png(view, &input_three, &font).expect("png");
        let (x, y) = (
            image::load_from_memory(&png_four).expect("png"),
            image::load_from_memory(&png_three).expect("png"),
        );
        let grey = |image: &image::DynamicImage| {
            image
                .to_rgb8()
                .pixels()
                .filter(|p| p.0 == [170, 170, 170])
                .count()
        };
        assert_eq!(
            grey(&x),
            grey(&y),
            "{view:?}: the grey of the hidden part depends on what it hides"
        );
        assert_eq!(
            x.to_rgb8().as_raw(),
            y.to_rgb8().as_raw(),
            "{view:?}: the images differ"
        );
    }
    // The time series does draw the hidden part (one grey segment for the 6 records).
    let png = render_view_png(TrendView::TimeSeries, &input_four, &font).expect("png");
    let image = image::load_from_memory(&png).expect("png").to_rgb8();
    assert!(image.pixels().filter(|p| p.0 == [170, 170, 170]).count() > 500);
}

#[test]
fn an_empty_database_reports_no_records() {
    let Some(font) = font() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let trends = Trends::open(dir.path()).expect("open");
    let input =
        TrendReportInput::from_trends(&trends, &Filter::all(), "National trend report — empty")
            .expect("input");
    let pdf = render_trend_report(&input, &font).expect("report");
    assert!(pdf.starts_with(b"%PDF-"));
    let text = extract_text(&pdf).join("\n").to_lowercase();
    assert!(text.contains("no records"), "{text}");
    if let Some(out) = std::env::var_os("TDVERIFY_TREND_DEMO_OUT") {
        let out = Path::new(&out).join("empty");
        std::fs::create_dir_all(&out).expect("out dir");
        std::fs::write(out.join("trend-report.pdf"), &pdf).expect("write pdf");
        write_view_pngs(&out, &input, &font).expect("pngs");
    }
    for view in TrendView::ALL {
        let png = render_view_png(view, &input, &font).expect("png");
        let image = image::load_from_memory(&png).expect("decodes");
        assert_eq!((image.width(), image.height()), PNG_SIZE);
    }
    // A period with no data under a filter is no error either.
    let input = TrendReportInput::from_trends(
        &trends,
        &Filter::all().between("2020-01", "2020-03"),
        "empty",
    )
    .expect("input");
    assert!(render_trend_report(&input, &font).is_ok());
}

/// The report over about a million TEST-ONLY records (20 stations × 50 000, as the
/// trends bench). Slow to set up (bundles and import): run by hand in release with
/// `cargo test -p tdverify-report --release --test trend_report -- --ignored --nocapture`.
/// Prints the times; asserts nothing about them.
#[test]
#[ignore]
fn a_report_over_a_million_records() {
    let Some(font) = font() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let started = std::time::Instant::now();
    let demo =
        tdverify_trends::demo_bundles(20, 50_000, 42, &dir.path().join("bundles")).expect("demo");
    let keys = parse_trusted_keys(&demo.trusted_stations_text()).expect("keys");
    let mut trends = Trends::open(&dir.path().join("data")).expect("open");
    for bundle in &demo.bundles {
        trends.import_bundle(&bundle.path, &keys).expect("import");
    }
    eprintln!(
        "set-up: {} records in {:?}",
        trends.records(),
        started.elapsed()
    );
    for (name, filter) in [
        ("everything", Filter::all()),
        (
            "Europe, 2026-07..2026-12",
            Filter::all()
                .between("2026-07", "2026-12")
                .parse_pin("region=europe")
                .expect("pin"),
        ),
    ] {
        let started = std::time::Instant::now();
        let input =
            TrendReportInput::from_trends(&trends, &filter, "National trend report — TEST-ONLY")
                .expect("input");
        let views = started.elapsed();
        let pdf = render_trend_report(&input, &font).expect("report");
        let report = started.elapsed() - views;
        let before_pngs = std::time::Instant::now();
        for view in TrendView::ALL {
            render_view_png(view, &input, &font).expect("png");
        }
        eprintln!(
            "{name}: views and alerts {views:?}, PDF {report:?} ({} pages, {} KB), seven PNGs {:?}",
            extract_text(&pdf).len(),
            pdf.len() / 1024,
            before_pngs.elapsed()
        );
        if let (Some(out), "everything") = (std::env::var_os("TDVERIFY_TREND_DEMO_OUT"), name) {
            let out = Path::new(&out).join("1m");
            std::fs::create_dir_all(&out).expect("out dir");
            std::fs::write(out.join("trend-report.pdf"), &pdf).expect("write pdf");
            write_view_pngs(&out, &input, &font).expect("pngs");
        }
    }
}

/// An input built by hand (the fields are public) with ragged grids, long and odd keys
/// and huge counts still renders: nothing from the data can make the drawing panic.
#[test]
fn a_ragged_hand_built_input_still_renders() {
    use tdverify_trends::Count;
    let Some(font) = font() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let trends = Trends::open(dir.path()).expect("open");
    let mut input =
        TrendReportInput::from_trends(&trends, &Filter::all(), "ragged").expect("input");
    input.total = Count::Value(u64::MAX / 4);
    let long = "x".repeat(400);
    for grid in [
        &mut input.time_series,
        &mut input.state_by_nationality,
        &mut input.demographics,
    ] {
        grid.rows = vec!["2026-01".into(), long.clone(), "∅ →→→".into()];
        grid.cols = vec!["a".into(), long.clone()];
        grid.cells = vec![
            vec![Count::Value(u64::MAX / 8)],
            vec![Count::Suppressed, Count::Value(0), Count::Value(3)],
        ];
        grid.row_totals = vec![Count::Suppressed];
        grid.col_totals = vec![];
    }
    for view in [
        &mut input.routes,
        &mut input.issuing_states,
        &mut input.failed_checks,
    ] {
        view.rows = (0..500)
            .map(|i| tdverify_trends::Row {
                key: if i % 2 == 0 {
                    long.clone()
                } else {
                    format!("{i}→?→D")
                },
                count: if i % 3 == 0 {
                    Count::Suppressed
                } else {
                    Count::Value(i)
                },
            })
            .collect();
    }
    for view in TrendView::ALL {
        let png = render_view_png(view, &input, &font).expect("png");
        assert!(image::load_from_memory(&png).is_ok(), "{view:?}");
    }
    assert!(
        render_trend_report(&input, &font)
            .expect("pdf")
            .starts_with(b"%PDF-")
    );
}
