//! The alert rule both ways on TEST-ONLY demo data: the planted spike is alerted (its
//! state, its month, its evidence), and the same data without the spike raises no alert.

use tdverify_trends::{DemoSpec, Dimension, Filter, Trends, demo_bundles_with, parse_trusted_keys};

fn imported(spike: bool, dir: &std::path::Path) -> (Trends, Option<tdverify_trends::PlantedSpike>) {
    let spec = DemoSpec { stations: 6, records_per_station: 1200, seed: 7, spike, k: 5 };
    let demo = demo_bundles_with(&spec, &dir.join("bundles")).expect("demo");
    let keys = parse_trusted_keys(&demo.trusted_stations_text()).expect("keys");
    let mut trends = Trends::open(&dir.join("data")).expect("open");
    for b in &demo.bundles {
        trends.import_bundle(&b.path, &keys).expect("import");
    }
    (trends, demo.spike)
}

#[test]
fn the_planted_spike_is_alerted_with_its_evidence() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (trends, spike) = imported(true, dir.path());
    let spike = spike.expect("a planted spike");
    let report = trends.alerts(&Filter::all()).expect("alerts");
    assert!(report.tests > 0);
    let alert = report
        .alerts
        .iter()
        .find(|a| a.dimension == Dimension::IssuingState && a.series == spike.issuing_state)
        .unwrap_or_else(|| panic!("no alert for {spike:?} in {report:#?}"));
    assert_eq!(alert.month, spike.month);
    assert!(alert.count as f64 >= spike.added as f64, "{alert:?}");
    assert!(alert.corrected_p < 0.01 && alert.p_value < alert.corrected_p || report.tests == 1);
    assert_eq!(alert.history.len(), 12);
    // Every alert is in the spike's month (its route may alert too), none elsewhere.
    for a in &report.alerts {
        assert_eq!(a.month, spike.month, "{a:?}");
    }
    // The ranking shows the state up against the previous month.
    let ranking = trends.ranked_issuing_states(&Filter::all().between(&spike.month, &spike.month)).expect("ranking");
    let row = ranking.rows.iter().find(|r| r.key == spike.issuing_state).expect("ranked");
    assert!(matches!(row.change, tdverify_trends::Change::Value(n) if n > 0), "{row:?}");
}

#[test]
fn the_same_data_without_the_spike_raises_no_alert() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (trends, spike) = imported(false, dir.path());
    assert!(spike.is_none());
    let report = trends.alerts(&Filter::all()).expect("alerts");
    assert!(report.tests > 100, "{}", report.tests);
    assert!(report.alerts.is_empty(), "{:#?}", report.alerts);
}
