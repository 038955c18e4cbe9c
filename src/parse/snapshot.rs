//! Top-level snapshot parsing: one pass over the file into a raw struct that
//! holds the fields of both generations, then conversion into the model.

use std::collections::HashMap;

use std::fmt;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};

use super::pruned::{FullList, Pruned, Text, Val};
use super::{keys, legacy, time, v2, widgets, ParseError, ParseOptions};
use crate::model::{Generation, Metadata, SeriesSet, SeriesValue, Snapshot, SnapshotKind};

/// Fields of both generations; everything else (widgets, report items,
/// options, links) is skipped by serde without being built. A key written
/// twice keeps its last value, as Python's `json` (and so Evidently) reads it.
#[derive(Default)]
pub(crate) struct RawSnapshot<'a> {
    pub id: Option<Pruned<'a>>,
    pub name: Option<Pruned<'a>>,
    pub timestamp: Option<Pruned<'a>>,
    pub metadata: Option<Pruned<'a>>,
    pub tags: Option<Pruned<'a>>,
    // legacy
    pub metrics_ids: Option<FullList<'a>>,
    pub suite: Option<legacy::RawSuite<'a>>,
    // v2
    pub metric_results: Option<v2::RawResults<'a>>,
    pub top_level_metrics: Option<FullList<'a>>,
    /// Only the drift table rows are kept (see `widgets.rs`).
    pub widgets: Option<widgets::DriftWidgets>,
}

impl<'de: 'a, 'a> Deserialize<'de> for RawSnapshot<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawSnapshot<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a snapshot object")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<RawSnapshot<'de>, A::Error> {
                let mut raw = RawSnapshot::default();
                while let Some(Text(key)) = map.next_key::<Text<'de>>()? {
                    match key.as_ref() {
                        "id" => raw.id = map.next_value()?,
                        "name" => raw.name = map.next_value()?,
                        "timestamp" => raw.timestamp = map.next_value()?,
                        "metadata" => raw.metadata = map.next_value()?,
                        "tags" => raw.tags = map.next_value()?,
                        "metrics_ids" => raw.metrics_ids = map.next_value()?,
                        "suite" => raw.suite = map.next_value()?,
                        "metric_results" => raw.metric_results = map.next_value()?,
                        "top_level_metrics" => raw.top_level_metrics = map.next_value()?,
                        "widgets" => raw.widgets = map.next_value()?,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(raw)
            }
        }
        d.deserialize_map(V)
    }
}

/// A whole document through serde, then into the model.
pub(crate) fn parse(
    json: &[u8],
    id: &str,
    project_id: &str,
    opts: &ParseOptions,
) -> Result<Snapshot, ParseError> {
    let raw: RawSnapshot = serde_json::from_slice(json).map_err(|e| ParseError::from_serde(&e))?;
    build(raw, id, project_id, opts)
}

/// The model of a snapshot from its raw fields.
pub(crate) fn build(
    raw: RawSnapshot<'_>,
    id: &str,
    project_id: &str,
    opts: &ParseOptions,
) -> Result<Snapshot, ParseError> {
    let generation = match (&raw.suite, &raw.metric_results) {
        (Some(_), _) => Generation::Legacy,
        (None, Some(_)) => Generation::V2,
        (None, None) => {
            return Err(ParseError::WrongShape(
                "neither `suite` (legacy) nor `metric_results` (v2) at the top level".into(),
            ))
        }
    };
    let ts_text = match raw.timestamp.as_ref().map(|p| &p.0) {
        Some(Val::String(s)) => s.to_string(),
        Some(Val::Null) | None => {
            return Err(ParseError::BadTimestamp("no `timestamp` field".into()))
        }
        Some(other) => return Err(ParseError::BadTimestamp(format!("not a string: {other}"))),
    };
    let (timestamp, timestamp_naive) = time::parse_timestamp(&ts_text, opts.tz)
        .ok_or_else(|| ParseError::BadTimestamp(format!("cannot read {ts_text:?}")))?;

    let tags = match raw.tags.map(|p| p.0) {
        Some(Val::Array(a)) => a
            .into_iter()
            .filter_map(|t| match t {
                Val::String(s) => Some(s.into_owned()),
                Val::Null => None,
                other => Some(other.to_string()),
            })
            .collect(),
        _ => Vec::new(),
    };
    let metadata = match raw.metadata.map(|p| p.0) {
        Some(Val::Object(o)) => o.iter().map(|(k, v)| (k, v.to_value())).collect(),
        _ => Metadata::default(),
    };
    let name = match raw.name.map(|p| p.0) {
        Some(Val::String(s)) => Some(s.into_owned()),
        _ => None,
    };
    let inner_id_mismatch = match raw.id.as_ref().map(|p| &p.0) {
        Some(Val::String(s)) if !s.eq_ignore_ascii_case(id) => Some(s.to_string()),
        _ => None,
    };

    let mut snapshot = Snapshot {
        id: id.to_string(),
        inner_id_mismatch,
        project_id: project_id.to_string(),
        timestamp,
        timestamp_naive,
        name,
        tags,
        metadata,
        generation,
        kind: SnapshotKind::Run,
        tests: Vec::new(),
        series: SeriesSet::default(),
        drift: Vec::new(),
    };
    let mut series = keys::Series::begin(project_id);
    match generation {
        Generation::Legacy => {
            let metrics_ids: Vec<usize> = raw
                .metrics_ids
                .unwrap_or_default()
                .0
                .iter()
                .filter_map(|v| v.as_u64())
                .map(|v| v as usize)
                .collect();
            snapshot.kind = if metrics_ids.is_empty() {
                SnapshotKind::TestSuite
            } else {
                SnapshotKind::Report
            };
            if let Some(suite) = raw.suite {
                legacy::fill(&mut snapshot, &mut series, suite, &metrics_ids);
            }
        }
        Generation::V2 => {
            if let Some(results) = raw.metric_results {
                let order: Vec<String> = raw
                    .top_level_metrics
                    .unwrap_or_default()
                    .0
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect();
                v2::fill(&mut snapshot, &mut series, results, &order);
                if let Some(w) = raw.widgets {
                    v2::merge_drift_table(&mut snapshot, w.0);
                }
            }
        }
    }
    snapshot.series = series.finish(project_id, dedupe_series);
    // Kept for the life of the index: no spare capacity.
    snapshot.tests.shrink_to_fit();
    snapshot.drift.shrink_to_fit();
    snapshot.tags.shrink_to_fit();
    Ok(snapshot)
}

/// Keep one value per key: the first; a later different value under the
/// same key gets a `#2`, `#3` suffix so nothing is silently lost. True
/// when a key came more than once.
fn dedupe_series(series: Vec<SeriesValue>) -> (Vec<SeriesValue>, bool) {
    use crate::model::intern::FxBuild;
    // Keys are interned: the same text is the same allocation, so the
    // address identifies the key (cheap to hash).
    let mut seen: HashMap<*const u8, (Option<f64>, u32), FxBuild> =
        HashMap::with_capacity_and_hasher(series.len(), FxBuild::default());
    let mut out = Vec::with_capacity(series.len());
    let mut repeated = false;
    for mut v in series {
        match seen.get_mut(&v.key.as_ptr()) {
            None => {
                seen.insert(v.key.as_ptr(), (v.value, 1));
                out.push(v);
            }
            Some((first, n)) => {
                repeated = true;
                if same(*first, v.value) {
                    continue;
                }
                *n += 1;
                v.key = crate::model::intern::intern(&format!("{}#{}", v.key, n));
                out.push(v);
            }
        }
    }
    (out, repeated)
}

fn same(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => x == y,
        (None, None) => true,
        _ => false,
    }
}
