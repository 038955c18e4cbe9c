//! The one thing snapscope reads from a v2 report's rendered `widgets`: the
//! DataDriftPreset table (`big_table` rows with `column_name`,
//! `column_type`, `stattest_name`, `drift_score`, `data_drift`). It gives the
//! column type, and the drift verdict when no drift test ran. Everything
//! else in `widgets` (most of a v2 file's bytes) is skipped unbuilt.

use std::borrow::Cow;
use std::fmt;

use serde::de::{
    Deserialize, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde_json::Value;

/// One row of a drift table widget.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct DriftWidgetRow {
    pub column: String,
    pub column_type: Option<String>,
    pub method: Option<String>,
    pub score: Option<f64>,
    /// `Detected` → true, `Not Detected` → false.
    pub drifted: Option<bool>,
}

/// Drift rows found in a `widgets` list (nested tab widgets included).
#[derive(Debug, Default)]
pub(crate) struct DriftWidgets(pub Vec<DriftWidgetRow>);

impl<'de> Deserialize<'de> for DriftWidgets {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut rows = Vec::new();
        d.deserialize_any(Walk {
            what: What::WidgetList,
            rows: &mut rows,
        })?;
        Ok(DriftWidgets(rows))
    }
}

/// Where in the widget tree a value sits.
#[derive(Clone, Copy, PartialEq, Eq)]
enum What {
    /// A list of widgets.
    WidgetList,
    /// One widget object.
    Widget,
    /// `params` of a big_table.
    TableParams,
    /// `data` of a big_table: a list of rows.
    Rows,
    /// One row.
    Row,
}

/// Walks one value; values of any unexpected shape are skipped, never an error.
struct Walk<'a> {
    what: What,
    rows: &'a mut Vec<DriftWidgetRow>,
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

macro_rules! skip_scalars {
    ($($name:ident: $t:ty),*) => {
        $(fn $name<E>(self, _: $t) -> Result<(), E> { Ok(()) })*
    };
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    skip_scalars!(visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_f64: f64, visit_str: &str);
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let element = match self.what {
            What::WidgetList => Some(What::Widget),
            What::Rows => Some(What::Row),
            _ => None,
        };
        match element {
            Some(what) => {
                while seq
                    .next_element_seed(Walk {
                        what,
                        rows: &mut *self.rows,
                    })?
                    .is_some()
                {}
            }
            None => while seq.next_element::<IgnoredAny>()?.is_some() {},
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut is_table = false;
        let mut row = DriftWidgetRow::default();
        let mut verdict: Option<String> = None;
        let mut has_column = false;
        while let Some(k) = map.next_key::<Cow<'de, str>>()? {
            let next = match (self.what, k.as_ref()) {
                (What::Widget, "type") => {
                    let t: Value = map.next_value()?;
                    is_table = t.as_str() == Some("big_table");
                    continue;
                }
                (What::Widget, "params") if is_table => Some(What::TableParams),
                (What::Widget, "widgets") => Some(What::WidgetList),
                (What::TableParams, "data") => Some(What::Rows),
                (
                    What::Row,
                    field @ ("column_name" | "column_type" | "stattest_name" | "drift_score"
                    | "data_drift"),
                ) => {
                    let v: Value = map.next_value()?;
                    let text = v.as_str().map(str::to_string);
                    match field {
                        "column_name" => {
                            has_column = text.is_some();
                            row.column = text.unwrap_or_default();
                        }
                        "column_type" => row.column_type = text,
                        "stattest_name" => row.method = text,
                        "drift_score" => row.score = v.as_f64(),
                        _ => verdict = text,
                    }
                    continue;
                }
                _ => None,
            };
            match next {
                Some(what) => map.next_value_seed(Walk {
                    what,
                    rows: &mut *self.rows,
                })?,
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if self.what == What::Row && has_column {
            if let Some(v) = verdict {
                row.drifted = match v.as_str() {
                    "Detected" => Some(true),
                    "Not Detected" => Some(false),
                    _ => None,
                };
                self.rows.push(row);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_drift_rows_in_tables_and_tabs_only() {
        let src = r#"[
          {"type": "counter", "params": {"data": [{"column_name": "no", "data_drift": "Detected"}]}},
          {"type": "big_table", "params": {"columns": [], "data": [
             {"column_name": "age", "column_type": "num", "stattest_name": "K-S p_value",
              "drift_score": 0.01, "data_drift": "Detected", "details": {"parts": [1, 2]}},
             {"column_name": "site", "column_type": "cat", "data_drift": "Not Detected"},
             [1, 2], "odd", {"column_name": "no verdict"}]}},
          {"type": "tabs", "widgets": [{"type": "big_table", "params": {"data": [
             {"column_name": "bmi", "data_drift": "Detected"}]}}]},
          42
        ]"#;
        let w: DriftWidgets = serde_json::from_str(src).unwrap();
        let cols: Vec<(&str, Option<bool>)> =
            w.0.iter().map(|r| (r.column.as_str(), r.drifted)).collect();
        assert_eq!(
            cols,
            vec![
                ("age", Some(true)),
                ("site", Some(false)),
                ("bmi", Some(true))
            ]
        );
        assert_eq!(w.0[0].column_type.as_deref(), Some("num"));
        assert_eq!(w.0[0].score, Some(0.01));
        let odd: DriftWidgets = serde_json::from_str(r#"{"not": "a list"}"#).unwrap();
        assert!(odd.0.is_empty());
    }
}
