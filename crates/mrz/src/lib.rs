//! Machine readable zones (ICAO 9303 Parts 3–7 and the French 1988 identity
//! card): compose, parse, validate, report, and decode OCR candidates.
//!
//! Every inspection starts with the MRZ, so this crate is strict and says
//! exactly which field is wrong and why. No clock is read: callers pass the
//! inspection date.
//!
//! The API in the order an inspection uses it:
//! - [`parse`] text → [`Mrz`] (typed fields, raw lines, every check digit and
//!   grammar finding), or a [`ParseError`] whose `Display` suits stderr.
//! - [`checks`] `(&Mrz, inspection date)` → `Vec<Check>` with the stable ids of
//!   [`CHECK_IDS`] and officer-readable messages.
//! - [`report_json`] / [`report_table`]: the `tdverify mrz` CLI contract.
//! - [`suggest_corrections`]: what confusable characters would read as (never applied).
//! - [`compose()`]: field values → printed lines (fixtures, training).
//! - [`decode`]: OCR candidates → most probable valid reading, with corrections.
//! - [`transliterate`], [`names_equivalent`]: names in the ICAO tables.
//! - [`issuer_kind`], [`register_issuer`], [`FICTIONAL_ISSUERS`]: code tables.
//! - [`state_info`], [`search_states`], [`Region`], [`SubRegion`]: state names and
//!   UN M49 regions (country pickers, anonymisation).

#[cfg(test)]
mod cases;
mod check_digit;
mod checks;
mod codes;
pub mod compose;
pub mod date;
mod fields;
mod format;
mod grammar;
mod layout;
pub mod ocr;
mod parse;
#[cfg(test)]
mod proptests;
mod report;
mod states;
mod transliterate;

pub use check_digit::{character_value, compute as check_digit, compute_over as check_digit_over};
pub use codes::{
    document_code_allowed, issuer_kind, issuer_name, register_issuer, IssuerKind, FICTIONAL_ISSUERS, NON_STATE_CODES,
};
pub use compose::{compose, ComposeError, MrzData};
pub use date::{days_in_month, is_leap_year, MrzDate, PrintedDate};
pub use fields::{Field, Sex, Span};
pub use format::MrzFormat;
pub use transliterate::{names_equivalent, transliterate, transliterate_base_letters};
pub use grammar::{confusable_fix, position_classes, CharClass, DocumentLetters};
pub use parse::{
    clean_lines, parse, parse_lines, CheckDigitKind, CheckDigitResult, DigitOutcome, GrammarFinding, Mrz, ParseError,
};
pub use checks::{checks, suggest_corrections, ConfusableCorrection, CorrectedReading, CHECK_IDS, MAX_YEARS_OF_VALIDITY_AHEAD};
pub use report::{report_json, report_table};
pub use states::{all_states, search_states, state_info, Region, StateInfo, SubRegion};
pub use ocr::{decode, CorrectionReason, DecodeStatus, DecodedMrz, OcrCorrection};
