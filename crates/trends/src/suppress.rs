//! Small-number suppression: no published figure may reveal a count between 1 and k−1.
//!
//! Primary suppression hides every cell with 0 < count < k. That alone is not enough: a
//! view shows its total, and the total minus the visible cells is the sum of the hidden
//! ones, so a single hidden cell (or a few whose sum is below k) could be recomputed.
//! Complementary suppression therefore keeps hiding the smallest visible non-zero cell
//! of a line (a 1-D view, or a row or column of a 2-D view with its margin) until the
//! hidden cells of that line sum to 0 or to at least k. A line total below k is hidden
//! itself. 2-D views apply this to every row, every column and both margins, repeatedly,
//! until nothing changes (hiding a cell for its row can open a gap in its column).
//! Zero cells stay visible: an absence reveals nobody.

/// Applies primary and complementary suppression to one line of counts. `hidden` holds
/// the cells hidden so far (from other lines) and is extended. Returns whether anything
/// new was hidden.
pub(crate) fn suppress_line<I: Copy>(
    counts: &[u64],
    cells: &[I],
    hidden: &mut [bool],
    index: impl Fn(I) -> usize,
    k: u64,
) -> bool {
    let mut changed = false;
    for (&count, &cell) in counts.iter().zip(cells) {
        let i = index(cell);
        if count > 0 && count < k && !hidden[i] {
            hidden[i] = true;
            changed = true;
        }
    }
    loop {
        let hidden_sum: u64 = counts.iter().zip(cells).filter(|(_, c)| hidden[index(**c)]).map(|(n, _)| *n).sum();
        if hidden_sum == 0 || hidden_sum >= k {
            return changed;
        }
        let smallest = counts
            .iter()
            .zip(cells)
            .filter(|(n, c)| **n > 0 && !hidden[index(**c)])
            .min_by_key(|(n, _)| **n)
            .map(|(_, c)| index(*c));
        match smallest {
            Some(i) => {
                hidden[i] = true;
                changed = true;
            }
            // Nothing left to hide: the line's own total is below k and is hidden by the caller.
            None => return changed,
        }
    }
}

/// Suppression of a 1-D view: returns which cells are hidden and whether the total is.
/// `counts` are the cells (their sum is the line total the complementary rule protects);
/// `total` is the figure shown as the view's total (the number of records, which
/// differs from the sum for multi-valued dimensions).
pub(crate) fn suppress_1d(counts: &[u64], total: u64, k: u64) -> (Vec<bool>, bool) {
    let mut hidden = vec![false; counts.len()];
    let sum: u64 = counts.iter().sum();
    if total < k || sum < k {
        for (h, n) in hidden.iter_mut().zip(counts) {
            *h = *n > 0;
        }
        return (hidden, total > 0 && total < k);
    }
    let cells: Vec<usize> = (0..counts.len()).collect();
    suppress_line(counts, &cells, &mut hidden, |i| i, k);
    (hidden, false)
}

/// What is hidden in a 2-D table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hidden2d {
    /// Row-major cells.
    pub cells: Vec<bool>,
    /// Row totals.
    pub rows: Vec<bool>,
    /// Column totals.
    pub cols: Vec<bool>,
    /// The grand total.
    pub total: bool,
}

/// Suppression of a row-major `rows × cols` table with its margins (row totals, column
/// totals, grand total), per row, per column and per margin until stable.
pub(crate) fn suppress_2d(cells: &[u64], rows: usize, cols: usize, k: u64) -> Hidden2d {
    debug_assert_eq!(cells.len(), rows * cols);
    let row_totals: Vec<u64> = (0..rows).map(|r| cells[r * cols..(r + 1) * cols].iter().sum()).collect();
    let col_totals: Vec<u64> = (0..cols).map(|c| (0..rows).map(|r| cells[r * cols + c]).sum()).collect();
    let total: u64 = row_totals.iter().sum();
    // One flag array over cells, then row totals, then column totals.
    let n = cells.len();
    let mut hidden = vec![false; n + rows + cols];
    if total < k {
        for (i, &count) in cells.iter().chain(&row_totals).chain(&col_totals).enumerate() {
            hidden[i] = count > 0;
        }
        return Hidden2d {
            cells: hidden[..n].to_vec(),
            rows: hidden[n..n + rows].to_vec(),
            cols: hidden[n + rows..].to_vec(),
            total: total > 0,
        };
    }
    let row_line: Vec<Vec<usize>> = (0..rows).map(|r| (r * cols..(r + 1) * cols).collect()).collect();
    let col_line: Vec<Vec<usize>> = (0..cols).map(|c| (0..rows).map(|r| r * cols + c).collect()).collect();
    let row_margin: Vec<usize> = (n..n + rows).collect();
    let col_margin: Vec<usize> = (n + rows..n + rows + cols).collect();
    let values = |indices: &[usize]| -> Vec<u64> {
        indices
            .iter()
            .map(|&i| {
                if i < n {
                    cells[i]
                } else if i < n + rows {
                    row_totals[i - n]
                } else {
                    col_totals[i - n - rows]
                }
            })
            .collect()
    };
    let lines: Vec<(Vec<usize>, Vec<u64>)> = row_line
        .into_iter()
        .chain(col_line)
        .chain([row_margin, col_margin])
        .map(|line| {
            let counts = values(&line);
            (line, counts)
        })
        .collect();
    loop {
        let mut changed = false;
        for (line, counts) in &lines {
            changed |= suppress_line(counts, line, &mut hidden, |i| i, k);
        }
        if !changed {
            break;
        }
    }
    Hidden2d {
        cells: hidden[..n].to_vec(),
        rows: hidden[n..n + rows].to_vec(),
        cols: hidden[n + rows..].to_vec(),
        total: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Whether `total − visible` of a line reveals a small hidden sum.
    fn leaks(counts: &[u64], hidden: &[bool], k: u64) -> bool {
        let hidden_sum: u64 = counts.iter().zip(hidden).filter(|(_, h)| **h).map(|(n, _)| n).sum();
        hidden_sum > 0 && hidden_sum < k
    }

    #[test]
    fn a_single_small_cell_takes_the_next_smallest_with_it() {
        let (hidden, total_hidden) = suppress_1d(&[40, 3, 12, 9, 0], 64, 5);
        assert_eq!(hidden, vec![false, true, false, true, false]);
        assert!(!total_hidden);
        // Two small cells summing to k or more need no complement.
        let (hidden, _) = suppress_1d(&[40, 3, 12, 4], 59, 5);
        assert_eq!(hidden, vec![false, true, false, true]);
        let (hidden, _) = suppress_1d(&[40, 3, 12, 9, 4], 68, 5);
        assert_eq!(hidden, vec![false, true, false, false, true]);
        // A total below k hides everything.
        let (hidden, total_hidden) = suppress_1d(&[2, 1], 3, 5);
        assert_eq!(hidden, vec![true, true]);
        assert!(total_hidden);
    }

    #[test]
    fn a_table_is_protected_per_row_and_column() {
        #[rustfmt::skip]
        let cells = [
            20, 2, 30,
            15, 10, 40,
            25, 30, 35,
        ];
        let h = suppress_2d(&cells, 3, 3, 5);
        assert!(h.cells[1], "the small cell");
        // Row 0 then needs a second hidden cell (20), column 1 a second one (10).
        assert!(h.cells[0] && h.cells[4]);
        for r in 0..3 {
            let line: Vec<u64> = cells[r * 3..r * 3 + 3].to_vec();
            assert!(!leaks(&line, &h.cells[r * 3..r * 3 + 3], 5));
        }
    }

    proptest! {
        #[test]
        fn no_line_reveals_a_small_hidden_sum(counts in proptest::collection::vec(0u64..30, 1..12), k in 2u64..8) {
            let total: u64 = counts.iter().sum();
            let (hidden, total_hidden) = suppress_1d(&counts, total, k);
            for (n, h) in counts.iter().zip(&hidden) {
                prop_assert!(*n == 0 || *n >= k || *h, "a small visible cell");
            }
            if !total_hidden && total > 0 {
                prop_assert!(!leaks(&counts, &hidden, k));
            }
        }

        #[test]
        fn no_row_column_or_margin_reveals_a_small_hidden_sum(
            (rows, cols, cells) in (1usize..6, 1usize..6).prop_flat_map(|(r, c)| {
                (Just(r), Just(c), proptest::collection::vec(prop_oneof![Just(0u64), 1u64..6, 5u64..40], r * c))
            }),
            k in 2u64..7,
        ) {
            let h = suppress_2d(&cells, rows, cols, k);
            let row_totals: Vec<u64> = (0..rows).map(|r| cells[r * cols..(r + 1) * cols].iter().sum()).collect();
            let col_totals: Vec<u64> = (0..cols).map(|c| (0..rows).map(|r| cells[r * cols + c]).sum()).collect();
            let total: u64 = row_totals.iter().sum();
            for (i, n) in cells.iter().enumerate() {
                prop_assert!(*n == 0 || *n >= k || h.cells[i]);
            }
            if total >= k {
                for r in (0..rows).filter(|r| !h.rows[*r]) {
                    prop_assert!(!leaks(&cells[r * cols..(r + 1) * cols], &h.cells[r * cols..(r + 1) * cols], k), "row {}", r);
                }
                for c in (0..cols).filter(|c| !h.cols[*c]) {
                    let line: Vec<u64> = (0..rows).map(|r| cells[r * cols + c]).collect();
                    let hid: Vec<bool> = (0..rows).map(|r| h.cells[r * cols + c]).collect();
                    prop_assert!(!leaks(&line, &hid, k), "column {}", c);
                }
                prop_assert!(!leaks(&row_totals, &h.rows, k));
                prop_assert!(!leaks(&col_totals, &h.cols, k));
                for (n, hid) in row_totals.iter().zip(&h.rows).chain(col_totals.iter().zip(&h.cols)) {
                    prop_assert!(*n == 0 || *n >= k || *hid);
                }
            } else {
                prop_assert!(h.total == (total > 0));
            }
        }
    }
}
