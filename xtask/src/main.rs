//! `cargo xtask`: the project's own set-up, run, test, fixture, benchmark and
//! evaluation commands. Everything a fresh Debian 12 machine needs is installed
//! from here, so the README's two commands are the only set-up.

mod bench;
mod eval_docs;
mod eval_face;
mod eval_mrz;
mod fixtures;
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
                     generate the fixture documents (default: 44 into out/fixtures)
  bench              run the benchmarks and print a table against the budgets
  eval-face DIR      face comparison error rates over a folder of identities
  eval-mrz DIR       MRZ reading accuracy over a folder of images with ground truth
  eval-docs DIR      document-check detection rates over fixture documents with ground truth
";

/// Evaluations report milliseconds against release budgets: when this xtask is
/// a debug build, run the same command again from a release build of it.
fn in_release(args: &[String]) -> Option<Result<()>> {
    if !cfg!(debug_assertions) {
        return None;
    }
    let mut cmd = shell::cargo();
    cmd.args(["run", "--release", "--quiet", "--package", "xtask", "--"]).args(args);
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
        "fixtures" => fixtures::run(rest),
        "eval-face" => in_release(args.as_slice()).unwrap_or_else(|| eval_face::run(rest)),
        "eval-mrz" => in_release(args.as_slice()).unwrap_or_else(|| eval_mrz::run(rest)),
        "eval-docs" => in_release(args.as_slice()).unwrap_or_else(|| eval_docs::run(rest)),
        "-h" | "--help" | "help" => {
            print!("{USAGE}");
            Ok(())
        }
        other => bail!("unknown command `{other}`\n\n{USAGE}"),
    }
}
