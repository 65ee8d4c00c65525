//! The chip from the officer's side: the glue between the printed MRZ, the
//! chip reader (`tdverify-chip`), passive authentication (`tdverify-pki`) and
//! the consistency checks, shared by the CLI (`tdverify chip ...`) and the GUI
//! chip panel.
//!
//! - [`session`]: the access key from MRZ lines or a CAN, and a read that waits
//!   for the document, reports progress and resumes when the card was pulled;
//! - [`verify`]: passive authentication, clone detection and consistency of a
//!   read, and the JSON contract of `tdverify chip read --json`;
//! - [`consistency`]: DG1 against the printed MRZ, DG11 names against the MRZ names;
//! - [`evidence`]: what a verified read hands to the inspection;
//! - [`portrait`]: DG2 portraits decoded (JPEG and JPEG 2000);
//! - [`fixtures`]: TEST-ONLY chip datasets signed by the test PKI, genuine and
//!   the negative cases, for tests, demo and training.

pub mod consistency;
pub mod evidence;
pub mod fixtures;
pub mod portrait;
pub mod session;
pub mod trust_store;
pub mod verify;

pub use session::{key_from_can, key_from_mrz_text, ChipSource, SessionError, SessionEvent, SessionOptions};
pub use verify::{verify_read, ChipVerification};

/// The chip dataset folder that `--emulate DIR` reads: DIR itself when it holds
/// a dataset (`chip-secrets.json`), else the `chip/` folder of a fixture
/// document folder (`cargo xtask fixtures` writes each document's own chip
/// there), so DG1 is compared with that document's printed MRZ.
pub fn emulator_folder(dir: &std::path::Path) -> std::path::PathBuf {
    let own = dir.join(tdverify_fixtures::chip::CHIP_FOLDER);
    if !dir.join("chip-secrets.json").is_file() && own.join("chip-secrets.json").is_file() {
        return own;
    }
    dir.to_path_buf()
}

/// Folder of the CSCA trust store inside the data folder (`<data dir>/csca/`).
pub fn csca_dir(data_dir: &std::path::Path) -> std::path::PathBuf {
    data_dir.join("csca")
}

/// Loads the CSCA trust store of a data folder; an absent folder is an empty store.
pub fn load_csca_store(data_dir: &std::path::Path) -> Result<tdverify_pki::CscaStore, tdverify_pki::PkiError> {
    let dir = csca_dir(data_dir);
    if !dir.exists() {
        return Ok(tdverify_pki::CscaStore::new());
    }
    tdverify_pki::CscaStore::load_dir(&dir)
}
