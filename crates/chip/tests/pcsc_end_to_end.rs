//! End to end through the real PC/SC stack: `pcscd -f` with the vsmartcard
//! vpcd driver, the virtual eMRTD connected to vpcd on loopback, and the reader
//! going through the `pcsc` crate. pcscd and the vpcd driver come with
//! `cargo xtask setup`; without them the test fails.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tdverify_chip::emulator::{Fault, VirtualChip, builder, vpcd};
use tdverify_chip::key::{AccessKey, MrzKey};
use tdverify_chip::lds::FileId;
use tdverify_chip::pcsc_transport::{self, PcscTransport};
use tdverify_chip::reader::{Access, AuthStatus, ChipReader, ReadError, ReadOptions};
use tdverify_chip::transport::Transport;

const PCSCD: &str = "/usr/sbin/pcscd";
const VPCD_DRIVER: &str = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so";

/// Stops the pcscd this test started (by its own process id) when dropped.
struct PcscdGuard(Option<Child>);

impl Drop for PcscdGuard {
    fn drop(&mut self) {
        if let Some(child) = self.0.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn start_pcscd() -> Result<PcscdGuard, String> {
    if Path::new("/run/pcscd/pcscd.comm").exists() && pcsc_transport::list_readers().is_ok() {
        // A pcscd is already serving (e.g. started by .ci/run): use it.
        return Ok(PcscdGuard(None));
    }
    let child = Command::new(PCSCD)
        .arg("-f")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {PCSCD}: {e}"))?;
    let guard = PcscdGuard(Some(child));
    let started = Instant::now();
    while pcsc_transport::list_readers()
        .map(|r| r.is_empty())
        .unwrap_or(true)
    {
        if started.elapsed() > Duration::from_secs(10) {
            return Err("pcscd did not come up with the vpcd readers within 10 s".into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(guard)
}

/// vpcd keeps showing a card after the previous virtual chip disconnected,
/// until an exchange fails: connect and send a harmless SELECT until the new
/// chip answers.
fn connect_when_ready() -> PcscTransport {
    let started = Instant::now();
    loop {
        let reader_name = pcsc_transport::wait_for_card(None, Duration::from_secs(10))
            .expect("virtual card appears");
        let mut transport = PcscTransport::connect(&reader_name, true).expect("connects");
        let select_applet = [
            0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01,
        ];
        if transport
            .transmit(&select_applet)
            .is_ok_and(|answer| answer == [0x90, 0x00])
        {
            return transport;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "virtual chip never answered"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// pcscd and the vpcd driver are installed by `cargo xtask setup`, so their
/// absence fails the test.
fn require_pcscd_and_vpcd() {
    for (path, package) in [(PCSCD, "pcscd"), (VPCD_DRIVER, "vsmartcard-vpcd")] {
        if !Path::new(path).exists() {
            tdverify_core::test_data::missing_project_piece(
                path,
                format!("run cargo xtask setup (Debian {package})"),
            );
        }
    }
}

/// Both scenarios share one pcscd and the vpcd port, so they run in sequence.
#[test]
fn through_pcscd_and_vpcd() {
    require_pcscd_and_vpcd();
    let _pcscd = start_pcscd().expect("pcscd starts");
    read_virtual_passport();
    short_apdus_only();
    resume_after_the_card_is_pulled();
}

/// The same read with short APDUs only (a reader without extended length).
fn short_apdus_only() {
    let mut dataset = builder::specimen_passport().expect("dataset builds");
    dataset.files.insert(
        FileId::Sod,
        tdverify_chip::lds::encode_sod(&[0x30, 0x03, 0x02, 0x01, 0x03]),
    );
    let stop = Arc::new(AtomicBool::new(false));
    let emulator = {
        let stop = Arc::clone(&stop);
        let chip = VirtualChip::new(dataset);
        std::thread::spawn(move || vpcd::run(chip, "127.0.0.1", vpcd::DEFAULT_PORT, stop))
    };
    let ready = connect_when_ready();
    let name = ready.reader().to_string();
    drop(ready);
    let mut short = PcscTransport::connect(&name, false).expect("connects");
    let key = AccessKey::Mrz(MrzKey::new("L898902C", "740812", "120415").expect("valid"));
    let started = Instant::now();
    let read = ChipReader::new(ReadOptions::new(key))
        .read(&mut short, &mut |_| {})
        .expect("reads with short APDUs");
    println!(
        "short APDUs through pcscd/vpcd: {} APDUs (file reads need at least {}), {:.1} ms",
        read.apdu_count,
        tdverify_chip::reader::minimum_read_apdus(
            &read.files,
            tdverify_chip::reader::SHORT_READ_SIZE
        ),
        started.elapsed().as_secs_f64() * 1000.0
    );
    assert_eq!(read.aa.status, AuthStatus::Passed);
    drop(short);
    stop.store(true, Ordering::Relaxed);
    let _ = emulator.join();
}

fn read_virtual_passport() {
    let mut dataset = builder::specimen_passport().expect("dataset builds");
    dataset.files.insert(
        FileId::Sod,
        tdverify_chip::lds::encode_sod(&[0x30, 0x03, 0x02, 0x01, 0x03]),
    );
    let expected = dataset.files.clone();
    let stop = Arc::new(AtomicBool::new(false));
    let emulator = {
        let stop = Arc::clone(&stop);
        let chip = VirtualChip::new(dataset);
        std::thread::spawn(move || vpcd::run(chip, "127.0.0.1", vpcd::DEFAULT_PORT, stop))
    };

    let reader_name =
        pcsc_transport::wait_for_card(None, Duration::from_secs(10)).expect("virtual card appears");
    assert!(reader_name.contains("Virtual PCD"), "{reader_name}");
    assert_eq!(
        pcsc_transport::wait_for_change(&reader_name, false, Duration::from_millis(500)),
        Ok(Some(pcsc_transport::ReaderEvent::CardPresent))
    );
    assert_eq!(
        pcsc_transport::wait_for_change(&reader_name, true, Duration::from_millis(50)),
        Ok(None)
    );
    let key = AccessKey::Mrz(MrzKey::new("L898902C", "740812", "120415").expect("valid"));
    let mut transport = PcscTransport::connect(&reader_name, true).expect("connects");
    assert!(!transport.atr().expect("ATR").is_empty());
    let started = Instant::now();
    let read = ChipReader::new(ReadOptions::new(key))
        .read(&mut transport, &mut |_| {})
        .expect("reads through PC/SC");
    let elapsed = started.elapsed();
    println!(
        "read through pcscd/vpcd: {} APDUs (file reads need at least {} with 16 KB reads), {:.1} ms, access {:?}",
        read.apdu_count,
        tdverify_chip::reader::minimum_read_apdus(&read.files, 0x4000),
        elapsed.as_secs_f64() * 1000.0,
        read.access
    );

    assert_eq!(read.access, Access::Pace);
    for (id, bytes) in &expected {
        if *id != FileId::CardSecurity {
            assert_eq!(read.files.get(id), Some(bytes), "{id}");
        }
    }
    assert_eq!(read.aa.status, AuthStatus::Passed, "{}", read.aa.reason);
    assert_eq!(read.ca.status, AuthStatus::Passed, "{}", read.ca.reason);

    drop(transport);
    stop.store(true, Ordering::Relaxed);
    let _ = emulator.join();
}

fn resume_after_the_card_is_pulled() {
    let mut dataset = builder::specimen_passport().expect("dataset builds");
    dataset.files.insert(
        FileId::Sod,
        tdverify_chip::lds::encode_sod(&[0x30, 0x03, 0x02, 0x01, 0x03]),
    );
    let expected = dataset.files.clone();
    let stop = Arc::new(AtomicBool::new(false));
    let emulator = {
        let stop = Arc::clone(&stop);
        let chip = VirtualChip::new(dataset).with_fault(Fault::PulledAt(20));
        std::thread::spawn(move || vpcd::run(chip, "127.0.0.1", vpcd::DEFAULT_PORT, stop))
    };
    let key = AccessKey::Mrz(MrzKey::new("L898902C", "740812", "120415").expect("valid"));
    let mut options = ReadOptions::new(key);
    options.extended_read_size = 4000;
    let mut reader = ChipReader::new(options);

    let mut transport = connect_when_ready();
    let error = reader
        .read(&mut transport, &mut |_| {})
        .expect_err("card pulled mid-read");
    println!("pulled card gives: {error}");
    assert!(
        matches!(
            error,
            ReadError::Transport(tdverify_chip::transport::TransportError::CardRemoved)
        ),
        "{error:?}"
    );
    println!(
        "bytes read before the card was pulled: {}",
        reader.bytes_read()
    );
    assert!(reader.bytes_read() > 0);
    drop(transport);

    // The emulator puts the card back; the read resumes where it stopped.
    std::thread::sleep(vpcd::CARD_AWAY);
    let mut transport = connect_when_ready();
    let read = reader.read(&mut transport, &mut |_| {}).expect("resumes");
    for (id, bytes) in &expected {
        if *id != FileId::CardSecurity {
            assert_eq!(read.files.get(id), Some(bytes), "{id}");
        }
    }
    drop(transport);
    stop.store(true, Ordering::Relaxed);
    let _ = emulator.join();
}
