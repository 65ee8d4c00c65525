//! The chart model the PNG exports and the PDF report share: a chart is laid out once
//! into a [`Scene`] of rectangles, lines, filled polygons and text in points (y down),
//! and the scene is then painted by the raster backend ([`super::raster`]) or written as
//! vector graphics ([`super::pdf`]). Laying out once is what keeps the PNG and the PDF
//! identical, and what keeps the small-number rule in one place: every hidden count is
//! drawn here, as grey with `<k`, at a size that does not depend on its value.

use tdverify_trends::{Choropleth, Count, Shade, WorldMap};

use crate::ReportFont;

/// An sRGB colour.
pub(crate) type Rgb = [u8; 3];

pub(crate) const INK: Rgb = [30, 30, 30];
pub(crate) const MUTED: Rgb = [100, 100, 100];
pub(crate) const RULE: Rgb = [215, 215, 215];
pub(crate) const WHITE: Rgb = [255, 255, 255];
/// The one colour of every hidden count, in every chart.
pub(crate) const HIDDEN: Rgb = [170, 170, 170];
pub(crate) const BAR: Rgb = [52, 101, 164];
/// Colours of the stacked series (fraud types), in the order the view gives them.
pub(crate) const PALETTE: [Rgb; 8] = [
    [31, 119, 180],
    [255, 127, 14],
    [44, 160, 44],
    [214, 39, 40],
    [148, 103, 189],
    [140, 86, 75],
    [227, 119, 194],
    [188, 189, 34],
];
/// Choropleth classes, lightest first (a sequential orange-red scale).
const CLASS_COLOURS: [Rgb; 6] =
    [[254, 229, 217], [252, 187, 161], [252, 146, 114], [251, 106, 74], [222, 45, 38], [165, 15, 21]];
const NO_DATA: Rgb = [238, 238, 232];
const ZERO: Rgb = [252, 252, 250];
/// Length of the stub a hidden bar gets: the same for every hidden count.
pub(crate) const HIDDEN_STUB: f32 = 12.0;
/// What a hidden count shows.
pub(crate) const HIDDEN_TEXT: &str = "<k";

/// Where text hangs from its x.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Anchor {
    Start,
    Middle,
    End,
}

/// One thing to paint. Coordinates are points from the top left.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Shape {
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Rgb,
    },
    Line {
        points: Vec<[f32; 2]>,
        width: f32,
        colour: Rgb,
    },
    /// Rings filled together with the even-odd rule (holes stay holes).
    Polygon {
        rings: Vec<Vec<[f32; 2]>>,
        fill: Rgb,
        outline: Option<(Rgb, f32)>,
    },
    /// `y` is the baseline.
    Text {
        x: f32,
        y: f32,
        size: f32,
        colour: Rgb,
        text: String,
        anchor: Anchor,
    },
}

/// A laid-out picture: a page of the PDF or one PNG.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Scene {
    pub width: f32,
    pub height: f32,
    pub shapes: Vec<Shape>,
}

/// A rectangle to lay a chart into.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Area {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

/// Adds shapes to a scene and measures text with the report's font.
pub(crate) struct Painter<'f> {
    pub font: &'f ReportFont,
    pub scene: Scene,
}

impl<'f> Painter<'f> {
    pub fn new(font: &'f ReportFont, width: f32, height: f32) -> Painter<'f> {
        Painter { font, scene: Scene { width, height, shapes: Vec::new() } }
    }

    pub fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, fill: Rgb) {
        if w > 0.0 && h > 0.0 && [x, y, w, h].iter().all(|v| v.is_finite()) {
            self.scene.shapes.push(Shape::Rect { x, y, w, h, fill });
        }
    }

    pub fn line(&mut self, points: Vec<[f32; 2]>, width: f32, colour: Rgb) {
        if points.len() >= 2 {
            self.scene.shapes.push(Shape::Line { points, width, colour });
        }
    }

    pub fn text(&mut self, x: f32, y: f32, size: f32, colour: Rgb, text: &str, anchor: Anchor) {
        if !text.is_empty() {
            self.scene.shapes.push(Shape::Text { x, y, size, colour, text: text.to_string(), anchor });
        }
    }

    pub fn width(&self, text: &str, size: f32) -> f32 {
        self.font.text_width(text, size)
    }

    /// The advance of each character of `text` at `size`.
    fn advances(&self, text: &str, size: f32) -> Vec<f32> {
        let mut buffer = [0u8; 4];
        text.chars().map(|c| self.font.text_width(c.encode_utf8(&mut buffer), size)).collect()
    }

    /// `text` cut with an ellipsis so it fits `max` points. Linear in the length, so a
    /// label of any length costs little.
    pub fn fit(&self, text: &str, size: f32, max: f32) -> String {
        let advances = self.advances(text, size);
        if advances.iter().sum::<f32>() <= max {
            return text.to_string();
        }
        let room = max - self.width("…", size);
        let mut width = 0.0;
        let mut kept = 0;
        for advance in &advances {
            if width + advance > room {
                break;
            }
            width += advance;
            kept += 1;
        }
        if room < 0.0 {
            return String::new();
        }
        let mut cut: String = text.chars().take(kept).collect();
        cut.push('…');
        cut
    }

    /// Lines no wider than `width`, broken at spaces (a word longer than a line is cut).
    pub fn wrap(&self, text: &str, size: f32, width: f32) -> Vec<String> {
        let space = self.width(" ", size);
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            let mut line_width = 0.0;
            for word in paragraph.split(' ') {
                let advances = self.advances(word, size);
                let word_width: f32 = advances.iter().sum();
                let joined = if line.is_empty() { word_width } else { line_width + space + word_width };
                if joined <= width {
                    if !line.is_empty() {
                        line.push(' ');
                    }
                    line.push_str(word);
                    line_width = joined;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                // A word too long for a line is cut where it no longer fits.
                let mut piece = String::new();
                let mut piece_width = 0.0;
                for (character, advance) in word.chars().zip(advances) {
                    if piece_width + advance > width && !piece.is_empty() {
                        lines.push(std::mem::take(&mut piece));
                        piece_width = 0.0;
                    }
                    piece.push(character);
                    piece_width += advance;
                }
                line = piece;
                line_width = piece_width;
            }
            lines.push(line);
        }
        lines
    }

    /// A legend entry: a colour box and its text; returns the x after it.
    fn legend_entry(&mut self, x: f32, baseline: f32, size: f32, colour: Rgb, text: &str) -> f32 {
        self.rect(x, baseline - size * 0.8, size * 0.9, size * 0.9, colour);
        self.text(x + size * 1.2, baseline, size, INK, text, Anchor::Start);
        x + size * 1.2 + self.width(text, size) + size * 1.2
    }
}

/// One bar of a ranked list.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Bar {
    pub label: String,
    pub count: Count,
    /// Text in the right-hand column (the change against the previous period).
    pub note: Option<(String, Rgb)>,
}

/// A horizontal bar list, largest first, hidden rows last (the order the views give).
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct BarList {
    pub heading: Option<String>,
    pub note_heading: Option<String>,
    pub rows: Vec<Bar>,
}

/// Columns over time, stacked by series; `totals` are the columns' published totals.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Stacked {
    pub periods: Vec<String>,
    pub series: Vec<String>,
    /// `cells[period][series]`.
    pub cells: Vec<Vec<Count>>,
    pub totals: Vec<Count>,
}

/// A heat map grid with its margins.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Heat {
    pub row_title: String,
    pub col_title: String,
    pub rows: Vec<String>,
    pub cols: Vec<String>,
    pub cells: Vec<Vec<Count>>,
    pub row_totals: Vec<Count>,
    pub col_totals: Vec<Count>,
    pub total: Count,
}

/// A plain table of text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Share of the width of each column.
    pub widths: Vec<f32>,
    /// Columns aligned right (numbers).
    pub right: Vec<bool>,
}

fn visible(count: Count) -> Option<u64> {
    count.value()
}

/// A tick step of 1, 2 or 5 × 10ⁿ giving about five steps up to `max`.
fn tick_step(max: u64) -> u64 {
    let raw = (max.max(1) as f64 / 5.0).max(1.0);
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * magnitude).find(|s| *s >= raw).unwrap_or(raw);
    step.round().max(1.0) as u64
}

/// Thin spaces between thousands: 12 345.
pub(crate) fn number(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202F}');
        }
        out.push(c);
    }
    out
}

/// A large count rounded to fit a narrow column: `128 k`, `1.2 M`.
pub(crate) fn compact(n: u64) -> String {
    match n {
        0..=9_999 => number(n),
        10_000..=999_999 => format!("{}\u{202F}k", (n + 500) / 1000),
        _ => format!("{:.1}\u{202F}M", n as f64 / 1e6),
    }
}

/// A count as printed: the number or `<k`.
pub(crate) fn count_text(count: Count) -> String {
    match count {
        Count::Value(n) => number(n),
        Count::Suppressed => HIDDEN_TEXT.to_string(),
    }
}

/// Draws a bar list into `area`. A hidden row gets the grey stub of [`HIDDEN_STUB`] and
/// `<k`, whatever it hides; the bars' scale comes from the visible counts only.
pub(crate) fn draw_bars(p: &mut Painter, area: Area, list: &BarList) {
    let mut top = area.y;
    if let Some(heading) = &list.heading {
        let heading = p.fit(heading, 9.5, area.w);
        p.text(area.x, top + 10.0, 9.5, INK, &heading, Anchor::Start);
        top += 16.0;
    }
    let height = area.y + area.h - top;
    if list.rows.is_empty() {
        p.text(area.x, top + 12.0, 9.0, MUTED, "No records.", Anchor::Start);
        return;
    }
    let row_height = (height / list.rows.len() as f32).clamp(9.0, 17.0);
    let fitting = ((height / row_height).floor() as usize).max(1);
    let (shown, more) = if list.rows.len() > fitting {
        (fitting.saturating_sub(1).max(1), list.rows.len() - fitting.saturating_sub(1).max(1))
    } else {
        (list.rows.len(), 0)
    };
    let size = (row_height * 0.6).min(8.5);
    let rows = &list.rows[..shown];
    let widest = rows.iter().map(|r| p.width(&r.label, size)).fold(0.0, f32::max);
    let label_width = widest.min(area.w * 0.4) + 4.0;
    let has_notes = rows.iter().any(|r| r.note.is_some());
    let note_width = if has_notes { (area.w * 0.18).clamp(30.0, 70.0) } else { 0.0 };
    let value_width = p.width("000\u{202F}000", size) + 6.0;
    let bar_x = area.x + label_width;
    let bar_width = (area.w - label_width - note_width - value_width).max(10.0);
    let max = rows.iter().filter_map(|r| visible(r.count)).max().unwrap_or(0).max(1);
    if let (true, Some(heading)) = (has_notes, &list.note_heading) {
        let heading = p.fit(heading, size, note_width);
        p.text(area.x + area.w, top - 3.0, size, MUTED, &heading, Anchor::End);
    }
    for (index, row) in rows.iter().enumerate() {
        let y = top + index as f32 * row_height;
        let baseline = y + row_height * 0.5 + size * 0.35;
        let label = p.fit(&row.label, size, label_width - 4.0);
        p.text(area.x, baseline, size, INK, &label, Anchor::Start);
        let bar_height = row_height * 0.7;
        let bar_y = y + (row_height - bar_height) / 2.0;
        match row.count {
            Count::Value(n) => {
                let length = if n == 0 { 0.0 } else { (n as f32 / max as f32 * bar_width).max(1.0) };
                p.rect(bar_x, bar_y, length, bar_height, BAR);
                p.text(bar_x + length + 3.0, baseline, size, INK, &number(n), Anchor::Start);
            }
            Count::Suppressed => {
                p.rect(bar_x, bar_y, HIDDEN_STUB, bar_height, HIDDEN);
                p.text(bar_x + HIDDEN_STUB + 3.0, baseline, size, MUTED, HIDDEN_TEXT, Anchor::Start);
            }
        }
        if let Some((note, colour)) = &row.note {
            p.text(area.x + area.w, baseline, size, *colour, note, Anchor::End);
        }
    }
    if more > 0 {
        let y = top + shown as f32 * row_height + row_height * 0.5 + size * 0.35;
        let hidden = list.rows[shown..].iter().filter(|r| r.count == Count::Suppressed).count();
        let text = if hidden > 0 {
            format!("… and {more} more rows ({hidden} of them <k)")
        } else {
            format!("… and {more} more rows")
        };
        p.text(area.x, y, size, MUTED, &text, Anchor::Start);
    }
}

/// Draws columns over time stacked by series. The hidden part of a column (its shown
/// total minus its shown cells: 0 or at least k, by complementary suppression) is one
/// grey segment on top; a hidden column total is a `<k` marker above the shown cells.
pub(crate) fn draw_stacked(p: &mut Painter, area: Area, chart: &Stacked) {
    if chart.periods.is_empty() {
        p.text(area.x, area.y + 12.0, 9.0, MUTED, "No records.", Anchor::Start);
        return;
    }
    // Legend first, wrapping over as many lines as it needs.
    let size = 7.5;
    let mut x = area.x;
    let mut baseline = area.y + 9.0;
    let mut entries: Vec<(Rgb, String)> =
        chart.series.iter().enumerate().map(|(i, s)| (PALETTE[i % PALETTE.len()], s.clone())).collect();
    entries.push((HIDDEN, "hidden (<k, or hidden so no <k can be derived)".into()));
    for (colour, text) in &entries {
        let needed = size * 2.4 + p.width(text, size);
        if x + needed > area.x + area.w && x > area.x {
            x = area.x;
            baseline += 12.0;
        }
        x = p.legend_entry(x, baseline, size, *colour, text);
    }
    let axis_width = 44.0;
    let plot = Area { x: area.x + axis_width, y: baseline + 16.0, w: area.w - axis_width, h: 0.0 };
    let plot = Area { h: area.y + area.h - 14.0 - plot.y, ..plot };
    let heights: Vec<u64> = chart
        .cells
        .iter()
        .zip(&chart.totals)
        .map(|(cells, total)| match total {
            Count::Value(t) => *t,
            Count::Suppressed => cells.iter().filter_map(|c| visible(*c)).sum(),
        })
        .collect();
    let max = heights.iter().copied().max().unwrap_or(0).max(1);
    let step = tick_step(max);
    let top_value = max.div_ceil(step) * step;
    let scale = plot.h / top_value as f32;
    let mut tick = 0;
    while tick <= top_value {
        let y = plot.y + plot.h - tick as f32 * scale;
        p.line(vec![[plot.x, y], [plot.x + plot.w, y]], 0.4, RULE);
        p.text(plot.x - 4.0, y + 2.5, 7.0, MUTED, &number(tick), Anchor::End);
        tick += step;
    }
    let n = chart.periods.len();
    let column = plot.w / n as f32;
    let bar = column * 0.72;
    let label_step = {
        let widest = chart.periods.iter().map(|l| p.width(l, 6.5)).fold(0.0, f32::max) + 4.0;
        ((widest / column).ceil() as usize).max(1)
    };
    for (index, period) in chart.periods.iter().enumerate() {
        let x = plot.x + index as f32 * column + (column - bar) / 2.0;
        let mut y = plot.y + plot.h;
        let mut shown = 0u64;
        if let Some(cells) = chart.cells.get(index) {
            for (series, cell) in cells.iter().enumerate() {
                if let Count::Value(v) = cell {
                    let h = *v as f32 * scale;
                    p.rect(x, y - h, bar, h, PALETTE[series % PALETTE.len()]);
                    y -= h;
                    shown += v;
                }
            }
        }
        match chart.totals.get(index).copied().unwrap_or(Count::Suppressed) {
            Count::Value(total) => {
                let hidden = total.saturating_sub(shown);
                if hidden > 0 {
                    let h = hidden as f32 * scale;
                    p.rect(x, y - h, bar, h, HIDDEN);
                    y -= h;
                }
                if column >= 26.0 {
                    p.text(x + bar / 2.0, y - 2.0, 6.5, MUTED, &number(total), Anchor::Middle);
                }
            }
            Count::Suppressed => {
                p.text(x + bar / 2.0, y - 2.0, 6.5, MUTED, HIDDEN_TEXT, Anchor::Middle);
            }
        }
        if index % label_step == 0 {
            p.text(x + bar / 2.0, plot.y + plot.h + 9.0, 6.5, INK, period, Anchor::Middle);
        }
    }
    p.line(vec![[plot.x, plot.y + plot.h], [plot.x + plot.w, plot.y + plot.h]], 0.8, MUTED);
}

/// The fill of a heat-map cell of value `v` when the largest shown cell is `max`.
fn heat_colour(v: u64, max: u64) -> (Rgb, bool) {
    let t = (v as f32 / max.max(1) as f32).sqrt().clamp(0.0, 1.0);
    let (low, high): (Rgb, Rgb) = ([237, 242, 250], [8, 48, 107]);
    let mix = |a: u8, b: u8| (a as f32 + (b as f32 - a as f32) * t).round() as u8;
    ([mix(low[0], high[0]), mix(low[1], high[1]), mix(low[2], high[2])], t > 0.55)
}

/// Draws a heat map with row and column totals. Rows and columns that do not fit are
/// left out (the view orders them by total, largest first) and a note says how many.
pub(crate) fn draw_heat(p: &mut Painter, area: Area, heat: &Heat) {
    if heat.rows.is_empty() || heat.cols.is_empty() {
        p.text(area.x, area.y + 12.0, 9.0, MUTED, "No records.", Anchor::Start);
        return;
    }
    let size = 7.0;
    let label_width = heat.rows.iter().map(|r| p.width(r, size)).fold(0.0, f32::max).min(110.0) + 6.0;
    let total_width = 40.0;
    let header = 24.0;
    let footer = 26.0;
    let columns_room = area.w - label_width - total_width;
    let col_width = (columns_room / heat.cols.len() as f32).clamp(24.0, 70.0);
    let cols = ((columns_room / col_width).floor() as usize).min(heat.cols.len()).max(1);
    let rows_room = area.h - header - footer;
    let row_height = (rows_room / heat.rows.len() as f32).clamp(11.0, 22.0);
    let rows = ((rows_room / row_height).floor() as usize).min(heat.rows.len()).max(1);
    let max = heat.cells.iter().take(rows).flat_map(|r| r.iter().take(cols)).filter_map(|c| visible(*c)).max();
    let max = max.unwrap_or(1);
    let x0 = area.x + label_width;
    let y0 = area.y + header;
    p.text(area.x, area.y + 8.0, 7.0, MUTED, &format!("{} ↓  {} →", heat.row_title, heat.col_title), Anchor::Start);
    for c in 0..cols {
        let label = p.fit(&heat.cols[c], size, col_width - 2.0);
        p.text(x0 + c as f32 * col_width + col_width / 2.0, y0 - 4.0, size, INK, &label, Anchor::Middle);
    }
    let totals_x = x0 + cols as f32 * col_width + 4.0;
    p.text(totals_x + total_width - 4.0, y0 - 4.0, size, MUTED, "total", Anchor::End);
    let cell_text = (row_height * 0.55).min(7.0);
    for r in 0..rows {
        let y = y0 + r as f32 * row_height;
        let baseline = y + row_height / 2.0 + cell_text * 0.35;
        let label = p.fit(&heat.rows[r], size, label_width - 6.0);
        p.text(area.x, baseline, size, INK, &label, Anchor::Start);
        for c in 0..cols {
            let x = x0 + c as f32 * col_width;
            let cell = heat.cells.get(r).and_then(|row| row.get(c)).copied().unwrap_or(Count::Value(0));
            let (fill, text, colour) = match cell {
                Count::Suppressed => (HIDDEN, HIDDEN_TEXT.to_string(), INK),
                Count::Value(0) => (ZERO, "0".to_string(), RULE),
                Count::Value(v) => {
                    let (fill, dark) = heat_colour(v, max);
                    (fill, number(v), if dark { WHITE } else { INK })
                }
            };
            p.rect(x + 0.5, y + 0.5, col_width - 1.0, row_height - 1.0, fill);
            if p.width(&text, cell_text) <= col_width - 3.0 {
                p.text(x + col_width / 2.0, baseline, cell_text, colour, &text, Anchor::Middle);
            }
        }
        let total = heat.row_totals.get(r).copied().unwrap_or(Count::Suppressed);
        p.text(totals_x + total_width - 4.0, baseline, cell_text, INK, &count_text(total), Anchor::End);
    }
    let totals_y = y0 + rows as f32 * row_height + 10.0;
    p.text(area.x, totals_y, size, MUTED, "total", Anchor::Start);
    for c in 0..cols {
        let total = heat.col_totals.get(c).copied().unwrap_or(Count::Suppressed);
        let mut text = count_text(total);
        if p.width(&text, cell_text) > col_width - 2.0
            && let Count::Value(n) = total
        {
            text = compact(n);
        }
        p.text(x0 + c as f32 * col_width + col_width / 2.0, totals_y, cell_text, INK, &text, Anchor::Middle);
    }
    p.text(totals_x + total_width - 4.0, totals_y, cell_text, INK, &count_text(heat.total), Anchor::End);
    if rows < heat.rows.len() || cols < heat.cols.len() {
        let note = format!(
            "Largest first: {rows} of {} rows and {cols} of {} columns shown; the CSV export has them all.",
            heat.rows.len(),
            heat.cols.len()
        );
        p.text(area.x, totals_y + 12.0, 7.0, MUTED, &note, Anchor::Start);
    }
}

/// Draws a table from `top`; returns the y after the last row. Rows are 12 points high;
/// the caller pages long tables by giving slices of rows.
pub(crate) fn draw_table(p: &mut Painter, x: f32, top: f32, width: f32, table: &Table) -> f32 {
    let size = 8.0;
    let row_height = 12.0;
    let total: f32 = table.widths.iter().sum::<f32>().max(f32::EPSILON);
    let mut lefts = Vec::new();
    let mut left = x;
    for w in &table.widths {
        lefts.push((left, w / total * width));
        left += w / total * width;
    }
    let mut y = top;
    let line = |p: &mut Painter, cells: &[String], colour: Rgb, y: f32| {
        for (index, cell) in cells.iter().enumerate() {
            let Some(&(left, w)) = lefts.get(index) else { continue };
            let text = p.fit(cell, size, w - 6.0);
            if table.right.get(index).copied().unwrap_or(false) {
                p.text(left + w - 6.0, y + 9.0, size, colour, &text, Anchor::End);
            } else {
                p.text(left, y + 9.0, size, colour, &text, Anchor::Start);
            }
        }
    };
    line(p, &table.header, MUTED, y);
    y += row_height;
    p.line(vec![[x, y], [x + width, y]], 0.5, MUTED);
    for row in &table.rows {
        line(p, row, INK, y);
        y += row_height;
        p.line(vec![[x, y], [x + width, y]], 0.3, RULE);
    }
    y
}

/// The fill of a choropleth shade.
fn shade_colour(shade: Shade, classes: usize) -> Rgb {
    match shade {
        Shade::NoData => NO_DATA,
        Shade::Zero => ZERO,
        Shade::Suppressed => HIDDEN,
        Shade::Class(i) => {
            // Spread the classes over the palette so 3 classes are not all light.
            let last = CLASS_COLOURS.len() - 1;
            let index = if classes <= 1 { last } else { i * last / (classes - 1) };
            CLASS_COLOURS[index.min(last)]
        }
    }
}

/// Colour of the route lines on the map.
const ROUTE: Rgb = [25, 55, 110];

/// One route on the map: its stops in projected unit coordinates, and its line width.
pub(crate) struct MapRoute {
    pub points: Vec<[f32; 2]>,
    pub width: f32,
}

/// Draws the world map shaded by `choropleth`, the `routes` over it, its legend and the
/// keys not on the map.
pub(crate) fn draw_map(p: &mut Painter, area: Area, map: &WorldMap, choropleth: &Choropleth, routes: &[MapRoute]) {
    let legend_height = 30.0;
    let aspect = map.projection().aspect();
    let room = Area { h: area.h - legend_height, ..area };
    let (w, h) = if room.w / room.h > aspect { (room.h * aspect, room.h) } else { (room.w, room.w / aspect) };
    let (x0, y0) = (room.x + (room.w - w) / 2.0, room.y);
    for (country, shade) in map.countries().iter().zip(&choropleth.shades) {
        let rings: Vec<Vec<[f32; 2]>> = country
            .rings
            .iter()
            .filter(|ring| ring.len() >= 3)
            .map(|ring| ring.iter().map(|[u, v]| [x0 + u * w, y0 + v * h]).collect())
            .collect();
        if rings.is_empty() {
            continue;
        }
        let fill = shade_colour(*shade, choropleth.classes.len());
        p.scene.shapes.push(Shape::Polygon { rings, fill, outline: Some(([150, 150, 150], 0.25)) });
    }
    for route in routes {
        let points: Vec<[f32; 2]> = route.points.iter().map(|[u, v]| [x0 + u * w, y0 + v * h]).collect();
        if let Some(&[ex, ey]) = points.last() {
            p.line(points, route.width, ROUTE);
            p.rect(ex - 2.0, ey - 2.0, 4.0, 4.0, ROUTE);
        }
    }
    let size = 7.5;
    let mut x = area.x;
    let baseline = y0 + h + 12.0;
    for (index, text) in choropleth.legend().iter().enumerate() {
        x = p.legend_entry(x, baseline, size, shade_colour(Shade::Class(index), choropleth.classes.len()), text);
    }
    x = p.legend_entry(x, baseline, size, HIDDEN, "<k (hidden)");
    x = p.legend_entry(x, baseline, size, ZERO, "0");
    x = p.legend_entry(x, baseline, size, NO_DATA, "no records");
    if !routes.is_empty() {
        let text = format!("lines: the {} largest routes, width by count, a square at the destination", routes.len());
        p.line(vec![[x, baseline - size * 0.35], [x + size * 1.6, baseline - size * 0.35]], 1.5, ROUTE);
        p.text(x + size * 2.0, baseline, size, INK, &text, Anchor::Start);
    }
    if !choropleth.unmapped.is_empty() {
        let listed: Vec<String> =
            choropleth.unmapped.iter().map(|(key, count)| format!("{key} {}", count_text(*count))).collect();
        let text = format!("Not on the map (too small for 1:110m, or not a state): {}", listed.join(", "));
        let text = p.fit(&text, 7.0, area.w);
        p.text(area.x, baseline + 12.0, 7.0, MUTED, &text, Anchor::Start);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The report font; `cargo xtask setup` installs it (fonts-dejavu-core),
    /// so a missing one fails the test.
    #[track_caller]
    fn font() -> ReportFont {
        ReportFont::system().unwrap_or_else(|e| {
            tdverify_core::test_data::missing_project_piece(
                format!("the report font ({e})"),
                "run cargo xtask setup (Debian fonts-dejavu-core)",
            )
        })
    }

    #[test]
    fn ticks_are_round_numbers() {
        assert_eq!(tick_step(0), 1);
        assert_eq!(tick_step(7), 2);
        assert_eq!(tick_step(100), 20);
        assert_eq!(tick_step(12_345), 5000);
        assert_eq!(number(1_234_567), "1\u{202F}234\u{202F}567");
        assert_eq!(number(999), "999");
        assert_eq!(compact(128_456), "128\u{202F}k");
        assert_eq!(compact(1_043_581), "1.0\u{202F}M");
    }

    #[test]
    fn a_hidden_bar_has_the_stub_length_whatever_the_other_rows() {
        let font = font();
        let stub_of = |max: u64| {
            let mut p = Painter::new(&font, 400.0, 200.0);
            let list = BarList {
                rows: vec![
                    Bar { label: "FRA".into(), count: Count::Value(max), note: None },
                    Bar { label: "ITA".into(), count: Count::Suppressed, note: None },
                ],
                ..BarList::default()
            };
            draw_bars(&mut p, Area { x: 0.0, y: 0.0, w: 400.0, h: 200.0 }, &list);
            p.scene
                .shapes
                .iter()
                .filter_map(|s| match s {
                    Shape::Rect { w, fill, .. } if *fill == HIDDEN => Some(*w),
                    _ => None,
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(stub_of(10), vec![HIDDEN_STUB]);
        assert_eq!(stub_of(100_000), vec![HIDDEN_STUB]);
    }

    #[test]
    fn a_stacked_column_draws_its_hidden_part_as_one_grey_segment() {
        let font = font();
        let mut p = Painter::new(&font, 400.0, 300.0);
        let chart = Stacked {
            periods: vec!["2026-01".into(), "2026-02".into()],
            series: vec!["counterfeit".into(), "forged".into(), "impostor".into()],
            cells: vec![
                vec![Count::Value(20), Count::Suppressed, Count::Suppressed],
                vec![Count::Value(3), Count::Value(0), Count::Value(0)],
            ],
            totals: vec![Count::Value(30), Count::Suppressed],
        };
        draw_stacked(&mut p, Area { x: 0.0, y: 0.0, w: 400.0, h: 300.0 }, &chart);
        let greys: Vec<f32> = p
            .scene
            .shapes
            .iter()
            .filter_map(|s| match s {
                Shape::Rect { h, fill, y, .. } if *fill == HIDDEN && *y > 12.0 => Some(*h),
                _ => None,
            })
            .collect();
        assert_eq!(greys.len(), 1, "{greys:?}");
        let markers = p.scene.shapes.iter().filter(|s| matches!(s, Shape::Text { text, .. } if text == "<k")).count();
        assert_eq!(markers, 1);
    }

    #[test]
    fn fitting_and_wrapping_respect_the_width() {
        let font = font();
        let p = Painter::new(&font, 100.0, 100.0);
        let cut = p.fit("document.uv.fluorescence_pattern", 8.0, 60.0);
        assert!(cut.ends_with('…') && p.width(&cut, 8.0) <= 60.0, "{cut}");
        for line in p.wrap("alpha beta gamma delta epsilon zeta", 8.0, 50.0) {
            assert!(p.width(&line, 8.0) <= 50.0 || line.chars().count() == 1);
        }
    }
}
