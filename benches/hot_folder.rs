//! Issue 30's latency target: a complete set opens within 1 s of its last file. Times,
//! over 20 sets, from the end of the last file's write to the set arriving from the
//! background watcher the window uses (`HotFolderWatch`), with file events and with the
//! listing used on network shares. Images are 1500×1050 PNGs, a 300 dpi passport page.
//! Prints the median, p90 and worst, and writes them to
//! `<target>/criterion/hot_folder/latency.json` beside the other benchmarks.

use std::path::Path;
use std::time::{Duration, Instant};

use tdverify::capture::hot_folder::{HotFolderConfig, HotFolderEvent, HotFolderWatch, NamingRule, WatchMode};
use tdverify::core::Light;

const SETS: usize = 20;

fn page_png(seed: u8) -> Vec<u8> {
    let image = image::RgbImage::from_fn(1500, 1050, |x, y| {
        image::Rgb([(x / 6) as u8 ^ seed, (y / 4) as u8, ((x + y) / 8) as u8 ^ seed.rotate_left(3)])
    });
    let mut bytes = Vec::new();
    image::DynamicImage::ImageRgb8(image)
        .write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Png)
        .expect("encode a PNG");
    bytes
}

/// Milliseconds from the last write to the set, one per set.
fn latencies(folder: &Path, mode: WatchMode, pages: &[Vec<u8>; 3]) -> Vec<f64> {
    let rule = NamingRule::parse("dash-words").expect("a preset");
    let config = HotFolderConfig { mode, ..HotFolderConfig::new(folder, rule.clone()) };
    let watch = HotFolderWatch::start(config, || {}).expect("watch");
    let mut times = Vec::new();
    for index in 0..SETS {
        let stem = format!("{mode:?}-{index:02}");
        for (light, bytes) in [Light::White, Light::Uv].into_iter().zip(pages) {
            std::fs::write(folder.join(rule.file_name(&stem, light, 0).expect("name")), bytes).expect("write");
        }
        std::thread::sleep(Duration::from_millis(50));
        std::fs::write(folder.join(rule.file_name(&stem, Light::Ir, 0).expect("name")), &pages[2]).expect("write");
        let written = Instant::now();
        loop {
            match watch.try_next() {
                Some(HotFolderEvent::Set(set)) => {
                    assert_eq!(set.stem, stem);
                    break;
                }
                Some(HotFolderEvent::Problem(problem)) => panic!("{}", problem.message),
                None => {
                    assert!(written.elapsed() < Duration::from_secs(10), "set {stem} never arrived");
                    std::thread::sleep(Duration::from_millis(1));
                }
            }
        }
        times.push(written.elapsed().as_secs_f64() * 1e3);
    }
    times
}

fn summary(mut times: Vec<f64>) -> (f64, f64, f64) {
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.9), times[times.len() - 1])
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    if !args.is_empty() && !args.iter().any(|a| "hot_folder/latency".contains(a.as_str())) {
        return;
    }
    let pages = [page_png(1), page_png(2), page_png(3)];
    let mut results = serde_json::Map::new();
    for mode in [WatchMode::Events, WatchMode::Listing] {
        let dir = tempfile::tempdir().expect("temp dir");
        let (median, p90, worst) = summary(latencies(dir.path(), mode, &pages));
        println!(
            "hot_folder/latency {mode:?}: median {median:.0} ms, p90 {p90:.0} ms, worst {worst:.0} ms over {SETS} sets"
        );
        results.insert(
            format!("{mode:?}").to_lowercase(),
            serde_json::json!({"median_ms": median, "p90_ms": p90, "worst_ms": worst, "sets": SETS}),
        );
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let out = target.join("criterion/hot_folder");
    if std::fs::create_dir_all(&out).is_ok() {
        let _ = std::fs::write(out.join("latency.json"), serde_json::Value::Object(results).to_string());
    }
}
