//! The one rule for tests whose data or service may be missing.
//!
//! A test that passes because its data was not there tells nobody anything, so
//! no test may skip silently. Two kinds of missing pieces exist:
//!
//! * Pieces the project provides (models and fixtures in the repository,
//!   `out/fixtures`, ONNX Runtime, fonts, pcscd, vpcd, Xvfb, poppler and openssl
//!   installed by `cargo xtask setup`): a test that needs one simply fails,
//!   naming it and how to get it ([`missing_project_piece`]).
//! * Data outside the repository (`../shared/mrz`, `../shared/faces`), which a
//!   checkout may legitimately lack: [`skip_or_fail`] fails the test when
//!   `TDVERIFY_REQUIRE_DATA=1` (CI sets it in `.ci/run`) and otherwise prints
//!   one `SKIPPED <test>: <reason>` line so the run shows what it did not test.

use std::fmt::Display;
use std::io::Write;
use std::panic::Location;
use std::path::{Path, PathBuf};

/// The environment variable that turns every skip into a failure.
pub const REQUIRE_DATA_VARIABLE: &str = "TDVERIFY_REQUIRE_DATA";

/// Whether missing data must fail the test: `TDVERIFY_REQUIRE_DATA` is set to
/// anything but empty, `0` or `false`.
pub fn data_required() -> bool {
    std::env::var(REQUIRE_DATA_VARIABLE)
        .map(|value| required_by(&value))
        .unwrap_or(false)
}

/// Whether a value of `TDVERIFY_REQUIRE_DATA` asks for the data.
fn required_by(value: &str) -> bool {
    let value = value.trim();
    !(value.is_empty() || value == "0" || value.eq_ignore_ascii_case("false"))
}

/// Called by a test whose data outside the repository is missing, just before
/// it returns: panics with `reason` when [`data_required`], otherwise writes
/// `SKIPPED <test>: <reason>` to the process's stderr (past the test
/// harness's output capture, so `cargo test` shows it on a passing run).
#[track_caller]
pub fn skip_or_fail(reason: impl Display) {
    let test = current_test(Location::caller());
    if data_required() {
        panic!("{test}: {reason} ({REQUIRE_DATA_VARIABLE} is set, so missing data fails the test)");
    }
    let line = format!("SKIPPED {test}: {reason}\n");
    // Straight to the file descriptor: eprintln! would be captured and hidden.
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// Fails the test because a piece the project itself provides is missing;
/// `what` names it and `how` says how to get it (usually `cargo xtask setup`).
#[track_caller]
pub fn missing_project_piece(what: impl Display, how: impl Display) -> ! {
    let test = current_test(Location::caller());
    panic!("{test}: {what} is missing; {how}")
}

/// A development set outside the repository: the folder `variable` names when
/// it is set, otherwise `../shared/<relative>` beside the work tree. `None`,
/// after [`skip_or_fail`], when `probe` (a file the set must hold) is not in it.
#[track_caller]
pub fn shared_set(relative: &str, probe: &str, variable: Option<&str>) -> Option<PathBuf> {
    let dir = variable
        .and_then(std::env::var_os)
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| work_tree().join("..").join("shared").join(relative));
    if dir.join(probe).exists() {
        return Some(dir);
    }
    let how = variable
        .map(|v| format!(", or set {v}"))
        .unwrap_or_default();
    skip_or_fail(format!(
        "{} not found (../shared/{relative} beside the checkout{how})",
        dir.display()
    ));
    None
}

/// The development face set, `../shared/faces/london` (or `TDVERIFY_FACES`).
#[track_caller]
pub fn london_faces() -> Option<PathBuf> {
    shared_set("faces/london", "002_neutral.jpg", Some("TDVERIFY_FACES"))
}

/// The development MRZ photographs, `../shared/mrz`.
#[track_caller]
pub fn shared_mrz() -> Option<PathBuf> {
    shared_set("mrz", "ground_truth.json", None)
}

/// The work tree this crate was built in (tests run in the tree they were built from).
fn work_tree() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The running test's name (the harness names each test's thread after it),
/// or the caller's place in the source when the test runs on the main thread.
fn current_test(caller: &Location<'_>) -> String {
    match std::thread::current().name() {
        Some(name) if name != "main" => name.to_string(),
        _ => format!("{}:{}", caller.file(), caller.line()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_empty_zero_and_false_leave_data_optional() {
        for optional in ["", "0", " 0 ", "false", "FALSE"] {
            assert!(!required_by(optional), "{optional:?}");
        }
        for required in ["1", "yes", "true", "2"] {
            assert!(required_by(required), "{required:?}");
        }
    }

    #[test]
    fn the_test_is_named_after_its_thread() {
        let name = current_test(Location::caller());
        assert!(
            name.ends_with("the_test_is_named_after_its_thread") || name.contains("test_data.rs:"),
            "{name}"
        );
    }

    #[test]
    fn a_missing_project_piece_fails_with_what_and_how() {
        let outcome = std::panic::catch_unwind(|| {
            missing_project_piece("the OCR-B font", "run cargo xtask setup")
        });
        let message = outcome
            .err()
            .and_then(|payload| payload.downcast_ref::<String>().cloned())
            .expect("a panic with a message");
        assert!(
            message.contains("the OCR-B font is missing; run cargo xtask setup"),
            "{message}"
        );
    }

    #[test]
    fn a_missing_shared_set_is_a_skip_naming_the_folder() {
        let outcome = std::panic::catch_unwind(|| shared_set("no-such-set", "probe.json", None));
        match outcome {
            Ok(found) => {
                assert!(!data_required());
                assert_eq!(found, None);
            }
            Err(payload) => {
                let message = payload
                    .downcast_ref::<String>()
                    .cloned()
                    .unwrap_or_default();
                assert!(
                    data_required() && message.contains("shared/no-such-set"),
                    "{message}"
                );
            }
        }
    }

    #[test]
    fn a_skip_fails_exactly_when_data_is_required() {
        let outcome = std::panic::catch_unwind(|| skip_or_fail("../shared/example not found"));
        if data_required() {
            let message = outcome
                .err()
                .and_then(|payload| payload.downcast_ref::<String>().cloned())
                .expect("a panic with a message");
            assert!(message.contains("../shared/example not found"), "{message}");
            assert!(message.contains(REQUIRE_DATA_VARIABLE), "{message}");
        } else {
            assert!(
                outcome.is_ok(),
                "without {REQUIRE_DATA_VARIABLE} a skip returns"
            );
        }
    }
}
