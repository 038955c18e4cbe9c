//! A process-wide string interner for the strings that repeat across
//! thousands of snapshots (series keys, test identities, names, columns):
//! each distinct string is stored once and shared.

use std::collections::HashSet;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::{Arc, Mutex, OnceLock};

/// Independent locks, so parser threads rarely wait on each other.
const SHARDS: usize = 32;

struct Table {
    shards: Vec<Mutex<HashSet<Arc<str>>>>,
    hasher: std::collections::hash_map::RandomState,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| Table {
        shards: (0..SHARDS).map(|_| Mutex::new(HashSet::new())).collect(),
        hasher: Default::default(),
    })
}

fn shard(s: &str) -> &'static Mutex<HashSet<Arc<str>>> {
    let t = table();
    let mut h = t.hasher.build_hasher();
    s.hash(&mut h);
    &t.shards[(h.finish() as usize) % SHARDS]
}

/// The shared copy of `s`.
pub fn intern(s: &str) -> Arc<str> {
    // A poisoned lock only means another thread panicked mid-insert; the set
    // itself is still valid.
    let mut t = shard(s).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(a) = t.get(s) {
        return a.clone();
    }
    let a: Arc<str> = Arc::from(s);
    t.insert(a.clone());
    a
}

/// Number of distinct strings interned so far.
pub fn len() -> usize {
    table()
        .shards
        .iter()
        .map(|m| m.lock().map(|t| t.len()).unwrap_or(0))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_text_same_allocation() {
        let a = intern("Accuracy.value");
        let b = intern(&String::from("Accuracy.value"));
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(&*a, "Accuracy.value");
    }
}
