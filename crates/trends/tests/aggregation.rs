//! Aggregation against counts computed by hand on a small bundle set (two stations, 18
//! records), and the suppression promise on generated data: no view lets a hidden count
//! be recovered as its total minus its visible rows.

use std::path::Path;

use tdverify_export::{DescRecord, Period, SCHEMA_VERSION, format_public_key, write_signed};
use tdverify_trends::{
    Change, Count, Dimension, Filter, Trends, TrustedKey, demo_bundles, demo_key, grid_csv, parse_trusted_keys,
    view_csv,
};

/// One record: the fields the views read, the rest fixed.
#[allow(clippy::too_many_arguments)]
fn record(
    n: usize,
    period: &str,
    country: &str,
    state: &str,
    nationality: &str,
    sex: &str,
    age: &str,
    fraud: &str,
    methods: &[&str],
) -> DescRecord {
    DescRecord {
        schema_version: SCHEMA_VERSION,
        record_id: format!("{n:032x}"),
        event_period: period.into(),
        detection_country: Some(country.into()),
        detection_area: None,
        detection_point_type: Some(if country == "KEN" { "air" } else { "land" }.into()),
        detection_stage: Some("first_line".into()),
        travel_direction: Some("entry".into()),
        transport_mode: Some("road".into()),
        document_category: Some("passport".into()),
        icao_doc_code: Some("P".into()),
        issuing_state: Some(state.into()),
        fraud_type: Some(fraud.into()),
        forgery_methods: methods.iter().map(|m| m.to_string()).collect(),
        detection_evidence: vec![],
        hotlist_result: Some("no_hit".into()),
        conclusion_level: Some("established".into()),
        nationality_claimed: Some(nationality.into()),
        nationality_established: None,
        holder_sex: Some(sex.into()),
        age_band: Some(age.into()),
        route_embarkation: (state == "FRA").then(|| "TUR".into()),
        route_transits: if state == "FRA" { vec!["GRC".into()] } else { vec![] },
        route_destination: (state == "FRA").then(|| "FRA".into()),
        group_size_band: Some("1".into()),
        outcome: Some("refused_entry".into()),
        repeat_document: None,
    }
}

fn small_set(dir: &Path) -> (Trends, Vec<TrustedKey>) {
    let mut a = Vec::new();
    for i in 0..6 {
        let (fraud, methods): (&str, &[&str]) =
            if i < 4 { ("counterfeit", &[]) } else { ("forged", &["photo_substitution"]) };
        a.push(record(i, "2026-01", "FRA", "FRA", "SYR", "M", "24-26", fraud, methods));
    }
    for i in 6..11 {
        a.push(record(i, "2026-02", "FRA", "ITA", "AFG", "F", "30-38", "impostor", &[]));
    }
    let b: Vec<DescRecord> =
        (11..18).map(|i| record(i, "2026-Q1", "KEN", "GRC", "SYR", "M", "18-29", "counterfeit", &[])).collect();
    let period = Period::parse("2026-01", "2026-03").expect("period");
    let out = dir.join("bundles");
    std::fs::create_dir_all(&out).expect("out");
    let mut keys = Vec::new();
    let mut paths = Vec::new();
    for (index, (records, station)) in [(a, "station-a"), (b, "station-b")].into_iter().enumerate() {
        let key = demo_key(99, index);
        let written = write_signed(&records, station, period, 5, &key, &out).expect("write");
        keys.push(format!("{station} {}", written.station_public_key));
        paths.push(written.bundle);
    }
    let keys = parse_trusted_keys(&keys.join("\n")).expect("keys");
    let mut trends = Trends::open(&dir.join("data")).expect("open");
    for path in &paths {
        trends.import_bundle(path, &keys).expect("import");
    }
    let _ = format_public_key(&keys[0].key);
    (trends, keys)
}

fn shown(trends: &Trends, by: Dimension, filter: &Filter) -> (String, Vec<(String, String)>) {
    let view = trends.query(by, filter).expect("view");
    (view.total.text(), view.rows.iter().map(|r| (r.key.clone(), r.count.text())).collect())
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

#[test]
fn views_match_hand_counts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (trends, _) = small_set(dir.path());
    let all = Filter::all();
    assert_eq!(trends.records(), 18);
    assert_eq!(
        shown(&trends, Dimension::IssuingState, &all),
        ("18".into(), pairs(&[("GRC", "7"), ("FRA", "6"), ("ITA", "5")]))
    );
    // forged (2) is below k; impostor (5), the smallest visible, is hidden with it.
    assert_eq!(
        shown(&trends, Dimension::FraudType, &all),
        ("18".into(), pairs(&[("counterfeit", "11"), ("forged", "<k"), ("impostor", "<k")]))
    );
    // The quarter-only records of station B count in January.
    assert_eq!(shown(&trends, Dimension::Month, &all), ("18".into(), pairs(&[("2026-01", "13"), ("2026-02", "5")])));
    assert_eq!(shown(&trends, Dimension::Quarter, &all), ("18".into(), pairs(&[("2026-Q1", "18")])));
    assert_eq!(shown(&trends, Dimension::Sex, &all), ("18".into(), pairs(&[("M", "13"), ("F", "5")])));
    assert_eq!(shown(&trends, Dimension::Nationality, &all), ("18".into(), pairs(&[("SYR", "13"), ("AFG", "5")])));
    assert_eq!(
        shown(&trends, Dimension::Route, &all),
        ("18".into(), pairs(&[("unknown", "12"), ("TUR→GRC→FRA", "6")]))
    );
    assert_eq!(shown(&trends, Dimension::BorderType, &all), ("18".into(), pairs(&[("land", "11"), ("air", "7")])));
    assert_eq!(shown(&trends, Dimension::Region, &all), ("18".into(), pairs(&[("europe", "11"), ("africa", "7")])));
    // 2 photo substitutions among 18 records: hidden, and the 16 without a method with them.
    assert_eq!(
        shown(&trends, Dimension::ForgeryMethod, &all),
        ("18".into(), pairs(&[("photo_substitution", "<k"), ("unknown", "<k")]))
    );

    // Filters: February on, Africa, a pinned state, several pins of one dimension.
    let feb = Filter::all().between("2026-02", "2026-03");
    assert_eq!(shown(&trends, Dimension::IssuingState, &feb), ("5".into(), pairs(&[("ITA", "5")])));
    let africa = Filter::all().parse_pin("region=africa").expect("pin");
    assert_eq!(shown(&trends, Dimension::AgeBand, &africa), ("7".into(), pairs(&[("18-29", "7")])));
    let two = Filter::all().pin(Dimension::IssuingState, "FRA").pin(Dimension::IssuingState, "ita");
    assert_eq!(shown(&trends, Dimension::Sex, &two), ("11".into(), pairs(&[("M", "6"), ("F", "5")])));
    let border =
        Filter::all().parse_pin("border_type=land").expect("pin").parse_pin("fraud_type=counterfeit").expect("pin");
    assert_eq!(shown(&trends, Dimension::IssuingState, &border), ("<k".into(), pairs(&[("FRA", "<k")])));
    let none = Filter::all().pin(Dimension::IssuingState, "USA");
    assert_eq!(shown(&trends, Dimension::IssuingState, &none), ("0".into(), vec![]));

    // Heat map: who uses whose documents.
    let heat = trends.heatmap(Dimension::IssuingState, Dimension::Nationality, &all).expect("heat map");
    assert_eq!(heat.rows, ["GRC", "FRA", "ITA"]);
    assert_eq!(heat.cols, ["SYR", "AFG"]);
    assert_eq!(heat.cells[0], [Count::Value(7), Count::Value(0)]);
    assert_eq!(heat.cells[2], [Count::Value(0), Count::Value(5)]);
    assert!(grid_csv(&heat).contains("ITA,0,5,5\n"));
    // Stacked series: January's forged 2 is hidden, with a complement in its row and column.
    let series = trends.time_series(Dimension::Month, &all).expect("series");
    assert_eq!(series.rows, ["2026-01", "2026-02"]);
    let jan = series.rows.iter().position(|r| r == "2026-01").expect("jan");
    let forged = series.cols.iter().position(|c| c == "forged").expect("forged");
    assert_eq!(series.cells[jan][forged], Count::Suppressed);
    assert_eq!(series.cells[jan].iter().filter(|c| **c == Count::Suppressed).count(), 2);
    assert_eq!(series.total, Count::Value(18));

    // Ranking: February against January (equal length).
    let ranking = trends.ranked_issuing_states(&Filter::all().between("2026-02", "2026-02")).expect("ranking");
    assert_eq!(ranking.previous_period, "2026-01..2026-01");
    assert_eq!(ranking.rows.len(), 1);
    assert_eq!((ranking.rows[0].key.as_str(), ranking.rows[0].change), ("ITA", Change::Value(5)));

    let csv = view_csv(&trends.query(Dimension::FraudType, &all).expect("view"));
    assert_eq!(csv, "fraud_type,count\ncounterfeit,11\nforged,<k\nimpostor,<k\ntotal,18\n");
}

#[test]
fn no_view_reveals_a_hidden_count_by_difference() {
    let dir = tempfile::tempdir().expect("temp dir");
    let demo = demo_bundles(4, 500, 21, &dir.path().join("bundles")).expect("demo");
    let keys = parse_trusted_keys(&demo.trusted_stations_text()).expect("keys");
    let mut trends = Trends::open(&dir.path().join("data")).expect("open");
    for b in &demo.bundles {
        trends.import_bundle(&b.path, &keys).expect("import");
    }
    let k = trends.k() as u64;
    let filters = [
        Filter::all(),
        Filter::all().between("2026-01", "2026-03"),
        Filter::all().between("2025-07", "2025-07").parse_pin("border_type=air").expect("pin"),
        Filter::all().parse_pin("region=europe").expect("pin").parse_pin("fraud_type=forged").expect("pin"),
        Filter::all().parse_pin("sex=F").expect("pin"),
    ];
    let mut hidden_seen = 0;
    for filter in &filters {
        for by in Dimension::ALL {
            let view = trends.query(by, filter).expect("view");
            for row in &view.rows {
                if let Some(n) = row.count.value() {
                    assert!(n == 0 || n >= k, "{by}: {} shows {n}", row.key);
                }
            }
            let hidden = view.rows.iter().filter(|r| r.count == Count::Suppressed).count();
            hidden_seen += hidden;
            if by.multi_valued() {
                continue;
            }
            if let Count::Value(total) = view.total {
                let visible: u64 = view.rows.iter().filter_map(|r| r.count.value()).sum();
                let gap = total - visible;
                assert!(gap == 0 || gap >= k, "{by} under {filter:?}: total − visible = {gap}");
                assert!(hidden != 1 || gap >= k);
            }
        }
        for (rows, cols) in
            [(Dimension::IssuingState, Dimension::Nationality), (Dimension::Month, Dimension::FraudType)]
        {
            let grid = trends.heatmap(rows, cols, filter).expect("grid");
            for (r, cells) in grid.cells.iter().enumerate() {
                if let Count::Value(total) = grid.row_totals[r] {
                    let visible: u64 = cells.iter().filter_map(|c| c.value()).sum();
                    assert!(total - visible == 0 || total - visible >= k, "row {}", grid.rows[r]);
                }
            }
            for c in 0..grid.cols.len() {
                if let Count::Value(total) = grid.col_totals[c] {
                    let visible: u64 = grid.cells.iter().filter_map(|row| row[c].value()).sum();
                    assert!(total - visible == 0 || total - visible >= k, "column {}", grid.cols[c]);
                }
            }
        }
    }
    assert!(hidden_seen > 0, "the demo data has small cells to hide");
}

#[test]
fn an_empty_database_gives_empty_views() {
    let dir = tempfile::tempdir().expect("temp dir");
    let trends = Trends::open(dir.path()).expect("open");
    let ranking = trends.ranked_issuing_states(&Filter::all()).expect("an empty ranking, not an error");
    assert!(ranking.rows.is_empty());
    assert!(trends.query(Dimension::IssuingState, &Filter::all()).expect("view").rows.is_empty());
    assert!(trends.alerts(&Filter::all()).expect("alerts").alerts.is_empty());
}
