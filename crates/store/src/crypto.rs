//! Keys and authenticated encryption of the case store.
//!
//! Key hierarchy (chosen so that a stolen database file reveals no personal data, and
//! deleting a case makes its data unrecoverable even from old copies of the ciphertext):
//!
//! * the **station key** (random 256-bit) is wrapped with a key derived by Argon2id from the
//!   administrator's station passphrase; salt, Argon2 parameters and the wrapped key are
//!   stored in the `station` row. The AES-GCM tag of the wrapped key is the passphrase
//!   verifier: a wrong passphrase fails authentication, nothing else is stored.
//!   (We chose the passphrase over an OS-protected key file: it works the same on every
//!   desktop, survives moving the disk to a new machine, and the CLI can take it from
//!   `TDVERIFY_PASSPHRASE`.)
//! * every **case key** (random 256-bit) is wrapped by the station key and stored in the
//!   case row; the case payload, captures and notes are sealed with it.
//! * the **document HMAC key** (random 256-bit, wrapped by the station key) keys the
//!   `repeat_document` pseudonym of (issuing state, document number); it never leaves the store.
//!
//! Sealed format: 12-byte random nonce ‖ AES-256-GCM ciphertext ‖ 16-byte tag. Every seal
//! carries associated data naming its purpose and owner (case id, capture index), so a blob
//! cannot be moved to another case or slot without failing authentication.

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};

use crate::error::{StoreError, StoreResult};

/// Lower-case hex (case ids, HMACs, audit hashes in JSON): `tdverify_core::hex`.
pub(crate) use tdverify_core::hex::encode as to_hex;

/// Length of every symmetric key in the store.
pub(crate) const KEY_LEN: usize = 32;

/// Argon2id cost parameters (memory in KiB, iterations, lanes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory cost in KiB.
    pub memory_kib: u32,
    /// Number of passes.
    pub iterations: u32,
    /// Degree of parallelism.
    pub lanes: u32,
}

impl KdfParams {
    /// Station passphrase: 64 MiB, 3 passes (unlocked once per start, so it may be slow).
    pub const STATION: KdfParams = KdfParams {
        memory_kib: 64 * 1024,
        iterations: 3,
        lanes: 1,
    };
    /// User passwords: the OWASP-recommended 19 MiB, 2 passes (about a tenth of a second).
    pub const USER: KdfParams = KdfParams {
        memory_kib: 19 * 1024,
        iterations: 2,
        lanes: 1,
    };
    /// TEST-ONLY: minimal cost so tests and benchmarks run quickly. Never for real stations.
    pub const TEST_ONLY_FAST: KdfParams = KdfParams {
        memory_kib: 64,
        iterations: 1,
        lanes: 1,
    };

    /// Derives a 256-bit key from a secret with Argon2id.
    pub(crate) fn derive(&self, secret: &[u8], salt: &[u8]) -> StoreResult<[u8; KEY_LEN]> {
        let params =
            argon2::Params::new(self.memory_kib, self.iterations, self.lanes, Some(KEY_LEN))
                .map_err(|e| StoreError::InvalidArgument(format!("Argon2 parameters: {e}")))?;
        let argon =
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut out = [0u8; KEY_LEN];
        argon
            .hash_password_into(secret, salt, &mut out)
            .map_err(|e| StoreError::InvalidArgument(format!("Argon2: {e}")))?;
        Ok(out)
    }
}

/// Fills a fresh array with random bytes from the operating system.
pub(crate) fn random_bytes<const N: usize>() -> StoreResult<[u8; N]> {
    let mut out = [0u8; N];
    SystemRandom::new()
        .fill(&mut out)
        .map_err(|_| StoreError::Random)?;
    Ok(out)
}

/// An AES-256-GCM key that seals and opens blobs in the store's format.
pub(crate) struct SealingKey {
    key: LessSafeKey,
}

impl SealingKey {
    /// Builds a key from raw bytes.
    pub(crate) fn new(bytes: &[u8; KEY_LEN]) -> StoreResult<SealingKey> {
        let unbound = UnboundKey::new(&AES_256_GCM, bytes)
            .map_err(|_| StoreError::InvalidArgument("AES key".into()))?;
        Ok(SealingKey {
            key: LessSafeKey::new(unbound),
        })
    }

    /// Encrypts `plaintext`, bound to `context` (associated data).
    pub(crate) fn seal(&self, context: &[u8], plaintext: &[u8]) -> StoreResult<Vec<u8>> {
        let nonce_bytes: [u8; NONCE_LEN] = random_bytes()?;
        let mut out = Vec::with_capacity(NONCE_LEN + plaintext.len() + AES_256_GCM.tag_len());
        out.extend_from_slice(&nonce_bytes);
        let mut body = plaintext.to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce_bytes),
                Aad::from(context),
                &mut body,
            )
            .map_err(|_| StoreError::Random)?;
        out.extend_from_slice(&body);
        Ok(out)
    }

    /// Decrypts a sealed blob; fails if it was altered or belongs to another context.
    pub(crate) fn open(&self, context: &[u8], sealed: &[u8], what: &str) -> StoreResult<Vec<u8>> {
        let fail = || StoreError::Decrypt {
            what: what.to_string(),
        };
        if sealed.len() < NONCE_LEN + AES_256_GCM.tag_len() {
            return Err(fail());
        }
        let (nonce_bytes, body) = sealed.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce_bytes).map_err(|_| fail())?;
        let mut body = body.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(context), &mut body)
            .map_err(|_| fail())?;
        Ok(plain.to_vec())
    }

    /// Wraps another key (a case key or the HMAC key).
    pub(crate) fn wrap_key(&self, context: &[u8], key: &[u8; KEY_LEN]) -> StoreResult<Vec<u8>> {
        self.seal(context, key)
    }

    /// Unwraps a key wrapped by [`SealingKey::wrap_key`].
    pub(crate) fn unwrap_key(
        &self,
        context: &[u8],
        wrapped: &[u8],
        what: &str,
    ) -> StoreResult<[u8; KEY_LEN]> {
        let plain = self.open(context, wrapped, what)?;
        <[u8; KEY_LEN]>::try_from(plain.as_slice())
            .map_err(|_| StoreError::Corrupt(format!("{what}: wrong key length")))
    }
}

/// Associated data of the wrapped station key.
pub(crate) const AAD_STATION_KEY: &[u8] = b"tdverify-store/station-key/v1";
/// Associated data of the wrapped document-HMAC key.
pub(crate) const AAD_HMAC_KEY: &[u8] = b"tdverify-store/document-hmac-key/v1";

/// Associated data for a blob of a case: purpose, case id and slot.
pub(crate) fn case_aad(purpose: &str, case_id: &str, slot: i64) -> Vec<u8> {
    format!("tdverify-store/{purpose}/v1|{case_id}|{slot}").into_bytes()
}

/// Compares two byte strings in time independent of where they differ.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn seal_open_round_trip_and_context_binding() {
        let key = SealingKey::new(&[7u8; KEY_LEN]).unwrap();
        let sealed = key.seal(b"ctx-a", b"personal data").unwrap();
        assert_eq!(key.open(b"ctx-a", &sealed, "t").unwrap(), b"personal data");
        assert!(
            key.open(b"ctx-b", &sealed, "t").is_err(),
            "moved to another context"
        );
        let mut flipped = sealed.clone();
        if let Some(last) = flipped.last_mut() {
            *last ^= 1;
        }
        assert!(key.open(b"ctx-a", &flipped, "t").is_err(), "altered");
        let other = SealingKey::new(&[8u8; KEY_LEN]).unwrap();
        assert!(other.open(b"ctx-a", &sealed, "t").is_err(), "wrong key");
    }

    #[test]
    fn kdf_is_deterministic_and_salted() {
        let p = KdfParams::TEST_ONLY_FAST;
        assert_eq!(
            p.derive(b"pw", b"saltsaltsalt1234").unwrap(),
            p.derive(b"pw", b"saltsaltsalt1234").unwrap()
        );
        assert_ne!(
            p.derive(b"pw", b"saltsaltsalt1234").unwrap(),
            p.derive(b"pw", b"saltsaltsalt1235").unwrap()
        );
    }

    proptest! {
        #[test]
        fn open_never_panics_on_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..100)) {
            let key = SealingKey::new(&[1u8; KEY_LEN]).unwrap();
            prop_assert!(key.open(b"x", &bytes, "random").is_err());
        }
    }
}
