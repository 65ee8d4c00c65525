//! The chip's results as `tdverify_core::Check`s, with stable ids for the UI,
//! reports, exports and training scores.

use crate::reader::{AuthResult, AuthStatus, ChipRead, ReadError};
use tdverify_core::{Check, CheckIdInfo, CheckStatus, Evidence};

/// Check ids produced by this crate.
pub const CHECK_IDS: &[CheckIdInfo] = &[
    CheckIdInfo {
        id: "chip.access",
        meaning: "BAC or PACE opened the chip with the MRZ or CAN; a failure usually means a misread MRZ",
    },
    CheckIdInfo {
        id: "chip.read",
        meaning: "EF.COM, EF.SOD and the listed data groups were read completely",
    },
    CheckIdInfo {
        id: "chip.aa",
        meaning: "Active authentication: the chip signed a fresh challenge with the DG15 private key",
    },
    CheckIdInfo {
        id: "chip.ca",
        meaning: "Chip authentication: the chip agreed a new session key with its DG14 private key",
    },
    CheckIdInfo {
        id: "chip.clone",
        meaning: "Clone detection verdict combining AA, CA and the authenticity of DG14/DG15, with the reason",
    },
];

fn source() -> Evidence {
    Evidence::source("chip")
}

/// `chip.access` from the outcome of a read.
pub fn access_check(result: &Result<ChipRead, ReadError>) -> Check {
    match result {
        Ok(read) => {
            let how = match (&read.access, &read.pace_protocol) {
                (crate::reader::Access::Pace, Some(protocol)) => protocol.clone(),
                (crate::reader::Access::Pace, None) => "PACE".into(),
                (crate::reader::Access::Bac, _) => "BAC".into(),
            };
            Check::pass("chip.access", format!("chip opened with {how}")).with_evidence(source())
        }
        Err(ReadError::AccessDenied(reason)) => {
            Check::fail("chip.access", "access denied: check the MRZ")
                .with_evidence(source().with_detail(reason.clone()))
        }
        Err(ReadError::AccessControl(reason)) => Check::new(
            "chip.access",
            CheckStatus::Error,
            format!("access control failed: {reason}"),
        )
        .with_evidence(source()),
        Err(other) => Check::new(
            "chip.access",
            CheckStatus::Error,
            format!("chip not read: {other}"),
        )
        .with_evidence(source()),
    }
}

/// `chip.read` from the outcome of a read.
pub fn read_check(result: &Result<ChipRead, ReadError>) -> Check {
    match result {
        Ok(read) => {
            let names: Vec<String> = read.files.keys().map(|f| f.name()).collect();
            let missing: Vec<String> = read
                .unreadable
                .iter()
                .map(|(f, why)| format!("{f}: {why}"))
                .collect();
            let message = format!(
                "read {} in {} APDUs, {:.0} ms",
                names.join(", "),
                read.apdu_count,
                read.timings.total_ms
            );
            let check = if read.files.contains_key(&crate::lds::FileId::Sod)
                && read.files.contains_key(&crate::lds::FileId::Dg(1))
            {
                Check::pass("chip.read", message)
            } else {
                Check::warn("chip.read", format!("{message}; EF.SOD or DG1 missing"))
            };
            if missing.is_empty() {
                check.with_evidence(source())
            } else {
                check.with_evidence(
                    source().with_detail(format!("not readable: {}", missing.join("; "))),
                )
            }
        }
        Err(ReadError::AccessDenied(_)) => Check::new(
            "chip.read",
            CheckStatus::NotApplicable,
            "not read: access denied",
        ),
        Err(ReadError::Transport(crate::transport::TransportError::CardRemoved)) => Check::new(
            "chip.read",
            CheckStatus::Error,
            "card removed during the read: place the document on the reader again to resume",
        ),
        Err(other) => Check::new(
            "chip.read",
            CheckStatus::Error,
            format!("read failed: {other}"),
        ),
    }
}

fn auth_check(id: &str, name: &str, outcome: &AuthResult) -> Check {
    let status = match outcome.status {
        AuthStatus::Passed => CheckStatus::Pass,
        AuthStatus::Failed => CheckStatus::Fail,
        AuthStatus::NotSupported | AuthStatus::NotPerformed => CheckStatus::NotApplicable,
    };
    Check::new(id, status, format!("{name}: {}", outcome.reason)).with_evidence(source())
}

/// `chip.aa`.
pub fn aa_check(read: &ChipRead) -> Check {
    auth_check("chip.aa", "active authentication", &read.aa)
}

/// `chip.ca`.
pub fn ca_check(read: &ChipRead) -> Check {
    auth_check("chip.ca", "chip authentication", &read.ca)
}

/// What passive authentication (tdverify-pki) said about the key-bearing data groups:
/// `Some(true)` hash matches the signed SOD, `Some(false)` mismatch, `None` not known.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KeyFilesAuthenticity {
    /// DG14 hash verified against EF.SOD.
    pub dg14: Option<bool>,
    /// DG15 hash verified against EF.SOD.
    pub dg15: Option<bool>,
    /// The SOD signature chain verified to a trusted CSCA.
    pub sod_trusted: Option<bool>,
}

/// `chip.clone`: the combined clone-detection verdict with its reason.
///
/// A chip is shown genuine only when it proved possession of a private key (CA
/// or AA) whose public key is itself authentic (DG14/DG15 hash in a trusted SOD).
pub fn clone_check(read: &ChipRead, authenticity: KeyFilesAuthenticity) -> Check {
    let id = "chip.clone";
    let ca = read.ca.status;
    let aa = read.aa.status;
    if ca == AuthStatus::Failed || aa == AuthStatus::Failed {
        let which = match (ca == AuthStatus::Failed, aa == AuthStatus::Failed) {
            (true, true) => "chip authentication and active authentication both failed",
            (true, false) => "chip authentication failed",
            _ => "active authentication failed",
        };
        return Check::fail(
            id,
            format!(
                "possible clone: {which}; the chip does not hold the private key its data promises"
            ),
        )
        .with_evidence(
            source().with_detail(format!("CA: {}; AA: {}", read.ca.reason, read.aa.reason)),
        );
    }
    let key_file_bad = (ca == AuthStatus::Passed && authenticity.dg14 == Some(false))
        || (aa == AuthStatus::Passed && authenticity.dg15 == Some(false));
    if key_file_bad {
        return Check::fail(id, "possible clone: the key the chip proved is not the one signed by the issuer (DG14/DG15 hash mismatch)")
            .with_evidence(source());
    }
    if ca == AuthStatus::Passed || aa == AuthStatus::Passed {
        let how = match (ca == AuthStatus::Passed, aa == AuthStatus::Passed) {
            (true, true) => "chip authentication and active authentication",
            (true, false) => "chip authentication",
            _ => "active authentication",
        };
        let key_files_known = (ca != AuthStatus::Passed || authenticity.dg14 == Some(true))
            && (aa != AuthStatus::Passed || authenticity.dg15 == Some(true));
        if key_files_known && authenticity.sod_trusted == Some(true) {
            return Check::pass(
                id,
                format!("no clone: the chip proved its issuer-signed private key by {how}"),
            )
            .with_evidence(source());
        }
        return Check::warn(id, format!("the chip proved a private key by {how}, but passive authentication has not confirmed that key yet"))
            .with_evidence(source());
    }
    Check::warn(id, "no clone protection on this chip (neither active nor chip authentication): rely on passive authentication and the physical checks")
        .with_evidence(source())
}

/// Every chip check of a read, in display order. `authenticity` comes from passive authentication.
pub fn checks(
    result: &Result<ChipRead, ReadError>,
    authenticity: KeyFilesAuthenticity,
) -> Vec<Check> {
    let mut checks = vec![access_check(result), read_check(result)];
    if let Ok(read) = result {
        checks.push(ca_check(read));
        checks.push(aa_check(read));
        checks.push(clone_check(read, authenticity));
    }
    checks
}
