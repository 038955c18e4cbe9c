//! `snapscope metrics PATH` (issue 17): the Prometheus text format, once.
//!
//! - `promtool check metrics` (Debian's `prometheus` package) accepts the
//!   output on the samples, every shared workspace and the hostile fixture.
//! - Each project's figures equal what the files say, read here with
//!   serde_json independently of snapscope's parser: snapshots, newest run,
//!   test counts of the latest run with tests, failing now and failing
//!   since by the run rule, drifted columns; on both generations and the
//!   LLM-evaluation workspace heavy-0.7.
//! - `--series PATTERN` exports the newest value of matching keys (checked
//!   against the files on both generations); `--max-series` caps them and
//!   `snapscope_series_dropped` counts the rest.
//! - Hostile names stay inside their label values: escaped by the format,
//!   control characters shown (never raw), one sample per line.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use chrono::NaiveDateTime;
use serde_json::Value;

use crate::common::tools::{samples, tool, value, Sample};
use crate::common::{run, shared};
use crate::drift_count::expected_from_file;
use crate::failing_now::{projects, Run};
use crate::oncall::{file_time, read, root};

/// `snapscope metrics WS --tz utc ARGS…`, which must succeed.
pub(crate) fn metrics_text(ws: &Path, args: &[&str]) -> String {
    let o = run::snapscope()
        .arg("metrics")
        .arg(ws)
        .args(["--tz", "utc"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "metrics {}: {}",
        ws.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

/// `promtool check metrics` must accept `text` without a lint remark.
/// False when promtool is absent (and the test may skip).
pub(crate) fn promtool_accepts(text: &str, what: &str) -> bool {
    let Some(promtool) = tool("promtool", "prometheus", what) else {
        return false;
    };
    let mut child = Command::new(promtool)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.status.success(), "{what}: promtool check metrics: {said}");
    assert!(said.trim().is_empty(), "{what}: promtool lint: {said}");
    true
}

fn seconds(t: NaiveDateTime) -> f64 {
    let t = t.and_utc();
    t.timestamp() as f64 + f64::from(t.timestamp_subsec_nanos()) / 1e9
}

fn close(a: Option<f64>, b: Option<f64>, what: &str) {
    match (a, b) {
        (Some(a), Some(b)) => assert!((a - b).abs() < 1e-6, "{what}: {a} != {b}"),
        (a, b) => assert_eq!(a, b, "{what}"),
    }
}

/// The snapshot files of a project folder with their parsed JSON, oldest
/// first by (time, id) as the runs of [`projects`] are.
fn files(project: &Path) -> Vec<(NaiveDateTime, String, Value)> {
    let mut v: Vec<_> = fs::read_dir(project.join("snapshots"))
        .unwrap()
        .map(|f| f.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let v = read(&p);
            let id = p.file_stem().unwrap().to_string_lossy().into_owned();
            (file_time(&v), id, v)
        })
        .collect();
    v.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    v
}

/// (failing now, failing since) by the run rule, from the files.
fn streak(runs: &[Run]) -> (bool, Option<NaiveDateTime>) {
    let fails = |r: &Run| r.tests.iter().any(|(_, s)| s == "FAIL" || s == "ERROR");
    let mut since = None;
    for r in runs.iter().rev().filter(|r| !r.tests.is_empty()) {
        if !fails(r) {
            break;
        }
        since = Some(r.time);
    }
    (since.is_some(), since)
}

/// Every project's figures in `metrics` output against the files of `ws`;
/// returns (projects, failing projects).
pub(crate) fn assert_figures_match(ws: &Path, got: &[Sample]) -> (usize, usize) {
    let all = projects(ws);
    let mut failing_projects = 0;
    for (id, runs) in &all {
        let meta: Value =
            serde_json::from_str(&fs::read_to_string(ws.join(id).join("metadata.json")).unwrap())
                .unwrap();
        let name = meta["name"].as_str().unwrap();
        let l = [("project_id", id.as_str()), ("project", name)];
        let g = |metric: &str| value(got, metric, &l);
        let what = |m: &str| format!("{} {name} {m}", ws.display());
        assert_eq!(
            g("snapscope_project_snapshots"),
            Some(runs.len() as f64),
            "{}",
            what("snapshots")
        );
        assert_eq!(g("snapscope_project_unreadable_files"), Some(0.0));
        close(
            g("snapscope_project_last_run_timestamp_seconds"),
            runs.last().map(|r| seconds(r.time)),
            &what("last run"),
        );
        let latest = runs.iter().rev().find(|r| !r.tests.is_empty());
        close(
            g("snapscope_project_last_test_run_timestamp_seconds"),
            latest.map(|r| seconds(r.time)),
            &what("last test run"),
        );
        for status in ["SUCCESS", "FAIL", "WARNING", "ERROR", "SKIPPED"] {
            let lower = status.to_lowercase();
            let with = [l[0], l[1], ("status", lower.as_str())];
            let n = latest.map(|r| r.tests.iter().filter(|(_, s)| s == status).count() as f64);
            assert_eq!(
                value(got, "snapscope_project_tests", &with),
                n,
                "{}",
                what(status)
            );
        }
        let (failing, since) = streak(runs);
        failing_projects += usize::from(failing);
        assert_eq!(
            g("snapscope_project_failing"),
            Some(f64::from(u8::from(failing))),
            "{}",
            what("failing")
        );
        close(
            g("snapscope_project_failing_since_timestamp_seconds"),
            since.map(seconds),
            &what("failing since"),
        );
        // Drift: the newest file that reports it.
        let fs = files(&ws.join(id));
        let drift = fs.iter().rev().find_map(|(_, _, v)| expected_from_file(v));
        match drift {
            Some((drifted, columns, true)) => {
                assert_eq!(
                    g("snapscope_project_drifted_columns"),
                    Some(drifted as f64),
                    "{}",
                    what("drifted")
                );
                let columns = columns.map(|c| c as f64);
                assert_eq!(g("snapscope_project_drift_measured_columns"), columns);
                if let Some(c) = columns {
                    close(
                        g("snapscope_project_drift_share"),
                        Some(drifted as f64 / c),
                        &what("drift share"),
                    );
                }
            }
            // Verdicts inferred from scores: only that there is a figure.
            Some((_, _, false)) => assert!(g("snapscope_project_drifted_columns").is_some()),
            None => assert_eq!(g("snapscope_project_drifted_columns"), None),
        }
    }
    assert_eq!(
        value(got, "snapscope_index_projects", &[]),
        Some(all.len() as f64)
    );
    let total: usize = all.values().map(Vec::len).sum();
    assert_eq!(
        value(got, "snapscope_index_snapshots", &[]),
        Some(total as f64)
    );
    (all.len(), failing_projects)
}

/// The series keys of one project in `got`, with their values.
fn series_of<'a>(got: &'a [Sample], project_id: &str) -> BTreeMap<&'a str, f64> {
    got.iter()
        .filter(|s| s.name == "snapscope_series_value" && s.labels["project_id"] == project_id)
        .map(|s| (s.labels["series"].as_str(), s.value))
        .collect()
}

/// `--series` values against the files: v2 `RowCount.value`, legacy
/// `ColumnSummaryMetric{column_name=C}.current_characteristics.number_of_rows`
/// of a top-level metric (`metrics_ids`), each the newest file's. Returns how many values were compared.
fn assert_series_match(ws: &Path) -> usize {
    let got = samples(&metrics_text(
        ws,
        &[
            "--no-dashboard-series",
            "--series",
            "RowCount.value",
            "--series",
            "ColumnSummaryMetric{column_name=*}.current_characteristics.number_of_rows",
        ],
    ));
    let mut compared = 0;
    for id in projects(ws).keys() {
        let fs = files(&ws.join(id));
        let mut expected: BTreeMap<String, f64> = BTreeMap::new();
        for (_, _, v) in fs.iter() {
            // Oldest first: a newer file overwrites.
            for m in v["metric_results"]
                .as_object()
                .into_iter()
                .flat_map(|m| m.values())
            {
                let ty = m["metric_value_location"]["metric"]["params"]["type"].as_str();
                if ty.is_some_and(|t| t.ends_with(":RowCount")) {
                    expected.insert("RowCount.value".into(), m["value"].as_f64().unwrap());
                }
            }
            // Legacy: the top-level metrics only (a suite's dependencies are not series).
            let results = v["suite"]["metric_results"].as_array();
            let top = v["metrics_ids"].as_array().into_iter().flatten();
            for m in top.filter_map(|i| results?.get(i.as_u64()? as usize)) {
                if m["type"]
                    .as_str()
                    .is_some_and(|t| t.ends_with("ColumnSummaryResult"))
                {
                    let key = format!(
                        "ColumnSummaryMetric{{column_name={}}}.current_characteristics.number_of_rows",
                        m["column_name"].as_str().unwrap()
                    );
                    if let Some(n) = m["current_characteristics"]["number_of_rows"].as_f64() {
                        expected.insert(key, n);
                    }
                }
            }
        }
        let series = series_of(&got, id);
        let keys: Vec<&str> = expected.keys().map(String::as_str).collect();
        assert_eq!(series.keys().copied().collect::<Vec<_>>(), keys, "{id}");
        for (k, v) in &expected {
            assert_eq!(series[k.as_str()], *v, "{id} {k}");
            compared += 1;
        }
    }
    compared
}

#[test]
fn figures_match_the_files_in_the_samples() {
    let ws = root().join("sample_snapshots");
    let text = metrics_text(&ws, &[]);
    promtool_accepts(&text, "metrics sample_snapshots");
    let (n, failing) = assert_figures_match(&ws, &samples(&text));
    assert_eq!((n, failing), (4, 4));
}

#[test]
fn figures_match_the_files_in_the_shared_workspaces() {
    let Some(shared) = shared("") else {
        return;
    };
    let mut failing = 0;
    for ws in ["legacy-0.4", "current-0.7", "heavy-0.4", "heavy-0.7"] {
        let ws = shared.join(ws);
        let text = metrics_text(&ws, &[]);
        promtool_accepts(&text, &format!("metrics {}", ws.display()));
        failing += assert_figures_match(&ws, &samples(&text)).1;
    }
    assert!(failing > 0);
}

#[test]
fn chosen_series_are_the_newest_values_in_the_files() {
    let Some(shared) = shared("") else {
        return;
    };
    for ws in ["legacy-0.4", "current-0.7", "heavy-0.7"] {
        let n = assert_series_match(&shared.join(ws));
        assert!(n >= 3, "{ws}: only {n} series compared");
    }
}

#[test]
fn the_series_cap_keeps_some_of_every_project_and_counts_the_rest() {
    let ws = root().join("sample_snapshots");
    let all = samples(&metrics_text(
        &ws,
        &["--series", "*", "--max-series", "100000"],
    ));
    let count = |s: &[Sample]| {
        s.iter()
            .filter(|s| s.name == "snapscope_series_value")
            .count()
    };
    let chosen = count(&all);
    assert!(chosen > 100, "{chosen}");
    assert_eq!(value(&all, "snapscope_series_dropped", &[]), Some(0.0));
    let capped = samples(&metrics_text(&ws, &["--series", "*", "--max-series", "10"]));
    assert_eq!(count(&capped), 10);
    assert_eq!(
        value(&capped, "snapscope_series_dropped", &[]),
        Some((chosen - 10) as f64)
    );
    assert_eq!(value(&capped, "snapscope_series_limit", &[]), Some(10.0));
    let projects: std::collections::BTreeSet<&str> = capped
        .iter()
        .filter(|s| s.name == "snapscope_series_value")
        .map(|s| s.labels["project_id"].as_str())
        .collect();
    assert_eq!(projects.len(), 4, "the cap deals to every project");
}

/// The hostile fixture: names full of escape sequences, quotes and
/// backslashes. promtool reads it, no raw control character is printed,
/// and each hostile name comes back whole (cleaned) in its label.
#[test]
fn hostile_names_stay_inside_their_labels() {
    let ws: PathBuf = root().join("tests/fixtures/hostile");
    let text = metrics_text(&ws, &["--series", "*"]);
    promtool_accepts(&text, "metrics tests/fixtures/hostile");
    for (i, c) in text.char_indices() {
        let u = c as u32;
        assert!(
            !(u < 0x20 && c != '\n'
                || (0x7f..=0x9f).contains(&u)
                || (0x202a..=0x202e).contains(&u)
                || (0x2066..=0x2069).contains(&u)
                || u == 0x200e
                || u == 0x200f),
            "U+{u:04X} at {i}"
        );
    }
    let got = samples(&text);
    for id in [
        "0badc0de-0000-4000-8000-00000000000a",
        "0badc0de-0000-4000-8000-00000000000b",
    ] {
        let meta: Value =
            serde_json::from_str(&fs::read_to_string(ws.join(id).join("metadata.json")).unwrap())
                .unwrap();
        let raw = meta["name"].as_str().unwrap();
        assert!(
            raw.contains('\x1b'),
            "the fixture's name is hostile: {raw:?}"
        );
        let shown = snapscope::text::sanitize::clean(raw);
        let with = [("project_id", id), ("project", shown.as_ref())];
        assert_eq!(
            value(&got, "snapscope_project_snapshots", &with),
            Some(2.0),
            "{shown}"
        );
    }
    // Series keys with hostile column names: as many samples as keys, each
    // key whole in its label (so a quote or newline did not end it early).
    let keys = got
        .iter()
        .filter(|s| s.name == "snapscope_series_value")
        .filter(|s| s.labels["series"].contains("\\x1b") || s.labels["series"].contains('"'))
        .count();
    assert!(keys > 0, "hostile series keys are exported");
}
