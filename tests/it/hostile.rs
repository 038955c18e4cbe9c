//! Terminal safety on hostile input: `tests/fixtures/hostile/` (built by
//! `tests/fixtures/make_hostile.py` from sample_snapshots/) carries OSC 52,
//! OSC 8, CSI 2J, OSC 0 title, C1 CSI (U+009B) and bidi controls in column
//! names, tags, metadata, test names and descriptions, project names and
//! dashboard titles; a flat folder made at run time adds file names with an
//! escape and a non-UTF-8 byte. Every TUI view (TestBackend cells) and every
//! headless command's text output must contain no ESC, no C0 other than
//! newline, no C1 and no bidi control; JSON output no raw ESC byte.

use crate::common;
use common::{copy_dir, run};

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;
use ratatui::Terminal;
use snapscope::index::IndexEvent;
use snapscope::index::Unreadable;
use snapscope::index::{self, IndexOptions};
use snapscope::parse::{ParseOptions, TimeZoneChoice};
use snapscope::tui::app::App;
use snapscope::tui::theme::ThemeKind;
use snapscope::tui::{make_app, ui, TuiOptions};

const LEGACY: &str = "0badc0de-0000-4000-8000-00000000000a";
const V2: &str = "0badc0de-0000-4000-8000-00000000000b";
const LEGACY_FIRST: &str = "01a2230c-a504-7ad4-9122-aaa2787bd481";
const LEGACY_SNAP: &str = "01a2230c-a504-7ad4-9122-aaa2787bd482";
const V2_SNAP: &str = "01a2230d-d61a-7165-b788-ed9c16680032";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn hostile() -> PathBuf {
    root().join("tests/fixtures/hostile")
}

/// The first forbidden character in `s`, if any, with its position.
fn forbidden(s: &str) -> Option<(usize, char)> {
    s.char_indices().find(|(_, c)| {
        let u = *c as u32;
        (u < 0x20 && *c != '\n')
            || u == 0x7f
            || (0x80..=0x9f).contains(&u)
            || (0x202a..=0x202e).contains(&u)
            || (0x2066..=0x2069).contains(&u)
            || u == 0x200e
            || u == 0x200f
    })
}

/// Terminal-safe text: UTF-8, and nothing [`forbidden`].
fn assert_safe_text(bytes: &[u8], what: &str) {
    assert!(!bytes.contains(&0x1b), "{what}: raw ESC in output");
    let s = std::str::from_utf8(bytes).unwrap_or_else(|e| panic!("{what}: not UTF-8: {e}"));
    if let Some((i, c)) = forbidden(s) {
        let from = s[..i].char_indices().rev().nth(40).map_or(0, |(j, _)| j);
        panic!(
            "{what}: U+{:04X} at byte {i} after {:?}",
            c as u32,
            &s[from..i]
        );
    }
}

fn snapscope(args: &[&OsStr]) -> Output {
    run::snapscope()
        .args(args)
        .env("SNAPSCOPE_CONFIG", root().join("assets/config.toml"))
        .output()
        .unwrap()
}

fn os(s: &str) -> &OsStr {
    OsStr::new(s)
}

/// Run a command that must succeed, check its output, return it.
fn checked(args: &[&OsStr]) -> String {
    checked_exit(args, 0)
}

/// Run a command that must exit with `code`, check its output, return it.
fn checked_exit(args: &[&OsStr], code: i32) -> String {
    let o = snapscope(args);
    let what = format!("{args:?}");
    assert_eq!(
        o.status.code(),
        Some(code),
        "{what}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_safe_text(&o.stderr, &format!("{what} stderr"));
    if args.iter().any(|a| *a == "--json") {
        assert!(!o.stdout.contains(&0x1b), "{what}: raw ESC in JSON");
        assert!(!o.stdout.contains(&0x07), "{what}: raw BEL in JSON");
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        return v.to_string();
    }
    assert_safe_text(&o.stdout, &what);
    String::from_utf8(o.stdout).unwrap()
}

fn series_keys(project: &str) -> Vec<String> {
    let ws = hostile();
    let v: serde_json::Value = serde_json::from_str(&checked(&[
        os("series"),
        ws.as_os_str(),
        os("--project"),
        os(project),
        os("--json"),
    ]))
    .unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn fixture_really_is_hostile() {
    // Read with Python-independent means: the raw JSON parsed by serde_json.
    let path = hostile().join(format!("{V2}/snapshots/{V2_SNAP}.json"));
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let tags: Vec<&str> = v["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    for seq in [
        "\x1b]52;c;",
        "\x1b]8;;",
        "\x1b[2J",
        "\x1b]0;pwned\x07",
        "\u{9b}",
        "\u{202e}",
    ] {
        assert!(tags[0].contains(seq), "{seq:?} missing");
    }
    let keys = series_keys(V2);
    assert!(
        keys.iter().any(|k| k.contains("column=bmi\x1b]52;")),
        "a column name carries the sequences: {keys:?}"
    );
}

#[test]
fn headless_text_and_json_are_terminal_safe() {
    let ws = hostile();
    let w = ws.as_os_str();
    let mut all = String::new();
    let mut cmds: Vec<Vec<&OsStr>> = vec![
        vec![w],
        vec![os("projects"), w],
        vec![os("projects"), w, os("--json")],
        vec![os("snapshots"), w],
        vec![os("snapshots"), w, os("--json")],
        vec![os("scan"), w],
        vec![os("scan"), w, os("--json")],
    ];
    for id in [LEGACY_SNAP, V2_SNAP] {
        cmds.push(vec![os("show"), w, os(id)]);
        cmds.push(vec![os("show"), w, os(id), os("--json")]);
    }
    for p in [LEGACY, V2] {
        cmds.push(vec![os("series"), w, os("--project"), os(p)]);
        cmds.push(vec![os("snapshots"), w, os("--project"), os(p)]);
        cmds.push(vec![os("tests"), w, os("--project"), os(p)]);
        cmds.push(vec![os("tests"), w, os("--project"), os(p), os("--json")]);
        cmds.push(vec![os("compare"), w, os("--project"), os(p)]);
        cmds.push(vec![os("compare"), w, os("--project"), os(p), os("--json")]);
    }
    for a in &cmds {
        all.push_str(&checked(a));
    }
    // `check` exits 1: both projects fail in their latest run.
    all.push_str(&checked_exit(&[os("check"), w], 1));
    checked_exit(&[os("check"), w, os("--json")], 1);
    // Trends of hostile series keys, given as they are (escape bytes in argv).
    for p in [LEGACY, V2] {
        for key in series_keys(p).iter().filter(|k| k.contains('\x1b')) {
            let k = OsStr::new(key.as_str());
            all.push_str(&checked(&[os("trend"), w, k, os("--project"), os(p)]));
            checked(&[os("trend"), w, k, os("--project"), os(p), os("--json")]);
        }
    }
    // The text was shown escaped, not dropped.
    for shown in [
        "\\x1b]52;c;cHduZWQ=\\x07",
        "\\x1b]0;pwned\\x07",
        "\\x1b[2J",
        "\\x9b31m",
        "\\u{202e}",
        "Tumor \\u{202e}classifier",
        "bmi\\x1b]52",
    ] {
        assert!(all.contains(shown), "{shown} not shown");
    }
}

/// A new flat folder under `dir` with the first hostile legacy snapshot (it
/// has no `name`, so lists show the id: the file name) under each name.
fn flat_folder(dir: &Path, names: &[&[u8]]) -> PathBuf {
    let flat = dir.join("flat");
    std::fs::create_dir_all(&flat).unwrap();
    let src = hostile().join(format!("{LEGACY}/snapshots/{LEGACY_FIRST}.json"));
    let bytes = std::fs::read(src).unwrap();
    for n in names {
        std::fs::write(flat.join(OsStr::from_bytes(n)), &bytes).unwrap();
    }
    flat
}

const EVIL_NAME: &[u8] = b"snap-\x1b]0;pwned\x07\x1b[2J.json";
const NON_UTF8_NAME: &[u8] = b"snap-\xff.json";

#[test]
fn hostile_and_non_utf8_file_names_are_shown_escaped_and_still_open() {
    let dir = tempfile::tempdir().unwrap();
    let flat = flat_folder(dir.path(), &[EVIL_NAME, NON_UTF8_NAME, b"plain.json"]);
    let f = flat.as_os_str();
    let list = checked(&[os("snapshots"), f]);
    assert!(list.contains("snap-\\x1b]0;pwned\\x07\\x1b[2J"), "{list}");
    assert!(list.contains("snap-\u{fffd}"), "lossy name listed: {list}");
    let scan = checked(&[os("scan"), f]);
    assert!(scan.contains("3 snapshots, 0 unreadable"), "{scan}");
    // The lossy id opens the real file.
    let shown = checked(&[os("show"), f, os("snap-\u{fffd}")]);
    assert!(shown.contains("snapshot   snap-\u{fffd}"), "{shown}");
    assert!(shown.contains("TESTS (7)"), "{shown}");
    let v: serde_json::Value = serde_json::from_str(&checked(&[
        os("show"),
        f,
        os("snap-\u{fffd}"),
        os("--json"),
    ]))
    .unwrap();
    assert_eq!(v["tests"].as_array().unwrap().len(), 7);
    // So does the id with the escape sequence, given raw.
    let evil_id = OsStr::from_bytes(&EVIL_NAME[..EVIL_NAME.len() - 5]);
    let shown = checked(&[os("show"), f, evil_id]);
    assert!(shown.contains("TESTS (7)"), "{shown}");
}

#[test]
fn watch_text_is_terminal_safe() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    copy_dir(&hostile(), &ws);
    let mut child = run::snapscope()
        .args(["watch", "--watch", "poll", "--poll-interval", "0.2"])
        .arg(&ws)
        .env("SNAPSCOPE_CONFIG", root().join("assets/config.toml"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = crossbeam_channel::unbounded::<Vec<u8>>();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    std::thread::spawn(move || loop {
        let mut line = Vec::new();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                if tx.send(line).is_err() {
                    break;
                }
            }
        }
    });
    let mut out: Vec<u8> = Vec::new();
    let wait_for = |out: &mut Vec<u8>, needle: &str| {
        let deadline = Instant::now() + common::pty::scaled(Duration::from_secs(20));
        while !String::from_utf8_lossy(out).contains(needle) {
            match rx.recv_deadline(deadline) {
                Ok(l) => out.extend(l),
                Err(_) => panic!("{needle:?} not printed: {}", String::from_utf8_lossy(out)),
            }
        }
    };
    wait_for(&mut out, "watch mode");
    // A new hostile run, and a project renamed to something hostile.
    let new_id = "01a2230d-d61a-7165-b788-ed9c16680039";
    std::fs::copy(
        ws.join(format!("{V2}/snapshots/{V2_SNAP}.json")),
        ws.join(format!("{V2}/snapshots/{new_id}.json")),
    )
    .unwrap();
    wait_for(&mut out, new_id);
    let meta = ws.join(format!("{LEGACY}/metadata.json"));
    let mut m: serde_json::Value = serde_json::from_slice(&std::fs::read(&meta).unwrap()).unwrap();
    m["name"] = "renamed\u{1b}]0;again\u{7}\u{202e}".into();
    std::fs::write(&meta, serde_json::to_vec(&m).unwrap()).unwrap();
    wait_for(&mut out, "renamed\\x1b]0;again");
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
    while let Ok(l) = rx.recv_timeout(Duration::from_secs(2)) {
        out.extend(l);
    }
    assert_safe_text(&out, "watch text");
}

// ---------------------------------------------------------------- TUI

/// What a one-shot index of `root` sends, with these options.
fn events_of(root: &Path, opts: &IndexOptions) -> Vec<IndexEvent> {
    let (catalog, _) = index::index_path(root, opts).unwrap();
    let mut evs = vec![IndexEvent::WatcherStatus {
        mode: "off".into(),
        message: None,
    }];
    for p in catalog.projects() {
        evs.push(IndexEvent::ProjectAdded(p.project.clone()));
    }
    for u in catalog.unreadable() {
        evs.push(IndexEvent::Unreadable(Unreadable::clone(u)));
    }
    for p in catalog.projects() {
        for s in &p.snapshots {
            evs.push(IndexEvent::SnapshotAdded(s.clone()));
        }
    }
    evs.push(IndexEvent::ScanFinished { elapsed_ms: 1 });
    evs
}

fn utc() -> IndexOptions {
    IndexOptions {
        parse: ParseOptions {
            tz: TimeZoneChoice::Utc,
        },
        ..IndexOptions::default()
    }
}

fn app_on(root: &Path, opts: &IndexOptions, theme: ThemeKind, size: (u16, u16)) -> App {
    let mut o = TuiOptions::new(root.to_path_buf());
    o.tz = TimeZoneChoice::Utc;
    o.theme = theme;
    let mut app = make_app(&o, size);
    app.apply_events(events_of(root, opts), common::now());
    app
}

/// Draw and check every cell; returns the screen text.
fn render_checked(app: &App, what: &str) -> String {
    let (w, h) = app.size;
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| ui::draw(f, app, common::now())).unwrap();
    let buf = t.backend().buffer();
    for y in 0..h {
        for x in 0..w {
            let sym = buf[(x, y)].symbol();
            if let Some((_, c)) = forbidden(sym) {
                panic!("{what}: U+{:04X} in cell ({x},{y})", c as u32);
            }
        }
    }
    t.backend().to_string()
}

/// Key scripts reaching every view: browse, detail tabs, trend (picker and
/// chart), test and drift history, dashboard, compare, Now panel, popups.
fn scripts() -> Vec<(&'static str, Vec<KeyCode>)> {
    use KeyCode::{Char as C, Enter, Esc, Tab};
    vec![
        ("browse", vec![Tab, C('j'), C('k')]),
        (
            "detail",
            vec![
                Tab,
                Enter,
                C('2'),
                C('s'),
                C('3'),
                C('4'),
                C('+'),
                C('+'),
                C('1'),
                C(']'),
                C('['),
            ],
        ),
        (
            "trend",
            vec![C('T'), Enter, C('a'), C('j'), Enter, C('h'), C('t')],
        ),
        ("test history", vec![C('H'), C('j'), C('l'), Enter]),
        ("drift history", vec![C('D'), C('s'), Enter]),
        ("dashboard", vec![C('B'), Tab, Tab, C('j')]),
        (
            "compare",
            vec![Tab, C('m'), C('j'), C('c'), C('j'), Enter, Esc, C('c')],
        ),
        ("now", vec![C('0'), C('j'), Enter]),
        ("help", vec![C('?'), C('j')]),
        ("unreadable", vec![C('u')]),
    ]
}

#[test]
fn every_tui_view_of_the_hostile_workspace_is_terminal_safe() {
    let ws = hostile();
    let mut seen = String::new();
    for theme in [ThemeKind::Default, ThemeKind::Mono] {
        for size in [(120, 40), (80, 24)] {
            for project in 0..2 {
                for (name, keys) in scripts() {
                    let mut app = app_on(&ws, &utc(), theme, size);
                    for _ in 0..project {
                        common::press(&mut app, KeyCode::Char('j'));
                    }
                    let what = format!("{name} project {project} {size:?} {theme:?}");
                    seen.push_str(&render_checked(&app, &what));
                    for k in keys {
                        common::press(&mut app, k);
                        seen.push_str(&render_checked(&app, &format!("{what} after {k:?}")));
                    }
                }
            }
        }
    }
    // The hostile text was drawn, escaped.
    for shown in ["\\x1b]52;c;", "\\u{202e}", "\\x9b31m"] {
        assert!(seen.contains(shown), "{shown} never drawn");
    }
}

#[test]
fn tui_lists_hostile_names_and_oversized_files_safely() {
    let dir = tempfile::tempdir().unwrap();
    let flat = flat_folder(dir.path(), &[EVIL_NAME, NON_UTF8_NAME, b"plain.json"]);
    // One more, over the limit.
    let big = flat.join("big.json");
    let mut bytes = std::fs::read(flat.join("plain.json")).unwrap();
    let limit = bytes.len() as u64 + 100;
    bytes.extend(std::iter::repeat_n(b' ', 20_000));
    std::fs::write(&big, &bytes).unwrap();
    let opts = IndexOptions {
        max_file_size: limit,
        ..utc()
    };
    let mut app = app_on(&flat, &opts, ThemeKind::Default, (120, 40));
    common::press(&mut app, KeyCode::Tab);
    let s = render_checked(&app, "flat browse");
    assert!(s.contains("snap-\u{fffd}"), "{s}");
    // Ids are cut to 8 characters in the list, after escaping.
    assert!(s.contains("snap-\\x1 "), "{s}");
    assert!(s.contains("1 unreadable"), "{s}");
    // The detail shows the whole id, escaped.
    let evil = app
        .visible_snapshots()
        .iter()
        .position(|e| e.snapshot.id.contains('\x1b'))
        .unwrap();
    for _ in 0..evil {
        common::press(&mut app, KeyCode::Char('j'));
    }
    common::press(&mut app, KeyCode::Enter);
    let s = render_checked(&app, "evil detail");
    assert!(s.contains("snap-\\x1b]0;pwned\\x07\\x1b[2J"), "{s}");
    common::press(&mut app, KeyCode::Esc);
    common::press(&mut app, KeyCode::Char('g'));
    // Open the lossy-named snapshot: it reads the real file.
    let lossy = app
        .visible_snapshots()
        .iter()
        .position(|e| e.snapshot.id == "snap-\u{fffd}")
        .unwrap();
    for _ in 0..lossy {
        common::press(&mut app, KeyCode::Char('j'));
    }
    common::press(&mut app, KeyCode::Enter);
    common::press(&mut app, KeyCode::Char('4'));
    let s = render_checked(&app, "lossy raw tab");
    assert!(s.contains("\"suite\""), "the raw file was loaded: {s}");
    common::press(&mut app, KeyCode::Esc);
    common::press(&mut app, KeyCode::Char('u'));
    let s = render_checked(&app, "unreadable popup");
    assert!(s.contains("big.json"), "{s}");
    let reason = format!("file too large ({} bytes > limit {limit})", bytes.len());
    assert!(s.contains(&reason), "{reason} not in {s}");
}
