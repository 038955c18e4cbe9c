//! Series keys as the parser makes them. Most runs of a project have the
//! keys of one of its recent runs, in the same order (a project often
//! alternates between a few kinds of report): a snapshot's values are
//! first taken as those of the key list this thread last made for the
//! project, each key compared with the list's key at its position (no
//! hashing, no lock, no table probe, and no key copied: the values follow
//! the list), then with another recent list that starts the same way.
//! Only when none has the key there are the keys written out, each still
//! taken from a recent list when one has it at its place, else interned.
//! When every key followed one list, the values take that list as it is:
//! no duplicate check and no lookup of the list either.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use crate::model::intern::{intern, intern_joined, FxBuild};
use crate::model::packed::PackedValues;
use crate::model::series::KeyList;
use crate::model::{SeriesSet, SeriesValue};

/// Key lists kept per project and thread, most recently used first.
const RECENT_LISTS: usize = 4;

thread_local! {
    /// Per project: the key lists this thread made without duplicates,
    /// most recently used first.
    static RECENT: RefCell<HashMap<Box<str>, Vec<KeyList>, FxBuild>> = RefCell::default();
}

/// Whether `k` is `a` + `sep` + `b`.
fn is_joined(k: &str, a: &str, sep: char, b: &str) -> bool {
    k.len() == a.len() + sep.len_utf8() + b.len()
        && k.starts_with(a)
        && k[a.len()..].starts_with(sep)
        && k.ends_with(b)
}

/// Whether two runs of keys are the same interned strings.
fn same_keys(a: &[Arc<str>], b: &[Arc<str>]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| Arc::ptr_eq(x, y))
}

/// The series values of the snapshot being parsed, in file order, and
/// their keys (see the module doc).
pub(crate) struct Series {
    /// The project's recent key lists on this thread; the values follow
    /// the first while `keys` is `None`.
    guesses: Vec<KeyList>,
    values: Vec<Option<f64>>,
    /// The keys, once they are not the start of `guesses[0]`.
    keys: Option<Vec<Arc<str>>>,
}

impl Series {
    /// The values of a snapshot of `project_id`, guessed from its recent runs.
    pub(crate) fn begin(project_id: &str) -> Series {
        let guesses = RECENT.with(|r| {
            r.try_borrow()
                .ok()
                .and_then(|r| r.get(project_id).cloned())
                .unwrap_or_default()
        });
        Series {
            guesses,
            values: Vec::new(),
            keys: None,
        }
    }

    /// Whether the `n` keys from `pos` on, which `matches` tells, follow the
    /// guess: the followed list's keys there, or another recent list's that
    /// has the same keys before (it becomes the followed one). Where none
    /// does, the keys so far are written out and the values follow no list.
    fn follows(&mut self, pos: usize, n: usize, matches: impl Fn(&[Arc<str>]) -> bool) -> bool {
        if self.keys.is_some() {
            return false;
        }
        let run = |list: &KeyList| list.get(pos..pos + n).is_some_and(&matches);
        let Some(first) = self.guesses.first() else {
            self.keys = Some(Vec::new());
            return false;
        };
        if run(first) {
            return true;
        }
        let before = first.get(..pos).unwrap_or_default();
        let other = (self.guesses.iter().skip(1))
            .position(|list| list.get(..pos).is_some_and(|b| same_keys(b, before)) && run(list));
        if let Some(at) = other {
            self.guesses.swap(0, at + 1);
            return true;
        }
        self.keys = Some(before.to_vec());
        false
    }

    /// The recent lists' key at `pos` when `matches` says it is the one.
    fn guessed(&self, pos: usize, matches: impl Fn(&str) -> bool) -> Option<Arc<str>> {
        (self.guesses.iter())
            .find_map(|list| list.get(pos).filter(|k| matches(k)))
            .cloned()
    }

    fn push_key(&mut self, key: Arc<str>) {
        if let Some(keys) = self.keys.as_mut() {
            keys.push(key);
        }
    }

    /// Add a value keyed by the key `matches` tells: followed, else taken
    /// from a recent list that has it at this place, else `make`d.
    fn push_matching(
        &mut self,
        value: Option<f64>,
        matches: impl Fn(&str) -> bool,
        make: impl FnOnce() -> Arc<str>,
    ) {
        let pos = self.values.len();
        if !self.follows(pos, 1, |k| matches(&k[0])) {
            let key = self.guessed(pos, &matches);
            self.push_key(key.unwrap_or_else(make));
        }
        self.values.push(value);
    }

    /// Add a value keyed `text`.
    pub(crate) fn push(&mut self, text: &str, value: Option<f64>) {
        self.push_matching(value, |k| k == text, || intern(text));
    }

    /// Add each `(b, value)` keyed `a` + `sep` + `b` (compared without
    /// building the text).
    pub(crate) fn push_joined<'p>(
        &mut self,
        a: &str,
        sep: char,
        values: impl Iterator<Item = (&'p str, Option<f64>)>,
    ) {
        for (b, value) in values {
            self.push_matching(
                value,
                |k| is_joined(k, a, sep, b),
                || intern_joined(a, sep, b),
            );
        }
    }

    /// Add `values` keyed `keys` (interned), one for one.
    pub(crate) fn push_keyed(&mut self, keys: &[Arc<str>], values: &[Option<f64>]) {
        let pos = self.values.len();
        let n = keys.len().min(values.len());
        let keys = &keys[..n];
        if !self.follows(pos, n, |run| same_keys(run, keys)) {
            if let Some(written) = self.keys.as_mut() {
                written.extend_from_slice(keys);
            }
        }
        self.values.extend_from_slice(&values[..n]);
    }

    /// The snapshot's values as a set. `dedupe` keeps one value per key and
    /// says whether there were duplicates; it is skipped when the values
    /// followed a guessed list to its end (the guessed list has none).
    pub(crate) fn finish(
        self,
        project_id: &str,
        dedupe: impl FnOnce(Vec<SeriesValue>) -> (Vec<SeriesValue>, bool),
    ) -> SeriesSet {
        let Series {
            guesses,
            values,
            keys,
        } = self;
        if values.is_empty() {
            return SeriesSet::default();
        }
        let keys = match (keys, guesses.first()) {
            (Some(keys), _) => keys,
            (None, Some(list)) if list.len() == values.len() => {
                if let Some(set) = SeriesSet::from_packed(list.clone(), PackedValues::pack(values))
                {
                    remember(project_id, set.keys());
                    return set;
                }
                return SeriesSet::default();
            }
            // The start of a longer list.
            (None, list) => (list.and_then(|l| l.get(..values.len())))
                .map(<[Arc<str>]>::to_vec)
                .unwrap_or_default(),
        };
        let values = (keys.into_iter().zip(values))
            .map(|(key, value)| SeriesValue { key, value })
            .collect();
        let (values, had_duplicates) = dedupe(values);
        let set = SeriesSet::from_values(values);
        if !had_duplicates && !set.is_empty() {
            remember(project_id, set.keys());
        }
        set
    }

    /// The values with their keys' text (tests).
    #[cfg(test)]
    pub(crate) fn pairs(&self) -> Vec<(String, Option<f64>)> {
        let keys: &[Arc<str>] = match (&self.keys, self.guesses.first()) {
            (Some(keys), _) => keys,
            (None, Some(list)) => list,
            (None, None) => &[],
        };
        keys.iter()
            .zip(&self.values)
            .map(|(k, v)| (k.to_string(), *v))
            .collect()
    }
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

    /// The values of a run of `pid` with `keys`, pushed one at a time and
    /// (every other key with a dot) joined.
    fn values(keys: &[&str], pid: &str) -> Series {
        let mut out = Series::begin(pid);
        for (i, k) in keys.iter().enumerate() {
            let value = Some(i as f64);
            match k.split_once('.') {
                Some((a, b)) if i % 2 == 0 => out.push_joined(a, '.', [(b, value)].into_iter()),
                _ => out.push(k, value),
            }
        }
        out
    }

    fn no_dupes(v: Vec<SeriesValue>) -> (Vec<SeriesValue>, bool) {
        (v, false)
    }

    #[test]
    fn a_run_with_the_last_runs_keys_takes_its_list() {
        let a = values(&["A.x", "A.y", "B.z"], "p").finish("p", no_dupes);
        let b = values(&["A.x", "A.y", "B.z"], "p").finish("p", no_dupes);
        assert!(Arc::ptr_eq(a.keys(), b.keys()));
        assert_eq!(b.get("A.y").and_then(|v| v.value), Some(1.0));
        // Another key in the middle: a new list, with the right keys.
        let c = values(&["A.x", "A.w", "B.z"], "p").finish("p", no_dupes);
        let keys: Vec<&str> = c.iter().map(|v| v.key()).collect();
        assert_eq!(keys, ["A.x", "A.w", "B.z"]);
        // Fewer keys than the guess: not the guessed list either.
        let d = values(&["A.x", "A.w"], "p").finish("p", no_dupes);
        assert_eq!(d.len(), 2);
        // Another project does not guess from this one's lists.
        let e = values(&["A.x", "A.w"], "q").finish("q", no_dupes);
        assert!(Arc::ptr_eq(d.keys(), e.keys()), "shared all the same");
    }

    #[test]
    fn a_project_alternating_between_kinds_of_run_guesses_each() {
        let report = ["R.a", "R.b", "S.c"];
        let suite = ["R.a", "T.x", "T.y", "T.z"];
        let a = values(&report, "alt").finish("alt", no_dupes);
        let b = values(&suite, "alt").finish("alt", no_dupes);
        let dedupes = std::cell::Cell::new(0);
        let counting = |v: Vec<SeriesValue>| {
            dedupes.set(dedupes.get() + 1);
            (v, false)
        };
        for _ in 0..3 {
            let c = values(&report, "alt").finish("alt", counting);
            let d = values(&suite, "alt").finish("alt", counting);
            assert!(Arc::ptr_eq(a.keys(), c.keys()));
            assert!(Arc::ptr_eq(b.keys(), d.keys()));
        }
        assert_eq!(dedupes.get(), 0, "every run took a recent list");
        // A list fewer keys long than a recent one that it starts like is a
        // list of its own, with the right keys.
        let e = values(&["R.a", "T.x"], "alt").finish("alt", counting);
        let keys: Vec<&str> = e.iter().map(|v| v.key()).collect();
        assert_eq!(keys, ["R.a", "T.x"]);
        assert_eq!(dedupes.get(), 1);
    }

    /// A recent list is followed from where it differs only when it has
    /// the same keys before that place.
    #[test]
    fn another_list_is_followed_only_with_the_same_start() {
        let first = ["M.a", "M.b", "M.c"];
        let second = ["N.a", "M.x", "M.c"];
        values(&second, "s").finish("s", no_dupes);
        values(&first, "s").finish("s", no_dupes);
        // Follows `first`, then at `M.x` the second list has that key, but
        // not `M.a` before it: the keys are written out, and right.
        let mixed = values(&["M.a", "M.x", "M.c"], "s").finish("s", no_dupes);
        let keys: Vec<&str> = mixed.iter().map(|v| v.key()).collect();
        assert_eq!(keys, ["M.a", "M.x", "M.c"]);
        let vals: Vec<Option<f64>> = mixed.iter().map(|v| v.value).collect();
        assert_eq!(vals, [Some(0.0), Some(1.0), Some(2.0)]);
    }

    #[test]
    fn keyed_runs_follow_or_are_written_out() {
        let keys: Vec<Arc<str>> = ["K.a", "K.b", "K.c"].map(intern).into();
        let v = [Some(1.0), None, Some(3.0)];
        let mut s = Series::begin("keyed");
        s.push("K.first", Some(0.0));
        s.push_keyed(&keys, &v);
        let a = s.finish("keyed", no_dupes);
        let mut s = Series::begin("keyed");
        s.push("K.first", Some(0.0));
        s.push_keyed(&keys, &v);
        assert!(s.keys.is_none(), "followed the list of the last run");
        let b = s.finish("keyed", no_dupes);
        assert!(Arc::ptr_eq(a.keys(), b.keys()));
        // Other keys after the same first one: written out.
        let other: Vec<Arc<str>> = ["K.a", "K.z"].map(intern).into();
        let mut s = Series::begin("keyed");
        s.push("K.first", Some(0.0));
        s.push_keyed(&other, &v[..2]);
        assert_eq!(
            s.pairs(),
            [
                ("K.first".to_string(), Some(0.0)),
                ("K.a".to_string(), Some(1.0)),
                ("K.z".to_string(), None)
            ]
        );
    }

    #[test]
    fn a_list_with_duplicates_is_not_a_guess() {
        let dupes = |v: Vec<SeriesValue>| (v, true);
        let called = std::cell::Cell::new(0);
        let counting = |v: Vec<SeriesValue>| {
            called.set(called.get() + 1);
            (v, false)
        };
        values(&["K.a", "K.b"], "r").finish("r", dupes);
        values(&["K.a", "K.b"], "r").finish("r", counting);
        assert_eq!(called.get(), 1, "no guess yet: deduplicated");
        values(&["K.a", "K.b"], "r").finish("r", counting);
        assert_eq!(called.get(), 1, "guessed: not deduplicated again");
    }
}
