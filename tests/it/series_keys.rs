//! The series key rule on every snapshot of the shared workspaces
//! (../shared/evidently-workspaces: legacy-0.4, current-0.7, heavy-0.4,
//! heavy-0.7): no two distinct metric results of one snapshot share a key.
//!
//! Two checks per snapshot:
//! * the program's own series: a key never holds two different values;
//! * independently, with serde_json on the file: the metrics that produce
//!   series (legacy `suite.metrics[metrics_ids[i]]` whose result has a
//!   `type`, the inner `metric` of a `MetricV2Adapter`; every v2
//!   `metric_results[*].metric_value_location.metric.params`) are told apart
//!   by their whole configuration, less what cannot change a value (`options`,
//!   keys ending in `tests`, nulls, boolean rendering switches, lists of
//!   nothing but nulls and empty strings, the v2 `ValueDrift` threshold).
//!   The number of distinct metric parts (`Type{params}`) among the
//!   program's keys must equal the number of distinct configurations per
//!   type: fewer would mean two metrics collapsed onto one key.
//!
//! Skips (and says so) when the workspaces are absent.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::Value;
use snapscope::analysis::dashboard::SeriesKey;
use snapscope::parse::{parse_snapshot, replace_non_finite, ParseOptions, TimeZoneChoice};

fn workspaces() -> Option<PathBuf> {
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

/// Every snapshot file of every project of every workspace.
fn snapshot_files(root: &std::path::Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for ws in ["legacy-0.4", "current-0.7", "heavy-0.4", "heavy-0.7"] {
        let Ok(projects) = std::fs::read_dir(root.join(ws)) else {
            continue;
        };
        for p in projects.flatten() {
            let Ok(files) = std::fs::read_dir(p.path().join("snapshots")) else {
                continue;
            };
            let pid = p.file_name().to_string_lossy().to_string();
            for f in files.flatten() {
                out.push((pid.clone(), f.path()));
            }
        }
    }
    out.sort();
    out
}

fn short(t: &str) -> &str {
    t.rsplit([':', '.']).next().unwrap_or(t)
}

const SWITCHES: [&str; 9] = [
    "conf_matrix",
    "pr_curve",
    "pr_table",
    "roc_curve",
    "error_distr",
    "error_normality",
    "error_plot",
    "perc_error_plot",
    "feature_importance",
];

/// A configuration less what cannot change a value (see the module doc).
fn identity(config: &Value) -> (String, String) {
    let t = short(config.get("type").and_then(Value::as_str).unwrap_or("")).to_string();
    let mut m = config.as_object().cloned().unwrap_or_default();
    m.retain(|k, v| {
        let empty_list = v.as_array().is_some_and(|a| {
            a.iter()
                .all(|i| i.is_null() || i.as_str().is_some_and(str::is_empty))
        });
        let left_out = k == "options"
            || k.ends_with("tests")
            || v.is_null()
            || (v.is_boolean() && SWITCHES.contains(&k.as_str()))
            || empty_list
            || (t == "ValueDrift" && k == "threshold")
            || ((k == "classification_name" || k == "regression_name") && v == "default");
        !left_out
    });
    (t, Value::Object(m).to_string())
}

/// The configurations of the metrics that produce series, read with serde_json.
fn configs(file: &Value) -> Vec<Value> {
    if let Some(results) = file.get("metric_results").and_then(Value::as_object) {
        return results
            .values()
            .filter_map(|r| r.pointer("/metric_value_location/metric/params").cloned())
            .collect();
    }
    let metrics = file.pointer("/suite/metrics").and_then(Value::as_array);
    let results = file
        .pointer("/suite/metric_results")
        .and_then(Value::as_array);
    let ids = file.get("metrics_ids").and_then(Value::as_array);
    let (Some(metrics), Some(results), Some(ids)) = (metrics, results, ids) else {
        return Vec::new();
    };
    ids.iter()
        .filter_map(Value::as_u64)
        .filter(|&i| {
            results
                .get(i as usize)
                .is_some_and(|r| r.get("type").is_some())
        })
        .filter_map(|i| metrics.get(i as usize))
        .map(|c| match c.get("type").and_then(Value::as_str).map(short) {
            Some("MetricV2Adapter") => c.get("metric").cloned().unwrap_or(c.clone()),
            _ => c.clone(),
        })
        .collect()
}

#[test]
fn no_two_metrics_of_a_snapshot_share_a_key() {
    let Some(root) = workspaces() else { return };
    let files = snapshot_files(&root);
    assert!(files.len() > 300, "{} files", files.len());
    let opts = ParseOptions {
        tz: TimeZoneChoice::Utc,
    };
    let mut checked = 0;
    for (pid, f) in &files {
        let bytes = std::fs::read(f).unwrap();
        let id = f.file_stem().unwrap().to_string_lossy().to_string();
        let s = parse_snapshot(&bytes, &id, pid, &opts).unwrap();
        // The program's keys: one value each.
        let mut values: BTreeMap<&str, Option<f64>> = BTreeMap::new();
        for v in &s.series {
            if let Some(old) = values.insert(v.key, v.value) {
                let same = old == v.value
                    || (old.is_some_and(f64::is_nan) && v.value.is_some_and(f64::is_nan));
                assert!(
                    same,
                    "{}: key {} holds {old:?} and {:?}",
                    f.display(),
                    v.key,
                    v.value
                );
            }
        }
        // Distinct metric parts per type among the program's keys.
        let mut program: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for k in values.keys() {
            let Some(p) = SeriesKey::parse(k) else {
                continue;
            };
            program
                .entry(p.metric_type.to_string())
                .or_default()
                .insert(format!("{:?}", p.params));
        }
        // Distinct configurations per type, read independently.
        let text = replace_non_finite(&bytes);
        let file: Value = serde_json::from_slice(&text).unwrap();
        let mut independent: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for c in configs(&file) {
            let (t, body) = identity(&c);
            independent.entry(t).or_default().insert(body);
        }
        for (t, confs) in &independent {
            let got = program.get(t).map_or(0, BTreeSet::len);
            assert!(
                got >= confs.len() || got == 0,
                "{}: {} distinct {t} configurations, {got} distinct keys: {confs:#?} vs {:#?}",
                f.display(),
                confs.len(),
                program.get(t)
            );
        }
        checked += 1;
    }
    eprintln!("{checked} snapshots checked");
}

/// A real LLM-eval run (heavy-0.7, "Assistant responses") with its
/// `CategoryCount{column=Refusal, categories=[true]}` copied into a second
/// metric that counts `false` instead (count 77 of 78, as a hand-made case):
/// the two must get two keys, each with its own value. Before the fix both
/// were `CategoryCount{column=Refusal}.count`.
#[test]
fn category_counts_on_one_column_keep_their_category() {
    let Some(root) = workspaces() else { return };
    let f = root.join("heavy-0.7/01a2372f-fd56-7088-8d09-4706765ba6c3/snapshots/01a2372f-fef9-7bef-acc1-0715873796f8.json");
    let mut file: Value = serde_json::from_slice(&std::fs::read(&f).unwrap()).unwrap();
    let results = file["metric_results"].as_object_mut().unwrap();
    let real = results["c681993c794d3c7494116132583e51ee"].clone();
    // The file's own values: `count.value` 1.0, `share.value` 1/78.
    assert_eq!(real["count"]["value"], 1.0);
    let mut other = real.clone();
    other["metric_value_location"]["metric"]["params"]["categories"] = serde_json::json!([false]);
    other["count"]["value"] = 77.0.into();
    other["share"]["value"] = (77.0 / 78.0).into();
    results.insert("00000000000000000000000000000001".into(), other);
    let bytes = serde_json::to_vec(&file).unwrap();
    let s = parse_snapshot(
        &bytes,
        "01a2372f-fef9-7bef-acc1-0715873796f8",
        "01a2372f-fd56-7088-8d09-4706765ba6c3",
        &ParseOptions {
            tz: TimeZoneChoice::Utc,
        },
    )
    .unwrap();
    let value = |k: &str| s.series_value(k).and_then(|v| v.value);
    assert_eq!(
        value("CategoryCount{categories=[true],column=Refusal}.count"),
        Some(1.0)
    );
    assert_eq!(
        value("CategoryCount{categories=[false],column=Refusal}.count"),
        Some(77.0)
    );
    assert_eq!(value("CategoryCount{column=Refusal}.count"), None);
}

// ----- the picker's order -----------------------------------------------------

use snapscope::analysis::series::{rank, RankedSeries, SeriesGroup};

fn ranked(root: &std::path::Path, ws: &str, project: &str) -> Vec<RankedSeries> {
    let (catalog, _) = snapscope::index::index_path(&root.join(ws), &Default::default()).unwrap();
    rank(catalog.project(project).unwrap())
}

fn position(r: &[RankedSeries], key: &str) -> (usize, SeriesGroup) {
    let i = r
        .iter()
        .position(|s| s.key == key)
        .unwrap_or_else(|| panic!("no series {key}"));
    (i, r[i].group)
}

/// v2 Wine (current-0.7): the metrics that carry tests, read with serde_json
/// from the snapshots (`.metric_results[] | select(.tests | length > 0)
/// | .metric_value_location.metric.params`), include `LogLoss` (no dashboard
/// panel names it: dashboard.json has Accuracy, F1Score,
/// DriftedColumnsCount, MeanValue and RowCount) and `ValueDrift` on
/// `proline`. Their series come first, in the "used" group; groups follow in
/// order (used, changing, other, constant, per-column).
#[test]
fn series_a_test_uses_come_first() {
    let Some(root) = workspaces() else { return };
    let dir = root.join("current-0.7/01a2230e-0168-7ab7-adff-7641d9b536e9");
    let dashboard = std::fs::read_to_string(dir.join("dashboard.json")).unwrap();
    assert!(!dashboard.contains("LogLoss") && !dashboard.contains("ValueDrift"));
    let mut proline_method = None;
    let mut logloss_tested = false;
    for f in std::fs::read_dir(dir.join("snapshots")).unwrap().flatten() {
        let file: Value = serde_json::from_slice(&std::fs::read(f.path()).unwrap()).unwrap();
        for r in file["metric_results"].as_object().unwrap().values() {
            let p = &r["metric_value_location"]["metric"]["params"];
            if r["tests"].as_array().is_none_or(Vec::is_empty) {
                continue;
            }
            match p["type"].as_str().unwrap() {
                "evidently:metric_v2:LogLoss" => logloss_tested = true,
                "evidently:metric_v2:ValueDrift" if p["column"] == "proline" => {
                    proline_method = p["method"].as_str().map(str::to_string)
                }
                _ => {}
            }
        }
    }
    assert!(logloss_tested);
    let proline = format!(
        "ValueDrift{{column=proline,method={}}}.value",
        proline_method.unwrap()
    );
    let r = ranked(&root, "current-0.7", "01a2230e-0168-7ab7-adff-7641d9b536e9");
    let first_unused = r.iter().position(|s| s.group != SeriesGroup::Used).unwrap();
    for key in ["LogLoss.value", proline.as_str(), "Accuracy.value"] {
        let (i, g) = position(&r, key);
        assert_eq!(g, SeriesGroup::Used, "{key}");
        assert!(
            i < first_unused,
            "{key} at {i}, first unused at {first_unused}"
        );
    }
    assert!(r.windows(2).all(|w| w[0].group <= w[1].group));
}

/// Legacy Diabetes (legacy-0.4): its dashboard (metadata.json) plots
/// `ColumnDriftMetric` `drift_score` with `column_name.name` `bmi`, so that
/// series is "used"; the same metric's `stattest_threshold` is 0.05 in every
/// report (`.suite.metric_results[i].stattest_threshold` for the
/// ColumnDriftMetric on bmi), so it is "constant"; the drift table's
/// per-column rows (`DataDriftTable...drift_by_columns.age.drift_score`)
/// are "per-column" and come last.
#[test]
fn legacy_dashboard_series_first_constants_and_per_column_last() {
    let Some(root) = workspaces() else { return };
    let dir = root.join("legacy-0.4/01a2230c-a779-7dfb-9102-2aa2f6dbe42d");
    let meta: Value =
        serde_json::from_str(&replace_non_finite_str(&dir.join("metadata.json"))).unwrap();
    let plotted = meta["dashboard"]["panels"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| {
            p["values"].as_array().into_iter().flatten().any(|v| {
                v["metric_id"] == "ColumnDriftMetric"
                    && v["field_path"] == "drift_score"
                    && v["metric_args"]["column_name.name"] == "bmi"
            })
        });
    assert!(plotted);
    let mut thresholds = BTreeSet::new();
    for f in std::fs::read_dir(dir.join("snapshots")).unwrap().flatten() {
        let file: Value = serde_json::from_str(&replace_non_finite_str(&f.path())).unwrap();
        let metrics = file["suite"]["metrics"].as_array().unwrap();
        for i in file["metrics_ids"].as_array().into_iter().flatten() {
            let i = i.as_u64().unwrap() as usize;
            let m = &metrics[i];
            if m["type"] == "evidently:metric:ColumnDriftMetric"
                && m["column_name"]["name"] == "bmi"
            {
                thresholds
                    .insert(file["suite"]["metric_results"][i]["stattest_threshold"].to_string());
            }
        }
    }
    assert_eq!(thresholds.len(), 1, "{thresholds:?}");
    let r = ranked(&root, "legacy-0.4", "01a2230c-a779-7dfb-9102-2aa2f6dbe42d");
    let (used, g) = position(&r, "ColumnDriftMetric{column_name=bmi}.drift_score");
    assert_eq!(g, SeriesGroup::Used);
    let (constant, g) = position(&r, "ColumnDriftMetric{column_name=bmi}.stattest_threshold");
    assert_eq!(g, SeriesGroup::Constant);
    let per_column = r
        .iter()
        .position(|s| {
            s.key.starts_with("DataDriftTable")
                && s.key.ends_with(".drift_by_columns.age.drift_score")
        })
        .unwrap();
    assert_eq!(r[per_column].group, SeriesGroup::Internal);
    assert!(used < constant && constant < per_column);
    assert!(r.windows(2).all(|w| w[0].group <= w[1].group));
}

fn replace_non_finite_str(p: &std::path::Path) -> String {
    String::from_utf8(replace_non_finite(&std::fs::read(p).unwrap()).into_owned()).unwrap()
}
