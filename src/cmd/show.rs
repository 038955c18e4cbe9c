//! `snapscope show`: one snapshot, its header, tests, drift rows and series
//! values.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

use crate::cmd::args::GlobalOpts;
use crate::cmd::error::Result;
use crate::cmd::output::{counts_text, finite, path_string, rfc3339, write_json, Table};
use crate::cmd::select::{load, resolve_project, resolve_snapshot};
use crate::model::{DriftCount, DriftRow, ScoreKind, Snapshot, TestCounts, TestStatus};
use crate::parse::{self, TimeZoneChoice};
use crate::text::num::{fmt_num, plural};
use crate::text::sanitize::clean;
use crate::text::width::{truncate, ELLIPSIS};

/// One test of `snapscope show --json`.
#[derive(Debug, Serialize)]
pub struct TestJson {
    pub name: Arc<str>,
    pub status: TestStatus,
    pub description: String,
    pub column: Option<Arc<str>>,
    pub test_type: Arc<str>,
    pub identity: Arc<str>,
    pub value: Option<f64>,
    pub condition: Option<String>,
}

/// One drift row of `snapscope show --json`: the row's own fields, plus how
/// to read its score.
#[derive(Debug, Serialize)]
pub struct DriftJson {
    #[serde(flatten)]
    pub row: DriftRow,
    /// `p_value`, `distance` or `unknown`: how to read `score`.
    pub score_kind: ScoreKind,
}

impl std::ops::Deref for DriftJson {
    type Target = DriftRow;
    fn deref(&self) -> &Self::Target {
        &self.row
    }
}

/// `snapscope show --json`.
#[derive(Debug, Serialize)]
pub struct ShowJson {
    pub id: String,
    pub project_id: String,
    pub project_name: String,
    pub timestamp: String,
    pub timestamp_naive: bool,
    pub name: Option<String>,
    pub generation: &'static str,
    pub kind: &'static str,
    pub tags: Vec<String>,
    pub metadata: crate::model::Metadata,
    pub path: String,
    pub inner_id_mismatch: Option<String>,
    pub test_counts: TestCounts,
    pub tests: Vec<TestJson>,
    pub series: BTreeMap<Arc<str>, Option<f64>>,
    pub drift: Vec<DriftJson>,
    pub drift_share: Option<f64>,
    /// Drifted columns out of columns measured (see `Snapshot::drift_count`).
    pub drift_count: Option<DriftCount>,
}

/// `snapscope show`.
pub fn show(
    path: &Path,
    snapshot_id: &str,
    project: Option<&str>,
    global: &GlobalOpts,
    json: bool,
    out: &mut dyn Write,
) -> Result<()> {
    let tz = global.tz;
    let (catalog, _) = load(path, global)?;
    let project = project.map(|q| resolve_project(&catalog, q)).transpose()?;
    let (p, entry) = resolve_snapshot(&catalog, project, snapshot_id)?;
    let snap: &Arc<Snapshot> = &entry.snapshot;
    let v = ShowJson {
        id: snap.id.clone(),
        project_id: p.project.id.clone(),
        project_name: p.project.name.clone(),
        timestamp: rfc3339(snap.timestamp, tz),
        timestamp_naive: snap.timestamp_naive,
        name: snap.name.clone(),
        generation: snap.generation.as_str(),
        kind: snap.kind.as_str(),
        tags: snap.tags.clone(),
        metadata: snap.metadata.clone(),
        path: path_string(&entry.path),
        inner_id_mismatch: snap.inner_id_mismatch.clone(),
        test_counts: snap.test_counts(),
        tests: snap
            .tests
            .iter()
            .map(|t| TestJson {
                name: t.name.clone(),
                status: t.status,
                description: t.description.to_string(),
                column: t.column.clone(),
                test_type: t.test_type.clone(),
                identity: t.identity.clone(),
                value: finite(t.value),
                condition: t.condition.as_deref().map(String::from),
            })
            .collect(),
        series: snap
            .series
            .iter()
            .map(|s| (s.key.clone(), finite(s.value)))
            .collect(),
        drift: snap
            .drift
            .iter()
            .map(|d| DriftJson {
                row: DriftRow {
                    score: finite(d.score),
                    threshold: finite(d.threshold),
                    ..d.clone()
                },
                score_kind: d
                    .method
                    .as_deref()
                    .map(parse::score_kind)
                    .unwrap_or(ScoreKind::Unknown),
            })
            .collect(),
        drift_share: finite(snap.drift_share()),
        drift_count: snap.drift_count(),
    };
    if json {
        return write_json(out, &v);
    }
    show_text(&v, tz, snap, out)
}

fn show_text(v: &ShowJson, tz: TimeZoneChoice, snap: &Snapshot, out: &mut dyn Write) -> Result<()> {
    let field = |out: &mut dyn Write, k: &str, val: &str| writeln!(out, "{k:<10} {val}");
    field(out, "snapshot", &clean(&v.id))?;
    field(
        out,
        "project",
        &format!("{}  ({})", clean(&v.project_name), clean(&v.project_id)),
    )?;
    let naive = if v.timestamp_naive {
        format!("  (no zone in file; read as {tz})")
    } else {
        String::new()
    };
    field(
        out,
        "timestamp",
        &format!(
            "{}{naive}",
            tz.to_fixed(snap.timestamp).format("%Y-%m-%d %H:%M:%S %:z")
        ),
    )?;
    field(out, "name", &clean(v.name.as_deref().unwrap_or("-")))?;
    field(out, "kind", &format!("{} ({})", v.kind, v.generation))?;
    let tags = if v.tags.is_empty() {
        "-".to_string()
    } else {
        v.tags.join(", ")
    };
    field(out, "tags", &clean(&tags))?;
    if v.metadata.is_empty() {
        field(out, "metadata", "-")?;
    } else {
        for (i, (k, val)) in v.metadata.iter().enumerate() {
            let shown = match val {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let label = if i == 0 { "metadata" } else { "" };
            field(
                out,
                label,
                &truncate(&clean(&format!("{k} = {shown}")), 68, ELLIPSIS),
            )?;
        }
    }
    field(out, "file", &clean(&v.path))?;
    if let Some(inner) = &v.inner_id_mismatch {
        field(
            out,
            "warning",
            &format!("the file says id {}", clean(inner)),
        )?;
    }
    field(out, "tests", &counts_text(&v.test_counts))?;

    if !v.tests.is_empty() {
        writeln!(out, "\nTESTS ({})", v.tests.len())?;
        let mut tests: Vec<&TestJson> = v.tests.iter().collect();
        tests.sort_by_key(|t| t.status); // failures first; stable otherwise
        let mut t = Table::new(&["STATUS", "TEST", "COLUMN", "VALUE", "CONDITION"]);
        t.right(&[3]);
        for test in tests {
            t.row(vec![
                test.status.as_str().to_string(),
                truncate(&clean(&test.name), 36, ELLIPSIS),
                truncate(&clean(test.column.as_deref().unwrap_or("")), 16, ELLIPSIS),
                test.value.map(fmt_num).unwrap_or_default(),
                truncate(
                    &clean(test.condition.as_deref().unwrap_or("")),
                    24,
                    ELLIPSIS,
                ),
            ]);
        }
        t.write(out)?;
    }

    if let Some(c) = &v.drift_count {
        writeln!(out, "\nDRIFT: {}", c.long())?;
    }
    if !v.drift.is_empty() {
        let drifted = v.drift.iter().filter(|d| d.drifted == Some(true)).count();
        writeln!(
            out,
            "\nDRIFT ROWS ({}, {drifted} drifted)",
            plural(v.drift.len(), "column")
        )?;
        let mut t = Table::new(&["COLUMN", "TYPE", "METHOD", "SCORE", "THRESH", "DRIFT"]);
        t.right(&[3, 4]);
        for d in &v.drift {
            let flag = match (d.drifted, d.inferred) {
                (Some(true), false) => "yes",
                (Some(true), true) => "yes*",
                (Some(false), false) => "no",
                (Some(false), true) => "no*",
                (None, _) => "?",
            };
            t.row(vec![
                truncate(&clean(&d.column), 22, ELLIPSIS),
                clean(d.column_type.as_deref().unwrap_or("")).into_owned(),
                truncate(&clean(d.method.as_deref().unwrap_or("")), 22, ELLIPSIS),
                d.score.map(fmt_num).unwrap_or_else(|| "-".into()),
                d.threshold.map(fmt_num).unwrap_or_else(|| "-".into()),
                flag.into(),
            ]);
        }
        t.write(out)?;
        if v.drift.iter().any(|d| d.inferred) {
            writeln!(
                out,
                "* inferred from the method's direction (not in the file)"
            )?;
        }
    }

    if !v.series.is_empty() {
        writeln!(out, "\nSERIES ({})", v.series.len())?;
        let mut t = Table::new(&["KEY", "VALUE"]);
        t.right(&[1]);
        for (k, val) in &v.series {
            t.row(vec![
                clean(k).into_owned(),
                val.map(fmt_num).unwrap_or_else(|| "null".into()),
            ]);
        }
        t.write(out)?;
    }
    Ok(())
}
