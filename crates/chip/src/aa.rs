//! Active authentication (ICAO 9303-11 §6.1): the chip signs a challenge with
//! a private key that cannot be copied; the public key is in DG15 (protected by
//! passive authentication). RSA with ISO/IEC 9796-2 digital signature scheme 1,
//! and ECDSA with plain (r||s) signatures. Both sides: verification for the
//! reader, signing for the test-only virtual chip.
//!
//! The RSA arithmetic is the `rsa` crate's: its raw public operation
//! (`rsa::hazmat::rsa_encrypt`, s^e mod n) for verification, its blinded raw
//! private operation for the virtual chip's signature, and its key generation
//! for TEST-ONLY keys. ISO/IEC 9796-2 scheme 1 with message recovery (header,
//! recovered part, hash, trailer, and the n − J alternative) stays here: no
//! maintained crate implements it. ECDSA goes through [`ec`].

use crate::apdu::StatusWord;
use crate::crypto::{self, HashAlgorithm};
use crate::ec;
use crate::emulator::ChipDataset;
use crate::lds::dg15::{self, PublicKey};
use crate::lds::security_infos::SecurityInfo;
use crate::lds::{FileId, dg14};
use num_bigint::BigUint;
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use rsa::{BoxedUint, PrivateKey as RsaPrivateKey, PublicKey as RsaPublicKey};
use thiserror::Error;

/// Smallest and largest RSA modulus (bits) accepted from DG15: the `rsa`
/// crate's default floor of 1024 bits would refuse nothing ICAO allows today,
/// but older chips were issued with smaller keys and deserve a verdict on the
/// signature, not on the key size.
const RSA_MODULUS_BITS: std::ops::RangeInclusive<usize> = 512..=16384;

/// Why active authentication failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AaError {
    /// DG15 could not be decoded.
    #[error("DG15 public key unusable: {0}")]
    BadKey(String),
    /// The signature does not verify: the chip does not hold the DG15 private key (possible clone).
    #[error("signature does not verify with the DG15 key: {0}")]
    BadSignature(String),
}

/// ecdsa-plain-signatures prefix (0.4.0.127.0.7.1.1.4.1) of BSI TR-03111.
const ECDSA_PLAIN: &[u8] = &[0x04, 0x00, 0x7F, 0x00, 0x07, 0x01, 0x01, 0x04, 0x01];
/// ecdsa-with-SHA2 prefix (1.2.840.10045.4.3).
const ECDSA_WITH_SHA2: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03];
/// ecdsa-with-SHA1 (1.2.840.10045.4.1).
const ECDSA_WITH_SHA1: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x01];

/// The hash of ECDSA active authentication named by DG14's ActiveAuthenticationInfo
/// (SHA-256 when DG14 says nothing).
pub fn ecdsa_hash(dg14_infos: &[SecurityInfo]) -> HashAlgorithm {
    let algorithm = dg14_infos.iter().find_map(|info| match info {
        SecurityInfo::ActiveAuthentication {
            signature_algorithm,
            ..
        } => Some(signature_algorithm.clone()),
        _ => None,
    });
    let Some(oid) = algorithm else {
        return HashAlgorithm::Sha256;
    };
    if oid == ECDSA_WITH_SHA1 {
        return HashAlgorithm::Sha1;
    }
    let last = oid.last().copied();
    match (
        oid.starts_with(ECDSA_PLAIN),
        oid.starts_with(ECDSA_WITH_SHA2),
        last,
    ) {
        (true, _, Some(1)) => HashAlgorithm::Sha1,
        (true, _, Some(2)) | (_, true, Some(1)) => HashAlgorithm::Sha224,
        (true, _, Some(4)) | (_, true, Some(3)) => HashAlgorithm::Sha384,
        (true, _, Some(5)) | (_, true, Some(4)) => HashAlgorithm::Sha512,
        _ => HashAlgorithm::Sha256,
    }
}

/// The ActiveAuthenticationInfo OID for ecdsa-plain with a hash (to build DG14).
pub fn ecdsa_plain_oid(hash: HashAlgorithm) -> Vec<u8> {
    let arc = match hash {
        HashAlgorithm::Sha1 => 1,
        HashAlgorithm::Sha224 => 2,
        HashAlgorithm::Sha256 => 3,
        HashAlgorithm::Sha384 => 4,
        HashAlgorithm::Sha512 => 5,
    };
    [ECDSA_PLAIN, &[arc]].concat()
}

fn hash_of_trailer(trailer: &[u8]) -> Option<(HashAlgorithm, usize)> {
    match trailer {
        [.., 0xBC] => Some((HashAlgorithm::Sha1, 1)),
        [.., 0x33, 0xCC] => Some((HashAlgorithm::Sha1, 2)),
        [.., 0x38, 0xCC] => Some((HashAlgorithm::Sha224, 2)),
        [.., 0x34, 0xCC] => Some((HashAlgorithm::Sha256, 2)),
        [.., 0x36, 0xCC] => Some((HashAlgorithm::Sha384, 2)),
        [.., 0x35, 0xCC] => Some((HashAlgorithm::Sha512, 2)),
        _ => None,
    }
}

/// Verifies the chip's answer to INTERNAL AUTHENTICATE(challenge) with the DG15 key.
pub fn verify(
    dg15_bytes: &[u8],
    dg14_infos: &[SecurityInfo],
    challenge: &[u8],
    signature: &[u8],
) -> Result<(), AaError> {
    let spki = dg15::parse(dg15_bytes).map_err(|e| AaError::BadKey(e.to_string()))?;
    let key = dg15::parse_public_key_info(&spki).map_err(|e| AaError::BadKey(e.to_string()))?;
    match key {
        PublicKey::Rsa { modulus, exponent } => {
            verify_rsa_9796_2(&modulus, &exponent, challenge, signature)
        }
        PublicKey::Dh { .. } => Err(AaError::BadKey("a Diffie-Hellman key cannot sign".into())),
        PublicKey::Ec { curve, point } => {
            let public = curve
                .decode_point(&point)
                .map_err(|e| AaError::BadKey(e.to_string()))?;
            let size = usize::try_from(curve.n.bits().div_ceil(8)).unwrap_or(0);
            let (r, s) = ecdsa_signature_parts(signature, size).ok_or_else(|| {
                AaError::BadSignature(format!(
                    "ECDSA signature of {} bytes, expected {} (plain) or DER",
                    signature.len(),
                    2 * size
                ))
            })?;
            let digest = crypto::hash(ecdsa_hash(dg14_infos), challenge);
            if ec::ecdsa_verify(&curve, &public, &digest, &r, &s) {
                Ok(())
            } else {
                Err(AaError::BadSignature("ECDSA signature invalid".into()))
            }
        }
    }
}

/// (r, s) of an ECDSA signature: plain r||s (BSI TR-03111, the ICAO format), or
/// DER SEQUENCE { r, s } as some chips send.
fn ecdsa_signature_parts(signature: &[u8], size: usize) -> Option<(BigUint, BigUint)> {
    if signature.len() == 2 * size {
        let (r, s) = signature.split_at(size);
        return Some((BigUint::from_bytes_be(r), BigUint::from_bytes_be(s)));
    }
    let (sequence, rest) = crate::tlv::parse_one(signature).ok()?;
    if sequence.tag != crate::tlv::der::SEQUENCE || !rest.is_empty() {
        return None;
    }
    let parts = sequence.children().ok()?;
    let [r, s] = parts.as_slice() else {
        return None;
    };
    if r.tag != crate::tlv::der::INTEGER || s.tag != crate::tlv::der::INTEGER {
        return None;
    }
    Some((
        BigUint::from_bytes_be(crate::tlv::der::integer_magnitude(r.value)),
        BigUint::from_bytes_be(crate::tlv::der::integer_magnitude(s.value)),
    ))
}

/// ISO/IEC 9796-2 scheme 1 verification with partial message recovery.
fn verify_rsa_9796_2(
    modulus: &[u8],
    exponent: &[u8],
    challenge: &[u8],
    signature: &[u8],
) -> Result<(), AaError> {
    let key = RsaPublicKey::new_with_size_limits(
        BoxedUint::from_be_slice_vartime(modulus),
        BoxedUint::from_be_slice_vartime(exponent),
        RSA_MODULUS_BITS,
    )
    .map_err(|e| AaError::BadKey(format!("RSA public key: {e}")))?;
    let n = key.n().as_ref();
    let below_modulus = BoxedUint::from_be_slice(signature, n.bits_precision())
        .ok()
        .filter(|s| s < n);
    let Some(s) = below_modulus else {
        return Err(AaError::BadSignature(
            "signature not below the modulus".into(),
        ));
    };
    let mut representative = rsa::hazmat::rsa_encrypt(&key, &s)
        .map_err(|e| AaError::BadSignature(format!("RSA: {e}")))?
        .to_be_bytes();
    // ISO/IEC 9796-2: the signer sends min(J, n − J); the representative ends in 0xC.
    if representative.last().is_some_and(|b| b & 0x0F != 0x0C) {
        let reduced = BoxedUint::from_be_slice(&representative, n.bits_precision())
            .map_err(|e| AaError::BadSignature(format!("RSA: {e}")))?;
        representative = n.wrapping_sub(&reduced).to_be_bytes();
    }
    let skip = representative.iter().take_while(|b| **b == 0).count();
    let f = &representative[skip..];
    let (hash, trailer_len) = hash_of_trailer(f)
        .ok_or_else(|| AaError::BadSignature("unknown ISO/IEC 9796-2 trailer".into()))?;
    let Some((&header, _)) = f.split_first() else {
        return Err(AaError::BadSignature("empty representative".into()));
    };
    if header & 0xC0 != 0x40 {
        return Err(AaError::BadSignature(
            "ISO/IEC 9796-2 header missing".into(),
        ));
    }
    let length = HashAlgorithm::output_len(hash);
    let digest_end = f
        .len()
        .checked_sub(trailer_len)
        .ok_or_else(|| AaError::BadSignature("too short".into()))?;
    let digest_start = digest_end
        .checked_sub(length)
        .filter(|s| *s >= 1)
        .ok_or_else(|| AaError::BadSignature("too short".into()))?;
    let recovered = &f[1..digest_start];
    let expected = crypto::hash(hash, &[recovered, challenge].concat());
    if crypto::equal_constant_time(&expected, &f[digest_start..digest_end]) {
        Ok(())
    } else {
        Err(AaError::BadSignature("ISO/IEC 9796-2 hash mismatch".into()))
    }
}

/// Chip side: signs the INTERNAL AUTHENTICATE challenge with the dataset's
/// TEST-ONLY AA key. A dataset without the key (a clone) answers bytes of the
/// right size that cannot verify, as a cloned chip would.
pub fn chip_sign(dataset: &ChipDataset, challenge: &[u8]) -> Result<Vec<u8>, StatusWord> {
    let internal = StatusWord(0x6F00);
    let Some(key) = dataset.secrets.aa_key.as_ref() else {
        let Some(dg15_bytes) = dataset.files.get(&FileId::Dg(15)) else {
            return Err(StatusWord::INS_NOT_SUPPORTED);
        };
        let size = match dg15::parse(dg15_bytes)
            .ok()
            .and_then(|spki| dg15::parse_public_key_info(&spki).ok())
        {
            Some(PublicKey::Rsa { modulus, .. }) => modulus.len(),
            Some(PublicKey::Ec { curve, .. }) => {
                2 * usize::try_from(curve.n.bits().div_ceil(8)).unwrap_or(32)
            }
            Some(PublicKey::Dh { .. }) => 128,
            None => 128,
        };
        return crypto::random_bytes(size).map_err(|_| internal);
    };
    match key {
        crate::emulator::PrivateKey::Dh { .. } => Err(StatusWord::CONDITIONS_NOT_SATISFIED),
        crate::emulator::PrivateKey::Rsa { .. } => {
            let (n, e, d) = key.rsa_parts().map_err(|_| internal)?;
            let size = usize::try_from(n.bits().div_ceil(8)).unwrap_or(0);
            let recoverable_len = size.checked_sub(2 + 20).ok_or(internal)?;
            let m1 = crypto::random_bytes(recoverable_len).map_err(|_| internal)?;
            let digest = crypto::hash(HashAlgorithm::Sha1, &[&m1[..], challenge].concat());
            let f = [&[0x6A][..], &m1, &digest, &[0xBC]].concat();
            let boxed = |value: &BigUint| BoxedUint::from_be_slice_vartime(&value.to_bytes_be());
            let private =
                RsaPrivateKey::from_components(boxed(&n), boxed(&e), boxed(&d), Vec::new())
                    .map_err(|_| internal)?;
            let representative =
                BoxedUint::from_be_slice(&f, private.n().as_ref().bits_precision())
                    .map_err(|_| internal)?;
            let mut rng = crypto::seeded_rng().map_err(|_| internal)?;
            let signature =
                rsa::hazmat::rsa_decrypt_and_check(&private, Some(&mut rng), &representative)
                    .map_err(|_| internal)?
                    .to_be_bytes();
            let start = signature.len().saturating_sub(size);
            let mut padded = vec![0u8; size.saturating_sub(signature.len())];
            padded.extend_from_slice(&signature[start..]);
            Ok(padded)
        }
        crate::emulator::PrivateKey::Ec { .. } => {
            let (curve, scalar) = key.ec_parts().map_err(|_| internal)?;
            let infos = dataset
                .files
                .get(&FileId::Dg(14))
                .and_then(|b| dg14::parse(b).ok())
                .unwrap_or_default();
            let digest = crypto::hash(ecdsa_hash(&infos), challenge);
            let (r, s) = ec::ecdsa_sign(&curve, &scalar, &digest).map_err(|_| internal)?;
            let size = usize::try_from(curve.n.bits().div_ceil(8)).unwrap_or(0);
            let fixed = |value: BigUint| {
                let bytes = value.to_bytes_be();
                let mut out = vec![0u8; size.saturating_sub(bytes.len())];
                out.extend(bytes);
                out
            };
            Ok([fixed(r), fixed(s)].concat())
        }
    }
}

/// A fresh TEST-ONLY RSA key for active authentication (e = 65537), made by
/// the `rsa` crate (at least 1024 bits, its floor). Not seeded: no fixture
/// asks for a reproducible RSA key (seeded fixtures use EC keys).
pub fn generate_rsa_key(bits: u64) -> Result<crate::emulator::PrivateKey, crypto::CryptoError> {
    let size =
        usize::try_from(bits).map_err(|_| crypto::CryptoError::KeyLength(usize::MAX, "RSA"))?;
    let mut rng = crypto::seeded_rng()?;
    let private = RsaPrivateKey::new(&mut rng, size)
        .map_err(|_| crypto::CryptoError::KeyLength(size / 8, "RSA"))?;
    let hex = |value: &BoxedUint| BigUint::from_bytes_be(&value.to_be_bytes()).to_str_radix(16);
    Ok(crate::emulator::PrivateKey::Rsa {
        modulus: hex(private.n().as_ref()),
        public_exponent: hex(private.e()),
        private_exponent: hex(private.d()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::{ChipSecrets, PrivateKey};
    use proptest::prelude::*;

    fn dataset_with(key: PrivateKey) -> ChipDataset {
        let mut dataset = ChipDataset::default();
        let spki = key.public_key_info().expect("public half");
        dataset.files.insert(FileId::Dg(15), dg15::encode(&spki));
        dataset.secrets = ChipSecrets {
            aa_key: Some(key),
            ..ChipSecrets::default()
        };
        dataset
    }

    #[test]
    fn rsa_9796_2_sign_and_verify() {
        let dataset = dataset_with(generate_rsa_key(1024).expect("keygen"));
        let challenge = [1, 2, 3, 4, 5, 6, 7, 8];
        let signature = chip_sign(&dataset, &challenge).expect("signs");
        assert_eq!(signature.len(), 128);
        let dg15_bytes = &dataset.files[&FileId::Dg(15)];
        assert_eq!(verify(dg15_bytes, &[], &challenge, &signature), Ok(()));
        assert!(verify(dg15_bytes, &[], &[9; 8], &signature).is_err());
        let clone = dataset.cloned_without_keys();
        let fake = chip_sign(&clone, &challenge).expect("answers");
        assert!(verify(dg15_bytes, &[], &challenge, &fake).is_err());
    }

    #[test]
    fn ecdsa_sign_and_verify() {
        let dataset = dataset_with(PrivateKey::generate_ec("brainpoolP256r1").expect("keygen"));
        let challenge = [8, 7, 6, 5, 4, 3, 2, 1];
        let signature = chip_sign(&dataset, &challenge).expect("signs");
        let dg15_bytes = &dataset.files[&FileId::Dg(15)];
        assert_eq!(verify(dg15_bytes, &[], &challenge, &signature), Ok(()));
        let fake = chip_sign(&dataset.cloned_without_keys(), &challenge).expect("answers");
        assert!(verify(dg15_bytes, &[], &challenge, &fake).is_err());
        // The same signature DER-encoded, as some chips send it, verifies too.
        let (r, s) = signature.split_at(signature.len() / 2);
        let der_signature = crate::tlv::encode_constructed(
            crate::tlv::der::SEQUENCE,
            &[crate::tlv::der::integer(r), crate::tlv::der::integer(s)],
        );
        assert_eq!(verify(dg15_bytes, &[], &challenge, &der_signature), Ok(()));
    }

    proptest! {
        #[test]
        fn random_signatures_never_panic(signature in proptest::collection::vec(any::<u8>(), 0..140)) {
            let modulus = [0xC5u8; 128];
            let _ = verify_rsa_9796_2(&modulus, &[1, 0, 1], &[0; 8], &signature);
            let _ = verify(&signature, &[], &[0; 8], &signature);
        }
    }
}
