//! Training results, kept apart from cases: a trainee's run of a practice session (the
//! session's id and name, who, when, the per-item answers and the score), in their own
//! tables that the case list, the DESC export and the trends code never read. Also the
//! Trainer's signature over a session file with the station key, domain-separated so it
//! can never pass for an export signature.
//!
//! Who may do what: anyone logged in runs sessions and sees their own results; Trainers
//! and Supervisors see everyone's; Trainers sign sessions; Administrators trust other
//! stations' training publishers (`KeyPurpose::TrainingPublisher`, in `trust.rs`).
//! Audit entries carry ids and counts only, never the answers.

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::audit::AuditAction;
use crate::error::{StoreError, StoreResult};
use crate::roles::{Permission, Session};
use crate::store::Store;
use crate::time::format_utc;
use tdverify_core::hex;

/// Bytes signed before a training session's payload; `tdverify_training` verifies with
/// the same bytes (`SIGNATURE_CONTEXT`).
pub const TRAINING_SIGNATURE_CONTEXT: &[u8] = b"tdverify training session v1\n";

/// Most answers one run may hold.
const MAX_ANSWERS: usize = 20_000;

/// One item's answer in a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingAnswerRow {
    /// Item id (fixture document id or face drill id).
    pub item: String,
    /// Whether the item is a face-matching drill.
    pub face_drill: bool,
    /// The document's truth fraud type (stable name); `None` for face drills.
    pub truth_fraud_type: Option<String>,
    /// The document's truth forgery methods (stable names).
    pub truth_forgery_methods: Vec<String>,
    /// Whether the item is a signal (fraudulent document, different people).
    pub signal: bool,
    /// `fraudulent` / `genuine`, `None` when unanswered.
    pub verdict: Option<String>,
    /// The fraud type the trainee named.
    pub fraud_type: Option<String>,
    /// Whether the answer was right.
    pub correct: bool,
    /// Seconds taken.
    pub seconds: Option<f64>,
    /// Hotspots marked.
    pub hotspots: u32,
}

/// A finished run to record; the trainee is the logged-in user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingRunInput {
    /// The session's content id.
    pub session_id: String,
    /// The session's name.
    pub session_name: String,
    /// Start, Unix seconds.
    pub started_unix: i64,
    /// End, Unix seconds.
    pub finished_unix: i64,
    /// Documents in the session.
    pub documents: u32,
    /// Documents answered.
    pub answered: u32,
    /// Hits.
    pub hits: u32,
    /// Misses.
    pub misses: u32,
    /// False alarms.
    pub false_alarms: u32,
    /// Correct rejections.
    pub correct_rejections: u32,
    /// Raw hit rate.
    pub hit_rate: Option<f64>,
    /// Raw false-alarm rate.
    pub false_alarm_rate: Option<f64>,
    /// d′ (corrected rates).
    pub d_prime: Option<f64>,
    /// Criterion c.
    pub criterion: Option<f64>,
    /// Hotspot recall.
    pub hotspot_recall: Option<f64>,
    /// Mean seconds per answered document.
    pub mean_seconds: Option<f64>,
    /// Face drills in the session.
    pub face_drills: u32,
    /// d′ over the face drills.
    pub face_d_prime: Option<f64>,
    /// The whole score as JSON (kept for the detail view and reports).
    pub score_json: String,
    /// Every item, answered or not.
    pub answers: Vec<TrainingAnswerRow>,
}

/// One recorded run, for history and reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingRunRow {
    /// Run id.
    pub run_id: i64,
    /// Session id.
    pub session_id: String,
    /// Session name.
    pub session_name: String,
    /// Trainee's user name.
    pub trainee: String,
    /// Start, ISO 8601 UTC.
    pub started: String,
    /// End, ISO 8601 UTC.
    pub finished: String,
    /// Documents in the session.
    pub documents: u32,
    /// Documents answered.
    pub answered: u32,
    /// Hits.
    pub hits: u32,
    /// Misses.
    pub misses: u32,
    /// False alarms.
    pub false_alarms: u32,
    /// Correct rejections.
    pub correct_rejections: u32,
    /// Raw hit rate.
    pub hit_rate: Option<f64>,
    /// Raw false-alarm rate.
    pub false_alarm_rate: Option<f64>,
    /// d′.
    pub d_prime: Option<f64>,
    /// Criterion c.
    pub criterion: Option<f64>,
    /// Hotspot recall.
    pub hotspot_recall: Option<f64>,
    /// Mean seconds per document.
    pub mean_seconds: Option<f64>,
    /// Face drills.
    pub face_drills: u32,
    /// d′ over the face drills.
    pub face_d_prime: Option<f64>,
}

/// How a trainee does on one fraud type over all their runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingWeakness {
    /// Truth fraud type (`no_fraud` included: false alarms are a weakness too).
    pub fraud_type: String,
    /// Documents of that type seen.
    pub items: u64,
    /// Of them answered.
    pub answered: u64,
    /// Answered right.
    pub correct: u64,
    /// Answered wrong (misses, or false alarms for `no_fraud`).
    pub wrong: u64,
    /// correct / answered; `None` when none was answered.
    pub rate: Option<f64>,
}

/// One trainee's line in a class summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingClassRow {
    /// Trainee's user name.
    pub trainee: String,
    /// Runs counted.
    pub runs: u64,
    /// Documents answered over those runs.
    pub answered: u64,
    /// Hits.
    pub hits: u64,
    /// Misses.
    pub misses: u64,
    /// False alarms.
    pub false_alarms: u64,
    /// Correct rejections.
    pub correct_rejections: u64,
    /// Pooled hit rate.
    pub hit_rate: Option<f64>,
    /// Pooled false-alarm rate.
    pub false_alarm_rate: Option<f64>,
    /// Mean d′ over the runs that have one.
    pub mean_d_prime: Option<f64>,
    /// Latest run's end, ISO 8601 UTC.
    pub last_finished: String,
}

const RUN_COLUMNS: &str = "id, session_id, session_name, trainee, started, finished, documents, answered, hits, misses, \
     false_alarms, correct_rejections, hit_rate, false_alarm_rate, d_prime, criterion, hotspot_recall, mean_seconds, \
     face_drills, face_d_prime";

fn run_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TrainingRunRow> {
    let count =
        |i: usize| -> rusqlite::Result<u32> { Ok(u32::try_from(r.get::<_, i64>(i)?).unwrap_or(0)) };
    Ok(TrainingRunRow {
        run_id: r.get(0)?,
        session_id: r.get(1)?,
        session_name: r.get(2)?,
        trainee: r.get(3)?,
        started: format_utc(r.get(4)?),
        finished: format_utc(r.get(5)?),
        documents: count(6)?,
        answered: count(7)?,
        hits: count(8)?,
        misses: count(9)?,
        false_alarms: count(10)?,
        correct_rejections: count(11)?,
        hit_rate: r.get(12)?,
        false_alarm_rate: r.get(13)?,
        d_prime: r.get(14)?,
        criterion: r.get(15)?,
        hotspot_recall: r.get(16)?,
        mean_seconds: r.get(17)?,
        face_drills: count(18)?,
        face_d_prime: r.get(19)?,
    })
}

/// Whose results a query covers.
enum Scope<'a> {
    Everyone,
    Trainee(&'a str),
}

impl Store {
    /// Signs a training session's payload with the station key (after
    /// [`TRAINING_SIGNATURE_CONTEXT`], so the signature is good for nothing else).
    /// Trainers (and the station session) only; audited with the session id and item
    /// count. Returns `(public key, signature)`.
    pub fn sign_training_session(
        &self,
        session: &Session,
        session_id: &str,
        items: usize,
        payload: &[u8],
    ) -> StoreResult<(Vec<u8>, Vec<u8>)> {
        session.require(Permission::CreateTrainingSession)?;
        let pair = self.station_signing_pair()?;
        let mut message = TRAINING_SIGNATURE_CONTEXT.to_vec();
        message.extend_from_slice(payload);
        let signature = pair.sign(&message).as_ref().to_vec();
        let digest = ring::digest::digest(&ring::digest::SHA256, payload);
        let detail = format!(
            "training session {} signed: {items} items, sha256 {}",
            clean_id(session_id),
            hex::encode(digest.as_ref())
        );
        self.append_audit(session, AuditAction::Training, None, &detail)?;
        use ring::signature::KeyPair;
        Ok((pair.public_key().as_ref().to_vec(), signature))
    }

    /// Records that a session file from elsewhere was verified and kept (audited: id,
    /// items and signer). Anyone logged in.
    pub fn record_training_import(
        &self,
        session: &Session,
        session_id: &str,
        items: usize,
        signer: &[u8],
    ) -> StoreResult<()> {
        session.require(Permission::RunTraining)?;
        let detail = format!(
            "training session {} imported: {items} items, signed by ed25519:{}",
            clean_id(session_id),
            hex::encode(signer)
        );
        self.append_audit(session, AuditAction::Training, None, &detail)
    }

    /// Records a finished run for the logged-in trainee, in one transaction with its
    /// audit entry (session id and counts, never the answers). Returns the run id.
    pub fn record_training_run(
        &self,
        session: &Session,
        run: &TrainingRunInput,
    ) -> StoreResult<i64> {
        session.require(Permission::RunTraining)?;
        if run.session_id.trim().is_empty() || run.session_id.len() > 128 {
            return Err(StoreError::InvalidArgument(
                "a training run needs its session's id".into(),
            ));
        }
        if run.finished_unix < run.started_unix {
            return Err(StoreError::InvalidArgument(
                "a training run cannot finish before it starts".into(),
            ));
        }
        if run.answers.len() > MAX_ANSWERS {
            return Err(StoreError::InvalidArgument(format!(
                "a training run holds at most {MAX_ANSWERS} items"
            )));
        }
        if serde_json::from_str::<serde_json::Value>(&run.score_json).is_err() {
            return Err(StoreError::InvalidArgument(
                "the run's score is not JSON".into(),
            ));
        }
        let name: String = run
            .session_name
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect();
        let now = self.now();
        let tx = self.write_tx("recording a training run")?;
        tx.execute(
            &format!(
                "INSERT INTO training_runs (session_id, session_name, trainee, started, finished, recorded, documents, \
                 answered, hits, misses, false_alarms, correct_rejections, hit_rate, false_alarm_rate, d_prime, criterion, \
                 hotspot_recall, mean_seconds, face_drills, face_d_prime, score_json) VALUES ({})",
                (1..=21).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ")
            ),
            params![
                run.session_id,
                name,
                session.username(),
                run.started_unix,
                run.finished_unix,
                now,
                run.documents,
                run.answered,
                run.hits,
                run.misses,
                run.false_alarms,
                run.correct_rejections,
                finite(run.hit_rate),
                finite(run.false_alarm_rate),
                finite(run.d_prime),
                finite(run.criterion),
                finite(run.hotspot_recall),
                finite(run.mean_seconds),
                run.face_drills,
                finite(run.face_d_prime),
                run.score_json,
            ],
        )
        .map_err(self.db_err("recording a training run"))?;
        let run_id = tx.last_insert_rowid();
        {
            let mut insert = tx
                .prepare(
                    "INSERT INTO training_answers (run_id, item, face_drill, truth_fraud_type, truth_forgery_methods, signal, \
                     verdict, fraud_type, correct, seconds, hotspots) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                )
                .map_err(self.db_err("recording training answers"))?;
            for answer in &run.answers {
                insert
                    .execute(params![
                        run_id,
                        answer.item,
                        answer.face_drill,
                        answer.truth_fraud_type,
                        answer.truth_forgery_methods.join(","),
                        answer.signal,
                        answer.verdict,
                        answer.fraud_type,
                        answer.correct,
                        finite(answer.seconds),
                        answer.hotspots,
                    ])
                    .map_err(|e| match e {
                        rusqlite::Error::SqliteFailure(f, _)
                            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
                        {
                            StoreError::InvalidArgument(format!(
                                "item {:?} appears twice in the run",
                                answer.item
                            ))
                        }
                        other => crate::error::classify_sqlite(
                            "recording training answers",
                            &self.db_path,
                            other,
                        ),
                    })?;
            }
        }
        let detail = format!(
            "training run {run_id} recorded: session {}, {} of {} documents answered, {} face drills",
            clean_id(&run.session_id),
            run.answered,
            run.documents,
            run.face_drills
        );
        Store::append_audit_on(&tx, now, session, AuditAction::Training, None, &detail)
            .map_err(self.db_err("writing the audit log"))?;
        tx.commit()
            .map_err(self.db_err("recording a training run"))?;
        Ok(run_id)
    }

    /// Runs, oldest first: of `trainee` (one's own name, or anyone's for Trainers and
    /// Supervisors), or with `None` every run the session may see (its own, or all for
    /// Trainers and Supervisors).
    pub fn training_history(
        &self,
        session: &Session,
        trainee: Option<&str>,
    ) -> StoreResult<Vec<TrainingRunRow>> {
        let (clause, value) = match self.training_scope(session, trainee)? {
            Scope::Everyone => ("", None),
            Scope::Trainee(name) => ("WHERE trainee = ?1", Some(name)),
        };
        let sql = format!("SELECT {RUN_COLUMNS} FROM training_runs {clause} ORDER BY finished, id");
        let mut stmt = self
            .conn
            .prepare(&sql)
            .map_err(self.db_err("reading training runs"))?;
        let rows = match value {
            Some(name) => stmt.query_map([name], run_row),
            None => stmt.query_map([], run_row),
        }
        .map_err(self.db_err("reading training runs"))?;
        rows.collect::<Result<_, _>>()
            .map_err(self.db_err("reading training runs"))
    }

    /// A run's full score JSON (its trainee, Trainers and Supervisors).
    pub fn training_run_score(&self, session: &Session, run_id: i64) -> StoreResult<String> {
        let row: Option<(String, String)> = self
            .conn
            .query_row(
                "SELECT trainee, score_json FROM training_runs WHERE id = ?1",
                [run_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(self.db_err("reading a training run"))?;
        let (trainee, score) =
            row.ok_or_else(|| StoreError::InvalidArgument(format!("no training run {run_id}")))?;
        self.training_scope(session, Some(&trainee))?;
        Ok(score)
    }

    /// A trainee's results per truth fraud type over all their runs (documents only),
    /// weakest first.
    pub fn training_weaknesses(
        &self,
        session: &Session,
        trainee: &str,
    ) -> StoreResult<Vec<TrainingWeakness>> {
        self.training_scope(session, Some(trainee))?;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT a.truth_fraud_type, COUNT(*), SUM(a.verdict IS NOT NULL), SUM(a.verdict IS NOT NULL AND a.correct)
                 FROM training_answers a JOIN training_runs r ON r.id = a.run_id
                 WHERE r.trainee = ?1 AND a.face_drill = 0 AND a.truth_fraud_type IS NOT NULL
                 GROUP BY a.truth_fraud_type",
            )
            .map_err(self.db_err("reading training answers"))?;
        let rows = stmt
            .query_map([trainee], |r| {
                let items = r.get::<_, i64>(1)?.max(0) as u64;
                let answered = r.get::<_, i64>(2)?.max(0) as u64;
                let correct = r.get::<_, i64>(3)?.max(0) as u64;
                Ok(TrainingWeakness {
                    fraud_type: r.get(0)?,
                    items,
                    answered,
                    correct,
                    wrong: answered - correct.min(answered),
                    rate: (answered > 0).then(|| correct as f64 / answered as f64),
                })
            })
            .map_err(self.db_err("reading training answers"))?;
        let mut weaknesses: Vec<TrainingWeakness> = rows
            .collect::<Result<_, _>>()
            .map_err(self.db_err("reading training answers"))?;
        weaknesses.sort_by(|a, b| {
            a.rate
                .unwrap_or(f64::INFINITY)
                .total_cmp(&b.rate.unwrap_or(f64::INFINITY))
                .then(a.fraud_type.cmp(&b.fraud_type))
        });
        Ok(weaknesses)
    }

    /// One line per trainee over the runs of `session_id` (or of every session).
    /// Trainers and Supervisors.
    pub fn training_class_summary(
        &self,
        session: &Session,
        session_id: Option<&str>,
    ) -> StoreResult<Vec<TrainingClassRow>> {
        session.require(Permission::ViewAllTrainingResults)?;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT trainee, COUNT(*), SUM(answered), SUM(hits), SUM(misses), SUM(false_alarms), SUM(correct_rejections),
                        AVG(d_prime), MAX(finished)
                 FROM training_runs WHERE ?1 IS NULL OR session_id = ?1 GROUP BY trainee ORDER BY trainee",
            )
            .map_err(self.db_err("reading training runs"))?;
        let rows = stmt
            .query_map([session_id], |r| {
                let n =
                    |i: usize| -> rusqlite::Result<u64> { Ok(r.get::<_, i64>(i)?.max(0) as u64) };
                let (hits, misses, false_alarms, correct_rejections) = (n(3)?, n(4)?, n(5)?, n(6)?);
                let rate = |a: u64, b: u64| (a + b > 0).then(|| a as f64 / (a + b) as f64);
                Ok(TrainingClassRow {
                    trainee: r.get(0)?,
                    runs: n(1)?,
                    answered: n(2)?,
                    hits,
                    misses,
                    false_alarms,
                    correct_rejections,
                    hit_rate: rate(hits, misses),
                    false_alarm_rate: rate(false_alarms, correct_rejections),
                    mean_d_prime: r.get(7)?,
                    last_finished: format_utc(r.get(8)?),
                })
            })
            .map_err(self.db_err("reading training runs"))?;
        rows.collect::<Result<_, _>>()
            .map_err(self.db_err("reading training runs"))
    }

    /// Records that training results left the station as a file (CSV, PDF): audited
    /// with the number of runs. Trainers and Supervisors.
    pub fn record_training_export(
        &self,
        session: &Session,
        runs: usize,
        format: &str,
    ) -> StoreResult<()> {
        session.require(Permission::ViewAllTrainingResults)?;
        let format: String = format
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(8)
            .collect();
        self.append_audit(
            session,
            AuditAction::Training,
            None,
            &format!("training results exported as {format}: {runs} runs"),
        )
    }

    /// Whose results `session` may read when it asks for `trainee`.
    fn training_scope<'a>(
        &self,
        session: &'a Session,
        trainee: Option<&'a str>,
    ) -> StoreResult<Scope<'a>> {
        session.require(Permission::RunTraining)?;
        let sees_all = session.may(Permission::ViewAllTrainingResults);
        match trainee {
            None if sees_all => Ok(Scope::Everyone),
            None => Ok(Scope::Trainee(session.username())),
            Some(name) if name == session.username() || sees_all => Ok(Scope::Trainee(name)),
            Some(_) => Err(session.denied(Permission::ViewAllTrainingResults)),
        }
    }
}

/// NaN and infinities are stored as NULL (a rate over nothing).
fn finite(value: Option<f64>) -> Option<f64> {
    value.filter(|v| v.is_finite())
}

/// A session id as it may appear in the audit log: hex-ish characters only.
fn clean_id(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(64)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Role;
    use crate::test_support::Fixture;

    fn answer(
        item: &str,
        fraud_type: &str,
        verdict: Option<&str>,
        correct: bool,
    ) -> TrainingAnswerRow {
        TrainingAnswerRow {
            item: item.into(),
            face_drill: false,
            truth_fraud_type: Some(fraud_type.into()),
            truth_forgery_methods: vec![],
            signal: fraud_type != "no_fraud",
            verdict: verdict.map(str::to_string),
            fraud_type: None,
            correct,
            seconds: Some(10.0),
            hotspots: 0,
        }
    }

    fn run(
        session_id: &str,
        answers: Vec<TrainingAnswerRow>,
        d_prime: Option<f64>,
    ) -> TrainingRunInput {
        TrainingRunInput {
            session_id: session_id.into(),
            session_name: "TEST-ONLY session".into(),
            started_unix: crate::test_support::T0,
            finished_unix: crate::test_support::T0 + 300,
            documents: answers.len() as u32,
            answered: answers.iter().filter(|a| a.verdict.is_some()).count() as u32,
            hits: answers.iter().filter(|a| a.signal && a.correct).count() as u32,
            misses: answers
                .iter()
                .filter(|a| a.signal && a.verdict.is_some() && !a.correct)
                .count() as u32,
            false_alarms: answers
                .iter()
                .filter(|a| !a.signal && a.verdict.is_some() && !a.correct)
                .count() as u32,
            correct_rejections: answers.iter().filter(|a| !a.signal && a.correct).count() as u32,
            hit_rate: None,
            false_alarm_rate: Some(f64::NAN),
            d_prime,
            criterion: None,
            hotspot_recall: None,
            mean_seconds: Some(10.0),
            face_drills: 0,
            face_d_prime: None,
            score_json: "{\"secret_answer_marker\": 1}".into(),
            answers,
        }
    }

    fn sample() -> Vec<TrainingAnswerRow> {
        vec![
            answer("a", "forged", Some("genuine"), false),
            answer("b", "forged", Some("fraudulent"), true),
            answer("c", "counterfeit", Some("fraudulent"), true),
            answer("d", "no_fraud", Some("genuine"), true),
            answer("e", "no_fraud", None, false),
        ]
    }

    #[test]
    fn every_user_sees_own_runs_and_trainers_see_everyone() {
        let fx = Fixture::new();
        let officer = fx.login("officer");
        let expert = fx.login("expert");
        fx.store
            .record_training_run(&officer, &run("s1", sample(), Some(1.0)))
            .unwrap();
        fx.store
            .record_training_run(&expert, &run("s1", sample(), Some(2.0)))
            .unwrap();
        let own = fx.store.training_history(&officer, None).unwrap();
        assert_eq!(own.len(), 1);
        assert_eq!(own[0].trainee, "officer");
        assert_eq!(
            (
                own[0].hits,
                own[0].misses,
                own[0].false_alarms,
                own[0].correct_rejections
            ),
            (2, 1, 0, 1)
        );
        assert_eq!(own[0].false_alarm_rate, None, "NaN is stored as null");
        assert!(matches!(
            fx.store.training_history(&officer, Some("expert")),
            Err(StoreError::PermissionDenied { .. })
        ));
        for viewer in ["trainer", "supervisor"] {
            let session = fx.login(viewer);
            assert_eq!(
                fx.store.training_history(&session, None).unwrap().len(),
                2,
                "{viewer}"
            );
            assert_eq!(
                fx.store
                    .training_history(&session, Some("expert"))
                    .unwrap()
                    .len(),
                1
            );
            assert_eq!(
                fx.store
                    .training_class_summary(&session, Some("s1"))
                    .unwrap()
                    .len(),
                2
            );
        }
        assert!(fx.store.training_class_summary(&officer, None).is_err());
        let score = fx
            .store
            .training_run_score(&officer, own[0].run_id)
            .unwrap();
        assert!(score.contains("secret_answer_marker"));
    }

    #[test]
    fn weaknesses_and_class_summary_aggregate_over_runs() {
        let fx = Fixture::new();
        let officer = fx.login("officer");
        fx.store
            .record_training_run(&officer, &run("s1", sample(), Some(1.0)))
            .unwrap();
        fx.store
            .record_training_run(&officer, &run("s2", sample(), Some(3.0)))
            .unwrap();
        let weaknesses = fx.store.training_weaknesses(&officer, "officer").unwrap();
        let forged = weaknesses
            .iter()
            .find(|w| w.fraud_type == "forged")
            .unwrap();
        assert_eq!(
            (forged.items, forged.answered, forged.correct, forged.wrong),
            (4, 4, 2, 2)
        );
        assert_eq!(
            weaknesses[0].fraud_type, "forged",
            "weakest first: {weaknesses:?}"
        );
        let no_fraud = weaknesses
            .iter()
            .find(|w| w.fraud_type == "no_fraud")
            .unwrap();
        assert_eq!(
            (no_fraud.items, no_fraud.answered, no_fraud.rate),
            (4, 2, Some(1.0))
        );
        let trainer = fx.login("trainer");
        let class = fx.store.training_class_summary(&trainer, None).unwrap();
        assert_eq!(class.len(), 1);
        assert_eq!((class[0].runs, class[0].hits, class[0].misses), (2, 4, 2));
        assert_eq!(class[0].mean_d_prime, Some(2.0));
        assert_eq!(
            fx.store
                .training_class_summary(&trainer, Some("s2"))
                .unwrap()[0]
                .runs,
            1
        );
    }

    #[test]
    fn the_audit_keeps_counts_and_ids_never_answers() {
        let fx = Fixture::new();
        let officer = fx.login("officer");
        fx.store
            .record_training_run(&officer, &run("s1", sample(), None))
            .unwrap();
        let trainer = fx.login("trainer");
        fx.store.record_training_export(&trainer, 1, "csv").unwrap();
        let auditor = fx.login("auditor");
        let entries = fx.store.audit_entries(&auditor, 0, 1000).unwrap();
        let training: Vec<_> = entries.iter().filter(|e| e.action == "training").collect();
        assert_eq!(training.len(), 2);
        assert!(
            training[0]
                .detail
                .contains("session s1, 4 of 5 documents answered"),
            "{}",
            training[0].detail
        );
        for entry in &entries {
            assert!(
                !entry.detail.contains("fraudulent")
                    && !entry.detail.contains("secret_answer_marker"),
                "{entry:?}"
            );
        }
        assert!(fx.store.verify_audit(&auditor).unwrap().intact);
    }

    #[test]
    fn only_trainers_sign_and_the_signature_is_domain_separated() {
        use ring::signature::{ED25519, UnparsedPublicKey};
        let fx = Fixture::new();
        for role in Role::ALL {
            let session = fx.login(role.as_str());
            let result = fx.store.sign_training_session(&session, "abc", 3, b"{}");
            assert_eq!(result.is_ok(), role == Role::Trainer, "{}", role.as_str());
        }
        let trainer = fx.login("trainer");
        let (key, signature) = fx
            .store
            .sign_training_session(&trainer, "abc", 3, b"payload")
            .unwrap();
        assert_eq!(key, fx.store.export_public_key().unwrap());
        let verifier = UnparsedPublicKey::new(&ED25519, &key);
        assert!(
            verifier.verify(b"payload", &signature).is_err(),
            "a bare payload must not verify"
        );
        let mut message = TRAINING_SIGNATURE_CONTEXT.to_vec();
        message.extend_from_slice(b"payload");
        assert!(verifier.verify(&message, &signature).is_ok());
    }

    #[test]
    fn bad_runs_are_refused() {
        let fx = Fixture::new();
        let officer = fx.login("officer");
        let mut backwards = run("s1", sample(), None);
        backwards.finished_unix = backwards.started_unix - 1;
        assert!(matches!(
            fx.store.record_training_run(&officer, &backwards),
            Err(StoreError::InvalidArgument(_))
        ));
        let mut twice = run("s1", sample(), None);
        twice.answers[1].item = "a".into();
        let error = fx.store.record_training_run(&officer, &twice).unwrap_err();
        assert!(error.to_string().contains("twice"), "{error}");
        assert!(
            fx.store
                .training_history(&officer, None)
                .unwrap()
                .is_empty(),
            "nothing half-written"
        );
        let mut not_json = run("s1", sample(), None);
        not_json.score_json = "{".into();
        assert!(fx.store.record_training_run(&officer, &not_json).is_err());
    }

    #[test]
    fn training_runs_never_show_as_cases_or_in_the_export() {
        let fx = Fixture::new();
        let officer = fx.login("officer");
        fx.store
            .record_training_run(&officer, &run("s1", sample(), None))
            .unwrap();
        let supervisor = fx.login("supervisor");
        let entries = fx
            .store
            .list_case_entries(&supervisor, &crate::CaseFilter::default())
            .unwrap();
        assert!(entries.is_empty(), "{entries:?}");
        let selection = fx.store.export_selection(&supervisor, 0, i64::MAX).unwrap();
        assert!(selection.records.is_empty());
        assert_eq!(selection.excluded.training, 0);
    }
}
