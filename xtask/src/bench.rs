//! `cargo xtask bench`: runs the criterion benchmarks and prints their medians
//! next to the budgets of DESIGN.md.

use std::fs;

use anyhow::Result;

use crate::{paths, shell};

/// Budgets from DESIGN.md, keyed by criterion benchmark id prefix.
const BUDGETS: &[(&str, &str, f64)] = &[
    ("mrz/parse_validate", "parse + validate one MRZ", 5e-6),
    ("store/save_case", "save a case", 50e-3),
    ("store/open_case_list_100k", "open case list with 100 000 cases", 200e-3),
    ("face/compare", "face compare, detect + align + embed", 120e-3),
];

/// `cargo xtask bench [criterion filter]`.
pub fn run(args: &[String]) -> Result<()> {
    shell::run(shell::cargo().args(["bench", "--workspace", "--quiet"]).arg("--").args(args))?;
    println!("\n{:<45} {:>14} {:>14}  verdict", "benchmark", "median", "budget");
    let criterion = paths::target_dir().join("criterion");
    for (id, what, budget) in BUDGETS {
        let estimates = criterion.join(id).join("new").join("estimates.json");
        let median = fs::read_to_string(&estimates)
            .ok()
            .and_then(|text| serde_median_seconds(&text));
        match median {
            Some(seconds) => println!(
                "{:<45} {:>14} {:>14}  {}",
                what,
                human(seconds),
                human(*budget),
                if seconds <= *budget { "within" } else { "OVER" }
            ),
            None => println!("{what:<45} {:>14} {:>14}  not measured", "-", human(*budget)),
        }
    }
    Ok(())
}

/// Reads `median.point_estimate` (nanoseconds) without a JSON dependency.
fn serde_median_seconds(text: &str) -> Option<f64> {
    let at = text.find("\"median\"")?;
    let rest = &text[at..];
    let key = rest.find("\"point_estimate\":")?;
    let number: String = rest[key + 17..].chars().take_while(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+')).collect();
    number.parse::<f64>().ok().map(|ns| ns * 1e-9)
}

fn human(seconds: f64) -> String {
    if seconds < 1e-3 {
        format!("{:.2} µs", seconds * 1e6)
    } else if seconds < 1.0 {
        format!("{:.1} ms", seconds * 1e3)
    } else {
        format!("{seconds:.2} s")
    }
}
