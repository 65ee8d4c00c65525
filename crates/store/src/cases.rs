//! Cases: create, autosave, submit, review, classify, annotate, open, delete.
//!
//! A case row holds non-personal index columns in clear (for the list, filters and the
//! anonymised export) and, sealed under the case's own key, the inspection JSON; captures
//! and notes are sealed rows of their own. Only the sealed parts may hold personal data.

use rusqlite::{OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use tdverify_core::{ForgeryMethod, FraudType, Light, Verdict};

use crate::audit::AuditAction;
use crate::context::{CaseContext, ContextUpdate};
use crate::crypto::{KEY_LEN, SealingKey, case_aad, random_bytes};
use tdverify_core::hex;
use crate::error::{StoreError, StoreResult};
use crate::roles::{Permission, Session};
use crate::store::Store;
use crate::time::format_utc;

/// Where a case is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Being inspected; autosaved; editable by its officer.
    Draft,
    /// Handed in by the officer; read-only for officers.
    Submitted,
    /// Checked by a supervisor or expert.
    Reviewed,
}

impl CaseStatus {
    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Draft => "draft",
            CaseStatus::Submitted => "submitted",
            CaseStatus::Reviewed => "reviewed",
        }
    }

    /// Parses the stable name.
    pub fn parse(name: &str) -> Option<CaseStatus> {
        [
            CaseStatus::Draft,
            CaseStatus::Submitted,
            CaseStatus::Reviewed,
        ]
        .into_iter()
        .find(|s| s.as_str() == name)
    }
}

/// Non-personal facts about the inspection, kept in clear for listing and export.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CaseMetadata {
    /// Verdict tdverify proposed.
    pub proposed_verdict: Option<Verdict>,
    /// Issuing state (ICAO three-letter code).
    pub issuing_state: Option<String>,
    /// ICAO document code (`P`, `ID`, `V`…).
    pub document_code: Option<String>,
    /// Ids of the checks that failed (e.g. `ir.b900`).
    pub failed_checks: Vec<String>,
    /// Detection context.
    pub context: CaseContext,
    /// SLTD hotlist result code (`no_hit`, `possible_hit`, `not_checked`…).
    pub hotlist_result: Option<String>,
    /// How firm the conclusion is (`suspected`, `confirmed`…).
    pub conclusion_level: Option<String>,
    /// What happened to the traveller (`refused_entry`, `admitted`…).
    pub outcome: Option<String>,
    /// A practice case from a training session: never exported.
    pub training: bool,
}

/// Bearer facts the anonymised export generalises (nationality, sex, age). They identify
/// people in combination, so they are sealed like the rest of the personal data and only
/// decrypted for [`Store::export_metadata`] and the case view.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct HolderProfile {
    /// Nationality the document or bearer claims (ICAO code).
    pub nationality_claimed: Option<String>,
    /// Nationality established by the officer.
    pub nationality_established: Option<String>,
    /// Sex as in the MRZ (`M`, `F`, `X`).
    pub sex: Option<String>,
    /// Age in whole years on the day of the inspection.
    pub age_years: Option<u32>,
}

/// The officer's conclusion.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Classification {
    /// The officer's verdict.
    pub officer_verdict: Option<Verdict>,
    /// Fraud type (INTERPOL/EU taxonomy).
    pub fraud_type: Option<FraudType>,
    /// Forgery methods found.
    pub forgery_methods: Vec<ForgeryMethod>,
}

/// One captured image of the case (encoded PNG/JPEG bytes); stored sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCapture {
    /// The light it was taken under.
    pub light: Light,
    /// Encoded image bytes.
    pub image: Vec<u8>,
}

/// The document's identity, used only to compute the keyed `repeat_document` pseudonym;
/// it is not stored by itself (the sealed inspection holds the MRZ).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentIdentity {
    /// Issuing state code.
    pub issuing_state: String,
    /// Document number.
    pub number: String,
}

/// Everything the inspection screen saves (at creation and on every autosave).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CaseDraft {
    /// Clear, non-personal index columns.
    pub metadata: CaseMetadata,
    /// The officer's verdict and classification so far.
    pub classification: Classification,
    /// The `Inspection` as JSON (sealed).
    pub inspection: serde_json::Value,
    /// The captures (sealed).
    pub captures: Vec<StoredCapture>,
    /// Bearer facts for the anonymised export (sealed).
    pub holder: HolderProfile,
    /// For the repeat-document pseudonym.
    pub document: Option<DocumentIdentity>,
    /// How many MRZ characters the officer corrected by hand: a count for the audit
    /// log (the corrections themselves are in the sealed inspection).
    pub mrz_hand_fixes: usize,
}

/// The audit detail of writing `draft`: `base`, and the hand corrections of the MRZ
/// when there are (counted, never shown: the audit log holds no personal data).
fn draft_audit_detail(base: &str, draft: &CaseDraft) -> String {
    match draft.mrz_hand_fixes {
        0 => base.to_string(),
        1 => format!("{base}; MRZ corrected by hand (1 character)"),
        n => format!("{base}; MRZ corrected by hand ({n} characters)"),
    }
}

/// A note on a case (sealed at rest).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// Who wrote it.
    pub author: String,
    /// When, ISO 8601 UTC.
    pub created: String,
    /// The text.
    pub text: String,
}

/// A decrypted case, as the case screen shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// Case id (32 hex characters).
    pub case_id: String,
    /// Status.
    pub status: CaseStatus,
    /// Opened, Unix seconds UTC.
    pub opened: i64,
    /// Last change, Unix seconds UTC.
    pub updated: i64,
    /// Officer who opened it.
    pub officer: String,
    /// Reviewer, once reviewed.
    pub reviewed_by: Option<String>,
    /// Review time, Unix seconds UTC.
    pub reviewed_at: Option<i64>,
    /// Index columns.
    pub metadata: CaseMetadata,
    /// Officer's conclusion.
    pub classification: Classification,
    /// The inspection JSON.
    pub inspection: serde_json::Value,
    /// Captures.
    pub captures: Vec<StoredCapture>,
    /// Bearer facts for the export.
    pub holder: HolderProfile,
    /// Notes, oldest first.
    pub notes: Vec<Note>,
    /// How many other cases saw the same document (same keyed pseudonym).
    pub other_cases_with_document: u64,
}

/// A capture as listed in JSON (bytes left out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaptureSummary {
    /// The light.
    pub light: Light,
    /// Encoded size in bytes.
    pub bytes: usize,
}

/// JSON shape of `tdverify cases show ID --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseView {
    /// Case id.
    pub case_id: String,
    /// Status.
    pub status: CaseStatus,
    /// Opened, ISO 8601 UTC.
    pub opened: String,
    /// Last change, ISO 8601 UTC.
    pub updated: String,
    /// Officer who opened it.
    pub officer: String,
    /// Reviewer.
    pub reviewed_by: Option<String>,
    /// Review time, ISO 8601 UTC.
    pub reviewed_at: Option<String>,
    /// Officer verdict, else the proposed one.
    pub verdict: Option<Verdict>,
    /// Index columns.
    pub metadata: CaseMetadata,
    /// Officer's conclusion.
    pub classification: Classification,
    /// Inspection JSON.
    pub inspection: serde_json::Value,
    /// Captures without bytes.
    pub captures: Vec<CaptureSummary>,
    /// Bearer facts for the export.
    pub holder: HolderProfile,
    /// Notes.
    pub notes: Vec<Note>,
    /// Other cases with the same document.
    pub other_cases_with_document: u64,
}

impl Case {
    /// Officer verdict if given, else the proposed verdict (the CLI's `verdict`).
    pub fn verdict(&self) -> Option<Verdict> {
        self.classification
            .officer_verdict
            .or(self.metadata.proposed_verdict)
    }

    /// The JSON view for `cases show --json` (image bytes replaced by sizes).
    pub fn to_view(&self) -> CaseView {
        CaseView {
            case_id: self.case_id.clone(),
            status: self.status,
            opened: format_utc(self.opened),
            updated: format_utc(self.updated),
            officer: self.officer.clone(),
            reviewed_by: self.reviewed_by.clone(),
            reviewed_at: self.reviewed_at.map(format_utc),
            verdict: self.verdict(),
            metadata: self.metadata.clone(),
            classification: self.classification.clone(),
            inspection: self.inspection.clone(),
            captures: self
                .captures
                .iter()
                .map(|c| CaptureSummary {
                    light: c.light,
                    bytes: c.image.len(),
                })
                .collect(),
            holder: self.holder.clone(),
            notes: self.notes.clone(),
            other_cases_with_document: self.other_cases_with_document,
        }
    }
}

/// What a caller wants to do with a case (decides the permission rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Intent {
    View,
    Edit,
    Annotate,
    Submit,
    Review,
}

/// A case's access-relevant columns and its unwrapped key.
struct CaseAccess {
    officer_id: i64,
    status: CaseStatus,
    key: SealingKey,
}

/// Joins list values for a clear text column (`a,b,c`).
pub(crate) fn join_list<T: AsRef<str>>(items: &[T]) -> String {
    items
        .iter()
        .map(|s| s.as_ref().replace(',', " "))
        .collect::<Vec<_>>()
        .join(",")
}

/// Splits a clear text list column.
pub(crate) fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Cleans a short clear-text code: trimmed, control characters removed, at most 64 chars.
fn clean_code(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(|v| {
            v.trim()
                .chars()
                .filter(|c| !c.is_control())
                .take(64)
                .collect::<String>()
        })
        .filter(|v| !v.is_empty())
}

/// Parses an enum stored by its serde name.
pub(crate) fn parse_enum<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(text.to_string())).ok()
}

/// Decrypts a case's holder profile (absent in rows written before it existed: default).
pub(crate) fn open_profile(
    key: &SealingKey,
    case_id: &str,
    sealed: Option<&[u8]>,
) -> StoreResult<HolderProfile> {
    let Some(sealed) = sealed else {
        return Ok(HolderProfile::default());
    };
    let plain = key.open(
        &case_aad("profile", case_id, 0),
        sealed,
        &format!("holder profile of case {case_id}"),
    )?;
    serde_json::from_slice(&plain)
        .map_err(|e| StoreError::Corrupt(format!("holder profile of case {case_id}: {e}")))
}

/// Unwraps a case key read from its row.
pub(crate) fn unwrap_case_key(
    station_key: &SealingKey,
    case_id: &str,
    wrapped: &[u8],
) -> StoreResult<SealingKey> {
    let raw = station_key.unwrap_key(
        &case_aad("case-key", case_id, 0),
        wrapped,
        &format!("key of case {case_id}"),
    )?;
    SealingKey::new(&raw)
}

impl Store {
    /// Keyed pseudonym of a document: HMAC-SHA256 over the normalised (state, number).
    pub(crate) fn document_pseudonym(&self, document: &DocumentIdentity) -> Vec<u8> {
        let normalise = |s: &str| {
            s.chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_uppercase)
                .collect::<String>()
        };
        let message = format!(
            "tdverify/repeat-document/v1|{}|{}",
            normalise(&document.issuing_state),
            normalise(&document.number)
        );
        ring::hmac::sign(&self.hmac_key, message.as_bytes())
            .as_ref()
            .to_vec()
    }

    /// Creates a draft case for the logged-in officer and returns its id.
    pub fn create_case(&self, session: &Session, draft: &CaseDraft) -> StoreResult<String> {
        session.require(Permission::CreateCase)?;
        let tx = self.write_tx("starting to save a case")?;
        let id = self.insert_case_in(&tx, session, draft, self.now())?;
        Store::append_audit_on(
            &tx,
            self.now(),
            session,
            AuditAction::Create,
            Some(&id),
            &draft_audit_detail("draft", draft),
        )
        .map_err(self.db_err("writing the audit log"))?;
        tx.commit().map_err(self.db_err("committing a new case"))?;
        Ok(id)
    }

    /// Creates many cases in one transaction (imports, benchmarks); audited once per case.
    pub fn create_cases_batch(
        &self,
        session: &Session,
        drafts: &[(i64, CaseDraft)],
    ) -> StoreResult<Vec<String>> {
        session.require(Permission::CreateCase)?;
        let tx = self.write_tx("starting to save cases")?;
        let mut ids = Vec::with_capacity(drafts.len());
        for (opened, draft) in drafts {
            let id = self.insert_case_in(&tx, session, draft, *opened)?;
            Store::append_audit_on(
                &tx,
                self.now(),
                session,
                AuditAction::Create,
                Some(&id),
                &draft_audit_detail("draft (batch)", draft),
            )
            .map_err(self.db_err("writing the audit log"))?;
            ids.push(id);
        }
        tx.commit().map_err(self.db_err("committing new cases"))?;
        Ok(ids)
    }

    fn insert_case_in(
        &self,
        tx: &Transaction<'_>,
        session: &Session,
        draft: &CaseDraft,
        opened: i64,
    ) -> StoreResult<String> {
        let officer_id = self.officer_id_for(tx, session)?;
        let id = hex::encode(&random_bytes::<16>()?);
        let raw_key: [u8; KEY_LEN] = random_bytes()?;
        let key = SealingKey::new(&raw_key)?;
        let wrapped = self
            .station_key
            .wrap_key(&case_aad("case-key", &id, 0), &raw_key)?;
        tx.execute(
            "INSERT INTO cases (id, opened, updated, officer_id, status, wrapped_key, payload) VALUES (?1, ?2, ?2, ?3, 'draft', ?4, x'')",
            params![id, opened, officer_id, wrapped],
        )
        .map_err(self.db_err("saving a case"))?;
        self.write_draft_in(tx, &id, &key, draft, opened)?;
        Ok(id)
    }

    /// The users.id the session's cases belong to; the station session uses the first
    /// administrator's id (its cases are attributed to `station` in the audit log).
    fn officer_id_for(&self, tx: &Transaction<'_>, session: &Session) -> StoreResult<i64> {
        if let Some(id) = session.user_id {
            return Ok(id);
        }
        tx.query_row("SELECT id FROM users ORDER BY id LIMIT 1", [], |r| r.get(0))
            .optional()
            .map_err(self.db_err("looking up a user"))?
            .ok_or_else(|| {
                StoreError::InvalidArgument(
                    "create the first administrator before saving cases".into(),
                )
            })
    }

    /// Writes metadata, classification, sealed inspection and captures of a case.
    fn write_draft_in(
        &self,
        tx: &Transaction<'_>,
        id: &str,
        key: &SealingKey,
        draft: &CaseDraft,
        updated: i64,
    ) -> StoreResult<()> {
        let meta = &draft.metadata;
        let ctx = &meta.context;
        let transits: Vec<String> = ctx
            .route_transits
            .iter()
            .filter_map(|t| clean_code(&Some(t.clone())))
            .take(3)
            .collect();
        let inspection = serde_json::to_vec(&draft.inspection)
            .map_err(|e| StoreError::InvalidArgument(format!("inspection JSON: {e}")))?;
        let payload = key.seal(&case_aad("payload", id, 0), &inspection)?;
        let profile = serde_json::to_vec(&draft.holder)
            .map_err(|e| StoreError::InvalidArgument(format!("holder profile: {e}")))?;
        let sealed_profile = key.seal(&case_aad("profile", id, 0), &profile)?;
        let pseudonym = draft.document.as_ref().map(|d| self.document_pseudonym(d));
        let methods: Vec<String> = draft
            .classification
            .forgery_methods
            .iter()
            .map(|m| m.as_str().to_string())
            .collect();
        tx.execute(
            "UPDATE cases SET updated = ?2, proposed_verdict = ?3, officer_verdict = ?4, fraud_type = ?5, forgery_methods = ?6,
                issuing_state = ?7, document_code = ?8, detection_point = ?9, detection_point_type = ?10, detection_stage = ?11,
                travel_direction = ?12, transport_mode = ?13, route_embarkation = ?14, route_transits = ?15, route_destination = ?16,
                group_size = ?17, failed_checks = ?18, repeat_document = ?19, payload = ?20, sealed_profile = ?21,
                hotlist_result = ?22, conclusion_level = ?23, outcome = ?24, detection_country = ?25, detection_area = ?26,
                documents_held = ?27, training = ?28 WHERE id = ?1",
            params![
                id,
                updated,
                meta.proposed_verdict.map(Verdict::as_str),
                draft.classification.officer_verdict.map(Verdict::as_str),
                draft.classification.fraud_type.map(FraudType::as_str),
                join_list(&methods),
                clean_code(&meta.issuing_state).map(|s| s.to_uppercase()),
                clean_code(&meta.document_code).map(|s| s.to_uppercase()),
                clean_code(&ctx.detection_point),
                clean_code(&ctx.detection_point_type),
                clean_code(&ctx.detection_stage),
                clean_code(&ctx.travel_direction),
                clean_code(&ctx.transport_mode),
                clean_code(&ctx.route_embarkation),
                join_list(&transits),
                clean_code(&ctx.route_destination),
                ctx.group_size,
                join_list(&meta.failed_checks),
                pseudonym,
                payload,
                sealed_profile,
                clean_code(&meta.hotlist_result),
                clean_code(&meta.conclusion_level),
                clean_code(&meta.outcome),
                clean_code(&ctx.detection_country).map(|s| s.to_uppercase()),
                clean_code(&ctx.detection_area),
                ctx.documents_held,
                meta.training,
            ],
        )
        .map_err(self.db_err("saving a case"))?;
        tx.execute("DELETE FROM captures WHERE case_id = ?1", [id])
            .map_err(self.db_err("replacing captures"))?;
        let mut insert = tx
            .prepare_cached(
                "INSERT INTO captures (case_id, slot, light, sealed_image) VALUES (?1, ?2, ?3, ?4)",
            )
            .map_err(self.db_err("saving captures"))?;
        for (slot, capture) in draft.captures.iter().enumerate() {
            let slot = i64::try_from(slot).unwrap_or(i64::MAX);
            let sealed = key.seal(&case_aad("capture", id, slot), &capture.image)?;
            insert
                .execute(params![id, slot, capture.light.as_str(), sealed])
                .map_err(self.db_err("saving captures"))?;
        }
        Ok(())
    }

    /// Loads the access columns of a case, applies the permission rule for `intent` and
    /// unwraps the case key.
    fn access(&self, session: &Session, case_id: &str, intent: Intent) -> StoreResult<CaseAccess> {
        let row: Option<(i64, String, Vec<u8>)> = self
            .conn
            .query_row(
                "SELECT officer_id, status, wrapped_key FROM cases WHERE id = ?1",
                [case_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(self.db_err("reading a case"))?;
        let Some((officer_id, status, wrapped)) = row else {
            return Err(StoreError::CaseNotFound(case_id.to_string()));
        };
        let status = CaseStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("case status {status}")))?;
        let own = session.user_id == Some(officer_id) || session.role().is_none();
        let read_only = || StoreError::CaseReadOnly {
            case_id: case_id.to_string(),
            status: status.as_str().to_string(),
        };
        let transition = |action| StoreError::InvalidTransition {
            case_id: case_id.to_string(),
            status: status.as_str().to_string(),
            action,
        };
        match intent {
            Intent::View => {
                if !(session.may(Permission::ViewAllCases)
                    || (own && session.may(Permission::ViewOwnCases)))
                {
                    return Err(session.denied(Permission::ViewAllCases));
                }
            }
            Intent::Edit | Intent::Annotate => {
                let any = session.may(Permission::EditAnyCase)
                    || (intent == Intent::Annotate && session.may(Permission::AnnotateAnyCase));
                if !any {
                    if !(own && session.may(Permission::CreateCase)) {
                        return Err(session.denied(Permission::EditAnyCase));
                    }
                    if status != CaseStatus::Draft {
                        return Err(read_only());
                    }
                }
            }
            Intent::Submit => {
                if !(session.may(Permission::EditAnyCase)
                    || (own && session.may(Permission::CreateCase)))
                {
                    return Err(session.denied(Permission::EditAnyCase));
                }
                if status != CaseStatus::Draft {
                    return Err(transition("submit"));
                }
            }
            Intent::Review => {
                session.require(Permission::ReviewCase)?;
                if status != CaseStatus::Submitted {
                    return Err(transition("review"));
                }
                if session.user_id == Some(officer_id) {
                    return Err(StoreError::PermissionDenied {
                        role: session.role().map_or("station", |r| r.as_str()).to_string(),
                        action: "review a case they opened themselves",
                    });
                }
            }
        }
        Ok(CaseAccess {
            officer_id,
            status,
            key: unwrap_case_key(&self.station_key, case_id, &wrapped)?,
        })
    }

    /// Autosave: replaces the draft's content. Officers may save only their own drafts;
    /// experts may change any case. Nothing is half-written: one transaction.
    pub fn save_draft(
        &self,
        session: &Session,
        case_id: &str,
        draft: &CaseDraft,
    ) -> StoreResult<()> {
        let access = self.access(session, case_id, Intent::Edit)?;
        let now = self.now();
        let tx = self.write_tx("starting to save a case")?;
        self.write_draft_in(&tx, case_id, &access.key, draft, now)?;
        Store::append_audit_on(
            &tx,
            now,
            session,
            AuditAction::Modify,
            Some(case_id),
            &draft_audit_detail(&format!("saved ({})", access.status.as_str()), draft),
        )
        .map_err(self.db_err("writing the audit log"))?;
        tx.commit().map_err(self.db_err("committing a case"))
    }

    /// Index columns, classification and holder profile of one case (no audit: callers
    /// that reach here have passed [`Store::access`] and audit what they do).
    fn context_columns(
        &self,
        case_id: &str,
        key: &SealingKey,
    ) -> StoreResult<(CaseMetadata, Classification, HolderProfile)> {
        let sql = format!(
            "SELECT {}, c.sealed_profile FROM cases c LEFT JOIN users u ON u.id = c.officer_id WHERE c.id = ?1",
            crate::list::ROW_COLUMNS
        );
        let (row, sealed): (crate::list::CaseRow, Option<Vec<u8>>) = self
            .conn
            .query_row(&sql, [case_id], |r| {
                Ok((
                    crate::list::row_from(r)?,
                    r.get(crate::list::ROW_COLUMN_COUNT)?,
                ))
            })
            .map_err(self.db_err("reading a case's context"))?;
        let holder = open_profile(key, case_id, sealed.as_deref())?;
        Ok((row.metadata, row.classification, holder))
    }

    /// The context fields of a case as they stand (for forms and for scripts that change
    /// only some fields). Same access as viewing the case; not audited (nothing personal
    /// beyond the nationality is returned, and it is what the officer is editing).
    pub fn case_context(&self, session: &Session, case_id: &str) -> StoreResult<ContextUpdate> {
        let access = self.access(session, case_id, Intent::View)?;
        let (metadata, _, holder) = self.context_columns(case_id, &access.key)?;
        Ok(ContextUpdate::of_case(&metadata, &holder))
    }

    /// Replaces the case context (detection point, route, group, nationalities, SLTD
    /// result, conclusion level, outcome) after checking every code. Same rule as editing
    /// the case: own draft, or any case for experts. Audited with the fields set, never
    /// their values' personal parts (there are none: codes only).
    pub fn set_case_context(
        &self,
        session: &Session,
        case_id: &str,
        update: &ContextUpdate,
    ) -> StoreResult<()> {
        let mut update = update.clone();
        update.validate()?;
        let access = self.access(session, case_id, Intent::Edit)?;
        let (_, _, mut holder) = self.context_columns(case_id, &access.key)?;
        holder.nationality_claimed = update.nationality_claimed.clone();
        holder.nationality_established = update.nationality_established.clone();
        let profile = serde_json::to_vec(&holder)
            .map_err(|e| StoreError::InvalidArgument(format!("holder profile: {e}")))?;
        let sealed_profile = access
            .key
            .seal(&case_aad("profile", case_id, 0), &profile)?;
        let ctx = &update.context;
        let transits: Vec<String> = ctx.route_transits.iter().take(3).cloned().collect();
        let now = self.now();
        let tx = self.write_tx("starting to save a case context")?;
        tx.execute(
            "UPDATE cases SET updated = ?2, detection_country = ?3, detection_area = ?4, detection_point = ?5,
                detection_point_type = ?6, detection_stage = ?7, travel_direction = ?8, transport_mode = ?9,
                route_embarkation = ?10, route_transits = ?11, route_destination = ?12, group_size = ?13,
                documents_held = ?14, hotlist_result = ?15, conclusion_level = ?16, outcome = ?17, sealed_profile = ?18
             WHERE id = ?1",
            params![
                case_id,
                now,
                ctx.detection_country,
                ctx.detection_area,
                clean_code(&ctx.detection_point),
                ctx.detection_point_type,
                ctx.detection_stage,
                ctx.travel_direction,
                ctx.transport_mode,
                ctx.route_embarkation,
                join_list(&transits),
                ctx.route_destination,
                ctx.group_size,
                ctx.documents_held,
                update.hotlist_result,
                update.conclusion_level,
                update.outcome,
                sealed_profile,
            ],
        )
        .map_err(self.db_err("saving a case context"))?;
        Store::append_audit_on(
            &tx,
            now,
            session,
            AuditAction::Modify,
            Some(case_id),
            &format!("context set ({})", access.status.as_str()),
        )
        .map_err(self.db_err("writing the audit log"))?;
        tx.commit()
            .map_err(self.db_err("committing a case context"))
    }

    /// Records the officer's verdict and fraud classification (own draft, or any case for experts).
    pub fn set_classification(
        &self,
        session: &Session,
        case_id: &str,
        classification: &Classification,
    ) -> StoreResult<()> {
        let access = self.access(session, case_id, Intent::Edit)?;
        let now = self.now();
        let methods: Vec<String> = classification
            .forgery_methods
            .iter()
            .map(|m| m.as_str().to_string())
            .collect();
        let tx = self.write_tx("starting a classification")?;
        tx.execute(
            "UPDATE cases SET officer_verdict = ?2, fraud_type = ?3, forgery_methods = ?4, updated = ?5 WHERE id = ?1",
            params![
                case_id,
                classification.officer_verdict.map(Verdict::as_str),
                classification.fraud_type.map(FraudType::as_str),
                join_list(&methods),
                now
            ],
        )
        .map_err(self.db_err("saving a classification"))?;
        let detail = format!(
            "classification ({}): verdict {}, fraud type {}",
            access.status.as_str(),
            classification.officer_verdict.map_or("-", Verdict::as_str),
            classification.fraud_type.map_or("-", FraudType::as_str)
        );
        Store::append_audit_on(
            &tx,
            now,
            session,
            AuditAction::Modify,
            Some(case_id),
            &detail,
        )
        .map_err(self.db_err("writing the audit log"))?;
        tx.commit()
            .map_err(self.db_err("committing a classification"))
    }

    /// Adds a note (officer on own draft; experts and supervisors on any case).
    pub fn add_note(&self, session: &Session, case_id: &str, text: &str) -> StoreResult<()> {
        let access = self.access(session, case_id, Intent::Annotate)?;
        let now = self.now();
        let tx = self.write_tx("starting to add a note")?;
        let slot: i64 = tx
            .query_row(
                "SELECT COALESCE(MAX(slot), -1) + 1 FROM notes WHERE case_id = ?1",
                [case_id],
                |r| r.get(0),
            )
            .map_err(self.db_err("adding a note"))?;
        let sealed = access
            .key
            .seal(&case_aad("note", case_id, slot), text.as_bytes())?;
        tx.execute(
            "INSERT INTO notes (case_id, slot, author_id, created, sealed_text) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![case_id, slot, session.user_id, now, sealed],
        )
        .map_err(self.db_err("adding a note"))?;
        tx.execute(
            "UPDATE cases SET updated = ?2 WHERE id = ?1",
            params![case_id, now],
        )
        .map_err(self.db_err("adding a note"))?;
        Store::append_audit_on(
            &tx,
            now,
            session,
            AuditAction::Modify,
            Some(case_id),
            "note added",
        )
        .map_err(self.db_err("writing the audit log"))?;
        tx.commit().map_err(self.db_err("committing a note"))
    }

    /// The submission rules for one case: the session may submit it (own draft, or an
    /// expert), and a fraud case has its context ([`crate::context::missing_for_submission`]).
    fn check_submittable(&self, session: &Session, case_id: &str) -> StoreResult<()> {
        let access = self.access(session, case_id, Intent::Submit)?;
        let (metadata, classification, holder) = self.context_columns(case_id, &access.key)?;
        let missing = crate::context::missing_for_submission(&metadata, &holder, &classification);
        if missing.is_empty() {
            return Ok(());
        }
        Err(StoreError::IncompleteContext {
            case_id: case_id.to_string(),
            missing: missing.iter().map(|m| (*m).to_string()).collect(),
        })
    }

    /// Draft → submitted: the officer hands the case in; it becomes read-only for officers.
    /// A fraud case needs its context first ([`crate::context::missing_for_submission`]).
    pub fn submit_case(&self, session: &Session, case_id: &str) -> StoreResult<()> {
        self.check_submittable(session, case_id)?;
        self.change_status(
            session,
            case_id,
            CaseStatus::Submitted,
            AuditAction::Submit,
            None,
        )
    }

    /// Submits many drafts in one transaction (imports, benchmarks, "submit all"): the same
    /// rules as [`Store::submit_case`] for each, audited once per case; if one is refused,
    /// none is submitted.
    pub fn submit_cases_batch(&self, session: &Session, case_ids: &[String]) -> StoreResult<()> {
        for case_id in case_ids {
            self.check_submittable(session, case_id)?;
        }
        let now = self.now();
        let tx = self.write_tx("starting to submit cases")?;
        for case_id in case_ids {
            tx.execute(
                "UPDATE cases SET status = 'submitted', updated = ?2 WHERE id = ?1 AND status = 'draft'",
                params![case_id, now],
            )
            .map_err(self.db_err("submitting cases"))?;
            Store::append_audit_on(
                &tx,
                now,
                session,
                AuditAction::Submit,
                Some(case_id),
                "submitted (batch)",
            )
            .map_err(self.db_err("writing the audit log"))?;
        }
        tx.commit().map_err(self.db_err("committing submitted cases"))
    }

    /// Submitted → reviewed, by a supervisor or expert other than the case's officer.
    pub fn review_case(&self, session: &Session, case_id: &str) -> StoreResult<()> {
        self.access(session, case_id, Intent::Review)?;
        self.change_status(
            session,
            case_id,
            CaseStatus::Reviewed,
            AuditAction::Review,
            session.user_id,
        )
    }

    fn change_status(
        &self,
        session: &Session,
        case_id: &str,
        to: CaseStatus,
        action: AuditAction,
        reviewer: Option<i64>,
    ) -> StoreResult<()> {
        let now = self.now();
        let tx = self.write_tx("starting a status change")?;
        if to == CaseStatus::Reviewed {
            tx.execute("UPDATE cases SET status = ?2, updated = ?3, reviewed_by = ?4, reviewed_at = ?3 WHERE id = ?1", params![case_id, to.as_str(), now, reviewer])
        } else {
            tx.execute("UPDATE cases SET status = ?2, updated = ?3 WHERE id = ?1", params![case_id, to.as_str(), now])
        }
        .map_err(self.db_err("changing a case status"))?;
        Store::append_audit_on(&tx, now, session, action, Some(case_id), to.as_str())
            .map_err(self.db_err("writing the audit log"))?;
        tx.commit()
            .map_err(self.db_err("committing a status change"))
    }

    /// Decrypts a case for viewing (audited as `view`).
    pub fn open_case(&self, session: &Session, case_id: &str) -> StoreResult<Case> {
        let case = self.read_case(session, case_id)?;
        self.append_audit(session, AuditAction::View, Some(case_id), "")?;
        Ok(case)
    }

    /// Records that a case left the store in readable form (a PDF report, a printout):
    /// who, which case, and where it went. Only someone who may view the case may.
    pub fn record_case_export(
        &self,
        session: &Session,
        case_id: &str,
        destination: &str,
    ) -> StoreResult<()> {
        self.access(session, case_id, Intent::View)?;
        self.append_audit(session, AuditAction::Export, Some(case_id), destination)
    }

    /// Reads and decrypts a case without auditing (used by `open_case`).
    fn read_case(&self, session: &Session, case_id: &str) -> StoreResult<Case> {
        let access = self.access(session, case_id, Intent::View)?;
        let row =
            crate::list::read_row(&self.conn, case_id).map_err(self.db_err("reading a case"))?;
        let Some((summary, payload, reviewed_by, reviewed_at, pseudonym, sealed_profile)) = row
        else {
            return Err(StoreError::CaseNotFound(case_id.to_string()));
        };
        let plain = access.key.open(
            &case_aad("payload", case_id, 0),
            &payload,
            &format!("inspection of case {case_id}"),
        )?;
        let inspection = serde_json::from_slice(&plain)
            .map_err(|e| StoreError::Corrupt(format!("inspection JSON of case {case_id}: {e}")))?;

        let holder = open_profile(&access.key, case_id, sealed_profile.as_deref())?;

        let mut captures = Vec::new();
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT slot, light, sealed_image FROM captures WHERE case_id = ?1 ORDER BY slot",
            )
            .map_err(self.db_err("reading captures"))?;
        let rows = stmt
            .query_map([case_id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Vec<u8>>(2)?,
                ))
            })
            .map_err(self.db_err("reading captures"))?;
        for row in rows {
            let (slot, light, sealed) = row.map_err(self.db_err("reading captures"))?;
            let light = Light::parse(&light)
                .ok_or_else(|| StoreError::Corrupt(format!("capture light {light}")))?;
            let image = access.key.open(
                &case_aad("capture", case_id, slot),
                &sealed,
                &format!("capture {slot} of case {case_id}"),
            )?;
            captures.push(StoredCapture { light, image });
        }

        let mut notes = Vec::new();
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT n.slot, COALESCE(u.username, 'station'), n.created, n.sealed_text FROM notes n
                 LEFT JOIN users u ON u.id = n.author_id WHERE n.case_id = ?1 ORDER BY n.slot",
            )
            .map_err(self.db_err("reading notes"))?;
        let rows = stmt
            .query_map([case_id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, Vec<u8>>(3)?,
                ))
            })
            .map_err(self.db_err("reading notes"))?;
        for row in rows {
            let (slot, author, created, sealed) = row.map_err(self.db_err("reading notes"))?;
            let text = access.key.open(
                &case_aad("note", case_id, slot),
                &sealed,
                &format!("note {slot} of case {case_id}"),
            )?;
            notes.push(Note {
                author,
                created: format_utc(created),
                text: String::from_utf8_lossy(&text).into_owned(),
            });
        }

        let other_cases_with_document = match &pseudonym {
            Some(p) => {
                let n: i64 = self
                    .conn
                    .query_row(
                        "SELECT COUNT(*) FROM cases WHERE repeat_document = ?1 AND id <> ?2",
                        params![p, case_id],
                        |r| r.get(0),
                    )
                    .map_err(self.db_err("counting repeat documents"))?;
                u64::try_from(n).unwrap_or(0)
            }
            None => 0,
        };
        let _ = access.officer_id;
        Ok(Case {
            case_id: summary.case_id,
            status: summary.status,
            opened: summary.opened_unix,
            updated: summary.updated_unix,
            officer: summary.officer,
            reviewed_by,
            reviewed_at,
            metadata: summary.metadata,
            classification: summary.classification,
            inspection,
            captures,
            holder,
            notes,
            other_cases_with_document,
        })
    }

    /// Deletes a case (administrators): its wrapped key and sealed rows are overwritten with
    /// zeros, then deleted (secure_delete zeroes the freed space) and the WAL is checkpointed.
    pub fn delete_case(&self, session: &Session, case_id: &str, reason: &str) -> StoreResult<()> {
        session.require(Permission::DeleteCase)?;
        let now = self.now();
        let tx = self.write_tx("starting a deletion")?;
        if !Store::destroy_case_in(&tx, case_id).map_err(self.db_err("deleting a case"))? {
            return Err(StoreError::CaseNotFound(case_id.to_string()));
        }
        let detail = reason
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect::<String>();
        Store::append_audit_on(
            &tx,
            now,
            session,
            AuditAction::Delete,
            Some(case_id),
            &detail,
        )
        .map_err(self.db_err("writing the audit log"))?;
        tx.commit().map_err(self.db_err("committing a deletion"))?;
        self.checkpoint()
    }

    /// Overwrites and deletes one case's rows; false if there was no such case.
    pub(crate) fn destroy_case_in(
        tx: &rusqlite::Connection,
        case_id: &str,
    ) -> rusqlite::Result<bool> {
        tx.execute(
            "UPDATE captures SET sealed_image = zeroblob(length(sealed_image)) WHERE case_id = ?1",
            [case_id],
        )?;
        tx.execute(
            "UPDATE notes SET sealed_text = zeroblob(length(sealed_text)) WHERE case_id = ?1",
            [case_id],
        )?;
        tx.execute(
            "UPDATE cases SET wrapped_key = zeroblob(length(wrapped_key)), payload = zeroblob(length(payload)),
                    sealed_profile = zeroblob(length(sealed_profile)), repeat_document = NULL WHERE id = ?1",
            [case_id],
        )?;
        tx.execute("DELETE FROM captures WHERE case_id = ?1", [case_id])?;
        tx.execute("DELETE FROM notes WHERE case_id = ?1", [case_id])?;
        Ok(tx.execute("DELETE FROM cases WHERE id = ?1", [case_id])? > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;
    use crate::{CaseFilter, PageRequest};

    #[test]
    fn a_report_export_is_audited_and_only_for_those_who_may_view_the_case() {
        let fx = Fixture::new();
        let officer = fx.login("officer");
        let id = fx
            .store
            .create_case(&officer, &draft_with("EXPORT", "UTO"))
            .unwrap();
        fx.store
            .record_case_export(&officer, &id, "PDF report to /tmp/report.pdf")
            .unwrap();
        let officer2 = fx.login("officer2");
        assert!(matches!(
            fx.store.record_case_export(&officer2, &id, "PDF report"),
            Err(StoreError::PermissionDenied { .. })
        ));
        let auditor = fx.login("auditor");
        let entries = fx.store.audit_entries(&auditor, 0, 1000).unwrap();
        let exports: Vec<_> = entries.iter().filter(|e| e.action == "export").collect();
        assert_eq!(exports.len(), 1, "one export recorded, the refused one not");
        assert_eq!(exports[0].case_id.as_deref(), Some(id.as_str()));
        assert!(exports[0].detail.contains("/tmp/report.pdf"));
    }

    #[test]
    fn hand_corrections_of_the_mrz_are_counted_in_the_audit_without_characters() {
        let fx = Fixture::new();
        let officer = fx.login("officer");
        let mut draft = draft_with("HANDFIX", "UTO");
        let id = fx.store.create_case(&officer, &draft).unwrap();
        draft.mrz_hand_fixes = 2;
        fx.store.save_draft(&officer, &id, &draft).unwrap();
        draft.mrz_hand_fixes = 1;
        let second = fx.store.create_case(&officer, &draft).unwrap();
        let auditor = fx.login("auditor");
        let entries = fx.store.audit_entries(&auditor, 0, 1000).unwrap();
        let detail = |case: &str, action: &str| {
            entries
                .iter()
                .filter(|e| e.case_id.as_deref() == Some(case) && e.action == action)
                .map(|e| e.detail.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(detail(&id, "create"), vec!["draft"]);
        assert_eq!(
            detail(&id, "modify"),
            vec!["saved (draft); MRZ corrected by hand (2 characters)"]
        );
        assert_eq!(
            detail(&second, "create"),
            vec!["draft; MRZ corrected by hand (1 character)"]
        );
    }

    #[test]
    fn draft_submit_review_lifecycle() {
        let fx = Fixture::new();
        let officer = fx.login("officer");
        let mut draft = draft_with("LIFE", "UTO");
        let id = fx.store.create_case(&officer, &draft).unwrap();
        assert_eq!(id.len(), 32);
        draft.inspection["autosaved"] = serde_json::json!(true);
        fx.store.save_draft(&officer, &id, &draft).unwrap();
        let classification = Classification {
            officer_verdict: Some(Verdict::Fraudulent),
            fraud_type: Some(FraudType::Forged),
            forgery_methods: vec![
                ForgeryMethod::PhotoSubstitution,
                ForgeryMethod::DataAlteration,
            ],
        };
        fx.store
            .set_classification(&officer, &id, &classification)
            .unwrap();
        fx.store.add_note(&officer, &id, "bearer nervous").unwrap();
        // Supervisors cannot review a draft.
        let supervisor = fx.login("supervisor");
        assert!(matches!(
            fx.store.review_case(&supervisor, &id),
            Err(StoreError::InvalidTransition { .. })
        ));
        fx.store.submit_case(&officer, &id).unwrap();
        // Read-only for the officer now.
        assert!(matches!(
            fx.store.save_draft(&officer, &id, &draft),
            Err(StoreError::CaseReadOnly { .. })
        ));
        assert!(matches!(
            fx.store
                .set_classification(&officer, &id, &Classification::default()),
            Err(StoreError::CaseReadOnly { .. })
        ));
        assert!(matches!(
            fx.store.add_note(&officer, &id, "late"),
            Err(StoreError::CaseReadOnly { .. })
        ));
        assert!(matches!(
            fx.store.submit_case(&officer, &id),
            Err(StoreError::InvalidTransition { .. })
        ));
        // Another officer sees nothing of it.
        let officer2 = fx.login("officer2");
        assert!(matches!(
            fx.store.open_case(&officer2, &id),
            Err(StoreError::PermissionDenied { .. })
        ));
        assert_eq!(
            fx.store
                .list_cases(&officer2, &CaseFilter::default(), PageRequest::default())
                .unwrap()
                .total,
            0
        );
        fx.advance(60);
        fx.store.review_case(&supervisor, &id).unwrap();
        // Experts can still reclassify and annotate.
        let expert = fx.login("expert");
        let changed = Classification {
            fraud_type: Some(FraudType::Counterfeit),
            ..classification.clone()
        };
        fx.store.set_classification(&expert, &id, &changed).unwrap();
        fx.store
            .add_note(&expert, &id, "expert: counterfeit substrate")
            .unwrap();

        let case = fx.store.open_case(&officer, &id).unwrap();
        assert_eq!(case.status, CaseStatus::Reviewed);
        assert_eq!(case.officer, "officer");
        assert_eq!(case.reviewed_by.as_deref(), Some("supervisor"));
        assert_eq!(case.reviewed_at, Some(T0 + 60));
        assert_eq!(case.classification, changed);
        assert_eq!(case.inspection["autosaved"], serde_json::json!(true));
        assert_eq!(case.inspection["mrz"]["names"], "LIFE SURNAME");
        assert_eq!(case.captures, draft.captures);
        assert_eq!(
            case.notes
                .iter()
                .map(|n| (n.author.as_str(), n.text.as_str()))
                .collect::<Vec<_>>(),
            vec![
                ("officer", "bearer nervous"),
                ("expert", "expert: counterfeit substrate")
            ]
        );
        assert_eq!(case.metadata.issuing_state.as_deref(), Some("UTO"));
        assert_eq!(case.metadata.context.route_transits, vec!["AAA", "BBB"]);
        assert_eq!(case.verdict(), Some(Verdict::Fraudulent));
        let view = serde_json::to_value(case.to_view()).unwrap();
        assert_eq!(view["case_id"], id.as_str());
        assert_eq!(view["status"], "reviewed");
        assert_eq!(view["opened"], "2026-01-15T00:00:00Z");
        assert_eq!(
            view["captures"][0],
            serde_json::json!({"light": "white", "bytes": 14})
        );
    }

    #[test]
    fn self_review_is_refused() {
        let fx = Fixture::new();
        let expert = fx.login("expert");
        let id = fx
            .store
            .create_case(&expert, &draft_with("SELF", "UTO"))
            .unwrap();
        fx.store.submit_case(&expert, &id).unwrap();
        assert!(matches!(
            fx.store.review_case(&expert, &id),
            Err(StoreError::PermissionDenied { .. })
        ));
    }

    #[test]
    fn repeat_document_is_counted_by_keyed_pseudonym() {
        let fx = Fixture::new();
        let officer = fx.login("officer");
        let a = fx
            .store
            .create_case(&officer, &draft_with("SAME", "UTO"))
            .unwrap();
        let mut b_draft = draft_with("SAME", "uto");
        if let Some(doc) = b_draft.document.as_mut() {
            doc.number = " same<n0 ".into();
        }
        fx.store.create_case(&officer, &b_draft).unwrap();
        fx.store
            .create_case(&officer, &draft_with("OTHER", "UTO"))
            .unwrap();
        assert_eq!(
            fx.store
                .open_case(&officer, &a)
                .unwrap()
                .other_cases_with_document,
            1
        );
    }

    #[test]
    fn sealed_blobs_cannot_be_moved_between_cases() {
        let fx = Fixture::new();
        let officer = fx.login("officer");
        let a = fx
            .store
            .create_case(&officer, &draft_with("AAA", "UTO"))
            .unwrap();
        let b = fx
            .store
            .create_case(&officer, &draft_with("BBB", "UTO"))
            .unwrap();
        fx.store.conn.execute("UPDATE cases SET payload = (SELECT payload FROM cases WHERE id = ?1) WHERE id = ?2", [&a, &b]).unwrap();
        assert!(matches!(
            fx.store.open_case(&officer, &b),
            Err(StoreError::Decrypt { .. })
        ));
        assert!(fx.store.open_case(&officer, &a).is_ok());
    }

    #[test]
    fn unknown_case_is_not_found() {
        let fx = Fixture::new();
        let officer = fx.login("officer");
        assert!(matches!(
            fx.store.open_case(&officer, "0123"),
            Err(StoreError::CaseNotFound(_))
        ));
    }

    /// Personal values (names, document number, image bytes, notes) never appear in the
    /// database, WAL or shared-memory files; after deletion and a checkpoint even the
    /// ciphertext and the wrapped case key are gone from every file (free pages included).
    #[test]
    fn personal_data_never_greppable_and_gone_after_delete() {
        let fx = Fixture::new();
        let officer = fx.login("officer");
        let marker = "ZQXMARKER";
        let mut draft = draft_with(marker, "UTO");
        // A large capture spreads over overflow pages, which become free pages on delete.
        draft.captures.push(StoredCapture {
            light: Light::Ir,
            image: format!("{marker}-ir").repeat(5000).into_bytes(),
        });
        let id = fx.store.create_case(&officer, &draft).unwrap();
        assert!(!fx.files_contain(marker.as_bytes()), "after create");
        fx.store.save_draft(&officer, &id, &draft).unwrap();
        fx.store
            .add_note(&officer, &id, &format!("{marker} note"))
            .unwrap();
        assert!(
            !fx.files_contain(marker.as_bytes()),
            "after autosave and note"
        );
        fx.store.open_case(&officer, &id).unwrap();
        fx.store.checkpoint().unwrap();
        assert!(!fx.files_contain(marker.as_bytes()), "after checkpoint");

        let (wrapped, payload): (Vec<u8>, Vec<u8>) = fx
            .store
            .conn
            .query_row(
                "SELECT wrapped_key, payload FROM cases WHERE id = ?1",
                [&id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let big: Vec<u8> = fx
            .store
            .conn
            .query_row(
                "SELECT sealed_image FROM captures WHERE case_id = ?1 AND slot = 2",
                [&id],
                |r| r.get(0),
            )
            .unwrap();
        assert!(
            fx.files_contain(&wrapped[12..40])
                && fx.files_contain(&payload[12..40])
                && fx.files_contain(&big[5000..5032])
        );

        let admin = fx.login("admin");
        fx.store.delete_case(&admin, &id, "test deletion").unwrap();
        for (what, bytes) in [
            ("wrapped key", &wrapped[12..40]),
            ("payload", &payload[12..40]),
            ("capture", &big[5000..5032]),
            ("capture tail", &big[big.len() - 40..]),
        ] {
            assert!(
                !fx.files_contain(bytes),
                "{what} still on disk after delete"
            );
        }
        let free: i64 = fx
            .store
            .conn
            .query_row("PRAGMA freelist_count", [], |r| r.get(0))
            .unwrap();
        assert!(free > 0, "the test should exercise free pages");
        assert!(!fx.files_contain(marker.as_bytes()));
        assert!(fx.store.integrity_check().unwrap());
        assert!(matches!(
            fx.store.open_case(&officer, &id),
            Err(StoreError::CaseNotFound(_))
        ));
    }
}
