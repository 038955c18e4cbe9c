//! JSON that Python's `json` reads (and so Evidently does) but serde_json
//! refuses: numbers beyond the double range (`1e400` is inf to Python), a
//! lone UTF-16 surrogate escape, a key written twice. Such a file is
//! indexed with what Python reads: a repeated key keeps its last value, a
//! lone surrogate becomes U+FFFD, and ±inf is read as Python's `Infinity`
//! token is, as no value (`null`). The expected values come from python3.

use crate::common;
use common::run;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const DIABETES: &str = "01a2230d-b8d2-7113-98bf-36daa2d1f948";
const RUN: &str = "01a2230d-cf89-775a-a1a8-46cd6f8ba0dd";
/// `metric_results` ids of that run's RMSE and R2 Score (SingleValue).
const RMSE_ID: &str = "a0eaa169f84270c5f7fab8d11aee124a";
const R2_ID: &str = "cc671c80bf80d1ec95746e986354002e";

/// What python3 reads from a snapshot file, lone surrogates replaced by
/// U+FFFD; floats as `repr` (`inf`). `None` (SKIPPED) without python3.
fn python_reads(file: &Path) -> Option<Value> {
    let script = r#"
import json, re, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
fix = lambda s: re.sub("[\ud800-\udfff]", "\ufffd", s)
mr = d["metric_results"]
print(json.dumps({
    "name": fix(d["name"]),
    "tags": [fix(t) for t in d["tags"]],
    "metadata": d["metadata"],
    "rmse": repr(mr[sys.argv[2]]["value"]),
    "r2": repr(mr[sys.argv[3]]["value"]),
}))
"#;
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(file)
        .args([RMSE_ID, R2_ID])
        .output();
    match out {
        Ok(o) if o.status.success() => Some(serde_json::from_slice(&o.stdout).unwrap()),
        _ => {
            println!("SKIPPED python_json: python3 cannot run");
            None
        }
    }
}

/// How the first run of sample_snapshots' Diabetes project is rewritten.
#[derive(Clone, Copy)]
struct Edits {
    /// Number tokens for the RMSE and R2 Score `value`s (`None`: as they are).
    rmse: Option<&'static str>,
    r2: Option<&'static str>,
    /// A lone surrogate escape in the name and in a tag.
    surrogates: bool,
    /// `metadata` written a second time at the end.
    repeated_key: bool,
}

const ALL: Edits = Edits {
    rmse: Some("1e400"),
    r2: Some("-1e400"),
    surrogates: true,
    repeated_key: true,
};

/// A workspace holding the Diabetes project with its first run rewritten.
fn workspace(e: Edits) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    common::copy_dir(
        &Path::new("sample_snapshots").join(DIABETES),
        &ws.join(DIABETES),
    );
    let file = ws
        .join(DIABETES)
        .join("snapshots")
        .join(format!("{RUN}.json"));
    let mut text = fs::read_to_string(&file).unwrap();
    let mut swap = |from: &str, to: &str| {
        assert_eq!(text.matches(from).count(), 1, "{from}");
        text = text.replace(from, to);
    };
    if let Some(v) = e.rmse {
        swap("76.36212879286808", v);
    }
    if let Some(v) = e.r2 {
        swap("0.21289978760680595", v);
    }
    if e.surrogates {
        swap(
            r#""name": "daily-2024-03-26""#,
            r#""name": "daily\ud800-2024-03-26""#,
        );
        swap(r#""tags": ["backfill"]"#, r#""tags": ["back\udc00fill"]"#);
    }
    if e.repeated_key {
        let body = text.trim_end().strip_suffix('}').unwrap();
        text = format!(r#"{body}, "metadata": {{"batch_id": "last-wins", "secret": "s3"}}}}"#);
    }
    fs::write(&file, text).unwrap();
    (tmp, ws, file)
}

fn json(args: &[&str]) -> Value {
    let o = run::snapscope()
        .args(args)
        .args(["--no-cache", "--tz", "utc", "--json"])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn a_file_python_reads_is_indexed_with_what_python_reads() {
    let (_tmp, ws, file) = workspace(ALL);
    let Some(py) = python_reads(&file) else {
        return;
    };
    let ws = ws.to_str().unwrap();
    let scan = json(&["scan", ws]);
    assert_eq!(scan["unreadable"], Value::Array(vec![]), "{scan}");
    assert_eq!(scan["snapshots"], 8);
    let show = json(&["show", ws, RUN]);
    assert_eq!(show["name"], py["name"]);
    assert_eq!(show["name"], "daily\u{fffd}-2024-03-26");
    assert_eq!(show["tags"], py["tags"]);
    // The last `metadata` wins, as in Python.
    assert_eq!(show["metadata"], py["metadata"]);
    assert_eq!(show["metadata"]["batch_id"], "last-wins");
    // Python reads ±inf; like its `Infinity` token, that is no value here.
    assert_eq!(
        (py["rmse"].as_str(), py["r2"].as_str()),
        (Some("inf"), Some("-inf"))
    );
    assert_eq!(show["series"]["RMSE.value"], Value::Null);
    assert_eq!(show["series"]["R2Score.value"], Value::Null);
    // The rest of the run is read as usual.
    assert_eq!(show["series"]["RowCount.value"], 140.0);
}

#[test]
fn each_alone_made_the_file_unreadable() {
    let none = Edits {
        rmse: None,
        r2: None,
        surrogates: false,
        repeated_key: false,
    };
    for (what, e) in [
        (
            "1e400",
            Edits {
                rmse: Some("1e400"),
                ..none
            },
        ),
        (
            "-1e400",
            Edits {
                r2: Some("-1e400"),
                ..none
            },
        ),
        (
            "a lone surrogate",
            Edits {
                surrogates: true,
                ..none
            },
        ),
        (
            "a repeated key",
            Edits {
                repeated_key: true,
                ..none
            },
        ),
    ] {
        let (_tmp, ws, file) = workspace(e);
        let scan = json(&["scan", ws.to_str().unwrap()]);
        assert_eq!(scan["unreadable"], Value::Array(vec![]), "{what}: {scan}");
        let show = json(&["show", ws.to_str().unwrap(), RUN]);
        if let Some(py) = python_reads(&file) {
            for field in ["name", "tags", "metadata"] {
                assert_eq!(show[field], py[field], "{what}: {field}");
            }
        }
    }
}

#[test]
fn out_of_range_numbers_read_as_python_infinity_tokens_do() {
    let (_a, ws_e, _) = workspace(ALL);
    let (_b, ws_inf, file_inf) = workspace(Edits {
        rmse: Some("Infinity"),
        r2: Some("-Infinity"),
        ..ALL
    });
    if let Some(py) = python_reads(&file_inf) {
        assert_eq!(
            (py["rmse"].as_str(), py["r2"].as_str()),
            (Some("inf"), Some("-inf"))
        );
    }
    for cmd in ["show", "tests"] {
        let args = |ws: &Path| -> Vec<String> {
            let ws = ws.to_str().unwrap().to_string();
            match cmd {
                "show" => vec!["show".into(), ws, RUN.into()],
                _ => vec!["tests".into(), ws],
            }
        };
        let a = args(&ws_e);
        let b = args(&ws_inf);
        let mut ja = json(&a.iter().map(String::as_str).collect::<Vec<_>>());
        let mut jb = json(&b.iter().map(String::as_str).collect::<Vec<_>>());
        for j in [&mut ja, &mut jb] {
            if let Some(o) = j.as_object_mut() {
                o.remove("path");
            }
        }
        assert_eq!(ja, jb, "{cmd}");
    }
}

#[test]
fn project_metadata_python_reads_is_read_the_same() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    common::copy_dir(
        &Path::new("sample_snapshots").join(DIABETES),
        &ws.join(DIABETES),
    );
    let meta = ws.join(DIABETES).join("metadata.json");
    let text = fs::read_to_string(&meta).unwrap();
    let body = text.trim_end().strip_suffix('}').unwrap();
    fs::write(
        &meta,
        format!(r#"{body}, "version": 1e400, "name": "Second\udfffname"}}"#),
    )
    .unwrap();
    // python3 -c 'import json; print(repr(json.load(open("metadata.json"))["name"]))'
    // 'Second\udfffname': the last name, its lone surrogate replaced here.
    let projects = json(&["projects", ws.to_str().unwrap()]);
    assert_eq!(projects[0]["name"], "Second\u{fffd}name", "{projects}");
    assert_eq!(projects[0]["warning"], Value::Null);
}
