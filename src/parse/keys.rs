//! Series keys as the parser makes them. Most runs of a project have the
//! keys of its previous run, in the same order: each key is first compared
//! with the key at the same position of the last key list this thread made
//! for the project (no hashing, no lock, no table probe); only a key that
//! differs is interned. When every key matched, the values take that key
//! list as it is: no duplicate check and no lookup of the list either.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use crate::model::intern::{intern, intern_joined, FxBuild};
use crate::model::series::KeyList;
use crate::model::{SeriesSet, SeriesValue};

thread_local! {
    /// Per project: the last key list this thread made without duplicates.
    static LAST: RefCell<HashMap<Box<str>, KeyList, FxBuild>> = RefCell::default();
    /// The guess for the snapshot being parsed on this thread.
    static GUESS: RefCell<Option<KeyList>> = const { RefCell::new(None) };
}

/// Start a snapshot of `project_id`: its keys are guessed from the last one.
pub(crate) fn begin(project_id: &str) {
    let guess = LAST.with(|l| l.try_borrow().ok()?.get(project_id).cloned());
    GUESS.with(|g| {
        if let Ok(mut g) = g.try_borrow_mut() {
            *g = guess;
        }
    });
}

/// The guessed key at `pos` when `matches` says it is the one.
fn guessed(pos: usize, matches: impl FnOnce(&str) -> bool) -> Option<Arc<str>> {
    GUESS.with(|g| {
        let g = g.try_borrow().ok()?;
        let k = g.as_ref()?.get(pos)?;
        matches(k).then(|| k.clone())
    })
}

/// The shared copy of key `text`, the `pos`-th of its snapshot.
pub(crate) fn key(pos: usize, text: &str) -> Arc<str> {
    guessed(pos, |k| k == text).unwrap_or_else(|| intern(text))
}

/// [`key`] of `a` + `sep` + `b`, compared without building the text.
pub(crate) fn key_joined(pos: usize, a: &str, sep: char, b: &str) -> Arc<str> {
    let matches = |k: &str| {
        k.len() == a.len() + sep.len_utf8() + b.len()
            && k.starts_with(a)
            && k[a.len()..].starts_with(sep)
            && k.ends_with(b)
    };
    guessed(pos, matches).unwrap_or_else(|| intern_joined(a, sep, b))
}

/// The snapshot's values as a set. `dedupe` keeps one value per key and
/// says whether there were duplicates; it is skipped when every key is the
/// guessed one (the guessed list has none).
pub(crate) fn finish(
    project_id: &str,
    values: Vec<SeriesValue>,
    dedupe: impl FnOnce(Vec<SeriesValue>) -> (Vec<SeriesValue>, bool),
) -> SeriesSet {
    let guess = GUESS.with(|g| g.try_borrow_mut().ok().and_then(|mut g| g.take()));
    if let Some(set) = guess.and_then(|list| SeriesSet::with_keys(&list, &values)) {
        return set;
    }
    let (values, had_duplicates) = dedupe(values);
    let set = SeriesSet::from_values(values);
    if !had_duplicates && !set.is_empty() {
        LAST.with(|l| {
            if let Ok(mut l) = l.try_borrow_mut() {
                match l.get_mut(project_id) {
                    Some(last) => *last = set.keys().clone(),
                    None => {
                        l.insert(project_id.into(), set.keys().clone());
                    }
                }
            }
        });
    }
    set
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(keys: &[&str], pid: &str) -> Vec<SeriesValue> {
        begin(pid);
        keys.iter()
            .enumerate()
            .map(|(i, k)| SeriesValue {
                key: match k.split_once('.') {
                    Some((a, b)) if i % 2 == 0 => key_joined(i, a, '.', b),
                    _ => key(i, k),
                },
                value: Some(i as f64),
            })
            .collect()
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
