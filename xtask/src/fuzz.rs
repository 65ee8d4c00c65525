//! `cargo xtask fuzz [--minutes N] [--target NAME]...`: every fuzz target of
//! `fuzz/` (crate `tdverify-fuzz`) under libFuzzer for N minutes each.
//!
//! libFuzzer comes from the `libfuzzer-sys` crate (built from source with the
//! C++ compiler) and the coverage from rustc's stable sanitizer-coverage pass,
//! so no nightly toolchain and no cargo subcommand are needed. The binary is
//! built in its own target folder (`<target>/fuzz`), as the flags differ from
//! every other build. Each run works on a copy of the committed seeds (so new
//! corpus entries stay out of the repository) and enforces: no panic, at most
//! [`PER_INPUT_SECONDS`] per input (a hang is a finding), at most
//! [`RSS_LIMIT_MB`] resident, and no single allocation over 1 GiB (the
//! crate's allocator aborts). Findings are kept under `out/fuzz/<target>/`;
//! a summary per target goes to `out/fuzz/summary.json` and is printed as the
//! table of docs/FUZZING.md.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::{paths, shell};

/// A hang: one input running longer than this.
pub const PER_INPUT_SECONDS: u32 = 10;
/// Resident memory over this is a finding (libFuzzer's own check).
pub const RSS_LIMIT_MB: u32 = 2048;
/// The target triple: given explicitly so the coverage flags skip build scripts and proc macros.
const TRIPLE: &str = "x86_64-unknown-linux-gnu";
const BINARY: &str = "tdverify-fuzz-libfuzzer";

/// The sanitizer-coverage instrumentation libFuzzer reads (all stable rustc flags).
const COVERAGE_FLAGS: &str = "--cfg fuzzing -Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares -Cdebug-assertions -Coverflow-checks";

/// What one target's run gave.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    /// Target name.
    pub target: String,
    /// Inputs executed.
    pub executions: u64,
    /// Wall-clock minutes.
    pub minutes: f64,
    /// Coverage counters reached (libFuzzer's `cov`).
    pub coverage: Option<u64>,
    /// Crash, timeout and out-of-memory inputs saved.
    pub findings: Vec<String>,
}

struct Options {
    minutes: f64,
    targets: Vec<String>,
}

fn parse_args(args: &[String]) -> Result<Options> {
    let mut options = Options { minutes: 10.0, targets: Vec::new() };
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--minutes" => {
                let value = rest.next().context("--minutes needs a number")?;
                options.minutes = value.parse().with_context(|| format!("--minutes {value:?} is not a number"))?;
                if !(options.minutes > 0.0) {
                    bail!("--minutes must be above zero");
                }
            }
            "--target" => options.targets.push(rest.next().context("--target needs a name")?.clone()),
            other => bail!("unknown argument {other:?} (usage: cargo xtask fuzz [--minutes N] [--target NAME]...)"),
        }
    }
    Ok(options)
}

/// The target names, from the committed seed folders (one per target; the
/// crate's test fails when a target has none).
fn all_targets() -> Result<Vec<String>> {
    let corpus = paths::root().join("fuzz").join("corpus");
    let mut names: Vec<String> = fs::read_dir(&corpus)
        .with_context(|| format!("reading {}", corpus.display()))?
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    Ok(names)
}

fn build() -> Result<PathBuf> {
    let target_dir = paths::target_dir().join("fuzz");
    let mut cargo = shell::cargo();
    cargo
        .args(["build", "--release", "--package", "tdverify-fuzz", "--features", "libfuzzer", "--bin", BINARY])
        .args(["--target", TRIPLE])
        .env("CARGO_TARGET_DIR", &target_dir)
        .env("RUSTFLAGS", COVERAGE_FLAGS)
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16");
    shell::run(&mut cargo)?;
    Ok(target_dir.join(TRIPLE).join("release").join(BINARY))
}

fn copy_files(from: &Path, to: &Path) -> Result<()> {
    let Ok(entries) = fs::read_dir(from) else { return Ok(()) };
    for entry in entries.flatten() {
        if entry.path().is_file() {
            let dest = to.join(entry.file_name());
            fs::copy(entry.path(), &dest)
                .with_context(|| format!("copying {} to {}", entry.path().display(), dest.display()))?;
        }
    }
    Ok(())
}

/// `cargo xtask fuzz`.
pub fn run(args: &[String]) -> Result<()> {
    let options = parse_args(args)?;
    let targets = if options.targets.is_empty() { all_targets()? } else { options.targets.clone() };
    let binary = build()?;
    let out = paths::out().join("fuzz");
    fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let mut summaries = Vec::new();
    for target in &targets {
        let summary = run_target(&binary, target, options.minutes, &out)?;
        println!(
            "{}: {} executions in {:.1} min, coverage {}, findings {}",
            summary.target,
            summary.executions,
            summary.minutes,
            summary.coverage.map_or("-".to_string(), |c| c.to_string()),
            if summary.findings.is_empty() { "none".to_string() } else { summary.findings.join(", ") }
        );
        summaries.push(summary);
        write_summary(&out.join("summary.json"), &summaries)?;
    }
    println!("\n{}", table(&summaries));
    let found: usize = summaries.iter().map(|s| s.findings.len()).sum();
    if found > 0 {
        bail!("{found} finding(s): inputs under {}", out.display());
    }
    Ok(())
}

fn run_target(binary: &Path, target: &str, minutes: f64, out: &Path) -> Result<RunSummary> {
    let seeds = paths::root().join("fuzz").join("corpus").join(target);
    if !seeds.is_dir() {
        bail!("no target {target:?}: {} does not exist", seeds.display());
    }
    let work = paths::target_dir().join("fuzz").join("corpus").join(target);
    fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
    copy_files(&seeds, &work)?;
    copy_files(&paths::root().join("fuzz").join("regressions").join(target), &work)?;
    let findings_dir = out.join(target);
    fs::create_dir_all(&findings_dir).with_context(|| format!("creating {}", findings_dir.display()))?;
    let log = out.join(format!("{target}.log"));
    let seconds = (minutes * 60.0).round().max(1.0) as u64;
    let started = std::time::Instant::now();
    let output = Command::new(binary)
        .arg(format!("-max_total_time={seconds}"))
        .arg(format!("-timeout={PER_INPUT_SECONDS}"))
        .arg(format!("-rss_limit_mb={RSS_LIMIT_MB}"))
        .arg(format!("-artifact_prefix={}/", findings_dir.display()))
        .arg("-print_final_stats=1")
        .arg(&work)
        .env("TDVERIFY_FUZZ_TARGET", target)
        .output()
        .with_context(|| format!("starting {}", binary.display()))?;
    let elapsed = started.elapsed().as_secs_f64() / 60.0;
    let text = String::from_utf8_lossy(&output.stderr).into_owned();
    fs::write(&log, &text).with_context(|| format!("writing {}", log.display()))?;
    let mut findings: Vec<String> = fs::read_dir(&findings_dir)
        .with_context(|| format!("reading {}", findings_dir.display()))?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| ["crash-", "timeout-", "oom-", "slow-unit-", "leak-"].iter().any(|p| n.starts_with(p)))
        .collect();
    findings.sort();
    if !output.status.success() && findings.is_empty() {
        findings.push(format!("exit {} (see {})", output.status, log.display()));
    }
    let mut summary = parse_stats(&text);
    summary.target = target.to_string();
    summary.minutes = elapsed;
    summary.findings = findings;
    Ok(summary)
}

/// Reads libFuzzer's final statistics (`stat::number_of_executed_units`) and
/// the last coverage count (`cov: N`) from its standard error.
pub fn parse_stats(text: &str) -> RunSummary {
    let executions = text
        .lines()
        .find_map(|l| l.strip_prefix("stat::number_of_executed_units:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let coverage = text
        .lines()
        .filter_map(|l| {
            let at = l.find(" cov: ")?;
            l[at + 6..].split_whitespace().next()?.parse::<u64>().ok()
        })
        .next_back();
    RunSummary { target: String::new(), executions, minutes: 0.0, coverage, findings: Vec::new() }
}

fn write_summary(path: &Path, summaries: &[RunSummary]) -> Result<()> {
    let rows: Vec<serde_json::Value> = summaries
        .iter()
        .map(|s| {
            serde_json::json!({
                "target": s.target,
                "engine": "libFuzzer (libfuzzer-sys, sancov, stable)",
                "executions": s.executions,
                "minutes": (s.minutes * 10.0).round() / 10.0,
                "coverage": s.coverage,
                "findings": s.findings,
            })
        })
        .collect();
    let text = serde_json::to_string_pretty(&rows).context("summary JSON")?;
    fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

/// The Markdown table of docs/FUZZING.md.
pub fn table(summaries: &[RunSummary]) -> String {
    let mut out = String::from(
        "| target | engine | executions | minutes | coverage | findings |\n|---|---|---:|---:|---:|---|\n",
    );
    for s in summaries {
        out.push_str(&format!(
            "| {} | libFuzzer | {} | {:.1} | {} | {} |\n",
            s.target,
            s.executions,
            s.minutes,
            s.coverage.map_or("-".to_string(), |c| c.to_string()),
            if s.findings.is_empty() { "none".to_string() } else { s.findings.join(", ") }
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libfuzzer_statistics_are_read() {
        let text = "#2\tINITED cov: 120 ft: 130 corp: 2/40b\n#4096\tpulse  cov: 311 ft: 500 corp: 9/1Kb\n\
                    #8000\tDONE   cov: 322 ft: 520 corp: 10/1Kb\nstat::number_of_executed_units: 8000\n\
                    stat::average_exec_per_sec:     66\n";
        let stats = parse_stats(text);
        assert_eq!(stats.executions, 8000);
        assert_eq!(stats.coverage, Some(322));
    }

    #[test]
    fn arguments_are_checked() {
        let args: Vec<String> = ["--minutes", "2", "--target", "mrz"].iter().map(|s| s.to_string()).collect();
        let options = parse_args(&args).expect("valid");
        assert_eq!(options.minutes, 2.0);
        assert_eq!(options.targets, vec!["mrz".to_string()]);
        assert!(parse_args(&["--minutes".to_string(), "soon".to_string()]).is_err());
        assert!(parse_args(&["--bogus".to_string()]).is_err());
    }
}
