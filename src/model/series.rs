//! A snapshot's numeric values, stored compactly: packed values (one byte
//! for a small whole number, see [`PackedValues`]) against a key list that
//! every snapshot with the same keys shares.
//!
//! The runs of one project mostly carry the same metrics, so most
//! snapshots of a workspace have one of a few key lists. Each distinct
//! list is kept once (process-wide, like interned strings) and a snapshot
//! holds only its values: 1 to 9 bytes a value (about 2 on real
//! workspaces) instead of a key pointer and an `Option<f64>` (32 bytes).

use std::hash::{BuildHasher, Hasher};
use std::sync::{Arc, Mutex, OnceLock};

use serde::ser::{Serialize, SerializeSeq, Serializer};

use super::intern::{FxBuild, FxHasher};
use super::packed::{PackedIter, PackedValues};
use super::SeriesValue;

/// A shared key list: its keys (interned strings) and what is worked out
/// once per list.
pub type KeyList = Arc<Keys>;

/// The keys of a [`KeyList`].
#[derive(Debug)]
pub struct Keys {
    keys: Box<[Arc<str>]>,
    /// Where the fields of a dataset-level drift count are (`drift::FIELDS`).
    drift_fields: [Box<[u32]>; 8],
}

impl Keys {
    fn new(keys: Vec<Arc<str>>) -> Keys {
        let drift_fields = super::drift::field_positions(&keys);
        Keys {
            keys: keys.into_boxed_slice(),
            drift_fields,
        }
    }
}

impl std::ops::Deref for Keys {
    type Target = [Arc<str>];
    fn deref(&self) -> &[Arc<str>] {
        &self.keys
    }
}

/// The numeric values of one snapshot, in file order; see the module doc.
#[derive(Clone)]
pub struct SeriesSet {
    keys: KeyList,
    /// One per key.
    values: PackedValues,
}

/// One value of a [`SeriesSet`], borrowed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeriesRef<'a> {
    pub key: &'a Arc<str>,
    /// `None` for null / NaN / Infinity in the file.
    pub value: Option<f64>,
}

impl<'a> SeriesRef<'a> {
    /// The key's text.
    pub fn key(&self) -> &'a str {
        self.key
    }
}

impl Default for SeriesSet {
    fn default() -> Self {
        SeriesSet {
            keys: empty_keys(),
            values: PackedValues::default(),
        }
    }
}

fn empty_keys() -> KeyList {
    static EMPTY: OnceLock<KeyList> = OnceLock::new();
    EMPTY
        .get_or_init(|| Arc::new(Keys::new(Vec::new())))
        .clone()
}

impl SeriesSet {
    /// A set from values in file order; the key list is shared with every
    /// other set that has the same keys in the same order.
    pub fn from_values(values: Vec<SeriesValue>) -> SeriesSet {
        if values.is_empty() {
            return SeriesSet::default();
        }
        let stored = PackedValues::pack(values.iter().map(|v| v.value));
        let keys: Vec<Arc<str>> = values.into_iter().map(|v| v.key).collect();
        SeriesSet {
            keys: share(keys),
            values: stored,
        }
    }

    /// A set from a key list (shared as it is) and its packed values.
    /// `None` when the counts differ.
    pub fn from_packed(keys: KeyList, values: PackedValues) -> Option<SeriesSet> {
        (keys.len() == values.len()).then_some(SeriesSet { keys, values })
    }

    /// The values, packed.
    pub fn packed(&self) -> &PackedValues {
        &self.values
    }

    /// The shared key list.
    pub fn keys(&self) -> &KeyList {
        &self.keys
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when the snapshot has no numeric value.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The values in file order.
    pub fn iter(&self) -> SeriesIter<'_> {
        SeriesIter {
            keys: self.keys.iter(),
            values: self.values.iter(),
        }
    }

    /// The first value under `key`.
    pub fn get(&self, key: &str) -> Option<SeriesRef<'_>> {
        let i = self.keys.iter().position(|k| &**k == key)?;
        Some(SeriesRef {
            key: self.keys.get(i)?,
            value: self.values.get(i),
        })
    }

    /// The first value of each dataset-level drift field (`drift::FIELDS`).
    pub(super) fn drift_fields(&self) -> [Option<f64>; 8] {
        self.keys
            .drift_fields
            .each_ref()
            .map(|at| at.iter().find_map(|&i| self.values.get(i as usize)))
    }
}

/// The values of a [`SeriesSet`] in file order.
#[derive(Clone)]
pub struct SeriesIter<'a> {
    keys: std::slice::Iter<'a, Arc<str>>,
    values: PackedIter<'a>,
}

impl<'a> Iterator for SeriesIter<'a> {
    type Item = SeriesRef<'a>;
    #[inline]
    fn next(&mut self) -> Option<SeriesRef<'a>> {
        let key = self.keys.next()?;
        let value = self.values.next()?;
        Some(SeriesRef { key, value })
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.values.size_hint()
    }
}

impl ExactSizeIterator for SeriesIter<'_> {}

impl<'a> IntoIterator for &'a SeriesSet {
    type Item = SeriesRef<'a>;
    type IntoIter = SeriesIter<'a>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl FromIterator<SeriesValue> for SeriesSet {
    fn from_iter<I: IntoIterator<Item = SeriesValue>>(iter: I) -> Self {
        SeriesSet::from_values(iter.into_iter().collect())
    }
}

impl PartialEq for SeriesSet {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().zip(other.iter()).all(|(a, b)| a == b)
    }
}

impl std::fmt::Debug for SeriesSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.iter().map(|v| (&**v.key, v.value)))
            .finish()
    }
}

/// As a list of `{"key", "value"}` objects (what a `Vec<SeriesValue>` gave).
impl Serialize for SeriesSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for v in self.iter() {
            seq.serialize_element(&SeriesValue {
                key: v.key.clone(),
                value: v.value,
            })?;
        }
        seq.end()
    }
}

/// Independent locks, so parser threads rarely wait on each other.
const SHARDS: usize = 16;

type Lists = hashbrown::HashTable<KeyList>;

fn lists() -> &'static [Mutex<Lists>] {
    static LISTS: OnceLock<Vec<Mutex<Lists>>> = OnceLock::new();
    LISTS.get_or_init(|| (0..SHARDS).map(|_| Mutex::new(Lists::default())).collect())
}

/// Keys are interned, so a list is told by the addresses of its keys
/// (equal addresses, equal text; a key that is not interned only misses
/// sharing, never matches wrongly).
fn list_hash(keys: &[Arc<str>]) -> u64 {
    let mut h: FxHasher = FxBuild::default().build_hasher();
    h.write_usize(keys.len());
    for k in keys {
        h.write_usize(k.as_ptr() as usize);
    }
    h.finish()
}

fn same_list(a: &[Arc<str>], b: &[Arc<str>]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| Arc::ptr_eq(x, y))
}

/// The shared copy of the key list `keys`.
pub fn share(keys: Vec<Arc<str>>) -> KeyList {
    if keys.is_empty() {
        return empty_keys();
    }
    let h = list_hash(&keys);
    let shard = &lists()[(h >> 59) as usize % SHARDS];
    // A poisoned lock only means another thread panicked mid-insert; the
    // table itself is still valid.
    let mut t = shard.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(found) = t.find(h, |l| same_list(l, &keys)) {
        return found.clone();
    }
    let list: KeyList = Arc::new(Keys::new(keys));
    t.insert_unique(h, list.clone(), |l| list_hash(l));
    list
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::intern::intern;

    fn values(pairs: &[(&str, Option<f64>)]) -> Vec<SeriesValue> {
        pairs
            .iter()
            .map(|(k, v)| SeriesValue {
                key: intern(k),
                value: *v,
            })
            .collect()
    }

    #[test]
    fn same_keys_share_one_list_and_values_stay_apart() {
        let a = SeriesSet::from_values(values(&[("A.value", Some(1.0)), ("B.value", None)]));
        let b = SeriesSet::from_values(values(&[("A.value", Some(2.5)), ("B.value", Some(0.0))]));
        assert!(Arc::ptr_eq(a.keys(), b.keys()));
        let got: Vec<(&str, Option<f64>)> = a.iter().map(|v| (v.key(), v.value)).collect();
        assert_eq!(got, vec![("A.value", Some(1.0)), ("B.value", None)]);
        assert_eq!(b.get("B.value").map(|v| v.value), Some(Some(0.0)));
        assert_eq!(a.get("C.value"), None);
        // Another order is another list.
        let c = SeriesSet::from_values(values(&[("B.value", None), ("A.value", Some(1.0))]));
        assert!(!Arc::ptr_eq(a.keys(), c.keys()));
        assert_ne!(a, c);
    }

    #[test]
    fn serializes_as_the_list_of_values() {
        let a = SeriesSet::from_values(values(&[("A.value", Some(1.5)), ("B.value", None)]));
        assert_eq!(
            serde_json::to_string(&a).ok().as_deref(),
            Some(r#"[{"key":"A.value","value":1.5},{"key":"B.value","value":null}]"#)
        );
        assert!(SeriesSet::default().is_empty());
    }
}
