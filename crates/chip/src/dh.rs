//! Finite-field Diffie-Hellman for PACE (DH generic mapping) and DH chip
//! authentication: the RFC 5114 MODP groups with prime-order subgroups that
//! ICAO 9303-11 lists as standardized domain parameters 0, 1 and 2.

use num_bigint::BigUint;
use num_traits::One;
use thiserror::Error;

/// Why a DH value cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DhError {
    /// Public value outside 2..p-2 or not in the prime-order subgroup.
    #[error("invalid Diffie-Hellman public value")]
    InvalidPublic,
    /// Unknown standardized parameter id.
    #[error("unsupported DH domain parameters {0}")]
    Unsupported(u32),
    /// Random generator failure.
    #[error("random number generator failed")]
    Random,
    /// The integrated mapping gave the trivial generator 1 (or 0): unusable.
    #[error("integrated mapping gave a trivial generator")]
    TrivialGenerator,
}

/// A MODP group: prime p, generator g of the subgroup of prime order q.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DhGroup {
    /// Name for messages.
    pub name: &'static str,
    /// Modulus.
    pub p: BigUint,
    /// Generator.
    pub g: BigUint,
    /// Subgroup order.
    pub q: BigUint,
}

fn big(hex_text: &str) -> BigUint {
    BigUint::parse_bytes(hex_text.as_bytes(), 16).unwrap_or_default()
}

/// Groups of RFC 5114 §2.1–2.3 (standardized parameter ids 0, 1, 2).
pub fn group_by_parameter_id(id: u32) -> Result<DhGroup, DhError> {
    Ok(match id {
        0 => DhGroup {
            name: "1024-bit MODP group with 160-bit prime order subgroup",
            p: big(
                "B10B8F96A080E01DDE92DE5EAE5D54EC52C99FBCFB06A3C69A6A9DCA52D23B616073E28675A23D189838EF1E2EE652C013ECB4AEA906112324975C3CD49B83BFACCBDD7D90C4BD7098488E9C219A73724EFFD6FAE5644738FAA31A4FF55BCCC0A151AF5F0DC8B4BD45BF37DF365C1A65E68CFDA76D4DA708DF1FB2BC2E4A4371",
            ),
            g: big(
                "A4D1CBD5C3FD34126765A442EFB99905F8104DD258AC507FD6406CFF14266D31266FEA1E5C41564B777E690F5504F213160217B4B01B886A5E91547F9E2749F4D7FBD7D3B9A92EE1909D0D2263F80A76A6A24C087A091F531DBF0A0169B6A28AD662A4D18E73AFA32D779D5918D08BC8858F4DCEF97C2A24855E6EEB22B3B2E5",
            ),
            q: big("F518AA8781A8DF278ABA4E7D64B7CB9D49462353"),
        },
        1 => DhGroup {
            name: "2048-bit MODP group with 224-bit prime order subgroup",
            p: big(concat!(
                "AD107E1E9123A9D0D660FAA79559C51FA20D64E5683B9FD1B54B1597B61D0A75E6FA141DF95A56DBAF9A3C407BA1DF15",
                "EB3D688A309C180E1DE6B85A1274A0A66D3F8152AD6AC2129037C9EDEFDA4DF8D91E8FEF55B7394B7AD5B7D0B6C12207",
                "C9F98D11ED34DBF6C6BA0B2C8BBC27BE6A00E0A0B9C49708B3BF8A317091883681286130BC8985DB1602E714415D9330",
                "278273C7DE31EFDC7310F7121FD5A07415987D9ADC0A486DCDF93ACC44328387315D75E198C641A480CD86A1B9E587E8",
                "BE60E69CC928B2B9C52172E413042E9B23F10B0E16E79763C9B53DCF4BA80A29E3FB73C16B8E75B97EF363E2FFA31F71",
                "CF9DE5384E71B81C0AC4DFFE0C10E64F"
            )),
            g: big(concat!(
                "AC4032EF4F2D9AE39DF30B5C8FFDAC506CDEBE7B89998CAF74866A08CFE4FFE3A6824A4E10B9A6F0DD921F01A70C4AFA",
                "AB739D7700C29F52C57DB17C620A8652BE5E9001A8D66AD7C17669101999024AF4D027275AC1348BB8A762D0521BC98A",
                "E247150422EA1ED409939D54DA7460CDB5F6C6B250717CBEF180EB34118E98D119529A45D6F834566E3025E316A330EF",
                "BB77A86F0C1AB15B051AE3D428C8F8ACB70A8137150B8EEB10E183EDD19963DDD9E263E4770589EF6AA21E7F5F2FF381",
                "B539CCE3409D13CD566AFBB48D6C019181E1BCFE94B30269EDFE72FE9B6AA4BD7B5A0F1C71CFFF4C19C418E1F6EC0179",
                "81BC087F2A7065B384B890D3191F2BFA"
            )),
            q: big("801C0D34C58D93FE997177101F80535A4738CEBCBF389A99B36371EB"),
        },
        2 => DhGroup {
            name: "2048-bit MODP group with 256-bit prime order subgroup",
            p: big(concat!(
                "87A8E61DB4B6663CFFBBD19C651959998CEEF608660DD0F25D2CEED4435E3B00E00DF8F1D61957D4FAF7DF4561B2AA30",
                "16C3D91134096FAA3BF4296D830E9A7C209E0C6497517ABD5A8A9D306BCF67ED91F9E6725B4758C022E0B1EF4275BF7B",
                "6C5BFC11D45F9088B941F54EB1E59BB8BC39A0BF12307F5C4FDB70C581B23F76B63ACAE1CAA6B7902D52526735488A0E",
                "F13C6D9A51BFA4AB3AD8347796524D8EF6A167B5A41825D967E144E5140564251CCACB83E6B486F6B3CA3F7971506026",
                "C0B857F689962856DED4010ABD0BE621C3A3960A54E710C375F26375D7014103A4B54330C198AF126116D2276E11715F",
                "693877FAD7EF09CADB094AE91E1A1597"
            )),
            g: big(concat!(
                "3FB32C9B73134D0B2E77506660EDBD484CA7B18F21EF205407F4793A1A0BA12510DBC15077BE463FFF4FED4AAC0BB555",
                "BE3A6C1B0C6B47B1BC3773BF7E8C6F62901228F8C28CBB18A55AE31341000A650196F931C77A57F2DDF463E5E9EC144B",
                "777DE62AAAB8A8628AC376D282D6ED3864E67982428EBC831D14348F6F2F9193B5045AF2767164E1DFC967C1FB3F2E55",
                "A4BD1BFFE83B9C80D052B985D182EA0ADB2A3B7313D3FE14C8484B1E052588B9B7D2BBD2DF016199ECD06E1557CD0915",
                "B3353BBB64E0EC377FD028370DF92B52C7891428CDC67EB6184B523D1DB246C32F63078490F00EF8D647D148D4795451",
                "5E2327CFEF98C582664B4C0F6CC41659"
            )),
            q: big("8CF83642A709A097B447997640129DA299B1A47D1EB3750BA308B0FE64F5FBD3"),
        },
        other => return Err(DhError::Unsupported(other)),
    })
}

impl DhGroup {
    /// Size of p in bytes: public values and shared secrets are encoded at this size.
    pub fn len(&self) -> usize {
        usize::try_from(self.p.bits().div_ceil(8)).unwrap_or(0)
    }

    /// Always false: a group has a modulus (pairs with [`DhGroup::len`]).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Big-endian, left-padded to the size of p.
    pub fn encode(&self, value: &BigUint) -> Vec<u8> {
        let bytes = value.to_bytes_be();
        let mut out = vec![0u8; self.len().saturating_sub(bytes.len())];
        out.extend(bytes);
        out
    }

    /// Decodes and validates a public value: 1 < y < p-1 and y^q = 1 (subgroup check).
    pub fn decode_public(&self, bytes: &[u8]) -> Result<BigUint, DhError> {
        let value = BigUint::from_bytes_be(bytes);
        let upper = &self.p - BigUint::one();
        if value <= BigUint::one() || value >= upper || !value.modpow(&self.q, &self.p).is_one() {
            return Err(DhError::InvalidPublic);
        }
        Ok(value)
    }

    /// The encoding f_g of the PACE integrated mapping (ICAO 9303-11
    /// §4.4.3.3.2): x^((p-1)/q) mod p lands in the subgroup of order q, so the
    /// pseudo-random value both sides computed becomes a generator of it. The
    /// standard requires refusing the result 1.
    pub fn encode_to_generator(&self, x: &BigUint) -> Result<BigUint, DhError> {
        let cofactor = (&self.p - BigUint::one()) / &self.q;
        let generator = x.modpow(&cofactor, &self.p);
        if generator <= BigUint::one() {
            return Err(DhError::TrivialGenerator);
        }
        Ok(generator)
    }

    /// A random private exponent in [1, q-1].
    pub fn random_private(&self) -> Result<BigUint, DhError> {
        let length = usize::try_from(self.q.bits().div_ceil(8)).unwrap_or(0) + 8;
        let bytes = crate::crypto::random_bytes(length).map_err(|_| DhError::Random)?;
        Ok(BigUint::from_bytes_be(&bytes) % (&self.q - BigUint::one()) + BigUint::one())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn generators_have_order_q() {
        for id in 0..3 {
            let group = group_by_parameter_id(id).expect("known");
            assert!(group.g.modpow(&group.q, &group.p).is_one(), "{id}");
            assert!(
                ((&group.p - BigUint::one()) % &group.q) == BigUint::from(0u8),
                "{id}"
            );
            let a = group.random_private().expect("random");
            let b = group.random_private().expect("random");
            let ya = group.g.modpow(&a, &group.p);
            let yb = group.g.modpow(&b, &group.p);
            assert_eq!(group.decode_public(&group.encode(&ya)), Ok(ya.clone()));
            assert_eq!(yb.modpow(&a, &group.p), ya.modpow(&b, &group.p));
        }
        assert!(group_by_parameter_id(3).is_err());
    }

    proptest! {
        #[test]
        fn random_public_values_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..140)) {
            let group = group_by_parameter_id(0).expect("known");
            let _ = group.decode_public(&bytes);
        }
    }
}
