//! Test helper for the crash-safety and read-only tests of tdverify-store (not a user tool).
//!
//! `store-torture run DIR SEED_BASE`: opens the TEST-ONLY store in DIR and saves cases
//! forever, printing a line after every commit (`created ID SEED`, `saved ID SEED VERSION`,
//! `submitted ID SEED`); the test kills it with SIGKILL at a random moment and then checks
//! every printed commit survived intact.
//!
//! `store-torture save-once DIR`: opens the store and saves one case; on failure prints the
//! error to stderr and exits with status 3.
//!
//! The passphrase comes from `TDVERIFY_PASSPHRASE`; the officer password from
//! `TORTURE_PASSWORD`. Both are TEST-ONLY values set by the tests.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use tdverify_store::{Store, StoreOptions};

mod content;
use content::draft;

fn open(dir: &Path) -> Result<Store, String> {
    let passphrase = std::env::var("TDVERIFY_PASSPHRASE")
        .map_err(|_| "TDVERIFY_PASSPHRASE is not set".to_string())?;
    Store::open(dir, &passphrase, StoreOptions::test_only_fast()).map_err(|e| e.to_string())
}

fn run(dir: &Path, seed_base: u64) -> Result<(), String> {
    let store = open(dir)?;
    let password =
        std::env::var("TORTURE_PASSWORD").map_err(|_| "TORTURE_PASSWORD is not set".to_string())?;
    let officer = store
        .login("officer", &password)
        .map_err(|e| e.to_string())?;
    let mut out = std::io::stdout().lock();
    for seed in seed_base.. {
        let id = store
            .create_case(&officer, &draft(seed, 0))
            .map_err(|e| e.to_string())?;
        writeln!(out, "created {id} {seed}")
            .and_then(|()| out.flush())
            .map_err(|e| e.to_string())?;
        for version in 1..=2 {
            store
                .save_draft(&officer, &id, &draft(seed, version))
                .map_err(|e| e.to_string())?;
            writeln!(out, "saved {id} {seed} {version}")
                .and_then(|()| out.flush())
                .map_err(|e| e.to_string())?;
        }
        if seed % 2 == 0 {
            store
                .submit_case(&officer, &id)
                .map_err(|e| e.to_string())?;
            writeln!(out, "submitted {id} {seed}")
                .and_then(|()| out.flush())
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

fn save_once(dir: &Path) -> Result<(), String> {
    let store = open(dir)?;
    let session = store.station_session();
    store
        .create_case(&session, &draft(1, 0))
        .map(drop)
        .map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let result = match args.get(1).map(String::as_str) {
        Some("run") => match (args.get(2), args.get(3).and_then(|s| s.parse().ok())) {
            (Some(dir), Some(seed)) => run(&PathBuf::from(dir), seed),
            _ => Err("usage: store-torture run DIR SEED_BASE".into()),
        },
        Some("save-once") => match args.get(2) {
            Some(dir) => save_once(&PathBuf::from(dir)),
            None => Err("usage: store-torture save-once DIR".into()),
        },
        _ => Err("usage: store-torture run DIR SEED_BASE | save-once DIR".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(3)
        }
    }
}
