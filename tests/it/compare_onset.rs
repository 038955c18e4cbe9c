//! What changed (issue 13, item 4): `compare` without ids compares the onset
//! of the current failure streak, the last run that passed (A) against the
//! first failing run after it (B), and says in `note` how the pair was
//! chosen; `--latest-failure` and the `latest-pass` / `latest-fail`
//! selectors keep the previous default. A test that only changed its
//! condition is one row ("condition changed"). Expected runs are read from
//! the snapshot files with serde_json, independently of snapscope.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use crate::oncall::{read, root, snapscope, text};
use crate::oncall_streak::{runs_by_project, FileRun};

fn compare_json(ws: &Path, project: &str, extra: &[&str]) -> Option<Value> {
    let ws = ws.to_string_lossy();
    let mut args = vec![
        "--tz",
        "utc",
        "compare",
        &ws,
        "--project",
        project,
        "--json",
    ];
    args.extend_from_slice(extra);
    let o = snapscope(&args);
    if o.status.code() == Some(2) {
        return None; // no pair to compare (fewer than two runs with tests)
    }
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    Some(serde_json::from_slice(&o.stdout).unwrap())
}

/// (A, B) of the onset rule from the files: the last passing run with tests
/// and the first failing run with tests after it.
fn onset(runs: &[FileRun]) -> Option<(&FileRun, &FileRun)> {
    let with_tests: Vec<&FileRun> = runs.iter().filter(|r| r.has_tests).collect();
    let last_pass = with_tests.iter().rposition(|r| !r.fails)?;
    let first_fail = with_tests.get(last_pass + 1)?;
    Some((with_tests[last_pass], first_fail))
}

/// (A, B) of the previous default: the latest failing run and the last pass before it.
fn latest_failure(runs: &[FileRun]) -> Option<(&FileRun, &FileRun)> {
    let with_tests: Vec<&FileRun> = runs.iter().filter(|r| r.has_tests).collect();
    let b = with_tests.iter().rposition(|r| r.fails)?;
    let a = with_tests[..b].iter().rposition(|r| !r.fails)?;
    Some((with_tests[a], with_tests[b]))
}

/// Every project of `ws`: the default pair is the onset; returns how many
/// projects had one, and how many were compared.
fn assert_default_pairs(ws: &Path) -> (usize, usize) {
    let (mut onsets, mut compared) = (0, 0);
    for (id, runs) in runs_by_project(ws) {
        let Some(v) = compare_json(ws, &id, &[]) else {
            continue;
        };
        compared += 1;
        let note = v["note"].as_str().unwrap();
        match onset(&runs) {
            Some((a, b)) => {
                onsets += 1;
                assert_eq!(v["a"], a.id.as_str(), "{}: {id}: {v:#}", ws.display());
                assert_eq!(v["b"], b.id.as_str(), "{}: {id}", ws.display());
                assert!(note.starts_with("onset"), "{note}");
            }
            None => assert!(!note.starts_with("onset"), "{id}: {note}"),
        }
        if let Some((a, b)) = latest_failure(&runs) {
            let l = compare_json(ws, &id, &["--latest-failure"]).unwrap();
            assert_eq!(
                (&l["a"], &l["b"]),
                (&Value::from(a.id.as_str()), &Value::from(b.id.as_str()))
            );
            assert!(l["note"].as_str().unwrap().starts_with("latest failure"));
            // The selectors reach the same pair.
            let s = compare_json(ws, &id, &["latest-pass", "latest-fail"]).unwrap();
            let newest_pass = runs.iter().rev().find(|r| r.has_tests && !r.fails).unwrap();
            let newest_fail = runs.iter().rev().find(|r| r.fails).unwrap();
            assert_eq!(s["a"], newest_pass.id.as_str());
            assert_eq!(s["b"], newest_fail.id.as_str());
            assert_eq!(s["note"], "A and B as given");
        }
    }
    (onsets, compared)
}

#[test]
fn the_default_pair_is_the_onset_in_the_samples() {
    // No sample project passed before its failures: each falls back, and says so.
    let (_, compared) = assert_default_pairs(&root().join("sample_snapshots"));
    assert!(compared > 0);
}

#[test]
fn the_default_pair_is_the_onset_in_the_shared_workspaces() {
    let Some(shared) = crate::common::shared("") else {
        return;
    };
    let mut n = 0;
    for ws in ["legacy-0.4", "current-0.7", "heavy-0.4", "heavy-0.7"] {
        n += assert_default_pairs(&shared.join(ws)).0;
    }
    assert!(n > 0);
}

/// The tests of a legacy suite as its configuration lists them: the full
/// configuration, and the configuration without its condition.
fn legacy_tests(v: &Value) -> Vec<(String, String)> {
    const CONDITION: [&str; 8] = ["gt", "gte", "lt", "lte", "eq", "not_eq", "is_in", "not_in"];
    v["suite"]["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let o = t.as_object().unwrap();
            let mut full = BTreeMap::new();
            let mut base = BTreeMap::new();
            for (k, val) in o {
                if k == "is_critical" {
                    continue;
                }
                full.insert(k.clone(), val.to_string());
                if !CONDITION.contains(&k.as_str()) {
                    base.insert(k.clone(), val.to_string());
                }
            }
            (format!("{full:?}"), format!("{base:?}"))
        })
        .collect()
}

/// Legacy Wine: the last two suites run the same tests with other
/// conditions (`jq '.suite.tests'` on both files). A test whose
/// configuration is in one run only, and whose configuration without the
/// condition is once in each, is one "condition changed" row.
#[test]
fn a_test_whose_condition_changed_is_one_row() {
    let Some(shared) = crate::common::shared("legacy-0.4") else {
        return;
    };
    let wine = "01a2230c-f95d-73a0-a6bd-fc50ff8e8664";
    let v = compare_json(&shared, wine, &["--latest-failure"]).unwrap();
    let file = |id: &Value| {
        read(
            &shared
                .join(wine)
                .join("snapshots")
                .join(format!("{}.json", id.as_str().unwrap())),
        )
    };
    let (ta, tb) = (legacy_tests(&file(&v["a"])), legacy_tests(&file(&v["b"])));
    let full_a: BTreeSet<&String> = ta.iter().map(|t| &t.0).collect();
    let full_b: BTreeSet<&String> = tb.iter().map(|t| &t.0).collect();
    let only = |ts: &[(String, String)], other: &BTreeSet<&String>| -> BTreeMap<String, usize> {
        let mut m = BTreeMap::new();
        for (full, base) in ts {
            if !other.contains(full) {
                *m.entry(base.clone()).or_insert(0) += 1;
            }
        }
        m
    };
    let (oa, ob) = (only(&ta, &full_b), only(&tb, &full_a));
    let expected = oa
        .iter()
        .filter(|(base, n)| **n == 1 && ob.get(*base) == Some(&1))
        .count();
    assert!(
        expected > 0,
        "the pair has no condition change: {ta:?} {tb:?}"
    );
    let flipped = v["flipped"].as_array().unwrap();
    let changed: Vec<&Value> = flipped
        .iter()
        .filter(|f| !f["condition_changed"].is_null())
        .collect();
    assert_eq!(changed.len(), expected, "{v:#}");
    for f in &changed {
        // One row with both statuses, both conditions, and both identities.
        assert!(!f["from"].is_null() && !f["to"].is_null(), "{f}");
        let cc = &f["condition_changed"];
        assert_ne!(cc["from"], cc["to"], "{f}");
        assert_ne!(cc["identity_a"], f["identity"], "{f}");
    }
    // No test both vanishes and appears under the same name and condition-free config.
    let o = snapscope(&[
        "compare",
        shared.to_str().unwrap(),
        "--project",
        wine,
        "--latest-failure",
    ]);
    let out = text(&o);
    assert_eq!(
        out.matches("(condition changed)").count(),
        expected,
        "{out}"
    );
    assert!(
        out.contains("pair: latest failure") || out.contains("pair: no run with tests passed"),
        "{out}"
    );
}

/// The explorer: `c` without a mark opens the onset pair, `c` again the
/// latest failure, and `c` once more the onset (legacy Tumor, where the two
/// differ; pairs read from the files).
#[test]
fn the_explorer_opens_the_onset_and_c_switches() {
    use ratatui::crossterm::event::KeyCode;
    use snapscope::index::send_one_shot;
    use snapscope::parse::{ParseOptions, TimeZoneChoice};
    use snapscope::tui::{make_app, TuiOptions};

    let Some(ws) = crate::common::shared("legacy-0.4") else {
        return;
    };
    let tumor = "01a2230c-81ae-78e6-8ae0-202ec1933101";
    let runs = runs_by_project(&ws)
        .into_iter()
        .find(|(id, _)| id == tumor)
        .unwrap()
        .1;
    let (oa, ob) = onset(&runs).unwrap();
    let (la, lb) = latest_failure(&runs).unwrap();
    assert_ne!(
        (&oa.id, &ob.id),
        (&la.id, &lb.id),
        "the two rules differ here"
    );

    let mut o = TuiOptions::new(ws.clone());
    o.tz = TimeZoneChoice::Utc;
    let mut app = make_app(&o, (80, 24));
    let (tx, rx) = crossbeam_channel::unbounded();
    send_one_shot(
        &ws,
        &ParseOptions {
            tz: TimeZoneChoice::Utc,
        },
        &tx,
    );
    drop(tx);
    app.apply_events(rx.into_iter().collect(), crate::common::now());
    app.browse.project_sel = Some(tumor.to_string());
    let pair = |app: &snapscope::tui::app::App| {
        let c = app.compare.as_ref().unwrap();
        (c.a.id.clone(), c.b.id.clone())
    };
    crate::common::press(&mut app, KeyCode::Char('c'));
    assert_eq!(pair(&app), (oa.id.clone(), ob.id.clone()));
    assert!(app.compare.as_ref().unwrap().how.starts_with("onset"));
    crate::common::press(&mut app, KeyCode::Char('c'));
    assert_eq!(pair(&app), (la.id.clone(), lb.id.clone()));
    crate::common::press(&mut app, KeyCode::Char('c'));
    assert_eq!(pair(&app), (oa.id.clone(), ob.id.clone()));
}
