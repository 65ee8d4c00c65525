//! k-anonymity over the quasi-identifiers of the records.
//!
//! Quasi-identifiers (fields that, combined, could single a person out): event period,
//! detection area, nationality claimed and established, holder sex, age band, issuing
//! state. Records whose combination is shared by fewer than k records are generalised
//! one step at a time, in this fixed order, and only those records (local recoding, so
//! large groups keep their detail):
//!
//! 1. `month_to_quarter`: `2026-11` → `2026-Q4`
//! 2. `area_to_country`: the detection area is dropped (the country stays)
//! 3. `age_bands_merged`: adjacent public bands merged (`18-20`, `21-23` → `18-23`)
//! 4. `age_bands_merged_wide`: `0-17`, `18-29`, `30+`
//! 5. `nationality_to_sub_region`: `SDN` → `sub_region:northern_africa`
//! 6. `nationality_to_region`: → `region:africa`
//!
//! What is still in a group below k after the last step is suppressed (reason
//! `group_below_k`). The nationality established is treated as a quasi-identifier too,
//! beside the nationality claimed that DESIGN.md lists: it identifies as much.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::record::{DescRecord, Ungeneralised, age_band, nationality_at, quarter_of};

/// The smallest k an export may use.
pub const MIN_K: usize = 5;

/// The generalisation steps, in the order they are tried.
pub const STEPS: &[&str] = &[
    "month_to_quarter",
    "area_to_country",
    "age_bands_merged",
    "age_bands_merged_wide",
    "nationality_to_sub_region",
    "nationality_to_region",
];

/// The quasi-identifier fields, as record field names.
pub const QUASI_IDENTIFIERS: &[&str] = &[
    "event_period",
    "detection_area",
    "nationality_claimed",
    "nationality_established",
    "holder_sex",
    "age_band",
    "issuing_state",
];

/// The quasi-identifier values of a record (the group key).
pub type GroupKey = [Option<String>; 7];

/// The group key of a record.
pub fn group_key(record: &DescRecord) -> GroupKey {
    [
        Some(record.event_period.clone()),
        record.detection_area.clone(),
        record.nationality_claimed.clone(),
        record.nationality_established.clone(),
        record.holder_sex.clone(),
        record.age_band.clone(),
        record.issuing_state.clone(),
    ]
}

/// The result of anonymising a set of records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anonymised {
    /// The records that go, every group of at least k.
    pub records: Vec<DescRecord>,
    /// How many records each step changed, in [`STEPS`] order.
    pub generalised: Vec<(String, u64)>,
    /// Suppressed records by reason.
    pub suppressed: Vec<(String, u64)>,
    /// For each suppressed record, its group key after the last step (for the preview;
    /// it holds only generalised quasi-identifiers).
    pub suppressed_groups: Vec<(GroupKey, u64)>,
}

impl Anonymised {
    /// Total suppressed records.
    pub fn suppressed_total(&self) -> u64 {
        self.suppressed.iter().map(|(_, n)| n).sum()
    }
}

/// Per-record generalisation state.
#[derive(Debug, Clone, Copy, Default)]
struct Levels {
    quarter: bool,
    area_dropped: bool,
    age: u8,
    nationality: u8,
}

/// Applies generalisation step `step` (an index into [`STEPS`]) to one record: only the
/// field that step concerns is recomputed from the ungeneralised values. Returns whether
/// the record changed.
fn apply_step(item: &mut Ungeneralised, level: &mut Levels, step: usize) -> bool {
    let record = &mut item.record;
    let set = |field: &mut Option<String>, value: Option<String>| {
        let changed = *field != value;
        *field = value;
        changed
    };
    match step {
        0 => {
            level.quarter = true;
            let changed = !record.event_period.contains('Q');
            if changed {
                record.event_period = quarter_of(&record.event_period);
            }
            changed
        }
        1 => {
            level.area_dropped = true;
            set(&mut record.detection_area, None)
        }
        2 | 3 => {
            level.age = if step == 2 { level.age.max(1) } else { 2 };
            match item.age_years {
                Some(age) => set(&mut record.age_band, Some(age_band(age, level.age).to_string())),
                None => false,
            }
        }
        _ => {
            level.nationality = if step == 4 { level.nationality.max(1) } else { 2 };
            let at = level.nationality;
            let claimed = item.nationality_claimed.as_deref().map(|n| nationality_at(n, at));
            let established = item.nationality_established.as_deref().map(|n| nationality_at(n, at));
            let a = set(&mut record.nationality_claimed, claimed);
            let b = set(&mut record.nationality_established, established);
            a || b
        }
    }
}

/// The group key of a record, borrowed (counting needs no copies).
fn borrowed_key(record: &DescRecord) -> [Option<&str>; 7] {
    [
        Some(record.event_period.as_str()),
        record.detection_area.as_deref(),
        record.nationality_claimed.as_deref(),
        record.nationality_established.as_deref(),
        record.holder_sex.as_deref(),
        record.age_band.as_deref(),
        record.issuing_state.as_deref(),
    ]
}

/// For each item, whether its group has fewer than `k` records.
fn below_k(items: &[Ungeneralised], k: usize) -> Vec<bool> {
    let mut sizes: HashMap<[Option<&str>; 7], usize> = HashMap::with_capacity(items.len() / 4 + 1);
    for item in items {
        *sizes.entry(borrowed_key(&item.record)).or_default() += 1;
    }
    items.iter().map(|item| sizes.get(&borrowed_key(&item.record)).copied().unwrap_or(0) < k).collect()
}

/// Counts records per group key.
fn group_sizes<'a>(records: impl Iterator<Item = &'a DescRecord>) -> HashMap<GroupKey, usize> {
    let mut sizes: HashMap<GroupKey, usize> = HashMap::new();
    for record in records {
        *sizes.entry(group_key(record)).or_default() += 1;
    }
    sizes
}

/// Generalises and suppresses until every group has at least `k` records (`k` below
/// [`MIN_K`] is raised to it). Works in place: each record is regenerated from its
/// ungeneralised values when its levels rise, so no second copy of the set is held.
pub fn anonymise(mut items: Vec<Ungeneralised>, k: usize) -> Anonymised {
    let k = k.max(MIN_K);
    let mut levels = vec![Levels::default(); items.len()];
    let mut generalised = Vec::new();
    for (step_index, step) in STEPS.iter().enumerate() {
        let small = below_k(&items, k);
        let mut changed = 0u64;
        for ((item, level), small) in items.iter_mut().zip(levels.iter_mut()).zip(small) {
            if !small {
                continue;
            }
            if apply_step(item, level, step_index) {
                changed += 1;
            }
        }
        generalised.push(((*step).to_string(), changed));
    }
    let small = below_k(&items, k);
    let mut kept = Vec::with_capacity(items.len());
    let mut suppressed_groups: HashMap<GroupKey, u64> = HashMap::new();
    for (item, small) in items.into_iter().zip(small) {
        if small {
            *suppressed_groups.entry(group_key(&item.record)).or_default() += 1;
        } else {
            kept.push(item.record);
        }
    }
    let suppressed_total: u64 = suppressed_groups.values().sum();
    let mut suppressed_groups: Vec<(GroupKey, u64)> = suppressed_groups.into_iter().collect();
    suppressed_groups.sort();
    Anonymised {
        records: kept,
        generalised,
        suppressed: vec![("group_below_k".to_string(), suppressed_total)],
        suppressed_groups,
    }
}

/// The smallest group size among `records` (`None` when empty): what `export verify`
/// compares with k.
pub fn smallest_group(records: &[DescRecord]) -> Option<usize> {
    group_sizes(records.iter()).into_values().min()
}

/// A generalisation summary line for the preview and the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepCount {
    /// Step name from [`STEPS`].
    pub step: String,
    /// Records it changed.
    pub records: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{SCHEMA_VERSION, Ungeneralised, age_band};

    fn item(month: &str, area: &str, nationality: &str, age: u32, state: &str) -> Ungeneralised {
        Ungeneralised {
            record: DescRecord {
                schema_version: SCHEMA_VERSION,
                record_id: "0".repeat(32),
                event_period: month.to_string(),
                detection_country: Some("UTO".into()),
                detection_area: Some(area.to_string()),
                detection_point_type: None,
                detection_stage: None,
                travel_direction: None,
                transport_mode: None,
                document_category: None,
                icao_doc_code: None,
                issuing_state: Some(state.to_string()),
                fraud_type: None,
                forgery_methods: vec![],
                detection_evidence: vec![],
                hotlist_result: None,
                conclusion_level: None,
                nationality_claimed: Some(nationality.to_string()),
                nationality_established: None,
                holder_sex: Some("M".into()),
                age_band: Some(age_band(age, 0).to_string()),
                route_embarkation: None,
                route_transits: vec![],
                route_destination: None,
                group_size_band: None,
                outcome: None,
                repeat_document: None,
            },
            age_years: Some(age),
            nationality_claimed: Some(nationality.to_string()),
            nationality_established: None,
        }
    }

    #[test]
    fn large_groups_keep_their_detail_and_small_ones_climb_the_ladder() {
        let mut items = Vec::new();
        for _ in 0..6 {
            items.push(item("2026-10", "north", "SDN", 25, "UTO"));
        }
        // Three in November, two in December, same people otherwise: a quarter group of 5.
        for month in ["2026-11", "2026-11", "2026-11", "2026-12", "2026-12"] {
            items.push(item(month, "north", "SDN", 25, "UTO"));
        }
        // One lone record nobody can hide: suppressed.
        items.push(item("2026-10", "south", "FRA", 60, "ZZA"));
        let out = anonymise(items, 5);
        assert_eq!(out.records.len(), 11);
        assert_eq!(out.suppressed_total(), 1);
        assert_eq!(out.records.iter().filter(|r| r.event_period == "2026-10").count(), 6);
        assert_eq!(out.records.iter().filter(|r| r.event_period == "2026-Q4").count(), 5);
        assert_eq!(out.generalised[0], ("month_to_quarter".to_string(), 6));
        assert!(smallest_group(&out.records).unwrap() >= 5);
    }

    #[test]
    fn nationalities_merge_into_regions_when_nothing_else_helps() {
        let mut items = Vec::new();
        for (i, code) in ["SDN", "EGY", "LBY", "TUN", "MAR"].iter().enumerate() {
            items.push(item(&format!("2026-0{}", 1 + i % 3), "a", code, 30 + i as u32, "UTO"));
        }
        let out = anonymise(items, 5);
        assert_eq!(out.records.len(), 5, "{out:?}");
        assert!(out
            .records
            .iter()
            .all(|r| r.nationality_claimed.as_deref() == Some("sub_region:northern_africa")));
        assert!(out.records.iter().all(|r| r.detection_area.is_none() && r.event_period == "2026-Q1"));
    }

    #[test]
    fn k_below_the_minimum_is_raised() {
        let items: Vec<_> = (0..4).map(|_| item("2026-01", "a", "FRA", 30, "UTO")).collect();
        let out = anonymise(items, 1);
        assert!(out.records.is_empty());
        assert_eq!(out.suppressed_total(), 4);
    }
}
