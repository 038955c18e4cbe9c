//! `snapscope check --junit FILE` (issue 17): a JUnit XML report for CI.
//!
//! - `xmllint` (Debian's `libxml2-utils`) validates it against the JUnit
//!   schema in `tests/fixtures/junit/junit.xsd` (its header says where it
//!   comes from); a report broken on purpose fails that validation, so the
//!   check can fail.
//! - One testsuite per project, named after it, with one testcase per test
//!   of its latest run with tests: counts by status, the run's id and time
//!   as properties, and each FAIL/ERROR's message (condition, measured
//!   value) and text (Evidently's description) against the files, read here
//!   with serde_json; on both generations and the LLM workspace heavy-0.7.
//! - `--fail-on warning` turns warnings into failures; `--max-age` adds a
//!   freshness testcase, failing when the exit status says stale.
//! - Hostile names give valid XML with their control characters shown.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDateTime;
use serde_json::Value;

use crate::common::tools::tool;
use crate::common::{run, shared};
use crate::oncall::{file_time, read, root};

fn schema() -> PathBuf {
    root().join("tests/fixtures/junit/junit.xsd")
}

/// `xmllint --schema` on `file`: Some(valid?) or None when xmllint is absent.
fn xmllint_valid(file: &Path, test: &str) -> Option<(bool, String)> {
    let xmllint = tool("xmllint", "libxml2-utils", test)?;
    let o = Command::new(xmllint)
        .arg("--noout")
        .arg("--schema")
        .arg(schema())
        .arg(file)
        .output()
        .unwrap();
    Some((
        o.status.success(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    ))
}

/// `check WS --tz utc --junit FILE ARGS…`: the exit code and the report.
fn check_junit(ws: &Path, args: &[&str]) -> (i32, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.xml");
    let o = run::snapscope()
        .arg("check")
        .arg(ws)
        .args(["--tz", "utc", "--junit"])
        .arg(&file)
        .args(args)
        .output()
        .unwrap();
    let code = o.status.code().unwrap();
    assert!(
        code == 0 || code == 1,
        "{}: {}",
        ws.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    let xml = fs::read_to_string(&file).unwrap();
    (code, xml, dir)
}

/// One test of a file: status, description and (legacy) stated value.
struct FileTest {
    status: String,
    description: String,
    value: Option<f64>,
}

/// Every test of a snapshot file, legacy or v2 (by-label tests too).
fn file_tests(v: &Value) -> Vec<FileTest> {
    crate::failing_now::test_objects(v)
        .into_iter()
        .map(|t| FileTest {
            status: t["status"].as_str().unwrap().to_string(),
            description: t["description"].as_str().unwrap_or("").to_string(),
            value: t["parameters"]["value"].as_f64(),
        })
        .collect()
}

/// A run of a file: snapshot id, time, tests.
type FileRun = (String, NaiveDateTime, Vec<FileTest>);

/// Each project of `ws`: (id, name, latest run with tests).
fn latest_runs(ws: &Path) -> Vec<(String, String, Option<FileRun>)> {
    let mut out = Vec::new();
    for dir in fs::read_dir(ws).unwrap() {
        let dir = dir.unwrap().path();
        let Ok(meta) = fs::read_to_string(dir.join("metadata.json")) else {
            continue;
        };
        let meta: Value = serde_json::from_str(&meta).unwrap();
        let mut runs: Vec<(NaiveDateTime, String, Vec<FileTest>)> =
            fs::read_dir(dir.join("snapshots"))
                .unwrap()
                .map(|f| f.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .map(|p| {
                    let v = read(&p);
                    let id = p.file_stem().unwrap().to_string_lossy().into_owned();
                    (file_time(&v), id, file_tests(&v))
                })
                .collect();
        runs.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        let latest = runs
            .into_iter()
            .rev()
            .find(|r| !r.2.is_empty())
            .map(|(t, id, tests)| (id, t, tests));
        out.push((
            dir.file_name().unwrap().to_string_lossy().into_owned(),
            meta["name"].as_str().unwrap().to_string(),
            latest,
        ));
    }
    out
}

/// The first number after `Actual value ` in a v2 description.
fn actual_value(description: &str) -> Option<f64> {
    let rest = description.split("Actual value ").nth(1)?;
    let n: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == '-')
        .collect();
    n.parse().ok()
}

/// The report of `ws` against its files; returns the FAIL/ERROR testcases checked.
fn assert_report_matches(ws: &Path, fail_on_warning: bool) -> usize {
    let args: &[&str] = if fail_on_warning {
        &["--fail-on", "warning"]
    } else {
        &[]
    };
    let (code, xml, dir) = check_junit(ws, args);
    let what = format!("junit {}", ws.display());
    if let Some((ok, why)) = xmllint_valid(&dir.path().join("report.xml"), &what) {
        assert!(ok, "{what}: {why}");
    }
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let suites: Vec<roxmltree::Node> = doc
        .root_element()
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    let projects = latest_runs(ws);
    assert_eq!(suites.len(), projects.len(), "{what}");
    let mut checked = 0;
    let mut any_failing = false;
    for (id, name, latest) in &projects {
        let found: Vec<_> = suites
            .iter()
            .filter(|s| s.attribute("name") == Some(name.as_str()))
            .collect();
        assert_eq!(found.len(), 1, "{what}: suite {name}");
        let suite = found[0];
        let prop = |k: &str| {
            suite
                .descendants()
                .find(|n| n.has_tag_name("property") && n.attribute("name") == Some(k))
                .and_then(|n| n.attribute("value"))
        };
        assert_eq!(prop("project_id"), Some(id.as_str()), "{what} {name}");
        let cases: Vec<roxmltree::Node> = suite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        let Some((run_id, time, tests)) = latest else {
            assert!(cases.is_empty(), "{what} {name}");
            continue;
        };
        assert_eq!(prop("snapshot_id"), Some(run_id.as_str()), "{what} {name}");
        let stamp = chrono::DateTime::parse_from_rfc3339(prop("timestamp").unwrap()).unwrap();
        assert_eq!(stamp.naive_utc(), *time, "{what} {name}");
        assert_eq!(cases.len(), tests.len(), "{what} {name}: testcases");
        let n = |s: &str| tests.iter().filter(|t| t.status == s).count();
        let warnings_fail = if fail_on_warning { n("WARNING") } else { 0 };
        let with = |tag: &str| {
            cases
                .iter()
                .filter(|c| c.children().any(|e| e.has_tag_name(tag)))
                .count()
        };
        assert_eq!(with("failure"), n("FAIL") + warnings_fail, "{what} {name}");
        assert_eq!(with("error"), n("ERROR"), "{what} {name}");
        assert_eq!(with("skipped"), n("SKIPPED"), "{what} {name}");
        let warned = cases
            .iter()
            .filter(|c| {
                c.children().any(|e| {
                    e.has_tag_name("system-out")
                        && e.text().is_some_and(|t| t.starts_with("WARNING: "))
                })
            })
            .count();
        assert_eq!(warned, n("WARNING") - warnings_fail, "{what} {name}");
        let attr = |k: &str| suite.attribute(k).unwrap().parse::<usize>().unwrap();
        assert_eq!(attr("tests"), tests.len());
        assert_eq!(attr("failures"), n("FAIL") + warnings_fail);
        assert_eq!(attr("errors"), n("ERROR"));
        assert_eq!(attr("skipped"), n("SKIPPED"));
        any_failing |= n("FAIL") + n("ERROR") + warnings_fail > 0;
        // Each failing test of the file has its testcase: Evidently's
        // description as the text, the measured value in the message.
        for t in tests
            .iter()
            .filter(|t| t.status == "FAIL" || t.status == "ERROR")
        {
            let tag = if t.status == "FAIL" {
                "failure"
            } else {
                "error"
            };
            let hit = cases
                .iter()
                .flat_map(|c| c.children())
                .find(|e| {
                    e.has_tag_name(tag) && e.text().is_some_and(|x| x.starts_with(&t.description))
                })
                .unwrap_or_else(|| panic!("{what} {name}: no {tag} for {:?}", t.description));
            assert_eq!(hit.attribute("type"), Some(t.status.as_str()));
            let message = hit.attribute("message").unwrap();
            assert!(message.starts_with(&format!("{}: ", t.status)), "{message}");
            let measured = message
                .split("measured value ")
                .nth(1)
                .map(|v| v.parse::<f64>().unwrap());
            match (t.value, actual_value(&t.description)) {
                (Some(v), _) => assert_eq!(measured, Some(v), "{what} {name}: {message}"),
                (None, Some(shown)) => {
                    let m = measured.unwrap_or_else(|| panic!("{message}"));
                    assert!((m - shown).abs() <= 0.0005 + 1e-9, "{message} vs {shown}")
                }
                (None, None) => {}
            }
            checked += 1;
        }
    }
    assert_eq!(code, i32::from(any_failing), "{what}: exit status");
    checked
}

#[test]
fn the_report_is_valid_and_matches_the_files_in_the_samples() {
    let ws = root().join("sample_snapshots");
    assert!(assert_report_matches(&ws, false) > 0);
    assert!(assert_report_matches(&ws, true) > 0);
}

#[test]
fn the_report_is_valid_and_matches_the_files_in_the_shared_workspaces() {
    let Some(shared) = shared("") else {
        return;
    };
    for ws in ["legacy-0.4", "current-0.7", "heavy-0.4", "heavy-0.7"] {
        let n = assert_report_matches(&shared.join(ws), false);
        assert!(n > 0, "{ws}: no failing test checked");
    }
}

#[test]
fn a_broken_report_fails_the_schema() {
    let ws = root().join("sample_snapshots");
    let (_, xml, dir) = check_junit(&ws, &[]);
    let broken = dir.path().join("broken.xml");
    // A testsuite without its required counts is not JUnit.
    let first = xml.find(" tests=\"").unwrap();
    let start = xml[first + 1..].find("<testsuite ").unwrap() + first + 1;
    let end = start + xml[start..].find('>').unwrap();
    let tag = &xml[start..end];
    let cut = tag.split(" tests=").next().unwrap().to_string();
    fs::write(&broken, xml.replacen(tag, &cut, 1)).unwrap();
    if let Some((ok, why)) = xmllint_valid(&broken, "a_broken_report_fails_the_schema") {
        assert!(!ok, "xmllint accepted a testsuite without counts");
        assert!(why.contains("tests"), "{why}");
    }
}

#[test]
fn max_age_adds_a_freshness_case_that_fails_when_stale() {
    let ws = root().join("sample_snapshots");
    // The samples are from 2024: every project is older than a day.
    let (code, xml, dir) = check_junit(&ws, &["--max-age", "1d"]);
    assert_eq!(code, 1);
    if let Some((ok, why)) = xmllint_valid(&dir.path().join("report.xml"), "max_age junit") {
        assert!(ok, "{why}");
    }
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let stale: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure") && n.attribute("type") == Some("STALE"))
        .collect();
    assert_eq!(stale.len(), 4);
    // Ten thousand weeks: none is stale, the cases pass.
    let (_, xml, _dir) = check_junit(&ws, &["--max-age", "10000w"]);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let fresh = doc
        .descendants()
        .filter(|n| {
            n.has_tag_name("testcase")
                && n.attribute("name")
                    .is_some_and(|a| a.starts_with("newest snapshot at most"))
        })
        .collect::<Vec<_>>();
    assert_eq!(fresh.len(), 4);
    assert!(fresh.iter().all(|c| !c.has_children()));
}

#[test]
fn hostile_names_give_valid_xml_with_their_controls_shown() {
    let ws = root().join("tests/fixtures/hostile");
    let (_, xml, dir) = check_junit(&ws, &[]);
    if let Some((ok, why)) = xmllint_valid(&dir.path().join("report.xml"), "hostile junit") {
        assert!(ok, "{why}");
    }
    for c in xml.chars() {
        let u = c as u32;
        assert!(
            !(u < 0x20 && c != '\n'
                || (0x7f..=0x9f).contains(&u)
                || (0x202a..=0x202e).contains(&u)),
            "U+{u:04X} in the report"
        );
    }
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let names: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testsuite"))
        .filter_map(|n| n.attribute("name"))
        .collect();
    assert_eq!(names.len(), 2);
    assert!(names.iter().all(|n| n.contains("\\x1b]52;")), "{names:?}");
}
