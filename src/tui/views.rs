//! The monitoring and triage views' state under its former path; each
//! lives in its screen's file of [`crate::tui::state`].

pub use crate::tui::state::compare::{test_condition, CompareRow, CompareSection, CompareState};
pub use crate::tui::state::dashboard::{panel_rows, DashState};
pub use crate::tui::state::filter::picker_matches;
pub use crate::tui::state::history::{
    next_order, order_label, DriftHistoryState, TestHistoryState, DRIFT_LAST_N,
};
pub use crate::tui::state::now::{NowItem, NowState};
pub use crate::tui::state::trend::{
    Picker, TimeWindow, TrendPoint, TrendSeries, TrendState, MAX_SERIES,
};
