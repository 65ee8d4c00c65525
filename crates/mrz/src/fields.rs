//! Field names, positions and the sex marker shared by composing, parsing and checks.

use serde::{Deserialize, Serialize};

/// Sex as printed in the MRZ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// `M`.
    Male,
    /// `F`.
    Female,
    /// `<`: unspecified (the filler form, every edition of ICAO 9303).
    Unspecified,
    /// `X`: unspecified (the letter form allowed since the 7th edition).
    X,
}

impl Sex {
    /// The printed character.
    pub fn to_char(self) -> char {
        match self {
            Sex::Male => 'M',
            Sex::Female => 'F',
            Sex::Unspecified => '<',
            Sex::X => 'X',
        }
    }

    /// Reads the printed character; `None` for anything else.
    pub fn from_char(c: char) -> Option<Sex> {
        match c {
            'M' => Some(Sex::Male),
            'F' => Some(Sex::Female),
            '<' => Some(Sex::Unspecified),
            'X' => Some(Sex::X),
            _ => None,
        }
    }

    /// The value used in JSON reports: `M`, `F` or `X` (both unspecified forms).
    pub fn contract_value(self) -> &'static str {
        match self {
            Sex::Male => "M",
            Sex::Female => "F",
            Sex::Unspecified | Sex::X => "X",
        }
    }
}

/// A field of the MRZ; its `as_str` is the suffix of the check ids
/// (`mrz.grammar.document_number`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// Document code (`P<`, `ID`, `V<`…).
    DocumentCode,
    /// Issuing state or organisation.
    IssuingState,
    /// Document number.
    DocumentNumber,
    /// Date of birth.
    BirthDate,
    /// Sex.
    Sex,
    /// Date of expiry.
    ExpiryDate,
    /// Nationality.
    Nationality,
    /// Name (primary and secondary identifiers).
    Names,
    /// Optional data (personal number on TD3).
    OptionalData,
    /// Second optional data field (TD1 line 2).
    OptionalData2,
    /// A check digit position (its own grammar: a digit, or `<` where allowed).
    CheckDigits,
    /// Positions that must hold fillers.
    Fillers,
    /// The characters themselves (lower case, punctuation: nothing an MRZ may hold).
    Characters,
}

impl Field {
    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::DocumentCode => "document_code",
            Field::IssuingState => "issuing_state",
            Field::DocumentNumber => "document_number",
            Field::BirthDate => "birth_date",
            Field::Sex => "sex",
            Field::ExpiryDate => "expiry_date",
            Field::Nationality => "nationality",
            Field::Names => "names",
            Field::OptionalData => "optional_data",
            Field::OptionalData2 => "optional_data_2",
            Field::CheckDigits => "check_digits",
            Field::Fillers => "fillers",
            Field::Characters => "characters",
        }
    }

    /// The grammar check id, `mrz.grammar.<field>`.
    pub fn grammar_check_id(self) -> &'static str {
        match self {
            Field::DocumentCode => "mrz.grammar.document_code",
            Field::IssuingState => "mrz.grammar.issuing_state",
            Field::DocumentNumber => "mrz.grammar.document_number",
            Field::BirthDate => "mrz.grammar.birth_date",
            Field::Sex => "mrz.grammar.sex",
            Field::ExpiryDate => "mrz.grammar.expiry_date",
            Field::Nationality => "mrz.grammar.nationality",
            Field::Names => "mrz.grammar.names",
            Field::OptionalData => "mrz.grammar.optional_data",
            Field::OptionalData2 => "mrz.grammar.optional_data_2",
            Field::CheckDigits => "mrz.grammar.check_digits",
            Field::Fillers => "mrz.grammar.fillers",
            Field::Characters => "mrz.grammar.characters",
        }
    }

    /// The message of a passing grammar check.
    pub fn well_formed_message(self) -> &'static str {
        match self {
            Field::DocumentCode => "Document code is well formed",
            Field::IssuingState => "Issuing state is well formed",
            Field::DocumentNumber => "Document number is well formed",
            Field::BirthDate => "Date of birth is well formed",
            Field::Sex => "Sex is well formed",
            Field::ExpiryDate => "Date of expiry is well formed",
            Field::Nationality => "Nationality is well formed",
            Field::Names => "Name is well formed",
            Field::OptionalData => "Optional data is well formed",
            Field::OptionalData2 => "Optional data (line 2) is well formed",
            Field::CheckDigits => "Every check digit position holds a digit (or a filler where allowed)",
            Field::Fillers => "Fillers are where they should be",
            Field::Characters => "Only MRZ characters (A–Z, 0–9, <) appear",
        }
    }

    /// A label for officers ("Document number").
    pub fn label(self) -> &'static str {
        match self {
            Field::DocumentCode => "Document code",
            Field::IssuingState => "Issuing state",
            Field::DocumentNumber => "Document number",
            Field::BirthDate => "Date of birth",
            Field::Sex => "Sex",
            Field::ExpiryDate => "Date of expiry",
            Field::Nationality => "Nationality",
            Field::Names => "Name",
            Field::OptionalData => "Optional data",
            Field::OptionalData2 => "Optional data (line 2)",
            Field::CheckDigits => "Check digit",
            Field::Fillers => "Filler",
            Field::Characters => "Characters",
        }
    }
}

/// Where something sits in the MRZ: a line (0-based) and a half-open range of
/// positions (0-based), shown to people 1-based as `line 2, positions 1–9`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Span {
    /// 0-based line.
    pub line: usize,
    /// 0-based first position.
    pub start: usize,
    /// 0-based position after the last one.
    pub end: usize,
}

impl Span {
    /// A span on one line.
    pub const fn new(line: usize, start: usize, end: usize) -> Span {
        Span { line, start, end }
    }

    /// The evidence source string: `mrz:line2:0-9` (1-based line, 0-based
    /// half-open positions, as in the shared vocabulary).
    pub fn source(&self) -> String {
        // Hot path of `checks` (one per evidence): built without `format!`.
        let mut out = String::with_capacity(16);
        out.push_str("mrz:line");
        push_number(&mut out, self.line + 1);
        out.push(':');
        push_number(&mut out, self.start);
        out.push('-');
        push_number(&mut out, self.end);
        out
    }

    /// For people: "line 2, positions 1–9".
    pub fn describe(&self) -> String {
        if self.end <= self.start + 1 {
            format!("line {}, position {}", self.line + 1, self.start + 1)
        } else {
            format!("line {}, positions {}–{}", self.line + 1, self.start + 1, self.end)
        }
    }
}

/// Appends a decimal number.
fn push_number(out: &mut String, value: usize) {
    if value >= 10 {
        push_number(out, value / 10);
    }
    out.push(char::from(b'0' + (value % 10) as u8));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_source_format() {
        assert_eq!(Span::new(1, 0, 9).source(), "mrz:line2:0-9");
        assert_eq!(Span::new(0, 105, 120).source(), "mrz:line1:105-120");
        assert_eq!(Span::new(1, 9, 10).describe(), "line 2, position 10");
    }
}
