//! `snapscope scan`: index PATH and report counts, timing and every
//! unreadable file.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::cmd::args::GlobalOpts;
use crate::cmd::error::Result;
use crate::cmd::output::{path_string, write_json};
use crate::cmd::select::load;
use crate::index::Layout;
use crate::text::sanitize::{clean, clean_path};

/// One unreadable file in `snapscope scan --json`.
#[derive(Debug, Serialize)]
pub struct UnreadableJson {
    pub path: String,
    pub reason: String,
    pub project_id: Option<String>,
}

/// A project whose record is not as expected (no `metadata.json`, an id
/// that differs from its folder), in `snapscope scan --json`.
#[derive(Debug, Serialize)]
pub struct ProjectWarningJson {
    pub project_id: String,
    pub path: String,
    pub warning: String,
}

/// `snapscope scan --json`.
#[derive(Debug, Serialize)]
pub struct ScanJson {
    pub projects: usize,
    pub snapshots: usize,
    pub unreadable: Vec<UnreadableJson>,
    pub elapsed_ms: u64,
    pub root: String,
    pub layout: &'static str,
    pub bytes_read: u64,
    /// Project warnings (not unreadable files: the projects are indexed).
    pub warnings: Vec<ProjectWarningJson>,
}

/// `snapscope scan`.
pub fn scan(path: &Path, global: &GlobalOpts, json: bool, out: &mut dyn Write) -> Result<()> {
    let (catalog, report) = load(path, global)?;
    let warnings: Vec<ProjectWarningJson> = catalog
        .projects()
        .into_iter()
        .filter_map(|p| {
            Some(ProjectWarningJson {
                project_id: p.project.id.clone(),
                path: path_string(&p.project.folder),
                warning: p.project.warning.clone()?,
            })
        })
        .collect();
    if json {
        let v = ScanJson {
            projects: report.projects,
            snapshots: report.snapshots,
            unreadable: report
                .unreadable
                .iter()
                .map(|u| UnreadableJson {
                    path: path_string(&u.path),
                    reason: u.reason.clone(),
                    project_id: u.project_id.clone(),
                })
                .collect(),
            elapsed_ms: report.elapsed_ms,
            root: path_string(&report.root),
            layout: layout_name(report.layout),
            bytes_read: report.bytes_read,
            warnings,
        };
        return write_json(out, &v);
    }
    let mb = report.bytes_read as f64 / 1_048_576.0;
    writeln!(
        out,
        "{} ({}): {} projects, {} snapshots, {} unreadable",
        clean_path(&report.root),
        layout_name(report.layout),
        report.projects,
        report.snapshots,
        report.unreadable.len()
    )?;
    writeln!(out, "read {mb:.1} MiB in {} ms", report.elapsed_ms)?;
    if !report.unreadable.is_empty() {
        writeln!(out, "\nUNREADABLE")?;
        for u in &report.unreadable {
            let shown = u.path.strip_prefix(&report.root).unwrap_or(&u.path);
            writeln!(out, "{}", clean_path(shown))?;
            writeln!(out, "  {}", clean(&u.reason))?;
        }
    }
    if !warnings.is_empty() {
        writeln!(out, "\nPROJECT WARNINGS")?;
        for w in &warnings {
            writeln!(out, "{}", clean(&w.project_id))?;
            writeln!(out, "  {}", clean(&w.warning))?;
        }
    }
    Ok(())
}

fn layout_name(l: Layout) -> &'static str {
    match l {
        Layout::Workspace => "workspace",
        Layout::Project => "project",
        Layout::Flat => "flat",
    }
}
