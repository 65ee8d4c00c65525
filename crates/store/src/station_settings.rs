//! The station's administrator settings that are policy rather than secret, kept in the
//! store so that only an administrator changes them and every change is audited, yet
//! readable without the station passphrase (a scanner hot folder is watched by a CLI
//! process that never unlocks the store). The first is the scanner hot folder.

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::audit::AuditAction;
use crate::error::{StoreError, StoreResult};
use crate::roles::{Permission, Session};
use crate::store::Store;

/// Name of the hot folder's row in `station_settings`.
const HOT_FOLDER: &str = "hot_folder";

/// Where a document scanner writes its images and how it names them, as the administrator
/// set it. Kept as plain text: the program that watches the folder parses and validates
/// the naming rule and the action (the store only keeps and audits them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HotFolderSetting {
    /// The folder the scanner writes into.
    pub folder: String,
    /// The naming rule: a preset's name or a pattern with `{stem}`, `{light}` and `{side}`.
    pub pattern: String,
    /// What happens to a set's files once inspected: `keep` or `move:DIR`.
    pub after: String,
    /// Whether sets already in the folder when watching starts are inspected too.
    #[serde(default)]
    pub process_existing: bool,
}

impl HotFolderSetting {
    /// One line for the audit log and the CLI (paths and a pattern, no personal data).
    pub fn describe(&self) -> String {
        format!(
            "folder {}, pattern {}, after {}{}",
            self.folder,
            self.pattern,
            self.after,
            if self.process_existing {
                ", sets present at start inspected"
            } else {
                ""
            }
        )
    }
}

impl Store {
    /// The hot folder as the administrator set it, read without the station passphrase;
    /// `None` when `data_dir` holds no store or no hot folder was set.
    pub fn hot_folder_in(data_dir: &std::path::Path) -> StoreResult<Option<HotFolderSetting>> {
        let path = crate::store::database_path(data_dir);
        if !path.is_file() {
            return Ok(None);
        }
        match crate::schema::station_setting_read_only(&path, HOT_FOLDER)? {
            Some(text) => parse_setting(&text).map(Some),
            None => Ok(None),
        }
    }

    /// The hot folder of this (open) store, `None` when none was set.
    pub fn hot_folder(&self) -> StoreResult<Option<HotFolderSetting>> {
        let text: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM station_settings WHERE name = ?1",
                [HOT_FOLDER],
                |r| r.get(0),
            )
            .optional()
            .map_err(self.db_err("reading the hot folder setting"))?;
        text.as_deref().map(parse_setting).transpose()
    }

    /// Sets (or, with `None`, removes) the hot folder. Administrators only; audited with
    /// the folder, the rule and the action.
    pub fn set_hot_folder(
        &self,
        session: &Session,
        setting: Option<&HotFolderSetting>,
    ) -> StoreResult<()> {
        session.require(Permission::ManageStation)?;
        let tx = self.write_tx("starting a station setting change")?;
        let detail = match setting {
            Some(setting) => {
                if setting.folder.trim().is_empty() || setting.pattern.trim().is_empty() {
                    return Err(StoreError::InvalidArgument(
                        "the hot folder needs a folder and a naming rule".into(),
                    ));
                }
                let value = serde_json::to_string(setting).map_err(|e| {
                    StoreError::InvalidArgument(format!("the hot folder setting: {e}"))
                })?;
                tx.execute(
                    "INSERT INTO station_settings (name, value, changed_by, changed_at) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT(name) DO UPDATE SET value = ?2, changed_by = ?3, changed_at = ?4",
                    params![HOT_FOLDER, value, session.username(), self.now()],
                )
                .map_err(self.db_err("setting the hot folder"))?;
                format!("hot folder set: {}", setting.describe())
            }
            None => {
                tx.execute("DELETE FROM station_settings WHERE name = ?1", [HOT_FOLDER])
                    .map_err(self.db_err("removing the hot folder"))?;
                "hot folder removed".to_string()
            }
        };
        Store::append_audit_on(
            &tx,
            self.now(),
            session,
            AuditAction::StationConfig,
            None,
            &detail,
        )
        .map_err(self.db_err("writing the audit log"))?;
        tx.commit()
            .map_err(self.db_err("committing a station setting change"))
    }
}

fn parse_setting(text: &str) -> StoreResult<HotFolderSetting> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::Corrupt(format!("the hot folder setting is unreadable: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    fn setting() -> HotFolderSetting {
        HotFolderSetting {
            folder: "/srv/scans".into(),
            pattern: "{stem}_{light:W|UV|IR}.jpg".into(),
            after: "keep".into(),
            process_existing: false,
        }
    }

    #[test]
    fn hot_folder_is_admin_only_audited_and_readable_without_the_passphrase() {
        let fx = Fixture::new();
        assert_eq!(Store::hot_folder_in(fx.path()).unwrap(), None);
        let officer = fx.login("officer");
        assert!(matches!(
            fx.store.set_hot_folder(&officer, Some(&setting())),
            Err(StoreError::PermissionDenied { .. })
        ));
        let admin = fx.login("admin");
        fx.store.set_hot_folder(&admin, Some(&setting())).unwrap();
        assert_eq!(fx.store.hot_folder().unwrap(), Some(setting()));
        assert_eq!(Store::hot_folder_in(fx.path()).unwrap(), Some(setting()));
        let moved = HotFolderSetting {
            after: "move:/srv/done".into(),
            ..setting()
        };
        fx.store.set_hot_folder(&admin, Some(&moved)).unwrap();
        assert_eq!(Store::hot_folder_in(fx.path()).unwrap(), Some(moved));
        let empty = HotFolderSetting {
            folder: " ".into(),
            ..setting()
        };
        assert!(fx.store.set_hot_folder(&admin, Some(&empty)).is_err());
        fx.store.set_hot_folder(&admin, None).unwrap();
        assert_eq!(Store::hot_folder_in(fx.path()).unwrap(), None);

        let auditor = fx.login("auditor");
        let entries = fx.store.audit_entries(&auditor, 0, 1000).unwrap();
        let changes: Vec<&str> = entries
            .iter()
            .filter(|e| e.action == "station_config")
            .map(|e| e.detail.as_str())
            .collect();
        assert_eq!(changes.len(), 3, "{changes:?}");
        assert!(changes[1].contains("move:/srv/done"), "{changes:?}");
        assert_eq!(changes[2], "hot folder removed");
        assert_eq!(
            Store::hot_folder_in(&fx.path().join("nothing")).unwrap(),
            None
        );
    }
}
