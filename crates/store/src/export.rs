//! Non-personal case metadata for the anonymised DESC export (the export crate generalises
//! and applies k-anonymity). Case ids, officers, exact times and anything sealed stay here.

use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::audit::AuditAction;
use crate::cases::{
    CaseContext, CaseStatus, Classification, HolderProfile, open_profile, unwrap_case_key,
};
use crate::crypto::to_hex;
use crate::error::StoreResult;
use crate::list::{CaseFilter, PageRequest};
use crate::roles::{Permission, Session};
use crate::store::Store;

/// One case's exportable metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseExportRecord {
    /// Opened, Unix seconds (the exporter reduces it to a month or quarter).
    pub opened_unix: i64,
    /// Status.
    pub status: CaseStatus,
    /// Proposed verdict.
    pub proposed_verdict: Option<tdverify_core::Verdict>,
    /// Officer's conclusion.
    pub classification: Classification,
    /// Issuing state.
    pub issuing_state: Option<String>,
    /// ICAO document code.
    pub document_code: Option<String>,
    /// Failed check ids (`detection_evidence`).
    pub failed_checks: Vec<String>,
    /// Detection context and route.
    pub context: CaseContext,
    /// SLTD hotlist result code.
    pub hotlist_result: Option<String>,
    /// Conclusion level.
    pub conclusion_level: Option<String>,
    /// Outcome for the traveller.
    pub outcome: Option<String>,
    /// Bearer nationality, sex and age (decrypted for the exporter to generalise).
    pub holder: HolderProfile,
    /// Hex HMAC-SHA256 of (issuing state, document number) under the station's key
    /// (the key never leaves the store), for `repeat_document`.
    pub repeat_document: Option<String>,
}

impl Store {
    /// Metadata of all cases opened in `[from, to)` (Unix seconds), oldest first.
    /// Supervisors only; audited as `export` with the count.
    pub fn export_metadata(
        &self,
        session: &Session,
        from: i64,
        to: i64,
    ) -> StoreResult<Vec<CaseExportRecord>> {
        session.require(Permission::ExportMetadata)?;
        let filter = CaseFilter {
            opened_from: Some(from),
            opened_to: Some(to),
            ..CaseFilter::default()
        };
        let mut records = Vec::new();
        let mut offset = 0u64;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT repeat_document, wrapped_key, sealed_profile FROM cases WHERE id = ?1",
            )
            .map_err(self.db_err("reading export metadata"))?;
        loop {
            let page = self.list_cases(
                session,
                &filter,
                PageRequest {
                    offset,
                    limit: 1000,
                },
            )?;
            for row in &page.rows {
                let (pseudonym, wrapped, sealed_profile): (
                    Option<Vec<u8>>,
                    Vec<u8>,
                    Option<Vec<u8>>,
                ) = stmt
                    .query_row(params![row.case_id], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                    })
                    .map_err(self.db_err("reading export metadata"))?;
                let key = unwrap_case_key(&self.station_key, &row.case_id, &wrapped)?;
                let holder = open_profile(&key, &row.case_id, sealed_profile.as_deref())?;
                records.push(CaseExportRecord {
                    opened_unix: row.opened_unix,
                    status: row.status,
                    proposed_verdict: row.metadata.proposed_verdict,
                    classification: row.classification.clone(),
                    issuing_state: row.metadata.issuing_state.clone(),
                    document_code: row.metadata.document_code.clone(),
                    failed_checks: row.metadata.failed_checks.clone(),
                    context: row.metadata.context.clone(),
                    hotlist_result: row.metadata.hotlist_result.clone(),
                    conclusion_level: row.metadata.conclusion_level.clone(),
                    outcome: row.metadata.outcome.clone(),
                    holder,
                    repeat_document: pseudonym.as_deref().map(to_hex),
                });
            }
            offset += page.rows.len() as u64;
            if page.rows.is_empty() || offset >= page.total {
                break;
            }
        }
        records.reverse();
        self.append_audit(
            session,
            AuditAction::Export,
            None,
            &format!("metadata of {} cases, {from}..{to}", records.len()),
        )?;
        Ok(records)
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::*;

    #[test]
    fn export_has_metadata_and_pseudonym_but_no_identifiers() {
        let fx = Fixture::new();
        let officer = fx.login("officer");
        let a = fx
            .store
            .create_case(&officer, &draft_with("EXP", "UTO"))
            .unwrap();
        fx.advance(10);
        fx.store
            .create_case(&officer, &draft_with("EXP", "UTO"))
            .unwrap();
        fx.advance(100_000);
        fx.store
            .create_case(&officer, &draft_with("LATER", "UTO"))
            .unwrap();
        let supervisor = fx.login("supervisor");
        let records = fx
            .store
            .export_metadata(&supervisor, T0, T0 + 1000)
            .unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].opened_unix, T0);
        assert_eq!(records[0].repeat_document, records[1].repeat_document);
        assert_eq!(
            records[0].repeat_document.as_ref().map(String::len),
            Some(64)
        );
        assert_eq!(records[0].context.route_transits, vec!["AAA", "BBB"]);
        assert_eq!(records[0].holder.age_years, Some(44));
        assert_eq!(records[0].outcome.as_deref(), Some("refused_entry"));
        let text = serde_json::to_string(&records).unwrap();
        for secret in [a.as_str(), "EXP", "\"officer\"", "SURNAME"] {
            assert!(!text.contains(secret), "{secret} leaked into the export");
        }
        let auditor = fx.login("auditor");
        let entries = fx.store.audit_entries(&auditor, 0, 1000).unwrap();
        assert!(
            entries
                .iter()
                .any(|e| e.action == "export" && e.detail.starts_with("metadata of 2 cases"))
        );
    }
}
