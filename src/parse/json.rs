//! Byte-level preparation of Evidently JSON: Python writes bare `NaN`,
//! `Infinity` and `-Infinity`, which serde_json rejects.

use std::borrow::Cow;

use super::ParseError;

/// Replace bare `NaN`, `Infinity` and `-Infinity` tokens outside strings
/// with `null`. Text inside strings (including keys) is left untouched.
/// Borrows the input when there is nothing to replace.
pub fn replace_non_finite(bytes: &[u8]) -> Cow<'_, [u8]> {
    // Fast path: none of the tokens' distinctive letters occur at all.
    if memchr_any(bytes) {
        let mut out: Option<Vec<u8>> = None;
        let mut in_string = false;
        let mut escaped = false;
        let mut i = 0;
        let mut copied_to = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if in_string {
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == b'"' {
                    in_string = false;
                }
                i += 1;
                continue;
            }
            match b {
                b'"' => {
                    in_string = true;
                    i += 1;
                }
                b'N' if bytes[i..].starts_with(b"NaN") => {
                    let o = out.get_or_insert_with(|| Vec::with_capacity(bytes.len()));
                    o.extend_from_slice(&bytes[copied_to..i]);
                    o.extend_from_slice(b"null");
                    i += 3;
                    copied_to = i;
                }
                b'I' if bytes[i..].starts_with(b"Infinity") => {
                    let o = out.get_or_insert_with(|| Vec::with_capacity(bytes.len()));
                    o.extend_from_slice(&bytes[copied_to..i]);
                    o.extend_from_slice(b"null");
                    i += 8;
                    copied_to = i;
                }
                b'-' if bytes[i..].starts_with(b"-Infinity") => {
                    let o = out.get_or_insert_with(|| Vec::with_capacity(bytes.len()));
                    o.extend_from_slice(&bytes[copied_to..i]);
                    o.extend_from_slice(b"null");
                    i += 9;
                    copied_to = i;
                }
                _ => i += 1,
            }
        }
        if let Some(mut o) = out {
            o.extend_from_slice(&bytes[copied_to..]);
            return Cow::Owned(o);
        }
    }
    Cow::Borrowed(bytes)
}

fn memchr_any(bytes: &[u8]) -> bool {
    bytes.windows(3).any(|w| w == b"NaN" || w == b"Inf")
}

/// Check for emptiness, strip a UTF-8 BOM, replace non-finite tokens.
pub(crate) fn prepare(bytes: &[u8]) -> Result<Cow<'_, [u8]>, ParseError> {
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
    Ok(replace_non_finite(bytes))
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
