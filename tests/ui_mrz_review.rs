//! The MRZ panel's review of a reading, through egui_kittest:
//!
//! - a fixture document whose MRZ reading has doubtful characters is inspected:
//!   the crop and the doubtful characters are shown; the officer selects one,
//!   picks another candidate (the text and the hand-fix list change) and undoes it;
//!   changes the number's check digit with the one-character entry (the check fails
//!   at once), inspects again (the inspection carries the fix, the case draft counts
//!   it), and types in the text box (the same list, or none when it no longer lines up);
//! - readings with missing keys, boxes outside the image and an empty image are
//!   shown without a panic; the entry takes only MRZ characters; fixes do not
//!   follow a reading onto other images.

mod support;

use std::path::Path;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use tdverify::core::CheckStatus;
use tdverify::inspect::MrzHandFix;
use tdverify::inspect::mrz_review::{Doubt, ReadingView};
use tdverify::resources::Resources;
use tdverify::settings::Settings;
use tdverify::ui::{Screen, StartOptions, TdverifyApp};

fn harness(dir: &Path, resources: Resources) -> Harness<'static, TdverifyApp> {
    let settings = Settings { data_dir: dir.join("data"), ..Settings::default() };
    let start = StartOptions::on_screen(Screen::Document, Settings::file_in(dir));
    let app = TdverifyApp::new(settings, resources, start).with_manual_stages();
    Harness::builder().with_size([1400.0, 1000.0]).build_ui_state(|ui, app: &mut TdverifyApp| app.show(ui), app)
}

/// The panel's status of check `id` for its current text.
fn check_status(harness: &Harness<'static, TdverifyApp>, id: &str) -> Option<CheckStatus> {
    match &harness.state().document.mrz.outcome {
        Some(Ok((_, checks))) => checks.iter().find(|c| c.id == id).map(|c| c.status),
        _ => None,
    }
}

fn char_at(text: &str, line: usize, column: usize) -> Option<char> {
    tdverify::inspect::mrz_review::mrz_lines(text).get(line).and_then(|l| l.chars().nth(column))
}

fn cell_label(line: usize, column: usize, character: char) -> String {
    format!("Line {}, position {}: {character}", line + 1, column + 1)
}

#[test]
fn the_officer_reviews_a_doubtful_reading_and_fixes_it_by_hand() {
    let resources = Resources::discover();
    // Doubtful characters, and lines that still parse as an MRZ (so that there are checks to change).
    let (sample, _) = support::sample_whose_reading(&resources, |r| {
        support::has_character_under(r, 0.9) && tdverify::mrz::parse(&r.text()).is_ok()
    })
    .expect(
        "a fixture document whose MRZ reading has a character under 90 % (cargo xtask setup generates out/fixtures)",
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let mut harness = harness(dir.path(), resources);
    for (path, light) in &sample.images {
        harness.state_mut().document.open(path.clone(), Some(*light));
    }
    harness.state_mut().document.finish_loading();
    harness.run();

    let result = support::inspect(&mut harness);
    let outcome = result.mrz.clone().expect("an MRZ outcome");
    assert!(outcome.source.starts_with("ocr:"), "{}", outcome.source);
    let reading = ReadingView::from_json(outcome.reading.as_ref().expect("the reading JSON"));
    let read_text = reading.lines.join("\n");
    assert_eq!(
        harness.state().document.mrz.text,
        read_text,
        "{}: the reading is in the text box",
        sample.folder.display()
    );

    // The crop with the boxes, the doubtful characters counted, the status in words.
    harness.get_by_label("MRZ as read from the image (click a character)");
    harness.get_by_label_contains("worth a look");
    harness.get_by_label("below 90 %: check it");

    // A doubtful character: select it, see its candidates, pick another one.
    let (line, column, doubtful) = reading
        .characters
        .iter()
        .enumerate()
        .flat_map(|(l, chars)| chars.iter().enumerate().map(move |(c, ch)| (l, c, ch)))
        .find(|(_, _, c)| Doubt::of(c.confidence) != Doubt::None && c.candidates.iter().any(|(k, _)| *k != c.character))
        .expect("a doubtful character with another candidate");
    harness.get_by_label(&cell_label(line, column, doubtful.character)).click();
    harness.run();
    assert_eq!(harness.state().document.mrz.selected_character(), Some((line, column)));
    harness.get_by_label_contains(&format!("Line {}, position {}: read {}", line + 1, column + 1, doubtful.character));
    let (alternative, probability) =
        *doubtful.candidates.iter().find(|(k, _)| *k != doubtful.character).expect("another candidate");
    harness.get_by_label(&format!("Use {alternative} ({:.0} %)", probability * 100.0)).click();
    harness.run();
    assert_eq!(char_at(&harness.state().document.mrz.text, line, column), Some(alternative));
    let fix = MrzHandFix { line, column, from: doubtful.character, to: alternative };
    assert_eq!(harness.state().document.mrz.hand_fixes(), Some(&[fix][..]));
    harness.get_by_label(&format!(
        "• fixed by hand: line {}, position {}: {} ➡ {alternative}",
        line + 1,
        column + 1,
        doubtful.character
    ));
    // Undone: the reading again, nothing listed.
    harness.get_by_label(&format!("Undo the fix at line {}, position {}", line + 1, column + 1)).click();
    harness.run();
    assert_eq!(harness.state().document.mrz.text, read_text);
    assert_eq!(harness.state().document.mrz.hand_fixes(), Some(&[][..]));
    assert!(harness.query_by_label_contains("fixed by hand").is_none());

    // The document number's check digit, typed by hand: its check changes at once.
    let (line, column) = if reading.lines.len() == 3 { (0, 14) } else { (1, 9) };
    let printed = char_at(&read_text, line, column).expect("a check digit");
    let before = check_status(&harness, "mrz.check_digit.number").expect("the number's check digit is checked");
    let number_check = |text: &str| {
        let parsed = tdverify::mrz::parse(text).ok()?;
        tdverify::mrz::checks(&parsed, tdverify::clock::today_utc())
            .into_iter()
            .find(|c| c.id == "mrz.check_digit.number")
            .map(|c| c.status)
    };
    // A digit that makes it hold when it failed, or fail when it held.
    let other = ('0'..='9')
        .find(|&d| {
            d != printed
                && tdverify::inspect::mrz_review::set_char(&read_text, line, column, d)
                    .and_then(|t| number_check(&t))
                    .is_some_and(|s| s != before)
        })
        .expect("a digit that changes the check");
    let after = if before == CheckStatus::Pass { CheckStatus::Fail } else { CheckStatus::Pass };
    harness.get_by_label(&cell_label(line, column, printed)).click();
    harness.run();
    harness.get_by_label("Another character:").focus();
    harness.run();
    harness.get_by_label("Another character:").type_text(&other.to_string());
    harness.run();
    assert_eq!(char_at(&harness.state().document.mrz.text, line, column), Some(other));
    assert_eq!(check_status(&harness, "mrz.check_digit.number"), Some(after), "the check changed with the text");
    let fix = MrzHandFix { line, column, from: printed, to: other };
    assert_eq!(harness.state().document.mrz.hand_fixes(), Some(&[fix][..]));

    // Inspected again: the inspection carries the fix and keeps the reading; the case draft counts it.
    let result = support::inspect(&mut harness);
    let outcome = result.mrz.clone().expect("an MRZ outcome");
    assert!(outcome.source.ends_with("+officer"), "{}", outcome.source);
    assert_eq!(outcome.officer_fixes, vec![fix]);
    assert!(outcome.reading.is_some());
    assert!(
        result.checks.iter().any(|c| c.id == "mrz.check_digit.number" && c.status == after),
        "the inspection checked the corrected MRZ"
    );
    let draft = harness.state().document.inspection.draft.clone().expect("a draft").expect("a usable draft");
    assert_eq!(draft.mrz_hand_fixes, 1);
    assert_eq!(draft.inspection["mrz"]["officer_fixes"][0]["to"], other.to_string());
    keeps_the_fix_in_a_reopened_store(&draft, fix);
    // The panel still shows the fix against the reading.
    assert_eq!(harness.state().document.mrz.hand_fixes(), Some(&[fix][..]));
    harness.get_by_label_contains("fixed by hand");

    // Typing in the text box: back to the reading, then a change that no longer lines up.
    harness.state_mut().document.mrz.text = read_text.clone();
    harness.run();
    assert_eq!(harness.state().document.mrz.hand_fixes(), Some(&[][..]));
    harness.state_mut().document.mrz.text = format!("{read_text}<<");
    harness.run();
    assert_eq!(harness.state().document.mrz.hand_fixes(), None);
    harness.get_by_label_contains("no longer lines up with the reading");
    assert_eq!(
        harness.state().document.mrz.inspection_input().0.as_deref(),
        Some(format!("{read_text}<<").as_str()),
        "used as typed"
    );
}

/// Saves `draft` in a new SQLite store, reopens it, and finds `fix` in the case and
/// the count (no characters) in the audit log.
fn keeps_the_fix_in_a_reopened_store(draft: &tdverify::store::CaseDraft, fix: MrzHandFix) {
    use tdverify::store::{Role, Store, StoreOptions};
    const PASSPHRASE: &str = "TEST-ONLY station passphrase";
    const PASSWORD: &str = "TEST-ONLY user password";
    let dir = tempfile::tempdir().expect("temp dir");
    let case_id = {
        let store = Store::initialize(dir.path(), PASSPHRASE, StoreOptions::test_only_fast()).expect("a store");
        store.create_first_admin("admin", PASSWORD).expect("admin");
        let admin = store.login("admin", PASSWORD).expect("admin login");
        store.create_user(&admin, "officer", PASSWORD, Role::Officer).expect("officer");
        store.create_user(&admin, "auditor", PASSWORD, Role::Auditor).expect("auditor");
        let officer = store.login("officer", PASSWORD).expect("officer login");
        store.create_case(&officer, draft).expect("saved")
    };
    let store = Store::open(dir.path(), PASSPHRASE, StoreOptions::test_only_fast()).expect("reopened");
    let officer = store.login("officer", PASSWORD).expect("officer login");
    let case = store.open_case(&officer, &case_id).expect("the case");
    let kept: Vec<MrzHandFix> =
        serde_json::from_value(case.inspection["mrz"]["officer_fixes"].clone()).expect("the fixes");
    assert_eq!(kept, vec![fix]);
    assert!(case.inspection["mrz"]["reading"]["characters"].is_array(), "the reading is kept as evidence");
    assert!(case.inspection["mrz"]["source"].as_str().is_some_and(|s| s.ends_with("+officer")));
    let auditor = store.login("auditor", PASSWORD).expect("auditor login");
    let entries = store.audit_entries(&auditor, 0, 1000).expect("audit");
    let created = entries
        .iter()
        .find(|e| e.case_id.as_deref() == Some(case_id.as_str()) && e.action == "create")
        .expect("the creation");
    assert_eq!(created.detail, "draft; MRZ corrected by hand (1 character)");
}

#[test]
fn readings_with_missing_keys_odd_boxes_or_no_image_are_shown_without_a_panic() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut harness = harness(dir.path(), Resources::in_home(dir.path()));
    harness.run();
    let date = tdverify::clock::today_utc();
    let image = image::DynamicImage::new_rgba8(200, 60);
    let empty = image::DynamicImage::new_rgba8(0, 0);
    let cases: Vec<(serde_json::Value, Option<&image::DynamicImage>, &str)> = vec![
        (serde_json::Value::Null, None, "The image the MRZ was read from is no longer open."),
        (
            serde_json::json!({"lines": ["AB<", "123"], "status": "low_confidence"}),
            Some(&image),
            "Where the MRZ lies on the image is not known: use the characters below.",
        ),
        (
            serde_json::json!({
                "lines": ["AB<", "123"],
                "status": "unreadable",
                "quadrilateral": [[5000, 5000], [5300, 5000], [5300, 5040], [5000, 5040]],
                "characters": [[{"char": "A", "confidence": 0.2, "box": {"x": -50, "y": 9e9, "w": 10, "h": 10}, "candidates": [["A", 0.2], ["4", 0.1]]}], []],
            }),
            Some(&image),
            "The characters could not be read: type the MRZ from the document.",
        ),
        (
            serde_json::json!({"lines": ["AB<"], "quadrilateral": [[0, 0], [100, 0], [100, 20], [0, 20]]}),
            Some(&empty),
            "Where the MRZ lies on the image is not known: use the characters below.",
        ),
    ];
    for (json, image, expected) in cases {
        let text = json["lines"]
            .as_array()
            .map(|l| l.iter().filter_map(|x| x.as_str()).collect::<Vec<_>>().join("\n"))
            .unwrap_or_default();
        harness.state_mut().document.mrz.show_reading(&json, image, text, date);
        harness.run();
        harness.get_by_label(expected);
    }
    // A character with no candidates: the entry takes lower case as upper case and refuses the rest.
    harness.get_by_label(&cell_label(0, 1, 'B')).click();
    harness.run();
    harness.get_by_label("Another character:").focus();
    harness.run();
    harness.get_by_label("Another character:").type_text("?");
    harness.run();
    harness.get_by_label("Only <, 0–9 and A–Z");
    assert_eq!(harness.state().document.mrz.text, "AB<");
    harness.get_by_label("Another character:").focus();
    harness.key_press(egui::Key::Backspace);
    harness.run();
    harness.get_by_label("Another character:").type_text("x");
    harness.run();
    assert_eq!(harness.state().document.mrz.text, "AX<");
    assert_eq!(
        harness.state().document.mrz.hand_fixes(),
        Some(&[MrzHandFix { line: 0, column: 1, from: 'B', to: 'X' }][..])
    );
    assert_eq!(
        harness.state().document.mrz.inspection_input(),
        (None, vec![MrzHandFix { line: 0, column: 1, from: 'B', to: 'X' }])
    );

    // Other images: the fixes do not follow; changed text stays as typed, untouched text goes.
    harness.state_mut().document.mrz.clear_reading();
    harness.run();
    assert_eq!(harness.state().document.mrz.inspection_input(), (Some("AX<".to_owned()), Vec::new()));
    harness.state_mut().document.mrz.show_reading(&serde_json::json!({"lines": ["AB<"]}), None, "AB<".to_owned(), date);
    harness.state_mut().document.mrz.clear_reading();
    harness.run();
    assert_eq!(
        harness.state().document.mrz.inspection_input(),
        (None, Vec::new()),
        "the next inspection reads the new images"
    );
}
