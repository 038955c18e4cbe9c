//! How many columns drifted in one run, and out of how many: the figure a
//! drift label shows ("6/13"), read from what the run itself reports.

use serde::Serialize;

use super::Snapshot;

/// Drifted columns of one run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DriftCount {
    /// Columns that drifted.
    pub drifted: u32,
    /// Columns measured; `None` when the run reports only a count of zero
    /// (a v2 `DriftedColumnsCount` of 0 with share 0 says nothing of the total).
    pub columns: Option<u32>,
    /// Share of drifted columns as the run reports it (or drifted / columns).
    pub share: Option<f64>,
    /// Where the figure came from.
    pub source: DriftSource,
}

/// The metric a [`DriftCount`] was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DriftSource {
    /// Legacy `DatasetDriftMetric` / `DataDriftTable`: counts as written.
    DatasetMetric,
    /// v2 `DriftedColumnsCount`: a count and a share; the total is count / share.
    ColumnsCount,
    /// Per-column drift rows with a known verdict, counted.
    ColumnRows,
}

impl DriftCount {
    /// Compact label: `6/13`, or `0/?` when the total is unknown.
    pub fn short(&self) -> String {
        match self.columns {
            Some(n) => format!("{}/{n}", self.drifted),
            None => format!("{}/?", self.drifted),
        }
    }

    /// Long label: `6 of 13 columns drifted (46%)`.
    pub fn long(&self) -> String {
        match (self.columns, self.share) {
            (Some(n), Some(s)) => format!(
                "{} of {n} {} drifted ({:.0}%)",
                self.drifted,
                if n == 1 { "column" } else { "columns" },
                s * 100.0
            ),
            (Some(n), None) => format!("{} of {n} columns drifted", self.drifted),
            (None, _) => format!("{} columns drifted", self.drifted),
        }
    }
}

/// A count read from a float series: finite, whole and not negative.
fn whole(v: f64) -> Option<u32> {
    (v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= f64::from(u32::MAX)).then_some(v as u32)
}

/// The (metric, field) pairs a dataset-level drift count is read from.
pub(super) const FIELDS: [(&str, &str); 8] = [
    ("DatasetDriftMetric", ".number_of_drifted_columns"),
    ("DatasetDriftMetric", ".number_of_columns"),
    ("DatasetDriftMetric", ".share_of_drifted_columns"),
    ("DataDriftTable", ".number_of_drifted_columns"),
    ("DataDriftTable", ".number_of_columns"),
    ("DataDriftTable", ".share_of_drifted_columns"),
    ("DriftedColumnsCount", ".count"),
    ("DriftedColumnsCount", ".share"),
];

/// For each of [`FIELDS`], the positions in a key list of the keys that
/// can give it, in order (the first with a value counts). Found once per
/// shared key list, so a drift count costs a few lookups per snapshot
/// (views count drift for every run at every refresh).
pub(super) fn field_positions(keys: &[std::sync::Arc<str>]) -> [Box<[u32]>; 8] {
    let mut found: [Vec<u32>; 8] = Default::default();
    for (i, key) in keys.iter().enumerate() {
        let k: &str = key;
        if !k.starts_with('D') {
            continue;
        }
        let Some((m, rest)) = k.split_once(['{', '.']) else {
            continue;
        };
        if rest.contains("by_columns") {
            continue;
        }
        for (slot, (metric, field)) in found.iter_mut().zip(FIELDS) {
            if m == metric && k.ends_with(field) {
                slot.push(u32::try_from(i).unwrap_or(u32::MAX));
            }
        }
    }
    found.map(Vec::into_boxed_slice)
}

impl Snapshot {
    /// Drifted columns of this run, from the dataset-level drift metric when the
    /// run has one, else from the per-column rows with a known verdict.
    pub fn drift_count(&self) -> Option<DriftCount> {
        // The first value of each (metric, field) of FIELDS.
        let found: [Option<f64>; 8] = self.series.drift_fields();
        let value = |metric: &str, field: &str| {
            FIELDS
                .iter()
                .position(|f| *f == (metric, field))
                .and_then(|i| found[i])
        };
        for metric in ["DatasetDriftMetric", "DataDriftTable"] {
            let drifted = value(metric, ".number_of_drifted_columns").and_then(whole);
            let columns = value(metric, ".number_of_columns").and_then(whole);
            if let (Some(drifted), Some(columns)) = (drifted, columns) {
                let share = value(metric, ".share_of_drifted_columns")
                    .or_else(|| (columns > 0).then(|| f64::from(drifted) / f64::from(columns)));
                return Some(DriftCount {
                    drifted,
                    columns: Some(columns),
                    share,
                    source: DriftSource::DatasetMetric,
                });
            }
        }
        if let Some(drifted) = value("DriftedColumnsCount", ".count").and_then(whole) {
            let share = value("DriftedColumnsCount", ".share").filter(|s| s.is_finite());
            let columns = share
                .filter(|s| *s > 0.0)
                .map(|s| f64::from(drifted) / s)
                .filter(|n| n.is_finite() && (n - n.round()).abs() < 1e-6)
                .and_then(|n| whole(n.round()));
            return Some(DriftCount {
                drifted,
                columns,
                share,
                source: DriftSource::ColumnsCount,
            });
        }
        let known: Vec<bool> = self.drift.iter().filter_map(|d| d.drifted).collect();
        if known.is_empty() {
            return None;
        }
        let drifted = known.iter().filter(|d| **d).count();
        Some(DriftCount {
            drifted: u32::try_from(drifted).unwrap_or(u32::MAX),
            columns: Some(u32::try_from(known.len()).unwrap_or(u32::MAX)),
            share: Some(drifted as f64 / known.len() as f64),
            source: DriftSource::ColumnRows,
        })
    }
}
