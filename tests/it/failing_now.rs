//! Failing now and what the text shows (issue 13, items 2, 3 and 11).
//!
//! - A test fails now only when it is FAIL/ERROR in its project's latest run
//!   with tests; a test that run did not run is "not in latest run", with
//!   when it last ran (`tests --json`: `in_latest`, `last_run`, `failing_now`;
//!   the `H` view's count).
//! - An ERROR test whose metric has no value for what it asks (a label the
//!   metric does not have) shows no value, and its condition and label.
//! - `check` / `tests` text: piped output is never cut; `--width N` and
//!   `COLUMNS` cut names before conditions and values; a cut list counts
//!   what it left out.
//!
//! Expected values are read from the snapshot files with serde_json,
//! independently of snapscope's parser.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::NaiveDateTime;
use crossterm::event::KeyCode;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use serde_json::Value;
use snapscope::index::send_one_shot;
use snapscope::parse::{ParseOptions, TimeZoneChoice};
use snapscope::tui::app::App;
use snapscope::tui::theme::ThemeKind;
use snapscope::tui::{make_app, ui, TuiOptions};

use crate::common::{self, now, press};
use crate::oncall::{file_time, is_failure, json_with, printed_time, read, root, snapscope, text};

/// `(name, status)` of every test of a snapshot file, legacy or v2, with
/// v2 tests nested in a by-label value too:
/// jq '(.suite.test_results // [])[], (.metric_results // {} | .[] |
///   (.tests[]?, (.values // {} | .[] | .tests[]?))) | [.name, .status]'
pub(crate) fn all_tests(v: &Value) -> Vec<(String, String)> {
    test_objects(v)
        .into_iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_string(),
                t["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The test objects of a snapshot file, in the order [`all_tests`] lists them.
pub(crate) fn test_objects(v: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    for t in v["suite"]["test_results"].as_array().into_iter().flatten() {
        out.push(t);
    }
    for m in v["metric_results"]
        .as_object()
        .into_iter()
        .flat_map(|m| m.values())
    {
        for t in m["tests"].as_array().into_iter().flatten() {
            out.push(t);
        }
        for l in m["values"].as_object().into_iter().flat_map(|l| l.values()) {
            for t in l["tests"].as_array().into_iter().flatten() {
                out.push(t);
            }
        }
    }
    out
}

/// One snapshot file: id, time, tests.
pub(crate) struct Run {
    pub(crate) id: String,
    pub(crate) time: NaiveDateTime,
    pub(crate) tests: Vec<(String, String)>,
}

/// The runs of each project folder of `ws`, oldest first.
pub(crate) fn projects(ws: &Path) -> BTreeMap<String, Vec<Run>> {
    let mut out = BTreeMap::new();
    for dir in fs::read_dir(ws).unwrap() {
        let dir = dir.unwrap().path();
        let Ok(files) = fs::read_dir(dir.join("snapshots")) else {
            continue;
        };
        let mut runs: Vec<Run> = files
            .map(|f| f.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .map(|p| {
                let v = read(&p);
                Run {
                    id: p.file_stem().unwrap().to_string_lossy().into_owned(),
                    time: file_time(&v),
                    tests: all_tests(&v),
                }
            })
            .collect();
        runs.sort_by(|a, b| (a.time, &a.id).cmp(&(b.time, &b.id)));
        let id = dir.file_name().unwrap().to_string_lossy().into_owned();
        out.insert(id, runs);
    }
    out
}

/// Check `tests --json` of every project of `ws` against the files; returns
/// (projects with a test not in their latest run, tests failing now).
fn assert_failing_now_matches(ws: &Path) -> (usize, usize) {
    let (mut partial, mut failing_total) = (0, 0);
    for (id, runs) in projects(ws) {
        let Some(latest) = runs.iter().rev().find(|r| !r.tests.is_empty()) else {
            continue;
        };
        // Failing now: FAIL/ERROR outcomes of the latest run with tests.
        let failing = latest.tests.iter().filter(|(_, s)| is_failure(s)).count();
        let ws_s = ws.to_str().unwrap();
        let v = json_with(
            0,
            &["tests", ws_s, "--project", &id, "--json", "--tz", "utc"],
        );
        let rows = v.as_array().unwrap();
        let count = |k: &str| rows.iter().filter(|r| r[k] == true).count();
        assert_eq!(count("failing_now"), failing, "{id}: failing now");
        assert_eq!(
            count("in_latest"),
            latest.tests.len(),
            "{id}: in latest run"
        );
        failing_total += failing;
        partial += usize::from(count("in_latest") < rows.len());
        // Rows by name, for the names one row has (a name shared by tests of
        // other configurations is told apart by more than the file's name).
        let mut by_name: BTreeMap<&str, usize> = BTreeMap::new();
        for r in rows {
            *by_name.entry(r["name"].as_str().unwrap()).or_default() += 1;
        }
        for r in rows {
            let name = r["name"].as_str().unwrap();
            // last_run is the time of the file that last ran the test.
            let last = runs
                .iter()
                .find(|run| run.id == r["latest_snapshot_id"].as_str().unwrap())
                .unwrap();
            assert_eq!(printed_time(&r["last_run"]), last.time, "{id} {name}");
            assert_eq!(r["last_run"], r["latest_timestamp"], "{id} {name}");
            let in_latest = r["in_latest"].as_bool().unwrap();
            if !in_latest {
                assert_eq!(r["failing_now"], false, "{id} {name}");
            }
            if by_name[name] == 1 {
                let newest = runs
                    .iter()
                    .filter(|run| run.tests.iter().any(|(n, _)| n == name))
                    .map(|run| run.time)
                    .max()
                    .unwrap();
                assert_eq!(printed_time(&r["last_run"]), newest, "{id} {name}");
                let ran = latest.tests.iter().any(|(n, _)| n == name);
                assert_eq!(in_latest, ran, "{id} {name}");
            }
        }
        // The text says the same count.
        let o = snapscope(&["tests", ws_s, "--project", &id, "--tz", "utc"]);
        let out = text(&o);
        let line = format!(
            "latest run with tests {}: {failing} failing now of",
            latest.time.format("%Y-%m-%d %H:%M")
        );
        assert!(out.contains(&line), "{id}: no {line:?} in\n{out}");
        let gone = rows.len() - latest.tests.len();
        if gone > 0 {
            assert!(
                out.contains(&format!("Not in the latest run ({gone}), not failing now:")),
                "{out}"
            );
        }
    }
    (partial, failing_total)
}

#[test]
fn failing_now_is_the_latest_run_with_tests_on_the_samples() {
    let (partial, failing) = assert_failing_now_matches(&root().join("sample_snapshots"));
    // Diabetes runs two suites: its latest run lacks tests of the other one.
    assert!(partial > 0 && failing > 0, "{partial} {failing}");
}

#[test]
fn failing_now_is_the_latest_run_with_tests_on_the_shared_workspaces() {
    let Some(shared) = crate::common::shared("") else {
        return;
    };
    let (mut partial, mut failing) = (0, 0);
    for ws in ["legacy-0.4", "current-0.7", "heavy-0.4", "heavy-0.7"] {
        let (p, f) = assert_failing_now_matches(&shared.join(ws));
        partial += p;
        failing += f;
    }
    assert!(partial > 0 && failing > 0, "{partial} {failing}");
}

/// An app over `sample_snapshots` (UTC, the fixed clock).
fn sample_app(size: (u16, u16)) -> App {
    let root = PathBuf::from("sample_snapshots");
    let mut o = TuiOptions::new(root.clone());
    o.tz = TimeZoneChoice::Utc;
    o.theme = ThemeKind::Default;
    let mut app = make_app(&o, size);
    let (tx, rx) = crossbeam_channel::unbounded();
    send_one_shot(
        &root,
        &ParseOptions {
            tz: TimeZoneChoice::Utc,
        },
        &tx,
    );
    drop(tx);
    app.apply_events(rx.into_iter().collect(), now());
    app
}

fn render(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| ui::draw(f, app, now())).unwrap();
    t.backend().to_string()
}

/// `H` on the sample Diabetes project, whose latest run (a daily run) has
/// 11 tests while the weekly suite's other 14 did not run in it.
#[test]
fn test_history_view_counts_failing_now_from_the_latest_run() {
    const DIABETES: &str = "01a2230d-b8d2-7113-98bf-36daa2d1f948";
    let runs = projects(&root().join("sample_snapshots"))
        .remove(DIABETES)
        .unwrap();
    let latest = runs.iter().rev().find(|r| !r.tests.is_empty()).unwrap();
    let failing = latest.tests.iter().filter(|(_, s)| is_failure(s)).count();
    for (w, h) in [(80, 24), (200, 50)] {
        let mut a = sample_app((w, h));
        // Move to Diabetes in the project list, then open its test history.
        let current = |a: &App| a.current_project().map(|p| p.project.id.clone());
        for _ in 0..8 {
            if current(&a).as_deref() == Some(DIABETES) {
                break;
            }
            press(&mut a, KeyCode::Char('j'));
        }
        assert_eq!(current(&a).as_deref(), Some(DIABETES));
        press(&mut a, KeyCode::Char('H'));
        let hist = a.thist.as_ref().unwrap();
        assert_eq!(hist.failing_now(), failing);
        assert_eq!(hist.rows.len() - hist.not_in_latest(), latest.tests.len());
        let screen = render(&a, w, h);
        assert!(
            screen.contains(&format!("tests: {failing} failing now, ")),
            "{screen}"
        );
        insta::assert_snapshot!(format!("test_history_not_in_latest_{w}x{h}"), screen);
    }
}

/// The fixtures of `tests/fixtures/errors` (see its `make_errors.py`).
fn errors(generation: &str) -> PathBuf {
    root().join("tests/fixtures/errors").join(generation)
}

/// The ERROR test of the one snapshot of the one project in `ws`.
fn error_test_in_file(ws: &Path) -> (String, Value) {
    let dir = fs::read_dir(ws).unwrap().next().unwrap().unwrap().path();
    let file = fs::read_dir(dir.join("snapshots"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let v = read(&file);
    let id = file.file_stem().unwrap().to_string_lossy().into_owned();
    let legacy = v["suite"]["tests"]
        .as_array()
        .into_iter()
        .flatten()
        .zip(v["suite"]["test_results"].as_array().into_iter().flatten());
    for (config, result) in legacy {
        if result["status"] == "ERROR" {
            let mut t = result.clone();
            t["config"] = config.clone();
            return (id, t);
        }
    }
    for m in v["metric_results"].as_object().unwrap().values() {
        for t in m["tests"].as_array().into_iter().flatten() {
            if t["status"] == "ERROR" {
                return (id, t.clone());
            }
        }
    }
    panic!("no ERROR test in {}", file.display());
}

/// (op, threshold, label) the ERROR test of each fixture asks, from the file:
/// v2 `.test_config.test.threshold` / `.test_config.label` (type
/// GreaterOrEqualMetricTest: `gte`); legacy `.suite.tests[i].gte` / `.label`.
fn asked(t: &Value) -> (String, String) {
    if let Some(bound) = t["test_config"].as_object() {
        let test = &bound["test"];
        assert!(test["type"]
            .as_str()
            .unwrap()
            .ends_with("GreaterOrEqualMetricTest"));
        (
            format!("gte {}", test["threshold"].as_f64().unwrap()),
            bound["label"].to_string(),
        )
    } else {
        let c = &t["config"];
        (
            format!("gte {}", c["gte"].as_f64().unwrap()),
            c["label"].as_str().unwrap().to_string(),
        )
    }
}

#[test]
fn error_tests_show_their_condition_and_label_and_no_value() {
    for generation in ["v2", "legacy"] {
        let ws = errors(generation);
        let ws_s = ws.to_str().unwrap();
        let (snapshot, t) = error_test_in_file(&ws);
        // The file states no value for it: no parameters (legacy), or a
        // label the metric's values do not have (v2).
        assert!(t["parameters"].is_null(), "{t}");
        let (cond, label) = asked(&t);
        let condition = format!("{cond} for label {label}");

        // show --json: the test, no value, the condition with the label.
        let v = json_with(0, &["show", ws_s, &snapshot, "--json"]);
        let shown: Vec<&Value> = v["tests"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["status"] == "ERROR")
            .collect();
        assert_eq!(shown.len(), 1, "{generation}: {v}");
        assert_eq!(shown[0]["name"], t["name"]);
        assert!(shown[0]["value"].is_null(), "{generation}: {}", shown[0]);
        assert_eq!(shown[0]["condition"], condition.as_str(), "{generation}");

        // check: JSON and text.
        let v = json_with(1, &["check", ws_s, "--json"]);
        let f = &v["projects"][0]["failing"][0];
        assert_eq!(f["status"], "ERROR");
        assert!(f["value"].is_null());
        assert_eq!(f["condition"], condition.as_str());
        let out = text(&snapscope(&["check", ws_s, "--width", "80"]));
        let name = t["name"].as_str().unwrap();
        let line = out
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("ERROR    {name}")))
            .unwrap_or_else(|| panic!("{out}"));
        assert!(line.contains(&format!("[{condition}]")), "{out}");
        assert!(out.contains("no measured value"), "{out}");

        // tests: the row shows the condition; the note says there is no value.
        let out = text(&snapscope(&["tests", ws_s]));
        let row = out
            .lines()
            .find(|l| l.starts_with("ERROR "))
            .unwrap_or_else(|| panic!("{out}"));
        assert!(row.contains(&format!("[{condition}]")), "{out}");
        assert!(out.contains("  no measured value: "), "{out}");
    }
}

/// The detail's Tests tab of the v2 ERROR fixture: the condition with its
/// label, and "no measured value" where the value would be.
#[test]
fn detail_tests_tab_shows_an_error_tests_condition() {
    let ws = errors("v2");
    let (_, t) = error_test_in_file(&ws);
    let (cond, label) = asked(&t);
    let mut o = TuiOptions::new(ws.clone());
    o.tz = TimeZoneChoice::Utc;
    for (w, h) in [(80, 24), (200, 50)] {
        let mut a = make_app(&o, (w, h));
        let (tx, rx) = crossbeam_channel::unbounded();
        send_one_shot(
            &ws,
            &ParseOptions {
                tz: TimeZoneChoice::Utc,
            },
            &tx,
        );
        drop(tx);
        a.apply_events(rx.into_iter().collect(), now());
        press(&mut a, KeyCode::Tab);
        press(&mut a, KeyCode::Enter);
        // The ERROR test sorts first (worst first): its row has no value
        // (the em dash) and the whole condition; the detail below says so.
        let screen = render(&a, w, h);
        let name = t["name"].as_str().unwrap();
        let row = screen
            .lines()
            .find(|l| l.contains(&format!("ERROR   {name}")))
            .unwrap_or_else(|| panic!("{screen}"));
        assert!(
            row.contains(&format!("— {cond} for label {label}")),
            "{screen}"
        );
        assert!(screen.contains("no measured value"), "{screen}");
    }
}

fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// The FAIL/ERROR descriptions of each project's latest run with tests.
fn failing_descriptions(ws: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for dir in fs::read_dir(ws).unwrap() {
        let Ok(files) = fs::read_dir(dir.unwrap().path().join("snapshots")) else {
            continue;
        };
        let mut vs: Vec<Value> = files.map(|f| read(&f.unwrap().path())).collect();
        vs.sort_by_key(file_time);
        let Some(v) = vs.iter().rev().find(|v| !all_tests(v).is_empty()) else {
            continue;
        };
        let legacy = v["suite"]["test_results"].as_array().into_iter().flatten();
        let v2 = v["metric_results"]
            .as_object()
            .into_iter()
            .flat_map(|m| m.values())
            .flat_map(|m| m["tests"].as_array().into_iter().flatten());
        for t in legacy.chain(v2) {
            if is_failure(t["status"].as_str().unwrap()) {
                out.push(t["description"].as_str().unwrap().to_string());
            }
        }
    }
    out
}

#[test]
fn piped_text_is_never_cut_and_width_cuts_names_first() {
    let ws = root().join("sample_snapshots");
    let ws_s = ws.to_str().unwrap();
    let descriptions = failing_descriptions(&ws);
    assert!(!descriptions.is_empty());
    // Piped, no --width: every description whole on its line.
    let piped = text(&snapscope(&["check", ws_s]));
    for d in &descriptions {
        assert!(
            piped.lines().any(|l| l.trim() == d.trim()),
            "{d:?} not whole in\n{piped}"
        );
    }
    assert!(piped.lines().any(|l| width(l) > 80), "{piped}");
    // --width 80: no line passes 80, and every description is all there,
    // wrapped at spaces (its words in order).
    let cut = text(&snapscope(&["check", ws_s, "--width", "80"]));
    assert!(cut.lines().all(|l| width(l) <= 80), "{cut}");
    let flat = cut.split_whitespace().collect::<Vec<_>>().join(" ");
    for d in &descriptions {
        let words = d.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains(&words), "{d:?} cut in\n{cut}");
    }
    // A v2 test's name ends in its condition ("R2 Score: Greater or Equal
    // 0.318"): cut to 60 columns, the condition stays whole, the name gives
    // way (a line passes 60 only where the condition alone needs more).
    let narrow = text(&snapscope(&["check", ws_s, "--width", "60"]));
    assert!(narrow.contains(": Greater or Equal 0.318"), "{narrow}");
    assert!(narrow.contains("…: Equal 147.522 ± 14.752"), "{narrow}");

    // The same for `tests`.
    let piped = text(&snapscope(&["tests", ws_s, "--project", "Diabetes"]));
    assert!(piped.lines().any(|l| width(l) > 80), "{piped}");
    assert!(!piped.contains('…'), "{piped}");
    let cut = text(&snapscope(&[
        "tests",
        ws_s,
        "--project",
        "Diabetes",
        "--width",
        "80",
    ]));
    assert!(cut.lines().all(|l| width(l) <= 80), "{cut}");
    assert!(cut.contains('…'), "{cut}");
    for l in cut.lines().filter(|l| l.contains('…')) {
        // What follows a cut name is a whole condition (`: <op> <number>`).
        let tail = l.rsplit_once('…').unwrap().1;
        assert!(tail.starts_with(": ") || tail.is_empty(), "{l}");
    }
}

#[test]
fn a_cut_list_says_how_many_it_left_out() {
    let ws = root().join("sample_snapshots");
    let ws_s = ws.to_str().unwrap();
    let v = json_with(1, &["check", ws_s, "--json"]);
    let out = text(&snapscope(&["check", ws_s, "--width", "60"]));
    let mut cut_lists = 0;
    for p in v["projects"].as_array().unwrap() {
        let cols: Vec<&str> = p["drifted_columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        let whole = format!("drifted: {}", cols.join(", "));
        if cols.is_empty() || width(&whole) + 9 <= 60 {
            continue;
        }
        // The project's drifted line: the first names, then the count of the rest.
        let line = out
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with("drifted: ") && cols.iter().any(|c| l.contains(c)))
            .unwrap_or_else(|| panic!("{out}"));
        let shown = line
            .trim_start_matches("drifted: ")
            .rsplit_once(" and ")
            .unwrap_or_else(|| panic!("{line}"));
        let named = shown.0.split(", ").count();
        assert_eq!(shown.1, format!("{} more", cols.len() - named), "{line}");
        assert_eq!(shown.0.split(", ").collect::<Vec<_>>(), cols[..named]);
        cut_lists += 1;
    }
    assert!(cut_lists > 0, "no drifted list long enough to cut:\n{out}");
}

/// In a terminal, `COLUMNS` sets the width, else the terminal's own.
#[test]
fn a_terminal_cuts_at_columns_or_its_width() {
    let dir = root();
    let bin = common::run::bin();
    // (An empty COLUMNS stands for none, whatever the test's own is.)
    for (cols, env, limit) in [(200, "64", 64), (72, "", 72)] {
        let mut p = common::pty::Pty::spawn(
            &bin,
            &["check", "sample_snapshots"],
            cols,
            50,
            &[("COLUMNS", env)],
            &dir,
        );
        p.wait_exit(Duration::from_secs(20));
        let screen = p.screen();
        assert!(screen.contains("FAILED: "), "{screen}");
        let widest = screen.lines().map(|l| width(l.trim_end())).max().unwrap();
        assert!(widest <= limit && widest > limit - 15, "{widest}\n{screen}");
    }
}
