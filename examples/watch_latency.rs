//! Latency from a snapshot file's last write to its `SnapshotAdded` event,
//! over 50 files, in native and poll mode:
//! `cargo run --release --example watch_latency [-- notify|poll|auto]`.
//!
//! Files are real Evidently snapshots from tests/fixtures/live, written in
//! place (create, write, close) like Evidently does, at random phases.

// Tools and tests may stop at the first surprise; the library may not.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use snapscope::index::IndexEvent;
use snapscope::index::WatchMode;
use snapscope::index::{LiveIndex, LiveOptions};

const PROJECT: &str = "01a2230e-0168-7ab7-adff-7641d9b536e9";

fn measure(mode: WatchMode, files: &[Vec<u8>]) -> anyhow::Result<Vec<Duration>> {
    let dir = tempfile::tempdir()?;
    let snaps = dir.path().join(PROJECT).join("snapshots");
    std::fs::create_dir_all(&snaps)?;
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/live");
    std::fs::copy(
        fixtures.join("metadata_v2.json"),
        dir.path().join(PROJECT).join("metadata.json"),
    )?;
    let opts = LiveOptions {
        watch: mode,
        ..LiveOptions::default()
    };
    let (live, rx) = LiveIndex::start(dir.path(), opts)?;
    let wait = |pred: &dyn Fn(&IndexEvent) -> bool| -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let ev = rx.recv_deadline(deadline)?;
            if pred(&ev) {
                return Ok(());
            }
        }
    };
    wait(&|e| matches!(e, IndexEvent::ScanFinished { .. }))?;
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut out = Vec::new();
    let phase_range = match mode {
        WatchMode::Poll => opts.poll_interval,
        _ => Duration::from_millis(100),
    };
    for i in 0..50u64 {
        // random phase relative to poll ticks
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let frac = (seed >> 33) as f64 / (1u64 << 31) as f64;
        std::thread::sleep(phase_range.mul_f64(frac));
        let id = format!("01a2230f-0000-7000-8000-{i:012x}");
        let path = snaps.join(format!("{id}.json"));
        std::fs::write(&path, &files[i as usize % files.len()])?;
        let written = Instant::now();
        wait(&|e| matches!(e, IndexEvent::SnapshotAdded(s) if s.snapshot.id == id))?;
        out.push(written.elapsed());
    }
    live.stop();
    Ok(out)
}

fn main() -> anyhow::Result<()> {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/live");
    let files: Vec<Vec<u8>> = ["legacy_report.json", "legacy_suite.json", "v2_run.json"]
        .iter()
        .map(|n| std::fs::read(fixtures.join(n)))
        .collect::<Result<_, _>>()?;
    let modes: Vec<WatchMode> = match std::env::args().nth(1) {
        Some(m) => vec![m.parse().map_err(anyhow::Error::msg)?],
        None => vec![WatchMode::Notify, WatchMode::Poll],
    };
    for mode in modes {
        let mut lat = measure(mode, &files)?;
        lat.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{mode:>6}: n={} median {:.1} ms, p90 {:.1} ms, min {:.1} ms, max {:.1} ms",
            lat.len(),
            ms(lat[lat.len() / 2]),
            ms(lat[lat.len() * 9 / 10]),
            ms(lat[0]),
            ms(lat[lat.len() - 1])
        );
    }
    Ok(())
}
