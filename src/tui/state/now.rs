//! The Now panel: projects whose latest run with tests has FAIL / ERROR,
//! recomputed from the catalog when the index changes.

use chrono::{DateTime, Utc};

use crate::analysis::triage::ProjectHealth;
use crate::index::Catalog;
use crate::tui::state::cursor::Cursor;

/// One selectable line of the Now panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NowItem {
    /// A failing project (index into `NowState::failing`).
    Project(usize),
    /// One of its failing tests (project index, test index).
    Test(usize, usize),
}

/// The Now panel: projects whose latest run with tests has FAIL / ERROR.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NowState {
    /// Failing projects, worst first, then most recent run first.
    pub failing: Vec<ProjectHealth>,
    /// Number of projects.
    pub projects: usize,
    /// Newest snapshot of any project.
    pub newest: Option<DateTime<Utc>>,
    pub cursor: Cursor,
}

impl NowState {
    /// Compute from the catalog.
    pub fn build(catalog: &Catalog, now: DateTime<Utc>) -> NowState {
        let all = crate::analysis::triage::health(catalog, Default::default(), now);
        let projects = all.len();
        let newest = all.iter().filter_map(|h| h.newest).max();
        NowState {
            failing: all.into_iter().filter(|h| !h.failing.is_empty()).collect(),
            projects,
            newest,
            cursor: Cursor::default(),
        }
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

    /// When the longest-failing of a project's tests started failing.
    pub fn since(h: &ProjectHealth) -> Option<DateTime<Utc>> {
        h.failing.iter().filter_map(|f| f.failing_since).min()
    }
}
