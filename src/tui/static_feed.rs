//! A one-shot index feeder: scans a folder once and sends the result as
//! [`IndexEvent`]s, then closes the channel. Stand-in for the live index
//! (`live.rs`) until it lands; to be replaced by `LiveIndex::start`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use crossbeam_channel::{Receiver, Sender};
use rayon::prelude::*;

use crate::catalog::{SnapshotEntry, Unreadable};
use crate::events::IndexEvent;
use crate::model::Project;
use crate::parse::{parse_project_metadata, parse_snapshot, ParseOptions};
use crate::scan::{self, ProjectDir};

/// Scan `root` on a background thread; events arrive on the returned channel.
pub fn start(root: PathBuf, opts: ParseOptions) -> Receiver<IndexEvent> {
    let (tx, rx) = crossbeam_channel::unbounded();
    let spawned = std::thread::Builder::new()
        .name("snapscope-static-scan".into())
        .spawn(move || scan_into(&root, &opts, &tx));
    if let Err(e) = spawned {
        tracing::error!("cannot start scanner: {e}");
    }
    rx
}

/// A project record from its folder (and `metadata.json` when readable).
pub fn project_of(pd: &ProjectDir) -> (Project, Option<Unreadable>) {
    let mut p = Project {
        id: pd.id.clone(),
        name: pd.id.clone(),
        description: None,
        folder: pd.folder.clone(),
        created_at: None,
        warning: None,
    };
    let mut problem = None;
    if let Some(m) = &pd.metadata {
        match std::fs::read(m)
            .map_err(|e| e.to_string())
            .and_then(|b| parse_project_metadata(&b).map_err(|e| e.to_string()))
        {
            Ok(meta) => {
                if let Some(n) = meta.name.filter(|n| !n.is_empty()) {
                    p.name = n;
                }
                p.description = meta.description;
                if meta.id.as_deref().is_some_and(|id| id != pd.id) {
                    p.warning = Some("folder name differs from the id in metadata.json".into());
                }
            }
            Err(reason) => {
                problem = Some(Unreadable {
                    path: m.clone(),
                    project_id: Some(pd.id.clone()),
                    reason,
                })
            }
        }
    }
    (p, problem)
}

/// Scan synchronously, sending events to `tx`.
pub fn scan_into(root: &Path, opts: &ParseOptions, tx: &Sender<IndexEvent>) {
    let started = Instant::now();
    let _ = tx.send(IndexEvent::WatcherStatus {
        mode: "off".into(),
        message: None,
    });
    let (_, listing) = match scan::list(root) {
        Ok(l) => l,
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
    for pd in &listing.projects {
        let (p, problem) = project_of(pd);
        let _ = tx.send(IndexEvent::ProjectAdded(p));
        if let Some(u) = problem {
            let _ = tx.send(IndexEvent::Unreadable(u));
        }
    }
    for u in listing.problems {
        let _ = tx.send(IndexEvent::Unreadable(u));
    }
    let mut files = listing.files;
    // Newest files first, so recent runs show up early.
    files.sort_by_key(|f| std::cmp::Reverse(f.fingerprint.mtime));
    let total = files.len();
    let _ = tx.send(IndexEvent::ScanProgress { done: 0, total });
    let done = std::sync::atomic::AtomicUsize::new(0);
    files.par_iter().for_each(|f| {
        let ev = match std::fs::read(&f.path) {
            Err(e) => IndexEvent::Unreadable(Unreadable {
                path: f.path.clone(),
                project_id: Some(f.project_id.clone()),
                reason: e.to_string(),
            }),
            Ok(bytes) => match parse_snapshot(&bytes, &f.id, &f.project_id, opts) {
                Ok(s) => IndexEvent::SnapshotAdded(SnapshotEntry {
                    path: f.path.clone(),
                    fingerprint: f.fingerprint,
                    snapshot: Arc::new(s),
                }),
                Err(e) if e.is_incomplete() => IndexEvent::Pending {
                    path: f.path.clone(),
                    reason: e.to_string(),
                },
                Err(e) => IndexEvent::Unreadable(Unreadable {
                    path: f.path.clone(),
                    project_id: Some(f.project_id.clone()),
                    reason: e.to_string(),
                }),
            },
        };
        let _ = tx.send(ev);
        let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if n % 16 == 0 || n == total {
            let _ = tx.send(IndexEvent::ScanProgress { done: n, total });
        }
    });
    let _ = tx.send(IndexEvent::ScanFinished {
        elapsed_ms: started.elapsed().as_millis() as u64,
    });
}
