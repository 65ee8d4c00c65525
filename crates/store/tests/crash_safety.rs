//! Crash safety: SIGKILL the helper at random moments during saves, at least 200 times,
//! then every committed case must be intact and `PRAGMA integrity_check` clean.
//! Also: a read-only data directory gives a clear error and writes nothing.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::Duration;

use tdverify_store::{CaseFilter, CaseStatus, Role, Store, StoreOptions};

#[allow(dead_code)]
#[path = "../src/bin/store-torture/content.rs"]
mod content;

const TEST_PASSPHRASE: &str = "TEST-ONLY torture passphrase";
const TEST_PASSWORD: &str = "TEST-ONLY torture password";
const HELPER: &str = env!("CARGO_BIN_EXE_store-torture");
const KILLS: u64 = 200;

/// Small xorshift generator so the kill times vary without another dependency.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn new_store(dir: &std::path::Path) {
    let store = Store::initialize(dir, TEST_PASSPHRASE, StoreOptions::test_only_fast()).unwrap();
    store.create_first_admin("admin", TEST_PASSWORD).unwrap();
    let admin = store.login("admin", TEST_PASSWORD).unwrap();
    store
        .create_user(&admin, "officer", TEST_PASSWORD, Role::Officer)
        .unwrap();
}

/// What the helper reported as committed for one case.
#[derive(Default)]
struct Committed {
    seed: u64,
    version: u64,
    submitted: bool,
}

#[test]
fn committed_cases_survive_sigkill_during_saves() {
    let dir = tempfile::tempdir().unwrap();
    new_store(dir.path());
    let seed_time = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(1);
    let mut rng = Rng(seed_time | 1);
    let mut committed: HashMap<String, Committed> = HashMap::new();
    let mut killed_mid_run = 0;
    for round in 0..KILLS {
        let mut child = Command::new(HELPER)
            .args([
                "run",
                &dir.path().display().to_string(),
                &(round * 1_000_000).to_string(),
            ])
            .env("TDVERIFY_PASSPHRASE", TEST_PASSPHRASE)
            .env("TORTURE_PASSWORD", TEST_PASSWORD)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Wait for the first commit (start-up time varies with machine load), then kill at a
        // random moment among the following saves.
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut out = String::new();
        stdout.read_line(&mut out).unwrap();
        std::thread::sleep(Duration::from_micros(rng.below(40_000)));
        if child.try_wait().unwrap().is_none() {
            killed_mid_run += 1;
        }
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        stdout.read_to_string(&mut out).unwrap();
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        assert!(err.is_empty(), "helper failed in round {round}: {err}");
        for line in out.lines() {
            let parts: Vec<&str> = line.split(' ').collect();
            match parts.as_slice() {
                ["created", id, seed] => {
                    committed.insert(
                        id.to_string(),
                        Committed {
                            seed: seed.parse().unwrap(),
                            ..Committed::default()
                        },
                    );
                }
                ["saved", id, _, version] => {
                    committed.get_mut(*id).unwrap().version = version.parse().unwrap()
                }
                ["submitted", id, _] => committed.get_mut(*id).unwrap().submitted = true,
                _ => {} // a line cut by the kill
            }
        }
    }
    assert!(
        killed_mid_run >= KILLS * 9 / 10,
        "only {killed_mid_run} kills landed while the helper ran"
    );
    assert!(
        committed.len() as u64 >= KILLS,
        "too few commits to mean anything: {}",
        committed.len()
    );

    let store = Store::open(dir.path(), TEST_PASSPHRASE, StoreOptions::test_only_fast()).unwrap();
    assert!(
        store.integrity_check().unwrap(),
        "integrity_check after {KILLS} kills"
    );
    let officer = store.login("officer", TEST_PASSWORD).unwrap();
    for (id, expected) in &committed {
        let case = store
            .open_case(&officer, id)
            .unwrap_or_else(|e| panic!("committed case {id} lost: {e}"));
        let seed = case.inspection["seed"].as_u64().unwrap();
        let version = case.inspection["version"].as_u64().unwrap();
        assert_eq!(seed, expected.seed);
        // A save may have committed just before the kill without being reported: never older.
        assert!(
            version >= expected.version,
            "case {id} went back from version {} to {version}",
            expected.version
        );
        // Payload and captures of one save commit together.
        assert_eq!(case.captures.len(), 1);
        assert_eq!(
            case.captures[0].image,
            content::image_bytes(seed, version),
            "case {id}: capture from another save"
        );
        if expected.submitted {
            assert_eq!(case.status, CaseStatus::Submitted);
        }
    }
    let auditor_free_total = store
        .list_case_entries(&store.station_session(), &CaseFilter::default())
        .unwrap()
        .len();
    assert!(auditor_free_total >= committed.len());
    assert!(
        store.verify_audit(&store.station_session()).unwrap().intact,
        "audit chain after crashes"
    );
    eprintln!(
        "{KILLS} kills ({killed_mid_run} mid-run), {} committed cases verified, {auditor_free_total} cases in store",
        committed.len()
    );
}

/// Sets permissions recursively (files and the directory).
fn set_mode(dir: &std::path::Path, file_mode: u32, dir_mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(file_mode)).unwrap();
    }
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(dir_mode)).unwrap();
}

#[test]
fn read_only_directory_gives_a_clear_error_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    new_store(dir.path());
    let db = tdverify_store::database_path(dir.path());
    let before = std::fs::read(&db).unwrap();
    set_mode(dir.path(), 0o444, 0o555);
    // Root ignores permission bits; drop the capabilities that let it (needs util-linux setpriv).
    let is_root = std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false);
    let mut command = if is_root {
        let mut c = Command::new("setpriv");
        c.args([
            "--bounding-set=-dac_override,-dac_read_search,-fowner",
            HELPER,
        ]);
        c
    } else {
        Command::new(HELPER)
    };
    let output = command
        .args(["save-once", &dir.path().display().to_string()])
        .env("TDVERIFY_PASSPHRASE", TEST_PASSPHRASE)
        .output()
        .unwrap();
    set_mode(dir.path(), 0o644, 0o755);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(3),
        "helper should fail: {stderr}"
    );
    assert!(
        stderr.contains("read-only") && stderr.contains("nothing was saved"),
        "unclear message: {stderr}"
    );
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "the database file changed"
    );
    let store = Store::open(dir.path(), TEST_PASSPHRASE, StoreOptions::test_only_fast()).unwrap();
    assert!(store.integrity_check().unwrap());
    assert_eq!(
        store
            .list_case_entries(&store.station_session(), &CaseFilter::default())
            .unwrap()
            .len(),
        0
    );
}
