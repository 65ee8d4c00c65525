//! The chip against the printed page: DG1 must repeat the printed MRZ exactly,
//! and the DG11 name must be the MRZ name (allowing for transliteration).

use tdverify_core::{Check, CheckIdInfo, CheckStatus, Evidence};
use tdverify_mrz::Mrz;

/// Check ids of this module.
pub const CHECK_IDS: &[CheckIdInfo] = &[
    CheckIdInfo { id: "consistency.mrz_vs_dg1", meaning: "the MRZ in the chip (DG1) is the MRZ printed on the document" },
    CheckIdInfo { id: "consistency.mrz_vs_dg11_name", meaning: "the full name in the chip (DG11) is the MRZ name, allowing for ICAO transliteration" },
];

fn evidence(file: &str) -> Evidence {
    Evidence::source(format!("chip:{file}"))
}

/// `consistency.mrz_vs_dg1`: compares the printed MRZ with DG1, naming every field that differs.
pub fn mrz_vs_dg1(printed: Option<&Mrz>, dg1: Option<&[u8]>) -> Check {
    let id = "consistency.mrz_vs_dg1";
    let Some(printed) = printed else {
        return Check::new(id, CheckStatus::NotApplicable, "no printed MRZ given (chip opened with the CAN)");
    };
    let Some(dg1) = dg1 else {
        return Check::new(id, CheckStatus::Error, "DG1 was not read").with_confidence(0.0);
    };
    let chip_text = match tdverify_chip::lds::dg1::parse(dg1) {
        Ok(text) => text,
        Err(e) => return Check::fail(id, format!("DG1 is malformed: {e}")).with_evidence(evidence("DG1")),
    };
    let chip_lines = tdverify_chip::lds::dg1::lines(&chip_text);
    if chip_lines == printed.lines {
        return Check::pass(id, "the chip's MRZ (DG1) is the printed MRZ").with_evidence(evidence("DG1"));
    }
    let detail = format!("printed: {} | chip: {}", printed.lines.join(" / "), chip_lines.join(" / "));
    let differing = match tdverify_mrz::parse(&chip_lines.join("\n")) {
        Ok(chip) => differing_fields(printed, &chip),
        Err(_) => vec!["layout"],
    };
    let what = if differing.is_empty() { "fillers or check digits".to_string() } else { differing.join(", ") };
    Check::fail(id, format!("the chip's MRZ (DG1) differs from the printed MRZ: {what}")).with_evidence(evidence("DG1").with_detail(detail))
}

fn differing_fields(printed: &Mrz, chip: &Mrz) -> Vec<&'static str> {
    let date = |d: &Option<tdverify_mrz::PrintedDate>| d.as_ref().map(|d| d.printed());
    let pairs: [(&'static str, bool); 9] = [
        ("document code", printed.document_code == chip.document_code),
        ("issuing state", printed.issuing_state == chip.issuing_state),
        ("document number", printed.document_number == chip.document_number),
        ("date of birth", date(&printed.birth_date) == date(&chip.birth_date)),
        ("sex", printed.sex == chip.sex),
        ("date of expiry", date(&printed.expiry_date) == date(&chip.expiry_date)),
        ("nationality", printed.nationality == chip.nationality),
        ("surname", printed.surname == chip.surname),
        ("given names", printed.given_names == chip.given_names),
    ];
    let mut differing: Vec<&'static str> = pairs.iter().filter(|(_, same)| !same).map(|(name, _)| *name).collect();
    if printed.optional_data != chip.optional_data || printed.optional_data_2 != chip.optional_data_2 {
        differing.push("optional data");
    }
    differing
}

/// `consistency.mrz_vs_dg11_name`: the DG11 full name against the MRZ name (printed, else DG1's).
/// `None` when the chip has no DG11 name.
pub fn mrz_vs_dg11_name(mrz: Option<&Mrz>, dg11: Option<&[u8]>) -> Option<Check> {
    let id = "consistency.mrz_vs_dg11_name";
    let dg11 = dg11?;
    let parsed = match tdverify_chip::lds::dg11::Dg11::parse(dg11) {
        Ok(parsed) => parsed,
        Err(e) => return Some(Check::fail(id, format!("DG11 is malformed: {e}")).with_evidence(evidence("DG11"))),
    };
    let written = parsed.full_name?;
    let Some(mrz) = mrz else {
        return Some(Check::new(id, CheckStatus::NotApplicable, "no MRZ to compare the DG11 name with"));
    };
    let mrz_name = format!("{}<<{}", mrz.surname, mrz.given_names);
    let detail = format!("MRZ: {} {} | DG11: {written}", mrz.surname, mrz.given_names);
    if tdverify_mrz::names_equivalent(&mrz_name, &written) {
        return Some(Check::pass(id, "the chip's full name (DG11) is the MRZ name").with_evidence(evidence("DG11").with_detail(detail)));
    }
    if mrz.name_may_be_truncated {
        let canonical = |t: &str| tdverify_mrz::transliterate(t).replace(['<', ' ', '-'], "");
        if canonical(&written).starts_with(&canonical(&mrz_name)) {
            return Some(
                Check::pass(id, "the chip's full name (DG11) matches the MRZ name, which is truncated")
                    .with_evidence(evidence("DG11").with_detail(detail)),
            );
        }
    }
    Some(Check::fail(id, "the chip's full name (DG11) is not the MRZ name").with_evidence(evidence("DG11").with_detail(detail)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tdverify_chip::lds::dg11::Dg11;

    const LINES: [&str; 2] = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C<3UTO7408122F1204159ZE184226B<<<<<10"];

    fn printed() -> Mrz {
        tdverify_mrz::parse(&LINES.join("\n")).expect("specimen parses")
    }

    #[test]
    fn identical_dg1_passes_and_other_name_fails_naming_the_field() {
        let same = tdverify_chip::lds::dg1::encode(&LINES);
        assert_eq!(mrz_vs_dg1(Some(&printed()), Some(&same)).status, CheckStatus::Pass);
        let other = tdverify_chip::lds::dg1::encode(&["P<UTOANDERSSON<<ANNA<<<<<<<<<<<<<<<<<<<<<<<<", LINES[1]]);
        let check = mrz_vs_dg1(Some(&printed()), Some(&other));
        assert_eq!(check.status, CheckStatus::Fail);
        assert!(check.message.contains("surname") && check.message.contains("given names"), "{}", check.message);
    }

    #[test]
    fn garbage_dg1_is_a_failure_not_a_panic() {
        assert_eq!(mrz_vs_dg1(Some(&printed()), Some(&[0x61, 0x05, 0x5F])).status, CheckStatus::Fail);
        assert_eq!(mrz_vs_dg1(None, None).status, CheckStatus::NotApplicable);
    }

    #[test]
    fn dg11_name_with_national_characters_matches() {
        let dg11 = Dg11 { full_name: Some("ERIKSSON<<ANNA MARIA".into()), ..Dg11::default() }.encode();
        assert_eq!(mrz_vs_dg11_name(Some(&printed()), Some(&dg11)).map(|c| c.status), Some(CheckStatus::Pass));
        let accented = Dg11 { full_name: Some("ERIKSSON<<ANNA MARÍA".into()), ..Dg11::default() }.encode();
        assert_eq!(mrz_vs_dg11_name(Some(&printed()), Some(&accented)).map(|c| c.status), Some(CheckStatus::Pass));
        let other = Dg11 { full_name: Some("NILSSON<<KARIN".into()), ..Dg11::default() }.encode();
        assert_eq!(mrz_vs_dg11_name(Some(&printed()), Some(&other)).map(|c| c.status), Some(CheckStatus::Fail));
    }

    proptest::proptest! {
        #[test]
        fn random_chip_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            let _ = mrz_vs_dg1(Some(&printed()), Some(&bytes));
            let _ = mrz_vs_dg11_name(Some(&printed()), Some(&bytes));
        }
    }
}
