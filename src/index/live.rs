//! The live index: a background thread that scans a workspace, then keeps it
//! up to date from watcher signals, and tells consumers what changed through
//! a channel of [`IndexEvent`]s. It owns all disk access; consumers never wait
//! on disk.
//!
//! Files are keyed by path with a (size, mtime) [`Fingerprint`]; a file whose
//! fingerprint did not change is never parsed again. A file that fails to
//! parse while it may still be being written (empty, truncated, or modified
//! within the settle time) is *pending*: it is retried when it changes, and
//! once its fingerprint has stayed still for the settle time it gets a final
//! attempt, after which it is reported unreadable. A good snapshot that is
//! being rewritten keeps its last good entry until the new content parses.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use crossbeam_channel::{select, Receiver, Sender};
use rayon::prelude::*;

use crate::index;
use crate::index::cache::{self, IndexCache};
use crate::index::catalog::{Fingerprint, SnapshotEntry, Unreadable};
use crate::index::events::IndexEvent;
use crate::index::scan::{self, Layout, PathRole, ProjectDir, SnapshotFile};
use crate::index::watch::{WatchConfig, WatchMode, WatchSignal, Watcher};
use crate::model::dashboard::Dashboard;
use crate::model::Project;
use crate::parse::{self, ParseError, ParseOptions, ProjectMeta};

/// Settings of the live index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveOptions {
    /// How snapshots are parsed (time zone for naive timestamps).
    pub parse: ParseOptions,
    /// How the folder is watched after the first scan.
    pub watch: WatchMode,
    /// Interval between rescans in poll mode (and after falling back to polling).
    pub poll_interval: Duration,
    /// How long a broken file's size and mtime must stay still before it is
    /// reported unreadable.
    pub settle: Duration,
    /// Interval between safety rescans when the native watcher is used in auto mode.
    pub safety_interval: Duration,
    /// Threads parsing the first scan; 0 = number of CPUs, at most 4.
    pub parse_threads: usize,
    /// Snapshot files larger than this many bytes are reported unreadable, unread.
    pub max_file_size: u64,
    /// Start from the persistent index cache ([`crate::index::cache`]): files whose
    /// size and mtime match it are not parsed, and are sent first, in one
    /// [`IndexEvent::SnapshotsAdded`]. The cache is written after the first
    /// scan and on exit.
    pub use_cache: bool,
}

impl Default for LiveOptions {
    fn default() -> Self {
        LiveOptions {
            parse: ParseOptions::default(),
            watch: WatchMode::Auto,
            poll_interval: Duration::from_secs(2),
            settle: Duration::from_secs(1),
            safety_interval: Duration::from_secs(30),
            parse_threads: 0,
            max_file_size: index::DEFAULT_MAX_FILE_SIZE,
            use_cache: false,
        }
    }
}

/// Why the live index could not start.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    #[error("{path}: {source}")]
    Root {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}: not a folder")]
    NotADirectory(String),
    #[error("cannot start the indexing thread: {0}")]
    Spawn(#[source] std::io::Error),
}

/// Counters shared with the background thread.
#[derive(Debug, Default)]
struct Stats {
    parses: AtomicU64,
}

/// Handle to a running live index. Dropping it (or calling [`LiveIndex::stop`])
/// ends the background threads promptly.
pub struct LiveIndex {
    rescan_tx: Sender<()>,
    stop_flag: Arc<AtomicBool>,
    stop_tx: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
    stats: Arc<Stats>,
    root: PathBuf,
}

/// Reads and parses one snapshot file (injectable for tests).
type SnapshotReader = fn(&Path, &str, &str, &ParseOptions) -> Result<SnapshotEntry, FileError>;

impl LiveIndex {
    /// Start indexing and watching `root`. Events arrive on the returned
    /// channel: projects first, then (with the cache) the cached snapshots in
    /// one [`IndexEvent::SnapshotsAdded`], then the other snapshots newest
    /// first (by file mtime) with [`IndexEvent::ScanProgress`], then
    /// [`IndexEvent::ScanFinished`], then changes as they happen.
    pub fn start(
        root: &Path,
        opts: LiveOptions,
    ) -> Result<(LiveIndex, Receiver<IndexEvent>), LiveError> {
        let cache_dir = opts.use_cache.then(cache::default_dir);
        LiveIndex::start_with(root, opts, index_one_file, cache_dir)
    }

    /// [`LiveIndex::start`] with the index cache kept in `cache_dir`
    /// (`None`: no cache, whatever `opts.use_cache` says).
    pub fn start_with_cache_dir(
        root: &Path,
        opts: LiveOptions,
        cache_dir: Option<PathBuf>,
    ) -> Result<(LiveIndex, Receiver<IndexEvent>), LiveError> {
        LiveIndex::start_with(root, opts, index_one_file, cache_dir)
    }

    fn start_with(
        root: &Path,
        opts: LiveOptions,
        reader: SnapshotReader,
        cache_dir: Option<PathBuf>,
    ) -> Result<(LiveIndex, Receiver<IndexEvent>), LiveError> {
        let root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
        let meta = fs::metadata(&root).map_err(|source| LiveError::Root {
            path: root.display().to_string(),
            source,
        })?;
        if !meta.is_dir() {
            return Err(LiveError::NotADirectory(root.display().to_string()));
        }
        let (tx, rx) = crossbeam_channel::unbounded();
        let (stop_tx, stop_rx) = crossbeam_channel::bounded::<()>(0);
        let (rescan_tx, rescan_rx) = crossbeam_channel::bounded::<()>(1);
        let stop_flag = Arc::new(AtomicBool::new(false));
        let stats = Arc::new(Stats::default());
        let indexer = Indexer {
            layout: scan::detect_layout(&root),
            root: root.clone(),
            opts,
            tx,
            stop: stop_flag.clone(),
            stats: stats.clone(),
            reader,
            files: HashMap::new(),
            projects: HashMap::new(),
            problems: HashMap::new(),
            scan_error: None,
            generation: 0,
            cache_dir,
            entries: HashMap::new(),
            cache_dirty: false,
        };
        let thread = std::thread::Builder::new()
            .name("snapscope-index".into())
            .spawn(move || indexer.run(stop_rx, rescan_rx))
            .map_err(LiveError::Spawn)?;
        Ok((
            LiveIndex {
                rescan_tx,
                stop_flag,
                stop_tx: Some(stop_tx),
                thread: Some(thread),
                stats,
                root,
            },
            rx,
        ))
    }

    /// The folder being indexed (absolute).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// How many times a snapshot file has been read and parsed so far.
    pub fn parse_count(&self) -> u64 {
        self.stats.parses.load(Ordering::Relaxed)
    }

    /// A function that asks for a full rescan (re-list, compare fingerprints,
    /// parse what changed). Cheap and non-blocking; repeated requests merge.
    pub fn rescan_handle(&self) -> impl Fn() + Send + 'static {
        let tx = self.rescan_tx.clone();
        move || {
            let _ = tx.try_send(());
        }
    }

    /// Stop the background threads and wait for them to end.
    pub fn stop(mut self) {
        self.signal_stop();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    fn signal_stop(&mut self) {
        self.stop_flag.store(true, Ordering::Relaxed);
        drop(self.stop_tx.take());
    }
}

impl Drop for LiveIndex {
    fn drop(&mut self) {
        // Never block the consumer: the thread notices and ends on its own.
        self.signal_stop();
    }
}

/// Why one file could not be indexed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileError {
    /// One-line reason.
    reason: String,
    /// Typical of a file still being written (empty, truncated, changed while read).
    incomplete: bool,
    /// The file no longer exists.
    gone: bool,
    /// Fingerprint of the file as read, when it could be taken.
    fp: Option<Fingerprint>,
}

impl FileError {
    fn gone() -> FileError {
        FileError {
            reason: "file is gone".into(),
            incomplete: false,
            gone: true,
            fp: None,
        }
    }

    fn parse(e: &ParseError, fp: Fingerprint) -> FileError {
        FileError {
            reason: e.to_string(),
            incomplete: e.is_incomplete(),
            gone: false,
            fp: Some(fp),
        }
    }
}

/// Read a whole file (up to the size limit) with the fingerprint it had once read.
fn read_file(path: &Path, bytes: &mut Vec<u8>) -> Result<Fingerprint, FileError> {
    index::read_limited_into(path, index::DEFAULT_MAX_FILE_SIZE, bytes).map_err(|e| match e {
        index::FileError::Io(io) if io.kind() == std::io::ErrorKind::NotFound => FileError::gone(),
        index::FileError::Changed(fp) => FileError {
            reason: e.to_string(),
            incomplete: true,
            gone: false,
            fp: Some(fp),
        },
        other => FileError {
            reason: other.to_string(),
            incomplete: other.is_incomplete(),
            gone: false,
            fp: stat(path),
        },
    })
}

/// The error for a snapshot file over `limit` bytes (checked before reading it).
fn too_large(path: &Path, limit: u64) -> Option<FileError> {
    let fp = stat(path)?;
    (fp.len > limit).then(|| FileError {
        reason: ParseError::TooLarge {
            size: fp.len,
            limit,
        }
        .to_string(),
        incomplete: false,
        gone: false,
        fp: Some(fp),
    })
}

/// Read and parse one snapshot file into an index entry.
fn index_one_file(
    path: &Path,
    project_id: &str,
    id: &str,
    opts: &ParseOptions,
) -> Result<SnapshotEntry, FileError> {
    let (snapshot, fp) = index::with_read_buffer(|bytes| {
        let fp = read_file(path, bytes)?;
        parse::parse_snapshot(bytes, id, project_id, opts)
            .map(|s| (s, fp))
            .map_err(|e| FileError::parse(&e, fp))
    })?;
    Ok(SnapshotEntry {
        path: path.to_path_buf(),
        fingerprint: fp,
        snapshot: Arc::new(snapshot),
    })
}

fn read_metadata(path: &Path) -> Result<(ProjectMeta, Fingerprint), FileError> {
    let mut bytes = Vec::new();
    let fp = read_file(path, &mut bytes)?;
    let meta = parse::parse_project_metadata(&bytes).map_err(|e| FileError::parse(&e, fp))?;
    Ok((meta, fp))
}

/// Read a v2 `dashboard.json`: it must be complete JSON; a complete file
/// that is not a usable dashboard gives `None`.
fn read_dashboard(path: &Path) -> Result<(Fingerprint, Option<Arc<Dashboard>>), FileError> {
    let mut bytes = Vec::new();
    let fp = read_file(path, &mut bytes)?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(FileError::parse(&ParseError::Empty, fp));
    }
    let text = parse::replace_non_finite(&bytes);
    match serde_json::from_slice::<serde_json::Value>(&text) {
        Ok(v) => Ok((fp, parse::dashboard::v2(&v).ok().map(Arc::new))),
        Err(e) => {
            let incomplete = e.is_eof();
            Err(FileError {
                reason: format!("invalid dashboard.json: {e}"),
                incomplete,
                gone: false,
                fp: Some(fp),
            })
        }
    }
}

/// The project record of a folder (shared with the one-shot index).
fn build_project(
    pd: &ProjectDir,
    meta: Option<&ProjectMeta>,
    dashboard: Option<Arc<Dashboard>>,
    opts: &ParseOptions,
) -> Project {
    index::project_record(pd, meta, dashboard, opts.tz)
}

/// What a tracked file is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum FileKind {
    Snapshot { project_id: String, id: String },
    Metadata { project_id: String },
    Dashboard { project_id: String },
}

impl FileKind {
    fn project_id(&self) -> &str {
        match self {
            FileKind::Snapshot { project_id, .. }
            | FileKind::Metadata { project_id }
            | FileKind::Dashboard { project_id } => project_id,
        }
    }
}

#[derive(Debug, Clone)]
enum FileState {
    /// The current content parsed.
    Good,
    /// Broken, maybe still being written; retried.
    Pending {
        /// Fingerprint of the last parse attempt.
        attempted: Fingerprint,
        last_attempt: Instant,
        /// Since when the fingerprint has been `seen`.
        stable_since: Instant,
    },
    /// Broken after settling.
    Unreadable,
}

#[derive(Debug, Clone)]
struct Tracked {
    kind: FileKind,
    /// The latest fingerprint observed.
    seen: Fingerprint,
    /// A good entry (snapshot) or record (metadata/dashboard) exists for this path.
    has_good: bool,
    state: FileState,
    /// The listing generation that last saw this file (see [`Indexer::confirm_missing`]).
    listed: u64,
}

/// A successful read of a tracked file.
enum Good {
    Snapshot(SnapshotEntry),
    Metadata(ProjectMeta, Fingerprint),
    Dashboard(Fingerprint, Option<Arc<Dashboard>>),
}

impl Good {
    fn fingerprint(&self) -> Fingerprint {
        match self {
            Good::Snapshot(e) => e.fingerprint,
            Good::Metadata(_, fp) | Good::Dashboard(fp, _) => *fp,
        }
    }
}

struct ProjectState {
    dir: ProjectDir,
    project: Project,
    /// The parsed `dashboard.json` (v2), when present and usable.
    v2_dashboard: Option<Arc<Dashboard>>,
    /// ProjectAdded has been sent.
    announced: bool,
}

/// The state owned by the background thread.
struct Indexer {
    root: PathBuf,
    layout: Layout,
    opts: LiveOptions,
    tx: Sender<IndexEvent>,
    stop: Arc<AtomicBool>,
    stats: Arc<Stats>,
    reader: SnapshotReader,
    files: HashMap<PathBuf, Tracked>,
    projects: HashMap<String, ProjectState>,
    /// Listing problems reported as unreadable, by path.
    problems: HashMap<PathBuf, Unreadable>,
    /// The last error listing the root, if the root is currently unreadable.
    scan_error: Option<String>,
    /// Incremented for every listing; files seen by it are marked with it.
    generation: u64,
    /// Where the index cache is kept (`None`: no cache).
    cache_dir: Option<PathBuf>,
    /// The good snapshot entries by path (kept only with a cache, to write it).
    entries: HashMap<PathBuf, SnapshotEntry>,
    /// `entries` changed since the cache was last written.
    cache_dirty: bool,
}

fn stat(path: &Path) -> Option<Fingerprint> {
    fs::metadata(path)
        .ok()
        .filter(|m| m.is_file())
        .map(|m| scan::fingerprint(&m))
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

    fn retry_gap(&self) -> Duration {
        (self.opts.settle / 4).clamp(Duration::from_millis(10), Duration::from_millis(250))
    }

    fn run(mut self, stop_rx: Receiver<()>, rescan_rx: Receiver<()>) {
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
            let outcomes: Vec<Result<Good, FileError>> = match &pool {
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
                let project = build_project(&pd, None, None, &self.opts.parse);
                self.projects.insert(
                    id.clone(),
                    ProjectState {
                        dir: pd,
                        project,
                        v2_dashboard: None,
                        announced: false,
                    },
                );
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

    fn read_snapshot(&self, path: &Path, project_id: &str, id: &str) -> Result<Good, FileError> {
        if let Some(e) = too_large(path, self.opts.max_file_size) {
            return Err(e);
        }
        self.stats.parses.fetch_add(1, Ordering::Relaxed);
        (self.reader)(path, project_id, id, &self.opts.parse).map(Good::Snapshot)
    }

    fn read(&self, path: &Path, kind: &FileKind) -> Result<Good, FileError> {
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
        outcome: Result<Good, FileError>,
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
                let recent = fp.mtime.is_some_and(|m| {
                    SystemTime::now()
                        .duration_since(m)
                        .map_or(true, |age| age < self.opts.settle)
                });
                let settled = final_fp == Some(fp);
                let state = if !settled && (e.incomplete || recent) {
                    let stable_since = match prev.as_ref() {
                        Some(Tracked {
                            seen,
                            state: FileState::Pending { stable_since, .. },
                            ..
                        }) if *seen == fp => *stable_since,
                        _ => now,
                    };
                    let was_pending = prev
                        .as_ref()
                        .is_some_and(|t| matches!(t.state, FileState::Pending { .. }));
                    if !was_pending {
                        self.emit(IndexEvent::Pending {
                            path: path.to_path_buf(),
                            reason: e.reason.clone(),
                        });
                    }
                    FileState::Pending {
                        attempted: fp,
                        last_attempt: now,
                        stable_since,
                    }
                } else {
                    self.emit(IndexEvent::Unreadable(Unreadable {
                        path: path.to_path_buf(),
                        project_id: Some(kind.project_id().to_string()),
                        reason: e.reason.clone(),
                    }));
                    FileState::Unreadable
                };
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
        let v2 = ps.v2_dashboard.clone();
        let new = match meta {
            Some(m) => build_project(&ps.dir, Some(m), v2, &self.opts.parse),
            None if meta_tracked_good => {
                let mut p = ps.project.clone();
                if v2.is_some() {
                    p.dashboard = v2;
                }
                p
            }
            None => build_project(&ps.dir, None, v2, &self.opts.parse),
        };
        let changed = new != ps.project;
        ps.project = new;
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

    fn deadline(&self, t: &Tracked) -> Option<Instant> {
        match t.state {
            FileState::Pending {
                attempted,
                last_attempt,
                stable_since,
            } => Some(if t.seen != attempted {
                last_attempt + self.retry_gap()
            } else {
                stable_since + self.opts.settle
            }),
            _ => None,
        }
    }

    fn next_deadline(&self) -> Option<Instant> {
        self.files.values().filter_map(|t| self.deadline(t)).min()
    }

    /// Retry pending files that changed, give a final attempt to those that settled.
    fn process_due(&mut self, now: Instant) {
        let due: Vec<PathBuf> = self
            .files
            .iter()
            .filter(|(_, t)| self.deadline(t).is_some_and(|d| d <= now))
            .map(|(p, _)| p.clone())
            .collect();
        let gap = self.retry_gap();
        let settle = self.opts.settle;
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
            let FileState::Pending {
                attempted,
                last_attempt,
                stable_since,
            } = &mut t.state
            else {
                continue;
            };
            let now = Instant::now();
            if fp != t.seen {
                t.seen = fp;
                *stable_since = now;
            }
            let final_fp = if t.seen != *attempted {
                if now < *last_attempt + gap {
                    continue; // too soon after the last attempt; `deadline` brings us back
                }
                None
            } else if now >= *stable_since + settle {
                Some(fp)
            } else {
                continue;
            };
            let outcome = self.read(&path, &kind);
            self.record(&path, kind, outcome, final_fp);
        }
    }
}
