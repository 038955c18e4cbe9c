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
        k != "options"
            && !k.ends_with("tests")
            && !v.is_null()
            && !(v.is_boolean() && SWITCHES.contains(&k.as_str()))
            && !empty_list
            && !(t == "ValueDrift" && k == "threshold")
            && !((k == "classification_name" || k == "regression_name") && v == "default")
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
    let results = file.pointer("/suite/metric_results").and_then(Value::as_array);
    let ids = file.get("metrics_ids").and_then(Value::as_array);
    let (Some(metrics), Some(results), Some(ids)) = (metrics, results, ids) else {
        return Vec::new();
    };
    ids.iter()
        .filter_map(Value::as_u64)
        .filter(|&i| results.get(i as usize).is_some_and(|r| r.get("type").is_some()))
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
            if let Some(old) = values.insert(&v.key, v.value) {
                let same = old == v.value || (old.is_some_and(f64::is_nan) && v.value.is_some_and(f64::is_nan));
                assert!(same, "{}: key {} holds {old:?} and {:?}", f.display(), v.key, v.value);
            }
        }
        // Distinct metric parts per type among the program's keys.
        let mut program: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for k in values.keys() {
            let Some(p) = SeriesKey::parse(k) else { continue };
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
    assert_eq!(value("CategoryCount{categories=[true],column=Refusal}.count"), Some(1.0));
    assert_eq!(value("CategoryCount{categories=[false],column=Refusal}.count"), Some(77.0));
    assert_eq!(value("CategoryCount{column=Refusal}.count"), None);
}
