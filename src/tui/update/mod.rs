//! The explorer's only mutator: [`App::update`] routes each [`Msg`] (a key,
//! a mouse event, an index event, a loaded file, a tick) to the state it
//! changes. No terminal, no filesystem: messages in, state changed,
//! [`Effect`]s out for the run loop to perform; the clock is passed in.
//! Screen-specific transitions are in the child files.

mod browse;
mod views;

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::KeyEvent;

use crate::index::events::{self, IndexEvent};
use crate::tui::app::{App, Effect, Screen};
use crate::tui::keymap::{self, Action, Key};
use crate::tui::msg::Msg;
use crate::tui::state::browse::Pane;
use crate::tui::state::detail::Tab;
use crate::tui::state::filter::{FilterTarget, Input, InputKey};
use crate::tui::state::popup::{Popup, PopupKey};
use crate::tui::state::screen::Outcome;

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

    pub(crate) fn on_index(&mut self, ev: IndexEvent, now: DateTime<Utc>) -> Vec<Effect> {
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
            .map(|i| i.saturating_sub(self.browse.snapshot_offset));
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
            self.browse.on_newest(&self.catalog)
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
        self.browse.follow_newest(&self.catalog, follow_newest);
        if changed {
            // Derived from the catalog alone (and the Now panel's age notes
            // only with a maximum age, which it does not use).
            self.refresh_views(now);
        }
        self.fix_selection();
        // Keep the selected snapshot where it was on screen.
        if let (Some(row), Some(before)) = (row_before, sel_before.as_ref()) {
            if self.selected_snapshot_id() == Some(before.as_str()) {
                let page = self.snapshots_page();
                self.browse
                    .keep_row(row, &self.catalog, &self.filters, page);
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
                    self.browse.focus = Pane::Snapshots;
                    self.say(format!("snapshot {before} was removed"), now);
                }
            }
        }
        let mut fx = Vec::new();
        // The open snapshot changed on disk: reload the Raw tab if it is shown.
        let detail_after = self
            .current_snapshot()
            .map(|s| (s.path.clone(), s.fingerprint));
        if self.screen == Screen::Detail
            && self.detail.tab == Tab::Raw
            && detail_after != detail_before
        {
            fx.extend(self.request_raw(true));
        }
        fx
    }

    pub(crate) fn on_key(&mut self, k: KeyEvent, now: DateTime<Utc>) -> Vec<Effect> {
        self.dirty = true;
        if self.input.is_some() {
            return self.on_input_key(k);
        }
        let key = keymap::key_of(&k);
        if let Some(p) = self.popup {
            return self.on_popup_key(p, key);
        }
        if self.screen == Screen::Trend && self.trend.as_ref().is_some_and(|t| t.picker.is_some()) {
            let rows = (self.view_rows().height as usize).max(1);
            let o = match &mut self.trend {
                Some(t) => t.on_picker_key(k, rows, &self.catalog),
                None => return Vec::new(),
            };
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

    pub(crate) fn on_popup_key(&mut self, p: Popup, key: Option<Key>) -> Vec<Effect> {
        let action = key.and_then(|key| self.cfg.keymap.lookup(&[], key));
        let page = self.size.1.saturating_sub(6).max(1) as usize;
        let len = self.popup_len(p);
        match p.key(action, key == Some(Key::ctrl('c')), page, len) {
            PopupKey::Quit => return vec![Effect::Quit],
            PopupKey::Close => self.popup = None,
            PopupKey::Show(p) => self.popup = Some(p),
        }
        Vec::new()
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
            Action::Unreadable => self.popup = Some(Popup::Unreadable(0)),
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
}
