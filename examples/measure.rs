//! Index a folder once and print elapsed time, counts and memory
//! (VmHWM / VmRSS from /proc/self/status, Linux only).
//!
//! ```sh
//! cargo run --release --example measure -- PATH [--cache] [--threads N]
//! ```
//!
//! `--cache` reads and writes the persistent index cache (run twice: cold,
//! then warm); without it every file is parsed.

use std::path::PathBuf;
use std::time::Instant;

use snapscope::index::{index_path, IndexOptions};
use snapscope::parse::{ParseOptions, TimeZoneChoice};

fn status(field: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .map(|l| l[field.len()..].trim().to_string())
        })
        .unwrap_or_else(|| "?".into())
}

fn main() {
    let mut path = None;
    let mut use_cache = false;
    let mut threads = 0usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--cache" => use_cache = true,
            "--threads" => threads = args.next().and_then(|n| n.parse().ok()).unwrap_or(0),
            _ => path = Some(PathBuf::from(a)),
        }
    }
    let Some(path) = path else {
        eprintln!("usage: measure PATH [--cache] [--threads N]");
        std::process::exit(2);
    };
    if threads > 0 {
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global();
    }
    let opts = IndexOptions {
        parse: ParseOptions {
            tz: TimeZoneChoice::Utc,
        },
        use_cache,
        ..IndexOptions::default()
    };
    let t0 = Instant::now();
    let (catalog, report) = match index_path(&path, &opts) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("measure: {e}");
            std::process::exit(2);
        }
    };
    let elapsed = t0.elapsed();
    let series: usize = catalog
        .projects()
        .iter()
        .flat_map(|p| p.snapshots.iter())
        .map(|s| s.snapshot.series.len())
        .sum();
    println!(
        "snapshots {} projects {} unreadable {} series_values {} bytes_read {:.1} MB \
         parsed {} elapsed_ms {} VmHWM {} VmRSS {}",
        report.snapshots,
        report.projects,
        report.unreadable.len(),
        series,
        report.bytes_read as f64 / 1e6,
        report.parsed,
        elapsed.as_millis(),
        status("VmHWM:"),
        status("VmRSS:"),
    );
    drop(catalog);
}
