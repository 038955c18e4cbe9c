//! State tests for the explorer: no terminal, messages in, state checked.
//! Expected values were read from the fixture files with Python's json module
//! (see the comments), not from the program's own output.

use crate::common;

use std::path::PathBuf;
use std::sync::Arc;

use chrono::Duration;
use ratatui::crossterm::event::{KeyCode, KeyModifiers};
use snapscope::index::IndexEvent;
use snapscope::index::SnapshotEntry;
use snapscope::model::TestStatus;
use snapscope::tui::app::{App, Effect, FilterTarget, Pane, Popup, RawState, Screen, Tab};
use snapscope::tui::msg::Msg;

use common::{app, key, keys, now, LEGACY, WINE};

fn snapshot_ids(app: &App) -> Vec<String> {
    app.visible_snapshots()
        .iter()
        .map(|s| s.snapshot.id.clone())
        .collect()
}

/// A copy of a fixture snapshot under a new id and timestamp, as the live index would send it.
fn clone_entry(app: &App, project: &str, id: &str, new_id: &str, hours: i64) -> SnapshotEntry {
    let p = app.catalog.project(project).unwrap();
    let e = p.snapshots.iter().find(|s| s.snapshot.id == id).unwrap();
    let mut s = (*e.snapshot).clone();
    s.id = new_id.to_string();
    s.timestamp += Duration::hours(hours);
    SnapshotEntry {
        path: e.path.with_file_name(format!("{new_id}.json")).into(),
        fingerprint: e.fingerprint,
        snapshot: Arc::new(s),
    }
}

#[test]
fn fixture_is_indexed_projects_by_name_snapshots_newest_first() {
    let a = app((80, 24));
    let names: Vec<&str> = a
        .visible_projects()
        .iter()
        .map(|p| p.project.name.as_str())
        .collect();
    // metadata.json "name" of both folders.
    assert_eq!(
        names,
        [
            "Diabetes progression regressor",
            "Wine cultivar classifier (multiclass)"
        ]
    );
    assert_eq!(a.browse.project_sel.as_deref(), Some(LEGACY));
    // Timestamps in the files: c814 04-02T02:28, c783 04-02T02:13, c718 04-01, c4c6 03-30.
    let ids: Vec<String> = snapshot_ids(&a)
        .iter()
        .map(|s| s[..13].to_string())
        .collect();
    assert_eq!(
        ids,
        [
            "01a2230c-c814",
            "01a2230c-c783",
            "01a2230c-c718",
            "01a2230c-c4c6"
        ]
    );
    assert!(a.scan.finished);
    // The HTML file saved as .json is unreadable, with a reason.
    let bad: Vec<_> = a.catalog.unreadable().collect();
    assert_eq!(bad.len(), 1);
    assert!(bad[0]
        .path
        .ends_with("01a2230e-ffff-7000-8000-000000000000.json"));
    assert!(!bad[0].reason.is_empty());
}

#[test]
fn navigation_between_panes_and_into_detail() {
    let mut a = app((80, 24));
    key(&mut a, KeyCode::Char('j'));
    assert_eq!(a.browse.project_sel.as_deref(), Some(WINE));
    key(&mut a, KeyCode::Char('j')); // clamped at the end
    assert_eq!(a.browse.project_sel.as_deref(), Some(WINE));
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.browse.focus, Pane::Snapshots);
    key(&mut a, KeyCode::Char('G'));
    // Oldest Wine run: 01a2230e-1263 (2024-03-25).
    assert!(a
        .selected_snapshot_id()
        .unwrap()
        .starts_with("01a2230e-1263"));
    key(&mut a, KeyCode::Char('g'));
    assert!(a
        .selected_snapshot_id()
        .unwrap()
        .starts_with("01a2230e-1445"));
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.screen, Screen::Detail);
    assert_eq!(a.detail.tab, Tab::Tests);
    // 01a2230e-1445: metric_results[*].tests statuses: FAIL 6, WARNING 1, SUCCESS 2.
    let statuses: Vec<TestStatus> = a.test_rows().iter().map(|t| t.status).collect();
    assert_eq!(statuses.len(), 9);
    assert_eq!(
        statuses.iter().filter(|s| **s == TestStatus::Fail).count(),
        6
    );
    // Failures first.
    assert!(statuses[..6].iter().all(|s| *s == TestStatus::Fail));
    assert_eq!(statuses[6], TestStatus::Warning);
    key(&mut a, KeyCode::Esc);
    assert_eq!(
        (a.screen, a.browse.focus),
        (Screen::Browse, Pane::Snapshots)
    );
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.browse.focus, Pane::Projects);
    assert_eq!(key(&mut a, KeyCode::Char('q')), vec![Effect::Quit]);
}

#[test]
fn brackets_step_through_snapshots_keeping_the_tab() {
    let mut a = app((80, 24));
    key(&mut a, KeyCode::Tab);
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Char('2'));
    assert_eq!(a.detail.tab, Tab::Drift);
    let first = a.selected_snapshot_id().unwrap().to_string();
    key(&mut a, KeyCode::Char('['));
    assert_eq!(a.detail.tab, Tab::Drift);
    assert_eq!(a.screen, Screen::Detail);
    let second = a.selected_snapshot_id().unwrap().to_string();
    assert_ne!(first, second);
    assert!(second.starts_with("01a2230c-c783"));
    key(&mut a, KeyCode::Char(']'));
    assert_eq!(a.selected_snapshot_id(), Some(first.as_str()));
    key(&mut a, KeyCode::Char(']')); // already the newest
    assert_eq!(a.selected_snapshot_id(), Some(first.as_str()));
}

#[test]
fn filters_narrow_each_list_and_esc_restores() {
    let mut a = app((80, 24));
    // Projects by name.
    key(&mut a, KeyCode::Char('/'));
    keys(&mut a, "wine");
    assert_eq!(a.visible_projects().len(), 1);
    assert_eq!(a.browse.project_sel.as_deref(), Some(WINE));
    key(&mut a, KeyCode::Enter);
    assert!(a.input.is_none());
    assert_eq!(a.filter(FilterTarget::Projects), "wine");
    key(&mut a, KeyCode::Esc); // clears the filter
    assert_eq!(a.visible_projects().len(), 2);
    assert_eq!(
        a.browse.project_sel.as_deref(),
        Some(WINE),
        "selection survives"
    );

    // Snapshots by tag: only c783 and c814 carry "eu-west" in the legacy project.
    key(&mut a, KeyCode::Char('k'));
    key(&mut a, KeyCode::Tab);
    key(&mut a, KeyCode::Char('/'));
    keys(&mut a, "eu-west");
    key(&mut a, KeyCode::Enter);
    let ids = snapshot_ids(&a);
    assert_eq!(ids.len(), 2);
    assert!(ids
        .iter()
        .all(|i| i.starts_with("01a2230c-c814") || i.starts_with("01a2230c-c783")));
    // By metadata value: batch_id of c4c6 is 20240330-022 in the file.
    key(&mut a, KeyCode::Char('/'));
    key(&mut a, KeyCode::Backspace);
    for _ in 0.."eu-wes".len() {
        key(&mut a, KeyCode::Backspace);
    }
    keys(&mut a, "batch_id=20240330");
    key(&mut a, KeyCode::Enter);
    let ids = snapshot_ids(&a);
    assert_eq!(ids.len(), 1);
    assert!(ids[0].starts_with("01a2230c-c4c6"));
    // Esc while typing restores the previous filter.
    key(&mut a, KeyCode::Char('/'));
    keys(&mut a, "zzz");
    assert!(snapshot_ids(&a).is_empty());
    key(&mut a, KeyCode::Esc);
    assert_eq!(snapshot_ids(&a).len(), 1);

    // Tests by text inside the detail.
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Char('g'));
    key(&mut a, KeyCode::Enter);
    let all = a.test_rows().len();
    key(&mut a, KeyCode::Char('/'));
    keys(&mut a, "fail");
    key(&mut a, KeyCode::Enter);
    let failing = a.test_rows();
    assert!(!failing.is_empty() && failing.len() < all);
    assert!(failing.iter().all(|t| t.status == TestStatus::Fail
        || t.description.to_lowercase().contains("fail")
        || t.name.to_lowercase().contains("fail")));
}

#[test]
fn live_insertions_keep_the_selection_on_the_same_snapshot() {
    let mut a = app((80, 24));
    key(&mut a, KeyCode::Tab);
    key(&mut a, KeyCode::Char('j'));
    key(&mut a, KeyCode::Char('j'));
    let sel = a.selected_snapshot_id().unwrap().to_string();
    // A newer snapshot arrives at the top of the timeline.
    let e = clone_entry(&a, LEGACY, &sel, "01a2230c-ffff-7000-8000-00000000aaaa", 48);
    a.update(Msg::Index(IndexEvent::SnapshotAdded(e)), now());
    assert_eq!(a.selected_snapshot_id(), Some(sel.as_str()));
    assert_eq!(a.visible_snapshots().len(), 5);
    // It is marked new until opened.
    assert!(a.new_ids.contains("01a2230c-ffff-7000-8000-00000000aaaa"));
    // Also while reading the detail: the open snapshot stays.
    key(&mut a, KeyCode::Enter);
    let e = clone_entry(&a, LEGACY, &sel, "01a2230c-ffff-7000-8000-00000000bbbb", 72);
    a.update(Msg::Index(IndexEvent::SnapshotAdded(e)), now());
    assert_eq!(a.screen, Screen::Detail);
    assert_eq!(a.selected_snapshot_id(), Some(sel.as_str()));
    // Removing the open snapshot falls back to the timeline without panicking.
    let path = a.current_snapshot().unwrap().path.to_path_buf();
    a.update(
        Msg::Index(IndexEvent::SnapshotRemoved {
            path,
            project_id: LEGACY.into(),
            snapshot_id: sel.clone(),
        }),
        now(),
    );
    assert_eq!(a.screen, Screen::Browse);
    assert!(a.selected_snapshot_id().is_some());
    assert_ne!(a.selected_snapshot_id(), Some(sel.as_str()));
}

#[test]
fn live_insertions_in_a_scrolled_list_keep_the_screen_row() {
    let mut a = app((80, 24));
    let base = a.selected_snapshot_id().unwrap().to_string();
    // 30 older snapshots: the timeline no longer fits (17 rows at 80x24).
    let older: Vec<IndexEvent> = (0..30)
        .map(|i| {
            let id = format!("01a2230c-eeee-7000-8000-{i:012}");
            IndexEvent::SnapshotAdded(clone_entry(&a, LEGACY, &base, &id, -100 - i))
        })
        .collect();
    a.apply_events(older, now());
    key(&mut a, KeyCode::Tab);
    for _ in 0..25 {
        key(&mut a, KeyCode::Char('j'));
    }
    assert!(a.browse.snapshot_offset > 0);
    let sel = a.selected_snapshot_id().unwrap().to_string();
    let row = a.snapshot_index().unwrap() - a.browse.snapshot_offset;
    let e = clone_entry(
        &a,
        LEGACY,
        &base,
        "01a2230c-ffff-7000-8000-00000000dddd",
        48,
    );
    a.update(Msg::Index(IndexEvent::SnapshotAdded(e)), now());
    assert_eq!(a.selected_snapshot_id(), Some(sel.as_str()));
    assert_eq!(
        a.snapshot_index().unwrap() - a.browse.snapshot_offset,
        row,
        "same screen row"
    );
}

#[test]
fn freeze_holds_events_until_unfrozen() {
    let mut a = app((80, 24));
    key(&mut a, KeyCode::Char('f'));
    assert!(a.frozen.is_some());
    let sel = a.selected_snapshot_id().unwrap().to_string();
    let e = clone_entry(&a, LEGACY, &sel, "01a2230c-ffff-7000-8000-00000000cccc", 24);
    a.update(Msg::Index(IndexEvent::SnapshotAdded(e)), now());
    a.update(
        Msg::Index(IndexEvent::Pending {
            path: PathBuf::from("x.json"),
            reason: "truncated".into(),
        }),
        now(),
    );
    assert_eq!(
        a.visible_snapshots().len(),
        4,
        "nothing applied while frozen"
    );
    assert!(a.pending.is_empty());
    assert_eq!(a.frozen.as_ref().unwrap().len(), 2);
    key(&mut a, KeyCode::Char('f'));
    assert!(a.frozen.is_none());
    assert_eq!(a.visible_snapshots().len(), 5);
    assert_eq!(a.pending.len(), 1);
    // The selection was on the top row: it follows the newer run once applied.
    assert_eq!(
        a.selected_snapshot_id(),
        Some("01a2230c-ffff-7000-8000-00000000cccc")
    );
}

#[test]
fn raw_tab_requests_a_load_and_ignores_stale_replies() {
    let mut a = app((80, 24));
    key(&mut a, KeyCode::Tab);
    key(&mut a, KeyCode::Enter);
    let fx = key(&mut a, KeyCode::Char('4'));
    let (req, path) = match fx.as_slice() {
        [Effect::LoadRaw { request, path }] => (*request, path.clone()),
        other => panic!("expected one LoadRaw, got {other:?}"),
    };
    assert_eq!(Some(path.as_path()), a.current_snapshot().map(|s| &*s.path));
    // Moving to another snapshot issues a new request; the old reply is ignored.
    let fx = key(&mut a, KeyCode::Char('['));
    assert!(matches!(fx.as_slice(), [Effect::LoadRaw { .. }]));
    a.update(
        Msg::RawLoaded {
            request: req,
            result: Ok(snapscope::tui::raw::pretty(b"{}")),
        },
        now(),
    );
    assert!(matches!(a.detail.raw, RawState::Loading { .. }));
    // The current reply is taken; the document is the file's, read by the loader.
    let cur = a.current_snapshot().unwrap().path.clone();
    let RawState::Loading { request, .. } = a.detail.raw.clone() else {
        unreachable!()
    };
    a.update(
        Msg::RawLoaded {
            request,
            result: snapscope::tui::load_raw(&cur),
        },
        now(),
    );
    let RawState::Loaded(v) = &a.detail.raw else {
        panic!("not loaded: {:?}", a.detail.raw)
    };
    assert!(v.doc.lines.len() > 100);
    assert!(v.visible.len() < v.doc.lines.len(), "folded by default");
    // Unfold everything, then search and jump.
    for _ in 0..20 {
        keys(&mut a, "+");
    }
    let RawState::Loaded(v) = &a.detail.raw else {
        unreachable!()
    };
    assert_eq!(v.visible.len(), v.doc.lines.len());
    key(&mut a, KeyCode::Char('/'));
    keys(&mut a, "\"timestamp\"");
    key(&mut a, KeyCode::Enter);
    let RawState::Loaded(v) = &a.detail.raw else {
        unreachable!()
    };
    let line = v.visible[v.cursor.sel] as usize;
    assert!(v.doc.lines[line].text.contains("\"timestamp\""));
}

#[test]
fn help_and_unreadable_popups_open_scroll_and_close() {
    let mut a = app((80, 24));
    key(&mut a, KeyCode::Char('?'));
    assert_eq!(a.popup, Some(Popup::Help(0)));
    key(&mut a, KeyCode::Char('j'));
    assert_eq!(a.popup, Some(Popup::Help(1)));
    key(&mut a, KeyCode::Char('q')); // q closes a popup, it does not quit
    assert_eq!(a.popup, None);
    key(&mut a, KeyCode::Char('u'));
    assert_eq!(a.popup, Some(Popup::unreadable()));
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.popup, None);
}

#[test]
fn rescan_is_an_effect_and_ticks_redraw_at_most_once_a_minute() {
    let mut a = app((80, 24));
    assert_eq!(keys(&mut a, "r"), vec![Effect::Rescan]);
    a.mark_drawn(now());
    a.update(Msg::Tick, now() + Duration::seconds(1));
    assert!(a.message.is_some(), "message still shown");
    assert!(!a.dirty, "nothing visible changed within the same minute");
    a.update(Msg::Tick, now() + Duration::seconds(10));
    assert!(a.dirty, "the transient message expired");
    a.mark_drawn(now() + Duration::seconds(10));
    a.update(Msg::Tick, now() + Duration::seconds(30));
    assert!(!a.dirty);
    a.update(Msg::Tick, now() + Duration::seconds(61));
    assert!(a.dirty, "ages refresh once a minute");
}

#[test]
fn mouse_click_selects_and_scroll_moves() {
    use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let mut a = app((80, 24));
    let click = |col, row| {
        Msg::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: col,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    // Row 0 status, rows 1-4 the Now panel (border, Diabetes, Wine, border),
    // row 5 pane border, row 6 header, row 7 first project, row 8 second.
    a.update(click(5, 8), now());
    assert_eq!(a.browse.project_sel.as_deref(), Some(WINE));
    // Click the second snapshot row in the timeline (x well inside the right pane).
    a.update(click(60, 8), now());
    assert_eq!(a.browse.focus, Pane::Snapshots);
    assert_eq!(a.snapshot_index(), Some(1));
    // Clicking the Wine line of the Now panel focuses it with Wine selected.
    a.update(click(5, 3), now());
    assert_eq!(a.browse.focus, Pane::Now);
    assert_eq!(
        a.now.items(true)[a.now.cursor.sel],
        snapscope::tui::state::now::NowItem::Project(1)
    );
    // Esc leaves it (it shrinks back); clicking the selected snapshot row opens it.
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.browse.focus, Pane::Projects);
    a.update(click(60, 8), now());
    assert_eq!(a.screen, Screen::Detail);
    a.update(
        Msg::Mouse(MouseEvent {
            kind: MouseEventKind::ScrollDown,
            column: 10,
            row: 10,
            modifiers: KeyModifiers::NONE,
        }),
        now(),
    );
    assert_eq!(a.detail.tests.sel, 1);
}

#[test]
fn resize_keeps_selection_visible() {
    let mut a = app((120, 40));
    key(&mut a, KeyCode::Tab);
    key(&mut a, KeyCode::Char('G'));
    a.update(Msg::Resize(60, 15), now());
    let i = a.snapshot_index().unwrap();
    assert!(i >= a.browse.snapshot_offset);
    a.update(Msg::Resize(0, 0), now());
    a.update(Msg::Resize(1, 1), now());
    key(&mut a, KeyCode::Char('k'));
    key(&mut a, KeyCode::Enter);
}

/// `/` matches the time column as shown (issue 13, item 12), and leaving the
/// filter keeps the selected row. Times from the fixture files
/// (`jq .timestamp tests/fixtures/tui-ws/01a2230c-a779-*/snapshots/*.json`,
/// naive, shown in UTC): 03-30 02:17 (c4c6), 04-01 02:09 (c718),
/// 04-02 02:13 (c783, no name), 04-02 02:28 (c814).
#[test]
fn filter_matches_the_time_column_and_keeps_the_selection() {
    let mut a = app((80, 24));
    key(&mut a, KeyCode::Tab); // the legacy project's timeline
                               // "02:13" is in no name, tag or metadata: only the time column has it.
    key(&mut a, KeyCode::Char('/'));
    keys(&mut a, "02:13");
    key(&mut a, KeyCode::Enter);
    let ids = snapshot_ids(&a);
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert!(ids[0].starts_with("01a2230c-c783"), "{ids:?}");
    // The narrow and the wide forms of a date both match: 04-02 has two runs.
    key(&mut a, KeyCode::Char('/'));
    for _ in 0.."02:13".len() {
        key(&mut a, KeyCode::Backspace);
    }
    keys(&mut a, "2024-04-02");
    key(&mut a, KeyCode::Enter);
    let ids = snapshot_ids(&a);
    assert_eq!(ids.len(), 2, "{ids:?}");
    // Select the older of the two, then leave the filter: still selected.
    key(&mut a, KeyCode::Char('j'));
    let chosen = a.selected_snapshot_id().map(str::to_string);
    assert!(chosen.as_deref().unwrap().starts_with("01a2230c-c783"));
    key(&mut a, KeyCode::Esc); // clears the filter
    assert_eq!(snapshot_ids(&a).len(), 4);
    assert_eq!(a.selected_snapshot_id().map(str::to_string), chosen);
    // ... and it is on screen: its index is within the visible rows.
    let idx = a.snapshot_index().unwrap();
    assert!(idx >= a.browse.snapshot_offset && idx < a.browse.snapshot_offset + 10);
}

/// A report without tests opens on Metrics, not an empty Tests tab, and the
/// next run with tests opens on Tests again (issue 13, item 13). From the
/// fixture files: c814 (04-02 02:28) has 5 tests in `suite.test_results`,
/// c783 (04-02 02:13) has none.
#[test]
fn a_report_without_tests_opens_on_metrics() {
    let mut a = app((80, 24));
    key(&mut a, KeyCode::Tab);
    assert!(a
        .selected_snapshot_id()
        .unwrap()
        .starts_with("01a2230c-c814"));
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.detail.tab, Tab::Tests);
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Char('j'));
    assert!(a
        .selected_snapshot_id()
        .unwrap()
        .starts_with("01a2230c-c783"));
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.detail.tab, Tab::Metrics);
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Char('k'));
    key(&mut a, KeyCode::Enter);
    assert_eq!(
        a.detail.tab,
        Tab::Tests,
        "back to Tests for a run with tests"
    );
    // A tab chosen by hand stays.
    key(&mut a, KeyCode::Char('3'));
    let chosen = a.detail.tab;
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Char('j'));
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.detail.tab, chosen);
}

/// During the first scan the views are recomputed at most every 250 ms; one
/// held back is done when the scan ends, even by a batch that changes
/// nothing else (here `ScanFinished` alone).
#[test]
fn views_held_back_during_the_scan_are_recomputed_when_it_ends() {
    let mut a = app((80, 24));
    a.scan.finished = false;
    let base = a.selected_snapshot_id().unwrap().to_string();
    let t0 = now() + Duration::seconds(1);
    let first = clone_entry(&a, LEGACY, &base, "01a2230c-ffff-7000-8000-00000000aaa1", 2);
    a.apply_events(vec![IndexEvent::SnapshotAdded(first)], t0);
    let after_first = a.now.newest;
    // The fixture's newest run is 2024-04-02T02:28 (its file), `now` 14:00:
    // +2 h, then +4 h, each the newest run and not future-dated.
    let second = clone_entry(&a, LEGACY, &base, "01a2230c-ffff-7000-8000-00000000aaa2", 4);
    let newest = second.snapshot.timestamp;
    a.apply_events(
        vec![IndexEvent::SnapshotAdded(second)],
        t0 + Duration::milliseconds(10),
    );
    assert_eq!(a.now.newest, after_first, "held back: less than 250 ms");
    a.apply_events(
        vec![IndexEvent::ScanFinished { elapsed_ms: 1 }],
        t0 + Duration::milliseconds(20),
    );
    assert_eq!(a.now.newest, Some(newest));
}
