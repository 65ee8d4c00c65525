//! What the administration screen and `tdverify doctor` need beyond the other modules:
//! a summary of the store readable without the passphrase, the audit log filtered and
//! paged for the auditor, the number of cases a purge would destroy (so the administrator
//! confirms a count, not a guess), and the audit entries for changes made outside the
//! database (the CSCA trust store and the reference library are folders of files, but
//! whoever changes them is still recorded in the chain).

use rusqlite::{OpenFlags, params_from_iter, types::Value};
use serde::{Deserialize, Serialize};

use crate::audit::{AuditAction, AuditEntry};
use crate::crypto::to_hex;
use crate::error::StoreResult;
use crate::roles::{Permission, Session};
use crate::store::Store;
use crate::time::format_utc;

/// The store as `tdverify doctor` reports it, read without the station passphrase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreSummary {
    /// Newest applied migration.
    pub schema_version: i64,
    /// Cases kept (any status, training included).
    pub cases: u64,
    /// Accounts, active or not.
    pub users: u64,
}

/// Which audit entries the auditor wants to see; empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Exact user name (`station` for the station session).
    pub actor: Option<String>,
    /// Exact action name ([`AuditAction::as_str`]).
    pub action: Option<String>,
    /// Entries at or after this Unix time.
    pub from: Option<i64>,
    /// Entries before this Unix time.
    pub until: Option<i64>,
    /// Part of a case id (case-insensitive).
    pub case_id_contains: Option<String>,
}

/// One page of the filtered audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditPage {
    /// The entries of this page, oldest first.
    pub entries: Vec<AuditEntry>,
    /// How many entries match the filter in all.
    pub total: u64,
}

impl Store {
    /// Schema version and counts of the store in `data_dir`, opened read-only without the
    /// passphrase (the counts are of clear index rows); `None` when no store is there.
    pub fn summary_in(data_dir: &std::path::Path) -> StoreResult<Option<StoreSummary>> {
        let path = crate::store::database_path(data_dir);
        if !path.is_file() {
            return Ok(None);
        }
        let schema_version = crate::schema::read_version_read_only(&path)?;
        if schema_version == 0 {
            return Ok(Some(StoreSummary {
                schema_version,
                cases: 0,
                users: 0,
            }));
        }
        let conn = rusqlite::Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| crate::StoreError::Database {
            context: "opening the database read-only",
            source,
        })?;
        let count = |sql: &str, context: &'static str| -> StoreResult<u64> {
            conn.query_row(sql, [], |r| r.get::<_, i64>(0))
                .map(|n| u64::try_from(n).unwrap_or(0))
                .map_err(|source| crate::StoreError::Database { context, source })
        };
        Ok(Some(StoreSummary {
            schema_version,
            cases: count("SELECT COUNT(*) FROM cases", "counting cases")?,
            users: count("SELECT COUNT(*) FROM users", "counting users")?,
        }))
    }

    /// The audit entries matching `filter`, `limit` from `offset`, with the total count.
    /// Auditors (and the station session) only, like [`Store::audit_entries`].
    pub fn audit_page(
        &self,
        session: &Session,
        filter: &AuditFilter,
        offset: u64,
        limit: u64,
    ) -> StoreResult<AuditPage> {
        session.require(Permission::ReadAudit)?;
        let mut conditions = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        if let Some(actor) = filter.actor.as_deref().filter(|a| !a.trim().is_empty()) {
            conditions.push("actor = ?");
            values.push(Value::Text(actor.trim().to_string()));
        }
        if let Some(action) = filter.action.as_deref().filter(|a| !a.trim().is_empty()) {
            conditions.push("action = ?");
            values.push(Value::Text(action.trim().to_string()));
        }
        if let Some(from) = filter.from {
            conditions.push("at >= ?");
            values.push(Value::Integer(from));
        }
        if let Some(until) = filter.until {
            conditions.push("at < ?");
            values.push(Value::Integer(until));
        }
        if let Some(part) = filter
            .case_id_contains
            .as_deref()
            .filter(|p| !p.trim().is_empty())
        {
            // instr, not LIKE: a `%` or `_` typed by the auditor is a character, not a pattern.
            conditions.push("instr(lower(coalesce(case_id, '')), lower(?)) > 0");
            values.push(Value::Text(part.trim().to_string()));
        }
        let clause = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let total: i64 = self
            .conn
            .query_row(
                &format!("SELECT COUNT(*) FROM audit {clause}"),
                params_from_iter(values.iter()),
                |r| r.get(0),
            )
            .map_err(self.db_err("counting audit entries"))?;
        let mut page_values = values;
        page_values.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
        page_values.push(Value::Integer(i64::try_from(offset).unwrap_or(i64::MAX)));
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT seq, at, actor, action, case_id, detail, hash FROM audit {clause} ORDER BY seq LIMIT ? OFFSET ?"
            ))
            .map_err(self.db_err("reading the audit log"))?;
        let rows = stmt
            .query_map(params_from_iter(page_values.iter()), |r| {
                Ok(AuditEntry {
                    seq: r.get(0)?,
                    at: format_utc(r.get(1)?),
                    actor: r.get(2)?,
                    action: r.get(3)?,
                    case_id: r.get(4)?,
                    detail: r.get(5)?,
                    hash: to_hex(&r.get::<_, Vec<u8>>(6)?),
                })
            })
            .map_err(self.db_err("reading the audit log"))?;
        let entries = rows
            .collect::<Result<Vec<_>, _>>()
            .map_err(self.db_err("reading the audit log"))?;
        Ok(AuditPage {
            entries,
            total: u64::try_from(total).unwrap_or(0),
        })
    }

    /// How many cases [`Store::purge_expired`] would destroy now (0 without a retention
    /// period), so the administrator confirms a number. Administrators only.
    pub fn expired_case_count(&self, session: &Session) -> StoreResult<u64> {
        match self.retention_days()? {
            Some(days) => self.cases_older_than(session, days),
            None => {
                session.require(Permission::ManageRetention)?;
                Ok(0)
            }
        }
    }

    /// How many cases a retention period of `days` would destroy now, so an administrator
    /// sees the number before shortening the period (the next opening of the store purges
    /// them). Administrators only.
    pub fn cases_older_than(&self, session: &Session, days: u32) -> StoreResult<u64> {
        session.require(Permission::ManageRetention)?;
        let cutoff = self.now() - i64::from(days) * 86_400;
        let count: i64 = self
            .conn
            .query_row(
                "SELECT COUNT(*) FROM cases WHERE opened < ?1",
                [cutoff],
                |r| r.get(0),
            )
            .map_err(self.db_err("counting expired cases"))?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// Records a change of the CSCA trust store (import or removal; the detail names the
    /// file and the counts). Administrators only: the CSCAs decide which chips verify.
    pub fn record_csca_change(&self, session: &Session, detail: &str) -> StoreResult<()> {
        session.require(Permission::ManageTrust)?;
        self.append_audit(session, AuditAction::CscaConfig, None, detail)
    }

    /// Checks, before a CSCA change starts, that the session may make it.
    pub fn may_change_csca(&self, session: &Session) -> StoreResult<()> {
        session.require(Permission::ManageTrust)
    }

    /// Checks, before a template pack is copied, that the session may install it.
    pub fn may_change_reference_library(&self, session: &Session) -> StoreResult<()> {
        session.require(Permission::ManageStation)
    }

    /// Records an import of reference templates (the pack and the template keys).
    /// Administrators only: templates decide what the document checks expect.
    pub fn record_reference_import(&self, session: &Session, detail: &str) -> StoreResult<()> {
        session.require(Permission::ManageStation)?;
        self.append_audit(session, AuditAction::ReferenceImport, None, detail)
    }

    /// The time of each user's newest login, from the audit log (`None`: never logged in).
    pub(crate) fn last_login_of(&self, username: &str) -> StoreResult<Option<String>> {
        let at: Option<i64> = self
            .conn
            .query_row(
                "SELECT MAX(at) FROM audit WHERE actor = ?1 AND action = ?2",
                [username, AuditAction::Login.as_str()],
                |r| r.get(0),
            )
            .map_err(self.db_err("reading the last login"))?;
        Ok(at.map(format_utc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StoreError;
    use crate::test_support::*;

    #[test]
    fn summary_counts_cases_and_users_without_the_passphrase() {
        let fx = Fixture::new();
        let officer = fx.login("officer");
        fx.store
            .create_case(&officer, &draft_with("SUM1", "UTO"))
            .unwrap();
        fx.store
            .create_case(&officer, &draft_with("SUM2", "UTO"))
            .unwrap();
        let summary = Store::summary_in(fx.path()).unwrap().unwrap();
        assert_eq!(summary.schema_version, crate::CURRENT_SCHEMA_VERSION);
        assert_eq!(summary.cases, 2);
        assert_eq!(summary.users, 7);
        let empty = tempfile::tempdir().unwrap();
        assert_eq!(Store::summary_in(empty.path()).unwrap(), None);
    }

    #[test]
    fn audit_page_filters_and_counts() {
        let fx = Fixture::new();
        let officer = fx.login("officer");
        let case = fx
            .store
            .create_case(&officer, &draft_with("AUD1", "UTO"))
            .unwrap();
        fx.advance(86_400);
        fx.store
            .create_case(&officer, &draft_with("AUD2", "UTO"))
            .unwrap();
        let auditor = fx.login("auditor");
        let all = fx
            .store
            .audit_page(&auditor, &AuditFilter::default(), 0, 1000)
            .unwrap();
        assert_eq!(all.total as usize, all.entries.len());
        let creates = AuditFilter {
            actor: Some("officer".into()),
            action: Some("create".into()),
            ..AuditFilter::default()
        };
        let page = fx.store.audit_page(&auditor, &creates, 0, 1).unwrap();
        assert_eq!(page.total, 2);
        assert_eq!(page.entries.len(), 1);
        assert_eq!(page.entries[0].case_id.as_deref(), Some(case.as_str()));
        let second = fx.store.audit_page(&auditor, &creates, 1, 1).unwrap();
        assert_ne!(second.entries[0].case_id.as_deref(), Some(case.as_str()));
        let by_case = AuditFilter {
            case_id_contains: Some(case[2..8].to_uppercase()),
            ..AuditFilter::default()
        };
        let page = fx.store.audit_page(&auditor, &by_case, 0, 100).unwrap();
        assert!(page.total >= 1);
        assert!(
            page.entries
                .iter()
                .all(|e| e.case_id.as_deref() == Some(case.as_str()))
        );
        let later = AuditFilter {
            from: Some(T0 + 3600),
            action: Some("create".into()),
            ..AuditFilter::default()
        };
        assert_eq!(
            fx.store.audit_page(&auditor, &later, 0, 10).unwrap().total,
            1
        );
        let earlier = AuditFilter {
            until: Some(T0 + 3600),
            action: Some("create".into()),
            ..AuditFilter::default()
        };
        assert_eq!(
            fx.store
                .audit_page(&auditor, &earlier, 0, 10)
                .unwrap()
                .total,
            1
        );
        assert!(matches!(
            fx.store
                .audit_page(&officer, &AuditFilter::default(), 0, 10),
            Err(StoreError::PermissionDenied { .. })
        ));
    }

    #[test]
    fn expired_count_matches_the_purge() {
        let fx = Fixture::new();
        let officer = fx.login("officer");
        let admin = fx.login("admin");
        fx.store
            .create_case(&officer, &draft_with("OLD1", "UTO"))
            .unwrap();
        fx.store
            .create_case(&officer, &draft_with("OLD2", "UTO"))
            .unwrap();
        assert_eq!(fx.store.expired_case_count(&admin).unwrap(), 0);
        fx.store.set_retention_days(&admin, Some(30)).unwrap();
        fx.advance(31 * 86_400);
        fx.store
            .create_case(&officer, &draft_with("NEW1", "UTO"))
            .unwrap();
        assert_eq!(fx.store.expired_case_count(&admin).unwrap(), 2);
        // A shorter period, asked before it is set, counts the newer case too.
        assert_eq!(fx.store.cases_older_than(&admin, 30).unwrap(), 2);
        fx.advance(86_400 + 1);
        assert_eq!(fx.store.cases_older_than(&admin, 1).unwrap(), 3);
        assert!(fx.store.cases_older_than(&officer, 1).is_err());
        assert_eq!(fx.store.purge_expired(&admin).unwrap().purged, 2);
        assert_eq!(fx.store.expired_case_count(&admin).unwrap(), 0);
        assert!(fx.store.expired_case_count(&officer).is_err());
    }

    #[test]
    fn csca_and_reference_changes_are_audited_for_admins_only() {
        let fx = Fixture::new();
        let admin = fx.login("admin");
        let officer = fx.login("officer");
        fx.store
            .record_csca_change(&admin, "imported ml.der: 3 added")
            .unwrap();
        fx.store
            .record_reference_import(&admin, "pack p: UTO/passport")
            .unwrap();
        assert!(fx.store.record_csca_change(&officer, "x").is_err());
        assert!(fx.store.record_reference_import(&officer, "x").is_err());
        let entries = fx
            .store
            .audit_page(
                &fx.store.station_session(),
                &AuditFilter::default(),
                0,
                1000,
            )
            .unwrap()
            .entries;
        let last_two: Vec<(&str, &str)> = entries
            .iter()
            .rev()
            .take(2)
            .map(|e| (e.action.as_str(), e.detail.as_str()))
            .collect();
        assert_eq!(
            last_two,
            vec![
                ("reference_import", "pack p: UTO/passport"),
                ("csca_config", "imported ml.der: 3 added")
            ]
        );
        assert!(fx.store.verify_audit(&fx.login("auditor")).unwrap().intact);
    }

    #[test]
    fn every_action_name_is_listed_once() {
        let mut names: Vec<&str> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), AuditAction::ALL.len());
    }

    #[test]
    fn last_login_comes_from_the_audit_log() {
        let fx = Fixture::new();
        let admin = fx.login("admin");
        let users = fx.store.list_users(&admin).unwrap();
        let officer2 = users.iter().find(|u| u.username == "officer2").unwrap();
        assert_eq!(officer2.last_login, None);
        let admin_row = users.iter().find(|u| u.username == "admin").unwrap();
        assert_eq!(
            admin_row.last_login.as_deref(),
            Some(format_utc(T0).as_str())
        );
    }
}
