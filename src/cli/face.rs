use std::path::PathBuf;
use std::process::ExitCode;

use tdverify::face::{EngineConfig, FaceEngine, cli};

use super::Context;

/// `tdverify face`: compare faces.
#[derive(Debug, clap::Args)]
pub struct FaceArgs {
    #[command(subcommand)]
    command: FaceCommand,
}

#[derive(Debug, clap::Subcommand)]
enum FaceCommand {
    /// Compare two face images, or many pairs with --pairs.
    Compare(CompareArgs),
}

#[derive(Debug, clap::Args)]
struct CompareArgs {
    /// First image.
    a: Option<PathBuf>,
    /// Second image.
    b: Option<PathBuf>,
    /// A file with one `A B` pair of paths per line (tab-separated for paths with spaces); `-` for standard input.
    #[arg(long, value_name = "LIST")]
    pairs: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(context: &Context, args: FaceArgs) -> ExitCode {
    let FaceCommand::Compare(args) = args.command;
    let engine = match tdverify_runtime::init_onnxruntime(&context.resources.onnxruntime)
        .map_err(tdverify::face::FaceError::from)
        .and_then(|runtime| {
            FaceEngine::load(
                &runtime,
                EngineConfig { models_dir: context.resources.models.clone(), ..EngineConfig::default() },
            )
        }) {
        Ok(engine) => engine,
        Err(e) => {
            eprintln!("tdverify face: cannot load the face models: {e} (run `tdverify doctor`)");
            return ExitCode::from(1);
        }
    };
    if let Some(list) = &args.pairs {
        let stdout = std::io::stdout();
        let result = if list.as_os_str() == "-" {
            cli::compare_pairs(&engine, std::io::stdin().lock(), stdout.lock())
        } else {
            match std::fs::File::open(list) {
                Ok(file) => cli::compare_pairs(&engine, std::io::BufReader::new(file), stdout.lock()),
                Err(e) => {
                    eprintln!("tdverify face: cannot read {}: {e}", list.display());
                    return ExitCode::from(2);
                }
            }
        };
        return match result {
            Ok(_) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("tdverify face: {e}");
                ExitCode::from(1)
            }
        };
    }
    let (Some(a), Some(b)) = (&args.a, &args.b) else {
        eprintln!("tdverify face compare: give two images (A B) or --pairs LIST");
        return ExitCode::from(2);
    };
    let result = cli::compare_json(&engine, a, b);
    if result.get("error").is_some_and(|e| !e.is_null()) {
        eprintln!("tdverify face: {}", result["error"].as_str().unwrap_or("cannot read the images"));
        return ExitCode::from(2);
    }
    if args.json {
        println!("{result}");
    } else {
        let score = result["score"].as_f64().map_or("none".to_owned(), |s| format!("{s:.3}"));
        println!("decision: {}  (score {score})", result["decision"].as_str().unwrap_or("?"));
        if let Some(explanation) = result["explanation"].as_str() {
            println!("{explanation}");
        }
        for side in ["a", "b"] {
            for warning in result["quality"][side]["warnings"].as_array().into_iter().flatten() {
                println!("  {side}: {}", warning["message"].as_str().unwrap_or_default());
            }
        }
        println!("{:.0} ms", result["ms"].as_f64().unwrap_or_default());
    }
    ExitCode::SUCCESS
}
