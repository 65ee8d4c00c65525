//! What the store gives the anonymised DESC export (the `tdverify-export` crate
//! generalises, applies k-anonymity and writes the bundle): the eligible fraud cases'
//! non-personal metadata, the station's Ed25519 signature over a bundle manifest, and
//! the log of exported periods. Case ids, officers, exact times and anything sealed
//! stay here; the signing key's private part never leaves this module.
//!
//! Only a Supervisor exports: not other roles, and not the station-passphrase session
//! either (an export is a person's decision and is audited under their name).

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use tdverify_core::Verdict;

use crate::audit::AuditAction;
use crate::cases::{
    CaseMetadata, CaseStatus, Classification, HolderProfile, open_profile, unwrap_case_key,
};
use crate::crypto::random_bytes;
use tdverify_core::hex;
use crate::error::{StoreError, StoreResult};
use crate::roles::{Permission, Role, Session};
use crate::store::Store;
use crate::time::format_utc;

/// The smallest k any export may use, whatever the station's policy says.
pub const MIN_EXPORT_K: usize = 5;

/// Associated data of the sealed Ed25519 PKCS#8 document.
const AAD_SIGNING_KEY: &[u8] = b"tdverify-store/export-signing-key/v1";

/// One eligible case's exportable metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseExportRecord {
    /// Opened, Unix seconds (the exporter reduces it to a month or quarter).
    pub opened_unix: i64,
    /// Status.
    pub status: CaseStatus,
    /// Non-personal index columns: document, failed checks, context, outcome.
    pub metadata: CaseMetadata,
    /// Officer's conclusion.
    pub classification: Classification,
    /// Bearer nationality, sex and age (decrypted for the exporter to generalise).
    pub holder: HolderProfile,
    /// Hex HMAC-SHA256 of (issuing state, document number) under the station's key
    /// (the key never leaves the store), for `repeat_document`.
    pub repeat_document: Option<String>,
}

/// Cases of a period that were not eligible for export, by reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportExclusions {
    /// Still drafts: not submitted, so their context may be incomplete.
    pub drafts: u64,
    /// The officer did not conclude fraud (genuine, review, inconclusive, no verdict).
    pub not_fraud: u64,
    /// Practice cases from training sessions.
    pub training: u64,
}

/// A period exported before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastExport {
    /// When, ISO 8601 UTC.
    pub created: String,
    /// Who exported it.
    pub actor: String,
    /// Start of the period, Unix seconds (inclusive).
    pub period_from: i64,
    /// End of the period, Unix seconds (exclusive).
    pub period_to: i64,
    /// Records in the bundle.
    pub records: u64,
    /// Records suppressed for k-anonymity.
    pub suppressed: u64,
    /// Whether an overlap with an earlier export was explicitly allowed.
    pub overlap_override: bool,
}

/// The eligible cases of a period and what was left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSelection {
    /// Submitted or reviewed fraud cases of the period, oldest first.
    pub records: Vec<CaseExportRecord>,
    /// Cases of the period left out, by reason.
    pub excluded: ExportExclusions,
    /// Earlier exports whose period overlaps this one.
    pub overlapping: Vec<PastExport>,
}

/// What the exporter asks the store to sign and log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSeal<'a> {
    /// Start of the period, Unix seconds (inclusive).
    pub period_from: i64,
    /// End of the period, Unix seconds (exclusive).
    pub period_to: i64,
    /// Records in the bundle.
    pub records: u64,
    /// Records suppressed.
    pub suppressed: u64,
    /// Allow a period that overlaps an earlier export (audited as an override).
    pub overlap_override: bool,
    /// The exact bytes of `manifest.json`.
    pub manifest: &'a [u8],
}

/// Fails unless the session is a logged-in Supervisor.
fn require_supervisor(session: &Session) -> StoreResult<()> {
    if session.role() == Some(Role::Supervisor) {
        Ok(())
    } else {
        Err(session.denied(Permission::ExportMetadata))
    }
}

impl Store {
    /// Makes the station's Ed25519 signing key if it has none yet (new stores, and stores
    /// created before export bundles existed). The private key is sealed by the station key.
    pub(crate) fn ensure_signing_key(&self) -> StoreResult<()> {
        let existing: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT signing_public_key FROM station WHERE id = 1",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(self.db_err("reading the station signing key"))?
            .flatten();
        if existing.is_some() {
            return Ok(());
        }
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 = ring::signature::Ed25519KeyPair::generate_pkcs8(&rng)
            .map_err(|_| StoreError::Random)?;
        let pair = ring::signature::Ed25519KeyPair::from_pkcs8(pkcs8.as_ref())
            .map_err(|_| StoreError::Corrupt("a freshly made signing key does not load".into()))?;
        let public = ring::signature::KeyPair::public_key(&pair)
            .as_ref()
            .to_vec();
        let sealed = self.station_key.seal(AAD_SIGNING_KEY, pkcs8.as_ref())?;
        let tx = self.write_tx("storing the station signing key")?;
        tx.execute(
            "UPDATE station SET sealed_signing_key = ?1, signing_public_key = ?2 WHERE id = 1",
            params![sealed, public],
        )
        .map_err(self.db_err("storing the station signing key"))?;
        Store::append_audit_on(
            &tx,
            self.now(),
            &self.station_session(),
            AuditAction::Initialize,
            None,
            "export signing key made",
        )
        .map_err(self.db_err("writing the audit log"))?;
        tx.commit()
            .map_err(self.db_err("storing the station signing key"))
    }

    /// The station's Ed25519 key pair, unsealed for one signature. Callers sign only
    /// domain-separated messages (a DESC manifest; a training session after its context).
    pub(crate) fn station_signing_pair(&self) -> StoreResult<ring::signature::Ed25519KeyPair> {
        let sealed: Vec<u8> = self
            .conn
            .query_row(
                "SELECT sealed_signing_key FROM station WHERE id = 1",
                [],
                |r| r.get::<_, Option<Vec<u8>>>(0),
            )
            .map_err(self.db_err("reading the station signing key"))?
            .ok_or_else(|| StoreError::Corrupt("the station has no export signing key".into()))?;
        let pkcs8 = self
            .station_key
            .open(AAD_SIGNING_KEY, &sealed, "export signing key")?;
        ring::signature::Ed25519KeyPair::from_pkcs8(&pkcs8)
            .map_err(|_| StoreError::Corrupt("the export signing key does not load".into()))
    }

    /// The station's Ed25519 public key (32 bytes): the receiving hub checks bundles with it.
    pub fn export_public_key(&self) -> StoreResult<Vec<u8>> {
        let key: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT signing_public_key FROM station WHERE id = 1",
                [],
                |r| r.get(0),
            )
            .map_err(self.db_err("reading the station signing key"))?;
        key.filter(|k| k.len() == 32)
            .ok_or_else(|| StoreError::Corrupt("the station has no export signing key".into()))
    }

    /// A short, stable, non-personal station id: the first 8 bytes of SHA-256 of the
    /// public key, in hex (bundles from many stations are told apart by it).
    pub fn station_id(&self) -> StoreResult<String> {
        let digest = ring::digest::digest(&ring::digest::SHA256, &self.export_public_key()?);
        Ok(format!("st-{}", hex::encode(&digest.as_ref()[..8])))
    }

    /// The eligible cases opened in `[from, to)` (Unix seconds): submitted or reviewed,
    /// concluded `fraudulent` by the officer, not training. Supervisors only; audited
    /// with the counts (the holder profiles are decrypted).
    pub fn export_selection(
        &self,
        session: &Session,
        from: i64,
        to: i64,
    ) -> StoreResult<ExportSelection> {
        require_supervisor(session)?;
        if from >= to {
            return Err(StoreError::InvalidArgument(
                "the export period is empty".into(),
            ));
        }
        let sql = format!(
            "SELECT {}, c.repeat_document, c.wrapped_key, c.sealed_profile FROM cases c
             LEFT JOIN users u ON u.id = c.officer_id
             WHERE c.opened >= ?1 AND c.opened < ?2 ORDER BY c.opened, c.id",
            crate::list::ROW_COLUMNS
        );
        let mut stmt = self
            .conn
            .prepare(&sql)
            .map_err(self.db_err("reading export metadata"))?;
        let extra = crate::list::ROW_COLUMN_COUNT;
        let mut rows = stmt
            .query(params![from, to])
            .map_err(self.db_err("reading export metadata"))?;
        let mut records = Vec::new();
        let mut excluded = ExportExclusions::default();
        while let Some(r) = rows
            .next()
            .map_err(self.db_err("reading export metadata"))?
        {
            let row = crate::list::row_from(r).map_err(self.db_err("reading export metadata"))?;
            if row.metadata.training {
                excluded.training += 1;
                continue;
            }
            if row.status == CaseStatus::Draft {
                excluded.drafts += 1;
                continue;
            }
            if row.classification.officer_verdict != Some(Verdict::Fraudulent) {
                excluded.not_fraud += 1;
                continue;
            }
            let pseudonym: Option<Vec<u8>> = r
                .get(extra)
                .map_err(self.db_err("reading export metadata"))?;
            let wrapped: Vec<u8> = r
                .get(extra + 1)
                .map_err(self.db_err("reading export metadata"))?;
            let sealed_profile: Option<Vec<u8>> = r
                .get(extra + 2)
                .map_err(self.db_err("reading export metadata"))?;
            let key = unwrap_case_key(&self.station_key, &row.case_id, &wrapped)?;
            let holder = open_profile(&key, &row.case_id, sealed_profile.as_deref())?;
            records.push(CaseExportRecord {
                opened_unix: row.opened_unix,
                status: row.status,
                metadata: row.metadata,
                classification: row.classification,
                holder,
                repeat_document: pseudonym.as_deref().map(hex::encode),
            });
        }
        drop(rows);
        let overlapping = self.overlapping_exports(from, to)?;
        self.append_audit(
            session,
            AuditAction::Export,
            None,
            &format!(
                "metadata of {} eligible cases read for export, {}..{} ({} drafts, {} not fraud, {} training left out)",
                records.len(),
                format_utc(from),
                format_utc(to),
                excluded.drafts,
                excluded.not_fraud,
                excluded.training
            ),
        )?;
        Ok(ExportSelection {
            records,
            excluded,
            overlapping,
        })
    }

    /// Every export made from this station, newest first. Supervisors only.
    pub fn past_exports(&self, session: &Session) -> StoreResult<Vec<PastExport>> {
        require_supervisor(session)?;
        self.query_exports("SELECT created, actor, period_from, period_to, records, suppressed, overlap_override FROM exports ORDER BY id DESC", params![])
    }

    fn overlapping_exports(&self, from: i64, to: i64) -> StoreResult<Vec<PastExport>> {
        self.query_exports(
            "SELECT created, actor, period_from, period_to, records, suppressed, overlap_override FROM exports
             WHERE period_from < ?2 AND period_to > ?1 ORDER BY id",
            params![from, to],
        )
    }

    fn query_exports(
        &self,
        sql: &str,
        args: impl rusqlite::Params,
    ) -> StoreResult<Vec<PastExport>> {
        let mut stmt = self
            .conn
            .prepare_cached(sql)
            .map_err(self.db_err("reading the export log"))?;
        let rows = stmt
            .query_map(args, |r| {
                Ok(PastExport {
                    created: format_utc(r.get(0)?),
                    actor: r.get(1)?,
                    period_from: r.get(2)?,
                    period_to: r.get(3)?,
                    records: r.get::<_, i64>(4)?.max(0) as u64,
                    suppressed: r.get::<_, i64>(5)?.max(0) as u64,
                    overlap_override: r.get(6)?,
                })
            })
            .map_err(self.db_err("reading the export log"))?;
        rows.collect::<Result<_, _>>()
            .map_err(self.db_err("reading the export log"))
    }

    /// Signs a bundle's manifest with the station key and logs the export, in one
    /// transaction with its audit entry. A period overlapping an earlier export is
    /// refused unless `overlap_override` (then the audit says so): each case is exported
    /// once per period. Supervisors only. Returns the Ed25519 signature (64 bytes).
    pub fn seal_export(&self, session: &Session, seal: &ExportSeal<'_>) -> StoreResult<Vec<u8>> {
        require_supervisor(session)?;
        let overlapping = self.overlapping_exports(seal.period_from, seal.period_to)?;
        if let Some(earlier) = overlapping.first()
            && !seal.overlap_override
        {
            return Err(StoreError::ExportOverlap {
                from: format_utc(earlier.period_from),
                to: format_utc(earlier.period_to),
                created: earlier.created.clone(),
            });
        }
        let signature = self.station_signing_pair()?.sign(seal.manifest).as_ref().to_vec();
        let digest = ring::digest::digest(&ring::digest::SHA256, seal.manifest);
        let now = self.now();
        let tx = self.write_tx("logging an export")?;
        tx.execute(
            "INSERT INTO exports (created, actor, period_from, period_to, records, suppressed, overlap_override, manifest_sha256)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                now,
                session.username(),
                seal.period_from,
                seal.period_to,
                i64::try_from(seal.records).unwrap_or(i64::MAX),
                i64::try_from(seal.suppressed).unwrap_or(i64::MAX),
                seal.overlap_override,
                digest.as_ref()
            ],
        )
        .map_err(self.db_err("logging an export"))?;
        let detail = format!(
            "bundle signed: {}..{}, {} records, {} suppressed, manifest sha256 {}{}",
            format_utc(seal.period_from),
            format_utc(seal.period_to),
            seal.records,
            seal.suppressed,
            hex::encode(digest.as_ref()),
            if overlapping.is_empty() {
                String::new()
            } else {
                format!(
                    "; OVERRIDE: overlaps {} earlier export(s)",
                    overlapping.len()
                )
            }
        );
        Store::append_audit_on(&tx, now, session, AuditAction::Export, None, &detail)
            .map_err(self.db_err("writing the audit log"))?;
        tx.commit().map_err(self.db_err("logging an export"))?;
        Ok(signature)
    }

    /// The smallest k an export of this station may use (5 unless an administrator raised it).
    pub fn export_min_k(&self) -> StoreResult<usize> {
        let k: i64 = self
            .conn
            .query_row("SELECT export_min_k FROM station WHERE id = 1", [], |r| {
                r.get(0)
            })
            .map_err(self.db_err("reading the export policy"))?;
        Ok(usize::try_from(k).unwrap_or(MIN_EXPORT_K).max(MIN_EXPORT_K))
    }

    /// Raises (or lowers, never below 5) the smallest k of this station's exports.
    /// Administrators only; audited.
    pub fn set_export_min_k(&self, session: &Session, k: usize) -> StoreResult<()> {
        session.require(Permission::ManageExportPolicy)?;
        if !(MIN_EXPORT_K..=1000).contains(&k) {
            return Err(StoreError::InvalidArgument(format!(
                "k must be between {MIN_EXPORT_K} and 1000"
            )));
        }
        let tx = self.write_tx("starting an export policy change")?;
        tx.execute(
            "UPDATE station SET export_min_k = ?1 WHERE id = 1",
            [i64::try_from(k).unwrap_or(i64::MAX)],
        )
        .map_err(self.db_err("setting the export policy"))?;
        Store::append_audit_on(
            &tx,
            self.now(),
            session,
            AuditAction::ExportConfig,
            None,
            &format!("smallest k set to {k}"),
        )
        .map_err(self.db_err("writing the audit log"))?;
        tx.commit()
            .map_err(self.db_err("committing an export policy change"))
    }

    /// A fresh random id for one exported record (never derived from the case).
    pub fn random_record_id() -> StoreResult<String> {
        Ok(hex::encode(&random_bytes::<16>()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::ContextUpdate;
    use crate::test_support::*;

    /// A submitted fraud case opened by `officer` with the fixture's full context.
    fn fraud_case(fx: &Fixture, marker: &str) -> String {
        let officer = fx.login("officer");
        let mut draft = draft_with(marker, "UTO");
        draft.classification.officer_verdict = Some(Verdict::Fraudulent);
        draft.classification.fraud_type = Some(tdverify_core::FraudType::Forged);
        let id = fx.store.create_case(&officer, &draft).unwrap();
        fx.store.submit_case(&officer, &id).unwrap();
        id
    }

    #[test]
    fn selection_keeps_submitted_fraud_cases_only() {
        let fx = Fixture::new();
        let officer = fx.login("officer");
        let a = fraud_case(&fx, "EXP");
        fx.advance(10);
        fraud_case(&fx, "EXP");
        // A draft, a genuine case and a training case in the same period.
        let mut draft = draft_with("DRAFT", "UTO");
        draft.classification.officer_verdict = Some(Verdict::Fraudulent);
        fx.store.create_case(&officer, &draft).unwrap();
        let genuine = fx
            .store
            .create_case(&officer, &draft_with("GEN", "UTO"))
            .unwrap();
        fx.store.submit_case(&officer, &genuine).unwrap();
        let mut training = draft_with("TRAIN", "UTO");
        training.metadata.training = true;
        training.classification.officer_verdict = Some(Verdict::Fraudulent);
        fx.store.create_case(&officer, &training).unwrap();
        fx.advance(100_000);
        fraud_case(&fx, "LATER");

        let supervisor = fx.login("supervisor");
        let selection = fx
            .store
            .export_selection(&supervisor, T0, T0 + 1000)
            .unwrap();
        let records = &selection.records;
        assert_eq!(records.len(), 2);
        assert_eq!(
            selection.excluded,
            ExportExclusions {
                drafts: 1,
                not_fraud: 1,
                training: 1
            }
        );
        assert_eq!(records[0].opened_unix, T0);
        assert_eq!(records[0].repeat_document, records[1].repeat_document);
        assert_eq!(
            records[0].repeat_document.as_ref().map(String::len),
            Some(64)
        );
        assert_eq!(
            records[0].metadata.context.route_transits,
            vec!["AAA", "BBB"]
        );
        assert_eq!(
            records[0].metadata.context.detection_country.as_deref(),
            Some("UTO")
        );
        assert_eq!(records[0].holder.age_years, Some(44));
        let text = serde_json::to_string(records).unwrap();
        for secret in [a.as_str(), "EXP", "\"officer\"", "SURNAME", "TEST-AIRPORT"] {
            if secret == "TEST-AIRPORT" {
                // The detection point stays in the store's metadata; the exporter drops it.
                continue;
            }
            assert!(
                !text.contains(secret),
                "{secret} leaked into the export selection"
            );
        }
        let auditor = fx.login("auditor");
        let entries = fx.store.audit_entries(&auditor, 0, 1000).unwrap();
        assert!(
            entries
                .iter()
                .any(|e| e.action == "export"
                    && e.detail.starts_with("metadata of 2 eligible cases"))
        );
    }

    #[test]
    fn only_a_supervisor_exports() {
        let fx = Fixture::new();
        for role in ["officer", "expert", "trainer", "auditor", "admin"] {
            let session = fx.login(role);
            let denied = |r: StoreResult<_>| matches!(r, Err(StoreError::PermissionDenied { .. }));
            assert!(
                denied(fx.store.export_selection(&session, T0, T0 + 10).map(|_| ())),
                "{role}"
            );
            assert!(
                denied(fx.store.past_exports(&session).map(|_| ())),
                "{role}"
            );
            let seal = ExportSeal {
                period_from: T0,
                period_to: T0 + 10,
                records: 0,
                suppressed: 0,
                overlap_override: false,
                manifest: b"{}",
            };
            assert!(
                denied(fx.store.seal_export(&session, &seal).map(|_| ())),
                "{role}"
            );
        }
        let station = fx.store.station_session();
        assert!(matches!(
            fx.store.export_selection(&station, T0, T0 + 10),
            Err(StoreError::PermissionDenied { .. })
        ));
        let supervisor = fx.login("supervisor");
        assert!(fx.store.export_selection(&supervisor, T0, T0 + 10).is_ok());
    }

    #[test]
    fn seal_signs_the_manifest_and_refuses_an_overlap_without_override() {
        let fx = Fixture::new();
        let supervisor = fx.login("supervisor");
        let public = fx.store.export_public_key().unwrap();
        assert_eq!(public.len(), 32);
        assert!(fx.store.station_id().unwrap().starts_with("st-"));
        let manifest = br#"{"k":5}"#;
        let seal = ExportSeal {
            period_from: T0,
            period_to: T0 + 1000,
            records: 3,
            suppressed: 1,
            overlap_override: false,
            manifest,
        };
        let signature = fx.store.seal_export(&supervisor, &seal).unwrap();
        let key = ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, &public);
        assert!(key.verify(manifest, &signature).is_ok());
        assert!(key.verify(b"{\"k\":4}", &signature).is_err());

        let again = ExportSeal {
            period_from: T0 + 500,
            period_to: T0 + 2000,
            ..seal.clone()
        };
        assert!(matches!(
            fx.store.seal_export(&supervisor, &again),
            Err(StoreError::ExportOverlap { .. })
        ));
        let selection = fx
            .store
            .export_selection(&supervisor, T0 + 500, T0 + 2000)
            .unwrap();
        assert_eq!(selection.overlapping.len(), 1);
        let forced = ExportSeal {
            overlap_override: true,
            ..again
        };
        fx.store.seal_export(&supervisor, &forced).unwrap();
        // Adjacent periods do not overlap.
        let next = ExportSeal {
            period_from: T0 + 2000,
            period_to: T0 + 3000,
            ..seal
        };
        fx.store.seal_export(&supervisor, &next).unwrap();
        let past = fx.store.past_exports(&supervisor).unwrap();
        assert_eq!(past.len(), 3);
        assert!(past[1].overlap_override);
        let auditor = fx.login("auditor");
        let entries = fx.store.audit_entries(&auditor, 0, 1000).unwrap();
        assert_eq!(
            entries
                .iter()
                .filter(|e| e.detail.contains("OVERRIDE"))
                .count(),
            1
        );
        assert!(fx.store.verify_audit(&auditor).unwrap().intact);
    }

    #[test]
    fn a_fraud_case_needs_its_context_before_submission() {
        let fx = Fixture::new();
        let officer = fx.login("officer");
        let mut draft = draft_with("CTX", "UTO");
        draft.metadata.context = Default::default();
        draft.metadata.outcome = None;
        draft.classification.officer_verdict = Some(Verdict::Fraudulent);
        let id = fx.store.create_case(&officer, &draft).unwrap();
        match fx.store.submit_case(&officer, &id) {
            Err(StoreError::IncompleteContext { missing, .. }) => {
                assert!(
                    missing.contains(&"detection_country".to_string()),
                    "{missing:?}"
                );
                assert!(missing.contains(&"fraud_type".to_string()), "{missing:?}");
                assert!(missing.contains(&"outcome".to_string()), "{missing:?}");
            }
            other => panic!("expected IncompleteContext, got {other:?}"),
        }
        let update = ContextUpdate::from_json(
            r#"{"detection_country":"UTO","detection_point_type":"land","detection_stage":"first_line",
                "travel_direction":"entry","transport_mode":"road","outcome":"refused_entry",
                "nationality_established":"ZZA","route_transits":["ZZB"]}"#,
        )
        .unwrap();
        let update = update.or(ContextUpdate::of_case(&draft.metadata, &draft.holder));
        fx.store.set_case_context(&officer, &id, &update).unwrap();
        let mut classification = draft.classification.clone();
        classification.fraud_type = Some(tdverify_core::FraudType::Counterfeit);
        fx.store
            .set_classification(&officer, &id, &classification)
            .unwrap();
        fx.store.submit_case(&officer, &id).unwrap();
        let stored = fx.store.case_context(&officer, &id).unwrap();
        assert_eq!(stored.context.transport_mode.as_deref(), Some("road"));
        assert_eq!(stored.nationality_established.as_deref(), Some("ZZA"));
        assert_eq!(stored.conclusion_level.as_deref(), Some("suspected"));
        // Submitted: the officer can no longer change it.
        assert!(fx.store.set_case_context(&officer, &id, &stored).is_err());
        // Bad codes are refused before anything is written.
        let mut bad = stored.clone();
        bad.context.travel_direction = Some("sideways".into());
        let expert = fx.login("expert");
        assert!(matches!(
            fx.store.set_case_context(&expert, &id, &bad),
            Err(StoreError::Context(_))
        ));
    }

    #[test]
    fn only_an_administrator_raises_the_smallest_k() {
        let fx = Fixture::new();
        assert_eq!(fx.store.export_min_k().unwrap(), 5);
        let supervisor = fx.login("supervisor");
        assert!(matches!(
            fx.store.set_export_min_k(&supervisor, 10),
            Err(StoreError::PermissionDenied { .. })
        ));
        let admin = fx.login("admin");
        assert!(matches!(
            fx.store.set_export_min_k(&admin, 3),
            Err(StoreError::InvalidArgument(_))
        ));
        fx.store.set_export_min_k(&admin, 10).unwrap();
        assert_eq!(fx.store.export_min_k().unwrap(), 10);
        let auditor = fx.login("auditor");
        let entries = fx.store.audit_entries(&auditor, 0, 1000).unwrap();
        assert!(
            entries
                .iter()
                .any(|e| e.action == "export_config" && e.detail == "smallest k set to 10")
        );
    }

    #[test]
    fn a_version_1_store_migrates_and_gets_a_signing_key() {
        let fx = Fixture::new();
        let officer = fx.login("officer");
        let id = fx
            .store
            .create_case(&officer, &draft_with("OLD", "UTO"))
            .unwrap();
        // Turn the file back into a version-1 database.
        fx.store
            .conn
            .execute_batch(
                "DROP TABLE training_answers;
                 DROP TABLE training_runs;
                 DELETE FROM schema_version WHERE version = 5;
                 DROP TABLE station_settings;
                 DELETE FROM schema_version WHERE version = 4;
                 DROP TABLE trusted_keys;
                 ALTER TABLE station DROP COLUMN sltd_max_age_days;
                 ALTER TABLE station DROP COLUMN sltd_online_endpoint;
                 ALTER TABLE station DROP COLUMN sltd_online_ca;
                 ALTER TABLE station DROP COLUMN sltd_online_token;
                 DELETE FROM schema_version WHERE version = 3;
                 DROP TABLE exports;
                 ALTER TABLE station DROP COLUMN sealed_signing_key;
                 ALTER TABLE station DROP COLUMN signing_public_key;
                 ALTER TABLE station DROP COLUMN export_min_k;
                 ALTER TABLE cases DROP COLUMN detection_country;
                 ALTER TABLE cases DROP COLUMN detection_area;
                 ALTER TABLE cases DROP COLUMN documents_held;
                 ALTER TABLE cases DROP COLUMN training;
                 DELETE FROM schema_version WHERE version = 2;",
            )
            .unwrap();
        let path = fx.path().to_path_buf();
        let clock = fx.clock.clone();
        drop(fx.store);
        let store = Store::open(&path, TEST_PASSPHRASE, options(&clock)).unwrap();
        assert_eq!(store.export_public_key().unwrap().len(), 32);
        assert_eq!(store.sltd_max_age_days().unwrap(), 7);
        assert!(store.trusted_keys(crate::KeyPurpose::SltdPublisher).unwrap().is_empty());
        let officer = store.login("officer", TEST_PASSWORD).unwrap();
        let case = store.open_case(&officer, &id).unwrap();
        assert_eq!(case.metadata.context.detection_country, None);
        assert!(!case.metadata.training);
        assert_eq!(case.metadata.context.route_transits, vec!["AAA", "BBB"]);
    }
}
