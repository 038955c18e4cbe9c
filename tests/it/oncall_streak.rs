//! Since when a project fails, by the run rule (issue 13, item 1): only runs
//! that carry tests count; a run passes when none of its tests is FAIL or
//! ERROR; a project fails since the first run with tests after its last
//! pass (since its first run with tests when none passed). Expected values
//! are read from the snapshot files with serde_json, independently of
//! snapscope's parser, and compared with `check --json`.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use serde_json::Value;

use crate::oncall::{
    file_tests, file_time, is_failure, printed_time, project, read, root, snapscope, text,
};

/// One run of a project as the files say: time, id, and whether it has
/// tests and whether any of them is FAIL/ERROR.
pub(crate) struct FileRun {
    pub(crate) time: NaiveDateTime,
    pub(crate) id: String,
    pub(crate) has_tests: bool,
    pub(crate) fails: bool,
}

/// The runs of every project folder of workspace `ws`, oldest first.
pub(crate) fn runs_by_project(ws: &Path) -> Vec<(String, Vec<FileRun>)> {
    let mut out = Vec::new();
    for dir in fs::read_dir(ws).unwrap() {
        let dir = dir.unwrap().path();
        let snaps = dir.join("snapshots");
        if !snaps.is_dir() {
            continue;
        }
        let mut runs: Vec<FileRun> = fs::read_dir(&snaps)
            .unwrap()
            .map(|f| f.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .map(|p| {
                let v = read(&p);
                let tests = file_tests(&v);
                FileRun {
                    time: file_time(&v),
                    id: p.file_stem().unwrap().to_string_lossy().into_owned(),
                    has_tests: !tests.is_empty(),
                    fails: tests.iter().any(|(_, s)| is_failure(s)),
                }
            })
            .collect();
        runs.sort_by(|a, b| (a.time, &a.id).cmp(&(b.time, &b.id)));
        let id = dir.file_name().unwrap().to_string_lossy().into_owned();
        out.push((id, runs));
    }
    out
}

/// (failing since, last pass) by the run rule, from the files.
fn expected(runs: &[FileRun]) -> (Option<&FileRun>, Option<&FileRun>) {
    let mut since = None;
    for r in runs.iter().rev().filter(|r| r.has_tests) {
        if r.fails {
            since = Some(r);
        } else {
            return (since, Some(r));
        }
    }
    (since, None)
}

fn check_json(ws: &Path) -> Value {
    let ws = ws.to_string_lossy();
    let o = snapscope(&["--tz", "utc", "--no-cache", "check", &ws, "--json"]);
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "check {ws}: {}",
        text(&o)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

/// Compares `check --json` with the files for every project of `ws`;
/// returns how many projects fail and how many of those passed once.
fn assert_streaks_match(ws: &Path) -> (usize, usize) {
    let v = check_json(ws);
    let (mut failing, mut passed_once) = (0, 0);
    for (id, runs) in runs_by_project(ws) {
        let p = project(&v, &id);
        let (since, pass) = expected(&runs);
        match since {
            Some(r) => {
                failing += 1;
                assert_eq!(
                    printed_time(&p["failing_since"]),
                    r.time,
                    "{}: failing since run {}",
                    ws.display(),
                    r.id
                );
            }
            None => assert!(p["failing_since"].is_null(), "{id}: {p}"),
        }
        match pass {
            Some(r) => {
                passed_once += usize::from(since.is_some());
                assert_eq!(p["last_pass"]["snapshot_id"], r.id.as_str(), "{id}");
                assert_eq!(printed_time(&p["last_pass"]["timestamp"]), r.time, "{id}");
            }
            None => assert!(p["last_pass"].is_null(), "{id}: {p}"),
        }
    }
    (failing, passed_once)
}

#[test]
fn failing_since_follows_the_run_rule_on_the_samples() {
    let ws = root().join("sample_snapshots");
    let (failing, _) = assert_streaks_match(&ws);
    // The four sample projects all fail in their latest run with tests.
    assert_eq!(failing, 4);
    // `tests` says the same in its text, above the per-test rows.
    for (id, runs) in runs_by_project(&ws) {
        let (since, _) = expected(&runs);
        let since = since.expect("every sample project fails");
        let o = snapscope(&[
            "--tz",
            "utc",
            "tests",
            &ws.to_string_lossy(),
            "--project",
            &id,
        ]);
        let want = format!(
            "project failing since {}",
            since.time.format("%Y-%m-%d %H:%M")
        );
        assert!(
            text(&o).contains(&want),
            "{id}: want {want:?} in\n{}",
            text(&o)
        );
    }
}

#[test]
fn failing_since_follows_the_run_rule_on_the_shared_workspaces() {
    let Some(shared) = crate::common::shared("") else {
        return;
    };
    let mut seen = 0;
    for ws in ["legacy-0.4", "current-0.7", "heavy-0.4", "heavy-0.7"] {
        let ws: PathBuf = shared.join(ws);
        let (failing, _) = assert_streaks_match(&ws);
        seen += failing;
    }
    assert!(seen > 0, "no failing project in the shared workspaces");
}

/// A run that passed between two failing runs ends the streak, even when
/// the failing test of the newest run did not run in it (a multi-suite
/// project): the project fails since the run after that pass.
#[test]
fn a_passing_run_in_between_ends_the_streak() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    crate::common::copy_dir(&root().join("tests/fixtures/oncall/pass-ws"), &ws);
    let sample = root().join("sample_snapshots");
    // Add Tumor's failing suite of 2024-04-01 after the passing runs of pass-ws.
    let tumor = "01a2230c-81ae-78e6-8ae0-202ec1933101";
    let failing = "01a2230c-a504-7ad4-9122-aaa2787bd481";
    let src = sample
        .join(tumor)
        .join("snapshots")
        .join(format!("{failing}.json"));
    let dest_dir = ws.join(tumor).join("snapshots");
    fs::copy(&src, dest_dir.join(format!("{failing}.json"))).unwrap();
    let runs: Vec<(String, Vec<FileRun>)> = runs_by_project(&ws);
    let (_, tumor_runs) = runs.iter().find(|(id, _)| id == tumor).unwrap();
    let (since, pass) = expected(tumor_runs);
    assert_eq!(since.map(|r| r.id.as_str()), Some(failing));
    assert!(pass.is_some(), "pass-ws has a passing suite");
    let (n_failing, passed_once) = assert_streaks_match(&ws);
    assert!(n_failing >= 1 && passed_once >= 1);
}

/// `watch`'s summary names, for each project, the run `check` judges: the
/// latest run with tests, read here from the files (issue 13, item 13: it
/// used to show the newest snapshot, so a report without tests said "no
/// tests" while `check` failed the project).
fn assert_watch_summary_agrees(ws: &Path) {
    use std::io::BufRead;
    use std::process::Stdio;
    let mut child = crate::common::run::snapscope()
        .args(["--tz", "utc", "watch", "--json", "--watch", "off"])
        .arg(ws)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let summary: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(summary["event"], "summary", "{line}");
    let list = summary["project_list"].as_array().unwrap();
    for (id, runs) in runs_by_project(ws) {
        let p = list
            .iter()
            .find(|p| p["project_id"] == id.as_str())
            .unwrap_or_else(|| panic!("{id} not in {line}"));
        let expected = runs
            .iter()
            .rev()
            .find(|r| r.has_tests)
            .map(|r| r.id.as_str());
        assert_eq!(
            p["latest_with_tests"]["snapshot_id"].as_str(),
            expected,
            "{}: {id}",
            ws.display()
        );
    }
}

#[test]
fn watch_summary_judges_the_run_check_judges_in_the_samples() {
    assert_watch_summary_agrees(&root().join("sample_snapshots"));
}

#[test]
fn watch_summary_judges_the_run_check_judges_in_the_shared_workspaces() {
    let Some(shared) = crate::common::shared("") else {
        return;
    };
    for ws in ["legacy-0.4", "current-0.7", "heavy-0.4", "heavy-0.7"] {
        assert_watch_summary_agrees(&shared.join(ws));
    }
}
