//! The one pattern form users type to choose names (`--series PATTERN`):
//! `*` stands for any run of characters, everything else matches itself
//! (so the `[`, `]`, `{` and `}` of series keys need no escaping).

/// True when `pattern` matches the whole of `s`.
pub fn matches(pattern: &str, s: &str) -> bool {
    let mut parts = pattern.split('*');
    // Without a `*` the pattern is a literal.
    let Some(first) = parts.next() else {
        return s.is_empty();
    };
    let Some(mut rest) = s.strip_prefix(first) else {
        return false;
    };
    let middle: Vec<&str> = parts.collect();
    let Some((last, middle)) = middle.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn star_matches_any_run_and_the_rest_is_literal() {
        assert!(matches("RowCount.value", "RowCount.value"));
        assert!(!matches("RowCount", "RowCount.value"));
        assert!(matches("RowCount*", "RowCount.value"));
        assert!(matches(
            "*.share",
            "DriftedColumnsCount{columns=[11 items #ef89fd27]}.share"
        ));
        assert!(matches(
            "*{columns=[11 items*}*",
            "DriftedColumnsCount{columns=[11 items #e]}.count"
        ));
        assert!(!matches("*.share", "DriftedColumnsCount.count"));
        assert!(matches("*", ""));
        assert!(matches("a*b*c", "abc"));
        assert!(matches("a*b*c", "a-b-b-c"));
        assert!(!matches("a*b*c", "a-c-b"));
        // The last part must not overlap a part matched before it.
        assert!(!matches("ab*ba", "aba"));
        assert!(matches("", ""));
        assert!(!matches("", "x"));
    }
}
