//! The case context an officer records with a verdict (where and how the document was
//! met, the route, the outcome), its code lists, and the rule of which fields a fraud
//! case needs before it can be submitted.
//!
//! The codes are the values the anonymised DESC export carries, so they are stable
//! snake_case names; the UI translates them. Country fields take ICAO three-letter codes
//! (`D` for Germany), checked against `tdverify_mrz`'s code table.

use serde::{Deserialize, Serialize};
use tdverify_core::Verdict;

use crate::cases::{CaseMetadata, Classification, HolderProfile};

/// Where and how the document was met (non-personal; stored in clear, exported anonymised).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CaseContext {
    /// Country where the fraud was detected (ICAO code; a station default).
    pub detection_country: Option<String>,
    /// Region or district of the detection country (station-defined code; a station default).
    pub detection_area: Option<String>,
    /// Border crossing point or office code (kept on the station, never exported).
    pub detection_point: Option<String>,
    /// Kind of point: see [`DETECTION_POINT_TYPES`].
    pub detection_point_type: Option<String>,
    /// See [`DETECTION_STAGES`].
    pub detection_stage: Option<String>,
    /// See [`TRAVEL_DIRECTIONS`].
    pub travel_direction: Option<String>,
    /// See [`TRANSPORT_MODES`].
    pub transport_mode: Option<String>,
    /// Country where the journey started.
    pub route_embarkation: Option<String>,
    /// Up to three transit countries, in order.
    pub route_transits: Vec<String>,
    /// Country the journey was going to.
    pub route_destination: Option<String>,
    /// Number of people travelling together (1 = alone).
    pub group_size: Option<u32>,
    /// Number of travel documents the person held.
    pub documents_held: Option<u32>,
}

/// A code list: `(code, English label)`. The UI shows labels, the store keeps codes.
pub type CodeList = &'static [(&'static str, &'static str)];

/// Kinds of detection point.
pub const DETECTION_POINT_TYPES: CodeList = &[
    ("air", "Airport"),
    ("land", "Land border"),
    ("sea", "Seaport"),
    ("inland", "Inland"),
];
/// Where in the control the fraud was detected.
pub const DETECTION_STAGES: CodeList = &[
    ("first_line", "First line"),
    ("second_line", "Second line"),
    ("sltd_hit", "SLTD hit"),
    ("other", "Other"),
];
/// Direction of travel.
pub const TRAVEL_DIRECTIONS: CodeList = &[
    ("entry", "Entry"),
    ("exit", "Exit"),
    ("transit", "Transit"),
    ("in_country", "In country"),
];
/// How the person travelled.
pub const TRANSPORT_MODES: CodeList = &[
    ("air", "Air"),
    ("road", "Road"),
    ("rail", "Rail"),
    ("sea", "Sea"),
    ("on_foot", "On foot"),
    ("other", "Other"),
];
/// Result of the stolen and lost documents (SLTD) lookup.
pub const HOTLIST_RESULTS: CodeList = &[
    ("not_checked", "Not checked"),
    ("no_hit", "No hit"),
    ("possible_hit", "Possible hit"),
    ("confirmed_hit", "Hit confirmed by the NCB"),
];
/// How firm the fraud conclusion is.
pub const CONCLUSION_LEVELS: CodeList = &[
    ("suspected", "Suspected"),
    ("established", "Established by the officer"),
    ("confirmed", "Confirmed by an expert or the issuer"),
];
/// What happened to the traveller.
pub const OUTCOMES: CodeList = &[
    ("refused_entry", "Refused entry"),
    ("refused_exit", "Refused exit"),
    ("arrested", "Arrested"),
    ("detained", "Detained"),
    ("asylum_request", "Asylum request"),
    ("admitted", "Admitted"),
    ("document_seized", "Document seized, person admitted"),
    ("other", "Other"),
];

/// Largest group size and document count accepted (a typo guard, not a policy).
pub const MAX_COUNT: u32 = 999;

/// The context fields an officer (or a script) sets with a classification; everything
/// the inspection cannot know. Applied by [`crate::Store::set_case_context`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContextUpdate {
    /// Detection point, route, group.
    pub context: CaseContext,
    /// Nationality the person claimed (defaults to the MRZ nationality).
    pub nationality_claimed: Option<String>,
    /// Nationality the officer established.
    pub nationality_established: Option<String>,
    /// SLTD lookup result.
    pub hotlist_result: Option<String>,
    /// How firm the conclusion is.
    pub conclusion_level: Option<String>,
    /// What happened to the traveller.
    pub outcome: Option<String>,
}

/// A context value that is not allowed, named by its field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct ContextError {
    /// The field (the record field name).
    pub field: String,
    /// What is wrong with it.
    pub problem: String,
}

impl ContextError {
    fn new(field: &str, problem: impl Into<String>) -> ContextError {
        ContextError {
            field: field.to_string(),
            problem: problem.into(),
        }
    }
}

/// Whether `code` is in `list`.
pub fn code_allowed(list: CodeList, code: &str) -> bool {
    list.iter().any(|(known, _)| *known == code)
}

/// The English label of a code, or the code itself.
pub fn code_label(list: CodeList, code: &str) -> &'static str {
    list.iter()
        .find(|(known, _)| *known == code)
        .map_or("?", |(_, label)| label)
}

/// Normalises a country field: upper case, fillers removed; `None` for blank.
/// Accepts any code `tdverify_mrz` knows (states, ICAO non-state codes, fictional issuers).
pub fn normalise_country(field: &str, value: &str) -> Result<Option<String>, ContextError> {
    let code = value.trim().trim_end_matches('<').to_uppercase();
    if code.is_empty() {
        return Ok(None);
    }
    if tdverify_mrz::issuer_kind(&code).is_none() {
        return Err(ContextError::new(
            field,
            format!("{value:?} is not an ICAO country code"),
        ));
    }
    Ok(Some(code))
}

fn check_code(field: &str, list: CodeList, value: &Option<String>) -> Result<(), ContextError> {
    match value {
        Some(code) if !code_allowed(list, code) => {
            let allowed: Vec<&str> = list.iter().map(|(c, _)| *c).collect();
            Err(ContextError::new(
                field,
                format!("{code:?} is not one of {}", allowed.join(", ")),
            ))
        }
        _ => Ok(()),
    }
}

fn check_country(field: &str, value: &mut Option<String>) -> Result<(), ContextError> {
    if let Some(v) = value.as_deref() {
        *value = normalise_country(field, v)?;
    }
    Ok(())
}

/// A station-defined area code: letters, digits, `-` and `_`, at most 32 characters
/// (it is exported, so it must not be free text).
fn check_area(value: &Option<String>) -> Result<(), ContextError> {
    if let Some(area) = value {
        let ok = !area.is_empty()
            && area.chars().count() <= 32
            && area
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !ok {
            return Err(ContextError::new(
                "detection_area",
                "use a short code of letters, digits, - and _ (at most 32)",
            ));
        }
    }
    Ok(())
}

impl ContextUpdate {
    /// Checks every code and normalises country codes in place. The first bad field is
    /// named in the error.
    pub fn validate(&mut self) -> Result<(), ContextError> {
        let ctx = &mut self.context;
        check_country("detection_country", &mut ctx.detection_country)?;
        check_area(&ctx.detection_area)?;
        check_code(
            "detection_point_type",
            DETECTION_POINT_TYPES,
            &ctx.detection_point_type,
        )?;
        check_code("detection_stage", DETECTION_STAGES, &ctx.detection_stage)?;
        check_code("travel_direction", TRAVEL_DIRECTIONS, &ctx.travel_direction)?;
        check_code("transport_mode", TRANSPORT_MODES, &ctx.transport_mode)?;
        check_country("route_embarkation", &mut ctx.route_embarkation)?;
        check_country("route_destination", &mut ctx.route_destination)?;
        if ctx.route_transits.len() > 3 {
            return Err(ContextError::new(
                "route_transits",
                "at most three transit countries",
            ));
        }
        let mut transits = Vec::new();
        for transit in &ctx.route_transits {
            if let Some(code) = normalise_country("route_transits", transit)? {
                transits.push(code);
            }
        }
        ctx.route_transits = transits;
        for (field, value) in [
            ("group_size", ctx.group_size),
            ("documents_held", ctx.documents_held),
        ] {
            if let Some(n) = value
                && !(1..=MAX_COUNT).contains(&n)
            {
                return Err(ContextError::new(
                    field,
                    format!("{n} is not between 1 and {MAX_COUNT}"),
                ));
            }
        }
        check_country("nationality_claimed", &mut self.nationality_claimed)?;
        check_country("nationality_established", &mut self.nationality_established)?;
        check_code("hotlist_result", HOTLIST_RESULTS, &self.hotlist_result)?;
        check_code(
            "conclusion_level",
            CONCLUSION_LEVELS,
            &self.conclusion_level,
        )?;
        check_code("outcome", OUTCOMES, &self.outcome)?;
        Ok(())
    }

    /// Parses the JSON object of `cases classify --context FILE.json`: its keys are the
    /// export record's field names. Unknown keys, wrong types and unknown codes are
    /// errors naming the key.
    pub fn from_json(text: &str) -> Result<ContextUpdate, ContextError> {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| ContextError::new("(file)", format!("not valid JSON: {e}")))?;
        let object = value
            .as_object()
            .ok_or_else(|| ContextError::new("(file)", "expected a JSON object"))?;
        let mut update = ContextUpdate::default();
        for (key, value) in object {
            let text = || -> Result<Option<String>, ContextError> {
                match value {
                    serde_json::Value::Null => Ok(None),
                    serde_json::Value::String(s) => Ok(Some(s.trim().to_string())),
                    _ => Err(ContextError::new(key, "expected a string or null")),
                }
            };
            let count = || -> Result<Option<u32>, ContextError> {
                match value {
                    serde_json::Value::Null => Ok(None),
                    serde_json::Value::Number(n) => n
                        .as_u64()
                        .and_then(|n| u32::try_from(n).ok())
                        .map(Some)
                        .ok_or_else(|| ContextError::new(key, "expected a whole number")),
                    _ => Err(ContextError::new(key, "expected a whole number or null")),
                }
            };
            let ctx = &mut update.context;
            match key.as_str() {
                "detection_country" => ctx.detection_country = text()?,
                "detection_area" => ctx.detection_area = text()?,
                "detection_point" => ctx.detection_point = text()?,
                "detection_point_type" => ctx.detection_point_type = text()?,
                "detection_stage" => ctx.detection_stage = text()?,
                "travel_direction" => ctx.travel_direction = text()?,
                "transport_mode" => ctx.transport_mode = text()?,
                "route_embarkation" => ctx.route_embarkation = text()?,
                "route_destination" => ctx.route_destination = text()?,
                "route_transits" => {
                    ctx.route_transits = match value {
                        serde_json::Value::Null => Vec::new(),
                        serde_json::Value::Array(items) => items
                            .iter()
                            .map(|item| {
                                item.as_str().map(str::to_string).ok_or_else(|| {
                                    ContextError::new(key, "expected a list of country codes")
                                })
                            })
                            .collect::<Result<_, _>>()?,
                        _ => {
                            return Err(ContextError::new(key, "expected a list of country codes"));
                        }
                    }
                }
                "group_size" | "group_size_band" => ctx.group_size = count()?,
                "documents_held" => ctx.documents_held = count()?,
                "nationality_claimed" => update.nationality_claimed = text()?,
                "nationality_established" => update.nationality_established = text()?,
                "hotlist_result" => update.hotlist_result = text()?,
                "conclusion_level" => update.conclusion_level = text()?,
                "outcome" => update.outcome = text()?,
                "fraud_type" | "forgery_methods" => {
                    return Err(ContextError::new(
                        key,
                        "set it with --fraud-type and --method, not in the context file",
                    ));
                }
                _ => {
                    return Err(ContextError::new(
                        key,
                        "not a context field (the inspection supplies the document and holder fields)",
                    ));
                }
            }
        }
        update.validate()?;
        Ok(update)
    }

    /// The context a case holds now (its index columns and holder profile).
    pub fn of_case(metadata: &CaseMetadata, holder: &HolderProfile) -> ContextUpdate {
        ContextUpdate {
            context: metadata.context.clone(),
            nationality_claimed: holder.nationality_claimed.clone(),
            nationality_established: holder.nationality_established.clone(),
            hotlist_result: metadata.hotlist_result.clone(),
            conclusion_level: metadata.conclusion_level.clone(),
            outcome: metadata.outcome.clone(),
        }
    }

    /// Fills fields this update leaves empty from `current` (the case's values), so a
    /// script or a form can send only what it changes.
    pub fn or(mut self, current: ContextUpdate) -> ContextUpdate {
        let (ctx, old) = (&mut self.context, current.context);
        macro_rules! keep {
            ($($field:ident),*) => {$( if ctx.$field.is_none() { ctx.$field = old.$field; } )*};
        }
        keep!(
            detection_country,
            detection_area,
            detection_point,
            detection_point_type,
            detection_stage,
            travel_direction,
            transport_mode,
            route_embarkation,
            route_destination,
            group_size,
            documents_held
        );
        if ctx.route_transits.is_empty() {
            ctx.route_transits = old.route_transits;
        }
        self.nationality_claimed = self.nationality_claimed.or(current.nationality_claimed);
        self.nationality_established = self.nationality_established.or(current.nationality_established);
        self.hotlist_result = self.hotlist_result.or(current.hotlist_result);
        self.conclusion_level = self.conclusion_level.or(current.conclusion_level);
        self.outcome = self.outcome.or(current.outcome);
        self
    }
}

/// The fields a case needs before it is submitted, by their record field names. Only a
/// fraud case (officer verdict `fraudulent`) becomes an export record, so only it needs
/// the context; other cases need nothing.
pub fn missing_for_submission(
    metadata: &CaseMetadata,
    holder: &HolderProfile,
    classification: &Classification,
) -> Vec<&'static str> {
    if classification.officer_verdict != Some(Verdict::Fraudulent) {
        return Vec::new();
    }
    let ctx = &metadata.context;
    let mut missing = Vec::new();
    let mut need = |field: &'static str, present: bool| {
        if !present {
            missing.push(field);
        }
    };
    need("fraud_type", classification.fraud_type.is_some());
    need("detection_country", ctx.detection_country.is_some());
    need("detection_point_type", ctx.detection_point_type.is_some());
    need("detection_stage", ctx.detection_stage.is_some());
    need("travel_direction", ctx.travel_direction.is_some());
    need("transport_mode", ctx.transport_mode.is_some());
    need("nationality_claimed", holder.nationality_claimed.is_some());
    need("conclusion_level", metadata.conclusion_level.is_some());
    need("outcome", metadata.outcome.is_some());
    missing
}

/// Record field names that [`missing_for_submission`] may return, for forms that mark
/// required fields before anything is missing.
pub const REQUIRED_FOR_FRAUD: &[&str] = &[
    "fraud_type",
    "detection_country",
    "detection_point_type",
    "detection_stage",
    "travel_direction",
    "transport_mode",
    "nationality_claimed",
    "conclusion_level",
    "outcome",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_file_names_the_bad_key() {
        let err =
            ContextUpdate::from_json(r#"{"detection_country":"D","colour":"red"}"#).unwrap_err();
        assert_eq!(err.field, "colour");
        let err = ContextUpdate::from_json(r#"{"travel_direction":"sideways"}"#).unwrap_err();
        assert_eq!(err.field, "travel_direction");
        assert!(err.problem.contains("entry"), "{}", err.problem);
        let err = ContextUpdate::from_json(r#"{"route_transits":["FRA","QQQ"]}"#).unwrap_err();
        assert_eq!(err.field, "route_transits");
        let err = ContextUpdate::from_json(r#"{"group_size":"two"}"#).unwrap_err();
        assert_eq!(err.field, "group_size");
        let err = ContextUpdate::from_json(r#"{"age_band":"18-20"}"#).unwrap_err();
        assert_eq!(err.field, "age_band");
        let err =
            ContextUpdate::from_json(r#"{"detection_area":"North district; John"}"#).unwrap_err();
        assert_eq!(err.field, "detection_area");
        assert!(ContextUpdate::from_json("[1]").is_err());
        assert!(ContextUpdate::from_json("{").is_err());
    }

    #[test]
    fn context_file_normalises_countries() {
        let update = ContextUpdate::from_json(
            r#"{"detection_country":"d<<","route_transits":["fra"," tur "],"nationality_claimed":"UTO",
                "group_size":3,"outcome":"refused_entry","detection_point_type":"air"}"#,
        )
        .unwrap();
        assert_eq!(update.context.detection_country.as_deref(), Some("D"));
        assert_eq!(update.context.route_transits, vec!["FRA", "TUR"]);
        assert_eq!(update.context.group_size, Some(3));
        assert_eq!(update.nationality_claimed.as_deref(), Some("UTO"));
    }

    #[test]
    fn only_fraud_cases_need_the_context() {
        let mut classification = Classification {
            officer_verdict: Some(Verdict::Genuine),
            ..Classification::default()
        };
        let meta = CaseMetadata::default();
        let holder = HolderProfile::default();
        assert!(missing_for_submission(&meta, &holder, &classification).is_empty());
        classification.officer_verdict = Some(Verdict::Fraudulent);
        assert_eq!(
            missing_for_submission(&meta, &holder, &classification),
            REQUIRED_FOR_FRAUD
        );
    }

    #[test]
    fn random_context_files_never_panic() {
        use proptest::prelude::*;
        proptest!(|(text in ".{0,200}")| {
            let _ = ContextUpdate::from_json(&text);
        });
        proptest!(|(key in "[a-z_]{1,24}", value in "[ -~]{0,12}", n in any::<i64>())| {
            let _ = ContextUpdate::from_json(&format!("{{\"{key}\": \"{}\"}}", value.replace(['"', '\\'], "")));
            let _ = ContextUpdate::from_json(&format!("{{\"{key}\": {n}}}"));
        });
    }
}
