//! Builds chip datasets from document data: used by the fixture generator,
//! demo and training mode, and the tests. EF.SOD is not built here: hand the
//! data groups to `tdverify-pki` to sign with the test PKI and insert the result.

use super::dataset::{ChipDataset, ChipSecrets, DatasetError, PrivateKey};
use crate::crypto::{CipherKind, HashAlgorithm};
use crate::key::MrzKey;
use crate::lds::com::Com;
use crate::lds::dg11::Dg11;
use crate::lds::dg12::Dg12;
use crate::lds::security_infos::{self, SecurityInfo};
use crate::lds::{FileId, dg1, dg2, dg14, dg15};
use crate::pace::PaceProtocol;

/// Which active authentication key a built chip gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AaKeySpec {
    /// RSA with ISO/IEC 9796-2 (bits, e.g. 1024).
    Rsa(u64),
    /// ECDSA on a named curve.
    Ec(String),
}

/// What to put on a virtual chip.
#[derive(Debug, Clone)]
pub struct DatasetSpec {
    /// The MRZ lines (DG1).
    pub mrz_lines: Vec<String>,
    /// The BAC/PACE key (normally taken from the same MRZ).
    pub mrz_key: MrzKey,
    /// CAN for PACE-CAN, if any.
    pub can: Option<String>,
    /// Portrait image bytes (JPEG or JPEG 2000) with width and height (DG2).
    pub portrait: Option<(Vec<u8>, u16, u16)>,
    /// DG11.
    pub dg11: Option<Dg11>,
    /// DG12.
    pub dg12: Option<Dg12>,
    /// PACE offered in EF.CardAccess: cipher, key bits, standardized parameter id
    /// (13 = brainpoolP256r1, 17 = brainpoolP512r1; 0, 1, 2 = the RFC 5114 DH groups).
    pub pace: Option<(CipherKind, u16, u32)>,
    /// Offer PACE with chip authentication mapping (AES only) instead of the generic mapping.
    /// The chip authentication key must then be on the PACE curve.
    pub pace_cam: bool,
    /// Offer PACE with integrated mapping instead of the generic mapping (ECDH or
    /// DH after the parameter id), to test readers against IM-only chips.
    pub pace_integrated: bool,
    /// Whether the chip also answers BAC (the usual case for passports).
    pub bac: bool,
    /// Active authentication key (DG15).
    pub active_authentication: Option<AaKeySpec>,
    /// Chip authentication key kind, cipher and key bits (DG14). The kind is a
    /// curve name ("brainpoolP256r1", "P-256"...) or "DH0" / "DH1" / "DH2" for the
    /// standardized DH groups.
    pub chip_authentication: Option<(String, CipherKind, u16)>,
}

impl DatasetSpec {
    /// A passport-like chip: BAC and PACE (AES-128, brainpoolP256r1), ECDSA AA on P-256, CA on brainpoolP256r1.
    pub fn passport(mrz_lines: Vec<String>, mrz_key: MrzKey) -> DatasetSpec {
        DatasetSpec {
            mrz_lines,
            mrz_key,
            can: None,
            portrait: None,
            dg11: None,
            dg12: None,
            pace: Some((CipherKind::Aes, 128, 13)),
            pace_cam: false,
            pace_integrated: false,
            bac: true,
            active_authentication: Some(AaKeySpec::Ec("P-256".into())),
            chip_authentication: Some(("brainpoolP256r1".into(), CipherKind::Aes, 128)),
        }
    }
}

/// Private keys to put on a built chip instead of fresh random ones, so a
/// fixture generator can make the same chip from the same seed. A key left
/// `None` is generated as `build` does.
#[derive(Debug, Clone, Default)]
pub struct ChipKeys {
    /// Chip authentication key (must suit the DG14 kind of the spec).
    pub chip_authentication: Option<PrivateKey>,
    /// Active authentication key (must suit the spec's `AaKeySpec`).
    pub active_authentication: Option<PrivateKey>,
}

/// Builds the files and secrets (without EF.SOD), with fresh random TEST keys.
pub fn build(spec: &DatasetSpec) -> Result<ChipDataset, DatasetError> {
    build_with_keys(spec, &ChipKeys::default())
}

/// Builds the files and secrets (without EF.SOD) with the given TEST keys
/// (deterministic fixtures); missing keys are generated.
pub fn build_with_keys(spec: &DatasetSpec, keys: &ChipKeys) -> Result<ChipDataset, DatasetError> {
    let mut dataset = ChipDataset::default();
    let lines: Vec<&str> = spec.mrz_lines.iter().map(String::as_str).collect();
    dataset.files.insert(FileId::Dg(1), dg1::encode(&lines));
    if let Some((image, width, height)) = &spec.portrait {
        dataset
            .files
            .insert(FileId::Dg(2), dg2::encode(image, *width, *height));
    }
    if let Some(dg11) = &spec.dg11 {
        dataset.files.insert(FileId::Dg(11), dg11.encode());
    }
    if let Some(dg12) = &spec.dg12 {
        dataset.files.insert(FileId::Dg(12), dg12.encode());
    }
    let mut dg14_infos = Vec::new();
    let mut secrets = ChipSecrets {
        marker: "TEST-ONLY".into(),
        mrz: spec.bac.then(|| spec.mrz_key.clone()),
        can: spec.can.clone(),
        ..ChipSecrets::default()
    };
    if let Some((curve, cipher, bits)) = &spec.chip_authentication {
        let key = match (
            &keys.chip_authentication,
            curve
                .strip_prefix("DH")
                .and_then(|id| id.parse::<u32>().ok()),
        ) {
            (Some(given), _) => given.clone(),
            (None, Some(group)) => PrivateKey::generate_dh(group)?,
            (None, None) => PrivateKey::generate_ec(curve)?,
        };
        dg14_infos.extend(crate::ca::dg14_infos(
            key.public_key_info()?,
            *cipher,
            *bits,
        ));
        secrets.ca_key = Some(key);
    }
    if let Some(aa) = &spec.active_authentication {
        let key = match aa {
            AaKeySpec::Rsa(bits) => match &keys.active_authentication {
                Some(given) => given.clone(),
                None => crate::aa::generate_rsa_key(*bits)
                    .map_err(|e| DatasetError::BadKey(e.to_string()))?,
            },
            AaKeySpec::Ec(curve) => {
                dg14_infos.push(SecurityInfo::ActiveAuthentication {
                    version: 1,
                    signature_algorithm: crate::aa::ecdsa_plain_oid(HashAlgorithm::Sha256),
                });
                match &keys.active_authentication {
                    Some(given) => given.clone(),
                    None => PrivateKey::generate_ec(curve)?,
                }
            }
        };
        dataset
            .files
            .insert(FileId::Dg(15), dg15::encode(&key.public_key_info()?));
        secrets.aa_key = Some(key);
    }
    if let Some((cipher, bits, parameter_id)) = spec.pace {
        let ecdh = crate::agreement::Domain::by_parameter_id(parameter_id)
            .map_or(true, |domain| domain.is_ecdh());
        let protocol = if spec.pace_cam {
            PaceProtocol::ecdh_cam(bits)
        } else if spec.pace_integrated {
            PaceProtocol::integrated(ecdh, cipher, bits)
        } else if ecdh {
            PaceProtocol::ecdh_generic(cipher, bits)
        } else {
            PaceProtocol::dh_generic(cipher, bits)
        };
        let info = SecurityInfo::Pace {
            protocol: protocol.oid,
            version: 2,
            parameter_id: Some(parameter_id),
        };
        dataset.files.insert(
            FileId::CardAccess,
            security_infos::encode(std::slice::from_ref(&info)),
        );
        dg14_infos.push(info);
        // PACE with the MRZ works even when BAC is switched off.
        secrets.mrz = Some(spec.mrz_key.clone());
    }
    if !dg14_infos.is_empty() {
        dataset
            .files
            .insert(FileId::Dg(14), dg14::encode(&dg14_infos));
    }
    let listed: Vec<FileId> = dataset
        .files
        .keys()
        .copied()
        .filter(|f| matches!(f, FileId::Dg(_)))
        .collect();
    dataset.files.insert(
        FileId::Com,
        Com {
            lds_version: "0108".into(),
            unicode_version: "040000".into(),
            files: listed,
        }
        .encode(),
    );
    dataset.secrets = secrets;
    Ok(dataset)
}

/// A ready-made TEST-ONLY chip of the ICAO specimen "Utopia" passport
/// (L898902C, born 740812, expires 120415), with a 20 KB fake JPEG portrait.
pub fn specimen_passport() -> Result<ChipDataset, DatasetError> {
    let key = MrzKey::new("L898902C", "740812", "120415")
        .map_err(|e| DatasetError::BadKey(e.to_string()))?;
    let mut spec = DatasetSpec::passport(
        vec![
            "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<".into(),
            "L898902C<3UTO7408122F1204159ZE184226B<<<<<10".into(),
        ],
        key,
    );
    let mut portrait = vec![0xFF, 0xD8, 0xFF, 0xE0];
    portrait.extend((0..20_000u32).map(|i| (i * 7 % 251) as u8));
    spec.portrait = Some((portrait, 413, 531));
    spec.dg11 = Some(Dg11 {
        full_name: Some("ERIKSSON<<ANNA MARIA".into()),
        place_of_birth: Some("ZENITH<UTOPIA".into()),
        ..Dg11::default()
    });
    build(&spec)
}
