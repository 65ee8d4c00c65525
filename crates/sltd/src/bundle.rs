//! The hotlist bundle format (docs/SLTD.md):
//!
//! ```text
//! "TDVSLTD1"                      8 bytes, magic and version
//! header length                   u32 little-endian
//! header                          JSON: BundleHeader
//! entries                         header.entries × 19 bytes, sorted by hash, no duplicates:
//!                                   hash     16 bytes  HMAC-SHA256(key, "tdverify-sltd/v1|TYPE|STATE|NUMBER"), first 16 bytes
//!                                   status    1 byte   Status
//!                                   reported  2 bytes  u16 LE, days since 1970-01-01
//! signature                       64 bytes, Ed25519 by header.signer over every byte before it
//! ```

use serde::{Deserialize, Serialize};

use tdverify_core::civil::{civil_from_days, days_from_civil};
use tdverify_core::hex;

use crate::error::SltdError;
use crate::normalize::DocumentKey;

/// Magic and format version.
pub const MAGIC: &[u8; 8] = b"TDVSLTD1";
/// Bytes per entry.
pub const ENTRY_LEN: usize = 19;
/// Bytes of the truncated hash.
pub const HASH_LEN: usize = 16;
/// Bytes of the signature.
pub const SIGNATURE_LEN: usize = 64;
/// The hash the header names.
pub const HASH_NAME: &str = "hmac-sha256-128";

/// Seed of the TEST-ONLY signer of test bundles (fixtures, benchmarks, demos). Never a real key.
pub const TEST_ONLY_SIGNER_SEED: &[u8; 32] = b"TEST-ONLY tdverify sltd signer!!";

/// What the hotlist says about a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Reported stolen.
    Stolen,
    /// Reported lost.
    Lost,
    /// Revoked by the issuer.
    Revoked,
    /// Declared invalid.
    Invalid,
    /// A blank stolen before personalisation.
    StolenBlank,
}

impl Status {
    /// Every status, in code order.
    pub const ALL: [Status; 5] = [Status::Stolen, Status::Lost, Status::Revoked, Status::Invalid, Status::StolenBlank];

    /// The byte stored in an entry.
    pub fn code(self) -> u8 {
        match self {
            Status::Stolen => 1,
            Status::Lost => 2,
            Status::Revoked => 3,
            Status::Invalid => 4,
            Status::StolenBlank => 5,
        }
    }

    /// The status of a stored byte.
    pub fn from_code(code: u8) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Parses [`Status::as_str`].
    pub fn parse(name: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Stolen => "stolen",
            Status::Lost => "lost",
            Status::Revoked => "revoked",
            Status::Invalid => "invalid",
            Status::StolenBlank => "stolen_blank",
        }
    }
}

/// The bundle's header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleHeader {
    /// Who published it (an NCB name or code).
    pub issuer: String,
    /// The day the list is valid for, `YYYY-MM-DD`.
    pub as_of: String,
    /// Number of entries.
    pub entries: u64,
    /// [`HASH_NAME`].
    pub hash: String,
    /// The HMAC key (hex, 32 bytes). It travels with the list: it keeps numbers out of
    /// plain sight on disk, it is not a secret from whoever holds the bundle.
    pub key: String,
    /// The signer's Ed25519 public key (hex).
    pub signer: String,
}

/// One entry before hashing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The document.
    pub document: DocumentKey,
    /// Its status.
    pub status: Status,
    /// Reported, days since 1970-01-01.
    pub reported_days: u16,
}

/// The truncated keyed hash of a document.
pub(crate) fn entry_hash(key: &ring::hmac::Key, document: &DocumentKey) -> [u8; HASH_LEN] {
    let tag = ring::hmac::sign(key, document.message().as_bytes());
    let mut out = [0u8; HASH_LEN];
    out.copy_from_slice(&tag.as_ref()[..HASH_LEN]);
    out
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (years 1970–9999).
pub fn days_from_iso(date: &str) -> Option<i64> {
    let mut parts = date.trim().split('-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    if parts.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) || !(1970..=9999).contains(&y) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// `YYYY-MM-DD` of days since 1970-01-01.
pub fn iso_from_days(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The TEST-ONLY signer (fixed seed): for test bundles only.
pub fn test_only_signer() -> ring::signature::Ed25519KeyPair {
    // A fixed 32-byte seed always makes a valid key pair.
    match ring::signature::Ed25519KeyPair::from_seed_unchecked(TEST_ONLY_SIGNER_SEED) {
        Ok(pair) => pair,
        Err(_) => unreachable!("a 32-byte seed is always a valid Ed25519 seed"),
    }
}

/// Builds and signs a bundle.
pub struct BundleWriter {
    issuer: String,
    as_of: String,
    key: [u8; 32],
    hmac: ring::hmac::Key,
    entries: Vec<[u8; ENTRY_LEN]>,
}

impl BundleWriter {
    /// A writer for `issuer`'s list as of `as_of` (`YYYY-MM-DD`), hashing with `key`.
    pub fn new(issuer: &str, as_of: &str, key: [u8; 32]) -> Result<BundleWriter, SltdError> {
        if days_from_iso(as_of).is_none() {
            return Err(SltdError::Invalid(format!("as-of date {as_of:?} is not YYYY-MM-DD")));
        }
        Ok(BundleWriter {
            issuer: issuer.to_string(),
            as_of: as_of.to_string(),
            hmac: ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key),
            key,
            entries: Vec::new(),
        })
    }

    /// Room for `n` entries.
    pub fn reserve(&mut self, n: usize) {
        self.entries.reserve(n);
    }

    /// Adds a document (incomplete keys are refused).
    pub fn add(&mut self, entry: &Entry) -> Result<(), SltdError> {
        if !entry.document.is_complete() {
            return Err(SltdError::Invalid(format!("incomplete hotlist entry {:?}", entry.document)));
        }
        let mut bytes = [0u8; ENTRY_LEN];
        bytes[..HASH_LEN].copy_from_slice(&entry_hash(&self.hmac, &entry.document));
        bytes[HASH_LEN] = entry.status.code();
        bytes[HASH_LEN + 1..].copy_from_slice(&entry.reported_days.to_le_bytes());
        self.entries.push(bytes);
        Ok(())
    }

    /// The signed bundle's bytes.
    pub fn finish(mut self, signer: &ring::signature::Ed25519KeyPair) -> Result<Vec<u8>, SltdError> {
        self.entries.sort_unstable_by(|a, b| a[..HASH_LEN].cmp(&b[..HASH_LEN]));
        self.entries.dedup_by(|a, b| a[..HASH_LEN] == b[..HASH_LEN]);
        let header = BundleHeader {
            issuer: self.issuer,
            as_of: self.as_of,
            entries: self.entries.len() as u64,
            hash: HASH_NAME.to_string(),
            key: hex::encode(&self.key),
            signer: hex::encode(ring::signature::KeyPair::public_key(signer).as_ref()),
        };
        let header = serde_json::to_vec(&header).map_err(|e| SltdError::Format(e.to_string()))?;
        let header_len = u32::try_from(header.len()).map_err(|_| SltdError::Format("header too long".into()))?;
        let mut out = Vec::with_capacity(12 + header.len() + self.entries.len() * ENTRY_LEN + SIGNATURE_LEN);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&header_len.to_le_bytes());
        out.extend_from_slice(&header);
        for entry in &self.entries {
            out.extend_from_slice(entry);
        }
        let signature = signer.sign(&out);
        out.extend_from_slice(signature.as_ref());
        Ok(out)
    }
}

/// A parsed bundle: its header and where its entries are.
#[derive(Debug, Clone)]
pub(crate) struct Parsed {
    pub header: BundleHeader,
    pub entries_start: usize,
    pub entries_end: usize,
    pub signer: Vec<u8>,
    pub hmac_key: Vec<u8>,
}

/// Parses the layout of `bytes` (no signature check).
pub(crate) fn parse(bytes: &[u8]) -> Result<Parsed, SltdError> {
    let bad = |why: &str| SltdError::Format(why.to_string());
    if bytes.len() < 12 + SIGNATURE_LEN || &bytes[..8] != MAGIC {
        return Err(bad("it does not start with the TDVSLTD1 signature"));
    }
    let header_len = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize;
    let header_end = 12usize.checked_add(header_len).filter(|e| *e <= bytes.len()).ok_or_else(|| bad("the header is cut"))?;
    let header: BundleHeader =
        serde_json::from_slice(&bytes[12..header_end]).map_err(|e| SltdError::Format(format!("header: {e}")))?;
    if header.hash != HASH_NAME {
        return Err(SltdError::Format(format!("unknown hash {:?}", header.hash)));
    }
    if days_from_iso(&header.as_of).is_none() {
        return Err(SltdError::Format(format!("as-of date {:?}", header.as_of)));
    }
    let signer = hex::decode(&header.signer).filter(|k| k.len() == 32).ok_or_else(|| bad("the signer key is not an Ed25519 key"))?;
    let hmac_key = hex::decode(&header.key).filter(|k| k.len() == 32).ok_or_else(|| bad("the hashing key is not 32 bytes"))?;
    let entries_len = usize::try_from(header.entries)
        .ok()
        .and_then(|n| n.checked_mul(ENTRY_LEN))
        .ok_or_else(|| bad("too many entries"))?;
    let entries_end = header_end.checked_add(entries_len).ok_or_else(|| bad("too many entries"))?;
    if entries_end.checked_add(SIGNATURE_LEN) != Some(bytes.len()) {
        return Err(bad("its length does not match its entry count"));
    }
    Ok(Parsed { header, entries_start: header_end, entries_end, signer, hmac_key })
}

/// Parses and verifies a bundle: signature by its stated signer, entries sorted and
/// unique, known statuses. Returns the parsed layout.
pub(crate) fn verify(bytes: &[u8]) -> Result<Parsed, SltdError> {
    let parsed = parse(bytes)?;
    let (message, signature) = bytes.split_at(parsed.entries_end);
    ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, &parsed.signer)
        .verify(message, signature)
        .map_err(|_| SltdError::BadSignature)?;
    let entries = &bytes[parsed.entries_start..parsed.entries_end];
    let mut previous: Option<&[u8]> = None;
    for entry in entries.chunks_exact(ENTRY_LEN) {
        if Status::from_code(entry[HASH_LEN]).is_none() {
            return Err(SltdError::Format(format!("unknown status code {}", entry[HASH_LEN])));
        }
        if let Some(prev) = previous
            && prev >= &entry[..HASH_LEN]
        {
            return Err(SltdError::Format("entries are not sorted".into()));
        }
        previous = Some(&entry[..HASH_LEN]);
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        for day in [0, 1, 59, 365, 10_957, 20_000, 20_429, 65_535] {
            assert_eq!(days_from_iso(&iso_from_days(day)), Some(day));
        }
        assert_eq!(days_from_iso("2026-12-07"), Some(20_794));
        assert_eq!(days_from_iso("2026-13-01"), None);
    }

    #[test]
    fn random_bytes_never_panic() {
        use proptest::prelude::*;
        proptest!(|(bytes in proptest::collection::vec(any::<u8>(), 0..400))| {
            let _ = verify(&bytes);
            let mut with_magic = MAGIC.to_vec();
            with_magic.extend_from_slice(&bytes);
            let _ = verify(&with_magic);
        });
    }
}
