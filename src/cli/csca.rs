//! `tdverify csca ...`: the CSCA trust store passive authentication uses
//! (`<data dir>/csca/`): import master lists, certificates and CRLs; list them with the
//! days each has left. With `--user NAME` (an administrator, password in
//! `TDVERIFY_PASSWORD`) an import is checked against the role and recorded in the case
//! store's audit log, as the Administration screen does.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Context;

/// `tdverify csca`.
#[derive(Debug, clap::Args)]
pub struct CscaArgs {
    #[command(subcommand)]
    command: CscaCommand,
    /// The administrator doing it, so the import is audited (password in TDVERIFY_PASSWORD).
    #[arg(long = "user", value_name = "NAME", global = true)]
    admin: Option<String>,
}

#[derive(Debug, clap::Subcommand)]
enum CscaCommand {
    /// Import a CSCA master list (CMS), a CSCA or link certificate (DER or PEM), a CRL, or a folder of them.
    Import {
        /// The file or folder.
        file: PathBuf,
        /// Print the JSON summary instead of text.
        #[arg(long)]
        json: bool,
    },
    /// List the trusted CSCA certificates.
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// Runs `tdverify csca ...`.
pub fn run(context: &Context, args: CscaArgs) -> ExitCode {
    let dir = tdverify::chip_session::csca_dir(&context.data_dir);
    let mut store = match tdverify::chip_session::load_csca_store(&context.data_dir) {
        Ok(store) => store,
        Err(e) => {
            eprintln!("tdverify csca: cannot load the CSCA store in {}: {e}", dir.display());
            return ExitCode::from(1);
        }
    };
    match args.command {
        CscaCommand::Import { file, json } => {
            // The administrator logs in before anything is written, so a refusal changes nothing.
            let audit = match args.admin.as_deref().map(|admin| audited_session(context, admin)).transpose() {
                Ok(audit) => audit,
                Err(failure) => return super::cases::finish(Err(failure)),
            };
            let summary = match store.import_path(&file) {
                Ok(summary) => summary,
                Err(e) => {
                    eprintln!("tdverify csca: cannot import {}: {e}", file.display());
                    return ExitCode::from(2);
                }
            };
            if let Err(e) = store.save_dir(&dir) {
                eprintln!("tdverify csca: cannot save the CSCA store in {}: {e}", dir.display());
                return ExitCode::from(1);
            }
            if let Some((case_store, session)) = &audit {
                let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                let detail = format!(
                    "imported {name} ({}): {} CSCA added, {} already present, {} CRL added",
                    summary.kind, summary.added, summary.duplicates, summary.crls_added
                );
                if let Err(e) = case_store.record_csca_change(session, &detail) {
                    eprintln!("tdverify csca: imported, but the audit entry failed: {e}");
                    return ExitCode::from(1);
                }
            }
            if json {
                println!("{:#}", serde_json::json!(summary));
            } else {
                println!(
                    "imported {} ({}): {} CSCA certificate(s) added, {} already present, {} CRL(s) added; store: {}",
                    file.display(),
                    summary.kind,
                    summary.added,
                    summary.duplicates,
                    summary.crls_added,
                    dir.display()
                );
                if let Some(signer) = &summary.master_list_signer {
                    println!("  master list signed by {signer}");
                }
                for subject in &summary.subjects {
                    println!("  + {subject}");
                }
                for warning in &summary.warnings {
                    println!("  warning: {warning}");
                }
            }
            if summary.added + summary.duplicates + summary.crls_added == 0 {
                eprintln!("tdverify csca: nothing usable in {}", file.display());
                return ExitCode::from(2);
            }
            ExitCode::SUCCESS
        }
        CscaCommand::List { json } => {
            let summaries = store.summaries();
            if json {
                println!("{:#}", serde_json::json!(summaries));
            } else if summaries.is_empty() {
                println!("no CSCA imported: run `tdverify csca import FILE` with a master list or CSCA certificate");
            } else {
                let now = tdverify::pki::now_unix();
                for (s, cert) in summaries.iter().zip(store.certificates()) {
                    let link = if s.link_certificate { " (link)" } else { "" };
                    let days_left = (cert.not_after - now).div_euclid(86_400);
                    let left = if days_left < 0 {
                        "EXPIRED".to_string()
                    } else if days_left < tdverify::doctor::CSCA_EXPIRY_WARNING_DAYS {
                        format!("{days_left} days left, renew soon")
                    } else {
                        format!("{days_left} days left")
                    };
                    println!("{}{link}  valid {} to {} ({left})  {}", s.subject, s.valid_from, s.valid_to, s.key);
                }
            }
            ExitCode::SUCCESS
        }
    }
}

/// Opens the case store and logs the administrator in, checking they may change the CSCAs.
fn audited_session(
    context: &Context,
    admin: &str,
) -> Result<(tdverify::store::Store, tdverify::store::Session), super::cases::Failure> {
    let case_store = super::cases::open_store(&context.data_dir)?;
    let session = super::export::admin_session(&case_store, admin)?;
    case_store.may_change_csca(&session)?;
    Ok((case_store, session))
}
