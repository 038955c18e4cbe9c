//! Moving on the browse and detail screens: selections in the lists, tabs,
//! older / newer snapshot, the Raw tab's load request, mouse clicks.

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};

use crate::config::keys;
use crate::tui::app::{App, Effect, Screen};
use crate::tui::keymap::Key;
use crate::tui::state::browse::Pane;
use crate::tui::state::detail::{self, Tab};
use crate::tui::ui::layout;

impl App {
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
