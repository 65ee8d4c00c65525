//! Retention purge, backup, restore and station passphrase change.

use rusqlite::{Connection, OpenFlags, params};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

use crate::audit::AuditAction;
use crate::crypto::{AAD_STATION_KEY, KdfParams, SealingKey, random_bytes};
use crate::error::{StoreError, StoreResult, classify_sqlite};
use crate::roles::{Permission, Session};
use crate::schema;
use crate::store::{Store, StoreOptions, check_password_policy, database_path, unlock, unlock_raw};
use crate::time::format_utc;

/// Outcome of a retention purge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurgeReport {
    /// Cases destroyed.
    pub purged: u64,
    /// Cases opened before this time (ISO 8601 UTC) were purged; `None` if no period is set.
    pub cutoff: Option<String>,
}

/// Outcome of a backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupReport {
    /// The backup file (still encrypted: it needs the station passphrase to be read).
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
}

impl Store {
    /// The configured retention period in days (`None`: keep cases until deleted).
    pub fn retention_days(&self) -> StoreResult<Option<u32>> {
        self.conn
            .query_row("SELECT retention_days FROM station WHERE id = 1", [], |r| {
                r.get(0)
            })
            .map_err(self.db_err("reading the retention period"))
    }

    /// Sets the retention period (administrators).
    pub fn set_retention_days(&self, session: &Session, days: Option<u32>) -> StoreResult<()> {
        session.require(Permission::ManageRetention)?;
        let tx = self.write_tx("starting a retention change")?;
        tx.execute(
            "UPDATE station SET retention_days = ?1 WHERE id = 1",
            [days],
        )
        .map_err(self.db_err("setting the retention period"))?;
        let detail = days.map_or("keep until deleted".to_string(), |d| format!("{d} days"));
        Store::append_audit_on(
            &tx,
            self.now(),
            session,
            AuditAction::RetentionConfig,
            None,
            &detail,
        )
        .map_err(self.db_err("writing the audit log"))?;
        tx.commit()
            .map_err(self.db_err("committing a retention change"))
    }

    /// Destroys every case opened before now − retention period (keys and sealed rows
    /// overwritten, rows deleted), with one `retention_purge` audit entry per case and one
    /// summary entry, then checkpoints the WAL. Administrators (or the station session at start).
    pub fn purge_expired(&self, session: &Session) -> StoreResult<PurgeReport> {
        session.require(Permission::ManageRetention)?;
        let Some(days) = self.retention_days()? else {
            return Ok(PurgeReport {
                purged: 0,
                cutoff: None,
            });
        };
        let now = self.now();
        let cutoff = now - i64::from(days) * 86_400;
        let tx = self.write_tx("starting a retention purge")?;
        let ids: Vec<String> = {
            let mut stmt = tx
                .prepare("SELECT id FROM cases WHERE opened < ?1")
                .map_err(self.db_err("finding expired cases"))?;
            let rows = stmt
                .query_map([cutoff], |r| r.get(0))
                .map_err(self.db_err("finding expired cases"))?;
            rows.collect::<Result<_, _>>()
                .map_err(self.db_err("finding expired cases"))?
        };
        for id in &ids {
            Store::destroy_case_in(&tx, id).map_err(self.db_err("purging a case"))?;
            Store::append_audit_on(
                &tx,
                now,
                session,
                AuditAction::RetentionPurge,
                Some(id),
                &format!("older than {days} days"),
            )
            .map_err(self.db_err("writing the audit log"))?;
        }
        let detail = format!(
            "purged {} cases opened before {}",
            ids.len(),
            format_utc(cutoff)
        );
        Store::append_audit_on(
            &tx,
            now,
            session,
            AuditAction::RetentionPurge,
            None,
            &detail,
        )
        .map_err(self.db_err("writing the audit log"))?;
        tx.commit()
            .map_err(self.db_err("committing a retention purge"))?;
        self.checkpoint()?;
        Ok(PurgeReport {
            purged: ids.len() as u64,
            cutoff: Some(format_utc(cutoff)),
        })
    }

    /// Writes a consistent copy of the database (SQLite online backup API) to `destination`.
    /// The copy stays encrypted. Administrators only; audited.
    pub fn backup(&self, session: &Session, destination: &Path) -> StoreResult<BackupReport> {
        session.require(Permission::Backup)?;
        if destination.exists() {
            return Err(StoreError::InvalidArgument(format!(
                "{} already exists; choose a new backup file",
                destination.display()
            )));
        }
        self.conn
            .backup("main", destination, None::<fn(rusqlite::backup::Progress)>)
            .map_err(|e| classify_sqlite("writing a backup", destination, e))?;
        let bytes = std::fs::metadata(destination)
            .map_err(|source| StoreError::Io {
                action: "reading the size of",
                path: destination.to_path_buf(),
                source,
            })?
            .len();
        let name = destination
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.append_audit(
            session,
            AuditAction::Backup,
            None,
            &format!("backup {name}, {bytes} bytes"),
        )?;
        Ok(BackupReport {
            path: destination.to_path_buf(),
            bytes,
        })
    }

    /// Replaces the store in `data_dir` (if any) with a backup, after checking that the
    /// backup is sound, not from a newer program, and unlocks with `station_passphrase`.
    /// Returns the opened store; the restore is appended to the restored audit log.
    pub fn restore(
        data_dir: &Path,
        backup: &Path,
        station_passphrase: &str,
        options: StoreOptions,
    ) -> StoreResult<Store> {
        if !backup.is_file() {
            return Err(StoreError::InvalidArgument(format!(
                "no backup file at {}",
                backup.display()
            )));
        }
        let found = schema::read_version_read_only(backup)?;
        if found > schema::CURRENT_SCHEMA_VERSION {
            return Err(StoreError::SchemaTooNew {
                found,
                supported: schema::CURRENT_SCHEMA_VERSION,
            });
        }
        if found == 0 {
            return Err(StoreError::InvalidArgument(format!(
                "{} is not a tdverify case store",
                backup.display()
            )));
        }
        {
            let source = Connection::open_with_flags(backup, OpenFlags::SQLITE_OPEN_READ_ONLY)
                .map_err(|e| classify_sqlite("opening the backup", backup, e))?;
            unlock(&source, backup, station_passphrase)?;
            let check: String = source
                .query_row("PRAGMA integrity_check", [], |r| r.get(0))
                .map_err(|e| classify_sqlite("checking the backup", backup, e))?;
            if check != "ok" {
                return Err(StoreError::Corrupt(format!(
                    "the backup {} is damaged: {check}",
                    backup.display()
                )));
            }
        }
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::Io {
            action: "creating the data directory",
            path: data_dir.to_path_buf(),
            source,
        })?;
        let db_path = database_path(data_dir);
        {
            let mut target = Connection::open(&db_path)
                .map_err(|e| classify_sqlite("opening the database", &db_path, e))?;
            target
                .restore("main", backup, None::<fn(rusqlite::backup::Progress)>)
                .map_err(|e| classify_sqlite("restoring from the backup", &db_path, e))?;
        }
        let store = Store::open(data_dir, station_passphrase, options)?;
        let name = backup
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        store.append_audit(
            &store.station_session(),
            AuditAction::Restore,
            None,
            &format!("restored from {name}"),
        )?;
        Ok(store)
    }

    /// Changes the station passphrase (administrators): the station key is rewrapped under
    /// a key derived with a fresh salt; cases need no re-encryption.
    pub fn change_station_passphrase(
        &self,
        session: &Session,
        old: &str,
        new: &str,
    ) -> StoreResult<()> {
        session.require(Permission::ManageUsers)?;
        check_password_policy(new)?;
        let (station_raw, _) = unlock_raw(&self.conn, &self.db_path, old)?;
        let salt: [u8; 16] = random_bytes()?;
        let kdf: KdfParams = self.options.station_kdf;
        let passphrase_key = SealingKey::new(&kdf.derive(new.as_bytes(), &salt)?)?;
        let wrapped = passphrase_key.wrap_key(AAD_STATION_KEY, &station_raw)?;
        let tx = self.write_tx("starting a passphrase change")?;
        tx.execute(
            "UPDATE station SET kdf_salt = ?1, kdf_memory_kib = ?2, kdf_iterations = ?3, kdf_lanes = ?4, wrapped_station_key = ?5 WHERE id = 1",
            params![salt.as_slice(), kdf.memory_kib, kdf.iterations, kdf.lanes, wrapped],
        )
        .map_err(self.db_err("changing the station passphrase"))?;
        Store::append_audit_on(
            &tx,
            self.now(),
            session,
            AuditAction::UserAdmin,
            None,
            "station passphrase changed",
        )
        .map_err(self.db_err("writing the audit log"))?;
        tx.commit()
            .map_err(self.db_err("committing a passphrase change"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;
    use crate::{CaseFilter, PageRequest};

    #[test]
    fn retention_purges_old_cases_with_audit() {
        let fx = Fixture::new();
        let officer = fx.login("officer");
        let old = fx
            .store
            .create_case(&officer, &draft_with("OLD", "UTO"))
            .unwrap();
        fx.advance(40 * 86_400);
        let recent = fx
            .store
            .create_case(&officer, &draft_with("NEW", "UTO"))
            .unwrap();
        let admin = fx.login("admin");
        assert_eq!(
            fx.store.purge_expired(&admin).unwrap(),
            PurgeReport {
                purged: 0,
                cutoff: None
            }
        );
        fx.store.set_retention_days(&admin, Some(30)).unwrap();
        assert_eq!(fx.store.retention_days().unwrap(), Some(30));
        let report = fx.store.purge_expired(&admin).unwrap();
        assert_eq!(report.purged, 1);
        let supervisor = fx.login("supervisor");
        let left = fx
            .store
            .list_cases(&supervisor, &CaseFilter::default(), PageRequest::default())
            .unwrap();
        assert_eq!(
            left.rows
                .iter()
                .map(|r| r.case_id.as_str())
                .collect::<Vec<_>>(),
            vec![recent.as_str()]
        );
        let auditor = fx.login("auditor");
        let entries = fx.store.audit_entries(&auditor, 0, 1000).unwrap();
        assert!(
            entries.iter().any(
                |e| e.action == "retention_purge" && e.case_id.as_deref() == Some(old.as_str())
            )
        );
        assert!(
            entries
                .iter()
                .any(|e| e.action == "retention_purge" && e.detail.starts_with("purged 1 cases"))
        );
        assert!(fx.store.verify_audit(&auditor).unwrap().intact);
        assert!(!fx.files_contain(b"OLD SURNAME"));
    }

    #[test]
    fn backup_and_restore_round_trip() {
        let fx = Fixture::new();
        let officer = fx.login("officer");
        let kept = fx
            .store
            .create_case(&officer, &draft_with("KEEP", "UTO"))
            .unwrap();
        let admin = fx.login("admin");
        let backup_dir = tempfile::tempdir().unwrap();
        let backup_file = backup_dir.path().join("backup.sqlite");
        let report = fx.store.backup(&admin, &backup_file).unwrap();
        assert!(report.bytes > 0);
        assert!(
            !std::fs::read(&backup_file)
                .unwrap()
                .windows(4)
                .any(|w| w == b"KEEP"),
            "backup stays encrypted"
        );
        assert!(matches!(
            fx.store.backup(&admin, &backup_file),
            Err(StoreError::InvalidArgument(_))
        ));
        // Changes after the backup are undone by the restore.
        let lost = fx
            .store
            .create_case(&officer, &draft_with("LOST", "UTO"))
            .unwrap();
        let path = fx.path().to_path_buf();
        drop(fx.store);
        assert!(matches!(
            Store::restore(
                &path,
                &backup_file,
                "TEST-ONLY wrong passphrase",
                StoreOptions::test_only_fast()
            ),
            Err(StoreError::WrongPassphrase)
        ));
        let store = Store::restore(
            &path,
            &backup_file,
            TEST_PASSPHRASE,
            StoreOptions::test_only_fast(),
        )
        .unwrap();
        let officer = store.login("officer", TEST_PASSWORD).unwrap();
        assert_eq!(
            store.open_case(&officer, &kept).unwrap().inspection["mrz"]["names"],
            "KEEP SURNAME"
        );
        assert!(matches!(
            store.open_case(&officer, &lost),
            Err(StoreError::CaseNotFound(_))
        ));
        let auditor = store.login("auditor", TEST_PASSWORD).unwrap();
        assert!(store.verify_audit(&auditor).unwrap().intact);
        assert!(
            store
                .audit_entries(&auditor, 0, 1000)
                .unwrap()
                .iter()
                .any(|e| e.action == "restore")
        );
        assert!(store.integrity_check().unwrap());

        // Restoring onto a new machine (empty directory) works too.
        let fresh = tempfile::tempdir().unwrap();
        let store = Store::restore(
            fresh.path(),
            &backup_file,
            TEST_PASSPHRASE,
            StoreOptions::test_only_fast(),
        )
        .unwrap();
        assert!(store.has_users().unwrap());
    }

    #[test]
    fn station_passphrase_change() {
        let fx = Fixture::new();
        let admin = fx.login("admin");
        assert!(matches!(
            fx.store.change_station_passphrase(
                &admin,
                "TEST-ONLY wrong passphrase",
                "TEST-ONLY new passphrase"
            ),
            Err(StoreError::WrongPassphrase)
        ));
        fx.store
            .change_station_passphrase(&admin, TEST_PASSPHRASE, "TEST-ONLY new passphrase")
            .unwrap();
        let path = fx.path().to_path_buf();
        drop(fx.store);
        assert!(Store::open(&path, TEST_PASSPHRASE, StoreOptions::test_only_fast()).is_err());
        Store::open(
            &path,
            "TEST-ONLY new passphrase",
            StoreOptions::test_only_fast(),
        )
        .unwrap();
    }
}
