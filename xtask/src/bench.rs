//! `cargo xtask bench`: runs every benchmark and prints one table with every
//! budget (DESIGN.md's "Budgets" and the feature budgets of docs/TRENDS.md,
//! docs/SLTD.md, docs/DESK.md), each with its measured median and PASS/FAIL.
//!
//! Each budget names its benchmark exactly: a criterion benchmark by its full
//! id (read back from criterion's `benchmark.json`, so a renamed benchmark
//! shows as "not measured" instead of silently matching nothing), or a custom
//! benchmark by the file it writes. A test keeps [`BUDGETS`] equal to
//! DESIGN.md's table and checks that every named benchmark exists in the
//! benchmark sources.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::{Context, Result, bail};

use crate::{paths, shell};

/// What a budget limits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Unit {
    /// Wall-clock seconds (medians, or the percentile the work names).
    Seconds,
    /// Megabytes (memory or disk).
    Megabytes,
}

/// Where a budget's measurement comes from.
#[derive(Clone, Copy)]
pub enum Source {
    /// A criterion benchmark, by its full id (`group/function`, or the function alone).
    Criterion(&'static str),
    /// A custom benchmark's result file under `<target>/criterion/`, and how to read
    /// the value (in the budget's unit) from its text.
    File {
        /// Path under `<target>/criterion/`.
        file: &'static str,
        /// Reads the value.
        read: fn(&str) -> Option<f64>,
    },
}

/// One budget and the benchmark that measures it.
#[derive(Clone, Copy)]
pub struct Budget {
    /// The benchmark's name: the criterion full id, or `bench-file/result` for a custom
    /// benchmark (its file stem, then a string its source prints or writes).
    pub bench: &'static str,
    /// The work, as the budget table words it (DESIGN.md's wording for its rows).
    pub work: &'static str,
    /// The limit, in `unit`.
    pub limit: f64,
    /// Seconds or megabytes.
    pub unit: Unit,
    /// Where the number comes from.
    pub source: Source,
    /// Whether the row is one of DESIGN.md's "Budgets" table.
    pub design: bool,
}

const fn criterion(bench: &'static str, work: &'static str, limit: f64, design: bool) -> Budget {
    Budget { bench, work, limit, unit: Unit::Seconds, source: Source::Criterion(bench), design }
}

/// The name of the file the workspace benchmarks' output is kept in.
const OUTPUT_FILE: &str = "bench-output.txt";
/// The cold start result, written by this command.
const COLD_START_FILE: &str = "cold_start/first_frame.txt";
/// The chip benchmark's PC/SC row, as it prints it.
const CHIP_PCSC_ROW: &str = "pcscd + vpcd (PC/SC, extended length)";

/// Every budget, DESIGN.md's first and in its order.
pub const BUDGETS: &[Budget] = &[
    criterion("mrz/tdverify parse+checks TD3", "parse + validate one MRZ", 5e-6, true),
    criterion("ocr/read_mrz_photo", "MRZ from a page photo (locate + read)", 150e-3, true),
    criterion("check_document W+UV+IR TD3 300 dpi", "full document checks, W+UV+IR at 300 dpi", 1.0, true),
    criterion("face_compare_two_images_600px", "face compare, two images, detect + align + embed", 120e-3, true),
    Budget {
        bench: "chip_read/pcscd + vpcd (PC/SC, extended length)",
        work: "chip: BAC/PACE + COM, SOD, DG1, DG2 (20 KB) + PA + AA, over pcscd/vpcd",
        limit: 500e-3,
        unit: Unit::Seconds,
        source: Source::File { file: OUTPUT_FILE, read: chip_pcsc_median },
        design: true,
    },
    criterion("save/save a case: create with 3 x 500 KB captures", "save a case", 50e-3, true),
    criterion("case list: first page of 100 000 cases", "open case list with 100 000 cases", 200e-3, true),
    criterion("export/bundle_100k", "export 100 000 cases", 5.0, true),
    criterion("ui/frame_with_results", "UI frame with results on screen", 16e-3, true),
    Budget {
        bench: "app/first frame after",
        work: "cold start to a usable window",
        limit: 1.5,
        unit: Unit::Seconds,
        source: Source::File { file: COLD_START_FILE, read: first_number },
        design: true,
    },
    // Feature budgets of the other documents.
    criterion(
        "ocr/read_mrz_photo_cells_and_lines",
        "MRZ from a page photo, cell reader and line recognizer combined (issue 26)",
        150e-3,
        false,
    ),
    criterion("face_compare_portrait_with_ghost", "portrait vs ghost image (enhance + 2 faces)", 120e-3, false),
    Budget {
        bench: "export/peak_rss_mb.txt",
        work: "export 100 000 cases: peak memory added",
        limit: 500.0,
        unit: Unit::Megabytes,
        source: Source::File { file: "export/bundle_100k/peak_rss_mb.txt", read: first_number },
        design: false,
    },
    criterion("trends_1m/view_issuing_state_europe_h1", "trends: view by issuing state, filtered, 1M", 200e-3, false),
    criterion("trends_1m/view_route_all", "trends: view by route, 1M", 200e-3, false),
    criterion(
        "trends_1m/view_failed_check_land_counterfeit",
        "trends: view by failed check, filtered, 1M",
        200e-3,
        false,
    ),
    criterion("trends_1m/heatmap_state_x_nationality_europe_h1", "trends: heat map, filtered, 1M", 200e-3, false),
    criterion("trends_1m/time_series_month_x_fraud_type_all", "trends: time series, 1M", 200e-3, false),
    criterion("trends_1m/ranking_europe_h1", "trends: ranking, filtered, 1M", 200e-3, false),
    criterion("trends_1m/alerts_all", "trends: alerts, 1M", 200e-3, false),
    Budget {
        bench: "trends/import.txt",
        work: "trends: import 1 000 000 records",
        limit: 30.0,
        unit: Unit::Seconds,
        source: Source::File { file: "trends_1m/import.txt", read: second_number },
        design: false,
    },
    Budget {
        bench: "trends_frame/frame.json",
        work: "trends: dashboard frame, worst tab p95",
        limit: 16e-3,
        unit: Unit::Seconds,
        source: Source::File {
            file: "trends_1m/frame.json",
            read: |t| json_number(t, "/worst_p95_ms").map(|ms| ms / 1e3),
        },
        design: false,
    },
    Budget {
        bench: "hotlist/hotlist_10m.json",
        work: "SLTD: import 10 000 000 entries",
        limit: 60.0,
        unit: Unit::Seconds,
        source: Source::File { file: "sltd/hotlist_10m.json", read: |t| json_number(t, "/import_s") },
        design: false,
    },
    Budget {
        bench: "hotlist/hotlist_10m.json",
        work: "SLTD: copy on disk",
        limit: 400.0,
        unit: Unit::Megabytes,
        source: Source::File { file: "sltd/hotlist_10m.json", read: |t| json_number(t, "/disk_mb") },
        design: false,
    },
    Budget {
        bench: "hotlist/hotlist_10m.json",
        work: "SLTD: memory when loaded",
        limit: 300.0,
        unit: Unit::Megabytes,
        source: Source::File { file: "sltd/hotlist_10m.json", read: |t| json_number(t, "/loaded_mb") },
        design: false,
    },
    Budget {
        bench: "hotlist/hotlist_10m.json",
        work: "SLTD: lookup p99",
        limit: 1e-3,
        unit: Unit::Seconds,
        source: Source::File { file: "sltd/hotlist_10m.json", read: |t| json_number(t, "/lookup_p99_s") },
        design: false,
    },
    Budget {
        bench: "hot_folder/latency.json",
        work: "hot folder: set complete → opened (events)",
        limit: 1.0,
        unit: Unit::Seconds,
        source: Source::File {
            file: "hot_folder/latency.json",
            read: |t| json_number(t, "/events/median_ms").map(|ms| ms / 1e3),
        },
        design: false,
    },
    Budget {
        bench: "hot_folder/latency.json",
        work: "hot folder: set complete → opened (shares)",
        limit: 1.0,
        unit: Unit::Seconds,
        source: Source::File {
            file: "hot_folder/latency.json",
            read: |t| json_number(t, "/listing/median_ms").map(|ms| ms / 1e3),
        },
        design: false,
    },
    criterion("capture/frame_quality_1280x720", "frame quality per 720p preview frame", 33e-3, false),
];

/// `cargo xtask bench [criterion filter]`, or `cargo xtask bench --table` to print
/// the table from the results already in `<target>/criterion` without running anything.
pub fn run(args: &[String]) -> Result<()> {
    let criterion = paths::target_dir().join("criterion");
    if args.iter().any(|a| a == "--table") {
        println!("{}", table(&measure(&criterion)?));
        return Ok(());
    }
    fs::create_dir_all(&criterion).with_context(|| format!("creating {}", criterion.display()))?;
    run_benches_keeping_output(args, &criterion.join(OUTPUT_FILE))?;
    shell::run(shell::cargo().args(["build", "--release", "--quiet", "--package", "tdverify", "--bin", "tdverify"]))?;
    let exe = paths::target_dir().join("release").join("tdverify");
    if let Some(seconds) = cold_start(&exe)? {
        let file = criterion.join(COLD_START_FILE);
        if let Some(dir) = file.parent() {
            fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        fs::write(&file, format!("{seconds:.4}\n")).with_context(|| format!("writing {}", file.display()))?;
    }
    let rows = measure(&criterion)?;
    println!("\n{}", table(&rows));
    if let Ok(text) = fs::read_to_string(criterion.join("export/bundle_100k/suppression.txt")) {
        let parts: Vec<&str> = text.split_whitespace().collect();
        if let [eligible, exported, suppressed, rate] = parts.as_slice() {
            println!(
                "export suppression on the generated set: {suppressed} of {eligible} eligible ({rate} %), {exported} exported (k = 5)"
            );
        }
    }
    Ok(())
}

/// `cargo bench --workspace`, its standard output shown and kept in `log` (the
/// chip benchmark prints its table there).
fn run_benches_keeping_output(args: &[String], log: &Path) -> Result<()> {
    let mut cmd = shell::cargo();
    cmd.args(["bench", "--workspace", "--quiet"]).arg("--").args(args).stdout(Stdio::piped());
    let mut child = cmd.spawn().context("starting cargo bench")?;
    let mut file = fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let line = line.context("reading cargo bench output")?;
            println!("{line}");
            writeln!(file, "{line}").with_context(|| format!("writing {}", log.display()))?;
        }
    }
    let status = child.wait().context("waiting for cargo bench")?;
    if !status.success() {
        bail!("cargo bench failed ({status})");
    }
    Ok(())
}

/// One row of the table: the budget and its measured value, if any.
pub struct Row {
    /// The budget.
    pub budget: Budget,
    /// The measured value in the budget's unit.
    pub value: Option<f64>,
}

/// Reads every budget's measurement from `criterion` (the `<target>/criterion` folder).
pub fn measure(criterion: &Path) -> Result<Vec<Row>> {
    let medians = criterion_medians(criterion);
    Ok(BUDGETS
        .iter()
        .map(|budget| {
            let value = match budget.source {
                Source::Criterion(id) => medians.get(id).copied(),
                Source::File { file, read } => fs::read_to_string(criterion.join(file)).ok().and_then(|t| read(&t)),
            };
            Row { budget: *budget, value }
        })
        .collect())
}

/// Every criterion benchmark's median in seconds, by full id (from each
/// `new/benchmark.json` and its `new/estimates.json`).
fn criterion_medians(criterion: &Path) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    let mut stack = vec![criterion.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|n| n == "benchmark.json")
                && path.parent().is_some_and(|p| p.ends_with("new"))
            {
                let id = fs::read_to_string(&path)
                    .ok()
                    .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
                    .and_then(|v| v["full_id"].as_str().map(str::to_owned));
                let median = fs::read_to_string(path.with_file_name("estimates.json"))
                    .ok()
                    .and_then(|t| json_number(&t, "/median/point_estimate"))
                    .map(|ns| ns * 1e-9);
                if let (Some(id), Some(median)) = (id, median) {
                    out.insert(id, median);
                }
            }
        }
    }
    out
}

fn json_number(text: &str, pointer: &str) -> Option<f64> {
    serde_json::from_str::<serde_json::Value>(text).ok()?.pointer(pointer)?.as_f64()
}

fn first_number(text: &str) -> Option<f64> {
    text.split_whitespace().next()?.parse().ok()
}

fn second_number(text: &str) -> Option<f64> {
    text.split_whitespace().nth(1)?.parse().ok()
}

/// The median (ms → s) of the chip benchmark's PC/SC row in its printed table.
fn chip_pcsc_median(output: &str) -> Option<f64> {
    let line = output.lines().rev().find_map(|l| l.trim_start().strip_prefix(CHIP_PCSC_ROW))?;
    line.split_whitespace().next()?.parse::<f64>().ok().map(|ms| ms / 1e3)
}

fn human(value: f64, unit: Unit) -> String {
    match unit {
        Unit::Megabytes => format!("{value:.0} MB"),
        Unit::Seconds if value < 1e-3 => format!("{:.2} µs", value * 1e6),
        Unit::Seconds if value < 1.0 => format!("{:.1} ms", value * 1e3),
        Unit::Seconds => format!("{value:.2} s"),
    }
}

/// The Markdown table: budget, benchmark, median, limit, verdict.
pub fn table(rows: &[Row]) -> String {
    let mut out =
        String::from("| work (budget) | benchmark | measured | budget | verdict |\n|---|---|---:|---:|---|\n");
    for row in rows {
        let b = &row.budget;
        let work = if b.design { format!("**{}**", b.work) } else { b.work.to_string() };
        let (measured, verdict) = match row.value {
            Some(v) => (human(v, b.unit), if v <= b.limit { "PASS" } else { "FAIL" }),
            None => ("-".to_string(), "NOT MEASURED"),
        };
        out.push_str(&format!("| {work} | `{}` | {measured} | < {} | {verdict} |\n", b.bench, human(b.limit, b.unit)));
    }
    out
}

/// Cold start to the first painted frame of the release binary under Xvfb,
/// median of five runs (budget: 1.5 s).
pub fn cold_start(exe: &std::path::Path) -> Result<Option<f64>> {
    use std::process::Command;
    let display = ":93";
    let mut xvfb = match Command::new("Xvfb")
        .args([display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
        .stderr(Stdio::null())
        .spawn()
    {
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
        if let Some(ms) = text
            .trim()
            .strip_prefix("first frame after ")
            .and_then(|t| t.strip_suffix(" ms"))
            .and_then(|t| t.parse::<f64>().ok())
        {
            samples.push(ms / 1e3);
        }
    }
    let _ = xvfb.kill();
    let _ = xvfb.wait();
    samples.sort_by(f64::total_cmp);
    Ok(samples.get(samples.len() / 2).copied())
}

fn tempdir_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("{name}-{}", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// DESIGN.md's budget rows: (work, limit in seconds).
    fn design_budgets() -> Vec<(String, f64)> {
        let path = paths::root().join("../shared/DESIGN.md");
        let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{} must be readable: {e}", path.display()));
        let section = text.split("\n## Budgets").nth(1).expect("DESIGN.md has a Budgets section");
        let section = section.split("\n## ").next().unwrap_or(section);
        section
            .lines()
            .filter(|l| l.starts_with('|') && !l.starts_with("|---") && !l.starts_with("| work"))
            .map(|l| {
                let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
                assert_eq!(cells.len(), 2, "a budget row has two cells: {l}");
                (
                    cells[0].to_string(),
                    parse_limit(cells[1]).unwrap_or_else(|| panic!("budget {:?} is not '< N unit'", cells[1])),
                )
            })
            .collect()
    }

    fn parse_limit(text: &str) -> Option<f64> {
        let rest = text.strip_prefix('<')?.trim();
        let (number, unit) = rest.split_once(' ')?;
        let number: f64 = number.parse().ok()?;
        Some(match unit.trim() {
            "µs" => number * 1e-6,
            "ms" => number * 1e-3,
            "s" => number,
            _ => return None,
        })
    }

    #[test]
    fn every_design_budget_has_a_benchmark_with_its_limit() {
        let design = design_budgets();
        assert!(design.len() >= 10, "DESIGN.md's table has its rows: {design:?}");
        for (work, limit) in &design {
            let budget = BUDGETS.iter().find(|b| b.design && b.work == work).unwrap_or_else(|| {
                panic!("no benchmark for DESIGN.md's budget {work:?}: add one and a row to BUDGETS")
            });
            assert!(
                (budget.limit - limit).abs() <= limit * 1e-9,
                "{work:?}: BUDGETS says {} s, DESIGN.md {limit} s",
                budget.limit
            );
        }
        let listed = BUDGETS.iter().filter(|b| b.design).count();
        assert_eq!(listed, design.len(), "BUDGETS marks a row as DESIGN.md's that DESIGN.md does not have");
    }

    /// Every `.rs` file where benchmarks (and the app's start-up probe) are written.
    fn benchmark_sources() -> Vec<(PathBuf, String)> {
        let root = paths::root();
        let mut dirs = vec![root.join("benches"), root.join("src/ui")];
        if let Ok(crates) = fs::read_dir(root.join("crates")) {
            dirs.extend(crates.flatten().map(|c| c.path().join("benches")));
        }
        let mut out = Vec::new();
        for dir in dirs {
            let Ok(files) = fs::read_dir(&dir) else { continue };
            for file in files.flatten().map(|f| f.path()).filter(|p| p.extension().is_some_and(|e| e == "rs")) {
                if let Ok(text) = fs::read_to_string(&file) {
                    out.push((file, text));
                }
            }
        }
        out
    }

    #[test]
    fn every_budget_names_a_benchmark_that_exists() {
        let sources = benchmark_sources();
        let quoted_anywhere = |s: &str| sources.iter().any(|(_, text)| text.contains(&format!("\"{s}\"")));
        for budget in BUDGETS {
            let found = match budget.bench.split_once('/') {
                // A criterion group and function, or a bench file and what it prints or writes.
                Some((first, second)) => {
                    (quoted_anywhere(first) && quoted_anywhere(second))
                        || sources
                            .iter()
                            .any(|(path, text)| path.file_stem().is_some_and(|s| s == first) && text.contains(second))
                }
                None => quoted_anywhere(budget.bench),
            };
            assert!(found, "the benchmark {:?} of {:?} is in no benchmark source", budget.bench, budget.work);
        }
    }

    #[test]
    fn measurements_are_read_from_criterion_and_custom_files() {
        let dir = std::env::temp_dir().join(format!("xtask-bench-test-{}", std::process::id()));
        let new = dir.join("mrz/tdverify parse+checks TD3/new");
        fs::create_dir_all(&new).expect("temp dir");
        fs::write(new.join("benchmark.json"), r#"{"full_id":"mrz/tdverify parse+checks TD3"}"#).expect("write");
        fs::write(new.join("estimates.json"), r#"{"median":{"point_estimate":4200.0}}"#).expect("write");
        fs::write(dir.join(OUTPUT_FILE), format!("{CHIP_PCSC_ROW}      612.5     700.1    42\n")).expect("write");
        let rows = measure(&dir).expect("measured");
        let value = |work: &str| rows.iter().find(|r| r.budget.work == work).and_then(|r| r.value);
        let mrz = value("parse + validate one MRZ").expect("criterion median read");
        assert!((mrz - 4.2e-6).abs() < 1e-12, "{mrz}");
        let chip =
            value("chip: BAC/PACE + COM, SOD, DG1, DG2 (20 KB) + PA + AA, over pcscd/vpcd").expect("chip row read");
        assert!((chip - 0.6125).abs() < 1e-9);
        let text = table(&rows);
        assert!(
            text.contains(
                "| **parse + validate one MRZ** | `mrz/tdverify parse+checks TD3` | 4.20 µs | < 5.00 µs | PASS |"
            ),
            "{text}"
        );
        assert!(text.contains("612.5 ms | < 500.0 ms | FAIL"), "{text}");
        assert!(text.contains("NOT MEASURED"));
        let _ = fs::remove_dir_all(&dir);
    }
}
