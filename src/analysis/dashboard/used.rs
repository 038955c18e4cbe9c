//! Which series keys a dashboard's panels draw or count: the same selector
//! rules as [`super::evaluate`], without building the lines.

use std::collections::BTreeSet;

use super::key::{self, SeriesKey};
use super::{Dashboard, ValueSelector};
use crate::index::ProjectEntry;

/// Every series key of the project that some panel value selects (values
/// that select by fingerprint select nothing here, as in `evaluate`).
pub fn used_series(dashboard: &Dashboard, project: &ProjectEntry) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut keys: BTreeSet<&str> = BTreeSet::new();
    for entry in &project.snapshots {
        for v in &entry.snapshot.series {
            keys.insert(v.key);
        }
    }
    let parsed: Vec<(&str, SeriesKey<'_>)> = keys
        .iter()
        .filter_map(|k| Some((*k, SeriesKey::parse(k)?)))
        .collect();
    for panel in &dashboard.panels {
        for v in &panel.values {
            for (raw, k) in &parsed {
                let hit = match &v.selector {
                    ValueSelector::Legacy {
                        metric_fingerprint: Some(_),
                        ..
                    } => false,
                    ValueSelector::Legacy {
                        metric_id,
                        field_path,
                        metric_args,
                        ..
                    } => {
                        key::legacy_value_matches(k, metric_id.as_deref(), field_path, metric_args)
                    }
                    ValueSelector::V2 { metric, labels } => {
                        key::v2_value_matches(k, metric, labels)
                    }
                };
                if hit {
                    out.insert(raw.to_string());
                }
            }
        }
    }
    out
}
