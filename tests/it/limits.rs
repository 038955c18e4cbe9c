//! Limits and hostile filesystems: deep nesting, symlink loops, unreadable
//! folders, the size limit in the live index, and a read-only workspace that
//! the whole index (one-shot, live, every headless command) must leave
//! untouched while reporting every problem.

use crate::common;
use common::{copy_dir, run};

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{symlink, MetadataExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;
use ratatui::Terminal;
use snapscope::index::IndexEvent;
use snapscope::index::WatchMode;
use snapscope::index::{self, IndexOptions};
use snapscope::index::{LiveIndex, LiveOptions};
use snapscope::parse::{self, ParseOptions};
use snapscope::tui::{load_raw, make_app, ui, TuiOptions};

const DEPTH: usize = 100_000;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The binary with the shipped configuration.
fn bin() -> run::Run {
    run::snapscope().env("SNAPSCOPE_CONFIG", root().join("assets/config.toml"))
}

/// The binary as user `nobody`, with the shipped configuration and a `HOME`
/// it cannot write (the temp one is root's).
fn nobody() -> run::Run {
    run::nobody().env("SNAPSCOPE_CONFIG", root().join("assets/config.toml"))
}

/// The binary as user `nobody` (root reads everything), or `None` when
/// privileges cannot be dropped here.
fn as_nobody(args: &[&str]) -> Option<Output> {
    let o = nobody().args(args).output().ok()?;
    // setpriv itself failing (no such user, not permitted) exits 127 or 1 with no output.
    (o.status.code() == Some(0) || !o.stdout.is_empty() || !o.stderr.is_empty())
        .then_some(o)
        .filter(|o| !String::from_utf8_lossy(&o.stderr).starts_with("setpriv:"))
}

/// Events from a live index until `done` holds for the events so far (with a deadline).
fn live_until(
    root: &Path,
    opts: LiveOptions,
    done: impl Fn(&[IndexEvent]) -> bool,
) -> Vec<IndexEvent> {
    let (live, rx) = LiveIndex::start(root, opts).unwrap();
    let deadline = Instant::now() + common::pty::scaled(Duration::from_secs(20));
    let mut evs = Vec::new();
    while !done(&evs) {
        match rx.recv_deadline(deadline) {
            Ok(e) => evs.push(e),
            Err(_) => panic!("live index: condition not met; got {evs:#?}"),
        }
    }
    live.stop();
    evs
}

fn finished(evs: &[IndexEvent]) -> bool {
    evs.iter()
        .any(|e| matches!(e, IndexEvent::ScanFinished { .. }))
}

fn unreadable_reasons(evs: &[IndexEvent]) -> BTreeMap<String, String> {
    evs.iter()
        .filter_map(|e| match e {
            IndexEvent::Unreadable(u) => Some((
                u.path.file_name().unwrap().to_string_lossy().into_owned(),
                u.reason.clone(),
            )),
            _ => None,
        })
        .collect()
}

// ---------------------------------------------------------------- deep nesting

/// A real snapshot with DEPTH nested arrays in a metadata value.
fn deep_snapshot() -> Vec<u8> {
    let src = root().join(
        "sample_snapshots/01a2230c-81ae-78e6-8ae0-202ec1933101/snapshots/\
         01a2230c-a504-7ad4-9122-aaa2787bd481.json",
    );
    let text = fs::read_to_string(src).unwrap();
    let deep = format!("{}{}", "[".repeat(DEPTH), "]".repeat(DEPTH));
    let out = text.replacen(
        "\"metadata\": {",
        &format!("\"metadata\": {{\"deep\": {deep}, "),
        1,
    );
    assert_ne!(out, text);
    out.into_bytes()
}

#[test]
fn deep_nesting_is_handled_without_stack_overflow() {
    // Pure nesting is an error, never a crash (test threads have small stacks).
    let arrays = format!("{}{}", "[".repeat(DEPTH), "]".repeat(DEPTH));
    let objects = format!("{}1{}", "{\"a\":".repeat(DEPTH), "}".repeat(DEPTH));
    for bytes in [arrays.as_bytes(), objects.as_bytes()] {
        assert!(parse::parse_snapshot(bytes, "x", "p", &ParseOptions::default()).is_err());
        // Any record is accepted as project metadata; what matters is no overflow.
        let _ = parse::parse_project_metadata(bytes);
    }
    let dir = tempfile::tempdir().unwrap();
    let flat = dir.path().join("flat");
    fs::create_dir_all(&flat).unwrap();
    fs::write(flat.join("deep.json"), deep_snapshot()).unwrap();
    fs::write(flat.join("objects.json"), &objects).unwrap();
    let (catalog, report) = index::index_path(&flat, &IndexOptions::default()).unwrap();
    assert_eq!(
        report.snapshots, 1,
        "the snapshot with a deep metadata value is kept"
    );
    assert_eq!(report.unreadable.len(), 1, "{:?}", report.unreadable);
    // Headless output of it, text and JSON.
    for args in [&["show"][..], &["show", "--json"], &["snapshots", "--json"]] {
        let o = bin()
            .args(args)
            .arg(&flat)
            .args(if args[0] == "show" {
                &["deep"][..]
            } else {
                &[][..]
            })
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    // The explorer, Raw tab fully unfolded on the deep file.
    let mut app = make_app(&TuiOptions::new(flat.clone()), (100, 30));
    let evs: Vec<IndexEvent> = catalog
        .projects()
        .iter()
        .map(|p| IndexEvent::ProjectAdded(p.project.clone()))
        .chain(
            catalog
                .projects()
                .iter()
                .flat_map(|p| p.snapshots.clone())
                .map(IndexEvent::SnapshotAdded),
        )
        .chain([IndexEvent::ScanFinished { elapsed_ms: 1 }])
        .collect();
    app.apply_events(evs, common::now());
    for k in [KeyCode::Tab, KeyCode::Enter, KeyCode::Char('4')] {
        common::press(&mut app, k);
    }
    let mut t = Terminal::new(TestBackend::new(100, 30)).unwrap();
    for _ in 0..12 {
        common::press(&mut app, KeyCode::Char('+'));
        t.draw(|f| ui::draw(f, &app, common::now())).unwrap();
    }
    assert!(t.backend().to_string().contains("\"deep\""));
    // load_raw on pure nesting too.
    assert!(load_raw(&flat.join("objects.json")).is_ok());
}

// ---------------------------------------------------------------- symlinks, permissions

/// A copy of the hostile fixture with a self-referencing snapshot link, a
/// folder link to its parent and a project-named link to the workspace.
fn loopy_workspace(dir: &Path) -> PathBuf {
    let ws = dir.join("ws");
    copy_dir(&root().join("tests/fixtures/hostile"), &ws);
    let snaps = ws.join("0badc0de-0000-4000-8000-00000000000a/snapshots");
    let selfish = "01a2230c-0000-7000-8000-000000000001.json";
    symlink(selfish, snaps.join(selfish)).unwrap();
    symlink("..", snaps.join("loopdir")).unwrap();
    symlink(&ws, ws.join("0badc0de-0000-4000-8000-0000000000ff")).unwrap();
    ws
}

#[test]
fn symlink_loops_are_reported_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let ws = loopy_workspace(dir.path());
    let (_, report) = index::index_path(&ws, &IndexOptions::default()).unwrap();
    assert_eq!(report.snapshots, 4);
    let reasons: BTreeMap<String, String> = report
        .unreadable
        .iter()
        .map(|u| {
            (
                u.path.file_name().unwrap().to_string_lossy().into_owned(),
                u.reason.clone(),
            )
        })
        .collect();
    assert_eq!(
        reasons
            .get("01a2230c-0000-7000-8000-000000000001.json")
            .map(String::as_str),
        Some("cannot read file: Too many levels of symbolic links (os error 40)"),
        "{reasons:?}"
    );
    assert_eq!(
        reasons.get("loopdir").map(String::as_str),
        Some("symlink loop")
    );
    // The live index, native watcher and polling: same report, and it keeps running.
    for mode in [WatchMode::Auto, WatchMode::Poll] {
        let opts = LiveOptions {
            watch: mode,
            poll_interval: Duration::from_millis(100),
            ..LiveOptions::default()
        };
        let evs = live_until(&ws, opts, |e| {
            finished(e) && unreadable_reasons(e).contains_key("loopdir")
        });
        let r = unreadable_reasons(&evs);
        assert!(
            r.get("01a2230c-0000-7000-8000-000000000001.json")
                .is_some_and(|s| s.contains("Too many levels of symbolic links")),
            "{mode:?}: {r:?}"
        );
        let added: usize = evs
            .iter()
            .map(|e| match e {
                IndexEvent::SnapshotAdded(_) => 1,
                IndexEvent::SnapshotsAdded(es) => es.len(),
                _ => 0,
            })
            .sum();
        assert_eq!(added, 4, "{mode:?}");
    }
    // Headless: exit 0, problems listed.
    let o = bin().arg("scan").arg(&ws).output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("symlink loop"), "{text}");
    assert!(text.contains("Too many levels of symbolic links"), "{text}");
}

#[test]
fn unreadable_folders_are_reported_not_fatal() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let ws = dir.path().join("ws");
    copy_dir(&root().join("sample_snapshots"), &ws);
    let project = ws.join("01a2230c-81ae-78e6-8ae0-202ec1933101");
    let snaps = ws.join("01a2230c-f95d-73a0-a6bd-fc50ff8e8664/snapshots");
    fs::set_permissions(&project, fs::Permissions::from_mode(0o000)).unwrap();
    fs::set_permissions(&snaps, fs::Permissions::from_mode(0o000)).unwrap();
    let w = ws.to_str().unwrap();
    let Some(o) = as_nobody(&["scan", w, "--json"]) else {
        println!("SKIPPED unreadable_folders_are_reported_not_fatal: cannot drop privileges with setpriv");
        return;
    };
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let reasons: BTreeMap<&str, &str> = v["unreadable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["path"].as_str().unwrap(), u["reason"].as_str().unwrap()))
        .collect();
    let denied = "cannot list folder: Permission denied (os error 13)";
    assert_eq!(
        reasons.get(project.to_str().unwrap()),
        Some(&denied),
        "{reasons:?}"
    );
    assert_eq!(
        reasons.get(snaps.to_str().unwrap()),
        Some(&denied),
        "{reasons:?}"
    );
    // The two other projects: 8 + 8 snapshots (`ls …/snapshots | wc -l`).
    assert_eq!(v["snapshots"], 16);
    // The live index (watch) reports the same, as the same user.
    let mut child = nobody()
        .args(["watch", "--json", w])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::BufRead;
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let first: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
    assert_eq!(first["snapshots"], 16, "{first}");
    let paths: Vec<&str> = first["unreadable_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["path"].as_str().unwrap())
        .collect();
    assert!(paths.contains(&project.to_str().unwrap()), "{paths:?}");
    assert!(paths.contains(&snaps.to_str().unwrap()), "{paths:?}");
}

#[test]
fn live_index_skips_files_over_the_size_limit() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    copy_dir(&root().join("tests/fixtures/hostile"), &ws);
    // The v2 runs are 32428 and 32425 bytes, the legacy ones about 50 KB (`stat -c %s`).
    let opts = LiveOptions {
        watch: WatchMode::Off,
        max_file_size: 40_000,
        ..LiveOptions::default()
    };
    // Problems are reported once they stay still (after the first scan ends).
    let evs = live_until(&ws, opts, |e| {
        finished(e) && unreadable_reasons(e).len() >= 2
    });
    let r = unreadable_reasons(&evs);
    assert_eq!(r.len(), 2, "{r:?}");
    for (name, reason) in &r {
        let size = fs::metadata(
            ws.join("0badc0de-0000-4000-8000-00000000000a/snapshots")
                .join(name),
        )
        .unwrap()
        .len();
        assert_eq!(
            reason,
            &format!("file too large ({size} bytes > limit 40000)")
        );
    }
}

// ---------------------------------------------------------------- read-only workspace

/// Every entry under `dir` with size, mtime, ctime and mode.
fn listing(dir: &Path) -> BTreeMap<PathBuf, (u64, i64, i64, i64, u32)> {
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(dir) {
        let e = e.unwrap();
        let m = e.path().symlink_metadata().unwrap();
        out.insert(
            e.path().to_path_buf(),
            (m.len(), m.mtime(), m.mtime_nsec(), m.ctime_nsec(), m.mode()),
        );
    }
    out
}

#[test]
fn read_only_workspace_is_indexed_without_a_single_write() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    copy_dir(&root().join("tests/fixtures/bad"), &ws);
    let status = Command::new("chmod")
        .arg("-R")
        .arg("a-w")
        .arg(&ws)
        .status()
        .unwrap();
    assert!(status.success());
    let before = listing(&ws);
    // tests/fixtures/bad/README.md: 3 projects, 5 snapshots, 7 unreadable entries
    // (the README itself is one more file, not a problem).
    let (_, report) = index::index_path(&ws, &IndexOptions::default()).unwrap();
    assert_eq!(
        (report.projects, report.snapshots, report.unreadable.len()),
        (3, 5, 7)
    );
    let evs = live_until(
        &ws,
        LiveOptions {
            watch: WatchMode::Auto,
            settle: Duration::from_millis(200),
            ..LiveOptions::default()
        },
        |e| finished(e) && unreadable_reasons(e).len() >= 7,
    );
    assert_eq!(
        unreadable_reasons(&evs).len(),
        7,
        "{:?}",
        unreadable_reasons(&evs)
    );
    let w = ws.to_str().unwrap();
    let wine = "01a2230c-f95d-73a0-a6bd-fc50ff8e8664";
    let runs: Vec<Vec<&str>> = vec![
        vec![w],
        vec!["projects", w],
        vec!["projects", w, "--json"],
        vec!["snapshots", w],
        vec!["snapshots", w, "--json"],
        vec!["show", w, "01a2230d-0e4a-7e46-903a-07e58f29d832"],
        vec!["show", w, "01a2230d-0e4a-7e46-903a-07e58f29d832", "--json"],
        vec!["series", w, "--project", wine],
        vec![
            "trend",
            w,
            "DatasetDriftMetric{drift_share=0.5}.share_of_drifted_columns",
            "--project",
            wine,
        ],
        vec!["scan", w],
        vec!["scan", w, "--json"],
    ];
    for args in &runs {
        let o = bin().args(args).output().unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let scan = bin().args(["scan", w, "--json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&scan.stdout).unwrap();
    assert_eq!(
        v["unreadable"].as_array().unwrap().len(),
        7,
        "every problem reported"
    );
    // `watch` until every problem is out (files that look half-written are
    // reported once they stay still), then SIGTERM.
    let mut child = bin()
        .args(["watch", "--json", w])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = crossbeam_channel::unbounded::<String>();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for l in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(l).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + common::pty::scaled(Duration::from_secs(20));
    let mut reported = 0;
    while reported < 7 {
        let line = rx
            .recv_deadline(deadline)
            .unwrap_or_else(|_| panic!("watch reported {reported} problems, not 7"));
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        match v["event"].as_str() {
            Some("summary") => reported += v["unreadable"].as_u64().unwrap(),
            Some("unreadable") => reported += 1,
            _ => {}
        }
    }
    assert_eq!(reported, 7);
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    assert_eq!(child.wait().unwrap().code(), Some(0));
    assert_eq!(
        before,
        listing(&ws),
        "something under the workspace changed"
    );
    let _ = Command::new("chmod").arg("-R").arg("u+w").arg(&ws).status();
}
