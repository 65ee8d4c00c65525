//! Append-only, hash-chained audit log.
//!
//! Entry `n` stores `hash_n = SHA-256(hash_{n-1} ‖ canonical_n)` where `canonical_n` is the
//! JSON array `[seq, at, actor, action, case_id, detail]` (arrays serialise deterministically)
//! and `hash_0` is 32 zero bytes. The newest sequence number and hash are also kept in the
//! station row, so removing entries from the end is detected too. Triggers refuse UPDATE
//! and DELETE on the table; [`crate::Store::verify_audit`] recomputes the chain and names
//! every entry that was edited, removed or moved. Audit entries never hold personal data.

use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::crypto::constant_time_eq;
use crate::error::{StoreError, StoreResult};
use crate::roles::{Permission, Session};
use crate::store::Store;
use crate::time::format_utc;
use tdverify_core::hex;

/// Every action the audit log records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// The store was created.
    Initialize,
    /// A user logged in.
    Login,
    /// A login failed (wrong password, unknown user, locked account).
    LoginFailed,
    /// A user logged out.
    Logout,
    /// A user was created, changed, unlocked or disabled, or changed a password.
    UserAdmin,
    /// A case was created.
    Create,
    /// A case was opened (decrypted) for viewing.
    View,
    /// A case was changed (autosave, classification, note).
    Modify,
    /// A draft was submitted.
    Submit,
    /// A case was reviewed.
    Review,
    /// A case was deleted.
    Delete,
    /// Case metadata was exported.
    Export,
    /// The export policy (smallest k) changed.
    ExportConfig,
    /// Expired cases were purged by retention.
    RetentionPurge,
    /// Retention settings changed.
    RetentionConfig,
    /// A backup was written.
    Backup,
    /// The store was restored from a backup.
    Restore,
    /// A publisher's key was trusted or no longer trusted.
    TrustConfig,
    /// The SLTD hotlist was imported.
    SltdImport,
    /// The SLTD settings (maximum age, online service) changed.
    SltdConfig,
    /// The online SLTD service was asked about a document.
    SltdQuery,
    /// Training: a session signed, a run recorded, results exported (counts and ids only).
    Training,
    /// A station setting changed (the scanner hot folder …).
    StationConfig,
    /// The CSCA trust store changed (a master list or certificate imported or removed).
    CscaConfig,
    /// Reference templates were imported into the station's library.
    ReferenceImport,
}

impl AuditAction {
    /// Every action, for the auditor's filter.
    pub const ALL: [AuditAction; 25] = [
        AuditAction::Initialize,
        AuditAction::Login,
        AuditAction::LoginFailed,
        AuditAction::Logout,
        AuditAction::UserAdmin,
        AuditAction::Create,
        AuditAction::View,
        AuditAction::Modify,
        AuditAction::Submit,
        AuditAction::Review,
        AuditAction::Delete,
        AuditAction::Export,
        AuditAction::ExportConfig,
        AuditAction::RetentionPurge,
        AuditAction::RetentionConfig,
        AuditAction::Backup,
        AuditAction::Restore,
        AuditAction::TrustConfig,
        AuditAction::SltdImport,
        AuditAction::SltdConfig,
        AuditAction::SltdQuery,
        AuditAction::Training,
        AuditAction::StationConfig,
        AuditAction::CscaConfig,
        AuditAction::ReferenceImport,
    ];

    /// Stable snake_case name stored in the log.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Initialize => "initialize",
            AuditAction::Login => "login",
            AuditAction::LoginFailed => "login_failed",
            AuditAction::Logout => "logout",
            AuditAction::UserAdmin => "user_admin",
            AuditAction::Create => "create",
            AuditAction::View => "view",
            AuditAction::Modify => "modify",
            AuditAction::Submit => "submit",
            AuditAction::Review => "review",
            AuditAction::Delete => "delete",
            AuditAction::Export => "export",
            AuditAction::ExportConfig => "export_config",
            AuditAction::RetentionPurge => "retention_purge",
            AuditAction::RetentionConfig => "retention_config",
            AuditAction::Backup => "backup",
            AuditAction::Restore => "restore",
            AuditAction::TrustConfig => "trust_config",
            AuditAction::SltdImport => "sltd_import",
            AuditAction::SltdConfig => "sltd_config",
            AuditAction::SltdQuery => "sltd_query",
            AuditAction::Training => "training",
            AuditAction::StationConfig => "station_config",
            AuditAction::CscaConfig => "csca_config",
            AuditAction::ReferenceImport => "reference_import",
        }
    }
}

/// One audit entry as shown to auditors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When, as ISO 8601 UTC.
    pub at: String,
    /// User name, `station` or `unknown-user`.
    pub actor: String,
    /// Action name (see [`AuditAction::as_str`]).
    pub action: String,
    /// The case concerned, if any.
    pub case_id: Option<String>,
    /// Non-personal detail (counts, status changes).
    pub detail: String,
    /// Hex SHA-256 chain hash of this entry.
    pub hash: String,
}

/// What kind of tampering an audit problem shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditProblemKind {
    /// The entry's content no longer matches its hash.
    Edited,
    /// One or more entries before this one are missing.
    Missing,
    /// The entry does not follow its predecessor (moved or swapped).
    OutOfOrder,
    /// The end of the log does not match the recorded head (entries removed from the end).
    TruncatedEnd,
}

/// One finding of [`Store::verify_audit`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditProblem {
    /// Sequence number of the entry where the chain breaks.
    pub seq: i64,
    /// The kind of break.
    pub kind: AuditProblemKind,
}

/// Result of verifying the audit chain (`tdverify audit verify` prints it and exits
/// non-zero unless `intact`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditReport {
    /// True when every entry is present, unaltered and in order.
    pub intact: bool,
    /// Number of entries read.
    pub entries: u64,
    /// Hex hash of the last entry.
    pub head_hash: String,
    /// Every break found, in log order.
    pub problems: Vec<AuditProblem>,
}

/// Canonical bytes of an entry, hashed into the chain.
fn canonical(
    seq: i64,
    at: i64,
    actor: &str,
    action: &str,
    case_id: Option<&str>,
    detail: &str,
) -> Vec<u8> {
    serde_json::to_vec(&(seq, at, actor, action, case_id, detail)).unwrap_or_default()
}

/// Chain hash of an entry.
fn chain_hash(prev: &[u8], canonical: &[u8]) -> Vec<u8> {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    ctx.update(prev);
    ctx.update(canonical);
    ctx.finish().as_ref().to_vec()
}

impl Store {
    /// Appends an entry; callers do this inside the transaction of the action itself,
    /// so the action and its trace commit together.
    pub(crate) fn append_audit_on(
        conn: &rusqlite::Connection,
        at: i64,
        session: &Session,
        action: AuditAction,
        case_id: Option<&str>,
        detail: &str,
    ) -> rusqlite::Result<()> {
        let (head_seq, head_hash): (i64, Vec<u8>) = conn.query_row(
            "SELECT audit_head_seq, audit_head_hash FROM station WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let seq = head_seq + 1;
        let actor = session.username();
        let hash = chain_hash(
            &head_hash,
            &canonical(seq, at, actor, action.as_str(), case_id, detail),
        );
        conn.execute(
            "INSERT INTO audit (seq, at, actor, action, case_id, detail, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![seq, at, actor, action.as_str(), case_id, detail, head_hash, hash],
        )?;
        conn.execute(
            "UPDATE station SET audit_head_seq = ?1, audit_head_hash = ?2 WHERE id = 1",
            params![seq, hash],
        )?;
        Ok(())
    }

    /// Appends an entry in its own transaction (for actions without other writes).
    pub(crate) fn append_audit(
        &self,
        session: &Session,
        action: AuditAction,
        case_id: Option<&str>,
        detail: &str,
    ) -> StoreResult<()> {
        let tx = self.write_tx("starting an audit write")?;
        Store::append_audit_on(&tx, self.now(), session, action, case_id, detail)
            .map_err(self.db_err("writing the audit log"))?;
        tx.commit().map_err(self.db_err("committing the audit log"))
    }

    /// Reads audit entries, newest last, `offset`/`limit` paged. Auditors only.
    pub fn audit_entries(
        &self,
        session: &Session,
        offset: u64,
        limit: u64,
    ) -> StoreResult<Vec<AuditEntry>> {
        session.require(Permission::ReadAudit)?;
        let mut stmt = self
            .conn
            .prepare("SELECT seq, at, actor, action, case_id, detail, hash FROM audit ORDER BY seq LIMIT ?1 OFFSET ?2")
            .map_err(self.db_err("reading the audit log"))?;
        let rows = stmt
            .query_map(
                params![
                    i64::try_from(limit).unwrap_or(i64::MAX),
                    i64::try_from(offset).unwrap_or(i64::MAX)
                ],
                |r| {
                    Ok(AuditEntry {
                        seq: r.get(0)?,
                        at: format_utc(r.get(1)?),
                        actor: r.get(2)?,
                        action: r.get(3)?,
                        case_id: r.get(4)?,
                        detail: r.get(5)?,
                        hash: hex::encode(&r.get::<_, Vec<u8>>(6)?),
                    })
                },
            )
            .map_err(self.db_err("reading the audit log"))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(self.db_err("reading the audit log"))
    }

    /// Recomputes the hash chain and reports every edited, missing or reordered entry.
    /// Auditors (and the station session) only.
    pub fn verify_audit(&self, session: &Session) -> StoreResult<AuditReport> {
        session.require(Permission::ReadAudit)?;
        let report = self.verify_audit_unchecked()?;
        // Verifying is itself not logged as a case action; it changes nothing.
        Ok(report)
    }

    /// The chain check without a permission check (used after restore).
    pub(crate) fn verify_audit_unchecked(&self) -> StoreResult<AuditReport> {
        let err = |e| StoreError::Database {
            context: "verifying the audit log",
            source: e,
        };
        let mut stmt = self
            .conn
            .prepare("SELECT seq, at, actor, action, case_id, detail, prev_hash, hash FROM audit ORDER BY seq")
            .map_err(err)?;
        let mut rows = stmt.query([]).map_err(err)?;
        let mut problems = Vec::new();
        let mut expected_prev = vec![0u8; 32];
        let mut expected_seq = 1i64;
        let mut entries = 0u64;
        while let Some(row) = rows.next().map_err(err)? {
            entries += 1;
            let seq: i64 = row.get(0).map_err(err)?;
            let at: i64 = row.get(1).map_err(err)?;
            let actor: String = row.get(2).map_err(err)?;
            let action: String = row.get(3).map_err(err)?;
            let case_id: Option<String> = row.get(4).map_err(err)?;
            let detail: String = row.get(5).map_err(err)?;
            let prev_hash: Vec<u8> = row.get(6).map_err(err)?;
            let hash: Vec<u8> = row.get(7).map_err(err)?;
            let recomputed = chain_hash(
                &prev_hash,
                &canonical(seq, at, &actor, &action, case_id.as_deref(), &detail),
            );
            if !constant_time_eq(&recomputed, &hash) {
                problems.push(AuditProblem {
                    seq,
                    kind: AuditProblemKind::Edited,
                });
            } else if !constant_time_eq(&prev_hash, &expected_prev) {
                let kind = if seq > expected_seq {
                    AuditProblemKind::Missing
                } else {
                    AuditProblemKind::OutOfOrder
                };
                problems.push(AuditProblem { seq, kind });
            } else if seq != expected_seq {
                problems.push(AuditProblem {
                    seq,
                    kind: AuditProblemKind::OutOfOrder,
                });
            }
            expected_prev = hash;
            expected_seq = seq + 1;
        }
        drop(rows);
        let (head_seq, head_hash): (i64, Vec<u8>) = self
            .conn
            .query_row(
                "SELECT audit_head_seq, audit_head_hash FROM station WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(err)?;
        if head_seq != expected_seq - 1 || !constant_time_eq(&head_hash, &expected_prev) {
            problems.push(AuditProblem {
                seq: head_seq,
                kind: AuditProblemKind::TruncatedEnd,
            });
        }
        Ok(AuditReport {
            intact: problems.is_empty(),
            entries,
            head_hash: hex::encode(&expected_prev),
            problems,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    /// A store with a few audited actions, and the auditor's session.
    fn audited() -> (Fixture, Session) {
        let fx = Fixture::new();
        let officer = fx.login("officer");
        let id = fx
            .store
            .create_case(&officer, &draft_with("AUD", "UTO"))
            .unwrap();
        fx.store.open_case(&officer, &id).unwrap();
        fx.store.submit_case(&officer, &id).unwrap();
        let auditor = fx.login("auditor");
        (fx, auditor)
    }

    /// Removes the append-only triggers, as an attacker with the file would.
    fn drop_triggers(fx: &Fixture) {
        fx.store
            .conn
            .execute_batch("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;")
            .unwrap();
    }

    #[test]
    fn untouched_log_verifies_and_records_actions() {
        let (fx, auditor) = audited();
        let report = fx.store.verify_audit(&auditor).unwrap();
        assert!(report.intact, "{report:?}");
        let actions: Vec<String> = fx
            .store
            .audit_entries(&auditor, 0, 100)
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        for expected in [
            "initialize",
            "user_admin",
            "login",
            "create",
            "view",
            "submit",
        ] {
            assert!(
                actions.iter().any(|a| a == expected),
                "{expected} missing from {actions:?}"
            );
        }
        assert_eq!(report.entries as usize, actions.len());
    }

    #[test]
    fn triggers_refuse_update_and_delete() {
        let (fx, _) = audited();
        assert!(
            fx.store
                .conn
                .execute("UPDATE audit SET detail = 'x' WHERE seq = 2", [])
                .is_err()
        );
        assert!(
            fx.store
                .conn
                .execute("DELETE FROM audit WHERE seq = 2", [])
                .is_err()
        );
    }

    #[test]
    fn edited_entry_is_detected() {
        let (fx, auditor) = audited();
        drop_triggers(&fx);
        fx.store
            .conn
            .execute("UPDATE audit SET actor = 'someone-else' WHERE seq = 3", [])
            .unwrap();
        let report = fx.store.verify_audit(&auditor).unwrap();
        assert!(!report.intact);
        assert_eq!(
            report.problems[0],
            AuditProblem {
                seq: 3,
                kind: AuditProblemKind::Edited
            }
        );
    }

    #[test]
    fn deleted_entry_is_detected() {
        let (fx, auditor) = audited();
        drop_triggers(&fx);
        fx.store
            .conn
            .execute("DELETE FROM audit WHERE seq = 4", [])
            .unwrap();
        let report = fx.store.verify_audit(&auditor).unwrap();
        assert!(!report.intact);
        assert_eq!(
            report.problems[0],
            AuditProblem {
                seq: 5,
                kind: AuditProblemKind::Missing
            }
        );
    }

    #[test]
    fn deleted_last_entry_is_detected() {
        let (fx, auditor) = audited();
        drop_triggers(&fx);
        fx.store
            .conn
            .execute(
                "DELETE FROM audit WHERE seq = (SELECT MAX(seq) FROM audit)",
                [],
            )
            .unwrap();
        let report = fx.store.verify_audit(&auditor).unwrap();
        assert!(!report.intact);
        assert_eq!(
            report.problems.last().map(|p| p.kind),
            Some(AuditProblemKind::TruncatedEnd)
        );
    }

    #[test]
    fn reordered_entries_are_detected() {
        let (fx, auditor) = audited();
        drop_triggers(&fx);
        // Swap entries 3 and 4 completely (content, hashes and all): only the order changes.
        fx.store
            .conn
            .execute_batch(
                "UPDATE audit SET seq = -1 WHERE seq = 3; UPDATE audit SET seq = 3 WHERE seq = 4; UPDATE audit SET seq = 4 WHERE seq = -1;",
            )
            .unwrap();
        let report = fx.store.verify_audit(&auditor).unwrap();
        assert!(!report.intact);
        assert_eq!(report.problems[0].seq, 3);
    }

    #[test]
    fn entry_rewritten_with_recomputed_hash_still_breaks_the_chain() {
        let (fx, auditor) = audited();
        drop_triggers(&fx);
        // The attacker recomputes the edited entry's own hash, but the next entry's link breaks.
        let (seq, at, actor, action, case_id, detail, prev): (i64, i64, String, String, Option<String>, String, Vec<u8>) = fx
            .store
            .conn
            .query_row("SELECT seq, at, actor, action, case_id, detail, prev_hash FROM audit WHERE seq = 3", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
            })
            .unwrap();
        let _ = actor;
        let forged = chain_hash(
            &prev,
            &canonical(
                seq,
                at,
                "someone-else",
                &action,
                case_id.as_deref(),
                &detail,
            ),
        );
        fx.store
            .conn
            .execute(
                "UPDATE audit SET actor = 'someone-else', hash = ?1 WHERE seq = 3",
                [forged],
            )
            .unwrap();
        let report = fx.store.verify_audit(&auditor).unwrap();
        assert!(!report.intact);
        assert_eq!(
            report.problems[0],
            AuditProblem {
                seq: 4,
                kind: AuditProblemKind::OutOfOrder
            }
        );
    }
}
