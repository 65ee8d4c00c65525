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

pub fn run(_context: &Context, args: MrzArgs) -> ExitCode {
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
        eprintln!("tdverify mrz: reading from images is not available in this build ({})", path.display());
        return ExitCode::from(2);
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
