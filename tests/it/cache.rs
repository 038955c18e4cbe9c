//! The persistent index cache on the real sample workspace: a warm start
//! equals a fresh parse, only changed files are parsed again, broken cache
//! files are discarded, and nothing is ever written inside the workspace.

use crate::common;
use common::{copy_dir, run};

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use snapscope::index::cache_file;
use snapscope::index::Catalog;
use snapscope::index::IndexEvent;
use snapscope::index::WatchMode;
use snapscope::index::{index_path, index_path_with_cache, IndexOptions, ScanReport};
use snapscope::index::{LiveIndex, LiveOptions};
use snapscope::parse::{ParseOptions, TimeZoneChoice};

const SAMPLE_FILES: usize = 40;

fn opts(tz: TimeZoneChoice) -> IndexOptions {
    IndexOptions {
        parse: ParseOptions { tz },
        ..IndexOptions::default()
    }
}

/// Every file under `dir`, relative.
fn tree(dir: &Path) -> BTreeSet<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap().path().strip_prefix(dir).unwrap().to_path_buf())
        .collect()
}

fn snapshot_files(ws: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = walkdir::WalkDir::new(ws)
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "json")
                && p.parent().unwrap().file_name().unwrap() == "snapshots"
        })
        .collect();
    v.sort();
    v
}

fn set_mtime(p: &Path, ago: Duration) {
    let f = fs::File::options().write(true).open(p).unwrap();
    f.set_modified(SystemTime::now() - ago).unwrap();
}

/// A copy of sample_snapshots/ whose files were last modified an hour ago
/// (the cache leaves out files modified in the last seconds).
struct Setup {
    _tmp: tempfile::TempDir,
    ws: PathBuf,
    cache_dir: PathBuf,
}

fn setup() -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_snapshots"),
        &ws,
    );
    for f in snapshot_files(&ws) {
        set_mtime(&f, Duration::from_secs(3600));
    }
    assert_eq!(snapshot_files(&ws).len(), SAMPLE_FILES);
    let cache_dir = tmp.path().join("cache");
    Setup {
        _tmp: tmp,
        ws,
        cache_dir,
    }
}

fn run(s: &Setup, tz: TimeZoneChoice) -> (Catalog, ScanReport) {
    index_path_with_cache(&s.ws, &opts(tz), Some(&s.cache_dir)).unwrap()
}

/// Every snapshot entry as (path, fingerprint, snapshot), in catalog order.
fn entries(
    c: &Catalog,
) -> Vec<(
    PathBuf,
    snapscope::index::Fingerprint,
    snapscope::model::Snapshot,
)> {
    c.projects()
        .into_iter()
        .flat_map(|p| p.snapshots.iter())
        .map(|e| (e.path.to_path_buf(), e.fingerprint, (*e.snapshot).clone()))
        .collect()
}

#[test]
fn warm_start_equals_fresh_parse() {
    let s = setup();
    let (fresh, _) = index_path(&s.ws, &opts(TimeZoneChoice::Utc)).unwrap();
    let (cold, r1) = run(&s, TimeZoneChoice::Utc);
    assert_eq!((r1.parsed, r1.from_cache), (SAMPLE_FILES, 0));
    let (warm, r2) = run(&s, TimeZoneChoice::Utc);
    assert_eq!((r2.parsed, r2.from_cache), (0, SAMPLE_FILES));
    assert_eq!(r2.bytes_read, r1.bytes_read - snapshot_bytes(&s.ws));
    assert_eq!(entries(&fresh), entries(&cold));
    assert_eq!(entries(&fresh), entries(&warm));
    // Real content came through: the series and tests of every file.
    let values: usize = entries(&warm).iter().map(|e| e.2.series.len()).sum();
    assert!(values > 1000, "{values} series values");
    assert_eq!(warm.snapshot_count(), SAMPLE_FILES);
}

fn snapshot_bytes(ws: &Path) -> u64 {
    snapshot_files(ws)
        .iter()
        .map(|p| fs::metadata(p).unwrap().len())
        .sum()
}

#[test]
fn only_changed_files_are_parsed_again() {
    let s = setup();
    run(&s, TimeZoneChoice::Utc);
    let files = snapshot_files(&s.ws);
    // Rewrite one (same bytes plus a newline: new size), touch another.
    let mut bytes = fs::read(&files[0]).unwrap();
    bytes.push(b'\n');
    fs::write(&files[0], &bytes).unwrap();
    set_mtime(&files[0], Duration::from_secs(600));
    set_mtime(&files[1], Duration::from_secs(60));
    let (c, r) = run(&s, TimeZoneChoice::Utc);
    assert_eq!((r.parsed, r.from_cache), (2, SAMPLE_FILES - 2));
    assert_eq!(c.snapshot_count(), SAMPLE_FILES);
    let e = c.snapshot_by_path(&files[0]).unwrap();
    assert_eq!(e.fingerprint.len, bytes.len() as u64);
    // The cache was brought up to date: nothing to parse now.
    let (_, r) = run(&s, TimeZoneChoice::Utc);
    assert_eq!((r.parsed, r.from_cache), (0, SAMPLE_FILES));
    // A deleted file is gone from the index, not served from the cache.
    fs::remove_file(&files[2]).unwrap();
    let (c, r) = run(&s, TimeZoneChoice::Utc);
    assert_eq!((r.parsed, r.from_cache), (0, SAMPLE_FILES - 1));
    assert!(c.snapshot_by_path(&files[2]).is_none());
}

#[test]
fn recently_modified_files_are_not_cached() {
    let s = setup();
    let files = snapshot_files(&s.ws);
    set_mtime(&files[3], Duration::ZERO);
    run(&s, TimeZoneChoice::Utc);
    let (_, r) = run(&s, TimeZoneChoice::Utc);
    assert_eq!((r.parsed, r.from_cache), (1, SAMPLE_FILES - 1));
}

#[test]
fn time_zone_is_part_of_the_key() {
    let s = setup();
    let (utc, _) = run(&s, TimeZoneChoice::Utc);
    let berlin: TimeZoneChoice = "Europe/Berlin".parse().unwrap();
    let (b, r) = run(&s, berlin);
    assert_eq!((r.parsed, r.from_cache), (SAMPLE_FILES, 0));
    // The sample timestamps are naive March/April 2024 wall times: Berlin is
    // UTC+1 before 31 March and UTC+2 after, so each run moves 1 or 2 hours.
    for (u, b) in entries(&utc).iter().zip(entries(&b).iter()) {
        let shift = (u.2.timestamp - b.2.timestamp).num_hours();
        assert!(shift == 1 || shift == 2, "{shift}");
    }
}

#[test]
fn broken_cache_files_are_discarded() {
    let s = setup();
    let (fresh, _) = run(&s, TimeZoneChoice::Utc);
    let file = cache_file(&s.cache_dir, &s.ws);
    let good = fs::read(&file).unwrap();
    let mut flipped = good.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x40;
    // Another workspace's cache under this workspace's name.
    let other = setup();
    run(&other, TimeZoneChoice::Utc);
    let foreign = fs::read(cache_file(&other.cache_dir, &other.ws)).unwrap();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("truncated", good[..good.len() / 2].to_vec()),
        ("header only", good[..20].to_vec()),
        ("bit flip", flipped),
        ("garbage", b"hello, not a cache".to_vec()),
        ("empty", Vec::new()),
        ("foreign", foreign),
    ];
    for (what, bytes) in cases {
        fs::write(&file, &bytes).unwrap();
        let (c, r) = run(&s, TimeZoneChoice::Utc);
        assert_eq!((r.parsed, r.from_cache), (SAMPLE_FILES, 0), "{what}");
        assert_eq!(entries(&c), entries(&fresh), "{what}");
        // ...and replaced by a good one.
        let (_, r) = run(&s, TimeZoneChoice::Utc);
        assert_eq!(r.from_cache, SAMPLE_FILES, "{what}");
    }
}

#[test]
fn cache_is_never_written_under_the_workspace() {
    let s = setup();
    let before = tree(&s.ws);
    run(&s, TimeZoneChoice::Utc);
    run(&s, TimeZoneChoice::Utc);
    assert_eq!(tree(&s.ws), before);
    let written: Vec<PathBuf> = tree(&s.cache_dir).into_iter().collect();
    assert_eq!(
        written,
        vec![PathBuf::from(""), cache_file(Path::new(""), &s.ws)],
        "one cache file, no temp files left"
    );
}

#[test]
fn binary_uses_the_user_cache_dir_unless_no_cache() {
    let s = setup();
    let xdg = s.cache_dir.join("xdg");
    let run_bin = |extra: &[&str]| {
        let out = run::snapscope()
            .args(["projects", "--tz", "utc"])
            .args(extra)
            .arg(&s.ws)
            .env("XDG_CACHE_HOME", &xdg)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let before = tree(&s.ws);
    let no_cache = run_bin(&["--no-cache"]);
    assert!(!xdg.exists());
    let cold = run_bin(&[]);
    let idx = cache_file(&xdg.join("snapscope").join("index"), &s.ws);
    assert!(idx.is_file(), "{}", idx.display());
    let warm = run_bin(&[]);
    assert_eq!(no_cache, cold);
    assert_eq!(cold, warm);
    assert!(cold.contains("Tumor classifier (binary)"));
    assert_eq!(tree(&s.ws), before);
}

#[test]
fn live_index_sends_cached_entries_first_without_parsing() {
    let s = setup();
    let (fresh, _) = run(&s, TimeZoneChoice::Utc);
    let live_opts = LiveOptions {
        parse: ParseOptions {
            tz: TimeZoneChoice::Utc,
        },
        watch: WatchMode::Off,
        ..LiveOptions::default()
    };
    let (live, rx) =
        LiveIndex::start_with_cache_dir(&s.ws, live_opts, Some(s.cache_dir.clone())).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut catalog = Catalog::new();
    let mut added_before_progress = 0;
    let mut bulk_events = 0;
    let mut seen_progress = false;
    loop {
        let ev = rx
            .recv_deadline(deadline)
            .expect("scan finishes before the deadline");
        match &ev {
            IndexEvent::SnapshotAdded(_) if !seen_progress => added_before_progress += 1,
            IndexEvent::SnapshotsAdded(es) if !seen_progress => {
                bulk_events += 1;
                added_before_progress += es.len();
                assert!(
                    es.windows(2).all(|w| {
                        let (a, b) = (&w[0].snapshot, &w[1].snapshot);
                        (a.timestamp, &a.id) <= (b.timestamp, &b.id)
                    }),
                    "cached entries come oldest first"
                );
            }
            IndexEvent::ScanProgress { done, total } if !seen_progress => {
                seen_progress = true;
                assert_eq!((*done, *total), (SAMPLE_FILES, SAMPLE_FILES));
            }
            IndexEvent::ScanFinished { .. } => break,
            _ => {}
        }
        snapscope::index::apply_event(&mut catalog, &ev);
    }
    assert_eq!(added_before_progress, SAMPLE_FILES);
    assert_eq!(bulk_events, 1, "all cached entries in one event");
    assert_eq!(live.parse_count(), 0);
    assert_eq!(entries(&catalog), entries(&fresh));
    live.stop();
}

/// Events from `rx` until `done` says so (panics after 20 s).
fn events_until(
    rx: &crossbeam_channel::Receiver<IndexEvent>,
    done: impl Fn(&[IndexEvent]) -> bool,
) -> Vec<IndexEvent> {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut evs = Vec::new();
    while !done(&evs) {
        evs.push(
            rx.recv_deadline(deadline)
                .unwrap_or_else(|e| panic!("{e}; events so far: {evs:?}")),
        );
    }
    evs
}

fn live_warm(s: &Setup) -> (LiveIndex, crossbeam_channel::Receiver<IndexEvent>) {
    let live_opts = LiveOptions {
        parse: ParseOptions {
            tz: TimeZoneChoice::Utc,
        },
        watch: WatchMode::Off,
        ..LiveOptions::default()
    };
    LiveIndex::start_with_cache_dir(&s.ws, live_opts, Some(s.cache_dir.clone())).unwrap()
}

fn scan_finished(evs: &[IndexEvent]) -> bool {
    matches!(evs.last(), Some(IndexEvent::ScanFinished { .. }))
}

#[test]
fn live_index_tracks_cached_entries_after_a_warm_start() {
    let s = setup();
    run(&s, TimeZoneChoice::Utc);
    let file = cache_file(&s.cache_dir, &s.ws);
    let written = fs::metadata(&file).unwrap().modified().unwrap();

    // Nothing changed: the cache is not written again, not even on exit.
    let (live, rx) = live_warm(&s);
    events_until(&rx, scan_finished);
    live.stop();
    assert_eq!(fs::metadata(&file).unwrap().modified().unwrap(), written);

    // Changes to files that came from the cache are noticed as such.
    let (live, rx) = live_warm(&s);
    events_until(&rx, scan_finished);
    assert_eq!(live.parse_count(), 0);
    let files = snapshot_files(&s.ws);
    let (touched, gone) = (files[0].clone(), files[1].clone());
    set_mtime(&touched, Duration::from_secs(60));
    fs::remove_file(&gone).unwrap();
    live.rescan_handle()();
    let updated =
        |e: &IndexEvent| matches!(e, IndexEvent::SnapshotUpdated(x) if *x.path == *touched);
    let removed =
        |e: &IndexEvent| matches!(e, IndexEvent::SnapshotRemoved { path, .. } if *path == gone);
    let evs = events_until(&rx, |evs| {
        evs.iter().any(updated) && evs.iter().any(removed)
    });
    assert!(
        !evs.iter()
            .any(|e| matches!(e, IndexEvent::SnapshotAdded(_))),
        "{evs:?}"
    );
    assert_eq!(live.parse_count(), 1, "only the touched file is parsed");
    live.stop();
    // The cache was brought up to date on exit.
    let (_, r) = run(&s, TimeZoneChoice::Utc);
    assert_eq!((r.parsed, r.from_cache), (0, SAMPLE_FILES - 1));
}

#[test]
fn bulk_insert_equals_one_by_one() {
    let s = setup();
    let (fresh, _) = run(&s, TimeZoneChoice::Utc);
    let mut all: Vec<snapscope::index::SnapshotEntry> = fresh
        .projects()
        .into_iter()
        .flat_map(|p| p.snapshots.iter().cloned())
        .collect();
    all.reverse();
    // Two paths twice (the later entry wins; the first and second copies in
    // different batches, or in the same one), one path marked unreadable before.
    for (i, grow) in [(3, 1), (20, 2)] {
        let mut again = all[i].clone();
        again.fingerprint.len += grow;
        all.push(again);
    }
    let unreadable = snapscope::index::Unreadable {
        path: all[5].path.to_path_buf(),
        project_id: Some(all[5].snapshot.project_id.clone()),
        reason: "broken".into(),
    };
    // A project with a record, the others get placeholders.
    let named = fresh.projects()[0].project.clone();

    let mut one = Catalog::new();
    let mut bulk = Catalog::new();
    for c in [&mut one, &mut bulk] {
        c.upsert_project(named.clone());
        c.set_unreadable(unreadable.clone());
    }
    for e in &all {
        one.upsert_snapshot(e.clone());
    }
    let (head, tail) = all.split_at(10);
    bulk.upsert_snapshots(head.iter().cloned());
    bulk.upsert_snapshots(tail.iter().cloned());

    assert_eq!(entries(&bulk), entries(&one));
    assert_eq!(entries(&bulk).len(), SAMPLE_FILES);
    assert_eq!(bulk.unreadable().count(), 0);
    let names = |c: &Catalog| -> Vec<(String, String, PathBuf)> {
        c.projects()
            .iter()
            .map(|p| {
                (
                    p.project.id.clone(),
                    p.project.name.clone(),
                    p.project.folder.clone(),
                )
            })
            .collect()
    };
    assert_eq!(names(&bulk), names(&one));
    for e in &all {
        let got = bulk.snapshot_by_path(&e.path).expect("indexed by path");
        assert_eq!(got.path, e.path);
    }
    for (i, grow) in [(3, 1), (20, 2)] {
        assert_eq!(
            bulk.snapshot_by_path(&all[i].path).unwrap().fingerprint.len,
            all[i].fingerprint.len + grow
        );
    }
}
