//! What a monitoring system scrapes from a workspace (`snapscope metrics`,
//! `snapscope serve`): each project's state as `check` and the Now panel
//! judge it (a [`ProjectHealth`] from [`triage`], never recomputed here),
//! and the latest values of chosen series, capped. Pure: a function of the
//! catalog; the exposition format is the front end's business.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::analysis::dashboard::used_series;
use crate::analysis::triage::{self, CheckOptions, ProjectHealth};
use crate::index::{Catalog, ProjectEntry};
use crate::model::{SeriesRef, TestCounts, TestStatus};

/// Which series values to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesChoice {
    /// Export the series the project's dashboard panels use.
    pub dashboard: bool,
    /// Also export every series key matching one of these
    /// ([`crate::text::glob`] patterns).
    pub patterns: Vec<String>,
    /// At most this many series values in all; the rest are counted as dropped.
    pub max_series: usize,
}

impl Default for SeriesChoice {
    fn default() -> Self {
        SeriesChoice {
            dashboard: true,
            patterns: Vec::new(),
            max_series: DEFAULT_MAX_SERIES,
        }
    }
}

/// The default cap on exported series values.
pub const DEFAULT_MAX_SERIES: usize = 1000;

/// A project's state in one word, as an alert would name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectStatus {
    /// Its latest run with tests has no FAIL or ERROR.
    Ok,
    /// Its latest run with tests has a FAIL.
    Fail,
    /// Its latest run with tests has an ERROR and no FAIL.
    Error,
    /// It exists but nothing of it could be read (`check`'s UNREADABLE).
    Unreadable,
    /// It has no readable run with tests.
    NoTests,
}

impl ProjectStatus {
    /// Every status, in the order they are exported.
    pub const ALL: [ProjectStatus; 5] = [
        ProjectStatus::Ok,
        ProjectStatus::Fail,
        ProjectStatus::Error,
        ProjectStatus::Unreadable,
        ProjectStatus::NoTests,
    ];

    /// The label value: `ok`, `fail`, `error`, `no_tests`.
    pub fn as_str(self) -> &'static str {
        match self {
            ProjectStatus::Ok => "ok",
            ProjectStatus::Fail => "fail",
            ProjectStatus::Error => "error",
            ProjectStatus::Unreadable => "unreadable",
            ProjectStatus::NoTests => "no_tests",
        }
    }

    /// The status `check` gives this health.
    pub fn of(h: &ProjectHealth) -> ProjectStatus {
        match h.worst() {
            Some(TestStatus::Fail) => ProjectStatus::Fail,
            Some(_) => ProjectStatus::Error,
            None if h.problem.is_some() => ProjectStatus::Unreadable,
            None if h.snapshot_id.is_none() => ProjectStatus::NoTests,
            None => ProjectStatus::Ok,
        }
    }
}

/// The figures of one project.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectFigures {
    /// Its health as `check` judges it (no `--max-age`, FAIL/ERROR fail).
    pub health: ProjectHealth,
    /// Snapshots indexed.
    pub snapshots: usize,
    /// Test counts by status of the latest run with tests.
    pub tests: Option<TestCounts>,
    pub status: ProjectStatus,
}

impl ProjectFigures {
    /// True when `check` fails this project (the `failing` gauge).
    pub fn failing(&self) -> bool {
        self.health.is_bad()
    }
}

/// The latest value of one series of one project.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesFigure {
    pub project_id: String,
    pub project: String,
    pub key: Arc<str>,
    /// `None` when the newest snapshot that has the key states null / NaN.
    pub value: Option<f64>,
    /// Time of that snapshot.
    pub timestamp: DateTime<Utc>,
}

/// Everything exported about a workspace.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Figures {
    /// Projects by name, as `snapscope projects` lists them.
    pub projects: Vec<ProjectFigures>,
    /// Series values kept under the cap, by project, then key.
    pub series: Vec<SeriesFigure>,
    /// Series values chosen but left out by the cap.
    pub series_dropped: usize,
    /// Snapshots indexed in all.
    pub snapshots: usize,
    /// Unreadable files in all (including those of no project).
    pub unreadable: usize,
}

/// The figures of every project of `catalog`.
pub fn figures(catalog: &Catalog, choice: &SeriesChoice, now: DateTime<Utc>) -> Figures {
    let projects = catalog.projects();
    let mut out = Figures {
        snapshots: catalog.snapshot_count(),
        unreadable: catalog.unreadable().count(),
        ..Figures::default()
    };
    let mut chosen: Vec<Vec<SeriesFigure>> = Vec::with_capacity(projects.len());
    for p in projects {
        let health = triage::project_health(catalog, p, CheckOptions::default(), now);
        let tests = health.snapshot_id.as_deref().and_then(|id| {
            p.snapshots
                .iter()
                .rev()
                .find(|e| e.snapshot.id == id)
                .map(|e| e.snapshot.test_counts())
        });
        chosen.push(latest_values(p, &chosen_keys(p, choice)));
        out.projects.push(ProjectFigures {
            status: ProjectStatus::of(&health),
            health,
            snapshots: p.snapshots.len(),
            tests,
        });
    }
    let total: usize = chosen.iter().map(Vec::len).sum();
    out.series = cap(chosen, choice.max_series);
    out.series_dropped = total - out.series.len();
    out
}

/// The keys chosen in `p`: its dashboard's, then those matching a pattern,
/// each once, sorted within each group.
fn chosen_keys(p: &ProjectEntry, choice: &SeriesChoice) -> Vec<String> {
    let mut keys: Vec<String> = match (&p.project.dashboard, choice.dashboard) {
        (Some(d), true) => used_series(d, p).into_iter().collect(),
        _ => Vec::new(),
    };
    if !choice.patterns.is_empty() {
        let mut seen: HashSet<&str> = keys.iter().map(String::as_str).collect();
        let mut matched: Vec<&str> = Vec::new();
        for e in &p.snapshots {
            for v in &e.snapshot.series {
                let k: &str = v.key;
                if !seen.contains(k)
                    && choice
                        .patterns
                        .iter()
                        .any(|pat| crate::text::glob::matches(pat, k))
                {
                    seen.insert(k);
                    matched.push(k);
                }
            }
        }
        matched.sort_unstable();
        keys.extend(matched.into_iter().map(str::to_string));
    }
    keys
}

/// For each key (in order), its value in the newest snapshot of `p` that
/// has it; walks back only until every key is found.
fn latest_values(p: &ProjectEntry, keys: &[String]) -> Vec<SeriesFigure> {
    let mut found: HashMap<&str, (SeriesRef<'_>, DateTime<Utc>)> = HashMap::new();
    let wanted: HashSet<&str> = keys.iter().map(String::as_str).collect();
    for e in p.snapshots.iter().rev() {
        if found.len() == wanted.len() {
            break;
        }
        for v in &e.snapshot.series {
            let k: &str = v.key;
            if wanted.contains(k) && !found.contains_key(k) {
                found.insert(k, (v, e.snapshot.timestamp));
            }
        }
    }
    keys.iter()
        .filter_map(|k| found.get(k.as_str()))
        .map(|(v, timestamp)| SeriesFigure {
            project_id: p.project.id.clone(),
            project: p.project.name.clone(),
            key: v.key.clone(),
            value: v.value,
            timestamp: *timestamp,
        })
        .collect()
}

/// At most `max` values: every project's first before any project's second,
/// and so on, so one project with many series does not crowd out the rest.
/// The kept values stay in project order, then key order.
fn cap(per_project: Vec<Vec<SeriesFigure>>, max: usize) -> Vec<SeriesFigure> {
    let total: usize = per_project.iter().map(Vec::len).sum();
    if total <= max {
        return per_project.into_iter().flatten().collect();
    }
    // How many each project keeps: deal one round at a time.
    let mut keep = vec![0usize; per_project.len()];
    let mut left = max;
    let mut round = 0;
    while left > 0 {
        let mut dealt = false;
        for (i, v) in per_project.iter().enumerate() {
            if left > 0 && v.len() > round {
                keep[i] += 1;
                left -= 1;
                dealt = true;
            }
        }
        if !dealt {
            break;
        }
        round += 1;
    }
    per_project
        .into_iter()
        .zip(keep)
        .flat_map(|(v, n)| v.into_iter().take(n))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::history::tests::{catalog, snap, test};
    use TestStatus::*;

    fn figure(key: &str) -> SeriesFigure {
        SeriesFigure {
            project_id: String::new(),
            project: String::new(),
            key: key.into(),
            value: None,
            timestamp: DateTime::<Utc>::MIN_UTC,
        }
    }

    #[test]
    fn the_cap_deals_round_robin_and_keeps_order() {
        let p = |keys: &[&str]| keys.iter().map(|k| figure(k)).collect::<Vec<_>>();
        let kept = cap(
            vec![p(&["a1", "a2", "a3"]), p(&["b1"]), p(&["c1", "c2"])],
            4,
        );
        let keys: Vec<&str> = kept.iter().map(|f| &*f.key).collect();
        assert_eq!(keys, ["a1", "a2", "b1", "c1"]);
        assert_eq!(cap(vec![p(&["a1"]), p(&["b1"])], 0), Vec::new());
        assert_eq!(cap(vec![p(&["a1"]), p(&["b1"])], 5).len(), 2);
    }

    /// `snap(day, tests)` carrying the series values `series`.
    fn with_series(
        day: u32,
        tests: Vec<crate::model::TestOutcome>,
        series: &[(&str, Option<f64>)],
    ) -> crate::index::SnapshotEntry {
        let mut e = snap(day, tests, vec![]);
        let mut s = (*e.snapshot).clone();
        s.series = series
            .iter()
            .map(|(k, v)| crate::model::SeriesValue {
                key: (*k).into(),
                value: *v,
            })
            .collect();
        e.snapshot = Arc::new(s);
        e
    }

    #[test]
    fn patterns_choose_keys_and_the_newest_value_wins() {
        let a = |s| test("A", "A", None, s);
        let c = catalog(vec![
            with_series(
                1,
                vec![a(Fail)],
                &[("RowCount.value", Some(5.0)), ("old.x", Some(1.0))],
            ),
            with_series(
                2,
                vec![a(Success)],
                &[("RowCount.value", None), ("MAE.mean", Some(2.5))],
            ),
            with_series(3, vec![a(Fail)], &[]),
        ]);
        let p = c.project("p").unwrap();
        let t = |i: usize| p.snapshots[i].snapshot.timestamp;
        let choice = SeriesChoice {
            dashboard: true,
            patterns: vec!["*.value".into(), "MAE*".into(), "old.x".into()],
            max_series: 1000,
        };
        let f = figures(&c, &choice, Utc::now());
        let got: Vec<(&str, Option<f64>, DateTime<Utc>)> = f
            .series
            .iter()
            .map(|s| (&*s.key, s.value, s.timestamp))
            .collect();
        // Sorted by key; day 3 has no series, day 2 is the newest with
        // RowCount (null there) and MAE; old.x only day 1 has.
        assert_eq!(
            got,
            [
                ("MAE.mean", Some(2.5), t(1)),
                ("RowCount.value", None, t(1)),
                ("old.x", Some(1.0), t(0)),
            ]
        );
        assert_eq!(f.series_dropped, 0);
        let pf = &f.projects[0];
        assert_eq!(pf.status, ProjectStatus::Fail);
        assert!(pf.failing());
        assert_eq!(pf.tests.map(|t| t.fail), Some(1));
        let capped = SeriesChoice {
            max_series: 1,
            ..choice
        };
        let f = figures(&c, &capped, Utc::now());
        assert_eq!((f.series.len(), f.series_dropped), (1, 2));
    }
}
