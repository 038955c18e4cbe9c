//! Issue 13, items 8 to 10 on the fixture workspace: the live timeline
//! (follow the newest run, "N new above"), widths (project names at 80
//! columns, popups on a 200-column terminal, the unreadable list with its
//! project, cursor and `y`), and the hints (`? help` / `q quit` always in
//! the footer, help's last page, every binding in the help). Render
//! snapshots at 80x24 and 200x50. Expected values come from the fixture's
//! files (see the comments), not from the program's output.

use crate::common;

use std::path::PathBuf;

use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;
use ratatui::Terminal;
use snapscope::index::IndexEvent;
use snapscope::tui::app::{App, Effect, Popup, Screen};
use snapscope::tui::keymap::{self, KeyMap};
use snapscope::tui::msg::Msg;
use snapscope::tui::ui;

use common::{app, key, keys, now, press, LEGACY, WINE};

const SIZES: [(u16, u16); 2] = [(80, 24), (200, 50)];

fn text(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| ui::draw(f, app, now())).unwrap();
    t.backend().to_string()
}

/// The rows of the screen without the quotes TestBackend puts around them.
fn lines(app: &App, w: u16, h: u16) -> Vec<String> {
    text(app, w, h)
        .lines()
        .map(|l| l.trim_matches('"').to_string())
        .collect()
}

fn check(name: &str, script: impl Fn(&mut App)) {
    for (w, h) in SIZES {
        let mut a = app((w, h));
        script(&mut a);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), text(&a, w, h));
    }
}

/// The newest Wine run of the fixture (01a2230e-1445, "timestamp"
/// 2024-03-27T02:05 in its file) copied under a new id a day or more
/// later (by the id's last digit), as the live index sends it.
fn newer_wine_run(a: &App, new_id: &str) -> IndexEvent {
    let p = a.catalog.project(WINE).unwrap();
    let e = p
        .snapshots
        .iter()
        .find(|e| e.snapshot.id.starts_with("01a2230e-1445"))
        .unwrap();
    let days: i64 = new_id[new_id.len() - 1..].parse().unwrap();
    let mut s = (*e.snapshot).clone();
    s.id = new_id.to_string();
    s.timestamp += chrono::Duration::days(days);
    IndexEvent::SnapshotAdded(snapscope::index::SnapshotEntry {
        path: e.path.with_file_name(format!("{new_id}.json")).into(),
        fingerprint: e.fingerprint,
        snapshot: std::sync::Arc::new(s),
    })
}

/// Wine's timeline focused (the fixture lists Diabetes first, Wine second).
fn wine_timeline(size: (u16, u16)) -> App {
    let mut a = app(size);
    keys(&mut a, "j");
    key(&mut a, KeyCode::Tab);
    a
}

const NEW1: &str = "01a2230e-aaaa-7000-8000-000000000001";
const NEW2: &str = "01a2230e-aaaa-7000-8000-000000000002";

#[test]
fn on_the_newest_row_the_timeline_follows_new_runs() {
    let mut a = wine_timeline((80, 24));
    assert_eq!(a.snapshot_index(), Some(0), "starts on the newest row");
    let e = newer_wine_run(&a, NEW1);
    a.update(Msg::Index(e), now());
    assert_eq!(a.selected_snapshot_id(), Some(NEW1));
    assert_eq!(a.snapshot_index(), Some(0));
    assert_eq!(a.browse.new_above_count(), 0);
    assert!(!text(&a, 80, 24).contains("new above"));
}

#[test]
fn off_the_newest_row_a_new_run_is_counted_above_until_the_top() {
    let mut a = wine_timeline((80, 24));
    keys(&mut a, "j");
    // The second row: the 03-26 run (01a2230e-12fa, "timestamp" 2024-03-26T02:05).
    let sel = a.selected_snapshot_id().unwrap().to_string();
    assert!(sel.starts_with("01a2230e-12fa"), "{sel}");
    for id in [NEW1, NEW2] {
        let e = newer_wine_run(&a, id);
        a.update(Msg::Index(e), now());
    }
    assert_eq!(a.selected_snapshot_id(), Some(sel.as_str()), "not moved");
    assert_eq!(a.browse.new_above_count(), 2);
    assert!(text(&a, 80, 24).contains("↑ 2 new above (g)"));
    // One step up reaches the newest of the old runs: both new runs are
    // still above; the next step reaches one of them.
    keys(&mut a, "k");
    assert_eq!(a.browse.new_above_count(), 2);
    keys(&mut a, "k");
    assert_eq!(a.browse.new_above_count(), 1);
    keys(&mut a, "g");
    assert_eq!(a.browse.new_above_count(), 0);
    assert!(!text(&a, 80, 24).contains("new above"));
}

#[test]
fn the_run_being_read_stays_and_the_new_one_is_counted() {
    let mut a = wine_timeline((80, 24));
    let sel = a.selected_snapshot_id().unwrap().to_string();
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.screen, Screen::Detail);
    let e = newer_wine_run(&a, NEW1);
    a.update(Msg::Index(e), now());
    assert_eq!(a.selected_snapshot_id(), Some(sel.as_str()));
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.browse.new_above_count(), 1);
}

#[test]
fn new_above_marker_renders() {
    check("live_new_above", |a| {
        keys(a, "j");
        key(a, KeyCode::Tab);
        keys(a, "j");
        let e = newer_wine_run(a, NEW1);
        a.update(Msg::Index(e), now());
    });
}

#[test]
fn frozen_is_shown_at_80_columns() {
    let mut a = app((80, 24));
    keys(&mut a, "f");
    let e = newer_wine_run(&a, NEW1);
    a.update(Msg::Index(e), now());
    for w in [60, 80] {
        let top = lines(&a, w, 24).remove(0);
        assert!(top.contains("FROZEN (1 queued, f)"), "{w}: {top}");
    }
    // At 80 columns the fixture's one unreadable file (an HTML page in the
    // Wine snapshots folder) is still counted; the snapshot count and the
    // zone give way first.
    let top = lines(&a, 80, 24).remove(0);
    assert!(top.contains("1 unreadable (u)"), "{top}");
    check("frozen", |a| {
        keys(a, "f");
        let e = newer_wine_run(a, NEW1);
        a.update(Msg::Index(e), now());
    });
}

#[test]
fn project_names_read_at_80_columns() {
    // metadata.json "name" of both fixture projects.
    let diabetes = "Diabetes progression regressor";
    let wine = "Wine cultivar classifier (multiclass)";
    let a = app((80, 24));
    let screen = text(&a, 80, 24);
    assert!(screen.contains(&format!("✗ {diabetes}")), "{screen}");
    // The longer one keeps at least 28 columns of its name.
    assert!(screen.contains(&format!("✗ {}", &wine[..28])), "{screen}");
    let a = app((200, 50));
    let screen = text(&a, 200, 50);
    assert!(screen.contains(&format!("✗ {wine}")), "{screen}");
    // With the names shown whole there is room for every column again.
    assert!(screen.contains("runs  age fails"), "{screen}");
    check("projects_long_names", |_| {});
}

#[test]
fn footer_always_ends_with_help_and_quit() {
    let screens: [(&str, &[KeyCode]); 8] = [
        ("browse", &[]),
        ("timeline", &[KeyCode::Tab]),
        ("detail", &[KeyCode::Tab, KeyCode::Enter]),
        ("raw", &[KeyCode::Tab, KeyCode::Enter, KeyCode::Char('4')]),
        // Enter picks the first series and closes the picker.
        (
            "trend",
            &[KeyCode::Char('j'), KeyCode::Char('T'), KeyCode::Enter],
        ),
        ("test history", &[KeyCode::Char('H')]),
        ("drift history", &[KeyCode::Char('D')]),
        ("dashboard", &[KeyCode::Char('B')]),
    ];
    for w in [60u16, 80, 200] {
        for (name, ks) in screens {
            let mut a = app((w, 24));
            for k in ks {
                press(&mut a, *k);
            }
            let foot = lines(&a, w, 24).pop().unwrap();
            assert!(
                foot.trim_end().ends_with("? help  q quit"),
                "{name} at {w}: {foot:?}"
            );
        }
    }
    // The series picker takes `?` and `q` as search text: its footer says so.
    let mut a = app((80, 24));
    press(&mut a, KeyCode::Char('T'));
    let foot = lines(&a, 80, 24).pop().unwrap();
    assert!(
        foot.contains("Esc close") && foot.contains("Ctrl-C quit"),
        "{foot}"
    );
    assert!(!foot.contains("q quit"), "{foot}");
    // Also under a message.
    let mut a = app((80, 24));
    keys(&mut a, "m");
    let foot = lines(&a, 80, 24).pop().unwrap();
    assert!(foot.starts_with("marked "), "{foot}");
    assert!(foot.trim_end().ends_with("? help  q quit"), "{foot}");
}

/// All the help's text, page by page (PgDn) at this size.
fn help_pages(w: u16, h: u16) -> (Vec<String>, App) {
    let mut a = app((w, h));
    keys(&mut a, "?");
    let mut pages = vec![text(&a, w, h)];
    for _ in 0..20 {
        let before = a.popup;
        key(&mut a, KeyCode::PageDown);
        if a.popup == before {
            break;
        }
        pages.push(text(&a, w, h));
    }
    (pages, a)
}

#[test]
fn every_binding_is_on_some_help_page_and_g_shows_the_last_page() {
    let km = KeyMap::default();
    for (w, h) in SIZES {
        let (pages, mut a) = help_pages(w, h);
        let all = pages.join("\n");
        for b in km.bindings() {
            let d = keymap::ActionText::description(b.action);
            assert!(all.contains(d), "{w}x{h}: {} ({d}) not shown", b.key);
        }
        // G: the last page is full, ending with the help's last line.
        keys(&mut a, "g");
        keys(&mut a, "G");
        let screen = text(&a, w, h);
        assert!(
            screen.contains("scroll the list under the pointer"),
            "{w}x{h}:\n{screen}"
        );
        let Some(Popup::Help(s)) = a.popup else {
            panic!("help closed")
        };
        if w == 200 {
            // Two columns hold it all: nothing to scroll.
            assert_eq!(s, 0);
            continue;
        }
        // A full page: the help's last line is on the last row of the box,
        // not alone on a blank page.
        let rows = lines(&a, w, h);
        let last_row = &rows[h as usize - 3];
        assert!(last_row.contains("wheel"), "{w}x{h}: {last_row:?}");
        let filled = rows[2..h as usize - 2]
            .iter()
            .filter(|r| r.trim_matches(['│', ' ']).len() > 1)
            .count();
        assert!(filled * 2 > h as usize - 4, "{w}x{h}: mostly blank");
    }
    check("help_last_page", |a| {
        keys(a, "?");
        keys(a, "G");
    });
}

#[test]
fn help_on_a_wide_terminal_is_in_columns_on_one_page() {
    let (pages, _) = help_pages(200, 50);
    assert_eq!(pages.len(), 1, "all of the help fits 200x50");
    let first = pages[0].lines().nth(2).unwrap().to_string();
    // Two columns: "Everywhere" starts the first, a later line the second.
    assert!(first.contains("Everywhere"), "{first}");
    assert!(
        first.matches("  ").count() > 4 && first.trim_end().len() > 120,
        "{first}"
    );
}

/// The fixture's unreadable file (an HTML page saved as JSON in the Wine
/// project's snapshots folder) and a pending file in the Diabetes folder.
fn with_problem_files(size: (u16, u16)) -> (App, PathBuf) {
    let mut a = app(size);
    let pending = common::fixture_root()
        .join(LEGACY)
        .join("snapshots")
        .join("01a2230c-ffff-7000-8000-00000000eeee.json");
    a.update(
        Msg::Index(IndexEvent::Pending {
            path: pending.clone(),
            reason: "still being written (size changed)".into(),
        }),
        now(),
    );
    (a, pending)
}

#[test]
fn unreadable_list_names_the_project_has_a_cursor_and_copies_the_path() {
    let (mut a, pending) = with_problem_files((80, 24));
    keys(&mut a, "u");
    let screen = text(&a, 80, 24);
    // metadata.json names of the folders holding the files (at 80 columns
    // the path keeps its room and the longer name is cut).
    assert!(
        screen.contains("✗ Wine cultivar classifier (mult"),
        "{screen}"
    );
    assert!(
        screen.contains("01a2230e-ffff-7000-8000-000000000000.json"),
        "{screen}"
    );
    assert!(
        screen.contains("… Diabetes progression regressor"),
        "{screen}"
    );
    assert!(
        screen.contains("still being written (size changed)"),
        "{screen}"
    );
    let fx = keys(&mut a, "y");
    let bad = common::fixture_root()
        .join(WINE)
        .join("snapshots")
        .join("01a2230e-ffff-7000-8000-000000000000.json");
    assert_eq!(fx, vec![Effect::Copy(bad.display().to_string())]);
    keys(&mut a, "j");
    assert_eq!(
        keys(&mut a, "y"),
        vec![Effect::Copy(pending.display().to_string())]
    );
    assert!(a.popup.is_some(), "y keeps the list open");
    keys(&mut a, "j");
    assert_eq!(
        keys(&mut a, "y"),
        vec![Effect::Copy(pending.display().to_string())],
        "the cursor stops on the last file"
    );
    let (mut a, _) = with_problem_files((200, 50));
    keys(&mut a, "u");
    let screen = text(&a, 200, 50);
    assert!(
        screen.contains("✗ Wine cultivar classifier (multiclass)  01a2230e-ffff"),
        "{screen}"
    );
    for (w, h) in SIZES {
        let (mut a, _) = with_problem_files((w, h));
        keys(&mut a, "uj");
        insta::assert_snapshot!(format!("unreadable_cursor_{w}x{h}"), text(&a, w, h));
    }
}
