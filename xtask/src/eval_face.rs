//! `cargo xtask eval-face DIR [--limit N] [--json] [--split]`: face-comparison error rates
//! (EER, FNMR at FMR 1% and 0.1%, per gender and ethnicity) on a folder of
//! identities named `ID_anything.jpg`, clean and with chip-like and
//! printed-like degraded sides, plus milliseconds per comparison. `--split`
//! fits the decision thresholds on half of the identities and reports their
//! error rates on the other half (`tdverify_face::eval::evaluate_split`).
//! The logic lives in `tdverify_face::eval` so tests can call it.

use anyhow::{Context, bail};

/// Runs the evaluation with the arguments after `eval-face`.
pub fn run(args: &[String]) -> anyhow::Result<()> {
    let mut dir = None;
    let mut limit = None;
    let mut json = false;
    let mut split = false;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--limit" => {
                let value = iter.next().context("--limit needs a number of identities")?;
                limit = Some(value.parse::<usize>().with_context(|| format!("--limit {value}: not a number"))?);
            }
            "--json" => json = true,
            "--split" => split = true,
            other if other.starts_with("--") => bail!("unknown option {other}"),
            other => dir = Some(std::path::PathBuf::from(other)),
        }
    }
    let Some(dir) = dir else { bail!("usage: cargo xtask eval-face DIR [--limit N] [--json] [--split]") };
    let engine = tdverify_face::FaceEngine::load_default(None).context("loading ONNX Runtime and the face models")?;
    let codec: &dyn tdverify_face::degrade::Jpeg2000Codec = &tdverify_imaging::OpenCvJpeg2000;
    if split {
        let report = tdverify_face::eval::evaluate_split(&engine, &dir, Some(codec))
            .with_context(|| format!("evaluating {} in two halves", dir.display()))?;
        if json {
            println!("{}", serde_json::to_string_pretty(&report).context("writing the report as JSON")?);
        } else {
            print!("{}", tdverify_face::eval::render_split_text(&report));
        }
        return Ok(());
    }
    let identities = limit.map_or(tdverify_face::eval::Identities::All, tdverify_face::eval::Identities::First);
    let report = tdverify_face::eval::evaluate(&engine, &dir, identities, Some(codec))
        .with_context(|| format!("evaluating {}", dir.display()))?;
    if json {
        println!("{}", tdverify_face::eval::render_json(&report));
    } else {
        print!("{}", tdverify_face::eval::render_text(&report));
    }
    Ok(())
}
