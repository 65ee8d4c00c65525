//! TEST-ONLY bundles: `tdverify sltd make-test-bundle --count N --seed S` and the
//! benchmarks. Deterministic pseudo-random documents, signed by the TEST-ONLY signer,
//! plus any documents given (the fixtures' `test_hotlist`).

use crate::bundle::{BundleWriter, Entry, Status, days_from_iso, test_only_signer};
use crate::error::SltdError;
use crate::normalize::DocumentKey;

/// Issuer name of test bundles.
pub const TEST_ISSUER: &str = "TEST-ONLY NCB (tdverify test bundle)";

/// SplitMix64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

const STATES: &[&str] = &["UTO", "ZZA", "ZZB", "ZZC", "D", "FRA", "GBR", "USA", "NGA", "SYR", "AFG", "IRQ", "TUR", "UKR"];
const TYPES: &[&str] = &["P", "I", "A", "C", "V"];
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// The `i`-th pseudo-random document of seed `seed` (the same for the same arguments,
/// so tests can look up documents they know are on the list).
pub fn test_document(seed: u64, i: u64) -> DocumentKey {
    let mut rng = Rng(seed ^ i.wrapping_mul(0xD6E8_FEB8_6659_FD93));
    let state = STATES[(rng.next() % STATES.len() as u64) as usize];
    let doc_type = TYPES[(rng.next() % TYPES.len() as u64) as usize];
    let number: String = (0..9).map(|_| char::from(ALNUM[(rng.next() % ALNUM.len() as u64) as usize])).collect();
    DocumentKey::new(doc_type, state, &number)
}

/// A TEST-ONLY bundle of `count` pseudo-random documents plus `extra`, as of `as_of`.
pub fn make_test_bundle(count: u64, seed: u64, as_of: &str, extra: &[Entry]) -> Result<Vec<u8>, SltdError> {
    let as_of_days = days_from_iso(as_of).ok_or_else(|| SltdError::Invalid(format!("{as_of:?} is not YYYY-MM-DD")))?;
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8..].copy_from_slice(&b"TEST-ONLY sltd hash key!"[..24]);
    let mut writer = BundleWriter::new(TEST_ISSUER, as_of, key)?;
    writer.reserve(usize::try_from(count).unwrap_or(0).saturating_add(extra.len()));
    let mut rng = Rng(seed);
    for i in 0..count {
        let status = Status::ALL[(rng.next() % Status::ALL.len() as u64) as usize];
        let reported = u16::try_from((as_of_days - (rng.next() % 3650) as i64).max(0)).unwrap_or(0);
        writer.add(&Entry { document: test_document(seed, i), status, reported_days: reported })?;
    }
    for entry in extra {
        writer.add(entry)?;
    }
    writer.finish(&test_only_signer())
}

/// The TEST-ONLY signer's public key as `ed25519:HEX` (what an administrator trusts to
/// use test bundles).
pub fn test_only_signer_key() -> String {
    format!("ed25519:{}", tdverify_core::hex::encode(ring::signature::KeyPair::public_key(&test_only_signer()).as_ref()))
}

/// A [`TrustedKeys`](crate::TrustedKeys) holding only the TEST-ONLY signer.
pub fn test_only_trust() -> crate::TrustedKeys {
    crate::TrustedKeys::of(&[ring::signature::KeyPair::public_key(&test_only_signer()).as_ref().to_vec()])
}
