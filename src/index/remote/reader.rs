//! Reading a bucket's objects for a full index: project records and
//! snapshots fetched in parallel (bounded, see `client`), parsed on rayon's
//! pool as they arrive. An object that went away after the listing is
//! unreadable, as a vanished file is; any other failure ends the scan.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::index::catalog::{SnapshotEntry, Unreadable};
use crate::index::read::{load_project_with, FileError, IndexOptions, FIRST_STEP};
use crate::index::scan::{ProjectDir, ScanError, SnapshotFile};
use crate::model::Project;
use crate::parse::{self, ParseError};

use super::{records, Progress, RemoteError, RemoteStore};

/// What reading one object gave: its bytes, or why not.
type Fetched = Result<Vec<u8>, FileError>;

/// A snapshot object with what parsing it gave (entry and bytes read).
type Parsed<'a> = (&'a SnapshotFile, Result<(SnapshotEntry, u64), FileError>);

/// Fetch `paths` (object URLs); `Err` on the first failure that is not a
/// missing object.
fn fetch(store: &RemoteStore, paths: &[PathBuf]) -> Result<Vec<(usize, Fetched)>, ScanError> {
    let keys = paths
        .iter()
        .map(|p| store.key_of(p).unwrap_or_default())
        .collect();
    let progress = Progress::new(store.url(), paths.len());
    let results = store.fetch_each(keys, |i, r| {
        progress.tick();
        (i, r)
    });
    drop(progress);
    let mut out = Vec::with_capacity(results.len());
    for (i, r) in results {
        out.push((i, missing(r)?));
    }
    Ok(out)
}

/// A missing object is an unreadable file; any other error ends the scan.
fn missing(r: Result<Vec<u8>, RemoteError>) -> Result<Fetched, RemoteError> {
    match r {
        Ok(bytes) => Ok(Ok(bytes)),
        Err(e) if e.gone => Ok(Err(FileError::Io(io::Error::new(
            io::ErrorKind::NotFound,
            "object not found",
        )))),
        Err(e) => Err(e),
    }
}

/// Refuse bytes over the size limit, as a file over it is refused.
fn within_limit(bytes: Vec<u8>, limit: u64) -> Fetched {
    if bytes.len() as u64 > limit {
        return Err(ParseError::TooLarge {
            size: bytes.len() as u64,
            limit,
        }
        .into());
    }
    Ok(bytes)
}

/// The project records of `projects`, their `metadata.json` and
/// `dashboard.json` fetched first.
/// Records unchanged since they were kept in `kept` (a file beside the
/// index cache) are not fetched again; `kept` is rewritten when any changed.
pub fn projects(
    store: &RemoteStore,
    projects: &[ProjectDir],
    opts: &IndexOptions,
    kept: Option<&Path>,
) -> Result<Vec<(Project, Vec<Unreadable>, u64)>, ScanError> {
    let paths: Vec<PathBuf> = projects
        .iter()
        .flat_map(|pd| pd.metadata.iter().chain(pd.dashboard.iter()))
        .cloned()
        .collect();
    let old = kept.map(records::load).unwrap_or_default();
    let mut fetched: HashMap<PathBuf, Fetched> = HashMap::new();
    let mut keep = HashMap::new();
    let mut wanted = Vec::new();
    for p in &paths {
        let listed = store.listed(p).as_ref().and_then(records::version);
        match (old.get(p), listed) {
            (Some((v, bytes)), Some(l)) if *v == l => {
                fetched.insert(p.clone(), Ok(bytes.clone()));
                keep.insert(p.clone(), (l, bytes.clone()));
            }
            _ => wanted.push(p.clone()),
        }
    }
    for (i, r) in fetch(store, &wanted)? {
        let path = &wanted[i];
        if let (Ok(bytes), Some(v)) = (&r, store.listed(path).as_ref().and_then(records::version)) {
            keep.insert(path.clone(), (v, bytes.clone()));
        }
        fetched.insert(path.clone(), r);
    }
    if let Some(file) = kept.filter(|_| keep != old) {
        if let Err(e) = records::save(file, &keep) {
            tracing::info!("project records not kept: {e}");
        }
    }
    Ok(projects
        .iter()
        .map(|pd| {
            load_project_with(pd, opts, |path| match fetched.get(path) {
                Some(Ok(bytes)) => within_limit(bytes.clone(), opts.max_file_size),
                Some(Err(e)) => Err(FileError::Io(io::Error::new(
                    io::ErrorKind::NotFound,
                    e.to_string(),
                ))),
                None => Err(FileError::Io(io::ErrorKind::NotFound.into())),
            })
        })
        .collect())
}

/// Fetch and parse the snapshot objects `todo`. Objects listed over the
/// size limit are refused unfetched.
pub fn snapshots<'a>(
    store: &RemoteStore,
    todo: &[&'a SnapshotFile],
    opts: &IndexOptions,
) -> Result<Vec<Parsed<'a>>, ScanError> {
    let mut out = Vec::with_capacity(todo.len());
    let mut wanted = Vec::with_capacity(todo.len());
    for f in todo {
        if f.fingerprint.len > opts.max_file_size {
            let e = ParseError::TooLarge {
                size: f.fingerprint.len,
                limit: opts.max_file_size,
            };
            out.push((*f, Err(e.into())));
        } else {
            wanted.push(*f);
        }
    }
    let keys = wanted
        .iter()
        .map(|f| store.key_of(&f.path).unwrap_or_default())
        .collect();
    let progress = Progress::new(store.url(), wanted.len());
    let results = store.fetch_each(keys, |i, r| {
        progress.tick();
        let f = wanted[i];
        let parsed = missing(r)?.and_then(|bytes| entry(f, &bytes, opts));
        Ok::<_, RemoteError>((f, parsed))
    });
    drop(progress);
    for r in results {
        out.push(r?);
    }
    Ok(out)
}

/// Parse one fetched snapshot, as a file's bytes are parsed.
fn entry(
    f: &SnapshotFile,
    bytes: &[u8],
    opts: &IndexOptions,
) -> Result<(SnapshotEntry, u64), FileError> {
    let n = bytes.len() as u64;
    if n > opts.max_file_size {
        return Err(ParseError::TooLarge {
            size: n,
            limit: opts.max_file_size,
        }
        .into());
    }
    // A large file is checked on its first step before the rest is read:
    // the same error for the same bytes.
    if n > FIRST_STEP {
        parse::check_prefix(&bytes[..FIRST_STEP as usize])?;
    }
    let snapshot = parse::parse_snapshot(bytes, &f.id, &f.project_id, &opts.parse)?;
    Ok((
        SnapshotEntry {
            path: f.path.clone(),
            fingerprint: f.fingerprint,
            snapshot: Arc::new(snapshot),
        },
        n,
    ))
}
