//! The interactive explorer (`snapscope [PATH]`).
//!
//! Threads: an input thread (terminal events), a signal thread, short-lived
//! raw-JSON loaders, and whoever feeds the [`IndexEvent`] channel (the live
//! index, or [`crate::index::start_one_shot`] for a one-shot scan). The UI
//! thread owns all state, blocks on its channels, applies everything queued,
//! and draws once, only when something visible changed. It never touches
//! the filesystem.
//!
//! Files, bottom up (no file depends on one above it): [`msg`] (everything
//! entering the UI thread), [`keymap`], [`theme`], [`raw`], [`fmt`];
//! [`state`] (one file per screen: its state, its key handling and its
//! refresh from the catalog, as methods that hand the router an `Outcome`
//! when the change crosses screens; the full-screen views through one
//! `View` trait); [`app`] (every screen's state in one [`app::App`], what
//! is derived from it, the invariants); [`update`] (the one router: routes
//! each message to a screen's state and applies the outcomes; effects out
//! as data, the clock passed in); [`ui`] (pure render of the state, one
//! file per screen, shared pieces — the scrolling list, the empty-list hint
//! — in `ui::widgets`); this file (the run loop performing the effects).
//!
//! A new full-screen view: its state and `impl View` in `state/<screen>.rs`,
//! its render in `ui/<screen>.rs`, its context, bindings and hints in
//! `config::keys` and [`keymap`]; then one line each where the router
//! names the views: a [`app::Screen`] variant, an `App` field, `App::view`,
//! `App::with_views`, `App::view_rows`, `ui::render`, and how it opens in
//! `update/route.rs` (`open_view`).

pub mod app;
pub mod clipboard;
pub mod fmt;
pub mod keymap;
pub mod msg;
pub mod raw;
pub mod state;
pub mod term;
pub mod theme;
pub mod ui;
pub mod update;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::Utc;
use crossbeam_channel::{select, Receiver, Sender, TryRecvError};

use crate::index::IndexEvent;
use crate::parse::TimeZoneChoice;
use app::{App, AppConfig, Effect};
use keymap::KeyMap;
use msg::Msg;
use theme::{Theme, ThemeKind};

/// How the explorer is started.
pub struct TuiOptions {
    /// The folder being explored (shown in the status bar).
    pub root: PathBuf,
    /// Zone used to display timestamps.
    pub tz: TimeZoneChoice,
    /// Colours (use [`ThemeKind::from_env`] to honour `NO_COLOR`).
    pub theme: ThemeKind,
    /// ASCII symbols instead of ✓ ✗ ▁▂▃ (for fonts or terminals without them).
    pub ascii: bool,
    /// Capture the mouse (scroll, click). `false` leaves selection to the terminal.
    pub mouse: bool,
    /// Chart points as dots instead of braille (`--dot-marker`, for fonts without braille).
    pub dot_marker: bool,
    /// Watch mode shown until the index reports its own (e.g. "notify", "poll").
    pub watch_mode: String,
    /// Called when the user presses `r`; `None` shows "rescan not available".
    pub rescan: Option<Box<dyn Fn() + Send>>,
    /// Key bindings (defaults plus the configuration's overrides).
    pub keymap: KeyMap,
    /// Warnings to show at startup (configuration problems), until a key is pressed.
    pub notices: Vec<String>,
}

impl std::fmt::Debug for TuiOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TuiOptions")
            .field("root", &self.root)
            .field("tz", &self.tz)
            .field("theme", &self.theme)
            .field("ascii", &self.ascii)
            .field("mouse", &self.mouse)
            .field("dot_marker", &self.dot_marker)
            .field("watch_mode", &self.watch_mode)
            .field("rescan", &self.rescan.is_some())
            .field("notices", &self.notices)
            .finish()
    }
}

impl TuiOptions {
    /// Defaults for a folder: local zone, theme from `NO_COLOR`, mouse on.
    pub fn new(root: PathBuf) -> TuiOptions {
        TuiOptions {
            root,
            tz: TimeZoneChoice::Local,
            theme: ThemeKind::from_env(),
            ascii: false,
            mouse: true,
            dot_marker: false,
            watch_mode: "auto".into(),
            rescan: None,
            keymap: KeyMap::default(),
            notices: Vec::new(),
        }
    }
}

/// Why the explorer ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitReason {
    /// The user quit.
    Quit,
    /// A signal (SIGTERM, SIGHUP, ...) ended it; exit with 128 + the number.
    Signal(i32),
}

/// Why the explorer could not run.
#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    /// Setting up or drawing on the terminal failed.
    #[error("terminal error: {0}")]
    Io(#[from] std::io::Error),
}

/// Idle wake-up period (relative ages are refreshed at most once a minute).
const TICK: Duration = Duration::from_secs(1);
/// Minimum time between two frames while events pour in (bursts are merged).
const FRAME_GAP: Duration = Duration::from_millis(30);
/// Most index events applied between two frames.
const MAX_BATCH: usize = 4096;

/// Build the app state for these options and terminal size.
pub fn make_app(opts: &TuiOptions, size: (u16, u16)) -> App {
    let cfg = AppConfig {
        root: opts.root.clone(),
        root_label: crate::text::sanitize::clean_path(&opts.root),
        watch_mode: opts.watch_mode.clone(),
        tz: opts.tz,
        theme: Theme::new(opts.theme, opts.ascii),
        keymap: opts.keymap.clone(),
        dot_marker: opts.dot_marker,
    };
    let mut app = App::new(cfg, size);
    app.notice = notice_text(&opts.notices);
    app
}

/// One status line for the startup warnings: the first, and how many more.
pub fn notice_text(notices: &[String]) -> Option<String> {
    let first = notices.first()?;
    Some(match notices.len() {
        1 => format!("{first} (any key hides this)"),
        n => format!("{first} (+{} more; any key hides this)", n - 1),
    })
}

/// Run the explorer until the user quits or a signal arrives. The terminal is
/// restored before this returns, on every path.
pub fn run(opts: TuiOptions, events: Receiver<IndexEvent>) -> Result<ExitReason, TuiError> {
    let (tx, rx) = crossbeam_channel::unbounded::<Msg>();
    term::install_panic_hook();
    let (guard, mut terminal) = term::enter(opts.mouse)?;
    let signals = term::spawn_signal_thread(tx.clone())?;
    msg::spawn_input_thread(tx.clone())?;
    let size = terminal.size()?;
    let mut app = make_app(&opts, (size.width, size.height));
    tracing::info!(root = %opts.root.display(), "explorer started");
    for n in &opts.notices {
        tracing::warn!("{n}");
    }

    let result = main_loop(&opts, &mut app, &mut terminal, &rx, &tx, events);
    signals.close();
    drop(terminal);
    drop(guard);
    tracing::info!(?result, "explorer stopped");
    result
}

fn main_loop(
    opts: &TuiOptions,
    app: &mut App,
    terminal: &mut term::Term,
    rx: &Receiver<Msg>,
    tx: &Sender<Msg>,
    events: Receiver<IndexEvent>,
) -> Result<ExitReason, TuiError> {
    let never = crossbeam_channel::never::<IndexEvent>();
    let mut index: Option<Receiver<IndexEvent>> = Some(events);
    let mut last_frame = Instant::now();
    let now = Utc::now();
    term::draw_synced(terminal, |f| ui::draw(f, app, now))?;
    app.mark_drawn(now);
    loop {
        // Wait for something; while a frame is due soon, wait only until then.
        let timeout = if app.dirty {
            FRAME_GAP.saturating_sub(last_frame.elapsed())
        } else {
            TICK
        };
        let irx = index.as_ref().unwrap_or(&never);
        let mut msgs: Vec<Msg> = Vec::new();
        let mut batch: Vec<IndexEvent> = Vec::new();
        select! {
            recv(rx) -> m => if let Ok(m) = m { msgs.push(m) },
            recv(irx) -> ev => match ev {
                Ok(e) => batch.push(e),
                Err(_) => { index = None; msgs.push(Msg::IndexClosed) }
            },
            default(timeout) => if !app.dirty { msgs.push(Msg::Tick) },
        }
        while let Ok(m) = rx.try_recv() {
            msgs.push(m);
        }
        drain_index(&mut index, &mut batch, &mut msgs);
        let now = Utc::now();
        let scanning = !app.scan.finished;
        // Events that arrived while a batch was applied go in before the
        // frame (the end of a burst, e.g. the scan finishing right after the
        // cached entries): one round more at most.
        for round in 0..2 {
            if round == 1 {
                drain_index(&mut index, &mut batch, &mut msgs);
            }
            if batch.is_empty() {
                break;
            }
            let batch = std::mem::take(&mut batch);
            if let Some(q) = &mut app.frozen {
                q.extend(batch);
                app.dirty = true;
            } else {
                let fx = app.apply_events(batch, now);
                app.dirty = true;
                if let Some(r) = perform(opts, app, fx, tx, None) {
                    return Ok(r);
                }
            }
        }
        for m in msgs {
            let signal = match m {
                Msg::Signal(s) => Some(s),
                _ => None,
            };
            let fx = app.update(m, now);
            if let Some(r) = perform(opts, app, fx, tx, signal) {
                return Ok(r);
            }
        }
        // The screen the scan ends on is not held back by the frame gap.
        let scan_ended = scanning && app.scan.finished;
        if app.dirty && (scan_ended || last_frame.elapsed() >= FRAME_GAP) {
            term::draw_synced(terminal, |f| ui::draw(f, app, now))?;
            app.mark_drawn(now);
            last_frame = Instant::now();
            if scan_ended {
                tracing::debug!("first scan: its screen drawn");
            }
        }
    }
}

/// Move queued index events into `batch` (up to [`MAX_BATCH`] in all); a
/// closed channel becomes [`Msg::IndexClosed`].
fn drain_index(
    index: &mut Option<Receiver<IndexEvent>>,
    batch: &mut Vec<IndexEvent>,
    msgs: &mut Vec<Msg>,
) {
    let Some(irx) = index else { return };
    while batch.len() < MAX_BATCH {
        match irx.try_recv() {
            Ok(e) => batch.push(e),
            Err(TryRecvError::Empty) => break,
            Err(TryRecvError::Disconnected) => {
                *index = None;
                msgs.push(Msg::IndexClosed);
                break;
            }
        }
    }
}

/// Carry out effects; returns the exit reason when one of them is Quit.
fn perform(
    opts: &TuiOptions,
    app: &mut App,
    fx: Vec<Effect>,
    tx: &Sender<Msg>,
    signal: Option<i32>,
) -> Option<ExitReason> {
    for e in fx {
        match e {
            Effect::Quit => {
                return Some(match signal {
                    Some(s) => ExitReason::Signal(s),
                    None => ExitReason::Quit,
                })
            }
            Effect::Rescan => match &opts.rescan {
                Some(f) => f(),
                None => app.say("rescan is not available here", Utc::now()),
            },
            Effect::LoadRaw { request, path } => spawn_raw_loader(request, path, tx.clone()),
            Effect::Copy(text) => clipboard::copy(&text),
        }
    }
    None
}

/// Largest file the Raw tab will load.
const RAW_MAX_BYTES: u64 = 512 * 1024 * 1024;

fn spawn_raw_loader(request: u64, path: PathBuf, tx: Sender<Msg>) {
    let spawned = std::thread::Builder::new()
        .name("snapscope-raw".into())
        .spawn(move || {
            let result = load_raw(&path);
            let _ = tx.send(Msg::RawLoaded { request, result });
        });
    if let Err(e) = spawned {
        tracing::error!("cannot start raw loader: {e}");
    }
}

/// Read and pretty-print a file for the Raw tab (a regular file only: a
/// FIFO or device put in its place is refused, not waited on).
pub fn load_raw(path: &std::path::Path) -> Result<raw::RawDoc, String> {
    let len = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
    if len > RAW_MAX_BYTES {
        return Err(format!("file too large to show ({})", fmt::bytes(len)));
    }
    let bytes = crate::index::read_regular(path, crate::index::Links::Follow, RAW_MAX_BYTES)
        .map_err(|e| e.to_string())?;
    Ok(raw::pretty(&bytes))
}
