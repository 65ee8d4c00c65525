//! Fuzz targets for every parser of outside input in tdverify (issue 27).
//!
//! Each target takes arbitrary bytes and drives one parser the way the program
//! does; a panic, a hang or a huge allocation is a finding. Where a signature
//! or a MAC guards the parser, the target signs or MACs the mutated bytes with
//! a TEST-ONLY key first, so that mutations reach the code behind the check.
//!
//! The same targets run under three drivers: the coverage-guided libFuzzer
//! binary (`cargo xtask fuzz`), the replay of the committed seed corpora in
//! `tests/corpus.rs`, and the seed generator (`src/bin/seeds.rs`).

pub mod alloc;
pub mod bundles;
pub mod chip;
pub mod files;
pub mod pki;
pub mod seeds;

/// One fuzz target: a name (also its corpus folder) and what it runs.
#[derive(Clone, Copy)]
pub struct Target {
    /// Stable name, the folder under `fuzz/corpus/`.
    pub name: &'static str,
    /// What the target parses, for the report.
    pub parses: &'static str,
    /// Runs one input; must never panic.
    pub run: fn(&[u8]),
}

/// Every target, in the order `cargo xtask fuzz` runs them.
pub const TARGETS: &[Target] = &[
    Target { name: "mrz", parses: "MRZ text: parse, checks, report", run: files::mrz },
    Target { name: "tlv", parses: "BER-TLV (chip)", run: chip::tlv },
    Target {
        name: "apdu",
        parses: "command and response APDUs; a reader session on scripted responses",
        run: chip::apdu,
    },
    Target {
        name: "sm_response",
        parses: "secure messaging: response unprotect with valid MACs (3DES and AES)",
        run: chip::sm_response,
    },
    Target {
        name: "sm_command",
        parses: "secure messaging: command unprotect (chip side) with valid MACs",
        run: chip::sm_command,
    },
    Target { name: "dg1", parses: "EF.DG1", run: chip::dg1 },
    Target { name: "dg2", parses: "EF.DG2 (biometric templates, JPEG / JPEG 2000 headers)", run: chip::dg2 },
    Target { name: "dg11", parses: "EF.DG11", run: chip::dg11 },
    Target { name: "dg12", parses: "EF.DG12", run: chip::dg12 },
    Target { name: "dg14", parses: "EF.DG14 and EF.CardAccess security infos", run: chip::dg14 },
    Target { name: "dg15", parses: "EF.DG15 and its public key info", run: chip::dg15 },
    Target { name: "com", parses: "EF.COM", run: chip::com },
    Target {
        name: "sod",
        parses: "EF.SOD (LDS wrapper, CMS, LDS security object) and passive authentication",
        run: pki::sod,
    },
    Target { name: "x509", parses: "X.509 certificates and CRLs (DER)", run: pki::x509 },
    Target {
        name: "csca_import",
        parses: "CSCA store import: certificate, CRL, master list, PEM",
        run: pki::csca_import,
    },
    Target { name: "image", parses: "image import (the app's decoder with its limits)", run: files::image },
    Target { name: "template", parses: "reference library template.toml", run: files::template },
    Target { name: "sltd_bundle", parses: "SLTD hotlist bundle, re-signed TEST-ONLY", run: bundles::sltd },
    Target {
        name: "export_bundle",
        parses: "DESC export bundle verification, re-signed TEST-ONLY",
        run: bundles::export,
    },
    Target {
        name: "trends_bundle",
        parses: "trends import of an export bundle, re-signed TEST-ONLY",
        run: bundles::trends,
    },
    Target { name: "training_session", parses: "training session import, re-signed TEST-ONLY", run: bundles::training },
];

/// The target called `name`.
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

/// Splits `data` into length-prefixed parts (a big-endian `u16` length each;
/// the rest is the last part), so one fuzz input can carry several objects or
/// responses.
pub fn split_parts(mut data: &[u8], max_parts: usize) -> Vec<&[u8]> {
    let mut parts = Vec::new();
    while parts.len() + 1 < max_parts {
        let Some((len, rest)) = data.split_first_chunk::<2>() else {
            break;
        };
        let len = usize::from(u16::from_be_bytes(*len)).min(rest.len());
        let (part, rest) = rest.split_at(len);
        parts.push(part);
        data = rest;
    }
    parts.push(data);
    parts
}

/// Joins parts as [`split_parts`] reads them (seed generation); a part longer
/// than 65 535 bytes is cut, except the last one.
pub fn join_parts(parts: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for (index, part) in parts.iter().enumerate() {
        if index + 1 == parts.len() {
            out.extend_from_slice(part);
        } else {
            let len = part.len().min(usize::from(u16::MAX));
            out.extend_from_slice(&(len as u16).to_be_bytes());
            out.extend_from_slice(&part[..len]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_round_trip() {
        let joined = join_parts(&[b"ab", b"", b"xyz"]);
        assert_eq!(split_parts(&joined, 3), vec![&b"ab"[..], &b""[..], &b"xyz"[..]]);
    }

    #[test]
    fn target_names_are_unique() {
        let mut names: Vec<&str> = TARGETS.iter().map(|t| t.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), TARGETS.len());
    }
}
