//! The browse screen's state: which pane has the focus (Now panel,
//! projects, snapshots timeline), the selections (by id, so live insertions
//! never move the user) and the lists' offsets; the rows the filters leave,
//! the invariants re-established after a change, its keys and mouse clicks,
//! and what `y` copies there. The Now panel's own state is
//! [`crate::tui::state::now`].

use std::collections::{HashMap, HashSet};

use crate::text::sanitize::clean;

use crate::index::{Catalog, ProjectEntry, SnapshotEntry};
use crate::parse::TimeZoneChoice;
use crate::tui::fmt;
use crate::tui::keymap::Action;
use crate::tui::state::cursor::{list_step, Cursor};
use crate::tui::state::filter::{filter_lc, FilterTarget, Filters};
use crate::tui::state::screen::Outcome;
pub use crate::tui::state::screen::Pane;

/// The browse screen's state: the focused pane and the selections, kept by
/// id (the snapshot per project) with the lists' scroll offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowseState {
    pub focus: Pane,
    /// Selected project id.
    pub project_sel: Option<String>,
    pub project_offset: usize,
    /// Selected snapshot id per project.
    pub snapshot_sel: HashMap<String, String>,
    pub snapshot_offset: usize,
    /// The zone the timeline shows times in: the filter matches them as shown.
    pub tz: TimeZoneChoice,
    /// Per project, runs that arrived above the selection while it was not
    /// on the top row (the "N new above" marker); they go as the cursor
    /// reaches them.
    pub new_above: HashMap<String, Vec<String>>,
}

impl Default for BrowseState {
    fn default() -> Self {
        BrowseState {
            focus: Pane::Projects,
            project_sel: None,
            project_offset: 0,
            snapshot_sel: HashMap::new(),
            snapshot_offset: 0,
            tz: TimeZoneChoice::default(),
            new_above: HashMap::new(),
        }
    }
}

impl BrowseState {
    /// Projects shown in the projects pane, in order.
    pub fn visible_projects<'c>(
        &self,
        catalog: &'c Catalog,
        filters: &Filters,
    ) -> Vec<&'c ProjectEntry> {
        let f = filter_lc(filters, FilterTarget::Projects);
        catalog
            .projects()
            .into_iter()
            .filter(|p| {
                f.is_empty() || lc_contains(&p.project.name, &f) || lc_contains(&p.project.id, &f)
            })
            .collect()
    }

    /// Display width of the longest name in the projects pane (with the
    /// room of the new-run mark, `new_ids` being the runs not opened yet).
    pub fn longest_name(
        &self,
        catalog: &Catalog,
        filters: &Filters,
        new_ids: &HashSet<String>,
    ) -> usize {
        self.visible_projects(catalog, filters)
            .iter()
            .map(|p| {
                let mark = if p.snapshots.iter().any(|s| new_ids.contains(&s.snapshot.id)) {
                    2
                } else {
                    0
                };
                crate::text::width::width(&clean(&p.project.name)) + mark
            })
            .max()
            .unwrap_or(0)
    }

    /// Index of the selected project in [`BrowseState::visible_projects`].
    pub fn project_index(&self, catalog: &Catalog, filters: &Filters) -> Option<usize> {
        let id = self.project_sel.as_deref()?;
        self.visible_projects(catalog, filters)
            .iter()
            .position(|p| p.project.id == id)
    }

    /// The selected project.
    pub fn current_project<'c>(&self, catalog: &'c Catalog) -> Option<&'c ProjectEntry> {
        catalog.project(self.project_sel.as_deref()?)
    }

    /// Snapshots of the selected project shown in the timeline, newest first.
    pub fn visible_snapshots<'c>(
        &self,
        catalog: &'c Catalog,
        filters: &Filters,
    ) -> Vec<&'c SnapshotEntry> {
        let Some(p) = self.current_project(catalog) else {
            return Vec::new();
        };
        let f = filter_lc(filters, FilterTarget::Snapshots);
        p.snapshots
            .iter()
            .rev()
            .filter(|s| snapshot_matches(&s.snapshot, &f, self.tz))
            .collect()
    }

    /// Id of the selected snapshot in the selected project.
    pub fn selected_snapshot_id(&self) -> Option<&str> {
        let pid = self.project_sel.as_deref()?;
        self.snapshot_sel.get(pid).map(String::as_str)
    }

    /// Index of the selected snapshot in [`BrowseState::visible_snapshots`].
    pub fn snapshot_index(&self, catalog: &Catalog, filters: &Filters) -> Option<usize> {
        let id = self.selected_snapshot_id()?;
        self.visible_snapshots(catalog, filters)
            .iter()
            .position(|s| s.snapshot.id == id)
    }

    /// The selected snapshot.
    pub fn current_snapshot<'c>(&self, catalog: &'c Catalog) -> Option<&'c SnapshotEntry> {
        let p = self.current_project(catalog)?;
        let id = self.selected_snapshot_id()?;
        p.snapshots.iter().find(|s| s.snapshot.id == id)
    }

    /// Select a snapshot of a project.
    pub fn select(&mut self, project_id: &str, snapshot_id: &str) {
        self.project_sel = Some(project_id.to_string());
        self.snapshot_sel
            .insert(project_id.to_string(), snapshot_id.to_string());
    }

    /// Re-establish the selections: the selected ids exist and are visible
    /// (else the first row is chosen), the offsets keep them on screen in
    /// lists of `projects_page` and `snapshots_page` rows.
    pub fn fit(
        &mut self,
        catalog: &Catalog,
        filters: &Filters,
        projects_page: usize,
        snapshots_page: usize,
    ) {
        let projects = self.visible_projects(catalog, filters);
        let pidx = self
            .project_sel
            .as_deref()
            .and_then(|id| projects.iter().position(|p| p.project.id == id));
        if pidx.is_none() {
            self.project_sel = projects.first().map(|p| p.project.id.clone());
        }
        let mut c = Cursor {
            sel: self.project_index(catalog, filters).unwrap_or(0),
            offset: self.project_offset,
        };
        c.fit(projects.len(), projects_page);
        self.project_offset = c.offset;

        let snaps = self.visible_snapshots(catalog, filters);
        let sidx = self
            .selected_snapshot_id()
            .and_then(|id| snaps.iter().position(|s| s.snapshot.id == id));
        if sidx.is_none() {
            if let Some(pid) = self.project_sel.clone() {
                match snaps.first() {
                    Some(s) => {
                        self.snapshot_sel.insert(pid, s.snapshot.id.clone());
                    }
                    None => {
                        self.snapshot_sel.remove(&pid);
                    }
                }
            }
        }
        let mut c = Cursor {
            sel: self.snapshot_index(catalog, filters).unwrap_or(0),
            offset: self.snapshot_offset,
        };
        c.fit(snaps.len(), snapshots_page);
        self.snapshot_offset = c.offset;
        if !self.new_above.is_empty() {
            self.prune_new_above(catalog, filters);
        }
    }

    /// A project's runs as its timeline shows them (newest first, the
    /// snapshot filter applied).
    fn timeline_of<'c>(
        catalog: &'c Catalog,
        filters: &Filters,
        tz: TimeZoneChoice,
        pid: &str,
    ) -> Vec<&'c SnapshotEntry> {
        let f = filter_lc(filters, FilterTarget::Snapshots);
        catalog.project(pid).map_or_else(Vec::new, |p| {
            p.snapshots
                .iter()
                .rev()
                .filter(|s| snapshot_matches(&s.snapshot, &f, tz))
                .collect()
        })
    }

    /// Projects whose selection is on the top (newest) row of their
    /// timeline: such a selection follows the newest run as runs arrive.
    pub fn on_newest(&self, catalog: &Catalog, filters: &Filters) -> Vec<String> {
        let tz = self.tz;
        self.snapshot_sel
            .iter()
            .filter(|(pid, id)| {
                Self::timeline_of(catalog, filters, tz, pid)
                    .first()
                    .is_some_and(|e| e.snapshot.id == **id)
            })
            .map(|(pid, _)| pid.clone())
            .collect()
    }

    /// Select the top (newest) row of each of these projects' timelines.
    pub fn follow_newest(&mut self, catalog: &Catalog, filters: &Filters, projects: Vec<String>) {
        let tz = self.tz;
        for pid in projects {
            if let Some(top) = Self::timeline_of(catalog, filters, tz, &pid).first() {
                let id = top.snapshot.id.clone();
                self.snapshot_sel.insert(pid, id);
            }
        }
    }

    /// Runs that just arrived, (project id, snapshot id): those above a
    /// project's selection join its "new above" count.
    pub fn arrived(&mut self, catalog: &Catalog, filters: &Filters, runs: Vec<(String, String)>) {
        let tz = self.tz;
        for (pid, id) in runs {
            let rows = Self::timeline_of(catalog, filters, tz, &pid);
            let Some(sel) = self.snapshot_sel.get(&pid) else {
                continue;
            };
            let pos = |x: &str| rows.iter().position(|e| e.snapshot.id == x);
            if let (Some(i), Some(s)) = (pos(&id), pos(sel)) {
                if i < s {
                    let v = self.new_above.entry(pid).or_default();
                    if !v.contains(&id) {
                        v.push(id);
                    }
                }
            }
        }
        self.prune_new_above(catalog, filters);
    }

    /// Forget new runs the selection reached (or that went away).
    fn prune_new_above(&mut self, catalog: &Catalog, filters: &Filters) {
        let tz = self.tz;
        let sel = &self.snapshot_sel;
        self.new_above.retain(|pid, ids| {
            let rows = Self::timeline_of(catalog, filters, tz, pid);
            let pos = |x: &str| rows.iter().position(|e| e.snapshot.id == x);
            let Some(s) = sel.get(pid).and_then(|x| pos(x)) else {
                return false;
            };
            ids.retain(|id| pos(id).is_some_and(|i| i < s));
            !ids.is_empty()
        });
    }

    /// New runs above the selection in the selected project's timeline.
    pub fn new_above_count(&self) -> usize {
        self.project_sel
            .as_deref()
            .and_then(|p| self.new_above.get(p))
            .map_or(0, Vec::len)
    }

    /// Keep the selected snapshot `row` rows below the top of a timeline of
    /// `page` rows.
    pub fn keep_row(&mut self, row: usize, catalog: &Catalog, filters: &Filters, page: usize) {
        if let Some(i) = self.snapshot_index(catalog, filters) {
            self.snapshot_offset = i.saturating_sub(row);
            let len = self.visible_snapshots(catalog, filters).len();
            let mut c = Cursor {
                sel: i,
                offset: self.snapshot_offset,
            };
            c.fit(len, page);
            self.snapshot_offset = c.offset;
        }
    }

    /// Move the focused list's selection (projects or snapshots) by `d`
    /// rows, clamped. Returns false when the list is empty.
    pub fn move_by(&mut self, d: isize, catalog: &Catalog, filters: &Filters) -> bool {
        match self.focus {
            Pane::Now => false,
            Pane::Projects => {
                let v = self.visible_projects(catalog, filters);
                if v.is_empty() {
                    return false;
                }
                let i = self.project_index(catalog, filters).unwrap_or(0);
                let j = (i as isize)
                    .saturating_add(d)
                    .clamp(0, v.len() as isize - 1) as usize;
                let id = &v[j].project.id;
                if self.project_sel.as_deref() != Some(id.as_str()) {
                    self.project_sel = Some(id.clone());
                    self.snapshot_offset = 0;
                }
                true
            }
            Pane::Snapshots => {
                let v = self.visible_snapshots(catalog, filters);
                if v.is_empty() {
                    return false;
                }
                let i = self.snapshot_index(catalog, filters).unwrap_or(0);
                let j = (i as isize)
                    .saturating_add(d)
                    .clamp(0, v.len() as isize - 1) as usize;
                let id = v[j].snapshot.id.clone();
                if let Some(pid) = self.project_sel.clone() {
                    self.snapshot_sel.insert(pid, id);
                }
                true
            }
        }
    }

    /// Select the `d`-th older (+) or newer (-) snapshot; its id when the
    /// selection moved.
    pub fn step_snapshot(
        &mut self,
        d: isize,
        catalog: &Catalog,
        filters: &Filters,
    ) -> Option<String> {
        let snaps = self.visible_snapshots(catalog, filters);
        let i = self.snapshot_index(catalog, filters)?;
        let j = (i as isize + d).clamp(0, snaps.len() as isize - 1) as usize;
        if j == i {
            return None;
        }
        let id = snaps[j].snapshot.id.clone();
        if let Some(pid) = self.project_sel.clone() {
            self.snapshot_sel.insert(pid, id.clone());
        }
        Some(id)
    }

    /// A key on the browse screen (the Now panel's own keys aside; `failing`
    /// says whether the Now panel shows anything, `page` is the focused
    /// list's height); `None` leaves it to the general handler.
    pub fn act(
        &mut self,
        a: Action,
        catalog: &Catalog,
        filters: &Filters,
        page: usize,
        failing: bool,
    ) -> Option<Outcome> {
        if self.focus != Pane::Now {
            if let Some(d) = list_step(a, page) {
                let moved = self.move_by(d, catalog, filters);
                return Some(if moved { Outcome::Refit } else { Outcome::Done });
            }
        }
        self.focus = match (a, self.focus) {
            (Action::PrevPane, Pane::Projects) if failing => Pane::Now,
            (Action::PrevPane, Pane::Now) => Pane::Snapshots,
            (Action::Left | Action::PrevPane, _) => Pane::Projects,
            (Action::NextPane, Pane::Snapshots) if failing => Pane::Now,
            (Action::NextPane, Pane::Snapshots | Pane::Now) => Pane::Projects,
            (Action::Right | Action::NextPane, _) => Pane::Snapshots,
            (Action::Enter, Pane::Projects) => Pane::Snapshots,
            (Action::Enter, Pane::Snapshots) => return Some(Outcome::OpenDetail),
            _ => return None,
        };
        Some(Outcome::Done)
    }

    /// A click on the projects or snapshots pane, on row `line` of its list
    /// when it hit one: focus the pane and select the row; a click on the
    /// selected snapshot opens it.
    pub fn click(
        &mut self,
        pane: Pane,
        line: Option<usize>,
        catalog: &Catalog,
        filters: &Filters,
    ) -> Outcome {
        self.focus = pane;
        let Some(line) = line else {
            return Outcome::Done;
        };
        let (target, cur, len) = match pane {
            Pane::Now => return Outcome::Done,
            Pane::Projects => (
                self.project_offset + line,
                self.project_index(catalog, filters).unwrap_or(0),
                self.visible_projects(catalog, filters).len(),
            ),
            Pane::Snapshots => (
                self.snapshot_offset + line,
                self.snapshot_index(catalog, filters).unwrap_or(0),
                self.visible_snapshots(catalog, filters).len(),
            ),
        };
        if target >= len {
            return Outcome::Done;
        }
        if pane == Pane::Snapshots && target == cur {
            return Outcome::OpenDetail;
        }
        if self.move_by(target as isize - cur as isize, catalog, filters) {
            Outcome::Refit
        } else {
            Outcome::Done
        }
    }

    /// Esc with no filter to clear: back to the projects pane.
    pub fn back(&mut self) {
        if matches!(self.focus, Pane::Snapshots | Pane::Now) {
            self.focus = Pane::Projects;
        }
    }

    /// What `y` copies on the projects and snapshots panes.
    pub fn copy(&self, catalog: &Catalog) -> Option<(&'static str, String)> {
        match self.focus {
            Pane::Now => None,
            Pane::Projects => Some((
                "project folder",
                self.current_project(catalog)?
                    .project
                    .folder
                    .display()
                    .to_string(),
            )),
            Pane::Snapshots => Some((
                "snapshot path",
                self.current_snapshot(catalog)?.path.display().to_string(),
            )),
        }
    }
}

pub(crate) fn lc_contains(hay: &str, needle_lc: &str) -> bool {
    hay.to_lowercase().contains(needle_lc)
}

/// True when a snapshot matches a filter text (name, id, kind, tags, metadata keys and values).
pub fn snapshot_matches(s: &crate::model::Snapshot, needle_lc: &str, tz: TimeZoneChoice) -> bool {
    if needle_lc.is_empty() {
        return true;
    }
    // The time as the timeline shows it (`2024-08-30 02:13`; the narrow
    // `08-30 02:13` is a part of it).
    if fmt::time(tz, s.timestamp, "%Y-%m-%d %H:%M").contains(needle_lc)
        || s.name.as_deref().is_some_and(|n| lc_contains(n, needle_lc))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panes_cycle_through_now_only_when_something_fails() {
        let (c, f) = (Catalog::new(), Filters::new());
        let mut b = BrowseState::default();
        let step = |b: &mut BrowseState, a, failing| {
            b.act(a, &c, &f, 10, failing);
            b.focus
        };
        assert_eq!(step(&mut b, Action::NextPane, false), Pane::Snapshots);
        assert_eq!(step(&mut b, Action::NextPane, false), Pane::Projects);
        assert_eq!(step(&mut b, Action::PrevPane, true), Pane::Now);
        assert_eq!(step(&mut b, Action::PrevPane, true), Pane::Snapshots);
        assert_eq!(step(&mut b, Action::NextPane, true), Pane::Now);
        assert_eq!(step(&mut b, Action::NextPane, true), Pane::Projects);
        assert_eq!(step(&mut b, Action::Enter, false), Pane::Snapshots);
        assert_eq!(
            b.act(Action::Enter, &c, &f, 10, false),
            Some(Outcome::OpenDetail)
        );
        b.back();
        assert_eq!(b.focus, Pane::Projects);
    }
}
