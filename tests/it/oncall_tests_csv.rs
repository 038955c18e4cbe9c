//! End-to-end tests of the on-call commands, continued from `oncall`: `tests`
//! (which tests fail, since when, how often) and `trend --csv`, with expected
//! values read from the snapshot files independently (jq in each comment).

use crate::oncall::{
    file_tests, file_time, is_failure, json_with, printed_time, read, root, sample_file, snapscope,
    stderr, text, width, DIABETES,
};

use std::collections::BTreeSet;
use std::fs;

use chrono::NaiveDateTime;
use serde_json::Value;

// ---------------------------------------------------------------- tests

#[test]
fn tests_history_matches_the_files() {
    // for f in sample_snapshots/01a2230d-b8d2-*/snapshots/*.json; do jq -r '[.timestamp,
    //   (.metric_results[] | .tests[]? | select(.name=="R2 Score: Greater or Equal 0.318") | .status)]
    //   | @tsv' $f; done | sort
    let name = "R2 Score: Greater or Equal 0.318";
    let dir = root().join(format!("sample_snapshots/{DIABETES}/snapshots"));
    let mut runs: Vec<(NaiveDateTime, String, String)> = Vec::new();
    for e in fs::read_dir(&dir).unwrap() {
        let path = e.unwrap().path();
        let f = read(&path);
        for (n, s) in file_tests(&f) {
            if n == name {
                let id = path.file_stem().unwrap().to_str().unwrap().to_string();
                runs.push((file_time(&f), s, id));
            }
        }
    }
    runs.sort();
    let fail_count = runs.iter().filter(|(_, s, _)| is_failure(s)).count();
    let mut since = None;
    for (t, s, _) in runs.iter().rev() {
        if !is_failure(s) {
            break;
        }
        since = Some(*t);
    }
    let (_, latest_status, latest_id) = runs.last().unwrap().clone();
    assert!(since.is_some() && fail_count > 0 && fail_count < runs.len());

    let v = json_with(
        0,
        &[
            "tests",
            "sample_snapshots",
            "--project",
            "Diabetes",
            "--json",
            "--tz",
            "utc",
        ],
    );
    let rows: Vec<&Value> = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["name"] == name)
        .collect();
    assert_eq!(rows.len(), 1);
    let r = rows[0];
    assert_eq!(r["fail_count"], fail_count);
    assert_eq!(r["runs"], runs.len());
    assert_eq!(printed_time(&r["failing_since"]), since.unwrap());
    assert_eq!(r["latest_status"], latest_status.as_str());
    assert_eq!(r["latest_snapshot_id"], latest_id.as_str());
    for k in [
        "identity",
        "column",
        "fail_rate",
        "latest_failure",
        "test_type",
    ] {
        assert!(r.get(k).is_some(), "missing {k}");
    }
    // Failing now first (a FAIL in the latest run with tests), then the
    // rest of that run, then the tests it did not run.
    let now: Vec<(bool, bool)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let status = r["latest_status"].as_str().unwrap();
            let in_latest = r["in_latest"].as_bool().unwrap();
            (in_latest && is_failure(status), in_latest)
        })
        .collect();
    let first_ok = now.iter().position(|(f, _)| !f).unwrap();
    assert!(now[first_ok..].iter().all(|(f, _)| !f));
    let first_gone = now.iter().position(|(_, i)| !i).unwrap_or(now.len());
    assert!(now[first_gone..].iter().all(|(_, i)| !i));

    // A window counts only its runs.
    let v = json_with(
        0,
        &[
            "tests",
            "sample_snapshots",
            "--project",
            "Diabetes",
            "--json",
            "--since",
            "2024-04-01",
            "--tz",
            "utc",
        ],
    );
    let r = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap();
    let in_window: Vec<_> = runs
        .iter()
        .filter(|(t, _, _)| t.format("%Y-%m-%d").to_string().as_str() >= "2024-04-01")
        .collect();
    assert_eq!(r["runs"], in_window.len());
    assert_eq!(
        r["fail_count"],
        in_window.iter().filter(|(_, s, _)| is_failure(s)).count()
    );

    // Text: an aligned table within 80 columns (`--width 80`), failing first.
    let o = snapscope(&[
        "tests",
        "sample_snapshots",
        "--project",
        "Diabetes",
        "--width",
        "80",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let out = text(&o);
    assert!(out.lines().all(|l| width(l) <= 80), "{out}");
    // The project's own state, the latest run, then the table header, then
    // the failing rows.
    assert!(
        out.lines()
            .nth(1)
            .unwrap()
            .starts_with("project failing since"),
        "{out}"
    );
    assert!(
        out.lines()
            .nth(2)
            .unwrap()
            .starts_with("latest run with tests"),
        "{out}"
    );
    assert!(out.lines().nth(4).unwrap().starts_with("FAIL"), "{out}");
    // Two Tumor tests named "Recall Score", configured differently
    // (jq -r '.suite.test_results[] | select(.name=="Recall Score") | .description'
    // over its suites -> thresholds gte=0.923 and eq=1 ± 0.2): two rows, told apart.
    let o = snapscope(&["tests", "sample_snapshots", "--project", "Tumor"]);
    let out = text(&o);
    let recall: BTreeSet<&str> = out
        .lines()
        .filter_map(|l| l.split_once("  Recall Score").map(|(_, r)| r))
        .collect();
    assert_eq!(
        recall,
        BTreeSet::from([" [gte 0.923]", " [eq 1 ± 0.2]"]),
        "{out}"
    );
    // Several projects need --project.
    assert_eq!(
        snapscope(&["tests", "sample_snapshots"]).status.code(),
        Some(2)
    );
}

// ---------------------------------------------------------------- trend --csv

#[test]
fn trend_csv_matches_trend_json() {
    let key = "ClassificationQualityMetric.current.accuracy";
    let args = [
        "trend",
        "sample_snapshots",
        key,
        "--project",
        "Tumor",
        "--tz",
        "utc",
    ];
    let v = json_with(0, &[&args[..], &["--json"]].concat());
    let o = snapscope(&[&args[..], &["--csv"]].concat());
    assert_eq!(o.status.code(), Some(0));
    let out = text(&o);
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("snapshot,timestamp,value"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let points = v.as_array().unwrap();
    assert_eq!(rows.len(), points.len());
    assert!(rows.len() > 5);
    for (row, p) in rows.iter().zip(points) {
        assert_eq!(row.len(), 3);
        assert_eq!(row[0], p["snapshot"].as_str().unwrap());
        assert_eq!(row[1], p["timestamp"].as_str().unwrap());
        assert_eq!(row[2].parse::<f64>().ok(), p["value"].as_f64());
    }
}

#[test]
fn trend_csv_null_is_empty_and_odd_ids_are_quoted() {
    // A flat folder with one real v2 run under a name holding a comma and a
    // quote, and a copy whose RowCount value (`"value": 126.0}`, unique in the
    // file) is NaN.
    let dir = tempfile::tempdir().unwrap();
    let flat = dir.path().join("nightly");
    fs::create_dir(&flat).unwrap();
    let body = fs::read_to_string(sample_file(
        DIABETES,
        "01a2230d-d61a-7165-b788-ed9c16680031",
    ))
    .unwrap();
    assert_eq!(body.matches("\"value\": 126.0}").count(), 1);
    fs::write(flat.join("a,\"b\".json"), &body).unwrap();
    let nan = body
        .replace("\"value\": 126.0}", "\"value\": NaN}")
        .replace("2024-04-02T02:13", "2024-04-03T02:13");
    fs::write(flat.join("c.json"), nan).unwrap();
    let o = snapscope(&[
        "trend",
        flat.to_str().unwrap(),
        "RowCount.value",
        "--project",
        "nightly",
        "--csv",
        "--tz",
        "utc",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        text(&o),
        "snapshot,timestamp,value\n\
         \"a,\"\"b\"\"\",2024-04-02T02:13:25+00:00,126\n\
         c,2024-04-03T02:13:25+00:00,\n"
    );
}
