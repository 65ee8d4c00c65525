//! A read session over any [`Transport`]: PACE first when EF.CardAccess offers
//! it, BAC as fallback; then EF.COM, EF.SOD and the data groups, with large
//! reads where the link allows, recovery from 6282 / 6Cxx / 6700 and lost
//! answers, progress reports for the UI, and resumption after the card was
//! pulled (the bytes already read are kept and reading continues after a new
//! authentication).

use crate::apdu::{CommandApdu, ResponseApdu, StatusWord, ins};
use crate::bac::{self, BacError};
use crate::key::AccessKey;
use crate::lds::com::Com;
use crate::lds::security_infos::{self, SecurityInfo};
use crate::lds::{FileId, LdsError};
use crate::pace::{self, CamEvidence, PaceError};
use crate::sm::{SecureMessaging, SmError};
use crate::tlv;
use crate::transport::{Transport, TransportError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;
use thiserror::Error;

/// The eMRTD application identifier (ICAO 9303-10): A0 00 00 02 47 10 01.
pub const EMRTD_AID: [u8; 7] = [0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01];

/// Largest READ BINARY answer with short APDUs under secure messaging that every chip accepts.
pub const SHORT_READ_SIZE: usize = 0xDF;

/// Why a read session stopped.
#[derive(Debug, Error)]
pub enum ReadError {
    /// BAC or PACE refused the key.
    #[error("{0}")]
    AccessDenied(String),
    /// The chip offers no access control this reader can use.
    #[error("access control failed: {0}")]
    AccessControl(String),
    /// Link failure (card removed, timeout...). The session can be resumed.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// Secure messaging broke and re-authentication did not help.
    #[error("secure messaging failed: {0}")]
    SecureMessaging(#[from] SmError),
    /// The chip refused a command that must succeed.
    #[error("{context}: chip answered {sw}")]
    Chip {
        /// What was being done.
        context: String,
        /// The status word.
        sw: StatusWord,
    },
    /// An LDS file needed to continue (EF.COM) is malformed.
    #[error("malformed chip file: {0}")]
    Lds(#[from] LdsError),
    /// Saving or loading a read failed.
    #[error("{context}: {source}")]
    Io {
        /// Which file and what was being done.
        context: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A saved read's JSON is malformed.
    #[error("{context}: {source}")]
    Json {
        /// Which file.
        context: String,
        /// The parse error.
        source: serde_json::Error,
    },
}

impl ReadError {
    /// Whether reading can continue with [`ChipReader::read`] once the card is back.
    pub fn is_resumable(&self) -> bool {
        matches!(
            self,
            ReadError::Transport(_) | ReadError::SecureMessaging(_)
        )
    }
}

/// Which access control opened the chip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Access {
    /// Basic Access Control.
    Bac,
    /// PACE.
    Pace,
}

/// Options of a read session.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// MRZ data or CAN.
    pub key: AccessKey,
    /// Files to read; empty = EF.COM, EF.SOD and every data group EF.COM lists
    /// (except DG3/DG4, which need extended access control).
    pub files: Vec<FileId>,
    /// Use extended-length READ BINARY when the transport supports it.
    pub extended_length: bool,
    /// Bytes per READ BINARY with extended length.
    pub extended_read_size: usize,
    /// Bytes per READ BINARY with short APDUs.
    pub short_read_size: usize,
    /// How often a failed command is retried (with re-authentication) before giving up.
    pub max_retries: u32,
    /// Try PACE when EF.CardAccess offers it.
    pub try_pace: bool,
    /// Run chip authentication when DG14 offers it.
    pub chip_authentication: bool,
    /// Run active authentication when DG15 is present.
    pub active_authentication: bool,
}

impl ReadOptions {
    /// Defaults: all listed files, extended length when possible (16 KB reads), 3 retries, PACE first.
    pub fn new(key: AccessKey) -> ReadOptions {
        ReadOptions {
            key,
            files: Vec::new(),
            extended_length: true,
            extended_read_size: 0x4000,
            short_read_size: SHORT_READ_SIZE,
            max_retries: 3,
            try_pace: true,
            chip_authentication: true,
            active_authentication: true,
        }
    }
}

/// Progress of the file being read, for the UI progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// File being read.
    pub file: FileId,
    /// Bytes read so far.
    pub bytes_read: usize,
    /// File size once known (0 before the header is read).
    pub total: usize,
}

/// Timings of a read, in milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Timings {
    /// Access control (BAC or PACE, including EF.CardAccess).
    pub access_ms: f64,
    /// Per file.
    pub files_ms: BTreeMap<FileId, f64>,
    /// Whole session.
    pub total_ms: f64,
}

/// Outcome of active or chip authentication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthStatus {
    /// The chip proved it holds the private key.
    Passed,
    /// The chip failed to prove it: possible clone.
    Failed,
    /// The chip does not offer it (no DG15 / no DG14 entry / unsupported variant).
    NotSupported,
    /// Not run (disabled, or the read stopped before).
    NotPerformed,
}

/// Status and reason of active or chip authentication, shown to the officer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthResult {
    /// Outcome.
    pub status: AuthStatus,
    /// Why, in words an officer can act on.
    pub reason: String,
}

impl AuthResult {
    fn new(status: AuthStatus, reason: impl Into<String>) -> AuthResult {
        AuthResult {
            status,
            reason: reason.into(),
        }
    }

    /// "not performed".
    pub fn not_performed() -> AuthResult {
        AuthResult::new(AuthStatus::NotPerformed, "not performed")
    }
}

impl Default for AuthResult {
    fn default() -> AuthResult {
        AuthResult::not_performed()
    }
}

/// Everything read from a chip: serde-able, savable to a folder and loadable again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChipRead {
    /// Access control used.
    pub access: Access,
    /// PACE protocol name when PACE was used, e.g. "PACE-ECDH-GM-AES-128".
    pub pace_protocol: Option<String>,
    /// File contents.
    #[serde(with = "hex_files")]
    pub files: BTreeMap<FileId, Vec<u8>>,
    /// Files that could not be read, with the reason (e.g. DG3 "security status not satisfied").
    pub unreadable: BTreeMap<FileId, String>,
    /// Chip authentication outcome.
    #[serde(default)]
    pub ca: AuthResult,
    /// Active authentication outcome.
    #[serde(default)]
    pub aa: AuthResult,
    /// PACE-CAM chip authentication data, when PACE-CAM was used (verify with
    /// [`pace::verify_cam`] against EF.CardSecurity keys if DG14 is absent).
    #[serde(default)]
    pub cam: Option<CamEvidence>,
    /// APDUs exchanged.
    pub apdu_count: u32,
    /// Timings.
    pub timings: Timings,
}

mod hex_files {
    use super::FileId;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::BTreeMap;

    pub fn serialize<S: Serializer>(
        files: &BTreeMap<FileId, Vec<u8>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let text: BTreeMap<FileId, String> = files
            .iter()
            .map(|(id, bytes)| (*id, crate::hex::encode(bytes)))
            .collect();
        text.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<BTreeMap<FileId, Vec<u8>>, D::Error> {
        let text = BTreeMap::<FileId, String>::deserialize(deserializer)?;
        text.into_iter()
            .map(|(id, hex)| {
                crate::hex::decode(&hex)
                    .map(|bytes| (id, bytes))
                    .ok_or_else(|| serde::de::Error::custom(format!("{id}: bad hex")))
            })
            .collect()
    }
}

const SUMMARY_FILE: &str = "chip-read.json";

/// The fewest APDUs that reading `files` needs with `read_size` bytes per
/// READ BINARY (one SELECT plus ceil(size / read_size) reads per file), for
/// printing next to the APDU count actually used.
pub fn minimum_read_apdus(files: &BTreeMap<FileId, Vec<u8>>, read_size: usize) -> u32 {
    let read_size = read_size.max(1);
    files
        .values()
        .map(|bytes| 1 + bytes.len().div_ceil(read_size).max(1) as u32)
        .sum()
}

impl ChipRead {
    /// Saves the read to a folder: one `<FILE>.bin` per file (e.g. `DG1.bin`) and
    /// `chip-read.json` with access, APDU count, timings and unreadable files.
    pub fn save(&self, dir: &Path) -> Result<(), ReadError> {
        std::fs::create_dir_all(dir).map_err(|source| ReadError::Io {
            context: format!("creating {}", dir.display()),
            source,
        })?;
        for (id, bytes) in &self.files {
            let path = dir.join(format!("{}.bin", id.name()));
            std::fs::write(&path, bytes).map_err(|source| ReadError::Io {
                context: format!("writing {}", path.display()),
                source,
            })?;
        }
        let mut summary = self.clone();
        summary.files.clear();
        let json = serde_json::to_string_pretty(&summary).map_err(|source| ReadError::Json {
            context: "encoding chip-read.json".into(),
            source,
        })?;
        let path = dir.join(SUMMARY_FILE);
        std::fs::write(&path, json).map_err(|source| ReadError::Io {
            context: format!("writing {}", path.display()),
            source,
        })
    }

    /// The JSON summary of `tdverify chip read --json`: `access` ("BAC"|"PACE"),
    /// `pace_protocol`, `data_groups` (names read), `unreadable`, `aa` and `ca`
    /// (each `{status, reason}`), `apdus`, `ms`. The caller adds `pa` from
    /// passive authentication.
    pub fn summary_json(&self) -> serde_json::Value {
        serde_json::json!({
            "access": self.access,
            "pace_protocol": self.pace_protocol,
            "data_groups": self.files.keys().map(|f| f.name()).collect::<Vec<_>>(),
            "unreadable": self.unreadable.iter().map(|(f, why)| (f.name(), why.clone())).collect::<BTreeMap<_, _>>(),
            "aa": self.aa,
            "ca": self.ca,
            "apdus": self.apdu_count,
            "ms": (self.timings.total_ms * 10.0).round() / 10.0,
        })
    }

    /// Loads a read saved with [`ChipRead::save`]. A folder with only `.bin` files
    /// (e.g. a fixture dataset) loads too, with access BAC and no timings.
    pub fn load(dir: &Path) -> Result<ChipRead, ReadError> {
        let summary_path = dir.join(SUMMARY_FILE);
        let mut read = if summary_path.exists() {
            let text = std::fs::read_to_string(&summary_path).map_err(|source| ReadError::Io {
                context: format!("reading {}", summary_path.display()),
                source,
            })?;
            serde_json::from_str(&text).map_err(|source| ReadError::Json {
                context: summary_path.display().to_string(),
                source,
            })?
        } else {
            ChipRead {
                access: Access::Bac,
                pace_protocol: None,
                files: BTreeMap::new(),
                unreadable: BTreeMap::new(),
                ca: AuthResult::not_performed(),
                aa: AuthResult::not_performed(),
                cam: None,
                apdu_count: 0,
                timings: Timings::default(),
            }
        };
        for id in FileId::all() {
            let path: PathBuf = dir.join(format!("{}.bin", id.name()));
            if path.exists() {
                let bytes = std::fs::read(&path).map_err(|source| ReadError::Io {
                    context: format!("reading {}", path.display()),
                    source,
                })?;
                read.files.insert(id, bytes);
            }
        }
        Ok(read)
    }
}

/// Sends commands, with secure messaging once a session exists; counts APDUs.
struct Link<'a> {
    transport: &'a mut dyn Transport,
    sm: Option<SecureMessaging>,
    apdu_count: u32,
}

impl Link<'_> {
    fn send(&mut self, command: &CommandApdu) -> Result<ResponseApdu, ReadError> {
        let wire = match self.sm.as_mut() {
            Some(sm) => sm.protect_command(command)?,
            None => command.clone(),
        };
        let bytes = wire
            .to_bytes()
            .map_err(|e| ReadError::AccessControl(e.to_string()))?;
        let raw = self.transport.transmit(&bytes)?;
        self.apdu_count += 1;
        match self.sm.as_mut() {
            Some(sm) => Ok(sm.unprotect_response(&raw)?),
            None => ResponseApdu::parse(&raw).map_err(|e| ReadError::AccessControl(e.to_string())),
        }
    }

    fn select_file(&mut self, id: FileId) -> Result<StatusWord, ReadError> {
        let command = CommandApdu::new(0x00, ins::SELECT, 0x02, 0x0C)
            .with_data(id.fid().to_be_bytes().to_vec());
        Ok(self.send(&command)?.sw)
    }

    fn select_applet(&mut self) -> Result<(), ReadError> {
        let command = CommandApdu::new(0x00, ins::SELECT, 0x04, 0x0C).with_data(EMRTD_AID.to_vec());
        let response = self.send(&command)?;
        if !response.sw.is_success() {
            return Err(ReadError::Chip {
                context: "selecting the eMRTD application".into(),
                sw: response.sw,
            });
        }
        Ok(())
    }

    fn read_binary(&mut self, offset: usize, length: usize) -> Result<ResponseApdu, ReadError> {
        if offset <= 0x7FFF {
            let command =
                CommandApdu::new(0x00, ins::READ_BINARY, (offset >> 8) as u8, offset as u8)
                    .with_ne(length);
            return self.send(&command);
        }
        // Offsets beyond 32767 need the odd instruction with an offset data object (54).
        let offset_bytes: Vec<u8> = (offset as u32)
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        let command = CommandApdu::new(0x00, ins::READ_BINARY_ODD, 0, 0)
            .with_data(tlv::encode(0x54, &offset_bytes))
            .with_ne(length + 4);
        let mut response = self.send(&command)?;
        if !response.data.is_empty() {
            response.data = tlv::find(&response.data, 0x53)
                .ok()
                .flatten()
                .map(<[u8]>::to_vec)
                .unwrap_or_default();
        }
        Ok(response)
    }
}

/// Where a read stands; kept across [`ChipReader::read`] calls so a pulled card can be resumed.
#[derive(Debug, Default, Clone)]
struct ReadState {
    files: BTreeMap<FileId, Vec<u8>>,
    unreadable: BTreeMap<FileId, String>,
    partial: Option<(FileId, Vec<u8>)>,
    access: Option<(Access, Option<String>)>,
    card_access: Option<Vec<u8>>,
    ca: Option<AuthResult>,
    aa: Option<AuthResult>,
    cam: Option<CamEvidence>,
    apdu_count: u32,
    timings: Timings,
}

/// A resumable read session.
#[derive(Debug, Clone)]
pub struct ChipReader {
    options: ReadOptions,
    state: ReadState,
    short_only: bool,
}

impl ChipReader {
    /// A new session.
    pub fn new(options: ReadOptions) -> ChipReader {
        ChipReader {
            options,
            state: ReadState::default(),
            short_only: false,
        }
    }

    /// Bytes read so far, including a partly read file (for resumption reports).
    pub fn bytes_read(&self) -> usize {
        self.state.files.values().map(Vec::len).sum::<usize>()
            + self.state.partial.as_ref().map_or(0, |(_, b)| b.len())
    }

    /// Runs (or resumes) the read. After a resumable error, call again with the
    /// card back on the reader: access control is redone and reading continues
    /// from the bytes already read.
    pub fn read(
        &mut self,
        transport: &mut dyn Transport,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<ChipRead, ReadError> {
        let started = Instant::now();
        let extended = self.options.extended_length && transport.supports_extended_length();
        let mut link = Link {
            transport,
            sm: None,
            apdu_count: 0,
        };
        let result = self.run(&mut link, extended, progress);
        self.state.apdu_count += link.apdu_count;
        self.state.timings.total_ms += started.elapsed().as_secs_f64() * 1000.0;
        result?;
        let (access, pace_protocol) = self.state.access.clone().unwrap_or((Access::Bac, None));
        Ok(ChipRead {
            access,
            pace_protocol,
            files: self.state.files.clone(),
            unreadable: self.state.unreadable.clone(),
            ca: self.state.ca.clone().unwrap_or_default(),
            aa: self.state.aa.clone().unwrap_or_default(),
            cam: self.state.cam.clone(),
            apdu_count: self.state.apdu_count,
            timings: self.state.timings.clone(),
        })
    }

    fn run(
        &mut self,
        link: &mut Link<'_>,
        extended: bool,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(), ReadError> {
        self.authenticate(link)?;
        let mut wanted = self.options.files.clone();
        if wanted.is_empty() {
            wanted = vec![FileId::Com];
        }
        let automatic = self.options.files.is_empty();
        let mut index = 0;
        while let Some(&id) = wanted.get(index) {
            index += 1;
            if self.state.files.contains_key(&id) || self.state.unreadable.contains_key(&id) {
                if automatic && id == FileId::Com {
                    wanted.extend(self.files_from_com()?);
                }
                continue;
            }
            self.read_file_with_retries(link, id, extended, progress)?;
            if automatic && id == FileId::Com {
                wanted.extend(self.files_from_com()?);
            }
        }
        if self.state.ca.is_none() {
            let outcome = self.chip_authentication(link)?;
            self.state.ca = Some(outcome);
        }
        if self.state.aa.is_none() {
            let outcome = self.active_authentication(link)?;
            self.state.aa = Some(outcome);
        }
        Ok(())
    }

    fn chip_authentication(&mut self, link: &mut Link<'_>) -> Result<AuthResult, ReadError> {
        if !self.options.chip_authentication {
            return Ok(AuthResult::new(AuthStatus::NotPerformed, "disabled"));
        }
        if let Some(evidence) = &self.state.cam {
            let infos = self
                .state
                .files
                .get(&FileId::Dg(14))
                .and_then(|b| crate::lds::dg14::parse(b).ok());
            return Ok(match infos {
                Some(infos) => match pace::verify_cam(evidence, &infos) {
                    Ok(()) => AuthResult::new(
                        AuthStatus::Passed,
                        "chip proved its DG14 key during PACE (chip authentication mapping)",
                    ),
                    Err(reason) => {
                        AuthResult::new(AuthStatus::Failed, format!("PACE-CAM: {reason}"))
                    }
                },
                None => AuthResult::new(
                    AuthStatus::NotPerformed,
                    "PACE-CAM data kept: verify it against the EF.CardSecurity key after passive authentication",
                ),
            });
        }
        let Some(dg14_bytes) = self.state.files.get(&FileId::Dg(14)) else {
            return Ok(AuthResult::new(
                AuthStatus::NotSupported,
                "no DG14: the chip offers no chip authentication",
            ));
        };
        let infos = match crate::lds::dg14::parse(dg14_bytes) {
            Ok(infos) => infos,
            Err(e) => {
                return Ok(AuthResult::new(
                    AuthStatus::Failed,
                    format!("DG14 malformed: {e}"),
                ));
            }
        };
        let plan = match crate::ca::plan(&infos) {
            Ok(plan) => plan,
            Err(e) => return Ok(AuthResult::new(AuthStatus::NotSupported, e.to_string())),
        };
        let (commands, session) = match crate::ca::terminal_commands(&plan) {
            Ok(built) => built,
            Err(e) => return Ok(AuthResult::new(AuthStatus::Failed, e.to_string())),
        };
        for command in &commands {
            let response = link.send(command)?;
            if !response.sw.is_success() {
                return Ok(AuthResult::new(
                    AuthStatus::Failed,
                    format!("chip refused chip authentication ({})", response.sw),
                ));
            }
        }
        link.sm = Some(session);
        // Only the real chip can answer under the new keys.
        match link.select_file(FileId::Com) {
            Ok(sw) if sw.is_success() => Ok(AuthResult::new(
                AuthStatus::Passed,
                format!(
                    "chip proved it holds the DG14 key ({}, secure messaging restarted)",
                    crate::ca::describe(&plan.domain)
                ),
            )),
            Ok(sw) => Ok(AuthResult::new(
                AuthStatus::Failed,
                format!("chip answered {sw} after chip authentication"),
            )),
            Err(ReadError::SecureMessaging(e)) => {
                let result = AuthResult::new(
                    AuthStatus::Failed,
                    format!(
                        "chip could not continue secure messaging with the DG14 key ({e}): possible clone"
                    ),
                );
                // Reopen a session for what follows.
                self.authenticate(link)?;
                Ok(result)
            }
            Err(other) => Err(other),
        }
    }

    fn active_authentication(&mut self, link: &mut Link<'_>) -> Result<AuthResult, ReadError> {
        if !self.options.active_authentication {
            return Ok(AuthResult::new(AuthStatus::NotPerformed, "disabled"));
        }
        let Some(dg15_bytes) = self.state.files.get(&FileId::Dg(15)).cloned() else {
            return Ok(AuthResult::new(
                AuthStatus::NotSupported,
                "no DG15: the chip offers no active authentication",
            ));
        };
        let infos = self
            .state
            .files
            .get(&FileId::Dg(14))
            .and_then(|b| crate::lds::dg14::parse(b).ok())
            .unwrap_or_default();
        let challenge =
            crate::crypto::random_bytes(8).map_err(|e| ReadError::AccessControl(e.to_string()))?;
        let command = CommandApdu::new(0x00, ins::INTERNAL_AUTHENTICATE, 0, 0)
            .with_data(challenge.clone())
            .with_ne(256);
        let response = link.send(&command)?;
        if !response.sw.is_success() {
            return Ok(AuthResult::new(
                AuthStatus::Failed,
                format!("chip refused INTERNAL AUTHENTICATE ({})", response.sw),
            ));
        }
        Ok(
            match crate::aa::verify(&dg15_bytes, &infos, &challenge, &response.data) {
                Ok(()) => AuthResult::new(
                    AuthStatus::Passed,
                    "chip signed a fresh challenge with the DG15 key",
                ),
                Err(crate::aa::AaError::BadKey(reason)) => {
                    AuthResult::new(AuthStatus::Failed, format!("DG15 key unusable: {reason}"))
                }
                Err(e) => AuthResult::new(AuthStatus::Failed, format!("{e}: possible clone")),
            },
        )
    }

    fn files_from_com(&self) -> Result<Vec<FileId>, ReadError> {
        let Some(bytes) = self.state.files.get(&FileId::Com) else {
            return Ok(vec![FileId::Sod]);
        };
        let com = Com::parse(bytes)?;
        let mut files = vec![FileId::Sod];
        files.extend(
            com.files
                .into_iter()
                .filter(|f| !matches!(f, FileId::Dg(3) | FileId::Dg(4)) && *f != FileId::Sod),
        );
        Ok(files)
    }

    fn authenticate(&mut self, link: &mut Link<'_>) -> Result<(), ReadError> {
        let started = Instant::now();
        link.sm = None;
        if self.state.card_access.is_none() && self.options.try_pace {
            self.state.card_access = Some(read_card_access(link)?);
        }
        let infos: Vec<SecurityInfo> = self
            .state
            .card_access
            .as_deref()
            .filter(|bytes| !bytes.is_empty())
            .and_then(|bytes| security_infos::parse(bytes).ok())
            .unwrap_or_default();
        if let Some(bytes) = self.state.card_access.as_ref().filter(|b| !b.is_empty()) {
            self.state.files.insert(FileId::CardAccess, bytes.clone());
        }
        let offers_pace =
            self.options.try_pace && infos.iter().any(|i| matches!(i, SecurityInfo::Pace { .. }));
        let mut pace_failure = None;
        if offers_pace {
            let mut count = 0;
            let outcome = pace::perform(link.transport, &self.options.key, &infos, &mut count);
            link.apdu_count += count;
            match outcome {
                Ok(outcome) => {
                    link.sm = Some(outcome.sm);
                    if outcome.cam.is_some() {
                        self.state.cam = outcome.cam;
                    }
                    if !self.state.files.contains_key(&FileId::CardSecurity)
                        && !self.state.unreadable.contains_key(&FileId::CardSecurity)
                    {
                        // EF.CardSecurity sits in the master file and opens only after PACE.
                        self.read_card_security(link)?;
                    }
                    link.select_applet()?;
                    self.state.access = Some((Access::Pace, Some(outcome.protocol.name())));
                    self.state.timings.access_ms += started.elapsed().as_secs_f64() * 1000.0;
                    return Ok(());
                }
                Err(PaceError::AccessDenied(sw)) => {
                    return Err(ReadError::AccessDenied(format!(
                        "access denied: check the MRZ or CAN (PACE refused, {sw})"
                    )));
                }
                Err(PaceError::BadChipToken) => {
                    return Err(ReadError::AccessDenied(
                        "access denied: check the MRZ or CAN (chip token does not verify)".into(),
                    ));
                }
                Err(PaceError::Transport(e)) => return Err(e.into()),
                Err(other) => pace_failure = Some(other.to_string()),
            }
        }
        let AccessKey::Mrz(mrz) = &self.options.key else {
            return Err(ReadError::AccessControl(pace_failure.unwrap_or_else(
                || "the chip offers no PACE, and BAC needs the MRZ, not the CAN".into(),
            )));
        };
        link.select_applet()?;
        let mut count = 0;
        let outcome = bac::perform(link.transport, mrz, &mut count);
        link.apdu_count += count;
        match outcome {
            Ok(sm) => {
                link.sm = Some(sm);
                self.state.access = Some((Access::Bac, None));
                self.state.timings.access_ms += started.elapsed().as_secs_f64() * 1000.0;
                Ok(())
            }
            Err(BacError::Transport(e)) => Err(e.into()),
            Err(e @ (BacError::AccessDenied(_) | BacError::BadChipCryptogram)) => {
                Err(ReadError::AccessDenied(e.to_string()))
            }
            Err(other) => Err(ReadError::AccessControl(other.to_string())),
        }
    }

    fn read_card_security(&mut self, link: &mut Link<'_>) -> Result<(), ReadError> {
        let sw = link.select_file(FileId::CardSecurity)?;
        if !sw.is_success() {
            self.state
                .unreadable
                .insert(FileId::CardSecurity, sw.meaning());
            return Ok(());
        }
        let mut bytes = Vec::new();
        loop {
            let want = match tlv::header_total_len(&bytes) {
                Ok((_, total)) if bytes.len() >= total => break,
                Ok((_, total)) => (total - bytes.len()).min(SHORT_READ_SIZE),
                Err(_) => SHORT_READ_SIZE,
            };
            let response = link.read_binary(bytes.len(), want)?;
            let ended = response.data.is_empty() || response.sw != StatusWord::OK;
            bytes.extend(response.data);
            if ended {
                break;
            }
        }
        self.state.files.insert(FileId::CardSecurity, bytes);
        Ok(())
    }

    fn read_file_with_retries(
        &mut self,
        link: &mut Link<'_>,
        id: FileId,
        extended: bool,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(), ReadError> {
        let started = Instant::now();
        let mut attempts = 0;
        let mut extended = extended && !self.short_only;
        loop {
            match self.read_file(link, id, extended, progress) {
                Ok(()) => break,
                // Some chips answer an extended APDU with a plain 6700 and drop the session.
                Err(
                    ReadError::SecureMessaging(SmError::Unprotected(StatusWord::WRONG_LENGTH))
                    | ReadError::Transport(TransportError::Unsupported(_)),
                ) if extended => {
                    tracing::info!(file = %id, "extended length refused: continuing with short reads");
                    extended = false;
                    self.short_only = true;
                    self.authenticate(link)?;
                }
                // A lost or garbled answer desynchronises secure messaging: authenticate again and continue.
                Err(
                    error @ (ReadError::SecureMessaging(_)
                    | ReadError::Transport(TransportError::Timeout(_))),
                ) => {
                    attempts += 1;
                    tracing::warn!(file = %id, %error, attempts, "retrying after re-authentication");
                    if attempts > self.options.max_retries {
                        return Err(error);
                    }
                    self.authenticate(link)?;
                }
                Err(other) => return Err(other),
            }
        }
        *self.state.timings.files_ms.entry(id).or_default() +=
            started.elapsed().as_secs_f64() * 1000.0;
        Ok(())
    }

    fn read_file(
        &mut self,
        link: &mut Link<'_>,
        id: FileId,
        extended: bool,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(), ReadError> {
        let sw = link.select_file(id)?;
        if !sw.is_success() {
            if sw == StatusWord::FILE_NOT_FOUND
                || sw == StatusWord::SECURITY_NOT_SATISFIED
                || sw == StatusWord::CONDITIONS_NOT_SATISFIED
            {
                self.state.unreadable.insert(id, sw.meaning());
                return Ok(());
            }
            return Err(ReadError::Chip {
                context: format!("selecting {id}"),
                sw,
            });
        }
        let mut buffer = match self.state.partial.take() {
            Some((partial_id, bytes)) if partial_id == id => bytes,
            _ => Vec::new(),
        };
        let mut chunk = if extended {
            self.options.extended_read_size.max(1)
        } else {
            self.options.short_read_size.clamp(1, 256)
        };
        let mut total: Option<usize> = tlv::header_total_len(&buffer).ok().map(|(_, t)| t);
        let mut wrong_le_retries = 0;
        let mut length_override: Option<usize> = None;
        loop {
            if let Some(total) = total
                && buffer.len() >= total
            {
                buffer.truncate(total);
                break;
            }
            let want = match length_override.take() {
                Some(exact) => exact,
                None => match total {
                    Some(total) => (total - buffer.len()).min(chunk),
                    // Before the size is known read a little: most files are larger, small ones end with 6282.
                    None => chunk.min(if buffer.is_empty() {
                        0xDF.min(chunk)
                    } else {
                        chunk
                    }),
                },
            };
            let response = match link.read_binary(buffer.len(), want) {
                Ok(response) => response,
                Err(error) => {
                    self.state.partial = Some((id, buffer));
                    return Err(error);
                }
            };
            match (response.sw.sw1(), response.sw.sw2()) {
                (0x90, 0x00) | (0x62, 0x82) => {
                    let mut data = response.data;
                    data.truncate(want);
                    let ended = data.is_empty() || response.sw == StatusWord::END_OF_FILE;
                    buffer.extend(data);
                    if total.is_none() {
                        total = tlv::header_total_len(&buffer).ok().map(|(_, t)| t);
                    }
                    progress(Progress {
                        file: id,
                        bytes_read: buffer.len(),
                        total: total.unwrap_or(0),
                    });
                    if ended {
                        break;
                    }
                }
                (0x6C, available) => {
                    wrong_le_retries += 1;
                    if wrong_le_retries > 4 {
                        return Err(ReadError::Chip {
                            context: format!("reading {id}"),
                            sw: response.sw,
                        });
                    }
                    // Ask again for exactly what the chip says it has at this offset.
                    length_override = Some(if available == 0 {
                        256
                    } else {
                        usize::from(available)
                    });
                }
                (0x67, 0x00) => {
                    // Wrong length: the chip or reader cannot answer that much at once.
                    if chunk <= 1 {
                        return Err(ReadError::Chip {
                            context: format!("reading {id}"),
                            sw: response.sw,
                        });
                    }
                    chunk = if chunk > self.options.short_read_size {
                        self.options.short_read_size
                    } else {
                        chunk / 2
                    };
                }
                (0x6B, 0x00) => break,
                _ => {
                    if buffer.is_empty()
                        && (response.sw == StatusWord::SECURITY_NOT_SATISFIED
                            || response.sw == StatusWord::CONDITIONS_NOT_SATISFIED)
                    {
                        self.state.unreadable.insert(id, response.sw.meaning());
                        return Ok(());
                    }
                    self.state.partial = Some((id, buffer));
                    return Err(ReadError::Chip {
                        context: format!("reading {id}"),
                        sw: response.sw,
                    });
                }
            }
        }
        if let Some(total) = total
            && buffer.len() < total
        {
            // Keep what the chip gave: passive authentication will show the hash mismatch.
            self.state.unreadable.insert(
                id,
                format!("truncated: the chip gave {} of {total} bytes", buffer.len()),
            );
        }
        self.state.files.insert(id, buffer);
        Ok(())
    }
}

/// Reads EF.CardAccess from the master file before any access control; empty when absent.
fn read_card_access(link: &mut Link<'_>) -> Result<Vec<u8>, ReadError> {
    // EF.CardAccess lives in the master file: leave any selected application first.
    // Some chips refuse this SELECT; the EF selection below decides.
    link.send(&CommandApdu::new(0x00, ins::SELECT, 0x00, 0x0C).with_data(vec![0x3F, 0x00]))?;
    let sw = link.select_file(FileId::CardAccess)?;
    if !sw.is_success() {
        return Ok(Vec::new());
    }
    let mut bytes = Vec::new();
    loop {
        let response = link.read_binary(bytes.len(), 0xDF)?;
        let ended = response.data.is_empty() || response.sw != StatusWord::OK;
        if response.sw.sw1() == 0x6C {
            let response = link.read_binary(bytes.len(), usize::from(response.sw.sw2()))?;
            bytes.extend(response.data);
            break;
        }
        bytes.extend(response.data);
        if let Ok((_, total)) = tlv::header_total_len(&bytes)
            && bytes.len() >= total
        {
            bytes.truncate(total);
            break;
        }
        if ended {
            break;
        }
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::{self, KeyFilesAuthenticity};
    use crate::crypto::CipherKind;
    use crate::emulator::builder::{self, AaKeySpec, DatasetSpec};
    use crate::emulator::{ChipDataset, Fault, VirtualChip};
    use crate::key::MrzKey;
    use std::sync::OnceLock;
    use tdverify_core::CheckStatus;

    fn specimen() -> ChipDataset {
        static DATASET: OnceLock<ChipDataset> = OnceLock::new();
        DATASET
            .get_or_init(|| builder::specimen_passport().expect("builds"))
            .clone()
    }

    fn with_fake_sod(mut dataset: ChipDataset) -> ChipDataset {
        dataset.files.insert(
            FileId::Sod,
            crate::lds::encode_sod(&[0x30, 0x03, 0x02, 0x01, 0x03]),
        );
        dataset
    }

    fn mrz_key() -> AccessKey {
        AccessKey::Mrz(MrzKey::new("L898902C", "740812", "120415").expect("valid"))
    }

    fn read(chip: &mut VirtualChip, options: ReadOptions) -> Result<ChipRead, ReadError> {
        ChipReader::new(options).read(chip, &mut |_| {})
    }

    fn expected_files(dataset: &ChipDataset) -> BTreeMap<FileId, Vec<u8>> {
        dataset
            .files
            .iter()
            .filter(|(id, _)| **id != FileId::CardSecurity)
            .map(|(id, bytes)| (*id, bytes.clone()))
            .collect()
    }

    #[test]
    fn pace_read_of_a_passport_with_aa_and_ca() {
        let dataset = with_fake_sod(specimen());
        let mut chip = VirtualChip::new(dataset.clone());
        let mut updates = Vec::new();
        let result =
            ChipReader::new(ReadOptions::new(mrz_key())).read(&mut chip, &mut |p| updates.push(p));
        let read = result.expect("reads");
        assert_eq!(read.access, Access::Pace);
        assert_eq!(read.pace_protocol.as_deref(), Some("PACE-ECDH-GM-AES-128"));
        assert_eq!(read.files, expected_files(&dataset));
        assert_eq!(read.ca.status, AuthStatus::Passed, "{}", read.ca.reason);
        assert_eq!(read.aa.status, AuthStatus::Passed, "{}", read.aa.reason);
        let dg2 = updates
            .iter()
            .filter(|p| p.file == FileId::Dg(2))
            .collect::<Vec<_>>();
        let last = dg2.last().expect("progress for DG2");
        assert_eq!(last.bytes_read, last.total);
        assert!(last.total > 20_000);
        let authenticity = KeyFilesAuthenticity {
            dg14: Some(true),
            dg15: Some(true),
            sod_trusted: Some(true),
        };
        let all = checks::checks(&Ok(read.clone()), authenticity);
        assert!(
            all.iter().all(|c| c.status == CheckStatus::Pass),
            "{all:#?}"
        );
    }

    #[test]
    fn bac_fallback_when_no_card_access() {
        let mut dataset = with_fake_sod(specimen());
        dataset.files.remove(&FileId::CardAccess);
        let mut chip = VirtualChip::new(dataset.clone());
        let read = read(&mut chip, ReadOptions::new(mrz_key())).expect("reads");
        assert_eq!(read.access, Access::Bac);
        assert_eq!(read.files, expected_files(&dataset));
        assert_eq!(read.ca.status, AuthStatus::Passed, "{}", read.ca.reason);
        assert_eq!(read.aa.status, AuthStatus::Passed, "{}", read.aa.reason);
    }

    #[test]
    fn pace_with_can_and_3des_rsa_variants() {
        let key = MrzKey::new("T22000129", "640812", "101031").expect("valid");
        let mut spec = DatasetSpec::passport(
            vec![
                "I<UTOT22000129<<<<<<<<<<<<<<<<".into(),
                "6408125F1010318UTO<<<<<<<<<<<6".into(),
                "MUSTERMANN<<ERIKA<<<<<<<<<<<<<".into(),
            ],
            key,
        );
        spec.can = Some("123456".into());
        spec.bac = false;
        spec.pace = Some((CipherKind::Tdes, 112, 12));
        spec.active_authentication = Some(AaKeySpec::Rsa(1024));
        spec.chip_authentication = Some(("P-256".into(), CipherKind::Tdes, 112));
        let dataset = with_fake_sod(builder::build(&spec).expect("builds"));
        let mut chip = VirtualChip::new(dataset.clone());
        let read = read(
            &mut chip,
            ReadOptions::new(AccessKey::can("123456").expect("valid")),
        )
        .expect("reads");
        assert_eq!(read.access, Access::Pace);
        assert_eq!(read.pace_protocol.as_deref(), Some("PACE-ECDH-GM-3DES"));
        assert_eq!(read.files, expected_files(&dataset));
        assert_eq!(read.ca.status, AuthStatus::Passed, "{}", read.ca.reason);
        assert_eq!(read.aa.status, AuthStatus::Passed, "{}", read.aa.reason);
    }

    #[test]
    fn pace_cam_passes_for_the_chip_and_fails_for_a_clone() {
        let key = MrzKey::new("L898902C", "740812", "120415").expect("valid");
        let mut spec = DatasetSpec::passport(
            vec![
                "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<".into(),
                "L898902C<3UTO7408122F1204159ZE184226B<<<<<10".into(),
            ],
            key,
        );
        spec.pace_cam = true;
        spec.pace = Some((CipherKind::Aes, 256, 16));
        spec.chip_authentication = Some(("brainpoolP384r1".into(), CipherKind::Aes, 256));
        let dataset = with_fake_sod(builder::build(&spec).expect("builds"));
        let read = read(
            &mut VirtualChip::new(dataset.clone()),
            ReadOptions::new(mrz_key()),
        )
        .expect("reads");
        assert_eq!(read.pace_protocol.as_deref(), Some("PACE-ECDH-CAM-AES-256"));
        assert_eq!(read.ca.status, AuthStatus::Passed, "{}", read.ca.reason);
        assert!(read.cam.is_some());
        let clone = read_clone(dataset);
        assert_eq!(clone.ca.status, AuthStatus::Failed, "{}", clone.ca.reason);
    }

    fn read_clone(dataset: ChipDataset) -> ChipRead {
        read(
            &mut VirtualChip::new(dataset.cloned_without_keys()),
            ReadOptions::new(mrz_key()),
        )
        .expect("reads")
    }

    #[test]
    fn bac_with_dh_chip_authentication_and_rsa_aa() {
        let key = MrzKey::new("L898902C", "740812", "120415").expect("valid");
        let mut spec = DatasetSpec::passport(
            vec![
                "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<".into(),
                "L898902C<3UTO7408122F1204159ZE184226B<<<<<10".into(),
            ],
            key,
        );
        spec.pace = None;
        spec.chip_authentication = Some(("DH0".into(), CipherKind::Tdes, 112));
        spec.active_authentication = Some(AaKeySpec::Rsa(1024));
        let dataset = with_fake_sod(builder::build(&spec).expect("builds"));
        let read = read(
            &mut VirtualChip::new(dataset.clone()),
            ReadOptions::new(mrz_key()),
        )
        .expect("reads");
        assert_eq!(read.access, Access::Bac);
        assert_eq!(read.ca.status, AuthStatus::Passed, "{}", read.ca.reason);
        assert!(read.ca.reason.contains("DH 1024-bit"), "{}", read.ca.reason);
        assert_eq!(read.aa.status, AuthStatus::Passed, "{}", read.aa.reason);
        let clone = read_clone(dataset);
        assert_eq!(
            (clone.ca.status, clone.aa.status),
            (AuthStatus::Failed, AuthStatus::Failed)
        );
    }

    #[test]
    fn wrong_mrz_gives_access_denied() {
        let wrong = AccessKey::Mrz(MrzKey::new("L898902C", "740812", "120416").expect("valid"));
        let mut chip = VirtualChip::new(specimen());
        let result = read(&mut chip, ReadOptions::new(wrong.clone()));
        assert!(
            matches!(result, Err(ReadError::AccessDenied(_))),
            "{result:?}"
        );
        let check = checks::access_check(&result);
        assert_eq!(check.status, CheckStatus::Fail);
        assert_eq!(check.message, "access denied: check the MRZ");
        // The same through BAC.
        let mut dataset = specimen();
        dataset.files.remove(&FileId::CardAccess);
        let result = read(&mut VirtualChip::new(dataset), ReadOptions::new(wrong));
        assert!(
            matches!(result, Err(ReadError::AccessDenied(_))),
            "{result:?}"
        );
    }

    #[test]
    fn apdu_counts_for_extended_and_short_reads() {
        let dataset = with_fake_sod(specimen());
        let extended = read(
            &mut VirtualChip::new(dataset.clone()),
            ReadOptions::new(mrz_key()),
        )
        .expect("reads");
        let short = read(
            &mut VirtualChip::new(dataset.clone().clone()).with_fault(Fault::NoExtendedLength),
            ReadOptions::new(mrz_key()),
        )
        .expect("reads");
        assert_eq!(short.files, extended.files);
        assert!(
            extended.apdu_count < short.apdu_count,
            "extended {} short {}",
            extended.apdu_count,
            short.apdu_count
        );
        let dg2_len = dataset.files[&FileId::Dg(2)].len();
        // Short reads need at least ceil(len / 223) READ BINARY for DG2 alone.
        assert!(short.apdu_count as usize > dg2_len / SHORT_READ_SIZE);
    }

    /// A link that claims extended length although the chip refuses it: the reader must fall back.
    struct ClaimsExtended(VirtualChip);
    impl Transport for ClaimsExtended {
        fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
            self.0.transmit(apdu)
        }
        fn supports_extended_length(&self) -> bool {
            true
        }
    }

    #[test]
    fn wrong_length_answers_fall_back_to_short_reads() {
        let dataset = with_fake_sod(specimen());
        let mut link =
            ClaimsExtended(VirtualChip::new(dataset.clone()).with_fault(Fault::NoExtendedLength));
        let read = ChipReader::new(ReadOptions::new(mrz_key()))
            .read(&mut link, &mut |_| {})
            .expect("reads");
        assert_eq!(read.files, expected_files(&dataset));
        // A chip answering fewer bytes than asked.
        let read = self::read(
            &mut VirtualChip::new(dataset.clone()).with_fault(Fault::MaxRead(100)),
            ReadOptions::new(mrz_key()),
        )
        .expect("reads");
        assert_eq!(read.files, expected_files(&dataset));
    }

    #[test]
    fn recovers_from_bad_mac_truncation_and_wrong_le() {
        let dataset = with_fake_sod(specimen());
        for fault in [
            Fault::BadMac { from: 12, times: 1 },
            Fault::Truncated {
                from: 14,
                times: 1,
                cut: 5,
            },
            Fault::WrongStatus {
                from: 13,
                times: 1,
                sw: 0x6C10,
            },
        ] {
            let mut chip = VirtualChip::new(dataset.clone()).with_fault(fault.clone());
            let read = read(&mut chip, ReadOptions::new(mrz_key()))
                .unwrap_or_else(|e| panic!("{fault:?}: {e}"));
            assert_eq!(read.files, expected_files(&dataset), "{fault:?}");
        }
        // A persistent error status is reported, not looped on.
        let mut chip = VirtualChip::new(dataset).with_fault(Fault::WrongStatus {
            from: 12,
            times: 1000,
            sw: 0x6F00,
        });
        let result = read(&mut chip, ReadOptions::new(mrz_key()));
        assert!(matches!(result, Err(ReadError::Chip { .. })), "{result:?}");
    }

    #[test]
    fn pulled_card_resumes_from_bytes_already_read() {
        let dataset = with_fake_sod(specimen());
        let mut options = ReadOptions::new(mrz_key());
        options.extended_read_size = 2000;
        let mut chip = VirtualChip::new(dataset.clone()).with_fault(Fault::PulledAt(25));
        let mut reader = ChipReader::new(options);
        let error = reader
            .read(&mut chip, &mut |_| {})
            .expect_err("card pulled");
        assert!(
            matches!(error, ReadError::Transport(TransportError::CardRemoved)),
            "{error:?}"
        );
        assert!(error.is_resumable());
        let already = reader.bytes_read();
        assert!(already > 2000, "{already}");
        let check = checks::read_check(&Err(error));
        assert!(check.message.contains("card removed"));
        chip.reinsert();
        let before = chip.total_apdus();
        let read = reader.read(&mut chip, &mut |_| {}).expect("resumes");
        assert_eq!(read.files, expected_files(&dataset));
        let fresh = self::read(
            &mut VirtualChip::new(dataset),
            ReadOptions {
                extended_read_size: 2000,
                ..ReadOptions::new(mrz_key())
            },
        )
        .expect("reads");
        assert!(
            chip.total_apdus() - before < fresh.apdu_count,
            "resume re-read everything"
        );
    }

    #[test]
    fn files_beyond_32_kb_use_the_odd_read_binary() {
        let mut dataset = with_fake_sod(specimen());
        let mut portrait = vec![0xFF, 0xD8, 0xFF, 0xE0];
        portrait.extend((0..70_000u32).map(|i| (i % 253) as u8));
        dataset
            .files
            .insert(FileId::Dg(2), crate::lds::dg2::encode(&portrait, 600, 800));
        for fault in [None, Some(Fault::NoExtendedLength)] {
            let mut chip = VirtualChip::new(dataset.clone());
            if let Some(fault) = fault.clone() {
                chip = chip.with_fault(fault);
            }
            let read = read(&mut chip, ReadOptions::new(mrz_key()))
                .unwrap_or_else(|e| panic!("{fault:?}: {e}"));
            assert_eq!(
                read.files.get(&FileId::Dg(2)),
                dataset.files.get(&FileId::Dg(2)),
                "{fault:?}"
            );
            let faces = crate::lds::dg2::parse(&read.files[&FileId::Dg(2)]).expect("valid DG2");
            assert_eq!(faces[0].image, portrait);
        }
    }

    #[test]
    fn slow_card_still_reads() {
        let dataset = with_fake_sod(specimen());
        let mut chip = VirtualChip::new(dataset.clone())
            .with_fault(Fault::Slow(std::time::Duration::from_millis(2)));
        let read = read(&mut chip, ReadOptions::new(mrz_key())).expect("reads");
        assert_eq!(read.files, expected_files(&dataset));
        assert!(read.timings.total_ms >= f64::from(read.apdu_count) * 2.0);
    }

    #[test]
    fn clone_without_keys_fails_aa_and_ca() {
        let dataset = with_fake_sod(specimen()).cloned_without_keys();
        let read =
            read(&mut VirtualChip::new(dataset), ReadOptions::new(mrz_key())).expect("reads");
        assert_eq!(read.ca.status, AuthStatus::Failed, "{}", read.ca.reason);
        assert_eq!(read.aa.status, AuthStatus::Failed, "{}", read.aa.reason);
        let check = checks::clone_check(&read, KeyFilesAuthenticity::default());
        assert_eq!(check.status, CheckStatus::Fail);
        assert!(
            check.message.starts_with("possible clone"),
            "{}",
            check.message
        );
    }

    #[test]
    fn reads_card_security_after_pace() {
        let mut dataset = with_fake_sod(specimen());
        dataset
            .files
            .insert(FileId::CardSecurity, vec![0x30, 0x03, 0x02, 0x01, 0x07]);
        let read = read(
            &mut VirtualChip::new(dataset.clone()),
            ReadOptions::new(mrz_key()),
        )
        .expect("reads");
        assert_eq!(
            read.files.get(&FileId::CardSecurity),
            dataset.files.get(&FileId::CardSecurity)
        );
        let minimum = minimum_read_apdus(&read.files, 0x4000);
        assert!(
            read.apdu_count >= minimum,
            "{} < {minimum}",
            read.apdu_count
        );
    }

    /// A link answering random bytes: the reader must fail cleanly, never panic.
    struct RandomLink(Vec<Vec<u8>>);
    impl Transport for RandomLink {
        fn transmit(&mut self, _apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
            self.0.pop().ok_or(TransportError::CardRemoved)
        }
    }

    proptest::proptest! {
        #[test]
        fn random_chip_answers_never_panic(answers in proptest::collection::vec(proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40), 0..12)) {
            let mut link = RandomLink(answers);
            let _ = ChipReader::new(ReadOptions::new(mrz_key())).read(&mut link, &mut |_| {});
        }
    }

    #[test]
    fn save_and_load_round_trip() {
        let dataset = with_fake_sod(specimen());
        let read =
            read(&mut VirtualChip::new(dataset), ReadOptions::new(mrz_key())).expect("reads");
        let dir = std::env::temp_dir().join(format!("tdverify-chip-read-{}", std::process::id()));
        read.save(&dir).expect("saves");
        let loaded = ChipRead::load(&dir).expect("loads");
        assert_eq!(loaded.files, read.files);
        // Timings are floats and may differ in the last bit after JSON; the rest is exact.
        let comparable = |r: &ChipRead| ChipRead {
            timings: Timings::default(),
            ..r.clone()
        };
        assert_eq!(comparable(&loaded), comparable(&read));
        assert!((loaded.timings.total_ms - read.timings.total_ms).abs() < 1e-6);
        let summary = read.summary_json();
        assert_eq!(summary["access"], "PACE");
        assert_eq!(summary["aa"]["status"], "passed");
        assert!(
            summary["data_groups"]
                .as_array()
                .is_some_and(|groups| groups.iter().any(|g| g == "DG2"))
        );
        let json = serde_json::to_value(&read).expect("serialises");
        assert_eq!(json["access"], "PACE");
        assert!(json["files"]["DG1"].is_string());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
