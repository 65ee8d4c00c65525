//! Every target over its committed seed corpus and its regression inputs
//! (`fuzz/corpus/<target>/`, `fuzz/regressions/<target>/`), under the
//! allocation cap: the fuzzers' findings stay fixed, and a target without
//! seeds fails.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tdverify_fuzz::TARGETS;
use tdverify_fuzz::alloc::CappedAllocator;

#[global_allocator]
static ALLOCATOR: CappedAllocator = CappedAllocator;

/// The longest one input may take here (debug build); a hang is a finding.
const PER_INPUT: Duration = Duration::from_secs(20);

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|e| e.path()).filter(|p| p.is_file()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn every_target_has_seeds_and_runs_them_and_its_regressions() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for target in TARGETS {
        let seeds = inputs(&root.join("corpus").join(target.name));
        assert!(
            !seeds.is_empty(),
            "fuzz/corpus/{} has no seeds: run `cargo run -p tdverify-fuzz --bin seeds`",
            target.name
        );
        let regressions = inputs(&root.join("regressions").join(target.name));
        for path in seeds.iter().chain(&regressions) {
            let data = std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
            let started = Instant::now();
            (target.run)(&data);
            assert!(started.elapsed() < PER_INPUT, "{} took {:?}", path.display(), started.elapsed());
        }
    }
}

#[test]
fn the_committed_seeds_are_what_the_generator_writes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let seeds = tdverify_fuzz::seeds::all().expect("the seeds generate");
    for target in TARGETS {
        assert!(seeds.iter().any(|(t, _, _)| *t == target.name), "no seed generated for {}", target.name);
    }
    for (target, name, _) in &seeds {
        let path = root.join(target).join(name);
        assert!(path.is_file(), "{} is missing: run `cargo run -p tdverify-fuzz --bin seeds`", path.display());
    }
}
