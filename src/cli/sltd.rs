//! `tdverify sltd …`: the offline stolen and lost documents hotlist (docs/SLTD.md).
//! Import a signed bundle, show its status, check one document, trust a publisher's
//! key (administrator), and make TEST-ONLY bundles.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use tdverify::sltd::{self, DocumentKey, Entry, Hotlist, Lookup, Status, TrustedKeys};

use super::Context;
use super::cases::{Failure, finish, open_store, print_json, secret_from_env_or_prompt};

/// `tdverify sltd`.
#[derive(Debug, clap::Args)]
pub struct SltdArgs {
    #[command(subcommand)]
    command: SltdCommand,
}

#[derive(Debug, clap::Subcommand)]
enum SltdCommand {
    /// Verify a signed hotlist bundle and make it the station's copy (the old copy stays if anything fails).
    Import {
        /// The bundle file.
        file: PathBuf,
        /// Accept a bundle older than the copy in use.
        #[arg(long)]
        allow_older: bool,
        /// Print the new status as JSON.
        #[arg(long)]
        json: bool,
    },
    /// The copy in use: as-of date, entries, age (JSON: {as_of, entries, age_days, issuer, stale}).
    Status {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Look one document up (JSON: {hit, status?, reported?, as_of}).
    Check {
        /// Document number.
        #[arg(long)]
        number: String,
        /// Issuing state (ICAO code).
        #[arg(long)]
        state: String,
        /// Document type (`P`, `I`, `A`, `C`, `V` or the full code).
        #[arg(long = "type", value_name = "TYPE")]
        doc_type: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Trust a hotlist publisher's Ed25519 key (administrator; password in TDVERIFY_PASSWORD).
    Trust {
        /// `ed25519:HEX`.
        key: String,
        /// A name for it (the NCB).
        #[arg(long, default_value = "")]
        label: String,
        /// The administrator.
        #[arg(long, value_name = "NAME")]
        admin: String,
    },
    /// Write a TEST-ONLY bundle of N pseudo-random documents (plus the fixtures' test hotlist).
    MakeTestBundle {
        /// Number of pseudo-random documents.
        #[arg(long, default_value_t = 1000)]
        count: u64,
        /// Seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The list's as-of date (default: today).
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: Option<String>,
        /// A generated fixture folder whose index.json `test_hotlist` is added (stolen blanks).
        #[arg(long, value_name = "DIR")]
        fixtures: Option<PathBuf>,
        /// Where to write the bundle.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

/// Runs `tdverify sltd …`.
pub fn run(context: &Context, args: SltdArgs) -> ExitCode {
    match args.command {
        SltdCommand::Import { file, allow_older, json } => finish(import(&context.data_dir, &file, allow_older, json)),
        SltdCommand::Status { json } => finish(status(&context.data_dir, json)),
        SltdCommand::Check { number, state, doc_type, json } => finish(check(&context.data_dir, &number, &state, &doc_type, json)),
        SltdCommand::Trust { key, label, admin } => finish(trust(&context.data_dir, &key, &label, &admin)),
        SltdCommand::MakeTestBundle { count, seed, as_of, fixtures, out } => {
            finish(make_test_bundle(count, seed, as_of, fixtures.as_deref(), &out))
        }
    }
}

fn failure(error: sltd::SltdError) -> Failure {
    let code = match error {
        sltd::SltdError::Io { .. } => 1,
        _ => 2,
    };
    Failure { code, message: error.to_string() }
}

fn import(data_dir: &Path, file: &Path, allow_older: bool, json: bool) -> Result<(), Failure> {
    let started = std::time::Instant::now();
    let status = Hotlist::import(data_dir, file, allow_older).map_err(failure)?;
    if json {
        return print_json(&status);
    }
    println!(
        "Hotlist imported: {} entries from {}, as of {} ({} days old) in {:.1} s",
        status.entries,
        status.issuer,
        status.as_of,
        status.age_days,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn loaded(data_dir: &Path) -> Result<Hotlist, Failure> {
    Hotlist::load(data_dir).map_err(failure)?.ok_or_else(|| Failure {
        code: 1,
        message: format!("no hotlist in {}: import one with `tdverify sltd import FILE`", data_dir.display()),
    })
}

fn status(data_dir: &Path, json: bool) -> Result<(), Failure> {
    let list = loaded(data_dir)?;
    let status = list.status(sltd::today_days());
    if json {
        return print_json(&status);
    }
    println!(
        "Hotlist of {}: {} entries, as of {} ({} days old{})",
        status.issuer,
        status.entries,
        status.as_of,
        status.age_days,
        if status.stale { ", TOO OLD: lookups say \"not checked\"; import a current one" } else { "" }
    );
    Ok(())
}

fn check(data_dir: &Path, number: &str, state: &str, doc_type: &str, json: bool) -> Result<(), Failure> {
    let key = DocumentKey::new(doc_type, state, number);
    if !key.is_complete() {
        return Err(Failure { code: 2, message: "give --number, --state and --type".into() });
    }
    let list = loaded(data_dir)?;
    let answer = list.lookup(&key, sltd::today_days(), sltd::DEFAULT_MAX_AGE_DAYS);
    let value = match &answer {
        Lookup::PossibleHit { hit, as_of } => {
            serde_json::json!({"hit": true, "status": hit.status, "reported": hit.reported, "as_of": as_of})
        }
        Lookup::NoHit { as_of } => serde_json::json!({"hit": false, "as_of": as_of}),
        Lookup::Stale { as_of, age_days } => {
            serde_json::json!({"hit": serde_json::Value::Null, "as_of": as_of, "stale": true, "age_days": age_days})
        }
        Lookup::Incomplete => serde_json::json!({"hit": serde_json::Value::Null}),
    };
    if json {
        return print_json(&value);
    }
    match answer {
        Lookup::PossibleHit { hit, as_of } => println!(
            "POSSIBLE HIT: reported {} on {} (hotlist as of {as_of}); confirm with the national central bureau before any action",
            hit.status.as_str().replace('_', " "),
            hit.reported
        ),
        Lookup::NoHit { as_of } => println!("Not on the hotlist as of {as_of}"),
        Lookup::Stale { as_of, age_days } => {
            println!("Not checked: the hotlist is {age_days} days old (as of {as_of}); import a current one")
        }
        Lookup::Incomplete => println!("Not checked: incomplete document"),
    }
    Ok(())
}

fn trust(data_dir: &Path, key: &str, label: &str, admin: &str) -> Result<(), Failure> {
    // Only an administrator decides whose lists the station believes.
    let store = open_store(data_dir)?;
    let password = secret_from_env_or_prompt("TDVERIFY_PASSWORD", &format!("Password of {admin}: "), "the administrator's password")?;
    let session = store.login(admin.trim(), &password)?;
    if session.role() != Some(tdverify::store::Role::Admin) {
        return Err(Failure { code: 1, message: "permission denied: only an administrator trusts hotlist publishers".into() });
    }
    let trusted = TrustedKeys::trust(data_dir, key, label).map_err(failure)?;
    println!("Trusted hotlist signers: {}", trusted.len());
    Ok(())
}

fn make_test_bundle(count: u64, seed: u64, as_of: Option<String>, fixtures: Option<&Path>, out: &Path) -> Result<(), Failure> {
    let as_of = as_of.unwrap_or_else(|| sltd::iso_from_days(sltd::today_days()));
    let mut extra = Vec::new();
    if let Some(dir) = fixtures {
        let index = tdverify::fixtures::load_index(dir).map_err(|e| Failure { code: 2, message: e.to_string() })?;
        let reported = u16::try_from(sltd::days_from_iso(&as_of).unwrap_or(0) - 30).unwrap_or(0);
        for entry in &index.test_hotlist {
            extra.push(Entry {
                document: DocumentKey::new(&entry.doc_code, &entry.issuing_state, &entry.document_number),
                status: Status::StolenBlank,
                reported_days: reported,
            });
        }
    }
    let started = std::time::Instant::now();
    let bytes = sltd::test_bundle::make_test_bundle(count, seed, &as_of, &extra).map_err(failure)?;
    std::fs::write(out, &bytes).map_err(|e| Failure { code: 1, message: format!("writing {}: {e}", out.display()) })?;
    println!(
        "TEST-ONLY bundle written to {} ({} entries, {} MB, {:.1} s). To use it, an administrator trusts its signer:\n  tdverify sltd trust {} --label TEST-ONLY --admin ADMIN",
        out.display(),
        count + extra.len() as u64,
        bytes.len() / 1_000_000,
        started.elapsed().as_secs_f64(),
        sltd::test_bundle::test_only_signer_key()
    );
    Ok(())
}
