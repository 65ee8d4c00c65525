//! `cargo xtask`: the project's own set-up, run, test, fixture, benchmark and
//! evaluation commands. Everything a fresh Debian 12 machine needs is installed
//! from here, so the README's two commands are the only set-up.

mod bench;
#[cfg(feature = "tools")]
mod eval_docs;
#[cfg(feature = "tools")]
mod eval_face;
#[cfg(feature = "tools")]
mod eval_ghost;
#[cfg(feature = "tools")]
mod eval_mrz;
#[cfg(feature = "tools")]
mod fixtures;
mod fuzz;
mod paths;
mod run;
mod setup;
mod shell;
mod test;

use anyhow::{Result, bail};

const USAGE: &str = "\
usage: cargo xtask <command> [args]

commands:
  setup              install what is missing (Debian packages, ONNX Runtime, fixtures); quiet when all is there
  run [--headless]   set up, build in release, open the GUI on the bundled fixtures (headless demo without a display)
  test               set up, then the whole test suite (nextest) and the GUI smoke test under Xvfb
  fixtures [--seed S] [--count N] [--out DIR] [--faces DIR] [--flatbed DPI] [--template KEY]... [--specimens]
                     generate the fixture documents (default: 60 into out/fixtures)
  bench [--table]    run the benchmarks and print a table against the budgets (--table: from the last results)
  fuzz [--minutes N] [--target NAME]...
                     every fuzz target under libFuzzer for N minutes each (default 10); findings in out/fuzz
  eval-face DIR      face comparison error rates over a folder of identities
  eval-mrz DIR       MRZ reading accuracy over a folder of images with ground truth
  eval-docs DIR [--officer-only|--no-officer]
                     document-check detection rates over fixture documents with ground truth, then the
                     officer evaluation (full inspection: verdicts, false alarms, recaptures per capture kind)
  eval-ghost DIR     portrait vs ghost image error rates over fixture documents with ground truth
";

/// For a tool that takes folders: prints `usage` and returns the outcome when
/// there are no arguments (an error: no folder) or help was asked for.
pub fn usage_if_asked(args: &[String], usage: &str) -> Option<Result<()>> {
    if !args.is_empty() && !args.iter().any(|a| a == "-h" || a == "--help") {
        return None;
    }
    println!("{usage}");
    Some(if args.is_empty() { Err(anyhow::anyhow!("no folder given")) } else { Ok(()) })
}

/// How a tool command must be built to run.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Build {
    /// The dev profile (dependencies optimised) is fast enough.
    Dev,
    /// Evaluations report milliseconds against release budgets.
    Release,
}

/// The tool commands (fixtures, evaluations) link the whole project, which
/// needs the Debian packages `setup` installs. This binary is first built
/// without them; once `setup` has installed them (the caller's job), a tool
/// command runs again from a build of this xtask with the `tools` feature (and
/// in release where timings are reported). Returns `None` when this build can
/// run it itself.
fn rerun_as_tool(args: &[String], build: Build) -> Option<Result<()>> {
    let release_ok = build == Build::Dev || !cfg!(debug_assertions);
    if cfg!(feature = "tools") && release_ok {
        return None;
    }
    let mut cmd = shell::cargo();
    cmd.args(["run", "--quiet", "--package", "xtask", "--features", "tools"]);
    if build == Build::Release {
        cmd.arg("--release");
    }
    cmd.arg("--").args(args);
    Some(shell::run(&mut cmd))
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        print!("{USAGE}");
        return Ok(());
    };
    match command.as_str() {
        "setup" => setup::run(rest),
        "run" => run::run(rest),
        "test" => test::run(rest),
        "bench" => bench::run(rest),
        "fuzz" => fuzz::run(rest),
        "fixtures" | "eval-face" | "eval-mrz" | "eval-docs" | "eval-ghost" => {
            // The build without tools is the one a user starts: install first.
            // (Setup's own fixture generation calls `run_tool` after installing.)
            if !cfg!(feature = "tools") {
                setup::ensure_installed()?;
            }
            run_tool(command, rest, &args)
        }
        "-h" | "--help" | "help" => {
            print!("{USAGE}");
            Ok(())
        }
        other => bail!("unknown command `{other}`\n\n{USAGE}"),
    }
}

/// Runs a tool command, from a build that has the tools.
pub fn run_tool(command: &str, rest: &[String], all: &[String]) -> Result<()> {
    let build = if command == "fixtures" { Build::Dev } else { Build::Release };
    if let Some(result) = rerun_as_tool(all, build) {
        return result;
    }
    tool(command, rest)
}

#[cfg(feature = "tools")]
fn tool(command: &str, rest: &[String]) -> Result<()> {
    match command {
        "fixtures" => fixtures::run(rest),
        "eval-face" => eval_face::run(rest),
        "eval-mrz" => eval_mrz::run(rest),
        "eval-docs" => eval_docs::run(rest),
        "eval-ghost" => eval_ghost::run(rest),
        other => bail!("unknown tool `{other}`"),
    }
}

#[cfg(not(feature = "tools"))]
fn tool(command: &str, _rest: &[String]) -> Result<()> {
    bail!("`{command}` needs the tools feature (rerun_as_tool should have run it)")
}
