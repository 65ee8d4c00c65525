//! Composing the printed MRZ lines from field values, every check digit
//! computed. The fixture generator uses this, so fixtures and the reader can
//! never disagree silently.
//!
//! Names are transliterated with [`crate::transliterate`] (ICAO recommended
//! table) and truncated when too long, by this stated rule (after ICAO 9303
//! Part 3, section 4.6): the secondary identifier (given names) is cut first,
//! keeping at least its first letter; only if the primary identifier alone does
//! not fit is it cut too, leaving room for `<<` and one letter of the given
//! names. A truncated name fills its field to the last position, which is how
//! [`crate::parse`] detects truncation.

use serde::{Deserialize, Serialize};

use crate::check_digit;
use crate::date::{MrzDate, PrintedDate};
use crate::fields::{Sex, Span};
use crate::layout::{allows_long_document_number, layout};
use crate::transliterate::transliterate;
use crate::MrzFormat;

/// Field values of one document, before they are laid out in MRZ lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MrzData {
    /// Layout to print.
    pub format: MrzFormat,
    /// Document code without or with fillers: `P`, `ID`, `V`, `AC`, `P<`.
    pub document_code: String,
    /// Issuing state or organisation (`UTO`, `D`, `XXA`).
    pub issuing_state: String,
    /// Document number; on TD1 and TD2 it may be longer than 9 characters and
    /// then continues into the optional data (ICAO 9303 Parts 5 and 6).
    pub document_number: String,
    /// Date of birth; `None` prints fillers (unknown).
    pub birth_date: Option<MrzDate>,
    /// Sex.
    pub sex: Sex,
    /// Date of expiry; `None` prints fillers (the French 1988 card has none).
    pub expiry_date: Option<MrzDate>,
    /// Nationality (not printed on the French 1988 card).
    pub nationality: String,
    /// Primary identifier, any script the transliteration tables cover.
    pub surname: String,
    /// Secondary identifiers, space separated.
    pub given_names: String,
    /// Optional data: personal number on TD3, line 1 optional data on TD1,
    /// the office code (6 characters) on the French card.
    pub optional_data: String,
    /// TD1 line 2 optional data; ignored by other layouts.
    pub optional_data_2: String,
}

/// Why field values cannot be printed in the requested layout.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComposeError {
    /// A value is longer than its field (names are truncated instead).
    #[error("{field} \"{value}\" is too long: at most {max} characters fit")]
    FieldTooLong {
        /// Which field.
        field: &'static str,
        /// The value given.
        value: String,
        /// The most that fits.
        max: usize,
    },
    /// A value holds characters an MRZ cannot print.
    #[error("{field} \"{value}\" holds characters an MRZ cannot print (only A–Z, 0–9 and spaces)")]
    InvalidCharacter {
        /// Which field.
        field: &'static str,
        /// The value given.
        value: String,
    },
    /// A date that does not exist in the calendar.
    #[error("{field} {date} is not a calendar date")]
    InvalidDate {
        /// Which field.
        field: &'static str,
        /// The date given.
        date: String,
    },
    /// A document code the layout does not allow.
    #[error("document code \"{code}\" is not allowed on a {format}")]
    DocumentCode {
        /// The code given.
        code: String,
        /// The layout.
        format: &'static str,
    },
}

/// Lays out the fields in the printed MRZ lines, computing every check digit.
pub fn compose(data: &MrzData) -> Result<Vec<String>, ComposeError> {
    let format = data.format;
    let layout = layout(format);
    let mut lines: Vec<Vec<char>> = vec![vec!['<'; format.line_length()]; format.line_count()];

    let code = pad_right(&clean_code("document code", &data.document_code)?, 2);
    if !crate::codes::document_code_allowed(format, &code) {
        return Err(ComposeError::DocumentCode { code, format: format.label() });
    }
    write(&mut lines, layout.document_code, &code, "document code")?;
    write(&mut lines, layout.issuing_state, &clean_code("issuing state", &data.issuing_state)?, "issuing state")?;

    // Document number, possibly continuing into the optional data.
    let number = clean_alphanumeric("document number", &data.document_number)?;
    let mut optional = clean_alphanumeric("optional data", &data.optional_data)?;
    let number_width = layout.document_number.end - layout.document_number.start;
    if number.len() > number_width && allows_long_document_number(format) {
        let (head, tail) = number.split_at(number_width);
        write(&mut lines, layout.document_number, head, "document number")?;
        write(&mut lines, layout.document_number_check, "<", "document number")?;
        let digit = check_digit::compute(&number).unwrap_or('0');
        // ICAO: remaining characters, then the check digit, then a filler.
        let spilled = format!("{tail}{digit}<{optional}");
        let spilled = spilled.trim_end_matches('<').to_string();
        if let Some(span) = layout.optional_data
            && spilled.len() > span.end - span.start {
                return Err(ComposeError::FieldTooLong {
                    field: "document number with optional data",
                    value: format!("{number} {optional}"),
                    max: span.end - span.start - 2 + number_width,
                });
            }
        optional = spilled;
    } else {
        write(&mut lines, layout.document_number, &number, "document number")?;
        write_check(&mut lines, layout.document_number, layout.document_number_check);
    }
    if let Some(span) = layout.optional_data {
        write(&mut lines, span, &optional, "optional data")?;
    } else if !optional.is_empty() {
        return Err(ComposeError::FieldTooLong { field: "optional data", value: optional, max: 0 });
    }
    if let Some(check) = layout.optional_data_check
        && let Some(span) = layout.optional_data {
            // ICAO 9303 Part 4: an unused personal number may take `<` as check digit;
            // we print `0`, the other permitted form, only when data is present.
            if optional.is_empty() {
                write(&mut lines, check, "<", "optional data")?;
            } else {
                write_check(&mut lines, span, check);
            }
        }
    if let Some(span) = layout.optional_data_2 {
        let second = clean_alphanumeric("optional data 2", &data.optional_data_2)?;
        write(&mut lines, span, &second, "optional data 2")?;
    }

    let birth = printed_date("date of birth", data.birth_date.as_ref())?;
    write(&mut lines, layout.birth_date, &birth, "date of birth")?;
    write_check(&mut lines, layout.birth_date, layout.birth_date_check);
    write(&mut lines, layout.sex, &data.sex.to_char().to_string(), "sex")?;
    if let Some((span, check)) = layout.expiry_date {
        let expiry = printed_date("date of expiry", data.expiry_date.as_ref())?;
        write(&mut lines, span, &expiry, "date of expiry")?;
        write_check(&mut lines, span, check);
    }
    if let Some(span) = layout.nationality {
        write(&mut lines, span, &clean_code("nationality", &data.nationality)?, "nationality")?;
    }

    match layout.given_names {
        None => {
            let width = layout.names.end - layout.names.start;
            let (name, _) = compose_name(&data.surname, &data.given_names, width);
            write(&mut lines, layout.names, &name, "name")?;
        }
        Some(given_span) => {
            // French 1988 card: surname alone on line 1, given names on line 2
            // separated by double fillers.
            let surname = truncate(&name_part(&data.surname), layout.names.end - layout.names.start);
            write(&mut lines, layout.names, &surname, "surname")?;
            let given = data
                .given_names
                .split_whitespace()
                .map(name_part)
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join("<<");
            let given = truncate(&given, given_span.end - given_span.start);
            write(&mut lines, given_span, &given, "given names")?;
        }
    }

    if let Some((check, covered)) = layout.composite {
        let pieces: Vec<String> = covered.iter().map(|span| read(&lines, *span)).collect();
        let refs: Vec<&str> = pieces.iter().map(String::as_str).collect();
        let digit = check_digit::compute_over(&refs).unwrap_or('0');
        write(&mut lines, check, &digit.to_string(), "composite")?;
    }
    Ok(lines.into_iter().map(|line| line.into_iter().collect()).collect())
}

/// Builds the name field: `PRIMARY<<SECONDARY<NAMES`, truncated by the module
/// rule. Returns the field text (without padding) and whether it was truncated.
/// A truncated name always fills `width` and ends with a letter (ICAO 9303
/// Part 4, 4.2.3: the last character of a truncated name is alphabetic), so a
/// reader can tell that it was truncated.
pub fn compose_name(surname: &str, given_names: &str, width: usize) -> (String, bool) {
    let primary = name_part(surname);
    let secondary = name_part(given_names);
    let full = if secondary.is_empty() { primary.clone() } else { format!("{primary}<<{secondary}") };
    if full.len() <= width {
        return (full, false);
    }
    if secondary.is_empty() || primary.len() + 3 <= width {
        return (cut_ending_in_letter(&full, width), true);
    }
    let primary = cut_ending_in_letter(&primary, width.saturating_sub(3));
    let first_letter: String = secondary.chars().take(1).collect();
    (format!("{primary}<<{first_letter}"), true)
}

/// Cuts `text` (longer than `width`) to exactly `width` characters ending in a
/// letter. When the cut would end on a filler (the next component starts just
/// after it), the component before gives up its last letter so that the next
/// component's initial fits: `…MARIA<C` rather than `…MARIA<`.
fn cut_ending_in_letter(text: &str, width: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= width {
        return text.to_string();
    }
    let mut cut: Vec<char> = chars.iter().take(width).copied().collect();
    if cut.last() == Some(&'<') && width >= 3 {
        let next_initial = chars.get(width).copied().filter(char::is_ascii_uppercase);
        let before = cut.get(width - 2).copied();
        if let (Some(initial), Some(previous)) = (next_initial, before)
            && previous.is_ascii_uppercase() && cut.get(width.wrapping_sub(3)).is_some_and(char::is_ascii_uppercase) {
                cut[width - 2] = '<';
                cut[width - 1] = initial;
            }
    }
    let cut: String = cut.into_iter().collect();
    cut.trim_end_matches('<').to_string()
}

/// One name part in MRZ characters: transliterated, runs of fillers collapsed
/// to one, no leading or trailing fillers.
fn name_part(text: &str) -> String {
    let mut out = String::new();
    for piece in transliterate(text).split('<').filter(|p| !p.is_empty()) {
        if !out.is_empty() {
            out.push('<');
        }
        out.push_str(piece);
    }
    out
}

/// Cuts to `width` characters without leaving a dangling filler at the end.
fn truncate(text: &str, width: usize) -> String {
    let cut: String = text.chars().take(width).collect();
    cut.trim_end_matches('<').to_string()
}

fn pad_right(text: &str, width: usize) -> String {
    let mut out = text.to_string();
    while out.len() < width {
        out.push('<');
    }
    out
}

fn clean_code(field: &'static str, value: &str) -> Result<String, ComposeError> {
    let upper = value.trim().to_ascii_uppercase();
    if upper.chars().all(|c| c.is_ascii_uppercase() || c == '<') {
        Ok(upper)
    } else {
        Err(ComposeError::InvalidCharacter { field, value: value.to_string() })
    }
}

fn clean_alphanumeric(field: &'static str, value: &str) -> Result<String, ComposeError> {
    let upper: String =
        value.trim().to_ascii_uppercase().chars().map(|c| if c == ' ' { '<' } else { c }).collect();
    if upper.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '<') {
        Ok(upper)
    } else {
        Err(ComposeError::InvalidCharacter { field, value: value.to_string() })
    }
}

fn printed_date(field: &'static str, date: Option<&MrzDate>) -> Result<String, ComposeError> {
    match date {
        None => Ok("<<<<<<".to_string()),
        Some(date) if date.is_valid() => Ok(PrintedDate::from_date(date).printed()),
        Some(date) => Err(ComposeError::InvalidDate { field, date: date.to_string() }),
    }
}

fn write(lines: &mut [Vec<char>], span: Span, text: &str, field: &'static str) -> Result<(), ComposeError> {
    let width = span.end - span.start;
    if text.chars().count() > width {
        return Err(ComposeError::FieldTooLong { field, value: text.to_string(), max: width });
    }
    if let Some(line) = lines.get_mut(span.line) {
        for (offset, c) in text.chars().enumerate() {
            if let Some(slot) = line.get_mut(span.start + offset) {
                *slot = c;
            }
        }
    }
    Ok(())
}

fn read(lines: &[Vec<char>], span: Span) -> String {
    lines.get(span.line).map(|line| line.iter().skip(span.start).take(span.end - span.start).collect()).unwrap_or_default()
}

fn write_check(lines: &mut [Vec<char>], field: Span, check: Span) {
    let digit = check_digit::compute(&read(lines, field)).unwrap_or('0');
    if let Some(slot) = lines.get_mut(check.line).and_then(|line| line.get_mut(check.start)) {
        *slot = digit;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ICAO 9303 Part 4, Appendix A specimen (TD3): Anna Maria Eriksson, Utopia.
    pub(crate) fn icao_td3_specimen() -> MrzData {
        MrzData {
            format: MrzFormat::Td3,
            document_code: "P".into(),
            issuing_state: "UTO".into(),
            document_number: "L898902C3".into(),
            birth_date: Some(MrzDate::new(1974, 8, 12)),
            sex: Sex::Female,
            expiry_date: Some(MrzDate::new(2012, 4, 15)),
            nationality: "UTO".into(),
            surname: "Eriksson".into(),
            given_names: "Anna Maria".into(),
            optional_data: "ZE184226B".into(),
            optional_data_2: String::new(),
        }
    }

    #[test]
    fn composes_the_icao_td3_specimen() {
        let lines = compose(&icao_td3_specimen()).unwrap();
        assert_eq!(lines[0], "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<");
        assert_eq!(lines[1], "L898902C36UTO7408122F1204159ZE184226B<<<<<10");
    }

    #[test]
    fn composes_the_icao_td1_specimen() {
        // ICAO 9303 Part 5, Appendix A.
        let data = MrzData {
            format: MrzFormat::Td1,
            document_code: "I".into(),
            document_number: "D23145890".into(),
            optional_data: String::new(),
            ..icao_td3_specimen()
        };
        let lines = compose(&data).unwrap();
        assert_eq!(lines[0], "I<UTOD231458907<<<<<<<<<<<<<<<");
        assert_eq!(lines[1], "7408122F1204159UTO<<<<<<<<<<<6");
        assert_eq!(lines[2], "ERIKSSON<<ANNA<MARIA<<<<<<<<<<");
    }

    #[test]
    fn long_td1_document_number_spills_into_optional_data() {
        // ICAO 9303 Part 5, Appendix A, long document number example.
        let data = MrzData {
            format: MrzFormat::Td1,
            document_code: "I".into(),
            document_number: "D23145890734".into(),
            optional_data: String::new(),
            ..icao_td3_specimen()
        };
        let lines = compose(&data).unwrap();
        assert_eq!(lines[0], "I<UTOD23145890<7349<<<<<<<<<<<");
    }

    #[test]
    fn composes_the_icao_visa_specimens() {
        let mrva = MrzData { format: MrzFormat::MrvA, document_code: "V".into(), optional_data: String::new(), ..icao_td3_specimen() };
        let lines = compose(&mrva).unwrap();
        assert_eq!(lines[1], "L898902C36UTO7408122F1204159<<<<<<<<<<<<<<<<");
        let mrvb = MrzData { format: MrzFormat::MrvB, ..mrva };
        assert_eq!(compose(&mrvb).unwrap()[0], "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<");
    }

    #[test]
    fn names_are_transliterated_and_truncated() {
        assert_eq!(compose_name("Müller", "Jürgen Karl", 39), ("MUELLER<<JUERGEN<KARL".to_string(), false));
        let (name, truncated) = compose_name("Wolfeschlegelsteinhausenbergerdorff", "Hubert Blaine", 30);
        assert!(truncated);
        assert_eq!(name.len(), 30);
        assert_eq!(name, "WOLFESCHLEGELSTEINHAUSENBER<<H");
        let (name, truncated) = compose_name("Eriksson", "Anna Maria Christina Ulrika Josefina", 30);
        assert!(truncated);
        assert_eq!(name, "ERIKSSON<<ANNA<MARIA<CHRISTINA");
        // The cut would end on a filler: the last component gives up a letter.
        let (name, _) = compose_name("Eriksson", "Anna Maria Christina", 21);
        assert_eq!(name, "ERIKSSON<<ANNA<MARI<C");
        // ICAO 9303 Part 4, 4.2.3.2 example: secondary identifier truncated.
        let (name, _) = compose_name("Nilavadhananananda", "Chayapa Dejthamrong Krasuang", 39);
        assert_eq!(name.len(), 39);
        assert!(name.ends_with(|c: char| c.is_ascii_uppercase()));
    }

    #[test]
    fn rejects_what_cannot_be_printed() {
        let bad = MrzData { document_number: "L89890?".into(), ..icao_td3_specimen() };
        assert!(matches!(compose(&bad), Err(ComposeError::InvalidCharacter { .. })));
        let long = MrzData { document_number: "L898902C3456".into(), ..icao_td3_specimen() };
        assert!(matches!(compose(&long), Err(ComposeError::FieldTooLong { .. })));
        let date = MrzData { birth_date: Some(MrzDate::new(1974, 2, 30)), ..icao_td3_specimen() };
        assert!(matches!(compose(&date), Err(ComposeError::InvalidDate { .. })));
        let code = MrzData { document_code: "I".into(), ..icao_td3_specimen() };
        assert!(matches!(compose(&code), Err(ComposeError::DocumentCode { .. })));
    }
}
