//! The explorer's state: one [`App`] holding every screen's state (each
//! screen's type, its keys and its refresh live in its own
//! `state/<screen>.rs`), the shared pieces (catalog, filters, popup, the
//! time window, the Esc history), what is derived from them (the rows each
//! list shows, the layout regions input is mapped to, the full-screen view
//! shown as a [`View`]) and the invariants re-established after every
//! change ([`App::fix_selection`]). It changes only through `update`.
//! Selections are kept by id, so live insertions never move the user off
//! the snapshot they are reading.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use ratatui::layout::Rect;

use crate::analysis::dashboard::Dashboard;
use crate::analysis::history::{ColumnDriftHistory, TestHistory, Window};
use crate::analysis::triage::{ProjectHealth, ProjectProblem};
use crate::index::IndexEvent;
use crate::index::{Catalog, ProjectEntry, SnapshotEntry};
use crate::model::{DriftRow, TestOutcome};
use crate::parse::TimeZoneChoice;
use crate::tui::keymap::{Context, KeyMap};
use crate::tui::state::compare::CompareState;
use crate::tui::state::dashboard::DashState;
use crate::tui::state::history::{DriftHistoryState, TestHistoryState};
use crate::tui::state::now::NowState;
use crate::tui::state::trend::{TimeWindow, TrendState};
use crate::tui::state::view::{Cx, View};
use crate::tui::theme::Theme;
use crate::tui::ui::layout;

pub use crate::tui::state::browse::{BrowseState, Pane};
pub use crate::tui::state::cursor::Cursor;
pub use crate::tui::state::detail::{
    DetailState, DriftSort, MetricRow, RawState, RawView, Tab, RAW_DEFAULT_FOLD,
};
pub use crate::tui::state::filter::{filter_lc, FilterTarget, Filters, Input};
pub use crate::tui::state::popup::Popup;
pub use crate::tui::state::screen::{Effect, Outcome, Screen};

/// Progress of the first scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ScanState {
    pub done: usize,
    pub total: usize,
    pub finished: bool,
    pub elapsed_ms: Option<u64>,
}

/// Static settings of the explorer.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// The folder being explored (paths in popups are shown relative to it).
    pub root: PathBuf,
    /// The folder shown in the status bar (already sanitized for display).
    pub root_label: String,
    /// Watch mode shown in the status bar until the index reports one.
    pub watch_mode: String,
    pub tz: TimeZoneChoice,
    pub theme: Theme,
    pub keymap: KeyMap,
    /// Chart points as dots instead of braille (fonts without braille).
    pub dot_marker: bool,
}

/// The whole UI state.
#[derive(Debug)]
pub struct App {
    pub cfg: AppConfig,
    pub catalog: Catalog,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    pub screen: Screen,
    /// The browse screen: focused pane, project and snapshot selection.
    pub browse: BrowseState,
    /// The detail screen: tab, the tabs' cursors, the Raw tab.
    pub detail: DetailState,
    pub scan: ScanState,
    pub watch_mode: String,
    pub watcher_message: Option<String>,
    /// Files currently pending (half-written), with reasons.
    pub pending: BTreeMap<PathBuf, String>,
    /// False once the index channel closed.
    pub index_alive: bool,
    pub filters: Filters,
    pub input: Option<Input>,
    pub popup: Option<Popup>,
    /// `Some` while frozen: the index events held back.
    pub frozen: Option<Vec<IndexEvent>>,
    /// Snapshot ids that arrived after the first scan and were not opened yet.
    pub new_ids: HashSet<String>,
    /// A transient message and when it was set.
    pub message: Option<(String, DateTime<Utc>)>,
    /// A startup notice (configuration warnings), shown until the first key press.
    pub notice: Option<String>,
    /// Something visible changed since the last draw.
    pub dirty: bool,
    /// When the screen was last drawn (relative ages are refreshed once a minute).
    pub last_draw: Option<DateTime<Utc>>,
    /// When the Now panel and the open views were last recomputed, and
    /// whether the catalog changed since (during the first scan they are
    /// recomputed at most every `SCAN_REFRESH_GAP_MS` ms: each refresh
    /// walks every project's history).
    pub views_refreshed_at: Option<DateTime<Utc>>,
    pub views_stale: bool,
    /// Time window of the trend and test-history views.
    pub window: TimeWindow,
    /// The Now panel's data (recomputed when the index changes).
    pub now: NowState,
    pub trend: Option<TrendState>,
    pub thist: Option<TestHistoryState>,
    pub dhist: Option<DriftHistoryState>,
    pub dash: Option<DashState>,
    pub compare: Option<CompareState>,
    /// Snapshot marked for compare: (project id, snapshot id).
    pub mark: Option<(String, String)>,
    /// Screens to return to with Esc (most recent last).
    pub back: Vec<(Screen, Pane)>,
    /// Dashboards shown instead of the projects' own (see [`App::set_dashboard`]).
    pub dashboards: HashMap<String, Arc<Dashboard>>,
}

impl App {
    /// A fresh state: empty catalog, scan not started.
    pub fn new(cfg: AppConfig, size: (u16, u16)) -> App {
        let browse = BrowseState {
            tz: cfg.tz,
            ..BrowseState::default()
        };
        App {
            watch_mode: cfg.watch_mode.clone(),
            cfg,
            catalog: Catalog::new(),
            size,
            screen: Screen::Browse,
            browse,
            detail: DetailState::default(),
            scan: ScanState::default(),
            watcher_message: None,
            pending: BTreeMap::new(),
            index_alive: true,
            filters: HashMap::new(),
            input: None,
            popup: None,
            frozen: None,
            new_ids: HashSet::new(),
            message: None,
            notice: None,
            dirty: true,
            last_draw: None,
            views_refreshed_at: None,
            views_stale: false,
            window: TimeWindow::All,
            now: NowState::default(),
            trend: None,
            thist: None,
            dhist: None,
            dash: None,
            compare: None,
            mark: None,
            back: Vec::new(),
            dashboards: HashMap::new(),
        }
    }

    // ----- derived views -------------------------------------------------

    /// The active filter text of a list ("" when none).
    pub fn filter(&self, t: FilterTarget) -> &str {
        self.filters.get(&t).map(String::as_str).unwrap_or("")
    }

    pub(crate) fn filter_lc(&self, t: FilterTarget) -> String {
        filter_lc(&self.filters, t)
    }

    /// Projects shown in the projects pane, in order.
    pub fn visible_projects(&self) -> Vec<&ProjectEntry> {
        self.browse.visible_projects(&self.catalog, &self.filters)
    }

    /// Index of the selected project in [`App::visible_projects`].
    pub fn project_index(&self) -> Option<usize> {
        self.browse.project_index(&self.catalog, &self.filters)
    }

    /// The selected project.
    pub fn current_project(&self) -> Option<&ProjectEntry> {
        self.browse.current_project(&self.catalog)
    }

    /// Snapshots of the selected project shown in the timeline, newest first.
    pub fn visible_snapshots(&self) -> Vec<&SnapshotEntry> {
        self.browse.visible_snapshots(&self.catalog, &self.filters)
    }

    /// Id of the selected snapshot in the selected project.
    pub fn selected_snapshot_id(&self) -> Option<&str> {
        self.browse.selected_snapshot_id()
    }

    /// Index of the selected snapshot in [`App::visible_snapshots`].
    pub fn snapshot_index(&self) -> Option<usize> {
        self.browse.snapshot_index(&self.catalog, &self.filters)
    }

    /// The selected snapshot.
    pub fn current_snapshot(&self) -> Option<&SnapshotEntry> {
        self.browse.current_snapshot(&self.catalog)
    }

    /// Tests of the current snapshot: failures first (stable), filtered.
    pub fn test_rows(&self) -> Vec<&TestOutcome> {
        self.detail
            .test_rows(self.current_snapshot(), &self.filters)
    }

    /// Drift rows of the current snapshot, sorted and filtered.
    pub fn drift_rows(&self) -> Vec<&DriftRow> {
        self.detail
            .drift_rows(self.current_snapshot(), &self.filters)
    }

    /// Rows of the Metrics tab: each metric group followed by its values.
    pub fn metric_rows(&self) -> Vec<MetricRow<'_>> {
        self.detail
            .metric_rows(self.current_snapshot(), &self.filters)
    }

    /// Number of unreadable files.
    pub fn unreadable_count(&self) -> usize {
        self.catalog.unreadable().count()
    }

    /// The key-map contexts that apply now, most specific first.
    pub fn contexts(&self) -> Vec<Context> {
        match self.screen {
            Screen::Browse if self.browse.focus == Pane::Now => vec![Context::Now, Context::Browse],
            Screen::Browse => vec![Context::Browse],
            Screen::Detail if self.detail.tab == Tab::Raw => vec![Context::Raw, Context::Detail],
            Screen::Detail => vec![Context::Detail],
            s => self.view(s).map(|v| vec![v.context()]).unwrap_or_default(),
        }
    }

    /// The list the filter key acts on (on a full-screen view, the one it says).
    pub fn filter_target(&self) -> Option<FilterTarget> {
        Some(match (self.screen, self.browse.focus, self.detail.tab) {
            (Screen::Browse, Pane::Projects | Pane::Now, _) => FilterTarget::Projects,
            (Screen::Browse, Pane::Snapshots, _) => FilterTarget::Snapshots,
            (Screen::Detail, _, Tab::Tests) => FilterTarget::Tests,
            (Screen::Detail, _, Tab::Drift) => FilterTarget::Drift,
            (Screen::Detail, _, Tab::Metrics) => FilterTarget::Metrics,
            (Screen::Detail, _, Tab::Raw) => FilterTarget::Raw,
            (s, _, _) => return self.view(s)?.filter_target(),
        })
    }

    pub(crate) fn area(&self) -> Rect {
        Rect::new(0, 0, self.size.0, self.size.1)
    }

    pub(crate) fn browse_layout(&self) -> layout::Browse {
        let main = layout::frame(self.area()).main;
        layout::browse(
            main,
            self.browse.focus == Pane::Snapshots,
            self.now_height(main),
            self.longest_project_name(),
        )
    }

    /// Display width of the longest name in the projects pane.
    pub fn longest_project_name(&self) -> usize {
        self.browse
            .longest_name(&self.catalog, &self.filters, &self.new_ids)
    }

    pub(crate) fn detail_layout(&self) -> layout::Detail {
        layout::detail(layout::frame(self.area()).main)
    }

    /// Rows available to the list of the current tab / pane.
    pub(crate) fn page(&self) -> usize {
        let h = match self.screen {
            Screen::Browse => {
                let b = self.browse_layout();
                match self.browse.focus {
                    Pane::Projects => layout::list_rows(b.projects).height,
                    Pane::Snapshots => layout::list_rows(b.snapshots).height,
                    Pane::Now => layout::inner(b.now).height,
                }
            }
            Screen::Detail => self.tab_rows().height,
            _ => self.view_rows().height,
        };
        (h as usize).max(1)
    }

    /// The rows region of the current tab's list (below its header).
    pub fn tab_rows(&self) -> Rect {
        let body = self.detail_layout().body;
        match self.detail.tab {
            Tab::Tests => layout::below_header(layout::tests_split(body).0),
            Tab::Drift => layout::below_header(layout::with_footer(body).0),
            Tab::Metrics => layout::below_header(layout::with_footer(body).0),
            Tab::Raw => layout::below_header(layout::with_footer(body).0),
        }
    }

    pub(crate) fn projects_page(&self) -> usize {
        (layout::list_rows(self.browse_layout().projects).height as usize).max(1)
    }

    pub(crate) fn snapshots_page(&self) -> usize {
        (layout::list_rows(self.browse_layout().snapshots).height as usize).max(1)
    }

    // ----- invariants ----------------------------------------------------

    /// Re-establish selections after anything changed: selected ids exist and
    /// are visible (else the first row is chosen), offsets keep them on screen.
    pub fn fix_selection(&mut self) {
        let pages = (self.projects_page(), self.snapshots_page());
        self.browse
            .fit(&self.catalog, &self.filters, pages.0, pages.1);
        if self.screen == Screen::Detail && self.current_snapshot().is_none() {
            self.screen = Screen::Browse;
            self.browse.focus = Pane::Snapshots;
        }
        if self.browse.focus == Pane::Now && self.now.failing.is_empty() {
            self.browse.focus = Pane::Projects;
        }
        self.fit_tab_cursors();
        self.fit_view_cursors();
    }

    pub(crate) fn fit_tab_cursors(&mut self) {
        let rows = (self.tab_rows().height as usize).max(1);
        let s = self.browse.current_snapshot(&self.catalog);
        self.detail.fit(s, &self.filters, rows);
    }

    // ----- update --------------------------------------------------------

    /// Record that a frame was drawn at `now`.
    pub fn mark_drawn(&mut self, now: DateTime<Utc>) {
        self.dirty = false;
        self.last_draw = Some(now);
    }

    /// Show a transient message in the hint bar.
    pub fn say(&mut self, text: impl Into<String>, now: DateTime<Utc>) {
        self.message = Some((text.into(), now));
        self.dirty = true;
    }

    // ----- derived -------------------------------------------------------

    /// Height of the Now panel in a main area of this size.
    pub fn now_height(&self, main: Rect) -> u16 {
        let focused = self.browse.focus == Pane::Now;
        let lines = if focused {
            self.now.items(true).len()
        } else {
            self.now.failing.len()
        };
        layout::now_height(main, lines, !self.now.failing.is_empty(), focused)
    }

    /// Rows of the Now panel's list.
    pub(crate) fn now_rows(&self) -> usize {
        let main = layout::frame(self.area()).main;
        let h = layout::inner(layout::browse(main, false, self.now_height(main), 0).now).height;
        (h as usize).max(1)
    }

    /// The list rows region of the current full-screen view.
    pub fn view_rows(&self) -> Rect {
        let main = layout::frame(self.area()).main;
        match self.screen {
            Screen::TestHistory => layout::test_history(main).rows,
            Screen::DriftHistory => layout::drift_history(main).rows,
            Screen::Compare => layout::compare(main).rows,
            Screen::Dashboard => layout::dashboard(main).1,
            Screen::Trend => layout::picker_rows(main),
            _ => Rect::default(),
        }
    }

    /// The state of a full-screen view, when `screen` is one and it is open.
    /// A new view is one more line here and in `App::with_views`.
    pub fn view(&self, screen: Screen) -> Option<&dyn View> {
        match screen {
            Screen::Trend => self.trend.as_ref().map(|v| v as &dyn View),
            Screen::TestHistory => self.thist.as_ref().map(|v| v as &dyn View),
            Screen::DriftHistory => self.dhist.as_ref().map(|v| v as &dyn View),
            Screen::Dashboard => self.dash.as_ref().map(|v| v as &dyn View),
            Screen::Compare => self.compare.as_ref().map(|v| v as &dyn View),
            Screen::Browse | Screen::Detail => None,
        }
    }

    /// What the full-screen views read besides their own state.
    pub fn cx(&self) -> Cx<'_> {
        Cx {
            catalog: &self.catalog,
            filters: &self.filters,
            window: self.window,
            tz: self.cfg.tz,
            rows: (self.view_rows().height as usize).max(1),
            project: self.browse.project_sel.as_deref(),
            snapshot: self.browse.selected_snapshot_id(),
        }
    }

    /// Run `f` on each open full-screen view (only that of `only`, when
    /// given) with what it reads; the result of the last one run.
    pub(crate) fn with_views<R>(
        &mut self,
        only: Option<Screen>,
        mut f: impl FnMut(&mut dyn View, &Cx) -> R,
    ) -> Option<R> {
        let rows = (self.view_rows().height as usize).max(1);
        let App {
            catalog,
            filters,
            window,
            cfg,
            browse,
            trend,
            thist,
            dhist,
            dash,
            compare,
            ..
        } = self;
        let cx = Cx {
            catalog,
            filters,
            window: *window,
            tz: cfg.tz,
            rows,
            project: browse.project_sel.as_deref(),
            snapshot: browse.selected_snapshot_id(),
        };
        let views: [(Screen, Option<&mut dyn View>); 5] = [
            (Screen::Trend, trend.as_mut().map(|v| v as &mut dyn View)),
            (
                Screen::TestHistory,
                thist.as_mut().map(|v| v as &mut dyn View),
            ),
            (
                Screen::DriftHistory,
                dhist.as_mut().map(|v| v as &mut dyn View),
            ),
            (Screen::Dashboard, dash.as_mut().map(|v| v as &mut dyn View)),
            (
                Screen::Compare,
                compare.as_mut().map(|v| v as &mut dyn View),
            ),
        ];
        let mut out = None;
        for (s, v) in views {
            if let Some(v) = v.filter(|_| only.is_none_or(|o| o == s)) {
                out = Some(f(v, &cx));
            }
        }
        out
    }

    /// Test-history rows, filtered.
    pub fn history_rows(&self) -> Vec<&TestHistory> {
        let f = self.filter_lc(FilterTarget::TestHistory);
        self.thist
            .as_ref()
            .map_or_else(Vec::new, |h| h.rows_matching(&f))
    }

    /// Drift-history rows, filtered.
    pub fn drift_history_rows(&self) -> Vec<&ColumnDriftHistory> {
        let f = self.filter_lc(FilterTarget::DriftHistory);
        self.dhist
            .as_ref()
            .map_or_else(Vec::new, |h| h.rows_matching(&f))
    }

    /// The window of the trend view (anchored on the project's newest snapshot).
    pub fn trend_window(&self) -> Window {
        match &self.trend {
            Some(t) => t.window(&self.catalog, self.window),
            None => self.window.window(None),
        }
    }

    /// Index (into the active series' points) of the trend cursor.
    pub fn trend_cursor(&self) -> Option<usize> {
        self.trend.as_ref()?.cursor_index(&self.trend_window())
    }

    /// The dashboard configured for a project: an override set with
    /// [`App::set_dashboard`], else the one the index attached to the project.
    pub fn dashboard_for(
        &self,
        project_id: &str,
    ) -> Option<std::sync::Arc<crate::analysis::dashboard::Dashboard>> {
        self.dashboards.get(project_id).cloned().or_else(|| {
            self.catalog
                .project(project_id)
                .and_then(|p| p.project.dashboard.clone())
        })
    }

    /// Show this dashboard for a project instead of its own (tests, demos).
    pub fn set_dashboard(
        &mut self,
        project_id: &str,
        d: std::sync::Arc<crate::analysis::dashboard::Dashboard>,
    ) {
        self.dashboards.insert(project_id.to_string(), d);
        self.dirty = true;
    }

    /// The snapshot the user is pointing at: (project id, snapshot id).
    pub fn focused_snapshot(&self) -> Option<(String, String)> {
        let pid = self.browse.project_sel.clone()?;
        match self.screen {
            Screen::Browse if self.browse.focus == Pane::Now => {
                let h = self.now_item_health()?;
                Some((h.project_id.clone(), h.snapshot_id.clone()?))
            }
            s => match self.view(s) {
                Some(v) => v.focused(&self.cx()),
                None => Some((pid, self.selected_snapshot_id()?.to_string())),
            },
        }
    }

    pub(crate) fn now_item_health(&self) -> Option<&ProjectHealth> {
        self.now.selected_health()
    }

    // ----- keeping derived state fresh -----------------------------------

    /// Keep the views' cursors inside their lists and on screen.
    pub(crate) fn fit_view_cursors(&mut self) {
        self.with_views(None, |v, cx| v.fit(cx));
        let rows = self.now_rows();
        self.now.fit(rows);
    }

    // ----- moving ----------------------------------------------------------

    /// Number of panel rows of the dashboard's selected tab.
    pub fn dash_rows(&self) -> usize {
        self.dash.as_ref().map_or(0, |d| d.row_count())
    }

    // ----- actions ---------------------------------------------------------

    // ----- opening views and snapshots -----------------------------------

    // ----- copy ------------------------------------------------------------

    /// Why project `id` holds no readable run, when it is unreadable (as
    /// the Now panel lists it).
    pub fn unreadable_problem(&self, id: &str) -> Option<&ProjectProblem> {
        self.now
            .failing
            .iter()
            .find(|h| h.project_id == id)
            .and_then(|h| h.problem.as_ref())
    }

    /// One-line summary for the Now panel when nothing fails.
    pub fn now_summary(&self, now: DateTime<Utc>) -> String {
        let age = self
            .now
            .newest
            .map(|t| format!(" · newest run {} ago", crate::text::duration::age(now - t)))
            .unwrap_or_default();
        let future = match self.now.future_dated {
            0 => String::new(),
            n => format!(
                " · {} dated in the future",
                crate::text::num::plural(n, "run")
            ),
        };
        format!("all {} projects passing{age}{future}", self.now.projects)
    }
}
