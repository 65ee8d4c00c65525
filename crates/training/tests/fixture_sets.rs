//! Sessions built from a real generated fixture set (28 documents, the first round of
//! the scenario cycle), generated once per test run into a temporary folder.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use tdverify_core::FraudType;
use tdverify_fixtures::capture::CaptureKind;
use tdverify_training::{
    Difficulty, Session, SessionItem, SessionRequest, TrainingError, class_of,
};

/// The generated set; a failure to generate fails every test (no skipping).
fn fixture_set() -> &'static Path {
    static SET: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = SET.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temporary folder");
        let out = dir.path().join("fixtures");
        let library = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../reference-library");
        let mut config = tdverify_fixtures::FixtureConfig::new(library);
        config.count = 28;
        tdverify_fixtures::generate(&config, &out, |_, _| {}).expect("the fixture set generates");
        (dir, out)
    });
    path
}

fn truth(id: &str) -> tdverify_fixtures::Truth {
    tdverify_fixtures::load_truth(&fixture_set().join(id)).expect("truth.json")
}

#[test]
fn ten_documents_at_thirty_percent_are_three_frauds_drawn_reproducibly() {
    let request = SessionRequest::new(10, 0.3, 42);
    let session = Session::build(fixture_set(), &request).unwrap();
    assert_eq!(session.documents.len(), 10);
    assert_eq!(session.documents.iter().filter(|d| d.is_fraud()).count(), 3);
    for document in &session.documents {
        let truth = truth(&document.id);
        assert_eq!(document.fraud_type, truth.fraud_type);
        assert_eq!(document.forgery_methods, truth.forgery_methods);
        for side in &document.sides {
            for light in ["white", "uv", "ir"] {
                let path = document
                    .image_path(fixture_set(), &side.name, light)
                    .unwrap();
                assert!(path.is_file(), "{}", path.display());
            }
        }
        assert!(fixture_set().join(&document.bearer).is_file());
        if let Some(chip) = document.chip_path(fixture_set()) {
            assert!(chip.join("SOD.bin").is_file(), "{}", chip.display());
        }
    }
    assert_eq!(session.fixtures.seed, 1);
    assert_eq!(session.fixtures.count, 28);
    session.check_fixtures(fixture_set()).unwrap();
    let again = Session::build(fixture_set(), &request).unwrap();
    assert_eq!(again, session);
    let other = Session::build(fixture_set(), &SessionRequest::new(10, 0.3, 43)).unwrap();
    assert_ne!(other.id, session.id);
    assert_ne!(
        other.documents.iter().map(|d| &d.id).collect::<Vec<_>>(),
        session.documents.iter().map(|d| &d.id).collect::<Vec<_>>()
    );
}

#[test]
fn filters_restrict_fraud_types_and_captures() {
    let mut request = SessionRequest::new(4, 0.5, 3);
    request.fraud_types = vec![FraudType::Counterfeit];
    let session = Session::build(fixture_set(), &request).unwrap();
    assert!(
        session
            .documents
            .iter()
            .all(|d| matches!(d.fraud_type, FraudType::Counterfeit | FraudType::NoFraud))
    );
    let mut flatbed = SessionRequest::new(6, 0.5, 3);
    flatbed.captures = vec![CaptureKind::Flatbed];
    let session = Session::build(fixture_set(), &flatbed).unwrap();
    assert!(
        session
            .documents
            .iter()
            .all(|d| d.capture == CaptureKind::Flatbed)
    );
}

#[test]
fn difficulty_draws_obvious_or_subtle_frauds_only() {
    for difficulty in [Difficulty::Obvious, Difficulty::Subtle] {
        let mut request = SessionRequest::new(8, 0.5, 5);
        request.difficulty = difficulty;
        let session = Session::build(fixture_set(), &request).unwrap();
        let frauds: Vec<_> = session.documents.iter().filter(|d| d.is_fraud()).collect();
        assert_eq!(frauds.len(), 4);
        for document in frauds {
            let scenario = truth(&document.id).scenario;
            assert_eq!(
                class_of(scenario),
                Some(difficulty),
                "{} in a {difficulty:?} session",
                document.id
            );
        }
        // Written in the file, so another station builds nothing else from it.
        let text = String::from_utf8(session.signing_payload()).unwrap();
        assert!(
            text.contains(&format!("\"difficulty\":\"{}\"", difficulty.as_str())),
            "{text}"
        );
    }
    // `any` is not written: sessions signed before the field existed keep verifying.
    let any = Session::build(fixture_set(), &SessionRequest::new(8, 0.5, 5)).unwrap();
    assert!(
        !String::from_utf8(any.signing_payload())
            .unwrap()
            .contains("difficulty")
    );
}

#[test]
fn a_request_the_set_cannot_meet_says_what_is_short() {
    let error = Session::build(fixture_set(), &SessionRequest::new(20, 0.1, 1)).unwrap_err();
    match &error {
        TrainingError::NotEnough {
            what,
            needed,
            available,
            ..
        } => {
            assert_eq!((what.as_str(), *needed), ("genuine documents", 18));
            assert!(*available < 18);
        }
        other => panic!("expected NotEnough, got {other}"),
    }
    assert!(
        error.to_string().contains("generate a larger set"),
        "{error}"
    );
    let mut phone_impostors = SessionRequest::new(4, 1.0, 1);
    phone_impostors.fraud_types = vec![FraudType::Impostor];
    phone_impostors.captures = vec![CaptureKind::Phone];
    let error = Session::build(fixture_set(), &phone_impostors)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("fraudulent documents") && error.contains("impostor"),
        "{error}"
    );
    assert!(Session::build(fixture_set(), &SessionRequest::new(10, 1.5, 1)).is_err());
}

#[test]
fn face_drills_have_the_requested_prevalence_and_true_answers() {
    let mut request = SessionRequest::new(2, 0.5, 9);
    request.face_drills = 8;
    request.face_prevalence = 0.5;
    let session = Session::build(fixture_set(), &request).unwrap();
    assert_eq!(session.face_drills.len(), 8);
    assert_eq!(
        session
            .face_drills
            .iter()
            .filter(|d| !d.same_person)
            .count(),
        4
    );
    for drill in &session.face_drills {
        let portrait = truth(&drill.portrait_document);
        let bearer = truth(&drill.bearer_document);
        assert_eq!(
            drill.same_person,
            portrait.faces.portrait_identity == bearer.faces.bearer_identity,
            "{drill:?}"
        );
        assert!(drill.portrait_path(fixture_set()).is_file());
        assert!(drill.bearer_path(fixture_set()).is_file());
    }
    assert!(matches!(
        session.items().last(),
        Some(SessionItem::FaceDrill(_))
    ));
}

#[test]
fn a_session_from_another_fixture_seed_is_told_to_regenerate() {
    let mut session = Session::build(fixture_set(), &SessionRequest::new(2, 0.5, 1)).unwrap();
    session.fixtures.seed = 99;
    let error = session
        .check_fixtures(fixture_set())
        .unwrap_err()
        .to_string();
    assert!(error.contains("--seed 99"), "{error}");
}

#[test]
fn defect_regions_come_from_the_truth_and_marking_them_all_gives_full_recall() {
    let session = Session::build(fixture_set(), &SessionRequest::new(10, 0.5, 11)).unwrap();
    let mut answers = Vec::new();
    for document in &session.documents {
        let raw: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(fixture_set().join(&document.id).join("truth.json")).unwrap(),
        )
        .unwrap();
        let in_truth = raw
            .get("defect_regions")
            .and_then(|r| r.as_array())
            .map_or(0, Vec::len);
        assert_eq!(document.defect_regions.len(), in_truth, "{}", document.id);
        answers.push(tdverify_training::Answer {
            document: document.id.clone(),
            verdict: if document.is_fraud() {
                tdverify_training::AnswerVerdict::Fraudulent
            } else {
                tdverify_training::AnswerVerdict::Genuine
            },
            fraud_type: Some(document.fraud_type),
            hotspots: document
                .defect_regions
                .iter()
                .map(|r| tdverify_training::Hotspot {
                    side: r.side.clone(),
                    light: r.light.clone(),
                    x: r.x,
                    y: r.y,
                    w: r.w.max(1),
                    h: r.h.max(1),
                })
                .collect(),
            seconds: None,
        });
    }
    let score = tdverify_training::score(&session, &answers).unwrap();
    let total: usize = session
        .documents
        .iter()
        .filter(|d| d.is_fraud())
        .map(|d| d.defect_regions.len())
        .sum();
    assert_eq!(score.hotspot_regions_total, total);
    assert_eq!(score.hotspot_regions_found, total);
    assert!(score.detection.d_prime.is_some());
    if total > 0 {
        assert_eq!(score.hotspot_recall, Some(1.0));
    } else {
        assert_eq!(score.hotspot_recall, None);
        assert_eq!(score.items_without_regions, 5);
    }
}
