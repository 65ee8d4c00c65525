//! `cargo xtask bench`: runs the criterion benchmarks and prints their medians
//! next to the budgets of DESIGN.md.

use std::fs;

use anyhow::Result;

use crate::{paths, shell};

/// Budgets from DESIGN.md, keyed by criterion benchmark id prefix.
const BUDGETS: &[(&str, &str, f64)] = &[
    ("mrz/parse_validate", "parse + validate one MRZ", 5e-6),
    ("ocr/read_mrz_photo", "MRZ from a page photo (locate + read)", 150e-3),
    ("store/save_case", "save a case", 50e-3),
    ("store/open_case_list_100k", "open case list with 100 000 cases", 200e-3),
    ("face_compare_two_images_600px", "face compare, detect + align + embed", 120e-3),
    ("face_compare_portrait_with_ghost", "portrait vs ghost image (enhance + 2 faces)", 120e-3),
    ("export/bundle_100k", "export 100 000 cases (DESC bundle, signed)", 5.0),
    ("trends_1m/view_issuing_state_europe_h1", "trends: view by issuing state, filtered, 1M", 200e-3),
    ("trends_1m/view_route_all", "trends: view by route, 1M", 200e-3),
    ("trends_1m/view_failed_check_land_counterfeit", "trends: view by failed check, filtered, 1M", 200e-3),
    ("trends_1m/heatmap_state_x_nationality_europe_h1", "trends: heat map, filtered, 1M", 200e-3),
    ("trends_1m/time_series_month_x_fraud_type_all", "trends: time series, 1M", 200e-3),
    ("trends_1m/ranking_europe_h1", "trends: ranking, filtered, 1M", 200e-3),
    ("trends_1m/alerts_all", "trends: alerts, 1M", 200e-3),
];

/// Memory budget of the export (MB of peak resident memory the export adds).
const EXPORT_MEMORY_BUDGET_MB: f64 = 500.0;

/// `cargo xtask bench [criterion filter]`.
pub fn run(args: &[String]) -> Result<()> {
    shell::run(shell::cargo().args(["bench", "--workspace", "--quiet"]).arg("--").args(args))?;
    shell::run(shell::cargo().args(["build", "--release", "--quiet", "--package", "tdverify", "--bin", "tdverify"]))?;
    let exe = paths::target_dir().join("release").join("tdverify");
    let start = cold_start(&exe)?;
    println!("\n{:<45} {:>14} {:>14}  verdict", "benchmark", "median", "budget");
    match start {
        Some(seconds) => println!("{:<45} {:>14} {:>14}  {}", "cold start to first frame (Xvfb, software GL)", human(seconds), human(1.5), if seconds <= 1.5 { "within" } else { "OVER" }),
        None => println!("{:<45} {:>14} {:>14}  not measured (no Xvfb)", "cold start to first frame", "-", human(1.5)),
    }
    let criterion = paths::target_dir().join("criterion");
    for (id, what, budget) in BUDGETS {
        let estimates = criterion.join(id).join("new").join("estimates.json");
        let median = fs::read_to_string(&estimates)
            .ok()
            .and_then(|text| serde_median_seconds(&text));
        match median {
            Some(seconds) => println!(
                "{:<45} {:>14} {:>14}  {}",
                what,
                human(seconds),
                human(*budget),
                if seconds <= *budget { "within" } else { "OVER" }
            ),
            None => println!("{what:<45} {:>14} {:>14}  not measured", "-", human(*budget)),
        }
    }
    let memory = fs::read_to_string(criterion.join("export/bundle_100k/peak_rss_mb.txt")).ok().and_then(|t| t.trim().parse::<f64>().ok());
    match memory {
        Some(mb) => println!(
            "{:<45} {:>11.0} MB {:>11.0} MB  {}",
            "export 100 000 cases: peak memory added",
            mb,
            EXPORT_MEMORY_BUDGET_MB,
            if mb <= EXPORT_MEMORY_BUDGET_MB { "within" } else { "OVER" }
        ),
        None => println!("{:<45} {:>14} {:>11.0} MB  not measured", "export 100 000 cases: peak memory added", "-", EXPORT_MEMORY_BUDGET_MB),
    }
    match fs::read_to_string(criterion.join("sltd/hotlist_10m.json")) {
        Ok(text) => {
            let number = |key: &str| {
                let at = text.find(&format!("\"{key}\":"))?;
                let rest = &text[at + key.len() + 3..];
                rest.split([',', '}']).next()?.trim().parse::<f64>().ok()
            };
            let rows = [
                ("SLTD: import 10 000 000 entries", number("import_s"), 60.0, "s"),
                ("SLTD: copy on disk", number("disk_mb"), 400.0, "MB"),
                ("SLTD: memory when loaded", number("loaded_mb"), 300.0, "MB"),
                ("SLTD: lookup p99", number("lookup_p99_s").map(|s| s * 1e3), 1.0, "ms"),
            ];
            for (what, value, budget, unit) in rows {
                match value {
                    Some(v) => println!(
                        "{what:<45} {:>11.3} {unit:<2} {:>11.3} {unit:<2}  {}",
                        v,
                        budget,
                        if v <= budget { "within" } else { "OVER" }
                    ),
                    None => println!("{what:<45} {:>14} {:>11.3} {unit}  not measured", "-", budget),
                }
            }
        }
        Err(_) => println!("{:<45} {:>14} {:>14}  not measured", "SLTD hotlist (10 000 000 entries)", "-", "-"),
    }
    match fs::read_to_string(criterion.join("trends_1m/import.txt")) {
        Ok(text) => match text.split_whitespace().collect::<Vec<_>>().as_slice() {
            [records, seconds] => {
                let seconds: f64 = seconds.parse().unwrap_or(f64::INFINITY);
                println!(
                    "{:<45} {:>14} {:>14}  {}",
                    format!("trends: import {records} records"),
                    human(seconds),
                    human(30.0),
                    if seconds <= 30.0 { "within" } else { "OVER" }
                );
            }
            _ => println!("{:<45} {:>14} {:>14}  not measured", "trends: import 1 000 000 records", "-", human(30.0)),
        },
        Err(_) => println!("{:<45} {:>14} {:>14}  not measured", "trends: import 1 000 000 records", "-", human(30.0)),
    }
    let frame = fs::read_to_string(criterion.join("trends_1m/frame.json")).ok().and_then(|text| {
        let at = text.find("\"worst_p95_ms\":")?;
        text[at + 15..].split([',', '}']).next()?.trim().parse::<f64>().ok()
    });
    match frame {
        Some(ms) => println!(
            "{:<45} {:>14} {:>14}  {}",
            "trends: dashboard frame, worst tab p95, 1M",
            human(ms / 1e3),
            human(16e-3),
            if ms <= 16.0 { "within" } else { "OVER" }
        ),
        None => println!("{:<45} {:>14} {:>14}  not measured", "trends: dashboard frame, 1M", "-", human(16e-3)),
    }
    // The scanner hot folder: last file written → complete set handed over (budget 1 s).
    let hot_folder = fs::read_to_string(criterion.join("hot_folder/latency.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok());
    for (mode, what) in [("events", "hot folder: set complete → opened (events)"), ("listing", "hot folder: set complete → opened (shares)")] {
        match hot_folder.as_ref().and_then(|v| v[mode]["median_ms"].as_f64()) {
            Some(ms) => println!("{what:<45} {:>14} {:>14}  {}", human(ms / 1e3), human(1.0), if ms <= 1000.0 { "within" } else { "OVER" }),
            None => println!("{what:<45} {:>14} {:>14}  not measured", "-", human(1.0)),
        }
    }
    if let Ok(text) = fs::read_to_string(criterion.join("export/bundle_100k/suppression.txt")) {
        let parts: Vec<&str> = text.split_whitespace().collect();
        if let [eligible, exported, suppressed, rate] = parts.as_slice() {
            println!("export suppression on the generated set: {suppressed} of {eligible} eligible ({rate} %), {exported} exported (k = 5)");
        }
    }
    Ok(())
}

/// Reads `median.point_estimate` (nanoseconds) without a JSON dependency.
fn serde_median_seconds(text: &str) -> Option<f64> {
    let at = text.find("\"median\"")?;
    let rest = &text[at..];
    let key = rest.find("\"point_estimate\":")?;
    let number: String = rest[key + 17..].chars().take_while(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+')).collect();
    number.parse::<f64>().ok().map(|ns| ns * 1e-9)
}

fn human(seconds: f64) -> String {
    if seconds < 1e-3 {
        format!("{:.2} µs", seconds * 1e6)
    } else if seconds < 1.0 {
        format!("{:.1} ms", seconds * 1e3)
    } else {
        format!("{seconds:.2} s")
    }
}

/// Cold start to the first painted frame of the release binary under Xvfb,
/// median of five runs (budget: 1.5 s).
pub fn cold_start(exe: &std::path::Path) -> Result<Option<f64>> {
    use std::process::{Command, Stdio};
    let display = ":93";
    let mut xvfb = match Command::new("Xvfb").args([display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"]).stderr(Stdio::null()).spawn() {
        Ok(child) => child,
        Err(_) => return Ok(None),
    };
    std::thread::sleep(std::time::Duration::from_millis(500));
    let mut samples = Vec::new();
    let data = tempdir_path("tdverify-bench-start");
    for _ in 0..5 {
        let out = Command::new(exe)
            .arg("--data-dir")
            .arg(&data)
            .args(["gui", "--startup-probe"])
            .env("DISPLAY", display)
            .env("TDVERIFY_ORT_LIB", paths::onnxruntime_library())
            .stderr(Stdio::null())
            .output()?;
        let text = String::from_utf8_lossy(&out.stdout);
        if let Some(ms) = text.trim().strip_prefix("first frame after ").and_then(|t| t.strip_suffix(" ms")).and_then(|t| t.parse::<f64>().ok()) {
            samples.push(ms / 1e3);
        }
    }
    let _ = xvfb.kill();
    let _ = xvfb.wait();
    samples.sort_by(f64::total_cmp);
    Ok(samples.get(samples.len() / 2).copied())
}

fn tempdir_path(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("{name}-{}", std::process::id()))
}
