//! Views: counts by one dimension, 2-D tables (heat map, stacked time series) and the
//! ranking of issuing states with their change, all passed through small-number
//! suppression ([`crate::suppress`]) before they leave this module, so the GUI, the CLI
//! and the CSV files can never show a count between 1 and k−1.

use std::collections::HashMap;

use serde::{Serialize, Serializer};

use crate::columns::Columns;
use crate::dimension::{Dimension, month_index, month_label};
use crate::error::TrendsError;
use crate::filter::Filter;
use crate::suppress::{suppress_1d, suppress_2d};

/// A published count: the number, or "below k" (shown and serialised as `"<k"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    /// At least k (or 0, or shown because nothing can be derived from it).
    Value(u64),
    /// Hidden: below k, or hidden so that it cannot be derived from a total.
    Suppressed,
}

impl Count {
    /// The number if shown.
    pub fn value(self) -> Option<u64> {
        match self {
            Count::Value(n) => Some(n),
            Count::Suppressed => None,
        }
    }

    /// As text: the number or `<k`.
    pub fn text(self) -> String {
        match self {
            Count::Value(n) => n.to_string(),
            Count::Suppressed => SUPPRESSED.to_string(),
        }
    }

    fn of(count: u64, hidden: bool) -> Count {
        if hidden { Count::Suppressed } else { Count::Value(count) }
    }
}

/// What a suppressed count shows.
pub const SUPPRESSED: &str = "<k";

impl Serialize for Count {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Count::Value(n) => serializer.serialize_u64(*n),
            Count::Suppressed => serializer.serialize_str(SUPPRESSED),
        }
    }
}

/// One bar of a view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    /// The dimension's value (`unknown` for records without one).
    pub key: String,
    /// Its count.
    pub count: Count,
}

/// Counts by one dimension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct View {
    /// What it counts by.
    pub dimension: Dimension,
    /// The k applied.
    pub k: usize,
    /// Records matching the filter (a record with several forgery methods or failed
    /// checks counts once here and once per value in the rows).
    pub total: Count,
    /// Rows: by count, largest first, then the hidden ones by key; periods in time order.
    pub rows: Vec<Row>,
}

/// A 2-D table with its margins: the heat map and the stacked time series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grid {
    /// Row dimension.
    pub row_dimension: Dimension,
    /// Column dimension.
    pub col_dimension: Dimension,
    /// The k applied.
    pub k: usize,
    /// Row keys (largest total first; periods in time order).
    pub rows: Vec<String>,
    /// Column keys (as rows).
    pub cols: Vec<String>,
    /// `cells[row][col]`.
    pub cells: Vec<Vec<Count>>,
    /// Sum of each row.
    pub row_totals: Vec<Count>,
    /// Sum of each column.
    pub col_totals: Vec<Count>,
    /// Sum of all cells.
    pub total: Count,
}

/// One issuing state in the ranking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ranked {
    /// ICAO code.
    pub key: String,
    /// Count in the period.
    pub count: Count,
    /// Count in the previous period of equal length.
    pub previous: Count,
    /// `count − previous`, hidden when either side is.
    pub change: Change,
}

/// A change between periods, or hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// The difference.
    Value(i64),
    /// Hidden because one side is.
    Suppressed,
}

impl Serialize for Change {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Change::Value(n) => serializer.serialize_i64(*n),
            Change::Suppressed => serializer.serialize_str(SUPPRESSED),
        }
    }
}

/// Issuing states most linked to fraud, with their change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ranking {
    /// The k applied.
    pub k: usize,
    /// `YYYY-MM..YYYY-MM`.
    pub period: String,
    /// The previous period of equal length.
    pub previous_period: String,
    /// Ranked, largest first.
    pub rows: Vec<Ranked>,
}

impl Ranking {
    /// Whether the previous period holds no record at all (no bundle covers it): then a
    /// change would only repeat the counts as growth, and views leave it out.
    pub fn previous_is_empty(&self) -> bool {
        self.rows.iter().all(|r| r.previous == Count::Value(0))
    }
}

/// Raw counts by code (never leaves this module unsuppressed).
fn count_codes(columns: &Columns, rows: &[u32], dimension: Dimension) -> HashMap<u32, u64> {
    let mut counts: HashMap<u32, u64> = HashMap::new();
    if let Some(column) = columns.single_column(dimension) {
        // Dense counting for dictionary columns: no hashing per record.
        let mut dense: Vec<u64> = Vec::new();
        for &r in rows {
            let code = column[r as usize] as usize;
            if dense.len() <= code {
                dense.resize(code + 1, 0);
            }
            dense[code] += 1;
        }
        for (code, n) in dense.into_iter().enumerate() {
            if n > 0 {
                counts.insert(code as u32, n);
            }
        }
        return counts;
    }
    for &r in rows {
        columns.for_each_code(dimension, r as usize, |c| *counts.entry(c).or_default() += 1);
    }
    counts
}

/// Orders keys: periods in time order, others by count (descending) then key; hidden ones
/// last by key, so the order never reveals a hidden count.
fn order(dimension: Dimension, items: &mut [(u32, String, u64, bool)]) {
    if dimension.is_period() {
        items.sort_by_key(|(code, ..)| *code);
    } else {
        items.sort_by(|a, b| {
            a.3.cmp(&b.3).then_with(|| if a.3 { a.1.cmp(&b.1) } else { b.2.cmp(&a.2).then_with(|| a.1.cmp(&b.1)) })
        });
    }
}

/// The view by `dimension` of `columns` under `filter`.
pub(crate) fn view(columns: &Columns, dimension: Dimension, filter: &Filter, k: usize) -> Result<View, TrendsError> {
    let rows = filter.rows(columns)?;
    Ok(view_of_rows(columns, &rows, dimension, k))
}

fn view_of_rows(columns: &Columns, rows: &[u32], dimension: Dimension, k: usize) -> View {
    let counts = count_codes(columns, rows, dimension);
    let mut codes: Vec<(u32, u64)> = counts.into_iter().collect();
    codes.sort_unstable();
    let values: Vec<u64> = codes.iter().map(|(_, n)| *n).collect();
    let total = rows.len() as u64;
    let (hidden, total_hidden) = suppress_1d(&values, total, k as u64);
    let mut items: Vec<(u32, String, u64, bool)> =
        codes.iter().zip(&hidden).map(|((code, n), h)| (*code, columns.label(dimension, *code), *n, *h)).collect();
    order(dimension, &mut items);
    View {
        dimension,
        k,
        total: Count::of(total, total_hidden),
        rows: items.into_iter().map(|(_, key, n, h)| Row { key, count: Count::of(n, h) }).collect(),
    }
}

/// The 2-D table `row_dimension × col_dimension` under `filter`.
pub(crate) fn grid(
    columns: &Columns,
    row_dimension: Dimension,
    col_dimension: Dimension,
    filter: &Filter,
    k: usize,
) -> Result<Grid, TrendsError> {
    let rows = filter.rows(columns)?;
    let mut pairs: HashMap<(u32, u32), u64> = HashMap::new();
    let mut row_codes = Vec::with_capacity(4);
    for &r in &rows {
        row_codes.clear();
        columns.for_each_code(row_dimension, r as usize, |c| row_codes.push(c));
        for &a in &row_codes {
            columns.for_each_code(col_dimension, r as usize, |b| *pairs.entry((a, b)).or_default() += 1);
        }
    }
    // Axis order by (unsuppressed) totals is fine: suppression is applied on the cells,
    // and the axis order is recomputed from shown totals below.
    let axis = |pick: fn(&(u32, u32)) -> u32| -> Vec<u32> {
        let mut codes: Vec<u32> = pairs.keys().map(pick).collect();
        codes.sort_unstable();
        codes.dedup();
        codes
    };
    let row_axis = axis(|p| p.0);
    let col_axis = axis(|p| p.1);
    let (nr, nc) = (row_axis.len(), col_axis.len());
    let row_pos: HashMap<u32, usize> = row_axis.iter().enumerate().map(|(i, c)| (*c, i)).collect();
    let col_pos: HashMap<u32, usize> = col_axis.iter().enumerate().map(|(i, c)| (*c, i)).collect();
    let mut cells = vec![0u64; nr * nc];
    for ((a, b), n) in &pairs {
        cells[row_pos[a] * nc + col_pos[b]] = *n;
    }
    let hidden = suppress_2d(&cells, nr, nc, k as u64);
    let row_totals: Vec<u64> = (0..nr).map(|r| cells[r * nc..(r + 1) * nc].iter().sum()).collect();
    let col_totals: Vec<u64> = (0..nc).map(|c| (0..nr).map(|r| cells[r * nc + c]).sum()).collect();
    let total: u64 = row_totals.iter().sum();
    let mut row_items: Vec<(u32, String, u64, bool)> = row_axis
        .iter()
        .enumerate()
        .map(|(i, c)| (*c, columns.label(row_dimension, *c), row_totals[i], hidden.rows[i]))
        .collect();
    let mut col_items: Vec<(u32, String, u64, bool)> = col_axis
        .iter()
        .enumerate()
        .map(|(i, c)| (*c, columns.label(col_dimension, *c), col_totals[i], hidden.cols[i]))
        .collect();
    order(row_dimension, &mut row_items);
    order(col_dimension, &mut col_items);
    let row_order: Vec<usize> = row_items.iter().map(|(c, ..)| row_pos[c]).collect();
    let col_order: Vec<usize> = col_items.iter().map(|(c, ..)| col_pos[c]).collect();
    Ok(Grid {
        row_dimension,
        col_dimension,
        k,
        rows: row_items.iter().map(|(_, key, ..)| key.clone()).collect(),
        cols: col_items.iter().map(|(_, key, ..)| key.clone()).collect(),
        cells: row_order
            .iter()
            .map(|&r| col_order.iter().map(|&c| Count::of(cells[r * nc + c], hidden.cells[r * nc + c])).collect())
            .collect(),
        row_totals: row_items.iter().map(|(_, _, n, h)| Count::of(*n, *h)).collect(),
        col_totals: col_items.iter().map(|(_, _, n, h)| Count::of(*n, *h)).collect(),
        total: Count::of(total, hidden.total),
    })
}

/// Issuing states of the filter's period ranked, with the previous period of equal
/// length (the filter's other pins apply to both). Without a period, the last 12 months
/// of data are used.
pub(crate) fn ranking(columns: &Columns, filter: &Filter, k: usize) -> Result<Ranking, TrendsError> {
    // No record and no period asked for: nothing to rank, and no month to anchor a period.
    if columns.month.is_empty() && filter.from.is_none() && filter.to.is_none() {
        return Ok(Ranking { k, period: String::new(), previous_period: String::new(), rows: Vec::new() });
    }
    let (from, to) = match (&filter.from, &filter.to) {
        (Some(_), Some(_)) => filter.months()?,
        _ => {
            let last = columns.month.iter().copied().max().unwrap_or(0);
            let to = match &filter.to {
                Some(t) => month_index(t).ok_or_else(|| TrendsError::Input(format!("{t:?} is not a month")))?,
                None => last,
            };
            let from = match &filter.from {
                Some(f) => month_index(f).ok_or_else(|| TrendsError::Input(format!("{f:?} is not a month")))?,
                None => to.saturating_sub(11),
            };
            (from, to.max(from))
        }
    };
    let length = to - from + 1;
    let previous_to = from.saturating_sub(1);
    let previous_from = from.saturating_sub(length);
    let mut current_filter = filter.clone();
    current_filter.from = Some(month_label(from));
    current_filter.to = Some(month_label(to));
    let mut previous_filter = filter.clone();
    previous_filter.from = Some(month_label(previous_from));
    previous_filter.to = Some(month_label(previous_to));
    let current = view(columns, Dimension::IssuingState, &current_filter, k)?;
    let previous = view(columns, Dimension::IssuingState, &previous_filter, k)?;
    let before: HashMap<&str, Count> = previous.rows.iter().map(|r| (r.key.as_str(), r.count)).collect();
    let rows = current
        .rows
        .iter()
        .map(|row| {
            // A state absent before had 0 there, which is shown as 0.
            let previous = before.get(row.key.as_str()).copied().unwrap_or(Count::Value(0));
            let change = match (row.count, previous) {
                (Count::Value(a), Count::Value(b)) => Change::Value(a as i64 - b as i64),
                _ => Change::Suppressed,
            };
            Ranked { key: row.key.clone(), count: row.count, previous, change }
        })
        .collect();
    Ok(Ranking {
        k,
        period: format!("{}..{}", month_label(from), month_label(to)),
        previous_period: format!("{}..{}", month_label(previous_from), month_label(previous_to)),
        rows,
    })
}

/// A view as CSV: `key,count` with hidden counts as `<k`, the total last.
pub fn view_csv(view: &View) -> String {
    let mut out = format!("{},count\n", view.dimension);
    for row in &view.rows {
        out.push_str(&format!("{},{}\n", csv_field(&row.key), row.count.text()));
    }
    out.push_str(&format!("total,{}\n", view.total.text()));
    out
}

/// A 2-D table as CSV: one line per row key with its cells and total, a totals line last.
pub fn grid_csv(grid: &Grid) -> String {
    let mut out = format!("{}\\{}", grid.row_dimension, grid.col_dimension);
    for col in &grid.cols {
        out.push(',');
        out.push_str(&csv_field(col));
    }
    out.push_str(",total\n");
    for ((key, cells), total) in grid.rows.iter().zip(&grid.cells).zip(&grid.row_totals) {
        out.push_str(&csv_field(key));
        for cell in cells {
            out.push(',');
            out.push_str(&cell.text());
        }
        out.push(',');
        out.push_str(&total.text());
        out.push('\n');
    }
    out.push_str("total");
    for total in &grid.col_totals {
        out.push(',');
        out.push_str(&total.text());
    }
    out.push(',');
    out.push_str(&grid.total.text());
    out.push('\n');
    out
}

/// The ranking as CSV: `issuing_state,count,previous,change`.
pub fn ranking_csv(ranking: &Ranking) -> String {
    let mut out = String::from("issuing_state,count,previous,change\n");
    for row in &ranking.rows {
        let change = match row.change {
            Change::Value(n) => n.to_string(),
            Change::Suppressed => SUPPRESSED.to_string(),
        };
        out.push_str(&format!("{},{},{},{change}\n", csv_field(&row.key), row.count.text(), row.previous.text()));
    }
    out
}

/// One CSV field, quoted when needed.
fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columns::RowIn;

    fn columns(rows: &[(&str, &str, &str)]) -> Columns {
        let mut columns = Columns::new();
        for (period, state, methods) in rows {
            columns.push(&RowIn {
                station: "s",
                event_period: period,
                issuing_state: Some(state),
                forgery_methods: methods,
                ..RowIn::default()
            });
        }
        columns
    }

    #[test]
    fn small_counts_are_hidden_with_a_complement_and_ranked_last() {
        let mut data = Vec::new();
        data.extend(std::iter::repeat_n(("2026-01", "FRA", ""), 12));
        data.extend(std::iter::repeat_n(("2026-01", "ITA", ""), 7));
        data.extend(std::iter::repeat_n(("2026-01", "GRC", ""), 2));
        let c = columns(&data);
        let v = view(&c, Dimension::IssuingState, &Filter::all(), 5).unwrap();
        assert_eq!(v.total, Count::Value(21));
        let shown: Vec<(String, String)> = v.rows.iter().map(|r| (r.key.clone(), r.count.text())).collect();
        assert_eq!(shown, [("FRA".into(), "12".into()), ("GRC".into(), "<k".into()), ("ITA".into(), "<k".into())]);
        assert_eq!(serde_json::to_string(&v.rows[1].count).unwrap(), "\"<k\"");
        let csv = view_csv(&v);
        assert!(csv.contains("GRC,<k\n") && csv.ends_with("total,21\n"), "{csv}");
    }

    #[test]
    fn rankings_compare_with_the_previous_period() {
        let mut data = Vec::new();
        data.extend(std::iter::repeat_n(("2026-01", "FRA", ""), 8));
        data.extend(std::iter::repeat_n(("2026-01", "GRC", ""), 6));
        data.extend(std::iter::repeat_n(("2026-02", "FRA", ""), 10));
        data.extend(std::iter::repeat_n(("2026-02", "ITA", ""), 9));
        data.extend(std::iter::repeat_n(("2026-01", "ITA", ""), 2));
        let c = columns(&data);
        let r = ranking(&c, &Filter::all().between("2026-02", "2026-02"), 5).unwrap();
        assert_eq!(r.previous_period, "2026-01..2026-01");
        assert_eq!(r.rows[0].key, "FRA");
        // January: ITA's 2 is hidden, and GRC's 6 with it (the smallest visible), FRA stays.
        assert_eq!(r.rows[0].change, Change::Value(2));
        assert_eq!(r.rows[1].previous, Count::Suppressed);
        assert_eq!(r.rows[1].change, Change::Suppressed);
        assert!(ranking_csv(&r).contains("ITA,9,<k,<k"));
    }

    #[test]
    fn grids_keep_margins_consistent() {
        let mut data = Vec::new();
        data.extend(std::iter::repeat_n(("2026-01", "FRA", "photo_substitution"), 8));
        data.extend(std::iter::repeat_n(("2026-02", "FRA", "data_alteration"), 9));
        data.extend(std::iter::repeat_n(("2026-02", "ITA", "data_alteration"), 3));
        let c = columns(&data);
        let g = grid(&c, Dimension::Month, Dimension::IssuingState, &Filter::all(), 5).unwrap();
        assert_eq!(g.rows, ["2026-01", "2026-02"]);
        assert_eq!(g.cols, ["FRA", "ITA"]);
        assert_eq!(g.total, Count::Value(20));
        assert_eq!(g.cells[1][1], Count::Suppressed);
        // ITA's 3 alone in its column and in February's row: the complement hides more.
        assert_eq!(g.cells[1][0], Count::Suppressed);
        assert!(grid_csv(&g).starts_with("month\\issuing_state,FRA,ITA,total\n"));
    }
}
