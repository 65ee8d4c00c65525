//! The store handle: opening, first-run initialisation and station-key unlock.

use rusqlite::{Connection, OptionalExtension};
use std::path::{Path, PathBuf};

use crate::crypto::{AAD_HMAC_KEY, AAD_STATION_KEY, KEY_LEN, KdfParams, SealingKey, random_bytes};
use crate::error::{StoreError, StoreResult, classify_sqlite};
use crate::roles::Session;
use crate::schema;
use crate::time::{Clock, system_clock};

/// File name of the database inside the data directory.
pub const DATABASE_FILE_NAME: &str = "tdverify-cases.sqlite";

/// Minimum length of the station passphrase and of user passwords.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Tunables of a store; the defaults are right for real stations.
#[derive(Clone)]
pub struct StoreOptions {
    /// Argon2id cost for a new station passphrase (stored, so opening uses what was stored).
    pub station_kdf: KdfParams,
    /// Argon2id cost for new user passwords.
    pub user_kdf: KdfParams,
    /// Source of "now" (tests move time for lockout and retention).
    pub clock: Clock,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            station_kdf: KdfParams::STATION,
            user_kdf: KdfParams::USER,
            clock: system_clock(),
        }
    }
}

impl StoreOptions {
    /// TEST-ONLY options: cheap Argon2 so tests and benchmarks run fast.
    pub fn test_only_fast() -> StoreOptions {
        StoreOptions {
            station_kdf: KdfParams::TEST_ONLY_FAST,
            user_kdf: KdfParams::TEST_ONLY_FAST,
            clock: system_clock(),
        }
    }
}

/// An open, unlocked case store. One per process; wrap it in a `Mutex` to share between threads.
pub struct Store {
    pub(crate) conn: Connection,
    pub(crate) db_path: PathBuf,
    pub(crate) station_key: SealingKey,
    pub(crate) hmac_key: ring::hmac::Key,
    pub(crate) options: StoreOptions,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("db_path", &self.db_path)
            .finish_non_exhaustive()
    }
}

/// Path of the database file in a data directory.
pub fn database_path(data_dir: &Path) -> PathBuf {
    data_dir.join(DATABASE_FILE_NAME)
}

/// Rejects passphrases and passwords that are too short to resist guessing.
pub(crate) fn check_password_policy(password: &str) -> StoreResult<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(StoreError::WeakPassword("use at least 10 characters"));
    }
    Ok(())
}

impl Store {
    /// Whether `data_dir` already holds an initialised store (decides first-run screens).
    pub fn exists(data_dir: &Path) -> bool {
        let path = database_path(data_dir);
        // Initialised means the station row exists: a first run interrupted after the
        // migrations but before the keys were stored can simply be initialised again.
        path.is_file() && matches!(schema::has_station_read_only(&path), Ok(true))
    }

    /// First run: creates the data directory and database and sets the station passphrase.
    /// Fails if a store is already there.
    pub fn initialize(
        data_dir: &Path,
        station_passphrase: &str,
        options: StoreOptions,
    ) -> StoreResult<Store> {
        check_password_policy(station_passphrase)?;
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::Io {
            action: "creating the data directory",
            path: data_dir.to_path_buf(),
            source,
        })?;
        if Store::exists(data_dir) {
            return Err(StoreError::AlreadyInitialized(data_dir.to_path_buf()));
        }
        let db_path = database_path(data_dir);
        let mut conn = Connection::open(&db_path)
            .map_err(StoreError::db("creating the database", &db_path))?;
        schema::configure(&conn, &db_path)?;
        let now = (options.clock)();
        schema::migrate(&mut conn, &db_path, now)?;

        let salt: [u8; 16] = random_bytes()?;
        let kdf = options.station_kdf;
        let passphrase_key = SealingKey::new(&kdf.derive(station_passphrase.as_bytes(), &salt)?)?;
        let station_raw: [u8; KEY_LEN] = random_bytes()?;
        let hmac_raw: [u8; KEY_LEN] = random_bytes()?;
        let station_key = SealingKey::new(&station_raw)?;
        let wrapped_station = passphrase_key.wrap_key(AAD_STATION_KEY, &station_raw)?;
        let wrapped_hmac = station_key.wrap_key(AAD_HMAC_KEY, &hmac_raw)?;
        conn.execute(
            "INSERT INTO station (id, created, kdf_salt, kdf_memory_kib, kdf_iterations, kdf_lanes,
                                  wrapped_station_key, wrapped_hmac_key, audit_head_hash)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            rusqlite::params![
                now,
                salt.as_slice(),
                kdf.memory_kib,
                kdf.iterations,
                kdf.lanes,
                wrapped_station,
                wrapped_hmac,
                [0u8; 32].as_slice()
            ],
        )
        .map_err(StoreError::db("storing the station keys", &db_path))?;
        let store = Store {
            conn,
            db_path,
            station_key,
            hmac_key: ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &hmac_raw),
            options,
        };
        store.append_audit(
            &store.station_session(),
            crate::audit::AuditAction::Initialize,
            None,
            "store created",
        )?;
        store.ensure_signing_key()?;
        Ok(store)
    }

    /// Opens an existing store and unlocks the station key with the passphrase.
    /// A database from a newer program is refused without being modified.
    pub fn open(
        data_dir: &Path,
        station_passphrase: &str,
        options: StoreOptions,
    ) -> StoreResult<Store> {
        let db_path = database_path(data_dir);
        if !db_path.is_file() {
            return Err(StoreError::NotInitialized(data_dir.to_path_buf()));
        }
        // Look before touching: switching to WAL or migrating would write to the file.
        let found = schema::read_version_read_only(&db_path)?;
        if found > schema::CURRENT_SCHEMA_VERSION {
            return Err(StoreError::SchemaTooNew {
                found,
                supported: schema::CURRENT_SCHEMA_VERSION,
            });
        }
        if found == 0 {
            return Err(StoreError::NotInitialized(data_dir.to_path_buf()));
        }
        let mut conn =
            Connection::open(&db_path).map_err(StoreError::db("opening the database", &db_path))?;
        schema::configure(&conn, &db_path)?;
        let (station_key, hmac_raw) = unlock(&conn, &db_path, station_passphrase)?;
        schema::migrate(&mut conn, &db_path, (options.clock)())?;
        let store = Store {
            conn,
            db_path,
            station_key,
            hmac_key: ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &hmac_raw),
            options,
        };
        // A deletion whose checkpoint was blocked by another reader may have left old
        // pages in the -wal file: flush them now (best effort, the store works without).
        let _ = store.checkpoint();
        store.ensure_signing_key()?;
        Ok(store)
    }

    /// A session for whoever holds the station passphrase (scripted CLI use with
    /// `TDVERIFY_PASSPHRASE`). It may do everything: the passphrase decrypts every case
    /// anyway. Its actions are audited as actor `station`. Interactive shells log users in.
    pub fn station_session(&self) -> Session {
        Session {
            user_id: None,
            username: "station".to_string(),
            role: None,
        }
    }

    /// Path of the database file (for the UI's "about" and for backups).
    pub fn database_path(&self) -> &Path {
        &self.db_path
    }

    /// Current time from the store's clock.
    pub(crate) fn now(&self) -> i64 {
        (self.options.clock)()
    }

    /// Maps a SQLite error with this store's path.
    pub(crate) fn db_err(
        &self,
        context: &'static str,
    ) -> impl FnOnce(rusqlite::Error) -> StoreError + '_ {
        move |e| classify_sqlite(context, &self.db_path, e)
    }

    /// Starts a write transaction that takes the write lock at once (BEGIN IMMEDIATE), so a
    /// second process (CLI next to the GUI) waits for the busy timeout instead of failing
    /// half-way when it upgrades a read to a write.
    pub(crate) fn write_tx(&self, context: &'static str) -> StoreResult<rusqlite::Transaction<'_>> {
        rusqlite::Transaction::new_unchecked(&self.conn, rusqlite::TransactionBehavior::Immediate)
            .map_err(self.db_err(context))
    }

    /// Writes the WAL back into the database file and truncates it, so that deleted
    /// content no longer lingers in the -wal file.
    pub fn checkpoint(&self) -> StoreResult<()> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .map_err(self.db_err("checkpointing the write-ahead log"))
    }

    /// Runs SQLite's `PRAGMA integrity_check`; `Ok(true)` when the file is sound.
    pub fn integrity_check(&self) -> StoreResult<bool> {
        let result: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(self.db_err("checking database integrity"))?;
        Ok(result == "ok")
    }
}

/// Derives the passphrase key and unwraps the station and HMAC keys.
pub(crate) fn unlock(
    conn: &Connection,
    db_path: &Path,
    passphrase: &str,
) -> StoreResult<(SealingKey, [u8; KEY_LEN])> {
    let (station_raw, hmac_raw) = unlock_raw(conn, db_path, passphrase)?;
    Ok((SealingKey::new(&station_raw)?, hmac_raw))
}

/// Raw station and HMAC keys (needed to rewrap the station key under a new passphrase).
pub(crate) fn unlock_raw(
    conn: &Connection,
    db_path: &Path,
    passphrase: &str,
) -> StoreResult<([u8; KEY_LEN], [u8; KEY_LEN])> {
    let row = conn
        .query_row(
            "SELECT kdf_salt, kdf_memory_kib, kdf_iterations, kdf_lanes, wrapped_station_key, wrapped_hmac_key FROM station WHERE id = 1",
            [],
            |r| {
                Ok((
                    r.get::<_, Vec<u8>>(0)?,
                    KdfParams { memory_kib: r.get(1)?, iterations: r.get(2)?, lanes: r.get(3)? },
                    r.get::<_, Vec<u8>>(4)?,
                    r.get::<_, Vec<u8>>(5)?,
                ))
            },
        )
        .optional()
        .map_err(StoreError::db("reading the station keys", db_path))?;
    let Some((salt, kdf, wrapped_station, wrapped_hmac)) = row else {
        return Err(StoreError::Corrupt("the station row is missing".into()));
    };
    let passphrase_key = SealingKey::new(&kdf.derive(passphrase.as_bytes(), &salt)?)?;
    let station_raw = passphrase_key
        .unwrap_key(AAD_STATION_KEY, &wrapped_station, "station key")
        .map_err(|_| StoreError::WrongPassphrase)?;
    let station_key = SealingKey::new(&station_raw)?;
    let hmac_raw = station_key.unwrap_key(AAD_HMAC_KEY, &wrapped_hmac, "document HMAC key")?;
    Ok((station_raw, hmac_raw))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::CURRENT_SCHEMA_VERSION;
    use crate::test_support::*;

    #[test]
    fn initialize_open_and_wrong_passphrase() {
        let fx = Fixture::new();
        let path = fx.path().to_path_buf();
        assert!(Store::exists(&path));
        assert!(matches!(
            Store::initialize(&path, TEST_PASSPHRASE, StoreOptions::test_only_fast()),
            Err(StoreError::AlreadyInitialized(_))
        ));
        drop(fx.store);
        assert!(matches!(
            Store::open(
                &path,
                "TEST-ONLY wrong passphrase",
                StoreOptions::test_only_fast()
            ),
            Err(StoreError::WrongPassphrase)
        ));
        let store = Store::open(&path, TEST_PASSPHRASE, StoreOptions::test_only_fast()).unwrap();
        assert!(store.has_users().unwrap());
        let empty = tempfile::tempdir().unwrap();
        assert!(!Store::exists(empty.path()));
        assert!(matches!(
            Store::open(
                empty.path(),
                TEST_PASSPHRASE,
                StoreOptions::test_only_fast()
            ),
            Err(StoreError::NotInitialized(_))
        ));
        assert!(matches!(
            Store::initialize(empty.path(), "short", StoreOptions::test_only_fast()),
            Err(StoreError::WeakPassword(_))
        ));
    }

    #[test]
    fn store_can_move_between_threads() {
        fn assert_send<T: Send>() {}
        assert_send::<Store>();
        assert_send::<Session>();
    }

    /// Two processes (say the GUI and a CLI call) writing at once: every write waits for the
    /// lock, nothing fails, and the audit chain stays intact.
    #[test]
    fn concurrent_writers_keep_the_audit_chain() {
        let fx = Fixture::new();
        let path = fx.path().to_path_buf();
        let writers: Vec<_> = (0..2)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let store = Store::open(&path, TEST_PASSPHRASE, StoreOptions::test_only_fast())
                        .unwrap();
                    let officer = store.login("officer", TEST_PASSWORD).unwrap();
                    for _ in 0..15 {
                        let id = store
                            .create_case(&officer, &crate::test_support::draft_with("CONC", "UTO"))
                            .unwrap();
                        store
                            .save_draft(
                                &officer,
                                &id,
                                &crate::test_support::draft_with("CONC2", "UTO"),
                            )
                            .unwrap();
                    }
                })
            })
            .collect();
        for writer in writers {
            writer.join().unwrap();
        }
        let supervisor = fx.login("supervisor");
        assert_eq!(
            fx.store
                .list_cases(
                    &supervisor,
                    &crate::CaseFilter::default(),
                    crate::PageRequest::default()
                )
                .unwrap()
                .total,
            30
        );
        let report = fx.store.verify_audit(&fx.store.station_session()).unwrap();
        assert!(report.intact, "{report:?}");
    }

    #[test]
    fn interrupted_first_run_can_be_initialised_again() {
        let dir = tempfile::tempdir().unwrap();
        let db = database_path(dir.path());
        let mut conn = Connection::open(&db).unwrap();
        schema::migrate(&mut conn, &db, 0).unwrap();
        drop(conn);
        assert!(!Store::exists(dir.path()));
        Store::initialize(dir.path(), TEST_PASSPHRASE, StoreOptions::test_only_fast()).unwrap();
        assert!(Store::exists(dir.path()));
    }

    #[test]
    fn connection_uses_wal_foreign_keys_and_secure_delete() {
        let fx = Fixture::new();
        let get = |pragma: &str| -> i64 {
            fx.store
                .conn
                .query_row(&format!("PRAGMA {pragma}"), [], |r| r.get(0))
                .unwrap()
        };
        let mode: String = fx
            .store
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(get("foreign_keys"), 1);
        assert_eq!(get("secure_delete"), 1);
        assert_eq!(get("synchronous"), 2);
        assert!(get("busy_timeout") >= 5000);
        assert!(fx.store.integrity_check().unwrap());
    }

    #[test]
    fn newer_schema_is_refused_without_touching_the_file() {
        let fx = Fixture::new();
        let path = fx.path().to_path_buf();
        fx.store
            .conn
            .execute(
                "INSERT INTO schema_version (version, applied_at) VALUES (99, 0)",
                [],
            )
            .unwrap();
        fx.store.checkpoint().unwrap();
        drop(fx.store);
        let files_before: Vec<Option<Vec<u8>>> = [database_path(&path)]
            .iter()
            .map(|f| std::fs::read(f).ok())
            .collect();
        let err = Store::open(&path, TEST_PASSPHRASE, StoreOptions::test_only_fast()).unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::SchemaTooNew {
                    found: 99,
                    supported: CURRENT_SCHEMA_VERSION
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("newer tdverify"));
        let files_after: Vec<Option<Vec<u8>>> = [database_path(&path)]
            .iter()
            .map(|f| std::fs::read(f).ok())
            .collect();
        assert_eq!(files_before, files_after);
    }

    #[test]
    fn reopening_runs_no_migration_twice() {
        let fx = Fixture::new();
        let path = fx.path().to_path_buf();
        drop(fx.store);
        let store = Store::open(&path, TEST_PASSPHRASE, StoreOptions::test_only_fast()).unwrap();
        let rows: i64 = store
            .conn
            .query_row("SELECT COUNT(*) FROM schema_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, CURRENT_SCHEMA_VERSION);
    }

    #[test]
    fn disk_full_keeps_nothing_half_written() {
        let fx = Fixture::new();
        let officer = fx.login("officer");
        let small = crate::test_support::draft_with("SMALL", "UTO");
        fx.store.create_case(&officer, &small).unwrap();
        let pages: i64 = fx
            .store
            .conn
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .unwrap();
        fx.store
            .conn
            .query_row(
                &format!("PRAGMA max_page_count = {}", pages + 2),
                [],
                |_| Ok(()),
            )
            .unwrap();
        let mut big = crate::test_support::draft_with("BIG", "UTO");
        big.captures[0].image = vec![0x5a; 200_000];
        let audit_before = fx.store.verify_audit_unchecked().unwrap().entries;
        let err = fx.store.create_case(&officer, &big).unwrap_err();
        assert!(matches!(err, StoreError::DiskFull), "{err}");
        assert!(err.to_string().contains("draft is kept in memory"));
        let count: i64 = fx
            .store
            .conn
            .query_row("SELECT COUNT(*) FROM cases", [], |r| r.get(0))
            .unwrap();
        assert_eq!(count, 1);
        let captures: i64 = fx
            .store
            .conn
            .query_row("SELECT COUNT(*) FROM captures", [], |r| r.get(0))
            .unwrap();
        assert_eq!(captures, 2);
        assert_eq!(
            fx.store.verify_audit_unchecked().unwrap().entries,
            audit_before
        );
        assert!(fx.store.integrity_check().unwrap());
        // Space freed: the same save now succeeds.
        fx.store
            .conn
            .query_row("PRAGMA max_page_count = 1000000", [], |_| Ok(()))
            .unwrap();
        fx.store.create_case(&officer, &big).unwrap();
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]
        /// A damaged or foreign file in place of the database gives an error, never a panic.
        #[test]
        fn random_database_file_never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..4096)) {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(database_path(dir.path()), &bytes).unwrap();
            proptest::prop_assert!(Store::open(dir.path(), TEST_PASSPHRASE, StoreOptions::test_only_fast()).is_err());
            let _ = Store::exists(dir.path());
        }

        /// Random damage to a case's sealed payload is reported as tampering, never a panic.
        #[test]
        fn damaged_payload_is_reported(position in 0usize..400, flip in 1u8..=255) {
            let fx = Fixture::new();
            let officer = fx.login("officer");
            let id = fx.store.create_case(&officer, &crate::test_support::draft_with("DMG", "UTO")).unwrap();
            let mut payload: Vec<u8> = fx.store.conn.query_row("SELECT payload FROM cases WHERE id = ?1", [&id], |r| r.get(0)).unwrap();
            let index = position % payload.len();
            payload[index] ^= flip;
            fx.store.conn.execute("UPDATE cases SET payload = ?1 WHERE id = ?2", rusqlite::params![payload, id]).unwrap();
            let result = fx.store.open_case(&officer, &id);
            proptest::prop_assert!(matches!(result, Err(StoreError::Decrypt { .. })), "{:?}", result.err());
        }
    }
}
