//! The loop behind `snapscope watch`, driven without the binary's command
//! line or configuration file (for trying the live index by hand):
//! `cargo run --release --example watch -- PATH [--json] [--watch MODE] [--poll-interval SECS]`.

// Tools and tests may stop at the first surprise; the library may not.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Duration;

use snapscope::index::LiveOptions;
use snapscope::index::WatchMode;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut root: Option<PathBuf> = None;
    let mut json = false;
    let mut opts = LiveOptions::default();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--json" => json = true,
            "--watch" => {
                let m = args.next().unwrap_or_default();
                opts.watch = m.parse::<WatchMode>().map_err(anyhow::Error::msg)?;
            }
            "--poll-interval" => {
                let s: f64 = args.next().unwrap_or_default().parse()?;
                opts.poll_interval = Duration::from_secs_f64(s);
            }
            _ => root = Some(PathBuf::from(a)),
        }
    }
    let root = root.ok_or_else(|| anyhow::anyhow!("usage: watch PATH [--json] [--watch MODE]"))?;
    let stop = snapscope::cmd::watch::install_stop_signals()?;
    let mut out = std::io::stdout().lock();
    snapscope::cmd::watch::run_watch(&root, &opts, json, &mut out, &stop)?;
    eprintln!("stopped: {}", stop.load(Ordering::Relaxed));
    Ok(())
}
