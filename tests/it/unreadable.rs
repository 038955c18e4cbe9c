//! Never OK when it cannot read (issue 14, items 1 and 2): a project that
//! exists but cannot be read (its folder or `snapshots/` cannot be listed,
//! or not one of its snapshot files can be read) makes `check` fail with its
//! own status, UNREADABLE, and is listed by `projects`, `scan`, `tests` and
//! the explorer's Now panel; a PATH that cannot be listed is an I/O error
//! (exit 2, the path and the OS's reason) for every command that takes one.
//!
//! The workspace: `tests/fixtures/oncall/pass-ws`'s Tumor project (its tests
//! all pass) and `sample_snapshots`'s Orders project (its latest run with
//! tests has a FAIL), so an Orders that vanished would leave a passing check.
//! Permissions are tested as `nobody` (root reads mode-000 files).

use crate::common;
use common::pty::Pty;
use common::{copy_dir, run};

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use serde_json::Value;

const TUMOR: &str = "01a2230c-81ae-78e6-8ae0-202ec1933101";
/// "Orders ingest pipeline (data only)": 8 snapshot files, latest with tests FAILs.
const ORDERS: &str = "01a2230d-d63c-70c3-b4c7-156719f977bb";
const ORDERS_NAME: &str = "Orders ingest pipeline (data only)";
const DENIED: &str = "Permission denied (os error 13)";
const T: Duration = Duration::from_secs(20);

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn chmod(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// A temp folder `nobody` can traverse, holding `ws/` with Tumor (passing)
/// and Orders (failing), every entry readable by all.
fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    chmod(dir.path(), 0o755);
    let ws = dir.path().join("ws");
    copy_dir(
        &repo().join("tests/fixtures/oncall/pass-ws").join(TUMOR),
        &ws.join(TUMOR),
    );
    copy_dir(
        &repo().join("sample_snapshots").join(ORDERS),
        &ws.join(ORDERS),
    );
    open_up(&ws);
    (dir, ws)
}

/// Folders 0755, files 0644, all the way down.
fn open_up(dir: &Path) {
    chmod(dir, 0o755);
    for e in fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            open_up(&e.path());
        } else {
            chmod(&e.path(), 0o644);
        }
    }
}

/// Orders' snapshot files (`ls ORDERS/snapshots/*.json`).
fn orders_files(ws: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(ws.join(ORDERS).join("snapshots"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    v.sort();
    v
}

/// Run the binary on `args` for permission test `test` (as `nobody` when
/// root), with no cache; `None` when privileges cannot be dropped here.
fn run_as(test: &str, args: &[&str]) -> Option<Output> {
    let run = run::unprivileged(test)?;
    Some(run.arg("--no-cache").args(args).output().unwrap())
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("bad JSON ({e}): {}{}", out(o), err(o)))
}

/// The project `id` of `check --json`.
fn project<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["projects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["project_id"] == id)
        .unwrap_or_else(|| panic!("project {id} missing from {v}"))
}

/// `check` text and JSON, with and without `--max-age`, on a workspace
/// where Orders cannot be read: exit 1, Orders UNREADABLE with `problem`
/// in its text and JSON, Tumor still ok. Returns the Orders JSON.
fn assert_check_fails_unreadable(test: &str, ws: &Path, name: &str, problem: &[&str]) -> Value {
    let w = ws.to_str().unwrap();
    for extra in [&[][..], &["--max-age", "100000d"]] {
        let Some(o) = run_as(test, &[&["check", w, "--width", "0"][..], extra].concat()) else {
            return Value::Null;
        };
        let text = out(&o);
        assert_eq!(o.status.code(), Some(1), "{extra:?}:\n{text}{}", err(&o));
        let head = text
            .lines()
            .find(|l| l.starts_with("UNREADABLE"))
            .unwrap_or_else(|| panic!("no UNREADABLE line:\n{text}"));
        assert!(head.contains(name), "{head}");
        for p in problem {
            assert!(text.contains(p), "{p:?} missing:\n{text}");
        }
        assert!(
            text.lines()
                .any(|l| l.starts_with("ok") && l.contains("Tumor classifier (binary)")),
            "{text}"
        );
        let verdict = text.lines().last().unwrap();
        assert!(verdict.starts_with("FAILED: 1 of 2 projects"), "{verdict}");
        assert!(verdict.contains("unreadable"), "{verdict}");
    }
    let Some(o) = run_as(test, &["check", w, "--json"]) else {
        return Value::Null;
    };
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    let v = json(&o);
    assert_eq!(v["ok"], false, "{v}");
    let orders = project(&v, ORDERS);
    assert_eq!(orders["ok"], false, "{orders}");
    assert_eq!(orders["status"], "unreadable", "{orders}");
    assert_eq!(orders["name"], name, "{orders}");
    assert_eq!(
        orders["pending"], false,
        "an unreadable project is no pending run"
    );
    let why = format!(
        "{}: {}",
        orders["problem"]["path"].as_str().expect("a problem path"),
        orders["problem"]["reason"]
            .as_str()
            .expect("a problem reason")
    );
    for p in problem {
        assert!(why.contains(p), "{p:?} missing from {why:?}");
    }
    assert_eq!(project(&v, TUMOR)["status"], "ok");
    orders.clone()
}

/// `projects` (text and JSON) and `scan --json` list Orders with its problem.
fn assert_listed(test: &str, ws: &Path, name: &str, problem: &str) {
    let w = ws.to_str().unwrap();
    let Some(o) = run_as(test, &["projects", w]) else {
        return;
    };
    let text = out(&o);
    assert_eq!(o.status.code(), Some(0), "{text}{}", err(&o));
    assert!(text.contains(name), "{text}");
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("unreadable:") && l.contains(problem)),
        "{text}"
    );
    let o = run_as(test, &["projects", w, "--json"]).unwrap();
    let rows = json(&o);
    let row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == ORDERS)
        .unwrap_or_else(|| panic!("{rows}"));
    assert!(
        row["problem"]["reason"].as_str().unwrap().contains(problem),
        "{row}"
    );
    let o = run_as(test, &["scan", w, "--json"]).unwrap();
    let v = json(&o);
    assert_eq!(v["projects"], 2, "{v}");
    assert!(
        v["unreadable"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["project_id"] == ORDERS && u["reason"].as_str().unwrap().contains(problem)),
        "{v}"
    );
    // `tests` of it says why it has no tests instead of an empty table.
    let o = run_as(test, &["tests", w, "--project", ORDERS]).unwrap();
    let text = out(&o);
    assert!(
        text.lines()
            .any(|l| l.starts_with("unreadable:") && l.contains(problem)),
        "{text}{}",
        err(&o)
    );
}

#[test]
fn a_project_folder_nobody_can_list_fails_the_check() {
    let test = "a_project_folder_nobody_can_list_fails_the_check";
    let (_dir, ws) = workspace();
    let folder = ws.join(ORDERS);
    chmod(&folder, 0o000);
    // Its metadata.json cannot be read either: it is named after its folder.
    let orders = assert_check_fails_unreadable(
        test,
        &ws,
        ORDERS,
        &[folder.to_str().unwrap(), "cannot list folder", DENIED],
    );
    if orders.is_null() {
        return;
    }
    assert_eq!(orders["snapshot_id"], Value::Null);
    assert_listed(test, &ws, ORDERS, DENIED);
    chmod(&folder, 0o755);
}

#[test]
fn a_snapshots_folder_nobody_can_list_fails_the_check() {
    let test = "a_snapshots_folder_nobody_can_list_fails_the_check";
    let (_dir, ws) = workspace();
    let snaps = ws.join(ORDERS).join("snapshots");
    chmod(&snaps, 0o000);
    let orders = assert_check_fails_unreadable(
        test,
        &ws,
        ORDERS_NAME,
        &[snaps.to_str().unwrap(), "cannot list folder", DENIED],
    );
    if orders.is_null() {
        return;
    }
    assert_listed(test, &ws, ORDERS_NAME, DENIED);
    chmod(&snaps, 0o755);
}

#[test]
fn snapshot_files_nobody_can_read_fail_the_check() {
    let test = "snapshot_files_nobody_can_read_fail_the_check";
    let (_dir, ws) = workspace();
    let files = orders_files(&ws);
    assert_eq!(files.len(), 8);
    for f in &files {
        chmod(f, 0o000);
    }
    let n = format!("none of its {} snapshot files could be read", files.len());
    let orders = assert_check_fails_unreadable(test, &ws, ORDERS_NAME, &[&n, DENIED]);
    if orders.is_null() {
        return;
    }
    assert_eq!(orders["unreadable"], 8, "{orders}");
    assert_listed(test, &ws, ORDERS_NAME, DENIED);
}

#[test]
fn truncated_snapshot_files_fail_the_check() {
    let test = "truncated_snapshot_files_fail_the_check";
    let (_dir, ws) = workspace();
    let files = orders_files(&ws);
    for f in &files {
        let bytes = fs::read(f).unwrap();
        fs::write(f, &bytes[..bytes.len() / 2]).unwrap();
    }
    let n = format!("none of its {} snapshot files could be read", files.len());
    assert_check_fails_unreadable(test, &ws, ORDERS_NAME, &[&n, "truncated JSON"]);
    assert_listed(test, &ws, ORDERS_NAME, "truncated JSON");
}

/// Every command that takes PATH, on a PATH nobody may list: exit 2, one
/// line on stderr with the path and the OS's reason, nothing on stdout.
#[test]
fn a_root_nobody_can_list_is_an_io_error_for_every_command() {
    let test = "a_root_nobody_can_list_is_an_io_error_for_every_command";
    let (_dir, ws) = workspace();
    chmod(&ws, 0o000);
    let w = ws.to_str().unwrap();
    let cases: Vec<Vec<&str>> = vec![
        vec![w],
        vec!["projects", w],
        vec!["projects", w, "--json"],
        vec!["snapshots", w],
        vec!["show", w, "01a2230c-8ef4-77f4-9d68-34c07e0b68a8"],
        vec!["series", w, "--project", TUMOR],
        vec!["trend", w, "RowCount.value", "--project", TUMOR],
        vec!["scan", w],
        vec!["scan", w, "--json"],
        vec!["tests", w, "--project", TUMOR],
        vec!["check", w],
        vec!["check", w, "--json"],
        vec!["compare", w, "--project", TUMOR],
        vec!["watch", w],
        vec!["watch", w, "--json"],
    ];
    for args in cases {
        let Some(o) = run_as(test, &args) else {
            return;
        };
        let e = err(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}{e}", out(&o));
        assert!(o.stdout.is_empty(), "{args:?}: {}", out(&o));
        assert_eq!(e.lines().count(), 1, "{args:?}: {e}");
        assert!(e.contains(w), "{args:?}: {e}");
        assert!(e.contains(DENIED), "{args:?}: {e}");
    }
    chmod(&ws, 0o755);
}

/// The explorer on such a PATH says so and exits 2 instead of opening on
/// "no projects found".
#[test]
fn the_explorer_says_why_it_cannot_open_a_root_nobody_can_list() {
    let test = "the_explorer_says_why_it_cannot_open_a_root_nobody_can_list";
    let (dir, ws) = workspace();
    chmod(&ws, 0o000);
    let w = ws.to_str().unwrap();
    let Some(mut p) = Pty::spawn_unprivileged(test, &["--no-cache", w], 100, 30, &[], dir.path())
    else {
        return;
    };
    assert_eq!(p.wait_exit(T), 2, "{}", p.screen());
    let screen = p.screen();
    assert!(screen.contains(w), "{screen}");
    assert!(screen.contains(DENIED), "{screen}");
    chmod(&ws, 0o755);
}

/// The Now panel of the explorer lists a project nobody can list with its
/// reason, beside the failing ones.
#[test]
fn the_now_panel_lists_a_project_nobody_can_read() {
    let test = "the_now_panel_lists_a_project_nobody_can_read";
    let (dir, ws) = workspace();
    let folder = ws.join(ORDERS);
    chmod(&folder, 0o000);
    let w = ws.to_str().unwrap();
    let Some(mut p) = Pty::spawn_unprivileged(
        test,
        &["--no-cache", w],
        120,
        30,
        &[("TZ", "UTC")],
        dir.path(),
    ) else {
        return;
    };
    p.wait_for_text("Tumor classifier (binary)", T);
    p.wait_for_text("1 of 2 projects failing or unreadable", T);
    let screen = p.screen();
    let line = screen
        .lines()
        .find(|l| l.contains(ORDERS) && l.contains("unreadable"))
        .unwrap_or_else(|| panic!("no Now line for Orders:\n{screen}"));
    assert!(line.contains("Permission denied"), "{line}");
    p.send("q");
    assert_eq!(p.wait_exit(T), 0);
    chmod(&folder, 0o755);
}

/// A folder of the workspace that cannot be listed and is not named as a
/// project (`lost+found` at a mount's root) is reported, not silently
/// skipped; it is no project, so it does not fail the check.
#[test]
fn an_unlistable_folder_that_is_no_project_is_named_but_not_a_failure() {
    let test = "an_unlistable_folder_that_is_no_project_is_named_but_not_a_failure";
    let (_dir, ws) = workspace();
    fs::remove_dir_all(ws.join(ORDERS)).unwrap();
    let other = ws.join("lost+found");
    fs::create_dir(&other).unwrap();
    chmod(&other, 0o000);
    let w = ws.to_str().unwrap();
    let Some(o) = run_as(test, &["scan", w, "--json"]) else {
        return;
    };
    let v = json(&o);
    assert_eq!(v["projects"], 1, "{v}");
    assert_eq!(
        v["unreadable"],
        serde_json::json!([{
            "path": other.to_str().unwrap(),
            "reason": format!("cannot list folder: {DENIED}"),
            "project_id": null,
        }]),
        "{v}"
    );
    let o = run_as(test, &["check", w]).unwrap();
    let text = out(&o);
    assert_eq!(o.status.code(), Some(0), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("note: not a project") && l.contains(other.to_str().unwrap())),
        "{text}"
    );
    let o = run_as(test, &["check", w, "--json"]).unwrap();
    assert_eq!(
        json(&o)["problems"][0]["path"],
        other.to_str().unwrap(),
        "{}",
        out(&o)
    );
    chmod(&other, 0o755);
}

/// The exporters say it too: `metrics` gives the unreadable project
/// failing=1 and status `unreadable`, and `check --junit` gives its suite an
/// ERROR testcase with the reason (the report fails when `check` does).
#[test]
fn metrics_and_junit_call_an_unreadable_project_failing() {
    let (dir, ws) = workspace();
    for f in &orders_files(&ws) {
        let bytes = fs::read(f).unwrap();
        fs::write(f, &bytes[..bytes.len() / 2]).unwrap();
    }
    let w = ws.to_str().unwrap();
    let m = run::snapscope()
        .args(["--no-cache", "metrics", w])
        .output()
        .unwrap();
    assert_eq!(m.status.code(), Some(0), "{}", err(&m));
    let text = out(&m);
    let line = |name: &str, extra: &str| {
        text.lines()
            .find(|l| {
                l.starts_with(&format!("{name}{{"))
                    && l.contains(&format!("project_id=\"{ORDERS}\""))
                    && l.contains(extra)
            })
            .unwrap_or_else(|| panic!("no {name} {extra} for Orders in:\n{text}"))
            .to_string()
    };
    assert!(line("snapscope_project_failing", "").ends_with(" 1"));
    assert!(line("snapscope_project_status", "status=\"unreadable\"").ends_with(" 1"));
    assert!(line("snapscope_project_status", "status=\"ok\"").ends_with(" 0"));

    let junit = dir.path().join("report.xml");
    let c = run::snapscope()
        .args(["--no-cache", "check", w, "--junit"])
        .arg(&junit)
        .output()
        .unwrap();
    assert_eq!(c.status.code(), Some(1), "{}", out(&c));
    let xml = fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite") && n.attribute("name") == Some(ORDERS_NAME))
        .unwrap_or_else(|| panic!("no Orders suite in {xml}"));
    let error = suite
        .descendants()
        .find(|n| n.has_tag_name("error"))
        .unwrap_or_else(|| panic!("no <error> in the Orders suite: {xml}"));
    assert_eq!(error.attribute("type"), Some("UNREADABLE"));
    let msg = error.attribute("message").unwrap();
    assert!(msg.contains("truncated JSON"), "{msg}");
    assert!(msg.contains("snapshots"), "{msg}");
}
