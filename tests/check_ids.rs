//! docs/CHECKS.md is the one table of check ids (the UI, reports, exports and
//! training scores rely on them). It is generated from every crate's
//! `CHECK_IDS`; this test fails when it is out of date.
//! Regenerate with: TDVERIFY_BLESS=1 cargo nextest run -p tdverify check_id

use tdverify::core::CheckIdInfo;
use tdverify::inspect::verdict::{effect_of, rule_for};

fn sources() -> [(&'static str, &'static [CheckIdInfo]); 7] {
    [
        ("MRZ (`tdverify-mrz`)", tdverify::mrz::CHECK_IDS),
        ("Inspection (`tdverify-inspect`)", tdverify::inspect::CHECK_IDS),
        ("Document and security features (`tdverify-document`)", tdverify::document::CHECK_IDS),
        ("Chip access, reading, AA, CA (`tdverify-chip`)", tdverify::chip::CHECK_IDS),
        ("Passive authentication (`tdverify-pki`)", tdverify::pki::CHECK_IDS),
        ("Chip against the printed page (`tdverify::chip_session`)", tdverify::chip_session::consistency::CHECK_IDS),
        ("Faces (`tdverify-face`)", tdverify::face::CHECK_IDS),
    ]
}

/// An id as the verdict rules see it (`capture.quality.*` is the family `capture.quality`).
fn family(id: &str) -> &str {
    id.strip_suffix(".*").unwrap_or(id)
}

fn table() -> String {
    let mut out = String::from(
        "# Check ids\n\nEvery finding tdverify reports is a check with one of these stable ids. The UI, the\n\
         case reports, the exports and training scores rely on them: never rename one; add new\n\
         ids instead. Generated from each crate's `CHECK_IDS` by `tests/check_ids.rs`\n\
         (`TDVERIFY_BLESS=1 cargo nextest run -p tdverify check_id`).\n\n\
         A check's status is one of `pass`, `fail`, `warn` (for the officer to look at),\n\
         `error` (could not be checked; with a recapture reason when the capture stopped it),\n\
         `not_checked` (its reading could not be trusted: compare by eye) and `not_applicable`;\n\
         its evidence points at a light and a region of that light's image, or at a source such\n\
         as `chip:DG1`.\n\n\
         The column *verdict* says what an outcome does to the proposed verdict\n\
         (`crates/inspect/src/verdict.rs`): a fraud sign's failure proposes \"fraudulent\";\n\
         \"review\" asks the officer to look; \"information only\" is shown and never\n\
         changes the verdict. Whatever the id, `not_checked` never changes the verdict, and\n\
         an `error` with a recapture reason proposes \"recapture\".\n",
    );
    for (title, ids) in sources() {
        out.push_str(&format!("\n## {title}\n\n| id | checks that | verdict |\n|---|---|---|\n"));
        for info in ids {
            out.push_str(&format!(
                "| `{}` | {} | {} |\n",
                info.id,
                info.meaning.replace('|', "\\|"),
                effect_of(family(info.id)).describe()
            ));
        }
    }
    out
}

#[test]
fn check_id_table_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/CHECKS.md");
    let expected = table();
    if std::env::var_os("TDVERIFY_BLESS").is_some() {
        std::fs::write(&path, &expected).unwrap();
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(actual == expected, "docs/CHECKS.md is out of date: run TDVERIFY_BLESS=1 cargo nextest run -p tdverify check_id");
}

#[test]
fn check_ids_are_unique_and_dotted() {
    let text = table();
    let ids: Vec<&str> = text.lines().filter_map(|l| l.strip_prefix("| `")).filter_map(|l| l.split('`').next()).collect();
    let mut seen = std::collections::HashSet::new();
    for id in &ids {
        assert!(id.contains('.'), "{id} is not a dotted id");
        assert!(id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '*' | '<' | '>' | 'D' | 'G')), "{id} has odd characters");
        assert!(seen.insert(*id), "{id} is listed twice");
    }
    assert!(ids.len() > 40);
}

#[test]
fn every_check_id_has_a_verdict_rule() {
    for (title, ids) in sources() {
        for info in ids {
            assert!(rule_for(family(info.id)).is_some(), "{} ({title}) has no rule in crates/inspect/src/verdict.rs VERDICT_RULES", info.id);
        }
    }
}
