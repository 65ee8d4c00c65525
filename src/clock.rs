//! Today's date, read once at the edge: domain crates take the inspection date
//! as an argument and never read a clock themselves.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::mrz::MrzDate;

/// Today's date in UTC.
pub fn today_utc() -> MrzDate {
    let days = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() / 86_400).unwrap_or(0);
    civil_from_days(days as i64)
}

/// Parses `YYYY-MM-DD` (for `--date` options); `None` when malformed or not a real day.
pub fn parse_iso_date(text: &str) -> Option<MrzDate> {
    let mut parts = text.trim().splitn(3, '-');
    let year: u16 = parts.next()?.parse().ok()?;
    let month: u8 = parts.next()?.parse().ok()?;
    let day: u8 = parts.next()?.parse().ok()?;
    let date = MrzDate::new(year, month, day);
    date.is_valid().then_some(date)
}

/// Days since 1970-01-01 to a date (`tdverify_core::civil`), the year kept in 0–9999.
fn civil_from_days(days: i64) -> MrzDate {
    let (year, month, day) = crate::core::civil::civil_from_days(days);
    MrzDate::new(year.clamp(0, 9999) as u16, month as u8, day as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_days() {
        assert_eq!(civil_from_days(0), MrzDate::new(1970, 1, 1));
        assert_eq!(civil_from_days(11_016), MrzDate::new(2000, 2, 29));
        assert_eq!(civil_from_days(20_782), MrzDate::new(2026, 11, 25));
    }

    #[test]
    fn iso_dates_parse_strictly() {
        assert_eq!(parse_iso_date("2026-11-25"), Some(MrzDate::new(2026, 11, 25)));
        assert_eq!(parse_iso_date("2025-02-29"), None);
        assert_eq!(parse_iso_date("25/11/2026"), None);
    }
}
