//! `snapscope compare`: what changed between two snapshots of a project
//! (flipped tests, moved series, drift and metadata), from
//! [`compare`](crate::analysis::compare).

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use crate::analysis::compare::{self as cmp, Comparison};
use crate::analysis::pair;
use crate::cmd::args::{CompareArgs, GlobalOpts};
use crate::cmd::error::{HeadlessError, Result};
use crate::cmd::output::{counts_text, rfc3339, short_time, write_json, Table, WIDTH};
use crate::cmd::select::{
    ambiguous_snapshot, condition, load, project_needed, project_or_only, resolve_project,
    snapshot_matches,
};
use crate::index::{Catalog, ProjectEntry};
use crate::model::{Snapshot, TestStatus};
use crate::parse::TimeZoneChoice;
use crate::text::num::fmt_num;
use crate::text::sanitize::clean;
use crate::text::width::{truncate, ELLIPSIS};

/// Moved series shown in the text form of `compare` (JSON has all).
const TEXT_MOVED: usize = 15;

/// `snapscope compare --json`: the [`Comparison`] plus where A and B come from.
#[derive(Debug, Serialize)]
pub struct CompareJson {
    pub project_id: String,
    pub project_name: String,
    pub a_timestamp: String,
    pub b_timestamp: String,
    /// How the pair was chosen (the onset rule by default; see
    /// [`pair::PairRule::note`]), or "A and B as given".
    pub note: String,
    #[serde(flatten)]
    pub comparison: Comparison,
}

fn is_keyword(spec: &str) -> bool {
    matches!(spec, "latest" | "latest-pass" | "latest-fail")
}

/// The project for `compare` without `--project`: the only one, or the one
/// holding every snapshot id given.
fn infer_compare_project<'a>(
    catalog: &'a Catalog,
    specs: &[&str],
    root: &Path,
) -> Result<&'a ProjectEntry> {
    let all = catalog.projects();
    if let [one] = all.as_slice() {
        return Ok(one);
    }
    let ids: Vec<&str> = specs.iter().copied().filter(|s| !is_keyword(s)).collect();
    if ids.is_empty() {
        return project_or_only(catalog, None, root);
    }
    let mut holding: Vec<&ProjectEntry> = all.clone();
    for id in &ids {
        let found = snapshot_matches(&all, id)?;
        if found.is_empty() {
            return Err(HeadlessError::SnapshotNotFound((*id).to_string()));
        }
        holding.retain(|p| found.iter().any(|(q, _)| q.project.id == p.project.id));
    }
    match holding.as_slice() {
        [one] => Ok(one),
        _ => Err(project_needed(&all, root)),
    }
}

/// The snapshot `spec` names in project `p`: a keyword, an id or a unique
/// id prefix (too short, ambiguous and unknown are told apart).
fn pick(p: &ProjectEntry, spec: &str) -> Result<Arc<Snapshot>> {
    let not_found = || HeadlessError::NoSnapshotIn {
        spec: spec.to_string(),
        project: p.project.name.clone(),
    };
    if is_keyword(spec) {
        return cmp::resolve(p, spec).ok_or_else(not_found);
    }
    match snapshot_matches(&[p], spec)?.as_slice() {
        [] => Err(not_found()),
        [(_, one)] => Ok(one.snapshot.clone()),
        many => Err(ambiguous_snapshot(spec, many)),
    }
}

/// `snapscope compare`: what changed between snapshots A and B of a project.
pub fn compare(args: &CompareArgs, global: &GlobalOpts, out: &mut dyn Write) -> Result<()> {
    let tz = global.tz;
    let (catalog, report) = load(&args.path, global)?;
    let specs: Vec<&str> = [args.a.as_deref(), args.b.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    let p = match &args.project {
        Some(q) => resolve_project(&catalog, q)?,
        None => infer_compare_project(&catalog, &specs, &report.root)?,
    };
    let (a, b, note) = match (args.a.as_deref(), args.b.as_deref()) {
        (Some(a), Some(b)) => (pick(p, a)?, pick(p, b)?, "A and B as given".to_string()),
        _ => {
            let pair = if args.latest_failure {
                pair::latest_failure_pair(p)
            } else {
                pair::onset_pair(p)
            }
            .ok_or_else(|| HeadlessError::NoComparePair(p.project.name.clone()))?;
            (pair.a, pair.b, pair.rule.note().to_string())
        }
    };
    let comparison = cmp::compare(&a, &b);
    if args.json {
        let v = CompareJson {
            project_id: p.project.id.clone(),
            project_name: p.project.name.clone(),
            a_timestamp: rfc3339(a.timestamp, tz),
            b_timestamp: rfc3339(b.timestamp, tz),
            note,
            comparison,
        };
        return write_json(out, &v);
    }
    compare_text(p, &a, &b, &comparison, &note, tz, out)
}

fn status_or_dash(s: Option<TestStatus>) -> &'static str {
    s.map_or("-", TestStatus::as_str)
}

fn drift_word(d: Option<bool>) -> &'static str {
    match d {
        Some(true) => "yes",
        Some(false) => "no",
        None => "-",
    }
}

fn compare_text(
    p: &ProjectEntry,
    a: &Snapshot,
    b: &Snapshot,
    c: &Comparison,
    note: &str,
    tz: TimeZoneChoice,
    out: &mut dyn Write,
) -> Result<()> {
    writeln!(
        out,
        "{}",
        truncate(&clean(&p.project.name), WIDTH, ELLIPSIS)
    )?;
    writeln!(out, "pair: {note}")?;
    for (label, s) in [("A", a), ("B", b)] {
        writeln!(
            out,
            "{label}  {}  {}  {}",
            clean(&s.id),
            short_time(s.timestamp, tz),
            truncate(&counts_text(&s.test_counts()), 20, ELLIPSIS)
        )?;
    }

    writeln!(
        out,
        "\nFLIPPED TESTS ({}; - = not in that run{})",
        c.flipped.len(),
        match c
            .flipped
            .iter()
            .filter(|f| f.condition_changed.is_some())
            .count()
        {
            0 => String::new(),
            n => format!("; {n} with a changed condition"),
        }
    )?;
    if c.flipped.is_empty() {
        writeln!(out, "  none")?;
    } else {
        let mut t = Table::new(&["FROM", "TO", "TEST"]);
        for f in &c.flipped {
            // Same name, other configuration: the condition tells them apart.
            let twin = c.flipped.iter().filter(|g| g.test == f.test).count() > 1;
            let s = if f.to.is_some() { b } else { a };
            let label = match (&f.condition_changed, condition(s, &f.identity)) {
                (Some(_), _) => format!("{} (condition changed)", f.test),
                (None, Some(cond)) if twin => format!("{} [{cond}]", f.test),
                _ => f.test.clone(),
            };
            t.row(vec![
                status_or_dash(f.from).to_string(),
                status_or_dash(f.to).to_string(),
                truncate(&clean(&label), WIDTH - 18, ELLIPSIS),
            ]);
            // The conditions on a line of their own, never cut.
            if let Some(cc) = &f.condition_changed {
                t.note(format!(
                    "                  condition {} -> {}",
                    clean(cc.from.as_deref().unwrap_or("?")),
                    clean(cc.to.as_deref().unwrap_or("?"))
                ));
            }
        }
        t.write(out)?;
    }

    let shown = c.moved.len().min(TEXT_MOVED);
    let of = if shown < c.moved.len() {
        format!("top {shown} of {}, ", c.moved.len())
    } else {
        String::new()
    };
    writeln!(out, "\nMOVED SERIES ({of}largest relative change first)")?;
    if c.moved.is_empty() {
        writeln!(out, "  none")?;
    } else {
        let cells: Vec<[String; 4]> = c.moved[..shown]
            .iter()
            .map(|m| {
                [
                    fmt_num(m.a),
                    fmt_num(m.b),
                    signed(m.delta),
                    m.relative
                        .map(|r| format!("{:+.1}%", r * 100.0))
                        .unwrap_or_else(|| "-".into()),
                ]
            })
            .collect();
        let used: usize = (0..4)
            .map(|i| {
                cells
                    .iter()
                    .map(|r| r[i].width())
                    .chain([["A", "B", "DELTA", "REL"][i].len()])
                    .max()
                    .unwrap_or(0)
                    + 2
            })
            .sum();
        let room = WIDTH.saturating_sub(used).max(16);
        let mut t = Table::new(&["A", "B", "DELTA", "REL", "SERIES"]);
        t.right(&[0, 1, 2, 3]);
        for (m, [va, vb, d, r]) in c.moved[..shown].iter().zip(cells) {
            t.row(vec![
                va,
                vb,
                d,
                r,
                truncate(&clean(&m.series), room, ELLIPSIS),
            ]);
        }
        t.write(out)?;
    }

    writeln!(out, "\nDRIFT CHANGES ({})", c.drift_changed.len())?;
    if c.drift_changed.is_empty() {
        writeln!(out, "  none")?;
    } else {
        let mut t = Table::new(&["A", "B", "COLUMN"]);
        for d in &c.drift_changed {
            t.row(vec![
                drift_word(d.a).to_string(),
                drift_word(d.b).to_string(),
                truncate(&clean(&d.column), WIDTH - 10, ELLIPSIS),
            ]);
        }
        t.write(out)?;
    }

    writeln!(out, "\nTAGS AND METADATA ({})", c.tags_metadata.len())?;
    if c.tags_metadata.is_empty() {
        writeln!(out, "  none")?;
    } else {
        let mut t = Table::new(&["KIND", "KEY", "A", "B"]);
        for m in &c.tags_metadata {
            t.row(vec![
                m.kind.to_string(),
                truncate(&clean(&m.key), 24, ELLIPSIS),
                truncate(&clean(m.a.as_deref().unwrap_or("-")), 20, ELLIPSIS),
                truncate(&clean(m.b.as_deref().unwrap_or("-")), 20, ELLIPSIS),
            ]);
        }
        t.write(out)?;
    }
    Ok(())
}

/// A number with its sign: `+0.25`, `-3`.
fn signed(v: f64) -> String {
    let s = fmt_num(v);
    if v > 0.0 {
        format!("+{s}")
    } else {
        s
    }
}
