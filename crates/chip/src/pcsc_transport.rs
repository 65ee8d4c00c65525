//! PC/SC transport (pcsc-lite / WinSCard via the `pcsc` crate): reader list,
//! waiting for a card, T=0/T=1 exchanges with GET RESPONSE and 6Cxx handled at
//! this level, extended-length APDUs when the reader allows them.

use crate::transport::{Transport, TransportError};
use pcsc::{Card, Context, Protocols, ReaderState, Scope, ShareMode, State};
use std::ffi::CString;
use std::time::{Duration, Instant};

fn map_error(error: pcsc::Error, context: &str) -> TransportError {
    match error {
        // A contactless card leaving the field mid-exchange usually surfaces as a
        // failed transaction (the vpcd driver reports nothing else).
        pcsc::Error::RemovedCard
        | pcsc::Error::NoSmartcard
        | pcsc::Error::ResetCard
        | pcsc::Error::UnpoweredCard
        | pcsc::Error::NotTransacted => TransportError::CardRemoved,
        pcsc::Error::Timeout => TransportError::Timeout(0),
        pcsc::Error::NoReadersAvailable
        | pcsc::Error::UnknownReader
        | pcsc::Error::ReaderUnavailable
        | pcsc::Error::NoService
        | pcsc::Error::ServiceStopped => TransportError::NoReader(format!("{context}: {error}")),
        pcsc::Error::InsufficientBuffer | pcsc::Error::InvalidParameter => {
            TransportError::Unsupported(format!("{context}: {error}"))
        }
        other => TransportError::Io(format!("{context}: {other}")),
    }
}

/// Names of the connected PC/SC readers.
pub fn list_readers() -> Result<Vec<String>, TransportError> {
    let context = Context::establish(Scope::User)
        .map_err(|e| map_error(e, "connecting to the PC/SC service"))?;
    match context.list_readers_owned() {
        Ok(readers) => Ok(readers
            .into_iter()
            .map(|r| r.to_string_lossy().into_owned())
            .collect()),
        Err(pcsc::Error::NoReadersAvailable) => Ok(Vec::new()),
        Err(e) => Err(map_error(e, "listing readers")),
    }
}

/// Whether a reader currently holds a card (for the "place the document" prompt).
pub fn card_present(reader: &str) -> Result<bool, TransportError> {
    let context = Context::establish(Scope::User)
        .map_err(|e| map_error(e, "connecting to the PC/SC service"))?;
    let name = CString::new(reader).map_err(|_| TransportError::NoReader(reader.into()))?;
    let mut states = [ReaderState::new(name, State::UNAWARE)];
    context
        .get_status_change(Duration::from_millis(0), &mut states)
        .map_err(|e| map_error(e, reader))?;
    Ok(states[0].event_state().contains(State::PRESENT))
}

/// A change of a reader's card slot, for the UI's "place the document" prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReaderEvent {
    /// A card is now in the field.
    CardPresent,
    /// The slot is now empty.
    CardAbsent,
}

/// Blocks until the slot of `reader` changes from what the caller knows
/// (`known_present`), or `timeout` passes (`Ok(None)`).
pub fn wait_for_change(
    reader: &str,
    known_present: bool,
    timeout: Duration,
) -> Result<Option<ReaderEvent>, TransportError> {
    let context = Context::establish(Scope::User)
        .map_err(|e| map_error(e, "connecting to the PC/SC service"))?;
    let name = CString::new(reader).map_err(|_| TransportError::NoReader(reader.into()))?;
    let known = if known_present {
        State::PRESENT
    } else {
        State::EMPTY
    };
    let mut states = [ReaderState::new(name, known)];
    match context.get_status_change(timeout, &mut states) {
        Ok(()) => {
            let present = states[0].event_state().contains(State::PRESENT);
            if present == known_present {
                return Ok(None);
            }
            Ok(Some(if present {
                ReaderEvent::CardPresent
            } else {
                ReaderEvent::CardAbsent
            }))
        }
        Err(pcsc::Error::Timeout) => Ok(None),
        Err(e) => Err(map_error(e, reader)),
    }
}

/// Waits until a card is present in `reader` (or in any reader when `None`);
/// returns the reader's name.
pub fn wait_for_card(reader: Option<&str>, timeout: Duration) -> Result<String, TransportError> {
    let context = Context::establish(Scope::User)
        .map_err(|e| map_error(e, "connecting to the PC/SC service"))?;
    let started = Instant::now();
    loop {
        let readers: Vec<CString> = match context.list_readers_owned() {
            Ok(readers) => readers,
            Err(pcsc::Error::NoReadersAvailable) => Vec::new(),
            Err(e) => return Err(map_error(e, "listing readers")),
        };
        let wanted: Vec<CString> = readers
            .into_iter()
            .filter(|r| reader.is_none_or(|name| r.to_string_lossy() == name))
            .collect();
        if !wanted.is_empty() {
            let mut states: Vec<ReaderState> = wanted
                .iter()
                .map(|r| ReaderState::new(r.clone(), State::UNAWARE))
                .collect();
            context
                .get_status_change(Duration::from_millis(0), &mut states)
                .map_err(|e| map_error(e, "reader status"))?;
            if let Some(present) = states.iter().find(|s| {
                s.event_state().contains(State::PRESENT) && !s.event_state().contains(State::MUTE)
            }) {
                return Ok(present.name().to_string_lossy().into_owned());
            }
            let remaining = timeout.saturating_sub(started.elapsed());
            if remaining.is_zero() {
                return Err(TransportError::Timeout(timeout.as_millis() as u64));
            }
            for state in &mut states {
                state.sync_current_state();
            }
            match context.get_status_change(remaining.min(Duration::from_millis(500)), &mut states)
            {
                Ok(()) | Err(pcsc::Error::Timeout) => {}
                Err(e) => return Err(map_error(e, "waiting for a card")),
            }
        } else {
            if started.elapsed() >= timeout {
                return Err(match reader {
                    Some(name) => TransportError::NoReader(name.into()),
                    None => TransportError::NoReader("no PC/SC reader connected".into()),
                });
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// A connection to the card in one PC/SC reader.
pub struct PcscTransport {
    // Field order matters: the card must be dropped before its context.
    card: Card,
    _context: Context,
    reader: String,
    extended: bool,
    buffer: Vec<u8>,
}

impl std::fmt::Debug for PcscTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PcscTransport")
            .field("reader", &self.reader)
            .field("extended", &self.extended)
            .finish()
    }
}

impl PcscTransport {
    /// Connects to the card in `reader` (T=0 or T=1). `extended` enables
    /// extended-length APDUs (the reader falls back to short ones if refused).
    pub fn connect(reader: &str, extended: bool) -> Result<PcscTransport, TransportError> {
        let context = Context::establish(Scope::User)
            .map_err(|e| map_error(e, "connecting to the PC/SC service"))?;
        let name = CString::new(reader).map_err(|_| TransportError::NoReader(reader.into()))?;
        let card = context
            .connect(&name, ShareMode::Shared, Protocols::ANY)
            .map_err(|e| map_error(e, reader))?;
        Ok(PcscTransport {
            card,
            _context: context,
            reader: reader.into(),
            extended,
            buffer: vec![0; pcsc::MAX_BUFFER_SIZE_EXTENDED],
        })
    }

    /// The reader name.
    pub fn reader(&self) -> &str {
        &self.reader
    }

    /// The card's answer to reset.
    pub fn atr(&self) -> Result<Vec<u8>, TransportError> {
        let status = self
            .card
            .status2_owned()
            .map_err(|e| map_error(e, &self.reader))?;
        Ok(status.atr().to_vec())
    }

    fn exchange(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        let response = self
            .card
            .transmit(apdu, &mut self.buffer)
            .map_err(|e| map_error(e, &self.reader))?;
        Ok(response.to_vec())
    }
}

impl Transport for PcscTransport {
    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        let mut response = self.exchange(apdu)?;
        // T=0: 6Cxx asks to resend a case-2 command with Le = xx.
        if let [.., 0x6C, available] = response[..]
            && apdu.len() == 5
        {
            let mut again = apdu.to_vec();
            again[4] = available;
            response = self.exchange(&again)?;
        }
        // T=0: 61xx means more data to fetch with GET RESPONSE.
        let mut collected = Vec::new();
        let mut rounds = 0;
        while let [.., 0x61, remaining] = response[..] {
            rounds += 1;
            if rounds > 256 {
                return Err(TransportError::Io("endless GET RESPONSE chain".into()));
            }
            collected.extend_from_slice(&response[..response.len() - 2]);
            response = self.exchange(&[
                apdu.first().copied().unwrap_or(0) & 0x03,
                0xC0,
                0x00,
                0x00,
                remaining,
            ])?;
        }
        if collected.is_empty() {
            Ok(response)
        } else {
            collected.extend(response);
            Ok(collected)
        }
    }

    fn supports_extended_length(&self) -> bool {
        self.extended
    }

    fn describe(&self) -> String {
        format!("PC/SC reader {}", self.reader)
    }
}
