//! Data checks that need no image: expiry, plausibility of issuer and dates,
//! and VIZ against MRZ when VIZ text is available.

use std::collections::BTreeMap;

use tdverify_core::{Check, CheckStatus, Evidence};
use tdverify_mrz::{Mrz, MrzDate, PrintedDate, names_equivalent};

use crate::reference::{Template, VizField};

/// `document.expiry`: the document is valid on the inspection date.
pub fn expiry(mrz: Option<&Mrz>, today: &MrzDate) -> Check {
    const ID: &str = "document.expiry";
    let Some(mrz) = mrz else {
        return Check::new(
            ID,
            CheckStatus::NotApplicable,
            "No MRZ read: expiry unknown.",
        );
    };
    let Some(printed) = mrz.expiry_date.as_ref() else {
        return Check::new(
            ID,
            CheckStatus::Error,
            "The MRZ date of expiry is unreadable.",
        );
    };
    let Some(expiry) = printed.resolve_expiry(today) else {
        return Check::new(
            ID,
            CheckStatus::Error,
            format!(
                "The MRZ date of expiry {} is not a calendar date.",
                printed.printed()
            ),
        );
    };
    let evidence =
        Evidence::source("mrz:expiry_date").with_detail(format!("expiry {}", iso(&expiry)));
    if expiry.is_before(today) {
        Check::fail(
            ID,
            format!(
                "Document expired on {} (inspection date {}).",
                iso(&expiry),
                iso(today)
            ),
        )
        .with_evidence(evidence)
    } else {
        Check::pass(ID, format!("Document valid until {}.", iso(&expiry))).with_evidence(evidence)
    }
}

fn iso(date: &MrzDate) -> String {
    date.to_iso()
        .unwrap_or_else(|| format!("{:04}-??-??", date.year))
}

/// `document.plausibility`: issuer known, dates in order, validity period plausible.
pub fn plausibility(mrz: Option<&Mrz>, template: Option<&Template>, today: &MrzDate) -> Check {
    const ID: &str = "document.plausibility";
    let Some(mrz) = mrz else {
        return Check::new(ID, CheckStatus::NotApplicable, "No MRZ read.");
    };
    let mut problems = Vec::new();
    if tdverify_mrz::issuer_kind(&mrz.issuing_state).is_none() {
        problems.push(format!(
            "issuing state code {} exists in no ICAO list",
            mrz.issuing_state
        ));
    }
    let birth = mrz.birth_date.as_ref().and_then(|d| d.resolve_birth(today));
    let expiry = mrz
        .expiry_date
        .as_ref()
        .and_then(|d| d.resolve_expiry(today));
    if let Some(birth) = birth {
        if birth.is_after(today) {
            problems.push(format!("date of birth {} is in the future", iso(&birth)));
        }
        if let Some(expiry) = expiry
            && !expiry.is_after(&birth)
        {
            problems.push(format!(
                "expiry {} is not after birth {}",
                iso(&expiry),
                iso(&birth)
            ));
        }
    }
    if let (Some(expiry), Some(template)) = (expiry, template)
        && let Some(first) = template.document.first_issued
        && i32::from(expiry.year) < i32::from(first)
    {
        problems.push(format!(
            "expiry {} is before this model was first issued ({first})",
            iso(&expiry)
        ));
    }
    if let Some(expiry) = expiry
        && i32::from(expiry.year)
            > i32::from(today.year) + i32::from(tdverify_mrz::MAX_YEARS_OF_VALIDITY_AHEAD)
    {
        problems.push(format!(
            "expiry {} is further ahead than any document is valid",
            iso(&expiry)
        ));
    }
    if problems.is_empty() {
        Check::pass(ID, "Issuer known and dates plausible.")
    } else {
        Check::fail(
            ID,
            format!("Implausible document data: {}.", problems.join("; ")),
        )
        .with_confidence(0.8)
        .with_evidence(Evidence::source("mrz"))
    }
}

/// `consistency.viz_vs_mrz`: compares VIZ fields read from the page (by an
/// OCR stage, or typed by the officer) with the MRZ. Without VIZ text it is
/// NotApplicable and says so: guessing would only add false alarms.
pub fn viz_vs_mrz(
    mrz: Option<&Mrz>,
    viz: Option<&BTreeMap<VizField, String>>,
    today: &MrzDate,
) -> Check {
    const ID: &str = "consistency.viz_vs_mrz";
    let (Some(mrz), Some(viz)) = (mrz, viz) else {
        return Check::new(
            ID,
            CheckStatus::NotApplicable,
            "VIZ text was not read (no VIZ reader yet): compare the printed name, number and dates with the MRZ by eye.",
        );
    };
    let mut compared = 0;
    let mut differences = Vec::new();
    let mut compare = |label: &str, same: bool, printed: &str, in_mrz: &str| {
        compared += 1;
        if !same {
            differences.push(format!("{label}: VIZ `{printed}`, MRZ `{in_mrz}`"));
        }
    };
    if let Some(number) = viz.get(&VizField::DocumentNumber) {
        let cleaned: String = number
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_uppercase();
        compare(
            "document number",
            cleaned == mrz.document_number,
            number,
            &mrz.document_number,
        );
    }
    for (field, printed_mrz, is_birth) in [
        (VizField::BirthDate, mrz.birth_date.as_ref(), true),
        (VizField::ExpiryDate, mrz.expiry_date.as_ref(), false),
    ] {
        let (Some(text), Some(in_mrz)) = (viz.get(&field), printed_mrz) else {
            continue;
        };
        let in_mrz_date = if is_birth {
            in_mrz.resolve_birth(today)
        } else {
            in_mrz.resolve_expiry(today)
        };
        let viz_date = parse_viz_date(text);
        let same = match (viz_date, in_mrz_date) {
            (Some(v), Some(m)) => v == m,
            _ => PrintedDate::read(text).is_some_and(|p| &p == in_mrz),
        };
        compare(field.as_str(), same, text, &in_mrz.printed());
    }
    if let Some(surname) = viz.get(&VizField::Surname) {
        compare(
            "surname",
            names_equivalent(&mrz.surname, surname),
            surname,
            &mrz.surname,
        );
    }
    if let Some(given) = viz.get(&VizField::GivenNames) {
        compare(
            "given names",
            names_equivalent(&mrz.given_names, given),
            given,
            &mrz.given_names,
        );
    }
    if compared == 0 {
        return Check::new(
            ID,
            CheckStatus::NotApplicable,
            "No VIZ field that the MRZ also holds was read.",
        );
    }
    if differences.is_empty() {
        Check::pass(ID, format!("{compared} VIZ fields agree with the MRZ."))
    } else {
        Check::fail(
            ID,
            format!("VIZ and MRZ disagree: {}.", differences.join("; ")),
        )
        .with_evidence(Evidence::source("viz"))
    }
}

/// Reads a VIZ date such as `09 MAY 1985` or `09.05.1985`.
pub fn parse_viz_date(text: &str) -> Option<MrzDate> {
    const MONTHS: [&str; 12] = [
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ];
    let parts: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == '.' || c == '/' || c == '-')
        .filter(|p| !p.is_empty())
        .collect();
    let [day, month, year] = parts.as_slice() else {
        return None;
    };
    let day: u8 = day.parse().ok()?;
    let year: u16 = year.parse().ok()?;
    let upper = month.to_uppercase();
    let month: u8 = match upper.parse::<u8>() {
        Ok(m) => m,
        Err(_) => MONTHS
            .iter()
            .position(|m| upper.starts_with(m))
            .map(|i| i as u8 + 1)?,
    };
    let date = MrzDate::new(year, month, day);
    date.is_valid().then_some(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viz_dates_parse() {
        assert_eq!(
            parse_viz_date("09 MAY 1985"),
            Some(MrzDate::new(1985, 5, 9))
        );
        assert_eq!(
            parse_viz_date("13.10.2031"),
            Some(MrzDate::new(2031, 10, 13))
        );
        assert_eq!(parse_viz_date("31 FEB 2000"), None);
        assert_eq!(parse_viz_date("garbage"), None);
    }

    #[test]
    fn expiry_compares_with_today() {
        let mrz = tdverify_mrz::parse(
            "P<UTOKOWALCZYK<<DORDE<<<<<<<<<<<<<<<<<<<<<<<\nTG94599681UTO8505095M31101313123247100<<<<98",
        )
        .unwrap();
        assert_eq!(
            expiry(Some(&mrz), &MrzDate::new(2026, 1, 1)).status,
            CheckStatus::Pass
        );
        assert_eq!(
            expiry(Some(&mrz), &MrzDate::new(2032, 1, 1)).status,
            CheckStatus::Fail
        );
        assert_eq!(
            plausibility(Some(&mrz), None, &MrzDate::new(2026, 1, 1)).status,
            CheckStatus::Pass
        );
    }

    #[test]
    fn viz_without_text_is_not_applicable() {
        assert_eq!(
            viz_vs_mrz(None, None, &MrzDate::new(2026, 1, 1)).status,
            CheckStatus::NotApplicable
        );
    }
}
