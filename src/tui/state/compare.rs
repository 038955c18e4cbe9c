//! Two snapshots compared: choosing the pair, the comparison, its rows in
//! display order, the cursor over them, its keys and what `y` copies.

use std::sync::Arc;

use crate::analysis::compare::Comparison;
use crate::analysis::pair::{self, Pair, PairRule};
use crate::index::{Catalog, ProjectEntry};
use crate::model::{Snapshot, TestStatus};
use crate::tui::keymap::{Action, Context};
use crate::tui::state::cursor::{list_step, Cursor};
use crate::tui::state::screen::Outcome;
use crate::tui::state::view::{Cx, View};

/// Why no pair of runs could be compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PairError {
    #[error("the marked run is selected: select another run, then c")]
    SameRun,
    /// The router clears the mark.
    #[error("the marked run is gone; mark cleared")]
    MarkGone,
    #[error("no failing run to compare: mark a run with m, select another, press c")]
    NoFailingRun,
}

/// The condition of the test with this identity in a snapshot, when known.
pub fn test_condition<'a>(s: &'a Snapshot, identity: &str) -> Option<&'a str> {
    s.tests
        .iter()
        .find(|t| &*t.identity == identity)
        .and_then(|t| t.condition.as_deref())
}

/// One row of the compare view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareRow {
    /// A section heading: which section, number of entries.
    Heading(CompareSection, usize),
    Flip(usize),
    Move(usize),
    Drift(usize),
    Meta(usize),
    /// "nothing differs" under an empty section.
    Nothing,
    Blank,
}

/// Sections of the compare view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareSection {
    Flipped,
    Moved,
    Drift,
    Meta,
}

impl CompareSection {
    /// Heading text.
    pub fn title(self) -> &'static str {
        match self {
            CompareSection::Flipped => "Tests that flipped",
            CompareSection::Moved => "Series that moved",
            CompareSection::Drift => "Columns that newly drifted / stopped drifting",
            CompareSection::Meta => "Tags and metadata that differ",
        }
    }
}

/// Two snapshots compared.
#[derive(Debug, Clone)]
pub struct CompareState {
    pub project_id: String,
    /// Before.
    pub a: Arc<Snapshot>,
    /// After.
    pub b: Arc<Snapshot>,
    pub cmp: Comparison,
    /// How the pair was chosen, for the title.
    pub how: String,
    /// The rule of a default pair (`None` for marked vs selected): `c` in
    /// the view switches between the onset and the latest failure.
    pub rule: Option<PairRule>,
    /// A default pair by the latest-failure rule (else the onset rule), and
    /// whether the other rule gives another pair (what `c` switches to).
    pub latest_failure: bool,
    pub other_differs: bool,
    /// Moved series ordered by absolute change instead of relative.
    pub by_abs: bool,
    pub cursor: Cursor,
}

impl CompareState {
    /// Build from two snapshots (`a` before `b`).
    pub fn new(project_id: &str, a: Arc<Snapshot>, b: Arc<Snapshot>, how: String) -> Self {
        let cmp = crate::analysis::compare::compare(&a, &b);
        let mut s = CompareState {
            project_id: project_id.to_string(),
            a,
            b,
            cmp,
            how,
            rule: None,
            latest_failure: false,
            other_differs: false,
            by_abs: false,
            cursor: Cursor::default(),
        };
        // Start on the first entry, not on the heading.
        if s.rows()
            .get(1)
            .is_some_and(|r| matches!(r, CompareRow::Flip(_)))
        {
            s.cursor.sel = 1;
        }
        s
    }

    /// Choose the pair: the marked run and the selected one (older first),
    /// else the project's last passing run and its latest failing one.
    pub fn start(
        catalog: &Catalog,
        project: &ProjectEntry,
        mark: Option<&(String, String)>,
        selected: Option<&(String, String)>,
    ) -> Result<CompareState, PairError> {
        let find = |pid: &str, sid: &str| {
            catalog
                .project(pid)
                .and_then(|p| p.snapshots.iter().find(|e| e.snapshot.id == sid))
                .map(|e| e.snapshot.clone())
        };
        let pair = match (mark, selected) {
            (Some((mp, ms)), Some((sp, ss))) => {
                if (mp, ms) == (sp, ss) {
                    return Err(PairError::SameRun);
                }
                match (find(mp, ms), find(sp, ss)) {
                    (Some(x), Some(y)) => {
                        let (a, b) = if (x.timestamp, &x.id) <= (y.timestamp, &y.id) {
                            (x, y)
                        } else {
                            (y, x)
                        };
                        Some((a, b, "marked vs selected".to_string()))
                    }
                    _ => return Err(PairError::MarkGone),
                }
            }
            _ => {
                return Self::default_pair(project, false).ok_or(PairError::NoFailingRun);
            }
        };
        let (a, b, how) = pair.ok_or(PairError::NoFailingRun)?;
        let pid = b.project_id.clone();
        Ok(CompareState::new(&pid, a, b, how))
    }

    /// `c` in the view of a default pair: the other default pair (onset ↔
    /// latest failure); `None` for a marked pair.
    pub fn switched(&self, catalog: &Catalog) -> Option<CompareState> {
        self.rule?;
        if !self.other_differs {
            return None;
        }
        Self::default_pair(catalog.project(&self.project_id)?, !self.latest_failure)
    }

    /// The default pair of a project: the onset of its failure streak, or
    /// with `latest_failure` the latest failing run against the last pass
    /// before it (see [`pair`]).
    pub fn default_pair(project: &ProjectEntry, latest_failure: bool) -> Option<CompareState> {
        let pick = |latest: bool| {
            if latest {
                pair::latest_failure_pair(project)
            } else {
                pair::onset_pair(project)
            }
        };
        let Pair { a, b, rule } = pick(latest_failure)?;
        let other_differs =
            pick(!latest_failure).is_some_and(|o| (o.a.id != a.id) || (o.b.id != b.id));
        let pid = b.project_id.clone();
        let how = match (other_differs, latest_failure) {
            (false, _) => rule.short().to_string(),
            (true, true) => format!("{} (c: onset)", rule.short()),
            (true, false) => format!("{} (c: latest failure)", rule.short()),
        };
        let mut s = CompareState::new(&pid, a, b, how);
        s.rule = Some(rule);
        s.latest_failure = latest_failure;
        s.other_differs = other_differs;
        Some(s)
    }

    /// Enter on a flipped test: that test in the run where it ran last.
    fn enter(&self) -> Outcome {
        let row = self.rows().get(self.cursor.sel).copied();
        let Some(CompareRow::Flip(i)) = row else {
            return Outcome::Done;
        };
        let Some(f) = self.cmp.flipped.get(i) else {
            return Outcome::Done;
        };
        let sid = if f.to.is_some() {
            &self.b.id
        } else {
            &self.a.id
        };
        Outcome::JumpToTest {
            project: self.b.project_id.clone(),
            snapshot: sid.clone(),
            identity: Some(f.identity.to_string()),
        }
    }

    /// Re-sort the moved series (relative change, or absolute with `by_abs`).
    pub fn set_by_abs(&mut self, by_abs: bool) {
        self.by_abs = by_abs;
        if by_abs {
            self.cmp.moved.sort_by(|x, y| {
                y.delta
                    .abs()
                    .total_cmp(&x.delta.abs())
                    .then_with(|| x.series.cmp(&y.series))
            });
        } else {
            self.cmp = crate::analysis::compare::compare(&self.a, &self.b);
        }
    }

    /// The rows, in display order.
    pub fn rows(&self) -> Vec<CompareRow> {
        let c = &self.cmp;
        let mut out = Vec::new();
        let mut section = |s: CompareSection, n: usize, f: &dyn Fn(usize) -> CompareRow| {
            out.push(CompareRow::Heading(s, n));
            if n == 0 {
                out.push(CompareRow::Nothing);
            }
            out.extend((0..n).map(f));
            out.push(CompareRow::Blank);
        };
        section(CompareSection::Flipped, c.flipped.len(), &CompareRow::Flip);
        section(
            CompareSection::Drift,
            c.drift_changed.len(),
            &CompareRow::Drift,
        );
        section(CompareSection::Moved, c.moved.len(), &CompareRow::Move);
        section(
            CompareSection::Meta,
            c.tags_metadata.len(),
            &CompareRow::Meta,
        );
        out.pop();
        out
    }
}

impl View for CompareState {
    fn context(&self) -> Context {
        Context::Compare
    }

    fn act(&mut self, a: Action, cx: &Cx) -> Option<Outcome> {
        let rows = cx.rows;
        if let Some(d) = list_step(a, rows) {
            self.move_by(d, cx);
            return Some(Outcome::Done);
        }
        match a {
            Action::SortDrift => self.set_by_abs(!self.by_abs),
            Action::Enter => return Some(self.enter()),
            Action::PrevSnapshot
            | Action::NextSnapshot
            | Action::NextPane
            | Action::PrevPane
            | Action::Left
            | Action::Right
            | Action::CycleWindow => {}
            _ => return None,
        }
        Some(Outcome::Done)
    }

    fn move_by(&mut self, d: isize, cx: &Cx) {
        let rows = cx.rows;
        let n = self.rows().len();
        self.cursor.step(d, n, rows);
    }

    fn fit(&mut self, cx: &Cx) {
        let rows = cx.rows;
        let n = self.rows().len();
        self.cursor.fit(n, rows);
    }

    /// The later run of the two.
    fn focused(&self, cx: &Cx) -> Option<(String, String)> {
        cx.project?;
        Some((self.project_id.clone(), self.b.id.clone()))
    }

    fn copy(&self, _cx: &Cx) -> Option<(&'static str, String)> {
        let st = |s: Option<TestStatus>| s.map(|s| s.as_str()).unwrap_or("not run");
        let text = match self.rows().get(self.cursor.sel)? {
            CompareRow::Flip(i) => {
                let f = self.cmp.flipped.get(*i)?;
                format!("{}\t{} -> {}", f.test, st(f.from), st(f.to))
            }
            CompareRow::Move(i) => {
                let m = self.cmp.moved.get(*i)?;
                format!("{}\t{}\t{}\t{}", m.series, m.a, m.b, m.delta)
            }
            CompareRow::Drift(i) => {
                let d = self.cmp.drift_changed.get(*i)?;
                format!("{}\t{:?} -> {:?}", d.column, d.a, d.b)
            }
            CompareRow::Meta(i) => {
                let m = self.cmp.tags_metadata.get(*i)?;
                format!(
                    "{} {}\t{} -> {}",
                    m.kind,
                    m.key,
                    m.a.as_deref().unwrap_or("absent"),
                    m.b.as_deref().unwrap_or("absent")
                )
            }
            _ => format!("{}\t{}", self.a.id, self.b.id),
        };
        Some(("compare row", text))
    }
}
