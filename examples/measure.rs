//! Index a folder once and print elapsed time, counts and memory
//! (VmHWM / VmRSS from /proc/self/status, Linux only).
//!
//! ```sh
//! cargo run --release --example measure -- PATH [--cache] [--threads N]
//! ```
//!
//! `--cache` reads and writes the persistent index cache (run twice: cold,
//! then warm); without it every file is parsed.

// Tools and tests may stop at the first surprise; the library may not.
#![allow(clippy::unwrap_used, clippy::expect_used)]

/// The binary's allocator, so that figures match `snapscope`.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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

/// User + system CPU time of this process so far (ms), from /proc/self/stat.
fn cpu_ms() -> u64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0;
    };
    // Fields after the command name (which is in parentheses).
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    // utime and stime are fields 14 and 15 (1-based), 11 and 12 here; 100 ticks/s.
    (ticks(11) + ticks(12)) * 10
}

/// The floor: read every snapshot file and scan it into `IgnoredAny` after
/// the NaN/Infinity pass, on one thread.
fn run_floor(root: &std::path::Path) {
    let files: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "json")
                && p.parent()
                    .and_then(|d| d.file_name())
                    .is_some_and(|n| n == "snapshots")
        })
        .collect();
    let t0 = Instant::now();
    let mut bytes = 0u64;
    for f in &files {
        let Ok(b) = std::fs::read(f) else { continue };
        bytes += b.len() as u64;
        let text = snapscope::parse::replace_non_finite(&b);
        let _ = serde_json::from_slice::<serde::de::IgnoredAny>(&text);
    }
    let elapsed = t0.elapsed();
    println!(
        "floor files {} bytes {:.1} MB elapsed_ms {} MB/s {:.1} cpu_ms {}",
        files.len(),
        bytes as f64 / 1e6,
        elapsed.as_millis(),
        bytes as f64 / 1e6 / elapsed.as_secs_f64(),
        cpu_ms()
    );
}

fn main() {
    let mut path = None;
    let mut use_cache = false;
    let mut threads = 0usize;
    let mut floor = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--cache" => use_cache = true,
            "--floor" => floor = true,
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
    if floor {
        run_floor(&path);
        return;
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
    let (mut tests, mut desc, mut cond, mut drift, mut meta) =
        (0usize, 0usize, 0usize, 0usize, 0usize);
    for s in catalog.projects().iter().flat_map(|p| p.snapshots.iter()) {
        tests += s.snapshot.tests.len();
        drift += s.snapshot.drift.len();
        meta += s.snapshot.metadata.len() + s.snapshot.tags.len();
        for t in &s.snapshot.tests {
            desc += t.description.len();
            cond += t.condition.as_ref().map_or(0, |c| c.len());
        }
    }
    println!(
        "tests {tests} description_bytes {desc} condition_bytes {cond} drift_rows {drift} metadata_and_tags {meta}"
    );
    println!(
        "snapshots {} projects {} unreadable {} series_values {} bytes_read {:.1} MB \
         parsed {} elapsed_ms {} cpu_ms {} VmHWM {} VmRSS {}",
        report.snapshots,
        report.projects,
        report.unreadable.len(),
        series,
        report.bytes_read as f64 / 1e6,
        report.parsed,
        elapsed.as_millis(),
        cpu_ms(),
        status("VmHWM:"),
        status("VmRSS:"),
    );
    if let Some(ms) = std::env::var("MEASURE_SETTLE_MS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        std::thread::sleep(std::time::Duration::from_millis(ms));
        println!("after {ms} ms: VmRSS {}", status("VmRSS:"));
    }
    drop(catalog);
}
