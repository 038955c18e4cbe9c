//! Byte-level preparation of Evidently JSON: Python writes bare `NaN`,
//! `Infinity` and `-Infinity`, which serde_json rejects.

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
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace()).copied();
    if first != Some(b'{') {
        let what = if first == Some(b'<') {
            "looks like HTML/XML, not JSON"
        } else {
            "does not start with a JSON object"
        };
        return Err(ParseError::Syntax {
            line: 1,
            column: 1,
            message: what.to_string(),
        });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

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
