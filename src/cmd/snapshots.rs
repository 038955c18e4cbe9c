//! `snapscope snapshots`: the snapshots `--project`, `--since`, `--until`
//! and `--tag` select, in time order (grouped by project in text).

use std::io::Write;

use chrono::Utc;
use serde::Serialize;

use crate::cmd::args::{GlobalOpts, SnapshotsArgs};
use crate::cmd::error::Result;
use crate::cmd::output::{
    counts_text, finite, path_string, rfc3339, short_time, write_json, Table,
};
use crate::cmd::select::{load, resolve_project, Selection};
use crate::index::{ProjectEntry, SnapshotEntry};
use crate::model::{DriftCount, TestCounts};
use crate::parse::TimeZoneChoice;
use crate::text::sanitize::clean;
use crate::text::width::{truncate, ELLIPSIS};

/// One row of `snapscope snapshots --json`.
#[derive(Debug, Serialize)]
pub struct SnapshotJson {
    pub project_id: String,
    pub id: String,
    pub timestamp: String,
    pub name: Option<String>,
    pub generation: &'static str,
    pub kind: &'static str,
    pub tags: Vec<String>,
    pub metadata: crate::model::Metadata,
    pub tests: TestCounts,
    pub path: String,
    pub timestamp_naive: bool,
    pub drift_share: Option<f64>,
    /// Drifted columns out of columns measured (see `Snapshot::drift_count`).
    pub drift_count: Option<DriftCount>,
}

fn snapshot_json(p: &ProjectEntry, s: &SnapshotEntry, tz: TimeZoneChoice) -> SnapshotJson {
    let snap = &s.snapshot;
    SnapshotJson {
        project_id: p.project.id.clone(),
        id: snap.id.clone(),
        timestamp: rfc3339(snap.timestamp, tz),
        name: snap.name.clone(),
        generation: snap.generation.as_str(),
        kind: snap.kind.as_str(),
        tags: snap.tags.clone(),
        metadata: snap.metadata.clone(),
        tests: snap.test_counts(),
        path: path_string(&s.path),
        timestamp_naive: snap.timestamp_naive,
        drift_share: finite(snap.drift_share()),
        drift_count: snap.drift_count(),
    }
}

/// `snapscope snapshots`.
pub fn snapshots(args: &SnapshotsArgs, global: &GlobalOpts, out: &mut dyn Write) -> Result<()> {
    let tz = global.tz;
    let now = Utc::now();
    // Validate arguments before the (possibly long) scan.
    let selection = Selection::from_flags(
        args.since.as_deref(),
        args.until.as_deref(),
        &args.tags,
        tz,
        now,
    )?;
    let (catalog, _) = load(&args.path, global)?;
    let projects = match &args.project {
        Some(q) => vec![resolve_project(&catalog, q)?],
        None => catalog.projects(),
    };
    let mut rows: Vec<(&ProjectEntry, &SnapshotEntry)> = projects
        .iter()
        .flat_map(|p| p.snapshots.iter().map(move |s| (*p, s)))
        .filter(|(_, s)| selection.keeps(&s.snapshot))
        .collect();
    rows.sort_by(|(pa, a), (pb, b)| {
        (a.snapshot.timestamp, &a.snapshot.id, &pa.project.id).cmp(&(
            b.snapshot.timestamp,
            &b.snapshot.id,
            &pb.project.id,
        ))
    });
    if args.json {
        let v: Vec<SnapshotJson> = rows.iter().map(|(p, s)| snapshot_json(p, s, tz)).collect();
        return write_json(out, &v);
    }
    if rows.is_empty() {
        writeln!(out, "No snapshots match.")?;
        return Ok(());
    }
    // Text: grouped by project, each group in time order.
    let mut first = true;
    for p in &projects {
        let mine: Vec<&SnapshotEntry> = rows
            .iter()
            .filter(|(rp, _)| rp.project.id == p.project.id)
            .map(|(_, s)| *s)
            .collect();
        if mine.is_empty() {
            continue;
        }
        if !first {
            writeln!(out)?;
        }
        first = false;
        writeln!(
            out,
            "{}  ({} snapshots, id {})",
            clean(&p.project.name),
            mine.len(),
            clean(&p.project.id)
        )?;
        let mut t = Table::new(&["TIMESTAMP", "ID", "KIND", "TESTS", "TAGS"]);
        for s in mine {
            let snap = &s.snapshot;
            t.row(vec![
                short_time(snap.timestamp, tz),
                clean(&snap.id).into_owned(),
                snap.kind.label().to_string(),
                counts_text(&snap.test_counts()),
                truncate(&clean(&snap.tags.join(",")), 30, ELLIPSIS),
            ]);
        }
        t.write(out)?;
    }
    Ok(())
}
