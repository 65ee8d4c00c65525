//! The CSCA trust store (single certificates, link certificates, CMS master
//! lists, CRLs) and passive authentication itself, reported as one
//! `tdverify_core::Check` per step so an officer sees exactly which step failed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use tdverify_core::{Check, CheckIdInfo, CheckStatus, Evidence, hex};

use crate::cert::{Certificate, Crl, KeyUsage, UnixSeconds};
use crate::cms::{self, SignedData};
use crate::crypto::HashAlgorithm;
use crate::sod::Sod;
use crate::{PkiError, lenient};

/// Every check id passive authentication can emit.
pub const CHECK_IDS: &[CheckIdInfo] = &[
    CheckIdInfo { id: "chip.pa.sod_parse", meaning: "EF.SOD is a well-formed CMS SignedData holding an LDS security object" },
    CheckIdInfo { id: "chip.pa.sod_signature", meaning: "EF.SOD signature (signed attributes, message digest) verifies with the Document Signer certificate" },
    CheckIdInfo { id: "chip.pa.ds_chain", meaning: "the Document Signer certificate was issued by a CSCA in the trust store (signature, key usage, key identifiers)" },
    CheckIdInfo { id: "chip.pa.ds_validity", meaning: "the Document Signer certificate is valid at the inspection time and its CSCA was valid when it was issued" },
    CheckIdInfo { id: "chip.pa.crl", meaning: "the Document Signer is not revoked by a loaded CRL of its CSCA" },
    CheckIdInfo { id: "chip.pa.dg_hash.*", meaning: "the hash of each data group read matches the hash signed in EF.SOD (DG1 … DG16)" },
];

/// What one import added to the store.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ImportSummary {
    /// "certificate", "link_certificate", "master_list" or "crl".
    pub kind: String,
    /// CSCA certificates newly added.
    pub added: usize,
    /// CSCA certificates already present.
    pub duplicates: usize,
    /// CRLs newly added.
    pub crls_added: usize,
    /// Subject of the master list signer, when a master list was imported.
    pub master_list_signer: Option<String>,
    /// Subjects of the certificates added.
    pub subjects: Vec<String>,
    /// Things the admin should know (skipped entries…).
    pub warnings: Vec<String>,
}

/// Trusted CSCA certificates (self-signed and link) and the CRLs verified against them.
#[derive(Debug, Clone, Default)]
pub struct CscaStore {
    cscas: Vec<Certificate>,
    crls: Vec<Crl>,
}

fn date_text(seconds: UnixSeconds) -> String {
    let (year, month, day) = tdverify_core::civil::civil_from_days(seconds.div_euclid(86_400));
    format!("{year:04}-{month:02}-{day:02}")
}

/// The DER inside each `-----BEGIN label-----` block of `text` (base64 read by
/// `base64ct`, whitespace and line lengths as other tools write them).
fn pem_blocks(text: &str, label: &str) -> Vec<Result<Vec<u8>, PkiError>> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(&begin) {
        let after = &rest[start + begin.len()..];
        let Some(stop) = after.find(&end) else {
            out.push(Err(PkiError::Malformed(format!("PEM {label} without END line"))));
            break;
        };
        let body: String = after[..stop].chars().filter(|c| !c.is_ascii_whitespace()).collect();
        out.push(
            <base64ct::Base64 as base64ct::Encoding>::decode_vec(&body).map_err(|e| PkiError::Malformed(format!("PEM {label} base64: {e}"))),
        );
        rest = &after[stop + end.len()..];
    }
    out
}

/// PEM text of DER bytes (`label` e.g. "CERTIFICATE"), 64 columns, for exporting
/// the store or feeding certificates to other tools.
pub fn pem_encode(label: &str, der: &[u8]) -> String {
    // Only a label outside RFC 7468's rules can fail; ours are constants.
    pem_rfc7468::encode_string(label, pem_rfc7468::LineEnding::LF, der).unwrap_or_default()
}

impl CscaStore {
    /// An empty store.
    pub fn new() -> CscaStore {
        CscaStore::default()
    }

    /// The trusted CSCA certificates.
    pub fn certificates(&self) -> &[Certificate] {
        &self.cscas
    }

    /// The loaded CRLs.
    pub fn crls(&self) -> &[Crl] {
        &self.crls
    }

    /// One line per trusted CSCA, for `tdverify csca list` and the admin screen.
    pub fn summaries(&self) -> Vec<CertificateSummary> {
        self.cscas
            .iter()
            .map(|c| CertificateSummary {
                subject: c.subject_text.clone(),
                issuer: c.issuer_text.clone(),
                serial: c.serial_hex(),
                key: c.public_key.describe(),
                valid_from: date_text(c.not_before),
                valid_to: date_text(c.not_after),
                link_certificate: c.subject != c.issuer,
                sha256: hex::encode(&HashAlgorithm::Sha256.digest(&c.der)),
            })
            .collect()
    }

    fn contains(&self, cert: &Certificate) -> bool {
        self.cscas.iter().any(|c| c.der == cert.der)
    }

    fn push(&mut self, cert: Certificate, summary: &mut ImportSummary) {
        if self.contains(&cert) {
            summary.duplicates += 1;
        } else {
            summary.added += 1;
            summary.subjects.push(cert.subject_text.clone());
            self.cscas.push(cert);
        }
    }

    /// Adds one CSCA certificate: self-signed ones are trusted as the admin's decision;
    /// link certificates only if a CSCA already in the store signed them.
    pub fn import_certificate_der(&mut self, bytes: &[u8]) -> Result<ImportSummary, PkiError> {
        let cert = Certificate::from_der(bytes)?;
        let mut summary = ImportSummary { kind: "certificate".into(), ..ImportSummary::default() };
        if let Some(usage) = cert.key_usage
            && !usage.allows(KeyUsage::KEY_CERT_SIGN)
        {
            return Err(PkiError::Malformed(format!("{} is not a CSCA certificate (no keyCertSign usage)", cert.subject_text)));
        }
        if !cert.is_self_signed() {
            let linked = self.cscas.iter().any(|csca| csca.subject == cert.issuer && cert.verify_signed_by(&csca.public_key).is_ok());
            if !linked {
                return Err(PkiError::BadSignature(format!(
                    "{} is a link certificate whose issuing CSCA ({}) is not in the store: import that CSCA first",
                    cert.subject_text, cert.issuer_text
                )));
            }
            summary.kind = "link_certificate".into();
        }
        self.push(cert, &mut summary);
        Ok(summary)
    }

    /// Imports an ICAO/German CMS master list: the CMS signature must verify with the
    /// master list signer certificate, and that certificate must be issued by a CSCA in
    /// the list or already in the store; then every CSCA in the list is added.
    pub fn import_master_list(&mut self, bytes: &[u8]) -> Result<ImportSummary, PkiError> {
        let signed = SignedData::from_content_info(bytes)?;
        if signed.content_type != cms::oid::CSCA_MASTER_LIST {
            return Err(PkiError::Malformed(format!("CMS content type {} is not a CSCA master list", signed.content_type)));
        }
        let signer = signed.signers.first().ok_or_else(|| PkiError::Malformed("master list without signer".into()))?;
        let signer_cert = signed
            .signer_certificate(signer)
            .ok_or_else(|| PkiError::Malformed("master list signer certificate missing".into()))?;
        signed.verify_signer(signer, signer_cert)?;
        // CscaMasterList ::= SEQUENCE { version INTEGER, certList SET OF Certificate } (ICAO 9303-12 §9).
        // Read with the lenient splitter, not a declared type: each certificate is kept
        // as received (its signature and fingerprint are over those bytes), and one
        // unreadable certificate skips that certificate, not the list.
        let list = lenient::parse(&signed.content)?;
        let version = list.child(0, "CscaMasterList version")?;
        let set = list.child(1, "CscaMasterList certList")?;
        if list.tag != 0x30 || version.tag != 0x02 || set.tag != 0x31 || list.children().len() != 2 {
            return Err(PkiError::Malformed("CscaMasterList is not SEQUENCE { version INTEGER, certList SET }".into()));
        }
        let mut certs = Vec::new();
        let mut summary = ImportSummary { kind: "master_list".into(), ..ImportSummary::default() };
        for item in set.children() {
            match Certificate::from_received(item) {
                Ok(cert) => certs.push(cert),
                Err(e) => summary.warnings.push(format!("skipped an unreadable certificate: {e}")),
            }
        }
        let anchored = certs
            .iter()
            .chain(self.cscas.iter())
            .any(|csca| csca.subject == signer_cert.issuer && signer_cert.verify_signed_by(&csca.public_key).is_ok());
        if !anchored {
            return Err(PkiError::BadSignature(format!(
                "master list signer {} was not issued by any CSCA in the list or the store",
                signer_cert.subject_text
            )));
        }
        summary.master_list_signer = Some(signer_cert.subject_text.clone());
        for cert in certs {
            self.push(cert, &mut summary);
        }
        Ok(summary)
    }

    /// Adds a CRL after verifying it against the CSCA that issued it.
    pub fn import_crl_der(&mut self, bytes: &[u8]) -> Result<ImportSummary, PkiError> {
        let crl = Crl::from_der(bytes)?;
        let verified = self.cscas.iter().any(|c| c.subject == crl.issuer && crl.verify_signed_by(&c.public_key).is_ok());
        if !verified {
            return Err(PkiError::BadSignature(format!(
                "CRL of {} does not verify with any CSCA in the store: import that CSCA first",
                crl.issuer_text
            )));
        }
        let mut summary = ImportSummary { kind: "crl".into(), ..ImportSummary::default() };
        if !self.crls.iter().any(|c| c.der == crl.der) {
            summary.crls_added = 1;
            summary.subjects.push(crl.issuer_text.clone());
            self.crls.push(crl);
        }
        Ok(summary)
    }

    /// Imports whatever `bytes` hold: PEM or DER certificate(s), a CRL, or a CMS master list.
    pub fn import_bytes(&mut self, bytes: &[u8]) -> Result<ImportSummary, PkiError> {
        if let Ok(text) = std::str::from_utf8(bytes)
            && text.contains("-----BEGIN")
        {
            let mut total = ImportSummary { kind: "pem".into(), ..ImportSummary::default() };
            for block in pem_blocks(text, "CERTIFICATE").into_iter().chain(pem_blocks(text, "X509 CRL")).chain(pem_blocks(text, "CMS")) {
                let one = self.import_bytes(&block?)?;
                total.added += one.added;
                total.duplicates += one.duplicates;
                total.crls_added += one.crls_added;
                total.subjects.extend(one.subjects);
                total.warnings.extend(one.warnings);
                total.master_list_signer = total.master_list_signer.or(one.master_list_signer);
            }
            return Ok(total);
        }
        if Certificate::from_der(bytes).is_ok() {
            return self.import_certificate_der(bytes);
        }
        if Crl::from_der(bytes).is_ok() {
            return self.import_crl_der(bytes);
        }
        self.import_master_list(bytes)
    }

    /// `tdverify csca import FILE`: reads the file and imports it. A folder imports every
    /// file in it (sorted by name, so link certificates after their CSCAs when named so);
    /// files that fail are listed in `warnings` instead of stopping the import.
    pub fn import_path(&mut self, path: &Path) -> Result<ImportSummary, PkiError> {
        if path.is_dir() {
            return self.import_folder(path);
        }
        let bytes = std::fs::read(path).map_err(|source| PkiError::Io { action: "reading", path: path.to_path_buf(), source })?;
        self.import_bytes(&bytes)
    }

    fn import_folder(&mut self, dir: &Path) -> Result<ImportSummary, PkiError> {
        let entries = std::fs::read_dir(dir).map_err(|source| PkiError::Io { action: "listing", path: dir.to_path_buf(), source })?;
        let mut paths = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| PkiError::Io { action: "listing", path: dir.to_path_buf(), source })?;
            if entry.path().is_file() {
                paths.push(entry.path());
            }
        }
        paths.sort();
        let mut total = ImportSummary { kind: "folder".into(), ..ImportSummary::default() };
        for path in paths {
            match self.import_path(&path) {
                Ok(one) => {
                    total.added += one.added;
                    total.duplicates += one.duplicates;
                    total.crls_added += one.crls_added;
                    total.subjects.extend(one.subjects);
                    total.warnings.extend(one.warnings);
                    total.master_list_signer = total.master_list_signer.or(one.master_list_signer);
                }
                Err(e) => total.warnings.push(format!("{}: {e}", path.display())),
            }
        }
        Ok(total)
    }

    /// Saves the store as `<dir>/csca/<sha256>.der` and `<dir>/crl/<sha256>.der`.
    pub fn save_dir(&self, dir: &Path) -> Result<(), PkiError> {
        for (sub, items) in [("csca", self.cscas.iter().map(|c| &c.der).collect::<Vec<_>>()), ("crl", self.crls.iter().map(|c| &c.der).collect())] {
            let folder = dir.join(sub);
            std::fs::create_dir_all(&folder).map_err(|source| PkiError::Io { action: "creating", path: folder.clone(), source })?;
            for der in items {
                let path = folder.join(format!("{}.der", hex::encode(&HashAlgorithm::Sha256.digest(der)[..16])));
                std::fs::write(&path, der).map_err(|source| PkiError::Io { action: "writing", path: path.clone(), source })?;
            }
        }
        Ok(())
    }

    /// Loads a store saved by [`CscaStore::save_dir`]; a missing folder is an empty store.
    pub fn load_dir(dir: &Path) -> Result<CscaStore, PkiError> {
        let mut store = CscaStore::new();
        for sub in ["csca", "crl"] {
            let folder = dir.join(sub);
            if !folder.exists() {
                continue;
            }
            let entries = std::fs::read_dir(&folder).map_err(|source| PkiError::Io { action: "listing", path: folder.clone(), source })?;
            let mut paths: Vec<PathBuf> = Vec::new();
            for entry in entries {
                let entry = entry.map_err(|source| PkiError::Io { action: "listing", path: folder.clone(), source })?;
                paths.push(entry.path());
            }
            paths.sort();
            for path in paths.into_iter().filter(|p| p.extension().is_some_and(|e| e == "der")) {
                let bytes = std::fs::read(&path).map_err(|source| PkiError::Io { action: "reading", path: path.clone(), source })?;
                if sub == "csca" {
                    store.cscas.push(Certificate::from_der(&bytes)?);
                } else {
                    store.crls.push(Crl::from_der(&bytes)?);
                }
            }
        }
        Ok(store)
    }
}

/// A trusted CSCA as listed to an admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateSummary {
    /// Subject ("C=…, CN=…").
    pub subject: String,
    /// Issuer (differs from the subject for link certificates).
    pub issuer: String,
    /// Serial, hex.
    pub serial: String,
    /// Public key description.
    pub key: String,
    /// notBefore, YYYY-MM-DD.
    pub valid_from: String,
    /// notAfter, YYYY-MM-DD.
    pub valid_to: String,
    /// True for a link certificate (new CSCA key certified by the old one).
    pub link_certificate: bool,
    /// SHA-256 of the certificate, hex (also its file name stem in the saved store, first 32 digits).
    pub sha256: String,
}

/// The Document Signer as reported to the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignerSummary {
    /// Subject ("CN=…, C=…").
    pub subject: String,
    /// Issuer.
    pub issuer: String,
    /// Serial, hex.
    pub serial: String,
    /// Public key description.
    pub key: String,
    /// notBefore / notAfter as YYYY-MM-DD.
    pub valid_from: String,
    /// notAfter.
    pub valid_to: String,
}

/// Outcome of passive authentication: one check per step plus what the UI shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PaReport {
    /// `chip.pa.*` checks in step order.
    pub checks: Vec<Check>,
    /// The overall status: the worst of the checks.
    pub status: CheckStatus,
    /// One-line reason for the overall status.
    pub reason: String,
    /// SOD data-group hash algorithm.
    pub hash_algorithm: Option<String>,
    /// SOD signature scheme.
    pub signature_algorithm: Option<String>,
    /// The Document Signer.
    pub document_signer: Option<SignerSummary>,
    /// Subject of the CSCA that issued it, when found.
    pub csca: Option<String>,
    /// LDS version from the SOD, if stated.
    pub lds_version: Option<String>,
}

fn sod_evidence() -> Evidence {
    Evidence::source("chip:EF.SOD")
}

/// Runs passive authentication (ICAO 9303-11 §5.1) on EF.SOD and the data groups read.
///
/// Validity rule (stated): the Document Signer certificate must be valid at
/// `inspection_time` (ICAO 9303-12 makes its validity cover the signing period plus
/// the lifetime of the documents it signed); the CSCA must have been valid when it
/// issued the Document Signer (chain model, so CSCA renewal does not break documents
/// already issued); a SOD signing time outside the DS validity is reported too.
pub fn passive_authentication(sod: &[u8], data_groups: &BTreeMap<u8, Vec<u8>>, store: &CscaStore, inspection_time: UnixSeconds) -> PaReport {
    let mut checks = Vec::new();
    let mut report = PaReport {
        checks: Vec::new(),
        status: CheckStatus::Pass,
        reason: String::new(),
        hash_algorithm: None,
        signature_algorithm: None,
        document_signer: None,
        csca: None,
        lds_version: None,
    };
    let not_run = |id: &str, why: &str| Check::new(id, CheckStatus::Error, format!("not run: {why}")).with_confidence(0.0);

    let parsed = match Sod::parse(sod) {
        Ok(parsed) => {
            checks.push(
                Check::pass("chip.pa.sod_parse", format!("EF.SOD read: {} data-group hashes ({})", parsed.data_group_hashes.len(), parsed.hash_algorithm.name()))
                    .with_evidence(sod_evidence()),
            );
            parsed
        }
        Err(e) => {
            checks.push(Check::fail("chip.pa.sod_parse", format!("EF.SOD is malformed: {e}")).with_evidence(sod_evidence()));
            for id in ["chip.pa.sod_signature", "chip.pa.ds_chain", "chip.pa.ds_validity", "chip.pa.crl"] {
                checks.push(not_run(id, "EF.SOD could not be read"));
            }
            for number in data_groups.keys() {
                checks.push(not_run(&format!("chip.pa.dg_hash.DG{number}"), "EF.SOD could not be read"));
            }
            return finish(report, checks);
        }
    };
    report.hash_algorithm = Some(parsed.hash_algorithm.name().to_string());
    report.lds_version = parsed.lds_version.as_ref().map(|v| v.lds_version.clone());

    // Signature.
    let signed = &parsed.signed_data;
    let signer = signed.signers.first();
    let ds = signer.and_then(|s| signed.signer_certificate(s));
    match (signer, ds) {
        (Some(signer), Some(ds)) => {
            report.document_signer = Some(SignerSummary {
                subject: ds.subject_text.clone(),
                issuer: ds.issuer_text.clone(),
                serial: ds.serial_hex(),
                key: ds.public_key.describe(),
                valid_from: date_text(ds.not_before),
                valid_to: date_text(ds.not_after),
            });
            match signed.verify_signer(signer, ds) {
                Ok(scheme) => {
                    report.signature_algorithm = Some(scheme.describe());
                    checks.push(
                        Check::pass("chip.pa.sod_signature", format!("EF.SOD signature verifies ({}, {})", scheme.describe(), ds.public_key.describe()))
                            .with_evidence(sod_evidence()),
                    );
                }
                Err(PkiError::UnsupportedAlgorithm(what)) => checks.push(
                    Check::new("chip.pa.sod_signature", CheckStatus::Error, format!("EF.SOD signature cannot be checked: unsupported {what}"))
                        .with_confidence(0.0)
                        .with_evidence(sod_evidence()),
                ),
                Err(e) => checks.push(
                    Check::fail("chip.pa.sod_signature", format!("EF.SOD signature does not verify: {e}")).with_evidence(sod_evidence()),
                ),
            }
        }
        _ => checks.push(Check::fail("chip.pa.sod_signature", "EF.SOD carries no Document Signer certificate for its signer").with_evidence(sod_evidence())),
    }

    // Chain, validity, CRL.
    match ds {
        Some(ds) => {
            let issuer = chain_check(ds, store, &mut checks);
            report.csca = issuer.map(|c| c.subject_text.clone());
            checks.push(validity_check(ds, issuer, signer.and_then(|s| s.signing_time), inspection_time));
            checks.push(crl_check(ds, store, inspection_time));
        }
        None => {
            for id in ["chip.pa.ds_chain", "chip.pa.ds_validity", "chip.pa.crl"] {
                checks.push(not_run(id, "no Document Signer certificate"));
            }
        }
    }

    // Data-group hashes.
    for (number, bytes) in data_groups {
        let id = format!("chip.pa.dg_hash.DG{number}");
        let evidence = Evidence::source(format!("chip:DG{number}"));
        let actual = parsed.hash_algorithm.digest(bytes);
        match parsed.data_group_hashes.get(number) {
            Some(expected) if *expected == actual => checks.push(Check::pass(id, format!("DG{number} hash matches EF.SOD")).with_evidence(evidence)),
            Some(expected) => checks.push(
                Check::fail(id, format!("DG{number} hash does not match EF.SOD: DG{number} was altered"))
                    .with_evidence(evidence.with_detail(format!("expected {} got {}", hex::encode(expected), hex::encode(&actual)))),
            ),
            None => checks.push(Check::fail(id, format!("DG{number} was read but EF.SOD lists no hash for it")).with_evidence(evidence)),
        }
    }
    finish(report, checks)
}

fn finish(mut report: PaReport, checks: Vec<Check>) -> PaReport {
    let worst = checks.iter().max_by_key(|c| c.status.severity());
    report.status = worst.map(|c| c.status).unwrap_or(CheckStatus::Error);
    report.reason = match worst {
        Some(c) if c.status == CheckStatus::Pass => "passive authentication passed: data groups are as signed by the issuing state".into(),
        Some(c) => format!("{}: {}", c.id, c.message),
        None => "nothing to check".into(),
    };
    if report.status == CheckStatus::NotApplicable {
        report.status = CheckStatus::Pass;
    }
    report.checks = checks;
    report
}

fn chain_check<'s>(ds: &Certificate, store: &'s CscaStore, checks: &mut Vec<Check>) -> Option<&'s Certificate> {
    let evidence = || Evidence::source("chip:EF.SOD").with_detail(format!("Document Signer issuer: {}", ds.issuer_text));
    let named: Vec<&Certificate> = store
        .certificates()
        .iter()
        .filter(|c| c.subject == ds.issuer)
        .filter(|c| match (&c.subject_key_id, &ds.authority_key_id) {
            (Some(ski), Some(aki)) => ski == aki,
            _ => true,
        })
        .collect();
    let mut unsupported = None;
    let issuer = named.iter().copied().find(|c| match ds.verify_signed_by(&c.public_key) {
        Ok(()) => true,
        Err(PkiError::UnsupportedAlgorithm(what)) => {
            unsupported = Some(what);
            false
        }
        Err(_) => false,
    });
    if let (None, Some(what)) = (issuer, unsupported) {
        checks.push(
            Check::new("chip.pa.ds_chain", CheckStatus::Error, format!("Document Signer certificate cannot be checked: unsupported {what}"))
                .with_confidence(0.0)
                .with_evidence(evidence()),
        );
        return None;
    }
    match issuer {
        Some(csca) => {
            if let Some(usage) = ds.key_usage
                && !usage.allows(KeyUsage::DIGITAL_SIGNATURE)
            {
                checks.push(Check::fail("chip.pa.ds_chain", "Document Signer certificate lacks the digitalSignature key usage").with_evidence(evidence()));
            } else if let Some(usage) = csca.key_usage
                && !usage.allows(KeyUsage::KEY_CERT_SIGN)
            {
                checks.push(Check::fail("chip.pa.ds_chain", format!("{} may not issue certificates (no keyCertSign)", csca.subject_text)).with_evidence(evidence()));
            } else {
                checks.push(Check::pass("chip.pa.ds_chain", format!("Document Signer issued by {}", csca.subject_text)).with_evidence(evidence()));
            }
            Some(csca)
        }
        None if !named.is_empty() => {
            checks.push(
                Check::fail(
                    "chip.pa.ds_chain",
                    format!("Document Signer claims {} as issuer, but its signature does not verify with that CSCA", ds.issuer_text),
                )
                .with_evidence(evidence()),
            );
            None
        }
        None => {
            checks.push(
                Check::fail("chip.pa.ds_chain", "Document Signer not issued by any known CSCA: import the issuing state's master list")
                    .with_evidence(evidence()),
            );
            None
        }
    }
}

fn validity_check(ds: &Certificate, csca: Option<&Certificate>, signing_time: Option<UnixSeconds>, now: UnixSeconds) -> Check {
    let id = "chip.pa.ds_validity";
    let evidence = Evidence::source("chip:EF.SOD").with_detail(format!("Document Signer valid {} to {}", date_text(ds.not_before), date_text(ds.not_after)));
    if now < ds.not_before {
        return Check::fail(id, format!("Document Signer certificate not valid until {}", date_text(ds.not_before))).with_evidence(evidence);
    }
    if now > ds.not_after {
        return Check::fail(id, format!("Document Signer certificate expired on {}", date_text(ds.not_after))).with_evidence(evidence);
    }
    if let Some(csca) = csca
        && (ds.not_before < csca.not_before || ds.not_before > csca.not_after)
    {
        return Check::fail(id, format!("Document Signer was issued outside the validity of {}", csca.subject_text)).with_evidence(evidence);
    }
    if let Some(signed_at) = signing_time
        && (signed_at < ds.not_before || signed_at > ds.not_after)
    {
        return Check::warn(id, format!("EF.SOD signing time {} is outside the Document Signer's validity", date_text(signed_at))).with_evidence(evidence);
    }
    Check::pass(id, format!("Document Signer certificate valid until {}", date_text(ds.not_after))).with_evidence(evidence)
}

fn crl_check(ds: &Certificate, store: &CscaStore, now: UnixSeconds) -> Check {
    let id = "chip.pa.crl";
    let crls: Vec<&Crl> = store.crls().iter().filter(|c| c.issuer == ds.issuer).collect();
    if crls.is_empty() {
        return Check::new(id, CheckStatus::NotApplicable, format!("no CRL loaded for {}", ds.issuer_text));
    }
    let evidence = Evidence::source("chip:EF.SOD").with_detail(format!("Document Signer serial {}", ds.serial_hex()));
    if crls.iter().any(|c| c.is_revoked(&ds.serial)) {
        return Check::fail(id, format!("Document Signer serial {} is revoked by the CRL of {}", ds.serial_hex(), ds.issuer_text)).with_evidence(evidence);
    }
    let newest = crls.iter().map(|c| c.this_update).max().unwrap_or_default();
    let stale = crls.iter().all(|c| c.next_update.is_some_and(|next| next < now));
    let message = format!("Document Signer not revoked (CRL of {})", date_text(newest));
    if stale { Check::warn(id, format!("{message}; the CRL is past its next update: load a newer one")).with_evidence(evidence) } else { Check::pass(id, message).with_evidence(evidence) }
}

/// Seconds since the Unix epoch now, for `inspection_time`.
pub fn now_unix() -> UnixSeconds {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testpki::{self, TestKeyAlgorithm, TestPki, TEST_EPOCH, YEAR};
    use std::sync::OnceLock;

    const SEED: &[u8] = b"tdverify unit tests";
    const INSPECTION: UnixSeconds = TEST_EPOCH + 6 * YEAR;

    fn pki(algorithm: TestKeyAlgorithm) -> &'static TestPki {
        static CACHE: OnceLock<std::sync::Mutex<BTreeMap<String, &'static TestPki>>> = OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        let mut map = cache.lock().unwrap();
        map.entry(format!("{algorithm:?}"))
            .or_insert_with(|| Box::leak(Box::new(TestPki::generate("UTO", algorithm, SEED).unwrap())))
    }

    fn data_groups() -> BTreeMap<u8, Vec<u8>> {
        let mut dgs = BTreeMap::new();
        dgs.insert(1, b"\x61\x5B\x5F\x1F\x58P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<L898902C36UTO7408122F1204159ZE184226B<<<<<10".to_vec());
        dgs.insert(2, vec![0x75, 0x03, 1, 2, 3]);
        dgs.insert(14, vec![0x6E, 0x02, 9, 9]);
        dgs
    }

    fn store_with(pki: &TestPki, with_crl: bool) -> CscaStore {
        let mut store = CscaStore::new();
        let summary = store.import_master_list(&pki.master_list(&[]).unwrap()).unwrap();
        assert_eq!(summary.added, 1);
        if with_crl {
            store.import_crl_der(&pki.crl).unwrap();
        }
        store
    }

    fn status_of(report: &PaReport, id: &str) -> CheckStatus {
        report.checks.iter().find(|c| c.id == id).map(|c| c.status).unwrap_or_else(|| panic!("no check {id} in {report:#?}"))
    }

    fn message_of(report: &PaReport, id: &str) -> String {
        report.checks.iter().find(|c| c.id == id).map(|c| c.message.clone()).unwrap_or_default()
    }

    #[test]
    fn every_algorithm_and_hash_round_trips() {
        for algorithm in TestKeyAlgorithm::ALL {
            let pki = pki(algorithm);
            let store = store_with(pki, true);
            for hash in [HashAlgorithm::Sha1, HashAlgorithm::Sha256, HashAlgorithm::Sha384, HashAlgorithm::Sha512] {
                let sod = testpki::sign_sod(&pki.document_signer, &data_groups(), hash, TEST_EPOCH + YEAR).unwrap();
                let report = passive_authentication(&sod, &data_groups(), &store, INSPECTION);
                assert_eq!(report.status, CheckStatus::Pass, "{algorithm:?} {hash:?}: {report:#?}");
                assert_eq!(report.checks.len(), 5 + 3);
                assert_eq!(report.hash_algorithm.as_deref(), Some(hash.name()));
            }
        }
    }

    #[test]
    fn altered_data_group_fails_naming_it() {
        let pki = pki(TestKeyAlgorithm::EcdsaP256);
        let store = store_with(pki, false);
        let sod = testpki::sign_sod(&pki.document_signer, &data_groups(), HashAlgorithm::Sha256, TEST_EPOCH + YEAR).unwrap();
        let mut altered = data_groups();
        if let Some(dg1) = altered.get_mut(&1) {
            dg1[10] ^= 1;
        }
        let report = passive_authentication(&sod, &altered, &store, INSPECTION);
        assert_eq!(status_of(&report, "chip.pa.dg_hash.DG1"), CheckStatus::Fail);
        assert!(message_of(&report, "chip.pa.dg_hash.DG1").contains("DG1"));
        assert_eq!(status_of(&report, "chip.pa.dg_hash.DG2"), CheckStatus::Pass);
        assert_eq!(status_of(&report, "chip.pa.sod_signature"), CheckStatus::Pass);
        assert_eq!(report.status, CheckStatus::Fail);
        assert!(report.reason.starts_with("chip.pa.dg_hash.DG1"));
    }

    #[test]
    fn unknown_csca_fails_the_chain_with_advice() {
        let pki = pki(TestKeyAlgorithm::EcdsaBrainpoolP256r1);
        let sod = testpki::sign_sod(&pki.unknown_document_signer, &data_groups(), HashAlgorithm::Sha256, TEST_EPOCH + YEAR).unwrap();
        let report = passive_authentication(&sod, &data_groups(), &CscaStore::new(), INSPECTION);
        assert_eq!(status_of(&report, "chip.pa.ds_chain"), CheckStatus::Fail);
        assert_eq!(message_of(&report, "chip.pa.ds_chain"), "Document Signer not issued by any known CSCA: import the issuing state's master list");
        assert_eq!(status_of(&report, "chip.pa.sod_signature"), CheckStatus::Pass);
        // Same name as the genuine CSCA, different key: still refused.
        let report = passive_authentication(&sod, &data_groups(), &store_with(pki, false), INSPECTION);
        assert_eq!(status_of(&report, "chip.pa.ds_chain"), CheckStatus::Fail);
    }

    #[test]
    fn expired_document_signer_fails_validity() {
        let pki = pki(TestKeyAlgorithm::EcdsaP256);
        let sod = testpki::sign_sod(&pki.expired_document_signer, &data_groups(), HashAlgorithm::Sha256, TEST_EPOCH + 100 * 86_400).unwrap();
        let report = passive_authentication(&sod, &data_groups(), &store_with(pki, false), INSPECTION);
        assert_eq!(status_of(&report, "chip.pa.ds_validity"), CheckStatus::Fail);
        assert!(message_of(&report, "chip.pa.ds_validity").contains("expired on 2021-01-01"), "{}", message_of(&report, "chip.pa.ds_validity"));
        assert_eq!(status_of(&report, "chip.pa.ds_chain"), CheckStatus::Pass);
    }

    #[test]
    fn revoked_document_signer_fails_crl_only_when_a_crl_is_loaded() {
        let pki = pki(TestKeyAlgorithm::EcdsaP256);
        let sod = testpki::sign_sod(&pki.revoked_document_signer, &data_groups(), HashAlgorithm::Sha256, TEST_EPOCH + YEAR).unwrap();
        let report = passive_authentication(&sod, &data_groups(), &store_with(pki, true), INSPECTION);
        assert_eq!(status_of(&report, "chip.pa.crl"), CheckStatus::Fail);
        assert!(message_of(&report, "chip.pa.crl").contains("revoked"));
        let report = passive_authentication(&sod, &data_groups(), &store_with(pki, false), INSPECTION);
        assert_eq!(status_of(&report, "chip.pa.crl"), CheckStatus::NotApplicable);
        assert_eq!(report.status, CheckStatus::Pass);
        let good = testpki::sign_sod(&pki.document_signer, &data_groups(), HashAlgorithm::Sha256, TEST_EPOCH + YEAR).unwrap();
        let report = passive_authentication(&good, &data_groups(), &store_with(pki, true), INSPECTION);
        assert_eq!(status_of(&report, "chip.pa.crl"), CheckStatus::Pass);
    }

    #[test]
    fn tampered_signature_or_content_fails_the_signature() {
        for algorithm in [TestKeyAlgorithm::Rsa2048, TestKeyAlgorithm::EcdsaP256] {
            let pki = pki(algorithm);
            let store = store_with(pki, false);
            let sod = testpki::sign_sod(&pki.document_signer, &data_groups(), HashAlgorithm::Sha256, TEST_EPOCH + YEAR).unwrap();
            // The last bytes of EF.SOD are the signature value.
            let mut bad_signature = sod.clone();
            let last = bad_signature.len() - 3;
            bad_signature[last] ^= 0x01;
            let report = passive_authentication(&bad_signature, &data_groups(), &store, INSPECTION);
            assert_eq!(status_of(&report, "chip.pa.sod_signature"), CheckStatus::Fail, "{algorithm:?}");
            // Re-signing the content with a different DG hash list but keeping the signature.
            let digest = HashAlgorithm::Sha256.digest(&data_groups()[&1]);
            let position = sod.windows(digest.len()).position(|w| w == digest.as_slice()).unwrap();
            let mut bad_content = sod.clone();
            bad_content[position] ^= 0x01;
            let report = passive_authentication(&bad_content, &data_groups(), &store, INSPECTION);
            assert_eq!(status_of(&report, "chip.pa.sod_signature"), CheckStatus::Fail);
            assert!(message_of(&report, "chip.pa.sod_signature").contains("message-digest"));
        }
    }

    #[test]
    fn garbage_sod_fails_parse_and_skips_the_rest() {
        let report = passive_authentication(b"\x77\x03\x30\x01\x00", &data_groups(), &CscaStore::new(), INSPECTION);
        assert_eq!(status_of(&report, "chip.pa.sod_parse"), CheckStatus::Fail);
        assert_eq!(status_of(&report, "chip.pa.dg_hash.DG1"), CheckStatus::Error);
        assert_eq!(report.status, CheckStatus::Fail);
    }

    #[test]
    fn store_persists_and_imports_files() {
        let pki = pki(TestKeyAlgorithm::EcdsaP256);
        let dir = tempfile::tempdir().unwrap();
        let list_path = dir.path().join("TEST-masterlist.ml");
        std::fs::write(&list_path, pki.master_list(&[]).unwrap()).unwrap();
        let crl_path = dir.path().join("TEST.crl");
        std::fs::write(&crl_path, &pki.crl).unwrap();
        let mut store = CscaStore::new();
        assert_eq!(store.import_path(&list_path).unwrap().kind, "master_list");
        assert_eq!(store.import_path(&crl_path).unwrap().crls_added, 1);
        assert_eq!(store.import_path(&list_path).unwrap().duplicates, 1);
        let saved = dir.path().join("store");
        store.save_dir(&saved).unwrap();
        let loaded = CscaStore::load_dir(&saved).unwrap();
        assert_eq!(loaded.certificates().len(), 1);
        let summaries = loaded.summaries();
        assert_eq!(summaries[0].valid_from, "2020-01-01");
        assert_eq!(summaries[0].valid_to, "2040-01-01");
        assert!(!summaries[0].link_certificate);
        assert!(std::fs::read_dir(saved.join("csca")).unwrap().next().unwrap().unwrap().file_name().to_string_lossy().starts_with(&summaries[0].sha256[..32]));
        assert_eq!(loaded.crls().len(), 1);
        assert!(store.import_path(&dir.path().join("missing.der")).unwrap_err().to_string().contains("missing.der"));
        // A whole folder: the list, the CRL and one unreadable file reported as a warning.
        let folder = dir.path().join("incoming");
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join("a-TEST-masterlist.ml"), pki.master_list(&[]).unwrap()).unwrap();
        std::fs::write(folder.join("b-TEST.crl"), &pki.crl).unwrap();
        std::fs::write(folder.join("c-notes.txt"), b"not a certificate").unwrap();
        let summary = CscaStore::new().import_path(&folder).unwrap();
        assert_eq!((summary.added, summary.crls_added, summary.warnings.len()), (1, 1, 1), "{summary:?}");
    }

    #[test]
    fn single_certificates_import_as_der_and_pem_and_link_certificates_need_their_issuer() {
        let pki = pki(TestKeyAlgorithm::EcdsaP256);
        let mut store = CscaStore::new();
        let pem = {
            pem_encode("CERTIFICATE", &pki.csca.certificate)
        };
        let summary = store.import_bytes(pem.as_bytes()).unwrap();
        assert_eq!(summary.added, 1);
        assert!(summary.subjects[0].contains("TEST CSCA UTO (test only, not for production)"));
        // A link certificate: the new CSCA key certified by the old CSCA.
        let new_key = testpki::TestKey::generate(TestKeyAlgorithm::EcdsaP256, SEED, "renewed csca").unwrap();
        let request = testpki::CertificateRequest {
            country: "UTO",
            common_name: "TEST CSCA UTO 2 (test only, not for production)".into(),
            serial: 2,
            not_before: TEST_EPOCH,
            not_after: TEST_EPOCH + 20 * YEAR,
            role: testpki::TestRole::Csca,
        };
        let link = testpki::issue_certificate(&request, &new_key, Some((&pki.csca.key, &pki.csca.name))).unwrap();
        assert!(CscaStore::new().import_certificate_der(&link).is_err());
        assert_eq!(store.import_certificate_der(&link).unwrap().kind, "link_certificate");
        // A Document Signer is no CSCA.
        assert!(store.import_certificate_der(&pki.document_signer.certificate).is_err());
        // A CRL from an unknown CSCA is refused.
        assert!(CscaStore::new().import_crl_der(&pki.crl).is_err());
    }

    #[test]
    fn tampered_master_list_is_refused() {
        let pki = pki(TestKeyAlgorithm::EcdsaP256);
        let mut list = pki.master_list(&[]).unwrap();
        let position = list.windows(4).position(|w| w == b"TEST").unwrap();
        list[position] = b'B';
        assert!(CscaStore::new().import_master_list(&list).is_err());
        // A master list signed under an unknown CSCA is refused too.
        let foreign = testpki::sign_master_list(&pki.unknown_document_signer, &[&pki.csca.certificate], TEST_EPOCH).unwrap();
        assert!(CscaStore::new().import_master_list(&foreign).is_err());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn random_input_never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            let report = passive_authentication(&bytes, &data_groups(), &CscaStore::new(), INSPECTION);
            proptest::prop_assert_eq!(report.status, CheckStatus::Fail);
            let _ = CscaStore::new().import_bytes(&bytes);
        }

        #[test]
        fn corrupted_sods_never_panic(position in 0usize..2000, flip in 1u8..=255) {
            let pki = pki(TestKeyAlgorithm::EcdsaBrainpoolP256r1);
            let mut sod = testpki::sign_sod(&pki.document_signer, &data_groups(), HashAlgorithm::Sha256, TEST_EPOCH + YEAR).unwrap();
            let index = position % sod.len();
            sod[index] ^= flip;
            let _ = passive_authentication(&sod, &data_groups(), &store_with(pki, true), INSPECTION);
            let mut list = pki.master_list(&[]).unwrap();
            let index = position % list.len();
            list[index] ^= flip;
            let _ = CscaStore::new().import_bytes(&list);
        }
    }

    #[test]
    #[ignore = "prints timings; run with --run-ignored"]
    fn timings() {
        for algorithm in TestKeyAlgorithm::ALL {
            let started = std::time::Instant::now();
            let pki = pki(algorithm);
            let generated = started.elapsed();
            let store = store_with(pki, true);
            let mut dgs = data_groups();
            dgs.insert(2, vec![0x5A; 20_000]);
            let sod = testpki::sign_sod(&pki.document_signer, &dgs, HashAlgorithm::Sha256, TEST_EPOCH + YEAR).unwrap();
            let started = std::time::Instant::now();
            let rounds = 20;
            for _ in 0..rounds {
                let report = passive_authentication(&sod, &dgs, &store, INSPECTION);
                assert_eq!(report.status, CheckStatus::Pass);
            }
            println!("{algorithm:?}: TestPki::generate {generated:?}, passive_authentication (DG2 20 KB) {:?}", started.elapsed() / rounds);
            if algorithm == TestKeyAlgorithm::EcdsaBrainpoolP256r1 {
                let report = passive_authentication(&sod, &dgs, &store, INSPECTION);
                println!("{}", serde_json::to_string_pretty(&report).unwrap());
            }
        }
    }

    #[test]
    fn check_ids_cover_every_emitted_id() {
        let pki = pki(TestKeyAlgorithm::EcdsaP256);
        let sod = testpki::sign_sod(&pki.document_signer, &data_groups(), HashAlgorithm::Sha256, TEST_EPOCH + YEAR).unwrap();
        let report = passive_authentication(&sod, &data_groups(), &store_with(pki, true), INSPECTION);
        for check in &report.checks {
            assert!(CHECK_IDS.iter().any(|info| info.id == check.id || (info.id.ends_with(".*") && check.id.starts_with(info.id.trim_end_matches('*')))), "{}", check.id);
        }
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["status"], "pass");
        assert!(json["document_signer"]["subject"].as_str().unwrap().contains("TEST Document Signer UTO 100"));
    }
}

#[cfg(test)]
mod reference_vector_tests {
    //! The BSI TR-03105-5 reference EF.SOD (see testdata/README.md).
    use super::*;

    fn from_hex(text: &str) -> Vec<u8> {
        // Test vectors are written with spaces and line breaks between the digits.
        let digits: String = text.chars().filter(char::is_ascii_hexdigit).collect();
        tdverify_core::hex::decode(&digits).expect("test hex")
    }

    #[test]
    fn bsi_reference_sod_parses_and_its_pss_signature_verifies() {
        let sod_bytes = from_hex(include_str!("../testdata/bsi_tr03105_5_EF_SOD.hex"));
        let dg1 = from_hex(include_str!("../testdata/bsi_tr03105_5_DG1.hex"));
        let sod = Sod::parse(&sod_bytes).unwrap();
        assert_eq!(sod.hash_algorithm, HashAlgorithm::Sha256);
        assert_eq!(sod.data_group_hashes.keys().copied().collect::<Vec<_>>(), vec![1, 2, 3, 4, 14]);
        assert!(sod.lds_version.is_none());
        assert_eq!(sod.signed_data.certificates.len(), 1);
        assert_eq!(sod.signed_data.certificates[0].subject_text, "C=DE, O=HJP Consulting, OU=Document Signer, CN=HJP PB DS");

        let mut data_groups = BTreeMap::new();
        data_groups.insert(1u8, dg1);
        // Inspected while its Document Signer was valid (2014-06-01), with an empty store.
        let inspection = tdverify_core::civil::days_from_civil(2014, 6, 1) * 86_400;
        let report = passive_authentication(&sod_bytes, &data_groups, &CscaStore::new(), inspection);
        let status = |id: &str| report.checks.iter().find(|c| c.id == id).map(|c| c.status);
        assert_eq!(status("chip.pa.sod_parse"), Some(CheckStatus::Pass));
        assert_eq!(status("chip.pa.sod_signature"), Some(CheckStatus::Pass), "{report:#?}");
        assert_eq!(report.signature_algorithm.as_deref(), Some("RSASSA-PSS with SHA-256 (salt 32)"));
        assert_eq!(status("chip.pa.dg_hash.DG1"), Some(CheckStatus::Pass));
        assert_eq!(status("chip.pa.ds_chain"), Some(CheckStatus::Fail));
        assert_eq!(status("chip.pa.ds_validity"), Some(CheckStatus::Pass));
        // Today the Document Signer has long expired.
        let report = passive_authentication(&sod_bytes, &data_groups, &CscaStore::new(), now_unix());
        assert_eq!(report.checks.iter().find(|c| c.id == "chip.pa.ds_validity").map(|c| c.message.as_str()), Some("Document Signer certificate expired on 2014-12-11"));
    }
}
