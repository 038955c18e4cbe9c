//! The handle of a running live index: starting it (the indexer runs on
//! its own thread), asking for a rescan, stopping it, and its settings.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};

use super::indexer::Indexer;
use super::source::{Listed, Source};
use crate::index;
use crate::index::cache;
use crate::index::events::IndexEvent;
use crate::index::remote;
use crate::index::scan;
use crate::index::watch::WatchMode;
use crate::parse::ParseOptions;

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
    /// Start from the persistent index cache (`index::cache`): files whose
    /// size and mtime match it are not parsed, and are sent first, in one
    /// [`IndexEvent::SnapshotsAdded`]. The cache is written after the first
    /// scan and on exit.
    pub use_cache: bool,
    /// The poll interval given explicitly (on the command line): it applies
    /// to a bucket too, whose interval is otherwise its configured
    /// `poll-interval` or [`REMOTE_POLL_INTERVAL`].
    pub poll_interval_given: bool,
}

/// How often a bucket is listed again unless configured otherwise.
pub const REMOTE_POLL_INTERVAL: Duration = Duration::from_secs(30);

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
            poll_interval_given: false,
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
    #[error("cannot list folder {path}: {source}")]
    Unlistable {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot start the indexing thread: {0}")]
    Spawn(#[source] std::io::Error),
    /// A bucket that cannot be read (its first listing failed).
    #[error("{0}")]
    Remote(String),
}

/// How long [`LiveIndex::stop`] waits for the indexing thread.
pub const STOP_WAIT: Duration = Duration::from_secs(3);

/// Counters shared with the background thread.
#[derive(Debug, Default)]
pub(super) struct Stats {
    pub(super) parses: AtomicU64,
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

impl LiveIndex {
    /// Start indexing and watching `root`. Events arrive on the returned
    /// channel: projects first, then (with the cache) the cached snapshots in
    /// one [`IndexEvent::SnapshotsAdded`], then the other snapshots newest
    /// file (by mtime) first, in an [`IndexEvent::SnapshotsAdded`] every
    /// 100 ms with [`IndexEvent::ScanProgress`], then
    /// [`IndexEvent::ScanFinished`], then changes as they happen.
    pub fn start(
        root: &Path,
        opts: LiveOptions,
    ) -> Result<(LiveIndex, Receiver<IndexEvent>), LiveError> {
        let cache_dir = opts.use_cache.then(cache::default_dir);
        LiveIndex::start_with_cache_dir(root, opts, cache_dir)
    }

    /// [`LiveIndex::start`] with the index cache kept in `cache_dir`
    /// (`None`: no cache, whatever `opts.use_cache` says).
    pub fn start_with_cache_dir(
        root: &Path,
        opts: LiveOptions,
        cache_dir: Option<PathBuf>,
    ) -> Result<(LiveIndex, Receiver<IndexEvent>), LiveError> {
        if crate::index::is_remote(root) {
            return start_remote(root, opts, cache_dir);
        }
        let root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
        let meta = fs::metadata(&root).map_err(|source| LiveError::Root {
            path: root.display().to_string(),
            source,
        })?;
        if !meta.is_dir() {
            return Err(LiveError::NotADirectory(root.display().to_string()));
        }
        // A folder that cannot be listed is an error, not an empty workspace.
        fs::read_dir(&root).map_err(|source| LiveError::Unlistable {
            path: root.display().to_string(),
            source,
        })?;
        let layout = scan::detect_layout(&root);
        spawn(root, layout, opts, cache_dir, Source::Disk, None)
    }

    /// The folder being indexed (absolute).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// How many times a snapshot file has been read and parsed so far.
    pub fn parse_count(&self) -> u64 {
        self.stats.parses.load(Ordering::Relaxed)
    }

    /// A function that tells [`LiveIndex::parse_count`] from another thread.
    pub fn parse_counter(&self) -> impl Fn() -> u64 + Clone + Send + 'static {
        let stats = self.stats.clone();
        move || stats.parses.load(Ordering::Relaxed)
    }

    /// A function that asks for a full rescan (re-list, compare fingerprints,
    /// parse what changed). Cheap and non-blocking; repeated requests merge.
    pub fn rescan_handle(&self) -> impl Fn() + Send + 'static {
        let tx = self.rescan_tx.clone();
        move || {
            let _ = tx.try_send(());
        }
    }

    /// Stop the background threads and wait for them to end (they write
    /// the index cache on the way out), but at most [`STOP_WAIT`]: a thread
    /// stuck in I/O (a hung network mount) must not keep the process from
    /// exiting.
    pub fn stop(mut self) {
        self.signal_stop();
        if let Some(t) = self.thread.take() {
            let deadline = Instant::now() + STOP_WAIT;
            while !t.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
            if t.is_finished() {
                let _ = t.join();
            } else {
                tracing::warn!("the indexing thread did not stop in time; not waiting for it");
            }
        }
    }

    fn signal_stop(&mut self) {
        self.stop_flag.store(true, Ordering::Relaxed);
        drop(self.stop_tx.take());
    }
}

/// Start the indexing thread on `root` (a folder or a bucket's URL).
fn spawn(
    root: PathBuf,
    layout: scan::Layout,
    opts: LiveOptions,
    cache_dir: Option<PathBuf>,
    source: Source,
    first_listing: Option<Listed>,
) -> Result<(LiveIndex, Receiver<IndexEvent>), LiveError> {
    let (tx, rx) = crossbeam_channel::unbounded();
    let (stop_tx, stop_rx) = crossbeam_channel::bounded::<()>(0);
    let (rescan_tx, rescan_rx) = crossbeam_channel::bounded::<()>(1);
    let stop_flag = Arc::new(AtomicBool::new(false));
    let stats = Arc::new(Stats::default());
    let indexer = Indexer {
        layout,
        root: root.clone(),
        opts,
        tx,
        stop: stop_flag.clone(),
        stats: stats.clone(),
        files: HashMap::new(),
        projects: HashMap::new(),
        problems: HashMap::new(),
        scan_error: None,
        generation: 0,
        cache_dir,
        entries: HashMap::new(),
        cache_dirty: false,
        source,
        first_listing,
        polls: 0,
        added: None,
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

/// Start following a bucket: connect, take the first listing (a bucket
/// that cannot be listed is an error, as a folder that cannot be), then
/// poll it every `[remote."URL"] poll-interval` (or the interval given on
/// the command line, or [`REMOTE_POLL_INTERVAL`]).
fn start_remote(
    root: &Path,
    mut opts: LiveOptions,
    cache_dir: Option<PathBuf>,
) -> Result<(LiveIndex, Receiver<IndexEvent>), LiveError> {
    let store = remote::connect(root).map_err(|e| LiveError::Remote(e.to_string()))?;
    let url = store.url().to_string();
    if !opts.poll_interval_given {
        opts.poll_interval = remote::settings_for(&url)
            .poll_interval
            .filter(|s| s.is_finite() && *s > 0.0)
            .map(Duration::from_secs_f64)
            .unwrap_or(REMOTE_POLL_INTERVAL);
    }
    let root = store.url().root_path();
    let source = Source::Remote(Arc::new(store), Arc::default());
    let (layout, first) = source
        .list(&root, scan::Layout::Workspace)
        .map_err(LiveError::Remote)?;
    let layout = layout.unwrap_or(scan::Layout::Workspace);
    spawn(root, layout, opts, cache_dir, source, Some(first))
}

impl Drop for LiveIndex {
    fn drop(&mut self) {
        // Never block the consumer: the thread notices and ends on its own.
        self.signal_stop();
    }
}
