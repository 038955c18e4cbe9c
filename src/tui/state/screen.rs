//! The vocabulary every screen shares with the router: which screen, pane
//! and tab are shown, what a screen's handling of a key asks of the rest of
//! the explorer ([`Outcome`], applied by the one `update`), and what the run
//! loop must do ([`Effect`]). Plain data; it depends on no other file.

use std::path::PathBuf;

/// Which screen is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// Now panel, projects pane and snapshots timeline.
    Browse,
    /// One snapshot with tabs.
    Detail,
    /// Series of the selected project over time (chart).
    Trend,
    /// Tests × runs matrix of the selected project.
    TestHistory,
    /// Per-column drift across runs of the selected project.
    DriftHistory,
    /// The project's configured Evidently dashboard.
    Dashboard,
    /// Two snapshots compared.
    Compare,
}

/// Focused pane on the browse screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    /// The Now panel (projects failing now).
    Now,
    Projects,
    Snapshots,
}

/// Tabs of the snapshot detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Tests,
    Drift,
    Metrics,
    Raw,
}

impl Tab {
    /// All tabs in display order.
    pub const ALL: [Tab; 4] = [Tab::Tests, Tab::Drift, Tab::Metrics, Tab::Raw];

    /// Tab title.
    pub fn title(self) -> &'static str {
        match self {
            Tab::Tests => "Tests",
            Tab::Drift => "Drift",
            Tab::Metrics => "Metrics",
            Tab::Raw => "Raw",
        }
    }

    pub(crate) fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }

    pub(crate) fn step(self, d: isize) -> Tab {
        let n = Tab::ALL.len() as isize;
        Tab::ALL[((self.index() as isize + d).rem_euclid(n)) as usize]
    }
}

/// What the run loop must do after an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Leave the UI.
    Quit,
    /// Ask the live index to rescan the folder.
    Rescan,
    /// Read and pretty-print this file off the UI thread, reply with `Msg::RawLoaded`.
    LoadRaw { request: u64, path: PathBuf },
    /// Put this text on the clipboard (OSC 52, then a local tool).
    Copy(String),
}

/// What a screen's handling of a key asks of the router, when the change
/// reaches beyond the screen's own state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Handled inside the screen's state.
    Done,
    /// Handled; the screen's rows changed, so selections are re-fitted.
    Refit,
    /// Step the shared time window and recompute the views from the catalog.
    CycleWindow,
    /// Back to the screen this one was opened from.
    Back,
    /// Leave the explorer.
    Quit,
    /// Show a transient message.
    Say(String),
    /// Show this tab of the detail screen (its lists re-fitted, the Raw tab loaded).
    ShowTab(Tab),
    /// Show the selected snapshot in the detail screen.
    OpenDetail,
    /// Show this snapshot in the detail screen (on `tab`, or the current tab).
    OpenSnapshot {
        project: String,
        snapshot: String,
        tab: Option<Tab>,
    },
    /// Open a snapshot on its Tests tab with the test of this identity selected.
    JumpToTest {
        project: String,
        snapshot: String,
        identity: Option<String>,
    },
    /// Open a snapshot on its Drift tab, filtered to this column.
    JumpToDrift {
        project: String,
        snapshot: String,
        column: String,
    },
}
