//! The router's second half: applying a screen's [`Outcome`], everything
//! that crosses screens (opening the views and the detail screen, jumping
//! into a snapshot, compare, the Esc history, what `y` copies where), and
//! index events: the catalog updated, every screen's state refreshed from
//! it, the selection kept on its screen row.

use chrono::{DateTime, Utc};

use crate::index::{self, IndexEvent};
use crate::text::sanitize::clean;
use crate::tui::app::{App, Effect, Screen};
use crate::tui::state::browse::Pane;
use crate::tui::state::compare::{CompareState, PairError};
use crate::tui::state::dashboard::DashState;
use crate::tui::state::detail::Tab;
use crate::tui::state::filter::FilterTarget;
use crate::tui::state::history::{DriftHistoryState, TestHistoryState};
use crate::tui::state::screen::Outcome;
use crate::tui::state::trend::TrendState;

/// Deepest Esc history kept.
const MAX_BACK: usize = 16;

/// During the first scan, the least time between two recomputations of
/// the Now panel and the open views (milliseconds).
pub(crate) const SCAN_REFRESH_GAP_MS: i64 = 250;

impl App {
    /// Apply what a screen's key handling asked for.
    pub(crate) fn apply(&mut self, o: Outcome, now: DateTime<Utc>) -> Vec<Effect> {
        match o {
            Outcome::Done => {}
            Outcome::Refit => self.fix_selection(),
            Outcome::CycleWindow => {
                self.window = self.window.next();
                self.refresh_views(now);
                self.fix_selection();
            }
            Outcome::Back => self.go_back(),
            Outcome::Quit => return vec![Effect::Quit],
            Outcome::Say(text) => self.say(text, now),
            Outcome::OpenDetail => return self.open_detail(),
            Outcome::ShowTab(t) => return self.set_tab(t),
            Outcome::OpenSnapshot {
                project,
                snapshot,
                tab,
            } => return self.open_snapshot(&project, &snapshot, tab),
            Outcome::JumpToTest {
                project,
                snapshot,
                identity,
            } => return self.jump_to_test(&project, &snapshot, identity.as_deref()),
            Outcome::JumpToDrift {
                project,
                snapshot,
                column,
            } => {
                self.filters.insert(FilterTarget::Drift, column);
                let fx = self.open_snapshot(&project, &snapshot, Some(Tab::Drift));
                self.fix_selection();
                return fx;
            }
        }
        Vec::new()
    }

    pub(crate) fn set_tab(&mut self, t: Tab) -> Vec<Effect> {
        if self.screen != Screen::Detail {
            return Vec::new();
        }
        self.detail.tab = t;
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
        let s = self.browse.current_snapshot(&self.catalog);
        self.detail.choose_tab_for(s);
        self.reset_tab_cursors();
        if let Some(id) = self.selected_snapshot_id().map(str::to_string) {
            self.new_ids.remove(&id);
        }
        if self.detail.tab == Tab::Raw {
            return self.request_raw(false);
        }
        Vec::new()
    }

    pub(crate) fn reset_tab_cursors(&mut self) {
        self.detail.reset_cursors();
        self.fit_tab_cursors();
    }

    /// Ask for the current snapshot's raw JSON unless it is already loaded (or `force`).
    pub(crate) fn request_raw(&mut self, force: bool) -> Vec<Effect> {
        let s = self.browse.current_snapshot(&self.catalog);
        self.detail.request_raw(s, force)
    }

    /// Open a full-screen view for the selected project.
    pub fn open_view(&mut self, screen: Screen, now: DateTime<Utc>) -> Vec<Effect> {
        let Some(pid) = self.current_project().map(|p| p.project.id.clone()) else {
            self.say("no project selected", now);
            return Vec::new();
        };
        let Some(p) = self.catalog.project(&pid) else {
            return Vec::new();
        };
        let opened = match screen {
            Screen::Trend => TrendState::open(&mut self.trend, &self.catalog, &pid),
            Screen::TestHistory => TestHistoryState::open(&mut self.thist, p, self.window),
            Screen::DriftHistory => DriftHistoryState::open(&mut self.dhist, p),
            Screen::Dashboard => match self.dashboard_for(&pid) {
                Some(d) => {
                    self.dash = Some(DashState::open(p, d));
                    Ok(())
                }
                None => Err("no dashboard configured for this project"),
            },
            _ => Ok(()),
        };
        if let Err(why) = opened {
            self.say(why, now);
            return Vec::new();
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
        if self.browse.project_sel.as_deref() != Some(pid) {
            self.filters.remove(&FilterTarget::Projects);
        }
        self.browse.project_sel = Some(pid.to_string());
        self.browse
            .snapshot_sel
            .insert(pid.to_string(), sid.to_string());
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
            self.detail.tab = t;
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
                self.detail.tests.sel = i;
                self.fix_selection();
            }
        }
        fx
    }

    pub(crate) fn start_compare(&mut self, now: DateTime<Utc>) -> Vec<Effect> {
        let Some(p) = self.current_project() else {
            self.say("no project selected", now);
            return Vec::new();
        };
        // `c` again in the view of a default pair: the other default pair.
        if self.screen == Screen::Compare && self.mark.is_none() {
            if let Some(next) = self
                .compare
                .as_ref()
                .and_then(|c| c.switched(&self.catalog))
            {
                self.compare = Some(next);
                self.fix_selection();
                return Vec::new();
            }
        }
        let selected = self.focused_snapshot();
        match CompareState::start(&self.catalog, p, self.mark.as_ref(), selected.as_ref()) {
            Ok(c) => self.compare = Some(c),
            Err(e) => {
                if e == PairError::MarkGone {
                    self.mark = None;
                }
                self.say(e.to_string(), now);
                return Vec::new();
            }
        }
        if self.screen != Screen::Compare {
            self.push_back();
        }
        self.screen = Screen::Compare;
        self.fix_selection();
        Vec::new()
    }

    pub(crate) fn push_back(&mut self) {
        let here = (self.screen, self.browse.focus);
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
        self.browse.focus = focus;
        let missing =
            !matches!(screen, Screen::Browse | Screen::Detail) && self.view(screen).is_none();
        if missing {
            self.screen = Screen::Browse;
            self.browse.focus = Pane::Snapshots;
        }
        self.fix_selection();
    }

    pub(crate) fn copy_text(&mut self, now: DateTime<Utc>) -> Vec<Effect> {
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
        match self.screen {
            Screen::Browse => match self.browse.focus {
                Pane::Now => self.now.copy(),
                Pane::Projects | Pane::Snapshots => self.browse.copy(&self.catalog),
            },
            Screen::Detail => self.detail.copy(self.current_snapshot(), &self.filters),
            s => self.view(s)?.copy(&self.cx()),
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
        // A selection on a project's top (newest) row follows the newest
        // run: during the first scan, where files arrive newest-by-mtime
        // first, not by run time, so the first screen shows the latest runs
        // selected; and live, so a new run is seen at once. Not the run
        // being read on another screen: there a new one is counted above.
        let reading = (self.screen != Screen::Browse)
            .then(|| self.browse.project_sel.clone())
            .flatten();
        let follow_newest: Vec<String> = self
            .browse
            .on_newest(&self.catalog, &self.filters)
            .into_iter()
            .filter(|p| !self.scan.finished || reading.as_ref() != Some(p))
            .collect();
        let mut arrived: Vec<(String, String)> = Vec::new();
        let mut changed = false;
        for ev in evs {
            match &ev {
                IndexEvent::SnapshotAdded(e) => {
                    self.pending.remove(&*e.path);
                    if self.scan.finished && self.catalog.snapshot_by_path(&e.path).is_none() {
                        self.new_ids.insert(e.snapshot.id.clone());
                        arrived.push((e.snapshot.project_id.clone(), e.snapshot.id.clone()));
                    }
                }
                IndexEvent::SnapshotsAdded(es) => {
                    for e in es.iter() {
                        if !self.pending.is_empty() {
                            self.pending.remove(&*e.path);
                        }
                        if self.scan.finished && self.catalog.snapshot_by_path(&e.path).is_none() {
                            self.new_ids.insert(e.snapshot.id.clone());
                            arrived.push((e.snapshot.project_id.clone(), e.snapshot.id.clone()));
                        }
                    }
                }
                IndexEvent::SnapshotUpdated(e) => {
                    self.pending.remove(&*e.path);
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
            changed |= index::apply_event(&mut self.catalog, &ev);
        }
        self.browse
            .follow_newest(&self.catalog, &self.filters, follow_newest);
        self.browse.arrived(&self.catalog, &self.filters, arrived);
        // Derived from the catalog alone (and the Now panel's age notes
        // only with a maximum age, which it does not use). While the first
        // scan runs, at most every SCAN_REFRESH_GAP_MS: each refresh costs a
        // walk over all histories, and batches of new files arrive faster
        // than that. A refresh held back is done with the next batch, the
        // one that ends the scan included, or at the next tick.
        self.views_stale |= changed;
        let held_back = !self.scan.finished
            && self
                .views_refreshed_at
                .is_some_and(|t| (now - t).num_milliseconds() < SCAN_REFRESH_GAP_MS);
        if self.views_stale && !held_back {
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

    /// Recompute the Now panel and the open views after the index changed.
    pub(crate) fn refresh_views(&mut self, now: DateTime<Utc>) {
        self.now.refresh(&self.catalog, now);
        self.with_views(None, |v, cx| v.refresh(cx));
        self.views_refreshed_at = Some(now);
        self.views_stale = false;
    }
}
