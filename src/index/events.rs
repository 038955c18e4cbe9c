//! Typed events the live index sends to its consumers (the TUI, `snapscope
//! watch`). A consumer applies them to its own [`Catalog`]
//! copy with [`apply`], and never waits on disk.

use std::path::PathBuf;
use std::sync::Arc;

use crate::index::catalog::{Catalog, SnapshotEntry, Unreadable};
use crate::model::Project;

/// One change in the index.
#[derive(Debug, Clone)]
pub enum IndexEvent {
    /// A project folder appeared (or the first scan found it).
    ProjectAdded(Project),
    /// A project's `metadata.json` (name, description) or `dashboard.json` changed.
    ProjectUpdated(Project),
    /// A project folder disappeared, with its snapshots.
    ProjectRemoved { project_id: String },
    /// A new snapshot file was parsed.
    SnapshotAdded(SnapshotEntry),
    /// Many snapshot files at once, oldest run first: the same as one
    /// [`IndexEvent::SnapshotAdded`] per entry, in order. The live index sends
    /// the entries its cache still holds this way at start-up.
    SnapshotsAdded(Arc<[SnapshotEntry]>),
    /// A known snapshot file was rewritten and parsed again.
    SnapshotUpdated(SnapshotEntry),
    /// A snapshot file was deleted or renamed away.
    SnapshotRemoved {
        path: PathBuf,
        project_id: String,
        snapshot_id: String,
    },
    /// A file is empty or half-written; it will be retried when it settles.
    Pending { path: PathBuf, reason: String },
    /// A file stayed broken after settling. Its last good entry, if any, was
    /// removed just before ([`IndexEvent::SnapshotRemoved`], or the project
    /// record updated for a `metadata.json`).
    Unreadable(Unreadable),
    /// A previously pending or unreadable file is gone or fine again.
    Cleared { path: PathBuf },
    /// Progress of the first scan: files done out of files found.
    ScanProgress { done: usize, total: usize },
    /// The first scan (or a full rescan) finished.
    ScanFinished { elapsed_ms: u64 },
    /// The watcher failed or changed mode (e.g. fell back to polling).
    WatcherStatus {
        mode: String,
        message: Option<String>,
    },
}

/// Apply an event to a catalog. Returns true when the catalog changed.
pub fn apply(catalog: &mut Catalog, event: &IndexEvent) -> bool {
    match event {
        IndexEvent::ProjectAdded(p) | IndexEvent::ProjectUpdated(p) => {
            catalog.upsert_project(p.clone());
            true
        }
        IndexEvent::ProjectRemoved { project_id } => catalog.remove_project(project_id).is_some(),
        IndexEvent::SnapshotAdded(e) | IndexEvent::SnapshotUpdated(e) => {
            catalog.upsert_snapshot(e.clone());
            true
        }
        IndexEvent::SnapshotsAdded(es) => {
            catalog.upsert_snapshots(es.iter().cloned());
            !es.is_empty()
        }
        IndexEvent::SnapshotRemoved { path, .. } => {
            let removed = catalog.remove_snapshot_path(path).is_some();
            catalog.clear_unreadable(path).is_some() || removed
        }
        IndexEvent::Unreadable(u) => {
            catalog.set_unreadable(u.clone());
            true
        }
        IndexEvent::Cleared { path } => catalog.clear_unreadable(path).is_some(),
        IndexEvent::ScanFinished { .. } => {
            // The bulk of the entries is in: no spare room kept for more.
            catalog.shrink_to_fit();
            false
        }
        IndexEvent::Pending { .. }
        | IndexEvent::ScanProgress { .. }
        | IndexEvent::WatcherStatus { .. } => false,
    }
}
