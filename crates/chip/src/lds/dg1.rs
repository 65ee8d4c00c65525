//! DG1: the MRZ as stored on the chip (compared with the printed MRZ by the lead's consistency check).

use super::{LdsError, open_template, text};
use crate::tlv;

/// The MRZ characters of DG1, lines joined without separators (TD1 90, TD2 72, TD3 88 characters).
pub fn parse(bytes: &[u8]) -> Result<String, LdsError> {
    let content = open_template("DG1", bytes, 0x61)?;
    let mrz = tlv::require(content, 0x5F1F).map_err(|e| LdsError::Tlv("DG1", e))?;
    let mrz = text(mrz);
    if !mrz
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '<')
    {
        return Err(LdsError::Invalid(
            "DG1",
            "MRZ has characters outside A-Z, 0-9 and '<'".into(),
        ));
    }
    Ok(mrz)
}

/// Splits the DG1 MRZ into its printed lines by length (30 × 3, 36 × 2, 44 × 2).
pub fn lines(mrz: &str) -> Vec<String> {
    let width = match mrz.len() {
        90 => 30,
        72 => 36,
        88 => 44,
        _ => return vec![mrz.to_string()],
    };
    mrz.as_bytes()
        .chunks(width)
        .map(|chunk| chunk.iter().map(|b| char::from(*b)).collect())
        .collect()
}

/// Encodes DG1 from MRZ lines (joined without separators).
pub fn encode(mrz_lines: &[&str]) -> Vec<u8> {
    tlv::encode(0x61, &tlv::encode(0x5F1F, mrz_lines.concat().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn round_trip_td3() {
        let lines_in = [
            "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
            "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
        ];
        let encoded = encode(&lines_in);
        let mrz = parse(&encoded).expect("valid");
        assert_eq!(
            lines(&mrz),
            lines_in.iter().map(|l| l.to_string()).collect::<Vec<_>>()
        );
        assert!(parse(&encode(&["p<abc"])).is_err());
    }

    proptest! {
        #[test]
        fn random_input_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..120)) {
            let _ = parse(&bytes);
            let _ = parse(&tlv::encode(0x61, &bytes));
        }
    }
}
