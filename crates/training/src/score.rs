//! Answers and scores, as examiners are measured: signal detection over documents
//! (fraud is the signal) and, apart, over face-matching drills (a different person is
//! the signal).
//!
//! Counts: a "fraudulent" answer on any fraudulent document (counterfeit, forged,
//! impostor…) is a hit, a "genuine" one a miss; on a genuine document "fraudulent" is a
//! false alarm and "genuine" a correct rejection. Unanswered items count in none of
//! these (they are reported as `unanswered`). For d′ and c the rates are corrected
//! log-linearly, (count + 0.5) / (n + 1), so rates of 0 and 1 stay finite; the raw rates
//! are reported beside them. A rate over no items is `null`, and so are d′ and c when
//! either class is empty.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use tdverify_core::FraudType;

use crate::error::TrainingError;
use crate::normal::inverse_normal_cdf;
use crate::session::{DefectRegion, DocumentItem, Session, SessionItem};

/// The trainee's decision on one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerVerdict {
    /// Fraudulent document; for a face drill, "different people" (also accepted as `different`).
    #[serde(alias = "different")]
    Fraudulent,
    /// Genuine document; for a face drill, "same person" (also accepted as `same`).
    #[serde(alias = "same")]
    Genuine,
}

/// A region the trainee marked on one image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hotspot {
    /// Side name (as in the session's `sides`).
    pub side: String,
    /// Light (`white`, `uv`, `ir`).
    pub light: String,
    /// Left edge in pixels of that image.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub w: u32,
    /// Height.
    pub h: u32,
}

impl Hotspot {
    /// Whether the mark touches the region: same side and light, and the rectangles
    /// share some area.
    pub fn overlaps(&self, region: &DefectRegion) -> bool {
        let ends = |start: u32, length: u32| u64::from(start) + u64::from(length);
        self.side == region.side
            && self.light == region.light
            && u64::from(self.x) < ends(region.x, region.w)
            && u64::from(region.x) < ends(self.x, self.w)
            && u64::from(self.y) < ends(region.y, region.h)
            && u64::from(region.y) < ends(self.y, self.h)
    }
}

/// One answer, as the CLI reads it and the GUI produces it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    /// The item answered (document id or face drill id).
    pub document: String,
    /// The decision.
    pub verdict: AnswerVerdict,
    /// The fraud type the trainee named, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fraud_type: Option<FraudType>,
    /// Where the trainee saw the fraud.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hotspots: Vec<Hotspot>,
    /// Seconds the trainee took.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<f64>,
}

/// Parses an answers file (`[{document, verdict, fraud_type?, hotspots?, seconds?}]`).
pub fn parse_answers(bytes: &[u8]) -> Result<Vec<Answer>, TrainingError> {
    let answers: Vec<Answer> =
        serde_json::from_slice(bytes).map_err(|e| TrainingError::malformed("answers", e))?;
    for answer in &answers {
        if let Some(seconds) = answer.seconds
            && !(seconds.is_finite() && seconds >= 0.0)
        {
            return Err(TrainingError::BadAnswers(format!(
                "{}: seconds must be a number ≥ 0",
                answer.document
            )));
        }
    }
    Ok(answers)
}

/// Signal-detection numbers over one set of items.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Detection {
    /// Signal items called signal.
    pub hits: usize,
    /// Signal items called noise.
    pub misses: usize,
    /// Noise items called signal.
    pub false_alarms: usize,
    /// Noise items called noise.
    pub correct_rejections: usize,
    /// hits / (hits + misses); `null` without answered signal items.
    pub hit_rate: Option<f64>,
    /// false alarms / (false alarms + correct rejections); `null` without answered noise items.
    pub false_alarm_rate: Option<f64>,
    /// (hits + 0.5) / (hits + misses + 1).
    pub hit_rate_corrected: Option<f64>,
    /// (false alarms + 0.5) / (false alarms + correct rejections + 1).
    pub false_alarm_rate_corrected: Option<f64>,
    /// Sensitivity d′ = z(H) − z(F), on the corrected rates.
    pub d_prime: Option<f64>,
    /// Criterion c = −(z(H) + z(F)) / 2 (positive: conservative, says "genuine" more).
    pub criterion: Option<f64>,
}

impl Detection {
    /// The numbers from the four counts.
    pub fn from_counts(
        hits: usize,
        misses: usize,
        false_alarms: usize,
        correct_rejections: usize,
    ) -> Detection {
        let raw = |count: usize, n: usize| (n > 0).then(|| count as f64 / n as f64);
        let corrected =
            |count: usize, n: usize| (n > 0).then(|| (count as f64 + 0.5) / (n as f64 + 1.0));
        let signal = hits + misses;
        let noise = false_alarms + correct_rejections;
        let hit_rate_corrected = corrected(hits, signal);
        let false_alarm_rate_corrected = corrected(false_alarms, noise);
        let z = |rate: Option<f64>| rate.and_then(inverse_normal_cdf);
        let (d_prime, criterion) = match (z(hit_rate_corrected), z(false_alarm_rate_corrected)) {
            (Some(zh), Some(zf)) => (Some(zh - zf), Some(-(zh + zf) / 2.0)),
            _ => (None, None),
        };
        Detection {
            hits,
            misses,
            false_alarms,
            correct_rejections,
            hit_rate: raw(hits, signal),
            false_alarm_rate: raw(false_alarms, noise),
            hit_rate_corrected,
            false_alarm_rate_corrected,
            d_prime,
            criterion,
        }
    }
}

/// How a group of documents (one fraud type, one forgery method) went.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupScore {
    /// Documents of the group in the session.
    pub items: usize,
    /// Of them answered.
    pub answered: usize,
    /// Answered correctly (fraudulent for fraud, genuine for `no_fraud`).
    pub correct: usize,
    /// correct / answered; `null` when none was answered.
    pub rate: Option<f64>,
}

/// Face drills' score.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct FaceScore {
    /// Drills in the session.
    pub items: usize,
    /// Drills left unanswered.
    pub unanswered: usize,
    /// Detection numbers ("different people" is the signal).
    #[serde(flatten)]
    pub detection: Detection,
}

/// A trainee's score on one session (`tdverify training score --json` prints it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// The session scored.
    pub session_id: String,
    /// Documents in the session.
    pub items: usize,
    /// Documents answered.
    pub answered: usize,
    /// Documents left unanswered (not counted as hits, misses or the rest).
    pub unanswered: usize,
    /// Detection numbers over the documents.
    #[serde(flatten)]
    pub detection: Detection,
    /// Per truth fraud type (`no_fraud` included), by stable name.
    pub by_fraud_type: BTreeMap<String, GroupScore>,
    /// Per truth forgery method of the fraudulent documents.
    pub by_forgery_method: BTreeMap<String, GroupScore>,
    /// Share of the answered fraudulent documents' defect regions that some hotspot
    /// overlaps; `null` when none of them has regions.
    pub hotspot_recall: Option<f64>,
    /// Regions overlapped.
    pub hotspot_regions_found: usize,
    /// Regions of answered fraudulent documents.
    pub hotspot_regions_total: usize,
    /// Answered fraudulent documents left out of the recall: their truth has no regions.
    pub items_without_regions: usize,
    /// Of the hits, the share where the named fraud type is the truth's; `null` without hits.
    pub fraud_type_accuracy: Option<f64>,
    /// Mean seconds per answered document that says how long it took.
    pub mean_seconds: Option<f64>,
    /// Answered documents that took longer than the session's time limit.
    pub over_time_limit: usize,
    /// Face-matching drills, scored apart.
    pub face_drills: FaceScore,
}

/// Scores `answers` against `session`'s truth. Answers naming no item, or one item
/// twice, are refused: they show a mix-up of files, not a trainee's mistake.
pub fn score(session: &Session, answers: &[Answer]) -> Result<Score, TrainingError> {
    let by_item = index_answers(session, answers)?;
    let mut signal = [0usize; 4];
    let mut by_fraud_type: BTreeMap<String, GroupScore> = BTreeMap::new();
    let mut by_forgery_method: BTreeMap<String, GroupScore> = BTreeMap::new();
    let (mut answered, mut regions_found, mut regions_total, mut without_regions) = (0, 0, 0, 0);
    let (mut type_named_right, mut seconds_sum, mut seconds_count, mut over_limit) =
        (0usize, 0.0, 0usize, 0usize);
    for document in &session.documents {
        let answer = by_item.get(document.id.as_str()).copied();
        let mut groups: Vec<&mut GroupScore> = vec![
            by_fraud_type
                .entry(document.fraud_type.as_str().to_string())
                .or_default(),
        ];
        let mut methods = document.forgery_methods.clone();
        methods.dedup();
        let method_keys: Vec<String> = methods.iter().map(|m| m.as_str().to_string()).collect();
        let Some(answer) = answer else {
            for group in groups {
                group.items += 1;
            }
            for key in method_keys {
                by_forgery_method.entry(key).or_default().items += 1;
            }
            continue;
        };
        answered += 1;
        let called_fraud = answer.verdict == AnswerVerdict::Fraudulent;
        let correct = called_fraud == document.is_fraud();
        signal[slot(document.is_fraud(), called_fraud)] += 1;
        for group in groups.drain(..) {
            count_group(group, correct);
        }
        for key in method_keys {
            count_group(by_forgery_method.entry(key).or_default(), correct);
        }
        if document.is_fraud() {
            if document.defect_regions.is_empty() {
                without_regions += 1;
            } else {
                regions_total += document.defect_regions.len();
                regions_found += regions_hit(document, &answer.hotspots)
                    .iter()
                    .filter(|hit| **hit)
                    .count();
            }
            if called_fraud && answer.fraud_type == Some(document.fraud_type) {
                type_named_right += 1;
            }
        }
        if let Some(seconds) = answer.seconds {
            seconds_sum += seconds;
            seconds_count += 1;
            if session
                .settings
                .time_limit_seconds
                .is_some_and(|limit| seconds > f64::from(limit))
            {
                over_limit += 1;
            }
        }
    }
    for group in by_fraud_type
        .values_mut()
        .chain(by_forgery_method.values_mut())
    {
        group.rate = (group.answered > 0).then(|| group.correct as f64 / group.answered as f64);
    }
    let mut faces = [0usize; 4];
    let mut face_unanswered = 0;
    for drill in &session.face_drills {
        match by_item.get(drill.id.as_str()) {
            Some(answer) => {
                faces[slot(
                    !drill.same_person,
                    answer.verdict == AnswerVerdict::Fraudulent,
                )] += 1
            }
            None => face_unanswered += 1,
        }
    }
    let detection = Detection::from_counts(signal[0], signal[1], signal[2], signal[3]);
    Ok(Score {
        session_id: session.id.clone(),
        items: session.documents.len(),
        answered,
        unanswered: session.documents.len() - answered,
        detection,
        by_fraud_type,
        by_forgery_method,
        hotspot_recall: (regions_total > 0).then(|| regions_found as f64 / regions_total as f64),
        hotspot_regions_found: regions_found,
        hotspot_regions_total: regions_total,
        items_without_regions: without_regions,
        fraud_type_accuracy: (detection.hits > 0)
            .then(|| type_named_right as f64 / detection.hits as f64),
        mean_seconds: (seconds_count > 0).then(|| seconds_sum / seconds_count as f64),
        over_time_limit: over_limit,
        face_drills: FaceScore {
            items: session.face_drills.len(),
            unanswered: face_unanswered,
            detection: Detection::from_counts(faces[0], faces[1], faces[2], faces[3]),
        },
    })
}

/// For each of the document's regions, whether some hotspot overlaps it.
pub fn regions_hit(document: &DocumentItem, hotspots: &[Hotspot]) -> Vec<bool> {
    document
        .defect_regions
        .iter()
        .map(|region| hotspots.iter().any(|h| h.overlaps(region)))
        .collect()
}

/// Index into [hits, misses, false alarms, correct rejections].
fn slot(is_signal: bool, called_signal: bool) -> usize {
    match (is_signal, called_signal) {
        (true, true) => 0,
        (true, false) => 1,
        (false, true) => 2,
        (false, false) => 3,
    }
}

fn count_group(group: &mut GroupScore, correct: bool) {
    group.items += 1;
    group.answered += 1;
    group.correct += usize::from(correct);
}

fn index_answers<'a>(
    session: &Session,
    answers: &'a [Answer],
) -> Result<BTreeMap<&'a str, &'a Answer>, TrainingError> {
    let ids: BTreeSet<String> = session
        .items()
        .iter()
        .map(|item| item.id().to_string())
        .collect();
    let mut by_item = BTreeMap::new();
    for answer in answers {
        if !ids.contains(&answer.document) {
            return Err(TrainingError::BadAnswers(format!(
                "{:?} is not an item of session {} (answers of another session?)",
                answer.document, session.id
            )));
        }
        if by_item.insert(answer.document.as_str(), answer).is_some() {
            return Err(TrainingError::BadAnswers(format!(
                "{:?} is answered twice",
                answer.document
            )));
        }
        if let Some(SessionItem::FaceDrill(_)) = session.item(&answer.document)
            && (answer.fraud_type.is_some() || !answer.hotspots.is_empty())
        {
            return Err(TrainingError::BadAnswers(format!(
                "{:?} is a face drill: it takes a verdict only (same / different)",
                answer.document
            )));
        }
    }
    Ok(by_item)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{document, drill, session};
    use tdverify_core::ForgeryMethod;

    fn answer(id: &str, verdict: AnswerVerdict) -> Answer {
        Answer {
            document: id.into(),
            verdict,
            fraud_type: None,
            hotspots: Vec::new(),
            seconds: None,
        }
    }

    fn close(got: Option<f64>, want: f64) {
        let got = got.expect("a number");
        assert!((got - want).abs() < 1e-9, "{got} vs {want}");
    }

    /// 10 fraudulent and 10 genuine documents; 8 hits, 2 false alarms.
    /// H = 8.5/11, F = 2.5/11; d′ = 2·z(8.5/11) = 1.4957171895…, c = 0.
    #[test]
    fn hand_worked_symmetric_session() {
        let mut documents = Vec::new();
        let mut answers = Vec::new();
        for i in 0..10 {
            documents.push(document(&format!("f{i}"), FraudType::Counterfeit, &[], &[]));
            answers.push(answer(
                &format!("f{i}"),
                if i < 8 {
                    AnswerVerdict::Fraudulent
                } else {
                    AnswerVerdict::Genuine
                },
            ));
            documents.push(document(&format!("g{i}"), FraudType::NoFraud, &[], &[]));
            answers.push(answer(
                &format!("g{i}"),
                if i < 2 {
                    AnswerVerdict::Fraudulent
                } else {
                    AnswerVerdict::Genuine
                },
            ));
        }
        let score = score(&session(documents, Vec::new()), &answers).unwrap();
        let d = score.detection;
        assert_eq!(
            (d.hits, d.misses, d.false_alarms, d.correct_rejections),
            (8, 2, 2, 8)
        );
        close(d.hit_rate, 0.8);
        close(d.false_alarm_rate, 0.2);
        close(d.hit_rate_corrected, 8.5 / 11.0);
        close(d.false_alarm_rate_corrected, 2.5 / 11.0);
        close(d.d_prime, 1.495_717_189_526_604_2);
        close(d.criterion, 0.0);
        assert_eq!(
            score.by_fraud_type["counterfeit"],
            GroupScore {
                items: 10,
                answered: 10,
                correct: 8,
                rate: Some(0.8)
            }
        );
        assert_eq!(
            score.by_fraud_type["no_fraud"],
            GroupScore {
                items: 10,
                answered: 10,
                correct: 8,
                rate: Some(0.8)
            }
        );
    }

    /// Rates of 1 and 0: every fraud caught, no false alarm. H = 5.5/6, F = 0.5/6,
    /// d′ = 2.765988254…, raw rates exactly 1 and 0.
    #[test]
    fn perfect_rates_stay_finite() {
        let mut documents = Vec::new();
        let mut answers = Vec::new();
        for i in 0..5 {
            documents.push(document(
                &format!("f{i}"),
                FraudType::Forged,
                &[ForgeryMethod::DataAlteration],
                &[],
            ));
            answers.push(answer(&format!("f{i}"), AnswerVerdict::Fraudulent));
            documents.push(document(&format!("g{i}"), FraudType::NoFraud, &[], &[]));
            answers.push(answer(&format!("g{i}"), AnswerVerdict::Genuine));
        }
        let d = score(&session(documents, Vec::new()), &answers)
            .unwrap()
            .detection;
        close(d.hit_rate, 1.0);
        close(d.false_alarm_rate, 0.0);
        close(d.d_prime, 2.765_988_254_201_277);
        close(d.criterion, 0.0);
    }

    /// 3 hits, 1 miss, 0 false alarms, 6 correct rejections: H = 0.7, F = 0.5/7;
    /// d′ = 1.989634305…, c = 0.470416640 (conservative).
    #[test]
    fn hand_worked_asymmetric_session_has_a_conservative_criterion() {
        let mut documents = Vec::new();
        let mut answers = Vec::new();
        for i in 0..4 {
            documents.push(document(&format!("f{i}"), FraudType::Impostor, &[], &[]));
            answers.push(answer(
                &format!("f{i}"),
                if i < 3 {
                    AnswerVerdict::Fraudulent
                } else {
                    AnswerVerdict::Genuine
                },
            ));
        }
        for i in 0..6 {
            documents.push(document(&format!("g{i}"), FraudType::NoFraud, &[], &[]));
            answers.push(answer(&format!("g{i}"), AnswerVerdict::Genuine));
        }
        let d = score(&session(documents, Vec::new()), &answers)
            .unwrap()
            .detection;
        close(d.d_prime, 1.989_634_305_393_563);
        close(d.criterion, 0.470_416_639_988_740_84);
    }

    #[test]
    fn all_fraud_and_all_genuine_sessions_report_null_not_nan() {
        let fraud = session(vec![document("f", FraudType::Forged, &[], &[])], Vec::new());
        let s = score(&fraud, &[answer("f", AnswerVerdict::Fraudulent)]).unwrap();
        assert_eq!(s.detection.false_alarm_rate, None);
        assert_eq!(s.detection.d_prime, None);
        assert_eq!(s.detection.criterion, None);
        close(s.detection.hit_rate, 1.0);
        let genuine = session(
            vec![document("g", FraudType::NoFraud, &[], &[])],
            Vec::new(),
        );
        let s = score(&genuine, &[answer("g", AnswerVerdict::Fraudulent)]).unwrap();
        assert_eq!(s.detection.hit_rate, None);
        close(s.detection.false_alarm_rate, 1.0);
        let json = serde_json::to_string(&s).unwrap();
        assert!(
            json.contains("\"hit_rate\":null") && json.contains("\"d_prime\":null"),
            "{json}"
        );
        assert!(!json.contains("NaN"), "{json}");
    }

    #[test]
    fn unanswered_items_are_counted_apart() {
        let s = session(
            vec![
                document("f", FraudType::Forged, &[], &[]),
                document("g", FraudType::NoFraud, &[], &[]),
            ],
            Vec::new(),
        );
        let score = score(&s, &[answer("g", AnswerVerdict::Genuine)]).unwrap();
        assert_eq!(
            (score.answered, score.unanswered, score.detection.misses),
            (1, 1, 0)
        );
        assert_eq!(
            score.by_fraud_type["forged"],
            GroupScore {
                items: 1,
                answered: 0,
                correct: 0,
                rate: None
            }
        );
    }

    /// Two fraudulent documents with 2 and 1 regions, one without: the trainee finds one
    /// region of the first (same side and light) and misses the second (right place,
    /// wrong light): recall 1/3, one item left out.
    #[test]
    fn hotspot_recall_counts_regions_with_the_same_light_only() {
        let documents = vec![
            document(
                "a",
                FraudType::Forged,
                &[ForgeryMethod::PhotoSubstitution],
                &[("white", 10, 10, 20, 20), ("uv", 100, 100, 5, 5)],
            ),
            document(
                "b",
                FraudType::Forged,
                &[ForgeryMethod::DataAlteration],
                &[("ir", 0, 0, 10, 10)],
            ),
            document("c", FraudType::Counterfeit, &[], &[]),
        ];
        let mark = |light: &str, x, y| Hotspot {
            side: "data_page".into(),
            light: light.into(),
            x,
            y,
            w: 5,
            h: 5,
        };
        let answers = vec![
            Answer {
                hotspots: vec![mark("white", 25, 25), mark("white", 100, 100)],
                fraud_type: Some(FraudType::Forged),
                ..answer("a", AnswerVerdict::Fraudulent)
            },
            Answer {
                hotspots: vec![mark("white", 0, 0)],
                fraud_type: Some(FraudType::Counterfeit),
                ..answer("b", AnswerVerdict::Fraudulent)
            },
            answer("c", AnswerVerdict::Fraudulent),
        ];
        let s = score(&session(documents, Vec::new()), &answers).unwrap();
        assert_eq!(
            (
                s.hotspot_regions_found,
                s.hotspot_regions_total,
                s.items_without_regions
            ),
            (1, 3, 1)
        );
        close(s.hotspot_recall, 1.0 / 3.0);
        close(s.fraud_type_accuracy, 1.0 / 3.0);
        assert_eq!(s.by_forgery_method["photo_substitution"].correct, 1);
    }

    #[test]
    fn touching_edges_do_not_overlap() {
        let region = DefectRegion {
            side: "s".into(),
            light: "white".into(),
            x: 10,
            y: 10,
            w: 10,
            h: 10,
            check: None,
            what: None,
        };
        let at = |x, y| Hotspot {
            side: "s".into(),
            light: "white".into(),
            x,
            y,
            w: 10,
            h: 10,
        };
        assert!(!at(0, 10).overlaps(&region));
        assert!(at(1, 10).overlaps(&region));
        assert!(!at(20, 10).overlaps(&region));
        assert!(at(19, 19).overlaps(&region));
        let huge = Hotspot {
            side: "s".into(),
            light: "white".into(),
            x: u32::MAX,
            y: u32::MAX,
            w: u32::MAX,
            h: u32::MAX,
        };
        assert!(!huge.overlaps(&region));
    }

    #[test]
    fn face_drills_are_scored_apart_and_seconds_averaged() {
        let mut s = session(
            vec![document("g", FraudType::NoFraud, &[], &[])],
            vec![
                drill("face-01", false),
                drill("face-02", true),
                drill("face-03", true),
            ],
        );
        s.settings.time_limit_seconds = Some(30);
        let answers: Vec<Answer> = serde_json::from_str(
            r#"[{"document":"g","verdict":"genuine","seconds":40},
                {"document":"face-01","verdict":"different","seconds":10},
                {"document":"face-02","verdict":"different"}]"#,
        )
        .unwrap();
        let score = score(&s, &answers).unwrap();
        let f = score.face_drills;
        assert_eq!(
            (
                f.items,
                f.unanswered,
                f.detection.hits,
                f.detection.false_alarms
            ),
            (3, 1, 1, 1)
        );
        close(score.mean_seconds, 40.0);
        assert_eq!(score.over_time_limit, 1);
        assert_eq!(score.detection.correct_rejections, 1);
    }

    #[test]
    fn answers_naming_other_items_or_twice_are_refused() {
        let s = session(
            vec![document("g", FraudType::NoFraud, &[], &[])],
            vec![drill("face-01", true)],
        );
        let unknown = score(&s, &[answer("x", AnswerVerdict::Genuine)]).unwrap_err();
        assert!(unknown.to_string().contains("\"x\""), "{unknown}");
        let twice = score(
            &s,
            &[
                answer("g", AnswerVerdict::Genuine),
                answer("g", AnswerVerdict::Fraudulent),
            ],
        )
        .unwrap_err();
        assert!(twice.to_string().contains("twice"), "{twice}");
        let face = Answer {
            fraud_type: Some(FraudType::Impostor),
            ..answer("face-01", AnswerVerdict::Fraudulent)
        };
        assert!(score(&s, &[face]).is_err());
    }

    #[test]
    fn answer_files_are_checked() {
        assert!(parse_answers(br#"[{"document":"a","verdict":"maybe"}]"#).is_err());
        assert!(parse_answers(br#"[{"document":"a","verdict":"genuine","seconds":-1}]"#).is_err());
        assert!(
            parse_answers(br#"[{"document":"a","verdict":"genuine","colour":"red"}]"#).is_err()
        );
        let ok = parse_answers(
            br#"[{"document":"a","verdict":"fraudulent","fraud_type":"forged","hotspots":[{"side":"front","light":"uv","x":1,"y":2,"w":3,"h":4}],"seconds":12.5}]"#,
        )
        .unwrap();
        assert_eq!(ok[0].hotspots[0].h, 4);
    }

    proptest::proptest! {
        #[test]
        fn random_answer_files_never_panic(text in "\\PC{0,300}") {
            let _ = parse_answers(text.as_bytes());
        }

        #[test]
        fn scores_stay_in_range(verdicts in proptest::collection::vec(0u8..3, 1..40)) {
            let documents: Vec<_> = (0..verdicts.len())
                .map(|i| document(&format!("d{i}"), if i % 3 == 0 { FraudType::NoFraud } else { FraudType::Forged }, &[], &[]))
                .collect();
            let answers: Vec<Answer> = verdicts.iter().enumerate().filter(|(_, v)| **v < 2)
                .map(|(i, v)| answer(&format!("d{i}"), if *v == 0 { AnswerVerdict::Fraudulent } else { AnswerVerdict::Genuine }))
                .collect();
            let s = score(&session(documents, Vec::new()), &answers).unwrap();
            let d = s.detection;
            proptest::prop_assert_eq!(d.hits + d.misses + d.false_alarms + d.correct_rejections + s.unanswered, verdicts.len());
            for rate in [d.hit_rate, d.false_alarm_rate, d.hit_rate_corrected, d.false_alarm_rate_corrected].into_iter().flatten() {
                proptest::prop_assert!((0.0..=1.0).contains(&rate));
            }
            if let Some(dp) = d.d_prime { proptest::prop_assert!(dp.is_finite()); }
        }
    }
}
