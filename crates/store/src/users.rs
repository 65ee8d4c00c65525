//! Users: Argon2id password hashes, first-run administrator, login with lockout and backoff.
//!
//! Lockout: after [`LOCKOUT_THRESHOLD`] consecutive failures the account is locked for
//! 30 s, doubling with every further failure up to one hour. A successful login resets
//! the counter; an administrator can unlock an account at once.

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::audit::AuditAction;
use crate::crypto::{KEY_LEN, KdfParams, constant_time_eq, random_bytes};
use crate::error::{StoreError, StoreResult};
use crate::roles::{Permission, Role, Session};
use crate::store::{Store, check_password_policy};
use crate::time::format_utc;

/// Consecutive failed logins allowed before the account locks.
pub const LOCKOUT_THRESHOLD: i64 = 5;
/// First lock duration in seconds; doubles with each further failure.
pub const LOCKOUT_BASE_SECONDS: i64 = 30;
/// Longest lock in seconds.
pub const LOCKOUT_MAX_SECONDS: i64 = 3600;

/// A user as administrators see it (no secrets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    /// Login name.
    pub username: String,
    /// Role.
    pub role: Role,
    /// False once disabled.
    pub active: bool,
    /// Consecutive failed logins.
    pub failed_logins: i64,
    /// ISO 8601 UTC end of the current lock, if locked.
    pub locked_until: Option<String>,
    /// ISO 8601 UTC time of the newest login, from the audit log; `None` if never.
    #[serde(default)]
    pub last_login: Option<String>,
}

/// Lock duration after `failures` consecutive failures (0 below the threshold).
pub fn lockout_seconds(failures: i64) -> i64 {
    if failures < LOCKOUT_THRESHOLD {
        return 0;
    }
    let doublings = u32::try_from(failures - LOCKOUT_THRESHOLD)
        .unwrap_or(u32::MAX)
        .min(20);
    (LOCKOUT_BASE_SECONDS << doublings).min(LOCKOUT_MAX_SECONDS)
}

/// Stored password verifier.
struct PasswordRecord {
    salt: Vec<u8>,
    hash: Vec<u8>,
    kdf: KdfParams,
}

fn hash_password(password: &str, kdf: KdfParams) -> StoreResult<PasswordRecord> {
    let salt: [u8; 16] = random_bytes()?;
    let hash = kdf.derive(password.as_bytes(), &salt)?;
    Ok(PasswordRecord {
        salt: salt.to_vec(),
        hash: hash.to_vec(),
        kdf,
    })
}

fn password_matches(password: &str, record: &PasswordRecord) -> StoreResult<bool> {
    let candidate: [u8; KEY_LEN] = record.kdf.derive(password.as_bytes(), &record.salt)?;
    Ok(constant_time_eq(&candidate, &record.hash))
}

/// Row of a user needed at login.
struct LoginRow {
    id: i64,
    role: String,
    record: PasswordRecord,
    failed: i64,
    locked_until: i64,
    active: bool,
}

impl Store {
    /// Whether any user exists (the UI shows first-run administrator creation when not).
    pub fn has_users(&self) -> StoreResult<bool> {
        let count: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))
            .map_err(self.db_err("counting users"))?;
        Ok(count > 0)
    }

    /// First run: creates the first administrator. Allowed only while no user exists,
    /// and only to whoever unlocked the station (the station passphrase was just given).
    pub fn create_first_admin(&self, username: &str, password: &str) -> StoreResult<()> {
        if self.has_users()? {
            return Err(StoreError::UsersAlreadyExist);
        }
        let station = self.station_session();
        self.insert_user(&station, username, password, Role::Admin)
    }

    /// Creates a user (administrators only).
    pub fn create_user(
        &self,
        session: &Session,
        username: &str,
        password: &str,
        role: Role,
    ) -> StoreResult<()> {
        session.require(Permission::ManageUsers)?;
        self.insert_user(session, username, password, role)
    }

    fn insert_user(
        &self,
        session: &Session,
        username: &str,
        password: &str,
        role: Role,
    ) -> StoreResult<()> {
        let username = username.trim();
        if username.is_empty()
            || username.chars().count() > 64
            || username.chars().any(char::is_control)
        {
            return Err(StoreError::InvalidArgument(
                "user names are 1 to 64 printable characters".into(),
            ));
        }
        check_password_policy(password)?;
        let record = hash_password(password, self.options.user_kdf)?;
        let now = self.now();
        let tx = self.write_tx("starting to create a user")?;
        let exists: Option<i64> = tx
            .query_row(
                "SELECT id FROM users WHERE username = ?1",
                [username],
                |r| r.get(0),
            )
            .optional()
            .map_err(self.db_err("looking up a user"))?;
        if exists.is_some() {
            return Err(StoreError::UserExists(username.to_string()));
        }
        tx.execute(
            "INSERT INTO users (username, role, password_salt, password_hash, kdf_memory_kib, kdf_iterations, kdf_lanes, created)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![username, role.as_str(), record.salt, record.hash, record.kdf.memory_kib, record.kdf.iterations, record.kdf.lanes, now],
        )
        .map_err(self.db_err("creating a user"))?;
        Store::append_audit_on(
            &tx,
            now,
            session,
            AuditAction::UserAdmin,
            None,
            &format!("created user {username} as {}", role.as_str()),
        )
        .map_err(self.db_err("writing the audit log"))?;
        tx.commit().map_err(self.db_err("committing a new user"))
    }

    fn login_row(&self, username: &str) -> StoreResult<Option<LoginRow>> {
        self.conn
            .query_row(
                "SELECT id, role, password_salt, password_hash, kdf_memory_kib, kdf_iterations, kdf_lanes,
                        failed_logins, locked_until, active FROM users WHERE username = ?1",
                [username],
                |r| {
                    Ok(LoginRow {
                        id: r.get(0)?,
                        role: r.get(1)?,
                        record: PasswordRecord {
                            salt: r.get(2)?,
                            hash: r.get(3)?,
                            kdf: KdfParams { memory_kib: r.get(4)?, iterations: r.get(5)?, lanes: r.get(6)? },
                        },
                        failed: r.get(7)?,
                        locked_until: r.get(8)?,
                        active: r.get::<_, i64>(9)? != 0,
                    })
                },
            )
            .optional()
            .map_err(self.db_err("looking up a user"))
    }

    /// Logs a user in. Wrong passwords count towards the lockout; every attempt is audited
    /// (unknown user names are logged as `unknown-user`, since people type passwords there).
    pub fn login(&self, username: &str, password: &str) -> StoreResult<Session> {
        let now = self.now();
        let unknown = Session {
            user_id: None,
            username: "unknown-user".to_string(),
            role: Some(Role::Trainer),
        };
        let Some(row) = self.login_row(username.trim())? else {
            // Spend the same effort as a real check so timing does not reveal user names.
            let _ = hash_password(password, self.options.user_kdf);
            self.append_audit(&unknown, AuditAction::LoginFailed, None, "unknown user")?;
            return Err(StoreError::InvalidCredentials);
        };
        let role = Role::parse(&row.role)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown role {}", row.role)))?;
        let session = Session {
            user_id: Some(row.id),
            username: username.trim().to_string(),
            role: Some(role),
        };
        if !row.active {
            self.append_audit(&session, AuditAction::LoginFailed, None, "account disabled")?;
            return Err(StoreError::AccountDisabled);
        }
        if row.locked_until > now {
            self.append_audit(&session, AuditAction::LoginFailed, None, "account locked")?;
            return Err(StoreError::AccountLocked {
                until: row.locked_until,
                until_utc: format_utc(row.locked_until),
            });
        }
        if password_matches(password, &row.record)? {
            let tx = self.write_tx("starting a login")?;
            tx.execute(
                "UPDATE users SET failed_logins = 0, locked_until = 0 WHERE id = ?1",
                [row.id],
            )
            .map_err(self.db_err("recording a login"))?;
            Store::append_audit_on(&tx, now, &session, AuditAction::Login, None, "")
                .map_err(self.db_err("writing the audit log"))?;
            tx.commit().map_err(self.db_err("committing a login"))?;
            Ok(session)
        } else {
            let failed = row.failed + 1;
            let lock = lockout_seconds(failed);
            let locked_until = if lock > 0 { now + lock } else { 0 };
            let tx = self.write_tx("starting a failed login")?;
            tx.execute(
                "UPDATE users SET failed_logins = ?1, locked_until = ?2 WHERE id = ?3",
                params![failed, locked_until, row.id],
            )
            .map_err(self.db_err("recording a failed login"))?;
            let detail = if lock > 0 {
                format!("wrong password ({failed} in a row), locked for {lock} s")
            } else {
                format!("wrong password ({failed} in a row)")
            };
            Store::append_audit_on(&tx, now, &session, AuditAction::LoginFailed, None, &detail)
                .map_err(self.db_err("writing the audit log"))?;
            tx.commit()
                .map_err(self.db_err("committing a failed login"))?;
            Err(StoreError::InvalidCredentials)
        }
    }

    /// Records a logout in the audit log.
    pub fn logout(&self, session: Session) -> StoreResult<()> {
        self.append_audit(&session, AuditAction::Logout, None, "")
    }

    /// Changes one's own password (the old one must be given).
    pub fn change_password(
        &self,
        session: &Session,
        old_password: &str,
        new_password: &str,
    ) -> StoreResult<()> {
        let Some(user_id) = session.user_id else {
            return Err(StoreError::InvalidArgument(
                "the station session has no password; change the station passphrase instead".into(),
            ));
        };
        check_password_policy(new_password)?;
        let row = self
            .login_row(session.username())?
            .ok_or_else(|| StoreError::UnknownUser(session.username().to_string()))?;
        if row.id != user_id || !password_matches(old_password, &row.record)? {
            return Err(StoreError::InvalidCredentials);
        }
        self.write_password(session, user_id, new_password, "changed own password")
    }

    /// Sets a new password for another user (administrators only), e.g. when forgotten.
    pub fn reset_password(
        &self,
        session: &Session,
        username: &str,
        new_password: &str,
    ) -> StoreResult<()> {
        session.require(Permission::ManageUsers)?;
        check_password_policy(new_password)?;
        let row = self
            .login_row(username)?
            .ok_or_else(|| StoreError::UnknownUser(username.to_string()))?;
        self.write_password(
            session,
            row.id,
            new_password,
            &format!("reset password of {username}"),
        )
    }

    fn write_password(
        &self,
        session: &Session,
        user_id: i64,
        password: &str,
        detail: &str,
    ) -> StoreResult<()> {
        let record = hash_password(password, self.options.user_kdf)?;
        let tx = self.write_tx("starting a password change")?;
        tx.execute(
            "UPDATE users SET password_salt = ?1, password_hash = ?2, kdf_memory_kib = ?3, kdf_iterations = ?4, kdf_lanes = ?5,
                              failed_logins = 0, locked_until = 0 WHERE id = ?6",
            params![record.salt, record.hash, record.kdf.memory_kib, record.kdf.iterations, record.kdf.lanes, user_id],
        )
        .map_err(self.db_err("changing a password"))?;
        Store::append_audit_on(
            &tx,
            self.now(),
            session,
            AuditAction::UserAdmin,
            None,
            detail,
        )
        .map_err(self.db_err("writing the audit log"))?;
        tx.commit()
            .map_err(self.db_err("committing a password change"))
    }

    /// Changes a user's role, unlocks or disables the account (administrators only).
    pub fn update_user(
        &self,
        session: &Session,
        username: &str,
        role: Option<Role>,
        active: Option<bool>,
        unlock: bool,
    ) -> StoreResult<()> {
        session.require(Permission::ManageUsers)?;
        let row = self
            .login_row(username)?
            .ok_or_else(|| StoreError::UnknownUser(username.to_string()))?;
        let removes_an_admin = row.active
            && row.role == Role::Admin.as_str()
            && (active == Some(false) || role.is_some_and(|r| r != Role::Admin));
        if removes_an_admin && self.active_admins()? <= 1 {
            return Err(StoreError::InvalidArgument(format!(
                "{username} is the last active administrator: make another administrator first"
            )));
        }
        let tx = self.write_tx("starting a user change")?;
        let mut changes = Vec::new();
        if let Some(role) = role {
            tx.execute(
                "UPDATE users SET role = ?1 WHERE id = ?2",
                params![role.as_str(), row.id],
            )
            .map_err(self.db_err("changing a role"))?;
            changes.push(format!("role {}", role.as_str()));
        }
        if let Some(active) = active {
            tx.execute(
                "UPDATE users SET active = ?1 WHERE id = ?2",
                params![i64::from(active), row.id],
            )
            .map_err(self.db_err("changing a user"))?;
            changes.push(if active {
                "enabled".to_string()
            } else {
                "disabled".to_string()
            });
        }
        if unlock {
            tx.execute(
                "UPDATE users SET failed_logins = 0, locked_until = 0 WHERE id = ?1",
                [row.id],
            )
            .map_err(self.db_err("unlocking a user"))?;
            changes.push("unlocked".to_string());
        }
        Store::append_audit_on(
            &tx,
            self.now(),
            session,
            AuditAction::UserAdmin,
            None,
            &format!("{username}: {}", changes.join(", ")),
        )
        .map_err(self.db_err("writing the audit log"))?;
        tx.commit().map_err(self.db_err("committing a user change"))
    }

    fn active_admins(&self) -> StoreResult<i64> {
        self.conn
            .query_row(
                "SELECT COUNT(*) FROM users WHERE role = ?1 AND active = 1",
                [Role::Admin.as_str()],
                |r| r.get(0),
            )
            .map_err(self.db_err("counting administrators"))
    }

    /// Lists users (administrators only).
    pub fn list_users(&self, session: &Session) -> StoreResult<Vec<UserInfo>> {
        session.require(Permission::ManageUsers)?;
        let now = self.now();
        let mut stmt = self
            .conn
            .prepare("SELECT username, role, active, failed_logins, locked_until FROM users ORDER BY username")
            .map_err(self.db_err("listing users"))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            })
            .map_err(self.db_err("listing users"))?;
        let mut users = Vec::new();
        for row in rows {
            let (username, role, active, failed_logins, locked_until) =
                row.map_err(self.db_err("listing users"))?;
            let role = Role::parse(&role)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown role {role}")))?;
            let locked_until = (locked_until > now).then(|| format_utc(locked_until));
            let last_login = self.last_login_of(&username)?;
            users.push(UserInfo {
                last_login,
                username,
                role,
                active: active != 0,
                failed_logins,
                locked_until,
            });
        }
        Ok(users)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn first_admin_only_once_and_login() {
        let fx = Fixture::new();
        assert!(matches!(
            fx.store.create_first_admin("admin2", TEST_PASSWORD),
            Err(StoreError::UsersAlreadyExist)
        ));
        let session = fx.login("officer");
        assert_eq!(session.role(), Some(Role::Officer));
        assert_eq!(session.username(), "officer");
        assert!(matches!(
            fx.store.login("officer", "TEST-ONLY wrong!!"),
            Err(StoreError::InvalidCredentials)
        ));
        assert!(matches!(
            fx.store.login("nobody", TEST_PASSWORD),
            Err(StoreError::InvalidCredentials)
        ));
        let admin = fx.login("admin");
        assert!(matches!(
            fx.store
                .create_user(&admin, "officer", TEST_PASSWORD, Role::Officer),
            Err(StoreError::UserExists(_))
        ));
        assert!(matches!(
            fx.store.create_user(&admin, "weak", "short", Role::Officer),
            Err(StoreError::WeakPassword(_))
        ));
    }

    #[test]
    fn lockout_with_backoff_and_admin_unlock() {
        let fx = Fixture::new();
        for _ in 0..LOCKOUT_THRESHOLD {
            assert!(matches!(
                fx.store.login("officer", "TEST-ONLY wrong!!"),
                Err(StoreError::InvalidCredentials)
            ));
        }
        // Locked now: even the right password is refused.
        assert!(matches!(
            fx.store.login("officer", TEST_PASSWORD),
            Err(StoreError::AccountLocked { .. })
        ));
        fx.advance(LOCKOUT_BASE_SECONDS + 1);
        // One more failure doubles the lock.
        assert!(fx.store.login("officer", "TEST-ONLY wrong!!").is_err());
        match fx.store.login("officer", TEST_PASSWORD) {
            Err(StoreError::AccountLocked { until, .. }) => {
                assert_eq!(until - fx.now(), 2 * LOCKOUT_BASE_SECONDS)
            }
            other => panic!("expected a lock, got {other:?}"),
        }
        let admin = fx.login("admin");
        let listed = fx.store.list_users(&admin).unwrap();
        assert!(
            listed.iter().any(|u| u.username == "officer"
                && u.locked_until.is_some()
                && u.failed_logins == 6)
        );
        fx.store
            .update_user(&admin, "officer", None, None, true)
            .unwrap();
        fx.login("officer");
        assert_eq!(lockout_seconds(4), 0);
        assert_eq!(lockout_seconds(5), 30);
        assert_eq!(lockout_seconds(7), 120);
        assert_eq!(lockout_seconds(100), LOCKOUT_MAX_SECONDS);
    }

    #[test]
    fn password_change_and_disable() {
        let fx = Fixture::new();
        let officer = fx.login("officer");
        assert!(matches!(
            fx.store
                .change_password(&officer, "TEST-ONLY wrong!!", "TEST-ONLY new password"),
            Err(StoreError::InvalidCredentials)
        ));
        fx.store
            .change_password(&officer, TEST_PASSWORD, "TEST-ONLY new password")
            .unwrap();
        assert!(fx.store.login("officer", TEST_PASSWORD).is_err());
        fx.store.login("officer", "TEST-ONLY new password").unwrap();
        let admin = fx.login("admin");
        fx.store
            .update_user(&admin, "officer", None, Some(false), false)
            .unwrap();
        assert!(matches!(
            fx.store.login("officer", "TEST-ONLY new password"),
            Err(StoreError::AccountDisabled)
        ));
        fx.store
            .reset_password(&admin, "expert", "TEST-ONLY reset password")
            .unwrap();
        // The station never loses its last administrator.
        for (role, active) in [(Some(Role::Officer), None), (None, Some(false))] {
            assert!(matches!(
                fx.store.update_user(&admin, "admin", role, active, false),
                Err(StoreError::InvalidArgument(_))
            ));
        }
        fx.store
            .update_user(&admin, "officer", Some(Role::Admin), Some(true), false)
            .unwrap();
        fx.store
            .update_user(&admin, "admin", None, Some(false), false)
            .unwrap();
        fx.store
            .login("expert", "TEST-ONLY reset password")
            .unwrap();
    }

    #[test]
    fn login_attempts_are_audited_without_typed_secrets() {
        let fx = Fixture::new();
        let _ = fx
            .store
            .login("TEST-ONLY-typed-password-in-user-field", TEST_PASSWORD);
        let _ = fx.store.login("officer", "TEST-ONLY wrong!!");
        let auditor = fx.login("auditor");
        let entries = fx.store.audit_entries(&auditor, 0, 1000).unwrap();
        assert!(
            entries
                .iter()
                .any(|e| e.action == "login_failed" && e.actor == "unknown-user")
        );
        assert!(
            entries
                .iter()
                .any(|e| e.action == "login_failed" && e.actor == "officer")
        );
        assert!(
            entries
                .iter()
                .any(|e| e.action == "login" && e.actor == "auditor")
        );
        assert!(!fx.files_contain(b"TEST-ONLY-typed-password"));
    }
}
