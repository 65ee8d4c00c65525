//! `cargo xtask eval-docs DIR [--library DIR] [--limit N] [--json FILE]`:
//! runs the document checks (issue 6) over a folder of fixture documents with
//! ground truth and prints detection per scenario and fraud type, false alarms
//! on genuine documents, per-check confusion and milliseconds per document.
//! Timings are only meaningful in a release build
//! (`cargo run --release -p xtask -- eval-docs DIR`).

use std::path::PathBuf;

use anyhow::{Context, Result, bail};

const USAGE: &str = "usage: cargo xtask eval-docs DIR [--library DIR] [--limit N] [--json FILE]";

/// Parses the arguments, evaluates the folder and prints the report.
pub fn run(args: &[String]) -> Result<()> {
    if args.is_empty() || args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        if args.is_empty() {
            bail!("no folder given");
        }
        return Ok(());
    }
    let mut dir: Option<PathBuf> = None;
    let mut library = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../reference-library"));
    let mut limit = None;
    let mut json = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--library" => library = PathBuf::from(args.next().context("--library needs a folder")?),
            "--limit" => limit = Some(args.next().context("--limit needs a number")?.parse::<usize>().context("--limit needs a number")?),
            "--json" => json = Some(PathBuf::from(args.next().context("--json needs a file")?)),
            other if dir.is_none() && !other.starts_with("--") => dir = Some(PathBuf::from(other)),
            other => bail!("unexpected argument `{other}`\n{USAGE}"),
        }
    }
    let dir = dir.context(USAGE)?;
    let library = tdverify_document::reference::ReferenceLibrary::load(&library)
        .with_context(|| format!("loading the reference library {}", library.display()))?;
    let report = tdverify_document::eval::evaluate_folder(&dir, &library, limit)
        .with_context(|| format!("evaluating document checks over {}", dir.display()))?;
    print!("{}", report.table());
    if let Some(path) = json {
        let text = serde_json::to_string_pretty(&report).context("serialising the report")?;
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}
