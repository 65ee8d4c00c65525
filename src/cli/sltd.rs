//! `tdverify sltd …`: the stolen and lost documents hotlist (docs/SLTD.md). Import a
//! signed bundle (administrator or station), show its status, check one document (and,
//! when asked, the online service), manage the trusted publishers, the maximum age and
//! the online service (administrator), and make TEST-ONLY bundles.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use tdverify::sltd::{self, DocumentKey, Entry, Hotlist, Lookup, Status};
use tdverify::sltd_station::{self, StationSltdError};
use tdverify::store::{KeyPurpose, SltdOnlineConfig, Store};

use super::Context;
use super::cases::{Failure, finish, open_store, print_json};
use super::export::{admin_session, distrust_key, print_trusted, session_for, trust_key};

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
        /// The administrator importing (password in TDVERIFY_PASSWORD); without it, the station (TDVERIFY_PASSPHRASE).
        #[arg(long, alias = "admin", value_name = "NAME")]
        user: Option<String>,
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
        /// Also ask the online service the administrator configured (audited; waits up to 3 s).
        #[arg(long)]
        online: bool,
        /// Who asks online (password in TDVERIFY_PASSWORD); without it, the station.
        #[arg(long, value_name = "NAME")]
        user: Option<String>,
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
    /// Stop trusting a publisher's key (administrator).
    Distrust {
        /// `ed25519:HEX`.
        key: String,
        /// The administrator.
        #[arg(long, value_name = "NAME")]
        admin: String,
    },
    /// The publishers' keys the station trusts (JSON: [{key, label, added_by, added_at}]).
    Trusted {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Days after its as-of date the hotlist is still used (administrator; default 7).
    MaxAge {
        /// 1 to 365.
        days: u32,
        /// The administrator.
        #[arg(long, value_name = "NAME")]
        admin: String,
    },
    /// Configure the online SLTD service (administrator): HTTPS endpoint and the one CA its certificate must chain to.
    Online {
        /// `https://…` endpoint.
        #[arg(long, required_unless_present = "remove", requires = "ca")]
        endpoint: Option<String>,
        /// PEM file of the pinned CA.
        #[arg(long, value_name = "FILE")]
        ca: Option<PathBuf>,
        /// Environment variable holding the service's access token, if it needs one.
        #[arg(long, value_name = "VAR")]
        token_env: Option<String>,
        /// Remove the online service.
        #[arg(long, conflicts_with_all = ["endpoint", "ca", "token_env"])]
        remove: bool,
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
        SltdCommand::Import { file, allow_older, user, json } => {
            finish(import(&context.data_dir, &file, allow_older, user.as_deref(), json))
        }
        SltdCommand::Status { json } => finish(status(&context.data_dir, json)),
        SltdCommand::Check { number, state, doc_type, online, user, json } => {
            let online = online.then_some(user.as_deref());
            finish(check(&context.data_dir, &DocumentKey::new(&doc_type, &state, &number), online, json))
        }
        SltdCommand::Trust { key, label, admin } => {
            finish(trust_key(&context.data_dir, KeyPurpose::SltdPublisher, &key, &label, &admin, "hotlist publishers"))
        }
        SltdCommand::Distrust { key, admin } => finish(distrust_key(
            &context.data_dir,
            KeyPurpose::SltdPublisher,
            &key,
            &admin,
            "No longer trusted. The hotlist in use stays until the next import.",
        )),
        SltdCommand::Trusted { json } => finish(trusted(&context.data_dir, json)),
        SltdCommand::MaxAge { days, admin } => finish(max_age(&context.data_dir, days, &admin)),
        SltdCommand::Online { endpoint, ca, token_env, remove, admin } => {
            let settings = if remove { None } else { Some((endpoint.unwrap_or_default(), ca, token_env)) };
            finish(online(&context.data_dir, settings, &admin))
        }
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

fn station_failure(error: StationSltdError) -> Failure {
    match error {
        StationSltdError::Store(e) => e.into(),
        StationSltdError::Hotlist(e) => failure(e),
        other => Failure { code: 1, message: other.to_string() },
    }
}

fn import(data_dir: &Path, file: &Path, allow_older: bool, user: Option<&str>, json: bool) -> Result<(), Failure> {
    let store = open_store(data_dir)?;
    let session = session_for(&store, user)?;
    let started = std::time::Instant::now();
    let mut status =
        sltd_station::import_hotlist(&store, &session, data_dir, file, allow_older).map_err(station_failure)?;
    status = Hotlist::read_status(data_dir, sltd::today_days(), i64::from(Store::sltd_max_age_in(data_dir)))
        .map_err(failure)?
        .unwrap_or(status);
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
    let mut list = Hotlist::load(data_dir).map_err(failure)?.ok_or_else(|| Failure {
        code: 1,
        message: format!("no hotlist in {}: import one with `tdverify sltd import FILE`", data_dir.display()),
    })?;
    list.set_max_age_days(i64::from(Store::sltd_max_age_in(data_dir)));
    Ok(list)
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

fn check(data_dir: &Path, key: &DocumentKey, online: Option<Option<&str>>, json: bool) -> Result<(), Failure> {
    if !key.is_complete() {
        return Err(Failure { code: 2, message: "give --number, --state and --type".into() });
    }
    let list = loaded(data_dir)?;
    let answer = list.lookup(key, sltd::today_days());
    let mut value = match &answer {
        Lookup::PossibleHit { hit, as_of } => {
            serde_json::json!({"hit": true, "status": hit.status, "reported": hit.reported, "as_of": as_of})
        }
        Lookup::NoHit { as_of } => serde_json::json!({"hit": false, "as_of": as_of}),
        Lookup::Stale { as_of, age_days } => {
            serde_json::json!({"hit": serde_json::Value::Null, "as_of": as_of, "stale": true, "age_days": age_days})
        }
        Lookup::Incomplete => serde_json::json!({"hit": serde_json::Value::Null}),
    };
    // The online answer comes second and never replaces the offline one.
    let online_answer = match online {
        None => None,
        Some(user) => {
            let store = open_store(data_dir)?;
            let session = session_for(&store, user)?;
            Some(sltd_station::ask_online(&store, &session, key))
        }
    };
    if let Some(result) = &online_answer {
        value["online"] = match result {
            Ok(answer) => serde_json::to_value(answer).unwrap_or_default(),
            Err(e) => serde_json::json!({"result": "no_answer", "reason": e.to_string()}),
        };
    }
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
    match online_answer {
        Some(Ok(answer)) => println!("{}", sltd_station::describe_online(&answer)),
        Some(Err(e)) => println!("Online SLTD: {e}"),
        None => {}
    }
    Ok(())
}


fn trusted(data_dir: &Path, json: bool) -> Result<(), Failure> {
    print_trusted(
        data_dir,
        KeyPurpose::SltdPublisher,
        json,
        "No hotlist publisher is trusted: an administrator runs `tdverify sltd trust KEY --admin NAME`.",
    )
}

fn max_age(data_dir: &Path, days: u32, admin: &str) -> Result<(), Failure> {
    let store = open_store(data_dir)?;
    let session = admin_session(&store, admin)?;
    store.set_sltd_max_age_days(&session, days)?;
    println!("The hotlist is used up to {days} days after its as-of date.");
    Ok(())
}

fn online(data_dir: &Path, settings: Option<(String, Option<PathBuf>, Option<String>)>, admin: &str) -> Result<(), Failure> {
    let store = open_store(data_dir)?;
    let session = admin_session(&store, admin)?;
    let Some((endpoint, ca, token_env)) = settings else {
        store.set_sltd_online(&session, None)?;
        println!("Online SLTD service removed.");
        return Ok(());
    };
    let ca = ca.ok_or_else(|| Failure::input("give --ca FILE, the PEM of the CA the service's certificate chains to"))?;
    let ca_pem = std::fs::read_to_string(&ca).map_err(|e| Failure::input(format!("reading {}: {e}", ca.display())))?;
    let token = match token_env {
        Some(var) => Some(std::env::var(&var).map_err(|_| Failure::input(format!("the environment variable {var} is not set")))?),
        None => None,
    };
    // Refuse what the connector would refuse later, now, while the administrator is here.
    sltd::HttpSltd::new(&endpoint, &ca_pem, token.as_deref()).map_err(|e| Failure::input(e.to_string()))?;
    store.set_sltd_online(&session, Some(&SltdOnlineConfig { endpoint: endpoint.clone(), ca_pem, token }))?;
    println!("Online SLTD service set to {endpoint}. Officers ask it with `sltd check --online` or from the results screen.");
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
