//! Reading printed MRZ lines into a typed [`Mrz`], with every check digit and
//! grammar rule evaluated (nothing is corrected: see [`crate::suggest_corrections`]).
//!
//! Input handling (stated): lines may end in CRLF, be surrounded by spaces and
//! separated by blank lines; those are dropped. A whole MRZ on one line (88,
//! 72 or 90 characters) is split into its lines. Everything else is kept as
//! read. Lower case is **not** silently upper-cased: a lower-case letter is a
//! grammar failure (`mrz.grammar.characters`) naming its position, and check
//! digits over it cannot be computed. Only text whose shape matches no layout
//! is refused with a [`ParseError`].

use serde::{Deserialize, Serialize};

use crate::check_digit;
use crate::codes::document_code_allowed;
use crate::date::PrintedDate;
use crate::fields::{Field, Sex, Span};
use crate::grammar::{confusable_fix, position_classes, CharClass};
use crate::layout::{allows_long_document_number, layout};
use crate::MrzFormat;

/// Text that is not an MRZ of any layout. Its `Display` is fit for stderr.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Nothing but whitespace.
    #[error("not an MRZ: no text (expected 2 lines of 44, 2 of 36 or 3 of 30 characters)")]
    Empty,
    /// Lines whose count and lengths match no layout.
    #[error("not an MRZ: expected 2 lines of 44, 2 of 36 or 3 of 30 characters, got {}", describe_shape(.line_lengths))]
    Shape {
        /// Characters per non-blank line, in order.
        line_lengths: Vec<usize>,
    },
}

fn describe_shape(lengths: &[usize]) -> String {
    let count = lengths.len();
    let numbers: Vec<String> = lengths.iter().map(usize::to_string).collect();
    let list = match numbers.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {}", init.join(", "), last),
    };
    format!("{count} line{} of {list}", if count == 1 { "" } else { "s" })
}

/// Which check digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckDigitKind {
    /// Over the document number.
    Number,
    /// Over the date of birth.
    BirthDate,
    /// Over the date of expiry.
    ExpiryDate,
    /// Over the optional data / personal number (TD3).
    OptionalData,
    /// Over several fields (ICAO "composite check digit").
    Composite,
}

impl CheckDigitKind {
    /// All kinds, in check-id order.
    pub const ALL: [CheckDigitKind; 5] = [
        CheckDigitKind::Number,
        CheckDigitKind::BirthDate,
        CheckDigitKind::ExpiryDate,
        CheckDigitKind::OptionalData,
        CheckDigitKind::Composite,
    ];

    /// The check id, `mrz.check_digit.<suffix>`.
    pub fn check_id(self) -> &'static str {
        match self {
            CheckDigitKind::Number => "mrz.check_digit.number",
            CheckDigitKind::BirthDate => "mrz.check_digit.birth_date",
            CheckDigitKind::ExpiryDate => "mrz.check_digit.expiry_date",
            CheckDigitKind::OptionalData => "mrz.check_digit.optional_data",
            CheckDigitKind::Composite => "mrz.check_digit.composite",
        }
    }

    /// Suffix of the check id `mrz.check_digit.<suffix>`.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckDigitKind::Number => "number",
            CheckDigitKind::BirthDate => "birth_date",
            CheckDigitKind::ExpiryDate => "expiry_date",
            CheckDigitKind::OptionalData => "optional_data",
            CheckDigitKind::Composite => "composite",
        }
    }

    /// For officers.
    pub fn label(self) -> &'static str {
        match self {
            CheckDigitKind::Number => "Document number",
            CheckDigitKind::BirthDate => "Date of birth",
            CheckDigitKind::ExpiryDate => "Date of expiry",
            CheckDigitKind::OptionalData => "Optional data",
            CheckDigitKind::Composite => "Composite",
        }
    }
}

/// The outcome of one check digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DigitOutcome {
    /// Printed digit equals the computed one.
    Valid,
    /// A filler where ICAO allows one instead of a digit (empty optional data).
    FillerAllowed,
    /// Printed and computed differ.
    Invalid,
    /// A covered character has no ICAO value (lower case, punctuation).
    Uncomputable,
}

/// One check digit as printed and as computed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckDigitResult {
    /// Which check digit.
    pub kind: CheckDigitKind,
    /// Where the digit is printed.
    pub at: Span,
    /// What it covers (several spans for composites and long numbers).
    pub covers: Vec<Span>,
    /// The printed character.
    pub printed: char,
    /// The computed digit, if computable.
    pub computed: Option<char>,
    /// Verdict.
    pub outcome: DigitOutcome,
}

impl CheckDigitResult {
    /// Whether it holds.
    pub fn holds(&self) -> bool {
        matches!(self.outcome, DigitOutcome::Valid | DigitOutcome::FillerAllowed)
    }
}

/// One grammar rule broken by one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrammarFinding {
    /// The field that breaks it.
    pub field: Field,
    /// Where.
    pub span: Span,
    /// Why, for officers ("line 2, position 14: 'O' where a digit is required").
    pub message: String,
}

/// A parsed MRZ: field values as printed (fillers turned into spaces in names,
/// trailing fillers dropped elsewhere), the raw lines, and every check digit
/// and grammar finding. Dates stay as printed: their century depends on the
/// inspection date (see [`crate::date`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mrz {
    /// Layout.
    pub format: MrzFormat,
    /// The lines as read (blank lines and surrounding whitespace removed).
    pub lines: Vec<String>,
    /// Document code without trailing filler (`P`, `ID`, `V`).
    pub document_code: String,
    /// Issuing state without trailing fillers (`UTO`, `D`).
    pub issuing_state: String,
    /// Document number, fillers removed, long TD1/TD2 numbers joined.
    pub document_number: String,
    /// Date of birth as printed; `None` when unreadable.
    pub birth_date: Option<PrintedDate>,
    /// Sex; `None` when the character is none of M, F, X, `<`.
    pub sex: Option<Sex>,
    /// Date of expiry as printed; `None` when unreadable or absent (French card).
    pub expiry_date: Option<PrintedDate>,
    /// Nationality without trailing fillers; empty on the French card.
    pub nationality: String,
    /// Primary identifier, fillers as spaces.
    pub surname: String,
    /// Secondary identifiers, fillers as spaces.
    pub given_names: String,
    /// Optional data without trailing fillers (for long TD1/TD2 numbers: what
    /// follows the number's continuation).
    pub optional_data: String,
    /// TD1 line 2 optional data without trailing fillers.
    pub optional_data_2: String,
    /// The name fills its whole field: it may have been truncated (ICAO 9303 Part 3, 4.6).
    pub name_may_be_truncated: bool,
    /// Every check digit of the layout.
    pub check_digits: Vec<CheckDigitResult>,
    /// Every broken grammar rule.
    pub grammar: Vec<GrammarFinding>,
}

impl Mrz {
    /// True only if every check digit and every grammar rule holds.
    pub fn is_valid(&self) -> bool {
        self.grammar.is_empty() && self.check_digits.iter().all(CheckDigitResult::holds)
    }

    /// Whether a field has no grammar finding and no failing check digit over it.
    pub fn field_valid(&self, field: Field) -> bool {
        let grammar_ok = !self.grammar.iter().any(|finding| finding.field == field);
        let kind = match field {
            Field::DocumentNumber => Some(CheckDigitKind::Number),
            Field::BirthDate => Some(CheckDigitKind::BirthDate),
            Field::ExpiryDate => Some(CheckDigitKind::ExpiryDate),
            Field::OptionalData => Some(CheckDigitKind::OptionalData),
            _ => None,
        };
        let digit_ok = kind.is_none_or(|kind| self.check_digits.iter().filter(|d| d.kind == kind).all(CheckDigitResult::holds));
        grammar_ok && digit_ok
    }

    /// The check digit result of one kind, if the layout has it.
    pub fn check_digit(&self, kind: CheckDigitKind) -> Option<&CheckDigitResult> {
        self.check_digits.iter().find(|d| d.kind == kind)
    }

    /// Text of a span of the raw lines (empty where out of range).
    pub fn text(&self, span: Span) -> String {
        read(&self.lines, span)
    }
}

fn read(lines: &[String], span: Span) -> String {
    let Some(line) = lines.get(span.line) else { return String::new() };
    if line.is_ascii() {
        let end = span.end.min(line.len());
        return line.get(span.start.min(end)..end).unwrap_or_default().to_string();
    }
    line.chars().skip(span.start).take(span.end.saturating_sub(span.start)).collect()
}

fn char_at(lines: &[String], span: Span) -> char {
    let Some(line) = lines.get(span.line) else { return '\0' };
    if line.is_ascii() {
        return line.as_bytes().get(span.start).map(|b| char::from(*b)).unwrap_or('\0');
    }
    line.chars().nth(span.start).unwrap_or('\0')
}

/// Splits text into MRZ lines: CRLF or LF, surrounding whitespace trimmed,
/// blank lines dropped. A single line of exactly 88, 72 or 90 characters (an
/// MRZ pasted without line breaks, as chip readers and some tools print it)
/// is split into 2×44, 2×36 or 3×30: those lengths are unambiguous.
pub fn clean_lines(text: &str) -> Vec<String> {
    let lines: Vec<String> = text.lines().map(str::trim).filter(|line| !line.is_empty()).map(str::to_string).collect();
    if let [single] = lines.as_slice() {
        let chars: Vec<char> = single.chars().collect();
        let width = match chars.len() {
            88 => Some(44),
            72 => Some(36),
            90 => Some(30),
            _ => None,
        };
        if let Some(width) = width {
            return chars.chunks(width).map(|chunk| chunk.iter().collect()).collect();
        }
    }
    lines
}

/// Parses and validates one MRZ (see the module documentation for what is accepted).
pub fn parse(text: &str) -> Result<Mrz, ParseError> {
    let lines = clean_lines(text);
    if lines.is_empty() {
        return Err(ParseError::Empty);
    }
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let Some(format) = MrzFormat::detect(&refs) else {
        return Err(ParseError::Shape { line_lengths: lines.iter().map(|l| l.chars().count()).collect() });
    };
    Ok(parse_lines(format, lines))
}

/// Parses lines already known to have the shape of `format` (the OCR decoder
/// uses this to score candidate readings). Lines of the wrong length give
/// grammar findings, never a panic.
pub fn parse_lines(format: MrzFormat, lines: Vec<String>) -> Mrz {
    let layout = layout(format);
    let mut grammar = Vec::new();
    character_grammar(format, &lines, &mut grammar);

    let field = |span: Span| read(&lines, span);
    let trimmed = |span: Span| field(span).trim_end_matches('<').to_string();

    // Document code and codes.
    let document_code_text = field(layout.document_code);
    if !document_code_allowed(format, &document_code_text) {
        grammar.push(GrammarFinding {
            field: Field::DocumentCode,
            span: layout.document_code,
            message: format!(
                "Document code \"{document_code_text}\" is not allowed on a {}: expected {}",
                format.label(),
                match format {
                    MrzFormat::Td3 => "P followed by a letter or <",
                    MrzFormat::Td1 | MrzFormat::Td2 => "A, C or I followed by a letter or <",
                    MrzFormat::MrvA | MrzFormat::MrvB => "V followed by a letter or <",
                    MrzFormat::FrenchId => "ID",
                }
            ),
        });
    }
    code_grammar(Field::IssuingState, layout.issuing_state, &field(layout.issuing_state), &mut grammar);
    let nationality = match layout.nationality {
        Some(span) => {
            code_grammar(Field::Nationality, span, &field(span), &mut grammar);
            trimmed(span)
        }
        None => String::new(),
    };

    // Dates and sex.
    let birth_date = date_field(Field::BirthDate, layout.birth_date, &field(layout.birth_date), true, &mut grammar);
    let expiry_date = layout
        .expiry_date
        .and_then(|(span, _)| date_field(Field::ExpiryDate, span, &field(span), false, &mut grammar));
    let sex = Sex::from_char(char_at(&lines, layout.sex));

    // Check digits.
    let mut check_digits = Vec::new();
    let number_span = layout.document_number;
    let number_check = layout.document_number_check;
    let mut document_number = trimmed(number_span);
    let mut optional_data = layout.optional_data.map(trimmed).unwrap_or_default();
    let optional_text = layout.optional_data.map(field).unwrap_or_default();
    if allows_long_document_number(format)
        && char_at(&lines, number_check) == '<'
        && optional_text.chars().next().is_some_and(|c| c != '<')
    {
        // ICAO 9303 Part 5/6: number continues in the optional data, ending with
        // its check digit, then a filler.
        let continuation: String = optional_text.chars().take_while(|c| *c != '<').collect();
        let mut continuation_chars: Vec<char> = continuation.chars().collect();
        let printed = continuation_chars.pop().unwrap_or('<');
        let rest: String = continuation_chars.iter().collect();
        let optional_span = layout.optional_data.unwrap_or(number_span);
        let full = format!("{}{}", field(number_span), rest);
        let computed = check_digit::compute(&full);
        let digit_position = optional_span.start + rest.chars().count();
        check_digits.push(CheckDigitResult {
            kind: CheckDigitKind::Number,
            at: Span::new(optional_span.line, digit_position, digit_position + 1),
            covers: vec![number_span, Span::new(optional_span.line, optional_span.start, digit_position)],
            printed,
            computed,
            outcome: outcome(printed, computed),
        });
        if !printed.is_ascii_digit() {
            grammar.push(GrammarFinding {
                field: Field::DocumentNumber,
                span: Span::new(optional_span.line, digit_position, digit_position + 1),
                message: format!(
                    "Document number continues into the optional data but its check digit, {}, is not a digit",
                    describe_char(printed)
                ),
            });
        }
        document_number = full.replace('<', "");
        optional_data = optional_text
            .chars()
            .skip(continuation.chars().count() + 1)
            .collect::<String>()
            .trim_end_matches('<')
            .to_string();
    } else {
        check_digits.push(simple_digit(&lines, CheckDigitKind::Number, number_span, number_check, false));
        document_number = document_number.replace('<', "");
    }
    if field(number_span).starts_with('<') && !document_number.is_empty() {
        grammar.push(GrammarFinding {
            field: Field::DocumentNumber,
            span: number_span,
            message: "Document number starts with a filler: numbers are written from the first position".to_string(),
        });
    }
    if document_number.is_empty() {
        grammar.push(GrammarFinding {
            field: Field::DocumentNumber,
            span: number_span,
            message: "Document number is empty (only fillers)".to_string(),
        });
    }
    check_digits.push(simple_digit(&lines, CheckDigitKind::BirthDate, layout.birth_date, layout.birth_date_check, false));
    if let Some((span, check)) = layout.expiry_date {
        check_digits.push(simple_digit(&lines, CheckDigitKind::ExpiryDate, span, check, false));
    }
    if let (Some(span), Some(check)) = (layout.optional_data, layout.optional_data_check) {
        check_digits.push(simple_digit(&lines, CheckDigitKind::OptionalData, span, check, true));
    }
    if let Some((check, covers)) = layout.composite {
        let pieces: Vec<String> = covers.iter().map(|span| field(*span)).collect();
        let refs: Vec<&str> = pieces.iter().map(String::as_str).collect();
        let computed = check_digit::compute_over(&refs);
        let printed = char_at(&lines, check);
        check_digits.push(CheckDigitResult {
            kind: CheckDigitKind::Composite,
            at: check,
            covers: covers.to_vec(),
            printed,
            computed,
            outcome: outcome(printed, computed),
        });
    }
    // A `<` check digit is only allowed where handled above.
    for digit in &check_digits {
        if digit.printed == '<' && digit.outcome != DigitOutcome::FillerAllowed && digit.outcome != DigitOutcome::Valid {
            grammar.push(GrammarFinding {
                field: Field::CheckDigits,
                span: digit.at,
                message: format!("{} check digit is a filler where a digit is required", digit.kind.label()),
            });
        }
    }

    // Names.
    let (surname, given_names, name_may_be_truncated) = match layout.given_names {
        None => {
            let text = field(layout.names);
            name_grammar(layout.names, &text, true, &mut grammar);
            let (surname, given) = split_name(&text);
            (surname, given, !text.ends_with('<'))
        }
        Some(given_span) => {
            let surname_text = field(layout.names);
            let given_text = field(given_span);
            name_grammar(layout.names, &surname_text, false, &mut grammar);
            let truncated = !surname_text.ends_with('<') || !given_text.ends_with('<');
            // French card: given names separated by double fillers.
            let given = given_text
                .split("<<")
                .map(|part| part.trim_matches('<').replace('<', " "))
                .filter(|part| !part.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            (surname_text.trim_end_matches('<').replace('<', " "), given, truncated)
        }
    };
    if surname.is_empty() {
        grammar.push(GrammarFinding {
            field: Field::Names,
            span: layout.names,
            message: "Name field has no primary identifier (surname)".to_string(),
        });
    }

    Mrz {
        format,
        document_code: document_code_text.trim_end_matches('<').to_string(),
        issuing_state: trimmed(layout.issuing_state),
        document_number,
        birth_date,
        sex,
        expiry_date,
        nationality,
        surname,
        given_names,
        optional_data,
        optional_data_2: layout.optional_data_2.map(trimmed).unwrap_or_default(),
        name_may_be_truncated,
        check_digits,
        grammar,
        lines,
    }
}

fn outcome(printed: char, computed: Option<char>) -> DigitOutcome {
    match computed {
        None => DigitOutcome::Uncomputable,
        Some(digit) if digit == printed => DigitOutcome::Valid,
        Some(_) => DigitOutcome::Invalid,
    }
}

fn simple_digit(lines: &[String], kind: CheckDigitKind, covers: Span, at: Span, filler_if_empty: bool) -> CheckDigitResult {
    let text = read(lines, covers);
    let printed = char_at(lines, at);
    let computed = check_digit::compute(&text);
    let mut result = outcome(printed, computed);
    // ICAO 9303 Part 4, note on the personal number: when unused (all fillers)
    // its check digit may be `<` (or 0).
    if filler_if_empty && printed == '<' && text.chars().all(|c| c == '<') {
        result = DigitOutcome::FillerAllowed;
    }
    CheckDigitResult { kind, at, covers: vec![covers], printed, computed, outcome: result }
}

/// Characters outside the MRZ set, and characters outside their position's class.
fn character_grammar(format: MrzFormat, lines: &[String], grammar: &mut Vec<GrammarFinding>) {
    let table = position_classes(format);
    // Group bad positions per field so that one field gives one finding.
    let mut per_field: Vec<(Field, Span, Vec<String>)> = Vec::new();
    for (line_index, line) in lines.iter().enumerate() {
        let Some(classes) = table.get(line_index) else { continue };
        for (position, c) in line.chars().enumerate() {
            let Some((class, field)) = classes.get(position).copied() else { continue };
            let problem = if c.is_ascii_lowercase() {
                Some((Field::Characters, format!("{} is lower case (MRZ letters are capitals)", describe_char(c))))
            } else if !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '<') {
                Some((Field::Characters, format!("{} is not an MRZ character", describe_char(c))))
            } else if !class.allows(c) && !matches!(class, CharClass::DocumentType(_)) {
                // (The document code's first letter is judged with the whole code below.)
                let hint = confusable_fix(class, c).map(|fix| format!(" (looks like '{fix}')")).unwrap_or_default();
                Some((field, format!("{} where {} is required{hint}", describe_char(c), class.describe())))
            } else {
                None
            };
            if let Some((field, message)) = problem {
                let span = Span::new(line_index, position, position + 1);
                let text = format!("{}: {message}", span.describe());
                match per_field.iter_mut().find(|(f, s, _)| *f == field && s.line == line_index) {
                    Some((_, existing, messages)) => {
                        existing.end = position + 1;
                        messages.push(text);
                    }
                    None => per_field.push((field, span, vec![text])),
                }
            }
        }
    }
    for (field, span, messages) in per_field {
        let label = if field == Field::CheckDigits { "Check digit position" } else { field.label() };
        grammar.push(GrammarFinding { field, span, message: format!("{label}: {}", messages.join("; ")) });
    }
}

fn describe_char(c: char) -> String {
    match c {
        '\0' => "a missing character".to_string(),
        ' ' => "a space".to_string(),
        _ => format!("'{c}'"),
    }
}

/// Three-letter codes: letters then fillers (`D<<`), not empty.
fn code_grammar(field: Field, span: Span, text: &str, grammar: &mut Vec<GrammarFinding>) {
    let letters = text.trim_end_matches('<');
    if letters.is_empty() {
        grammar.push(GrammarFinding { field, span, message: format!("{} is empty (only fillers)", field.label()) });
    } else if letters.contains('<') {
        grammar.push(GrammarFinding {
            field,
            span,
            message: format!("{} \"{text}\" has a filler between letters", field.label()),
        });
    }
}

fn date_field(field: Field, span: Span, text: &str, unknown_allowed: bool, grammar: &mut Vec<GrammarFinding>) -> Option<PrintedDate> {
    let Some(date) = PrintedDate::read(text) else {
        // The character grammar already names bad characters; say the date is unreadable.
        grammar.push(GrammarFinding { field, span, message: format!("{} \"{text}\" is not a YYMMDD date", field.label()) });
        return None;
    };
    let has_unknown = date.yy.is_none() || date.mm.is_none() || date.dd.is_none();
    if has_unknown && !unknown_allowed {
        grammar.push(GrammarFinding {
            field,
            span,
            message: format!("{} \"{text}\" has fillers: only a date of birth may have an unknown part", field.label()),
        });
    } else if !date.is_calendar_valid() {
        grammar.push(GrammarFinding {
            field,
            span,
            message: format!("{} \"{text}\" is not a calendar date", field.label()),
        });
    }
    Some(date)
}

/// Name field rules (ICAO 9303 Part 3, 4.6): letters and fillers only, no
/// leading filler, at most one `<<` separator before the padding, no letters
/// after the padding starts (a `K` read in the padding is a classic `<`/`K` confusion).
fn name_grammar(span: Span, text: &str, with_separator: bool, grammar: &mut Vec<GrammarFinding>) {
    let mut problems = Vec::new();
    if text.starts_with('<') {
        problems.push("starts with a filler".to_string());
    }
    let content = text.trim_end_matches('<');
    if let Some(padding_start) = content.find("<<<") {
        let after = &content[padding_start..];
        problems.push(format!("letters \"{}\" appear after the filler padding", after.trim_start_matches('<')));
    }
    if with_separator && content.matches("<<").count() > 1 && !content.contains("<<<") {
        problems.push("more than one \"<<\" separator between surname and given names".to_string());
    }
    if !with_separator && content.contains("<<") && !content.contains("<<<") {
        problems.push("surname holds a \"<<\" separator".to_string());
    }
    if !problems.is_empty() {
        grammar.push(GrammarFinding { field: Field::Names, span, message: format!("Name field {}", problems.join("; ")) });
    }
}

/// `SURNAME<<GIVEN<NAMES<<<` → ("SURNAME", "GIVEN NAMES").
fn split_name(text: &str) -> (String, String) {
    let content = text.trim_end_matches('<');
    match content.split_once("<<") {
        Some((primary, secondary)) => (
            primary.replace('<', " ").trim().to_string(),
            secondary.trim_start_matches('<').replace('<', " ").trim().to_string(),
        ),
        None => (content.replace('<', " ").trim().to_string(), String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TD3: &str = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";

    #[test]
    fn parses_the_icao_td3_specimen() {
        let mrz = parse(TD3).unwrap();
        assert_eq!(mrz.format, MrzFormat::Td3);
        assert_eq!(mrz.document_code, "P");
        assert_eq!(mrz.issuing_state, "UTO");
        assert_eq!(mrz.document_number, "L898902C3");
        assert_eq!(mrz.surname, "ERIKSSON");
        assert_eq!(mrz.given_names, "ANNA MARIA");
        assert_eq!(mrz.optional_data, "ZE184226B");
        assert_eq!(mrz.sex, Some(Sex::Female));
        assert_eq!(mrz.birth_date.unwrap().printed(), "740812");
        assert!(mrz.is_valid(), "{:#?}", mrz.grammar);
        assert!(!mrz.name_may_be_truncated);
    }

    #[test]
    fn accepts_crlf_blank_lines_and_surrounding_spaces() {
        let messy = format!("\r\n  {}  \r\n\r\n{}\r\n", &TD3[..44], &TD3[45..]);
        assert_eq!(parse(&messy).unwrap().lines, parse(TD3).unwrap().lines);
    }

    #[test]
    fn accepts_an_mrz_pasted_on_one_line() {
        let one_line = TD3.replace('\n', "");
        assert_eq!(parse(&one_line).unwrap().lines, parse(TD3).unwrap().lines);
    }

    #[test]
    fn shape_errors_read_well() {
        let err = parse("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10").unwrap_err();
        assert_eq!(
            err.to_string(),
            "not an MRZ: expected 2 lines of 44, 2 of 36 or 3 of 30 characters, got 2 lines of 43 and 44"
        );
        assert_eq!(parse(" \n\n").unwrap_err(), ParseError::Empty);
        assert!(parse("hello").unwrap_err().to_string().ends_with("got 1 line of 5"));
    }

    #[test]
    fn lower_case_is_a_grammar_failure_not_silently_fixed() {
        let mrz = parse(&TD3.replace("ERIKSSON", "Eriksson")).unwrap();
        assert!(!mrz.is_valid());
        assert!(mrz.grammar.iter().any(|f| f.field == Field::Characters && f.message.contains("lower case")));
    }

    #[test]
    fn letter_o_in_a_date_is_a_grammar_failure_with_a_hint() {
        let mrz = parse(&TD3.replace("7408122F", "74O8122F")).unwrap();
        let finding = mrz.grammar.iter().find(|f| f.field == Field::BirthDate).unwrap();
        assert!(finding.message.contains("looks like '0'"), "{}", finding.message);
    }

    #[test]
    fn k_in_the_name_padding_is_caught() {
        let mrz = parse(&TD3.replace("MARIA<<<<<<<<<", "MARIA<<<<K<<<<")).unwrap();
        assert!(mrz.grammar.iter().any(|f| f.field == Field::Names));
    }
}
