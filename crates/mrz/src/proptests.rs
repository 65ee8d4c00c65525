//! Property tests: random input never panics; random valid data composes,
//! parses back to the same fields and validates; single-character
//! substitutions are caught wherever ICAO's check digits or grammar can catch them.

use proptest::prelude::*;

use crate::{
    character_value, compose, decode, parse, parse_lines, position_classes, suggest_corrections, CharClass,
    MrzData, MrzDate, MrzFormat, Sex,
};

fn format_strategy() -> impl Strategy<Value = MrzFormat> {
    prop_oneof![
        Just(MrzFormat::Td1),
        Just(MrzFormat::Td2),
        Just(MrzFormat::Td3),
        Just(MrzFormat::MrvA),
        Just(MrzFormat::MrvB),
        Just(MrzFormat::FrenchId),
    ]
}

fn date_strategy() -> impl Strategy<Value = MrzDate> {
    (1930u16..2070, 1u8..=12, 1u8..=31).prop_map(|(year, month, day)| {
        MrzDate::new(year, month, day.min(crate::days_in_month(year, month)))
    })
}

fn data_strategy() -> impl Strategy<Value = MrzData> {
    (
        format_strategy(),
        "[A-Z0-9]{1,12}",
        date_strategy(),
        date_strategy(),
        prop_oneof![Just(Sex::Male), Just(Sex::Female), Just(Sex::Unspecified), Just(Sex::X)],
        "[A-Z]{1,12}( [A-Z]{1,8})?",
        "([A-Z]{1,9}( [A-Z]{1,9}){0,2})?",
        "[A-Z0-9]{0,6}",
        prop::sample::select(vec!["UTO", "ZZA", "D", "FRA", "XXA", "GBN"]),
    )
        .prop_map(|(format, number, birth, expiry, sex, surname, given, optional, state)| {
            let (code, number, state, optional) = match format {
                MrzFormat::Td3 => ("P", number.chars().take(9).collect(), state.to_string(), optional),
                MrzFormat::Td1 => ("I", number, state.to_string(), optional.chars().take(3).collect()),
                MrzFormat::Td2 => ("AC", number, state.to_string(), String::new()),
                MrzFormat::MrvA | MrzFormat::MrvB => ("V", number.chars().take(9).collect(), state.to_string(), optional),
                MrzFormat::FrenchId => ("ID", format!("{number:0>12}").chars().take(12).collect(), "FRA".to_string(), optional),
            };
            MrzData {
                format,
                document_code: code.to_string(),
                issuing_state: state.clone(),
                document_number: number,
                birth_date: Some(birth),
                sex,
                expiry_date: if format == MrzFormat::FrenchId { None } else { Some(expiry) },
                nationality: state,
                surname,
                given_names: given,
                optional_data: optional,
                optional_data_2: String::new(),
            }
        })
}

fn mrz_shaped_text() -> impl Strategy<Value = String> {
    (format_strategy(), prop::collection::vec("[A-Z0-9<a-z ?É]", 90))
        .prop_map(|(format, chars)| {
            let mut lines = Vec::new();
            let mut iter = chars.into_iter().cycle();
            for _ in 0..format.line_count() {
                lines.push((0..format.line_length()).filter_map(|_| iter.next()).collect::<String>());
            }
            lines.join("\n")
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,200}") {
        if let Ok(mrz) = parse(&text) {
            let _ = crate::checks(&mrz, MrzDate::new(2026, 1, 1));
            let _ = suggest_corrections(&mrz);
        }
    }

    #[test]
    fn mrz_shaped_noise_never_panics(text in mrz_shaped_text()) {
        let _ = parse(&text);
        let lines: Vec<String> = text.split('\n').map(str::to_string).collect();
        let mrz = parse_lines(mrz_format_of(&lines), lines);
        let checks = crate::checks(&mrz, MrzDate::new(2026, 1, 1));
        let _ = crate::report_json(&mrz, &checks, MrzDate::new(2026, 1, 1));
        let _ = crate::report_table(&mrz, &checks, MrzDate::new(2026, 1, 1));
        let _ = suggest_corrections(&mrz);
    }

    #[test]
    fn compose_then_parse_round_trips(data in data_strategy()) {
        let lines = match compose(&data) {
            Ok(lines) => lines,
            // Long TD1/TD2 numbers with optional data may not fit: that is a stated error.
            Err(crate::ComposeError::FieldTooLong { .. }) => return Ok(()),
            Err(other) => return Err(TestCaseError::fail(format!("{other}"))),
        };
        let mrz = parse(&lines.join("\n")).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(mrz.format, data.format);
        prop_assert!(mrz.is_valid(), "{:?} {:#?} {:#?}", lines, mrz.grammar, mrz.check_digits);
        prop_assert_eq!(&mrz.document_number, &data.document_number);
        prop_assert_eq!(mrz.sex, Some(data.sex));
        prop_assert_eq!(mrz.birth_date.map(|d| d.printed()), data.birth_date.map(|d| crate::PrintedDate::from_date(&d).printed()));
        if name_fits(&data) {
            prop_assert_eq!(&mrz.surname, &data.surname);
            prop_assert_eq!(&mrz.given_names, &data.given_names);
        }
        if data.format != MrzFormat::Td1 && data.format != MrzFormat::Td2 {
            prop_assert_eq!(&mrz.optional_data, &data.optional_data);
        }
    }

    /// ICAO 9303 Part 3, 4.9: weights 7, 3, 1 are prime to 10, so a single
    /// substitution in a field under a check digit is caught unless the two
    /// characters have the same value modulo 10 (e.g. `<`, `A`, `K`, `U`, `0`).
    /// Those the position grammar must catch when it can (a letter in a date).
    #[test]
    fn single_substitutions_are_caught(data in data_strategy(), pick in 0usize..10_000, replacement in "[A-Z0-9<]") {
        let Ok(lines) = compose(&data) else { return Ok(()) };
        let format = data.format;
        let classes = position_classes(format);
        let line = pick % format.line_count();
        let position = (pick / format.line_count()) % format.line_length();
        let original = lines[line].chars().nth(position).unwrap_or('<');
        let new = replacement.chars().next().unwrap_or('<');
        prop_assume!(new != original);
        let mut changed: Vec<Vec<char>> = lines.iter().map(|l| l.chars().collect()).collect();
        changed[line][position] = new;
        let mrz = parse_lines(format, changed.into_iter().map(|l| l.into_iter().collect()).collect());
        let covered = mrz_covers(&mrz, line, position);
        let (class, _) = classes[line][position];
        let same_value = character_value(original).unwrap_or(0) % 10 == character_value(new).unwrap_or(0) % 10;
        if !class.allows(new) {
            prop_assert!(!mrz.is_valid(), "grammar should catch {original}->{new} at {line}:{position} in {lines:?}");
        } else if covered && !same_value {
            prop_assert!(!mrz.is_valid(), "check digit should catch {original}->{new} at {line}:{position} in {lines:?}");
        }
    }

    #[test]
    fn decoder_never_panics(format in format_strategy(), grid in prop::collection::vec(prop::collection::vec(("[A-Z0-9<a-z]", -1.0f32..2.0), 0..3), 90)) {
        let mut iter = grid.into_iter().cycle();
        let candidates: Vec<Vec<Vec<(char, f32)>>> = (0..format.line_count())
            .map(|_| (0..format.line_length()).map(|_| {
                iter.next().unwrap_or_default().into_iter().map(|(s, p)| (s.chars().next().unwrap_or('<'), p)).collect()
            }).collect())
            .collect();
        let decoded = decode(format, &candidates);
        prop_assert!(decoded.trials <= crate::ocr::MAX_TRIALS + 10);
    }
}

/// Whether a position is covered by a check digit (or is one).
fn mrz_covers(mrz: &crate::Mrz, line: usize, position: usize) -> bool {
    mrz.check_digits.iter().any(|digit| {
        digit.covers.iter().chain(std::iter::once(&digit.at)).any(|span| {
            span.line == line && (span.start..span.end).contains(&position)
        })
    })
}

#[test]
fn class_table_marks_dates_numeric() {
    assert_eq!(position_classes(MrzFormat::Td3)[1][13].0, CharClass::Numeric);
}

fn mrz_format_of(lines: &[String]) -> MrzFormat {
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    MrzFormat::detect(&refs).unwrap_or(MrzFormat::Td3)
}

/// Whether the generated name fits its field untruncated.
fn name_fits(data: &MrzData) -> bool {
    let given = data.given_names.split_whitespace().collect::<Vec<_>>();
    match data.format {
        MrzFormat::FrenchId => data.surname.len() <= 25 && given.join("<<").len() <= 14,
        format => {
            let full = if given.is_empty() { data.surname.clone() } else { format!("{}<<{}", data.surname, given.join("<")) };
            let width = match format {
                MrzFormat::Td1 => 30,
                MrzFormat::Td2 | MrzFormat::MrvB => 31,
                _ => 39,
            };
            full.len() <= width
        }
    }
}
