//! The test-history matrix and the drift history of one project, computed
//! from the catalog when the screen opens and again when the index changes.

use chrono::{DateTime, Utc};

use crate::analysis::history::{self, ColumnDriftHistory, DriftOrder, TestHistory};
use crate::index::ProjectEntry;
use crate::tui::state::cursor::Cursor;
use crate::tui::state::trend::TimeWindow;

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
