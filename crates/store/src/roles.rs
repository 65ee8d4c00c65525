//! Roles, sessions and the permission table.
//!
//! Every store call takes a [`Session`]; sessions are only made by [`crate::Store::login`]
//! (a user) or [`crate::Store::station_session`] (the holder of the station passphrase,
//! for scripted CLI use). Permissions are checked here, in the library, so no shell can
//! forget them.

use serde::{Deserialize, Serialize};

use crate::error::StoreError;

/// A user's role, as DESIGN.md describes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Inspects documents, records verdicts, saves and submits own cases.
    Officer,
    /// As Officer, plus reopens any case, annotates, changes classifications, reviews.
    Expert,
    /// Practice sessions on fixtures only: no access to real cases.
    Trainer,
    /// Reviews cases, exports anonymised metadata.
    Supervisor,
    /// Reads and verifies the audit log.
    Auditor,
    /// Users, retention, backup and restore (no access to case contents).
    Admin,
}

impl Role {
    /// All roles in display order.
    pub const ALL: [Role; 6] = [
        Role::Officer,
        Role::Expert,
        Role::Trainer,
        Role::Supervisor,
        Role::Auditor,
        Role::Admin,
    ];

    /// Stable snake_case name (stored in the database).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::Expert => "expert",
            Role::Trainer => "trainer",
            Role::Supervisor => "supervisor",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
        }
    }

    /// Parses the stable name.
    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == name)
    }
}

/// What a session may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Create a case and edit one's own drafts.
    CreateCase,
    /// See and open one's own cases.
    ViewOwnCases,
    /// See and open every case.
    ViewAllCases,
    /// Change any case in any status (reopen, annotate, reclassify).
    EditAnyCase,
    /// Add a note to any case (review remarks).
    AnnotateAnyCase,
    /// Move a submitted case to reviewed.
    ReviewCase,
    /// Delete a case.
    DeleteCase,
    /// Read the non-personal metadata for an anonymised export.
    ExportMetadata,
    /// Read and verify the audit log.
    ReadAudit,
    /// Create users, change roles, unlock and disable accounts.
    ManageUsers,
    /// Configure retention and purge expired cases.
    ManageRetention,
    /// Make and restore backups.
    Backup,
    /// Set the export policy (the smallest k).
    ManageExportPolicy,
    /// Trust publishers' keys, import the SLTD hotlist, configure the online SLTD service.
    ManageTrust,
    /// Ask the online SLTD service about a document.
    QuerySltdOnline,
    /// Change the station's settings (the scanner hot folder …).
    ManageStation,
    /// Run a training session and see one's own results (every logged-in user).
    RunTraining,
    /// See every trainee's training results (the trainer view).
    ViewAllTrainingResults,
    /// Build and sign training sessions with the station key.
    CreateTrainingSession,
}

impl Permission {
    /// Words for the error message.
    pub fn describe(self) -> &'static str {
        match self {
            Permission::CreateCase => "create or edit cases",
            Permission::ViewOwnCases => "view cases",
            Permission::ViewAllCases => "view other officers' cases",
            Permission::EditAnyCase => "edit other officers' or submitted cases",
            Permission::AnnotateAnyCase => "annotate cases",
            Permission::ReviewCase => "review cases",
            Permission::DeleteCase => "delete cases",
            Permission::ExportMetadata => "export case metadata",
            Permission::ReadAudit => "read the audit log",
            Permission::ManageUsers => "manage users",
            Permission::ManageRetention => "manage retention",
            Permission::Backup => "back up or restore the store",
            Permission::ManageExportPolicy => "set the export policy",
            Permission::ManageTrust => "manage trusted keys and the SLTD hotlist",
            Permission::QuerySltdOnline => "query the online SLTD service",
            Permission::ManageStation => "change the station's settings",
            Permission::RunTraining => "run training sessions",
            Permission::ViewAllTrainingResults => "see other trainees' training results",
            Permission::CreateTrainingSession => "create and sign training sessions",
        }
    }

    /// Whether a role has this permission.
    pub fn granted_to(self, role: Role) -> bool {
        use Permission as P;
        use Role as R;
        match self {
            P::CreateCase | P::ViewOwnCases => matches!(role, R::Officer | R::Expert),
            P::ViewAllCases | P::AnnotateAnyCase | P::ReviewCase => {
                matches!(role, R::Expert | R::Supervisor)
            }
            P::EditAnyCase => role == R::Expert,
            P::ExportMetadata => role == R::Supervisor,
            P::QuerySltdOnline => matches!(role, R::Officer | R::Expert | R::Supervisor),
            P::ReadAudit => role == R::Auditor,
            P::DeleteCase
            | P::ManageUsers
            | P::ManageRetention
            | P::Backup
            | P::ManageExportPolicy
            | P::ManageTrust
            | P::ManageStation => role == R::Admin,
            P::RunTraining => true,
            P::ViewAllTrainingResults => matches!(role, R::Trainer | R::Supervisor),
            P::CreateTrainingSession => role == R::Trainer,
        }
    }
}

/// Who is calling the store. Made only by login; cannot be built outside this crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub(crate) user_id: Option<i64>,
    pub(crate) username: String,
    pub(crate) role: Option<Role>,
}

impl Session {
    /// The logged-in user's name (`station` for the station-passphrase session).
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The user's role; `None` for the station-passphrase session, which may do everything.
    pub fn role(&self) -> Option<Role> {
        self.role
    }

    /// Whether this session holds a permission (the UI uses it to hide buttons).
    pub fn may(&self, permission: Permission) -> bool {
        match self.role {
            Some(role) => permission.granted_to(role),
            None => true,
        }
    }

    /// Fails with `PermissionDenied` unless the session holds the permission.
    pub(crate) fn require(&self, permission: Permission) -> Result<(), StoreError> {
        if self.may(permission) {
            Ok(())
        } else {
            Err(self.denied(permission))
        }
    }

    /// The `PermissionDenied` error for this session.
    pub(crate) fn denied(&self, permission: Permission) -> StoreError {
        StoreError::PermissionDenied {
            role: self.role.map_or("station", Role::as_str).to_string(),
            action: permission.describe(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
            assert_eq!(
                serde_json::to_string(&role).unwrap(),
                format!("\"{}\"", role.as_str())
            );
        }
    }

    #[test]
    fn trainer_has_no_case_access() {
        for p in [
            Permission::CreateCase,
            Permission::ViewOwnCases,
            Permission::ViewAllCases,
            Permission::ExportMetadata,
        ] {
            assert!(!p.granted_to(Role::Trainer));
        }
    }

    /// Calls the API as every role and checks PermissionDenied exactly where the table says.
    #[test]
    fn api_enforces_roles() {
        use crate::test_support::*;
        use crate::{CaseFilter, PageRequest, StoreError};
        let fx = Fixture::new();
        let other = fx.login("officer2");
        let denied =
            |r: &Result<(), StoreError>| matches!(r, Err(StoreError::PermissionDenied { .. }));
        for role in Role::ALL {
            let session = fx.login(role.as_str());
            let case = fx
                .store
                .create_case(&other, &draft_with("ROLE", "UTO"))
                .unwrap();
            fx.store.submit_case(&other, &case).unwrap();
            let backup = fx.path().join(format!("backup-{}.sqlite", role.as_str()));
            let calls: Vec<(&str, bool, Result<(), StoreError>)> = vec![
                (
                    "create",
                    matches!(role, Role::Officer | Role::Expert),
                    fx.store
                        .create_case(&session, &draft_with("R", "UTO"))
                        .map(drop),
                ),
                (
                    "list",
                    matches!(role, Role::Officer | Role::Expert | Role::Supervisor),
                    fx.store
                        .list_cases(&session, &CaseFilter::default(), PageRequest::default())
                        .map(drop),
                ),
                (
                    "view other",
                    matches!(role, Role::Expert | Role::Supervisor),
                    fx.store.open_case(&session, &case).map(drop),
                ),
                (
                    "edit submitted",
                    role == Role::Expert,
                    fx.store
                        .save_draft(&session, &case, &draft_with("E", "UTO")),
                ),
                (
                    "note",
                    matches!(role, Role::Expert | Role::Supervisor),
                    fx.store.add_note(&session, &case, "remark"),
                ),
                (
                    "review",
                    matches!(role, Role::Expert | Role::Supervisor),
                    fx.store.review_case(&session, &case),
                ),
                (
                    "export",
                    role == Role::Supervisor,
                    fx.store.export_selection(&session, 0, i64::MAX).map(drop),
                ),
                (
                    "audit",
                    role == Role::Auditor,
                    fx.store.verify_audit(&session).map(drop),
                ),
                (
                    "users",
                    role == Role::Admin,
                    fx.store.list_users(&session).map(drop),
                ),
                (
                    "retention",
                    role == Role::Admin,
                    fx.store.set_retention_days(&session, None),
                ),
                (
                    "backup",
                    role == Role::Admin,
                    fx.store.backup(&session, &backup).map(drop),
                ),
                (
                    "delete",
                    role == Role::Admin,
                    fx.store.delete_case(&session, &case, "test"),
                ),
            ];
            for (what, allowed, result) in calls {
                assert_eq!(
                    !denied(&result),
                    allowed,
                    "{} {what}: {result:?}",
                    role.as_str()
                );
                if allowed {
                    assert!(result.is_ok(), "{} {what}: {result:?}", role.as_str());
                }
            }
        }
    }
}
