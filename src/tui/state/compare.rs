//! Two snapshots compared: the comparison, its rows in display order and
//! the cursor over them.

use std::sync::Arc;

use crate::analysis::compare::Comparison;
use crate::model::Snapshot;
use crate::tui::state::cursor::Cursor;

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
