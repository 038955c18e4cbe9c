//! A process-wide string interner for the strings that repeat across
//! thousands of snapshots (series keys, test identities, names, columns):
//! each distinct string is stored once and shared.

use std::cell::RefCell;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use std::sync::{Arc, Mutex, OnceLock};

/// A small, fast non-cryptographic hasher (the Fx hash of rustc) for
/// interned strings and pointer keys: the inputs are not attacker-chosen
/// hash-flooding material in any way that matters here (one process, its
/// own files), and SipHash showed up in profiles.
#[derive(Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, w: u64) {
        self.hash = (self.hash.rotate_left(5) ^ w).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut a = [0u8; 8];
            a.copy_from_slice(c);
            self.add(u64::from_le_bytes(a));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut a = [0u8; 8];
            a[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(a));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// `BuildHasher` for [`FxHasher`].
pub type FxBuild = BuildHasherDefault<FxHasher>;

/// Independent locks, so parser threads rarely wait on each other.
const SHARDS: usize = 32;

/// Interned strings by their Fx hash (computed once per lookup: it picks
/// the shard and finds the slot).
type Set = hashbrown::HashTable<Arc<str>>;

struct Table {
    shards: Vec<Mutex<Set>>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| Table {
        shards: (0..SHARDS).map(|_| Mutex::new(Set::default())).collect(),
    })
}

fn hash(s: &str) -> u64 {
    FxBuild::default().hash_one(s)
}

/// The shared copy of `s`.
pub fn intern(s: &str) -> Arc<str> {
    let h = hash(s);
    // High bits pick the shard: the table itself uses the low ones.
    let shard = &table().shards[(h >> 58) as usize % SHARDS];
    // A poisoned lock only means another thread panicked mid-insert; the set
    // itself is still valid.
    let mut t = shard.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(a) = t.find(h, |a| &**a == s) {
        return a.clone();
    }
    let a: Arc<str> = Arc::from(s);
    t.insert_unique(h, a.clone(), |a| hash(a));
    a
}

/// The shared copy of `a` + `sep` + `b`, built in a per-thread buffer (no
/// allocation when the string is already interned).
pub fn intern_joined(a: &str, sep: char, b: &str) -> Arc<str> {
    thread_local! {
        static BUF: RefCell<String> = const { RefCell::new(String::new()) };
    }
    BUF.with(|buf| match buf.try_borrow_mut() {
        Ok(mut buf) => {
            buf.clear();
            buf.push_str(a);
            buf.push(sep);
            buf.push_str(b);
            intern(&buf)
        }
        Err(_) => intern(&format!("{a}{sep}{b}")),
    })
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
        let c = intern_joined("Accuracy", '.', "value");
        assert!(Arc::ptr_eq(&a, &c));
    }
}
