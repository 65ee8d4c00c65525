//! What the trainee is told right after answering an item: right or wrong, the truth,
//! where the fraud shows (and which of those places the trainee marked), and which
//! automatic checks would have caught it.

use serde::{Deserialize, Serialize};
use tdverify_core::{ForgeryMethod, FraudType};

use crate::score::{Answer, AnswerVerdict, Hotspot, regions_hit};
use crate::session::{DefectRegion, SessionItem};

/// A defect region and whether the trainee's marks found it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionFeedback {
    /// The region (draw it on the image of its side and light).
    #[serde(flatten)]
    pub region: DefectRegion,
    /// Some hotspot overlaps it.
    pub found: bool,
}

/// A trainee's mark and whether it touched a defect region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HotspotFeedback {
    /// The mark.
    #[serde(flatten)]
    pub hotspot: Hotspot,
    /// It overlaps some defect region.
    pub hit: bool,
}

/// Feedback on one item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feedback {
    /// Item id.
    pub item: String,
    /// The answer given (`None`: unanswered, e.g. the time ran out).
    pub given: Option<AnswerVerdict>,
    /// The right answer.
    pub truth: AnswerVerdict,
    /// Whether the answer was right (`false` when unanswered).
    pub correct: bool,
    /// Truth fraud type (documents).
    pub fraud_type: Option<FraudType>,
    /// The fraud type the trainee named.
    pub fraud_type_given: Option<FraudType>,
    /// Truth forgery methods (documents).
    pub forgery_methods: Vec<ForgeryMethod>,
    /// Fixture scenario (documents).
    pub scenario: Option<String>,
    /// Where the fraud shows, each with whether it was marked.
    pub defect_regions: Vec<RegionFeedback>,
    /// Automatic and chip checks whose truth is `fail`: these would have caught it.
    pub catching_checks: Vec<String>,
    /// The trainee's marks, each with whether it touched a region.
    pub hotspots: Vec<HotspotFeedback>,
    /// For a face drill: whether the two faces are the same person.
    pub same_person: Option<bool>,
}

/// Feedback on `item` for `answer` (`None` when the trainee did not answer).
pub fn feedback(item: &SessionItem<'_>, answer: Option<&Answer>) -> Feedback {
    let truth = if item.is_signal() {
        AnswerVerdict::Fraudulent
    } else {
        AnswerVerdict::Genuine
    };
    let given = answer.map(|a| a.verdict);
    let hotspots: &[Hotspot] = answer.map_or(&[], |a| a.hotspots.as_slice());
    let mut feedback = Feedback {
        item: item.id().to_string(),
        given,
        truth,
        correct: given == Some(truth),
        fraud_type: None,
        fraud_type_given: answer.and_then(|a| a.fraud_type),
        forgery_methods: Vec::new(),
        scenario: None,
        defect_regions: Vec::new(),
        catching_checks: Vec::new(),
        hotspots: Vec::new(),
        same_person: None,
    };
    match item {
        SessionItem::Document(document) => {
            let found = regions_hit(document, hotspots);
            feedback.fraud_type = Some(document.fraud_type);
            feedback.forgery_methods = document.forgery_methods.clone();
            feedback.scenario = Some(document.scenario.clone());
            feedback.defect_regions = document
                .defect_regions
                .iter()
                .zip(found)
                .map(|(region, found)| RegionFeedback {
                    region: region.clone(),
                    found,
                })
                .collect();
            feedback.catching_checks = document.catching_checks();
            feedback.hotspots = hotspots
                .iter()
                .map(|h| HotspotFeedback {
                    hotspot: h.clone(),
                    hit: document.defect_regions.iter().any(|r| h.overlaps(r)),
                })
                .collect();
        }
        SessionItem::FaceDrill(drill) => feedback.same_person = Some(drill.same_person),
    }
    feedback
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{document, drill};

    #[test]
    fn a_missed_forgery_shows_truth_regions_and_the_checks_that_catch_it() {
        let item = document(
            "a",
            FraudType::Forged,
            &[ForgeryMethod::DataAlteration],
            &[("uv", 10, 10, 10, 10), ("white", 50, 50, 10, 10)],
        );
        let answer = Answer {
            document: "a".into(),
            verdict: AnswerVerdict::Genuine,
            fraud_type: None,
            hotspots: vec![
                Hotspot {
                    side: "data_page".into(),
                    light: "uv".into(),
                    x: 15,
                    y: 15,
                    w: 2,
                    h: 2,
                },
                Hotspot {
                    side: "data_page".into(),
                    light: "ir".into(),
                    x: 0,
                    y: 0,
                    w: 2,
                    h: 2,
                },
            ],
            seconds: Some(3.0),
        };
        let f = feedback(&SessionItem::Document(&item), Some(&answer));
        assert!(!f.correct);
        assert_eq!(f.truth, AnswerVerdict::Fraudulent);
        assert_eq!(f.fraud_type, Some(FraudType::Forged));
        assert_eq!(f.forgery_methods, vec![ForgeryMethod::DataAlteration]);
        assert_eq!(
            f.defect_regions.iter().map(|r| r.found).collect::<Vec<_>>(),
            vec![true, false]
        );
        assert_eq!(
            f.hotspots.iter().map(|h| h.hit).collect::<Vec<_>>(),
            vec![true, false]
        );
        assert_eq!(f.catching_checks, vec!["uv.dull_paper".to_string()]);
    }

    #[test]
    fn unanswered_items_and_face_drills() {
        let item = document("g", FraudType::NoFraud, &[], &[]);
        let f = feedback(&SessionItem::Document(&item), None);
        assert!(!f.correct && f.given.is_none() && f.catching_checks.is_empty());
        let face = drill("face-01", true);
        let same = Answer {
            document: "face-01".into(),
            verdict: AnswerVerdict::Genuine,
            fraud_type: None,
            hotspots: vec![],
            seconds: None,
        };
        let f = feedback(&SessionItem::FaceDrill(&face), Some(&same));
        assert!(f.correct);
        assert_eq!(f.same_person, Some(true));
    }
}
