//! Series keys taken apart, and the rules that match dashboard selectors
//! (legacy `PanelValue` / `TestFilter`, v2 `PanelMetric`) and filters to them.
//!
//! Keys follow the scheme of `parse/series.rs`:
//! `MetricType{param=value,...}.field.path`, params sorted, with nulls,
//! empty lists, boolean rendering switches, default names and the v2
//! `ValueDrift` threshold left out. A selector that names a left-out
//! parameter with a value of a left-out form therefore matches when the
//! parameter is absent; a list matches the key's printed list.

use serde_json::Value;

use super::{SnapshotFilter, TestFilter};
use crate::model::{Snapshot, TestOutcome};
use crate::parse::dashboard::py_str;

/// A series key (or legacy test identity) taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesKey<'a> {
    /// Short metric (or test) type: `ColumnDriftMetric`.
    pub metric_type: &'a str,
    /// Parameters in key order: `[("column_name", "age")]`.
    pub params: Vec<(&'a str, String)>,
    /// Dotted field path (`drift_score`, `values.a`); empty for identities.
    pub field: &'a str,
}

impl<'a> SeriesKey<'a> {
    /// Split `Type{k=v,...}.field.path` (or `Type.field.path`, or `Type{...}`).
    /// Parameters split on `,` and on their first `=`; a piece without `=`
    /// belongs to the previous value (a value containing a comma). The field
    /// path starts after the first `}.`. `None` for an empty type or an
    /// unclosed brace.
    pub fn parse(key: &'a str) -> Option<SeriesKey<'a>> {
        let brace = key.find('{');
        let dot = key.find('.');
        let (metric_type, params_str, field) = match brace {
            Some(b) if dot.is_none_or(|d| b < d) => {
                let rest = &key[b + 1..];
                if let Some(end) = rest.find("}.") {
                    (&key[..b], &rest[..end], &rest[end + 2..])
                } else if let Some(body) = rest.strip_suffix('}') {
                    (&key[..b], body, "")
                } else {
                    return None;
                }
            }
            _ => match dot {
                Some(d) => (&key[..d], "", &key[d + 1..]),
                None => (key, "", ""),
            },
        };
        if metric_type.is_empty() {
            return None;
        }
        let mut params: Vec<(&str, String)> = Vec::new();
        if !params_str.is_empty() {
            for piece in params_str.split(',') {
                match piece.split_once('=') {
                    Some((k, v)) => params.push((k, v.to_string())),
                    None => match params.last_mut() {
                        Some((_, v)) => {
                            v.push(',');
                            v.push_str(piece);
                        }
                        None => params.push((piece, String::new())),
                    },
                }
            }
        }
        Some(SeriesKey {
            metric_type,
            params,
            field,
        })
    }

    /// The value of a parameter, if the key has it.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn canonical_word(s: &str) -> &str {
    match s {
        "true" | "True" => "True",
        "false" | "False" => "False",
        "null" | "None" => "None",
        other => other,
    }
}

/// Equal in plain string form: same text, same number (`0.5` == `0.50`,
/// `1e-5` == `1e-05`), or the same boolean / null word (`true` == `True`).
pub(crate) fn same_plain(a: &str, b: &str) -> bool {
    if a == b || canonical_word(a) == canonical_word(b) {
        return true;
    }
    match (a.trim().parse::<f64>(), b.trim().parse::<f64>()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Whether a configured value is of a form the key scheme leaves out, so
/// that an absent parameter can still be that value.
fn left_out_form(name: &str, value: &str) -> bool {
    let last = name.rsplit('.').next().unwrap_or(name);
    let word = canonical_word(value);
    word == "None"
        || (matches!(word, "True" | "False") && crate::parse::is_render_switch(last))
        || value == "[]"
        || ((last == "classification_name" || last == "regression_name") && value == "default")
}

fn is_column_name(o: &serde_json::Map<String, Value>) -> bool {
    o.get("type")
        .and_then(Value::as_str)
        .is_some_and(|t| t.ends_with("ColumnName"))
}

/// Whether one legacy `metric_args` / `test_args` entry holds for a key's
/// parameters. `column_name.name` also finds `column_name` (a `ColumnName`
/// collapses to its name); object values are compared field by field.
pub(crate) fn arg_matches(key: &SeriesKey<'_>, path: &str, value: &Value) -> bool {
    if let Value::Object(o) = value {
        if is_column_name(o) {
            if let Some(name) = o.get("name") {
                return arg_matches(key, path, name);
            }
        }
        return o
            .iter()
            .filter(|(k, _)| k.as_str() != "type")
            .all(|(k, v)| arg_matches(key, &format!("{path}.{k}"), v));
    }
    let found = key
        .param(path)
        .or_else(|| path.strip_suffix(".name").and_then(|p| key.param(p)));
    match found {
        Some(actual) => {
            if matches!(value, Value::Array(_)) {
                // Lists print as keys print them.
                return crate::parse::value_text(value).is_some_and(|t| t == actual);
            }
            same_plain(actual, &py_str(value))
        }
        None => match value {
            Value::Array(_) => crate::parse::value_text(value).is_none(),
            _ => left_out_form(path, &py_str(value)),
        },
    }
}

/// Whether a legacy `PanelValue` selects this series key.
pub(crate) fn legacy_value_matches(
    key: &SeriesKey<'_>,
    metric_id: Option<&str>,
    field_path: &str,
    args: &[(String, Value)],
) -> bool {
    metric_id.is_none_or(|m| m == key.metric_type)
        && key.field == field_path
        && args.iter().all(|(p, v)| arg_matches(key, p, v))
}

/// Whether a v2 `PanelMetric` (short `metric` or `*`, `metric_labels` in
/// plain form) selects this series key. `value_type` picks the field
/// (`count`/`share`/`mean`/`std`), `label` picks `values.<label>` /
/// `counts.<label>` / `shares.<label>`, every other label must equal the
/// parameter. With neither, the field is the main one (`value`, `count` or
/// `mean`) or any per-label value.
pub(crate) fn v2_value_matches(
    key: &SeriesKey<'_>,
    metric: &str,
    labels: &[(String, String)],
) -> bool {
    if metric != "*" && metric != key.metric_type {
        return false;
    }
    let mut value_type = None;
    let mut label = None;
    for (k, v) in labels {
        match k.as_str() {
            "value_type" => value_type = Some(v.as_str()),
            "label" => label = Some(v.as_str()),
            name => {
                let ok = match key.param(name) {
                    Some(actual) => same_plain(actual, v),
                    None => {
                        left_out_form(name, v)
                            || (key.metric_type == "ValueDrift" && name == "threshold")
                    }
                };
                if !ok {
                    return false;
                }
            }
        }
    }
    let f = key.field;
    let labelled = |prefixes: &[&str], l: &str| {
        prefixes.iter().any(|p| {
            f.strip_prefix(p)
                .and_then(|r| r.strip_prefix('.'))
                .is_some_and(|r| same_plain(r, l))
        })
    };
    match (value_type, label) {
        (None, None) => {
            matches!(f, "value" | "count" | "mean")
                || f.starts_with("values.")
                || f.starts_with("counts.")
        }
        (Some(vt), None) => f == vt,
        (None, Some(l)) => labelled(&["values", "counts"], l),
        (Some(vt), Some(l)) => match vt {
            "count" => labelled(&["counts"], l),
            "share" => labelled(&["shares"], l),
            _ => labelled(&["values"], l),
        },
    }
}

/// Whether a snapshot passes a filter: all tags present, all metadata pairs
/// equal (strings as written, other values as Python prints them), and not a
/// legacy test suite unless test suites are included.
pub(crate) fn filter_matches(filter: &SnapshotFilter, s: &Snapshot) -> bool {
    if !filter.include_test_suites && s.kind == crate::model::SnapshotKind::TestSuite {
        return false;
    }
    filter.tags.iter().all(|t| s.tags.contains(t))
        && filter
            .metadata
            .iter()
            .all(|(k, want)| match s.metadata.get(k) {
                None => false,
                Some(have) => {
                    have == want
                        || match (have, want) {
                            (_, Value::String(w)) => same_plain(&py_str(have), w),
                            (Value::String(h), _) => same_plain(h, &py_str(want)),
                            _ => false,
                        }
                }
            })
}

/// Whether a legacy test filter selects a test outcome: same short test type
/// and every `test_args` entry holds for the parameters of its identity.
/// Fingerprint filters never match here (callers report them instead).
pub(crate) fn test_filter_matches(f: &TestFilter, t: &TestOutcome) -> bool {
    if f.test_fingerprint.is_some() {
        return false;
    }
    if f.test_id.as_deref().is_some_and(|id| id != &*t.test_type) {
        return false;
    }
    if f.test_args.is_empty() {
        return true;
    }
    let Some(key) = SeriesKey::parse(&t.identity).filter(|k| k.metric_type == &*t.test_type) else {
        return false;
    };
    f.test_args.iter().all(|(p, v)| arg_matches(&key, p, v))
}
