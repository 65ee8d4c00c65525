//! Budget: BAC or PACE, then EF.COM, EF.SOD, DG1, DG2 (20 KB), DG14, DG15, with
//! passive authentication (tdverify-pki, TEST PKI) and active authentication
//! (chip authentication runs too, as in a real read): < 500 ms through
//! pcscd + vpcd. Prints a table: one row for the in-process virtual chip and,
//! when pcscd with the vsmartcard vpcd reader is running, one through PC/SC;
//! the APDU count is printed next to the minimum the read size allows.
//!
//! Run: `cargo bench -p tdverify-chip --bench chip_read` (or `cargo test -p
//! tdverify-chip --bench chip_read` for a quick unoptimised pass).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tdverify_chip::emulator::{ChipDataset, VirtualChip, builder, vpcd};
use tdverify_chip::key::AccessKey;
use tdverify_chip::lds::FileId;
use tdverify_chip::pcsc_transport::{self, PcscTransport};
use tdverify_chip::reader::{AuthStatus, ChipRead, ChipReader, ReadOptions, minimum_read_apdus};
use tdverify_chip::transport::Transport;
use tdverify_pki::testpki::{TestKeyAlgorithm, TestPki, sign_sod, test_date};
use tdverify_pki::{CscaStore, HashAlgorithm, passive_authentication};

const ITERATIONS: usize = 15;
const BUDGET_MS: f64 = 500.0;
const FILES: [FileId; 7] = [FileId::CardAccess, FileId::Com, FileId::Sod, FileId::Dg(1), FileId::Dg(2), FileId::Dg(14), FileId::Dg(15)];

/// The specimen passport with a 20 KB DG2, its EF.SOD signed by a TEST Document Signer.
fn signed_dataset(pki: &TestPki) -> ChipDataset {
    let mut dataset = builder::specimen_passport().expect("TEST dataset builds");
    dataset.files.remove(&FileId::Dg(11));
    let data_groups: BTreeMap<u8, Vec<u8>> =
        dataset.files.iter().filter_map(|(id, bytes)| if let FileId::Dg(n) = id { Some((*n, bytes.clone())) } else { None }).collect();
    let sod = sign_sod(&pki.document_signer, &data_groups, HashAlgorithm::Sha256, test_date(2024, 1, 1)).expect("TEST SOD signs");
    dataset.files.insert(FileId::Sod, sod);
    dataset
}

fn key() -> AccessKey {
    AccessKey::Mrz(tdverify_chip::key::MrzKey::new("L898902C", "740812", "120415").expect("specimen key"))
}

/// One full read plus passive authentication; returns the read and whether PA passed.
fn read_and_verify(transport: &mut dyn Transport, store: &CscaStore) -> (ChipRead, bool) {
    let mut options = ReadOptions::new(key());
    options.files = FILES.to_vec();
    let read = ChipReader::new(options).read(transport, &mut |_| {}).expect("chip reads");
    let data_groups: BTreeMap<u8, Vec<u8>> =
        read.files.iter().filter_map(|(id, bytes)| if let FileId::Dg(n) = id { Some((*n, bytes.clone())) } else { None }).collect();
    let sod = read.files.get(&FileId::Sod).cloned().unwrap_or_default();
    let pa = passive_authentication(&sod, &data_groups, store, tdverify_pki::now_unix());
    let ok = pa.status == tdverify_core::CheckStatus::Pass && read.aa.status == AuthStatus::Passed;
    (read, ok)
}

struct Row {
    path: &'static str,
    median_ms: f64,
    max_ms: f64,
    apdus: u32,
    minimum: u32,
    read_size: usize,
    ok: bool,
}

fn measure(path: &'static str, read_size: usize, mut run: impl FnMut() -> (ChipRead, bool)) -> Row {
    let _ = run(); // warm-up
    let mut times = Vec::new();
    let mut last = None;
    let mut all_ok = true;
    for _ in 0..ITERATIONS {
        let started = Instant::now();
        let (read, ok) = run();
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        all_ok &= ok;
        last = Some(read);
    }
    times.sort_by(f64::total_cmp);
    let read = last.expect("at least one iteration");
    Row {
        path,
        median_ms: times[times.len() / 2],
        max_ms: times[times.len() - 1],
        apdus: read.apdu_count,
        minimum: minimum_read_apdus(&read.files, read_size),
        read_size,
        ok: all_ok,
    }
}

fn pcsc_available() -> bool {
    std::path::Path::new("/run/pcscd/pcscd.comm").exists()
        && pcsc_transport::list_readers().is_ok_and(|readers| readers.iter().any(|r| r.contains("Virtual PCD")))
}

/// Connects to the virtual card once vpcd shows it and it answers a SELECT.
fn connect_when_ready() -> Option<PcscTransport> {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        if let Ok(name) = pcsc_transport::wait_for_card(None, Duration::from_secs(2))
            && let Ok(mut transport) = PcscTransport::connect(&name, true)
        {
            let select = [0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01];
            if transport.transmit(&select).is_ok_and(|answer| answer == [0x90, 0x00]) {
                return Some(transport);
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    None
}

fn main() {
    let pki = TestPki::generate("UTO", TestKeyAlgorithm::EcdsaP256, b"tdverify TEST-ONLY bench").expect("TEST PKI");
    let mut store = CscaStore::new();
    store.import_certificate_der(&pki.csca.certificate).expect("TEST CSCA imports");
    let dataset = signed_dataset(&pki);
    let dg2 = dataset.files.get(&FileId::Dg(2)).map_or(0, Vec::len);
    let mut rows = Vec::new();

    let mut chip = VirtualChip::new(dataset.clone());
    rows.push(measure("in-process virtual chip (no PC/SC)", 0x4000, || {
        chip.reset();
        read_and_verify(&mut chip, &store)
    }));

    // Start our own pcscd (stopped below, by its id) when none serves the vpcd reader.
    let mut own_pcscd = None;
    if !pcsc_available() && std::path::Path::new("/usr/sbin/pcscd").exists() && std::path::Path::new("/usr/lib/pcsc/drivers/serial/libifdvpcd.so").exists()
        && let Ok(child) = std::process::Command::new("/usr/sbin/pcscd").arg("-f").stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).spawn()
    {
        own_pcscd = Some(child);
        let started = Instant::now();
        while !pcsc_available() && started.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    if pcsc_available() {
        let stop = Arc::new(AtomicBool::new(false));
        let emulator = {
            let stop = Arc::clone(&stop);
            let chip = VirtualChip::new(dataset.clone());
            std::thread::spawn(move || vpcd::run(chip, "127.0.0.1", vpcd::DEFAULT_PORT, stop))
        };
        match connect_when_ready() {
            Some(transport) => {
                let name = transport.reader().to_string();
                drop(transport);
                rows.push(measure("pcscd + vpcd (PC/SC, extended length)", 0x4000, || {
                    let mut link = PcscTransport::connect(&name, true).expect("reconnects");
                    read_and_verify(&mut link, &store)
                }));
            }
            None => println!("pcscd is running but the virtual card never answered: PC/SC row skipped"),
        }
        stop.store(true, Ordering::Relaxed);
        drop(emulator);
    } else {
        println!("pcscd with the vsmartcard vpcd reader is not running: only the in-process row is measured");
    }

    if let Some(mut child) = own_pcscd {
        let _ = child.kill();
        let _ = child.wait();
    }
    println!("\nchip read: access + COM, SOD, DG1, DG2 ({dg2} bytes), DG14, DG15 + PA + AA (+ CA), {ITERATIONS} runs");
    println!("{:<40} {:>10} {:>9} {:>7} {:>22} {:>7} {:>6}", "path", "median ms", "max ms", "APDUs", "min file-read APDUs", "budget", "ok");
    for row in &rows {
        let within = if row.median_ms < BUDGET_MS { "< 500" } else { "OVER" };
        println!(
            "{:<40} {:>10.1} {:>9.1} {:>7} {:>15} ({} B) {:>7} {:>6}",
            row.path, row.median_ms, row.max_ms, row.apdus, row.minimum, row.read_size, within, row.ok
        );
    }
}
