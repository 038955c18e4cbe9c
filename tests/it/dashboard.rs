//! Configured dashboards evaluated against real snapshots (Evidently 0.4.40
//! and 0.7.23 files in ../shared/evidently-workspaces). The corpus lives
//! outside the repository: when it is absent every test prints SKIPPED and
//! passes.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;
use snapscope::analysis::dashboard::{
    evaluate, Dashboard, Line, PanelContent, PanelKind, PanelValue, ValueSelector,
};
use snapscope::index::{Catalog, Fingerprint, ProjectEntry, SnapshotEntry};
use snapscope::model::{Project, SnapshotKind};
use snapscope::parse::{parse_snapshot, ParseOptions, TimeZoneChoice};

const TUMOR_LEGACY: &str = "legacy-0.4/01a2230c-81ae-78e6-8ae0-202ec1933101";
const TUMOR_V2: &str = "current-0.7/01a2230d-9847-7140-9b8f-4b00e3502eb7";

fn corpus() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/evidently-workspaces");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("SKIPPED: {} is absent", p.display());
        None
    }
}

fn read_json(p: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

/// A project entry built the way the app builds it: every snapshot parsed
/// (naive timestamps as UTC) and inserted into a catalog.
fn load_project(dir: &Path) -> ProjectEntry {
    let id = dir.file_name().unwrap().to_string_lossy().to_string();
    let mut catalog = Catalog::new();
    catalog.upsert_project(Project {
        id: id.clone(),
        name: id.clone(),
        description: None,
        folder: dir.to_path_buf(),
        created_at: None,
        warning: None,
        dashboard: None,
    });
    let opts = ParseOptions {
        tz: TimeZoneChoice::Utc,
    };
    for e in std::fs::read_dir(dir.join("snapshots")).unwrap() {
        let path = e.unwrap().path();
        let sid = path.file_stem().unwrap().to_string_lossy().to_string();
        let snapshot = parse_snapshot(&std::fs::read(&path).unwrap(), &sid, &id, &opts)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        catalog.upsert_snapshot(SnapshotEntry {
            path: path.into(),
            fingerprint: Fingerprint {
                len: 0,
                mtime: None,
                ..Fingerprint::default()
            },
            snapshot: Arc::new(snapshot),
        });
    }
    catalog.project(&id).unwrap().clone()
}

fn dashboard_of(dir: &Path) -> Dashboard {
    let v2 = dir.join("dashboard.json");
    if v2.is_file() {
        snapscope::parse::dashboard::v2(&read_json(&v2)).unwrap()
    } else {
        snapscope::parse::dashboard::legacy(&read_json(&dir.join("metadata.json"))["dashboard"])
            .unwrap()
    }
}

fn assert_points(line: &Line, expected: &[(&str, f64)]) {
    let got: Vec<(&str, f64)> = line
        .points
        .iter()
        .map(|p| (p.snapshot_id.as_str(), p.value))
        .collect();
    assert_eq!(got.len(), expected.len(), "{}: {got:?}", line.legend);
    for ((gid, gv), (eid, ev)) in got.iter().zip(expected) {
        assert_eq!(gid, eid, "{}", line.legend);
        // jq prints 17 significant digits; allow for the last one.
        assert!(
            (gv - ev).abs() <= ev.abs() * 1e-15,
            "{} {gid}: {gv} != {ev}",
            line.legend
        );
    }
}

fn plot_lines<'a>(
    views: &'a [snapscope::analysis::dashboard::PanelView],
    title: &str,
) -> &'a [Line] {
    let v = views.iter().find(|v| v.title == title).unwrap();
    match &v.content {
        PanelContent::Plot { lines, .. } => lines,
        other => panic!("{title}: {other:?}"),
    }
}

/// Expected points read with (inside the legacy Tumor project's snapshots/):
/// ```text
/// jq -r 'select((.metrics_ids|length)>0) | . as $s | .metrics_ids[] as $i
///   | select($s.suite.metrics[$i].type=="evidently:metric:ColumnDriftMetric"
///            and $s.suite.metrics[$i].column_name.name=="mean radius")
///   | [$s.timestamp, $s.id, $s.suite.metric_results[$i].drift_score] | @tsv' *.json | sort
/// ```
/// (and the same with "worst area"). 26 of the 30 reports have the metric;
/// timestamps sort the same as the ids here.
#[test]
fn legacy_drift_score_panel_equals_the_files() {
    let Some(root) = corpus() else { return };
    let dir = root.join(TUMOR_LEGACY);
    let views = evaluate(&dashboard_of(&dir), &load_project(&dir));
    let lines = plot_lines(&views, "Drift score: mean radius, worst area");
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0].legend, "mean radius");
    assert_eq!(lines[1].legend, "worst area");
    assert_points(
        &lines[0],
        &[
            ("01a2230c-81bf-7165-ac6b-30834bced581", 0.5052605505610607),
            ("01a2230c-8304-7657-aebd-a5ebff8becbe", 0.41308066957046025),
            ("01a2230c-8596-71b7-8804-c59ffb6b72db", 0.5416113502738905),
            ("01a2230c-86b7-7543-97bd-bf6623a370f4", 0.8511703887187538),
            ("01a2230c-8755-7ce4-9bd7-16555346debe", 0.376826216385581),
            ("01a2230c-8938-75ee-89be-d3756c2b320d", 0.6155306093850301),
            ("01a2230c-8a5a-7f85-84d0-58dd0906d707", 0.07155184373146493),
            ("01a2230c-8ce4-77d9-86e3-cc3870443a9b", 0.6211709994289472),
            ("01a2230c-8d99-7e1d-a787-35d068032f59", 0.030846513737889374),
            ("01a2230c-8e40-7fa2-a1fd-34e80e60a288", 0.02693027420929462),
            ("01a2230c-90b8-7e66-be2a-373ada76a606", 0.055124102105652245),
            (
                "01a2230c-9165-79f3-b389-e6e18ca737ef",
                7.315968367579153e-08,
            ),
            (
                "01a2230c-94cd-7fdd-a591-70ab909a0d5a",
                0.0010145557630958713,
            ),
            (
                "01a2230c-9575-714f-8acf-f8049daaf6c8",
                1.3038072651316003e-16,
            ),
            (
                "01a2230c-961a-70d6-accf-a539dbdb8a23",
                1.042996456392495e-15,
            ),
            (
                "01a2230c-98ba-71bd-b6d4-fed1de3271aa",
                4.155246136547089e-05,
            ),
            (
                "01a2230c-9967-70f3-87bd-8d28300b006f",
                4.180673705302741e-17,
            ),
            (
                "01a2230c-9a0c-759b-9776-158e0aada770",
                4.276577442688301e-23,
            ),
            (
                "01a2230c-9cf0-7f4f-a1df-201a734acaa6",
                2.424507719701052e-25,
            ),
            (
                "01a2230c-9d94-7aba-9485-b4142bfc7d8e",
                1.2159927022562905e-31,
            ),
            (
                "01a2230c-9f7a-72a6-b33a-a7d89e19d28d",
                8.011950093601763e-34,
            ),
            (
                "01a2230c-a028-77b2-ab32-f353cb4f9a07",
                2.955450005108754e-32,
            ),
            (
                "01a2230c-a0c8-7d5e-b9fb-7537446b24b8",
                7.893587598864295e-37,
            ),
            (
                "01a2230c-a336-7deb-b03f-edba5d8efde5",
                2.699352183458361e-39,
            ),
            (
                "01a2230c-a466-7a1f-a831-d4e0721047dd",
                6.7295937387660316e-49,
            ),
            (
                "01a2230c-a6de-7855-b4c7-a47a73df43c9",
                2.875984164119181e-46,
            ),
        ],
    );
    assert_points(
        &lines[1],
        &[
            ("01a2230c-81bf-7165-ac6b-30834bced581", 0.8331247967962236),
            ("01a2230c-8304-7657-aebd-a5ebff8becbe", 0.22517365118497085),
            ("01a2230c-8596-71b7-8804-c59ffb6b72db", 0.44536465191613295),
            ("01a2230c-86b7-7543-97bd-bf6623a370f4", 0.5343716952539084),
            ("01a2230c-8755-7ce4-9bd7-16555346debe", 0.4386301464679229),
            ("01a2230c-8938-75ee-89be-d3756c2b320d", 0.5996866368605311),
            ("01a2230c-8a5a-7f85-84d0-58dd0906d707", 0.03483799764618146),
            ("01a2230c-8ce4-77d9-86e3-cc3870443a9b", 0.35678642218904333),
            (
                "01a2230c-8d99-7e1d-a787-35d068032f59",
                0.0008830591852012817,
            ),
            (
                "01a2230c-8e40-7fa2-a1fd-34e80e60a288",
                1.712216912530428e-05,
            ),
            (
                "01a2230c-90b8-7e66-be2a-373ada76a606",
                0.00012168587449513207,
            ),
            (
                "01a2230c-9165-79f3-b389-e6e18ca737ef",
                4.412534544426376e-13,
            ),
            (
                "01a2230c-94cd-7fdd-a591-70ab909a0d5a",
                4.196521206570629e-06,
            ),
            (
                "01a2230c-9575-714f-8acf-f8049daaf6c8",
                2.866217828959269e-23,
            ),
            (
                "01a2230c-961a-70d6-accf-a539dbdb8a23",
                1.3978941232024472e-24,
            ),
            (
                "01a2230c-98ba-71bd-b6d4-fed1de3271aa",
                1.3384126446167615e-07,
            ),
            (
                "01a2230c-9967-70f3-87bd-8d28300b006f",
                2.5413013547208954e-31,
            ),
            (
                "01a2230c-9a0c-759b-9776-158e0aada770",
                7.959599036418805e-35,
            ),
            (
                "01a2230c-9cf0-7f4f-a1df-201a734acaa6",
                9.419532685564497e-38,
            ),
            (
                "01a2230c-9d94-7aba-9485-b4142bfc7d8e",
                1.192349743383865e-42,
            ),
            (
                "01a2230c-9f7a-72a6-b33a-a7d89e19d28d",
                4.890769645562656e-42,
            ),
            ("01a2230c-a028-77b2-ab32-f353cb4f9a07", 6.93883542218058e-44),
            (
                "01a2230c-a0c8-7d5e-b9fb-7537446b24b8",
                2.4175911991461206e-47,
            ),
            (
                "01a2230c-a336-7deb-b03f-edba5d8efde5",
                3.156114200420737e-50,
            ),
            (
                "01a2230c-a466-7a1f-a831-d4e0721047dd",
                3.021008312427268e-54,
            ),
            ("01a2230c-a6de-7855-b4c7-a47a73df43c9", 4.77046688773506e-56),
        ],
    );
}

/// Expected points read with (inside the v2 Tumor project's snapshots/):
/// ```text
/// jq -r '. as $s | .metric_results[]
///   | select(.metric_value_location.metric.params.type=="evidently:metric_v2:DriftedColumnsCount")
///   | [$s.timestamp, (input_filename|rtrimstr(".json")), .share.value] | @tsv' *.json | sort
/// ```
/// Every one of the 30 runs has exactly one DriftedColumnsCount.
#[test]
fn v2_share_of_drifted_columns_panel_equals_the_files() {
    let Some(root) = corpus() else { return };
    let dir = root.join(TUMOR_V2);
    let views = evaluate(&dashboard_of(&dir), &load_project(&dir));
    let lines = plot_lines(&views, "Share of drifted columns");
    // Two configurations (`.metric_value_location.metric.params.columns | length`):
    // 26 runs count over 32 columns, the 4 weekly ones (03-10, 03-17, 03-24, 03-31) over 6.
    // They are two series, so the panel draws two lines, told apart by their column lists.
    assert_eq!(lines.len(), 2);
    let line = |n: usize| {
        let l = lines
            .iter()
            .find(|l| {
                l.key
                    .starts_with(&format!("DriftedColumnsCount{{columns=[{n} items #"))
            })
            .unwrap_or_else(|| panic!("no {n}-column line"));
        assert!(l.key.ends_with(",drift_share=0.5}.share"), "{}", l.key);
        assert!(l.legend.starts_with("share (columns=["), "{}", l.legend);
        l
    };
    assert_points(
        line(32),
        &[
            ("01a2230d-99bd-7f72-be6e-2d7bf8dac3f9", 0.125),
            ("01a2230d-9a93-78ab-a51c-c955eb551773", 0.0625),
            ("01a2230d-9ba9-7f3a-8f9a-ffffbd2eaaf0", 0.1875),
            ("01a2230d-9c90-773f-8b30-50ccf2683411", 0.09375),
            ("01a2230d-9d91-7b11-b405-2827e5f40804", 0.09375),
            ("01a2230d-9e7e-7294-8b8b-91417d91c005", 0.0625),
            ("01a2230d-a1f7-7bb0-af41-20d7d02cdeb1", 0.15625),
            ("01a2230d-a2d6-789a-9986-606beba90c1f", 0.0),
            ("01a2230d-a3b4-7431-943c-6c2114dd752c", 0.09375),
            ("01a2230d-a489-7733-8d13-cd06689a3086", 0.25),
            ("01a2230d-a569-715e-9231-1978652eebac", 0.15625),
            ("01a2230d-a63b-7fe7-a45c-38cf47060b1c", 0.34375),
            ("01a2230d-a8de-7b2c-9fe1-bb179a9f10cb", 0.15625),
            ("01a2230d-a9b2-7673-9556-9995d637ecf7", 0.25),
            ("01a2230d-aa90-7aad-bdea-8722b30014cf", 0.21875),
            ("01a2230d-ab7a-75e6-a822-d044a4954aef", 0.625),
            ("01a2230d-acfe-7bb6-991c-ce7f9967ee37", 0.3125),
            ("01a2230d-adc8-76c2-a16a-900df58f7fb2", 0.28125),
            ("01a2230d-b04e-7327-9704-606427b85927", 0.28125),
            ("01a2230d-b123-74c3-bd19-f8f71d3d3d26", 0.21875),
            ("01a2230d-b202-7a5f-b255-a1afff3bab12", 0.34375),
            ("01a2230d-b2d5-7853-a4a7-201beab29e6f", 0.21875),
            ("01a2230d-b3a5-7373-8da6-38300adc4c14", 0.21875),
            ("01a2230d-b47e-7e40-a794-ec137642c997", 0.21875),
            ("01a2230d-b7d8-757b-8448-b2a77e02d32c", 0.4375),
            ("01a2230d-b8b8-7aaf-a8d3-3ae4b293b9b4", 0.21875),
        ],
    );
    assert_points(
        line(6),
        &[
            ("01a2230d-a023-764c-a76c-3229f56e2e7f", 0.16666666666666666),
            ("01a2230d-a7ce-77f1-be99-c51eb9d9e934", 0.8333333333333334),
            ("01a2230d-af54-787d-b0a2-3eb72e442be1", 1.0),
            ("01a2230d-b625-7c7f-b9a1-b7ab41f67c62", 1.0),
        ],
    );
}

/// All 8 shared dashboards: they parse, every panel evaluates to data (none
/// of them uses fingerprints), every configured value finds points in the
/// real files, and test panels find test runs.
#[test]
fn every_panel_of_the_shared_dashboards_evaluates() {
    let Some(root) = corpus() else { return };
    let mut dashboards = 0;
    let mut empty_plots = Vec::new();
    for generation in ["legacy-0.4", "current-0.7"] {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join(generation))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        for dir in dirs {
            let d = dashboard_of(&dir);
            dashboards += 1;
            let project = load_project(&dir);
            let views = evaluate(&d, &project);
            assert_eq!(views.len(), d.panels.len());
            assert!(!d.panels.is_empty(), "{}", dir.display());
            for tab in &d.tabs {
                assert!(
                    !tab.panel_ids.is_empty(),
                    "{} tab {}",
                    dir.display(),
                    tab.title
                );
            }
            for (panel, view) in d.panels.iter().zip(&views) {
                let at = format!("{} / {}", dir.display(), view.title);
                assert!(view.notes.is_empty(), "{at}: {:?}", view.notes);
                match &view.content {
                    PanelContent::Text(t) => assert!(!t.is_empty(), "{at}"),
                    PanelContent::Counter { values, .. } => {
                        assert_eq!(values.len(), panel.values.len(), "{at}");
                        for (v, pv) in values.iter().zip(&panel.values) {
                            if has_metric(&project, pv) {
                                assert!(v.value.is_some_and(f64::is_finite), "{at}: {v:?}");
                            } else {
                                assert_eq!(v.value, None, "{at}");
                            }
                        }
                    }
                    PanelContent::Plot { lines, .. } => {
                        let present = panel.values.iter().filter(|v| has_metric(&project, v));
                        assert!(lines.len() >= present.count(), "{at}: {lines:?}");
                        for l in lines {
                            assert!(!l.points.is_empty(), "{at}: {}", l.key);
                        }
                        if panel.values.iter().all(|v| !has_metric(&project, v)) {
                            // Wine's v2 runs have no MeanValue at all (checked with jq:
                            // no metric_results[].metric_value_location.metric.params.type
                            // == "evidently:metric_v2:MeanValue"): an empty plot.
                            assert!(lines.is_empty(), "{at}");
                            empty_plots.push(at.clone());
                        }
                    }
                    PanelContent::TestSuiteAggregate { buckets } => {
                        // Empty only when no test suite carries the panel's tags
                        // (Wine's legacy test suites are never tagged `prod`).
                        let tagged = project.snapshots.iter().any(|e| {
                            e.snapshot.kind == SnapshotKind::TestSuite
                                && panel
                                    .filter
                                    .tags
                                    .iter()
                                    .all(|t| e.snapshot.tags.contains(t))
                        });
                        assert_eq!(buckets.is_empty(), !tagged, "{at}");
                        assert!(buckets.iter().all(|b| b.counts.total() > 0), "{at}");
                    }
                    PanelContent::TestSuiteDetailed { buckets, tests } => {
                        assert!(!buckets.is_empty() && !tests.is_empty(), "{at}");
                    }
                    PanelContent::TestSuiteCounter { total, at: t, .. } => {
                        assert!(*total > 0 && t.is_some(), "{at}");
                    }
                    PanelContent::NotEvaluable(why) => panic!("{at}: {why}"),
                }
                if let PanelKind::Unsupported { panel_type } = &panel.kind {
                    panic!("{at}: unsupported {panel_type}");
                }
            }
        }
    }
    assert_eq!(dashboards, 8);
    assert_eq!(empty_plots.len(), 1, "{empty_plots:?}");
    assert!(empty_plots[0].ends_with("Mean of alcohol"));
}

/// Whether any snapshot of the project has a series of the value's metric
/// type (read straight off the key prefix, not through the matcher).
fn has_metric(project: &ProjectEntry, v: &PanelValue) -> bool {
    let t = match &v.selector {
        ValueSelector::Legacy { metric_id, .. } => metric_id.clone().unwrap_or_default(),
        ValueSelector::V2 { metric, .. } => metric.clone(),
    };
    project.snapshots.iter().any(|e| {
        e.snapshot
            .series
            .iter()
            .any(|s| s.key.starts_with(&format!("{t}{{")) || s.key.starts_with(&format!("{t}.")))
    })
}

/// Test panels of the legacy Tumor project against (inside its snapshots/):
/// ```text
/// jq -r 'select((.test_ids|length)>0 and (.tags|index("prod"))) | [.timestamp,
///   ([.suite.test_results[].status]|group_by(.)|map("\(.[0])=\(length)")|join(","))] | @tsv' *.json | sort
/// ```
/// → 03-14 SUCCESS=7; 03-17 FAIL=2,SUCCESS=15; 03-20 FAIL=1,SUCCESS=6,WARNING=4 (one
/// prod test suite a day, so the `1D` buckets are those runs). And for the last
/// test suite of the Orders project (`.suite.test_results` of the newest
/// `test_ids` file): 97 tests, 16 FAIL.
#[test]
fn legacy_test_panels_equal_the_files() {
    let Some(root) = corpus() else { return };
    let dir = root.join(TUMOR_LEGACY);
    let views = evaluate(&dashboard_of(&dir), &load_project(&dir));
    let v = views
        .iter()
        .find(|v| v.title == "All tests (aggregated)")
        .unwrap();
    let PanelContent::TestSuiteAggregate { buckets } = &v.content else {
        panic!("{v:?}")
    };
    let got: Vec<(String, u32, u32, u32)> = buckets
        .iter()
        .map(|b| {
            (
                b.start.format("%Y-%m-%dT%H:%M").to_string(),
                b.counts.success,
                b.counts.fail,
                b.counts.warning,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("2024-03-14T00:00".to_string(), 7, 0, 0),
            ("2024-03-17T00:00".to_string(), 15, 2, 0),
            ("2024-03-20T00:00".to_string(), 6, 1, 4),
        ]
    );

    let dir = root.join("legacy-0.4/01a2230c-c98c-7341-940c-9f33eda5eb9f");
    let views = evaluate(&dashboard_of(&dir), &load_project(&dir));
    let v = views
        .iter()
        .find(|v| v.title == "Failed tests (last run)")
        .unwrap();
    let PanelContent::TestSuiteCounter {
        count, total, at, ..
    } = &v.content
    else {
        panic!("{v:?}")
    };
    assert_eq!((*count, *total), (16, 97));
    assert_eq!(
        at.unwrap().format("%Y-%m-%dT%H:%M:%S").to_string(),
        "2024-04-04T02:26:31"
    );
}

/// The index attaches each project's dashboard: legacy ones from
/// `metadata.json` → `dashboard`, v2 ones from `dashboard.json`.
/// Panel counts read with `jq '.dashboard.panels|length' metadata.json` and
/// `jq '.panels|length' dashboard.json` in each sample project.
#[test]
fn index_attaches_dashboards_of_both_generations() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_snapshots");
    let (catalog, _) = snapscope::index::index_path(&root, &Default::default()).unwrap();
    let mut seen = 0;
    for p in catalog.projects() {
        let folder = &p.project.folder;
        let expected = if folder.join("dashboard.json").is_file() {
            let v: serde_json::Value =
                serde_json::from_slice(&std::fs::read(folder.join("dashboard.json")).unwrap())
                    .unwrap();
            v["panels"].as_array().unwrap().len()
        } else {
            let v: serde_json::Value =
                serde_json::from_slice(&std::fs::read(folder.join("metadata.json")).unwrap())
                    .unwrap();
            v["dashboard"]["panels"].as_array().unwrap().len()
        };
        let d = p.project.dashboard.as_ref().expect("dashboard attached");
        assert_eq!(d.panels.len(), expected, "{}", p.project.name);
        assert!(expected > 0);
        seen += 1;
    }
    assert_eq!(seen, 4);
}
