//! The secret an inspection system needs to open a chip: MRZ data (BAC, PACE)
//! or the Card Access Number printed on ID cards (PACE only).

use crate::crypto::{HashAlgorithm, hash};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Why an access key cannot be built from what the officer typed or the MRZ gave.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum KeyError {
    /// A date that is not six digits YYMMDD.
    #[error("date must be YYMMDD digits, got {0:?}")]
    BadDate(String),
    /// A document number with characters outside the MRZ alphabet.
    #[error("document number has characters outside A-Z, 0-9 and '<': {0:?}")]
    BadDocumentNumber(String),
    /// A CAN that is not six digits.
    #[error("CAN must be 6 digits, got {0:?}")]
    BadCan(String),
}

/// The MRZ fields that form the BAC/PACE password ("MRZ information").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MrzKey {
    /// Document number as printed (without the check digit); may be longer than 9.
    pub document_number: String,
    /// Date of birth, YYMMDD.
    pub date_of_birth: String,
    /// Date of expiry, YYMMDD.
    pub date_of_expiry: String,
}

/// The ICAO 9303 check digit (weights 7, 3, 1) of MRZ text.
pub fn check_digit(text: &str) -> char {
    let weights = [7u32, 3, 1];
    let sum: u32 = text
        .chars()
        .enumerate()
        .map(|(index, c)| {
            let value = match c {
                '0'..='9' => c as u32 - '0' as u32,
                'A'..='Z' => c as u32 - 'A' as u32 + 10,
                _ => 0,
            };
            value * weights[index % 3]
        })
        .sum();
    char::from_digit(sum % 10, 10).unwrap_or('0')
}

fn valid_date(date: &str) -> bool {
    date.len() == 6 && date.bytes().all(|b| b.is_ascii_digit())
}

impl MrzKey {
    /// Builds and validates the key fields.
    pub fn new(
        document_number: &str,
        date_of_birth: &str,
        date_of_expiry: &str,
    ) -> Result<MrzKey, KeyError> {
        let number = document_number.trim().to_ascii_uppercase();
        if number.is_empty()
            || !number
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '<')
        {
            return Err(KeyError::BadDocumentNumber(document_number.into()));
        }
        for date in [date_of_birth, date_of_expiry] {
            if !valid_date(date) {
                return Err(KeyError::BadDate(date.into()));
            }
        }
        Ok(MrzKey {
            document_number: number,
            date_of_birth: date_of_birth.into(),
            date_of_expiry: date_of_expiry.into(),
        })
    }

    /// "MRZ information": number (padded to 9 with '<') + check digit, birth + check, expiry + check.
    pub fn mrz_information(&self) -> String {
        let mut number = self.document_number.clone();
        while number.len() < 9 {
            number.push('<');
        }
        format!(
            "{number}{}{}{}{}{}",
            check_digit(&number),
            self.date_of_birth,
            check_digit(&self.date_of_birth),
            self.date_of_expiry,
            check_digit(&self.date_of_expiry)
        )
    }

    /// SHA-1 of the MRZ information: the PACE password and the source of the BAC key seed.
    pub fn sha1(&self) -> Vec<u8> {
        hash(HashAlgorithm::Sha1, self.mrz_information().as_bytes())
    }
}

/// Which secret opens the chip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessKey {
    /// MRZ data: BAC or PACE.
    Mrz(MrzKey),
    /// Card Access Number: PACE only.
    Can(String),
}

impl AccessKey {
    /// A CAN key after checking its form.
    pub fn can(can: &str) -> Result<AccessKey, KeyError> {
        let can = can.trim();
        if can.len() != 6 || !can.bytes().all(|b| b.is_ascii_digit()) {
            return Err(KeyError::BadCan(can.into()));
        }
        Ok(AccessKey::Can(can.into()))
    }

    /// The PACE password π: SHA-1 of the MRZ information, or the CAN characters.
    pub fn pace_password(&self) -> Vec<u8> {
        match self {
            AccessKey::Mrz(mrz) => mrz.sha1(),
            AccessKey::Can(can) => can.as_bytes().to_vec(),
        }
    }

    /// The PACE password reference (MSE:Set AT tag 83): 1 = MRZ, 2 = CAN.
    pub fn pace_reference(&self) -> u8 {
        match self {
            AccessKey::Mrz(_) => 1,
            AccessKey::Can(_) => 2,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icao_appendix_d_mrz_information() {
        // ICAO 9303-11 Appendix D.2: document L898902C, born 690806, expires 940623.
        let key = MrzKey::new("L898902C", "690806", "940623").expect("valid");
        assert_eq!(key.mrz_information(), "L898902C<369080619406236");
        assert!(MrzKey::new("L898902C", "6908", "940623").is_err());
        assert!(MrzKey::new("L89-8902C", "690806", "940623").is_err());
        assert!(AccessKey::can("12345").is_err());
        assert_eq!(AccessKey::can("123456").map(|k| k.pace_reference()), Ok(2));
    }
}
