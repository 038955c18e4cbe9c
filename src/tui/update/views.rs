//! Crossing screens: applying a screen's [`Outcome`], opening the views
//! (and the Esc history), jumping into a snapshot, mark / compare, what `y`
//! copies where (each screen's state says), and refreshing every screen's
//! state from the catalog when the index changed.
//! Each screen's own keys and data live in its `state/<screen>.rs`.

use chrono::{DateTime, Utc};

use crate::text::sanitize::clean;
use crate::tui::app::{App, Effect, Screen};
use crate::tui::keymap::Action;
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

    /// Recompute the Now panel and the open views after the index changed.
    pub(crate) fn refresh_views(&mut self, now: DateTime<Utc>) {
        self.now.refresh(&self.catalog, now);
        if let Some(t) = &mut self.trend {
            t.reload(&self.catalog);
        }
        let f = self.filter_lc(FilterTarget::TestHistory);
        if let Some(h) = &mut self.thist {
            h.refresh(&self.catalog, self.window, &f);
        }
        let f = self.filter_lc(FilterTarget::DriftHistory);
        if let Some(d) = &mut self.dhist {
            d.refresh(&self.catalog, &f);
        }
        if let Some(d) = &mut self.dash {
            d.refresh(&self.catalog);
        }
    }

    /// Move the selection of the current view's list by `d` rows.
    pub(crate) fn move_view(&mut self, d: isize) {
        let rows = (self.view_rows().height as usize).max(1);
        match self.screen {
            Screen::TestHistory => {
                let f = self.filter_lc(FilterTarget::TestHistory);
                if let Some(h) = &mut self.thist {
                    h.move_by(d, &f, rows);
                }
            }
            Screen::DriftHistory => {
                let f = self.filter_lc(FilterTarget::DriftHistory);
                if let Some(h) = &mut self.dhist {
                    h.move_by(d, &f, rows);
                }
            }
            Screen::Compare => {
                if let Some(c) = &mut self.compare {
                    c.move_by(d, rows);
                }
            }
            Screen::Dashboard => {
                if let Some(ds) = &mut self.dash {
                    ds.move_by(d);
                }
            }
            Screen::Trend => {
                let w = self.trend_window();
                if let Some(t) = &mut self.trend {
                    t.move_cursor(d, &w);
                }
            }
            _ => {}
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
        let rows = (self.view_rows().height as usize).max(1);
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
            Screen::Trend => {
                let w = self.trend_window();
                self.trend.as_mut()?.act(a, &w)
            }
            Screen::TestHistory => {
                let f = self.filter_lc(FilterTarget::TestHistory);
                self.thist.as_mut()?.act(a, &self.catalog, &f, rows)
            }
            Screen::DriftHistory => {
                let f = self.filter_lc(FilterTarget::DriftHistory);
                self.dhist.as_mut()?.act(a, &self.catalog, &f, rows)
            }
            Screen::Compare => self.compare.as_mut()?.act(a, rows),
            Screen::Dashboard => self.dash.as_mut()?.act(a, rows),
        }
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
            self.browse.focus = Pane::Snapshots;
        }
        self.fix_selection();
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
        let tz = self.cfg.tz;
        match self.screen {
            Screen::Browse => match self.browse.focus {
                Pane::Now => self.now.copy(),
                Pane::Projects | Pane::Snapshots => self.browse.copy(&self.catalog),
            },
            Screen::Detail => self.detail.copy(self.current_snapshot(), &self.filters),
            Screen::Trend => self.trend.as_ref()?.copy(&self.trend_window(), tz),
            Screen::TestHistory => self
                .thist
                .as_ref()?
                .copy(&self.filter_lc(FilterTarget::TestHistory), tz),
            Screen::DriftHistory => self
                .dhist
                .as_ref()?
                .copy(&self.filter_lc(FilterTarget::DriftHistory)),
            Screen::Compare => self.compare.as_ref()?.copy(),
            Screen::Dashboard => Some((
                "project folder",
                self.current_project()?.project.folder.display().to_string(),
            )),
        }
    }
}
