//! `tdverify export …` (the DESC bundle), `tdverify cases classify|submit` (the case
//! context from scripts). Everything here reads arguments and secrets, calls
//! `tdverify::export` / `tdverify::store`, and prints.
//!
//! Users log in with `--user NAME` and the password in `TDVERIFY_PASSWORD` (or typed at
//! the prompt); the station passphrase unlocks the store as for every store command.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use tdverify::core::{ForgeryMethod, FraudType};
use tdverify::export::{self as desc, Period, VerifyError};
use tdverify::store::{Classification, ContextUpdate, Role, Session, Store};

use super::Context;
use super::cases::{Failure, finish, open_store, parse_verdict, print_json, secret_from_env_or_prompt};

/// Environment variable holding the logged-in user's password.
const PASSWORD_VAR: &str = "TDVERIFY_PASSWORD";

/// `tdverify export`: write an anonymised, signed DESC bundle of a period's fraud cases
/// (Supervisor), or `export verify BUNDLE`, or `export key`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ExportArgs {
    #[command(subcommand)]
    command: Option<ExportCommand>,
    #[command(flatten)]
    write: WriteArgs,
}

#[derive(Debug, clap::Args)]
struct WriteArgs {
    /// First month of the period, YYYY-MM.
    #[arg(long, value_name = "YYYY-MM")]
    from: Option<String>,
    /// Last month of the period (inclusive), YYYY-MM.
    #[arg(long, value_name = "YYYY-MM")]
    to: Option<String>,
    /// Folder to write the bundle folder into (a USB stick).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// k of the k-anonymity (default and minimum: the station's, at least 5).
    #[arg(long, value_name = "N")]
    k: Option<usize>,
    /// Export even though the period overlaps an earlier export (audited).
    #[arg(long = "override")]
    overlap_override: bool,
    /// The supervisor's user name (password in TDVERIFY_PASSWORD).
    #[arg(long, value_name = "NAME")]
    user: Option<String>,
    /// Print `{bundle, records, suppressed, k}` as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Subcommand)]
enum ExportCommand {
    /// Check a bundle: signature, file hashes, schema and k. Exit 0 valid, 1 not valid.
    Verify {
        /// The bundle folder.
        bundle: PathBuf,
        /// The station's public key (hex, `ed25519:…`, or a file holding it). Without it
        /// only integrity is proven, not which station signed.
        #[arg(long, value_name = "PUB")]
        key: Option<String>,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Set the smallest k this station's exports may use (administrator; at least 5).
    MinK {
        /// The new smallest k.
        k: usize,
        /// The administrator (password in TDVERIFY_PASSWORD).
        #[arg(long, value_name = "NAME")]
        admin: String,
    },
    /// Print the station's public key for the receiving hub.
    Key {
        /// Print `{station_id, public_key}` as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Logs `user` in with the password from TDVERIFY_PASSWORD or the terminal.
pub(super) fn login(store: &Store, user: &str) -> Result<Session, Failure> {
    let password = secret_from_env_or_prompt(PASSWORD_VAR, &format!("Password of {user}: "), "the user's password")?;
    Ok(store.login(user.trim(), &password)?)
}

/// Logs an administrator in: only they decide whose lists and bundles the station believes.
pub(super) fn admin_session(store: &Store, admin: &str) -> Result<Session, Failure> {
    let session = login(store, admin)?;
    if session.role() != Some(Role::Admin) {
        return Err(Failure::failed(format!("permission denied: {admin} is not an administrator")));
    }
    Ok(session)
}

/// Parses an Ed25519 public key given on the command line (`ed25519:` and 64 hex characters).
pub(super) fn parse_key_arg(key: &str) -> Result<Vec<u8>, Failure> {
    tdverify::export::parse_public_key(key)
        .ok_or_else(|| Failure::input(format!("{key:?} is not an Ed25519 public key (ed25519: and 64 hex characters)")))
}

/// An administrator trusts `key` for `purpose`; says whether it was new and how many
/// `kind` (e.g. "hotlist publishers") the station now trusts.
pub(super) fn trust_key(
    data_dir: &Path,
    purpose: tdverify::store::KeyPurpose,
    key: &str,
    label: &str,
    admin: &str,
    kind: &str,
) -> Result<(), Failure> {
    let bytes = parse_key_arg(key)?;
    let store = open_store(data_dir)?;
    let session = admin_session(&store, admin)?;
    let added = store.trust_key(&session, purpose, &bytes, label)?;
    let count = store.trusted_keys(purpose)?.len();
    println!("{} Trusted {kind}: {count}", if added { "Trusted." } else { "Already trusted." });
    Ok(())
}

/// An administrator stops trusting `key` for `purpose`; prints `consequence` (what
/// happens to what it signed).
pub(super) fn distrust_key(
    data_dir: &Path,
    purpose: tdverify::store::KeyPurpose,
    key: &str,
    admin: &str,
    consequence: &str,
) -> Result<(), Failure> {
    let bytes = parse_key_arg(key)?;
    let store = open_store(data_dir)?;
    let session = admin_session(&store, admin)?;
    if !store.distrust_key(&session, purpose, &bytes)? {
        return Err(Failure::input(format!("{key} was not trusted")));
    }
    println!("{consequence}");
    Ok(())
}

/// Prints the keys the station trusts for `purpose` (JSON: `[{key, label, added_by, added_at}]`),
/// or `none_hint` when there is none.
pub(super) fn print_trusted(
    data_dir: &Path,
    purpose: tdverify::store::KeyPurpose,
    json: bool,
    none_hint: &str,
) -> Result<(), Failure> {
    let store = open_store(data_dir)?;
    let keys = store.trusted_keys(purpose)?;
    if json {
        let rows: Vec<serde_json::Value> = keys
            .iter()
            .map(|k| serde_json::json!({"key": k.display_key(), "label": k.label, "added_by": k.added_by, "added_at": k.added_at}))
            .collect();
        return print_json(&rows);
    }
    if keys.is_empty() {
        println!("{none_hint}");
    }
    for key in keys {
        println!("{}  {}  (trusted by {} on {})", key.display_key(), key.label, key.added_by, key.added_at);
    }
    Ok(())
}

/// Runs `tdverify export …`.
pub fn run_export(context: &Context, args: ExportArgs) -> ExitCode {
    match args.command {
        Some(ExportCommand::Verify { bundle, key, json }) => verify(&bundle, key.as_deref(), json),
        Some(ExportCommand::Key { json }) => finish(print_key(&context.data_dir, json)),
        Some(ExportCommand::MinK { k, admin }) => finish((|| {
            let store = open_store(&context.data_dir)?;
            let session = login(&store, &admin)?;
            store.set_export_min_k(&session, k)?;
            println!("Exports of this station now need at least {k} records per group");
            Ok(())
        })()),
        None => finish(write_bundle(&context.data_dir, &args.write)),
    }
}

fn write_bundle(data_dir: &Path, args: &WriteArgs) -> Result<(), Failure> {
    let missing = |flag: &str| {
        Failure::input(format!(
            "{flag} is needed (e.g. `tdverify export --from 2026-10 --to 2026-12 --out /media/usb --user NAME`)"
        ))
    };
    let from = args.from.as_deref().ok_or_else(|| missing("--from"))?;
    let to = args.to.as_deref().ok_or_else(|| missing("--to"))?;
    let out = args.out.as_deref().ok_or_else(|| missing("--out"))?;
    let user = args.user.as_deref().ok_or_else(|| missing("--user"))?;
    let period = Period::parse(from, to).map_err(|e| Failure::input(e.to_string()))?;
    let store = open_store(data_dir)?;
    let session = login(&store, user)?;
    let k = match args.k {
        Some(k) => k,
        None => store.export_min_k()?,
    };
    let prepared = desc::prepare(&store, &session, period, k).map_err(export_failure)?;
    if !prepared.overlapping.is_empty() && !args.overlap_override {
        let earlier = &prepared.overlapping[0];
        return Err(Failure::failed(format!(
            "{period} overlaps an export made on {} by {}: each case is exported once per period; \
             add --override to export it again (audited)",
            earlier.created, earlier.actor
        )));
    }
    let written =
        desc::write(&store, &session, &prepared, out, args.overlap_override, &mut |_| {}).map_err(export_failure)?;
    if args.json {
        return print_json(&serde_json::json!({
            "bundle": written.bundle,
            "records": written.records,
            "suppressed": written.suppressed,
            "k": written.k,
        }));
    }
    println!("Bundle written to {}", written.bundle.display());
    println!(
        "  {} records, {} suppressed for k = {} ({} eligible fraud cases; left out: {} drafts, {} not fraud, {} training)",
        written.records,
        written.suppressed,
        written.k,
        prepared.eligible,
        prepared.excluded.drafts,
        prepared.excluded.not_fraud,
        prepared.excluded.training
    );
    for (step, n) in prepared.anonymised.generalised.iter().filter(|(_, n)| *n > 0) {
        println!("  generalised: {step} ({n} records)");
    }
    println!("  station key for the receiving hub: ed25519:{}", written.station_public_key);
    Ok(())
}

fn export_failure(error: desc::ExportError) -> Failure {
    match error {
        desc::ExportError::Store(e) => e.into(),
        e
        @ (desc::ExportError::Period(_) | desc::ExportError::KTooSmall { .. } | desc::ExportError::Destination(_)) => {
            Failure { code: 2, message: e.to_string() }
        }
        e => Failure { code: 1, message: e.to_string() },
    }
}

fn print_key(data_dir: &Path, json: bool) -> Result<(), Failure> {
    let store = open_store(data_dir)?;
    let key = store.export_public_key()?;
    let station = store.station_id()?;
    if json {
        return print_json(&serde_json::json!({ "station_id": station, "public_key": desc::format_public_key(&key) }));
    }
    println!("{}", desc::format_public_key(&key));
    eprintln!("(station {station}: give this key to the receiving hub so it can check your bundles)");
    Ok(())
}

fn verify(bundle: &Path, key: Option<&str>, json: bool) -> ExitCode {
    let key = match key {
        None => None,
        Some(text) => {
            let from_file = std::fs::read_to_string(text).ok();
            match desc::parse_public_key(from_file.as_deref().unwrap_or(text)) {
                Some(key) => Some(key),
                None => {
                    eprintln!(
                        "tdverify: --key {text:?} is not an Ed25519 public key (64 hex characters, or a file holding them)"
                    );
                    return ExitCode::from(2);
                }
            }
        }
    };
    let result = desc::verify_bundle(bundle, key.as_deref());
    if json {
        let value = match &result {
            Ok(v) => serde_json::json!({ "valid": true, "bundle": v }),
            Err(e) => serde_json::json!({ "valid": false, "reason": reason_code(e), "message": e.to_string() }),
        };
        println!("{}", serde_json::to_string_pretty(&value).unwrap_or_default());
    }
    match result {
        Ok(v) => {
            if !json {
                println!(
                    "VALID: {} records of {} from station {}, k = {} ({} suppressed){}",
                    v.records,
                    v.period,
                    v.station_id,
                    v.k,
                    v.suppressed,
                    if v.key_given { "" } else { "; signer not checked: pass --key to check which station signed" }
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            if !json {
                eprintln!("NOT VALID: {e}");
            }
            ExitCode::from(1)
        }
    }
}

/// A stable reason code for scripts.
fn reason_code(error: &VerifyError) -> &'static str {
    match error {
        VerifyError::Unreadable { .. } => "unreadable",
        VerifyError::Manifest(_) => "manifest",
        VerifyError::BadSignature => "bad_signature",
        VerifyError::WrongKey { .. } => "wrong_key",
        VerifyError::HashMismatch(_) => "hash_mismatch",
        VerifyError::Files(_) => "files",
        VerifyError::Schema { .. } => "schema",
        VerifyError::Counts(_) => "counts",
        VerifyError::BelowK { .. } => "below_k",
    }
}

/// `cases classify ID …`: the officer's verdict, fraud type, methods and context.
#[derive(Debug, clap::Args)]
pub struct ClassifyArgs {
    /// The case id.
    case_id: String,
    /// fraudulent, genuine or review.
    #[arg(long, value_name = "VERDICT")]
    verdict: String,
    /// Fraud type: counterfeit, forged, pseudo, fraudulently_obtained, impostor, stolen_blank, no_fraud, undetermined.
    #[arg(long, value_name = "T")]
    fraud_type: Option<String>,
    /// Forgery method (repeat): photo_substitution, data_alteration, page_substitution, mrz_alteration, chip_tampering, laminate_tampering, other.
    #[arg(long = "method", value_name = "M")]
    methods: Vec<String>,
    /// JSON object of context fields, keyed by the export record's field names.
    #[arg(long, value_name = "FILE.json")]
    context: Option<PathBuf>,
    /// Act as this user (password in TDVERIFY_PASSWORD); else as the station.
    #[arg(long, value_name = "NAME")]
    user: Option<String>,
}

/// `cases submit ID`.
#[derive(Debug, clap::Args)]
pub struct SubmitArgs {
    /// The case id.
    case_id: String,
    /// Act as this user (password in TDVERIFY_PASSWORD); else as the station.
    #[arg(long, value_name = "NAME")]
    user: Option<String>,
}

pub(super) fn session_for(store: &Store, user: Option<&str>) -> Result<Session, Failure> {
    match user {
        Some(user) => login(store, user),
        None => Ok(store.station_session()),
    }
}

/// Runs `cases classify`.
pub fn classify(data_dir: &Path, args: &ClassifyArgs) -> Result<(), Failure> {
    let verdict = parse_verdict(&args.verdict)
        .filter(|v| matches!(v.as_str(), "fraudulent" | "genuine" | "review"))
        .ok_or_else(|| Failure::input(format!("--verdict {:?}: use fraudulent, genuine or review", args.verdict)))?;
    let fraud_type = match &args.fraud_type {
        None => None,
        Some(t) => Some(FraudType::ALL.into_iter().find(|f| f.as_str() == t.trim()).ok_or_else(|| {
            let all: Vec<&str> = FraudType::ALL.iter().map(|f| f.as_str()).collect();
            Failure::input(format!("--fraud-type {t:?}: use one of {}", all.join(", ")))
        })?),
    };
    let mut methods = Vec::new();
    for m in &args.methods {
        methods.push(ForgeryMethod::ALL.into_iter().find(|f| f.as_str() == m.trim()).ok_or_else(|| {
            let all: Vec<&str> = ForgeryMethod::ALL.iter().map(|f| f.as_str()).collect();
            Failure::input(format!("--method {m:?}: use one of {}", all.join(", ")))
        })?);
    }
    let update = match &args.context {
        None => None,
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Failure::input(format!("cannot read the context file {}: {e}", path.display())))?;
            Some(
                ContextUpdate::from_json(&text)
                    .map_err(|e| Failure::input(format!("context file {}: {e}", path.display())))?,
            )
        }
    };
    let store = open_store(data_dir)?;
    let session = session_for(&store, args.user.as_deref())?;
    let case_id = args.case_id.trim();
    if let Some(update) = update {
        // The file's fields over the case's current ones.
        let merged = update.or(store.case_context(&session, case_id)?);
        store.set_case_context(&session, case_id, &merged)?;
    }
    let classification = Classification { officer_verdict: Some(verdict), fraud_type, forgery_methods: methods };
    store.set_classification(&session, case_id, &classification)?;
    println!("Case {case_id} classified {}", verdict.as_str());
    Ok(())
}

/// Runs `cases submit`.
pub fn submit(data_dir: &Path, args: &SubmitArgs) -> Result<(), Failure> {
    let store = open_store(data_dir)?;
    let session = session_for(&store, args.user.as_deref())?;
    store.submit_case(&session, args.case_id.trim())?;
    println!("Case {} submitted", args.case_id.trim());
    Ok(())
}
