//! Start-up timing of the explorer in a pseudo-terminal (a measurement, not
//! a check: ignored by default, never a timed assertion).
//!
//! ```sh
//! SNAPSCOPE_BENCH_WS=/tmp/ws10k SNAPSCOPE_BENCH_N=10000 \
//! SNAPSCOPE_BENCH_BIN=target/release/snapscope \
//!     cargo test --release --test it tui_startup -- --ignored --nocapture
//! ```
//!
//! Prints the time from spawn to the first frame (the title bar) and to the
//! complete first screen (the status bar says "<N> snapshots": the scan
//! finished and every run is in). Extra arguments (e.g. `--no-cache`) come
//! from `SNAPSCOPE_BENCH_ARGS`, split on spaces. Also prints the explorer's
//! resident memory 1.5 s after the first screen (Linux). The index cache is kept in
//! `$CARGO_TARGET_TMPDIR/tui_startup-cache`, so a second run starts warm.

use crate::common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::pty::Pty;
use common::run;

#[test]
#[ignore = "measurement; needs SNAPSCOPE_BENCH_WS"]
fn explorer_start_up_times() {
    let Some(ws) = std::env::var_os("SNAPSCOPE_BENCH_WS") else {
        eprintln!("SNAPSCOPE_BENCH_WS not set: nothing measured");
        return;
    };
    let n: usize = std::env::var("SNAPSCOPE_BENCH_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .expect("SNAPSCOPE_BENCH_N = number of snapshots");
    let bin = std::env::var_os("SNAPSCOPE_BENCH_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(run::bin);
    let extra = std::env::var("SNAPSCOPE_BENCH_ARGS").unwrap_or_default();
    let ws = ws.to_string_lossy().into_owned();
    let mut args = vec![ws.as_str(), "--tz", "utc"];
    args.extend(extra.split_whitespace());
    let t0 = Instant::now();
    let cache = concat!(env!("CARGO_TARGET_TMPDIR"), "/tui_startup-cache");
    let env = [("XDG_CACHE_HOME", cache)];
    let mut pty = Pty::spawn(
        &bin,
        &args,
        160,
        45,
        &env,
        &std::env::current_dir().unwrap(),
    );
    pty.wait_for_text(" snapscope ", Duration::from_secs(60));
    let first = t0.elapsed();
    pty.wait_for_text(&format!("{n} snapshots"), Duration::from_secs(600));
    let complete = t0.elapsed();
    // Resident memory once the first scan is over (and the cache written).
    std::thread::sleep(Duration::from_millis(1500));
    let status = pty
        .pid()
        .and_then(|pid| std::fs::read_to_string(format!("/proc/{pid}/status")).ok())
        .unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .map_or("?", |l| l[name.len()..].trim())
            .to_string()
    };
    println!(
        "explorer on {ws} {extra}: first frame {} ms, complete first screen {} ms, \
         VmRSS {} (peak VmHWM {}) 1.5 s after",
        first.as_millis(),
        complete.as_millis(),
        field("VmRSS:"),
        field("VmHWM:")
    );
    pty.send("q");
    pty.wait_exit(Duration::from_secs(30));
}
