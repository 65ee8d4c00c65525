//! `tdverify chip ...`: read a chip (PC/SC or the in-process virtual eMRTD),
//! verify a saved read offline, serve a dataset to pcscd through vpcd, and
//! write the TEST-ONLY chip fixtures.
//!
//! Exit codes: 0 read and every check passed or warned, 1 the operation failed
//! (no reader, no document, access denied, chip error), 2 bad input, 3 the chip
//! was read but a check failed (the officer must look).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use tdverify::chip::emulator::{self, ChipDataset, Fault, VirtualChip};
use tdverify::chip::reader::ChipRead;
use tdverify::chip_session::fixtures::FixtureSet;
use tdverify::chip_session::session::{self, ChipSource, SessionEvent, SessionOptions};
use tdverify::chip_session::verify::{self, ChipVerification};
use tdverify::core::CheckStatus;

use super::Context;

/// Name of the printed MRZ saved next to a read, used by `chip verify`.
const PRINTED_MRZ_FILE: &str = "printed-mrz.txt";

/// `tdverify chip`.
#[derive(Debug, clap::Args)]
pub struct ChipArgs {
    #[command(subcommand)]
    command: ChipCommand,
}

#[derive(Debug, clap::Subcommand)]
enum ChipCommand {
    /// Read and verify a chip: access with the MRZ (BAC/PACE) or CAN, read, passive,
    /// active and chip authentication, and the chip against the printed MRZ.
    Read(ReadArgs),
    /// Verify a saved read offline (passive authentication and consistency).
    Verify(VerifyArgs),
    /// Serve a chip dataset to pcscd through the vsmartcard vpcd driver (Ctrl-C stops).
    Emulate(EmulateArgs),
    /// Write the TEST-ONLY chip fixture set (genuine and negative cases, test PKI).
    Fixtures(FixturesArgs),
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("key").required(true).args(["mrz_from", "mrz", "can"])))]
struct ReadArgs {
    /// PC/SC reader to use (default: the first with a document).
    #[arg(long, value_name = "NAME")]
    reader: Option<String>,
    /// File holding the printed MRZ lines.
    #[arg(long, value_name = "FILE")]
    mrz_from: Option<PathBuf>,
    /// The printed MRZ lines (separated by newlines or spaces).
    #[arg(long, value_name = "LINES")]
    mrz: Option<String>,
    /// Card Access Number (6 digits, ID cards).
    #[arg(long, value_name = "CAN")]
    can: Option<String>,
    /// Save the files read (`<FILE>.bin`, chip-read.json, printed-mrz.txt) here.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Print the JSON contract instead of text.
    #[arg(long)]
    json: bool,
    /// Read the in-process virtual chip of this dataset folder instead of a reader (demo, training).
    #[arg(long, value_name = "DIR", conflicts_with = "reader")]
    emulate: Option<PathBuf>,
    /// Seconds to wait for the document to be placed (and put back after it was pulled).
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    wait: u64,
    /// Emulator only: the card leaves the field at this APDU (tests and training).
    #[arg(long, value_name = "N", requires = "emulate", hide = true)]
    emulate_pull_at: Option<u32>,
}

#[derive(Debug, clap::Args)]
struct VerifyArgs {
    /// Folder of a saved read (`chip read --out`) or a chip dataset.
    dir: PathBuf,
    /// File with the printed MRZ (default: printed-mrz.txt in DIR, if any).
    #[arg(long, value_name = "FILE")]
    mrz_from: Option<PathBuf>,
    /// The printed MRZ lines.
    #[arg(long, value_name = "LINES", conflicts_with = "mrz_from")]
    mrz: Option<String>,
    /// Print the JSON contract instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
struct EmulateArgs {
    /// Chip dataset folder (`<FILE>.bin` + chip-secrets.json).
    #[arg(long, value_name = "DIR")]
    fixture: PathBuf,
    /// vpcd host.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// vpcd port.
    #[arg(long, default_value_t = emulator::vpcd::DEFAULT_PORT)]
    port: u16,
}

#[derive(Debug, clap::Args)]
struct FixturesArgs {
    /// Output folder (one folder per case, plus pki/).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

/// Runs `tdverify chip ...`.
pub fn run(context: &Context, args: ChipArgs) -> ExitCode {
    match args.command {
        ChipCommand::Read(args) => read(context, args),
        ChipCommand::Verify(args) => verify_saved(context, args),
        ChipCommand::Emulate(args) => emulate(args),
        ChipCommand::Fixtures(args) => fixtures(args),
    }
}

/// MRZ text from `--mrz` (spaces allowed between lines) or `--mrz-from`.
fn mrz_text(mrz: Option<&str>, mrz_from: Option<&Path>) -> Result<Option<String>, String> {
    if let Some(lines) = mrz {
        return Ok(Some(lines.split_whitespace().collect::<Vec<_>>().join("\n")));
    }
    match mrz_from {
        Some(path) => std::fs::read_to_string(path).map(Some).map_err(|e| format!("cannot read {}: {e}", path.display())),
        None => Ok(None),
    }
}

fn load_store(context: &Context) -> Result<tdverify::pki::CscaStore, String> {
    tdverify::chip_session::load_csca_store(&context.data_dir)
        .map_err(|e| format!("cannot load the CSCA store in {}: {e}", tdverify::chip_session::csca_dir(&context.data_dir).display()))
}

fn read(context: &Context, args: ReadArgs) -> ExitCode {
    let text = match mrz_text(args.mrz.as_deref(), args.mrz_from.as_deref()) {
        Ok(text) => text,
        Err(e) => return bad_input(&e),
    };
    let (key, printed) = match (&text, &args.can) {
        (Some(text), _) => match session::key_from_mrz_text(text) {
            Ok((key, printed)) => (key, Some(printed)),
            Err(e) => return bad_input(&e.to_string()),
        },
        (None, Some(can)) => match session::key_from_can(can) {
            Ok(key) => (key, None),
            Err(e) => return bad_input(&e.to_string()),
        },
        (None, None) => return bad_input("give the key: --mrz-from FILE, --mrz LINES or --can CAN"),
    };
    let store = match load_store(context) {
        Ok(store) => store,
        Err(e) => return failed(&e),
    };
    if store.certificates().is_empty() {
        eprintln!("note: no CSCA imported yet, so passive authentication cannot trust any chip: run `tdverify csca import FILE` with your master list");
    }
    let source = match &args.emulate {
        Some(dir) => match ChipDataset::load(dir) {
            Ok(dataset) => {
                eprintln!("reading the virtual chip of {} (emulator, TEST-ONLY)", dir.display());
                let mut chip = VirtualChip::new(dataset);
                if let Some(at) = args.emulate_pull_at {
                    chip = chip.with_fault(Fault::PulledAt(at));
                }
                ChipSource::Emulator(Box::new(chip))
            }
            Err(e) => return bad_input(&format!("cannot load the chip dataset {}: {e}", dir.display())),
        },
        None => ChipSource::Reader(args.reader.clone()),
    };
    let options = SessionOptions { wait_for_document: Duration::from_secs(args.wait), wait_for_return: Duration::from_secs(args.wait), max_resumes: 3 };
    let mut progress = ProgressPrinter::new();
    let outcome = session::read_chip(source, key, options, &mut |event| progress.show(&event));
    progress.finish();
    let read = match outcome {
        Ok(read) => read,
        Err(e) => {
            let message = e.officer_message();
            let error = e.into_read_error();
            if args.json {
                let mut json = verify::failure_json(&error);
                json["error"] = serde_json::Value::String(message.clone());
                println!("{json:#}");
            }
            return failed(&message);
        }
    };
    let verification = verify::verify_read(&read, printed.as_ref(), &store, tdverify::pki::now_unix());
    if let Some(dir) = &args.out {
        if let Err(e) = read.save(dir) {
            return failed(&format!("cannot save the read to {}: {e}", dir.display()));
        }
        if let Some(text) = &text {
            let path = dir.join(PRINTED_MRZ_FILE);
            if let Err(e) = std::fs::write(&path, format!("{}\n", text.trim())) {
                return failed(&format!("cannot write {}: {e}", path.display()));
            }
        }
        eprintln!("saved to {}", dir.display());
    }
    report(&read, &verification, args.json)
}

fn verify_saved(context: &Context, args: VerifyArgs) -> ExitCode {
    let read = match ChipRead::load(&args.dir) {
        Ok(read) => read,
        Err(e) => return bad_input(&format!("cannot load a chip read from {}: {e}", args.dir.display())),
    };
    let default_mrz = args.dir.join(PRINTED_MRZ_FILE);
    let mrz_from = args.mrz_from.clone().or_else(|| default_mrz.exists().then_some(default_mrz));
    let printed = match mrz_text(args.mrz.as_deref(), mrz_from.as_deref()) {
        Ok(Some(text)) => match tdverify::mrz::parse(&text) {
            Ok(parsed) => Some(parsed),
            Err(e) => return bad_input(&format!("printed MRZ: {e}")),
        },
        Ok(None) => None,
        Err(e) => return bad_input(&e),
    };
    let store = match load_store(context) {
        Ok(store) => store,
        Err(e) => return failed(&e),
    };
    let verification = verify::verify_read(&read, printed.as_ref(), &store, tdverify::pki::now_unix());
    report(&read, &verification, args.json)
}

fn report(read: &ChipRead, verification: &ChipVerification, json: bool) -> ExitCode {
    if json {
        println!("{:#}", verify::report_json(read, verification));
    } else {
        print!("{}", report_text(read, verification));
    }
    if verification.any_failed() { ExitCode::from(3) } else { ExitCode::SUCCESS }
}

/// The text report: summary lines, then every check, failures first.
fn report_text(read: &ChipRead, verification: &ChipVerification) -> String {
    let json = verify::report_json(read, verification);
    let field = |name: &str, key: &str| -> String { json[name][key].as_str().unwrap_or("-").to_string() };
    let mut out = String::new();
    let access = json["access"].as_str().unwrap_or("-");
    let protocol = read.pace_protocol.as_deref().map(|p| format!(" ({p})")).unwrap_or_default();
    out.push_str(&format!("access        {access}{protocol}\n"));
    out.push_str(&format!("data groups   {}\n", read.files.keys().map(|f| f.name()).collect::<Vec<_>>().join(", ")));
    for (label, name) in [("passive auth", "pa"), ("active auth", "aa"), ("chip auth", "ca"), ("clone", "clone"), ("consistency", "consistency")] {
        out.push_str(&format!("{label:<13} {:<13} {}\n", field(name, "status"), field(name, "reason")));
    }
    out.push_str(&format!("apdus         {}   ({:.0} ms)\n\nchecks:\n", read.apdu_count, read.timings.total_ms));
    let mut checks: Vec<_> = verification.checks.iter().collect();
    checks.sort_by_key(|c| std::cmp::Reverse(c.status.severity()));
    for check in checks {
        out.push_str(&format!("  {:<14} {:<30} {}\n", check.status.as_str(), check.id, check.message));
    }
    out.push_str(&format!("\nverdict: {}\n", match verification.worst_status() {
        CheckStatus::Fail => "FAILED: the chip does not confirm this document (see the failed checks)",
        CheckStatus::Error => "INCOMPLETE: some checks could not run",
        CheckStatus::Warn => "passed with warnings",
        _ => "passed",
    }));
    out
}

/// Progress on standard error: one line per file, rewritten in place on a terminal.
struct ProgressPrinter {
    current: Option<String>,
    terminal: bool,
}

impl ProgressPrinter {
    fn new() -> ProgressPrinter {
        ProgressPrinter { current: None, terminal: std::io::stderr().is_terminal() }
    }

    fn show(&mut self, event: &SessionEvent) {
        let mut err = std::io::stderr().lock();
        match event {
            SessionEvent::PlaceDocument(reader) => {
                let _ = writeln!(err, "place the document on the reader{}…", reader.as_deref().map(|r| format!(" `{r}`")).unwrap_or_default());
            }
            SessionEvent::Reading(reader) => {
                let _ = writeln!(err, "reading the chip on {reader}");
            }
            SessionEvent::Progress(p) => {
                let name = p.file.name();
                if self.current.as_deref() != Some(name.as_str()) {
                    if self.current.is_some() && self.terminal {
                        let _ = writeln!(err);
                    }
                    self.current = Some(name.clone());
                }
                if self.terminal {
                    let _ = write!(err, "\r  {name:<11} {:>6} / {:>6} bytes", p.bytes_read, p.total);
                } else if p.total > 0 && p.bytes_read >= p.total {
                    let _ = writeln!(err, "  {name:<11} {:>6} bytes", p.total);
                }
            }
            SessionEvent::CardRemoved => {
                self.finish_line(&mut err);
                let _ = writeln!(err, "card removed: place the document on the reader again to resume");
            }
            SessionEvent::Resumed => {
                let _ = writeln!(err, "document back: resuming the read");
            }
        }
    }

    fn finish_line(&mut self, err: &mut impl Write) {
        if self.current.take().is_some() && self.terminal {
            let _ = writeln!(err);
        }
    }

    fn finish(&mut self) {
        let mut err = std::io::stderr().lock();
        self.finish_line(&mut err);
    }
}

fn emulate(args: EmulateArgs) -> ExitCode {
    let dataset = match ChipDataset::load(&args.fixture) {
        Ok(dataset) => dataset,
        Err(e) => return bad_input(&format!("cannot load the chip dataset {}: {e}", args.fixture.display())),
    };
    eprintln!(
        "serving the TEST-ONLY virtual chip of {} to vpcd at {}:{} (reader \"Virtual PCD 00 00\"); Ctrl-C stops",
        args.fixture.display(),
        args.host,
        args.port
    );
    let stop = Arc::new(AtomicBool::new(false));
    match emulator::vpcd::run(VirtualChip::new(dataset), &args.host, args.port, stop) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => failed(&format!(
            "{e}: is pcscd running with the vsmartcard vpcd driver? (Debian: apt install pcscd vsmartcard-vpcd; then start pcscd)"
        )),
    }
}

fn fixtures(args: FixturesArgs) -> ExitCode {
    let written = FixtureSet::generate().and_then(|set| set.write(&args.out));
    match written {
        Ok(paths) => {
            println!("TEST-ONLY chip fixtures written to {} ({} items):", args.out.display(), paths.len());
            for path in paths {
                println!("  {}", path.display());
            }
            println!("trust them with: tdverify csca import {}", args.out.join("pki").join("TEST-masterlist-UTO.ml").display());
            ExitCode::SUCCESS
        }
        Err(e) => failed(&format!("cannot write the fixtures: {e}")),
    }
}

fn bad_input(message: &str) -> ExitCode {
    eprintln!("tdverify chip: {message}");
    ExitCode::from(2)
}

fn failed(message: &str) -> ExitCode {
    eprintln!("tdverify chip: {message}");
    ExitCode::from(1)
}
