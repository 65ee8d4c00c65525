//! `tdverify cases …`, `audit verify`, `backup`, `restore` and `store init`: the
//! scripted face of the case store (issue 9's CLI contract). Everything here reads
//! arguments and secrets, calls `tdverify::store` / `tdverify::report`, and prints.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use tdverify::core::Verdict;
use tdverify::store::{CaseFilter, CaseStatus, Store, StoreError, StoreOptions};

use super::Context;

/// Environment variable holding the station passphrase for scripted use.
const PASSPHRASE_VAR: &str = "TDVERIFY_PASSPHRASE";
/// Environment variable holding the first administrator's password for `store init`.
const ADMIN_PASSWORD_VAR: &str = "TDVERIFY_ADMIN_PASSWORD";

/// `tdverify cases`: list, show and report saved cases.
#[derive(Debug, clap::Args)]
pub struct CasesArgs {
    #[command(subcommand)]
    command: CasesCommand,
}

#[derive(Debug, clap::Subcommand)]
enum CasesCommand {
    /// List cases, newest first (JSON: [{case_id, status, opened, verdict}]).
    List(ListArgs),
    /// Show one case.
    Show(ShowArgs),
    /// Write a case's PDF report.
    Report(ReportArgs),
    /// Record the officer's verdict, fraud type, methods and case context (JSON file).
    Classify(super::export::ClassifyArgs),
    /// Hand a case in (a fraud case needs its context first).
    Submit(super::export::SubmitArgs),
}

#[derive(Debug, clap::Args)]
struct ListArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Only cases in this status: draft, submitted, reviewed.
    #[arg(long, value_name = "STATUS")]
    status: Option<String>,
    /// Only cases with this verdict: genuine, review, fraudulent, inconclusive.
    #[arg(long, value_name = "VERDICT")]
    verdict: Option<String>,
    /// Only documents issued by this state (ICAO three-letter code, e.g. UTO).
    #[arg(long, value_name = "CODE")]
    issuer: Option<String>,
    /// Only cases opened on or after this date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC).
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    /// Only cases opened before this date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC).
    #[arg(long, value_name = "DATE")]
    until: Option<String>,
}

#[derive(Debug, clap::Args)]
struct ShowArgs {
    /// The case id (from `cases list`).
    case_id: String,
    /// Print JSON instead of a summary.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
struct ReportArgs {
    /// The case id (from `cases list`).
    case_id: String,
    /// Where to write the PDF.
    #[arg(long, value_name = "FILE.pdf")]
    out: PathBuf,
}

/// `tdverify audit`: the tamper-evident audit log.
#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    command: AuditCommand,
}

#[derive(Debug, clap::Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain; exit 1 if any entry was edited, deleted or reordered.
    Verify {
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `tdverify backup FILE`: a consistent copy of the encrypted store.
#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// The backup file to write.
    file: PathBuf,
}

/// `tdverify restore FILE`: replace the store with a backup.
#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// The backup file to restore.
    file: PathBuf,
}

/// `tdverify store`: create the case store.
#[derive(Debug, clap::Args)]
pub struct StoreArgs {
    #[command(subcommand)]
    command: StoreCommand,
}

#[derive(Debug, clap::Subcommand)]
enum StoreCommand {
    /// First run: create the encrypted store, its station passphrase and the first administrator.
    Init {
        /// User name of the first administrator.
        #[arg(long, value_name = "NAME", default_value = "admin")]
        admin: String,
    },
}

/// A failure with the exit code it maps to (1: operation failed, 2: bad input).
pub(super) struct Failure {
    pub(super) code: u8,
    pub(super) message: String,
}

impl Failure {
    pub(super) fn input(message: impl Into<String>) -> Failure {
        Failure { code: 2, message: message.into() }
    }
    pub(super) fn failed(message: impl Into<String>) -> Failure {
        Failure { code: 1, message: message.into() }
    }
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Failure {
        let code = match error {
            StoreError::InvalidArgument(_)
            | StoreError::CaseNotFound(_)
            | StoreError::WeakPassword(_)
            | StoreError::Context(_)
            | StoreError::IncompleteContext { .. } => 2,
            _ => 1,
        };
        Failure { code, message: error.to_string() }
    }
}

pub(super) fn finish(result: Result<(), Failure>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("tdverify: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

/// Where the secret came from, so messages can say what to fix.
fn station_passphrase(purpose: &str) -> Result<String, Failure> {
    secret_from_env_or_prompt(
        PASSPHRASE_VAR,
        &format!("Station passphrase ({purpose}): "),
        "the station passphrase",
    )
}

pub(super) fn secret_from_env_or_prompt(variable: &str, prompt: &str, what: &str) -> Result<String, Failure> {
    if let Ok(value) = std::env::var(variable)
        && !value.is_empty()
    {
        return Ok(value);
    }
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password(prompt)
            .map_err(|e| Failure::failed(format!("cannot read {what} from the terminal: {e}")));
    }
    Err(Failure::input(format!(
        "{what} is needed: set the environment variable {variable} (e.g. `{variable}=… tdverify …`) \
         or run the command in a terminal to be asked for it"
    )))
}

pub(super) fn open_store(data_dir: &Path) -> Result<Store, Failure> {
    if !Store::exists(data_dir) {
        return Err(Failure::failed(format!(
            "no case store in {}: create it first with `tdverify --data-dir {} store init`",
            data_dir.display(),
            data_dir.display()
        )));
    }
    let passphrase = station_passphrase("to unlock the case store")?;
    let store = Store::open(data_dir, &passphrase, StoreOptions::default())?;
    // Retention applies whenever the store is opened (purges are audited).
    if let Err(e) = store.purge_expired(&store.station_session()) {
        tracing::warn!(error = %e, "retention purge failed");
    }
    Ok(store)
}

/// Runs `tdverify cases …`.
pub fn run_cases(context: &Context, args: CasesArgs) -> ExitCode {
    finish(match args.command {
        CasesCommand::List(list) => list_cases(&context.data_dir, &list),
        CasesCommand::Show(show) => show_case(&context.data_dir, &show),
        CasesCommand::Report(report) => report_case(&context.data_dir, &report),
        CasesCommand::Classify(args) => super::export::classify(&context.data_dir, &args),
        CasesCommand::Submit(args) => super::export::submit(&context.data_dir, &args),
    })
}

fn parse_filter(args: &ListArgs) -> Result<CaseFilter, Failure> {
    let mut filter = CaseFilter::default();
    if let Some(status) = &args.status {
        filter.status = Some(
            CaseStatus::parse(status.trim())
                .ok_or_else(|| Failure::input(format!("unknown status `{status}`: use draft, submitted or reviewed")))?,
        );
    }
    if let Some(verdict) = &args.verdict {
        filter.verdict = Some(parse_verdict(verdict).ok_or_else(|| {
            Failure::input(format!("unknown verdict `{verdict}`: use genuine, review, fraudulent or inconclusive"))
        })?);
    }
    if let Some(issuer) = &args.issuer {
        filter.issuing_state = Some(issuer.trim().to_uppercase());
    }
    let date = |text: &str| {
        tdverify::store::time::parse_utc(text)
            .ok_or_else(|| Failure::input(format!("cannot read the date `{text}`: use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ")))
    };
    if let Some(since) = &args.since {
        filter.opened_from = Some(date(since)?);
    }
    if let Some(until) = &args.until {
        filter.opened_to = Some(date(until)?);
    }
    Ok(filter)
}

/// Parses a verdict's stable name.
pub fn parse_verdict(name: &str) -> Option<Verdict> {
    [Verdict::Genuine, Verdict::Review, Verdict::Fraudulent, Verdict::Inconclusive, Verdict::Recapture]
        .into_iter()
        .find(|verdict| verdict.as_str() == name.trim())
}

fn list_cases(data_dir: &Path, args: &ListArgs) -> Result<(), Failure> {
    let filter = parse_filter(args)?;
    let store = open_store(data_dir)?;
    let entries = store.list_case_entries(&store.station_session(), &filter)?;
    if args.json {
        print_json(&entries)
    } else {
        if entries.is_empty() {
            println!("No cases.");
            return Ok(());
        }
        println!("{:<38} {:<10} {:<21} VERDICT", "CASE", "STATUS", "OPENED (UTC)");
        for entry in &entries {
            println!(
                "{:<38} {:<10} {:<21} {}",
                entry.case_id,
                entry.status.as_str(),
                entry.opened,
                entry.verdict.map(Verdict::as_str).unwrap_or("-")
            );
        }
        println!("{} case(s)", entries.len());
        Ok(())
    }
}

pub(super) fn print_json<T: serde::Serialize>(value: &T) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Failure::failed(format!("cannot write JSON: {e}")))?;
    println!("{text}");
    Ok(())
}

fn show_case(data_dir: &Path, args: &ShowArgs) -> Result<(), Failure> {
    let store = open_store(data_dir)?;
    let case = store.open_case(&store.station_session(), args.case_id.trim())?;
    let view = case.to_view();
    if args.json {
        return print_json(&view);
    }
    println!("Case      {}", view.case_id);
    println!("Status    {}", view.status.as_str());
    println!("Opened    {}", view.opened);
    println!("Updated   {}", view.updated);
    println!("Officer   {}", view.officer);
    if let Some(reviewer) = &view.reviewed_by {
        println!("Reviewed  by {reviewer} at {}", view.reviewed_at.as_deref().unwrap_or("?"));
    }
    println!(
        "Document  {} {}",
        view.metadata.issuing_state.as_deref().unwrap_or("?"),
        view.metadata.document_code.as_deref().unwrap_or("")
    );
    println!("Proposed  {}", view.metadata.proposed_verdict.map(Verdict::as_str).unwrap_or("-"));
    println!("Officer's {}", view.classification.officer_verdict.map(Verdict::as_str).unwrap_or("-"));
    if let Some(fraud) = view.classification.fraud_type {
        println!("Fraud     {}", fraud.as_str());
    }
    let checks = tdverify::report::checks_from_inspection(&view.inspection);
    if !checks.is_empty() {
        println!("Checks:");
        for check in &checks {
            println!("  {:<15} {:<40} {}", check.status.as_str(), check.id, check.message);
        }
    }
    for note in &view.notes {
        println!("Note      {} {}: {}", note.created, note.author, note.text);
    }
    Ok(())
}

fn report_case(data_dir: &Path, args: &ReportArgs) -> Result<(), Failure> {
    let store = open_store(data_dir)?;
    let case = store.open_case(&store.station_session(), args.case_id.trim())?;
    let input = tdverify::report::input_from_case(&case);
    // The PDF holds personal data in clear: the export is audited before the file exists.
    store.record_case_export(&store.station_session(), &case.case_id, &format!("PDF report to {}", args.out.display()))?;
    let written = tdverify::report::write_pdf(&input, &args.out).map_err(|e| Failure::failed(e.to_string()))?;
    println!("Report written to {} ({} bytes)", args.out.display(), written);
    Ok(())
}

/// Runs `tdverify audit …`.
pub fn run_audit(context: &Context, args: AuditArgs) -> ExitCode {
    finish(match args.command {
        AuditCommand::Verify { json } => verify_audit(&context.data_dir, json),
    })
}

fn verify_audit(data_dir: &Path, json: bool) -> Result<(), Failure> {
    let store = open_store(data_dir)?;
    let report = store.verify_audit(&store.station_session())?;
    if json {
        print_json(&report)?;
    } else if report.intact {
        println!("Audit log intact: {} entries, head {}", report.entries, report.head_hash);
    } else {
        println!("Audit log TAMPERED: {} entries read, {} problem(s):", report.entries, report.problems.len());
        for problem in &report.problems {
            println!("  entry {}: {}", problem.seq, describe_problem(problem.kind));
        }
    }
    if report.intact {
        Ok(())
    } else {
        Err(Failure::failed(format!(
            "the audit log has been tampered with ({} problem(s)); keep this database for investigation",
            report.problems.len()
        )))
    }
}

fn describe_problem(kind: tdverify::store::AuditProblemKind) -> &'static str {
    use tdverify::store::AuditProblemKind;
    match kind {
        AuditProblemKind::Edited => "edited (its content no longer matches its hash)",
        AuditProblemKind::Missing => "entries before it were deleted",
        AuditProblemKind::OutOfOrder => "out of order (moved or swapped)",
        AuditProblemKind::TruncatedEnd => "entries removed from the end of the log",
    }
}

/// Runs `tdverify backup FILE`.
pub fn run_backup(context: &Context, args: BackupArgs) -> ExitCode {
    finish((|| {
        let store = open_store(&context.data_dir)?;
        let report = store.backup(&store.station_session(), &args.file)?;
        println!("Backup written to {} ({} bytes, still encrypted)", report.path.display(), report.bytes);
        Ok(())
    })())
}

/// Runs `tdverify restore FILE`.
pub fn run_restore(context: &Context, args: RestoreArgs) -> ExitCode {
    finish((|| {
        let passphrase = station_passphrase("of the backup")?;
        let store = Store::restore(&context.data_dir, &args.file, &passphrase, StoreOptions::default())?;
        let report = store.verify_audit(&store.station_session())?;
        println!(
            "Restored {} into {} (audit log: {} entries, {})",
            args.file.display(),
            context.data_dir.display(),
            report.entries,
            if report.intact { "intact" } else { "NOT intact" }
        );
        Ok(())
    })())
}

/// Runs `tdverify store init`.
pub fn run_store(context: &Context, args: StoreArgs) -> ExitCode {
    finish(match args.command {
        StoreCommand::Init { admin } => init_store(&context.data_dir, &admin),
    })
}

fn init_store(data_dir: &Path, admin: &str) -> Result<(), Failure> {
    if Store::exists(data_dir) {
        return Err(Failure::failed(format!("a case store already exists in {}", data_dir.display())));
    }
    let min = tdverify::store::MIN_PASSWORD_CHARS;
    let passphrase = secret_from_env_or_prompt(
        PASSPHRASE_VAR,
        &format!("New station passphrase (at least {min} characters): "),
        "a new station passphrase",
    )?;
    if std::env::var_os(PASSPHRASE_VAR).is_none() {
        let again = secret_from_env_or_prompt(PASSPHRASE_VAR, "Repeat the station passphrase: ", "the passphrase again")?;
        if again != passphrase {
            return Err(Failure::input("the two passphrases differ; nothing was created"));
        }
    }
    let password = secret_from_env_or_prompt(
        ADMIN_PASSWORD_VAR,
        &format!("Password of the administrator `{admin}` (at least {min} characters): "),
        "the first administrator's password",
    )?;
    // Check both secrets before creating anything, so a weak password leaves no half-made store.
    for (secret, what) in [(&passphrase, "station passphrase"), (&password, "administrator password")] {
        if secret.chars().count() < min {
            return Err(Failure::input(format!("the {what} is too short: at least {min} characters")));
        }
    }
    let store = Store::initialize(data_dir, &passphrase, StoreOptions::default())?;
    store.create_first_admin(admin, &password)?;
    println!(
        "Case store created in {} with administrator `{admin}`. Keep the station passphrase safe: \
         without it no case can be read.",
        data_dir.display()
    );
    Ok(())
}
