//! The live index: a background thread that scans a workspace, then keeps it
//! up to date from watcher signals, and tells consumers what changed through
//! a channel of [`IndexEvent`](crate::index::events::IndexEvent)s. It owns all disk access; consumers never wait
//! on disk.
//!
//! Files are keyed by path with a (size, mtime) [`Fingerprint`](crate::index::catalog::Fingerprint); a file whose
//! fingerprint did not change is never parsed again. A file that fails to
//! parse while it may still be being written (empty, truncated, or modified
//! within the settle time) is *pending*: it is retried when it changes, and
//! once its fingerprint has stayed still for the settle time it gets a final
//! attempt, after which it is reported unreadable. A good snapshot that is
//! being rewritten keeps its last good entry until the new content parses.
//!
//! Files: `handle` (start, rescan, stop; the settings), `indexer` (the
//! background thread), `files` (reading one tracked file), `pending` (the
//! settle rules), `project` (a followed project's record).

mod files;
mod handle;
mod indexer;
mod pending;
mod project;

pub use handle::{LiveError, LiveIndex, LiveOptions};
