//! Whole-corpus test: every snapshot in ../shared/evidently-workspaces (real
//! files written by Evidently 0.4.40 and 0.7.23) parses, and per project the
//! counts, kinds, test-status totals, some drift rows and metric values equal
//! what Python's json module reads from the same files.
//!
//! The corpus lives outside the repository. CI has it; a user's clone does
//! not, and then every test here prints that it was SKIPPED and passes.
//!
//! Expected numbers were produced with (run inside evidently-workspaces/):
//! ```text
//! python3 - <<'PY'
//! import json,os,collections
//! for gen in ['legacy-0.4','current-0.7']:
//!   for proj in sorted(os.listdir(gen)):
//!     d=os.path.join(gen,proj,'snapshots')
//!     if not os.path.isdir(d): continue
//!     kinds=collections.Counter(); st=collections.Counter(); n=0
//!     for f in sorted(os.listdir(d)):
//!       s=json.load(open(os.path.join(d,f))); n+=1
//!       if 'suite' in s:
//!         kinds['report' if s.get('metrics_ids') else 'test_suite']+=1
//!         for r in s['suite'].get('test_results',[]): st[r['status']]+=1
//!       else:
//!         kinds['run']+=1
//!         for r in s['metric_results'].values():
//!           for t in r.get('tests') or []: st[t['status']]+=1
//!     print(gen,proj,n,dict(kinds),dict(st))
//! PY
//! ```
//! The totals also agree with the corpus README (legacy: SUCCESS 655, FAIL
//! 156, WARNING 33; current: SUCCESS 765, FAIL 223, WARNING 58).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use snapscope::model::{Snapshot, SnapshotKind, TestCounts};
use snapscope::parse::{parse_snapshot, ParseOptions, TimeZoneChoice};

fn corpus() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/evidently-workspaces");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!(
            "SKIPPED: {} is absent (it exists in CI, not in a user's clone)",
            p.display()
        );
        None
    }
}

/// The one series of a snapshot whose key starts and ends so (a metric's
/// column list sits in the middle of its key).
fn only_series<'a>(
    s: &'a Snapshot,
    prefix: &str,
    suffix: &str,
) -> Option<snapscope::model::SeriesRef<'a>> {
    let found: Vec<_> = s
        .series
        .iter()
        .filter(|v| v.key.starts_with(prefix) && v.key.ends_with(suffix))
        .collect();
    assert_eq!(found.len(), 1, "{prefix}…{suffix}");
    found.first().copied()
}

fn parse_project(dir: &Path) -> Vec<Snapshot> {
    let mut out = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("snapshots"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let project_id = dir.file_name().unwrap().to_string_lossy().to_string();
    for f in files {
        let id = f.file_stem().unwrap().to_string_lossy().to_string();
        let bytes = std::fs::read(&f).unwrap();
        let opts = ParseOptions {
            tz: TimeZoneChoice::Utc,
        };
        match parse_snapshot(&bytes, &id, &project_id, &opts) {
            Ok(s) => out.push(s),
            Err(e) => panic!("{}: {e}", f.display()),
        }
    }
    out
}

struct Expect {
    snapshots: usize,
    reports: usize,
    test_suites: usize,
    runs: usize,
    success: u32,
    fail: u32,
    warning: u32,
}

#[test]
fn every_project_matches_python() {
    let Some(root) = corpus() else { return };
    #[rustfmt::skip]
    let expected: BTreeMap<&str, Expect> = [
        ("legacy-0.4/01a2230c-81ae-78e6-8ae0-202ec1933101", Expect { snapshots: 40, reports: 30, test_suites: 10, runs: 0, success: 92, fail: 11, warning: 9 }),
        ("legacy-0.4/01a2230c-a779-7dfb-9102-2aa2f6dbe42d", Expect { snapshots: 40, reports: 30, test_suites: 10, runs: 0, success: 52, fail: 17, warning: 5 }),
        ("legacy-0.4/01a2230c-c98c-7341-940c-9f33eda5eb9f", Expect { snapshots: 35, reports: 18, test_suites: 17, runs: 0, success: 476, fail: 114, warning: 14 }),
        ("legacy-0.4/01a2230c-f95d-73a0-a6bd-fc50ff8e8664", Expect { snapshots: 30, reports: 24, test_suites: 6, runs: 0, success: 35, fail: 14, warning: 5 }),
        ("current-0.7/01a2230d-9847-7140-9b8f-4b00e3502eb7", Expect { snapshots: 30, reports: 0, test_suites: 0, runs: 30, success: 217, fail: 71, warning: 23 }),
        ("current-0.7/01a2230d-b8d2-7113-98bf-36daa2d1f948", Expect { snapshots: 30, reports: 0, test_suites: 0, runs: 30, success: 143, fail: 55, warning: 16 }),
        ("current-0.7/01a2230d-d63c-70c3-b4c7-156719f977bb", Expect { snapshots: 34, reports: 0, test_suites: 0, runs: 34, success: 330, fail: 64, warning: 10 }),
        ("current-0.7/01a2230e-0168-7ab7-adff-7641d9b536e9", Expect { snapshots: 24, reports: 0, test_suites: 0, runs: 24, success: 75, fail: 33, warning: 9 }),
    ]
    .into_iter()
    .collect();
    for (rel, e) in &expected {
        let snaps = parse_project(&root.join(rel));
        let kind = |k: SnapshotKind| snaps.iter().filter(|s| s.kind == k).count();
        assert_eq!(snaps.len(), e.snapshots, "{rel}: snapshots");
        assert_eq!(kind(SnapshotKind::Report), e.reports, "{rel}: reports");
        assert_eq!(
            kind(SnapshotKind::TestSuite),
            e.test_suites,
            "{rel}: test suites"
        );
        assert_eq!(kind(SnapshotKind::Run), e.runs, "{rel}: runs");
        let mut t = TestCounts::default();
        for s in &snaps {
            for o in &s.tests {
                t.add(o.status);
            }
        }
        assert_eq!(
            (t.success, t.fail, t.warning, t.error, t.skipped),
            (e.success, e.fail, e.warning, 0, 0),
            "{rel}: statuses"
        );
        // Every snapshot has a timestamp and a stable test identity per test.
        for s in &snaps {
            let mut ids: Vec<&str> = s.tests.iter().map(|t| &*t.identity).collect();
            ids.sort();
            let n = ids.len();
            ids.dedup();
            assert_eq!(ids.len(), n, "{rel}/{}: duplicate test identities", s.id);
        }
    }
}

fn one(root: &Path, rel_project: &str, id: &str) -> Snapshot {
    let f = root
        .join(rel_project)
        .join("snapshots")
        .join(format!("{id}.json"));
    let bytes = std::fs::read(&f).unwrap();
    parse_snapshot(
        &bytes,
        id,
        "p",
        &ParseOptions {
            tz: TimeZoneChoice::Utc,
        },
    )
    .unwrap()
}

/// Values read with:
/// `python3 -c "import json;s=json.load(open(F));r=[r for r in s['suite']['metric_results'] if r.get('type','').endswith('DataDriftTableResults')][0]['drift_by_columns'];print({c:(r[c]['stattest_name'],r[c]['drift_score'],r[c]['stattest_threshold'],r[c]['drift_detected']) for c in sorted(r)[:3]})"`
#[test]
fn legacy_drift_table_and_values() {
    let Some(root) = corpus() else { return };
    let s = one(
        &root,
        "legacy-0.4/01a2230c-81ae-78e6-8ae0-202ec1933101",
        "01a2230c-89d6-78eb-97da-4a71b3790f78",
    );
    assert_eq!(s.timestamp.to_rfc3339(), "2024-03-10T02:10:26+00:00");
    let row = |c: &str| {
        s.drift
            .iter()
            .find(|d| &*d.column == c)
            .unwrap_or_else(|| panic!("no drift row {c}"))
    };
    for (col, score) in [
        ("mean concavity", 0.5150024116992871),
        ("mean radius", 0.3918843185853083),
        ("mean texture", 0.1421658386235597),
    ] {
        let r = row(col);
        assert_eq!(r.column_type.as_deref(), Some("num"));
        assert_eq!(r.method.as_deref(), Some("K-S p_value"));
        assert_eq!(r.score, Some(score));
        assert_eq!(r.threshold, Some(0.05));
        assert_eq!(r.drifted, Some(false));
        assert!(!r.inferred);
    }
    assert_eq!(
        only_series(
            &s,
            "DatasetDriftMetric{columns=[",
            ",drift_share=0.5}.share_of_drifted_columns"
        )
        .and_then(|v| v.value),
        Some(0.16666666666666666)
    );
    assert_eq!(
        s.series_value("ClassificationQualityMetric.current.accuracy")
            .and_then(|v| v.value),
        Some(0.9662921348314607)
    );
    assert_eq!(s.drift_share(), Some(0.16666666666666666));
}

/// Values read with the corpus README's one-liner:
/// `jq -c '.metric_results[] | .metric_value_location.metric.params as $p | select($p.type=="evidently:metric_v2:ValueDrift") | {col:$p.column, method:$p.method, thr:$p.threshold, score:.value, test:(.tests[0].status // null)}' F`
#[test]
fn v2_drift_and_values() {
    let Some(root) = corpus() else { return };
    let s = one(
        &root,
        "current-0.7/01a2230d-9847-7140-9b8f-4b00e3502eb7",
        "01a2230d-a023-764c-a76c-3229f56e2e7f",
    );
    assert_eq!(s.kind, SnapshotKind::Run);
    assert_eq!(s.timestamp.to_rfc3339(), "2024-03-10T02:10:26+00:00");
    for (col, score) in [
        ("mean radius", 0.3918843185853083),
        ("worst area", 0.2641901639732949),
        ("mean concavity", 0.5150024116992871),
    ] {
        let r = s.drift.iter().find(|d| &*d.column == col).unwrap();
        assert_eq!(r.method.as_deref(), Some("K-S p_value"));
        assert_eq!(r.threshold, Some(0.05));
        assert_eq!(r.score, Some(score));
        // The drift test passed: not drifted, read from the file, not inferred.
        assert_eq!(r.drifted, Some(false));
        assert!(!r.inferred);
        // Column type from the DataDriftPreset table widget:
        // jq -c '.widgets[] | select(.type=="big_table") | .params.data[] | {column_name, column_type, data_drift}' F
        assert_eq!(r.column_type.as_deref(), Some("num"));
    }
    let site = s.drift.iter().find(|d| &*d.column == "site").unwrap();
    assert_eq!(site.column_type.as_deref(), Some("cat"));
    assert_eq!(site.method.as_deref(), Some("chi-square p_value"));
    assert_eq!(site.drifted, Some(true));
    assert_eq!(
        s.series_value("Accuracy.value").and_then(|v| v.value),
        Some(0.9662921348314607)
    );
    assert_eq!(
        only_series(
            &s,
            "DriftedColumnsCount{columns=[",
            ",drift_share=0.5}.share"
        )
        .and_then(|v| v.value),
        Some(0.16666666666666666)
    );
    assert_eq!(
        s.series_value("ValueDrift{column=mean radius,method=K-S p_value}.value")
            .and_then(|v| v.value),
        Some(0.3918843185853083)
    );
    // The same day's legacy report computed the same numbers from the same data.
    let l = one(
        &root,
        "legacy-0.4/01a2230c-81ae-78e6-8ae0-202ec1933101",
        "01a2230c-89d6-78eb-97da-4a71b3790f78",
    );
    assert_eq!(
        l.series_value("ClassificationQualityMetric.current.accuracy")
            .and_then(|v| v.value),
        s.series_value("Accuracy.value").and_then(|v| v.value)
    );
}

/// Series keys line up: a key present in one run of a project with the same
/// metric configuration is present in the others (checked on Accuracy and on
/// the drift share, which every report of the tumor project has).
#[test]
fn series_keys_are_stable_across_runs() {
    let Some(root) = corpus() else { return };
    let snaps = parse_project(&root.join("current-0.7/01a2230d-9847-7140-9b8f-4b00e3502eb7"));
    let with = |k: &str| snaps.iter().filter(|s| s.series_value(k).is_some()).count();
    // python: sum(any(r['metric_value_location']['metric']['params']['type'].endswith(':Accuracy') for r in s['metric_results'].values()) for s in runs)
    assert_eq!(
        with("Accuracy.value"),
        accuracy_runs(&root.join("current-0.7/01a2230d-9847-7140-9b8f-4b00e3502eb7"))
    );
}

fn accuracy_runs(dir: &Path) -> usize {
    // Independent count by plain text search of the type tag, one per file.
    std::fs::read_dir(dir.join("snapshots"))
        .unwrap()
        .filter(|e| {
            let text = std::fs::read_to_string(e.as_ref().unwrap().path()).unwrap();
            text.contains("\"type\": \"evidently:metric_v2:Accuracy\"")
        })
        .count()
}
