//! Evaluating dashboard panels against a project's parsed snapshots.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::key::{self, SeriesKey};
use super::{
    CounterAgg, Dashboard, Panel, PanelKind, PanelSize, PanelValue, PlotType, SnapshotFilter,
    TestPanelType, TimeAgg, ValueSelector,
};
use crate::index::ProjectEntry;
use crate::model::{Snapshot, SnapshotKind, TestCounts, TestStatus};
use crate::text::sanitize::clean;

/// The message for values and filters that select by fingerprint.
const METRIC_FINGERPRINT: &str = "uses metric_fingerprint; cannot be evaluated outside Python";
const TEST_FINGERPRINT: &str = "uses test_fingerprint; cannot be evaluated outside Python";

/// One point of a line.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub snapshot_id: String,
    pub timestamp: DateTime<Utc>,
    pub value: f64,
}

/// One line of a plot: one distinct matching series key.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The configured legend (or `Type.field`), plus the parameters that set
    /// this line apart when one value matched several keys. Sanitized.
    pub legend: String,
    /// The series key (raw: sanitize before display).
    pub key: String,
    /// Points in time order; null / NaN values are left out.
    pub points: Vec<Point>,
}

/// One number of a counter panel.
#[derive(Debug, Clone, PartialEq)]
pub struct CounterValue {
    /// Sanitized legend.
    pub legend: String,
    /// The aggregate; `None` when no point matched.
    pub value: Option<f64>,
    /// Number of points folded in.
    pub points: usize,
    /// Timestamp of the newest point.
    pub latest: Option<DateTime<Utc>>,
}

/// Test counts per status in one time bucket.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusBucket {
    pub start: DateTime<Utc>,
    pub counts: TestCounts,
}

/// One test's row in a detailed test-suite panel.
#[derive(Debug, Clone, PartialEq)]
pub struct DetailedTest {
    /// Stable identity (raw: sanitize before display).
    pub identity: String,
    /// Display name (newest seen), sanitized.
    pub name: String,
    /// Status per bucket (aligned with the panel's `buckets`); `None` = not run.
    pub statuses: Vec<Option<TestStatus>>,
}

/// What an evaluated panel holds.
#[derive(Debug, Clone, PartialEq)]
pub enum PanelContent {
    /// Text only (sanitized).
    Text(String),
    /// Counter: one number per value.
    Counter {
        agg: CounterAgg,
        values: Vec<CounterValue>,
    },
    /// Lines over time.
    Plot {
        plot_type: PlotType,
        lines: Vec<Line>,
    },
    /// Test counts per status per bucket (buckets in time order).
    TestSuiteAggregate { buckets: Vec<StatusBucket> },
    /// Per test, the status per bucket.
    TestSuiteDetailed {
        buckets: Vec<DateTime<Utc>>,
        tests: Vec<DetailedTest>,
    },
    /// How many tests had one of `statuses`, out of `total`.
    TestSuiteCounter {
        agg: CounterAgg,
        statuses: Vec<TestStatus>,
        count: u32,
        total: u32,
        /// The run counted (for `Last`).
        at: Option<DateTime<Utc>>,
    },
    /// The panel cannot be evaluated here; the reason, ready to show.
    NotEvaluable(String),
}

/// An evaluated panel, ready for a terminal.
#[derive(Debug, Clone, PartialEq)]
pub struct PanelView {
    pub id: String,
    pub title: String,
    pub text: Option<String>,
    pub size: PanelSize,
    pub content: PanelContent,
    /// Caveats to show with the panel (a value left out, a bucket fallback).
    pub notes: Vec<String>,
}

/// Evaluate every panel of a dashboard (in `dashboard.panels` order; use
/// [`Dashboard::tabs`] for layout). Never fails: a panel that cannot be
/// evaluated says so in its content.
pub fn evaluate(dashboard: &Dashboard, project: &ProjectEntry) -> Vec<PanelView> {
    dashboard
        .panels
        .iter()
        .map(|p| evaluate_panel(p, project))
        .collect()
}

/// Evaluate one panel against a project's snapshots.
pub fn evaluate_panel(panel: &Panel, project: &ProjectEntry) -> PanelView {
    let mut notes = Vec::new();
    let content = match &panel.kind {
        PanelKind::Text
        | PanelKind::Counter {
            agg: CounterAgg::None,
        } => PanelContent::Text(panel.text.clone().unwrap_or_default()),
        PanelKind::Counter { agg } => counter(panel, *agg, project, &mut notes),
        PanelKind::Plot { plot_type } => match lines_for_panel(panel, project, &mut notes) {
            Some(lines) => PanelContent::Plot {
                plot_type: *plot_type,
                lines,
            },
            None => PanelContent::NotEvaluable(METRIC_FINGERPRINT.into()),
        },
        PanelKind::TestSuite {
            panel_type,
            time_agg,
        } => test_suite(panel, *panel_type, time_agg.as_ref(), project, &mut notes),
        PanelKind::TestSuiteCounter { agg, statuses } => {
            test_suite_counter(panel, *agg, statuses, project)
        }
        PanelKind::Unsupported { panel_type } => PanelContent::NotEvaluable(format!(
            "panel type {panel_type} is not supported by snapscope"
        )),
    };
    PanelView {
        id: panel.id.clone(),
        title: panel.title.clone(),
        text: panel.text.clone(),
        size: panel.size,
        content,
        notes,
    }
}

fn default_legend(v: &PanelValue) -> String {
    match &v.selector {
        ValueSelector::Legacy {
            metric_id,
            field_path,
            ..
        } => format!("{}.{field_path}", metric_id.as_deref().unwrap_or("*")),
        ValueSelector::V2 { metric, .. } => metric.clone(),
    }
}

fn value_filter_passes(v: &PanelValue, s: &Snapshot) -> bool {
    v.filter.as_ref().is_none_or(|f| key::filter_matches(f, s))
}

/// The lines of one value: one per distinct matching key, first-seen order.
fn lines_for_value(
    panel_filter: &SnapshotFilter,
    v: &PanelValue,
    project: &ProjectEntry,
) -> Vec<Line> {
    let mut lines: Vec<Line> = Vec::new();
    for entry in &project.snapshots {
        let s = &entry.snapshot;
        if !key::filter_matches(panel_filter, s) || !value_filter_passes(v, s) {
            continue;
        }
        for sv in &s.series {
            let Some(k) = SeriesKey::parse(sv.key) else {
                continue;
            };
            let hit = match &v.selector {
                ValueSelector::Legacy {
                    metric_id,
                    field_path,
                    metric_args,
                    ..
                } => key::legacy_value_matches(&k, metric_id.as_deref(), field_path, metric_args),
                ValueSelector::V2 { metric, labels } => key::v2_value_matches(&k, metric, labels),
            };
            if !hit {
                continue;
            }
            let i = match lines.iter().position(|l| *l.key == **sv.key) {
                Some(i) => i,
                None => {
                    lines.push(Line {
                        legend: String::new(),
                        key: sv.key.to_string(),
                        points: Vec::new(),
                    });
                    lines.len() - 1
                }
            };
            let line = &mut lines[i];
            // A key twice in one snapshot (same metric added twice): first wins.
            if line.points.last().is_some_and(|p| p.snapshot_id == s.id) {
                continue;
            }
            if let Some(value) = sv.value.filter(|x| x.is_finite()) {
                line.points.push(Point {
                    snapshot_id: s.id.clone(),
                    timestamp: s.timestamp,
                    value,
                });
            }
        }
    }
    let base = v.legend.clone().unwrap_or_else(|| default_legend(v));
    let parsed: Vec<Option<SeriesKey<'_>>> =
        lines.iter().map(|l| SeriesKey::parse(&l.key)).collect();
    let mut legends = Vec::with_capacity(lines.len());
    for k in &parsed {
        let mut extra: Vec<String> = Vec::new();
        if let (Some(k), true) = (k, parsed.len() > 1) {
            for (name, value) in &k.params {
                let differs = parsed
                    .iter()
                    .flatten()
                    .any(|o| o.param(name) != Some(value.as_str()));
                if differs {
                    extra.push(format!("{name}={value}"));
                }
            }
            if parsed.iter().flatten().any(|o| o.field != k.field) {
                extra.push(k.field.to_string());
            }
        }
        legends.push(if extra.is_empty() {
            base.clone()
        } else {
            format!("{base} ({})", clean(&extra.join(", ")))
        });
    }
    for (line, legend) in lines.iter_mut().zip(legends) {
        line.legend = legend;
    }
    lines
}

/// All lines of a panel; `None` when every value selects by fingerprint.
fn lines_for_panel(
    panel: &Panel,
    project: &ProjectEntry,
    notes: &mut Vec<String>,
) -> Option<Vec<Line>> {
    let mut lines = Vec::new();
    let mut evaluable = 0;
    for v in &panel.values {
        if let ValueSelector::Legacy {
            metric_fingerprint: Some(_),
            ..
        } = &v.selector
        {
            notes.push(format!(
                "value {:?} {METRIC_FINGERPRINT}",
                v.legend.clone().unwrap_or_else(|| default_legend(v))
            ));
            continue;
        }
        evaluable += 1;
        lines.extend(lines_for_value(&panel.filter, v, project));
    }
    if evaluable == 0 && !panel.values.is_empty() {
        return None;
    }
    Some(lines)
}

fn counter(
    panel: &Panel,
    agg: CounterAgg,
    project: &ProjectEntry,
    notes: &mut Vec<String>,
) -> PanelContent {
    let mut values = Vec::new();
    for v in &panel.values {
        if let ValueSelector::Legacy {
            metric_fingerprint: Some(_),
            ..
        } = &v.selector
        {
            if panel.values.len() == 1 {
                return PanelContent::NotEvaluable(METRIC_FINGERPRINT.into());
            }
            notes.push(format!("a value {METRIC_FINGERPRINT}"));
            continue;
        }
        let lines = lines_for_value(&panel.filter, v, project);
        let points: Vec<&Point> = lines.iter().flat_map(|l| &l.points).collect();
        let latest = points.iter().max_by_key(|p| p.timestamp).copied();
        let value = match agg {
            _ if points.is_empty() => None,
            CounterAgg::Sum => Some(points.iter().map(|p| p.value).sum()),
            CounterAgg::Avg => {
                Some(points.iter().map(|p| p.value).sum::<f64>() / points.len() as f64)
            }
            CounterAgg::Last | CounterAgg::None => latest.map(|p| p.value),
        };
        values.push(CounterValue {
            legend: v
                .legend
                .clone()
                .or_else(|| panel.text.clone())
                .unwrap_or_else(|| default_legend(v)),
            value,
            points: points.len(),
            latest: latest.map(|p| p.timestamp),
        });
    }
    PanelContent::Counter { agg, values }
}

/// Per bucket, per test identity: (name, status) of the newest run in it.
type TestPoints = BTreeMap<DateTime<Utc>, Vec<(String, String, TestStatus)>>;

/// Test results of the snapshots a test panel reads. Evidently forces
/// `include_test_suites` on for these panels; only snapshots with tests
/// (legacy test suites, v2 runs with tests) make buckets.
fn test_points(panel: &Panel, time_agg: Option<&TimeAgg>, project: &ProjectEntry) -> TestPoints {
    let filter = SnapshotFilter {
        include_test_suites: true,
        ..panel.filter.clone()
    };
    let mut points: TestPoints = BTreeMap::new();
    for entry in &project.snapshots {
        let s = &entry.snapshot;
        let has_tests = s.kind == SnapshotKind::TestSuite || !s.tests.is_empty();
        if !has_tests || !key::filter_matches(&filter, s) {
            continue;
        }
        let bucket = time_agg.map_or(s.timestamp, |a| a.bucket_start(s.timestamp));
        let row = points.entry(bucket).or_default();
        for t in &s.tests {
            let selected = panel.test_filters.is_empty()
                || panel
                    .test_filters
                    .iter()
                    .any(|f| key::test_filter_matches(f, t));
            if !selected {
                continue;
            }
            // Snapshots come in time order: a later run overwrites.
            let name = clean(&t.name).into_owned();
            match row.iter_mut().find(|(id, _, _)| **id == *t.identity) {
                Some(slot) => *slot = (t.identity.to_string(), name, t.status),
                None => row.push((t.identity.to_string(), name, t.status)),
            }
        }
    }
    points
}

fn uses_test_fingerprint(panel: &Panel) -> bool {
    panel
        .test_filters
        .iter()
        .any(|f| f.test_fingerprint.is_some())
}

fn test_suite(
    panel: &Panel,
    panel_type: TestPanelType,
    time_agg: Option<&TimeAgg>,
    project: &ProjectEntry,
    notes: &mut Vec<String>,
) -> PanelContent {
    if uses_test_fingerprint(panel) {
        return PanelContent::NotEvaluable(TEST_FINGERPRINT.into());
    }
    if let Some(TimeAgg::Unsupported(raw)) = time_agg {
        notes.push(format!(
            "time_agg {:?} is not supported; one bucket per run",
            clean(raw)
        ));
    }
    let points = test_points(panel, time_agg, project);
    match panel_type {
        TestPanelType::Aggregate => PanelContent::TestSuiteAggregate {
            buckets: points
                .iter()
                .map(|(start, row)| {
                    let mut counts = TestCounts::default();
                    for (_, _, st) in row {
                        counts.add(*st);
                    }
                    StatusBucket {
                        start: *start,
                        counts,
                    }
                })
                .collect(),
        },
        TestPanelType::Detailed => {
            let buckets: Vec<DateTime<Utc>> = points.keys().copied().collect();
            let mut tests: Vec<DetailedTest> = Vec::new();
            for (i, row) in points.values().enumerate() {
                for (identity, name, status) in row {
                    let t = match tests.iter().position(|t| &t.identity == identity) {
                        Some(j) => &mut tests[j],
                        None => {
                            tests.push(DetailedTest {
                                identity: identity.clone(),
                                name: String::new(),
                                statuses: vec![None; buckets.len()],
                            });
                            let last = tests.len() - 1;
                            &mut tests[last]
                        }
                    };
                    t.name = name.clone();
                    if let Some(cell) = t.statuses.get_mut(i) {
                        *cell = Some(*status);
                    }
                }
            }
            PanelContent::TestSuiteDetailed { buckets, tests }
        }
    }
}

fn test_suite_counter(
    panel: &Panel,
    agg: CounterAgg,
    statuses: &[TestStatus],
    project: &ProjectEntry,
) -> PanelContent {
    if uses_test_fingerprint(panel) {
        return PanelContent::NotEvaluable(TEST_FINGERPRINT.into());
    }
    let points = test_points(panel, None, project);
    let (rows, at): (Vec<_>, _) = match agg {
        CounterAgg::Last => match points.iter().next_back() {
            Some((t, row)) => (vec![row], Some(*t)),
            None => (Vec::new(), None),
        },
        // Evidently: `none` counts over all runs (`sum` is refused there).
        _ => (points.values().collect(), None),
    };
    let mut count = 0;
    let mut total = 0;
    for row in rows {
        for (_, _, st) in row {
            total += 1;
            if statuses.contains(st) {
                count += 1;
            }
        }
    }
    PanelContent::TestSuiteCounter {
        agg,
        statuses: statuses.to_vec(),
        count,
        total,
        at,
    }
}
