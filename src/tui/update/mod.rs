//! The explorer's only mutator, [`App::update`]: the one router. Each
//! [`Msg`] (a key, a mouse event, an index event, a loaded file, a tick) is
//! routed to the screen whose state it changes; a key becomes an
//! [`Action`] through the key map and goes first to the actions that work
//! everywhere, then to the screen shown (its `state/<screen>.rs`, which
//! answers with an [`Outcome`] when the change reaches beyond it), then to
//! the few keys every screen shares (quit, help, filter, back, freeze,
//! rescan). No terminal, no filesystem: messages in, state changed,
//! [`Effect`]s out for the run loop to perform; the clock is passed in.
//! Applying outcomes and everything that crosses screens is in `route.rs`.

mod route;

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::{KeyEvent, MouseButton, MouseEvent, MouseEventKind};

use crate::config::keys;
use crate::text::sanitize::clean;
use crate::tui::app::{App, Effect, Screen};
use crate::tui::keymap::{self, Action, Key};
use crate::tui::msg::Msg;
use crate::tui::state::browse::Pane;
use crate::tui::state::detail::{self, Tab};
use crate::tui::state::filter::{FilterTarget, Input, InputKey};
use crate::tui::state::popup::{problem_files, Popup, PopupKey};
use crate::tui::state::screen::Outcome;
use crate::tui::ui::{layout, popup};

/// How long a transient message stays.
const MESSAGE_SECS: i64 = 5;

impl App {
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
                let f = self.filter_lc(FilterTarget::Raw);
                if self.detail.raw_loaded(request, result, &f) {
                    self.fit_tab_cursors();
                    self.dirty = true;
                }
                Vec::new()
            }
            Msg::Tick => {
                // A refresh held back during the scan, with no batch since.
                if self.views_stale {
                    self.refresh_views(now);
                    self.fix_selection();
                    self.dirty = true;
                }
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

    pub(crate) fn on_key(&mut self, k: KeyEvent, now: DateTime<Utc>) -> Vec<Effect> {
        self.dirty = true;
        if self.input.is_some() {
            return self.on_input_key(k);
        }
        let key = keymap::key_of(&k);
        if let Some(p) = self.popup {
            return self.on_popup_key(p, key, now);
        }
        if self.view(self.screen).is_some_and(|v| v.takes_typing()) {
            let o = self
                .with_views(Some(self.screen), |v, cx| v.typed(k, cx))
                .unwrap_or(Outcome::Done);
            if o == Outcome::Quit {
                return vec![Effect::Quit];
            }
            let fx = self.apply(o, now);
            self.fix_selection();
            return fx;
        }
        let ctx = self.contexts();
        match key.and_then(|key| self.cfg.keymap.lookup(&ctx, key)) {
            Some(a) => self.act(a, now),
            None => Vec::new(),
        }
    }

    pub(crate) fn on_input_key(&mut self, k: KeyEvent) -> Vec<Effect> {
        let Some(mut input) = self.input.take() else {
            return Vec::new();
        };
        match input.key(k) {
            InputKey::Quit => return vec![Effect::Quit],
            InputKey::Done(text) => self.set_filter(input.target, text),
            InputKey::Edited(text) => {
                self.set_filter(input.target, text);
                self.input = Some(input);
            }
        }
        Vec::new()
    }

    /// Set a list's filter (live, while typing) and re-fit selections.
    pub fn set_filter(&mut self, t: FilterTarget, text: String) {
        if text.is_empty() {
            self.filters.remove(&t);
        } else {
            self.filters.insert(t, text);
        }
        let f = self.filter_lc(t);
        let rows = self.page();
        self.detail.filter_changed(t, &f, rows);
        self.fix_selection();
    }

    pub(crate) fn on_popup_key(
        &mut self,
        p: Popup,
        key: Option<Key>,
        now: DateTime<Utc>,
    ) -> Vec<Effect> {
        let action = key.and_then(|key| self.cfg.keymap.lookup(&[], key));
        let page = popup::page(self.area(), p);
        let len = popup::len(self, p);
        match p.key(action, key == Some(Key::ctrl('c')), page, len) {
            PopupKey::Quit => return vec![Effect::Quit],
            PopupKey::Close => self.popup = None,
            PopupKey::Show(p) => self.popup = Some(p),
            PopupKey::Copy => return self.copy_problem_file(p, now),
        }
        Vec::new()
    }

    /// `y` on the unreadable list: copy the selected file's path.
    fn copy_problem_file(&mut self, p: Popup, now: DateTime<Utc>) -> Vec<Effect> {
        let Popup::Unreadable(c) = p else {
            return Vec::new();
        };
        let path = problem_files(&self.catalog, &self.pending)
            .get(c.sel)
            .map(|f| f.path.display().to_string());
        match path {
            Some(text) => {
                let shown = crate::tui::fmt::truncate(&clean(&text), 48, "…");
                self.say(format!("copied file path: {shown}"), now);
                vec![Effect::Copy(text)]
            }
            None => Vec::new(),
        }
    }

    /// Perform one action.
    pub fn act(&mut self, a: Action, now: DateTime<Utc>) -> Vec<Effect> {
        self.dirty = true;
        if let Some(fx) = self.act_anywhere(a, now) {
            return fx;
        }
        if let Some(o) = self.act_view(a) {
            return self.apply(o, now);
        }
        let page = self.page() as isize;
        match a {
            Action::Quit => return vec![Effect::Quit],
            Action::Help => self.popup = Some(Popup::Help(0)),
            Action::Unreadable => self.popup = Some(Popup::unreadable()),
            Action::Up => return self.move_sel(-1),
            Action::Down => return self.move_sel(1),
            Action::PageUp => return self.move_sel(-page),
            Action::PageDown => return self.move_sel(page),
            Action::Top => return self.move_sel(isize::MIN / 2),
            Action::Bottom => return self.move_sel(isize::MAX / 2),
            Action::Back => {
                let t = self.filter_target();
                if let Some(t) = t.filter(|t| !self.filter(*t).is_empty()) {
                    self.set_filter(t, String::new());
                } else {
                    match self.screen {
                        Screen::Browse => self.browse.back(),
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
                    if self.detail.jump_match(fwd, rows) == Some(false) {
                        self.say("no match", now);
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
            Action::FoldLess | Action::FoldMore | Action::ScrollLeft | Action::ScrollRight => {
                // The Raw tab's keys act on its document from any screen.
                let rows = self.page();
                self.detail.raw_key(a, rows);
            }
            // Handled by `act_anywhere` / `act_view`, or nothing off their screen.
            Action::SortDrift
            | Action::TabTests
            | Action::TabDrift
            | Action::TabMetrics
            | Action::TabRaw
            | Action::Left
            | Action::PrevPane
            | Action::Right
            | Action::NextPane
            | Action::Enter
            | Action::Trends
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

    /// Actions that work on every screen: open a view, mark, compare, copy.
    pub(crate) fn act_anywhere(&mut self, a: Action, now: DateTime<Utc>) -> Option<Vec<Effect>> {
        let fx = match a {
            Action::Trends => self.open_view(Screen::Trend, now),
            Action::TestHistory => self.open_view(Screen::TestHistory, now),
            Action::DriftHistory => self.open_view(Screen::DriftHistory, now),
            Action::Dashboards => self.open_view(Screen::Dashboard, now),
            Action::NowPanel => {
                if self.screen == Screen::Browse && self.browse.focus == Pane::Now {
                    self.browse.focus = Pane::Projects;
                } else if self.now.failing.is_empty() {
                    self.say(self.now_summary(now), now);
                } else {
                    self.screen = Screen::Browse;
                    self.back.clear();
                    self.browse.focus = Pane::Now;
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

    /// Hand an action to the full-screen view shown (or the Now panel);
    /// `None` lets the general handler take it.
    pub(crate) fn act_view(&mut self, a: Action) -> Option<Outcome> {
        match self.screen {
            Screen::Browse if self.browse.focus == Pane::Now && a == Action::Enter => {
                Some(self.now.enter())
            }
            Screen::Detail => {
                let page = self.page();
                let s = self.browse.current_snapshot(&self.catalog);
                self.detail.act(a, s, &self.filters, page)
            }
            Screen::Browse => {
                let page = self.page();
                let failing = !self.now.failing.is_empty();
                self.browse
                    .act(a, &self.catalog, &self.filters, page, failing)
            }
            s => self.with_views(Some(s), |v, cx| v.act(a, cx)).flatten(),
        }
    }

    /// Move the focused list's selection by `d` rows (clamped).
    pub(crate) fn move_sel(&mut self, d: isize) -> Vec<Effect> {
        let page = self.page();
        match self.screen {
            Screen::Browse => match self.browse.focus {
                Pane::Now => {
                    let rows = self.now_rows();
                    self.now.move_by(d, rows);
                }
                Pane::Projects | Pane::Snapshots => {
                    if self.browse.move_by(d, &self.catalog, &self.filters) {
                        self.fix_selection();
                    }
                }
            },
            Screen::Detail => {
                let s = self.browse.current_snapshot(&self.catalog);
                self.detail.move_by(d, s, &self.filters, page);
            }
            _ => self.move_view(d),
        }
        Vec::new()
    }

    pub(crate) fn move_wrapping(&mut self, d: isize) -> Vec<Effect> {
        let (len, cur) = match (self.screen, self.browse.focus, self.detail.tab) {
            (Screen::Browse, Pane::Projects | Pane::Now, _) => (
                self.visible_projects().len(),
                self.project_index().unwrap_or(0),
            ),
            (Screen::Browse, Pane::Snapshots, _) => (
                self.visible_snapshots().len(),
                self.snapshot_index().unwrap_or(0),
            ),
            (Screen::Detail, _, Tab::Tests) => (self.test_rows().len(), self.detail.tests.sel),
            (Screen::Detail, _, Tab::Drift) => (self.drift_rows().len(), self.detail.drift.sel),
            (Screen::Detail, _, Tab::Metrics) => {
                (self.metric_rows().len(), self.detail.metrics.sel)
            }
            (Screen::Detail, _, Tab::Raw) => return Vec::new(),
            (s, _, _) => match self.view(s).and_then(|v| v.matches(&self.cx())) {
                Some(m) => m,
                None => return Vec::new(),
            },
        };
        if len == 0 {
            return Vec::new();
        }
        let target = (cur as isize + d).rem_euclid(len as isize);
        self.move_sel(target - cur as isize)
    }

    /// Move the selection of the current view's list by `d` rows.
    pub(crate) fn move_view(&mut self, d: isize) {
        self.with_views(Some(self.screen), |v, cx| v.move_by(d, cx));
    }

    /// Move to an older (+1) or newer (-1) snapshot, keeping screen and tab.
    pub(crate) fn step_snapshot(&mut self, d: isize) -> Vec<Effect> {
        let Some(id) = self.browse.step_snapshot(d, &self.catalog, &self.filters) else {
            return Vec::new();
        };
        self.fix_selection();
        if self.screen == Screen::Detail {
            self.new_ids.remove(&id);
            self.reset_tab_cursors();
            if self.detail.tab == Tab::Raw {
                return self.request_raw(false);
            }
        }
        Vec::new()
    }

    pub(crate) fn on_mouse(&mut self, m: MouseEvent, now: DateTime<Utc>) -> Vec<Effect> {
        if self.popup.is_some() || self.input.is_some() || layout::too_small(self.area()) {
            if self.popup.is_some() {
                let key = match m.kind {
                    MouseEventKind::ScrollUp => Key::plain(keys::KeyCode::Up),
                    MouseEventKind::ScrollDown => Key::plain(keys::KeyCode::Down),
                    _ => return Vec::new(),
                };
                self.dirty = true;
                if let Some(p) = self.popup {
                    return self.on_popup_key(p, Some(key), now);
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
                        self.browse.focus = Pane::Now;
                    } else if layout::contains(b.projects, col, row) {
                        self.browse.focus = Pane::Projects;
                    } else if layout::contains(b.snapshots, col, row) {
                        self.browse.focus = Pane::Snapshots;
                    }
                }
                let d = if self.screen == Screen::Detail && self.detail.tab == Tab::Raw {
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
                    Screen::Browse => self.click_browse(col, row, now),
                    Screen::Detail => self.click_detail(col, row),
                    _ => Vec::new(),
                }
            }
            _ => Vec::new(),
        }
    }

    pub(crate) fn click_browse(&mut self, col: u16, row: u16, now: DateTime<Utc>) -> Vec<Effect> {
        let b = self.browse_layout();
        let nr = layout::inner(b.now);
        if layout::contains(nr, col, row) && !self.now.failing.is_empty() {
            self.now
                .click((row - nr.y) as usize, self.browse.focus == Pane::Now);
            self.browse.focus = Pane::Now;
            self.fix_selection();
            return Vec::new();
        }
        let hit = [(Pane::Projects, b.projects), (Pane::Snapshots, b.snapshots)]
            .into_iter()
            .find(|(_, r)| layout::contains(*r, col, row));
        let Some((pane, region)) = hit else {
            return Vec::new();
        };
        let rows = layout::list_rows(region);
        let line = layout::contains(rows, col, row).then(|| (row - rows.y) as usize);
        let o = self.browse.click(pane, line, &self.catalog, &self.filters);
        self.apply(o, now)
    }

    pub(crate) fn click_detail(&mut self, col: u16, row: u16) -> Vec<Effect> {
        let d = self.detail_layout();
        if layout::contains(d.tabs, col, row) {
            let snapshot = self.current_snapshot().map(|e| &*e.snapshot);
            let x = col.saturating_sub(d.tabs.x);
            return match detail::tab_at(snapshot, &self.cfg.theme, x) {
                Some(t) => self.set_tab(t),
                None => Vec::new(),
            };
        }
        let rows = self.tab_rows();
        if layout::contains(rows, col, row) {
            let delta = self.detail.click_delta((row - rows.y) as usize);
            return self.move_sel(delta);
        }
        Vec::new()
    }
}
