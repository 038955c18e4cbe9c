//! How a headless command ends: [`HeadlessError`] (exit status 2) or an
//! [`Outcome`] (0, or 1 when `check` fails).

use std::io;

use crate::cmd::watch::WatchCmdError;
use crate::index::ScanError;

/// Why a command failed. All of these exit with status 2.
#[derive(Debug, thiserror::Error)]
pub enum HeadlessError {
    /// PATH could not be listed.
    #[error(transparent)]
    Scan(#[from] ScanError),
    #[error("no project {0:?} (try `snapscope projects PATH`)")]
    ProjectNotFound(String),
    #[error("{query:?} matches several projects: {candidates}; use the project id")]
    AmbiguousProject { query: String, candidates: String },
    #[error("no snapshot {0:?} (try `snapscope snapshots PATH`)")]
    SnapshotNotFound(String),
    /// An id or prefix naming several snapshots (the message names a few).
    #[error("{0}")]
    AmbiguousSnapshot(String),
    #[error("snapshot id prefix {query:?} is too short: give at least {min} characters (or the whole id)")]
    SnapshotPrefixTooShort { query: String, min: usize },
    #[error("no snapshot of project {project:?} has the series {key:?}{hint}")]
    SeriesNotFound {
        project: String,
        key: String,
        /// `; did you mean ...` or a pointer to `snapscope series`.
        hint: String,
    },
    #[error("invalid time {value:?} for {flag}: {reason}")]
    BadTime {
        flag: &'static str,
        value: String,
        reason: String,
    },
    #[error("no snapshot {spec:?} in project {project:?} (use an id, a unique id prefix, latest, latest-pass or latest-fail)")]
    NoSnapshotIn { spec: String, project: String },
    #[error("project {0:?} has fewer than two runs with tests to compare; name two snapshots (ids, latest, ...)")]
    NoComparePair(String),
    #[error("{path} holds several projects ({candidates}); add --project")]
    ProjectNeeded { path: String, candidates: String },
    #[error("no projects in {0} (a workspace, a project folder or a folder of snapshot files)")]
    NoProjects(String),
    /// `snapscope watch` could not run.
    #[error(transparent)]
    Watch(#[from] WatchCmdError),
    /// `snapscope serve` could not listen.
    #[error("cannot listen on {addr}: {reason} (give --listen HOST:PORT, e.g. 127.0.0.1:9775)")]
    Listen { addr: String, reason: String },
    /// A thread could not be started.
    #[error("cannot start a thread: {0}")]
    Spawn(#[source] io::Error),
    /// The metrics could not be put in the exposition format.
    #[error("cannot write the metrics: {0}")]
    Exposition(String),
    /// `check --junit FILE` could not write FILE.
    #[error("cannot write the JUnit report {path}: {reason}")]
    Junit { path: String, reason: String },
    /// Writing the output failed.
    #[error("cannot write output: {0}")]
    Output(#[from] io::Error),
}

impl HeadlessError {
    /// True when stdout was closed by the reader (`| head`): not worth a message.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, HeadlessError::Output(e) if e.kind() == io::ErrorKind::BrokenPipe)
    }
}

/// A command's result, failing with [`HeadlessError`].
pub(crate) type Result<T, E = HeadlessError> = std::result::Result<T, E>;

/// How a command that ran to the end came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// All good (exit 0).
    Ok,
    /// `check` found a failing, stale or unreadable project (exit 1).
    Failed,
}
