//! Chip authentication (ICAO 9303-11 §6.2): the reader agrees a new key with
//! the chip's static key from DG14 (ECDH) and restarts secure messaging with
//! it. Only a chip holding the private key can continue the session, so this
//! proves the chip is not a clone. Both sides: reader and test-only virtual chip.

use crate::agreement::{Domain, Element};
use crate::apdu::{CommandApdu, StatusWord, ins};
use crate::crypto::{self, CipherKind, KeyPurpose};
use crate::dh::DhGroup;
use crate::emulator::ChipDataset;
use crate::lds::dg15::{self, PublicKey};
use crate::lds::security_infos::{ID_CA, SecurityInfo};
use crate::lds::{FileId, dg14};
use crate::sm::SecureMessaging;
use crate::tlv::{self, der};
use num_bigint::BigUint;
use thiserror::Error;

/// Why chip authentication cannot be planned.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CaError {
    /// DG14 has no usable chip authentication entries.
    #[error("chip authentication not offered: {0}")]
    NotOffered(String),
    /// DG14's key cannot be used.
    #[error("chip authentication key unusable: {0}")]
    BadKey(String),
}

/// What the reader will do: protocol, key and cipher taken from DG14.
#[derive(Debug, Clone)]
pub struct CaPlan {
    /// ChipAuthenticationInfo OID content.
    pub protocol: Vec<u8>,
    /// Key id when DG14 names one.
    pub key_id: Option<u32>,
    /// The chip's key agreement domain (curve or DH group).
    pub domain: Domain,
    /// The chip's static public key.
    pub chip_public: Element,
    /// Cipher of the restarted session.
    pub cipher: CipherKind,
    /// Key length in bits.
    pub key_bits: u16,
}

fn cipher_of(protocol: &[u8]) -> Option<(bool, CipherKind, u16)> {
    let [agreement, cipher] = protocol.strip_prefix(ID_CA)? else {
        return None;
    };
    let ecdh = *agreement == 2;
    let (kind, bits) = match cipher {
        1 => (CipherKind::Tdes, 112),
        2 => (CipherKind::Aes, 128),
        3 => (CipherKind::Aes, 192),
        4 => (CipherKind::Aes, 256),
        _ => return None,
    };
    Some((ecdh, kind, bits))
}

/// The ChipAuthenticationInfo OID for ECDH (or DH) with a cipher (to build DG14).
pub fn protocol_oid(ecdh: bool, cipher: CipherKind, key_bits: u16) -> Vec<u8> {
    let arc = match (cipher, key_bits) {
        (CipherKind::Tdes, _) => 1,
        (CipherKind::Aes, 192) => 3,
        (CipherKind::Aes, 256) => 4,
        (CipherKind::Aes, _) => 2,
    };
    [ID_CA, &[if ecdh { 2 } else { 1 }, arc]].concat()
}

/// The ChipAuthenticationInfo OID for ECDH with a cipher.
pub fn ecdh_protocol(cipher: CipherKind, key_bits: u16) -> Vec<u8> {
    protocol_oid(true, cipher, key_bits)
}

/// DG14 SecurityInfos for a chip authentication key (ECDH or DH, from the key's type).
pub fn dg14_infos(key_info: Vec<u8>, cipher: CipherKind, key_bits: u16) -> Vec<SecurityInfo> {
    let ecdh = !matches!(
        dg15::parse_public_key_info(&key_info),
        Ok(PublicKey::Dh { .. })
    );
    vec![
        SecurityInfo::ChipAuthentication {
            protocol: protocol_oid(ecdh, cipher, key_bits),
            version: 1,
            key_id: None,
        },
        SecurityInfo::ChipAuthenticationPublicKey {
            protocol: [
                crate::lds::security_infos::ID_PK,
                &[if ecdh { 2 } else { 1 }],
            ]
            .concat(),
            public_key_info: key_info,
            key_id: None,
        },
    ]
}

/// Short description of a domain for officer-facing reasons.
pub fn describe(domain: &Domain) -> String {
    match domain {
        Domain::Ec(curve) => curve.name.to_string(),
        Domain::Dh { group, .. } => format!("DH {}-bit", group.p.bits()),
    }
}

/// Chooses the chip authentication to run from DG14's SecurityInfos.
pub fn plan(infos: &[SecurityInfo]) -> Result<CaPlan, CaError> {
    let mut reasons = Vec::new();
    for info in infos {
        let SecurityInfo::ChipAuthentication {
            protocol, key_id, ..
        } = info
        else {
            continue;
        };
        let Some((ecdh, cipher, key_bits)) = cipher_of(protocol) else {
            reasons.push(format!("unknown protocol {}", der::oid_to_string(protocol)));
            continue;
        };
        let key = infos.iter().find_map(|candidate| match candidate {
            SecurityInfo::ChipAuthenticationPublicKey {
                public_key_info,
                key_id: candidate_id,
                ..
            } if key_id.is_none() || candidate_id == key_id => Some(public_key_info.clone()),
            _ => None,
        });
        let Some(key) = key else {
            reasons.push("no ChipAuthenticationPublicKeyInfo".into());
            continue;
        };
        let domain_and_key = match dg15::parse_public_key_info(&key) {
            Ok(PublicKey::Ec { curve, point }) if ecdh => Ok((Domain::Ec(*curve), point)),
            Ok(PublicKey::Dh { p, g, q, y }) if !ecdh => {
                let group = DhGroup {
                    name: "DG14 group",
                    p: BigUint::from_bytes_be(&p),
                    g: BigUint::from_bytes_be(&g),
                    q: BigUint::from_bytes_be(&q),
                };
                let generator = group.g.clone();
                Ok((Domain::Dh { group, generator }, y))
            }
            Ok(_) => Err("key type does not match the ChipAuthenticationInfo protocol".to_string()),
            Err(e) => Err(e.to_string()),
        };
        match domain_and_key {
            Ok((domain, public)) => {
                let chip_public = domain
                    .decode(&pad_public(&domain, &public))
                    .map_err(|e| CaError::BadKey(e.to_string()))?;
                return Ok(CaPlan {
                    protocol: protocol.clone(),
                    key_id: *key_id,
                    domain,
                    chip_public,
                    cipher,
                    key_bits,
                });
            }
            Err(reason) => reasons.push(reason),
        }
    }
    Err(CaError::NotOffered(if reasons.is_empty() {
        "DG14 has no ChipAuthenticationInfo".into()
    } else {
        reasons.join("; ")
    }))
}

/// Reader side: the commands to send (under the current session) and the
/// session to switch to once the last one succeeded.
pub fn terminal_commands(plan: &CaPlan) -> Result<(Vec<CommandApdu>, SecureMessaging), CaError> {
    let bad = |e: crate::agreement::AgreementError| CaError::BadKey(e.to_string());
    let private = plan.domain.random_private().map_err(bad)?;
    let public = plan.domain.public_key(&private);
    let public_encoded = plan.domain.encode(&public).map_err(bad)?;
    let secret = plan
        .domain
        .secret(
            &plan
                .domain
                .agree(&private, &plan.chip_public)
                .map_err(bad)?,
        )
        .map_err(bad)?;
    let session =
        session(&secret, plan.cipher, plan.key_bits).map_err(|e| CaError::BadKey(e.to_string()))?;
    let key_reference = plan
        .key_id
        .map(|id| tlv::encode(0x84, &id.to_be_bytes()[3..]))
        .unwrap_or_default();
    let commands = if plan.cipher == CipherKind::Tdes {
        let data = [tlv::encode(0x91, &public_encoded), key_reference].concat();
        vec![CommandApdu::new(0x00, ins::MSE, 0x41, 0xA6).with_data(data)]
    } else {
        let set_at = [tlv::encode(0x80, &plan.protocol), key_reference].concat();
        vec![
            CommandApdu::new(0x00, ins::MSE, 0x41, 0xA4).with_data(set_at),
            CommandApdu::new(0x00, ins::GENERAL_AUTHENTICATE, 0, 0)
                .with_data(tlv::encode(0x7C, &tlv::encode(0x80, &public_encoded)))
                .with_ne(256),
        ]
    };
    Ok((commands, session))
}

/// DH public values in SubjectPublicKeyInfo are minimal INTEGERs: left-pad to the size of p.
fn pad_public(domain: &Domain, public: &[u8]) -> Vec<u8> {
    match domain {
        Domain::Dh { group, .. } => group.encode(&BigUint::from_bytes_be(public)),
        Domain::Ec(_) => public.to_vec(),
    }
}

fn session(
    secret: &[u8],
    cipher: CipherKind,
    key_bits: u16,
) -> Result<SecureMessaging, crypto::CryptoError> {
    Ok(SecureMessaging::with_zero_ssc(
        cipher,
        crypto::kdf(secret, KeyPurpose::Encryption, key_bits)?,
        crypto::kdf(secret, KeyPurpose::Mac, key_bits)?,
    ))
}

/// Chip side of chip authentication in the virtual eMRTD.
#[derive(Debug)]
pub struct ChipSide {
    private: Option<(Domain, BigUint)>,
    cipher: CipherKind,
    key_bits: u16,
    session: Option<SecureMessaging>,
}

impl ChipSide {
    /// Handles MSE:Set KAT (3DES: key agreement at once) or MSE:Set AT (AES: wait for GENERAL AUTHENTICATE).
    pub fn start(dataset: &ChipDataset, command: &CommandApdu) -> Result<ChipSide, StatusWord> {
        let infos = dataset
            .files
            .get(&FileId::Dg(14))
            .and_then(|b| dg14::parse(b).ok())
            .ok_or(StatusWord::CONDITIONS_NOT_SATISFIED)?;
        let plan = plan(&infos).map_err(|_| StatusWord::CONDITIONS_NOT_SATISFIED)?;
        // A clone has the public DG14 but not the private key.
        let private = dataset
            .secrets
            .ca_key
            .as_ref()
            .and_then(|k| k.agreement_parts().ok());
        let mut side = ChipSide {
            private,
            cipher: plan.cipher,
            key_bits: plan.key_bits,
            session: None,
        };
        if command.p2 == 0xA6 {
            let public = tlv::find(&command.data, 0x91)
                .ok()
                .flatten()
                .ok_or(StatusWord::WRONG_DATA)?;
            side.agree(public)?;
        }
        Ok(side)
    }

    fn agree(&mut self, terminal_public: &[u8]) -> Result<(), StatusWord> {
        let secret = match &self.private {
            Some((domain, private)) => {
                let public = domain
                    .decode(terminal_public)
                    .map_err(|_| StatusWord::WRONG_DATA)?;
                let shared = domain
                    .agree(private, &public)
                    .map_err(|_| StatusWord::WRONG_DATA)?;
                domain.secret(&shared).map_err(|_| StatusWord::WRONG_DATA)?
            }
            // Without the key a clone can only guess: its session keys will not match.
            None => crypto::random_bytes(32).map_err(|_| StatusWord(0x6F00))?,
        };
        self.session =
            Some(session(&secret, self.cipher, self.key_bits).map_err(|_| StatusWord(0x6F00))?);
        Ok(())
    }

    /// Handles the GENERAL AUTHENTICATE of the AES variant (7C { 80 public key }).
    pub fn general_authenticate(&mut self, data: &[u8]) -> Result<Vec<u8>, StatusWord> {
        let template = tlv::require(data, 0x7C).map_err(|_| StatusWord::WRONG_DATA)?;
        let public = tlv::require(template, 0x80).map_err(|_| StatusWord::WRONG_DATA)?;
        self.agree(public)?;
        Ok(tlv::encode(0x7C, &[]))
    }

    /// Whether key agreement happened (the session switches after this response).
    pub fn is_complete(&self) -> bool {
        self.session.is_some()
    }

    /// The new session.
    pub fn take_session(self) -> Option<SecureMessaging> {
        self.session
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::PrivateKey;
    use proptest::prelude::*;

    #[test]
    fn plan_from_dg14() {
        let key = PrivateKey::generate_ec("P-256").expect("keygen");
        let infos = dg14_infos(key.public_key_info().expect("public"), CipherKind::Aes, 128);
        let parsed = dg14::parse(&dg14::encode(&infos)).expect("valid");
        let plan = plan(&parsed).expect("offered");
        assert_eq!(plan.cipher, CipherKind::Aes);
        assert_eq!(describe(&plan.domain), "P-256");
        let (commands, _) = terminal_commands(&plan).expect("builds");
        assert_eq!(commands.len(), 2);
        assert!(matches!(super::plan(&[]), Err(CaError::NotOffered(_))));
    }

    #[test]
    fn dh_chip_authentication_agrees() {
        let key = PrivateKey::generate_dh(2).expect("keygen");
        let infos = dg14_infos(key.public_key_info().expect("public"), CipherKind::Aes, 128);
        let plan = plan(&infos).expect("offered");
        assert_eq!(describe(&plan.domain), "DH 2048-bit");
        let (commands, reader_session) = terminal_commands(&plan).expect("builds");
        let mut dataset = ChipDataset::default();
        dataset.files.insert(FileId::Dg(14), dg14::encode(&infos));
        dataset.secrets.ca_key = Some(key);
        let mut side = ChipSide::start(&dataset, &commands[0]).expect("starts");
        side.general_authenticate(&commands[1].data)
            .expect("agrees");
        assert_eq!(side.take_session(), Some(reader_session));
    }

    proptest! {
        #[test]
        fn random_dg14_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..120)) {
            if let Ok(infos) = dg14::parse(&bytes) {
                let _ = plan(&infos);
            }
            let mut dataset = ChipDataset::default();
            dataset.files.insert(FileId::Dg(14), bytes.clone());
            let command = CommandApdu::new(0, ins::MSE, 0x41, 0xA6).with_data(bytes);
            let _ = ChipSide::start(&dataset, &command);
        }
    }
}
