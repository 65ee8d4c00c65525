//! `tdverify csca ...`: the CSCA trust store passive authentication uses
//! (`<data dir>/csca/`): import master lists, certificates and CRLs; list them.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Context;

/// `tdverify csca`.
#[derive(Debug, clap::Args)]
pub struct CscaArgs {
    #[command(subcommand)]
    command: CscaCommand,
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
                for s in summaries {
                    let link = if s.link_certificate { " (link)" } else { "" };
                    println!("{}{link}  valid {} to {}  {}", s.subject, s.valid_from, s.valid_to, s.key);
                }
            }
            ExitCode::SUCCESS
        }
    }
}
