//! Whole reads through the in-process virtual eMRTD for each PACE mapping and
//! curve the reader offers beyond the passport default: integrated mapping
//! (ECDH and DH) and brainpoolP512r1. Each read must pick the protocol the chip
//! offers, read every file, and pass chip and active authentication; a wrong
//! password must fail the same way whatever the mapping.

use std::collections::BTreeMap;
use tdverify_chip::checks;
use tdverify_chip::crypto::CipherKind;
use tdverify_chip::emulator::builder::{self, DatasetSpec};
use tdverify_chip::emulator::{ChipDataset, VirtualChip};
use tdverify_chip::key::{AccessKey, MrzKey};
use tdverify_chip::lds::{self, FileId};
use tdverify_chip::reader::{Access, AuthStatus, ChipRead, ChipReader, ReadError, ReadOptions};

fn mrz_key() -> MrzKey {
    MrzKey::new("L898902C", "740812", "120415").expect("valid")
}

/// The specimen passport offering one PACE protocol, with a placeholder EF.SOD
/// (passive authentication is not under test here).
fn dataset(pace: (CipherKind, u16, u32), integrated: bool) -> ChipDataset {
    let mut spec = DatasetSpec::passport(
        vec![
            "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<".into(),
            "L898902C<3UTO7408122F1204159ZE184226B<<<<<10".into(),
        ],
        mrz_key(),
    );
    spec.can = Some("123456".into());
    spec.pace = Some(pace);
    spec.pace_integrated = integrated;
    let mut dataset = builder::build(&spec).expect("builds");
    dataset.files.insert(
        FileId::Sod,
        lds::encode_sod(&[0x30, 0x03, 0x02, 0x01, 0x03]),
    );
    dataset
}

fn read(dataset: &ChipDataset, key: AccessKey) -> Result<ChipRead, ReadError> {
    ChipReader::new(ReadOptions::new(key)).read(&mut VirtualChip::new(dataset.clone()), &mut |_| {})
}

fn assert_full_read(dataset: &ChipDataset, key: AccessKey, protocol: &str) {
    let read = read(dataset, key).unwrap_or_else(|e| panic!("{protocol}: {e}"));
    assert_eq!(read.access, Access::Pace);
    assert_eq!(read.pace_protocol.as_deref(), Some(protocol));
    let expected: BTreeMap<FileId, Vec<u8>> = dataset
        .files
        .iter()
        .filter(|(id, _)| **id != FileId::CardSecurity)
        .map(|(id, bytes)| (*id, bytes.clone()))
        .collect();
    assert_eq!(read.files, expected, "{protocol}");
    assert_eq!(
        read.ca.status,
        AuthStatus::Passed,
        "{protocol}: {}",
        read.ca.reason
    );
    assert_eq!(
        read.aa.status,
        AuthStatus::Passed,
        "{protocol}: {}",
        read.aa.reason
    );
}

#[test]
fn integrated_mapping_reads_end_to_end() {
    let ecdh = dataset((CipherKind::Aes, 128, 13), true);
    assert_full_read(&ecdh, AccessKey::Mrz(mrz_key()), "PACE-ECDH-IM-AES-128");
    let tdes = dataset((CipherKind::Tdes, 112, 12), true);
    assert_full_read(
        &tdes,
        AccessKey::can("123456").expect("valid"),
        "PACE-ECDH-IM-3DES",
    );
    let dh = dataset((CipherKind::Aes, 128, 2), true);
    assert_full_read(&dh, AccessKey::Mrz(mrz_key()), "PACE-DH-IM-AES-128");
}

#[test]
fn brainpool_p512_reads_with_generic_and_integrated_mapping() {
    let generic = dataset((CipherKind::Aes, 256, 17), false);
    assert_full_read(&generic, AccessKey::Mrz(mrz_key()), "PACE-ECDH-GM-AES-256");
    let integrated = dataset((CipherKind::Aes, 256, 17), true);
    assert_full_read(
        &integrated,
        AccessKey::can("123456").expect("valid"),
        "PACE-ECDH-IM-AES-256",
    );
}

#[test]
fn wrong_mrz_is_refused_alike_for_generic_and_integrated_mapping() {
    let wrong = AccessKey::Mrz(MrzKey::new("L898902C", "740812", "120416").expect("valid"));
    let mut messages = Vec::new();
    for integrated in [false, true] {
        let result = read(
            &dataset((CipherKind::Aes, 128, 13), integrated),
            wrong.clone(),
        );
        let Err(ReadError::AccessDenied(message)) = &result else {
            panic!("integrated {integrated}: {result:?}");
        };
        let check = checks::access_check(&result);
        assert_eq!(check.message, "access denied: check the MRZ");
        messages.push((message.clone(), check.status));
    }
    assert_eq!(messages[0], messages[1]);
}
