//! Which two runs to compare when the user names none, and why: the onset
//! of the current failure streak (the last run that passed against the first
//! run that failed after it), the pair that explains when it broke.

use std::sync::Arc;

use serde::Serialize;

use crate::analysis::compare::{failed, passed};
use crate::analysis::triage::failure_streak;
use crate::index::ProjectEntry;
use crate::model::Snapshot;

/// How a default pair was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PairRule {
    /// The last run that passed (A) against the first failing run after it (B).
    Onset,
    /// The latest failing run (B) against the last run that passed before it
    /// (A): the default before the onset rule.
    LatestFailure,
    /// No run with tests ever passed: the latest failing run against the run
    /// with tests before it.
    NeverPassed,
    /// Passing now: the last two runs with tests.
    PassingNow,
}

impl PairRule {
    /// One line saying how the pair was chosen.
    pub fn note(self) -> &'static str {
        match self {
            PairRule::Onset => {
                "onset: the last run that passed (A) against the first failing run after it (B)"
            }
            PairRule::LatestFailure => {
                "latest failure: the latest failing run (B) against the last run that passed before it (A)"
            }
            PairRule::NeverPassed => {
                "no run with tests passed: the latest failing run (B) against the run with tests before it (A)"
            }
            PairRule::PassingNow => "passing now: the last two runs with tests",
        }
    }
}

impl PairRule {
    /// A short form of [`PairRule::note`] for a title.
    pub fn short(self) -> &'static str {
        match self {
            PairRule::Onset => "onset",
            PairRule::LatestFailure => "latest failure",
            PairRule::NeverPassed => "latest failure, none passed",
            PairRule::PassingNow => "passing now",
        }
    }
}

impl PairRule {
    /// What A and B are under this rule (`last pass`, `first failure`).
    pub fn roles(self) -> (&'static str, &'static str) {
        match self {
            PairRule::Onset => ("last pass", "first failure"),
            PairRule::LatestFailure => ("last pass", "latest failure"),
            PairRule::NeverPassed => ("run before", "latest failure"),
            PairRule::PassingNow => ("previous", "latest"),
        }
    }
}

/// A pair of runs to compare, A before B.
#[derive(Debug, Clone)]
pub struct Pair {
    pub a: Arc<Snapshot>,
    pub b: Arc<Snapshot>,
    pub rule: PairRule,
}

fn find(p: &ProjectEntry, id: &str) -> Option<Arc<Snapshot>> {
    p.snapshots
        .iter()
        .find(|e| e.snapshot.id == id)
        .map(|e| e.snapshot.clone())
}

/// The default pair: the onset of the current failure streak by the run rule
/// ([`failure_streak`]). A project that never passed falls back to
/// [`PairRule::NeverPassed`], one passing now to [`PairRule::PassingNow`].
pub fn onset_pair(p: &ProjectEntry) -> Option<Pair> {
    let streak = failure_streak(p);
    match (&streak.failing_since, &streak.last_pass) {
        (Some(since), Some(pass)) => Some(Pair {
            a: find(p, &pass.snapshot_id)?,
            b: find(p, &since.snapshot_id)?,
            rule: PairRule::Onset,
        }),
        (Some(_), None) => latest_failure_pair(p),
        (None, _) => last_two_with_tests(p),
    }
}

/// The previous default: the latest failing run (B) against the last run
/// before it that passed (A), or the run with tests before it when none did.
pub fn latest_failure_pair(p: &ProjectEntry) -> Option<Pair> {
    let snaps = &p.snapshots;
    let Some(bi) = snaps.iter().rposition(|e| failed(&e.snapshot)) else {
        return last_two_with_tests(p);
    };
    if let Some(ai) = snaps[..bi].iter().rposition(|e| passed(&e.snapshot)) {
        return Some(Pair {
            a: snaps[ai].snapshot.clone(),
            b: snaps[bi].snapshot.clone(),
            rule: PairRule::LatestFailure,
        });
    }
    let ai = snaps[..bi]
        .iter()
        .rposition(|e| !e.snapshot.tests.is_empty())?;
    Some(Pair {
        a: snaps[ai].snapshot.clone(),
        b: snaps[bi].snapshot.clone(),
        rule: PairRule::NeverPassed,
    })
}

/// The latest run with tests and the run with tests before it.
fn last_two_with_tests(p: &ProjectEntry) -> Option<Pair> {
    let mut with_tests = p
        .snapshots
        .iter()
        .rev()
        .filter(|e| !e.snapshot.tests.is_empty());
    let b = with_tests.next()?;
    let a = with_tests.next()?;
    Some(Pair {
        a: a.snapshot.clone(),
        b: b.snapshot.clone(),
        rule: PairRule::PassingNow,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::history::tests::{catalog, snap, test};
    use crate::model::TestStatus::*;

    /// pass(1) fail(2) report(3) fail(4): onset is 1→2; latest failure 1→4.
    #[test]
    fn onset_and_latest_failure() {
        let c = catalog(vec![
            snap(1, vec![test("x", "X", None, Success)], vec![]),
            snap(2, vec![test("x", "X", None, Fail)], vec![]),
            snap(3, vec![], vec![]),
            snap(4, vec![test("y", "Y", None, Fail)], vec![]),
        ]);
        let p = c.project("p").unwrap();
        let id = |i: usize| p.snapshots[i].snapshot.id.clone();
        let o = onset_pair(p).unwrap();
        assert_eq!(
            (o.a.id.clone(), o.b.id.clone(), o.rule),
            (id(0), id(1), PairRule::Onset)
        );
        let l = latest_failure_pair(p).unwrap();
        assert_eq!(
            (l.a.id.clone(), l.b.id.clone(), l.rule),
            (id(0), id(3), PairRule::LatestFailure)
        );
    }

    #[test]
    fn never_passed_and_passing_now() {
        let c = catalog(vec![
            snap(1, vec![test("x", "X", None, Fail)], vec![]),
            snap(2, vec![test("x", "X", None, Fail)], vec![]),
        ]);
        let p = c.project("p").unwrap();
        assert_eq!(onset_pair(p).unwrap().rule, PairRule::NeverPassed);
        let c = catalog(vec![
            snap(1, vec![test("x", "X", None, Fail)], vec![]),
            snap(2, vec![test("x", "X", None, Success)], vec![]),
        ]);
        let p = c.project("p").unwrap();
        let o = onset_pair(p).unwrap();
        assert_eq!(o.rule, PairRule::PassingNow);
        assert_eq!(o.b.id, p.snapshots[1].snapshot.id);
    }
}
