//! The indexer thread: the first scan (cache first, then newest files
//! first on a parse pool), then the loop that turns watcher signals into
//! re-listings and re-reads, and every change into [`IndexEvent`]s. It owns
//! the tracked files and project records; pending files follow the rules of
//! [`super::pending`].

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{select, Receiver, Sender};
use rayon::prelude::*;

use super::files::{
    index_one_file, read_dashboard, read_metadata, stat, too_large, Failure, FileKind, Good,
};
use super::handle::{LiveOptions, Stats};
use super::pending::{FileState, Settle, Tracked};
use super::project::ProjectState;
use crate::index::cache::{self, IndexCache};
use crate::index::catalog::{Fingerprint, SnapshotEntry, Unreadable};
use crate::index::events::IndexEvent;
use crate::index::scan::{self, Layout, PathRole, ProjectDir, SnapshotFile};
use crate::index::watch::{WatchConfig, WatchSignal, Watcher};
use crate::parse::ProjectMeta;

/// The state owned by the background thread.
pub(super) struct Indexer {
    pub(super) root: PathBuf,
    pub(super) layout: Layout,
    pub(super) opts: LiveOptions,
    pub(super) tx: Sender<IndexEvent>,
    pub(super) stop: Arc<AtomicBool>,
    pub(super) stats: Arc<Stats>,
    pub(super) files: HashMap<PathBuf, Tracked>,
    pub(super) projects: HashMap<String, ProjectState>,
    /// Listing problems reported as unreadable, by path.
    pub(super) problems: HashMap<PathBuf, Unreadable>,
    /// The last error listing the root, if the root is currently unreadable.
    pub(super) scan_error: Option<String>,
    /// Incremented for every listing; files seen by it are marked with it.
    pub(super) generation: u64,
    /// Where the index cache is kept (`None`: no cache).
    pub(super) cache_dir: Option<PathBuf>,
    /// The good snapshot entries by path (kept only with a cache, to write it).
    pub(super) entries: HashMap<PathBuf, SnapshotEntry>,
    /// `entries` changed since the cache was last written.
    pub(super) cache_dirty: bool,
}

impl Indexer {
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    fn emit(&self, ev: IndexEvent) {
        if self.tx.send(ev).is_err() {
            // Nobody listens any more.
            self.stop.store(true, Ordering::Relaxed);
        }
    }

    pub(super) fn run(mut self, stop_rx: Receiver<()>, rescan_rx: Receiver<()>) {
        let cfg = WatchConfig {
            mode: self.opts.watch,
            poll_interval: self.opts.poll_interval,
            safety_interval: self.opts.safety_interval,
            ..WatchConfig::default()
        };
        // Watch first, so nothing written during the scan is missed.
        let (watcher, mut signals) = match Watcher::start(&self.root, cfg) {
            Ok((w, rx)) => (Some(w), rx),
            Err(e) => {
                self.emit(IndexEvent::WatcherStatus {
                    mode: "off".into(),
                    message: Some(format!("cannot start the watcher thread: {e}")),
                });
                (None, crossbeam_channel::never())
            }
        };
        let t0 = Instant::now();
        let cached = self.initial_scan();
        if self.stopped() {
            return;
        }
        // Report the watch mode before the scan is declared finished.
        let mut queued = Vec::new();
        if watcher.is_some() {
            let deadline = Instant::now() + Duration::from_secs(2);
            while let Ok(sig) = signals.recv_deadline(deadline) {
                if let WatchSignal::Status { mode, message } = sig {
                    self.emit(IndexEvent::WatcherStatus { mode, message });
                    break;
                }
                queued.push(sig);
            }
        }
        self.emit(IndexEvent::ScanFinished {
            elapsed_ms: u64::try_from(t0.elapsed().as_millis()).unwrap_or(u64::MAX),
        });
        // Consumers have all they need: only now track what came from the cache.
        self.adopt_cached(&cached);
        self.save_cache();
        self.handle_signals(queued);

        while !self.stopped() {
            let now = Instant::now();
            let timeout = self
                .next_deadline()
                .map(|d| d.saturating_duration_since(now))
                .unwrap_or(Duration::from_secs(3600));
            let mut batch = Vec::new();
            select! {
                recv(stop_rx) -> _ => break,
                recv(rescan_rx) -> _ => batch.push(WatchSignal::Rescan),
                recv(signals) -> sig => match sig {
                    Ok(sig) => batch.push(sig),
                    Err(_) => signals = crossbeam_channel::never(),
                },
                default(timeout) => {}
            }
            batch.extend(signals.try_iter());
            self.handle_signals(batch);
            self.process_due(Instant::now());
        }
        drop(watcher);
        self.save_cache();
    }

    /// Write the index cache when it is enabled and out of date.
    fn save_cache(&mut self) {
        let Some(dir) = &self.cache_dir else { return };
        if !self.cache_dirty {
            return;
        }
        match cache::save(dir, &self.root, &self.opts.parse, self.entries.values()) {
            Ok(file) => {
                self.cache_dirty = false;
                tracing::debug!(file = %file.display(), "index cache written");
            }
            Err(e) => tracing::info!("index cache not written: {e}"),
        }
    }

    fn handle_signals(&mut self, batch: Vec<WatchSignal>) {
        let mut rescan = false;
        let mut changed = Vec::new();
        for sig in batch {
            match sig {
                WatchSignal::Changed(paths) => changed.extend(paths),
                WatchSignal::Rescan => rescan = true,
                WatchSignal::Status { mode, message } => {
                    self.emit(IndexEvent::WatcherStatus { mode, message })
                }
            }
        }
        if rescan {
            self.rescan();
        } else if !changed.is_empty() {
            self.on_changed(changed);
        }
    }

    // ---- scanning -------------------------------------------------------

    fn list_projects(&mut self) -> Option<(Vec<ProjectDir>, Vec<Unreadable>)> {
        match scan::project_dirs(&self.root, self.layout) {
            Ok(x) => {
                if self.scan_error.take().is_some() {
                    self.emit(IndexEvent::Cleared {
                        path: self.root.clone(),
                    });
                }
                Some(x)
            }
            Err(e) => {
                let reason = format!("cannot list the folder: {e}");
                if self.scan_error.as_deref() != Some(reason.as_str()) {
                    self.emit(IndexEvent::Unreadable(Unreadable {
                        path: self.root.clone(),
                        project_id: None,
                        reason: reason.clone(),
                    }));
                    self.scan_error = Some(reason);
                }
                None
            }
        }
    }

    /// The first scan. Returns the entries sent from the cache, still to be
    /// tracked with [`Indexer::adopt_cached`] (after the scan is declared
    /// finished, so consumers need not wait for that bookkeeping).
    fn initial_scan(&mut self) -> Arc<[SnapshotEntry]> {
        // The cache loads on its own thread while the folder is listed.
        let loading = self.cache_dir.clone().and_then(|dir| {
            let (root, opts) = (self.root.clone(), self.opts.parse);
            std::thread::Builder::new()
                .name("snapscope-cache".into())
                .spawn(move || IndexCache::load(&dir, &root, &opts))
                .ok()
        });
        let Some((dirs, mut problems)) = self.list_projects() else {
            return Arc::new([]);
        };
        let mut files: Vec<SnapshotFile> = Vec::new();
        for pd in dirs {
            files.extend(scan::snapshot_files(&pd, self.layout, &mut problems));
            self.sync_project_record(pd);
        }
        self.sync_problems(problems, None);
        let total = files.len();
        // Files the cache knows unchanged are sent first, in one event, in
        // time order (cheap for consumers to insert); then the rest is parsed.
        let mut done = 0;
        let mut cached: Arc<[SnapshotEntry]> = Arc::new([]);
        if let Some(dir) = &self.cache_dir {
            let mut cache = match loading {
                Some(thread) => thread.join().unwrap_or_default(),
                None => IndexCache::load(dir, &self.root, &self.opts.parse),
            };
            let had_cache = !cache.is_empty();
            let (mut hits, found) = cache::take_listed(&mut cache, &files);
            let mut listed = found.iter();
            files.retain(|_| listed.next() != Some(&true));
            // Saved oldest first already (this costs one pass then).
            hits.sort_by(|a, b| {
                (a.snapshot.timestamp, &a.snapshot.id).cmp(&(b.snapshot.timestamp, &b.snapshot.id))
            });
            done = hits.len();
            cached = hits.into();
            if !cached.is_empty() {
                self.emit(IndexEvent::SnapshotsAdded(cached.clone()));
            }
            // Stale leftovers, files to parse or no cache yet: write it after the scan.
            self.cache_dirty = !cache.is_empty() || !files.is_empty() || !had_cache;
        }
        // Newest first: file mtime stands in for the run time until parsed.
        files.sort_by_key(|f| std::cmp::Reverse(f.fingerprint.mtime));
        self.emit(IndexEvent::ScanProgress { done, total });
        let threads = match self.opts.parse_threads {
            0 => std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2)
                .min(4),
            n => n,
        };
        let pool = (!files.is_empty())
            .then(|| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .thread_name(|i| format!("snapscope-parse-{i}"))
                    .build()
                    .ok()
            })
            .flatten();
        let mut last_progress = Instant::now();
        let mut chunk_len = threads;
        let mut rest: &[SnapshotFile] = &files;
        while !rest.is_empty() {
            if self.stopped() {
                return cached;
            }
            let (chunk, tail) = rest.split_at(chunk_len.min(rest.len()));
            rest = tail;
            chunk_len = threads * 4;
            let read = |f: &SnapshotFile| self.read_snapshot(&f.path, &f.project_id, &f.id);
            let outcomes: Vec<Result<Good, Failure>> = match &pool {
                Some(pool) => pool.install(|| chunk.par_iter().map(read).collect()),
                None => chunk.iter().map(read).collect(),
            };
            for (f, outcome) in chunk.iter().zip(outcomes) {
                let kind = FileKind::Snapshot {
                    project_id: f.project_id.clone(),
                    id: f.id.clone(),
                };
                self.record(&f.path, kind, outcome, None);
            }
            done += chunk.len();
            if done == total || last_progress.elapsed() >= Duration::from_millis(100) {
                last_progress = Instant::now();
                self.emit(IndexEvent::ScanProgress { done, total });
            }
        }
        cached
    }

    /// Track cached entries already sent to consumers as good files, as
    /// [`Indexer::record`] would have (they are new paths: nothing to emit;
    /// they are in the cache already: it stays clean).
    fn adopt_cached(&mut self, entries: &[SnapshotEntry]) {
        self.files.reserve(entries.len());
        self.entries.reserve(entries.len());
        for e in entries {
            self.files.insert(
                e.path.clone(),
                Tracked {
                    kind: FileKind::Snapshot {
                        project_id: e.snapshot.project_id.clone(),
                        id: e.snapshot.id.clone(),
                    },
                    seen: e.fingerprint,
                    has_good: true,
                    state: FileState::Good,
                    listed: self.generation,
                },
            );
            self.entries.insert(e.path.clone(), e.clone());
        }
    }

    /// Re-list everything and reconcile (poll tick or safety rescan).
    fn rescan(&mut self) {
        let Some((dirs, mut problems)) = self.list_projects() else {
            return;
        };
        self.generation += 1;
        let mut present = BTreeSet::new();
        for pd in dirs {
            present.insert(pd.id.clone());
            let files = scan::snapshot_files(&pd, self.layout, &mut problems);
            self.sync_project(pd, files);
        }
        let gone: Vec<String> = self
            .projects
            .keys()
            .filter(|id| !present.contains(*id))
            .cloned()
            .collect();
        for id in gone {
            self.remove_project(&id);
        }
        self.confirm_missing(None);
        self.sync_problems(problems, None);
    }

    /// Re-list one project folder (created, removed, renamed, or a file of
    /// a project not known yet).
    fn relist_project(&mut self, id: &str) {
        let Some((dirs, problems)) = self.list_projects() else {
            return;
        };
        let mut problems: Vec<Unreadable> = problems
            .into_iter()
            .filter(|p| p.project_id.as_deref() == Some(id))
            .collect();
        match dirs.into_iter().find(|d| d.id == id) {
            Some(pd) => {
                self.generation += 1;
                let files = scan::snapshot_files(&pd, self.layout, &mut problems);
                self.sync_project(pd, files);
                self.confirm_missing(Some(id));
            }
            None => {
                if self.projects.contains_key(id) {
                    self.remove_project(id);
                }
            }
        }
        self.sync_problems(problems, Some(id));
    }

    /// Report new listing problems, clear the ones that went away
    /// (only those of project `scope`, when given).
    fn sync_problems(&mut self, problems: Vec<Unreadable>, scope: Option<&str>) {
        let fresh: HashMap<PathBuf, Unreadable> =
            problems.into_iter().map(|p| (p.path.clone(), p)).collect();
        let stale: Vec<PathBuf> = self
            .problems
            .iter()
            .filter(|(path, u)| {
                scope.is_none() || u.project_id.as_deref() == scope && !fresh.contains_key(*path)
            })
            .map(|(p, _)| p.clone())
            .collect();
        for path in stale {
            self.problems.remove(&path);
            self.emit(IndexEvent::Cleared { path });
        }
        for (path, u) in fresh {
            if self.problems.get(&path) != Some(&u) {
                self.emit(IndexEvent::Unreadable(u.clone()));
                self.problems.insert(path, u);
            }
        }
    }

    /// Make sure the project is known and its record is current; announces it once.
    fn sync_project_record(&mut self, pd: ProjectDir) {
        let id = pd.id.clone();
        let meta_path = pd.folder.join("metadata.json");
        let dash_path = pd.folder.join("dashboard.json");
        let has_meta = pd.metadata.is_some();
        let has_dash = pd.dashboard.is_some();
        match self.projects.get_mut(&id) {
            Some(ps) => ps.dir = pd,
            None => {
                let ps = ProjectState::new(pd, &self.opts.parse);
                self.projects.insert(id.clone(), ps);
            }
        }
        if self.layout != Layout::Flat {
            let fp = if has_meta { stat(&meta_path) } else { None };
            self.observe(
                &meta_path,
                FileKind::Metadata {
                    project_id: id.clone(),
                },
                fp,
            );
            let fp = if has_dash { stat(&dash_path) } else { None };
            self.observe(
                &dash_path,
                FileKind::Dashboard {
                    project_id: id.clone(),
                },
                fp,
            );
        }
        if let Some(ps) = self.projects.get_mut(&id) {
            if !ps.announced {
                ps.announced = true;
                let p = ps.project.clone();
                self.emit(IndexEvent::ProjectAdded(p));
            }
        }
    }

    /// Reconcile one project with a fresh listing of its snapshot files (the
    /// files get marked with the current generation).
    fn sync_project(&mut self, pd: ProjectDir, files: Vec<SnapshotFile>) {
        self.sync_project_record(pd);
        for f in files {
            let kind = FileKind::Snapshot {
                project_id: f.project_id,
                id: f.id,
            };
            self.observe(&f.path, kind, Some(f.fingerprint));
        }
    }

    /// Tracked snapshot files (of project `scope`, or all) that the current
    /// listing did not return: confirm each one with a stat, since a listing
    /// can fail part-way.
    fn confirm_missing(&mut self, scope: Option<&str>) {
        let gen = self.generation;
        let missing: Vec<(PathBuf, FileKind)> = self
            .files
            .iter()
            .filter(|(_, t)| {
                t.listed != gen
                    && matches!(t.kind, FileKind::Snapshot { .. })
                    && (scope.is_none() || Some(t.kind.project_id()) == scope)
            })
            .map(|(p, t)| (p.clone(), t.kind.clone()))
            .collect();
        for (path, kind) in missing {
            let fp = stat(&path);
            self.observe(&path, kind, fp);
        }
    }

    fn remove_project(&mut self, id: &str) {
        if self.projects.remove(id).is_none() {
            return;
        }
        self.files.retain(|_, t| t.kind.project_id() != id);
        let before = self.entries.len();
        self.entries.retain(|_, e| e.snapshot.project_id != id);
        self.cache_dirty |= self.entries.len() != before;
        self.problems
            .retain(|_, u| u.project_id.as_deref() != Some(id));
        self.emit(IndexEvent::ProjectRemoved {
            project_id: id.to_string(),
        });
    }

    /// Watcher says these paths may have changed.
    fn on_changed(&mut self, paths: Vec<PathBuf>) {
        let mut relist: BTreeSet<String> = BTreeSet::new();
        let mut direct: Vec<(PathBuf, FileKind)> = Vec::new();
        for path in paths {
            match scan::classify(&self.root, self.layout, &path) {
                PathRole::Snapshot { project_id, id } => {
                    if self.projects.contains_key(&project_id) {
                        direct.push((path, FileKind::Snapshot { project_id, id }));
                    } else {
                        relist.insert(project_id);
                    }
                }
                PathRole::Dashboard { project_id } if self.projects.contains_key(&project_id) => {
                    direct.push((path, FileKind::Dashboard { project_id }));
                }
                PathRole::ProjectMetadata { project_id }
                | PathRole::Dashboard { project_id }
                | PathRole::ProjectFolder { project_id } => {
                    relist.insert(project_id);
                }
                PathRole::Ignored => {}
            }
        }
        // A project whose folder vanished goes as a whole, not file by file.
        let touched: BTreeSet<String> = direct
            .iter()
            .map(|(_, k)| k.project_id().to_string())
            .collect();
        for id in touched {
            let folder_gone = self
                .projects
                .get(&id)
                .is_some_and(|ps| !ps.dir.folder.is_dir());
            if folder_gone {
                relist.insert(id);
            }
        }
        for id in &relist {
            if self.stopped() {
                return;
            }
            self.relist_project(id);
        }
        for (path, kind) in direct {
            if relist.contains(kind.project_id()) {
                continue;
            }
            let fp = stat(&path);
            self.observe(&path, kind, fp);
        }
    }

    // ---- one file ---------------------------------------------------------

    fn read_snapshot(&self, path: &Path, project_id: &str, id: &str) -> Result<Good, Failure> {
        if let Some(e) = too_large(path, self.opts.max_file_size) {
            return Err(e);
        }
        self.stats.parses.fetch_add(1, Ordering::Relaxed);
        index_one_file(path, project_id, id, &self.opts.parse).map(Good::Snapshot)
    }

    fn read(&self, path: &Path, kind: &FileKind) -> Result<Good, Failure> {
        match kind {
            FileKind::Snapshot { project_id, id } => self.read_snapshot(path, project_id, id),
            FileKind::Metadata { .. } => read_metadata(path).map(|(m, fp)| Good::Metadata(m, fp)),
            FileKind::Dashboard { .. } => {
                read_dashboard(path).map(|(fp, d)| Good::Dashboard(fp, d))
            }
        }
    }

    /// A file was seen with fingerprint `fp` (`None`: it does not exist).
    fn observe(&mut self, path: &Path, kind: FileKind, fp: Option<Fingerprint>) {
        let Some(fp) = fp else {
            self.forget(path);
            return;
        };
        if let Some(t) = self.files.get_mut(path) {
            t.listed = self.generation;
            if t.seen == fp {
                return; // unchanged: never parsed again
            }
            if let FileState::Pending { stable_since, .. } = &mut t.state {
                // Still moving: retried by `process_due` (at most once per retry gap).
                t.seen = fp;
                *stable_since = Instant::now();
                return;
            }
        }
        let outcome = self.read(path, &kind);
        self.record(path, kind, outcome, None);
    }

    /// Apply the outcome of reading a file. `final_fp`: this was the final
    /// attempt for a file that had settled with that fingerprint.
    fn record(
        &mut self,
        path: &Path,
        kind: FileKind,
        outcome: Result<Good, Failure>,
        final_fp: Option<Fingerprint>,
    ) {
        let now = Instant::now();
        let prev = self.files.get(path).cloned();
        let had_good = prev.as_ref().is_some_and(|t| t.has_good);
        let was_unreadable = prev
            .as_ref()
            .is_some_and(|t| matches!(t.state, FileState::Unreadable));
        match outcome {
            Ok(good) => {
                self.files.insert(
                    path.to_path_buf(),
                    Tracked {
                        kind: kind.clone(),
                        seen: good.fingerprint(),
                        has_good: true,
                        state: FileState::Good,
                        listed: self.generation,
                    },
                );
                match good {
                    Good::Snapshot(entry) => {
                        if self.cache_dir.is_some() {
                            self.entries.insert(path.to_path_buf(), entry.clone());
                            self.cache_dirty = true;
                        }
                        self.emit(if had_good {
                            IndexEvent::SnapshotUpdated(entry)
                        } else {
                            IndexEvent::SnapshotAdded(entry)
                        })
                    }
                    Good::Metadata(meta, _) => {
                        if was_unreadable {
                            self.emit(IndexEvent::Cleared {
                                path: path.to_path_buf(),
                            });
                        }
                        self.update_project_record(kind.project_id(), Some(&meta), false);
                    }
                    Good::Dashboard(_, dashboard) => {
                        if was_unreadable {
                            self.emit(IndexEvent::Cleared {
                                path: path.to_path_buf(),
                            });
                        }
                        if let Some(ps) = self.projects.get_mut(kind.project_id()) {
                            ps.v2_dashboard = dashboard;
                        }
                        // The dashboard changed: consumers reload it.
                        self.update_project_record(kind.project_id(), None, true);
                    }
                }
            }
            Err(e) if e.gone => self.forget(path),
            Err(e) => {
                let fp =
                    e.fp.or(prev.as_ref().map(|t| t.seen))
                        .unwrap_or(Fingerprint {
                            len: 0,
                            mtime: None,
                        });
                let (state, newly_pending) =
                    self.settle()
                        .after_failure(prev.as_ref(), fp, e.incomplete, final_fp, now);
                match state {
                    FileState::Pending { .. } if newly_pending => self.emit(IndexEvent::Pending {
                        path: path.to_path_buf(),
                        reason: e.reason.clone(),
                    }),
                    FileState::Unreadable => self.emit(IndexEvent::Unreadable(Unreadable {
                        path: path.to_path_buf(),
                        project_id: Some(kind.project_id().to_string()),
                        reason: e.reason.clone(),
                    })),
                    _ => {}
                }
                self.files.insert(
                    path.to_path_buf(),
                    Tracked {
                        kind,
                        seen: fp,
                        has_good: had_good,
                        state,
                        listed: self.generation,
                    },
                );
            }
        }
    }

    /// A tracked file no longer exists.
    fn forget(&mut self, path: &Path) {
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
                self.update_project_record(&project_id, None, false);
            }
            FileKind::Dashboard { project_id } => {
                if was_bad {
                    self.emit(IndexEvent::Cleared {
                        path: path.to_path_buf(),
                    });
                }
                if t.has_good {
                    self.update_project_record(&project_id, None, true);
                }
            }
        }
    }

    /// Rebuild a project's record from `meta` (`None`: keep the metadata-derived
    /// fields unless metadata.json is gone) and tell consumers when it changed.
    fn update_project_record(&mut self, id: &str, meta: Option<&ProjectMeta>, force: bool) {
        let meta_tracked_good = self
            .files
            .get(&self.root_or_folder(id).join("metadata.json"))
            .is_some_and(|t| t.has_good);
        let Some(ps) = self.projects.get_mut(id) else {
            return;
        };
        let changed = ps.rebuild(meta, meta_tracked_good, &self.opts.parse);
        if ps.announced && (changed || force) {
            let p = ps.project.clone();
            self.emit(IndexEvent::ProjectUpdated(p));
        }
    }

    fn root_or_folder(&self, id: &str) -> PathBuf {
        self.projects
            .get(id)
            .map(|ps| ps.dir.folder.clone())
            .unwrap_or_else(|| self.root.clone())
    }

    // ---- pending files ----------------------------------------------------

    fn settle(&self) -> Settle {
        Settle::new(self.opts.settle)
    }

    fn next_deadline(&self) -> Option<Instant> {
        let settle = self.settle();
        self.files.values().filter_map(|t| settle.deadline(t)).min()
    }

    /// Retry pending files that changed, give a final attempt to those that settled.
    fn process_due(&mut self, now: Instant) {
        let settle = self.settle();
        let due: Vec<PathBuf> = self
            .files
            .iter()
            .filter(|(_, t)| settle.deadline(t).is_some_and(|d| d <= now))
            .map(|(p, _)| p.clone())
            .collect();
        for path in due {
            if self.stopped() {
                return;
            }
            let Some(t) = self.files.get_mut(&path) else {
                continue;
            };
            let kind = t.kind.clone();
            let Some(fp) = stat(&path) else {
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
