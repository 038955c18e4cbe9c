//! The trend screen's state: the time window, the series picked (at most
//! [`MAX_SERIES`]), their points loaded from the catalog, the series picker
//! and the cursor (kept by snapshot id across window changes and updates);
//! its keys, the snapshot it points at and what `y` copies there.

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::analysis::history::Window;
use crate::analysis::series::{rank, RankedSeries, SeriesGroup};
use crate::index::Catalog;
use crate::tui::fmt;
use crate::tui::keymap::{Action, Context};
use crate::tui::state::cursor::Cursor;
use crate::tui::state::filter::picker_matches;
use crate::tui::state::screen::Outcome;
pub use crate::tui::state::view::TimeWindow;
use crate::tui::state::view::{Cx, View};

/// Most series overlaid in one chart.
pub const MAX_SERIES: usize = 4;

/// One point of a trend line.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendPoint {
    pub t: DateTime<Utc>,
    /// `None` for null / NaN in the file (not drawn, but the cursor stops there).
    pub value: Option<f64>,
    pub snapshot_id: String,
    /// The snapshot had a FAIL or ERROR test.
    pub failing: bool,
}

/// A series shown in the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendSeries {
    /// The series key (raw: sanitize before display).
    pub key: String,
    /// All points, in time order (the window is applied when drawing).
    pub points: Vec<TrendPoint>,
}

impl TrendSeries {
    /// Points of the series for one key of a project, from [`Catalog::trend`].
    pub fn load(catalog: &Catalog, project_id: &str, key: &str) -> TrendSeries {
        let points = catalog
            .trend(project_id, key)
            .into_iter()
            .map(|(s, v)| TrendPoint {
                t: s.timestamp,
                value: v.filter(|x| x.is_finite()),
                snapshot_id: s.id.clone(),
                failing: crate::analysis::compare::failed(s),
            })
            .collect();
        TrendSeries {
            key: key.to_string(),
            points,
        }
    }

    /// The index range of points inside a window.
    pub fn range(&self, w: &Window) -> std::ops::Range<usize> {
        let start = match w.since {
            Some(s) => self.points.partition_point(|p| p.t < s),
            None => 0,
        };
        let end = match w.until {
            Some(u) => self.points.partition_point(|p| p.t <= u),
            None => self.points.len(),
        };
        start..end.max(start)
    }
}

/// The searchable list of series keys.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Picker {
    pub text: String,
    pub cursor: Cursor,
}

/// What a key in the series picker asks of the rest of the explorer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickerKey {
    /// The picker's text or cursor changed (or nothing happened).
    Edited,
    /// Ctrl-C: leave the explorer.
    Quit,
    /// Add or remove this series; `keep_open` (Tab) keeps picking.
    Toggle { key: String, keep_open: bool },
    /// Esc with no series picked: back to where the trend was opened from.
    Leave,
}

/// The trend view of one project.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendState {
    pub project_id: String,
    /// Every series key of the project with its number of points and
    /// group, in picker order (see [`crate::analysis::series`]).
    pub keys: Vec<RankedSeries>,
    /// Open while picking series.
    pub picker: Option<Picker>,
    /// Selected series (at most [`MAX_SERIES`]).
    pub series: Vec<TrendSeries>,
    /// The series the cursor walks.
    pub active: usize,
    /// Snapshot id under the cursor (kept across window changes and updates).
    pub cursor_id: Option<String>,
}

impl TrendState {
    /// The window `tw` anchored on the project's newest snapshot.
    pub fn window(&self, catalog: &Catalog, tw: TimeWindow) -> Window {
        let anchor = catalog
            .project(&self.project_id)
            .and_then(|p| p.latest())
            .map(|e| e.snapshot.timestamp);
        tw.window(anchor)
    }

    /// Open for a project: `current` reloaded when it shows that project,
    /// else a fresh view with the picker open. Fails when the project has
    /// no numeric series.
    pub fn open(
        current: &mut Option<TrendState>,
        catalog: &Catalog,
        project_id: &str,
    ) -> Result<(), &'static str> {
        if let Some(t) = current.as_mut().filter(|t| t.project_id == project_id) {
            t.reload(catalog);
            return Ok(());
        }
        let keys = ranked(catalog, project_id);
        if keys.is_empty() {
            return Err("no numeric series in this project");
        }
        *current = Some(TrendState {
            project_id: project_id.to_string(),
            keys,
            picker: Some(Picker::default()),
            series: Default::default(),
            active: 0,
            cursor_id: None,
        });
        Ok(())
    }

    /// A key while the picker is open: edits the picker, toggles a series
    /// (closing the picker unless Tab kept it open), or leaves. The router
    /// re-fits selections after it.
    pub fn on_picker_key(&mut self, k: KeyEvent, rows: usize, catalog: &Catalog) -> Outcome {
        match self.picker_key(k, rows) {
            PickerKey::Quit => Outcome::Quit,
            PickerKey::Edited => Outcome::Done,
            PickerKey::Toggle { key, keep_open } => {
                let said = self.toggle_series(catalog, &key);
                if !keep_open && !self.series.is_empty() {
                    self.picker = None;
                }
                said.unwrap_or(Outcome::Done)
            }
            PickerKey::Leave => Outcome::Back,
        }
    }

    /// Add a series to the chart, or remove it when it is there; a message
    /// when the chart is full.
    pub fn toggle_series(&mut self, catalog: &Catalog, key: &str) -> Option<Outcome> {
        if let Some(i) = self.series.iter().position(|s| s.key == key) {
            self.series.remove(i);
            self.active = self.active.min(self.series.len().saturating_sub(1));
            return None;
        }
        if self.series.len() >= MAX_SERIES {
            return Some(Outcome::Say(format!(
                "at most {MAX_SERIES} series: remove one first (Enter on it, or x)"
            )));
        }
        self.series
            .push(TrendSeries::load(catalog, &self.project_id, key));
        self.active = self.series.len() - 1;
        None
    }

    /// Keys matching the picker's text, in picker order.
    pub fn picker_keys(&self) -> Vec<&RankedSeries> {
        let f = self
            .picker
            .as_ref()
            .map(|p| p.text.to_lowercase())
            .unwrap_or_default();
        self.keys
            .iter()
            .filter(|k| picker_matches(&k.key, &f))
            .collect()
    }

    /// The picker's rows: a heading (with its number of matching keys)
    /// above each non-empty group, then its keys. The cursor indexes these
    /// rows and never rests on a heading.
    pub fn picker_rows(&self) -> Vec<PickerRow<'_>> {
        let keys = self.picker_keys();
        let mut rows = Vec::with_capacity(keys.len() + 5);
        let mut i = 0;
        while i < keys.len() {
            let g = keys[i].group;
            let n = keys[i..].iter().take_while(|k| k.group == g).count();
            rows.push(PickerRow::Heading(g, n));
            rows.extend(keys[i..i + n].iter().map(|k| PickerRow::Key(k)));
            i += n;
        }
        rows
    }

    /// Put the picker's cursor on a key row: from a heading, step in
    /// direction `d` (then the other way when there is none).
    fn settle(&mut self, d: isize) {
        let heads: Vec<bool> = self
            .picker_rows()
            .iter()
            .map(|r| matches!(r, PickerRow::Heading(..)))
            .collect();
        let Some(p) = &mut self.picker else { return };
        if heads.is_empty() {
            p.cursor.sel = 0;
            return;
        }
        let mut i = p.cursor.sel.min(heads.len() - 1);
        let dir = if d < 0 { -1 } else { 1 };
        for dir in [dir, -dir] {
            let mut j = i as isize;
            while j >= 0 && (j as usize) < heads.len() && heads[j as usize] {
                j += dir;
            }
            if j >= 0 && (j as usize) < heads.len() {
                i = j as usize;
                break;
            }
        }
        p.cursor.sel = i;
    }

    /// Index (into the active series' points) of the cursor inside window `w`:
    /// the point of `cursor_id`, else the newest.
    pub fn cursor_index(&self, w: &Window) -> Option<usize> {
        let s = self.series.get(self.active)?;
        let r = s.range(w);
        if r.is_empty() {
            return None;
        }
        let found = self
            .cursor_id
            .as_deref()
            .and_then(|id| s.points[r.clone()].iter().position(|p| p.snapshot_id == id));
        Some(r.start + found.unwrap_or(r.len() - 1))
    }

    /// Move the cursor by `d` points, inside window `w`.
    pub fn move_cursor(&mut self, d: isize, w: &Window) {
        let Some(cur) = self.cursor_index(w) else {
            return;
        };
        let Some(s) = self.series.get(self.active) else {
            return;
        };
        let r = s.range(w);
        let j = (cur as isize)
            .saturating_add(d)
            .clamp(r.start as isize, r.end as isize - 1) as usize;
        self.cursor_id = s.points.get(j).map(|p| p.snapshot_id.clone());
    }

    /// Make the next (`d` = 1) or previous (-1) series active, keeping the
    /// cursor near the same time.
    pub fn switch_series(&mut self, d: isize, w: &Window) {
        let cur = self.cursor_index(w);
        let n = self.series.len().max(1) as isize;
        let at = cur
            .and_then(|i| self.series.get(self.active)?.points.get(i))
            .map(|p| p.t);
        self.active = ((self.active as isize + d).rem_euclid(n)) as usize;
        if let (Some(at), Some(s)) = (at, self.series.get(self.active)) {
            let r = s.range(w);
            let pts = &s.points[r.clone()];
            if !pts.is_empty() {
                let k = pts.partition_point(|p| p.t < at).min(pts.len() - 1);
                self.cursor_id = Some(pts[k].snapshot_id.clone());
            }
        }
    }

    /// A key while the series picker is open (it takes typing like a
    /// filter); `rows` is the height of its list.
    pub fn picker_key(&mut self, k: KeyEvent, rows: usize) -> PickerKey {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        let sel_key = match self.picker_rows().get(p_sel(self)) {
            Some(PickerRow::Key(k)) => Some(k.key.clone()),
            _ => None,
        };
        let Some(p) = &mut self.picker else {
            return PickerKey::Edited;
        };
        // Typing always searches (`j` and `k` are letters here); only arrows,
        // PageUp/PageDown, Home/End and Ctrl-N/Ctrl-P move.
        let up = matches!(k.code, KeyCode::Up | KeyCode::PageUp | KeyCode::Home)
            || (ctrl && k.code == KeyCode::Char('p'));
        match k.code {
            KeyCode::Char('c') if ctrl => return PickerKey::Quit,
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
                self.picker = None;
                if self.series.is_empty() {
                    return PickerKey::Leave;
                }
            }
            KeyCode::Enter | KeyCode::Tab => {
                if let Some(key) = sel_key {
                    return PickerKey::Toggle {
                        key,
                        keep_open: k.code == KeyCode::Tab,
                    };
                }
            }
            _ => {}
        }
        self.settle(if up { -1 } else { 1 });
        PickerKey::Edited
    }

    /// Reload keys and points after the index changed.
    pub fn reload(&mut self, catalog: &Catalog) {
        self.keys = ranked(catalog, &self.project_id);
        for s in &mut self.series {
            *s = TrendSeries::load(catalog, &self.project_id, &s.key);
        }
    }
}

impl View for TrendState {
    fn context(&self) -> Context {
        Context::Trend
    }

    /// A key on the chart (picker closed).
    fn act(&mut self, a: Action, cx: &Cx) -> Option<Outcome> {
        let w = &self.window(cx.catalog, cx.window);
        match a {
            Action::Left => self.move_cursor(-1, w),
            Action::Right => self.move_cursor(1, w),
            Action::PageUp | Action::PageDown => {
                let n = self.series.get(self.active).map_or(0, |s| s.range(w).len());
                let step = (n / 10).max(1) as isize;
                self.move_cursor(if a == Action::PageUp { -step } else { step }, w);
            }
            Action::Top => self.move_cursor(isize::MIN / 2, w),
            Action::Bottom => self.move_cursor(isize::MAX / 2, w),
            Action::Up | Action::Down | Action::NextPane | Action::PrevPane => {
                let d = if matches!(a, Action::Up | Action::PrevPane) {
                    -1
                } else {
                    1
                };
                self.switch_series(d, w);
            }
            Action::CycleWindow => return Some(Outcome::CycleWindow),
            Action::PickSeries | Action::Filter => {
                self.picker = Some(Picker::default());
                return Some(Outcome::Refit);
            }
            Action::RemoveSeries => {
                if self.active < self.series.len() {
                    self.series.remove(self.active);
                }
                self.active = self.active.min(self.series.len().saturating_sub(1));
                if self.series.is_empty() {
                    self.picker = Some(Picker::default());
                }
                return Some(Outcome::Refit);
            }
            Action::Enter => {
                if let Some((project, snapshot)) = self.focused(cx) {
                    return Some(Outcome::OpenSnapshot {
                        project,
                        snapshot,
                        tab: None,
                    });
                }
            }
            Action::SortDrift | Action::PrevSnapshot | Action::NextSnapshot => {}
            _ => return None,
        }
        Some(Outcome::Done)
    }

    fn takes_typing(&self) -> bool {
        self.picker.is_some()
    }

    fn typed(&mut self, k: KeyEvent, cx: &Cx) -> Outcome {
        self.on_picker_key(k, cx.rows, cx.catalog)
    }

    fn move_by(&mut self, d: isize, cx: &Cx) {
        let w = self.window(cx.catalog, cx.window);
        self.move_cursor(d, &w);
    }

    fn fit(&mut self, cx: &Cx) {
        let rows = cx.rows;
        let n = self.picker_rows().len();
        self.settle(1);
        if let Some(p) = &mut self.picker {
            p.cursor.fit(n, rows);
        }
        self.active = self.active.min(self.series.len().saturating_sub(1));
    }

    fn refresh(&mut self, cx: &Cx) {
        self.reload(cx.catalog);
    }

    fn focused(&self, cx: &Cx) -> Option<(String, String)> {
        cx.project?;
        let w = &self.window(cx.catalog, cx.window);
        let i = self.cursor_index(w)?;
        let p = self.series.get(self.active)?.points.get(i)?;
        Some((self.project_id.clone(), p.snapshot_id.clone()))
    }

    fn copy(&self, cx: &Cx) -> Option<(&'static str, String)> {
        let (w, tz) = (&self.window(cx.catalog, cx.window), cx.tz);
        let s = self.series.get(self.active)?;
        let p = s.points.get(self.cursor_index(w)?)?;
        Some((
            "point",
            format!(
                "{}\t{}\t{}\t{}",
                fmt::time(tz, p.t, "%Y-%m-%d %H:%M:%S %:z"),
                s.key,
                p.value
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| "null".into()),
                p.snapshot_id
            ),
        ))
    }
}

/// One row of the series picker.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PickerRow<'a> {
    /// A group's heading and how many of its keys match the search.
    Heading(SeriesGroup, usize),
    Key(&'a RankedSeries),
}

/// The project's series keys in picker order.
fn ranked(catalog: &Catalog, project_id: &str) -> Vec<RankedSeries> {
    catalog.project(project_id).map(rank).unwrap_or_default()
}

fn p_sel(t: &TrendState) -> usize {
    t.picker.as_ref().map_or(0, |p| p.cursor.sel)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn window_cycle_and_bounds() {
        let mut w = TimeWindow::All;
        let mut seen = Vec::new();
        for _ in 0..5 {
            seen.push(w.label());
            w = w.next();
        }
        assert_eq!(seen, ["all", "90d", "30d", "7d", "24h"]);
        assert_eq!(w, TimeWindow::All);
        let a = DateTime::parse_from_rfc3339("2024-04-02T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let win = TimeWindow::Days7.window(Some(a));
        assert!(win.contains(a - Duration::days(7)));
        assert!(!win.contains(a - Duration::days(7) - Duration::seconds(1)));
        assert_eq!(TimeWindow::All.window(Some(a)), Window::ALL);
    }
}
