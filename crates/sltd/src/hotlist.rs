//! The station's copy of the hotlist: import (verify, then replace atomically), load,
//! look up, and the administrator's trusted signer keys.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::bundle::{self, BundleHeader, ENTRY_LEN, HASH_LEN, Status, days_from_iso, entry_hash, iso_from_days};
use tdverify_core::hex;
use crate::error::{SltdError, io_error};
use crate::normalize::DocumentKey;

/// Days after its as-of date a hotlist is still used (older: lookups say "not checked").
pub const DEFAULT_MAX_AGE_DAYS: i64 = 7;

/// File name of the station's copy inside `<data dir>/sltd/`.
const COPY_NAME: &str = "hotlist.tdvs";
/// The folder holding the hotlist in a data directory.
pub fn folder(data_dir: &Path) -> PathBuf {
    data_dir.join("sltd")
}

/// The station's copy of the hotlist in a data directory (watch its modification time to
/// notice an import).
pub fn copy_path(data_dir: &Path) -> PathBuf {
    folder(data_dir).join(COPY_NAME)
}

/// The Ed25519 keys of the hotlist publishers the administrator trusts (kept, with who
/// trusted them and when, in the case store: every change is audited there).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedKeys {
    keys: Vec<Vec<u8>>,
}

impl TrustedKeys {
    /// A set holding the given 32-byte keys.
    pub fn of(keys: &[Vec<u8>]) -> TrustedKeys {
        TrustedKeys { keys: keys.to_vec() }
    }

    /// Whether `key` is trusted.
    pub fn contains(&self, key: &[u8]) -> bool {
        self.keys.iter().any(|k| k == key)
    }

    /// How many keys are trusted.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// Parses `ed25519:HEX` or `HEX` (a publisher's public key as typed or printed).
pub fn parse_key(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    hex::decode(text.strip_prefix("ed25519:").unwrap_or(text)).filter(|k| k.len() == 32)
}

/// Writes a file through a temporary sibling and a rename, so readers see the old or the
/// new content, never a half.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), SltdError> {
    let tmp = path.with_extension("partial");
    {
        use std::io::Write;
        let mut file = fs::File::create(&tmp).map_err(io_error("creating", &tmp))?;
        file.write_all(bytes).map_err(io_error("writing", &tmp))?;
        file.sync_all().map_err(io_error("flushing", &tmp))?;
    }
    fs::rename(&tmp, path).map_err(io_error("replacing", path))
}

/// What `sltd status` reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HotlistStatus {
    /// The list's as-of date.
    pub as_of: String,
    /// Entries.
    pub entries: u64,
    /// Days between the as-of date and today.
    pub age_days: i64,
    /// The publisher.
    pub issuer: String,
    /// Whether it is older than the maximum age (lookups then say "not checked").
    pub stale: bool,
    /// The maximum age in days the station uses.
    pub max_age_days: i64,
}

impl HotlistStatus {
    /// The status of a list with `header` on `today` (days since 1970-01-01).
    fn of(header: &BundleHeader, today: i64, max_age_days: i64) -> HotlistStatus {
        let age_days = days_from_iso(&header.as_of).map_or(i64::MAX, |d| today - d);
        HotlistStatus {
            as_of: header.as_of.clone(),
            entries: header.entries,
            age_days,
            issuer: header.issuer.clone(),
            stale: age_days > max_age_days,
            max_age_days,
        }
    }
}

/// A hit: what the list says about the document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hit {
    /// Status reported.
    pub status: Status,
    /// When it was reported, `YYYY-MM-DD`.
    pub reported: String,
}

/// The answer to a lookup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Lookup {
    /// On the list: a possible hit, to confirm with the NCB.
    PossibleHit {
        /// The entry.
        hit: Hit,
        /// The list's as-of date.
        as_of: String,
    },
    /// Not on the list as of its date.
    NoHit {
        /// The list's as-of date.
        as_of: String,
    },
    /// The list is too old to rely on.
    Stale {
        /// The list's as-of date.
        as_of: String,
        /// Its age in days.
        age_days: i64,
    },
    /// The document's number, state or type is unknown.
    Incomplete,
}

/// The loaded station copy.
pub struct Hotlist {
    header: BundleHeader,
    bytes: Vec<u8>,
    entries_start: usize,
    entries_end: usize,
    hmac: ring::hmac::Key,
    max_age_days: i64,
}

impl std::fmt::Debug for Hotlist {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hotlist").field("header", &self.header).finish_non_exhaustive()
    }
}

impl Hotlist {
    /// Verifies a bundle (signature by a `trusted` key, layout) and makes it the station's
    /// copy. An older bundle than the one in use is refused unless `allow_older`. On any
    /// error the copy in use is left as it was. The caller checks that an administrator
    /// imports, and audits it.
    pub fn import(
        data_dir: &Path,
        bundle_path: &Path,
        trusted: &TrustedKeys,
        allow_older: bool,
    ) -> Result<HotlistStatus, SltdError> {
        let bytes = fs::read(bundle_path).map_err(io_error("reading", bundle_path))?;
        Hotlist::import_bytes(data_dir, bytes, trusted, allow_older)
    }

    /// As [`Hotlist::import`], from bytes in memory.
    pub fn import_bytes(
        data_dir: &Path,
        bytes: Vec<u8>,
        trusted: &TrustedKeys,
        allow_older: bool,
    ) -> Result<HotlistStatus, SltdError> {
        let parsed = bundle::verify(&bytes)?;
        if !trusted.contains(&parsed.signer) {
            return Err(SltdError::UntrustedSigner(format!("ed25519:{}", hex::encode(&parsed.signer))));
        }
        // The copy in use is only compared by date: its header is enough.
        if !allow_older
            && let Some(current) = Hotlist::read_status(data_dir, today_days(), DEFAULT_MAX_AGE_DAYS)?
            && days_from_iso(&parsed.header.as_of) < days_from_iso(&current.as_of)
        {
            return Err(SltdError::Older { bundle: parsed.header.as_of, current: current.as_of });
        }
        let dir = folder(data_dir);
        fs::create_dir_all(&dir).map_err(io_error("creating", &dir))?;
        write_atomically(&dir.join(COPY_NAME), &bytes)?;
        Ok(HotlistStatus::of(&parsed.header, today_days(), DEFAULT_MAX_AGE_DAYS))
    }

    /// A hotlist in memory from a bundle, verified against `trusted` (evaluations and
    /// tests; stations import to disk with [`Hotlist::import`]).
    pub fn from_bundle(bytes: Vec<u8>, trusted: &TrustedKeys) -> Result<Hotlist, SltdError> {
        let parsed = bundle::verify(&bytes)?;
        if !trusted.contains(&parsed.signer) {
            return Err(SltdError::UntrustedSigner(format!("ed25519:{}", hex::encode(&parsed.signer))));
        }
        Hotlist::from_bytes(bytes)
    }

    /// The status of the station's copy from its header alone (cheap: for screens that
    /// show the list's age without loading 190 MB); `None` when none was imported.
    pub fn read_status(data_dir: &Path, today: i64, max_age_days: i64) -> Result<Option<HotlistStatus>, SltdError> {
        use std::io::Read;
        let path = folder(data_dir).join(COPY_NAME);
        let mut file = match fs::File::open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(SltdError::Io { action: "reading", path, source }),
        };
        let mut prefix = [0u8; 12];
        file.read_exact(&mut prefix).map_err(io_error("reading", &path))?;
        if &prefix[..8] != bundle::MAGIC {
            return Err(SltdError::Format("the station's copy is damaged".into()));
        }
        let header_len = u32::from_le_bytes([prefix[8], prefix[9], prefix[10], prefix[11]]) as usize;
        if header_len > 1 << 20 {
            return Err(SltdError::Format("the station's copy is damaged".into()));
        }
        let mut header = vec![0u8; header_len];
        file.read_exact(&mut header).map_err(io_error("reading", &path))?;
        let header: BundleHeader = serde_json::from_slice(&header).map_err(|e| SltdError::Format(format!("header: {e}")))?;
        Ok(Some(HotlistStatus::of(&header, today, max_age_days)))
    }

    /// Loads the station's copy; `None` when no hotlist was imported.
    pub fn load(data_dir: &Path) -> Result<Option<Hotlist>, SltdError> {
        let path = folder(data_dir).join(COPY_NAME);
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(SltdError::Io { action: "reading", path, source }),
        };
        Hotlist::from_bytes(bytes).map(Some)
    }

    /// A hotlist over bundle bytes whose signature was checked at import (the layout is
    /// checked again; the signature is not, to keep start-up fast).
    fn from_bytes(bytes: Vec<u8>) -> Result<Hotlist, SltdError> {
        let parsed = bundle::parse(&bytes)?;
        Ok(Hotlist {
            hmac: ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &parsed.hmac_key),
            header: parsed.header,
            entries_start: parsed.entries_start,
            entries_end: parsed.entries_end,
            bytes,
            max_age_days: DEFAULT_MAX_AGE_DAYS,
        })
    }

    /// The list's header.
    pub fn header(&self) -> &BundleHeader {
        &self.header
    }

    /// Sets the age in days after which a "no hit" is no longer vouched for (the
    /// administrator's policy; [`DEFAULT_MAX_AGE_DAYS`] until set).
    pub fn set_max_age_days(&mut self, days: i64) {
        self.max_age_days = days;
    }

    /// Status on `today` (days since 1970-01-01).
    pub fn status(&self, today: i64) -> HotlistStatus {
        HotlistStatus::of(&self.header, today, self.max_age_days)
    }

    /// Looks a document up. A list older than the maximum age on `today` answers
    /// [`Lookup::Stale`] rather than a "no hit" it cannot vouch for.
    pub fn lookup(&self, document: &DocumentKey, today: i64) -> Lookup {
        let max_age_days = self.max_age_days;
        if !document.is_complete() {
            return Lookup::Incomplete;
        }
        let as_of = self.header.as_of.clone();
        let age_days = days_from_iso(&as_of).map_or(i64::MAX, |d| today - d);
        let hash = entry_hash(&self.hmac, document);
        let entries = &self.bytes[self.entries_start..self.entries_end];
        let count = entries.len() / ENTRY_LEN;
        let (mut low, mut high) = (0usize, count);
        while low < high {
            let mid = low + (high - low) / 2;
            let entry = &entries[mid * ENTRY_LEN..(mid + 1) * ENTRY_LEN];
            match entry[..HASH_LEN].cmp(&hash) {
                std::cmp::Ordering::Less => low = mid + 1,
                std::cmp::Ordering::Greater => high = mid,
                std::cmp::Ordering::Equal => {
                    // A hit is reported even from an old list: it is still worth a call.
                    let status = Status::from_code(entry[HASH_LEN]).unwrap_or(Status::Invalid);
                    let days = u16::from_le_bytes([entry[HASH_LEN + 1], entry[HASH_LEN + 2]]);
                    return Lookup::PossibleHit { hit: Hit { status, reported: iso_from_days(i64::from(days)) }, as_of };
                }
            }
        }
        if age_days > max_age_days {
            return Lookup::Stale { as_of, age_days };
        }
        Lookup::NoHit { as_of }
    }
}

/// Today, days since 1970-01-01 (UTC).
pub fn today_days() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs() / 86_400).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::{BundleWriter, Entry, test_only_signer};

    fn entry(number: &str, status: Status) -> Entry {
        Entry { document: DocumentKey::new("P", "UTO", number), status, reported_days: 20_700 }
    }

    fn test_bundle(as_of: &str, numbers: &[&str]) -> Vec<u8> {
        let mut writer = BundleWriter::new("TEST-ONLY NCB", as_of, [7u8; 32]).unwrap();
        for n in numbers {
            writer.add(&entry(n, Status::Stolen)).unwrap();
        }
        writer.finish(&test_only_signer()).unwrap()
    }

    fn trusted() -> TrustedKeys {
        TrustedKeys::of(&[parse_key(&crate::test_bundle::test_only_signer_key()).unwrap()])
    }

    #[test]
    fn import_verifies_and_lookup_finds_only_listed_documents() {
        let dir = tempfile::tempdir().unwrap();
        let numbers: Vec<String> = (0..1000).map(|i| format!("X{i:07}")).collect();
        let refs: Vec<&str> = numbers.iter().map(String::as_str).collect();
        let status = Hotlist::import_bytes(dir.path(), test_bundle("2026-12-01", &refs), &trusted(), false).unwrap();
        assert_eq!(status.entries, 1000);
        let list = Hotlist::load(dir.path()).unwrap().unwrap();
        let header_only = Hotlist::read_status(dir.path(), days_from_iso("2026-12-03").unwrap(), 7).unwrap().unwrap();
        assert_eq!((header_only.entries, header_only.age_days, header_only.stale), (1000, 2, false));
        let today = days_from_iso("2026-12-03").unwrap();
        for n in &numbers {
            let found = list.lookup(&DocumentKey::new("P<", "UTO", n), today);
            assert!(matches!(found, Lookup::PossibleHit { .. }), "{n}");
        }
        assert_eq!(list.lookup(&DocumentKey::new("P", "UTO", "X9999999"), today), Lookup::NoHit { as_of: "2026-12-01".into() });
        assert_eq!(list.lookup(&DocumentKey::new("P", "ZZA", "X0000001"), today), Lookup::NoHit { as_of: "2026-12-01".into() });
        assert_eq!(list.lookup(&DocumentKey::new("V", "UTO", "X0000001"), today), Lookup::NoHit { as_of: "2026-12-01".into() });
        let late = days_from_iso("2026-12-20").unwrap();
        let mut lenient = Hotlist::load(dir.path()).unwrap().unwrap();
        lenient.set_max_age_days(30);
        assert!(matches!(lenient.lookup(&DocumentKey::new("P", "UTO", "X9999999"), late), Lookup::NoHit { .. }));
        assert!(!lenient.status(late).stale && list.status(late).stale);
        assert!(matches!(list.lookup(&DocumentKey::new("P", "UTO", "X9999999"), late), Lookup::Stale { age_days: 19, .. }));
        assert!(matches!(list.lookup(&DocumentKey::new("P", "UTO", "X0000001"), late), Lookup::PossibleHit { .. }));
        assert_eq!(list.lookup(&DocumentKey::new("P", "UTO", ""), today), Lookup::Incomplete);
        // No number in clear on disk.
        let on_disk = fs::read(folder(dir.path()).join(COPY_NAME)).unwrap();
        assert!(!on_disk.windows(8).any(|w| w == b"X0000001"));
    }

    #[test]
    fn a_bad_bundle_leaves_the_copy_in_use() {
        let dir = tempfile::tempdir().unwrap();
        Hotlist::import_bytes(dir.path(), test_bundle("2026-12-01", &["A1234567"]), &trusted(), false).unwrap();
        let mut tampered = test_bundle("2026-12-05", &["B1234567", "C1234567"]);
        let at = tampered.len() - 70;
        tampered[at] ^= 1;
        assert!(matches!(Hotlist::import_bytes(dir.path(), tampered, &trusted(), false), Err(SltdError::BadSignature)));
        assert!(matches!(Hotlist::import_bytes(dir.path(), b"not a bundle".to_vec(), &trusted(), false), Err(SltdError::Format(_))));
        // Signed by a key nobody trusts.
        let stranger = ring::signature::Ed25519KeyPair::from_seed_unchecked(&[9u8; 32]).unwrap();
        let mut writer = BundleWriter::new("OTHER", "2026-12-06", [1u8; 32]).unwrap();
        writer.add(&entry("D1234567", Status::Lost)).unwrap();
        let foreign = writer.finish(&stranger).unwrap();
        assert!(matches!(Hotlist::import_bytes(dir.path(), foreign, &trusted(), false), Err(SltdError::UntrustedSigner(_))));
        // Older than the copy in use.
        assert!(matches!(Hotlist::import_bytes(dir.path(), test_bundle("2026-11-01", &["E1"]), &trusted(), false), Err(SltdError::Older { .. })));
        let list = Hotlist::load(dir.path()).unwrap().unwrap();
        assert_eq!(list.header().as_of, "2026-12-01");
        let today = days_from_iso("2026-12-02").unwrap();
        assert!(matches!(list.lookup(&DocumentKey::new("P", "UTO", "A1234567"), today), Lookup::PossibleHit { .. }));
    }

    #[test]
    fn no_hotlist_and_no_trust() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Hotlist::load(dir.path()).unwrap().is_none());
        assert!(matches!(
            Hotlist::import_bytes(dir.path(), test_bundle("2026-12-01", &["A1"]), &TrustedKeys::default(), false),
            Err(SltdError::UntrustedSigner(_))
        ));
        assert!(parse_key("nothex").is_none());
        assert!(parse_key(&"ab".repeat(31)).is_none());
    }
}
