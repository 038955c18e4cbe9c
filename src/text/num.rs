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

/// A number for reading: integers plainly, others with up to 4 decimals,
/// tiny or huge values in scientific notation.
pub fn fmt_num(v: f64) -> String {
    if !v.is_finite() {
        return "null".into();
    }
    let a = v.abs();
    if v == v.trunc() && a < 1e15 {
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_take_their_plural() {
        assert_eq!(plural(1, "run"), "1 run");
        assert_eq!(plural(0, "run"), "0 runs");
        assert_eq!(plural(3, "test"), "3 tests");
    }
}
