//! The virtual eMRTD: serves a [`ChipDataset`] over the [`Transport`] trait
//! in-process, with BAC, PACE (ECDH and DH; generic, integrated and chip
//! authentication mappings), 3DES and AES secure messaging, active
//! authentication and chip authentication, plus fault modes for testing
//! readers (bad MAC, wrong status word, truncated response, slow card, card
//! pulled mid-read, a clone without the private keys).
//!
//! [`vpcd`] connects the same chip to `pcscd` through the vsmartcard driver so
//! any PC/SC client can read it.

pub mod builder;
pub mod dataset;
pub mod vpcd;

pub use dataset::{ChipDataset, ChipSecrets, DatasetError, PrivateKey};

use crate::aa;
use crate::apdu::{CommandApdu, ResponseApdu, StatusWord, ins};
use crate::bac::{self, BacKeys};
use crate::ca;
use crate::crypto;
use crate::key::AccessKey;
use crate::lds::FileId;
use crate::lds::security_infos::{self, SecurityInfo};
use crate::pace::{PaceChip, PaceProtocol};
use crate::sm::SecureMessaging;
use crate::tlv;
use crate::transport::{Transport, TransportError};
use std::time::Duration;

/// A fault the virtual chip injects, for testing readers and verdicts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// From APDU number `from` on, `times` protected responses carry a wrong MAC.
    BadMac {
        /// First APDU (1-based count since power-on) affected.
        from: u32,
        /// How many responses are affected.
        times: u32,
    },
    /// From APDU `from` on, `times` READ BINARY commands are answered with `sw`.
    WrongStatus {
        /// First APDU affected.
        from: u32,
        /// How many.
        times: u32,
        /// Status word to answer.
        sw: u16,
    },
    /// From APDU `from` on, `times` responses lose their last `cut` bytes.
    Truncated {
        /// First APDU affected.
        from: u32,
        /// How many.
        times: u32,
        /// Bytes removed.
        cut: usize,
    },
    /// Every APDU takes this long.
    Slow(Duration),
    /// The card leaves the field at APDU `at` and stays away until [`VirtualChip::reinsert`].
    PulledAt(u32),
    /// READ BINARY answers at most this many bytes (a chip with a small buffer).
    MaxRead(usize),
    /// Extended length APDUs are refused with 6700.
    NoExtendedLength,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Selected {
    None,
    MasterFile,
    Applet,
}

/// An in-process virtual eMRTD.
#[derive(Debug)]
pub struct VirtualChip {
    dataset: ChipDataset,
    faults: Vec<Fault>,
    selected: Selected,
    current_file: Option<FileId>,
    sm: Option<SecureMessaging>,
    access_via_pace: bool,
    bac_challenge: Option<Vec<u8>>,
    pace: Option<PaceChip>,
    pace_protocol: Option<PaceProtocol>,
    ca_pending: Option<ca::ChipSide>,
    apdus_since_power_on: u32,
    total_apdus: u32,
    removed: bool,
    fault_uses: Vec<u32>,
}

impl VirtualChip {
    /// A chip serving `dataset`.
    pub fn new(dataset: ChipDataset) -> VirtualChip {
        VirtualChip {
            dataset,
            faults: Vec::new(),
            selected: Selected::None,
            current_file: None,
            sm: None,
            access_via_pace: false,
            bac_challenge: None,
            pace: None,
            pace_protocol: None,
            ca_pending: None,
            apdus_since_power_on: 0,
            total_apdus: 0,
            removed: false,
            fault_uses: Vec::new(),
        }
    }

    /// Adds a fault mode.
    pub fn with_fault(mut self, fault: Fault) -> VirtualChip {
        self.faults.push(fault);
        self.fault_uses.push(0);
        self
    }

    /// The dataset served.
    pub fn dataset(&self) -> &ChipDataset {
        &self.dataset
    }

    /// APDUs received since creation.
    pub fn total_apdus(&self) -> u32 {
        self.total_apdus
    }

    /// Power cycle: the card is back in the field, all sessions lost. A
    /// `PulledAt` fault that already fired does not fire again.
    pub fn reinsert(&mut self) {
        self.removed = false;
        self.faults.retain(|f| !matches!(f, Fault::PulledAt(_)));
        self.reset();
    }

    /// Resets the chip state as after power-on (the ATR).
    pub fn reset(&mut self) {
        self.selected = Selected::None;
        self.current_file = None;
        self.sm = None;
        self.access_via_pace = false;
        self.bac_challenge = None;
        self.pace = None;
        self.pace_protocol = None;
        self.ca_pending = None;
        self.apdus_since_power_on = 0;
    }

    /// The answer to reset this chip presents (an ISO 14443 contactless card via a reader).
    pub fn atr(&self) -> Vec<u8> {
        // 3B 88 80 01 + historical bytes "TDVERIFY"-like marker + TCK.
        let mut atr = vec![
            0x3B, 0x88, 0x80, 0x01, 0x54, 0x44, 0x56, 0x45, 0x4D, 0x55, 0x4C, 0x31,
        ];
        let tck = atr[1..].iter().fold(0u8, |acc, b| acc ^ b);
        atr.push(tck);
        atr
    }

    fn fault_active(&mut self, matches: impl Fn(&Fault) -> Option<(u32, u32)>) -> Option<Fault> {
        let count = self.apdus_since_power_on;
        for (index, fault) in self.faults.iter().enumerate() {
            if let Some((from, times)) = matches(fault)
                && count >= from
                && self.fault_uses.get(index).copied().unwrap_or(0) < times
            {
                if let Some(uses) = self.fault_uses.get_mut(index) {
                    *uses += 1;
                }
                return Some(fault.clone());
            }
        }
        None
    }

    fn max_read(&self) -> usize {
        self.faults
            .iter()
            .find_map(|f| {
                if let Fault::MaxRead(n) = f {
                    Some(*n)
                } else {
                    None
                }
            })
            .unwrap_or(65536)
    }

    /// Processes one raw command APDU and returns the raw response (the chip's whole behaviour).
    pub fn process(&mut self, raw: &[u8]) -> Vec<u8> {
        self.apdus_since_power_on += 1;
        self.total_apdus += 1;
        let Ok(command) = CommandApdu::parse(raw) else {
            return ResponseApdu::status(StatusWord::WRONG_LENGTH).to_bytes();
        };
        if command.is_extended() && self.faults.contains(&Fault::NoExtendedLength) {
            return ResponseApdu::status(StatusWord::WRONG_LENGTH).to_bytes();
        }
        let protected = command.cla & 0x0C == 0x0C;
        if !protected {
            let response = self.handle_plain(&command);
            return response.to_bytes();
        }
        let Some(mut sm) = self.sm.take() else {
            return ResponseApdu::status(StatusWord::SM_OBJECTS_MISSING).to_bytes();
        };
        let plain = match sm.unprotect_command(&command) {
            Ok(plain) => plain,
            Err(_) => {
                // A wrong MAC ends the session, as on real chips.
                return ResponseApdu::status(StatusWord::SM_OBJECTS_INCORRECT).to_bytes();
            }
        };
        self.sm = Some(sm);
        let mut response = self.handle(&plain);
        if plain.ins == ins::READ_BINARY || plain.ins == ins::READ_BINARY_ODD {
            let wrong = self.fault_active(|f| {
                if let Fault::WrongStatus { from, times, .. } = f {
                    Some((*from, *times))
                } else {
                    None
                }
            });
            if let Some(Fault::WrongStatus { sw, .. }) = wrong {
                response = ResponseApdu::status(StatusWord(sw));
            }
        }
        // Chip authentication switches keys after answering under the old ones.
        let switch = if self
            .ca_pending
            .as_ref()
            .is_some_and(ca::ChipSide::is_complete)
        {
            self.ca_pending.take().and_then(ca::ChipSide::take_session)
        } else {
            None
        };
        let Some(sm) = self.sm.as_mut() else {
            return response.to_bytes();
        };
        let mut bytes = match sm.protect_response(&response) {
            Ok(bytes) => bytes,
            Err(_) => ResponseApdu::status(StatusWord(0x6F00)).to_bytes(),
        };
        if let Some(new_session) = switch {
            self.sm = Some(new_session);
        }
        if self
            .fault_active(|f| {
                if let Fault::BadMac { from, times } = f {
                    Some((*from, *times))
                } else {
                    None
                }
            })
            .is_some()
        {
            // The MAC is the 8 bytes before SW1 SW2.
            let at = bytes.len().saturating_sub(3);
            if let Some(byte) = bytes.get_mut(at) {
                *byte ^= 0x01;
            }
        }
        bytes
    }

    /// Commands allowed without secure messaging: SELECT of the MF / EF.CardAccess / applet,
    /// reading EF.CardAccess, BAC and PACE.
    fn handle_plain(&mut self, command: &CommandApdu) -> ResponseApdu {
        if self.sm.is_some() && command.ins != ins::GENERAL_AUTHENTICATE && command.ins != ins::MSE
        {
            // A plain command during a session ends the session.
            self.sm = None;
        }
        match command.ins {
            ins::SELECT
            | ins::MSE
            | ins::GENERAL_AUTHENTICATE
            | ins::GET_CHALLENGE
            | ins::EXTERNAL_AUTHENTICATE => self.handle(command),
            ins::READ_BINARY
                if self.current_file == Some(FileId::CardAccess) || command.p1 == 0x9C =>
            {
                self.handle(command)
            }
            ins::READ_BINARY | ins::READ_BINARY_ODD => {
                ResponseApdu::status(StatusWord::SECURITY_NOT_SATISFIED)
            }
            _ => ResponseApdu::status(StatusWord::SECURITY_NOT_SATISFIED),
        }
    }

    fn handle(&mut self, command: &CommandApdu) -> ResponseApdu {
        match command.ins {
            ins::SELECT => self.select(command),
            ins::READ_BINARY | ins::READ_BINARY_ODD => self.read_binary(command),
            ins::GET_CHALLENGE => self.get_challenge(command),
            ins::EXTERNAL_AUTHENTICATE => self.external_authenticate(command),
            ins::MSE => self.manage_security_environment(command),
            ins::GENERAL_AUTHENTICATE => self.general_authenticate(command),
            ins::INTERNAL_AUTHENTICATE => self.internal_authenticate(command),
            _ => ResponseApdu::status(StatusWord::INS_NOT_SUPPORTED),
        }
    }

    fn select(&mut self, command: &CommandApdu) -> ResponseApdu {
        match command.p1 {
            0x04 => {
                if command.data == crate::reader::EMRTD_AID {
                    self.selected = Selected::Applet;
                    self.current_file = None;
                    ResponseApdu::status(StatusWord::OK)
                } else {
                    ResponseApdu::status(StatusWord::FILE_NOT_FOUND)
                }
            }
            0x00 if command.data.is_empty() || command.data == [0x3F, 0x00] => {
                self.selected = Selected::MasterFile;
                self.current_file = None;
                ResponseApdu::status(StatusWord::OK)
            }
            0x02 | 0x00 => {
                let [high, low] = command.data[..] else {
                    return ResponseApdu::status(StatusWord::WRONG_DATA);
                };
                let fid = u16::from_be_bytes([high, low]);
                let in_applet = self.selected == Selected::Applet;
                let file = FileId::all()
                    .into_iter()
                    .find(|f| f.fid() == fid && f.in_master_file() != in_applet);
                match file {
                    Some(file) if self.dataset.files.contains_key(&file) => {
                        self.current_file = Some(file);
                        ResponseApdu::status(StatusWord::OK)
                    }
                    _ => ResponseApdu::status(StatusWord::FILE_NOT_FOUND),
                }
            }
            _ => ResponseApdu::status(StatusWord::WRONG_P1P2),
        }
    }

    fn read_binary(&mut self, command: &CommandApdu) -> ResponseApdu {
        let (offset, odd) = if command.ins == ins::READ_BINARY_ODD {
            let Ok(Some(offset)) = tlv::find(&command.data, 0x54) else {
                return ResponseApdu::status(StatusWord::WRONG_DATA);
            };
            (
                offset
                    .iter()
                    .fold(0usize, |acc, b| (acc << 8) | usize::from(*b)),
                true,
            )
        } else if command.p1 & 0x80 != 0 {
            // Short EF identifier in P1, offset in P2.
            let sfi = command.p1 & 0x1F;
            let in_applet = self.selected == Selected::Applet;
            let file = FileId::all()
                .into_iter()
                .find(|f| f.sfi() == sfi && f.in_master_file() != in_applet);
            match file {
                Some(file) if self.dataset.files.contains_key(&file) => {
                    self.current_file = Some(file)
                }
                _ => return ResponseApdu::status(StatusWord::FILE_NOT_FOUND),
            }
            (usize::from(command.p2), false)
        } else {
            (
                usize::from(u16::from_be_bytes([command.p1, command.p2])),
                false,
            )
        };
        let Some(file) = self.current_file else {
            return ResponseApdu::status(StatusWord(0x6986));
        };
        if !self.may_read(file) {
            return ResponseApdu::status(StatusWord::SECURITY_NOT_SATISFIED);
        }
        let Some(content) = self.dataset.files.get(&file) else {
            return ResponseApdu::status(StatusWord::FILE_NOT_FOUND);
        };
        if offset > content.len() {
            return ResponseApdu::status(StatusWord::WRONG_OFFSET);
        }
        let wanted = command
            .ne
            .unwrap_or(256)
            .saturating_sub(if odd { 4 } else { 0 })
            .min(self.max_read());
        let end = (offset + wanted).min(content.len());
        let data = content[offset..end].to_vec();
        let sw = if end - offset < wanted {
            StatusWord::END_OF_FILE
        } else {
            StatusWord::OK
        };
        let data = if odd { tlv::encode(0x53, &data) } else { data };
        ResponseApdu::new(data, sw)
    }

    fn may_read(&self, file: FileId) -> bool {
        match file {
            FileId::CardAccess => true,
            FileId::CardSecurity => self.sm.is_some() && self.access_via_pace,
            FileId::Dg(3) | FileId::Dg(4) => false,
            _ => self.sm.is_some(),
        }
    }

    fn get_challenge(&mut self, command: &CommandApdu) -> ResponseApdu {
        if command.ne != Some(8) || self.dataset.secrets.mrz.is_none() {
            return ResponseApdu::status(StatusWord::CONDITIONS_NOT_SATISFIED);
        }
        match crypto::random_bytes(8) {
            Ok(challenge) => {
                self.bac_challenge = Some(challenge.clone());
                ResponseApdu::new(challenge, StatusWord::OK)
            }
            Err(_) => ResponseApdu::status(StatusWord(0x6F00)),
        }
    }

    fn external_authenticate(&mut self, command: &CommandApdu) -> ResponseApdu {
        let (Some(challenge), Some(mrz)) =
            (self.bac_challenge.take(), self.dataset.secrets.mrz.as_ref())
        else {
            return ResponseApdu::status(StatusWord::CONDITIONS_NOT_SATISFIED);
        };
        let Ok(keys) = BacKeys::from_mrz(mrz) else {
            return ResponseApdu::status(StatusWord(0x6F00));
        };
        let Ok(k_ic) = crypto::random_bytes(16) else {
            return ResponseApdu::status(StatusWord(0x6F00));
        };
        match bac::chip_respond(&keys, &command.data, &challenge, &k_ic) {
            Ok(Some((answer, session))) => {
                self.sm = Some(session);
                self.access_via_pace = false;
                ResponseApdu::new(answer, StatusWord::OK)
            }
            Ok(None) => ResponseApdu::status(StatusWord::AUTH_FAILED),
            Err(_) => ResponseApdu::status(StatusWord(0x6F00)),
        }
    }

    fn pace_infos(&self) -> Vec<SecurityInfo> {
        self.dataset
            .files
            .get(&FileId::CardAccess)
            .and_then(|bytes| security_infos::parse(bytes).ok())
            .unwrap_or_default()
    }

    fn manage_security_environment(&mut self, command: &CommandApdu) -> ResponseApdu {
        match (command.p1, command.p2) {
            // MSE:Set AT for PACE.
            (0xC1, 0xA4) => {
                let Ok(Some(oid)) = tlv::find(&command.data, 0x80) else {
                    return ResponseApdu::status(StatusWord::WRONG_DATA);
                };
                let reference = tlv::find(&command.data, 0x83)
                    .ok()
                    .flatten()
                    .and_then(|r| r.first().copied());
                let offered = self.pace_infos().into_iter().find_map(|info| match info {
                    SecurityInfo::Pace {
                        protocol,
                        parameter_id,
                        ..
                    } if protocol == oid => Some(parameter_id.unwrap_or(13)),
                    _ => None,
                });
                let (Some(parameter_id), Some(protocol)) = (offered, PaceProtocol::from_oid(oid))
                else {
                    return ResponseApdu::status(StatusWord::WRONG_DATA);
                };
                let password = match (reference, &self.dataset.secrets) {
                    (Some(1), ChipSecrets { mrz: Some(mrz), .. }) => {
                        AccessKey::Mrz(mrz.clone()).pace_password()
                    }
                    (Some(2), ChipSecrets { can: Some(can), .. }) => can.as_bytes().to_vec(),
                    _ => return ResponseApdu::status(StatusWord(0x6A88)),
                };
                match PaceChip::new(protocol.clone(), parameter_id, password) {
                    Ok(mut chip) => {
                        if protocol.mapping == crate::pace::Mapping::ChipAuthentication
                            && let Some(Ok((_, scalar))) = self
                                .dataset
                                .secrets
                                .ca_key
                                .as_ref()
                                .map(PrivateKey::ec_parts)
                        {
                            chip = chip.with_static_key(scalar);
                        }
                        self.pace = Some(chip);
                        self.pace_protocol = Some(protocol);
                        ResponseApdu::status(StatusWord::OK)
                    }
                    Err(_) => ResponseApdu::status(StatusWord::WRONG_DATA),
                }
            }
            // MSE:Set KAT (chip authentication with 3DES) and MSE:Set AT (chip authentication with AES).
            (0x41, 0xA6) | (0x41, 0xA4) => {
                if self.sm.is_none() {
                    return ResponseApdu::status(StatusWord::SECURITY_NOT_SATISFIED);
                }
                match ca::ChipSide::start(&self.dataset, command) {
                    Ok(side) => {
                        self.ca_pending = Some(side);
                        ResponseApdu::status(StatusWord::OK)
                    }
                    Err(sw) => ResponseApdu::status(sw),
                }
            }
            _ => ResponseApdu::status(StatusWord::WRONG_P1P2),
        }
    }

    fn general_authenticate(&mut self, command: &CommandApdu) -> ResponseApdu {
        if let Some(side) = self.ca_pending.as_mut().filter(|s| !s.is_complete()) {
            return match side.general_authenticate(&command.data) {
                Ok(data) => ResponseApdu::new(data, StatusWord::OK),
                Err(sw) => {
                    self.ca_pending = None;
                    ResponseApdu::status(sw)
                }
            };
        }
        let Some(pace) = self.pace.as_mut() else {
            return ResponseApdu::status(StatusWord::CONDITIONS_NOT_SATISFIED);
        };
        match pace.general_authenticate(&command.data) {
            Ok((data, session)) => {
                if let Some(session) = session {
                    self.sm = Some(session);
                    self.access_via_pace = true;
                    self.pace = None;
                    self.selected = Selected::MasterFile;
                }
                ResponseApdu::new(data, StatusWord::OK)
            }
            Err(sw) => {
                self.pace = None;
                ResponseApdu::status(sw)
            }
        }
    }

    fn internal_authenticate(&mut self, command: &CommandApdu) -> ResponseApdu {
        if self.sm.is_none() {
            return ResponseApdu::status(StatusWord::SECURITY_NOT_SATISFIED);
        }
        match aa::chip_sign(&self.dataset, &command.data) {
            Ok(signature) => ResponseApdu::new(signature, StatusWord::OK),
            Err(sw) => ResponseApdu::status(sw),
        }
    }
}

impl Transport for VirtualChip {
    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        if self.removed {
            return Err(TransportError::CardRemoved);
        }
        let pulled = self
            .faults
            .iter()
            .any(|f| matches!(f, Fault::PulledAt(at) if self.apdus_since_power_on + 1 >= *at));
        if pulled {
            self.removed = true;
            self.reset();
            return Err(TransportError::CardRemoved);
        }
        if let Some(Fault::Slow(delay)) = self.faults.iter().find(|f| matches!(f, Fault::Slow(_))) {
            std::thread::sleep(*delay);
        }
        let mut response = self.process(apdu);
        if let Some(Fault::Truncated { cut, .. }) = self.fault_active(|f| {
            if let Fault::Truncated { from, times, .. } = f {
                Some((*from, *times))
            } else {
                None
            }
        }) {
            response.truncate(response.len().saturating_sub(cut));
        }
        Ok(response)
    }

    fn supports_extended_length(&self) -> bool {
        !self.faults.contains(&Fault::NoExtendedLength)
    }

    fn describe(&self) -> String {
        "virtual eMRTD (in-process)".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex::h;
    use proptest::prelude::*;

    fn chip() -> VirtualChip {
        VirtualChip::new(builder::specimen_passport().expect("builds"))
    }

    #[test]
    fn refuses_data_groups_without_access_control() {
        let mut chip = chip();
        assert_eq!(chip.process(&h("00A4040C07A0000002471001")), h("9000"));
        assert_eq!(chip.process(&h("00A4020C020101")), h("9000"));
        assert_eq!(chip.process(&h("00B0000004")), h("6982"));
        assert_eq!(
            chip.process(&h("00A4020C020103")),
            h("6A82"),
            "DG3 is not in the dataset"
        );
        // EF.CardAccess is public.
        chip.reset();
        assert_eq!(chip.process(&h("00A4020C02011C")), h("9000"));
        let answer = chip.process(&h("00B0000004"));
        assert_eq!(&answer[answer.len() - 2..], &[0x90, 0x00]);
    }

    #[test]
    fn pulled_card_stays_away_until_reinserted() {
        let mut chip = chip().with_fault(Fault::PulledAt(2));
        assert!(chip.transmit(&h("00A4040C07A0000002471001")).is_ok());
        assert_eq!(
            chip.transmit(&h("00A4040C07A0000002471001")),
            Err(TransportError::CardRemoved)
        );
        assert_eq!(
            chip.transmit(&h("00A4040C07A0000002471001")),
            Err(TransportError::CardRemoved)
        );
        chip.reinsert();
        assert_eq!(chip.transmit(&h("00A4040C07A0000002471001")), Ok(h("9000")));
    }

    #[test]
    fn dataset_folder_round_trip() {
        let dataset = builder::specimen_passport().expect("builds");
        let dir =
            std::env::temp_dir().join(format!("tdverify-chip-dataset-{}", std::process::id()));
        dataset.save(&dir).expect("saves");
        let loaded = ChipDataset::load(&dir).expect("loads");
        assert_eq!(
            loaded,
            ChipDataset {
                secrets: ChipSecrets {
                    marker: "TEST-ONLY".into(),
                    ..dataset.secrets.clone()
                },
                ..dataset
            }
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    proptest! {
        #[test]
        fn random_commands_never_panic(commands in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 1..8)) {
            let mut chip = chip();
            for command in commands {
                let response = chip.process(&command);
                prop_assert!(response.len() >= 2);
            }
        }
    }
}
