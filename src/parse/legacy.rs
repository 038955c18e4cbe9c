//! Legacy (Evidently 0.4.0 – 0.6.x) snapshots: `suite` with aligned
//! `metrics`/`metric_results` and `tests`/`test_results`, including the
//! backported v2 adapters of 0.6.x.

use std::fmt;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};

use super::keys::Series;
use super::leaves::{LeafStore, Leaves, Shaped};
use super::pruned::{Pruned, Text, Val};
use super::series::{metric_key, numeric_leaves, plain, short_type, ParamsFor};
use crate::model::intern::intern;
use crate::model::{DriftRow, Snapshot, TestOutcome, TestSpec, TestStatus};

/// The parts of `suite` that snapscope reads (a key written twice keeps
/// its last value, as Python reads it). A metric or result is `None` when
/// the reader left it unbuilt because [`fill`] never reads it (see
/// [`reading_of`]); the full path builds them all.
#[derive(Default)]
pub(crate) struct RawSuite<'a> {
    pub metrics: Vec<Option<Pruned<'a>>>,
    pub metric_results: Vec<Option<MetricResult<'a>>>,
    /// Where [`MetricResult::Leaves`] are.
    pub leaves: LeafStore,
    pub tests: Vec<Pruned<'a>>,
    pub test_results: Vec<Pruned<'a>>,
}

impl<'de: 'a, 'a> Deserialize<'de> for RawSuite<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawSuite<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a suite object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawSuite<'de>, A::Error> {
                let mut suite = RawSuite::default();
                while let Some(Text(key)) = map.next_key::<Text<'de>>()? {
                    match key.as_ref() {
                        "metrics" => suite.metrics = all_built(map.next_value()?),
                        "metric_results" => suite.metric_results = all_values(map.next_value()?),
                        "tests" => suite.tests = map.next_value()?,
                        "test_results" => suite.test_results = map.next_value()?,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(suite)
            }
        }
        d.deserialize_map(V)
    }
}

/// A metric result as read: the value, or (the fast path's reading of a
/// report's own metric that is no drift result) only its numeric leaves.
pub(crate) enum MetricResult<'a> {
    Value(Pruned<'a>),
    Leaves(Leaves),
    /// Read by the shape of an earlier result of its metric: its series
    /// keys and values.
    Shaped(Shaped),
}

fn all_built(list: Vec<Pruned<'_>>) -> Vec<Option<Pruned<'_>>> {
    list.into_iter().map(Some).collect()
}

fn all_values(list: Vec<Pruned<'_>>) -> Vec<Option<MetricResult<'_>>> {
    list.into_iter()
        .map(|p| Some(MetricResult::Value(p)))
        .collect()
}

/// The built results (a drift result is always built).
fn result_values<'s, 'a>(suite: &'s RawSuite<'a>) -> impl Iterator<Item = &'s Val<'a>> {
    suite
        .metric_results
        .iter()
        .flatten()
        .filter_map(|r| match r {
            MetricResult::Value(p) => Some(&p.0),
            MetricResult::Leaves(_) | MetricResult::Shaped(_) => None,
        })
}

/// How [`fill`] reads a metric result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reading {
    /// Not at all.
    Unread,
    /// Whole: it gives drift rows.
    Value,
    /// For its numeric leaves only: a report's own metric.
    Leaves,
}

/// How [`fill`] reads the metric result at a position, from its `type`
/// (the last one written, when it is a string) and whether the position is
/// in `metrics_ids`: the report's series and the drift rows are all it reads.
/// A test suite's results are mostly the dependencies of its tests, never read.
pub(crate) fn reading_of(result_type: Option<&str>, in_metrics_ids: bool) -> Reading {
    let Some(t) = result_type else {
        return Reading::Unread;
    };
    match short_type(t) {
        "DataDriftTableResults" | "ColumnDataDriftMetrics" => Reading::Value,
        _ if in_metrics_ids => Reading::Leaves,
        _ => Reading::Unread,
    }
}

fn type_of<'v>(v: &'v Val) -> Option<&'v str> {
    v.get("type").and_then(Val::as_str).map(short_type)
}

/// The real configuration of a metric: the inner `metric` of a backported
/// `MetricV2Adapter`, else the object itself.
fn effective_config<'v, 'a>(config: &'v Val<'a>) -> &'v Val<'a> {
    match type_of(config) {
        Some("MetricV2Adapter") => config.get("metric").unwrap_or(config),
        _ => config,
    }
}

/// The series key of a report metric: its values are keyed under it.
pub(crate) fn series_key(config: &Val) -> Option<String> {
    metric_key(effective_config(config), ParamsFor::Series)
}

fn effective_test_config<'v, 'a>(config: &'v Val<'a>) -> &'v Val<'a> {
    match type_of(config) {
        Some("TestV2Adapter") => config.get("test").unwrap_or(config),
        _ => config,
    }
}

pub(crate) fn fill(
    s: &mut Snapshot,
    series: &mut Series,
    suite: RawSuite<'_>,
    metrics_ids: &[usize],
) {
    // Series: the report's top-level metrics only (dependencies are not "the report").
    for &i in metrics_ids {
        let (Some(Some(config)), Some(Some(result))) =
            (suite.metrics.get(i), suite.metric_results.get(i))
        else {
            continue;
        };
        // A shaped result carries its series keys; the others are keyed
        // under the metric's series key (none: no values).
        let key = || series_key(&config.0);
        match result {
            MetricResult::Shaped(shaped) => {
                let (keys, values) = suite.leaves.shaped(shaped);
                series.push_keyed(keys, values);
            }
            MetricResult::Value(result) => {
                // Before 0.4.12 a failed metric could be stored without
                // `type`: no values. (Leaves are read only of typed results.)
                if let (Some(_), Some(key)) = (type_of(&result.0), key()) {
                    numeric_leaves(&result.0, &key, series);
                }
            }
            MetricResult::Leaves(leaves) => {
                if let Some(key) = key() {
                    let values = (suite.leaves.iter(leaves))
                        .map(|(path, value)| (path.strip_prefix('.').unwrap_or(path), value));
                    series.push_joined(&key, '.', values);
                }
            }
        }
    }
    s.drift = drift_rows(&suite);
    s.tests = suite
        .test_results
        .iter()
        .enumerate()
        .map(|(i, r)| test_outcome(suite.tests.get(i).map(|c| &c.0), &r.0))
        .collect();
    suite.leaves.give_back();
}

fn f64_of(v: Option<&Val>) -> Option<f64> {
    v.and_then(Val::as_f64).filter(|x| x.is_finite())
}

fn str_of(v: Option<&Val>) -> Option<String> {
    v.and_then(Val::as_str).map(str::to_string)
}

fn interned(v: Option<&Val>) -> Option<std::sync::Arc<str>> {
    v.and_then(Val::as_str).map(intern)
}

fn column_drift_row(column: &str, m: &Val) -> DriftRow {
    DriftRow {
        column: interned(m.get("column_name")).unwrap_or_else(|| intern(column)),
        column_type: interned(m.get("column_type")),
        method: interned(m.get("stattest_name")),
        score: f64_of(m.get("drift_score")),
        threshold: f64_of(m.get("stattest_threshold")),
        drifted: m.get("drift_detected").and_then(Val::as_bool),
        inferred: false,
    }
}

/// Per-column drift, in order of preference: DataDriftTable results,
/// ColumnDriftMetric results, then drift test parameters.
fn drift_rows(suite: &RawSuite<'_>) -> Vec<DriftRow> {
    let mut rows: Vec<DriftRow> = Vec::new();
    let push = |row: DriftRow, rows: &mut Vec<DriftRow>| {
        if !rows.iter().any(|r| r.column == row.column) {
            rows.push(row);
        }
    };
    for r in result_values(suite) {
        if type_of(r) == Some("DataDriftTableResults") {
            if let Some(Val::Object(cols)) = r.get("drift_by_columns") {
                for (col, m) in cols {
                    push(column_drift_row(col, m), &mut rows);
                }
            }
        }
    }
    for r in result_values(suite) {
        if type_of(r) == Some("ColumnDataDriftMetrics") {
            let col = str_of(r.get("column_name")).unwrap_or_default();
            push(column_drift_row(&col, r), &mut rows);
        }
    }
    for r in &suite.test_results {
        let Some(p) = r.0.get("parameters") else {
            continue;
        };
        match type_of(p) {
            Some("ColumnsDriftParameters") => {
                if let Some(Val::Object(features)) = p.get("features") {
                    for (col, f) in features {
                        push(
                            DriftRow {
                                column: intern(col),
                                column_type: None,
                                method: interned(f.get("stattest")),
                                score: f64_of(f.get("score")),
                                threshold: f64_of(f.get("threshold")),
                                drifted: f.get("detected").and_then(Val::as_bool),
                                inferred: false,
                            },
                            &mut rows,
                        );
                    }
                }
            }
            Some("ColumnDriftParameter") => {
                if let Some(col) = interned(p.get("column_name")) {
                    push(
                        DriftRow {
                            column: col,
                            column_type: None,
                            method: interned(p.get("stattest")),
                            score: f64_of(p.get("score")),
                            threshold: f64_of(p.get("threshold")),
                            drifted: p.get("detected").and_then(Val::as_bool),
                            inferred: false,
                        },
                        &mut rows,
                    );
                }
            }
            _ => {}
        }
    }
    rows
}

/// A number in a condition's text ([`crate::text::num::number`]; NaN and
/// infinities as Rust prints them).
pub(crate) fn fmt_num(x: f64) -> String {
    crate::text::num::number(x).unwrap_or_else(|| x.to_string())
}

/// A legacy condition object (`{gt: 42}`, `{eq: {value, relative, absolute}}`)
/// in readable form: `gt 42`, `eq 0.973 ± 0.195`.
pub(crate) fn fmt_condition(cond: &Val) -> Option<String> {
    let Val::Object(ops) = cond else {
        return None;
    };
    let parts: Vec<String> = ops
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(op, v)| format!("{op} {}", fmt_bound(v)))
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// The condition operators of a legacy test configuration (`{gte: 0.9,
/// type, is_critical}`), in readable form.
fn config_condition(config: &Val) -> Option<String> {
    const OPS: [&str; 8] = ["eq", "gt", "gte", "is_in", "lt", "lte", "not_eq", "not_in"];
    let parts: Vec<String> = OPS
        .iter()
        .filter_map(|op| {
            let v = config.get(op).filter(|v| !v.is_null())?;
            Some(format!("{op} {}", fmt_bound(v)))
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn fmt_bound(v: &Val) -> String {
    match v {
        Val::Number(n) => n.as_f64().map(fmt_num).unwrap_or_else(|| n.to_string()),
        Val::Object(o) => {
            let value = o.get("value").and_then(Val::as_f64);
            let rel = o.get("relative").and_then(Val::as_f64).unwrap_or(0.0);
            let abs = o.get("absolute").and_then(Val::as_f64).unwrap_or(0.0);
            match value {
                Some(x) => {
                    let tol = (rel * x.abs()).max(abs);
                    format!("{} ± {}", fmt_num(x), fmt_num(tol))
                }
                None => v.to_string(),
            }
        }
        Val::Array(a) => {
            let items: Vec<String> = a
                .iter()
                .map(|x| plain(x).unwrap_or_else(|| x.to_string()))
                .collect();
            format!("[{}]", items.join(", "))
        }
        other => plain(other).unwrap_or_else(|| other.to_string()),
    }
}

fn column_of_config(config: &Val) -> Option<String> {
    match config.get("column_name").or_else(|| config.get("column"))? {
        Val::String(s) => Some(s.to_string()),
        Val::Object(o) => str_of(o.get("name")),
        _ => None,
    }
}

fn test_outcome(config: Option<&Val>, result: &Val) -> TestOutcome {
    let config = config.map(effective_test_config);
    let name = str_of(result.get("name")).unwrap_or_else(|| "(unnamed test)".into());
    let description = str_of(result.get("description")).unwrap_or_default();
    let raw_status = str_of(result.get("status"));
    let status = raw_status
        .as_deref()
        .and_then(TestStatus::parse)
        .unwrap_or(TestStatus::Error);
    let test_type = config
        .and_then(type_of)
        .or_else(|| result.get("parameters").and_then(type_of))
        .unwrap_or("Test")
        .to_string();
    let identity = match config.and_then(|c| metric_key(c, ParamsFor::Identity)) {
        Some(k) => k,
        None => format!("{test_type}[{name}]"),
    };
    let params = result.get("parameters");
    let column = config
        .and_then(column_of_config)
        .or_else(|| params.and_then(|p| str_of(p.get("column_name"))));
    let value = params.and_then(|p| f64_of(p.get("value")).or_else(|| f64_of(p.get("score"))));
    let condition = params
        .and_then(|p| {
            p.get("condition")
                .and_then(fmt_condition)
                .or_else(|| f64_of(p.get("threshold")).map(|t| format!("threshold {}", fmt_num(t))))
        })
        // A test that raised (ERROR) is stored without parameters: its
        // condition is still in the suite's configuration of the test.
        .or_else(|| config.and_then(config_condition));
    // A by-class test names its class (label) in its parameters and config.
    let label = params
        .and_then(|p| p.get("label"))
        .filter(|l| !l.is_null())
        .or_else(|| config.and_then(|c| c.get("label")).filter(|l| !l.is_null()))
        .and_then(plain);
    let condition = match (condition, label) {
        (Some(c), Some(l)) => Some(format!("{c} for label {l}")),
        (None, Some(l)) => Some(format!("label {l}")),
        (c, None) => c,
    };
    let description = match (
        &raw_status,
        TestStatus::parse(raw_status.as_deref().unwrap_or("")),
    ) {
        (Some(s), None) => format!("{description} (unknown status {s:?})"),
        (None, _) => format!("{description} (no status in file)"),
        _ => description,
    };
    TestOutcome {
        spec: TestSpec {
            identity: intern(&identity),
            test_type: intern(&test_type),
            name: intern(&name),
            column: column.as_deref().map(intern),
        }
        .shared(),
        description: intern(&description),
        status,
        value,
        condition: condition.as_deref().map(intern),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_suite_key_keeps_its_last_value() {
        // python3: json.loads('{"tests": [1], "metrics": [], "tests": [2, 3]}')["tests"] == [2, 3]
        let s: RawSuite = serde_json::from_str(r#"{"tests": [1], "metrics": [], "tests": [2, 3]}"#)
            .expect("a repeated key is no error");
        let tests: Vec<Option<u64>> = s.tests.iter().map(|p| p.0.as_u64()).collect();
        assert_eq!(tests, [Some(2), Some(3)]);
        assert!(s.metrics.is_empty());
    }
}
