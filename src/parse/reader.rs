//! A reader of JSON text for the fast path ([`super::direct`]): the
//! primitives (whitespace, strings, numbers, objects and arrays as
//! callbacks) and pruned values built exactly as serde builds
//! [`super::pruned::Pruned`] from the same text.
//!
//! The same [`Val`] trees with the same pruning (heavy keys dropped, arrays
//! cut after [`MAX_ARRAY`] elements, objects sorted with the last repeated
//! key winning), the same numbers (`float_roundtrip` serde and `str::parse`
//! both round correctly) and strings (escapes are decoded by serde itself).
//! Bare `NaN` and `Infinity` read as null, as
//! [`super::json::replace_non_finite`] makes them. Every method returns
//! `None` where serde would fail, or where the reader gives up (a number
//! serde reads its own way, a control character, nesting deeper than
//! [`MAX_DEPTH`]): the caller then takes the full path.

use std::borrow::Cow;

use serde_json::Number;

use super::pruned::{is_heavy, Obj, Val, MAX_ARRAY, MAX_DEPTH};
use super::skim::{self, eq_mask, HI, LO};

/// A position in the document, and scratch stacks shared by all levels of
/// nesting (a container's members are collected on top, then moved into one
/// allocation of the exact size).
pub(crate) struct Reader<'a> {
    pub(crate) text: &'a str,
    pub(crate) b: &'a [u8],
    /// Where the next byte is read.
    pub(crate) i: usize,
    members: Vec<(Cow<'a, str>, Val<'a>)>,
    elements: Vec<Val<'a>>,
    /// Scratch of [`Obj::take_sorted`].
    order: Vec<(u64, u64, u32)>,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(text: &'a str) -> Reader<'a> {
        Reader {
            text,
            b: text.as_bytes(),
            i: 0,
            members: Vec::with_capacity(64),
            elements: Vec::with_capacity(64),
            order: Vec::new(),
        }
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// Past JSON whitespace (the four bytes serde accepts).
    #[inline(always)]
    pub(crate) fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    /// Consume `c` (after whitespace) or fail.
    #[inline(always)]
    pub(crate) fn expect(&mut self, c: u8) -> Option<()> {
        self.ws();
        (self.peek()? == c).then(|| self.i += 1)
    }

    /// Pass over one value unread (see module doc).
    pub(crate) fn skip(&mut self) -> Option<()> {
        self.i = skim::skip_value(self.b, self.i)?;
        Some(())
    }

    /// `null` as `None`, anything else through `read`.
    pub(crate) fn optional<T>(
        &mut self,
        read: impl FnOnce(&mut Self) -> Option<T>,
    ) -> Option<Option<T>> {
        self.ws();
        if self.b[self.i..].starts_with(b"null") {
            self.i += 4;
            return Some(None);
        }
        read(self).map(Some)
    }

    /// The members of an object: `each` reads (or skips) the value of every
    /// key, the reader standing just past the colon.
    pub(crate) fn members(
        &mut self,
        mut each: impl FnMut(&mut Self, Cow<'a, str>) -> Option<()>,
    ) -> Option<()> {
        self.expect(b'{')?;
        self.ws();
        if self.peek()? == b'}' {
            self.i += 1;
            return Some(());
        }
        loop {
            self.ws();
            let key = self.string()?;
            self.expect(b':')?;
            each(self, key)?;
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// The elements of an array, each read by `each`.
    pub(crate) fn elements(&mut self, mut each: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.expect(b'[')?;
        self.ws();
        if self.peek()? == b']' {
            self.i += 1;
            return Some(());
        }
        loop {
            each(self)?;
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// A list of values each read at `depth` (none cut off).
    pub(crate) fn list(&mut self, depth: usize) -> Option<Vec<Val<'a>>> {
        let start = self.elements.len();
        self.elements(|r| {
            let v = r.value(depth)?;
            r.elements.push(v);
            Some(())
        })?;
        Some(self.elements.drain(start..).collect())
    }

    /// Any value, pruned, whose children sit at `depth + 1`.
    pub(crate) fn value(&mut self, depth: usize) -> Option<Val<'a>> {
        self.ws();
        Some(match self.peek()? {
            b'"' => Val::String(self.string()?),
            b'{' => self.object(depth)?,
            b'[' => self.array(depth)?,
            b't' => self.literal(b"true", Val::Bool(true))?,
            b'f' => self.literal(b"false", Val::Bool(false))?,
            b'n' => self.literal(b"null", Val::Null)?,
            b'N' => self.literal(b"NaN", Val::Null)?,
            b'I' => self.literal(b"Infinity", Val::Null)?,
            b'-' if self.b[self.i + 1..].starts_with(b"Infinity") => {
                self.i += 1;
                self.literal(b"Infinity", Val::Null)?
            }
            _ => Val::Number(self.number()?),
        })
    }

    fn literal(&mut self, word: &[u8], v: Val<'a>) -> Option<Val<'a>> {
        self.b[self.i..].starts_with(word).then(|| {
            self.i += word.len();
            v
        })
    }

    fn object(&mut self, depth: usize) -> Option<Val<'a>> {
        let start = self.members.len();
        self.members(|r, key| {
            if is_heavy(key.as_bytes()) {
                return r.skip();
            }
            let v = r.child(depth)?;
            r.members.push((key, v));
            Some(())
        })?;
        let members = &mut self.members[start..];
        let obj = if Obj::is_sorted(members) {
            Obj::from_sorted(self.members.drain(start..).collect())
        } else {
            let obj = Obj::take_sorted(members, &mut self.order);
            self.members.truncate(start);
            obj
        };
        Some(Val::Object(obj))
    }

    fn array(&mut self, depth: usize) -> Option<Val<'a>> {
        let start = self.elements.len();
        self.elements(|r| {
            if r.elements.len() - start >= MAX_ARRAY {
                return r.skip();
            }
            let v = r.child(depth)?;
            r.elements.push(v);
            Some(())
        })?;
        Some(Val::Array(self.elements.drain(start..).collect()))
    }

    /// A member or element of a container at `depth`; past the depth limit
    /// the full path reads the file (it never comes up in real files).
    fn child(&mut self, depth: usize) -> Option<Val<'a>> {
        if depth + 1 >= MAX_DEPTH {
            return None;
        }
        self.value(depth + 1)
    }

    /// A string: borrowed when it has no escapes, else decoded by serde.
    pub(crate) fn string(&mut self) -> Option<Cow<'a, str>> {
        let b = self.b;
        if b.get(self.i) != Some(&b'"') {
            return None;
        }
        let start = self.i;
        let (end, escaped) = scan_string(b, start)?;
        self.i = end;
        if escaped {
            return serde_json::from_slice::<String>(&b[start..end])
                .ok()
                .map(Cow::Owned);
        }
        // Quotes are ASCII: the slice falls on character boundaries.
        self.text.get(start + 1..end - 1).map(Cow::Borrowed)
    }

    /// A number, exactly as serde_json (with `float_roundtrip`) reads it;
    /// `None` for what it refuses (and for integers beyond 64 bits).
    pub(crate) fn number(&mut self) -> Option<Number> {
        let b = self.b;
        let start = self.i;
        let mut i = start;
        let negative = b.get(i) == Some(&b'-');
        if negative {
            i += 1;
        }
        let int_start = i;
        match *b.get(i)? {
            b'0' => i += 1,
            b'1'..=b'9' => {
                while b.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
            }
            _ => return None,
        }
        let int_end = i;
        let mut float = false;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let digits = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == digits {
                return None;
            }
            float = true;
        }
        if let Some(b'e' | b'E') = b.get(i) {
            i += 1;
            if let Some(b'+' | b'-') = b.get(i) {
                i += 1;
            }
            let digits = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            // Huge exponents: left to serde's own handling.
            if i == digits || i - digits > 4 {
                return None;
            }
            float = true;
        }
        // After `0`, serde refuses another digit ("01").
        if b.get(int_start) == Some(&b'0') && int_end > int_start + 1 {
            return None;
        }
        self.i = i;
        if float {
            let text = self.text.get(start..i)?;
            let x: f64 = text.parse().ok()?;
            // serde: a finite literal that rounds to infinity is an error.
            return Number::from_f64(x);
        }
        let mut significand: u64 = 0;
        for &d in &b[int_start..int_end] {
            match significand
                .checked_mul(10)
                .and_then(|s| s.checked_add(u64::from(d - b'0')))
            {
                Some(s) => significand = s,
                // Beyond 64 bits serde reads a float, correctly rounded.
                None => {
                    let text = self.text.get(start..i)?;
                    return Number::from_f64(text.parse().ok()?);
                }
            }
        }
        Some(if !negative {
            Number::from(significand)
        } else {
            // As serde: `-0` and what does not fit an i64 become floats.
            let neg = (significand as i64).wrapping_neg();
            if neg >= 0 {
                Number::from_f64(-(significand as f64))?
            } else {
                Number::from(neg)
            }
        })
    }
}

/// Index just past the string whose opening quote is at `start`, and
/// whether it holds a backslash; `None` when it does not end, or holds a raw
/// control character before its first backslash (serde refuses those, and
/// it checks the rest itself when it decodes the escapes). Sixteen bytes at
/// a time with SSE2 (part of every x86_64), then eight as integers.
#[inline(always)]
fn scan_string(b: &[u8], start: usize) -> Option<(usize, bool)> {
    let mut i = start + 1;
    let mut escaped = false;
    #[cfg(target_arch = "x86_64")]
    while let Some(chunk) = b.get(i..i + 16) {
        use std::arch::x86_64::*;
        // SAFETY: SSE2 is part of the x86_64 baseline; the unaligned load
        // reads the 16 bytes of `chunk`.
        let (stop, control) = unsafe {
            let v = _mm_loadu_si128(chunk.as_ptr() as *const __m128i);
            let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
            let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
            // Below 0x20 exactly where the unsigned minimum with 0x1f is the byte.
            let control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
            (
                _mm_movemask_epi8(_mm_or_si128(quote, backslash)) as u32,
                _mm_movemask_epi8(control) as u32,
            )
        };
        if stop == 0 {
            if control != 0 && !escaped {
                return None;
            }
            i += 16;
            continue;
        }
        let at = stop.trailing_zeros();
        // Bytes before the stop byte.
        if control & ((1u32 << at) - 1) != 0 && !escaped {
            return None;
        }
        i += at as usize;
        if b[i] == b'\\' {
            escaped = true;
            i += 2;
        } else {
            return Some((i + 1, escaped));
        }
    }
    while let Some(word) = b.get(i..i + 8).and_then(|w| w.first_chunk::<8>()) {
        let w = u64::from_le_bytes(*word);
        let stop = eq_mask(w, b'"') | eq_mask(w, b'\\');
        // The high bit of each byte below 0x20; exact up to the first one
        // (only a borrow from a lower hit can mark a byte falsely).
        let control = w.wrapping_sub(LO * 0x20) & !w & HI;
        if stop == 0 {
            if control != 0 && !escaped {
                return None;
            }
            i += 8;
            continue;
        }
        let bit = stop.trailing_zeros();
        // Bytes before the stop byte.
        if control & ((1u64 << (bit - 7)) - 1) != 0 && !escaped {
            return None;
        }
        i += (bit / 8) as usize;
        if b[i] == b'\\' {
            escaped = true;
            i += 2;
        } else {
            return Some((i + 1, escaped));
        }
    }
    while let Some(&c) = b.get(i) {
        match c {
            b'"' => return Some((i + 1, escaped)),
            b'\\' => {
                escaped = true;
                i += 2;
            }
            c if c < 0x20 && !escaped => return None,
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::pruned::Pruned;

    /// What serde reads into a pruned value.
    fn serde_val(s: &str) -> Option<Val<'_>> {
        serde_json::from_str::<Pruned>(s).ok().map(|p| p.0)
    }

    fn direct_val(s: &str) -> Option<Val<'_>> {
        let mut r = Reader::new(s);
        let v = r.value(0)?;
        r.ws();
        (r.i == s.len()).then_some(v)
    }

    #[test]
    fn numbers_read_as_serde_reads_them() {
        for n in [
            "0",
            "-0",
            "7",
            "-7",
            "0.0",
            "-0.0",
            "1.5",
            "1e5",
            "1E+5",
            "1e-5",
            "2.5e-3",
            "123456789012345678",
            "18446744073709551615",
            "9223372036854775807",
            "-9223372036854775808",
            "-9223372036854775809",
            "-18446744073709551615",
            "18446744073709551616",
            "-99999999999999999999999",
            "123456789012345678901234567890",
            "0.1234567890123456789012345",
            "1e-400",
            "4.9406564584124654e-324",
            "1.7976931348623157e308",
            "0.30000000000000004",
            "3.141592653589793",
        ] {
            let want = serde_val(n);
            assert!(want.is_some(), "{n}");
            assert_eq!(direct_val(n), want, "{n}");
            // Same bits (0.0 and -0.0 compare equal).
            let bits = |v: Option<Val>| v.and_then(|v| v.as_f64()).map(f64::to_bits);
            assert_eq!(bits(direct_val(n)), bits(serde_val(n)), "{n}");
        }
        // What serde refuses, this reader refuses too.
        for bad in [
            "01", "1.", ".5", "-", "1e", "+1", "1e400", "--1", "0x10", "1.e3",
        ] {
            assert_eq!(serde_val(bad), None, "{bad}");
            assert_eq!(direct_val(bad), None, "{bad}");
        }
    }

    #[test]
    fn strings_read_as_serde_reads_them() {
        for s in [
            r#""plain""#,
            r#""é ü 漢""#,
            r#""esc \" \\ \/ \b \f \n \r \t""#,
            r#""\u00e9\ud83d\ude00""#,
            r#""""#,
        ] {
            assert!(serde_val(s).is_some(), "{s}");
            assert_eq!(direct_val(s), serde_val(s), "{s}");
        }
        assert_eq!(direct_val("\"tab\there\""), None);
        // Control characters are found at every place in an 8-byte word,
        // and a newline right after the closing quote is not one.
        for at in 0..40 {
            let mut s = format!("\"{}\"", "x".repeat(40));
            s.replace_range(1 + at..2 + at, "\u{1}");
            assert_eq!(direct_val(&s), None, "{s:?}");
            // After a backslash serde judges the rest (it refuses it too).
            let mut after = format!("\"\\n{}\"", "x".repeat(40));
            after.replace_range(3 + at..4 + at, "\u{1f}");
            assert_eq!(direct_val(&after), serde_val(&after), "{after:?}");
            // 0x7f and above are no control characters.
            let mut high = format!("\"{}\"", "x".repeat(40));
            high.replace_range(1 + at..2 + at, "\u{7f}");
            assert_eq!(direct_val(&high), serde_val(&high), "{high:?}");
            assert!(direct_val(&high).is_some());
            let ok = format!("[\"{}\"\n]", "x".repeat(at));
            assert!(serde_val(&ok).is_some());
            assert_eq!(direct_val(&ok), serde_val(&ok), "{ok:?}");
        }
        assert_eq!(direct_val(r#""\ud800""#), None);
        assert_eq!(direct_val(r#""\x""#), None);
        // Strings without escapes are borrowed.
        assert!(matches!(
            direct_val(r#""plain""#),
            Some(Val::String(Cow::Borrowed("plain")))
        ));
    }

    #[test]
    fn containers_are_pruned_as_serde_prunes_them() {
        let long: Vec<u32> = (0..200).collect();
        let src = serde_json::json!({
            "b": 1, "a": [true, false, null], "scatter": {"x": long}, "list": long,
            "nested": {"widget": [1], "z": {"y": [[], {}]}, "w": "x"},
        })
        .to_string();
        assert_eq!(direct_val(&src), serde_val(&src));
        let repeated = r#"{"b": 1, "a": 2, "a": 3, "c": {"z": 1, "y": 2}}"#;
        assert_eq!(direct_val(repeated), serde_val(repeated));
        let spaced = " { \"a\" : [ 1 , 2 ] , \"b\" :\n{ } , \"c\": [ ] } ";
        assert_eq!(direct_val(spaced), serde_val(spaced));
        // Python's non-finite tokens read as null, as the full path makes them.
        assert_eq!(
            direct_val("[NaN, Infinity, -Infinity, 1]"),
            serde_val("[null, null, null, 1]")
        );
        for bad in [
            "[1,]",
            "{\"a\" 1}",
            "{\"a\": 1,}",
            "[1 2]",
            "{1: 2}",
            "[tru]",
        ] {
            assert_eq!(direct_val(bad), None, "{bad}");
        }
    }

    /// A pseudo-random JSON document of the shapes snapshots have: numbers
    /// of every kind, strings with escapes, long arrays, heavy keys.
    fn random_json(seed: &mut u64, depth: u32, out: &mut String) {
        fn next(seed: &mut u64) -> usize {
            *seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (*seed >> 33) as usize
        }
        let pick = next(seed) % if depth == 0 { 4 } else { 7 };
        match pick {
            0 => {
                let n = [
                    "0",
                    "-0",
                    "12",
                    "-3",
                    "0.5",
                    "-1.25e-7",
                    "6.02E23",
                    "1e308",
                    "NaN",
                    "-Infinity",
                    "true",
                    "null",
                    "99999999999999999999",
                ];
                out.push_str(n[next(seed) % n.len()]);
            }
            1 => {
                let parts = ["a", "é", "\\\"", "\\n", "\\u0041", " ", "[", "}", ":", ","];
                out.push('"');
                for _ in 0..next(seed) % 12 {
                    out.push_str(parts[next(seed) % parts.len()]);
                }
                out.push('"');
            }
            2 => out.push_str(&format!("{}", next(seed) as f64 / 977.0)),
            3 => out.push_str(&format!("-{}", next(seed) % 100_000)),
            4 | 5 => {
                let keys = [
                    "a",
                    "b",
                    "value",
                    "plot_data",
                    "widgets",
                    "a",
                    "k\\u0031",
                    "z",
                ];
                out.push('{');
                for i in 0..next(seed) % 7 {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&format!("\"{}\": ", keys[next(seed) % keys.len()]));
                    random_json(seed, depth - 1, out);
                }
                out.push('}');
            }
            _ => {
                let n = if next(seed).is_multiple_of(5) {
                    70 + next(seed) % 30
                } else {
                    next(seed) % 6
                };
                out.push('[');
                for i in 0..n {
                    if i > 0 {
                        out.push(',');
                    }
                    random_json(seed, depth - 1, out);
                }
                out.push(']');
            }
        }
    }

    #[test]
    fn generated_documents_read_as_serde_reads_them() {
        let mut seed = 11;
        let mut equal = 0;
        for _ in 0..3000 {
            let mut doc = String::new();
            random_json(&mut seed, 5, &mut doc);
            let fixed = String::from_utf8(
                super::super::json::replace_non_finite(doc.as_bytes()).into_owned(),
            )
            .unwrap();
            let want = serde_val(&fixed);
            let got = direct_val(&doc);
            if got.is_some() {
                assert_eq!(got, want, "{doc}");
                equal += 1;
            }
            // A cut document is never read as something.
            if doc.len() > 2 && doc.starts_with(['[', '{']) {
                assert_eq!(direct_val(&doc[..doc.len() - 1]), None, "{doc}");
            }
        }
        // Nothing generated is left to the full path.
        assert_eq!(equal, 3000);
    }
}
