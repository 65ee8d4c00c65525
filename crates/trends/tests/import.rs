//! Import against real bundles on disk: TEST-ONLY demo bundles are imported under their
//! trusted keys; the same bundle twice adds nothing; an untrusted key and a tampered
//! bundle are refused with their reason and leave the database as it was; the column
//! cache rebuilt at open answers exactly as the one extended by the imports; the
//! station's own cases replace their earlier import.

use ring::signature::KeyPair;
use tdverify_export::{Period, VerifyError};
use tdverify_trends::{
    Count, Dimension, Filter, Trends, TrendsError, TrustedKey, demo_bundles, demo_key, parse_trusted_keys,
};

fn trusted(demo: &tdverify_trends::DemoBundles) -> Vec<TrustedKey> {
    parse_trusted_keys(&demo.trusted_stations_text()).expect("the demo's trusted-stations text")
}

#[test]
fn bundles_import_once_and_bad_ones_are_refused_with_their_reason() {
    let dir = tempfile::tempdir().expect("temp dir");
    let demo = demo_bundles(3, 400, 11, &dir.path().join("bundles")).expect("demo bundles");
    assert_eq!(demo.bundles.len(), 3);
    let keys = trusted(&demo);
    let data = dir.path().join("data");
    let mut trends = Trends::open(&data).expect("open");
    assert!(data.join("trends.sqlite").is_file());

    // Untrusted: only the first two stations' keys.
    let refused = trends.import_bundle(&demo.bundles[2].path, &keys[..2]).expect_err("untrusted");
    let key_text = tdverify_export::format_public_key(&demo.bundles[2].public_key);
    assert!(matches!(&refused, TrendsError::UntrustedKey { key, .. } if *key == key_text), "{refused}");
    assert!(refused.to_string().contains(&key_text));
    assert_eq!(trends.records(), 0);

    let mut imported = 0;
    for bundle in &demo.bundles {
        let outcome = trends.import_bundle(&bundle.path, &keys).expect("import");
        assert!(!outcome.already_imported);
        assert_eq!(outcome.bundle.records, bundle.records);
        assert_eq!(outcome.bundle.station_id, bundle.station_id);
        imported += bundle.records;
    }
    assert_eq!(trends.records() as u64, imported);
    assert_eq!(trends.stored_records().expect("count"), imported);
    let again = trends.import_bundle(&demo.bundles[0].path, &keys).expect("import again");
    assert!(again.already_imported);
    assert_eq!(trends.records() as u64, imported);
    assert_eq!(trends.bundles().len(), 3);

    // A tampered copy of a bundle not yet imported: one record's issuing state changed.
    let other = demo_bundles(1, 300, 12, &dir.path().join("other")).expect("another demo");
    let tampered = &other.bundles[0].path;
    let jsonl = tampered.join("records.jsonl");
    let text = std::fs::read_to_string(&jsonl).expect("records");
    let first_state = text.split("\"issuing_state\":\"").nth(1).and_then(|s| s.split('"').next()).expect("a state");
    let changed = text.replacen(&format!("\"issuing_state\":\"{first_state}\""), "\"issuing_state\":\"UTO\"", 1);
    std::fs::write(&jsonl, changed).expect("tamper");
    let other_keys = trusted(&other);
    match trends.import_bundle(tampered, &other_keys) {
        Err(TrendsError::Refused(VerifyError::HashMismatch(file))) => assert_eq!(file, "records.jsonl"),
        other => panic!("expected a hash mismatch, got {other:?}"),
    }
    // A signature that does not match the manifest.
    let sig = other.bundles[0].path.join("manifest.sig");
    std::fs::write(&sig, format!("{}\n", "00".repeat(64))).expect("bad signature");
    let refused = trends.import_bundle(tampered, &other_keys).expect_err("bad signature");
    assert!(matches!(refused, TrendsError::Refused(VerifyError::BadSignature)), "{refused}");
    assert_eq!(trends.records() as u64, imported);

    // Reopened: the cache rebuilt from SQLite answers the same.
    let filter = Filter::all().between("2025-06", "2026-03");
    let before = trends.query(Dimension::Route, &filter).expect("view");
    let grid_before = trends.heatmap(Dimension::IssuingState, Dimension::Nationality, &filter).expect("grid");
    drop(trends);
    let trends = Trends::open(&data).expect("reopen");
    assert_eq!(trends.records() as u64, imported);
    assert_eq!(trends.query(Dimension::Route, &filter).expect("view"), before);
    assert_eq!(trends.heatmap(Dimension::IssuingState, Dimension::Nationality, &filter).expect("grid"), grid_before);
    assert_eq!(trends.k(), 5);
}

#[test]
fn own_cases_replace_their_earlier_import() {
    let dir = tempfile::tempdir().expect("temp dir");
    let demo = demo_bundles(1, 300, 3, &dir.path().join("bundles")).expect("demo");
    let text = std::fs::read_to_string(demo.bundles[0].path.join("records.jsonl")).expect("records");
    let records: Vec<tdverify_export::DescRecord> =
        text.lines().map(|l| serde_json::from_str(l).expect("record")).collect();
    let mut trends = Trends::open(dir.path()).expect("open");
    let period = Period::parse("2025-01", "2026-12").expect("period");
    let first = trends.import_own(&records, "home-station", period, 5).expect("own");
    assert!(first.bundle.own);
    assert_eq!(trends.records(), records.len());
    trends.import_own(&records, "home-station", period, 5).expect("own again");
    assert_eq!(trends.records(), records.len(), "replaced, not added");
    assert_eq!(trends.stored_records().expect("count"), records.len() as u64);
    assert_eq!(trends.bundles().len(), 1);
    let by_station = trends.query(Dimension::Station, &Filter::all()).expect("view");
    assert_eq!(by_station.rows[0].key, "home-station");
    assert_eq!(by_station.rows[0].count, Count::Value(records.len() as u64));
    // Records below k are refused (a single record is a group of one).
    let refused = trends.import_own(&records[..1], "home-station", period, 5).expect_err("below k");
    assert!(refused.to_string().contains("k is 5"), "{refused}");
    assert_eq!(trends.records(), records.len());
    let _ = demo_key(3, 0).public_key();
}
