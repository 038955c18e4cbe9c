//! The fast path of snapshot parsing: one pass over the file's bytes that
//! builds only what indexing reads, straight into the raw snapshot (with
//! [`Reader`], which builds values exactly as the full path's serde does).
//!
//! What is not read (unread keys, heavy values, the tails of long arrays,
//! the legacy results that filling never reads, everything in `widgets` but
//! the drift table rows) is passed over by bracket matching only
//! ([`super::skim::skip_value`]): its strings must end and its brackets
//! balance, nothing more. Anything unusual in what *is* read makes the
//! reader give up: the caller then takes the full path, which reports it
//! exactly. So this path may refuse a file, but never reads one differently.

use std::borrow::Cow;

use super::leaves::{LeafStore, LeafWalk};
use super::legacy::{reading_of, series_key, MetricResult, RawSuite, Reading};
use super::pruned::{FullList, Pruned};
use super::reader::Reader;
use super::shape::ResultLeaves;
use super::snapshot::RawSnapshot;
use super::v2::RawResults;
use super::widgets::{self, DriftWidgets};

/// The raw snapshot of a file, or `None` when the full path must read it.
pub(crate) fn read_snapshot(b: &[u8]) -> Option<RawSnapshot<'_>> {
    // One check of the whole file (Evidently writes ASCII) instead of one
    // per string, with SIMD; strings are then slices of this text.
    let text = simdutf8::basic::from_utf8(b).ok()?;
    let mut r = Reader::new(text);
    r.ws();
    let mut raw = RawSnapshot::default();
    let mut later = Later::default();
    r.members(|r, key| {
        match key.as_ref() {
            "id" => raw.id = r.optional(|r| r.value(0).map(Pruned))?,
            "name" => raw.name = r.optional(|r| r.value(0).map(Pruned))?,
            "timestamp" => raw.timestamp = r.optional(|r| r.value(0).map(Pruned))?,
            "metadata" => raw.metadata = r.optional(|r| r.value(0).map(Pruned))?,
            "tags" => raw.tags = r.optional(|r| r.value(0).map(Pruned))?,
            "metrics_ids" => raw.metrics_ids = r.optional(Reader::full_list)?,
            "top_level_metrics" => raw.top_level_metrics = r.optional(Reader::full_list)?,
            "suite" => raw.suite = r.optional(|r| r.suite(&mut later))?,
            "metric_results" => raw.metric_results = r.optional(Reader::results)?,
            "widgets" => raw.widgets = r.optional(Reader::widgets)?,
            _ => r.skip()?,
        }
        Some(())
    })?;
    // Only whitespace may follow the document.
    r.ws();
    if r.i != b.len() {
        return None;
    }
    if let Some(suite) = raw.suite.as_mut() {
        r.build_later(suite, later, raw.metrics_ids.as_ref())?;
    }
    Some(raw)
}

/// Where the legacy suite's metrics and results sit in the text, with each
/// result's `type`: they are built once `metrics_ids` (which follows
/// `suite` in Evidently's files) says which are read.
#[derive(Default)]
struct Later<'a> {
    /// (start, end) of each metric configuration.
    metrics: Vec<(usize, usize)>,
    /// (start, end, type) of each metric result.
    results: Vec<(usize, usize, Option<Cow<'a, str>>)>,
}

impl<'a> Reader<'a> {
    /// `metrics_ids` / `top_level_metrics`: a list kept whole, anything else
    /// read as empty (as [`FullList`] deserializes).
    fn full_list(&mut self) -> Option<FullList<'a>> {
        self.ws();
        if self.peek()? == b'[' {
            return self.list(1).map(FullList);
        }
        self.value(0)?;
        Some(FullList::default())
    }

    /// Legacy `suite`: its four aligned lists (each must be a list); the
    /// metrics and results are passed over into `later`.
    fn suite(&mut self, later: &mut Later<'a>) -> Option<RawSuite<'a>> {
        let mut suite = RawSuite::default();
        *later = Later::default();
        self.members(|r, key| {
            match key.as_ref() {
                "metrics" => {
                    let spans = r.spans(Reader::skip)?;
                    later.metrics = spans.into_iter().map(|(s, e, ())| (s, e)).collect();
                }
                "metric_results" => later.results = r.spans(Reader::result_type)?,
                "tests" => suite.tests = r.pruned_list()?,
                "test_results" => suite.test_results = r.pruned_list()?,
                _ => r.skip()?,
            }
            Some(())
        })?;
        Some(suite)
    }

    /// The elements of a list as where each starts and ends, with what
    /// `pass` (which moves past it) says of it.
    fn spans<T>(
        &mut self,
        mut pass: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<Vec<(usize, usize, T)>> {
        let mut spans = Vec::new();
        self.elements(|r| {
            r.ws();
            let start = r.i;
            let seen = pass(r)?;
            spans.push((start, r.i, seen));
            Some(())
        })?;
        Some(spans)
    }

    /// A metric result passed over, read only for its `type`: the string of
    /// the last `type` member of an object (as the built object keeps it),
    /// else `None`.
    fn result_type(&mut self) -> Option<Option<Cow<'a, str>>> {
        self.ws();
        if self.peek()? != b'{' {
            self.skip()?;
            return Some(None);
        }
        let mut found = None;
        self.members(|r, key| {
            if key != "type" {
                return r.skip();
            }
            r.ws();
            found = if r.peek()? == b'"' {
                Some(r.string()?)
            } else {
                r.skip()?;
                None
            };
            Some(())
        })?;
        Some(found)
    }

    /// Build the metrics and results of `suite` that legacy filling reads
    /// (see [`reading_of`]): each as the eager read would have built it.
    fn build_later(
        &mut self,
        suite: &mut RawSuite<'a>,
        later: Later<'a>,
        metrics_ids: Option<&FullList<'a>>,
    ) -> Option<()> {
        let mut in_ids = vec![false; later.metrics.len().max(later.results.len())];
        for v in metrics_ids.map(|l| l.0.as_slice()).unwrap_or_default() {
            if let Some(slot) = v.as_u64().and_then(|i| in_ids.get_mut(i as usize)) {
                *slot = true;
            }
        }
        let build = |r: &mut Self, (start, end): (usize, usize), read: bool| {
            if !read {
                return Some(None);
            }
            r.i = start;
            let v = r.value(0)?;
            (r.i == end).then_some(Some(Pruned(v)))
        };
        suite.metrics = (later.metrics.iter().enumerate())
            .map(|(i, &span)| build(self, span, in_ids[i]))
            .collect::<Option<_>>()?;
        // A report's own metric that gives no drift rows is read for its
        // numeric leaves only (see `leaves`); a drift result is built.
        let mut walk = LeafWalk::new(LeafStore::take());
        suite.metric_results = (later.results.iter().enumerate())
            .map(
                |(i, (start, end, ty))| match reading_of(ty.as_deref(), in_ids[i]) {
                    Reading::Unread => Some(None),
                    Reading::Value => {
                        Some(build(self, (*start, *end), true)?.map(MetricResult::Value))
                    }
                    Reading::Leaves => {
                        self.i = *start;
                        let config = suite.metrics.get(i).and_then(Option::as_ref);
                        let result = match config.and_then(|c| series_key(&c.0)) {
                            Some(key) => match self.keyed_leaves(&key, &mut walk)? {
                                ResultLeaves::Shaped(s) => MetricResult::Shaped(s),
                                ResultLeaves::Walked(l) => MetricResult::Leaves(l),
                            },
                            None => MetricResult::Leaves(self.result_leaves(&mut walk)?),
                        };
                        (self.i == *end).then_some(Some(result))
                    }
                },
            )
            .collect::<Option<_>>()?;
        suite.leaves = walk.into_store();
        Some(())
    }

    fn pruned_list(&mut self) -> Option<Vec<Pruned<'a>>> {
        Some(self.list(0)?.into_iter().map(Pruned).collect())
    }

    /// v2 `metric_results`: metric id → result, in file order.
    fn results(&mut self) -> Option<RawResults<'a>> {
        let mut entries = Vec::new();
        self.members(|r, key| {
            let v = r.value(0)?;
            entries.push((key, v));
            Some(())
        })?;
        Some(RawResults::from_entries(entries))
    }

    /// v2 `widgets`: the drift table rows (see [`widgets::read_rows`]).
    fn widgets(&mut self) -> Option<DriftWidgets> {
        widgets::read_rows(self)
    }
}
