//! One exported record: the whitelist of DESC fields (DESIGN.md, Export) and the
//! mapping from a case's stored metadata. Nothing outside this struct is ever written,
//! and every field is a code, a band or a pseudonym: no free text reaches a bundle.

use serde::{Deserialize, Serialize};
use tdverify_mrz::{Region, SubRegion, state_info};
use tdverify_store::CaseExportRecord;
use tdverify_store::context::{
    CONCLUSION_LEVELS, CodeList, DETECTION_POINT_TYPES, DETECTION_STAGES, HOTLIST_RESULTS, OUTCOMES,
    TRANSPORT_MODES, TRAVEL_DIRECTIONS, code_allowed,
};
use tdverify_store::time::format_utc;

/// Version of the record layout (`schema_version` of every record and of `schema.json`).
pub const SCHEMA_VERSION: u32 = 1;

/// One anonymised fraud record, as written to `records.jsonl` and `records.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DescRecord {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Random per export (32 hex): never derived from the case.
    pub record_id: String,
    /// `YYYY-MM`, or `YYYY-Qn` when generalised.
    pub event_period: String,
    /// ICAO code of the country where it was detected.
    pub detection_country: Option<String>,
    /// Station-defined area code; `null` when generalised to the country.
    pub detection_area: Option<String>,
    /// `air`, `land`, `sea`, `inland`.
    pub detection_point_type: Option<String>,
    /// `first_line`, `second_line`, `sltd_hit`, `other`.
    pub detection_stage: Option<String>,
    /// `entry`, `exit`, `transit`, `in_country`.
    pub travel_direction: Option<String>,
    /// `air`, `road`, `rail`, `sea`, `on_foot`, `other`.
    pub transport_mode: Option<String>,
    /// `passport`, `id_card`, `visa`, `other` (from the ICAO document code).
    pub document_category: Option<String>,
    /// ICAO document code as printed (`P`, `PO`, `ID`, `V`…).
    pub icao_doc_code: Option<String>,
    /// ICAO code of the issuing state.
    pub issuing_state: Option<String>,
    /// INTERPOL/EU fraud type.
    pub fraud_type: Option<String>,
    /// Forgery methods found.
    pub forgery_methods: Vec<String>,
    /// Ids of the failed checks: the modus operandi.
    pub detection_evidence: Vec<String>,
    /// SLTD lookup result.
    pub hotlist_result: Option<String>,
    /// How firm the conclusion is.
    pub conclusion_level: Option<String>,
    /// ICAO code, or `sub_region:…` / `region:…` when generalised.
    pub nationality_claimed: Option<String>,
    /// As `nationality_claimed`.
    pub nationality_established: Option<String>,
    /// `M`, `F`, `X`.
    pub holder_sex: Option<String>,
    /// Age at the event, in public counter-trafficking bands (`18-20`, `48+`), or merged bands.
    pub age_band: Option<String>,
    /// ICAO code of the country of embarkation.
    pub route_embarkation: Option<String>,
    /// Up to three transit countries.
    pub route_transits: Vec<String>,
    /// ICAO code of the destination country.
    pub route_destination: Option<String>,
    /// `1`, `2`, `3-5`, `6-10`, `11+`.
    pub group_size_band: Option<String>,
    /// What happened to the traveller.
    pub outcome: Option<String>,
    /// Keyed HMAC of the document (64 hex; the key stays on the station).
    pub repeat_document: Option<String>,
}

/// Every field name of [`DescRecord`], in output order (CSV header, schema).
pub const FIELDS: &[&str] = &[
    "schema_version",
    "record_id",
    "event_period",
    "detection_country",
    "detection_area",
    "detection_point_type",
    "detection_stage",
    "travel_direction",
    "transport_mode",
    "document_category",
    "icao_doc_code",
    "issuing_state",
    "fraud_type",
    "forgery_methods",
    "detection_evidence",
    "hotlist_result",
    "conclusion_level",
    "nationality_claimed",
    "nationality_established",
    "holder_sex",
    "age_band",
    "route_embarkation",
    "route_transits",
    "route_destination",
    "group_size_band",
    "outcome",
    "repeat_document",
];

/// The public age bands (lower bound, label) of counter-trafficking statistics.
pub const AGE_BANDS: &[(u32, &str)] = &[
    (0, "0-8"),
    (9, "9-17"),
    (18, "18-20"),
    (21, "21-23"),
    (24, "24-26"),
    (27, "27-29"),
    (30, "30-38"),
    (39, "39-47"),
    (48, "48+"),
];

/// Bands after merging adjacent ones once (step `age_bands_merged`).
pub const AGE_BANDS_MERGED: &[(u32, &str)] = &[
    (0, "0-17"),
    (18, "18-23"),
    (24, "24-29"),
    (30, "30-47"),
    (48, "48+"),
];

/// Bands after merging twice (step `age_bands_merged_wide`).
pub const AGE_BANDS_WIDE: &[(u32, &str)] = &[(0, "0-17"), (18, "18-29"), (30, "30+")];

/// The band label of `age` at a merge level (0: public bands, 1: merged, 2: wide).
pub fn age_band(age: u32, level: u8) -> &'static str {
    let bands = match level {
        0 => AGE_BANDS,
        1 => AGE_BANDS_MERGED,
        _ => AGE_BANDS_WIDE,
    };
    bands
        .iter()
        .rev()
        .find(|(lower, _)| age >= *lower)
        .map_or("0-8", |(_, label)| label)
}

/// Whether `label` is a band of any level.
pub fn is_age_band(label: &str) -> bool {
    AGE_BANDS
        .iter()
        .chain(AGE_BANDS_MERGED)
        .chain(AGE_BANDS_WIDE)
        .any(|(_, l)| *l == label)
}

/// The group size band of a group size.
pub fn group_size_band(size: u32) -> &'static str {
    match size {
        0 | 1 => "1",
        2 => "2",
        3..=5 => "3-5",
        6..=10 => "6-10",
        _ => "11+",
    }
}

/// Group size bands, in order.
pub const GROUP_SIZE_BANDS: &[&str] = &["1", "2", "3-5", "6-10", "11+"];

/// Document categories.
pub const DOCUMENT_CATEGORIES: &[&str] = &["passport", "id_card", "visa", "other"];

/// The category of an ICAO document code (first letter: P passport, V visa, I/A/C card).
pub fn document_category(code: &str) -> &'static str {
    match code.chars().next() {
        Some('P') => "passport",
        Some('V') => "visa",
        Some('I' | 'A' | 'C') => "id_card",
        _ => "other",
    }
}

/// `YYYY-MM` of a Unix time (UTC).
pub fn month_of(unix: i64) -> String {
    format_utc(unix)[..7].to_string()
}

/// `YYYY-Qn` of a `YYYY-MM` month.
pub fn quarter_of(month: &str) -> String {
    let (year, m) = month.split_at(4);
    let m: u32 = m.trim_start_matches('-').parse().unwrap_or(1);
    format!("{year}-Q{}", (m.clamp(1, 12) - 1) / 3 + 1)
}

/// A nationality at a generalisation level (0: ICAO code, 1: `sub_region:…`, 2: `region:…`).
/// Codes without a region (non-state, fictional, unknown) go straight to `region:other`.
pub fn nationality_at(code: &str, level: u8) -> String {
    let sub_region = state_info(code).map_or(SubRegion::Other, |s| s.sub_region);
    match level {
        0 => code.to_string(),
        1 if sub_region != SubRegion::Other => format!("sub_region:{}", sub_region.as_str()),
        _ => format!("region:{}", sub_region.region().as_str()),
    }
}

/// Whether `value` is a nationality as records carry it.
pub fn is_nationality(value: &str) -> bool {
    if let Some(name) = value.strip_prefix("sub_region:") {
        return SubRegion::ALL.iter().any(|s| s.as_str() == name);
    }
    if let Some(name) = value.strip_prefix("region:") {
        return Region::ALL.iter().any(|r| r.as_str() == name);
    }
    is_country(value)
}

/// Whether `value` is an ICAO country code tdverify knows.
pub fn is_country(value: &str) -> bool {
    tdverify_mrz::issuer_kind(value).is_some() && !value.contains('<')
}

/// Keeps a code only if it is in `list` (an unknown stored value is dropped, never
/// exported as free text).
fn listed(list: CodeList, value: &Option<String>) -> Option<String> {
    value.clone().filter(|v| code_allowed(list, v))
}

/// Keeps a country only if it is a known ICAO code.
fn country(value: &Option<String>) -> Option<String> {
    value.clone().filter(|v| is_country(v))
}

/// A check id as exported: dotted lower-case names only.
pub fn is_check_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '_')
}

/// The record of one case before k-anonymity (finest granularity), with the values the
/// generaliser needs kept beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ungeneralised {
    /// The record at level 0.
    pub record: DescRecord,
    /// Age in years, for re-banding.
    pub age_years: Option<u32>,
    /// Nationality codes at level 0, for generalising.
    pub nationality_claimed: Option<String>,
    /// As above.
    pub nationality_established: Option<String>,
}

/// Maps a case to its record at the finest granularity. `record_id` must be fresh random.
pub fn map_case(case: &CaseExportRecord, record_id: String) -> Ungeneralised {
    let meta = &case.metadata;
    let ctx = &meta.context;
    let doc_code = meta
        .document_code
        .as_deref()
        .map(|c| c.trim_end_matches('<').to_string())
        .filter(|c| (1..=2).contains(&c.len()) && c.chars().all(|ch| ch.is_ascii_uppercase()));
    let sex = case
        .holder
        .sex
        .clone()
        .filter(|s| matches!(s.as_str(), "M" | "F" | "X"));
    let nationality_claimed = country(&case.holder.nationality_claimed);
    let nationality_established = country(&case.holder.nationality_established);
    let mut evidence: Vec<String> = meta
        .failed_checks
        .iter()
        .filter(|id| is_check_id(id))
        .cloned()
        .collect();
    evidence.sort();
    evidence.dedup();
    let record = DescRecord {
        schema_version: SCHEMA_VERSION,
        record_id,
        event_period: month_of(case.opened_unix),
        detection_country: country(&ctx.detection_country),
        detection_area: ctx.detection_area.clone().filter(|a| is_area(a)),
        detection_point_type: listed(DETECTION_POINT_TYPES, &ctx.detection_point_type),
        detection_stage: listed(DETECTION_STAGES, &ctx.detection_stage),
        travel_direction: listed(TRAVEL_DIRECTIONS, &ctx.travel_direction),
        transport_mode: listed(TRANSPORT_MODES, &ctx.transport_mode),
        document_category: doc_code
            .as_deref()
            .map(|c| document_category(c).to_string()),
        icao_doc_code: doc_code,
        issuing_state: country(&meta.issuing_state),
        fraud_type: case
            .classification
            .fraud_type
            .map(|t| t.as_str().to_string()),
        forgery_methods: case
            .classification
            .forgery_methods
            .iter()
            .map(|m| m.as_str().to_string())
            .collect(),
        detection_evidence: evidence,
        hotlist_result: listed(HOTLIST_RESULTS, &meta.hotlist_result),
        conclusion_level: listed(CONCLUSION_LEVELS, &meta.conclusion_level),
        nationality_claimed: nationality_claimed.clone(),
        nationality_established: nationality_established.clone(),
        holder_sex: sex,
        age_band: case.holder.age_years.map(|a| age_band(a, 0).to_string()),
        route_embarkation: country(&ctx.route_embarkation),
        route_transits: ctx
            .route_transits
            .iter()
            .filter(|t| is_country(t))
            .take(3)
            .cloned()
            .collect(),
        route_destination: country(&ctx.route_destination),
        group_size_band: ctx.group_size.map(|g| group_size_band(g).to_string()),
        outcome: listed(OUTCOMES, &meta.outcome),
        repeat_document: case
            .repeat_document
            .clone()
            .filter(|h| h.len() == 64 && h.chars().all(|c| c.is_ascii_hexdigit())),
    };
    Ungeneralised {
        record,
        age_years: case.holder.age_years,
        nationality_claimed,
        nationality_established,
    }
}

/// A station-defined area code (same rule as the case context).
pub fn is_area(area: &str) -> bool {
    !area.is_empty()
        && area.len() <= 32
        && area
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Whether `period` is `YYYY-MM` or `YYYY-Qn`.
pub fn is_period(period: &str) -> bool {
    let bytes = period.as_bytes();
    if bytes.len() != 7 || bytes[4] != b'-' || !bytes[..4].iter().all(u8::is_ascii_digit) {
        return false;
    }
    match &period[5..] {
        q if q.starts_with('Q') => matches!(q, "Q1" | "Q2" | "Q3" | "Q4"),
        m => m
            .parse::<u32>()
            .is_ok_and(|m| (1..=12).contains(&m) && bytes[5].is_ascii_digit()),
    }
}

impl DescRecord {
    /// Checks every field against the schema's rules (the same as `schema.json`): what
    /// `export verify` runs on each line. Returns the first problem, naming the field.
    pub fn validate(&self) -> Result<(), String> {
        let bad = |field: &str, value: &str| Err(format!("{field}: {value:?} is not allowed"));
        if self.schema_version != SCHEMA_VERSION {
            return bad("schema_version", &self.schema_version.to_string());
        }
        if self.record_id.len() != 32 || !self.record_id.chars().all(|c| c.is_ascii_hexdigit()) {
            return bad("record_id", &self.record_id);
        }
        if !is_period(&self.event_period) {
            return bad("event_period", &self.event_period);
        }
        let countries = [
            ("detection_country", &self.detection_country),
            ("issuing_state", &self.issuing_state),
            ("route_embarkation", &self.route_embarkation),
            ("route_destination", &self.route_destination),
        ];
        for (field, value) in countries {
            if let Some(v) = value
                && !is_country(v)
            {
                return bad(field, v);
            }
        }
        if self.route_transits.len() > 3 {
            return bad("route_transits", &self.route_transits.join(","));
        }
        if let Some(t) = self.route_transits.iter().find(|t| !is_country(t)) {
            return bad("route_transits", t);
        }
        for (field, value) in [
            ("nationality_claimed", &self.nationality_claimed),
            ("nationality_established", &self.nationality_established),
        ] {
            if let Some(v) = value
                && !is_nationality(v)
            {
                return bad(field, v);
            }
        }
        if let Some(a) = &self.detection_area
            && !is_area(a)
        {
            return bad("detection_area", a);
        }
        let coded: [(&str, CodeList, &Option<String>); 7] = [
            ("detection_point_type", DETECTION_POINT_TYPES, &self.detection_point_type),
            ("detection_stage", DETECTION_STAGES, &self.detection_stage),
            ("travel_direction", TRAVEL_DIRECTIONS, &self.travel_direction),
            ("transport_mode", TRANSPORT_MODES, &self.transport_mode),
            ("hotlist_result", HOTLIST_RESULTS, &self.hotlist_result),
            ("conclusion_level", CONCLUSION_LEVELS, &self.conclusion_level),
            ("outcome", OUTCOMES, &self.outcome),
        ];
        for (field, list, value) in coded {
            if let Some(v) = value
                && !code_allowed(list, v)
            {
                return bad(field, v);
            }
        }
        if let Some(c) = &self.document_category
            && !DOCUMENT_CATEGORIES.contains(&c.as_str())
        {
            return bad("document_category", c);
        }
        if let Some(c) = &self.icao_doc_code
            && !((1..=2).contains(&c.len()) && c.chars().all(|ch| ch.is_ascii_uppercase()))
        {
            return bad("icao_doc_code", c);
        }
        if let Some(t) = &self.fraud_type
            && !tdverify_core::FraudType::ALL.iter().any(|f| f.as_str() == t)
        {
            return bad("fraud_type", t);
        }
        if let Some(m) = self
            .forgery_methods
            .iter()
            .find(|m| !tdverify_core::ForgeryMethod::ALL.iter().any(|f| f.as_str() == m.as_str()))
        {
            return bad("forgery_methods", m);
        }
        if let Some(e) = self.detection_evidence.iter().find(|e| !is_check_id(e)) {
            return bad("detection_evidence", e);
        }
        if let Some(s) = &self.holder_sex
            && !matches!(s.as_str(), "M" | "F" | "X")
        {
            return bad("holder_sex", s);
        }
        if let Some(a) = &self.age_band
            && !is_age_band(a)
        {
            return bad("age_band", a);
        }
        if let Some(g) = &self.group_size_band
            && !GROUP_SIZE_BANDS.contains(&g.as_str())
        {
            return bad("group_size_band", g);
        }
        if let Some(h) = &self.repeat_document
            && !(h.len() == 64 && h.chars().all(|c| c.is_ascii_hexdigit()))
        {
            return bad("repeat_document", h);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_follow_the_public_table() {
        assert_eq!(age_band(0, 0), "0-8");
        assert_eq!(age_band(8, 0), "0-8");
        assert_eq!(age_band(9, 0), "9-17");
        assert_eq!(age_band(20, 0), "18-20");
        assert_eq!(age_band(29, 0), "27-29");
        assert_eq!(age_band(47, 0), "39-47");
        assert_eq!(age_band(48, 0), "48+");
        assert_eq!(age_band(120, 0), "48+");
        assert_eq!(age_band(22, 1), "18-23");
        assert_eq!(age_band(40, 1), "30-47");
        assert_eq!(age_band(25, 2), "18-29");
        assert_eq!(age_band(60, 2), "30+");
        // Every band of a coarser level contains whole bands of the finer one.
        for age in 0..130 {
            let fine = age_band(age, 0);
            let lower = AGE_BANDS.iter().find(|(_, l)| *l == fine).map(|(b, _)| *b).unwrap();
            assert_eq!(age_band(lower, 1), age_band(age, 1), "age {age}");
            assert_eq!(age_band(lower, 2), age_band(age, 2), "age {age}");
        }
        assert_eq!(group_size_band(1), "1");
        assert_eq!(group_size_band(4), "3-5");
        assert_eq!(group_size_band(50), "11+");
    }

    #[test]
    fn periods_and_nationalities() {
        assert_eq!(month_of(1_768_435_200), "2026-01");
        assert_eq!(quarter_of("2026-01"), "2026-Q1");
        assert_eq!(quarter_of("2026-12"), "2026-Q4");
        assert!(is_period("2026-Q3") && is_period("2026-11"));
        assert!(!is_period("2026-13") && !is_period("2026-Q5") && !is_period("26-01") && !is_period("2026-1x"));
        assert_eq!(nationality_at("SDN", 0), "SDN");
        assert_eq!(nationality_at("SDN", 1), "sub_region:northern_africa");
        assert_eq!(nationality_at("SDN", 2), "region:africa");
        assert_eq!(nationality_at("UTO", 1), "region:other");
        for v in ["SDN", "sub_region:northern_africa", "region:africa", "D"] {
            assert!(is_nationality(v), "{v}");
        }
        for v in ["sub_region:atlantis", "QQQ", "region:", "John"] {
            assert!(!is_nationality(v), "{v}");
        }
    }
}
