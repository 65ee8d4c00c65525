//! Key agreement domains: one interface over elliptic-curve (ECDH) and
//! finite-field (DH) Diffie-Hellman, so PACE generic mapping and chip
//! authentication are written once for both.

use crate::dh::{self, DhError, DhGroup};
use crate::ec::{self, Curve, EcError, Point};
use num_bigint::BigUint;
use thiserror::Error;

/// Why a key agreement step failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AgreementError {
    /// Elliptic-curve failure.
    #[error(transparent)]
    Ec(#[from] EcError),
    /// Finite-field failure.
    #[error(transparent)]
    Dh(#[from] DhError),
    /// A point given to a DH domain or a number to an EC domain.
    #[error("key of the wrong kind for this domain")]
    Mismatch,
}

/// Domain parameters with their current generator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Domain {
    /// An elliptic curve (its `g` is the generator).
    Ec(Curve),
    /// A MODP group with a generator (the group's `g`, or a PACE-mapped one).
    Dh {
        /// The group.
        group: DhGroup,
        /// Current generator.
        generator: BigUint,
    },
}

/// A public key or generator: a curve point or a group element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Element {
    /// EC point.
    Point(Point),
    /// DH group element.
    Number(BigUint),
}

impl Domain {
    /// Standardized domain parameters (ICAO 9303-11 table): 0–2 DH, 12/13/15/16/17 EC.
    pub fn by_parameter_id(id: u32) -> Result<Domain, AgreementError> {
        if id <= 2 {
            let group = dh::group_by_parameter_id(id)?;
            let generator = group.g.clone();
            return Ok(Domain::Dh { group, generator });
        }
        Ok(Domain::Ec(ec::curve_by_parameter_id(id)?))
    }

    /// Whether this is an elliptic-curve domain.
    pub fn is_ecdh(&self) -> bool {
        matches!(self, Domain::Ec(_))
    }

    /// A fresh private key.
    pub fn random_private(&self) -> Result<BigUint, AgreementError> {
        Ok(match self {
            Domain::Ec(curve) => curve.random_scalar()?,
            Domain::Dh { group, .. } => group.random_private()?,
        })
    }

    /// The public key of a private key (on the current generator).
    pub fn public_key(&self, private: &BigUint) -> Element {
        match self {
            Domain::Ec(curve) => Element::Point(curve.multiply(private, &curve.g)),
            Domain::Dh { group, generator } => Element::Number(generator.modpow(private, &group.p)),
        }
    }

    /// The shared element KA(private, public).
    pub fn agree(&self, private: &BigUint, public: &Element) -> Result<Element, AgreementError> {
        match (self, public) {
            (Domain::Ec(curve), Element::Point(point)) => {
                Ok(Element::Point(curve.multiply(private, point)))
            }
            (Domain::Dh { group, .. }, Element::Number(value)) => {
                Ok(Element::Number(value.modpow(private, &group.p)))
            }
            _ => Err(AgreementError::Mismatch),
        }
    }

    /// PACE generic mapping: the new generator s·G + H (EC) or g^s · h (DH).
    pub fn map(&self, nonce: &[u8], shared: &Element) -> Result<Domain, AgreementError> {
        let s = BigUint::from_bytes_be(nonce);
        match (self, shared) {
            (Domain::Ec(curve), Element::Point(point)) => {
                let generator = curve.add(&curve.multiply(&s, &curve.g), point);
                if generator == Point::Infinity {
                    return Err(EcError::Infinity.into());
                }
                Ok(Domain::Ec(Curve {
                    g: generator,
                    ..curve.clone()
                }))
            }
            (Domain::Dh { group, generator }, Element::Number(h)) => {
                let mapped = (generator.modpow(&s, &group.p) * h) % &group.p;
                Ok(Domain::Dh {
                    group: group.clone(),
                    generator: mapped,
                })
            }
            _ => Err(AgreementError::Mismatch),
        }
    }

    /// Wire encoding of a public key (uncompressed point, or p-sized number).
    pub fn encode(&self, element: &Element) -> Result<Vec<u8>, AgreementError> {
        match (self, element) {
            (Domain::Ec(curve), Element::Point(point)) => Ok(curve.encode_point(point)?),
            (Domain::Dh { group, .. }, Element::Number(value)) => Ok(group.encode(value)),
            _ => Err(AgreementError::Mismatch),
        }
    }

    /// Decodes and validates a received public key.
    pub fn decode(&self, bytes: &[u8]) -> Result<Element, AgreementError> {
        Ok(match self {
            Domain::Ec(curve) => Element::Point(curve.decode_point(bytes)?),
            Domain::Dh { group, .. } => Element::Number(group.decode_public(bytes)?),
        })
    }

    /// The shared secret bytes fed to the KDF: the x-coordinate, or the group element.
    pub fn secret(&self, shared: &Element) -> Result<Vec<u8>, AgreementError> {
        match (self, shared) {
            (Domain::Ec(curve), Element::Point(Point::Affine(x, _))) => Ok(curve.encode_field(x)),
            (Domain::Ec(_), Element::Point(Point::Infinity)) => Err(EcError::Infinity.into()),
            (Domain::Dh { group, .. }, Element::Number(value)) => Ok(group.encode(value)),
            _ => Err(AgreementError::Mismatch),
        }
    }

    /// Tag of the public key inside the 7F49 authentication token input: 86 (EC) or 84 (DH).
    pub fn public_key_tag(&self) -> u32 {
        if self.is_ecdh() { 0x86 } else { 0x84 }
    }
}
