//! BER-TLV as used by ISO/IEC 7816-4 and the LDS: parse and encode.
//!
//! Everything read from a chip goes through here, so the parser refuses every
//! malformed length with an error and never panics or over-reads.

use thiserror::Error;

/// Why bytes are not valid BER-TLV.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TlvError {
    /// The input ended inside a tag, a length or a value.
    #[error("TLV truncated: {0}")]
    Truncated(&'static str),
    /// A length form this parser does not accept (indefinite, or more than 4 length bytes).
    #[error("unsupported TLV length form 0x{0:02X}")]
    BadLength(u8),
    /// A tag longer than 4 bytes.
    #[error("TLV tag longer than 4 bytes")]
    TagTooLong,
    /// A required tag was not found.
    #[error("TLV tag {0:X} not found")]
    Missing(u32),
}

/// One decoded data object, borrowing its value from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The tag with all its bytes, e.g. `0x5F1F` or `0x7F61`.
    pub tag: u32,
    /// The value bytes.
    pub value: &'a [u8],
    /// Number of bytes the whole object (tag + length + value) occupies.
    pub encoded_len: usize,
}

impl<'a> Tlv<'a> {
    /// Whether the tag marks a constructed object (its value holds more TLVs).
    pub fn is_constructed(&self) -> bool {
        is_constructed(self.tag)
    }

    /// The objects inside a constructed value.
    pub fn children(&self) -> Result<Vec<Tlv<'a>>, TlvError> {
        parse_all(self.value)
    }
}

/// Whether a tag (as returned by the parser) has the constructed bit set.
pub fn is_constructed(tag: u32) -> bool {
    let first = tag_bytes(tag).first().copied().unwrap_or(0);
    first & 0x20 != 0
}

/// Reads a tag; returns it and the bytes it used.
pub fn parse_tag(input: &[u8]) -> Result<(u32, usize), TlvError> {
    let first = *input.first().ok_or(TlvError::Truncated("tag"))?;
    let mut tag = u32::from(first);
    let mut used = 1;
    if first & 0x1F == 0x1F {
        loop {
            let next = *input
                .get(used)
                .ok_or(TlvError::Truncated("multi-byte tag"))?;
            used += 1;
            if used > 4 {
                return Err(TlvError::TagTooLong);
            }
            tag = (tag << 8) | u32::from(next);
            if next & 0x80 == 0 {
                break;
            }
        }
    }
    Ok((tag, used))
}

/// Reads a definite length; returns it and the bytes it used.
pub fn parse_length(input: &[u8]) -> Result<(usize, usize), TlvError> {
    let first = *input.first().ok_or(TlvError::Truncated("length"))?;
    if first < 0x80 {
        return Ok((usize::from(first), 1));
    }
    let count = usize::from(first & 0x7F);
    if count == 0 || count > 4 {
        return Err(TlvError::BadLength(first));
    }
    let bytes = input
        .get(1..1 + count)
        .ok_or(TlvError::Truncated("long length"))?;
    let length = bytes
        .iter()
        .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
    Ok((length, 1 + count))
}

/// Parses the first object of `input`; returns it and the rest of the input.
pub fn parse_one(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), TlvError> {
    let (tag, tag_len) = parse_tag(input)?;
    let after_tag = input.get(tag_len..).ok_or(TlvError::Truncated("tag"))?;
    let (length, length_len) = parse_length(after_tag)?;
    let start = tag_len + length_len;
    let end = start
        .checked_add(length)
        .ok_or(TlvError::Truncated("value"))?;
    let value = input.get(start..end).ok_or(TlvError::Truncated("value"))?;
    let rest = input.get(end..).ok_or(TlvError::Truncated("value"))?;
    Ok((
        Tlv {
            tag,
            value,
            encoded_len: end,
        },
        rest,
    ))
}

/// Parses a sequence of objects filling all of `input`.
pub fn parse_all(mut input: &[u8]) -> Result<Vec<Tlv<'_>>, TlvError> {
    let mut objects = Vec::new();
    while !input.is_empty() {
        // Some cards pad files with 0x00 or 0xFF after the last object.
        if input.iter().all(|b| *b == 0x00 || *b == 0xFF) {
            break;
        }
        let (object, rest) = parse_one(input)?;
        objects.push(object);
        input = rest;
    }
    Ok(objects)
}

/// The value of the first object with `tag` at the top level of `input`.
pub fn find(input: &[u8], tag: u32) -> Result<Option<&[u8]>, TlvError> {
    Ok(parse_all(input)?
        .into_iter()
        .find(|o| o.tag == tag)
        .map(|o| o.value))
}

/// Like [`find`] but a missing tag is an error.
pub fn require(input: &[u8], tag: u32) -> Result<&[u8], TlvError> {
    find(input, tag)?.ok_or(TlvError::Missing(tag))
}

/// Reads only the header of the object at the start of `input`: its tag, and the
/// total size of the object. Used to learn a file's size from its first bytes.
pub fn header_total_len(input: &[u8]) -> Result<(u32, usize), TlvError> {
    let (tag, tag_len) = parse_tag(input)?;
    let after_tag = input.get(tag_len..).ok_or(TlvError::Truncated("tag"))?;
    let (length, length_len) = parse_length(after_tag)?;
    let total = (tag_len + length_len)
        .checked_add(length)
        .ok_or(TlvError::Truncated("value"))?;
    Ok((tag, total))
}

/// The bytes of a tag, without leading zero bytes.
pub fn tag_bytes(tag: u32) -> Vec<u8> {
    let bytes = tag.to_be_bytes();
    let skip = bytes.iter().take(3).take_while(|b| **b == 0).count();
    bytes[skip..].to_vec()
}

/// The DER/BER encoding of a definite length (shortest form).
pub fn encode_length(length: usize) -> Vec<u8> {
    if length < 0x80 {
        return vec![length as u8];
    }
    let bytes = (length as u64).to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    let significant = &bytes[skip..];
    let mut out = Vec::with_capacity(1 + significant.len());
    out.push(0x80 | significant.len() as u8);
    out.extend_from_slice(significant);
    out
}

/// Encodes one object.
pub fn encode(tag: u32, value: &[u8]) -> Vec<u8> {
    let mut out = tag_bytes(tag);
    out.extend(encode_length(value.len()));
    out.extend_from_slice(value);
    out
}

/// Encodes one constructed object from already-encoded children.
pub fn encode_constructed(tag: u32, children: &[Vec<u8>]) -> Vec<u8> {
    encode(tag, &children.concat())
}

/// Minimal DER helpers for the few ASN.1 structures the chip layer itself
/// handles (SecurityInfos, PACE templates, ECDSA signatures).
pub mod der {
    use super::{TlvError, encode};

    /// DER tag of INTEGER.
    pub const INTEGER: u32 = 0x02;
    /// DER tag of BIT STRING.
    pub const BIT_STRING: u32 = 0x03;
    /// DER tag of OCTET STRING.
    pub const OCTET_STRING: u32 = 0x04;
    /// DER tag of OBJECT IDENTIFIER.
    pub const OID: u32 = 0x06;
    /// DER tag of SEQUENCE.
    pub const SEQUENCE: u32 = 0x30;
    /// DER tag of SET.
    pub const SET: u32 = 0x31;

    /// A non-negative INTEGER from big-endian magnitude bytes.
    pub fn integer(magnitude: &[u8]) -> Vec<u8> {
        let trimmed: Vec<u8> = {
            let skip = magnitude.iter().take_while(|b| **b == 0).count();
            let rest = &magnitude[skip..];
            if rest.is_empty() {
                vec![0]
            } else {
                rest.to_vec()
            }
        };
        let mut content = Vec::with_capacity(trimmed.len() + 1);
        if trimmed.first().is_some_and(|b| b & 0x80 != 0) {
            content.push(0);
        }
        content.extend(trimmed);
        encode(INTEGER, &content)
    }

    /// A small INTEGER.
    pub fn small_integer(value: u32) -> Vec<u8> {
        integer(&value.to_be_bytes())
    }

    /// Reads a non-negative small INTEGER value (content bytes).
    pub fn read_small_integer(content: &[u8]) -> Result<u32, TlvError> {
        let skip = content.iter().take_while(|b| **b == 0).count();
        let rest = content.get(skip..).unwrap_or(&[]);
        if rest.len() > 4 || content.first().is_some_and(|b| b & 0x80 != 0) {
            return Err(TlvError::BadLength(content.len() as u8));
        }
        Ok(rest.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b)))
    }

    /// Magnitude bytes of an INTEGER content (sign byte dropped).
    pub fn integer_magnitude(content: &[u8]) -> &[u8] {
        let skip = content.iter().take_while(|b| **b == 0).count();
        content.get(skip..).unwrap_or(&[])
    }

    /// Dotted text of an OID's content bytes, for messages and JSON.
    pub fn oid_to_string(content: &[u8]) -> String {
        let mut arcs: Vec<u64> = Vec::new();
        let mut current: u64 = 0;
        for byte in content {
            current = (current << 7) | u64::from(byte & 0x7F);
            if byte & 0x80 == 0 {
                if arcs.is_empty() {
                    let first = (current / 40).min(2);
                    arcs.push(first);
                    arcs.push(current - first * 40);
                } else {
                    arcs.push(current);
                }
                current = 0;
            }
            if current > u64::from(u32::MAX) {
                return "invalid-oid".into();
            }
        }
        arcs.iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(".")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex::h;
    use proptest::prelude::*;

    #[test]
    fn parses_multi_byte_tags_and_long_lengths() {
        let value = vec![0xAB; 300];
        let encoded = encode(0x5F2E, &value);
        assert_eq!(&encoded[..5], &[0x5F, 0x2E, 0x82, 0x01, 0x2C]);
        let (object, rest) = parse_one(&encoded).expect("valid");
        assert_eq!(object.tag, 0x5F2E);
        assert_eq!(object.value.len(), 300);
        assert!(rest.is_empty());
        assert_eq!(
            header_total_len(&encoded[..4]),
            Err(TlvError::Truncated("long length"))
        );
        assert_eq!(header_total_len(&encoded[..5]), Ok((0x5F2E, 305)));
    }

    #[test]
    fn refuses_bad_lengths() {
        assert_eq!(parse_one(&h("0180")), Err(TlvError::BadLength(0x80)));
        assert_eq!(
            parse_one(&h("0185FFFFFFFFFF")),
            Err(TlvError::BadLength(0x85))
        );
        assert_eq!(parse_one(&h("0105AA")), Err(TlvError::Truncated("value")));
        assert_eq!(
            parse_one(&h("5F")),
            Err(TlvError::Truncated("multi-byte tag"))
        );
        assert_eq!(parse_one(&h("1F8181818101")), Err(TlvError::TagTooLong));
    }

    #[test]
    fn constructed_children() {
        let inner = [encode(0x80, &[1]), encode(0x81, &[2, 3])].concat();
        let outer = encode(0x7C, &inner);
        let (object, _) = parse_one(&outer).expect("valid");
        assert!(object.is_constructed());
        let children = object.children().expect("valid");
        assert_eq!(children.len(), 2);
        assert_eq!(require(&inner, 0x81), Ok(&[2u8, 3][..]));
        assert_eq!(require(&inner, 0x82), Err(TlvError::Missing(0x82)));
    }

    #[test]
    fn der_helpers() {
        assert_eq!(der::integer(&[0x80]), h("02020080"));
        assert_eq!(der::small_integer(0), h("020100"));
        assert_eq!(
            der::oid_to_string(&h("04007F0007020204020 2")),
            "0.4.0.127.0.7.2.2.4.2.2"
        );
        assert_eq!(der::read_small_integer(&h("0D")), Ok(13));
    }

    proptest! {
        #[test]
        fn random_input_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = parse_all(&bytes);
            let _ = header_total_len(&bytes);
            let _ = der::oid_to_string(&bytes);
            let _ = der::read_small_integer(&bytes);
        }

        #[test]
        fn encode_then_parse(tag in prop_oneof![Just(0x04u32), Just(0x5F1F), Just(0x7F61), Just(0x86)],
                             value in proptest::collection::vec(any::<u8>(), 0..600)) {
            let encoded = encode(tag, &value);
            let (object, rest) = parse_one(&encoded).expect("own encoding parses");
            prop_assert_eq!(object.tag, tag);
            prop_assert_eq!(object.value, &value[..]);
            prop_assert!(rest.is_empty());
        }
    }
}
