//! Hashes, public keys and signature verification for every algorithm ICAO 9303-11/12
//! allows in EF.SOD and CSCA/DS certificates.
//!
//! Algorithms are chosen from AlgorithmIdentifiers (`spki`), never guessed; EC keys
//! with explicit curve parameters (common in older passports) are mapped to the
//! named curve whose prime and order they carry. The explicit ECParameters
//! structure (RFC 3279 §2.3.5) is declared here with `der`'s derive, as no crate
//! declares it; RSASSA-PSS parameters and RSA public keys come from `pkcs1`.

use der::asn1::{AnyRef, ObjectIdentifier, OctetStringRef, UintRef};
use der::{Decode, Encode, Sequence};
use ecdsa::signature::hazmat::PrehashVerifier;
use rsa::pkcs1::{RsaPssParams, RsaPublicKey};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use crate::PkiError;

/// Object identifiers used in passive authentication (values from RFC 3279/4055/5480/5758,
/// RFC 5639 for brainpool, BSI TR-03111 for plain ECDSA signatures).
pub mod oid {
    pub use tdverify_core::hash::oid::{SHA1, SHA224, SHA256, SHA384, SHA512};
    /// rsaEncryption (key type)
    pub const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
    /// sha1WithRSAEncryption
    pub const SHA1_WITH_RSA: &str = "1.2.840.113549.1.1.5";
    /// sha256WithRSAEncryption
    pub const SHA256_WITH_RSA: &str = "1.2.840.113549.1.1.11";
    /// sha384WithRSAEncryption
    pub const SHA384_WITH_RSA: &str = "1.2.840.113549.1.1.12";
    /// sha512WithRSAEncryption
    pub const SHA512_WITH_RSA: &str = "1.2.840.113549.1.1.13";
    /// sha224WithRSAEncryption
    pub const SHA224_WITH_RSA: &str = "1.2.840.113549.1.1.14";
    /// RSASSA-PSS
    pub const RSASSA_PSS: &str = "1.2.840.113549.1.1.10";
    /// MGF1
    pub const MGF1: &str = "1.2.840.113549.1.1.8";
    /// id-ecPublicKey (key type)
    pub const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
    /// ecdsa-with-SHA1
    pub const ECDSA_SHA1: &str = "1.2.840.10045.4.1";
    /// ecdsa-with-SHA224
    pub const ECDSA_SHA224: &str = "1.2.840.10045.4.3.1";
    /// ecdsa-with-SHA256
    pub const ECDSA_SHA256: &str = "1.2.840.10045.4.3.2";
    /// ecdsa-with-SHA384
    pub const ECDSA_SHA384: &str = "1.2.840.10045.4.3.3";
    /// ecdsa-with-SHA512
    pub const ECDSA_SHA512: &str = "1.2.840.10045.4.3.4";
    /// BSI TR-03111 ecdsa-plain-signatures arc (r||s instead of DER), suffix .1…5 = SHA-1…SHA-512
    pub const ECDSA_PLAIN_PREFIX: &str = "0.4.0.127.0.7.1.1.4.1.";
    /// NIST P-256
    pub const P256: &str = "1.2.840.10045.3.1.7";
    /// NIST P-384
    pub const P384: &str = "1.3.132.0.34";
    /// NIST P-521
    pub const P521: &str = "1.3.132.0.35";
    /// brainpoolP256r1
    pub const BRAINPOOL_P256R1: &str = "1.3.36.3.3.2.8.1.1.7";
    /// brainpoolP384r1
    pub const BRAINPOOL_P384R1: &str = "1.3.36.3.3.2.8.1.1.11";
    /// brainpoolP512r1
    pub const BRAINPOOL_P512R1: &str = "1.3.36.3.3.2.8.1.1.13";
}

pub use tdverify_core::hash::HashAlgorithm;

/// An AlgorithmIdentifier as OID text and its parameters' DER (an absent or NULL parameter is `None`).
pub fn algorithm_parts(algorithm: &AlgorithmIdentifierOwned) -> Result<(String, Option<Vec<u8>>), PkiError> {
    let parameters = match &algorithm.parameters {
        Some(any) if !any.is_null() => Some(any.to_der()?),
        _ => None,
    };
    Ok((algorithm.oid.to_string(), parameters))
}

/// The elliptic curves passive authentication can verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Curve {
    /// NIST P-256 (secp256r1)
    P256,
    /// NIST P-384
    P384,
    /// NIST P-521
    P521,
    /// brainpoolP256r1
    BrainpoolP256r1,
    /// brainpoolP384r1
    BrainpoolP384r1,
    /// brainpoolP512r1 (recognised, but no verifier is available yet)
    BrainpoolP512r1,
}

/// Prime and group order of each curve (SEC 2, FIPS 186-4, RFC 5639), hex, used to
/// recognise explicit parameters.
const CURVE_PARAMETERS: &[(Curve, &str, &str, &str)] = &[
    (Curve::P256, oid::P256, "FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF", "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551"),
    (Curve::P384, oid::P384, "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFF0000000000000000FFFFFFFF", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973"),
    (Curve::P521, oid::P521, "01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", "01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409"),
    (Curve::BrainpoolP256r1, oid::BRAINPOOL_P256R1, "A9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377", "A9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7"),
    (Curve::BrainpoolP384r1, oid::BRAINPOOL_P384R1, "8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B412B1DA197FB71123ACD3A729901D1A71874700133107EC53", "8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B31F166E6CAC0425A7CF3AB6AF6B7FC3103B883202E9046565"),
    (Curve::BrainpoolP512r1, oid::BRAINPOOL_P512R1, "AADD9DB8DBE9C48B3FD4E6AE33C9FC07CB308DB3B3C9D20ED6639CCA703308717D4D9B009BC66842AECDA12AE6A380E62881FF2F2D82C68528AA6056583A48F3", "AADD9DB8DBE9C48B3FD4E6AE33C9FC07CB308DB3B3C9D20ED6639CCA70330870553E5C414CA92619418661197FAC10471DB1D381085DDADDB58796829CA90069"),
];

fn trim_zeros(bytes: &[u8]) -> &[u8] {
    let skip = bytes.iter().take_while(|&&b| b == 0).count();
    bytes.get(skip..).unwrap_or_default()
}

impl Curve {
    /// The curve a named-curve OID stands for.
    pub fn from_oid(curve_oid: &str) -> Option<Curve> {
        CURVE_PARAMETERS.iter().find(|(_, o, _, _)| *o == curve_oid).map(|(c, _, _, _)| *c)
    }

    /// Its OID.
    pub fn oid(self) -> &'static str {
        CURVE_PARAMETERS.iter().find(|(c, _, _, _)| *c == self).map(|(_, o, _, _)| *o).unwrap_or("")
    }

    /// The named curve with this prime and order (explicit parameters).
    pub fn from_prime_and_order(prime: &[u8], order: &[u8]) -> Option<Curve> {
        let prime_hex = tdverify_core::hex::encode_upper(trim_zeros(prime));
        let order_hex = tdverify_core::hex::encode_upper(trim_zeros(order));
        CURVE_PARAMETERS
            .iter()
            .find(|(_, _, p, n)| p.trim_start_matches('0') == prime_hex && n.trim_start_matches('0') == order_hex)
            .map(|(c, _, _, _)| *c)
    }

    /// Display name.
    pub fn name(self) -> &'static str {
        match self {
            Curve::P256 => "NIST P-256",
            Curve::P384 => "NIST P-384",
            Curve::P521 => "NIST P-521",
            Curve::BrainpoolP256r1 => "brainpoolP256r1",
            Curve::BrainpoolP384r1 => "brainpoolP384r1",
            Curve::BrainpoolP512r1 => "brainpoolP512r1",
        }
    }
}

/// A subject public key from a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKey {
    /// RSA modulus and exponent (big-endian magnitudes).
    Rsa {
        /// Modulus n.
        modulus: Vec<u8>,
        /// Public exponent e.
        exponent: Vec<u8>,
    },
    /// An EC point on a named curve.
    Ec {
        /// The curve (mapped from explicit parameters when needed).
        curve: Curve,
        /// SEC1-encoded point.
        point: Vec<u8>,
        /// True when the certificate carried explicit parameters.
        explicit_parameters: bool,
    },
}

impl PublicKey {
    /// The key a SubjectPublicKeyInfo holds.
    pub fn from_spki(spki: &SubjectPublicKeyInfoOwned) -> Result<PublicKey, PkiError> {
        let (algorithm, params) = algorithm_parts(&spki.algorithm)?;
        let key = spki.subject_public_key.as_bytes().ok_or_else(|| PkiError::Malformed("public key bit string".into()))?;
        match algorithm.as_str() {
            oid::RSA_ENCRYPTION | oid::RSASSA_PSS => {
                // The RSAPublicKey sits inside a BIT STRING, out of reach of the certificate's
                // pre-normalisation: redundant leading zeros in the modulus are common.
                let canonical = crate::lenient::canonical(key)?;
                let public = RsaPublicKey::<UintRef<'_>>::from_der(&canonical)?;
                Ok(PublicKey::Rsa { modulus: public.modulus.as_bytes().to_vec(), exponent: public.public_exponent.as_bytes().to_vec() })
            }
            oid::EC_PUBLIC_KEY => {
                let params = params.ok_or_else(|| PkiError::Malformed("EC key without curve parameters".into()))?;
                let (curve, explicit_parameters) = match params.first() {
                    Some(0x06) => {
                        let curve_oid = <ObjectIdentifier>::from_der(&params)?.to_string();
                        (Curve::from_oid(&curve_oid).ok_or(PkiError::UnsupportedAlgorithm(format!("curve {curve_oid}")))?, false)
                    }
                    Some(0x30) => (curve_from_explicit(&params)?, true),
                    _ => return Err(PkiError::Malformed("EC parameters".into())),
                };
                Ok(PublicKey::Ec { curve, point: key.to_vec(), explicit_parameters })
            }
            other => Err(PkiError::UnsupportedAlgorithm(format!("public key {other}"))),
        }
    }

    /// Short description for messages ("RSA 2048", "ECDSA brainpoolP256r1").
    pub fn describe(&self) -> String {
        match self {
            PublicKey::Rsa { modulus, .. } => format!("RSA {}", trim_zeros(modulus).len() * 8),
            PublicKey::Ec { curve, explicit_parameters, .. } => {
                format!("ECDSA {}{}", curve.name(), if *explicit_parameters { " (explicit parameters)" } else { "" })
            }
        }
    }
}

/// ECParameters with explicit curve parameters (RFC 3279 §2.3.5, SEC 1 C.2).
#[derive(Sequence)]
struct SpecifiedEcDomain<'a> {
    version: u8,
    field_id: FieldId<'a>,
    curve: AnyRef<'a>,
    base: &'a OctetStringRef,
    order: UintRef<'a>,
    cofactor: Option<UintRef<'a>>,
}

/// FieldID of a prime field: the prime-field OID and the prime.
#[derive(Sequence)]
struct FieldId<'a> {
    field_type: ObjectIdentifier,
    prime: UintRef<'a>,
}

/// Maps explicit ECParameters (RFC 3279) to a named curve by prime and order.
fn curve_from_explicit(params: &[u8]) -> Result<Curve, PkiError> {
    let domain = SpecifiedEcDomain::from_der(params)?;
    Curve::from_prime_and_order(domain.field_id.prime.as_bytes(), domain.order.as_bytes())
        .ok_or_else(|| PkiError::UnsupportedAlgorithm("explicit EC parameters of an unknown curve".into()))
}

/// How a signature is computed, from a signature AlgorithmIdentifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureScheme {
    /// RSA PKCS#1 v1.5 with this hash.
    RsaPkcs1(HashAlgorithm),
    /// RSASSA-PSS with this hash (MGF1 with the same hash) and salt length.
    RsaPss {
        /// Message hash.
        hash: HashAlgorithm,
        /// Salt length in bytes.
        salt_len: usize,
    },
    /// ECDSA with a DER (r, s) signature.
    Ecdsa(HashAlgorithm),
    /// ECDSA with a plain r||s signature (BSI TR-03111).
    EcdsaPlain(HashAlgorithm),
}

impl SignatureScheme {
    /// The scheme named by a signature AlgorithmIdentifier. For a bare `rsaEncryption`
    /// or `id-ecPublicKey` (seen in some SODs), `digest` supplies the hash.
    /// `params` is the DER of the identifier's parameters, if any.
    pub fn from_algorithm(algorithm: &str, params: Option<&[u8]>, digest: HashAlgorithm) -> Result<SignatureScheme, PkiError> {
        use HashAlgorithm::*;
        Ok(match algorithm {
            oid::RSA_ENCRYPTION => SignatureScheme::RsaPkcs1(digest),
            oid::SHA1_WITH_RSA => SignatureScheme::RsaPkcs1(Sha1),
            oid::SHA224_WITH_RSA => SignatureScheme::RsaPkcs1(Sha224),
            oid::SHA256_WITH_RSA => SignatureScheme::RsaPkcs1(Sha256),
            oid::SHA384_WITH_RSA => SignatureScheme::RsaPkcs1(Sha384),
            oid::SHA512_WITH_RSA => SignatureScheme::RsaPkcs1(Sha512),
            oid::RSASSA_PSS => parse_pss_parameters(params)?,
            oid::EC_PUBLIC_KEY => SignatureScheme::Ecdsa(digest),
            oid::ECDSA_SHA1 => SignatureScheme::Ecdsa(Sha1),
            oid::ECDSA_SHA224 => SignatureScheme::Ecdsa(Sha224),
            oid::ECDSA_SHA256 => SignatureScheme::Ecdsa(Sha256),
            oid::ECDSA_SHA384 => SignatureScheme::Ecdsa(Sha384),
            oid::ECDSA_SHA512 => SignatureScheme::Ecdsa(Sha512),
            other => match other.strip_prefix(oid::ECDSA_PLAIN_PREFIX) {
                Some("1") => SignatureScheme::EcdsaPlain(Sha1),
                Some("2") => SignatureScheme::EcdsaPlain(Sha224),
                Some("3") => SignatureScheme::EcdsaPlain(Sha256),
                Some("4") => SignatureScheme::EcdsaPlain(Sha384),
                Some("5") => SignatureScheme::EcdsaPlain(Sha512),
                _ => return Err(PkiError::UnsupportedAlgorithm(format!("signature {other}"))),
            },
        })
    }

    /// The hash the message is digested with.
    pub fn hash(self) -> HashAlgorithm {
        match self {
            SignatureScheme::RsaPkcs1(h) | SignatureScheme::Ecdsa(h) | SignatureScheme::EcdsaPlain(h) => h,
            SignatureScheme::RsaPss { hash, .. } => hash,
        }
    }

    /// Display name.
    pub fn describe(self) -> String {
        match self {
            SignatureScheme::RsaPkcs1(h) => format!("RSA PKCS#1 v1.5 with {}", h.name()),
            SignatureScheme::RsaPss { hash, salt_len } => format!("RSASSA-PSS with {} (salt {salt_len})", hash.name()),
            SignatureScheme::Ecdsa(h) => format!("ECDSA with {}", h.name()),
            SignatureScheme::EcdsaPlain(h) => format!("ECDSA (plain) with {}", h.name()),
        }
    }
}

/// RSASSA-PSS-params (RFC 4055): hash [0], mask generation [1], salt length [2]; defaults SHA-1, 20.
fn parse_pss_parameters(params: Option<&[u8]>) -> Result<SignatureScheme, PkiError> {
    let Some(params) = params else {
        return Ok(SignatureScheme::RsaPss { hash: HashAlgorithm::Sha1, salt_len: 20 });
    };
    let params = RsaPssParams::<der::Any>::from_der(params)?;
    let hash_oid = params.hash.oid.to_string();
    let hash = HashAlgorithm::from_oid(&hash_oid).ok_or(PkiError::UnsupportedAlgorithm(format!("PSS hash {hash_oid}")))?;
    let mgf_oid = params.mask_gen.oid.to_string();
    if mgf_oid != oid::MGF1 {
        return Err(PkiError::UnsupportedAlgorithm(format!("PSS mask generation {mgf_oid}")));
    }
    if let Some(mgf_hash) = &params.mask_gen.parameters
        && HashAlgorithm::from_oid(&mgf_hash.oid.to_string()) != Some(hash)
    {
        return Err(PkiError::UnsupportedAlgorithm("PSS with an MGF1 hash different from the message hash".into()));
    }
    Ok(SignatureScheme::RsaPss { hash, salt_len: usize::from(params.salt_len) })
}

/// ECDSA verification over a prehashed digest for one concrete curve type.
macro_rules! verify_ecdsa {
    ($curve:ty, $point:expr, $digest:expr, $signature:expr, $plain:expr) => {{
        let key = ecdsa::VerifyingKey::<$curve>::from_sec1_bytes($point).map_err(|_| PkiError::Malformed("EC public point".into()))?;
        let sig = if $plain { ecdsa::Signature::<$curve>::from_slice($signature) } else { ecdsa::Signature::<$curve>::from_der($signature) }
            .map_err(|_| invalid("ECDSA signature encoding"))?;
        key.verify_prehash($digest, &sig).map_err(|_| invalid("ECDSA signature does not verify"))
    }};
}

fn invalid(what: &str) -> PkiError {
    PkiError::BadSignature(what.to_string())
}

/// Verifies `signature` over `message` with `key` under `scheme`.
pub fn verify_signature(key: &PublicKey, scheme: SignatureScheme, message: &[u8], signature: &[u8]) -> Result<(), PkiError> {
    let digest = scheme.hash().digest(message);
    match (key, scheme) {
        (PublicKey::Rsa { modulus, exponent }, SignatureScheme::RsaPkcs1(_) | SignatureScheme::RsaPss { .. }) => {
            let n = rsa::BoxedUint::from_be_slice_vartime(modulus);
            let e = rsa::BoxedUint::from_be_slice_vartime(exponent);
            let public = rsa::PublicKey::new_with_size_limits(n, e, 1024..=8192).map_err(|e| PkiError::Malformed(format!("RSA public key: {e}")))?;
            let result = match scheme {
                SignatureScheme::RsaPkcs1(hash) => public.verify(pkcs1_scheme(hash), &digest, signature),
                SignatureScheme::RsaPss { hash, salt_len } => match hash {
                    HashAlgorithm::Sha1 => public.verify(rsa::pss::Pss::<sha1::Sha1>::new_with_salt(salt_len), &digest, signature),
                    HashAlgorithm::Sha224 => public.verify(rsa::pss::Pss::<sha2::Sha224>::new_with_salt(salt_len), &digest, signature),
                    HashAlgorithm::Sha256 => public.verify(rsa::pss::Pss::<sha2::Sha256>::new_with_salt(salt_len), &digest, signature),
                    HashAlgorithm::Sha384 => public.verify(rsa::pss::Pss::<sha2::Sha384>::new_with_salt(salt_len), &digest, signature),
                    HashAlgorithm::Sha512 => public.verify(rsa::pss::Pss::<sha2::Sha512>::new_with_salt(salt_len), &digest, signature),
                },
                _ => return Err(invalid("scheme does not match an RSA key")),
            };
            result.map_err(|_| invalid("RSA signature does not verify"))
        }
        (PublicKey::Ec { curve, point, .. }, SignatureScheme::Ecdsa(_) | SignatureScheme::EcdsaPlain(_)) => {
            let plain = matches!(scheme, SignatureScheme::EcdsaPlain(_));
            match curve {
                Curve::P256 => verify_ecdsa!(p256::NistP256, point, &digest, signature, plain),
                Curve::P384 => verify_ecdsa!(p384::NistP384, point, &digest, signature, plain),
                Curve::P521 => verify_ecdsa!(p521::NistP521, point, &digest, signature, plain),
                Curve::BrainpoolP256r1 => verify_ecdsa!(bp256::BrainpoolP256r1, point, &digest, signature, plain),
                Curve::BrainpoolP384r1 => verify_ecdsa!(bp384::BrainpoolP384r1, point, &digest, signature, plain),
                Curve::BrainpoolP512r1 => Err(PkiError::UnsupportedAlgorithm("ECDSA on brainpoolP512r1 (no verifier available)".into())),
            }
        }
        _ => Err(invalid("signature algorithm does not match the key type")),
    }
}

/// PKCS#1 v1.5 padding for a hash.
pub(crate) fn pkcs1_scheme(hash: HashAlgorithm) -> rsa::Pkcs1v15Sign {
    match hash {
        HashAlgorithm::Sha1 => rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
        HashAlgorithm::Sha224 => rsa::Pkcs1v15Sign::new::<sha2::Sha224>(),
        HashAlgorithm::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
        HashAlgorithm::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
        HashAlgorithm::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
    }
}

