//! What `y` copies on each screen, and saying so.

use chrono::{DateTime, Utc};

use crate::text::sanitize::clean;
use crate::tui::app::{App, Effect, Screen};
use crate::tui::state::browse::Pane;
use crate::tui::state::compare::CompareRow;
use crate::tui::state::detail::Tab;

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
        let ts = |t: DateTime<Utc>| crate::tui::fmt::time(tz, t, "%Y-%m-%d %H:%M:%S %:z");
        match self.screen {
            Screen::Browse => match self.focus {
                Pane::Now => {
                    let h = self.now_item_health()?;
                    let tests: Vec<String> = h
                        .failing
                        .iter()
                        .map(|f| format!("{} {}", f.status, f.name))
                        .collect();
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
                Pane::Projects => Some((
                    "project folder",
                    self.current_project()?.project.folder.display().to_string(),
                )),
                Pane::Snapshots => Some((
                    "snapshot path",
                    self.current_snapshot()?.path.display().to_string(),
                )),
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
            Screen::Trend => {
                let t = self.trend.as_ref()?;
                let s = t.series.get(t.active)?;
                let p = s.points.get(self.trend_cursor()?)?;
                Some((
                    "point",
                    format!(
                        "{}\t{}\t{}\t{}",
                        ts(p.t),
                        s.key,
                        p.value
                            .map(|v| v.to_string())
                            .unwrap_or_else(|| "null".into()),
                        p.snapshot_id
                    ),
                ))
            }
            Screen::TestHistory => {
                let r = *self.history_rows().get(self.cursor_sel())?;
                Some((
                    "test history row",
                    format!(
                        "{}\t{}\t{}\t{}/{} failed\t{}",
                        r.latest_status,
                        r.label(),
                        r.failing_since.map(ts).unwrap_or_default(),
                        r.fail_count,
                        r.runs,
                        r.latest_failure.as_deref().unwrap_or("")
                    ),
                ))
            }
            Screen::DriftHistory => {
                let r = *self.drift_history_rows().get(self.cursor_sel())?;
                let last = r.scores.iter().rev().find_map(|s| *s);
                Some((
                    "drift history row",
                    format!(
                        "{}\t{}\t{}/{} drifted\tlatest score {}",
                        r.column,
                        r.method.as_deref().unwrap_or(""),
                        r.drifted_count,
                        r.runs,
                        crate::tui::fmt::opt_num(last)
                    ),
                ))
            }
            Screen::Compare => {
                let c = self.compare.as_ref()?;
                let st = |s: Option<crate::model::TestStatus>| {
                    s.map(|s| s.as_str()).unwrap_or("not run")
                };
                let text = match c.rows().get(c.cursor.sel)? {
                    CompareRow::Flip(i) => {
                        let f = c.cmp.flipped.get(*i)?;
                        format!("{}\t{} -> {}", f.test, st(f.from), st(f.to))
                    }
                    CompareRow::Move(i) => {
                        let m = c.cmp.moved.get(*i)?;
                        format!("{}\t{}\t{}\t{}", m.series, m.a, m.b, m.delta)
                    }
                    CompareRow::Drift(i) => {
                        let d = c.cmp.drift_changed.get(*i)?;
                        format!("{}\t{:?} -> {:?}", d.column, d.a, d.b)
                    }
                    CompareRow::Meta(i) => {
                        let m = c.cmp.tags_metadata.get(*i)?;
                        format!(
                            "{} {}\t{} -> {}",
                            m.kind,
                            m.key,
                            m.a.as_deref().unwrap_or("absent"),
                            m.b.as_deref().unwrap_or("absent")
                        )
                    }
                    _ => format!("{}\t{}", c.a.id, c.b.id),
                };
                Some(("compare row", text))
            }
            Screen::Dashboard => Some((
                "project folder",
                self.current_project()?.project.folder.display().to_string(),
            )),
        }
    }
}
