//! `snapscope watch PATH [--json]`: `tail -f` for snapshots. Prints a summary
//! once the first scan is done, then one line per change as it happens, until
//! the stop flag is set (Ctrl-C, SIGTERM, SIGHUP in the binary).

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crossbeam_channel::RecvTimeoutError;
use serde_json::{json, Map, Value};

use crate::index::{self, IndexEvent};
use crate::index::{Catalog, ProjectEntry, SnapshotEntry};
use crate::index::{LiveError, LiveIndex, LiveOptions};
use crate::model::TestCounts;
use crate::text::sanitize;

/// Why `snapscope watch` stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum WatchCmdError {
    #[error(transparent)]
    Start(#[from] LiveError),
    #[error("cannot write output: {0}")]
    Output(#[source] io::Error),
    #[error("the indexing thread ended unexpectedly")]
    Disconnected,
}

/// A flag set by SIGINT, SIGTERM or SIGHUP. A second SIGINT while the flag is
/// already set exits at once (for a stuck shutdown).
pub fn install_stop_signals() -> io::Result<Arc<AtomicBool>> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let flag = Arc::new(AtomicBool::new(false));
    for sig in [SIGINT, SIGTERM, SIGHUP] {
        signal_hook::flag::register_conditional_shutdown(sig, 130, flag.clone())?;
        signal_hook::flag::register(sig, flag.clone())?;
    }
    Ok(flag)
}

/// Run the watch command until `stop` is set. Output errors other than a
/// closed pipe are returned; a closed pipe (`| head`) ends the command quietly.
pub fn run_watch(
    root: &Path,
    opts: &LiveOptions,
    json: bool,
    out: &mut dyn Write,
    stop: &AtomicBool,
) -> Result<(), WatchCmdError> {
    let (live, rx) = LiveIndex::start(root, *opts)?;
    let mut w = Printer {
        root: live.root().to_path_buf(),
        opts: *opts,
        json,
        catalog: Catalog::new(),
        pending: BTreeSet::new(),
        mode: None,
    };
    let mut scanning = true;
    let result = loop {
        if stop.load(Ordering::Relaxed) {
            break Ok(());
        }
        let ev = match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(ev) => ev,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => break Err(WatchCmdError::Disconnected),
        };
        let written = if scanning {
            let finished = match &ev {
                IndexEvent::ScanFinished { elapsed_ms } => Some(*elapsed_ms),
                _ => None,
            };
            w.absorb(&ev);
            match finished {
                Some(ms) => {
                    scanning = false;
                    w.summary(ms, out)
                }
                None => Ok(()),
            }
        } else {
            let line = w.line(&ev);
            w.absorb(&ev);
            match line {
                Some(line) => writeln!(out, "{line}").and_then(|_| out.flush()),
                None => Ok(()),
            }
        };
        match written {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => break Ok(()),
            Err(e) => break Err(WatchCmdError::Output(e)),
        }
    };
    live.stop();
    result
}

struct Printer {
    root: PathBuf,
    opts: LiveOptions,
    json: bool,
    catalog: Catalog,
    pending: BTreeSet<PathBuf>,
    /// The watch mode in effect and its note.
    mode: Option<(String, Option<String>)>,
}

impl Printer {
    /// Apply an event to the printer's own catalog and bookkeeping.
    fn absorb(&mut self, ev: &IndexEvent) {
        match ev {
            IndexEvent::Pending { path, .. } => {
                self.pending.insert(path.clone());
            }
            IndexEvent::SnapshotAdded(e) | IndexEvent::SnapshotUpdated(e) => {
                self.pending.remove(&*e.path);
            }
            IndexEvent::SnapshotsAdded(es) => {
                for e in es.iter() {
                    self.pending.remove(&*e.path);
                }
            }
            IndexEvent::SnapshotRemoved { path, .. } | IndexEvent::Cleared { path } => {
                self.pending.remove(path);
            }
            IndexEvent::Unreadable(u) => {
                self.pending.remove(&u.path);
            }
            IndexEvent::ProjectRemoved { project_id } => {
                let folder = self
                    .catalog
                    .project(project_id)
                    .map(|p| p.project.folder.clone());
                if let Some(folder) = folder {
                    self.pending.retain(|p| !p.starts_with(&folder));
                }
            }
            IndexEvent::WatcherStatus { mode, message } => {
                self.mode = Some((mode.clone(), message.clone()));
            }
            _ => {}
        }
        index::apply_event(&mut self.catalog, ev);
    }

    fn rel<'a>(&self, path: &'a Path) -> &'a Path {
        match path.strip_prefix(&self.root) {
            Ok(r) if !r.as_os_str().is_empty() => r,
            _ => path,
        }
    }

    fn project_name(&self, id: &str) -> String {
        self.catalog
            .project(id)
            .map(|p| p.project.name.clone())
            .unwrap_or_else(|| id.to_string())
    }

    fn summary(&self, elapsed_ms: u64, out: &mut dyn Write) -> io::Result<()> {
        let unreadable: Vec<_> = self.catalog.unreadable().collect();
        let (mode, note) = self.mode.clone().unwrap_or(("off".into(), None));
        if self.json {
            let projects: Vec<Value> = self
                .catalog
                .projects()
                .iter()
                .map(|p| {
                    let latest = p.latest().map(|e| {
                        json!({
                            "snapshot_id": e.snapshot.id,
                            "timestamp": e.snapshot.timestamp.to_rfc3339(),
                            "tests": tests_json(&e.snapshot.test_counts()),
                        })
                    });
                    let with_tests = latest_with_tests(p).map(|e| {
                        json!({
                            "snapshot_id": e.snapshot.id,
                            "timestamp": e.snapshot.timestamp.to_rfc3339(),
                            "tests": tests_json(&e.snapshot.test_counts()),
                        })
                    });
                    json!({
                        "project_id": p.project.id,
                        "project_name": p.project.name,
                        "snapshots": p.snapshots.len(),
                        "unreadable": self.catalog.unreadable_in(&p.project.id),
                        "latest": latest,
                        "latest_with_tests": with_tests,
                    })
                })
                .collect();
            let v = json!({
                "event": "summary",
                "root": self.root.to_string_lossy(),
                "projects": self.catalog.projects().len(),
                "snapshots": self.catalog.snapshot_count(),
                "unreadable": unreadable.len(),
                "pending": self.pending.len(),
                "elapsed_ms": elapsed_ms,
                "watch_mode": mode,
                "watch_message": note,
                "project_list": projects,
                "unreadable_files": unreadable.iter().map(|u| json!({
                    "path": u.path.to_string_lossy(),
                    "project_id": u.project_id,
                    "reason": u.reason,
                })).collect::<Vec<_>>(),
            });
            writeln!(out, "{}", json_line(&v))?;
            return out.flush();
        }
        writeln!(
            out,
            "watching {}: {}, {}, {} unreadable, {} pending (scanned in {} ms)",
            sanitize::clean_path(&self.root),
            count(self.catalog.projects().len(), "project"),
            count(self.catalog.snapshot_count(), "snapshot"),
            unreadable.len(),
            self.pending.len(),
            elapsed_ms
        )?;
        for p in self.catalog.projects() {
            // Tests as `check` judges them: the latest run that has tests.
            let latest = match (p.latest(), latest_with_tests(p)) {
                (Some(e), Some(t)) => {
                    let c = t.snapshot.test_counts();
                    let when = if t.snapshot.id == e.snapshot.id {
                        String::new()
                    } else {
                        format!(" (run {})", self.fmt_time(t))
                    };
                    format!(
                        "{}, latest {}  {}  {}{when}",
                        count(p.snapshots.len(), "snapshot"),
                        self.fmt_time(e),
                        status_marker(&c).trim_end(),
                        tests_text(&c)
                    )
                }
                (Some(e), None) => format!(
                    "{}, latest {}  ·  no run with tests",
                    count(p.snapshots.len(), "snapshot"),
                    self.fmt_time(e),
                ),
                (None, _) => "no snapshots".into(),
            };
            writeln!(out, "  {}  {}", sanitize::clean(&p.project.name), latest)?;
        }
        for u in &unreadable {
            writeln!(
                out,
                "  ! {}: {}",
                sanitize::clean_path(self.rel(&u.path)),
                sanitize::clean(&u.reason)
            )?;
        }
        match note {
            Some(n) => writeln!(out, "watch mode {mode}: {}", sanitize::clean(&n))?,
            None => writeln!(out, "watch mode {mode}")?,
        }
        out.flush()
    }

    fn fmt_time(&self, e: &SnapshotEntry) -> String {
        self.opts
            .parse
            .tz
            .to_fixed(e.snapshot.timestamp)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    }

    /// The output line for an event (before it is applied), if it gets one
    /// (one line per snapshot for [`IndexEvent::SnapshotsAdded`]).
    fn line(&self, ev: &IndexEvent) -> Option<String> {
        if let IndexEvent::SnapshotsAdded(es) = ev {
            let lines: Vec<String> = es
                .iter()
                .filter_map(|e| self.line(&IndexEvent::SnapshotAdded(e.clone())))
                .collect();
            return (!lines.is_empty()).then(|| lines.join("\n"));
        }
        if self.json {
            self.json_event(ev).map(|v| json_line(&v))
        } else {
            self.text_event(ev)
        }
    }

    fn json_event(&self, ev: &IndexEvent) -> Option<Value> {
        let mut m = Map::new();
        let mut set = |k: &str, v: Value| {
            m.insert(k.to_string(), v);
        };
        let name = match ev {
            // One line per snapshot (see `line`).
            IndexEvent::SnapshotsAdded(_) => return None,
            IndexEvent::SnapshotAdded(e) | IndexEvent::SnapshotUpdated(e) => {
                let s = &e.snapshot;
                set("project_id", json!(s.project_id));
                set("project_name", json!(self.project_name(&s.project_id)));
                set("snapshot_id", json!(s.id));
                set("timestamp", json!(s.timestamp.to_rfc3339()));
                set("name", json!(s.name));
                set("generation", json!(s.generation.as_str()));
                set("kind", json!(s.kind.as_str()));
                set("tags", json!(s.tags));
                set("tests", tests_json(&s.test_counts()));
                set("path", json!(e.path.to_string_lossy()));
                if matches!(ev, IndexEvent::SnapshotAdded(_)) {
                    "added"
                } else {
                    "updated"
                }
            }
            IndexEvent::SnapshotRemoved {
                path,
                project_id,
                snapshot_id,
            } => {
                set("project_id", json!(project_id));
                set("project_name", json!(self.project_name(project_id)));
                set("snapshot_id", json!(snapshot_id));
                set("path", json!(path.to_string_lossy()));
                "removed"
            }
            IndexEvent::Pending { path, reason } => {
                set("path", json!(path.to_string_lossy()));
                set("reason", json!(reason));
                "pending"
            }
            IndexEvent::Unreadable(u) => {
                set("project_id", json!(u.project_id));
                set("path", json!(u.path.to_string_lossy()));
                set("reason", json!(u.reason));
                "unreadable"
            }
            IndexEvent::Cleared { path } => {
                set("path", json!(path.to_string_lossy()));
                "cleared"
            }
            IndexEvent::ProjectAdded(p) | IndexEvent::ProjectUpdated(p) => {
                set("project_id", json!(p.id));
                set("project_name", json!(p.name));
                set("path", json!(p.folder.to_string_lossy()));
                if matches!(ev, IndexEvent::ProjectAdded(_)) {
                    "project_added"
                } else {
                    "project_updated"
                }
            }
            IndexEvent::ProjectRemoved { project_id } => {
                set("project_id", json!(project_id));
                set("project_name", json!(self.project_name(project_id)));
                "project_removed"
            }
            IndexEvent::WatcherStatus { mode, message } => {
                set("mode", json!(mode));
                set("reason", json!(message));
                "watcher"
            }
            IndexEvent::ScanProgress { .. } | IndexEvent::ScanFinished { .. } => return None,
        };
        let mut v = Map::new();
        v.insert("event".into(), json!(name));
        for k in [
            "project_id",
            "snapshot_id",
            "timestamp",
            "tests",
            "path",
            "reason",
        ] {
            v.insert(k.into(), m.remove(k).unwrap_or(Value::Null));
        }
        v.extend(m);
        Some(Value::Object(v))
    }

    fn text_event(&self, ev: &IndexEvent) -> Option<String> {
        let now = chrono::Local::now().format("%H:%M:%S");
        let clean = |s: &str| sanitize::clean(s).into_owned();
        let path = |p: &Path| sanitize::clean_path(self.rel(p));
        let body = match ev {
            // One line per snapshot (see `line`).
            IndexEvent::SnapshotsAdded(_) => return None,
            IndexEvent::SnapshotAdded(e) | IndexEvent::SnapshotUpdated(e) => {
                let s = &e.snapshot;
                let counts = s.test_counts();
                let verb = if matches!(ev, IndexEvent::SnapshotAdded(_)) {
                    "added  "
                } else {
                    "updated"
                };
                let name = s
                    .name
                    .as_deref()
                    .map(|n| format!("  \"{}\"", clean(n)))
                    .unwrap_or_default();
                format!(
                    "{} {verb}  {} / {}  {}{name}  {}",
                    status_marker(&counts),
                    clean(&self.project_name(&s.project_id)),
                    clean(&s.id),
                    self.fmt_time(e),
                    tests_text(&counts)
                )
            }
            IndexEvent::SnapshotRemoved {
                path: p,
                project_id,
                snapshot_id,
            } => format!(
                "-  removed  {} / {}  ({})",
                clean(&self.project_name(project_id)),
                clean(snapshot_id),
                path(p)
            ),
            IndexEvent::Pending { path: p, reason } => {
                format!("…  pending  {}: {}", path(p), clean(reason))
            }
            IndexEvent::Unreadable(u) => {
                format!("!  unreadable  {}: {}", path(&u.path), clean(&u.reason))
            }
            IndexEvent::Cleared { path: p } => format!("   cleared  {}", path(p)),
            IndexEvent::ProjectAdded(p) => {
                format!("+  project added  {} ({})", clean(&p.name), clean(&p.id))
            }
            IndexEvent::ProjectUpdated(p) => {
                let old = self.project_name(&p.id);
                if old != p.name {
                    format!(
                        "~  project renamed  {} -> {} ({})",
                        clean(&old),
                        clean(&p.name),
                        clean(&p.id)
                    )
                } else {
                    format!("~  project updated  {} ({})", clean(&p.name), clean(&p.id))
                }
            }
            IndexEvent::ProjectRemoved { project_id } => format!(
                "-  project removed  {} ({})",
                clean(&self.project_name(project_id)),
                clean(project_id)
            ),
            IndexEvent::WatcherStatus { mode, message } => match message {
                Some(m) => format!("#  watch mode {}: {}", clean(mode), clean(m)),
                None => format!("#  watch mode {}", clean(mode)),
            },
            IndexEvent::ScanProgress { .. } | IndexEvent::ScanFinished { .. } => return None,
        };
        Some(format!("{now} {body}"))
    }
}

/// The project's latest snapshot that carries tests (the run `check` judges).
fn latest_with_tests(p: &ProjectEntry) -> Option<&SnapshotEntry> {
    p.snapshots
        .iter()
        .rev()
        .find(|e| !e.snapshot.tests.is_empty())
}

/// `1 project`, `3 projects`.
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// A marker visible at a glance: `✗ FAIL` when any test failed or errored.
fn status_marker(c: &TestCounts) -> &'static str {
    if c.fail > 0 || c.error > 0 {
        "✗ FAIL"
    } else if c.warning > 0 {
        "⚠ WARN"
    } else if c.success > 0 {
        "✓ PASS"
    } else {
        "·     "
    }
}

/// `6 tests: FAIL 1, WARNING 1, SUCCESS 4` (zero counts left out).
fn tests_text(c: &TestCounts) -> String {
    if c.total() == 0 {
        return "no tests".into();
    }
    let parts: Vec<String> = [
        ("FAIL", c.fail),
        ("ERROR", c.error),
        ("WARNING", c.warning),
        ("SUCCESS", c.success),
        ("SKIPPED", c.skipped),
    ]
    .iter()
    .filter(|(_, n)| *n > 0)
    .map(|(k, n)| format!("{k} {n}"))
    .collect();
    let noun = if c.total() == 1 { "test" } else { "tests" };
    format!("{} {noun}: {}", c.total(), parts.join(", "))
}

fn tests_json(c: &TestCounts) -> Value {
    json!({
        "success": c.success,
        "fail": c.fail,
        "warning": c.warning,
        "error": c.error,
        "skipped": c.skipped,
    })
}

/// Serialize one JSON line, with every character a terminal could act on
/// (C1 controls, DEL, bidi overrides...) written as a `\u` escape: the value
/// is unchanged for JSON readers and harmless on a terminal.
fn json_line(v: &Value) -> String {
    let s = v.to_string();
    let unsafe_char = |c: char| {
        !(' '..='~').contains(&c) && {
            let mut buf = [0u8; 4];
            matches!(sanitize::clean(c.encode_utf8(&mut buf)), Cow::Owned(_))
        }
    };
    if !s.chars().any(unsafe_char) {
        return s;
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if unsafe_char(c) {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lines_escape_terminal_controls_but_keep_values() {
        let hostile = "a\u{1b}]52;c;x\u{7}b\u{9b}2J\u{202e}c\u{7f}é✓";
        let line = json_line(&json!({ "name": hostile }));
        assert!(line.is_ascii() || !line.chars().any(|c| c.is_control()));
        assert!(!line.contains('\u{9b}') && !line.contains('\u{202e}') && !line.contains('\u{7f}'));
        assert!(line.contains("é✓"));
        let back: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(back["name"], hostile);
    }

    #[test]
    fn test_counts_text() {
        let c = TestCounts {
            success: 4,
            fail: 1,
            warning: 1,
            error: 0,
            skipped: 0,
        };
        assert_eq!(tests_text(&c), "6 tests: FAIL 1, WARNING 1, SUCCESS 4");
        assert_eq!(status_marker(&c), "✗ FAIL");
        assert_eq!(tests_text(&TestCounts::default()), "no tests");
        let ok = TestCounts {
            success: 1,
            ..TestCounts::default()
        };
        assert_eq!(tests_text(&ok), "1 test: SUCCESS 1");
        assert_eq!(status_marker(&ok), "✓ PASS");
    }
}
