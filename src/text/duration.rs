//! Durations as snapscope prints them: intervals the user configured
//! (`250 ms`, `30 s`, `1.5 s`).

use std::time::Duration;

/// "2 s", "500 ms", "1.5 s".
pub fn interval(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms % 1000 == 0 {
        format!("{} s", ms / 1000)
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
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
}
