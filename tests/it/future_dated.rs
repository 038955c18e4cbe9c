//! A run dated far in the future (issue 14, item 8) must not make a project
//! fresh or stand in for its latest run: `check` flags a timestamp more than
//! a day ahead of the clock as a warning (text and JSON), judges freshness
//! and tests by the newest run that is not in the future, and the explorer's
//! Now panel says so instead of "newest run fut ago".
//!
//! Built from `tests/fixtures/oncall/pass-ws`'s Tumor project (two suites
//! whose tests all pass, the newer dated `2024-03-14T02:17:29`, no zone) and
//! copies of that newer suite with another id and timestamp.

use crate::common;
use common::{copy_dir, run};

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use chrono::{DateTime, Duration, Utc};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use serde_json::Value;
use snapscope::index::{send_one_shot, IndexEvent};
use snapscope::parse::{ParseOptions, TimeZoneChoice};
use snapscope::tui::{make_app, ui};

const TUMOR: &str = "01a2230c-81ae-78e6-8ae0-202ec1933101";
/// Tumor's newest suite in `pass-ws` (2024-03-14T02:17:29, all SUCCESS).
const TUMOR_PASS: &str = "01a2230c-8ef4-77f4-9d68-34c07e0b68a8";
const FUTURE: &str = "01a2230c-ffff-7fff-8fff-ffffffffffff";
const NEAR_FUTURE: &str = "01a2230c-eeee-7eee-8eee-eeeeeeeeeeee";
const FRESH: &str = "01a2230c-dddd-7ddd-8ddd-dddddddddddd";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A temp copy of Tumor as a one-project workspace.
fn tumor() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    copy_dir(
        &repo().join("tests/fixtures/oncall/pass-ws").join(TUMOR),
        &ws.join(TUMOR),
    );
    (dir, ws)
}

/// Write a copy of the 2024-03-14 suite as snapshot `id` dated `timestamp`
/// (no zone, as Evidently writes it).
fn copy_dated(ws: &Path, id: &str, timestamp: &str) {
    let snaps = ws.join(TUMOR).join("snapshots");
    let text = fs::read_to_string(snaps.join(format!("{TUMOR_PASS}.json"))).unwrap();
    let from = "\"timestamp\": \"2024-03-14T02:17:29";
    assert_eq!(text.matches(from).count(), 1, "one timestamp field");
    let dated = text.replacen(from, &format!("\"timestamp\": \"{timestamp}"), 1);
    fs::write(snaps.join(format!("{id}.json")), dated).unwrap();
}

fn naive(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

fn check(args: &[&str]) -> Output {
    run::snapscope()
        .args(["--no-cache", "--tz", "utc", "check"])
        .args(args)
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(o)))
}

#[test]
fn a_run_dated_far_in_the_future_does_not_make_a_stale_project_fresh() {
    let (_dir, ws) = tumor();
    copy_dated(&ws, FUTURE, "9999-12-31T00:00:00");
    let w = ws.to_str().unwrap();

    let o = check(&[w, "--max-age", "2d", "--json"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let v = json(&o);
    assert_eq!(v["ok"], false);
    let p = &v["projects"][0];
    assert_eq!(p["stale"], true, "{p}");
    assert_eq!(p["status"], "stale", "{p}");
    assert_eq!(p["newest"], "2024-03-14T02:17:29+00:00", "{p}");
    assert_eq!(p["snapshot_id"], TUMOR_PASS, "the future run is not judged");
    assert_eq!(
        p["future_dated"],
        serde_json::json!([{"snapshot_id": FUTURE, "timestamp": "9999-12-31T00:00:00+00:00"}]),
        "{p}"
    );
    let warnings: Vec<&str> = p["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("in the future") && w.contains(FUTURE)),
        "{warnings:?}"
    );

    let o = check(&[w, "--max-age", "2d", "--width", "0"]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.starts_with("STALE"), "{t}");
    assert!(
        t.lines()
            .any(|l| l.trim_start().starts_with("warning:") && l.contains(FUTURE)),
        "{t}"
    );
    let verdict = t.lines().last().unwrap();
    assert!(
        verdict.contains("newest run 2024-03-14 02:17") && !verdict.contains("9999"),
        "{verdict}"
    );

    // Without --max-age the project passes on its real latest run, warned.
    let o = check(&[w, "--width", "0"]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(0), "{t}");
    assert!(t.contains(&format!("run {TUMOR_PASS}")), "{t}");
    assert!(t.contains("warning:"), "{t}");
}

#[test]
fn a_fresh_run_beside_a_future_one_passes_and_a_little_ahead_is_not_flagged() {
    let (_dir, ws) = tumor();
    let now = Utc::now();
    copy_dated(&ws, FRESH, &naive(now - Duration::hours(1)));
    // Two hours ahead is clock skew, not a bad date: it counts.
    let near = now + Duration::hours(2);
    copy_dated(&ws, NEAR_FUTURE, &naive(near));
    let far = now + Duration::days(2);
    copy_dated(&ws, FUTURE, &naive(far));
    let w = ws.to_str().unwrap();
    let o = check(&[w, "--max-age", "2d", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let p = &json(&o)["projects"][0];
    assert_eq!(p["stale"], false, "{p}");
    assert_eq!(p["newest"], format!("{}+00:00", naive(near)), "{p}");
    assert_eq!(p["snapshot_id"], NEAR_FUTURE, "{p}");
    let flagged: Vec<&str> = p["future_dated"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["snapshot_id"].as_str().unwrap())
        .collect();
    assert_eq!(flagged, [FUTURE], "{p}");
}

/// The explorer's Now panel: with nothing failing, its line says the age of
/// the newest run that is not in the future and flags the future one; the
/// timeline flags its row.
#[test]
fn the_explorer_flags_a_future_run_instead_of_calling_it_newest() {
    let (_dir, ws) = tumor();
    copy_dated(&ws, FUTURE, "9999-12-31T00:00:00");
    let (tx, rx) = crossbeam_channel::unbounded();
    send_one_shot(
        &ws,
        &ParseOptions {
            tz: TimeZoneChoice::Utc,
        },
        &tx,
    );
    drop(tx);
    let events: Vec<IndexEvent> = rx.into_iter().collect();
    let mut opts = snapscope::tui::TuiOptions::new(ws.clone());
    opts.tz = TimeZoneChoice::Utc;
    let mut app = make_app(&opts, (100, 30));
    // A fixed clock: 2024-04-02 14:00 UTC, 19 days after the 2024-03-14 run.
    let now = common::now();
    app.apply_events(events, now);
    let line = app.now_summary(now);
    assert!(line.contains("newest run 19d ago"), "{line}");
    assert!(line.contains("1 run dated in the future"), "{line}");
    assert!(!line.contains("fut ago"), "{line}");
    // Its timeline row is flagged (`!`) and shows its year, even where the
    // pane is too narrow for years (`12-31 00:00` would pass for this one).
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| ui::draw(f, &app, now)).unwrap();
    let screen = t.backend().to_string();
    assert!(screen.contains("! 9999-12-31"), "{screen}");
    assert!(screen.contains("  03-14 02:17"), "{screen}");
}
