//! Fuzz the snapshot parser, including the NaN/Infinity pre-pass.
#![no_main]

use libfuzzer_sys::fuzz_target;
use snapscope::parse::{parse_snapshot, replace_non_finite, ParseOptions};

fuzz_target!(|data: &[u8]| {
    let cleaned = replace_non_finite(data);
    // The pre-pass only ever swaps a token for `null`: never panics, and the
    // result is valid JSON whenever the input was valid apart from those tokens.
    assert!(cleaned.len() <= data.len() + data.len() / 3 + 1);
    let _ = parse_snapshot(data, "fuzz", "fuzz", &ParseOptions::default());
});
