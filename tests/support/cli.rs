//! Shared by the CLI tests that act as users: the real binary with TEST-ONLY secrets for
//! the station, the administrator, the logged-in user and a new user.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// TEST-ONLY station passphrase.
pub const TEST_PASSPHRASE: &str = "TEST-ONLY station passphrase";
/// TEST-ONLY password of every user.
pub const TEST_PASSWORD: &str = "TEST-ONLY password 1";

/// Runs `tdverify --data-dir DATA ARGS…` with every secret in the environment.
pub fn tdverify(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tdverify"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .stdin(Stdio::null())
        .env("TDVERIFY_PASSPHRASE", TEST_PASSPHRASE)
        .env("TDVERIFY_ADMIN_PASSWORD", TEST_PASSWORD)
        .env("TDVERIFY_PASSWORD", TEST_PASSWORD)
        .env("TDVERIFY_NEW_PASSWORD", TEST_PASSWORD)
        .output()
        .expect("run tdverify")
}

/// Standard output and error together, for failure messages and wording checks.
pub fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// Standard output of a command that must succeed.
pub fn ok(output: Output) -> String {
    assert!(output.status.success(), "{}", text(&output));
    String::from_utf8_lossy(&output.stdout).into_owned()
}
