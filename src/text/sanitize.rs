//! The one sanitizer for untrusted text (column names, tags, metadata,
//! descriptions, project and file names) before it reaches a terminal.
//! Control characters, escape sequences and bidi overrides are shown
//! escaped (`\x1b`, `\u{202e}`), never emitted.

use std::borrow::Cow;

/// True for characters that must never reach a terminal raw.
fn is_dangerous(c: char) -> bool {
    c.is_control() // C0, DEL, C1 (U+0080..=U+009F)
        || matches!(c,
            '\u{200E}' | '\u{200F}'            // LRM, RLM
            | '\u{202A}'..='\u{202E}'          // LRE, RLE, PDF, LRO, RLO
            | '\u{2066}'..='\u{2069}'          // LRI, RLI, FSI, PDI
            | '\u{061C}'                       // ALM
            | '\u{FEFF}'                       // BOM / ZWNBSP
            | '\u{2028}' | '\u{2029}'          // line / paragraph separators
        )
}

/// Escape control, escape and bidi characters. Borrows when the text is clean.
pub fn clean(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_dangerous) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_dangerous(c) {
            match c {
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
                c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// [`clean`] into an owned `String`.
pub fn clean_owned(s: &str) -> String {
    clean(s).into_owned()
}

/// Sanitize a path for display (lossy for non-UTF-8 names).
pub fn clean_path(p: &std::path::Path) -> String {
    clean(&p.to_string_lossy()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_sequences_and_bidi() {
        let hostile = "a\x1b]52;c;ZWNobw==\x07b\u{9b}2J\u{202e}c\n";
        let out = clean(hostile);
        assert_eq!(out, "a\\x1b]52;c;ZWNobw==\\x07b\\x9b2J\\u{202e}c\\n");
        assert!(!out.chars().any(is_dangerous));
    }

    #[test]
    fn clean_text_is_borrowed() {
        assert!(matches!(clean("mean radius ✓"), Cow::Borrowed(_)));
    }
}
