//! The `tdverify` command: the GUI by default, and subcommands for scripted use.
//! Everything here parses arguments and calls the library.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
