//! Times and durations written by the user: the bounds of `--since` /
//! `--until` (absolute or relative like `7d`) and durations like
//! `--max-age 2d`, which share one parser. Pure: the user's time zone comes
//! in as a function.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};

/// Which end of a time range a bound is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoundKind {
    /// Inclusive lower bound: the start of the stated day / minute / second.
    Since,
    /// Inclusive upper bound: the last instant of the stated day / minute / second.
    Until,
}

/// Parse a `--since` / `--until` value: RFC 3339, `YYYY-MM-DD`,
/// `YYYY-MM-DD[T ]HH:MM[:SS[.f]]` (wall-clock times read as UTC by
/// `to_utc`, the user's zone), or relative `<n>s|m|h|d|w` before `now`.
pub fn parse_time_bound(
    s: &str,
    to_utc: impl Fn(NaiveDateTime) -> DateTime<Utc>,
    now: DateTime<Utc>,
    kind: BoundKind,
) -> Result<DateTime<Utc>, String> {
    let s = s.trim();
    if let Some(rel) = parse_relative(s) {
        return rel
            .and_then(|d| now.checked_sub_signed(d))
            .ok_or_else(|| "relative time out of range".to_string());
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(&s.replacen(' ', "T", 1)) {
        return Ok(t.with_timezone(&Utc));
    }
    let last_instant = |start: NaiveDateTime, step: Duration| {
        let next = start + step;
        to_utc(next) - Duration::nanoseconds(1)
    };
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        let start = d.and_time(chrono::NaiveTime::MIN);
        return Ok(match kind {
            BoundKind::Since => to_utc(start),
            BoundKind::Until => last_instant(start, Duration::days(1)),
        });
    }
    let norm = s.replacen(' ', "T", 1);
    if let Ok(n) = NaiveDateTime::parse_from_str(&norm, "%Y-%m-%dT%H:%M") {
        return Ok(match kind {
            BoundKind::Since => to_utc(n),
            BoundKind::Until => last_instant(n, Duration::minutes(1)),
        });
    }
    if let Ok(n) = NaiveDateTime::parse_from_str(&norm, "%Y-%m-%dT%H:%M:%S") {
        return Ok(match kind {
            BoundKind::Since => to_utc(n),
            BoundKind::Until => last_instant(n, Duration::seconds(1)),
        });
    }
    if let Ok(n) = NaiveDateTime::parse_from_str(&norm, "%Y-%m-%dT%H:%M:%S%.f") {
        return Ok(to_utc(n));
    }
    Err(
        "use RFC 3339, YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS] or a relative time like 7d, 24h, 30m"
            .into(),
    )
}

/// `Some(Some(d))` for a valid relative time, `Some(None)` when it overflows,
/// `None` when `s` is not of the form `<n><unit>`.
fn parse_relative(s: &str) -> Option<Option<Duration>> {
    // Digits then a unit: a relative time (valid or out of range); else not one.
    let split = s.find(|c: char| !c.is_ascii_digit())?;
    let unit_ok = matches!(&s[split..], "s" | "m" | "min" | "h" | "d" | "w");
    (split > 0 && unit_ok).then(|| parse_duration(s))
}

/// Parse a duration like `30m`, `6h`, `2d`, `1w`, `90s`.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit())?;
    let (num, unit) = s.split_at(split);
    let n: i64 = num.parse().ok()?;
    // The checked constructors: a huge number is no duration, not a panic.
    match unit {
        "s" => Duration::try_seconds(n),
        "m" | "min" => Duration::try_minutes(n),
        "h" => Duration::try_hours(n),
        "d" => Duration::try_days(n),
        "w" => Duration::try_weeks(n),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_one_unit() {
        assert_eq!(parse_duration("90m"), Some(Duration::minutes(90)));
        assert_eq!(parse_duration(" 2d "), Some(Duration::days(2)));
        assert_eq!(parse_duration("1w"), Some(Duration::weeks(1)));
        assert_eq!(parse_duration("5min"), Some(Duration::minutes(5)));
        for bad in ["", "d", "2", "2x", "-1d", "99999999999999999d"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }
}
