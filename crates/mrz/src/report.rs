//! CLI-facing output: the stable JSON contract of `tdverify mrz --json` and a
//! readable terminal table.
//!
//! JSON shape (stable; tools outside the project rely on it):
//! ```json
//! { "format": "TD3", "variant": null, "valid": true,
//!   "inspection_date": "2026-11-25",
//!   "fields": { "document_code": "P", "issuing_state": "UTO", "document_number": "L898902C3",
//!               "birth_date": "1974-08-12", "sex": "F", "expiry_date": "2012-04-15",
//!               "nationality": "UTO", "surname": "ERIKSSON", "given_names": "ANNA MARIA",
//!               "optional_data": "ZE184226B", "optional_data_2": null },
//!   "field_valid": { "document_number": true, "birth_date": true, "expiry_date": true, … },
//!   "checks": [ { "id": "mrz.check_digit.number", "status": "pass", "message": "…" } ],
//!   "lines": [ "P<UTOERIKSSON<<…", "L898902C36UTO…" ] }
//! ```
//! `format` is one of `TD1|TD2|TD3|MRVA|MRVB`; the French 1988 card reports
//! `"format": "TD2", "variant": "french_id"` (it has TD2's size; the contract
//! has no French value). `variant` is `null` for ICAO layouts. Dates are
//! `YYYY-MM-DD`, or null when unknown in part or unreadable; centuries are
//! resolved against the inspection date (see [`crate::date`]). `sex` is
//! `M`, `F`, `X` (both unspecified forms) or null when unreadable. Fields a
//! layout does not have are null (`expiry_date` and `nationality` on the
//! French card, `optional_data_2` outside TD1). `valid` is true only if every
//! check digit and grammar rule holds (expiry and known codes do not count).
//! `field_valid` says per field whether its grammar and its own check digit
//! hold (null where the layout lacks the field), for UIs that colour fields.

use serde_json::{json, Value};
use tdverify_core::{Check, CheckStatus};

use crate::date::MrzDate;
use crate::fields::Field;
use crate::layout::layout;
use crate::parse::Mrz;
use crate::MrzFormat;

/// The JSON object of the CLI contract (see the module documentation).
pub fn report_json(mrz: &Mrz, checks: &[Check], inspection_date: MrzDate) -> Value {
    let layout = layout(mrz.format);
    let birth = mrz.birth_date.and_then(|d| d.resolve_birth(&inspection_date)).filter(MrzDate::is_valid).and_then(|d| d.to_iso());
    let expiry = mrz.expiry_date.and_then(|d| d.resolve_expiry(&inspection_date)).filter(MrzDate::is_valid).and_then(|d| d.to_iso());
    let nationality = layout.nationality.map(|_| mrz.nationality.clone());
    let optional_2 = layout.optional_data_2.map(|_| mrz.optional_data_2.clone());
    json!({
        "format": mrz.format.contract_name(),
        "variant": if mrz.format == MrzFormat::FrenchId { Some("french_id") } else { None },
        "valid": mrz.is_valid(),
        "inspection_date": inspection_date.to_iso(),
        "fields": {
            "document_code": mrz.document_code,
            "issuing_state": mrz.issuing_state,
            "document_number": mrz.document_number,
            "birth_date": birth,
            "sex": mrz.sex.map(|s| s.contract_value()),
            "expiry_date": expiry,
            "nationality": nationality,
            "surname": mrz.surname,
            "given_names": mrz.given_names,
            "optional_data": mrz.optional_data,
            "optional_data_2": optional_2,
        },
        "field_valid": {
            "document_code": mrz.field_valid(Field::DocumentCode),
            "issuing_state": mrz.field_valid(Field::IssuingState),
            "document_number": mrz.field_valid(Field::DocumentNumber),
            "birth_date": mrz.field_valid(Field::BirthDate),
            "sex": mrz.field_valid(Field::Sex),
            "expiry_date": layout.expiry_date.map(|_| mrz.field_valid(Field::ExpiryDate)),
            "nationality": layout.nationality.map(|_| mrz.field_valid(Field::Nationality)),
            "names": mrz.field_valid(Field::Names),
            "optional_data": layout.optional_data.map(|_| mrz.field_valid(Field::OptionalData)),
        },
        "checks": checks.iter().map(|c| json!({"id": c.id, "status": c.status.as_str(), "message": c.message})).collect::<Vec<_>>(),
        "lines": mrz.lines,
    })
}

/// A plain-text table for terminals: the lines, the fields, then every check
/// (failures first).
pub fn report_table(mrz: &Mrz, checks: &[Check], inspection_date: MrzDate) -> String {
    let report = report_json(mrz, checks, inspection_date);
    let mut out = String::new();
    out.push_str(&format!("MRZ: {}  —  {}\n", mrz.format.label(), if mrz.is_valid() { "VALID" } else { "NOT VALID" }));
    for line in &mrz.lines {
        out.push_str(&format!("  {line}\n"));
    }
    out.push('\n');
    let order = [
        ("Document code", "document_code"),
        ("Issuing state", "issuing_state"),
        ("Document number", "document_number"),
        ("Surname", "surname"),
        ("Given names", "given_names"),
        ("Nationality", "nationality"),
        ("Date of birth", "birth_date"),
        ("Sex", "sex"),
        ("Date of expiry", "expiry_date"),
        ("Optional data", "optional_data"),
        ("Optional data 2", "optional_data_2"),
    ];
    for (label, key) in order {
        let value = match &report["fields"][key] {
            Value::Null => "—".to_string(),
            Value::String(text) if text.is_empty() => "(empty)".to_string(),
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        out.push_str(&format!("  {label:<16} {value}\n"));
    }
    out.push('\n');
    let mut sorted: Vec<&Check> = checks.iter().collect();
    sorted.sort_by_key(|c| std::cmp::Reverse(c.status.severity()));
    for check in sorted {
        let mark = match check.status {
            CheckStatus::Pass => "PASS",
            CheckStatus::Fail => "FAIL",
            CheckStatus::Warn => "WARN",
            CheckStatus::NotApplicable => "n/a ",
            CheckStatus::Error => "ERR ",
            CheckStatus::NotChecked => "EYE ",
        };
        out.push_str(&format!("  {mark}  {:<30} {}\n", check.id, check.message));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{checks, parse};

    #[test]
    fn json_contract_shape() {
        let mrz = parse("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10").unwrap();
        let today = MrzDate::new(2026, 11, 25);
        let all = checks(&mrz, today);
        let json = report_json(&mrz, &all, today);
        assert_eq!(json["format"], "TD3");
        assert_eq!(json["variant"], Value::Null);
        assert_eq!(json["valid"], true);
        assert_eq!(json["fields"]["birth_date"], "1974-08-12");
        assert_eq!(json["fields"]["expiry_date"], "2012-04-15");
        assert_eq!(json["fields"]["sex"], "F");
        assert_eq!(json["fields"]["given_names"], "ANNA MARIA");
        assert_eq!(json["field_valid"]["document_number"], true);
        assert_eq!(json["checks"].as_array().unwrap().len(), all.len());
        assert!(json["checks"].as_array().unwrap().iter().any(|c| c["id"] == "mrz.expired" && c["status"] == "fail"));
        let table = report_table(&mrz, &all, today);
        assert!(table.contains("FAIL  mrz.expired"));
        assert!(table.contains("ERIKSSON"));
    }
}
