//! `cargo xtask run`: set-up, release build, then the GUI on the bundled fixtures
//! and reference library; without a display, a headless demo inspection.

use std::process::Command;

use anyhow::Result;

use crate::{paths, setup, shell};

/// `cargo xtask run [--headless] [args passed to tdverify]`.
pub fn run(args: &[String]) -> Result<()> {
    setup::ensure_all()?;
    shell::run(shell::cargo().args(["build", "--release", "--quiet", "--package", "tdverify", "--bin", "tdverify"]))?;
    let exe = paths::target_dir().join("release").join("tdverify");
    let headless_asked = args.iter().any(|a| a == "--headless");
    let passthrough: Vec<&String> = args.iter().filter(|a| *a != "--headless").collect();
    let has_display = ["DISPLAY", "WAYLAND_DISPLAY"].iter().any(|v| std::env::var_os(v).is_some_and(|d| !d.is_empty()));
    let mut cmd = Command::new(&exe);
    cmd.env("TDVERIFY_ORT_LIB", paths::onnxruntime_library());
    if has_display && !headless_asked {
        cmd.arg("gui").args(passthrough);
        shell::run(&mut cmd)
    } else {
        if !has_display {
            println!("No display found (DISPLAY and WAYLAND_DISPLAY are unset): running the headless demo instead.");
            println!("To see the window, run this from a desktop session, or under Xvfb: xvfb-run cargo xtask run\n");
        }
        cmd.arg("demo").args(passthrough);
        shell::run(&mut cmd)
    }
}
