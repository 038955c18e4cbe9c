//! The configured dashboard of one project, evaluated from the catalog when
//! the screen opens and again when the index changes, with its tab and
//! scroll; and how panels pair up into screen rows.

use std::sync::Arc;

use crate::analysis::dashboard::{Dashboard, PanelSize, PanelView};

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
