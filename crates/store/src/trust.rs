//! What the station believes and whom it asks: the Ed25519 keys of publishers it trusts
//! (SLTD hotlist publishers, stations whose trend bundles it imports), the hotlist's
//! maximum age and the online SLTD service. Administrators change these, every change is
//! audited, and every online query is audited under a keyed pseudonym of the document
//! (never its number in clear).

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::audit::AuditAction;
use tdverify_core::hex;
use crate::error::{StoreError, StoreResult};
use crate::roles::{Permission, Session};
use crate::store::Store;
use crate::time::format_utc;

/// Sealing context of the online service's access token.
const AAD_SLTD_TOKEN: &[u8] = b"tdverify-store/sltd-online-token/v1";

/// Days a hotlist is used after its as-of date unless an administrator set another limit.
pub const DEFAULT_SLTD_MAX_AGE_DAYS: u32 = 7;

/// What a trusted key may sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyPurpose {
    /// SLTD hotlist bundles (a national central bureau).
    SltdPublisher,
    /// DESC export bundles of another station, for the trends dashboard.
    TrendStation,
    /// Training sessions made by another station's trainers.
    TrainingPublisher,
}

impl KeyPurpose {
    /// Stable name stored in the database and printed by the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyPurpose::SltdPublisher => "sltd_publisher",
            KeyPurpose::TrendStation => "trend_station",
            KeyPurpose::TrainingPublisher => "training_publisher",
        }
    }

    /// Parses [`KeyPurpose::as_str`].
    pub fn parse(name: &str) -> Option<KeyPurpose> {
        [KeyPurpose::SltdPublisher, KeyPurpose::TrendStation, KeyPurpose::TrainingPublisher].into_iter().find(|p| p.as_str() == name)
    }

    /// Words for messages.
    pub fn describe(self) -> &'static str {
        match self {
            KeyPurpose::SltdPublisher => "hotlist publisher",
            KeyPurpose::TrendStation => "reporting station",
            KeyPurpose::TrainingPublisher => "training session publisher",
        }
    }
}

/// One trusted public key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustedKey {
    /// What it may sign.
    pub purpose: KeyPurpose,
    /// The 32-byte Ed25519 public key.
    pub public_key: Vec<u8>,
    /// The administrator's name for it (the NCB, the station).
    pub label: String,
    /// Who trusted it.
    pub added_by: String,
    /// When, ISO 8601 UTC.
    pub added_at: String,
}

impl TrustedKey {
    /// `ed25519:HEX`, as printed and as typed.
    pub fn display_key(&self) -> String {
        format!("ed25519:{}", hex::encode(&self.public_key))
    }
}

/// The online SLTD service an administrator configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SltdOnlineConfig {
    /// `https://…` endpoint.
    pub endpoint: String,
    /// PEM of the one CA the service's certificate must chain to (pinned: the system's
    /// roots are not used).
    pub ca_pem: String,
    /// Access token sent as a bearer token, sealed by the station key at rest.
    pub token: Option<String>,
}

/// What an online query answered, for the audit log (no personal data).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnlineQueryOutcome {
    /// The service reported the document.
    Hit,
    /// The service did not.
    NoHit,
    /// No usable answer (timeout, refused, garbage); the reason is recorded.
    Failed,
}

impl Store {
    /// The hotlist's maximum age in days as the administrator set it, read without the
    /// station passphrase (inspections from the command line honour it too); the default
    /// when `data_dir` holds no store.
    pub fn sltd_max_age_in(data_dir: &std::path::Path) -> u32 {
        let path = crate::store::database_path(data_dir);
        if !path.is_file() {
            return DEFAULT_SLTD_MAX_AGE_DAYS;
        }
        match crate::schema::sltd_max_age_read_only(&path) {
            Ok(Some(days)) => u32::try_from(days).unwrap_or(DEFAULT_SLTD_MAX_AGE_DAYS),
            _ => DEFAULT_SLTD_MAX_AGE_DAYS,
        }
    }

    /// The keys trusted for `purpose`, oldest first. Anyone logged in may read them.
    pub fn trusted_keys(&self, purpose: KeyPurpose) -> StoreResult<Vec<TrustedKey>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT public_key, label, added_by, added_at FROM trusted_keys WHERE purpose = ?1 ORDER BY added_at, public_key",
            )
            .map_err(self.db_err("reading trusted keys"))?;
        let rows = stmt
            .query_map([purpose.as_str()], |r| {
                Ok(TrustedKey {
                    purpose,
                    public_key: r.get(0)?,
                    label: r.get(1)?,
                    added_by: r.get(2)?,
                    added_at: format_utc(r.get(3)?),
                })
            })
            .map_err(self.db_err("reading trusted keys"))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.db_err("reading trusted keys"))
    }

    /// Trusts `public_key` (32 bytes) for `purpose` under `label`. Administrators only;
    /// audited. Trusting a key twice changes nothing (and says so: returns `false`).
    pub fn trust_key(&self, session: &Session, purpose: KeyPurpose, public_key: &[u8], label: &str) -> StoreResult<bool> {
        session.require(Permission::ManageTrust)?;
        if public_key.len() != 32 {
            return Err(StoreError::InvalidArgument("an Ed25519 public key has 32 bytes (64 hex characters)".into()));
        }
        let label: String = label.chars().filter(|c| !c.is_control()).take(200).collect();
        let tx = self.write_tx("starting a trust change")?;
        let added = tx
            .execute(
                "INSERT OR IGNORE INTO trusted_keys (purpose, public_key, label, added_by, added_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![purpose.as_str(), public_key, label.trim(), session.username(), self.now()],
            )
            .map_err(self.db_err("trusting a key"))?
            == 1;
        if added {
            let detail = format!("trusted {} key ed25519:{} ({})", purpose.describe(), hex::encode(public_key), label.trim());
            Store::append_audit_on(&tx, self.now(), session, AuditAction::TrustConfig, None, &detail)
                .map_err(self.db_err("writing the audit log"))?;
        }
        tx.commit().map_err(self.db_err("committing a trust change"))?;
        Ok(added)
    }

    /// Stops trusting a key. Administrators only; audited. `false` when it was not trusted.
    pub fn distrust_key(&self, session: &Session, purpose: KeyPurpose, public_key: &[u8]) -> StoreResult<bool> {
        session.require(Permission::ManageTrust)?;
        let tx = self.write_tx("starting a trust change")?;
        let removed = tx
            .execute(
                "DELETE FROM trusted_keys WHERE purpose = ?1 AND public_key = ?2",
                params![purpose.as_str(), public_key],
            )
            .map_err(self.db_err("removing a trusted key"))?
            == 1;
        if removed {
            let detail = format!("no longer trusts {} key ed25519:{}", purpose.describe(), hex::encode(public_key));
            Store::append_audit_on(&tx, self.now(), session, AuditAction::TrustConfig, None, &detail)
                .map_err(self.db_err("writing the audit log"))?;
        }
        tx.commit().map_err(self.db_err("committing a trust change"))?;
        Ok(removed)
    }

    /// Days after its as-of date the hotlist is still used.
    pub fn sltd_max_age_days(&self) -> StoreResult<u32> {
        let days: i64 = self
            .conn
            .query_row("SELECT sltd_max_age_days FROM station WHERE id = 1", [], |r| r.get(0))
            .map_err(self.db_err("reading the hotlist policy"))?;
        Ok(u32::try_from(days).unwrap_or(DEFAULT_SLTD_MAX_AGE_DAYS))
    }

    /// Sets the hotlist's maximum age (1 to 365 days). Administrators only; audited.
    pub fn set_sltd_max_age_days(&self, session: &Session, days: u32) -> StoreResult<()> {
        session.require(Permission::ManageTrust)?;
        if !(1..=365).contains(&days) {
            return Err(StoreError::InvalidArgument("the hotlist's maximum age is 1 to 365 days".into()));
        }
        let tx = self.write_tx("starting a hotlist policy change")?;
        tx.execute("UPDATE station SET sltd_max_age_days = ?1 WHERE id = 1", [i64::from(days)])
            .map_err(self.db_err("setting the hotlist policy"))?;
        Store::append_audit_on(
            &tx,
            self.now(),
            session,
            AuditAction::SltdConfig,
            None,
            &format!("hotlist maximum age set to {days} days"),
        )
        .map_err(self.db_err("writing the audit log"))?;
        tx.commit().map_err(self.db_err("committing a hotlist policy change"))
    }

    /// Records an import of the hotlist (who, as-of date, entries, publisher). Only
    /// administrators import: the station's copy decides what every officer is told.
    pub fn record_sltd_import(&self, session: &Session, detail: &str) -> StoreResult<()> {
        session.require(Permission::ManageTrust)?;
        self.append_audit(session, AuditAction::SltdImport, None, detail)
    }

    /// Checks, before an import starts, that the session may import.
    pub fn may_import_sltd(&self, session: &Session) -> StoreResult<()> {
        session.require(Permission::ManageTrust)
    }

    /// The online SLTD service, when an administrator configured one.
    pub fn sltd_online(&self) -> StoreResult<Option<SltdOnlineConfig>> {
        let row: Option<(Option<String>, Option<String>, Option<Vec<u8>>)> = self
            .conn
            .query_row(
                "SELECT sltd_online_endpoint, sltd_online_ca, sltd_online_token FROM station WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(self.db_err("reading the online SLTD settings"))?;
        let Some((Some(endpoint), Some(ca_pem), sealed_token)) = row else {
            return Ok(None);
        };
        let token = match sealed_token {
            Some(sealed) => {
                let plain = self.station_key.open(AAD_SLTD_TOKEN, &sealed, "online SLTD token")?;
                Some(String::from_utf8(plain).map_err(|_| StoreError::Corrupt("online SLTD token is not text".into()))?)
            }
            None => None,
        };
        Ok(Some(SltdOnlineConfig { endpoint, ca_pem, token }))
    }

    /// Configures (or, with `None`, removes) the online SLTD service. Administrators
    /// only; audited (the endpoint, never the token).
    pub fn set_sltd_online(&self, session: &Session, config: Option<&SltdOnlineConfig>) -> StoreResult<()> {
        session.require(Permission::ManageTrust)?;
        if let Some(config) = config {
            if !config.endpoint.starts_with("https://") {
                return Err(StoreError::InvalidArgument("the online SLTD endpoint must be an https:// address".into()));
            }
            if !config.ca_pem.contains("-----BEGIN CERTIFICATE-----") {
                return Err(StoreError::InvalidArgument("the pinned CA must be a PEM certificate".into()));
            }
        }
        let sealed_token = match config.and_then(|c| c.token.as_deref()) {
            Some(token) => Some(self.station_key.seal(AAD_SLTD_TOKEN, token.as_bytes())?),
            None => None,
        };
        let tx = self.write_tx("starting an online SLTD change")?;
        tx.execute(
            "UPDATE station SET sltd_online_endpoint = ?1, sltd_online_ca = ?2, sltd_online_token = ?3 WHERE id = 1",
            params![config.map(|c| c.endpoint.as_str()), config.map(|c| c.ca_pem.as_str()), sealed_token],
        )
        .map_err(self.db_err("setting the online SLTD service"))?;
        let detail = match config {
            Some(c) => format!(
                "online SLTD service set to {} ({})",
                c.endpoint,
                if c.token.is_some() { "with a token" } else { "no token" }
            ),
            None => "online SLTD service removed".to_string(),
        };
        Store::append_audit_on(&tx, self.now(), session, AuditAction::SltdConfig, None, &detail)
            .map_err(self.db_err("writing the audit log"))?;
        tx.commit().map_err(self.db_err("committing an online SLTD change"))
    }

    /// Keyed pseudonym of a document for the audit log of online queries: the same
    /// document gives the same pseudonym on this station, and the number cannot be read
    /// back from it without the station key. Its domain differs from the exported
    /// `repeat_document` pseudonym's, so the audit log cannot be joined to an export.
    pub fn sltd_query_pseudonym(&self, doc_type: &str, issuing_state: &str, number: &str) -> String {
        let message = format!("sltd-query\u{1f}{doc_type}\u{1f}{issuing_state}\u{1f}{number}");
        let tag = ring::hmac::sign(&self.hmac_key, message.as_bytes());
        hex::encode(&tag.as_ref()[..12])
    }

    /// Audits one online query (who asked, the document's pseudonym, what came back).
    /// Officers, experts and supervisors ask; the caller audits before showing the answer.
    pub fn record_sltd_query(
        &self,
        session: &Session,
        pseudonym: &str,
        outcome: OnlineQueryOutcome,
        reason: &str,
    ) -> StoreResult<()> {
        session.require(Permission::QuerySltdOnline)?;
        let outcome = match outcome {
            OnlineQueryOutcome::Hit => "possible hit".to_string(),
            OnlineQueryOutcome::NoHit => "no hit".to_string(),
            OnlineQueryOutcome::Failed => format!("no answer: {}", reason.chars().take(200).collect::<String>()),
        };
        self.append_audit(session, AuditAction::SltdQuery, None, &format!("online query, document {pseudonym}: {outcome}"))
    }

    /// Checks, before a query is sent, that the session may ask the online service.
    pub fn may_query_sltd(&self, session: &Session) -> StoreResult<()> {
        session.require(Permission::QuerySltdOnline)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::Fixture;

    #[test]
    fn trust_is_admin_only_idempotent_and_audited() {
        let fixture = Fixture::new();
        let admin = fixture.login("admin");
        let officer = fixture.login("officer");
        let key = [7u8; 32];
        assert!(matches!(
            fixture.store.trust_key(&officer, KeyPurpose::SltdPublisher, &key, "NCB"),
            Err(StoreError::PermissionDenied { .. })
        ));
        assert!(fixture.store.trust_key(&admin, KeyPurpose::SltdPublisher, &key, "TEST-ONLY NCB").unwrap());
        assert!(!fixture.store.trust_key(&admin, KeyPurpose::SltdPublisher, &key, "again").unwrap());
        assert!(fixture.store.trusted_keys(KeyPurpose::TrendStation).unwrap().is_empty());
        let trusted = fixture.store.trusted_keys(KeyPurpose::SltdPublisher).unwrap();
        assert_eq!(trusted.len(), 1);
        assert_eq!(trusted[0].label, "TEST-ONLY NCB");
        assert_eq!(trusted[0].added_by, "admin");
        assert!(fixture.store.distrust_key(&admin, KeyPurpose::SltdPublisher, &key).unwrap());
        assert!(!fixture.store.distrust_key(&admin, KeyPurpose::SltdPublisher, &key).unwrap());
        assert!(fixture.store.trust_key(&admin, KeyPurpose::SltdPublisher, &[1u8; 31], "short").is_err());
        let auditor = fixture.login("auditor");
        let entries = fixture.store.audit_entries(&auditor, 0, 1000).unwrap();
        let trust: Vec<_> = entries.iter().filter(|e| e.action == "trust_config").collect();
        assert_eq!(trust.len(), 2, "one entry per change, none for the no-ops");
        assert!(fixture.store.verify_audit(&auditor).unwrap().intact);
    }

    #[test]
    fn max_age_is_bounded_and_defaults_to_seven() {
        let fixture = Fixture::new();
        let admin = fixture.login("admin");
        assert_eq!(fixture.store.sltd_max_age_days().unwrap(), DEFAULT_SLTD_MAX_AGE_DAYS);
        fixture.store.set_sltd_max_age_days(&admin, 14).unwrap();
        assert_eq!(fixture.store.sltd_max_age_days().unwrap(), 14);
        assert_eq!(Store::sltd_max_age_in(fixture.path()), 14, "read without the passphrase");
        assert_eq!(Store::sltd_max_age_in(&fixture.path().join("nothing")), DEFAULT_SLTD_MAX_AGE_DAYS);
        assert!(fixture.store.set_sltd_max_age_days(&admin, 0).is_err());
        assert!(fixture.store.set_sltd_max_age_days(&fixture.login("officer"), 3).is_err());
    }

    #[test]
    fn online_token_is_sealed_and_queries_are_audited_without_the_number() {
        let fixture = Fixture::new();
        let admin = fixture.login("admin");
        assert!(fixture.store.sltd_online().unwrap().is_none());
        let config = SltdOnlineConfig {
            endpoint: "https://127.0.0.1:9/sltd".into(),
            ca_pem: "-----BEGIN CERTIFICATE-----\nTEST\n-----END CERTIFICATE-----\n".into(),
            token: Some("TEST-ONLY-TOKEN-4821".into()),
        };
        let insecure = SltdOnlineConfig { endpoint: "http://127.0.0.1:9/".into(), ..config.clone() };
        assert!(fixture.store.set_sltd_online(&admin, Some(&insecure)).is_err());
        fixture.store.set_sltd_online(&admin, Some(&config)).unwrap();
        assert_eq!(fixture.store.sltd_online().unwrap(), Some(config));
        let officer = fixture.login("officer");
        let pseudonym = fixture.store.sltd_query_pseudonym("P", "UTO", "L898902C3");
        assert_eq!(pseudonym, fixture.store.sltd_query_pseudonym("P", "UTO", "L898902C3"));
        assert_ne!(pseudonym, fixture.store.sltd_query_pseudonym("P", "UTO", "L898902C4"));
        fixture.store.record_sltd_query(&officer, &pseudonym, OnlineQueryOutcome::Hit, "").unwrap();
        fixture.store.checkpoint().unwrap();
        assert!(!fixture.files_contain(b"L898902C3"));
        assert!(!fixture.files_contain(b"TEST-ONLY-TOKEN-4821"));
        assert!(fixture.store.record_sltd_query(&fixture.login("auditor"), &pseudonym, OnlineQueryOutcome::NoHit, "").is_err());
        fixture.store.set_sltd_online(&admin, None).unwrap();
        assert!(fixture.store.sltd_online().unwrap().is_none());
    }
}
