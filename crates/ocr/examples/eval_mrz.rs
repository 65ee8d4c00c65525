//! Release-mode runner of the MRZ evaluation (same code as `cargo xtask eval-mrz`):
//! `cargo run --release -p tdverify-ocr --example eval_mrz -- DIR [--verbose] [--no-baseline]`.
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let engine = match tdverify_ocr::OcrEngine::load_default() {
        Ok(engine) => engine,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    match tdverify_ocr::eval::run_cli(&args, &engine) {
        Ok(report) => print!("{report}"),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
