//! End-to-end tests of the on-call commands (`check`, `compare`, `tests`,
//! `trend --csv`) through the real binary. Expected values are read from the
//! snapshot files independently of snapscope's parser, with serde_json (the
//! jq equivalent is in each comment, run from the repository root).
//!
//! Fixtures: `tests/fixtures/oncall/pass-ws` (real files whose tests all
//! pass), `tests/fixtures/oncall/warn` (a real suite with warnings only) and
//! `sample_snapshots/`.

use crate::common;
use common::{copy_dir, run};

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, SystemTime};

use chrono::NaiveDateTime;
use serde_json::Value;

const TUMOR: &str = "01a2230c-81ae-78e6-8ae0-202ec1933101";
pub(crate) const DIABETES: &str = "01a2230d-b8d2-7113-98bf-36daa2d1f948";
/// Tumor's newest all-pass suite in `pass-ws` (2024-03-14).
const TUMOR_PASS: &str = "01a2230c-8ef4-77f4-9d68-34c07e0b68a8";
/// Tumor's suite of 2024-04-01 in `sample_snapshots`: 1 FAIL, 6 SUCCESS.
const TUMOR_FAIL: &str = "01a2230c-a504-7ad4-9122-aaa2787bd481";

pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub(crate) fn snapscope(args: &[&str]) -> Output {
    run::snapscope()
        .args(args)
        .output()
        .expect("the snapscope binary runs")
}

pub(crate) fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Run, require exit status `code`, parse stdout as JSON.
pub(crate) fn json_with(code: i32, args: &[&str]) -> Value {
    let o = snapscope(args);
    assert_eq!(
        o.status.code(),
        Some(code),
        "{args:?}: {}{}",
        text(&o),
        stderr(&o)
    );
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{args:?}: bad JSON: {e}"))
}

fn pass_ws() -> PathBuf {
    root().join("tests/fixtures/oncall/pass-ws")
}

pub(crate) fn sample_file(project: &str, id: &str) -> PathBuf {
    root().join(format!("sample_snapshots/{project}/snapshots/{id}.json"))
}

/// A temporary copy of `pass-ws`.
fn pass_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    copy_dir(&pass_ws(), &ws);
    (dir, ws)
}

fn set_mtime(path: &Path, t: SystemTime) {
    fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(t)
        .unwrap();
}

/// Every file under `dir` gets modification time `t`.
fn age_files(dir: &Path, t: SystemTime) {
    for e in fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            age_files(&e.path(), t);
        } else {
            set_mtime(&e.path(), t);
        }
    }
}

// ------------------------------------------------ reading the files independently

/// Parse a snapshot file. Legacy files hold bare `NaN` / `Infinity` tokens
/// (Python's json module writes and reads them); they become `null` here.
pub(crate) fn read(path: &Path) -> Value {
    let text = fs::read_to_string(path).unwrap();
    serde_json::from_str(&python_tokens_to_null(&text)).unwrap()
}

/// Replace `NaN`, `Infinity` and `-Infinity` outside strings with `null`.
fn python_tokens_to_null(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let (mut in_str, mut escaped) = (false, false);
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if in_str {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
            }
        } else if c == '"' {
            in_str = true;
        } else if let Some(token) = ["NaN", "-Infinity", "Infinity"]
            .into_iter()
            .find(|t| rest.starts_with(t))
        {
            out.push_str("null");
            rest = &rest[token.len()..];
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// `(name, status)` of every test in a snapshot file, legacy or v2:
/// jq '(.suite.test_results // [])[] , (.metric_results // {} | .[] | .tests[]?) | [.name, .status]'
pub(crate) fn file_tests(v: &Value) -> Vec<(String, String)> {
    let legacy = v["suite"]["test_results"].as_array().into_iter().flatten();
    let v2 = v["metric_results"]
        .as_object()
        .into_iter()
        .flat_map(|m| m.values())
        .flat_map(|m| m["tests"].as_array().into_iter().flatten());
    legacy
        .chain(v2)
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_string(),
                t["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The file's naive timestamp (`jq -r .timestamp`).
pub(crate) fn file_time(v: &Value) -> NaiveDateTime {
    let s = v["timestamp"].as_str().unwrap();
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").unwrap()
}

/// An RFC 3339 time printed by snapscope with `--tz utc`, as naive UTC.
pub(crate) fn printed_time(v: &Value) -> NaiveDateTime {
    chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap())
        .unwrap()
        .naive_utc()
}

pub(crate) fn is_failure(status: &str) -> bool {
    status == "FAIL" || status == "ERROR"
}

pub(crate) fn project<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["projects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["project_id"] == id)
        .unwrap_or_else(|| panic!("no project {id} in {v}"))
}

// ---------------------------------------------------------------- check

#[test]
fn check_all_pass_exits_0() {
    // for f in tests/fixtures/oncall/pass-ws/*/snapshots/*.json; do
    //   jq -c '[(.suite.test_results // [])[].status, (.metric_results // {} | .[] | .tests[]?.status)] | unique' $f; done
    // -> ["SUCCESS"] for each; the newest per project is the judged run.
    let ws = pass_ws();
    let ws_s = ws.to_str().unwrap();
    let v = json_with(0, &["check", ws_s, "--json", "--tz", "utc"]);
    assert_eq!(v["ok"], true);
    let projects = v["projects"].as_array().unwrap();
    assert_eq!(projects.len(), 2);
    for p in projects {
        let id = p["project_id"].as_str().unwrap();
        let dir = ws.join(id).join("snapshots");
        let mut newest: Option<(NaiveDateTime, String)> = None;
        for e in fs::read_dir(&dir).unwrap() {
            let path = e.unwrap().path();
            let f = read(&path);
            let tests = file_tests(&f);
            assert!(!tests.is_empty());
            assert!(tests.iter().all(|(_, s)| s == "SUCCESS"), "{path:?}");
            let stem = path.file_stem().unwrap().to_str().unwrap().to_string();
            if newest.as_ref().is_none_or(|(t, _)| file_time(&f) > *t) {
                newest = Some((file_time(&f), stem));
            }
        }
        let (t, stem) = newest.unwrap();
        assert_eq!(p["snapshot_id"], stem.as_str());
        assert_eq!(printed_time(&p["timestamp"]), t);
        assert_eq!(p["failing"], Value::Array(vec![]));
        assert_eq!(p["ok"], true);
        assert_eq!(p["stale"], false);
        assert_eq!(p["pending"], false);
        for k in ["name", "drifted_columns", "notes", "unreadable", "tests"] {
            assert!(p.get(k).is_some(), "missing {k}");
        }
    }
    let o = snapscope(&["check", ws_s]);
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o).contains("OK: 2 projects pass"), "{}", text(&o));
}

#[test]
fn check_one_failing_exits_1_and_lists_it() {
    // jq -r '.suite.test_results[] | select(.status=="FAIL" or .status=="ERROR") | .name' \
    //   sample_snapshots/01a2230c-81ae-*/snapshots/01a2230c-a504-*.json -> Recall Score
    let (_dir, ws) = pass_copy();
    let src = sample_file(TUMOR, TUMOR_FAIL);
    fs::copy(
        &src,
        ws.join(TUMOR).join(format!("snapshots/{TUMOR_FAIL}.json")),
    )
    .unwrap();
    let f = read(&src);
    let expected: BTreeSet<String> = file_tests(&f)
        .into_iter()
        .filter(|(_, s)| is_failure(s))
        .map(|(n, _)| n)
        .collect();
    assert_eq!(expected.len(), 1, "the fixture has one failing test");

    let ws_s = ws.to_str().unwrap();
    let v = json_with(1, &["check", ws_s, "--json", "--tz", "utc"]);
    assert_eq!(v["ok"], false);
    let tumor = project(&v, TUMOR);
    assert_eq!(tumor["ok"], false);
    assert_eq!(tumor["snapshot_id"], TUMOR_FAIL);
    let failing = tumor["failing"].as_array().unwrap();
    let names: BTreeSet<String> = failing
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, expected);
    for t in failing {
        assert_eq!(t["status"], "FAIL");
        assert!(!t["description"].as_str().unwrap().is_empty());
        // The runs before passed: failing since this very run.
        assert_eq!(printed_time(&t["failing_since"]), file_time(&f));
    }
    assert_eq!(project(&v, DIABETES)["ok"], true);

    let o = snapscope(&["check", ws_s]);
    assert_eq!(o.status.code(), Some(1));
    let out = text(&o);
    assert!(out.contains("Recall Score"), "{out}");
    assert!(out.contains("FAILED: 1 of 2 projects"), "{out}");
    // Only the other project: passes.
    let o = snapscope(&["check", ws_s, "--project", DIABETES]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[test]
fn check_stale_exits_1() {
    // The newest pass-ws file is from 2024-03-14: older than 30 days today.
    let ws = pass_ws();
    let ws_s = ws.to_str().unwrap();
    let v = json_with(1, &["check", ws_s, "--max-age", "30d", "--json"]);
    assert_eq!(v["ok"], false);
    assert_eq!(v["max_age_seconds"], 30 * 86_400);
    for p in v["projects"].as_array().unwrap() {
        assert_eq!(p["stale"], true);
        assert_eq!(p["failing"], Value::Array(vec![]));
        assert!(p["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().starts_with("newest snapshot is ")));
    }
    let o = snapscope(&["check", ws_s, "--max-age", "30d"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("STALE"), "{}", text(&o));
    // A generous age passes.
    let o = snapscope(&["check", ws_s, "--max-age", "100000d"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

/// Write the first half of `src`'s bytes to `dest`: a run still being written.
fn half_written(src: &Path, dest: &Path) {
    let bytes = fs::read(src).unwrap();
    fs::write(dest, &bytes[..bytes.len() / 2]).unwrap();
}

#[test]
fn check_half_written_newest_run_is_pending_not_failing() {
    // The all-pass workspace plus a newer (2024-04-01) failing suite, cut in
    // half as if Evidently were still writing it: the check judges the last
    // complete run (all pass) and says so.
    let (_dir, ws) = pass_copy();
    age_files(&ws, SystemTime::now() - Duration::from_secs(3600));
    let pending = ws
        .join(TUMOR)
        .join("snapshots/01a2230c-ffff-7000-8000-000000000001.json");
    half_written(&sample_file(TUMOR, TUMOR_FAIL), &pending);
    let ws_s = ws.to_str().unwrap();

    let v = json_with(0, &["check", ws_s, "--json"]);
    assert_eq!(v["ok"], true);
    let tumor = project(&v, TUMOR);
    assert_eq!(tumor["snapshot_id"], TUMOR_PASS);
    assert_eq!(tumor["pending"], true);
    assert_eq!(tumor["unreadable"], 1);
    let note = format!("newest file is being written or unreadable: judged run {TUMOR_PASS}");
    assert!(
        tumor["notes"]
            .as_array()
            .unwrap()
            .contains(&Value::from(note.clone())),
        "{tumor}"
    );
    assert_eq!(project(&v, DIABETES)["pending"], false);

    let o = snapscope(&["check", ws_s, "--width", "80"]);
    assert_eq!(o.status.code(), Some(0));
    // The text wraps the note at 80 columns (`--width 80`; piped output
    // without it is not cut).
    let out = text(&o);
    let flat = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains(&note), "{out}");
    assert!(out.lines().all(|l| width(l) <= 80), "{out}");

    // The other way round: a failing complete run and a half-written newer
    // one (a passing suite's bytes): still judged on the failing run.
    fs::copy(
        sample_file(TUMOR, TUMOR_FAIL),
        ws.join(TUMOR).join(format!("snapshots/{TUMOR_FAIL}.json")),
    )
    .unwrap();
    set_mtime(
        &ws.join(TUMOR).join(format!("snapshots/{TUMOR_FAIL}.json")),
        SystemTime::now() - Duration::from_secs(60),
    );
    half_written(
        &pass_ws()
            .join(TUMOR)
            .join(format!("snapshots/{TUMOR_PASS}.json")),
        &pending,
    );
    let v = json_with(1, &["check", ws_s, "--json"]);
    let tumor = project(&v, TUMOR);
    assert_eq!(tumor["snapshot_id"], TUMOR_FAIL);
    assert_eq!(tumor["pending"], true);
    assert_eq!(tumor["failing"].as_array().unwrap().len(), 1);
}

#[test]
fn check_fail_on_warning() {
    // jq -r '.suite.test_results[] | .status' tests/fixtures/oncall/warn/*.json | sort | uniq -c
    // -> SUCCESS and WARNING only (2024-03-11, newer than the 2024-03-05 pass).
    let dir = tempfile::tempdir().unwrap();
    let proj = dir.path().join(TUMOR);
    fs::create_dir_all(proj.join("snapshots")).unwrap();
    let src_proj = pass_ws().join(TUMOR);
    fs::copy(src_proj.join("metadata.json"), proj.join("metadata.json")).unwrap();
    let pass = "01a2230c-839e-70db-b6c0-b098f3d80fc0.json";
    fs::copy(
        src_proj.join("snapshots").join(pass),
        proj.join("snapshots").join(pass),
    )
    .unwrap();
    let warn = root().join("tests/fixtures/oncall/warn/01a2230c-8af4-7d2a-8a3a-de6436391fd3.json");
    fs::copy(
        &warn,
        proj.join("snapshots/01a2230c-8af4-7d2a-8a3a-de6436391fd3.json"),
    )
    .unwrap();
    let expected: BTreeSet<String> = file_tests(&read(&warn))
        .into_iter()
        .filter(|(_, s)| s == "WARNING")
        .map(|(n, _)| n)
        .collect();
    assert!(!expected.is_empty());
    let ws_s = dir.path().to_str().unwrap();
    let v = json_with(0, &["check", ws_s, "--json"]);
    assert_eq!(v["projects"][0]["failing"], Value::Array(vec![]));
    let v = json_with(1, &["check", ws_s, "--fail-on", "warning", "--json"]);
    let failing = v["projects"][0]["failing"].as_array().unwrap();
    let names: BTreeSet<String> = failing
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, expected);
    assert!(failing.iter().all(|t| t["status"] == "WARNING"));
}

#[test]
fn check_usage_and_io_errors_exit_2() {
    for args in [
        &["check", "no/such/folder"][..],
        &["check", "sample_snapshots", "--max-age", "soon"],
        &[
            "check",
            "sample_snapshots",
            "--max-age",
            "99999999999999999d",
        ],
        &["check", "sample_snapshots", "--fail-on", "success"],
        &["check", "sample_snapshots", "--project", "no such project"],
    ] {
        let o = snapscope(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        assert!(!stderr(&o).is_empty(), "{args:?}");
    }
    // An empty folder has nothing to check.
    let dir = tempfile::tempdir().unwrap();
    let o = snapscope(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

// ---------------------------------------------------------------- compare

#[test]
fn compare_matches_differences_read_from_the_files() {
    // A = 01a2230d-d549 (2024-04-01), B = 01a2230d-d61a (2024-04-02), Diabetes (v2):
    //   jq -c '[.metric_results[] | .tests[]? | [.name,.status]]' A B   (flipped tests)
    //   jq -c '.metric_results[] | select(.display_name=="R2 Score") | .value' A B
    //   jq -c '.metric_results[] | .metric_value_location.metric.params as $p
    //     | select($p.type=="evidently:metric_v2:ValueDrift") | [$p.column, .value < $p.threshold]' A B
    //   jq -c '.tags, .metadata' A B
    let a_id = "01a2230d-d549-7aa2-af6e-919e42b96fbc";
    let b_id = "01a2230d-d61a-7165-b788-ed9c16680031";
    let a = read(&sample_file(DIABETES, a_id));
    let b = read(&sample_file(DIABETES, b_id));
    // Prefixes, and no --project: the ids name the project.
    let v = json_with(
        0,
        &[
            "compare",
            "sample_snapshots",
            "01a2230d-d549",
            "01a2230d-d61a",
            "--json",
        ],
    );
    assert_eq!(v["a"], a_id);
    assert_eq!(v["b"], b_id);
    assert_eq!(v["project_id"], DIABETES);

    // Flipped tests by name and status.
    let ta: BTreeMap<String, String> = file_tests(&a).into_iter().collect();
    let tb: BTreeMap<String, String> = file_tests(&b).into_iter().collect();
    let names: BTreeSet<&String> = ta.keys().chain(tb.keys()).collect();
    type Flip = (String, Option<String>, Option<String>);
    let expected: BTreeSet<Flip> = names
        .into_iter()
        .filter(|n| ta.get(*n) != tb.get(*n))
        .map(|n| (n.clone(), ta.get(n).cloned(), tb.get(n).cloned()))
        .collect();
    let status = |s: &Value| s.as_str().map(str::to_string);
    let got: BTreeSet<Flip> = v["flipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["test"].as_str().unwrap().to_string(),
                status(&f["from"]),
                status(&f["to"]),
            )
        })
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(got, expected);
    let r2_flip = (
        "R2 Score: Greater or Equal 0.318".to_string(),
        Some("SUCCESS".to_string()),
        Some("FAIL".to_string()),
    );
    assert!(got.contains(&r2_flip));

    // One moved series: R2 Score's value.
    let r2 = |f: &Value| {
        f["metric_results"]
            .as_object()
            .unwrap()
            .values()
            .find(|m| m["display_name"] == "R2 Score")
            .and_then(|m| m["value"].as_f64())
            .unwrap()
    };
    let (ra, rb) = (r2(&a), r2(&b));
    assert_ne!(ra, rb);
    let moved = v["moved"].as_array().unwrap();
    let m = moved
        .iter()
        .find(|m| m["a"].as_f64() == Some(ra) && m["b"].as_f64() == Some(rb))
        .unwrap_or_else(|| panic!("no moved series {ra} -> {rb}"));
    assert_eq!(m["series"], "R2Score.value");
    assert_eq!(m["delta"].as_f64(), Some(rb - ra));
    for k in ["series", "a", "b", "delta"] {
        assert!(moved.iter().all(|m| m.get(k).is_some()), "{k}");
    }

    // Drift changes: per-column ValueDrift metrics, drifted when the p-value is
    // under the metric's threshold.
    let drift = |f: &Value| -> BTreeMap<String, bool> {
        f["metric_results"]
            .as_object()
            .unwrap()
            .values()
            .filter_map(|m| {
                let p = &m["metric_value_location"]["metric"]["params"];
                (p["type"] == "evidently:metric_v2:ValueDrift").then(|| {
                    (
                        p["column"].as_str().unwrap().to_string(),
                        m["value"].as_f64().unwrap() < p["threshold"].as_f64().unwrap(),
                    )
                })
            })
            .collect()
    };
    let (da, db) = (drift(&a), drift(&b));
    let cols: BTreeSet<&String> = da.keys().chain(db.keys()).collect();
    type Change = (String, Option<bool>, Option<bool>);
    let expected: BTreeSet<Change> = cols
        .into_iter()
        .filter(|c| da.get(*c) != db.get(*c))
        .map(|c| (c.clone(), da.get(c).copied(), db.get(c).copied()))
        .collect();
    let got: BTreeSet<Change> = v["drift_changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["column"].as_str().unwrap().to_string(),
                d["a"].as_bool(),
                d["b"].as_bool(),
            )
        })
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(got, expected);

    // Tags and metadata.
    let tags = |f: &Value| -> BTreeSet<String> {
        f["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap().to_string())
            .collect()
    };
    let changed_tags: BTreeSet<String> =
        tags(&a).symmetric_difference(&tags(&b)).cloned().collect();
    let (ma, mb) = (
        a["metadata"].as_object().unwrap(),
        b["metadata"].as_object().unwrap(),
    );
    let changed_meta: BTreeSet<String> = ma
        .keys()
        .chain(mb.keys())
        .filter(|k| ma.get(*k) != mb.get(*k))
        .cloned()
        .collect();
    let tm = v["tags_metadata"].as_array().unwrap();
    let got_tags: BTreeSet<String> = tm
        .iter()
        .filter(|d| d["kind"] == "tag")
        .map(|d| d["key"].as_str().unwrap().to_string())
        .collect();
    let got_meta: BTreeSet<String> = tm
        .iter()
        .filter(|d| d["kind"] == "metadata")
        .map(|d| d["key"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got_tags, changed_tags);
    assert_eq!(got_meta, changed_meta);

    // The text form: flipped tests first, then moved series, drift, tags.
    let o = snapscope(&[
        "compare",
        "sample_snapshots",
        a_id,
        b_id,
        "--project",
        "Diabetes",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = text(&o);
    let pos = |s: &str| out.find(s).unwrap_or_else(|| panic!("{s:?} not in {out}"));
    assert!(pos("FLIPPED TESTS") < pos("MOVED SERIES"));
    assert!(pos("MOVED SERIES") < pos("DRIFT CHANGES"));
    assert!(pos("DRIFT CHANGES") < pos("TAGS AND METADATA"));
    assert!(pos("R2 Score: Greater or Equal 0.318") < pos("MOVED SERIES"));
    assert!(out.lines().all(|l| width(l) <= 80), "{out}");
}

pub(crate) fn width(s: &str) -> usize {
    s.chars().count()
}

#[test]
fn compare_defaults_and_keywords() {
    // Orders (v2): jq -c '[.metric_results[] | .tests[]?.status] | unique' per file, in time order:
    // the newest run with tests fails; no run before it passes everything.
    let v = json_with(
        0,
        &[
            "compare",
            "sample_snapshots",
            "latest-fail",
            "latest",
            "--project",
            "Orders",
            "--json",
        ],
    );
    assert_eq!(v["b"], "01a2230e-0153-71fb-b3ad-4e5b665299c3");
    assert_eq!(v["a"], v["b"]);
    assert_eq!(v["flipped"], Value::Array(vec![]));
    // Without A and B: no passing run in Tumor, so the last two runs with tests.
    let v = json_with(
        0,
        &[
            "compare",
            "sample_snapshots",
            "--project",
            "Tumor",
            "--json",
        ],
    );
    assert_eq!(v["a"], "01a2230c-a15e-7401-8d29-18b6bf4717cc");
    assert_eq!(v["b"], TUMOR_FAIL);
    assert!(v["note"].is_string());
    // The pass workspace plus a failing run: the default pair is the last pass
    // and the failing run.
    let (_dir, ws) = pass_copy();
    fs::copy(
        sample_file(TUMOR, TUMOR_FAIL),
        ws.join(TUMOR).join(format!("snapshots/{TUMOR_FAIL}.json")),
    )
    .unwrap();
    let v = json_with(
        0,
        &[
            "compare",
            ws.to_str().unwrap(),
            "--project",
            TUMOR,
            "--json",
        ],
    );
    assert_eq!(v["a"], TUMOR_PASS);
    assert_eq!(v["b"], TUMOR_FAIL);
    assert!(v["note"].as_str().unwrap().starts_with("onset"), "{v}");
    // Nothing failing: the last two runs with tests, with a note.
    let v = json_with(
        0,
        &[
            "compare",
            pass_ws().to_str().unwrap(),
            "--project",
            TUMOR,
            "--json",
        ],
    );
    assert_eq!(v["a"], "01a2230c-839e-70db-b6c0-b098f3d80fc0");
    assert_eq!(v["b"], TUMOR_PASS);
    assert!(v["note"].is_string());
    assert_eq!(v["flipped"], Value::Array(vec![]));
    // Errors: unknown id, several projects and keywords only.
    for args in [
        &["compare", "sample_snapshots", "nope", "latest"][..],
        &["compare", "sample_snapshots", "latest-pass", "latest"],
        &["compare", "sample_snapshots", "01a2230d-d549"],
    ] {
        let o = snapscope(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
    }
}
