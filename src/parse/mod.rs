//! Parsing Evidently files (both generations) into the domain model.
//! Pure functions over bytes: no I/O, no UI.
//!
//! A snapshot is read in one pass by `direct`: it passes over the values
//! indexing never reads (plot data, rendered widgets: most of a file) by
//! bracket matching, and builds the rest into borrowed values (`pruned`)
//! that `legacy` / `v2` turn into the model. If anything there is unusual,
//! the whole file goes through serde instead (the same values, the same
//! pruning), so errors carry their real position.

pub mod dashboard;
mod direct;
mod json;
mod keys;
mod leaves;
mod legacy;
mod project;
mod pruned;
mod reader;
mod series;
mod shape;
mod skim;
mod snapshot;
mod time;
mod v2;
mod widgets;

pub use json::{check_prefix, replace_non_finite};
pub use project::{parse_project_metadata, ProjectMeta};
pub use series::{canonical_params, is_render_switch, value_text};
pub use time::{parse_timestamp, TimeZoneChoice};

use crate::model::{ScoreKind, Snapshot};

/// Options that change how a snapshot is interpreted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ParseOptions {
    /// Zone for timestamps written without one.
    pub tz: TimeZoneChoice,
}

/// Why a file could not be read as a snapshot (or project record).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Zero bytes (or only whitespace).
    #[error("empty file")]
    Empty,
    /// The JSON ends before it is complete: typical of a file still being written.
    #[error("truncated JSON (ends at line {line}, column {column})")]
    Truncated { line: usize, column: usize },
    /// Not JSON at all, or broken JSON.
    #[error("invalid JSON at line {line}, column {column}: {message}")]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    /// Valid JSON, but not an Evidently snapshot / project of any known shape.
    #[error("not an Evidently snapshot: {0}")]
    WrongShape(String),
    /// No usable `timestamp` field.
    #[error("bad timestamp: {0}")]
    BadTimestamp(String),
    /// File larger than the configured maximum.
    #[error("file too large ({size} bytes > limit {limit})")]
    TooLarge { size: u64, limit: u64 },
    /// A `dashboard.json` that is not (yet) complete JSON.
    #[error("invalid dashboard.json: {message}")]
    DashboardJson { message: String, truncated: bool },
}

impl ParseError {
    /// True for errors a half-written file produces (empty or truncated):
    /// such a file is retried before it is called unreadable.
    pub fn is_incomplete(&self) -> bool {
        matches!(
            self,
            ParseError::Empty
                | ParseError::Truncated { .. }
                | ParseError::DashboardJson {
                    truncated: true,
                    ..
                }
        )
    }

    pub(crate) fn from_serde(e: &serde_json::Error) -> ParseError {
        use serde_json::error::Category;
        match e.classify() {
            Category::Eof => ParseError::Truncated {
                line: e.line(),
                column: e.column(),
            },
            Category::Data => ParseError::WrongShape(strip_position(&e.to_string())),
            _ => ParseError::Syntax {
                line: e.line(),
                column: e.column(),
                message: strip_position(&e.to_string()),
            },
        }
    }
}

fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// Parse one snapshot file's bytes. `id` is the file stem, `project_id` the
/// owning project's id. The generation is decided from the content.
pub fn parse_snapshot(
    bytes: &[u8],
    id: &str,
    project_id: &str,
    opts: &ParseOptions,
) -> Result<Snapshot, ParseError> {
    let body = json::check_start(bytes)?;
    if let Some(snapshot) = parse_fast(body, id, project_id, opts) {
        return Ok(snapshot);
    }
    match parse_full(body, id, project_id, opts) {
        // What Python reads but serde refuses (`1e400`, a lone surrogate
        // escape): once more, rewritten as `json::repair` says.
        Err(e @ ParseError::Syntax { .. }) => match json::repair(body) {
            Some(fixed) => parse_full(&fixed, id, project_id, opts),
            None => Err(e),
        },
        other => other,
    }
}

/// The fast path: one pass that builds only what indexing reads (see
/// `direct`). `None` when anything is unusual there: the full path then
/// reports it exactly.
fn parse_fast(body: &[u8], id: &str, project_id: &str, opts: &ParseOptions) -> Option<Snapshot> {
    let raw = direct::read_snapshot(body)?;
    snapshot::build(raw, id, project_id, opts).ok()
}

/// The whole file through serde (heavy parts still skipped unbuilt).
fn parse_full(
    body: &[u8],
    id: &str,
    project_id: &str,
    opts: &ParseOptions,
) -> Result<Snapshot, ParseError> {
    let text = json::replace_non_finite(body);
    snapshot::parse(&text, id, project_id, opts)
}

/// Whether a drift method's score is a p-value or a distance (format doc §6.8).
pub fn score_kind(method: &str) -> ScoreKind {
    match drift_direction(method) {
        Some(DriftDirection::LessOrEqual) | Some(DriftDirection::Less) => ScoreKind::PValue,
        Some(DriftDirection::GreaterOrEqual) | Some(DriftDirection::Greater) => ScoreKind::Distance,
        None => {
            let m = method.to_ascii_lowercase();
            if m.contains("p_value") || m.contains("p-value") {
                ScoreKind::PValue
            } else if m.contains("distance") || m.contains("divergence") {
                ScoreKind::Distance
            } else {
                ScoreKind::Unknown
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DriftDirection {
    LessOrEqual,
    Less,
    GreaterOrEqual,
    Greater,
}

fn drift_direction(method: &str) -> Option<DriftDirection> {
    use DriftDirection::*;
    Some(match method {
        "K-S p_value" | "Cramer-von Mises" => LessOrEqual,
        "chi-square p_value"
        | "Z-test p_value"
        | "Anderson-Darling"
        | "Epps-Singleton"
        | "Fisher's Exact test"
        | "g_test"
        | "Mann-Whitney U-rank test"
        | "t_test"
        | "empirical_mmd"
        | "Total-Variation-Distance" => Less,
        "Wasserstein distance (normed)"
        | "Jensen-Shannon distance"
        | "PSI"
        | "Kullback-Leibler divergence"
        | "Hellinger distance" => GreaterOrEqual,
        "Energy-distance" => Greater,
        _ => return None,
    })
}

/// Infer "drifted" from a method's direction (only when the file has no flag).
pub fn infer_drifted(method: &str, score: f64, threshold: f64) -> Option<bool> {
    Some(match drift_direction(method)? {
        DriftDirection::LessOrEqual => score <= threshold,
        DriftDirection::Less => score < threshold,
        DriftDirection::GreaterOrEqual => score >= threshold,
        DriftDirection::Greater => score > threshold,
    })
}

#[cfg(test)]
mod fast_path_tests {
    use super::*;
    use std::path::Path;

    fn json_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in walkdir::WalkDir::new(dir).into_iter().flatten() {
            if e.path().extension().is_some_and(|x| x == "json") {
                out.push(e.path().to_path_buf());
            }
        }
    }

    /// A legacy snapshot of two metrics: `first` and `second` are the
    /// results, `ids` the `metrics_ids`.
    fn legacy_doc(first: &str, second: &str, ids: &str) -> String {
        format!(
            r#"{{"id": "s", "timestamp": "2024-03-01T02:00:00", "suite": {{"metrics": [
                {{"type": "evidently:metric:DatasetDriftMetric"}},
                {{"type": "evidently:metric:ColumnDriftMetric", "column_name": "age"}}],
              "metric_results": [{first}, {second}], "tests": [], "test_results": []}},
              "metrics_ids": {ids}}}"#
        )
    }

    /// The fast path builds only the legacy results it reads (the report's
    /// own metrics and the drift results), decided by the last `type`
    /// written; what it passes over cannot make it refuse a file.
    #[test]
    fn unread_legacy_results_are_passed_over() {
        let opts = ParseOptions::default();
        let deep = format!("{}1{}", "[".repeat(60), "]".repeat(60));
        let dataset = format!(
            r#"{{"type": "evidently:metric_result:DatasetDriftMetricResults", "share_of_drifted_columns": 0.25, "deep": {deep}}}"#
        );
        let column = |types: &str| {
            format!(
                r#"{{{types}, "column_name": "age", "stattest_name": "K-S p_value", "drift_score": 0.01, "stattest_threshold": 0.05, "drift_detected": true}}"#
            )
        };
        let drift = r#""type": "evidently:metric_result:ColumnDataDriftMetrics""#;
        let other = r#""type": "evidently:metric_result:Other""#;
        let read = |doc: &str| {
            let body = json::check_start(doc.as_bytes()).unwrap();
            let full = parse_full(body, "s", "p", &opts).unwrap();
            (parse_fast(body, "s", "p", &opts), full)
        };
        // The deep result is not among metrics_ids: passed over unbuilt.
        let (fast, full) = read(&legacy_doc(&dataset, &column(drift), "[1]"));
        assert_eq!(fast.as_ref(), Some(&full));
        assert_eq!(full.drift.len(), 1);
        assert_eq!(
            full.series
                .get("ColumnDriftMetric{column_name=age}.drift_score")
                .and_then(|v| v.value),
            Some(0.01)
        );
        // Among them it is read, and too deep for the fast path.
        let (fast, full) = read(&legacy_doc(&dataset, &column(drift), "[0, 1]"));
        assert_eq!(fast, None);
        assert_eq!(
            full.series
                .get("DatasetDriftMetric.share_of_drifted_columns")
                .and_then(|v| v.value),
            Some(0.25)
        );
        // A type written twice: the last one decides whether it is a drift result.
        for (types, rows) in [
            (format!("{other}, {drift}"), 1),
            (format!("{drift}, {other}"), 0),
            (format!(r#"{drift}, "type": 7"#), 0),
        ] {
            let (fast, full) = read(&legacy_doc(&dataset, &column(&types), "[]"));
            assert_eq!(fast.as_ref(), Some(&full), "{types}");
            assert_eq!(full.drift.len(), rows, "{types}");
        }
    }

    /// A result read by the shape of the one before it reads as the full
    /// path reads it; one that does not fit the shape (a value now null,
    /// keys in another order, a key more, a repeated or escaped key, an
    /// object where a number was) is walked.
    #[test]
    fn results_read_by_shape_read_as_the_full_path() {
        let opts = ParseOptions::default();
        let result = |members: &[String]| {
            format!(
                r#"{{"type": "evidently:metric_result:DatasetDriftMetricResults", "plot_data": [1], {}}}"#,
                members.join(", ")
            )
        };
        let column = r#"{"type": "evidently:metric_result:ColumnDataDriftMetrics"}"#;
        let base: Vec<String> = (0..12)
            .rev()
            .map(|i| {
                format!(r#""col_{i:02}": {{"share": 0.{i}, "n": {i}, "ok": true, "name": "c"}}"#)
            })
            .collect();
        let with = |at: usize, member: &str| {
            let mut m = base.clone();
            m[at] = member.to_string();
            m
        };
        let mut swapped = base.clone();
        swapped.swap(2, 3);
        let mut more = base.clone();
        more.push(r#""extra": 1"#.to_string());
        let mut repeated = base.clone();
        repeated.push(r#""col_05": 7"#.to_string());
        let renumbered: Vec<String> = base.iter().map(|m| m.replace("0.", "1.")).collect();
        let cases = [
            (base.clone(), true),
            (renumbered, true),
            (
                with(
                    4,
                    r#""col_07": {"share": null, "n": 7, "ok": true, "name": "c"}"#,
                ),
                false,
            ),
            (base.clone(), true),
            (swapped, false),
            (repeated, false),
            (
                with(
                    0,
                    r#""col_1\u0031": {"share": 0.1, "n": 1, "ok": true, "name": "c"}"#,
                ),
                false,
            ),
            // Results with no shape leave the recent ones as they were.
            (base.clone(), true),
            (more, false),
            (with(1, r#""col_10": 3"#), false),
            (
                with(
                    1,
                    r#""col_10": {"share": 0.5, "n": 10, "ok": false, "name": 4}"#,
                ),
                false,
            ),
        ];
        let mut read_by_shape = 0;
        for (i, (members, fits)) in cases.iter().enumerate() {
            let doc = legacy_doc(&result(members), column, "[0]");
            let body = json::check_start(doc.as_bytes()).unwrap();
            let full = parse_full(body, "s", "p", &opts).unwrap();
            assert_eq!(
                parse_fast(body, "s", "p", &opts).as_ref(),
                Some(&full),
                "case {i}"
            );
            assert!(full.series.len() >= 30, "case {i}");
            let now = shape::READ_BY_SHAPE.with(|n| n.get());
            assert_eq!(
                now > read_by_shape,
                *fits && i > 0,
                "case {i} read by shape"
            );
            read_by_shape = now;
        }
    }

    /// The fast path gives exactly what the full path gives, on every
    /// snapshot bundled with the repository (real Evidently files, broken
    /// and hostile fixtures) and on ../shared when it is there.
    #[test]
    fn fast_path_equals_full_path() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        json_files(&root.join("sample_snapshots"), &mut files);
        json_files(&root.join("tests/fixtures"), &mut files);
        let shared = root.join("../shared/evidently-workspaces");
        if shared.is_dir() {
            json_files(&shared, &mut files);
        } else {
            eprintln!("SKIPPED ../shared/evidently-workspaces: not present");
        }
        let opts = ParseOptions::default();
        let (mut fast, mut checked) = (0, 0);
        for f in &files {
            let bytes = std::fs::read(f).unwrap();
            let Ok(body) = json::check_start(&bytes) else {
                continue;
            };
            checked += 1;
            let full = parse_full(body, "id", "p", &opts);
            let quick = parse_fast(body, "id", "p", &opts);
            if let Some(q) = &quick {
                fast += 1;
                assert_eq!(Ok(q), full.as_ref(), "{}", f.display());
            }
            // A file only the full path reads is allowed (it is slower,
            // not wrong); a difference in what is read is not.
            if quick.is_none() && full.is_ok() {
                eprintln!("full path only: {}", f.display());
            }
        }
        assert!(
            fast >= 40,
            "only {fast} of {} files took the fast path",
            files.len()
        );
        eprintln!("{fast} of {checked} snapshot files took the fast path");
    }
}
