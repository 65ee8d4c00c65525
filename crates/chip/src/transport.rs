//! The link to a chip: one trait, so the reader works the same over PC/SC,
//! the in-process virtual eMRTD, or a scripted exchange in tests.

use std::collections::VecDeque;
use thiserror::Error;

/// Why an APDU exchange failed below the APDU level.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TransportError {
    /// The card left the field (pulled out, moved off the antenna).
    #[error("card removed: place the document on the reader again")]
    CardRemoved,
    /// The card or reader did not answer in time.
    #[error("timeout: the chip did not answer within {0} ms")]
    Timeout(u64),
    /// No reader, or the named reader is not connected.
    #[error("reader not available: {0}")]
    NoReader(String),
    /// The reader could not send this APDU (e.g. extended length unsupported).
    #[error("APDU not supported by the reader: {0}")]
    Unsupported(String),
    /// Any other I/O or driver failure, with context.
    #[error("transport I/O error: {0}")]
    Io(String),
}

/// Sends command APDUs to a chip and returns the raw response (data + SW1 SW2).
pub trait Transport {
    /// Exchanges one APDU.
    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError>;

    /// Whether extended-length APDUs can be sent (the reader and card allow it).
    fn supports_extended_length(&self) -> bool {
        false
    }

    /// A short name for logs and the UI ("virtual eMRTD", a PC/SC reader name).
    fn describe(&self) -> String {
        "transport".into()
    }
}

impl<T: Transport + ?Sized> Transport for &mut T {
    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit(apdu)
    }
    fn supports_extended_length(&self) -> bool {
        (**self).supports_extended_length()
    }
    fn describe(&self) -> String {
        (**self).describe()
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit(apdu)
    }
    fn supports_extended_length(&self) -> bool {
        (**self).supports_extended_length()
    }
    fn describe(&self) -> String {
        (**self).describe()
    }
}

/// An in-memory transport that replays a fixed script of (expected command,
/// response) pairs: used to run the ICAO worked examples and recorded traces.
#[derive(Debug, Default)]
pub struct ScriptedTransport {
    steps: VecDeque<(Vec<u8>, Vec<u8>)>,
    /// Commands received so far.
    pub sent: Vec<Vec<u8>>,
}

impl ScriptedTransport {
    /// An empty script.
    pub fn new() -> ScriptedTransport {
        ScriptedTransport::default()
    }

    /// Appends one expected command and the response to give.
    pub fn expect(mut self, command: Vec<u8>, response: Vec<u8>) -> ScriptedTransport {
        self.steps.push_back((command, response));
        self
    }

    /// Whether every scripted step was used.
    pub fn finished(&self) -> bool {
        self.steps.is_empty()
    }
}

impl Transport for ScriptedTransport {
    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.sent.push(apdu.to_vec());
        let (expected, response) = self
            .steps
            .pop_front()
            .ok_or_else(|| TransportError::Io("script exhausted".into()))?;
        if expected != apdu {
            return Err(TransportError::Io(format!(
                "unexpected command {} (script expected {})",
                crate::hex::encode(apdu),
                crate::hex::encode(&expected)
            )));
        }
        Ok(response)
    }

    fn describe(&self) -> String {
        "scripted transport".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_replays_and_detects_deviation() {
        let mut script = ScriptedTransport::new()
            .expect(vec![1, 2], vec![0x90, 0])
            .expect(vec![3], vec![0x90, 0]);
        assert_eq!(script.transmit(&[1, 2]), Ok(vec![0x90, 0]));
        assert!(script.transmit(&[4]).is_err());
        assert!(script.transmit(&[3]).is_err(), "exhausted");
        assert!(script.finished());
    }
}
