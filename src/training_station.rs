//! The station's side of training mode, shared by the CLI and the training screens:
//! signing a session with the station key (Trainer), verifying one against the keys the
//! station trusts (its own and the training publishers an administrator trusted),
//! keeping imported sessions under the data folder, turning a scored run into the
//! store's record, and the trainer's report input (PDF and CSV by `tdverify_report`). Results stay in the store's training
//! tables, apart from cases.

use std::path::{Path, PathBuf};

use tdverify_report::{ClassSummary, RunRow, TraineeHistory, TrainingReportInput, WeaknessRow};
use tdverify_store::{
    KeyPurpose, Session as StoreSession, Store, StoreError, TrainingAnswerRow, TrainingRunInput, TrainingRunRow,
};
use tdverify_training::{Answer, AnswerVerdict, Score, Session, SessionItem, TrainingError};

/// Why a training action failed.
#[derive(Debug, thiserror::Error)]
pub enum TrainingStationError {
    /// The session, the answers or the fixture set.
    #[error(transparent)]
    Training(#[from] TrainingError),
    /// The store refused (permissions, database).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The trainer's report could not be drawn or written.
    #[error(transparent)]
    Report(#[from] tdverify_report::ReportError),
    /// A file could not be written.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The system's reason.
        source: std::io::Error,
    },
}

/// Where imported sessions are kept: `<data-dir>/training/sessions`.
pub fn sessions_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("training").join("sessions")
}

/// The keys a session may be signed by: the station's own and the trusted training
/// publishers.
pub fn trusted_session_keys(store: &Store) -> Result<Vec<Vec<u8>>, StoreError> {
    let mut keys = vec![store.export_public_key()?];
    keys.extend(store.trusted_keys(KeyPurpose::TrainingPublisher)?.into_iter().map(|k| k.public_key));
    Ok(keys)
}

/// Signs `session` with the station key as `user` (a Trainer) and records them as its author.
pub fn sign_session(store: &Store, user: &StoreSession, session: &mut Session) -> Result<(), TrainingStationError> {
    session.author = Some(user.username().to_string());
    let payload = session.signing_payload();
    let items = session.documents.len() + session.face_drills.len();
    let (key, signature) = store.sign_training_session(user, &session.id, items, &payload)?;
    session.attach_signature(&key, &signature)?;
    Ok(())
}

/// Verifies a session file against the station's trusted keys and keeps a copy under
/// [`sessions_dir`] (named by the session id); audited. Returns the copy's path.
pub fn import_session(
    store: &Store,
    user: &StoreSession,
    data_dir: &Path,
    file: &Path,
) -> Result<(Session, PathBuf), TrainingStationError> {
    let session = Session::load(file)?;
    let signer = session.verify(&trusted_session_keys(store)?)?;
    let dir = sessions_dir(data_dir);
    std::fs::create_dir_all(&dir).map_err(|source| TrainingStationError::Io {
        action: "create",
        path: dir.clone(),
        source,
    })?;
    let copy = dir.join(format!("{}.json", session.id));
    session.save(&copy)?;
    store.record_training_import(user, &session.id, session.documents.len() + session.face_drills.len(), &signer)?;
    Ok((session, copy))
}

/// The store's record of a scored run: counts, rates, the whole score as JSON, and one
/// row per item (answered or not).
pub fn run_input(
    session: &Session,
    answers: &[Answer],
    score: &Score,
    started_unix: i64,
    finished_unix: i64,
) -> TrainingRunInput {
    let answer_for = |id: &str| answers.iter().find(|a| a.document == id);
    let rows = session
        .items()
        .iter()
        .map(|item| {
            let answer = answer_for(item.id());
            let verdict = answer.map(|a| a.verdict);
            let signal = item.is_signal();
            let (truth_fraud_type, methods) = match item {
                SessionItem::Document(d) => (
                    Some(d.fraud_type.as_str().to_string()),
                    d.forgery_methods.iter().map(|m| m.as_str().to_string()).collect(),
                ),
                SessionItem::FaceDrill(_) => (None, Vec::new()),
            };
            TrainingAnswerRow {
                item: item.id().to_string(),
                face_drill: matches!(item, SessionItem::FaceDrill(_)),
                truth_fraud_type,
                truth_forgery_methods: methods,
                signal,
                verdict: verdict.map(|v| verdict_name(v).to_string()),
                fraud_type: answer.and_then(|a| a.fraud_type).map(|t| t.as_str().to_string()),
                correct: verdict.is_some_and(|v| (v == AnswerVerdict::Fraudulent) == signal),
                seconds: answer.and_then(|a| a.seconds),
                hotspots: answer.map_or(0, |a| u32::try_from(a.hotspots.len()).unwrap_or(u32::MAX)),
            }
        })
        .collect();
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let d = &score.detection;
    TrainingRunInput {
        session_id: session.id.clone(),
        session_name: session.name.clone(),
        started_unix,
        finished_unix: finished_unix.max(started_unix),
        documents: count(score.items),
        answered: count(score.answered),
        hits: count(d.hits),
        misses: count(d.misses),
        false_alarms: count(d.false_alarms),
        correct_rejections: count(d.correct_rejections),
        hit_rate: d.hit_rate,
        false_alarm_rate: d.false_alarm_rate,
        d_prime: d.d_prime,
        criterion: d.criterion,
        hotspot_recall: score.hotspot_recall,
        mean_seconds: score.mean_seconds,
        face_drills: count(score.face_drills.items),
        face_d_prime: score.face_drills.detection.d_prime,
        score_json: serde_json::to_string(score).unwrap_or_else(|_| "{}".to_string()),
        answers: rows,
    }
}

/// `fraudulent` / `genuine`.
pub fn verdict_name(verdict: AnswerVerdict) -> &'static str {
    match verdict {
        AnswerVerdict::Fraudulent => "fraudulent",
        AnswerVerdict::Genuine => "genuine",
    }
}

/// Scores `answers` and records the run for the logged-in `user`; returns the run id
/// and the score.
pub fn record_run(
    store: &Store,
    user: &StoreSession,
    session: &Session,
    answers: &[Answer],
    started_unix: i64,
    finished_unix: i64,
) -> Result<(i64, Score), TrainingStationError> {
    let score = tdverify_training::score(session, answers)?;
    let input = run_input(session, answers, &score, started_unix, finished_unix);
    Ok((store.record_training_run(user, &input)?, score))
}

/// The trainer's report (PDF through `tdverify_report::write_training_report`, CSV
/// through `training_csv`) from the runs `user` may see: of `trainee`, or with `None`
/// everyone's (Trainer, Supervisor) or one's own. The same input serves the screens.
pub fn report_input(
    store: &Store,
    user: &StoreSession,
    trainee: Option<&str>,
    title: &str,
    generated_at: &str,
) -> Result<TrainingReportInput, StoreError> {
    let runs = store.training_history(user, trainee)?;
    let mut names: Vec<&str> = runs.iter().map(|r| r.trainee.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let mut trainees = Vec::with_capacity(names.len());
    let mut class_weaknesses: Vec<WeaknessRow> = Vec::new();
    for name in &names {
        let weaknesses: Vec<WeaknessRow> = store
            .training_weaknesses(user, name)?
            .into_iter()
            .filter(|w| w.fraud_type != "no_fraud")
            .map(|w| WeaknessRow {
                fraud_type: w.fraud_type,
                missed: u32::try_from(w.wrong).unwrap_or(u32::MAX),
                shown: u32::try_from(w.items).unwrap_or(u32::MAX),
            })
            .collect();
        for row in &weaknesses {
            match class_weaknesses.iter_mut().find(|c| c.fraud_type == row.fraud_type) {
                Some(total) => {
                    total.missed = total.missed.saturating_add(row.missed);
                    total.shown = total.shown.saturating_add(row.shown);
                }
                None => class_weaknesses.push(row.clone()),
            }
        }
        let rows = runs.iter().filter(|r| r.trainee == *name).map(report_run).collect();
        trainees.push(TraineeHistory { trainee: (*name).to_string(), runs: rows, weaknesses });
    }
    class_weaknesses.sort_by(|a, b| b.missed.cmp(&a.missed).then(a.fraud_type.cmp(&b.fraud_type)));
    let mean = |values: Vec<f64>| (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64);
    let scope = match (trainee, runs.first(), runs.last()) {
        (_, None, _) | (_, _, None) => "No runs".to_string(),
        (who, Some(first), Some(last)) => format!(
            "{}, {} – {}",
            who.map_or_else(|| "All trainees".to_string(), |name| format!("Trainee {name}")),
            &first.finished[..first.finished.len().min(10)],
            &last.finished[..last.finished.len().min(10)]
        ),
    };
    Ok(TrainingReportInput {
        title: title.to_string(),
        generated_at: generated_at.to_string(),
        station: store.station_id()?,
        scope,
        class: ClassSummary {
            trainees: u32::try_from(names.len()).unwrap_or(u32::MAX),
            runs: u32::try_from(runs.len()).unwrap_or(u32::MAX),
            mean_d_prime: mean(runs.iter().filter_map(|r| r.d_prime).collect()),
            mean_hit_rate: mean(runs.iter().filter_map(|r| r.hit_rate).collect()),
            mean_false_alarm_rate: mean(runs.iter().filter_map(|r| r.false_alarm_rate).collect()),
            by_fraud_type: class_weaknesses,
        },
        trainees,
    })
}

/// Writes the training results `user` may see (of `trainee`, or everyone's) to `out`:
/// the PDF report when `pdf`, else the CSV, into a folder made if missing. Audited when
/// the results are others' (a trainee saving their own is not an export of anyone's).
/// Returns what was written (its counts for a message).
pub fn write_results(
    store: &Store,
    user: &StoreSession,
    trainee: Option<&str>,
    out: &Path,
    pdf: bool,
) -> Result<TrainingReportInput, TrainingStationError> {
    let now = tdverify_pki::now_unix();
    let input = report_input(store, user, trainee, "Training results", &tdverify_store::time::format_utc(now))?;
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| TrainingStationError::Io {
            action: "create",
            path: dir.to_path_buf(),
            source,
        })?;
    }
    if pdf {
        tdverify_report::write_training_report(out, &input)?;
    } else {
        std::fs::write(out, tdverify_report::training_csv(&input)).map_err(|source| TrainingStationError::Io {
            action: "write",
            path: out.to_path_buf(),
            source,
        })?;
    }
    if user.may(tdverify_store::Permission::ViewAllTrainingResults) {
        store.record_training_export(user, input.class.runs as usize, if pdf { "pdf" } else { "csv" })?;
    }
    Ok(input)
}

/// One stored run as a report row (d′ and c NaN when the run has none: printed "–").
fn report_run(run: &TrainingRunRow) -> RunRow {
    RunRow {
        session: run.session_name.clone(),
        finished_at: run.finished.clone(),
        items: run.answered,
        hits: run.hits,
        misses: run.misses,
        false_alarms: run.false_alarms,
        correct_rejections: run.correct_rejections,
        hit_rate: run.hit_rate,
        false_alarm_rate: run.false_alarm_rate,
        d_prime: run.d_prime.unwrap_or(f64::NAN),
        criterion: run.criterion.unwrap_or(f64::NAN),
        hotspot_recall: run.hotspot_recall,
        mean_seconds: run.mean_seconds,
        face_d_prime: run.face_d_prime,
    }
}
