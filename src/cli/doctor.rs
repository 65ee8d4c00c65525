use std::process::ExitCode;

use tdverify::doctor;

use super::Context;

/// `tdverify doctor`: one line per subsystem.
#[derive(Debug, clap::Args)]
pub struct DoctorArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub fn run(context: &Context, args: DoctorArgs) -> ExitCode {
    let findings = doctor::examine(&context.resources, &context.data_dir);
    if args.json {
        match serde_json::to_string_pretty(&findings) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("tdverify: {e}");
                return ExitCode::from(1);
            }
        }
    } else {
        print!("{}", doctor::render_text(&findings));
    }
    if doctor::all_required_ok(&findings) { ExitCode::SUCCESS } else { ExitCode::from(1) }
}
