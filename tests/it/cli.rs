//! End-to-end tests of the `snapscope` binary: headless commands on
//! `sample_snapshots/` (expected values read independently with jq, command
//! in each comment, run from the repository root), bad input under
//! `tests/fixtures/bad/`, exit codes, JSON field names, and that PATH is
//! never written to.

use crate::common;
use common::run;

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;
use std::process::Output;

use serde_json::Value;

pub(crate) const TUMOR: &str = "01a2230c-81ae-78e6-8ae0-202ec1933101";
pub(crate) const WINE: &str = "01a2230c-f95d-73a0-a6bd-fc50ff8e8664";
pub(crate) const DIABETES: &str = "01a2230d-b8d2-7113-98bf-36daa2d1f948";
pub(crate) const ORDERS: &str = "01a2230d-d63c-70c3-b4c7-156719f977bb";

pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub(crate) fn snapscope(args: &[&str]) -> Output {
    run::snapscope()
        .args(args)
        .env("SNAPSCOPE_NO_CACHE", "1")
        .output()
        .expect("the snapscope binary runs")
}

/// Global options work before and after the command.
#[test]
fn global_options_before_or_after_the_command() {
    let before = snapscope(&["--tz", "utc", "projects", "--json", "sample_snapshots"]);
    let after = snapscope(&["projects", "--json", "sample_snapshots", "--tz", "utc"]);
    assert_eq!(before.status.code(), Some(0), "{}", stderr(&before));
    assert_eq!(text(&before), text(&after));
    // `ls sample_snapshots` shows 4 project folders.
    let v: serde_json::Value = serde_json::from_slice(&before.stdout).unwrap();
    assert_eq!(v.as_array().map(Vec::len), Some(4));
}

pub(crate) fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Run, require exit 0, parse stdout as JSON.
pub(crate) fn json(args: &[&str]) -> Value {
    let o = snapscope(args);
    assert_eq!(o.status.code(), Some(0), "{args:?} failed: {}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{args:?}: bad JSON: {e}"))
}

pub(crate) fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v
        .as_object()
        .expect("a JSON object")
        .keys()
        .map(String::as_str)
        .collect();
    k.sort_unstable();
    k
}

pub(crate) fn assert_has_keys(v: &Value, required: &[&str]) {
    let have = keys(v);
    for k in required {
        assert!(have.contains(k), "missing field {k:?} in {have:?}");
    }
}

pub(crate) fn close(a: &Value, b: f64) -> bool {
    a.as_f64()
        .is_some_and(|a| (a - b).abs() <= 1e-12 * b.abs().max(1.0))
}

// ---------------------------------------------------------------- sample_snapshots

#[test]
fn projects_of_the_sample_workspace() {
    // for d in sample_snapshots/*/; do jq -r '[.id,.name]|@tsv' $d/metadata.json; \
    //   ls $d/snapshots | wc -l; for f in $d/snapshots/*.json; do jq -r .timestamp $f; done | sort | sed -n '1p;$p'; done
    let v = json(&["projects", "sample_snapshots", "--json", "--tz", "utc"]);
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 4);
    let expected = [
        // sorted by name
        (
            DIABETES,
            "Diabetes progression regressor",
            8,
            "2024-03-26T02:07:34+00:00",
            "2024-04-02T02:13:25+00:00",
        ),
        (
            ORDERS,
            "Orders ingest pipeline (data only)",
            8,
            "2024-03-28T02:15:37+00:00",
            "2024-04-04T02:11:31+00:00",
        ),
        (
            TUMOR,
            "Tumor classifier (binary)",
            12,
            "2024-03-25T02:10:58+00:00",
            "2024-04-02T02:13:25+00:00",
        ),
        (
            WINE,
            "Wine cultivar classifier (multiclass)",
            12,
            "2024-03-19T02:23:30+00:00",
            "2024-03-27T02:20:48+00:00",
        ),
    ];
    for (row, (id, name, n, first, last)) in rows.iter().zip(expected) {
        assert_has_keys(
            row,
            &["id", "name", "snapshots", "unreadable", "first", "last"],
        );
        assert_eq!(row["id"], id);
        assert_eq!(row["name"], name);
        assert_eq!(row["snapshots"], n);
        assert_eq!(row["unreadable"], 0);
        assert_eq!(row["first"], first);
        assert_eq!(row["last"], last);
    }
}

#[test]
fn no_command_prints_the_projects_of_sample_snapshots() {
    let o = snapscope(&["--tz", "utc"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = text(&o);
    for name in [
        "Diabetes progression regressor",
        "Orders ingest pipeline (data only)",
        "Tumor classifier (binary)",
        "Wine cultivar classifier (multiclass)",
    ] {
        assert!(out.contains(name), "{name} missing from:\n{out}");
    }
    assert!(out.lines().all(|l| l.chars().count() <= 80), "{out}");
    // An explicit top-level PATH works the same way.
    let o = snapscope(&["tests/fixtures/bad"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o).contains("7 unreadable file(s)"));
}

#[test]
fn snapshots_of_a_project_with_kinds_and_test_counts() {
    // cat sample_snapshots/01a2230c-81ae-*/snapshots/*.json | jq -r 'if (.test_ids|length)>0
    //   then "test_suite" else "report" end' | sort | uniq -c          -> 9 report, 3 test_suite
    // cat .../snapshots/*.json | jq -r '.suite.test_results[].status' | sort | uniq -c
    //                                                                   -> 25 SUCCESS, 7 FAIL, 3 WARNING
    let v = json(&[
        "snapshots",
        "sample_snapshots",
        "--project",
        TUMOR,
        "--json",
        "--tz",
        "utc",
    ]);
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 12);
    let mut kinds = BTreeMap::new();
    let mut totals = BTreeMap::new();
    for r in rows {
        assert_has_keys(
            r,
            &[
                "project_id",
                "id",
                "timestamp",
                "name",
                "generation",
                "kind",
                "tags",
                "metadata",
                "tests",
            ],
        );
        assert_eq!(r["project_id"], TUMOR);
        assert_eq!(r["generation"], "legacy");
        *kinds
            .entry(r["kind"].as_str().unwrap().to_string())
            .or_insert(0) += 1;
        assert_eq!(
            keys(&r["tests"]),
            ["error", "fail", "skipped", "success", "warning"]
        );
        for (k, n) in r["tests"].as_object().unwrap() {
            *totals.entry(k.clone()).or_insert(0) += n.as_u64().unwrap();
        }
    }
    assert_eq!(
        kinds,
        BTreeMap::from([("report".into(), 9), ("test_suite".into(), 3)])
    );
    assert_eq!(totals["success"], 25);
    assert_eq!(totals["fail"], 7);
    assert_eq!(totals["warning"], 3);
    assert_eq!(totals["error"] + totals["skipped"], 0);
    // Sorted by timestamp (all naive, read as UTC here).
    let ts: Vec<&str> = rows
        .iter()
        .map(|r| r["timestamp"].as_str().unwrap())
        .collect();
    assert!(ts.windows(2).all(|w| w[0] <= w[1]), "{ts:?}");
    assert!(ts.iter().all(|t| t.ends_with("+00:00")));

    // v2: cat sample_snapshots/01a2230d-b8d2-*/snapshots/*.json | jq -r '.metric_results[] | .tests[]?.status'
    //   | sort | uniq -c                                                -> 26 SUCCESS, 29 FAIL, 12 WARNING
    let v = json(&[
        "snapshots",
        "sample_snapshots",
        "--project",
        "Diabetes progression regressor",
        "--json",
    ]);
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 8);
    assert!(rows
        .iter()
        .all(|r| r["generation"] == "v2" && r["kind"] == "run"));
    let sum = |k: &str| {
        rows.iter()
            .map(|r| r["tests"][k].as_u64().unwrap())
            .sum::<u64>()
    };
    assert_eq!((sum("success"), sum("fail"), sum("warning")), (26, 29, 12));
}

#[test]
fn snapshot_filters_by_time_and_tags() {
    // cat sample_snapshots/01a2230c-81ae-*/snapshots/*.json | jq -r 'select(.timestamp >= "2024-03-29"
    //   and .timestamp < "2024-04-02") | .id' | sort                     -> these 6 ids (dates are inclusive)
    let v = json(&[
        "snapshots",
        "sample_snapshots",
        "--project",
        "tumor",
        "--since",
        "2024-03-29",
        "--until",
        "2024-04-01",
        "--tz",
        "utc",
        "--json",
    ]);
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "01a2230c-a0c8-7d5e-b9fb-7537446b24b8",
            "01a2230c-a15e-7401-8d29-18b6bf4717cc",
            "01a2230c-a336-7deb-b03f-edba5d8efde5",
            "01a2230c-a3db-700f-b708-5483c5886ca5",
            "01a2230c-a466-7a1f-a831-d4e0721047dd",
            "01a2230c-a504-7ad4-9122-aaa2787bd481",
        ]
    );
    // Minute precision, inclusive: 02:19 .. 02:34 keeps 02:19:03 and 02:34:03.
    let v = json(&[
        "snapshots",
        "sample_snapshots",
        "--project",
        TUMOR,
        "--since",
        "2024-03-29T02:19",
        "--until",
        "2024-03-29T02:34",
        "--tz",
        "utc",
        "--json",
    ]);
    assert_eq!(v.as_array().unwrap().len(), 2);
    // RFC 3339 with an offset: 04:19:03+02:00 is 02:19:03 UTC, so only 02:34:03 is after it.
    let v = json(&[
        "snapshots",
        "sample_snapshots",
        "--project",
        TUMOR,
        "--since",
        "2024-03-29T04:19:04+02:00",
        "--until",
        "2024-03-29",
        "--tz",
        "utc",
        "--json",
    ]);
    assert_eq!(v[0]["id"], "01a2230c-a15e-7401-8d29-18b6bf4717cc");
    assert_eq!(v.as_array().unwrap().len(), 1);
    // cat sample_snapshots/*/snapshots/*.json | jq -r 'select((.tags|index("prod")) and
    //   (.tags|index("nightly"))) | .timestamp' | wc -l                 -> 9
    let v = json(&[
        "snapshots",
        "sample_snapshots",
        "--tag",
        "prod",
        "--tag",
        "nightly",
        "--json",
    ]);
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 9);
    let projects: std::collections::BTreeSet<&str> = rows
        .iter()
        .map(|r| r["project_id"].as_str().unwrap())
        .collect();
    assert_eq!(projects.len(), 4);
    // Relative bounds: everything in the sample is older than a day.
    let v = json(&["snapshots", "sample_snapshots", "--since", "24h", "--json"]);
    assert_eq!(v.as_array().unwrap().len(), 0);
    let v = json(&["snapshots", "sample_snapshots", "--until", "1d", "--json"]);
    assert_eq!(v.as_array().unwrap().len(), 40);
}

#[test]
fn zone_choice_changes_naive_timestamps() {
    // jq -r .timestamp sample_snapshots/01a2230d-b8d2-*/snapshots/01a2230d-d61a-*.json -> 2024-04-02T02:13:25
    // Berlin is on summer time (+02:00) since 2024-03-31.
    let show = |tz: &str| {
        json(&[
            "show",
            "sample_snapshots",
            "01a2230d-d61a-7165-b788-ed9c16680031",
            "--json",
            "--tz",
            tz,
        ])
    };
    assert_eq!(show("utc")["timestamp"], "2024-04-02T02:13:25+00:00");
    assert_eq!(
        show("Europe/Berlin")["timestamp"],
        "2024-04-02T02:13:25+02:00"
    );
    assert_eq!(
        show("America/New_York")["timestamp"],
        "2024-04-02T02:13:25-04:00"
    );
}

#[test]
fn show_legacy_test_suite() {
    let f = "01a2230c-a15e-7401-8d29-18b6bf4717cc";
    let v = json(&["show", "sample_snapshots", f, "--json", "--tz", "utc"]);
    assert_has_keys(
        &v,
        &[
            "id",
            "project_id",
            "timestamp",
            "name",
            "generation",
            "kind",
            "tags",
            "metadata",
            "tests",
            "series",
            "drift",
        ],
    );
    assert_eq!(v["id"], f);
    assert_eq!(v["project_id"], TUMOR);
    assert_eq!(v["kind"], "test_suite");
    assert_eq!(v["generation"], "legacy");
    // jq -r '.suite.test_results[] | [.status,.name]|@tsv' sample_snapshots/01a2230c-81ae-*/snapshots/01a2230c-a15e-*.json
    let expected = [
        ("FAIL", "Accuracy Score"),
        ("FAIL", "F1 Score"),
        ("WARNING", "ROC AUC Score"),
        ("SUCCESS", "Precision Score"),
        ("FAIL", "Recall Score"),
        ("SUCCESS", "Number of Rows"),
        ("SUCCESS", "The Share of Missing Values in a Column"),
        ("FAIL", "Drift per Column"),
        ("WARNING", "Drift per Column"),
        ("WARNING", "Mean Value"),
        ("SUCCESS", "Share of Out-of-List Values"),
    ];
    let tests = v["tests"].as_array().unwrap();
    assert_eq!(tests.len(), expected.len());
    for (t, (status, name)) in tests.iter().zip(expected) {
        assert_has_keys(t, &["name", "status", "description", "column"]);
        assert_eq!(
            (t["status"].as_str().unwrap(), t["name"].as_str().unwrap()),
            (status, name)
        );
    }
    // jq -r '.suite.test_results[] | .parameters.column_name // empty' ... -> mean texture, mean radius, worst area
    assert_eq!(tests[6]["column"], "mean texture");
    assert_eq!(tests[7]["column"], "mean radius");
    assert_eq!(tests[8]["column"], "worst area");
    // jq -c '.suite.metric_results[] | select(.type=="evidently:metric_result:ColumnDataDriftMetrics")
    //   | {column_name,column_type,stattest_name,drift_score,stattest_threshold,drift_detected}' ...
    let drift = v["drift"].as_array().unwrap();
    assert_eq!(drift.len(), 2);
    let mean_radius = drift.iter().find(|d| d["column"] == "mean radius").unwrap();
    assert_has_keys(
        mean_radius,
        &[
            "column",
            "column_type",
            "method",
            "score",
            "threshold",
            "drifted",
            "inferred",
        ],
    );
    assert_eq!(mean_radius["column_type"], "num");
    assert_eq!(mean_radius["method"], "K-S p_value");
    assert!(close(&mean_radius["score"], 7.893587598864295e-37));
    assert!(close(&mean_radius["threshold"], 0.05));
    assert_eq!(mean_radius["drifted"], true);
    assert_eq!(mean_radius["inferred"], false);
}

#[test]
fn show_legacy_report_drift_table() {
    // jq -c '.suite.metric_results[] | select(.type=="evidently:metric_result:DataDriftTableResults")
    //   | .drift_by_columns | to_entries[] | {c:.key, s:.value.drift_score, d:.value.drift_detected}'
    //   sample_snapshots/01a2230c-81ae-*/snapshots/01a2230c-a3db-*.json   -> 6 columns; worst area 7.058728034711226e-50
    let v = json(&[
        "show",
        "sample_snapshots",
        "01a2230c-a3db-700f-b708-5483c5886ca5",
        "--json",
    ]);
    assert_eq!(v["kind"], "report");
    let drift = v["drift"].as_array().unwrap();
    assert_eq!(drift.len(), 6);
    let wa = drift.iter().find(|d| d["column"] == "worst area").unwrap();
    assert!(close(&wa["score"], 7.058728034711226e-50));
    assert_eq!(wa["drifted"], true);
    assert_eq!(wa["inferred"], false);
    // An id prefix of 8+ characters finds the same snapshot.
    let p = json(&["show", "sample_snapshots", "01a2230c-a3db", "--json"]);
    assert_eq!(p["id"], "01a2230c-a3db-700f-b708-5483c5886ca5");
}

#[test]
fn show_v2_run() {
    let f = "01a2230d-d61a-7165-b788-ed9c16680031";
    let v = json(&[
        "show",
        "sample_snapshots",
        f,
        "--project",
        DIABETES,
        "--json",
    ]);
    assert_eq!(v["generation"], "v2");
    assert_eq!(v["kind"], "run");
    assert_eq!(v["name"], Value::Null);
    // jq -c '.tags, .metadata' <file>
    assert_eq!(v["tags"], serde_json::json!(["prod", "nightly", "eu-west"]));
    assert_eq!(v["metadata"]["batch_id"], "20240402-029");
    // jq -r '.metric_results[] | .tests[]? | .status' <file> | sort | uniq -c -> 5 SUCCESS, 4 FAIL, 2 WARNING
    let tests = v["tests"].as_array().unwrap();
    let count = |s: &str| tests.iter().filter(|t| t["status"] == s).count();
    assert_eq!(
        (count("SUCCESS"), count("FAIL"), count("WARNING")),
        (5, 4, 2)
    );
    assert!(
        tests
            .iter()
            .any(|t| t["status"] == "FAIL"
                && t["name"] == "Mean Absolute Error: Less or Equal 58.600")
    );
    // jq -c '.metric_results[] | .metric_value_location.metric.params as $p
    //   | select($p.type=="evidently:metric_v2:ValueDrift") | {col:$p.column, method:$p.method,
    //   thr:$p.threshold, score:.value}' <file>  -> bmi, K-S p_value, 0.05, 6.722665699045785e-15
    let drift = v["drift"].as_array().unwrap();
    assert_eq!(drift.len(), 1);
    assert_eq!(drift[0]["column"], "bmi");
    assert_eq!(drift[0]["method"], "K-S p_value");
    assert!(close(&drift[0]["score"], 6.722665699045785e-15));
    assert!(close(&drift[0]["threshold"], 0.05));
    // v2 files have no drift flag: p-value below threshold, inferred.
    assert_eq!(drift[0]["drifted"], true);
    assert_eq!(drift[0]["inferred"], true);
    // ... select($p.type=="evidently:metric_v2:RowCount" or "MAE" or "DriftedColumnsCount")
    //   | {v:(.value // .mean.value // .share.value), c:.count.value, std:.std.value}
    //   -> RowCount 126; MAE mean 69.08676984126983, std 46.36925062550184; share 0.6363636363636364, count 7
    let s = &v["series"];
    assert!(close(&s["RowCount.value"], 126.0));
    assert!(close(&s["MAE.mean"], 69.08676984126983));
    assert!(close(&s["MAE.std"], 46.36925062550184));
    // One DriftedColumnsCount (over 11 columns): its key carries the column list.
    let drifted = |field: &str| {
        let found: Vec<&Value> = s
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, _)| {
                k.starts_with("DriftedColumnsCount{columns=[11 items #")
                    && k.ends_with(&format!(",drift_share=0.5}}.{field}"))
            })
            .map(|(_, v)| v)
            .collect();
        assert_eq!(found.len(), 1, "{s}");
        found[0].clone()
    };
    assert!(close(&drifted("share"), 0.6363636363636364));
    assert!(close(&drifted("count"), 7.0));
    assert!(close(
        &s["ValueDrift{column=bmi,method=K-S p_value}.value"],
        6.722665699045785e-15
    ));
}

#[test]
fn show_text_is_sanitized_and_readable() {
    let o = snapscope(&[
        "show",
        "sample_snapshots",
        "01a2230d-d61a-7165-b788-ed9c16680031",
        "--tz",
        "utc",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let out = text(&o);
    assert!(out.contains("tests      4 fail, 2 warn, 5 ok"), "{out}");
    // DriftedColumnsCount in the file: count 7, share 0.6364 → 7 of 11.
    assert!(
        out.contains("DRIFT: 7 of 11 columns drifted (64%)"),
        "{out}"
    );
    assert!(out.contains("DRIFT ROWS (1 column, 1 drifted"), "{out}");
    assert!(!out.contains('\x1b'));
}

#[test]
fn series_and_trend() {
    // for f in sample_snapshots/01a2230c-81ae-*/snapshots/*.json; do jq -r '[.metrics_ids[]? as $i
    //   | .suite.metrics[$i].type | select(.=="evidently:metric:ClassificationQualityMetric")] | length' $f; done
    //   | paste -sd+ | bc                                                -> 9
    let v = json(&["series", "sample_snapshots", "--project", TUMOR, "--json"]);
    let rows = v.as_array().unwrap();
    for r in rows {
        assert_eq!(keys(r), ["key", "points"]);
    }
    let acc = rows
        .iter()
        .find(|r| r["key"] == "ClassificationQualityMetric.current.accuracy")
        .unwrap();
    assert_eq!(acc["points"], 9);

    // for f in sample_snapshots/01a2230c-81ae-*/snapshots/*.json; do jq -r '[.timestamp, .id,
    //   ((.metrics_ids[]? as $i | .suite.metric_results[$i] | select(.type==
    //   "evidently:metric_result:DatasetDriftMetricResults") | .share_of_drifted_columns) // "none")]
    //   | @tsv' $f; done | sort                     -> 9 reports with a value, the 3 test suites without
    // 8 of them drift over 11 columns, the 03-31 one (share 1.0) over 6 (`.suite.metrics[$i].columns
    // | length`): two configurations, so two series; the key of the 11-column one is looked up.
    let drift_key = |n: usize| -> String {
        let prefix = format!("DatasetDriftMetric{{columns=[{n} items #");
        let found: Vec<&str> = rows
            .iter()
            .filter_map(|r| r["key"].as_str())
            .filter(|k| {
                k.starts_with(&prefix) && k.ends_with(",drift_share=0.5}.share_of_drifted_columns")
            })
            .collect();
        assert_eq!(found.len(), 1, "{found:?}");
        found[0].to_string()
    };
    let six = drift_key(6);
    assert_eq!(
        rows.iter().find(|r| r["key"] == six.as_str()).unwrap()["points"],
        1
    );
    let key = &drift_key(11);
    let v = json(&[
        "trend",
        "sample_snapshots",
        "--project",
        TUMOR,
        key,
        "--json",
        "--tz",
        "utc",
    ]);
    let rows = v.as_array().unwrap();
    let expected = [
        (
            "01a2230c-9cf0-7f4f-a1df-201a734acaa6",
            "2024-03-25T02:10:58+00:00",
            0.36363636363636365,
        ),
        (
            "01a2230c-9d94-7aba-9485-b4142bfc7d8e",
            "2024-03-26T02:07:34+00:00",
            0.36363636363636365,
        ),
        (
            "01a2230c-9f7a-72a6-b33a-a7d89e19d28d",
            "2024-03-27T02:00:01+00:00",
            0.45454545454545453,
        ),
        (
            "01a2230c-a028-77b2-ab32-f353cb4f9a07",
            "2024-03-28T02:15:37+00:00",
            0.36363636363636365,
        ),
        (
            "01a2230c-a0c8-7d5e-b9fb-7537446b24b8",
            "2024-03-29T02:19:03+00:00",
            0.36363636363636365,
        ),
        (
            "01a2230c-a336-7deb-b03f-edba5d8efde5",
            "2024-03-30T02:02:14+00:00",
            0.36363636363636365,
        ),
        (
            "01a2230c-a466-7a1f-a831-d4e0721047dd",
            "2024-04-01T02:09:04+00:00",
            0.6363636363636364,
        ),
        (
            "01a2230c-a6de-7855-b4c7-a47a73df43c9",
            "2024-04-02T02:13:25+00:00",
            0.36363636363636365,
        ),
    ];
    assert_eq!(rows.len(), expected.len());
    for (r, (id, ts, val)) in rows.iter().zip(expected) {
        assert_eq!(keys(r), ["snapshot", "timestamp", "value"]);
        assert_eq!(r["snapshot"], id);
        assert_eq!(r["timestamp"], ts);
        assert!(close(&r["value"], val), "{r}");
    }
    // A key no snapshot has is a usage error with a suggestion.
    let o = snapscope(&[
        "trend",
        "sample_snapshots",
        "--project",
        TUMOR,
        "DatasetDriftMetric.share_of_drifted_columns",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains(key), "{}", stderr(&o));
}

#[test]
fn non_finite_values_are_null_in_json() {
    // A flat folder (what `snapshot.save()` in a cron job leaves) holding one real v2
    // snapshot whose RowCount value ("value": 126.0}, unique in the file) is NaN and whose
    // MAE mean (69.08676984126983, unique) is Infinity.
    let dir = tempfile::tempdir().unwrap();
    let flat = dir.path().join("nightly");
    fs::create_dir(&flat).unwrap();
    let src = root().join(format!(
        "sample_snapshots/{DIABETES}/snapshots/01a2230d-d61a-7165-b788-ed9c16680031.json"
    ));
    let body = fs::read_to_string(src).unwrap();
    assert_eq!(body.matches("\"value\": 126.0}").count(), 1);
    assert_eq!(body.matches("69.08676984126983").count(), 1);
    let body = body
        .replace("\"value\": 126.0}", "\"value\": NaN}")
        .replace("69.08676984126983", "Infinity");
    fs::write(flat.join("run-2024-04-02.json"), body).unwrap();
    let flat_s = flat.to_str().unwrap();
    let v = json(&["show", flat_s, "run-2024-04-02", "--json"]);
    assert_eq!(v["project_id"], "nightly");
    assert_eq!(v["series"]["RowCount.value"], Value::Null);
    assert_eq!(v["series"]["MAE.mean"], Value::Null);
    assert!(close(&v["series"]["MAE.std"], 46.36925062550184));
    let p = json(&["projects", flat_s, "--json"]);
    assert_eq!(p[0]["name"], "nightly");
    assert_eq!(p[0]["snapshots"], 1);
}
