//! Issue 30's `users` contract against the real binary: an administrator (`--user`, or
//! the older `--admin`) adds, lists, disables, enables, resets a password and changes a
//! role; a non-administrator is refused; the last active administrator cannot be
//! disabled; bad input exits 2.

use std::path::Path;
use std::process::{Command, Output, Stdio};

#[path = "support/cli.rs"]
mod cli_support;

use cli_support::{TEST_PASSPHRASE, TEST_PASSWORD, ok, tdverify, text};

/// `tdverify users …` logging in with `password` (and giving `new_password` to set).
fn users_as(data: &Path, password: &str, new_password: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tdverify"))
        .arg("--data-dir")
        .arg(data)
        .arg("users")
        .args(args)
        .stdin(Stdio::null())
        .env("TDVERIFY_PASSPHRASE", TEST_PASSPHRASE)
        .env("TDVERIFY_PASSWORD", password)
        .env("TDVERIFY_NEW_PASSWORD", new_password)
        .output()
        .expect("run tdverify")
}

/// `users list --json` as the administrator: (name, role, active) rows.
fn listed(data: &Path) -> Vec<(String, String, bool)> {
    listed_as(data, "admin")
}

fn row(name: &str, role: &str, active: bool) -> (String, String, bool) {
    (name.to_owned(), role.to_owned(), active)
}

#[test]
fn an_administrator_manages_accounts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    ok(tdverify(&data, &["store", "init"]));
    ok(tdverify(&data, &["users", "add", "officer", "--role", "officer", "--user", "admin"]));
    ok(tdverify(&data, &["users", "add", "auditor", "--role", "auditor", "--admin", "admin"]));
    assert_eq!(
        listed(&data),
        [row("admin", "admin", true), row("auditor", "auditor", true), row("officer", "officer", true)]
    );

    let refused = tdverify(&data, &["users", "add", "x", "--role", "officer", "--user", "officer"]);
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    assert!(text(&refused).contains("not an administrator"), "{}", text(&refused));

    ok(tdverify(&data, &["users", "disable", "officer", "--user", "admin"]));
    assert!(listed(&data).contains(&row("officer", "officer", false)));
    let disabled = tdverify(&data, &["users", "list", "--user", "officer"]);
    assert!(text(&disabled).contains("disabled"), "a disabled user cannot log in: {}", text(&disabled));
    ok(tdverify(&data, &["users", "enable", "officer", "--user", "admin"]));
    assert!(listed(&data).contains(&row("officer", "officer", true)));

    let new_password = "TEST-ONLY new password 2";
    ok(users_as(&data, TEST_PASSWORD, new_password, &["reset-password", "officer", "--user", "admin"]));
    let old = users_as(&data, TEST_PASSWORD, TEST_PASSWORD, &["list", "--user", "officer"]);
    assert!(!text(&old).contains("not an administrator"), "the old password no longer logs in: {}", text(&old));
    let new = users_as(&data, new_password, TEST_PASSWORD, &["list", "--user", "officer"]);
    assert!(text(&new).contains("not an administrator"), "the new password logs in: {}", text(&new));

    let last = tdverify(&data, &["users", "disable", "admin", "--user", "admin"]);
    assert_eq!(last.status.code(), Some(2), "{}", text(&last));
    assert!(text(&last).contains("last active administrator"), "{}", text(&last));
    ok(tdverify(&data, &["users", "role", "auditor", "admin", "--user", "admin"]));
    ok(tdverify(&data, &["users", "disable", "admin", "--user", "auditor"]));
    let rows = listed_as(&data, "auditor");
    assert!(rows.contains(&row("admin", "admin", false)) && rows.contains(&row("auditor", "admin", true)), "{rows:?}");
}

fn listed_as(data: &Path, admin: &str) -> Vec<(String, String, bool)> {
    let out = ok(tdverify(data, &["users", "list", "--json", "--user", admin]));
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out).expect("a JSON array");
    rows.iter()
        .map(|r| {
            (
                r["username"].as_str().unwrap_or_default().to_owned(),
                r["role"].as_str().unwrap_or_default().to_owned(),
                r["active"].as_bool().expect("active is a boolean"),
            )
        })
        .collect()
}

#[test]
fn bad_input_exits_2_with_a_reason() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    ok(tdverify(&data, &["store", "init"]));
    let no_admin = tdverify(&data, &["users", "list"]);
    assert_eq!(no_admin.status.code(), Some(2), "{}", text(&no_admin));
    assert!(text(&no_admin).contains("--user"), "{}", text(&no_admin));
    let bad_role = tdverify(&data, &["users", "add", "x", "--role", "chief", "--user", "admin"]);
    assert_eq!(bad_role.status.code(), Some(2), "{}", text(&bad_role));
    assert!(text(&bad_role).contains("officer, expert"), "{}", text(&bad_role));
    let weak = users_as(&data, TEST_PASSWORD, "short", &["add", "weak", "--role", "officer", "--user", "admin"]);
    assert_eq!(weak.status.code(), Some(2), "{}", text(&weak));
}
