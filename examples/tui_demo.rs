//! Try the explorer on a folder with a one-shot scan (no live updates):
//! `cargo run --example tui_demo -- PATH [--utc] [--ascii] [--no-mouse] [--dot-marker]`.
//! Logs go to `$TMPDIR/snapscope-tui-demo.log`.

// Tools and tests may stop at the first surprise; the library may not.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use snapscope::index::start_one_shot;
use snapscope::parse::{ParseOptions, TimeZoneChoice};
use snapscope::tui::{self, ExitReason, TuiOptions};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut root: Option<PathBuf> = None;
    let mut opts = TuiOptions::new(PathBuf::new());
    for a in args.by_ref() {
        match a.as_str() {
            "--utc" => opts.tz = TimeZoneChoice::Utc,
            "--ascii" => opts.ascii = true,
            "--no-mouse" => opts.mouse = false,
            "--dot-marker" => opts.dot_marker = true,
            other => root = Some(PathBuf::from(other)),
        }
    }
    let root = root.ok_or_else(|| {
        anyhow::anyhow!("usage: tui_demo PATH [--utc] [--ascii] [--no-mouse] [--dot-marker]")
    })?;
    let log = std::env::temp_dir().join("snapscope-tui-demo.log");
    let file = std::fs::File::create(&log)?;
    tracing_subscriber::fmt()
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .init();
    opts.root = root.clone();
    opts.watch_mode = "off".into();
    let rx = start_one_shot(root, ParseOptions { tz: opts.tz });
    match tui::run(opts, rx)? {
        ExitReason::Quit => Ok(()),
        ExitReason::Signal(s) => std::process::exit(128 + s),
    }
}
