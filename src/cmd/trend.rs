//! `snapscope trend`: one series of a project over time, as text, JSON or
//! CSV.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::cmd::args::GlobalOpts;
use crate::cmd::error::{HeadlessError, Result};
use crate::cmd::output::{csv_field, finite, rfc3339, short_time, write_json, Table};
use crate::cmd::select::{load, resolve_project};
use crate::index::Catalog;
use crate::text::num::fmt_num;
use crate::text::sanitize::clean;

/// One row of `snapscope trend --json`.
#[derive(Debug, Serialize)]
pub struct TrendJson {
    pub snapshot: String,
    pub timestamp: String,
    pub value: Option<f64>,
}

/// How `snapscope trend` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrendFormat {
    Text,
    Json,
    /// `snapshot,timestamp,value`, RFC 4180.
    Csv,
}

/// `snapscope trend`.
pub fn trend(
    path: &Path,
    project: &str,
    key: &str,
    global: &GlobalOpts,
    format: TrendFormat,
    out: &mut dyn Write,
) -> Result<()> {
    let tz = global.tz;
    let (catalog, _) = load(path, global)?;
    let p = resolve_project(&catalog, project)?;
    let points = catalog.trend(&p.project.id, key);
    if points.is_empty() {
        return Err(HeadlessError::SeriesNotFound {
            project: p.project.name.clone(),
            key: key.to_string(),
            hint: series_hint(&catalog, &p.project.id, key),
        });
    }
    let rows: Vec<TrendJson> = points
        .iter()
        .map(|(s, v)| TrendJson {
            snapshot: s.id.clone(),
            timestamp: rfc3339(s.timestamp, tz),
            value: finite(*v),
        })
        .collect();
    match format {
        TrendFormat::Json => return write_json(out, &rows),
        TrendFormat::Csv => return trend_csv(&rows, out),
        TrendFormat::Text => {}
    }
    writeln!(out, "{}  {}", clean(&p.project.name), clean(key))?;
    let mut t = Table::new(&["TIMESTAMP", "SNAPSHOT", "VALUE"]);
    t.right(&[2]);
    for ((s, _), r) in points.iter().zip(&rows) {
        t.row(vec![
            short_time(s.timestamp, tz),
            clean(&r.snapshot).into_owned(),
            r.value.map(fmt_num).unwrap_or_else(|| "null".into()),
        ]);
    }
    t.write(out)?;
    Ok(())
}

/// Trend rows as CSV (LF line ends, which RFC 4180 readers accept): the
/// header, then one line per point; the value in
/// shortest round-trip form (as in JSON), empty for null. Ids pass through the
/// sanitizer like any text output.
fn trend_csv(rows: &[TrendJson], out: &mut dyn Write) -> Result<()> {
    writeln!(out, "snapshot,timestamp,value")?;
    for r in rows {
        let value = r.value.map(|v| v.to_string()).unwrap_or_default();
        writeln!(
            out,
            "{},{},{}",
            csv_field(&clean(&r.snapshot)),
            csv_field(&r.timestamp),
            value
        )?;
    }
    Ok(())
}

/// Suggest the key that differs only in case, else keys of the same metric
/// type (ignoring case) ending in the same field, else of the same type.
fn series_hint(catalog: &Catalog, project_id: &str, key: &str) -> String {
    let lower = key.to_lowercase();
    let metric = lower.split(['{', '.']).next().unwrap_or(&lower).to_string();
    let field = lower.rsplit('.').next().unwrap_or(&lower).to_string();
    let keys = catalog.series_keys(project_id);
    let same_metric = |k: &str| {
        k.split(['{', '.'])
            .next()
            .is_some_and(|m| m.to_lowercase() == metric)
    };
    let pick = |f: &dyn Fn(&str) -> bool| -> Vec<&str> {
        keys.iter()
            .map(|(k, _)| k.as_str())
            .filter(|k| f(k))
            .take(3)
            .collect()
    };
    let mut close = pick(&|k| k.to_lowercase() == lower);
    if close.is_empty() {
        close = pick(&|k| same_metric(k) && k.to_lowercase().ends_with(&field));
    }
    if close.is_empty() {
        close = pick(&|k| same_metric(k));
    }
    if close.is_empty() {
        "; list the keys with `snapscope series PATH --project ...`".into()
    } else {
        let close: Vec<String> = close.iter().map(|k| clean(k).into_owned()).collect();
        format!("; did you mean {}?", close.join(" or "))
    }
}
