//! Generated TEST-ONLY stores full of fraud cases with random personal data, shared by
//! the bundle and privacy tests and the export benchmark. Deterministic (SplitMix64).

#![allow(dead_code)]

use serde_json::json;
use tdverify_core::{ForgeryMethod, FraudType, Light, Verdict};
use tdverify_store::{
    CaseContext, CaseDraft, CaseMetadata, Classification, DocumentIdentity, HolderProfile, Role, Session, Store,
    StoreOptions, StoredCapture,
};

/// TEST-ONLY secrets.
pub const TEST_PASSPHRASE: &str = "TEST-ONLY station passphrase";
/// TEST-ONLY password of every generated user.
pub const TEST_PASSWORD: &str = "TEST-ONLY password 1";
/// 2026-10-01T00:00:00Z: generated cases fall in 2026-Q4.
pub const Q4_START: i64 = 1_790_812_800;

/// SplitMix64: small, deterministic, good enough for test data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    /// A skewed pick: early items much more often (real fraud concentrates).
    pub fn skewed<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let a = self.below(items.len() as u64);
        let b = self.below(items.len() as u64);
        &items[a.min(b) as usize]
    }
}

const LATIN: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const CYRILLIC: &[char] = &[
    'А', 'Б', 'В', 'Г', 'Д', 'Е', 'Ж', 'З', 'И', 'К', 'Л', 'М', 'Н', 'О', 'П', 'Р', 'С', 'Т', 'У', 'Ф', 'Х', 'Ц',
    'Ч', 'Ш', 'Я',
];

/// Nationalities and issuers, most frequent first.
pub const STATES: &[&str] = &[
    "SYR", "AFG", "IRQ", "NGA", "TUR", "UKR", "D", "FRA", "ALB", "MAR", "DZA", "SDN", "ERI", "PAK", "BGD", "IND",
    "CHN", "VNM", "GEO", "RUS", "SRB", "COL", "VEN", "BRA", "USA", "CAN", "AUS", "NZL", "FJI", "UTO",
];

/// A random personal name of 4..=12 letters (Latin upper case, or Cyrillic).
pub fn name(rng: &mut Rng, cyrillic: bool) -> String {
    let len = 4 + rng.below(9) as usize;
    (0..len)
        .map(|_| if cyrillic { *rng.pick(CYRILLIC) } else { char::from(*rng.pick(LATIN)) })
        .collect()
}

/// The personal values of one generated case, for the leak checks.
#[derive(Debug, Clone)]
pub struct Personal {
    pub case_id: String,
    pub names: Vec<String>,
    pub number: String,
    pub birth: (u32, u32, u32),
    pub mrz_lines: Vec<String>,
    pub note: Option<String>,
    pub officer: String,
}

/// A generated store: its folder, the store, the supervisor's session and every case's
/// personal values.
pub struct Generated {
    pub dir: tempfile::TempDir,
    pub store: Store,
    pub supervisor: Session,
    pub personal: Vec<Personal>,
    /// Cases that are eligible (submitted fraud, not training).
    pub eligible: usize,
}

const MONTHS: &[&str] = &["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

/// Generates `n` cases over 2026-Q4 in a new TEST-ONLY store: about 85 % submitted fraud
/// cases with full context, the rest drafts, genuine or training cases; `notes` of them
/// get a note quoting the holder.
pub fn generate(n: usize, seed: u64, notes: usize) -> Generated {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::initialize(dir.path(), TEST_PASSPHRASE, StoreOptions::test_only_fast()).expect("store");
    store.create_first_admin("admin", TEST_PASSWORD).expect("admin");
    let admin = store.login("admin", TEST_PASSWORD).expect("admin login");
    let mut rng = Rng::new(seed);
    let officers: Vec<String> = (0..4).map(|i| format!("{}{}", name(&mut rng, i % 2 == 1), "Officer")).collect();
    for officer in &officers {
        store.create_user(&admin, officer, TEST_PASSWORD, Role::Officer).expect("officer");
    }
    store.create_user(&admin, "SupervisorQx", TEST_PASSWORD, Role::Supervisor).expect("supervisor");
    let sessions: Vec<Session> =
        officers.iter().map(|o| store.login(o, TEST_PASSWORD).expect("officer login")).collect();

    let mut personal = Vec::with_capacity(n);
    let mut eligible_ids: Vec<Vec<String>> = vec![Vec::new(); officers.len()];
    let mut batches: Vec<Vec<(i64, CaseDraft, Personal, bool)>> = vec![Vec::new(); officers.len()];
    let areas = ["north", "south", "east-1", "port_b"];
    for i in 0..n {
        let officer = i % officers.len();
        let cyrillic = rng.below(3) == 0;
        let surname = name(&mut rng, cyrillic);
        let given = name(&mut rng, cyrillic);
        let number: String = (0..9)
            .map(|k| {
                if k % 3 == 2 { char::from(b'0' + rng.below(10) as u8) } else { char::from(*rng.pick(LATIN)) }
            })
            .collect();
        let birth = (1 + rng.below(28) as u32, 1 + rng.below(12) as u32, 1940 + rng.below(85) as u32);
        let state = *rng.skewed(STATES);
        let nationality = if rng.below(8) == 0 { *rng.pick(STATES) } else { state };
        let latin_surname = if cyrillic { name(&mut rng, false) } else { surname.clone() };
        let line1 = format!("P<{state:<<3}{latin_surname}<<{}", "X".repeat(4));
        let line1 = format!("{:<<44}", line1).chars().take(44).collect::<String>();
        let line2 = format!(
            "{number}0{nationality:<<3}{:02}{:02}{:02}1{}",
            birth.2 % 100,
            birth.1,
            birth.0,
            if rng.below(2) == 0 { "M" } else { "F" }
        );
        let line2 = format!("{line2:<<44}");
        let opened = Q4_START + rng.below(92 * 86_400 - 1) as i64;
        let age = 2026u32.saturating_sub(birth.2);
        let kind = rng.below(100);
        let fraud = kind < 88;
        let training = (88..91).contains(&kind);
        let draft_only = (91..94).contains(&kind);
        let note = (i < notes).then(|| {
            format!(
                "Holder {given} {surname} born {:02} {} {} said the passport {number} was bought",
                birth.0,
                MONTHS[(birth.1 - 1) as usize],
                birth.2
            )
        });
        let methods = ForgeryMethod::ALL;
        let draft = CaseDraft {
            metadata: CaseMetadata {
                proposed_verdict: Some(if fraud { Verdict::Fraudulent } else { Verdict::Genuine }),
                issuing_state: Some(state.to_string()),
                document_code: Some(rng.pick(&["P", "PO", "ID", "V"]).to_string()),
                failed_checks: vec![rng.pick(&["ir.b900", "uv.dull_paper", "face.photo_vs_ghost", "mrz.lights_agree"]).to_string()],
                context: CaseContext {
                    detection_country: Some("UTO".into()),
                    detection_area: Some(rng.skewed(&areas).to_string()),
                    detection_point: Some(format!("POINT-{surname}")),
                    detection_point_type: Some(rng.pick(&["air", "land", "sea", "inland"]).to_string()),
                    detection_stage: Some(rng.pick(&["first_line", "second_line"]).to_string()),
                    travel_direction: Some(rng.pick(&["entry", "exit", "transit"]).to_string()),
                    transport_mode: Some(rng.pick(&["air", "road", "sea"]).to_string()),
                    route_embarkation: Some(rng.skewed(STATES).to_string()),
                    route_transits: vec![rng.skewed(STATES).to_string()],
                    route_destination: Some(rng.pick(&["FRA", "D", "GBR"]).to_string()),
                    group_size: Some(1 + rng.below(6) as u32),
                    documents_held: Some(1),
                },
                hotlist_result: Some("no_hit".into()),
                conclusion_level: Some("established".into()),
                outcome: Some("refused_entry".into()),
                training,
            },
            classification: Classification {
                officer_verdict: Some(if fraud || training || draft_only { Verdict::Fraudulent } else { Verdict::Genuine }),
                fraud_type: Some(*rng.pick(&[FraudType::Forged, FraudType::Counterfeit, FraudType::Impostor])),
                forgery_methods: vec![*rng.pick(&methods)],
            },
            inspection: json!({
                "mrz": {"lines": [line1, line2], "surname": surname, "given_names": given, "number": number,
                        "birth_date": format!("{:04}-{:02}-{:02}", birth.2, birth.1, birth.0)},
                "officer_remark": note,
            }),
            captures: vec![StoredCapture { light: Light::White, image: format!("PNG {surname}").into_bytes() }],
            holder: HolderProfile {
                nationality_claimed: Some(nationality.to_string()),
                nationality_established: (rng.below(7) == 0).then(|| rng.skewed(STATES).to_string()),
                sex: Some(if rng.below(50) == 0 { "X" } else if rng.below(2) == 0 { "M" } else { "F" }.to_string()),
                age_years: Some(age),
            },
            document: Some(DocumentIdentity { issuing_state: state.to_string(), number: number.clone() }),
            mrz_hand_fixes: 0,
        };
        let p = Personal {
            case_id: String::new(),
            names: vec![surname, given, latin_surname],
            number,
            birth,
            mrz_lines: vec![line1, line2],
            note,
            officer: officers[officer].clone(),
        };
        batches[officer].push((opened, draft, p, !draft_only));
    }
    let mut eligible = 0;
    for (officer, batch) in batches.into_iter().enumerate() {
        let drafts: Vec<(i64, CaseDraft)> = batch.iter().map(|(t, d, _, _)| (*t, d.clone())).collect();
        let ids = store.create_cases_batch(&sessions[officer], &drafts).expect("create cases");
        for ((_, draft, mut p, submit), id) in batch.into_iter().zip(ids) {
            if let Some(note) = &p.note {
                store.add_note(&sessions[officer], &id, note).expect("note");
            }
            if submit {
                eligible_ids[officer].push(id.clone());
                if draft.classification.officer_verdict == Some(Verdict::Fraudulent) && !draft.metadata.training {
                    eligible += 1;
                }
            }
            p.case_id = id;
            personal.push(p);
        }
        store.submit_cases_batch(&sessions[officer], &eligible_ids[officer]).expect("submit");
    }
    let supervisor = store.login("SupervisorQx", TEST_PASSWORD).expect("supervisor login");
    Generated { dir, store, supervisor, personal, eligible }
}
