//! Pre-normalisation of the DER found in the field, before `der`, `x509-cert`
//! and `cms` read it.
//!
//! Those crates read strict DER, as they should. Passports, Document Signer
//! certificates and master lists in circulation carry small faults that the
//! previous reader of this crate accepted and that a verifier must keep
//! accepting: long-form lengths longer than needed, INTEGERs with redundant
//! leading octets, BOOLEAN true other than 0xFF, and BER in CMS (indefinite
//! lengths, constructed OCTET STRINGs). No crate re-encodes such input as DER, so
//! this module does, and nothing more: it splits the input into a tree of
//! elements (keeping each element's bytes as received, because signatures cover
//! those) and writes the tree out canonically with `der`'s header encoder.
//! Every structure is then decoded from the canonical bytes by the crates.

use der::{Decode, Encode, Header, Length, Tag};

use crate::PkiError;

/// Nesting deeper than any certificate or SOD needs; deeper input is refused, not recursed into.
const MAX_DEPTH: usize = 48;

/// One element of the input, with the bytes it arrived as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Element<'a> {
    /// The identifier octet (single-octet tags only: no structure read here uses more).
    pub tag: u8,
    /// The whole element as received, header included.
    pub raw: &'a [u8],
    /// The content: bytes for a primitive element, elements for a constructed one.
    pub content: Content<'a>,
    /// True when `raw` is already DER (the usual case: then it is used as it is).
    pub is_der: bool,
}

/// The content of an [`Element`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Content<'a> {
    /// A primitive value's octets.
    Primitive(&'a [u8]),
    /// A constructed value's elements.
    Constructed(Vec<Element<'a>>),
}

fn malformed(what: &str) -> PkiError {
    PkiError::Malformed(format!("ASN.1: {what}"))
}

/// Reads `bytes` as exactly one element (BER lengths accepted), nothing left over.
pub(crate) fn parse(bytes: &[u8]) -> Result<Element<'_>, PkiError> {
    let (element, rest) = parse_element(bytes, 0)?;
    if !rest.is_empty() {
        return Err(malformed("bytes left after the outer element"));
    }
    Ok(element)
}

fn parse_element(input: &[u8], depth: usize) -> Result<(Element<'_>, &[u8]), PkiError> {
    if depth > MAX_DEPTH {
        return Err(malformed("nested too deeply"));
    }
    let (&tag, after_tag) = input.split_first().ok_or_else(|| malformed("truncated tag"))?;
    if tag & 0x1F == 0x1F {
        return Err(malformed("multi-octet tag"));
    }
    let constructed = tag & 0x20 != 0;
    let (&first, after_first) = after_tag.split_first().ok_or_else(|| malformed("truncated length"))?;
    if first == 0x80 {
        // Indefinite length (BER): elements up to the end-of-contents octets 00 00.
        if !constructed {
            return Err(malformed("indefinite length on a primitive element"));
        }
        let mut rest = after_first;
        let mut children = Vec::new();
        loop {
            if let Some(after_end) = rest.strip_prefix(&[0u8, 0u8][..]) {
                let consumed = input.len() - after_end.len();
                let raw = input.get(..consumed).ok_or_else(|| malformed("truncated value"))?;
                return Ok((Element { tag, raw, content: Content::Constructed(children), is_der: false }, after_end));
            }
            let (child, after_child) = parse_element(rest, depth + 1)?;
            children.push(child);
            rest = after_child;
        }
    }
    let mut minimal_length = true;
    let (length, after_length) = if first < 0x80 {
        (usize::from(first), after_first)
    } else {
        let count = usize::from(first & 0x7F);
        if count > 4 {
            return Err(malformed("length longer than four octets"));
        }
        let octets = after_first.get(..count).ok_or_else(|| malformed("truncated length"))?;
        let length = octets.iter().fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        minimal_length = length >= 0x80 && octets.first().is_some_and(|&b| b != 0);
        (length, after_first.get(count..).ok_or_else(|| malformed("truncated length"))?)
    };
    let value = after_length.get(..length).ok_or_else(|| malformed("truncated value"))?;
    let rest = after_length.get(length..).ok_or_else(|| malformed("truncated value"))?;
    let raw = input.get(..input.len() - rest.len()).ok_or_else(|| malformed("truncated value"))?;
    let content = if constructed {
        let mut children = Vec::new();
        let mut inner = value;
        while !inner.is_empty() {
            let (child, after_child) = parse_element(inner, depth + 1)?;
            children.push(child);
            inner = after_child;
        }
        Content::Constructed(children)
    } else {
        Content::Primitive(value)
    };
    let is_der = minimal_length
        && match &content {
            Content::Constructed(children) => tag != 0x24 && children.iter().all(|c| c.is_der),
            Content::Primitive(value) => canonical_primitive(tag, value).as_ref() == *value,
        };
    Ok((Element { tag, raw, content, is_der }, rest))
}

impl<'a> Element<'a> {
    /// The elements of a constructed element (none for a primitive one).
    pub fn children(&self) -> &[Element<'a>] {
        match &self.content {
            Content::Constructed(children) => children,
            Content::Primitive(_) => &[],
        }
    }

    /// The `index`-th element inside, or a "malformed `what`" error.
    pub fn child(&self, index: usize, what: &str) -> Result<&Element<'a>, PkiError> {
        self.children().get(index).ok_or_else(|| malformed(&format!("{what} missing")))
    }

    /// The element as DER: minimal lengths, definite lengths, constructed OCTET
    /// STRINGs joined, INTEGERs without redundant leading octets, BOOLEAN true as 0xFF.
    pub fn to_canonical_der(&self) -> Result<Vec<u8>, PkiError> {
        if self.is_der {
            return Ok(self.raw.to_vec());
        }
        let mut out = Vec::with_capacity(self.raw.len());
        self.write_canonical(&mut out)?;
        Ok(out)
    }

    fn write_canonical(&self, out: &mut Vec<u8>) -> Result<(), PkiError> {
        if self.is_der {
            out.extend_from_slice(self.raw);
            return Ok(());
        }
        let (tag, value): (u8, Vec<u8>) = match &self.content {
            // A constructed OCTET STRING (BER) is the concatenation of its segments.
            Content::Constructed(_) if self.tag == 0x24 => (0x04, self.octet_string_segments()?),
            Content::Constructed(children) => {
                let mut value = Vec::new();
                for child in children {
                    child.write_canonical(&mut value)?;
                }
                (self.tag, value)
            }
            Content::Primitive(value) => (self.tag, canonical_primitive(self.tag, value).to_vec()),
        };
        let tag = Tag::from_der(&[tag]).map_err(PkiError::from)?;
        let length = Length::try_from(value.len()).map_err(PkiError::from)?;
        Header::new(tag, length).encode_to_vec(out).map_err(PkiError::from)?;
        out.extend_from_slice(&value);
        Ok(())
    }

    fn octet_string_segments(&self) -> Result<Vec<u8>, PkiError> {
        let mut joined = Vec::new();
        for segment in self.children() {
            match (&segment.content, segment.tag) {
                (Content::Primitive(bytes), 0x04) => joined.extend_from_slice(bytes),
                (Content::Constructed(_), 0x24) => joined.extend(segment.octet_string_segments()?),
                _ => return Err(malformed("constructed OCTET STRING with a segment of another type")),
            }
        }
        Ok(joined)
    }
}

fn canonical_primitive(tag: u8, value: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    match tag {
        // INTEGER: a leading 0x00 before a clear top bit, or 0xFF before a set one, says nothing.
        0x02 => {
            let mut trimmed = value;
            while let [first, second, ..] = trimmed
                && ((*first == 0x00 && second & 0x80 == 0) || (*first == 0xFF && second & 0x80 != 0))
            {
                trimmed = &trimmed[1..];
            }
            std::borrow::Cow::Borrowed(trimmed)
        }
        0x01 if value.len() == 1 && value[0] != 0 => std::borrow::Cow::Owned(vec![0xFF]),
        _ => std::borrow::Cow::Borrowed(value),
    }
}

/// `bytes` as DER (see [`Element::to_canonical_der`]).
pub(crate) fn canonical(bytes: &[u8]) -> Result<Vec<u8>, PkiError> {
    parse(bytes)?.to_canonical_der()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn faults_found_in_the_field_become_der() {
        // Non-minimal long-form length, INTEGER with a redundant 0x00, BOOLEAN true as 0x01.
        let faulty = [0x30, 0x81, 0x09, 0x02, 0x02, 0x00, 0x05, 0x01, 0x01, 0x01, 0x05, 0x00];
        assert_eq!(canonical(&faulty).unwrap(), vec![0x30, 0x08, 0x02, 0x01, 0x05, 0x01, 0x01, 0xFF, 0x05, 0x00]);
        // A negative INTEGER keeps its sign; one with a redundant 0xFF loses it.
        assert_eq!(canonical(&[0x02, 0x02, 0xFF, 0x80]).unwrap(), vec![0x02, 0x01, 0x80]);
        assert_eq!(canonical(&[0x02, 0x02, 0xFF, 0x7F]).unwrap(), vec![0x02, 0x02, 0xFF, 0x7F]);
        // BER: indefinite length around a constructed OCTET STRING of two segments.
        let ber = [0x30, 0x80, 0x24, 0x80, 0x04, 0x01, 0xAA, 0x04, 0x02, 0xBB, 0xCC, 0x00, 0x00, 0x00, 0x00];
        let element = parse(&ber).unwrap();
        assert_eq!(element.raw, &ber[..]);
        assert_eq!(element.to_canonical_der().unwrap(), vec![0x30, 0x05, 0x04, 0x03, 0xAA, 0xBB, 0xCC]);
    }

    #[test]
    fn der_is_left_as_it_is_and_raw_bytes_are_kept() {
        let der = [0x30, 0x06, 0x02, 0x01, 0x00, 0x04, 0x01, 0x7F];
        assert_eq!(canonical(&der).unwrap(), der.to_vec());
        let element = parse(&der).unwrap();
        assert!(element.is_der);
        assert_eq!(element.child(1, "octets").unwrap().raw, &der[5..]);
        for faulty in [
            &[0x04, 0x81, 0x01, 0x00][..],
            &[0x02, 0x02, 0x00, 0x01],
            &[0x01, 0x01, 0x01],
            &[0x30, 0x03, 0x02, 0x81, 0x00],
        ] {
            let element = parse(faulty).unwrap();
            assert!(!element.is_der, "{faulty:02X?}");
            assert_ne!(element.to_canonical_der().unwrap(), faulty.to_vec());
        }
        assert!(element.child(2, "third").is_err());
    }

    #[test]
    fn truncated_trailing_and_unterminated_input_is_refused() {
        assert!(parse(&[0x30, 0x05, 0x01]).is_err());
        assert!(parse(&[0x30, 0x80, 0x05, 0x00]).is_err());
        assert!(parse(&[0x04, 0x80, 0x00, 0x00]).is_err());
        assert!(parse(&[0x30, 0x85, 1, 2, 3, 4, 5]).is_err());
        assert!(parse(&[0x05, 0x00, 0x05, 0x00]).is_err());
        assert!(parse(&[0x1F, 0x81, 0x00, 0x00]).is_err());
        let deep: Vec<u8> = std::iter::repeat_n([0x30u8, 0x80], 200).flatten().collect();
        assert!(parse(&deep).is_err());
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic_and_canonical_output_is_stable(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            if let Ok(der) = canonical(&bytes) {
                prop_assert_eq!(canonical(&der).unwrap(), der);
            }
        }
    }
}
