//! `snapscope check --junit FILE`: the check as a JUnit XML report for CI
//! (GitLab, Jenkins, GitHub Actions reporters). One `<testsuite>` per
//! project, named after it, and one `<testcase>` per test of the run
//! `check` judged (its latest run with tests): FAIL as `<failure>`, ERROR
//! as `<error>` (condition and measured value in the message, Evidently's
//! description in the text), SKIPPED as `<skipped>`, WARNING as a pass with
//! the warning in `<system-out>` (a `<failure>` with `--fail-on warning`).
//! With `--max-age`, one more testcase per project says whether its newest
//! snapshot is recent enough, so the report fails exactly when the exit
//! status does. The XML is written by `quick-junit`; every string is
//! [`clean`]ed first, so control characters show instead of vanishing.

use std::path::Path;

use chrono::{DateTime, FixedOffset, Utc};
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use crate::analysis::triage::ProjectHealth;
use crate::cmd::check::judged;
use crate::cmd::error::{HeadlessError, Result};
use crate::cmd::output::{label_parts, rfc3339};
use crate::index::Catalog;
use crate::model::{test_label, TestOutcome, TestStatus};
use crate::parse::TimeZoneChoice;
use crate::text::sanitize::{clean, clean_path};

/// How the report was asked for.
#[derive(Debug, Clone, Copy)]
pub struct JunitOptions {
    pub fail_on_warning: bool,
    /// `--max-age` was given: each project gets a freshness testcase.
    pub max_age: Option<chrono::Duration>,
    pub tz: TimeZoneChoice,
    pub checked_at: DateTime<Utc>,
}

/// Write the report of `healths` to `path`.
pub fn write_junit(
    path: &Path,
    catalog: &Catalog,
    healths: &[ProjectHealth],
    opts: &JunitOptions,
) -> Result<()> {
    let xml = report(catalog, healths, opts)
        .to_string()
        .map_err(|e| junit_error(path, e.to_string()))?;
    std::fs::write(path, xml).map_err(|e| junit_error(path, e.to_string()))
}

fn junit_error(path: &Path, reason: String) -> HeadlessError {
    HeadlessError::Junit {
        path: clean_path(path),
        reason,
    }
}

fn offset_time(t: DateTime<Utc>, tz: TimeZoneChoice) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(&rfc3339(t, tz)).ok()
}

/// The report: one suite per project, in the order `check` prints them.
pub fn report(catalog: &Catalog, healths: &[ProjectHealth], opts: &JunitOptions) -> Report {
    let mut report = Report::new("snapscope check");
    if let Some(t) = offset_time(opts.checked_at, opts.tz) {
        report.set_timestamp(t);
    }
    for h in healths {
        report.add_test_suite(suite(catalog, h, opts));
    }
    report
}

fn suite(catalog: &Catalog, h: &ProjectHealth, opts: &JunitOptions) -> TestSuite {
    let name = clean(&h.name).into_owned();
    let mut suite = TestSuite::new(name.as_str());
    let time = |t: DateTime<Utc>| rfc3339(t, opts.tz);
    let mut props: Vec<(&str, String)> = vec![("project_id", clean(&h.project_id).into_owned())];
    if let (Some(id), Some(t)) = (&h.snapshot_id, h.timestamp) {
        props.push(("snapshot_id", clean(id).into_owned()));
        props.push(("timestamp", time(t)));
        if let Some(t) = offset_time(t, opts.tz) {
            suite.set_timestamp(t);
        }
    }
    if let Some(r) = &h.streak.failing_since {
        props.push(("failing_since", time(r.timestamp)));
        props.push((
            "failing_since_snapshot_id",
            clean(&r.snapshot_id).into_owned(),
        ));
    }
    if let Some(r) = &h.streak.last_pass {
        props.push(("last_pass", time(r.timestamp)));
        props.push(("last_pass_snapshot_id", clean(&r.snapshot_id).into_owned()));
    }
    if let Some(t) = h.newest {
        props.push(("newest", time(t)));
    }
    props.push(("unreadable", h.unreadable.to_string()));
    suite.add_properties(props.into_iter().map(|(k, v)| Property::new(k, v)));
    if let Some(s) = judged(catalog, h) {
        for t in &s.tests {
            suite.add_test_case(case(h, t, &name, opts));
        }
    }
    if let Some(problem) = &h.problem {
        // Nothing of the project could be read: one ERROR says why, so the
        // report fails exactly when `check` does.
        let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
        s.set_type("UNREADABLE").set_message(format!(
            "{}: {}",
            clean(&problem.path.to_string_lossy()),
            clean(&problem.reason)
        ));
        let mut c = TestCase::new("project can be read", s);
        c.set_classname(name.as_str());
        suite.add_test_case(c);
    }
    if let Some(age) = opts.max_age {
        let label = format!(
            "newest snapshot at most {} old",
            crate::text::duration::age(age)
        );
        let status = if h.stale {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            let why = match h.newest {
                Some(t) => format!(
                    "newest snapshot is {} old",
                    crate::text::duration::age(opts.checked_at - t)
                ),
                None => "no snapshots".to_string(),
            };
            s.set_type("STALE").set_message(why);
            s
        } else {
            TestCaseStatus::success()
        };
        let mut c = TestCase::new(label, status);
        c.set_classname(name.as_str());
        suite.add_test_case(c);
    }
    if !h.notes.is_empty() {
        let notes: Vec<String> = h.notes.iter().map(|n| clean(n).into_owned()).collect();
        suite.set_system_out(notes.join("\n"));
    }
    suite
}

/// `FAIL: lt 0.25; measured value 0.37`: the status, the condition where
/// known, and the measured value in full (or that the file states none).
pub fn failure_message(t: &TestOutcome) -> String {
    let value = match t.value {
        Some(v) => format!("measured value {v}"),
        None => "no measured value".to_string(),
    };
    match &t.condition {
        Some(c) => format!("{}: {}; {value}", t.status, clean(c)),
        None => format!("{}: {value}", t.status),
    }
}

fn case(h: &ProjectHealth, t: &TestOutcome, classname: &str, opts: &JunitOptions) -> TestCase {
    let label = test_label(&t.name, t.column.as_deref());
    let (head, tail) = label_parts(&label, t.condition.as_deref(), true);
    let description = clean(&t.description).into_owned();
    let since = h
        .failing
        .iter()
        .find(|f| f.identity == t.identity)
        .and_then(|f| f.failing_since)
        .map(|s| format!("\nfailing since {}", rfc3339(s, opts.tz)))
        .unwrap_or_default();
    let non_success = |kind: NonSuccessKind| {
        let mut s = TestCaseStatus::non_success(kind);
        s.set_type(t.status.as_str())
            .set_message(failure_message(t))
            .set_description(format!("{description}{since}"));
        s
    };
    let mut out = None;
    let status = match t.status {
        TestStatus::Fail => non_success(NonSuccessKind::Failure),
        TestStatus::Error => non_success(NonSuccessKind::Error),
        TestStatus::Warning if opts.fail_on_warning => non_success(NonSuccessKind::Failure),
        TestStatus::Warning => {
            out = Some(format!("WARNING: {description}"));
            TestCaseStatus::success()
        }
        TestStatus::Skipped => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(description.as_str());
            s
        }
        TestStatus::Success => TestCaseStatus::success(),
    };
    let mut c = TestCase::new(format!("{head}{tail}"), status);
    c.set_classname(classname);
    if let Some(o) = out {
        c.set_system_out(o);
    }
    c
}
