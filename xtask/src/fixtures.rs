//! `cargo xtask fixtures [--seed S] [--count N] [--out DIR] [--faces DIR] [--flatbed DPI] [--captures camera|phone] [--template KEY]... [--scenario NAME]... [--specimens]`:
//! generates the fixture documents (default: seed 1, 56 documents, into
//! `out/fixtures`, git-ignored; documents of models with a chip get their TEST
//! chip in `<doc>/chip/`, and `pki/` holds the TEST CSCAs to trust) or, with
//! `--specimens`, re-renders the reference library's specimen images.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};

const USAGE: &str =
    "usage: cargo xtask fixtures [--seed S] [--count N] [--out DIR] [--faces DIR] [--flatbed DPI] [--captures camera|phone] [--template ISSUER/doc]... [--scenario NAME]... [--specimens]";

/// Parses the arguments and runs the generator.
pub fn run(args: &[String]) -> Result<()> {
    let root = workspace_root();
    let library = root.join("reference-library");
    let mut config = tdverify_fixtures::FixtureConfig::new(library.clone());
    let mut out = crate::paths::generated_fixtures();
    let mut specimens = false;
    let mut arguments = args.iter();
    while let Some(argument) = arguments.next() {
        let mut value = |name: &str| arguments.next().with_context(|| format!("{name} needs a value\n{USAGE}")).cloned();
        match argument.as_str() {
            "--seed" => config.seed = value("--seed")?.parse().context("--seed must be a whole number")?,
            "--count" => config.count = value("--count")?.parse().context("--count must be a whole number")?,
            "--out" => out = PathBuf::from(value("--out")?),
            "--faces" => config.faces = Some(PathBuf::from(value("--faces")?)),
            "--flatbed" => {
                let dpi = value("--flatbed")?.parse().context("--flatbed must be a dpi such as 300")?;
                config.captures = tdverify_fixtures::CaptureMix::Flatbed(dpi);
            }
            // Every document photographed (a set to study camera or phone captures).
            "--captures" => {
                config.captures = match value("--captures")?.as_str() {
                    "camera" => tdverify_fixtures::CaptureMix::Camera,
                    "phone" => tdverify_fixtures::CaptureMix::Phone,
                    other => bail!("--captures takes camera or phone, not `{other}`\n{USAGE}"),
                }
            }
            "--template" => config.templates.get_or_insert_with(Vec::new).push(value("--template")?),
            // Only these scenarios, in turn (a focused evaluation set): snake_case names as in truth.json.
            "--scenario" => {
                let name = value("--scenario")?;
                let scenario = serde_json::from_value::<tdverify_fixtures::Scenario>(serde_json::Value::String(name.clone()))
                    .with_context(|| format!("unknown scenario `{name}` (see fixtures/README.md)"))?;
                config.scenarios.get_or_insert_with(Vec::new).push(scenario);
            }
            "--specimens" => specimens = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => bail!("unknown argument `{other}`\n{USAGE}"),
        }
    }
    let started = Instant::now();
    if specimens {
        let written = tdverify_fixtures::render_specimens(&library, 100.0).context("rendering specimens")?;
        println!("wrote {} specimen images into {}", written.len(), library.display());
        return Ok(());
    }
    let summary = tdverify_fixtures::generate(&config, &out, |done, total| {
        if done == total || done % 10 == 0 {
            eprintln!("fixtures: {done}/{total}");
        }
    })
    .with_context(|| format!("generating fixtures into {}", out.display()))?;
    println!(
        "wrote {} documents ({} files, {:.1} MB) into {} in {:.1} s; by fraud type: {:?}",
        summary.documents,
        summary.files,
        summary.bytes as f64 / 1e6,
        out.display(),
        started.elapsed().as_secs_f64(),
        summary.by_fraud_type
    );
    println!(
        "{} TEST chips (trust {}) built in {:.2} s of worker time; by scenario: {:?}",
        summary.chips,
        out.join(tdverify_fixtures::chip::PKI_FOLDER).display(),
        summary.chip_time.as_secs_f64(),
        summary.by_scenario
    );
    Ok(())
}

/// The workspace root: the nearest folder above this crate holding `reference-library/`.
fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.ancestors().find(|dir| dir.join("reference-library").is_dir()).map(PathBuf::from).unwrap_or(manifest)
}
