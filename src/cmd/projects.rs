//! `snapscope projects`: one row per project with its snapshot count and
//! time span; also the view printed when no command is given.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::analysis::triage::project_problem;
use crate::cmd::args::GlobalOpts;
use crate::cmd::error::Result;
use crate::cmd::output::{path_string, rfc3339, short_time, write_json, ProblemJson, Table};
use crate::cmd::select::load;
use crate::index::ScanReport;
use crate::index::{Catalog, ProjectEntry};
use crate::parse::TimeZoneChoice;
use crate::text::sanitize::{clean, clean_path};
use crate::text::width::{truncate, ELLIPSIS};

/// One row of `snapscope projects --json`.
#[derive(Debug, Serialize)]
pub struct ProjectJson {
    pub id: String,
    pub name: String,
    pub snapshots: usize,
    pub unreadable: usize,
    pub first: Option<String>,
    pub last: Option<String>,
    pub description: Option<String>,
    pub folder: String,
    pub created_at: Option<String>,
    /// True when the project mixes naive and zone-aware timestamps.
    pub mixed_timestamps: bool,
    pub warning: Option<String>,
    /// Why the project holds no readable run (its folder, `snapshots/` or
    /// every snapshot file could not be read); null otherwise.
    pub problem: Option<ProblemJson>,
}

fn project_json(catalog: &Catalog, p: &ProjectEntry, tz: TimeZoneChoice) -> ProjectJson {
    let span = p.span();
    let naive = p
        .snapshots
        .iter()
        .filter(|s| s.snapshot.timestamp_naive)
        .count();
    ProjectJson {
        id: p.project.id.clone(),
        name: p.project.name.clone(),
        snapshots: p.snapshots.len(),
        unreadable: catalog.unreadable_in(&p.project.id),
        first: span.map(|(a, _)| rfc3339(a, tz)),
        last: span.map(|(_, b)| rfc3339(b, tz)),
        description: p.project.description.clone(),
        folder: path_string(&p.project.folder),
        created_at: p.project.created_at.map(|t| rfc3339(t, tz)),
        mixed_timestamps: naive > 0 && naive < p.snapshots.len(),
        warning: p.project.warning.clone(),
        problem: project_problem(catalog, p).map(|u| ProblemJson {
            path: path_string(&u.path),
            reason: u.reason,
        }),
    }
}

/// `snapscope projects`: also the view printed when no command is given.
pub fn projects(path: &Path, global: &GlobalOpts, json: bool, out: &mut dyn Write) -> Result<()> {
    let (catalog, report) = load(path, global)?;
    let tz = global.tz;
    let rows: Vec<ProjectJson> = catalog
        .projects()
        .into_iter()
        .map(|p| project_json(&catalog, p, tz))
        .collect();
    if json {
        return write_json(out, &rows);
    }
    if rows.is_empty() {
        writeln!(
            out,
            "No projects found in {} (a workspace, a project folder or a folder of snapshot files).",
            clean_path(&report.root)
        )?;
        return unreadable_footer(&report, out);
    }
    let mut t = Table::new(&["PROJECT", "SNAPS", "UNREAD", "LAST RUN"]);
    t.right(&[1, 2]);
    for r in &rows {
        let span = catalog.project(&r.id).and_then(ProjectEntry::span);
        t.row(vec![
            truncate(&clean(&r.name), 40, ELLIPSIS),
            r.snapshots.to_string(),
            r.unreadable.to_string(),
            span.map(|(_, b)| short_time(b, tz))
                .unwrap_or_else(|| "-".into()),
        ]);
        let first = span
            .map(|(a, _)| format!("  first run {}", short_time(a, tz)))
            .unwrap_or_default();
        t.note(format!("  id {}{first}", clean(&r.id)));
        if let Some(w) = &r.warning {
            t.note(format!("  warning: {}", truncate(&clean(w), 68, ELLIPSIS)));
        }
        if let Some(u) = &r.problem {
            t.note(format!("  unreadable: {}", clean(&u.reason)));
        }
    }
    t.write(out)?;
    unreadable_footer(&report, out)
}

fn unreadable_footer(report: &ScanReport, out: &mut dyn Write) -> Result<()> {
    if !report.unreadable.is_empty() {
        writeln!(
            out,
            "\n{} unreadable file(s); see `snapscope scan {}`",
            report.unreadable.len(),
            clean_path(&report.root)
        )?;
    }
    Ok(())
}
