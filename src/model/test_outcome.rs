//! One test's outcome in a snapshot, and what the test is (the same in
//! every run, so shared).

use std::hash::{BuildHasher, Hash, Hasher};
use std::ops::Deref;
use std::sync::{Arc, Mutex, OnceLock};

use serde::{Serialize, Serializer};

use super::intern::FxBuild;
use super::TestStatus;

/// What a test is: the same in every run of a suite. One shared copy per
/// distinct test ([`TestSpec::shared`]), so a run's outcome carries one
/// pointer instead of four strings.
#[derive(Debug, PartialEq, Eq)]
pub struct TestSpec {
    /// Stable identity across snapshots: short test type plus canonical
    /// configuration (legacy), or metric fingerprint + test id + canonical
    /// test config (v2). Display names are not unique; this is.
    pub identity: Arc<str>,
    /// Short test type, e.g. `TestColumnDrift` or `LessThanMetricTest`.
    pub test_type: Arc<str>,
    /// Display name as written by Evidently.
    pub name: Arc<str>,
    /// The column the test is about, where there is one.
    pub column: Option<Arc<str>>,
}

/// One test's outcome inside a snapshot. Reads of what the test is
/// (`t.identity`, `t.name`, ...) go through to its [`TestSpec`].
#[derive(Debug, Clone, PartialEq)]
pub struct TestOutcome {
    pub spec: Arc<TestSpec>,
    /// Description as written by Evidently (holds measured value and condition).
    pub description: Arc<str>,
    pub status: TestStatus,
    /// The measured value, where the file states it.
    pub value: Option<f64>,
    /// The condition in readable form (e.g. `gt 0.5`, `eq 0.97 ± 0.19`), where known.
    pub condition: Option<Arc<str>>,
}

impl Deref for TestOutcome {
    type Target = TestSpec;
    fn deref(&self) -> &TestSpec {
        &self.spec
    }
}

/// As one flat record, in the order the fields were always written.
impl Serialize for TestOutcome {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Flat<'a> {
            identity: &'a str,
            test_type: &'a str,
            name: &'a str,
            description: &'a str,
            status: TestStatus,
            column: Option<&'a str>,
            value: Option<f64>,
            condition: Option<&'a str>,
        }
        Flat {
            identity: &self.identity,
            test_type: &self.test_type,
            name: &self.name,
            description: &self.description,
            status: self.status,
            column: self.column.as_deref(),
            value: self.value,
            condition: self.condition.as_deref(),
        }
        .serialize(s)
    }
}

/// Independent locks, so parser threads rarely wait on each other.
const SHARDS: usize = 16;

fn specs() -> &'static [Mutex<hashbrown::HashTable<Arc<TestSpec>>>] {
    static SPECS: OnceLock<Vec<Mutex<hashbrown::HashTable<Arc<TestSpec>>>>> = OnceLock::new();
    SPECS.get_or_init(|| {
        (0..SHARDS)
            .map(|_| Mutex::new(Default::default()))
            .collect()
    })
}

impl TestSpec {
    /// By the addresses of its strings: the parser and the cache give
    /// interned strings, so equal tests have equal addresses. (Strings that
    /// are not interned only miss the sharing.) The table holds every
    /// spec, so an address is never reused while it is in there.
    fn address_hash(&self) -> u64 {
        let mut h = FxBuild::default().build_hasher();
        for s in [&self.identity, &self.test_type, &self.name] {
            h.write_usize(s.as_ptr() as usize);
        }
        self.column
            .as_ref()
            .map(|c| c.as_ptr() as usize)
            .hash(&mut h);
        h.finish()
    }

    fn same_addresses(&self, other: &TestSpec) -> bool {
        Arc::ptr_eq(&self.identity, &other.identity)
            && Arc::ptr_eq(&self.test_type, &other.test_type)
            && Arc::ptr_eq(&self.name, &other.name)
            && match (&self.column, &other.column) {
                (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                (None, None) => true,
                _ => false,
            }
    }

    /// The shared copy of this spec.
    pub fn shared(self) -> Arc<TestSpec> {
        let h = self.address_hash();
        let shard = &specs()[(h >> 60) as usize % SHARDS];
        // A poisoned lock only means another thread panicked mid-insert;
        // the table itself is still valid.
        let mut t = shard.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(found) = t.find(h, |s| s.same_addresses(&self)) {
            return found.clone();
        }
        let spec = Arc::new(self);
        t.insert_unique(h, spec.clone(), |s| s.address_hash());
        spec
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::intern::intern;

    fn spec(identity: &str, column: Option<&str>) -> TestSpec {
        TestSpec {
            identity: intern(identity),
            test_type: intern("TestColumnDrift"),
            name: intern("Drift per Column"),
            column: column.map(intern),
        }
    }

    #[test]
    fn equal_tests_share_one_spec() {
        let a = spec("t1", Some("age")).shared();
        let b = spec("t1", Some("age")).shared();
        let c = spec("t1", None).shared();
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &c));
        assert_eq!(c.column, None);
        let t = TestOutcome {
            spec: a,
            description: intern("drift score 0.3"),
            status: TestStatus::Fail,
            value: Some(0.3),
            condition: None,
        };
        assert_eq!(&*t.identity, "t1");
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#"{"identity":"t1","test_type":"TestColumnDrift","name":"Drift per Column","description":"drift score 0.3","status":"FAIL","column":"age","value":0.3,"condition":null}"#
        );
    }
}
