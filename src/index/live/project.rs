//! A project as the live index keeps it: its folder, the record sent to
//! consumers, and what the record is built from (the last good
//! `metadata.json` and v2 `dashboard.json`), and whether it was announced.

use std::sync::Arc;

use crate::index;
use crate::index::scan::ProjectDir;
use crate::model::dashboard::Dashboard;
use crate::model::Project;
use crate::parse::{ParseOptions, ProjectMeta};

/// One project folder being followed.
pub(super) struct ProjectState {
    pub(super) dir: ProjectDir,
    pub(super) project: Project,
    /// The last good `metadata.json`; `None` when it is missing or broken
    /// for good (the record is then named after the folder, as a fresh
    /// index names it).
    pub(super) meta: Option<ProjectMeta>,
    /// The parsed `dashboard.json` (v2), when present and usable.
    pub(super) v2_dashboard: Option<Arc<Dashboard>>,
    /// ProjectAdded has been sent.
    pub(super) announced: bool,
}

impl ProjectState {
    /// A project just listed, before its `metadata.json` is read.
    pub(super) fn new(dir: ProjectDir, opts: &ParseOptions) -> ProjectState {
        ProjectState {
            project: index::project_record(&dir, None, None, opts.tz),
            dir,
            meta: None,
            v2_dashboard: None,
            announced: false,
        }
    }

    /// Rebuild the record from the folder, `meta` and `v2_dashboard`, with
    /// the one-shot index's rules. True when the record changed.
    pub(super) fn rebuild(&mut self, opts: &ParseOptions) -> bool {
        let new = index::project_record(
            &self.dir,
            self.meta.as_ref(),
            self.v2_dashboard.clone(),
            opts.tz,
        );
        let changed = new != self.project;
        self.project = new;
        changed
    }
}
