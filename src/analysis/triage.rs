//! On-call triage: the state of each project's latest run with tests, what
//! fails, since when, and whether the project went quiet. A project that
//! exists but cannot be read (its folder or `snapshots/` cannot be listed,
//! or not one of its files can be read) is a [`ProjectProblem`] and fails;
//! runs dated more than a day ahead of the clock are flagged and neither
//! judged nor counted as fresh.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::analysis::history::{failing_since, severity};
use crate::index::{Catalog, ProjectEntry};
use crate::model::{DriftCount, TestOutcome, TestStatus};

/// A failing test in a project's latest run with tests.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FailingTest {
    pub name: Arc<str>,
    pub status: TestStatus,
    pub description: String,
    /// Start of the current unbroken run of FAIL/ERROR (`None` for warnings).
    pub failing_since: Option<DateTime<Utc>>,
    pub identity: Arc<str>,
    pub column: Option<Arc<str>>,
    /// The measured value; `None` when the file states none (an ERROR test
    /// whose metric has no value for what it asks, such as a missing label).
    pub value: Option<f64>,
    /// The condition in readable form, where known.
    pub condition: Option<String>,
}

/// One run of a project, named by id and time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunRef {
    pub snapshot_id: String,
    pub timestamp: DateTime<Utc>,
}

/// A project's failure streak by the run rule: only runs that carry tests
/// count, and a run *passes* when none of its tests is FAIL or ERROR.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Streak {
    /// The first run of the current streak of failing runs: the first run
    /// with tests after the last pass (the first run with tests when none
    /// passed). `None` when the latest run with tests passes.
    pub failing_since: Option<RunRef>,
    /// The newest run with tests that passed.
    pub last_pass: Option<RunRef>,
}

/// The [`Streak`] of `p`, walking back from its newest snapshot only as far
/// as the last pass.
pub fn failure_streak(p: &ProjectEntry) -> Streak {
    let run = |e: &crate::index::SnapshotEntry| RunRef {
        snapshot_id: e.snapshot.id.clone(),
        timestamp: e.snapshot.timestamp,
    };
    let mut streak = Streak::default();
    for e in p.snapshots.iter().rev() {
        let tests = &e.snapshot.tests;
        if tests.is_empty() {
            continue;
        }
        if tests.iter().any(|t| t.status.is_failure()) {
            streak.failing_since = Some(run(e));
        } else {
            streak.last_pass = Some(run(e));
            break;
        }
    }
    streak
}

/// How far ahead of the clock a run may be dated and still count: clocks
/// of the machines writing snapshots drift, but not by a day.
pub fn future_slack() -> Duration {
    Duration::days(1)
}

/// Why a project that exists cannot be judged: nothing of it could be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectProblem {
    /// The folder (or file) that could not be read.
    pub path: PathBuf,
    /// One-line reason, from the OS or the parser.
    pub reason: String,
}

/// What `check` says of a project, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Its judged run has this (worst) failing status.
    Failing(TestStatus),
    /// It exists but holds no readable run ([`ProjectProblem`]).
    Unreadable,
    /// Its newest run is older than the allowed age.
    Stale,
    /// Its latest run with tests passes.
    Ok,
    /// It has no run with tests, and nothing is wrong.
    NoTests,
}

impl Verdict {
    /// The word in the status column of `check`'s text.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Failing(s) => s.as_str(),
            Verdict::Unreadable => "UNREADABLE",
            Verdict::Stale => "STALE",
            Verdict::Ok => "ok",
            Verdict::NoTests => "-",
        }
    }

    /// The `status` of `check --json`.
    pub fn key(self) -> &'static str {
        match self {
            Verdict::Failing(TestStatus::Error) => "error",
            Verdict::Failing(TestStatus::Warning) => "warning",
            Verdict::Failing(_) => "fail",
            Verdict::Unreadable => "unreadable",
            Verdict::Stale => "stale",
            Verdict::Ok => "ok",
            Verdict::NoTests => "no_tests",
        }
    }
}

/// The health of one project.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectHealth {
    pub project_id: String,
    pub name: String,
    /// The latest snapshot that carries tests.
    pub snapshot_id: Option<String>,
    pub timestamp: Option<DateTime<Utc>>,
    /// Its FAIL/ERROR tests (and WARNING ones with `fail_on_warning`), worst first.
    pub failing: Vec<FailingTest>,
    /// Since when the project fails and when it last passed, by the run rule
    /// (a test's own `failing_since` follows that test alone).
    pub streak: Streak,
    /// Columns drifted in the project's newest snapshot with drift rows.
    pub drifted_columns: Vec<Arc<str>>,
    /// Drifted columns out of columns measured, in the project's newest
    /// snapshot that reports them (per column or as a dataset-level count).
    pub drift: Option<DriftCount>,
    /// Timestamp of the project's newest snapshot of any kind.
    pub newest: Option<DateTime<Utc>>,
    /// The newest snapshot is older than the allowed age.
    pub stale: bool,
    /// Unreadable or pending files in the project (their runs are not judged).
    pub unreadable: usize,
    /// Human notes ("newest file is unreadable, judged the last complete run", ...).
    pub notes: Vec<String>,
    /// Set when the project holds no readable run but something of it could
    /// not be read: it fails, UNREADABLE.
    pub problem: Option<ProjectProblem>,
    /// Runs dated more than [`future_slack`] ahead of the clock, oldest
    /// first: not judged, not counted as the newest.
    pub future_dated: Vec<RunRef>,
    /// What is wrong but does not fail the project (future-dated runs).
    pub warnings: Vec<String>,
}

impl ProjectHealth {
    /// True when this project makes `check` fail.
    pub fn is_bad(&self) -> bool {
        !self.failing.is_empty() || self.stale || self.problem.is_some()
    }

    /// What `check` says of it.
    pub fn verdict(&self) -> Verdict {
        match (self.worst(), &self.problem) {
            (Some(s), _) => Verdict::Failing(s),
            (None, Some(_)) => Verdict::Unreadable,
            (None, None) if self.stale => Verdict::Stale,
            (None, None) if self.snapshot_id.is_none() => Verdict::NoTests,
            (None, None) => Verdict::Ok,
        }
    }

    /// Worst status among failing tests.
    pub fn worst(&self) -> Option<TestStatus> {
        self.failing
            .iter()
            .map(|f| f.status)
            .min_by_key(|s| severity(*s))
    }
}

/// What counts as a failure.
#[derive(Debug, Clone, Copy, Default)]
pub struct CheckOptions {
    /// Newest snapshot older than this makes the project stale.
    pub max_age: Option<Duration>,
    /// Count WARNING as failing too.
    pub fail_on_warning: bool,
}

/// Health of one project at `now`.
pub fn project_health(
    catalog: &Catalog,
    p: &ProjectEntry,
    opts: CheckOptions,
    now: DateTime<Utc>,
) -> ProjectHealth {
    // Runs dated far ahead are left out of everything judged below.
    let horizon = now + future_slack();
    let cut = p
        .snapshots
        .partition_point(|e| e.snapshot.timestamp <= horizon);
    let future_dated: Vec<RunRef> = p.snapshots[cut..]
        .iter()
        .map(|e| RunRef {
            snapshot_id: e.snapshot.id.clone(),
            timestamp: e.snapshot.timestamp,
        })
        .collect();
    let present;
    let p = if future_dated.is_empty() {
        p
    } else {
        present = ProjectEntry {
            project: p.project.clone(),
            snapshots: p.snapshots[..cut].to_vec(),
        };
        &present
    };
    let problem = project_problem(catalog, p).filter(|_| future_dated.is_empty());
    let latest = p
        .snapshots
        .iter()
        .rev()
        .find(|e| !e.snapshot.tests.is_empty());
    let newest = p.latest().map(|e| e.snapshot.timestamp);
    let mut failing = Vec::new();
    if let Some(e) = latest {
        let counts = |t: &&TestOutcome| {
            t.status.is_failure() || (opts.fail_on_warning && t.status == TestStatus::Warning)
        };
        let ids: Vec<&str> = e
            .snapshot
            .tests
            .iter()
            .filter(counts)
            .map(|t| t.identity.as_ref())
            .collect();
        let history = failing_since(p, &ids);
        for t in e.snapshot.tests.iter().filter(counts) {
            let since = history
                .iter()
                .find(|(id, _)| *id == t.identity.as_ref())
                .and_then(|(_, since)| *since);
            failing.push(FailingTest {
                name: t.name.clone(),
                status: t.status,
                description: t.description.to_string(),
                failing_since: since,
                identity: t.identity.clone(),
                column: t.column.clone(),
                value: t.value,
                condition: t.condition.as_deref().map(String::from),
            });
        }
    }
    failing.sort_by(|a, b| {
        severity(a.status)
            .cmp(&severity(b.status))
            .then_with(|| a.failing_since.cmp(&b.failing_since))
            .then_with(|| a.name.cmp(&b.name))
    });
    let drifted_columns = p
        .snapshots
        .iter()
        .rev()
        .find(|e| !e.snapshot.drift.is_empty())
        .map(|e| {
            e.snapshot
                .drift
                .iter()
                .filter(|d| d.drifted == Some(true))
                .map(|d| d.column.clone())
                .collect()
        })
        .unwrap_or_default();
    let stale = match (opts.max_age, newest) {
        (Some(age), Some(t)) => now - t > age,
        (Some(_), None) => true,
        (None, _) => false,
    };
    let unreadable = catalog.unreadable_in(&p.project.id);
    let mut notes = Vec::new();
    // An unreadable project's problem says it all.
    if unreadable > 0 && problem.is_none() {
        notes.push(unreadable_note(unreadable));
    }
    if latest.is_none() && problem.is_none() {
        notes.push("no snapshot with tests".to_string());
    }
    if let Some(w) = &p.project.warning {
        notes.push(w.clone());
    }
    if stale && problem.is_none() {
        notes.push(match newest {
            Some(t) => format!(
                "newest snapshot is {} old",
                crate::text::duration::age(now - t)
            ),
            None if future_dated.is_empty() => "no snapshots".to_string(),
            None => "no snapshot dated up to now".to_string(),
        });
    }
    let warnings = future_warning(&future_dated).into_iter().collect();
    ProjectHealth {
        project_id: p.project.id.clone(),
        name: p.project.name.clone(),
        snapshot_id: latest.map(|e| e.snapshot.id.clone()),
        timestamp: latest.map(|e| e.snapshot.timestamp),
        failing,
        streak: failure_streak(p),
        drifted_columns,
        drift: p
            .snapshots
            .iter()
            .rev()
            .find_map(|e| e.snapshot.drift_count()),
        newest,
        stale,
        unreadable,
        notes,
        problem,
        future_dated,
        warnings,
    }
}

/// The warning about runs dated in the future (none when there are none).
fn future_warning(runs: &[RunRef]) -> Option<String> {
    let first = runs.first()?;
    let at = |r: &RunRef| {
        format!(
            "{} at {}",
            r.snapshot_id,
            r.timestamp.format("%Y-%m-%d %H:%M UTC")
        )
    };
    let more = match runs.len() {
        1 => String::new(),
        n => format!(" and {} more", n - 1),
    };
    Some(format!(
        "{} dated in the future (over a day ahead of the clock), neither judged nor counted as the newest: {}{more}",
        crate::text::num::plural(runs.len(), "run"),
        at(first)
    ))
}

/// Why `p` cannot be judged at all: it holds no readable run, and its
/// folder, its `snapshots/` folder, its snapshot files or its record could
/// not be read. `None` when it has a readable run or nothing went wrong (an
/// empty project is not unreadable).
pub fn project_problem(catalog: &Catalog, p: &ProjectEntry) -> Option<ProjectProblem> {
    if !p.snapshots.is_empty() {
        return None;
    }
    let folder = p.project.folder.as_path();
    let mine: Vec<&crate::index::Unreadable> = catalog
        .unreadable()
        .filter(|u| u.project_id.as_deref() == Some(p.project.id.as_str()))
        .collect();
    let is_folder = |path: &Path| {
        path == folder || (path.parent() == Some(folder) && path.ends_with("snapshots"))
    };
    let is_record = |path: &Path| {
        matches!(
            path.file_name().and_then(|n| n.to_str()),
            Some("metadata.json" | "dashboard.json")
        )
    };
    if let Some(u) = mine.iter().find(|u| is_folder(&u.path)) {
        return Some(ProjectProblem {
            path: u.path.clone(),
            reason: u.reason.clone(),
        });
    }
    let files: Vec<&&crate::index::Unreadable> =
        mine.iter().filter(|u| !is_record(&u.path)).collect();
    match files.as_slice() {
        [] => mine.first().map(|u| ProjectProblem {
            path: u.path.clone(),
            reason: format!("no readable run; {}", u.reason),
        }),
        [one] => Some(ProjectProblem {
            path: one.path.clone(),
            reason: format!("its only snapshot file could not be read: {}", one.reason),
        }),
        [first, ..] => {
            let same = files.iter().all(|u| u.reason == first.reason);
            let n = files.len();
            Some(ProjectProblem {
                path: first.path.parent().unwrap_or(folder).to_path_buf(),
                reason: if same {
                    format!(
                        "none of its {n} snapshot files could be read: {}",
                        first.reason
                    )
                } else {
                    format!(
                        "none of its {n} snapshot files could be read (the first: {})",
                        first.reason
                    )
                },
            })
        }
    }
}

fn unreadable_note(n: usize) -> String {
    format!("{n} file(s) unreadable or still being written; judged the last complete run")
}

/// Refine the note about a project's unreadable snapshot files using their
/// modification times (`None`: unknown, e.g. the file vanished). When one is
/// at least as new as every readable snapshot file, the newest run is still
/// being written (or broke while written): it is pending, not a failure, and
/// the health judges the last complete run. Returns true in that case.
pub fn explain_unreadable(
    h: &mut ProjectHealth,
    p: &ProjectEntry,
    unreadable_mtimes: &[Option<SystemTime>],
) -> bool {
    // An unreadable project is a failure, not a run being written.
    if unreadable_mtimes.is_empty() || h.problem.is_some() {
        return false;
    }
    let newest_read = p.snapshots.iter().filter_map(|e| e.fingerprint.mtime).max();
    let pending = unreadable_mtimes
        .iter()
        .filter(|m| match (m, newest_read) {
            (Some(m), Some(n)) => *m >= n,
            (Some(_), None) => true,
            (None, _) => false,
        })
        .count();
    // Everything else unreadable in the project (older files, metadata).
    let older = h.unreadable.max(unreadable_mtimes.len()) - pending;
    let judged = match &h.snapshot_id {
        Some(id) => format!("judged run {id}"),
        None => "no complete run with tests to judge".to_string(),
    };
    let generic = unreadable_note(h.unreadable);
    h.notes.retain(|n| *n != generic);
    let mut mine = Vec::new();
    if pending > 0 {
        mine.push(format!(
            "newest file is being written or unreadable: {judged}"
        ));
    }
    if older > 0 {
        mine.push(format!(
            "{older} older file(s) unreadable (see `snapscope scan`)"
        ));
    }
    h.notes.splice(0..0, mine);
    pending > 0
}

/// Health of every project; the failing ones first (by severity, then most
/// recent run first), then the rest by name.
pub fn health(catalog: &Catalog, opts: CheckOptions, now: DateTime<Utc>) -> Vec<ProjectHealth> {
    let mut v: Vec<ProjectHealth> = catalog
        .projects()
        .into_iter()
        .map(|p| project_health(catalog, p, opts, now))
        .collect();
    // Failing, then unreadable (just below failing), then the rest.
    let rank = |h: &ProjectHealth| match (h.worst(), &h.problem) {
        (Some(s), _) => severity(s),
        (None, Some(_)) => 8,
        (None, None) => 9,
    };
    v.sort_by(|a, b| {
        let ra = rank(a);
        let rb = rank(b);
        ra.cmp(&rb)
            .then_with(|| b.is_bad().cmp(&a.is_bad()))
            .then_with(|| b.timestamp.cmp(&a.timestamp))
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
    });
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::history::tests::{catalog, snap, test};
    use chrono::TimeZone;
    use TestStatus::*;

    fn day(d: u32) -> String {
        format!("00000000-0000-0000-0000-0000000000{d:02}")
    }

    /// The multi-suite case: test A fails, a suite without A passes, A
    /// fails again. The project fails since the run after the pass; A's own
    /// walk skips the run where it did not run and says day 1.
    #[test]
    fn a_pass_without_the_failing_test_still_ends_the_streak() {
        let a = |s| test("A", "A", None, s);
        let b = |s| test("B", "B", None, s);
        let c = catalog(vec![
            snap(1, vec![a(Fail)], vec![]),
            snap(2, vec![b(Success)], vec![]),
            snap(3, vec![], vec![("x", 0.01, true)]),
            snap(4, vec![a(Fail), b(Warning)], vec![]),
            snap(5, vec![a(Error)], vec![]),
        ]);
        let p = c.project("p").unwrap();
        let s = failure_streak(p);
        assert_eq!(s.failing_since.map(|r| r.snapshot_id), Some(day(4)));
        assert_eq!(s.last_pass.map(|r| r.snapshot_id), Some(day(2)));
        let h = project_health(&c, p, CheckOptions::default(), Utc::now());
        assert_eq!(
            h.failing[0].failing_since,
            p.snapshots[0].snapshot.timestamp.into()
        );
    }

    /// A run more than a day ahead of the clock is left out (the one before
    /// it is judged); a day or less ahead is clock skew and counts.
    #[test]
    fn a_run_more_than_a_day_ahead_is_not_judged() {
        let a = |s| test("A", "A", None, s);
        let c = catalog(vec![
            snap(1, vec![a(Success)], vec![]),
            snap(3, vec![a(Fail)], vec![]),
        ]);
        let p = c.project("p").unwrap();
        let at = |d, h| Utc.with_ymd_and_hms(2024, 3, d, h, 0, 0).unwrap();
        // Day 3 02:00 is 25 hours after day 2 01:00.
        let h = project_health(&c, p, CheckOptions::default(), at(2, 1));
        assert_eq!(h.snapshot_id, Some(day(1)));
        assert_eq!(h.verdict(), Verdict::Ok);
        assert_eq!(h.newest, Some(at(1, 2)));
        let ids: Vec<&str> = h.future_dated.iter().map(|r| &*r.snapshot_id).collect();
        assert_eq!(ids, [day(3)]);
        assert_eq!(h.warnings.len(), 1);
        // 23 hours ahead: judged, failing.
        let h = project_health(&c, p, CheckOptions::default(), at(2, 3));
        assert_eq!(h.snapshot_id, Some(day(3)));
        assert_eq!(h.verdict(), Verdict::Failing(Fail));
        assert!(h.future_dated.is_empty() && h.warnings.is_empty());
    }

    /// A project without a readable run is unreadable only when something
    /// of it could not be read; an empty project is not.
    #[test]
    fn no_readable_run_and_something_unreadable_is_unreadable() {
        let mut c = Catalog::new();
        c.upsert_project(crate::model::Project {
            id: "p".into(),
            name: "p".into(),
            description: None,
            folder: "/ws/p".into(),
            created_at: None,
            warning: None,
            dashboard: None,
        });
        let now = Utc::now();
        let h = |c: &Catalog| project_health(c, c.project("p").unwrap(), Default::default(), now);
        assert_eq!(h(&c).verdict(), Verdict::NoTests);
        assert!(!h(&c).is_bad());
        for (i, reason) in ["truncated JSON", "empty file"].into_iter().enumerate() {
            c.set_unreadable(crate::index::Unreadable {
                path: format!("/ws/p/snapshots/{i}.json").into(),
                project_id: Some("p".into()),
                reason: reason.into(),
            });
        }
        let bad = h(&c);
        assert_eq!(bad.verdict(), Verdict::Unreadable);
        assert!(bad.is_bad());
        let u = bad.problem.unwrap();
        assert_eq!(u.path, Path::new("/ws/p/snapshots"));
        assert_eq!(
            u.reason,
            "none of its 2 snapshot files could be read (the first: truncated JSON)"
        );
        // The folder itself, when it is what could not be listed, comes first.
        c.set_unreadable(crate::index::Unreadable {
            path: "/ws/p".into(),
            project_id: Some("p".into()),
            reason: "cannot list folder: denied".into(),
        });
        let u = h(&c).problem.unwrap();
        assert_eq!(
            (u.path.as_path(), &*u.reason),
            (Path::new("/ws/p"), "cannot list folder: denied")
        );
    }

    #[test]
    fn passing_now_and_never_passed() {
        let a = |s| test("A", "A", None, s);
        let passing = catalog(vec![
            snap(1, vec![a(Fail)], vec![]),
            snap(2, vec![a(Warning)], vec![]),
        ]);
        let s = failure_streak(passing.project("p").unwrap());
        assert_eq!(s.failing_since, None);
        assert_eq!(s.last_pass.map(|r| r.snapshot_id), Some(day(2)));

        let never = catalog(vec![
            snap(1, vec![], vec![("x", 0.5, false)]),
            snap(2, vec![a(Fail)], vec![]),
            snap(3, vec![a(Error)], vec![]),
        ]);
        let s = failure_streak(never.project("p").unwrap());
        assert_eq!(s.failing_since.map(|r| r.snapshot_id), Some(day(2)));
        assert_eq!(s.last_pass, None);

        let no_tests = catalog(vec![snap(1, vec![], vec![])]);
        assert_eq!(
            failure_streak(no_tests.project("p").unwrap()),
            Streak::default()
        );
    }
}
