//! Series keys, one scheme for both generations:
//!
//! ```text
//! MetricType{param=value,...}.field.path
//! ```
//!
//! * `MetricType` is the short type name of the metric's configuration
//!   (`evidently:metric:ColumnDriftMetric` and
//!   `evidently.metrics.data_drift.column_drift_metric.ColumnDriftMetric` are
//!   both `ColumnDriftMetric`; v2 `evidently:metric_v2:Accuracy` is `Accuracy`).
//! * The parameters are the metric configuration's, sorted by name, printed
//!   plainly (`column_name=age`, `drift_share=0.5`, `quantile=0.75`), with the
//!   braces left out when none remain. Left out are: `type`, `options`, every
//!   key ending in `tests` (v2 test lists), nulls, booleans (rendering
//!   switches such as `conf_matrix`), lists (column lists filled in by
//!   presets), `classification_name`/`regression_name` when `default`, and the
//!   `threshold` of v2 `ValueDrift` (it decides drift, not the score). A legacy
//!   `ColumnName` object counts as its `name`; other nested objects are
//!   flattened with dots (`a.b=1`).
//! * The field path is the dotted path of the number inside the result:
//!   legacy `share_of_drifted_columns`, `current.accuracy`,
//!   `drift_by_columns.age.drift_score`; v2 `value` (SingleValue), `count` /
//!   `share` (CountValue), `mean` / `std` (MeanStdValue), `values.<label>`
//!   (ByLabelValue), `counts.<label>` / `shares.<label>` (ByLabelCountValue).
//!   Legacy booleans count as 0/1; arrays and plot data are not series.
//!
//! Examples: `DatasetDriftMetric.share_of_drifted_columns`,
//! `ColumnDriftMetric{column_name=age}.drift_score`,
//! `DriftedColumnsCount{drift_share=0.5}.share`,
//! `ValueDrift{column=age,method=K-S p_value}.value`, `Accuracy.value`.

use serde_json::Value;

use super::pruned::{Obj, Val};
use crate::model::SeriesValue;

/// Short type name: what follows the last `:`, else the last `.`.
pub(crate) fn short_type(t: &str) -> &str {
    if let Some(i) = t.rfind(':') {
        &t[i + 1..]
    } else if let Some(i) = t.rfind('.') {
        &t[i + 1..]
    } else {
        t
    }
}

/// Print a scalar plainly: strings unquoted, numbers as written.
pub(crate) fn plain(v: &Val) -> Option<String> {
    match v {
        Val::String(s) => Some(s.to_string()),
        Val::Number(n) => Some(n.to_string()),
        Val::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Which parameters count for identity.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParamsFor {
    /// Series keys: also leave out what does not change the value.
    Series,
    /// Test identity: every configured parameter counts.
    Identity,
}

fn collect_params(prefix: &str, obj: &Obj, out: &mut Vec<(String, String)>) {
    for (k, v) in obj.iter() {
        if k == "type" || k == "options" || k.ends_with("tests") {
            continue;
        }
        let name = if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            Val::Null | Val::Bool(_) | Val::Array(_) => {}
            Val::Object(o) => {
                let is_column_name = o
                    .get("type")
                    .and_then(Val::as_str)
                    .is_some_and(|t| short_type(t) == "ColumnName");
                match (is_column_name, o.get("name").and_then(plain)) {
                    (true, Some(n)) => out.push((name, n)),
                    _ => collect_params(&name, o, out),
                }
            }
            scalar => {
                if let Some(s) = plain(scalar) {
                    out.push((name, s));
                }
            }
        }
    }
}

/// Canonical `{k=v,...}` form of a configuration object (empty string when
/// nothing remains). See the module doc for what is left out.
pub fn canonical_params(params: &Value) -> String {
    canonical(&Val::from_value(params), ParamsFor::Identity)
}

pub(crate) fn canonical(params: &Val, purpose: ParamsFor) -> String {
    let Val::Object(obj) = params else {
        return String::new();
    };
    let metric_type = obj.get("type").and_then(Val::as_str).map(short_type);
    let mut out = Vec::new();
    collect_params("", obj, &mut out);
    out.retain(|(k, v)| {
        let default_name = (k == "classification_name" || k == "regression_name") && v == "default";
        let drift_threshold =
            purpose == ParamsFor::Series && metric_type == Some("ValueDrift") && k == "threshold";
        !default_name && !drift_threshold
    });
    if out.is_empty() {
        return String::new();
    }
    out.sort();
    let body: Vec<String> = out.into_iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{{{}}}", body.join(","))
}

/// `MetricType{params}` for a configuration object with a `type`.
pub(crate) fn metric_key(config: &Val, purpose: ParamsFor) -> Option<String> {
    let t = config.get("type")?.as_str()?;
    Some(format!("{}{}", short_type(t), canonical(config, purpose)))
}

/// Every numeric leaf of a (pruned) legacy result object as a series value
/// keyed `<key>.<dotted path>`. Booleans count as 0/1; arrays are skipped.
pub(crate) fn numeric_leaves(v: &Val, key: &str, out: &mut Vec<SeriesValue>) {
    let mut path = String::with_capacity(key.len() + 64);
    path.push_str(key);
    leaves_under(v, &mut path, out);
}

fn leaves_under(v: &Val, path: &mut String, out: &mut Vec<SeriesValue>) {
    let Val::Object(obj) = v else { return };
    for (k, child) in obj.iter() {
        if k == "type" {
            continue;
        }
        let len = path.len();
        path.push('.');
        path.push_str(k);
        match child {
            Val::Number(n) => out.push(SeriesValue {
                key: crate::model::intern::intern(path),
                value: n.as_f64(),
            }),
            Val::Bool(b) => out.push(SeriesValue {
                key: crate::model::intern::intern(path),
                value: Some(if *b { 1.0 } else { 0.0 }),
            }),
            Val::Object(_) => leaves_under(child, path, out),
            _ => {}
        }
        path.truncate(len);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn short_types() {
        assert_eq!(
            short_type("evidently:metric:DataDriftTable"),
            "DataDriftTable"
        );
        assert_eq!(
            short_type("evidently.metrics.data_drift.data_drift_table.DataDriftTable"),
            "DataDriftTable"
        );
        assert_eq!(short_type("Plain"), "Plain");
    }

    fn key(v: &Value, purpose: ParamsFor) -> Option<String> {
        metric_key(&Val::from_value(v), purpose)
    }

    #[test]
    fn keys_match_the_documented_examples() {
        let legacy = json!({"type": "evidently:metric:ColumnDriftMetric", "options": {"color": null},
            "column_name": {"type": "evidently:base:ColumnName", "name": "age", "display_name": "age", "dataset": "main"},
            "stattest": null, "stattest_threshold": null});
        assert_eq!(
            key(&legacy, ParamsFor::Series).unwrap(),
            "ColumnDriftMetric{column_name=age}"
        );
        let drift = json!({"type": "evidently:metric_v2:ValueDrift", "column": "age", "method": "K-S p_value", "threshold": 0.05});
        assert_eq!(
            key(&drift, ParamsFor::Series).unwrap(),
            "ValueDrift{column=age,method=K-S p_value}"
        );
        assert_eq!(
            key(&drift, ParamsFor::Identity).unwrap(),
            "ValueDrift{column=age,method=K-S p_value,threshold=0.05}"
        );
        let count = json!({"type": "evidently:metric_v2:DriftedColumnsCount", "columns": ["a", "b"], "drift_share": 0.5,
            "share_tests": [{"type": "x"}]});
        assert_eq!(
            key(&count, ParamsFor::Series).unwrap(),
            "DriftedColumnsCount{drift_share=0.5}"
        );
        let acc = json!({"type": "evidently:metric_v2:Accuracy", "classification_name": "default", "conf_matrix": true});
        assert_eq!(key(&acc, ParamsFor::Series).unwrap(), "Accuracy");
    }

    #[test]
    fn leaves_walk_objects_not_arrays() {
        let v = json!({"type": "x", "a": 1, "b": {"c": 2.5, "d": [1, 2]}, "e": true, "f": null});
        let mut out = Vec::new();
        numeric_leaves(&Val::from_value(&v), "M", &mut out);
        let got: Vec<(&str, Option<f64>)> = out.iter().map(|s| (&*s.key, s.value)).collect();
        assert_eq!(
            got,
            vec![("M.a", Some(1.0)), ("M.b.c", Some(2.5)), ("M.e", Some(1.0))]
        );
    }
}
