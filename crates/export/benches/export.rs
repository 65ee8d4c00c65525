//! DESIGN.md budget: export 100 000 cases < 5 s (release, 2 cores), memory < 500 MB.
//! Measures prepare (select + decrypt profiles + map + k-anonymity) and write (files,
//! hashes, signature, export log) on a generated TEST-ONLY store of 100 000 cases. The
//! peak resident memory of the export alone (the peak is reset after generating the
//! store) is written beside criterion's estimates for `cargo xtask bench`.

#[path = "../tests/common/mod.rs"]
mod common;

use criterion::{Criterion, criterion_group, criterion_main};
use tdverify_export::{Period, prepare, write};

/// Peak resident set size in MB (VmHWM), Linux only.
fn peak_rss_mb() -> Option<f64> {
    status_mb("VmHWM:")
}

/// A memory line of /proc/self/status in MB.
fn status_mb(key: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn export_100k(c: &mut Criterion) {
    let generated = common::generate(100_000, 42, 0);
    let (store, supervisor, eligible) = (generated.store, generated.supervisor, generated.eligible);
    drop(generated.personal);
    let out = tempfile::tempdir().expect("out dir");
    let period = Period::parse("2026-10", "2026-12").expect("period");
    // Reset the peak so it measures the export, not the generation.
    if std::env::var_os("TDVERIFY_BENCH_SPLIT").is_some() {
        for _ in 0..2 {
            let t = std::time::Instant::now();
            let prepared = prepare(&store, &supervisor, period, 5).expect("prepare");
            let t1 = t.elapsed();
            let written = write(&store, &supervisor, &prepared, out.path(), true, &mut |_| {}).expect("write");
            eprintln!("split: prepare {:?}, write {:?}", t1, t.elapsed() - t1);
            std::fs::remove_dir_all(&written.bundle).expect("clean");
        }
    }
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    // What the process holds before the export (the generated store's leftovers in the
    // allocator): the export's own cost is the peak above this.
    let baseline = status_mb("VmRSS:").unwrap_or(0.0);
    let mut last = None;
    let mut group = c.benchmark_group("export");
    group.sample_size(10);
    group.bench_function("bundle_100k", |b| {
        b.iter(|| {
            let prepared = prepare(&store, &supervisor, period, 5).expect("prepare");
            let written = write(&store, &supervisor, &prepared, out.path(), true, &mut |_| {}).expect("write");
            std::fs::remove_dir_all(&written.bundle).expect("clean");
            last = Some(written);
        })
    });
    group.finish();
    if let (Some(written), Some(peak)) = (last, peak_rss_mb()) {
        let rate = 100.0 * written.suppressed as f64 / eligible.max(1) as f64;
        eprintln!(
            "export/bundle_100k: {eligible} eligible, {} exported, {} suppressed ({rate:.1} %), peak RSS {peak:.0} MB, of which before the export {baseline:.0} MB",
            written.records, written.suppressed
        );
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("../criterion/export/bundle_100k");
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(dir.join("peak_rss_mb.txt"), format!("{:.0}\n", peak - baseline));
        let _ = std::fs::write(dir.join("suppression.txt"), format!("{eligible} {} {} {rate:.1}\n", written.records, written.suppressed));
    }
}

criterion_group!(benches, export_100k);
criterion_main!(benches);
