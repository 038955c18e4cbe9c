//! Drift labels say what they count (issue 13, item 5): drifted columns out
//! of columns measured, from the run's dataset-level drift metric (legacy
//! `DatasetDriftMetric` / `DataDriftTable` counts; v2 `DriftedColumnsCount`
//! count and share, total = count / share), else the per-column verdicts.
//! Expected figures are read from the snapshot files with serde_json here,
//! independently of snapscope's parser, and compared with `snapshots --json`.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::oncall::{read, root, snapscope, text};

/// (drifted, columns) as the file says, or `None` when it reports no
/// dataset-level figure. Legacy per-column counts are included; v2
/// per-column verdicts are inferred by snapscope and are left out here.
pub(crate) fn expected_from_file(v: &Value) -> Option<(u64, Option<u64>, bool)> {
    if let Some(results) = v["suite"]["metric_results"].as_array() {
        for m in results {
            let t = m["type"].as_str().unwrap_or("");
            if t.ends_with(":DatasetDriftMetricResults") || t.ends_with(":DataDriftTableResults") {
                return Some((
                    m["number_of_drifted_columns"].as_u64().unwrap(),
                    m["number_of_columns"].as_u64(),
                    true,
                ));
            }
        }
        let verdicts: Vec<bool> = results
            .iter()
            .filter(|m| {
                m["type"]
                    .as_str()
                    .is_some_and(|t| t.ends_with(":ColumnDataDriftMetrics"))
            })
            .filter_map(|m| m["drift_detected"].as_bool())
            .collect();
        if !verdicts.is_empty() {
            let n = verdicts.iter().filter(|d| **d).count() as u64;
            return Some((n, Some(verdicts.len() as u64), true));
        }
        return None;
    }
    let results = v["metric_results"].as_object()?;
    for r in results.values() {
        let ty = r["metric_value_location"]["metric"]["params"]["type"]
            .as_str()
            .unwrap_or("");
        if ty.ends_with(":DriftedColumnsCount") {
            let count = r["count"]["value"].as_f64().unwrap();
            let share = r["share"]["value"].as_f64().unwrap();
            let total = (share > 0.0).then(|| (count / share).round() as u64);
            return Some((count as u64, total, true));
        }
    }
    // v2 per-column drift: the verdict is inferred; only presence is checked.
    let has_value_drift = results.values().any(|r| {
        r["metric_value_location"]["metric"]["params"]["type"]
            .as_str()
            .is_some_and(|t| t.ends_with(":ValueDrift"))
    });
    has_value_drift.then_some((0, None, false))
}

fn snapshot_files(ws: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in fs::read_dir(ws).unwrap() {
        let snaps = dir.unwrap().path().join("snapshots");
        if !snaps.is_dir() {
            continue;
        }
        for f in fs::read_dir(&snaps).unwrap() {
            let p = f.unwrap().path();
            if p.extension().is_some_and(|e| e == "json") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Compare every snapshot of `ws`; returns how many carried a count.
fn assert_counts_match(ws: &Path) -> usize {
    let o = snapscope(&["snapshots", ws.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let rows: Value = serde_json::from_slice(&o.stdout).unwrap();
    let by_id: HashMap<&str, &Value> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].as_str().unwrap(), r))
        .collect();
    let mut counted = 0;
    for f in snapshot_files(ws) {
        let id = f.file_stem().unwrap().to_str().unwrap();
        let got = &by_id[id]["drift_count"];
        match expected_from_file(&read(&f)) {
            None => assert!(
                got.is_null(),
                "{}: expected no drift count, got {got}",
                f.display()
            ),
            Some((_, _, false)) => assert!(
                got["source"] == "column_rows",
                "{}: v2 per-column drift only, got {got}",
                f.display()
            ),
            Some((drifted, columns, true)) => {
                counted += 1;
                assert_eq!(
                    got["drifted"].as_u64(),
                    Some(drifted),
                    "{}: {got}",
                    f.display()
                );
                assert_eq!(got["columns"].as_u64(), columns, "{}: {got}", f.display());
                // The share is the one the JSON row reports too.
                assert_eq!(got["share"], by_id[id]["drift_share"], "{}", f.display());
            }
        }
    }
    counted
}

#[test]
fn drift_counts_match_the_files_in_the_samples() {
    let n = assert_counts_match(&root().join("sample_snapshots"));
    assert!(n > 0, "no sample snapshot reports drift");
}

#[test]
fn drift_counts_match_the_files_in_the_shared_workspaces() {
    let Some(shared) = crate::common::shared("") else {
        return;
    };
    for ws in ["legacy-0.4", "current-0.7", "heavy-0.4", "heavy-0.7"] {
        let n = assert_counts_match(&shared.join(ws));
        assert!(n > 0, "{ws}: no snapshot reports drift");
    }
}

/// A run that measured one column shows `1/1`, not `100%` (the legacy wine
/// project's weekly reports: one `ColumnDriftMetric`, drifted).
#[test]
fn one_measured_column_reads_one_of_one() {
    let ws = root().join("sample_snapshots");
    let mut found = false;
    for f in snapshot_files(&ws) {
        if let Some((1, Some(1), true)) = expected_from_file(&read(&f)) {
            let id = f.file_stem().unwrap().to_str().unwrap();
            let o = snapscope(&["show", ws.to_str().unwrap(), id]);
            let out = text(&o);
            assert!(out.contains("DRIFT: 1 of 1 column drifted (100%)"), "{out}");
            found = true;
        }
    }
    assert!(found, "no sample run measured exactly one drifted column");
}

// ------------------------------------------------------------ rendering

mod render {
    use chrono::{TimeZone, Utc};
    use ratatui::backend::TestBackend;
    use ratatui::crossterm::event::KeyCode;
    use ratatui::Terminal;
    use snapscope::index::send_one_shot;
    use snapscope::parse::{ParseOptions, TimeZoneChoice};
    use snapscope::tui::{make_app, ui, TuiOptions};

    use crate::common::press;

    /// Five runs of the real heavy-0.7 "Sensor fleet telemetry" project:
    /// dataset-level drift only (`DriftedColumnsCount`), shares 10–14%.
    const FIXTURE: &str = "tests/fixtures/drift-count";

    fn screen(w: u16, h: u16, keys: &[KeyCode]) -> String {
        let mut o = TuiOptions::new(FIXTURE.into());
        o.tz = TimeZoneChoice::Utc;
        let mut app = make_app(&o, (w, h));
        let (tx, rx) = crossbeam_channel::unbounded();
        send_one_shot(
            FIXTURE.as_ref(),
            &ParseOptions {
                tz: TimeZoneChoice::Utc,
            },
            &tx,
        );
        drop(tx);
        let now = Utc.with_ymd_and_hms(2024, 5, 21, 12, 0, 0).unwrap();
        app.apply_events(rx.into_iter().collect(), now);
        for k in keys {
            press(&mut app, *k);
        }
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| ui::draw(f, &app, now)).unwrap();
        t.backend().to_string()
    }

    /// The drift history of dataset-level-only runs opens, says so, and its
    /// share axis is scaled to the data (shares 10–14%: top 20%, not 100%).
    #[test]
    fn drift_history_of_dataset_level_counts() {
        for (w, h) in [(80, 24), (200, 50)] {
            let s = screen(w, h, &[KeyCode::Char('D')]);
            // 2024-05-21 run: count 25, share 0.10416… → 25 of 240 (read above).
            assert!(s.contains("last 25 of 240 columns drifted (10%)"), "{s}");
            assert!(s.contains(" 20%"), "axis top is 20%: {s}");
            assert!(!s.contains("100%"), "{s}");
            assert!(s.contains("only the dataset-level count"), "{s}");
            insta::assert_snapshot!(format!("drift_history_counts_{w}x{h}"), s);
        }
    }

    /// The run list labels each run `drifted/columns` (the timeline focused,
    /// so at 80 columns it is wide enough for the drift column).
    #[test]
    fn run_list_shows_counts() {
        let s = screen(80, 24, &[KeyCode::Tab]);
        for label in ["27/240", "25/240", "31/240", "33/240"] {
            assert!(s.contains(label), "{label}: {s}");
        }
    }
}
