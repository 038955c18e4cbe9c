//! Byte-level passes over snapshot text that never build what they pass.
//!
//! [`skip_value`] finds the end of a value by matching brackets and strings
//! (64 bytes at a time): the fast path ([`super::direct`]) passes over
//! unread keys, heavy values and the tails of long arrays with it.
//!
//! [`skim_widgets_into`] compacts a v2 `widgets` list for the drift-table
//! walker ([`super::widgets`]): inside it, every key the walker does not
//! read has its value replaced by `null` (found with the same bracket
//! matching), and so do Python's bare `NaN` / `Infinity` tokens. The output
//! is a much smaller JSON document with the same shape. (The same pass over
//! a whole document, `skim`, keeps every top-level key that
//! [`super::snapshot::RawSnapshot`] reads and drops the heavy keys
//! elsewhere; only tests use it now.)
//!
//! A skipped value is checked loosely: its strings end and its brackets
//! balance, nothing more (damage inside plot data goes unnoticed; a
//! truncated file does not). Whenever this pass fails, the caller parses the
//! whole file the slow way, so every error is reported exactly as before,
//! with its real line and column.

use super::pruned::is_heavy;

/// Top-level keys that the snapshot parser reads.
const TOP_FIELDS: &[&str] = &[
    "id",
    "name",
    "timestamp",
    "metadata",
    "tags",
    "metrics_ids",
    "suite",
    "metric_results",
    "top_level_metrics",
    "widgets",
];

/// Keys that the drift-table walker reads inside `widgets`.
const WIDGET_FIELDS: &[&str] = &[
    "type",
    "params",
    "widgets",
    "data",
    "column_name",
    "column_type",
    "stattest_name",
    "drift_score",
    "data_drift",
];

/// Where a container sits, which decides what is dropped from it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Root,
    Widgets,
    Normal,
}

/// What to do with the value of a key.
fn decide(ctx: Ctx, key: &[u8]) -> Option<Ctx> {
    let listed = |list: &[&str]| list.iter().any(|f| f.as_bytes() == key);
    match ctx {
        Ctx::Root => listed(TOP_FIELDS).then_some(if key == b"widgets" {
            Ctx::Widgets
        } else {
            Ctx::Normal
        }),
        Ctx::Widgets => listed(WIDGET_FIELDS).then_some(Ctx::Widgets),
        Ctx::Normal => (!is_heavy(key)).then_some(Ctx::Normal),
    }
}

pub(crate) const LO: u64 = 0x0101_0101_0101_0101;
pub(crate) const HI: u64 = 0x8080_8080_8080_8080;

/// High bit set in each byte of `w` that equals `byte` (exact, no false
/// positives: the classic "has zero byte" test with carries masked).
#[inline(always)]
pub(crate) fn eq_mask(w: u64, byte: u8) -> u64 {
    let x = w ^ (LO * byte as u64);
    // A byte of x is zero iff its low 7 bits plus 0x7f do not carry into
    // bit 7 and its own bit 7 is clear.
    !(((x & !HI) + !HI) | x) & HI
}

/// Index of the next byte at or after `i` that is a quote, a bracket or the
/// `N` / `I` of a non-finite token, else `b.len()`. Sixteen bytes at a time.
#[inline(always)]
fn next_special(b: &[u8], mut i: usize) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        while let Some(chunk) = b.get(i..i + 16) {
            // SAFETY: SSE2 is part of the x86_64 baseline; the unaligned
            // load reads the 16 bytes of `chunk`.
            let m = unsafe {
                let v = _mm_loadu_si128(chunk.as_ptr() as *const __m128i);
                // `[`/`{` and `]`/`}` differ only in bit 5.
                let folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
                let hit = _mm_or_si128(
                    _mm_or_si128(
                        _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8)),
                        _mm_cmpeq_epi8(folded, _mm_set1_epi8(b'{' as i8)),
                    ),
                    _mm_or_si128(
                        _mm_cmpeq_epi8(folded, _mm_set1_epi8(b'}' as i8)),
                        _mm_or_si128(
                            _mm_cmpeq_epi8(v, _mm_set1_epi8(b'N' as i8)),
                            _mm_cmpeq_epi8(v, _mm_set1_epi8(b'I' as i8)),
                        ),
                    ),
                );
                _mm_movemask_epi8(hit) as u32
            };
            if m != 0 {
                return i + m.trailing_zeros() as usize;
            }
            i += 16;
        }
    }
    while i < b.len() {
        if matches!(b[i], b'"' | b'[' | b']' | b'{' | b'}' | b'N' | b'I') {
            return i;
        }
        i += 1;
    }
    i
}

/// Index just past the string whose opening quote is at `start`. Most
/// strings in snapshots are short: words of eight bytes are tested first,
/// long strings go to `memchr`.
#[inline(always)]
fn string_end(b: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    let mut words = 0;
    loop {
        if words < 4 && i + 8 <= b.len() {
            let mut word = [0u8; 8];
            word.copy_from_slice(&b[i..i + 8]);
            let w = u64::from_le_bytes(word);
            let m = eq_mask(w, b'"') | eq_mask(w, b'\\');
            if m == 0 {
                i += 8;
                words += 1;
                continue;
            }
            i += (m.trailing_zeros() / 8) as usize;
        } else {
            i += memchr::memchr2(b'"', b'\\', b.get(i..)?)?;
        }
        if b[i] == b'\\' {
            i += 2;
        } else {
            return Some(i + 1);
        }
    }
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\r' | b'\n') {
        i += 1;
    }
    i
}

/// Index just past the value starting at `i` (after whitespace), checked
/// loosely: strings end, brackets balance (see module doc).
pub(crate) fn skip_value(b: &[u8], i: usize) -> Option<usize> {
    let mut i = skip_ws(b, i);
    match *b.get(i)? {
        b'"' => string_end(b, i),
        b'{' | b'[' => skip_container(b, i),
        b']' | b'}' | b',' | b':' => None,
        _ => {
            // A number or literal: up to the next separator.
            while i < b.len() && !matches!(b[i], b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n')
            {
                i += 1;
            }
            Some(i)
        }
    }
}

/// Where the bracket-matching scan stands.
#[derive(Default)]
struct ScanState {
    depth: usize,
    in_string: bool,
    escaped: bool,
}

impl ScanState {
    /// One byte; true when it closed the outermost container.
    #[inline(always)]
    fn step(&mut self, c: u8) -> Option<bool> {
        if self.in_string {
            if self.escaped {
                self.escaped = false;
            } else if c == b'\\' {
                self.escaped = true;
            } else if c == b'"' {
                self.in_string = false;
            }
        } else {
            match c {
                b'"' => self.in_string = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => {
                    self.depth = self.depth.checked_sub(1)?;
                    return Some(self.depth == 0);
                }
                _ => {}
            }
        }
        Some(false)
    }
}

/// Index just past the object or array that opens at `start`.
///
/// Blocks of 64 bytes are classified at once into bitmasks (quotes,
/// backslashes, opening and closing brackets); strings are masked out with
/// a prefix XOR of the quote bits, and a block whose closing brackets cannot
/// bring the depth to zero is passed over with two popcounts. Blocks with a
/// backslash, and the tail, go byte by byte.
fn skip_container(b: &[u8], start: usize) -> Option<usize> {
    let mut st = ScanState::default();
    let mut pos = start;
    while let Some(chunk) = b.get(pos..pos + 64) {
        let blk = classify(chunk);
        if blk.backslash != 0 || st.escaped {
            for (k, &c) in chunk.iter().enumerate() {
                if st.step(c)? {
                    return Some(pos + k + 1);
                }
            }
            pos += 64;
            continue;
        }
        let mut strings = prefix_xor(blk.quote);
        if st.in_string {
            strings = !strings;
        }
        st.in_string = strings >> 63 == 1;
        let open = blk.open & !strings;
        let close = blk.close & !strings;
        if (close.count_ones() as usize) < st.depth {
            st.depth = st.depth + open.count_ones() as usize - close.count_ones() as usize;
        } else {
            let mut brackets = open | close;
            while brackets != 0 {
                let bit = brackets & brackets.wrapping_neg();
                if open & bit != 0 {
                    st.depth += 1;
                } else {
                    st.depth = st.depth.checked_sub(1)?;
                    if st.depth == 0 {
                        return Some(pos + bit.trailing_zeros() as usize + 1);
                    }
                }
                brackets &= brackets - 1;
            }
        }
        pos += 64;
    }
    for (k, &c) in b.get(pos..)?.iter().enumerate() {
        if st.step(c)? {
            return Some(pos + k + 1);
        }
    }
    None
}

/// Bit k set when bit k or any lower bit of `x` is set an odd number of times.
#[inline(always)]
fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

/// Bitmasks of one 64-byte block: bit k describes byte k.
struct Block {
    quote: u64,
    backslash: u64,
    open: u64,
    close: u64,
}

#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn classify(chunk: &[u8]) -> Block {
    use std::arch::x86_64::*;
    debug_assert_eq!(chunk.len(), 64);
    let mut blk = Block {
        quote: 0,
        backslash: 0,
        open: 0,
        close: 0,
    };
    // SAFETY: SSE2 is part of the x86_64 baseline, and each unaligned
    // 16-byte load reads inside `chunk`, which is 64 bytes long.
    unsafe {
        let fold = _mm_set1_epi8(0x20);
        let quote = _mm_set1_epi8(b'"' as i8);
        let backslash = _mm_set1_epi8(b'\\' as i8);
        let open = _mm_set1_epi8(b'{' as i8);
        let close = _mm_set1_epi8(b'}' as i8);
        for k in 0..4 {
            let v = _mm_loadu_si128(chunk.as_ptr().add(16 * k) as *const __m128i);
            // `[`/`{` and `]`/`}` differ only in bit 5.
            let folded = _mm_or_si128(v, fold);
            let bits = |x: __m128i| (_mm_movemask_epi8(x) as u32 as u64) << (16 * k);
            blk.quote |= bits(_mm_cmpeq_epi8(v, quote));
            blk.backslash |= bits(_mm_cmpeq_epi8(v, backslash));
            blk.open |= bits(_mm_cmpeq_epi8(folded, open));
            blk.close |= bits(_mm_cmpeq_epi8(folded, close));
        }
    }
    blk
}

#[cfg(not(target_arch = "x86_64"))]
fn classify(chunk: &[u8]) -> Block {
    let mut blk = Block {
        quote: 0,
        backslash: 0,
        open: 0,
        close: 0,
    };
    for (k, &c) in chunk.iter().enumerate() {
        let bit = 1u64 << k;
        match c {
            b'"' => blk.quote |= bit,
            b'\\' => blk.backslash |= bit,
            b'{' | b'[' => blk.open |= bit,
            b'}' | b']' => blk.close |= bit,
            _ => {}
        }
    }
    blk
}

/// The compact document (see module doc), or `None` when the bytes are not
/// well-formed enough for this pass: the caller then takes the full path.
#[cfg(test)]
pub(crate) fn skim(b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    skim_into(b, &mut out).then_some(out)
}

/// [`skim`] into a caller's buffer (cleared first); false when the caller
/// must take the full path.
#[cfg(test)]
pub(crate) fn skim_into(b: &[u8], out: &mut Vec<u8>) -> bool {
    out.clear();
    skim_to(b, out, Ctx::Root).is_some()
}

/// The value of a v2 snapshot's top-level `widgets` key, compacted as
/// [`skim`] compacts it inside a whole document (into `out`, cleared first).
pub(crate) fn skim_widgets_into(b: &[u8], out: &mut Vec<u8>) -> bool {
    out.clear();
    skim_to(b, out, Ctx::Widgets).is_some()
}

/// Compact `b`, a whole document (`Root`) or one value in context `root`.
fn skim_to(b: &[u8], out: &mut Vec<u8>, root: Ctx) -> Option<()> {
    let mut copied_to = 0;
    // Open containers: (closing byte, context of their values).
    let mut frames: Vec<(u8, Ctx)> = Vec::with_capacity(32);
    // Context for the next container opened as an object member.
    let mut member_ctx = root;
    let mut i = skip_ws(b, 0);
    if root == Ctx::Root && b.get(i) != Some(&b'{') {
        return None;
    }
    loop {
        i = next_special(b, i);
        let Some(&c) = b.get(i) else {
            // End of input: complete only if every container closed.
            if !frames.is_empty() {
                return None;
            }
            break;
        };
        match c {
            b'{' | b'[' => {
                let ctx = match frames.last() {
                    Some(&(b']', ctx)) => ctx,
                    Some(_) => member_ctx,
                    None => root,
                };
                frames.push((if c == b'{' { b'}' } else { b']' }, ctx));
                i += 1;
            }
            b'}' | b']' => {
                let (close, _) = frames.pop()?;
                if close != c {
                    return None;
                }
                i += 1;
                if frames.is_empty() {
                    // Only whitespace may follow the document.
                    if skip_ws(b, i) != b.len() {
                        return None;
                    }
                    break;
                }
            }
            b'"' => {
                let start = i;
                i = string_end(b, i)?;
                let &(close, ctx) = frames.last()?;
                let after = skip_ws(b, i);
                if close != b'}' || b.get(after) != Some(&b':') {
                    continue;
                }
                // A key: keep or drop its value.
                match decide(ctx, &b[start + 1..i - 1]) {
                    Some(next) => {
                        member_ctx = next;
                        i = after + 1;
                    }
                    None => {
                        let end = skip_value(b, after + 1)?;
                        out.extend_from_slice(&b[copied_to..after + 1]);
                        out.extend_from_slice(b"null");
                        copied_to = end;
                        i = end;
                    }
                }
            }
            _ => {
                // `N` or `I`: a non-finite token, or part of something serde
                // will judge.
                let token: &[u8] = if c == b'N' { b"NaN" } else { b"Infinity" };
                if !b[i..].starts_with(token) {
                    i += 1;
                    continue;
                }
                // Outside strings, a `-` right before is the token's sign.
                let start = if c == b'I' && i > copied_to && b[i - 1] == b'-' {
                    i - 1
                } else {
                    i
                };
                out.extend_from_slice(&b[copied_to..start]);
                out.extend_from_slice(b"null");
                i += token.len();
                copied_to = i;
            }
        }
    }
    out.extend_from_slice(&b[copied_to..]);
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skim_str(s: &str) -> Option<String> {
        skim(s.as_bytes()).map(|v| String::from_utf8(v).unwrap())
    }

    #[test]
    fn drops_unread_top_level_keys_and_heavy_values() {
        let src = r#"{"id": "x", "links": {"a": [1, 2]}, "suite": {"metric_results": [
            {"value": 1.5, "plot_data": {"x": [1, 2, {"y": "}]\""}]}, "n": NaN}]}}"#;
        let want = r#"{"id": "x", "links":null, "suite": {"metric_results": [
            {"value": 1.5, "plot_data":null, "n": null}]}}"#;
        assert_eq!(skim_str(src).as_deref(), Some(want));
    }

    #[test]
    fn keeps_only_the_drift_table_keys_inside_widgets() {
        let src = r#"{"widgets": [{"type": "big_table", "title": "T", "params": {"layout": {"a": 1},
            "data": [{"column_name": "age", "details": {"parts": [1]}, "drift_score": -Infinity}]},
            "widgets": [{"type": "tabs", "insights": []}]}], "timestamp": "t"}"#;
        let want = r#"{"widgets": [{"type": "big_table", "title":null, "params": {"layout":null,
            "data": [{"column_name": "age", "details":null, "drift_score": null}]},
            "widgets": [{"type": "tabs", "insights":null}]}], "timestamp": "t"}"#;
        assert_eq!(skim_str(src).as_deref(), Some(want));
    }

    #[test]
    fn strings_that_look_like_keys_or_tokens_are_left_alone() {
        let src = r#"{"tags": ["plot_data", "NaN", "a\"b:"], "metadata": {"k\\": "Infinity"}}"#;
        assert_eq!(skim_str(src).as_deref(), Some(src));
    }

    #[test]
    fn skips_scalars_and_strings_too() {
        let src = r#"{"links": 5, "options": "a,b", "x": true ,"id": "i"}"#;
        let want = r#"{"links":null, "options":null, "x":null ,"id": "i"}"#;
        assert_eq!(skim_str(src).as_deref(), Some(want));
    }

    /// A pseudo-random JSON value with strings full of quotes, escapes and
    /// brackets, nested deep enough to cross many 64-byte blocks.
    fn random_value(seed: &mut u64, depth: u32) -> serde_json::Value {
        use serde_json::Value;
        let mut next = || {
            *seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (*seed >> 33) as usize
        };
        let pick = next() % if depth == 0 { 3 } else { 5 };
        match pick {
            0 => Value::from(next() as f64 / 7.0),
            1 => {
                let parts = ["\"", "\\", "[", "]", "{", "}", "a", "é", "\\\"", "\n", ","];
                let n = next() % 90;
                Value::from(
                    (0..n)
                        .map(|_| parts[next() % parts.len()])
                        .collect::<String>(),
                )
            }
            2 => Value::Null,
            3 => Value::Array(
                (0..next() % 6)
                    .map(|_| random_value(seed, depth - 1))
                    .collect(),
            ),
            _ => Value::Object(
                (0..next() % 6)
                    .map(|i| (format!("k{i}\"]"), random_value(seed, depth - 1)))
                    .collect(),
            ),
        }
    }

    #[test]
    fn skip_value_finds_the_end_of_generated_values() {
        let mut seed = 7;
        for round in 0..400 {
            let v = random_value(&mut seed, 6);
            let text = if round % 2 == 0 {
                v.to_string()
            } else {
                serde_json::to_string_pretty(&v).unwrap()
            };
            let doc = format!("  {text} ,1");
            assert_eq!(skip_value(doc.as_bytes(), 0), Some(2 + text.len()), "{doc}");
            if text.starts_with(['[', '{']) {
                // Any cut inside a container is incomplete.
                for cut in [text.len() - 1, text.len() / 2, 70.min(text.len() - 1)] {
                    assert_eq!(
                        skip_value(&text.as_bytes()[..cut], 0),
                        None,
                        "{text} cut {cut}"
                    );
                }
            }
        }
    }

    #[test]
    fn refuses_what_is_not_well_formed() {
        for bad in [
            r#"{"a": 1"#,
            r#"{"links": [1, 2"#,
            r#"{"links": "abc"#,
            r#"{"a": 1}}"#,
            r#"{"a": 1} x"#,
            "[1]",
            "",
        ] {
            assert_eq!(skim_str(bad), None, "{bad}");
        }
    }
}
