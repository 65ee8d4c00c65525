//! Development aid: reads each image given and prints the raw classifier
//! lines, the decoded lines, and every uncertain position with its candidates.
//! With `READ_DEBUG_PATCHES=DIR`, also saves what the classifier saw: one
//! mosaic per image, a row of patches per line (scratch folder, not the repo).
//! `READ_DEBUG_TOP=N` lists N candidates per position (3 by default; the
//! reading keeps at most 5).
fn main() {
    let shown: usize = std::env::var("READ_DEBUG_TOP").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
    let engine = match tdverify_ocr::OcrEngine::load_default() {
        Ok(engine) => engine,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    for arg in std::env::args().skip(1) {
        let path = std::path::Path::new(&arg);
        let mut trace = tdverify_ocr::ReadTrace::default();
        let result = tdverify_ocr::load_image(path).and_then(|image| tdverify_ocr::read_mrz_traced(&image, &engine, Some(&mut trace)));
        for line in &trace.cells {
            println!("  cut: height {:.1} pitch {:.1} y {:.1} first {:.1} black {:.0} white {:.0} slant {:.3}", line.height, line.pitch, line.centre_y, line.centres.first().copied().unwrap_or(0.0), line.black, line.white, line.slant);
        }
        if let (Ok(dir), Some(strip)) = (std::env::var("READ_DEBUG_PATCHES"), trace.strip.as_ref()) {
            save_patches(std::path::Path::new(&dir), path, strip, &trace.cells);
        }
        match result {
            Err(e) => println!("{arg}: {e}"),
            Ok(r) => {
                println!("{arg}: {:?} {:.0} ms upside_down {}", r.status, r.ms, r.upside_down);
                for (raw, line) in r.raw_lines.iter().zip(&r.lines) {
                    println!("  raw {raw}\n  dec {line}");
                }
                for (l, line) in r.characters.iter().enumerate() {
                    for (c, ch) in line.iter().enumerate() {
                        if ch.candidates.first().is_some_and(|k| k.probability < 0.9) {
                            let list: Vec<String> = ch.candidates.iter().take(shown).map(|k| format!("{}{:.2}", k.character, k.probability)).collect();
                            println!("  {l}:{c:>2} {}", list.join(" "));
                        }
                    }
                }
                for k in &r.corrections {
                    println!("  fix {}:{} {}->{} {}", k.line, k.column, k.from, k.to, k.reason);
                }
            }
        }
    }
}

/// One mosaic of every cell's classifier window, a row per line, magnified 3x.
fn save_patches(dir: &std::path::Path, image: &std::path::Path, strip: &image::GrayImage, lines: &[tdverify_ocr::segment::LineCells]) {
    use tdverify_ocr::segment::{PATCH_HEIGHT, PATCH_WIDTH, cut_patch};
    let columns = lines.iter().map(|l| l.centres.len()).max().unwrap_or(0);
    let (cw, ch) = (PATCH_WIDTH as u32 + 2, PATCH_HEIGHT as u32 + 2);
    let mut mosaic = image::GrayImage::from_pixel(columns as u32 * cw, lines.len() as u32 * ch, image::Luma([128]));
    for (row, line) in lines.iter().enumerate() {
        for (col, &centre) in line.centres.iter().enumerate() {
            let mut patch = Vec::new();
            cut_patch(strip, line, centre, &mut patch);
            for (i, v) in patch.iter().enumerate() {
                let (x, y) = ((i % PATCH_WIDTH) as u32, (i / PATCH_WIDTH) as u32);
                let value = (v.min(1.0) * 255.0) as u8;
                mosaic.put_pixel(col as u32 * cw + 1 + x, row as u32 * ch + 1 + y, image::Luma([value]));
            }
        }
    }
    let name = image.to_string_lossy().replace('/', "_");
    let _ = strip.save(dir.join(format!("{name}.strip.png")));
    let big = image::imageops::resize(&mosaic, mosaic.width() * 3, mosaic.height() * 3, image::imageops::FilterType::Nearest);
    let name = image.to_string_lossy().replace('/', "_");
    if let Err(e) = std::fs::create_dir_all(dir).and_then(|_| big.save(dir.join(format!("{name}.png"))).map_err(std::io::Error::other)) {
        eprintln!("cannot save patches: {e}");
    }
}
