//! ISO/IEC 7816-4 command and response APDUs, short and extended length.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Why bytes are not a valid APDU.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ApduError {
    /// Fewer than 4 header bytes, or fewer than 2 status bytes.
    #[error("APDU too short ({0} bytes)")]
    TooShort(usize),
    /// The length fields do not match the number of bytes.
    #[error("APDU length fields do not match its size")]
    BadLength,
    /// Data longer than 65535 bytes or Ne above 65536.
    #[error("APDU data or Ne too large")]
    TooLarge,
}

/// A command APDU. `ne` is the number of response bytes expected
/// (`None` = no response data; `Some(256)` = short Le 00; `Some(65536)` = extended 0000).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandApdu {
    /// Class byte.
    pub cla: u8,
    /// Instruction byte.
    pub ins: u8,
    /// Parameter 1.
    pub p1: u8,
    /// Parameter 2.
    pub p2: u8,
    /// Command data field.
    pub data: Vec<u8>,
    /// Expected response length.
    pub ne: Option<usize>,
}

/// Instruction bytes used by eMRTD readers.
pub mod ins {
    /// SELECT.
    pub const SELECT: u8 = 0xA4;
    /// READ BINARY (offset in P1-P2).
    pub const READ_BINARY: u8 = 0xB0;
    /// READ BINARY with offset data object (odd instruction).
    pub const READ_BINARY_ODD: u8 = 0xB1;
    /// GET CHALLENGE (BAC).
    pub const GET_CHALLENGE: u8 = 0x84;
    /// EXTERNAL AUTHENTICATE / MUTUAL AUTHENTICATE (BAC).
    pub const EXTERNAL_AUTHENTICATE: u8 = 0x82;
    /// INTERNAL AUTHENTICATE (active authentication).
    pub const INTERNAL_AUTHENTICATE: u8 = 0x88;
    /// MANAGE SECURITY ENVIRONMENT (PACE, chip authentication).
    pub const MSE: u8 = 0x22;
    /// GENERAL AUTHENTICATE (PACE, chip authentication).
    pub const GENERAL_AUTHENTICATE: u8 = 0x86;
}

impl CommandApdu {
    /// A command without data or response.
    pub fn new(cla: u8, ins: u8, p1: u8, p2: u8) -> CommandApdu {
        CommandApdu {
            cla,
            ins,
            p1,
            p2,
            data: Vec::new(),
            ne: None,
        }
    }

    /// Adds command data.
    pub fn with_data(mut self, data: impl Into<Vec<u8>>) -> CommandApdu {
        self.data = data.into();
        self
    }

    /// Sets the expected response length.
    pub fn with_ne(mut self, ne: usize) -> CommandApdu {
        self.ne = Some(ne);
        self
    }

    /// Whether this command needs the extended length encoding.
    pub fn is_extended(&self) -> bool {
        self.data.len() > 255 || self.ne.is_some_and(|ne| ne > 256)
    }

    /// Serialises the command, choosing short or extended length as needed.
    pub fn to_bytes(&self) -> Result<Vec<u8>, ApduError> {
        if self.data.len() > 65535 || self.ne.is_some_and(|ne| ne > 65536) {
            return Err(ApduError::TooLarge);
        }
        let mut out = vec![self.cla, self.ins, self.p1, self.p2];
        let extended = self.is_extended();
        if !self.data.is_empty() {
            if extended {
                out.push(0);
                out.extend_from_slice(&(self.data.len() as u16).to_be_bytes());
            } else {
                out.push(self.data.len() as u8);
            }
            out.extend_from_slice(&self.data);
        }
        if let Some(ne) = self.ne {
            if extended {
                if self.data.is_empty() {
                    out.push(0);
                }
                out.extend_from_slice(&((ne % 65536) as u16).to_be_bytes());
            } else {
                out.push((ne % 256) as u8);
            }
        }
        Ok(out)
    }

    /// Parses a command APDU of any of the ISO 7816-4 cases, short or extended.
    pub fn parse(bytes: &[u8]) -> Result<CommandApdu, ApduError> {
        let [cla, ins, p1, p2, body @ ..] = bytes else {
            return Err(ApduError::TooShort(bytes.len()));
        };
        let mut command = CommandApdu::new(*cla, *ins, *p1, *p2);
        match body {
            [] => {}
            [le] => command.ne = Some(if *le == 0 { 256 } else { usize::from(*le) }),
            [0, rest @ ..] if rest.len() >= 2 => {
                let length = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
                let after = &rest[2..];
                if after.is_empty() {
                    command.ne = Some(if length == 0 { 65536 } else { length });
                } else {
                    if length == 0 {
                        return Err(ApduError::BadLength);
                    }
                    let data = after.get(..length).ok_or(ApduError::BadLength)?;
                    command.data = data.to_vec();
                    match &after[length..] {
                        [] => {}
                        [high, low] => {
                            let le = usize::from(u16::from_be_bytes([*high, *low]));
                            command.ne = Some(if le == 0 { 65536 } else { le });
                        }
                        _ => return Err(ApduError::BadLength),
                    }
                }
            }
            [lc, rest @ ..] => {
                let length = usize::from(*lc);
                if length == 0 {
                    return Err(ApduError::BadLength);
                }
                let data = rest.get(..length).ok_or(ApduError::BadLength)?;
                command.data = data.to_vec();
                match &rest[length..] {
                    [] => {}
                    [le] => command.ne = Some(if *le == 0 { 256 } else { usize::from(*le) }),
                    _ => return Err(ApduError::BadLength),
                }
            }
        }
        Ok(command)
    }
}

/// A status word SW1-SW2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StatusWord(pub u16);

impl StatusWord {
    /// 9000: success.
    pub const OK: StatusWord = StatusWord(0x9000);
    /// 6282: end of file reached before Ne bytes.
    pub const END_OF_FILE: StatusWord = StatusWord(0x6282);
    /// 6700: wrong length.
    pub const WRONG_LENGTH: StatusWord = StatusWord(0x6700);
    /// 6982: security status not satisfied.
    pub const SECURITY_NOT_SATISFIED: StatusWord = StatusWord(0x6982);
    /// 6983: authentication method blocked.
    pub const AUTH_BLOCKED: StatusWord = StatusWord(0x6983);
    /// 6985: conditions of use not satisfied.
    pub const CONDITIONS_NOT_SATISFIED: StatusWord = StatusWord(0x6985);
    /// 6987: expected secure messaging data objects missing.
    pub const SM_OBJECTS_MISSING: StatusWord = StatusWord(0x6987);
    /// 6988: secure messaging data objects incorrect.
    pub const SM_OBJECTS_INCORRECT: StatusWord = StatusWord(0x6988);
    /// 6A80: incorrect data field.
    pub const WRONG_DATA: StatusWord = StatusWord(0x6A80);
    /// 6A82: file or application not found.
    pub const FILE_NOT_FOUND: StatusWord = StatusWord(0x6A82);
    /// 6A86: incorrect P1-P2.
    pub const WRONG_P1P2: StatusWord = StatusWord(0x6A86);
    /// 6B00: offset outside the file.
    pub const WRONG_OFFSET: StatusWord = StatusWord(0x6B00);
    /// 6D00: instruction not supported.
    pub const INS_NOT_SUPPORTED: StatusWord = StatusWord(0x6D00);
    /// 6E00: class not supported.
    pub const CLA_NOT_SUPPORTED: StatusWord = StatusWord(0x6E00);
    /// 6300: authentication failed (e.g. wrong BAC/PACE key).
    pub const AUTH_FAILED: StatusWord = StatusWord(0x6300);

    /// First status byte.
    pub fn sw1(self) -> u8 {
        (self.0 >> 8) as u8
    }

    /// Second status byte.
    pub fn sw2(self) -> u8 {
        self.0 as u8
    }

    /// Whether the command succeeded (9000, or 61xx "more data available").
    pub fn is_success(self) -> bool {
        self.0 == 0x9000 || self.sw1() == 0x61
    }

    /// An officer- and log-friendly meaning of the status word.
    pub fn meaning(self) -> String {
        match (self.sw1(), self.sw2()) {
            (0x90, 0x00) => "success".into(),
            (0x61, n) => format!("{n} more bytes available"),
            (0x62, 0x82) => "end of file reached before the expected length".into(),
            (0x62, 0x83) => "selected file invalidated".into(),
            (0x63, 0x00) => "authentication failed".into(),
            (0x63, n) if n & 0xF0 == 0xC0 => {
                format!("verification failed, {} tries left", n & 0x0F)
            }
            (0x64, _) => "execution error, memory unchanged".into(),
            (0x65, _) => "memory failure".into(),
            (0x67, 0x00) => "wrong length".into(),
            (0x68, 0x82) => "secure messaging not supported".into(),
            (0x69, 0x82) => "security status not satisfied".into(),
            (0x69, 0x83) => "authentication method blocked".into(),
            (0x69, 0x84) => "reference data not usable".into(),
            (0x69, 0x85) => "conditions of use not satisfied".into(),
            (0x69, 0x86) => "command not allowed (no current EF)".into(),
            (0x69, 0x87) => "expected secure messaging data objects missing".into(),
            (0x69, 0x88) => "secure messaging data objects incorrect".into(),
            (0x6A, 0x80) => "incorrect parameters in the data field".into(),
            (0x6A, 0x82) => "file or application not found".into(),
            (0x6A, 0x86) => "incorrect parameters P1-P2".into(),
            (0x6A, 0x88) => "referenced data not found".into(),
            (0x6B, 0x00) => "wrong parameters (offset outside the file)".into(),
            (0x6C, n) => format!("wrong Le: {n} bytes available"),
            (0x6D, 0x00) => "instruction not supported".into(),
            (0x6E, 0x00) => "class not supported".into(),
            (0x6F, 0x00) => "no precise diagnosis".into(),
            _ => "unknown status".into(),
        }
    }
}

impl std::fmt::Display for StatusWord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04X} ({})", self.0, self.meaning())
    }
}

/// A response APDU: data and status word.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseApdu {
    /// Response data.
    pub data: Vec<u8>,
    /// Status word.
    pub sw: StatusWord,
}

impl ResponseApdu {
    /// A response with data and status.
    pub fn new(data: Vec<u8>, sw: StatusWord) -> ResponseApdu {
        ResponseApdu { data, sw }
    }

    /// A bare status word.
    pub fn status(sw: StatusWord) -> ResponseApdu {
        ResponseApdu {
            data: Vec::new(),
            sw,
        }
    }

    /// Splits raw response bytes into data and status word.
    pub fn parse(bytes: &[u8]) -> Result<ResponseApdu, ApduError> {
        let split = bytes
            .len()
            .checked_sub(2)
            .ok_or(ApduError::TooShort(bytes.len()))?;
        let (data, sw) = bytes.split_at(split);
        Ok(ResponseApdu {
            data: data.to_vec(),
            sw: StatusWord(u16::from_be_bytes([sw[0], sw[1]])),
        })
    }

    /// Serialises data followed by the status word.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = self.data.clone();
        out.extend_from_slice(&self.sw.0.to_be_bytes());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex::h;
    use proptest::prelude::*;

    #[test]
    fn short_and_extended_encodings() {
        let select = CommandApdu::new(0x00, 0xA4, 0x02, 0x0C).with_data(vec![0x01, 0x1E]);
        assert_eq!(select.to_bytes(), Ok(h("00A4020C02011E")));
        let read = CommandApdu::new(0x00, 0xB0, 0x00, 0x00).with_ne(256);
        assert_eq!(read.to_bytes(), Ok(h("00B0000000")));
        let big = CommandApdu::new(0x00, 0xB0, 0x00, 0x00).with_ne(4096);
        assert_eq!(big.to_bytes(), Ok(h("00B00000001000")));
        let case4e = CommandApdu::new(0x0C, 0xB0, 0, 0)
            .with_data(vec![0xAA; 300])
            .with_ne(65536);
        let bytes = case4e.to_bytes().expect("encodes");
        assert_eq!(CommandApdu::parse(&bytes), Ok(case4e));
        for text in [
            "00A4020C02011E",
            "00B0000000",
            "00B00000001000",
            "0086000000",
        ] {
            let bytes = h(text);
            let parsed = CommandApdu::parse(&bytes).expect("parses");
            assert_eq!(parsed.to_bytes(), Ok(bytes));
        }
        assert_eq!(
            CommandApdu::parse(&h("00A4020C05011E")),
            Err(ApduError::BadLength)
        );
    }

    #[test]
    fn status_words() {
        let response = ResponseApdu::parse(&h("AABB6282")).expect("parses");
        assert_eq!(response.sw, StatusWord::END_OF_FILE);
        assert_eq!(response.data, h("AABB"));
        assert_eq!(StatusWord(0x6C10).meaning(), "wrong Le: 16 bytes available");
        assert!(ResponseApdu::parse(&[0x90]).is_err());
    }

    proptest! {
        #[test]
        fn random_commands_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            if let Ok(command) = CommandApdu::parse(&bytes) {
                let _ = command.to_bytes();
            }
            let _ = ResponseApdu::parse(&bytes);
        }
    }
}
