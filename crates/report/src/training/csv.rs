//! The training results as CSV (RFC 4180): one row per run, for a spreadsheet.

use super::TrainingReportInput;

/// Column names, in order.
const COLUMNS: [&str; 15] = [
    "trainee",
    "session",
    "finished_at",
    "items",
    "hits",
    "misses",
    "false_alarms",
    "correct_rejections",
    "hit_rate",
    "false_alarm_rate",
    "d_prime",
    "criterion",
    "hotspot_recall",
    "mean_seconds",
    "face_d_prime",
];

/// One row per run of every trainee, after a header row; lines end with CRLF and
/// fields holding a comma, a quote or a line break are quoted (RFC 4180). Rates and
/// scores are plain decimals; a missing value is an empty field.
pub fn training_csv(input: &TrainingReportInput) -> String {
    let mut out = String::new();
    push_record(&mut out, COLUMNS.iter().map(|c| c.to_string()));
    let number = |value: Option<f64>| {
        value
            .filter(|v| v.is_finite())
            .map(|v| format!("{v:.4}"))
            .unwrap_or_default()
    };
    for trainee in &input.trainees {
        for run in &trainee.runs {
            let fields = [
                text_cell(&trainee.trainee),
                text_cell(&run.session),
                run.finished_at.clone(),
                run.items.to_string(),
                run.hits.to_string(),
                run.misses.to_string(),
                run.false_alarms.to_string(),
                run.correct_rejections.to_string(),
                number(run.hit_rate),
                number(run.false_alarm_rate),
                number(Some(run.d_prime)),
                number(Some(run.criterion)),
                number(run.hotspot_recall),
                number(run.mean_seconds),
                number(run.face_d_prime),
            ];
            push_record(&mut out, fields.into_iter());
        }
    }
    out
}

/// A name typed by a person: one that a spreadsheet would take for a formula (`=`,
/// `+`, `-`, `@`, tab, carriage return first) is kept as text with a leading `'`.
fn text_cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

fn push_record(out: &mut String, fields: impl Iterator<Item = String>) {
    for (index, field) in fields.enumerate() {
        if index > 0 {
            out.push(',');
        }
        if field.contains(['"', ',', '\r', '\n']) {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&field);
        }
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::training::{RunRow, TraineeHistory};

    /// Splits RFC 4180 text back into records, to check the quoting round-trips.
    fn parse(text: &str) -> Vec<Vec<String>> {
        let mut records = Vec::new();
        let mut record = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match (quoted, c) {
                (true, '"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                (true, '"') => quoted = false,
                (true, other) => field.push(other),
                (false, '"') => quoted = true,
                (false, ',') => record.push(std::mem::take(&mut field)),
                (false, '\r') => {}
                (false, '\n') => {
                    record.push(std::mem::take(&mut field));
                    records.push(std::mem::take(&mut record));
                }
                (false, other) => field.push(other),
            }
        }
        records
    }

    #[test]
    fn names_with_commas_and_quotes_are_quoted_and_come_back_whole() {
        let run = RunRow {
            session: "Week 1\nmorning".into(),
            finished_at: "2026-12-01 10:00".into(),
            items: 10,
            hits: 2,
            misses: 1,
            false_alarms: 1,
            correct_rejections: 6,
            hit_rate: Some(2.0 / 3.0),
            false_alarm_rate: None,
            d_prime: 1.5,
            criterion: -0.25,
            ..RunRow::default()
        };
        let input = TrainingReportInput {
            trainees: vec![TraineeHistory {
                trainee: "Doe, Jane \"JJ\"".into(),
                runs: vec![run],
                weaknesses: vec![],
            }],
            ..TrainingReportInput::default()
        };
        let text = training_csv(&input);
        assert!(text.contains("\"Doe, Jane \"\"JJ\"\"\""), "{text}");
        assert!(text.ends_with("\r\n"));
        let records = parse(&text);
        assert_eq!(records.len(), 2, "{records:?}");
        assert_eq!(records[0], COLUMNS.map(String::from));
        let row = &records[1];
        assert_eq!(row.len(), COLUMNS.len());
        assert_eq!(row[0], "Doe, Jane \"JJ\"");
        assert_eq!(row[1], "Week 1\nmorning");
        assert_eq!(&row[3..8], ["10", "2", "1", "1", "6"]);
        assert_eq!(row[8], "0.6667");
        assert_eq!(row[9], "", "no genuine document: no rate");
        assert_eq!(row[10], "1.5000");
        assert_eq!(row[11], "-0.2500");
    }

    #[test]
    fn no_trainees_gives_the_header_only() {
        assert_eq!(
            training_csv(&TrainingReportInput::default()),
            format!("{}\r\n", COLUMNS.join(","))
        );
    }

    #[test]
    fn a_name_that_looks_like_a_formula_stays_text() {
        let input = TrainingReportInput {
            trainees: vec![TraineeHistory {
                trainee: "=HYPERLINK(\"x\")".into(),
                runs: vec![RunRow {
                    session: "+1".into(),
                    ..RunRow::default()
                }],
                weaknesses: vec![],
            }],
            ..TrainingReportInput::default()
        };
        let records = parse(&training_csv(&input));
        assert_eq!(records[1][0], "'=HYPERLINK(\"x\")");
        assert_eq!(records[1][1], "'+1");
    }

    proptest::proptest! {
        #[test]
        fn any_name_round_trips(name in "\\PC{0,30}") {
            let input = TrainingReportInput {
                trainees: vec![TraineeHistory { trainee: name.clone(), runs: vec![RunRow::default()], weaknesses: vec![] }],
                ..TrainingReportInput::default()
            };
            let records = parse(&training_csv(&input));
            proptest::prop_assert_eq!(records.len(), 2);
            proptest::prop_assert_eq!(&records[1][0], &text_cell(&name));
            proptest::prop_assert!(records[1][0].ends_with(name.as_str()));
        }
    }
}
