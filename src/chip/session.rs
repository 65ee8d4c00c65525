//! One read of a chip as an officer does it: the key from the printed MRZ (or
//! the CAN), "place the document" with a timeout, progress, and a resumed read
//! when the card left the field, over PC/SC or the in-process virtual eMRTD.

use std::time::{Duration, Instant};

use tdverify_chip::emulator::VirtualChip;
use tdverify_chip::key::{AccessKey, MrzKey};
use tdverify_chip::pcsc_transport::{self, PcscTransport};
use tdverify_chip::reader::{ChipRead, ChipReader, Progress, ReadError, ReadOptions, EMRTD_AID};
use tdverify_chip::transport::{Transport, TransportError};
use thiserror::Error;

/// Why no chip data came back.
#[derive(Debug, Error)]
pub enum SessionError {
    /// The MRZ text or CAN cannot make an access key.
    #[error("{0}")]
    BadKey(String),
    /// No PC/SC service or no reader: the message says what to do.
    #[error("{0}")]
    NoReader(String),
    /// Nobody placed a document within the wait.
    #[error("no document on the reader after {0} s: place the document's photo page (or the card) flat on the reader and try again")]
    NoDocument(u64),
    /// The read itself failed (access denied, card removed for too long, chip error).
    #[error(transparent)]
    Read(#[from] ReadError),
}

impl SessionError {
    /// The one line the officer reads: what went wrong and what to do.
    pub fn officer_message(&self) -> String {
        match self {
            SessionError::Read(e) => super::verify::failure_message(e),
            other => other.to_string(),
        }
    }

    /// The read error as the chip checks want it, or an equivalent transport error.
    pub fn into_read_error(self) -> ReadError {
        match self {
            SessionError::Read(e) => e,
            SessionError::NoReader(why) => ReadError::Transport(TransportError::NoReader(why)),
            SessionError::NoDocument(seconds) => ReadError::Transport(TransportError::Timeout(seconds * 1000)),
            SessionError::BadKey(why) => ReadError::AccessControl(why),
        }
    }
}

/// The access key from MRZ text (2 or 3 lines, as printed); also returns the parsed MRZ
/// for the consistency checks. Check-digit errors do not stop the attempt: the chip decides.
pub fn key_from_mrz_text(text: &str) -> Result<(AccessKey, tdverify_mrz::Mrz), SessionError> {
    let parsed = tdverify_mrz::parse(text).map_err(|e| SessionError::BadKey(format!("cannot use this MRZ: {e}")))?;
    let birth = parsed.birth_date.as_ref().map(|d| d.printed()).unwrap_or_default();
    let expiry = parsed.expiry_date.as_ref().map(|d| d.printed()).unwrap_or_default();
    let key = MrzKey::new(&parsed.document_number, &birth, &expiry)
        .map_err(|e| SessionError::BadKey(format!("cannot build the chip key from this MRZ: {e}")))?;
    Ok((AccessKey::Mrz(key), parsed))
}

/// The access key from a Card Access Number (6 digits printed on ID cards).
pub fn key_from_can(can: &str) -> Result<AccessKey, SessionError> {
    AccessKey::can(can).map_err(|e| SessionError::BadKey(format!("cannot use this CAN: {e}")))
}

/// Where the chip is.
#[derive(Debug)]
pub enum ChipSource {
    /// A PC/SC reader: the named one, or the first with a card.
    Reader(Option<String>),
    /// The in-process virtual eMRTD (demo, training, tests). A pulled card is put back at once.
    Emulator(Box<VirtualChip>),
}

/// Waits and retries.
#[derive(Debug, Clone, Copy)]
pub struct SessionOptions {
    /// How long to wait for the document to be placed.
    pub wait_for_document: Duration,
    /// How long to wait for the document to come back after it was pulled.
    pub wait_for_return: Duration,
    /// How often a pulled card may be resumed.
    pub max_resumes: u32,
}

impl Default for SessionOptions {
    fn default() -> SessionOptions {
        SessionOptions { wait_for_document: Duration::from_secs(30), wait_for_return: Duration::from_secs(30), max_resumes: 3 }
    }
}

/// What the officer should see while the read runs.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionEvent {
    /// Waiting for a document on this reader (or any).
    PlaceDocument(Option<String>),
    /// The chip answered on this reader; reading starts.
    Reading(String),
    /// Bytes read of the current file.
    Progress(Progress),
    /// The card left the field: put it back to resume.
    CardRemoved,
    /// The card is back; access control is redone and reading continues.
    Resumed,
}

/// Reads the chip with `key`, waiting for the document and resuming after a pulled card.
pub fn read_chip(
    source: ChipSource,
    key: AccessKey,
    options: SessionOptions,
    on_event: &mut dyn FnMut(SessionEvent),
) -> Result<ChipRead, SessionError> {
    let mut reader = ChipReader::new(ReadOptions::new(key));
    match source {
        ChipSource::Emulator(mut chip) => {
            on_event(SessionEvent::Reading(chip.describe()));
            let mut resumes = 0;
            loop {
                match reader.read(chip.as_mut(), &mut |p| on_event(SessionEvent::Progress(p))) {
                    Ok(read) => return Ok(read),
                    Err(e) if e.is_resumable() && resumes < options.max_resumes => {
                        resumes += 1;
                        on_event(SessionEvent::CardRemoved);
                        chip.reinsert();
                        on_event(SessionEvent::Resumed);
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
        ChipSource::Reader(name) => {
            ensure_pcsc_readers(name.as_deref())?;
            on_event(SessionEvent::PlaceDocument(name.clone()));
            let mut transport = connect(name.as_deref(), options.wait_for_document)?;
            on_event(SessionEvent::Reading(transport.reader().to_string()));
            let mut resumes = 0;
            loop {
                match reader.read(&mut transport, &mut |p| on_event(SessionEvent::Progress(p))) {
                    Ok(read) => return Ok(read),
                    Err(e) if e.is_resumable() && resumes < options.max_resumes => {
                        resumes += 1;
                        on_event(SessionEvent::CardRemoved);
                        let reader_name = transport.reader().to_string();
                        drop(transport);
                        transport = match connect(Some(&reader_name), options.wait_for_return) {
                            Ok(t) => t,
                            Err(SessionError::NoDocument(_)) => return Err(e.into()),
                            Err(other) => return Err(other),
                        };
                        on_event(SessionEvent::Resumed);
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
    }
}

/// Says what to do when there is no PC/SC service or no reader.
fn ensure_pcsc_readers(wanted: Option<&str>) -> Result<(), SessionError> {
    let readers = pcsc_transport::list_readers().map_err(|e| {
        SessionError::NoReader(format!(
            "no smart-card service ({e}): install and start pcscd (Debian: apt install pcscd; systemctl start pcscd), \
             or read the sample chip with --emulate DIR"
        ))
    })?;
    if readers.is_empty() {
        return Err(SessionError::NoReader(
            "no smart-card reader connected: plug in a contactless (ISO 14443) reader, or read the sample chip with --emulate DIR".into(),
        ));
    }
    if let Some(name) = wanted
        && !readers.iter().any(|r| r == name)
    {
        return Err(SessionError::NoReader(format!("reader `{name}` is not connected; connected readers: {}", readers.join(", "))));
    }
    Ok(())
}

/// Waits for a card, connects, and checks the chip answers (vpcd keeps showing a
/// card that already left until an exchange fails, so probe with a SELECT).
fn connect(reader: Option<&str>, timeout: Duration) -> Result<PcscTransport, SessionError> {
    let started = Instant::now();
    loop {
        let remaining = timeout.saturating_sub(started.elapsed());
        let name = match pcsc_transport::wait_for_card(reader, remaining) {
            Ok(name) => name,
            Err(TransportError::Timeout(_)) => return Err(SessionError::NoDocument(timeout.as_secs())),
            Err(TransportError::NoReader(why)) => return Err(SessionError::NoReader(format!("reader not available: {why}"))),
            Err(e) => return Err(SessionError::Read(e.into())),
        };
        if let Ok(mut transport) = PcscTransport::connect(&name, true) {
            let mut select = vec![0x00, 0xA4, 0x04, 0x0C, EMRTD_AID.len() as u8];
            select.extend_from_slice(&EMRTD_AID);
            if transport.transmit(&select).is_ok_and(|answer| answer.ends_with(&[0x90, 0x00])) {
                return Ok(transport);
            }
        }
        if started.elapsed() >= timeout {
            return Err(SessionError::NoDocument(timeout.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chip_session::fixtures;
    use tdverify_chip::emulator::Fault;

    #[test]
    fn key_comes_from_the_printed_mrz() {
        let lines = fixtures::Holder::specimen().mrz_lines().expect("composes");
        let (key, parsed) = key_from_mrz_text(&lines.join("\n")).expect("key");
        assert_eq!(parsed.document_number, "L898902C");
        let AccessKey::Mrz(mrz_key) = key else { panic!("MRZ key expected") };
        assert_eq!(mrz_key.date_of_birth, "740812");
        assert_eq!(mrz_key.date_of_expiry, "340415");
    }

    #[test]
    fn bad_key_text_is_an_error_not_a_panic() {
        assert!(key_from_mrz_text("hello").is_err());
        assert!(key_from_can("12a").is_err());
        assert!(key_from_can("123456").is_ok());
    }

    #[test]
    fn pulled_card_on_the_emulator_resumes() {
        let set = fixtures::FixtureSet::generate().expect("fixtures");
        let dataset = set.dataset(fixtures::ChipCase::Genuine).expect("dataset");
        let chip = VirtualChip::new(dataset).with_fault(Fault::PulledAt(12));
        let mut events = Vec::new();
        let read = read_chip(ChipSource::Emulator(Box::new(chip)), set.access_key().expect("key"), SessionOptions::default(), &mut |e| {
            events.push(e)
        })
        .expect("resumed read");
        assert!(events.contains(&SessionEvent::CardRemoved));
        assert!(events.contains(&SessionEvent::Resumed));
        assert!(read.files.contains_key(&tdverify_chip::lds::FileId::Dg(2)));
    }
}
