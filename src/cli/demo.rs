use std::process::ExitCode;

use tdverify::capture::import_file;
use tdverify::doctor;
use tdverify::engines::LoadedEngines;
use tdverify::inspect::InspectInput;
use tdverify::samples::{Sample, list_samples};

use super::Context;

/// `tdverify demo`: a headless demo inspection on sample documents.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// How many sample documents to inspect.
    #[arg(long, default_value_t = 2)]
    count: usize,
}

pub fn run(context: &Context, args: DemoArgs) -> ExitCode {
    println!("tdverify demo (headless)\n");
    println!("System check:");
    let findings = doctor::examine(&context.resources, &context.data_dir);
    print!("{}", doctor::render_text(&findings));
    println!();
    let samples = list_samples(&context.resources.fixtures);
    if samples.is_empty() {
        println!("No sample documents in {}: run `cargo xtask fixtures` first.", context.resources.fixtures.display());
        return if doctor::all_required_ok(&findings) { ExitCode::SUCCESS } else { ExitCode::from(1) };
    }
    let mut loaded = LoadedEngines::load_for_station(&context.resources, &context.data_dir);
    loaded.load_hotlist(&context.data_dir);
    // One genuine document and then forged ones, so the demo shows both outcomes.
    let mut chosen: Vec<&Sample> = samples.iter().filter(|s| s.folder.to_string_lossy().ends_with("genuine")).take(1).collect();
    chosen.extend(samples.iter().filter(|s| !s.folder.to_string_lossy().ends_with("genuine")).take(args.count.saturating_sub(chosen.len())));
    for sample in chosen {
        println!("━━ {} ━━", sample.folder.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
        let open = |images: &[(std::path::PathBuf, tdverify::core::Light)]| {
            let mut captures = Vec::new();
            for (path, light) in images {
                match import_file(path, *light) {
                    Ok(capture) => captures.push(capture),
                    Err(e) => println!("  cannot open {}: {e}", path.display()),
                }
            }
            captures
        };
        let (captures, other_side) = (open(&sample.images), open(&sample.other_side));
        // Document only: fixture portraits are synthetic, so a live-bearer comparison would say nothing.
        let input = InspectInput { captures, other_side, bearer: None, typed_mrz: None, officer_mrz_fixes: Vec::new(), chip: None, inspection_date: tdverify::clock::today_utc() };
        let inspection = tdverify::inspect::run(&input, &loaded.engines(), &|_, _| {});
        print!("{}", super::inspect::render_text(&inspection));
        println!();
    }
    if doctor::all_required_ok(&findings) { ExitCode::SUCCESS } else { ExitCode::from(1) }
}
