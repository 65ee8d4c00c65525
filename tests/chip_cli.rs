//! The chip negative matrix through the real binary: TEST-ONLY fixtures signed by
//! the test PKI, the CSCA imported with `tdverify csca import`, each case read
//! from the in-process virtual chip (`chip read --emulate`) and checked for its
//! exact verdict; a saved read verified offline; and one read through
//! pcscd + vpcd + `tdverify chip emulate` when those are installed.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;
use tdverify::chip_session::fixtures::ChipCase;

const BINARY: &str = env!("CARGO_BIN_EXE_tdverify");

/// Fixtures written once, with a data folder whose CSCA store trusts the TEST CSCA and holds its CRL.
struct Setup {
    _temp: tempfile::TempDir,
    fixtures: PathBuf,
    data_dir: PathBuf,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let temp = tempfile::tempdir().expect("temp dir");
        let fixtures = temp.path().join("fixtures");
        let data_dir = temp.path().join("data");
        let out = run(&["chip", "fixtures", "--out", fixtures.to_str().expect("utf-8")], None);
        assert!(out.status.success(), "fixtures: {}", String::from_utf8_lossy(&out.stderr));
        for file in ["TEST-masterlist-UTO.ml", "TEST-crl-UTO.crl"] {
            let path = fixtures.join("pki").join(file);
            let out = run(&["csca", "import", path.to_str().expect("utf-8")], Some(&data_dir));
            assert!(out.status.success(), "import {file}: {}", String::from_utf8_lossy(&out.stderr));
        }
        Setup { _temp: temp, fixtures, data_dir }
    })
}

fn run(args: &[&str], data_dir: Option<&Path>) -> Output {
    let mut command = Command::new(BINARY);
    if let Some(dir) = data_dir {
        command.arg("--data-dir").arg(dir);
    }
    command.args(args).output().expect("tdverify runs")
}

fn read_case(case: &str, extra: &[&str]) -> (Output, Value) {
    let setup = setup();
    let folder = setup.fixtures.join(case);
    let mrz = folder.join("printed-mrz.txt");
    let mut args = vec!["chip", "read", "--emulate", folder.to_str().expect("utf-8"), "--mrz-from", mrz.to_str().expect("utf-8"), "--json"];
    args.extend_from_slice(extra);
    let out = run(&args, Some(&setup.data_dir));
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{case}: JSON: {e}\nstdout: {}\nstderr: {}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)));
    (out, json)
}

fn check<'a>(json: &'a Value, id: &str) -> &'a Value {
    json["checks"].as_array().and_then(|checks| checks.iter().find(|c| c["id"] == id)).unwrap_or_else(|| panic!("no check {id} in {json:#}"))
}

fn failed_ids(json: &Value) -> Vec<String> {
    json["checks"].as_array().map(|checks| checks.iter().filter(|c| c["status"] == "fail").filter_map(|c| c["id"].as_str().map(String::from)).collect()).unwrap_or_default()
}

#[test]
fn genuine_chip_passes_everything() {
    let (out, json) = read_case("genuine", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(json["access"], "PACE");
    for name in ["COM", "SOD", "DG1", "DG2", "DG11", "DG12", "DG14", "DG15"] {
        assert!(json["data_groups"].as_array().is_some_and(|d| d.iter().any(|n| n == name)), "{name} in {}", json["data_groups"]);
    }
    for part in ["pa", "aa", "ca", "clone", "consistency"] {
        assert_eq!(json[part]["status"], "passed", "{part}: {}", json[part]["reason"]);
    }
    assert!(json["apdus"].as_u64().is_some_and(|n| n > 5));
    assert!(json["ms"].as_f64().is_some());
    assert!(failed_ids(&json).is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("DG2"), "progress on stderr: {stderr}");
}

#[test]
fn genuine_jpeg2000_chip_passes() {
    let (out, json) = read_case("genuine-jpeg2000", &[]);
    assert_eq!(out.status.code(), Some(0), "{json:#}");
    assert_eq!(json["pa"]["status"], "passed");
}

#[test]
fn every_negative_case_gets_its_exact_verdict() {
    let expectations: [(ChipCase, &str); 8] = [
        (ChipCase::AlteredDg2, "DG2 hash does not match EF.SOD: DG2 was altered"),
        (ChipCase::UnknownCsca, "Document Signer not issued by any known CSCA: import the issuing state's master list"),
        (ChipCase::ExpiredDocumentSigner, "Document Signer certificate expired on 2021-01-01"),
        (ChipCase::RevokedDocumentSigner, "is revoked by the CRL"),
        (ChipCase::CloneWithoutKeys, "possible clone: chip authentication and active authentication both failed"),
        (ChipCase::AaKeyMissing, "active authentication:"),
        (ChipCase::CaKeyMissing, "chip authentication:"),
        (ChipCase::Dg1DiffersFromPrintedMrz, "the chip's MRZ (DG1) differs from the printed MRZ: surname, given names"),
    ];
    for (case, message) in expectations {
        let (out, json) = read_case(case.name(), &[]);
        let (id, status) = case.expected();
        assert_eq!(out.status.code(), Some(3), "{case:?} exit code");
        let found = check(&json, id);
        assert_eq!(found["status"], status.as_str(), "{case:?}: {found:#}");
        let text = found["message"].as_str().unwrap_or_default();
        assert!(text.contains(message), "{case:?}: `{text}` lacks `{message}`");
        let failed = failed_ids(&json);
        match case {
            ChipCase::AlteredDg2 => {
                assert_eq!(failed, ["chip.pa.dg_hash.DG2"]);
                assert_eq!(json["pa"]["status"], "failed");
                assert_eq!(json["clone"]["status"], "passed", "DG14/DG15 are still authentic");
            }
            ChipCase::UnknownCsca | ChipCase::ExpiredDocumentSigner | ChipCase::RevokedDocumentSigner => {
                assert_eq!(json["pa"]["status"], "failed", "{case:?}");
                assert_eq!(json["aa"]["status"], "passed", "{case:?}");
            }
            ChipCase::AaKeyMissing => {
                assert_eq!(json["aa"]["status"], "failed");
                assert_eq!(json["ca"]["status"], "passed");
                assert_eq!(json["clone"]["status"], "failed");
            }
            ChipCase::CaKeyMissing => {
                assert_eq!(json["ca"]["status"], "failed");
                assert_eq!(json["aa"]["status"], "passed");
                assert_eq!(json["clone"]["status"], "failed");
            }
            ChipCase::Dg1DiffersFromPrintedMrz => {
                assert_eq!(json["pa"]["status"], "passed", "the chip itself is validly signed");
                assert_eq!(failed, ["consistency.mrz_vs_dg1"]);
            }
            _ => assert!(failed.contains(&id.to_string()), "{case:?}: {failed:?}"),
        }
    }
}

#[test]
fn wrong_mrz_is_access_denied() {
    let setup = setup();
    let folder = setup.fixtures.join("genuine");
    let wrong = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<< X123456785UTO7408122F3404153<<<<<<<<<<<<<<00";
    let out = run(&["chip", "read", "--emulate", folder.to_str().expect("utf-8"), "--mrz", wrong, "--json"], Some(&setup.data_dir));
    assert_eq!(out.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(json["error"], "access denied: check the MRZ");
    assert_eq!(check(&json, "chip.access")["status"], "fail");
    assert!(String::from_utf8_lossy(&out.stderr).contains("access denied: check the MRZ"));
}

#[test]
fn pulled_card_is_reported_and_the_read_resumes() {
    let (out, json) = read_case("genuine", &["--emulate-pull-at", "14"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("card removed: place the document on the reader again to resume"), "{stderr}");
    assert!(stderr.contains("resuming"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(json["pa"]["status"], "passed");
}

#[test]
fn saved_read_verifies_offline_and_catches_a_later_edit() {
    let setup = setup();
    let saved = tempfile::tempdir().expect("temp dir");
    let out_dir = saved.path().join("read");
    let (out, _) = read_case("genuine", &["--out", out_dir.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out_dir.join("DG2.bin").exists() && out_dir.join("printed-mrz.txt").exists());
    let verify = |dir: &Path| {
        let out = run(&["chip", "verify", dir.to_str().expect("utf-8"), "--json"], Some(&setup.data_dir));
        let json: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        (out.status.code(), json)
    };
    let (code, json) = verify(&out_dir);
    assert_eq!(code, Some(0), "{json:#}");
    assert_eq!(json["pa"]["status"], "passed");
    assert_eq!(check(&json, "consistency.mrz_vs_dg1")["status"], "pass");
    let dg11 = out_dir.join("DG11.bin");
    let mut bytes = std::fs::read(&dg11).expect("DG11");
    if let Some(last) = bytes.last_mut() {
        *last ^= 0x01;
    }
    std::fs::write(&dg11, bytes).expect("write");
    let (code, json) = verify(&out_dir);
    assert_eq!(code, Some(3));
    assert_eq!(check(&json, "chip.pa.dg_hash.DG11")["status"], "fail");
    let text = run(&["chip", "verify", out_dir.to_str().expect("utf-8")], Some(&setup.data_dir));
    assert!(String::from_utf8_lossy(&text.stdout).contains("verdict: FAILED"));
}

#[test]
fn untrusted_store_says_to_import_the_master_list() {
    let setup = setup();
    let empty = tempfile::tempdir().expect("temp dir");
    let folder = setup.fixtures.join("genuine");
    let mrz = folder.join("printed-mrz.txt");
    let out = run(&["chip", "read", "--emulate", folder.to_str().expect("utf-8"), "--mrz-from", mrz.to_str().expect("utf-8")], Some(empty.path()));
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("tdverify csca import"), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("import the issuing state's master list"));
}

#[test]
fn without_a_document_the_message_says_what_to_do() {
    let setup = setup();
    let mrz = setup.fixtures.join("genuine").join("printed-mrz.txt");
    let out = run(&["chip", "read", "--mrz-from", mrz.to_str().expect("utf-8"), "--wait", "1", "--reader", "No Such Reader 00"], Some(&setup.data_dir));
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--emulate") || stderr.contains("not connected"), "{stderr}");
}

#[test]
fn bad_key_input_is_exit_code_2() {
    let setup = setup();
    let out = run(&["chip", "read", "--can", "12x", "--emulate", setup.fixtures.join("genuine").to_str().expect("utf-8")], Some(&setup.data_dir));
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["chip", "read", "--emulate", "/nonexistent"], Some(&setup.data_dir));
    assert_eq!(out.status.code(), Some(2), "a key is required");
}

/// Stops the processes this test started, by their own ids.
struct Children(Vec<Child>);

impl Drop for Children {
    fn drop(&mut self) {
        for child in self.0.iter_mut().rev() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[test]
fn through_pcscd_vpcd_and_chip_emulate() {
    const PCSCD: &str = "/usr/sbin/pcscd";
    const VPCD_DRIVER: &str = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so";
    for (path, package) in [(PCSCD, "pcscd"), (VPCD_DRIVER, "vsmartcard-vpcd")] {
        if !Path::new(path).exists() {
            tdverify::core::test_data::missing_project_piece(path, format!("run cargo xtask setup (Debian {package})"));
        }
    }
    let setup = setup();
    let mut children = Children(Vec::new());
    if tdverify::chip::pcsc_transport::list_readers().map(|r| r.is_empty()).unwrap_or(true) {
        children.0.push(Command::new(PCSCD).arg("-f").stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("pcscd starts"));
        let started = Instant::now();
        while tdverify::chip::pcsc_transport::list_readers().map(|r| r.is_empty()).unwrap_or(true) {
            assert!(started.elapsed() < Duration::from_secs(10), "pcscd did not come up");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    let folder = setup.fixtures.join("genuine");
    children.0.push(
        Command::new(BINARY)
            .args(["chip", "emulate", "--fixture", folder.to_str().expect("utf-8")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("emulator starts"),
    );
    let mrz = folder.join("printed-mrz.txt");
    let out = run(&["chip", "read", "--mrz-from", mrz.to_str().expect("utf-8"), "--json", "--wait", "15"], Some(&setup.data_dir));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("JSON: {e}; stderr: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(out.status.code(), Some(0), "{json:#}");
    assert_eq!(json["pa"]["status"], "passed");
    assert_eq!(json["aa"]["status"], "passed");
    println!("through pcscd/vpcd: {} APDUs, {} ms", json["apdus"], json["ms"]);
}
