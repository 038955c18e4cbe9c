//! What `y` copies on each screen, and saying so.

use chrono::{DateTime, Utc};

use crate::text::sanitize::clean;
use crate::tui::app::{App, Effect, Screen};
use crate::tui::state::browse::Pane;
use crate::tui::state::detail::Tab;
use crate::tui::state::filter::FilterTarget;

impl App {
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
            Screen::Detail => match self.tab {
                Tab::Tests => {
                    let t = self.test_rows().get(self.tests.sel).copied()?;
                    Some((
                        "test",
                        format!(
                            "{}\t{}\t{}\t{}\t{}",
                            t.status,
                            t.name,
                            t.column.as_deref().unwrap_or(""),
                            t.value.map(crate::tui::fmt::num).unwrap_or_default(),
                            t.description
                        ),
                    ))
                }
                Tab::Drift => {
                    let d = self.drift_rows().get(self.drift.sel).copied()?;
                    Some((
                        "drift row",
                        format!(
                            "{}\t{}\t{}\t{}\t{}",
                            d.column,
                            d.method.as_deref().unwrap_or(""),
                            crate::tui::fmt::opt_num(d.score),
                            crate::tui::fmt::opt_num(d.threshold),
                            match d.drifted {
                                Some(true) => "drifted",
                                Some(false) => "not drifted",
                                None => "unknown",
                            }
                        ),
                    ))
                }
                Tab::Metrics | Tab::Raw => Some((
                    "snapshot path",
                    self.current_snapshot()?.path.display().to_string(),
                )),
            },
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
