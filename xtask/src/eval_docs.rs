//! `cargo xtask eval-docs DIR [--library DIR] [--limit N] [--json FILE] [--officer-only | --no-officer]`:
//! over a folder of fixture documents with ground truth, first the document
//! checks alone (issue 6: detection per scenario and fraud type, false alarms
//! on genuine documents, per-check confusion, milliseconds per document), then
//! the officer evaluation (issue 21): the whole inspection with the real MRZ
//! reader and face comparison, counted as officers see it (forgeries flagged,
//! genuine documents not "genuine", recapture requests, per capture kind; no
//! chip is read; `--chip-portrait` adds the chip's DG2 portrait to the face
//! comparison, `--no-bearer` leaves the bearer's photo out). Where the set has
//! clean photo substitutions (`photo_substitution_clean`), they are inspected
//! again under the four conditions (no chip and no bearer photo, the bearer
//! photo only, the chip portrait only, both) and reported per template: issue
//! 29 asks how many the document alone betrays. The logic lives in `tdverify_document::eval` and
//! `tdverify_inspect::eval`. Timings are only meaningful in a release build
//! (`cargo xtask eval-docs` runs one).

use std::path::PathBuf;

use anyhow::{Context, Result, bail};

const USAGE: &str = "usage: cargo xtask eval-docs DIR [--library DIR] [--limit N] [--json FILE] [--officer-only | --no-officer] [--no-bearer] [--chip-portrait]";

/// The set's own TEST-ONLY hotlist (its stolen blanks, from index.json), as of its
/// reference date, so `sltd.hit` is evaluated like the other checks. `None` when the
/// folder has no index.json (a folder of hand-made documents).
fn test_hotlist(dir: &std::path::Path) -> Result<Option<tdverify_sltd::Hotlist>> {
    let Ok(index) = tdverify_fixtures::load_index(dir) else { return Ok(None) };
    let as_of = index.reference_date.clone();
    let reported = u16::try_from(tdverify_sltd::days_from_iso(&as_of).unwrap_or(0) - 30).unwrap_or(0);
    let extra: Vec<tdverify_sltd::Entry> = index
        .test_hotlist
        .iter()
        .map(|e| tdverify_sltd::Entry {
            document: tdverify_sltd::DocumentKey::new(&e.doc_code, &e.issuing_state, &e.document_number),
            status: tdverify_sltd::Status::StolenBlank,
            reported_days: reported,
        })
        .collect();
    let bytes =
        tdverify_sltd::test_bundle::make_test_bundle(1000, 1, &as_of, &extra).context("making the test hotlist")?;
    let list = tdverify_sltd::Hotlist::from_bundle(bytes, &tdverify_sltd::test_bundle::test_only_trust())
        .context("loading the test hotlist")?;
    eprintln!("officer evaluation: test hotlist with {} stolen blanks, as of {as_of}", extra.len());
    Ok(Some(list))
}

/// Parses the arguments, evaluates the folder and prints the report.
pub fn run(args: &[String]) -> Result<()> {
    if let Some(done) = crate::usage_if_asked(args, USAGE) {
        return done;
    }
    let mut dir: Option<PathBuf> = None;
    let mut library = crate::paths::reference_library();
    let mut limit = None;
    let mut json = None;
    let mut document_checks = true;
    let mut officer = true;
    let mut without_bearer = false;
    let mut chip_portrait = false;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--library" => library = PathBuf::from(args.next().context("--library needs a folder")?),
            "--limit" => {
                limit = Some(
                    args.next()
                        .context("--limit needs a number")?
                        .parse::<usize>()
                        .context("--limit needs a number")?,
                )
            }
            "--json" => json = Some(PathBuf::from(args.next().context("--json needs a file")?)),
            "--officer-only" => document_checks = false,
            "--no-officer" => officer = false,
            "--no-bearer" => without_bearer = true,
            "--chip-portrait" => chip_portrait = true,
            other if dir.is_none() && !other.starts_with("--") => dir = Some(PathBuf::from(other)),
            other => bail!("unexpected argument `{other}`\n{USAGE}"),
        }
    }
    if !document_checks && !officer {
        bail!("--officer-only and --no-officer leave nothing to evaluate\n{USAGE}");
    }
    let dir = dir.context(USAGE)?;
    let library = tdverify_document::reference::ReferenceLibrary::load(&library)
        .with_context(|| format!("loading the reference library {}", library.display()))?;
    // The JSON keeps the document-check report's keys at the top level (as
    // before) and adds the officer report under "officer".
    let mut combined = serde_json::Map::new();
    if document_checks {
        let report = tdverify_document::eval::evaluate_folder(&dir, &library, limit)
            .with_context(|| format!("evaluating document checks over {}", dir.display()))?;
        print!("{}", report.table());
        if let serde_json::Value::Object(fields) =
            serde_json::to_value(&report).context("serialising the document-check report")?
        {
            combined.extend(fields);
        }
    }
    if officer {
        if document_checks {
            println!();
        }
        let ocr = tdverify_ocr::OcrEngine::load_default().context("loading the MRZ reader (run cargo xtask setup)")?;
        let face = tdverify_face::FaceEngine::load_default(None).context("loading ONNX Runtime and the face models")?;
        let hotlist = test_hotlist(&dir)?;
        let engines = tdverify_inspect::Engines {
            library: &library,
            ocr: Some(&ocr),
            face: Some(&face),
            hotlist: hotlist.as_ref(),
        };
        let options = tdverify_inspect::eval::OfficerEvalOptions {
            limit,
            without_bearer,
            chip_portrait: chip_portrait
                .then_some(read_chip_portrait as fn(&std::path::Path) -> Option<image::DynamicImage>),
        };
        let report = tdverify_inspect::eval::evaluate_folder(&dir, &engines, &options, |done, total| {
            if done == total || done % 10 == 0 {
                eprintln!("officer evaluation: {done}/{total}");
            }
        })
        .with_context(|| format!("inspecting the documents of {}", dir.display()))?;
        print!("{}", report.table());
        combined.insert("officer".to_owned(), serde_json::to_value(&report).context("serialising the officer report")?);
        let conditions = clean_substitutions_by_condition(&dir, &engines, limit)?;
        if !conditions.is_empty() {
            print!("{}", conditions_table(&conditions));
            let json = conditions
                .iter()
                .map(|(key, row)| (key.clone(), serde_json::json!({"documents": row.documents, "flagged": row.flagged, "by_portrait": row.by_portrait})))
                .collect();
            combined.insert("clean_substitutions_by_condition".to_owned(), serde_json::Value::Object(json));
        }
    }
    if let Some(path) = json {
        let text = serde_json::to_string_pretty(&combined).context("serialising the report")?;
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// The four conditions a clean photo substitution is inspected under: (name,
/// without the bearer photo, with the chip portrait).
const CONDITIONS: [(&str, bool, bool); 4] = [
    ("no chip, no bearer", true, false),
    ("bearer only", false, false),
    ("chip only", true, true),
    ("chip and bearer", false, true),
];

/// The portrait comparisons: a verdict resting on one of them was flagged by the portrait.
const PORTRAIT_CHECKS: [&str; 5] = [
    "face.photo_vs_ghost",
    "face.photo_vs_uv_copy",
    "face.photo_vs_ir_copy",
    "face.photo_vs_chip",
    "face.photo_vs_bearer",
];

/// One template's clean substitutions under one condition.
#[derive(Debug, Clone, Default)]
struct ConditionRow {
    documents: usize,
    /// Flagged as the officer evaluation counts it (an expected check failed, or "fraudulent" / "review").
    flagged: usize,
    /// Of those, flagged by a portrait comparison (failed, or named in the verdict's reasons).
    by_portrait: usize,
}

/// Every clean photo substitution of `dir` (first `limit` folders) inspected under
/// each of [`CONDITIONS`], per "condition | template | capture kind"; empty when the set has none.
fn clean_substitutions_by_condition(
    dir: &std::path::Path,
    engines: &tdverify_inspect::Engines<'_>,
    limit: Option<usize>,
) -> Result<std::collections::BTreeMap<String, ConditionRow>> {
    let mut folders: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("listing {}", dir.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.join("truth.json").is_file())
        .collect();
    folders.sort();
    folders.truncate(limit.unwrap_or(usize::MAX));
    let mut clean = Vec::new();
    for folder in folders {
        let truth = tdverify_inspect::eval::load_truth_summary(&folder)
            .with_context(|| format!("reading {}", folder.display()))?;
        if truth.scenario == "photo_substitution_clean" {
            clean.push(folder);
        }
    }
    let mut rows: std::collections::BTreeMap<String, ConditionRow> = std::collections::BTreeMap::new();
    for (done, folder) in clean.iter().enumerate() {
        for (name, without_bearer, chip) in CONDITIONS {
            let options = tdverify_inspect::eval::OfficerEvalOptions {
                limit: None,
                without_bearer,
                chip_portrait: chip
                    .then_some(read_chip_portrait as fn(&std::path::Path) -> Option<image::DynamicImage>),
            };
            let outcome = tdverify_inspect::eval::evaluate_document_with(folder, engines, &options)
                .with_context(|| format!("inspecting {} ({name})", folder.display()))?;
            let by_portrait = outcome.flagged()
                && PORTRAIT_CHECKS
                    .iter()
                    .any(|id| outcome.failed.iter().any(|f| f == id) || outcome.because_of.iter().any(|b| b == id));
            for key in [
                format!("{name} | {}", outcome.template.as_deref().unwrap_or("-")),
                format!("{name} | all templates | {}", outcome.capture),
            ] {
                let row = rows.entry(key).or_default();
                row.documents += 1;
                row.flagged += usize::from(outcome.flagged());
                row.by_portrait += usize::from(by_portrait);
            }
        }
        eprintln!("clean substitutions under four conditions: {}/{}", done + 1, clean.len());
    }
    Ok(rows)
}

fn conditions_table(rows: &std::collections::BTreeMap<String, ConditionRow>) -> String {
    let mut out = String::from(
        "\nclean photo substitutions (photo_substitution_clean) per condition and template, then per capture kind\n",
    );
    out.push_str(&format!("{:<62} {:>5} {:>9} {:>12}\n", "condition | template", "docs", "flagged", "by portrait"));
    for (key, row) in rows {
        out.push_str(&format!(
            "{:<62} {:>5} {:>9} {:>12}\n",
            key,
            row.documents,
            format!("{}/{}", row.flagged, row.documents),
            row.by_portrait
        ));
    }
    out
}

/// The portrait in a fixture document's chip (`chip/DG2.bin`), decoded; `None`
/// when the document has no chip (visas, counterfeits) or it cannot be decoded.
fn read_chip_portrait(folder: &std::path::Path) -> Option<image::DynamicImage> {
    let bytes = std::fs::read(folder.join("chip").join("DG2.bin")).ok()?;
    let face = tdverify_chip::lds::dg2::parse(&bytes).ok()?.into_iter().next()?;
    match face.format {
        tdverify_chip::lds::dg2::ImageFormat::Jpeg2000 => tdverify_imaging::decode_jpeg2000(&face.image).ok(),
        _ => image::load_from_memory(&face.image).ok(),
    }
}
