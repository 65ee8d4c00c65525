//! SecurityInfos (ICAO 9303-11 §9.2): the SET of protocol descriptions found in
//! EF.CardAccess (PACE), DG14 (chip authentication) and EF.CardSecurity.

use crate::tlv::{self, TlvError, der};
use serde::{Deserialize, Serialize};

/// OID content prefix id-PACE (0.4.0.127.0.7.2.2.4).
pub const ID_PACE: &[u8] = &[0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x04];
/// OID content prefix id-CA (0.4.0.127.0.7.2.2.3).
pub const ID_CA: &[u8] = &[0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x03];
/// OID content prefix id-PK (0.4.0.127.0.7.2.2.1).
pub const ID_PK: &[u8] = &[0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x01];
/// id-icao-mrtd-security-aaProtocolObject (2.23.136.1.1.5).
pub const ID_AA: &[u8] = &[0x67, 0x81, 0x08, 0x01, 0x01, 0x05];

/// One entry of a SecurityInfos set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SecurityInfo {
    /// PACEInfo: protocol OID, version, standardized domain parameter id.
    Pace {
        /// OID content bytes.
        protocol: Vec<u8>,
        /// Protocol version (2).
        version: u32,
        /// Standardized domain parameters (e.g. 13 = brainpoolP256r1).
        parameter_id: Option<u32>,
    },
    /// ChipAuthenticationInfo: protocol OID (DH/ECDH + cipher), version, key id.
    ChipAuthentication {
        /// OID content bytes.
        protocol: Vec<u8>,
        /// Protocol version.
        version: u32,
        /// Key identifier when there are several keys.
        key_id: Option<u32>,
    },
    /// ChipAuthenticationPublicKeyInfo: the chip's static key agreement key.
    ChipAuthenticationPublicKey {
        /// OID content bytes (id-PK-DH or id-PK-ECDH).
        protocol: Vec<u8>,
        /// DER SubjectPublicKeyInfo.
        public_key_info: Vec<u8>,
        /// Key identifier.
        key_id: Option<u32>,
    },
    /// ActiveAuthenticationInfo: the signature algorithm of ECDSA active authentication.
    ActiveAuthentication {
        /// Version (1).
        version: u32,
        /// Signature algorithm OID content bytes.
        signature_algorithm: Vec<u8>,
    },
    /// Any other protocol (terminal authentication, PACE domain parameters...), kept raw.
    Other {
        /// OID content bytes.
        protocol: Vec<u8>,
        /// The whole DER SEQUENCE.
        raw: Vec<u8>,
    },
}

impl SecurityInfo {
    /// The protocol OID content bytes.
    pub fn protocol(&self) -> &[u8] {
        match self {
            SecurityInfo::Pace { protocol, .. }
            | SecurityInfo::ChipAuthentication { protocol, .. }
            | SecurityInfo::ChipAuthenticationPublicKey { protocol, .. }
            | SecurityInfo::Other { protocol, .. } => protocol,
            SecurityInfo::ActiveAuthentication { .. } => ID_AA,
        }
    }

    fn encode(&self) -> Vec<u8> {
        let optional_int = |value: &Option<u32>| value.map(der::small_integer).unwrap_or_default();
        match self {
            SecurityInfo::Pace {
                protocol,
                version,
                parameter_id,
            } => tlv::encode_constructed(
                der::SEQUENCE,
                &[
                    tlv::encode(der::OID, protocol),
                    der::small_integer(*version),
                    optional_int(parameter_id),
                ],
            ),
            SecurityInfo::ChipAuthentication {
                protocol,
                version,
                key_id,
            } => tlv::encode_constructed(
                der::SEQUENCE,
                &[
                    tlv::encode(der::OID, protocol),
                    der::small_integer(*version),
                    optional_int(key_id),
                ],
            ),
            SecurityInfo::ChipAuthenticationPublicKey {
                protocol,
                public_key_info,
                key_id,
            } => tlv::encode_constructed(
                der::SEQUENCE,
                &[
                    tlv::encode(der::OID, protocol),
                    public_key_info.clone(),
                    optional_int(key_id),
                ],
            ),
            SecurityInfo::ActiveAuthentication {
                version,
                signature_algorithm,
            } => tlv::encode_constructed(
                der::SEQUENCE,
                &[
                    tlv::encode(der::OID, ID_AA),
                    der::small_integer(*version),
                    tlv::encode(der::OID, signature_algorithm),
                ],
            ),
            SecurityInfo::Other { raw, .. } => raw.clone(),
        }
    }
}

fn optional_integer(object: Option<&tlv::Tlv<'_>>) -> Result<Option<u32>, TlvError> {
    match object {
        Some(o) if o.tag == der::INTEGER => Ok(Some(der::read_small_integer(o.value)?)),
        _ => Ok(None),
    }
}

fn parse_one(sequence: &tlv::Tlv<'_>, raw: &[u8]) -> Result<SecurityInfo, TlvError> {
    let children = sequence.children()?;
    let oid = children
        .first()
        .filter(|o| o.tag == der::OID)
        .ok_or(TlvError::Missing(der::OID))?;
    let protocol = oid.value.to_vec();
    let second = children.get(1);
    let third = children.get(2);
    let version_of = |object: Option<&tlv::Tlv<'_>>| -> Result<u32, TlvError> {
        let object = object
            .filter(|o| o.tag == der::INTEGER)
            .ok_or(TlvError::Missing(der::INTEGER))?;
        der::read_small_integer(object.value)
    };
    let other = || SecurityInfo::Other {
        protocol: oid.value.to_vec(),
        raw: raw.to_vec(),
    };
    // id-PACE.x.y has two more arcs; id-PACE.x alone is PACEDomainParameterInfo.
    if protocol.starts_with(ID_PACE) && protocol.len() == ID_PACE.len() + 2 {
        return Ok(SecurityInfo::Pace {
            version: version_of(second)?,
            parameter_id: optional_integer(third)?,
            protocol,
        });
    }
    if protocol.starts_with(ID_CA) && protocol.len() == ID_CA.len() + 2 {
        return Ok(SecurityInfo::ChipAuthentication {
            version: version_of(second)?,
            key_id: optional_integer(third)?,
            protocol,
        });
    }
    if protocol.starts_with(ID_PK) && protocol.len() == ID_PK.len() + 1 {
        let key = second
            .filter(|o| o.tag == der::SEQUENCE)
            .ok_or(TlvError::Missing(der::SEQUENCE))?;
        let encoded = tlv::encode(key.tag, key.value);
        return Ok(SecurityInfo::ChipAuthenticationPublicKey {
            public_key_info: encoded,
            key_id: optional_integer(third)?,
            protocol,
        });
    }
    if protocol == ID_AA {
        let algorithm = third
            .filter(|o| o.tag == der::OID)
            .map(|o| o.value.to_vec())
            .unwrap_or_default();
        return Ok(SecurityInfo::ActiveAuthentication {
            version: version_of(second)?,
            signature_algorithm: algorithm,
        });
    }
    Ok(other())
}

/// Parses a DER `SET OF SecurityInfo` (the whole content of EF.CardAccess, or DG14's value).
pub fn parse(bytes: &[u8]) -> Result<Vec<SecurityInfo>, TlvError> {
    let (set, _) = tlv::parse_one(bytes)?;
    if set.tag != der::SET {
        return Err(TlvError::Missing(der::SET));
    }
    let mut infos = Vec::new();
    let mut rest = set.value;
    while !rest.is_empty() {
        let (sequence, after) = tlv::parse_one(rest)?;
        let raw = rest.get(..sequence.encoded_len).unwrap_or(&[]);
        if sequence.tag == der::SEQUENCE {
            infos.push(parse_one(&sequence, raw)?);
        }
        rest = after;
    }
    Ok(infos)
}

/// Encodes a `SET OF SecurityInfo`.
pub fn encode(infos: &[SecurityInfo]) -> Vec<u8> {
    let mut elements: Vec<Vec<u8>> = infos.iter().map(SecurityInfo::encode).collect();
    elements.sort(); // DER SET OF order
    tlv::encode_constructed(der::SET, &elements)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex::h;
    use proptest::prelude::*;

    #[test]
    fn parses_card_access_with_pace_info() {
        // PACEInfo of ICAO 9303-11 Appendix G: ECDH-GM-AES-128, version 2, brainpoolP256r1.
        let infos = parse(&h("31143012060A04007F0007020204020202010202010D")).expect("valid");
        assert_eq!(
            infos,
            vec![SecurityInfo::Pace {
                protocol: h("04007F00070202040202"),
                version: 2,
                parameter_id: Some(13)
            }]
        );
        assert_eq!(
            encode(&infos),
            h("31143012060A04007F0007020204020202010202010D")
        );
    }

    #[test]
    fn round_trips_dg14_style_infos() {
        let infos = vec![
            SecurityInfo::ChipAuthentication {
                protocol: h("04007F00070202030202"),
                version: 1,
                key_id: None,
            },
            SecurityInfo::ChipAuthenticationPublicKey {
                protocol: h("04007F000702020102"),
                public_key_info: h("3003020101"),
                key_id: Some(1),
            },
            SecurityInfo::ActiveAuthentication {
                version: 1,
                signature_algorithm: h("04007F00070101040103"),
            },
        ];
        let parsed = parse(&encode(&infos)).expect("own encoding parses");
        assert_eq!(parsed.len(), 3);
        for info in infos {
            assert!(parsed.contains(&info), "{info:?}");
        }
    }

    proptest! {
        #[test]
        fn random_input_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
            let _ = parse(&bytes);
            let mut framed = vec![0x31, bytes.len().min(127) as u8];
            framed.extend(bytes.iter().take(127));
            let _ = parse(&framed);
        }
    }
}
