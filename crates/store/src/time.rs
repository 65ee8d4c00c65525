//! Unix-time helpers: the store keeps times as UTC Unix seconds and shows them as ISO 8601.
//!
//! The day arithmetic is `tdverify_core::civil` (no date crate for two small functions).

use std::sync::Arc;

/// Source of "now" in Unix seconds; replaceable so tests can move time (lockout, retention).
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// The real clock.
pub fn system_clock() -> Clock {
    Arc::new(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    })
}

use tdverify_core::civil::{civil_from_days, days_from_civil};

/// Formats Unix seconds as `YYYY-MM-DDTHH:MM:SSZ` (the `opened` field of the CLI JSON).
pub fn format_utc(unix_seconds: i64) -> String {
    let days = unix_seconds.div_euclid(86_400);
    let second_of_day = unix_seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        second_of_day / 3600,
        (second_of_day / 60) % 60,
        second_of_day % 60
    )
}

/// Parses `YYYY-MM-DD` (start of that day, UTC) or `YYYY-MM-DDTHH:MM:SSZ` into Unix seconds,
/// for the CLI's and UI's date filters. Returns `None` for anything else.
pub fn parse_utc(text: &str) -> Option<i64> {
    let text = text.trim();
    let (date, time) = match text.split_once('T') {
        Some((date, time)) => (date, Some(time.strip_suffix('Z').unwrap_or(time))),
        None => (text, None),
    };
    let mut parts = date.split('-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: u32 = parts.next()?.parse().ok()?;
    let day: u32 = parts.next()?.parse().ok()?;
    if parts.next().is_some()
        || !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || !(1..=9999).contains(&year)
    {
        return None;
    }
    let days = days_from_civil(year, month, day);
    if civil_from_days(days) != (year, month, day) {
        return None; // e.g. 31 February
    }
    let mut seconds = days * 86_400;
    if let Some(time) = time {
        let mut fields = time.split(':');
        let hour: i64 = fields.next()?.parse().ok()?;
        let minute: i64 = fields.next()?.parse().ok()?;
        let second: i64 = fields.next().map(str::parse).transpose().ok()?.unwrap_or(0);
        if fields.next().is_some()
            || !(0..24).contains(&hour)
            || !(0..60).contains(&minute)
            || !(0..60).contains(&second)
        {
            return None;
        }
        seconds += hour * 3600 + minute * 60 + second;
    }
    Some(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_dates() {
        // Expected values checked with GNU `date -u -d @SECONDS`.
        assert_eq!(format_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(format_utc(1_795_000_000), "2026-11-18T11:06:40Z");
        assert_eq!(parse_utc("2000-02-29"), Some(951_782_400));
        assert_eq!(parse_utc("2026-11-18T11:06:40Z"), Some(1_795_000_000));
        assert_eq!(parse_utc("2023-02-29"), None);
        assert_eq!(parse_utc("yesterday"), None);
    }

    proptest! {
        #[test]
        fn format_then_parse_round_trips(seconds in 0i64..253_402_300_799) {
            prop_assert_eq!(parse_utc(&format_utc(seconds)), Some(seconds));
        }

        #[test]
        fn parse_never_panics(text in ".{0,40}") {
            let _ = parse_utc(&text);
        }
    }
}
