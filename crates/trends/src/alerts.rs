//! Risk alerts: a month whose count for an issuing state or a route is far above what the
//! previous 12 months predict.
//!
//! The rule, for every series s (each issuing state, each route) and every month m that
//! has 12 months of data before it within the filter:
//!
//! - x = the records of s in m (only records known to the month: a record generalised to
//!   its quarter cannot be placed in one and would fake a spike at every quarter's start);
//! - λ = the mean of s over the 12 previous months, at least 0.5 (a series not seen for a
//!   year is treated as if it had 6 records in it, so one new small series does not alert);
//!   here records known only to their quarter count for a third in each of its months:
//!   k-anonymity moves a month's small groups to the quarter, and leaving them out would
//!   make those months look empty, pull λ down and fake rises;
//! - tested only when x ≥ k (a smaller count is never shown, so it cannot be alerted);
//! - φ = the history's variance over its mean, at least 1 (quasi-Poisson dispersion: a
//!   seasonal series, or one fed by a few stations whose volumes drift, varies more than a
//!   Poisson count; without it, the trailing mean under a seasonal peak made ordinary
//!   +3σ months "significant" at p ~ 1e-8: 5 false route alerts over the 1M demo records);
//! - p = P(X ≥ ⌊x/φ⌋) for X ~ Poisson(λ/φ) (the quasi-Poisson scaling; exactly the
//!   Poisson test when φ = 1);
//! - alert when p × n < 0.01, n being the number of (series, month) pairs tested
//!   (Bonferroni), and x ≥ 1.5 λ (a practical threshold: in a very large series a
//!   seasonal swing of a few percent is "significant" but not a shift anyone acts on).

use std::collections::HashMap;

use serde::Serialize;

use crate::columns::Columns;
use crate::dimension::{Dimension, month_label};
use crate::error::TrendsError;
use crate::filter::Filter;
use crate::view::Count;

/// Significance level after the Bonferroni correction.
pub const ALERT_LEVEL: f64 = 0.01;
/// Months of history behind each tested month.
pub const HISTORY_MONTHS: usize = 12;
/// The floor of the expected count.
pub const MIN_EXPECTED: f64 = 0.5;
/// How far above the expected count a month must be.
pub const MIN_RATIO: f64 = 1.5;

/// One alert with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    /// `issuing_state` or `route`.
    pub dimension: Dimension,
    /// The series' key (`GRC`, `TUR→GRC→D`).
    pub series: String,
    /// The month, `YYYY-MM`.
    pub month: String,
    /// Records of the series in the month (≥ k).
    pub count: u64,
    /// λ: the mean of the 12 previous months, quarter-only records spread over their
    /// quarter (floored at 0.5).
    pub expected: f64,
    /// φ: the history's dispersion (variance / mean, at least 1).
    pub dispersion: f64,
    /// P(X ≥ ⌊count/φ⌋) under Poisson(λ/φ).
    pub p_value: f64,
    /// p × the number of tests (capped at 1).
    pub corrected_p: f64,
    /// The 12 previous months' counts (records known to the month), oldest first, each
    /// below k shown as `<k`.
    pub history: Vec<Count>,
}

/// The alerts and how they were found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertReport {
    /// The rule in words (for the report's method section).
    pub rule: String,
    /// k applied.
    pub k: usize,
    /// (series, month) pairs tested: the Bonferroni factor.
    pub tests: usize,
    /// Alerts, strongest first.
    pub alerts: Vec<Alert>,
}

/// The rule as the report and the CLI state it.
pub fn rule_text(k: usize) -> String {
    format!(
        "For each issuing state and each route, a month's count x is compared with the mean λ of the previous \
         {HISTORY_MONTHS} months (at least {MIN_EXPECTED}; records known only to their quarter count a third in \
         each of its months) and their dispersion φ = variance / mean (at least 1): alert when \
         P(X ≥ ⌊x/φ⌋ | Poisson(λ/φ)) times the number of (series, month) pairs tested is below {ALERT_LEVEL} (Bonferroni), x ≥ {MIN_RATIO} λ and x ≥ k = {k}. \
         x counts only records known to the month."
    )
}

/// ln(n!) exactly for small n, by Stirling's series above.
fn ln_factorial(n: u64) -> f64 {
    if n < 64 {
        return (2..=n).map(|i| (i as f64).ln()).sum();
    }
    let x = n as f64;
    x * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI * x).ln() + 1.0 / (12.0 * x) - 1.0 / (360.0 * x.powi(3))
}

/// P(X ≥ x) for X ~ Poisson(λ), accurate in the far tail (summed from x upwards, in logs).
pub fn poisson_upper_tail(x: u64, lambda: f64) -> f64 {
    if x == 0 {
        return 1.0;
    }
    if lambda <= 0.0 {
        return 0.0;
    }
    let term = |i: u64| (-lambda + i as f64 * lambda.ln() - ln_factorial(i)).exp();
    if (x as f64) < lambda {
        // Body of the distribution: 1 − P(X < x), the lower sum being the shorter one.
        let lower: f64 = (0..x).map(term).sum();
        return (1.0 - lower).clamp(0.0, 1.0);
    }
    let mut sum = 0.0;
    let mut t = term(x);
    let mut i = x;
    while t > 0.0 && t > sum * 1e-17 {
        sum += t;
        i += 1;
        t *= lambda / i as f64;
        if i > x + 100_000 {
            break;
        }
    }
    sum.min(1.0)
}

/// Runs the rule over the records under `filter` (its period range bounds the months).
pub(crate) fn alerts(columns: &Columns, filter: &Filter, k: usize) -> Result<AlertReport, TrendsError> {
    let rows = filter.rows(columns)?;
    // A quarter-only record's months are the quarter's three.
    let last_month = |r: usize| columns.month[r] + if columns.quarter_only[r] { 2 } else { 0 };
    let first = rows.iter().map(|&r| columns.month[r as usize]).min();
    let last = rows.iter().map(|&r| last_month(r as usize)).max();
    let (Some(first), Some(last)) = (first, last) else {
        return Ok(AlertReport { rule: rule_text(k), k, tests: 0, alerts: Vec::new() });
    };
    let span = (last - first + 1) as usize;
    let mut candidates = Vec::new();
    for dimension in [Dimension::IssuingState, Dimension::Route] {
        let Some(column) = columns.single_column(dimension) else { continue };
        // Per series: month-precision counts (x), and the level including quarter-only
        // records spread evenly over their quarter (for λ: without them, the months whose
        // small groups k-anonymity moved to the quarter would look empty and pull λ down).
        let mut series: HashMap<u32, (Vec<u64>, Vec<f64>)> = HashMap::new();
        for &r in &rows {
            let r = r as usize;
            if column[r] == 0 {
                continue;
            }
            let (counts, level) = series.entry(column[r]).or_insert_with(|| (vec![0; span], vec![0.0; span]));
            let m = (columns.month[r] - first) as usize;
            if columns.quarter_only[r] {
                for month in level.iter_mut().skip(m).take(3) {
                    *month += 1.0 / 3.0;
                }
            } else {
                counts[m] += 1;
                level[m] += 1.0;
            }
        }
        for (code, (counts, level)) in series {
            for m in HISTORY_MONTHS..span {
                let x = counts[m];
                if x < k as u64 {
                    continue;
                }
                let history = &level[m - HISTORY_MONTHS..m];
                let mean = history.iter().sum::<f64>() / HISTORY_MONTHS as f64;
                let lambda = mean.max(MIN_EXPECTED);
                let variance =
                    history.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (HISTORY_MONTHS - 1) as f64;
                let dispersion = (variance / lambda).max(1.0);
                candidates.push((dimension, code, m, x, lambda, dispersion, counts[m - HISTORY_MONTHS..m].to_vec()));
            }
        }
    }
    let tests = candidates.len();
    let mut found: Vec<Alert> = candidates
        .into_iter()
        .filter_map(|(dimension, code, m, x, lambda, dispersion, history)| {
            let p = poisson_upper_tail((x as f64 / dispersion).floor() as u64, lambda / dispersion);
            let corrected = (p * tests as f64).min(1.0);
            (corrected < ALERT_LEVEL && x as f64 >= MIN_RATIO * lambda).then(|| Alert {
                dimension,
                series: columns.label(dimension, code),
                month: month_label(first + m as u32),
                count: x,
                expected: lambda,
                dispersion,
                p_value: p,
                corrected_p: corrected,
                history: history
                    .iter()
                    .map(|&n| if n > 0 && n < k as u64 { Count::Suppressed } else { Count::Value(n) })
                    .collect(),
            })
        })
        .collect();
    found.sort_by(|a, b| {
        a.p_value.total_cmp(&b.p_value).then_with(|| a.series.cmp(&b.series)).then_with(|| a.month.cmp(&b.month))
    });
    Ok(AlertReport { rule: rule_text(k), k, tests, alerts: found })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columns::RowIn;

    #[test]
    fn a_hand_checked_poisson_tail() {
        // P(X ≥ 7 | λ = 2) = 1 − e^−2 (1 + 2 + 2 + 4/3 + 2/3 + 4/15 + 4/45) = 1 − 7.355556 e^−2.
        let expected = 1.0 - (1.0 + 2.0 + 2.0 + 4.0 / 3.0 + 2.0 / 3.0 + 4.0 / 15.0 + 4.0 / 45.0) * (-2.0f64).exp();
        assert!((expected - 0.004_533_8).abs() < 1e-6, "{expected}");
        assert!((poisson_upper_tail(7, 2.0) - expected).abs() < 1e-12);
        assert_eq!(poisson_upper_tail(0, 3.0), 1.0);
        // Body and far tail: P(X ≥ 1 | λ) = 1 − e^−λ; P(X ≥ 200 | 100) ≈ 1.7e−18 (no cancellation).
        assert!((poisson_upper_tail(1, 5.0) - (1.0 - (-5.0f64).exp())).abs() < 1e-12);
        let far = poisson_upper_tail(200, 100.0);
        assert!(far > 1e-19 && far < 1e-17, "{far}");
        // Stirling's branch joins the exact sum.
        let exact: f64 = (2..=80).map(|i| (i as f64).ln()).sum();
        assert!((ln_factorial(80) - exact).abs() < 1e-9);
    }

    fn series(counts: &[u64], state: &str, columns: &mut Columns) {
        for (m, n) in counts.iter().enumerate() {
            let period = format!("2025-{:02}", m % 12 + 1).replace("2025", if m < 12 { "2025" } else { "2026" });
            for _ in 0..*n {
                columns.push(&RowIn {
                    station: "s",
                    event_period: &period,
                    issuing_state: Some(state),
                    ..RowIn::default()
                });
            }
        }
    }

    #[test]
    fn a_series_that_swings_needs_a_bigger_jump() {
        // Mean 80 swinging ±20 (variance ≈ 436, φ ≈ 5.45): 125 is +5σ for a Poisson count
        // (p ≈ 1e−6) but ordinary for this series (p ≈ 0.04 after scaling).
        let mut columns = Columns::new();
        let counts: Vec<u64> = (0..12).map(|m| if m % 2 == 0 { 60 } else { 100 }).chain([125]).collect();
        series(&counts, "ITA", &mut columns);
        let report = alerts(&columns, &Filter::all(), 5).unwrap();
        assert_eq!(report.tests, 1);
        assert!(report.alerts.is_empty(), "{report:?}");
        assert!(poisson_upper_tail(125, 80.0) < 1e-5);
    }

    #[test]
    fn quarter_only_records_keep_the_expected_level() {
        // A year known only by quarters (18 records each: 6 a month), then 9 in a month:
        // an ordinary month, not a jump from nothing.
        let mut columns = Columns::new();
        for quarter in 1..=4 {
            let period = format!("2025-Q{quarter}");
            for _ in 0..18 {
                columns.push(&RowIn {
                    station: "s",
                    event_period: &period,
                    issuing_state: Some("GRC"),
                    ..RowIn::default()
                });
            }
        }
        for _ in 0..9 {
            columns.push(&RowIn {
                station: "s",
                event_period: "2026-01",
                issuing_state: Some("GRC"),
                ..RowIn::default()
            });
        }
        let report = alerts(&columns, &Filter::all(), 5).unwrap();
        assert_eq!(report.tests, 1);
        assert!(report.alerts.is_empty(), "{report:?}");
    }

    #[test]
    fn a_jump_alerts_and_a_steady_series_does_not() {
        let mut columns = Columns::new();
        series(&[6, 5, 7, 6, 4, 6, 5, 6, 7, 5, 6, 5, 6, 30, 6], "GRC", &mut columns);
        series(&[9, 11, 10, 8, 12, 10, 9, 11, 10, 9, 12, 10, 11, 9, 13], "FRA", &mut columns);
        let report = alerts(&columns, &Filter::all(), 5).unwrap();
        assert_eq!(report.alerts.len(), 1, "{report:?}");
        let alert = &report.alerts[0];
        assert_eq!((alert.series.as_str(), alert.month.as_str(), alert.count), ("GRC", "2026-02", 30));
        assert!((alert.expected - 68.0 / 12.0).abs() < 1e-9);
        assert_eq!(alert.dispersion, 1.0);
        assert_eq!(alert.history.len(), 12);
        assert_eq!(alert.history[3], Count::Suppressed);
        assert!(report.rule.contains("Bonferroni"));
    }
}
