//! Hexadecimal text of bytes: one copy for every crate that writes or reads
//! hashes, keys, identifiers and MACs as text (case ids, audit hashes, bundle
//! manifests, certificate fingerprints).

use std::fmt::Write as _;

/// Lower-case hex, two digits per byte.
pub fn encode(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        // Writing to a String cannot fail.
        let _ = write!(text, "{byte:02x}");
    }
    text
}

/// Upper-case hex, two digits per byte (certificate serials and key ids as
/// the ICAO and X.509 tools print them).
pub fn encode_upper(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(text, "{byte:02X}");
    }
    text
}

/// The bytes of hex text in either case, surrounding white space ignored;
/// `None` on an odd number of digits or anything that is not a hex digit.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let digits = text.trim().as_bytes();
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    digits
        .chunks_exact(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

fn digit(character: u8) -> Option<u8> {
    match character {
        b'0'..=b'9' => Some(character - b'0'),
        b'a'..=b'f' => Some(character - b'a' + 10),
        b'A'..=b'F' => Some(character - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_values() {
        assert_eq!(encode(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        assert_eq!(encode_upper(&[0x00, 0x0f, 0xa5, 0xff]), "000FA5FF");
        assert_eq!(encode(&[]), "");
        assert_eq!(decode(" 000fA5Ff\n"), Some(vec![0x00, 0x0f, 0xa5, 0xff]));
        assert_eq!(decode(""), Some(vec![]));
    }

    #[test]
    fn bad_text_is_refused() {
        for text in ["0", "abc", "0g", "+1", "-1", "é0", "00 11", "0x00"] {
            assert_eq!(decode(text), None, "{text:?}");
        }
    }

    proptest! {
        #[test]
        fn round_trips_in_both_cases(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            prop_assert_eq!(decode(&encode(&bytes)), Some(bytes.clone()));
            prop_assert_eq!(decode(&encode_upper(&bytes)), Some(bytes.clone()));
            prop_assert_eq!(encode(&bytes).len(), bytes.len() * 2);
        }

        #[test]
        fn agrees_with_the_standard_parser(text in "[0-9a-fA-F]{0,40}|[ 0-9a-fx+-]{0,9}|\\PC{0,12}") {
            let digits = text.trim();
            let expected: Option<Vec<u8>> =
                if digits.len() % 2 == 0 && digits.bytes().all(|b| b.is_ascii_hexdigit()) {
                    (0..digits.len())
                        .step_by(2)
                        .map(|i| u8::from_str_radix(&digits[i..i + 2], 16).ok())
                        .collect()
                } else {
                    None
                };
            prop_assert_eq!(decode(&text), expected);
        }
    }
}
