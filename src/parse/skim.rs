//! A byte-level pass over snapshot text that never builds what it passes.
//!
//! [`skip_value`] finds the end of a value by matching brackets and strings
//! (64 bytes at a time): the fast path ([`super::direct`]) passes over
//! unread keys, heavy values, unread legacy results, the unread parts of
//! `widgets` and the tails of long arrays with it.
//!
//! A skipped value is checked loosely: its strings end and its brackets
//! balance, nothing more (damage inside plot data goes unnoticed; a
//! truncated file does not).

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

/// Index just past the object or array that opens at `start`: with AVX2
/// where the processor has it (checked once and cached by the standard
/// library), else with SSE2 (part of every x86_64) or byte by byte.
fn skip_container(b: &[u8], start: usize) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2")
        && std::is_x86_feature_detected!("pclmulqdq")
        && std::is_x86_feature_detected!("popcnt")
    {
        // SAFETY: the three features were detected on this processor.
        return unsafe { skip_container_avx2(b, start) };
    }
    skip_blocks(b, start, classify, prefix_xor)
}

/// [`skip_blocks`] compiled for AVX2, with a carry-less multiply for the
/// prefix XOR and the popcount instruction.
///
/// # Safety
/// The processor must have AVX2, PCLMULQDQ and POPCNT.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,pclmulqdq,popcnt")]
unsafe fn skip_container_avx2(b: &[u8], start: usize) -> Option<usize> {
    use std::arch::x86_64::*;
    let classify = |chunk: &[u8]| {
        debug_assert_eq!(chunk.len(), 64);
        let fold = _mm256_set1_epi8(0x20);
        let quote = _mm256_set1_epi8(b'"' as i8);
        let backslash = _mm256_set1_epi8(b'\\' as i8);
        let open = _mm256_set1_epi8(b'{' as i8);
        let close = _mm256_set1_epi8(b'}' as i8);
        let mut blk = Block {
            quote: 0,
            backslash: 0,
            open: 0,
            close: 0,
        };
        for k in 0..2 {
            // SAFETY: each unaligned 32-byte load reads inside `chunk`,
            // which is 64 bytes long.
            let v = unsafe { _mm256_loadu_si256(chunk.as_ptr().add(32 * k) as *const __m256i) };
            // `[`/`{` and `]`/`}` differ only in bit 5.
            let folded = _mm256_or_si256(v, fold);
            let bits = |x: __m256i| (_mm256_movemask_epi8(x) as u32 as u64) << (32 * k);
            blk.quote |= bits(_mm256_cmpeq_epi8(v, quote));
            blk.backslash |= bits(_mm256_cmpeq_epi8(v, backslash));
            blk.open |= bits(_mm256_cmpeq_epi8(folded, open));
            blk.close |= bits(_mm256_cmpeq_epi8(folded, close));
        }
        blk
    };
    // The prefix XOR is a carry-less multiply by all ones.
    let prefix = |x: u64| {
        let product = _mm_clmulepi64_si128(_mm_set_epi64x(0, x as i64), _mm_set1_epi8(-1), 0);
        _mm_cvtsi128_si64(product) as u64
    };
    skip_blocks(b, start, classify, prefix)
}

/// The bracket matching of [`skip_container`], given how to classify a
/// block and how to take a prefix XOR.
///
/// Blocks of 64 bytes are classified at once into bitmasks (quotes,
/// backslashes, opening and closing brackets); strings are masked out with
/// a prefix XOR of the quote bits, and a block whose closing brackets cannot
/// bring the depth to zero is passed over with two popcounts. Blocks with a
/// backslash, and the tail, go byte by byte.
#[inline(always)]
fn skip_blocks(
    b: &[u8],
    start: usize,
    classify: impl Fn(&[u8]) -> Block,
    prefix_xor: impl Fn(u64) -> u64,
) -> Option<usize> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
            // The portable blocks find the same end as the processor's.
            if text.starts_with(['[', '{']) {
                assert_eq!(
                    skip_blocks(doc.as_bytes(), 2, classify, prefix_xor),
                    skip_container(doc.as_bytes(), 2),
                    "{doc}"
                );
            }
            if text.starts_with(['[', '{']) {
                // Any cut inside a container is incomplete.
                for cut in [text.len() - 1, text.len() / 2, 70.min(text.len() - 1)] {
                    let cut = &text.as_bytes()[..cut];
                    assert_eq!(skip_value(cut, 0), None, "{text} cut");
                    assert_eq!(skip_blocks(cut, 0, classify, prefix_xor), None);
                }
            }
        }
    }

    #[test]
    fn refuses_what_does_not_end() {
        for bad in [
            r#"{"a": 1"#,
            r#"{"links": [1, 2"#,
            r#"{"links": "abc"#,
            r#""abc"#,
            r#"[1, {"a": "]"}"#,
            "]",
            ",",
            "",
        ] {
            assert_eq!(skip_value(bad.as_bytes(), 0), None, "{bad}");
        }
        // A closing bracket too many ends the value before it.
        assert_eq!(skip_value(br#"{"a": 1}}"#, 0), Some(8));
    }
}
