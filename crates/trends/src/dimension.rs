//! What a view counts by (and what a filter can pin): the dashboard's dimensions, with
//! the names the CLI and the GUI use.

use serde::{Deserialize, Serialize};

/// A dimension of the records. Every dimension can group a view and be pinned by a filter
/// (cross-filtering: clicking a bar pins its dimension to its key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// ICAO code of the issuing state.
    IssuingState,
    /// Nationality claimed (ICAO code, or `sub_region:…`/`region:…` once generalised).
    Nationality,
    /// `embarkation→transit…→destination`, `?` for an unknown end.
    Route,
    /// INTERPOL/EU fraud type.
    FraudType,
    /// Age band (public or merged bands as the bundles carry them).
    AgeBand,
    /// `M`, `F`, `X`.
    Sex,
    /// `YYYY-MM`; a record generalised to a quarter counts in the quarter's first month.
    Month,
    /// `YYYY-Qn`.
    Quarter,
    /// `first_line`, `second_line`, `sltd_hit`, `other`.
    DetectionStage,
    /// Forgery methods (a record counts once for each of its methods).
    ForgeryMethod,
    /// Failed check ids, the modus operandi (a record counts once for each).
    FailedCheck,
    /// Detection point type: `air`, `land`, `sea`, `inland`.
    BorderType,
    /// The reporting country (`detection_country`).
    Country,
    /// UN M49 region of the reporting country (`europe`, `africa`…).
    Region,
    /// `passport`, `id_card`, `visa`, `other`.
    DocumentCategory,
    /// The station that signed the bundle.
    Station,
}

impl Dimension {
    /// Every dimension, in the order the GUI lists them.
    pub const ALL: [Dimension; 16] = [
        Dimension::IssuingState,
        Dimension::Nationality,
        Dimension::Route,
        Dimension::FraudType,
        Dimension::AgeBand,
        Dimension::Sex,
        Dimension::Month,
        Dimension::Quarter,
        Dimension::DetectionStage,
        Dimension::ForgeryMethod,
        Dimension::FailedCheck,
        Dimension::BorderType,
        Dimension::Country,
        Dimension::Region,
        Dimension::DocumentCategory,
        Dimension::Station,
    ];

    /// The stable name (CLI `--by`, JSON, CSV header).
    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::IssuingState => "issuing_state",
            Dimension::Nationality => "nationality",
            Dimension::Route => "route",
            Dimension::FraudType => "fraud_type",
            Dimension::AgeBand => "age_band",
            Dimension::Sex => "sex",
            Dimension::Month => "month",
            Dimension::Quarter => "quarter",
            Dimension::DetectionStage => "detection_stage",
            Dimension::ForgeryMethod => "forgery_method",
            Dimension::FailedCheck => "failed_check",
            Dimension::BorderType => "border_type",
            Dimension::Country => "country",
            Dimension::Region => "region",
            Dimension::DocumentCategory => "document_category",
            Dimension::Station => "station",
        }
    }

    /// Parses a name; record field names and the words are accepted as aliases
    /// (`period` is the month, `reporting_country`/`detection_country` the country,
    /// `detection_point_type` the border type, `detection_evidence` the failed check).
    pub fn parse(name: &str) -> Option<Dimension> {
        let name = name.trim().to_ascii_lowercase().replace('-', "_");
        let alias = match name.as_str() {
            "period" => Some(Dimension::Month),
            "reporting_country" | "detection_country" => Some(Dimension::Country),
            "detection_point_type" | "border" => Some(Dimension::BorderType),
            "detection_evidence" | "failed_checks" | "check" => Some(Dimension::FailedCheck),
            "forgery_methods" => Some(Dimension::ForgeryMethod),
            "holder_sex" => Some(Dimension::Sex),
            "nationality_claimed" => Some(Dimension::Nationality),
            "stage" => Some(Dimension::DetectionStage),
            _ => None,
        };
        alias.or_else(|| Dimension::ALL.into_iter().find(|d| d.as_str() == name))
    }

    /// Whether a record can carry several values (and so count in several rows).
    pub fn multi_valued(self) -> bool {
        matches!(self, Dimension::ForgeryMethod | Dimension::FailedCheck)
    }

    /// Whether keys are periods (sorted in time order rather than by count).
    pub fn is_period(self) -> bool {
        matches!(self, Dimension::Month | Dimension::Quarter)
    }
}

impl std::fmt::Display for Dimension {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The key of records without a value in a dimension (so a view's rows add up to its total).
pub const UNKNOWN: &str = "unknown";

/// `YYYY-MM` → months since year 0 (`year * 12 + month - 1`).
pub fn month_index(text: &str) -> Option<u32> {
    let (year, month) = text.trim().split_once('-')?;
    if year.len() != 4 || month.len() != 2 {
        return None;
    }
    let year: u32 = year.parse().ok()?;
    let month: u32 = month.parse().ok()?;
    ((1..=12).contains(&month) && year >= 1970).then(|| year * 12 + month - 1)
}

/// Months since year 0 → `YYYY-MM`.
pub fn month_label(index: u32) -> String {
    format!("{:04}-{:02}", index / 12, index % 12 + 1)
}

/// A record's `event_period` → (month index, whether it was only known to the quarter):
/// a quarter counts in its first month (documented choice, docs/TRENDS.md).
pub fn period_index(period: &str) -> Option<(u32, bool)> {
    if let Some((year, quarter)) = period.split_once("-Q") {
        let year: u32 = year.parse().ok().filter(|_| year.len() == 4)?;
        let quarter: u32 = quarter.parse().ok().filter(|q| (1..=4).contains(q))?;
        return Some((year * 12 + (quarter - 1) * 3, true));
    }
    month_index(period).map(|m| (m, false))
}

/// `YYYY-Qn` of a month index.
pub fn quarter_label(month: u32) -> String {
    format!("{:04}-Q{}", month / 12, month % 12 / 3 + 1)
}

/// The route key of a record: `TUR→GRC→D`; `?` stands for an unknown embarkation or
/// destination; no route at all is [`None`].
pub fn route_key(embarkation: Option<&str>, transits: &[&str], destination: Option<&str>) -> Option<String> {
    if embarkation.is_none() && destination.is_none() && transits.is_empty() {
        return None;
    }
    let mut parts = Vec::with_capacity(transits.len() + 2);
    parts.push(embarkation.unwrap_or("?"));
    parts.extend_from_slice(transits);
    parts.push(destination.unwrap_or("?"));
    Some(parts.join("→"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_periods_and_routes() {
        for d in Dimension::ALL {
            assert_eq!(Dimension::parse(d.as_str()), Some(d));
        }
        assert_eq!(Dimension::parse("period"), Some(Dimension::Month));
        assert_eq!(Dimension::parse("reporting-country"), Some(Dimension::Country));
        assert_eq!(Dimension::parse("colour"), None);
        let m = month_index("2026-10").unwrap();
        assert_eq!(month_label(m), "2026-10");
        assert_eq!(quarter_label(m), "2026-Q4");
        assert_eq!(period_index("2026-Q4"), Some((month_index("2026-10").unwrap(), true)));
        assert_eq!(period_index("2026-13"), None);
        assert_eq!(period_index("2026-Q5"), None);
        assert_eq!(route_key(Some("TUR"), &["GRC"], Some("D")).as_deref(), Some("TUR→GRC→D"));
        assert_eq!(route_key(None, &[], Some("D")).as_deref(), Some("?→D"));
        assert_eq!(route_key(None, &[], None), None);
    }
}
