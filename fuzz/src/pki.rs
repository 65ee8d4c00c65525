//! Targets for the PKI: EF.SOD, certificates, CRLs, master lists. Only the
//! crate's public parse functions are called, so the targets outlive a change
//! of the DER back end.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::OnceLock;

use tdverify_pki::testpki::{TestKeyAlgorithm, TestPki, test_date};
use tdverify_pki::{Certificate, Crl, CscaStore, Sod, passive_authentication};

/// The TEST PKI the seeds are signed with, and a store that trusts its CSCA.
pub fn test_pki() -> Option<&'static (TestPki, CscaStore)> {
    static PKI: OnceLock<Option<(TestPki, CscaStore)>> = OnceLock::new();
    PKI.get_or_init(|| {
        let pki = TestPki::generate("UTO", TestKeyAlgorithm::EcdsaP256, b"tdverify TEST-ONLY fuzz").ok()?;
        let mut store = CscaStore::new();
        store.import_certificate_der(&pki.csca.certificate).ok()?;
        Some((pki, store))
    })
    .as_ref()
}

/// EF.SOD: the parse, then passive authentication against the TEST CSCA with
/// one data group (so the hash comparison runs too).
pub fn sod(data: &[u8]) {
    if let Ok(sod) = Sod::parse(data) {
        black_box(sod.data_group_hashes.len());
    }
    if let Some((_, store)) = test_pki() {
        let groups = BTreeMap::from([(1u8, b"fuzz DG1".to_vec())]);
        black_box(passive_authentication(data, &groups, store, test_date(2026, 1, 1)));
    }
}

/// A certificate or a CRL; a certificate's own key checks its signature (a
/// self-signed CSCA) and the CRL's signature is checked under it.
pub fn x509(data: &[u8]) {
    if let Ok(certificate) = Certificate::from_der(data) {
        black_box(certificate.signature_scheme().ok());
        black_box(certificate.is_self_signed());
        black_box(certificate.serial_hex());
        black_box(certificate.verify_signed_by(&certificate.public_key).ok());
    }
    if let Ok(crl) = Crl::from_der(data) {
        black_box(crl.is_revoked(&[0x64]));
        if let Some((pki, _)) = test_pki()
            && let Ok(csca) = Certificate::from_der(&pki.csca.certificate)
        {
            black_box(crl.verify_signed_by(&csca.public_key).ok());
        }
    }
}

/// What `tdverify csca import` reads: PEM or DER certificates, CRLs, CMS master lists.
pub fn csca_import(data: &[u8]) {
    let mut store = CscaStore::new();
    black_box(store.import_bytes(data).ok());
    black_box(store.summaries());
    let mut store = CscaStore::new();
    black_box(store.import_master_list(data).ok());
}
