//! A small, strict DER reader and writer.
//!
//! Everything passive authentication touches (EF.SOD, certificates, CRLs,
//! master lists) is DER. Reading it with our own bounds-checked cursor keeps
//! every failure an [`DerError`] instead of a panic, whatever bytes a chip sends.

use thiserror::Error;

/// Why a DER structure could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DerError {
    /// The input ended inside a tag, length or value.
    #[error("DER truncated while reading {0}")]
    Truncated(&'static str),
    /// A length that DER does not allow (indefinite, too long, non-minimal).
    #[error("invalid DER length")]
    BadLength,
    /// A different tag was found where one was required.
    #[error("expected DER tag 0x{expected:02X} ({what}), found 0x{found:02X}")]
    UnexpectedTag {
        /// The tag the structure requires.
        expected: u8,
        /// The tag found.
        found: u8,
        /// What was being read.
        what: &'static str,
    },
    /// High-tag-number form, which no structure read here uses.
    #[error("unsupported multi-byte DER tag")]
    UnsupportedTag,
    /// Bytes left over after a structure that should fill its container.
    #[error("trailing bytes after {0}")]
    Trailing(&'static str),
    /// A value whose content is malformed (bad OID, bad time, bad integer).
    #[error("malformed {0}")]
    Malformed(&'static str),
}

/// Universal and context tags used by the structures read here.
pub mod tag {
    /// BOOLEAN
    pub const BOOLEAN: u8 = 0x01;
    /// INTEGER
    pub const INTEGER: u8 = 0x02;
    /// BIT STRING
    pub const BIT_STRING: u8 = 0x03;
    /// OCTET STRING
    pub const OCTET_STRING: u8 = 0x04;
    /// NULL
    pub const NULL: u8 = 0x05;
    /// OBJECT IDENTIFIER
    pub const OID: u8 = 0x06;
    /// UTF8String
    pub const UTF8_STRING: u8 = 0x0C;
    /// PrintableString
    pub const PRINTABLE_STRING: u8 = 0x13;
    /// UTCTime
    pub const UTC_TIME: u8 = 0x17;
    /// GeneralizedTime
    pub const GENERALIZED_TIME: u8 = 0x18;
    /// SEQUENCE (constructed)
    pub const SEQUENCE: u8 = 0x30;
    /// SET (constructed)
    pub const SET: u8 = 0x31;
    /// Context-specific constructed [0]
    pub const CONTEXT_0: u8 = 0xA0;
    /// Context-specific constructed [1]
    pub const CONTEXT_1: u8 = 0xA1;
    /// Context-specific constructed [3]
    pub const CONTEXT_3: u8 = 0xA3;
    /// ICAO EF.SOD application tag [APPLICATION 23]
    pub const EF_SOD: u8 = 0x77;
}

/// One tag-length-value element, borrowing its bytes from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The single identifier octet.
    pub tag: u8,
    /// The value octets.
    pub value: &'a [u8],
    /// The whole element, tag and length included (what signatures cover).
    pub raw: &'a [u8],
}

impl<'a> Tlv<'a> {
    /// A reader over this element's value, for constructed types.
    pub fn reader(&self) -> Reader<'a> {
        Reader::new(self.value)
    }

    /// Fails unless the tag is `expected`.
    pub fn expect_tag(self, expected: u8, what: &'static str) -> Result<Tlv<'a>, DerError> {
        if self.tag == expected {
            Ok(self)
        } else {
            Err(DerError::UnexpectedTag { expected, found: self.tag, what })
        }
    }
}

/// A cursor over concatenated DER elements.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader over `bytes`.
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { rest: bytes }
    }

    /// True when everything has been read.
    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The tag of the next element without consuming it.
    pub fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// Reads the next element, whatever its tag.
    pub fn read_any(&mut self) -> Result<Tlv<'a>, DerError> {
        let input = self.rest;
        let (&tag, after_tag) = input.split_first().ok_or(DerError::Truncated("tag"))?;
        if tag & 0x1F == 0x1F {
            return Err(DerError::UnsupportedTag);
        }
        let (&first, mut after_len) = after_tag.split_first().ok_or(DerError::Truncated("length"))?;
        let length = if first < 0x80 {
            usize::from(first)
        } else {
            let count = usize::from(first & 0x7F);
            if count == 0 || count > 4 {
                return Err(DerError::BadLength);
            }
            let len_bytes = after_len.get(..count).ok_or(DerError::Truncated("length"))?;
            after_len = after_len.get(count..).ok_or(DerError::Truncated("length"))?;
            let mut length = 0usize;
            for &b in len_bytes {
                length = (length << 8) | usize::from(b);
            }
            length
        };
        let value = after_len.get(..length).ok_or(DerError::Truncated("value"))?;
        let header_len = input.len() - after_len.len();
        let total = header_len + length;
        let raw = input.get(..total).ok_or(DerError::Truncated("value"))?;
        self.rest = input.get(total..).ok_or(DerError::Truncated("value"))?;
        Ok(Tlv { tag, value, raw })
    }

    /// Reads the next element and requires its tag.
    pub fn read(&mut self, expected: u8, what: &'static str) -> Result<Tlv<'a>, DerError> {
        self.read_any()?.expect_tag(expected, what)
    }

    /// Reads the next element only if it has tag `expected`.
    pub fn read_optional(&mut self, expected: u8) -> Result<Option<Tlv<'a>>, DerError> {
        if self.peek_tag() == Some(expected) { self.read_any().map(Some) } else { Ok(None) }
    }

    /// Fails if anything is left.
    pub fn finish(&self, what: &'static str) -> Result<(), DerError> {
        if self.rest.is_empty() { Ok(()) } else { Err(DerError::Trailing(what)) }
    }

    /// Reads an OBJECT IDENTIFIER as dotted text.
    pub fn read_oid(&mut self, what: &'static str) -> Result<String, DerError> {
        let tlv = self.read(tag::OID, what)?;
        decode_oid(tlv.value)
    }

    /// Reads a non-negative INTEGER's magnitude bytes (leading zero removed).
    pub fn read_unsigned(&mut self, what: &'static str) -> Result<&'a [u8], DerError> {
        let tlv = self.read(tag::INTEGER, what)?;
        unsigned_magnitude(tlv.value)
    }

    /// Reads a small INTEGER (versions).
    pub fn read_small_int(&mut self, what: &'static str) -> Result<u64, DerError> {
        let bytes = self.read_unsigned(what)?;
        if bytes.len() > 8 {
            return Err(DerError::Malformed("small integer"));
        }
        Ok(bytes.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
    }
}

/// Strips the sign octet of a positive INTEGER; rejects negative and empty ones.
pub fn unsigned_magnitude(value: &[u8]) -> Result<&[u8], DerError> {
    match value {
        [] => Err(DerError::Malformed("integer")),
        [first, ..] if first & 0x80 != 0 => Err(DerError::Malformed("negative integer")),
        [0, rest @ ..] if !rest.is_empty() => Ok(rest),
        _ => Ok(value),
    }
}

/// Parses the whole of `bytes` as exactly one element.
pub fn parse_single<'a>(bytes: &'a [u8], expected: u8, what: &'static str) -> Result<Tlv<'a>, DerError> {
    let mut reader = Reader::new(bytes);
    let tlv = reader.read(expected, what)?;
    reader.finish(what)?;
    Ok(tlv)
}

/// Dotted text of an OID's content octets.
pub fn decode_oid(value: &[u8]) -> Result<String, DerError> {
    if value.is_empty() || value.last().is_some_and(|b| b & 0x80 != 0) {
        return Err(DerError::Malformed("object identifier"));
    }
    let mut arcs: Vec<u64> = Vec::new();
    let mut current: u64 = 0;
    for &b in value {
        if current > (u64::MAX >> 8) {
            return Err(DerError::Malformed("object identifier"));
        }
        current = (current << 7) | u64::from(b & 0x7F);
        if b & 0x80 == 0 {
            arcs.push(current);
            current = 0;
        }
    }
    let first = arcs.first().copied().ok_or(DerError::Malformed("object identifier"))?;
    let (a, b) = if first < 40 { (0, first) } else if first < 80 { (1, first - 40) } else { (2, first - 80) };
    let mut text = format!("{a}.{b}");
    for arc in arcs.iter().skip(1) {
        text.push('.');
        text.push_str(&arc.to_string());
    }
    Ok(text)
}

/// Content octets of a dotted OID; only called on our own constants.
pub fn encode_oid(dotted: &str) -> Vec<u8> {
    let arcs: Vec<u64> = dotted.split('.').filter_map(|p| p.parse().ok()).collect();
    let mut out = Vec::new();
    let (first, rest) = match arcs.as_slice() {
        [a, b, rest @ ..] => (a * 40 + b, rest),
        _ => return out,
    };
    for arc in std::iter::once(&first).chain(rest.iter()) {
        let mut chunk = vec![(arc & 0x7F) as u8];
        let mut v = arc >> 7;
        while v > 0 {
            chunk.push(((v & 0x7F) as u8) | 0x80);
            v >>= 7;
        }
        chunk.reverse();
        out.extend(chunk);
    }
    out
}

/// Builders for the DER the test PKI writes.
pub mod write {
    use super::tag;

    /// One element with the given tag and value.
    pub fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let len = value.len();
        if len < 0x80 {
            out.push(len as u8);
        } else {
            let bytes = len.to_be_bytes();
            let skip = bytes.iter().take_while(|&&b| b == 0).count();
            let significant = &bytes[skip..];
            out.push(0x80 | significant.len() as u8);
            out.extend_from_slice(significant);
        }
        out.extend_from_slice(value);
        out
    }

    /// SEQUENCE of already-encoded parts.
    pub fn sequence(parts: &[&[u8]]) -> Vec<u8> {
        tlv(tag::SEQUENCE, &parts.concat())
    }

    /// SET OF already-encoded parts, sorted as DER requires.
    pub fn set_of(parts: &[&[u8]]) -> Vec<u8> {
        let mut sorted: Vec<&[u8]> = parts.to_vec();
        sorted.sort();
        tlv(tag::SET, &sorted.concat())
    }

    /// OBJECT IDENTIFIER.
    pub fn oid(dotted: &str) -> Vec<u8> {
        tlv(tag::OID, &super::encode_oid(dotted))
    }

    /// Non-negative INTEGER from big-endian magnitude bytes.
    pub fn unsigned(magnitude: &[u8]) -> Vec<u8> {
        let skip = magnitude.iter().take_while(|&&b| b == 0).count();
        let trimmed = &magnitude[skip.min(magnitude.len())..];
        let mut value = Vec::with_capacity(trimmed.len() + 1);
        if trimmed.is_empty() || trimmed[0] & 0x80 != 0 {
            value.push(0);
        }
        value.extend_from_slice(trimmed);
        tlv(tag::INTEGER, &value)
    }

    /// INTEGER from a small number.
    pub fn small_int(n: u64) -> Vec<u8> {
        unsigned(&n.to_be_bytes())
    }

    /// OCTET STRING.
    pub fn octets(bytes: &[u8]) -> Vec<u8> {
        tlv(tag::OCTET_STRING, bytes)
    }

    /// BIT STRING with no unused bits.
    pub fn bits(bytes: &[u8]) -> Vec<u8> {
        let mut value = vec![0u8];
        value.extend_from_slice(bytes);
        tlv(tag::BIT_STRING, &value)
    }

    /// NULL.
    pub fn null() -> Vec<u8> {
        vec![tag::NULL, 0]
    }

    /// Explicit context tag [n] around an encoded element.
    pub fn explicit(n: u8, inner: &[u8]) -> Vec<u8> {
        tlv(0xA0 | n, inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn oid_round_trips() {
        for oid in ["2.23.136.1.1.1", "1.2.840.113549.1.1.11", "1.3.36.3.3.2.8.1.1.7", "2.5.29.14"] {
            assert_eq!(decode_oid(&encode_oid(oid)).unwrap(), oid);
        }
    }

    #[test]
    fn long_lengths_are_read() {
        let value = vec![7u8; 300];
        let encoded = write::octets(&value);
        let tlv = parse_single(&encoded, tag::OCTET_STRING, "test").unwrap();
        assert_eq!(tlv.value, value.as_slice());
        assert_eq!(tlv.raw, encoded.as_slice());
    }

    #[test]
    fn truncated_and_indefinite_lengths_are_errors() {
        assert!(Reader::new(&[0x30, 0x05, 0x01]).read_any().is_err());
        assert!(Reader::new(&[0x30, 0x80, 0x00, 0x00]).read_any().is_err());
        assert!(Reader::new(&[0x30, 0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9]).read_any().is_err());
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let mut reader = Reader::new(&bytes);
            while let Ok(tlv) = reader.read_any() {
                let _ = decode_oid(tlv.value);
                let mut inner = tlv.reader();
                while inner.read_any().is_ok() {}
            }
        }
    }
}
