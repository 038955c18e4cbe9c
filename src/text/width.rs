//! Display width (terminal columns, not bytes or chars): cutting text to
//! fit and padding it to line up. `ell` is the mark a cut leaves: `…`, or
//! `~` where only ASCII may be drawn.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The mark a cut leaves where Unicode may be drawn.
pub const ELLIPSIS: &str = "…";

/// Display width of a string.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Cut `s` to at most `w` columns, ending in `ell` when cut.
pub fn truncate(s: &str, w: usize, ell: &str) -> String {
    if width(s) <= w {
        return s.to_string();
    }
    let ew = width(ell);
    if w <= ew {
        return skip_take(s, 0, w);
    }
    let mut out = skip_take(s, 0, w - ew);
    out.push_str(ell);
    out
}

/// Cut from the left: `…tail` of at most `w` columns.
pub fn truncate_left(s: &str, w: usize, ell: &str) -> String {
    let sw = width(s);
    if sw <= w {
        return s.to_string();
    }
    let ew = width(ell);
    if w <= ew {
        return skip_take(s, sw - w, w);
    }
    let keep = w - ew;
    format!("{ell}{}", skip_take(s, sw - keep, keep))
}

/// Columns `skip..skip+take` of `s` (wide characters that straddle an edge are dropped).
pub fn skip_take(s: &str, skip: usize, take: usize) -> String {
    let mut out = String::new();
    let mut col = 0usize;
    let mut used = 0usize;
    for c in s.chars() {
        let cw = UnicodeWidthChar::width(c).unwrap_or(0);
        if col < skip {
            col += cw;
            continue;
        }
        if used + cw > take {
            break;
        }
        out.push(c);
        used += cw;
        col += cw;
    }
    out
}

/// Cut from the middle: `head…tail` of at most `w` columns (keeps the end,
/// where names of the same kind usually differ: `Value Drift…mean radius`).
pub fn truncate_mid(s: &str, w: usize, ell: &str) -> String {
    let sw = width(s);
    if sw <= w {
        return s.to_string();
    }
    let ew = width(ell);
    if w <= ew + 2 {
        return truncate(s, w, ell);
    }
    let keep = w - ew;
    let head = keep / 2;
    let tail = keep - head;
    format!(
        "{}{ell}{}",
        skip_take(s, 0, head),
        skip_take(s, sw - tail, tail)
    )
}

/// `s` truncated and right-padded to exactly `w` columns.
pub fn pad(s: &str, w: usize, ell: &str) -> String {
    let t = truncate(s, w, ell);
    let tw = width(&t);
    format!("{t}{}", " ".repeat(w.saturating_sub(tw)))
}

/// `s` truncated and left-padded to exactly `w` columns.
pub fn pad_left(s: &str, w: usize, ell: &str) -> String {
    let t = truncate(s, w, ell);
    let tw = width(&t);
    format!("{}{t}", " ".repeat(w.saturating_sub(tw)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_respects_display_width() {
        assert_eq!(truncate("abcdef", 6, ELLIPSIS), "abcdef");
        assert_eq!(truncate("abcdefg", 6, ELLIPSIS), "abcde…");
        assert_eq!(truncate("日本語テキスト", 7, ELLIPSIS), "日本語…");
        assert_eq!(truncate("abcdef", 4, "…"), "abc…");
        assert_eq!(truncate("abc", 4, "…"), "abc");
        assert_eq!(truncate("日本語テキスト", 5, "…"), "日本…");
        assert_eq!(truncate_left("/a/b/c/workspace", 8, "…"), "…rkspace");
        assert_eq!(truncate("abc", 0, "…"), "");
        assert_eq!(
            truncate_mid("Value Drift for column mean radius", 16, "…"),
            "Value D…n radius"
        );
        assert_eq!(truncate_mid("short", 16, "…"), "short");
    }

    #[test]
    fn padding_counts_columns() {
        assert_eq!(pad("日本", 6, ELLIPSIS), "日本  ");
        assert_eq!(pad_left("ab", 4, ELLIPSIS), "  ab");
        assert_eq!(pad("ab", 4, "…"), "ab  ");
        assert_eq!(width(&pad("日本語", 5, "…")), 5);
    }
}
