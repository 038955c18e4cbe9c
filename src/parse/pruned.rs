//! A JSON value that skips the heavy parts of Evidently files while it is
//! deserialized: plot data, widgets and long arrays are scanned but never
//! allocated.

use std::fmt;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Keys whose values are plot or rendering data and never needed for indexing.
pub(crate) const HEAVY_KEYS: &[&str] = &[
    "widget",
    "widgets",
    "tests_widgets",
    "scatter",
    "plot_data",
    "rate_plots_data",
    "distribution",
    "small_distribution",
    "correlations",
    "current_roc_curve",
    "reference_roc_curve",
    "current_pr_curve",
    "reference_pr_curve",
    "current_pr_table",
    "reference_pr_table",
    "current_matrix",
    "reference_matrix",
    "data_definition",
    "run_metadata",
    // v2 tests repeat their metric's configuration; it is read from
    // `metric_value_location` instead.
    "metric_config",
];

/// `HEAVY_KEYS.contains(k)`, without comparing against every entry.
pub(crate) fn is_heavy(k: &[u8]) -> bool {
    // All heavy keys are 6..=19 bytes and start with one of these letters.
    (6..=19).contains(&k.len())
        && matches!(k[0], b'w' | b't' | b's' | b'p' | b'r' | b'd' | b'c' | b'm')
        && HEAVY_KEYS.iter().any(|h| h.as_bytes() == k)
}

/// Arrays longer than this keep only their first elements (lists in configs
/// and tags are short; long arrays are plot data).
const MAX_ARRAY: usize = 64;

/// Maximum nesting kept; deeper values are skipped (no stack exhaustion).
const MAX_DEPTH: usize = 48;

/// A pruned JSON value (see module doc).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Pruned(pub Value);

impl<'de> Deserialize<'de> for Pruned {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(PrunedVisitor { depth: 0 }).map(Pruned)
    }
}

struct PrunedSeed {
    depth: usize,
}

impl<'de> serde::de::DeserializeSeed<'de> for PrunedSeed {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        if self.depth >= MAX_DEPTH {
            IgnoredAny::deserialize(d)?;
            return Ok(Value::Null);
        }
        d.deserialize_any(PrunedVisitor { depth: self.depth })
    }
}

struct PrunedVisitor {
    depth: usize,
}

impl<'de> Visitor<'de> for PrunedVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut v = Vec::new();
        while v.len() < MAX_ARRAY {
            match seq.next_element_seed(PrunedSeed {
                depth: self.depth + 1,
            })? {
                Some(x) => v.push(x),
                None => return Ok(Value::Array(v)),
            }
        }
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Value::Array(v))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut m = Map::new();
        while let Some(k) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if is_heavy(k.as_bytes()) {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let v = map.next_value_seed(PrunedSeed {
                depth: self.depth + 1,
            })?;
            m.insert(k.into_owned(), v);
        }
        Ok(Value::Object(m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_heavy_keys_and_long_arrays() {
        let long: Vec<u32> = (0..1000).collect();
        let src = serde_json::json!({
            "a": 1, "scatter": {"x": long}, "list": long, "nested": {"widget": [1], "b": "x"}
        })
        .to_string();
        let p: Pruned = serde_json::from_str(&src).unwrap();
        assert_eq!(p.0["a"], 1);
        assert!(p.0.get("scatter").is_none());
        assert_eq!(p.0["list"].as_array().unwrap().len(), MAX_ARRAY);
        assert_eq!(p.0["nested"], serde_json::json!({"b": "x"}));
    }

    #[test]
    fn heavy_key_prefilter_matches_the_list() {
        for k in HEAVY_KEYS {
            assert!(is_heavy(k.as_bytes()), "{k}");
        }
        for k in [
            "value",
            "current",
            "drift_score",
            "w",
            "widgetx",
            "test_results",
        ] {
            assert!(!is_heavy(k.as_bytes()), "{k}");
        }
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
        // Below MAX_DEPTH the rest is skipped, not built: no stack exhaustion.
        let p = serde_json::from_str::<Pruned>(&deep).unwrap();
        let mut v = &p.0;
        let mut depth = 0;
        while let Some(inner) = v.as_array().and_then(|a| a.first()) {
            v = inner;
            depth += 1;
        }
        assert!(depth <= MAX_DEPTH, "kept {depth} levels");
        let ok = format!("{}1{}", "[".repeat(100), "]".repeat(100));
        assert!(serde_json::from_str::<Pruned>(&ok).is_ok());
    }
}
