//! Where the live index's files come from: a folder on disk, or a bucket
//! ([`RemoteStore`]). The indexer's reconcile logic is the same for both;
//! a source lists projects with their snapshot files, tells a file's
//! fingerprint and reads its bytes. On disk a fingerprint is a `stat`; in
//! a bucket it is what the last listing said (size, last-modified, ETag),
//! so a rescan of a bucket is one listing plus a GET of each changed object.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use super::files::{stat, Failure};
use super::REMOTE_UNREACHABLE;
use crate::index;
use crate::index::catalog::{Fingerprint, Unreadable};
use crate::index::remote::{self, RemoteStore};
use crate::index::scan::{self, Layout, ProjectDir, SnapshotFile};

/// The projects of one listing, each with its snapshot files, and the
/// listing's problems.
pub(super) type Listed = (Vec<(ProjectDir, Vec<SnapshotFile>)>, Vec<Unreadable>);

/// A folder on disk or a bucket.
#[derive(Clone)]
pub(super) enum Source {
    Disk,
    /// A bucket, and whether a GET failed since the last good listing:
    /// then the other GETs are not tried (each would wait out its
    /// retries) until a listing succeeds again.
    Remote(Arc<RemoteStore>, Arc<AtomicBool>),
}

impl Source {
    /// The fingerprint of the file at `path` (`None`: it does not exist).
    pub(super) fn stat(&self, path: &Path) -> Option<Fingerprint> {
        match self {
            Source::Disk => stat(path),
            Source::Remote(store, _) => store.listed(path),
        }
    }

    /// Read a whole file (up to the size limit) with the fingerprint it had
    /// once read. A bucket that cannot be reached gives a transient failure.
    pub(super) fn read(&self, path: &Path, bytes: &mut Vec<u8>) -> Result<Fingerprint, Failure> {
        let (store, down) = match self {
            Source::Disk => return super::files::read_file(path, bytes),
            Source::Remote(store, down) => (store, down),
        };
        let fp = store.listed(path).unwrap_or_default();
        let unreachable = |reason: String| Failure {
            reason,
            incomplete: false,
            gone: false,
            transient: true,
            fp: Some(fp),
        };
        if down.load(Ordering::Relaxed) {
            return Err(unreachable(format!(
                "{}: {REMOTE_UNREACHABLE}",
                store.url()
            )));
        }
        let key = store.key_of(path).ok_or_else(Failure::gone)?;
        match store.get(&key) {
            Ok(b) if b.len() as u64 > index::DEFAULT_MAX_FILE_SIZE => Err(Failure {
                reason: crate::parse::ParseError::TooLarge {
                    size: b.len() as u64,
                    limit: index::DEFAULT_MAX_FILE_SIZE,
                }
                .to_string(),
                incomplete: false,
                gone: false,
                transient: false,
                fp: Some(fp),
            }),
            Ok(b) => {
                *bytes = b;
                Ok(fp)
            }
            Err(e) if e.gone => Err(Failure::gone()),
            Err(e) => {
                down.store(true, Ordering::Relaxed);
                Err(unreachable(e.to_string()))
            }
        }
    }

    /// List every project with its snapshot files. On disk the layout is
    /// `layout`; a bucket's listing finds its own, returned when it differs.
    pub(super) fn list(
        &self,
        root: &Path,
        layout: Layout,
    ) -> Result<(Option<Layout>, Listed), String> {
        match self {
            Source::Disk => {
                let (dirs, mut problems) =
                    scan::project_dirs(root, layout).map_err(|e| e.to_string())?;
                let projects = dirs
                    .into_iter()
                    .map(|pd| {
                        let files = scan::snapshot_files(&pd, layout, &mut problems);
                        (pd, files)
                    })
                    .collect();
                Ok((None, (projects, problems)))
            }
            Source::Remote(store, down) => {
                let (found, listing) = remote::list(store).map_err(|e| e.to_string())?;
                down.store(false, Ordering::Relaxed);
                Ok(((found != layout).then_some(found), group(listing)))
            }
        }
    }
}

/// A listing's snapshot files under their projects.
fn group(listing: scan::Listing) -> Listed {
    let mut by_project: HashMap<String, Vec<SnapshotFile>> = HashMap::new();
    for f in listing.files {
        by_project
            .entry(f.project_id.to_string())
            .or_default()
            .push(f);
    }
    let projects = listing
        .projects
        .into_iter()
        .map(|pd| {
            let files = by_project.remove(&pd.id).unwrap_or_default();
            (pd, files)
        })
        .collect();
    (projects, listing.problems)
}
