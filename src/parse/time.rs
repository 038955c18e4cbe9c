//! Timestamps: aware ones to UTC, naive ones in a chosen zone.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, LocalResult, NaiveDateTime, TimeZone, Utc};

/// The zone used for timestamps written without an offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimeZoneChoice {
    /// The machine's local zone (the default: Evidently writes the producing host's local time).
    #[default]
    Local,
    Utc,
    /// An IANA zone such as `Europe/Berlin`.
    Named(chrono_tz::Tz),
}

impl FromStr for TimeZoneChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "local" | "Local" => Ok(TimeZoneChoice::Local),
            "utc" | "UTC" | "Z" => Ok(TimeZoneChoice::Utc),
            other => other
                .parse::<chrono_tz::Tz>()
                .map(TimeZoneChoice::Named)
                .map_err(|_| {
                    format!("unknown time zone {other:?} (use local, utc or an IANA name like Europe/Berlin)")
                }),
        }
    }
}

impl fmt::Display for TimeZoneChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimeZoneChoice::Local => f.write_str("local"),
            TimeZoneChoice::Utc => f.write_str("UTC"),
            TimeZoneChoice::Named(tz) => write!(f, "{}", tz.name()),
        }
    }
}

impl TimeZoneChoice {
    /// Interpret a naive wall-clock time in this zone, as UTC. Ambiguous
    /// times (DST fold) take the earlier instant; times in a DST gap are
    /// shifted forward by the gap.
    pub fn to_utc(&self, naive: NaiveDateTime) -> DateTime<Utc> {
        fn pick<T: TimeZone>(
            r: LocalResult<DateTime<T>>,
            tz: &T,
            naive: NaiveDateTime,
        ) -> DateTime<Utc> {
            match r {
                LocalResult::Single(d) | LocalResult::Ambiguous(d, _) => d.with_timezone(&Utc),
                LocalResult::None => {
                    let later = naive + chrono::Duration::hours(1);
                    match tz.from_local_datetime(&later) {
                        LocalResult::Single(d) | LocalResult::Ambiguous(d, _) => {
                            d.with_timezone(&Utc)
                        }
                        LocalResult::None => Utc.from_utc_datetime(&naive),
                    }
                }
            }
        }
        match self {
            TimeZoneChoice::Utc => Utc.from_utc_datetime(&naive),
            TimeZoneChoice::Local => pick(
                chrono::Local.from_local_datetime(&naive),
                &chrono::Local,
                naive,
            ),
            TimeZoneChoice::Named(tz) => pick(tz.from_local_datetime(&naive), tz, naive),
        }
    }

    /// Convert a UTC instant to this zone, for display.
    pub fn to_fixed(&self, t: DateTime<Utc>) -> DateTime<FixedOffset> {
        match self {
            TimeZoneChoice::Utc => t.fixed_offset(),
            TimeZoneChoice::Local => t.with_timezone(&chrono::Local).fixed_offset(),
            TimeZoneChoice::Named(tz) => t.with_timezone(tz).fixed_offset(),
        }
    }
}

/// Parse an Evidently timestamp. Returns the UTC instant and whether the
/// text was naive. Accepts `T` or a space, fractional seconds, `Z` or an offset.
pub fn parse_timestamp(s: &str, tz: TimeZoneChoice) -> Option<(DateTime<Utc>, bool)> {
    let s = s.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some((d.with_timezone(&Utc), false));
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f%:z",
        "%Y-%m-%d %H:%M:%S%.f%:z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f%z",
    ] {
        if let Ok(d) = DateTime::parse_from_str(s, fmt) {
            return Some((d.with_timezone(&Utc), false));
        }
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some((tz.to_utc(n), true));
        }
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some((tz.to_utc(d.and_hms_opt(0, 0, 0)?), true));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naive_and_aware_forms() {
        let (t, naive) = parse_timestamp("2024-03-17T02:34:23", TimeZoneChoice::Utc).unwrap();
        assert!(naive);
        assert_eq!(t.to_rfc3339(), "2024-03-17T02:34:23+00:00");
        let (t, naive) =
            parse_timestamp("2024-03-17 02:34:23.123456+02:00", TimeZoneChoice::Utc).unwrap();
        assert!(!naive);
        assert_eq!(t.to_rfc3339(), "2024-03-17T00:34:23.123456+00:00");
        let (t, _) = parse_timestamp("2024-03-17T02:34:23Z", TimeZoneChoice::Utc).unwrap();
        assert_eq!(t.to_rfc3339(), "2024-03-17T02:34:23+00:00");
        let berlin: TimeZoneChoice = "Europe/Berlin".parse().unwrap();
        let (t, _) = parse_timestamp("2024-03-17T02:34:23", berlin).unwrap();
        assert_eq!(t.to_rfc3339(), "2024-03-17T01:34:23+00:00");
        assert!(parse_timestamp("yesterday", TimeZoneChoice::Utc).is_none());
        assert!("Mars/Olympus".parse::<TimeZoneChoice>().is_err());
    }
}
