//! The seed corpora: ICAO 9303 specimen data, the virtual eMRTD's files and
//! its transcript, the TEST PKI, the bundled reference templates and TEST-ONLY
//! bundles. `src/bin/seeds.rs` writes them under `fuzz/corpus/<target>/`.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, anyhow};
use ring::signature::KeyPair;
use tdverify_chip::apdu::{CommandApdu, ResponseApdu, StatusWord};
use tdverify_chip::emulator::{VirtualChip, builder};
use tdverify_chip::key::{AccessKey, MrzKey};
use tdverify_chip::lds::{self, FileId};
use tdverify_chip::reader::{ChipReader, ReadOptions};
use tdverify_chip::transport::{Transport, TransportError};
use tdverify_pki::HashAlgorithm;
use tdverify_pki::testpki::{sign_crl, sign_sod, test_date};
use tdverify_training::{FixtureSource, SESSION_FORMAT, SESSION_VERSION, SIGNATURE_CONTEXT, Session, SessionRequest};

use crate::{bundles, join_parts, pki};

/// One seed input: target, file name, bytes.
pub type Seed = (&'static str, String, Vec<u8>);

/// ICAO 9303 specimen MRZs (Doc 9303 parts 4–7), one per format.
pub const SPECIMEN_MRZS: &[(&str, &str)] = &[
    ("td3", "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"),
    ("td1", "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"),
    ("td2", "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6"),
    ("mrva", "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL8988901C4XXX4009078F96121096ZE184226B<<<<<<"),
    ("mrvb", "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nL8988901C4XXX4009078F9612109<<<<<<<<"),
];

/// A transport that records the virtual chip's answers to a real reader session.
struct Recorder {
    chip: VirtualChip,
    responses: Vec<Vec<u8>>,
}

impl Transport for Recorder {
    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        let response = self.chip.transmit(apdu)?;
        self.responses.push(response.clone());
        Ok(response)
    }

    fn describe(&self) -> String {
        "recording virtual eMRTD".into()
    }
}

/// Every seed, for every target.
pub fn all() -> Result<Vec<Seed>> {
    let mut seeds: Vec<Seed> = Vec::new();
    let mut add = |target: &'static str, name: &str, bytes: Vec<u8>| seeds.push((target, name.to_string(), bytes));

    for (name, text) in SPECIMEN_MRZS {
        add("mrz", name, text.as_bytes().to_vec());
    }

    let dataset = builder::specimen_passport().map_err(|e| anyhow!("specimen chip: {e}"))?;
    let file = |id: FileId| dataset.files.get(&id).cloned().ok_or_else(|| anyhow!("specimen chip has no {id:?}"));
    let dg1 = file(FileId::Dg(1))?;
    let dg2 = file(FileId::Dg(2))?;
    add("dg1", "specimen", dg1.clone());
    add("tlv", "dg1", dg1.clone());
    add("dg2", "specimen", dg2);
    // A JPEG 2000 codestream header (SOC, SIZ) in a facial record.
    let j2k_header = [0xFF, 0x4F, 0xFF, 0x51, 0x00, 0x29, 0x00, 0x00, 0x00, 0x00, 0x01, 0xE0, 0x00, 0x00, 0x02, 0x80];
    add("dg2", "jpeg2000_header", lds::dg2::encode(&j2k_header, 480, 640));
    for (target, id) in [
        ("dg11", FileId::Dg(11)),
        ("dg12", FileId::Dg(12)),
        ("dg14", FileId::Dg(14)),
        ("dg15", FileId::Dg(15)),
        ("com", FileId::Com),
    ] {
        if let Some(bytes) = dataset.files.get(&id) {
            add(target, "specimen", bytes.clone());
            add("tlv", target, bytes.clone());
        }
    }
    let dg12 = lds::dg12::Dg12 {
        issuing_authority: Some("UTOPIA PASSPORT OFFICE".into()),
        date_of_issue: Some("20240115".into()),
        endorsements: Some("TEST-ONLY".into()),
        tax_exit_requirements: None,
        personalization_time: Some("20240110123000".into()),
        personalization_device: Some("TEST-ONLY-DEVICE".into()),
    };
    add("dg12", "made", dg12.encode());
    if let Some(card_access) = dataset.files.get(&FileId::CardAccess) {
        add("dg14", "card_access", card_access.clone());
    }
    if let Some(sod) = dataset.files.get(&FileId::Sod) {
        add("sod", "specimen_chip", sod.clone());
    }

    // The transcript of a reader session with the virtual eMRTD (BAC, then PACE).
    for (name, try_pace) in [("transcript_bac", false), ("transcript_pace", true)] {
        let mut recorder = Recorder { chip: VirtualChip::new(dataset.clone()), responses: Vec::new() };
        let key = MrzKey::new("L898902C", "740812", "120415").map_err(|e| anyhow!("specimen key: {e}"))?;
        let mut options = ReadOptions::new(AccessKey::Mrz(key));
        options.try_pace = try_pace;
        options.files = vec![FileId::Com, FileId::Dg(1)];
        let _ = ChipReader::new(options).read(&mut recorder, &mut |_| {});
        let parts: Vec<&[u8]> = recorder.responses.iter().map(Vec::as_slice).collect();
        add("apdu", name, join_parts(&parts));
    }
    add(
        "apdu",
        "select_command",
        CommandApdu::new(0x00, 0xA4, 0x04, 0x0C)
            .with_data(vec![0xA0, 0, 0, 2, 0x47, 0x10, 1])
            .to_bytes()
            .map_err(|e| anyhow!("{e}"))?,
    );
    add("apdu", "read_response", ResponseApdu::new(vec![0x60, 0x14, 0x5F, 0x01], StatusWord(0x9000)).to_bytes());

    // Secure messaging: DO'87 enclosing DG1's start (mode 0: 3DES, 1: AES), DO'99.
    for (mode, name) in [(0u8, "tdes_read"), (1, "aes_read")] {
        let enclosed: Vec<u8> = [&[0x80u8][..], &dg1[..dg1.len().min(64)]].concat();
        let mut input = vec![mode];
        input.extend(join_parts(&[&enclosed, &[0x04, 0x90, 0x00], &[0x90, 0x00]]));
        add("sm_response", name, input);
        let mut command = vec![mode, 0xB0, 0x00, 0x00, 0x00];
        command.extend(join_parts(&[&[0x80, 0x01, 0x02, 0x03], &[0x02, 0xE0]]));
        add("sm_command", name, command);
    }

    let (test_pki, _) = pki::test_pki().ok_or_else(|| anyhow!("the TEST PKI did not generate"))?;
    let groups = BTreeMap::from([(1u8, b"fuzz DG1".to_vec())]);
    let sod = sign_sod(&test_pki.document_signer, &groups, HashAlgorithm::Sha256, test_date(2024, 1, 1))
        .map_err(|e| anyhow!("TEST SOD: {e}"))?;
    add("sod", "test_pki_pa_passes", sod);
    add("x509", "csca", test_pki.csca.certificate.clone());
    add("x509", "document_signer", test_pki.document_signer.certificate.clone());
    let crl = sign_crl(&test_pki.csca, &[102], test_date(2024, 1, 1), test_date(2030, 1, 1))
        .map_err(|e| anyhow!("TEST CRL: {e}"))?;
    add("x509", "crl", crl.clone());
    add("csca_import", "crl", crl);
    add("csca_import", "master_list", test_pki.master_list(&[]).map_err(|e| anyhow!("TEST master list: {e}"))?);
    add("csca_import", "csca_pem", tdverify_pki::pem_encode("CERTIFICATE", &test_pki.csca.certificate).into_bytes());

    for (name, format) in [
        ("png", image::ImageFormat::Png),
        ("jpeg", image::ImageFormat::Jpeg),
        ("tiff", image::ImageFormat::Tiff),
        ("bmp", image::ImageFormat::Bmp),
    ] {
        let picture = image::RgbImage::from_fn(16, 12, |x, y| image::Rgb([(x * 16) as u8, (y * 20) as u8, 128]));
        let mut bytes = std::io::Cursor::new(Vec::new());
        image::DynamicImage::ImageRgb8(picture)
            .write_to(&mut bytes, format)
            .with_context(|| format!("encoding a {name} seed"))?;
        add("image", name, bytes.into_inner());
    }

    let library = Path::new(env!("CARGO_MANIFEST_DIR")).join("../reference-library");
    for issuer in ["UTO", "ZZA", "ZZB", "ZZC"] {
        let Ok(kinds) = std::fs::read_dir(library.join(issuer)) else { continue };
        for kind in kinds.flatten() {
            let path = kind.path().join("template.toml");
            if let Ok(bytes) = std::fs::read(&path) {
                add("template", &format!("{issuer}_{}", kind.file_name().to_string_lossy()), bytes);
            }
        }
    }

    let hotlist = tdverify_sltd::test_bundle::make_test_bundle(12, 1, "2026-06-01", &[])
        .map_err(|e| anyhow!("TEST hotlist: {e}"))?;
    let unsigned = hotlist.len().saturating_sub(tdverify_sltd::bundle::SIGNATURE_LEN);
    add("sltd_bundle", "twelve_entries", hotlist[..unsigned].to_vec());

    let files = bundles::base_bundle().ok_or_else(|| anyhow!("the demo export bundle did not build"))?;
    for (index, (name, bytes)) in files.iter().enumerate() {
        let mut input = vec![index as u8];
        input.extend_from_slice(bytes);
        let stem = name.replace('.', "_");
        add("export_bundle", &stem, input.clone());
        add("trends_bundle", &stem, input);
    }

    add("training_session", "one_drill", training_session()?);
    seeds.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    Ok(seeds)
}

/// A small TEST-ONLY session: one face drill, signed by the fuzz trainer key.
fn training_session() -> Result<Vec<u8>> {
    let mut session = Session {
        format: SESSION_FORMAT.into(),
        version: SESSION_VERSION,
        id: "fuzz".into(),
        name: "TEST-ONLY fuzz seed".into(),
        author: None,
        fixtures: FixtureSource {
            seed: 1,
            generator: "tdverify-fixtures 0.1.0".into(),
            count: 56,
            reference_date: "2026-01-01".into(),
            face_source: "synthetic".into(),
        },
        settings: SessionRequest::new(1, 0.5, 1),
        documents: Vec::new(),
        face_drills: vec![tdverify_training::FaceDrill {
            id: "drill-1".into(),
            portrait_document: "p".into(),
            portrait_image: "p/white.png".into(),
            bearer_document: "b".into(),
            bearer_image: "b/bearer.jpg".into(),
            same_person: true,
        }],
        signature: None,
    };
    let key = bundles::training_key().ok_or_else(|| anyhow!("the TEST-ONLY trainer key"))?;
    let mut message = SIGNATURE_CONTEXT.to_vec();
    message.extend_from_slice(&session.signing_payload());
    session
        .attach_signature(key.public_key().as_ref(), key.sign(&message).as_ref())
        .map_err(|e| anyhow!("signing the seed session: {e}"))?;
    let dir = tempfile::tempdir().context("temporary folder")?;
    let path = dir.path().join("session.json");
    session.save(&path).map_err(|e| anyhow!("saving the seed session: {e}"))?;
    std::fs::read(&path).with_context(|| format!("reading {}", path.display()))
}

/// Writes every seed under `corpus/<target>/<name>`, replacing what was there.
pub fn write_all(corpus: &Path) -> Result<usize> {
    let seeds = all()?;
    for (target, name, bytes) in &seeds {
        let dir = corpus.join(target);
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let path = dir.join(name);
        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(seeds.len())
}
