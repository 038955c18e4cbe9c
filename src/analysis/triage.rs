//! On-call triage: the state of each project's latest run with tests, what
//! fails, since when, and whether the project went quiet.

use std::sync::Arc;
use std::time::SystemTime;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::analysis::history::{failing_since, severity};
use crate::index::{Catalog, ProjectEntry};
use crate::model::{TestOutcome, TestStatus};

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
    /// Columns drifted in the project's newest snapshot with drift rows.
    pub drifted_columns: Vec<Arc<str>>,
    /// Timestamp of the project's newest snapshot of any kind.
    pub newest: Option<DateTime<Utc>>,
    /// The newest snapshot is older than the allowed age.
    pub stale: bool,
    /// Unreadable or pending files in the project (their runs are not judged).
    pub unreadable: usize,
    /// Human notes ("newest file is unreadable, judged the last complete run", ...).
    pub notes: Vec<String>,
}

impl ProjectHealth {
    /// True when this project makes `check` fail.
    pub fn is_bad(&self) -> bool {
        !self.failing.is_empty() || self.stale
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
                description: t.description.clone(),
                failing_since: since,
                identity: t.identity.clone(),
                column: t.column.clone(),
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
    if unreadable > 0 {
        notes.push(unreadable_note(unreadable));
    }
    if latest.is_none() {
        notes.push("no snapshot with tests".to_string());
    }
    if stale {
        notes.push(match newest {
            Some(t) => format!(
                "newest snapshot is {} old",
                crate::text::duration::age(now - t)
            ),
            None => "no snapshots".to_string(),
        });
    }
    ProjectHealth {
        project_id: p.project.id.clone(),
        name: p.project.name.clone(),
        snapshot_id: latest.map(|e| e.snapshot.id.clone()),
        timestamp: latest.map(|e| e.snapshot.timestamp),
        failing,
        drifted_columns,
        newest,
        stale,
        unreadable,
        notes,
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
    if unreadable_mtimes.is_empty() {
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
    v.sort_by(|a, b| {
        let ra = a.worst().map_or(9, severity);
        let rb = b.worst().map_or(9, severity);
        ra.cmp(&rb)
            .then_with(|| b.is_bad().cmp(&a.is_bad()))
            .then_with(|| b.timestamp.cmp(&a.timestamp))
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
    });
    v
}
