//! A project's dashboard definition (legacy `metadata.json` → `dashboard`,
//! v2 `dashboard.json`) read into the [`Dashboard`] model. Pure: takes
//! parsed JSON. Titles, texts and legends are passed through
//! [`clean`] here; series keys and test identities are kept raw (they are
//! identifiers) and must be cleaned by whoever displays them.

use serde_json::{Map, Value};

use crate::model::dashboard::*;
use crate::model::{Generation, TestStatus};
use crate::parse::{replace_non_finite, ParseError};
use crate::text::sanitize::clean;

/// Why a dashboard definition could not be read at all. Problems inside one
/// panel never fail the whole dashboard: such panels become
/// [`PanelKind::Unsupported`] (or are not evaluable when drawn).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DashboardError {
    /// The definition is not a JSON object (e.g. `"dashboard": null`).
    #[error("dashboard definition is not a JSON object")]
    NotAnObject,
    /// A field that must be a list is something else.
    #[error("dashboard field `{0}` is not a list")]
    NotAList(&'static str),
}

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
        .map(|a| a.iter().filter_map(plain_str).collect())
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
        Some(Value::Object(m)) => m.iter().map(|(k, v)| (k.clone(), py_str(v))).collect(),
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

/// Read a legacy dashboard: the `dashboard` object of a 0.4–0.6
/// `metadata.json` (`panels`, `tabs`, `tab_id_to_panel_ids`).
pub fn legacy(v: &Value) -> Result<Dashboard, DashboardError> {
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
pub fn v2(v: &Value) -> Result<Dashboard, DashboardError> {
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

/// A JSON scalar in plain form (strings unquoted); `None` for other values.
pub fn plain_str(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(_) | Value::Bool(_) | Value::Null => Some(py_str(v)),
        _ => None,
    }
}

/// `str(value)` as Python prints it: strings bare, `True`/`False`/`None`,
/// lists and dicts in repr form (`['a', 'b']`).
pub fn py_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => py_repr(other),
    }
}

/// `repr(value)` as Python prints it (dict keys in the stored order, which
/// is sorted: serde_json does not keep file order).
fn py_repr(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
        Value::Array(a) => {
            let items: Vec<String> = a.iter().map(py_repr).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(o) => {
            let items: Vec<String> = o
                .iter()
                .map(|(k, v)| format!("'{k}': {}", py_repr(v)))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
    }
}

/// A v2 `dashboard.json` file's bytes: an error when they are not complete
/// JSON (so a file still being written is retried), `None` when complete
/// JSON is not a usable dashboard. The one reader of that file, for the
/// one-shot index and the live index alike.
pub fn v2_file(bytes: &[u8]) -> Result<Option<Dashboard>, ParseError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ParseError::Empty);
    }
    let text = replace_non_finite(bytes);
    // What Python reads but serde refuses (`1e400`, a lone surrogate): once more, rewritten.
    let read =
        serde_json::from_slice::<Value>(&text).or_else(|e| {
            match crate::parse::json::repair(&text) {
                Some(fixed) if !e.is_eof() => serde_json::from_slice::<Value>(&fixed),
                _ => Err(e),
            }
        });
    match read {
        Ok(v) => Ok(v2(&v).ok()),
        Err(e) => Err(ParseError::DashboardJson {
            message: e.to_string(),
            truncated: e.is_eof(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use chrono::Duration;
    use serde_json::{json, Value};

    use super::*;

    fn fixture(name: &str) -> Value {
        let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/dashboards")
            .join(name);
        serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
    }

    // ---- parsing the real definitions ----

    #[test]
    fn legacy_fixture_reads_tabs_panels_and_filters() {
        let meta = fixture("legacy-metadata.json");
        let d = legacy(&meta["dashboard"]).unwrap();
        assert_eq!(d.generation, Generation::Legacy);
        assert_eq!(d.name.as_deref(), Some("Tumor classifier (binary)"));
        assert_eq!(d.panels.len(), 8);
        let titles: Vec<&str> = d.tabs.iter().map(|t| t.title.as_str()).collect();
        assert_eq!(titles, ["Overview", "Drift", "Tests"]);
        assert_eq!(
            d.tabs.iter().map(|t| t.panel_ids.len()).collect::<Vec<_>>(),
            [3, 2, 3]
        );
        let intro = &d.panels[0];
        assert_eq!(
            intro.kind,
            PanelKind::Counter {
                agg: CounterAgg::None
            }
        );
        assert_eq!(intro.size, PanelSize::Full);
        assert!(intro
            .text
            .as_deref()
            .unwrap()
            .starts_with("Binary classifier"));
        let acc = &d.panels[1];
        assert_eq!(
            acc.kind,
            PanelKind::Counter {
                agg: CounterAgg::Last
            }
        );
        assert_eq!(acc.size, PanelSize::Half);
        let drift = d.panel("01a2230c-81b7-7d80-bb29-3b2de34ef5bd").unwrap();
        assert_eq!(drift.title, "Drift score: mean radius, worst area");
        assert_eq!(
            drift.kind,
            PanelKind::Plot {
                plot_type: PlotType::Line
            }
        );
        assert!(!drift.filter.include_test_suites);
        assert_eq!(
            drift.values[1].selector,
            ValueSelector::Legacy {
                metric_id: Some("ColumnDriftMetric".into()),
                field_path: "drift_score".into(),
                metric_args: vec![("column_name.name".into(), json!("worst area"))],
                metric_fingerprint: None,
            }
        );
        assert_eq!(drift.values[1].legend.as_deref(), Some("worst area"));
        let agg = &d.panels[5];
        assert_eq!(
            agg.kind,
            PanelKind::TestSuite {
                panel_type: TestPanelType::Aggregate,
                time_agg: Some(TimeAgg::Step(Duration::days(1))),
            }
        );
        assert_eq!(agg.filter.tags, ["prod"]);
        assert!(agg.filter.include_test_suites);
        let detailed = &d.panels[6];
        assert_eq!(
            detailed.kind,
            PanelKind::TestSuite {
                panel_type: TestPanelType::Detailed,
                time_agg: None,
            }
        );
        assert_eq!(
            detailed.test_filters[0].test_id.as_deref(),
            Some("TestNumberOfRows")
        );
        assert_eq!(
            d.panels[7].kind,
            PanelKind::TestSuiteCounter {
                agg: CounterAgg::Last,
                statuses: vec![TestStatus::Fail],
            }
        );
    }

    #[test]
    fn v2_fixture_dedups_tab_panels_and_reads_plot_params() {
        let d = v2(&fixture("v2-dashboard.json")).unwrap();
        assert_eq!(d.generation, Generation::V2);
        assert_eq!(d.panels.len(), 6);
        assert_eq!(d.tabs.len(), 2, "every panel is in a tab: no implicit tab");
        // 0.7.23 lists "Accuracy (last)" and "Quality over time" twice in Overview.
        assert_eq!(d.tabs[0].title, "Overview");
        assert_eq!(
            d.tabs[0].panel_ids,
            [
                "01a2230d-9848-757a-a299-7bfe2a1983c0",
                "01a2230d-9849-786b-a861-c9bcbc33d3b0",
                "01a2230d-984a-7812-88d5-030f9b7ca5d9",
                "01a2230d-984d-7040-bdcd-c9f952028b71"
            ]
        );
        assert_eq!(d.tabs[1].panel_ids.len(), 2);
        assert_eq!(d.panels[0].kind, PanelKind::Text);
        assert!(d.panels[0]
            .text
            .as_deref()
            .unwrap()
            .starts_with("Binary classifier"));
        assert_eq!(
            d.panels[1].kind,
            PanelKind::Counter {
                agg: CounterAgg::Last
            }
        );
        assert_eq!(d.panels[1].size, PanelSize::Half);
        assert_eq!(d.panels[2].size, PanelSize::Full);
        let share = &d.panels[3];
        assert_eq!(share.title, "Share of drifted columns");
        assert_eq!(
            share.values[0].selector,
            ValueSelector::V2 {
                metric: "DriftedColumnsCount".into(),
                labels: vec![("value_type".into(), "share".into())],
            }
        );
        assert_eq!(
            d.panels[4].values[0].filter.as_ref().unwrap().tags,
            ["prod"]
        );
        assert_eq!(
            d.panels[5].kind,
            PanelKind::Plot {
                plot_type: PlotType::Bar { stacked: true }
            }
        );
    }

    #[test]
    fn no_tabs_means_one_implicit_tab_and_orphans_get_one_too() {
        let d = v2(&json!({"panels": [{"id": "a"}, {"id": "b"}]})).unwrap();
        assert_eq!(d.tabs.len(), 1);
        assert_eq!(d.tabs[0].panel_ids, ["a", "b"]);
        let d = v2(&json!({
            "tabs": [{"id": "t", "title": "T", "panels": ["b", "missing", "b"]}],
            "panels": [{"id": "a"}, {"id": "b"}]
        }))
        .unwrap();
        assert_eq!(d.tabs.len(), 2);
        assert_eq!(d.tabs[0].panel_ids, ["b"]);
        assert_eq!(d.tabs[1].title, IMPLICIT_TAB_TITLE);
        assert_eq!(d.tabs[1].panel_ids, ["a"]);
    }

    #[test]
    fn unknown_plot_and_panel_types_degrade_without_error() {
        let d = v2(&json!({"panels": [
            {"id": "a", "plot_params": {"plot_type": "sparkline3d"}},
            {"id": "b", "plot_params": {"plot_type": "counter", "aggregation": "median"}},
            {"id": "c", "plot_params": {"plot_type": "pie"}, "size": "half"}
        ]}))
        .unwrap();
        assert_eq!(
            d.panels[0].kind,
            PanelKind::Plot {
                plot_type: PlotType::Line
            }
        );
        assert_eq!(
            d.panels[1].kind,
            PanelKind::Counter {
                agg: CounterAgg::Last
            }
        );
        assert_eq!(
            d.panels[2].kind,
            PanelKind::Plot {
                plot_type: PlotType::Pie
            }
        );
        let d = legacy(&json!({"panels": [
            {"type": "evidently:dashboard_panel:DashboardPanelDistribution", "id": "x", "size": 1}
        ]}))
        .unwrap();
        assert_eq!(
            d.panels[0].kind,
            PanelKind::Unsupported {
                panel_type: "DashboardPanelDistribution".into()
            }
        );
    }

    #[test]
    fn a_file_python_reads_is_complete_json() {
        // python3: json.loads(r'{"tabs": [], "panels": [], "size": 1e400, "name": "a\ud800"}') works.
        let bytes = br#"{"tabs": [], "panels": [], "size": 1e400, "name": "a\ud800"}"#;
        assert!(v2_file(bytes).is_ok(), "{:?}", v2_file(bytes));
        assert!(matches!(
            v2_file(br#"{"tabs": [], "size": 1e400"#),
            Err(ParseError::DashboardJson {
                truncated: true,
                ..
            })
        ));
    }

    #[test]
    fn malformed_definitions_are_errors() {
        assert_eq!(legacy(&Value::Null), Err(DashboardError::NotAnObject));
        assert_eq!(
            v2(&json!({"panels": 3})),
            Err(DashboardError::NotAList("panels"))
        );
        assert_eq!(
            legacy(&json!({"panels": [], "tabs": "x"})),
            Err(DashboardError::NotAList("tabs"))
        );
    }

    #[test]
    fn control_characters_in_titles_are_escaped() {
        let d = v2(&json!({"panels": [{"id": "a", "title": "bad\u{1b}[31m"}]})).unwrap();
        assert!(!d.panels[0].title.contains('\u{1b}'));
    }
}
