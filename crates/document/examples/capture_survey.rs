//! Survey of the document checks on a fixture folder: for every document,
//! the checks that are not a pass (or, with `--all`, every check), with the
//! capture kind from ground truth. Generates a set first when given
//! `--generate camera|phone|mixed SEED COUNT`.
//!
//! `cargo run --release -p tdverify-document --example capture_survey -- DIR [--genuine] [--generate mixed 1 52]`

use std::path::{Path, PathBuf};

use tdverify_core::{Capture, CaptureSource, CheckStatus, Light};
use tdverify_document::reference::ReferenceLibrary;
use tdverify_document::{DocumentOptions, check_document_with};
use tdverify_fixtures::{CaptureMix, FixtureConfig, generate};
use tdverify_mrz::MrzDate;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = PathBuf::from(args.first().expect("DIR"));
    let library_root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../reference-library");
    let library = ReferenceLibrary::load(&library_root).expect("library");
    if let Some(i) = args.iter().position(|a| a == "--generate") {
        let mut config = FixtureConfig::new(library_root.clone());
        config.captures = match args[i + 1].as_str() {
            "camera" => CaptureMix::Camera,
            "phone" => CaptureMix::Phone,
            _ => CaptureMix::Mixed,
        };
        config.seed = args[i + 2].parse().expect("seed");
        config.count = args[i + 3].parse().expect("count");
        generate(&config, &dir, |_, _| {}).expect("generate");
    }
    if args.iter().any(|a| a == "--eval") {
        let report = tdverify_document::eval::evaluate_folder(&dir, &library, None).expect("eval");
        println!("{}", report.table());
        return;
    }
    let genuine_only = args.iter().any(|a| a == "--genuine");
    let all = args.iter().any(|a| a == "--all");
    let mut folders: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("truth.json").is_file())
        .collect();
    folders.sort();
    for folder in folders {
        let truth: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(folder.join("truth.json")).unwrap())
                .unwrap();
        let scenario = truth["scenario"].as_str().unwrap_or("?");
        if genuine_only && scenario != "genuine" {
            continue;
        }
        let date = truth["reference_date"].as_str().unwrap_or("2026-01-01");
        let parts: Vec<u16> = date.split('-').filter_map(|p| p.parse().ok()).collect();
        let today = MrzDate::new(parts[0], parts[1] as u8, parts[2] as u8);
        let lines: Vec<String> = truth["mrz"]["lines"]
            .as_array()
            .map(|a| a.iter().filter_map(|l| l.as_str().map(String::from)).collect())
            .unwrap_or_default();
        let mrz = tdverify_mrz::parse(&lines.join("\n")).ok();
        for side in truth["sides"].as_array().cloned().unwrap_or_default() {
            let mut captures = Vec::new();
            for (key, light) in [("white", Light::White), ("uv", Light::Uv), ("ir", Light::Ir)] {
                if let Some(file) = side[key].as_str() {
                    let image = image::open(folder.join(file)).expect("image");
                    captures.push(Capture {
                        light,
                        image,
                        dpi: None,
                        source: CaptureSource::Fixture(file.to_string()),
                    });
                }
            }
            let kind = side["capture"]["kind"]
                .as_str()
                .or(truth["capture"]["kind"].as_str())
                .unwrap_or("?");
            let glare = truth["capture"]["glare"].clone();
            let options = DocumentOptions { today, side: None, viz: None };
            let report = check_document_with(&captures, &library, mrz.as_ref(), &options, &mut |_, _| {});
            println!(
                "== {} [{}] side {} capture {} glare {}",
                folder.file_name().unwrap().to_string_lossy(),
                scenario,
                report.side.as_deref().unwrap_or("?"),
                kind,
                glare
            );
            if args.iter().any(|a| a == "--corners") {
                for r in &report.registrations {
                    println!("   corners {:?} {:?} conf {:.2} ({})", r.light, r.registration.page_corners_px, r.registration.confidence, r.registration.method);
                }
                println!("   truth   {}", truth["capture"]["page_corners_px"]);
            }
            for check in &report.checks {
                if all || check.status != CheckStatus::Pass {
                    let recapture = check
                        .recapture
                        .as_deref()
                        .map(|r| format!(" [recapture: {r}]"))
                        .unwrap_or_default();
                    println!("   {:<26} {:<14} {}{}", check.id, check.status.as_str(), check.message, recapture);
                }
            }
        }
    }
}
