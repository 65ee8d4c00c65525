//! `tdverify doctor`: one line per subsystem, each with how to fix what is missing.

use std::path::Path;

use serde::Serialize;

use crate::resources::Resources;

/// State of one subsystem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    /// Works.
    Ok,
    /// Missing or degraded, but tdverify still works without it (no reader, no camera).
    Warn,
    /// Required and broken: tdverify cannot do its job.
    Fail,
}

/// One line of the doctor's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Subsystem name.
    pub subsystem: &'static str,
    /// Its state.
    pub health: Health,
    /// What was found (version, counts, paths).
    pub detail: String,
    /// How to fix it, when not Ok.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl Finding {
    fn ok(subsystem: &'static str, detail: impl Into<String>) -> Finding {
        Finding { subsystem, health: Health::Ok, detail: detail.into(), fix: None }
    }

    fn problem(subsystem: &'static str, health: Health, detail: impl Into<String>, fix: impl Into<String>) -> Finding {
        Finding { subsystem, health, detail: detail.into(), fix: Some(fix.into()) }
    }
}

/// Examines every subsystem.
pub fn examine(resources: &Resources, data_dir: &Path) -> Vec<Finding> {
    vec![
        onnx_runtime(resources),
        opencv(),
        pcsc(),
        cameras(),
        data_directory(data_dir),
        case_store(data_dir),
        csca_trust_store(data_dir, crate::pki::now_unix()),
        sltd_hotlist(data_dir),
        models(resources),
        reference_library(resources),
        fixtures(resources),
    ]
}

/// Whether every required subsystem works.
pub fn all_required_ok(findings: &[Finding]) -> bool {
    findings.iter().all(|f| f.health != Health::Fail)
}

/// The report as aligned text lines.
pub fn render_text(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let mark = match f.health {
            Health::Ok => "ok  ",
            Health::Warn => "warn",
            Health::Fail => "FAIL",
        };
        out.push_str(&format!("{mark}  {:<18} {}\n", f.subsystem, f.detail));
        if let Some(fix) = &f.fix {
            out.push_str(&format!("      {:<18} fix: {fix}\n", ""));
        }
    }
    out
}

fn onnx_runtime(resources: &Resources) -> Finding {
    match crate::onnx::init(&resources.onnxruntime) {
        Ok(runtime) => {
            Finding::ok("ONNX Runtime", format!("{} loaded from {}", runtime.version, runtime.path.display()))
        }
        Err(e) => Finding::problem(
            "ONNX Runtime",
            Health::Fail,
            e,
            "run `cargo xtask setup` (extracts libonnxruntime 1.31.1 from the pinned PyPI wheel), or set TDVERIFY_ORT_LIB",
        ),
    }
}

fn opencv() -> Finding {
    let version = crate::imaging::opencv_version();
    let probe = image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(64, 64, image::Rgb([200, 100, 50])));
    let round_trip =
        crate::imaging::encode_jpeg2000(&probe, 1000).and_then(|bytes| crate::imaging::decode_jpeg2000(&bytes));
    match round_trip {
        Ok(decoded) if decoded.width() == 64 => Finding::ok("OpenCV", format!("{version}, JPEG 2000 decode works")),
        Ok(_) => Finding::problem(
            "OpenCV",
            Health::Fail,
            format!("{version}, JPEG 2000 decode gives a wrong size"),
            "reinstall libopencv-dev (Debian)",
        ),
        Err(e) => Finding::problem(
            "OpenCV",
            Health::Fail,
            format!("{version}, JPEG 2000 decode fails: {e}"),
            "install libopencv-dev with OpenJPEG support (`cargo xtask setup`)",
        ),
    }
}

fn pcsc() -> Finding {
    const NAME: &str = "PC/SC service";
    let context = match pcsc::Context::establish(pcsc::Scope::User) {
        Ok(context) => context,
        Err(e) => {
            return Finding::problem(
                NAME,
                Health::Warn,
                format!("not reachable ({e}); chips can only be read in demo mode"),
                "start the PC/SC daemon: `sudo pcscd` (or `sudo systemctl start pcscd`); Debian package pcscd",
            );
        }
    };
    let mut buffer = vec![0u8; 4096];
    match context.list_readers(&mut buffer) {
        Ok(readers) => {
            let names: Vec<String> = readers.map(|r| r.to_string_lossy().into_owned()).collect();
            if names.is_empty() {
                Finding::problem(NAME, Health::Warn, "running, no reader connected", "connect a contactless reader")
            } else {
                Finding::ok(NAME, format!("running, readers: {}", names.join("; ")))
            }
        }
        Err(pcsc::Error::NoReadersAvailable) => {
            Finding::problem(NAME, Health::Warn, "running, no reader connected", "connect a contactless reader")
        }
        Err(e) => {
            Finding::problem(NAME, Health::Warn, format!("running, listing readers failed: {e}"), "restart pcscd")
        }
    }
}

fn cameras() -> Finding {
    const NAME: &str = "cameras";
    match nokhwa::query(nokhwa::utils::ApiBackend::Auto) {
        Ok(cameras) if cameras.is_empty() => Finding::problem(
            NAME,
            Health::Warn,
            "none found; images can still be opened from files",
            "connect a camera (V4L2)",
        ),
        Ok(cameras) => Finding::ok(NAME, cameras.iter().map(|c| c.human_name()).collect::<Vec<_>>().join("; ")),
        Err(e) => {
            Finding::problem(NAME, Health::Warn, format!("cannot list cameras: {e}"), "check /dev/video* permissions")
        }
    }
}

fn data_directory(data_dir: &Path) -> Finding {
    const NAME: &str = "data directory";
    let probe = data_dir.join(".doctor-write-test");
    let result = std::fs::create_dir_all(data_dir)
        .and_then(|()| std::fs::write(&probe, b"ok"))
        .and_then(|()| std::fs::remove_file(&probe));
    match result {
        Ok(()) => Finding::ok(NAME, format!("{} (writable)", data_dir.display())),
        Err(e) => Finding::problem(
            NAME,
            Health::Fail,
            format!("{} is not writable: {e}", data_dir.display()),
            "choose another folder with --data-dir, or fix its permissions",
        ),
    }
}

/// The encrypted case store: present, its schema version and how many cases it keeps,
/// read without the station passphrase (the doctor never unlocks anything).
fn case_store(data_dir: &Path) -> Finding {
    const NAME: &str = "case store";
    match crate::store::Store::summary_in(data_dir) {
        Ok(Some(summary)) if summary.schema_version > crate::store::CURRENT_SCHEMA_VERSION => Finding::problem(
            NAME,
            Health::Fail,
            format!(
                "schema version {} is newer than this tdverify reads ({})",
                summary.schema_version,
                crate::store::CURRENT_SCHEMA_VERSION
            ),
            "install the tdverify version that wrote this store",
        ),
        Ok(Some(summary)) => Finding::ok(
            NAME,
            format!("schema version {}, {} cases, {} users", summary.schema_version, summary.cases, summary.users),
        ),
        Ok(None) => Finding::problem(
            NAME,
            Health::Warn,
            format!("no store in {}: inspections are not saved as cases", data_dir.display()),
            "create it from the Cases screen (station passphrase and first administrator)",
        ),
        Err(e) => Finding::problem(
            NAME,
            Health::Fail,
            format!("{}: {e}", crate::store::database_path(data_dir).display()),
            "restore the store from a backup (tdverify restore)",
        ),
    }
}

/// Days before a CSCA's expiry from which the doctor warns: a replacement CSCA reaches
/// stations through a master list, and a quarter gives time for the next one to arrive.
pub const CSCA_EXPIRY_WARNING_DAYS: i64 = 90;

/// The CSCA trust store: how many certificates, and which expires first (passive
/// authentication fails for documents whose only CSCA has expired).
fn csca_trust_store(data_dir: &Path, now: i64) -> Finding {
    const NAME: &str = "CSCA trust store";
    let store = match crate::chip_session::load_csca_store(data_dir) {
        Ok(store) => store,
        Err(e) => {
            return Finding::problem(
                NAME,
                Health::Warn,
                format!("cannot load {}: {e}", crate::chip_session::csca_dir(data_dir).display()),
                "import the master list again: tdverify csca import FILE",
            );
        }
    };
    let certificates = store.certificates();
    if certificates.is_empty() {
        return Finding::problem(
            NAME,
            Health::Warn,
            "no CSCA imported: chips are read but their signatures cannot be trusted",
            "import the national master list: tdverify csca import FILE (or Administration, CSCA)",
        );
    }
    let summaries = store.summaries();
    let nearest = certificates.iter().zip(&summaries).min_by_key(|(c, _)| c.not_after);
    let mut detail = format!("{} CSCA certificates, {} CRLs", certificates.len(), store.crls().len());
    let Some((cert, summary)) = nearest else { return Finding::ok(NAME, detail) };
    let days_left = (cert.not_after - now).div_euclid(86_400);
    let country = country_of(&summary.subject);
    detail.push_str(&format!("; nearest expiry {} ({country}, {days_left} days)", summary.valid_to));
    if days_left < 0 {
        Finding::problem(
            NAME,
            Health::Warn,
            format!("{detail}: expired"),
            "import the current master list: tdverify csca import FILE",
        )
    } else if days_left < CSCA_EXPIRY_WARNING_DAYS {
        Finding::problem(
            NAME,
            Health::Warn,
            format!("{detail}: expires within {CSCA_EXPIRY_WARNING_DAYS} days"),
            "import the current master list: tdverify csca import FILE",
        )
    } else {
        Finding::ok(NAME, detail)
    }
}

/// The `C=` of a certificate subject as the trust store prints it, `?` when absent.
pub fn country_of(subject: &str) -> String {
    subject
        .split(',')
        .filter_map(|part| part.trim().strip_prefix("C="))
        .next()
        .map(|c| c.trim().to_string())
        .unwrap_or_else(|| "?".to_string())
}

/// The offline SLTD hotlist: present, and not older than the lookups accept. The warning's
/// threshold is the store's maximum age (7 days unless an administrator set another,
/// `DEFAULT_SLTD_MAX_AGE_DAYS`): past it every lookup already answers "not checked", so the
/// doctor warns exactly when inspections stop using the list, not on a second rule of its own.
fn sltd_hotlist(data_dir: &Path) -> Finding {
    const NAME: &str = "SLTD hotlist";
    // The header is enough: loading 190 MB to print a date would slow every check.
    let max_age = i64::from(crate::store::Store::sltd_max_age_in(data_dir));
    match crate::sltd::Hotlist::read_status(data_dir, crate::sltd::today_days(), max_age) {
        Ok(Some(status)) => {
            let detail = format!(
                "{} entries from {}, as of {} ({} days old)",
                status.entries, status.issuer, status.as_of, status.age_days
            );
            if status.stale {
                Finding::problem(
                    NAME,
                    Health::Warn,
                    format!("{detail}: older than {} days, lookups say \"not checked\"", status.max_age_days),
                    "import the current bundle from the national central bureau: tdverify sltd import FILE",
                )
            } else {
                Finding::ok(NAME, format!("{detail}; used up to {} days old", status.max_age_days))
            }
        }
        Ok(None) => Finding::problem(
            NAME,
            Health::Warn,
            "no hotlist imported: inspections cannot check stolen and lost documents",
            "an administrator trusts the NCB's key (tdverify sltd trust) and imports its bundle (tdverify sltd import FILE)",
        ),
        Err(e) => {
            Finding::problem(NAME, Health::Warn, e.to_string(), "import the bundle again: tdverify sltd import FILE")
        }
    }
}

fn models(resources: &Resources) -> Finding {
    const NAME: &str = "models";
    let sums = resources.models.join("SHA256SUMS");
    let Ok(text) = std::fs::read_to_string(&sums) else {
        return Finding::problem(
            NAME,
            Health::Warn,
            format!("no {} yet: face and OCR models not installed", sums.display()),
            "pull the repository again; models are committed",
        );
    };
    let mut checked = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
        let Some((expected, file)) = line.split_once(char::is_whitespace) else {
            return Finding::problem(
                NAME,
                Health::Fail,
                format!("{}: malformed line", sums.display()),
                "restore models/SHA256SUMS from the repository",
            );
        };
        let path = resources.models.join(file.trim().trim_start_matches('*'));
        match std::fs::read(&path) {
            Ok(bytes) => {
                let digest = tdverify_core::hex::encode(ring::digest::digest(&ring::digest::SHA256, &bytes).as_ref());
                if digest != expected {
                    return Finding::problem(
                        NAME,
                        Health::Fail,
                        format!("{} has the wrong sha256", path.display()),
                        "restore the model from the repository",
                    );
                }
                checked += 1;
            }
            Err(e) => {
                return Finding::problem(
                    NAME,
                    Health::Fail,
                    format!("{}: {e}", path.display()),
                    "restore the model from the repository",
                );
            }
        }
    }
    Finding::ok(NAME, format!("{checked} present, sha256 verified ({})", resources.models.display()))
}

fn reference_library(resources: &Resources) -> Finding {
    const NAME: &str = "reference library";
    let count = count_files_named(&resources.reference_library, "template.toml", 3);
    if count == 0 {
        Finding::problem(
            NAME,
            Health::Fail,
            format!("no templates in {}", resources.reference_library.display()),
            "restore reference-library/ from the repository, or import templates (Admin)",
        )
    } else {
        Finding::ok(NAME, format!("{count} document templates in {}", resources.reference_library.display()))
    }
}

fn fixtures(resources: &Resources) -> Finding {
    const NAME: &str = "fixtures";
    let count = count_files_named(&resources.fixtures, "truth.json", 2);
    if count == 0 {
        Finding::problem(
            NAME,
            Health::Warn,
            format!("none in {}; demo and training need them", resources.fixtures.display()),
            "run `cargo xtask fixtures` (or `cargo xtask setup`)",
        )
    } else {
        Finding::ok(NAME, format!("{count} documents in {}", resources.fixtures.display()))
    }
}

fn count_files_named(dir: &Path, name: &str, depth: usize) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .flatten()
        .map(|entry| {
            let path = entry.path();
            if path.is_dir() && depth > 0 {
                count_files_named(&path, name, depth - 1)
            } else {
                usize::from(path.file_name().is_some_and(|n| n == name))
            }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unwritable_data_dir_fails_with_a_fix() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a-file");
        std::fs::write(&file, b"x").unwrap();
        let finding = data_directory(&file.join("sub"));
        assert_eq!(finding.health, Health::Fail);
        assert!(finding.fix.is_some());
    }

    #[test]
    fn wrong_model_digest_fails() {
        let dir = tempfile::tempdir().unwrap();
        let resources = Resources::in_home(dir.path());
        std::fs::create_dir_all(&resources.models).unwrap();
        std::fs::write(resources.models.join("m.onnx"), b"model").unwrap();
        std::fs::write(resources.models.join("SHA256SUMS"), format!("{}  m.onnx\n", "0".repeat(64))).unwrap();
        assert_eq!(models(&resources).health, Health::Fail);
        let right = tdverify_core::hex::encode(ring::digest::digest(&ring::digest::SHA256, b"model").as_ref());
        std::fs::write(resources.models.join("SHA256SUMS"), format!("{right}  m.onnx\n")).unwrap();
        assert_eq!(models(&resources).health, Health::Ok);
    }

    fn data_dir_trusting_the_test_csca() -> (tempfile::TempDir, i64) {
        use crate::pki::testpki::{TestKeyAlgorithm, TestPki, test_date};
        let dir = tempfile::tempdir().unwrap();
        let pki = TestPki::generate("UTO", TestKeyAlgorithm::EcdsaP256, b"TEST-ONLY doctor seed").unwrap();
        let mut store = crate::chip_session::load_csca_store(dir.path()).unwrap();
        store.import_master_list(&pki.master_list(&[]).unwrap()).unwrap();
        store.save_dir(&crate::chip_session::csca_dir(dir.path())).unwrap();
        // The TEST CSCA is valid until 2040-01-01.
        (dir, test_date(2040, 1, 1))
    }

    #[test]
    fn csca_expiry_is_reported_with_its_country_and_warned_within_ninety_days() {
        let (dir, not_after) = data_dir_trusting_the_test_csca();
        let far = csca_trust_store(dir.path(), not_after - 400 * 86_400);
        assert_eq!(far.health, Health::Ok, "{far:?}");
        assert!(far.detail.contains("1 CSCA certificates"), "{}", far.detail);
        assert!(far.detail.contains("2040-01-01 (UTO, 400 days)"), "{}", far.detail);
        let near = csca_trust_store(dir.path(), not_after - 30 * 86_400);
        assert_eq!(near.health, Health::Warn);
        assert!(near.detail.contains("within 90 days"), "{}", near.detail);
        let expired = csca_trust_store(dir.path(), not_after + 86_400);
        assert_eq!(expired.health, Health::Warn);
        assert!(expired.detail.ends_with("expired"), "{}", expired.detail);
        let empty = tempfile::tempdir().unwrap();
        let none = csca_trust_store(empty.path(), not_after);
        assert_eq!(none.health, Health::Warn);
        assert!(none.fix.is_some_and(|f| f.contains("csca import")));
    }

    #[test]
    fn case_store_reports_schema_and_counts_or_its_absence() {
        let dir = tempfile::tempdir().unwrap();
        let absent = case_store(dir.path());
        assert_eq!(absent.health, Health::Warn);
        let store = crate::store::Store::initialize(
            dir.path(),
            "TEST-ONLY doctor passphrase",
            crate::store::StoreOptions::test_only_fast(),
        )
        .unwrap();
        store.create_first_admin("admin", "TEST-ONLY password 1").unwrap();
        drop(store);
        let present = case_store(dir.path());
        assert_eq!(present.health, Health::Ok, "{present:?}");
        assert_eq!(
            present.detail,
            format!("schema version {}, 0 cases, 1 users", crate::store::CURRENT_SCHEMA_VERSION)
        );
        std::fs::write(crate::store::database_path(dir.path()), b"not a database at all").unwrap();
        assert_eq!(case_store(dir.path()).health, Health::Fail);
    }

    proptest::proptest! {
        /// Subjects come from imported certificates: any text gives a country or `?`, never a panic.
        #[test]
        fn any_subject_gives_a_country_or_a_question_mark(subject in "\\PC{0,60}") {
            let country = country_of(&subject);
            let found = country == "?" || subject.contains("C=");
            proptest::prop_assert!(found, "{:?} from {:?}", country, subject);
        }
    }

    #[test]
    fn country_comes_from_the_subject() {
        assert_eq!(country_of("C=UTO, CN=TEST CSCA"), "UTO");
        assert_eq!(country_of("CN=no country"), "?");
    }

    #[test]
    fn text_report_names_every_subsystem_and_fix() {
        let findings = vec![
            Finding::ok("OpenCV", "4.6.0"),
            Finding::problem("fixtures", Health::Warn, "none", "run `cargo xtask fixtures`"),
        ];
        let text = render_text(&findings);
        assert!(text.contains("ok    OpenCV"));
        assert!(text.contains("fix: run `cargo xtask fixtures`"));
        assert!(all_required_ok(&findings));
    }
}
