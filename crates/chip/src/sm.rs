//! Secure messaging (ICAO 9303-11 §9.8, ISO/IEC 7816-4): protects every APDU
//! after BAC, PACE or chip authentication with encryption (DO'87), the expected
//! length (DO'97), the status word (DO'99) and a MAC (DO'8E) over the send
//! sequence counter. Both sides are here: the reader wraps commands and unwraps
//! responses; the virtual eMRTD does the reverse.

use crate::apdu::{ApduError, CommandApdu, ResponseApdu, StatusWord};
use crate::crypto::{self, CipherKind, CryptoError};
use crate::tlv::{self, TlvError};
use thiserror::Error;

/// Why a protected APDU could not be built or accepted.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SmError {
    /// The MAC did not verify: the data was altered or the session keys differ.
    #[error("secure messaging MAC check failed")]
    BadMac,
    /// A required data object (DO'8E, DO'99) is missing.
    #[error("secure messaging object {0:02X} missing")]
    MissingObject(u8),
    /// The chip answered without secure messaging: the session is no longer valid.
    #[error("chip answered without secure messaging: {0}")]
    Unprotected(StatusWord),
    /// Malformed TLV inside a protected APDU.
    #[error("malformed secure messaging data: {0}")]
    Tlv(#[from] TlvError),
    /// Malformed APDU.
    #[error("malformed APDU: {0}")]
    Apdu(#[from] ApduError),
    /// A cipher failure (bad padding after decryption, wrong key size).
    #[error("secure messaging crypto: {0}")]
    Crypto(#[from] CryptoError),
}

/// One secure messaging session: cipher, session keys and send sequence counter.
#[derive(Clone, PartialEq, Eq)]
pub struct SecureMessaging {
    kind: CipherKind,
    ks_enc: Vec<u8>,
    ks_mac: Vec<u8>,
    ssc: Vec<u8>,
}

impl std::fmt::Debug for SecureMessaging {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Session keys stay out of logs.
        f.debug_struct("SecureMessaging")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

fn is_odd_ins(ins: u8) -> bool {
    ins & 1 == 1
}

fn encode_le(ne: usize, extended: bool) -> Vec<u8> {
    if extended || ne > 256 {
        vec![((ne % 65536) >> 8) as u8, (ne % 256) as u8]
    } else {
        vec![(ne % 256) as u8]
    }
}

fn decode_le(bytes: &[u8]) -> Option<usize> {
    match bytes {
        [0] => Some(256),
        [n] => Some(usize::from(*n)),
        [0, 0] => Some(65536),
        [high, low] => Some(usize::from(u16::from_be_bytes([*high, *low]))),
        _ => None,
    }
}

impl SecureMessaging {
    /// A session with the given keys and initial send sequence counter
    /// (BAC: from the challenges; PACE: zero of the block size).
    pub fn new(
        kind: CipherKind,
        ks_enc: Vec<u8>,
        ks_mac: Vec<u8>,
        ssc: Vec<u8>,
    ) -> SecureMessaging {
        SecureMessaging {
            kind,
            ks_enc,
            ks_mac,
            ssc,
        }
    }

    /// A session whose counter starts at zero (PACE, chip authentication).
    pub fn with_zero_ssc(kind: CipherKind, ks_enc: Vec<u8>, ks_mac: Vec<u8>) -> SecureMessaging {
        let ssc = vec![0; kind.block_size()];
        SecureMessaging::new(kind, ks_enc, ks_mac, ssc)
    }

    /// Cipher of this session.
    pub fn kind(&self) -> CipherKind {
        self.kind
    }

    /// The current send sequence counter.
    pub fn ssc(&self) -> &[u8] {
        &self.ssc
    }

    /// The MAC session key; PACE and chip authentication need it for tokens.
    pub fn mac_key(&self) -> &[u8] {
        &self.ks_mac
    }

    fn increment_ssc(&mut self) {
        for byte in self.ssc.iter_mut().rev() {
            let (next, overflow) = byte.overflowing_add(1);
            *byte = next;
            if !overflow {
                break;
            }
        }
    }

    fn iv(&self) -> Result<Vec<u8>, CryptoError> {
        match self.kind {
            CipherKind::Tdes => Ok(vec![0; 8]),
            CipherKind::Aes => crypto::encrypt_block(CipherKind::Aes, &self.ks_enc, &self.ssc),
        }
    }

    fn mac(&self, input: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let block = self.kind.block_size();
        let mut message = self.ssc.clone();
        message.extend_from_slice(input);
        crypto::sm_mac(self.kind, &self.ks_mac, &crypto::pad(&message, block))
    }

    fn encrypt(&self, plain: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let block = self.kind.block_size();
        crypto::cbc_encrypt(
            self.kind,
            &self.ks_enc,
            &self.iv()?,
            &crypto::pad(plain, block),
        )
    }

    fn decrypt(&self, cipher: &[u8]) -> Result<Vec<u8>, CryptoError> {
        crypto::unpad(&crypto::cbc_decrypt(
            self.kind,
            &self.ks_enc,
            &self.iv()?,
            cipher,
        )?)
    }

    fn data_object(&self, ins: u8, plain: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let encrypted = self.encrypt(plain)?;
        if is_odd_ins(ins) {
            Ok(tlv::encode(0x85, &encrypted))
        } else {
            let mut value = vec![0x01];
            value.extend(encrypted);
            Ok(tlv::encode(0x87, &value))
        }
    }

    /// Reader side: wraps a plain command into a protected one.
    pub fn protect_command(&mut self, command: &CommandApdu) -> Result<CommandApdu, SmError> {
        self.increment_ssc();
        let cla = command.cla | 0x0C;
        let block = self.kind.block_size();
        let header = crypto::pad(&[cla, command.ins, command.p1, command.p2], block);
        let mut objects = Vec::new();
        if !command.data.is_empty() {
            objects.extend(self.data_object(command.ins, &command.data)?);
        }
        if let Some(ne) = command.ne {
            objects.extend(tlv::encode(0x97, &encode_le(ne, command.is_extended())));
        }
        let mut mac_input = header;
        mac_input.extend_from_slice(&objects);
        let mac = self.mac(&mac_input)?;
        objects.extend(tlv::encode(0x8E, &mac));
        let extended = objects.len() > 255 || command.ne.is_some_and(|ne| ne > 256);
        Ok(CommandApdu {
            cla,
            ins: command.ins,
            p1: command.p1,
            p2: command.p2,
            data: objects,
            ne: Some(if extended { 65536 } else { 256 }),
        })
    }

    /// Reader side: checks and unwraps a protected response.
    pub fn unprotect_response(&mut self, raw: &[u8]) -> Result<ResponseApdu, SmError> {
        self.increment_ssc();
        let response = ResponseApdu::parse(raw)?;
        if response.data.is_empty() {
            return Err(SmError::Unprotected(response.sw));
        }
        let objects = tlv::parse_all(&response.data)?;
        let mut mac_input = Vec::new();
        let mut encrypted: Option<&[u8]> = None;
        let mut status: Option<StatusWord> = None;
        let mut mac: Option<&[u8]> = None;
        for object in &objects {
            match object.tag {
                0x87 | 0x85 | 0x99 => {
                    mac_input.extend(tlv::encode(object.tag, object.value));
                    if object.tag == 0x99 {
                        if let [sw1, sw2] = object.value {
                            status = Some(StatusWord(u16::from_be_bytes([*sw1, *sw2])));
                        }
                    } else if object.tag == 0x87 {
                        encrypted = Some(object.value.get(1..).unwrap_or(&[]));
                    } else {
                        encrypted = Some(object.value);
                    }
                }
                0x8E => mac = Some(object.value),
                _ => {}
            }
        }
        let mac = mac.ok_or(SmError::MissingObject(0x8E))?;
        let expected = self.mac(&mac_input)?;
        if !crypto::equal_constant_time(&expected, mac) {
            return Err(SmError::BadMac);
        }
        let sw = status.ok_or(SmError::MissingObject(0x99))?;
        let data = match encrypted {
            Some(cipher) if !cipher.is_empty() => self.decrypt(cipher)?,
            _ => Vec::new(),
        };
        Ok(ResponseApdu::new(data, sw))
    }

    /// Chip side: checks and unwraps a protected command.
    pub fn unprotect_command(&mut self, command: &CommandApdu) -> Result<CommandApdu, SmError> {
        self.increment_ssc();
        let block = self.kind.block_size();
        let objects = tlv::parse_all(&command.data)?;
        let mut mac_input = crypto::pad(&[command.cla, command.ins, command.p1, command.p2], block);
        let mut plain = CommandApdu::new(command.cla & !0x0C, command.ins, command.p1, command.p2);
        let mut encrypted: Option<Vec<u8>> = None;
        let mut mac: Option<&[u8]> = None;
        for object in &objects {
            match object.tag {
                0x87 => {
                    mac_input.extend(tlv::encode(object.tag, object.value));
                    encrypted = Some(object.value.get(1..).unwrap_or(&[]).to_vec());
                }
                0x85 => {
                    mac_input.extend(tlv::encode(object.tag, object.value));
                    encrypted = Some(object.value.to_vec());
                }
                0x97 => {
                    mac_input.extend(tlv::encode(object.tag, object.value));
                    plain.ne = decode_le(object.value);
                }
                0x8E => mac = Some(object.value),
                _ => {}
            }
        }
        let mac = mac.ok_or(SmError::MissingObject(0x8E))?;
        let expected = self.mac(&mac_input)?;
        if !crypto::equal_constant_time(&expected, mac) {
            return Err(SmError::BadMac);
        }
        if let Some(cipher) = encrypted {
            plain.data = self.decrypt(&cipher)?;
        }
        Ok(plain)
    }

    /// Chip side: protects a response (data encrypted in DO'87, SW in DO'99, MAC).
    pub fn protect_response(&mut self, response: &ResponseApdu) -> Result<Vec<u8>, SmError> {
        self.increment_ssc();
        let mut objects = Vec::new();
        if !response.data.is_empty() {
            objects.extend(self.data_object(0, &response.data)?);
        }
        objects.extend(tlv::encode(0x99, &response.sw.0.to_be_bytes()));
        let mac = self.mac(&objects)?;
        objects.extend(tlv::encode(0x8E, &mac));
        Ok(ResponseApdu::new(objects, response.sw).to_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex::h;
    use proptest::prelude::*;

    fn appendix_d_session() -> SecureMessaging {
        // ICAO 9303-11 Appendix D.4: session keys and SSC after BAC.
        SecureMessaging::new(
            CipherKind::Tdes,
            h("979EC13B1CBFE9DCD01AB0FED307EAE5"),
            h("F1CB1F1FB5ADF208806B89DC579DC1F8"),
            h("887022120C06C226"),
        )
    }

    #[test]
    fn icao_appendix_d_select_and_read_binary() {
        let mut sm = appendix_d_session();
        let mut chip = appendix_d_session();

        // SELECT EF.COM.
        let select = CommandApdu::new(0x00, 0xA4, 0x02, 0x0C).with_data(h("011E"));
        let protected = sm.protect_command(&select).expect("wraps");
        assert_eq!(
            protected.to_bytes(),
            Ok(h("0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800"))
        );
        assert_eq!(chip.unprotect_command(&protected), Ok(select));
        let answer = chip
            .protect_response(&ResponseApdu::status(StatusWord::OK))
            .expect("wraps");
        assert_eq!(answer, h("990290008E08FA855A5D4C50A8ED9000"));
        let response = sm.unprotect_response(&answer).expect("verifies");
        assert_eq!(response.sw, StatusWord::OK);

        // READ BINARY of the first four bytes.
        let read = CommandApdu::new(0x00, 0xB0, 0x00, 0x00).with_ne(4);
        let protected = sm.protect_command(&read).expect("wraps");
        assert_eq!(
            protected.to_bytes(),
            Ok(h("0CB000000D9701048E08ED6705417E96BA5500"))
        );
        assert_eq!(chip.unprotect_command(&protected), Ok(read));
        let answer = chip
            .protect_response(&ResponseApdu::new(h("60145F01"), StatusWord::OK))
            .expect("wraps");
        assert_eq!(
            answer,
            h("8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000")
        );
        let response = sm.unprotect_response(&answer).expect("verifies");
        assert_eq!(response.data, h("60145F01"));

        // READ BINARY of the remaining 18 bytes from offset 4.
        let read = CommandApdu::new(0x00, 0xB0, 0x00, 0x04).with_ne(0x12);
        let protected = sm.protect_command(&read).expect("wraps");
        assert_eq!(
            protected.to_bytes(),
            Ok(h("0CB000040D9701128E082EA28A70F3C7B53500"))
        );
        let response = sm
            .unprotect_response(&h("871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000"))
            .expect("verifies");
        assert_eq!(response.data, h("04303130365F36063034303030305C026175"));
        assert_eq!(sm.ssc(), &h("887022120C06C22C")[..]);
    }

    #[test]
    fn altered_response_fails_mac() {
        let mut sm = appendix_d_session();
        let select = CommandApdu::new(0x00, 0xA4, 0x02, 0x0C).with_data(h("011E"));
        sm.protect_command(&select).expect("wraps");
        assert_eq!(
            sm.unprotect_response(&h("990290008E08FA855A5D4C50A8EE9000")),
            Err(SmError::BadMac)
        );
        assert_eq!(
            sm.unprotect_response(&h("6988")),
            Err(SmError::Unprotected(StatusWord(0x6988)))
        );
    }

    #[test]
    fn aes_round_trip_extended() {
        let keys = (vec![7u8; 32], vec![9u8; 32]);
        let mut reader =
            SecureMessaging::with_zero_ssc(CipherKind::Aes, keys.0.clone(), keys.1.clone());
        let mut chip = SecureMessaging::with_zero_ssc(CipherKind::Aes, keys.0, keys.1);
        let read = CommandApdu::new(0x00, 0xB0, 0x00, 0x00).with_ne(4000);
        let protected = reader.protect_command(&read).expect("wraps");
        assert!(protected.is_extended());
        assert_eq!(chip.unprotect_command(&protected), Ok(read));
        let data = vec![0x5A; 4000];
        let answer = chip
            .protect_response(&ResponseApdu::new(data.clone(), StatusWord::OK))
            .expect("wraps");
        assert_eq!(reader.unprotect_response(&answer).map(|r| r.data), Ok(data));
    }

    proptest! {
        #[test]
        fn random_responses_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
            let mut sm = appendix_d_session();
            let _ = sm.unprotect_response(&bytes);
            if let Ok(command) = CommandApdu::parse(&bytes) {
                let _ = sm.unprotect_command(&command);
            }
        }
    }
}
