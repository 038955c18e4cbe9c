//! What changed between two snapshots: tests that flipped, series that moved,
//! columns that started or stopped drifting, tags and metadata that differ.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::Serialize;

use crate::analysis::history::severity;
use crate::index::ProjectEntry;
use crate::model::{Snapshot, TestStatus};

/// A test whose status differs between A and B (`None`: not run there), or
/// the same test run with another condition in B.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flip {
    /// Display label of the test.
    pub test: String,
    /// Its identity in B (in A when it did not run in B).
    pub identity: Arc<str>,
    pub from: Option<TestStatus>,
    pub to: Option<TestStatus>,
    /// Set when only the test's condition differs between A and B.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition_changed: Option<ConditionChange>,
}

/// The same test with another condition: its identity and condition in A
/// (`to` and the identity in B are on the [`Flip`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConditionChange {
    pub identity_a: Arc<str>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// A series whose value differs between A and B.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Move {
    pub series: Arc<str>,
    pub a: f64,
    pub b: f64,
    /// `b - a`.
    pub delta: f64,
    /// `delta / |a|`; `None` when `a` is 0.
    pub relative: Option<f64>,
}

/// A column whose drift flag differs between A and B.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriftChange {
    pub column: Arc<str>,
    pub a: Option<bool>,
    pub b: Option<bool>,
}

/// A tag or metadata entry that differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetaDiff {
    /// `tag` or `metadata`.
    pub kind: &'static str,
    /// The tag, or the metadata key.
    pub key: String,
    /// Value in A (for tags: `"present"`), `None` when absent.
    pub a: Option<String>,
    pub b: Option<String>,
}

/// The differences between two snapshots.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub a: String,
    pub b: String,
    pub flipped: Vec<Flip>,
    pub moved: Vec<Move>,
    pub drift_changed: Vec<DriftChange>,
    pub tags_metadata: Vec<MetaDiff>,
}

/// Per identity: the worst status, the label, the name without its
/// condition, and the condition.
type TestsById<'a> = BTreeMap<&'a str, (TestStatus, String, String, Option<String>)>;

fn worst_by_identity(s: &Snapshot) -> TestsById<'_> {
    let mut m: TestsById = BTreeMap::new();
    for t in &s.tests {
        let label = crate::model::test_label(&t.name, t.column.as_deref());
        // An Evidently 0.7 name ends in its condition (`Row count: Equal 180`).
        let base = t.name.split(": ").next().unwrap_or(&t.name);
        let base = format!(
            "{base}\u{1f}{}\u{1f}{}",
            t.test_type,
            t.column.as_deref().unwrap_or("")
        );
        m.entry(t.identity.as_ref())
            .and_modify(|e| {
                if severity(t.status) < severity(e.0) {
                    e.0 = t.status;
                }
            })
            .or_insert((
                t.status,
                label,
                base,
                t.condition.as_deref().map(String::from),
            ));
    }
    m
}

/// Parameter names that hold a test's condition, not what it measures:
/// legacy `gt`/`gte`/`lt`/`lte`/`eq`/`not_eq`/`is_in`/`not_in`, v2
/// `threshold` and `expected…` (the tolerance).
fn is_condition_param(name: &str) -> bool {
    matches!(
        name,
        "gt" | "gte" | "lt" | "lte" | "eq" | "not_eq" | "is_in" | "not_in" | "threshold"
    ) || name.starts_with("expected")
}

/// An identity with its condition parameters left out: `TestF1Score{gte=0.87}`
/// and `TestF1Score` are the same test with another condition. Parameters are
/// the `name=value` items of `{…}` groups (values may nest brackets).
pub fn without_condition(identity: &str) -> String {
    let mut out = String::with_capacity(identity.len());
    let mut rest = identity;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let body = &rest[open + 1..];
        // The matching close brace and the top-level commas inside.
        let (mut depth, mut end, mut cuts) = (0i32, None, vec![0]);
        for (i, c) in body.char_indices() {
            match c {
                '{' | '[' | '(' => depth += 1,
                '}' if depth == 0 => {
                    end = Some(i);
                    break;
                }
                '}' | ']' | ')' => depth -= 1,
                ',' if depth == 0 => cuts.push(i + 1),
                _ => {}
            }
        }
        let Some(end) = end else {
            out.push_str(&rest[open..]);
            return out;
        };
        cuts.push(end + 1);
        let kept: Vec<&str> = cuts
            .windows(2)
            .map(|w| body[w[0]..w[1] - 1].trim())
            .filter(|item| {
                let name = item.split('=').next().unwrap_or(item);
                !item.is_empty() && !is_condition_param(name)
            })
            .collect();
        if !kept.is_empty() {
            out.push('{');
            out.push_str(&kept.join(","));
            out.push('}');
        }
        rest = &body[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Merge a test only in A with a test only in B when they are the same test
/// with another condition (same identity without condition parameters, same
/// name without its condition, type and column), each the only such one on
/// its side.
fn pair_condition_changes(flipped: Vec<Flip>, ta: &TestsById, tb: &TestsById) -> Vec<Flip> {
    let key = |f: &Flip, side: &TestsById| {
        side.get(f.identity.as_ref())
            .map(|e| (without_condition(&f.identity), e.2.clone()))
    };
    let mut only_a: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    let mut only_b: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for (i, f) in flipped.iter().enumerate() {
        match (f.from, f.to) {
            (Some(_), None) => key(f, ta).map(|k| only_a.entry(k).or_default().push(i)),
            (None, Some(_)) => key(f, tb).map(|k| only_b.entry(k).or_default().push(i)),
            _ => None,
        };
    }
    let mut merged_into: BTreeMap<usize, usize> = BTreeMap::new(); // b index -> a index
    for (k, bs) in &only_b {
        if let (Some([a]), [b]) = (only_a.get(k).map(Vec::as_slice), bs.as_slice()) {
            merged_into.insert(*b, *a);
        }
    }
    let dropped: BTreeSet<usize> = merged_into.values().copied().collect();
    let mut out = Vec::with_capacity(flipped.len());
    for (i, f) in flipped.iter().enumerate() {
        if dropped.contains(&i) {
            continue;
        }
        let mut f = f.clone();
        if let Some(ai) = merged_into.get(&i) {
            let a = &flipped[*ai];
            f.from = a.from;
            f.condition_changed = Some(ConditionChange {
                identity_a: a.identity.clone(),
                from: ta.get(a.identity.as_ref()).and_then(|e| e.3.clone()),
                to: tb.get(f.identity.as_ref()).and_then(|e| e.3.clone()),
            });
        }
        out.push(f);
    }
    out
}

fn meta_string(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Compare snapshot `a` (before) with `b` (after).
pub fn compare(a: &Snapshot, b: &Snapshot) -> Comparison {
    let ta = worst_by_identity(a);
    let tb = worst_by_identity(b);
    let ids: BTreeSet<&str> = ta.keys().chain(tb.keys()).copied().collect();
    let flipped: Vec<Flip> = ids
        .into_iter()
        .filter_map(|id| {
            let (fa, fb) = (ta.get(id), tb.get(id));
            let (from, to) = (fa.map(|x| x.0), fb.map(|x| x.0));
            (from != to).then(|| Flip {
                test: fb.or(fa).map(|x| x.1.clone()).unwrap_or_default(),
                identity: Arc::from(id),
                from,
                to,
                condition_changed: None,
            })
        })
        .collect();
    let mut flipped = pair_condition_changes(flipped, &ta, &tb);
    // Newly failing first, then fixed, then the rest.
    flipped.sort_by_key(|f| {
        let rank = match (
            f.from.map(TestStatus::is_failure),
            f.to.map(TestStatus::is_failure),
        ) {
            (_, Some(true)) => 0,
            (Some(true), _) => 1,
            _ => 2,
        };
        (rank, f.to.map(severity), f.test.clone())
    });

    let va: BTreeMap<&str, f64> = a
        .series
        .iter()
        .filter_map(|s| Some((s.key.as_ref(), s.value.filter(|v| v.is_finite())?)))
        .collect();
    let mut moved: Vec<Move> = b
        .series
        .iter()
        .filter_map(|s| {
            let vb = s.value.filter(|v| v.is_finite())?;
            let va = *va.get(s.key.as_ref())?;
            (va != vb).then(|| Move {
                series: s.key.clone(),
                a: va,
                b: vb,
                delta: vb - va,
                relative: (va != 0.0).then(|| (vb - va) / va.abs()),
            })
        })
        .collect();
    // Largest relative change first (absolute change where relative is undefined).
    moved.sort_by(|x, y| {
        let kx = x.relative.map_or(f64::INFINITY, f64::abs);
        let ky = y.relative.map_or(f64::INFINITY, f64::abs);
        ky.total_cmp(&kx)
            .then_with(|| y.delta.abs().total_cmp(&x.delta.abs()))
            .then_with(|| x.series.cmp(&y.series))
    });

    let da: BTreeMap<&str, Option<bool>> = a
        .drift
        .iter()
        .map(|d| (d.column.as_ref(), d.drifted))
        .collect();
    let db: BTreeMap<&str, Option<bool>> = b
        .drift
        .iter()
        .map(|d| (d.column.as_ref(), d.drifted))
        .collect();
    let cols: BTreeSet<&str> = da.keys().chain(db.keys()).copied().collect();
    let drift_changed = cols
        .into_iter()
        .filter_map(|c| {
            let (x, y) = (da.get(c).copied().flatten(), db.get(c).copied().flatten());
            (x != y).then(|| DriftChange {
                column: Arc::from(c),
                a: x,
                b: y,
            })
        })
        .collect();

    let mut tags_metadata = Vec::new();
    let tags: BTreeSet<&String> = a.tags.iter().chain(b.tags.iter()).collect();
    for t in tags {
        let (x, y) = (a.tags.contains(t), b.tags.contains(t));
        if x != y {
            tags_metadata.push(MetaDiff {
                kind: "tag",
                key: t.clone(),
                a: x.then(|| "present".to_string()),
                b: y.then(|| "present".to_string()),
            });
        }
    }
    let keys: BTreeSet<&str> = a.metadata.keys().chain(b.metadata.keys()).collect();
    for k in keys {
        let (x, y) = (
            a.metadata.get(k).map(meta_string),
            b.metadata.get(k).map(meta_string),
        );
        if x != y {
            tags_metadata.push(MetaDiff {
                kind: "metadata",
                key: k.to_string(),
                a: x,
                b: y,
            });
        }
    }
    Comparison {
        a: a.id.clone(),
        b: b.id.clone(),
        flipped,
        moved,
        drift_changed,
        tags_metadata,
    }
}

/// Whether a snapshot ran tests and none was FAIL or ERROR.
pub fn passed(s: &Snapshot) -> bool {
    let c = s.test_counts();
    c.total() > 0 && c.fail == 0 && c.error == 0
}

/// Whether a snapshot has a FAIL or ERROR test.
pub fn failed(s: &Snapshot) -> bool {
    let c = s.test_counts();
    c.fail > 0 || c.error > 0
}

/// Resolve `latest`, `latest-pass`, `latest-fail` or a snapshot id (a unique
/// prefix is accepted) within a project.
pub fn resolve(project: &ProjectEntry, spec: &str) -> Option<Arc<Snapshot>> {
    let snaps = &project.snapshots;
    let found = match spec {
        "latest" => snaps.last(),
        "latest-pass" => snaps.iter().rev().find(|e| passed(&e.snapshot)),
        "latest-fail" => snaps.iter().rev().find(|e| failed(&e.snapshot)),
        id => snaps.iter().find(|e| e.snapshot.id == id).or_else(|| {
            let lower = id.to_ascii_lowercase();
            let mut m = snaps
                .iter()
                .filter(|e| e.snapshot.id.to_ascii_lowercase().starts_with(&lower));
            match (m.next(), m.next()) {
                (Some(one), None) if !id.is_empty() => Some(one),
                _ => None,
            }
        }),
    };
    found.map(|e| e.snapshot.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::history::tests::{catalog, snap, test};
    use TestStatus::*;

    #[test]
    fn flips_drift_and_default_pair() {
        let c = catalog(vec![
            snap(
                1,
                vec![test("x", "X", None, Success), test("y", "Y", None, Fail)],
                vec![("a", 0.5, false)],
            ),
            snap(
                2,
                vec![test("x", "X", None, Success), test("y", "Y", None, Success)],
                vec![("a", 0.5, false)],
            ),
            snap(
                3,
                vec![test("x", "X", None, Fail), test("y", "Y", None, Success)],
                vec![("a", 0.01, true)],
            ),
            snap(4, vec![test("x", "X", None, Warning)], vec![]),
        ]);
        let p = c.project("p").unwrap();
        // Failing all along: the previous run with tests.
        let always = catalog(vec![
            snap(1, vec![test("x", "X", None, Fail)], vec![]),
            snap(2, vec![], vec![]),
            snap(3, vec![test("x", "X", None, Fail)], vec![]),
        ]);
        let ap = always.project("p").unwrap();
        let pair = crate::analysis::pair::latest_failure_pair(ap).unwrap();
        let (a, b) = (pair.a, pair.b);
        assert_eq!(
            (a.id.as_str(), b.id.as_str()),
            (
                ap.snapshots[0].snapshot.id.as_str(),
                ap.snapshots[2].snapshot.id.as_str()
            )
        );
        let pair = crate::analysis::pair::latest_failure_pair(p).unwrap();
        let (a, b) = (pair.a, pair.b);
        assert_eq!(a.id, p.snapshots[1].snapshot.id);
        assert_eq!(b.id, p.snapshots[2].snapshot.id);
        let cmp = compare(&a, &b);
        assert_eq!(cmp.flipped.len(), 1);
        assert_eq!(
            (cmp.flipped[0].from, cmp.flipped[0].to),
            (Some(Success), Some(Fail))
        );
        assert_eq!(
            cmp.drift_changed,
            vec![DriftChange {
                column: "a".into(),
                a: Some(false),
                b: Some(true)
            }]
        );
        assert_eq!(resolve(p, "latest").unwrap().id, p.snapshots[3].snapshot.id);
        // Warnings only: that run passed.
        assert_eq!(
            resolve(p, "latest-pass").unwrap().id,
            p.snapshots[3].snapshot.id
        );
        assert!(resolve(p, "00000000").is_none(), "ambiguous prefix");
        assert_eq!(
            resolve(p, "00000000-0000-0000-0000-00000000000").map(|s| s.id.clone()),
            None
        );
        assert_eq!(
            resolve(p, "00000000-0000-0000-0000-000000000003")
                .unwrap()
                .id,
            p.snapshots[2].snapshot.id
        );
    }
}
