//! The live index against real Evidently files in temp dirs. Every wait is on
//! a condition with a deadline; no sleep decides an outcome.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;
use snapscope::index::Catalog;
use snapscope::index::WatchMode;
use snapscope::index::{self, IndexEvent};
use snapscope::index::{LiveIndex, LiveOptions};
use snapscope::model::Snapshot;
use snapscope::model::TestCounts;
use snapscope::parse::{ParseOptions, TimeZoneChoice};
use tempfile::TempDir;

pub(crate) const WAIT: Duration = Duration::from_secs(30);
pub(crate) const PROJECT: &str = "01a2230e-0168-7ab7-adff-7641d9b536e9";

pub(crate) fn fixture(name: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/live")
        .join(name);
    fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Test counts checked with python's json module (see tests/fixtures/live/README.md).
pub(crate) fn suite_counts() -> TestCounts {
    TestCounts {
        success: 4,
        fail: 1,
        warning: 1,
        error: 0,
        skipped: 0,
    }
}

fn v2_counts() -> TestCounts {
    TestCounts {
        success: 0,
        fail: 2,
        warning: 1,
        error: 0,
        skipped: 0,
    }
}

/// A fresh, valid, unique snapshot id.
pub(crate) fn new_id() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let pid = std::process::id();
    format!(
        "01a2230f-{:04x}-7{:03x}-8000-{:012x}",
        pid & 0xffff,
        n >> 48,
        n
    )
}

pub(crate) struct Ws {
    pub(crate) dir: TempDir,
}

impl Ws {
    /// A workspace with one project (real v2 metadata.json) and an empty snapshots folder.
    pub(crate) fn new() -> Ws {
        let dir = tempfile::tempdir().unwrap();
        let ws = Ws { dir };
        fs::create_dir_all(ws.snapshots()).unwrap();
        fs::write(
            ws.project().join("metadata.json"),
            fixture("metadata_v2.json"),
        )
        .unwrap();
        ws
    }

    pub(crate) fn root(&self) -> &Path {
        self.dir.path()
    }

    pub(crate) fn project(&self) -> PathBuf {
        self.root().join(PROJECT)
    }

    pub(crate) fn snapshots(&self) -> PathBuf {
        self.project().join("snapshots")
    }

    pub(crate) fn snap(&self, id: &str) -> PathBuf {
        self.snapshots().join(format!("{id}.json"))
    }
}

pub(crate) fn opts(mode: WatchMode) -> LiveOptions {
    LiveOptions {
        parse: ParseOptions {
            tz: TimeZoneChoice::Utc,
        },
        watch: mode,
        poll_interval: Duration::from_millis(100),
        settle: Duration::from_secs(1),
        ..LiveOptions::default()
    }
}

/// Receives events, keeps them all, and applies them to a catalog.
pub(crate) struct Events {
    pub(crate) rx: Receiver<IndexEvent>,
    pub(crate) log: Vec<IndexEvent>,
    pub(crate) catalog: Catalog,
}

impl Events {
    pub(crate) fn new(rx: Receiver<IndexEvent>) -> Events {
        Events {
            rx,
            log: Vec::new(),
            catalog: Catalog::new(),
        }
    }

    /// Wait until an event matching `pred` arrives; returns it.
    pub(crate) fn wait(&mut self, what: &str, pred: impl Fn(&IndexEvent) -> bool) -> IndexEvent {
        let deadline = Instant::now() + WAIT;
        loop {
            match self.rx.recv_deadline(deadline) {
                Ok(ev) => {
                    index::apply_event(&mut self.catalog, &ev);
                    self.log.push(ev.clone());
                    if pred(&ev) {
                        return ev;
                    }
                }
                Err(e) => panic!(
                    "timed out waiting for {what} ({e}); events so far:\n{}",
                    self.summary()
                ),
            }
        }
    }

    /// Wait until `cond` holds for the events received so far.
    pub(crate) fn until(&mut self, what: &str, cond: impl Fn(&Events) -> bool) {
        while !cond(self) {
            self.wait(what, |_| true);
        }
    }

    pub(crate) fn scan(&mut self) {
        self.wait("scan finished", |e| {
            matches!(e, IndexEvent::ScanFinished { .. })
        });
    }

    pub(crate) fn added(&mut self, id: &str) -> snapscope::index::SnapshotEntry {
        match self.wait(
            &format!("added {id}"),
            |e| matches!(e, IndexEvent::SnapshotAdded(s) if s.snapshot.id == id),
        ) {
            IndexEvent::SnapshotAdded(s) => s,
            _ => unreachable!(),
        }
    }

    /// Everything still queued once the index has stopped.
    pub(crate) fn finish(&mut self, live: LiveIndex) {
        live.stop();
        for ev in self.rx.try_iter() {
            index::apply_event(&mut self.catalog, &ev);
            self.log.push(ev);
        }
    }

    pub(crate) fn count(&self, pred: impl Fn(&IndexEvent) -> bool) -> usize {
        self.log.iter().filter(|e| pred(e)).count()
    }

    pub(crate) fn summary(&self) -> String {
        self.log
            .iter()
            .map(|e| match e {
                IndexEvent::SnapshotAdded(s) => format!("added {}", s.snapshot.id),
                IndexEvent::SnapshotUpdated(s) => format!("updated {}", s.snapshot.id),
                other => format!("{other:?}").chars().take(200).collect(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

pub(crate) fn start(ws: &Ws, o: LiveOptions) -> (LiveIndex, Events) {
    let (live, rx) = LiveIndex::start(ws.root(), o).unwrap();
    let mut ev = Events::new(rx);
    ev.scan();
    (live, ev)
}

pub(crate) fn is_unreadable_at(e: &IndexEvent, p: &Path) -> bool {
    matches!(e, IndexEvent::Unreadable(u) if u.path == p)
}

#[test]
fn initial_scan_streams_projects_first_then_newest_snapshots() {
    let ws = Ws::new();
    let files = [
        ("legacy_report.json", 3_000),
        ("legacy_suite.json", 1_000),
        ("v2_run.json", 2_000),
    ];
    let base = std::time::SystemTime::now() - Duration::from_secs(10_000);
    let mut ids = HashMap::new();
    for (name, secs) in files {
        let id = new_id();
        let p = ws.snap(&id);
        fs::write(&p, fixture(name)).unwrap();
        let f = fs::File::options().write(true).open(&p).unwrap();
        f.set_modified(base + Duration::from_secs(secs)).unwrap();
        ids.insert(name, id);
    }
    let (live, rx) = LiveIndex::start(ws.root(), opts(WatchMode::Off)).unwrap();
    let mut ev = Events::new(rx);
    ev.scan();
    let order: Vec<&IndexEvent> = ev
        .log
        .iter()
        .filter(|e| {
            matches!(
                e,
                IndexEvent::ProjectAdded(_)
                    | IndexEvent::SnapshotAdded(_)
                    | IndexEvent::SnapshotsAdded(_)
            )
        })
        .collect();
    assert!(
        matches!(order[0], IndexEvent::ProjectAdded(p) if p.id == PROJECT && p.name == "Wine cultivar classifier (multiclass)"),
        "{}",
        ev.summary()
    );
    // Parsed files go out in batches (every 100 ms of the scan), the newest
    // files first; three small files make one batch, oldest run first.
    let batches: Vec<Vec<&str>> = order[1..]
        .iter()
        .filter_map(|e| match e {
            IndexEvent::SnapshotsAdded(es) => {
                Some(es.iter().map(|s| s.snapshot.id.as_str()).collect())
            }
            _ => None,
        })
        .collect();
    assert!(
        !order[1..]
            .iter()
            .any(|e| matches!(e, IndexEvent::SnapshotAdded(_))),
        "{}",
        ev.summary()
    );
    // Run times (read from the fixtures): suite 2024-03-11, v2 run
    // 2024-03-20, report 2024-03-27.
    assert_eq!(
        batches,
        [[
            ids["legacy_suite.json"].as_str(),
            ids["v2_run.json"].as_str(),
            ids["legacy_report.json"].as_str(),
        ]]
    );
    let p = ev.catalog.project(PROJECT).unwrap();
    assert_eq!(p.snapshots.len(), 3);
    let suite = &p.snapshots[p.position(&ids["legacy_suite.json"]).unwrap()];
    assert_eq!(suite.snapshot.test_counts(), suite_counts());
    assert_eq!(
        suite.snapshot.timestamp.to_rfc3339(),
        "2024-03-11T02:17:00+00:00"
    );
    let v2 = &p.snapshots[p.position(&ids["v2_run.json"]).unwrap()];
    assert_eq!(v2.snapshot.test_counts(), v2_counts());
    assert_eq!(live.parse_count(), 3);
    let last_progress = ev.log.iter().rev().find_map(|e| match e {
        IndexEvent::ScanProgress { done, total } => Some((*done, *total)),
        _ => None,
    });
    assert_eq!(last_progress, Some((3, 3)));
    ev.finish(live);
}

#[test]
fn new_file_appears() {
    let ws = Ws::new();
    let (live, mut ev) = start(&ws, opts(WatchMode::Auto));
    let id = new_id();
    fs::write(ws.snap(&id), fixture("legacy_suite.json")).unwrap();
    let e = ev.added(&id);
    assert_eq!(e.snapshot.project_id, PROJECT);
    assert_eq!(e.snapshot.test_counts(), suite_counts());
    assert_eq!(e.snapshot.name.as_deref(), Some("checks-2024-03-11"));
    ev.finish(live);
}

/// Writes the first half, waits until the index has seen it as pending, then
/// writes the rest; the file must be reported once, as added, never unreadable.
fn two_halves(mode: WatchMode) {
    let ws = Ws::new();
    let mut o = opts(mode);
    o.settle = Duration::from_secs(3);
    let (live, mut ev) = start(&ws, o);
    let id = new_id();
    let path = ws.snap(&id);
    let bytes = fixture("v2_run.json");
    let (a, b) = bytes.split_at(bytes.len() / 2);
    let mut f = fs::File::create(&path).unwrap();
    f.write_all(a).unwrap();
    f.flush().unwrap();
    ev.wait(
        "pending half file",
        |e| matches!(e, IndexEvent::Pending { path: p, .. } if *p == path),
    );
    f.write_all(b).unwrap();
    drop(f);
    let e = ev.added(&id);
    assert_eq!(e.snapshot.test_counts(), v2_counts());
    assert_eq!(
        e.snapshot.timestamp.to_rfc3339(),
        "2024-03-20T02:19:57+00:00"
    );
    // barrier: a later file's event comes after anything the first one caused
    let id2 = new_id();
    fs::write(ws.snap(&id2), fixture("legacy_report.json")).unwrap();
    ev.added(&id2);
    ev.finish(live);
    assert_eq!(
        ev.count(|e| is_unreadable_at(e, &path)),
        0,
        "{}",
        ev.summary()
    );
    assert_eq!(
        ev.count(|e| matches!(e, IndexEvent::SnapshotAdded(s) | IndexEvent::SnapshotUpdated(s) if *s.path == *path)),
        1
    );
}

#[test]
fn file_written_in_two_halves_is_added_once_native() {
    two_halves(WatchMode::Notify);
}

#[test]
fn file_written_in_two_halves_is_added_once_poll() {
    two_halves(WatchMode::Poll);
}

#[test]
fn rename_into_place_and_away_and_delete() {
    let ws = Ws::new();
    let (live, mut ev) = start(&ws, opts(WatchMode::Auto));
    // written under a temp name, renamed into place
    let tmp = ws.snapshots().join("incoming.json.tmp");
    fs::write(&tmp, fixture("legacy_report.json")).unwrap();
    let id = new_id();
    fs::rename(&tmp, ws.snap(&id)).unwrap();
    let e = ev.added(&id);
    assert_eq!(e.snapshot.test_counts().total(), 0);
    // renamed to another id: old one removed, new one added
    let id2 = new_id();
    fs::rename(ws.snap(&id), ws.snap(&id2)).unwrap();
    ev.until("rename: old removed, new added", |ev| {
        ev.count(
            |e| matches!(e, IndexEvent::SnapshotRemoved { snapshot_id, .. } if *snapshot_id == id),
        ) == 1
            && ev.count(|e| matches!(e, IndexEvent::SnapshotAdded(s) if s.snapshot.id == id2)) == 1
    });
    // deleted
    fs::remove_file(ws.snap(&id2)).unwrap();
    let e = ev.wait(
        "removed",
        |e| matches!(e, IndexEvent::SnapshotRemoved { snapshot_id, .. } if *snapshot_id == id2),
    );
    let IndexEvent::SnapshotRemoved {
        project_id, path, ..
    } = e
    else {
        unreachable!()
    };
    assert_eq!(project_id, PROJECT);
    assert_eq!(path, ws.snap(&id2));
    assert_eq!(ev.catalog.snapshot_count(), 0);
    ev.finish(live);
    // the temp name was never indexed
    assert_eq!(
        ev.count(
            |e| matches!(e, IndexEvent::Pending { path, .. } if path.ends_with("incoming.json.tmp"))
        ),
        0
    );
}

#[test]
fn metadata_rewritten_renames_project_and_dashboard_updates_it() {
    let ws = Ws::new();
    let (live, mut ev) = start(&ws, opts(WatchMode::Auto));
    let mut meta: serde_json::Value = serde_json::from_slice(&fixture("metadata_v2.json")).unwrap();
    meta["name"] = "Wine classifier v2".into();
    fs::write(
        ws.project().join("metadata.json"),
        serde_json::to_vec_pretty(&meta).unwrap(),
    )
    .unwrap();
    ev.wait("project renamed", |e| {
        matches!(e, IndexEvent::ProjectUpdated(p) if p.id == PROJECT && p.name == "Wine classifier v2")
    });
    assert_eq!(
        ev.catalog.project(PROJECT).unwrap().project.name,
        "Wine classifier v2"
    );
    fs::write(
        ws.project().join("dashboard.json"),
        br#"{"tabs": [], "panels": []}"#,
    )
    .unwrap();
    ev.wait(
        "project updated for dashboard",
        |e| matches!(e, IndexEvent::ProjectUpdated(p) if p.id == PROJECT),
    );
    ev.finish(live);
}

fn burst(mode: WatchMode) {
    let ws = Ws::new();
    let (live, mut ev) = start(&ws, opts(mode));
    let names = ["legacy_report.json", "legacy_suite.json", "v2_run.json"];
    let contents: Vec<Vec<u8>> = names.iter().map(|n| fixture(n)).collect();
    let mut written = BTreeSet::new();
    for i in 0..500 {
        let id = new_id();
        fs::write(ws.snap(&id), &contents[i % 3]).unwrap();
        written.insert(id);
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    while ev.count(|e| matches!(e, IndexEvent::SnapshotAdded(_))) < 500 {
        assert!(Instant::now() < deadline, "{}", ev.summary());
        ev.wait("an added event", |e| {
            matches!(e, IndexEvent::SnapshotAdded(_))
        });
    }
    // barrier, then stop: anything the burst caused has been sent by now
    let barrier = new_id();
    fs::write(ws.snap(&barrier), &contents[0]).unwrap();
    ev.added(&barrier);
    ev.finish(live);
    let added: Vec<&str> = ev
        .log
        .iter()
        .filter_map(|e| match e {
            IndexEvent::SnapshotAdded(s) if s.snapshot.id != barrier => {
                Some(s.snapshot.id.as_str())
            }
            _ => None,
        })
        .collect();
    assert_eq!(added.len(), 500);
    let distinct: BTreeSet<String> = added.iter().map(|s| s.to_string()).collect();
    assert_eq!(distinct, written);
    assert_eq!(ev.count(|e| matches!(e, IndexEvent::Unreadable(_))), 0);
    // A file read whole before the watcher's events for its own write come
    // in is read once more for them (a rewrite of the same size in the same
    // mtime tick must not go unseen); on a loaded machine that happens. It
    // may then be announced again, but only as what it already was.
    let first: std::collections::BTreeMap<&str, &Snapshot> = ev
        .log
        .iter()
        .filter_map(|e| match e {
            IndexEvent::SnapshotAdded(s) => Some((s.snapshot.id.as_str(), &*s.snapshot)),
            _ => None,
        })
        .collect();
    for e in &ev.log {
        if let IndexEvent::SnapshotUpdated(s) = e {
            let id = s.snapshot.id.as_str();
            assert_eq!(
                first.get(id),
                Some(&&*s.snapshot),
                "{id} updated to something else"
            );
        }
    }
    assert_eq!(ev.catalog.snapshot_count(), 501);
}

#[test]
fn burst_of_500_files_native() {
    burst(WatchMode::Auto);
}

#[test]
fn burst_of_500_files_poll() {
    burst(WatchMode::Poll);
}

fn truncated(mode: WatchMode) {
    let ws = Ws::new();
    let mut o = opts(mode);
    o.settle = Duration::from_millis(200);
    let (live, mut ev) = start(&ws, o);
    let id = new_id();
    let path = ws.snap(&id);
    let bytes = fixture("legacy_suite.json");
    fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let e = ev.wait("unreadable", |e| is_unreadable_at(e, &path));
    let IndexEvent::Unreadable(u) = e else {
        unreachable!()
    };
    assert!(u.reason.contains("truncated"), "{}", u.reason);
    assert_eq!(u.project_id.as_deref(), Some(PROJECT));
    assert_eq!(ev.catalog.unreadable().count(), 1);
    // completed later: added, and no longer unreadable
    fs::write(&path, &bytes).unwrap();
    let e = ev.added(&id);
    assert_eq!(e.snapshot.test_counts(), suite_counts());
    assert_eq!(ev.catalog.unreadable().count(), 0);
    ev.finish(live);
}

#[test]
fn truncated_file_is_unreadable_after_settling_then_added_native() {
    truncated(WatchMode::Notify);
}

#[test]
fn truncated_file_is_unreadable_after_settling_then_added_poll() {
    truncated(WatchMode::Poll);
}

#[test]
fn good_snapshot_being_rewritten_keeps_its_entry() {
    let ws = Ws::new();
    let id = new_id();
    let path = ws.snap(&id);
    fs::write(&path, fixture("legacy_suite.json")).unwrap();
    let mut o = opts(WatchMode::Auto);
    o.settle = Duration::from_secs(3);
    let (live, mut ev) = start(&ws, o);
    assert_eq!(ev.catalog.snapshot_count(), 1);
    // rewritten in place: half of a different run first
    let next = fixture("v2_run.json");
    let mut f = fs::File::create(&path).unwrap();
    f.write_all(&next[..next.len() / 3]).unwrap();
    f.flush().unwrap();
    ev.wait(
        "pending rewrite",
        |e| matches!(e, IndexEvent::Pending { path: p, .. } if *p == path),
    );
    let kept = ev.catalog.snapshot_by_path(&path).unwrap();
    assert_eq!(kept.snapshot.test_counts(), suite_counts());
    f.write_all(&next[next.len() / 3..]).unwrap();
    drop(f);
    let e = ev.wait(
        "updated",
        |e| matches!(e, IndexEvent::SnapshotUpdated(s) if *s.path == *path),
    );
    let IndexEvent::SnapshotUpdated(e) = e else {
        unreachable!()
    };
    assert_eq!(e.snapshot.test_counts(), v2_counts());
    ev.finish(live);
    assert_eq!(
        ev.count(|e| matches!(e, IndexEvent::SnapshotRemoved { .. })),
        0
    );
    assert_eq!(ev.count(|e| is_unreadable_at(e, &path)), 0);
    assert_eq!(ev.catalog.snapshot_count(), 1);
}

#[test]
fn old_broken_files_are_unreadable_at_once_truncated_ones_after_settling() {
    let ws = Ws::new();
    let old = std::time::SystemTime::now() - Duration::from_secs(3600);
    let html = ws.snap(&new_id());
    fs::write(&html, b"<html><body>502 Bad Gateway</body></html>").unwrap();
    let cut = ws.snap(&new_id());
    let bytes = fixture("legacy_report.json");
    fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    for p in [&html, &cut] {
        let f = fs::File::options().write(true).open(p).unwrap();
        f.set_modified(old).unwrap();
    }
    let mut o = opts(WatchMode::Off);
    o.settle = Duration::from_millis(200);
    let (live, mut ev) = start(&ws, o);
    // the old non-JSON file is reported during the scan, without a pending phase
    assert_eq!(
        ev.count(|e| is_unreadable_at(e, &html)),
        1,
        "{}",
        ev.summary()
    );
    assert_eq!(
        ev.count(|e| matches!(e, IndexEvent::Pending { path, .. } if *path == html)),
        0
    );
    // a truncated file may be a write in progress: pending first, unreadable after settling
    assert_eq!(
        ev.count(|e| matches!(e, IndexEvent::Pending { path, .. } if *path == cut)),
        1
    );
    ev.wait("truncated file unreadable", |e| is_unreadable_at(e, &cut));
    assert_eq!(ev.catalog.unreadable().count(), 2);
    ev.finish(live);
}

#[test]
fn unchanged_files_are_never_parsed_again() {
    let ws = Ws::new();
    for _ in 0..20 {
        fs::write(ws.snap(&new_id()), fixture("legacy_report.json")).unwrap();
    }
    let mut o = opts(WatchMode::Poll);
    o.poll_interval = Duration::from_millis(20);
    let (live, mut ev) = start(&ws, o);
    assert_eq!(live.parse_count(), 20);
    // each new file is only found by a full rescan (poll mode): after two of
    // them, the 20 unchanged files have been compared at least twice
    for _ in 0..2 {
        let id = new_id();
        // write elsewhere and rename, so the file is never seen half-written
        let tmp = ws.snapshots().join("x.tmp");
        fs::write(&tmp, fixture("legacy_report.json")).unwrap();
        fs::rename(&tmp, ws.snap(&id)).unwrap();
        ev.added(&id);
    }
    assert_eq!(live.parse_count(), 22);
    ev.finish(live);
}

#[test]
fn dropping_the_handle_stops_promptly() {
    let ws = Ws::new();
    let (live, rx) = LiveIndex::start(ws.root(), opts(WatchMode::Auto)).unwrap();
    let t = Instant::now();
    live.stop();
    assert!(t.elapsed() < Duration::from_secs(5));
    // the thread is gone: the channel disconnects after the last event
    let deadline = Instant::now() + WAIT;
    loop {
        match rx.recv_deadline(deadline) {
            Ok(_) => continue,
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => break,
            Err(e) => panic!("{e}"),
        }
    }
}

#[test]
fn missing_root_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    assert!(LiveIndex::start(&dir.path().join("nope"), opts(WatchMode::Off)).is_err());
}

/// A `Write` shared with the test thread.
#[derive(Clone, Default)]
pub(crate) struct SharedBuf(Arc<Mutex<Vec<u8>>>);

impl Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl SharedBuf {
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }

    pub(crate) fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + WAIT;
        while !pred(&self.text()) {
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}:\n{}",
                self.text()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

fn run_cmd(ws: &Ws, json: bool) -> (SharedBuf, Arc<AtomicBool>, std::thread::JoinHandle<()>) {
    let out = SharedBuf::default();
    let stop = Arc::new(AtomicBool::new(false));
    let root = ws.root().to_path_buf();
    let (o, s) = (out.clone(), stop.clone());
    let t = std::thread::spawn(move || {
        let mut o = o;
        snapscope::cmd::watch::run_watch(&root, &opts(WatchMode::Auto), json, &mut o, &s).unwrap();
    });
    (out, stop, t)
}

#[test]
fn watch_command_json_lines() {
    let ws = Ws::new();
    fs::write(ws.snap(&new_id()), fixture("legacy_report.json")).unwrap();
    let (out, stop, t) = run_cmd(&ws, true);
    out.wait_for("summary", |s| s.contains("\"summary\""));
    let id = new_id();
    fs::write(ws.snap(&id), fixture("v2_run.json")).unwrap();
    out.wait_for("added line", |s| s.contains(&id));
    stop.store(true, Ordering::Relaxed);
    t.join().unwrap();
    let lines: Vec<serde_json::Value> = out
        .text()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let summary = &lines[0];
    assert_eq!(summary["event"], "summary");
    assert_eq!(summary["projects"], 1);
    assert_eq!(summary["snapshots"], 1);
    assert_eq!(summary["unreadable"], 0);
    let added = lines
        .iter()
        .find(|l| l["event"] == "added" && l["snapshot_id"] == id.as_str())
        .unwrap();
    assert_eq!(added["project_id"], PROJECT);
    assert_eq!(added["timestamp"], "2024-03-20T02:19:57+00:00");
    assert_eq!(
        added["tests"],
        serde_json::json!({"success": 0, "fail": 2, "warning": 1, "error": 0, "skipped": 0})
    );
    assert!(added["reason"].is_null());
    assert_eq!(
        added["path"].as_str().unwrap(),
        ws.snap(&id).to_string_lossy()
    );
}

#[test]
fn watch_command_text_flags_failures() {
    let ws = Ws::new();
    let (out, stop, t) = run_cmd(&ws, false);
    out.wait_for("summary", |s| s.contains("watching "));
    let id = new_id();
    fs::write(ws.snap(&id), fixture("legacy_suite.json")).unwrap();
    out.wait_for("added line", |s| s.contains(&id));
    stop.store(true, Ordering::Relaxed);
    t.join().unwrap();
    let text = out.text();
    assert!(text.starts_with(&format!(
        "watching {}: 1 project, 0 snapshots, 0 unreadable",
        ws.root().display()
    )));
    // auto mode: native watcher, or polling where it cannot start
    assert!(
        text.contains("\nwatch mode notify") || text.contains("\nwatch mode poll"),
        "{text}"
    );
    let line = text.lines().find(|l| l.contains(&id)).unwrap();
    assert!(line.contains("✗ FAIL"), "{line}");
    assert!(
        line.contains("6 tests: FAIL 1, WARNING 1, SUCCESS 4"),
        "{line}"
    );
    assert!(
        line.contains("Wine cultivar classifier (multiclass)"),
        "{line}"
    );
    assert!(line.contains("2024-03-11 02:17:00"), "{line}");
}
