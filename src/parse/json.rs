//! Byte-level preparation of Evidently JSON: Python writes bare `NaN`,
//! `Infinity` and `-Infinity`, which serde_json rejects. Python also reads
//! what serde_json refuses: numbers beyond the double range (`1e400` is
//! inf for Python) and lone UTF-16 surrogate escapes (`"\ud800"`);
//! [`repair`] rewrites those, for a second try at a file that failed.

use std::borrow::Cow;

use super::ParseError;

/// Replace bare `NaN`, `Infinity` and `-Infinity` tokens outside strings
/// with `null`. Text inside strings (including keys) is left untouched.
/// Borrows the input when there is nothing to replace.
///
/// Jumps between interesting bytes with `memchr` (quotes and the tokens'
/// first letters outside strings; quotes and backslashes inside them), so the
/// cost is close to one pass of vectorised search over the file.
pub fn replace_non_finite(bytes: &[u8]) -> Cow<'_, [u8]> {
    // Fast path: none of the tokens occur at all.
    if memchr::memmem::find(bytes, b"NaN").is_none()
        && memchr::memmem::find(bytes, b"Inf").is_none()
    {
        return Cow::Borrowed(bytes);
    }
    let mut out: Option<Vec<u8>> = None;
    let mut copied_to = 0;
    let mut i = 0;
    while let Some(off) = memchr::memchr3(b'"', b'N', b'I', &bytes[i..]) {
        i += off;
        match bytes[i] {
            b'"' => {
                // Skip the string: to the next unescaped quote.
                i += 1;
                loop {
                    match memchr::memchr2(b'"', b'\\', &bytes[i..]) {
                        Some(o) if bytes[i + o] == b'\\' => i += o + 2,
                        Some(o) => {
                            i += o + 1;
                            break;
                        }
                        None => {
                            i = bytes.len();
                            break;
                        }
                    }
                }
            }
            b'N' if bytes[i..].starts_with(b"NaN") => {
                let o = out.get_or_insert_with(|| Vec::with_capacity(bytes.len() + 64));
                o.extend_from_slice(&bytes[copied_to..i]);
                o.extend_from_slice(b"null");
                i += 3;
                copied_to = i;
            }
            b'I' if bytes[i..].starts_with(b"Infinity") => {
                // Outside strings, a `-` right before is the token's sign.
                let start = if i > copied_to && bytes[i - 1] == b'-' {
                    i - 1
                } else {
                    i
                };
                let o = out.get_or_insert_with(|| Vec::with_capacity(bytes.len() + 64));
                o.extend_from_slice(&bytes[copied_to..start]);
                o.extend_from_slice(b"null");
                i += 8;
                copied_to = i;
            }
            _ => i += 1,
        }
        if i >= bytes.len() {
            break;
        }
    }
    match out {
        Some(mut o) => {
            o.extend_from_slice(&bytes[copied_to.min(bytes.len())..]);
            Cow::Owned(o)
        }
        None => Cow::Borrowed(bytes),
    }
}

/// Check for emptiness, strip a UTF-8 BOM, replace non-finite tokens.
pub(crate) fn prepare(bytes: &[u8]) -> Result<Cow<'_, [u8]>, ParseError> {
    check_start(bytes).map(replace_non_finite)
}

/// Strip a UTF-8 BOM; fail on an empty file or one that does not start
/// with a JSON object.
pub(crate) fn check_start(bytes: &[u8]) -> Result<&[u8], ParseError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ParseError::Empty);
    }
    check_prefix(bytes)?;
    Ok(bytes)
}

/// Fail when the first bytes of a file (any prefix of it) already show it
/// does not start with a JSON object, with the error [`check_start`] gives
/// for the whole file; a prefix of only whitespace (or a BOM) passes.
pub fn check_prefix(prefix: &[u8]) -> Result<(), ParseError> {
    let bytes = prefix.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(prefix);
    match bytes.iter().find(|b| !b.is_ascii_whitespace()).copied() {
        None | Some(b'{') => Ok(()),
        Some(first) => Err(ParseError::Syntax {
            line: 1,
            column: 1,
            message: if first == b'<' {
                "looks like HTML/XML, not JSON"
            } else {
                "does not start with a JSON object"
            }
            .to_string(),
        }),
    }
}

/// Rewrite, in a copy of the same length (so error positions stay true),
/// what Python's `json` reads but serde_json refuses: a number token beyond
/// the double range (`1e400`, `-1e400`: ±inf for Python) becomes `null`
/// padded with spaces, as a bare `Infinity` token becomes `null`; a UTF-16
/// surrogate escape without its pair (`\ud800`) becomes `\ufffd`, the
/// replacement character. `None` when there is nothing to rewrite. One
/// pass, run only on a file that failed to parse.
pub(crate) fn repair(b: &[u8]) -> Option<Vec<u8>> {
    let mut out: Option<Vec<u8>> = None;
    let mut put = |at: usize, with: &[u8]| {
        let o = out.get_or_insert_with(|| b.to_vec());
        o[at..at + with.len()].copy_from_slice(with);
    };
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                loop {
                    let Some(o) = b.get(i..).and_then(|r| memchr::memchr2(b'"', b'\\', r)) else {
                        i = b.len();
                        break;
                    };
                    i += o;
                    if b[i] == b'"' {
                        i += 1;
                        break;
                    }
                    match (b.get(i + 1), hex4(b, i + 2)) {
                        (Some(b'u'), Some(0xD800..=0xDBFF)) => {
                            let paired = b.get(i + 6) == Some(&b'\\')
                                && b.get(i + 7) == Some(&b'u')
                                && matches!(hex4(b, i + 8), Some(0xDC00..=0xDFFF));
                            if paired {
                                i += 12;
                            } else {
                                put(i, b"\\ufffd");
                                i += 6;
                            }
                        }
                        (Some(b'u'), Some(0xDC00..=0xDFFF)) => {
                            put(i, b"\\ufffd");
                            i += 6;
                        }
                        _ => i += 2,
                    }
                }
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                i += 1;
                while i < b.len() && matches!(b[i], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-')
                {
                    i += 1;
                }
                let token = &b[start..i];
                let beyond = token.len() >= 4
                    && std::str::from_utf8(token)
                        .ok()
                        .and_then(|t| t.parse::<f64>().ok())
                        .is_some_and(f64::is_infinite);
                if beyond {
                    let mut with = b"null".to_vec();
                    with.resize(token.len(), b' ');
                    put(start, &with);
                }
            }
            _ => i += 1,
        }
    }
    out
}

/// The value of the four hex digits at `at`, if there are four.
fn hex4(b: &[u8], at: usize) -> Option<u32> {
    let digits = std::str::from_utf8(b.get(at..at + 4)?).ok()?;
    if !digits.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(digits, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repair_rewrites_what_python_reads_and_serde_refuses() {
        // python3: json.loads(r'[1e400, -1e400, 1e308, "a\ud800b", "\udc00", "\ud83d\ude00"]')
        // == [inf, -inf, 1e308, 'a\ud800b', '\udc00', '😀']
        let src = r#"[1e400, -1e400, 1e308, "a\ud800b", "\udc00", "\ud83d\ude00", "\\ud800"]"#;
        let fixed = repair(src.as_bytes()).unwrap();
        assert_eq!(fixed.len(), src.len());
        assert_eq!(
            std::str::from_utf8(&fixed).unwrap(),
            r#"[null , null  , 1e308, "a\ufffdb", "\ufffd", "\ud83d\ude00", "\\ud800"]"#
        );
        let v: serde_json::Value = serde_json::from_slice(&fixed).unwrap();
        assert_eq!(v[3], "a\u{fffd}b");
        assert_eq!(v[5], "😀");
        // Nothing to do: None (a lone escape written as text `\\ud800` is not one).
        assert!(repair(br#"{"a": [1.5, -2e10, "x\"1e999\""], "b": "\\ud800"}"#).is_none());
        // A string that does not end, a cut escape: no panic.
        for cut in [r#"["\ud8"#, r#"["\"#, r#"[1e4"#, r#"["a"#] {
            let _ = repair(cut.as_bytes());
        }
    }

    #[test]
    fn replaces_tokens_outside_strings_only() {
        let src = br#"{"NaN": NaN, "a": [Infinity, -Infinity, 1], "s": "x\"NaN -Infinity"}"#;
        let out = replace_non_finite(src);
        assert_eq!(
            std::str::from_utf8(&out).unwrap(),
            r#"{"NaN": null, "a": [null, null, 1], "s": "x\"NaN -Infinity"}"#
        );
    }

    #[test]
    fn tricky_positions() {
        let cases: &[(&str, &str)] = &[
            ("NaN", "null"),
            ("[-Infinity]", "[null]"),
            ("[1,-Infinity,NaN]", "[1,null,null]"),
            (r#"{"a\\":NaN}"#, r#"{"a\\":null}"#),
            (r#"{"a\"NaN":Infinity}"#, r#"{"a\"NaN":null}"#),
            (
                r#"["Inf", Infinity, "unterminated NaN"#,
                r#"["Inf", null, "unterminated NaN"#,
            ),
            ("[NaN", "[null"),
            ("Infinit", "Infinit"),
            ("[-NaN]", "[-null]"),
        ];
        for (src, want) in cases {
            let out = replace_non_finite(src.as_bytes());
            assert_eq!(std::str::from_utf8(&out).unwrap(), *want, "input {src}");
        }
    }

    #[test]
    fn borrows_when_nothing_to_do() {
        let src = br#"{"a": 1}"#;
        assert!(matches!(replace_non_finite(src), Cow::Borrowed(_)));
    }

    #[test]
    fn empty_and_html_are_reported() {
        assert_eq!(prepare(b"  \n").unwrap_err(), ParseError::Empty);
        assert!(matches!(
            prepare(b"<html></html>").unwrap_err(),
            ParseError::Syntax { .. }
        ));
    }
}
