//! A snapshot's metadata: the few key/value pairs a run was labelled with.

use std::sync::Arc;

use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use super::intern::intern;

/// Key/value pairs sorted by key (the order a `serde_json::Map` iterates
/// in), in one allocation of exactly their size, keys interned (the same
/// keys repeat in every run of a pipeline). A B-tree map took a node of
/// about 700 bytes for even a single pair.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metadata(Box<[(Arc<str>, Value)]>);

impl Metadata {
    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0
            .binary_search_by(|(k, _)| (**k).cmp(key))
            .ok()
            .map(|i| &self.0[i].1)
    }

    /// The pairs, sorted by key.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (&**k, v))
    }

    /// The keys, sorted.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> {
        self.0.iter().map(|(k, _)| &**k)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Pairs in any order; of equal keys the last one stays (as in a map).
impl<K: AsRef<str>> FromIterator<(K, Value)> for Metadata {
    fn from_iter<I: IntoIterator<Item = (K, Value)>>(iter: I) -> Self {
        let mut pairs: Vec<(Arc<str>, Value)> = iter
            .into_iter()
            .map(|(k, v)| (intern(k.as_ref()), v))
            .collect();
        // Stable: equal keys keep their order, and the last one is kept.
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out: Vec<(Arc<str>, Value)> = Vec::with_capacity(pairs.len());
        for p in pairs {
            match out.last_mut() {
                Some(last) if last.0 == p.0 => *last = p,
                _ => out.push(p),
            }
        }
        Metadata(out.into_boxed_slice())
    }
}

impl From<serde_json::Map<String, Value>> for Metadata {
    fn from(map: serde_json::Map<String, Value>) -> Self {
        map.into_iter().collect()
    }
}

/// As a JSON object, like the map it was read from.
impl Serialize for Metadata {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Metadata {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde_json::Map::<String, Value>::deserialize(d).map(Metadata::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sorted_last_of_equal_keys_and_the_same_json_as_a_map() {
        let m: Metadata = [
            ("pipeline", json!("nightly")),
            ("batch", json!(7)),
            ("pipeline", json!("hourly")),
            ("owners", json!(["a", "b"])),
        ]
        .into_iter()
        .collect();
        assert_eq!(
            m.keys().collect::<Vec<_>>(),
            ["batch", "owners", "pipeline"]
        );
        assert_eq!(m.get("pipeline"), Some(&json!("hourly")));
        assert_eq!(m.get("nope"), None);
        let text = r#"{"z":{"b":1,"a":[1,"x"]},"a":"1","m":null}"#;
        let map: serde_json::Map<String, Value> = serde_json::from_str(text).unwrap();
        let meta: Metadata = serde_json::from_str(text).unwrap();
        assert_eq!(
            serde_json::to_string(&meta).unwrap(),
            serde_json::to_string(&map).unwrap()
        );
        assert_eq!(meta, Metadata::from(map));
    }
}
