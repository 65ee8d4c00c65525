//! The training report on made-up results: names, numbers and the TRAINING mark on
//! every page, an empty scope on one page, long histories over several pages.
//!
//! Set `TDVERIFY_TRAINING_REPORT_OUT=/some/dir` to keep the sample PDF for a look.

use super::*;
use crate::extract_text;

fn font() -> ReportFont {
    ReportFont::system().expect("the report font (Debian fonts-dejavu-core) must be installed for these tests")
}

fn run(index: u32, d_prime: f64) -> RunRow {
    RunRow {
        session: format!("Session {index:02}"),
        finished_at: format!("2026-11-{:02} 10:{:02}", 1 + index % 28, index % 60),
        items: 10,
        hits: 2 + index % 2,
        misses: 1,
        false_alarms: index % 3,
        correct_rejections: 7 - index % 3,
        hit_rate: Some(0.75),
        false_alarm_rate: Some(0.2),
        d_prime,
        criterion: -0.31,
        hotspot_recall: Some(0.5),
        mean_seconds: Some(42.0),
        face_d_prime: if index.is_multiple_of(2) { Some(1.11) } else { None },
    }
}

fn sample(runs_each: u32) -> TrainingReportInput {
    let weaknesses = vec![
        WeaknessRow { fraud_type: "forged".into(), missed: 3, shown: 7 },
        WeaknessRow { fraud_type: "counterfeit".into(), missed: 1, shown: 6 },
        WeaknessRow { fraud_type: "impostor".into(), missed: 2, shown: 2 },
    ];
    let trainees: Vec<TraineeHistory> = ["Anna Eriksson", "Bruno Keller"]
        .iter()
        .enumerate()
        .map(|(n, name)| TraineeHistory {
            trainee: name.to_string(),
            runs: (0..runs_each)
                .map(|i| run(i, 0.4 + f64::from(i) * 0.2 + n as f64 * 0.5 - if i == 1 { 1.2 } else { 0.0 }))
                .collect(),
            weaknesses: weaknesses.clone(),
        })
        .collect();
    TrainingReportInput {
        title: "Training results — TEST-ONLY sample".into(),
        generated_at: "2026-12-07 14:00 UTC".into(),
        station: "TEST-ONLY station 7".into(),
        scope: "All trainees, 2026-11-01 – 2026-12-07".into(),
        class: ClassSummary {
            trainees: 2,
            runs: 2 * runs_each,
            mean_d_prime: Some(1.234),
            mean_hit_rate: Some(0.8125),
            mean_false_alarm_rate: Some(0.0625),
            by_fraud_type: weaknesses,
        },
        trainees,
    }
}

fn media_boxes(pdf: &[u8]) -> usize {
    String::from_utf8_lossy(pdf).matches("/MediaBox").count()
}

#[test]
fn the_report_names_every_trainee_with_their_numbers_and_says_training_on_every_page() {
    let font = font();
    let input = sample(4);
    let pdf = render_training_report(&input, &font).expect("report");
    assert!(pdf.starts_with(b"%PDF-"));
    let pages = extract_text(&pdf);
    assert_eq!(pages.len(), media_boxes(&pdf), "one content stream per page");
    assert_eq!(pages.len(), 3, "summary and one page per trainee: {pages:#?}");
    for (index, page) in pages.iter().enumerate() {
        assert!(page.contains(TRAINING_MARK), "page {}: {page}", index + 1);
        assert!(page.contains(&format!("page {} of 3", index + 1)), "{page}");
    }
    let summary = &pages[0];
    for expected in
        ["Training results — TEST-ONLY sample", "TEST-ONLY station 7", "2026-11-01 – 2026-12-07", "1.23", "81 %", "6 %"]
    {
        assert!(summary.contains(expected), "{expected:?} not on the summary: {summary}");
    }
    assert!(summary.contains("Anna Eriksson") && summary.contains("Bruno Keller"), "{summary}");
    assert!(summary.contains("missed 3 of 7"), "{summary}");
    let anna = &pages[1];
    assert!(anna.contains("Trainee: Anna Eriksson") && !anna.contains("Bruno"), "{anna}");
    for expected in
        ["Session 00", "Session 03", "75 %", "20 %", "-0.31", "50 %", "42", "1.11", "missed 2 of 2", "d′ over runs"]
    {
        assert!(anna.contains(expected), "{expected:?} not in Anna's section: {anna}");
    }
    // The d′ of each run: 0.40, -0.60 (a bad second run), 0.80, 1.00.
    for d_prime in ["0.40", "-0.60", "0.80", "1.00"] {
        assert!(anna.lines().any(|line| line == d_prime), "{d_prime} not printed: {anna}");
    }
    assert!(pages[2].contains("Trainee: Bruno Keller") && pages[2].contains("0.90"), "{}", pages[2]);
    if let Some(dir) = std::env::var_os("TDVERIFY_TRAINING_REPORT_OUT") {
        std::fs::write(std::path::Path::new(&dir).join("training-report.pdf"), &pdf).expect("keep the sample");
    }
}

#[test]
fn no_trainees_gives_one_page_that_says_so() {
    let font = font();
    let input = TrainingReportInput {
        title: "Training results".into(),
        scope: "Nobody yet".into(),
        ..TrainingReportInput::default()
    };
    let pdf = render_training_report(&input, &font).expect("report");
    let pages = extract_text(&pdf);
    assert_eq!(pages.len(), 1, "{pages:#?}");
    assert_eq!(media_boxes(&pdf), 1);
    assert!(pages[0].contains("No training results in this scope"), "{}", pages[0]);
    assert!(pages[0].contains(TRAINING_MARK) && pages[0].contains("page 1 of 1"), "{}", pages[0]);
}

#[test]
fn a_long_history_runs_over_pages_with_the_table_header_repeated() {
    let font = font();
    let input = sample(120);
    let pdf = render_training_report(&input, &font).expect("report");
    if let Some(dir) = std::env::var_os("TDVERIFY_TRAINING_REPORT_OUT") {
        std::fs::write(std::path::Path::new(&dir).join("training-report-long.pdf"), &pdf).expect("keep the sample");
    }
    let pages = extract_text(&pdf);
    assert!(pages.len() >= 7, "{} pages", pages.len());
    let count = pages.len();
    for (index, page) in pages.iter().enumerate() {
        assert!(page.contains(TRAINING_MARK), "page {}", index + 1);
        assert!(page.contains(&format!("page {} of {count}", index + 1)), "{page}");
    }
    let all = pages.join("\n");
    assert!(all.contains("Session 00") && all.contains("Session 119"), "every run is listed");
    let sessions = all.lines().filter(|line| line.starts_with("Session ")).count();
    assert_eq!(sessions, 2 * 120, "each run once");
    // Every page holding runs has the table's header.
    for page in pages.iter().filter(|p| p.contains("Session 0")) {
        assert!(page.lines().any(|line| line == "Hit rate"), "{page}");
    }
}

#[test]
fn written_reports_land_whole_under_their_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("training.pdf");
    let size = write_training_report(&path, &sample(2)).expect("write");
    let bytes = std::fs::read(&path).expect("read back");
    assert_eq!(bytes.len() as u64, size);
    assert_eq!(extract_text(&bytes).len(), 3);
    let missing = write_training_report(&dir.path().join("no/such/dir/x.pdf"), &sample(1)).unwrap_err();
    assert!(missing.to_string().contains("no/such/dir"), "{missing}");
}

#[test]
fn odd_numbers_and_long_names_still_render() {
    let font = font();
    let mut input = sample(3);
    input.trainees[0].trainee = "W".repeat(500);
    input.trainees[0].runs[0].d_prime = f64::NAN;
    input.trainees[0].runs[1].d_prime = 1e300;
    input.trainees[0].runs[2].criterion = f64::NEG_INFINITY;
    input.trainees[0].runs[2].hit_rate = Some(f64::INFINITY);
    input.trainees[0].weaknesses.push(WeaknessRow { fraud_type: String::new(), missed: u32::MAX, shown: 0 });
    input.trainees[1].runs.clear();
    let pages = extract_text(&render_training_report(&input, &font).expect("report"));
    let last = pages.last().expect("pages");
    assert!(pages.len() >= 3 && last.contains("No finished run."), "{pages:#?}");
    assert!(pages[0].contains('…'), "the long name is cut to fit the summary table: {}", pages[0]);
    let all = pages.join("\n");
    assert!(all.contains("missed 4294967295 of 0"), "{all}");
    assert!(
        all.lines().filter(|line| line.starts_with("WWWW")).map(str::len).sum::<usize>() >= 500,
        "the section names the trainee in full"
    );
}

#[test]
fn the_font_has_the_report_symbols() {
    let font = font();
    for symbol in ['′', '—', '–', '·', '…'] {
        assert_ne!(font.glyph(symbol), 0, "{symbol:?}");
    }
}
