//! The digest algorithms ICAO 9303 uses, named once for every crate.
//!
//! The chip protocols (BAC/PACE key derivation, active authentication) and
//! passive authentication (EF.SOD, certificates) name the same algorithms; one
//! enum with one back end (RustCrypto `sha1`/`sha2`) keeps them from drifting.

use serde::{Deserialize, Serialize};
use sha2::Digest as _;

/// Object identifiers of the digest algorithms (RFC 3279, RFC 5758).
pub mod oid {
    /// SHA-1
    pub const SHA1: &str = "1.3.14.3.2.26";
    /// SHA-224
    pub const SHA224: &str = "2.16.840.1.101.3.4.2.4";
    /// SHA-256
    pub const SHA256: &str = "2.16.840.1.101.3.4.2.1";
    /// SHA-384
    pub const SHA384: &str = "2.16.840.1.101.3.4.2.2";
    /// SHA-512
    pub const SHA512: &str = "2.16.840.1.101.3.4.2.3";
}

/// A digest algorithm named by a protocol, a SOD, a signer or a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HashAlgorithm {
    /// SHA-1 (BAC, PACE with 3DES or AES-128, older passports' signatures).
    Sha1,
    /// SHA-224.
    Sha224,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlgorithm {
    /// Every algorithm, shortest digest first.
    pub const ALL: [HashAlgorithm; 5] = [
        HashAlgorithm::Sha1,
        HashAlgorithm::Sha224,
        HashAlgorithm::Sha256,
        HashAlgorithm::Sha384,
        HashAlgorithm::Sha512,
    ];

    /// The algorithm an OID names.
    pub fn from_oid(text: &str) -> Option<HashAlgorithm> {
        HashAlgorithm::ALL
            .into_iter()
            .find(|algorithm| algorithm.oid() == text)
    }

    /// Its OID.
    pub fn oid(self) -> &'static str {
        match self {
            HashAlgorithm::Sha1 => oid::SHA1,
            HashAlgorithm::Sha224 => oid::SHA224,
            HashAlgorithm::Sha256 => oid::SHA256,
            HashAlgorithm::Sha384 => oid::SHA384,
            HashAlgorithm::Sha512 => oid::SHA512,
        }
    }

    /// Display name.
    pub fn name(self) -> &'static str {
        match self {
            HashAlgorithm::Sha1 => "SHA-1",
            HashAlgorithm::Sha224 => "SHA-224",
            HashAlgorithm::Sha256 => "SHA-256",
            HashAlgorithm::Sha384 => "SHA-384",
            HashAlgorithm::Sha512 => "SHA-512",
        }
    }

    /// The digest of `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            HashAlgorithm::Sha1 => sha1::Sha1::digest(data).to_vec(),
            HashAlgorithm::Sha224 => sha2::Sha224::digest(data).to_vec(),
            HashAlgorithm::Sha256 => sha2::Sha256::digest(data).to_vec(),
            HashAlgorithm::Sha384 => sha2::Sha384::digest(data).to_vec(),
            HashAlgorithm::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }

    /// Digest length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            HashAlgorithm::Sha1 => 20,
            HashAlgorithm::Sha224 => 28,
            HashAlgorithm::Sha256 => 32,
            HashAlgorithm::Sha384 => 48,
            HashAlgorithm::Sha512 => 64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// FIPS 180-4 examples: the digests of "abc".
    #[test]
    fn digests_of_abc_match_the_standard() {
        let expected = [
            (
                HashAlgorithm::Sha1,
                "a9993e364706816aba3e25717850c26c9cd0d89d",
            ),
            (
                HashAlgorithm::Sha224,
                "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7",
            ),
            (
                HashAlgorithm::Sha256,
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            ),
        ];
        for (algorithm, hex) in expected {
            let digest = algorithm.digest(b"abc");
            assert_eq!(crate::hex::encode(&digest), hex, "{}", algorithm.name());
            assert_eq!(digest.len(), algorithm.output_len());
        }
        for algorithm in HashAlgorithm::ALL {
            assert_eq!(
                algorithm.digest(b"").len(),
                algorithm.output_len(),
                "{}",
                algorithm.name()
            );
        }
    }

    #[test]
    fn every_oid_names_its_algorithm_and_nothing_else_does() {
        for algorithm in HashAlgorithm::ALL {
            assert_eq!(HashAlgorithm::from_oid(algorithm.oid()), Some(algorithm));
        }
        assert_eq!(HashAlgorithm::from_oid("1.2.840.113549.1.1.11"), None);
        assert_eq!(HashAlgorithm::from_oid(""), None);
    }
}
