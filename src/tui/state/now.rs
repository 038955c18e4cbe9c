//! The Now panel: projects whose latest run with tests has FAIL / ERROR, and
//! projects that cannot be read (with why), recomputed from the catalog when
//! the index changes (its cursor kept); moving in it, Enter on it and what
//! `y` copies there.

use chrono::{DateTime, Utc};

use crate::analysis::triage::ProjectHealth;
use crate::index::Catalog;
use crate::text::sanitize::clean;
use crate::tui::state::cursor::Cursor;
use crate::tui::state::screen::Outcome;

/// One selectable line of the Now panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NowItem {
    /// A failing project (index into `NowState::failing`).
    Project(usize),
    /// One of its failing tests (project index, test index).
    Test(usize, usize),
}

/// The Now panel: projects whose latest run with tests has FAIL / ERROR, and
/// projects that exist but hold no readable run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NowState {
    /// Failing projects, worst first, then most recent run first; the
    /// unreadable ones (their `problem` set) after them.
    pub failing: Vec<ProjectHealth>,
    /// Number of projects.
    pub projects: usize,
    /// Newest snapshot of any project, runs dated in the future left out.
    pub newest: Option<DateTime<Utc>>,
    /// Runs dated more than a day ahead of the clock, in all projects.
    pub future_dated: usize,
    pub cursor: Cursor,
}

impl NowState {
    /// Compute from the catalog.
    pub fn build(catalog: &Catalog, now: DateTime<Utc>) -> NowState {
        let all = crate::analysis::triage::health(catalog, Default::default(), now);
        let projects = all.len();
        let newest = all.iter().filter_map(|h| h.newest).max();
        let future_dated = all.iter().map(|h| h.future_dated.len()).sum();
        NowState {
            failing: all
                .into_iter()
                .filter(|h| !h.failing.is_empty() || h.problem.is_some())
                .collect(),
            projects,
            newest,
            future_dated,
            cursor: Cursor::default(),
        }
    }

    /// Compute again after the index changed, keeping the cursor.
    pub fn refresh(&mut self, catalog: &Catalog, now: DateTime<Utc>) {
        let cursor = self.cursor;
        *self = NowState::build(catalog, now);
        self.cursor = cursor;
    }

    /// Move the selection by `d` lines in a panel of `rows` lines.
    pub fn move_by(&mut self, d: isize, rows: usize) {
        let n = self.items(true).len();
        self.cursor.step(d, n, rows);
    }

    /// Keep the selection inside the items, in a panel of `rows` lines.
    pub fn fit(&mut self, rows: usize) {
        let n = self.items(true).len();
        self.cursor.fit(n, rows);
    }

    /// A click on line `line` of the panel: the item drawn there (every
    /// item when `focused`, one line per project otherwise) is selected.
    pub fn click(&mut self, line: usize, focused: bool) {
        let items = self.items(true);
        let target = if focused {
            Some(self.cursor.offset + line).filter(|t| *t < items.len())
        } else {
            items.iter().position(|i| *i == NowItem::Project(line))
        };
        if let Some(t) = target {
            self.cursor.sel = t;
        }
    }

    /// The project of the selected line.
    pub fn selected_health(&self) -> Option<&ProjectHealth> {
        match self.items(true).get(self.cursor.sel)? {
            NowItem::Project(i) | NowItem::Test(i, _) => self.failing.get(*i),
        }
    }

    /// Enter: the selected project's latest run on its Tests tab, on the
    /// selected failing test (the first one for a project line).
    pub fn enter(&self) -> Outcome {
        let Some(item) = self.items(true).get(self.cursor.sel).copied() else {
            return Outcome::Done;
        };
        let (pi, ti) = match item {
            NowItem::Project(i) => (i, 0),
            NowItem::Test(i, t) => (i, t),
        };
        let Some(h) = self.failing.get(pi) else {
            return Outcome::Done;
        };
        if let Some(u) = &h.problem {
            return Outcome::Say(format!(
                "{} cannot be read: {} (u lists unreadable files)",
                clean(&h.name),
                clean(&u.reason)
            ));
        }
        match h.snapshot_id.clone() {
            Some(snapshot) => Outcome::JumpToTest {
                project: h.project_id.clone(),
                snapshot,
                identity: h.failing.get(ti).map(|f| f.identity.to_string()),
            },
            None => Outcome::Done,
        }
    }

    /// What `y` copies: the selected project, its run and failing tests.
    pub fn copy(&self) -> Option<(&'static str, String)> {
        let h = self.selected_health()?;
        let mut tests: Vec<String> = h
            .failing
            .iter()
            .map(|f| format!("{} {}", f.status, f.name))
            .collect();
        if let Some(u) = &h.problem {
            tests.push(format!("UNREADABLE {}: {}", u.path.display(), u.reason));
        }
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

    /// Selectable lines: each project, and its failing tests when `expanded`.
    pub fn items(&self, expanded: bool) -> Vec<NowItem> {
        let mut v = Vec::new();
        for (i, h) in self.failing.iter().enumerate() {
            v.push(NowItem::Project(i));
            if expanded {
                v.extend((0..h.failing.len()).map(|t| NowItem::Test(i, t)));
            }
        }
        v
    }

    /// Since when the project fails: the first run of its current streak of
    /// runs with FAIL/ERROR (the run rule, as `check` says it).
    pub fn since(h: &ProjectHealth) -> Option<DateTime<Utc>> {
        h.streak.failing_since.as_ref().map(|r| r.timestamp)
    }
}
