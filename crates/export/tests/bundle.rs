//! A supervisor exports a quarter; the bundle verifies on its own, against the station's
//! key, and fails for an edited record, a dropped record, a swapped key, an extra file,
//! a damaged manifest; the records match schema.json.

mod common;

use std::fs;
use std::path::Path;

use tdverify_export::{
    MIN_K, Period, SCHEMA_JSON, VerifyError, parse_public_key, prepare, verify_bundle, write,
};

fn export_quarter(g: &common::Generated, out: &Path) -> tdverify_export::Written {
    let period = Period::parse("2026-10", "2026-12").unwrap();
    let prepared = prepare(&g.store, &g.supervisor, period, 5).unwrap();
    let mut stages = Vec::new();
    let written = write(&g.store, &g.supervisor, &prepared, out, false, &mut |p| stages.push(p.fraction)).unwrap();
    assert_eq!(stages.last(), Some(&1.0));
    written
}

/// Copies a bundle folder so each tampering starts from a good one.
fn copy(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

#[test]
fn a_quarter_exports_verifies_and_every_tampering_fails() {
    let g = common::generate(600, 7, 20);
    let out = tempfile::tempdir().unwrap();
    let written = export_quarter(&g, out.path());
    assert_eq!(written.records + written.suppressed, g.eligible as u64);
    assert!(written.records > 100, "{written:?}");
    let key = g.store.export_public_key().unwrap();

    let verified = verify_bundle(&written.bundle, Some(&key)).unwrap();
    assert_eq!(verified.records, written.records);
    assert!(verified.key_given);
    assert_eq!(verified.period, "2026-10..2026-12");
    assert!(verify_bundle(&written.bundle, None).is_ok());
    assert_eq!(fs::read_to_string(written.bundle.join("schema.json")).unwrap(), SCHEMA_JSON);

    let work = tempfile::tempdir().unwrap();
    let case = |name: &str| {
        let dir = work.path().join(name);
        copy(&written.bundle, &dir);
        dir
    };

    // An edited record.
    let dir = case("edited");
    let text = fs::read_to_string(dir.join("records.jsonl")).unwrap();
    fs::write(dir.join("records.jsonl"), text.replacen("\"refused_entry\"", "\"admitted\"", 1)).unwrap();
    assert_eq!(verify_bundle(&dir, Some(&key)), Err(VerifyError::HashMismatch("records.jsonl".into())));

    // A dropped record.
    let dir = case("dropped");
    let lines: Vec<&str> = text.lines().skip(1).collect();
    fs::write(dir.join("records.jsonl"), lines.join("\n") + "\n").unwrap();
    assert_eq!(verify_bundle(&dir, Some(&key)), Err(VerifyError::HashMismatch("records.jsonl".into())));

    // A dropped record with the manifest's hash and count "fixed": the signature breaks.
    let dir = case("dropped-and-fixed");
    let body = lines.join("\n") + "\n";
    fs::write(dir.join("records.jsonl"), &body).unwrap();
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let digest = ring::digest::digest(&ring::digest::SHA256, body.as_bytes());
    let hex = tdverify_core::hex::encode(digest.as_ref());
    manifest["files"][0]["sha256"] = hex.into();
    manifest["files"][0]["bytes"] = body.len().into();
    manifest["counts"]["exported"] = (written.records - 1).into();
    fs::write(dir.join("manifest.json"), serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
    assert_eq!(verify_bundle(&dir, Some(&key)), Err(VerifyError::BadSignature));
    assert_eq!(verify_bundle(&dir, None), Err(VerifyError::BadSignature));

    // A swapped key: another station's key is trusted, or the manifest names another key.
    let other = common::generate(5, 8, 0);
    let other_key = other.store.export_public_key().unwrap();
    assert!(matches!(verify_bundle(&written.bundle, Some(&other_key)), Err(VerifyError::WrongKey { .. })));
    let dir = case("key-swapped");
    let manifest = fs::read_to_string(dir.join("manifest.json")).unwrap();
    let own_hex = tdverify_core::hex::encode(&key);
    let other_hex = tdverify_core::hex::encode(&other_key);
    fs::write(dir.join("manifest.json"), manifest.replace(&own_hex, &other_hex)).unwrap();
    assert_eq!(verify_bundle(&dir, None), Err(VerifyError::BadSignature));
    assert!(matches!(verify_bundle(&dir, Some(&key)), Err(VerifyError::WrongKey { .. })));

    // A file slipped in, a signature missing, a manifest damaged.
    let dir = case("extra");
    fs::write(dir.join("names.txt"), "who").unwrap();
    assert!(matches!(verify_bundle(&dir, Some(&key)), Err(VerifyError::Files(_))));
    let dir = case("unsigned");
    fs::remove_file(dir.join("manifest.sig")).unwrap();
    assert!(matches!(verify_bundle(&dir, Some(&key)), Err(VerifyError::Unreadable { .. })));
    let dir = case("damaged");
    fs::write(dir.join("manifest.json"), "{\"format\":").unwrap();
    assert!(matches!(verify_bundle(&dir, Some(&key)), Err(VerifyError::Manifest(_))));
    assert!(verify_bundle(Path::new("/nonexistent/bundle"), None).is_err());

    // The same quarter again needs the override; with it, the export is audited as such.
    let period = Period::parse("2026-11", "2026-11").unwrap();
    let prepared = prepare(&g.store, &g.supervisor, period, 5).unwrap();
    assert_eq!(prepared.overlapping.len(), 1);
    assert!(write(&g.store, &g.supervisor, &prepared, out.path(), false, &mut |_| {}).is_err());
    let again = write(&g.store, &g.supervisor, &prepared, out.path(), true, &mut |_| {}).unwrap();
    assert!(verify_bundle(&again.bundle, Some(&key)).is_ok());
    // No half-written folder is left behind.
    let names: Vec<String> =
        fs::read_dir(out.path()).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.iter().all(|n| n.starts_with("desc-st-")), "{names:?}");
}

#[test]
fn records_match_schema_json_and_its_code_lists() {
    let g = common::generate(300, 11, 0);
    let out = tempfile::tempdir().unwrap();
    let written = export_quarter(&g, out.path());
    let schema: serde_json::Value = serde_json::from_str(SCHEMA_JSON).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let text = fs::read_to_string(written.bundle.join("records.jsonl")).unwrap();
    let mut count = 0;
    for line in text.lines() {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        if let Err(e) = validator.validate(&value) {
            panic!("record does not match schema.json: {e}\n{line}");
        }
        count += 1;
    }
    assert!(count > 20, "{count}");
    // The schema rejects what verify rejects.
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    let mut extra = first.clone();
    extra["surname"] = "SMITH".into();
    assert!(!validator.is_valid(&extra));
    let mut bad_age = first.clone();
    bad_age["age_band"] = "44".into();
    assert!(!validator.is_valid(&bad_age));
    // schema.json's code lists are the library's.
    let props = &schema["properties"];
    let enum_of = |field: &str| -> Vec<String> {
        props[field]["enum"].as_array().unwrap().iter().filter_map(|v| v.as_str().map(str::to_string)).collect()
    };
    use tdverify_store::context::*;
    for (field, list) in [
        ("detection_point_type", DETECTION_POINT_TYPES),
        ("detection_stage", DETECTION_STAGES),
        ("travel_direction", TRAVEL_DIRECTIONS),
        ("transport_mode", TRANSPORT_MODES),
        ("hotlist_result", HOTLIST_RESULTS),
        ("conclusion_level", CONCLUSION_LEVELS),
        ("outcome", OUTCOMES),
    ] {
        let codes: Vec<String> = list.iter().map(|(c, _)| (*c).to_string()).collect();
        assert_eq!(enum_of(field), codes, "{field}");
    }
    let mut fraud: Vec<String> = tdverify_core::FraudType::ALL.iter().map(|f| f.as_str().to_string()).collect();
    fraud.sort();
    let mut listed = enum_of("fraud_type");
    listed.sort();
    assert_eq!(listed, fraud);
    let required: Vec<&str> = schema["required"].as_array().unwrap().iter().filter_map(|v| v.as_str()).collect();
    assert_eq!(required, tdverify_export::record::FIELDS);
    assert_eq!(MIN_K, 5);
}

#[test]
fn public_keys_parse_from_text() {
    let key = [7u8; 32];
    let hex = tdverify_core::hex::encode(&key);
    assert_eq!(parse_public_key(&hex), Some(key.to_vec()));
    assert_eq!(parse_public_key(&format!("ed25519:{hex}\n")), Some(key.to_vec()));
    assert_eq!(parse_public_key("zz"), None);
    assert_eq!(parse_public_key(&hex[..62]), None);
    assert_eq!(parse_public_key("éé"), None);
}
