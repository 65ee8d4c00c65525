//! A deterministic, test-only PKI: TEST CSCAs, TEST Document Signers, signed
//! EF.SODs, CMS master lists and CRLs for fixtures, tests, demo and training.
//!
//! Every key here is derived from a seed, so the same seed always gives the same
//! keys and certificates. Names say "TEST" and "test only, not for production";
//! nothing made here must ever be trusted outside tdverify's test material.

use std::collections::BTreeMap;

use der::Decode;
use ecdsa::signature::hazmat::PrehashSigner;
use rand_core::SeedableRng;
use rsa::traits::PublicKeyParts;

use crate::cert::{encode_time, ext_oid, UnixSeconds};
use crate::cms::oid as cms_oid;
use crate::crypto::{oid, pkcs1_scheme, Curve, HashAlgorithm};
use self::write::{explicit, octets, sequence, set_of, tlv, unsigned};
use crate::PkiError;

/// Key types the test PKI can make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum TestKeyAlgorithm {
    /// RSA 2048, signing with PKCS#1 v1.5.
    Rsa2048,
    /// RSA 2048, signing with RSASSA-PSS (salt = hash length).
    Rsa2048Pss,
    /// ECDSA on NIST P-256.
    EcdsaP256,
    /// ECDSA on NIST P-384.
    EcdsaP384,
    /// ECDSA on brainpoolP256r1.
    EcdsaBrainpoolP256r1,
    /// ECDSA on brainpoolP384r1.
    EcdsaBrainpoolP384r1,
}

impl TestKeyAlgorithm {
    /// All of them, for round-trip tests.
    pub const ALL: [TestKeyAlgorithm; 6] = [
        TestKeyAlgorithm::Rsa2048,
        TestKeyAlgorithm::Rsa2048Pss,
        TestKeyAlgorithm::EcdsaP256,
        TestKeyAlgorithm::EcdsaP384,
        TestKeyAlgorithm::EcdsaBrainpoolP256r1,
        TestKeyAlgorithm::EcdsaBrainpoolP384r1,
    ];
}

enum KeyMaterial {
    Rsa(Box<rsa::PrivateKey>),
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    Bp256(ecdsa::SigningKey<bp256::BrainpoolP256r1>),
    Bp384(ecdsa::SigningKey<bp384::BrainpoolP384r1>),
}

/// A TEST private key with its algorithm.
pub struct TestKey {
    /// What kind of key it is and how it signs.
    pub algorithm: TestKeyAlgorithm,
    /// Write EC public keys with explicit curve parameters (as many older passports do)
    /// instead of the named-curve OID.
    pub explicit_parameters: bool,
    material: KeyMaterial,
}

/// Explicit ECParameters (RFC 3279 §2.3.5) of each curve, DER, as `openssl ecparam
/// -param_enc explicit` writes them (values from SEC 2 and RFC 5639).
const EXPLICIT_PARAMETERS: &[(Curve, &str)] = &[
    (Curve::P256, "3081F7020101302C06072A8648CE3D0101022100FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF305B0420FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFC04205AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B031500C49D360886E704936A6678E1139D26B7819F7E900441046B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C2964FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5022100FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551020101"),
    (Curve::P384, "30820157020101303C06072A8648CE3D0101023100FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFF0000000000000000FFFFFFFF307B0430FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFF0000000000000000FFFFFFFC0430B3312FA7E23EE7E4988E056BE3F82D19181D9C6EFE8141120314088F5013875AC656398D8A2ED19D2A85C8EDD3EC2AEF031500A335926AA319A27A1D00896A6773A4827ACDAC73046104AA87CA22BE8B05378EB1C71EF320AD746E1D3B628BA79B9859F741E082542A385502F25DBF55296C3A545E3872760AB73617DE4A96262C6F5D9E98BF9292DC29F8F41DBD289A147CE9DA3113B5F0B8C00A60B1CE1D7E819D7A431D7C90EA0E5F023100FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973020101"),
    (Curve::BrainpoolP256r1, "3081E0020101302C06072A8648CE3D0101022100A9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377304404207D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9042026DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B60441048BD2AEB9CB7E57CB2C4B482FFC81B7AFB9DE27E1E3BD23C23A4453BD9ACE3262547EF835C3DAC4FD97F8461A14611DC9C27745132DED8E545C1D54C72F046997022100A9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7020101"),
    (Curve::BrainpoolP384r1, "30820140020101303C06072A8648CE3D01010231008CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B412B1DA197FB71123ACD3A729901D1A71874700133107EC53306404307BC382C63D8C150C3C72080ACE05AFA0C2BEA28E4FB22787139165EFBA91F90F8AA5814A503AD4EB04A8C7DD22CE2826043004A8C7DD22CE28268B39B55416F0447C2FB77DE107DCD2A62E880EA53EEB62D57CB4390295DBC9943AB78696FA504C110461041D1C64F068CF45FFA2A63A81B7C13F6B8847A3E77EF14FE3DB7FCAFE0CBD10E8E826E03436D646AAEF87B2E247D4AF1E8ABE1D7520F9C2A45CB1EB8E95CFD55262B70B29FEEC5864E19C054FF99129280E4646217791811142820341263C53150231008CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B31F166E6CAC0425A7CF3AB6AF6B7FC3103B883202E9046565020101"),
];

fn explicit_parameters_der(curve: Curve) -> Vec<u8> {
    let text = EXPLICIT_PARAMETERS.iter().find(|(c, _)| *c == curve).map(|(_, hex)| *hex).unwrap_or_default();
    text.as_bytes()
        .chunks(2)
        .filter_map(|pair| std::str::from_utf8(pair).ok().and_then(|p| u8::from_str_radix(p, 16).ok()))
        .collect()
}

impl std::fmt::Debug for TestKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TestKey({:?}, test only)", self.algorithm)
    }
}

fn seeded_bytes(seed: &[u8], label: &str, counter: u32) -> [u8; 32] {
    let mut input = b"tdverify TEST key derivation".to_vec();
    input.extend_from_slice(seed);
    input.extend_from_slice(label.as_bytes());
    input.extend_from_slice(&counter.to_be_bytes());
    let digest = HashAlgorithm::Sha256.digest(&input);
    let mut out = [0u8; 32];
    out.copy_from_slice(&digest);
    out
}

macro_rules! ec_key_from_seed {
    ($key:ty, $seed:expr, $label:expr, $len:expr) => {{
        let mut counter = 0u32;
        loop {
            let mut scalar = Vec::new();
            while scalar.len() < $len {
                scalar.extend_from_slice(&seeded_bytes($seed, $label, counter));
                counter += 1;
            }
            scalar.truncate($len);
            if let Ok(key) = <$key>::from_slice(&scalar) {
                break key;
            }
        }
    }};
}

impl TestKey {
    /// Derives a key deterministically from `seed` and `label`.
    pub fn generate(algorithm: TestKeyAlgorithm, seed: &[u8], label: &str) -> Result<TestKey, PkiError> {
        let material = match algorithm {
            TestKeyAlgorithm::Rsa2048 | TestKeyAlgorithm::Rsa2048Pss => {
                let mut rng = chacha20::ChaCha20Rng::from_seed(seeded_bytes(seed, label, 0));
                let key = rsa::PrivateKey::new(&mut rng, 2048)
                    .map_err(|e| PkiError::Malformed(format!("TEST RSA key generation: {e}")))?;
                KeyMaterial::Rsa(Box::new(key))
            }
            TestKeyAlgorithm::EcdsaP256 => KeyMaterial::P256(ec_key_from_seed!(p256::ecdsa::SigningKey, seed, label, 32)),
            TestKeyAlgorithm::EcdsaP384 => KeyMaterial::P384(ec_key_from_seed!(p384::ecdsa::SigningKey, seed, label, 48)),
            TestKeyAlgorithm::EcdsaBrainpoolP256r1 => {
                KeyMaterial::Bp256(ec_key_from_seed!(ecdsa::SigningKey<bp256::BrainpoolP256r1>, seed, label, 32))
            }
            TestKeyAlgorithm::EcdsaBrainpoolP384r1 => {
                KeyMaterial::Bp384(ec_key_from_seed!(ecdsa::SigningKey<bp384::BrainpoolP384r1>, seed, label, 48))
            }
        };
        Ok(TestKey { algorithm, explicit_parameters: false, material })
    }

    /// The same key, written with explicit curve parameters in certificates (EC keys only).
    pub fn with_explicit_parameters(mut self) -> TestKey {
        self.explicit_parameters = !matches!(self.material, KeyMaterial::Rsa(_));
        self
    }

    /// SubjectPublicKeyInfo DER.
    pub fn subject_public_key_info(&self) -> Vec<u8> {
        let ec = |curve: Curve, point: &[u8]| {
            let parameters = if self.explicit_parameters { explicit_parameters_der(curve) } else { write::oid(curve.oid()) };
            sequence(&[&sequence(&[&write::oid(oid::EC_PUBLIC_KEY), &parameters]), &write::bits(point)])
        };
        match &self.material {
            KeyMaterial::Rsa(key) => {
                let public = sequence(&[&unsigned(&key.n_bytes()), &unsigned(&key.e_bytes())]);
                sequence(&[&sequence(&[&write::oid(oid::RSA_ENCRYPTION), &write::null()]), &write::bits(&public)])
            }
            KeyMaterial::P256(k) => ec(Curve::P256, &k.verifying_key().to_sec1_bytes()),
            KeyMaterial::P384(k) => ec(Curve::P384, &k.verifying_key().to_sec1_bytes()),
            KeyMaterial::Bp256(k) => ec(Curve::BrainpoolP256r1, &k.verifying_key().to_sec1_bytes()),
            KeyMaterial::Bp384(k) => ec(Curve::BrainpoolP384r1, &k.verifying_key().to_sec1_bytes()),
        }
    }

    /// The signature AlgorithmIdentifier this key signs with, for `hash`.
    pub fn signature_algorithm(&self, hash: HashAlgorithm) -> Vec<u8> {
        match self.algorithm {
            TestKeyAlgorithm::Rsa2048 => {
                let sig_oid = match hash {
                    HashAlgorithm::Sha1 => oid::SHA1_WITH_RSA,
                    HashAlgorithm::Sha224 => oid::SHA224_WITH_RSA,
                    HashAlgorithm::Sha256 => oid::SHA256_WITH_RSA,
                    HashAlgorithm::Sha384 => oid::SHA384_WITH_RSA,
                    HashAlgorithm::Sha512 => oid::SHA512_WITH_RSA,
                };
                sequence(&[&write::oid(sig_oid), &write::null()])
            }
            TestKeyAlgorithm::Rsa2048Pss => {
                let hash_id = sequence(&[&write::oid(hash.oid()), &write::null()]);
                let mgf = sequence(&[&write::oid(oid::MGF1), &hash_id]);
                let params = sequence(&[
                    &explicit(0, &hash_id),
                    &explicit(1, &mgf),
                    &explicit(2, &write::small_int(hash.output_len() as u64)),
                ]);
                sequence(&[&write::oid(oid::RSASSA_PSS), &params])
            }
            _ => {
                let sig_oid = match hash {
                    HashAlgorithm::Sha1 => oid::ECDSA_SHA1,
                    HashAlgorithm::Sha224 => oid::ECDSA_SHA224,
                    HashAlgorithm::Sha256 => oid::ECDSA_SHA256,
                    HashAlgorithm::Sha384 => oid::ECDSA_SHA384,
                    HashAlgorithm::Sha512 => oid::ECDSA_SHA512,
                };
                sequence(&[&write::oid(sig_oid)])
            }
        }
    }

    /// Signs `message` (hashing it with `hash`); deterministic except for PSS salts.
    pub fn sign(&self, hash: HashAlgorithm, message: &[u8]) -> Result<Vec<u8>, PkiError> {
        let digest = hash.digest(message);
        let fail = |e: String| PkiError::Malformed(format!("TEST signing: {e}"));
        match &self.material {
            KeyMaterial::Rsa(key) => match self.algorithm {
                TestKeyAlgorithm::Rsa2048Pss => {
                    let mut rng = chacha20::ChaCha20Rng::from_seed(seeded_bytes(&digest, "pss salt", 0));
                    let salt = hash.output_len();
                    let result = match hash {
                        HashAlgorithm::Sha1 => key.sign_with_rng(&mut rng, rsa::pss::Pss::<sha1::Sha1>::new_with_salt(salt), &digest),
                        HashAlgorithm::Sha224 => key.sign_with_rng(&mut rng, rsa::pss::Pss::<sha2::Sha224>::new_with_salt(salt), &digest),
                        HashAlgorithm::Sha256 => key.sign_with_rng(&mut rng, rsa::pss::Pss::<sha2::Sha256>::new_with_salt(salt), &digest),
                        HashAlgorithm::Sha384 => key.sign_with_rng(&mut rng, rsa::pss::Pss::<sha2::Sha384>::new_with_salt(salt), &digest),
                        HashAlgorithm::Sha512 => key.sign_with_rng(&mut rng, rsa::pss::Pss::<sha2::Sha512>::new_with_salt(salt), &digest),
                    };
                    result.map_err(|e| fail(e.to_string()))
                }
                _ => key.sign(pkcs1_scheme(hash), &digest).map_err(|e| fail(e.to_string())),
            },
            KeyMaterial::P256(k) => {
                let s: p256::ecdsa::Signature = k.sign_prehash(&digest).map_err(|e| fail(e.to_string()))?;
                Ok(s.to_der().as_bytes().to_vec())
            }
            KeyMaterial::P384(k) => {
                let s: p384::ecdsa::Signature = k.sign_prehash(&digest).map_err(|e| fail(e.to_string()))?;
                Ok(s.to_der().as_bytes().to_vec())
            }
            KeyMaterial::Bp256(k) => {
                let s: ecdsa::Signature<bp256::BrainpoolP256r1> = k.sign_prehash(&digest).map_err(|e| fail(e.to_string()))?;
                Ok(s.to_der().as_bytes().to_vec())
            }
            KeyMaterial::Bp384(k) => {
                let s: ecdsa::Signature<bp384::BrainpoolP384r1> = k.sign_prehash(&digest).map_err(|e| fail(e.to_string()))?;
                Ok(s.to_der().as_bytes().to_vec())
            }
        }
    }

    /// The hash this key's certificates and SODs use by default.
    pub fn default_hash(&self) -> HashAlgorithm {
        match self.algorithm {
            TestKeyAlgorithm::EcdsaP384 | TestKeyAlgorithm::EcdsaBrainpoolP384r1 => HashAlgorithm::Sha384,
            _ => HashAlgorithm::Sha256,
        }
    }

    /// The subjectKeyIdentifier (SHA-1 of the public key bits, RFC 5280 method 1).
    pub fn key_identifier(&self) -> Vec<u8> {
        let spki = self.subject_public_key_info();
        let bits = spki::SubjectPublicKeyInfoRef::from_der(&spki)
            .ok()
            .and_then(|info| info.subject_public_key.as_bytes().map(<[u8]>::to_vec))
            .unwrap_or_default();
        HashAlgorithm::Sha1.digest(&bits)
    }
}

/// A Name with country and common name.
pub fn test_name(country: &str, common_name: &str) -> Vec<u8> {
    let c = set_of(&[&sequence(&[&write::oid(ext_oid::COUNTRY), &tlv(write::PRINTABLE_STRING, country.as_bytes())])]);
    let cn = set_of(&[&sequence(&[&write::oid(ext_oid::COMMON_NAME), &tlv(write::UTF8_STRING, common_name.as_bytes())])]);
    sequence(&[&c, &cn])
}

/// A TEST key with its certificate (a CSCA, Document Signer or master list signer).
#[derive(Debug)]
pub struct TestCertifiedKey {
    /// The private key (test only).
    pub key: TestKey,
    /// The certificate, DER.
    pub certificate: Vec<u8>,
    /// Subject Name, DER.
    pub name: Vec<u8>,
    /// Serial number.
    pub serial: u64,
}

/// What a certificate is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestRole {
    /// Country Signing CA: keyCertSign + cRLSign, cA.
    Csca,
    /// Document Signer (or master list signer): digitalSignature.
    DocumentSigner,
}

/// Parameters of a certificate to issue.
#[derive(Debug, Clone)]
pub struct CertificateRequest<'a> {
    /// Three-letter issuing state (also written as the C attribute, first two letters upper-cased if 3).
    pub country: &'a str,
    /// Common name.
    pub common_name: String,
    /// Serial number.
    pub serial: u64,
    /// Validity start.
    pub not_before: UnixSeconds,
    /// Validity end.
    pub not_after: UnixSeconds,
    /// CSCA or DS.
    pub role: TestRole,
}

fn extension(ext_id: &str, critical: bool, value: &[u8]) -> Vec<u8> {
    if critical {
        sequence(&[&write::oid(ext_id), &[0x01, 0x01, 0xFF], &octets(value)])
    } else {
        sequence(&[&write::oid(ext_id), &octets(value)])
    }
}

/// Issues a certificate for `subject_key`, signed by `issuer` (or self-signed when `None`).
pub fn issue_certificate(
    request: &CertificateRequest<'_>,
    subject_key: &TestKey,
    issuer: Option<(&TestKey, &[u8])>,
) -> Result<Vec<u8>, PkiError> {
    let subject = test_name(request.country, &request.common_name);
    let (issuer_key, issuer_name) = match issuer {
        Some((key, name)) => (key, name.to_vec()),
        None => (subject_key, subject.clone()),
    };
    let hash = issuer_key.default_hash();
    let sig_alg = issuer_key.signature_algorithm(hash);
    let key_usage: &[u8] = match request.role {
        TestRole::Csca => &[0x03, 0x02, 0x01, 0x06],
        TestRole::DocumentSigner => &[0x03, 0x02, 0x07, 0x80],
    };
    let mut extensions = vec![
        extension(ext_oid::KEY_USAGE, true, key_usage),
        extension(ext_oid::SUBJECT_KEY_ID, false, &octets(&subject_key.key_identifier())),
        extension(ext_oid::AUTHORITY_KEY_ID, false, &sequence(&[&tlv(0x80, &issuer_key.key_identifier())])),
    ];
    if request.role == TestRole::Csca {
        extensions.push(extension(ext_oid::BASIC_CONSTRAINTS, true, &sequence(&[&[0x01, 0x01, 0xFF], &write::small_int(0)])));
    }
    let ext_refs: Vec<&[u8]> = extensions.iter().map(Vec::as_slice).collect();
    let tbs = sequence(&[
        &explicit(0, &write::small_int(2)),
        &write::small_int(request.serial),
        &sig_alg,
        &issuer_name,
        &sequence(&[&encode_time(request.not_before), &encode_time(request.not_after)]),
        &subject,
        &subject_key.subject_public_key_info(),
        &explicit(3, &sequence(&ext_refs)),
    ]);
    let signature = issuer_key.sign(hash, &tbs)?;
    Ok(sequence(&[&tbs, &sig_alg, &write::bits(&signature)]))
}

/// The conventional TEST CSCA common name for an issuer code.
pub fn csca_common_name(issuer: &str) -> String {
    format!("TEST CSCA {issuer} (test only, not for production)")
}

/// Makes a self-signed TEST CSCA for `issuer` (e.g. "UTO").
pub fn test_csca(issuer: &str, algorithm: TestKeyAlgorithm, seed: &[u8], validity: (UnixSeconds, UnixSeconds)) -> Result<TestCertifiedKey, PkiError> {
    let key = TestKey::generate(algorithm, seed, &format!("csca {issuer}"))?;
    let request = CertificateRequest {
        country: issuer,
        common_name: csca_common_name(issuer),
        serial: 1,
        not_before: validity.0,
        not_after: validity.1,
        role: TestRole::Csca,
    };
    let certificate = issue_certificate(&request, &key, None)?;
    Ok(TestCertifiedKey { key, certificate, name: test_name(issuer, &request.common_name), serial: 1 })
}

/// Makes a TEST Document Signer (or master list signer) issued by `csca`.
pub fn test_document_signer(
    csca: &TestCertifiedKey,
    issuer: &str,
    algorithm: TestKeyAlgorithm,
    seed: &[u8],
    serial: u64,
    validity: (UnixSeconds, UnixSeconds),
) -> Result<TestCertifiedKey, PkiError> {
    let key = TestKey::generate(algorithm, seed, &format!("ds {issuer} {serial}"))?;
    document_signer_with_key(csca, issuer, key, serial, validity)
}

/// Makes a TEST Document Signer for a key already made (e.g. one with explicit parameters).
pub fn document_signer_with_key(
    csca: &TestCertifiedKey,
    issuer: &str,
    key: TestKey,
    serial: u64,
    validity: (UnixSeconds, UnixSeconds),
) -> Result<TestCertifiedKey, PkiError> {
    let common_name = format!("TEST Document Signer {issuer} {serial} (test only, not for production)");
    let request = CertificateRequest {
        country: issuer,
        common_name: common_name.clone(),
        serial,
        not_before: validity.0,
        not_after: validity.1,
        role: TestRole::DocumentSigner,
    };
    let certificate = issue_certificate(&request, &key, Some((&csca.key, &csca.name)))?;
    Ok(TestCertifiedKey { key, certificate, name: test_name(issuer, &common_name), serial })
}

fn attribute(attr_type: &str, value: &[u8]) -> Vec<u8> {
    sequence(&[&write::oid(attr_type), &set_of(&[value])])
}

/// Wraps `content` in a CMS SignedData signed by `signer` (signed attributes, signer's certificate included).
pub fn sign_cms(signer: &TestCertifiedKey, content_type: &str, content: &[u8], hash: HashAlgorithm, signing_time: UnixSeconds) -> Result<Vec<u8>, PkiError> {
    let hash_id = sequence(&[&write::oid(hash.oid()), &write::null()]);
    let attributes = [
        attribute(cms_oid::ATTR_CONTENT_TYPE, &write::oid(content_type)),
        attribute(cms_oid::ATTR_SIGNING_TIME, &encode_time(signing_time)),
        attribute(cms_oid::ATTR_MESSAGE_DIGEST, &octets(&hash.digest(content))),
    ];
    let attr_refs: Vec<&[u8]> = attributes.iter().map(Vec::as_slice).collect();
    let signed_attributes = set_of(&attr_refs);
    let signature = signer.key.sign(hash, &signed_attributes)?;
    let mut implicit_attributes = signed_attributes.clone();
    if let Some(first) = implicit_attributes.first_mut() {
        *first = 0xA0;
    }
    let signer_info = sequence(&[
        &write::small_int(1),
        &sequence(&[&signer.name_of_issuer()?, &write::small_int(signer.serial)]),
        &hash_id,
        &implicit_attributes,
        &signer.key.signature_algorithm(hash),
        &octets(&signature),
    ]);
    let signed_data = sequence(&[
        &write::small_int(3),
        &set_of(&[&hash_id]),
        &sequence(&[&write::oid(content_type), &explicit(0, &octets(content))]),
        &tlv(0xA0, &signer.certificate),
        &set_of(&[&signer_info]),
    ]);
    Ok(sequence(&[&write::oid(cms_oid::SIGNED_DATA), &explicit(0, &signed_data)]))
}

impl TestCertifiedKey {
    /// The issuer Name of this key's certificate, DER.
    pub fn name_of_issuer(&self) -> Result<Vec<u8>, PkiError> {
        Ok(crate::cert::Certificate::from_der(&self.certificate)?.issuer)
    }
}

/// The LDSSecurityObject for `data_groups` hashed with `hash`.
pub fn lds_security_object(data_groups: &BTreeMap<u8, Vec<u8>>, hash: HashAlgorithm) -> Vec<u8> {
    let entries: Vec<Vec<u8>> = data_groups
        .iter()
        .map(|(number, bytes)| sequence(&[&write::small_int(u64::from(*number)), &octets(&hash.digest(bytes))]))
        .collect();
    let entry_refs: Vec<&[u8]> = entries.iter().map(Vec::as_slice).collect();
    sequence(&[&write::small_int(0), &sequence(&[&write::oid(hash.oid()), &write::null()]), &sequence(&entry_refs)])
}

/// A complete EF.SOD (0x77 wrapper) over `data_groups`, signed by the Document Signer `ds`.
pub fn sign_sod(ds: &TestCertifiedKey, data_groups: &BTreeMap<u8, Vec<u8>>, hash: HashAlgorithm, signing_time: UnixSeconds) -> Result<Vec<u8>, PkiError> {
    let content = lds_security_object(data_groups, hash);
    let content_info = sign_cms(ds, cms_oid::LDS_SECURITY_OBJECT, &content, hash, signing_time)?;
    Ok(tlv(crate::sod::EF_SOD_TAG, &content_info))
}

/// A CMS CSCA master list (ICAO 9303-12 §9) holding `cscas`, signed by `signer`.
pub fn sign_master_list(signer: &TestCertifiedKey, cscas: &[&[u8]], signing_time: UnixSeconds) -> Result<Vec<u8>, PkiError> {
    let content = sequence(&[&write::small_int(0), &set_of(cscas)]);
    sign_cms(signer, cms_oid::CSCA_MASTER_LIST, &content, signer.key.default_hash(), signing_time)
}

/// A CRL from `csca` listing `revoked_serials`.
pub fn sign_crl(csca: &TestCertifiedKey, revoked_serials: &[u64], this_update: UnixSeconds, next_update: UnixSeconds) -> Result<Vec<u8>, PkiError> {
    let hash = csca.key.default_hash();
    let sig_alg = csca.key.signature_algorithm(hash);
    let entries: Vec<Vec<u8>> = revoked_serials
        .iter()
        .map(|serial| sequence(&[&write::small_int(*serial), &encode_time(this_update)]))
        .collect();
    let entry_refs: Vec<&[u8]> = entries.iter().map(Vec::as_slice).collect();
    let mut parts: Vec<Vec<u8>> = vec![
        write::small_int(1),
        sig_alg.clone(),
        csca.name.clone(),
        encode_time(this_update),
        encode_time(next_update),
    ];
    if !entries.is_empty() {
        parts.push(sequence(&entry_refs));
    }
    let part_refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    let tbs = sequence(&part_refs);
    let signature = csca.key.sign(hash, &tbs)?;
    Ok(sequence(&[&tbs, &sig_alg, &write::bits(&signature)]))
}

/// 2020-01-01T00:00:00Z, start of every TEST validity period.
pub const TEST_EPOCH: UnixSeconds = 1_577_836_800;
/// Midnight UTC of a calendar date, for TEST validity periods.
pub fn test_date(year: i64, month: i64, day: i64) -> UnixSeconds {
    // Out-of-range months and days count on (as the day arithmetic does); negative ones are 0.
    let field = |value: i64| u32::try_from(value).unwrap_or(0);
    tdverify_core::civil::days_from_civil(year, field(month), field(day)) * 86_400
}

/// One year in seconds (365 days).
pub const YEAR: UnixSeconds = 365 * 86_400;

/// Everything the negative fixture cases need for one issuer, from one seed.
#[derive(Debug)]
pub struct TestPki {
    /// Issuer code, e.g. "UTO".
    pub issuer: String,
    /// The TEST CSCA (2020–2040).
    pub csca: TestCertifiedKey,
    /// A valid Document Signer, serial 100 (2020–2035).
    pub document_signer: TestCertifiedKey,
    /// An expired Document Signer, serial 101 (2020–2021).
    pub expired_document_signer: TestCertifiedKey,
    /// A Document Signer the CRL revokes, serial 102 (2020–2035).
    pub revoked_document_signer: TestCertifiedKey,
    /// A CSCA no master list contains, with the same name as `csca`.
    pub unknown_csca: TestCertifiedKey,
    /// A Document Signer issued by `unknown_csca`, serial 100.
    pub unknown_document_signer: TestCertifiedKey,
    /// The master list signer (issued by `csca`), serial 200.
    pub master_list_signer: TestCertifiedKey,
    /// CRL from `csca` revoking serial 102.
    pub crl: Vec<u8>,
}

impl TestPki {
    /// Generates the whole set for `issuer` deterministically from `seed`.
    pub fn generate(issuer: &str, algorithm: TestKeyAlgorithm, seed: &[u8]) -> Result<TestPki, PkiError> {
        let csca_validity = (test_date(2020, 1, 1), test_date(2040, 1, 1));
        let ds_validity = (test_date(2020, 1, 1), test_date(2035, 1, 1));
        let csca = test_csca(issuer, algorithm, seed, csca_validity)?;
        let document_signer = test_document_signer(&csca, issuer, algorithm, seed, 100, ds_validity)?;
        let expired_document_signer = test_document_signer(&csca, issuer, algorithm, seed, 101, (test_date(2020, 1, 1), test_date(2021, 1, 1)))?;
        let revoked_document_signer = test_document_signer(&csca, issuer, algorithm, seed, 102, ds_validity)?;
        let mut unknown_seed = seed.to_vec();
        unknown_seed.extend_from_slice(b" unknown");
        let unknown_csca = test_csca(issuer, algorithm, &unknown_seed, csca_validity)?;
        let unknown_document_signer = test_document_signer(&unknown_csca, issuer, algorithm, &unknown_seed, 100, ds_validity)?;
        let master_list_signer = test_document_signer(&csca, issuer, algorithm, seed, 200, ds_validity)?;
        let crl = sign_crl(&csca, &[102], test_date(2021, 1, 1), test_date(2040, 1, 1))?;
        Ok(TestPki {
            issuer: issuer.to_string(),
            csca,
            document_signer,
            expired_document_signer,
            revoked_document_signer,
            unknown_csca,
            unknown_document_signer,
            master_list_signer,
            crl,
        })
    }

    /// Writes the public TEST material a fixture set ships (never private keys):
    /// `TEST-CSCA-<ISSUER>.der/.pem`, `TEST-masterlist-<ISSUER>.ml` (CMS, DER),
    /// `TEST-crl-<ISSUER>.crl` (DER) and the Document Signer certificates. Returns the paths.
    pub fn write_public_material(&self, dir: &std::path::Path) -> Result<Vec<std::path::PathBuf>, PkiError> {
        std::fs::create_dir_all(dir).map_err(|source| PkiError::Io { action: "creating", path: dir.to_path_buf(), source })?;
        let issuer = &self.issuer;
        let files: Vec<(String, Vec<u8>)> = vec![
            (format!("TEST-CSCA-{issuer}.der"), self.csca.certificate.clone()),
            (format!("TEST-CSCA-{issuer}.pem"), crate::trust::pem_encode("CERTIFICATE", &self.csca.certificate).into_bytes()),
            (format!("TEST-masterlist-{issuer}.ml"), self.master_list(&[])?),
            (format!("TEST-crl-{issuer}.crl"), self.crl.clone()),
            (format!("TEST-DS-{issuer}-valid.der"), self.document_signer.certificate.clone()),
            (format!("TEST-DS-{issuer}-expired.der"), self.expired_document_signer.certificate.clone()),
            (format!("TEST-DS-{issuer}-revoked.der"), self.revoked_document_signer.certificate.clone()),
            (format!("TEST-DS-{issuer}-unknown-csca.der"), self.unknown_document_signer.certificate.clone()),
        ];
        let mut written = Vec::new();
        for (name, bytes) in files {
            let path = dir.join(name);
            std::fs::write(&path, bytes).map_err(|source| PkiError::Io { action: "writing", path: path.clone(), source })?;
            written.push(path);
        }
        Ok(written)
    }

    /// A master list holding this issuer's CSCA plus `others`, signed by the master list signer.
    pub fn master_list(&self, others: &[&[u8]]) -> Result<Vec<u8>, PkiError> {
        let mut cscas: Vec<&[u8]> = vec![&self.csca.certificate];
        cscas.extend_from_slice(others);
        sign_master_list(&self.master_list_signer, &cscas, TEST_EPOCH + YEAR)
    }
}

/// Builders for the DER the test PKI writes: compositions of `der`'s encoders
/// (headers, OIDs, INTEGERs) over already-encoded parts.
mod write {
    use der::asn1::{ObjectIdentifier, Uint};
    use der::{Decode, Encode, Header, Length, Tag};

    /// PrintableString
    pub const PRINTABLE_STRING: u8 = 0x13;
    /// UTF8String
    pub const UTF8_STRING: u8 = 0x0C;

    /// One element with the given tag and value.
    pub fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
        let header = Tag::from_der(&[tag]).and_then(|tag| Ok(Header::new(tag, Length::try_from(value.len())?)));
        let mut out = header.and_then(|h| h.to_der()).unwrap_or_default();
        out.extend_from_slice(value);
        out
    }

    /// SEQUENCE of already-encoded parts.
    pub fn sequence(parts: &[&[u8]]) -> Vec<u8> {
        tlv(0x30, &parts.concat())
    }

    /// SET OF already-encoded parts, sorted as DER requires.
    pub fn set_of(parts: &[&[u8]]) -> Vec<u8> {
        let mut sorted: Vec<&[u8]> = parts.to_vec();
        sorted.sort();
        tlv(0x31, &sorted.concat())
    }

    /// OBJECT IDENTIFIER from dotted text (our own constants).
    pub fn oid(dotted: &str) -> Vec<u8> {
        ObjectIdentifier::new(dotted).ok().and_then(|oid| oid.to_der().ok()).unwrap_or_default()
    }

    /// Non-negative INTEGER from big-endian magnitude bytes.
    pub fn unsigned(magnitude: &[u8]) -> Vec<u8> {
        Uint::new(magnitude).and_then(|n| n.to_der()).unwrap_or_default()
    }

    /// INTEGER from a small number.
    pub fn small_int(n: u64) -> Vec<u8> {
        n.to_der().unwrap_or_default()
    }

    /// OCTET STRING.
    pub fn octets(bytes: &[u8]) -> Vec<u8> {
        tlv(0x04, bytes)
    }

    /// BIT STRING with no unused bits.
    pub fn bits(bytes: &[u8]) -> Vec<u8> {
        let mut value = vec![0u8];
        value.extend_from_slice(bytes);
        tlv(0x03, &value)
    }

    /// NULL.
    pub fn null() -> Vec<u8> {
        der::asn1::Null.to_der().unwrap_or_default()
    }

    /// Explicit context tag [n] around an encoded element.
    pub fn explicit(n: u8, inner: &[u8]) -> Vec<u8> {
        tlv(0xA0 | n, inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::PublicKey;
    use crate::trust::pem_encode;
    use std::path::Path;
    use std::process::Command;

    fn openssl_available() -> bool {
        Command::new("openssl").arg("version").output().is_ok_and(|o| o.status.success())
    }

    fn openssl_cms_verify(dir: &Path, name: &str, cms_der: &[u8], ca_der: &[u8], at: UnixSeconds) -> (bool, String) {
        openssl_cms_verify_with(dir, name, cms_der, ca_der, at, false)
    }

    /// `signature_only` skips openssl's chain building (OpenSSL 3 refuses certificates with
    /// explicit EC parameters in a chain), still checking the CMS signature with the signer's key.
    fn openssl_cms_verify_with(dir: &Path, name: &str, cms_der: &[u8], ca_der: &[u8], at: UnixSeconds, signature_only: bool) -> (bool, String) {
        let input = dir.join(format!("{name}.p7"));
        let ca = dir.join(format!("{name}-ca.pem"));
        std::fs::write(&input, cms_der).unwrap();
        std::fs::write(&ca, pem_encode("CERTIFICATE", ca_der)).unwrap();
        let output = Command::new("openssl")
            .args(["cms", "-verify", "-inform", "DER", "-binary", "-purpose", "any", "-attime", &at.to_string()])
            .args(if signature_only { &["-noverify"][..] } else { &[][..] })
            .arg("-out")
            .arg(dir.join(format!("{name}.content")))
            .arg("-in")
            .arg(&input)
            .arg("-CAfile")
            .arg(&ca)
            .output()
            .unwrap();
        (output.status.success(), String::from_utf8_lossy(&output.stderr).into_owned())
    }

    #[test]
    fn sods_and_master_lists_verify_with_openssl() {
        if !openssl_available() {
            tdverify_core::test_data::missing_project_piece("openssl (the independent CMS check)", "run cargo xtask setup (Debian openssl)");
        }
        let dir = tempfile::tempdir().unwrap();
        let mut data_groups = BTreeMap::new();
        data_groups.insert(1u8, b"TEST DG1".to_vec());
        data_groups.insert(2u8, b"TEST DG2".to_vec());
        for algorithm in TestKeyAlgorithm::ALL {
            let pki = TestPki::generate("UTO", algorithm, b"openssl interop").unwrap();
            let at = TEST_EPOCH + 2 * YEAR;
            let sod = sign_sod(&pki.document_signer, &data_groups, HashAlgorithm::Sha256, at).unwrap();
            let content_info = crate::lenient::parse(&sod).unwrap().child(0, "ContentInfo").unwrap().raw.to_vec();
            let name = format!("{algorithm:?}");
            let (ok, stderr) = openssl_cms_verify(dir.path(), &format!("sod-{name}"), &content_info, &pki.csca.certificate, at);
            assert!(ok, "openssl rejected the {algorithm:?} SOD: {stderr}");
            let content = std::fs::read(dir.path().join(format!("sod-{name}.content"))).unwrap();
            assert_eq!(content, lds_security_object(&data_groups, HashAlgorithm::Sha256));
            let list = pki.master_list(&[]).unwrap();
            let (ok, stderr) = openssl_cms_verify(dir.path(), &format!("ml-{name}"), &list, &pki.csca.certificate, at);
            assert!(ok, "openssl rejected the {algorithm:?} master list: {stderr}");
            // And the negative: the unknown CSCA's SOD must not verify against the genuine CSCA.
            let foreign = sign_sod(&pki.unknown_document_signer, &data_groups, HashAlgorithm::Sha256, at).unwrap();
            let foreign_info = crate::lenient::parse(&foreign).unwrap().child(0, "ContentInfo").unwrap().raw.to_vec();
            let (ok, _) = openssl_cms_verify(dir.path(), &format!("foreign-{name}"), &foreign_info, &pki.csca.certificate, at);
            assert!(!ok, "openssl accepted a SOD from the unknown CSCA");
        }
    }

    #[test]
    fn openssl_parses_our_crl_and_certificates() {
        if !openssl_available() {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let pki = TestPki::generate("UTO", TestKeyAlgorithm::EcdsaBrainpoolP256r1, b"openssl crl").unwrap();
        let crl_path = dir.path().join("test.crl");
        let ca_path = dir.path().join("ca.pem");
        std::fs::write(&crl_path, &pki.crl).unwrap();
        std::fs::write(&ca_path, pem_encode("CERTIFICATE", &pki.csca.certificate)).unwrap();
        let output = Command::new("openssl")
            .args(["crl", "-inform", "DER", "-noout", "-text", "-in"])
            .arg(&crl_path)
            .arg("-CAfile")
            .arg(&ca_path)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{text}");
        assert!(text.contains("verify OK"), "{text}");
        assert!(text.contains("Serial Number: 66"), "{text}");
    }

    #[test]
    fn explicit_curve_parameters_from_openssl_map_to_named_curves() {
        if !openssl_available() {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        for (name, curve) in [("brainpoolP256r1", Curve::BrainpoolP256r1), ("prime256v1", Curve::P256), ("secp384r1", Curve::P384), ("brainpoolP384r1", Curve::BrainpoolP384r1)] {
            let key = dir.path().join(format!("{name}.key"));
            let cert = dir.path().join(format!("{name}.der"));
            let status = Command::new("openssl")
                .args(["ecparam", "-name", name, "-param_enc", "explicit", "-genkey", "-noout", "-out"])
                .arg(&key)
                .status()
                .unwrap();
            assert!(status.success());
            let status = Command::new("openssl")
                .args(["req", "-new", "-x509", "-sha256", "-days", "2", "-subj", "/C=UT/CN=TEST explicit parameters (test only)", "-outform", "DER", "-key"])
                .arg(&key)
                .arg("-out")
                .arg(&cert)
                .status()
                .unwrap();
            assert!(status.success());
            let parsed = crate::cert::Certificate::from_der(&std::fs::read(&cert).unwrap()).unwrap();
            match &parsed.public_key {
                PublicKey::Ec { curve: found, explicit_parameters, .. } => {
                    assert_eq!(*found, curve);
                    assert!(*explicit_parameters, "{name}: openssl wrote named parameters");
                }
                other => panic!("{other:?}"),
            }
            assert!(parsed.is_self_signed(), "{name}: self-signature does not verify");
        }
    }

    #[test]
    fn document_signers_with_explicit_parameters_verify_here_and_in_openssl() {
        let mut data_groups = BTreeMap::new();
        data_groups.insert(1u8, b"TEST DG1".to_vec());
        let dir = tempfile::tempdir().unwrap();
        for algorithm in [TestKeyAlgorithm::EcdsaP256, TestKeyAlgorithm::EcdsaP384, TestKeyAlgorithm::EcdsaBrainpoolP256r1, TestKeyAlgorithm::EcdsaBrainpoolP384r1] {
            let pki = TestPki::generate("UTO", algorithm, b"explicit").unwrap();
            let key = TestKey::generate(algorithm, b"explicit", "explicit ds").unwrap().with_explicit_parameters();
            let ds = document_signer_with_key(&pki.csca, "UTO", key, 300, (test_date(2020, 1, 1), test_date(2035, 1, 1))).unwrap();
            let parsed = crate::cert::Certificate::from_der(&ds.certificate).unwrap();
            assert!(matches!(parsed.public_key, PublicKey::Ec { explicit_parameters: true, .. }), "{algorithm:?}");
            let sod = sign_sod(&ds, &data_groups, HashAlgorithm::Sha256, test_date(2021, 1, 1)).unwrap();
            let mut store = crate::trust::CscaStore::new();
            store.import_master_list(&pki.master_list(&[]).unwrap()).unwrap();
            let report = crate::trust::passive_authentication(&sod, &data_groups, &store, test_date(2026, 1, 1));
            assert_eq!(report.status, tdverify_core::CheckStatus::Pass, "{algorithm:?}: {report:#?}");
            assert!(report.document_signer.unwrap().key.contains("explicit parameters"));
            if openssl_available() {
                let info = crate::lenient::parse(&sod).unwrap().child(0, "ContentInfo").unwrap().raw.to_vec();
                let (ok, stderr) = openssl_cms_verify_with(dir.path(), &format!("explicit-{algorithm:?}"), &info, &pki.csca.certificate, test_date(2021, 1, 1), true);
                assert!(ok, "{algorithm:?}: {stderr}");
            }
        }
    }

    #[test]
    fn public_material_imports_back() {
        let pki = TestPki::generate("ZZY", TestKeyAlgorithm::EcdsaP256, b"write").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let paths = pki.write_public_material(dir.path()).unwrap();
        assert_eq!(paths.len(), 8);
        let mut store = crate::trust::CscaStore::new();
        store.import_path(&dir.path().join("TEST-masterlist-ZZY.ml")).unwrap();
        store.import_path(&dir.path().join("TEST-crl-ZZY.crl")).unwrap();
        assert_eq!(store.import_path(&dir.path().join("TEST-CSCA-ZZY.pem")).unwrap().duplicates, 1);
    }

    #[test]
    fn generation_is_deterministic_and_named_as_test_material() {
        let a = TestPki::generate("ZZX", TestKeyAlgorithm::EcdsaP256, b"same seed").unwrap();
        let b = TestPki::generate("ZZX", TestKeyAlgorithm::EcdsaP256, b"same seed").unwrap();
        assert_eq!(a.csca.certificate, b.csca.certificate);
        assert_eq!(a.document_signer.certificate, b.document_signer.certificate);
        let csca = crate::cert::Certificate::from_der(&a.csca.certificate).unwrap();
        assert!(csca.subject_text.contains("TEST CSCA ZZX (test only, not for production)"));
        assert!(csca.is_ca && csca.is_self_signed());
        let rsa_a = TestKey::generate(TestKeyAlgorithm::Rsa2048, b"s", "x").unwrap();
        let rsa_b = TestKey::generate(TestKeyAlgorithm::Rsa2048, b"s", "x").unwrap();
        assert_eq!(rsa_a.subject_public_key_info(), rsa_b.subject_public_key_info());
    }
}
