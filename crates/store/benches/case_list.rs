//! Budgets from DESIGN.md: open the case list with 100 000 cases < 200 ms; save a case < 50 ms.
//!
//! Run with `cargo bench -p tdverify-store`. The store uses TEST-ONLY Argon2 parameters so
//! set-up is quick; list and save times do not depend on them.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;
use tdverify_core::{FraudType, Light, Verdict};
use tdverify_store::{
    CaseContext, CaseDraft, CaseFilter, CaseMetadata, CaseStatus, Classification, DocumentIdentity,
    HolderProfile, PageRequest, Role, Store, StoreOptions, StoredCapture,
};

const CASES: usize = 100_000;
const PASSPHRASE: &str = "TEST-ONLY bench passphrase";
const PASSWORD: &str = "TEST-ONLY bench password";
const STATES: [&str; 8] = ["UTO", "D", "FRA", "ITA", "ESP", "NLD", "POL", "GRC"];

/// A generated case: small inspection JSON, no images (the list never reads them).
fn generated(i: usize) -> CaseDraft {
    let state = STATES[i % STATES.len()];
    CaseDraft {
        metadata: CaseMetadata {
            proposed_verdict: Some(if i.is_multiple_of(7) {
                Verdict::Fraudulent
            } else {
                Verdict::Genuine
            }),
            issuing_state: Some(state.into()),
            document_code: Some("P".into()),
            failed_checks: if i.is_multiple_of(7) {
                vec!["ir.b900".into()]
            } else {
                vec![]
            },
            context: CaseContext {
                detection_point: Some(format!("TEST-POINT-{}", i % 20)),
                route_transits: vec!["AAA".into()],
                ..CaseContext::default()
            },
            ..CaseMetadata::default()
        },
        classification: Classification {
            fraud_type: (i.is_multiple_of(7)).then_some(FraudType::Counterfeit),
            ..Classification::default()
        },
        inspection: json!({"mrz": {"names": format!("TEST NAME {i}"), "number": format!("X{i:08}")}, "checks": []}),
        captures: vec![],
        holder: HolderProfile {
            sex: Some("F".into()),
            age_years: Some(30 + (i % 40) as u32),
            ..HolderProfile::default()
        },
        document: Some(DocumentIdentity {
            issuing_state: state.into(),
            number: format!("X{i:08}"),
        }),
        mrz_hand_fixes: 0,
    }
}

/// A realistic saved inspection: ~20 KB of check JSON and three 500 KB captures.
fn realistic() -> CaseDraft {
    let checks: Vec<_> = (0..60)
        .map(|i| json!({"id": format!("check.{i}"), "status": "pass", "message": "x".repeat(300)}))
        .collect();
    CaseDraft {
        inspection: json!({"checks": checks}),
        captures: [Light::White, Light::Uv, Light::Ir]
            .into_iter()
            .map(|light| StoredCapture {
                light,
                image: (0..500_000u32)
                    .map(|b| (b.wrapping_mul(2_654_435_761) >> 24) as u8)
                    .collect(),
            })
            .collect(),
        ..generated(1)
    }
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store =
        Store::initialize(dir.path(), PASSPHRASE, StoreOptions::test_only_fast()).expect("store");
    store.create_first_admin("admin", PASSWORD).expect("admin");
    let admin = store.login("admin", PASSWORD).expect("login");
    store
        .create_user(&admin, "officer", PASSWORD, Role::Officer)
        .expect("officer");
    store
        .create_user(&admin, "supervisor", PASSWORD, Role::Supervisor)
        .expect("supervisor");
    let officer = store.login("officer", PASSWORD).expect("login");
    let supervisor = store.login("supervisor", PASSWORD).expect("login");
    let start = std::time::Instant::now();
    let base = 1_700_000_000i64;
    for chunk in (0..CASES).collect::<Vec<_>>().chunks(10_000) {
        let drafts: Vec<(i64, CaseDraft)> = chunk
            .iter()
            .map(|&i| (base + i as i64 * 300, generated(i)))
            .collect();
        store
            .create_cases_batch(&officer, &drafts)
            .expect("seeding");
    }
    store.checkpoint().expect("checkpoint");
    eprintln!(
        "seeded {CASES} cases in {:.1} s",
        start.elapsed().as_secs_f64()
    );

    c.bench_function("case list: first page of 100 000 cases", |b| {
        b.iter(|| {
            black_box(
                store
                    .list_cases(
                        &supervisor,
                        &CaseFilter::default(),
                        PageRequest {
                            offset: 0,
                            limit: 50,
                        },
                    )
                    .expect("list"),
            )
        })
    });
    let filter = CaseFilter {
        issuing_state: Some("FRA".into()),
        status: Some(CaseStatus::Draft),
        verdict: Some(Verdict::Fraudulent),
        ..CaseFilter::default()
    };
    c.bench_function("case list: filtered first page of 100 000 cases", |b| {
        b.iter(|| {
            black_box(
                store
                    .list_cases(
                        &supervisor,
                        &filter,
                        PageRequest {
                            offset: 0,
                            limit: 50,
                        },
                    )
                    .expect("list"),
            )
        })
    });
    let search = CaseFilter {
        search: Some("POINT-7".into()),
        ..CaseFilter::default()
    };
    c.bench_function("case list: text search, 100 000 cases", |b| {
        b.iter(|| {
            black_box(
                store
                    .list_cases(
                        &supervisor,
                        &search,
                        PageRequest {
                            offset: 0,
                            limit: 50,
                        },
                    )
                    .expect("list"),
            )
        })
    });
    c.bench_function(
        "case list: reopen store + first page (cold connection)",
        |b| {
            b.iter(|| {
                let reopened = Store::open(dir.path(), PASSPHRASE, StoreOptions::test_only_fast())
                    .expect("open");
                let session = reopened.station_session();
                black_box(
                    reopened
                        .list_cases(
                            &session,
                            &CaseFilter::default(),
                            PageRequest {
                                offset: 0,
                                limit: 50,
                            },
                        )
                        .expect("list"),
                )
            })
        },
    );

    let draft = realistic();
    let mut group = c.benchmark_group("save");
    group.sample_size(20);
    group.bench_function("save a case: create with 3 x 500 KB captures", |b| {
        b.iter(|| black_box(store.create_case(&officer, &draft).expect("save")))
    });
    let id = store.create_case(&officer, &draft).expect("save");
    group.bench_function(
        "save a case: autosave draft with 3 x 500 KB captures",
        |b| b.iter(|| store.save_draft(&officer, &id, &draft).expect("autosave")),
    );
    group.finish();
}

/// Argon2id costs with the real (not TEST-ONLY) parameters: station unlock and user login.
fn kdf_benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = Store::initialize(dir.path(), PASSPHRASE, StoreOptions::default()).expect("store");
    store.create_first_admin("admin", PASSWORD).expect("admin");
    drop(store);
    let mut group = c.benchmark_group("argon2id");
    group.sample_size(10);
    group.bench_function("open store: unlock station key (64 MiB, t=3)", |b| {
        b.iter(|| {
            black_box(Store::open(dir.path(), PASSPHRASE, StoreOptions::default()).expect("open"))
        })
    });
    let store = Store::open(dir.path(), PASSPHRASE, StoreOptions::default()).expect("open");
    group.bench_function("login (19 MiB, t=2)", |b| {
        b.iter(|| black_box(store.login("admin", PASSWORD).expect("login")))
    });
    group.finish();
}

criterion_group!(case_list, benches, kdf_benches);
criterion_main!(case_list);
