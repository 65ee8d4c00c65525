//! PACE (ICAO 9303-11 §4.4, BSI TR-03110): password authenticated connection
//! establishment over ECDH or DH with the generic (GM), integrated (IM) and
//! chip authentication (CAM) mappings, for the inspection system and for the
//! virtual eMRTD.
//!
//! Steps: MSE:Set AT chooses the protocol and password; GENERAL AUTHENTICATE
//! brings the encrypted nonce (80), the mapping data (81/82: mapping keys for
//! GM and CAM, the terminal's nonce t and an empty answer for IM), the
//! ephemeral keys on the mapped generator (83/84) and the authentication
//! tokens (85/86).

use crate::agreement::{AgreementError, Domain};
use crate::apdu::{CommandApdu, ResponseApdu, StatusWord, ins};
use crate::crypto::{self, CipherKind, CryptoError, KeyPurpose};
use crate::ec::{Curve, Point};
use crate::key::AccessKey;
use crate::lds::security_infos::{ID_PACE, SecurityInfo};
use crate::sm::SecureMessaging;
use crate::tlv::{self, der};
use crate::transport::{Transport, TransportError};
use num_bigint::BigUint;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Why PACE failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PaceError {
    /// The chip refused our token or the step: almost always a wrong MRZ or CAN.
    #[error("access denied: check the MRZ or CAN (chip answered {0})")]
    AccessDenied(StatusWord),
    /// The chip's token did not verify: wrong password or a man in the middle.
    #[error("access denied: check the MRZ or CAN (chip token does not verify)")]
    BadChipToken,
    /// EF.CardAccess offers nothing this reader implements.
    #[error("PACE variant not supported: {0}")]
    Unsupported(String),
    /// Malformed or unexpected chip answer.
    #[error("PACE protocol error: {0}")]
    Protocol(String),
    /// Link failure.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// Cipher failure.
    #[error("PACE crypto: {0}")]
    Crypto(#[from] CryptoError),
    /// Key agreement failure (point not on curve, invalid DH value...).
    #[error("PACE key agreement: {0}")]
    Agreement(#[from] AgreementError),
}

/// The mapping of the nonce to the session generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mapping {
    /// Generic mapping (GM).
    Generic,
    /// Integrated mapping (IM).
    Integrated,
    /// Chip authentication mapping (CAM): generic mapping plus chip authentication data.
    ChipAuthentication,
}

/// A PACE protocol as named by its OID id-PACE-{DH,ECDH}-{GM,IM,CAM}-{cipher}.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaceProtocol {
    /// The OID content bytes.
    pub oid: Vec<u8>,
    /// Mapping.
    pub mapping: Mapping,
    /// Elliptic curve (true) or finite-field (false) Diffie-Hellman.
    pub ecdh: bool,
    /// Secure messaging cipher.
    pub cipher: CipherKind,
    /// Session key length in bits (112 for 3DES).
    pub key_bits: u16,
}

impl PaceProtocol {
    /// Decodes a PACE OID; `None` for non-PACE or unknown arcs.
    pub fn from_oid(oid: &[u8]) -> Option<PaceProtocol> {
        let [mapping_arc, cipher_arc] = oid.strip_prefix(ID_PACE)? else {
            return None;
        };
        let (mapping, ecdh) = match mapping_arc {
            1 => (Mapping::Generic, false),
            2 => (Mapping::Generic, true),
            3 => (Mapping::Integrated, false),
            4 => (Mapping::Integrated, true),
            6 => (Mapping::ChipAuthentication, true),
            _ => return None,
        };
        let (cipher, key_bits) = match cipher_arc {
            1 => (CipherKind::Tdes, 112),
            2 => (CipherKind::Aes, 128),
            3 => (CipherKind::Aes, 192),
            4 => (CipherKind::Aes, 256),
            _ => return None,
        };
        Some(PaceProtocol {
            oid: oid.to_vec(),
            mapping,
            ecdh,
            cipher,
            key_bits,
        })
    }

    /// The OID for ECDH generic mapping with a cipher (used to build chip datasets).
    pub fn ecdh_generic(cipher: CipherKind, key_bits: u16) -> PaceProtocol {
        let arc = match (cipher, key_bits) {
            (CipherKind::Tdes, _) => 1,
            (CipherKind::Aes, 192) => 3,
            (CipherKind::Aes, 256) => 4,
            (CipherKind::Aes, _) => 2,
        };
        let mut oid = ID_PACE.to_vec();
        oid.extend([2, arc]);
        PaceProtocol {
            oid,
            mapping: Mapping::Generic,
            ecdh: true,
            cipher,
            key_bits: if cipher == CipherKind::Tdes {
                112
            } else {
                key_bits
            },
        }
    }

    /// The OID for DH generic mapping with a cipher.
    pub fn dh_generic(cipher: CipherKind, key_bits: u16) -> PaceProtocol {
        let generic = PaceProtocol::ecdh_generic(cipher, key_bits);
        let mut oid = generic.oid;
        if let Some(mapping_arc) = oid.get_mut(ID_PACE.len()) {
            *mapping_arc = 1;
        }
        PaceProtocol {
            oid,
            ecdh: false,
            ..generic
        }
    }

    /// The OID for ECDH chip authentication mapping (AES only, as the standard defines it).
    pub fn ecdh_cam(key_bits: u16) -> PaceProtocol {
        let generic = PaceProtocol::ecdh_generic(CipherKind::Aes, key_bits);
        let mut oid = generic.oid;
        if let Some(mapping_arc) = oid.get_mut(ID_PACE.len()) {
            *mapping_arc = 6;
        }
        PaceProtocol {
            oid,
            mapping: Mapping::ChipAuthentication,
            ..generic
        }
    }

    /// The OID for integrated mapping over ECDH (`ecdh`) or DH with a cipher.
    pub fn integrated(ecdh: bool, cipher: CipherKind, key_bits: u16) -> PaceProtocol {
        let generic = PaceProtocol::ecdh_generic(cipher, key_bits);
        let mut oid = generic.oid;
        if let Some(mapping_arc) = oid.get_mut(ID_PACE.len()) {
            *mapping_arc = if ecdh { 4 } else { 3 };
        }
        PaceProtocol {
            oid,
            mapping: Mapping::Integrated,
            ecdh,
            ..generic
        }
    }

    /// Whether this reader implements it: every mapping over ECDH, GM and IM
    /// over DH (CAM is defined for ECDH only).
    pub fn is_supported(&self) -> bool {
        self.ecdh || self.mapping != Mapping::ChipAuthentication
    }

    /// Human-readable name for reports, e.g. "PACE-ECDH-GM-AES-128".
    pub fn name(&self) -> String {
        let mapping = match self.mapping {
            Mapping::Generic => "GM",
            Mapping::Integrated => "IM",
            Mapping::ChipAuthentication => "CAM",
        };
        let cipher = match self.cipher {
            CipherKind::Tdes => "3DES".to_string(),
            CipherKind::Aes => format!("AES-{}", self.key_bits),
        };
        format!(
            "PACE-{}-{mapping}-{cipher}",
            if self.ecdh { "ECDH" } else { "DH" }
        )
    }

    /// Length of the chip's nonce s: the smallest multiple of the block size
    /// not shorter than the key (l of ICAO 9303-11 §4.4.3.3).
    fn nonce_len(&self) -> usize {
        if self.key_bits > 128 { 32 } else { 16 }
    }

    /// Length of the terminal's IM nonce t: the cipher's key size k (3DES
    /// counts as 128 bits, ICAO 9303-11 §4.4.3.3.2).
    fn map_nonce_len(&self) -> usize {
        match self.cipher {
            CipherKind::Tdes => 16,
            CipherKind::Aes => usize::from(self.key_bits / 8),
        }
    }
}

/// Ranking among offered protocols: longer keys first, then CAM (it also proves
/// the chip's key), then ECDH before DH, then GM before IM (GM is what every
/// PACE chip implements, so it is the most exercised path on real chips).
fn preference(protocol: &PaceProtocol) -> u32 {
    let mapping = match (protocol.mapping, protocol.ecdh) {
        (Mapping::ChipAuthentication, _) => 4,
        (Mapping::Generic, true) => 3,
        (Mapping::Integrated, true) => 2,
        (Mapping::Generic, false) => 1,
        (Mapping::Integrated, false) => 0,
    };
    u32::from(protocol.key_bits) * 10 + mapping
}

/// Picks the best supported PACE protocol and curve from SecurityInfos
/// (EF.CardAccess). Prefers stronger ciphers; unsupported variants are skipped.
pub fn choose(infos: &[SecurityInfo]) -> Result<(PaceProtocol, u32), PaceError> {
    let mut offered = Vec::new();
    let mut best: Option<(PaceProtocol, u32)> = None;
    for info in infos {
        let SecurityInfo::Pace {
            protocol,
            parameter_id,
            ..
        } = info
        else {
            continue;
        };
        let Some(candidate) = PaceProtocol::from_oid(protocol) else {
            continue;
        };
        offered.push(candidate.name());
        let Some(id) = parameter_id else { continue };
        let domain_fits =
            Domain::by_parameter_id(*id).is_ok_and(|domain| domain.is_ecdh() == candidate.ecdh);
        if !candidate.is_supported() || !domain_fits {
            continue;
        }
        let better = best
            .as_ref()
            .is_none_or(|(current, _)| preference(&candidate) > preference(current));
        if better {
            best = Some((candidate, *id));
        }
    }
    best.ok_or_else(|| {
        PaceError::Unsupported(if offered.is_empty() {
            "no PACEInfo".into()
        } else {
            offered.join(", ")
        })
    })
}

/// The authentication token input: public key data object 7F49 { 06 OID, 86 point } (EC)
/// or 7F49 { 06 OID, 84 value } (DH).
pub fn token_input(oid: &[u8], public_key_tag: u32, encoded_public: &[u8]) -> Vec<u8> {
    tlv::encode_constructed(
        0x7F49,
        &[
            tlv::encode(der::OID, oid),
            tlv::encode(public_key_tag, encoded_public),
        ],
    )
}

/// The 8-byte authentication token MAC(KSMAC, 7F49...).
pub fn token(cipher: CipherKind, ks_mac: &[u8], input: &[u8]) -> Result<Vec<u8>, CryptoError> {
    match cipher {
        CipherKind::Tdes => crypto::retail_mac(ks_mac, &crypto::pad(input, 8)),
        CipherKind::Aes => Ok(crypto::aes_cmac(ks_mac, input)?[..8].to_vec()),
    }
}

/// Generic mapping: Ĝ = s·G + H.
pub fn generic_map(curve: &Curve, nonce: &[u8], shared: &Point) -> Point {
    let s = BigUint::from_bytes_be(nonce);
    curve.add(&curve.multiply(&s, &curve.g), shared)
}

/// R_p(s, t) of the integrated mapping: the block-cipher pseudo-random
/// function of the two nonces, reduced mod p (ICAO 9303-11 §4.4.3.3.2).
pub fn integrated_pseudo_random(
    cipher: CipherKind,
    s: &[u8],
    t: &[u8],
    p: &BigUint,
) -> Result<BigUint, CryptoError> {
    // n·l ≥ log2 p + 64; p is never a power of two, so ⌈log2 p⌉ is its bit length.
    let x = crypto::pace_pseudo_random(cipher, s, t, p.bits() + 64)?;
    Ok(BigUint::from_bytes_be(&x) % p)
}

/// Integrated mapping: the new generator f(R_p(s, t)), the point encoding on
/// a curve or x^((p-1)/q) in a MODP group. Both sides compute it from the two
/// nonces alone, saving the mapping key agreement of GM.
pub fn integrated_map(
    domain: &Domain,
    cipher: CipherKind,
    s: &[u8],
    t: &[u8],
) -> Result<Domain, PaceError> {
    match domain {
        Domain::Ec(curve) => {
            let r = integrated_pseudo_random(cipher, s, t, &curve.p)?;
            let g = curve.encode_to_point(&r).map_err(AgreementError::from)?;
            Ok(Domain::Ec(Curve { g, ..curve.clone() }))
        }
        Domain::Dh { group, .. } => {
            let r = integrated_pseudo_random(cipher, s, t, &group.p)?;
            let generator = group
                .encode_to_generator(&r)
                .map_err(AgreementError::from)?;
            Ok(Domain::Dh {
                group: group.clone(),
                generator,
            })
        }
    }
}

/// Session keys from the shared secret x-coordinate.
fn session_keys(protocol: &PaceProtocol, secret: &[u8]) -> Result<(Vec<u8>, Vec<u8>), CryptoError> {
    Ok((
        crypto::kdf(secret, KeyPurpose::Encryption, protocol.key_bits)?,
        crypto::kdf(secret, KeyPurpose::Mac, protocol.key_bits)?,
    ))
}

/// Result of a successful PACE run.
#[derive(Debug, Clone)]
pub struct PaceOutcome {
    /// The secure messaging session (SSC zero).
    pub sm: SecureMessaging,
    /// Protocol used.
    pub protocol: PaceProtocol,
    /// Standardized domain parameter id used.
    pub parameter_id: u32,
    /// What PACE-CAM proved, to check against the chip's static key.
    pub cam: Option<CamEvidence>,
}

/// The chip authentication data of PACE-CAM: the chip proves its static key by
/// sending CA_IC with PK_Map,IC = CA_IC · PK_IC (ICAO 9303-11 §4.4.3.5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CamEvidence {
    /// Standardized domain parameters of the run.
    pub parameter_id: u32,
    /// The chip's mapping public key PK_Map,IC (uncompressed point, hex).
    pub chip_mapping_public: String,
    /// The decrypted chip authentication data CA_IC (hex).
    pub chip_authentication_data: String,
}

/// Verifies PACE-CAM evidence against the chip's static key from SecurityInfos
/// (DG14, or EF.CardSecurity once passive authentication has checked it).
pub fn verify_cam(evidence: &CamEvidence, infos: &[SecurityInfo]) -> Result<(), String> {
    let curve =
        crate::ec::curve_by_parameter_id(evidence.parameter_id).map_err(|e| e.to_string())?;
    let mapping_public = crate::hex::decode(&evidence.chip_mapping_public).ok_or("bad hex")?;
    let mapping_public = curve
        .decode_point(&mapping_public)
        .map_err(|e| e.to_string())?;
    let data = crate::hex::decode(&evidence.chip_authentication_data).ok_or("bad hex")?;
    let ca_ic = BigUint::from_bytes_be(&data);
    let mut keys_on_curve = 0;
    for info in infos {
        let SecurityInfo::ChipAuthenticationPublicKey {
            public_key_info, ..
        } = info
        else {
            continue;
        };
        let Ok(crate::lds::dg15::PublicKey::Ec {
            curve: key_curve,
            point,
        }) = crate::lds::dg15::parse_public_key_info(public_key_info)
        else {
            continue;
        };
        if key_curve.p != curve.p || key_curve.a != curve.a {
            continue;
        }
        keys_on_curve += 1;
        let Ok(static_public) = curve.decode_point(&point) else {
            continue;
        };
        if curve.multiply(&ca_ic, &static_public) == mapping_public {
            return Ok(());
        }
    }
    if keys_on_curve == 0 {
        return Err("no chip authentication public key on the PACE curve".into());
    }
    Err("chip authentication data does not match the chip's static key: possible clone".into())
}

/// IV of the chip authentication data: E(KSEnc, -1), i.e. the encrypted all-ones block.
fn cam_iv(cipher: CipherKind, ks_enc: &[u8]) -> Result<Vec<u8>, CryptoError> {
    crypto::encrypt_block(cipher, ks_enc, &vec![0xFF; cipher.block_size()])
}

fn general_authenticate(
    transport: &mut dyn Transport,
    inner: Vec<u8>,
    last: bool,
    count: &mut u32,
) -> Result<Vec<u8>, PaceError> {
    let command = CommandApdu::new(
        if last { 0x00 } else { 0x10 },
        ins::GENERAL_AUTHENTICATE,
        0,
        0,
    )
    .with_data(tlv::encode(0x7C, &inner))
    .with_ne(256);
    let bytes = command
        .to_bytes()
        .map_err(|e| PaceError::Protocol(e.to_string()))?;
    let raw = transport.transmit(&bytes)?;
    *count += 1;
    let response = ResponseApdu::parse(&raw).map_err(|e| PaceError::Protocol(e.to_string()))?;
    if response.sw != StatusWord::OK {
        return Err(PaceError::AccessDenied(response.sw));
    }
    let value =
        tlv::require(&response.data, 0x7C).map_err(|e| PaceError::Protocol(e.to_string()))?;
    Ok(value.to_vec())
}

fn require_object(template: &[u8], tag: u32) -> Result<Vec<u8>, PaceError> {
    tlv::require(template, tag)
        .map(<[u8]>::to_vec)
        .map_err(|e| PaceError::Protocol(e.to_string()))
}

/// Runs PACE as the inspection system with the best protocol from `infos`.
pub fn perform(
    transport: &mut dyn Transport,
    key: &AccessKey,
    infos: &[SecurityInfo],
    count: &mut u32,
) -> Result<PaceOutcome, PaceError> {
    let (protocol, parameter_id) = choose(infos)?;
    let mut fresh = |domain: &Domain| domain.random_private();
    perform_with(transport, key, &protocol, parameter_id, &mut fresh, count)
}

/// Runs PACE with a given protocol; `private_keys` supplies the terminal
/// private keys (GM and CAM: mapping, then ephemeral; IM: ephemeral only), so
/// tests can replay fixed vectors. The IM nonce t is drawn at random.
pub fn perform_with(
    transport: &mut dyn Transport,
    key: &AccessKey,
    protocol: &PaceProtocol,
    parameter_id: u32,
    private_keys: &mut dyn FnMut(&Domain) -> Result<BigUint, AgreementError>,
    count: &mut u32,
) -> Result<PaceOutcome, PaceError> {
    let k_pi = crypto::kdf(
        &key.pace_password(),
        KeyPurpose::Password,
        protocol.key_bits,
    )?;
    let mut map_nonce = crypto::random_bytes;
    let mut random = TerminalRandom {
        private_keys,
        map_nonce: &mut map_nonce,
    };
    run(
        transport,
        &k_pi,
        key.pace_reference(),
        protocol,
        parameter_id,
        &mut random,
        count,
    )
}

/// What the terminal draws at random during PACE, injectable so tests can
/// replay the ICAO worked examples.
struct TerminalRandom<'a> {
    /// Private keys on the given domain.
    private_keys: &'a mut dyn FnMut(&Domain) -> Result<BigUint, AgreementError>,
    /// The IM nonce t of the given length.
    map_nonce: &'a mut dyn FnMut(usize) -> Result<Vec<u8>, CryptoError>,
}

/// The terminal side of PACE with the password key Kπ and its reference
/// (1 MRZ, 2 CAN) for MSE:Set AT.
fn run(
    transport: &mut dyn Transport,
    k_pi: &[u8],
    password_reference: u8,
    protocol: &PaceProtocol,
    parameter_id: u32,
    random: &mut TerminalRandom<'_>,
    count: &mut u32,
) -> Result<PaceOutcome, PaceError> {
    if !protocol.is_supported() {
        return Err(PaceError::Unsupported(protocol.name()));
    }
    let domain = Domain::by_parameter_id(parameter_id)?;
    // MSE:Set AT: protocol (80) and password reference (83). Some chips also
    // insist on the domain parameter reference (84): retry with it if refused.
    let mut answer = StatusWord::OK;
    for with_parameter_id in [false, true] {
        let mut set_at = tlv::encode(0x80, &protocol.oid);
        set_at.extend(tlv::encode(0x83, &[password_reference]));
        if with_parameter_id {
            set_at.extend(tlv::encode(
                0x84,
                &[u8::try_from(parameter_id).unwrap_or(0)],
            ));
        }
        let command = CommandApdu::new(0x00, ins::MSE, 0xC1, 0xA4).with_data(set_at);
        let raw = transport.transmit(
            &command
                .to_bytes()
                .map_err(|e| PaceError::Protocol(e.to_string()))?,
        )?;
        *count += 1;
        answer = ResponseApdu::parse(&raw)
            .map_err(|e| PaceError::Protocol(e.to_string()))?
            .sw;
        if answer == StatusWord::OK || answer.sw1() == 0x63 {
            break;
        }
    }
    if answer != StatusWord::OK && answer.sw1() != 0x63 {
        return Err(PaceError::Unsupported(format!(
            "chip refused {} ({answer})",
            protocol.name()
        )));
    }

    // Step 1: encrypted nonce.
    let template = general_authenticate(transport, Vec::new(), false, count)?;
    let encrypted_nonce = require_object(&template, 0x80)?;
    let nonce = crypto::cbc_decrypt(
        protocol.cipher,
        k_pi,
        &vec![0; protocol.cipher.block_size()],
        &encrypted_nonce,
    )?;

    // Step 2: mapping.
    let (mapped, chip_map_public_encoded) = if protocol.mapping == Mapping::Integrated {
        if nonce.len() != protocol.nonce_len() {
            return Err(PaceError::Protocol(format!(
                "encrypted nonce of {} bytes, integrated mapping needs {}",
                nonce.len(),
                protocol.nonce_len()
            )));
        }
        let t = (random.map_nonce)(protocol.map_nonce_len())?;
        // The chip answers with an empty 82: nothing to check.
        general_authenticate(transport, tlv::encode(0x81, &t), false, count)?;
        (
            integrated_map(&domain, protocol.cipher, &nonce, &t)?,
            Vec::new(),
        )
    } else {
        let map_private = (random.private_keys)(&domain)?;
        let map_public = domain.public_key(&map_private);
        let template = general_authenticate(
            transport,
            tlv::encode(0x81, &domain.encode(&map_public)?),
            false,
            count,
        )?;
        let chip_map_public_encoded = require_object(&template, 0x82)?;
        let chip_map_public = domain.decode(&chip_map_public_encoded)?;
        let shared = domain.agree(&map_private, &chip_map_public)?;
        (domain.map(&nonce, &shared)?, chip_map_public_encoded)
    };

    // Step 3: key agreement on the mapped generator.
    let private = (random.private_keys)(&mapped)?;
    let public = mapped.public_key(&private);
    let public_encoded = mapped.encode(&public)?;
    let template =
        general_authenticate(transport, tlv::encode(0x83, &public_encoded), false, count)?;
    let chip_public_encoded = require_object(&template, 0x84)?;
    let chip_public = mapped.decode(&chip_public_encoded)?;
    if chip_public == public {
        return Err(PaceError::Protocol(
            "chip reflected our ephemeral key".into(),
        ));
    }
    let secret = mapped.secret(&mapped.agree(&private, &chip_public)?)?;
    let key_tag = mapped.public_key_tag();
    let (ks_enc, ks_mac) = session_keys(protocol, &secret)?;

    // Step 4: tokens.
    let our_token = token(
        protocol.cipher,
        &ks_mac,
        &token_input(&protocol.oid, key_tag, &chip_public_encoded),
    )?;
    let template = general_authenticate(transport, tlv::encode(0x85, &our_token), true, count)?;
    let chip_token = require_object(&template, 0x86)?;
    let expected = token(
        protocol.cipher,
        &ks_mac,
        &token_input(&protocol.oid, key_tag, &public_encoded),
    )?;
    if !crypto::equal_constant_time(&expected, &chip_token) {
        return Err(PaceError::BadChipToken);
    }
    let cam = if protocol.mapping == Mapping::ChipAuthentication {
        let encrypted = tlv::find(&template, 0x8A).ok().flatten().ok_or_else(|| {
            PaceError::Protocol("PACE-CAM answer without chip authentication data (8A)".into())
        })?;
        let data = crypto::unpad(&crypto::cbc_decrypt(
            protocol.cipher,
            &ks_enc,
            &cam_iv(protocol.cipher, &ks_enc)?,
            encrypted,
        )?)?;
        Some(CamEvidence {
            parameter_id,
            chip_mapping_public: crate::hex::encode(&chip_map_public_encoded),
            chip_authentication_data: crate::hex::encode(&data),
        })
    } else {
        None
    };
    Ok(PaceOutcome {
        sm: SecureMessaging::with_zero_ssc(protocol.cipher, ks_enc, ks_mac),
        protocol: protocol.clone(),
        parameter_id,
        cam,
    })
}

/// Where the chip side of a PACE run stands.
#[derive(Debug, Clone)]
enum ChipStage {
    NonceRequest,
    Mapping {
        nonce: Vec<u8>,
    },
    KeyAgreement {
        mapped: Domain,
        map_private: BigUint,
    },
    Token {
        ks_enc: Vec<u8>,
        ks_mac: Vec<u8>,
        terminal_public: Vec<u8>,
        chip_public: Vec<u8>,
        map_private: BigUint,
    },
}

/// The chip side of PACE for the virtual eMRTD: answers GENERAL AUTHENTICATE
/// steps after MSE:Set AT.
#[derive(Debug, Clone)]
pub struct PaceChip {
    protocol: PaceProtocol,
    domain: Domain,
    password: Vec<u8>,
    static_private: Option<BigUint>,
    stage: ChipStage,
}

impl PaceChip {
    /// Starts a chip-side run after MSE:Set AT chose `protocol` and a password.
    pub fn new(
        protocol: PaceProtocol,
        parameter_id: u32,
        password: Vec<u8>,
    ) -> Result<PaceChip, PaceError> {
        if !protocol.is_supported() {
            return Err(PaceError::Unsupported(protocol.name()));
        }
        let domain = Domain::by_parameter_id(parameter_id)?;
        if domain.is_ecdh() != protocol.ecdh {
            return Err(PaceError::Unsupported(format!(
                "{} with domain parameters {parameter_id}",
                protocol.name()
            )));
        }
        Ok(PaceChip {
            protocol,
            domain,
            password,
            static_private: None,
            stage: ChipStage::NonceRequest,
        })
    }

    /// Gives the chip its static chip authentication key (PACE-CAM). Without it
    /// a CAM chip (a clone) sends data that cannot verify.
    pub fn with_static_key(mut self, private: BigUint) -> PaceChip {
        self.static_private = Some(private);
        self
    }

    fn chip_authentication_data(
        &self,
        ks_enc: &[u8],
        map_private: &BigUint,
    ) -> Result<Vec<u8>, StatusWord> {
        let internal = |_| StatusWord(0x6F00);
        let Domain::Ec(curve) = &self.domain else {
            return Err(StatusWord(0x6F00));
        };
        let value = match &self.static_private {
            Some(static_private) => {
                let inverse = static_private.modinv(&curve.n).ok_or(StatusWord(0x6F00))?;
                (inverse * map_private) % &curve.n
            }
            None => BigUint::from_bytes_be(&crypto::random_bytes(32).map_err(internal)?),
        };
        let size = usize::try_from(curve.n.bits().div_ceil(8)).unwrap_or(32);
        let bytes = value.to_bytes_be();
        let mut fixed = vec![0u8; size.saturating_sub(bytes.len())];
        fixed.extend(bytes);
        let padded = crypto::pad(&fixed, self.protocol.cipher.block_size());
        let iv = cam_iv(self.protocol.cipher, ks_enc).map_err(internal)?;
        crypto::cbc_encrypt(self.protocol.cipher, ks_enc, &iv, &padded).map_err(internal)
    }

    /// Handles one GENERAL AUTHENTICATE data field (7C template). Returns the
    /// response data and, after the last step, the secure messaging session.
    /// An error status means the run is over (wrong password gives 6300).
    pub fn general_authenticate(
        &mut self,
        data: &[u8],
    ) -> Result<(Vec<u8>, Option<SecureMessaging>), StatusWord> {
        let template = tlv::require(data, 0x7C).map_err(|_| StatusWord::WRONG_DATA)?;
        let stage = std::mem::replace(&mut self.stage, ChipStage::NonceRequest);
        let internal = |_| StatusWord(0x6F00);
        match stage {
            ChipStage::NonceRequest => {
                let nonce = crypto::random_bytes(self.protocol.nonce_len()).map_err(internal)?;
                let k_pi =
                    crypto::kdf(&self.password, KeyPurpose::Password, self.protocol.key_bits)
                        .map_err(internal)?;
                let iv = vec![0; self.protocol.cipher.block_size()];
                let encrypted = crypto::cbc_encrypt(self.protocol.cipher, &k_pi, &iv, &nonce)
                    .map_err(internal)?;
                self.stage = ChipStage::Mapping { nonce };
                Ok((tlv::encode(0x7C, &tlv::encode(0x80, &encrypted)), None))
            }
            ChipStage::Mapping { nonce } if self.protocol.mapping == Mapping::Integrated => {
                let t = tlv::require(template, 0x81).map_err(|_| StatusWord::WRONG_DATA)?;
                if t.len() != self.protocol.map_nonce_len() {
                    return Err(StatusWord::WRONG_DATA);
                }
                let mapped = integrated_map(&self.domain, self.protocol.cipher, &nonce, t)
                    .map_err(|_| StatusWord::WRONG_DATA)?;
                self.stage = ChipStage::KeyAgreement {
                    mapped,
                    // Only CAM uses the mapping key; IM has none.
                    map_private: BigUint::default(),
                };
                Ok((tlv::encode(0x7C, &tlv::encode(0x82, &[])), None))
            }
            ChipStage::Mapping { nonce } => {
                let terminal = tlv::require(template, 0x81).map_err(|_| StatusWord::WRONG_DATA)?;
                let terminal = self
                    .domain
                    .decode(terminal)
                    .map_err(|_| StatusWord::WRONG_DATA)?;
                let private = self
                    .domain
                    .random_private()
                    .map_err(|_| StatusWord(0x6F00))?;
                let public = self.domain.public_key(&private);
                let shared = self
                    .domain
                    .agree(&private, &terminal)
                    .map_err(|_| StatusWord::WRONG_DATA)?;
                let mapped = self
                    .domain
                    .map(&nonce, &shared)
                    .map_err(|_| StatusWord::WRONG_DATA)?;
                let encoded = self
                    .domain
                    .encode(&public)
                    .map_err(|_| StatusWord(0x6F00))?;
                self.stage = ChipStage::KeyAgreement {
                    mapped,
                    map_private: private,
                };
                Ok((tlv::encode(0x7C, &tlv::encode(0x82, &encoded)), None))
            }
            ChipStage::KeyAgreement {
                mapped,
                map_private,
            } => {
                let terminal_public = tlv::require(template, 0x83)
                    .map_err(|_| StatusWord::WRONG_DATA)?
                    .to_vec();
                let terminal = mapped
                    .decode(&terminal_public)
                    .map_err(|_| StatusWord::WRONG_DATA)?;
                let private = mapped.random_private().map_err(|_| StatusWord(0x6F00))?;
                let public = mapped.public_key(&private);
                let chip_public = mapped.encode(&public).map_err(|_| StatusWord(0x6F00))?;
                let shared = mapped
                    .agree(&private, &terminal)
                    .map_err(|_| StatusWord::WRONG_DATA)?;
                let secret = mapped.secret(&shared).map_err(|_| StatusWord::WRONG_DATA)?;
                let (ks_enc, ks_mac) = session_keys(&self.protocol, &secret).map_err(internal)?;
                let response = tlv::encode(0x7C, &tlv::encode(0x84, &chip_public));
                self.stage = ChipStage::Token {
                    ks_enc,
                    ks_mac,
                    terminal_public,
                    chip_public,
                    map_private,
                };
                Ok((response, None))
            }
            ChipStage::Token {
                ks_enc,
                ks_mac,
                terminal_public,
                chip_public,
                map_private,
            } => {
                let received = tlv::require(template, 0x85).map_err(|_| StatusWord::WRONG_DATA)?;
                let key_tag = self.domain.public_key_tag();
                let expected = token(
                    self.protocol.cipher,
                    &ks_mac,
                    &token_input(&self.protocol.oid, key_tag, &chip_public),
                )
                .map_err(internal)?;
                if !crypto::equal_constant_time(&expected, received) {
                    return Err(StatusWord::AUTH_FAILED);
                }
                let ours = token(
                    self.protocol.cipher,
                    &ks_mac,
                    &token_input(&self.protocol.oid, key_tag, &terminal_public),
                )
                .map_err(internal)?;
                let mut answer = tlv::encode(0x86, &ours);
                if self.protocol.mapping == Mapping::ChipAuthentication {
                    answer.extend(tlv::encode(
                        0x8A,
                        &self.chip_authentication_data(&ks_enc, &map_private)?,
                    ));
                }
                let sm = SecureMessaging::with_zero_ssc(self.protocol.cipher, ks_enc, ks_mac);
                Ok((tlv::encode(0x7C, &answer), Some(sm)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex::h;
    use crate::key::MrzKey;
    use crate::lds::security_infos;
    use crate::transport::ScriptedTransport;
    use proptest::prelude::*;

    fn fixed_keys(
        keys: Vec<&'static str>,
    ) -> impl FnMut(&Domain) -> Result<BigUint, AgreementError> {
        let mut keys = keys.into_iter();
        move |_| {
            Ok(
                BigUint::parse_bytes(keys.next().unwrap_or("01").as_bytes(), 16)
                    .unwrap_or_default(),
            )
        }
    }

    /// ICAO 9303-11 Appendix G.1: PACE generic mapping, ECDH on brainpoolP256r1,
    /// AES-128, MRZ password of document T22000129 (born 640812, expires 101031).
    #[test]
    fn icao_appendix_g_generic_mapping_brainpool_p256() {
        let infos = security_infos::parse(&h("31143012060A04007F0007020204020202010202010D"))
            .expect("valid");
        let (protocol, parameter_id) = choose(&infos).expect("supported");
        assert_eq!(parameter_id, 13);
        assert_eq!(protocol.name(), "PACE-ECDH-GM-AES-128");
        let key = AccessKey::Mrz(MrzKey::new("T22000129", "640812", "101031").expect("valid"));
        assert_eq!(
            crypto::kdf(&key.pace_password(), KeyPurpose::Password, 128),
            Ok(h("89DED1B26624EC1E634C1989302849DD"))
        );

        let mut transport = ScriptedTransport::new()
            .expect(h("0022C1A40F800A04007F00070202040202830101"), h("9000"))
            .expect(h("10860000027C0000"), h("7C12801095A3A016522EE98D01E76CB6B98B42C39000"))
            .expect(
                h("10860000457C438141047ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D00"),
                h("7C43824104824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F5730D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C549000"),
            )
            .expect(
                h("10860000457C438341042DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB3646200"),
                h("7C438441049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F0949000"),
            )
            .expect(h("008600000C7C0A8508C2B0BD78D94BA86600"), h("7C0A86083ABB9674BCE93C089000"));
        let mut private_keys = fixed_keys(vec![
            "7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99",
            "A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595",
        ]);
        let mut count = 0;
        let outcome = perform_with(
            &mut transport,
            &key,
            &protocol,
            parameter_id,
            &mut private_keys,
            &mut count,
        )
        .expect("PACE succeeds");
        assert!(transport.finished());
        assert_eq!(count, 5);
        let expected = SecureMessaging::with_zero_ssc(
            CipherKind::Aes,
            h("F5F0E35C0D7161EE6724EE513A0D9A7F"),
            h("FE251C7858B356B24514B3BD5F4297D1"),
        );
        assert_eq!(outcome.sm, expected);
    }

    #[test]
    fn prefers_cam_then_ecdh_at_equal_key_length() {
        let infos = vec![
            SecurityInfo::Pace {
                protocol: PaceProtocol::dh_generic(CipherKind::Aes, 128).oid,
                version: 2,
                parameter_id: Some(2),
            },
            SecurityInfo::Pace {
                protocol: PaceProtocol::ecdh_generic(CipherKind::Aes, 128).oid,
                version: 2,
                parameter_id: Some(13),
            },
            SecurityInfo::Pace {
                protocol: PaceProtocol::ecdh_cam(128).oid,
                version: 2,
                parameter_id: Some(13),
            },
            SecurityInfo::Pace {
                protocol: h("04007F00070202040402"),
                version: 2,
                parameter_id: Some(13),
            },
        ];
        let (protocol, _) = choose(&infos).expect("supported");
        assert_eq!(protocol.name(), "PACE-ECDH-CAM-AES-128");
        let (protocol, _) = choose(&infos[..2]).expect("supported");
        assert_eq!(protocol.name(), "PACE-ECDH-GM-AES-128");
        // Integrated mapping is taken when offered alone, generic mapping wins a tie.
        let (protocol, _) = choose(&infos[3..]).expect("supported");
        assert_eq!(protocol.name(), "PACE-ECDH-IM-AES-128");
        assert_eq!(
            protocol,
            PaceProtocol::integrated(true, CipherKind::Aes, 128)
        );
        let (protocol, _) = choose(&infos[1..]).expect("supported");
        assert_eq!(protocol.name(), "PACE-ECDH-CAM-AES-128");
        let tie = [infos[3].clone(), infos[1].clone()];
        assert_eq!(
            choose(&tie).map(|(p, _)| p.name()),
            Ok("PACE-ECDH-GM-AES-128".into())
        );
        // Curves without standardized support (18 = NIST P-521) are skipped,
        // and the error names what was offered.
        let p521 = [SecurityInfo::Pace {
            protocol: h("04007F00070202040402"),
            version: 2,
            parameter_id: Some(18),
        }];
        assert_eq!(
            choose(&p521).map(|_| ()),
            Err(PaceError::Unsupported("PACE-ECDH-IM-AES-128".into()))
        );
    }

    /// Replays a worked example of ICAO 9303-11 Appendix H through the
    /// terminal side: Kπ is given there (not the password), so `run` is called
    /// with it; the scripted chip checks every byte the terminal sends.
    struct ImExample {
        oid: &'static str,
        encrypted_nonce: &'static str,
        t: &'static str,
        terminal_private: &'static str,
        terminal_public: &'static str,
        chip_public: &'static str,
        terminal_token: &'static str,
        chip_token: &'static str,
        ks_enc: &'static str,
        ks_mac: &'static str,
    }

    const APPENDIX_H_K_PI: &str = "591468CDA83D65219CCCB8560233600F";

    fn replay_integrated_mapping(example: &ImExample, parameter_id: u32) {
        let protocol = PaceProtocol::from_oid(&h(example.oid)).expect("PACE OID");
        assert!(protocol.is_supported());
        // The ephemeral keys are long for DH: 81 xx length forms as in Appendix G.2.
        let key_object = |tag: u8, value: &str| tlv::encode(u32::from(tag), &h(value));
        let command = |cla: u8, inner: Vec<u8>| {
            CommandApdu::new(cla, ins::GENERAL_AUTHENTICATE, 0, 0)
                .with_data(tlv::encode(0x7C, &inner))
                .with_ne(256)
                .to_bytes()
                .expect("encodes")
        };
        let answer = |inner: Vec<u8>| {
            let mut bytes = tlv::encode(0x7C, &inner);
            bytes.extend([0x90, 0x00]);
            bytes
        };
        let mut set_at = h("0022C1A40F800A");
        set_at.extend(h(example.oid));
        set_at.extend(h("830101"));
        let mut transport = ScriptedTransport::new()
            .expect(set_at, h("9000"))
            .expect(
                h("10860000027C0000"),
                answer(key_object(0x80, example.encrypted_nonce)),
            )
            .expect(
                command(0x10, key_object(0x81, example.t)),
                answer(tlv::encode(0x82, &[])),
            )
            .expect(
                command(0x10, key_object(0x83, example.terminal_public)),
                answer(key_object(0x84, example.chip_public)),
            )
            .expect(
                command(0x00, key_object(0x85, example.terminal_token)),
                answer(key_object(0x86, example.chip_token)),
            );
        let mut private_keys = fixed_keys(vec![example.terminal_private]);
        let mut map_nonce = |length: usize| {
            assert_eq!(length, h(example.t).len());
            Ok(h(example.t))
        };
        let mut random = TerminalRandom {
            private_keys: &mut private_keys,
            map_nonce: &mut map_nonce,
        };
        let mut count = 0;
        let outcome = run(
            &mut transport,
            &h(APPENDIX_H_K_PI),
            1,
            &protocol,
            parameter_id,
            &mut random,
            &mut count,
        )
        .expect("PACE-IM succeeds");
        assert!(transport.finished());
        assert_eq!(count, 5);
        assert_eq!(
            outcome.sm,
            SecureMessaging::with_zero_ssc(CipherKind::Aes, h(example.ks_enc), h(example.ks_mac))
        );
        assert_eq!(outcome.cam, None);
    }

    /// ICAO 9303-11 Appendix H.1: PACE integrated mapping, ECDH on
    /// brainpoolP256r1, AES-128.
    #[test]
    fn icao_appendix_h_integrated_mapping_brainpool_p256() {
        let s = h("2923BE84E16CD6AE529049F1F1BBE9EB");
        let t = h("5DD4CBFC96F5453B130D890A1CDBAE32");
        assert_eq!(
            crypto::cbc_encrypt(CipherKind::Aes, &h(APPENDIX_H_K_PI), &[0; 16], &s),
            Ok(h("143DC40C08C8E891FBED7DEDB92B64AD"))
        );
        let curve = crate::ec::curve_by_parameter_id(13).expect("brainpoolP256r1");
        assert_eq!(
            crypto::pace_pseudo_random(CipherKind::Aes, &s, &t, curve.p.bits() + 64),
            Ok(h(concat!(
                "E4447E2DFB3586BAC05DDB00156B57FBB2179A3949294C97254189800C517BAA",
                "8DA0FF397ED8C445D3E421E4FEB57322"
            )))
        );
        let r = integrated_pseudo_random(CipherKind::Aes, &s, &t, &curve.p).expect("PRF");
        assert_eq!(
            curve.encode_field(&r),
            h("A2F8FF2DF50E52C6599F386ADCB595D229F6A167ADE2BE5F2C3296ADD5B7430E")
        );
        let mapped =
            integrated_map(&Domain::Ec(curve.clone()), CipherKind::Aes, &s, &t).expect("maps");
        let Domain::Ec(mapped_curve) = &mapped else {
            panic!("EC domain expected");
        };
        assert_eq!(
            curve.encode_point(&mapped_curve.g),
            Ok(h(concat!(
                "04",
                "8E82D31559ED0FDE92A4D0498ADD3C23BABA94FB77691E31E90AEA77FB17D427",
                "4C1AE14BD0C3DBAC0C871B7F3608169364437CA30AC243A089D3F266C1E60FAD"
            )))
        );
        // The chip's key pair of the example lies on the mapped generator.
        let chip_private = BigUint::parse_bytes(
            b"107CF58696EF6155053340FD633392BA81909DF7B9706F226F32086C7AFF974A",
            16,
        )
        .unwrap_or_default();
        let chip_public = concat!(
            "0467F78E5F7F7686082B293E8D087E056916D0F74BC01A5F8957D0DE45691E51E8",
            "932B69A962B52A0985AD2C0A271EE6A13A8ADDDCD1A3A994B9DED257F4D22753"
        );
        assert_eq!(
            mapped.encode(&mapped.public_key(&chip_private)),
            Ok(h(chip_public))
        );
        replay_integrated_mapping(
            &ImExample {
                oid: "04007F00070202040402",
                encrypted_nonce: "143DC40C08C8E891FBED7DEDB92B64AD",
                t: "5DD4CBFC96F5453B130D890A1CDBAE32",
                terminal_private: "A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595",
                terminal_public: concat!(
                    "0489CBA23FFE96AA18D824627C3E934E54A9FD0B87A95D1471DC1C0ABFDCD640D4",
                    "6755DE9B7B778280B6BEBD57439ADFEB0E21FD4ED6DF42578C13418A59B34C37"
                ),
                chip_public,
                terminal_token: "450F02B86F6A0909",
                chip_token: "75D4D96E8D5B0308",
                ks_enc: "0D3FEB33251A6370893D62AE8DAAF51B",
                ks_mac: "B01E89E3D9E8719E586B50B4A7506E0B",
            },
            13,
        );
    }

    /// ICAO 9303-11 Appendix H.2: PACE integrated mapping, DH on the RFC 5114
    /// 1024-bit group (standardized parameters 0), AES-128.
    #[test]
    fn icao_appendix_h_integrated_mapping_dh_1024() {
        let s = h("FA5B7E3E49753A0DB9178B7B9BD898C8");
        let t = h("B3A6DB3C870C3E99245E0D1C06B747DE");
        let group = crate::dh::group_by_parameter_id(0).expect("RFC 5114 group");
        assert_eq!(
            crypto::pace_pseudo_random(CipherKind::Aes, &s, &t, group.p.bits() + 64),
            Ok(h(concat!(
                "EAB98D13E09052952AA729907C3C946184DEA0FE74AD2B3AF506F0A83018459C",
                "38099CD1F7FF4EA0A078DB1FAC1365505E3DC85500EF95E20B4EEF2E88489233",
                "BEE0546B472F994B618D168702406791DEEF3CB4810932EC278F3533FDB860EB",
                "4835C36FA4F1BF3FA0B828A718C96BDE88FBA38A3E6C35AAA10959251EB5FC71",
                "0FC187258995944C0F926E249373F485"
            )))
        );
        let r = integrated_pseudo_random(CipherKind::Aes, &s, &t, &group.p).expect("PRF");
        assert_eq!(
            group.encode(&r),
            h(concat!(
                "A0C7C50C002061A51CC87D254EF38068607417B6EE1B36473CFB800D2D2E5FA2",
                "B6980F01105D24FAB22ACD1BFA5C8A4C093ECDFAFE6D7125D42A843E33860383",
                "5CF19AFAFF75EFE21DC5F6AA1F9AE46C25087E7368166FB08C1E4627AFED7D93",
                "570417B790FF7F747E57F432B04E1236819E0DFEF5B6E77CA4999925328182D2"
            ))
        );
        let domain = Domain::by_parameter_id(0).expect("DH");
        let Domain::Dh { generator, .. } =
            integrated_map(&domain, CipherKind::Aes, &s, &t).expect("maps")
        else {
            panic!("DH domain expected");
        };
        assert_eq!(
            group.encode(&generator),
            h(concat!(
                "1D7D767F11E333BCD6DBAEF40E799E7A926B96973550656FF3C830726D118D61",
                "C276CDCC61D475CF03A98E0C0E79CAEBA5BE25578BD4551D0B10903236F0B0F9",
                "76852FA78EEA14EA0ACA87D1E91F688FE0DFF897BBE35A472621D343564B262F",
                "34223AE8FC59B664BFEDFA2BFE7516CA5510A6BBB633D517EC25D4E0BBAA16C2"
            ))
        );
        replay_integrated_mapping(
            &ImExample {
                oid: "04007F00070202040302",
                encrypted_nonce: "9ABB8864CA0FF1551E620D1EF4E13510",
                t: "B3A6DB3C870C3E99245E0D1C06B747DE",
                terminal_private: concat!(
                    "4BD0E54740F9A028E6A515BFDAF967848C4F5F5FFF65AA0915947FFD1A0DF2FA",
                    "6981271BC905F3551457B7E03AC3B8066DE4AA406C1171FB43DD939C4BA16175",
                    "103BA3DEE16419AA248118F90CC36A3D6F4C373652E0C3CCE7F0F1D0C5425B36",
                    "00F0F0D6A67F004C8BBA33F2B4733C7252445C1DFC4F1107203F71D2EFB28161"
                ),
                terminal_public: concat!(
                    "0F0CC62945A8029251FB7EF3C094E12EC68E4EF07F27CB9D9CD04C5C4250FAE0",
                    "E4F8A951557E929AEB48E5C6DD47F2F5CD7C351A9BD2CD722C07EDE166770F08",
                    "FFCB370262CF308DD7B07F2E0DA9CAAA1492344C852906919538C98A4BA4187E",
                    "76CE9D87832386D319CE2E043C3343AEAE6EDBA1A9894DC5094D22F7FE1351D5"
                ),
                chip_public: concat!(
                    "928D9A0F9DBA450F13FC859C6F290D1D36E42431138A4378500BEB4E0401854C",
                    "FF111F71CB6DC1D0335807A11388CC8EAA87B07907AAD9FBA6B169AF6D8C26AF",
                    "8DDDC39ADC3AD2E3FF882B84D23E9768E95A80E4746FB07A9767679FE92133B4",
                    "D379935C771BD7FBED6C7BB4B1708B275EA75679524CDC9C6A91370CC662A2F3"
                ),
                terminal_token: "55D61977CBF5307E",
                chip_token: "C2F04230187E1525",
                ks_enc: "01AFC10CF87BE36D8179E87370171F07",
                ks_mac: "23F0FBD05FD6C7B8B88F4C8309669061",
            },
            0,
        );
    }

    #[test]
    fn icao_appendix_g_mapped_generator() {
        let curve = crate::ec::curve_by_parameter_id(13).expect("brainpoolP256r1");
        let shared = Point::Affine(
            BigUint::parse_bytes(
                b"60332EF2450B5D247EF6D3868397D398852ED6E8CAF6FFEEF6BF85CA57057FD5",
                16,
            )
            .unwrap_or_default(),
            BigUint::parse_bytes(
                b"0840CA7415BAF3E43BD414D35AA4608B93A2CAF3A4E3EA4E82C9C13D03EB7181",
                16,
            )
            .unwrap_or_default(),
        );
        let mapped = generic_map(&curve, &h("3F00C4D39D153F2B2A214A078D899B22"), &shared);
        assert_eq!(
            curve.encode_point(&mapped),
            Ok(h(
                "048CED63C91426D4F0EB1435E7CB1D74A46723A0AF21C89634F65A9AE87A9265E28C879506743F8611AC33645C5B985C80B5F09A0B83407C1B6A4D857AE76FE522"
            ))
        );
    }

    struct ChipOnly(PaceChip);
    impl Transport for ChipOnly {
        fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
            let command =
                CommandApdu::parse(apdu).map_err(|e| TransportError::Io(e.to_string()))?;
            if command.ins == ins::MSE {
                return Ok(vec![0x90, 0x00]);
            }
            Ok(match self.0.general_authenticate(&command.data) {
                Ok((data, _)) => ResponseApdu::new(data, StatusWord::OK).to_bytes(),
                Err(sw) => ResponseApdu::status(sw).to_bytes(),
            })
        }
    }

    #[test]
    fn terminal_and_chip_agree_on_every_curve_and_cipher() {
        let key = AccessKey::can("123456").expect("valid");
        let cases = [
            (12, CipherKind::Aes, 128, Mapping::Generic),
            (13, CipherKind::Tdes, 112, Mapping::Generic),
            (15, CipherKind::Aes, 192, Mapping::Generic),
            (16, CipherKind::Aes, 256, Mapping::Generic),
            (17, CipherKind::Aes, 256, Mapping::Generic),
            (0, CipherKind::Tdes, 112, Mapping::Generic),
            (2, CipherKind::Aes, 128, Mapping::Generic),
            (12, CipherKind::Aes, 192, Mapping::Integrated),
            (13, CipherKind::Tdes, 112, Mapping::Integrated),
            (15, CipherKind::Aes, 256, Mapping::Integrated),
            (16, CipherKind::Aes, 128, Mapping::Integrated),
            (17, CipherKind::Aes, 256, Mapping::Integrated),
            (1, CipherKind::Aes, 192, Mapping::Integrated),
            (2, CipherKind::Tdes, 112, Mapping::Integrated),
        ];
        for (parameter_id, cipher, bits, mapping) in cases {
            let ecdh = parameter_id > 2;
            let protocol = match (mapping, ecdh) {
                (Mapping::Integrated, _) => PaceProtocol::integrated(ecdh, cipher, bits),
                (_, true) => PaceProtocol::ecdh_generic(cipher, bits),
                (_, false) => PaceProtocol::dh_generic(cipher, bits),
            };
            let chip = PaceChip::new(protocol.clone(), parameter_id, key.pace_password())
                .expect("supported");
            let mut transport = ChipOnly(chip);
            let mut fresh = |domain: &Domain| domain.random_private();
            let mut count = 0;
            let outcome = perform_with(
                &mut transport,
                &key,
                &protocol,
                parameter_id,
                &mut fresh,
                &mut count,
            )
            .unwrap_or_else(|e| panic!("{} on {parameter_id}: {e}", protocol.name()));
            assert_eq!(outcome.sm.kind(), cipher);
            assert_eq!(outcome.protocol, protocol);
        }
        // A wrong CAN is refused by the chip at the token step, whatever the mapping.
        for protocol in [
            PaceProtocol::ecdh_generic(CipherKind::Aes, 128),
            PaceProtocol::integrated(true, CipherKind::Aes, 128),
            PaceProtocol::integrated(false, CipherKind::Aes, 128),
        ] {
            let parameter_id = if protocol.ecdh { 13 } else { 0 };
            let chip = PaceChip::new(protocol.clone(), parameter_id, b"654321".to_vec())
                .expect("supported");
            let mut transport = ChipOnly(chip);
            let mut fresh = |domain: &Domain| domain.random_private();
            let mut count = 0;
            let result = perform_with(
                &mut transport,
                &key,
                &protocol,
                parameter_id,
                &mut fresh,
                &mut count,
            );
            assert_eq!(
                result.map(|_| ()),
                Err(PaceError::AccessDenied(StatusWord::AUTH_FAILED)),
                "{}",
                protocol.name()
            );
        }
    }

    #[test]
    fn integrated_mapping_chip_refuses_a_bad_map_nonce() {
        let protocol = PaceProtocol::integrated(true, CipherKind::Aes, 256);
        assert_eq!(protocol.name(), "PACE-ECDH-IM-AES-256");
        for t in [vec![0x11; 16], Vec::new(), vec![0x11; 33]] {
            let mut chip = PaceChip::new(protocol.clone(), 13, b"123456".to_vec()).expect("ok");
            chip.general_authenticate(&h("7C00")).expect("nonce");
            let answer = chip.general_authenticate(&tlv::encode(0x7C, &tlv::encode(0x81, &t)));
            assert_eq!(answer.map(|_| ()), Err(StatusWord::WRONG_DATA), "{t:?}");
        }
        let mut chip = PaceChip::new(protocol, 13, b"123456".to_vec()).expect("ok");
        chip.general_authenticate(&h("7C00")).expect("nonce");
        let answer = chip
            .general_authenticate(&tlv::encode(0x7C, &tlv::encode(0x81, &[0x11; 32])))
            .expect("maps");
        assert_eq!(answer, (h("7C028200"), None));
    }

    #[test]
    fn chip_authentication_mapping_proves_the_static_key() {
        let key = AccessKey::can("123456").expect("valid");
        let curve = crate::ec::curve_by_parameter_id(13).expect("brainpoolP256r1");
        let static_private = curve.random_scalar().expect("random");
        let static_public = curve
            .encode_point(&curve.multiply(&static_private, &curve.g))
            .expect("affine");
        let infos = vec![SecurityInfo::ChipAuthenticationPublicKey {
            protocol: h("04007F000702020102"),
            public_key_info: crate::lds::dg15::encode_ec_public_key_info(&curve, &static_public)
                .expect("named"),
            key_id: None,
        }];
        let protocol = PaceProtocol::ecdh_cam(128);
        assert_eq!(protocol.name(), "PACE-ECDH-CAM-AES-128");
        for genuine in [true, false] {
            let mut chip =
                PaceChip::new(protocol.clone(), 13, key.pace_password()).expect("supported");
            if genuine {
                chip = chip.with_static_key(static_private.clone());
            }
            let mut transport = ChipOnly(chip);
            let mut fresh = |domain: &Domain| domain.random_private();
            let mut count = 0;
            let outcome = perform_with(&mut transport, &key, &protocol, 13, &mut fresh, &mut count)
                .expect("PACE succeeds");
            let evidence = outcome.cam.expect("CAM data");
            assert_eq!(verify_cam(&evidence, &infos).is_ok(), genuine);
        }
    }

    proptest! {
        #[test]
        fn random_chip_input_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..80), step in 0usize..4) {
            let protocol = if step % 2 == 0 {
                PaceProtocol::ecdh_generic(CipherKind::Aes, 128)
            } else {
                PaceProtocol::integrated(true, CipherKind::Aes, 128)
            };
            let mut chip = PaceChip::new(protocol, 13, b"123456".to_vec()).expect("supported");
            for _ in 0..step {
                let _ = chip.general_authenticate(&h("7C00"));
            }
            let _ = chip.general_authenticate(&bytes);
            let _ = PaceProtocol::from_oid(&bytes);
        }
    }
}
