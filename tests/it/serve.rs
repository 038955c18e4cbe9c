//! `snapscope serve PATH --listen ADDR` (issue 17): `GET /metrics` from the
//! live index.
//!
//! - Read-only HTTP on loopback: `/metrics` in the 0.0.4 text format (which
//!   `promtool check metrics` accepts and whose figures match the files),
//!   `/` a pointer, other paths 404, other methods 405 with `Allow`.
//! - A scrape parses nothing: `snapscope_index_parses_total` stays at the
//!   number of files over many scrapes, while `snapscope_scrapes_total`
//!   counts them.
//! - A real Prometheus (Debian's `prometheus`) on 127.0.0.1 scrapes it every
//!   second; its HTTP API gives the values the files say, and after a
//!   failing snapshot is copied into a passing project, the scraped
//!   `snapscope_project_failing`, failing since and test counts change to
//!   what that file says.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::copy_dir;
use crate::common::run::{self, Running};
use crate::common::tools::{samples, tool, value};
use crate::failing_now::projects;
use crate::metrics::{assert_figures_match, promtool_accepts};
use crate::oncall::root;

/// Tumor classifier's folder id (in `sample_snapshots` and `pass-ws`).
const TUMOR: &str = "01a2230c-81ae-78e6-8ae0-202ec1933101";
/// Tumor's suite of 2024-04-01 in `sample_snapshots`: 1 FAIL, 6 SUCCESS.
const TUMOR_FAIL: &str = "01a2230c-a504-7ad4-9122-aaa2787bd481";

/// A started `snapscope serve` and the address it said it serves.
pub(crate) struct Serve {
    child: Running,
    addr: String,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `snapscope serve WS --listen 127.0.0.1:0` (the kernel picks the port; the
/// first line says which), polling the folder.
fn serve(ws: &Path, extra: &[&str]) -> Serve {
    let extra: Vec<&str> = ["--watch", "poll", "--poll-interval", "0.3"]
        .into_iter()
        .chain(extra.iter().copied())
        .collect();
    serve_with(run::snapscope(), ws.as_os_str(), &extra)
}

/// `snapscope serve TARGET --listen 127.0.0.1:0 --tz utc EXTRA...` from `run`.
pub(crate) fn serve_with(run: run::Run, target: &std::ffi::OsStr, extra: &[&str]) -> Serve {
    let mut child = run
        .arg("serve")
        .arg(target)
        .args(["--listen", "127.0.0.1:0", "--tz", "utc"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    Serve { child, addr }
}

fn agent() -> ureq::Agent {
    ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(10)))
            .build(),
    )
}

/// GET `url`: (status, content type, body).
fn get(url: &str) -> (u16, String, String) {
    let mut r = agent().get(url).call().unwrap();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (
        r.status().as_u16(),
        ct,
        r.body_mut().read_to_string().unwrap(),
    )
}

/// `/metrics` once the first scan is done (503 before), within 60 s.
pub(crate) fn scrape(s: &Serve) -> String {
    let url = format!("http://{}/metrics", s.addr);
    let start = Instant::now();
    loop {
        let (code, _, body) = get(&url);
        if code == 200 {
            return body;
        }
        assert_eq!(code, 503, "{body}");
        assert!(start.elapsed() < Duration::from_secs(60), "never ready");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn serves_the_metrics_read_only_and_scrapes_parse_nothing() {
    let ws = root().join("sample_snapshots");
    let s = serve(&ws, &["--no-cache"]);
    let body = scrape(&s);
    promtool_accepts(&body, "serve sample_snapshots");
    let got = samples(&body);
    assert_figures_match(&ws, &got);
    let files = projects(&ws).values().map(Vec::len).sum::<usize>() as f64;
    assert_eq!(
        value(&got, "snapscope_index_parses_total", &[]),
        Some(files)
    );
    for i in 2..=6 {
        let got = samples(&scrape(&s));
        assert_eq!(
            value(&got, "snapscope_index_parses_total", &[]),
            Some(files)
        );
        assert_eq!(
            value(&got, "snapscope_scrapes_total", &[]),
            Some(f64::from(i))
        );
    }
    let base = format!("http://{}", s.addr);
    let (code, ct, _) = get(&format!("{base}/metrics"));
    assert_eq!(
        (code, ct.as_str()),
        (200, "text/plain; version=0.0.4; charset=utf-8")
    );
    let (code, _, body) = get(&format!("{base}/"));
    assert_eq!(code, 200);
    assert!(body.contains("/metrics"), "{body}");
    assert_eq!(get(&format!("{base}/nothing")).0, 404);
    let a = agent();
    let r = a.post(&format!("{base}/metrics")).send_empty().unwrap();
    assert_eq!(r.status().as_u16(), 405);
    let allow = r.headers().get("allow").and_then(|v| v.to_str().ok());
    assert_eq!(allow, Some("GET, HEAD"));
    let r = a.delete(&format!("{base}/metrics")).call().unwrap();
    assert_eq!(r.status().as_u16(), 405);
    let mut r = a.head(&format!("{base}/metrics")).call().unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.body_mut().read_to_string().unwrap(), "");
}

#[test]
fn listening_elsewhere_than_loopback_needs_saying_so() {
    let o = run::snapscope()
        .args(["serve", "sample_snapshots", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&o.stdout);
    assert!(help.contains("[default: 127.0.0.1:9775]"), "{help}");
    let o = run::snapscope()
        .args(["serve", "sample_snapshots", "--listen", "not an address"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("cannot listen on not an address"), "{err}");
}

/// A started Prometheus (ended on drop) and its base URL.
struct Prometheus {
    child: Child,
    url: String,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Prometheus on 127.0.0.1 scraping `target` every second, storage in a
/// temp folder; `None` when it is not installed (outside CI).
fn prometheus(target: &str) -> Option<Prometheus> {
    let bin = tool("prometheus", "prometheus", "serve_prometheus")?;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: snapscope\n    static_configs:\n      - targets: ['{target}']\n"
        ),
    )
    .unwrap();
    let port = free_port();
    let log = dir.path().join("prometheus.log");
    let child = Command::new(bin)
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.path().join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    Some(Prometheus {
        child,
        url: format!("http://127.0.0.1:{port}"),
        log,
        _dir: dir,
    })
}

impl Prometheus {
    /// The instant vector of `query` as (labels, value); empty when the
    /// server is not up yet.
    fn query(&self, query: &str) -> Vec<(Value, f64)> {
        let Ok(mut r) = agent()
            .get(&format!("{}/api/v1/query", self.url))
            .query("query", query)
            .call()
        else {
            return Vec::new();
        };
        let Ok(body) = r.body_mut().read_to_string() else {
            return Vec::new();
        };
        let Ok(v) = serde_json::from_str::<Value>(&body) else {
            return Vec::new();
        };
        v["data"]["result"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|s| {
                let value: f64 = s["value"][1].as_str().unwrap().parse().unwrap();
                (s["metric"].clone(), value)
            })
            .collect()
    }

    /// The one value of `query`, once `ok` holds for it, within 90 s.
    fn wait_for(&self, query: &str, ok: impl Fn(f64) -> bool) -> f64 {
        let start = Instant::now();
        loop {
            if let [(_, v)] = self.query(query).as_slice() {
                if ok(*v) {
                    return *v;
                }
            }
            assert!(
                start.elapsed() < Duration::from_secs(90),
                "{query}: not as expected after 90 s; now {:?}; log:\n{}",
                self.query(query),
                std::fs::read_to_string(&self.log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }
}

fn seconds(t: chrono::NaiveDateTime) -> f64 {
    t.and_utc().timestamp() as f64 + f64::from(t.and_utc().timestamp_subsec_nanos()) / 1e9
}

#[test]
fn a_real_prometheus_scrapes_the_files_values_and_sees_a_new_failure() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    copy_dir(&root().join("tests/fixtures/oncall/pass-ws"), &ws);
    let s = serve(&ws, &[]);
    let Some(prom) = prometheus(&s.addr) else {
        return;
    };
    let q = |m: &str| format!("{m}{{project_id=\"{TUMOR}\"}}");
    // Before: every project passes, as the files say.
    let before = projects(&ws);
    for (id, runs) in &before {
        let sel = format!("snapscope_project_failing{{project_id=\"{id}\"}}");
        assert_eq!(prom.wait_for(&sel, |_| true), 0.0, "{id}");
        let sel = format!("snapscope_project_snapshots{{project_id=\"{id}\"}}");
        assert_eq!(prom.wait_for(&sel, |_| true), runs.len() as f64, "{id}");
        let latest = runs.iter().rev().find(|r| !r.tests.is_empty()).unwrap();
        let ok = latest.tests.iter().filter(|(_, s)| s == "SUCCESS").count() as f64;
        let sel = format!("snapscope_project_tests{{project_id=\"{id}\",status=\"success\"}}");
        assert_eq!(prom.wait_for(&sel, |_| true), ok, "{id}");
    }
    assert!(prom
        .query(&q("snapscope_project_failing_since_timestamp_seconds"))
        .is_empty());
    // A failing run arrives in Tumor (newer than its passing runs).
    let file = format!("{TUMOR_FAIL}.json");
    std::fs::copy(
        root()
            .join("sample_snapshots")
            .join(TUMOR)
            .join("snapshots")
            .join(&file),
        ws.join(TUMOR).join("snapshots").join(&file),
    )
    .unwrap();
    let after = projects(&ws);
    let runs = &after[TUMOR];
    let latest = runs.iter().rev().find(|r| !r.tests.is_empty()).unwrap();
    assert_eq!(latest.id, TUMOR_FAIL);
    let fails = latest.tests.iter().filter(|(_, s)| s == "FAIL").count() as f64;
    assert!(fails > 0.0);
    assert_eq!(
        prom.wait_for(&q("snapscope_project_failing"), |v| v == 1.0),
        1.0
    );
    assert_eq!(
        prom.wait_for(&q("snapscope_project_snapshots"), |_| true),
        runs.len() as f64
    );
    let sel = format!("snapscope_project_tests{{project_id=\"{TUMOR}\",status=\"fail\"}}");
    assert_eq!(prom.wait_for(&sel, |_| true), fails);
    let since = prom.wait_for(
        &q("snapscope_project_failing_since_timestamp_seconds"),
        |_| true,
    );
    assert!((since - seconds(latest.time)).abs() < 1e-3, "{since}");
    // The other project did not change.
    let other = after.keys().find(|k| *k != TUMOR).unwrap();
    let sel = format!("snapscope_project_failing{{project_id=\"{other}\"}}");
    assert_eq!(prom.wait_for(&sel, |_| true), 0.0);
    let up = prom.query("up{job=\"snapscope\"}");
    assert_eq!(up.len(), 1);
    assert_eq!(up[0].1, 1.0);
}
