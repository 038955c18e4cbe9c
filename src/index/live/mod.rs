//! The live index: a background thread that scans a workspace, then keeps it
//! up to date from watcher signals, and tells consumers what changed through
//! a channel of [`IndexEvent`](crate::index::events::IndexEvent)s. It owns all disk access; consumers never wait
//! on disk.
//!
//! Files are keyed by path with a [`Fingerprint`](crate::index::catalog::Fingerprint)
//! (size, mtime, inode, ctime); a file whose fingerprint did not change is
//! not parsed again unless a native event says it was written. A file that
//! fails to parse while it may still be being written (empty, truncated, or
//! modified within the settle time) is *pending*: it is retried when it
//! changes, and once its fingerprint has stayed still for the settle time
//! it gets a final attempt, after which it is reported unreadable. A good
//! snapshot that is being rewritten keeps its last good entry while it is
//! pending; once it is unreadable that entry is removed (and a broken
//! `metadata.json` no longer names its project), so that, once files hold
//! still, what consumers hold equals a fresh index of the same files.
//!
//! Files: `handle` (start, rescan, stop; the settings), `indexer` (the
//! background thread: scans, listings, watcher signals), `tracking` (one
//! tracked file: read or not, outcome, events), `files` (reading one
//! tracked file), `pending` (the settle rules), `project` (a followed
//! project's record), `source` (disk or a bucket: listing, fingerprints,
//! bytes; a bucket is polled, and a failed listing changes nothing),
//! `poll` (a poll tick of a bucket: a cheap poll for new keys, or a full
//! listing every few polls).

mod files;
mod handle;
mod indexer;
mod pending;
mod poll;
mod project;
mod source;
mod tracking;

pub use handle::{LiveError, LiveIndex, LiveOptions, REMOTE_POLL_INTERVAL};

/// How the watcher status of a bucket that cannot be listed begins
/// (`remote unreachable, retrying in 30s`).
pub const REMOTE_UNREACHABLE: &str = "remote unreachable";
