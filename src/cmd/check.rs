//! `snapscope check`: is any project failing or stale, as an exit code
//! ([`Outcome`]) and a report built on [`triage`].

use std::io::Write;
use std::sync::Arc;
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use crate::analysis::triage::{self, CheckOptions, ProjectHealth};
use crate::cmd::args::{CheckArgs, FailOn, GlobalOpts};
use crate::cmd::error::{HeadlessError, Outcome, Result};
use crate::cmd::output::{counts_text, rfc3339, short_time, write_json, WIDTH};
use crate::cmd::select::{load, resolve_project};
use crate::index::{Catalog, ProjectEntry};
use crate::model::{Snapshot, TestCounts, TestStatus};
use crate::parse::TimeZoneChoice;
use crate::text::num::plural;
use crate::text::sanitize::{clean, clean_path};
use crate::text::width::{pad, truncate, ELLIPSIS};

/// `snapscope check --json`.
#[derive(Debug, Serialize)]
pub struct CheckJson {
    /// False when any project failed the check (exit status 1).
    pub ok: bool,
    pub checked_at: String,
    /// `fail` or `warning`: the lowest status that fails.
    pub fail_on: &'static str,
    pub max_age_seconds: Option<i64>,
    pub projects: Vec<CheckProjectJson>,
}

/// One project of `snapscope check --json`.
#[derive(Debug, Serialize)]
pub struct CheckProjectJson {
    pub project_id: String,
    pub name: String,
    /// False when this project fails the check.
    pub ok: bool,
    /// The judged run: the latest complete snapshot that carries tests.
    pub snapshot_id: Option<String>,
    pub timestamp: Option<String>,
    /// Test counts of the judged run.
    pub tests: Option<TestCounts>,
    pub failing: Vec<FailingJson>,
    /// The first run of the current streak of runs with FAIL/ERROR (only runs
    /// with tests count); null when the judged run passes.
    pub failing_since: Option<String>,
    /// The newest run with tests that had no FAIL/ERROR.
    pub last_pass: Option<RunJson>,
    /// Timestamp of the newest readable snapshot of any kind.
    pub newest: Option<String>,
    pub stale: bool,
    /// The newest file is being written or unreadable (not judged, not a failure).
    pub pending: bool,
    /// Unreadable files in the project.
    pub unreadable: usize,
    pub drifted_columns: Vec<Arc<str>>,
    pub notes: Vec<String>,
}

/// A run named in `snapscope check --json`.
#[derive(Debug, Serialize)]
pub struct RunJson {
    pub snapshot_id: String,
    pub timestamp: String,
}

/// One failing test of `snapscope check --json`.
#[derive(Debug, Serialize)]
pub struct FailingJson {
    pub name: Arc<str>,
    pub status: TestStatus,
    pub description: String,
    pub failing_since: Option<String>,
    pub identity: Arc<str>,
    pub column: Option<Arc<str>>,
}

/// `snapscope check`: [`Outcome::Failed`] when any project's latest complete
/// run with tests has a failing test, or its newest snapshot is too old.
pub fn check(args: &CheckArgs, global: &GlobalOpts, out: &mut dyn Write) -> Result<Outcome> {
    let tz = global.tz;
    let now = Utc::now();
    let (catalog, report) = load(&args.path, global)?;
    let opts = CheckOptions {
        max_age: args.max_age,
        fail_on_warning: args.fail_on == FailOn::Warning,
    };
    let mut healths = match &args.project {
        Some(q) => {
            let p = resolve_project(&catalog, q)?;
            vec![triage::project_health(&catalog, p, opts, now)]
        }
        None => triage::health(&catalog, opts, now),
    };
    if healths.is_empty() {
        return Err(HeadlessError::NoProjects(clean_path(&report.root)));
    }
    let mut pending = Vec::with_capacity(healths.len());
    for h in &mut healths {
        let is_pending = catalog
            .project(&h.project_id)
            .is_some_and(|p| triage::explain_unreadable(h, p, &unreadable_mtimes(&catalog, p)));
        pending.push(is_pending);
    }
    let ok = !healths.iter().any(ProjectHealth::is_bad);
    let outcome = if ok { Outcome::Ok } else { Outcome::Failed };
    let written = if args.json {
        let v = CheckJson {
            ok,
            checked_at: rfc3339(now, tz),
            fail_on: match args.fail_on {
                FailOn::Fail => "fail",
                FailOn::Warning => "warning",
            },
            max_age_seconds: args.max_age.map(|d| d.num_seconds()),
            projects: healths
                .iter()
                .zip(&pending)
                .map(|(h, &pending)| check_project_json(&catalog, h, pending, tz))
                .collect(),
        };
        write_json(out, &v)
    } else {
        check_text(&catalog, &healths, ok, now, tz, out)
    };
    match written {
        // The verdict stands even when the reader stopped listening (`| head`).
        Err(e) if e.is_broken_pipe() => Ok(outcome),
        Err(e) => Err(e),
        Ok(()) => Ok(outcome),
    }
}

/// Modification times of the project's unreadable snapshot files (not its
/// `metadata.json` / `dashboard.json`).
fn unreadable_mtimes(catalog: &Catalog, p: &ProjectEntry) -> Vec<Option<SystemTime>> {
    catalog
        .unreadable()
        .filter(|u| u.project_id.as_deref() == Some(p.project.id.as_str()))
        .filter(|u| {
            !matches!(
                u.path.file_name().and_then(|n| n.to_str()),
                Some("metadata.json" | "dashboard.json")
            )
        })
        .map(|u| std::fs::metadata(&u.path).and_then(|m| m.modified()).ok())
        .collect()
}

fn judged<'a>(catalog: &'a Catalog, h: &ProjectHealth) -> Option<&'a Arc<Snapshot>> {
    let id = h.snapshot_id.as_deref()?;
    let p = catalog.project(&h.project_id)?;
    p.snapshots
        .iter()
        .rev()
        .find(|e| e.snapshot.id == id)
        .map(|e| &e.snapshot)
}

fn check_project_json(
    catalog: &Catalog,
    h: &ProjectHealth,
    pending: bool,
    tz: TimeZoneChoice,
) -> CheckProjectJson {
    CheckProjectJson {
        project_id: h.project_id.clone(),
        name: h.name.clone(),
        ok: !h.is_bad(),
        snapshot_id: h.snapshot_id.clone(),
        timestamp: h.timestamp.map(|t| rfc3339(t, tz)),
        tests: judged(catalog, h).map(|s| s.test_counts()),
        failing: h
            .failing
            .iter()
            .map(|f| FailingJson {
                name: f.name.clone(),
                status: f.status,
                description: f.description.clone(),
                failing_since: f.failing_since.map(|t| rfc3339(t, tz)),
                identity: f.identity.clone(),
                column: f.column.clone(),
            })
            .collect(),
        failing_since: h
            .streak
            .failing_since
            .as_ref()
            .map(|r| rfc3339(r.timestamp, tz)),
        last_pass: h.streak.last_pass.as_ref().map(|r| RunJson {
            snapshot_id: r.snapshot_id.clone(),
            timestamp: rfc3339(r.timestamp, tz),
        }),
        newest: h.newest.map(|t| rfc3339(t, tz)),
        stale: h.stale,
        pending,
        unreadable: h.unreadable,
        drifted_columns: h.drifted_columns.clone(),
        notes: h.notes.clone(),
    }
}

fn check_text(
    catalog: &Catalog,
    healths: &[ProjectHealth],
    ok: bool,
    now: DateTime<Utc>,
    tz: TimeZoneChoice,
    out: &mut dyn Write,
) -> Result<()> {
    for h in healths {
        let state = match (h.worst(), h.stale) {
            (Some(s), _) => s.as_str(),
            (None, true) => "STALE",
            (None, false) if h.snapshot_id.is_none() => "-",
            (None, false) => "ok",
        };
        let judged_run = judged(catalog, h);
        let counts = judged_run
            .map(|s| counts_text(&s.test_counts()))
            .unwrap_or_default();
        let name_w = WIDTH.saturating_sub(9 + 2 + counts.width()).max(16);
        let name = pad(&clean(&h.name), name_w, ELLIPSIS);
        writeln!(
            out,
            "{}",
            format!("{state:<7}  {name}  {counts}").trim_end()
        )?;
        match (judged_run, h.timestamp) {
            (Some(s), Some(t)) => {
                writeln!(out, "         run {}  {}", clean(&s.id), short_time(t, tz))?
            }
            _ => writeln!(out, "         no run with tests")?,
        }
        if let Some(since) = &h.streak.failing_since {
            let pass = match &h.streak.last_pass {
                Some(p) => format!("last pass {}", short_time(p.timestamp, tz)),
                None => "no run with tests passed".to_string(),
            };
            writeln!(
                out,
                "         failing since {}; {pass}",
                short_time(since.timestamp, tz)
            )?;
        }
        for f in &h.failing {
            let since = f
                .failing_since
                .map(|t| format!("  since {}", short_time(t, tz)))
                .unwrap_or_default();
            let label = crate::model::test_label(&f.name, f.column.as_deref());
            let room = WIDTH.saturating_sub(9 + 9 + since.width()).max(16);
            writeln!(
                out,
                "         {:<7}  {}{since}",
                f.status.as_str(),
                truncate(&clean(&label), room, ELLIPSIS)
            )?;
            if !f.description.is_empty() {
                writeln!(
                    out,
                    "                  {}",
                    truncate(&clean(&f.description), WIDTH - 18, ELLIPSIS)
                )?;
            }
        }
        if !h.drifted_columns.is_empty() {
            let cols: Vec<String> = h
                .drifted_columns
                .iter()
                .map(|c| clean(c).into_owned())
                .collect();
            writeln!(
                out,
                "         {}",
                truncate(
                    &format!("drifted: {}", cols.join(", ")),
                    WIDTH - 9,
                    ELLIPSIS
                )
            )?;
        }
        for n in &h.notes {
            let lines = wrap(&format!("note: {}", clean(n)), WIDTH - 9);
            for (i, l) in lines.iter().enumerate() {
                let indent = if i == 0 { 9 } else { 15 };
                writeln!(out, "{}{l}", " ".repeat(indent))?;
            }
        }
    }
    let bad = healths.iter().filter(|h| h.is_bad()).count();
    let newest = healths.iter().filter_map(|h| h.newest).max();
    let newest = newest
        .map(|t| {
            format!(
                " (newest run {}, {} ago)",
                short_time(t, tz),
                crate::text::duration::age(now - t)
            )
        })
        .unwrap_or_default();
    writeln!(out)?;
    if ok {
        writeln!(out, "OK: {} pass{newest}", plural(healths.len(), "project"))?;
    } else {
        writeln!(
            out,
            "FAILED: {bad} of {} failing or stale{newest}",
            plural(healths.len(), "project")
        )?;
    }
    Ok(())
}

/// Split text into lines of at most `width` columns at spaces (continuation
/// lines get 6 columns less, for their deeper indent); a word longer than a
/// line stays whole.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let room = if lines.is_empty() {
            width
        } else {
            width.saturating_sub(6)
        };
        if !line.is_empty() && line.width() + 1 + word.width() > room {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_words_whole_and_lines_short() {
        assert_eq!(wrap("short", 20), ["short"]);
        assert_eq!(
            wrap(
                "note: newest file is unreadable: judged run 01a2230c-8ef4-77f4",
                30
            ),
            // 20 columns (a 21st word would pass 30), then 22 of 24.
            [
                "note: newest file is",
                "unreadable: judged run",
                "01a2230c-8ef4-77f4"
            ]
        );
        assert_eq!(wrap("", 10), [""]);
    }
}
