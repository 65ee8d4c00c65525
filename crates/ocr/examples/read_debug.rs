//! Development aid: reads each image given and prints the raw classifier
//! lines, the decoded lines, and every uncertain position with its candidates.
fn main() {
    let engine = match tdverify_ocr::OcrEngine::load_default() {
        Ok(engine) => engine,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    for arg in std::env::args().skip(1) {
        match tdverify_ocr::read_mrz_file(std::path::Path::new(&arg), &engine) {
            Err(e) => println!("{arg}: {e}"),
            Ok(r) => {
                println!("{arg}: {:?} {:.0} ms upside_down {}", r.status, r.ms, r.upside_down);
                for (raw, line) in r.raw_lines.iter().zip(&r.lines) {
                    println!("  raw {raw}\n  dec {line}");
                }
                for (l, line) in r.characters.iter().enumerate() {
                    for (c, ch) in line.iter().enumerate() {
                        if ch.candidates.first().is_some_and(|k| k.probability < 0.9) {
                            let list: Vec<String> = ch.candidates.iter().take(3).map(|k| format!("{}{:.2}", k.character, k.probability)).collect();
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
