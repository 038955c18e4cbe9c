//! A JSON value that skips the heavy parts of Evidently files while it is
//! deserialized: plot data, widgets and long arrays are scanned but never
//! allocated.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};

/// The heavy keys as a list, to check [`is_heavy`] against.
#[cfg(test)]
const HEAVY_KEYS: &[&str] = &[
    "widget",
    "widgets",
    "tests_widgets",
    "scatter",
    "plot_data",
    "rate_plots_data",
    "distribution",
    "small_distribution",
    "correlations",
    "current_roc_curve",
    "reference_roc_curve",
    "current_pr_curve",
    "reference_pr_curve",
    "current_pr_table",
    "reference_pr_table",
    "current_matrix",
    "reference_matrix",
    "data_definition",
    "run_metadata",
    // v2 tests repeat their metric's configuration; it is read from
    // `metric_value_location` instead.
    "metric_config",
];

/// Keys whose values are plot or rendering data, never needed for
/// indexing. One `match` (compiled to a switch on length, then compares
/// of equal-length keys); a unit test keeps it equal to `HEAVY_KEYS`.
pub(crate) fn is_heavy(k: &[u8]) -> bool {
    matches!(
        k,
        b"widget"
            | b"widgets"
            | b"tests_widgets"
            | b"scatter"
            | b"plot_data"
            | b"rate_plots_data"
            | b"distribution"
            | b"small_distribution"
            | b"correlations"
            | b"current_roc_curve"
            | b"reference_roc_curve"
            | b"current_pr_curve"
            | b"reference_pr_curve"
            | b"current_pr_table"
            | b"reference_pr_table"
            | b"current_matrix"
            | b"reference_matrix"
            | b"data_definition"
            | b"run_metadata"
            | b"metric_config"
    )
}

/// Arrays longer than this keep only their first elements (lists in configs
/// and tags are short; long arrays are plot data).
pub(crate) const MAX_ARRAY: usize = 64;

/// Maximum nesting kept; deeper values are skipped (no stack exhaustion).
pub(crate) const MAX_DEPTH: usize = 48;

/// A pruned JSON value (see module doc), borrowing its strings from the
/// document where it can.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Pruned<'a>(pub Val<'a>);

/// A JSON value as the parser keeps it: like `serde_json::Value`, but
/// strings borrow from the document (no allocation unless escaped) and
/// objects are one sorted vector (no tree nodes).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) enum Val<'a> {
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'a, str>),
    Array(Vec<Val<'a>>),
    Object(Obj<'a>),
}

/// An object's members sorted by key; a repeated key keeps its last value
/// (as `serde_json::Map` does, and in the same iteration order).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Obj<'a>(Vec<(Cow<'a, str>, Val<'a>)>);

/// The byte order of two keys (`str::cmp`'s), eight bytes at a time as
/// integers: keys are short, and a call to `memcmp` costs more than that.
#[inline(always)]
pub(crate) fn key_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut i = 0;
    loop {
        let (x, y) = (word_at(a, i), word_at(b, i));
        if x != y {
            return x.cmp(&y);
        }
        i += 8;
        // Equal so far, zero padding included: the shorter is a prefix.
        if i >= a.len() || i >= b.len() {
            return a.len().cmp(&b.len());
        }
    }
}

/// Bytes `i..i + 8` of `s`, zero-padded, as a big-endian integer (so that
/// integer order is byte order).
#[inline(always)]
fn word_at(s: &[u8], i: usize) -> u64 {
    let rest = s.get(i..).unwrap_or_default();
    if let Some(head) = rest.first_chunk::<8>() {
        return u64::from_be_bytes(*head);
    }
    // A short tail: the last eight bytes of the key shifted up, when the
    // key is that long; else pieces of four, two and one bytes.
    let n = rest.len();
    if let Some(last) = s.last_chunk::<8>() {
        return u64::from_be_bytes(*last)
            .checked_shl(8 * (8 - n) as u32)
            .unwrap_or(0);
    }
    let (mut w, mut at) = (0u64, 0);
    if let Some(four) = rest.first_chunk::<4>() {
        w = u64::from(u32::from_be_bytes(*four)) << 32;
        at = 4;
    }
    if let Some(two) = rest.get(at..).and_then(|r| r.first_chunk::<2>()) {
        w |= u64::from(u16::from_be_bytes(*two)) << (48 - 8 * at);
        at += 2;
    }
    if let Some(&one) = rest.get(at) {
        w |= u64::from(one) << (56 - 8 * at);
    }
    w
}

/// `&NULL` stands for a missing value.
pub(crate) static NULL: Val<'static> = Val::Null;

/// Wide objects seen last on this thread whose keys all differ in their
/// first sixteen bytes, with their member order: an object with the same
/// keys in the same file order (the characteristics of each column, the
/// columns of each run) takes that order instead of being sorted.
#[derive(Default)]
struct RecentOrders {
    kept: Vec<KeptOrder>,
    /// The next slot to overwrite once `kept` is full.
    next: usize,
}

/// One kept order: (first sixteen key bytes of each member in file order,
/// the members' positions in key order).
type KeptOrder = (Vec<(u64, u64)>, Vec<u32>);

/// Orders kept per thread.
const RECENT_ORDERS_KEPT: usize = 8;

thread_local! {
    static RECENT_ORDERS: std::cell::RefCell<RecentOrders> = std::cell::RefCell::default();
}

impl RecentOrders {
    /// Put `order` (in file order) into key order when an object with the
    /// same keys was sorted before; false when none was.
    fn reuse(&mut self, order: &mut [(u64, u64, u32)]) -> bool {
        let Some((words, sorted)) = self.kept.iter().find(|(words, _)| {
            words.len() == order.len()
                && words
                    .iter()
                    .zip(order.iter())
                    .all(|(w, o)| *w == (o.0, o.1))
        }) else {
            return false;
        };
        // The same words: the kept ones stand for this object's.
        for (slot, &at) in order.iter_mut().zip(sorted) {
            let (w0, w1) = words.get(at as usize).copied().unwrap_or_default();
            *slot = (w0, w1, at);
        }
        true
    }

    /// Keep the key order of an object just sorted (`order`, sorted), in a
    /// free slot or, once all are taken, over the oldest (its buffers reused).
    fn keep(&mut self, order: &[(u64, u64, u32)]) {
        let at = if self.kept.len() < RECENT_ORDERS_KEPT {
            self.kept.push(KeptOrder::default());
            self.kept.len() - 1
        } else {
            let at = self.next;
            self.next = (at + 1) % RECENT_ORDERS_KEPT;
            at
        };
        let (words, sorted) = &mut self.kept[at];
        words.clear();
        words.resize(order.len(), (0, 0));
        for o in order {
            words[o.2 as usize] = (o.0, o.1);
        }
        sorted.clear();
        sorted.extend(order.iter().map(|o| o.2));
    }
}

/// The `n` keys given by `key_of` (in file order) put in key order into
/// `order`, as (first sixteen key bytes, position); of a key written more
/// than once only its last position stays (as Python's `json` keeps the
/// last value). What is sorted is small and compared as integers (wide
/// objects are column names that share a prefix such as `feature_`); keys
/// that share their first sixteen bytes are then compared whole.
pub(crate) fn sort_key_order<'k>(
    n: usize,
    key_of: impl Fn(usize) -> &'k str,
    order: &mut Vec<(u64, u64, u32)>,
) {
    order.clear();
    order.extend((0..n).map(|i| {
        let k = key_of(i).as_bytes();
        (word_at(k, 0), word_at(k, 8), i as u32)
    }));
    // Most objects are small, and insertion is cheapest for them; a wide
    // one takes the order of a recent one with the same keys if it can.
    let wide = order.len() > 16;
    let reused =
        wide && RECENT_ORDERS.with(|r| r.try_borrow_mut().is_ok_and(|mut r| r.reuse(order)));
    if !wide {
        for i in 1..order.len() {
            let x = order[i];
            let mut j = i;
            while j > 0 && order[j - 1] > x {
                order[j] = order[j - 1];
                j -= 1;
            }
            order[j] = x;
        }
    } else if !reused {
        order.sort_unstable();
    }
    // Keys that share their first sixteen bytes, by the whole key
    // (position breaks ties: the last comes last).
    let mut ties = false;
    for run in order.chunk_by_mut(|a, b| (a.0, a.1) == (b.0, b.1)) {
        if run.len() > 1 {
            ties = true;
            run.sort_unstable_by(|a, b| {
                key_cmp(key_of(a.2 as usize), key_of(b.2 as usize)).then(a.2.cmp(&b.2))
            });
        }
    }
    // Only an order the words alone decide can be reused.
    if wide && !reused && !ties {
        RECENT_ORDERS.with(|r| {
            if let Ok(mut r) = r.try_borrow_mut() {
                r.keep(order);
            }
        });
    }
    // Equal keys share their words, so only ties can hold them: of each run
    // of equal keys (the last written last) the last stays.
    if ties {
        let mut kept = 0;
        for at in 0..order.len() {
            let (w0, w1, i) = order[at];
            let superseded = order.get(at + 1).is_some_and(|&(n0, n1, next)| {
                (n0, n1) == (w0, w1) && key_cmp(key_of(next as usize), key_of(i as usize)).is_eq()
            });
            if !superseded {
                order[kept] = order[at];
                kept += 1;
            }
        }
        order.truncate(kept);
    }
}

impl<'a> Obj<'a> {
    /// An object from its members in file order: sorted by key, and of
    /// keys written more than once the last value kept.
    pub(crate) fn from_members(mut members: Vec<(Cow<'a, str>, Val<'a>)>) -> Obj<'a> {
        if members.is_sorted_by(|a, b| key_cmp(&a.0, &b.0).is_lt()) {
            return Obj(members);
        }
        Obj::take_sorted(&mut members, &mut Vec::new())
    }

    /// An object from members in file order, taken out of `members` (left
    /// holding empty placeholders) in key order ([`sort_key_order`]), the
    /// last of equal keys winning; the members move once. `order` is scratch.
    pub(crate) fn take_sorted(
        members: &mut [(Cow<'a, str>, Val<'a>)],
        order: &mut Vec<(u64, u64, u32)>,
    ) -> Obj<'a> {
        sort_key_order(members.len(), |i| &members[i].0, order);
        Obj(order
            .iter()
            .map(|&(_, _, i)| std::mem::take(&mut members[i as usize]))
            .collect())
    }

    /// Members already in strictly increasing key order.
    pub(crate) fn is_sorted(members: &[(Cow<'a, str>, Val<'a>)]) -> bool {
        members.is_sorted_by(|a, b| key_cmp(&a.0, &b.0).is_lt())
    }

    /// An object of members in strictly increasing key order.
    pub(crate) fn from_sorted(members: Vec<(Cow<'a, str>, Val<'a>)>) -> Obj<'a> {
        debug_assert!(Obj::is_sorted(&members));
        Obj(members)
    }

    pub fn get(&self, key: &str) -> Option<&Val<'a>> {
        let head = word_at(key.as_bytes(), 0);
        self.0
            .binary_search_by(|(k, _)| match word_at(k.as_bytes(), 0).cmp(&head) {
                std::cmp::Ordering::Equal => key_cmp(k, key),
                other => other,
            })
            .ok()
            .map(|i| &self.0[i].1)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Val<'a>)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }

    pub fn values(&self) -> impl Iterator<Item = &Val<'a>> {
        self.0.iter().map(|(_, v)| v)
    }
}

impl<'o, 'a> IntoIterator for &'o Obj<'a> {
    type Item = (&'o str, &'o Val<'a>);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'o, (Cow<'a, str>, Val<'a>)>,
        fn(&'o (Cow<'a, str>, Val<'a>)) -> (&'o str, &'o Val<'a>),
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }
}

impl<'a> Val<'a> {
    pub fn get(&self, key: &str) -> Option<&Val<'a>> {
        match self {
            Val::Object(o) => o.get(key),
            _ => None,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::String(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Val::Number(n) => n.as_f64(),
            _ => None,
        }
    }
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Val::Number(n) => n.as_u64(),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Val::Bool(b) => Some(*b),
            _ => None,
        }
    }
    pub fn is_null(&self) -> bool {
        matches!(self, Val::Null)
    }
    pub fn is_object(&self) -> bool {
        matches!(self, Val::Object(_))
    }

    /// The same value as a `serde_json::Value` (for what the model keeps).
    pub fn to_value(&self) -> Value {
        match self {
            Val::Null => Value::Null,
            Val::Bool(b) => Value::Bool(*b),
            Val::Number(n) => Value::Number(n.clone()),
            Val::String(s) => Value::String(s.to_string()),
            Val::Array(a) => Value::Array(a.iter().map(Val::to_value).collect()),
            Val::Object(o) => Value::Object(
                o.iter()
                    .map(|(k, v)| (k.to_string(), v.to_value()))
                    .collect(),
            ),
        }
    }

    /// From a `serde_json::Value` (dashboard configurations).
    pub fn from_value(v: &'a Value) -> Val<'a> {
        match v {
            Value::Null => Val::Null,
            Value::Bool(b) => Val::Bool(*b),
            Value::Number(n) => Val::Number(n.clone()),
            Value::String(s) => Val::String(Cow::Borrowed(s)),
            Value::Array(a) => Val::Array(a.iter().map(Val::from_value).collect()),
            Value::Object(o) => Val::Object(Obj::from_members(
                o.iter()
                    .map(|(k, v)| (Cow::Borrowed(k.as_str()), Val::from_value(v)))
                    .collect(),
            )),
        }
    }
}

/// JSON text, as `serde_json::Value` prints it.
impl fmt::Display for Val<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        fmt::Display::fmt(&self.to_value(), f)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Pruned<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(PrunedVisitor { depth: 0 }).map(Pruned)
    }
}

struct PrunedSeed {
    depth: usize,
}

impl<'de> serde::de::DeserializeSeed<'de> for PrunedSeed {
    type Value = Val<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Val<'de>, D::Error> {
        if self.depth >= MAX_DEPTH {
            IgnoredAny::deserialize(d)?;
            return Ok(Val::Null);
        }
        d.deserialize_any(PrunedVisitor { depth: self.depth })
    }
}

/// A string that borrows from the document when it has no escapes.
pub(crate) struct Text<'de>(pub Cow<'de, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// A list whose elements are all kept (pruned each); any other value is
/// read as an empty list. For top-level lists that may be long
/// (`metrics_ids`, `top_level_metrics`).
#[derive(Debug, Default)]
pub(crate) struct FullList<'a>(pub Vec<Val<'a>>);

impl<'de: 'a, 'a> Deserialize<'de> for FullList<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = FullList<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<FullList<'de>, A::Error> {
                let mut v = Vec::new();
                while let Some(x) = seq.next_element_seed(PrunedSeed { depth: 1 })? {
                    v.push(x);
                }
                Ok(FullList(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FullList<'de>, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(FullList(Vec::new()))
            }
            fn visit_bool<E>(self, _: bool) -> Result<FullList<'de>, E> {
                Ok(FullList(Vec::new()))
            }
            fn visit_i64<E>(self, _: i64) -> Result<FullList<'de>, E> {
                Ok(FullList(Vec::new()))
            }
            fn visit_u64<E>(self, _: u64) -> Result<FullList<'de>, E> {
                Ok(FullList(Vec::new()))
            }
            fn visit_f64<E>(self, _: f64) -> Result<FullList<'de>, E> {
                Ok(FullList(Vec::new()))
            }
            fn visit_str<E>(self, _: &str) -> Result<FullList<'de>, E> {
                Ok(FullList(Vec::new()))
            }
            fn visit_unit<E>(self) -> Result<FullList<'de>, E> {
                Ok(FullList(Vec::new()))
            }
        }
        d.deserialize_any(V)
    }
}

struct PrunedVisitor {
    depth: usize,
}

impl<'de> Visitor<'de> for PrunedVisitor {
    type Value = Val<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Val<'de>, E> {
        Ok(Val::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Val<'de>, E> {
        Ok(Val::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Val<'de>, E> {
        Ok(Val::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Val<'de>, E> {
        Ok(Number::from_f64(v).map_or(Val::Null, Val::Number))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Val<'de>, E> {
        Ok(Val::String(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Val<'de>, E> {
        Ok(Val::String(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Val<'de>, E> {
        Ok(Val::String(Cow::Owned(v)))
    }
    fn visit_none<E>(self) -> Result<Val<'de>, E> {
        Ok(Val::Null)
    }
    fn visit_unit<E>(self) -> Result<Val<'de>, E> {
        Ok(Val::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Val<'de>, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Val<'de>, A::Error> {
        let mut v = Vec::new();
        while v.len() < MAX_ARRAY {
            match seq.next_element_seed(PrunedSeed {
                depth: self.depth + 1,
            })? {
                Some(x) => v.push(x),
                None => return Ok(Val::Array(v)),
            }
        }
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Val::Array(v))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Val<'de>, A::Error> {
        let mut members = Vec::new();
        while let Some(Text(k)) = map.next_key::<Text<'de>>()? {
            if is_heavy(k.as_bytes()) {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let v = map.next_value_seed(PrunedSeed {
                depth: self.depth + 1,
            })?;
            members.push((k, v));
        }
        Ok(Val::Object(Obj::from_members(members)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_heavy_keys_and_long_arrays() {
        let long: Vec<u32> = (0..1000).collect();
        let src = serde_json::json!({
            "a": 1, "scatter": {"x": long}, "list": long, "nested": {"widget": [1], "b": "x"}
        })
        .to_string();
        let p: Pruned = serde_json::from_str(&src).unwrap();
        let v = p.0.to_value();
        assert_eq!(v["a"], 1);
        assert!(v.get("scatter").is_none());
        assert_eq!(v["list"].as_array().unwrap().len(), MAX_ARRAY);
        assert_eq!(v["nested"], serde_json::json!({"b": "x"}));
        // Strings without escapes are borrowed from the document.
        let p: Pruned = serde_json::from_str(r#"{"a": "plain", "b": "esc\n"}"#).unwrap();
        assert!(matches!(
            p.0.get("a"),
            Some(Val::String(Cow::Borrowed("plain")))
        ));
        assert_eq!(p.0.get("b").and_then(Val::as_str), Some("esc\n"));
    }

    #[test]
    fn objects_iterate_sorted_and_the_last_repeated_key_wins() {
        let src = r#"{"b": 1, "a": 2, "c": {"z": 1, "y": 2}, "a": 3}"#;
        let p: Pruned = serde_json::from_str(src).unwrap();
        let Val::Object(o) = &p.0 else { panic!() };
        let keys: Vec<&str> = o.iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["a", "b", "c"]);
        assert_eq!(p.0.get("a").and_then(Val::as_u64), Some(3));
        // Same content and order as serde_json's own map.
        let v: Value = serde_json::from_str(src).unwrap();
        assert_eq!(p.0.to_value(), v);
        assert_eq!(p.0.to_string(), v.to_string());
        // Repeated keys that share their first sixteen bytes with others,
        // in a small object and in a wide one.
        let long = |i: usize| format!("\"feature_column_x_{}\": {i}", i % 3);
        for n in [5, 40] {
            let src = format!("{{{}}}", (0..n).map(long).collect::<Vec<_>>().join(", "));
            let p: Pruned = serde_json::from_str(&src).unwrap();
            let v: Value = serde_json::from_str(&src).unwrap();
            assert_eq!(p.0.to_value(), v, "{src}");
        }
    }

    #[test]
    fn wide_objects_sort_the_same_when_their_order_is_reused() {
        // 20 keys in a shuffled file order: short ones, and long ones that
        // share their first sixteen bytes (sorted by the whole key).
        let short: Vec<String> = (0..20).map(|i| format!("k{:02}", (i * 7) % 20)).collect();
        let long: Vec<String> = (0..20)
            .map(|i| format!("feature_column_name_{:02}", (i * 11) % 20))
            .collect();
        for keys in [&short, &long, &short, &long, &short] {
            for round in 0..3 {
                let body: Vec<String> = keys
                    .iter()
                    .enumerate()
                    .map(|(i, k)| format!("\"{k}\": {}", i + round))
                    .collect();
                let src = format!("{{{}}}", body.join(", "));
                let p: Pruned = serde_json::from_str(&src).unwrap();
                let Val::Object(o) = &p.0 else { panic!() };
                let got: Vec<(&str, u64)> = o
                    .iter()
                    .map(|(k, v)| (k, v.as_u64().unwrap_or(u64::MAX)))
                    .collect();
                let mut want: Vec<(&str, u64)> = keys
                    .iter()
                    .enumerate()
                    .map(|(i, k)| (k.as_str(), (i + round) as u64))
                    .collect();
                want.sort_unstable();
                assert_eq!(got, want, "{src}");
                assert_eq!(
                    p.0.get(&keys[3]).and_then(Val::as_u64),
                    Some(3 + round as u64)
                );
            }
        }
    }

    #[test]
    fn key_order_is_byte_order() {
        let keys = [
            "",
            "a",
            "a\0",
            "a\0b",
            "ab",
            "abcdefgh",
            "abcdefgh\0",
            "abcdefghi",
            "abcdefgg",
            "b",
            "é",
            "zz",
            "abcdefgh_2",
            "abcdefgh_10",
            "abcdefghijklmnop",
            "abcdefghijklmnoq",
            "abcdefghijklmnop\0",
            "abcdefghijklmno",
            "abcdefgh\0\0\0\0\0\0\0\0",
        ];
        for a in keys {
            for b in keys {
                assert_eq!(key_cmp(a, b), a.cmp(b), "{a:?} {b:?}");
            }
        }
        // Every tail length, on keys long and short.
        let text = "abcdefghijklmnopqrstuvwxyz";
        for len in 0..text.len() {
            for at in (0..=len).step_by(8) {
                let mut want = [0u8; 8];
                let tail = &text.as_bytes()[at..len.min(at + 8)];
                want[..tail.len()].copy_from_slice(tail);
                assert_eq!(
                    word_at(&text.as_bytes()[..len], at),
                    u64::from_be_bytes(want)
                );
            }
        }
    }

    #[test]
    fn heavy_key_match_equals_the_list() {
        for k in HEAVY_KEYS {
            assert!(is_heavy(k.as_bytes()), "{k}");
        }
        // As many patterns in `is_heavy` as entries in the list.
        let src = include_str!("pruned.rs");
        let body = &src[src.find("fn is_heavy").unwrap()..];
        let body = &body[..body.find("\n}\n").unwrap()];
        assert_eq!(body.matches("b\"").count(), HEAVY_KEYS.len());
        for k in [
            "value",
            "current",
            "drift_score",
            "w",
            "widgetx",
            "test_results",
        ] {
            assert!(!is_heavy(k.as_bytes()), "{k}");
        }
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
        // Below MAX_DEPTH the rest is skipped, not built: no stack exhaustion.
        let p = serde_json::from_str::<Pruned>(&deep).unwrap();
        let p = p.0.to_value();
        let mut v = &p;
        let mut depth = 0;
        while let Some(inner) = v.as_array().and_then(|a| a.first()) {
            v = inner;
            depth += 1;
        }
        assert!(depth <= MAX_DEPTH, "kept {depth} levels");
        let ok = format!("{}1{}", "[".repeat(100), "]".repeat(100));
        assert!(serde_json::from_str::<Pruned>(&ok).is_ok());
    }
}
