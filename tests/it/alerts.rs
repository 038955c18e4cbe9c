//! `assets/alerts.yml` (issue 17): the example alerting rules.
//!
//! - `promtool check rules` accepts them and `promtool test rules` passes
//!   their unit tests (`tests/fixtures/alerts/alerts_test.yml`); the same
//!   tests fail on a copy of the rules with a wrong threshold, so they can.
//! - Fed the real output of `snapscope metrics sample_snapshots`, the
//!   failing-project rule fires for exactly the projects whose latest run
//!   with tests has a FAIL or ERROR in the files (read with serde_json), with
//!   `status` saying which: the rules and the metric names fit together.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use crate::common::tools::{samples, tool};
use crate::failing_now::projects;
use crate::metrics::metrics_text;
use crate::oncall::root;

fn promtool(args: &[&str], dir: &Path, test: &str) -> Option<Output> {
    let promtool = tool("promtool", "prometheus", test)?;
    Some(
        Command::new(promtool)
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap(),
    )
}

fn said(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn promtool_checks_the_rules_and_passes_their_unit_tests() {
    let test = "promtool_checks_the_rules_and_passes_their_unit_tests";
    let Some(o) = promtool(&["check", "rules", "assets/alerts.yml"], &root(), test) else {
        return;
    };
    assert!(o.status.success(), "{}", said(&o));
    assert!(said(&o).contains("SUCCESS: 5 rules found"), "{}", said(&o));
    let dir = root().join("tests/fixtures/alerts");
    let o = promtool(&["test", "rules", "alerts_test.yml"], &dir, test).unwrap();
    assert!(o.status.success(), "{}", said(&o));
}

#[test]
fn the_unit_tests_fail_on_a_wrong_rule() {
    let test = "the_unit_tests_fail_on_a_wrong_rule";
    let tmp = tempfile::tempdir().unwrap();
    // The same layout, so the test file's relative rule path holds.
    let rules = fs::read_to_string(root().join("assets/alerts.yml")).unwrap();
    let wrong = rules.replace(
        "snapscope_project_drift_share > 0.5",
        "snapscope_project_drift_share > 0.4",
    );
    assert_ne!(rules, wrong);
    fs::create_dir_all(tmp.path().join("assets")).unwrap();
    fs::create_dir_all(tmp.path().join("tests/fixtures/alerts")).unwrap();
    fs::write(tmp.path().join("assets/alerts.yml"), wrong).unwrap();
    fs::copy(
        root().join("tests/fixtures/alerts/alerts_test.yml"),
        tmp.path().join("tests/fixtures/alerts/alerts_test.yml"),
    )
    .unwrap();
    let dir = tmp.path().join("tests/fixtures/alerts");
    let Some(o) = promtool(&["test", "rules", "alerts_test.yml"], &dir, test) else {
        return;
    };
    assert!(!o.status.success(), "a 0.4 threshold passed: {}", said(&o));
    assert!(said(&o).contains("SnapscopeDriftShareHigh"), "{}", said(&o));
}

/// A PromQL string literal.
fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A `promtool test rules` test group: every `snapscope_project_*` sample
/// of `metrics WS` as a constant series, and the failing-project alerts
/// expected from the files of `ws`. Returns the group and the count.
fn group_for(ws: &Path) -> (String, usize) {
    let got = samples(&metrics_text(ws, &[]));
    let mut yaml = String::from("  - interval: 1m\n    input_series:\n");
    for s in got
        .iter()
        .filter(|s| s.name.starts_with("snapscope_project_"))
    {
        let labels: Vec<String> = s
            .labels
            .iter()
            .map(|(k, v)| format!("{k}={}", quoted(v)))
            .collect();
        let series = format!("{}{{{}}}", s.name, labels.join(","));
        let _ = writeln!(
            yaml,
            "      - series: {}\n        values: '{}x10'",
            serde_json::to_string(&series).unwrap(),
            s.value
        );
    }
    yaml.push_str("    alert_rule_test:\n      - eval_time: 5m\n        alertname: SnapscopeProjectFailing\n        exp_alerts:");
    // Expected from the files: FAIL or ERROR in the latest run with tests.
    let mut failing = 0;
    for (id, runs) in projects(ws) {
        let Some(latest) = runs.iter().rev().find(|r| !r.tests.is_empty()) else {
            continue;
        };
        let has = |st: &str| latest.tests.iter().any(|(_, s)| s == st);
        let status = match (has("FAIL"), has("ERROR")) {
            (true, _) => "fail",
            (false, true) => "error",
            _ => continue,
        };
        failing += 1;
        let meta: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(ws.join(&id).join("metadata.json")).unwrap())
                .unwrap();
        let name = meta["name"].as_str().unwrap();
        let j = |s: &str| serde_json::to_string(s).unwrap();
        let _ = write!(
            yaml,
            "\n          - exp_labels:\n              severity: page\n              project_id: {}\n              project: {}\n              status: {status}\n            exp_annotations:\n              summary: {}\n              description: {}",
            j(&id),
            j(name),
            j(&format!("Evidently checks failing: {name}")),
            j(&format!(
                "The latest run with tests of {name} ({id}) has {status} tests. Open it with `snapscope` on the same folder (`H` test history, `c` compares the runs where it broke)."
            )),
        );
    }
    if failing == 0 {
        yaml.push_str(" []");
    }
    yaml.push('\n');
    (yaml, failing)
}

#[test]
fn the_failing_rule_fires_on_the_real_metrics_for_the_failing_projects() {
    let test = "the_failing_rule_fires_on_the_real_metrics_for_the_failing_projects";
    let (failing, n) = group_for(&root().join("sample_snapshots"));
    assert_eq!(n, 4);
    // Both projects of pass-ws pass: the rule must stay quiet there.
    let (passing, m) = group_for(&root().join("tests/fixtures/oncall/pass-ws"));
    assert_eq!(m, 0);
    let yaml =
        format!("rule_files:\n  - alerts.yml\nevaluation_interval: 1m\ntests:\n{failing}{passing}");
    let tmp = tempfile::tempdir().unwrap();
    fs::copy(
        root().join("assets/alerts.yml"),
        tmp.path().join("alerts.yml"),
    )
    .unwrap();
    fs::write(tmp.path().join("real_test.yml"), &yaml).unwrap();
    let Some(o) = promtool(&["test", "rules", "real_test.yml"], tmp.path(), test) else {
        return;
    };
    assert!(o.status.success(), "{}\n{yaml}", said(&o));
}
