//! The test-history matrix and the drift history of one project: computed
//! from the catalog when the screen opens and again when the index changes
//! (the selected row kept by identity), their filtered rows, their keys,
//! the snapshot they point at and what `y` copies there.

use chrono::{DateTime, Utc};

use crate::analysis::history::{self, ColumnDriftHistory, DriftOrder, TestHistory};
use crate::analysis::triage::{failure_streak, Streak};
use crate::index::{Catalog, ProjectEntry};
use crate::model::DriftCount;
use crate::tui::fmt;
use crate::tui::keymap::{Action, Context};
use crate::tui::state::cursor::{list_step, Cursor};
use crate::tui::state::filter::{filter_lc, picker_matches, FilterTarget};
use crate::tui::state::screen::Outcome;
use crate::tui::state::view::{Cx, TimeWindow, View};

/// Drift history: "k of the last N runs drifted".
pub const DRIFT_LAST_N: usize = 10;

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
    /// The project's failing since and last pass by the run rule.
    pub streak: Streak,
}

impl TestHistoryState {
    /// Rows failing now: FAIL/ERROR in the project's latest run with tests.
    pub fn failing_now(&self) -> usize {
        self.rows.iter().filter(|r| r.failing_now()).count()
    }

    /// Rows the latest run with tests did not run.
    pub fn not_in_latest(&self) -> usize {
        self.rows.iter().filter(|r| !r.in_latest).count()
    }

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
            streak: failure_streak(p),
        }
    }

    /// Open for a project: `current` rebuilt, keeping its cursor when it
    /// shows the same project. Fails when no run of the project has tests.
    pub fn open(
        current: &mut Option<TestHistoryState>,
        p: &ProjectEntry,
        tw: TimeWindow,
    ) -> Result<(), &'static str> {
        if !p.snapshots.iter().any(|e| !e.snapshot.tests.is_empty()) {
            return Err("no snapshot of this project has tests");
        }
        let keep = current
            .as_ref()
            .filter(|h| h.project_id == p.project.id)
            .map(|h| h.cursor);
        let mut h = TestHistoryState::build(p, tw);
        if let Some(c) = keep {
            h.cursor = c;
        }
        *current = Some(h);
        Ok(())
    }

    /// How many rows the view's filter (`target` in `cx`) lets through.
    fn matching_len(&self, cx: &Cx, target: FilterTarget) -> usize {
        self.rows_matching(filter_lc(cx.filters, target).as_str())
            .len()
    }

    /// Rows matching a filter (lowercase): label, test type or latest status.
    pub fn rows_matching(&self, filter_lc: &str) -> Vec<&TestHistory> {
        self.rows
            .iter()
            .filter(|r| {
                filter_lc.is_empty()
                    || picker_matches(&r.label(), filter_lc)
                    || picker_matches(&r.test_type, filter_lc)
                    || picker_matches(r.latest_status.as_str(), filter_lc)
            })
            .collect()
    }

    /// Select the next older (`older`) or newer run column.
    pub fn step_column(&mut self, older: bool) {
        let n = self.columns.len().saturating_sub(1);
        self.col_back = if older {
            (self.col_back + 1).min(n)
        } else {
            self.col_back.saturating_sub(1)
        };
    }
}

/// Drift history of one project.
#[derive(Debug, Clone, PartialEq)]
pub struct DriftHistoryState {
    pub project_id: String,
    pub order: DriftOrder,
    pub rows: Vec<ColumnDriftHistory>,
    /// Drifted columns per snapshot that reports them, oldest first.
    pub counts: Vec<(DateTime<Utc>, DriftCount)>,
    pub cursor: Cursor,
}

impl DriftHistoryState {
    /// Compute for a project.
    pub fn build(p: &ProjectEntry, order: DriftOrder) -> DriftHistoryState {
        DriftHistoryState {
            project_id: p.project.id.clone(),
            order,
            rows: history::drift_history(p, DRIFT_LAST_N, order),
            counts: p
                .snapshots
                .iter()
                .filter_map(|e| Some((e.snapshot.timestamp, e.snapshot.drift_count()?)))
                .collect(),
            cursor: Cursor::default(),
        }
    }

    /// Open for a project, in the order `current` had (most often drifted
    /// first when none). Fails when no run of the project reports drift, per
    /// column or as a dataset-level count.
    pub fn open(
        current: &mut Option<DriftHistoryState>,
        p: &ProjectEntry,
    ) -> Result<(), &'static str> {
        if !p
            .snapshots
            .iter()
            .any(|e| !e.snapshot.drift.is_empty() || e.snapshot.drift_count().is_some())
        {
            return Err("no snapshot of this project reports drift");
        }
        let order = current.as_ref().map_or(DriftOrder::MostOften, |d| d.order);
        *current = Some(DriftHistoryState::build(p, order));
        Ok(())
    }

    /// How many rows the view's filter (`target` in `cx`) lets through.
    fn matching_len(&self, cx: &Cx, target: FilterTarget) -> usize {
        self.rows_matching(filter_lc(cx.filters, target).as_str())
            .len()
    }

    /// Rows whose column matches a filter (lowercase).
    pub fn rows_matching(&self, filter_lc: &str) -> Vec<&ColumnDriftHistory> {
        self.rows
            .iter()
            .filter(|r| filter_lc.is_empty() || picker_matches(&r.column, filter_lc))
            .collect()
    }

    /// Enter: the newest run with drift for the selected column, on its Drift tab.
    fn enter(&self, catalog: &Catalog, filter_lc: &str) -> Outcome {
        let Some(col) = self
            .rows_matching(filter_lc)
            .get(self.cursor.sel)
            .map(|r| r.column.clone())
        else {
            return Outcome::Done;
        };
        let sid = catalog.project(&self.project_id).and_then(|p| {
            p.snapshots
                .iter()
                .rev()
                .find(|e| e.snapshot.drift.iter().any(|d| d.column == col))
                .map(|e| e.snapshot.id.clone())
        });
        match sid {
            Some(snapshot) => Outcome::JumpToDrift {
                project: self.project_id.clone(),
                snapshot,
                column: col.to_string(),
            },
            None => Outcome::Done,
        }
    }
}

impl View for TestHistoryState {
    fn context(&self) -> Context {
        Context::TestHistory
    }

    fn filter_target(&self) -> Option<FilterTarget> {
        Some(FilterTarget::TestHistory)
    }

    fn act(&mut self, a: Action, cx: &Cx) -> Option<Outcome> {
        let rows = cx.rows;
        let f = filter_lc(cx.filters, FilterTarget::TestHistory);
        let filter_lc = f.as_str();
        if let Some(d) = list_step(a, rows) {
            self.move_by(d, cx);
            return Some(Outcome::Done);
        }
        match a {
            Action::Left | Action::Right => self.step_column(a == Action::Left),
            Action::CycleWindow => return Some(Outcome::CycleWindow),
            Action::Enter => {
                let id = self
                    .rows_matching(filter_lc)
                    .get(self.cursor.sel)
                    .map(|r| r.identity.to_string());
                if let (Some((project, snapshot)), Some(id)) = (self.focused(cx), id) {
                    return Some(Outcome::JumpToTest {
                        project,
                        snapshot,
                        identity: Some(id),
                    });
                }
            }
            Action::PrevSnapshot
            | Action::NextSnapshot
            | Action::NextPane
            | Action::PrevPane
            | Action::SortDrift => {}
            _ => return None,
        }
        Some(Outcome::Done)
    }

    fn move_by(&mut self, d: isize, cx: &Cx) {
        let n = self.matching_len(cx, FilterTarget::TestHistory);
        self.cursor.step(d, n, cx.rows);
    }

    fn matches(&self, cx: &Cx) -> Option<(usize, usize)> {
        Some((
            self.matching_len(cx, FilterTarget::TestHistory),
            self.cursor.sel,
        ))
    }

    fn fit(&mut self, cx: &Cx) {
        let n = self.matching_len(cx, FilterTarget::TestHistory);
        self.cursor.fit(n, cx.rows);
        self.col_back = self.col_back.min(self.columns.len().saturating_sub(1));
    }

    fn refresh(&mut self, cx: &Cx) {
        let (catalog, tw) = (cx.catalog, cx.window);
        let f = filter_lc(cx.filters, FilterTarget::TestHistory);
        let filter_lc = f.as_str();
        let Some(p) = catalog.project(&self.project_id) else {
            return;
        };
        let sel = self
            .rows_matching(filter_lc)
            .get(self.cursor.sel)
            .map(|r| r.identity.clone());
        let mut n = TestHistoryState::build(p, tw);
        n.cursor = self.cursor;
        n.col_back = self.col_back;
        if let Some(id) = sel {
            if let Some(i) = n
                .rows_matching(filter_lc)
                .iter()
                .position(|r| r.identity == id)
            {
                n.cursor.sel = i;
            }
        }
        *self = n;
    }

    fn focused(&self, cx: &Cx) -> Option<(String, String)> {
        cx.project?;
        let catalog = cx.catalog;
        let col = *self
            .columns
            .get(self.columns.len().checked_sub(1 + self.col_back)?)?;
        let p = catalog.project(&self.project_id)?;
        Some((
            self.project_id.clone(),
            p.snapshots.get(col)?.snapshot.id.clone(),
        ))
    }

    fn copy(&self, cx: &Cx) -> Option<(&'static str, String)> {
        let tz = cx.tz;
        let f = filter_lc(cx.filters, FilterTarget::TestHistory);
        let filter_lc = f.as_str();
        let ts = |t: DateTime<Utc>| fmt::time(tz, t, "%Y-%m-%d %H:%M:%S %:z");
        let r = *self.rows_matching(filter_lc).get(self.cursor.sel)?;
        Some((
            "test history row",
            format!(
                "{}\t{}\t{}\t{}/{} failed\t{}",
                r.latest_status,
                r.label(),
                r.failing_since.map(ts).unwrap_or_default(),
                r.fail_count,
                r.runs,
                r.latest_failure.as_deref().unwrap_or("")
            ),
        ))
    }
}

impl View for DriftHistoryState {
    fn context(&self) -> Context {
        Context::DriftHistory
    }

    fn filter_target(&self) -> Option<FilterTarget> {
        Some(FilterTarget::DriftHistory)
    }

    fn act(&mut self, a: Action, cx: &Cx) -> Option<Outcome> {
        let (catalog, rows) = (cx.catalog, cx.rows);
        let f = filter_lc(cx.filters, FilterTarget::DriftHistory);
        let filter_lc = f.as_str();
        if let Some(d) = list_step(a, rows) {
            self.move_by(d, cx);
            return Some(Outcome::Done);
        }
        match a {
            Action::SortDrift => {
                if let Some(p) = catalog.project(&self.project_id) {
                    *self = DriftHistoryState::build(p, next_order(self.order));
                }
                return Some(Outcome::Refit);
            }
            Action::Enter => return Some(self.enter(catalog, filter_lc)),
            Action::PrevSnapshot
            | Action::NextSnapshot
            | Action::NextPane
            | Action::PrevPane
            | Action::Left
            | Action::Right
            | Action::CycleWindow => {}
            _ => return None,
        }
        Some(Outcome::Done)
    }

    fn move_by(&mut self, d: isize, cx: &Cx) {
        let n = self.matching_len(cx, FilterTarget::DriftHistory);
        self.cursor.step(d, n, cx.rows);
    }

    fn matches(&self, cx: &Cx) -> Option<(usize, usize)> {
        Some((
            self.matching_len(cx, FilterTarget::DriftHistory),
            self.cursor.sel,
        ))
    }

    fn fit(&mut self, cx: &Cx) {
        let n = self.matching_len(cx, FilterTarget::DriftHistory);
        self.cursor.fit(n, cx.rows);
    }

    fn refresh(&mut self, cx: &Cx) {
        let catalog = cx.catalog;
        let f = filter_lc(cx.filters, FilterTarget::DriftHistory);
        let filter_lc = f.as_str();
        let Some(p) = catalog.project(&self.project_id) else {
            return;
        };
        let sel = self
            .rows_matching(filter_lc)
            .get(self.cursor.sel)
            .map(|r| r.column.clone());
        let mut n = DriftHistoryState::build(p, self.order);
        n.cursor = self.cursor;
        if let Some(c) = sel {
            if let Some(i) = n
                .rows_matching(filter_lc)
                .iter()
                .position(|r| r.column == c)
            {
                n.cursor.sel = i;
            }
        }
        *self = n;
    }

    fn copy(&self, cx: &Cx) -> Option<(&'static str, String)> {
        let f = filter_lc(cx.filters, FilterTarget::DriftHistory);
        let filter_lc = f.as_str();
        let r = *self.rows_matching(filter_lc).get(self.cursor.sel)?;
        let last = r.scores.iter().rev().find_map(|s| *s);
        Some((
            "drift history row",
            format!(
                "{}\t{}\t{}/{} drifted\tlatest score {}",
                r.column,
                r.method.as_deref().unwrap_or(""),
                r.drifted_count,
                r.runs,
                fmt::opt_num(last)
            ),
        ))
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
