//! A project's configured Evidently dashboard (legacy `metadata.json` →
//! `dashboard`, v2 `dashboard.json`) as one model: tabs and panels, what
//! each panel reads and how. Read from the files by
//! [`parse::dashboard`](crate::parse::dashboard), evaluated against a
//! project's snapshots by [`analysis::dashboard`](crate::analysis::dashboard).

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::Value;

use crate::model::{Generation, TestStatus};

/// Panel width: Evidently's `size` (legacy `1`/`2`, v2 `"half"`/`"full"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PanelSize {
    Half,
    Full,
}

/// How a counter (or test-suite counter) folds its points into one number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CounterAgg {
    /// The newest point.
    Last,
    /// The sum of all points.
    Sum,
    /// The mean of all points (v2 `avg`).
    Avg,
    /// No value: the counter only shows its text (legacy `none`). For
    /// test-suite counters: count over all runs.
    None,
}

/// How a plot panel draws its lines. Unknown types fall back to `Line`,
/// as Evidently's UI does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlotType {
    Line,
    Bar { stacked: bool },
    Scatter,
    Histogram,
    Pie,
}

/// Test-suite panel layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestPanelType {
    /// Counts per status per time bucket.
    Aggregate,
    /// One row per test, its status per time bucket.
    Detailed,
}

/// A test-suite panel's `time_agg`: timestamps are floored to buckets of a
/// fixed length in UTC (days at midnight UTC, weeks on Monday, shorter steps
/// aligned to the Unix epoch).
///
/// Evidently itself uses pandas `to_period(time_agg)`, which agrees for `1D`,
/// `1H`, `1min` and `1W` but ignores the multiplier (`30min` there means per
/// minute); snapscope buckets by the full step instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeAgg {
    /// Buckets of this length.
    Step(Duration),
    /// A period snapscope cannot bucket (months, quarters, ...); runs are
    /// shown one per timestamp and the panel notes it.
    Unsupported(String),
}

impl TimeAgg {
    /// Parse a pandas-style period such as `1D`, `1H`, `30min`, `1W`, `15s`.
    pub fn parse(raw: &str) -> TimeAgg {
        let s = raw.trim();
        let digits = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let n: i64 = if digits == 0 {
            1
        } else {
            match s[..digits].parse() {
                Ok(n) => n,
                Err(_) => return TimeAgg::Unsupported(raw.to_string()),
            }
        };
        let unit = &s[digits..];
        let step = match unit {
            "W" | "w" => Duration::try_weeks(n),
            "D" | "d" => Duration::try_days(n),
            "H" | "h" => Duration::try_hours(n),
            "min" | "T" => Duration::try_minutes(n),
            "S" | "s" => Duration::try_seconds(n),
            _ => None,
        };
        match step {
            Some(d) if d > Duration::zero() => TimeAgg::Step(d),
            _ => TimeAgg::Unsupported(raw.to_string()),
        }
    }

    /// Start of the bucket holding `t`; `t` itself when unsupported.
    pub fn bucket_start(&self, t: DateTime<Utc>) -> DateTime<Utc> {
        let TimeAgg::Step(step) = self else { return t };
        let Some(step_ms) = Some(step.num_milliseconds()).filter(|s| *s > 0) else {
            return t;
        };
        // Whole weeks start on Monday (1970-01-05), like pandas' W-SUN periods.
        let week_ms = 7 * 24 * 3600 * 1000;
        let origin_ms: i64 = if step_ms % week_ms == 0 {
            4 * 24 * 3600 * 1000
        } else {
            0
        };
        let ms = t.timestamp_millis() - origin_ms;
        let floored = ms.div_euclid(step_ms) * step_ms + origin_ms;
        Utc.timestamp_millis_opt(floored).single().unwrap_or(t)
    }
}

/// Which snapshots a panel (or a v2 value) reads.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SnapshotFilter {
    /// Every tag must be present on the snapshot.
    pub tags: Vec<String>,
    /// Every pair must match the snapshot's metadata (compared in plain
    /// string form, lists and objects as Python prints them).
    pub metadata: Vec<(String, Value)>,
    /// Legacy: whether test-suite snapshots count (`include_test_suites`).
    pub include_test_suites: bool,
}

/// What a panel value selects.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueSelector {
    /// Legacy `PanelValue`.
    Legacy {
        /// Short metric class name (`ColumnDriftMetric`); `None` = any.
        metric_id: Option<String>,
        /// Dotted path into the result (`current.accuracy`).
        field_path: String,
        /// Dotted paths into the metric config and the values they must have.
        metric_args: Vec<(String, Value)>,
        /// Set when the value selects by fingerprint: not evaluable here.
        metric_fingerprint: Option<String>,
    },
    /// v2 `PanelMetric`.
    V2 {
        /// Short metric type (`DriftedColumnsCount`) or `*`.
        metric: String,
        /// `metric_labels`, values in plain string form.
        labels: Vec<(String, String)>,
    },
}

/// One value (line, counter input) of a panel.
#[derive(Debug, Clone, PartialEq)]
pub struct PanelValue {
    /// Legend as configured (sanitized).
    pub legend: Option<String>,
    pub selector: ValueSelector,
    /// v2 per-value `tags` / `metadata` filter (legacy: `None`).
    pub filter: Option<SnapshotFilter>,
}

/// Legacy test filter of a test-suite panel.
#[derive(Debug, Clone, PartialEq)]
pub struct TestFilter {
    /// Short test class name (`TestNumberOfRows`); `None` = any.
    pub test_id: Option<String>,
    /// Dotted paths into the test config and the values they must have.
    pub test_args: Vec<(String, Value)>,
    /// Set when the filter selects by fingerprint: not evaluable here.
    pub test_fingerprint: Option<String>,
}

/// What a panel shows.
#[derive(Debug, Clone, PartialEq)]
pub enum PanelKind {
    /// Text only (v2 `text` plot type).
    Text,
    /// One number per value (legacy counter: one value; `CounterAgg::None` = text only).
    Counter { agg: CounterAgg },
    /// Lines over time.
    Plot { plot_type: PlotType },
    /// Legacy test-suite panel.
    TestSuite {
        panel_type: TestPanelType,
        time_agg: Option<TimeAgg>,
    },
    /// Legacy test-suite counter: how many tests had one of `statuses`.
    TestSuiteCounter {
        agg: CounterAgg,
        statuses: Vec<TestStatus>,
    },
    /// A panel type snapscope does not evaluate (e.g. legacy distribution panels).
    Unsupported { panel_type: String },
}

/// One panel of a dashboard.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    pub id: String,
    /// Sanitized title.
    pub title: String,
    /// Sanitized legacy counter `text` or v2 `subtitle`.
    pub text: Option<String>,
    pub size: PanelSize,
    pub kind: PanelKind,
    pub values: Vec<PanelValue>,
    /// Legacy test-suite panels only.
    pub test_filters: Vec<TestFilter>,
    /// Panel-wide filter (legacy; v2 panels have an empty one).
    pub filter: SnapshotFilter,
}

/// A tab: a title and the ids of its panels (each once, in order).
#[derive(Debug, Clone, PartialEq)]
pub struct Tab {
    pub id: String,
    /// Sanitized title.
    pub title: String,
    pub panel_ids: Vec<String>,
}

/// A project's dashboard in one model for both generations.
#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    /// Which generation's definition this came from.
    pub generation: Generation,
    /// Sanitized dashboard name (legacy only).
    pub name: Option<String>,
    /// Never empty when there are panels: with no tabs configured there is one
    /// implicit tab (id `""`) holding every panel; panels no tab lists get an
    /// extra implicit tab.
    pub tabs: Vec<Tab>,
    pub panels: Vec<Panel>,
}

/// Implicit tab title for panels that no configured tab lists.
pub const IMPLICIT_TAB_TITLE: &str = "Panels";

impl Dashboard {
    /// A panel by id.
    pub fn panel(&self, id: &str) -> Option<&Panel> {
        self.panels.iter().find(|p| p.id == id)
    }

    /// The panels of a tab, in the tab's order.
    pub fn tab_panels<'a>(&'a self, tab: &'a Tab) -> impl Iterator<Item = &'a Panel> + 'a {
        tab.panel_ids.iter().filter_map(|id| self.panel(id))
    }
}
