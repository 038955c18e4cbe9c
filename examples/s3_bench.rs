//! Figures for workspaces in object storage (issue 15): a workspace served
//! by a real S3 server on loopback (`s3s-fs`, the tests' server, with S3's
//! own 1,000-key listing pages) against the same folder on disk, with the
//! number of requests the server saw.
//!
//! ```sh
//! cargo build --release
//! cargo run --release --example s3_bench -- /tmp/ws1k [--runs 3] [--polls 6]
//! ```
//!
//! Prints one Markdown table: cold `projects` from disk, cold from the
//! bucket (no cache), the cold run that writes the cache, warm (cache
//! fresh), each with its median wall time and requests; then the requests
//! of one idle poll (cheap) and of one full listing, from `watch --json
//! --poll-interval 1`. The workspace is hard-linked into the server's
//! folder (same file system), never written. `--serve` only serves it (and
//! prints the request counts every 5 s), for profiling the client alone.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
#[path = "../tests/it/common/s3.rs"]
mod s3;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use s3::{Listing, S3Server, ACCESS_KEY, BUCKET, SECRET};

fn snapscope() -> PathBuf {
    std::env::var_os("SNAPSCOPE_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/release/snapscope"))
}

fn command(server: &S3Server, xdg: &Path) -> Command {
    let mut c = Command::new(snapscope());
    c.env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", server.endpoint())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .env("XDG_CACHE_HOME", xdg)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

/// Wall time and snapscope's own CPU time (user + system, by GNU time) of
/// one run (must succeed).
fn timed(c: Command) -> (Duration, Duration) {
    let out = tempfile::NamedTempFile::new().unwrap();
    let mut t = Command::new("/usr/bin/time");
    t.arg("-f").arg("%U %S").arg("-o").arg(out.path());
    t.arg(c.get_program()).args(c.get_args());
    for (k, v) in c.get_envs() {
        match v {
            Some(v) => t.env(k, v),
            None => t.env_remove(k),
        };
    }
    t.stdout(Stdio::null()).stderr(Stdio::null());
    let start = Instant::now();
    let status = t.status().expect("/usr/bin/time runs snapscope");
    let wall = start.elapsed();
    assert!(status.success(), "{c:?}: {status}");
    let text = std::fs::read_to_string(out.path()).unwrap();
    let cpu: f64 = text
        .split_whitespace()
        .filter_map(|x| x.parse::<f64>().ok())
        .sum();
    (wall, Duration::from_secs_f64(cpu))
}

/// Median wall time and median CPU time.
fn median(v: Vec<(Duration, Duration)>) -> String {
    let (mut wall, mut cpu): (Vec<_>, Vec<_>) = v.into_iter().unzip();
    wall.sort();
    cpu.sort();
    format!(
        "{:.0} ms | {:.0} ms",
        wall[wall.len() / 2].as_secs_f64() * 1000.0,
        cpu[cpu.len() / 2].as_secs_f64() * 1000.0
    )
}

fn requests(server: &S3Server) -> String {
    let r = &server.requests;
    let lists = r.lists();
    let gets = r.gets();
    let other: usize = r.counts().values().sum::<usize>() - lists - gets;
    let mut s = format!("{lists} LIST + {gets} GET");
    if other > 0 {
        s.push_str(&format!(" + {other} other"));
    }
    s
}

/// One table row: `runs` runs of `snapscope ARGS` against the bucket, the
/// requests counted afresh for each (the last run's are shown), the cache
/// in `xdg` or in a fresh folder per run.
fn bucket_row(server: &S3Server, label: &str, runs: usize, xdg: Option<&Path>, args: &[&str]) {
    let mut times = Vec::new();
    for _ in 0..runs {
        let fresh = tempfile::tempdir().unwrap();
        server.requests.reset();
        let mut c = command(server, xdg.unwrap_or(fresh.path()));
        c.args(args);
        times.push(timed(c));
    }
    println!("| {label} | {} | {} |", median(times), requests(server));
}

/// Requests of `watch` over `polls` polls after the first scan, with the
/// `[remote."URL"]` settings `table` (TOML lines).
/// Gives (requests, polls).
fn poll_requests(server: &S3Server, url: &str, table: &str, polls: u32) -> (usize, usize) {
    let cfg = tempfile::tempdir().unwrap();
    let file = cfg.path().join("config.toml");
    std::fs::write(&file, format!("[remote.\"{url}\"]\n{table}\n")).unwrap();
    let xdg = tempfile::tempdir().unwrap();
    let mut c = command(server, xdg.path());
    c.env("SNAPSCOPE_CONFIG", &file)
        .args(["--no-cache", "watch", "--json", "--poll-interval", "1", url])
        .stdout(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    // The summary line ends the first scan.
    for l in lines.by_ref() {
        if l.unwrap().contains("\"summary\"") {
            break;
        }
    }
    std::thread::sleep(Duration::from_millis(500));
    server.requests.reset();
    std::thread::sleep(Duration::from_secs(u64::from(polls)));
    let r = &server.requests;
    let seen = r.counts().values().sum();
    // Each poll starts with one of these: a cheap poll's listing of the
    // top, or a full listing's first page.
    let polls = r.count("GET", "list-top") + r.count("GET", "list");
    let _ = child.kill();
    let _ = child.wait();
    (seen, polls)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut ws = None;
    let (mut runs, mut polls, mut serve_only) = (3, 6, false);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => runs = args.next().unwrap().parse().unwrap(),
            "--polls" => polls = args.next().unwrap().parse().unwrap(),
            "--serve" => serve_only = true,
            _ => ws = Some(PathBuf::from(a)),
        }
    }
    let ws = ws.expect("usage: s3_bench WORKSPACE [--runs N] [--polls N] [--serve]");
    let server = S3Server::start_with(Listing {
        page: 1000,
        content_etags: false,
    });
    let served = server.root.path().join(BUCKET).join("ws");
    let cp = Command::new("cp")
        .arg("-al")
        .arg(&ws)
        .arg(&served)
        .status()
        .unwrap();
    assert!(cp.success(), "cp -al {} (same file system?)", ws.display());
    let url = format!("s3://{BUCKET}/ws");
    let objects = walkdir::WalkDir::new(&served)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .count();
    println!("workspace {} ({objects} objects)\n", ws.display());
    if serve_only {
        println!(
            "serving {url} at {} until interrupted:\n  AWS_ACCESS_KEY_ID={ACCESS_KEY} AWS_SECRET_ACCESS_KEY=... \
             AWS_ENDPOINT_URL={} AWS_REGION=us-east-1",
            server.endpoint(),
            server.endpoint()
        );
        loop {
            std::thread::sleep(Duration::from_secs(5));
            eprintln!("{:?}", server.requests.counts());
        }
    }
    println!("| run | wall (median of {runs}) | snapscope CPU | requests |");
    println!("| --- | --- | --- | --- |");

    let xdg = tempfile::tempdir().unwrap();
    let disk = (0..runs)
        .map(|_| {
            let mut c = command(&server, xdg.path());
            c.arg("--no-cache").arg("projects").arg(&ws);
            timed(c)
        })
        .collect();
    println!("| disk, no cache | {} | - |", median(disk));

    bucket_row(
        &server,
        "bucket, no cache",
        runs,
        Some(xdg.path()),
        &["--no-cache", "projects", &url],
    );
    bucket_row(
        &server,
        "bucket, cold, writes the cache",
        runs,
        None,
        &["projects", &url],
    );
    // Fill the cache, then measure warm starts.
    let mut fill = command(&server, xdg.path());
    fill.args(["projects", &url]);
    timed(fill);
    bucket_row(
        &server,
        "bucket, warm (cache fresh)",
        runs,
        Some(xdg.path()),
        &["projects", &url],
    );

    let runs = [
        (
            "idle poll, default (cheap unless a full listing costs no more)",
            "",
        ),
        (
            "idle poll, always cheap (`list-page-keys = 1`)",
            "list-page-keys = 1\nfull-listing-every = 1000000",
        ),
        (
            "idle poll, always a full listing (`full-listing-every = 1`)",
            "full-listing-every = 1",
        ),
    ];
    for (what, table) in runs {
        let (n, polls) = poll_requests(&server, &url, table, polls);
        println!(
            "| {what} | - | - | {:.1} LIST a poll ({n} requests in {polls} polls) |",
            n as f64 / polls.max(1) as f64
        );
    }
}
