//! One tracked file at a time, for the indexer: whether a file seen with a
//! fingerprint must be read (`observe`), what reading it did to its state
//! and which events that makes (`record`: a file broken for good drops its
//! old entry or record, so the live index equals a fresh one), forgetting a
//! file that is gone, and retrying pending files ([`super::pending`]).

use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use super::files::{
    index_one_file, over_limit, read_dashboard, read_metadata, too_large, Failure, FileKind, Good,
};
use super::handle::{LiveOptions, Stats};
use super::indexer::Indexer;
use super::pending::{FileState, Settle, Tracked};
use super::source::Source;
use crate::index::catalog::{Fingerprint, Unreadable};
use crate::index::events::IndexEvent;

impl Indexer {
    // ---- one file ---------------------------------------------------------

    pub(super) fn read_snapshot(
        &self,
        path: &Path,
        project_id: &str,
        id: &str,
    ) -> Result<Good, Failure> {
        read_snapshot_from(
            &self.source,
            &self.opts,
            &self.stats,
            path,
            project_id,
            id,
            None,
        )
    }

    pub(super) fn read(&self, path: &Path, kind: &FileKind) -> Result<Good, Failure> {
        match kind {
            FileKind::Snapshot { project_id, id } => self.read_snapshot(path, project_id, id),
            FileKind::Metadata { .. } => {
                read_metadata(&self.source, path).map(|(m, fp)| Good::Metadata(m, fp))
            }
            FileKind::Dashboard { .. } => {
                read_dashboard(&self.source, path).map(|(fp, d)| Good::Dashboard(fp, d))
            }
        }
    }

    /// A file was seen with fingerprint `fp` (`None`: it does not exist).
    /// It is read unless its fingerprint did not move and no event said it
    /// was written ([`Tracked::needs_read`]); a pending file is left to
    /// `process_due`, which retries it at most once per retry gap.
    pub(super) fn observe(&mut self, path: &Path, kind: FileKind, fp: Option<Fingerprint>) {
        let Some(fp) = fp else {
            self.forget(path);
            return;
        };
        if let Some(t) = self.files.get_mut(path) {
            t.listed = self.generation;
            if !t.needs_read(fp, Instant::now()) {
                return;
            }
        }
        let outcome = self.read(path, &kind);
        self.record(path, kind, outcome, None);
    }

    /// The key `path` has in the tracked files, or a new one.
    fn path_key(&self, path: &Path) -> Arc<Path> {
        self.files
            .get_key_value(path)
            .map_or_else(|| path.into(), |(k, _)| k.clone())
    }

    /// Apply the outcome of reading a file. `final_fp`: this was the final
    /// attempt for a file that had settled with that fingerprint.
    pub(super) fn record(
        &mut self,
        path: &Path,
        kind: FileKind,
        outcome: Result<Good, Failure>,
        final_fp: Option<Fingerprint>,
    ) {
        let now = Instant::now();
        let prev = self.files.get(path).cloned();
        let had_good = prev.as_ref().is_some_and(|t| t.has_good);
        // Reported unreadable or pending: consumers hold that until Cleared
        // (also after unreadable → pending, a read while it was rewritten).
        let was_reported = prev
            .as_ref()
            .is_some_and(|t| !matches!(t.state, FileState::Good));
        match outcome {
            Ok(good) => {
                // Keyed by the entry's own path (one copy of the text).
                let key = match &good {
                    Good::Snapshot(entry) => entry.path.clone(),
                    _ => self.path_key(path),
                };
                self.files.remove(path);
                self.files.insert(
                    key,
                    Tracked {
                        kind: kind.clone(),
                        seen: good.fingerprint(),
                        has_good: true,
                        state: FileState::Good,
                        listed: self.generation,
                        read_at: now,
                        written: false,
                    },
                );
                match good {
                    Good::Snapshot(entry) => {
                        if self.cache_dir.is_some() {
                            self.entries.remove(path);
                            self.entries.insert(entry.path.clone(), entry.clone());
                            self.cache_dirty = true;
                        }
                        if had_good {
                            self.emit(IndexEvent::SnapshotUpdated(entry));
                        } else {
                            self.announce_added(entry);
                        }
                    }
                    Good::Metadata(meta, _) => {
                        if was_reported {
                            self.emit(IndexEvent::Cleared {
                                path: path.to_path_buf(),
                            });
                        }
                        if let Some(ps) = self.projects.get_mut(kind.project_id()) {
                            ps.meta = Some(meta);
                        }
                        self.update_project_record(kind.project_id(), false);
                    }
                    Good::Dashboard(_, dashboard) => {
                        if was_reported {
                            self.emit(IndexEvent::Cleared {
                                path: path.to_path_buf(),
                            });
                        }
                        if let Some(ps) = self.projects.get_mut(kind.project_id()) {
                            ps.v2_dashboard = dashboard;
                        }
                        // The dashboard changed: consumers reload it.
                        self.update_project_record(kind.project_id(), true);
                    }
                }
            }
            Err(e) if e.gone => self.forget(path),
            // Unreachable: what is known stays; the next listing reads it again.
            Err(e) if e.transient => {
                if let Some(t) = self.files.get_mut(path) {
                    t.written = true;
                }
            }
            Err(e) => {
                let fp = e.fp.or(prev.as_ref().map(|t| t.seen)).unwrap_or_default();
                let (state, newly_pending) =
                    self.settle()
                        .after_failure(prev.as_ref(), fp, e.incomplete, final_fp, now);
                // Worded as the one-shot index words it.
                let reason = match kind {
                    FileKind::Metadata { .. } => format!("project metadata: {}", e.reason),
                    FileKind::Dashboard { .. } => format!("project dashboard: {}", e.reason),
                    _ => e.reason,
                };
                let pending = matches!(state, FileState::Pending { .. });
                // Broken for good: what the file held is shown no more (a
                // pending file keeps its last good content until it settles).
                let lost_good = had_good && !pending;
                let key = self.path_key(path);
                self.files.insert(
                    key,
                    Tracked {
                        kind: kind.clone(),
                        seen: fp,
                        has_good: had_good && pending,
                        state,
                        listed: self.generation,
                        read_at: now,
                        written: false,
                    },
                );
                if lost_good {
                    self.drop_good(path, &kind);
                }
                if !pending {
                    self.emit(IndexEvent::Unreadable(Unreadable {
                        path: path.to_path_buf(),
                        project_id: Some(kind.project_id().to_string()),
                        reason,
                    }));
                } else if newly_pending {
                    self.emit(IndexEvent::Pending {
                        path: path.to_path_buf(),
                        reason,
                    });
                }
            }
        }
    }

    /// A file that held a good snapshot or record is broken for good: tell
    /// consumers it is gone (before it is listed unreadable), as if deleted.
    fn drop_good(&mut self, path: &Path, kind: &FileKind) {
        match kind {
            FileKind::Snapshot { project_id, id } => {
                if self.entries.remove(path).is_some() {
                    self.cache_dirty = true;
                }
                self.emit(IndexEvent::SnapshotRemoved {
                    path: path.to_path_buf(),
                    project_id: project_id.clone(),
                    snapshot_id: id.clone(),
                });
            }
            FileKind::Metadata { project_id } => {
                if let Some(ps) = self.projects.get_mut(project_id) {
                    ps.meta = None;
                }
                self.update_project_record(project_id, false);
            }
            FileKind::Dashboard { project_id } => {
                if let Some(ps) = self.projects.get_mut(project_id) {
                    ps.v2_dashboard = None;
                }
                self.update_project_record(project_id, true);
            }
        }
    }

    /// A tracked file no longer exists.
    pub(super) fn forget(&mut self, path: &Path) {
        let Some(t) = self.files.remove(path) else {
            return;
        };
        if self.entries.remove(path).is_some() {
            self.cache_dirty = true;
        }
        let was_bad = !matches!(t.state, FileState::Good);
        match t.kind {
            FileKind::Snapshot { project_id, id } => {
                if t.has_good {
                    self.emit(IndexEvent::SnapshotRemoved {
                        path: path.to_path_buf(),
                        project_id,
                        snapshot_id: id,
                    });
                } else if was_bad {
                    self.emit(IndexEvent::Cleared {
                        path: path.to_path_buf(),
                    });
                }
            }
            FileKind::Metadata { project_id } => {
                if was_bad {
                    self.emit(IndexEvent::Cleared {
                        path: path.to_path_buf(),
                    });
                }
                if let Some(ps) = self.projects.get_mut(&project_id) {
                    ps.meta = None;
                }
                self.update_project_record(&project_id, false);
            }
            FileKind::Dashboard { project_id } => {
                if was_bad {
                    self.emit(IndexEvent::Cleared {
                        path: path.to_path_buf(),
                    });
                }
                if t.has_good {
                    if let Some(ps) = self.projects.get_mut(&project_id) {
                        ps.v2_dashboard = None;
                    }
                    self.update_project_record(&project_id, true);
                }
            }
        }
    }

    /// Rebuild a project's record and tell consumers when it changed (or
    /// always, with `force`: its dashboard changed).
    pub(super) fn update_project_record(&mut self, id: &str, force: bool) {
        let Some(ps) = self.projects.get_mut(id) else {
            return;
        };
        let changed = ps.rebuild(&self.opts.parse);
        if ps.announced && (changed || force) {
            let p = ps.project.clone();
            self.emit(IndexEvent::ProjectUpdated(p));
        }
    }

    // ---- pending files ----------------------------------------------------

    pub(super) fn settle(&self) -> Settle {
        Settle::new(self.opts.settle)
    }

    pub(super) fn next_deadline(&self) -> Option<Instant> {
        let settle = self.settle();
        self.files.values().filter_map(|t| settle.deadline(t)).min()
    }

    /// Retry pending files that changed, give a final attempt to those that settled.
    pub(super) fn process_due(&mut self, now: Instant) {
        let settle = self.settle();
        let due: Vec<Arc<Path>> = self
            .files
            .iter()
            .filter(|(_, t)| settle.deadline(t).is_some_and(|d| d <= now))
            .map(|(p, _)| p.clone())
            .collect();
        for path in due {
            if self.stopped() {
                return;
            }
            let Some(t) = self.files.get_mut(&*path) else {
                continue;
            };
            let kind = t.kind.clone();
            let Some(fp) = self.source.stat(&path) else {
                self.forget(&path);
                continue;
            };
            let Some(final_fp) = settle.attempt(t, fp, Instant::now()) else {
                continue;
            };
            let outcome = self.read(&path, &kind);
            self.record(&path, kind, outcome, final_fp);
        }
    }
}

/// Read and parse one snapshot file (any thread): what
/// [`Indexer::read_snapshot`] does, without the indexer. `listed`: its
/// fingerprint as just listed (the first scan), which spares asking for
/// its size again before it is opened.
#[allow(clippy::too_many_arguments)]
pub(super) fn read_snapshot_from(
    source: &Source,
    opts: &LiveOptions,
    stats: &Stats,
    path: &Path,
    project_id: &str,
    id: &str,
    listed: Option<Fingerprint>,
) -> Result<Good, Failure> {
    let too_big = match listed {
        Some(fp) => over_limit(fp, opts.max_file_size),
        None => too_large(source, path, opts.max_file_size),
    };
    if let Some(e) = too_big {
        return Err(e);
    }
    stats.parses.fetch_add(1, Ordering::Relaxed);
    index_one_file(source, path, project_id, id, &opts.parse).map(Good::Snapshot)
}
