//! The indexer thread: the first scan (cache first, then newest files
//! first on a parse pool), then the loop that turns watcher signals into
//! re-listings and re-reads, and every change into [`IndexEvent`]s. It owns
//! the tracked files and project records; one file at a time is handled in
//! [`super::tracking`], pending files follow the rules of
//! [`super::pending`]. A root that became another kind of folder (its
//! layout changed) is listed anew.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{select, Receiver, Sender};
use rayon::prelude::*;

use super::files::{Failure, FileKind, Good};
use super::handle::{LiveOptions, Stats};
use super::pending::{FileState, Tracked};
use super::project::ProjectState;
use super::source::{Listed, Source};
use super::tracking::read_snapshot_from;
use super::REMOTE_UNREACHABLE;
use crate::index::cache::{self, IndexCache};
use crate::index::catalog::{SnapshotEntry, Unreadable};
use crate::index::events::IndexEvent;
use crate::index::scan::{self, Layout, PathRole, ProjectDir, SnapshotFile};
use crate::index::watch::{WatchConfig, WatchMode, WatchSignal, Watcher};

/// The state owned by the background thread.
pub(super) struct Indexer {
    pub(super) root: PathBuf,
    pub(super) layout: Layout,
    pub(super) opts: LiveOptions,
    pub(super) tx: Sender<IndexEvent>,
    pub(super) stop: Arc<AtomicBool>,
    pub(super) stats: Arc<Stats>,
    pub(super) files: HashMap<Arc<Path>, Tracked>,
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
    pub(super) entries: HashMap<Arc<Path>, SnapshotEntry>,
    /// `entries` changed since the cache was last written.
    pub(super) cache_dirty: bool,
    /// Where the files come from: disk or a bucket.
    pub(super) source: Source,
    /// A bucket's first listing, taken when the index started.
    pub(super) first_listing: Option<Listed>,
    /// Polls of a bucket so far (every few is a full listing).
    pub(super) polls: u32,
    /// During the first scan: new snapshots held back to go out together
    /// (one event, one catalog merge, every 100 ms) rather than one by one.
    pub(super) added: Option<Vec<SnapshotEntry>>,
}

impl Indexer {
    pub(super) fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    pub(super) fn emit(&self, ev: IndexEvent) {
        if self.tx.send(ev).is_err() {
            // Nobody listens any more.
            self.stop.store(true, Ordering::Relaxed);
        }
    }

    /// Announce a new snapshot: at once, or with its batch in the first scan.
    pub(super) fn announce_added(&mut self, entry: SnapshotEntry) {
        match &mut self.added {
            Some(batch) => batch.push(entry),
            None => self.emit(IndexEvent::SnapshotAdded(entry)),
        }
    }

    /// Send the held-back new snapshots as one event, oldest run first.
    fn flush_added(&mut self) {
        let Some(batch) = &mut self.added else {
            return;
        };
        if batch.is_empty() {
            return;
        }
        let mut batch = std::mem::take(batch);
        batch.sort_by(|a, b| a.run_order().cmp(&b.run_order()));
        self.emit(IndexEvent::SnapshotsAdded(batch.into()));
    }

    pub(super) fn run(mut self, stop_rx: Receiver<()>, rescan_rx: Receiver<()>) {
        let cfg = WatchConfig {
            mode: self.opts.watch,
            poll_interval: self.opts.poll_interval,
            safety_interval: self.opts.safety_interval,
            ..WatchConfig::default()
        };
        // A bucket is polled: no native events exist for it.
        let remote = matches!(self.source, Source::Remote(..));
        let ticks = if remote && self.opts.watch != WatchMode::Off {
            crossbeam_channel::tick(self.opts.poll_interval)
        } else {
            crossbeam_channel::never()
        };
        let t0 = Instant::now();
        let cached = self.initial_scan();
        if self.stopped() {
            return;
        }
        // The watcher starts after the first scan: running during it, the
        // native one would hear each of the scan's own file opens (inotify
        // reports opens, and notify cannot be told not to), costing the
        // scan a few percent. What changed while the scan ran is found by
        // the rescan queued below, once the watcher runs.
        let started = if remote {
            Err(None)
        } else {
            Watcher::start(&self.root, cfg).map_err(Some)
        };
        let (watcher, mut signals) = match started {
            Ok((w, rx)) => (Some(w), rx),
            Err(None) => (None, crossbeam_channel::never()),
            Err(Some(e)) => {
                self.emit(IndexEvent::WatcherStatus {
                    mode: "off".into(),
                    message: Some(format!("cannot start the watcher thread: {e}")),
                });
                (None, crossbeam_channel::never())
            }
        };
        // Report the watch mode before the scan is declared finished.
        let mut queued = Vec::new();
        if remote {
            self.emit(if self.opts.watch == WatchMode::Off {
                IndexEvent::WatcherStatus {
                    mode: "off".into(),
                    message: None,
                }
            } else {
                self.poll_status()
            });
        }
        if watcher.is_some() {
            let deadline = Instant::now() + Duration::from_secs(2);
            let mut watching = true;
            while let Ok(sig) = signals.recv_deadline(deadline) {
                if let WatchSignal::Status { mode, message } = sig {
                    watching = mode != "off";
                    self.emit(IndexEvent::WatcherStatus { mode, message });
                    break;
                }
                queued.push(sig);
            }
            if watching {
                queued.push(WatchSignal::Rescan);
            }
        }
        tracing::debug!("first scan: finished");
        self.emit(IndexEvent::ScanFinished {
            elapsed_ms: u64::try_from(t0.elapsed().as_millis()).unwrap_or(u64::MAX),
        });
        // Consumers have all they need: only now track what came from the cache.
        self.adopt_cached(&cached);
        self.save_cache();
        crate::index::memory::return_free_memory();
        self.handle_signals(queued);

        while !self.stopped() {
            let now = Instant::now();
            let timeout = self
                .next_deadline()
                .map(|d| d.saturating_duration_since(now))
                .unwrap_or(Duration::from_secs(3600));
            let mut batch = Vec::new();
            let mut poll = false;
            select! {
                recv(stop_rx) -> _ => break,
                recv(rescan_rx) -> _ => batch.push(WatchSignal::Rescan),
                recv(ticks) -> _ => poll = true,
                recv(signals) -> sig => match sig {
                    Ok(sig) => batch.push(sig),
                    Err(_) => signals = crossbeam_channel::never(),
                },
                default(timeout) => {}
            }
            batch.extend(signals.try_iter());
            self.handle_signals(batch);
            if poll {
                self.poll_bucket();
            }
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

    /// The status of polling a bucket: its interval, or that it cannot be reached.
    fn poll_status(&self) -> IndexEvent {
        let secs = self.opts.poll_interval.as_secs_f64();
        let every = if secs.fract() == 0.0 {
            format!("{secs:.0}s")
        } else {
            format!("{secs}s")
        };
        let message = if self.scan_error.is_some() {
            format!("{REMOTE_UNREACHABLE}, retrying in {every}")
        } else {
            format!("polling every {every}")
        };
        IndexEvent::WatcherStatus {
            mode: "poll".into(),
            message: Some(message),
        }
    }

    /// List every project with its snapshot files. A failed listing
    /// (reported once, as the root being unreadable) gives `None`: what is
    /// known stays as it is. A bucket whose layout changed drops every
    /// project first, as [`Indexer::layout_changed`] does.
    fn list_all(&mut self) -> Option<Listed> {
        if let Some(first) = self.first_listing.take() {
            return Some(first);
        }
        match self.source.list(&self.root, self.layout) {
            Ok((layout, listed)) => {
                self.listing_succeeded();
                if let Some(layout) = layout {
                    let ids: Vec<String> = self.projects.keys().cloned().collect();
                    for id in ids {
                        self.remove_project(&id);
                    }
                    self.layout = layout;
                }
                Some(listed)
            }
            Err(e) => {
                self.listing_failed(&e);
                None
            }
        }
    }

    /// A listing of the root worked: clear its error, if it had one.
    pub(super) fn listing_succeeded(&mut self) {
        if self.scan_error.take().is_some() {
            self.emit(IndexEvent::Cleared {
                path: self.root.clone(),
            });
            if matches!(self.source, Source::Remote(..)) {
                self.emit(self.poll_status());
            }
        }
    }

    /// A listing of the root failed: report it once (the root unreadable);
    /// what is known stays as it is.
    pub(super) fn listing_failed(&mut self, e: &str) {
        let remote = matches!(self.source, Source::Remote(..));
        let reason = if remote {
            format!("cannot list the bucket: {e}")
        } else {
            format!("cannot list the folder: {e}")
        };
        if self.scan_error.as_deref() != Some(reason.as_str()) {
            let first = self.scan_error.is_none();
            self.emit(IndexEvent::Unreadable(Unreadable {
                path: self.root.clone(),
                project_id: None,
                reason: reason.clone(),
            }));
            self.scan_error = Some(reason);
            if remote && first {
                self.emit(self.poll_status());
            }
        }
    }

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
        let Some((dirs, problems)) = self.list_all() else {
            return Arc::new([]);
        };
        let mut files: Vec<SnapshotFile> = Vec::new();
        for (pd, listed) in dirs {
            files.extend(listed);
            self.sync_project_record(pd);
        }
        self.sync_problems(problems, None);
        let total = files.len();
        tracing::debug!(files = total, "first scan: listed");
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
            hits.sort_by(|a, b| a.run_order().cmp(&b.run_order()));
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
        let threads = match (self.opts.parse_threads, &self.source) {
            // Fetching waits on the network: as many as run at once.
            (0, Source::Remote(store, _)) => store.concurrency(),
            (0, Source::Disk) => std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2)
                .min(4),
            (n, _) => n,
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
        let Some(pool) = pool else {
            for f in &files {
                let outcome = self.read_snapshot(&f.path, &f.project_id, &f.id);
                self.record_snapshot(f, outcome);
            }
            return cached;
        };
        // The pool parses all files, newest first, without waiting for this
        // thread, which records each outcome as it arrives.
        let files: Arc<[SnapshotFile]> = files.into();
        let (tx, rx) = crossbeam_channel::bounded(threads * 8);
        {
            let (files, source, opts) = (files.clone(), self.source.clone(), self.opts);
            let (stats, stop) = (self.stats.clone(), self.stop.clone());
            pool.spawn(move || {
                // Taken one by one from the front (not split in halves), so
                // the newest are parsed first.
                (0..files.len()).par_bridge().for_each_with(tx, |tx, i| {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let f = &files[i];
                    let outcome = read_snapshot_from(
                        &source,
                        &opts,
                        &stats,
                        &f.path,
                        &f.project_id,
                        &f.id,
                        Some(f.fingerprint),
                    );
                    let _ = tx.send((i, outcome));
                });
            });
        }
        let mut last_progress = Instant::now();
        // Recorded (and so announced) in file order, newest first, whatever
        // order the threads finish in: an outcome waits for those before it.
        let mut early: BTreeMap<usize, Result<Good, Failure>> = BTreeMap::new();
        let mut next = 0;
        self.added = Some(Vec::new());
        for (i, outcome) in rx {
            if self.stopped() {
                self.added = None;
                return cached;
            }
            early.insert(i, outcome);
            while let Some(outcome) = early.remove(&next) {
                self.record_snapshot(&files[next], outcome);
                next += 1;
                done += 1;
            }
            if done == total || last_progress.elapsed() >= Duration::from_millis(100) {
                last_progress = Instant::now();
                self.flush_added();
                self.emit(IndexEvent::ScanProgress { done, total });
            }
        }
        self.flush_added();
        self.added = None;
        tracing::debug!(parsed = files.len(), "first scan: parsed");
        cached
    }

    /// Record the outcome of reading snapshot file `f` of the first scan.
    fn record_snapshot(&mut self, f: &SnapshotFile, outcome: Result<Good, Failure>) {
        let kind = FileKind::Snapshot {
            project_id: f.project_id.to_string(),
            id: f.id.clone(),
        };
        self.record(&f.path, kind, outcome, None);
    }

    /// Track cached entries already sent to consumers as good files, as
    /// [`Indexer::record`] would have (they are new paths: nothing to emit;
    /// they are in the cache already: it stays clean).
    fn adopt_cached(&mut self, entries: &[SnapshotEntry]) {
        let adopted = Instant::now();
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
                    read_at: adopted,
                    written: false,
                },
            );
            self.entries.insert(e.path.clone(), e.clone());
        }
    }

    /// Re-list everything and reconcile (poll tick, safety rescan, the
    /// root folder replaced).
    pub(super) fn rescan(&mut self) {
        // Whether or not it changed, everything is listed next.
        self.layout_changed();
        let Some((dirs, problems)) = self.list_all() else {
            return;
        };
        self.generation += 1;
        let mut present = BTreeSet::new();
        for (pd, files) in dirs {
            present.insert(pd.id.clone());
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

    /// Find the root's layout again; when it changed (the root replaced by
    /// another kind of folder, flat files where there were projects, ...)
    /// every project goes, as their paths mean something else now, and
    /// true is returned: everything must be listed again.
    fn layout_changed(&mut self) -> bool {
        // A bucket's listing finds its layout (`list_all`).
        if matches!(self.source, Source::Remote(..)) {
            return false;
        }
        let layout = scan::detect_layout(&self.root);
        if layout == self.layout {
            return false;
        }
        let ids: Vec<String> = self.projects.keys().cloned().collect();
        for id in ids {
            self.remove_project(&id);
        }
        self.layout = layout;
        true
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
                (scope.is_none() || u.project_id.as_deref() == scope) && !fresh.contains_key(*path)
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
            let fp = if has_meta {
                self.source.stat(&meta_path)
            } else {
                None
            };
            self.observe(
                &meta_path,
                FileKind::Metadata {
                    project_id: id.clone(),
                },
                fp,
            );
            let fp = if has_dash {
                self.source.stat(&dash_path)
            } else {
                None
            };
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
                project_id: f.project_id.to_string(),
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
        let missing: Vec<(Arc<Path>, FileKind)> = self
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
            let fp = self.source.stat(&path);
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

    /// Watcher says these paths may have changed. They come from native
    /// events, which mean a write: a tracked file with an event since it
    /// was last read is read again even if its fingerprint did not move.
    fn on_changed(&mut self, events: Vec<(PathBuf, Instant)>) {
        let mut paths = Vec::with_capacity(events.len());
        for (path, at) in events {
            if let Some(t) = self.files.get_mut(path.as_path()) {
                t.saw_event(at);
            }
            paths.push(path);
        }
        // Something at the top of the root came or went: it may be another
        // kind of folder now (not for one more snapshot of a flat folder).
        let flat = self.layout == Layout::Flat;
        let top_level = paths.iter().any(|p| {
            p == &self.root
                || p.parent() == Some(self.root.as_path())
                    && !(flat && p.file_name().and_then(scan::snapshot_id_in_flat).is_some())
        });
        if top_level && self.layout_changed() {
            self.rescan();
            return;
        }
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
            let fp = self.source.stat(&path);
            self.observe(&path, kind, fp);
        }
    }
}
