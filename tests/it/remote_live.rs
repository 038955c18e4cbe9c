//! Following a bucket live (issue 15, phase 2) against a real S3 server
//! (`common::s3`): `watch --json` on `s3://…` polls, and shows a new, a
//! rewritten and a deleted object as it does for files; while the server
//! is down nothing known is removed and the status says the remote is
//! unreachable; once it is back a new object is seen again. The explorer
//! says "remote unreachable" in its status bar and recovers. Only GET and
//! HEAD requests reach the server.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::pty::{scaled, Pty};
use crate::common::run;
use crate::common::s3::{S3Server, ACCESS_KEY, BUCKET, PAGE, SECRET};
use crate::common::tools::{samples, value};
use crate::metrics::{assert_figures_match, promtool_accepts};
use crate::remote::{remote_config, upload, url, with_server};
use crate::serve::{scrape, serve_with};

/// The project "Diabetes progression regressor" of `sample_snapshots/`.
const P: &str = "01a2230d-b8d2-7113-98bf-36daa2d1f948";
const A: &str = "01a2230d-cf89-775a-a1a8-46cd6f8ba0dd";
const B: &str = "01a2230d-d042-7e6a-b768-d9370a0473c3";
const C: &str = "01a2230d-d0f9-7724-ac00-4b6c966cbb5e";
/// New snapshot ids (uuid7, later than any sample).
const NEW: &str = "01a2230e-0000-7000-8000-000000000001";
const NEW2: &str = "01a2230e-0000-7000-8000-000000000002";

/// The events of a running `watch --json`, as parsed lines.
pub(crate) struct Events {
    rx: mpsc::Receiver<Value>,
}

impl Events {
    /// The next event matching `want` within `timeout`, collecting every event
    /// seen on the way into `seen`.
    pub(crate) fn until(
        &self,
        timeout: Duration,
        seen: &mut Vec<Value>,
        mut want: impl FnMut(&Value) -> bool,
    ) {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(v) => {
                    let hit = want(&v);
                    seen.push(v);
                    if hit {
                        return;
                    }
                }
                Err(_) => panic!("no matching event in {timeout:?}; seen: {seen:#?}"),
            }
        }
    }

    /// Every event within `d`.
    fn during(&self, d: Duration, seen: &mut Vec<Value>) {
        let deadline = Instant::now() + d;
        while let Ok(v) = self
            .rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            seen.push(v);
        }
    }
}

/// `watch --json --poll-interval 1` on the server's `ws` prefix, its
/// stdout parsed line by line on a thread.
fn watch_json(server: &S3Server) -> (run::Running, Events) {
    watch_json_with(with_server(run::snapscope(), server), &url("ws"))
}

/// `watch --json --poll-interval 1 TARGET` from `run`.
pub(crate) fn watch_json_with(run: run::Run, target: &str) -> (run::Running, Events) {
    let mut child = run
        .args(["--no-cache", "watch", "--json", "--poll-interval", "1"])
        .arg(target)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for l in BufReader::new(stdout).lines() {
            let Ok(l) = l else { return };
            if let Ok(v) = serde_json::from_str::<Value>(&l) {
                let _ = tx.send(v);
            }
        }
    });
    (child, Events { rx })
}

pub(crate) fn event(v: &Value, name: &str, id: &str) -> bool {
    v["event"] == name && v["snapshot_id"] == id
}

fn snapshots(server: &S3Server) -> std::path::PathBuf {
    server.folder(&format!("ws/{P}/snapshots"))
}

#[test]
fn watch_follows_new_rewritten_and_deleted_objects_and_rides_out_an_outage() {
    let mut server = S3Server::start();
    upload(Path::new("sample_snapshots"), &server.folder("ws"));
    let (mut child, ev) = watch_json(&server);
    let mut seen = Vec::new();
    let t = scaled(Duration::from_secs(20));
    // The summary line first: 40 snapshots (`ls sample_snapshots/*/snapshots | grep -c json`).
    ev.until(t, &mut seen, |v| v["snapshots"] == 40);

    // Idle polls are listings only: no object is fetched again.
    server.requests.reset();
    std::thread::sleep(scaled(Duration::from_millis(3500)));
    let (lists, gets) = (server.requests.lists(), server.requests.gets());
    eprintln!("idle: {lists} listing requests, {gets} GETs");
    assert!(lists > 0, "it polls: {:?}", server.requests.counts());
    assert_eq!(gets, 0, "{:?}", server.requests.counts());
    // 47 objects are one page of S3's 1,000 keys: less than a cheap poll of
    // 4 projects (5 requests), so every poll lists the bucket whole.
    assert_eq!(
        server.requests.count("GET", "list-after"),
        0,
        "{:?}",
        server.requests.counts()
    );

    let dir = snapshots(&server);
    std::fs::copy(
        dir.join(format!("{A}.json")),
        dir.join(format!("{NEW}.json")),
    )
    .unwrap();
    ev.until(t, &mut seen, |v| event(v, "added", NEW));

    // B rewritten with C's bytes: another ETag.
    std::fs::copy(dir.join(format!("{C}.json")), dir.join(format!("{B}.json"))).unwrap();
    ev.until(t, &mut seen, |v| event(v, "updated", B));

    std::fs::remove_file(dir.join(format!("{C}.json"))).unwrap();
    ev.until(t, &mut seen, |v| event(v, "removed", C));

    // The server goes away: the last good index stays.
    server.stop();
    let mut down = Vec::new();
    ev.until(t, &mut down, |v| {
        v["event"] == "watcher"
            && v["reason"]
                .as_str()
                .is_some_and(|r| r.contains("remote unreachable, retrying in 1s"))
    });
    ev.during(scaled(Duration::from_secs(4)), &mut down);
    assert!(
        !down
            .iter()
            .any(|v| v["event"] == "removed" || v["event"] == "project_removed"),
        "{down:#?}"
    );
    server.restart();
    std::fs::copy(
        dir.join(format!("{A}.json")),
        dir.join(format!("{NEW2}.json")),
    )
    .unwrap();
    let mut after = Vec::new();
    ev.until(t, &mut after, |v| event(v, "added", NEW2));
    assert!(
        !after
            .iter()
            .any(|v| v["event"] == "removed" || v["event"] == "project_removed"),
        "{after:#?}"
    );
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(server.requests.writes(), Vec::new(), "only GET and HEAD");
}

#[test]
fn the_explorer_says_the_remote_is_unreachable_and_recovers() {
    let mut server = S3Server::start();
    upload(Path::new("sample_snapshots"), &server.folder("ws"));
    let endpoint = server.endpoint();
    let env = [
        ("AWS_ACCESS_KEY_ID", ACCESS_KEY),
        ("AWS_SECRET_ACCESS_KEY", SECRET),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ENDPOINT_URL", endpoint.as_str()),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ];
    let u = url("ws");
    let cwd = tempfile::tempdir().unwrap();
    let mut p = Pty::spawn(
        &run::bin(),
        &["--no-cache", "--poll-interval", "1", &u],
        120,
        30,
        &env,
        cwd.path(),
    );
    let t = scaled(Duration::from_secs(20));
    p.wait_for_text("Diabetes progression regressor", t);
    // The first scan is over once the poll status shows.
    p.wait_for_text("polling every 1s", t);
    server.stop();
    p.wait_for_text("remote unreachable", t);
    p.wait_for_text("40 snapshots", t);
    server.restart();
    p.wait_for_absent("remote unreachable", t);
    // A new object once it is back: 41 runs.
    let dir = snapshots(&server);
    std::fs::copy(
        dir.join(format!("{A}.json")),
        dir.join(format!("{NEW}.json")),
    )
    .unwrap();
    p.wait_for_text("41 snapshots", t);
    p.send("q");
    p.wait_exit(t);
    assert_eq!(server.requests.writes(), Vec::new(), "only GET and HEAD");
}

/// GETs that keep failing (`503 SlowDown` on every attempt) during the
/// first scan: once one has failed after its retries the others are not
/// tried until a listing succeeds (without that, each of the 40 objects
/// waits out 6 attempts: 240 GETs); nothing is shown unread, and once the
/// server answers again every snapshot arrives.
#[test]
fn a_failing_get_does_not_make_the_scan_wait_out_every_object() {
    let server = S3Server::start();
    upload(Path::new("sample_snapshots"), &server.folder("ws"));
    server
        .faults
        .slow_down_gets
        .store(usize::MAX, std::sync::atomic::Ordering::SeqCst);
    let (mut child, ev) = watch_json(&server);
    let mut seen = Vec::new();
    let t = scaled(Duration::from_secs(30));
    ev.until(t, &mut seen, |v| v["event"] == "summary");
    let gets = server.requests.gets();
    assert!(gets < 40 * 6, "{gets} GETs");
    server
        .faults
        .slow_down_gets
        .store(0, std::sync::atomic::Ordering::SeqCst);
    let mut added = 0;
    ev.until(t, &mut seen, |v| {
        added += usize::from(v["event"] == "added");
        added == 40
    });
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(server.requests.writes(), Vec::new(), "only GET and HEAD");
}

/// A uuid7 snapshot id created at `ms` (milliseconds since the epoch).
fn uuid7(ms: u64, n: u64) -> String {
    let t = format!("{ms:012x}");
    format!("{}-{}-7000-8000-{n:012x}", &t[..8], &t[8..])
}

/// Idle polls of a workspace whose snapshots were created an hour apart
/// (as a daily or hourly job writes them) ask only for the keys after the
/// newest one: one delimited listing of the top and one listing per
/// project that starts after a key, each a single page, and no GET; every
/// `full-listing-every`-th poll lists the bucket whole. A new object shows
/// at the next poll; a rewrite or a delete of an old one at the next full
/// listing.
#[test]
fn idle_polls_ask_only_for_keys_after_the_newest_and_list_whole_every_nth() {
    let server = S3Server::start();
    let ws = server.folder("ws");
    let project = ws.join(P);
    let snaps = project.join("snapshots");
    std::fs::create_dir_all(&snaps).unwrap();
    let sample = Path::new("sample_snapshots").join(P);
    std::fs::copy(sample.join("metadata.json"), project.join("metadata.json")).unwrap();
    let bytes = std::fs::read(sample.join("snapshots").join(format!("{A}.json"))).unwrap();
    // 30 copies of snapshot A under uuid7 names an hour apart, oldest
    // 0x01a2230c0000 ms (2024); the file name is the snapshot's id.
    let hour = 3_600_000;
    let base = 0x01a2_230c_0000_u64;
    let ids: Vec<String> = (0..30).map(|i| uuid7(base + i * hour, i)).collect();
    for id in &ids {
        std::fs::write(snaps.join(format!("{id}.json")), &bytes).unwrap();
    }
    // Full listing: metadata.json + 30 snapshots = 31 keys = 5 pages of 7.
    let (_cfg_dir, cfg) = remote_config(
        &format!("s3://{BUCKET}/ws"),
        &format!("full-listing-every = 4\nlist-page-keys = {PAGE}"),
    );
    let (mut child, ev) = watch_json_with(
        with_server(run::snapscope(), &server).env("SNAPSCOPE_CONFIG", &cfg),
        &url("ws"),
    );
    let mut seen = Vec::new();
    let t = scaled(Duration::from_secs(20));
    ev.until(t, &mut seen, |v| v["snapshots"] == 30);

    server.requests.reset();
    std::thread::sleep(scaled(Duration::from_millis(8500)));
    let r = &server.requests;
    let (top, after) = (r.count("GET", "list-top"), r.count("GET", "list-after"));
    let (full, more) = (r.count("GET", "list"), r.count("GET", "list-page2+"));
    eprintln!("idle: {:?}", r.counts());
    assert!(top >= 4, "a cheap poll a second: {:?}", r.counts());
    assert_eq!(after, top, "one single-page listing for the one project");
    assert!(full >= 1, "a full listing every 4th poll: {:?}", r.counts());
    assert!(full * 2 <= top + 2, "mostly cheap polls: {:?}", r.counts());
    assert_eq!(more, full * 4, "a full listing is 5 pages");
    assert_eq!(r.gets(), 0, "{:?}", r.counts());

    // A new object: at the next poll, cheap or not.
    let new = uuid7(base + 30 * hour, 99);
    std::fs::write(snaps.join(format!("{new}.json")), &bytes).unwrap();
    ev.until(scaled(Duration::from_secs(3)), &mut seen, |v| {
        event(v, "added", &new)
    });
    // The oldest rewritten (another size, another ETag) and the second
    // deleted: both far older than the look-back, so seen by the next
    // full listing, within 4 polls.
    let mut longer = bytes.clone();
    longer.extend_from_slice(b"\n\n");
    std::fs::write(snaps.join(format!("{}.json", ids[0])), &longer).unwrap();
    std::fs::remove_file(snaps.join(format!("{}.json", ids[1]))).unwrap();
    let (mut updated, mut removed) = (false, false);
    ev.until(scaled(Duration::from_secs(6)), &mut seen, |v| {
        updated |= event(v, "updated", &ids[0]);
        removed |= event(v, "removed", &ids[1]);
        updated && removed
    });
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(server.requests.writes(), Vec::new(), "only GET and HEAD");
}

/// `serve s3://…`: `/metrics` from a bucket gives the figures the files
/// say (read independently from `sample_snapshots/`), in a format promtool
/// accepts, and follows a new object within a poll or two.
#[test]
fn serve_on_a_bucket_scrapes_the_files_figures_and_follows_it() {
    let server = S3Server::start();
    upload(Path::new("sample_snapshots"), &server.folder("ws"));
    let u = url("ws");
    let s = serve_with(
        with_server(run::snapscope(), &server),
        std::ffi::OsStr::new(&u),
        &["--no-cache", "--poll-interval", "1"],
    );
    let body = scrape(&s);
    promtool_accepts(&body, "serve s3://");
    let got = samples(&body);
    assert_figures_match(Path::new("sample_snapshots"), &got);
    let of_p = |got: &[crate::common::tools::Sample]| {
        value(got, "snapscope_project_snapshots", &[("project_id", P)])
    };
    let before = of_p(&got).expect("project P has a snapshot count");
    let dir = snapshots(&server);
    std::fs::copy(
        dir.join(format!("{A}.json")),
        dir.join(format!("{NEW}.json")),
    )
    .unwrap();
    let deadline = Instant::now() + scaled(Duration::from_secs(20));
    loop {
        let got = samples(&scrape(&s));
        if of_p(&got) == Some(before + 1.0) {
            assert_eq!(value(&got, "snapscope_index_snapshots", &[]), Some(41.0));
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no new snapshot: {:?}",
            of_p(&got)
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    drop(s);
    assert_eq!(server.requests.writes(), Vec::new(), "only GET and HEAD");
}

/// Every object under the prefix deleted while `watch` follows it: once a
/// listing has found objects, an empty one means they are gone, and every
/// project goes (at first an empty prefix is an error: a wrong prefix).
#[test]
fn a_bucket_emptied_while_followed_empties_the_view() {
    let server = S3Server::start();
    upload(Path::new("sample_snapshots"), &server.folder("ws"));
    let (mut child, ev) = watch_json(&server);
    let mut seen = Vec::new();
    let t = scaled(Duration::from_secs(20));
    ev.until(t, &mut seen, |v| v["snapshots"] == 40);
    let ws = server.folder("ws");
    for e in std::fs::read_dir(&ws).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            std::fs::remove_dir_all(p).unwrap();
        } else {
            std::fs::remove_file(p).unwrap();
        }
    }
    // The 4 project folders of sample_snapshots/.
    let mut gone = 0;
    ev.until(t, &mut seen, |v| {
        gone += usize::from(v["event"] == "project_removed");
        gone == 4
    });
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(server.requests.writes(), Vec::new(), "only GET and HEAD");
}
