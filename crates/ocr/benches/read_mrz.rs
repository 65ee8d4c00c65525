//! Budget: MRZ from a page photo (locate + read) < 150 ms (release, 2 cores),
//! with the default reader and with both readers (cells and the line recognizer).
//! Reads the generated camera photos of `out/fixtures` (`cargo xtask fixtures`;
//! `TDVERIFY_FIXTURES` overrides the folder), decoding excluded.

use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use tdverify_ocr::{OcrEngine, Reader, load_image, read_mrz, read_mrz_with};

/// The white-light camera and phone photos of the fixture set.
fn photos() -> Vec<image::DynamicImage> {
    let dir = std::env::var_os("TDVERIFY_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../out/fixtures"));
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(&dir) else { return out };
    let mut folders: Vec<PathBuf> = entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
    folders.sort();
    for folder in folders {
        let Ok(truth) = std::fs::read_to_string(folder.join("truth.json")) else { continue };
        if !(truth.contains("\"camera\"") || truth.contains("\"phone\"")) {
            continue;
        }
        for name in ["white.jpg", "white.png"] {
            if let Ok(image) = load_image(&folder.join(name)) {
                out.push(image);
            }
        }
    }
    out
}

fn read_photos(c: &mut Criterion) {
    let engine = match OcrEngine::load_default() {
        Ok(engine) => engine,
        Err(error) => {
            eprintln!("skipping MRZ OCR benchmark: {error}");
            return;
        }
    };
    let photos = photos();
    if photos.is_empty() {
        eprintln!("skipping MRZ OCR benchmark: no camera fixtures (run cargo xtask fixtures)");
        return;
    }
    let mut next = 0usize;
    let mut group = c.benchmark_group("ocr");
    group.sample_size(30);
    group.bench_function("read_mrz_photo", |b| {
        b.iter(|| {
            let photo = &photos[next % photos.len()];
            next += 1;
            read_mrz(photo, &engine)
        })
    });
    if engine.line_recognizer().is_some() {
        group.bench_function("read_mrz_photo_cells_and_lines", |b| {
            b.iter(|| {
                let photo = &photos[next % photos.len()];
                next += 1;
                read_mrz_with(photo, &engine, Reader::Combined, None)
            })
        });
    } else {
        eprintln!("no line recognizer model: the combined row is not measured");
    }
    group.finish();
}

criterion_group!(benches, read_photos);
criterion_main!(benches);
