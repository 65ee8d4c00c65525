//! Training data for the line recognizer (models/scripts/ocr/train_mrz_lines.py):
//! runs our own locate + rectify + cut on fixture captures and writes each
//! line's strip, exactly as `line_recognizer::cut_line_strip` hands it to the
//! model, as a PNG (value × 170) with its true text beside it (`.txt`), plus
//! `valid_mrz.txt`: valid MRZs from `tdverify-mrz`'s composer with random
//! field values (one MRZ per row, lines joined by `|`).
//!
//! `cargo run --release -p tdverify-ocr --example export_line_strips -- --out DIR [--valid N] FIXTURES_DIR...`
//!
//! Lines the reader cut into a wrong number of cells are left out (their
//! strip would not match the text). Never run on `../shared/mrz`.

use std::path::{Path, PathBuf};

use tdverify_mrz::{MrzData, MrzDate, MrzFormat, Sex};
use tdverify_ocr::eval::load_dataset;
use tdverify_ocr::line_recognizer::{STRIP_HEIGHT, cut_line_strip};
use tdverify_ocr::read::{ReadTrace, load_image, read_mrz_traced};

fn main() {
    if let Err(message) = run() {
        eprintln!("{message}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let mut out: Option<PathBuf> = None;
    let mut valid = 20_000usize;
    let mut folders = Vec::new();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--out" => out = args.next().map(PathBuf::from),
            "--valid" => {
                valid = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or("--valid needs a number")?
            }
            _ => folders.push(PathBuf::from(arg)),
        }
    }
    let out = out.ok_or("usage: export_line_strips --out DIR [--valid N] FIXTURES_DIR...")?;
    std::fs::create_dir_all(&out).map_err(|e| format!("creating {}: {e}", out.display()))?;
    write_valid_mrzs(&out.join("valid_mrz.txt"), valid)?;
    let engine = tdverify_ocr::OcrEngine::load_default().map_err(|e| e.to_string())?;
    let (mut written, mut skipped) = (0usize, 0usize);
    for (folder_index, folder) in folders.iter().enumerate() {
        let items = load_dataset(folder).map_err(|e| e.to_string())?;
        for (index, item) in items.iter().enumerate() {
            if item.group.ends_with("/counterfeit") {
                continue;
            }
            let Ok(image) = load_image(&item.image) else {
                continue;
            };
            let mut trace = ReadTrace::default();
            if read_mrz_traced(&image, &engine, Some(&mut trace)).is_err() {
                skipped += item.truth.len();
                continue;
            }
            let Some(strip_image) = &trace.strip else {
                continue;
            };
            if trace.cells.len() != item.truth.len() {
                skipped += item.truth.len();
                continue;
            }
            for (line_index, (cells, text)) in trace.cells.iter().zip(&item.truth).enumerate() {
                if cells.centres.len() != text.chars().count() {
                    skipped += 1;
                    continue;
                }
                let Some(strip) = cut_line_strip(strip_image, cells) else {
                    continue;
                };
                let pixels: Vec<u8> = strip
                    .values
                    .iter()
                    .map(|v| (v * 170.0).round().clamp(0.0, 255.0) as u8)
                    .collect();
                let Some(png) =
                    image::GrayImage::from_raw(strip.width as u32, STRIP_HEIGHT as u32, pixels)
                else {
                    continue;
                };
                let stem = out.join(format!("{folder_index}-{index:05}-{line_index}"));
                png.save(stem.with_extension("png"))
                    .map_err(|e| format!("writing {}: {e}", stem.display()))?;
                std::fs::write(stem.with_extension("txt"), text)
                    .map_err(|e| format!("writing {}: {e}", stem.display()))?;
                written += 1;
            }
        }
        eprintln!(
            "{}: {} images, {written} strips so far, {skipped} lines skipped",
            folder.display(),
            items.len()
        );
    }
    println!(
        "{written} strips, {skipped} lines skipped, into {}",
        out.display()
    );
    Ok(())
}

/// A small deterministic generator (no `rand` dependency for an example).
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn text(&mut self, alphabet: &[u8], min: usize, max: usize) -> String {
        let length = min + self.below(max - min + 1);
        (0..length)
            .map(|_| alphabet[self.below(alphabet.len())] as char)
            .collect()
    }
}

/// Valid MRZs from the composer: random names, letter-first and digit-first
/// document numbers, optional data with letters and digits, every layout.
fn write_valid_mrzs(path: &Path, count: usize) -> Result<(), String> {
    const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    const DIGITS: &[u8] = b"0123456789";
    const STATES: [&str; 12] = [
        "UTO", "D", "FRA", "GBR", "USA", "NLD", "ZZA", "ZZB", "ITA", "ESP", "POL", "CAN",
    ];
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut rows = Vec::with_capacity(count);
    let mut attempts = 0;
    while rows.len() < count && attempts < count * 4 {
        attempts += 1;
        let format = [MrzFormat::Td1, MrzFormat::Td2, MrzFormat::Td3][rng.below(3)];
        let code = match format {
            MrzFormat::Td3 => ["P", "P<", "PD", "PO"][rng.below(4)],
            _ => ["I", "ID", "IR", "AC", "I<"][rng.below(5)],
        };
        let number = match rng.below(3) {
            0 => rng.text(DIGITS, 9, 9),
            1 => format!("{}{}", rng.text(LETTERS, 1, 2), rng.text(ALNUM, 6, 7)),
            _ => rng.text(ALNUM, 5, 9),
        };
        let date = |rng: &mut XorShift, from: u16, span: u16| {
            MrzDate::new(
                from + rng.below(span as usize) as u16,
                1 + rng.below(12) as u8,
                1 + rng.below(28) as u8,
            )
        };
        let words = |rng: &mut XorShift, most: usize| -> String {
            let n = 1 + rng.below(most);
            (0..n)
                .map(|_| rng.text(LETTERS, 2, 10))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let optional = if rng.below(2) == 0 {
            String::new()
        } else {
            rng.text(ALNUM, 1, 10)
        };
        let data = MrzData {
            format,
            document_code: code.to_string(),
            issuing_state: STATES[rng.below(STATES.len())].to_string(),
            document_number: number,
            birth_date: Some(date(&mut rng, 1940, 80)),
            sex: [Sex::Male, Sex::Female, Sex::Unspecified, Sex::X][rng.below(4)],
            expiry_date: Some(date(&mut rng, 2020, 15)),
            nationality: STATES[rng.below(STATES.len())].to_string(),
            surname: words(&mut rng, 2),
            given_names: words(&mut rng, 3),
            optional_data: optional,
            optional_data_2: if rng.below(3) == 0 {
                rng.text(ALNUM, 1, 11)
            } else {
                String::new()
            },
        };
        if let Ok(lines) = tdverify_mrz::compose(&data) {
            rows.push(lines.join("|"));
        }
    }
    std::fs::write(path, rows.join("\n") + "\n")
        .map_err(|e| format!("writing {}: {e}", path.display()))
}
