//! v2 (Evidently 0.7.x) snapshots: `metric_results` keyed by metric
//! fingerprint, values in SingleValue / CountValue / MeanStdValue /
//! ByLabelValue / ByLabelCountValue, tests attached to their metric.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};

use super::infer_drifted;
use super::keys::Series;
use super::legacy::fmt_num;
use super::pruned::{Pruned, Text, Val, NULL};
use super::series::{canonical, metric_keys, plain, short_type, ParamsFor};
use crate::model::intern::intern;
use crate::model::{DriftRow, Snapshot, TestOutcome, TestSpec, TestStatus};

/// `metric_results` in file order: (metric id, pruned result).
pub(crate) struct RawResults<'a>(Vec<(Cow<'a, str>, Val<'a>)>);

impl<'de: 'a, 'a> Deserialize<'de> for RawResults<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawResults<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of metric results")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawResults<'de>, A::Error> {
                let mut v = Vec::new();
                while let Some((Text(k), r)) = map.next_entry::<Text<'de>, Pruned<'de>>()? {
                    v.push((k, r.0));
                }
                Ok(RawResults(last_value_wins(v)))
            }
        }
        d.deserialize_map(V)
    }
}

impl<'a> RawResults<'a> {
    /// From (metric id, result) pairs in file order.
    pub(crate) fn from_entries(entries: Vec<(Cow<'a, str>, Val<'a>)>) -> RawResults<'a> {
        RawResults(last_value_wins(entries))
    }
}

/// A metric id written twice keeps its first place and its last value, as
/// a Python dict read by `json` does. One hash per metric; rebuilt only
/// when there is a repeat.
fn last_value_wins<'a>(v: Vec<(Cow<'a, str>, Val<'a>)>) -> Vec<(Cow<'a, str>, Val<'a>)> {
    let mut seen: HashSet<&str> = HashSet::with_capacity(v.len());
    if v.iter().all(|(k, _)| seen.insert(k.as_ref())) {
        return v;
    }
    let mut place: HashMap<Cow<'a, str>, usize> = HashMap::with_capacity(v.len());
    let mut out: Vec<(Cow<'a, str>, Val<'a>)> = Vec::with_capacity(v.len());
    for (k, val) in v {
        match place.get(&k) {
            Some(&i) => out[i].1 = val,
            None => {
                place.insert(k.clone(), out.len());
                out.push((k, val));
            }
        }
    }
    out
}

fn single(v: Option<&Val>) -> Option<Option<f64>> {
    match v? {
        Val::Number(n) => Some(n.as_f64()),
        Val::Null => Some(None),
        Val::Object(o) => match o.get("value") {
            Some(Val::Number(n)) => Some(n.as_f64()),
            Some(Val::Null) | None => Some(None),
            Some(_) => None,
        },
        _ => None,
    }
}

/// The numbers of one result, as (field path, value).
fn result_values(result: &Val) -> Vec<(String, Option<f64>)> {
    let mut out = Vec::new();
    let variant = result.get("type").and_then(Val::as_str).map(short_type);
    match variant {
        Some("SingleValue") => {
            if let Some(v) = single(result.get("value")) {
                out.push(("value".to_string(), v));
            }
        }
        Some("CountValue") | Some("MeanStdValue") => {
            for field in ["count", "share", "mean", "std"] {
                if let Some(v) = single(result.get(field)) {
                    out.push((field.to_string(), v));
                }
            }
        }
        Some("ByLabelValue") | Some("ByLabelCountValue") => {
            for field in ["values", "counts", "shares"] {
                if let Some(Val::Object(labels)) = result.get(field) {
                    for (label, sv) in labels {
                        if let Some(v) = single(Some(sv)) {
                            out.push((format!("{field}.{label}"), v));
                        }
                    }
                }
            }
        }
        _ => {
            if let Some(v) = single(result.get("value")) {
                out.push(("value".to_string(), v));
            }
        }
    }
    out
}

/// The tests on a result and on its nested values.
fn tests_of<'v, 'a>(result: &'v Val<'a>) -> Vec<&'v Val<'a>> {
    fn collect<'v, 'a>(v: &'v Val<'a>, out: &mut Vec<&'v Val<'a>>) {
        if let Some(Val::Array(ts)) = v.get("tests") {
            out.extend(ts.iter());
        }
    }
    let mut out: Vec<&Val> = Vec::new();
    collect(result, &mut out);
    for field in ["count", "share", "mean", "std"] {
        if let Some(v) = result.get(field) {
            collect(v, &mut out);
        }
    }
    for field in ["values", "counts", "shares"] {
        if let Some(Val::Object(labels)) = result.get(field) {
            for v in labels.values() {
                collect(v, &mut out);
            }
        }
    }
    out
}

fn op_of(test_type: &str) -> &'static str {
    match test_type {
        "LessThanMetricTest" => "lt",
        "LessOrEqualMetricTest" => "lte",
        "GreaterThanMetricTest" => "gt",
        "GreaterOrEqualMetricTest" => "gte",
        "EqualMetricTest" => "eq",
        "NotEqualMetricTest" => "not_eq",
        "IsInMetricTest" => "in",
        "NotInMetricTest" => "not_in",
        _ => "",
    }
}

fn fmt_expected(v: &Val) -> String {
    match v {
        Val::Number(n) => n.as_f64().map(fmt_num).unwrap_or_else(|| n.to_string()),
        Val::Object(o) => {
            let value = o.get("value").and_then(Val::as_f64);
            let rel = o.get("relative").and_then(Val::as_f64);
            let abs = o.get("absolute").and_then(Val::as_f64);
            match (value, rel, abs) {
                (Some(x), r, a) => {
                    let tol = (r.unwrap_or(0.0) * x.abs()).max(a.unwrap_or(0.0));
                    format!("{} ± {}", fmt_num(x), fmt_num(tol))
                }
                (None, Some(r), _) => format!("reference ± {}%", fmt_num(r * 100.0)),
                (None, None, Some(a)) => format!("reference ± {}", fmt_num(a)),
                _ => v.to_string(),
            }
        }
        other => plain(other).unwrap_or_else(|| other.to_string()),
    }
}

fn condition_of(test_type: &str, config: &Val, metric_params: &Val) -> Option<String> {
    if test_type == "ValueDriftTest" {
        return metric_params
            .get("threshold")
            .and_then(Val::as_f64)
            .map(|t| format!("drift threshold {}", fmt_num(t)));
    }
    let bound = config.get("threshold").or_else(|| config.get("expected"))?;
    if bound.is_null() {
        return None;
    }
    let op = op_of(test_type);
    let op = if op.is_empty() { test_type } else { op };
    Some(format!("{op} {}", fmt_expected(bound)))
}

fn test_outcome(
    test: &Val,
    metric_identity: &str,
    metric_params: &Val,
    values: &[(String, Option<f64>)],
) -> TestOutcome {
    let str_field = |k: &str| test.get(k).and_then(Val::as_str).map(str::to_string);
    let id = str_field("id").unwrap_or_default();
    let name = str_field("name").unwrap_or_else(|| "(unnamed test)".into());
    let raw_status = str_field("status");
    let status = raw_status
        .as_deref()
        .and_then(TestStatus::parse)
        .unwrap_or(TestStatus::Error);
    // A test that could not run (Evidently's "Missing label": the metric has
    // no value for the label it asks) stores its bound test as `test_config`.
    let stored = test.get("test_config").filter(|c| c.is_object());
    let bound = test
        .get("bound_test")
        .or_else(|| stored.filter(|c| c.get("test").is_some_and(Val::is_object)));
    let config = match stored {
        Some(c) if c.get("test").is_none() => c,
        _ => bound.and_then(|b| b.get("test")).unwrap_or(&NULL),
    };
    let test_type = config
        .get("type")
        .and_then(Val::as_str)
        .map(short_type)
        .unwrap_or("Test")
        .to_string();
    let slot_count = bound.and_then(|b| b.get("is_count")).and_then(Val::as_bool);
    let slot_mean = bound.and_then(|b| b.get("is_mean")).and_then(Val::as_bool);
    let slot = match (slot_count, slot_mean) {
        (Some(true), _) => "count",
        (Some(false), _) => "share",
        (_, Some(true)) => "mean",
        (_, Some(false)) => "std",
        _ => "value",
    };
    // By-label tests: the label, and the slot of a count-by-label one.
    let label = bound.and_then(|b| b.get("label")).and_then(plain);
    let label_slot = bound.and_then(|b| b.get("slot")).and_then(Val::as_str);
    let identity = format!(
        "{metric_identity}/{id}/{test_type}{}{}{}",
        canonical(config, ParamsFor::Identity),
        if slot == "value" {
            String::new()
        } else {
            format!("/{slot}")
        },
        match (&label, label_slot) {
            (Some(l), Some(ls)) => format!("/label={l}/{ls}"),
            (Some(l), None) => format!("/label={l}"),
            _ => String::new(),
        }
    );
    let value = match &label {
        // The label's own value; none when the metric lacks the label.
        Some(l) => {
            let fields: &[&str] = match label_slot {
                Some("share") => &["shares"],
                Some(_) => &["counts"],
                None => &["values", "counts"],
            };
            fields.iter().find_map(|f| {
                let key = format!("{f}.{l}");
                values.iter().find(|(k, _)| *k == key).and_then(|(_, v)| *v)
            })
        }
        None => values
            .iter()
            .find(|(k, _)| k == slot)
            .or_else(|| values.first())
            .and_then(|(_, v)| *v),
    };
    let description = match (
        &raw_status,
        TestStatus::parse(raw_status.as_deref().unwrap_or("")),
    ) {
        (Some(s), None) => format!(
            "{} (unknown status {s:?})",
            str_field("description").unwrap_or_default()
        ),
        (None, _) => format!(
            "{} (no status in file)",
            str_field("description").unwrap_or_default()
        ),
        _ => str_field("description").unwrap_or_default(),
    };
    // Relative conditions ("reference ± 20%") are resolved only in the
    // name Evidently wrote: "<metric>: Equal 0.094 ± 0.019".
    let condition = condition_of(&test_type, config, metric_params).map(|c| {
        match (c.contains("reference"), name.rsplit_once(": ")) {
            (true, Some((_, resolved))) => resolved.to_string(),
            _ => c,
        }
    });
    let condition = match (condition, &label) {
        (Some(c), Some(l)) => Some(format!("{c} for label {l}")),
        (None, Some(l)) => Some(format!("label {l}")),
        (c, None) => c,
    };
    TestOutcome {
        spec: TestSpec {
            identity: intern(&identity),
            test_type: intern(&test_type),
            name: intern(&name),
            column: metric_params
                .get("column")
                .and_then(plain)
                .as_deref()
                .map(intern),
        }
        .shared(),
        condition: condition.as_deref().map(intern),
        description: intern(&description),
        status,
        value,
    }
}

pub(crate) fn fill(
    s: &mut Snapshot,
    series: &mut Series,
    results: RawResults,
    top_level: &[String],
) {
    let mut results = results.0;
    // Report order first (top_level_metrics), then anything else in file order.
    results.sort_by_key(|(id, _)| top_level.iter().position(|t| t == id).unwrap_or(usize::MAX));
    for (metric_id, result) in &results {
        let params = result
            .get("metric_value_location")
            .and_then(|l| l.get("metric"))
            .and_then(|m| m.get("params"))
            .unwrap_or(&NULL);
        let (series_key, identity) = metric_keys(params).unwrap_or_else(|| {
            let unnamed = format!("Metric[{metric_id}]");
            (unnamed.clone(), unnamed)
        });
        let values = result_values(result);
        let keyed = values.iter().map(|(path, value)| (path.as_str(), *value));
        series.push_joined(&series_key, '.', keyed);
        let tests = tests_of(result);
        let outcomes: Vec<TestOutcome> = tests
            .iter()
            .map(|t| test_outcome(t, &identity, params, &values))
            .collect();
        let metric_type = params.get("type").and_then(Val::as_str).map(short_type);
        if metric_type == Some("ValueDrift") {
            let column = intern(&params.get("column").and_then(plain).unwrap_or_default());
            if !s.drift.iter().any(|d| d.column == column) {
                let method = params.get("method").and_then(Val::as_str).map(intern);
                let threshold = params.get("threshold").and_then(Val::as_f64);
                let score = values
                    .first()
                    .and_then(|(_, v)| *v)
                    .filter(|x| x.is_finite());
                let drift_test = tests
                    .iter()
                    .zip(&outcomes)
                    .find(|(t, _)| t.get("id").and_then(Val::as_str) == Some("drift"));
                let (drifted, inferred) = match drift_test {
                    Some((_, o)) => match o.status {
                        TestStatus::Fail | TestStatus::Warning => (Some(true), false),
                        TestStatus::Success => (Some(false), false),
                        _ => (None, false),
                    },
                    None => match (&method, score, threshold) {
                        (Some(m), Some(sc), Some(th)) => (infer_drifted(m, sc, th), true),
                        _ => (None, false),
                    },
                };
                s.drift.push(DriftRow {
                    column,
                    column_type: None,
                    method,
                    score,
                    threshold,
                    drifted,
                    inferred: inferred && drifted.is_some(),
                });
            }
        }
        s.tests.extend(outcomes);
    }
}

/// Complete the drift rows with the DataDriftPreset table widget: the column
/// type (v2 results do not carry it), and the verdict where no drift test
/// gave one (replacing an inference). Columns only in the table are added.
pub(crate) fn merge_drift_table(s: &mut Snapshot, table: Vec<super::widgets::DriftWidgetRow>) {
    for w in table {
        match s.drift.iter_mut().find(|d| *d.column == *w.column) {
            Some(d) => {
                if d.column_type.is_none() {
                    d.column_type = w.column_type.as_deref().map(intern);
                }
                if (d.drifted.is_none() || d.inferred) && w.drifted.is_some() {
                    d.drifted = w.drifted;
                    d.inferred = false;
                }
            }
            None => s.drift.push(DriftRow {
                column: intern(&w.column),
                column_type: w.column_type.as_deref().map(intern),
                method: w.method.as_deref().map(intern),
                score: w.score.filter(|x| x.is_finite()),
                threshold: None,
                drifted: w.drifted,
                inferred: false,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_metric_id_keeps_its_first_place_and_last_value() {
        // python3: list(json.loads('{"a": 1, "b": 2, "a": 3}').items()) == [('a', 3), ('b', 2)]
        let r: RawResults = serde_json::from_str(r#"{"a": 1, "b": 2, "a": 3}"#).unwrap();
        let got: Vec<(&str, Option<u64>)> =
            r.0.iter().map(|(k, v)| (k.as_ref(), v.as_u64())).collect();
        assert_eq!(got, [("a", Some(3)), ("b", Some(2))]);
    }
}
