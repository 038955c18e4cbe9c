//! A process-wide string interner for the strings that repeat across
//! thousands of snapshots (series keys, test identities, names, columns):
//! each distinct string is stored once and shared.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, OnceLock};

fn table() -> &'static Mutex<HashSet<Arc<str>>> {
    static TABLE: OnceLock<Mutex<HashSet<Arc<str>>>> = OnceLock::new();
    TABLE.get_or_init(|| Mutex::new(HashSet::new()))
}

/// The shared copy of `s`.
pub fn intern(s: &str) -> Arc<str> {
    // A poisoned lock only means another thread panicked mid-insert; the set
    // itself is still valid.
    let mut t = table().lock().unwrap_or_else(|e| e.into_inner());
    if let Some(a) = t.get(s) {
        return a.clone();
    }
    let a: Arc<str> = Arc::from(s);
    t.insert(a.clone());
    a
}

/// Number of distinct strings interned so far.
pub fn len() -> usize {
    table().lock().map(|t| t.len()).unwrap_or(0)
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
