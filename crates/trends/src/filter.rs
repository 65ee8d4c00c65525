//! The filter bar every view shares: a period range and pinned values. Pinning is how
//! cross-filtering works: clicking a bar or a cell pins its dimension to its key.

use serde::{Deserialize, Serialize};

use crate::columns::Columns;
use crate::dimension::{Dimension, UNKNOWN, month_index, period_index};
use crate::error::TrendsError;

/// What the views look at. Pins on different dimensions must all hold; several pins on
/// the same dimension are alternatives (`issuing_state=FRA` or `issuing_state=ITA`).
/// The period range is whole months, both included; a record known only to its quarter
/// counts in the quarter's first month, so it is in a range exactly when that month is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    /// First month, `YYYY-MM` (none: from the start).
    pub from: Option<String>,
    /// Last month included, `YYYY-MM` (none: to the end).
    pub to: Option<String>,
    /// Pinned values.
    pub pins: Vec<(Dimension, String)>,
}

impl Filter {
    /// Everything.
    pub fn all() -> Filter {
        Filter::default()
    }

    /// Sets the period range (validated when the filter is used, so the GUI can hold a
    /// half-typed month).
    pub fn between(mut self, from: &str, to: &str) -> Filter {
        self.from = Some(from.to_string());
        self.to = Some(to.to_string());
        self
    }

    /// Adds a pin (normalised: codes upper case, code-list values lower case, `->` in a
    /// route read as `→`).
    pub fn pin(mut self, dimension: Dimension, value: &str) -> Filter {
        self.pins.push((dimension, normalise(dimension, value)));
        self
    }

    /// Pins or unpins a value: what a click on a bar does.
    pub fn toggle(&mut self, dimension: Dimension, value: &str) {
        let value = normalise(dimension, value);
        let before = self.pins.len();
        self.pins.retain(|(d, v)| !(*d == dimension && *v == value));
        if self.pins.len() == before {
            self.pins.push((dimension, value));
        }
    }

    /// Parses a CLI `--filter key=value` (the key is a dimension name or alias; `period`
    /// takes `YYYY-MM..YYYY-MM`).
    pub fn parse_pin(mut self, text: &str) -> Result<Filter, TrendsError> {
        let (key, value) = text
            .split_once('=')
            .ok_or_else(|| TrendsError::Input(format!("filter {text:?}: use key=value, e.g. region=europe")))?;
        if matches!(key.trim(), "period" | "range") {
            let (from, to) = value
                .split_once("..")
                .ok_or_else(|| TrendsError::Input(format!("filter {text:?}: a period range is YYYY-MM..YYYY-MM")))?;
            return Ok(self.between(from.trim(), to.trim()));
        }
        let dimension = Dimension::parse(key).ok_or_else(|| {
            let names: Vec<&str> = Dimension::ALL.iter().map(|d| d.as_str()).collect();
            TrendsError::Input(format!("filter {text:?}: unknown key {key:?} (one of {})", names.join(", ")))
        })?;
        if value.trim().is_empty() {
            return Err(TrendsError::Input(format!("filter {text:?}: empty value")));
        }
        self = self.pin(dimension, value);
        Ok(self)
    }

    /// The period range as month indices (inclusive), checked.
    pub(crate) fn months(&self) -> Result<(u32, u32), TrendsError> {
        let parse = |text: &Option<String>, default: u32| -> Result<u32, TrendsError> {
            match text {
                None => Ok(default),
                Some(t) => month_index(t)
                    .ok_or_else(|| TrendsError::Input(format!("{t:?} is not a month: use YYYY-MM, e.g. 2026-10"))),
            }
        };
        let (from, to) = (parse(&self.from, 0)?, parse(&self.to, u32::MAX)?);
        if to < from {
            return Err(TrendsError::Input(format!(
                "the period ends ({}) before it starts ({})",
                self.to.as_deref().unwrap_or_default(),
                self.from.as_deref().unwrap_or_default()
            )));
        }
        Ok((from, to))
    }

    /// The rows of `columns` the filter keeps.
    pub(crate) fn rows(&self, columns: &Columns) -> Result<Vec<u32>, TrendsError> {
        let (from, to) = self.months()?;
        // One accepted-code table per pinned dimension.
        let mut tables: Vec<(Dimension, Vec<bool>)> = Vec::new();
        for (dimension, value) in &self.pins {
            let code = match dimension {
                Dimension::Month => Some(
                    month_index(value).ok_or_else(|| TrendsError::Input(format!("month {value:?}: use YYYY-MM")))?,
                ),
                Dimension::Quarter => Some(
                    period_index(value)
                        .filter(|(_, quarter)| *quarter)
                        .map(|(m, _)| m / 3)
                        .ok_or_else(|| TrendsError::Input(format!("quarter {value:?}: use YYYY-Qn")))?,
                ),
                d => columns.dict(*d).and_then(|dict| dict.get(value)),
            };
            let position = match tables.iter().position(|(d, _)| d == dimension) {
                Some(p) => p,
                None => {
                    tables.push((*dimension, Vec::new()));
                    tables.len() - 1
                }
            };
            if let Some(code) = code {
                let table = &mut tables[position].1;
                if table.len() <= code as usize {
                    table.resize(code as usize + 1, false);
                }
                table[code as usize] = true;
            }
        }
        let accepts = |table: &[bool], code: u32| table.get(code as usize).copied().unwrap_or(false);
        let mut rows: Vec<u32> =
            (0..columns.len() as u32).filter(|&r| (from..=to).contains(&columns.month[r as usize])).collect();
        for (dimension, table) in &tables {
            if let Some(column) = columns.single_column(*dimension) {
                rows.retain(|&r| accepts(table, column[r as usize]));
            } else {
                rows.retain(|&r| {
                    let mut any = false;
                    columns.for_each_code(*dimension, r as usize, |c| any |= accepts(table, c));
                    any
                });
            }
        }
        Ok(rows)
    }
}

/// A pinned value as the records spell it.
fn normalise(dimension: Dimension, value: &str) -> String {
    let value = value.trim();
    if value.eq_ignore_ascii_case(UNKNOWN) {
        return UNKNOWN.to_string();
    }
    match dimension {
        Dimension::IssuingState | Dimension::Country | Dimension::Sex => value.to_ascii_uppercase(),
        Dimension::Route => value.replace("->", "→").replace('>', "→").to_ascii_uppercase(),
        Dimension::Nationality if !value.contains(':') => value.to_ascii_uppercase(),
        Dimension::Station | Dimension::Month => value.to_string(),
        Dimension::Quarter => value.to_ascii_uppercase(),
        _ => value.to_ascii_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_parse_and_toggle() {
        let f = Filter::all().parse_pin("region=Europe").unwrap().parse_pin("route=tur->grc->d").unwrap();
        assert_eq!(f.pins, vec![(Dimension::Region, "europe".into()), (Dimension::Route, "TUR→GRC→D".into())]);
        assert!(Filter::all().parse_pin("colour=red").is_err());
        assert!(Filter::all().parse_pin("region").is_err());
        let f = Filter::all().parse_pin("period=2026-01..2026-03").unwrap();
        assert_eq!(f.months().unwrap().1 - f.months().unwrap().0, 2);
        assert!(Filter::all().between("2026-05", "2026-01").months().is_err());
        assert!(Filter::all().between("2026-5", "2026-07").months().is_err());
        let mut f = Filter::all();
        f.toggle(Dimension::IssuingState, "fra");
        assert_eq!(f.pins.len(), 1);
        f.toggle(Dimension::IssuingState, "FRA");
        assert!(f.pins.is_empty());
    }
}
