//! A chip dataset: what a virtual eMRTD serves (file bytes, access secrets and
//! the chip's test-only private keys), and its folder format:
//! `<FILE>.bin` per file (`COM.bin`, `SOD.bin`, `DG1.bin`, `CardAccess.bin`...)
//! plus `chip-secrets.json` with the MRZ key, CAN and test-only private keys.

use crate::ec::{self, Curve, Point};
use crate::key::MrzKey;
use crate::lds::FileId;
use num_bigint::BigUint;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use thiserror::Error;

/// Why a dataset could not be loaded or saved.
#[derive(Debug, Error)]
pub enum DatasetError {
    /// File system failure, with the path.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The error.
        source: std::io::Error,
    },
    /// Malformed `chip-secrets.json`.
    #[error("{context}: {source}")]
    Json {
        /// Which file.
        context: String,
        /// The error.
        source: serde_json::Error,
    },
    /// A key that cannot be used.
    #[error("bad key in dataset: {0}")]
    BadKey(String),
}

/// A chip private key (TEST-ONLY keys of fixture datasets; real chips never reveal theirs).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PrivateKey {
    /// RSA key for ISO/IEC 9796-2 active authentication (hex magnitudes).
    Rsa {
        /// Modulus n.
        modulus: String,
        /// Public exponent e.
        public_exponent: String,
        /// Private exponent d.
        private_exponent: String,
    },
    /// Diffie-Hellman key for DH chip authentication, in a standardized group (0, 1 or 2).
    Dh {
        /// Standardized domain parameter id.
        group: u32,
        /// Private exponent, hex.
        private: String,
    },
    /// EC key (ECDSA active authentication or ECDH chip authentication).
    Ec {
        /// Curve name ("brainpoolP256r1", "P-256"...).
        curve: String,
        /// Private scalar, hex.
        scalar: String,
    },
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PrivateKey::Rsa { .. } => f.write_str("PrivateKey::Rsa(TEST-ONLY, hidden)"),
            PrivateKey::Ec { curve, .. } => write!(f, "PrivateKey::Ec({curve}, TEST-ONLY, hidden)"),
            PrivateKey::Dh { group, .. } => {
                write!(f, "PrivateKey::Dh(group {group}, TEST-ONLY, hidden)")
            }
        }
    }
}

fn number(hex_text: &str) -> Result<BigUint, DatasetError> {
    BigUint::parse_bytes(hex_text.as_bytes(), 16)
        .ok_or_else(|| DatasetError::BadKey("not hex".into()))
}

impl PrivateKey {
    /// A fresh TEST-ONLY EC key on a named curve.
    pub fn generate_ec(curve_name: &str) -> Result<PrivateKey, DatasetError> {
        let curve =
            ec::curve_by_name(curve_name).map_err(|e| DatasetError::BadKey(e.to_string()))?;
        let scalar = curve
            .random_scalar()
            .map_err(|e| DatasetError::BadKey(e.to_string()))?;
        Ok(PrivateKey::Ec {
            curve: curve.name.to_string(),
            scalar: scalar.to_str_radix(16),
        })
    }

    /// A TEST-ONLY EC key derived from `seed` (SHA-256 counter mode, reduced into
    /// [1, n-1]): fixture generators need the same chip for the same seed.
    pub fn ec_from_seed(curve_name: &str, seed: &[u8]) -> Result<PrivateKey, DatasetError> {
        let curve =
            ec::curve_by_name(curve_name).map_err(|e| DatasetError::BadKey(e.to_string()))?;
        let length = usize::try_from(curve.n.bits().div_ceil(8)).unwrap_or(0) + 8;
        let mut bytes = Vec::with_capacity(length + 32);
        let mut counter = 0u32;
        while bytes.len() < length {
            let mut input = b"tdverify TEST chip key".to_vec();
            input.extend_from_slice(seed);
            input.extend_from_slice(&counter.to_be_bytes());
            bytes.extend(crate::crypto::hash(crate::crypto::HashAlgorithm::Sha256, &input));
            counter += 1;
        }
        bytes.truncate(length);
        let below = &curve.n - BigUint::from(1u8);
        let scalar = BigUint::from_bytes_be(&bytes) % below + BigUint::from(1u8);
        Ok(PrivateKey::Ec {
            curve: curve.name.to_string(),
            scalar: scalar.to_str_radix(16),
        })
    }

    /// A fresh TEST-ONLY DH key in a standardized group.
    pub fn generate_dh(group: u32) -> Result<PrivateKey, DatasetError> {
        let dh_group = crate::dh::group_by_parameter_id(group)
            .map_err(|e| DatasetError::BadKey(e.to_string()))?;
        let private = dh_group
            .random_private()
            .map_err(|e| DatasetError::BadKey(e.to_string()))?;
        Ok(PrivateKey::Dh {
            group,
            private: private.to_str_radix(16),
        })
    }

    /// The key agreement domain and private value of an EC or DH key (chip authentication).
    pub fn agreement_parts(&self) -> Result<(crate::agreement::Domain, BigUint), DatasetError> {
        match self {
            PrivateKey::Dh { group, private } => {
                let domain = crate::agreement::Domain::by_parameter_id(*group)
                    .map_err(|e| DatasetError::BadKey(e.to_string()))?;
                Ok((domain, number(private)?))
            }
            _ => {
                let (curve, scalar) = self.ec_parts()?;
                Ok((crate::agreement::Domain::Ec(curve), scalar))
            }
        }
    }

    /// The EC curve and scalar, for EC keys.
    pub fn ec_parts(&self) -> Result<(Curve, BigUint), DatasetError> {
        let PrivateKey::Ec { curve, scalar } = self else {
            return Err(DatasetError::BadKey("not an EC key".into()));
        };
        let curve = ec::curve_by_name(curve).map_err(|e| DatasetError::BadKey(e.to_string()))?;
        Ok((curve, number(scalar)?))
    }

    /// RSA (n, e, d), for RSA keys.
    pub fn rsa_parts(&self) -> Result<(BigUint, BigUint, BigUint), DatasetError> {
        let PrivateKey::Rsa {
            modulus,
            public_exponent,
            private_exponent,
        } = self
        else {
            return Err(DatasetError::BadKey("not an RSA key".into()));
        };
        Ok((
            number(modulus)?,
            number(public_exponent)?,
            number(private_exponent)?,
        ))
    }

    /// The DER SubjectPublicKeyInfo of the public half (for DG15 or DG14).
    pub fn public_key_info(&self) -> Result<Vec<u8>, DatasetError> {
        match self {
            PrivateKey::Rsa { .. } => {
                let (n, e, _) = self.rsa_parts()?;
                Ok(crate::lds::dg15::encode_rsa_public_key_info(
                    &n.to_bytes_be(),
                    &e.to_bytes_be(),
                ))
            }
            PrivateKey::Ec { .. } => {
                let (curve, scalar) = self.ec_parts()?;
                let point = curve
                    .encode_point(&curve.multiply(&scalar, &curve.g))
                    .map_err(|e| DatasetError::BadKey(e.to_string()))?;
                crate::lds::dg15::encode_ec_public_key_info(&curve, &point)
                    .ok_or_else(|| DatasetError::BadKey("curve without OID".into()))
            }
            PrivateKey::Dh { group, private } => {
                let dh_group = crate::dh::group_by_parameter_id(*group)
                    .map_err(|e| DatasetError::BadKey(e.to_string()))?;
                let y = dh_group.g.modpow(&number(private)?, &dh_group.p);
                Ok(crate::lds::dg15::encode_dh_public_key_info(
                    &dh_group.p.to_bytes_be(),
                    &dh_group.g.to_bytes_be(),
                    &dh_group.q.to_bytes_be(),
                    &y.to_bytes_be(),
                ))
            }
        }
    }

    /// The public point of an EC key.
    pub fn ec_public_point(&self) -> Result<(Curve, Point), DatasetError> {
        let (curve, scalar) = self.ec_parts()?;
        let point = curve.multiply(&scalar, &curve.g);
        Ok((curve, point))
    }
}

/// Secrets stored next to the files (`chip-secrets.json`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChipSecrets {
    /// Always "TEST-ONLY": these files never hold real chip keys.
    pub marker: String,
    /// MRZ data opening the chip (BAC and PACE-MRZ).
    pub mrz: Option<MrzKey>,
    /// Card access number (PACE-CAN).
    pub can: Option<String>,
    /// Active authentication private key.
    pub aa_key: Option<PrivateKey>,
    /// Chip authentication private key.
    pub ca_key: Option<PrivateKey>,
}

/// Everything a virtual eMRTD serves.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChipDataset {
    /// File contents by file.
    pub files: BTreeMap<FileId, Vec<u8>>,
    /// Secrets and keys.
    pub secrets: ChipSecrets,
}

const SECRETS_FILE: &str = "chip-secrets.json";

impl ChipDataset {
    /// Loads a dataset folder.
    pub fn load(dir: &Path) -> Result<ChipDataset, DatasetError> {
        let mut dataset = ChipDataset::default();
        for id in FileId::all() {
            let path = dir.join(format!("{}.bin", id.name()));
            if path.exists() {
                let bytes = std::fs::read(&path).map_err(|source| DatasetError::Io {
                    context: format!("reading {}", path.display()),
                    source,
                })?;
                dataset.files.insert(id, bytes);
            }
        }
        let path = dir.join(SECRETS_FILE);
        let text = std::fs::read_to_string(&path).map_err(|source| DatasetError::Io {
            context: format!("reading {}", path.display()),
            source,
        })?;
        dataset.secrets = serde_json::from_str(&text).map_err(|source| DatasetError::Json {
            context: path.display().to_string(),
            source,
        })?;
        Ok(dataset)
    }

    /// Saves a dataset folder.
    pub fn save(&self, dir: &Path) -> Result<(), DatasetError> {
        std::fs::create_dir_all(dir).map_err(|source| DatasetError::Io {
            context: format!("creating {}", dir.display()),
            source,
        })?;
        for (id, bytes) in &self.files {
            let path = dir.join(format!("{}.bin", id.name()));
            std::fs::write(&path, bytes).map_err(|source| DatasetError::Io {
                context: format!("writing {}", path.display()),
                source,
            })?;
        }
        let mut secrets = self.secrets.clone();
        secrets.marker = "TEST-ONLY".into();
        let json = serde_json::to_string_pretty(&secrets).map_err(|source| DatasetError::Json {
            context: SECRETS_FILE.into(),
            source,
        })?;
        let path = dir.join(SECRETS_FILE);
        std::fs::write(&path, json).map_err(|source| DatasetError::Io {
            context: format!("writing {}", path.display()),
            source,
        })
    }

    /// The same chip without its private keys: what a cloner can copy.
    pub fn cloned_without_keys(&self) -> ChipDataset {
        let mut copy = self.clone();
        copy.secrets.aa_key = None;
        copy.secrets.ca_key = None;
        copy
    }
}
