//! The CSCA trust store of a station's data folder as an administrator manages it: the
//! certificates with their expiry, and removing one. The Administration screen and
//! `tdverify csca list|remove` call the same functions.

use std::path::Path;

use crate::doctor::country_of;

/// One trusted CSCA as the tab lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CscaRow {
    /// Country from the subject's `C=`.
    pub country: String,
    /// The subject.
    pub subject: String,
    /// notAfter, YYYY-MM-DD.
    pub valid_to: String,
    /// Whole days from now to notAfter (negative once expired).
    pub days_left: i64,
    /// A link certificate (new key certified by the old one).
    pub link: bool,
    /// SHA-256 of the certificate, hex: names its file in the store.
    pub sha256: String,
}

/// The trusted CSCAs, soonest expiry first, and the number of CRLs.
pub fn csca_rows(data_dir: &Path, now: i64) -> Result<(Vec<CscaRow>, usize), String> {
    let store = crate::chip_session::load_csca_store(data_dir).map_err(|e| e.to_string())?;
    let mut rows: Vec<CscaRow> = store
        .certificates()
        .iter()
        .zip(store.summaries())
        .map(|(cert, summary)| CscaRow {
            country: country_of(&summary.subject),
            subject: summary.subject,
            valid_to: summary.valid_to,
            days_left: (cert.not_after - now).div_euclid(86_400),
            link: summary.link_certificate,
            sha256: summary.sha256,
        })
        .collect();
    rows.sort_by(|a, b| a.days_left.cmp(&b.days_left).then_with(|| a.subject.cmp(&b.subject)));
    Ok((rows, store.crls().len()))
}

/// Removes one CSCA (by its SHA-256) from the data folder's trust store; `false` when it
/// was not there. The file name is the first 32 hex digits, as `CscaStore::save_dir` writes it.
pub fn remove_csca_certificate(data_dir: &Path, sha256: &str) -> Result<bool, String> {
    let stem = sha256
        .get(..32)
        .filter(|s| s.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(|| format!("{sha256:?} is not a certificate's SHA-256"))?;
    let path = crate::chip_session::csca_dir(data_dir).join("csca").join(format!("{}.der", stem.to_ascii_lowercase()));
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(format!("cannot remove {}: {e}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tdverify_pki::testpki::{TestKeyAlgorithm, TestPki, test_date};

    #[test]
    fn rows_show_expiry_and_removal_deletes_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let pki = TestPki::generate("UTO", TestKeyAlgorithm::EcdsaP256, b"TEST-ONLY admin csca seed").unwrap();
        let mut trust = crate::chip_session::load_csca_store(dir.path()).unwrap();
        trust.import_master_list(&pki.master_list(&[]).unwrap()).unwrap();
        trust.save_dir(&crate::chip_session::csca_dir(dir.path())).unwrap();
        let (rows, crls) = csca_rows(dir.path(), test_date(2039, 12, 1)).unwrap();
        assert_eq!(crls, 0);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].country, "UTO");
        assert_eq!(rows[0].valid_to, "2040-01-01");
        assert_eq!(rows[0].days_left, 31);
        assert!(remove_csca_certificate(dir.path(), &rows[0].sha256).unwrap());
        assert!(!remove_csca_certificate(dir.path(), &rows[0].sha256).unwrap());
        assert!(csca_rows(dir.path(), 0).unwrap().0.is_empty());
        assert!(remove_csca_certificate(dir.path(), "../../etc/passwd").is_err());
    }
}
