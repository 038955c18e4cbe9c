//! Parser tests on small fixtures committed under tests/fixtures/parse:
//! real Evidently 0.4.40 files, edited (with Python's json module) to cover
//! what the shared corpus lacks: the classpath `type` flavour with a UUIDv4
//! id, ERROR and SKIPPED statuses, and an aware timestamp.
//! Expected values were read out of the files with Python, e.g.
//! `python3 -c "import json;d=json.load(open(F));print(d['suite']['metric_results'][1]['current']['accuracy'])"`.

use std::path::PathBuf;

use snapscope::model::{Generation, SnapshotKind, TestStatus};
use snapscope::parse::{parse_snapshot, ParseError, ParseOptions, TimeZoneChoice};

fn fixture(name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/parse")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn utc() -> ParseOptions {
    ParseOptions {
        tz: TimeZoneChoice::Utc,
    }
}

const CLASSPATH: &str = "3f1c2a4e-8b7d-4c1e-9f0a-2b3c4d5e6f70";
const STATUSES: &str = "01a2230d-0ef7-797e-a6d5-e7203cef3e6c";

#[test]
fn classpath_flavour_reads_like_the_alias_flavour() {
    let bytes = fixture(&format!("{CLASSPATH}.json"));
    let s = parse_snapshot(&bytes, CLASSPATH, "p", &utc()).unwrap();
    assert_eq!(s.generation, Generation::Legacy);
    assert_eq!(s.kind, SnapshotKind::Report);
    assert_eq!(s.timestamp.to_rfc3339(), "2024-03-27T02:05:48+00:00");
    assert!(s.timestamp_naive);
    assert_eq!(s.tags, vec!["incident:small_batch".to_string()]);
    assert_eq!(
        s.series_value("ClassificationQualityMetric.current.accuracy")
            .and_then(|v| v.value),
        Some(0.7333333333333333)
    );
    assert_eq!(
        s.series_value("DatasetDriftMetric{drift_share=0.5}.share_of_drifted_columns")
            .and_then(|v| v.value),
        Some(0.42857142857142855)
    );
    let alcohol = s.drift.iter().find(|d| &*d.column == "alcohol").unwrap();
    assert_eq!(alcohol.method.as_deref(), Some("K-S p_value"));
    assert_eq!(alcohol.score, Some(0.000370002015733349));
    assert_eq!(alcohol.drifted, Some(true));
    assert!(!alcohol.inferred);
    let target = s.drift.iter().find(|d| &*d.column == "target").unwrap();
    assert_eq!(target.method.as_deref(), Some("chi-square p_value"));
    assert_eq!(target.drifted, Some(false));
    assert_eq!(s.drift.len(), 3);

    // The same file with alias types gives exactly the same series keys.
    let text = String::from_utf8(bytes).unwrap();
    let alias = text
        .replace("\"evidently.metrics.some_module.", "\"evidently:metric:")
        .replace(
            "\"evidently.metric_results.some_module.",
            "\"evidently:metric_result:",
        )
        .replace("\"evidently.base_metric.", "\"evidently:base:");
    assert_ne!(alias, text);
    let a = parse_snapshot(alias.as_bytes(), CLASSPATH, "p", &utc()).unwrap();
    assert_eq!(a.series, s.series);
    assert_eq!(a.drift, s.drift);
}

#[test]
fn all_five_statuses_and_aware_timestamps() {
    let s = parse_snapshot(&fixture(&format!("{STATUSES}.json")), STATUSES, "p", &utc()).unwrap();
    assert_eq!(s.kind, SnapshotKind::TestSuite);
    assert!(!s.timestamp_naive);
    assert_eq!(s.timestamp.to_rfc3339(), "2024-03-27T00:44:10+00:00");
    let statuses: Vec<TestStatus> = s.tests.iter().map(|t| t.status).collect();
    use TestStatus::*;
    assert_eq!(statuses, vec![Error, Skipped, Fail, Warning, Fail, Warning]);
    let c = s.test_counts();
    assert_eq!(
        (c.success, c.fail, c.warning, c.error, c.skipped),
        (0, 2, 2, 1, 1)
    );
    let rows = &s.tests[4];
    assert_eq!(&*rows.name, "Number of Rows");
    assert_eq!(rows.value, Some(15.0));
    assert_eq!(rows.condition.as_deref(), Some("gte 40"));
    assert_eq!(&*rows.test_type, "TestNumberOfRows");
    let drift = &s.tests[5];
    assert_eq!(drift.column.as_deref(), Some("alcohol"));
    // Drift test parameters are the fallback source of drift rows.
    assert_eq!(
        s.drift
            .iter()
            .find(|d| &*d.column == "alcohol")
            .map(|d| d.drifted),
        Some(Some(true))
    );
    // Identities differ between the two by-class tests (label is part of the config).
    assert_ne!(s.tests[2].identity, s.tests[3].identity);
}

#[test]
fn naive_timestamps_follow_the_chosen_zone() {
    let bytes = fixture(&format!("{CLASSPATH}.json"));
    let berlin = ParseOptions {
        tz: "Europe/Berlin".parse().unwrap(),
    };
    let s = parse_snapshot(&bytes, CLASSPATH, "p", &berlin).unwrap();
    // 2024-03-27 is CET (+01:00) in Berlin.
    assert_eq!(s.timestamp.to_rfc3339(), "2024-03-27T01:05:48+00:00");
}

#[test]
fn bad_input_gives_clear_errors() {
    let o = utc();
    let full = fixture(&format!("{STATUSES}.json"));
    let half = &full[..full.len() / 2];
    let e = parse_snapshot(half, "x", "p", &o).unwrap_err();
    assert!(matches!(e, ParseError::Truncated { .. }), "{e}");
    assert!(e.is_incomplete());
    assert_eq!(
        parse_snapshot(b"", "x", "p", &o).unwrap_err(),
        ParseError::Empty
    );
    let html =
        parse_snapshot(b"<html><body>502 Bad Gateway</body></html>", "x", "p", &o).unwrap_err();
    assert!(html.to_string().contains("HTML"), "{html}");
    let shape = parse_snapshot(br#"{"hello": "world"}"#, "x", "p", &o).unwrap_err();
    assert!(matches!(shape, ParseError::WrongShape(_)), "{shape}");
    let no_ts = parse_snapshot(br#"{"suite": {}, "metrics_ids": []}"#, "x", "p", &o).unwrap_err();
    assert!(matches!(no_ts, ParseError::BadTimestamp(_)), "{no_ts}");
    let bad_ts = parse_snapshot(
        br#"{"metric_results": {}, "timestamp": "soon"}"#,
        "x",
        "p",
        &o,
    )
    .unwrap_err();
    assert!(bad_ts.to_string().contains("soon"), "{bad_ts}");
    let wrong_type = parse_snapshot(
        br#"{"metric_results": [1,2], "timestamp": "2024-01-01"}"#,
        "x",
        "p",
        &o,
    )
    .unwrap_err();
    assert!(
        matches!(wrong_type, ParseError::WrongShape(_)),
        "{wrong_type}"
    );
    // Every prefix of a real file is an error or a value, never a panic.
    for cut in (0..full.len()).step_by(997) {
        let _ = parse_snapshot(&full[..cut], "x", "p", &o);
    }
}

#[test]
fn nan_and_infinity_parse_and_stay_unknown() {
    let text = r#"{"id": "a", "timestamp": "2024-01-01T00:00:00", "metrics_ids": [0],
      "suite": {"metrics": [{"type": "evidently:metric:ColumnSummaryMetric",
                              "column_name": {"type": "evidently:base:ColumnName", "name": "x"}}],
                "metric_results": [{"type": "evidently:metric_result:ColumnSummaryResult",
                                    "current_characteristics": {"mean": NaN, "max": Infinity, "min": -Infinity, "count": 3},
                                    "label": "NaN -Infinity"}]}}"#;
    let s = parse_snapshot(text.as_bytes(), "a", "p", &utc()).unwrap();
    let key = "ColumnSummaryMetric{column_name=x}.current_characteristics";
    assert_eq!(
        s.series_value(&format!("{key}.count"))
            .and_then(|v| v.value),
        Some(3.0)
    );
    // Non-finite values are not invented as numbers.
    assert!(s
        .series_value(&format!("{key}.mean"))
        .and_then(|v| v.value)
        .is_none());
}

#[test]
fn long_metric_lists_are_read_whole() {
    // A legacy report with 100 top-level metrics: every one gives its series
    // (lists inside results are capped at 64 items, `metrics_ids` is not).
    let n = 100;
    let metrics: Vec<String> = (0..n)
        .map(|i| format!(r#"{{"type": "evidently:metric:M{i}"}}"#))
        .collect();
    let results: Vec<String> = (0..n)
        .map(|i| format!(r#"{{"type": "evidently:metric_result:R", "value": {i}}}"#))
        .collect();
    let ids: Vec<String> = (0..n).map(|i| i.to_string()).collect();
    let doc = format!(
        r#"{{"id": "x", "timestamp": "2025-01-01T00:00:00", "metrics_ids": [{}], "test_ids": [],
            "suite": {{"metrics": [{}], "metric_results": [{}], "tests": [], "test_results": []}}}}"#,
        ids.join(", "),
        metrics.join(", "),
        results.join(", ")
    );
    let s = parse_snapshot(doc.as_bytes(), "x", "p", &utc()).unwrap();
    assert_eq!(s.series.len(), n);
    let last = s.series.iter().find(|v| v.key() == "M99.value").unwrap();
    assert_eq!(last.value, Some(99.0));
}
