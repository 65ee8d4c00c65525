//! The JSON contract of `tdverify face compare` (used by tools outside the project).
//!
//! One comparison:
//! `{"score": 0.71 | null, "decision": "match"|"review"|"no_match"|"no_face",
//!   "explanation": "...", "quality": {"a": QualityReport, "b": QualityReport}, "ms": 43.1}`
//! plus `"error": "..."` when an image could not be read. Pairs mode adds `"a"` and `"b"` (the paths).

use std::io::{BufRead, Write};
use std::path::Path;
use std::time::Instant;

use serde_json::{Value, json};

use crate::compare::Decision;
use crate::engine::{FaceAnalysis, FaceEngine, load_image};
use crate::error::FaceError;
use crate::quality::QualityReport;

fn analyse_path(engine: &FaceEngine, path: &Path) -> Result<FaceAnalysis, FaceError> {
    let image = load_image(path)?;
    engine.analyse(&image)
}

/// Compares two image files and returns the JSON object of the CLI contract.
/// Unreadable images and failures give `decision: "no_face"` with an `error` field, never a panic.
pub fn compare_json(engine: &FaceEngine, a: &Path, b: &Path) -> Value {
    let started = Instant::now();
    let first = analyse_path(engine, a);
    let second = analyse_path(engine, b);
    let ms = |started: Instant| (started.elapsed().as_secs_f64() * 1000.0 * 10.0).round() / 10.0;
    let compared = match (&first, &second) {
        (Ok(x), Ok(y)) => Some(engine.compare_analyses(x, y)),
        _ => None,
    };
    match compared {
        Some(Ok(comparison)) => {
            json!({
                "score": comparison.score.map(|s| (f64::from(s) * 10000.0).round() / 10000.0),
                "decision": comparison.decision,
                "explanation": comparison.explanation,
                "quality": { "a": comparison.quality_a, "b": comparison.quality_b },
                "ms": ms(started),
            })
        }
        other => {
            let quality = |r: &Result<FaceAnalysis, FaceError>| match r {
                Ok(analysis) => serde_json::to_value(&analysis.quality).unwrap_or(Value::Null),
                Err(_) => serde_json::to_value(QualityReport::default()).unwrap_or(Value::Null),
            };
            let mut errors: Vec<String> = [&first, &second]
                .iter()
                .filter_map(|r| r.as_ref().err().map(ToString::to_string))
                .collect();
            if let Some(Err(error)) = other {
                errors.push(error.to_string());
            }
            json!({
                "score": Value::Null,
                "decision": Decision::NoFace,
                "explanation": engine.config().thresholds.explain(Decision::NoFace),
                "quality": { "a": quality(&first), "b": quality(&second) },
                "ms": ms(started),
                "error": errors.join("; "),
            })
        }
    }
}

/// Splits one line of a pairs list into its two paths: tab-separated when
/// the line has a tab (paths with spaces), else two whitespace-separated words.
/// Blank lines and `#` comments give `None`.
pub fn parse_pair_line(line: &str) -> Option<Result<(String, String), String>> {
    let trimmed = line.trim();
    if trimmed.is_empty() || trimmed.starts_with('#') {
        return None;
    }
    let parts: Vec<&str> = if trimmed.contains('\t') {
        trimmed
            .split('\t')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect()
    } else {
        trimmed.split_whitespace().collect()
    };
    Some(match parts.as_slice() {
        [a, b] => Ok(((*a).to_string(), (*b).to_string())),
        _ => Err(format!("expected two paths, got {} fields", parts.len())),
    })
}

/// Counts of a pairs run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PairsSummary {
    /// Pairs compared (including no-face results).
    pub pairs: usize,
    /// Pairs where a face was missing or an image unreadable.
    pub no_face: usize,
    /// Lines that were not two paths (reported as JSON lines with an `error`).
    pub bad_lines: usize,
}

/// Pairs mode: reads `A B` lines from `list`, writes one JSON line per pair in
/// order (the fields of [`compare_json`] plus `a` and `b`), and goes on past
/// images with no face. Only an output write failure stops it.
pub fn compare_pairs(
    engine: &FaceEngine,
    list: impl BufRead,
    mut out: impl Write,
) -> std::io::Result<PairsSummary> {
    let mut summary = PairsSummary::default();
    for (number, line) in list.lines().enumerate() {
        let line = line?;
        let value = match parse_pair_line(&line) {
            None => continue,
            Some(Err(problem)) => {
                summary.bad_lines += 1;
                json!({ "line": number + 1, "decision": Decision::NoFace, "score": Value::Null, "error": problem })
            }
            Some(Ok((a, b))) => {
                summary.pairs += 1;
                let mut value = compare_json(engine, Path::new(&a), Path::new(&b));
                if value["decision"] == json!("no_face") {
                    summary.no_face += 1;
                }
                if let Value::Object(map) = &mut value {
                    map.insert("a".to_string(), Value::String(a));
                    map.insert("b".to_string(), Value::String(b));
                }
                value
            }
        };
        writeln!(out, "{value}")?;
    }
    out.flush()?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn pair_lines() {
        assert_eq!(
            parse_pair_line("a.jpg b.jpg"),
            Some(Ok(("a.jpg".into(), "b.jpg".into())))
        );
        assert_eq!(
            parse_pair_line("my a.jpg\tmy b.jpg"),
            Some(Ok(("my a.jpg".into(), "my b.jpg".into())))
        );
        assert_eq!(parse_pair_line("   "), None);
        assert_eq!(parse_pair_line("# comment"), None);
        assert!(matches!(parse_pair_line("only-one"), Some(Err(_))));
    }

    #[test]
    fn compare_json_has_the_contract_fields() {
        let Some(dir) = tdverify_core::test_data::london_faces() else {
            return;
        };
        let engine = crate::test_support::engine();
        let value = compare_json(
            engine,
            &dir.join("004_neutral.jpg"),
            &dir.join("004_smiling.jpg"),
        );
        assert_eq!(value["decision"], "match", "{value}");
        assert!(value["score"].as_f64().is_some_and(|s| s > 0.55));
        assert!(value["ms"].as_f64().is_some());
        assert!(value["quality"]["a"]["inter_eye_px"].as_f64().is_some());
        assert!(value["quality"]["b"]["warnings"].is_array());
    }

    #[test]
    fn pairs_mode_goes_on_past_missing_faces_and_bad_lines() {
        let Some(dir) = tdverify_core::test_data::london_faces() else {
            return;
        };
        let engine = crate::test_support::engine();
        let good_a = dir.join("005_neutral.jpg");
        let good_b = dir.join("006_neutral.jpg");
        let list = format!(
            "{}\t{}\n/nonexistent/x.jpg {}\njust-one-field\n\n{} {}\n",
            good_a.display(),
            good_b.display(),
            good_a.display(),
            good_b.display(),
            good_b.display()
        );
        let mut out = Vec::new();
        let summary = compare_pairs(engine, list.as_bytes(), &mut out).expect("pairs");
        assert_eq!(
            summary,
            PairsSummary {
                pairs: 3,
                no_face: 1,
                bad_lines: 1
            }
        );
        let lines: Vec<Value> = String::from_utf8(out)
            .expect("utf8")
            .lines()
            .map(|l| serde_json::from_str(l).expect("json line"))
            .collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0]["a"], json!(good_a.display().to_string()));
        assert_eq!(lines[0]["decision"], "no_match", "{}", lines[0]);
        assert_eq!(lines[1]["decision"], "no_face");
        assert!(
            lines[1]["error"]
                .as_str()
                .is_some_and(|e| e.contains("nonexistent"))
        );
        assert!(lines[2]["error"].is_string());
        assert_eq!(lines[3]["decision"], "match");
    }

    proptest! {
        #[test]
        fn random_lines_never_panic(line in ".{0,200}") {
            let _ = parse_pair_line(&line);
        }
    }
}
