//! State of the monitoring and triage views (trends, test history, drift
//! history, dashboard, compare, the Now panel). Each state caches what it
//! shows, computed from the catalog when the view opens and again when the
//! index changes, so drawing stays a cheap pure function of the state.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use crate::analysis::compare::Comparison;
use crate::analysis::dashboard::{Dashboard, PanelView};
use crate::analysis::history::{self, ColumnDriftHistory, DriftOrder, TestHistory, Window};
use crate::analysis::triage::ProjectHealth;
use crate::index::catalog::{Catalog, ProjectEntry};
use crate::model::Snapshot;
use crate::tui::app::Cursor;

/// Most series overlaid in one chart.
pub const MAX_SERIES: usize = 4;
/// Drift history: "k of the last N runs drifted".
pub const DRIFT_LAST_N: usize = 10;

/// The time window of the trend and test-history views, counted back from
/// the project's newest snapshot (so archived workspaces still show data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimeWindow {
    #[default]
    All,
    Days90,
    Days30,
    Days7,
    Hours24,
}

impl TimeWindow {
    /// The next window in the `t` cycle.
    pub fn next(self) -> TimeWindow {
        match self {
            TimeWindow::All => TimeWindow::Days90,
            TimeWindow::Days90 => TimeWindow::Days30,
            TimeWindow::Days30 => TimeWindow::Days7,
            TimeWindow::Days7 => TimeWindow::Hours24,
            TimeWindow::Hours24 => TimeWindow::All,
        }
    }

    /// Short label: `all`, `90d`, ...
    pub fn label(self) -> &'static str {
        match self {
            TimeWindow::All => "all",
            TimeWindow::Days90 => "90d",
            TimeWindow::Days30 => "30d",
            TimeWindow::Days7 => "7d",
            TimeWindow::Hours24 => "24h",
        }
    }

    /// Length of the window (`None` = everything).
    pub fn length(self) -> Option<Duration> {
        match self {
            TimeWindow::All => None,
            TimeWindow::Days90 => Some(Duration::days(90)),
            TimeWindow::Days30 => Some(Duration::days(30)),
            TimeWindow::Days7 => Some(Duration::days(7)),
            TimeWindow::Hours24 => Some(Duration::hours(24)),
        }
    }

    /// The window ending at `anchor` (the newest snapshot).
    pub fn window(self, anchor: Option<DateTime<Utc>>) -> Window {
        match (self.length(), anchor) {
            (Some(len), Some(a)) => Window {
                since: Some(a - len),
                until: None,
            },
            _ => Window::ALL,
        }
    }
}

/// One point of a trend line.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendPoint {
    pub t: DateTime<Utc>,
    /// `None` for null / NaN in the file (not drawn, but the cursor stops there).
    pub value: Option<f64>,
    pub snapshot_id: String,
    /// The snapshot had a FAIL or ERROR test.
    pub failing: bool,
}

/// A series shown in the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendSeries {
    /// The series key (raw: sanitize before display).
    pub key: String,
    /// All points, in time order (the window is applied when drawing).
    pub points: Vec<TrendPoint>,
}

impl TrendSeries {
    /// Points of the series for one key of a project, from [`Catalog::trend`].
    pub fn load(catalog: &Catalog, project_id: &str, key: &str) -> TrendSeries {
        let points = catalog
            .trend(project_id, key)
            .into_iter()
            .map(|(s, v)| TrendPoint {
                t: s.timestamp,
                value: v.filter(|x| x.is_finite()),
                snapshot_id: s.id.clone(),
                failing: crate::analysis::compare::failed(s),
            })
            .collect();
        TrendSeries {
            key: key.to_string(),
            points,
        }
    }

    /// The index range of points inside a window.
    pub fn range(&self, w: &Window) -> std::ops::Range<usize> {
        let start = match w.since {
            Some(s) => self.points.partition_point(|p| p.t < s),
            None => 0,
        };
        let end = match w.until {
            Some(u) => self.points.partition_point(|p| p.t <= u),
            None => self.points.len(),
        };
        start..end.max(start)
    }
}

/// The searchable list of series keys.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Picker {
    pub text: String,
    pub cursor: Cursor,
}

/// True when every space-separated term of `filter` occurs in `key` (any case).
pub fn picker_matches(key: &str, filter_lc: &str) -> bool {
    let k = key.to_lowercase();
    filter_lc.split_whitespace().all(|t| k.contains(t))
}

/// The trend view of one project.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendState {
    pub project_id: String,
    /// Every series key of the project with its number of points.
    pub keys: Vec<(String, usize)>,
    /// Open while picking series.
    pub picker: Option<Picker>,
    /// Selected series (at most [`MAX_SERIES`]).
    pub series: Vec<TrendSeries>,
    /// The series the cursor walks.
    pub active: usize,
    /// Snapshot id under the cursor (kept across window changes and updates).
    pub cursor_id: Option<String>,
}

impl TrendState {
    /// Keys matching the picker's text.
    pub fn picker_keys(&self) -> Vec<&(String, usize)> {
        let f = self
            .picker
            .as_ref()
            .map(|p| p.text.to_lowercase())
            .unwrap_or_default();
        self.keys
            .iter()
            .filter(|(k, _)| picker_matches(k, &f))
            .collect()
    }

    /// Reload keys and points after the index changed.
    pub fn reload(&mut self, catalog: &Catalog) {
        self.keys = catalog.series_keys(&self.project_id);
        for s in &mut self.series {
            *s = TrendSeries::load(catalog, &self.project_id, &s.key);
        }
    }
}

/// The test-history matrix of one project.
#[derive(Debug, Clone, PartialEq)]
pub struct TestHistoryState {
    pub project_id: String,
    /// Rows, failing first (from [`history::test_history`]).
    pub rows: Vec<TestHistory>,
    /// Indices (into the project's snapshots) of runs with tests in the window, oldest first.
    pub columns: Vec<usize>,
    pub cursor: Cursor,
    /// Selected column, counted from the newest (0 = newest).
    pub col_back: usize,
}

impl TestHistoryState {
    /// Compute for a project and window.
    pub fn build(p: &ProjectEntry, tw: TimeWindow) -> TestHistoryState {
        let w = tw.window(p.latest().map(|e| e.snapshot.timestamp));
        let columns = p
            .snapshots
            .iter()
            .enumerate()
            .filter(|(_, e)| !e.snapshot.tests.is_empty() && w.contains(e.snapshot.timestamp))
            .map(|(i, _)| i)
            .collect();
        TestHistoryState {
            project_id: p.project.id.clone(),
            rows: history::test_history(p, w),
            columns,
            cursor: Cursor::default(),
            col_back: 0,
        }
    }
}

/// Drift history of one project.
#[derive(Debug, Clone, PartialEq)]
pub struct DriftHistoryState {
    pub project_id: String,
    pub order: DriftOrder,
    pub rows: Vec<ColumnDriftHistory>,
    /// Share of drifted columns per snapshot that has one, oldest first.
    pub shares: Vec<(DateTime<Utc>, f64)>,
    pub cursor: Cursor,
}

impl DriftHistoryState {
    /// Compute for a project.
    pub fn build(p: &ProjectEntry, order: DriftOrder) -> DriftHistoryState {
        DriftHistoryState {
            project_id: p.project.id.clone(),
            order,
            rows: history::drift_history(p, DRIFT_LAST_N, order),
            shares: p
                .snapshots
                .iter()
                .filter_map(|e| Some((e.snapshot.timestamp, e.snapshot.drift_share()?)))
                .collect(),
            cursor: Cursor::default(),
        }
    }
}

/// Next drift-history order in the `s` cycle.
pub fn next_order(o: DriftOrder) -> DriftOrder {
    match o {
        DriftOrder::MostOften => DriftOrder::NewlyDrifted,
        DriftOrder::NewlyDrifted => DriftOrder::Column,
        DriftOrder::Column => DriftOrder::MostOften,
    }
}

/// Label of a drift-history order.
pub fn order_label(o: DriftOrder) -> &'static str {
    match o {
        DriftOrder::MostOften => "drifted most often",
        DriftOrder::NewlyDrifted => "newly drifted",
        DriftOrder::Column => "column name",
    }
}

/// The configured dashboard of one project, evaluated.
#[derive(Debug, Clone)]
pub struct DashState {
    pub project_id: String,
    pub dashboard: Arc<Dashboard>,
    /// Evaluated panels, in `dashboard.panels` order.
    pub views: Vec<PanelView>,
    /// Selected tab.
    pub tab: usize,
    /// First panel row shown (rows of one full or two half panels).
    pub scroll: usize,
}

impl DashState {
    /// The evaluated panels of the selected tab, in tab order.
    pub fn tab_views(&self) -> Vec<&PanelView> {
        let Some(tab) = self.dashboard.tabs.get(self.tab) else {
            return Vec::new();
        };
        tab.panel_ids
            .iter()
            .filter_map(|id| self.views.iter().find(|v| &v.id == id))
            .collect()
    }
}

/// The condition of the test with this identity in a snapshot, when known.
pub fn test_condition<'a>(s: &'a Snapshot, identity: &str) -> Option<&'a str> {
    s.tests
        .iter()
        .find(|t| &*t.identity == identity)
        .and_then(|t| t.condition.as_deref())
}

/// One row of the compare view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareRow {
    /// A section heading: which section, number of entries.
    Heading(CompareSection, usize),
    Flip(usize),
    Move(usize),
    Drift(usize),
    Meta(usize),
    /// "nothing differs" under an empty section.
    Nothing,
    Blank,
}

/// Sections of the compare view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareSection {
    Flipped,
    Moved,
    Drift,
    Meta,
}

impl CompareSection {
    /// Heading text.
    pub fn title(self) -> &'static str {
        match self {
            CompareSection::Flipped => "Tests that flipped",
            CompareSection::Moved => "Series that moved",
            CompareSection::Drift => "Columns that newly drifted / stopped drifting",
            CompareSection::Meta => "Tags and metadata that differ",
        }
    }
}

/// Two snapshots compared.
#[derive(Debug, Clone)]
pub struct CompareState {
    pub project_id: String,
    /// Before.
    pub a: Arc<Snapshot>,
    /// After.
    pub b: Arc<Snapshot>,
    pub cmp: Comparison,
    /// How the pair was chosen, for the title.
    pub how: String,
    /// Moved series ordered by absolute change instead of relative.
    pub by_abs: bool,
    pub cursor: Cursor,
}

impl CompareState {
    /// Build from two snapshots (`a` before `b`).
    pub fn new(project_id: &str, a: Arc<Snapshot>, b: Arc<Snapshot>, how: String) -> Self {
        let cmp = crate::analysis::compare::compare(&a, &b);
        let mut s = CompareState {
            project_id: project_id.to_string(),
            a,
            b,
            cmp,
            how,
            by_abs: false,
            cursor: Cursor::default(),
        };
        // Start on the first entry, not on the heading.
        if s.rows()
            .get(1)
            .is_some_and(|r| matches!(r, CompareRow::Flip(_)))
        {
            s.cursor.sel = 1;
        }
        s
    }

    /// Re-sort the moved series (relative change, or absolute with `by_abs`).
    pub fn set_by_abs(&mut self, by_abs: bool) {
        self.by_abs = by_abs;
        if by_abs {
            self.cmp.moved.sort_by(|x, y| {
                y.delta
                    .abs()
                    .total_cmp(&x.delta.abs())
                    .then_with(|| x.series.cmp(&y.series))
            });
        } else {
            self.cmp = crate::analysis::compare::compare(&self.a, &self.b);
        }
    }

    /// The rows, in display order.
    pub fn rows(&self) -> Vec<CompareRow> {
        let c = &self.cmp;
        let mut out = Vec::new();
        let mut section = |s: CompareSection, n: usize, f: &dyn Fn(usize) -> CompareRow| {
            out.push(CompareRow::Heading(s, n));
            if n == 0 {
                out.push(CompareRow::Nothing);
            }
            out.extend((0..n).map(f));
            out.push(CompareRow::Blank);
        };
        section(CompareSection::Flipped, c.flipped.len(), &CompareRow::Flip);
        section(
            CompareSection::Drift,
            c.drift_changed.len(),
            &CompareRow::Drift,
        );
        section(CompareSection::Moved, c.moved.len(), &CompareRow::Move);
        section(
            CompareSection::Meta,
            c.tags_metadata.len(),
            &CompareRow::Meta,
        );
        out.pop();
        out
    }
}

/// One selectable line of the Now panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NowItem {
    /// A failing project (index into `NowState::failing`).
    Project(usize),
    /// One of its failing tests (project index, test index).
    Test(usize, usize),
}

/// The Now panel: projects whose latest run with tests has FAIL / ERROR.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NowState {
    /// Failing projects, worst first, then most recent run first.
    pub failing: Vec<ProjectHealth>,
    /// Number of projects.
    pub projects: usize,
    /// Newest snapshot of any project.
    pub newest: Option<DateTime<Utc>>,
    pub cursor: Cursor,
}

impl NowState {
    /// Compute from the catalog.
    pub fn build(catalog: &Catalog, now: DateTime<Utc>) -> NowState {
        let all = crate::analysis::triage::health(catalog, Default::default(), now);
        let projects = all.len();
        let newest = all.iter().filter_map(|h| h.newest).max();
        NowState {
            failing: all.into_iter().filter(|h| !h.failing.is_empty()).collect(),
            projects,
            newest,
            cursor: Cursor::default(),
        }
    }

    /// Selectable lines: each project, and its failing tests when `expanded`.
    pub fn items(&self, expanded: bool) -> Vec<NowItem> {
        let mut v = Vec::new();
        for (i, h) in self.failing.iter().enumerate() {
            v.push(NowItem::Project(i));
            if expanded {
                v.extend((0..h.failing.len()).map(|t| NowItem::Test(i, t)));
            }
        }
        v
    }

    /// When the longest-failing of a project's tests started failing.
    pub fn since(h: &ProjectHealth) -> Option<DateTime<Utc>> {
        h.failing.iter().filter_map(|f| f.failing_since).min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_cycle_and_bounds() {
        let mut w = TimeWindow::All;
        let mut seen = Vec::new();
        for _ in 0..5 {
            seen.push(w.label());
            w = w.next();
        }
        assert_eq!(seen, ["all", "90d", "30d", "7d", "24h"]);
        assert_eq!(w, TimeWindow::All);
        let a = DateTime::parse_from_rfc3339("2024-04-02T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let win = TimeWindow::Days7.window(Some(a));
        assert!(win.contains(a - Duration::days(7)));
        assert!(!win.contains(a - Duration::days(7) - Duration::seconds(1)));
        assert_eq!(TimeWindow::All.window(Some(a)), Window::ALL);
    }

    #[test]
    fn picker_terms_all_match() {
        assert!(picker_matches("ValueDrift{column=bmi}.value", "drift bmi"));
        assert!(!picker_matches("ValueDrift{column=bmi}.value", "drift age"));
        assert!(picker_matches("anything", ""));
    }
}
