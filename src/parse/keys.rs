//! Series keys as the parser makes them. Most runs of a project have the
//! keys of one of its recent runs, in the same order (a project often
//! alternates between a few kinds of report): each key is first compared
//! with the key at the same position of the key list this thread last made
//! for the project, then of the project's other recent lists (no hashing,
//! no lock, no table probe); only a key that none has there is interned.
//! When every key matched one list, the values take that list as it is: no
//! duplicate check and no lookup of the list either.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use crate::model::intern::{intern, intern_joined, FxBuild};
use crate::model::series::KeyList;
use crate::model::{SeriesSet, SeriesValue};

/// Key lists kept per project and thread, most recently used first.
const RECENT_LISTS: usize = 4;

thread_local! {
    /// Per project: the key lists this thread made without duplicates,
    /// most recently used first.
    static RECENT: RefCell<HashMap<Box<str>, Vec<KeyList>, FxBuild>> = RefCell::default();
    /// The guesses for the snapshot being parsed on this thread: its
    /// project's recent lists, the one its keys matched last first.
    static GUESS: RefCell<Vec<KeyList>> = const { RefCell::new(Vec::new()) };
}

/// Start a snapshot of `project_id`: its keys are guessed from its recent runs.
pub(crate) fn begin(project_id: &str) {
    let lists = RECENT.with(|r| {
        r.try_borrow()
            .ok()
            .and_then(|r| r.get(project_id).cloned())
            .unwrap_or_default()
    });
    GUESS.with(|g| {
        if let Ok(mut g) = g.try_borrow_mut() {
            *g = lists;
        }
    });
}

/// The guessed key at `pos` when `matches` says it is the one: that of the
/// current guess, else of another recent list, which becomes the guess.
fn guessed(pos: usize, matches: impl Fn(&str) -> bool) -> Option<Arc<str>> {
    GUESS.with(|g| guessed_in(&mut g.try_borrow_mut().ok()?, pos, matches))
}

fn guessed_in(g: &mut [KeyList], pos: usize, matches: impl Fn(&str) -> bool) -> Option<Arc<str>> {
    let at = g
        .iter()
        .position(|list| list.get(pos).is_some_and(|k| matches(k)))?;
    g.swap(0, at);
    g.first()?.get(pos).cloned()
}

/// Whether `k` is `a` + `sep` + `b`.
fn is_joined(k: &str, a: &str, sep: char, b: &str) -> bool {
    k.len() == a.len() + sep.len_utf8() + b.len()
        && k.starts_with(a)
        && k[a.len()..].starts_with(sep)
        && k.ends_with(b)
}

/// The shared copy of key `text`, the `pos`-th of its snapshot.
pub(crate) fn key(pos: usize, text: &str) -> Arc<str> {
    guessed(pos, |k| k == text).unwrap_or_else(|| intern(text))
}

/// Push each `(b, value)` as a value keyed as [`key`] keys `a` + `sep` +
/// `b` at its place in `out` (compared without building the text), the
/// guess taken once for them all.
pub(crate) fn push_joined<'p>(
    out: &mut Vec<SeriesValue>,
    a: &str,
    sep: char,
    values: impl Iterator<Item = (&'p str, Option<f64>)>,
) {
    GUESS.with(|g| {
        let mut g = g.try_borrow_mut().ok();
        for (b, value) in values {
            let pos = out.len();
            let guess = g
                .as_deref_mut()
                .and_then(|g| guessed_in(g, pos, |k| is_joined(k, a, sep, b)));
            out.push(SeriesValue {
                key: guess.unwrap_or_else(|| intern_joined(a, sep, b)),
                value,
            });
        }
    });
}

/// The snapshot's values as a set. `dedupe` keeps one value per key and
/// says whether there were duplicates; it is skipped when every key is the
/// guessed one (the guessed list has none).
pub(crate) fn finish(
    project_id: &str,
    values: Vec<SeriesValue>,
    dedupe: impl FnOnce(Vec<SeriesValue>) -> (Vec<SeriesValue>, bool),
) -> SeriesSet {
    let guess = GUESS.with(|g| {
        g.try_borrow_mut()
            .ok()
            .and_then(|mut g| std::mem::take(&mut *g).into_iter().next())
    });
    if let Some(set) = guess.and_then(|list| SeriesSet::with_keys(&list, &values)) {
        remember(project_id, set.keys());
        return set;
    }
    let (values, had_duplicates) = dedupe(values);
    let set = SeriesSet::from_values(values);
    if !had_duplicates && !set.is_empty() {
        remember(project_id, set.keys());
    }
    set
}

/// Make `list` the project's most recently used one on this thread.
fn remember(project_id: &str, list: &KeyList) {
    RECENT.with(|r| {
        let Ok(mut r) = r.try_borrow_mut() else {
            return;
        };
        let lists = match r.get_mut(project_id) {
            Some(lists) => lists,
            None => r.entry(project_id.into()).or_default(),
        };
        match lists.iter().position(|l| Arc::ptr_eq(l, list)) {
            Some(at) => lists[..=at].rotate_right(1),
            None => {
                lists.truncate(RECENT_LISTS - 1);
                lists.insert(0, list.clone());
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(keys: &[&str], pid: &str) -> Vec<SeriesValue> {
        begin(pid);
        let mut out = Vec::new();
        for (i, k) in keys.iter().enumerate() {
            let value = Some(i as f64);
            match k.split_once('.') {
                Some((a, b)) if i % 2 == 0 => {
                    push_joined(&mut out, a, '.', [(b, value)].into_iter())
                }
                _ => out.push(SeriesValue {
                    key: key(i, k),
                    value,
                }),
            }
        }
        out
    }

    fn no_dupes(v: Vec<SeriesValue>) -> (Vec<SeriesValue>, bool) {
        (v, false)
    }

    #[test]
    fn a_run_with_the_last_runs_keys_takes_its_list() {
        let a = finish("p", values(&["A.x", "A.y", "B.z"], "p"), no_dupes);
        let b = finish("p", values(&["A.x", "A.y", "B.z"], "p"), no_dupes);
        assert!(Arc::ptr_eq(a.keys(), b.keys()));
        assert_eq!(b.get("A.y").and_then(|v| v.value), Some(1.0));
        // Another key in the middle: a new list, with the right keys.
        let c = finish("p", values(&["A.x", "A.w", "B.z"], "p"), no_dupes);
        let keys: Vec<&str> = c.iter().map(|v| v.key()).collect();
        assert_eq!(keys, ["A.x", "A.w", "B.z"]);
        // Fewer keys than the guess: not the guessed list either.
        let d = finish("p", values(&["A.x", "A.w"], "p"), no_dupes);
        assert_eq!(d.len(), 2);
        // Another project does not guess from this one's lists.
        let e = finish("q", values(&["A.x", "A.w"], "q"), no_dupes);
        assert!(Arc::ptr_eq(d.keys(), e.keys()), "shared all the same");
    }

    #[test]
    fn a_project_alternating_between_kinds_of_run_guesses_each() {
        let report = ["R.a", "R.b", "S.c"];
        let suite = ["R.a", "T.x", "T.y", "T.z"];
        let a = finish("alt", values(&report, "alt"), no_dupes);
        let b = finish("alt", values(&suite, "alt"), no_dupes);
        let dedupes = std::cell::Cell::new(0);
        let counting = |v: Vec<SeriesValue>| {
            dedupes.set(dedupes.get() + 1);
            (v, false)
        };
        for _ in 0..3 {
            let c = finish("alt", values(&report, "alt"), counting);
            let d = finish("alt", values(&suite, "alt"), counting);
            assert!(Arc::ptr_eq(a.keys(), c.keys()));
            assert!(Arc::ptr_eq(b.keys(), d.keys()));
        }
        assert_eq!(dedupes.get(), 0, "every run took a recent list");
        // A list fewer keys long than a recent one that it starts like is a
        // list of its own, with the right keys.
        let e = finish("alt", values(&["R.a", "T.x"], "alt"), counting);
        let keys: Vec<&str> = e.iter().map(|v| v.key()).collect();
        assert_eq!(keys, ["R.a", "T.x"]);
        assert_eq!(dedupes.get(), 1);
    }

    #[test]
    fn a_list_with_duplicates_is_not_a_guess() {
        let dupes = |v: Vec<SeriesValue>| (v, true);
        let called = std::cell::Cell::new(0);
        let counting = |v: Vec<SeriesValue>| {
            called.set(called.get() + 1);
            (v, false)
        };
        finish("r", values(&["K.a", "K.b"], "r"), dupes);
        finish("r", values(&["K.a", "K.b"], "r"), counting);
        assert_eq!(called.get(), 1, "no guess yet: deduplicated");
        finish("r", values(&["K.a", "K.b"], "r"), counting);
        assert_eq!(called.get(), 1, "guessed: not deduplicated again");
    }
}
