//! Export periods: whole months, `--from YYYY-MM --to YYYY-MM` (both inclusive).

use std::fmt;

use crate::error::ExportError;

/// A calendar month (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    /// Year, 1970..=9999.
    pub year: u16,
    /// Month, 1..=12.
    pub month: u8,
}

impl YearMonth {
    /// Parses `YYYY-MM`.
    pub fn parse(text: &str) -> Result<YearMonth, ExportError> {
        let bad = || ExportError::Period(format!("{text:?} is not a month: use YYYY-MM, e.g. 2026-10"));
        let (year, month) = text.trim().split_once('-').ok_or_else(bad)?;
        if year.len() != 4 || month.len() != 2 {
            return Err(bad());
        }
        let year: u16 = year.parse().map_err(|_| bad())?;
        let month: u8 = month.parse().map_err(|_| bad())?;
        if !(1970..=9999).contains(&year) || !(1..=12).contains(&month) {
            return Err(bad());
        }
        Ok(YearMonth { year, month })
    }

    /// The month after this one.
    pub fn next(self) -> YearMonth {
        if self.month == 12 {
            YearMonth { year: self.year.saturating_add(1), month: 1 }
        } else {
            YearMonth { year: self.year, month: self.month + 1 }
        }
    }

    /// Unix seconds of the first second of the month.
    pub fn start_unix(self) -> Result<i64, ExportError> {
        tdverify_store::time::parse_utc(&format!("{:04}-{:02}-01", self.year, self.month))
            .ok_or_else(|| ExportError::Period(format!("{self} is out of range")))
    }

    /// The quarter this month is in (first month of it).
    pub fn quarter_start(self) -> YearMonth {
        YearMonth { year: self.year, month: (self.month - 1) / 3 * 3 + 1 }
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// Whole months from `from` to `to`, both inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// First month.
    pub from: YearMonth,
    /// Last month (inclusive).
    pub to: YearMonth,
}

impl Period {
    /// Parses and orders-checks `--from`/`--to`.
    pub fn parse(from: &str, to: &str) -> Result<Period, ExportError> {
        Period::new(YearMonth::parse(from)?, YearMonth::parse(to)?)
    }

    /// A period; `to` must not be before `from`.
    pub fn new(from: YearMonth, to: YearMonth) -> Result<Period, ExportError> {
        if to < from {
            return Err(ExportError::Period(format!("the period ends ({to}) before it starts ({from})")));
        }
        Ok(Period { from, to })
    }

    /// The quarter holding `month`.
    pub fn quarter_of(month: YearMonth) -> Period {
        let from = month.quarter_start();
        let to = YearMonth { year: from.year, month: from.month + 2 };
        Period { from, to }
    }

    /// `[start, end)` in Unix seconds.
    pub fn unix_bounds(&self) -> Result<(i64, i64), ExportError> {
        Ok((self.from.start_unix()?, self.to.next().start_unix()?))
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.from, self.to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_parse_strictly() {
        assert_eq!(YearMonth::parse("2026-10").unwrap(), YearMonth { year: 2026, month: 10 });
        for bad in ["2026-13", "2026-1", "26-10", "2026/10", "", "2026-00", "abcd-ef", "1969-12"] {
            assert!(YearMonth::parse(bad).is_err(), "{bad}");
        }
        assert!(Period::parse("2026-12", "2026-10").is_err());
        let q = Period::parse("2026-10", "2026-12").unwrap();
        let (from, to) = q.unix_bounds().unwrap();
        assert_eq!(tdverify_store::time::format_utc(from), "2026-10-01T00:00:00Z");
        assert_eq!(tdverify_store::time::format_utc(to), "2027-01-01T00:00:00Z");
        assert_eq!(Period::quarter_of(YearMonth { year: 2026, month: 11 }), q);
    }
}
