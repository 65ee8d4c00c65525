//! Targets for what a chip sends: TLV, APDUs, secure messaging, LDS files.

use std::hint::black_box;

use tdverify_chip::apdu::{CommandApdu, ResponseApdu};
use tdverify_chip::crypto::{self, CipherKind};
use tdverify_chip::key::{AccessKey, MrzKey};
use tdverify_chip::lds::{self, FileId};
use tdverify_chip::reader::{ChipReader, ReadOptions};
use tdverify_chip::sm::SecureMessaging;
use tdverify_chip::tlv;
use tdverify_chip::transport::{Transport, TransportError};

use crate::split_parts;

/// TEST-ONLY secure messaging encryption key (16 bytes: two-key 3DES or AES-128).
pub const TEST_ONLY_KS_ENC: [u8; 16] = *b"TEST-ONLY-ks-enc";
/// TEST-ONLY secure messaging MAC key.
pub const TEST_ONLY_KS_MAC: [u8; 16] = *b"TEST-ONLY-ks-mac";

/// BER-TLV: one object, all objects, nested children, tag and length alone.
pub fn tlv(data: &[u8]) {
    let _ = tlv::parse_tag(data);
    let _ = tlv::parse_length(data);
    let _ = tlv::header_total_len(data);
    if let Ok(objects) = tlv::parse_all(data) {
        for object in objects {
            walk(&object, 0);
        }
    }
    let _ = tlv::find(data, 0x5F1F);
    let _ = tlv::der::read_small_integer(data);
    black_box(tlv::der::oid_to_string(data));
}

fn walk(object: &tlv::Tlv<'_>, depth: usize) {
    if depth > 16 || !object.is_constructed() {
        return;
    }
    if let Ok(children) = object.children() {
        for child in &children {
            walk(child, depth + 1);
        }
    }
}

/// Replays scripted responses to a reader session, in order; then reports the
/// card gone. Counts its exchanges so a reader that loops is a finding.
struct ScriptedCard<'a> {
    responses: Vec<&'a [u8]>,
    next: usize,
}

impl Transport for ScriptedCard<'_> {
    fn transmit(&mut self, _apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        let response = self.responses.get(self.next).ok_or(TransportError::CardRemoved)?;
        self.next += 1;
        Ok(response.to_vec())
    }

    fn describe(&self) -> String {
        "scripted fuzz card".into()
    }
}

/// Command and response APDUs, then a whole reader session on scripted
/// responses (the transcript of the virtual eMRTD, mutated).
pub fn apdu(data: &[u8]) {
    if let Ok(command) = CommandApdu::parse(data) {
        black_box(command.to_bytes().ok());
    }
    if let Ok(response) = ResponseApdu::parse(data) {
        black_box(response.sw.meaning());
    }
    let responses = split_parts(data, 64);
    let mut card = ScriptedCard { responses, next: 0 };
    let Ok(key) = MrzKey::new("L898902C", "740812", "120415") else {
        return;
    };
    let mut options = ReadOptions::new(AccessKey::Mrz(key));
    options.max_retries = 1;
    let _ = ChipReader::new(options).read(&mut card, &mut |_| {});
}

/// One SM data object the fuzzer chose: which tag, and whether its value is to
/// be enclosed (encrypted with the session's keys, so decryption and padding
/// removal see proper plaintext) or kept as raw bytes.
fn objects_from(parts: &[&[u8]], kind: CipherKind, ssc: &[u8], command_side: bool) -> (Vec<u8>, Vec<u8>) {
    let mut objects = Vec::new();
    let mut mac_input = Vec::new();
    for part in parts {
        let Some((&choice, value)) = part.split_first() else {
            continue;
        };
        let tag: u32 = match choice % 6 {
            0 => 0x87,
            1 => 0x85,
            2 if command_side => 0x97,
            2 => 0x99,
            3 => 0x8E,
            4 => 0x99,
            _ => u32::from(value.first().copied().unwrap_or(0x53)),
        };
        let value = if choice & 0x80 != 0 && matches!(tag, 0x87 | 0x85) {
            let Ok(encrypted) = encrypt(kind, ssc, value) else {
                continue;
            };
            if tag == 0x87 {
                let mut with_indicator = vec![0x01];
                with_indicator.extend(encrypted);
                with_indicator
            } else {
                encrypted
            }
        } else {
            value.to_vec()
        };
        let encoded = tlv::encode(tag, &value);
        if matches!(tag, 0x87 | 0x85 | 0x99 | 0x97) {
            mac_input.extend_from_slice(&encoded);
        }
        objects.extend(encoded);
    }
    (objects, mac_input)
}

fn encrypt(kind: CipherKind, ssc: &[u8], plain: &[u8]) -> Result<Vec<u8>, crypto::CryptoError> {
    let iv = match kind {
        CipherKind::Tdes => vec![0; 8],
        CipherKind::Aes => crypto::encrypt_block(kind, &TEST_ONLY_KS_ENC, ssc)?,
    };
    crypto::cbc_encrypt(kind, &TEST_ONLY_KS_ENC, &iv, &crypto::pad(plain, kind.block_size()))
}

/// The MAC the session will expect over `mac_input` with counter `ssc`.
fn session_mac(kind: CipherKind, ssc: &[u8], prefix: &[u8], mac_input: &[u8]) -> Option<Vec<u8>> {
    let mut message = ssc.to_vec();
    message.extend_from_slice(prefix);
    message.extend_from_slice(mac_input);
    crypto::sm_mac(kind, &TEST_ONLY_KS_MAC, &crypto::pad(&message, kind.block_size())).ok()
}

/// The counter after the session's first increment.
fn first_ssc(kind: CipherKind) -> Vec<u8> {
    let mut ssc = vec![0; kind.block_size()];
    if let Some(last) = ssc.last_mut() {
        *last = 1;
    }
    ssc
}

fn cipher_of(byte: u8) -> CipherKind {
    if byte & 1 == 0 { CipherKind::Tdes } else { CipherKind::Aes }
}

/// Reader side: a protected response whose data objects the fuzzer chose,
/// with a valid MAC (unless the input asks for a wrong one), so parsing,
/// decryption and padding removal behind the MAC run.
pub fn sm_response(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let kind = cipher_of(mode);
    let ssc = first_ssc(kind);
    let parts = split_parts(rest, 8);
    let (body, trailer) = parts.split_at(parts.len().saturating_sub(1));
    let (mut objects, mac_input) = objects_from(body, kind, &ssc, false);
    if mode & 2 == 0 {
        let Some(mac) = session_mac(kind, &ssc, &[], &mac_input) else {
            return;
        };
        objects.extend(tlv::encode(0x8E, &mac));
    }
    // The status word: the trailer's first two bytes, or success.
    match trailer.first().and_then(|t| t.get(..2)) {
        Some(sw) => objects.extend_from_slice(sw),
        None => objects.extend_from_slice(&[0x90, 0x00]),
    }
    let mut session = SecureMessaging::with_zero_ssc(kind, TEST_ONLY_KS_ENC.to_vec(), TEST_ONLY_KS_MAC.to_vec());
    black_box(session.unprotect_response(&objects).ok());
}

/// Chip side (the virtual eMRTD): a protected command whose objects the fuzzer
/// chose, with a valid MAC over the padded header and the objects.
pub fn sm_command(data: &[u8]) {
    let Some((header, rest)) = data.split_first_chunk::<5>() else {
        return;
    };
    let [mode, ins, p1, p2, _] = *header;
    let kind = cipher_of(mode);
    let ssc = first_ssc(kind);
    let cla = 0x0C;
    let parts = split_parts(rest, 8);
    let (mut objects, mac_input) = objects_from(&parts, kind, &ssc, true);
    if mode & 2 == 0 {
        let padded_header = crypto::pad(&[cla, ins, p1, p2], kind.block_size());
        let Some(mac) = session_mac(kind, &ssc, &padded_header, &mac_input) else {
            return;
        };
        objects.extend(tlv::encode(0x8E, &mac));
    }
    let command = CommandApdu::new(cla, ins, p1, p2).with_data(objects);
    let mut session = SecureMessaging::with_zero_ssc(kind, TEST_ONLY_KS_ENC.to_vec(), TEST_ONLY_KS_MAC.to_vec());
    black_box(session.unprotect_command(&command).ok());
}

/// EF.DG1: the MRZ on the chip, then parsed as the consistency check does.
pub fn dg1(data: &[u8]) {
    if let Ok(mrz) = lds::dg1::parse(data) {
        let lines = lds::dg1::lines(&mrz);
        black_box(tdverify_mrz::parse(&lines.join("\n")).ok());
    }
}

/// EF.DG2: biometric template blocks and the image format sniffing.
pub fn dg2(data: &[u8]) {
    if let Ok(faces) = lds::dg2::parse(data) {
        for face in &faces {
            black_box(lds::dg2::ImageFormat::sniff(&face.image));
        }
    }
    black_box(lds::dg2::ImageFormat::sniff(data));
}

/// EF.DG11: additional personal details.
pub fn dg11(data: &[u8]) {
    black_box(lds::dg11::Dg11::parse(data).ok());
}

/// EF.DG12: additional document details.
pub fn dg12(data: &[u8]) {
    black_box(lds::dg12::Dg12::parse(data).ok());
}

/// EF.DG14 and EF.CardAccess (the same SecurityInfos).
pub fn dg14(data: &[u8]) {
    black_box(lds::dg14::parse(data).ok());
    black_box(lds::security_infos::parse(data).ok());
}

/// EF.DG15 and the active authentication public key inside.
pub fn dg15(data: &[u8]) {
    if let Ok(info) = lds::dg15::parse(data) {
        black_box(lds::dg15::parse_public_key_info(&info).ok());
    }
    black_box(lds::dg15::parse_public_key_info(data).ok());
}

/// EF.COM, and the file identifiers it lists.
pub fn com(data: &[u8]) {
    if let Ok(com) = lds::com::Com::parse(data) {
        black_box(com.encode());
    }
    black_box(lds::sod_signed_data(data).ok());
    black_box(FileId::all());
}
