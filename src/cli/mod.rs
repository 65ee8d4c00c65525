//! Command-line interface (clap). Exit codes: 0 success, 1 a required part is
//! missing or an operation failed, 2 bad input (with a message on stderr).

mod capture;
mod demo;
mod doctor;
mod face;
mod gui;
mod inspect;
mod mrz;
mod reference;
mod retention;
mod station;
mod chip;
mod csca;
mod cases;
mod export;
mod sltd;
mod trends;
mod training;
mod users;
mod watch;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// tdverify: offline verifier of travel documents and their bearers.
#[derive(Debug, Parser)]
#[command(name = "tdverify", version, about, long_about = None)]
pub struct Cli {
    /// Folder for cases, logs and settings (default: the user's data folder).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Print debug logs on standard error.
    #[arg(long, short, global = true)]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the window (the default).
    Gui(gui::GuiArgs),
    /// Check every subsystem and say how to fix what is missing.
    Doctor(doctor::DoctorArgs),
    /// Run a demo inspection on a sample document, without a window.
    Demo(demo::DemoArgs),
    /// Parse and validate an MRZ (lines on standard input, or --image FILE).
    Mrz(mrz::MrzArgs),
    /// Inspect a document: MRZ, security features, faces; propose a verdict.
    Inspect(inspect::InspectArgs),
    /// Compare faces: `face compare A B`, `face compare --pairs LIST`.
    Face(face::FaceArgs),
    /// Read and verify eMRTD chips (PC/SC or the virtual chip), verify saved reads, emulate.
    Chip(chip::ChipArgs),
    /// The CSCA trust store for passive authentication: import master lists, certificates, CRLs.
    Csca(csca::CscaArgs),
    /// Saved cases: list, show, PDF report (needs the station passphrase).
    Cases(cases::CasesArgs),
    /// The tamper-evident audit log: `audit verify`.
    Audit(cases::AuditArgs),
    /// Copy the encrypted case store to a file.
    Backup(cases::BackupArgs),
    /// Replace the case store with a backup.
    Restore(cases::RestoreArgs),
    /// Create the case store (first run): `store init`.
    Store(cases::StoreArgs),
    /// Anonymised, signed DESC bundle of a period's fraud cases (Supervisor); `export verify BUNDLE`; `export key`.
    Export(export::ExportArgs),
    /// User accounts (administrator): add, list, disable, enable, unlock, reset-password, role.
    Users(users::UsersArgs),
    /// How long cases are kept (administrator): show, set DAYS|keep, purge.
    Retention(retention::RetentionArgs),
    /// Document templates: list, validate a template pack, import one (administrator).
    Reference(reference::ReferenceArgs),
    /// The station id, its policies and this desk's detection-point defaults: show, set.
    Station(station::StationArgs),
    /// The offline stolen and lost documents hotlist: import, status, check, trust, make-test-bundle.
    Sltd(sltd::SltdArgs),
    /// Trends dashboard data: import stations' bundles, query with small-number suppression, alerts, TEST-ONLY demo bundles.
    Trends(trends::TrendsArgs),
    /// Training mode: practice sessions on fixture documents (create, score, import, record, history, class, export, trust).
    Training(training::TrainingArgs),
    /// The scanner hot folder: inspect complete sets as they arrive; `--configure` (administrator), `--show`.
    Watch(watch::WatchArgs),
    /// Take a still from a camera (`camera:N`) or a folder of images, by itself when sharp and still (`--auto`).
    Capture(capture::CaptureArgs),
}

/// Global context every command gets.
pub struct Context {
    /// Where cases, logs and settings live.
    pub data_dir: PathBuf,
    /// The settings file.
    pub settings_file: PathBuf,
    /// Bundled files.
    pub resources: tdverify::resources::Resources,
}

/// Parses arguments and runs the command.
pub fn main() -> ExitCode {
    let started = std::time::Instant::now();
    let cli = Cli::parse();
    let settings_file = match &cli.data_dir {
        Some(dir) => tdverify::settings::Settings::file_in(dir),
        None => tdverify::resources::default_settings_file(),
    };
    let settings = match tdverify::settings::Settings::load(&settings_file) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("tdverify: {e}; using default settings (the file is left as it is)");
            tdverify::settings::Settings::default()
        }
    };
    let data_dir = cli.data_dir.clone().unwrap_or_else(|| settings.data_dir.clone());
    let _logs = tdverify::logging::init(&data_dir, cli.verbose);
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "tdverify started");
    let context = Context { data_dir, settings_file, resources: tdverify::resources::Resources::discover() };
    match cli.command.unwrap_or(Command::Gui(gui::GuiArgs::default())) {
        Command::Gui(args) => gui::run(&context, settings, args, started),
        Command::Doctor(args) => doctor::run(&context, args),
        Command::Demo(args) => demo::run(&context, args),
        Command::Mrz(args) => mrz::run(&context, args),
        Command::Inspect(args) => inspect::run_command(&context, args),
        Command::Face(args) => face::run(&context, args),
        Command::Chip(args) => chip::run(&context, args),
        Command::Csca(args) => csca::run(&context, args),
        Command::Cases(args) => cases::run_cases(&context, args),
        Command::Audit(args) => cases::run_audit(&context, args),
        Command::Backup(args) => cases::run_backup(&context, args),
        Command::Restore(args) => cases::run_restore(&context, args),
        Command::Store(args) => cases::run_store(&context, args),
        Command::Export(args) => export::run_export(&context, args),
        Command::Users(args) => users::run(&context, args),
        Command::Retention(args) => retention::run(&context, args),
        Command::Reference(args) => reference::run(&context, args),
        Command::Station(args) => station::run(&context, args),
        Command::Sltd(args) => sltd::run(&context, args),
        Command::Trends(args) => trends::run(&context, args),
        Command::Training(args) => training::run(&context, args),
        Command::Watch(args) => watch::run_command(&context, args),
        Command::Capture(args) => capture::run(&context, args),
    }
}
