//! The fast path of snapshot parsing: one pass over the file's bytes that
//! builds only what indexing reads, straight into the raw snapshot.
//!
//! What the full path (serde over the whole file, see [`super::snapshot`])
//! reads, this reader builds the same way: the same [`Val`] trees with the
//! same pruning (heavy keys dropped, arrays cut after [`MAX_ARRAY`]
//! elements, objects sorted with the last repeated key winning), the same
//! numbers (`float_roundtrip` serde and `str::parse` both round correctly)
//! and strings (escapes are decoded by serde itself). Bare `NaN` and
//! `Infinity` read as null, as [`super::json::replace_non_finite`] makes them.
//!
//! What neither path reads (unread keys, heavy values, the tails of long
//! arrays) is passed over by bracket matching only ([`skim::skip_value`]):
//! its strings must end and its brackets balance, nothing more. Anything
//! else unusual in what *is* read (a number serde refuses, a control
//! character in a string, nesting deeper than [`MAX_DEPTH`], a value of an
//! unexpected type) makes the reader give up: the caller then takes the full
//! path, which reports it exactly. So this path may refuse a file, but never
//! reads one differently.

use std::borrow::Cow;

use serde_json::Number;

use super::legacy::{result_is_read, RawSuite};
use super::pruned::{is_heavy, FullList, Obj, Pruned, Val, MAX_ARRAY, MAX_DEPTH};
use super::skim::{self, eq_mask, HI, LO};
use super::snapshot::RawSnapshot;
use super::v2::RawResults;
use super::widgets::DriftWidgets;

/// The raw snapshot of a file, or `None` when the full path must read it.
pub(crate) fn read_snapshot(b: &[u8]) -> Option<RawSnapshot<'_>> {
    // One check of the whole file (Evidently writes ASCII) instead of one
    // per string; strings are then slices of this text.
    let text = std::str::from_utf8(b).ok()?;
    let mut r = Reader::new(text);
    r.ws();
    let mut raw = RawSnapshot::default();
    let mut later = Later::default();
    r.members(|r, key| {
        match key.as_ref() {
            "id" => raw.id = r.optional(|r| r.value(0).map(Pruned))?,
            "name" => raw.name = r.optional(|r| r.value(0).map(Pruned))?,
            "timestamp" => raw.timestamp = r.optional(|r| r.value(0).map(Pruned))?,
            "metadata" => raw.metadata = r.optional(|r| r.value(0).map(Pruned))?,
            "tags" => raw.tags = r.optional(|r| r.value(0).map(Pruned))?,
            "metrics_ids" => raw.metrics_ids = r.optional(Reader::full_list)?,
            "top_level_metrics" => raw.top_level_metrics = r.optional(Reader::full_list)?,
            "suite" => raw.suite = r.optional(|r| r.suite(&mut later))?,
            "metric_results" => raw.metric_results = r.optional(Reader::results)?,
            "widgets" => raw.widgets = r.optional(Reader::widgets)?,
            _ => r.skip()?,
        }
        Some(())
    })?;
    // Only whitespace may follow the document.
    r.ws();
    if r.i != b.len() {
        return None;
    }
    if let Some(suite) = raw.suite.as_mut() {
        r.build_later(suite, later, raw.metrics_ids.as_ref())?;
    }
    Some(raw)
}

/// Where the legacy suite's metrics and results sit in the text, with each
/// result's `type`: they are built once `metrics_ids` (which follows
/// `suite` in Evidently's files) says which are read.
#[derive(Default)]
struct Later<'a> {
    /// (start, end) of each metric configuration.
    metrics: Vec<(usize, usize)>,
    /// (start, end, type) of each metric result.
    results: Vec<(usize, usize, Option<Cow<'a, str>>)>,
}

/// A position in the document, and scratch stacks shared by all levels of
/// nesting (a container's members are collected on top, then moved into one
/// allocation of the exact size).
struct Reader<'a> {
    text: &'a str,
    b: &'a [u8],
    i: usize,
    members: Vec<(Cow<'a, str>, Val<'a>)>,
    elements: Vec<Val<'a>>,
    /// Scratch of [`Obj::take_sorted`].
    order: Vec<(u64, u64, u32)>,
}

impl<'a> Reader<'a> {
    fn new(text: &'a str) -> Reader<'a> {
        Reader {
            text,
            b: text.as_bytes(),
            i: 0,
            members: Vec::with_capacity(64),
            elements: Vec::with_capacity(64),
            order: Vec::new(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// Past JSON whitespace (the four bytes serde accepts).
    #[inline(always)]
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    /// Consume `c` (after whitespace) or fail.
    #[inline(always)]
    fn expect(&mut self, c: u8) -> Option<()> {
        self.ws();
        (self.peek()? == c).then(|| self.i += 1)
    }

    /// Pass over one value unread (see module doc).
    fn skip(&mut self) -> Option<()> {
        self.i = skim::skip_value(self.b, self.i)?;
        Some(())
    }

    /// `null` as `None`, anything else through `read`.
    fn optional<T>(&mut self, read: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        self.ws();
        if self.b[self.i..].starts_with(b"null") {
            self.i += 4;
            return Some(None);
        }
        read(self).map(Some)
    }

    /// The members of an object: `each` reads (or skips) the value of every
    /// key, the reader standing just past the colon.
    fn members(
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
    fn elements(&mut self, mut each: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
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
    fn list(&mut self, depth: usize) -> Option<Vec<Val<'a>>> {
        let start = self.elements.len();
        self.elements(|r| {
            let v = r.value(depth)?;
            r.elements.push(v);
            Some(())
        })?;
        Some(self.elements.drain(start..).collect())
    }

    /// `metrics_ids` / `top_level_metrics`: a list kept whole, anything else
    /// read as empty (as [`FullList`] deserializes).
    fn full_list(&mut self) -> Option<FullList<'a>> {
        self.ws();
        if self.peek()? == b'[' {
            return self.list(1).map(FullList);
        }
        self.value(0)?;
        Some(FullList::default())
    }

    /// Legacy `suite`: its four aligned lists (each must be a list); the
    /// metrics and results are passed over into `later`.
    fn suite(&mut self, later: &mut Later<'a>) -> Option<RawSuite<'a>> {
        let mut suite = RawSuite::default();
        *later = Later::default();
        self.members(|r, key| {
            match key.as_ref() {
                "metrics" => {
                    let spans = r.spans(Reader::skip)?;
                    later.metrics = spans.into_iter().map(|(s, e, ())| (s, e)).collect();
                }
                "metric_results" => later.results = r.spans(Reader::result_type)?,
                "tests" => suite.tests = r.pruned_list()?,
                "test_results" => suite.test_results = r.pruned_list()?,
                _ => r.skip()?,
            }
            Some(())
        })?;
        Some(suite)
    }

    /// The elements of a list as where each starts and ends, with what
    /// `pass` (which moves past it) says of it.
    fn spans<T>(
        &mut self,
        mut pass: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<Vec<(usize, usize, T)>> {
        let mut spans = Vec::new();
        self.elements(|r| {
            r.ws();
            let start = r.i;
            let seen = pass(r)?;
            spans.push((start, r.i, seen));
            Some(())
        })?;
        Some(spans)
    }

    /// A metric result passed over, read only for its `type`: the string of
    /// the last `type` member of an object (as the built object keeps it),
    /// else `None`.
    fn result_type(&mut self) -> Option<Option<Cow<'a, str>>> {
        self.ws();
        if self.peek()? != b'{' {
            self.skip()?;
            return Some(None);
        }
        let mut found = None;
        self.members(|r, key| {
            if key != "type" {
                return r.skip();
            }
            r.ws();
            found = if r.peek()? == b'"' {
                Some(r.string()?)
            } else {
                r.skip()?;
                None
            };
            Some(())
        })?;
        Some(found)
    }

    /// Build the metrics and results of `suite` that legacy filling reads
    /// (see [`result_is_read`]): each as the eager read would have built it.
    fn build_later(
        &mut self,
        suite: &mut RawSuite<'a>,
        later: Later<'a>,
        metrics_ids: Option<&FullList<'a>>,
    ) -> Option<()> {
        let mut in_ids = vec![false; later.metrics.len().max(later.results.len())];
        for v in metrics_ids.map(|l| l.0.as_slice()).unwrap_or_default() {
            if let Some(slot) = v.as_u64().and_then(|i| in_ids.get_mut(i as usize)) {
                *slot = true;
            }
        }
        let build = |r: &mut Self, (start, end): (usize, usize), read: bool| {
            if !read {
                return Some(None);
            }
            r.i = start;
            let v = r.value(0)?;
            (r.i == end).then_some(Some(Pruned(v)))
        };
        suite.metrics = (later.metrics.iter().enumerate())
            .map(|(i, &span)| build(self, span, in_ids[i]))
            .collect::<Option<_>>()?;
        suite.metric_results = (later.results.iter().enumerate())
            .map(|(i, (start, end, ty))| {
                build(
                    self,
                    (*start, *end),
                    result_is_read(ty.as_deref(), in_ids[i]),
                )
            })
            .collect::<Option<_>>()?;
        Some(())
    }

    fn pruned_list(&mut self) -> Option<Vec<Pruned<'a>>> {
        Some(self.list(0)?.into_iter().map(Pruned).collect())
    }

    /// v2 `metric_results`: metric id → result, in file order.
    fn results(&mut self) -> Option<RawResults<'a>> {
        let mut entries = Vec::new();
        self.members(|r, key| {
            let v = r.value(0)?;
            entries.push((key, v));
            Some(())
        })?;
        Some(RawResults::from_entries(entries))
    }

    /// v2 `widgets`: the drift table rows, read by the widget walker from
    /// the value with its unread parts dropped.
    fn widgets(&mut self) -> Option<DriftWidgets> {
        let start = self.i;
        self.skip()?;
        let mut compact = Vec::new();
        if !skim::skim_widgets_into(&self.b[start..self.i], &mut compact) {
            return None;
        }
        serde_json::from_slice(&compact).ok()
    }

    /// Any value, pruned, whose children sit at `depth + 1`.
    fn value(&mut self, depth: usize) -> Option<Val<'a>> {
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
    fn string(&mut self) -> Option<Cow<'a, str>> {
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
    fn number(&mut self) -> Option<Number> {
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
/// it checks the rest itself when it decodes the escapes). Eight bytes at a
/// time.
#[inline(always)]
fn scan_string(b: &[u8], start: usize) -> Option<(usize, bool)> {
    let mut i = start + 1;
    let mut escaped = false;
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
        for at in 0..20 {
            let mut s = format!("\"{}\"", "x".repeat(20));
            s.replace_range(1 + at..2 + at, "\u{1}");
            assert_eq!(direct_val(&s), None, "{s:?}");
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
