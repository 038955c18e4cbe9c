//! Generate a large Evidently workspace for benchmarks by cloning the real
//! files of a workspace: `sample_snapshots/` (2 legacy + 2 v2 projects) unless
//! `--from DIR` names another (any workspace of project folders, of either
//! generation or both, e.g. `../shared/evidently-workspaces/heavy-0.7`), read once.
//!
//! ```sh
//! cargo run --release --example gen_workspace -- OUT --snapshots 10000 --projects 20 \
//!     [--generation both|legacy|v2] [--from DIR] [--seed N]
//! ```
//!
//! Project `i` clones source project `i % sources` (so with `both` half the
//! projects are legacy and half v2, keeping the real size mix: legacy files
//! are 15–460 KB, v2 files 120–460 KB). Every project gets a fresh v7-style
//! uuid and a `metadata.json` with that id and a numbered name; every snapshot
//! a fresh v7-style uuid (its time prefix follows the run time) and an hourly
//! timestamp, written over the `"timestamp"` value (and the legacy top-level
//! `"id"`) textually so the rest of each file stays byte for byte real.

// Tools and tests may stop at the first surprise; the library may not.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{DateTime, Duration, NaiveDate, Utc};

struct Source {
    legacy: bool,
    metadata: serde_json::Value,
    dashboard: Option<Vec<u8>>,
    /// (file stem, bytes)
    snapshots: Vec<(String, Vec<u8>)>,
}

struct Args {
    out: PathBuf,
    snapshots: usize,
    projects: usize,
    generation: String,
    source: PathBuf,
    seed: u64,
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: gen_workspace OUT --snapshots N --projects P [--generation both|legacy|v2] \
         [--from DIR] [--seed N]"
    );
    ExitCode::from(2)
}

fn parse_args() -> Option<Args> {
    let mut it = std::env::args().skip(1);
    let mut a = Args {
        out: PathBuf::new(),
        snapshots: 1000,
        projects: 4,
        generation: "both".into(),
        source: Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_snapshots"),
        seed: 7,
    };
    let mut out = None;
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--snapshots" => a.snapshots = it.next()?.parse().ok()?,
            "--projects" => a.projects = it.next()?.parse().ok()?,
            "--generation" => a.generation = it.next()?,
            "--from" | "--source" => a.source = it.next()?.into(),
            "--seed" => a.seed = it.next()?.parse().ok()?,
            s if !s.starts_with("--") && out.is_none() => out = Some(PathBuf::from(s)),
            _ => return None,
        }
    }
    a.out = out?;
    (a.projects > 0 && ["both", "legacy", "v2"].contains(&a.generation.as_str())).then_some(a)
}

/// xorshift64*: deterministic, good enough for ids.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A v7-style uuid: 48-bit millisecond time, version 7, variant 10, random rest.
    fn uuid7(&mut self, ms: u64) -> String {
        let r = self.next();
        let r2 = self.next();
        format!(
            "{:08x}-{:04x}-7{:03x}-{:04x}-{:012x}",
            (ms >> 16) & 0xffff_ffff,
            ms & 0xffff,
            r & 0xfff,
            0x8000 | ((r >> 12) & 0x3fff),
            r2 & 0xffff_ffff_ffff
        )
    }
}

fn load_sources(dir: &Path) -> Result<Vec<Source>, String> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("metadata.json").is_file())
        .collect();
    dirs.sort();
    let mut out = Vec::new();
    for d in dirs {
        let meta_bytes = fs::read(d.join("metadata.json")).map_err(|e| e.to_string())?;
        let metadata: serde_json::Value =
            serde_json::from_slice(&meta_bytes).map_err(|e| format!("{}: {e}", d.display()))?;
        let dashboard = fs::read(d.join("dashboard.json")).ok();
        let mut snapshots = Vec::new();
        let mut files: Vec<PathBuf> = fs::read_dir(d.join("snapshots"))
            .map_err(|e| e.to_string())?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        for f in files {
            let stem = f
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_string();
            snapshots.push((stem, fs::read(&f).map_err(|e| e.to_string())?));
        }
        let legacy = snapshots
            .first()
            .is_some_and(|(_, b)| find(b, b"\"suite\"").is_some());
        if !snapshots.is_empty() {
            out.push(Source {
                legacy,
                metadata,
                dashboard,
                snapshots,
            });
        }
    }
    Ok(out)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Replace the string value following the first `"key":` with `value`.
fn replace_string_value(bytes: &[u8], key: &[u8], only_if: Option<&str>, value: &str) -> Vec<u8> {
    let Some(k) = find(bytes, key) else {
        return bytes.to_vec();
    };
    let rest = &bytes[k + key.len()..];
    let Some(open) = rest.iter().position(|&b| b == b'"') else {
        return bytes.to_vec();
    };
    // Only whitespace and a colon between the key and the value's quote.
    if !rest[..open]
        .iter()
        .all(|b| b.is_ascii_whitespace() || *b == b':')
    {
        return bytes.to_vec();
    }
    let start = k + key.len() + open + 1;
    let Some(len) = bytes[start..].iter().position(|&b| b == b'"') else {
        return bytes.to_vec();
    };
    if let Some(expected) = only_if {
        if &bytes[start..start + len] != expected.as_bytes() {
            return bytes.to_vec();
        }
    }
    let mut out = Vec::with_capacity(bytes.len() + value.len());
    out.extend_from_slice(&bytes[..start]);
    out.extend_from_slice(value.as_bytes());
    out.extend_from_slice(&bytes[start + len..]);
    out
}

fn main() -> ExitCode {
    let Some(args) = parse_args() else {
        return usage();
    };
    let sources = match load_sources(&args.source) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("gen_workspace: {e}");
            return ExitCode::from(2);
        }
    };
    let sources: Vec<&Source> = sources
        .iter()
        .filter(|s| match args.generation.as_str() {
            "legacy" => s.legacy,
            "v2" => !s.legacy,
            _ => true,
        })
        .collect();
    if sources.is_empty() {
        eprintln!("gen_workspace: no source projects of that generation");
        return ExitCode::from(2);
    }
    let mut rng = Rng(args.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    // Runs end on 2024-06-01 and go back hourly.
    let end: DateTime<Utc> = NaiveDate::from_ymd_opt(2024, 6, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .unwrap_or_default();
    let mut bytes_written = 0u64;
    let started = std::time::Instant::now();
    for p in 0..args.projects {
        let src = sources[p % sources.len()];
        let n = args.snapshots / args.projects + usize::from(p < args.snapshots % args.projects);
        let first = end - Duration::hours(n as i64);
        let pid = rng.uuid7(first.timestamp_millis() as u64);
        let folder = args.out.join(&pid);
        let snaps = folder.join("snapshots");
        if let Err(e) = fs::create_dir_all(&snaps) {
            eprintln!("gen_workspace: {}: {e}", snaps.display());
            return ExitCode::from(2);
        }
        let mut meta = src.metadata.clone();
        if let Some(obj) = meta.as_object_mut() {
            let name = obj
                .get("name")
                .and_then(|v| v.as_str())
                .unwrap_or("project");
            let name = format!("{name} #{p}");
            obj.insert("id".into(), pid.clone().into());
            obj.insert("name".into(), name.into());
        }
        let meta_text = serde_json::to_vec_pretty(&meta).unwrap_or_default();
        let mut result = fs::write(folder.join("metadata.json"), meta_text);
        if let (Some(d), Ok(())) = (&src.dashboard, &result) {
            result = fs::write(folder.join("dashboard.json"), d);
        }
        for j in 0..n {
            if result.is_err() {
                break;
            }
            let (stem, template) = &src.snapshots[j % src.snapshots.len()];
            let t = first + Duration::hours(j as i64) + Duration::seconds((j % 97) as i64);
            let id = rng.uuid7(t.timestamp_millis() as u64);
            let ts = t.format("%Y-%m-%dT%H:%M:%S").to_string();
            let mut bytes = replace_string_value(template, b"\"timestamp\"", None, &ts);
            if src.legacy {
                bytes = replace_string_value(&bytes, b"\"id\"", Some(stem), &id);
            }
            bytes_written += bytes.len() as u64;
            result = fs::write(snaps.join(format!("{id}.json")), &bytes);
        }
        if let Err(e) = result {
            eprintln!("gen_workspace: writing {}: {e}", folder.display());
            return ExitCode::from(2);
        }
    }
    println!(
        "wrote {} snapshots in {} projects ({:.1} MB) to {} in {:.1}s",
        args.snapshots,
        args.projects,
        bytes_written as f64 / 1e6,
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    ExitCode::SUCCESS
}
