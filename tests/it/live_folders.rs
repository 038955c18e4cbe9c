//! Project folders that appear while the live index runs: made in place
//! or moved in, their snapshots are seen, also those written into them
//! later (the native watcher watches each folder on its own, and adds the
//! new ones as they come).

use std::fs;
use std::path::Path;
use std::time::Instant;

use snapscope::index::{IndexEvent, WatchMode};

use crate::live::{fixture, new_id, opts, start, Ws, PROJECT, WAIT};

fn write_metadata(folder: &Path) {
    fs::write(
        folder.join("metadata.json"),
        fixture("metadata_legacy.json"),
    )
    .unwrap();
}

/// A project folder with its record and an empty snapshots folder.
fn make_project(folder: &Path) {
    fs::create_dir_all(folder.join("snapshots")).unwrap();
    write_metadata(folder);
}

fn write_snapshot(folder: &Path, fixture_name: &str) -> String {
    let id = new_id();
    fs::write(
        folder.join("snapshots").join(format!("{id}.json")),
        fixture(fixture_name),
    )
    .unwrap();
    id
}

#[test]
fn project_folder_created_after_start_and_removed() {
    let ws = Ws::new();
    let (live, mut ev) = start(&ws, opts(WatchMode::Auto));
    let pid = "01a2230c-f95d-73a0-a6bd-fc50ff8e8664";
    let folder = ws.root().join(pid);
    make_project(&folder);
    let id = write_snapshot(&folder, "legacy_suite.json");
    ev.wait(
        "project added",
        |e| matches!(e, IndexEvent::ProjectAdded(p) if p.id == pid),
    );
    let e = ev.added(&id);
    assert_eq!(e.snapshot.project_id, pid);
    // the record comes from the legacy metadata.json (maybe after a pending read)
    let deadline = Instant::now() + WAIT;
    while ev.catalog.project(pid).unwrap().project.name != "Wine cultivar classifier (multiclass)" {
        assert!(Instant::now() < deadline, "{}", ev.summary());
        ev.wait(
            "project updated",
            |e| matches!(e, IndexEvent::ProjectUpdated(p) if p.id == pid),
        );
    }
    fs::remove_dir_all(&folder).unwrap();
    ev.wait(
        "project removed",
        |e| matches!(e, IndexEvent::ProjectRemoved { project_id } if project_id == pid),
    );
    assert!(ev.catalog.project(pid).is_none());
    assert!(ev.catalog.project(PROJECT).is_some());
    ev.finish(live);
}

/// With the native watcher alone (no safety rescan), a snapshot written
/// into a project folder made, or moved in, after the start is seen: the
/// new folders are watched.
#[test]
fn snapshots_written_into_new_project_folders_are_seen() {
    let ws = Ws::new();
    let (live, mut ev) = start(&ws, opts(WatchMode::Notify));
    let watching =
        |e: &IndexEvent| matches!(e, IndexEvent::WatcherStatus { mode, .. } if mode == "notify");
    assert_eq!(ev.count(watching), 1, "{}", ev.summary());
    let made = "01a2230c-f95d-73a0-a6bd-fc50ff8e8601";
    let moved = "01a2230c-f95d-73a0-a6bd-fc50ff8e8602";
    // Made in place, its snapshots folder after it.
    let folder = ws.root().join(made);
    fs::create_dir(&folder).unwrap();
    write_metadata(&folder);
    ev.wait(
        "project made",
        |e| matches!(e, IndexEvent::ProjectAdded(p) if p.id == made),
    );
    fs::create_dir(folder.join("snapshots")).unwrap();
    let first = write_snapshot(&folder, "legacy_suite.json");
    assert_eq!(ev.added(&first).snapshot.project_id, made);
    // Moved in whole from outside the workspace (beside it: the same
    // filesystem, so a rename).
    let outside = tempfile::tempdir_in(ws.root().parent().unwrap()).unwrap();
    let staged = outside.path().join(moved);
    make_project(&staged);
    let carried = write_snapshot(&staged, "legacy_suite.json");
    let folder2 = ws.root().join(moved);
    fs::rename(&staged, &folder2).unwrap();
    assert_eq!(ev.added(&carried).snapshot.project_id, moved);
    // Written later into both: only the new folders' watches can tell.
    let later = [
        (made, write_snapshot(&folder, "legacy_suite.json")),
        (moved, write_snapshot(&folder2, "legacy_suite.json")),
    ];
    for (project, id) in &later {
        assert_eq!(&ev.added(id).snapshot.project_id, project);
    }
    assert!(ev.catalog.project(PROJECT).is_some());
    ev.finish(live);
}
