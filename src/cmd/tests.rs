//! `snapscope tests`: the history of every test of one project, from
//! [`history`]: latest status, failing since, fail count in the window.

use std::io::Write;
use std::sync::Arc;

use chrono::Utc;
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use crate::analysis::history::{self, TestHistory, Window};
use crate::analysis::triage::{failure_streak, project_problem, ProjectProblem};
use crate::cmd::args::{GlobalOpts, TestsArgs};
use crate::cmd::error::Result;
use crate::cmd::output::{
    finite, label_parts, name_then, rfc3339, short_time, text_width, wrap, write_json, Table,
};
use crate::cmd::select::{latest_condition, load, project_or_only, Selection};
use crate::index::ProjectEntry;
use crate::model::TestStatus;
use crate::parse::TimeZoneChoice;
use crate::text::num::plural;
use crate::text::sanitize::{clean, clean_path};

/// One row of `snapscope tests --json`.
#[derive(Debug, Serialize)]
pub struct TestHistoryJson {
    /// Type + configuration: the key tests are matched by across snapshots.
    pub identity: Arc<str>,
    pub name: Arc<str>,
    pub column: Option<Arc<str>>,
    pub test_type: Arc<str>,
    /// Name with the column, as shown in text.
    pub label: String,
    pub latest_status: TestStatus,
    pub latest_snapshot_id: String,
    pub latest_timestamp: String,
    /// The test's own failing since (per-test rule: only runs that ran it
    /// count): the start of its unbroken run of FAIL/ERROR; null when its
    /// newest outcome passes. See `in_latest` for whether it fails now.
    pub failing_since: Option<String>,
    /// Length of that run, in snapshots that ran the test.
    pub failing_streak: usize,
    /// FAIL/ERROR outcomes in the window.
    pub fail_count: usize,
    /// Snapshots in the window that ran the test.
    pub runs: usize,
    pub fail_rate: Option<f64>,
    /// Description of the newest FAIL/ERROR in the window.
    pub latest_failure: Option<String>,
    /// The condition in readable form (newest run), where known.
    pub condition: Option<String>,
    /// The test ran in the project's latest run with tests: only then can it
    /// be failing now.
    pub in_latest: bool,
    /// The last run in which the test ran (the same time as `latest_timestamp`).
    pub last_run: String,
    /// FAIL/ERROR in the latest run with tests.
    pub failing_now: bool,
}

/// `snapscope tests`: per-test history of one project.
pub fn tests(args: &TestsArgs, global: &GlobalOpts, out: &mut dyn Write) -> Result<()> {
    let tz = global.tz;
    let now = Utc::now();
    let selection =
        Selection::from_flags(args.since.as_deref(), args.until.as_deref(), &[], tz, now)?;
    let (catalog, report) = load(&args.path, global)?;
    let p = project_or_only(&catalog, args.project.as_deref(), &report.root)?;
    let window = Window {
        since: selection.since,
        until: selection.until,
    };
    let mut rows = history::test_history(p, window);
    if window != Window::ALL {
        rows.retain(|h| h.runs > 0);
    }
    if args.json {
        let v: Vec<TestHistoryJson> = rows.iter().map(|h| test_history_json(p, h, tz)).collect();
        return write_json(out, &v);
    }
    let problem = project_problem(&catalog, p);
    tests_text(p, &rows, problem, window, tz, text_width(args.width), out)
}

fn test_history_json(p: &ProjectEntry, h: &TestHistory, tz: TimeZoneChoice) -> TestHistoryJson {
    TestHistoryJson {
        identity: h.identity.clone(),
        name: h.name.clone(),
        column: h.column.clone(),
        test_type: h.test_type.clone(),
        label: h.label(),
        latest_status: h.latest_status,
        latest_snapshot_id: h.latest_snapshot_id.clone(),
        latest_timestamp: rfc3339(h.latest_timestamp, tz),
        failing_since: h.failing_since.map(|t| rfc3339(t, tz)),
        failing_streak: h.failing_streak,
        fail_count: h.fail_count,
        runs: h.runs,
        fail_rate: finite(h.fail_rate()),
        latest_failure: h.latest_failure.clone(),
        condition: latest_condition(p, h).map(str::to_string),
        in_latest: h.in_latest,
        last_run: rfc3339(h.latest_timestamp, tz),
        failing_now: h.failing_now(),
    }
}

fn tests_text(
    p: &ProjectEntry,
    rows: &[TestHistory],
    problem: Option<ProjectProblem>,
    window: Window,
    tz: TimeZoneChoice,
    width: Option<usize>,
    out: &mut dyn Write,
) -> Result<()> {
    let with_tests = p
        .snapshots
        .iter()
        .filter(|e| !e.snapshot.tests.is_empty() && window.contains(e.snapshot.timestamp))
        .count();
    let span = match (window.since, window.until) {
        (None, None) => String::new(),
        (a, b) => format!(
            ", {} .. {}",
            a.map(|t| short_time(t, tz)).unwrap_or_default(),
            b.map(|t| short_time(t, tz)).unwrap_or_default()
        ),
    };
    writeln!(
        out,
        "{}",
        name_then(
            &clean(&p.project.name),
            &format!(
                "  ({} over {} with tests{span})",
                plural(rows.len(), "test"),
                plural(with_tests, "run"),
            ),
            width,
            12,
        )
    )?;
    let streak = failure_streak(p);
    let pass = match &streak.last_pass {
        Some(r) => format!("last pass {}", short_time(r.timestamp, tz)),
        None => "no run with tests passed".to_string(),
    };
    // Lines of words wrap (never cut) to the width.
    let say = |out: &mut dyn Write, text: &str| -> Result<()> {
        for l in wrap(text, width, width.unwrap_or(0)) {
            writeln!(out, "{l}")?;
        }
        Ok(())
    };
    match &streak.failing_since {
        Some(r) => say(
            out,
            &format!(
                "project failing since {} (run rule); {pass}",
                short_time(r.timestamp, tz)
            ),
        )?,
        None if streak.last_pass.is_some() => say(out, &format!("project passing; {pass}"))?,
        None => {}
    }
    if let Some(u) = problem {
        let path = clean_path(&u.path);
        say(out, &format!("unreadable: {path}: {}", clean(&u.reason)))?;
        return Ok(());
    }
    if rows.is_empty() {
        writeln!(out, "No tests in this project's snapshots.")?;
        return Ok(());
    }
    let latest = p
        .snapshots
        .iter()
        .rev()
        .find(|e| !e.snapshot.tests.is_empty());
    let (now, gone): (Vec<&TestHistory>, Vec<&TestHistory>) =
        rows.iter().partition(|h| h.in_latest);
    if let Some(e) = latest {
        let failing = now.iter().filter(|h| h.failing_now()).count();
        let gone_txt = if gone.is_empty() {
            String::new()
        } else {
            format!("; {} not in it", gone.len())
        };
        say(
            out,
            &format!(
                "latest run with tests {}: {failing} failing now of {}{gone_txt}",
                short_time(e.snapshot.timestamp, tz),
                plural(now.len(), "test"),
            ),
        )?;
    }
    // Same label, other configuration: the condition tells them apart. An
    // ERROR test shows its condition always (its value may be missing).
    let label = |h: &TestHistory| {
        let twin = rows.iter().filter(|o| o.label() == h.label()).count() > 1;
        let show = twin || h.latest_status == TestStatus::Error;
        label_parts(&h.label(), latest_condition(p, h), show)
    };
    let fails_of = |hs: &[&TestHistory]| -> Vec<String> {
        hs.iter()
            .map(|h| format!("{}/{}", h.fail_count, h.runs))
            .collect()
    };
    let table = |hs: &[&TestHistory], headers: &[&str], notes: bool| -> Table {
        let fails = fails_of(hs);
        let fails_w = fails.iter().map(|f| f.width()).max().unwrap_or(0).max(5);
        // STATUS (7), FAILS, a time (16), three gaps of two: the rest is TEST.
        let test_w = width.map(|w| w.saturating_sub(7 + fails_w + 16 + 6).max(12));
        let mut t = Table::new(headers);
        t.right(&[1]);
        for (h, f) in hs.iter().zip(fails) {
            let (name, cond) = label(h);
            let when = if h.in_latest {
                h.failing_since.map(|s| short_time(s, tz))
            } else {
                Some(short_time(h.latest_timestamp, tz))
            };
            t.row(vec![
                h.latest_status.as_str().to_string(),
                f,
                when.unwrap_or_else(|| "-".into()),
                name_then(&name, &cond, test_w, 8),
            ]);
            if notes && h.failing_now() {
                if let Some(d) = &h.latest_failure {
                    let no_value =
                        h.latest_status == TestStatus::Error && latest_value(p, h).is_none();
                    let d = if no_value {
                        format!("no measured value: {}", clean(d))
                    } else {
                        clean(d).into_owned()
                    };
                    let room = width.map(|w| w.saturating_sub(2));
                    for l in wrap(&d, room, room.unwrap_or(0)) {
                        t.note(format!("  {l}"));
                    }
                }
            }
        }
        t
    };
    if !now.is_empty() {
        table(&now, &["STATUS", "FAILS", "FAILING SINCE", "TEST"], true).write(out)?;
    }
    if !gone.is_empty() {
        if !now.is_empty() {
            writeln!(out)?;
        }
        writeln!(
            out,
            "Not in the latest run ({}), not failing now:",
            gone.len()
        )?;
        table(&gone, &["LAST", "FAILS", "LAST RAN", "TEST"], false).write(out)?;
    }
    Ok(())
}

/// The measured value of a test in the newest snapshot that ran it.
fn latest_value(p: &ProjectEntry, h: &TestHistory) -> Option<f64> {
    let i = h.cells.iter().rposition(Option::is_some)?;
    p.snapshots
        .get(i)?
        .snapshot
        .tests
        .iter()
        .find(|t| t.identity == h.identity)
        .and_then(|t| t.value)
}
