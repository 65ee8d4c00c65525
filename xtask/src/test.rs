//! `cargo xtask test`: set-up, then the whole suite.
//!
//! The suite is every crate's unit and integration tests under nextest (real SQLite,
//! real ONNX Runtime and models, real pcscd + vpcd, a real window under Xvfb), then
//! the doc tests. Heavy pixel work runs with optimised dependencies (see the dev
//! profile in Cargo.toml).

use anyhow::Result;

use crate::{paths, setup, shell};

/// `cargo xtask test [extra nextest args]`.
pub fn run(args: &[String]) -> Result<()> {
    setup::ensure_all()?;
    let ort = paths::onnxruntime_library();
    let mut nextest = shell::cargo();
    nextest
        .args(["nextest", "run", "--workspace", "--features", "xtask/tools", "--no-fail-fast", "--failure-output", "final"])
        .args(args)
        .env("TDVERIFY_ORT_LIB", &ort)
        .env("TDVERIFY_SCREENSHOT_DIR", paths::out().join("screenshots"));
    shell::run(&mut nextest)?;
    let mut doc = shell::cargo();
    doc.args(["test", "--workspace", "--features", "xtask/tools", "--doc", "--quiet"]).env("TDVERIFY_ORT_LIB", &ort);
    shell::run(&mut doc)?;
    Ok(())
}
