//! Render tests: every view drawn into a `TestBackend` at 80x24 and 120x40
//! and compared with reviewed insta snapshots (fixed clock, UTC, fixture
//! workspace). Tiny areas must not panic.

use crate::common;

use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;
use ratatui::style::Color;
use ratatui::Terminal;
use snapscope::tui::app::App;
use snapscope::tui::msg::Msg;
use snapscope::tui::theme::ThemeKind;
use snapscope::tui::ui;

use common::{app, app_with, now, press};

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn type_str(app: &mut App, s: &str) {
    for c in s.chars() {
        press(app, KeyCode::Char(c));
    }
}

fn terminal(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| ui::draw(f, app, now())).unwrap();
    t
}

fn text(app: &App, w: u16, h: u16) -> String {
    terminal(app, w, h).backend().to_string()
}

/// Build the app at a size, run a key script, and snapshot the screen.
fn check(name: &str, script: impl Fn(&mut App)) {
    check_at(name, &SIZES, script);
}

/// [`check`] at the given sizes.
fn check_at(name: &str, sizes: &[(u16, u16)], script: impl Fn(&mut App)) {
    for &(w, h) in sizes {
        let mut a = app((w, h));
        script(&mut a);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), text(&a, w, h));
    }
}

#[test]
fn browse_projects() {
    check("browse_projects", |_| {});
}

#[test]
fn browse_timeline_v2_project() {
    check("browse_timeline", |a| {
        press(a, KeyCode::Char('j'));
        press(a, KeyCode::Tab);
    });
}

#[test]
fn tests_tab_with_failures() {
    // Wine, newest run (01a2230e-1445): 6 FAIL, 1 WARNING, 2 SUCCESS.
    check("tests_tab", |a| {
        press(a, KeyCode::Char('j'));
        press(a, KeyCode::Tab);
        press(a, KeyCode::Enter);
    });
}

#[test]
fn drift_tab_sorted_by_score() {
    // Legacy daily report 2024-04-01 (01a2230c-c718): per-column drift table.
    check("drift_tab", |a| {
        press(a, KeyCode::Tab);
        press(a, KeyCode::Char('j'));
        press(a, KeyCode::Char('j'));
        press(a, KeyCode::Enter);
        press(a, KeyCode::Char('2'));
        press(a, KeyCode::Char('s'));
    });
}

#[test]
fn metrics_tab_filtered() {
    check("metrics_tab", |a| {
        press(a, KeyCode::Char('j'));
        press(a, KeyCode::Tab);
        press(a, KeyCode::Enter);
        press(a, KeyCode::Char('3'));
        press(a, KeyCode::Char('/'));
        type_str(a, "accuracy");
        press(a, KeyCode::Enter);
    });
}

#[test]
fn raw_tab_folded() {
    check("raw_tab", |a| {
        press(a, KeyCode::Tab);
        press(a, KeyCode::Enter);
        press(a, KeyCode::Char('4'));
    });
}

#[test]
fn help_overlay() {
    check("help", |a| press(a, KeyCode::Char('?')));
}

#[test]
fn unreadable_popup() {
    check("unreadable", |a| press(a, KeyCode::Char('u')));
}

#[test]
fn filter_being_typed() {
    check("filter_input", |a| {
        press(a, KeyCode::Tab);
        press(a, KeyCode::Char('/'));
        type_str(a, "eu-west");
    });
}

#[test]
fn too_small_screen() {
    let a = app((59, 15));
    insta::assert_snapshot!("too_small_59x15", text(&a, 59, 15));
    let a = app((40, 12));
    insta::assert_snapshot!("too_small_40x12", text(&a, 40, 12));
}

#[test]
fn ascii_fallback() {
    let mut a = app_with((80, 24), ThemeKind::Default, true);
    press(&mut a, KeyCode::Char('j'));
    insta::assert_snapshot!("ascii_browse_80x24", text(&a, 80, 24));
    let s = text(&a, 80, 24);
    assert!(s.is_ascii(), "ASCII mode drew non-ASCII characters");
}

/// NO_COLOR: no colour anywhere; meaning by symbols and bold / reverse.
#[test]
fn no_color_theme() {
    for (w, h) in SIZES {
        for script in [0, 1] {
            let mut a = app_with((w, h), ThemeKind::Mono, false);
            if script == 1 {
                press(&mut a, KeyCode::Char('j'));
                press(&mut a, KeyCode::Tab);
                press(&mut a, KeyCode::Enter);
            }
            let t = terminal(&a, w, h);
            let buf = t.backend().buffer();
            for cell in buf.content() {
                assert!(
                    matches!(cell.fg, Color::Reset) && matches!(cell.bg, Color::Reset),
                    "colour {:?}/{:?} on {:?}",
                    cell.fg,
                    cell.bg,
                    cell.symbol()
                );
            }
            if (w, h) == (80, 24) {
                // The buffer's debug view lists styles: bold / reversed carry meaning.
                insta::assert_snapshot!(format!("no_color_{script}_{w}x{h}"), format!("{buf:?}"));
            }
        }
    }
}

#[test]
fn tiny_areas_do_not_panic() {
    use KeyCode::Char as C;
    let scripts: [&[KeyCode]; 15] = [
        &[],
        &[C('j'), C('T')],
        &[C('j'), C('T'), KeyCode::Enter],
        &[
            C('j'),
            C('T'),
            KeyCode::Enter,
            C('a'),
            KeyCode::Down,
            KeyCode::Enter,
        ],
        &[C('j'), C('H')],
        &[C('D')],
        &[C('B')],
        &[C('j'), C('B')],
        &[C('0')],
        &[C('j'), KeyCode::Tab, C('m'), C('j'), C('c')],
        &[KeyCode::Tab, KeyCode::Enter],
        &[KeyCode::Tab, KeyCode::Enter, KeyCode::Char('2')],
        &[KeyCode::Tab, KeyCode::Enter, KeyCode::Char('3')],
        &[KeyCode::Tab, KeyCode::Enter, KeyCode::Char('4')],
        &[KeyCode::Char('?')],
    ];
    for (w, h) in [
        (0, 0),
        (1, 1),
        (10, 3),
        (60, 15),
        (61, 16),
        (200, 3),
        (3, 200),
    ] {
        for s in scripts {
            // Navigate at a normal size, then shrink (as a resize would).
            let mut a = app((80, 24));
            for k in s {
                press(&mut a, *k);
            }
            a.update(Msg::Resize(w, h), now());
            // Through a terminal frame, and straight into a buffer.
            let _ = terminal(&a, w, h);
            let area = ratatui::layout::Rect::new(0, 0, w, h);
            let mut buf = ratatui::buffer::Buffer::empty(area);
            ui::render(area, &mut buf, &a, now());
        }
    }
}

// ----- monitoring and triage views ------------------------------------------

/// The trend views also at 200x50 (a big terminal).
const TREND_SIZES: [(u16, u16); 3] = [(80, 24), (120, 40), (200, 50)];

#[test]
fn trend_picker() {
    check_at("trend_picker", &TREND_SIZES, |a| {
        press(a, KeyCode::Char('j'));
        press(a, KeyCode::Char('T'));
        type_str(a, "label");
    });
}

#[test]
fn trend_picker_groups() {
    // Wine, nothing typed: the groups with their headings, used series first.
    check_at("trend_picker_groups", &TREND_SIZES, |a| {
        press(a, KeyCode::Char('j'));
        press(a, KeyCode::Char('T'));
    });
}

#[test]
fn trend_small_multiples_four_series() {
    // Wine: four series of different scales, one chart each with its own y-range.
    check_at("trend_four", &TREND_SIZES, |a| {
        press(a, KeyCode::Char('j'));
        press(a, KeyCode::Char('T'));
        for k in [
            "accuracy.value",
            "rowcount",
            "recallbylabel cultivar_a",
            "f1score.value",
        ] {
            type_str(a, k);
            press(a, KeyCode::Enter);
            press(a, KeyCode::Char('a'));
        }
        press(a, KeyCode::Esc);
    });
}

#[test]
fn trend_chart_two_series_cursor_back_one() {
    // Wine: Accuracy.value and Recall.value over the three runs; the 03-26
    // and 03-27 points are failing runs (marked on the active series).
    check_at("trend_chart", &TREND_SIZES, |a| {
        press(a, KeyCode::Char('j'));
        press(a, KeyCode::Char('T'));
        type_str(a, "recall.value");
        press(a, KeyCode::Enter);
        press(a, KeyCode::Char('a'));
        type_str(a, "accuracy");
        press(a, KeyCode::Enter);
        press(a, KeyCode::Char('h'));
    });
}

#[test]
fn test_history_matrix() {
    check("test_history", |a| {
        press(a, KeyCode::Char('j'));
        press(a, KeyCode::Char('H'));
        press(a, KeyCode::Char('j'));
    });
}

#[test]
fn drift_history_view() {
    check("drift_history", |a| press(a, KeyCode::Char('D')));
}

#[test]
fn dashboard_v2_overview() {
    check("dashboard_v2", |a| {
        press(a, KeyCode::Char('j'));
        press(a, KeyCode::Char('B'));
    });
}

#[test]
fn dashboard_legacy_tests_tab() {
    check("dashboard_legacy_tests", |a| {
        press(a, KeyCode::Char('B'));
        press(a, KeyCode::Char('l'));
        press(a, KeyCode::Char('l'));
    });
}

#[test]
fn now_panel_focused() {
    check("now_focused", |a| {
        press(a, KeyCode::Char('0'));
        press(a, KeyCode::Char('j'));
    });
}

#[test]
fn now_panel_all_passing() {
    for (w, h) in SIZES {
        let a = common::all_passing_app((w, h));
        insta::assert_snapshot!(format!("now_all_passing_{w}x{h}"), text(&a, w, h));
    }
}

#[test]
fn compare_marked_vs_selected() {
    check("compare", |a| {
        press(a, KeyCode::Char('j'));
        press(a, KeyCode::Tab);
        press(a, KeyCode::Char('j'));
        press(a, KeyCode::Char('m'));
        press(a, KeyCode::Char('k'));
        press(a, KeyCode::Char('c'));
    });
}

#[test]
fn new_views_in_ascii_and_no_color() {
    let scripts: [&[char]; 4] = [&['j', 'T', '\n'], &['j', 'H'], &['D'], &['j', 'B']];
    for (i, s) in scripts.iter().enumerate() {
        let mut a = app_with((80, 24), ThemeKind::Default, true);
        for c in *s {
            press(
                &mut a,
                if *c == '\n' {
                    KeyCode::Enter
                } else {
                    KeyCode::Char(*c)
                },
            );
        }
        let t = text(&a, 80, 24);
        // Exceptions: braille, the chart's marker (use --dot-marker), and '±'
        // written by Evidently in test names.
        let bad: Vec<char> = t
            .chars()
            .filter(|c| !c.is_ascii() && !('\u{2800}'..='\u{28ff}').contains(c) && *c != '±')
            .collect();
        assert!(bad.is_empty(), "script {i}: non-ASCII {bad:?}\n{t}");
        let mut a = app_with((80, 24), ThemeKind::Mono, false);
        for c in *s {
            press(
                &mut a,
                if *c == '\n' {
                    KeyCode::Enter
                } else {
                    KeyCode::Char(*c)
                },
            );
        }
        let term = terminal(&a, 80, 24);
        for cell in term.backend().buffer().content() {
            assert!(
                matches!(cell.fg, Color::Reset) && matches!(cell.bg, Color::Reset),
                "script {i}: colour on {:?}",
                cell.symbol()
            );
        }
    }
}

/// Every view on wide terminals (a 200-column tmux pane and wider): layout
/// bounds that grow with the width must never cross (the test-history
/// name column once panicked from 180 columns up). Each screen shows its
/// title, so the view really opened.
#[test]
fn every_view_draws_on_wide_terminals() {
    let views: [(&str, &[KeyCode]); 7] = [
        ("Projects", &[]),
        ("Trends", &[KeyCode::Char('T')]),
        ("Test history", &[KeyCode::Char('H')]),
        ("Drift history", &[KeyCode::Char('D')]),
        ("Dashboard", &[KeyCode::Char('B')]),
        ("Compare", &[KeyCode::Char('c')]),
        (
            "Raw",
            &[
                KeyCode::Enter,
                KeyCode::Enter,
                KeyCode::Tab,
                KeyCode::Tab,
                KeyCode::Tab,
            ],
        ),
    ];
    for (w, h) in [(200, 50), (300, 80), (1000, 60)] {
        for (title, keys) in views {
            let mut a = app((w, h));
            for k in keys {
                press(&mut a, *k);
            }
            let screen = text(&a, w, h);
            assert!(screen.contains(title), "{title} at {w}x{h}:\n{screen}");
        }
    }
}

/// The Raw tab's line-number gutter grows with the file: a snapshot of more
/// than 100,000 pretty-printed lines shows six-digit numbers whole (issue 13,
/// item 13). The file is a fixture snapshot with a 150,000-key object added
/// at the end (one line per key).
#[test]
fn raw_tab_gutter_fits_long_files() {
    use snapscope::index::send_one_shot;
    use snapscope::parse::{ParseOptions, TimeZoneChoice};
    use snapscope::tui::{make_app, TuiOptions};

    let tmp = tempfile::tempdir().unwrap();
    let src = std::path::Path::new("tests/fixtures/tui-ws").join(common::LEGACY);
    let dst = tmp.path().join(common::LEGACY);
    std::fs::create_dir_all(dst.join("snapshots")).unwrap();
    std::fs::copy(src.join("metadata.json"), dst.join("metadata.json")).unwrap();
    let name = "01a2230c-c814-70e6-9be0-51e84f7b3ffc.json";
    // The file has NaN tokens (Python's JSON): append to its text instead.
    let file = std::fs::read_to_string(src.join("snapshots").join(name)).unwrap();
    let body = file.trim_end().strip_suffix('}').unwrap();
    let padding: Vec<String> = (0..150_000).map(|i| format!("\"k{i}\": {i}")).collect();
    let padded = format!("{body}, \"padding\": {{{}}}}}", padding.join(","));
    std::fs::write(dst.join("snapshots").join(name), padded).unwrap();

    let mut o = TuiOptions::new(tmp.path().to_path_buf());
    o.tz = TimeZoneChoice::Utc;
    let mut a = make_app(&o, (80, 24));
    let (tx, rx) = crossbeam_channel::unbounded();
    send_one_shot(
        tmp.path(),
        &ParseOptions {
            tz: TimeZoneChoice::Utc,
        },
        &tx,
    );
    drop(tx);
    a.apply_events(rx.into_iter().collect(), now());
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('4'));
    press(&mut a, KeyCode::Char('G'));
    let s = text(&a, 80, 24);
    let total: usize = s
        .lines()
        .find_map(|l| {
            l.split("line ")
                .nth(1)?
                .split('/')
                .nth(1)?
                .split(' ')
                .next()?
                .parse()
                .ok()
        })
        .expect("a line counter in the footer");
    assert!(total > 150_000, "{s}");
    // The last line's number is shown whole, followed by a space.
    assert!(s.contains(&format!("│{total} ")), "{total}: {s}");
}

/// `c` without a mark: the default pair, its rule in the title and the
/// runs' roles on the A and B lines; `c` again switches to the other
/// default pair (issue 13, item 4). Diabetes in the fixture never passed
/// (every run with tests in `tests/fixtures/tui-ws/01a2230c-a779-*` has a
/// FAIL), so both rules fall back to the latest failure against the run
/// with tests before it.
#[test]
fn compare_default_pair_says_how_it_was_chosen() {
    for (w, h) in [(80, 24), (200, 50)] {
        let mut a = app((w, h));
        press(&mut a, KeyCode::Char('c'));
        let s = text(&a, w, h);
        assert!(s.contains("latest failure, none passed"), "{s}");
        assert!(
            s.contains("A run before") && s.contains("B latest failure"),
            "{s}"
        );
        insta::assert_snapshot!(format!("compare_default_{w}x{h}"), s);
    }
}
