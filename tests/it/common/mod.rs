//! Shared test helpers: the runner that starts the binary ([`run`], and
//! [`pty`] for a pseudo-terminal, [`deadline`] under a time and memory
//! limit), copying a fixture folder, and for the TUI tests the fixture
//! workspace, a fixed clock, and an `App` filled from a one-shot scan.

pub mod azurite;
pub mod deadline;
pub mod pty;
pub mod run;
pub mod s3;
pub mod tools;

use std::path::PathBuf;

use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers};
use snapscope::index::send_one_shot;
use snapscope::index::IndexEvent;
use snapscope::parse::{ParseOptions, TimeZoneChoice};
use snapscope::tui::app::{App, Effect};
use snapscope::tui::msg::Msg;
use snapscope::tui::theme::ThemeKind;
use snapscope::tui::{load_raw, make_app, TuiOptions};

/// The fixture workspace, relative to the package root (tests run there),
/// so rendered paths do not depend on where the repository is checked out.
pub fn fixture_root() -> PathBuf {
    PathBuf::from("tests/fixtures/tui-ws")
}

/// Legacy project folder id ("Diabetes progression regressor").
pub const LEGACY: &str = "01a2230c-a779-7dfb-9102-2aa2f6dbe42d";
/// v2 project folder id ("Wine cultivar classifier (multiclass)").
pub const WINE: &str = "01a2230e-0168-7ab7-adff-7641d9b536e9";

/// The fixed "now" for rendering ages: 2024-04-02 14:00 UTC.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 4, 2, 14, 0, 0).unwrap()
}

/// Every event a one-shot scan of the fixture produces (timestamps read as UTC).
pub fn fixture_events() -> Vec<IndexEvent> {
    let (tx, rx) = crossbeam_channel::unbounded();
    send_one_shot(
        &fixture_root(),
        &ParseOptions {
            tz: TimeZoneChoice::Utc,
        },
        &tx,
    );
    drop(tx);
    rx.into_iter().collect()
}

/// Options used by the tests: UTC, default colours, unicode symbols.
pub fn options(theme: ThemeKind, ascii: bool) -> TuiOptions {
    let mut o = TuiOptions::new(fixture_root());
    o.tz = TimeZoneChoice::Utc;
    o.theme = theme;
    o.ascii = ascii;
    o
}

/// An app of the given size with the whole fixture indexed.
pub fn app_with(size: (u16, u16), theme: ThemeKind, ascii: bool) -> App {
    let mut app = make_app(&options(theme, ascii), size);
    app.apply_events(fixture_events(), now());
    app
}

/// An app (default theme) with the whole fixture indexed.
pub fn app(size: (u16, u16)) -> App {
    app_with(size, ThemeKind::Default, false)
}

/// The fixture's events with every test turned SUCCESS (nothing fails).
pub fn all_passing_events() -> Vec<IndexEvent> {
    fixture_events()
        .into_iter()
        .map(|e| match e {
            IndexEvent::SnapshotAdded(mut s) => {
                let mut snap = (*s.snapshot).clone();
                for t in &mut snap.tests {
                    t.status = snapscope::model::TestStatus::Success;
                }
                s.snapshot = std::sync::Arc::new(snap);
                IndexEvent::SnapshotAdded(s)
            }
            other => other,
        })
        .collect()
}

/// An app over the fixture where every test passes.
pub fn all_passing_app(size: (u16, u16)) -> App {
    let mut app = make_app(&options(ThemeKind::Default, false), size);
    app.apply_events(all_passing_events(), now());
    app
}

/// Copy a folder tree (files are copied; symlinked files are copied as content).
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dst = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dst);
        } else {
            std::fs::copy(e.path(), dst).unwrap();
        }
    }
}

/// A key press as the explorer receives it; returns the effects it asked for.
pub fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    app.update(
        Msg::Key(KeyEvent {
            code,
            modifiers: KeyModifiers::NONE,
            kind: KeyEventKind::Press,
            state: KeyEventState::NONE,
        }),
        now(),
    )
}

/// [`key`] for each character of `s`.
pub fn keys(app: &mut App, s: &str) -> Vec<Effect> {
    let mut fx = Vec::new();
    for c in s.chars() {
        fx.extend(key(app, KeyCode::Char(c)));
    }
    fx
}

/// [`key`], then the raw loads it asked for, performed synchronously as
/// the loader thread would.
pub fn press(app: &mut App, code: KeyCode) {
    for e in key(app, code) {
        if let Effect::LoadRaw { request, path } = e {
            app.update(
                Msg::RawLoaded {
                    request,
                    result: load_raw(&path),
                },
                now(),
            );
        }
    }
}

/// `../shared/evidently-workspaces/<sub>` (`""` for the folder itself) when
/// it is there; otherwise says that the test skipped and gives `None`. CI
/// has it; a user's clone may not.
pub fn shared(sub: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/evidently-workspaces")
        .join(sub);
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!(
            "SKIPPED: {} is absent (CI has it; a clone may not)",
            p.display()
        );
        None
    }
}
