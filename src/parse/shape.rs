//! Reading a legacy metric result by the shape of the last one of its
//! metric: the runs of a project mostly write each metric's result with
//! the same keys in the same order (a drift or missing-values result over
//! hundreds of columns), and only the numbers differ.
//!
//! A [`Shape`] is what the leaf walk ([`super::leaves`]) noted of a result:
//! each member in file order (its key as written, and whether its value is
//! a leaf, an object, `type`, a heavy value or anything else), where each
//! leaf goes in key order, and the series keys of the leaves. The next
//! result of the metric is read against it: each key compared byte for
//! byte with the one noted (no path built, no members collected and
//! sorted, no key looked up), each value read and checked as the walk
//! reads it, each leaf's number put at its place. Anything else (another
//! key, another kind of value, another member count) and the result is
//! walked as usual, which notes its shape for the next one. Keys are only
//! noted as written when they hold no escapes, and a result whose object
//! repeats a key has no shape, so a match reads exactly what the walk reads.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use super::leaves::{LeafWalk, Leaves, Shape, Shaped, What};
use super::pruned::Val;
use super::reader::Reader;
use super::series::leaf_value;
use crate::model::intern::FxBuild;

/// Results with fewer leaves are walked: a shape would save little.
const MIN_LEAVES: usize = 8;
/// Shapes kept per metric key and thread, most recently matched first.
const PER_KEY: usize = 2;
/// What the shapes of a thread may hold (key text, steps, keys) before
/// they are all dropped.
const MAX_BYTES: usize = 8 << 20;

/// A thread's shapes by metric key, and what they hold.
#[derive(Default)]
struct Shapes {
    by_key: HashMap<Box<str>, Vec<Rc<Shape>>, FxBuild>,
    bytes: usize,
}

thread_local! {
    static SHAPES: RefCell<Shapes> = RefCell::default();
}

#[cfg(test)]
thread_local! {
    /// Results read by shape on this thread (tests).
    pub(crate) static READ_BY_SHAPE: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The recent shapes of `metric_key` on this thread, most recent first.
fn recent(metric_key: &str) -> Vec<Rc<Shape>> {
    SHAPES.with(|s| {
        s.try_borrow()
            .ok()
            .and_then(|s| s.by_key.get(metric_key).cloned())
            .unwrap_or_default()
    })
}

/// Make `shape` the most recent of `metric_key` (adding it when new).
fn keep(metric_key: &str, shape: &Rc<Shape>) {
    SHAPES.with(|s| {
        let Ok(mut s) = s.try_borrow_mut() else {
            return;
        };
        if let Some(list) = s.by_key.get_mut(metric_key) {
            if let Some(at) = list.iter().position(|l| Rc::ptr_eq(l, shape)) {
                list[..=at].rotate_right(1);
                return;
            }
        }
        if s.bytes + shape.bytes() > MAX_BYTES {
            *s = Shapes::default();
        }
        let list = s.by_key.entry(metric_key.into()).or_default();
        let dropped: usize = list.iter().skip(PER_KEY - 1).map(|l| l.bytes()).sum();
        list.truncate(PER_KEY - 1);
        list.insert(0, shape.clone());
        s.bytes = s.bytes + shape.bytes() - dropped;
    });
}

/// A legacy report metric's result as read for its series.
pub(crate) enum ResultLeaves {
    /// Read by shape: keys and values.
    Shaped(Shaped),
    /// Walked, with paths (a result with no shape).
    Walked(Leaves),
}

impl<'a> Reader<'a> {
    /// The leaves of the result object at the reader's position, whose
    /// series keys start with `metric_key`: read by a recent shape of the
    /// metric when one fits, else walked (and its shape kept). `None`
    /// where the reader gives up.
    pub(crate) fn keyed_leaves(
        &mut self,
        metric_key: &str,
        walk: &mut LeafWalk<'a>,
    ) -> Option<ResultLeaves> {
        let start = self.i;
        for shape in recent(metric_key) {
            let shaped = &mut walk.store.shaped;
            let from = shaped.len();
            shaped.resize(from + shape.keys().len(), None);
            if self.read_shaped(&shape, &mut shaped[from..]).is_some() {
                keep(metric_key, &shape);
                #[cfg(test)]
                READ_BY_SHAPE.with(|n| n.set(n.get() + 1));
                let values = from..shaped.len();
                return Some(ResultLeaves::Shaped(Shaped { shape, values }));
            }
            shaped.truncate(from);
            self.i = start;
        }
        let leaves = self.result_leaves(walk)?;
        let shape = (leaves.len() >= MIN_LEAVES)
            .then(|| walk.shape_of(&leaves, metric_key))
            .flatten();
        let Some(shape) = shape else {
            return Some(ResultLeaves::Walked(leaves));
        };
        let shape = Rc::new(shape);
        keep(metric_key, &shape);
        let values = walk.move_to_shaped(&leaves);
        Some(ResultLeaves::Shaped(Shaped { shape, values }))
    }

    /// Read the result at the reader's position by `shape`, its leaves'
    /// values into `out` (one per key of the shape); `None` where it does
    /// not fit (or the reader gives up).
    fn read_shaped(&mut self, shape: &Shape, out: &mut [Option<f64>]) -> Option<()> {
        self.expect(b'{')?;
        let text = shape.text.as_bytes();
        let mut depth = 0usize;
        // Whether the next member is the first of its object.
        let mut first = true;
        for step in shape.steps.iter() {
            if step.what == What::Close {
                self.expect(b'}')?;
                depth = depth.saturating_sub(1);
                first = false;
                continue;
            }
            if !first {
                self.expect(b',')?;
            }
            first = false;
            self.ws();
            let key = text.get(step.key.0 as usize..step.key.1 as usize)?;
            let at = self.i;
            let written = self.b.get(at..at + key.len() + 2)?;
            if written[0] != b'"'
                || &written[1..=key.len()] != key
                || written[key.len() + 1] != b'"'
            {
                return None;
            }
            self.i = at + key.len() + 2;
            self.expect(b':')?;
            match step.what {
                What::Heavy => self.skip()?,
                What::Type => {
                    self.value(depth + 1)?;
                }
                What::Open => {
                    self.expect(b'{')?;
                    depth += 1;
                    first = true;
                }
                What::Leaf(place) => {
                    self.ws();
                    if self.peek()? == b'{' {
                        return None;
                    }
                    // `leaf_value`'s rule, on the value read (owned: no
                    // drop of each number read; callgrind counted 10 M
                    // instructions more on heavy1k's legacy projects).
                    let value = match self.value(depth + 1)? {
                        Val::Number(n) => n.as_f64(),
                        Val::Bool(b) => Some(if b { 1.0 } else { 0.0 }),
                        _ => return None,
                    };
                    *out.get_mut(place as usize)? = value;
                }
                What::Plain => {
                    self.ws();
                    if self.peek()? == b'{' {
                        return None;
                    }
                    if leaf_value(&self.value(depth + 1)?).is_some() {
                        return None;
                    }
                }
                What::Close => {}
            }
        }
        Some(())
    }
}
