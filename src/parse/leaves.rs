//! The numeric leaves of a legacy metric result read straight from the
//! text, for the fast path: what [`super::series::numeric_leaves`] finds in
//! the built result, in the same order, without building it.
//!
//! The rules are those of the built value: heavy keys are not there at all,
//! `type` holds no leaves at any level, numbers and booleans (as 0/1) are
//! leaves, objects are walked, everything else holds none. An object's
//! members come in key order with the last of a repeated key winning (its
//! leaves replace the earlier one's). Every value is read as
//! [`Reader::value`] reads it (the same checks, the same depth limit), so
//! the reader gives up exactly where the built path would.
//!
//! The walk also notes each result's [`Shape`] (its members in file order,
//! and where each leaf goes), by which [`super::shape`] reads the next
//! result of the same metric.

use std::borrow::Cow;
use std::rc::Rc;
use std::sync::Arc;

use super::pruned::{is_heavy, key_cmp, sort_key_order, MAX_DEPTH};
use super::reader::Reader;
use super::series::leaf_value;
use crate::model::intern::intern_joined;

/// The leaves of a snapshot's results: each a path relative to its
/// metric's key (`.current.accuracy`) and its value; a result's leaves are
/// a range of them, in key order. Results read by their [`Shape`] have
/// only values here, in the order of the shape's keys. Its buffers are
/// reused from file to file on a thread ([`LeafStore::take`],
/// [`LeafStore::give_back`]).
#[derive(Debug, Default)]
pub(crate) struct LeafStore {
    /// The paths, one after another.
    paths: String,
    values: Vec<Leaf>,
    /// The values of the results read by shape.
    pub(super) shaped: Vec<Option<f64>>,
}

/// A leaf: its path in `paths`, its place among its result's leaves in
/// file order, and its value.
#[derive(Debug, Clone, Copy)]
struct Leaf {
    start: u32,
    end: u32,
    file_order: u32,
    value: Option<f64>,
}

/// The leaves of one result in its snapshot's [`LeafStore`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Leaves(std::ops::Range<usize>);

impl Leaves {
    /// How many leaves the result has.
    pub(super) fn len(&self) -> usize {
        self.0.len()
    }
}

/// A result read with a [`Shape`]: its keys are the shape's, its values a
/// range of [`LeafStore`]'s shaped values.
#[derive(Debug, Clone)]
pub(crate) struct Shaped {
    pub(super) shape: Rc<Shape>,
    pub(super) values: std::ops::Range<usize>,
}

thread_local! {
    static SPARE: std::cell::RefCell<LeafStore> = std::cell::RefCell::default();
}

impl LeafStore {
    /// This thread's spare store, empty.
    pub(crate) fn take() -> LeafStore {
        SPARE.with(|s| {
            s.try_borrow_mut()
                .map(|mut s| std::mem::take(&mut *s))
                .unwrap_or_default()
        })
    }

    /// Keep the buffers for the thread's next snapshot (unless the spare
    /// there is bigger: a snapshot read by the full path brings none).
    pub(crate) fn give_back(mut self) {
        self.paths.clear();
        self.values.clear();
        self.shaped.clear();
        SPARE.with(|s| {
            if let Ok(mut s) = s.try_borrow_mut() {
                if self.values.capacity() + self.shaped.capacity()
                    >= s.values.capacity() + s.shaped.capacity()
                {
                    *s = self;
                }
            }
        });
    }

    /// The leaves of one result as (relative path, value).
    pub(crate) fn iter(&self, leaves: &Leaves) -> impl Iterator<Item = (&str, Option<f64>)> {
        let values = self.values.get(leaves.0.clone()).unwrap_or_default();
        values.iter().map(|leaf| {
            let path = self.paths.get(leaf.start as usize..leaf.end as usize);
            (path.unwrap_or(""), leaf.value)
        })
    }

    /// The keys and values of a result read by shape.
    pub(crate) fn shaped<'s>(&'s self, s: &'s Shaped) -> (&'s [Arc<str>], &'s [Option<f64>]) {
        let values = self.shaped.get(s.values.clone()).unwrap_or_default();
        (s.shape.keys(), values)
    }
}

/// What walking a snapshot's results takes: the store the leaves go to,
/// scratch shared by all results (the members of the open objects with
/// the range of their leaves in `store.values`, the path of the object
/// being read), and the steps of the result being walked, from which its
/// [`Shape`] is made.
#[derive(Default)]
pub(crate) struct LeafWalk<'a> {
    pub(super) store: LeafStore,
    members: Vec<(Cow<'a, str>, u32, u32)>,
    prefix: String,
    order: Vec<(u64, u64, u32)>,
    moved: Vec<Leaf>,
    steps: Vec<Step>,
    /// The keys of `steps`, one after another.
    step_keys: String,
    /// Leaves of the result so far (in file order).
    file_leaves: u32,
    /// Whether every key of the result is as written (no escapes) and
    /// none repeats in its object: whether it can have a shape.
    plain: bool,
}

impl LeafWalk<'_> {
    /// A walk into `store` (emptied first).
    pub(crate) fn new(store: LeafStore) -> Self {
        let mut store = store;
        store.paths.clear();
        store.values.clear();
        store.shaped.clear();
        LeafWalk {
            store,
            ..LeafWalk::default()
        }
    }

    /// The leaves of the results walked.
    pub(crate) fn into_store(self) -> LeafStore {
        self.store
    }

    /// Note a member: its key, whether the key is as written (no
    /// escapes), and what its value is.
    fn step(&mut self, key: &str, as_written: bool, what: What) -> Option<()> {
        let start = u32::try_from(self.step_keys.len()).ok()?;
        self.plain &= as_written;
        self.step_keys.push_str(key);
        let end = u32::try_from(self.step_keys.len()).ok()?;
        self.steps.push(Step::new(start, end, what));
        Some(())
    }

    /// A leaf; its place among the result's leaves in file order.
    fn leaf(&mut self, key: &str, value: Option<f64>) -> Option<u32> {
        let paths = &mut self.store.paths;
        let start = u32::try_from(paths.len()).ok()?;
        paths.push_str(&self.prefix);
        paths.push('.');
        paths.push_str(key);
        let end = u32::try_from(paths.len()).ok()?;
        let file_order = self.file_leaves;
        self.file_leaves += 1;
        self.store.values.push(Leaf {
            start,
            end,
            file_order,
            value,
        });
        Some(file_order)
    }

    /// Put the leaves of the object whose members start at `first` (and
    /// whose leaves start at `leaves_from`) in key order, dropping those of
    /// a key written again later (which [`sort_key_order`] leaves out).
    fn order_members(&mut self, first: usize, leaves_from: usize) {
        let members = &self.members[first..];
        if !members.is_sorted_by(|a, b| key_cmp(&a.0, &b.0).is_lt()) {
            sort_key_order(members.len(), |i| &members[i].0, &mut self.order);
            self.plain &= self.order.len() == members.len();
            self.moved.clear();
            let values = &self.store.values;
            for &(_, _, i) in &self.order {
                let (_, start, end) = &members[i as usize];
                let run = &values[*start as usize..*end as usize];
                // Most members hold one leaf or none: no call to copy them.
                if run.len() <= 2 {
                    for &leaf in run {
                        self.moved.push(leaf);
                    }
                } else {
                    self.moved.extend_from_slice(run);
                }
            }
            self.store.values.truncate(leaves_from);
            self.store.values.extend_from_slice(&self.moved);
        }
        self.members.truncate(first);
    }

    /// The shape of the result just walked (its `leaves`), keyed under
    /// `metric_key`, when it can have one: every key plain, none repeated.
    pub(super) fn shape_of(&self, leaves: &Leaves, metric_key: &str) -> Option<Shape> {
        if !self.plain {
            return None;
        }
        let walked = self.store.values.get(leaves.0.clone())?;
        // Where each leaf (in file order) comes among the result's leaves.
        let mut place = vec![u32::MAX; walked.len()];
        for (at, leaf) in walked.iter().enumerate() {
            *place.get_mut(leaf.file_order as usize)? = u32::try_from(at).ok()?;
        }
        let steps = (self.steps.iter())
            .map(|s| s.placed(&place))
            .collect::<Option<_>>()?;
        let keys = (self.store.iter(leaves))
            .map(|(path, _)| intern_joined(metric_key, '.', path.strip_prefix('.').unwrap_or(path)))
            .collect();
        Some(Shape::new(steps, self.step_keys.clone(), keys))
    }

    /// The values of the result just walked, moved to the shaped ones.
    pub(super) fn move_to_shaped(&mut self, leaves: &Leaves) -> std::ops::Range<usize> {
        let from = self.store.shaped.len();
        let walked = self.store.values.get(leaves.0.clone()).unwrap_or_default();
        self.store.shaped.extend(walked.iter().map(|l| l.value));
        self.store.values.truncate(leaves.0.start);
        from..self.store.shaped.len()
    }
}

/// What a member of a result holds, as noted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum What {
    /// A number or boolean: the leaf at this place in key order (while
    /// walking: in file order).
    Leaf(u32),
    /// A value that holds no leaf and is no object (string, null, array).
    Plain,
    /// `type`: read, holds no leaf.
    Type,
    /// A heavy key's value: passed over.
    Heavy,
    /// An object: its members follow, up to its [`What::Close`].
    Open,
    /// The end of an object (no key).
    Close,
}

/// One member of a result as noted: its key (a range of the shape's key
/// text) and what its value is.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Step {
    pub(super) key: (u32, u32),
    pub(super) what: What,
}

impl Step {
    fn new(start: u32, end: u32, what: What) -> Step {
        Step {
            key: (start, end),
            what,
        }
    }

    fn close() -> Step {
        Step::new(0, 0, What::Close)
    }

    /// The step with its leaf's place in file order turned into its place
    /// in key order (`place`).
    fn placed(&self, place: &[u32]) -> Option<Step> {
        let what = match self.what {
            What::Leaf(file_order) => What::Leaf(*place.get(file_order as usize)?),
            other => other,
        };
        Some(Step { what, ..*self })
    }
}

/// The shape of a legacy metric result as the walk noted it; see
/// [`super::shape`] for how it is read.
#[derive(Debug)]
pub(crate) struct Shape {
    pub(super) steps: Box<[Step]>,
    /// The keys of the steps, as written, one after another.
    pub(super) text: Box<str>,
    /// The series keys of the leaves (the metric key, a dot and the path),
    /// in key order.
    keys: Box<[Arc<str>]>,
}

impl Shape {
    fn new(steps: Vec<Step>, text: String, keys: Vec<Arc<str>>) -> Shape {
        Shape {
            steps: steps.into_boxed_slice(),
            text: text.into_boxed_str(),
            keys: keys.into_boxed_slice(),
        }
    }

    /// The series keys of the leaves, in key order.
    pub(crate) fn keys(&self) -> &[Arc<str>] {
        &self.keys
    }

    pub(super) fn bytes(&self) -> usize {
        self.text.len()
            + self.steps.len() * std::mem::size_of::<Step>()
            + self.keys.len() * std::mem::size_of::<Arc<str>>()
    }
}

impl<'a> Reader<'a> {
    /// The leaves of the result object at the reader's position (read as
    /// `value(0)` reads it) into `store`, or `None` where the reader gives
    /// up. Its steps are noted for [`LeafWalk::shape_of`].
    pub(crate) fn result_leaves(&mut self, walk: &mut LeafWalk<'a>) -> Option<Leaves> {
        self.ws();
        if self.peek()? != b'{' {
            return None;
        }
        let from = walk.store.values.len();
        walk.members.clear();
        walk.prefix.clear();
        walk.steps.clear();
        walk.step_keys.clear();
        walk.file_leaves = 0;
        walk.plain = true;
        self.leaf_object(0, walk)?;
        Some(Leaves(from..walk.store.values.len()))
    }

    fn leaf_object(&mut self, depth: usize, w: &mut LeafWalk<'a>) -> Option<()> {
        let first = w.members.len();
        let leaves_from = w.store.values.len();
        self.members(|r, key| {
            let as_written = matches!(key, Cow::Borrowed(_));
            if is_heavy(key.as_bytes()) {
                w.step(&key, as_written, What::Heavy)?;
                return r.skip();
            }
            // As `Reader::child`: past the limit the full path reads it.
            if depth + 1 >= MAX_DEPTH {
                return None;
            }
            let start = u32::try_from(w.store.values.len()).ok()?;
            r.ws();
            if key == "type" {
                r.value(depth + 1)?;
                w.step(&key, as_written, What::Type)?;
            } else if r.peek()? == b'{' {
                w.step(&key, as_written, What::Open)?;
                let len = w.prefix.len();
                w.prefix.push('.');
                w.prefix.push_str(&key);
                r.leaf_object(depth + 1, w)?;
                w.prefix.truncate(len);
            } else {
                let what = match leaf_value(&r.value(depth + 1)?) {
                    Some(value) => What::Leaf(w.leaf(&key, value)?),
                    None => What::Plain,
                };
                w.step(&key, as_written, what)?;
            }
            let end = u32::try_from(w.store.values.len()).ok()?;
            w.members.push((key, start, end));
            Some(())
        })?;
        w.steps.push(Step::close());
        w.order_members(first, leaves_from);
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::pruned::Pruned;

    /// The leaves the built path finds in `src` (a result object), as
    /// (relative path, value).
    fn built(src: &str) -> Vec<(String, Option<f64>)> {
        let v: Pruned = serde_json::from_str(src).unwrap();
        let mut out = crate::parse::keys::Series::begin("built leaves");
        crate::parse::series::numeric_leaves(&v.0, "", &mut out);
        out.pairs()
    }

    fn walked(src: &str) -> Option<Vec<(String, Option<f64>)>> {
        let mut r = Reader::new(src);
        let mut walk = LeafWalk::new(LeafStore::default());
        // Leaves of another result before: ranges are the store's.
        Reader::new(r#"{"x": 1}"#).result_leaves(&mut walk)?;
        let leaves = r.result_leaves(&mut walk)?;
        Some(
            walk.into_store()
                .iter(&leaves)
                .map(|(p, v)| (p.to_string(), v))
                .collect(),
        )
    }

    #[test]
    fn leaves_come_as_the_built_result_gives_them() {
        for src in [
            r#"{"type": "x", "b": 2, "a": {"z": true, "y": 1.5, "type": 3}, "c": "s", "d": [1, 2]}"#,
            // Repeated keys: the last wins, whatever it holds.
            r#"{"a": {"x": 1}, "b": 2, "a": 3}"#,
            r#"{"a": 1, "a": {"x": 1, "y": 2}, "b": {"k": 1, "k": null}}"#,
            r#"{"b": 1, "a": 2, "b": "gone"}"#,
            // Heavy keys hold no leaves and override nothing.
            r#"{"plot_data": {"x": 1}, "a": 1, "widget": 2, "a": 5, "small_distribution": 3}"#,
            // Keys that share a long prefix, escapes, `-0` and a null.
            r#"{"feature_000000000_b": 1, "feature_000000000_a": 2, "k\u0031": -0, "n": null}"#,
            r#"{}"#,
        ] {
            assert_eq!(walked(src), Some(built(src)), "{src}");
        }
        // A wide object, reversed, twice (the second takes the kept order).
        let wide: Vec<String> = (0..40)
            .rev()
            .map(|i| format!(r#""col_{i:02}": {{"n": {i}, "share": 0.{i}}}"#))
            .collect();
        let src = format!(r#"{{"by_column": {{{}}}}}"#, wide.join(", "));
        for _ in 0..2 {
            assert_eq!(walked(&src), Some(built(&src)));
        }
    }

    #[test]
    fn the_walk_gives_up_where_the_reader_does() {
        let deep = format!(r#"{{"a": {}1{}}}"#, "[".repeat(60), "]".repeat(60));
        assert_eq!(walked(&deep), None);
        let nested = format!("{}1{}", r#"{"k": "#.repeat(60), "}".repeat(60));
        assert!(serde_json::from_str::<serde_json::Value>(&nested).is_ok());
        assert_eq!(walked(&nested), None);
        for bad in [
            r#"{"a": 01}"#,
            "{\"a\": \"tab\there\"}",
            r#"{"a": 1"#,
            "[1]",
        ] {
            assert_eq!(walked(bad), None, "{bad}");
        }
    }
}
