//! Small text helpers shared by the views: display-width truncation and
//! padding, numbers, relative ages and timestamps in the chosen zone.

use chrono::{DateTime, Utc};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::parse::TimeZoneChoice;

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

/// A number for tables: integers plainly, small/large values in scientific
/// notation, others with up to 4 decimals.
pub fn num(v: f64) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    if v == v.trunc() && v.abs() < 1e12 {
        return format!("{}", v as i64);
    }
    let a = v.abs();
    if !(1e-3..1e7).contains(&a) {
        return format!("{v:.3e}");
    }
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// An optional number (`—` for missing / non-finite).
pub fn opt_num(v: Option<f64>) -> String {
    v.map(num).unwrap_or_else(|| "—".into())
}

/// Relative age, at most 4 columns: `<1m`, `12m`, `5h`, `3d`, `4mo`, `2y`
/// (`fut` for timestamps ahead of the clock).
pub fn age(now: DateTime<Utc>, t: DateTime<Utc>) -> String {
    let s = (now - t).num_seconds();
    if s < -60 {
        return "fut".into();
    }
    if s < 60 {
        return "<1m".into();
    }
    let m = s / 60;
    if m < 60 {
        return format!("{m}m");
    }
    let h = m / 60;
    if h < 48 {
        return format!("{h}h");
    }
    let d = h / 24;
    if d < 60 {
        return format!("{d}d");
    }
    if d < 365 {
        return format!("{}mo", d / 30);
    }
    format!("{}y", d / 365)
}

/// A timestamp in the chosen zone with a strftime pattern.
pub fn time(tz: TimeZoneChoice, t: DateTime<Utc>, pattern: &str) -> String {
    tz.to_fixed(t).format(pattern).to_string()
}

/// A byte size, human-readable.
pub fn bytes(n: u64) -> String {
    const K: f64 = 1024.0;
    let f = n as f64;
    if f < K {
        format!("{n} B")
    } else if f < K * K {
        format!("{:.1} KiB", f / K)
    } else if f < K * K * K {
        format!("{:.1} MiB", f / K / K)
    } else {
        format!("{:.1} GiB", f / K / K / K)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn truncation_respects_display_width() {
        assert_eq!(truncate("abcdef", 4, "…"), "abc…");
        assert_eq!(truncate("abc", 4, "…"), "abc");
        assert_eq!(truncate("日本語テキスト", 5, "…"), "日本…");
        assert_eq!(truncate_left("/a/b/c/workspace", 8, "…"), "…rkspace");
        assert_eq!(pad("ab", 4, "…"), "ab  ");
        assert_eq!(pad_left("ab", 4, "…"), "  ab");
        assert_eq!(width(&pad("日本語", 5, "…")), 5);
        assert_eq!(truncate("abc", 0, "…"), "");
        assert_eq!(
            truncate_mid("Value Drift for column mean radius", 16, "…"),
            "Value D…n radius"
        );
        assert_eq!(truncate_mid("short", 16, "…"), "short");
    }

    #[test]
    fn numbers() {
        assert_eq!(num(3.0), "3");
        assert_eq!(num(0.123456), "0.1235");
        assert_eq!(num(0.5), "0.5");
        assert_eq!(num(0.0000123), "1.230e-5");
        assert_eq!(num(f64::NAN), "—");
        assert_eq!(opt_num(None), "—");
    }

    #[test]
    fn ages() {
        let now = Utc.with_ymd_and_hms(2024, 4, 2, 12, 0, 0).unwrap();
        let ago = |s: i64| age(now, now - chrono::Duration::seconds(s));
        assert_eq!(ago(5), "<1m");
        assert_eq!(ago(-5), "<1m");
        assert_eq!(ago(-3600), "fut");
        assert_eq!(ago(61), "1m");
        assert_eq!(ago(3 * 3600), "3h");
        assert_eq!(ago(3 * 86400), "3d");
        assert_eq!(ago(90 * 86400), "3mo");
        assert_eq!(ago(800 * 86400), "2y");
    }
}
