//! Passive authentication of eMRTD chips (ICAO 9303-11 §5, 9303-12).
//!
//! Passive authentication proves the data groups read from a chip are the
//! ones the issuing state signed: EF.SOD holds a hash per data group, signed
//! by a Document Signer whose certificate a Country Signing CA (CSCA) issued.
//!
//! ASN.1 is read with RustCrypto's `der`, `spki`, `x509-cert` and `cms`, after
//! `lenient`'s pre-normalisation of the faults real documents carry.
//!
//! - `lenient`: BER and small DER faults re-encoded as DER, input bytes kept for signatures.
//! - `crypto`: hashes, public keys (explicit EC parameters mapped to named
//!   curves) and signature verification (RSA PKCS#1 v1.5 and PSS, ECDSA on
//!   P-256/384/521 and brainpoolP256r1/P384r1, DER or plain signatures).
//! - `cert`: X.509 certificates and CRLs.
//! - `cms`: CMS SignedData as EF.SOD and master lists use it.
//! - `sod`: EF.SOD and its LDS security object.
//! - `trust`: the CSCA store (certificates, link certificates, CMS master
//!   lists, CRLs, saved as a folder of DER files) and [`passive_authentication`],
//!   which reports one `tdverify_core::Check` per step ([`CHECK_IDS`]).
//! - `testpki`: deterministic TEST CSCAs, Document Signers, SODs, master lists
//!   and CRLs for fixtures, tests, demo and training (never for production).

mod lenient;
pub mod crypto;
pub mod cert;
pub mod cms;
pub mod sod;
pub mod testpki;
pub mod trust;

pub use cert::{Certificate, Crl, UnixSeconds};
pub use crypto::HashAlgorithm;
pub use sod::Sod;
pub use trust::{now_unix, passive_authentication, pem_encode, CertificateSummary, CscaStore, ImportSummary, PaReport, SignerSummary, CHECK_IDS};

use thiserror::Error;

/// Everything that can go wrong in passive authentication and the CSCA store.
#[derive(Debug, Error)]
pub enum PkiError {
    /// Bytes that are not the DER they should be.
    #[error("DER: {0}")]
    Der(#[from] der::Error),
    /// A structure that parsed as DER but is not valid for its purpose.
    #[error("malformed {0}")]
    Malformed(String),
    /// An algorithm or curve we cannot verify.
    #[error("unsupported algorithm: {0}")]
    UnsupportedAlgorithm(String),
    /// A signature that does not verify.
    #[error("bad signature: {0}")]
    BadSignature(String),
    /// File-system trouble, with the path.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file or folder.
        path: std::path::PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}
