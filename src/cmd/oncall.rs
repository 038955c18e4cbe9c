//! The on-call headless commands: `check` (is anything failing or stale,
//! as an exit code), `compare` (what changed between two runs) and `tests`
//! (per-test history). Built on [`triage`], [`compare`](crate::analysis::compare) and
//! [`history`]; output helpers are shared with [`crate::cmd`]. Every
//! untrusted string in text output goes through [`clean`]; JSON escapes on
//! its own.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use crate::analysis::compare::{self as cmp, Comparison};
use crate::analysis::history::{self, TestHistory, Window};
use crate::analysis::triage::{self, CheckOptions, ProjectHealth};
use crate::cmd::args::{CheckArgs, CompareArgs, FailOn, GlobalOpts, TestsArgs};
use crate::cmd::{
    counts_text, finite, fmt_num, load, plural, resolve_project, rfc3339, short_time, time_arg,
    truncate, write_json, BoundKind, HeadlessError, Outcome, Result, Table,
};
use crate::index::catalog::{Catalog, ProjectEntry};
use crate::model::{Snapshot, TestCounts, TestStatus};
use crate::parse::TimeZoneChoice;
use crate::text::sanitize::{clean, clean_path};

/// Text output fits this many columns.
const WIDTH: usize = 80;

/// Moved series shown in the text form of `compare` (JSON has all).
const TEXT_MOVED: usize = 15;

// ---------------------------------------------------------------- JSON shapes

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

/// `snapscope compare --json`: the [`Comparison`] plus where A and B come from.
#[derive(Debug, Serialize)]
pub struct CompareJson {
    pub project_id: String,
    pub project_name: String,
    pub a_timestamp: String,
    pub b_timestamp: String,
    /// Set when the default pair is not "latest failing run against the last
    /// passing run before it".
    pub note: Option<&'static str>,
    #[serde(flatten)]
    pub comparison: Comparison,
}

// ---------------------------------------------------------------- selection

/// The project named by `--project`, or the only one in the catalog.
fn project_or_only<'a>(
    catalog: &'a Catalog,
    query: Option<&str>,
    root: &Path,
) -> Result<&'a ProjectEntry> {
    if let Some(q) = query {
        return resolve_project(catalog, q);
    }
    match catalog.projects().as_slice() {
        [] => Err(HeadlessError::NoProjects(clean_path(root))),
        [one] => Ok(one),
        many => Err(project_needed(many, root)),
    }
}

fn project_needed(projects: &[&ProjectEntry], root: &Path) -> HeadlessError {
    HeadlessError::ProjectNeeded {
        path: clean_path(root),
        candidates: projects
            .iter()
            .map(|p| p.project.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn is_keyword(spec: &str) -> bool {
    matches!(spec, "latest" | "latest-pass" | "latest-fail")
}

/// The project for `compare` without `--project`: the only one, or the one
/// holding every snapshot id given.
fn infer_compare_project<'a>(
    catalog: &'a Catalog,
    specs: &[&str],
    root: &Path,
) -> Result<&'a ProjectEntry> {
    let all = catalog.projects();
    if let [one] = all.as_slice() {
        return Ok(one);
    }
    let ids: Vec<&str> = specs.iter().copied().filter(|s| !is_keyword(s)).collect();
    if ids.is_empty() {
        return project_or_only(catalog, None, root);
    }
    for id in &ids {
        if !all.iter().any(|p| cmp::resolve(p, id).is_some()) {
            return Err(HeadlessError::SnapshotNotFound((*id).to_string()));
        }
    }
    let holding: Vec<&ProjectEntry> = all
        .iter()
        .copied()
        .filter(|p| ids.iter().all(|id| cmp::resolve(p, id).is_some()))
        .collect();
    match holding.as_slice() {
        [one] => Ok(one),
        _ => Err(project_needed(&all, root)),
    }
}

/// The condition of the test with this identity in a snapshot, when known.
fn condition<'a>(s: &'a Snapshot, identity: &str) -> Option<&'a str> {
    s.tests
        .iter()
        .find(|t| &*t.identity == identity)
        .and_then(|t| t.condition.as_deref())
}

/// The condition of a test in the newest snapshot that ran it.
fn latest_condition<'a>(p: &'a ProjectEntry, h: &TestHistory) -> Option<&'a str> {
    let i = h.cells.iter().rposition(Option::is_some)?;
    condition(&p.snapshots.get(i)?.snapshot, &h.identity)
}

// ---------------------------------------------------------------- tests

/// `snapscope tests`: per-test history of one project.
pub fn tests(args: &TestsArgs, global: &GlobalOpts, out: &mut dyn Write) -> Result<()> {
    let tz = global.tz;
    let now = Utc::now();
    let since = time_arg("--since", args.since.as_deref(), tz, now, BoundKind::Since)?;
    let until = time_arg("--until", args.until.as_deref(), tz, now, BoundKind::Until)?;
    let (catalog, report) = load(&args.path, global)?;
    let p = project_or_only(&catalog, args.project.as_deref(), &report.root)?;
    let window = Window { since, until };
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
            WIDTH
        )
    )?;
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
            truncate(&clean(&label), test_w),
        ]);
        if h.latest_status.is_failure() {
            if let Some(d) = &h.latest_failure {
                t.note(format!("  {}", truncate(&clean(d), WIDTH - 2)));
            }
        }
    }
    t.write(out)?;
    Ok(())
}

// ---------------------------------------------------------------- check

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
        let name = truncate(&clean(&h.name), name_w);
        let pad = name_w.saturating_sub(name.width());
        writeln!(
            out,
            "{}",
            format!("{state:<7}  {name}{}  {counts}", " ".repeat(pad)).trim_end()
        )?;
        match (judged_run, h.timestamp) {
            (Some(s), Some(t)) => {
                writeln!(out, "         run {}  {}", clean(&s.id), short_time(t, tz))?
            }
            _ => writeln!(out, "         no run with tests")?,
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
                truncate(&clean(&label), room)
            )?;
            if !f.description.is_empty() {
                writeln!(
                    out,
                    "                  {}",
                    truncate(&clean(&f.description), WIDTH - 18)
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
                truncate(&format!("drifted: {}", cols.join(", ")), WIDTH - 9)
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
                triage::human_age(now - t)
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

// ---------------------------------------------------------------- compare

/// `snapscope compare`: what changed between snapshots A and B of a project.
pub fn compare(args: &CompareArgs, global: &GlobalOpts, out: &mut dyn Write) -> Result<()> {
    let tz = global.tz;
    let (catalog, report) = load(&args.path, global)?;
    let specs: Vec<&str> = [args.a.as_deref(), args.b.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    let p = match &args.project {
        Some(q) => resolve_project(&catalog, q)?,
        None => infer_compare_project(&catalog, &specs, &report.root)?,
    };
    let pick = |spec: &str| {
        cmp::resolve(p, spec).ok_or_else(|| HeadlessError::NoSnapshotIn {
            spec: spec.to_string(),
            project: p.project.name.clone(),
        })
    };
    let mut note = None;
    let (a, b) = match (args.a.as_deref(), args.b.as_deref()) {
        (Some(a), Some(b)) => (pick(a)?, pick(b)?),
        _ => match cmp::default_pair(p) {
            Some((a, b)) => {
                if !cmp::passed(&a) {
                    note =
                        Some("no run before it passed: compared with the run with tests before it");
                }
                (a, b)
            }
            None => {
                let pair = fallback_pair(p)
                    .ok_or_else(|| HeadlessError::NoComparePair(p.project.name.clone()))?;
                note = Some("no failing run to explain: compared the last two runs with tests");
                pair
            }
        },
    };
    let comparison = cmp::compare(&a, &b);
    if args.json {
        let v = CompareJson {
            project_id: p.project.id.clone(),
            project_name: p.project.name.clone(),
            a_timestamp: rfc3339(a.timestamp, tz),
            b_timestamp: rfc3339(b.timestamp, tz),
            note,
            comparison,
        };
        return write_json(out, &v);
    }
    compare_text(p, &a, &b, &comparison, note, tz, out)
}

/// The latest run with tests and the run with tests before it.
fn fallback_pair(p: &ProjectEntry) -> Option<(Arc<Snapshot>, Arc<Snapshot>)> {
    let mut with_tests = p
        .snapshots
        .iter()
        .rev()
        .filter(|e| !e.snapshot.tests.is_empty());
    let b = with_tests.next()?;
    let a = with_tests.next()?;
    Some((a.snapshot.clone(), b.snapshot.clone()))
}

fn status_or_dash(s: Option<TestStatus>) -> &'static str {
    s.map_or("-", TestStatus::as_str)
}

fn drift_word(d: Option<bool>) -> &'static str {
    match d {
        Some(true) => "yes",
        Some(false) => "no",
        None => "-",
    }
}

fn compare_text(
    p: &ProjectEntry,
    a: &Snapshot,
    b: &Snapshot,
    c: &Comparison,
    note: Option<&str>,
    tz: TimeZoneChoice,
    out: &mut dyn Write,
) -> Result<()> {
    writeln!(out, "{}", truncate(&clean(&p.project.name), WIDTH))?;
    if let Some(n) = note {
        writeln!(out, "note: {n}")?;
    }
    for (label, s) in [("A", a), ("B", b)] {
        writeln!(
            out,
            "{label}  {}  {}  {}",
            clean(&s.id),
            short_time(s.timestamp, tz),
            truncate(&counts_text(&s.test_counts()), 20)
        )?;
    }

    writeln!(
        out,
        "\nFLIPPED TESTS ({}; - = not in that run)",
        c.flipped.len()
    )?;
    if c.flipped.is_empty() {
        writeln!(out, "  none")?;
    } else {
        let mut t = Table::new(&["FROM", "TO", "TEST"]);
        for f in &c.flipped {
            // Same name, other configuration: the condition tells them apart.
            let twin = c.flipped.iter().filter(|g| g.test == f.test).count() > 1;
            let s = if f.to.is_some() { b } else { a };
            let label = match condition(s, &f.identity).filter(|_| twin) {
                Some(cond) => format!("{} [{cond}]", f.test),
                None => f.test.clone(),
            };
            t.row(vec![
                status_or_dash(f.from).to_string(),
                status_or_dash(f.to).to_string(),
                truncate(&clean(&label), WIDTH - 18),
            ]);
        }
        t.write(out)?;
    }

    let shown = c.moved.len().min(TEXT_MOVED);
    let of = if shown < c.moved.len() {
        format!("top {shown} of {}, ", c.moved.len())
    } else {
        String::new()
    };
    writeln!(out, "\nMOVED SERIES ({of}largest relative change first)")?;
    if c.moved.is_empty() {
        writeln!(out, "  none")?;
    } else {
        let cells: Vec<[String; 4]> = c.moved[..shown]
            .iter()
            .map(|m| {
                [
                    fmt_num(m.a),
                    fmt_num(m.b),
                    signed(m.delta),
                    m.relative
                        .map(|r| format!("{:+.1}%", r * 100.0))
                        .unwrap_or_else(|| "-".into()),
                ]
            })
            .collect();
        let used: usize = (0..4)
            .map(|i| {
                cells
                    .iter()
                    .map(|r| r[i].width())
                    .chain([["A", "B", "DELTA", "REL"][i].len()])
                    .max()
                    .unwrap_or(0)
                    + 2
            })
            .sum();
        let room = WIDTH.saturating_sub(used).max(16);
        let mut t = Table::new(&["A", "B", "DELTA", "REL", "SERIES"]);
        t.right(&[0, 1, 2, 3]);
        for (m, [va, vb, d, r]) in c.moved[..shown].iter().zip(cells) {
            t.row(vec![va, vb, d, r, truncate(&clean(&m.series), room)]);
        }
        t.write(out)?;
    }

    writeln!(out, "\nDRIFT CHANGES ({})", c.drift_changed.len())?;
    if c.drift_changed.is_empty() {
        writeln!(out, "  none")?;
    } else {
        let mut t = Table::new(&["A", "B", "COLUMN"]);
        for d in &c.drift_changed {
            t.row(vec![
                drift_word(d.a).to_string(),
                drift_word(d.b).to_string(),
                truncate(&clean(&d.column), WIDTH - 10),
            ]);
        }
        t.write(out)?;
    }

    writeln!(out, "\nTAGS AND METADATA ({})", c.tags_metadata.len())?;
    if c.tags_metadata.is_empty() {
        writeln!(out, "  none")?;
    } else {
        let mut t = Table::new(&["KIND", "KEY", "A", "B"]);
        for m in &c.tags_metadata {
            t.row(vec![
                m.kind.to_string(),
                truncate(&clean(&m.key), 24),
                truncate(&clean(m.a.as_deref().unwrap_or("-")), 20),
                truncate(&clean(m.b.as_deref().unwrap_or("-")), 20),
            ]);
        }
        t.write(out)?;
    }
    Ok(())
}

/// A number with its sign: `+0.25`, `-3`.
fn signed(v: f64) -> String {
    let s = fmt_num(v);
    if v > 0.0 {
        format!("+{s}")
    } else {
        s
    }
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
