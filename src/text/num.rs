//! Numbers for reading: values with a sensible number of digits, counts
//! with their noun.

/// `1 run`, `3 runs`: a count with its noun, plural by adding `s`.
pub fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// A number for reading, the one rule for every output: integers plainly
/// (up to 1e15), others with up to 4 decimals, tiny or huge values in
/// scientific notation (`1.230e-5`). `None` for NaN and infinities: each
/// output shows its own mark for a missing value.
pub fn number(v: f64) -> Option<String> {
    if !v.is_finite() {
        return None;
    }
    let a = v.abs();
    Some(if v == v.trunc() && a < 1e15 {
        format!("{v:.0}")
    } else if a != 0.0 && !(1e-3..1e9).contains(&a) {
        format!("{v:.3e}")
    } else {
        let s = format!("{v:.4}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        if s == "-0" || s.is_empty() {
            format!("{v:.3e}")
        } else {
            s.to_string()
        }
    })
}

/// [`number`] for the command line's text: `null` when missing, as in JSON.
pub fn fmt_num(v: f64) -> String {
    number(v).unwrap_or_else(|| "null".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(number(3.0).as_deref(), Some("3"));
        assert_eq!(number(0.123456).as_deref(), Some("0.1235"));
        assert_eq!(number(0.5).as_deref(), Some("0.5"));
        assert_eq!(number(0.0000123).as_deref(), Some("1.230e-5"));
        assert_eq!(number(2.5e9).as_deref(), Some("2500000000"));
        assert_eq!(number(2.5e9 + 0.5).as_deref(), Some("2.500e9"));
        assert_eq!(number(12345678.25).as_deref(), Some("12345678.25"));
        assert_eq!(number(1e13).as_deref(), Some("10000000000000"));
        assert_eq!(number(f64::NAN), None);
        assert_eq!(fmt_num(f64::INFINITY), "null");
    }

    #[test]
    fn counts_take_their_plural() {
        assert_eq!(plural(1, "run"), "1 run");
        assert_eq!(plural(0, "run"), "0 runs");
        assert_eq!(plural(3, "test"), "3 tests");
    }
}
