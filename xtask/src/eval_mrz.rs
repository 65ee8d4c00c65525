//! `cargo xtask eval-mrz DIR [DIR...] [--verbose] [--no-baseline] [--json FILE] [--dump DIR] [--reader cell|line|combined|all]`:
//! (the cell reader, the line recognizer and both combined side by side when models/ocr/mrz_lines.onnx is there)
//! measures MRZ reading from images over folders with ground truth (the
//! `../shared/mrz` layout or generated fixtures; formats documented in
//! `tdverify_ocr::eval`), with Tesseract on our crops as the baseline when it
//! is installed. Timings are only meaningful in a release build
//! (`cargo run --release -p xtask -- eval-mrz DIR`).

use anyhow::{Context, Result};

const USAGE: &str = "usage: cargo xtask eval-mrz DIR [DIR...] [--verbose] [--no-baseline] [--json FILE] [--dump DIR] [--reader cell|line|combined|all]";

/// Parses the arguments, loads the OCR engine and prints the report.
pub fn run(args: &[String]) -> Result<()> {
    if let Some(done) = crate::usage_if_asked(args, USAGE) {
        return done;
    }
    let engine = tdverify_ocr::OcrEngine::load_default().context("loading the MRZ OCR engine (run cargo xtask setup)")?;
    let report = tdverify_ocr::eval::run_cli(args, &engine).context("evaluating MRZ reading")?;
    print!("{report}");
    Ok(())
}
