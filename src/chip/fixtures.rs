//! TEST-ONLY chip datasets signed by the test PKI of `tdverify-pki`: a genuine
//! passport chip (EF.COM, DG1, DG2 as JPEG or JPEG 2000, DG11, DG12, DG14, DG15,
//! EF.CardAccess, EF.SOD) and the negative cases an officer must recognise,
//! each with the check that must flag it. For tests, demo and training only:
//! every key here is a published test key.
//!
//! The chip itself is made by `tdverify_fixtures::chip` (shared with the
//! fixture documents, whose generator must build without this crate); only
//! the JPEG 2000 portrait, which needs OpenCV, is made here.

use std::path::{Path, PathBuf};

use image::DynamicImage;
use serde::Serialize;
use tdverify_chip::emulator::ChipDataset;
use tdverify_chip::key::{AccessKey, MrzKey};
use tdverify_chip::lds::dg11::Dg11;
use tdverify_chip::lds::dg12::Dg12;
use tdverify_chip::lds::{dg1, dg2, FileId};
use tdverify_core::CheckStatus;
use tdverify_mrz::{MrzData, MrzDate, MrzFormat, Sex};
use tdverify_fixtures::chip::{self as chip_fixtures, ChipContent, ChipProfile};
use tdverify_pki::testpki::{self, TestCertifiedKey, TestPki};
use tdverify_pki::CscaStore;
use thiserror::Error;

/// Why a fixture could not be made.
#[derive(Debug, Error)]
pub enum FixtureError {
    /// The holder's data does not fit an MRZ.
    #[error("holder MRZ: {0}")]
    Mrz(String),
    /// Building the chip files failed.
    #[error("chip dataset: {0}")]
    Dataset(#[from] tdverify_chip::emulator::DatasetError),
    /// Signing with the test PKI failed.
    #[error("test PKI: {0}")]
    Pki(#[from] tdverify_pki::PkiError),
    /// Building or signing the chip failed.
    #[error("{0}")]
    Chip(#[from] chip_fixtures::ChipError),
    /// Encoding the synthetic portrait failed.
    #[error("portrait: {0}")]
    Portrait(String),
    /// Writing the fixture folder failed.
    #[error("{context}: {source}")]
    Io {
        /// Which file.
        context: String,
        /// The error.
        source: std::io::Error,
    },
}

/// Seed of the test PKI every chip fixture uses (so a master list imported once trusts them all).
pub const TEST_PKI_SEED: &[u8] = chip_fixtures::TEST_PKI_SEED;
/// Issuer of the chip fixtures: Utopia, the ICAO specimen state.
pub const TEST_ISSUER: &str = "UTO";

/// The person and document a chip fixture is made for.
#[derive(Debug, Clone, PartialEq)]
pub struct Holder {
    /// Primary identifier.
    pub surname: String,
    /// Secondary identifiers.
    pub given_names: String,
    /// Document number (up to 9 characters).
    pub document_number: String,
    /// Date of birth.
    pub birth: MrzDate,
    /// Date of expiry.
    pub expiry: MrzDate,
    /// Sex.
    pub sex: Sex,
    /// Nationality and issuing state.
    pub nationality: String,
    /// Name as DG11 writes it (national characters allowed).
    pub dg11_full_name: String,
    /// Seed of the synthetic portrait.
    pub portrait_seed: u32,
}

impl Holder {
    /// The ICAO specimen holder (Anna Maria Eriksson, L898902C), with an expiry in 2034.
    pub fn specimen() -> Holder {
        Holder {
            surname: "ERIKSSON".into(),
            given_names: "ANNA MARIA".into(),
            document_number: "L898902C".into(),
            birth: MrzDate::new(1974, 8, 12),
            expiry: MrzDate::new(2034, 4, 15),
            sex: Sex::Female,
            nationality: TEST_ISSUER.into(),
            dg11_full_name: "ERIKSSON<<ANNA MARIA".into(),
            portrait_seed: 1,
        }
    }

    /// The TD3 MRZ lines printed on the data page.
    pub fn mrz_lines(&self) -> Result<Vec<String>, FixtureError> {
        tdverify_mrz::compose(&MrzData {
            format: MrzFormat::Td3,
            document_code: "P".into(),
            issuing_state: self.nationality.clone(),
            document_number: self.document_number.clone(),
            birth_date: Some(self.birth),
            sex: self.sex,
            expiry_date: Some(self.expiry),
            nationality: self.nationality.clone(),
            surname: self.surname.clone(),
            given_names: self.given_names.clone(),
            optional_data: String::new(),
            optional_data_2: String::new(),
        })
        .map_err(|e| FixtureError::Mrz(e.to_string()))
    }

    /// The BAC/PACE key of this holder's document.
    pub fn mrz_key(&self) -> Result<MrzKey, FixtureError> {
        let printed = |d: &MrzDate| tdverify_mrz::PrintedDate::from_date(d).printed();
        MrzKey::new(&self.document_number, &printed(&self.birth), &printed(&self.expiry)).map_err(|e| FixtureError::Mrz(e.to_string()))
    }
}

/// The chip cases of the fixture set: one genuine chip and what must be caught.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChipCase {
    /// Genuine chip, JPEG portrait, signed by a valid TEST Document Signer.
    Genuine,
    /// Genuine chip with a JPEG 2000 portrait.
    GenuineJpeg2000,
    /// DG2 portrait replaced after signing (photo substitution in the chip).
    AlteredDg2,
    /// EF.SOD signed by a Document Signer under a CSCA that is not trusted.
    UnknownCsca,
    /// EF.SOD signed by a Document Signer whose certificate expired.
    ExpiredDocumentSigner,
    /// EF.SOD signed by a Document Signer the CSCA's CRL revokes.
    RevokedDocumentSigner,
    /// All data copied but neither private key: a clone.
    CloneWithoutKeys,
    /// The chip lacks its active authentication key.
    AaKeyMissing,
    /// The chip lacks its chip authentication key.
    CaKeyMissing,
    /// The chip (validly signed) names another person than the printed MRZ.
    Dg1DiffersFromPrintedMrz,
}

impl ChipCase {
    /// Every case, genuine first.
    pub const ALL: [ChipCase; 10] = [
        ChipCase::Genuine,
        ChipCase::GenuineJpeg2000,
        ChipCase::AlteredDg2,
        ChipCase::UnknownCsca,
        ChipCase::ExpiredDocumentSigner,
        ChipCase::RevokedDocumentSigner,
        ChipCase::CloneWithoutKeys,
        ChipCase::AaKeyMissing,
        ChipCase::CaKeyMissing,
        ChipCase::Dg1DiffersFromPrintedMrz,
    ];

    /// Folder name of the case.
    pub fn name(self) -> &'static str {
        match self {
            ChipCase::Genuine => "genuine",
            ChipCase::GenuineJpeg2000 => "genuine-jpeg2000",
            ChipCase::AlteredDg2 => "altered-dg2",
            ChipCase::UnknownCsca => "unknown-csca",
            ChipCase::ExpiredDocumentSigner => "expired-document-signer",
            ChipCase::RevokedDocumentSigner => "revoked-document-signer",
            ChipCase::CloneWithoutKeys => "clone-without-keys",
            ChipCase::AaKeyMissing => "aa-key-missing",
            ChipCase::CaKeyMissing => "ca-key-missing",
            ChipCase::Dg1DiffersFromPrintedMrz => "dg1-differs-from-printed-mrz",
        }
    }

    /// The check that must flag this case and its status (for genuine: the clone verdict passes).
    pub fn expected(self) -> (&'static str, CheckStatus) {
        match self {
            ChipCase::Genuine | ChipCase::GenuineJpeg2000 => ("chip.clone", CheckStatus::Pass),
            ChipCase::AlteredDg2 => ("chip.pa.dg_hash.DG2", CheckStatus::Fail),
            ChipCase::UnknownCsca => ("chip.pa.ds_chain", CheckStatus::Fail),
            ChipCase::ExpiredDocumentSigner => ("chip.pa.ds_validity", CheckStatus::Fail),
            ChipCase::RevokedDocumentSigner => ("chip.pa.crl", CheckStatus::Fail),
            ChipCase::CloneWithoutKeys => ("chip.clone", CheckStatus::Fail),
            ChipCase::AaKeyMissing => ("chip.aa", CheckStatus::Fail),
            ChipCase::CaKeyMissing => ("chip.ca", CheckStatus::Fail),
            ChipCase::Dg1DiffersFromPrintedMrz => ("consistency.mrz_vs_dg1", CheckStatus::Fail),
        }
    }
}

/// The test PKI of the chip fixtures (TEST CSCA "UTO", ECDSA P-256, deterministic).
pub fn test_pki() -> Result<TestPki, FixtureError> {
    Ok(chip_fixtures::test_pki(TEST_ISSUER)?)
}

/// A synthetic portrait (a drawn head on a plain background, with fine texture so
/// the JPEG is realistically about 20 KB). Never a real face.
pub fn synthetic_portrait(seed: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(chip_fixtures::synthetic_portrait(seed))
}

/// JPEG bytes of an image (quality 80).
pub fn encode_jpeg(image: &DynamicImage) -> Result<Vec<u8>, FixtureError> {
    Ok(chip_fixtures::encode_jpeg(&image.to_rgb8(), 80)?)
}

/// A genuine chip and every negative case for one holder, with the test PKI that signs them.
#[derive(Debug)]
pub struct FixtureSet {
    /// The TEST PKI (CSCA, Document Signers, CRL).
    pub pki: TestPki,
    /// The holder.
    pub holder: Holder,
    /// Files and keys before EF.SOD, JPEG portrait.
    unsigned: ChipDataset,
    /// DG2 with the same face as JPEG 2000.
    dg2_jpeg2000: Vec<u8>,
    /// DG2 with another face (the substituted photo).
    dg2_substituted: Vec<u8>,
}

impl FixtureSet {
    /// The fixture set of the specimen holder.
    pub fn generate() -> Result<FixtureSet, FixtureError> {
        FixtureSet::for_holder(Holder::specimen())
    }

    /// The fixture set of any holder (keys on the chip are fresh random TEST keys).
    pub fn for_holder(holder: Holder) -> Result<FixtureSet, FixtureError> {
        let pki = test_pki()?;
        let portrait = synthetic_portrait(holder.portrait_seed);
        let jpeg = encode_jpeg(&portrait)?;
        let jpeg2000 = crate::imaging::encode_jpeg2000(&portrait, 50).map_err(|e| FixtureError::Portrait(e.to_string()))?;
        let substituted = encode_jpeg(&synthetic_portrait(holder.portrait_seed.wrapping_add(7)))?;
        let (width, height) = (portrait.width() as u16, portrait.height() as u16);
        let content = ChipContent {
            mrz_lines: holder.mrz_lines()?,
            key: holder.mrz_key()?,
            portrait: Some((jpeg, width, height)),
            dg11: Some(Dg11 { full_name: Some(holder.dg11_full_name.clone()), place_of_birth: Some("ZENITH<UTOPIA".into()), ..Dg11::default() }),
            dg12: Some(Dg12 { issuing_authority: Some("TEST-ONLY PASSPORT OFFICE UTOPIA".into()), date_of_issue: Some("20240416".into()), ..Dg12::default() }),
            profile: ChipProfile { bac: true, active_authentication: true, chip_authentication: true },
            // Fresh TEST keys per run: the matrix does not need byte-identical chips.
            key_seed: None,
        };
        let unsigned = chip_fixtures::build_unsigned(&content)?;
        Ok(FixtureSet {
            pki,
            holder,
            unsigned,
            dg2_jpeg2000: dg2::encode(&jpeg2000, width, height),
            dg2_substituted: dg2::encode(&substituted, width, height),
        })
    }

    /// The key an officer types or reads from the printed MRZ.
    pub fn access_key(&self) -> Result<AccessKey, FixtureError> {
        Ok(AccessKey::Mrz(self.holder.mrz_key()?))
    }

    /// The MRZ printed on the data page (the same for every case).
    pub fn printed_mrz(&self) -> Result<Vec<String>, FixtureError> {
        self.holder.mrz_lines()
    }

    /// A trust store with the TEST CSCA and its CRL, as after importing the test master list and CRL.
    pub fn trust_store(&self) -> Result<CscaStore, FixtureError> {
        let mut store = CscaStore::new();
        store.import_certificate_der(&self.pki.csca.certificate)?;
        store.import_crl_der(&self.pki.crl)?;
        Ok(store)
    }

    /// The chip of one case, EF.SOD signed as the case needs.
    pub fn dataset(&self, case: ChipCase) -> Result<ChipDataset, FixtureError> {
        let mut dataset = self.unsigned.clone();
        if case == ChipCase::GenuineJpeg2000 {
            dataset.files.insert(FileId::Dg(2), self.dg2_jpeg2000.clone());
        }
        if case == ChipCase::Dg1DiffersFromPrintedMrz {
            let other = Holder { surname: "ANDERSSON".into(), given_names: "ANNA".into(), ..self.holder.clone() };
            let lines = other.mrz_lines()?;
            let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
            dataset.files.insert(FileId::Dg(1), dg1::encode(&refs));
        }
        let valid_time = testpki::test_date(2024, 4, 16);
        let (signer, signing_time): (&TestCertifiedKey, _) = match case {
            ChipCase::UnknownCsca => (&self.pki.unknown_document_signer, valid_time),
            ChipCase::ExpiredDocumentSigner => (&self.pki.expired_document_signer, testpki::test_date(2020, 6, 1)),
            ChipCase::RevokedDocumentSigner => (&self.pki.revoked_document_signer, valid_time),
            _ => (&self.pki.document_signer, valid_time),
        };
        sign(&mut dataset, signer, signing_time)?;
        match case {
            ChipCase::AlteredDg2 => {
                dataset.files.insert(FileId::Dg(2), self.dg2_substituted.clone());
            }
            ChipCase::CloneWithoutKeys => dataset = dataset.cloned_without_keys(),
            ChipCase::AaKeyMissing => dataset.secrets.aa_key = None,
            ChipCase::CaKeyMissing => dataset.secrets.ca_key = None,
            _ => {}
        }
        Ok(dataset)
    }

    /// Writes the set: `pki/` (public TEST material: CSCA, master list, CRL, DS
    /// certificates) and one folder per case holding the chip dataset (`<FILE>.bin`,
    /// `chip-secrets.json`), `printed-mrz.txt` and `case.json` (the expected verdict).
    pub fn write(&self, dir: &Path) -> Result<Vec<PathBuf>, FixtureError> {
        let mut written = self.pki.write_public_material(&dir.join("pki"))?;
        let printed = self.printed_mrz()?.join("\n") + "\n";
        for case in ChipCase::ALL {
            let folder = dir.join(case.name());
            self.dataset(case)?.save(&folder)?;
            let (check, status) = case.expected();
            let meta = serde_json::json!({
                "marker": "TEST-ONLY",
                "case": case,
                "expect": {"check": check, "status": status.as_str()},
            });
            for (name, text) in [("printed-mrz.txt", printed.clone()), ("case.json", format!("{meta:#}\n"))] {
                let path = folder.join(name);
                std::fs::write(&path, text).map_err(|source| FixtureError::Io { context: format!("writing {}", path.display()), source })?;
            }
            written.push(folder);
        }
        Ok(written)
    }
}

/// Signs the data groups of `dataset` into EF.SOD with a TEST Document Signer.
fn sign(dataset: &mut ChipDataset, signer: &TestCertifiedKey, signing_time: tdverify_pki::UnixSeconds) -> Result<(), FixtureError> {
    Ok(chip_fixtures::sign(dataset, signer, signing_time)?)
}

/// The sample chip for demo and training: the genuine specimen, its printed MRZ,
/// and a trust store holding the TEST CSCA (so the demo passes without imports).
pub fn sample_chip() -> Result<(ChipDataset, Vec<String>, CscaStore), FixtureError> {
    let set = FixtureSet::generate()?;
    Ok((set.dataset(ChipCase::Genuine)?, set.printed_mrz()?, set.trust_store()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn genuine_dataset_has_every_file_and_a_20kb_jpeg_portrait() {
        let set = FixtureSet::generate().expect("fixtures");
        let dataset = set.dataset(ChipCase::Genuine).expect("dataset");
        for file in [FileId::Com, FileId::Sod, FileId::CardAccess, FileId::Dg(1), FileId::Dg(2), FileId::Dg(11), FileId::Dg(12), FileId::Dg(14), FileId::Dg(15)] {
            assert!(dataset.files.contains_key(&file), "{file} missing");
        }
        let dg2 = dataset.files.get(&FileId::Dg(2)).expect("DG2");
        assert!((12_000..40_000).contains(&dg2.len()), "DG2 is {} bytes", dg2.len());
        let jp2 = set.dataset(ChipCase::GenuineJpeg2000).expect("jp2");
        let faces = dg2::parse(jp2.files.get(&FileId::Dg(2)).expect("DG2")).expect("parses");
        assert_eq!(faces.first().map(|f| f.format), Some(dg2::ImageFormat::Jpeg2000));
    }

    #[test]
    fn printed_mrz_is_valid() {
        let lines = Holder::specimen().mrz_lines().expect("composes");
        let parsed = tdverify_mrz::parse(&lines.join("\n")).expect("parses");
        assert!(parsed.is_valid(), "{lines:?}");
    }
}
