//! Rendering the trend view for one series of 10,000 points into a
//! `TestBackend` at 120x40 (target: under 5 ms per frame).
//! `cargo bench --bench chart`.

// Tools and tests may stop at the first surprise; the library may not.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers};
use ratatui::Terminal;
use snapscope::index::IndexEvent;
use snapscope::index::{Fingerprint, SnapshotEntry};
use snapscope::model::{
    Generation, SeriesSet, SeriesValue, Snapshot, SnapshotKind, TestOutcome, TestSpec, TestStatus,
};
use snapscope::parse::TimeZoneChoice;
use snapscope::tui::app::App;
use snapscope::tui::msg::Msg;
use snapscope::tui::{make_app, ui, TuiOptions};

const POINTS: usize = 10_000;
const KEY: &str = "DatasetDriftMetric{columns=None}.share_of_drifted_columns";

fn entry(i: usize, key: &Arc<str>) -> SnapshotEntry {
    let id = format!("00000000-0000-4000-8000-{i:012}");
    let t0 = Utc.with_ymd_and_hms(2023, 1, 1, 0, 0, 0).unwrap();
    let status = if i.is_multiple_of(50) {
        TestStatus::Fail
    } else {
        TestStatus::Success
    };
    SnapshotEntry {
        path: PathBuf::from(format!("/ws/p/snapshots/{id}.json")).into(),
        fingerprint: Fingerprint {
            len: 1,
            mtime: None,
            ..Fingerprint::default()
        },
        snapshot: Arc::new(Snapshot {
            id,
            inner_id_mismatch: None,
            project_id: "p".into(),
            timestamp: t0 + Duration::minutes(30 * i as i64),
            timestamp_naive: false,
            name: None,
            tags: vec![],
            metadata: Default::default(),
            generation: Generation::V2,
            kind: SnapshotKind::Run,
            tests: vec![TestOutcome {
                spec: TestSpec {
                    identity: "T{}".into(),
                    test_type: "T".into(),
                    name: "t".into(),
                    column: None,
                }
                .shared(),
                description: "d".into(),
                status,
                value: None,
                condition: None,
            }],
            series: SeriesSet::from_values(vec![SeriesValue {
                key: key.clone(),
                value: Some(((i as f64) / 37.0).sin() * 0.4 + 0.5 + (i % 7) as f64 * 0.01),
            }]),
            drift: vec![],
        }),
    }
}

fn press(app: &mut App, code: KeyCode) {
    let now = Utc::now();
    app.update(
        Msg::Key(KeyEvent {
            code,
            modifiers: KeyModifiers::NONE,
            kind: KeyEventKind::Press,
            state: KeyEventState::NONE,
        }),
        now,
    );
}

fn trend_app() -> App {
    let mut o = TuiOptions::new(PathBuf::from("/ws"));
    o.tz = TimeZoneChoice::Utc;
    let mut app = make_app(&o, (120, 40));
    let key: Arc<str> = Arc::from(KEY);
    let mut evs: Vec<IndexEvent> = (0..POINTS)
        .map(|i| IndexEvent::SnapshotAdded(entry(i, &key)))
        .collect();
    evs.push(IndexEvent::ScanFinished { elapsed_ms: 0 });
    app.apply_events(evs, Utc::now());
    press(&mut app, KeyCode::Char('T'));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Left);
    assert_eq!(
        app.trend.as_ref().map(|t| t.series[0].points.len()),
        Some(POINTS)
    );
    app
}

fn bench(c: &mut Criterion) {
    let app = trend_app();
    let now = Utc::now();
    let mut term = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    c.bench_function("trend view, 10k points, 120x40", |b| {
        b.iter(|| {
            term.draw(|f| ui::draw(f, &app, now)).expect("draw");
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
