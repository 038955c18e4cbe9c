//! Durations as snapscope prints them: ages (`12m`, `5h`, `3d`), the one
//! rule for the command line and the explorer, and intervals the user
//! configured (`250 ms`, `30 s`, `1.5 s`).

use std::time::Duration;

/// "2 s", "500 ms", "1.5 s".
pub fn interval(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms.is_multiple_of(1000) {
        format!("{} s", ms / 1000)
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// How old something is, in at most 4 columns: `<1m`, `12m`, `5h` (up to
/// 47h), `3d`, `4mo`, `2y`; `fut` for more than a minute ahead of the clock.
pub fn age(d: chrono::Duration) -> String {
    let s = d.num_seconds();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_in_ms_below_a_second() {
        assert_eq!(interval(Duration::from_millis(250)), "250 ms");
        assert_eq!(interval(Duration::from_secs(30)), "30 s");
        assert_eq!(interval(Duration::from_millis(1500)), "1.5 s");
    }

    #[test]
    fn ages() {
        let ago = |s: i64| age(chrono::Duration::seconds(s));
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
