//! `cargo xtask eval-ghost DIR [--library DIR] [--json FILE] [--dump DIR]`: error rates of
//! the portrait-vs-ghost-image comparison (`face.photo_vs_ghost`) over a folder
//! of fixture documents with ground truth, genuine and substituted portraits
//! (`photo_substitution_clean`). Calibrate the thresholds on one seed, report
//! on another. `--dump` writes the crops the comparison saw, to look at a
//! miss. The logic lives in `tdverify_inspect::ghost_eval`.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};

const USAGE: &str = "usage: cargo xtask eval-ghost DIR [--library DIR] [--json FILE] [--dump DIR]";

/// Parses the arguments, evaluates the folder and prints the report.
pub fn run(args: &[String]) -> Result<()> {
    if let Some(done) = crate::usage_if_asked(args, USAGE) {
        return done;
    }
    let mut dir: Option<PathBuf> = None;
    let mut library = crate::paths::reference_library();
    let mut json = None;
    let mut dump: Option<PathBuf> = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--library" => library = PathBuf::from(args.next().context("--library needs a folder")?),
            "--dump" => dump = Some(PathBuf::from(args.next().context("--dump needs a folder")?)),
            "--json" => json = Some(PathBuf::from(args.next().context("--json needs a file")?)),
            other if dir.is_none() && !other.starts_with("--") => dir = Some(PathBuf::from(other)),
            other => bail!("unexpected argument `{other}`\n{USAGE}"),
        }
    }
    let dir = dir.context(USAGE)?;
    let library = tdverify_document::reference::ReferenceLibrary::load(&library)
        .with_context(|| format!("loading the reference library {}", library.display()))?;
    let face = tdverify_face::FaceEngine::load_default(None).context("loading ONNX Runtime and the face models")?;
    let report = tdverify_inspect::ghost_eval::evaluate_folder_with(&dir, &library, &face, dump.as_deref(), |done, total| {
        if done == total || done % 10 == 0 {
            eprintln!("ghost evaluation: {done}/{total}");
        }
    })
    .with_context(|| format!("evaluating the ghost images of {}", dir.display()))?;
    print!("{}", report.table());
    if let Some(path) = json {
        let text = serde_json::to_string_pretty(&report).context("serialising the report")?;
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}
