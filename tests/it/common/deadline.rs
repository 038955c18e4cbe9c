//! Running the binary under a deadline and a memory ceiling, for tests of
//! inputs that used to hang it or make it read without end: a regression
//! then fails the test (the process is killed) instead of hanging the
//! suite or filling the machine's memory.

use std::io::Read;
use std::process::{Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use super::pty::scaled;
use super::run::Run;

/// The resident set size of process `pid` in bytes, while it runs.
pub fn rss_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Run to completion within `timeout` (scaled by
/// `SNAPSCOPE_TEST_TIMEOUT_SCALE`) and under `max_rss` bytes of memory;
/// returns the output and how long it took. Kills it and panics, naming
/// `what`, when it runs over either.
pub fn output_within(run: Run, what: &str, timeout: Duration, max_rss: u64) -> (Output, Duration) {
    let started = Instant::now();
    let mut child = run
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn snapscope");
    let pid = child.id();
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out_reader = thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let err_reader = thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let deadline = started + scaled(timeout);
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break status;
        }
        let rss = rss_bytes(pid).unwrap_or(0);
        if rss > max_rss || Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{what}: killed after {:?} (resident memory {} MiB, limit {} MiB)",
                started.elapsed(),
                rss >> 20,
                max_rss >> 20
            );
        }
        thread::sleep(Duration::from_millis(20));
    };
    let elapsed = started.elapsed();
    let output = Output {
        status,
        stdout: out_reader.join().expect("stdout reader"),
        stderr: err_reader.join().expect("stderr reader"),
    };
    (output, elapsed)
}

/// `mkfifo path`.
pub fn mkfifo(path: &std::path::Path) {
    let st = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo");
    assert!(st.success(), "mkfifo {}", path.display());
}
