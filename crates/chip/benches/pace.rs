//! PACE alone (MSE:Set AT and the four GENERAL AUTHENTICATE steps, both sides
//! in-process: the terminal and the virtual chip) for each mapping and domain,
//! to compare the generic and integrated mappings and see what the larger
//! curves and DH groups cost. Prints one row per protocol: median and maximum
//! of the whole handshake in milliseconds (terminal and chip work together).
//!
//! Run: `cargo bench -p tdverify-chip --bench pace` (or `cargo test -p
//! tdverify-chip --bench pace` for a quick unoptimised pass).

use std::time::Instant;

use tdverify_chip::crypto::CipherKind;
use tdverify_chip::emulator::VirtualChip;
use tdverify_chip::emulator::builder::{self, DatasetSpec};
use tdverify_chip::key::{AccessKey, MrzKey};
use tdverify_chip::lds::{FileId, security_infos};
use tdverify_chip::pace;

const ITERATIONS: usize = 15;

/// A specimen chip offering exactly one PACE protocol (no chip or active
/// authentication keys: only PACE runs).
fn chip(pace: (CipherKind, u16, u32), integrated: bool) -> VirtualChip {
    let key = MrzKey::new("L898902C", "740812", "120415").expect("specimen key");
    let mut spec = DatasetSpec::passport(
        vec![
            "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<".into(),
            "L898902C<3UTO7408122F1204159ZE184226B<<<<<10".into(),
        ],
        key,
    );
    spec.pace = Some(pace);
    spec.pace_integrated = integrated;
    spec.active_authentication = None;
    spec.chip_authentication = None;
    VirtualChip::new(builder::build(&spec).expect("TEST dataset builds"))
}

fn main() {
    let key = AccessKey::Mrz(MrzKey::new("L898902C", "740812", "120415").expect("specimen key"));
    let cases = [
        ("brainpoolP256r1", (CipherKind::Aes, 128, 13)),
        ("P-256", (CipherKind::Aes, 128, 12)),
        ("brainpoolP384r1", (CipherKind::Aes, 256, 16)),
        ("brainpoolP512r1", (CipherKind::Aes, 256, 17)),
        ("DH 2048/256 (RFC 5114)", (CipherKind::Aes, 128, 2)),
    ];
    println!("PACE handshake, terminal + virtual chip in-process, {ITERATIONS} runs");
    println!(
        "{:<24} {:<24} {:>10} {:>9}",
        "domain", "protocol", "median ms", "max ms"
    );
    for (domain, pace_spec) in cases {
        for integrated in [false, true] {
            let mut chip = chip(pace_spec, integrated);
            let card_access = chip
                .dataset()
                .files
                .get(&FileId::CardAccess)
                .cloned()
                .unwrap_or_default();
            let infos = security_infos::parse(&card_access).expect("EF.CardAccess parses");
            let mut times = Vec::with_capacity(ITERATIONS);
            let mut name = String::new();
            for run in 0..=ITERATIONS {
                chip.reset();
                let mut count = 0;
                let started = Instant::now();
                let outcome =
                    pace::perform(&mut chip, &key, &infos, &mut count).expect("PACE succeeds");
                let elapsed = started.elapsed().as_secs_f64() * 1000.0;
                // The first run warms up caches and is not counted.
                if run > 0 {
                    times.push(elapsed);
                }
                name = outcome.protocol.name();
            }
            times.sort_by(f64::total_cmp);
            println!(
                "{:<24} {:<24} {:>10.1} {:>9.1}",
                domain,
                name,
                times[times.len() / 2],
                times[times.len() - 1]
            );
        }
    }
}
