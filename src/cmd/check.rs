//! `snapscope check`: is any project failing, stale or unreadable, as an exit code
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
use crate::cmd::output::{
    counts_text, join_fit, label_parts, name_then, path_string, rfc3339, short_time, text_width,
    wrap, write_json, ProblemJson,
};
use crate::cmd::select::{load, resolve_project};
use crate::index::{Catalog, ProjectEntry, Unreadable};
use crate::model::{Snapshot, TestCounts, TestStatus};
use crate::parse::TimeZoneChoice;
use crate::text::num::plural;
use crate::text::sanitize::{clean, clean_path};
use crate::text::width::{pad, ELLIPSIS};

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
    /// Folders of PATH that could not be read and belong to no project
    /// (they do not fail the check: nothing says they are projects).
    pub problems: Vec<ProblemJson>,
}

/// One project of `snapscope check --json`.
#[derive(Debug, Serialize)]
pub struct CheckProjectJson {
    pub project_id: String,
    pub name: String,
    /// False when this project fails the check.
    pub ok: bool,
    /// `fail`, `error`, `warning` (with `--fail-on warning`), `unreadable`,
    /// `stale`, `ok` or `no_tests`.
    pub status: &'static str,
    /// Why an `unreadable` project holds no readable run; null otherwise.
    pub problem: Option<ProblemJson>,
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
    /// Runs dated more than a day ahead of the clock: neither judged nor
    /// counted as `newest`.
    pub future_dated: Vec<RunJson>,
    /// What is wrong without failing the project (future-dated runs).
    pub warnings: Vec<String>,
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
    /// The measured value; null when the file states none (an ERROR test on
    /// a label the metric does not have, for one).
    pub value: Option<f64>,
    /// The condition in readable form, where known.
    pub condition: Option<String>,
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
    if let Some(path) = &args.junit {
        let opts = crate::cmd::junit::JunitOptions {
            fail_on_warning: opts.fail_on_warning,
            max_age: args.max_age,
            tz,
            checked_at: now,
        };
        crate::cmd::junit::write_junit(path, &catalog, &healths, &opts)?;
    }
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
            problems: outside_projects(&catalog)
                .map(|u| ProblemJson {
                    path: path_string(&u.path),
                    reason: u.reason.clone(),
                })
                .collect(),
        };
        write_json(out, &v)
    } else {
        check_text(&catalog, &healths, ok, now, tz, text_width(args.width), out)
    };
    match written {
        // The verdict stands even when the reader stopped listening (`| head`).
        Err(e) if e.is_broken_pipe() => Ok(outcome),
        Err(e) => Err(e),
        Ok(()) => Ok(outcome),
    }
}

/// What could not be read and belongs to no project (a folder of the
/// workspace that cannot be listed and is not named as a project).
fn outside_projects(catalog: &Catalog) -> impl Iterator<Item = &Unreadable> {
    catalog.unreadable().filter(|u| u.project_id.is_none())
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

/// The run `check` judged for `h`: its latest snapshot with tests.
pub(crate) fn judged<'a>(catalog: &'a Catalog, h: &ProjectHealth) -> Option<&'a Arc<Snapshot>> {
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
        status: h.verdict().key(),
        problem: h.problem.as_ref().map(|p| ProblemJson {
            path: path_string(&p.path),
            reason: p.reason.clone(),
        }),
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
                value: crate::cmd::output::finite(f.value),
                condition: f.condition.clone(),
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
        future_dated: h
            .future_dated
            .iter()
            .map(|r| RunJson {
                snapshot_id: r.snapshot_id.clone(),
                timestamp: rfc3339(r.timestamp, tz),
            })
            .collect(),
        warnings: h.warnings.clone(),
    }
}

fn check_text(
    catalog: &Catalog,
    healths: &[ProjectHealth],
    ok: bool,
    now: DateTime<Utc>,
    tz: TimeZoneChoice,
    width: Option<usize>,
    out: &mut dyn Write,
) -> Result<()> {
    // Room after an indent of `n` columns (`None`: no limit).
    let room = |n: usize| width.map(|w| w.saturating_sub(n));
    // A line of words at an indent, wrapped (never cut) to the width.
    let say = |out: &mut dyn Write, indent: usize, text: &str| -> Result<()> {
        let r = room(indent);
        for l in wrap(text, r, r.unwrap_or(0)) {
            writeln!(out, "{}{l}", " ".repeat(indent))?;
        }
        Ok(())
    };
    let counts_of = |h: &ProjectHealth| {
        judged(catalog, h)
            .map(|s| counts_text(&s.test_counts()))
            .unwrap_or_default()
    };
    // Uncut, names are padded to the longest so the counts line up.
    let longest = healths.iter().map(|h| clean(&h.name).width()).max();
    // The status column: 7 wide, wider for UNREADABLE.
    let state_w = healths
        .iter()
        .map(|h| h.verdict().label().len())
        .fold(7, usize::max);
    for h in healths {
        let state = h.verdict().label();
        let judged_run = judged(catalog, h);
        let counts = counts_of(h);
        // The counts are never cut: the name gives way.
        let name_w = match width {
            Some(w) => w.saturating_sub(state_w + 2 + 2 + counts.width()).max(16),
            None => longest.unwrap_or(0),
        };
        let name = pad(&clean(&h.name), name_w, ELLIPSIS);
        writeln!(
            out,
            "{}",
            format!("{state:<state_w$}  {name}  {counts}").trim_end()
        )?;
        match (judged_run, h.timestamp, &h.problem) {
            (Some(s), Some(t), _) => say(
                out,
                9,
                &format!("run {}  {}", clean(&s.id), short_time(t, tz)),
            )?,
            (_, _, Some(p)) => say(
                out,
                9,
                &format!("unreadable: {}: {}", clean_path(&p.path), clean(&p.reason)),
            )?,
            _ => say(out, 9, "no run with tests")?,
        }
        if let Some(since) = &h.streak.failing_since {
            let pass = match &h.streak.last_pass {
                Some(p) => format!("last pass {}", short_time(p.timestamp, tz)),
                None => "no run with tests passed".to_string(),
            };
            say(
                out,
                9,
                &format!("failing since {}; {pass}", short_time(since.timestamp, tz)),
            )?;
        }
        for f in &h.failing {
            let since = f
                .failing_since
                .map(|t| format!("  since {}", short_time(t, tz)))
                .unwrap_or_default();
            let label = crate::model::test_label(&f.name, f.column.as_deref());
            // The condition and the since are never cut: the name gives way.
            let (name, cond) = label_parts(&label, f.condition.as_deref(), true);
            // When the name would keep too little beside both, the since
            // goes to a line of its own.
            let both = format!("{cond}{since}");
            let apart = room(18).is_some_and(|r| r < both.width() + 12);
            let keep = if apart { cond } else { both };
            writeln!(
                out,
                "         {:<7}  {}",
                f.status.as_str(),
                name_then(&name, &keep, room(18), 12)
            )?;
            if apart && !since.is_empty() {
                writeln!(out, "                  {}", since.trim_start())?;
            }
            let no_value = f.status == TestStatus::Error && f.value.is_none();
            let desc = match (no_value, f.description.is_empty()) {
                (true, true) => "no measured value".to_string(),
                (true, false) => format!("no measured value: {}", clean(&f.description)),
                (false, _) => clean(&f.description).into_owned(),
            };
            if !desc.is_empty() {
                // Wrapped, not cut: the description holds the value.
                for l in wrap(&desc, room(18), room(18).unwrap_or(0)) {
                    writeln!(out, "                  {l}")?;
                }
            }
        }
        if !h.drifted_columns.is_empty() {
            let cols: Vec<String> = h
                .drifted_columns
                .iter()
                .map(|c| clean(c).into_owned())
                .collect();
            let shown = join_fit(&cols, room(9 + "drifted: ".len()));
            writeln!(out, "         drifted: {shown}")?;
        }
        let notes = h.warnings.iter().map(|w| ("warning", w));
        for (kind, n) in notes.chain(h.notes.iter().map(|n| ("note", n))) {
            let lines = wrap(
                &format!("{kind}: {}", clean(n)),
                room(9),
                room(15).unwrap_or(0),
            );
            for (i, l) in lines.iter().enumerate() {
                let indent = if i == 0 { 9 } else { 15 };
                writeln!(out, "{}{l}", " ".repeat(indent))?;
            }
        }
    }
    for u in outside_projects(catalog) {
        writeln!(out)?;
        say(
            out,
            0,
            &format!(
                "note: not a project, not checked: {}: {}",
                clean_path(&u.path),
                clean(&u.reason)
            ),
        )?;
    }
    let bad = healths.iter().filter(|h| h.is_bad()).count();
    let unreadable = healths.iter().filter(|h| h.problem.is_some()).count();
    let newest = healths.iter().filter_map(|h| h.newest).max();
    let newest = newest.map(|t| {
        format!(
            "newest run {}, {} ago",
            short_time(t, tz),
            crate::text::duration::age(now - t)
        )
    });
    let unreadable = (unreadable > 0).then(|| format!("{unreadable} unreadable"));
    let newest = match (unreadable, newest) {
        (Some(u), Some(n)) => format!(" ({u}; {n})"),
        (Some(x), None) | (None, Some(x)) => format!(" ({x})"),
        (None, None) => String::new(),
    };
    writeln!(out)?;
    let verdict = if ok {
        format!("OK: {} pass{newest}", plural(healths.len(), "project"))
    } else {
        let what = match healths.iter().any(|h| h.problem.is_some()) {
            false => "failing or stale",
            true => "failing, stale or unreadable",
        };
        format!(
            "FAILED: {bad} of {} {what}{newest}",
            plural(healths.len(), "project")
        )
    };
    say(out, 0, &verdict)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_words_whole_and_lines_short() {
        assert_eq!(wrap("short", Some(20), 14), ["short"]);
        assert_eq!(
            wrap(
                "note: newest file is unreadable: judged run 01a2230c-8ef4-77f4",
                Some(30),
                24
            ),
            // 20 columns (a 21st word would pass 30), then 22 of 24.
            [
                "note: newest file is",
                "unreadable: judged run",
                "01a2230c-8ef4-77f4"
            ]
        );
        assert_eq!(wrap("", Some(10), 4), [""]);
    }
}
