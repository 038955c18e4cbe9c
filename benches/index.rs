//! Indexing throughput over `sample_snapshots/` (2 legacy + 2 v2 projects,
//! 40 real snapshot files): list, read every file once, parse on all cores.
//! Run: `cargo bench --bench index` (reports MB/s via `Throughput::Bytes`).

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use snapscope::index::{index_path, IndexOptions};
use snapscope::parse::{ParseOptions, TimeZoneChoice};

fn bench_index(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_snapshots");
    let opts = IndexOptions {
        parse: ParseOptions {
            tz: TimeZoneChoice::Utc,
        },
        ..IndexOptions::default()
    };
    let (catalog, report) = index_path(&root, &opts).expect("sample_snapshots is readable");
    assert_eq!(report.unreadable.len(), 0, "{:?}", report.unreadable);
    assert!(catalog.snapshot_count() > 0);

    let mut group = c.benchmark_group("index");
    group.throughput(Throughput::Bytes(report.bytes_read));
    group.sample_size(20);
    group.bench_function("sample_snapshots", |b| {
        b.iter(|| {
            let (catalog, _) = index_path(&root, &opts).expect("indexing succeeds");
            catalog.snapshot_count()
        })
    });
    group.finish();
}

criterion_group!(benches, bench_index);
criterion_main!(benches);
