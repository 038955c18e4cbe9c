//! A project's series keys in the order a person looks for them: first the
//! series a test or a dashboard panel uses, then the ones that move, then
//! the rest; constants and internal per-column or plot data last, each
//! group its own. Pure: reads a [`ProjectEntry`], no I/O.
//!
//! * **Used**: a v2 test measures it (the test's identity starts with its
//!   metric's identity; the `/count`, `/share`, `/mean`, `/std` slot picks
//!   the field), or a dashboard panel value selects it
//!   ([`used_series`](crate::analysis::dashboard::used_series)). Legacy
//!   test suites carry no series of their own, so for them only the
//!   dashboard counts.
//! * **Internal**: the field path has a segment that is a number (plot bins,
//!   table rows: `current.Predicted.mean.115`) or a column name of the
//!   project (from its drift rows and tests) under a metric that is not
//!   about that column (`DataDriftTable.drift_by_columns.age.drift_score`,
//!   `RegressionQualityMetric.error_bias.bmi.current_under`).
//! * **Moving**: two or more different finite values; **constant**: two or
//!   more points, all the same; **other**: the rest (one point, or none
//!   finite).

use std::collections::{BTreeMap, BTreeSet, HashSet};

use crate::analysis::dashboard::{used_series, SeriesKey};
use crate::index::ProjectEntry;

/// Where a series sits in the picker, in display order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SeriesGroup {
    Used,
    Moving,
    Other,
    Constant,
    Internal,
}

impl SeriesGroup {
    /// The heading shown above the group.
    pub fn heading(self) -> &'static str {
        match self {
            SeriesGroup::Used => "used by tests and dashboard panels",
            SeriesGroup::Moving => "changing",
            SeriesGroup::Other => "one point or no values",
            SeriesGroup::Constant => "constant",
            SeriesGroup::Internal => "per-column and plot data",
        }
    }
}

/// One series key of a project with its group.
#[derive(Debug, Clone, PartialEq)]
pub struct RankedSeries {
    pub key: String,
    /// Snapshots that have the key.
    pub points: usize,
    pub group: SeriesGroup,
}

#[derive(Default)]
struct Seen {
    points: usize,
    lo: f64,
    hi: f64,
    finite: usize,
}

/// The metric part of a v2 test identity (`Type{params}` before the first
/// `/` outside braces) and its slot (`count`, `share`, `mean`, `std`).
fn test_target(identity: &str) -> Option<(&str, Option<&str>)> {
    let mut depth = 0usize;
    let mut cut = None;
    for (i, c) in identity.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            '/' if depth == 0 => {
                cut = Some(i);
                break;
            }
            _ => {}
        }
    }
    let cut = cut?;
    let slot = identity
        .rsplit_once('/')
        .map(|(_, s)| s)
        .filter(|s| matches!(*s, "count" | "share" | "mean" | "std"));
    Some((&identity[..cut], slot))
}

/// Whether a series key belongs to a test's metric (and slot).
fn test_uses(key: &SeriesKey<'_>, target: &SeriesKey<'_>, slot: Option<&str>) -> bool {
    if key.metric_type != target.metric_type {
        return false;
    }
    let drop_threshold = key.metric_type == "ValueDrift";
    let params: Vec<&(&str, String)> = target
        .params
        .iter()
        .filter(|(k, _)| !(drop_threshold && *k == "threshold"))
        .collect();
    params.len() == key.params.len()
        && params.iter().zip(&key.params).all(|(a, b)| *a == b)
        && slot.is_none_or(|s| key.field == s)
}

fn internal(key: &SeriesKey<'_>, columns: &HashSet<&str>) -> bool {
    let about: Vec<&str> = key.params.iter().map(|(_, v)| v.as_str()).collect();
    key.field.split('.').any(|seg| {
        (!seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()))
            || (columns.contains(seg) && !about.contains(&seg))
    })
}

/// Every series key of the project, grouped and ordered (by key inside a group).
pub fn rank(project: &ProjectEntry) -> Vec<RankedSeries> {
    let mut seen: BTreeMap<&str, Seen> = BTreeMap::new();
    let mut columns: HashSet<&str> = HashSet::new();
    let mut targets: BTreeSet<(&str, Option<&str>)> = BTreeSet::new();
    for e in &project.snapshots {
        let s = &e.snapshot;
        for v in &s.series {
            let x = seen.entry(v.key).or_insert(Seen {
                lo: f64::INFINITY,
                hi: f64::NEG_INFINITY,
                ..Seen::default()
            });
            x.points += 1;
            if let Some(f) = v.value.filter(|f| f.is_finite()) {
                x.finite += 1;
                x.lo = x.lo.min(f);
                x.hi = x.hi.max(f);
            }
        }
        for d in &s.drift {
            columns.insert(&d.column);
        }
        for t in &s.tests {
            if let Some(c) = &t.column {
                columns.insert(c);
            }
            if let Some(target) = test_target(&t.identity) {
                targets.insert(target);
            }
        }
    }
    let targets: Vec<(SeriesKey<'_>, Option<&str>)> = targets
        .into_iter()
        .filter_map(|(m, slot)| Some((SeriesKey::parse(m)?, slot)))
        .collect();
    let dashboard = project
        .project
        .dashboard
        .as_deref()
        .map(|d| used_series(d, project))
        .unwrap_or_default();
    let mut out: Vec<RankedSeries> = seen
        .into_iter()
        .map(|(key, x)| {
            let parsed = SeriesKey::parse(key);
            let used = dashboard.contains(key)
                || parsed
                    .as_ref()
                    .is_some_and(|k| targets.iter().any(|(t, slot)| test_uses(k, t, *slot)));
            let group = if used {
                SeriesGroup::Used
            } else if parsed.as_ref().is_some_and(|k| internal(k, &columns)) {
                SeriesGroup::Internal
            } else if x.finite >= 2 && x.hi > x.lo {
                SeriesGroup::Moving
            } else if x.points >= 2 && x.finite == x.points {
                SeriesGroup::Constant
            } else {
                SeriesGroup::Other
            };
            RankedSeries {
                key: key.to_string(),
                points: x.points,
                group,
            }
        })
        .collect();
    out.sort_by(|a, b| a.group.cmp(&b.group).then_with(|| a.key.cmp(&b.key)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_targets_split_at_the_first_slash_outside_braces() {
        assert_eq!(
            test_target(
                "ValueDrift{column=a/b,method=K-S p_value,threshold=0.05}/drift/LessThanMetricTest"
            ),
            Some((
                "ValueDrift{column=a/b,method=K-S p_value,threshold=0.05}",
                None
            ))
        );
        assert_eq!(
            test_target("CategoryCount{categories=[true],column=Refusal}/x/LessOrEqualMetricTest{threshold=4}/count"),
            Some(("CategoryCount{categories=[true],column=Refusal}", Some("count")))
        );
        let series = SeriesKey::parse("ValueDrift{column=a/b,method=K-S p_value}.value").unwrap();
        let target =
            SeriesKey::parse("ValueDrift{column=a/b,method=K-S p_value,threshold=0.05}").unwrap();
        assert!(test_uses(&series, &target, None));
        let share = SeriesKey::parse("CategoryCount{column=R}.share").unwrap();
        let t = SeriesKey::parse("CategoryCount{column=R}").unwrap();
        assert!(!test_uses(&share, &t, Some("count")));
        assert!(test_uses(&share, &t, Some("share")));
    }
}
