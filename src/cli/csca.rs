//! `tdverify csca ...`: the CSCA trust store passive authentication uses
//! (`<data dir>/csca/`): import master lists, certificates and CRLs; list them with the
//! days each has left; remove one. With `--user NAME` (an administrator, password in
//! `TDVERIFY_PASSWORD`) an import is checked against the role and recorded in the case
//! store's audit log, as the Administration screen does; a removal always needs it.

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
    /// List the trusted CSCA certificates (with the start of each one's SHA-256, to name it).
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Stop trusting one CSCA certificate (chips signed under it no longer verify); an
    /// administrator's `--user` is required, and the removal is audited.
    Remove {
        /// The certificate's SHA-256 in hex, or its first 8 or more digits (see `csca list`).
        sha256: String,
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
        CscaCommand::Remove { sha256 } => remove(context, args.admin.as_deref(), &sha256),
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
                    let sha = s.sha256.get(..16).unwrap_or(&s.sha256);
                    println!(
                        "{sha}  {}{link}  valid {} to {} ({left})  {}",
                        s.subject, s.valid_from, s.valid_to, s.key
                    );
                }
            }
            ExitCode::SUCCESS
        }
    }
}

/// `csca remove`: the administrator logs in, the one certificate the prefix names is
/// removed, and the removal is audited.
fn remove(context: &Context, admin: Option<&str>, sha256: &str) -> ExitCode {
    let Some(admin) = admin else {
        eprintln!("tdverify csca remove: say who removes it: --user ADMIN (password in TDVERIFY_PASSWORD)");
        return ExitCode::from(2);
    };
    let wanted = sha256.trim().to_ascii_lowercase();
    if wanted.len() < 8 || !wanted.bytes().all(|b| b.is_ascii_hexdigit()) {
        eprintln!(
            "tdverify csca remove: {sha256:?} is not 8 or more hex digits of a certificate's SHA-256 (see csca list)"
        );
        return ExitCode::from(2);
    }
    let (case_store, session) = match audited_session(context, admin) {
        Ok(pair) => pair,
        Err(failure) => return super::cases::finish(Err(failure)),
    };
    let rows = match tdverify::chip_session::trust_store::csca_rows(&context.data_dir, tdverify::pki::now_unix()) {
        Ok((rows, _)) => rows,
        Err(e) => {
            eprintln!("tdverify csca remove: cannot read the CSCA store: {e}");
            return ExitCode::from(1);
        }
    };
    let matching: Vec<_> = rows.iter().filter(|row| row.sha256.starts_with(&wanted)).collect();
    let row = match matching.as_slice() {
        [row] => *row,
        [] => {
            eprintln!("tdverify csca remove: no trusted CSCA has a SHA-256 starting with {wanted} (see csca list)");
            return ExitCode::from(2);
        }
        _ => {
            eprintln!("tdverify csca remove: {} CSCAs start with {wanted}: give more digits", matching.len());
            return ExitCode::from(2);
        }
    };
    // Audited before the file goes: a removal that cannot be recorded is not made.
    let detail = format!("removed CSCA {} ({})", row.subject, row.sha256.get(..16).unwrap_or(&row.sha256));
    if let Err(e) = case_store.record_csca_change(&session, &detail) {
        eprintln!("tdverify csca remove: not removed, the audit entry failed: {e}");
        return ExitCode::from(1);
    }
    match tdverify::chip_session::trust_store::remove_csca_certificate(&context.data_dir, &row.sha256) {
        Ok(_) => {
            println!("{detail}; chips signed under it no longer verify");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("tdverify csca remove: {e}");
            ExitCode::from(1)
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
