//! `sltd.hit`: the document looked up on the station's offline SLTD hotlist, by the
//! printed MRZ and, when the chip was read, by DG1 too (a chip that names another
//! document is looked up as well). A hit is only ever a *possible* hit: it asks the
//! officer to confirm with the national central bureau, and by itself sends the case to
//! review, never to "fraudulent".

use tdverify_core::{Check, Evidence};
use tdverify_mrz::{Mrz, MrzDate};
use tdverify_sltd::{DocumentKey, Hotlist, Lookup, days_from_iso};

/// Check id.
pub const CHECK_ID: &str = "sltd.hit";

/// Days since 1970 of an inspection date (unknown month or day: the 1st).
fn days(date: MrzDate) -> i64 {
    let iso = format!("{:04}-{:02}-{:02}", date.year, date.month.unwrap_or(1), date.day.unwrap_or(1));
    days_from_iso(&iso).unwrap_or(0)
}

fn key_of(mrz: &Mrz) -> DocumentKey {
    DocumentKey::new(&mrz.document_code, &mrz.issuing_state, &mrz.document_number)
}

/// The check for the document read as `printed` (and `dg1`, the chip's MRZ text, when
/// read) against `hotlist`, on `today` (the list carries the station's maximum age).
pub fn check(hotlist: Option<&Hotlist>, printed: Option<&Mrz>, dg1: Option<&str>, today: MrzDate) -> Check {
    let Some(hotlist) = hotlist else {
        return Check::not_checked(CHECK_ID, "Not checked: no stolen and lost documents hotlist is loaded (an administrator imports one).");
    };
    let mut keys: Vec<(DocumentKey, &str)> = Vec::new();
    if let Some(mrz) = printed {
        keys.push((key_of(mrz), "printed MRZ"));
    }
    if let Some(chip) = dg1.and_then(|text| tdverify_mrz::parse(text).ok()) {
        let key = key_of(&chip);
        if keys.iter().all(|(k, _)| *k != key) {
            keys.push((key, "chip (DG1)"));
        }
    }
    if keys.is_empty() {
        return Check::not_checked(CHECK_ID, "Not checked: no document number was read; look the document up by hand.");
    }
    let today = days(today);
    let mut answer = None;
    for (key, source) in &keys {
        let lookup = hotlist.lookup(key, today);
        if let Lookup::PossibleHit { hit, as_of } = &lookup {
            return Check::fail(
                CHECK_ID,
                format!(
                    "Possible hit: reported {} on {} (hotlist as of {as_of}, {source}); confirm with the national central bureau before any action.",
                    hit.status.as_str().replace('_', " "),
                    hit.reported
                ),
            )
            .with_evidence(Evidence::source("sltd").with_detail(format!("{} {}, as of {as_of}", hit.status.as_str(), hit.reported)));
        }
        answer.get_or_insert(lookup);
    }
    match answer {
        Some(Lookup::NoHit { as_of }) => {
            Check::pass(CHECK_ID, format!("Not on the stolen and lost documents hotlist as of {as_of}."))
        }
        Some(Lookup::Stale { as_of, age_days }) => Check::not_checked(
            CHECK_ID,
            format!(
                "Not checked: the hotlist is {age_days} days old (as of {as_of}, limit {} days); import a current one.",
                hotlist.status(today).max_age_days
            ),
        ),
        _ => Check::not_checked(CHECK_ID, "Not checked: the document number, issuing state or type is incomplete."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tdverify_sltd::{BundleWriter, Entry, Status, test_only_signer};

    fn hotlist(dir: &std::path::Path) -> Hotlist {
        let mut writer = BundleWriter::new("TEST-ONLY NCB", "2026-12-01", [3u8; 32]).unwrap();
        writer
            .add(&Entry { document: DocumentKey::new("P", "UTO", "L898902C3"), status: Status::StolenBlank, reported_days: 20_000 })
            .unwrap();
        Hotlist::import_bytes(dir, writer.finish(&test_only_signer()).unwrap(), &tdverify_sltd::test_bundle::test_only_trust(), false).unwrap();
        Hotlist::load(dir).unwrap().unwrap()
    }

    const LISTED: &str = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";
    const OTHER: &str = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C<3UTO7408122F1204159ZE184226B<<<<<10";

    #[test]
    fn hit_no_hit_stale_and_no_list() {
        let dir = tempfile::tempdir().unwrap();
        let list = hotlist(dir.path());
        let today = MrzDate::new(2026, 12, 3);
        let listed = tdverify_mrz::parse(LISTED).unwrap();
        let hit = check(Some(&list), Some(&listed), None, today);
        assert_eq!(hit.status, tdverify_core::CheckStatus::Fail);
        assert!(hit.message.contains("Possible hit: reported stolen blank on"), "{}", hit.message);
        assert!(hit.message.contains("confirm with the national central bureau"), "{}", hit.message);
        assert!(!hit.message.to_lowercase().contains("is stolen"));
        let other = tdverify_mrz::parse(OTHER).unwrap();
        let clean = check(Some(&list), Some(&other), None, today);
        assert_eq!(clean.status, tdverify_core::CheckStatus::Pass);
        assert_eq!(clean.message, "Not on the stolen and lost documents hotlist as of 2026-12-01.");
        // The chip names the listed document although the print does not.
        let via_chip = check(Some(&list), Some(&other), Some(LISTED), today);
        assert_eq!(via_chip.status, tdverify_core::CheckStatus::Fail);
        assert!(via_chip.message.contains("chip (DG1)"));
        let stale = check(Some(&list), Some(&other), None, MrzDate::new(2026, 12, 20));
        assert_eq!(stale.status, tdverify_core::CheckStatus::NotChecked);
        let none = check(None, Some(&listed), None, today);
        assert_eq!(none.status, tdverify_core::CheckStatus::NotChecked);
        let unread = check(Some(&list), None, None, today);
        assert_eq!(unread.status, tdverify_core::CheckStatus::NotChecked);
        // A possible hit alone is a review, never fraud.
        assert_eq!(crate::verdict::propose(&[hit]).proposed, tdverify_core::Verdict::Review);
    }
}
