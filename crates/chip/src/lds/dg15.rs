//! DG15: the active authentication public key, and the SubjectPublicKeyInfo
//! decoding shared with chip authentication keys (DG14). Only the key is decoded
//! here; certificates belong to `tdverify-pki`.

use super::{LdsError, open_template};
use crate::ec::{self, Curve, EcError};
use crate::tlv::{self, der};

/// rsaEncryption (1.2.840.113549.1.1.1).
pub const OID_RSA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01];
/// dhpublicnumber (1.2.840.10046.2.1): X9.42 Diffie-Hellman keys (DH chip authentication).
pub const OID_DH_PUBLIC_NUMBER: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3E, 0x02, 0x01];
/// id-ecPublicKey (1.2.840.10045.2.1).
pub const OID_EC_PUBLIC_KEY: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01];

const NAMED_CURVES: [(&[u8], &str); 4] = [
    (&[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07], "P-256"),
    (&[0x2B, 0x81, 0x04, 0x00, 0x22], "P-384"),
    (
        &[0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07],
        "brainpoolP256r1",
    ),
    (
        &[0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0B],
        "brainpoolP384r1",
    ),
];

/// A decoded public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKey {
    /// RSA modulus and public exponent (big-endian magnitudes).
    Rsa {
        /// Modulus n.
        modulus: Vec<u8>,
        /// Exponent e.
        exponent: Vec<u8>,
    },
    /// Diffie-Hellman public value with its group (p, g, q).
    Dh {
        /// Modulus p.
        p: Vec<u8>,
        /// Generator g.
        g: Vec<u8>,
        /// Subgroup order q.
        q: Vec<u8>,
        /// Public value y.
        y: Vec<u8>,
    },
    /// EC public point on a named (or recognised explicit) curve.
    Ec {
        /// The curve.
        curve: Box<Curve>,
        /// Uncompressed point bytes.
        point: Vec<u8>,
    },
}

fn invalid(why: impl Into<String>) -> LdsError {
    LdsError::Invalid("public key", why.into())
}

fn tlv_error(e: tlv::TlvError) -> LdsError {
    LdsError::Tlv("public key", e)
}

fn curve_from_parameters(parameters: &tlv::Tlv<'_>) -> Result<Curve, LdsError> {
    if parameters.tag == der::INTEGER {
        // BSI TR-03110 standardized domain parameters, e.g. in EF.CardSecurity.
        let id = der::read_small_integer(parameters.value).map_err(tlv_error)?;
        return ec::curve_by_parameter_id(id).map_err(|e| invalid(e.to_string()));
    }
    if parameters.tag == der::OID {
        let name = NAMED_CURVES
            .iter()
            .find(|(oid, _)| *oid == parameters.value)
            .map(|(_, name)| *name);
        let name = name.ok_or_else(|| {
            invalid(format!(
                "unknown named curve {}",
                der::oid_to_string(parameters.value)
            ))
        })?;
        return ec::curve_by_name(name).map_err(|e| invalid(e.to_string()));
    }
    // Explicit ECParameters: version, fieldID {prime-field, p}, curve {a, b}, base, order.
    let children = parameters.children().map_err(tlv_error)?;
    let field = children
        .get(1)
        .ok_or_else(|| invalid("explicit parameters without field"))?
        .children()
        .map_err(tlv_error)?;
    let p = field
        .get(1)
        .filter(|o| o.tag == der::INTEGER)
        .ok_or_else(|| invalid("no prime"))?;
    let curve = children
        .get(2)
        .ok_or_else(|| invalid("explicit parameters without curve"))?
        .children()
        .map_err(tlv_error)?;
    let a = curve.first().ok_or_else(|| invalid("no coefficient a"))?;
    let b = curve.get(1).ok_or_else(|| invalid("no coefficient b"))?;
    ec::curve_from_explicit(der::integer_magnitude(p.value), a.value, b.value)
        .map_err(|e: EcError| invalid(e.to_string()))
}

/// Decodes a DER SubjectPublicKeyInfo holding an RSA or EC key.
pub fn parse_public_key_info(spki: &[u8]) -> Result<PublicKey, LdsError> {
    let (outer, _) = tlv::parse_one(spki).map_err(tlv_error)?;
    let children = outer.children().map_err(tlv_error)?;
    let algorithm = children
        .first()
        .filter(|o| o.tag == der::SEQUENCE)
        .ok_or_else(|| invalid("no algorithm"))?;
    let key_bits = children
        .get(1)
        .filter(|o| o.tag == der::BIT_STRING)
        .ok_or_else(|| invalid("no key bit string"))?;
    let key_bytes = key_bits
        .value
        .get(1..)
        .ok_or_else(|| invalid("empty bit string"))?;
    let algorithm_parts = algorithm.children().map_err(tlv_error)?;
    let oid = algorithm_parts
        .first()
        .filter(|o| o.tag == der::OID)
        .ok_or_else(|| invalid("no algorithm OID"))?;
    if oid.value == OID_RSA {
        let (rsa, _) = tlv::parse_one(key_bytes).map_err(tlv_error)?;
        let numbers = rsa.children().map_err(tlv_error)?;
        let modulus = numbers
            .first()
            .filter(|o| o.tag == der::INTEGER)
            .ok_or_else(|| invalid("no modulus"))?;
        let exponent = numbers
            .get(1)
            .filter(|o| o.tag == der::INTEGER)
            .ok_or_else(|| invalid("no exponent"))?;
        return Ok(PublicKey::Rsa {
            modulus: der::integer_magnitude(modulus.value).to_vec(),
            exponent: der::integer_magnitude(exponent.value).to_vec(),
        });
    }
    let parameters = algorithm_parts.get(1).ok_or_else(|| {
        invalid(format!(
            "unsupported key algorithm {}",
            der::oid_to_string(oid.value)
        ))
    })?;
    if oid.value == OID_DH_PUBLIC_NUMBER {
        let numbers = parameters.children().map_err(tlv_error)?;
        let number = |index: usize, name: &str| -> Result<Vec<u8>, LdsError> {
            let object = numbers
                .get(index)
                .filter(|o| o.tag == der::INTEGER)
                .ok_or_else(|| invalid(format!("DH parameters without {name}")))?;
            Ok(der::integer_magnitude(object.value).to_vec())
        };
        let (y, _) = tlv::parse_one(key_bytes).map_err(tlv_error)?;
        if y.tag != der::INTEGER {
            return Err(invalid("DH public value is not an INTEGER"));
        }
        return Ok(PublicKey::Dh {
            p: number(0, "p")?,
            g: number(1, "g")?,
            q: number(2, "q")?,
            y: der::integer_magnitude(y.value).to_vec(),
        });
    }
    let curve = curve_from_parameters(parameters)?;
    curve
        .decode_point(key_bytes)
        .map_err(|e| invalid(e.to_string()))?;
    Ok(PublicKey::Ec {
        curve: Box::new(curve),
        point: key_bytes.to_vec(),
    })
}

/// Encodes an RSA SubjectPublicKeyInfo.
pub fn encode_rsa_public_key_info(modulus: &[u8], exponent: &[u8]) -> Vec<u8> {
    let algorithm = tlv::encode_constructed(
        der::SEQUENCE,
        &[tlv::encode(der::OID, OID_RSA), vec![0x05, 0x00]],
    );
    let key = tlv::encode_constructed(
        der::SEQUENCE,
        &[der::integer(modulus), der::integer(exponent)],
    );
    let bits = [vec![0u8], key].concat();
    tlv::encode_constructed(
        der::SEQUENCE,
        &[algorithm, tlv::encode(der::BIT_STRING, &bits)],
    )
}

/// Encodes a DH (X9.42 dhpublicnumber) SubjectPublicKeyInfo.
pub fn encode_dh_public_key_info(p: &[u8], g: &[u8], q: &[u8], y: &[u8]) -> Vec<u8> {
    let parameters = tlv::encode_constructed(
        der::SEQUENCE,
        &[der::integer(p), der::integer(g), der::integer(q)],
    );
    let algorithm = tlv::encode_constructed(
        der::SEQUENCE,
        &[tlv::encode(der::OID, OID_DH_PUBLIC_NUMBER), parameters],
    );
    let bits = [vec![0u8], der::integer(y)].concat();
    tlv::encode_constructed(
        der::SEQUENCE,
        &[algorithm, tlv::encode(der::BIT_STRING, &bits)],
    )
}

/// Encodes an EC SubjectPublicKeyInfo with a named curve (`None` if the curve has no OID here).
pub fn encode_ec_public_key_info(curve: &Curve, point: &[u8]) -> Option<Vec<u8>> {
    let (oid, _) = NAMED_CURVES.iter().find(|(_, name)| *name == curve.name)?;
    let algorithm = tlv::encode_constructed(
        der::SEQUENCE,
        &[
            tlv::encode(der::OID, OID_EC_PUBLIC_KEY),
            tlv::encode(der::OID, oid),
        ],
    );
    let bits = [vec![0u8], point.to_vec()].concat();
    Some(tlv::encode_constructed(
        der::SEQUENCE,
        &[algorithm, tlv::encode(der::BIT_STRING, &bits)],
    ))
}

/// The SubjectPublicKeyInfo bytes inside DG15 (handed to AA, or to pki for display).
pub fn parse(bytes: &[u8]) -> Result<Vec<u8>, LdsError> {
    let content = open_template("DG15", bytes, 0x6F)?;
    let (spki, _) = tlv::parse_one(content).map_err(|e| LdsError::Tlv("DG15", e))?;
    Ok(content.get(..spki.encoded_len).unwrap_or(content).to_vec())
}

/// Encodes DG15 around SubjectPublicKeyInfo bytes.
pub fn encode(public_key_info: &[u8]) -> Vec<u8> {
    tlv::encode(0x6F, public_key_info)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rsa_and_ec_round_trip() {
        let spki = encode_rsa_public_key_info(&[0xC3; 128], &[0x01, 0x00, 0x01]);
        let dg15 = encode(&spki);
        assert_eq!(parse(&dg15), Ok(spki.clone()));
        match parse_public_key_info(&spki) {
            Ok(PublicKey::Rsa { modulus, exponent }) => {
                assert_eq!(modulus, vec![0xC3; 128]);
                assert_eq!(exponent, vec![1, 0, 1]);
            }
            other => panic!("unexpected {other:?}"),
        }
        let curve = ec::curve_by_name("brainpoolP256r1").expect("known");
        let point = curve.encode_point(&curve.g).expect("affine");
        let spki = encode_ec_public_key_info(&curve, &point).expect("named");
        match parse_public_key_info(&spki) {
            Ok(PublicKey::Ec {
                curve: parsed,
                point: parsed_point,
            }) => {
                assert_eq!(parsed.name, "brainpoolP256r1");
                assert_eq!(parsed_point, point);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    proptest! {
        #[test]
        fn random_input_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..120)) {
            let _ = parse(&bytes);
            let _ = parse_public_key_info(&bytes);
            let _ = parse_public_key_info(&tlv::encode(0x30, &bytes));
        }
    }
}
