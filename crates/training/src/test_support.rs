//! Hand-made sessions for the unit tests (no fixture set needed) and a TEST-ONLY key.

use std::collections::BTreeMap;

use tdverify_core::{ForgeryMethod, FraudType};
use tdverify_fixtures::Expected;
use tdverify_fixtures::capture::CaptureKind;

use crate::session::{
    DefectRegion, DocumentItem, FaceDrill, FixtureSource, SESSION_FORMAT, SESSION_VERSION,
    SIGNATURE_CONTEXT, Session, SessionRequest, SideImages,
};

/// A document item with the given truth and one region per `(light, x, y, w, h)`.
pub fn document(
    id: &str,
    fraud_type: FraudType,
    methods: &[ForgeryMethod],
    regions: &[(&str, u32, u32, u32, u32)],
) -> DocumentItem {
    let mut expected_checks = BTreeMap::new();
    expected_checks.insert("mrz.check_digit.number".to_string(), Expected::Pass);
    if fraud_type != FraudType::NoFraud {
        expected_checks.insert("uv.dull_paper".to_string(), Expected::Fail);
    }
    DocumentItem {
        id: id.to_string(),
        scenario: if fraud_type == FraudType::NoFraud {
            "genuine".into()
        } else {
            "viz_altered".into()
        },
        fraud_type,
        forgery_methods: methods.to_vec(),
        expected_checks,
        expected_chip_checks: BTreeMap::new(),
        chip: None,
        capture: CaptureKind::Flatbed,
        drawn_from: "UTO/passport".into(),
        sides: vec![SideImages {
            name: "data_page".into(),
            has_mrz: true,
            white: format!("{id}/white.png"),
            uv: format!("{id}/uv.png"),
            ir: format!("{id}/ir.png"),
            coaxial: None,
        }],
        bearer: format!("{id}/bearer.jpg"),
        defect_regions: regions
            .iter()
            .map(|&(light, x, y, w, h)| DefectRegion {
                side: "data_page".into(),
                light: light.into(),
                x,
                y,
                w,
                h,
                check: None,
                what: None,
            })
            .collect(),
    }
}

/// A face drill.
pub fn drill(id: &str, same_person: bool) -> FaceDrill {
    FaceDrill {
        id: id.into(),
        portrait_document: "p".into(),
        portrait_image: "p/white.png".into(),
        bearer_document: "b".into(),
        bearer_image: "b/bearer.jpg".into(),
        same_person,
    }
}

/// A session of these items.
pub fn session(documents: Vec<DocumentItem>, face_drills: Vec<FaceDrill>) -> Session {
    Session {
        format: SESSION_FORMAT.into(),
        version: SESSION_VERSION,
        id: "test".into(),
        name: "TEST-ONLY".into(),
        author: None,
        fixtures: FixtureSource {
            seed: 1,
            generator: "tdverify-fixtures 0.1.0".into(),
            count: 56,
            reference_date: "2026-01-01".into(),
            face_source: "synthetic".into(),
        },
        settings: SessionRequest::new(documents.len(), 0.5, 1),
        documents,
        face_drills,
        signature: None,
    }
}

/// A TEST-ONLY Ed25519 key pair from a fixed seed.
pub fn test_only_key(seed: u8) -> ring::signature::Ed25519KeyPair {
    ring::signature::Ed25519KeyPair::from_seed_unchecked(&[seed; 32]).expect("a 32-byte seed")
}

/// Signs `session` as the store does: context, then the payload.
pub fn sign(session: &mut Session, key: &ring::signature::Ed25519KeyPair) {
    use ring::signature::KeyPair;
    let mut message = SIGNATURE_CONTEXT.to_vec();
    message.extend_from_slice(&session.signing_payload());
    let signature = key.sign(&message);
    session
        .attach_signature(key.public_key().as_ref(), signature.as_ref())
        .expect("own signature verifies");
}
