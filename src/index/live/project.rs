//! A project as the live index keeps it: its folder, the record sent to
//! consumers, the parsed v2 `dashboard.json`, and whether it was announced.

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
    /// The parsed `dashboard.json` (v2), when present and usable.
    pub(super) v2_dashboard: Option<Arc<Dashboard>>,
    /// ProjectAdded has been sent.
    pub(super) announced: bool,
}

impl ProjectState {
    /// A project just listed, before its `metadata.json` is read.
    pub(super) fn new(dir: ProjectDir, opts: &ParseOptions) -> ProjectState {
        ProjectState {
            project: build_project(&dir, None, None, opts),
            dir,
            v2_dashboard: None,
            announced: false,
        }
    }

    /// Rebuild the record from `meta` (`None`: keep the metadata-derived
    /// fields when `metadata.json` is still tracked as good, else drop
    /// them). True when the record changed.
    pub(super) fn rebuild(
        &mut self,
        meta: Option<&ProjectMeta>,
        meta_tracked_good: bool,
        opts: &ParseOptions,
    ) -> bool {
        let v2 = self.v2_dashboard.clone();
        let new = match meta {
            Some(m) => build_project(&self.dir, Some(m), v2, opts),
            None if meta_tracked_good => {
                let mut p = self.project.clone();
                if v2.is_some() {
                    p.dashboard = v2;
                }
                p
            }
            None => build_project(&self.dir, None, v2, opts),
        };
        let changed = new != self.project;
        self.project = new;
        changed
    }
}

/// The project record of a folder (shared with the one-shot index).
fn build_project(
    pd: &ProjectDir,
    meta: Option<&ProjectMeta>,
    dashboard: Option<Arc<Dashboard>>,
    opts: &ParseOptions,
) -> Project {
    index::project_record(pd, meta, dashboard, opts.tz)
}
