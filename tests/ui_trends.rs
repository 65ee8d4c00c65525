//! Issue 24 through egui_kittest: a supervisor's desk with TEST-ONLY demo bundles from
//! six stations. Without a login the screen shows the data but offers no import; logged
//! in, the bundles import in the background (a second time: nothing added). The views
//! read the same counts as the library; clicking an issuing state's bar cross-filters
//! every view (the total becomes that state's count), a filter chip removes the pin; the
//! Alerts tab lists the planted spike with its evidence; a view is saved as CSV.

use std::path::Path;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use tdverify::resources::Resources;
use tdverify::settings::Settings;
use tdverify::store::{KeyPurpose, Role, Store, StoreOptions};
use tdverify::trends::{Count, Dimension, Filter, Trends};
use tdverify::ui::{Screen, StartOptions, TdverifyApp};

fn harness(data: &Path, settings_dir: &Path) -> Harness<'static, TdverifyApp> {
    let settings = Settings { data_dir: data.to_path_buf(), ..Settings::default() };
    let start = StartOptions::on_screen(Screen::Trends, Settings::file_in(settings_dir));
    let app = TdverifyApp::new(settings, Resources::in_home(settings_dir), start);
    Harness::builder().with_size([1400.0, 1000.0]).build_ui_state(|ui, app: &mut TdverifyApp| app.show(ui), app)
}

fn wait_for_import(harness: &mut Harness<'static, TdverifyApp>) {
    let started = Instant::now();
    harness.step();
    while harness.state().trends.is_importing() {
        assert!(started.elapsed() < Duration::from_secs(120), "the import never finished");
        std::thread::sleep(Duration::from_millis(20));
        harness.step();
    }
    harness.run();
}

#[test]
fn import_cross_filter_alerts_and_csv() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let bundles = dir.path().join("bundles");
    let demo = tdverify::trends::demo_bundles(6, 1500, 11, &bundles).expect("demo bundles");
    let spike = demo.spike.clone().expect("a planted spike");
    let store =
        Store::initialize(&data, "TEST-ONLY station passphrase", StoreOptions::test_only_fast()).expect("store");
    store.create_first_admin("admin", "TEST-ONLY password 1").expect("admin");
    let admin = store.login("admin", "TEST-ONLY password 1").expect("login");
    store.create_user(&admin, "supervisor", "TEST-ONLY password 1", Role::Supervisor).expect("supervisor");
    for bundle in &demo.bundles {
        store.trust_key(&admin, KeyPurpose::TrendStation, &bundle.public_key, &bundle.label).expect("trust");
    }

    let mut harness = harness(&data, dir.path());
    harness.run();
    harness.get_by_label_contains("No records yet");
    harness.get_by_label_contains("Log in on the Cases screen to import");

    let supervisor = store.login("supervisor", "TEST-ONLY password 1").expect("login");
    harness.state_mut().cases.session = Some(supervisor);
    harness.state_mut().cases.store = Some(store);
    harness.state_mut().trends.import_path = bundles.display().to_string();
    harness.run();
    harness.get_by_label("Import bundles").click();
    wait_for_import(&mut harness);
    let records = demo.records();
    harness.get_by_label_contains(&format!("{records} records from 6 bundles"));
    harness.get_by_label("Import bundles").click();
    wait_for_import(&mut harness);
    harness.get_by_label_contains("Imported: 0 · Already imported: 6 · Refused: 0");
    harness.get_by_label_contains(&format!("{records} records from 6 bundles"));

    // One quarter in one pick from the period drop-down: the views count only its months.
    let reference = Trends::open(&data).expect("open");
    let (_, last) = reference.months().expect("months");
    let year = &last[..4];
    let quarter = Filter { from: Some(format!("{year}-07")), to: Some(format!("{year}-09")), ..Filter::all() };
    let Count::Value(quarter_total) = reference.query(Dimension::Route, &quarter).expect("view").total else {
        panic!("the quarter's total is hidden")
    };
    harness.get_by_label("Period").click();
    harness.run();
    harness.get_by_label(&format!("{year}-Q3")).click();
    harness.run();
    assert_eq!(harness.state().trends.filter.from.as_deref(), Some(format!("{year}-07").as_str()));
    assert_eq!(harness.state().trends.filter.to.as_deref(), Some(format!("{year}-09").as_str()));
    harness.get_by_label("Routes").click();
    harness.run();
    assert!(quarter_total > 0 && quarter_total < records, "a quarter holds part of the records");
    harness.get_by_label_contains(&format!("Total {quarter_total} "));
    harness.get_by_label("Clear filters").click();
    harness.run();

    // The same counts as the library, then a click on the spike's issuing state filters every view.
    let by_state = reference.query(Dimension::IssuingState, &Filter::all()).expect("view");
    let state_count =
        by_state.rows.iter().find(|r| r.key == spike.issuing_state).map(|r| r.count).expect("the spike's state");
    let Count::Value(state_count) = state_count else { panic!("the spike's state is hidden") };
    harness.get_by_label("Issuing states").click();
    harness.run();
    harness.get_by_label_contains(&format!("{}  (", spike.issuing_state)).click();
    harness.run();
    assert!(
        harness.state().trends.filter.pins.contains(&(Dimension::IssuingState, spike.issuing_state.clone())),
        "the click pinned the issuing state"
    );
    harness.get_by_label("Routes").click();
    harness.run();
    harness.get_by_label_contains(&format!("Total {state_count} "));
    harness.get_by_label("Clear filters").click();
    harness.run();
    assert!(harness.state().trends.filter.pins.is_empty());
    harness.get_by_label_contains(&format!("Total {records} "));

    // A heat map cell pins both its issuing state and its nationality.
    let grid = reference.heatmap(Dimension::IssuingState, Dimension::Nationality, &Filter::all()).expect("grid");
    harness.get_by_label("Who uses whose documents").click();
    harness.run();
    harness.get_by_label(&format!("{} / {}: {}", grid.rows[0], grid.cols[0], grid.cells[0][0].text())).click();
    harness.run();
    let pins = harness.state().trends.filter.pins.clone();
    assert!(pins.contains(&(Dimension::IssuingState, grid.rows[0].clone())), "{pins:?}");
    assert!(pins.iter().any(|(d, _)| *d == Dimension::Nationality), "{pins:?}");
    harness.get_by_label("Clear filters").click();
    harness.run();

    // The planted spike is alerted, with its evidence.
    harness.get_by_label("Alerts").click();
    harness.run();
    harness.get_by_label(&format!("Issuing state {}", spike.issuing_state));
    assert!(harness.query_all_by_label(&spike.month).next().is_some(), "the alert names the month");

    // Every tab draws without a panic (the map included), and a view saves as CSV.
    for tab in ["Over time", "Who uses whose documents", "Sex and age", "Modus operandi", "Map"] {
        harness.get_by_label(tab).click();
        harness.run();
    }
    harness.get_by_label("Routes").click();
    harness.run();
    harness.get_by_label("Save this view as CSV").click();
    harness.run();
    let csv = std::fs::read_to_string(data.join("trends-output/routes.csv")).expect("routes.csv");
    assert!(csv.lines().count() > 2, "{csv}");
    assert!(
        csv.lines().skip(1).all(|l| l
            .rsplit(',')
            .next()
            .is_some_and(|c| c == "<k" || c.parse::<u64>().is_ok_and(|n| n == 0 || n >= 5))),
        "{csv}"
    );
    harness.get_by_label("National report (PDF)").click();
    harness.run();
    let pdf = std::fs::read(data.join("trends-output/national-trend-report.pdf")).expect("the report");
    assert!(pdf.starts_with(b"%PDF"));
    harness.get_by_label("Save as PNG").click();
    harness.run();
    assert!(data.join("trends-output/trends-4-routes.png").is_file());
}
