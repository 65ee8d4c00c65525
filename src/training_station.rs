//! The station's side of training mode, shared by the CLI and the training screens:
//! signing a session with the station key (Trainer), verifying one against the keys the
//! station trusts (its own and the training publishers an administrator trusted),
//! keeping imported sessions under the data folder, turning a scored run into the
//! store's record, and the trainer's CSV of runs. Results stay in the store's training
//! tables, apart from cases.

use std::path::{Path, PathBuf};

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

/// CSV of runs, one line each (RFC 4180 quoting; empty cells for rates over nothing).
pub fn runs_csv(rows: &[TrainingRunRow]) -> String {
    let mut out = String::from(
        "trainee,session_id,session_name,started,finished,documents,answered,hits,misses,false_alarms,\
         correct_rejections,hit_rate,false_alarm_rate,d_prime,criterion,hotspot_recall,mean_seconds,face_drills,face_d_prime\n",
    );
    let number = |v: Option<f64>| v.map(|v| format!("{v:.4}")).unwrap_or_default();
    for r in rows {
        let cells = [
            quote(&r.trainee),
            quote(&r.session_id),
            quote(&r.session_name),
            r.started.clone(),
            r.finished.clone(),
            r.documents.to_string(),
            r.answered.to_string(),
            r.hits.to_string(),
            r.misses.to_string(),
            r.false_alarms.to_string(),
            r.correct_rejections.to_string(),
            number(r.hit_rate),
            number(r.false_alarm_rate),
            number(r.d_prime),
            number(r.criterion),
            number(r.hotspot_recall),
            number(r.mean_seconds),
            r.face_drills.to_string(),
            number(r.face_d_prime),
        ];
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// Quotes a CSV cell when needed; a leading `=`, `+`, `-` or `@` is prefixed with `'` so
/// a spreadsheet does not run it as a formula.
fn quote(cell: &str) -> String {
    let cell = if cell.starts_with(['=', '+', '-', '@']) { format!("'{cell}") } else { cell.to_string() };
    if cell.contains([',', '"', '\n', '\r']) { format!("\"{}\"", cell.replace('"', "\"\"")) } else { cell }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_and_defused() {
        assert_eq!(quote("plain"), "plain");
        assert_eq!(quote("a,b"), "\"a,b\"");
        assert_eq!(quote("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(quote("=cmd()"), "'=cmd()");
    }
}
