//! Reading the files the live index tracks (snapshots, `metadata.json`,
//! `dashboard.json`) into a [`Good`] result or a [`Failure`]: the reason in
//! one line, whether the file looks half-written, whether it is gone, and
//! its fingerprint as read. Reading itself is the one-shot index's
//! ([`crate::index::read`]); this adds what the live index decides on.

use std::fs;
use std::path::Path;
use std::sync::Arc;

use super::source::Source;
use crate::index;
use crate::index::catalog::{Fingerprint, SnapshotEntry};
use crate::index::scan;
use crate::model::dashboard::Dashboard;
use crate::parse::{self, ParseError, ParseOptions, ProjectMeta};

/// Why one file could not be indexed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Failure {
    /// One-line reason.
    pub(super) reason: String,
    /// Typical of a file still being written (empty, truncated, changed while read).
    pub(super) incomplete: bool,
    /// The file no longer exists.
    pub(super) gone: bool,
    /// The store could not be reached: nothing is known about the file;
    /// it keeps its state and is read again on the next listing.
    pub(super) transient: bool,
    /// Fingerprint of the file as read, when it could be taken.
    pub(super) fp: Option<Fingerprint>,
}

impl Failure {
    pub(super) fn gone() -> Failure {
        Failure {
            reason: "file is gone".into(),
            incomplete: false,
            gone: true,
            transient: false,
            fp: None,
        }
    }

    pub(super) fn parse(e: &ParseError, fp: Fingerprint) -> Failure {
        Failure {
            reason: e.to_string(),
            incomplete: e.is_incomplete(),
            gone: false,
            transient: false,
            fp: Some(fp),
        }
    }
}

/// Read a whole file (up to the size limit) with the fingerprint it had once read.
pub(super) fn read_file(path: &Path, bytes: &mut Vec<u8>) -> Result<Fingerprint, Failure> {
    index::read_limited_into(path, index::DEFAULT_MAX_FILE_SIZE, bytes).map_err(|e| match e {
        index::FileError::Io(io) if io.kind() == std::io::ErrorKind::NotFound => Failure::gone(),
        index::FileError::Changed(fp) => Failure {
            reason: e.to_string(),
            incomplete: true,
            gone: false,
            transient: false,
            fp: Some(fp),
        },
        other => Failure {
            reason: other.to_string(),
            incomplete: other.is_incomplete(),
            gone: false,
            transient: false,
            fp: stat(path),
        },
    })
}

/// The error for a snapshot file over `limit` bytes (checked before reading it).
pub(super) fn too_large(source: &Source, path: &Path, limit: u64) -> Option<Failure> {
    over_limit(source.stat(path)?, limit)
}

/// The error for a snapshot file with fingerprint `fp` over `limit` bytes.
pub(super) fn over_limit(fp: Fingerprint, limit: u64) -> Option<Failure> {
    (fp.len > limit).then(|| Failure {
        reason: ParseError::TooLarge {
            size: fp.len,
            limit,
        }
        .to_string(),
        incomplete: false,
        gone: false,
        transient: false,
        fp: Some(fp),
    })
}

/// Read and parse one snapshot file into an index entry.
pub(super) fn index_one_file(
    source: &Source,
    path: &Path,
    project_id: &str,
    id: &str,
    opts: &ParseOptions,
) -> Result<SnapshotEntry, Failure> {
    let (snapshot, fp) = index::with_read_buffer(|bytes| {
        let fp = source.read(path, bytes)?;
        parse::parse_snapshot(bytes, id, project_id, opts)
            .map(|s| (s, fp))
            .map_err(|e| Failure::parse(&e, fp))
    })?;
    Ok(SnapshotEntry {
        path: path.into(),
        fingerprint: fp,
        snapshot: Arc::new(snapshot),
    })
}

pub(super) fn read_metadata(
    source: &Source,
    path: &Path,
) -> Result<(ProjectMeta, Fingerprint), Failure> {
    let mut bytes = Vec::new();
    let fp = source.read(path, &mut bytes)?;
    let meta = parse::parse_project_metadata(&bytes).map_err(|e| Failure::parse(&e, fp))?;
    Ok((meta, fp))
}

/// Read a v2 `dashboard.json`: it must be complete JSON; a complete file
/// that is not a usable dashboard gives `None`.
pub(super) fn read_dashboard(
    source: &Source,
    path: &Path,
) -> Result<(Fingerprint, Option<Arc<Dashboard>>), Failure> {
    let mut bytes = Vec::new();
    let fp = source.read(path, &mut bytes)?;
    parse::dashboard::v2_file(&bytes)
        .map(|d| (fp, d.map(Arc::new)))
        .map_err(|e| Failure::parse(&e, fp))
}

/// What a tracked file is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum FileKind {
    Snapshot { project_id: String, id: String },
    Metadata { project_id: String },
    Dashboard { project_id: String },
}

impl FileKind {
    pub(super) fn project_id(&self) -> &str {
        match self {
            FileKind::Snapshot { project_id, .. }
            | FileKind::Metadata { project_id }
            | FileKind::Dashboard { project_id } => project_id,
        }
    }
}

/// A successful read of a tracked file.
pub(super) enum Good {
    Snapshot(SnapshotEntry),
    Metadata(ProjectMeta, Fingerprint),
    Dashboard(Fingerprint, Option<Arc<Dashboard>>),
}

impl Good {
    pub(super) fn fingerprint(&self) -> Fingerprint {
        match self {
            Good::Snapshot(e) => e.fingerprint,
            Good::Metadata(_, fp) | Good::Dashboard(fp, _) => *fp,
        }
    }
}

pub(super) fn stat(path: &Path) -> Option<Fingerprint> {
    fs::metadata(path)
        .ok()
        .filter(|m| m.is_file())
        .map(|m| scan::fingerprint(&m))
}
