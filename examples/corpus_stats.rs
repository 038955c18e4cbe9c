//! Print series / tests / drift counts per snapshot for a folder tree (debug aid).

// Tools and tests may stop at the first surprise; the library may not.
#![allow(clippy::unwrap_used, clippy::expect_used)]
fn main() {
    let root = std::env::args().nth(1).expect("usage: corpus_stats DIR");
    let (mut n, mut series, mut tests, mut drift, mut keybytes) =
        (0usize, 0usize, 0usize, 0usize, 0usize);
    let mut max_series = 0;
    for e in walkdir::WalkDir::new(root) {
        let e = e.unwrap();
        let p = e.path();
        if p.parent()
            .and_then(|x| x.file_name())
            .map(|n| n == "snapshots")
            != Some(true)
        {
            continue;
        }
        let bytes = std::fs::read(p).unwrap();
        if let Ok(s) = snapscope::parse::parse_snapshot(&bytes, "x", "p", &Default::default()) {
            n += 1;
            series += s.series.len();
            max_series = max_series.max(s.series.len());
            keybytes += s.series.iter().map(|v| v.key.len()).sum::<usize>();
            tests += s.tests.len();
            drift += s.drift.len();
        }
    }
    println!("snapshots {n} series/snap {} max {max_series} keybytes/snap {} tests/snap {} drift/snap {}", series / n.max(1), keybytes / n.max(1), tests / n.max(1), drift / n.max(1));
}
