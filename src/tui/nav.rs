//! Update logic of the monitoring and triage views: opening them, moving
//! inside them, jumping from them into a snapshot, mark / compare, copy.
//! An extension of [`App`]'s `update`; rendering lives in `ui`.

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;

use crate::analysis::history::{ColumnDriftHistory, DriftOrder, TestHistory, Window};
use crate::text::sanitize::clean;
use crate::tui::app::{App, Cursor, Effect, FilterTarget, Pane, Screen, Tab};
use crate::tui::keymap::Action;
use crate::tui::ui::layout;
use crate::tui::views::{
    self, CompareRow, CompareState, DashState, DriftHistoryState, NowItem, NowState, Picker,
    TestHistoryState, TrendSeries, TrendState, MAX_SERIES,
};

/// Deepest Esc history kept.
const MAX_BACK: usize = 16;

impl App {
    // ----- derived -------------------------------------------------------

    /// Height of the Now panel in a main area of this size.
    pub fn now_height(&self, main: Rect) -> u16 {
        let focused = self.focus == Pane::Now;
        let lines = if focused {
            self.now.items(true).len()
        } else {
            self.now.failing.len()
        };
        layout::now_height(main, lines, !self.now.failing.is_empty(), focused)
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

    /// Selected row of the current view's list.
    pub(crate) fn cursor_sel(&self) -> usize {
        match self.screen {
            Screen::TestHistory => self.thist.as_ref().map_or(0, |h| h.cursor.sel),
            Screen::DriftHistory => self.dhist.as_ref().map_or(0, |h| h.cursor.sel),
            Screen::Compare => self.compare.as_ref().map_or(0, |c| c.cursor.sel),
            _ => 0,
        }
    }

    /// Test-history rows, filtered.
    pub fn history_rows(&self) -> Vec<&TestHistory> {
        let Some(h) = &self.thist else {
            return Vec::new();
        };
        let f = self.filter_lc(FilterTarget::TestHistory);
        h.rows
            .iter()
            .filter(|r| {
                f.is_empty()
                    || views::picker_matches(&r.label(), &f)
                    || views::picker_matches(&r.test_type, &f)
                    || views::picker_matches(r.latest_status.as_str(), &f)
            })
            .collect()
    }

    /// Drift-history rows, filtered.
    pub fn drift_history_rows(&self) -> Vec<&ColumnDriftHistory> {
        let Some(h) = &self.dhist else {
            return Vec::new();
        };
        let f = self.filter_lc(FilterTarget::DriftHistory);
        h.rows
            .iter()
            .filter(|r| f.is_empty() || views::picker_matches(&r.column, &f))
            .collect()
    }

    /// The window of the trend view (anchored on the project's newest snapshot).
    pub fn trend_window(&self) -> Window {
        let anchor = self
            .trend
            .as_ref()
            .and_then(|t| self.catalog.project(&t.project_id))
            .and_then(|p| p.latest())
            .map(|e| e.snapshot.timestamp);
        self.window.window(anchor)
    }

    /// Index (into the active series' points) of the trend cursor.
    pub fn trend_cursor(&self) -> Option<usize> {
        let t = self.trend.as_ref()?;
        let s = t.series.get(t.active)?;
        let r = s.range(&self.trend_window());
        if r.is_empty() {
            return None;
        }
        let found = t
            .cursor_id
            .as_deref()
            .and_then(|id| s.points[r.clone()].iter().position(|p| p.snapshot_id == id));
        Some(r.start + found.unwrap_or(r.len() - 1))
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
        let pid = self.project_sel.clone()?;
        match self.screen {
            Screen::Browse if self.focus == Pane::Now => {
                let h = self.now_item_health()?;
                Some((h.project_id.clone(), h.snapshot_id.clone()?))
            }
            Screen::Trend => {
                let t = self.trend.as_ref()?;
                let i = self.trend_cursor()?;
                let p = t.series.get(t.active)?.points.get(i)?;
                Some((t.project_id.clone(), p.snapshot_id.clone()))
            }
            Screen::TestHistory => {
                let h = self.thist.as_ref()?;
                let col = *h
                    .columns
                    .get(h.columns.len().checked_sub(1 + h.col_back)?)?;
                let p = self.catalog.project(&h.project_id)?;
                Some((
                    h.project_id.clone(),
                    p.snapshots.get(col)?.snapshot.id.clone(),
                ))
            }
            Screen::Compare => {
                let c = self.compare.as_ref()?;
                Some((c.project_id.clone(), c.b.id.clone()))
            }
            _ => Some((pid, self.selected_snapshot_id()?.to_string())),
        }
    }

    fn now_item_health(&self) -> Option<&crate::analysis::triage::ProjectHealth> {
        match self.now.items(true).get(self.now.cursor.sel)? {
            NowItem::Project(i) | NowItem::Test(i, _) => self.now.failing.get(*i),
        }
    }

    // ----- keeping derived state fresh -----------------------------------

    /// Recompute the Now panel and the open views after the index changed.
    pub(crate) fn refresh_views(&mut self, now: DateTime<Utc>) {
        let cursor = self.now.cursor;
        self.now = NowState::build(&self.catalog, now);
        self.now.cursor = cursor;
        if let Some(t) = &mut self.trend {
            t.reload(&self.catalog);
        }
        if let Some(h) = &self.thist {
            if let Some(p) = self.catalog.project(&h.project_id) {
                let sel = self
                    .history_rows()
                    .get(h.cursor.sel)
                    .map(|r| r.identity.clone());
                let (cursor, col_back) = (h.cursor, h.col_back);
                let mut n = TestHistoryState::build(p, self.window);
                n.cursor = cursor;
                n.col_back = col_back;
                self.thist = Some(n);
                if let Some(id) = sel {
                    if let Some(i) = self.history_rows().iter().position(|r| r.identity == id) {
                        if let Some(h) = &mut self.thist {
                            h.cursor.sel = i;
                        }
                    }
                }
            }
        }
        if let Some(d) = &self.dhist {
            if let Some(p) = self.catalog.project(&d.project_id) {
                let sel = self
                    .drift_history_rows()
                    .get(d.cursor.sel)
                    .map(|r| r.column.clone());
                let cursor = d.cursor;
                let mut n = DriftHistoryState::build(p, d.order);
                n.cursor = cursor;
                self.dhist = Some(n);
                if let Some(c) = sel {
                    if let Some(i) = self.drift_history_rows().iter().position(|r| r.column == c) {
                        if let Some(h) = &mut self.dhist {
                            h.cursor.sel = i;
                        }
                    }
                }
            }
        }
        if let Some(d) = &mut self.dash {
            if let Some(p) = self.catalog.project(&d.project_id) {
                d.views = crate::analysis::dashboard::evaluate(&d.dashboard, p);
            }
        }
    }

    /// Keep the views' cursors inside their lists and on screen.
    pub(crate) fn fit_view_cursors(&mut self) {
        let rows = (self.view_rows().height as usize).max(1);
        let n = self.history_rows().len();
        if let Some(h) = &mut self.thist {
            h.cursor.fit(n, rows);
            h.col_back = h.col_back.min(h.columns.len().saturating_sub(1));
        }
        let n = self.drift_history_rows().len();
        if let Some(h) = &mut self.dhist {
            h.cursor.fit(n, rows);
        }
        if let Some(c) = &mut self.compare {
            let n = c.rows().len();
            c.cursor.fit(n, rows);
        }
        if let Some(t) = &mut self.trend {
            let n = t.picker_keys().len();
            if let Some(p) = &mut t.picker {
                p.cursor.fit(n, rows);
            }
            t.active = t.active.min(t.series.len().saturating_sub(1));
        }
        let main = layout::frame(self.area()).main;
        let now_rows = layout::inner(layout::browse(main, false, self.now_height(main)).now).height;
        let n = self.now.items(true).len();
        self.now.cursor.fit(n, (now_rows as usize).max(1));
    }

    // ----- moving ----------------------------------------------------------

    /// Move the Now panel's selection.
    pub(crate) fn move_now(&mut self, d: isize) {
        let main = layout::frame(self.area()).main;
        let h = layout::inner(layout::browse(main, false, self.now_height(main)).now).height;
        let n = self.now.items(true).len();
        self.now.cursor.step(d, n, (h as usize).max(1));
    }

    /// Move the selection of the current view's list by `d` rows.
    pub(crate) fn move_view(&mut self, d: isize) {
        let rows = (self.view_rows().height as usize).max(1);
        match self.screen {
            Screen::TestHistory => {
                let n = self.history_rows().len();
                if let Some(h) = &mut self.thist {
                    h.cursor.step(d, n, rows);
                }
            }
            Screen::DriftHistory => {
                let n = self.drift_history_rows().len();
                if let Some(h) = &mut self.dhist {
                    h.cursor.step(d, n, rows);
                }
            }
            Screen::Compare => {
                if let Some(c) = &mut self.compare {
                    let n = c.rows().len();
                    c.cursor.step(d, n, rows);
                }
            }
            Screen::Dashboard => {
                let n = self.dash_rows();
                if let Some(ds) = &mut self.dash {
                    ds.scroll =
                        (ds.scroll as isize + d).clamp(0, n.saturating_sub(1) as isize) as usize;
                }
            }
            Screen::Trend => self.move_trend_cursor(d),
            _ => {}
        }
    }

    /// Number of panel rows of the dashboard's selected tab.
    pub fn dash_rows(&self) -> usize {
        self.dash.as_ref().map_or(0, |d| {
            crate::tui::ui::dashboard::panel_rows(&d.tab_views()).len()
        })
    }

    fn move_trend_cursor(&mut self, d: isize) {
        let w = self.trend_window();
        let Some(cur) = self.trend_cursor() else {
            return;
        };
        let Some(t) = &mut self.trend else { return };
        let Some(s) = t.series.get(t.active) else {
            return;
        };
        let r = s.range(&w);
        let j = (cur as isize)
            .saturating_add(d)
            .clamp(r.start as isize, r.end as isize - 1) as usize;
        t.cursor_id = s.points.get(j).map(|p| p.snapshot_id.clone());
    }

    // ----- actions ---------------------------------------------------------

    /// Actions that work on every screen: open a view, mark, compare, copy.
    pub(crate) fn act_anywhere(&mut self, a: Action, now: DateTime<Utc>) -> Option<Vec<Effect>> {
        let fx = match a {
            Action::Trends => self.open_view(Screen::Trend, now),
            Action::TestHistory => self.open_view(Screen::TestHistory, now),
            Action::DriftHistory => self.open_view(Screen::DriftHistory, now),
            Action::Dashboards => self.open_view(Screen::Dashboard, now),
            Action::NowPanel => {
                if self.screen == Screen::Browse && self.focus == Pane::Now {
                    self.focus = Pane::Projects;
                } else if self.now.failing.is_empty() {
                    self.say(self.now_summary(now), now);
                } else {
                    self.screen = Screen::Browse;
                    self.back.clear();
                    self.focus = Pane::Now;
                }
                self.fix_selection();
                Vec::new()
            }
            Action::Mark => {
                match self.focused_snapshot() {
                    Some(m) if self.mark.as_ref() == Some(&m) => {
                        self.mark = None;
                        self.say("mark cleared", now);
                    }
                    Some(m) => {
                        let short: String = m.1.chars().take(13).collect();
                        self.say(
                            format!(
                                "marked {} for compare: select another run, press c",
                                clean(&short)
                            ),
                            now,
                        );
                        self.mark = Some(m);
                    }
                    None => self.say("no snapshot selected to mark", now),
                }
                Vec::new()
            }
            Action::Compare => self.start_compare(now),
            Action::Copy => self.copy_text(now),
            Action::CopyId => match self.focused_snapshot() {
                Some((_, id)) => {
                    self.say(format!("copied snapshot id {}", clean(&id)), now);
                    vec![Effect::Copy(id)]
                }
                None => {
                    self.say("no snapshot selected", now);
                    Vec::new()
                }
            },
            _ => return None,
        };
        Some(fx)
    }

    /// Actions with a meaning of their own on the full-screen views and the
    /// Now panel; `None` lets the general handler take it.
    pub(crate) fn act_view(&mut self, a: Action, now: DateTime<Utc>) -> Option<Vec<Effect>> {
        let page = (self.view_rows().height as isize).max(1);
        match (self.screen, a) {
            (Screen::Browse, Action::Enter) if self.focus == Pane::Now => {
                return Some(self.enter_now());
            }
            (Screen::Trend, _) => return self.act_trend(a, now),
            (Screen::TestHistory, Action::Left | Action::Right) => {
                if let Some(h) = &mut self.thist {
                    let n = h.columns.len().saturating_sub(1);
                    h.col_back = if a == Action::Left {
                        (h.col_back + 1).min(n)
                    } else {
                        h.col_back.saturating_sub(1)
                    };
                }
            }
            (Screen::TestHistory, Action::CycleWindow) => {
                self.window = self.window.next();
                self.refresh_views(now);
                self.fix_selection();
            }
            (Screen::TestHistory, Action::Enter) => {
                let id = self
                    .history_rows()
                    .get(self.cursor_sel())
                    .map(|r| r.identity.clone());
                if let (Some((pid, sid)), Some(id)) = (self.focused_snapshot(), id) {
                    return Some(self.jump_to_test(&pid, &sid, Some(&id)));
                }
            }
            (Screen::DriftHistory, Action::SortDrift) => {
                if let Some(d) = &self.dhist {
                    let order = views::next_order(d.order);
                    if let Some(p) = self.catalog.project(&d.project_id) {
                        self.dhist = Some(DriftHistoryState::build(p, order));
                    }
                }
                self.fix_selection();
            }
            (Screen::DriftHistory, Action::Enter) => return Some(self.enter_drift_history()),
            (Screen::Compare, Action::SortDrift) => {
                if let Some(c) = &mut self.compare {
                    let by_abs = !c.by_abs;
                    c.set_by_abs(by_abs);
                }
            }
            (Screen::Compare, Action::Enter) => return Some(self.enter_compare()),
            (
                Screen::Dashboard,
                Action::Left | Action::Right | Action::NextPane | Action::PrevPane,
            ) => {
                if let Some(d) = &mut self.dash {
                    let n = d.dashboard.tabs.len().max(1) as isize;
                    let step = if matches!(a, Action::Left | Action::PrevPane) {
                        -1
                    } else {
                        1
                    };
                    d.tab = ((d.tab as isize + step).rem_euclid(n)) as usize;
                    d.scroll = 0;
                }
            }
            (
                Screen::TestHistory | Screen::DriftHistory | Screen::Compare | Screen::Dashboard,
                Action::Up
                | Action::Down
                | Action::PageUp
                | Action::PageDown
                | Action::Top
                | Action::Bottom,
            ) => {
                let d = match a {
                    Action::Up => -1,
                    Action::Down => 1,
                    Action::PageUp => -page,
                    Action::PageDown => page,
                    Action::Top => isize::MIN / 2,
                    _ => isize::MAX / 2,
                };
                self.move_view(d);
            }
            (
                Screen::TestHistory | Screen::DriftHistory | Screen::Compare | Screen::Dashboard,
                Action::PrevSnapshot
                | Action::NextSnapshot
                | Action::NextPane
                | Action::PrevPane
                | Action::Left
                | Action::Right
                | Action::Enter
                | Action::SortDrift
                | Action::CycleWindow,
            ) => {}
            _ => return None,
        }
        Some(Vec::new())
    }

    fn act_trend(&mut self, a: Action, now: DateTime<Utc>) -> Option<Vec<Effect>> {
        match a {
            Action::Left => self.move_trend_cursor(-1),
            Action::Right => self.move_trend_cursor(1),
            Action::PageUp | Action::PageDown => {
                let n = self
                    .trend
                    .as_ref()
                    .and_then(|t| t.series.get(t.active))
                    .map_or(0, |s| s.range(&self.trend_window()).len());
                let step = (n / 10).max(1) as isize;
                self.move_trend_cursor(if a == Action::PageUp { -step } else { step });
            }
            Action::Top => self.move_trend_cursor(isize::MIN / 2),
            Action::Bottom => self.move_trend_cursor(isize::MAX / 2),
            Action::Up | Action::Down | Action::NextPane | Action::PrevPane => {
                let w = self.trend_window();
                let cur = self.trend_cursor();
                if let Some(t) = &mut self.trend {
                    let n = t.series.len().max(1) as isize;
                    let d = if matches!(a, Action::Up | Action::PrevPane) {
                        -1
                    } else {
                        1
                    };
                    // Keep the cursor near the same time on the new series.
                    let at = cur
                        .and_then(|i| t.series.get(t.active)?.points.get(i))
                        .map(|p| p.t);
                    t.active = ((t.active as isize + d).rem_euclid(n)) as usize;
                    if let (Some(at), Some(s)) = (at, t.series.get(t.active)) {
                        let r = s.range(&w);
                        let pts = &s.points[r.clone()];
                        if !pts.is_empty() {
                            let k = pts.partition_point(|p| p.t < at).min(pts.len() - 1);
                            t.cursor_id = Some(pts[k].snapshot_id.clone());
                        }
                    }
                }
            }
            Action::CycleWindow => {
                self.window = self.window.next();
                self.refresh_views(now);
                self.fix_selection();
            }
            Action::PickSeries | Action::Filter => {
                if let Some(t) = &mut self.trend {
                    t.picker = Some(Picker::default());
                }
                self.fix_selection();
            }
            Action::RemoveSeries => {
                if let Some(t) = &mut self.trend {
                    if t.active < t.series.len() {
                        t.series.remove(t.active);
                    }
                    t.active = t.active.min(t.series.len().saturating_sub(1));
                    if t.series.is_empty() {
                        t.picker = Some(Picker::default());
                    }
                }
                self.fix_selection();
            }
            Action::Enter => {
                if let Some((pid, sid)) = self.focused_snapshot() {
                    return Some(self.open_snapshot(&pid, &sid, None));
                }
            }
            Action::SortDrift | Action::PrevSnapshot | Action::NextSnapshot => {}
            _ => return None,
        }
        Some(Vec::new())
    }

    /// Keys while the series picker is open (it takes typing like a filter).
    pub(crate) fn on_picker_key(&mut self, k: KeyEvent, now: DateTime<Utc>) -> Vec<Effect> {
        let rows = (self.view_rows().height as usize).max(1);
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        let Some(t) = &mut self.trend else {
            return Vec::new();
        };
        let sel_key = t.picker_keys().get(p_sel(t)).map(|(k, _)| k.clone());
        let Some(p) = &mut t.picker else {
            return Vec::new();
        };
        let mut toggle: Option<(String, bool)> = None;
        let mut leave = false;
        match k.code {
            KeyCode::Char('c') if ctrl => return vec![Effect::Quit],
            KeyCode::Char('u') if ctrl => {
                p.text.clear();
                p.cursor = Cursor::default();
            }
            KeyCode::Char('n') if ctrl => p.cursor.sel += 1,
            KeyCode::Char('p') if ctrl => p.cursor.sel = p.cursor.sel.saturating_sub(1),
            KeyCode::Char(c) if !ctrl => {
                p.text.push(c);
                p.cursor = Cursor::default();
            }
            KeyCode::Backspace => {
                p.text.pop();
                p.cursor = Cursor::default();
            }
            KeyCode::Up => p.cursor.sel = p.cursor.sel.saturating_sub(1),
            KeyCode::Down => p.cursor.sel += 1,
            KeyCode::PageUp => p.cursor.sel = p.cursor.sel.saturating_sub(rows),
            KeyCode::PageDown => p.cursor.sel += rows,
            KeyCode::Home => p.cursor.sel = 0,
            KeyCode::End => p.cursor.sel = usize::MAX / 2,
            KeyCode::Esc => {
                t.picker = None;
                leave = t.series.is_empty();
            }
            KeyCode::Enter | KeyCode::Tab => {
                toggle = sel_key.map(|key| (key, k.code == KeyCode::Tab));
            }
            _ => {}
        }
        if let Some((key, keep_open)) = toggle {
            self.toggle_series(&key, now);
            if let Some(t) = &mut self.trend {
                if !keep_open && !t.series.is_empty() {
                    t.picker = None;
                }
            }
        }
        if leave {
            self.go_back();
        }
        self.fix_selection();
        Vec::new()
    }

    /// Add a series to the chart, or remove it when it is there.
    pub fn toggle_series(&mut self, key: &str, now: DateTime<Utc>) {
        let Some(t) = &mut self.trend else { return };
        if let Some(i) = t.series.iter().position(|s| s.key == key) {
            t.series.remove(i);
            t.active = t.active.min(t.series.len().saturating_sub(1));
            return;
        }
        if t.series.len() >= MAX_SERIES {
            self.say(
                format!("at most {MAX_SERIES} series: remove one first (Enter on it, or x)"),
                now,
            );
            return;
        }
        t.series
            .push(TrendSeries::load(&self.catalog, &t.project_id, key));
        t.active = t.series.len() - 1;
    }

    // ----- opening views and snapshots -----------------------------------

    fn push_back(&mut self) {
        let here = (self.screen, self.focus);
        if self.back.last() != Some(&here) {
            self.back.push(here);
        }
        if self.back.len() > MAX_BACK {
            self.back.remove(0);
        }
    }

    /// Return to the screen this one was opened from (the timeline when none).
    pub(crate) fn go_back(&mut self) {
        let (screen, focus) = self.back.pop().unwrap_or((Screen::Browse, Pane::Snapshots));
        self.screen = screen;
        self.focus = focus;
        let missing = match screen {
            Screen::Trend => self.trend.is_none(),
            Screen::TestHistory => self.thist.is_none(),
            Screen::DriftHistory => self.dhist.is_none(),
            Screen::Dashboard => self.dash.is_none(),
            Screen::Compare => self.compare.is_none(),
            _ => false,
        };
        if missing {
            self.screen = Screen::Browse;
            self.focus = Pane::Snapshots;
        }
        self.fix_selection();
    }

    /// Open a full-screen view for the selected project.
    pub fn open_view(&mut self, screen: Screen, now: DateTime<Utc>) -> Vec<Effect> {
        let Some(p) = self.current_project() else {
            self.say("no project selected", now);
            return Vec::new();
        };
        let pid = p.project.id.clone();
        match screen {
            Screen::Trend => {
                let keep = self.trend.as_ref().is_some_and(|t| t.project_id == pid);
                if keep {
                    if let Some(t) = &mut self.trend {
                        t.reload(&self.catalog);
                    }
                } else {
                    let keys = self.catalog.series_keys(&pid);
                    if keys.is_empty() {
                        self.say("no numeric series in this project", now);
                        return Vec::new();
                    }
                    self.trend = Some(TrendState {
                        project_id: pid,
                        keys,
                        picker: Some(Picker::default()),
                        series: Vec::new(),
                        active: 0,
                        cursor_id: None,
                    });
                }
            }
            Screen::TestHistory => {
                if !p.snapshots.iter().any(|e| !e.snapshot.tests.is_empty()) {
                    self.say("no snapshot of this project has tests", now);
                    return Vec::new();
                }
                let keep = self
                    .thist
                    .as_ref()
                    .filter(|h| h.project_id == pid)
                    .map(|h| h.cursor);
                let mut h = TestHistoryState::build(p, self.window);
                if let Some(c) = keep {
                    h.cursor = c;
                }
                self.thist = Some(h);
            }
            Screen::DriftHistory => {
                if !p.snapshots.iter().any(|e| !e.snapshot.drift.is_empty()) {
                    self.say("no snapshot of this project has per-column drift", now);
                    return Vec::new();
                }
                let order = self
                    .dhist
                    .as_ref()
                    .map_or(DriftOrder::MostOften, |d| d.order);
                self.dhist = Some(DriftHistoryState::build(p, order));
            }
            Screen::Dashboard => {
                let Some(d) = self.dashboard_for(&pid) else {
                    self.say("no dashboard configured for this project", now);
                    return Vec::new();
                };
                let views = crate::analysis::dashboard::evaluate(&d, p);
                self.dash = Some(DashState {
                    project_id: pid,
                    dashboard: d,
                    views,
                    tab: 0,
                    scroll: 0,
                });
            }
            _ => {}
        }
        if self.screen != screen {
            self.push_back();
        }
        self.screen = screen;
        self.fix_selection();
        Vec::new()
    }

    /// Show a snapshot in the detail screen (on `tab`, or the current tab).
    pub fn open_snapshot(&mut self, pid: &str, sid: &str, tab: Option<Tab>) -> Vec<Effect> {
        if self
            .catalog
            .project(pid)
            .and_then(|p| p.position(sid))
            .is_none()
        {
            return Vec::new();
        }
        if self.project_sel.as_deref() != Some(pid) {
            self.filters.remove(&FilterTarget::Projects);
        }
        self.project_sel = Some(pid.to_string());
        self.snapshot_sel.insert(pid.to_string(), sid.to_string());
        if !self
            .visible_snapshots()
            .iter()
            .any(|e| e.snapshot.id == sid)
        {
            self.filters.remove(&FilterTarget::Snapshots);
        }
        self.push_back();
        self.screen = Screen::Browse;
        self.fix_selection();
        if let Some(t) = tab {
            self.tab = t;
        }
        let fx = self.open_detail();
        self.fix_selection();
        fx
    }

    /// Open a snapshot on its Tests tab with the test of this identity selected.
    pub fn jump_to_test(&mut self, pid: &str, sid: &str, identity: Option<&str>) -> Vec<Effect> {
        self.filters.remove(&FilterTarget::Tests);
        let fx = self.open_snapshot(pid, sid, Some(Tab::Tests));
        if let Some(id) = identity {
            if let Some(i) = self.test_rows().iter().position(|t| &*t.identity == id) {
                self.tests.sel = i;
                self.fix_selection();
            }
        }
        fx
    }

    fn enter_now(&mut self) -> Vec<Effect> {
        let Some(item) = self.now.items(true).get(self.now.cursor.sel).copied() else {
            return Vec::new();
        };
        let (pi, ti) = match item {
            NowItem::Project(i) => (i, 0),
            NowItem::Test(i, t) => (i, t),
        };
        let Some(h) = self.now.failing.get(pi) else {
            return Vec::new();
        };
        let (pid, sid) = (h.project_id.clone(), h.snapshot_id.clone());
        let identity = h.failing.get(ti).map(|f| f.identity.to_string());
        match sid {
            Some(sid) => self.jump_to_test(&pid, &sid, identity.as_deref()),
            None => Vec::new(),
        }
    }

    fn enter_drift_history(&mut self) -> Vec<Effect> {
        let Some(col) = self
            .drift_history_rows()
            .get(self.cursor_sel())
            .map(|r| r.column.clone())
        else {
            return Vec::new();
        };
        let Some(pid) = self.dhist.as_ref().map(|d| d.project_id.clone()) else {
            return Vec::new();
        };
        let sid = self.catalog.project(&pid).and_then(|p| {
            p.snapshots
                .iter()
                .rev()
                .find(|e| e.snapshot.drift.iter().any(|d| d.column == col))
                .map(|e| e.snapshot.id.clone())
        });
        let Some(sid) = sid else { return Vec::new() };
        self.filters.insert(FilterTarget::Drift, col.to_string());
        let fx = self.open_snapshot(&pid, &sid, Some(Tab::Drift));
        self.fix_selection();
        fx
    }

    fn enter_compare(&mut self) -> Vec<Effect> {
        let Some(c) = &self.compare else {
            return Vec::new();
        };
        let row = c.rows().get(c.cursor.sel).copied();
        let Some(CompareRow::Flip(i)) = row else {
            return Vec::new();
        };
        let Some(f) = c.cmp.flipped.get(i) else {
            return Vec::new();
        };
        let sid = if f.to.is_some() { &c.b.id } else { &c.a.id };
        let (pid, sid, id) = (c.b.project_id.clone(), sid.clone(), f.identity.to_string());
        self.jump_to_test(&pid, &sid, Some(&id))
    }

    fn start_compare(&mut self, now: DateTime<Utc>) -> Vec<Effect> {
        let Some(p) = self.current_project() else {
            self.say("no project selected", now);
            return Vec::new();
        };
        let find = |pid: &str, sid: &str| {
            self.catalog
                .project(pid)
                .and_then(|p| p.snapshots.iter().find(|e| e.snapshot.id == sid))
                .map(|e| e.snapshot.clone())
        };
        let pair = match (self.mark.clone(), self.focused_snapshot()) {
            (Some((mp, ms)), Some((sp, ss))) => {
                if (mp.as_str(), ms.as_str()) == (sp.as_str(), ss.as_str()) {
                    self.say(
                        "the marked run is selected: select another run, then c",
                        now,
                    );
                    return Vec::new();
                }
                match (find(&mp, &ms), find(&sp, &ss)) {
                    (Some(x), Some(y)) => {
                        let (a, b) = if (x.timestamp, &x.id) <= (y.timestamp, &y.id) {
                            (x, y)
                        } else {
                            (y, x)
                        };
                        Some((a, b, "marked vs selected".to_string()))
                    }
                    _ => {
                        self.mark = None;
                        self.say("the marked run is gone; mark cleared", now);
                        return Vec::new();
                    }
                }
            }
            _ => crate::analysis::compare::default_pair(p).map(|(a, b)| {
                let how = if crate::analysis::compare::passed(&a) {
                    "last passing run vs latest failing run"
                } else {
                    "previous run vs latest failing run (no passing run before it)"
                };
                (a, b, how.to_string())
            }),
        };
        let Some((a, b, how)) = pair else {
            self.say(
                "no failing run to compare: mark a run with m, select another, press c",
                now,
            );
            return Vec::new();
        };
        let pid = b.project_id.clone();
        self.compare = Some(CompareState::new(&pid, a, b, how));
        if self.screen != Screen::Compare {
            self.push_back();
        }
        self.screen = Screen::Compare;
        self.fix_selection();
        Vec::new()
    }

    // ----- copy ------------------------------------------------------------

    /// One-line summary for the Now panel when nothing fails.
    pub fn now_summary(&self, now: DateTime<Utc>) -> String {
        let age = self
            .now
            .newest
            .map(|t| {
                format!(
                    " · newest run {} ago",
                    crate::analysis::triage::human_age(now - t)
                )
            })
            .unwrap_or_default();
        format!("all {} projects passing{age}", self.now.projects)
    }

    fn copy_text(&mut self, now: DateTime<Utc>) -> Vec<Effect> {
        let (what, text) = match self.copy_payload() {
            Some(x) => x,
            None => {
                self.say("nothing to copy here", now);
                return Vec::new();
            }
        };
        let shown = crate::tui::fmt::truncate(&clean(&text), 48, "…");
        self.say(format!("copied {what}: {shown}"), now);
        vec![Effect::Copy(text)]
    }

    /// What `y` copies here: (what it is, text).
    pub fn copy_payload(&self) -> Option<(&'static str, String)> {
        let tz = self.cfg.tz;
        let ts = |t: DateTime<Utc>| crate::tui::fmt::time(tz, t, "%Y-%m-%d %H:%M:%S %:z");
        match self.screen {
            Screen::Browse => match self.focus {
                Pane::Now => {
                    let h = self.now_item_health()?;
                    let tests: Vec<String> = h
                        .failing
                        .iter()
                        .map(|f| format!("{} {}", f.status, f.name))
                        .collect();
                    Some((
                        "failing project",
                        format!(
                            "{}\t{}\t{}",
                            h.name,
                            h.snapshot_id.as_deref().unwrap_or(""),
                            tests.join("; ")
                        ),
                    ))
                }
                Pane::Projects => Some((
                    "project folder",
                    self.current_project()?.project.folder.display().to_string(),
                )),
                Pane::Snapshots => Some((
                    "snapshot path",
                    self.current_snapshot()?.path.display().to_string(),
                )),
            },
            Screen::Detail => match self.tab {
                Tab::Tests => {
                    let t = self.test_rows().get(self.tests.sel).copied()?;
                    Some((
                        "test",
                        format!(
                            "{}\t{}\t{}\t{}\t{}",
                            t.status,
                            t.name,
                            t.column.as_deref().unwrap_or(""),
                            t.value.map(crate::tui::fmt::num).unwrap_or_default(),
                            t.description
                        ),
                    ))
                }
                Tab::Drift => {
                    let d = self.drift_rows().get(self.drift.sel).copied()?;
                    Some((
                        "drift row",
                        format!(
                            "{}\t{}\t{}\t{}\t{}",
                            d.column,
                            d.method.as_deref().unwrap_or(""),
                            crate::tui::fmt::opt_num(d.score),
                            crate::tui::fmt::opt_num(d.threshold),
                            match d.drifted {
                                Some(true) => "drifted",
                                Some(false) => "not drifted",
                                None => "unknown",
                            }
                        ),
                    ))
                }
                Tab::Metrics | Tab::Raw => Some((
                    "snapshot path",
                    self.current_snapshot()?.path.display().to_string(),
                )),
            },
            Screen::Trend => {
                let t = self.trend.as_ref()?;
                let s = t.series.get(t.active)?;
                let p = s.points.get(self.trend_cursor()?)?;
                Some((
                    "point",
                    format!(
                        "{}\t{}\t{}\t{}",
                        ts(p.t),
                        s.key,
                        p.value
                            .map(|v| v.to_string())
                            .unwrap_or_else(|| "null".into()),
                        p.snapshot_id
                    ),
                ))
            }
            Screen::TestHistory => {
                let r = *self.history_rows().get(self.cursor_sel())?;
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
            Screen::DriftHistory => {
                let r = *self.drift_history_rows().get(self.cursor_sel())?;
                let last = r.scores.iter().rev().find_map(|s| *s);
                Some((
                    "drift history row",
                    format!(
                        "{}\t{}\t{}/{} drifted\tlatest score {}",
                        r.column,
                        r.method.as_deref().unwrap_or(""),
                        r.drifted_count,
                        r.runs,
                        crate::tui::fmt::opt_num(last)
                    ),
                ))
            }
            Screen::Compare => {
                let c = self.compare.as_ref()?;
                let st = |s: Option<crate::model::TestStatus>| {
                    s.map(|s| s.as_str()).unwrap_or("not run")
                };
                let text = match c.rows().get(c.cursor.sel)? {
                    CompareRow::Flip(i) => {
                        let f = c.cmp.flipped.get(*i)?;
                        format!("{}\t{} -> {}", f.test, st(f.from), st(f.to))
                    }
                    CompareRow::Move(i) => {
                        let m = c.cmp.moved.get(*i)?;
                        format!("{}\t{}\t{}\t{}", m.series, m.a, m.b, m.delta)
                    }
                    CompareRow::Drift(i) => {
                        let d = c.cmp.drift_changed.get(*i)?;
                        format!("{}\t{:?} -> {:?}", d.column, d.a, d.b)
                    }
                    CompareRow::Meta(i) => {
                        let m = c.cmp.tags_metadata.get(*i)?;
                        format!(
                            "{} {}\t{} -> {}",
                            m.kind,
                            m.key,
                            m.a.as_deref().unwrap_or("absent"),
                            m.b.as_deref().unwrap_or("absent")
                        )
                    }
                    _ => format!("{}\t{}", c.a.id, c.b.id),
                };
                Some(("compare row", text))
            }
            Screen::Dashboard => Some((
                "project folder",
                self.current_project()?.project.folder.display().to_string(),
            )),
        }
    }
}

fn p_sel(t: &TrendState) -> usize {
    t.picker.as_ref().map_or(0, |p| p.cursor.sel)
}
