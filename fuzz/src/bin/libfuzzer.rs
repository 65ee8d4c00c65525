//! The coverage-guided engine: libFuzzer over one target, chosen by the
//! `TDVERIFY_FUZZ_TARGET` environment variable (`cargo xtask fuzz` sets it and
//! the sanitizer-coverage flags). A panic, a libFuzzer timeout, its RSS limit or
//! the allocation cap (a single allocation over 1 GiB aborts) is a finding.

#![no_main]

use std::sync::OnceLock;

use tdverify_fuzz::alloc::CappedAllocator;

#[global_allocator]
static ALLOCATOR: CappedAllocator = CappedAllocator;

fn chosen() -> &'static tdverify_fuzz::Target {
    static TARGET: OnceLock<&'static tdverify_fuzz::Target> = OnceLock::new();
    TARGET.get_or_init(|| {
        let name = std::env::var("TDVERIFY_FUZZ_TARGET").unwrap_or_default();
        match tdverify_fuzz::target(&name) {
            Some(target) => target,
            None => {
                let names: Vec<&str> = tdverify_fuzz::TARGETS.iter().map(|t| t.name).collect();
                eprintln!("TDVERIFY_FUZZ_TARGET={name:?} is not one of {names:?}");
                std::process::exit(2);
            }
        }
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    (chosen().run)(data);
});
