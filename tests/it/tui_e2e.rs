//! End-to-end: the real binary in a pseudo-terminal (portable-pty + vt100),
//! driven by keys, on a copy of the fixture workspace.
//!
//! They run `snapscope PATH` (the explorer on the live index) and check what
//! a user would see. `SNAPSCOPE_E2E_BIN` may point at another binary taking
//! the same `PATH` argument (e.g. the `tui_demo` example).

use crate::common;
use common::{copy_dir, run};

use std::path::PathBuf;
use std::time::Duration;

use common::pty::Pty;
use common::{fixture_root, WINE};

const T: Duration = Duration::from_secs(15);

fn bin() -> PathBuf {
    match std::env::var_os("SNAPSCOPE_E2E_BIN") {
        Some(p) => PathBuf::from(p),
        None => run::bin(),
    }
}

/// A temp copy of the fixture workspace and the program running on it at 100x30.
fn start() -> (tempfile::TempDir, Pty) {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    copy_dir(&fixture_root(), &ws);
    let pty = Pty::spawn(
        &bin(),
        &[ws.to_str().unwrap()],
        100,
        30,
        &[("TZ", "UTC")],
        dir.path(),
    );
    pty.wait_for_text("Diabetes progression regressor", T);
    pty.wait_for_text("7 snapshots", T);
    (dir, pty)
}

#[test]
fn navigate_to_a_failing_test_and_a_drift_table_filter_and_quit() {
    let (_dir, mut p) = start();
    // Wine project, newest run, Tests tab: the failing accuracy test's
    // description as written in the file (metric_results[*].tests[*].description).
    p.send("j\t\r");
    p.wait_for_text("Accuracy metric: Actual value 0.733", T);
    // Back to Diabetes, the 2024-04-01 report, Drift tab. Each Esc waits for
    // the screen to change, so it is not read as Alt + the next key.
    p.send("\x1b");
    p.wait_for_text("Projects (2)", T);
    p.send("\x1b");
    p.wait_for_text("runs  age fails", T);
    p.send("k\tjj\r2");
    p.wait_for_text("4/4 columns drifted", T);
    p.wait_for_text("Wasserstein distance", T);
    // Filter the drift rows.
    p.send("/bmi\r");
    p.wait_for_text("filter /bmi", T);
    p.wait_for_absent("prediction", T);
    p.wait_for_text("K-S p_value", T);
    // Help overlay from the key map, closed with Esc.
    p.send("?");
    p.wait_for_text("show / hide this help", T);
    p.send("\x1b");
    p.wait_for_absent("show / hide this help", T);
    p.send("q");
    assert_eq!(p.wait_exit(T), 0);
    assert!(p.restored(), "terminal not restored:\n{}", p.screen());
}

#[test]
fn sigterm_restores_the_terminal() {
    let (_dir, mut p) = start();
    let pid = p.pid().expect("pid");
    let st = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    // 128 + SIGTERM, as `tui::ExitReason::Signal(15)` asks.
    assert_eq!(p.wait_exit(T), 143);
    assert!(p.restored(), "terminal not restored:\n{}", p.screen());
}

#[test]
fn too_small_and_back() {
    let (_dir, mut p) = start();
    p.resize(40, 12);
    p.wait_for_text("terminal too small (40x12)", T);
    p.resize(100, 30);
    p.wait_for_text("Projects (2)", T);
    p.send("q");
    assert_eq!(p.wait_exit(T), 0);
}

#[test]
fn a_new_snapshot_file_appears_without_a_keypress() {
    let (dir, mut p) = start();
    p.send("j\t");
    p.wait_for_text("daily-2024-03-26", T);
    // A copy of the 03-27 run with a new id and name, written next to it.
    let snaps = dir.path().join("ws").join(WINE).join("snapshots");
    let src =
        std::fs::read_to_string(snaps.join("01a2230e-1445-7ead-8d4f-47bbbb66a761.json")).unwrap();
    let new = src.replacen("\"name\": null", "\"name\": \"e2e-live-run\"", 1);
    assert_ne!(src, new);
    let tmp = dir.path().join("new.json.part");
    std::fs::write(&tmp, new).unwrap();
    std::fs::rename(
        &tmp,
        snaps.join("01a2230e-aaaa-7000-8000-000000000001.json"),
    )
    .unwrap();
    p.wait_for_text("e2e-live-run", Duration::from_secs(30));
    p.send("q");
    assert_eq!(p.wait_exit(T), 0);
    assert!(p.restored());
}

#[test]
fn now_lists_failures_enter_reaches_the_test_and_compare_shows_flips() {
    let (_dir, mut p) = start();
    // Both projects' latest runs with tests have FAIL (read from the files:
    // Diabetes checks-2024-04-02, Wine run of 2024-03-27).
    p.wait_for_text("Now: 2 of 2 projects failing", T);
    p.wait_for_text("4 failing", T);
    p.wait_for_text("6 failing", T);
    // Focus the Now panel; Enter opens Diabetes' latest suite on the Tests tab
    // with its first failing test selected (suite.test_results[2] in the file).
    p.send("0");
    p.wait_for_text("Mean Absolute Percentage Error (MAPE)", T);
    p.send("\r");
    p.wait_for_text("The MAE is 69.1. The test threshold is eq=45.1", T);
    // Back to the Now panel, then to the projects list.
    p.send("\x1b");
    p.wait_for_text("Now: 2 of 2 projects failing", T);
    p.send("0");
    p.wait_for_absent("Mean Absolute Percentage Error (MAPE)", T);
    // Wine: mark the 03-26 run, select the 03-27 run, compare.
    p.send("j\tj");
    p.wait_for_text("Wine cultivar classifier (multiclass) (3)", T);
    p.send("m");
    p.wait_for_text("marked 01a2230e-12fa", T);
    p.send("kc");
    p.wait_for_text("Tests that flipped (7)", T);
    p.wait_for_text("Row count in dataset: Greater or Equal 40.000", T);
    p.send("q");
    assert_eq!(p.wait_exit(T), 0);
    assert!(p.restored(), "terminal not restored:\n{}", p.screen());
}

/// Write a copy of Wine's newest run (01a2230e-1445, "timestamp"
/// 2024-03-27T02:05:48 in the file) a day later under a new id and name
/// into the running program's workspace: written aside, then renamed in.
fn write_newer_wine_run(dir: &std::path::Path, name: &str) {
    let snaps = dir.join("ws").join(WINE).join("snapshots");
    let src =
        std::fs::read_to_string(snaps.join("01a2230e-1445-7ead-8d4f-47bbbb66a761.json")).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&src).unwrap();
    assert_eq!(doc["timestamp"], "2024-03-27T02:05:48");
    doc["timestamp"] = "2024-03-28T02:05:48".into();
    doc["name"] = name.into();
    let tmp = dir.join("newer.json.part");
    std::fs::write(&tmp, serde_json::to_vec(&doc).unwrap()).unwrap();
    std::fs::rename(
        &tmp,
        snaps.join("01a2230e-bbbb-7000-8000-000000000001.json"),
    )
    .unwrap();
}

/// Keys are read in order: once the help shows (and goes), every key
/// typed before it was handled.
fn barrier(p: &mut Pty) {
    p.send("?");
    p.wait_for_text("show / hide this help", T);
    p.send("\x1b");
    p.wait_for_absent("show / hide this help", T);
}

#[test]
fn a_new_run_above_the_cursor_shows_a_new_above_marker() {
    let (dir, mut p) = start();
    // Wine's timeline, cursor one row below the newest (the 03-26 run).
    p.send("j\t");
    p.wait_for_text("daily-2024-03-26", T);
    p.send("j");
    barrier(&mut p);
    assert!(!p.screen().contains("new above"));
    write_newer_wine_run(dir.path(), "e2e-newer-run");
    p.wait_for_text("e2e-newer-run", Duration::from_secs(30));
    p.wait_for_text("↑ 1 new above (g)", T);
    // Going to the top clears it.
    p.send("g");
    p.wait_for_absent("new above", T);
    p.send("q");
    assert_eq!(p.wait_exit(T), 0);
    assert!(p.restored());
}

#[test]
fn on_the_newest_row_the_timeline_follows_a_new_run() {
    let (dir, mut p) = start();
    p.send("j\t");
    p.wait_for_text("daily-2024-03-26", T);
    barrier(&mut p);
    write_newer_wine_run(dir.path(), "e2e-followed-run");
    p.wait_for_text("e2e-followed-run", Duration::from_secs(30));
    assert!(!p.screen().contains("new above"), "{}", p.screen());
    // Enter opens the selected run: the new one, named and dated as written.
    p.send("\r");
    p.wait_for_absent("daily-2024-03-26", T);
    p.wait_for_text("e2e-followed-run", T);
    p.wait_for_text("2024-03-28 02:05", T);
    p.send("q");
    assert_eq!(p.wait_exit(T), 0);
    assert!(p.restored());
}
