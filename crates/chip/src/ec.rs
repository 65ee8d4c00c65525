//! Elliptic-curve arithmetic over prime fields for PACE generic mapping, ECDH
//! chip authentication and ECDSA active authentication.
//!
//! The API works on curve parameters ([`Curve`], [`Point`] with big-integer
//! coordinates) because PACE maps to new generators and chips may send
//! explicit domain parameters. Behind it:
//!
//! - **Scalar multiplication, point addition, ECDSA signing and verification**
//!   run on RustCrypto curve types, recognised by the curve's parameters
//!   whatever its generator: `p256`, `p384`, `bp256` and `bp384` (with
//!   `ecdsa`), and brainpoolP512r1, which no published crate provides and
//!   which `bp512` declares from the same RustCrypto parts (`primefield`
//!   Montgomery elements on `crypto-bigint`, `primeorder` formulas). Their
//!   field and scalar arithmetic is constant time. ECDSA is the `ecdsa`
//!   crate's, the verifier `tdverify-pki` uses too.
//! - **Explicit domain parameters** are accepted only when they are one of
//!   these five curves ([`curve_from_explicit`]), so no arithmetic on arbitrary
//!   curves remains; a [`Curve`] built by hand with other parameters gets the
//!   point at infinity from [`Curve::multiply`] and [`Curve::add`], and ECDSA
//!   refuses it.
//! - The textbook Jacobian arithmetic and ECDSA formulas on num-bigint stay
//!   only in the tests, as the reference the RustCrypto path is checked against.
//! - The PACE integrated mapping's point encoding ([`Curve::encode_to_point`]):
//!   no crate implements the ICAO encoding, so its steps are written here, on
//!   the same curve's RustCrypto field elements with constant-time selection.
//! - Still on num-bigint, on public values only: the parameters and
//!   coordinates of the API, the curve-equation check of received points, and
//!   the reduction of the rare scalar longer than the field.

mod bp512;

use ecdsa::EcdsaCurve;
use elliptic_curve::sec1::{FromSec1Point, ModulusSize, Sec1Point, ToSec1Point};
use elliptic_curve::{CurveArithmetic, FieldBytes, FieldBytesSize, PrimeField};
use num_bigint::BigUint;
use num_traits::{One, Zero};
use thiserror::Error;

/// Why a point or curve could not be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EcError {
    /// Point encoding that is not uncompressed (04 || X || Y) of the curve's size.
    #[error("bad point encoding")]
    BadEncoding,
    /// Point not on the curve (an invalid-curve attack or corrupted data).
    #[error("point is not on the curve")]
    NotOnCurve,
    /// The point at infinity where a real point is needed.
    #[error("point at infinity")]
    Infinity,
    /// Unknown standardized domain parameter id or curve.
    #[error("unsupported curve {0}")]
    UnsupportedCurve(String),
    /// Random generator failure.
    #[error("random number generator failed")]
    Random,
    /// A field element the integrated mapping cannot encode as a point (zero,
    /// or a degenerate value), or a curve the encoding does not apply to.
    #[error("value cannot be encoded as a curve point: {0}")]
    NotEncodable(&'static str),
}

/// A point on a curve; `None` coordinates mean the point at infinity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Point {
    /// Neutral element.
    Infinity,
    /// Affine point (x, y).
    Affine(BigUint, BigUint),
}

/// A point in Jacobian coordinates (x = X/Z², y = Y/Z³); Z = 0 is infinity.
#[derive(Debug, Clone)]
#[cfg(test)]
struct Jacobian {
    x: BigUint,
    y: BigUint,
    z: BigUint,
}

#[cfg(test)]
impl Jacobian {
    fn infinity() -> Jacobian {
        Jacobian {
            x: BigUint::one(),
            y: BigUint::one(),
            z: BigUint::zero(),
        }
    }
}

/// Short Weierstrass curve y² = x³ + ax + b over GF(p) with base point G of order n.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Curve {
    /// Name for messages, e.g. "brainpoolP256r1".
    pub name: &'static str,
    /// Field prime.
    pub p: BigUint,
    /// Coefficient a.
    pub a: BigUint,
    /// Coefficient b.
    pub b: BigUint,
    /// Base point.
    pub g: Point,
    /// Order of the base point.
    pub n: BigUint,
}

fn big(hex_text: &str) -> BigUint {
    BigUint::parse_bytes(hex_text.as_bytes(), 16).unwrap_or_default()
}

fn named(name: &'static str, p: &str, a: &str, b: &str, gx: &str, gy: &str, n: &str) -> Curve {
    Curve {
        name,
        p: big(p),
        a: big(a),
        b: big(b),
        g: Point::Affine(big(gx), big(gy)),
        n: big(n),
    }
}

/// Curve parameters from SEC 2 (NIST P-256, P-384) and RFC 5639 (brainpool).
/// Every curve here has cofactor 1 and p ≡ 3 (mod 4), which the PACE integrated
/// mapping's point encoding ([`Curve::encode_to_point`]) relies on.
pub fn curve_by_name(name: &str) -> Result<Curve, EcError> {
    Ok(match name {
        "brainpoolP256r1" => named(
            "brainpoolP256r1",
            "a9fb57dba1eea9bc3e660a909d838d726e3bf623d52620282013481d1f6e5377",
            "7d5a0975fc2c3057eef67530417affe7fb8055c126dc5c6ce94a4b44f330b5d9",
            "26dc5c6ce94a4b44f330b5d9bbd77cbf958416295cf7e1ce6bccdc18ff8c07b6",
            "8bd2aeb9cb7e57cb2c4b482ffc81b7afb9de27e1e3bd23c23a4453bd9ace3262",
            "547ef835c3dac4fd97f8461a14611dc9c27745132ded8e545c1d54c72f046997",
            "a9fb57dba1eea9bc3e660a909d838d718c397aa3b561a6f7901e0e82974856a7",
        ),
        "brainpoolP384r1" => named(
            "brainpoolP384r1",
            "8cb91e82a3386d280f5d6f7e50e641df152f7109ed5456b412b1da197fb71123acd3a729901d1a71874700133107ec53",
            "7bc382c63d8c150c3c72080ace05afa0c2bea28e4fb22787139165efba91f90f8aa5814a503ad4eb04a8c7dd22ce2826",
            "04a8c7dd22ce28268b39b55416f0447c2fb77de107dcd2a62e880ea53eeb62d57cb4390295dbc9943ab78696fa504c11",
            "1d1c64f068cf45ffa2a63a81b7c13f6b8847a3e77ef14fe3db7fcafe0cbd10e8e826e03436d646aaef87b2e247d4af1e",
            "8abe1d7520f9c2a45cb1eb8e95cfd55262b70b29feec5864e19c054ff99129280e4646217791811142820341263c5315",
            "8cb91e82a3386d280f5d6f7e50e641df152f7109ed5456b31f166e6cac0425a7cf3ab6af6b7fc3103b883202e9046565",
        ),
        // RFC 5639 §3.7.
        "brainpoolP512r1" => named(
            "brainpoolP512r1",
            "aadd9db8dbe9c48b3fd4e6ae33c9fc07cb308db3b3c9d20ed6639cca703308717d4d9b009bc66842aecda12ae6a380e62881ff2f2d82c68528aa6056583a48f3",
            "7830a3318b603b89e2327145ac234cc594cbdd8d3df91610a83441caea9863bc2ded5d5aa8253aa10a2ef1c98b9ac8b57f1117a72bf2c7b9e7c1ac4d77fc94ca",
            "3df91610a83441caea9863bc2ded5d5aa8253aa10a2ef1c98b9ac8b57f1117a72bf2c7b9e7c1ac4d77fc94cadc083e67984050b75ebae5dd2809bd638016f723",
            "81aee4bdd82ed9645a21322e9c4c6a9385ed9f70b5d916c1b43b62eef4d0098eff3b1f78e2d0d48d50d1687b93b97d5f7c6d5047406a5e688b352209bcb9f822",
            "7dde385d566332ecc0eabfa9cf7822fdf209f70024a57b1aa000c55b881f8111b2dcde494a5f485e5bca4bd88a2763aed1ca2b2fa8f0540678cd1e0f3ad80892",
            "aadd9db8dbe9c48b3fd4e6ae33c9fc07cb308db3b3c9d20ed6639cca70330870553e5c414ca92619418661197fac10471db1d381085ddaddb58796829ca90069",
        ),
        "P-256" | "secp256r1" | "prime256v1" => named(
            "P-256",
            "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
            "ffffffff00000001000000000000000000000000fffffffffffffffffffffffc",
            "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b",
            "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
            "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5",
            "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
        ),
        "P-384" | "secp384r1" => named(
            "P-384",
            "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff",
            "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000fffffffc",
            "b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef",
            "aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7",
            "3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f",
            "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
        ),
        other => return Err(EcError::UnsupportedCurve(other.into())),
    })
}

/// Curve of a BSI TR-03110 / ICAO standardized domain parameter id (PACEInfo parameterId).
pub fn curve_by_parameter_id(id: u32) -> Result<Curve, EcError> {
    match id {
        12 => curve_by_name("P-256"),
        13 => curve_by_name("brainpoolP256r1"),
        15 => curve_by_name("P-384"),
        16 => curve_by_name("brainpoolP384r1"),
        17 => curve_by_name("brainpoolP512r1"),
        other => Err(EcError::UnsupportedCurve(format!(
            "standardized domain parameters {other}"
        ))),
    }
}

/// The standardized parameter id of a named curve (inverse of [`curve_by_parameter_id`]).
pub fn parameter_id_of(curve: &Curve) -> Option<u32> {
    [12, 13, 15, 16, 17].into_iter().find(|id| {
        curve_by_parameter_id(*id).is_ok_and(|c| c.p == curve.p && c.a == curve.a && c.b == curve.b)
    })
}

/// Identifies explicit domain parameters (p, a, b) as one of the named curves.
pub fn curve_from_explicit(p: &[u8], a: &[u8], b: &[u8]) -> Result<Curve, EcError> {
    let (p, a, b) = (
        BigUint::from_bytes_be(p),
        BigUint::from_bytes_be(a),
        BigUint::from_bytes_be(b),
    );
    [
        "brainpoolP256r1",
        "brainpoolP384r1",
        "brainpoolP512r1",
        "P-256",
        "P-384",
    ]
    .into_iter()
    .filter_map(|name| curve_by_name(name).ok())
    .find(|c| c.p == p && c.a == a && c.b == b)
    .ok_or_else(|| EcError::UnsupportedCurve("explicit parameters of an unknown curve".into()))
}

#[cfg(test)]
fn mod_sub(a: &BigUint, b: &BigUint, m: &BigUint) -> BigUint {
    ((a % m) + m - (b % m)) % m
}

#[cfg(test)]
fn mod_inverse(a: &BigUint, m: &BigUint) -> Option<BigUint> {
    use num_bigint::{BigInt, Sign};
    use num_integer::Integer;
    let a = BigInt::from_biguint(Sign::Plus, a % m);
    let m_signed = BigInt::from_biguint(Sign::Plus, m.clone());
    let extended = a.extended_gcd(&m_signed);
    if !extended.gcd.is_one() {
        return None;
    }
    let inverse = extended.x.mod_floor(&m_signed);
    inverse.to_biguint()
}

/// A curve the RustCrypto crates do the arithmetic for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Named {
    P256,
    P384,
    BrainpoolP256,
    BrainpoolP384,
    BrainpoolP512,
}

/// Runs `$body` with `$curve_type` bound to the RustCrypto type of `$named`.
macro_rules! with_named_curve {
    ($named:expr, $curve_type:ident => $body:expr) => {
        match $named {
            Named::P256 => {
                type $curve_type = p256::NistP256;
                $body
            }
            Named::P384 => {
                type $curve_type = p384::NistP384;
                $body
            }
            Named::BrainpoolP256 => {
                type $curve_type = bp256::BrainpoolP256r1;
                $body
            }
            Named::BrainpoolP384 => {
                type $curve_type = bp384::BrainpoolP384r1;
                $body
            }
            Named::BrainpoolP512 => {
                type $curve_type = bp512::BrainpoolP512r1;
                $body
            }
        }
    };
}

/// The bounds the conversions between this module's types and a RustCrypto curve need.
trait Arithmetic: CurveArithmetic + EcdsaCurve
where
    FieldBytesSize<Self>: ModulusSize,
    Self::AffinePoint: FromSec1Point<Self> + ToSec1Point<Self>,
{
}

impl<C> Arithmetic for C
where
    C: CurveArithmetic + EcdsaCurve,
    FieldBytesSize<C>: ModulusSize,
    C::AffinePoint: FromSec1Point<C> + ToSec1Point<C>,
{
}

/// A point of this module as a RustCrypto projective point (`None`: not on the curve).
fn to_projective<C>(curve: &Curve, point: &Point) -> Option<C::ProjectivePoint>
where
    C: Arithmetic,
    FieldBytesSize<C>: ModulusSize,
    C::AffinePoint: FromSec1Point<C> + ToSec1Point<C>,
{
    let bytes = match point {
        Point::Infinity => vec![0x00],
        Point::Affine(..) => curve.encode_point(point).ok()?,
    };
    let encoded = Sec1Point::<C>::from_bytes(&bytes).ok()?;
    let affine: C::AffinePoint = Option::from(C::AffinePoint::from_sec1_point(&encoded))?;
    Some(affine.into())
}

/// A RustCrypto projective point back as a point of this module.
fn from_projective<C>(point: C::ProjectivePoint) -> Point
where
    C: Arithmetic,
    FieldBytesSize<C>: ModulusSize,
    C::AffinePoint: FromSec1Point<C> + ToSec1Point<C>,
{
    let affine: C::AffinePoint = point.into();
    let encoded = affine.to_sec1_point(false);
    match (encoded.x(), encoded.y()) {
        (Some(x), Some(y)) => Point::Affine(BigUint::from_bytes_be(x), BigUint::from_bytes_be(y)),
        _ => Point::Infinity,
    }
}

/// A big integer below 2^(8·field size) as the curve's fixed-size big-endian bytes.
fn field_bytes<C: Arithmetic>(value: &BigUint) -> Option<FieldBytes<C>>
where
    FieldBytesSize<C>: ModulusSize,
    C::AffinePoint: FromSec1Point<C> + ToSec1Point<C>,
{
    let bytes = value.to_bytes_be();
    let mut out = FieldBytes::<C>::default();
    let start = out.len().checked_sub(bytes.len())?;
    out[start..].copy_from_slice(&bytes);
    Some(out)
}

/// `value mod n` as a RustCrypto scalar (`None` never happens in practice: the
/// reduced value always fits the field size).
fn to_scalar<C: Arithmetic>(curve: &Curve, value: &BigUint) -> Option<C::Scalar>
where
    FieldBytesSize<C>: ModulusSize,
    C::AffinePoint: FromSec1Point<C> + ToSec1Point<C>,
{
    // A value of the field's size (keys, PACE nonces) is reduced by the
    // crate in constant time; only longer ones are first reduced here.
    let repr = match field_bytes::<C>(value) {
        Some(repr) => repr,
        None => field_bytes::<C>(&(value % &curve.n))?,
    };
    Some(<C::Scalar as elliptic_curve::ops::Reduce<FieldBytes<C>>>::reduce(&repr))
}

/// The integrated mapping's point encoding (steps of [`Curve::encode_to_point`])
/// on the curve's field elements; `t` is already checked to lie in 1..p-1.
fn encode_to_point_named<C>(curve: &Curve, t: &BigUint) -> Result<Point, EcError>
where
    C: Arithmetic + primeorder::PrimeCurveParams,
    FieldBytesSize<C>: ModulusSize,
    C::AffinePoint: FromSec1Point<C> + ToSec1Point<C>,
{
    use elliptic_curve::ff::Field;
    use elliptic_curve::subtle::{ConditionallySelectable, ConstantTimeEq};
    let bytes = field_bytes::<C>(t).ok_or(EcError::NotEncodable("t outside 1..p-1"))?;
    let t: C::FieldElement = Option::from(C::FieldElement::from_repr(bytes))
        .ok_or(EcError::NotEncodable("t outside 1..p-1"))?;
    let (a, b) = (C::EQUATION_A, C::EQUATION_B);
    // 1. α = -t²
    let alpha = -t.square();
    let alpha_sum = alpha + alpha.square();
    // 2. X2 = -b (1 + α + α²) / (a (α + α²))
    let inverse: C::FieldElement =
        Option::from((a * alpha_sum).invert()).ok_or(EcError::NotEncodable("a(α + α²) is zero"))?;
    let x2 = -b * (C::FieldElement::ONE + alpha_sum) * inverse;
    // 3. X3 = α X2
    let x3 = alpha * x2;
    // 4. h2 = X2³ + a X2 + b
    let h2 = x2.square() * x2 + a * x2 + b;
    // 6. U = t³ h2
    let u = t.square() * t * h2;
    // 7. A = h2^(p - 1 - (p + 1)/4), the exponent public
    let p = &curve.p;
    let exponent = p - BigUint::one() - ((p + BigUint::one()) >> 2u8);
    let big_a = h2.pow(exponent.to_u64_digits());
    // 8./9. h2 is a square when A² h2 = 1: the point is on X2, else on X3.
    let square = (big_a.square() * h2).ct_eq(&C::FieldElement::ONE);
    let x = C::FieldElement::conditional_select(&x3, &x2, square);
    let y = C::FieldElement::conditional_select(&(big_a * u), &(big_a * h2), square);
    Ok(Point::Affine(
        BigUint::from_bytes_be(&x.to_repr()),
        BigUint::from_bytes_be(&y.to_repr()),
    ))
}

fn multiply_named<C: Arithmetic>(curve: &Curve, scalar: &BigUint, point: &Point) -> Option<Point>
where
    FieldBytesSize<C>: ModulusSize,
    C::AffinePoint: FromSec1Point<C> + ToSec1Point<C>,
{
    let base = to_projective::<C>(curve, point)?;
    let scalar = to_scalar::<C>(curve, scalar)?;
    Some(from_projective::<C>(base * scalar))
}

fn add_named<C: Arithmetic>(curve: &Curve, first: &Point, second: &Point) -> Option<Point>
where
    FieldBytesSize<C>: ModulusSize,
    C::AffinePoint: FromSec1Point<C> + ToSec1Point<C>,
{
    let first = to_projective::<C>(curve, first)?;
    let second = to_projective::<C>(curve, second)?;
    Some(from_projective::<C>(first + second))
}

fn ecdsa_sign_named<C: Arithmetic>(
    curve: &Curve,
    private: &BigUint,
    digest: &[u8],
) -> Result<(BigUint, BigUint), EcError>
where
    FieldBytesSize<C>: ModulusSize,
    C::AffinePoint: FromSec1Point<C> + ToSec1Point<C>,
{
    let secret = to_scalar::<C>(curve, private)
        .and_then(|scalar| Option::from(elliptic_curve::NonZeroScalar::<C>::new(scalar)))
        .ok_or(EcError::Infinity)?;
    loop {
        let nonce = curve.random_scalar()?;
        let Some(nonce) = to_scalar::<C>(curve, &nonce)
            .and_then(|scalar| Option::from(elliptic_curve::NonZeroScalar::<C>::new(scalar)))
        else {
            continue;
        };
        if let Ok((signature, _)) = ecdsa::hazmat::sign_prehashed::<C>(&secret, &nonce, digest) {
            let (r, s) = signature.split_bytes();
            return Ok((BigUint::from_bytes_be(&r), BigUint::from_bytes_be(&s)));
        }
    }
}

fn ecdsa_verify_named<C: Arithmetic>(
    curve: &Curve,
    public: &Point,
    digest: &[u8],
    r: &BigUint,
    s: &BigUint,
) -> bool
where
    FieldBytesSize<C>: ModulusSize,
    C::AffinePoint: FromSec1Point<C> + ToSec1Point<C>,
{
    if *public == Point::Infinity {
        return false;
    }
    let (Some(r), Some(s)) = (field_bytes::<C>(r), field_bytes::<C>(s)) else {
        return false;
    };
    let Ok(signature) = ecdsa::Signature::<C>::from_scalars(r, s) else {
        return false;
    };
    let Some(key) = to_projective::<C>(curve, public) else {
        return false;
    };
    ecdsa::hazmat::verify_prehashed::<C>(&key, digest, &signature).is_ok()
}

impl Curve {
    /// The RustCrypto curve with exactly these parameters (any generator), if one.
    fn named(&self) -> Option<Named> {
        let named = match self.name {
            "P-256" => Named::P256,
            "P-384" => Named::P384,
            "brainpoolP256r1" => Named::BrainpoolP256,
            "brainpoolP384r1" => Named::BrainpoolP384,
            "brainpoolP512r1" => Named::BrainpoolP512,
            _ => return None,
        };
        let reference = curve_by_name(self.name).ok()?;
        (reference.p == self.p
            && reference.a == self.a
            && reference.b == self.b
            && reference.n == self.n)
            .then_some(named)
    }

    /// Field element size in bytes.
    pub fn field_len(&self) -> usize {
        usize::try_from(self.p.bits().div_ceil(8)).unwrap_or(0)
    }

    /// Whether an affine point satisfies the curve equation.
    pub fn contains(&self, point: &Point) -> bool {
        match point {
            Point::Infinity => true,
            Point::Affine(x, y) => {
                if x >= &self.p || y >= &self.p {
                    return false;
                }
                let left = (y * y) % &self.p;
                let right = (x * x * x + &self.a * x + &self.b) % &self.p;
                left == right
            }
        }
    }

    /// P + Q. Points not on the curve, and curves other than the five named
    /// ones, give the point at infinity (callers validate points when decoding
    /// them and refuse the point at infinity).
    pub fn add(&self, first: &Point, second: &Point) -> Point {
        match self.named() {
            Some(named) => {
                with_named_curve!(named, C => add_named::<C>(self, first, second).unwrap_or(Point::Infinity))
            }
            None => Point::Infinity,
        }
    }

    /// k·P, k reduced mod n. A point not on the curve, or a curve other than
    /// the five named ones, gives the point at infinity.
    pub fn multiply(&self, scalar: &BigUint, point: &Point) -> Point {
        match self.named() {
            Some(named) => {
                with_named_curve!(named, C => multiply_named::<C>(self, scalar, point).unwrap_or(Point::Infinity))
            }
            None => Point::Infinity,
        }
    }

    #[cfg(test)]
    fn add_generic(&self, first: &Point, second: &Point) -> Point {
        let p = &self.p;
        match (first, second) {
            (Point::Infinity, other) | (other, Point::Infinity) => other.clone(),
            (Point::Affine(x1, y1), Point::Affine(x2, y2)) => {
                let lambda = if x1 == x2 {
                    if (y1 + y2) % p == BigUint::zero() {
                        return Point::Infinity;
                    }
                    let numerator = (BigUint::from(3u8) * x1 * x1 + &self.a) % p;
                    let Some(inverse) = mod_inverse(&((BigUint::from(2u8) * y1) % p), p) else {
                        return Point::Infinity;
                    };
                    (numerator * inverse) % p
                } else {
                    let Some(inverse) = mod_inverse(&mod_sub(x2, x1, p), p) else {
                        return Point::Infinity;
                    };
                    (mod_sub(y2, y1, p) * inverse) % p
                };
                let x3 = mod_sub(&mod_sub(&((&lambda * &lambda) % p), x1, p), x2, p);
                let y3 = mod_sub(&((lambda * mod_sub(x1, &x3, p)) % p), y1, p);
                Point::Affine(x3, y3)
            }
        }
    }

    /// k·P by double-and-add in Jacobian coordinates (one inversion at the end).
    #[cfg(test)]
    fn multiply_generic(&self, scalar: &BigUint, point: &Point) -> Point {
        let Point::Affine(x, y) = point else {
            return Point::Infinity;
        };
        let base = Jacobian {
            x: x % &self.p,
            y: y % &self.p,
            z: BigUint::one(),
        };
        let mut result = Jacobian::infinity();
        for bit in (0..scalar.bits()).rev() {
            result = self.jacobian_double(&result);
            if scalar.bit(bit) {
                result = self.jacobian_add(&result, &base);
            }
        }
        self.to_affine(&result)
    }

    #[cfg(test)]
    fn to_affine(&self, point: &Jacobian) -> Point {
        if point.z.is_zero() {
            return Point::Infinity;
        }
        let p = &self.p;
        let Some(z_inverse) = mod_inverse(&point.z, p) else {
            return Point::Infinity;
        };
        let z2 = (&z_inverse * &z_inverse) % p;
        let z3 = (&z2 * &z_inverse) % p;
        Point::Affine((&point.x * z2) % p, (&point.y * z3) % p)
    }

    #[cfg(test)]
    fn jacobian_double(&self, point: &Jacobian) -> Jacobian {
        let p = &self.p;
        if point.z.is_zero() || point.y.is_zero() {
            return Jacobian::infinity();
        }
        let y2 = (&point.y * &point.y) % p;
        let s = (BigUint::from(4u8) * &point.x * &y2) % p;
        let z2 = (&point.z * &point.z) % p;
        let m = (BigUint::from(3u8) * &point.x * &point.x + &self.a * ((&z2 * &z2) % p)) % p;
        let x3 = mod_sub(&((&m * &m) % p), &((BigUint::from(2u8) * &s) % p), p);
        let y4 = (&y2 * &y2) % p;
        let y3 = mod_sub(
            &((m * mod_sub(&s, &x3, p)) % p),
            &((BigUint::from(8u8) * y4) % p),
            p,
        );
        let z3 = (BigUint::from(2u8) * &point.y * &point.z) % p;
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    #[cfg(test)]
    fn jacobian_add(&self, first: &Jacobian, second: &Jacobian) -> Jacobian {
        let p = &self.p;
        if first.z.is_zero() {
            return second.clone();
        }
        if second.z.is_zero() {
            return first.clone();
        }
        let z1_2 = (&first.z * &first.z) % p;
        let z2_2 = (&second.z * &second.z) % p;
        let u1 = (&first.x * &z2_2) % p;
        let u2 = (&second.x * &z1_2) % p;
        let s1 = (&first.y * ((&z2_2 * &second.z) % p)) % p;
        let s2 = (&second.y * ((&z1_2 * &first.z) % p)) % p;
        if u1 == u2 {
            return if s1 == s2 {
                self.jacobian_double(first)
            } else {
                Jacobian::infinity()
            };
        }
        let h = mod_sub(&u2, &u1, p);
        let r = mod_sub(&s2, &s1, p);
        let h2 = (&h * &h) % p;
        let h3 = (&h2 * &h) % p;
        let u1h2 = (&u1 * &h2) % p;
        let x3 = mod_sub(
            &mod_sub(&((&r * &r) % p), &h3, p),
            &((BigUint::from(2u8) * &u1h2) % p),
            p,
        );
        let y3 = mod_sub(&((r * mod_sub(&u1h2, &x3, p)) % p), &((s1 * h3) % p), p);
        let z3 = (h * &first.z * &second.z) % p;
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// Uncompressed encoding 04 || X || Y with fixed-size coordinates.
    pub fn encode_point(&self, point: &Point) -> Result<Vec<u8>, EcError> {
        let Point::Affine(x, y) = point else {
            return Err(EcError::Infinity);
        };
        let mut out = vec![0x04];
        out.extend(self.encode_field(x));
        out.extend(self.encode_field(y));
        Ok(out)
    }

    /// A field element as fixed-size big-endian bytes (the ECDH shared secret format).
    pub fn encode_field(&self, value: &BigUint) -> Vec<u8> {
        let bytes = value.to_bytes_be();
        let size = self.field_len();
        let mut out = vec![0u8; size.saturating_sub(bytes.len())];
        out.extend(bytes);
        out
    }

    /// Decodes and validates an uncompressed point.
    pub fn decode_point(&self, bytes: &[u8]) -> Result<Point, EcError> {
        let size = self.field_len();
        let [0x04, coordinates @ ..] = bytes else {
            return Err(EcError::BadEncoding);
        };
        if coordinates.len() != 2 * size {
            return Err(EcError::BadEncoding);
        }
        let (x, y) = coordinates.split_at(size);
        let point = Point::Affine(BigUint::from_bytes_be(x), BigUint::from_bytes_be(y));
        if !self.contains(&point) {
            return Err(EcError::NotOnCurve);
        }
        Ok(point)
    }

    /// The point encoding f_G of the PACE integrated mapping (ICAO 9303-11
    /// §4.4.3.3.2, Appendix B.2; Brier, Coron, Icart et al., CRYPTO 2010): maps
    /// a field element 0 < t < p to a curve point deterministically, so chip and
    /// terminal derive the same generator from the shared pseudo-random value
    /// without a second key agreement. Needs p ≡ 3 (mod 4) and a ≠ 0; the
    /// cofactor multiplication of the last step is skipped because every curve
    /// here has cofactor 1.
    ///
    /// Computed on the curve's RustCrypto field elements, with the square or
    /// non-square case chosen by constant-time selection (t comes from the
    /// session nonces); curves other than the five named ones are refused.
    pub fn encode_to_point(&self, t: &BigUint) -> Result<Point, EcError> {
        let p = &self.p;
        if p % 4u8 != BigUint::from(3u8) {
            return Err(EcError::NotEncodable("p is not 3 mod 4"));
        }
        if t.is_zero() || t >= p {
            return Err(EcError::NotEncodable("t outside 1..p-1"));
        }
        let point = match self.named() {
            Some(named) => with_named_curve!(named, C => encode_to_point_named::<C>(self, t))?,
            None => return Err(EcError::NotEncodable("not one of the named curves")),
        };
        if !self.contains(&point) {
            return Err(EcError::NotEncodable("result is not on the curve"));
        }
        Ok(point)
    }

    /// [`Curve::encode_to_point`] by the same steps on num-bigint: the
    /// reference the tests hold the field-element version against.
    #[cfg(test)]
    fn encode_to_point_generic(&self, t: &BigUint) -> Result<Point, EcError> {
        let p = &self.p;
        if t.is_zero() || t >= p {
            return Err(EcError::NotEncodable("t outside 1..p-1"));
        }
        // 1. α = -t² mod p
        let alpha = mod_sub(&BigUint::zero(), &((t * t) % p), p);
        let alpha_sum = (&alpha + (&alpha * &alpha) % p) % p;
        // 2. X2 = -b (1 + α + α²) / (a (α + α²)) mod p
        let denominator = (&self.a * &alpha_sum) % p;
        let inverse =
            mod_inverse(&denominator, p).ok_or(EcError::NotEncodable("a(α + α²) is zero"))?;
        let minus_b = mod_sub(&BigUint::zero(), &self.b, p);
        let x2 = (minus_b * ((BigUint::one() + &alpha_sum) % p) % p * inverse) % p;
        // 3. X3 = α X2 mod p
        let x3 = (&alpha * &x2) % p;
        // 4. h2 = X2³ + a X2 + b mod p
        let h2 = (&x2 * &x2 % p * &x2 + &self.a * &x2 + &self.b) % p;
        // 6. U = t³ h2 mod p
        let u = (t * t % p * t % p * &h2) % p;
        // 7. A = h2^(p - 1 - (p + 1)/4) mod p
        let exponent = p - BigUint::one() - ((p + BigUint::one()) >> 2u8);
        let big_a = h2.modpow(&exponent, p);
        // 8./9. h2 is a square when A² h2 = 1: the point is on X2, else on X3.
        let point = if (&big_a * &big_a % p * &h2) % p == BigUint::one() {
            Point::Affine(x2, (&big_a * &h2) % p)
        } else {
            Point::Affine(x3, (&big_a * &u) % p)
        };
        if !self.contains(&point) {
            return Err(EcError::NotEncodable("result is not on the curve"));
        }
        Ok(point)
    }

    /// A random private key in [1, n-1].
    pub fn random_scalar(&self) -> Result<BigUint, EcError> {
        let length = usize::try_from(self.n.bits().div_ceil(8)).unwrap_or(0) + 8;
        let bytes = crate::crypto::random_bytes(length).map_err(|_| EcError::Random)?;
        let below = &self.n - BigUint::one();
        Ok(BigUint::from_bytes_be(&bytes) % below + BigUint::one())
    }
}

/// ECDSA signature (r, s) over an already computed hash, with a random nonce
/// (the `ecdsa` crate's signing equation on the RustCrypto curves). Used by the
/// test-only virtual chip for active authentication.
pub fn ecdsa_sign(
    curve: &Curve,
    private: &BigUint,
    digest: &[u8],
) -> Result<(BigUint, BigUint), EcError> {
    match curve.named() {
        Some(named) => with_named_curve!(named, C => ecdsa_sign_named::<C>(curve, private, digest)),
        None => Err(EcError::UnsupportedCurve(curve.name.into())),
    }
}

/// ECDSA signing by the textbook formulas on num-bigint: the reference the
/// tests hold the `ecdsa` crate's signatures against.
#[cfg(test)]
fn ecdsa_sign_generic(
    curve: &Curve,
    private: &BigUint,
    digest: &[u8],
) -> Result<(BigUint, BigUint), EcError> {
    let e = hash_to_integer(curve, digest);
    loop {
        let k = curve.random_scalar()?;
        let Point::Affine(x, _) = curve.multiply_generic(&k, &curve.g) else {
            continue;
        };
        let r = x % &curve.n;
        if r.is_zero() {
            continue;
        }
        let Some(k_inverse) = mod_inverse(&k, &curve.n) else {
            continue;
        };
        let s = (k_inverse * ((&e + &r * private) % &curve.n)) % &curve.n;
        if !s.is_zero() {
            return Ok((r, s));
        }
    }
}

#[cfg(test)]
fn hash_to_integer(curve: &Curve, digest: &[u8]) -> BigUint {
    let mut e = BigUint::from_bytes_be(digest);
    let digest_bits = (digest.len() * 8) as u64;
    let order_bits = curve.n.bits();
    if digest_bits > order_bits {
        e >>= digest_bits - order_bits;
    }
    e
}

/// Verifies an ECDSA signature (r, s) over a hash with a public point: the
/// `ecdsa` crate's verifier on the RustCrypto curves.
pub fn ecdsa_verify(
    curve: &Curve,
    public: &Point,
    digest: &[u8],
    r: &BigUint,
    s: &BigUint,
) -> bool {
    match curve.named() {
        Some(named) => {
            with_named_curve!(named, C => ecdsa_verify_named::<C>(curve, public, digest, r, s))
        }
        None => false,
    }
}

/// ECDSA verification by the textbook formulas on num-bigint: the reference
/// the tests hold the `ecdsa` crate's verifier against.
#[cfg(test)]
fn ecdsa_verify_generic(
    curve: &Curve,
    public: &Point,
    digest: &[u8],
    r: &BigUint,
    s: &BigUint,
) -> bool {
    let n = &curve.n;
    if r.is_zero()
        || s.is_zero()
        || r >= n
        || s >= n
        || !curve.contains(public)
        || *public == Point::Infinity
    {
        return false;
    }
    let e = hash_to_integer(curve, digest);
    let Some(w) = mod_inverse(s, n) else {
        return false;
    };
    let u1 = (&e * &w) % n;
    let u2 = (r * &w) % n;
    let sum = curve.add_generic(
        &curve.multiply_generic(&u1, &curve.g),
        &curve.multiply_generic(&u2, public),
    );
    match sum {
        Point::Affine(x, _) => &(x % n) == r,
        Point::Infinity => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn base_points_are_on_their_curves_and_have_order_n() {
        for name in [
            "brainpoolP256r1",
            "brainpoolP384r1",
            "brainpoolP512r1",
            "P-256",
            "P-384",
        ] {
            let curve = curve_by_name(name).expect("known");
            assert!(curve.contains(&curve.g), "{name}");
            assert_eq!(
                curve.multiply(&curve.n, &curve.g),
                Point::Infinity,
                "{name}"
            );
            let encoded = curve.encode_point(&curve.g).expect("affine");
            assert_eq!(curve.decode_point(&encoded), Ok(curve.g.clone()));
            assert!(parameter_id_of(&curve).is_some());
        }
    }

    #[test]
    fn ecdh_agrees_and_ecdsa_verifies() {
        let curve = curve_by_name("P-256").expect("known");
        let a = curve.random_scalar().expect("random");
        let b = curve.random_scalar().expect("random");
        let pa = curve.multiply(&a, &curve.g);
        let pb = curve.multiply(&b, &curve.g);
        assert_eq!(curve.multiply(&a, &pb), curve.multiply(&b, &pa));
        let digest =
            crate::crypto::hash(crate::crypto::HashAlgorithm::Sha256, b"test-only message");
        let (r, s) = ecdsa_sign(&curve, &a, &digest).expect("signs");
        assert!(ecdsa_verify(&curve, &pa, &digest, &r, &s));
        assert!(!ecdsa_verify(&curve, &pb, &digest, &r, &s));
    }

    const RUSTCRYPTO_CURVES: [&str; 5] = [
        "P-256",
        "P-384",
        "brainpoolP256r1",
        "brainpoolP384r1",
        "brainpoolP512r1",
    ];

    #[test]
    fn rustcrypto_curves_agree_with_the_generic_arithmetic() {
        for name in RUSTCRYPTO_CURVES {
            let curve = curve_by_name(name).expect("known");
            assert!(curve.named().is_some(), "{name} runs on RustCrypto");
            let a = curve.random_scalar().expect("random");
            let b = curve.random_scalar().expect("random");
            let pa = curve.multiply(&a, &curve.g);
            assert_eq!(pa, curve.multiply_generic(&a, &curve.g), "{name} k·G");
            assert_eq!(
                curve.multiply_generic(&curve.n, &curve.g),
                Point::Infinity,
                "{name} n·G"
            );
            // A PACE-style mapped generator s·G + H, then a key on it.
            let mapped = curve.add(&curve.multiply(&b, &curve.g), &pa);
            assert_eq!(
                mapped,
                curve.add_generic(&curve.multiply_generic(&b, &curve.g), &pa),
                "{name} s·G + H"
            );
            let on_mapped = Curve {
                g: mapped.clone(),
                ..curve.clone()
            };
            assert!(
                on_mapped.named().is_some(),
                "{name}: another generator is the same curve"
            );
            assert_eq!(
                on_mapped.multiply(&a, &mapped),
                curve.multiply_generic(&a, &mapped),
                "{name} k·Ĝ"
            );
            // Scalars at and beyond n, doubling and P + (-P).
            assert_eq!(
                curve.multiply(&(&curve.n + &a), &curve.g),
                pa,
                "{name} k + n"
            );
            let all_ones = (BigUint::one() << (8 * curve.field_len())) - BigUint::one();
            assert_eq!(
                curve.multiply(&all_ones, &curve.g),
                curve.multiply_generic(&all_ones, &curve.g),
                "{name} 2^bits - 1"
            );
            let longer = &all_ones << 64u8;
            assert_eq!(
                curve.multiply(&longer, &curve.g),
                curve.multiply_generic(&longer, &curve.g),
                "{name} long k"
            );
            for t in [
                BigUint::from(2u8),
                &curve.p - BigUint::from(2u8),
                a.clone(),
                b.clone(),
            ] {
                assert_eq!(
                    curve.encode_to_point(&t),
                    curve.encode_to_point_generic(&t),
                    "{name} f_G"
                );
            }
            assert_eq!(
                curve.add(&pa, &pa),
                curve.add_generic(&pa, &pa),
                "{name} doubling"
            );
            let Point::Affine(x, y) = &pa else {
                panic!("{name}: affine")
            };
            let negated = Point::Affine(x.clone(), &curve.p - y);
            assert_eq!(curve.add(&pa, &negated), Point::Infinity, "{name} P + (-P)");
            assert_eq!(curve.add(&Point::Infinity, &pa), pa, "{name} O + P");
            // A point off the curve is refused rather than computed with.
            let off = Point::Affine(x.clone(), (y + BigUint::one()) % &curve.p);
            assert_eq!(
                curve.multiply(&a, &off),
                Point::Infinity,
                "{name} off-curve point"
            );
        }
    }

    #[test]
    fn curves_other_than_the_named_ones_are_refused() {
        let named = curve_by_name("P-256").expect("known");
        let other = Curve {
            b: &named.b + BigUint::one(),
            ..named.clone()
        };
        assert!(other.named().is_none());
        let scalar = BigUint::from(5u8);
        assert_eq!(other.multiply(&scalar, &other.g), Point::Infinity);
        assert_eq!(other.add(&other.g, &other.g), Point::Infinity);
        let digest = [0x11; 32];
        assert!(matches!(
            ecdsa_sign(&other, &scalar, &digest),
            Err(EcError::UnsupportedCurve(_))
        ));
        let (r, s) = ecdsa_sign(&named, &scalar, &digest).expect("signs");
        let public = named.multiply(&scalar, &named.g);
        assert!(ecdsa_verify(&named, &public, &digest, &r, &s));
        assert!(!ecdsa_verify(&other, &public, &digest, &r, &s));
    }

    #[test]
    fn ecdsa_crates_and_generic_formulas_accept_each_others_signatures() {
        for name in RUSTCRYPTO_CURVES {
            let curve = curve_by_name(name).expect("known");
            let private = curve.random_scalar().expect("random");
            let public = curve.multiply(&private, &curve.g);
            // Digests shorter than, as long as and longer than the order (SHA-1, SHA-256, SHA-512).
            for algorithm in [
                crate::crypto::HashAlgorithm::Sha1,
                crate::crypto::HashAlgorithm::Sha256,
                crate::crypto::HashAlgorithm::Sha512,
            ] {
                let digest = crate::crypto::hash(algorithm, b"TEST-ONLY challenge");
                let (r, s) = ecdsa_sign(&curve, &private, &digest).expect("signs");
                assert!(
                    ecdsa_verify_generic(&curve, &public, &digest, &r, &s),
                    "{name} {algorithm:?}"
                );
                assert!(
                    ecdsa_verify(&curve, &public, &digest, &r, &s),
                    "{name} {algorithm:?}"
                );
                let (r, s) = ecdsa_sign_generic(&curve, &private, &digest).expect("signs");
                assert!(
                    ecdsa_verify(&curve, &public, &digest, &r, &s),
                    "{name} {algorithm:?}"
                );
                assert!(
                    !ecdsa_verify(&curve, &public, &digest, &s, &r),
                    "{name} swapped r, s"
                );
                assert!(
                    !ecdsa_verify(&curve, &public, &digest, &(&r + &curve.n), &s),
                    "{name} r + n"
                );
                assert!(
                    !ecdsa_verify(&curve, &public, &digest, &BigUint::zero(), &s),
                    "{name} r = 0"
                );
            }
        }
    }

    #[test]
    fn integrated_mapping_encoding_lands_on_the_curve() {
        for name in [
            "brainpoolP256r1",
            "brainpoolP384r1",
            "brainpoolP512r1",
            "P-256",
            "P-384",
        ] {
            let curve = curve_by_name(name).expect("known");
            let mut seen = Vec::new();
            // t and -t may share a point, so the distinct inputs avoid such pairs.
            for t in [
                BigUint::from(2u8),
                BigUint::from(3u8),
                &curve.p - BigUint::from(5u8),
                curve.random_scalar().expect("random"),
            ] {
                let point = curve.encode_to_point(&t).expect("encodes");
                assert!(curve.contains(&point), "{name}");
                assert_ne!(point, Point::Infinity, "{name}");
                assert_eq!(curve.encode_to_point(&t), Ok(point.clone()), "{name}");
                // Cofactor 1: the point generates the whole group of order n.
                assert_eq!(curve.multiply(&curve.n, &point), Point::Infinity, "{name}");
                assert!(!seen.contains(&point), "{name}: two t gave one point");
                seen.push(point);
            }
            // 0, p and ±1 (where α + α² = 0) have no encoding.
            assert!(curve.encode_to_point(&BigUint::zero()).is_err());
            assert!(curve.encode_to_point(&BigUint::one()).is_err());
            assert!(curve.encode_to_point(&(&curve.p - BigUint::one())).is_err());
            assert!(curve.encode_to_point(&curve.p).is_err());
        }
    }

    proptest! {
        #[test]
        fn random_ecdsa_signatures_never_panic_nor_verify(
            r in proptest::collection::vec(any::<u8>(), 0..70),
            s in proptest::collection::vec(any::<u8>(), 0..70),
            which in 0usize..5,
        ) {
            let curve = curve_by_name(RUSTCRYPTO_CURVES[which]).expect("known");
            let digest = [0x5A; 32];
            let (r, s) = (BigUint::from_bytes_be(&r), BigUint::from_bytes_be(&s));
            prop_assert!(!ecdsa_verify(&curve, &curve.g, &digest, &r, &s));
        }

        #[test]
        fn encoding_random_field_elements_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            let curve = curve_by_name("brainpoolP256r1").expect("known");
            let t = BigUint::from_bytes_be(&bytes);
            if let Ok(point) = curve.encode_to_point(&t) {
                prop_assert!(curve.contains(&point));
            }
        }

        #[test]
        fn random_points_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..70)) {
            let curve = curve_by_name("brainpoolP256r1").expect("known");
            let _ = curve.decode_point(&bytes);
            let mut framed = vec![0x04];
            framed.extend(bytes.iter().cycle().take(64));
            let _ = curve.decode_point(&framed);
        }
    }
}
