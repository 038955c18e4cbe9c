//! The snapshot detail screen's state: its tabs, the rows each list tab
//! shows (filtered, the drift table sorted), their cursors, and the Raw tab
//! (load requests, loaded document, fold level, search matches, cursor);
//! its keys and what `y` copies there. The Raw tab's folding and match
//! jumping live here as functions of that state alone.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::index::SnapshotEntry;
use crate::model::{DriftRow, SeriesRef, Snapshot, TestOutcome, TestStatus};
use crate::tui::fmt;
use crate::tui::keymap::Action;
use crate::tui::raw::RawDoc;
use crate::tui::state::browse::lc_contains;
use crate::tui::state::cursor::{list_step, Cursor};
use crate::tui::state::filter::{filter_lc, FilterTarget, Filters};
use crate::tui::state::screen::{Effect, Outcome};
use crate::tui::theme::Theme;

pub use crate::tui::state::screen::Tab;

/// The detail screen's state: the tab shown, each list tab's cursor, the
/// drift order and the Raw tab.
#[derive(Debug, Clone, PartialEq)]
pub struct DetailState {
    pub tab: Tab,
    pub tests: Cursor,
    pub drift: Cursor,
    pub drift_sort: DriftSort,
    pub metrics: Cursor,
    pub raw: RawState,
    /// Id of the next raw load request (replies to older ones are ignored).
    pub(crate) next_request: u64,
    /// The Tests tab was chosen, but the snapshot opened has no tests, so it
    /// opened on Metrics; the next snapshot with tests opens on Tests again.
    pub(crate) tests_wanted: bool,
}

impl Default for DetailState {
    fn default() -> Self {
        DetailState {
            tab: Tab::Tests,
            tests: Cursor::default(),
            drift: Cursor::default(),
            drift_sort: DriftSort::File,
            metrics: Cursor::default(),
            raw: RawState::Idle,
            next_request: 1,
            tests_wanted: false,
        }
    }
}

impl DetailState {
    /// Tests of a snapshot: failures first (stable), filtered.
    pub fn test_rows<'c>(
        &self,
        s: Option<&'c SnapshotEntry>,
        filters: &Filters,
    ) -> Vec<&'c TestOutcome> {
        let Some(s) = s else {
            return Vec::new();
        };
        let f = filter_lc(filters, FilterTarget::Tests);
        let mut v: Vec<&TestOutcome> = s
            .snapshot
            .tests
            .iter()
            .filter(|t| test_matches(t, &f))
            .collect();
        v.sort_by_key(|t| t.status);
        v
    }

    /// Drift rows of a snapshot, sorted and filtered.
    pub fn drift_rows<'c>(
        &self,
        s: Option<&'c SnapshotEntry>,
        filters: &Filters,
    ) -> Vec<&'c DriftRow> {
        let Some(s) = s else {
            return Vec::new();
        };
        let f = filter_lc(filters, FilterTarget::Drift);
        let mut v: Vec<&DriftRow> = s
            .snapshot
            .drift
            .iter()
            .filter(|d| drift_matches(d, &f))
            .collect();
        let key = |d: &&DriftRow| d.score.filter(|x| x.is_finite());
        match self.drift_sort {
            DriftSort::File => {}
            DriftSort::ScoreAsc => v.sort_by(|a, b| match (key(a), key(b)) {
                (Some(x), Some(y)) => x.total_cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            }),
            DriftSort::ScoreDesc => v.sort_by(|a, b| match (key(a), key(b)) {
                (Some(x), Some(y)) => y.total_cmp(&x),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            }),
        }
        v
    }

    /// Rows of the Metrics tab: each metric group followed by its values.
    pub fn metric_rows<'c>(
        &self,
        s: Option<&'c SnapshotEntry>,
        filters: &Filters,
    ) -> Vec<MetricRow<'c>> {
        let Some(s) = s else {
            return Vec::new();
        };
        let f = filter_lc(filters, FilterTarget::Metrics);
        let mut groups: Vec<(&str, Vec<(SeriesRef<'_>, &str)>)> = Vec::new();
        let mut index: HashMap<&str, usize> = HashMap::new();
        for v in &s.snapshot.series {
            if !f.is_empty() && !lc_contains(v.key, &f) {
                continue;
            }
            let (g, field) = metric_group(v.key);
            let i = *index.entry(g).or_insert_with(|| {
                groups.push((g, Vec::new()));
                groups.len() - 1
            });
            groups[i].1.push((v, field));
        }
        let mut out = Vec::new();
        for (g, vals) in groups {
            out.push(MetricRow::Group(g, vals.len()));
            out.extend(vals.into_iter().map(|(v, f)| MetricRow::Value(v, f)));
        }
        out
    }

    /// The cursor of the tab shown (the Raw tab's once loaded).
    pub fn cursor(&self) -> Cursor {
        match self.tab {
            Tab::Tests => self.tests,
            Tab::Drift => self.drift,
            Tab::Metrics => self.metrics,
            Tab::Raw => match &self.raw {
                RawState::Loaded(v) => v.cursor,
                _ => Cursor::default(),
            },
        }
    }

    /// Rows to move the cursor by for a click on row `line` of the list shown.
    pub fn click_delta(&self, line: usize) -> isize {
        let c = self.cursor();
        (c.offset + line) as isize - c.sel as isize
    }

    /// Keep every tab's cursor inside its rows, in lists of `rows` rows.
    pub fn fit(&mut self, s: Option<&SnapshotEntry>, filters: &Filters, rows: usize) {
        let n = self.test_rows(s, filters).len();
        self.tests.fit(n, rows);
        let n = self.drift_rows(s, filters).len();
        self.drift.fit(n, rows);
        let n = self.metric_rows(s, filters).len();
        self.metrics.fit(n, rows);
        if let RawState::Loaded(v) = &mut self.raw {
            let n = v.visible.len();
            v.cursor.fit(n, rows);
        }
    }

    /// The tab to open `s` on: a report without tests opens on Metrics
    /// rather than an empty Tests tab, and the next snapshot with tests
    /// returns to Tests.
    pub fn choose_tab_for(&mut self, s: Option<&SnapshotEntry>) {
        let has_tests = s.is_some_and(|e| !e.snapshot.tests.is_empty());
        if self.tab == Tab::Tests && !has_tests {
            self.tab = Tab::Metrics;
            self.tests_wanted = true;
        } else if self.tests_wanted && self.tab == Tab::Metrics && has_tests {
            self.tab = Tab::Tests;
            self.tests_wanted = false;
        } else if self.tab != Tab::Metrics {
            self.tests_wanted = false;
        }
    }

    /// Back to the top of the Tests, Drift and Metrics lists (another snapshot).
    pub fn reset_cursors(&mut self) {
        self.tests = Cursor::default();
        self.drift = Cursor::default();
        self.metrics = Cursor::default();
    }

    /// Move the shown tab's cursor by `d` rows (clamped), in a list of `page` rows.
    pub fn move_by(&mut self, d: isize, s: Option<&SnapshotEntry>, filters: &Filters, page: usize) {
        match self.tab {
            Tab::Tests => {
                let n = self.test_rows(s, filters).len();
                self.tests.step(d, n, page);
            }
            Tab::Drift => {
                let n = self.drift_rows(s, filters).len();
                self.drift.step(d, n, page);
            }
            Tab::Metrics => {
                let n = self.metric_rows(s, filters).len();
                self.metrics.step(d, n, page);
            }
            Tab::Raw => {
                if let RawState::Loaded(v) = &mut self.raw {
                    let n = v.visible.len();
                    v.cursor.step(d, n, page);
                }
            }
        }
    }

    /// Ask for a snapshot's raw JSON unless it is already loaded (or `force`).
    pub fn request_raw(&mut self, s: Option<&SnapshotEntry>, force: bool) -> Vec<Effect> {
        let Some(path) = s.map(|s| s.path.to_path_buf()) else {
            return Vec::new();
        };
        let same = match &self.raw {
            RawState::Loading { path: p, .. } | RawState::Failed { path: p, .. } => *p == path,
            RawState::Loaded(v) => v.path == path,
            RawState::Idle => false,
        };
        if same && !force {
            return Vec::new();
        }
        let request = self.next_request;
        self.next_request += 1;
        self.raw = RawState::Loading {
            request,
            path: path.clone(),
        };
        vec![Effect::LoadRaw { request, path }]
    }

    /// A raw load finished: true when it answered the pending request (the
    /// document is shown at the default fold, searched for `filter_lc`).
    pub fn raw_loaded(
        &mut self,
        request: u64,
        result: Result<RawDoc, String>,
        filter_lc: &str,
    ) -> bool {
        let RawState::Loading { request: r, path } = &self.raw else {
            return false;
        };
        if *r != request {
            return false;
        }
        let path = path.clone();
        self.raw = match result {
            Ok(doc) => {
                let fold = Some(RAW_DEFAULT_FOLD);
                let visible = doc.visible(fold);
                let mut v = RawView {
                    path,
                    doc,
                    fold,
                    visible,
                    matches: Vec::new(),
                    cursor: Cursor::default(),
                    hscroll: 0,
                };
                recompute_matches(&mut v, filter_lc);
                RawState::Loaded(Box::new(v))
            }
            Err(message) => RawState::Failed { path, message },
        };
        true
    }

    /// A list's filter changed: the raw search jumps to its first match;
    /// a filtered list starts from its top.
    pub fn filter_changed(&mut self, t: FilterTarget, filter_lc: &str, rows: usize) {
        match t {
            FilterTarget::Raw => {
                if let RawState::Loaded(v) = &mut self.raw {
                    recompute_matches(v, filter_lc);
                    jump_match(v, true, rows, true);
                }
            }
            FilterTarget::Tests => self.tests = Cursor::default(),
            FilterTarget::Drift => self.drift = Cursor::default(),
            FilterTarget::Metrics => self.metrics = Cursor::default(),
            _ => {}
        }
    }

    /// The next / previous raw search match; `None` when no document is loaded.
    pub fn jump_match(&mut self, fwd: bool, rows: usize) -> Option<bool> {
        match &mut self.raw {
            RawState::Loaded(v) => Some(jump_match(v, fwd, rows, false)),
            _ => None,
        }
    }

    /// The Raw tab's fold and horizontal scroll keys (`rows` rows shown);
    /// false for other actions.
    pub fn raw_key(&mut self, a: Action, rows: usize) -> bool {
        let RawState::Loaded(v) = &mut self.raw else {
            return matches!(
                a,
                Action::FoldLess | Action::FoldMore | Action::ScrollLeft | Action::ScrollRight
            );
        };
        match a {
            Action::FoldLess | Action::FoldMore => {
                let max = v.doc.max_depth();
                let cur = v.fold.unwrap_or(max.saturating_add(1));
                let next = if a == Action::FoldLess {
                    cur.saturating_sub(1)
                } else {
                    cur.saturating_add(1)
                };
                set_fold(v, if next > max { None } else { Some(next) }, rows);
            }
            Action::ScrollLeft => v.hscroll = v.hscroll.saturating_sub(16),
            Action::ScrollRight => {
                v.hscroll = (v.hscroll + 16).min(crate::tui::raw::MAX_LINE_BYTES);
            }
            _ => return false,
        }
        true
    }

    /// A key on the detail screen showing snapshot `s` (`page` rows per
    /// list); `None` leaves it to the general handler.
    pub fn act(
        &mut self,
        a: Action,
        s: Option<&SnapshotEntry>,
        filters: &Filters,
        page: usize,
    ) -> Option<Outcome> {
        if let Some(d) = list_step(a, page) {
            self.move_by(d, s, filters, page);
            return Some(Outcome::Done);
        }
        if self.raw_key(a, page) {
            return Some(Outcome::Done);
        }
        let tab = match a {
            Action::Left | Action::PrevPane => self.tab.step(-1),
            Action::Right | Action::NextPane => self.tab.step(1),
            Action::TabTests => Tab::Tests,
            Action::TabDrift => Tab::Drift,
            Action::TabMetrics => Tab::Metrics,
            Action::TabRaw => Tab::Raw,
            Action::SortDrift => {
                if self.tab != Tab::Drift {
                    return Some(Outcome::Done);
                }
                self.drift_sort = match self.drift_sort {
                    DriftSort::File => DriftSort::ScoreAsc,
                    DriftSort::ScoreAsc => DriftSort::ScoreDesc,
                    DriftSort::ScoreDesc => DriftSort::File,
                };
                self.drift = Cursor::default();
                return Some(Outcome::Refit);
            }
            _ => return None,
        };
        // A tab the user chose wins over the automatic one.
        self.tests_wanted = false;
        Some(Outcome::ShowTab(tab))
    }

    /// What `y` copies: the selected test or drift row, else the snapshot's path.
    pub fn copy(
        &self,
        s: Option<&SnapshotEntry>,
        filters: &Filters,
    ) -> Option<(&'static str, String)> {
        match self.tab {
            Tab::Tests => {
                let t = self.test_rows(s, filters).get(self.tests.sel).copied()?;
                Some((
                    "test",
                    format!(
                        "{}\t{}\t{}\t{}\t{}",
                        t.status,
                        t.name,
                        t.column.as_deref().unwrap_or(""),
                        t.value.map(fmt::num).unwrap_or_default(),
                        t.description
                    ),
                ))
            }
            Tab::Drift => {
                let d = self.drift_rows(s, filters).get(self.drift.sel).copied()?;
                Some((
                    "drift row",
                    format!(
                        "{}\t{}\t{}\t{}\t{}",
                        d.column,
                        d.method.as_deref().unwrap_or(""),
                        fmt::opt_num(d.score),
                        fmt::opt_num(d.threshold),
                        match d.drifted {
                            Some(true) => "drifted",
                            Some(false) => "not drifted",
                            None => "unknown",
                        }
                    ),
                ))
            }
            Tab::Metrics | Tab::Raw => Some(("snapshot path", s?.path.display().to_string())),
        }
    }
}

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

/// The tab whose label is at column `x` of the tab bar.
pub fn tab_at(snapshot: Option<&Snapshot>, th: &Theme, x: u16) -> Option<Tab> {
    tab_spans(snapshot, th)
        .into_iter()
        .find(|(_, x0, x1)| x >= *x0 && x < *x1)
        .map(|(t, _, _)| t)
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
    Value(SeriesRef<'a>, &'a str),
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
