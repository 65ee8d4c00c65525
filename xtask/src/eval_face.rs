//! `cargo xtask eval-face DIR [--limit N] [--json]`: face-comparison error rates
//! (EER, FNMR at FMR 1% and 0.1%, per gender and ethnicity) on a folder of
//! identities named `ID_anything.jpg`, clean and with chip-like and
//! printed-like degraded sides, plus milliseconds per comparison.
//! The logic lives in `tdverify_face::eval` so tests can call it.

use anyhow::{Context, bail};

/// Runs the evaluation with the arguments after `eval-face`.
pub fn run(args: &[String]) -> anyhow::Result<()> {
    let mut dir = None;
    let mut limit = None;
    let mut json = false;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--limit" => {
                let value = iter.next().context("--limit needs a number of identities")?;
                limit = Some(value.parse::<usize>().with_context(|| format!("--limit {value}: not a number"))?);
            }
            "--json" => json = true,
            other if other.starts_with("--") => bail!("unknown option {other}"),
            other => dir = Some(std::path::PathBuf::from(other)),
        }
    }
    let Some(dir) = dir else { bail!("usage: cargo xtask eval-face DIR [--limit N] [--json]") };
    let engine = tdverify_face::FaceEngine::load_default(None).context("loading ONNX Runtime and the face models")?;
    let codec: &dyn tdverify_face::degrade::Jpeg2000Codec = &tdverify_imaging::OpenCvJpeg2000;
    let report = tdverify_face::eval::evaluate(&engine, &dir, limit, Some(codec))
        .with_context(|| format!("evaluating {}", dir.display()))?;
    if json {
        println!("{}", tdverify_face::eval::render_json(&report));
    } else {
        print!("{}", tdverify_face::eval::render_text(&report));
    }
    Ok(())
}
