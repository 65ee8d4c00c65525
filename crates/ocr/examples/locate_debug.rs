//! Development aid: locates the MRZ in each image given and writes the
//! rectified strips to a scratch folder (never into the repository).
use std::path::PathBuf;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = PathBuf::from(std::env::var("OCR_DEBUG_OUT").unwrap_or_else(|_| "/tmp/ocr-debug".to_string()));
    let _ = std::fs::create_dir_all(&out);
    for arg in args {
        let path = PathBuf::from(&arg);
        let Ok(image) = tdverify_ocr::load_image(&path) else { println!("{arg}: cannot decode"); continue };
        let gray = image.to_luma8();
        let t = std::time::Instant::now();
        let located = tdverify_ocr::locate::locate(&gray);
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        match located {
            None => println!("{arg}: none ({ms:.0} ms)"),
            Some(l) => {
                println!("{arg}: lines {} h {:.1} chars {:.1} ({ms:.0} ms)", l.line_count, l.char_height, l.estimated_chars_per_line);
                if let Some(rect) = tdverify_ocr::segment::rectify(&gray, &l, false) {
                    let name = path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
                    let _ = rect.image.save(out.join(format!("{name}.png")));
                }
            }
        }
    }
}
