//! Workspaces in object storage: `s3://bucket/prefix` (and `gs://`,
//! `az://`/`abfs://`) read like a folder. `url` parses the URL, `settings`
//! holds the configured endpoint, region, allow-http and concurrency per
//! URL prefix, `client` talks to the store (opendal, on a private tokio
//! runtime, behind blocking calls), `lister` turns the object keys into the
//! layout and [`Listing`] of a folder by the rules of `scan`. Catalog paths
//! of remote entries are object URLs; fingerprints carry a hash of the
//! ETag, so the persistent cache serves unchanged objects without a GET.
//! Read-only: only list and get requests. The live index follows a bucket
//! by polling (`live::source`): mostly cheap polls that ask only for keys
//! after the newest known uuid7 (`poll`), a full listing every few polls.

mod client;
mod lister;
mod poll;
mod reader;
mod records;
mod settings;
mod url;

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::index::scan::{Layout, Listing, ScanError};

pub use client::RemoteStore;
pub use poll::{poll_recent, Polled};
pub use reader::{projects, snapshots};
pub use settings::{set_remote_settings, settings_for, RemoteSettings, DEFAULT_CONCURRENCY};
pub use url::{is_remote, normalized_root, RemoteUrl, UrlError};

/// Why a bucket could not be read. `Display` is one line: the URL, what
/// failed, what to check; never a credential.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{url}: {what}")]
pub struct RemoteError {
    pub url: String,
    pub what: String,
    /// The object is not there (deleted after the listing): that object is
    /// unreadable, the scan goes on. Anything else ends the scan.
    pub gone: bool,
}

impl RemoteError {
    fn fatal(url: &RemoteUrl, what: String) -> RemoteError {
        RemoteError {
            url: url.to_string(),
            what,
            gone: false,
        }
    }
    fn gone(url: &RemoteUrl, what: String) -> RemoteError {
        RemoteError {
            url: url.to_string(),
            what,
            gone: true,
        }
    }
}

/// Parse `root` as a bucket URL and connect (no request is sent yet).
pub fn connect(root: &Path) -> Result<RemoteStore, ScanError> {
    match RemoteUrl::parse(root) {
        Some(Ok(url)) => Ok(RemoteStore::connect(&url)?),
        Some(Err(e)) => Err(ScanError::BadUrl(e)),
        None => Err(ScanError::BadUrl(UrlError::NoBucket(
            root.to_string_lossy().into_owned(),
        ))),
    }
}

/// List the bucket under the store's root as a folder: layout, projects,
/// snapshot objects. A root with no objects at all is an error (a wrong
/// prefix), not an empty workspace, unless an earlier listing of this
/// store found objects: then they were deleted.
pub fn list(store: &RemoteStore) -> Result<(Layout, Listing), ScanError> {
    let objects = store.list()?;
    let url = store.url();
    let tree = lister::KeyTree::new(url, &objects);
    // Empty at once: a wrong bucket or prefix. Empty after a listing that
    // found objects (a live view): every object was deleted.
    if tree.file_count() == 0 && !store.has_listed() {
        return Err(RemoteError::fatal(
            url,
            "no objects under this prefix (check the bucket and the prefix)".into(),
        )
        .into());
    }
    let top = poll::top_dirs_of(&url.root_path(), tree.dirs());
    store.remember_listed(tree.files(), top);
    Ok(lister::listing(&tree, &url.root_path()))
}

/// A progress line on stderr while objects are fetched, only when stderr
/// is a terminal; cleared at the end.
pub struct Progress {
    total: usize,
    done: AtomicUsize,
    shown: Option<Mutex<Instant>>,
    url: String,
}

impl Progress {
    /// Progress of fetching `total` objects from `url`.
    pub fn new(url: &RemoteUrl, total: usize) -> Progress {
        let on = total > 0 && std::io::stderr().is_terminal();
        Progress {
            total,
            done: AtomicUsize::new(0),
            shown: on.then(|| Mutex::new(Instant::now())),
            url: url.to_string(),
        }
    }

    /// One more object fetched.
    pub fn tick(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        let Some(shown) = &self.shown else { return };
        let Ok(mut last) = shown.try_lock() else {
            return;
        };
        if last.elapsed() >= Duration::from_millis(200) || done == self.total {
            *last = Instant::now();
            let mut err = std::io::stderr().lock();
            let _ = write!(
                err,
                "\r\x1b[Ksnapscope: fetching {done}/{} objects from {}",
                self.total,
                crate::text::sanitize::clean(&self.url)
            );
            let _ = err.flush();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if self.shown.is_some() {
            let _ = write!(std::io::stderr(), "\r\x1b[K");
        }
    }
}
