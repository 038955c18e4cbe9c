//! The headless commands (`projects`, `snapshots`, `show`, `series`,
//! `trend`, `scan`): index PATH, select, and print JSON or an aligned text
//! view. Every untrusted string in text output goes through
//! [`sanitize`](crate::text::sanitize); JSON escapes on its own.

pub mod args;
pub mod oncall;
pub mod watch;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use serde::Serialize;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::cmd::args::{Command, GlobalOpts, SnapshotsArgs};
use crate::index::catalog::{Catalog, ProjectEntry, SnapshotEntry};
use crate::index::scan::{Layout, ScanError};
use crate::index::{self, ScanReport};
use crate::model::{Snapshot, TestCounts, TestStatus};
use crate::parse::{self, TimeZoneChoice};
use crate::text::sanitize::{clean, clean_path};

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
    #[error("snapshot {query:?} exists in several projects: {candidates}; add --project")]
    AmbiguousSnapshot { query: String, candidates: String },
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
    Watch(#[from] crate::cmd::watch::WatchCmdError),
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

pub(crate) type Result<T, E = HeadlessError> = std::result::Result<T, E>;

/// How a command that ran to the end came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// All good (exit 0).
    Ok,
    /// `check` found a failing or stale project (exit 1).
    Failed,
}

/// Run one headless command, writing to `out`.
pub fn run(command: &Command, global: &GlobalOpts, out: &mut dyn Write) -> Result<Outcome> {
    match command {
        Command::Check(args) => crate::cmd::oncall::check(args, global, out),
        other => run_plain(other, global, out).map(|()| Outcome::Ok),
    }
}

fn run_plain(command: &Command, global: &GlobalOpts, out: &mut dyn Write) -> Result<()> {
    match command {
        Command::Projects { path, json } => projects(path, global, *json, out),
        Command::Snapshots(args) => snapshots(args, global, out),
        Command::Show {
            path,
            snapshot_id,
            project,
            json,
        } => show(path, snapshot_id, project.as_deref(), global, *json, out),
        Command::Series {
            path,
            project,
            json,
        } => series(path, project, global, *json, out),
        Command::Trend {
            path,
            series_key,
            project,
            json,
            csv,
        } => {
            let format = match (*json, *csv) {
                (true, _) => TrendFormat::Json,
                (_, true) => TrendFormat::Csv,
                _ => TrendFormat::Text,
            };
            trend(path, project, series_key, global, format, out)
        }
        Command::Scan { path, json } => scan(path, global, *json, out),
        Command::Watch(args) => {
            let stop = crate::cmd::watch::install_stop_signals()?;
            let opts = args.follow.live_options(global);
            crate::cmd::watch::run_watch(&args.path, &opts, args.json, out, &stop)?;
            Ok(())
        }
        Command::Completions { shell } => {
            Ok(out.write_all(&crate::cmd::args::completions(*shell))?)
        }
        Command::Man => Ok(out.write_all(&crate::cmd::args::man_page()?)?),
        Command::Tests(args) => crate::cmd::oncall::tests(args, global, out),
        Command::Compare(args) => crate::cmd::oncall::compare(args, global, out),
        // Handled by `run` (it sets the exit code); here for completeness.
        Command::Check(args) => crate::cmd::oncall::check(args, global, out).map(|_| ()),
    }
}

pub(crate) fn load(path: &Path, global: &GlobalOpts) -> Result<(Catalog, ScanReport)> {
    Ok(index::index_path(path, &global.index_options())?)
}

// ---------------------------------------------------------------- JSON shapes

/// One row of `snapscope projects --json`.
#[derive(Debug, Serialize)]
pub struct ProjectJson {
    pub id: String,
    pub name: String,
    pub snapshots: usize,
    pub unreadable: usize,
    pub first: Option<String>,
    pub last: Option<String>,
    pub description: Option<String>,
    pub folder: String,
    pub created_at: Option<String>,
    /// True when the project mixes naive and zone-aware timestamps.
    pub mixed_timestamps: bool,
    pub warning: Option<String>,
}

/// One row of `snapscope snapshots --json`.
#[derive(Debug, Serialize)]
pub struct SnapshotJson {
    pub project_id: String,
    pub id: String,
    pub timestamp: String,
    pub name: Option<String>,
    pub generation: &'static str,
    pub kind: &'static str,
    pub tags: Vec<String>,
    pub metadata: serde_json::Map<String, serde_json::Value>,
    pub tests: TestCounts,
    pub path: String,
    pub timestamp_naive: bool,
    pub drift_share: Option<f64>,
}

/// One test of `snapscope show --json`.
#[derive(Debug, Serialize)]
pub struct TestJson {
    pub name: Arc<str>,
    pub status: TestStatus,
    pub description: String,
    pub column: Option<Arc<str>>,
    pub test_type: Arc<str>,
    pub identity: Arc<str>,
    pub value: Option<f64>,
    pub condition: Option<String>,
}

/// One drift row of `snapscope show --json`: the row's own fields, plus how
/// to read its score.
#[derive(Debug, Serialize)]
pub struct DriftJson {
    #[serde(flatten)]
    pub row: crate::model::DriftRow,
    /// `p_value`, `distance` or `unknown`: how to read `score`.
    pub score_kind: crate::model::ScoreKind,
}

impl std::ops::Deref for DriftJson {
    type Target = crate::model::DriftRow;
    fn deref(&self) -> &Self::Target {
        &self.row
    }
}

/// `snapscope show --json`.
#[derive(Debug, Serialize)]
pub struct ShowJson {
    pub id: String,
    pub project_id: String,
    pub project_name: String,
    pub timestamp: String,
    pub timestamp_naive: bool,
    pub name: Option<String>,
    pub generation: &'static str,
    pub kind: &'static str,
    pub tags: Vec<String>,
    pub metadata: serde_json::Map<String, serde_json::Value>,
    pub path: String,
    pub inner_id_mismatch: Option<String>,
    pub test_counts: TestCounts,
    pub tests: Vec<TestJson>,
    pub series: BTreeMap<Arc<str>, Option<f64>>,
    pub drift: Vec<DriftJson>,
    pub drift_share: Option<f64>,
}

/// One row of `snapscope series --json`.
#[derive(Debug, Serialize)]
pub struct SeriesJson {
    pub key: String,
    pub points: usize,
}

/// One row of `snapscope trend --json`.
#[derive(Debug, Serialize)]
pub struct TrendJson {
    pub snapshot: String,
    pub timestamp: String,
    pub value: Option<f64>,
}

/// One unreadable file in `snapscope scan --json`.
#[derive(Debug, Serialize)]
pub struct UnreadableJson {
    pub path: String,
    pub reason: String,
    pub project_id: Option<String>,
}

/// `snapscope scan --json`.
#[derive(Debug, Serialize)]
pub struct ScanJson {
    pub projects: usize,
    pub snapshots: usize,
    pub unreadable: Vec<UnreadableJson>,
    pub elapsed_ms: u64,
    pub root: String,
    pub layout: &'static str,
    pub bytes_read: u64,
}

pub(crate) fn write_json<T: Serialize>(out: &mut dyn Write, value: &T) -> Result<()> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(io::Error::from)?;
    writeln!(out)?;
    Ok(())
}

/// RFC 3339 in the chosen zone, with its offset.
pub(crate) fn rfc3339(t: DateTime<Utc>, tz: TimeZoneChoice) -> String {
    tz.to_fixed(t).to_rfc3339()
}

pub(crate) fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}

fn path_string(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

// ---------------------------------------------------------------- selection

/// Find a project by id, or else by the first of these that matches exactly one
/// project: name, name ignoring case, id prefix (4+ characters), part of the name.
pub fn resolve_project<'a>(catalog: &'a Catalog, query: &str) -> Result<&'a ProjectEntry> {
    if let Some(p) = catalog.project(query) {
        return Ok(p);
    }
    let all = catalog.projects();
    let lower = query.to_lowercase();
    let tiers: [&dyn Fn(&ProjectEntry) -> bool; 4] = [
        &|p| p.project.name == query,
        &|p| p.project.name.to_lowercase() == lower,
        &|p| query.len() >= 4 && p.project.id.starts_with(query),
        &|p| !lower.is_empty() && p.project.name.to_lowercase().contains(&lower),
    ];
    for matches in tiers {
        let found: Vec<&ProjectEntry> = all.iter().copied().filter(|p| matches(p)).collect();
        match found.as_slice() {
            [] => continue,
            [one] => return Ok(one),
            many => {
                return Err(HeadlessError::AmbiguousProject {
                    query: query.to_string(),
                    candidates: many
                        .iter()
                        .map(|p| p.project.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                })
            }
        }
    }
    Err(HeadlessError::ProjectNotFound(query.to_string()))
}

/// Find a snapshot by exact id (or unique prefix of at least 8 characters),
/// in one project or in all of them.
pub fn resolve_snapshot<'a>(
    catalog: &'a Catalog,
    project: Option<&'a ProjectEntry>,
    query: &str,
) -> Result<(&'a ProjectEntry, &'a SnapshotEntry)> {
    let projects = match project {
        Some(p) => vec![p],
        None => catalog.projects(),
    };
    let exact: Vec<_> = projects
        .iter()
        .flat_map(|p| p.snapshots.iter().map(move |s| (*p, s)))
        .filter(|(_, s)| s.snapshot.id == query)
        .collect();
    let found = if exact.is_empty() && query.len() >= 8 {
        projects
            .iter()
            .flat_map(|p| p.snapshots.iter().map(move |s| (*p, s)))
            .filter(|(_, s)| s.snapshot.id.starts_with(query))
            .collect()
    } else {
        exact
    };
    match found.as_slice() {
        [] => Err(HeadlessError::SnapshotNotFound(query.to_string())),
        [one] => Ok(*one),
        many => Err(HeadlessError::AmbiguousSnapshot {
            query: query.to_string(),
            candidates: many
                .iter()
                .map(|(p, s)| format!("{}/{}", p.project.id, s.snapshot.id))
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

/// Which end of a time range a bound is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoundKind {
    /// Inclusive lower bound: the start of the stated day / minute / second.
    Since,
    /// Inclusive upper bound: the last instant of the stated day / minute / second.
    Until,
}

/// Parse a `--since` / `--until` value: RFC 3339, `YYYY-MM-DD`,
/// `YYYY-MM-DD[T ]HH:MM[:SS[.f]]` (in `tz`), or relative `<n>s|m|h|d|w` before `now`.
pub fn parse_time_bound(
    s: &str,
    tz: TimeZoneChoice,
    now: DateTime<Utc>,
    kind: BoundKind,
) -> std::result::Result<DateTime<Utc>, String> {
    let s = s.trim();
    if let Some(rel) = parse_relative(s) {
        return rel
            .and_then(|d| now.checked_sub_signed(d))
            .ok_or_else(|| "relative time out of range".to_string());
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(&s.replacen(' ', "T", 1)) {
        return Ok(t.with_timezone(&Utc));
    }
    let last_instant = |start: NaiveDateTime, step: Duration| {
        let next = start + step;
        tz.to_utc(next) - Duration::nanoseconds(1)
    };
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        let start = d.and_time(chrono::NaiveTime::MIN);
        return Ok(match kind {
            BoundKind::Since => tz.to_utc(start),
            BoundKind::Until => last_instant(start, Duration::days(1)),
        });
    }
    let norm = s.replacen(' ', "T", 1);
    if let Ok(n) = NaiveDateTime::parse_from_str(&norm, "%Y-%m-%dT%H:%M") {
        return Ok(match kind {
            BoundKind::Since => tz.to_utc(n),
            BoundKind::Until => last_instant(n, Duration::minutes(1)),
        });
    }
    if let Ok(n) = NaiveDateTime::parse_from_str(&norm, "%Y-%m-%dT%H:%M:%S") {
        return Ok(match kind {
            BoundKind::Since => tz.to_utc(n),
            BoundKind::Until => last_instant(n, Duration::seconds(1)),
        });
    }
    if let Ok(n) = NaiveDateTime::parse_from_str(&norm, "%Y-%m-%dT%H:%M:%S%.f") {
        return Ok(tz.to_utc(n));
    }
    Err(
        "use RFC 3339, YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS] or a relative time like 7d, 24h, 30m"
            .into(),
    )
}

/// `Some(Some(d))` for a valid relative time, `Some(None)` when it overflows,
/// `None` when `s` is not of the form `<n><unit>`.
fn parse_relative(s: &str) -> Option<Option<Duration>> {
    // Digits then a unit: a relative time (valid or out of range); else not one.
    let split = s.find(|c: char| !c.is_ascii_digit())?;
    let unit_ok = matches!(&s[split..], "s" | "m" | "min" | "h" | "d" | "w");
    (split > 0 && unit_ok).then(|| crate::analysis::triage::parse_duration(s))
}

pub(crate) fn time_arg(
    flag: &'static str,
    value: Option<&str>,
    tz: TimeZoneChoice,
    now: DateTime<Utc>,
    kind: BoundKind,
) -> Result<Option<DateTime<Utc>>> {
    value
        .map(|v| {
            parse_time_bound(v, tz, now, kind).map_err(|reason| HeadlessError::BadTime {
                flag,
                value: v.to_string(),
                reason,
            })
        })
        .transpose()
}

// ---------------------------------------------------------------- commands

fn project_json(catalog: &Catalog, p: &ProjectEntry, tz: TimeZoneChoice) -> ProjectJson {
    let span = p.span();
    let naive = p
        .snapshots
        .iter()
        .filter(|s| s.snapshot.timestamp_naive)
        .count();
    ProjectJson {
        id: p.project.id.clone(),
        name: p.project.name.clone(),
        snapshots: p.snapshots.len(),
        unreadable: catalog.unreadable_in(&p.project.id),
        first: span.map(|(a, _)| rfc3339(a, tz)),
        last: span.map(|(_, b)| rfc3339(b, tz)),
        description: p.project.description.clone(),
        folder: path_string(&p.project.folder),
        created_at: p.project.created_at.map(|t| rfc3339(t, tz)),
        mixed_timestamps: naive > 0 && naive < p.snapshots.len(),
        warning: p.project.warning.clone(),
    }
}

/// `snapscope projects`: also the view printed when no command is given.
pub fn projects(path: &Path, global: &GlobalOpts, json: bool, out: &mut dyn Write) -> Result<()> {
    let (catalog, report) = load(path, global)?;
    let tz = global.tz;
    let rows: Vec<ProjectJson> = catalog
        .projects()
        .into_iter()
        .map(|p| project_json(&catalog, p, tz))
        .collect();
    if json {
        return write_json(out, &rows);
    }
    if rows.is_empty() {
        writeln!(
            out,
            "No projects found in {} (a workspace, a project folder or a folder of snapshot files).",
            clean_path(&report.root)
        )?;
        return unreadable_footer(&report, out);
    }
    let mut t = Table::new(&["PROJECT", "SNAPS", "UNREAD", "LAST RUN"]);
    t.right(&[1, 2]);
    for r in &rows {
        let span = catalog.project(&r.id).and_then(ProjectEntry::span);
        t.row(vec![
            truncate(&clean(&r.name), 40),
            r.snapshots.to_string(),
            r.unreadable.to_string(),
            span.map(|(_, b)| short_time(b, tz))
                .unwrap_or_else(|| "-".into()),
        ]);
        let first = span
            .map(|(a, _)| format!("  first run {}", short_time(a, tz)))
            .unwrap_or_default();
        t.note(format!("  id {}{first}", clean(&r.id)));
        if let Some(w) = &r.warning {
            t.note(format!("  warning: {}", truncate(&clean(w), 68)));
        }
    }
    t.write(out)?;
    unreadable_footer(&report, out)
}

fn unreadable_footer(report: &ScanReport, out: &mut dyn Write) -> Result<()> {
    if !report.unreadable.is_empty() {
        writeln!(
            out,
            "\n{} unreadable file(s); see `snapscope scan {}`",
            report.unreadable.len(),
            clean_path(&report.root)
        )?;
    }
    Ok(())
}

fn snapshot_json(p: &ProjectEntry, s: &SnapshotEntry, tz: TimeZoneChoice) -> SnapshotJson {
    let snap = &s.snapshot;
    SnapshotJson {
        project_id: p.project.id.clone(),
        id: snap.id.clone(),
        timestamp: rfc3339(snap.timestamp, tz),
        name: snap.name.clone(),
        generation: snap.generation.as_str(),
        kind: snap.kind.as_str(),
        tags: snap.tags.clone(),
        metadata: snap.metadata.clone(),
        tests: snap.test_counts(),
        path: path_string(&s.path),
        timestamp_naive: snap.timestamp_naive,
        drift_share: finite(snap.drift_share()),
    }
}

/// `snapscope snapshots`.
pub fn snapshots(args: &SnapshotsArgs, global: &GlobalOpts, out: &mut dyn Write) -> Result<()> {
    let tz = global.tz;
    let now = Utc::now();
    // Validate arguments before the (possibly long) scan.
    let since = time_arg("--since", args.since.as_deref(), tz, now, BoundKind::Since)?;
    let until = time_arg("--until", args.until.as_deref(), tz, now, BoundKind::Until)?;
    let (catalog, _) = load(&args.path, global)?;
    let projects = match &args.project {
        Some(q) => vec![resolve_project(&catalog, q)?],
        None => catalog.projects(),
    };
    let keep = |s: &Snapshot| {
        since.is_none_or(|t| s.timestamp >= t)
            && until.is_none_or(|t| s.timestamp <= t)
            && args.tags.iter().all(|tag| s.tags.contains(tag))
    };
    let mut rows: Vec<(&ProjectEntry, &SnapshotEntry)> = projects
        .iter()
        .flat_map(|p| p.snapshots.iter().map(move |s| (*p, s)))
        .filter(|(_, s)| keep(&s.snapshot))
        .collect();
    rows.sort_by(|(pa, a), (pb, b)| {
        (a.snapshot.timestamp, &a.snapshot.id, &pa.project.id).cmp(&(
            b.snapshot.timestamp,
            &b.snapshot.id,
            &pb.project.id,
        ))
    });
    if args.json {
        let v: Vec<SnapshotJson> = rows.iter().map(|(p, s)| snapshot_json(p, s, tz)).collect();
        return write_json(out, &v);
    }
    if rows.is_empty() {
        writeln!(out, "No snapshots match.")?;
        return Ok(());
    }
    // Text: grouped by project, each group in time order.
    let mut first = true;
    for p in &projects {
        let mine: Vec<&SnapshotEntry> = rows
            .iter()
            .filter(|(rp, _)| rp.project.id == p.project.id)
            .map(|(_, s)| *s)
            .collect();
        if mine.is_empty() {
            continue;
        }
        if !first {
            writeln!(out)?;
        }
        first = false;
        writeln!(
            out,
            "{}  ({} snapshots, id {})",
            clean(&p.project.name),
            mine.len(),
            clean(&p.project.id)
        )?;
        let mut t = Table::new(&["TIMESTAMP", "ID", "KIND", "TESTS", "TAGS"]);
        for s in mine {
            let snap = &s.snapshot;
            t.row(vec![
                short_time(snap.timestamp, tz),
                clean(&snap.id).into_owned(),
                kind_label(snap),
                counts_text(&snap.test_counts()),
                truncate(&clean(&snap.tags.join(",")), 30),
            ]);
        }
        t.write(out)?;
    }
    Ok(())
}

fn kind_label(s: &Snapshot) -> String {
    match s.kind {
        crate::model::SnapshotKind::Report => "report".into(),
        crate::model::SnapshotKind::TestSuite => "suite".into(),
        crate::model::SnapshotKind::Run => "run".into(),
    }
}

/// `snapscope show`.
pub fn show(
    path: &Path,
    snapshot_id: &str,
    project: Option<&str>,
    global: &GlobalOpts,
    json: bool,
    out: &mut dyn Write,
) -> Result<()> {
    let tz = global.tz;
    let (catalog, _) = load(path, global)?;
    let project = project.map(|q| resolve_project(&catalog, q)).transpose()?;
    let (p, entry) = resolve_snapshot(&catalog, project, snapshot_id)?;
    let snap: &Arc<Snapshot> = &entry.snapshot;
    let v = ShowJson {
        id: snap.id.clone(),
        project_id: p.project.id.clone(),
        project_name: p.project.name.clone(),
        timestamp: rfc3339(snap.timestamp, tz),
        timestamp_naive: snap.timestamp_naive,
        name: snap.name.clone(),
        generation: snap.generation.as_str(),
        kind: snap.kind.as_str(),
        tags: snap.tags.clone(),
        metadata: snap.metadata.clone(),
        path: path_string(&entry.path),
        inner_id_mismatch: snap.inner_id_mismatch.clone(),
        test_counts: snap.test_counts(),
        tests: snap
            .tests
            .iter()
            .map(|t| TestJson {
                name: t.name.clone(),
                status: t.status,
                description: t.description.clone(),
                column: t.column.clone(),
                test_type: t.test_type.clone(),
                identity: t.identity.clone(),
                value: finite(t.value),
                condition: t.condition.clone(),
            })
            .collect(),
        series: snap
            .series
            .iter()
            .map(|s| (s.key.clone(), finite(s.value)))
            .collect(),
        drift: snap
            .drift
            .iter()
            .map(|d| DriftJson {
                row: crate::model::DriftRow {
                    score: finite(d.score),
                    threshold: finite(d.threshold),
                    ..d.clone()
                },
                score_kind: d
                    .method
                    .as_deref()
                    .map(parse::score_kind)
                    .unwrap_or(crate::model::ScoreKind::Unknown),
            })
            .collect(),
        drift_share: finite(snap.drift_share()),
    };
    if json {
        return write_json(out, &v);
    }
    show_text(&v, tz, snap, out)
}

fn show_text(v: &ShowJson, tz: TimeZoneChoice, snap: &Snapshot, out: &mut dyn Write) -> Result<()> {
    let field = |out: &mut dyn Write, k: &str, val: &str| writeln!(out, "{k:<10} {val}");
    field(out, "snapshot", &clean(&v.id))?;
    field(
        out,
        "project",
        &format!("{}  ({})", clean(&v.project_name), clean(&v.project_id)),
    )?;
    let naive = if v.timestamp_naive {
        format!("  (no zone in file; read as {tz})")
    } else {
        String::new()
    };
    field(
        out,
        "timestamp",
        &format!(
            "{}{naive}",
            tz.to_fixed(snap.timestamp).format("%Y-%m-%d %H:%M:%S %:z")
        ),
    )?;
    field(out, "name", &clean(v.name.as_deref().unwrap_or("-")))?;
    field(out, "kind", &format!("{} ({})", v.kind, v.generation))?;
    let tags = if v.tags.is_empty() {
        "-".to_string()
    } else {
        v.tags.join(", ")
    };
    field(out, "tags", &clean(&tags))?;
    if v.metadata.is_empty() {
        field(out, "metadata", "-")?;
    } else {
        for (i, (k, val)) in v.metadata.iter().enumerate() {
            let shown = match val {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let label = if i == 0 { "metadata" } else { "" };
            field(out, label, &truncate(&clean(&format!("{k} = {shown}")), 68))?;
        }
    }
    field(out, "file", &clean(&v.path))?;
    if let Some(inner) = &v.inner_id_mismatch {
        field(
            out,
            "warning",
            &format!("the file says id {}", clean(inner)),
        )?;
    }
    field(out, "tests", &counts_text(&v.test_counts))?;

    if !v.tests.is_empty() {
        writeln!(out, "\nTESTS ({})", v.tests.len())?;
        let mut tests: Vec<&TestJson> = v.tests.iter().collect();
        tests.sort_by_key(|t| t.status); // failures first; stable otherwise
        let mut t = Table::new(&["STATUS", "TEST", "COLUMN", "VALUE", "CONDITION"]);
        t.right(&[3]);
        for test in tests {
            t.row(vec![
                test.status.as_str().to_string(),
                truncate(&clean(&test.name), 36),
                truncate(&clean(test.column.as_deref().unwrap_or("")), 16),
                test.value.map(fmt_num).unwrap_or_default(),
                truncate(&clean(test.condition.as_deref().unwrap_or("")), 24),
            ]);
        }
        t.write(out)?;
    }

    if !v.drift.is_empty() {
        let drifted = v.drift.iter().filter(|d| d.drifted == Some(true)).count();
        let share = v
            .drift_share
            .map(|s| format!(", share {}", fmt_num(s)))
            .unwrap_or_default();
        writeln!(
            out,
            "\nDRIFT ({}, {drifted} drifted{share})",
            plural(v.drift.len(), "column")
        )?;
        let mut t = Table::new(&["COLUMN", "TYPE", "METHOD", "SCORE", "THRESH", "DRIFT"]);
        t.right(&[3, 4]);
        for d in &v.drift {
            let flag = match (d.drifted, d.inferred) {
                (Some(true), false) => "yes",
                (Some(true), true) => "yes*",
                (Some(false), false) => "no",
                (Some(false), true) => "no*",
                (None, _) => "?",
            };
            t.row(vec![
                truncate(&clean(&d.column), 22),
                clean(d.column_type.as_deref().unwrap_or("")).into_owned(),
                truncate(&clean(d.method.as_deref().unwrap_or("")), 22),
                d.score.map(fmt_num).unwrap_or_else(|| "-".into()),
                d.threshold.map(fmt_num).unwrap_or_else(|| "-".into()),
                flag.into(),
            ]);
        }
        t.write(out)?;
        if v.drift.iter().any(|d| d.inferred) {
            writeln!(
                out,
                "* inferred from the method's direction (not in the file)"
            )?;
        }
    }

    if !v.series.is_empty() {
        writeln!(out, "\nSERIES ({})", v.series.len())?;
        let mut t = Table::new(&["KEY", "VALUE"]);
        t.right(&[1]);
        for (k, val) in &v.series {
            t.row(vec![
                clean(k).into_owned(),
                val.map(fmt_num).unwrap_or_else(|| "null".into()),
            ]);
        }
        t.write(out)?;
    }
    Ok(())
}

/// `snapscope series`.
pub fn series(
    path: &Path,
    project: &str,
    global: &GlobalOpts,
    json: bool,
    out: &mut dyn Write,
) -> Result<()> {
    let (catalog, _) = load(path, global)?;
    let p = resolve_project(&catalog, project)?;
    let rows: Vec<SeriesJson> = catalog
        .series_keys(&p.project.id)
        .into_iter()
        .map(|(key, points)| SeriesJson { key, points })
        .collect();
    if json {
        return write_json(out, &rows);
    }
    writeln!(
        out,
        "{}  ({} series over {} snapshots)",
        clean(&p.project.name),
        rows.len(),
        p.snapshots.len()
    )?;
    let mut t = Table::new(&["POINTS", "KEY"]);
    t.right(&[0]);
    for r in &rows {
        t.row(vec![r.points.to_string(), clean(&r.key).into_owned()]);
    }
    t.write(out)?;
    Ok(())
}

/// How `snapscope trend` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrendFormat {
    Text,
    Json,
    /// `snapshot,timestamp,value`, RFC 4180.
    Csv,
}

/// `snapscope trend`.
pub fn trend(
    path: &Path,
    project: &str,
    key: &str,
    global: &GlobalOpts,
    format: TrendFormat,
    out: &mut dyn Write,
) -> Result<()> {
    let tz = global.tz;
    let (catalog, _) = load(path, global)?;
    let p = resolve_project(&catalog, project)?;
    let points = catalog.trend(&p.project.id, key);
    if points.is_empty() {
        return Err(HeadlessError::SeriesNotFound {
            project: p.project.name.clone(),
            key: key.to_string(),
            hint: series_hint(&catalog, &p.project.id, key),
        });
    }
    let rows: Vec<TrendJson> = points
        .iter()
        .map(|(s, v)| TrendJson {
            snapshot: s.id.clone(),
            timestamp: rfc3339(s.timestamp, tz),
            value: finite(*v),
        })
        .collect();
    match format {
        TrendFormat::Json => return write_json(out, &rows),
        TrendFormat::Csv => return trend_csv(&rows, out),
        TrendFormat::Text => {}
    }
    writeln!(out, "{}  {}", clean(&p.project.name), clean(key))?;
    let mut t = Table::new(&["TIMESTAMP", "SNAPSHOT", "VALUE"]);
    t.right(&[2]);
    for ((s, _), r) in points.iter().zip(&rows) {
        t.row(vec![
            short_time(s.timestamp, tz),
            clean(&r.snapshot).into_owned(),
            r.value.map(fmt_num).unwrap_or_else(|| "null".into()),
        ]);
    }
    t.write(out)?;
    Ok(())
}

/// Trend rows as CSV (LF line ends, which RFC 4180 readers accept): the
/// header, then one line per point; the value in
/// shortest round-trip form (as in JSON), empty for null. Ids pass through the
/// sanitizer like any text output.
fn trend_csv(rows: &[TrendJson], out: &mut dyn Write) -> Result<()> {
    writeln!(out, "snapshot,timestamp,value")?;
    for r in rows {
        let value = r.value.map(|v| v.to_string()).unwrap_or_default();
        writeln!(
            out,
            "{},{},{}",
            csv_field(&clean(&r.snapshot)),
            csv_field(&r.timestamp),
            value
        )?;
    }
    Ok(())
}

/// One CSV field per RFC 4180: quoted (inner quotes doubled) when it holds a
/// comma, quote, CR or LF.
pub fn csv_field(s: &str) -> Cow<'_, str> {
    if s.contains([',', '"', '\r', '\n']) {
        Cow::Owned(format!("\"{}\"", s.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(s)
    }
}

/// Suggest keys of the same metric type ending in the same field.
fn series_hint(catalog: &Catalog, project_id: &str, key: &str) -> String {
    let metric = key.split(['{', '.']).next().unwrap_or(key);
    let field = key.rsplit('.').next().unwrap_or(key);
    let keys = catalog.series_keys(project_id);
    let mut close: Vec<&str> = keys
        .iter()
        .map(|(k, _)| k.as_str())
        .filter(|k| k.split(['{', '.']).next() == Some(metric) && k.ends_with(field))
        .take(3)
        .collect();
    if close.is_empty() {
        close = keys
            .iter()
            .map(|(k, _)| k.as_str())
            .filter(|k| k.split(['{', '.']).next() == Some(metric))
            .take(3)
            .collect();
    }
    if close.is_empty() {
        "; list the keys with `snapscope series PATH --project ...`".into()
    } else {
        format!("; did you mean {}?", close.join(" or "))
    }
}

/// `snapscope scan`.
pub fn scan(path: &Path, global: &GlobalOpts, json: bool, out: &mut dyn Write) -> Result<()> {
    let (_, report) = load(path, global)?;
    if json {
        let v = ScanJson {
            projects: report.projects,
            snapshots: report.snapshots,
            unreadable: report
                .unreadable
                .iter()
                .map(|u| UnreadableJson {
                    path: path_string(&u.path),
                    reason: u.reason.clone(),
                    project_id: u.project_id.clone(),
                })
                .collect(),
            elapsed_ms: report.elapsed_ms,
            root: path_string(&report.root),
            layout: layout_name(report.layout),
            bytes_read: report.bytes_read,
        };
        return write_json(out, &v);
    }
    let mb = report.bytes_read as f64 / 1_048_576.0;
    writeln!(
        out,
        "{} ({}): {} projects, {} snapshots, {} unreadable",
        clean_path(&report.root),
        layout_name(report.layout),
        report.projects,
        report.snapshots,
        report.unreadable.len()
    )?;
    writeln!(out, "read {mb:.1} MiB in {} ms", report.elapsed_ms)?;
    if !report.unreadable.is_empty() {
        writeln!(out, "\nUNREADABLE")?;
        for u in &report.unreadable {
            let shown = u.path.strip_prefix(&report.root).unwrap_or(&u.path);
            writeln!(out, "{}", clean_path(shown))?;
            writeln!(out, "  {}", clean(&u.reason))?;
        }
    }
    Ok(())
}

fn layout_name(l: Layout) -> &'static str {
    match l {
        Layout::Workspace => "workspace",
        Layout::Project => "project",
        Layout::Flat => "flat",
    }
}

// ---------------------------------------------------------------- text helpers

pub(crate) fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

pub(crate) fn short_time(t: DateTime<Utc>, tz: TimeZoneChoice) -> String {
    tz.to_fixed(t).format("%Y-%m-%d %H:%M").to_string()
}

/// Test counts as text, worst first: `2 fail, 1 warn, 15 ok`; `-` when none ran.
pub fn counts_text(c: &TestCounts) -> String {
    let parts: Vec<String> = [
        (c.fail, "fail"),
        (c.error, "error"),
        (c.warning, "warn"),
        (c.success, "ok"),
        (c.skipped, "skip"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, l)| format!("{n} {l}"))
    .collect();
    if parts.is_empty() {
        "-".into()
    } else {
        parts.join(", ")
    }
}

/// A number for reading: integers plainly, others with up to 4 decimals,
/// tiny or huge values in scientific notation.
pub fn fmt_num(v: f64) -> String {
    if !v.is_finite() {
        return "null".into();
    }
    let a = v.abs();
    if v == v.trunc() && a < 1e15 {
        format!("{v:.0}")
    } else if a != 0.0 && !(1e-3..1e9).contains(&a) {
        format!("{v:.3e}")
    } else {
        let s = format!("{v:.4}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        if s == "-0" || s.is_empty() {
            format!("{v:.3e}")
        } else {
            s.to_string()
        }
    }
}

/// Cut `s` to at most `max` display columns, ending with `…` when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if s.width() <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if w + cw + 1 > max {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

/// A minimal aligned text table (display-width aware). Rows may carry
/// full-width note lines printed right after them.
pub(crate) struct Table {
    headers: Vec<String>,
    right: Vec<usize>,
    rows: Vec<(Vec<String>, Vec<String>)>,
}

impl Table {
    pub(crate) fn new(headers: &[&str]) -> Table {
        Table {
            headers: headers.iter().map(|h| h.to_string()).collect(),
            right: Vec::new(),
            rows: Vec::new(),
        }
    }

    pub(crate) fn right(&mut self, cols: &[usize]) {
        self.right.extend_from_slice(cols);
    }

    pub(crate) fn row(&mut self, cells: Vec<String>) {
        self.rows.push((cells, Vec::new()));
    }

    pub(crate) fn note(&mut self, line: String) {
        if let Some((_, notes)) = self.rows.last_mut() {
            notes.push(line);
        }
    }

    pub(crate) fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        let n = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.width()).collect();
        for (cells, _) in &self.rows {
            for (i, c) in cells.iter().enumerate().take(n) {
                widths[i] = widths[i].max(c.width());
            }
        }
        let line = |cells: &[String]| {
            let mut s = String::new();
            for (i, c) in cells.iter().enumerate().take(n) {
                let pad = widths[i].saturating_sub(c.width());
                let last = i + 1 == n;
                if self.right.contains(&i) {
                    s.push_str(&" ".repeat(pad));
                    s.push_str(c);
                } else {
                    s.push_str(c);
                    if !last {
                        s.push_str(&" ".repeat(pad));
                    }
                }
                if !last {
                    s.push_str("  ");
                }
            }
            s.trim_end().to_string()
        };
        writeln!(out, "{}", line(&self.headers))?;
        for (cells, notes) in &self.rows {
            writeln!(out, "{}", line(cells))?;
            for note in notes {
                writeln!(out, "{note}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn time_bounds_are_inclusive_in_the_chosen_zone() {
        let now = at("2024-04-10T12:00:00Z");
        let utc = TimeZoneChoice::Utc;
        let b = |s: &str, k| parse_time_bound(s, utc, now, k).unwrap();
        assert_eq!(
            b("2024-03-25", BoundKind::Since),
            at("2024-03-25T00:00:00Z")
        );
        assert_eq!(
            b("2024-03-25", BoundKind::Until),
            at("2024-03-25T23:59:59.999999999Z")
        );
        assert_eq!(
            b("2024-03-25T02:10", BoundKind::Until),
            at("2024-03-25T02:10:59.999999999Z")
        );
        assert_eq!(
            b("2024-03-25 02:10:58", BoundKind::Until),
            at("2024-03-25T02:10:58.999999999Z")
        );
        assert_eq!(
            b("2024-03-25T02:10:58", BoundKind::Since),
            at("2024-03-25T02:10:58Z")
        );
        assert_eq!(
            b("2024-03-25T02:10:58+02:00", BoundKind::Until),
            at("2024-03-25T00:10:58Z")
        );
        assert_eq!(b("7d", BoundKind::Since), at("2024-04-03T12:00:00Z"));
        assert_eq!(b("24h", BoundKind::Until), at("2024-04-09T12:00:00Z"));
        assert_eq!(b("30m", BoundKind::Since), at("2024-04-10T11:30:00Z"));
        let berlin: TimeZoneChoice = "Europe/Berlin".parse().unwrap();
        assert_eq!(
            parse_time_bound("2024-03-25", berlin, now, BoundKind::Since).unwrap(),
            Utc.with_ymd_and_hms(2024, 3, 24, 23, 0, 0).unwrap()
        );
        for bad in [
            "yesterday",
            "7x",
            "-3d",
            "2024-13-01",
            "",
            "99999999999999999d",
        ] {
            assert!(
                parse_time_bound(bad, utc, now, BoundKind::Since).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn numbers_and_counts_read_well() {
        assert_eq!(fmt_num(3.0), "3");
        assert_eq!(fmt_num(0.16666666), "0.1667");
        assert_eq!(fmt_num(0.05), "0.05");
        assert_eq!(fmt_num(0.00001234), "1.234e-5");
        assert_eq!(fmt_num(-2.5), "-2.5");
        assert_eq!(fmt_num(f64::NAN), "null");
        let mut c = TestCounts::default();
        assert_eq!(counts_text(&c), "-");
        c.success = 15;
        c.fail = 2;
        c.warning = 3;
        assert_eq!(counts_text(&c), "2 fail, 3 warn, 15 ok");
    }

    #[test]
    fn csv_fields_are_quoted_per_rfc_4180() {
        assert_eq!(csv_field("plain-id"), "plain-id");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn truncation_respects_display_width() {
        assert_eq!(truncate("abcdef", 6), "abcdef");
        assert_eq!(truncate("abcdefg", 6), "abcde…");
        assert_eq!(truncate("日本語テキスト", 7), "日本語…");
    }

    #[test]
    fn table_aligns_columns() {
        let mut t = Table::new(&["A", "NUM", "C"]);
        t.right(&[1]);
        t.row(vec!["xx".into(), "5".into(), "last".into()]);
        t.row(vec!["y".into(), "123".into(), "".into()]);
        let mut buf = Vec::new();
        t.write(&mut buf).unwrap();
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            "A   NUM  C\nxx    5  last\ny   123\n"
        );
    }
}
