use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use tdverify::mrz;

use super::Context;

/// `tdverify mrz`: parse and validate one document's MRZ.
#[derive(Debug, clap::Args)]
pub struct MrzArgs {
    /// Print the stable JSON contract instead of a table.
    #[arg(long)]
    json: bool,
    /// Inspection date (YYYY-MM-DD) for expiry and century rules; default today (UTC).
    #[arg(long, value_name = "DATE")]
    date: Option<String>,
    /// Read the MRZ from a photo or scan instead of standard input.
    #[arg(long, value_name = "FILE")]
    image: Option<PathBuf>,
}

pub fn run(context: &Context, args: MrzArgs) -> ExitCode {
    let inspection_date = match args.date.as_deref() {
        None => tdverify::clock::today_utc(),
        Some(text) => match tdverify::clock::parse_iso_date(text) {
            Some(date) => date,
            None => {
                eprintln!("tdverify mrz: --date must be a real day as YYYY-MM-DD, got `{text}`");
                return ExitCode::from(2);
            }
        },
    };
    if let Some(path) = &args.image {
        return read_image(context, path, args.json, inspection_date);
    }
    let mut input = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut input) {
        eprintln!("tdverify mrz: cannot read standard input: {e}");
        return ExitCode::from(2);
    }
    let parsed = match mrz::parse(&input) {
        Ok(parsed) => parsed,
        Err(e) => {
            eprintln!("tdverify mrz: {e}");
            return ExitCode::from(2);
        }
    };
    let checks = mrz::checks(&parsed, inspection_date);
    if args.json {
        println!("{}", mrz::report_json(&parsed, &checks, inspection_date));
    } else {
        print!("{}", mrz::report_table(&parsed, &checks, inspection_date));
    }
    ExitCode::SUCCESS
}

/// `--image FILE`: locate and read the MRZ, then the same report as the text
/// form plus `lines`, `confidence`, `corrections`, `ms`. Exit 3 when no MRZ was found.
fn read_image(context: &Context, path: &std::path::Path, json: bool, inspection_date: mrz::MrzDate) -> ExitCode {
    let image = match tdverify::capture::decode_file(path) {
        Ok(image) => image,
        Err(e) => {
            eprintln!("tdverify mrz: {e}");
            return ExitCode::from(2);
        }
    };
    let engine = match tdverify::ocr::OcrEngine::load(&context.resources.onnxruntime, &context.resources.models) {
        Ok(engine) => engine,
        Err(e) => {
            eprintln!("tdverify mrz: the MRZ reader cannot start: {e} (run `tdverify doctor`)");
            return ExitCode::from(1);
        }
    };
    let reading = match tdverify::ocr::read_mrz(&image, &engine) {
        Ok(reading) => reading,
        Err(tdverify::ocr::OcrError::NoMrzFound { reason }) => {
            eprintln!("tdverify mrz: no MRZ found in {} ({reason}); rescan with the whole data page visible, or type the lines", path.display());
            return ExitCode::from(3);
        }
        Err(e) => {
            eprintln!("tdverify mrz: {e}");
            return ExitCode::from(2);
        }
    };
    let reading_json = tdverify::ocr::reading_json(&reading);
    let trusted = matches!(reading.status, tdverify::ocr::ReadingStatus::Valid | tdverify::ocr::ReadingStatus::Invalid);
    let parsed = if trusted { mrz::parse(&reading.text()).ok() } else { None };
    let mut object = match &parsed {
        Some(parsed) => {
            let checks = mrz::checks(parsed, inspection_date);
            mrz::report_json(parsed, &checks, inspection_date)
        }
        // Not trusted: report no fields rather than a guess that could look valid.
        None => serde_json::json!({"format": null, "valid": false, "fields": null, "checks": []}),
    };
    for key in ["lines", "confidence", "corrections", "ms", "status", "quadrilateral", "characters", "upside_down"] {
        if let (Some(target), Some(value)) = (object.as_object_mut(), reading_json.get(key)) {
            target.insert(key.to_owned(), value.clone());
        }
    }
    if json {
        println!("{object}");
    } else {
        match &parsed {
            Some(parsed) => {
                let checks = mrz::checks(parsed, inspection_date);
                print!("{}", mrz::report_table(parsed, &checks, inspection_date));
            }
            None => {
                println!("MRZ found but not read with confidence ({}): check it and type the lines.", reading_json["status"].as_str().unwrap_or("low confidence"));
                for line in &reading.lines {
                    println!("  {line}");
                }
            }
        }
        for correction in reading_json["corrections"].as_array().into_iter().flatten() {
            println!("  corrected line {} column {}: {} → {} ({})", correction["line"], correction["column"], correction["from"], correction["to"], correction["reason"].as_str().unwrap_or_default());
        }
        println!("confidence {:.0} %, {:.0} ms", reading.confidence * 100.0, reading.ms);
    }
    ExitCode::SUCCESS
}
