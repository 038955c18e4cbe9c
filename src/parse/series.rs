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
//!   plainly (`column_name=age`, `drift_share=0.5`, `quantile=0.75`,
//!   `categories=[true]`), with the braces left out when none remain. Every
//!   parameter that can tell two series apart stays: booleans
//!   (`no_feedback_users=true`) and lists (`values=[a,b]`; a list longer than
//!   [`LIST_INLINE`] characters prints as its length and a digest,
//!   `columns=[30 items #1a2b3c4d]`) count. Left out are only what cannot
//!   change a value: `type`, `options`, every key ending in `tests` (v2 test
//!   lists), nulls (unset), lists holding nothing but nulls and empty strings
//!   (NaN and Infinity read as null: Evidently's default `missing_values`),
//!   the rendering switches of [`RENDER_SWITCHES`] when boolean,
//!   `classification_name`/`regression_name` when `default`, and the
//!   `threshold` of v2 `ValueDrift` (it decides drift, not the score). A
//!   legacy `ColumnName` object counts as its `name`; other nested objects are
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

use super::keys::Series;
use super::pruned::{Obj, Val};

/// Short type name: what follows the last `:`, else the last `.`.
pub(crate) fn short_type(t: &str) -> &str {
    // Type names are short: a loop over the bytes, not a call to memrchr.
    let b = t.as_bytes();
    let after = |c: u8| b.iter().rposition(|&x| x == c).map(|i| i + 1);
    match after(b':').or_else(|| after(b'.')) {
        // Both are ASCII: `i + 1` is a character boundary.
        Some(i) => t.get(i..).unwrap_or(t),
        None => t,
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
            Val::Null => {}
            Val::Bool(_) if is_render_switch(k) => {}
            Val::Array(items) => {
                if let Some(text) = list_text(items) {
                    out.push((name, text));
                }
            }
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

/// Boolean parameters that never change what is measured: the switches of
/// plots and tables in Evidently's metrics, and a test's `is_critical`
/// (FAIL or WARNING, the same test either way); keys and test identities
/// leave them out.
pub const RENDER_SWITCHES: [&str; 10] = [
    "is_critical",
    "conf_matrix",
    "pr_curve",
    "pr_table",
    "roc_curve",
    "error_distr",
    "error_normality",
    "error_plot",
    "perc_error_plot",
    "feature_importance",
];

/// Whether a boolean parameter of this name is a rendering switch.
pub fn is_render_switch(name: &str) -> bool {
    let last = name.rsplit('.').next().unwrap_or(name);
    RENDER_SWITCHES.contains(&last)
}

/// Longest list text printed in full inside a key.
pub const LIST_INLINE: usize = 40;

/// A list parameter as keys print it: `[a,b,c]` (items plainly, `null` for
/// null), or `[N items #xxxxxxxx]` (FNV-1a of the full text) when longer than
/// [`LIST_INLINE`]. `None` when no item holds a value (only nulls and empty
/// strings): such a list is left out like a null.
pub(crate) fn list_text(items: &[Val]) -> Option<String> {
    let parts: Vec<String> = items
        .iter()
        .map(|i| match i {
            Val::Null => "null".to_string(),
            Val::Array(a) => list_text(a).unwrap_or_else(|| "[]".into()),
            Val::Object(o) => {
                let mut inner = Vec::new();
                collect_params("", o, &mut inner);
                inner.sort();
                let body: Vec<String> = inner.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!("{{{}}}", body.join(","))
            }
            scalar => plain(scalar).unwrap_or_default(),
        })
        .collect();
    let holds_value = items.iter().any(|i| match i {
        Val::Null => false,
        Val::String(s) => !s.is_empty(),
        _ => true,
    });
    if !holds_value {
        return None;
    }
    let full = format!("[{}]", parts.join(","));
    if full.chars().count() <= LIST_INLINE {
        return Some(full);
    }
    let mut h: u32 = 0x811c_9dc5;
    for b in full.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    Some(format!("[{} items #{h:08x}]", items.len()))
}

/// A configured value (from a dashboard selector, say) as a key prints it:
/// scalars plainly, lists as [`list_text`]. `None` for what keys leave out.
pub fn value_text(v: &Value) -> Option<String> {
    match Val::from_value(v) {
        Val::Null => None,
        Val::Array(items) => list_text(&items),
        Val::Object(_) => None,
        scalar => plain(&scalar),
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
    let mut out = Vec::new();
    collect_params("", obj, &mut out);
    out.sort();
    canonical_of(&out, metric_type_of(obj), purpose)
}

fn metric_type_of<'v>(obj: &'v Obj) -> Option<&'v str> {
    obj.get("type").and_then(Val::as_str).map(short_type)
}

/// `{k=v,...}` of sorted parameters, without what `purpose` leaves out.
fn canonical_of(
    params: &[(String, String)],
    metric_type: Option<&str>,
    purpose: ParamsFor,
) -> String {
    let kept = |(k, v): &&(String, String)| {
        let default_name = (k == "classification_name" || k == "regression_name") && v == "default";
        let drift_threshold =
            purpose == ParamsFor::Series && metric_type == Some("ValueDrift") && k == "threshold";
        !default_name && !drift_threshold
    };
    let mut body = String::new();
    for (k, v) in params.iter().filter(kept) {
        body.push(if body.is_empty() { '{' } else { ',' });
        body.push_str(k);
        body.push('=');
        body.push_str(v);
    }
    if !body.is_empty() {
        body.push('}');
    }
    body
}

/// `MetricType{params}` for a configuration object with a `type`.
pub(crate) fn metric_key(config: &Val, purpose: ParamsFor) -> Option<String> {
    let t = config.get("type")?.as_str()?;
    Some(format!("{}{}", short_type(t), canonical(config, purpose)))
}

/// [`metric_key`] for both purposes at once: (series key, identity), the
/// parameters collected and sorted once.
pub(crate) fn metric_keys(config: &Val) -> Option<(String, String)> {
    let t = short_type(config.get("type")?.as_str()?);
    let Val::Object(obj) = config else {
        return None;
    };
    let mut params = Vec::new();
    collect_params("", obj, &mut params);
    params.sort();
    let metric_type = metric_type_of(obj);
    let key = |purpose| format!("{t}{}", canonical_of(&params, metric_type, purpose));
    Some((key(ParamsFor::Series), key(ParamsFor::Identity)))
}

/// The series value of a legacy result's member when it is a leaf: a
/// number, or a boolean as 0/1 (`None`: not a leaf). The fast path's walk
/// and its reading by shape ask the same.
#[inline]
pub(crate) fn leaf_value(v: &Val) -> Option<Option<f64>> {
    match v {
        Val::Number(n) => Some(n.as_f64()),
        Val::Bool(b) => Some(Some(if *b { 1.0 } else { 0.0 })),
        _ => None,
    }
}

/// Every numeric leaf of a (pruned) legacy result object as a series value
/// keyed `<key>.<dotted path>`. Booleans count as 0/1; arrays are skipped.
pub(crate) fn numeric_leaves(v: &Val, key: &str, out: &mut Series) {
    let mut path = String::with_capacity(key.len() + 64);
    path.push_str(key);
    leaves_under(v, &mut path, out);
}

fn leaves_under(v: &Val, path: &mut String, out: &mut Series) {
    let Val::Object(obj) = v else { return };
    for (k, child) in obj.iter() {
        if k == "type" {
            continue;
        }
        let len = path.len();
        path.push('.');
        path.push_str(k);
        if let Some(value) = leaf_value(child) {
            out.push(path, value);
        } else if let Val::Object(_) = child {
            leaves_under(child, path, out);
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
            "DriftedColumnsCount{columns=[a,b],drift_share=0.5}"
        );
        let acc = json!({"type": "evidently:metric_v2:Accuracy", "classification_name": "default", "conf_matrix": true});
        assert_eq!(key(&acc, ParamsFor::Series).unwrap(), "Accuracy");
    }

    #[test]
    fn params_that_tell_series_apart_stay() {
        // Two CategoryCount metrics on one column differ only in the category.
        let yes = json!({"type": "evidently:metric_v2:CategoryCount", "column": "Denial", "category": true});
        let no = json!({"type": "evidently:metric_v2:CategoryCount", "column": "Denial", "category": false});
        let list = json!({"type": "evidently:metric_v2:CategoryCount", "column": "Denial", "categories": [true]});
        let k = |v: &Value| key(v, ParamsFor::Series).unwrap();
        assert_eq!(k(&yes), "CategoryCount{category=true,column=Denial}");
        assert_eq!(k(&no), "CategoryCount{category=false,column=Denial}");
        assert_eq!(k(&list), "CategoryCount{categories=[true],column=Denial}");
        // Rendering switches, nulls and empty lists still do not count.
        let mae = json!({"type": "evidently:metric_v2:MAE", "error_plot": true, "error_distr": false, "k": null});
        assert_eq!(k(&mae), "MAE");
        let missing = json!({"type": "evidently:metric:DatasetMissingValuesMetric", "missing_values": ["", null, null, null]});
        assert_eq!(k(&missing), "DatasetMissingValuesMetric");
        // A long list prints as its length and a digest, stable and distinct.
        let cols =
            |c: &[&str]| json!({"type": "evidently:metric_v2:DriftedColumnsCount", "columns": c});
        let a = k(&cols(&[
            "feature_001",
            "feature_002",
            "feature_003",
            "feature_004",
        ]));
        let b = k(&cols(&[
            "feature_001",
            "feature_002",
            "feature_003",
            "feature_005",
        ]));
        assert!(
            a.starts_with("DriftedColumnsCount{columns=[4 items #"),
            "{a}"
        );
        assert_ne!(a, b);
        assert_eq!(
            a,
            k(&cols(&[
                "feature_001",
                "feature_002",
                "feature_003",
                "feature_004"
            ]))
        );
        assert_eq!(value_text(&json!(["x", 1])).as_deref(), Some("[x,1]"));
    }

    #[test]
    fn leaves_walk_objects_not_arrays() {
        let v = json!({"type": "x", "a": 1, "b": {"c": 2.5, "d": [1, 2]}, "e": true, "f": null});
        let mut out = Series::begin("leaves_walk_objects_not_arrays");
        numeric_leaves(&Val::from_value(&v), "M", &mut out);
        let got: Vec<(String, Option<f64>)> = out.pairs();
        let want = [("M.a", Some(1.0)), ("M.b.c", Some(2.5)), ("M.e", Some(1.0))];
        assert_eq!(got, want.map(|(k, v)| (k.to_string(), v)));
    }
}
