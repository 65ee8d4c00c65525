//! Shared fixtures for the unit tests: a TEST-ONLY store with one user per role and a
//! clock the tests can move.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use serde_json::json;
use tdverify_core::{Light, Verdict};

use crate::{
    CaseContext, CaseDraft, CaseMetadata, Classification, DocumentIdentity, HolderProfile, Role,
    Session, Store, StoreOptions, StoredCapture,
};

/// TEST-ONLY station passphrase.
pub const TEST_PASSPHRASE: &str = "TEST-ONLY station passphrase";
/// TEST-ONLY password of every fixture user.
pub const TEST_PASSWORD: &str = "TEST-ONLY password 1";
/// Start time of the fixture clock: 2026-01-15T00:00:00Z.
pub const T0: i64 = 1_768_435_200;

/// A store in a temporary directory with a movable clock and one user per role.
pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub store: Store,
    pub clock: Arc<AtomicI64>,
}

/// TEST-ONLY options with a clock the test controls.
pub fn options(clock: &Arc<AtomicI64>) -> StoreOptions {
    let clock = Arc::clone(clock);
    StoreOptions {
        clock: Arc::new(move || clock.load(Ordering::SeqCst)),
        ..StoreOptions::test_only_fast()
    }
}

impl Fixture {
    pub fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(AtomicI64::new(T0));
        let store = Store::initialize(dir.path(), TEST_PASSPHRASE, options(&clock)).unwrap();
        store.create_first_admin("admin", TEST_PASSWORD).unwrap();
        let admin = store.login("admin", TEST_PASSWORD).unwrap();
        for role in [
            Role::Officer,
            Role::Expert,
            Role::Trainer,
            Role::Supervisor,
            Role::Auditor,
        ] {
            store
                .create_user(&admin, role.as_str(), TEST_PASSWORD, role)
                .unwrap();
        }
        store
            .create_user(&admin, "officer2", TEST_PASSWORD, Role::Officer)
            .unwrap();
        Fixture { dir, store, clock }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn login(&self, name: &str) -> Session {
        self.store.login(name, TEST_PASSWORD).unwrap()
    }

    pub fn advance(&self, seconds: i64) {
        self.clock.fetch_add(seconds, Ordering::SeqCst);
    }

    pub fn now(&self) -> i64 {
        self.clock.load(Ordering::SeqCst)
    }

    /// The database, -wal and -shm files.
    pub fn files(&self) -> Vec<PathBuf> {
        let db = crate::database_path(self.path());
        let mut files = vec![db.clone()];
        for suffix in ["-wal", "-shm"] {
            let mut name = db.clone().into_os_string();
            name.push(suffix);
            files.push(PathBuf::from(name));
        }
        files
    }

    /// Whether `needle` occurs in any of the store's files.
    pub fn files_contain(&self, needle: &[u8]) -> bool {
        self.files()
            .iter()
            .filter_map(|f| std::fs::read(f).ok())
            .any(|bytes| contains(&bytes, needle))
    }
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// A draft whose personal fields all carry `marker`.
pub fn draft_with(marker: &str, state: &str) -> CaseDraft {
    CaseDraft {
        metadata: CaseMetadata {
            proposed_verdict: Some(Verdict::Review),
            issuing_state: Some(state.to_string()),
            document_code: Some("P".to_string()),
            failed_checks: vec!["ir.b900".to_string(), "uv.dull_paper".to_string()],
            context: CaseContext {
                detection_country: Some("UTO".into()),
                detection_area: Some("north".into()),
                detection_point: Some("TEST-AIRPORT-1".into()),
                detection_point_type: Some("air".into()),
                detection_stage: Some("second_line".into()),
                travel_direction: Some("entry".into()),
                transport_mode: Some("air".into()),
                route_embarkation: Some("UTO".into()),
                route_transits: vec!["AAA".into(), "BBB".into()],
                route_destination: Some("D".into()),
                group_size: Some(2),
                documents_held: Some(1),
            },
            hotlist_result: Some("no_hit".into()),
            conclusion_level: Some("suspected".into()),
            outcome: Some("refused_entry".into()),
            training: false,
        },
        classification: Classification::default(),
        inspection: json!({
            "mrz": {"names": format!("{marker} SURNAME"), "number": format!("{marker}N0"), "birth": "1980-01-01"},
            "checks": [{"id": "ir.b900", "status": "fail"}],
        }),
        captures: vec![
            StoredCapture {
                light: Light::White,
                image: format!("PNG-{marker}-white").into_bytes(),
            },
            StoredCapture {
                light: Light::Uv,
                image: format!("PNG-{marker}-uv").into_bytes(),
            },
        ],
        holder: HolderProfile {
            nationality_claimed: Some("UTO".into()),
            nationality_established: None,
            sex: Some("F".into()),
            age_years: Some(44),
        },
        document: Some(DocumentIdentity {
            issuing_state: state.to_string(),
            number: format!("{marker}N0"),
        }),
        mrz_hand_fixes: 0,
    }
}
