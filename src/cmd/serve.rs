//! `snapscope serve PATH --listen ADDR`: a read-only Prometheus endpoint
//! over the live index. The indexer thread sends [`IndexEvent`]s; an
//! applier thread applies them to its own [`Catalog`] (as `watch` and the
//! explorer do) and, once a batch is applied, renders the exposition and
//! keeps it behind a lock. A scrape only copies that text out: it never
//! scans, parses or computes figures, so it costs the same at 40 snapshots
//! as at 50,000. HTTP is `tiny_http`'s; only `GET`/`HEAD` of `/metrics` and
//! `/` are answered, other methods get 405.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::Utc;
use crossbeam_channel::{Receiver, RecvTimeoutError};
use prometheus::{Encoder, IntCounter, Opts, Registry, TextEncoder};
use tiny_http::{Header, Method, Request, Response, Server};

use crate::analysis::metrics::{figures, SeriesChoice};
use crate::cmd::args::{GlobalOpts, ServeArgs};
use crate::cmd::error::{HeadlessError, Result};
use crate::cmd::metrics::{render, ExporterFigures, CONTENT_TYPE};
use crate::index::{self, Catalog, IndexEvent, LiveIndex};
use crate::text::sanitize::clean;

/// Threads answering requests (a slow client holds up one of them only).
const HTTP_THREADS: usize = 2;

/// What the HTTP threads share with the applier.
#[derive(Default)]
struct Shared {
    /// The rendered exposition; `None` until the first scan has finished.
    text: RwLock<Option<Arc<str>>>,
    /// Scrapes of `/metrics` answered.
    scrapes: AtomicU64,
}

impl Shared {
    fn text(&self) -> Option<Arc<str>> {
        match self.text.read() {
            Ok(t) => t.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn set_text(&self, text: Arc<str>) {
        match self.text.write() {
            Ok(mut t) => *t = Some(text),
            Err(poisoned) => *poisoned.into_inner() = Some(text),
        }
    }
}

/// Run `snapscope serve` until `stop` is set (Ctrl-C, SIGTERM, SIGHUP).
pub fn serve(
    args: &ServeArgs,
    global: &GlobalOpts,
    out: &mut dyn Write,
    stop: &AtomicBool,
) -> Result<()> {
    let server = Server::http(args.listen.as_str()).map_err(|e| HeadlessError::Listen {
        addr: clean(&args.listen).into_owned(),
        reason: e.to_string(),
    })?;
    let server = Arc::new(server);
    let opts = args.follow.live_options(global);
    let (live, rx) =
        LiveIndex::start(&args.path, opts).map_err(crate::cmd::watch::WatchCmdError::from)?;
    let parses = live.parse_counter();
    let shared = Arc::new(Shared::default());
    let done = Arc::new(AtomicBool::new(false));
    let applier = {
        let (shared, done) = (shared.clone(), done.clone());
        let choice = args.export.choice();
        std::thread::Builder::new()
            .name("snapscope-serve-index".into())
            .spawn(move || apply_events(&rx, &choice, &shared, &done))
            .map_err(HeadlessError::Spawn)?
    };
    let mut workers: Vec<JoinHandle<()>> = Vec::with_capacity(HTTP_THREADS);
    for i in 0..HTTP_THREADS {
        let (server, shared, done) = (server.clone(), shared.clone(), done.clone());
        let parses = parses.clone();
        workers.push(
            std::thread::Builder::new()
                .name(format!("snapscope-http-{i}"))
                .spawn(move || {
                    while !done.load(Ordering::Relaxed) {
                        match server.recv_timeout(Duration::from_millis(100)) {
                            Ok(Some(rq)) => answer(rq, &shared, parses()),
                            Ok(None) => {}
                            Err(e) => tracing::warn!("serve: accepting a request: {e}"),
                        }
                    }
                })
                .map_err(HeadlessError::Spawn)?,
        );
    }
    let addr = server
        .server_addr()
        .to_ip()
        .map_or_else(|| clean(&args.listen).into_owned(), |a| a.to_string());
    let said = writeln!(
        out,
        "serving http://{addr}/metrics for {} (Ctrl-C stops)",
        crate::text::sanitize::clean_path(live.root())
    )
    .and_then(|()| out.flush());
    while !stop.load(Ordering::Relaxed) && said.is_ok() && !applier.is_finished() {
        std::thread::sleep(Duration::from_millis(100));
    }
    done.store(true, Ordering::Relaxed);
    server.unblock();
    for w in workers {
        let _ = w.join();
    }
    live.stop();
    let _ = applier.join();
    match said {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// The applier: events into a catalog, and a fresh exposition after each
/// batch that changed it (from the end of the first scan on).
fn apply_events(
    rx: &Receiver<IndexEvent>,
    choice: &SeriesChoice,
    shared: &Shared,
    done: &AtomicBool,
) {
    let mut catalog = Catalog::new();
    let mut pending: BTreeSet<PathBuf> = BTreeSet::new();
    let mut scan_seconds: Option<f64> = None;
    let mut changed = false;
    while !done.load(Ordering::Relaxed) {
        let first = match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(ev) => ev,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => return,
        };
        // Everything queued is one batch: render once for it.
        for ev in std::iter::once(first).chain(rx.try_iter()) {
            match &ev {
                IndexEvent::Pending { path, .. } => {
                    changed |= pending.insert(path.clone());
                }
                IndexEvent::ScanFinished { elapsed_ms } => {
                    scan_seconds = Some(*elapsed_ms as f64 / 1000.0);
                    changed = true;
                }
                IndexEvent::SnapshotAdded(e) | IndexEvent::SnapshotUpdated(e) => {
                    pending.remove(&*e.path);
                }
                IndexEvent::SnapshotsAdded(es) => {
                    for e in es.iter() {
                        pending.remove(&*e.path);
                    }
                }
                IndexEvent::SnapshotRemoved { path, .. } | IndexEvent::Cleared { path } => {
                    pending.remove(path);
                }
                IndexEvent::Unreadable(u) => {
                    pending.remove(&u.path);
                }
                IndexEvent::ProjectRemoved { project_id } => {
                    if let Some(p) = catalog.project(project_id) {
                        let folder = p.project.folder.clone();
                        pending.retain(|f| !f.starts_with(&folder));
                    }
                }
                _ => {}
            }
            changed |= index::apply_event(&mut catalog, &ev);
        }
        let Some(scan_seconds) = scan_seconds else {
            continue;
        };
        if !changed {
            continue;
        }
        changed = false;
        let now = Utc::now();
        let f = figures(&catalog, choice, now);
        let exporter = ExporterFigures {
            scan_seconds,
            updated: now,
            pending: Some(pending.len()),
            max_series: choice.max_series,
        };
        match render(&f, &exporter) {
            Ok(text) => shared.set_text(text.into()),
            Err(e) => tracing::error!("serve: rendering the metrics: {e}"),
        }
    }
}

fn header(name: &str, value: &str) -> Option<Header> {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
}

fn text_response(status: u16, body: String) -> Response<std::io::Cursor<Vec<u8>>> {
    let mut r = Response::from_string(body).with_status_code(status);
    if let Some(h) = header("Content-Type", "text/plain; charset=utf-8") {
        r.add_header(h);
    }
    r
}

/// Answer one request from the rendered text.
fn answer(rq: Request, shared: &Shared, parses: u64) {
    let path = rq.url().split('?').next().unwrap_or("").to_string();
    let response = match (rq.method(), path.as_str()) {
        (Method::Get | Method::Head, "/metrics") => match shared.text() {
            Some(text) => {
                let n = shared.scrapes.fetch_add(1, Ordering::Relaxed) + 1;
                let mut body = text.as_bytes().to_vec();
                match counters(parses, n) {
                    Ok(more) => body.extend_from_slice(&more),
                    Err(e) => tracing::error!("serve: rendering the counters: {e}"),
                }
                let mut r = Response::from_data(body);
                if let Some(h) = header("Content-Type", CONTENT_TYPE) {
                    r.add_header(h);
                }
                r
            }
            None => {
                let mut r =
                    text_response(503, "snapscope: the first scan is not done yet\n".into());
                if let Some(h) = header("Retry-After", "1") {
                    r.add_header(h);
                }
                r
            }
        },
        (Method::Get | Method::Head, "/") => text_response(
            200,
            "snapscope exporter: the metrics are at /metrics\n".into(),
        ),
        (Method::Get | Method::Head, _) => text_response(404, "not found; try /metrics\n".into()),
        _ => {
            let mut r = text_response(405, "read-only: only GET and HEAD\n".into());
            if let Some(h) = header("Allow", "GET, HEAD") {
                r.add_header(h);
            }
            r
        }
    };
    if let Err(e) = rq.respond(response) {
        tracing::debug!("serve: answering a request: {e}");
    }
}

/// The two counters only a scrape knows: parses so far and scrapes answered.
fn counters(parses: u64, scrapes: u64) -> prometheus::Result<Vec<u8>> {
    let registry = Registry::new();
    let counter = |name: &str, help: &str, v: u64| -> prometheus::Result<()> {
        let c = IntCounter::with_opts(Opts::new(name, help))?;
        c.inc_by(v);
        registry.register(Box::new(c))
    };
    counter(
        "snapscope_index_parses_total",
        "Snapshot files read and parsed since start (a scrape parses none).",
        parses,
    )?;
    counter(
        "snapscope_scrapes_total",
        "Scrapes of /metrics answered since start.",
        scrapes,
    )?;
    let mut buf = Vec::new();
    TextEncoder::new().encode(&registry.gather(), &mut buf)?;
    Ok(buf)
}
