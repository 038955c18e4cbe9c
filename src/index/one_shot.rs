//! The index once, as events: indexes a folder with [`index_path`] and
//! sends the result as the [`IndexEvent`]s the live index would send at
//! start-up, then closes the channel. For consumers that want a fixed
//! picture instead of following the folder (render tests, demos).

use std::path::{Path, PathBuf};

use crossbeam_channel::{Receiver, Sender};

use crate::index::{index_path, IndexEvent, IndexOptions, Unreadable};
use crate::parse::ParseOptions;

/// Index `root` on a background thread; events arrive on the returned channel.
pub fn start_one_shot(root: PathBuf, opts: ParseOptions) -> Receiver<IndexEvent> {
    let (tx, rx) = crossbeam_channel::unbounded();
    let spawned = std::thread::Builder::new()
        .name("snapscope-static-scan".into())
        .spawn(move || send_one_shot(&root, &opts, &tx));
    if let Err(e) = spawned {
        tracing::error!("cannot start scanner: {e}");
    }
    rx
}

/// Index synchronously, sending events to `tx`: projects, unreadable files,
/// then snapshots newest first, then [`IndexEvent::ScanFinished`].
pub fn send_one_shot(root: &Path, opts: &ParseOptions, tx: &Sender<IndexEvent>) {
    let _ = tx.send(IndexEvent::WatcherStatus {
        mode: "off".into(),
        message: None,
    });
    let options = IndexOptions {
        parse: *opts,
        ..IndexOptions::default()
    };
    let (catalog, report) = match index_path(root, &options) {
        Ok(r) => r,
        Err(e) => {
            let _ = tx.send(IndexEvent::Unreadable(Unreadable {
                path: root.to_path_buf(),
                project_id: None,
                reason: e.to_string(),
            }));
            let _ = tx.send(IndexEvent::ScanFinished { elapsed_ms: 0 });
            return;
        }
    };
    let projects = catalog.projects();
    for p in &projects {
        let _ = tx.send(IndexEvent::ProjectAdded(p.project.clone()));
    }
    for u in catalog.unreadable() {
        let _ = tx.send(IndexEvent::Unreadable(u.clone()));
    }
    let mut entries: Vec<_> = projects.iter().flat_map(|p| p.snapshots.iter()).collect();
    entries.sort_by_key(|e| std::cmp::Reverse(e.snapshot.timestamp));
    let total = entries.len();
    for (i, e) in entries.into_iter().enumerate() {
        let _ = tx.send(IndexEvent::SnapshotAdded(e.clone()));
        if (i + 1) % 64 == 0 || i + 1 == total {
            let _ = tx.send(IndexEvent::ScanProgress { done: i + 1, total });
        }
    }
    let _ = tx.send(IndexEvent::ScanFinished {
        elapsed_ms: report.elapsed_ms,
    });
}
