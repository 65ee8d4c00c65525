//! The vsmartcard "vpcd" protocol: the virtual chip connects over TCP to the
//! `vpcd` driver loaded by `pcscd` (default port 35963), which then shows a
//! reader "Virtual PCD" with our card to every PC/SC client.
//!
//! Every message is a 2-byte big-endian length and a payload. A 1-byte payload
//! from vpcd is a control command (0 power off, 1 power on, 2 reset, 4 get ATR;
//! only "get ATR" is answered); anything longer is a command APDU, answered
//! with the response APDU.

use super::VirtualChip;
use crate::transport::{Transport, TransportError};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use thiserror::Error;

/// How long a pulled virtual card stays out of the reader before it is put back.
pub const CARD_AWAY: Duration = Duration::from_millis(1500);

/// Default port of the vpcd driver (0x8C7B).
pub const DEFAULT_PORT: u16 = 35963;

const CONTROL_POWER_OFF: u8 = 0x00;
const CONTROL_POWER_ON: u8 = 0x01;
const CONTROL_RESET: u8 = 0x02;
const CONTROL_GET_ATR: u8 = 0x04;

/// Why the vpcd link stopped.
#[derive(Debug, Error)]
pub enum VpcdError {
    /// Could not reach vpcd (is pcscd running with the vpcd driver?).
    #[error(
        "cannot connect to vpcd at {address}: {source} (is pcscd running with vsmartcard-vpcd?)"
    )]
    Connect {
        /// host:port tried.
        address: String,
        /// Last error.
        source: std::io::Error,
    },
    /// The TCP link failed mid-session.
    #[error("vpcd link to {address}: {source}")]
    Io {
        /// host:port.
        address: String,
        /// The error.
        source: std::io::Error,
    },
}

/// Why a session ended normally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    /// pcscd closed the connection.
    ClosedByPcscd,
    /// The stop flag was raised.
    Stopped,
    /// A `PulledAt` fault removed the card: the link was closed so pcscd sees an empty reader.
    CardPulled,
}

/// Statistics of one session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionReport {
    /// How it ended.
    pub end: SessionEnd,
    /// APDUs answered.
    pub apdus: u32,
}

/// Connects to vpcd, retrying until `connect_timeout` (pcscd may still be loading the driver).
pub fn connect(host: &str, port: u16, connect_timeout: Duration) -> Result<TcpStream, VpcdError> {
    let address = format!("{host}:{port}");
    let started = Instant::now();
    loop {
        match TcpStream::connect(&address) {
            Ok(stream) => {
                // Without TCP_NODELAY every small APDU waits for the delayed-ACK timer (~40 ms).
                stream.set_nodelay(true).map_err(|source| VpcdError::Io {
                    address: address.clone(),
                    source,
                })?;
                return Ok(stream);
            }
            Err(source) if started.elapsed() >= connect_timeout => {
                return Err(VpcdError::Connect { address, source });
            }
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// Acknowledges received segments at once. vpcd sends the length prefix and the
/// APDU in two writes; with delayed ACKs on our side and Nagle on its side, the
/// second write would wait ~40 ms. Linux clears the flag after each receive, so
/// it is set again before every read.
#[cfg(target_os = "linux")]
fn quick_ack(stream: &TcpStream) {
    use std::os::fd::AsRawFd;
    let enable: libc::c_int = 1;
    // SAFETY: setsockopt on a valid, open socket descriptor with a correctly sized c_int option value.
    unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_QUICKACK,
            (&enable as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        );
    }
}

#[cfg(not(target_os = "linux"))]
fn quick_ack(_stream: &TcpStream) {}

fn read_message(stream: &mut TcpStream) -> std::io::Result<Option<Vec<u8>>> {
    quick_ack(stream);
    let mut length = [0u8; 2];
    match stream.read_exact(&mut length) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let mut payload = vec![0u8; usize::from(u16::from_be_bytes(length))];
    quick_ack(stream);
    stream.read_exact(&mut payload)?;
    Ok(Some(payload))
}

fn write_message(stream: &mut TcpStream, payload: &[u8]) -> std::io::Result<()> {
    let length = u16::try_from(payload.len()).map_err(|_| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "response longer than 65535 bytes",
        )
    })?;
    let mut message = length.to_be_bytes().to_vec();
    message.extend_from_slice(payload);
    stream.write_all(&message)
}

/// Serves `chip` over an established vpcd connection until pcscd disconnects,
/// `stop` is raised, or the card is pulled by a fault.
pub fn serve(
    chip: &mut VirtualChip,
    stream: &mut TcpStream,
    stop: &Arc<AtomicBool>,
) -> Result<SessionReport, VpcdError> {
    let address = stream
        .peer_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| "vpcd".into());
    let io = |source| VpcdError::Io {
        address: address.clone(),
        source,
    };
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .map_err(io)?;
    let mut apdus = 0;
    loop {
        if stop.load(Ordering::Relaxed) {
            return Ok(SessionReport {
                end: SessionEnd::Stopped,
                apdus,
            });
        }
        let message = match read_message(stream) {
            Ok(Some(message)) => message,
            Ok(None) => {
                return Ok(SessionReport {
                    end: SessionEnd::ClosedByPcscd,
                    apdus,
                });
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                continue;
            }
            Err(e) => return Err(io(e)),
        };
        match message.as_slice() {
            [CONTROL_POWER_OFF] | [CONTROL_POWER_ON] | [CONTROL_RESET] => chip.reset(),
            [CONTROL_GET_ATR] => write_message(stream, &chip.atr()).map_err(io)?,
            [_] => {}
            apdu => {
                apdus += 1;
                match chip.transmit(apdu) {
                    Ok(response) => write_message(stream, &response).map_err(io)?,
                    Err(TransportError::CardRemoved) => {
                        let _ = stream.shutdown(std::net::Shutdown::Both);
                        return Ok(SessionReport {
                            end: SessionEnd::CardPulled,
                            apdus,
                        });
                    }
                    Err(_) => write_message(stream, &[0x6F, 0x00]).map_err(io)?,
                }
            }
        }
    }
}

/// Runs the virtual chip against vpcd until `stop`: reconnects after pcscd
/// restarts or a pulled card (the card is then "put back").
pub fn run(
    mut chip: VirtualChip,
    host: &str,
    port: u16,
    stop: Arc<AtomicBool>,
) -> Result<(), VpcdError> {
    while !stop.load(Ordering::Relaxed) {
        let mut stream = connect(host, port, Duration::from_secs(10))?;
        let report = serve(&mut chip, &mut stream, &stop)?;
        tracing::info!(?report, "vpcd session ended");
        if report.end == SessionEnd::CardPulled {
            // Stay away long enough for pcscd's presence polling to see an empty reader.
            std::thread::sleep(CARD_AWAY);
            chip.reinsert();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::builder;
    use std::net::TcpListener;

    /// Plays vpcd's side over loopback: power on, ATR, one SELECT, then close.
    #[test]
    fn speaks_the_vpcd_framing() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("binds");
        let port = listener.local_addr().expect("address").port();
        let fake_vpcd = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().expect("accepts");
            write_message(&mut stream, &[CONTROL_POWER_ON]).expect("writes");
            write_message(&mut stream, &[CONTROL_GET_ATR]).expect("writes");
            let atr = read_message(&mut stream).expect("reads").expect("ATR");
            write_message(
                &mut stream,
                &[
                    0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01,
                ],
            )
            .expect("writes");
            let response = read_message(&mut stream).expect("reads").expect("response");
            (atr, response)
        });
        let chip = VirtualChip::new(builder::specimen_passport().expect("builds"));
        let mut chip = chip;
        let mut stream = connect("127.0.0.1", port, Duration::from_secs(5)).expect("connects");
        let stop = Arc::new(AtomicBool::new(false));
        let report = serve(&mut chip, &mut stream, &stop).expect("serves");
        assert_eq!(
            report,
            SessionReport {
                end: SessionEnd::ClosedByPcscd,
                apdus: 1
            }
        );
        let (atr, response) = fake_vpcd.join().expect("fake vpcd");
        assert_eq!(atr, chip.atr());
        assert_eq!(response, vec![0x90, 0x00]);
    }
}
