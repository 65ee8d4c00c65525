//! Lays the training report out on A4 pages: class summary, then each trainee's
//! section (runs table, d′ over runs, weaknesses), the TRAINING band on top of every
//! page and a footer with the page number.

use super::{RunRow, TRAINING_MARK, TraineeHistory, TrainingReportInput, WeaknessRow, decimal, percent};
use crate::ReportFont;
use crate::trends::chart::{Anchor, INK, MUTED, Painter, RULE, Rgb, Scene, WHITE};

const PAGE: (f32, f32) = (595.0, 842.0);
const MARGIN: f32 = 50.0;
/// Height of the TRAINING band across the top of every page.
const BAND: f32 = 24.0;
/// Lowest y content may reach (the footer lives below).
const BOTTOM: f32 = PAGE.1 - 60.0;
const BAND_COLOUR: Rgb = [196, 90, 0];
const LINE_COLOUR: Rgb = [52, 101, 164];
const MISSED_COLOUR: Rgb = [200, 60, 50];
const SHOWN_COLOUR: Rgb = [232, 232, 232];
const ROW: f32 = 12.0;
const TABLE_SIZE: f32 = 7.5;

/// One column of the runs table: heading, width, right-aligned or not, the cell text.
struct Column {
    heading: &'static str,
    width: f32,
    right: bool,
    cell: fn(&RunRow) -> String,
}

const RUN_COLUMNS: [Column; 14] = [
    Column { heading: "Session", width: 72.0, right: false, cell: |r| r.session.clone() },
    Column { heading: "Finished", width: 80.0, right: false, cell: |r| r.finished_at.clone() },
    Column { heading: "Items", width: 26.0, right: true, cell: |r| r.items.to_string() },
    Column { heading: "Hits", width: 22.0, right: true, cell: |r| r.hits.to_string() },
    Column { heading: "Miss", width: 22.0, right: true, cell: |r| r.misses.to_string() },
    Column { heading: "FA", width: 22.0, right: true, cell: |r| r.false_alarms.to_string() },
    Column { heading: "CR", width: 22.0, right: true, cell: |r| r.correct_rejections.to_string() },
    Column { heading: "Hit rate", width: 36.0, right: true, cell: |r| percent(r.hit_rate) },
    Column { heading: "FA rate", width: 34.0, right: true, cell: |r| percent(r.false_alarm_rate) },
    Column { heading: "d′", width: 30.0, right: true, cell: |r| decimal(Some(r.d_prime)) },
    Column { heading: "c", width: 30.0, right: true, cell: |r| decimal(Some(r.criterion)) },
    Column { heading: "Hotspots", width: 38.0, right: true, cell: |r| percent(r.hotspot_recall) },
    Column {
        heading: "s/doc",
        width: 30.0,
        right: true,
        cell: |r| r.mean_seconds.map_or("–".into(), |s| format!("{s:.0}")),
    },
    Column { heading: "Face d′", width: 31.0, right: true, cell: |r| decimal(r.face_d_prime) },
];

/// Every page of the report, marked and numbered.
pub(super) fn layout(input: &TrainingReportInput, font: &ReportFont) -> Vec<Scene> {
    let mut flow = Flow::new(font);
    class_summary(&mut flow, input);
    for trainee in &input.trainees {
        flow.new_page();
        trainee_section(&mut flow, trainee);
    }
    let mut pages = flow.finish();
    let count = pages.len();
    for (index, page) in pages.iter_mut().enumerate() {
        let mut painter = Painter::new(font, page.width, page.height);
        painter.rect(0.0, 0.0, page.width, BAND, BAND_COLOUR);
        painter.text(page.width / 2.0, BAND - 8.0, 11.0, WHITE, TRAINING_MARK, Anchor::Middle);
        let footer = format!("{TRAINING_MARK} · {} · {} · page {} of {count}", input.title, input.scope, index + 1);
        let footer = painter.fit(&footer, 8.0, page.width - 2.0 * MARGIN);
        painter.text(MARGIN, page.height - 28.0, 8.0, MUTED, &footer, Anchor::Start);
        page.shapes.extend(painter.scene.shapes);
    }
    pages
}

fn class_summary(flow: &mut Flow<'_>, input: &TrainingReportInput) {
    flow.paragraph(20.0, INK, &input.title);
    flow.y += 4.0;
    flow.fields(&[
        ("Generated", input.generated_at.clone()),
        ("Station", input.station.clone()),
        ("Scope", input.scope.clone()),
    ]);
    flow.heading("Class summary");
    if input.trainees.is_empty() {
        flow.paragraph(11.0, INK, "No training results in this scope: no trainee has finished a session.");
        return;
    }
    let class = &input.class;
    flow.fields(&[
        ("Trainees", class.trainees.to_string()),
        ("Runs", class.runs.to_string()),
        ("Mean d′", decimal(class.mean_d_prime)),
        ("Mean hit rate", percent(class.mean_hit_rate)),
        ("Mean false-alarm rate", percent(class.mean_false_alarm_rate)),
    ]);
    flow.heading("Trainees");
    let rows: Vec<Vec<String>> = input
        .trainees
        .iter()
        .map(|t| {
            let mean =
                (!t.runs.is_empty()).then(|| t.runs.iter().map(|r| r.d_prime).sum::<f64>() / t.runs.len() as f64);
            let missed: u64 = t.weaknesses.iter().map(|w| u64::from(w.missed)).sum();
            vec![
                t.trainee.clone(),
                t.runs.len().to_string(),
                decimal(mean),
                decimal(t.runs.last().map(|r| r.d_prime)),
                missed.to_string(),
            ]
        })
        .collect();
    let columns = [
        ("Trainee", 215.0, false),
        ("Runs", 60.0, true),
        ("Mean d′", 70.0, true),
        ("Last d′", 70.0, true),
        ("Missed", 80.0, true),
    ];
    flow.table(&columns, &rows);
    flow.heading("Misses by fraud type, whole class");
    flow.bars(&class.by_fraud_type);
}

fn trainee_section(flow: &mut Flow<'_>, trainee: &TraineeHistory) {
    flow.paragraph(16.0, INK, &format!("Trainee: {}", trainee.trainee));
    let runs = trainee.runs.len();
    flow.paragraph(10.0, MUTED, &format!("{runs} run{}", if runs == 1 { "" } else { "s" }));
    if trainee.runs.is_empty() {
        flow.paragraph(11.0, INK, "No finished run.");
        return;
    }
    flow.heading("d′ over runs");
    flow.d_prime_chart(&trainee.runs);
    flow.heading("Misses by fraud type");
    flow.bars(&trainee.weaknesses);
    flow.heading("Runs");
    let columns: Vec<(&str, f32, bool)> = RUN_COLUMNS.iter().map(|c| (c.heading, c.width, c.right)).collect();
    let rows: Vec<Vec<String>> =
        trainee.runs.iter().map(|run| RUN_COLUMNS.iter().map(|c| (c.cell)(run)).collect()).collect();
    flow.table(&columns, &rows);
    flow.paragraph(
        7.5,
        MUTED,
        "FA: false alarms (genuine answered fraudulent). CR: correct rejections. d′ and c from log-linear corrected rates. \
         Hotspots: share of defect regions the trainee's marks overlapped.",
    );
}

/// Pages of content flowing top to bottom.
struct Flow<'f> {
    painter: Painter<'f>,
    done: Vec<Scene>,
    y: f32,
}

impl<'f> Flow<'f> {
    fn new(font: &'f ReportFont) -> Flow<'f> {
        Flow { painter: Painter::new(font, PAGE.0, PAGE.1), done: Vec::new(), y: BAND + MARGIN * 0.6 }
    }

    fn width() -> f32 {
        PAGE.0 - 2.0 * MARGIN
    }

    fn new_page(&mut self) {
        let page =
            std::mem::replace(&mut self.painter.scene, Scene { width: PAGE.0, height: PAGE.1, shapes: Vec::new() });
        self.done.push(page);
        self.y = BAND + MARGIN * 0.6;
    }

    fn ensure(&mut self, height: f32) {
        if self.y + height > BOTTOM {
            self.new_page();
        }
    }

    fn finish(mut self) -> Vec<Scene> {
        self.new_page();
        self.done
    }

    fn paragraph(&mut self, size: f32, colour: Rgb, text: &str) {
        for line in self.painter.wrap(text, size, Self::width()) {
            self.ensure(size * 1.4);
            self.y += size * 1.25;
            self.painter.text(MARGIN, self.y, size, colour, &line, Anchor::Start);
            self.y += size * 0.15;
        }
    }

    fn heading(&mut self, text: &str) {
        self.ensure(60.0);
        self.y += 12.0;
        self.paragraph(12.0, INK, text);
        self.y += 3.0;
        self.painter.line(vec![[MARGIN, self.y], [PAGE.0 - MARGIN, self.y]], 0.5, RULE);
        self.y += 4.0;
    }

    fn fields(&mut self, rows: &[(&str, String)]) {
        let label_width = 140.0;
        for (label, value) in rows {
            let value = self.painter.fit(value, 10.0, Self::width() - label_width);
            self.ensure(14.0);
            self.y += 13.0;
            self.painter.text(MARGIN, self.y, 10.0, MUTED, label, Anchor::Start);
            self.painter.text(MARGIN + label_width, self.y, 10.0, INK, &value, Anchor::Start);
        }
    }

    /// A table with its header repeated on every page it runs over.
    fn table(&mut self, columns: &[(&str, f32, bool)], rows: &[Vec<String>]) {
        let header = |flow: &mut Flow<'_>| {
            flow.y += ROW;
            let mut x = MARGIN;
            for (heading, width, right) in columns {
                let (at, anchor) = if *right { (x + width - 3.0, Anchor::End) } else { (x, Anchor::Start) };
                flow.painter.text(at, flow.y - 3.0, TABLE_SIZE, MUTED, heading, anchor);
                x += width;
            }
            flow.painter.line(vec![[MARGIN, flow.y], [PAGE.0 - MARGIN, flow.y]], 0.5, RULE);
        };
        self.ensure(ROW * 3.0);
        header(self);
        for row in rows {
            if self.y + ROW > BOTTOM {
                self.new_page();
                header(self);
            }
            self.y += ROW;
            let mut x = MARGIN;
            for ((_, width, right), cell) in columns.iter().zip(row) {
                let text = self.painter.fit(cell, TABLE_SIZE, width - 4.0);
                let (at, anchor) = if *right { (x + width - 3.0, Anchor::End) } else { (x, Anchor::Start) };
                self.painter.text(at, self.y - 3.0, TABLE_SIZE, INK, &text, anchor);
                x += width;
            }
        }
        self.y += 4.0;
    }

    /// d′ of each run, oldest first, as a line with a dot per run over a grid of
    /// whole d′ values; 0 (chance) drawn darker.
    fn d_prime_chart(&mut self, runs: &[RunRow]) {
        let height = 130.0;
        self.ensure(height + 30.0);
        let top = self.y + 8.0;
        let (left, width) = (MARGIN + 28.0, Self::width() - 28.0);
        if runs.is_empty() {
            return;
        }
        // The chart shows d′ up to ±10 (an input beyond that is drawn at the edge).
        let values: Vec<f64> =
            runs.iter().map(|r| if r.d_prime.is_finite() { r.d_prime.clamp(-10.0, 10.0) } else { 0.0 }).collect();
        let lowest = values.iter().copied().fold(0.0f64, f64::min).floor();
        let highest = values.iter().copied().fold(3.0f64, f64::max).ceil();
        // Whole d′ values on the grid, every other one when the range is wide.
        let grid = if highest - lowest > 8.0 { 2.0 } else { 1.0 };
        let (low, high) = ((lowest / grid).floor() * grid, (highest / grid).ceil() * grid);
        let span = (high - low).max(1.0);
        let y_of = |value: f64| top + height - ((value - low) / span) as f32 * height;
        let mut tick = low;
        while tick <= high + 1e-9 {
            let y = y_of(tick);
            let colour = if tick == 0.0 { MUTED } else { RULE };
            self.painter.line(vec![[left, y], [left + width, y]], 0.5, colour);
            self.painter.text(left - 4.0, y + 3.0, 7.5, MUTED, &format!("{tick:.0}"), Anchor::End);
            tick += grid;
        }
        let step = width / values.len() as f32;
        let points: Vec<[f32; 2]> =
            values.iter().enumerate().map(|(i, v)| [left + step * (i as f32 + 0.5), y_of(*v)]).collect();
        self.painter.line(points.clone(), 1.2, LINE_COLOUR);
        let label_every = values.len().div_ceil(25).max(1);
        for (index, [x, y]) in points.iter().enumerate() {
            self.painter.rect(x - 1.8, y - 1.8, 3.6, 3.6, LINE_COLOUR);
            if index % label_every == 0 {
                self.painter.text(*x, top + height + 10.0, 7.0, MUTED, &(index + 1).to_string(), Anchor::Middle);
            }
        }
        self.painter.text(left + width, top + height + 20.0, 7.5, MUTED, "run", Anchor::End);
        self.y = top + height + 24.0;
    }

    /// One bar per fraud type: the grey bar is what was shown, the red part what was missed.
    fn bars(&mut self, rows: &[WeaknessRow]) {
        if rows.is_empty() {
            self.paragraph(10.0, MUTED, "No fraud shown.");
            return;
        }
        let most = rows.iter().map(|r| r.shown.max(r.missed)).max().unwrap_or(1).max(1) as f32;
        let (label_width, bar_width) = (150.0, 230.0);
        for row in rows {
            self.ensure(16.0);
            self.y += 15.0;
            let label = self.painter.fit(&row.fraud_type, 9.0, label_width - 6.0);
            self.painter.text(MARGIN, self.y - 2.0, 9.0, INK, &label, Anchor::Start);
            let x = MARGIN + label_width;
            let shown = bar_width * row.shown.max(row.missed) as f32 / most;
            let missed = bar_width * row.missed as f32 / most;
            self.painter.rect(x, self.y - 10.0, shown, 10.0, SHOWN_COLOUR);
            self.painter.rect(x, self.y - 10.0, missed, 10.0, MISSED_COLOUR);
            let text = format!("missed {} of {}", row.missed, row.shown);
            self.painter.text(x + bar_width + 8.0, self.y - 2.0, 9.0, INK, &text, Anchor::Start);
        }
        self.y += 4.0;
    }
}
