//! A rewrite that keeps a file's size and modification time (a copy tool
//! restoring times, `touch -d`): the index cache, the live index in notify
//! and poll modes, and the explorer's `r` must all see the new content.
//!
//! The two contents are the legacy suite fixture with every test passing,
//! and the same bytes with every `"SUCCESS"` turned `"FAIL"   ` (padded:
//! the same size). Python's json module reads 6 SUCCESS and 6 FAIL.

use crate::common;
use crate::live::{fixture, new_id, opts, start, Ws};
use common::pty::Pty;
use common::run;

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use snapscope::index::{self, IndexEvent, WatchMode};
use snapscope::model::TestCounts;

/// The mtime every file is given back (2023-11-14 22:13:20 UTC).
const STAMP: &str = "@1700000000";

/// The suite fixture with FAIL and WARNING turned SUCCESS: 6 tests pass.
pub(crate) fn passing_suite() -> Vec<u8> {
    String::from_utf8(fixture("legacy_suite.json"))
        .unwrap()
        .replace("\"FAIL\"", "\"SUCCESS\"")
        .replace("\"WARNING\"", "\"SUCCESS\"")
        .into_bytes()
}

/// [`passing_suite`] with every test failing, padded to the same size.
pub(crate) fn failing_suite() -> Vec<u8> {
    let s = String::from_utf8(passing_suite())
        .unwrap()
        .replace("\"SUCCESS\"", "\"FAIL\"   ");
    assert_eq!(s.len(), passing_suite().len());
    s.into_bytes()
}

/// The counts of [`passing_suite`] (`pass = true`) or [`failing_suite`].
fn all_six(pass: bool) -> TestCounts {
    TestCounts {
        success: if pass { 6 } else { 0 },
        fail: if pass { 0 } else { 6 },
        ..TestCounts::default()
    }
}

/// `touch -d @1700000000 path`: the same mtime after every write.
pub(crate) fn touch_back(path: &Path) {
    let st = Command::new("touch")
        .arg("-d")
        .arg(STAMP)
        .arg(path)
        .status()
        .unwrap();
    assert!(st.success());
}

/// (size, mtime) of a file: what the old fingerprint compared.
fn size_and_mtime(path: &Path) -> (u64, std::time::SystemTime) {
    let m = fs::metadata(path).unwrap();
    (m.len(), m.modified().unwrap())
}

/// Rewrite `path` with `bytes` and put its mtime back; checks that size
/// and mtime are indeed what they were.
pub(crate) fn rewrite_same_size_and_mtime(path: &Path, bytes: &[u8]) {
    let before = size_and_mtime(path);
    fs::write(path, bytes).unwrap();
    touch_back(path);
    assert_eq!(size_and_mtime(path), before, "{}", path.display());
}

/// A workspace with 20 passing runs, all with the same size and mtime.
fn twenty_passing() -> (Ws, Vec<String>) {
    let ws = Ws::new();
    let ids: Vec<String> = (0..20).map(|_| new_id()).collect();
    for id in &ids {
        fs::write(ws.snap(id), passing_suite()).unwrap();
        touch_back(&ws.snap(id));
    }
    (ws, ids)
}

fn check(ws: &Ws, xdg: &Path, extra: &[&str]) -> (Option<i32>, String) {
    let o = run::snapscope()
        .env("XDG_CACHE_HOME", xdg)
        .env("TZ", "UTC")
        .arg("check")
        .args(extra)
        .arg(ws.root())
        .output()
        .unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
    )
}

#[test]
fn check_with_the_cache_agrees_with_no_cache_after_a_same_size_same_mtime_rewrite() {
    let (ws, ids) = twenty_passing();
    let xdg = tempfile::tempdir().unwrap();
    // The first run fills the cache (the files' mtimes are old).
    let (code, out) = check(&ws, xdg.path(), &[]);
    assert_eq!(code, Some(0), "{out}");
    let cache = index::cache_file(&xdg.path().join("snapscope/index"), ws.root());
    assert!(cache.is_file(), "{}", cache.display());
    let scan = run::snapscope()
        .env("XDG_CACHE_HOME", xdg.path())
        .args(["scan", "--json"])
        .arg(ws.root())
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&scan.stdout).unwrap();
    // Only metadata.json read: every snapshot came from the cache.
    let meta_len = fs::metadata(ws.project().join("metadata.json"))
        .unwrap()
        .len();
    assert_eq!(v["bytes_read"], meta_len, "{v}");
    for id in &ids {
        rewrite_same_size_and_mtime(&ws.snap(id), &failing_suite());
    }
    let cached = check(&ws, xdg.path(), &[]);
    let fresh = check(&ws, xdg.path(), &["--no-cache"]);
    assert_eq!(fresh.0, Some(1), "{}", fresh.1);
    assert!(fresh.1.contains("6 fail"), "{}", fresh.1);
    assert_eq!(cached, fresh);
}

#[test]
fn no_cache_leaves_no_cache_behind() {
    let (ws, _) = twenty_passing();
    let xdg = tempfile::tempdir().unwrap();
    check(&ws, xdg.path(), &[]);
    let cache = index::cache_file(&xdg.path().join("snapscope/index"), ws.root());
    assert!(cache.is_file());
    let (code, _) = check(&ws, xdg.path(), &["--no-cache"]);
    assert_eq!(code, Some(0));
    assert!(!cache.exists(), "{} is still there", cache.display());
    // The next run with the cache parses everything and writes it again.
    check(&ws, xdg.path(), &[]);
    assert!(cache.is_file());
}

/// 20 files rewritten in place, same size, same mtime, under a running
/// live index: every one is read again and shows the new content.
fn live_index_sees_rewrite(mode: WatchMode) {
    let (ws, ids) = twenty_passing();
    let (live, mut ev) = start(&ws, opts(mode));
    assert_eq!(ev.catalog.snapshot_count(), 20);
    if mode == WatchMode::Notify {
        let native = ev
            .log
            .iter()
            .any(|e| matches!(e, IndexEvent::WatcherStatus { mode, .. } if mode == "notify"));
        assert!(native, "native watcher did not start: {}", ev.summary());
    }
    for id in &ids {
        let e = ev.catalog.snapshot_by_path(&ws.snap(id)).unwrap();
        assert_eq!(e.snapshot.test_counts(), all_six(true));
    }
    let parsed = live.parse_count();
    for id in &ids {
        rewrite_same_size_and_mtime(&ws.snap(id), &failing_suite());
    }
    ev.until("all 20 rewrites seen", |ev| {
        ids.iter().all(|id| {
            ev.catalog
                .snapshot_by_path(&ws.snap(id))
                .is_some_and(|e| e.snapshot.test_counts() == all_six(false))
        })
    });
    assert!(live.parse_count() >= parsed + 20);
    ev.finish(live);
    assert_eq!(
        crate::live_churn::State::of(&ev.catalog),
        crate::live_churn::fresh(ws.root())
    );
}

#[test]
fn same_size_same_mtime_rewrite_is_seen_notify() {
    live_index_sees_rewrite(WatchMode::Notify);
}

#[test]
fn same_size_same_mtime_rewrite_is_seen_poll() {
    live_index_sees_rewrite(WatchMode::Poll);
}

#[test]
fn refresh_key_rereads_a_same_size_same_mtime_rewrite() {
    let ws = Ws::new();
    let id = new_id();
    fs::write(ws.snap(&id), passing_suite()).unwrap();
    touch_back(&ws.snap(&id));
    let xdg = tempfile::tempdir().unwrap();
    let root = ws.root().to_str().unwrap().to_string();
    let xdg_s = xdg.path().to_str().unwrap().to_string();
    // No watcher: only `r` can bring the change in.
    let mut p = Pty::spawn(
        &run::bin(),
        &["--watch", "off", &root],
        100,
        30,
        &[("TZ", "UTC"), ("XDG_CACHE_HOME", &xdg_s)],
        ws.root(),
    );
    let t = Duration::from_secs(15);
    p.wait_for_text("all 1 projects passing", t);
    p.wait_for_text("✗0  !0  ✓6", t);
    rewrite_same_size_and_mtime(&ws.snap(&id), &failing_suite());
    p.send("r");
    p.wait_for_text("✗6  !0  ✓0", t);
    p.wait_for_absent("all 1 projects passing", t);
    p.send("q");
    assert_eq!(p.wait_exit(t), 0);
}
