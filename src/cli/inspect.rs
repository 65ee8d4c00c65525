use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use tdverify::capture::{decode_file, import_file};
use tdverify::core::Light;
use tdverify::engines::LoadedEngines;
use tdverify::inspect::{InspectInput, Stage, run};

use super::Context;

/// `tdverify inspect`: the whole inspection of one document.
#[derive(Debug, clap::Args)]
pub struct InspectArgs {
    /// Image of the page under white light.
    #[arg(long, value_name = "FILE")]
    white: PathBuf,
    /// Image under UV light.
    #[arg(long, value_name = "FILE")]
    uv: Option<PathBuf>,
    /// Image under IR light.
    #[arg(long, value_name = "FILE")]
    ir: Option<PathBuf>,
    /// Image under coaxial light (retro-reflective laminate, OVD).
    #[arg(long, value_name = "FILE")]
    coaxial: Option<PathBuf>,
    /// The other side of a two-sided card under white light (usually the front, with the portrait).
    #[arg(long, value_name = "FILE")]
    other_white: Option<PathBuf>,
    /// The other side under UV light.
    #[arg(long, value_name = "FILE")]
    other_uv: Option<PathBuf>,
    /// The other side under IR light.
    #[arg(long, value_name = "FILE")]
    other_ir: Option<PathBuf>,
    /// The other side under coaxial light.
    #[arg(long, value_name = "FILE")]
    other_coaxial: Option<PathBuf>,
    /// Photo of the bearer (camera capture).
    #[arg(long, value_name = "FILE")]
    bearer: Option<PathBuf>,
    /// MRZ lines typed by the officer (used instead of reading the image); `\n` or `|` between lines.
    #[arg(long, value_name = "LINES")]
    mrz: Option<String>,
    /// Inspection date (YYYY-MM-DD); default today (UTC).
    #[arg(long, value_name = "DATE")]
    date: Option<String>,
    /// A chip read saved with `tdverify chip read --out DIR`, verified offline.
    #[arg(long, value_name = "DIR", conflicts_with = "emulate")]
    chip: Option<PathBuf>,
    /// Read the chip from a virtual eMRTD dataset folder (demo and training), or a fixture document folder's own chip.
    #[arg(long, value_name = "DIR")]
    emulate: Option<PathBuf>,
    /// Extra trusted CSCA certificates or master lists (file or folder) for this inspection.
    #[arg(long, value_name = "PATH")]
    csca: Option<PathBuf>,
    /// Save the inspection as a case (needs the station passphrase, e.g. TDVERIFY_PASSPHRASE); prints `case_id`.
    #[arg(long)]
    save: bool,
    /// Print JSON (the stable contract) instead of a readable report.
    #[arg(long)]
    json: bool,
}

pub fn run_command(context: &Context, args: InspectArgs) -> ExitCode {
    let inspection_date = match args.date.as_deref() {
        None => tdverify::clock::today_utc(),
        Some(text) => match tdverify::clock::parse_iso_date(text) {
            Some(date) => date,
            None => {
                eprintln!("tdverify inspect: --date must be a real day as YYYY-MM-DD, got `{text}`");
                return ExitCode::from(2);
            }
        },
    };
    let mut captures = Vec::new();
    let mut other_side = Vec::new();
    let files = [
        (Some(&args.white), Light::White, false),
        (args.uv.as_ref(), Light::Uv, false),
        (args.ir.as_ref(), Light::Ir, false),
        (args.coaxial.as_ref(), Light::Coaxial, false),
        (args.other_white.as_ref(), Light::White, true),
        (args.other_uv.as_ref(), Light::Uv, true),
        (args.other_ir.as_ref(), Light::Ir, true),
        (args.other_coaxial.as_ref(), Light::Coaxial, true),
    ];
    for (path, light, other) in files {
        let Some(path) = path else { continue };
        match import_file(path, light) {
            Ok(capture) if other => other_side.push(capture),
            Ok(capture) => captures.push(capture),
            Err(e) => {
                eprintln!("tdverify inspect: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let bearer = match &args.bearer {
        Some(path) => match decode_file(path) {
            Ok(image) => Some(image),
            Err(e) => {
                eprintln!("tdverify inspect: bearer photo: {e}");
                return ExitCode::from(2);
            }
        },
        None => None,
    };
    let mut loaded = LoadedEngines::load_for_station(&context.resources, &context.data_dir);
    loaded.load_hotlist(&context.data_dir);
    for (what, problem) in [("MRZ reader", loaded.ocr.as_ref().err()), ("face comparison", loaded.face.as_ref().err())] {
        if let Some(problem) = problem {
            eprintln!("tdverify inspect: {what} unavailable: {problem}");
        }
    }
    let typed_mrz = args.mrz.as_ref().map(|text| text.replace('|', "\n").replace("\\n", "\n"));
    let chip = match chip_evidence(context, &args, typed_mrz.as_deref()) {
        Ok(chip) => chip,
        Err(message) => {
            eprintln!("tdverify inspect: {message}");
            return ExitCode::from(2);
        }
    };
    let input = InspectInput { captures, other_side, bearer, typed_mrz, officer_mrz_fixes: Vec::new(), chip, inspection_date };
    let show_progress = std::io::stderr().is_terminal();
    let progress = |stage: Stage, fraction: f32| {
        if show_progress && fraction == 0.0 {
            eprintln!("… {}", stage.as_str());
        }
    };
    let inspection = run(&input, &loaded.engines(), &progress);
    let mut json = inspection_json(&inspection);
    if args.save {
        match save_case(context, &input, &inspection) {
            Ok(case_id) => {
                json["case_id"] = serde_json::Value::String(case_id.clone());
                if !args.json {
                    println!("Saved as case {case_id}");
                }
            }
            Err(failure) => {
                eprintln!("tdverify inspect: the inspection was not saved: {}", failure.message);
                if args.json {
                    println!("{json}");
                }
                return ExitCode::from(failure.code);
            }
        }
    }
    if args.json {
        match serde_json::to_string(&json) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("tdverify inspect: {e}");
                return ExitCode::from(1);
            }
        }
    } else {
        print!("{}", render_text(&inspection));
    }
    ExitCode::SUCCESS
}

/// The stable JSON contract: document, mrz, checks, verdict, ms (plus details).
pub fn inspection_json(inspection: &tdverify::inspect::Inspection) -> serde_json::Value {
    serde_json::json!({
        "document": inspection.document,
        "mrz": inspection.mrz.as_ref().map(|m| &m.report),
        "mrz_source": inspection.mrz.as_ref().map(|m| &m.source),
        "mrz_reading": inspection.mrz.as_ref().and_then(|m| m.reading.as_ref()),
        "mrz_by_light": inspection.mrz.as_ref().map(|m| &m.by_light),
        "checks": inspection.checks,
        "verdict": inspection.verdict,
        "chip": inspection.chip,
        "ms": inspection.ms,
    })
}

pub fn render_text(inspection: &tdverify::inspect::Inspection) -> String {
    let mut out = String::new();
    let document = &inspection.document;
    out.push_str(&format!(
        "Document: {} {} ({})\n",
        document.issuer.as_deref().unwrap_or("unknown issuer"),
        document.document_type.as_deref().unwrap_or("unknown type"),
        document.template.as_deref().map_or("no template matched: generic checks only".to_owned(), |t| format!("template {t}"))
    ));
    if let Some(mrz) = &inspection.mrz {
        out.push_str(&format!("MRZ ({}):\n", mrz.source));
        for line in mrz.report["lines"].as_array().into_iter().flatten() {
            out.push_str(&format!("  {}\n", line.as_str().unwrap_or_default()));
        }
        if mrz.by_light.len() > 1 {
            for reading in &mrz.by_light {
                let used = if reading.used { ", used" } else { "" };
                out.push_str(&format!("  under {} ({}{used}): {}\n", tdverify::inspect::lights::light_word(reading.light), reading.status, reading.lines.join(" / ")));
            }
        }
    }
    out.push_str(&format!(
        "\nProposed verdict: {} ({})\n",
        inspection.verdict.proposed.as_str(),
        inspection.verdict.fraud_type.as_str()
    ));
    if !inspection.verdict.because_of.is_empty() {
        out.push_str(&format!("  because of: {}\n", inspection.verdict.because_of.join(", ")));
    }
    for what in &inspection.verdict.recapture {
        out.push_str(&format!("  capture again: {what}\n"));
    }
    if !inspection.verdict.compare_by_eye.is_empty() {
        out.push_str(&format!("  not checked, compare by eye: {}\n", inspection.verdict.compare_by_eye.join(", ")));
    }
    out.push('\n');
    let mut checks: Vec<_> = inspection.checks.iter().collect();
    checks.sort_by_key(|c| std::cmp::Reverse(c.status.severity()));
    for check in checks {
        out.push_str(&format!("  {:<5} {:<34} {}\n", check.status.as_str().to_uppercase().replace("NOT_APPLICABLE", "n/a").replace("NOT_CHECKED", "EYE"), check.id, check.message));
    }
    let ms: Vec<String> = inspection.ms.iter().map(|(stage, ms)| format!("{stage} {ms:.0} ms")).collect();
    out.push_str(&format!("\nTimes: {}\n", ms.join(", ")));
    out
}

/// The chip's contribution: a saved read verified offline, or a read of the
/// virtual eMRTD (`--emulate` on a fixture document folder reads that
/// document's own `chip/`). The key comes from the typed MRZ or the dataset's
/// printed MRZ. A chip that refuses the key gives `chip.access` evidence.
fn chip_evidence(context: &Context, args: &InspectArgs, typed_mrz: Option<&str>) -> Result<Option<tdverify::inspect::ChipEvidence>, String> {
    use tdverify::chip_session::{session, verify};
    let folder = match (&args.chip, &args.emulate) {
        (Some(dir), _) => dir.clone(),
        (None, Some(dir)) => tdverify::chip_session::emulator_folder(dir),
        (None, None) => return Ok(None),
    };
    let folder = &folder;
    let printed = typed_mrz
        .map(str::to_owned)
        .or_else(|| std::fs::read_to_string(folder.join("printed-mrz.txt")).ok())
        .ok_or_else(|| format!("the chip needs the MRZ: give --mrz, or put printed-mrz.txt in {}", folder.display()))?;
    let mut store = tdverify::chip_session::load_csca_store(&context.data_dir).map_err(|e| e.to_string())?;
    if let Some(extra) = &args.csca {
        store.import_path(extra).map_err(|e| format!("{}: {e}", extra.display()))?;
    }
    if args.emulate.is_some() {
        return tdverify::chip_session::evidence::emulated_evidence(folder, &printed, &store).map(Some);
    }
    let (_, printed_mrz) = session::key_from_mrz_text(&printed).map_err(|e| e.officer_message())?;
    let read = tdverify::chip::reader::ChipRead::load(folder).map_err(|e| format!("{}: {e}", folder.display()))?;
    let verification = verify::verify_read(&read, Some(&printed_mrz), &store, tdverify::pki::now_unix());
    Ok(Some(tdverify::chip_session::evidence::inspection_evidence(&read, &verification)))
}

/// Saves the inspection as a draft case; returns its id.
fn save_case(context: &Context, input: &InspectInput, inspection: &tdverify::inspect::Inspection) -> Result<String, super::cases::Failure> {
    let store = super::cases::open_store(&context.data_dir)?;
    let draft = tdverify::case_draft::draft_from_inspection(input.captures.iter().chain(&input.other_side), inspection, input.inspection_date)
        .map_err(|e| super::cases::Failure { code: 1, message: e.to_string() })?;
    let session = store.station_session();
    store.create_case(&session, &draft).map_err(|e| super::cases::Failure { code: 1, message: e.to_string() })
}
