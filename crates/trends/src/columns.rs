//! The in-memory column cache the views are computed from: one dictionary-encoded
//! column per dimension, built from SQLite when the database opens and extended on
//! every import. Why not SQL `GROUP BY`: a filtered view must answer within 200 ms over a
//! million records on two cores; scanning integer columns does that in a few
//! milliseconds, while SQLite needs a full table scan with string comparisons per view
//! (measured in docs/TRENDS.md). SQLite stays the durable copy; this cache is derived.

use std::collections::HashMap;

use crate::dimension::{Dimension, UNKNOWN, month_label, period_index, quarter_label};

/// Strings of one column, code 0 being [`UNKNOWN`] (no value).
#[derive(Debug, Clone)]
pub(crate) struct Dict {
    values: Vec<String>,
    index: HashMap<String, u32>,
}

impl Dict {
    fn new() -> Dict {
        let mut dict = Dict { values: Vec::new(), index: HashMap::new() };
        dict.values.push(UNKNOWN.to_string());
        dict.index.insert(UNKNOWN.to_string(), 0);
        dict
    }

    /// The code of a value, adding it when new; no value (or an empty one) is 0.
    fn code(&mut self, value: Option<&str>) -> u32 {
        let Some(value) = value.filter(|v| !v.is_empty()) else { return 0 };
        if let Some(code) = self.index.get(value) {
            return *code;
        }
        let code = self.values.len() as u32;
        self.values.push(value.to_string());
        self.index.insert(value.to_string(), code);
        code
    }

    /// The code of a value already seen.
    pub(crate) fn get(&self, value: &str) -> Option<u32> {
        self.index.get(value).copied()
    }

    /// The value of a code.
    pub(crate) fn label(&self, code: u32) -> &str {
        self.values.get(code as usize).map_or(UNKNOWN, String::as_str)
    }
}

/// A multi-valued column in compressed-row form.
#[derive(Debug, Clone)]
pub(crate) struct Multi {
    offsets: Vec<u32>,
    values: Vec<u32>,
    pub(crate) dict: Dict,
}

impl Multi {
    fn new() -> Multi {
        Multi { offsets: vec![0], values: Vec::new(), dict: Dict::new() }
    }

    fn push(&mut self, joined: &str) {
        for value in joined.split('|').filter(|v| !v.is_empty()) {
            let code = self.dict.code(Some(value));
            self.values.push(code);
        }
        self.offsets.push(self.values.len() as u32);
    }

    /// The codes of a row; a row without values yields [`UNKNOWN`]'s code 0.
    fn codes(&self, row: usize) -> &[u32] {
        let (a, b) = (self.offsets[row] as usize, self.offsets[row + 1] as usize);
        if a == b { &[0] } else { &self.values[a..b] }
    }
}

/// Single-valued dimensions, in column order.
const SINGLE: [Dimension; 12] = [
    Dimension::IssuingState,
    Dimension::Nationality,
    Dimension::Route,
    Dimension::FraudType,
    Dimension::AgeBand,
    Dimension::Sex,
    Dimension::DetectionStage,
    Dimension::BorderType,
    Dimension::Country,
    Dimension::Region,
    Dimension::DocumentCategory,
    Dimension::Station,
];

fn single_slot(dimension: Dimension) -> Option<usize> {
    SINGLE.iter().position(|d| *d == dimension)
}

/// One record as the cache takes it (borrowed from a SQLite row or a parsed record);
/// lists are `|`-joined as in the database.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RowIn<'a> {
    pub bundle: u32,
    pub station: &'a str,
    pub event_period: &'a str,
    pub issuing_state: Option<&'a str>,
    pub nationality: Option<&'a str>,
    pub route: Option<&'a str>,
    pub fraud_type: Option<&'a str>,
    pub age_band: Option<&'a str>,
    pub sex: Option<&'a str>,
    pub stage: Option<&'a str>,
    pub border_type: Option<&'a str>,
    pub country: Option<&'a str>,
    pub document_category: Option<&'a str>,
    pub forgery_methods: &'a str,
    pub failed_checks: &'a str,
}

/// The cache.
#[derive(Debug, Clone)]
pub(crate) struct Columns {
    /// Index of the record's bundle in the database's bundle list.
    pub bundle: Vec<u32>,
    /// Month index (a quarter's first month for quarter-only records).
    pub month: Vec<u32>,
    /// Whether the record was only known to the quarter.
    pub quarter_only: Vec<bool>,
    single: Vec<(Vec<u32>, Dict)>,
    forgery: Multi,
    checks: Multi,
}

impl Columns {
    /// An empty cache.
    pub(crate) fn new() -> Columns {
        Columns {
            bundle: Vec::new(),
            month: Vec::new(),
            quarter_only: Vec::new(),
            single: SINGLE.iter().map(|_| (Vec::new(), Dict::new())).collect(),
            forgery: Multi::new(),
            checks: Multi::new(),
        }
    }

    /// Records held.
    pub(crate) fn len(&self) -> usize {
        self.month.len()
    }

    /// Adds a record; one whose period cannot be read (never the case for a verified
    /// bundle) is skipped and reported as `false`.
    pub(crate) fn push(&mut self, row: &RowIn<'_>) -> bool {
        let Some((month, quarter_only)) = period_index(row.event_period) else { return false };
        let region = row.country.and_then(tdverify_mrz::state_info).map(|s| s.sub_region.region().as_str());
        let values = [
            row.issuing_state,
            row.nationality,
            row.route,
            row.fraud_type,
            row.age_band,
            row.sex,
            row.stage,
            row.border_type,
            row.country,
            region,
            row.document_category,
            Some(row.station),
        ];
        for ((column, dict), value) in self.single.iter_mut().zip(values) {
            column.push(dict.code(value));
        }
        self.forgery.push(row.forgery_methods);
        self.checks.push(row.failed_checks);
        self.bundle.push(row.bundle);
        self.month.push(month);
        self.quarter_only.push(quarter_only);
        true
    }

    /// The dictionary of a non-period dimension.
    pub(crate) fn dict(&self, dimension: Dimension) -> Option<&Dict> {
        match dimension {
            Dimension::ForgeryMethod => Some(&self.forgery.dict),
            Dimension::FailedCheck => Some(&self.checks.dict),
            d => single_slot(d).map(|slot| &self.single[slot].1),
        }
    }

    /// Calls `f` with each code of `row` in `dimension` (once for single-valued ones).
    /// Period codes are month indices (month) or month index / 3 (quarter).
    #[inline]
    pub(crate) fn for_each_code(&self, dimension: Dimension, row: usize, mut f: impl FnMut(u32)) {
        match dimension {
            Dimension::Month => f(self.month[row]),
            Dimension::Quarter => f(self.month[row] / 3),
            Dimension::ForgeryMethod => self.forgery.codes(row).iter().for_each(|c| f(*c)),
            Dimension::FailedCheck => self.checks.codes(row).iter().for_each(|c| f(*c)),
            d => {
                if let Some(slot) = single_slot(d) {
                    f(self.single[slot].0[row]);
                }
            }
        }
    }

    /// The single-valued column of a dimension, for fast scans.
    pub(crate) fn single_column(&self, dimension: Dimension) -> Option<&[u32]> {
        single_slot(dimension).map(|slot| self.single[slot].0.as_slice())
    }

    /// The key shown for a code.
    pub(crate) fn label(&self, dimension: Dimension, code: u32) -> String {
        match dimension {
            Dimension::Month => month_label(code),
            Dimension::Quarter => quarter_label(code * 3),
            d => self.dict(d).map_or(UNKNOWN, |dict| dict.label(code)).to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_labels_round_trip() {
        let mut columns = Columns::new();
        let row = RowIn {
            station: "s1",
            event_period: "2026-Q4",
            issuing_state: Some("FRA"),
            country: Some("D"),
            forgery_methods: "photo_substitution|data_alteration",
            ..RowIn::default()
        };
        assert!(columns.push(&row));
        assert!(!columns.push(&RowIn { event_period: "2026-Q9", ..row }));
        assert_eq!(columns.len(), 1);
        let mut seen = Vec::new();
        columns.for_each_code(Dimension::ForgeryMethod, 0, |c| seen.push(columns.label(Dimension::ForgeryMethod, c)));
        assert_eq!(seen, ["photo_substitution", "data_alteration"]);
        let mut seen = Vec::new();
        for d in [Dimension::Region, Dimension::Month, Dimension::Quarter, Dimension::Sex, Dimension::FailedCheck] {
            columns.for_each_code(d, 0, |c| seen.push(columns.label(d, c)));
        }
        assert_eq!(seen, ["europe", "2026-10", "2026-Q4", "unknown", "unknown"]);
        assert!(columns.quarter_only[0]);
    }
}
