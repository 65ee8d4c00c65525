//! Calibration of the portrait boundary checks (`photo.guilloche_continuity`,
//! `photo.overlap_intact`): one line per document side with the scenario,
//! template, capture kind and each check's status and message, for a script
//! to tabulate. Generates the set first when given `--generate SEED COUNT
//! flatbed|camera|phone [--faces DIR]` (genuine and clean photo substitutions
//! in turn, one thread).
//!
//! `cargo run --release -p tdverify-document --example portrait_boundary_eval -- DIR [--generate 5301 40 camera --faces ../shared/faces/london]`;
//! `-- - --specimens` re-renders the reference library's specimen images.

use std::path::{Path, PathBuf};

use tdverify_core::{Capture, CaptureSource, Light};
use tdverify_document::reference::ReferenceLibrary;
use tdverify_document::{DocumentOptions, check_document_with};
use tdverify_fixtures::{CaptureMix, FixtureConfig, Scenario, generate};
use tdverify_mrz::MrzDate;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = PathBuf::from(args.first().expect("DIR"));
    let library_root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../reference-library");
    if args.iter().any(|a| a == "--specimens") {
        // The specimen images, as `cargo xtask fixtures --specimens` renders them.
        let written = tdverify_fixtures::render_specimens(&library_root, 100.0).expect("specimens");
        println!("wrote {} specimen images", written.len());
        return;
    }
    let library = ReferenceLibrary::load(&library_root).expect("library");
    if let Some(i) = args.iter().position(|a| a == "--generate") {
        let mut config = FixtureConfig::new(library_root.clone());
        config.seed = args[i + 1].parse().expect("seed");
        config.count = args[i + 2].parse().expect("count");
        config.captures = match args[i + 3].as_str() {
            "camera" => CaptureMix::Camera,
            "phone" => CaptureMix::Phone,
            _ => CaptureMix::Flatbed(300),
        };
        config.threads = 1;
        config.scenarios = Some(vec![Scenario::Genuine, Scenario::PhotoSubstitutionClean]);
        if let Some(f) = args.iter().position(|a| a == "--faces") {
            config.faces = Some(PathBuf::from(&args[f + 1]));
        }
        generate(&config, &dir, |_, _| {}).expect("generate");
    }
    let mut folders: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("truth.json").is_file())
        .collect();
    folders.sort();
    for folder in folders {
        let truth: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(folder.join("truth.json")).expect("truth"),
        )
        .expect("truth json");
        let scenario = truth["scenario"].as_str().unwrap_or("?");
        let template = truth["template"].as_str().unwrap_or("?");
        let date = truth["reference_date"].as_str().unwrap_or("2026-01-01");
        let parts: Vec<u16> = date.split('-').filter_map(|p| p.parse().ok()).collect();
        let today = MrzDate::new(parts[0], parts[1] as u8, parts[2] as u8);
        let lines: Vec<String> = truth["mrz"]["lines"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|l| l.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        let mrz = tdverify_mrz::parse(&lines.join("\n")).ok();
        let kind = truth["capture"]["kind"].as_str().unwrap_or("?");
        for side in truth["sides"].as_array().cloned().unwrap_or_default() {
            let mut captures = Vec::new();
            for (key, light) in [
                ("white", Light::White),
                ("uv", Light::Uv),
                ("ir", Light::Ir),
            ] {
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
            let options = DocumentOptions {
                today,
                side: side["name"].as_str().map(String::from),
                viz: None,
            };
            let report =
                check_document_with(&captures, &library, mrz.as_ref(), &options, &mut |_, _| {});
            let px_per_mm = report
                .registrations
                .iter()
                .find(|r| r.light == Light::White)
                .map_or(0.0, |r| r.registration.px_per_mm);
            for id in ["photo.guilloche_continuity", "photo.overlap_intact"] {
                if let Some(check) = report.check(id) {
                    println!(
                        "{}\t{scenario}\t{template}\t{kind}\t{px_per_mm:.1}\t{}\t{id}\t{}\t{}",
                        folder
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default(),
                        side["name"].as_str().unwrap_or("?"),
                        check.status.as_str(),
                        check.message
                    );
                }
            }
        }
    }
}
