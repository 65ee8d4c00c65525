//! The case list: filters, search and paging over the clear index columns only
//! (personal data is sealed, so it cannot be searched — by design).

use rusqlite::{Connection, OptionalExtension, Row, ToSql};
use serde::{Deserialize, Serialize};
use tdverify_core::{ForgeryMethod, FraudType, Verdict};

use crate::cases::{CaseMetadata, CaseStatus, Classification, parse_enum, split_list};
use crate::context::CaseContext;
use crate::error::StoreResult;
use crate::roles::{Permission, Session};
use crate::store::Store;
use crate::time::format_utc;

/// Filters of the case list; `None` means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CaseFilter {
    /// Opened at or after (Unix seconds).
    pub opened_from: Option<i64>,
    /// Opened before (Unix seconds, exclusive).
    pub opened_to: Option<i64>,
    /// Status.
    pub status: Option<CaseStatus>,
    /// Officer verdict, or proposed verdict where the officer gave none.
    pub verdict: Option<Verdict>,
    /// Issuing state code.
    pub issuing_state: Option<String>,
    /// Fraud type.
    pub fraud_type: Option<FraudType>,
    /// Officer user name.
    pub officer: Option<String>,
    /// Free text matched against case id prefix, issuing state, document code,
    /// detection point and failed check ids.
    pub search: Option<String>,
}

/// Which slice of the list to return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRequest {
    /// Rows to skip.
    pub offset: u64,
    /// Rows to return (capped at 1000).
    pub limit: u64,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest {
            offset: 0,
            limit: 50,
        }
    }
}

/// One row of the case list (clear columns only; nothing decrypted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRow {
    /// Case id.
    pub case_id: String,
    /// Status.
    pub status: CaseStatus,
    /// Opened, ISO 8601 UTC.
    pub opened: String,
    /// Opened, Unix seconds.
    pub opened_unix: i64,
    /// Last change, Unix seconds.
    pub updated_unix: i64,
    /// Officer user name.
    pub officer: String,
    /// Index columns.
    pub metadata: CaseMetadata,
    /// Officer's conclusion.
    pub classification: Classification,
}

impl CaseRow {
    /// Officer verdict if given, else the proposed one.
    pub fn verdict(&self) -> Option<Verdict> {
        self.classification
            .officer_verdict
            .or(self.metadata.proposed_verdict)
    }

    /// The CLI shape.
    pub fn to_list_entry(&self) -> CaseListEntry {
        CaseListEntry {
            case_id: self.case_id.clone(),
            status: self.status,
            opened: self.opened.clone(),
            verdict: self.verdict(),
        }
    }
}

/// JSON element of `tdverify cases list --json`: exactly `case_id, status, opened, verdict`.
/// `opened` is ISO 8601 UTC; `verdict` is the officer's, else the proposed one, else null.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseListEntry {
    /// Case id.
    pub case_id: String,
    /// `draft`, `submitted` or `reviewed`.
    pub status: CaseStatus,
    /// ISO 8601 UTC.
    pub opened: String,
    /// `genuine`, `review`, `fraudulent`, `inconclusive` or null.
    pub verdict: Option<Verdict>,
}

/// One page of the list plus the total matching the filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CasePage {
    /// Cases matching the filter (all pages).
    pub total: u64,
    /// This page, newest first.
    pub rows: Vec<CaseRow>,
}

/// Number of columns in [`ROW_COLUMNS`] (a query may select more after them).
pub(crate) const ROW_COLUMN_COUNT: usize = 28;

/// Columns of a [`CaseRow`], in the order [`row_from`] reads them.
pub(crate) const ROW_COLUMNS: &str = "c.id, c.status, c.opened, c.updated, COALESCE(u.username, '?'), c.proposed_verdict, c.officer_verdict,
    c.fraud_type, c.forgery_methods, c.issuing_state, c.document_code, c.detection_point, c.detection_point_type,
    c.detection_stage, c.travel_direction, c.transport_mode, c.route_embarkation, c.route_transits, c.route_destination,
    c.group_size, c.failed_checks, c.hotlist_result, c.conclusion_level, c.outcome, c.detection_country, c.detection_area,
    c.documents_held, c.training";

fn opt_enum<T: serde::de::DeserializeOwned>(value: Option<String>) -> Option<T> {
    value.as_deref().and_then(parse_enum)
}

/// Builds a row from the columns of [`ROW_COLUMNS`]. Unknown enum names read as `None`.
pub(crate) fn row_from(r: &Row<'_>) -> rusqlite::Result<CaseRow> {
    let status: String = r.get(1)?;
    let opened: i64 = r.get(2)?;
    let methods: String = r.get(8)?;
    Ok(CaseRow {
        case_id: r.get(0)?,
        status: CaseStatus::parse(&status).unwrap_or(CaseStatus::Draft),
        opened: format_utc(opened),
        opened_unix: opened,
        updated_unix: r.get(3)?,
        officer: r.get(4)?,
        metadata: CaseMetadata {
            proposed_verdict: opt_enum(r.get(5)?),
            issuing_state: r.get(9)?,
            document_code: r.get(10)?,
            failed_checks: split_list(&r.get::<_, String>(20)?),
            context: CaseContext {
                detection_country: r.get(24)?,
                detection_area: r.get(25)?,
                documents_held: r.get(26)?,
                detection_point: r.get(11)?,
                detection_point_type: r.get(12)?,
                detection_stage: r.get(13)?,
                travel_direction: r.get(14)?,
                transport_mode: r.get(15)?,
                route_embarkation: r.get(16)?,
                route_transits: split_list(&r.get::<_, String>(17)?),
                route_destination: r.get(18)?,
                group_size: r.get(19)?,
            },
            hotlist_result: r.get(21)?,
            conclusion_level: r.get(22)?,
            outcome: r.get(23)?,
            training: r.get(27)?,
        },
        classification: Classification {
            officer_verdict: opt_enum(r.get(6)?),
            fraud_type: opt_enum(r.get(7)?),
            forgery_methods: split_list(&methods)
                .iter()
                .filter_map(|m| parse_enum::<ForgeryMethod>(m))
                .collect(),
        },
    })
}

/// Row, sealed payload, reviewer name, review time and document pseudonym of one case.
pub(crate) type FullRow = (
    CaseRow,
    Vec<u8>,
    Option<String>,
    Option<i64>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
);

/// Reads one case's row and sealed payload.
pub(crate) fn read_row(conn: &Connection, case_id: &str) -> rusqlite::Result<Option<FullRow>> {
    let sql = format!(
        "SELECT {ROW_COLUMNS}, c.payload, r.username, c.reviewed_at, c.repeat_document, c.sealed_profile FROM cases c
         LEFT JOIN users u ON u.id = c.officer_id LEFT JOIN users r ON r.id = c.reviewed_by WHERE c.id = ?1"
    );
    conn.query_row(&sql, [case_id], |r| {
        Ok((
            row_from(r)?,
            r.get(ROW_COLUMN_COUNT)?,
            r.get(ROW_COLUMN_COUNT + 1)?,
            r.get(ROW_COLUMN_COUNT + 2)?,
            r.get(ROW_COLUMN_COUNT + 3)?,
            r.get(ROW_COLUMN_COUNT + 4)?,
        ))
    })
    .optional()
}

impl Store {
    /// One page of the case list, newest first. Officers see their own cases; experts and
    /// supervisors see all. Nothing is decrypted, so this is fast and not audited.
    pub fn list_cases(
        &self,
        session: &Session,
        filter: &CaseFilter,
        page: PageRequest,
    ) -> StoreResult<CasePage> {
        let mut clauses: Vec<String> = Vec::new();
        let mut args: Vec<Box<dyn ToSql>> = Vec::new();
        if !session.may(Permission::ViewAllCases) {
            session.require(Permission::ViewOwnCases)?;
            clauses.push("c.officer_id = ?".into());
            args.push(Box::new(session.user_id));
        }
        if let Some(from) = filter.opened_from {
            clauses.push("c.opened >= ?".into());
            args.push(Box::new(from));
        }
        if let Some(to) = filter.opened_to {
            clauses.push("c.opened < ?".into());
            args.push(Box::new(to));
        }
        if let Some(status) = filter.status {
            clauses.push("c.status = ?".into());
            args.push(Box::new(status.as_str()));
        }
        if let Some(verdict) = filter.verdict {
            clauses.push("COALESCE(c.officer_verdict, c.proposed_verdict) = ?".into());
            args.push(Box::new(verdict.as_str()));
        }
        if let Some(state) = &filter.issuing_state {
            clauses.push("c.issuing_state = ?".into());
            args.push(Box::new(state.trim().to_uppercase()));
        }
        if let Some(fraud) = filter.fraud_type {
            clauses.push("c.fraud_type = ?".into());
            args.push(Box::new(fraud.as_str()));
        }
        if let Some(officer) = &filter.officer {
            clauses.push("c.officer_id = (SELECT id FROM users WHERE username = ?)".into());
            args.push(Box::new(officer.trim().to_string()));
        }
        if let Some(text) = filter
            .search
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            let escaped = text
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            clauses.push(
                "(c.id LIKE ? ESCAPE '\\' OR c.issuing_state LIKE ? ESCAPE '\\' OR c.document_code LIKE ? ESCAPE '\\'
                  OR c.detection_point LIKE ? ESCAPE '\\' OR c.failed_checks LIKE ? ESCAPE '\\')"
                    .into(),
            );
            args.push(Box::new(format!("{}%", escaped.to_lowercase())));
            for _ in 0..4 {
                args.push(Box::new(format!("%{escaped}%")));
            }
        }
        let where_sql = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        let arg_refs: Vec<&dyn ToSql> = args.iter().map(|a| a.as_ref()).collect();
        let total: i64 = self
            .conn
            .query_row(
                &format!("SELECT COUNT(*) FROM cases c {where_sql}"),
                arg_refs.as_slice(),
                |r| r.get(0),
            )
            .map_err(self.db_err("counting cases"))?;
        let limit = i64::try_from(page.limit.min(1000)).unwrap_or(1000);
        let offset = i64::try_from(page.offset).unwrap_or(i64::MAX);
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM cases c LEFT JOIN users u ON u.id = c.officer_id {where_sql}
             ORDER BY c.opened DESC, c.id LIMIT {limit} OFFSET {offset}"
        );
        let mut stmt = self
            .conn
            .prepare(&sql)
            .map_err(self.db_err("listing cases"))?;
        let rows = stmt
            .query_map(arg_refs.as_slice(), row_from)
            .map_err(self.db_err("listing cases"))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(self.db_err("listing cases"))?;
        Ok(CasePage {
            total: u64::try_from(total).unwrap_or(0),
            rows,
        })
    }

    /// `tdverify cases list --json`: every matching case as [`CaseListEntry`], newest first.
    pub fn list_case_entries(
        &self,
        session: &Session,
        filter: &CaseFilter,
    ) -> StoreResult<Vec<CaseListEntry>> {
        let mut entries = Vec::new();
        let mut offset = 0;
        loop {
            let page = self.list_cases(
                session,
                filter,
                PageRequest {
                    offset,
                    limit: 1000,
                },
            )?;
            let n = page.rows.len() as u64;
            entries.extend(page.rows.iter().map(CaseRow::to_list_entry));
            offset += n;
            if n == 0 || offset >= page.total {
                break;
            }
        }
        Ok(entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;
    use proptest::prelude::*;

    /// 30 cases over 30 days from two officers, various states and verdicts.
    fn populated() -> (Fixture, Session) {
        let fx = Fixture::new();
        let officer = fx.login("officer");
        let officer2 = fx.login("officer2");
        for i in 0..30i64 {
            let who = if i % 3 == 0 { &officer2 } else { &officer };
            let mut draft = draft_with(&format!("L{i}"), if i % 2 == 0 { "UTO" } else { "D" });
            if i % 5 == 0 {
                draft.classification.officer_verdict = Some(Verdict::Fraudulent);
                draft.classification.fraud_type = Some(FraudType::Counterfeit);
            }
            let id = fx.store.create_case(who, &draft).unwrap();
            if i % 4 == 0 {
                fx.store.submit_case(who, &id).unwrap();
            }
            fx.advance(86_400);
        }
        let supervisor = fx.login("supervisor");
        (fx, supervisor)
    }

    #[test]
    fn filters_and_paging() {
        let (fx, supervisor) = populated();
        let all = |filter: CaseFilter| {
            fx.store
                .list_cases(
                    &supervisor,
                    &filter,
                    PageRequest {
                        offset: 0,
                        limit: 100,
                    },
                )
                .unwrap()
        };
        assert_eq!(all(CaseFilter::default()).total, 30);
        assert_eq!(
            all(CaseFilter {
                issuing_state: Some("uto".into()),
                ..Default::default()
            })
            .total,
            15
        );
        assert_eq!(
            all(CaseFilter {
                status: Some(CaseStatus::Submitted),
                ..Default::default()
            })
            .total,
            8
        );
        assert_eq!(
            all(CaseFilter {
                verdict: Some(Verdict::Fraudulent),
                ..Default::default()
            })
            .total,
            6
        );
        assert_eq!(
            all(CaseFilter {
                verdict: Some(Verdict::Review),
                ..Default::default()
            })
            .total,
            24
        );
        assert_eq!(
            all(CaseFilter {
                fraud_type: Some(FraudType::Counterfeit),
                ..Default::default()
            })
            .total,
            6
        );
        assert_eq!(
            all(CaseFilter {
                officer: Some("officer2".into()),
                ..Default::default()
            })
            .total,
            10
        );
        let week = all(CaseFilter {
            opened_from: Some(T0 + 7 * 86_400),
            opened_to: Some(T0 + 14 * 86_400),
            ..Default::default()
        });
        assert_eq!(week.total, 7);
        assert!(
            week.rows
                .iter()
                .all(|r| (T0 + 7 * 86_400..T0 + 14 * 86_400).contains(&r.opened_unix))
        );
        assert_eq!(
            all(CaseFilter {
                search: Some("ir.b9".into()),
                ..Default::default()
            })
            .total,
            30
        );
        assert_eq!(
            all(CaseFilter {
                search: Some("100%".into()),
                ..Default::default()
            })
            .total,
            0
        );

        let first = fx
            .store
            .list_cases(
                &supervisor,
                &CaseFilter::default(),
                PageRequest {
                    offset: 0,
                    limit: 10,
                },
            )
            .unwrap();
        let second = fx
            .store
            .list_cases(
                &supervisor,
                &CaseFilter::default(),
                PageRequest {
                    offset: 10,
                    limit: 10,
                },
            )
            .unwrap();
        assert_eq!(
            (first.total, first.rows.len(), second.rows.len()),
            (30, 10, 10)
        );
        assert!(first.rows[0].opened_unix > first.rows[9].opened_unix);
        assert!(first.rows[9].opened_unix > second.rows[0].opened_unix);
        let prefix = &first.rows[0].case_id[..8];
        assert!(
            all(CaseFilter {
                search: Some(prefix.to_uppercase()),
                ..Default::default()
            })
            .rows
            .iter()
            .any(|r| r.case_id == first.rows[0].case_id)
        );

        // Officers only see their own.
        let officer = fx.login("officer");
        assert_eq!(
            fx.store
                .list_cases(&officer, &CaseFilter::default(), PageRequest::default())
                .unwrap()
                .total,
            20
        );
    }

    #[test]
    fn cli_entries_have_exactly_the_contract_fields() {
        let (fx, supervisor) = populated();
        let entries = fx
            .store
            .list_case_entries(&supervisor, &CaseFilter::default())
            .unwrap();
        assert_eq!(entries.len(), 30);
        let json = serde_json::to_value(&entries).unwrap();
        let first = json[0].as_object().unwrap();
        let mut keys: Vec<&str> = first.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["case_id", "opened", "status", "verdict"]);
        assert_eq!(first["opened"], "2026-02-13T00:00:00Z");
        assert_eq!(first["status"], "draft");
        assert_eq!(first["verdict"], "review");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn random_filter_text_never_fails(search in ".{0,30}", state in "\\PC{0,8}", officer in "\\PC{0,8}") {
            let fx = Fixture::new();
            let supervisor = fx.login("supervisor");
            let filter = CaseFilter { search: Some(search), issuing_state: Some(state), officer: Some(officer), ..Default::default() };
            let result = fx.store.list_cases(&supervisor, &filter, PageRequest { offset: u64::MAX, limit: u64::MAX });
            prop_assert!(result.is_ok(), "{:?}", result.err());
        }
    }
}
