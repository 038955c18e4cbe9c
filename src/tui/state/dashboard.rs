//! The configured dashboard of one project, evaluated from the catalog when
//! the screen opens and again when the index changes, with its tab, scroll
//! and keys; and how panels pair up into screen rows.

use std::sync::Arc;

use crate::analysis::dashboard::{Dashboard, PanelSize, PanelView};
use crate::index::ProjectEntry;
use crate::tui::keymap::{Action, Context};
use crate::tui::state::cursor::list_step;
use crate::tui::state::screen::Outcome;
use crate::tui::state::view::{Cx, View};

/// The configured dashboard of one project, evaluated.
#[derive(Debug, Clone)]
pub struct DashState {
    pub project_id: String,
    pub dashboard: Arc<Dashboard>,
    /// Evaluated panels, in `dashboard.panels` order.
    pub views: Vec<PanelView>,
    /// Selected tab.
    pub tab: usize,
    /// First panel row shown (rows of one full or two half panels).
    pub scroll: usize,
}

impl DashState {
    /// Evaluate a dashboard for a project, on its first tab.
    pub fn open(p: &ProjectEntry, dashboard: Arc<Dashboard>) -> DashState {
        let views = crate::analysis::dashboard::evaluate(&dashboard, p);
        DashState {
            project_id: p.project.id.clone(),
            dashboard,
            views,
            tab: 0,
            scroll: 0,
        }
    }

    /// Number of panel rows of the selected tab.
    pub fn row_count(&self) -> usize {
        panel_rows(&self.tab_views()).len()
    }

    /// Select the next (`d` = 1) or previous (-1) tab, wrapping, from its top.
    pub fn step_tab(&mut self, d: isize) {
        let n = self.dashboard.tabs.len().max(1) as isize;
        self.tab = ((self.tab as isize + d).rem_euclid(n)) as usize;
        self.scroll = 0;
    }

    /// The evaluated panels of the selected tab, in tab order.
    pub fn tab_views(&self) -> Vec<&PanelView> {
        let Some(tab) = self.dashboard.tabs.get(self.tab) else {
            return Vec::new();
        };
        tab.panel_ids
            .iter()
            .filter_map(|id| self.views.iter().find(|v| &v.id == id))
            .collect()
    }
}

impl View for DashState {
    fn context(&self) -> Context {
        Context::Dashboard
    }

    fn act(&mut self, a: Action, cx: &Cx) -> Option<Outcome> {
        let page = cx.rows;
        if let Some(d) = list_step(a, page) {
            self.move_by(d, cx);
            return Some(Outcome::Done);
        }
        match a {
            Action::Left | Action::PrevPane => self.step_tab(-1),
            Action::Right | Action::NextPane => self.step_tab(1),
            Action::PrevSnapshot
            | Action::NextSnapshot
            | Action::Enter
            | Action::SortDrift
            | Action::CycleWindow => {}
            _ => return None,
        }
        Some(Outcome::Done)
    }

    /// Scroll by `d` panel rows (clamped).
    fn move_by(&mut self, d: isize, _cx: &Cx) {
        let n = self.row_count();
        self.scroll = (self.scroll as isize + d).clamp(0, n.saturating_sub(1) as isize) as usize;
    }

    fn refresh(&mut self, cx: &Cx) {
        let catalog = cx.catalog;
        if let Some(p) = catalog.project(&self.project_id) {
            self.views = crate::analysis::dashboard::evaluate(&self.dashboard, p);
        }
    }

    /// The selected project's folder.
    fn copy(&self, cx: &Cx) -> Option<(&'static str, String)> {
        let p = cx.catalog.project(cx.project?)?;
        Some(("project folder", p.project.folder.display().to_string()))
    }
}

/// Panels grouped into screen rows: a full panel alone, half panels in pairs.
pub fn panel_rows<'a>(views: &[&'a PanelView]) -> Vec<Vec<&'a PanelView>> {
    let mut rows: Vec<Vec<&PanelView>> = Vec::new();
    for v in views {
        match v.size {
            PanelSize::Full => rows.push(vec![v]),
            PanelSize::Half => match rows.last_mut() {
                Some(r) if r.len() == 1 && r[0].size == PanelSize::Half => r.push(v),
                _ => rows.push(vec![v]),
            },
        }
    }
    rows
}
