//! The `tdverify` command: the GUI by default, and subcommands for scripted use.
//! Everything here parses arguments and calls the library.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    // Output piped into `head` or a closed reader: end quietly like other Unix
    // tools instead of panicking on a broken pipe.
    // SAFETY: setting a signal disposition to its default before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    cli::main()
}
