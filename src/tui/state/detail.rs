//! The snapshot detail screen's state: its tabs, the drift sort order, the
//! rows of the Metrics tab, and the Raw tab (loaded document, fold level,
//! search matches, cursor). The Raw tab's folding and match jumping live
//! here as functions of that state alone.

use std::path::PathBuf;

use crate::model::{DriftRow, SeriesValue, Snapshot, TestOutcome, TestStatus};
use crate::tui::fmt;
use crate::tui::raw::RawDoc;
use crate::tui::state::browse::lc_contains;
use crate::tui::state::cursor::Cursor;
use crate::tui::theme::Theme;

pub use crate::tui::state::screen::Tab;

/// Tab labels with their counts, in order.
pub fn tab_labels(snapshot: Option<&Snapshot>, th: &Theme) -> Vec<(Tab, String)> {
    let Some(s) = snapshot else {
        return Tab::ALL
            .iter()
            .map(|t| (*t, t.title().to_string()))
            .collect();
    };
    let c = s.test_counts();
    let fails = c.fail + c.error;
    let drifted = s.drift.iter().filter(|d| d.drifted == Some(true)).count();
    Tab::ALL
        .iter()
        .map(|t| {
            let label = match t {
                Tab::Tests if fails > 0 => format!(
                    "Tests {}{}/{}",
                    th.status_symbol(TestStatus::Fail),
                    fails,
                    c.total()
                ),
                Tab::Tests => format!("Tests {}", c.total()),
                Tab::Drift if !s.drift.is_empty() => {
                    format!("Drift {}/{}", drifted, s.drift.len())
                }
                Tab::Drift => "Drift 0".into(),
                Tab::Metrics => format!("Metrics {}", s.series.len()),
                Tab::Raw => "Raw".into(),
            };
            (*t, label)
        })
        .collect()
}

/// Column ranges (relative to the tab bar) of each tab label, for mouse clicks.
pub fn tab_spans(snapshot: Option<&Snapshot>, th: &Theme) -> Vec<(Tab, u16, u16)> {
    let mut x = 0u16;
    let mut out = Vec::new();
    for (i, (t, label)) in tab_labels(snapshot, th).into_iter().enumerate() {
        if i > 0 {
            x = x.saturating_add(fmt::width(th.sep()) as u16);
        }
        let w = fmt::width(&label) as u16 + 2;
        out.push((t, x, x.saturating_add(w)));
        x = x.saturating_add(w);
    }
    out
}

/// Drift table order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DriftSort {
    /// As in the file.
    #[default]
    File,
    /// Score ascending (missing scores last).
    ScoreAsc,
    /// Score descending (missing scores last).
    ScoreDesc,
}

impl DriftSort {
    /// Label for the footer.
    pub fn label(self) -> &'static str {
        match self {
            DriftSort::File => "file order",
            DriftSort::ScoreAsc => "score ascending",
            DriftSort::ScoreDesc => "score descending",
        }
    }
}

/// One row of the Metrics tab.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MetricRow<'a> {
    /// A metric (the series key up to its field path) with its number of values.
    Group(&'a str, usize),
    /// One value: the full series and its field path inside the group.
    Value(&'a SeriesValue, &'a str),
}

/// State of the Raw tab.
#[derive(Debug, Clone, PartialEq)]
pub enum RawState {
    /// Nothing requested.
    Idle,
    /// A loader thread is reading this file.
    Loading { request: u64, path: PathBuf },
    /// Loaded and pretty-printed.
    Loaded(Box<RawView>),
    /// The file could not be read.
    Failed { path: PathBuf, message: String },
}

/// A loaded raw document and how it is being viewed.
#[derive(Debug, Clone, PartialEq)]
pub struct RawView {
    pub path: PathBuf,
    pub doc: RawDoc,
    /// Fold level (`None` = fully expanded).
    pub fold: Option<u16>,
    /// Indices of the lines shown at this fold level.
    pub visible: Vec<u32>,
    /// Indices (into `doc.lines`) of lines matching the search.
    pub matches: Vec<u32>,
    pub cursor: Cursor,
    /// Columns scrolled to the right.
    pub hscroll: usize,
}

/// Default fold level when a document is opened.
pub const RAW_DEFAULT_FOLD: u16 = 2;

/// The metric part of a series key: up to the first '.' after the closing
/// '}' of the parameters, or up to the first '.' when there are none.
pub fn metric_group(key: &str) -> (&str, &str) {
    let search_from = key.find('{').and_then(|o| {
        // Find the matching '}' (parameters may nest braces).
        let mut depth = 0usize;
        for (i, c) in key[o..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(o + i + 1);
                    }
                }
                _ => {}
            }
        }
        None
    });
    let from = search_from.unwrap_or(0);
    match key[from..].find('.') {
        Some(i) => (&key[..from + i], &key[from + i + 1..]),
        None => (key, ""),
    }
}

pub(crate) fn test_matches(t: &TestOutcome, needle_lc: &str) -> bool {
    needle_lc.is_empty()
        || lc_contains(&t.name, needle_lc)
        || lc_contains(&t.description, needle_lc)
        || lc_contains(t.status.as_str(), needle_lc)
        || lc_contains(&t.test_type, needle_lc)
        || t.column
            .as_deref()
            .is_some_and(|c| lc_contains(c, needle_lc))
}

pub(crate) fn drift_matches(d: &DriftRow, needle_lc: &str) -> bool {
    needle_lc.is_empty()
        || lc_contains(&d.column, needle_lc)
        || d.column_type
            .as_deref()
            .is_some_and(|c| lc_contains(c, needle_lc))
        || d.method
            .as_deref()
            .is_some_and(|c| lc_contains(c, needle_lc))
        || (needle_lc == "drifted" && d.drifted == Some(true))
}

pub(crate) fn recompute_matches(v: &mut RawView, needle_lc: &str) {
    v.matches = if needle_lc.is_empty() {
        Vec::new()
    } else {
        v.doc
            .lines
            .iter()
            .enumerate()
            .filter(|(_, l)| lc_contains(&l.text, needle_lc))
            .map(|(i, _)| i as u32)
            .collect()
    };
}

pub(crate) fn set_fold(v: &mut RawView, fold: Option<u16>, rows: usize) {
    let current_line = v.visible.get(v.cursor.sel).copied().unwrap_or(0);
    v.fold = fold;
    v.visible = v.doc.visible(fold);
    // Stay on the same line, or the nearest shown line before it.
    let pos = v.visible.partition_point(|l| *l <= current_line);
    v.cursor.sel = pos.saturating_sub(1);
    let n = v.visible.len();
    v.cursor.fit(n, rows);
}

/// Move the raw cursor to the next / previous matching line (unfolding when
/// the match is hidden). With `from_here`, the current line counts. Returns
/// false when there is no match.
pub(crate) fn jump_match(v: &mut RawView, fwd: bool, rows: usize, from_here: bool) -> bool {
    if v.matches.is_empty() {
        return false;
    }
    let cur = v.visible.get(v.cursor.sel).copied().unwrap_or(0);
    let target = if fwd {
        let start = if from_here { cur } else { cur + 1 };
        v.matches
            .iter()
            .copied()
            .find(|m| *m >= start)
            .or_else(|| v.matches.first().copied())
    } else {
        v.matches
            .iter()
            .rev()
            .copied()
            .find(|m| *m < cur)
            .or_else(|| v.matches.last().copied())
    };
    let Some(t) = target else { return false };
    let pos = match v.visible.binary_search(&t) {
        Ok(p) => p,
        Err(_) => {
            set_fold(v, None, rows);
            v.visible.binary_search(&t).unwrap_or(0)
        }
    };
    v.cursor.sel = pos;
    let n = v.visible.len();
    // Put the match a few rows from the top for context.
    v.cursor.offset = pos.saturating_sub(rows / 3);
    v.cursor.fit(n, rows);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_groups() {
        assert_eq!(
            metric_group("DatasetDriftMetric{columns=None}.share_of_drifted_columns"),
            (
                "DatasetDriftMetric{columns=None}",
                "share_of_drifted_columns"
            )
        );
        assert_eq!(
            metric_group("ValueDrift{column=a.b,method=psi}.value"),
            ("ValueDrift{column=a.b,method=psi}", "value")
        );
        assert_eq!(
            metric_group("ColumnSummaryMetric{column_name=x}.current.mean"),
            ("ColumnSummaryMetric{column_name=x}", "current.mean")
        );
        assert_eq!(metric_group("RowCount.value"), ("RowCount", "value"));
        assert_eq!(metric_group("RowCount"), ("RowCount", ""));
        assert_eq!(metric_group("M{a={b=1}}.x.y"), ("M{a={b=1}}", "x.y"));
    }
}
