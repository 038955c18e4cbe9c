//! State tests of the monitoring and triage views (trends, test history,
//! drift history, dashboard, compare, the Now panel, copy). Expected values
//! were read from the fixture files with Python's json module (see the
//! comments), not taken from the program's output.

use crate::common;

use std::sync::Arc;

use ratatui::crossterm::event::KeyCode;
use snapscope::index::IndexEvent;
use snapscope::model::TestStatus;
use snapscope::tui::app::{Effect, Pane, Screen, Tab};
use snapscope::tui::state::compare::CompareRow;
use snapscope::tui::state::now::NowItem;
use snapscope::tui::state::trend::TimeWindow;

use common::{app, key, keys, now, LEGACY, WINE};

// ----- trends ----------------------------------------------------------------

#[test]
fn trend_picker_filters_adds_and_removes_series() {
    let mut a = app((80, 24));
    key(&mut a, KeyCode::Char('j')); // Wine
    keys(&mut a, "T");
    assert_eq!(a.screen, Screen::Trend);
    let t = a.trend.as_ref().unwrap();
    assert!(
        t.picker.is_some(),
        "the picker opens when nothing is chosen"
    );
    // `snapscope series` lists 19 keys for Wine.
    assert_eq!(t.keys.len(), 19);
    // Typing filters (every word must match); keys with "recall" and "label":
    keys(&mut a, "recall label");
    let shown: Vec<String> = a
        .trend
        .as_ref()
        .unwrap()
        .picker_keys()
        .iter()
        .map(|k| k.key.clone())
        .collect();
    assert_eq!(
        shown,
        [
            "RecallByLabel.values.cultivar_a",
            "RecallByLabel.values.cultivar_b",
            "RecallByLabel.values.cultivar_c"
        ]
    );
    // Down, Tab: add the second and keep the picker open; Enter adds the third and closes.
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::Tab);
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::Enter);
    let t = a.trend.as_ref().unwrap();
    assert!(t.picker.is_none());
    let chosen: Vec<&str> = t.series.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(
        chosen,
        [
            "RecallByLabel.values.cultivar_b",
            "RecallByLabel.values.cultivar_c"
        ]
    );
    assert_eq!(t.active, 1);
    // x removes the active series.
    keys(&mut a, "x");
    let t = a.trend.as_ref().unwrap();
    assert_eq!(t.series.len(), 1);
    // Enter on a chosen key removes it; at most 4 can be chosen.
    keys(&mut a, "a");
    for _ in 0..5 {
        key(&mut a, KeyCode::Tab);
        key(&mut a, KeyCode::Down);
    }
    assert_eq!(a.trend.as_ref().unwrap().series.len(), 4);
    assert!(a.message.as_ref().unwrap().0.contains("at most 4"));
    // Esc closes the picker, Esc again leaves the view.
    key(&mut a, KeyCode::Esc);
    assert!(a.trend.as_ref().unwrap().picker.is_none());
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.screen, Screen::Browse);
}

#[test]
fn trend_points_equal_the_catalog_and_the_files() {
    let mut a = app((80, 24));
    key(&mut a, KeyCode::Char('j'));
    keys(&mut a, "T");
    keys(&mut a, "accuracy.value");
    key(&mut a, KeyCode::Enter);
    let t = a.trend.as_ref().unwrap();
    let s = &t.series[0];
    assert_eq!(s.key, "Accuracy.value");
    // Same points as Catalog::trend (what `snapscope trend` prints).
    let from_catalog: Vec<(String, Option<f64>)> = a
        .catalog
        .trend(WINE, "Accuracy.value")
        .into_iter()
        .map(|(s, v)| (s.id.clone(), v))
        .collect();
    let from_view: Vec<(String, Option<f64>)> = s
        .points
        .iter()
        .map(|p| (p.snapshot_id.clone(), p.value))
        .collect();
    assert_eq!(from_view, from_catalog);
    // Read independently with Python's json module: metric_results[id].value
    // of the metric whose params are {type: evidently:metric_v2:Accuracy,
    // classification_name: default}, per file, in timestamp order.
    assert_eq!(
        from_view,
        [
            (
                "01a2230e-1263-739e-accd-09680acd34f9".to_string(),
                Some(0.7846153846153846)
            ),
            (
                "01a2230e-12fa-7643-9157-31db4d76b0ef".to_string(),
                Some(0.881578947368421)
            ),
            (
                "01a2230e-1445-7ead-8d4f-47bbbb66a761".to_string(),
                Some(0.7333333333333333)
            ),
        ]
    );
    // Failing marks: 03-25 has no tests, 03-26 and 03-27 have a FAIL.
    let failing: Vec<bool> = s.points.iter().map(|p| p.failing).collect();
    assert_eq!(failing, [false, true, true]);
}

#[test]
fn trend_cursor_moves_point_by_point_and_enter_opens_the_snapshot() {
    let mut a = app((80, 24));
    key(&mut a, KeyCode::Char('j'));
    keys(&mut a, "T");
    keys(&mut a, "accuracy.value");
    key(&mut a, KeyCode::Enter);
    // The cursor starts on the newest point.
    assert_eq!(a.trend_cursor(), Some(2));
    keys(&mut a, "h");
    assert_eq!(a.trend_cursor(), Some(1));
    keys(&mut a, "hh"); // clamped at the oldest
    assert_eq!(a.trend_cursor(), Some(0));
    keys(&mut a, "l");
    assert_eq!(a.trend_cursor(), Some(1));
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.screen, Screen::Detail);
    assert_eq!(
        a.selected_snapshot_id(),
        Some("01a2230e-12fa-7643-9157-31db4d76b0ef")
    );
    // Esc returns to the chart, cursor unchanged.
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.screen, Screen::Trend);
    assert_eq!(a.trend_cursor(), Some(1));
}

#[test]
fn time_window_cycles_and_narrows_points() {
    let mut a = app((80, 24));
    key(&mut a, KeyCode::Char('j'));
    keys(&mut a, "T");
    keys(&mut a, "accuracy.value");
    key(&mut a, KeyCode::Enter);
    let labels: Vec<&str> = (0..5)
        .map(|_| {
            let l = a.window.label();
            keys(&mut a, "t");
            l
        })
        .collect();
    assert_eq!(labels, ["all", "90d", "30d", "7d", "24h"]);
    assert_eq!(a.window, TimeWindow::All);
    // 24h back from the newest run (03-27 02:05:48) holds only that run;
    // 03-26 02:05:49 is 23h59m59s before it, so it is in.
    while a.window != TimeWindow::Hours24 {
        keys(&mut a, "t");
    }
    let w = a.trend_window();
    let s = &a.trend.as_ref().unwrap().series[0];
    assert_eq!(s.range(&w), 1..3);
    assert_eq!(a.trend_cursor(), Some(2));
}

// ----- test history ----------------------------------------------------------

#[test]
fn test_history_rows_failing_first_and_enter_selects_the_test() {
    let mut a = app((80, 24));
    key(&mut a, KeyCode::Char('j'));
    keys(&mut a, "H");
    assert_eq!(a.screen, Screen::TestHistory);
    let h = a.thist.as_ref().unwrap();
    // Python: Wine has 9 distinct test names over its runs (03-26: 3, 03-27: 9,
    // all three of 03-26 again on 03-27); two runs carry tests.
    assert_eq!(h.rows.len(), 9);
    assert_eq!(h.columns.len(), 2);
    let statuses: Vec<TestStatus> = h.rows.iter().map(|r| r.latest_status).collect();
    assert_eq!(
        statuses,
        [
            TestStatus::Fail,
            TestStatus::Fail,
            TestStatus::Fail,
            TestStatus::Fail,
            TestStatus::Fail,
            TestStatus::Fail,
            TestStatus::Warning,
            TestStatus::Success,
            TestStatus::Success
        ]
    );
    // The longest-failing comes first: "Accuracy metric: Greater or Equal
    // 0.892" failed on 03-26 and 03-27.
    assert_eq!(&*h.rows[0].name, "Accuracy metric: Greater or Equal 0.892");
    assert_eq!((h.rows[0].fail_count, h.rows[0].runs), (2, 2));
    assert_eq!(h.rows[0].failing_streak, 2);
    // Cursor moves, h picks the older run, Enter opens it with that test selected.
    keys(&mut a, "h");
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.screen, Screen::Detail);
    assert_eq!(a.detail.tab, Tab::Tests);
    assert_eq!(
        a.selected_snapshot_id(),
        Some("01a2230e-12fa-7643-9157-31db4d76b0ef")
    );
    let t = a.test_rows()[a.detail.tests.sel];
    assert_eq!(&*t.name, "Accuracy metric: Greater or Equal 0.892");
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.screen, Screen::TestHistory);
    // The filter narrows rows.
    keys(&mut a, "/rocauc");
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.history_rows().len(), 1);
}

// ----- drift history -----------------------------------------------------------

#[test]
fn drift_history_sorts_and_opens_the_drift_table() {
    let mut a = app((80, 24));
    keys(&mut a, "D");
    assert_eq!(a.screen, Screen::DriftHistory);
    let d = a.dhist.as_ref().unwrap();
    let order = d.order;
    assert!(!d.rows.is_empty());
    // Most often first: counts never increase down the list.
    assert!(d
        .rows
        .windows(2)
        .all(|w| w[0].drifted_count >= w[1].drifted_count));
    keys(&mut a, "s");
    assert_ne!(a.dhist.as_ref().unwrap().order, order);
    keys(&mut a, "s");
    // By column name.
    let names: Vec<String> = a
        .dhist
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .map(|r| r.column.to_string())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    let col = names[0].clone();
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.screen, Screen::Detail);
    assert_eq!(a.detail.tab, Tab::Drift);
    assert!(a.drift_rows().iter().all(|r| r.column.contains(&*col)));
}

// ----- Now panel -----------------------------------------------------------------

#[test]
fn now_lists_failing_projects_by_severity_then_recency() {
    let a = app((80, 24));
    // Both projects' latest runs with tests have FAIL: Diabetes 2024-04-02
    // 02:28 (checks-2024-04-02, 4 FAIL), Wine 2024-03-27 02:05 (6 FAIL).
    let names: Vec<&str> = a.now.failing.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Diabetes progression regressor",
            "Wine cultivar classifier (multiclass)"
        ]
    );
    assert_eq!(a.now.failing[0].failing.len(), 4);
    assert_eq!(a.now.failing[1].failing.len(), 6);
    assert_eq!(a.now.projects, 2);
}

#[test]
fn now_enter_jumps_to_the_failing_test() {
    let mut a = app((80, 24));
    keys(&mut a, "0");
    assert_eq!(a.browse.focus, Pane::Now);
    // Items: Diabetes, its 4 tests, Wine, its 6 tests.
    assert_eq!(a.now.items(true).len(), 12);
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.screen, Screen::Detail);
    assert_eq!(a.detail.tab, Tab::Tests);
    assert_eq!(a.browse.project_sel.as_deref(), Some(LEGACY));
    assert_eq!(
        a.selected_snapshot_id(),
        Some("01a2230c-c814-70e6-9be0-51e84f7b3ffc")
    );
    // All four FAIL tests started failing in this run; by name the first is
    // "Mean Absolute Error (MAE)" (suite.test_results[2] in the file).
    let t = a.test_rows()[a.detail.tests.sel];
    assert_eq!(
        &*t.description,
        "The MAE is 69.1. The test threshold is eq=45.1 ± 4.51"
    );
    // Esc goes back to the Now panel.
    key(&mut a, KeyCode::Esc);
    assert_eq!((a.screen, a.browse.focus), (Screen::Browse, Pane::Now));
    // A test row of Wine: its first failing test (longest failing, since 03-26).
    let idx = a
        .now
        .items(true)
        .iter()
        .position(|i| *i == NowItem::Test(1, 0))
        .unwrap();
    for _ in 0..idx {
        keys(&mut a, "j");
    }
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.browse.project_sel.as_deref(), Some(WINE));
    let t = a.test_rows()[a.detail.tests.sel];
    assert_eq!(&*t.name, "Accuracy metric: Greater or Equal 0.892");
}

#[test]
fn now_says_all_passing_in_one_line() {
    let a = common::all_passing_app((80, 24));
    assert!(a.now.failing.is_empty());
    let main = ratatui::layout::Rect::new(0, 1, 80, 22);
    assert_eq!(a.now_height(main), 1);
    // Newest snapshot: Diabetes 2024-04-02 02:28:25; now is 14:00 -> 11h.
    assert_eq!(
        a.now_summary(now()),
        "all 2 projects passing · newest run 11h ago"
    );
}

// ----- compare ---------------------------------------------------------------------

#[test]
fn compare_without_a_mark_uses_the_default_pair() {
    // Fixture: no passing run before the failing 04-02 02:28 suite, so A is
    // the previous run with tests, the 03-30 suite (python: statuses per file).
    let mut a = app((80, 24));
    keys(&mut a, "c");
    assert_eq!(a.screen, Screen::Compare);
    let c = a.compare.as_ref().unwrap();
    assert_eq!(c.a.id, "01a2230c-c4c6-7fe2-9895-580ca7959feb");
    assert_eq!(c.b.id, "01a2230c-c814-70e6-9be0-51e84f7b3ffc");
    // With the 03-30 suite passing, Diabetes' default pair is 03-30 (A) vs 04-02 (B).
    let mut a = app((80, 24));
    let p = a.catalog.project(LEGACY).unwrap();
    let mut e = p.snapshots[0].clone();
    let mut s = (*e.snapshot).clone();
    for t in &mut s.tests {
        t.status = TestStatus::Success;
    }
    e.snapshot = Arc::new(s);
    a.apply_events(vec![IndexEvent::SnapshotUpdated(e)], now());
    keys(&mut a, "c");
    assert_eq!(a.screen, Screen::Compare);
    let c = a.compare.as_ref().unwrap();
    assert_eq!(c.a.id, "01a2230c-c4c6-7fe2-9895-580ca7959feb");
    assert_eq!(c.b.id, "01a2230c-c814-70e6-9be0-51e84f7b3ffc");
    // "Number of Rows" (gte=80 in both files) stays SUCCESS: not flipped.
    assert!(c.cmp.flipped.iter().all(|f| f.test != "Number of Rows"));
}

#[test]
fn mark_then_compare_shows_flipped_tests() {
    let mut a = app((80, 24));
    key(&mut a, KeyCode::Char('j'));
    key(&mut a, KeyCode::Tab);
    keys(&mut a, "j"); // 03-26
    keys(&mut a, "m");
    assert_eq!(
        a.mark,
        Some((
            WINE.to_string(),
            "01a2230e-12fa-7643-9157-31db4d76b0ef".to_string()
        ))
    );
    keys(&mut a, "c");
    assert_eq!(a.screen, Screen::Browse, "the marked run is selected");
    keys(&mut a, "k"); // 03-27
    keys(&mut a, "c");
    assert_eq!(a.screen, Screen::Compare);
    let c = a.compare.as_ref().unwrap();
    assert_eq!(c.a.id, "01a2230e-12fa-7643-9157-31db4d76b0ef");
    assert_eq!(c.b.id, "01a2230e-1445-7ead-8d4f-47bbbb66a761");
    // Python, test names and statuses of both files: Row count SUCCESS -> FAIL;
    // four tests only in B and FAIL, two only in B and SUCCESS; the two
    // accuracy thresholds keep FAIL and WARNING.
    let mut flips: Vec<(String, Option<TestStatus>, Option<TestStatus>)> = c
        .cmp
        .flipped
        .iter()
        .map(|f| (f.test.clone(), f.from, f.to))
        .collect();
    flips.sort_by(|x, y| x.0.cmp(&y.0));
    use TestStatus::*;
    let expect = [
        ("Accuracy metric: Equal 0.962 ± 0.192", None, Some(Fail)),
        ("F1 score metric: Equal 0.962 ± 0.192", None, Some(Fail)),
        ("LogLoss metric: Equal 0.187 ± 0.037", None, Some(Fail)),
        ("Precision metric: Equal 0.953 ± 0.191", None, Some(Fail)),
        ("Recall metric: Equal 0.974 ± 0.195", None, Some(Success)),
        ("RocAuc metric: Equal 0.997 ± 0.199", None, Some(Success)),
        (
            "Row count in dataset: Greater or Equal 40.000",
            Some(Success),
            Some(Fail),
        ),
    ];
    let expect: Vec<(String, Option<TestStatus>, Option<TestStatus>)> = expect
        .iter()
        .map(|(n, a, b)| (n.to_string(), *a, *b))
        .collect();
    assert_eq!(flips, expect);
    // The cursor starts on the first flip; Enter opens B with that test selected.
    assert_eq!(c.rows()[c.cursor.sel], CompareRow::Flip(0));
    let first = c.cmp.flipped[0].test.clone();
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.screen, Screen::Detail);
    assert_eq!(&*a.test_rows()[a.detail.tests.sel].name, first.as_str());
    // m on the marked run clears the mark.
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Esc);
    keys(&mut a, "jm");
    assert_eq!(a.mark, None);
}

// ----- dashboard, copy -----------------------------------------------------------

#[test]
fn dashboard_of_the_v2_project_has_its_tabs() {
    // Legacy: metadata.json "dashboard" has tabs Overview, Drift, Tests and 8 panels.
    let mut a = app((80, 24));
    keys(&mut a, "B");
    assert_eq!(a.screen, Screen::Dashboard);
    let d = a.dash.as_ref().unwrap();
    let tabs: Vec<&str> = d.dashboard.tabs.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(tabs, ["Overview", "Drift", "Tests"]);
    assert_eq!(d.views.len(), 8);
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.screen, Screen::Browse);
    let mut a = app((80, 24));
    key(&mut a, KeyCode::Char('j'));
    keys(&mut a, "B");
    assert_eq!(a.screen, Screen::Dashboard);
    let d = a.dash.as_ref().unwrap();
    // dashboard.json tabs: "Overview", "Drift".
    let tabs: Vec<&str> = d.dashboard.tabs.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(tabs, ["Overview", "Drift"]);
    keys(&mut a, "l");
    assert_eq!(a.dash.as_ref().unwrap().tab, 1);
    keys(&mut a, "l");
    assert_eq!(a.dash.as_ref().unwrap().tab, 0);
}

#[test]
fn copy_gives_path_id_and_rows() {
    let mut a = app((80, 24));
    key(&mut a, KeyCode::Tab);
    let fx = keys(&mut a, "y");
    let Effect::Copy(path) = &fx[0] else {
        panic!("{fx:?}")
    };
    assert!(path.ends_with("01a2230c-c814-70e6-9be0-51e84f7b3ffc.json"));
    assert!(a
        .message
        .as_ref()
        .unwrap()
        .0
        .starts_with("copied snapshot path"));
    let fx = keys(&mut a, "Y");
    assert_eq!(
        fx,
        [Effect::Copy(
            "01a2230c-c814-70e6-9be0-51e84f7b3ffc".to_string()
        )]
    );
    key(&mut a, KeyCode::Enter);
    let fx = keys(&mut a, "y");
    let Effect::Copy(row) = &fx[0] else {
        panic!("{fx:?}")
    };
    assert!(row.starts_with("FAIL\t"), "{row}");
}

#[test]
fn trend_picker_typing_searches_and_arrows_move() {
    use snapscope::tui::state::trend::PickerRow;
    let mut a = app((80, 24));
    key(&mut a, KeyCode::Char('j')); // Wine
    keys(&mut a, "T");
    let sel = |a: &snapscope::tui::app::App| {
        let t = a.trend.as_ref().unwrap();
        let p = t.picker.as_ref().unwrap();
        (
            p.text.clone(),
            p.cursor.sel,
            t.picker_rows()
                .get(p.cursor.sel)
                .map(|r| matches!(r, PickerRow::Key(_))),
        )
    };
    // The first row is a group heading: the cursor rests on the first key below it.
    assert_eq!(sel(&a), (String::new(), 1, Some(true)));
    // `j` and `k` are search text, not movement.
    keys(&mut a, "jk");
    assert_eq!(sel(&a).0, "jk");
    key(&mut a, KeyCode::Backspace);
    key(&mut a, KeyCode::Backspace);
    // Arrows, End and Home move; a heading is stepped over.
    key(&mut a, KeyCode::Down);
    assert_eq!(sel(&a), (String::new(), 2, Some(true)));
    key(&mut a, KeyCode::End);
    let (_, last, on_key) = sel(&a);
    assert_eq!(on_key, Some(true));
    assert_eq!(last, a.trend.as_ref().unwrap().picker_rows().len() - 1);
    key(&mut a, KeyCode::Home);
    assert_eq!(sel(&a).1, 1);
    key(&mut a, KeyCode::Up);
    assert_eq!(
        sel(&a).1,
        1,
        "Up from the first key stays (the heading is not a row to rest on)"
    );
}
