//! The views' text helpers: the shared formatters of [`crate::text`] with
//! the explorer's mark for a missing value (`—`), and timestamps in the
//! chosen zone.

use chrono::{DateTime, Utc};

use crate::parse::TimeZoneChoice;
pub use crate::text::width::{
    pad, pad_left, skip_take, truncate, truncate_left, truncate_mid, width,
};

/// A number for tables ([`crate::text::num::number`]), `—` when missing.
pub fn num(v: f64) -> String {
    crate::text::num::number(v).unwrap_or_else(|| "—".into())
}

/// An optional number (`—` for missing / non-finite).
pub fn opt_num(v: Option<f64>) -> String {
    v.map(num).unwrap_or_else(|| "—".into())
}

/// How long ago `t` was, in at most 4 columns ([`crate::text::duration::age`]).
pub fn age(now: DateTime<Utc>, t: DateTime<Utc>) -> String {
    crate::text::duration::age(now - t)
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

    #[test]
    fn numbers() {
        assert_eq!(num(3.0), "3");
        assert_eq!(num(0.123456), "0.1235");
        assert_eq!(num(0.5), "0.5");
        assert_eq!(num(0.0000123), "1.230e-5");
        assert_eq!(num(f64::NAN), "—");
        assert_eq!(opt_num(None), "—");
    }
}
