//! The live index against churn: after every change it must hold exactly
//! what a fresh index of the same files gives (`index_path`, the headless
//! path): the same projects and names, snapshot ids, unreadable files and
//! reasons, and test counts of every run (so the latest-run verdicts). A
//! broken newest file, a truncated `metadata.json`, and the root folder
//! replaced under a running watcher (`rm -rf` + `cp -a`, `mv` + a new one).

use crate::common;
use crate::live::{fixture, new_id, opts, Events, SharedBuf, PROJECT};
use crate::live_rewrite::{failing_suite, passing_suite, rewrite_same_size_and_mtime, touch_back};
use common::pty::scaled;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::RecvTimeoutError;
use snapscope::index::{self, Catalog, IndexEvent, IndexOptions, LiveIndex, WatchMode};
use snapscope::model::TestCounts;
use snapscope::parse::{ParseOptions, TimeZoneChoice};
use tempfile::TempDir;

/// A second project, with the legacy metadata fixture.
const LEGACY: &str = "01a2230c-f95d-73a0-a6bd-fc50ff8e8664";

/// What a consumer of the index sees, in a form two indexes can be compared in.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct State {
    /// (id, name), by id.
    projects: Vec<(String, String)>,
    /// Per project: each run's id and test counts, in time order.
    runs: BTreeMap<String, Vec<(String, TestCounts)>>,
    /// Per project: the latest run with tests and its counts (what `check` judges).
    verdicts: BTreeMap<String, Option<(String, TestCounts)>>,
    /// Per project: the number of dashboard panels, if it has a dashboard.
    dashboards: BTreeMap<String, Option<usize>>,
    /// (path, reason) of every unreadable file.
    unreadable: Vec<(PathBuf, String)>,
}

impl State {
    pub(crate) fn of(c: &Catalog) -> State {
        let mut projects: Vec<(String, String)> = c
            .projects()
            .iter()
            .map(|p| (p.project.id.clone(), p.project.name.clone()))
            .collect();
        projects.sort();
        let runs = c
            .projects()
            .iter()
            .map(|p| {
                let runs = p
                    .snapshots
                    .iter()
                    .map(|e| (e.snapshot.id.clone(), e.snapshot.test_counts()))
                    .collect();
                (p.project.id.clone(), runs)
            })
            .collect();
        let verdicts = c
            .projects()
            .iter()
            .map(|p| {
                let latest = p
                    .snapshots
                    .iter()
                    .rev()
                    .find(|e| !e.snapshot.tests.is_empty())
                    .map(|e| (e.snapshot.id.clone(), e.snapshot.test_counts()));
                (p.project.id.clone(), latest)
            })
            .collect();
        let dashboards = c
            .projects()
            .iter()
            .map(|p| {
                let panels = p.project.dashboard.as_ref().map(|d| d.panels.len());
                (p.project.id.clone(), panels)
            })
            .collect();
        let unreadable = c
            .unreadable()
            .map(|u| (u.path.clone(), u.reason.clone()))
            .collect();
        State {
            projects,
            runs,
            verdicts,
            dashboards,
            unreadable,
        }
    }

    fn runs_of(&self, project: &str) -> usize {
        self.runs.get(project).map_or(0, Vec::len)
    }
}

/// A fresh index of `root`, as the headless commands build it.
pub(crate) fn fresh(root: &Path) -> State {
    let o = IndexOptions {
        parse: ParseOptions {
            tz: TimeZoneChoice::Utc,
        },
        ..IndexOptions::default()
    };
    State::of(&index::index_path(root, &o).unwrap().0)
}

/// Wait until the live catalog equals a fresh index of `root`, and stays
/// so while no more event comes for a while; returns that state.
pub(crate) fn converge(ev: &mut Events, root: &Path, what: &str) -> State {
    let want = fresh(root);
    let deadline = Instant::now() + scaled(Duration::from_secs(30));
    let quiet = scaled(Duration::from_millis(1500));
    loop {
        let equal = State::of(&ev.catalog) == want;
        let got = if equal {
            match ev.rx.recv_timeout(quiet) {
                Ok(e) => Ok(e),
                Err(RecvTimeoutError::Timeout) => return want,
                Err(e) => Err(e),
            }
        } else {
            ev.rx.recv_deadline(deadline)
        };
        match got {
            Ok(e) => {
                index::apply_event(&mut ev.catalog, &e);
                ev.log.push(e);
            }
            Err(e) => panic!(
                "{what}: the live index never equalled a fresh index ({e})\nlive: {:#?}\nfresh: {want:#?}\nevents:\n{}",
                State::of(&ev.catalog),
                ev.summary()
            ),
        }
    }
}

/// A workspace at `<tmp>/ws` (so the folder itself can be replaced).
pub(crate) struct Tree {
    pub(crate) tmp: TempDir,
    pub(crate) root: PathBuf,
}

impl Tree {
    pub(crate) fn new() -> Tree {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("ws");
        let t = Tree { tmp, root };
        t.project(PROJECT, "metadata_v2.json");
        t
    }

    /// A project folder with a metadata fixture and an empty `snapshots/`.
    pub(crate) fn project(&self, id: &str, metadata: &str) {
        project_at(&self.root, id, metadata);
    }

    pub(crate) fn snap(&self, project: &str, id: &str) -> PathBuf {
        self.root
            .join(project)
            .join("snapshots")
            .join(format!("{id}.json"))
    }
}

fn project_at(root: &Path, id: &str, metadata: &str) {
    fs::create_dir_all(root.join(id).join("snapshots")).unwrap();
    fs::write(root.join(id).join("metadata.json"), fixture(metadata)).unwrap();
}

fn start_live(root: &Path, mode: WatchMode) -> (LiveIndex, Events) {
    let (live, rx) = LiveIndex::start(root, opts(mode)).unwrap();
    let mut ev = Events::new(rx);
    ev.scan();
    if mode == WatchMode::Notify {
        let native = ev
            .log
            .iter()
            .any(|e| matches!(e, IndexEvent::WatcherStatus { mode, .. } if mode == "notify"));
        assert!(native, "native watcher did not start: {}", ev.summary());
    }
    (live, ev)
}

/// Write `bytes` under a temp name next to `path`, then rename it into place.
fn write_atomic(path: &Path, bytes: &[u8]) {
    let tmp = path.with_extension("json.part");
    fs::write(&tmp, bytes).unwrap();
    fs::rename(&tmp, path).unwrap();
}

fn sh(args: &[&str]) {
    let st = Command::new(args[0]).args(&args[1..]).status().unwrap();
    assert!(st.success(), "{args:?}");
}

/// Broken for good: complete JSON that is no snapshot, dated long ago.
const BROKEN: &[u8] = b"{\"error\": \"upstream returned 502\"}";

// ---------------------------------------------------------------- broken newest file

/// Two runs with tests; the newer one is then overwritten with broken JSON.
fn broken_newest(mode: WatchMode) {
    let t = Tree::new();
    let older = new_id();
    let newer = new_id();
    // legacy_suite.json runs at 2024-03-11 (FAIL 1), v2_run.json at 2024-03-20 (FAIL 2).
    fs::write(t.snap(PROJECT, &older), fixture("legacy_suite.json")).unwrap();
    fs::write(t.snap(PROJECT, &newer), fixture("v2_run.json")).unwrap();
    let (live, mut ev) = start_live(&t.root, mode);
    let before = converge(&mut ev, &t.root, "start");
    assert_eq!(before.verdicts[PROJECT].as_ref().unwrap().0, newer);
    let path = t.snap(PROJECT, &newer);
    fs::write(&path, BROKEN).unwrap();
    touch_back(&path);
    let after = converge(&mut ev, &t.root, "newest broken");
    // By hand: one run left, the older one; the broken file is listed.
    assert_eq!(after.runs_of(PROJECT), 1);
    let (latest, counts) = after.verdicts[PROJECT].clone().unwrap();
    assert_eq!((latest.as_str(), counts.fail), (older.as_str(), 1));
    assert_eq!(after.unreadable.len(), 1);
    assert_eq!(after.unreadable[0].0, path);
    // Consumers were told the old run is gone, then that the file is unreadable.
    let removed = ev
        .log
        .iter()
        .position(|e| matches!(e, IndexEvent::SnapshotRemoved { path: p, .. } if *p == path));
    let unreadable = ev
        .log
        .iter()
        .position(|e| matches!(e, IndexEvent::Unreadable(u) if u.path == path));
    assert!(
        removed.is_some() && removed < unreadable,
        "{}",
        ev.summary()
    );
    // Fixed again: the run is back.
    fs::write(&path, fixture("v2_run.json")).unwrap();
    let fixed = converge(&mut ev, &t.root, "fixed");
    assert_eq!(fixed, before);
    ev.finish(live);
}

#[test]
fn broken_newest_file_is_unreadable_and_its_run_gone_notify() {
    broken_newest(WatchMode::Notify);
}

#[test]
fn broken_newest_file_is_unreadable_and_its_run_gone_poll() {
    broken_newest(WatchMode::Poll);
}

#[test]
fn watch_json_says_removed_for_a_file_broken_for_good() {
    let t = Tree::new();
    let id = new_id();
    let path = t.snap(PROJECT, &id);
    fs::write(&path, fixture("v2_run.json")).unwrap();
    let out = SharedBuf::default();
    let stop = Arc::new(AtomicBool::new(false));
    let thread = {
        let (root, out, stop) = (t.root.clone(), out.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut o = out;
            snapscope::cmd::watch::run_watch(&root, &opts(WatchMode::Auto), true, &mut o, &stop)
                .unwrap();
        })
    };
    out.wait_for("summary", |s| s.contains("\"summary\""));
    fs::write(&path, BROKEN).unwrap();
    touch_back(&path);
    let p = path.to_string_lossy().into_owned();
    out.wait_for("unreadable line", |s| {
        s.lines()
            .any(|l| l.contains("\"unreadable\"") && l.contains(&p))
    });
    stop.store(true, Ordering::Relaxed);
    thread.join().unwrap();
    let lines: Vec<serde_json::Value> = out
        .text()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // A `pending` line may come first (the file is broken before its mtime is put back).
    let events: Vec<(&str, &str)> = lines[1..]
        .iter()
        .filter(|l| l["path"] == p.as_str() && l["event"] != "pending")
        .map(|l| {
            (
                l["event"].as_str().unwrap(),
                l["snapshot_id"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        events,
        [("removed", id.as_str()), ("unreadable", "")],
        "{}",
        out.text()
    );
}

// ---------------------------------------------------------------- truncated metadata.json

fn truncated_metadata(mode: WatchMode) {
    let t = Tree::new();
    fs::write(t.snap(PROJECT, &new_id()), fixture("legacy_suite.json")).unwrap();
    let (live, mut ev) = start_live(&t.root, mode);
    let before = converge(&mut ev, &t.root, "start");
    assert_eq!(
        before.projects,
        [(
            PROJECT.to_string(),
            "Wine cultivar classifier (multiclass)".to_string()
        )]
    );
    let meta = t.root.join(PROJECT).join("metadata.json");
    let bytes = fixture("metadata_v2.json");
    fs::write(&meta, &bytes[..bytes.len() / 2]).unwrap();
    let after = converge(&mut ev, &t.root, "metadata truncated");
    // By hand: named after its folder, the record listed as unreadable.
    assert_eq!(after.projects, [(PROJECT.to_string(), PROJECT.to_string())]);
    assert_eq!(after.unreadable.len(), 1, "{after:?}");
    assert_eq!(after.unreadable[0].0, meta);
    assert!(
        after.unreadable[0].1.contains("truncated"),
        "{:?}",
        after.unreadable
    );
    // Rewritten while read: another truncated version first (pending, as
    // it may still be being written), then the whole file. Once good, the
    // unreadable entry goes too (it used to stay when the file had passed
    // through pending on its way back).
    fs::write(&meta, &bytes[..bytes.len() / 3]).unwrap();
    ev.wait(
        "metadata pending",
        |e| matches!(e, IndexEvent::Pending { path, .. } if path == &meta),
    );
    fs::write(&meta, &bytes).unwrap();
    assert_eq!(converge(&mut ev, &t.root, "metadata fixed"), before);
    ev.finish(live);
}

#[test]
fn truncated_metadata_names_the_project_after_its_folder_notify() {
    truncated_metadata(WatchMode::Notify);
}

#[test]
fn truncated_metadata_names_the_project_after_its_folder_poll() {
    truncated_metadata(WatchMode::Poll);
}

// ---------------------------------------------------------------- dashboard.json

/// The v2 dashboard of the TUI fixture's Wine project: 6 panels (python's json).
fn dashboard_fixture() -> Vec<u8> {
    fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/tui-ws")
            .join(PROJECT)
            .join("dashboard.json"),
    )
    .unwrap()
}

#[test]
fn a_broken_or_removed_dashboard_json_takes_its_dashboard_with_it() {
    let t = Tree::new();
    fs::write(t.snap(PROJECT, &new_id()), fixture("v2_run.json")).unwrap();
    let (live, mut ev) = start_live(&t.root, WatchMode::Notify);
    assert_eq!(
        converge(&mut ev, &t.root, "start").dashboards[PROJECT],
        None
    );
    let dash = t.root.join(PROJECT).join("dashboard.json");
    write_atomic(&dash, &dashboard_fixture());
    let s = converge(&mut ev, &t.root, "dashboard added");
    assert_eq!(s.dashboards[PROJECT], Some(6));
    // Broken for good: gone from the project, listed as unreadable by both
    // the live and the fresh index.
    let good = dashboard_fixture();
    write_atomic(&dash, &good[..good.len() / 2]);
    let s = converge(&mut ev, &t.root, "dashboard broken");
    assert_eq!(s.dashboards[PROJECT], None);
    let listed = format!("{:?}", s.unreadable);
    assert!(
        listed.contains("dashboard.json")
            && listed.contains("project dashboard: invalid dashboard.json"),
        "{listed}"
    );
    write_atomic(&dash, &good);
    let s = converge(&mut ev, &t.root, "dashboard mended");
    assert_eq!(s.dashboards[PROJECT], Some(6));
    fs::remove_file(&dash).unwrap();
    let s = converge(&mut ev, &t.root, "dashboard removed");
    assert_eq!(s.dashboards[PROJECT], None);
    ev.finish(live);
}

// ---------------------------------------------------------------- the root replaced

/// How the root folder is replaced.
#[derive(Debug, Clone, Copy)]
enum Swap {
    /// `rm -rf ROOT; cp -a SRC ROOT`.
    RemoveAndCopy,
    /// `mv ROOT ROOT.old; cp -a SRC ROOT`.
    MoveAside,
}

fn swap_root(t: &Tree, src: &Path, how: Swap) {
    let root = t.root.to_str().unwrap();
    let src = src.to_str().unwrap();
    match how {
        Swap::RemoveAndCopy => sh(&["rm", "-rf", root]),
        Swap::MoveAside => {
            let old = t.tmp.path().join("ws.old");
            sh(&["mv", root, old.to_str().unwrap()]);
        }
    }
    sh(&["cp", "-a", src, root]);
}

/// A workspace to swap in: the same project and file name as `t` with
/// other content of the same size and mtime (a restore), and another project.
fn swap_source(t: &Tree, same_name: &str) -> (PathBuf, String) {
    let src = t.tmp.path().join("src");
    project_at(&src, PROJECT, "metadata_v2.json");
    let restored = src
        .join(PROJECT)
        .join("snapshots")
        .join(format!("{same_name}.json"));
    fs::write(&restored, failing_suite()).unwrap();
    touch_back(&restored);
    project_at(&src, LEGACY, "metadata_legacy.json");
    let other = new_id();
    fs::write(
        src.join(LEGACY)
            .join("snapshots")
            .join(format!("{other}.json")),
        fixture("v2_run.json"),
    )
    .unwrap();
    (src, other)
}

/// Time until `id` (written at `since`) is added.
fn seen_after(ev: &mut Events, id: &str, since: Instant) -> Duration {
    ev.added(id);
    since.elapsed()
}

fn root_swapped(how: Swap) {
    let t = Tree::new();
    let id = new_id();
    fs::write(t.snap(PROJECT, &id), passing_suite()).unwrap();
    touch_back(&t.snap(PROJECT, &id));
    let (src, other) = swap_source(&t, &id);
    let (live, mut ev) = start_live(&t.root, WatchMode::Notify);
    converge(&mut ev, &t.root, "start");
    swap_root(&t, &src, how);
    let swapped = Instant::now();
    // A new file right after the swap...
    let first = new_id();
    fs::write(t.snap(PROJECT, &first), fixture("legacy_report.json")).unwrap();
    let first_seen = seen_after(&mut ev, &first, swapped);
    let state = converge(&mut ev, &t.root, "root replaced");
    // By hand: both projects; the restored file read anew (6 FAIL).
    assert_eq!(state.projects.len(), 2);
    assert_eq!(state.runs_of(LEGACY), 1);
    assert_eq!(state.runs[LEGACY][0].0, other);
    let restored = state.runs[PROJECT].iter().find(|r| r.0 == id).unwrap();
    assert_eq!(restored.1.fail, 6);
    // ...and one once all is quiet: the new root is watched (notify mode has
    // no safety rescan that could find it).
    let second = new_id();
    let written = Instant::now();
    fs::write(t.snap(LEGACY, &second), fixture("legacy_report.json")).unwrap();
    let second_seen = seen_after(&mut ev, &second, written);
    converge(&mut ev, &t.root, "file in the new root");
    eprintln!(
        "{how:?}: a file written right after the swap seen in {} ms, a later one in {} ms",
        first_seen.as_millis(),
        second_seen.as_millis()
    );
    ev.finish(live);
}

#[test]
fn root_removed_and_copied_back_is_watched_again() {
    root_swapped(Swap::RemoveAndCopy);
}

#[test]
fn root_moved_aside_and_replaced_is_watched_again() {
    root_swapped(Swap::MoveAside);
}

#[test]
fn root_replaced_by_a_flat_folder_is_indexed_as_one() {
    let t = Tree::new();
    fs::write(t.snap(PROJECT, &new_id()), fixture("legacy_suite.json")).unwrap();
    let flat = t.tmp.path().join("flat");
    fs::create_dir_all(&flat).unwrap();
    fs::write(flat.join("nightly.json"), fixture("v2_run.json")).unwrap();
    fs::write(flat.join("weekly.json"), fixture("legacy_suite.json")).unwrap();
    let (live, mut ev) = start_live(&t.root, WatchMode::Notify);
    converge(&mut ev, &t.root, "start");
    swap_root(&t, &flat, Swap::RemoveAndCopy);
    let s = converge(&mut ev, &t.root, "root replaced by a flat folder");
    // By hand: one project named after the folder, with the two files.
    assert_eq!(s.projects, [("ws".to_string(), "ws".to_string())]);
    let ids: Vec<&str> = s.runs["ws"].iter().map(|r| r.0.as_str()).collect();
    assert_eq!(ids, ["weekly", "nightly"]);
    ev.finish(live);
}

// ---------------------------------------------------------------- churn

/// Every kind of change in turn, each ending with the live index compared
/// to a fresh index of the folder. Returns the number of scenarios.
fn churn(mode: WatchMode) -> usize {
    let t = Tree::new();
    t.project(LEGACY, "metadata_legacy.json");
    let a: Vec<String> = (0..3).map(|_| new_id()).collect();
    for id in &a {
        fs::write(t.snap(PROJECT, id), passing_suite()).unwrap();
        touch_back(&t.snap(PROJECT, id));
    }
    let (live, mut ev) = start_live(&t.root, mode);
    let mut n = 0;
    let mut step = |ev: &mut Events, what: &str| {
        n += 1;
        converge(ev, &t.root, what)
    };
    let s = step(&mut ev, "start");
    assert_eq!((s.runs_of(PROJECT), s.runs_of(LEGACY)), (3, 0));

    // add: one written in place, one renamed into place, one in the other project
    let b = new_id();
    fs::write(t.snap(LEGACY, &b), fixture("legacy_suite.json")).unwrap();
    let c = new_id();
    write_atomic(&t.snap(LEGACY, &c), &fixture("v2_run.json"));
    let d = new_id();
    fs::write(t.snap(PROJECT, &d), fixture("legacy_report.json")).unwrap();
    let s = step(&mut ev, "add");
    assert_eq!((s.runs_of(PROJECT), s.runs_of(LEGACY)), (4, 2));

    // rewrite with the same size and mtime: every run of the project fails
    for id in &a {
        rewrite_same_size_and_mtime(&t.snap(PROJECT, id), &failing_suite());
    }
    let s = step(&mut ev, "rewrite, same size and mtime");
    assert_eq!(s.verdicts[PROJECT].as_ref().unwrap().1.fail, 6);

    // break the other project's newest run (v2_run.json, 2024-03-20) for good
    let broken = t.snap(LEGACY, &c);
    fs::write(&broken, BROKEN).unwrap();
    touch_back(&broken);
    let s = step(&mut ev, "break");
    assert_eq!(s.runs_of(LEGACY), 1);
    assert_eq!(s.verdicts[LEGACY].as_ref().unwrap().0, b);
    // half a file, left so: pending, then unreadable
    let half = new_id();
    let bytes = fixture("legacy_suite.json");
    fs::write(t.snap(LEGACY, &half), &bytes[..bytes.len() / 2]).unwrap();
    let s = step(&mut ev, "half-written");
    assert_eq!(s.unreadable.len(), 2);

    // delete: the broken file and a good one
    fs::remove_file(&broken).unwrap();
    fs::remove_file(t.snap(PROJECT, &a[0])).unwrap();
    let s = step(&mut ev, "delete");
    assert_eq!((s.runs_of(PROJECT), s.unreadable.len()), (3, 1));

    // rename: a good run to another id, the half file out of the workspace
    let renamed = new_id();
    fs::rename(t.snap(PROJECT, &a[1]), t.snap(PROJECT, &renamed)).unwrap();
    fs::rename(t.snap(LEGACY, &half), t.tmp.path().join("half.json")).unwrap();
    let s = step(&mut ev, "rename");
    assert!(s.runs[PROJECT].iter().any(|r| r.0 == renamed));
    assert!(s.unreadable.is_empty(), "{:?}", s.unreadable);

    // metadata: one project renamed, the other's record truncated
    let mut meta: serde_json::Value = serde_json::from_slice(&fixture("metadata_v2.json")).unwrap();
    meta["name"] = "Renamed by churn".into();
    fs::write(
        t.root.join(PROJECT).join("metadata.json"),
        serde_json::to_vec(&meta).unwrap(),
    )
    .unwrap();
    let legacy_meta = fixture("metadata_legacy.json");
    fs::write(
        t.root.join(LEGACY).join("metadata.json"),
        &legacy_meta[..legacy_meta.len() / 3],
    )
    .unwrap();
    let s = step(&mut ev, "metadata");
    assert_eq!(
        s.projects,
        [
            (LEGACY.to_string(), LEGACY.to_string()),
            (PROJECT.to_string(), "Renamed by churn".to_string())
        ]
    );

    // a dashboard.json added, then removed
    let dash = t.root.join(PROJECT).join("dashboard.json");
    write_atomic(&dash, &dashboard_fixture());
    let s = step(&mut ev, "dashboard added");
    assert_eq!(s.dashboards[PROJECT], Some(6));
    fs::remove_file(&dash).unwrap();
    let s = step(&mut ev, "dashboard removed");
    assert_eq!(s.dashboards[PROJECT], None);

    // a misnamed *.json in snapshots/: listed as a fresh index lists it, then gone
    let stray = t.root.join(PROJECT).join("snapshots").join("notes.json");
    fs::write(&stray, b"{}").unwrap();
    let s = step(&mut ev, "misnamed file added");
    assert!(
        s.unreadable.iter().any(|(p, _)| p == &stray),
        "{:?}",
        s.unreadable
    );
    fs::remove_file(&stray).unwrap();
    let s = step(&mut ev, "misnamed file removed");
    assert!(!s.unreadable.iter().any(|(p, _)| p == &stray));

    // a project folder removed, another created
    sh(&["rm", "-rf", t.root.join(LEGACY).to_str().unwrap()]);
    let third = "01a2230c-a779-7dfb-9102-2aa2f6dbe42d";
    t.project(third, "metadata_legacy.json");
    fs::write(t.snap(third, &new_id()), fixture("legacy_suite.json")).unwrap();
    let s = step(&mut ev, "projects removed and added");
    assert_eq!(s.projects.len(), 2);

    // the root replaced: removed and copied back from a restore that holds
    // the same names with other content of the same size and mtime
    let (src, other) = swap_source(&t, &a[2]);
    swap_root(&t, &src, Swap::RemoveAndCopy);
    let s = step(&mut ev, "root removed and copied");
    assert_eq!(s.runs[LEGACY], [(other.clone(), s.runs[LEGACY][0].1)]);
    assert_eq!(s.runs_of(PROJECT), 1);

    // and moved aside for another copy, whose one file passes
    let restored = src
        .join(PROJECT)
        .join("snapshots")
        .join(format!("{}.json", a[2]));
    rewrite_same_size_and_mtime(&restored, &passing_suite());
    swap_root(&t, &src, Swap::MoveAside);
    let s = step(&mut ev, "root moved aside and replaced");
    assert_eq!(s.verdicts[PROJECT].as_ref().unwrap().1.success, 6);
    ev.finish(live);
    n
}

#[test]
fn churn_live_equals_fresh_notify() {
    let n = churn(WatchMode::Notify);
    eprintln!("churn (notify): {n} scenarios, each equal to a fresh index");
}

#[test]
fn churn_live_equals_fresh_poll() {
    let n = churn(WatchMode::Poll);
    eprintln!("churn (poll): {n} scenarios, each equal to a fresh index");
}
