//! A project's configured Evidently dashboard (legacy `metadata.json` →
//! `dashboard`, v2 `dashboard.json`) read into one model, and evaluated
//! against a project's parsed snapshots into terminal-ready panel data.
//!
//! Pure: takes parsed JSON and a [`ProjectEntry`](crate::catalog::ProjectEntry),
//! does no I/O and draws nothing. Titles, texts and legends are passed
//! through [`sanitize::clean`](crate::sanitize::clean) here; series keys and
//! test identities are kept raw (they are identifiers) and must be cleaned
//! by whoever displays them.

mod eval;
mod key;

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::{Map, Value};

use crate::model::{Generation, TestStatus};
use crate::sanitize::clean;

pub use eval::{
    evaluate, evaluate_panel, CounterValue, DetailedTest, Line, PanelContent, PanelView, Point,
    StatusBucket,
};
pub use key::SeriesKey;

/// Why a dashboard definition could not be read at all. Problems inside one
/// panel never fail the whole dashboard: such panels become
/// [`PanelKind::Unsupported`] or evaluate to [`PanelContent::NotEvaluable`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DashboardError {
    /// The definition is not a JSON object (e.g. `"dashboard": null`).
    #[error("dashboard definition is not a JSON object")]
    NotAnObject,
    /// A field that must be a list is something else.
    #[error("dashboard field `{0}` is not a list")]
    NotAList(&'static str),
}

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

fn short_type(t: &str) -> &str {
    t.rsplit([':', '.']).next().unwrap_or(t)
}

fn str_field<'a>(o: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    o.get(k).and_then(Value::as_str)
}

fn cleaned(s: &str) -> String {
    clean(s).into_owned()
}

fn list<'a>(o: &'a Map<String, Value>, k: &'static str) -> Result<&'a [Value], DashboardError> {
    match o.get(k) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(_) => Err(DashboardError::NotAList(k)),
    }
}

fn args_of(v: Option<&Value>) -> Vec<(String, Value)> {
    match v {
        Some(Value::Object(m)) => m.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        _ => Vec::new(),
    }
}

fn size_of(v: Option<&Value>) -> PanelSize {
    match v {
        Some(Value::Number(n)) if n.as_i64() == Some(1) => PanelSize::Half,
        Some(Value::String(s)) if s.eq_ignore_ascii_case("half") || s == "1" => PanelSize::Half,
        _ => PanelSize::Full,
    }
}

fn counter_agg(v: Option<&str>) -> CounterAgg {
    match v.map(str::to_ascii_lowercase).as_deref() {
        Some("sum") => CounterAgg::Sum,
        Some("avg") => CounterAgg::Avg,
        Some("none") => CounterAgg::None,
        _ => CounterAgg::Last,
    }
}

fn plot_type(v: Option<&str>, stacked: bool) -> PlotType {
    match v.map(str::to_ascii_lowercase).as_deref() {
        Some("bar") => PlotType::Bar { stacked },
        Some("scatter") => PlotType::Scatter,
        Some("histogram") => PlotType::Histogram,
        Some("pie") => PlotType::Pie,
        _ => PlotType::Line,
    }
}

/// Keep the first occurrence of each id, and only ids of existing panels.
fn dedup_ids<'a>(ids: impl Iterator<Item = &'a str>, panels: &[Panel]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for id in ids {
        if panels.iter().any(|p| p.id == id) && !out.iter().any(|o| o == id) {
            out.push(id.to_string());
        }
    }
    out
}

/// Add an implicit tab for panels that no tab lists (or for all, with no tabs).
fn finish_tabs(mut tabs: Vec<Tab>, panels: &[Panel]) -> Vec<Tab> {
    let orphans: Vec<String> = panels
        .iter()
        .filter(|p| !tabs.iter().any(|t| t.panel_ids.contains(&p.id)))
        .map(|p| p.id.clone())
        .collect();
    if !orphans.is_empty() || tabs.is_empty() {
        tabs.push(Tab {
            id: String::new(),
            title: IMPLICIT_TAB_TITLE.to_string(),
            panel_ids: orphans,
        });
    }
    tabs
}

fn legacy_filter(v: Option<&Value>, default_include: bool) -> SnapshotFilter {
    let Some(o) = v.and_then(Value::as_object) else {
        return SnapshotFilter {
            include_test_suites: default_include,
            ..SnapshotFilter::default()
        };
    };
    SnapshotFilter {
        tags: tags_of(o.get("tag_values")),
        metadata: args_of(o.get("metadata_values")),
        include_test_suites: o
            .get("include_test_suites")
            .and_then(Value::as_bool)
            .unwrap_or(default_include),
    }
}

fn tags_of(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(key::plain_str).collect())
        .unwrap_or_default()
}

fn legacy_value(v: &Value) -> Option<PanelValue> {
    let o = v.as_object()?;
    Some(PanelValue {
        legend: str_field(o, "legend").map(cleaned),
        selector: ValueSelector::Legacy {
            metric_id: str_field(o, "metric_id").map(|s| short_type(s).to_string()),
            field_path: str_field(o, "field_path").unwrap_or_default().to_string(),
            metric_args: args_of(o.get("metric_args")),
            metric_fingerprint: str_field(o, "metric_fingerprint")
                .or_else(|| str_field(o, "metric_hash"))
                .map(str::to_string),
        },
        filter: None,
    })
}

fn legacy_test_filter(v: &Value) -> Option<TestFilter> {
    let o = v.as_object()?;
    Some(TestFilter {
        test_id: str_field(o, "test_id").map(|s| short_type(s).to_string()),
        test_args: args_of(o.get("test_args")),
        test_fingerprint: str_field(o, "test_fingerprint")
            .or_else(|| str_field(o, "test_hash"))
            .map(str::to_string),
    })
}

fn legacy_panel(index: usize, v: &Value) -> Panel {
    let empty = Map::new();
    let o = v.as_object().unwrap_or(&empty);
    let panel_type = str_field(o, "type").map(short_type).unwrap_or("");
    let id = str_field(o, "id")
        .map(str::to_string)
        .unwrap_or_else(|| format!("panel-{index}"));
    let values: Vec<PanelValue> = match o.get("values") {
        Some(Value::Array(a)) => a.iter().filter_map(legacy_value).collect(),
        _ => o.get("value").and_then(legacy_value).into_iter().collect(),
    };
    let test_filters: Vec<TestFilter> = o
        .get("test_filters")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(legacy_test_filter).collect())
        .unwrap_or_default();
    let statuses = o
        .get("statuses")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .filter_map(TestStatus::parse)
                .collect()
        })
        .unwrap_or_else(|| vec![TestStatus::Success]);
    let (kind, default_include) = match panel_type {
        "DashboardPanelCounter" => (
            PanelKind::Counter {
                agg: counter_agg(str_field(o, "agg").or(Some("none"))),
            },
            false,
        ),
        "DashboardPanelPlot" => (
            PanelKind::Plot {
                plot_type: plot_type(str_field(o, "plot_type"), false),
            },
            false,
        ),
        "DashboardPanelTestSuite" => (
            PanelKind::TestSuite {
                panel_type: match str_field(o, "panel_type") {
                    Some("detailed") => TestPanelType::Detailed,
                    _ => TestPanelType::Aggregate,
                },
                time_agg: str_field(o, "time_agg").map(TimeAgg::parse),
            },
            true,
        ),
        "DashboardPanelTestSuiteCounter" => (
            PanelKind::TestSuiteCounter {
                agg: counter_agg(str_field(o, "agg").or(Some("none"))),
                statuses,
            },
            true,
        ),
        other => (
            PanelKind::Unsupported {
                panel_type: cleaned(other),
            },
            false,
        ),
    };
    Panel {
        id,
        title: cleaned(str_field(o, "title").unwrap_or_default()),
        text: str_field(o, "text").map(cleaned),
        size: size_of(o.get("size")),
        kind,
        values,
        test_filters,
        filter: legacy_filter(o.get("filter"), default_include),
    }
}

fn v2_value(v: &Value) -> Option<PanelValue> {
    let o = v.as_object()?;
    let labels = match o.get("metric_labels") {
        Some(Value::Object(m)) => m.iter().map(|(k, v)| (k.clone(), key::py_str(v))).collect(),
        _ => Vec::new(),
    };
    Some(PanelValue {
        legend: str_field(o, "legend").map(cleaned),
        selector: ValueSelector::V2 {
            metric: short_type(str_field(o, "metric").unwrap_or("*")).to_string(),
            labels,
        },
        filter: Some(SnapshotFilter {
            tags: tags_of(o.get("tags")),
            metadata: args_of(o.get("metadata")),
            include_test_suites: true,
        }),
    })
}

fn v2_panel(index: usize, v: &Value) -> Panel {
    let empty = Map::new();
    let o = v.as_object().unwrap_or(&empty);
    let params = o
        .get("plot_params")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let stacked = params
        .get("is_stacked")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let kind = match str_field(params, "plot_type")
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("text") => PanelKind::Text,
        Some("counter") => PanelKind::Counter {
            // v2 counters always show a number; unknown aggregations are "last".
            agg: match counter_agg(str_field(params, "aggregation")) {
                CounterAgg::None => CounterAgg::Last,
                a => a,
            },
        },
        other => PanelKind::Plot {
            plot_type: plot_type(other, stacked),
        },
    };
    Panel {
        id: str_field(o, "id")
            .map(str::to_string)
            .unwrap_or_else(|| format!("panel-{index}")),
        title: cleaned(str_field(o, "title").unwrap_or_default()),
        text: str_field(o, "subtitle").map(cleaned),
        size: size_of(o.get("size")),
        kind,
        values: o
            .get("values")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(v2_value).collect())
            .unwrap_or_default(),
        test_filters: Vec::new(),
        filter: SnapshotFilter {
            include_test_suites: true,
            ..SnapshotFilter::default()
        },
    }
}

impl Dashboard {
    /// Read a legacy dashboard: the `dashboard` object of a 0.4–0.6
    /// `metadata.json` (`panels`, `tabs`, `tab_id_to_panel_ids`).
    pub fn from_legacy(v: &Value) -> Result<Dashboard, DashboardError> {
        let o = v.as_object().ok_or(DashboardError::NotAnObject)?;
        let panels: Vec<Panel> = list(o, "panels")?
            .iter()
            .enumerate()
            .map(|(i, p)| legacy_panel(i, p))
            .collect();
        let empty = Map::new();
        let mapping = o
            .get("tab_id_to_panel_ids")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let tabs = list(o, "tabs")?
            .iter()
            .filter_map(Value::as_object)
            .map(|t| {
                let id = str_field(t, "id").unwrap_or_default().to_string();
                let ids = mapping
                    .get(&id)
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(Value::as_str).collect::<Vec<_>>())
                    .unwrap_or_default();
                Tab {
                    title: cleaned(str_field(t, "title").unwrap_or_default()),
                    panel_ids: dedup_ids(ids.into_iter(), &panels),
                    id,
                }
            })
            .collect();
        Ok(Dashboard {
            generation: Generation::Legacy,
            name: str_field(o, "name").map(cleaned),
            tabs: finish_tabs(tabs, &panels),
            panels,
        })
    }

    /// Read a v2 (0.7+) `dashboard.json`: `tabs[{id, title, panels}]` and
    /// `panels[]`. Duplicate panel ids in a tab (0.7.23 writes them) are dropped.
    pub fn from_v2(v: &Value) -> Result<Dashboard, DashboardError> {
        let o = v.as_object().ok_or(DashboardError::NotAnObject)?;
        let panels: Vec<Panel> = list(o, "panels")?
            .iter()
            .enumerate()
            .map(|(i, p)| v2_panel(i, p))
            .collect();
        let tabs = list(o, "tabs")?
            .iter()
            .filter_map(Value::as_object)
            .map(|t| {
                let ids = t
                    .get("panels")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(Value::as_str).collect::<Vec<_>>())
                    .unwrap_or_default();
                Tab {
                    id: str_field(t, "id").unwrap_or_default().to_string(),
                    title: cleaned(str_field(t, "title").unwrap_or_default()),
                    panel_ids: dedup_ids(ids.into_iter(), &panels),
                }
            })
            .collect();
        Ok(Dashboard {
            generation: Generation::V2,
            name: None,
            tabs: finish_tabs(tabs, &panels),
            panels,
        })
    }

    /// A panel by id.
    pub fn panel(&self, id: &str) -> Option<&Panel> {
        self.panels.iter().find(|p| p.id == id)
    }

    /// The panels of a tab, in the tab's order.
    pub fn tab_panels<'a>(&'a self, tab: &'a Tab) -> impl Iterator<Item = &'a Panel> + 'a {
        tab.panel_ids.iter().filter_map(|id| self.panel(id))
    }
}

#[cfg(test)]
mod tests;
