//! What every full-screen view's state offers the router ([`View`]), what
//! it reads besides itself ([`Cx`]), and the time window the trend and
//! test-history views share. A new view implements [`View`] in its own
//! `state/<screen>.rs`; the router then moves, fits, refreshes, copies from
//! and hands keys to it without knowing which view it is.

use chrono::{DateTime, Duration, Utc};
use ratatui::crossterm::event::KeyEvent;

use crate::analysis::history::Window;
use crate::index::Catalog;
use crate::parse::TimeZoneChoice;
use crate::tui::keymap::{Action, Context};
use crate::tui::state::filter::{FilterTarget, Filters};
use crate::tui::state::screen::Outcome;

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

/// What a view reads besides its own state.
#[derive(Debug, Clone, Copy)]
pub struct Cx<'a> {
    pub catalog: &'a Catalog,
    pub filters: &'a Filters,
    /// The time window of the trend and test-history views.
    pub window: TimeWindow,
    pub tz: TimeZoneChoice,
    /// Height of the view's list (at least 1).
    pub rows: usize,
    /// The project selected on the browse screen.
    pub project: Option<&'a str>,
    /// Its selected snapshot.
    pub snapshot: Option<&'a str>,
}

/// A full-screen view's state, as the router uses it.
pub trait View {
    /// The key-map context of the view.
    fn context(&self) -> Context;

    /// The list the filter key acts on (none by default).
    fn filter_target(&self) -> Option<FilterTarget> {
        None
    }

    /// A key; `None` leaves it to the general handler.
    fn act(&mut self, a: Action, cx: &Cx) -> Option<Outcome>;

    /// True while the view takes typing (a picker open): keys then go to
    /// [`View::typed`] instead of the key map.
    fn takes_typing(&self) -> bool {
        false
    }

    /// A key while the view takes typing; the router re-fits selections
    /// after it.
    fn typed(&mut self, _k: KeyEvent, _cx: &Cx) -> Outcome {
        Outcome::Done
    }

    /// Move the selection by `d` rows (the mouse wheel, match steps).
    fn move_by(&mut self, d: isize, cx: &Cx);

    /// (rows, selected row) of a filtered list, for stepping through its
    /// matches with wrap-around; `None` when the view has none.
    fn matches(&self, _cx: &Cx) -> Option<(usize, usize)> {
        None
    }

    /// Keep the cursor inside the rows and on screen.
    fn fit(&mut self, _cx: &Cx) {}

    /// Recompute from the catalog after the index changed.
    fn refresh(&mut self, _cx: &Cx) {}

    /// The snapshot the user is pointing at: (project id, snapshot id); by
    /// default the browse screen's selection. Like the default, a view's
    /// own answer is `None` while no project is selected.
    fn focused(&self, cx: &Cx) -> Option<(String, String)> {
        Some((cx.project?.to_string(), cx.snapshot?.to_string()))
    }

    /// What `y` copies here: (what it is, text).
    fn copy(&self, cx: &Cx) -> Option<(&'static str, String)>;
}
