//! The explorer's state and its only mutator, [`App::update`]. No terminal,
//! no filesystem: messages in, state changed, [`Effect`]s out for the run
//! loop to perform. Selections are kept by id, so live insertions never move
//! the user off the snapshot they are reading.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::Rect;

use crate::analysis::dashboard::Dashboard;
use crate::config::keys;
use crate::index::catalog::{Catalog, ProjectEntry, SnapshotEntry};
use crate::index::events::{self, IndexEvent};
use crate::model::{DriftRow, SeriesValue, TestOutcome};
use crate::parse::TimeZoneChoice;
use crate::tui::event::Msg;
use crate::tui::keymap::{self, Action, Context, Key, KeyMap};
use crate::tui::raw::RawDoc;
use crate::tui::theme::Theme;
use crate::tui::ui::layout;
use crate::tui::views::{
    CompareState, DashState, DriftHistoryState, NowState, TestHistoryState, TimeWindow, TrendState,
};

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

    fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }

    fn step(self, d: isize) -> Tab {
        let n = Tab::ALL.len() as isize;
        Tab::ALL[((self.index() as isize + d).rem_euclid(n)) as usize]
    }
}

/// Drift table order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DriftSort {
    /// As in the file.
    #[default]
    File,
    /// Score ascending (missing scores last).
    ScoreAsc,
    /// Score descending (missing scores last).
    ScoreDesc,
}

impl DriftSort {
    /// Label for the footer.
    pub fn label(self) -> &'static str {
        match self {
            DriftSort::File => "file order",
            DriftSort::ScoreAsc => "score ascending",
            DriftSort::ScoreDesc => "score descending",
        }
    }
}

/// A popup over the current screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Popup {
    /// Key help, generated from the key map; the value is the scroll offset.
    Help(usize),
    /// Unreadable and pending files with reasons; the value is the scroll offset.
    Unreadable(usize),
}

/// Which list a filter applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FilterTarget {
    Projects,
    Snapshots,
    Tests,
    Drift,
    Metrics,
    Raw,
    TestHistory,
    DriftHistory,
}

impl FilterTarget {
    /// What the filter matches, for the input prompt.
    pub fn prompt(self) -> &'static str {
        match self {
            FilterTarget::Projects => "filter projects (name)",
            FilterTarget::Snapshots => "filter snapshots (name, tag, metadata)",
            FilterTarget::Tests => "filter tests",
            FilterTarget::Drift => "filter drift rows",
            FilterTarget::Metrics => "filter metrics (key)",
            FilterTarget::Raw => "search raw JSON",
            FilterTarget::TestHistory => "filter tests (name, column, type)",
            FilterTarget::DriftHistory => "filter columns",
        }
    }
}

/// The filter being typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub target: FilterTarget,
    pub text: String,
    /// The filter before editing began (restored on Esc).
    pub previous: String,
}

/// Selection and scroll offset of a list, by row index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cursor {
    pub sel: usize,
    pub offset: usize,
}

impl Cursor {
    /// Keep `sel` inside `len` rows and visible in a window of `height` rows.
    pub fn fit(&mut self, len: usize, height: usize) {
        if len == 0 {
            *self = Cursor::default();
            return;
        }
        self.sel = self.sel.min(len - 1);
        let h = height.max(1);
        if self.sel < self.offset {
            self.offset = self.sel;
        } else if self.sel >= self.offset + h {
            self.offset = self.sel + 1 - h;
        }
        self.offset = self.offset.min(len.saturating_sub(h));
    }

    /// Move by `delta` rows (clamped) and keep the selection visible.
    pub fn step(&mut self, delta: isize, len: usize, height: usize) {
        if len == 0 {
            return;
        }
        self.sel = (self.sel as isize + delta).clamp(0, len as isize - 1) as usize;
        self.fit(len, height);
    }
}

/// State of the Raw tab.
#[derive(Debug, Clone, PartialEq)]
pub enum RawState {
    /// Nothing requested.
    Idle,
    /// A loader thread is reading this file.
    Loading { request: u64, path: PathBuf },
    /// Loaded and pretty-printed.
    Loaded(Box<RawView>),
    /// The file could not be read.
    Failed { path: PathBuf, message: String },
}

/// A loaded raw document and how it is being viewed.
#[derive(Debug, Clone, PartialEq)]
pub struct RawView {
    pub path: PathBuf,
    pub doc: RawDoc,
    /// Fold level (`None` = fully expanded).
    pub fold: Option<u16>,
    /// Indices of the lines shown at this fold level.
    pub visible: Vec<u32>,
    /// Indices (into `doc.lines`) of lines matching the search.
    pub matches: Vec<u32>,
    pub cursor: Cursor,
    /// Columns scrolled to the right.
    pub hscroll: usize,
}

/// Default fold level when a document is opened.
pub const RAW_DEFAULT_FOLD: u16 = 2;

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

/// One row of the Metrics tab.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MetricRow<'a> {
    /// A metric (the series key up to its field path) with its number of values.
    Group(&'a str, usize),
    /// One value: the full series and its field path inside the group.
    Value(&'a SeriesValue, &'a str),
}

/// The whole UI state.
#[derive(Debug)]
pub struct App {
    pub cfg: AppConfig,
    pub catalog: Catalog,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    pub screen: Screen,
    pub focus: Pane,
    pub tab: Tab,
    pub scan: ScanState,
    pub watch_mode: String,
    pub watcher_message: Option<String>,
    /// Files currently pending (half-written), with reasons.
    pub pending: BTreeMap<PathBuf, String>,
    /// False once the index channel closed.
    pub index_alive: bool,
    /// Selected project id.
    pub project_sel: Option<String>,
    pub project_offset: usize,
    /// Selected snapshot id per project.
    pub snapshot_sel: HashMap<String, String>,
    pub snapshot_offset: usize,
    pub tests: Cursor,
    pub drift: Cursor,
    pub drift_sort: DriftSort,
    pub metrics: Cursor,
    pub raw: RawState,
    pub filters: HashMap<FilterTarget, String>,
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
    next_request: u64,
}

/// How long a transient message stays.
const MESSAGE_SECS: i64 = 5;

fn lc_contains(hay: &str, needle_lc: &str) -> bool {
    hay.to_lowercase().contains(needle_lc)
}

/// The metric part of a series key: up to the first '.' after the closing
/// '}' of the parameters, or up to the first '.' when there are none.
pub fn metric_group(key: &str) -> (&str, &str) {
    let search_from = key.find('{').and_then(|o| {
        // Find the matching '}' (parameters may nest braces).
        let mut depth = 0usize;
        for (i, c) in key[o..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(o + i + 1);
                    }
                }
                _ => {}
            }
        }
        None
    });
    let from = search_from.unwrap_or(0);
    match key[from..].find('.') {
        Some(i) => (&key[..from + i], &key[from + i + 1..]),
        None => (key, ""),
    }
}

/// True when a snapshot matches a filter text (name, id, kind, tags, metadata keys and values).
pub fn snapshot_matches(s: &crate::model::Snapshot, needle_lc: &str) -> bool {
    if needle_lc.is_empty() {
        return true;
    }
    if s.name.as_deref().is_some_and(|n| lc_contains(n, needle_lc))
        || lc_contains(&s.id, needle_lc)
        || s.kind.as_str().contains(needle_lc)
        || s.tags.iter().any(|t| lc_contains(t, needle_lc))
    {
        return true;
    }
    s.metadata.iter().any(|(k, v)| {
        let vs = match v {
            serde_json::Value::String(x) => x.clone(),
            other => other.to_string(),
        };
        lc_contains(k, needle_lc)
            || lc_contains(&vs, needle_lc)
            || lc_contains(&format!("{k}={vs}"), needle_lc)
    })
}

fn test_matches(t: &TestOutcome, needle_lc: &str) -> bool {
    needle_lc.is_empty()
        || lc_contains(&t.name, needle_lc)
        || lc_contains(&t.description, needle_lc)
        || lc_contains(t.status.as_str(), needle_lc)
        || lc_contains(&t.test_type, needle_lc)
        || t.column
            .as_deref()
            .is_some_and(|c| lc_contains(c, needle_lc))
}

fn drift_matches(d: &DriftRow, needle_lc: &str) -> bool {
    needle_lc.is_empty()
        || lc_contains(&d.column, needle_lc)
        || d.column_type
            .as_deref()
            .is_some_and(|c| lc_contains(c, needle_lc))
        || d.method
            .as_deref()
            .is_some_and(|c| lc_contains(c, needle_lc))
        || (needle_lc == "drifted" && d.drifted == Some(true))
}

impl App {
    /// A fresh state: empty catalog, scan not started.
    pub fn new(cfg: AppConfig, size: (u16, u16)) -> App {
        App {
            watch_mode: cfg.watch_mode.clone(),
            cfg,
            catalog: Catalog::new(),
            size,
            screen: Screen::Browse,
            focus: Pane::Projects,
            tab: Tab::Tests,
            scan: ScanState::default(),
            watcher_message: None,
            pending: BTreeMap::new(),
            index_alive: true,
            project_sel: None,
            project_offset: 0,
            snapshot_sel: HashMap::new(),
            snapshot_offset: 0,
            tests: Cursor::default(),
            drift: Cursor::default(),
            drift_sort: DriftSort::File,
            metrics: Cursor::default(),
            raw: RawState::Idle,
            filters: HashMap::new(),
            input: None,
            popup: None,
            frozen: None,
            new_ids: HashSet::new(),
            message: None,
            notice: None,
            dirty: true,
            last_draw: None,
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
            next_request: 1,
        }
    }

    // ----- derived views -------------------------------------------------

    /// The active filter text of a list ("" when none).
    pub fn filter(&self, t: FilterTarget) -> &str {
        self.filters.get(&t).map(String::as_str).unwrap_or("")
    }

    pub(crate) fn filter_lc(&self, t: FilterTarget) -> String {
        self.filter(t).to_lowercase()
    }

    /// Projects shown in the projects pane, in order.
    pub fn visible_projects(&self) -> Vec<&ProjectEntry> {
        let f = self.filter_lc(FilterTarget::Projects);
        self.catalog
            .projects()
            .into_iter()
            .filter(|p| {
                f.is_empty() || lc_contains(&p.project.name, &f) || lc_contains(&p.project.id, &f)
            })
            .collect()
    }

    /// Index of the selected project in [`App::visible_projects`].
    pub fn project_index(&self) -> Option<usize> {
        let v = self.visible_projects();
        let id = self.project_sel.as_deref()?;
        v.iter().position(|p| p.project.id == id)
    }

    /// The selected project.
    pub fn current_project(&self) -> Option<&ProjectEntry> {
        self.catalog.project(self.project_sel.as_deref()?)
    }

    /// Snapshots of the selected project shown in the timeline, newest first.
    pub fn visible_snapshots(&self) -> Vec<&SnapshotEntry> {
        let Some(p) = self.current_project() else {
            return Vec::new();
        };
        let f = self.filter_lc(FilterTarget::Snapshots);
        p.snapshots
            .iter()
            .rev()
            .filter(|s| snapshot_matches(&s.snapshot, &f))
            .collect()
    }

    /// Id of the selected snapshot in the selected project.
    pub fn selected_snapshot_id(&self) -> Option<&str> {
        let pid = self.project_sel.as_deref()?;
        self.snapshot_sel.get(pid).map(String::as_str)
    }

    /// Index of the selected snapshot in [`App::visible_snapshots`].
    pub fn snapshot_index(&self) -> Option<usize> {
        let id = self.selected_snapshot_id()?;
        self.visible_snapshots()
            .iter()
            .position(|s| s.snapshot.id == id)
    }

    /// The selected snapshot.
    pub fn current_snapshot(&self) -> Option<&SnapshotEntry> {
        let p = self.current_project()?;
        let id = self.selected_snapshot_id()?;
        p.snapshots.iter().find(|s| s.snapshot.id == id)
    }

    /// Tests of the current snapshot: failures first (stable), filtered.
    pub fn test_rows(&self) -> Vec<&TestOutcome> {
        let Some(s) = self.current_snapshot() else {
            return Vec::new();
        };
        let f = self.filter_lc(FilterTarget::Tests);
        let mut v: Vec<&TestOutcome> = s
            .snapshot
            .tests
            .iter()
            .filter(|t| test_matches(t, &f))
            .collect();
        v.sort_by_key(|t| t.status);
        v
    }

    /// Drift rows of the current snapshot, sorted and filtered.
    pub fn drift_rows(&self) -> Vec<&DriftRow> {
        let Some(s) = self.current_snapshot() else {
            return Vec::new();
        };
        let f = self.filter_lc(FilterTarget::Drift);
        let mut v: Vec<&DriftRow> = s
            .snapshot
            .drift
            .iter()
            .filter(|d| drift_matches(d, &f))
            .collect();
        let key = |d: &&DriftRow| d.score.filter(|x| x.is_finite());
        match self.drift_sort {
            DriftSort::File => {}
            DriftSort::ScoreAsc => v.sort_by(|a, b| match (key(a), key(b)) {
                (Some(x), Some(y)) => x.total_cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            }),
            DriftSort::ScoreDesc => v.sort_by(|a, b| match (key(a), key(b)) {
                (Some(x), Some(y)) => y.total_cmp(&x),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            }),
        }
        v
    }

    /// Rows of the Metrics tab: each metric group followed by its values.
    pub fn metric_rows(&self) -> Vec<MetricRow<'_>> {
        let Some(s) = self.current_snapshot() else {
            return Vec::new();
        };
        let f = self.filter_lc(FilterTarget::Metrics);
        let mut groups: Vec<(&str, Vec<(&SeriesValue, &str)>)> = Vec::new();
        let mut index: HashMap<&str, usize> = HashMap::new();
        for v in &s.snapshot.series {
            if !f.is_empty() && !lc_contains(&v.key, &f) {
                continue;
            }
            let (g, field) = metric_group(&v.key);
            let i = *index.entry(g).or_insert_with(|| {
                groups.push((g, Vec::new()));
                groups.len() - 1
            });
            groups[i].1.push((v, field));
        }
        let mut out = Vec::new();
        for (g, vals) in groups {
            out.push(MetricRow::Group(g, vals.len()));
            out.extend(vals.into_iter().map(|(v, f)| MetricRow::Value(v, f)));
        }
        out
    }

    /// Number of unreadable files.
    pub fn unreadable_count(&self) -> usize {
        self.catalog.unreadable().count()
    }

    /// The key-map contexts that apply now, most specific first.
    pub fn contexts(&self) -> Vec<Context> {
        match self.screen {
            Screen::Browse if self.focus == Pane::Now => vec![Context::Now, Context::Browse],
            Screen::Browse => vec![Context::Browse],
            Screen::Detail if self.tab == Tab::Raw => vec![Context::Raw, Context::Detail],
            Screen::Detail => vec![Context::Detail],
            Screen::Trend => vec![Context::Trend],
            Screen::TestHistory => vec![Context::TestHistory],
            Screen::DriftHistory => vec![Context::DriftHistory],
            Screen::Dashboard => vec![Context::Dashboard],
            Screen::Compare => vec![Context::Compare],
        }
    }

    /// The list the filter key acts on (none on the chart, dashboard and compare views).
    pub fn filter_target(&self) -> Option<FilterTarget> {
        Some(match (self.screen, self.focus, self.tab) {
            (Screen::Browse, Pane::Projects | Pane::Now, _) => FilterTarget::Projects,
            (Screen::Browse, Pane::Snapshots, _) => FilterTarget::Snapshots,
            (Screen::Detail, _, Tab::Tests) => FilterTarget::Tests,
            (Screen::Detail, _, Tab::Drift) => FilterTarget::Drift,
            (Screen::Detail, _, Tab::Metrics) => FilterTarget::Metrics,
            (Screen::Detail, _, Tab::Raw) => FilterTarget::Raw,
            (Screen::TestHistory, _, _) => FilterTarget::TestHistory,
            (Screen::DriftHistory, _, _) => FilterTarget::DriftHistory,
            (Screen::Trend | Screen::Dashboard | Screen::Compare, _, _) => return None,
        })
    }

    pub(crate) fn area(&self) -> Rect {
        Rect::new(0, 0, self.size.0, self.size.1)
    }

    pub(crate) fn browse_layout(&self) -> layout::Browse {
        let main = layout::frame(self.area()).main;
        layout::browse(main, self.focus == Pane::Snapshots, self.now_height(main))
    }

    fn detail_layout(&self) -> layout::Detail {
        layout::detail(layout::frame(self.area()).main)
    }

    /// Rows available to the list of the current tab / pane.
    pub(crate) fn page(&self) -> usize {
        let h = match self.screen {
            Screen::Browse => {
                let b = self.browse_layout();
                match self.focus {
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
        match self.tab {
            Tab::Tests => layout::below_header(layout::tests_split(body).0),
            Tab::Drift => layout::below_header(layout::with_footer(body).0),
            Tab::Metrics => layout::below_header(layout::with_footer(body).0),
            Tab::Raw => layout::below_header(layout::with_footer(body).0),
        }
    }

    fn projects_page(&self) -> usize {
        (layout::list_rows(self.browse_layout().projects).height as usize).max(1)
    }

    fn snapshots_page(&self) -> usize {
        (layout::list_rows(self.browse_layout().snapshots).height as usize).max(1)
    }

    // ----- invariants ----------------------------------------------------

    /// Re-establish selections after anything changed: selected ids exist and
    /// are visible (else the first row is chosen), offsets keep them on screen.
    pub fn fix_selection(&mut self) {
        let projects = self.visible_projects();
        let pidx = self
            .project_sel
            .as_deref()
            .and_then(|id| projects.iter().position(|p| p.project.id == id));
        let new_sel = match pidx {
            Some(_) => self.project_sel.clone(),
            None => projects.first().map(|p| p.project.id.clone()),
        };
        let plen = projects.len();
        drop(projects);
        self.project_sel = new_sel;
        let mut c = Cursor {
            sel: self.project_index().unwrap_or(0),
            offset: self.project_offset,
        };
        c.fit(plen, self.projects_page());
        self.project_offset = c.offset;

        let snaps = self.visible_snapshots();
        let slen = snaps.len();
        let sidx = self
            .selected_snapshot_id()
            .and_then(|id| snaps.iter().position(|s| s.snapshot.id == id));
        let first = snaps.first().map(|s| s.snapshot.id.clone());
        drop(snaps);
        if sidx.is_none() {
            if let Some(pid) = self.project_sel.clone() {
                match first {
                    Some(id) => {
                        self.snapshot_sel.insert(pid, id);
                    }
                    None => {
                        self.snapshot_sel.remove(&pid);
                    }
                }
            }
        }
        let mut c = Cursor {
            sel: self.snapshot_index().unwrap_or(0),
            offset: self.snapshot_offset,
        };
        c.fit(slen, self.snapshots_page());
        self.snapshot_offset = c.offset;

        if self.screen == Screen::Detail && self.current_snapshot().is_none() {
            self.screen = Screen::Browse;
            self.focus = Pane::Snapshots;
        }
        if self.focus == Pane::Now && self.now.failing.is_empty() {
            self.focus = Pane::Projects;
        }
        self.fit_tab_cursors();
        self.fit_view_cursors();
    }

    fn fit_tab_cursors(&mut self) {
        let rows = (self.tab_rows().height as usize).max(1);
        let n = self.test_rows().len();
        self.tests.fit(n, rows);
        let n = self.drift_rows().len();
        self.drift.fit(n, rows);
        let n = self.metric_rows().len();
        self.metrics.fit(n, rows);
        if let RawState::Loaded(v) = &mut self.raw {
            let n = v.visible.len();
            v.cursor.fit(n, rows);
        }
    }

    // ----- update --------------------------------------------------------

    /// Apply one message; returns what the run loop must do.
    pub fn update(&mut self, msg: Msg, now: DateTime<Utc>) -> Vec<Effect> {
        match msg {
            Msg::Key(k) => {
                if self.notice.take().is_some() {
                    self.dirty = true;
                }
                self.on_key(k, now)
            }
            Msg::Mouse(m) => self.on_mouse(m, now),
            Msg::Resize(w, h) => {
                self.size = (w, h);
                self.fix_selection();
                self.dirty = true;
                Vec::new()
            }
            Msg::Index(ev) => self.on_index(ev, now),
            Msg::IndexClosed => {
                self.index_alive = false;
                self.dirty = true;
                Vec::new()
            }
            Msg::RawLoaded { request, result } => {
                if let RawState::Loading { request: r, path } = &self.raw {
                    if *r == request {
                        let path = path.clone();
                        self.raw = match result {
                            Ok(doc) => {
                                let fold = Some(RAW_DEFAULT_FOLD);
                                let visible = doc.visible(fold);
                                let mut v = RawView {
                                    path,
                                    doc,
                                    fold,
                                    visible,
                                    matches: Vec::new(),
                                    cursor: Cursor::default(),
                                    hscroll: 0,
                                };
                                recompute_matches(&mut v, &self.filter_lc(FilterTarget::Raw));
                                RawState::Loaded(Box::new(v))
                            }
                            Err(message) => RawState::Failed { path, message },
                        };
                        self.fit_tab_cursors();
                        self.dirty = true;
                    }
                }
                Vec::new()
            }
            Msg::Tick => {
                if let Some((_, at)) = &self.message {
                    if (now - *at).num_seconds() >= MESSAGE_SECS {
                        self.message = None;
                        self.dirty = true;
                    }
                }
                let minute = |t: DateTime<Utc>| t.timestamp().div_euclid(60);
                let stale = match self.last_draw {
                    Some(d) => minute(d) != minute(now),
                    None => true,
                };
                if stale {
                    self.dirty = true;
                }
                Vec::new()
            }
            Msg::Signal(_) => vec![Effect::Quit],
            Msg::InputError(e) => {
                tracing::error!("terminal input failed: {e}");
                vec![Effect::Quit]
            }
        }
    }

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

    fn on_index(&mut self, ev: IndexEvent, now: DateTime<Utc>) -> Vec<Effect> {
        if let Some(q) = &mut self.frozen {
            q.push(ev);
            self.dirty = true;
            return Vec::new();
        }
        let fx = self.apply_events(vec![ev], now);
        self.dirty = true;
        fx
    }

    /// Apply index events, keeping the selected snapshot on the same screen row.
    pub fn apply_events(&mut self, evs: Vec<IndexEvent>, now: DateTime<Utc>) -> Vec<Effect> {
        let row_before = self
            .snapshot_index()
            .map(|i| i.saturating_sub(self.snapshot_offset));
        let sel_before = self.selected_snapshot_id().map(str::to_string);
        let detail_before = self
            .current_snapshot()
            .map(|s| (s.path.clone(), s.fingerprint));
        // During the first scan, files arrive newest-by-mtime first, not by
        // run time: a selection still on a project's newest run follows the
        // newest run, so the first screen shows the latest runs selected.
        let follow_newest: Vec<String> = if self.scan.finished {
            Vec::new()
        } else {
            self.snapshot_sel
                .iter()
                .filter(|(pid, id)| {
                    self.catalog
                        .project(pid)
                        .and_then(|p| p.latest())
                        .is_some_and(|e| e.snapshot.id == **id)
                })
                .map(|(pid, _)| pid.clone())
                .collect()
        };
        let mut changed = false;
        for ev in evs {
            match &ev {
                IndexEvent::SnapshotAdded(e) => {
                    self.pending.remove(&e.path);
                    if self.scan.finished && self.catalog.snapshot_by_path(&e.path).is_none() {
                        self.new_ids.insert(e.snapshot.id.clone());
                    }
                }
                IndexEvent::SnapshotsAdded(es) => {
                    for e in es.iter() {
                        if !self.pending.is_empty() {
                            self.pending.remove(&e.path);
                        }
                        if self.scan.finished && self.catalog.snapshot_by_path(&e.path).is_none() {
                            self.new_ids.insert(e.snapshot.id.clone());
                        }
                    }
                }
                IndexEvent::SnapshotUpdated(e) => {
                    self.pending.remove(&e.path);
                }
                IndexEvent::SnapshotRemoved {
                    path, snapshot_id, ..
                } => {
                    self.pending.remove(path);
                    self.new_ids.remove(snapshot_id);
                }
                IndexEvent::Pending { path, reason } => {
                    self.pending.insert(path.clone(), reason.clone());
                }
                IndexEvent::Unreadable(u) => {
                    self.pending.remove(&u.path);
                }
                IndexEvent::Cleared { path } => {
                    self.pending.remove(path);
                }
                IndexEvent::ScanProgress { done, total } => {
                    self.scan.done = *done;
                    self.scan.total = *total;
                }
                IndexEvent::ScanFinished { elapsed_ms } => {
                    self.scan.finished = true;
                    self.scan.elapsed_ms = Some(*elapsed_ms);
                    self.scan.done = self.scan.total.max(self.scan.done);
                }
                IndexEvent::WatcherStatus { mode, message } => {
                    self.watch_mode = mode.clone();
                    self.watcher_message = message.clone();
                }
                IndexEvent::ProjectAdded(_)
                | IndexEvent::ProjectUpdated(_)
                | IndexEvent::ProjectRemoved { .. } => {}
            }
            changed |= events::apply(&mut self.catalog, &ev);
        }
        for pid in follow_newest {
            if let Some(latest) = self.catalog.project(&pid).and_then(|p| p.latest()) {
                let id = latest.snapshot.id.clone();
                self.snapshot_sel.insert(pid, id);
            }
        }
        if changed {
            // Derived from the catalog alone (and the Now panel's age notes
            // only with a maximum age, which it does not use).
            self.refresh_views(now);
        }
        self.fix_selection();
        // Keep the selected snapshot where it was on screen.
        if let (Some(row), Some(before)) = (row_before, sel_before.as_ref()) {
            if self.selected_snapshot_id() == Some(before.as_str()) {
                if let Some(i) = self.snapshot_index() {
                    self.snapshot_offset = i.saturating_sub(row);
                    let len = self.visible_snapshots().len();
                    let mut c = Cursor {
                        sel: i,
                        offset: self.snapshot_offset,
                    };
                    c.fit(len, self.snapshots_page());
                    self.snapshot_offset = c.offset;
                }
            }
        }
        // The open snapshot was deleted: back to the timeline, and say so.
        if self.screen == Screen::Detail {
            if let Some(before) = &sel_before {
                let gone = match self.current_project() {
                    Some(p) => p.position(before).is_none(),
                    None => true,
                };
                if gone {
                    self.screen = Screen::Browse;
                    self.focus = Pane::Snapshots;
                    self.say(format!("snapshot {before} was removed"), now);
                }
            }
        }
        let mut fx = Vec::new();
        // The open snapshot changed on disk: reload the Raw tab if it is shown.
        let detail_after = self
            .current_snapshot()
            .map(|s| (s.path.clone(), s.fingerprint));
        if self.screen == Screen::Detail && self.tab == Tab::Raw && detail_after != detail_before {
            fx.extend(self.request_raw(true));
        }
        fx
    }

    fn on_key(&mut self, k: KeyEvent, now: DateTime<Utc>) -> Vec<Effect> {
        self.dirty = true;
        if self.input.is_some() {
            return self.on_input_key(k);
        }
        let key = keymap::key_of(&k);
        if let Some(p) = self.popup {
            return self.on_popup_key(p, key);
        }
        if self.screen == Screen::Trend && self.trend.as_ref().is_some_and(|t| t.picker.is_some()) {
            return self.on_picker_key(k, now);
        }
        let ctx = self.contexts();
        match key.and_then(|key| self.cfg.keymap.lookup(&ctx, key)) {
            Some(a) => self.act(a, now),
            None => Vec::new(),
        }
    }

    fn on_input_key(&mut self, k: KeyEvent) -> Vec<Effect> {
        let Some(mut input) = self.input.take() else {
            return Vec::new();
        };
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        match k.code {
            KeyCode::Char('c') if ctrl => return vec![Effect::Quit],
            KeyCode::Char('u') if ctrl => input.text.clear(),
            KeyCode::Char('w') if ctrl => {
                let t = input.text.trim_end();
                let cut = t.rfind(' ').map(|i| i + 1).unwrap_or(0);
                input.text.truncate(cut);
            }
            KeyCode::Char(c) if !ctrl => input.text.push(c),
            KeyCode::Backspace => {
                input.text.pop();
            }
            KeyCode::Enter => {
                self.set_filter(input.target, input.text.clone());
                return Vec::new();
            }
            KeyCode::Esc => {
                self.set_filter(input.target, input.previous.clone());
                return Vec::new();
            }
            _ => {}
        }
        self.set_filter(input.target, input.text.clone());
        self.input = Some(input);
        Vec::new()
    }

    /// Set a list's filter (live, while typing) and re-fit selections.
    pub fn set_filter(&mut self, t: FilterTarget, text: String) {
        if text.is_empty() {
            self.filters.remove(&t);
        } else {
            self.filters.insert(t, text);
        }
        if t == FilterTarget::Raw {
            let f = self.filter_lc(FilterTarget::Raw);
            if let RawState::Loaded(v) = &mut self.raw {
                recompute_matches(v, &f);
            }
            let rows = self.page();
            if let RawState::Loaded(v) = &mut self.raw {
                jump_match(v, true, rows, true);
            }
        } else {
            // Filtering a detail list starts from its top.
            match t {
                FilterTarget::Tests => self.tests = Cursor::default(),
                FilterTarget::Drift => self.drift = Cursor::default(),
                FilterTarget::Metrics => self.metrics = Cursor::default(),
                _ => {}
            }
        }
        self.fix_selection();
    }

    fn on_popup_key(&mut self, p: Popup, key: Option<Key>) -> Vec<Effect> {
        let action = key.and_then(|key| self.cfg.keymap.lookup(&[], key));
        let scroll = match p {
            Popup::Help(s) | Popup::Unreadable(s) => s,
        };
        let page = self.size.1.saturating_sub(6).max(1) as usize;
        let new_scroll = match action {
            Some(Action::Quit) if key == Some(Key::ctrl('c')) => return vec![Effect::Quit],
            Some(Action::Quit | Action::Back) => {
                self.popup = None;
                return Vec::new();
            }
            Some(Action::Help) if matches!(p, Popup::Help(_)) => {
                self.popup = None;
                return Vec::new();
            }
            Some(Action::Unreadable) if matches!(p, Popup::Unreadable(_)) => {
                self.popup = None;
                return Vec::new();
            }
            Some(Action::Help) => {
                self.popup = Some(Popup::Help(0));
                return Vec::new();
            }
            Some(Action::Up) => scroll.saturating_sub(1),
            Some(Action::Down) => scroll + 1,
            Some(Action::PageUp) => scroll.saturating_sub(page),
            Some(Action::PageDown) => scroll + page,
            Some(Action::Top) => 0,
            Some(Action::Bottom) => usize::MAX / 2,
            _ => scroll,
        };
        let max = self.popup_len(p).saturating_sub(1);
        let s = new_scroll.min(max);
        self.popup = Some(match p {
            Popup::Help(_) => Popup::Help(s),
            Popup::Unreadable(_) => Popup::Unreadable(s),
        });
        Vec::new()
    }

    /// Number of scrollable lines in a popup.
    pub fn popup_len(&self, p: Popup) -> usize {
        match p {
            Popup::Help(_) => keymap::help_sections(&self.cfg.keymap)
                .iter()
                .map(|(_, r)| r.len() + 2)
                .sum(),
            Popup::Unreadable(_) => (self.unreadable_count() + self.pending.len()) * 2,
        }
    }

    /// Perform one action.
    pub fn act(&mut self, a: Action, now: DateTime<Utc>) -> Vec<Effect> {
        self.dirty = true;
        if let Some(fx) = self.act_anywhere(a, now) {
            return fx;
        }
        if let Some(fx) = self.act_view(a, now) {
            return fx;
        }
        let page = self.page() as isize;
        match a {
            Action::Quit => return vec![Effect::Quit],
            Action::Help => self.popup = Some(Popup::Help(0)),
            Action::Unreadable => self.popup = Some(Popup::Unreadable(0)),
            Action::Up => return self.move_sel(-1),
            Action::Down => return self.move_sel(1),
            Action::PageUp => return self.move_sel(-page),
            Action::PageDown => return self.move_sel(page),
            Action::Top => return self.move_sel(isize::MIN / 2),
            Action::Bottom => return self.move_sel(isize::MAX / 2),
            Action::Left | Action::PrevPane => match self.screen {
                Screen::Browse => {
                    self.focus = match (a, self.focus) {
                        (Action::PrevPane, Pane::Projects) if !self.now.failing.is_empty() => {
                            Pane::Now
                        }
                        (Action::PrevPane, Pane::Now) => Pane::Snapshots,
                        _ => Pane::Projects,
                    }
                }
                Screen::Detail => return self.set_tab(self.tab.step(-1)),
                _ => {}
            },
            Action::Right | Action::NextPane => match self.screen {
                Screen::Browse => {
                    self.focus = match (a, self.focus) {
                        (Action::NextPane, Pane::Snapshots) if !self.now.failing.is_empty() => {
                            Pane::Now
                        }
                        (Action::NextPane, Pane::Snapshots) | (Action::NextPane, Pane::Now) => {
                            Pane::Projects
                        }
                        _ => Pane::Snapshots,
                    }
                }
                Screen::Detail => return self.set_tab(self.tab.step(1)),
                _ => {}
            },
            Action::Enter => match (self.screen, self.focus) {
                (Screen::Browse, Pane::Projects) => self.focus = Pane::Snapshots,
                (Screen::Browse, Pane::Snapshots) => return self.open_detail(),
                _ => {}
            },
            Action::Back => {
                let t = self.filter_target();
                if let Some(t) = t.filter(|t| !self.filter(*t).is_empty()) {
                    self.set_filter(t, String::new());
                } else {
                    match (self.screen, self.focus) {
                        (Screen::Browse, Pane::Snapshots | Pane::Now) => {
                            self.focus = Pane::Projects
                        }
                        (Screen::Browse, Pane::Projects) => {}
                        _ => self.go_back(),
                    }
                }
            }
            Action::Filter => {
                let Some(target) = self.filter_target() else {
                    return Vec::new();
                };
                let previous = self.filter(target).to_string();
                self.input = Some(Input {
                    target,
                    text: previous.clone(),
                    previous,
                });
            }
            Action::NextMatch | Action::PrevMatch => {
                let fwd = a == Action::NextMatch;
                let Some(t) = self.filter_target() else {
                    return Vec::new();
                };
                if self.filter(t).is_empty() {
                    self.say("no filter: press / to type one", now);
                } else if t == FilterTarget::Raw {
                    let rows = self.page();
                    if let RawState::Loaded(v) = &mut self.raw {
                        if !jump_match(v, fwd, rows, false) {
                            self.say("no match", now);
                        }
                    }
                } else {
                    // Lists are narrowed to matches: step through them, wrapping.
                    return self.move_wrapping(if fwd { 1 } else { -1 });
                }
            }
            Action::PrevSnapshot => return self.step_snapshot(1),
            Action::NextSnapshot => return self.step_snapshot(-1),
            Action::Rescan => {
                self.say("rescan requested", now);
                return vec![Effect::Rescan];
            }
            Action::Freeze => {
                if let Some(q) = self.frozen.take() {
                    let n = q.len();
                    let fx = self.apply_events(q, now);
                    self.say(format!("live updates resumed ({n} applied)"), now);
                    return fx;
                }
                self.frozen = Some(Vec::new());
            }
            Action::SortDrift => {
                if self.screen == Screen::Detail && self.tab == Tab::Drift {
                    self.drift_sort = match self.drift_sort {
                        DriftSort::File => DriftSort::ScoreAsc,
                        DriftSort::ScoreAsc => DriftSort::ScoreDesc,
                        DriftSort::ScoreDesc => DriftSort::File,
                    };
                    self.drift = Cursor::default();
                    self.fix_selection();
                }
            }
            Action::TabTests => return self.set_tab(Tab::Tests),
            Action::TabDrift => return self.set_tab(Tab::Drift),
            Action::TabMetrics => return self.set_tab(Tab::Metrics),
            Action::TabRaw => return self.set_tab(Tab::Raw),
            Action::FoldLess | Action::FoldMore => {
                let rows = self.page();
                if let RawState::Loaded(v) = &mut self.raw {
                    let max = v.doc.max_depth();
                    let cur = v.fold.unwrap_or(max.saturating_add(1));
                    let next = if a == Action::FoldLess {
                        cur.saturating_sub(1)
                    } else {
                        cur.saturating_add(1)
                    };
                    set_fold(v, if next > max { None } else { Some(next) }, rows);
                }
            }
            Action::ScrollLeft => {
                if let RawState::Loaded(v) = &mut self.raw {
                    v.hscroll = v.hscroll.saturating_sub(16);
                }
            }
            Action::ScrollRight => {
                if let RawState::Loaded(v) = &mut self.raw {
                    v.hscroll = (v.hscroll + 16).min(crate::tui::raw::MAX_LINE_BYTES);
                }
            }
            // Handled by `act_anywhere` / `act_view`.
            Action::Trends
            | Action::TestHistory
            | Action::DriftHistory
            | Action::Dashboards
            | Action::NowPanel
            | Action::Mark
            | Action::Compare
            | Action::Copy
            | Action::CopyId
            | Action::CycleWindow
            | Action::PickSeries
            | Action::RemoveSeries => {}
        }
        Vec::new()
    }

    pub(crate) fn set_tab(&mut self, t: Tab) -> Vec<Effect> {
        if self.screen != Screen::Detail {
            return Vec::new();
        }
        self.tab = t;
        self.fit_tab_cursors();
        if t == Tab::Raw {
            return self.request_raw(false);
        }
        Vec::new()
    }

    pub(crate) fn open_detail(&mut self) -> Vec<Effect> {
        if self.current_snapshot().is_none() {
            return Vec::new();
        }
        self.screen = Screen::Detail;
        self.reset_tab_cursors();
        if let Some(id) = self.selected_snapshot_id().map(str::to_string) {
            self.new_ids.remove(&id);
        }
        if self.tab == Tab::Raw {
            return self.request_raw(false);
        }
        Vec::new()
    }

    pub(crate) fn reset_tab_cursors(&mut self) {
        self.tests = Cursor::default();
        self.drift = Cursor::default();
        self.metrics = Cursor::default();
        self.fit_tab_cursors();
    }

    /// Ask for the current snapshot's raw JSON unless it is already loaded (or `force`).
    pub(crate) fn request_raw(&mut self, force: bool) -> Vec<Effect> {
        let Some(path) = self.current_snapshot().map(|s| s.path.clone()) else {
            return Vec::new();
        };
        let same = match &self.raw {
            RawState::Loading { path: p, .. } | RawState::Failed { path: p, .. } => *p == path,
            RawState::Loaded(v) => v.path == path,
            RawState::Idle => false,
        };
        if same && !force {
            return Vec::new();
        }
        let request = self.next_request;
        self.next_request += 1;
        self.raw = RawState::Loading {
            request,
            path: path.clone(),
        };
        vec![Effect::LoadRaw { request, path }]
    }

    /// Move to an older (+1) or newer (-1) snapshot, keeping screen and tab.
    fn step_snapshot(&mut self, d: isize) -> Vec<Effect> {
        let snaps = self.visible_snapshots();
        let Some(i) = self.snapshot_index() else {
            return Vec::new();
        };
        let j = (i as isize + d).clamp(0, snaps.len() as isize - 1) as usize;
        if j == i {
            return Vec::new();
        }
        let id = snaps[j].snapshot.id.clone();
        drop(snaps);
        if let Some(pid) = self.project_sel.clone() {
            self.snapshot_sel.insert(pid, id.clone());
        }
        self.fix_selection();
        if self.screen == Screen::Detail {
            self.new_ids.remove(&id);
            self.reset_tab_cursors();
            if self.tab == Tab::Raw {
                return self.request_raw(false);
            }
        }
        Vec::new()
    }

    fn move_wrapping(&mut self, d: isize) -> Vec<Effect> {
        let (len, cur) = match (self.screen, self.focus, self.tab) {
            (Screen::Browse, Pane::Projects | Pane::Now, _) => (
                self.visible_projects().len(),
                self.project_index().unwrap_or(0),
            ),
            (Screen::Browse, Pane::Snapshots, _) => (
                self.visible_snapshots().len(),
                self.snapshot_index().unwrap_or(0),
            ),
            (Screen::Detail, _, Tab::Tests) => (self.test_rows().len(), self.tests.sel),
            (Screen::Detail, _, Tab::Drift) => (self.drift_rows().len(), self.drift.sel),
            (Screen::Detail, _, Tab::Metrics) => (self.metric_rows().len(), self.metrics.sel),
            (Screen::Detail, _, Tab::Raw) => return Vec::new(),
            (Screen::TestHistory, _, _) => (self.history_rows().len(), self.cursor_sel()),
            (Screen::DriftHistory, _, _) => (self.drift_history_rows().len(), self.cursor_sel()),
            _ => return Vec::new(),
        };
        if len == 0 {
            return Vec::new();
        }
        let target = (cur as isize + d).rem_euclid(len as isize);
        self.move_sel(target - cur as isize)
    }

    /// Move the focused list's selection by `d` rows (clamped).
    pub(crate) fn move_sel(&mut self, d: isize) -> Vec<Effect> {
        let page = self.page();
        match self.screen {
            Screen::Browse => match self.focus {
                Pane::Now => self.move_now(d),
                Pane::Projects => {
                    let v = self.visible_projects();
                    if v.is_empty() {
                        return Vec::new();
                    }
                    let i = self.project_index().unwrap_or(0);
                    let j = (i as isize)
                        .saturating_add(d)
                        .clamp(0, v.len() as isize - 1) as usize;
                    let id = v[j].project.id.clone();
                    drop(v);
                    if self.project_sel.as_deref() != Some(id.as_str()) {
                        self.project_sel = Some(id);
                        self.snapshot_offset = 0;
                    }
                    self.fix_selection();
                }
                Pane::Snapshots => {
                    let v = self.visible_snapshots();
                    if v.is_empty() {
                        return Vec::new();
                    }
                    let i = self.snapshot_index().unwrap_or(0);
                    let j = (i as isize)
                        .saturating_add(d)
                        .clamp(0, v.len() as isize - 1) as usize;
                    let id = v[j].snapshot.id.clone();
                    drop(v);
                    if let Some(pid) = self.project_sel.clone() {
                        self.snapshot_sel.insert(pid, id);
                    }
                    self.fix_selection();
                }
            },
            Screen::Detail => match self.tab {
                Tab::Tests => {
                    let n = self.test_rows().len();
                    self.tests.step(d, n, page);
                }
                Tab::Drift => {
                    let n = self.drift_rows().len();
                    self.drift.step(d, n, page);
                }
                Tab::Metrics => {
                    let n = self.metric_rows().len();
                    self.metrics.step(d, n, page);
                }
                Tab::Raw => {
                    if let RawState::Loaded(v) = &mut self.raw {
                        let n = v.visible.len();
                        v.cursor.step(d, n, page);
                    }
                }
            },
            _ => self.move_view(d),
        }
        Vec::new()
    }

    fn on_mouse(&mut self, m: MouseEvent, now: DateTime<Utc>) -> Vec<Effect> {
        if self.popup.is_some() || self.input.is_some() || layout::too_small(self.area()) {
            if self.popup.is_some() {
                let key = match m.kind {
                    MouseEventKind::ScrollUp => Key::plain(keys::KeyCode::Up),
                    MouseEventKind::ScrollDown => Key::plain(keys::KeyCode::Down),
                    _ => return Vec::new(),
                };
                self.dirty = true;
                if let Some(p) = self.popup {
                    return self.on_popup_key(p, Some(key));
                }
            }
            return Vec::new();
        }
        let (col, row) = (m.column, m.row);
        match m.kind {
            MouseEventKind::ScrollUp | MouseEventKind::ScrollDown => {
                let d = if m.kind == MouseEventKind::ScrollUp {
                    -1
                } else {
                    1
                };
                if self.screen == Screen::Browse {
                    let b = self.browse_layout();
                    if layout::contains(b.now, col, row) && !self.now.failing.is_empty() {
                        self.focus = Pane::Now;
                    } else if layout::contains(b.projects, col, row) {
                        self.focus = Pane::Projects;
                    } else if layout::contains(b.snapshots, col, row) {
                        self.focus = Pane::Snapshots;
                    }
                }
                let d = if self.screen == Screen::Detail && self.tab == Tab::Raw {
                    d * 3
                } else {
                    d
                };
                self.dirty = true;
                self.move_sel(d)
            }
            MouseEventKind::Down(MouseButton::Left) => {
                self.dirty = true;
                match self.screen {
                    Screen::Browse => self.click_browse(col, row),
                    Screen::Detail => self.click_detail(col, row, now),
                    _ => Vec::new(),
                }
            }
            _ => Vec::new(),
        }
    }

    fn click_browse(&mut self, col: u16, row: u16) -> Vec<Effect> {
        let b = self.browse_layout();
        let pr = layout::list_rows(b.projects);
        let sr = layout::list_rows(b.snapshots);
        let nr = layout::inner(b.now);
        if layout::contains(nr, col, row) && !self.now.failing.is_empty() {
            // Unfocused, the panel shows one line per project; focused, every item.
            let line = (row - nr.y) as usize;
            let items = self.now.items(true);
            let target = if self.focus == Pane::Now {
                Some(self.now.cursor.offset + line).filter(|t| *t < items.len())
            } else {
                items
                    .iter()
                    .position(|i| *i == crate::tui::views::NowItem::Project(line))
            };
            self.focus = Pane::Now;
            if let Some(t) = target {
                self.now.cursor.sel = t;
            }
            self.fix_selection();
        } else if layout::contains(b.projects, col, row) {
            self.focus = Pane::Projects;
            if layout::contains(pr, col, row) {
                let target = self.project_offset + (row - pr.y) as usize;
                let cur = self.project_index().unwrap_or(0);
                if target < self.visible_projects().len() {
                    return self.move_sel(target as isize - cur as isize);
                }
            }
        } else if layout::contains(b.snapshots, col, row) {
            self.focus = Pane::Snapshots;
            if layout::contains(sr, col, row) {
                let target = self.snapshot_offset + (row - sr.y) as usize;
                let cur = self.snapshot_index().unwrap_or(0);
                if target < self.visible_snapshots().len() {
                    if target == cur {
                        return self.open_detail();
                    }
                    return self.move_sel(target as isize - cur as isize);
                }
            }
        }
        Vec::new()
    }

    fn click_detail(&mut self, col: u16, row: u16, _now: DateTime<Utc>) -> Vec<Effect> {
        let d = self.detail_layout();
        if layout::contains(d.tabs, col, row) {
            let spans = crate::tui::ui::detail::tab_spans(self);
            for (t, x0, x1) in spans {
                let x = col.saturating_sub(d.tabs.x);
                if x >= x0 && x < x1 {
                    return self.set_tab(t);
                }
            }
            return Vec::new();
        }
        let rows = self.tab_rows();
        if layout::contains(rows, col, row) {
            let off = match self.tab {
                Tab::Tests => self.tests.offset,
                Tab::Drift => self.drift.offset,
                Tab::Metrics => self.metrics.offset,
                Tab::Raw => match &self.raw {
                    RawState::Loaded(v) => v.cursor.offset,
                    _ => 0,
                },
            };
            let cur = match self.tab {
                Tab::Tests => self.tests.sel,
                Tab::Drift => self.drift.sel,
                Tab::Metrics => self.metrics.sel,
                Tab::Raw => match &self.raw {
                    RawState::Loaded(v) => v.cursor.sel,
                    _ => 0,
                },
            };
            let target = off + (row - rows.y) as usize;
            return self.move_sel(target as isize - cur as isize);
        }
        Vec::new()
    }
}

fn recompute_matches(v: &mut RawView, needle_lc: &str) {
    v.matches = if needle_lc.is_empty() {
        Vec::new()
    } else {
        v.doc
            .lines
            .iter()
            .enumerate()
            .filter(|(_, l)| lc_contains(&l.text, needle_lc))
            .map(|(i, _)| i as u32)
            .collect()
    };
}

fn set_fold(v: &mut RawView, fold: Option<u16>, rows: usize) {
    let current_line = v.visible.get(v.cursor.sel).copied().unwrap_or(0);
    v.fold = fold;
    v.visible = v.doc.visible(fold);
    // Stay on the same line, or the nearest shown line before it.
    let pos = v.visible.partition_point(|l| *l <= current_line);
    v.cursor.sel = pos.saturating_sub(1);
    let n = v.visible.len();
    v.cursor.fit(n, rows);
}

/// Move the raw cursor to the next / previous matching line (unfolding when
/// the match is hidden). With `from_here`, the current line counts. Returns
/// false when there is no match.
fn jump_match(v: &mut RawView, fwd: bool, rows: usize, from_here: bool) -> bool {
    if v.matches.is_empty() {
        return false;
    }
    let cur = v.visible.get(v.cursor.sel).copied().unwrap_or(0);
    let target = if fwd {
        let start = if from_here { cur } else { cur + 1 };
        v.matches
            .iter()
            .copied()
            .find(|m| *m >= start)
            .or_else(|| v.matches.first().copied())
    } else {
        v.matches
            .iter()
            .rev()
            .copied()
            .find(|m| *m < cur)
            .or_else(|| v.matches.last().copied())
    };
    let Some(t) = target else { return false };
    let pos = match v.visible.binary_search(&t) {
        Ok(p) => p,
        Err(_) => {
            set_fold(v, None, rows);
            v.visible.binary_search(&t).unwrap_or(0)
        }
    };
    v.cursor.sel = pos;
    let n = v.visible.len();
    // Put the match a few rows from the top for context.
    v.cursor.offset = pos.saturating_sub(rows / 3);
    v.cursor.fit(n, rows);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_groups() {
        assert_eq!(
            metric_group("DatasetDriftMetric{columns=None}.share_of_drifted_columns"),
            (
                "DatasetDriftMetric{columns=None}",
                "share_of_drifted_columns"
            )
        );
        assert_eq!(
            metric_group("ValueDrift{column=a.b,method=psi}.value"),
            ("ValueDrift{column=a.b,method=psi}", "value")
        );
        assert_eq!(
            metric_group("ColumnSummaryMetric{column_name=x}.current.mean"),
            ("ColumnSummaryMetric{column_name=x}", "current.mean")
        );
        assert_eq!(metric_group("RowCount.value"), ("RowCount", "value"));
        assert_eq!(metric_group("RowCount"), ("RowCount", ""));
        assert_eq!(metric_group("M{a={b=1}}.x.y"), ("M{a={b=1}}", "x.y"));
    }

    #[test]
    fn cursor_fits_window() {
        let mut c = Cursor { sel: 50, offset: 0 };
        c.fit(100, 10);
        assert_eq!((c.sel, c.offset), (50, 41));
        c.step(-45, 100, 10);
        assert_eq!((c.sel, c.offset), (5, 5));
        c.fit(3, 10);
        assert_eq!((c.sel, c.offset), (2, 0));
        c.fit(0, 10);
        assert_eq!(c, Cursor::default());
    }
}
