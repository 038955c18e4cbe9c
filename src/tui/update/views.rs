//! The monitoring and triage views: opening them (and the Esc history),
//! moving inside them, jumping from them into a snapshot, mark / compare,
//! and refreshing them from the catalog when the index changed.

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::KeyEvent;

use crate::analysis::history::DriftOrder;
use crate::text::sanitize::clean;
use crate::tui::app::{App, Effect, Screen};
use crate::tui::keymap::Action;
use crate::tui::state::browse::Pane;
use crate::tui::state::compare::{CompareRow, CompareState};
use crate::tui::state::dashboard::DashState;
use crate::tui::state::detail::Tab;
use crate::tui::state::filter::FilterTarget;
use crate::tui::state::history::{self as hist, DriftHistoryState, TestHistoryState};
use crate::tui::state::now::{NowItem, NowState};
use crate::tui::state::trend::{Picker, PickerKey, TrendSeries, TrendState, MAX_SERIES};
use crate::tui::ui::layout;

/// Deepest Esc history kept.
const MAX_BACK: usize = 16;

impl App {
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

    pub(crate) fn move_trend_cursor(&mut self, d: isize) {
        let w = self.trend_window();
        if let Some(t) = &mut self.trend {
            t.move_cursor(d, &w);
        }
    }

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
                    h.step_column(a == Action::Left);
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
                    let order = hist::next_order(d.order);
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
                    d.step_tab(if matches!(a, Action::Left | Action::PrevPane) {
                        -1
                    } else {
                        1
                    });
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

    pub(crate) fn act_trend(&mut self, a: Action, now: DateTime<Utc>) -> Option<Vec<Effect>> {
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
                let d = if matches!(a, Action::Up | Action::PrevPane) {
                    -1
                } else {
                    1
                };
                if let Some(t) = &mut self.trend {
                    t.switch_series(d, &w);
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
        let Some(t) = &mut self.trend else {
            return Vec::new();
        };
        match t.picker_key(k, rows) {
            PickerKey::Quit => return vec![Effect::Quit],
            PickerKey::Edited => {}
            PickerKey::Toggle { key, keep_open } => {
                self.toggle_series(&key, now);
                if let Some(t) = &mut self.trend {
                    if !keep_open && !t.series.is_empty() {
                        t.picker = None;
                    }
                }
            }
            PickerKey::Leave => self.go_back(),
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

    pub(crate) fn push_back(&mut self) {
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

    pub(crate) fn enter_now(&mut self) -> Vec<Effect> {
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

    pub(crate) fn enter_drift_history(&mut self) -> Vec<Effect> {
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

    pub(crate) fn enter_compare(&mut self) -> Vec<Effect> {
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

    pub(crate) fn start_compare(&mut self, now: DateTime<Utc>) -> Vec<Effect> {
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
}
