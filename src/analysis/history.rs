//! Change over time within one project: per-test history (which tests fail,
//! since when, how often) and per-column drift history. Pure functions of a
//! [`ProjectEntry`]; no I/O, no UI.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::index::ProjectEntry;
use crate::model::TestStatus;

/// An inclusive time window; `None` bounds are open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Window {
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

impl Window {
    /// The whole history.
    pub const ALL: Window = Window {
        since: None,
        until: None,
    };

    /// Whether `t` lies inside the window (bounds inclusive).
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.since.is_none_or(|s| t >= s) && self.until.is_none_or(|u| t <= u)
    }
}

/// One test's history across a project's snapshots (matched by identity).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestHistory {
    /// Type + configuration: the same test configured the same way is one row.
    pub identity: Arc<str>,
    /// Display name (the latest one seen).
    pub name: Arc<str>,
    pub column: Option<Arc<str>>,
    pub test_type: Arc<str>,
    /// Status in the newest snapshot that ran this test.
    pub latest_status: TestStatus,
    /// The newest snapshot that ran this test (its last run).
    pub latest_snapshot_id: String,
    pub latest_timestamp: DateTime<Utc>,
    /// The test ran in the project's latest run with tests. Only then can it
    /// be failing now ([`TestHistory::failing_now`]).
    pub in_latest: bool,
    /// The test's own failing since (the per-test rule): the start of its
    /// unbroken run of FAIL/ERROR, counting only runs that ran it. Set while
    /// its newest outcome is FAIL/ERROR, even when it did not run in the
    /// latest run (see [`TestHistory::in_latest`]).
    pub failing_since: Option<DateTime<Utc>>,
    /// Length of that run, in snapshots that ran the test.
    pub failing_streak: usize,
    /// FAIL/ERROR outcomes in the window.
    pub fail_count: usize,
    /// Snapshots in the window that ran this test.
    pub runs: usize,
    /// Description of the newest FAIL/ERROR in the window.
    pub latest_failure: Option<String>,
    /// Status per snapshot of the project (index into `ProjectEntry::snapshots`),
    /// `None` where the snapshot did not run the test.
    #[serde(skip)]
    pub cells: Vec<Option<TestStatus>>,
}

impl TestHistory {
    /// FAIL/ERROR in the project's latest run with tests.
    pub fn failing_now(&self) -> bool {
        self.in_latest && self.latest_status.is_failure()
    }

    /// Failure rate in the window (0..=1), when the test ran.
    pub fn fail_rate(&self) -> Option<f64> {
        (self.runs > 0).then(|| self.fail_count as f64 / self.runs as f64)
    }

    /// Name with the column, for display: `Mean Value (age)`.
    pub fn label(&self) -> String {
        crate::model::test_label(&self.name, self.column.as_deref())
    }
}

/// Severity rank for sorting: FAIL, ERROR, WARNING, SUCCESS, SKIPPED.
pub fn severity(s: TestStatus) -> u8 {
    match s {
        TestStatus::Fail => 0,
        TestStatus::Error => 1,
        TestStatus::Warning => 2,
        TestStatus::Success => 3,
        TestStatus::Skipped => 4,
    }
}

/// Per-test history of a project: tests failing now first, then the other
/// tests of the latest run with tests, then those it did not run; each group
/// worst first (then by how long they have been failing, then by name).
pub fn test_history(project: &ProjectEntry, window: Window) -> Vec<TestHistory> {
    let n = project.snapshots.len();
    let latest = project
        .snapshots
        .iter()
        .rposition(|e| !e.snapshot.tests.is_empty());
    let mut rows: Vec<TestHistory> = Vec::new();
    let mut by_identity: HashMap<&str, usize> = HashMap::new();
    for (i, entry) in project.snapshots.iter().enumerate() {
        let s = &entry.snapshot;
        for t in &s.tests {
            let row = match by_identity.get(t.identity.as_ref()) {
                Some(&r) => r,
                None => {
                    by_identity.insert(t.identity.as_ref(), rows.len());
                    rows.push(TestHistory {
                        identity: t.identity.clone(),
                        name: t.name.clone(),
                        column: t.column.clone(),
                        test_type: t.test_type.clone(),
                        latest_status: t.status,
                        latest_snapshot_id: s.id.clone(),
                        latest_timestamp: s.timestamp,
                        in_latest: false,
                        failing_since: None,
                        failing_streak: 0,
                        fail_count: 0,
                        runs: 0,
                        latest_failure: None,
                        cells: vec![None; n],
                    });
                    rows.len() - 1
                }
            };
            let h = &mut rows[row];
            // A snapshot can hold the same identity twice (rare): keep the worst.
            let cell = &mut h.cells[i];
            *cell = Some(match *cell {
                Some(prev) if severity(prev) <= severity(t.status) => prev,
                _ => t.status,
            });
            h.name.clone_from(&t.name);
            h.latest_status = cell.unwrap_or(t.status);
            h.latest_snapshot_id.clone_from(&s.id);
            h.latest_timestamp = s.timestamp;
            if window.contains(s.timestamp) && t.status.is_failure() {
                h.latest_failure = Some(t.description.to_string());
            }
        }
    }
    for h in &mut rows {
        h.in_latest = latest.is_some_and(|i| h.cells[i].is_some());
        let mut since = None;
        let mut streak = 0;
        for (i, cell) in h.cells.iter().enumerate().rev() {
            match cell {
                None => continue,
                Some(st) if st.is_failure() => {
                    since = Some(project.snapshots[i].snapshot.timestamp);
                    streak += 1;
                }
                Some(_) => break,
            }
        }
        h.failing_since = since;
        h.failing_streak = streak;
        for (i, cell) in h.cells.iter().enumerate() {
            if let Some(st) = cell {
                if window.contains(project.snapshots[i].snapshot.timestamp) {
                    h.runs += 1;
                    if st.is_failure() {
                        h.fail_count += 1;
                    }
                }
            }
        }
    }
    rows.sort_by(|a, b| {
        b.failing_now()
            .cmp(&a.failing_now())
            .then_with(|| b.in_latest.cmp(&a.in_latest))
            .then_with(|| severity(a.latest_status).cmp(&severity(b.latest_status)))
            .then_with(|| a.failing_since.cmp(&b.failing_since))
            .then_with(|| b.fail_count.cmp(&a.fail_count))
            .then_with(|| a.label().cmp(&b.label()))
            .then_with(|| a.identity.cmp(&b.identity))
    });
    rows
}

/// When each of `identities` started failing: the same as
/// [`TestHistory::failing_since`] in [`test_history`], found by walking back
/// from the newest snapshot only as far as needed (no whole history).
pub fn failing_since<'a>(
    project: &ProjectEntry,
    identities: &[&'a str],
) -> Vec<(&'a str, Option<DateTime<Utc>>)> {
    let mut ids: Vec<&str> = identities.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut since: Vec<Option<DateTime<Utc>>> = vec![None; ids.len()];
    let mut open = vec![true; ids.len()];
    let mut n_open = ids.len();
    let mut worst: Vec<Option<TestStatus>> = vec![None; ids.len()];
    for entry in project.snapshots.iter().rev() {
        if n_open == 0 {
            break;
        }
        worst.fill(None);
        // The worst status of each test in this snapshot, as `test_history` keeps it.
        for t in &entry.snapshot.tests {
            if let Ok(k) = ids.binary_search(&t.identity.as_ref()) {
                worst[k] = Some(match worst[k] {
                    Some(prev) if severity(prev) <= severity(t.status) => prev,
                    _ => t.status,
                });
            }
        }
        for k in 0..ids.len() {
            match worst[k] {
                Some(st) if open[k] && st.is_failure() => {
                    since[k] = Some(entry.snapshot.timestamp);
                }
                Some(_) if open[k] => {
                    open[k] = false;
                    n_open -= 1;
                }
                _ => {}
            }
        }
    }
    ids.into_iter().zip(since).collect()
}

/// One column's drift across a project's snapshots.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnDriftHistory {
    pub column: Arc<str>,
    /// Method of the newest row.
    pub method: Option<Arc<str>>,
    /// Score per snapshot (index into `ProjectEntry::snapshots`), `None` where absent.
    #[serde(skip)]
    pub scores: Vec<Option<f64>>,
    /// Drift flag per snapshot, `None` where absent or unknown.
    #[serde(skip)]
    pub drifted: Vec<Option<bool>>,
    /// How many of the last `last_n` snapshots that measured the column drifted.
    pub drifted_count: usize,
    /// How many of the last `last_n` snapshots measured the column.
    pub runs: usize,
    /// Drifted in the newest snapshot that measured the column.
    pub latest_drifted: Option<bool>,
    /// Drifted in the newest measurement but not in the one before.
    pub newly_drifted: bool,
}

/// How to order drift history rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriftOrder {
    /// Most drifted runs first.
    MostOften,
    /// Columns that drifted in the latest run but not before, first.
    NewlyDrifted,
    /// By column name.
    Column,
}

/// Per-column drift history over the last `last_n` measurements.
pub fn drift_history(
    project: &ProjectEntry,
    last_n: usize,
    order: DriftOrder,
) -> Vec<ColumnDriftHistory> {
    let n = project.snapshots.len();
    let mut rows: Vec<ColumnDriftHistory> = Vec::new();
    let mut index: HashMap<Arc<str>, usize> = HashMap::new();
    for (i, entry) in project.snapshots.iter().enumerate() {
        for d in &entry.snapshot.drift {
            let r = *index.entry(d.column.clone()).or_insert_with(|| {
                rows.push(ColumnDriftHistory {
                    column: d.column.clone(),
                    method: None,
                    scores: vec![None; n],
                    drifted: vec![None; n],
                    drifted_count: 0,
                    runs: 0,
                    latest_drifted: None,
                    newly_drifted: false,
                });
                rows.len() - 1
            });
            let h = &mut rows[r];
            h.scores[i] = d.score;
            h.drifted[i] = d.drifted;
            if d.method.is_some() {
                h.method.clone_from(&d.method);
            }
        }
    }
    for h in &mut rows {
        let measured: Vec<Option<bool>> = (0..n)
            .filter(|&i| h.scores[i].is_some() || h.drifted[i].is_some())
            .map(|i| h.drifted[i])
            .collect();
        let recent = &measured[measured.len().saturating_sub(last_n)..];
        h.runs = recent.len();
        h.drifted_count = recent.iter().filter(|d| **d == Some(true)).count();
        h.latest_drifted = measured.last().copied().flatten();
        h.newly_drifted = h.latest_drifted == Some(true)
            && measured.len() >= 2
            && measured[measured.len() - 2] != Some(true);
    }
    match order {
        DriftOrder::MostOften => rows.sort_by(|a, b| {
            b.drifted_count
                .cmp(&a.drifted_count)
                .then_with(|| b.latest_drifted.cmp(&a.latest_drifted))
                .then_with(|| a.column.cmp(&b.column))
        }),
        DriftOrder::NewlyDrifted => rows.sort_by(|a, b| {
            b.newly_drifted
                .cmp(&a.newly_drifted)
                .then_with(|| b.latest_drifted.cmp(&a.latest_drifted))
                .then_with(|| b.drifted_count.cmp(&a.drifted_count))
                .then_with(|| a.column.cmp(&b.column))
        }),
        DriftOrder::Column => rows.sort_by(|a, b| a.column.cmp(&b.column)),
    }
    rows
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::index::{Catalog, Fingerprint, SnapshotEntry};
    use crate::model::{DriftRow, Generation, Snapshot, SnapshotKind, TestOutcome, TestSpec};
    use chrono::TimeZone;
    use std::sync::Arc;

    pub(crate) fn test(
        identity: &str,
        name: &str,
        column: Option<&str>,
        status: TestStatus,
    ) -> TestOutcome {
        TestOutcome {
            spec: TestSpec {
                identity: identity.into(),
                test_type: "T".into(),
                name: name.into(),
                column: column.map(Into::into),
            }
            .shared(),
            description: format!("{name} is {status}").into(),
            status,
            value: None,
            condition: None,
        }
    }

    pub(crate) fn snap(
        day: u32,
        tests: Vec<TestOutcome>,
        drift: Vec<(&str, f64, bool)>,
    ) -> SnapshotEntry {
        let id = format!("00000000-0000-0000-0000-0000000000{day:02}");
        SnapshotEntry {
            path: std::path::Path::new(&format!("/ws/p/snapshots/{id}.json")).into(),
            fingerprint: Fingerprint {
                len: 1,
                mtime: None,
                ..Fingerprint::default()
            },
            snapshot: Arc::new(Snapshot {
                id,
                inner_id_mismatch: None,
                project_id: "p".into(),
                timestamp: Utc.with_ymd_and_hms(2024, 3, day, 2, 0, 0).unwrap(),
                timestamp_naive: true,
                name: None,
                tags: vec![],
                metadata: Default::default(),
                generation: Generation::V2,
                kind: SnapshotKind::Run,
                tests,
                series: Default::default(),
                drift: drift
                    .into_iter()
                    .map(|(c, s, d)| DriftRow {
                        column: c.into(),
                        column_type: None,
                        method: Some("K-S p_value".into()),
                        score: Some(s),
                        threshold: Some(0.05),
                        drifted: Some(d),
                        inferred: false,
                    })
                    .collect(),
            }),
        }
    }

    pub(crate) fn catalog(entries: Vec<SnapshotEntry>) -> Catalog {
        let mut c = Catalog::new();
        for e in entries {
            c.upsert_snapshot(e);
        }
        c
    }

    use TestStatus::*;

    /// `failing_since` against the whole `test_history` of each project.
    fn assert_failing_since_matches(c: &Catalog) -> usize {
        let mut failing = 0;
        for p in c.projects() {
            let rows = test_history(p, Window::ALL);
            let ids: Vec<&str> = rows.iter().map(|r| r.identity.as_ref()).collect();
            let got = failing_since(p, &ids);
            assert_eq!(got.len(), rows.len());
            for r in &rows {
                let (_, since) = got.iter().find(|(id, _)| *id == &*r.identity).unwrap();
                assert_eq!(*since, r.failing_since, "{} {}", p.project.id, r.identity);
                failing += usize::from(since.is_some());
            }
        }
        failing
    }

    #[test]
    fn failing_since_walks_back_like_test_history() {
        let mean_age = |s| test("Mean{column=age}", "Mean Value", Some("age"), s);
        let mean_bmi = |s| test("Mean{column=bmi}", "Mean Value", Some("bmi"), s);
        let c = catalog(vec![
            snap(1, vec![mean_age(Fail), mean_bmi(Success)], vec![]),
            snap(2, vec![mean_age(Success), mean_bmi(Fail)], vec![]),
            // The same test twice in one run: the worst outcome counts.
            snap(
                3,
                vec![mean_age(Fail), mean_bmi(Success), mean_bmi(Error)],
                vec![],
            ),
            snap(4, vec![mean_bmi(Fail)], vec![]),
            snap(
                5,
                vec![mean_age(Error), mean_bmi(Warning), mean_bmi(Fail)],
                vec![],
            ),
            snap(6, vec![mean_bmi(Fail)], vec![]),
        ]);
        assert_eq!(assert_failing_since_matches(&c), 2);
        let p = c.project("p").unwrap();
        // Asked twice, or for a test never run: one answer each.
        let got = failing_since(
            p,
            &[
                "Mean{column=bmi}",
                "Mean{column=age}",
                "x",
                "Mean{column=age}",
            ],
        );
        let day = |d| Some(Utc.with_ymd_and_hms(2024, 3, d, 2, 0, 0).unwrap());
        assert_eq!(
            got,
            vec![
                ("Mean{column=age}", day(3)),
                ("Mean{column=bmi}", day(2)),
                ("x", None)
            ]
        );
        // Real snapshot folders.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut failing = 0;
        for dir in ["sample_snapshots", "tests/fixtures/oncall/pass-ws"] {
            let (c, _) = crate::index::index_path(&root.join(dir), &Default::default()).unwrap();
            failing += assert_failing_since_matches(&c);
        }
        assert!(failing > 0, "some test is failing in the sample workspace");
    }

    #[test]
    fn failing_since_counts_the_unbroken_run_only() {
        let mean_age = |s| test("Mean{column=age}", "Mean Value", Some("age"), s);
        let mean_bmi = |s| test("Mean{column=bmi}", "Mean Value", Some("bmi"), s);
        let c = catalog(vec![
            snap(1, vec![mean_age(Fail), mean_bmi(Success)], vec![]),
            snap(2, vec![mean_age(Success), mean_bmi(Success)], vec![]),
            snap(3, vec![mean_age(Fail), mean_bmi(Success)], vec![]),
            snap(4, vec![mean_bmi(Fail)], vec![]), // age not run: does not break the streak
            snap(5, vec![mean_age(Error), mean_bmi(Warning)], vec![]),
        ]);
        let p = c.project("p").unwrap();
        let h = test_history(p, Window::ALL);
        // Same display name on two columns: two rows.
        assert_eq!(h.len(), 2);
        let age = h
            .iter()
            .find(|r| &*r.identity == "Mean{column=age}")
            .unwrap();
        assert_eq!(age.latest_status, Error);
        assert_eq!(
            age.failing_since,
            Some(Utc.with_ymd_and_hms(2024, 3, 3, 2, 0, 0).unwrap())
        );
        assert_eq!(age.failing_streak, 2);
        assert_eq!((age.fail_count, age.runs), (3, 4));
        assert_eq!(age.label(), "Mean Value (age)");
        let bmi = h
            .iter()
            .find(|r| &*r.identity == "Mean{column=bmi}")
            .unwrap();
        assert_eq!(bmi.failing_since, None);
        assert_eq!((bmi.fail_count, bmi.runs), (1, 5));
        // Failing first.
        assert_eq!(&*h[0].identity, "Mean{column=age}");
        // A window counts only its runs.
        let w = Window {
            since: Some(Utc.with_ymd_and_hms(2024, 3, 3, 0, 0, 0).unwrap()),
            until: None,
        };
        let age = test_history(p, w)
            .into_iter()
            .find(|r| &*r.identity == "Mean{column=age}")
            .unwrap();
        assert_eq!((age.fail_count, age.runs), (2, 2));
    }

    #[test]
    fn failing_now_is_the_latest_run_with_tests_only() {
        let mean_age = |s| test("Mean{column=age}", "Mean Value", Some("age"), s);
        let mean_bmi = |s| test("Mean{column=bmi}", "Mean Value", Some("bmi"), s);
        let c = catalog(vec![
            snap(1, vec![mean_age(Fail), mean_bmi(Success)], vec![]),
            snap(2, vec![mean_bmi(Fail)], vec![]),
            // A report without tests is no run with tests.
            snap(3, vec![], vec![("a", 0.5, false)]),
        ]);
        let h = test_history(c.project("p").unwrap(), Window::ALL);
        let (bmi, age) = (&h[0], &h[1]);
        assert_eq!(&*bmi.identity, "Mean{column=bmi}");
        assert!(bmi.in_latest && bmi.failing_now());
        // Age failed when it last ran (day 1), but day 2 did not run it: not
        // failing now; its own failing since stays (the per-test rule).
        assert!(!age.in_latest && !age.failing_now());
        assert_eq!(age.latest_status, Fail);
        assert_eq!(
            age.latest_timestamp,
            Utc.with_ymd_and_hms(2024, 3, 1, 2, 0, 0).unwrap()
        );
        assert_eq!(age.failing_since, Some(age.latest_timestamp));
    }

    #[test]
    fn drift_history_counts_and_newly_drifted() {
        let c = catalog(vec![
            snap(1, vec![], vec![("a", 0.5, false), ("b", 0.01, true)]),
            snap(2, vec![], vec![("a", 0.4, false), ("b", 0.02, true)]),
            snap(3, vec![], vec![("a", 0.01, true), ("b", 0.03, true)]),
        ]);
        let p = c.project("p").unwrap();
        let rows = drift_history(p, 10, DriftOrder::NewlyDrifted);
        assert_eq!(&*rows[0].column, "a");
        assert!(rows[0].newly_drifted);
        assert_eq!((rows[0].drifted_count, rows[0].runs), (1, 3));
        assert!(!rows[1].newly_drifted);
        let rows = drift_history(p, 2, DriftOrder::MostOften);
        assert_eq!(&*rows[0].column, "b");
        assert_eq!((rows[0].drifted_count, rows[0].runs), (2, 2));
        assert_eq!(rows[0].scores, vec![Some(0.01), Some(0.02), Some(0.03)]);
    }
}
