use std::process::ExitCode;

use tdverify::capture::import_file;
use tdverify::doctor;

use super::Context;

/// `tdverify demo`: a headless demo on a sample document.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {}

pub fn run(context: &Context, _args: DemoArgs) -> ExitCode {
    println!("tdverify demo (headless)\n");
    println!("System check:");
    let findings = doctor::examine(&context.resources, &context.data_dir);
    print!("{}", doctor::render_text(&findings));
    println!();
    let Some(sample) = tdverify::samples::first_sample(&context.resources.fixtures) else {
        println!("No sample documents in {}: run `cargo xtask fixtures` first.", context.resources.fixtures.display());
        return if doctor::all_required_ok(&findings) { ExitCode::SUCCESS } else { ExitCode::from(1) };
    };
    println!("Sample document: {}", sample.folder.display());
    for (path, light) in &sample.images {
        match import_file(path, *light) {
            Ok(capture) => println!("  {:<8} {}×{} px  {}", light.as_str(), capture.image.width(), capture.image.height(), path.display()),
            Err(e) => println!("  {:<8} cannot open: {e}", light.as_str()),
        }
    }
    if doctor::all_required_ok(&findings) { ExitCode::SUCCESS } else { ExitCode::from(1) }
}
