//! `cargo xtask`: the project's own set-up, run, test, fixture, benchmark and
//! evaluation commands. Everything a fresh Debian 12 machine needs is installed
//! from here, so the README's two commands are the only set-up.

mod bench;
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
  fixtures [--seed S] [--count N] [--out DIR] [--faces DIR]
                     generate the fixture documents
  bench              run the benchmarks and print a table against the budgets
  eval-face DIR      face comparison error rates over a folder of identities
  eval-mrz DIR       MRZ reading accuracy over a folder of images with ground truth
";

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
        "-h" | "--help" | "help" => {
            print!("{USAGE}");
            Ok(())
        }
        other => bail!("unknown command `{other}`\n\n{USAGE}"),
    }
}
