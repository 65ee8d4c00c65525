//! Issue 9's CLI contract, run against the real binary and a temporary data dir:
//! `store init` → a case created through the library → `cases list/show/report` →
//! `audit verify` (intact) → the audit table edited with SQLite directly →
//! `audit verify` fails with a non-zero exit; plus backup/restore and the
//! "no passphrase" message.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use tdverify::core::{Check, Evidence, Light, Rect, Verdict};
use tdverify::store::{CaseDraft, CaseMetadata, Classification, Store, StoreOptions, StoredCapture};

const TEST_PASSPHRASE: &str = "TEST-ONLY station passphrase";
const TEST_ADMIN_PASSWORD: &str = "TEST-ONLY admin password";

fn tdverify(data_dir: &Path, args: &[&str], passphrase: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tdverify"));
    command.arg("--data-dir").arg(data_dir).args(args).stdin(Stdio::null());
    command.env_remove("TDVERIFY_PASSPHRASE").env_remove("TDVERIFY_ADMIN_PASSWORD");
    if let Some(passphrase) = passphrase {
        command.env("TDVERIFY_PASSPHRASE", passphrase).env("TDVERIFY_ADMIN_PASSWORD", TEST_ADMIN_PASSWORD);
    }
    command.output().expect("run tdverify")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn png() -> Vec<u8> {
    let image = image::RgbImage::from_fn(200, 140, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 120]));
    let mut bytes = Vec::new();
    image::DynamicImage::ImageRgb8(image)
        .write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Png)
        .expect("encode PNG");
    bytes
}

fn create_case(data_dir: &Path) -> String {
    let store = Store::open(data_dir, TEST_PASSPHRASE, StoreOptions::default()).expect("open the store");
    let checks = vec![
        Check::fail("mrz.check_digit.number", "TEST check digit mismatch")
            .with_evidence(Evidence::region(Light::White, Rect::new(10.0, 100.0, 150.0, 30.0))),
        Check::pass("chip.passive_auth", "TEST chip signed"),
    ];
    let draft = CaseDraft {
        metadata: CaseMetadata {
            proposed_verdict: Some(Verdict::Fraudulent),
            issuing_state: Some("UTO".into()),
            document_code: Some("P".into()),
            ..CaseMetadata::default()
        },
        classification: Classification { officer_verdict: Some(Verdict::Fraudulent), ..Classification::default() },
        inspection: serde_json::json!({ "checks": checks }),
        captures: vec![StoredCapture { light: Light::White, image: png() }],
        holder: Default::default(),
        document: None,
        mrz_hand_fixes: 0,
    };
    store.create_case(&store.station_session(), &draft).expect("create a case")
}

#[test]
fn store_init_list_show_report_audit_and_tampering() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");

    // Without a passphrase the command says how to give one.
    let missing = tdverify(&data, &["store", "init"], None);
    assert_eq!(missing.status.code(), Some(2), "{}", stderr(&missing));
    assert!(stderr(&missing).contains("TDVERIFY_PASSPHRASE"), "{}", stderr(&missing));

    let init = tdverify(&data, &["store", "init"], Some(TEST_PASSPHRASE));
    assert!(init.status.success(), "{}", stderr(&init));
    let again = tdverify(&data, &["store", "init"], Some(TEST_PASSPHRASE));
    assert!(!again.status.success());

    let empty = tdverify(&data, &["cases", "list", "--json"], Some(TEST_PASSPHRASE));
    assert!(empty.status.success(), "{}", stderr(&empty));
    assert_eq!(serde_json::from_str::<serde_json::Value>(&stdout(&empty)).expect("JSON"), serde_json::json!([]));

    let case_id = create_case(&data);

    let list = tdverify(&data, &["cases", "list", "--json"], Some(TEST_PASSPHRASE));
    assert!(list.status.success(), "{}", stderr(&list));
    let entries: serde_json::Value = serde_json::from_str(&stdout(&list)).expect("JSON list");
    assert_eq!(entries.as_array().map(Vec::len), Some(1));
    assert_eq!(entries[0]["case_id"], case_id.as_str());
    assert_eq!(entries[0]["status"], "draft");
    assert_eq!(entries[0]["verdict"], "fraudulent");
    assert!(entries[0]["opened"].as_str().is_some_and(|o| o.ends_with('Z')));
    let keys: Vec<&String> = entries[0].as_object().expect("object").keys().collect();
    assert_eq!(keys.len(), 4, "{keys:?}");

    let filtered = tdverify(&data, &["cases", "list", "--json", "--status", "reviewed"], Some(TEST_PASSPHRASE));
    assert_eq!(stdout(&filtered).trim(), "[]");
    let by_issuer = tdverify(&data, &["cases", "list", "--issuer", "uto", "--since", "2000-01-01"], Some(TEST_PASSPHRASE));
    assert!(stdout(&by_issuer).contains(&case_id), "{}", stdout(&by_issuer));
    let bad_status = tdverify(&data, &["cases", "list", "--status", "lost"], Some(TEST_PASSPHRASE));
    assert_eq!(bad_status.status.code(), Some(2));

    let show = tdverify(&data, &["cases", "show", &case_id, "--json"], Some(TEST_PASSPHRASE));
    assert!(show.status.success(), "{}", stderr(&show));
    let view: serde_json::Value = serde_json::from_str(&stdout(&show)).expect("JSON case");
    assert_eq!(view["case_id"], case_id.as_str());
    assert_eq!(view["inspection"]["checks"][0]["id"], "mrz.check_digit.number");
    let unknown = tdverify(&data, &["cases", "show", "no-such-case", "--json"], Some(TEST_PASSPHRASE));
    assert!(!unknown.status.success());

    let wrong = tdverify(&data, &["cases", "list"], Some("TEST-ONLY wrong passphrase"));
    assert_eq!(wrong.status.code(), Some(1));
    assert!(stderr(&wrong).contains("wrong station passphrase"), "{}", stderr(&wrong));

    let pdf = dir.path().join("report.pdf");
    let report = tdverify(&data, &["cases", "report", &case_id, "--out", pdf.to_str().expect("utf-8 path")], Some(TEST_PASSPHRASE));
    assert!(report.status.success(), "{}", stderr(&report));
    let bytes = std::fs::read(&pdf).expect("read the PDF");
    assert!(bytes.starts_with(b"%PDF-"));

    let backup_file = dir.path().join("backup.tdv");
    let backup = tdverify(&data, &["backup", backup_file.to_str().expect("utf-8 path")], Some(TEST_PASSPHRASE));
    assert!(backup.status.success(), "{}", stderr(&backup));

    let verify = tdverify(&data, &["audit", "verify"], Some(TEST_PASSPHRASE));
    assert!(verify.status.success(), "{}{}", stdout(&verify), stderr(&verify));
    assert!(stdout(&verify).contains("intact"), "{}", stdout(&verify));

    // Edit one audit entry behind the program's back (the append-only trigger is dropped first).
    {
        let connection = rusqlite::Connection::open(tdverify::store::database_path(&data)).expect("open SQLite");
        connection
            .execute_batch(
                "DROP TRIGGER IF EXISTS audit_no_update;
                 UPDATE audit SET detail = 'TEST tampered' WHERE seq = (SELECT MIN(seq) FROM audit);",
            )
            .expect("tamper with the audit table");
    }
    let tampered = tdverify(&data, &["audit", "verify", "--json"], Some(TEST_PASSPHRASE));
    assert_eq!(tampered.status.code(), Some(1), "{}", stdout(&tampered));
    let report: serde_json::Value = serde_json::from_str(&stdout(&tampered)).expect("JSON audit report");
    assert_eq!(report["intact"], false);
    assert!(stderr(&tampered).contains("tampered"), "{}", stderr(&tampered));

    // Restoring the backup taken before the tampering gives an intact log again.
    let restore = tdverify(&data, &["restore", backup_file.to_str().expect("utf-8 path")], Some(TEST_PASSPHRASE));
    assert!(restore.status.success(), "{}", stderr(&restore));
    let verify = tdverify(&data, &["audit", "verify"], Some(TEST_PASSPHRASE));
    assert!(verify.status.success(), "{}{}", stdout(&verify), stderr(&verify));
}
