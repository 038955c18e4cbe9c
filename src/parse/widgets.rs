//! The one thing snapscope reads from a v2 report's rendered `widgets`: the
//! DataDriftPreset table (`big_table` rows with `column_name`,
//! `column_type`, `stattest_name`, `drift_score`, `data_drift`). It gives the
//! column type, and the drift verdict when no drift test ran. Everything
//! else in `widgets` (most of a v2 file's bytes) is skipped unbuilt.
//!
//! Two walkers of the same rules: one over serde (the full path), and
//! [`read_rows`] over the fast path's [`Reader`], which passes over what it
//! does not read by bracket matching.

use std::borrow::Cow;
use std::fmt;

use serde::de::{
    Deserialize, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde_json::Value;

use super::pruned::{Val, MAX_DEPTH};
use super::reader::Reader;

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

/// What a walker does with the value of a key, by where the object sits.
enum Step {
    /// A widget's `type`: read whether it is a `big_table`.
    Type,
    /// A row's field: read it as a string or a number.
    Field(RowField),
    /// Walk it as what it is there.
    Walk(What),
    /// Pass over it.
    Skip,
}

/// The row fields kept.
#[derive(Clone, Copy)]
enum RowField {
    Column,
    ColumnType,
    Method,
    Score,
    Verdict,
}

/// The walkers' one rule book: the value of `key` in an object at `what`
/// (`is_table`: the widget's `type` read so far is `big_table`).
fn step(what: What, key: &str, is_table: bool) -> Step {
    match (what, key) {
        (What::Widget, "type") => Step::Type,
        (What::Widget, "params") if is_table => Step::Walk(What::TableParams),
        (What::Widget, "widgets") => Step::Walk(What::WidgetList),
        (What::TableParams, "data") => Step::Walk(What::Rows),
        (What::Row, "column_name") => Step::Field(RowField::Column),
        (What::Row, "column_type") => Step::Field(RowField::ColumnType),
        (What::Row, "stattest_name") => Step::Field(RowField::Method),
        (What::Row, "drift_score") => Step::Field(RowField::Score),
        (What::Row, "data_drift") => Step::Field(RowField::Verdict),
        _ => Step::Skip,
    }
}

/// The elements of a list at `what` are walked as this (`None`: passed over).
fn element_of(what: What) -> Option<What> {
    match what {
        What::WidgetList => Some(What::Widget),
        What::Rows => Some(What::Row),
        _ => None,
    }
}

/// One object's fields as they are read (a field written twice keeps its
/// last value), and the row they make.
#[derive(Default)]
struct RowFields {
    row: DriftWidgetRow,
    verdict: Option<String>,
    has_column: bool,
}

impl RowFields {
    /// A field's value: `text` when it is a string, `number` when a number.
    fn set(&mut self, field: RowField, text: Option<String>, number: Option<f64>) {
        match field {
            RowField::Column => {
                self.has_column = text.is_some();
                self.row.column = text.unwrap_or_default();
            }
            RowField::ColumnType => self.row.column_type = text,
            RowField::Method => self.row.method = text,
            RowField::Score => self.row.score = number,
            RowField::Verdict => self.verdict = text,
        }
    }

    /// The row, when the object was a row with a column name and a verdict.
    fn finish(self, what: What, rows: &mut Vec<DriftWidgetRow>) {
        if what != What::Row || !self.has_column {
            return;
        }
        if let Some(v) = self.verdict {
            rows.push(DriftWidgetRow {
                drifted: verdict_of(&v),
                ..self.row
            });
        }
    }
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
        match element_of(self.what) {
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
        let mut fields = RowFields::default();
        while let Some(k) = map.next_key::<Cow<'de, str>>()? {
            match step(self.what, &k, is_table) {
                Step::Type => {
                    let t: Value = map.next_value()?;
                    is_table = t.as_str() == Some("big_table");
                }
                Step::Field(field) => {
                    let v: Value = map.next_value()?;
                    fields.set(field, v.as_str().map(str::to_string), v.as_f64());
                }
                Step::Walk(what) => map.next_value_seed(Walk {
                    what,
                    rows: &mut *self.rows,
                })?,
                Step::Skip => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        fields.finish(self.what, self.rows);
        Ok(())
    }
}

/// The drift rows of the `widgets` value at the reader's position, by the
/// rules of the serde walker: the same rows from the same text, or `None`
/// where the reader gives up (the full path then reads the file).
pub(crate) fn read_rows(r: &mut Reader<'_>) -> Option<DriftWidgets> {
    let mut rows = Vec::new();
    read_walk(r, What::WidgetList, 0, &mut rows)?;
    Some(DriftWidgets(rows))
}

/// A row field's value as the serde walker keeps it: a string, a number,
/// or anything else (passed over).
enum Field<'a> {
    Text(Cow<'a, str>),
    Number(Option<f64>),
    Other,
}

fn read_field<'a>(r: &mut Reader<'a>) -> Option<Field<'a>> {
    r.ws();
    Some(match r.peek()? {
        b'"' => Field::Text(r.string()?),
        b'{' | b'[' => {
            r.skip()?;
            Field::Other
        }
        _ => match r.value(0)? {
            Val::Number(n) => Field::Number(n.as_f64()),
            _ => Field::Other,
        },
    })
}

fn read_walk(
    r: &mut Reader<'_>,
    what: What,
    depth: usize,
    rows: &mut Vec<DriftWidgetRow>,
) -> Option<()> {
    if depth >= MAX_DEPTH {
        return None;
    }
    r.ws();
    match r.peek()? {
        b'[' => match element_of(what) {
            Some(element) => r.elements(|r| read_walk(r, element, depth + 1, rows)),
            None => r.skip(),
        },
        b'{' => {
            let mut is_table = false;
            let mut fields = RowFields::default();
            r.members(|r, k| match step(what, &k, is_table) {
                Step::Type => {
                    is_table = matches!(read_field(r)?, Field::Text(t) if t == "big_table");
                    Some(())
                }
                Step::Field(field) => {
                    match read_field(r)? {
                        Field::Text(t) => fields.set(field, Some(t.into_owned()), None),
                        Field::Number(x) => fields.set(field, None, x),
                        Field::Other => fields.set(field, None, None),
                    }
                    Some(())
                }
                Step::Walk(next) => read_walk(r, next, depth + 1, rows),
                Step::Skip => r.skip(),
            })?;
            fields.finish(what, rows);
            Some(())
        }
        _ => r.skip(),
    }
}

/// `Detected` → true, `Not Detected` → false.
fn verdict_of(v: &str) -> Option<bool> {
    match v {
        "Detected" => Some(true),
        "Not Detected" => Some(false),
        _ => None,
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
        let w = DriftWidgets(both(src));
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
        assert!(both(r#"{"not": "a list"}"#).is_empty());
    }

    /// The rows both walkers read from `src` (asserted equal; serde reads
    /// it as the full path does, non-finite tokens made null).
    fn both(src: &str) -> Vec<DriftWidgetRow> {
        let fixed = crate::parse::json::replace_non_finite(src.as_bytes());
        let serde: DriftWidgets = serde_json::from_slice(&fixed).unwrap();
        let mut r = Reader::new(src);
        let direct = read_rows(&mut r).expect("the reader reads it");
        r.ws();
        assert_eq!(r.i, src.len(), "{src}");
        assert_eq!(direct.0, serde.0, "{src}");
        serde.0
    }

    #[test]
    fn both_walkers_follow_the_same_rules() {
        let row = |fields: &str| {
            format!(r#"[{{"type": "big_table", "params": {{"data": [{{{fields}}}]}}}}]"#)
        };
        // `params` before `type` is not yet a table's; a type written twice
        // counts from where it is written.
        assert!(both(r#"[{"params": {"data": [{"column_name": "a", "data_drift": "Detected"}]}, "type": "big_table"}]"#).is_empty());
        assert_eq!(both(r#"[{"type": "x", "type": "big_table", "params": {"data": [{"column_name": "a", "data_drift": "Detected"}]}}]"#).len(), 1);
        // A field written twice keeps its last value; odd types read as absent.
        let rows = both(&row(
            r#""column_name": "a", "column_name": "b", "drift_score": "0.5", "data_drift": "Detected""#,
        ));
        assert_eq!((rows[0].column.as_str(), rows[0].score), ("b", None));
        let rows = both(&row(
            r#""column_name": "a", "drift_score": NaN, "column_type": 3, "stattest_name": {"x": 1}, "data_drift": "Not Detected""#,
        ));
        assert_eq!(
            (
                rows[0].score,
                rows[0].column_type.as_deref(),
                rows[0].drifted
            ),
            (None, None, Some(false))
        );
        let rows = both(&row(
            r#""column_name": "a\u00e9", "drift_score": 1e-3, "data_drift": "Maybe""#,
        ));
        assert_eq!(
            (rows[0].column.as_str(), rows[0].score, rows[0].drifted),
            ("aé", Some(0.001), None)
        );
        // A column name that is not a string drops the row.
        assert!(both(&row(r#""column_name": 1, "data_drift": "Detected""#)).is_empty());
        // Nested tabs, and widgets of every other shape, passed over.
        let nested = format!(
            r#"[1, "s", null, [{{"type": "big_table"}}], {{"type": "tabs", "widgets": {}}}]"#,
            row(r#""column_name": "n", "data_drift": "Detected""#)
        );
        assert_eq!(both(&nested).len(), 1);
    }
}
