//! Property test: mutated real snapshot bytes (truncated, bit-flipped,
//! spliced) never make the parser panic; it returns an error or a value.

use std::path::PathBuf;

use proptest::prelude::*;
use snapscope::parse::{parse_project_metadata, parse_snapshot, replace_non_finite, ParseOptions};

fn real_files() -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/parse");
    let mut v: Vec<Vec<u8>> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    v.sort();
    v
}

#[derive(Debug, Clone)]
enum Mutation {
    Truncate(usize),
    Flip(usize, u8),
    Splice(usize, usize, usize),
    Insert(usize, Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), 1u8..=255).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), any::<usize>(), any::<usize>())
            .prop_map(|(a, b, c)| Mutation::Splice(a, b, c)),
        (
            any::<usize>(),
            prop::sample::select(vec![
                b"NaN".to_vec(),
                b"-Infinity".to_vec(),
                b"\"".to_vec(),
                b"\\".to_vec(),
                b"{".to_vec(),
                b"]".to_vec(),
                b"[[[[[[[[[[[[[[[[".to_vec(),
                b"null".to_vec(),
                b"\xff\xfe".to_vec(),
            ])
        )
            .prop_map(|(i, s)| Mutation::Insert(i, s)),
    ]
}

fn apply(mut bytes: Vec<u8>, muts: &[Mutation]) -> Vec<u8> {
    for m in muts {
        let n = bytes.len().max(1);
        match m {
            Mutation::Truncate(i) => bytes.truncate(i % n),
            Mutation::Flip(i, b) => {
                if !bytes.is_empty() {
                    let i = i % bytes.len();
                    bytes[i] ^= b;
                }
            }
            Mutation::Splice(a, b, c) => {
                // Copy a slice of the file over another place of itself.
                let (a, b, c) = (a % n, b % n, c % n);
                let (lo, hi) = (a.min(b), a.max(b));
                let chunk: Vec<u8> = bytes
                    .get(lo..hi.min(lo + 4096))
                    .unwrap_or_default()
                    .to_vec();
                let at = c.min(bytes.len());
                bytes.splice(at..at, chunk);
            }
            Mutation::Insert(i, s) => {
                let at = i % (bytes.len() + 1);
                bytes.splice(at..at, s.iter().copied());
            }
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn mutated_snapshots_never_panic(file in 0usize..2, muts in prop::collection::vec(mutation(), 1..4)) {
        let files = real_files();
        let bytes = apply(files[file % files.len()].clone(), &muts);
        let opts = ParseOptions::default();
        let _ = parse_snapshot(&bytes, "x", "p", &opts);
        let _ = parse_project_metadata(&bytes);
        let cleaned = replace_non_finite(&bytes);
        // The pre-pass never grows a file by more than the tokens it replaces.
        prop_assert!(cleaned.len() <= bytes.len() + bytes.len() / 3 + 1);
    }
}
