//! `tdverify training …`: practice sessions on fixture documents (docs/TRAINING.md).
//! `create` draws a session from a generated fixture set and signs it with the station
//! key (a Trainer with `--user`, or the station with `TDVERIFY_PASSPHRASE`); `score`
//! scores an answers file without any store; `import` verifies a session from another
//! station and keeps it; `record` stores a trainee's run; `history`, `class` and
//! `export` are the trainer's view; `trust`/`distrust`/`trusted` the administrator's
//! list of other stations' training publishers.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde::de::DeserializeOwned;
use tdverify::core::{ForgeryMethod, FraudType};
use tdverify::store::{KeyPurpose, Store};
use tdverify::training::{
    CaptureKind, CheckDisplay, Difficulty, Session, SessionRequest, TrainingError, parse_answers,
};
use tdverify::training_station::{self as station, TrainingStationError};

use super::Context;
use super::cases::{Failure, finish, open_store, print_json};
use super::export::{distrust_key, login, print_trusted, trust_key};

/// `tdverify training`.
#[derive(Debug, clap::Args)]
pub struct TrainingArgs {
    #[command(subcommand)]
    command: TrainingCommand,
}

#[derive(Debug, clap::Subcommand)]
enum TrainingCommand {
    /// Draw a session from a generated fixture set and write it signed (a Trainer with --user, else the station).
    Create(CreateArgs),
    /// Score an answers file against a session (no store needed): hits, misses, false alarms, d′, c…
    Score {
        /// The session file.
        #[arg(long, value_name = "SESSION")]
        session: PathBuf,
        /// `[{"document", "verdict", "fraud_type"?, "hotspots"?, "seconds"?}]`.
        #[arg(long, value_name = "FILE.json")]
        answers: PathBuf,
        /// Print the score as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Verify a session from another station (signature, trusted publisher) and keep a copy under the data folder.
    Import {
        /// The session file.
        session: PathBuf,
        /// Who imports (password in TDVERIFY_PASSWORD).
        #[arg(long, value_name = "NAME")]
        user: String,
    },
    /// Score and store a trainee's run of a session (the trainee is --user).
    Record {
        /// The session file (signed by this station or a trusted publisher).
        #[arg(long, value_name = "SESSION")]
        session: PathBuf,
        /// The trainee's answers.
        #[arg(long, value_name = "FILE.json")]
        answers: PathBuf,
        /// The trainee (password in TDVERIFY_PASSWORD).
        #[arg(long, value_name = "NAME")]
        user: String,
        /// Print `{run_id, score}` as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Runs over sessions, and weaknesses by fraud type: one's own, or (Trainer, Supervisor) anyone's.
    History {
        /// Only this trainee.
        #[arg(long, value_name = "NAME")]
        trainee: Option<String>,
        /// Who asks (password in TDVERIFY_PASSWORD).
        #[arg(long, value_name = "NAME")]
        user: String,
        /// Print `{runs:[…], weaknesses:{trainee:[…]}}`.
        #[arg(long)]
        json: bool,
    },
    /// Class summary: one line per trainee over one session's runs or all (Trainer, Supervisor).
    Class {
        /// Only runs of this session id.
        #[arg(long, value_name = "ID")]
        session: Option<String>,
        /// Who asks (password in TDVERIFY_PASSWORD).
        #[arg(long, value_name = "NAME")]
        user: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write the runs one may see as CSV or PDF (class summary, per trainee runs and weaknesses; Trainer, Supervisor for everyone's).
    Export {
        /// The file to write (`.csv` or `.pdf`).
        #[arg(long, value_name = "FILE.csv|FILE.pdf")]
        out: PathBuf,
        /// Only this trainee.
        #[arg(long, value_name = "NAME")]
        trainee: Option<String>,
        /// Who asks (password in TDVERIFY_PASSWORD).
        #[arg(long, value_name = "NAME")]
        user: String,
    },
    /// Trust another station's key for training sessions (administrator).
    Trust {
        /// `ed25519:HEX`.
        key: String,
        /// A name for it (the station, the academy).
        #[arg(long, default_value = "")]
        label: String,
        /// The administrator (password in TDVERIFY_PASSWORD).
        #[arg(long, value_name = "NAME")]
        admin: String,
    },
    /// Stop trusting a training publisher's key (administrator).
    Distrust {
        /// `ed25519:HEX`.
        key: String,
        /// The administrator.
        #[arg(long, value_name = "NAME")]
        admin: String,
    },
    /// The training publishers' keys the station trusts (its own key is always trusted).
    Trusted {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, clap::Args)]
struct CreateArgs {
    /// The generated fixture set (`cargo xtask fixtures --out DIR`).
    #[arg(long, value_name = "DIR")]
    fixtures: PathBuf,
    /// Number of documents.
    #[arg(long, value_name = "N")]
    count: usize,
    /// Fraction of fraudulent documents, 0 to 1 (0.3 = 30 %).
    #[arg(long, value_name = "P")]
    prevalence: f64,
    /// Seed of the selection (same inputs, same session).
    #[arg(long, value_name = "S", default_value_t = 1)]
    seed: u64,
    /// Draw fraudulent documents of this fraud type only (counterfeit, forged, pseudo, impostor, stolen_blank…); repeatable.
    #[arg(long = "fraud-type", value_name = "T")]
    fraud_types: Vec<String>,
    /// Fraudulent documents must show this forgery method (photo_substitution, data_alteration, mrz_alteration, chip_tampering…); repeatable.
    #[arg(long = "method", value_name = "M")]
    methods: Vec<String>,
    /// Capture kind of every document: flatbed, camera, phone; repeatable.
    #[arg(long = "capture", value_name = "K")]
    captures: Vec<String>,
    /// How hard the fraudulent documents' defects are to see: any, obvious (seen on the page), subtle (takes measuring, the chip, the bearer or the hotlist).
    #[arg(long, value_name = "D", default_value = "any")]
    difficulty: String,
    /// Seconds per document.
    #[arg(long = "time-limit", value_name = "SECONDS")]
    time_limit: Option<u32>,
    /// When the automatic checks are shown: hidden, after-answer, throughout.
    #[arg(long, value_name = "MODE", default_value = "hidden")]
    checks: String,
    /// Face-matching drills (document portrait vs bearer photo).
    #[arg(long = "face-drills", value_name = "N", default_value_t = 0)]
    face_drills: usize,
    /// Fraction of the drills that are different people.
    #[arg(long = "face-prevalence", value_name = "P", default_value_t = 0.5)]
    face_prevalence: f64,
    /// The session's name (default: count, prevalence and seed).
    #[arg(long, default_value = "")]
    name: String,
    /// The session file to write.
    #[arg(long, value_name = "SESSION")]
    out: PathBuf,
    /// The Trainer signing it (password in TDVERIFY_PASSWORD); without it the station signs when TDVERIFY_PASSPHRASE is set.
    #[arg(long, value_name = "NAME")]
    user: Option<String>,
    /// Print `{id, documents, fraudulent, face_drills, signed_by}` as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `tdverify training …`.
pub fn run(context: &Context, args: TrainingArgs) -> ExitCode {
    let data_dir = &context.data_dir;
    finish(match args.command {
        TrainingCommand::Create(create_args) => create(data_dir, &create_args),
        TrainingCommand::Score { session, answers, json } => score(data_dir, &session, &answers, json),
        TrainingCommand::Import { session, user } => import(data_dir, &session, &user),
        TrainingCommand::Record { session, answers, user, json } => record(data_dir, &session, &answers, &user, json),
        TrainingCommand::History { trainee, user, json } => history(data_dir, trainee.as_deref(), &user, json),
        TrainingCommand::Class { session, user, json } => class(data_dir, session.as_deref(), &user, json),
        TrainingCommand::Export { out, trainee, user } => export(data_dir, &out, trainee.as_deref(), &user),
        TrainingCommand::Trust { key, label, admin } => {
            trust_key(data_dir, KeyPurpose::TrainingPublisher, &key, &label, &admin, "training publishers")
        }
        TrainingCommand::Distrust { key, admin } => distrust_key(
            data_dir,
            KeyPurpose::TrainingPublisher,
            &key,
            &admin,
            "No longer trusted: sessions it signed are refused from now on.",
        ),
        TrainingCommand::Trusted { json } => print_trusted(
            data_dir,
            KeyPurpose::TrainingPublisher,
            json,
            "No other station's training sessions are trusted (this station's own are): an administrator runs \
             `tdverify training trust KEY --admin NAME`.",
        ),
    })
}

impl From<TrainingError> for Failure {
    fn from(error: TrainingError) -> Failure {
        if error.is_bad_input() || matches!(error, TrainingError::NotEnough { .. }) {
            Failure::input(error.to_string())
        } else {
            Failure::failed(error.to_string())
        }
    }
}

impl From<TrainingStationError> for Failure {
    fn from(error: TrainingStationError) -> Failure {
        match error {
            TrainingStationError::Training(e) => e.into(),
            TrainingStationError::Store(e) => e.into(),
            other => Failure::failed(other.to_string()),
        }
    }
}

/// Parses a stable snake_case name of a serde enum (fraud types, methods, captures).
fn parse_name<T: DeserializeOwned>(name: &str, what: &str) -> Result<T, Failure> {
    serde_json::from_value(serde_json::Value::String(name.trim().replace('-', "_")))
        .map_err(|_| Failure::input(format!("{name:?} is not a {what}")))
}

fn create(data_dir: &Path, args: &CreateArgs) -> Result<(), Failure> {
    let mut request = SessionRequest::new(args.count, args.prevalence, args.seed);
    request.name = args.name.clone();
    request.fraud_types =
        args.fraud_types.iter().map(|t| parse_name::<FraudType>(t, "fraud type")).collect::<Result<_, _>>()?;
    request.forgery_methods =
        args.methods.iter().map(|m| parse_name::<ForgeryMethod>(m, "forgery method")).collect::<Result<_, _>>()?;
    request.captures = args
        .captures
        .iter()
        .map(|c| parse_name::<CaptureKind>(c, "capture kind (flatbed, camera, phone)"))
        .collect::<Result<_, _>>()?;
    request.difficulty = Difficulty::parse(&args.difficulty)
        .ok_or_else(|| Failure::input(format!("--difficulty {:?}: use any, obvious or subtle", args.difficulty)))?;
    request.time_limit_seconds = args.time_limit;
    request.checks = CheckDisplay::parse(&args.checks)
        .ok_or_else(|| Failure::input(format!("--checks {:?}: use hidden, after-answer or throughout", args.checks)))?;
    request.face_drills = args.face_drills;
    request.face_prevalence = args.face_prevalence;
    let mut session = Session::build(&args.fixtures, &request)?;
    let signed_by = match &args.user {
        Some(user) => {
            let store = open_store(data_dir)?;
            let trainer = login(&store, user)?;
            station::sign_session(&store, &trainer, &mut session)?;
            Some(user.clone())
        }
        None if Store::exists(data_dir) && std::env::var_os("TDVERIFY_PASSPHRASE").is_some() => {
            let store = open_store(data_dir)?;
            station::sign_session(&store, &store.station_session(), &mut session)?;
            Some("station".to_string())
        }
        None => {
            eprintln!(
                "tdverify: the session is NOT signed (no --user and no unlocked store): other stations will refuse it; \
                 sign with --user TRAINER"
            );
            None
        }
    };
    session.save(&args.out)?;
    let fraudulent = session.documents.iter().filter(|d| d.is_fraud()).count();
    if args.json {
        return print_json(&serde_json::json!({
            "id": session.id, "name": session.name, "file": args.out, "documents": session.documents.len(),
            "fraudulent": fraudulent, "face_drills": session.face_drills.len(), "signed_by": signed_by,
        }));
    }
    println!(
        "Session {} \"{}\": {} documents ({} fraudulent), {} face drills, written to {}{}",
        session.id,
        session.name,
        session.documents.len(),
        fraudulent,
        session.face_drills.len(),
        args.out.display(),
        signed_by.map(|s| format!(", signed by {s}")).unwrap_or_default()
    );
    Ok(())
}

fn read_answers(path: &Path) -> Result<Vec<tdverify::training::Answer>, Failure> {
    let bytes =
        std::fs::read(path).map_err(|e| Failure::input(format!("cannot read the answers {}: {e}", path.display())))?;
    parse_answers(&bytes).map_err(|e| Failure::input(format!("{}: {e}", path.display())))
}

/// Whether the session's signer is trusted here: `None` when no store can be opened
/// without asking (no store, or no TDVERIFY_PASSPHRASE).
fn signer_trusted(data_dir: &Path, key: &[u8]) -> Option<bool> {
    if !Store::exists(data_dir) || std::env::var_os("TDVERIFY_PASSPHRASE").is_none() {
        return None;
    }
    let store = open_store(data_dir).ok()?;
    let trusted = station::trusted_session_keys(&store).ok()?;
    Some(trusted.iter().any(|k| k == key))
}

fn score(data_dir: &Path, session_file: &Path, answers_file: &Path, json: bool) -> Result<(), Failure> {
    let session = Session::load(session_file)?;
    let signature = match session.verify_signature() {
        Ok(key) => {
            let trusted = signer_trusted(data_dir, &key);
            serde_json::json!({"valid": true, "key": tdverify::export::format_public_key(&key), "trusted": trusted})
        }
        Err(TrainingError::Unsigned) => {
            eprintln!("tdverify: the session is not signed: its truth cannot be vouched for");
            serde_json::json!({"valid": false, "key": null, "trusted": null})
        }
        Err(error) => return Err(Failure::failed(format!("{}: {error}", session_file.display()))),
    };
    let answers = read_answers(answers_file)?;
    let score = tdverify::training::score(&session, &answers)?;
    if json {
        let mut value = serde_json::to_value(&score).map_err(|e| Failure::failed(e.to_string()))?;
        if let Some(object) = value.as_object_mut() {
            object.insert("signature".into(), signature);
        }
        return print_json(&value);
    }
    let d = &score.detection;
    let rate = |r: Option<f64>| r.map_or("—".to_string(), |r| format!("{:.0} %", r * 100.0));
    let number = |v: Option<f64>| v.map_or("—".to_string(), |v| format!("{v:.2}"));
    println!("Session {} \"{}\": {} of {} documents answered", session.id, session.name, score.answered, score.items);
    println!(
        "hits {}  misses {}  false alarms {}  correct rejections {}",
        d.hits, d.misses, d.false_alarms, d.correct_rejections
    );
    println!(
        "hit rate {}  false-alarm rate {}  d′ {}  c {}",
        rate(d.hit_rate),
        rate(d.false_alarm_rate),
        number(d.d_prime),
        number(d.criterion)
    );
    println!(
        "hotspot recall {} ({} of {} regions; {} fraudulent documents without regions)  fraud type named right {}  mean {} s",
        rate(score.hotspot_recall),
        score.hotspot_regions_found,
        score.hotspot_regions_total,
        score.items_without_regions,
        rate(score.fraud_type_accuracy),
        number(score.mean_seconds)
    );
    for (fraud_type, group) in &score.by_fraud_type {
        println!("  {fraud_type:<22} {} of {} right", group.correct, group.answered);
    }
    if score.face_drills.items > 0 {
        let f = &score.face_drills.detection;
        println!(
            "face drills: hits {}  misses {}  false alarms {}  correct rejections {}  d′ {}",
            f.hits,
            f.misses,
            f.false_alarms,
            f.correct_rejections,
            number(f.d_prime)
        );
    }
    Ok(())
}

fn import(data_dir: &Path, file: &Path, user: &str) -> Result<(), Failure> {
    let store = open_store(data_dir)?;
    let session = login(&store, user)?;
    let (imported, copy) = station::import_session(&store, &session, data_dir, file)?;
    println!(
        "Session {} \"{}\" verified ({} documents, {} face drills) and kept as {}",
        imported.id,
        imported.name,
        imported.documents.len(),
        imported.face_drills.len(),
        copy.display()
    );
    Ok(())
}

fn record(data_dir: &Path, session_file: &Path, answers_file: &Path, user: &str, json: bool) -> Result<(), Failure> {
    let session = Session::load(session_file)?;
    let answers = read_answers(answers_file)?;
    let store = open_store(data_dir)?;
    let trainee = login(&store, user)?;
    session.verify(&station::trusted_session_keys(&store)?)?;
    let finished = tdverify::pki::now_unix();
    let spent: f64 = answers.iter().filter_map(|a| a.seconds).sum();
    let started = finished - spent.min(1e9) as i64;
    let (run_id, score) = station::record_run(&store, &trainee, &session, &answers, started, finished)?;
    if json {
        return print_json(&serde_json::json!({"run_id": run_id, "score": score}));
    }
    println!(
        "Run {run_id} of session {} recorded for {user}: {} hits, {} misses, {} false alarms, {} correct rejections",
        session.id,
        score.detection.hits,
        score.detection.misses,
        score.detection.false_alarms,
        score.detection.correct_rejections
    );
    Ok(())
}

fn history(data_dir: &Path, trainee: Option<&str>, user: &str, json: bool) -> Result<(), Failure> {
    let store = open_store(data_dir)?;
    let session = login(&store, user)?;
    let runs = store.training_history(&session, trainee)?;
    let mut trainees: Vec<&str> = runs.iter().map(|r| r.trainee.as_str()).collect();
    trainees.sort_unstable();
    trainees.dedup();
    let mut weaknesses = serde_json::Map::new();
    for name in &trainees {
        let rows = store.training_weaknesses(&session, name)?;
        weaknesses.insert((*name).to_string(), serde_json::to_value(rows).map_err(|e| Failure::failed(e.to_string()))?);
    }
    if json {
        return print_json(&serde_json::json!({"runs": runs, "weaknesses": weaknesses}));
    }
    if runs.is_empty() {
        println!("No training runs yet.");
    }
    let number = |v: Option<f64>| v.map_or("—".to_string(), |v| format!("{v:.2}"));
    for run in &runs {
        println!(
            "{}  {:<12} {:<18} {} {:>3}/{:<3} H {} M {} FA {} CR {}  d′ {}  c {}",
            run.finished,
            run.trainee,
            run.session_id,
            run.session_name,
            run.answered,
            run.documents,
            run.hits,
            run.misses,
            run.false_alarms,
            run.correct_rejections,
            number(run.d_prime),
            number(run.criterion)
        );
    }
    for (name, rows) in &weaknesses {
        let rows: Vec<tdverify::store::TrainingWeakness> = serde_json::from_value(rows.clone()).unwrap_or_default();
        let text: Vec<String> = rows
            .iter()
            .filter(|w| w.answered > 0)
            .map(|w| format!("{} {}/{}", w.fraud_type, w.correct, w.answered))
            .collect();
        println!("{name}: weakest first: {}", text.join(", "));
    }
    Ok(())
}

fn class(data_dir: &Path, session_id: Option<&str>, user: &str, json: bool) -> Result<(), Failure> {
    let store = open_store(data_dir)?;
    let session = login(&store, user)?;
    let rows = store.training_class_summary(&session, session_id)?;
    if json {
        return print_json(&rows);
    }
    let number = |v: Option<f64>| v.map_or("—".to_string(), |v| format!("{v:.2}"));
    for row in &rows {
        println!(
            "{:<14} {} runs  H {} M {} FA {} CR {}  hit rate {}  false-alarm rate {}  mean d′ {}",
            row.trainee,
            row.runs,
            row.hits,
            row.misses,
            row.false_alarms,
            row.correct_rejections,
            number(row.hit_rate),
            number(row.false_alarm_rate),
            number(row.mean_d_prime)
        );
    }
    Ok(())
}

fn export(data_dir: &Path, out: &Path, trainee: Option<&str>, user: &str) -> Result<(), Failure> {
    let extension = out.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let pdf = match extension.as_deref() {
        Some("csv") => false,
        Some("pdf") => true,
        _ => return Err(Failure::input(format!("{}: write a .csv or a .pdf file", out.display()))),
    };
    let store = open_store(data_dir)?;
    let session = login(&store, user)?;
    let input = station::write_results(&store, &session, trainee, out, pdf)?;
    println!("{} runs of {} trainees written to {}", input.class.runs, input.class.trainees, out.display());
    Ok(())
}
