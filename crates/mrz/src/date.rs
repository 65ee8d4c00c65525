//! Dates in the MRZ: printed as YYMMDD with a two-digit year, where ICAO 9303
//! Part 3 lets an unknown day or month be printed as fillers (`<<`).
//!
//! Century resolution rules (stated, tested, no hidden clock: the caller
//! passes the inspection date):
//! - **Birth**: the latest century that puts the date on or before the
//!   inspection date (a person is born in the past). Someone aged 100 or more
//!   resolves 100 years too late; the check `mrz.dates.plausible` cannot tell.
//! - **Expiry**: the century that puts the year within 50 years either side of
//!   the inspection year (documents are valid at most a few decades).

use std::cmp::Ordering;
use std::fmt;

use serde::{Deserialize, Serialize};

/// A calendar date whose month or day may be unknown (ICAO 9303 Part 3 allows
/// fillers for an unknown day or month of birth). The year is a full year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MrzDate {
    /// Full year, e.g. 1974.
    pub year: u16,
    /// 1–12, or `None` when unknown.
    pub month: Option<u8>,
    /// 1–31, or `None` when unknown.
    pub day: Option<u8>,
}

impl MrzDate {
    /// A fully known date (not checked: see [`MrzDate::is_valid`]).
    pub fn new(year: u16, month: u8, day: u8) -> MrzDate {
        MrzDate { year, month: Some(month), day: Some(day) }
    }

    /// Whether the known parts make a real calendar date (a day without a
    /// month is checked against the longest month).
    pub fn is_valid(&self) -> bool {
        match (self.month, self.day) {
            (Some(m), _) if !(1..=12).contains(&m) => false,
            (Some(m), Some(d)) => d >= 1 && d <= days_in_month(self.year, m),
            (None, Some(d)) => (1..=31).contains(&d),
            _ => true,
        }
    }

    /// `YYYY-MM-DD` when month and day are known, else `None`: the CLI
    /// contract prints null for dates that are not fully known.
    pub fn to_iso(&self) -> Option<String> {
        Some(format!("{:04}-{:02}-{:02}", self.year, self.month?, self.day?))
    }

    /// Reads a full `YYYY-MM-DD` date (the inverse of [`MrzDate::to_iso`]);
    /// `None` for anything else, a date that does not exist included.
    pub fn from_iso(text: &str) -> Option<MrzDate> {
        let mut parts = text.split('-');
        let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || year.len() != 4 || month.len() != 2 || day.len() != 2 {
            return None;
        }
        let date = MrzDate::new(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?);
        date.is_valid().then_some(date)
    }

    /// Ordering that treats an unknown month or day as its earliest value
    /// (used for "born before" tests, where the benefit of doubt goes to the holder).
    fn key_earliest(&self) -> (u16, u8, u8) {
        (self.year, self.month.unwrap_or(1), self.day.unwrap_or(1))
    }

    /// Ordering that treats an unknown month or day as its latest value.
    fn key_latest(&self) -> (u16, u8, u8) {
        let month = self.month.unwrap_or(12);
        (self.year, month, self.day.unwrap_or_else(|| days_in_month(self.year, month)))
    }

    /// Whether this date is certainly after `other` (unknown parts resolved in
    /// favour of "not after").
    pub fn is_after(&self, other: &MrzDate) -> bool {
        self.key_earliest().cmp(&other.key_latest()) == Ordering::Greater
    }

    /// Whether this date is certainly before `other`.
    pub fn is_before(&self, other: &MrzDate) -> bool {
        self.key_latest().cmp(&other.key_earliest()) == Ordering::Less
    }

    /// The same date `years` later (29 February becomes 28 February when needed).
    pub fn plus_years(&self, years: u16) -> MrzDate {
        let year = self.year.saturating_add(years);
        let day = match (self.month, self.day) {
            (Some(m), Some(d)) => Some(d.min(days_in_month(year, m))),
            (_, d) => d,
        };
        MrzDate { year, month: self.month, day }
    }
}

impl fmt::Display for MrzDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        for part in [self.month, self.day] {
            match part {
                Some(value) => write!(f, "-{value:02}")?,
                None => f.write_str("-??")?,
            }
        }
        Ok(())
    }
}

/// Days in a month of the Gregorian calendar.
pub fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Gregorian leap year rule.
pub fn is_leap_year(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

/// A date as printed in the MRZ: two-digit year, month and day, each `None`
/// when printed as fillers. Parsing keeps this form; resolving the century
/// needs the inspection date (see the module rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PrintedDate {
    /// 0–99, or `None` if printed as `<<`.
    pub yy: Option<u8>,
    /// As printed (not range checked), `None` if `<<`.
    pub mm: Option<u8>,
    /// As printed (not range checked), `None` if `<<`.
    pub dd: Option<u8>,
}

impl PrintedDate {
    /// Reads six printed characters; `None` if any pair is neither two digits nor `<<`.
    pub fn read(text: &str) -> Option<PrintedDate> {
        let chars: Vec<char> = text.chars().collect();
        if chars.len() != 6 {
            return None;
        }
        let pair = |a: char, b: char| -> Option<Option<u8>> {
            match (a, b) {
                ('<', '<') => Some(None),
                _ => {
                    let hi = a.to_digit(10)?;
                    let lo = b.to_digit(10)?;
                    Some(Some((hi * 10 + lo) as u8))
                }
            }
        };
        Some(PrintedDate { yy: pair(chars[0], chars[1])?, mm: pair(chars[2], chars[3])?, dd: pair(chars[4], chars[5])? })
    }

    /// The six printed characters (fillers for unknown parts).
    pub fn printed(&self) -> String {
        let part = |v: Option<u8>| v.map(|v| format!("{:02}", v % 100)).unwrap_or_else(|| "<<".to_string());
        format!("{}{}{}", part(self.yy), part(self.mm), part(self.dd))
    }

    /// The printed form of a full date.
    pub fn from_date(date: &MrzDate) -> PrintedDate {
        PrintedDate { yy: Some((date.year % 100) as u8), mm: date.month, dd: date.day }
    }

    /// Whether the printed month and day are in range (unknown parts pass).
    pub fn is_calendar_valid(&self) -> bool {
        // Leap day: 2000 is a leap year, so "000229" passes here; the resolved
        // date is re-checked after century resolution.
        let year = 2000 + u16::from(self.yy.unwrap_or(0));
        MrzDate { year, month: self.mm, day: self.dd }.is_valid()
    }

    /// Resolves a date of birth: latest century not after the inspection date.
    /// `None` when the year is unknown.
    pub fn resolve_birth(&self, inspection: &MrzDate) -> Option<MrzDate> {
        let yy = u16::from(self.yy?);
        let century = inspection.year - inspection.year % 100;
        let candidate = MrzDate { year: century + yy, month: self.mm, day: self.dd };
        if candidate.is_after(inspection) && century >= 100 {
            Some(MrzDate { year: century - 100 + yy, ..candidate })
        } else {
            Some(candidate)
        }
    }

    /// Resolves an expiry date: within 50 years either side of the inspection year.
    pub fn resolve_expiry(&self, inspection: &MrzDate) -> Option<MrzDate> {
        let yy = i32::from(self.yy?);
        let inspection_year = i32::from(inspection.year);
        let mut year = inspection_year - inspection_year % 100 + yy;
        if year > inspection_year + 50 {
            year -= 100;
        } else if year < inspection_year - 50 {
            year += 100;
        }
        let year = u16::try_from(year).ok()?;
        Some(MrzDate { year, month: self.mm, day: self.dd })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_read_back_and_nothing_else_reads() {
        let date = MrzDate::new(2024, 2, 29);
        assert_eq!(MrzDate::from_iso(&date.to_iso().unwrap()), Some(date));
        for bad in ["", "2024-2-29", "2023-02-29", "2024-13-01", "2024-00-10", "20240229", "2024-02-29T00", "-2024-02-29"] {
            assert_eq!(MrzDate::from_iso(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn birth_resolves_into_the_past() {
        let today = MrzDate::new(2026, 11, 25);
        let born = PrintedDate::read("740812").unwrap().resolve_birth(&today).unwrap();
        assert_eq!(born, MrzDate::new(1974, 8, 12));
        let child = PrintedDate::read("260101").unwrap().resolve_birth(&today).unwrap();
        assert_eq!(child, MrzDate::new(2026, 1, 1));
        let not_yet = PrintedDate::read("261231").unwrap().resolve_birth(&today).unwrap();
        assert_eq!(not_yet.year, 1926);
    }

    #[test]
    fn expiry_resolves_within_fifty_years() {
        let today = MrzDate::new(2026, 11, 25);
        assert_eq!(PrintedDate::read("120415").unwrap().resolve_expiry(&today).unwrap().year, 2012);
        assert_eq!(PrintedDate::read("750101").unwrap().resolve_expiry(&today).unwrap().year, 2075);
        assert_eq!(PrintedDate::read("770101").unwrap().resolve_expiry(&today).unwrap().year, 1977);
    }

    #[test]
    fn unknown_parts_are_fillers() {
        let date = PrintedDate::read("74<<<<").unwrap();
        assert_eq!(date, PrintedDate { yy: Some(74), mm: None, dd: None });
        assert_eq!(date.printed(), "74<<<<");
        assert!(PrintedDate::read("74<1<<").is_none());
        assert!(PrintedDate::read("7408").is_none());
        let resolved = date.resolve_birth(&MrzDate::new(2026, 1, 1)).unwrap();
        assert_eq!(resolved.to_iso(), None);
        assert_eq!(resolved.to_string(), "1974-??-??");
    }

    #[test]
    fn calendar_rules() {
        assert!(MrzDate::new(2024, 2, 29).is_valid());
        assert!(!MrzDate::new(2023, 2, 29).is_valid());
        assert!(!MrzDate::new(2023, 13, 1).is_valid());
        assert!(!PrintedDate::read("741332").unwrap().is_calendar_valid());
        assert_eq!(MrzDate::new(2024, 2, 29).plus_years(1), MrzDate::new(2025, 2, 28));
    }
}
