use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use super::key::{
    arg_matches, filter_matches, legacy_value_matches, same_plain, test_filter_matches,
    v2_value_matches,
};
use super::*;
use crate::index::{Fingerprint, ProjectEntry, SnapshotEntry};
use crate::model::{
    Generation, Project, SeriesValue, Snapshot, SnapshotKind, TestOutcome, TestSpec, TestStatus,
};

fn ts(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn snap(id: &str, at: &str, kind: SnapshotKind, series: &[(&str, f64)]) -> Snapshot {
    Snapshot {
        id: id.into(),
        inner_id_mismatch: None,
        project_id: "p".into(),
        timestamp: ts(at),
        timestamp_naive: true,
        name: None,
        tags: Vec::new(),
        metadata: Default::default(),
        generation: Generation::Legacy,
        kind,
        tests: Vec::new(),
        series: series
            .iter()
            .map(|(k, v)| SeriesValue {
                key: (*k).into(),
                value: Some(*v),
            })
            .collect(),
        drift: Vec::new(),
    }
}

fn test(identity: &str, test_type: &str, status: TestStatus) -> TestOutcome {
    TestOutcome {
        spec: TestSpec {
            identity: identity.into(),
            test_type: test_type.into(),
            name: format!("name of {identity}").into(),
            column: None,
        }
        .shared(),
        description: "".into(),
        status,
        value: None,
        condition: None,
    }
}

fn project(snaps: Vec<Snapshot>) -> ProjectEntry {
    let mut snapshots: Vec<SnapshotEntry> = snaps
        .into_iter()
        .map(|s| SnapshotEntry {
            path: std::path::Path::new(&format!("{}.json", s.id)).into(),
            fingerprint: Fingerprint {
                len: 0,
                mtime: None,
                ..Fingerprint::default()
            },
            snapshot: Arc::new(s),
        })
        .collect();
    snapshots.sort_by_key(|e| (e.snapshot.timestamp, e.snapshot.id.clone()));
    ProjectEntry {
        project: Project {
            id: "p".into(),
            name: "p".into(),
            description: None,
            folder: PathBuf::new(),
            created_at: None,
            warning: None,
            dashboard: None,
        },
        snapshots,
    }
}

// ---- unsupported panels ----

#[test]
fn unsupported_panels_are_not_evaluable() {
    let d = crate::parse::dashboard::legacy(&json!({"panels": [
        {"type": "evidently:dashboard_panel:DashboardPanelDistribution", "id": "x", "size": 1}
    ]}))
    .unwrap();
    let v = evaluate(&d, &project(Vec::new()));
    assert!(matches!(v[0].content, PanelContent::NotEvaluable(_)));
}

// ---- key parser ----

#[test]
fn key_parser_splits_type_params_and_field() {
    let k = SeriesKey::parse("ColumnDriftMetric{column_name=mean radius}.drift_score").unwrap();
    assert_eq!(k.metric_type, "ColumnDriftMetric");
    assert_eq!(k.params, vec![("column_name", "mean radius".to_string())]);
    assert_eq!(k.field, "drift_score");

    let k = SeriesKey::parse("ValueDrift{column=age,method=K-S p_value}.value").unwrap();
    assert_eq!(k.param("method"), Some("K-S p_value"));
    assert_eq!(k.param("column"), Some("age"));

    let k = SeriesKey::parse("DatasetDriftMetric.drift_by_columns.a.b.drift_score").unwrap();
    assert_eq!(k.metric_type, "DatasetDriftMetric");
    assert!(k.params.is_empty());
    assert_eq!(k.field, "drift_by_columns.a.b.drift_score");

    // Dots inside params belong to the params; `=` after the first is value.
    let k = SeriesKey::parse("X{a.b=0.5,q=x=y}.f.g").unwrap();
    assert_eq!(k.params, vec![("a.b", "0.5".into()), ("q", "x=y".into())]);
    assert_eq!(k.field, "f.g");

    // A value containing a comma stays whole.
    let k = SeriesKey::parse("MeanValue{column=a, b,z=1}.value").unwrap();
    assert_eq!(k.param("column"), Some("a, b"));
    assert_eq!(k.param("z"), Some("1"));

    // Test identities have no field.
    let k = SeriesKey::parse("TestNumberOfRows{gte=100}").unwrap();
    assert_eq!((k.metric_type, k.field), ("TestNumberOfRows", ""));
    assert_eq!(
        SeriesKey::parse("TestRocAuc").unwrap().metric_type,
        "TestRocAuc"
    );

    assert_eq!(SeriesKey::parse("X{a=1.value"), None);
    assert_eq!(SeriesKey::parse("{a=1}.value"), None);
    assert_eq!(SeriesKey::parse(""), None);
}

// ---- matching ----

#[test]
fn plain_comparison_normalises_numbers_and_python_words() {
    assert!(same_plain("0.5", "0.50"));
    assert!(same_plain("1e-5", "1e-05"));
    assert!(same_plain("True", "true"));
    assert!(same_plain("None", "null"));
    assert!(!same_plain("0.5", "0.6"));
    assert!(!same_plain("age", "Age"));
}

#[test]
fn legacy_values_match_type_args_and_field() {
    let k = SeriesKey::parse("ColumnDriftMetric{column_name=mean radius,stattest=psi}.drift_score")
        .unwrap();
    let args = vec![("column_name.name".to_string(), json!("mean radius"))];
    assert!(legacy_value_matches(
        &k,
        Some("ColumnDriftMetric"),
        "drift_score",
        &args
    ));
    assert!(legacy_value_matches(&k, None, "drift_score", &[]));
    assert!(!legacy_value_matches(
        &k,
        Some("ColumnDriftMetric"),
        "drift_detected",
        &args
    ));
    assert!(!legacy_value_matches(
        &k,
        Some("ColumnSummaryMetric"),
        "drift_score",
        &args
    ));
    let other = vec![("column_name.name".to_string(), json!("worst area"))];
    assert!(!legacy_value_matches(
        &k,
        Some("ColumnDriftMetric"),
        "drift_score",
        &other
    ));
    // A whole ColumnName object compares by its name.
    let obj = json!({"type": "evidently:base:ColumnName", "name": "mean radius", "display_name": "x", "dataset": "main"});
    assert!(arg_matches(&k, "column_name", &obj));
    // A null arg (left out of keys) matches an absent param; a set one must exist.
    assert!(arg_matches(&k, "stattest_threshold", &Value::Null));
    assert!(!arg_matches(&k, "stattest_threshold", &json!(0.1)));
    assert!(arg_matches(&k, "stattest", &json!("psi")));

    let k =
        SeriesKey::parse("DatasetDriftMetric{drift_share=0.5}.share_of_drifted_columns").unwrap();
    assert!(arg_matches(&k, "drift_share", &json!(0.5)));
    assert!(arg_matches(&k, "drift_share", &json!("0.5")));
    assert!(!arg_matches(&k, "drift_share", &json!(0.7)));
}

#[test]
fn v2_values_match_metric_labels() {
    let share = SeriesKey::parse("DriftedColumnsCount{drift_share=0.5}.share").unwrap();
    let count = SeriesKey::parse("DriftedColumnsCount{drift_share=0.5}.count").unwrap();
    let vt = |v: &str| vec![("value_type".to_string(), v.to_string())];
    assert!(v2_value_matches(
        &share,
        "DriftedColumnsCount",
        &vt("share")
    ));
    assert!(!v2_value_matches(
        &count,
        "DriftedColumnsCount",
        &vt("share")
    ));
    assert!(v2_value_matches(&count, "DriftedColumnsCount", &[]));
    assert!(!v2_value_matches(&share, "DriftedColumnsCount", &[]));
    assert!(v2_value_matches(&share, "*", &vt("share")));
    assert!(!v2_value_matches(&share, "RowCount", &vt("share")));
    let ds = vec![("drift_share".to_string(), "0.5".to_string())];
    assert!(v2_value_matches(&count, "DriftedColumnsCount", &ds));
    let ds = vec![("drift_share".to_string(), "0.7".to_string())];
    assert!(!v2_value_matches(&count, "DriftedColumnsCount", &ds));

    // classification_name=default is left out of keys: absent still matches.
    let acc = SeriesKey::parse("Accuracy.value").unwrap();
    let cn = |v: &str| vec![("classification_name".to_string(), v.to_string())];
    assert!(v2_value_matches(&acc, "Accuracy", &cn("default")));
    assert!(!v2_value_matches(&acc, "Accuracy", &cn("other")));
    // So are ValueDrift thresholds and booleans.
    let vd = SeriesKey::parse("ValueDrift{column=age,method=K-S p_value}.value").unwrap();
    let labels = vec![
        ("column".to_string(), "age".to_string()),
        ("threshold".to_string(), "0.05".to_string()),
        ("conf_matrix".to_string(), "True".to_string()),
    ];
    assert!(v2_value_matches(&vd, "ValueDrift", &labels));

    // Per-label values.
    let by = SeriesKey::parse("UniqueValueCount{column=site}.shares.clinic_a").unwrap();
    let lab = |l: &str, v: Option<&str>| {
        let mut out = vec![("label".to_string(), l.to_string())];
        if let Some(v) = v {
            out.push(("value_type".to_string(), v.to_string()));
        }
        out
    };
    assert!(v2_value_matches(
        &by,
        "UniqueValueCount",
        &lab("clinic_a", Some("share"))
    ));
    assert!(!v2_value_matches(
        &by,
        "UniqueValueCount",
        &lab("clinic_a", Some("count"))
    ));
    assert!(!v2_value_matches(
        &by,
        "UniqueValueCount",
        &lab("clinic_b", Some("share"))
    ));
    let num = SeriesKey::parse("Recall.values.1").unwrap();
    assert!(v2_value_matches(&num, "Recall", &lab("1.0", None)));
}

#[test]
fn filters_need_all_tags_and_metadata_pairs() {
    let mut s = snap("a", "2024-03-05T02:00:00Z", SnapshotKind::Report, &[]);
    s.tags = vec!["prod".into(), "nightly".into()];
    s.metadata = [
        ("pipeline", json!("nightly-batch")),
        ("owners", json!(["ml-platform", "oncall"])),
        ("n", json!("5")),
    ]
    .into_iter()
    .collect();
    let f = |tags: &[&str], md: Vec<(&str, Value)>| SnapshotFilter {
        tags: tags.iter().map(|t| t.to_string()).collect(),
        metadata: md.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        include_test_suites: false,
    };
    assert!(filter_matches(&f(&[], vec![]), &s));
    assert!(filter_matches(&f(&["prod", "nightly"], vec![]), &s));
    assert!(!filter_matches(&f(&["prod", "eu-west"], vec![]), &s));
    assert!(filter_matches(
        &f(&[], vec![("pipeline", json!("nightly-batch"))]),
        &s
    ));
    assert!(!filter_matches(
        &f(&[], vec![("pipeline", json!("hourly"))]),
        &s
    ));
    assert!(!filter_matches(&f(&[], vec![("missing", json!("x"))]), &s));
    // Lists compare as Python prints them, or structurally.
    assert!(filter_matches(
        &f(&[], vec![("owners", json!("['ml-platform', 'oncall']"))]),
        &s
    ));
    assert!(filter_matches(
        &f(&[], vec![("owners", json!(["ml-platform", "oncall"]))]),
        &s
    ));
    assert!(filter_matches(&f(&[], vec![("n", json!(5))]), &s));
    // Legacy include_test_suites=false drops test suites.
    let t = snap("t", "2024-03-05T02:15:00Z", SnapshotKind::TestSuite, &[]);
    assert!(!filter_matches(&f(&[], vec![]), &t));
    let mut inc = f(&[], vec![]);
    inc.include_test_suites = true;
    assert!(filter_matches(&inc, &t));
}

#[test]
fn test_filters_match_type_and_args() {
    let t = test(
        "TestColumnDrift{column_name=target,stattest=psi}",
        "TestColumnDrift",
        TestStatus::Fail,
    );
    let tf = |id: Option<&str>, args: Vec<(&str, Value)>, fp: Option<&str>| TestFilter {
        test_id: id.map(str::to_string),
        test_args: args.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        test_fingerprint: fp.map(str::to_string),
    };
    assert!(test_filter_matches(&tf(None, vec![], None), &t));
    assert!(test_filter_matches(
        &tf(Some("TestColumnDrift"), vec![], None),
        &t
    ));
    assert!(!test_filter_matches(
        &tf(Some("TestNumberOfRows"), vec![], None),
        &t
    ));
    assert!(test_filter_matches(
        &tf(
            Some("TestColumnDrift"),
            vec![("column_name.name", json!("target"))],
            None
        ),
        &t
    ));
    assert!(!test_filter_matches(
        &tf(
            Some("TestColumnDrift"),
            vec![("column_name.name", json!("age"))],
            None
        ),
        &t
    ));
    assert!(!test_filter_matches(&tf(None, vec![], Some("abc")), &t));
}

// ---- time buckets ----

#[test]
fn time_agg_parses_pandas_periods_and_floors() {
    assert_eq!(TimeAgg::parse("1D"), TimeAgg::Step(Duration::days(1)));
    assert_eq!(TimeAgg::parse("D"), TimeAgg::Step(Duration::days(1)));
    assert_eq!(TimeAgg::parse("1H"), TimeAgg::Step(Duration::hours(1)));
    assert_eq!(TimeAgg::parse("1h"), TimeAgg::Step(Duration::hours(1)));
    assert_eq!(
        TimeAgg::parse("30min"),
        TimeAgg::Step(Duration::minutes(30))
    );
    assert_eq!(TimeAgg::parse("1W"), TimeAgg::Step(Duration::weeks(1)));
    assert_eq!(TimeAgg::parse("1M"), TimeAgg::Unsupported("1M".into()));
    assert_eq!(TimeAgg::parse("0D"), TimeAgg::Unsupported("0D".into()));
    assert_eq!(TimeAgg::parse(""), TimeAgg::Unsupported("".into()));

    let t = ts("2024-03-07T02:24:55Z"); // a Thursday
    let b = |raw: &str| TimeAgg::parse(raw).bucket_start(t);
    assert_eq!(b("1D"), ts("2024-03-07T00:00:00Z"));
    assert_eq!(b("1H"), ts("2024-03-07T02:00:00Z"));
    assert_eq!(b("30min"), ts("2024-03-07T02:00:00Z"));
    assert_eq!(b("15min"), ts("2024-03-07T02:15:00Z"));
    assert_eq!(b("1W"), ts("2024-03-04T00:00:00Z")); // Monday
    assert_eq!(b("1M"), t);
    // Before the epoch too.
    let old = ts("1969-12-31T23:59:00Z");
    assert_eq!(
        TimeAgg::parse("1D").bucket_start(old),
        ts("1969-12-31T00:00:00Z")
    );
}

// ---- evaluation on synthetic data ----

fn legacy_value(metric: &str, field: &str, args: Vec<(&str, Value)>, legend: &str) -> PanelValue {
    PanelValue {
        legend: Some(legend.into()),
        selector: ValueSelector::Legacy {
            metric_id: Some(metric.into()),
            field_path: field.into(),
            metric_args: args.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            metric_fingerprint: None,
        },
        filter: None,
    }
}

fn panel(kind: PanelKind, values: Vec<PanelValue>) -> Panel {
    Panel {
        id: "x".into(),
        title: "t".into(),
        text: Some("txt".into()),
        size: PanelSize::Half,
        kind,
        values,
        test_filters: Vec::new(),
        filter: SnapshotFilter::default(),
    }
}

fn drift_project() -> ProjectEntry {
    project(vec![
        snap(
            "s2",
            "2024-03-06T02:00:00Z",
            SnapshotKind::Report,
            &[
                ("ColumnDriftMetric{column_name=a}.drift_score", 0.2),
                ("ColumnDriftMetric{column_name=b}.drift_score", 0.7),
            ],
        ),
        snap(
            "s1",
            "2024-03-05T02:00:00Z",
            SnapshotKind::Report,
            &[
                ("ColumnDriftMetric{column_name=a}.drift_score", 0.1),
                ("ColumnDriftMetric{column_name=a}.drift_detected", 0.0),
            ],
        ),
    ])
}

#[test]
fn plot_lines_one_per_distinct_key_in_time_order() {
    let p = panel(
        PanelKind::Plot {
            plot_type: PlotType::Line,
        },
        vec![legacy_value(
            "ColumnDriftMetric",
            "drift_score",
            vec![],
            "drift",
        )],
    );
    let v = evaluate_panel(&p, &drift_project());
    let PanelContent::Plot { lines, .. } = v.content else {
        panic!("{v:?}")
    };
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0].legend, "drift (column_name=a)");
    assert_eq!(lines[1].legend, "drift (column_name=b)");
    let a: Vec<(&str, f64)> = lines[0]
        .points
        .iter()
        .map(|p| (p.snapshot_id.as_str(), p.value))
        .collect();
    assert_eq!(a, [("s1", 0.1), ("s2", 0.2)]);

    let only_b = panel(
        PanelKind::Plot {
            plot_type: PlotType::Line,
        },
        vec![legacy_value(
            "ColumnDriftMetric",
            "drift_score",
            vec![("column_name.name", json!("b"))],
            "b",
        )],
    );
    let PanelContent::Plot { lines, .. } = evaluate_panel(&only_b, &drift_project()).content else {
        panic!()
    };
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].legend, "b");
    assert_eq!(lines[0].points.len(), 1);
}

#[test]
fn counters_take_last_or_sum() {
    let v = legacy_value(
        "ColumnDriftMetric",
        "drift_score",
        vec![("column_name.name", json!("a"))],
        "a",
    );
    let last = evaluate_panel(
        &panel(
            PanelKind::Counter {
                agg: CounterAgg::Last,
            },
            vec![v.clone()],
        ),
        &drift_project(),
    );
    let PanelContent::Counter { values, .. } = last.content else {
        panic!()
    };
    assert_eq!(values[0].value, Some(0.2));
    assert_eq!(values[0].points, 2);
    let sum = evaluate_panel(
        &panel(
            PanelKind::Counter {
                agg: CounterAgg::Sum,
            },
            vec![v.clone()],
        ),
        &drift_project(),
    );
    let PanelContent::Counter { values, .. } = sum.content else {
        panic!()
    };
    assert!((values[0].value.unwrap() - 0.3).abs() < 1e-12);
    let none = evaluate_panel(
        &panel(
            PanelKind::Counter {
                agg: CounterAgg::None,
            },
            vec![v],
        ),
        &drift_project(),
    );
    assert_eq!(none.content, PanelContent::Text("txt".into()));
    // No match: no value, no error.
    let miss = legacy_value("Nope", "x", vec![], "n");
    let c = evaluate_panel(
        &panel(
            PanelKind::Counter {
                agg: CounterAgg::Last,
            },
            vec![miss],
        ),
        &drift_project(),
    );
    let PanelContent::Counter { values, .. } = c.content else {
        panic!()
    };
    assert_eq!(values[0].value, None);
}

#[test]
fn fingerprint_values_say_so_in_place() {
    let mut v = legacy_value("ColumnDriftMetric", "drift_score", vec![], "fp");
    if let ValueSelector::Legacy {
        metric_fingerprint, ..
    } = &mut v.selector
    {
        *metric_fingerprint = Some("abc".into());
    }
    let plot = PanelKind::Plot {
        plot_type: PlotType::Line,
    };
    let only = evaluate_panel(&panel(plot.clone(), vec![v.clone()]), &drift_project());
    assert_eq!(
        only.content,
        PanelContent::NotEvaluable(
            "uses metric_fingerprint; cannot be evaluated outside Python".into()
        )
    );
    let mixed = evaluate_panel(
        &panel(
            plot,
            vec![
                v,
                legacy_value("ColumnDriftMetric", "drift_score", vec![], "ok"),
            ],
        ),
        &drift_project(),
    );
    assert!(matches!(mixed.content, PanelContent::Plot { ref lines, .. } if lines.len() == 2));
    assert_eq!(mixed.notes.len(), 1);
    assert!(mixed.notes[0].contains("metric_fingerprint"));
}

fn test_project() -> ProjectEntry {
    let mut a = snap("r1", "2024-03-05T02:00:00Z", SnapshotKind::TestSuite, &[]);
    a.tests = vec![
        test(
            "TestNumberOfRows{gte=100}",
            "TestNumberOfRows",
            TestStatus::Success,
        ),
        test("TestRocAuc", "TestRocAuc", TestStatus::Fail),
    ];
    let mut b = snap("r2", "2024-03-05T14:00:00Z", SnapshotKind::TestSuite, &[]);
    b.tests = vec![test(
        "TestNumberOfRows{gte=100}",
        "TestNumberOfRows",
        TestStatus::Fail,
    )];
    let mut c = snap("r3", "2024-03-06T02:00:00Z", SnapshotKind::TestSuite, &[]);
    c.tags = vec!["prod".into()];
    c.tests = vec![
        test(
            "TestNumberOfRows{gte=100}",
            "TestNumberOfRows",
            TestStatus::Success,
        ),
        test("TestRocAuc", "TestRocAuc", TestStatus::Warning),
    ];
    let report = snap("m", "2024-03-06T03:00:00Z", SnapshotKind::Report, &[]);
    project(vec![a, b, c, report])
}

#[test]
fn test_suite_aggregate_buckets_keep_the_newest_run_per_test() {
    let p = panel(
        PanelKind::TestSuite {
            panel_type: TestPanelType::Aggregate,
            time_agg: Some(TimeAgg::parse("1D")),
        },
        Vec::new(),
    );
    let PanelContent::TestSuiteAggregate { buckets } = evaluate_panel(&p, &test_project()).content
    else {
        panic!()
    };
    assert_eq!(buckets.len(), 2);
    assert_eq!(buckets[0].start, ts("2024-03-05T00:00:00Z"));
    // Day 1: rows FAIL (r2 overwrote r1's SUCCESS), RocAuc FAIL.
    assert_eq!((buckets[0].counts.fail, buckets[0].counts.success), (2, 0));
    assert_eq!(
        (buckets[1].counts.success, buckets[1].counts.warning),
        (1, 1)
    );

    // Without time_agg: one bucket per run; tag filter applies.
    let mut per_run = p.clone();
    per_run.kind = PanelKind::TestSuite {
        panel_type: TestPanelType::Aggregate,
        time_agg: None,
    };
    let PanelContent::TestSuiteAggregate { buckets } =
        evaluate_panel(&per_run, &test_project()).content
    else {
        panic!()
    };
    assert_eq!(buckets.len(), 3);
    per_run.filter.tags = vec!["prod".into()];
    let PanelContent::TestSuiteAggregate { buckets } =
        evaluate_panel(&per_run, &test_project()).content
    else {
        panic!()
    };
    assert_eq!(buckets.len(), 1);
    assert_eq!(buckets[0].start, ts("2024-03-06T02:00:00Z"));
}

#[test]
fn test_suite_detailed_rows_per_test_and_counter() {
    let mut p = panel(
        PanelKind::TestSuite {
            panel_type: TestPanelType::Detailed,
            time_agg: None,
        },
        Vec::new(),
    );
    p.test_filters = vec![TestFilter {
        test_id: Some("TestRocAuc".into()),
        test_args: Vec::new(),
        test_fingerprint: None,
    }];
    let PanelContent::TestSuiteDetailed { buckets, tests } =
        evaluate_panel(&p, &test_project()).content
    else {
        panic!()
    };
    assert_eq!(buckets.len(), 3);
    assert_eq!(tests.len(), 1);
    assert_eq!(
        tests[0].statuses,
        [Some(TestStatus::Fail), None, Some(TestStatus::Warning)]
    );

    let mut c = panel(
        PanelKind::TestSuiteCounter {
            agg: CounterAgg::Last,
            statuses: vec![TestStatus::Fail, TestStatus::Warning],
        },
        Vec::new(),
    );
    let PanelContent::TestSuiteCounter {
        count, total, at, ..
    } = evaluate_panel(&c, &test_project()).content
    else {
        panic!()
    };
    assert_eq!((count, total, at), (1, 2, Some(ts("2024-03-06T02:00:00Z"))));
    c.kind = PanelKind::TestSuiteCounter {
        agg: CounterAgg::None,
        statuses: vec![TestStatus::Fail],
    };
    let PanelContent::TestSuiteCounter { count, total, .. } =
        evaluate_panel(&c, &test_project()).content
    else {
        panic!()
    };
    assert_eq!((count, total), (2, 5));

    c.test_filters = vec![TestFilter {
        test_id: None,
        test_args: Vec::new(),
        test_fingerprint: Some("f".into()),
    }];
    assert_eq!(
        evaluate_panel(&c, &test_project()).content,
        PanelContent::NotEvaluable(
            "uses test_fingerprint; cannot be evaluated outside Python".into()
        )
    );
}
