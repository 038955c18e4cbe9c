//! `snapscope tests`: the history of every test of one project, from
//! [`history`]: latest status, failing since, fail count in the window.

use std::io::Write;
use std::sync::Arc;

use chrono::Utc;
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use crate::analysis::history::{self, TestHistory, Window};
use crate::analysis::triage::failure_streak;
use crate::cmd::args::{GlobalOpts, TestsArgs};
use crate::cmd::error::Result;
use crate::cmd::output::{finite, rfc3339, short_time, write_json, Table, WIDTH};
use crate::cmd::select::{latest_condition, load, project_or_only, Selection};
use crate::index::ProjectEntry;
use crate::model::TestStatus;
use crate::parse::TimeZoneChoice;
use crate::text::num::plural;
use crate::text::sanitize::clean;
use crate::text::width::{truncate, ELLIPSIS};

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
    /// Start of the current unbroken run of FAIL/ERROR; null when passing now.
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
    tests_text(p, &rows, window, tz, out)
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
    }
}

fn tests_text(
    p: &ProjectEntry,
    rows: &[TestHistory],
    window: Window,
    tz: TimeZoneChoice,
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
        truncate(
            &format!(
                "{}  ({} over {} with tests{span})",
                clean(&p.project.name),
                plural(rows.len(), "test"),
                plural(with_tests, "run"),
            ),
            WIDTH,
            ELLIPSIS,
        )
    )?;
    let streak = failure_streak(p);
    let pass = match &streak.last_pass {
        Some(r) => format!("last pass {}", short_time(r.timestamp, tz)),
        None => "no run with tests passed".to_string(),
    };
    match &streak.failing_since {
        Some(r) => writeln!(
            out,
            "project failing since {}; {pass}",
            short_time(r.timestamp, tz)
        )?,
        None if streak.last_pass.is_some() => writeln!(out, "project passing; {pass}")?,
        None => {}
    }
    if rows.is_empty() {
        writeln!(out, "No tests in this project's snapshots.")?;
        return Ok(());
    }
    let fails: Vec<String> = rows
        .iter()
        .map(|h| format!("{}/{}", h.fail_count, h.runs))
        .collect();
    let fails_w = fails.iter().map(|f| f.width()).max().unwrap_or(0).max(5);
    // STATUS (7), FAILS, FAILING SINCE (16), three gaps of two: the rest is TEST.
    let test_w = WIDTH.saturating_sub(7 + fails_w + 16 + 6).max(12);
    let mut t = Table::new(&["STATUS", "FAILS", "FAILING SINCE", "TEST"]);
    t.right(&[1]);
    for (h, f) in rows.iter().zip(fails) {
        // Same label, other configuration: the condition tells them apart.
        let label = h.label();
        let twin = rows.iter().filter(|o| o.label() == label).count() > 1;
        let label = match latest_condition(p, h).filter(|_| twin) {
            Some(c) => format!("{label} [{c}]"),
            None => label,
        };
        t.row(vec![
            h.latest_status.as_str().to_string(),
            f,
            h.failing_since
                .map(|s| short_time(s, tz))
                .unwrap_or_else(|| "-".into()),
            truncate(&clean(&label), test_w, ELLIPSIS),
        ]);
        if h.latest_status.is_failure() {
            if let Some(d) = &h.latest_failure {
                t.note(format!("  {}", truncate(&clean(d), WIDTH - 2, ELLIPSIS)));
            }
        }
    }
    t.write(out)?;
    Ok(())
}
