//! Per-position grammar: which characters each position of each layout may
//! hold (ICAO 9303 Part 3 section 4.2 and the layout tables of Parts 4–7),
//! and the confusable characters OCR and forgers produce.
//!
//! Check digits cannot see every substitution (`<` and `K`, `0`, `A`, `K`, `U`
//! all weigh the same modulo 10 at some positions), so the grammar catches
//! what it can: a letter in a numeric field, a digit in a name.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::fields::{Field, Span};
use crate::layout::layout;
use crate::MrzFormat;

/// What one position may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CharClass {
    /// A–Z or the filler (codes, names).
    Alphabetic,
    /// 0–9 or the filler (dates: fillers mark an unknown part).
    Numeric,
    /// A–Z, 0–9 or the filler (document number, optional data).
    Alphanumeric,
    /// 0–9, or `<` where ICAO allows it (long document numbers, empty optional data).
    CheckDigit,
    /// 0–9 only: the composite check digit, always computed, never a filler.
    Digit,
    /// `M`, `F`, `X` or `<`.
    Sex,
    /// The first character of the document code: only the letters the layout
    /// allows (TD3 `P`; TD1/TD2 `A`, `C`, `I`; visas `V`; the French card `I`).
    DocumentType(DocumentLetters),
}

/// The letters a document code may start with, per layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentLetters {
    /// Passports (TD3): `P`.
    P,
    /// Cards (TD1, TD2): `A`, `C` or `I`.
    Aci,
    /// Visas (MRV-A, MRV-B): `V`.
    V,
    /// The French 1988 card: `I` (of `ID`).
    I,
}

impl DocumentLetters {
    /// The allowed letters.
    pub fn letters(self) -> &'static str {
        match self {
            DocumentLetters::P => "P",
            DocumentLetters::Aci => "ACI",
            DocumentLetters::V => "V",
            DocumentLetters::I => "I",
        }
    }
}

impl CharClass {
    /// Whether `c` is allowed.
    pub fn allows(self, c: char) -> bool {
        match self {
            CharClass::Alphabetic => c.is_ascii_uppercase() || c == '<',
            CharClass::Numeric | CharClass::CheckDigit => c.is_ascii_digit() || c == '<',
            CharClass::Digit => c.is_ascii_digit(),
            CharClass::Alphanumeric => c.is_ascii_uppercase() || c.is_ascii_digit() || c == '<',
            CharClass::Sex => matches!(c, 'M' | 'F' | 'X' | '<'),
            CharClass::DocumentType(letters) => letters.letters().contains(c),
        }
    }

    /// For messages: "a digit", "a letter".
    pub fn describe(self) -> &'static str {
        match self {
            CharClass::Alphabetic => "a letter or filler",
            CharClass::Numeric => "a digit or filler",
            CharClass::Alphanumeric => "a letter, digit or filler",
            CharClass::CheckDigit => "a check digit",
            CharClass::Digit => "a digit",
            CharClass::Sex => "M, F, X or <",
            CharClass::DocumentType(DocumentLetters::P) => "P",
            CharClass::DocumentType(DocumentLetters::V) => "V",
            CharClass::DocumentType(DocumentLetters::I) => "I",
            CharClass::DocumentType(DocumentLetters::Aci) => "A, C or I",
        }
    }
}

/// `[line][position]` → class and field.
type ClassTable = Vec<Vec<(CharClass, Field)>>;

/// The class and field of every position of a layout: `[line][position]`
/// (built once per layout, then shared).
pub fn position_classes(format: MrzFormat) -> &'static [Vec<(CharClass, Field)>] {
    static TABLES: OnceLock<Vec<ClassTable>> = OnceLock::new();
    let tables = TABLES.get_or_init(|| MrzFormat::ALL.iter().map(|format| build_position_classes(*format)).collect());
    let index = MrzFormat::ALL.iter().position(|known| *known == format).unwrap_or(0);
    tables.get(index).map(Vec::as_slice).unwrap_or(&[])
}

fn build_position_classes(format: MrzFormat) -> ClassTable {
    let layout = layout(format);
    let mut table = vec![vec![(CharClass::Alphanumeric, Field::Fillers); format.line_length()]; format.line_count()];
    let mut set = |span: Span, class: CharClass, field: Field| {
        if let Some(line) = table.get_mut(span.line) {
            for slot in line.iter_mut().take(span.end).skip(span.start) {
                *slot = (class, field);
            }
        }
    };
    set(layout.document_code, CharClass::Alphabetic, Field::DocumentCode);
    // The second character is the issuer's choice: a letter, the filler, or on
    // TD1/TD2 cards a digit (the US permanent resident card prints `C1`).
    let mut second = layout.document_code;
    second.start += 1;
    if matches!(format, MrzFormat::Td1 | MrzFormat::Td2) {
        set(second, CharClass::Alphanumeric, Field::DocumentCode);
    }
    let mut first = layout.document_code;
    first.end = first.start + 1;
    let letters = match format {
        MrzFormat::Td3 => DocumentLetters::P,
        MrzFormat::Td1 | MrzFormat::Td2 => DocumentLetters::Aci,
        MrzFormat::MrvA | MrzFormat::MrvB => DocumentLetters::V,
        MrzFormat::FrenchId => DocumentLetters::I,
    };
    set(first, CharClass::DocumentType(letters), Field::DocumentCode);
    set(layout.issuing_state, CharClass::Alphabetic, Field::IssuingState);
    set(layout.document_number, CharClass::Alphanumeric, Field::DocumentNumber);
    set(layout.document_number_check, CharClass::CheckDigit, Field::CheckDigits);
    set(layout.birth_date, CharClass::Numeric, Field::BirthDate);
    set(layout.birth_date_check, CharClass::CheckDigit, Field::CheckDigits);
    set(layout.sex, CharClass::Sex, Field::Sex);
    if let Some((span, check)) = layout.expiry_date {
        set(span, CharClass::Numeric, Field::ExpiryDate);
        set(check, CharClass::CheckDigit, Field::CheckDigits);
    }
    if let Some(span) = layout.nationality {
        set(span, CharClass::Alphabetic, Field::Nationality);
    }
    set(layout.names, CharClass::Alphabetic, Field::Names);
    if let Some(span) = layout.given_names {
        set(span, CharClass::Alphabetic, Field::Names);
    }
    if let Some(span) = layout.optional_data {
        set(span, CharClass::Alphanumeric, Field::OptionalData);
    }
    if let Some(span) = layout.optional_data_check {
        set(span, CharClass::CheckDigit, Field::CheckDigits);
    }
    if let Some(span) = layout.optional_data_2 {
        set(span, CharClass::Alphanumeric, Field::OptionalData2);
    }
    if let Some((span, _)) = layout.composite {
        set(span, CharClass::Digit, Field::CheckDigits);
    }
    table
}

/// The character a confusable most likely stands for in a position of the
/// given class, or `None` if `c` is allowed there or has no usual look-alike.
/// Pairs: 0/O (also D, Q), 1/I (also L), 2/Z, 5/S, 6/G, 8/B.
pub fn confusable_fix(class: CharClass, c: char) -> Option<char> {
    if class.allows(c) {
        return None;
    }
    match class {
        CharClass::Numeric | CharClass::CheckDigit | CharClass::Digit => match c {
            'O' | 'Q' | 'D' => Some('0'),
            'I' | 'L' => Some('1'),
            'Z' => Some('2'),
            'S' => Some('5'),
            'G' => Some('6'),
            'B' => Some('8'),
            _ => None,
        },
        CharClass::Alphabetic | CharClass::Sex => match c {
            '0' => Some('O'),
            '1' => Some('I'),
            '2' => Some('Z'),
            '5' => Some('S'),
            '6' => Some('G'),
            '8' => Some('B'),
            _ => None,
        },
        CharClass::Alphanumeric => None,
        CharClass::DocumentType(letters) => {
            let look_alike = match c {
                '1' | 'L' | 'J' | 'T' => 'I',
                '4' => 'A',
                'G' | 'O' | '0' => 'C',
                'R' | 'F' | 'B' | 'D' => 'P',
                'Y' | 'U' => 'V',
                _ => return None,
            };
            letters.letters().contains(look_alike).then_some(look_alike)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_composite_check_digit_is_a_digit_never_a_filler() {
        let layout = layout(MrzFormat::Td1);
        let (span, _) = layout.composite.expect("TD1 has a composite check digit");
        assert_eq!(position_classes(MrzFormat::Td1)[span.line][span.start].0, CharClass::Digit);
        assert!(!CharClass::Digit.allows('<') && CharClass::Digit.allows('5'));
        // The document number's own check digit may still be a filler (long numbers).
        assert!(position_classes(MrzFormat::Td1)[0][14].0.allows('<'));
    }

    #[test]
    fn every_position_of_every_layout_is_classified() {
        for format in MrzFormat::ALL {
            let table = position_classes(format);
            assert_eq!(table.len(), format.line_count());
            for line in table {
                assert_eq!(line.len(), format.line_length());
                assert!(line.iter().all(|(_, field)| *field != Field::Fillers), "{format:?}");
            }
        }
    }

    #[test]
    fn confusables_point_to_the_allowed_class() {
        assert_eq!(confusable_fix(CharClass::Numeric, 'O'), Some('0'));
        assert_eq!(confusable_fix(CharClass::Alphabetic, '0'), Some('O'));
        assert_eq!(confusable_fix(CharClass::Numeric, '5'), None);
        assert_eq!(confusable_fix(CharClass::Alphanumeric, 'O'), None);
    }
}
