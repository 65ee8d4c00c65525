//! The privacy proof on 10 000 generated cases (names in Latin and Cyrillic, document
//! numbers, birth dates, MRZ lines, notes, officers): no byte sequence of the bundle
//! holds a personal value; every quasi-identifier group has at least k records; exported
//! + suppressed = eligible.
//!
//! What is scanned: every file, with the values that are random or derived from the
//! bundle itself masked first (record ids: fresh random; repeat_document: HMAC under a
//! key that never leaves the station; file hashes, byte sizes and the public key). Those
//! are hex or digits, where a six-digit birth date would turn up by chance, and none of
//! them is computed from a personal value the hub could read back.

mod common;

use std::collections::{HashMap, HashSet};
use std::fs;

use tdverify_export::{Period, QUASI_IDENTIFIERS, SCHEMA_JSON, prepare, verify_bundle, write};

/// Blanks a JSON string value of `field` wherever it appears (`"field":"…"`).
fn mask_field(text: &str, field: &str) -> String {
    let marker = format!("\"{field}\":");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(&marker) {
        let value_start = at + marker.len();
        out.push_str(&rest[..value_start]);
        let after = rest[value_start..].trim_start();
        let skipped = rest.len() - value_start - after.len();
        let end = if let Some(stripped) = after.strip_prefix('"') {
            1 + stripped.find('"').map_or(stripped.len(), |e| e + 1)
        } else {
            after.find([',', '}', '\n']).unwrap_or(after.len())
        };
        out.push_str("\"masked\"");
        rest = &rest[value_start + skipped + end..];
    }
    out.push_str(rest);
    out
}

/// Blanks the 2nd (record_id) and last (repeat_document) CSV columns.
fn mask_csv(text: &str) -> String {
    text.lines()
        .map(|line| {
            let mut cells: Vec<&str> = line.split(',').collect();
            let n = cells.len();
            if n > 2 {
                cells[1] = "masked";
                cells[n - 1] = "masked";
            }
            cells.join(",")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn ten_thousand_generated_cases_leak_nothing_and_keep_k() {
    let g = common::generate(10_000, 2026, 400);
    let out = tempfile::tempdir().unwrap();
    let period = Period::parse("2026-10", "2026-12").unwrap();
    let prepared = prepare(&g.store, &g.supervisor, period, 5).unwrap();
    let written = write(&g.store, &g.supervisor, &prepared, out.path(), false, &mut |_| {}).unwrap();
    let key = g.store.export_public_key().unwrap();
    verify_bundle(&written.bundle, Some(&key)).unwrap();

    // Counts.
    assert_eq!(written.records + written.suppressed, g.eligible as u64);
    assert!(written.records > 0);
    let rate = written.suppressed as f64 / g.eligible as f64;
    eprintln!(
        "privacy set: {} cases, {} eligible, {} exported, {} suppressed ({:.1} %), generalised {:?}",
        g.personal.len(),
        g.eligible,
        written.records,
        written.suppressed,
        100.0 * rate,
        prepared.anonymised.generalised
    );

    // Every quasi-identifier group has at least k records (recomputed from the file).
    let jsonl = fs::read_to_string(written.bundle.join("records.jsonl")).unwrap();
    let mut groups: HashMap<Vec<String>, usize> = HashMap::new();
    for line in jsonl.lines() {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        let key: Vec<String> = QUASI_IDENTIFIERS.iter().map(|f| value[*f].to_string()).collect();
        *groups.entry(key).or_default() += 1;
    }
    assert!(groups.values().all(|n| *n >= 5), "a group below k");

    // schema.json is the same static text in every bundle.
    assert_eq!(fs::read_to_string(written.bundle.join("schema.json")).unwrap(), SCHEMA_JSON);

    // The scanned text: every file, random and derived values masked.
    let mut scanned = String::new();
    for name in ["records.jsonl", "manifest.json", "manifest.sig", "schema.json"] {
        let text = fs::read_to_string(written.bundle.join(name)).unwrap();
        let text = match name {
            "records.jsonl" => mask_field(&mask_field(&text, "record_id"), "repeat_document"),
            "manifest.json" => {
                let t = mask_field(&text, "sha256");
                let t = mask_field(&t, "bytes");
                mask_field(&t, "station_public_key")
            }
            "manifest.sig" => String::new(),
            _ => text,
        };
        scanned.push_str(&text);
        scanned.push('\n');
    }
    scanned.push_str(&mask_csv(&fs::read_to_string(written.bundle.join("records.csv")).unwrap()));
    let full: String = ["records.jsonl", "records.csv", "manifest.json", "manifest.sig"]
        .iter()
        .map(|n| fs::read_to_string(written.bundle.join(n)).unwrap())
        .collect();
    const MONTHS: &[&str] = &["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    // Every personal value, as the officer, the MRZ and the VIZ would write it.
    let mut needles: Vec<(String, &'static str)> = Vec::new();
    for p in &g.personal {
        for name in &p.names {
            needles.push((name.clone(), "name"));
            let mut title = name.chars().next().map(|c| c.to_string()).unwrap_or_default();
            title.push_str(&name.chars().skip(1).collect::<String>().to_lowercase());
            needles.push((title, "name"));
            if name.chars().count() >= 8 {
                needles.push((name.to_lowercase(), "name"));
            }
        }
        needles.push((p.number.clone(), "document number"));
        let (d, m, y) = p.birth;
        needles.push((format!("{:02}{:02}{:02}", d, m, y % 100), "birth date DDMMYY"));
        needles.push((format!("{:02}{:02}{:02}", y % 100, m, d), "birth date YYMMDD"));
        needles.push((format!("{y:04}-{m:02}-{d:02}"), "birth date ISO"));
        needles.push((format!("{d:02} {} {y}", MONTHS[(m - 1) as usize]), "birth date VIZ"));
        for line in &p.mrz_lines {
            let chars: Vec<char> = line.chars().collect();
            for window in chars.windows(8) {
                needles.push((window.iter().collect(), "MRZ run"));
            }
        }
        if let Some(note) = &p.note {
            needles.push((note.clone(), "note"));
            // Every word of 8+ characters except the template's own ("passport" is also
            // a document category code).
            for word in note.split(' ').filter(|w| w.chars().count() >= 8 && *w != "passport") {
                needles.push((word.to_string(), "note word"));
            }
        }
        needles.push((p.officer.clone(), "officer name"));
    }
    // The bundle's text is a few thousand distinct pieces between separators (codes,
    // field names, numbers); a value without a separator in it can only occur inside one
    // of them. Index every substring of up to MAX_INDEXED characters of those pieces.
    const SEPARATORS: [char; 4] = ['"', '\n', ',', ':'];
    const MAX_INDEXED: usize = 24;
    let pieces: HashSet<&str> = scanned.split(SEPARATORS).collect();
    let mut index: HashSet<String> = HashSet::new();
    for piece in &pieces {
        let chars: Vec<char> = piece.chars().collect();
        for start in 0..chars.len() {
            for end in start + 1..=chars.len().min(start + MAX_INDEXED) {
                index.insert(chars[start..end].iter().collect());
            }
        }
    }
    let joined = pieces.iter().copied().collect::<Vec<_>>().join("\n");
    let occurs = |value: &str| {
        assert!(!value.contains(SEPARATORS), "{value:?} holds a separator");
        if value.chars().count() <= MAX_INDEXED { index.contains(value) } else { joined.contains(value) }
    };
    for (value, what) in &needles {
        assert!(!occurs(value), "{what} {value:?} leaked into the bundle");
    }
    // Case ids against every byte, unmasked.
    let case_ids: HashSet<&str> = g.personal.iter().map(|p| p.case_id.as_str()).collect();
    for piece in full.split(SEPARATORS).collect::<HashSet<&str>>() {
        for start in 0..piece.len().saturating_sub(31) {
            if let Some(window) = piece.get(start..start + 32) {
                assert!(!case_ids.contains(window), "a case id leaked into the bundle");
            }
        }
    }
    // The scan can fail: what is in the bundle is found.
    assert!(occurs("refused_ent") && occurs("detection_evidence") && !occurs("no-such-value"));
    let checked = needles.len();
    assert!(checked > 300_000, "{checked}");
}
