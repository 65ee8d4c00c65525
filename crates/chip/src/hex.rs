//! Hex text helpers: APDU logs, JSON output and test vectors are written in hex.

/// Uppercase hex of `bytes`, the way ICAO 9303 prints its worked examples.
pub fn encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0F)]));
    }
    text
}

/// Bytes from hex text; spaces are ignored so vectors can be copied as printed.
/// Returns `None` on an odd number of digits or a non-hex character.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    digits
        .chunks(2)
        .map(|pair| {
            let high = char::from(pair[0]).to_digit(16)?;
            let low = char::from(pair[1]).to_digit(16)?;
            u8::try_from(high * 16 + low).ok()
        })
        .collect()
}

/// Test helper: hex that is known to be valid (a literal in a test).
#[cfg(test)]
pub(crate) fn h(text: &str) -> Vec<u8> {
    decode(text).unwrap_or_else(|| panic!("bad hex literal in test: {text}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        assert_eq!(encode(&[0x00, 0xAB, 0x7F]), "00AB7F");
        assert_eq!(decode("00ab 7F"), Some(vec![0x00, 0xAB, 0x7F]));
        assert_eq!(decode("0"), None);
        assert_eq!(decode("zz"), None);
    }
}
