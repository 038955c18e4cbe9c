//! Indexing throughput against the floor.
//!
//! * `index/sample_snapshots`: list, read every file once, parse on all cores
//!   (`sample_snapshots/`: 2 legacy + 2 v2 projects, 40 real files), MB/s.
//! * `floor/<ws>`: read each snapshot file and scan it with serde_json into
//!   `IgnoredAny` after the NaN/Infinity pass, on one thread: the cost any
//!   indexer must pay.
//! * `cold_index/<ws>`: snapscope's cold index (`index_path`, no cache) of
//!   the same files on all cores (rayon's default pool).
//! * `warm_index/<ws>`: the same with a fresh index cache.
//!
//! After the groups the ratio of cold-index throughput to the floor's is
//! printed (target: >= 1.5 with 2 cores). `<ws>` is `sample_snapshots`, or
//! the folder in `SNAPSCOPE_BENCH_WS` (e.g. one made by
//! `cargo run --release --example gen_workspace`).
//!
//! * The same three for the heavy case: `SNAPSCOPE_BENCH_HEAVY_WS` (e.g. a
//!   `gen_workspace --from` clone of the heavy shared workspaces), else the
//!   shared `heavy-0.7` when present (target ratio >= 2.5).
//!
//! Run: `cargo bench --bench index` (or `SNAPSCOPE_BENCH_WS=/tmp/ws1k
//! SNAPSCOPE_BENCH_HEAVY_WS=/tmp/heavy1k cargo bench --bench index`).

// Tools and tests may stop at the first surprise; the library may not.
#![allow(clippy::unwrap_used, clippy::expect_used)]

/// The binary's allocator, so that figures match `snapscope`.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde::de::IgnoredAny;
use snapscope::index::{index_path, index_path_with_cache, IndexOptions};
use snapscope::parse::{replace_non_finite, ParseOptions, TimeZoneChoice};

fn opts() -> IndexOptions {
    IndexOptions {
        parse: ParseOptions {
            tz: TimeZoneChoice::Utc,
        },
        ..IndexOptions::default()
    }
}

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_snapshots")
}

fn workspace() -> (String, PathBuf) {
    match std::env::var_os("SNAPSCOPE_BENCH_WS") {
        Some(p) => {
            let p = PathBuf::from(p);
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "ws".into());
            (name, p)
        }
        None => ("sample_snapshots".into(), sample()),
    }
}

fn snapshot_files(root: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "json")
                && p.parent()
                    .and_then(|d| d.file_name())
                    .is_some_and(|n| n == "snapshots")
        })
        .collect()
}

/// The floor: read + NaN pass + IgnoredAny scan, one thread. Returns bytes.
fn floor(files: &[PathBuf]) -> u64 {
    let mut n = 0;
    for f in files {
        let Ok(b) = std::fs::read(f) else { continue };
        n += b.len() as u64;
        let text = replace_non_finite(&b);
        let _ = serde_json::from_slice::<IgnoredAny>(&text);
    }
    n
}

/// Mean time per iteration of each measured function, for the ratio.
static MEANS: Mutex<Vec<(String, Duration)>> = Mutex::new(Vec::new());

fn timed<T>(name: &str, mut f: impl FnMut() -> T) -> impl FnMut() -> T {
    let name = name.to_string();
    move || {
        let t = Instant::now();
        let r = f();
        if let Ok(mut m) = MEANS.lock() {
            m.push((name.clone(), t.elapsed()));
        }
        r
    }
}

fn mean(name: &str) -> Option<Duration> {
    let m = MEANS.lock().ok()?;
    let v: Vec<Duration> = m
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, d)| *d)
        .collect();
    (!v.is_empty()).then(|| v.iter().sum::<Duration>() / v.len() as u32)
}

fn bench_sample(c: &mut Criterion) {
    let root = sample();
    let (catalog, report) = index_path(&root, &opts()).expect("sample_snapshots is readable");
    assert_eq!(report.unreadable.len(), 0, "{:?}", report.unreadable);
    assert!(catalog.snapshot_count() > 0);

    let mut group = c.benchmark_group("index");
    group.throughput(Throughput::Bytes(report.bytes_read));
    group.sample_size(20);
    group.bench_function("sample_snapshots", |b| {
        b.iter(|| {
            let (catalog, _) = index_path(&root, &opts()).expect("indexing succeeds");
            catalog.snapshot_count()
        })
    });
    group.finish();
}

/// Floor, cold and warm index of the workspace `root`, and the ratio of
/// cold-index throughput to the floor's against `target`.
fn floor_ratio(c: &mut Criterion, name: &str, root: &Path, target: f64) {
    let files = snapshot_files(root);
    let bytes = floor(&files);
    let cache = tempfile::tempdir().expect("temp dir");
    let o = opts();

    let mut group = c.benchmark_group("floor");
    group.throughput(Throughput::Bytes(bytes));
    group.sample_size(10);
    let mut f = timed(&format!("floor/{name}"), || floor(&files));
    group.bench_function(name, |b| b.iter(&mut f));
    group.finish();

    let mut group = c.benchmark_group("cold_index");
    group.throughput(Throughput::Bytes(bytes));
    group.sample_size(10);
    let mut f = timed(&format!("cold/{name}"), || {
        index_path(root, &o)
            .expect("indexing succeeds")
            .0
            .snapshot_count()
    });
    group.bench_function(name, |b| b.iter(&mut f));
    group.finish();

    // Fill the cache once, then measure warm starts.
    let _ = index_path_with_cache(root, &o, Some(cache.path()));
    let mut group = c.benchmark_group("warm_index");
    group.throughput(Throughput::Bytes(bytes));
    group.sample_size(10);
    let mut f = timed(&format!("warm/{name}"), || {
        index_path_with_cache(root, &o, Some(cache.path()))
            .expect("indexing succeeds")
            .0
            .snapshot_count()
    });
    group.bench_function(name, |b| b.iter(&mut f));
    group.finish();

    if let (Some(fl), Some(cold), Some(warm)) = (
        mean(&format!("floor/{name}")),
        mean(&format!("cold/{name}")),
        mean(&format!("warm/{name}")),
    ) {
        let threads = rayon::current_num_threads();
        println!(
            "\n{name}: {} files, {:.1} MB; floor {:.1} MB/s (1 thread), cold index {:.1} MB/s \
             ({threads} threads), warm {:.1} ms\nratio cold index / floor throughput = {:.2} (target >= {target})\n",
            files.len(),
            bytes as f64 / 1e6,
            bytes as f64 / 1e6 / fl.as_secs_f64(),
            bytes as f64 / 1e6 / cold.as_secs_f64(),
            warm.as_secs_f64() * 1e3,
            fl.as_secs_f64() / cold.as_secs_f64(),
        );
    }
}

fn bench_floor_ratio(c: &mut Criterion) {
    let (name, root) = workspace();
    floor_ratio(c, &name, &root, 1.5);
}

/// The heavy case (issue 16): wide data projects and LLM text evals, about
/// 650 series values a snapshot. `SNAPSCOPE_BENCH_HEAVY_WS` (e.g. made by
/// `gen_workspace OUT --from DIR` of the heavy shared workspaces), else the
/// shared `heavy-0.7` when it is there.
fn bench_heavy(c: &mut Criterion) {
    let root = match std::env::var_os("SNAPSCOPE_BENCH_HEAVY_WS") {
        Some(p) => PathBuf::from(p),
        None => {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/evidently-workspaces/heavy-0.7")
        }
    };
    if !root.is_dir() {
        println!(
            "heavy: SKIPPED, {} is absent (set SNAPSCOPE_BENCH_HEAVY_WS)",
            root.display()
        );
        return;
    }
    let name = root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "heavy".into());
    floor_ratio(c, &name, &root, 2.5);
}

criterion_group!(benches, bench_sample, bench_floor_ratio, bench_heavy);
criterion_main!(benches);
