//! End-to-end tests of the `snapscope` binary, continued from `cli`: bad
//! input under `tests/fixtures/bad/` (each unreadable file listed with its
//! reason, the rest indexed), exit codes, and that PATH is never written to.

use crate::cli::{assert_has_keys, json, root, snapscope, stderr, text, WINE};
use crate::common;
use common::{copy_dir, run};

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde_json::Value;

// ---------------------------------------------------------------- bad input

fn bad_unreadable() -> (Value, BTreeMap<String, String>) {
    let v = json(&["scan", "tests/fixtures/bad", "--json"]);
    let mut reasons = BTreeMap::new();
    for u in v["unreadable"].as_array().unwrap() {
        assert_has_keys(u, &["path", "reason"]);
        let path = u["path"].as_str().unwrap();
        let rel = path.strip_prefix("tests/fixtures/bad/").unwrap_or(path);
        reasons.insert(rel.to_string(), u["reason"].as_str().unwrap().to_string());
    }
    (v, reasons)
}

#[test]
fn scan_reports_each_bad_file_with_its_reason() {
    let (v, reasons) = bad_unreadable();
    assert_has_keys(&v, &["projects", "snapshots", "unreadable", "elapsed_ms"]);
    assert_eq!(v["projects"], 3);
    assert_eq!(v["snapshots"], 5);
    let snap = |n: u32| format!("{WINE}/snapshots/0aaaaaaa-0000-4000-8000-00000000000{n}.json");
    let expect_prefix = [
        (snap(1), "truncated JSON"),
        (snap(2), "empty file"),
        (snap(3), "invalid JSON at line 1, column 1: looks like HTML"),
        (snap(4), "not an Evidently snapshot"),
        (snap(5), "bad timestamp"),
        (
            format!("{WINE}/snapshots/notes.json"),
            "file name is not a snapshot id",
        ),
        (
            "0bbbbbbb-0000-4000-8000-000000000001/metadata.json".to_string(),
            "project metadata: truncated JSON",
        ),
    ];
    assert_eq!(reasons.len(), expect_prefix.len(), "{reasons:#?}");
    for (path, prefix) in expect_prefix {
        let reason = reasons
            .get(&path)
            .unwrap_or_else(|| panic!("{path} not reported: {reasons:#?}"));
        assert!(reason.starts_with(prefix), "{path}: {reason}");
        assert!(!reason.contains('\n'), "one line: {reason}");
    }
    // Ignored files are neither indexed nor reported.
    for k in reasons.keys() {
        assert!(!k.contains("links") && !k.contains("datasets") && !k.contains(".swp"));
    }
    // The text view lists the same problems.
    let o = snapscope(&["scan", "tests/fixtures/bad"]);
    assert_eq!(o.status.code(), Some(0));
    let out = text(&o);
    assert!(
        out.contains("3 projects, 5 snapshots, 7 unreadable"),
        "{out}"
    );
    assert!(out.contains("  empty file"), "{out}");
}

/// A project folder without `metadata.json` (the bad fixture's v2 project,
/// `ls tests/fixtures/bad/01a2230e-*` shows only `snapshots/`) is indexed
/// under its folder name with a project warning, not an unreadable file;
/// `check` says so in a note and never calls it a file being written.
#[test]
fn a_project_without_metadata_is_a_warning_not_an_unreadable_file() {
    let v = json(&["scan", "tests/fixtures/bad", "--json"]);
    let warnings = v["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{v}");
    assert_eq!(
        warnings[0]["project_id"],
        "01a2230e-0168-7ab7-adff-7641d9b536e9"
    );
    assert!(warnings[0]["warning"]
        .as_str()
        .unwrap()
        .contains("no metadata.json"));
    assert!(v["unreadable"]
        .as_array()
        .unwrap()
        .iter()
        .all(|u| !u["path"]
            .as_str()
            .unwrap()
            .ends_with("01a2230e-0168-7ab7-adff-7641d9b536e9")));
    let o = snapscope(&["scan", "tests/fixtures/bad"]);
    assert!(text(&o).contains("PROJECT WARNINGS"), "{}", text(&o));

    // A clean copy of a sample project, metadata.json removed: 0 unreadable.
    let tmp = tempfile::tempdir().unwrap();
    let id = "01a2230c-81ae-78e6-8ae0-202ec1933101";
    crate::common::copy_dir(
        &Path::new("sample_snapshots").join(id),
        &tmp.path().join(id),
    );
    std::fs::remove_file(tmp.path().join(id).join("metadata.json")).unwrap();
    let ws = tmp.path().to_str().unwrap();
    let o = snapscope(&["check", ws, "--json"]);
    // The project fails on its tests (exit 1), not because of the folder.
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let c: Value = serde_json::from_slice(&o.stdout).unwrap();
    let p = &c["projects"][0];
    assert_eq!(p["unreadable"], 0, "{c}");
    let notes: Vec<&str> = p["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert!(
        notes.iter().any(|n| n.contains("no metadata.json")),
        "{notes:?}"
    );
    assert!(
        !notes.iter().any(|n| n.contains("being written")),
        "{notes:?}"
    );
    let out = text(&snapscope(&["check", ws]));
    assert!(
        out.contains("note: project folder has no metadata.json"),
        "{out}"
    );
    assert!(!out.contains("being written"), "{out}");
}

/// Pointing at a project's `snapshots/` folder names the project from its
/// parent's metadata.json (`jq .name sample_snapshots/01a2230c-81ae-*/metadata.json`
/// is "Tumor classifier (binary)").
#[test]
fn a_snapshots_folder_is_named_after_its_project() {
    let v = json(&[
        "projects",
        "sample_snapshots/01a2230c-81ae-78e6-8ae0-202ec1933101/snapshots",
        "--json",
    ]);
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{v}");
    assert_eq!(rows[0]["name"], "Tumor classifier (binary)");
    assert_eq!(rows[0]["id"], "01a2230c-81ae-78e6-8ae0-202ec1933101");
}

#[test]
fn everything_else_in_the_bad_workspace_is_indexed() {
    let v = json(&["snapshots", "tests/fixtures/bad", "--json"]);
    let mut got: Vec<(String, String)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["project_id"].as_str().unwrap().into(),
                r["id"].as_str().unwrap().into(),
            )
        })
        .collect();
    got.sort();
    // find tests/fixtures/bad -name '0*.json' -path '*/snapshots/*' ! -name '0aaaaaaa*'
    let mut want: Vec<(String, String)> = [
        (WINE, "01a2230d-0e4a-7e46-903a-07e58f29d832"),
        (WINE, "01a2230d-0ea3-76a9-8851-5708754ea057"),
        (WINE, "01a2230d-0ef7-797e-a6d5-e7203cef3e6c"),
        (
            "01a2230e-0168-7ab7-adff-7641d9b536e9",
            "01a2230e-01fd-7daf-96de-4cca91c80303",
        ),
        (
            "0bbbbbbb-0000-4000-8000-000000000001",
            "01a2230c-f96e-7502-8805-312282d228f5",
        ),
    ]
    .iter()
    .map(|(p, s)| (p.to_string(), s.to_string()))
    .collect();
    want.sort();
    assert_eq!(got, want);

    let v = json(&["projects", "tests/fixtures/bad", "--json"]);
    let by_id: BTreeMap<&str, &Value> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p))
        .collect();
    assert_eq!(by_id.len(), 3, "datasets/*/metadata.json is not a project");
    assert_eq!(by_id[WINE]["name"], "Wine cultivar classifier (multiclass)");
    assert_eq!(by_id[WINE]["unreadable"], 6);
    // Without (or with broken) metadata the project is named after its folder.
    let nometa = by_id["01a2230e-0168-7ab7-adff-7641d9b536e9"];
    assert_eq!(nometa["name"], "01a2230e-0168-7ab7-adff-7641d9b536e9");
    assert_eq!(nometa["unreadable"], 0);
    assert!(nometa["warning"]
        .as_str()
        .unwrap()
        .contains("no metadata.json"));
    let broken = by_id["0bbbbbbb-0000-4000-8000-000000000001"];
    assert_eq!(broken["name"], "0bbbbbbb-0000-4000-8000-000000000001");
    assert_eq!(broken["snapshots"], 1);
}

#[test]
fn files_over_the_size_limit_are_skipped_with_a_reason() {
    // stat -c '%s %n' tests/fixtures/bad/01a2230c-f95d-*/snapshots/01a2230d-*.json
    //   -> 20964 ...0e4a, 14959 ...0ea3, 19043 ...0ef7
    let (_, base) = bad_unreadable();
    let v = json(&[
        "scan",
        "tests/fixtures/bad",
        "--json",
        "--max-file-size",
        "15K",
    ]);
    let reason_of = |id: &str| {
        v["unreadable"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["path"].as_str().unwrap().ends_with(&format!("{id}.json")))
            .map(|u| u["reason"].as_str().unwrap().to_string())
    };
    assert_eq!(
        reason_of("01a2230d-0e4a-7e46-903a-07e58f29d832").as_deref(),
        Some("file too large (20964 bytes > limit 15360)")
    );
    assert_eq!(
        reason_of("01a2230d-0ef7-797e-a6d5-e7203cef3e6c").as_deref(),
        Some("file too large (19043 bytes > limit 15360)")
    );
    assert_eq!(reason_of("01a2230d-0ea3-76a9-8851-5708754ea057"), None);
    assert!(v["unreadable"].as_array().unwrap().len() > base.len());
}

#[test]
fn unreadable_permissions_are_reported() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    // World-readable copy, so an unprivileged user can read all but one file.
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let ws = dir.path().join("ws");
    copy_dir(&root().join("tests/fixtures/bad"), &ws);
    let target = ws.join(format!(
        "{WINE}/snapshots/01a2230d-0e4a-7e46-903a-07e58f29d832.json"
    ));
    fs::set_permissions(&target, fs::Permissions::from_mode(0o000)).unwrap();
    let ws_s = ws.to_str().unwrap();
    let Some(run) = run::unprivileged("unreadable_permissions_are_reported") else {
        return;
    };
    let output = run.args(["scan", ws_s, "--json"]).output().unwrap();
    let v: Value = serde_json::from_slice(&output.stdout).unwrap();
    let u = v["unreadable"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| {
            u["path"]
                .as_str()
                .unwrap()
                .ends_with("01a2230d-0e4a-7e46-903a-07e58f29d832.json")
        })
        .expect("the unreadable file is reported");
    assert_eq!(
        u["reason"], "cannot read file: Permission denied (os error 13)",
        "{u}"
    );
    assert_eq!(v["snapshots"], 4, "the rest is still indexed");
}

#[test]
fn dangling_symlink_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    copy_dir(&root().join("tests/fixtures/bad"), &ws);
    let link = ws.join(format!(
        "{WINE}/snapshots/0ccccccc-0000-4000-8000-000000000001.json"
    ));
    std::os::unix::fs::symlink(dir.path().join("missing.json"), &link).unwrap();
    let v = json(&["scan", ws.to_str().unwrap(), "--json"]);
    let u = v["unreadable"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| {
            u["path"]
                .as_str()
                .unwrap()
                .ends_with("0ccccccc-0000-4000-8000-000000000001.json")
        })
        .expect("the dangling link is reported");
    assert!(
        u["reason"]
            .as_str()
            .unwrap()
            .starts_with("cannot read file: No such file"),
        "{u}"
    );
    assert_eq!(v["snapshots"], 5);
}

// ---------------------------------------------------------------- exit codes, no writes

#[test]
fn usage_and_io_errors_exit_2_with_one_line() {
    let cases: &[&[&str]] = &[
        &["projects", "no/such/folder"],
        &["scan", "Cargo.toml"],
        &["frobnicate"],
        &["projects"],
        &["--tz", "Mars/Olympus", "projects", "sample_snapshots"],
        &["snapshots", "sample_snapshots", "--since", "last tuesday"],
        &[
            "snapshots",
            "sample_snapshots",
            "--project",
            "no such project",
        ],
        &["snapshots", "sample_snapshots", "--project", "classifier"], // two projects match
        &[
            "show",
            "sample_snapshots",
            "00000000-0000-0000-0000-000000000000",
        ],
        &["series", "sample_snapshots"],
        &["watch", "no/such/folder"],
        &["watch", "sample_snapshots", "--watch", "sometimes"],
    ];
    for args in cases {
        let o = snapscope(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty(), "{args:?} printed to stdout");
        assert!(!stderr(&o).trim().is_empty(), "{args:?}: no message");
    }
    // Our own errors are one line, prefixed.
    for args in [
        &["projects", "no/such/folder"][..],
        &["watch", "no/such/folder"],
    ] {
        let e = stderr(&snapscope(args));
        assert_eq!(e.trim_end().lines().count(), 1, "{e}");
        assert!(e.starts_with("snapscope: "), "{e}");
    }
    assert!(stderr(&snapscope(&["watch", "no/such/folder"])).contains("no/such/folder"));
    assert!(stderr(&snapscope(&["projects", "no/such/folder"])).contains("no/such/folder"));
    let o = snapscope(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o).contains("snapshots"));
}

fn listing(dir: &Path) -> BTreeMap<PathBuf, (u64, Option<SystemTime>)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let m = fs::symlink_metadata(e.path()).unwrap();
            out.insert(e.path(), (m.len(), m.modified().ok()));
            if m.is_dir() {
                stack.push(e.path());
            }
        }
        let m = fs::metadata(&d).unwrap();
        out.insert(d.clone(), (m.len(), m.modified().ok()));
    }
    out
}

#[test]
fn nothing_is_written_into_path() {
    for ws in ["sample_snapshots", "tests/fixtures/bad"] {
        let before = listing(&root().join(ws));
        let some_id = if ws == "sample_snapshots" {
            "01a2230d-d61a-7165-b788-ed9c16680031"
        } else {
            "01a2230d-0e4a-7e46-903a-07e58f29d832"
        };
        for args in [
            vec![ws],
            vec!["projects", ws],
            vec!["projects", ws, "--json"],
            vec!["snapshots", ws, "--json"],
            vec!["snapshots", ws],
            vec!["show", ws, some_id],
            vec!["show", ws, some_id, "--json"],
            vec!["series", ws, "--project", "Wine"],
            vec!["scan", ws],
            vec!["scan", ws, "--json"],
        ] {
            let o = snapscope(&args);
            assert!(matches!(o.status.code(), Some(0 | 2)), "{args:?}");
        }
        assert_eq!(before, listing(&root().join(ws)), "{ws} changed");
    }
}

/// `snapscope watch --json` prints a summary line first (snapshot count as
/// `ls sample_snapshots/*/snapshots | grep -c json` gives: 40), keeps running,
/// and exits 0 on SIGTERM.
#[test]
fn watch_prints_a_summary_and_stops_on_sigterm() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let mut child = run::snapscope()
        .args(["watch", "--json", "--watch", "poll", "sample_snapshots"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().expect("a summary line").unwrap();
    let summary: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(summary["snapshots"], 40, "{first}");
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let code = child.wait().unwrap();
    assert_eq!(code.code(), Some(0));
}

/// An ambiguous `--project` lists names as well as ids (issue 13, item 13):
/// "classifier" is in two sample names (`jq .name sample_snapshots/*/metadata.json`).
#[test]
fn an_ambiguous_project_lists_names_and_ids() {
    let mut expected = Vec::new();
    for d in fs::read_dir("sample_snapshots").unwrap() {
        let d = d.unwrap().path();
        let Ok(m) = fs::read_to_string(d.join("metadata.json")) else {
            continue;
        };
        let m: Value = serde_json::from_str(&m).unwrap();
        let name = m["name"].as_str().unwrap().to_string();
        if name.to_lowercase().contains("classifier") {
            expected.push((name, d.file_name().unwrap().to_string_lossy().into_owned()));
        }
    }
    assert_eq!(expected.len(), 2, "{expected:?}");
    let o = snapscope(&["tests", "sample_snapshots", "--project", "classifier"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    for (name, id) in &expected {
        assert!(err.contains(&format!("\"{name}\" ({id})")), "{err}");
    }
}

/// A `trend` key that differs only in case suggests the right key: the
/// sample's `R2Score.value` (`jq` on the v2 Diabetes runs: an `R2Score`
/// metric) typed as `r2score.VALUE`.
#[test]
fn a_trend_key_in_the_wrong_case_suggests_the_key() {
    let o = snapscope(&[
        "trend",
        "sample_snapshots",
        "--project",
        "diabetes",
        "r2score.VALUE",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean R2Score.value?"),
        "{}",
        stderr(&o)
    );
}
