//! `snapscope metrics PATH`: the workspace's [`Figures`] once, in the
//! Prometheus text exposition format 0.0.4 (what node_exporter's textfile
//! collector reads), and [`render`], which `serve` uses too. The text is
//! written by the `prometheus` crate, which escapes label values and help
//! as the format requires; label values are also [`clean`]ed, so snapshot
//! text is as safe on a terminal here as anywhere else.

use std::io::Write;

use chrono::{DateTime, Utc};
use prometheus::{Encoder, Gauge, GaugeVec, Opts, Registry, TextEncoder};

use crate::analysis::metrics::{figures, Figures, ProjectStatus};
use crate::cmd::args::{GlobalOpts, MetricsArgs};
use crate::cmd::error::{HeadlessError, Result};
use crate::cmd::select::load;
use crate::text::sanitize::clean;

/// The content type of the text format 0.0.4.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// What the exporter says of itself beside the workspace's figures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExporterFigures {
    /// How long the last full scan took.
    pub scan_seconds: f64,
    /// When the figures were computed (the index last changed).
    pub updated: DateTime<Utc>,
    /// Files being written, not yet judged (only a live index knows).
    pub pending: Option<usize>,
    /// The `--max-series` cap.
    pub max_series: usize,
}

/// `snapscope metrics`.
pub fn metrics(args: &MetricsArgs, global: &GlobalOpts, out: &mut dyn Write) -> Result<()> {
    let (catalog, report) = load(&args.path, global)?;
    let choice = args.export.choice();
    let now = Utc::now();
    let f = figures(&catalog, &choice, now);
    let exporter = ExporterFigures {
        scan_seconds: report.elapsed_ms as f64 / 1000.0,
        updated: now,
        pending: None,
        max_series: choice.max_series,
    };
    out.write_all(render(&f, &exporter)?.as_bytes())?;
    Ok(())
}

/// Seconds since the epoch, with the fraction.
fn seconds(t: DateTime<Utc>) -> f64 {
    t.timestamp() as f64 + f64::from(t.timestamp_subsec_nanos()) / 1e9
}

/// One registry of gauges, built for one rendering.
struct Families {
    registry: Registry,
}

impl Families {
    fn gauge_vec(&self, name: &str, help: &str, labels: &[&str]) -> Result<GaugeVec> {
        let g = GaugeVec::new(Opts::new(name, help), labels).map_err(exposition)?;
        self.registry
            .register(Box::new(g.clone()))
            .map_err(exposition)?;
        Ok(g)
    }

    fn gauge(&self, name: &str, help: &str, value: f64) -> Result<()> {
        let g = Gauge::with_opts(Opts::new(name, help)).map_err(exposition)?;
        g.set(value);
        self.registry.register(Box::new(g)).map_err(exposition)?;
        Ok(())
    }
}

fn exposition(e: prometheus::Error) -> HeadlessError {
    HeadlessError::Exposition(e.to_string())
}

const PROJECT: [&str; 2] = ["project_id", "project"];

/// The figures as Prometheus text (format 0.0.4), families sorted by name.
pub fn render(f: &Figures, exporter: &ExporterFigures) -> Result<String> {
    let fam = Families {
        registry: Registry::new(),
    };
    let project = |help: &str, name: &str| fam.gauge_vec(name, help, &PROJECT);
    let snapshots = project("Snapshots indexed.", "snapscope_project_snapshots")?;
    let unreadable = project(
        "Unreadable snapshot files and project records (their runs are not judged).",
        "snapscope_project_unreadable_files",
    )?;
    let last_run = project(
        "Time of the newest snapshot of any kind.",
        "snapscope_project_last_run_timestamp_seconds",
    )?;
    let last_tested = project(
        "Time of the latest run with tests (the run check judges).",
        "snapscope_project_last_test_run_timestamp_seconds",
    )?;
    let last_pass = project(
        "Time of the newest run with tests that had no FAIL or ERROR.",
        "snapscope_project_last_pass_timestamp_seconds",
    )?;
    let failing = project(
        "1 when snapscope check fails the project (FAIL or ERROR in its latest run with tests), else 0.",
        "snapscope_project_failing",
    )?;
    let since = project(
        "First failing run of the current streak (run rule); absent when passing.",
        "snapscope_project_failing_since_timestamp_seconds",
    )?;
    let drifted = project(
        "Drifted columns of the newest run that reports drift.",
        "snapscope_project_drifted_columns",
    )?;
    let measured = project(
        "Columns measured for drift in that run (absent when the run does not say).",
        "snapscope_project_drift_measured_columns",
    )?;
    let share = project(
        "Share of drifted columns in that run, 0 to 1.",
        "snapscope_project_drift_share",
    )?;
    let status_labels = ["project_id", "project", "status"];
    let status = fam.gauge_vec(
        "snapscope_project_status",
        "1 for the project's status (ok, fail, error, unreadable, no_tests), 0 for the others.",
        &status_labels,
    )?;
    let tests = fam.gauge_vec(
        "snapscope_project_tests",
        "Tests of the latest run with tests, by status.",
        &status_labels,
    )?;
    for p in &f.projects {
        let h = &p.health;
        let (id, name) = (clean(&h.project_id), clean(&h.name));
        let l = [id.as_ref(), name.as_ref()];
        snapshots.with_label_values(&l).set(p.snapshots as f64);
        unreadable.with_label_values(&l).set(h.unreadable as f64);
        failing
            .with_label_values(&l)
            .set(f64::from(u8::from(p.failing())));
        let times = [
            (&last_run, h.newest),
            (&last_tested, h.timestamp),
            (&last_pass, h.streak.last_pass.as_ref().map(|r| r.timestamp)),
            (&since, h.streak.failing_since.as_ref().map(|r| r.timestamp)),
        ];
        for (g, t) in times {
            if let Some(t) = t {
                g.with_label_values(&l).set(seconds(t));
            }
        }
        if let Some(d) = &h.drift {
            drifted.with_label_values(&l).set(f64::from(d.drifted));
            if let Some(n) = d.columns {
                measured.with_label_values(&l).set(f64::from(n));
            }
            if let Some(s) = d.share {
                share.with_label_values(&l).set(s);
            }
        }
        for s in ProjectStatus::ALL {
            let on = u8::from(s == p.status);
            status
                .with_label_values(&[l[0], l[1], s.as_str()])
                .set(f64::from(on));
        }
        if let Some(c) = &p.tests {
            let by = [
                ("success", c.success),
                ("fail", c.fail),
                ("warning", c.warning),
                ("error", c.error),
                ("skipped", c.skipped),
            ];
            for (s, n) in by {
                tests.with_label_values(&[l[0], l[1], s]).set(f64::from(n));
            }
        }
    }
    let series_labels = ["project_id", "project", "series"];
    let value = fam.gauge_vec(
        "snapscope_series_value",
        "Latest value of a chosen series (NaN when the file states null or NaN).",
        &series_labels,
    )?;
    let value_time = fam.gauge_vec(
        "snapscope_series_timestamp_seconds",
        "Time of the snapshot that gave snapscope_series_value.",
        &series_labels,
    )?;
    for s in &f.series {
        let (id, name, key) = (clean(&s.project_id), clean(&s.project), clean(&s.key));
        let l = [id.as_ref(), name.as_ref(), key.as_ref()];
        value.with_label_values(&l).set(s.value.unwrap_or(f64::NAN));
        value_time.with_label_values(&l).set(seconds(s.timestamp));
    }
    fam.gauge(
        "snapscope_series_dropped",
        "Chosen series values left out by --max-series now (not a counter: it falls when series go).",
        f.series_dropped as f64,
    )?;
    fam.gauge(
        "snapscope_series_limit",
        "The --max-series cap.",
        exporter.max_series as f64,
    )?;
    fam.gauge(
        "snapscope_index_projects",
        "Projects indexed.",
        f.projects.len() as f64,
    )?;
    fam.gauge(
        "snapscope_index_snapshots",
        "Snapshots indexed in all projects.",
        f.snapshots as f64,
    )?;
    fam.gauge(
        "snapscope_index_unreadable_files",
        "Unreadable files in all (also those of no project).",
        f.unreadable as f64,
    )?;
    if let Some(n) = exporter.pending {
        fam.gauge(
            "snapscope_index_pending_files",
            "Files being written, retried once they settle.",
            n as f64,
        )?;
    }
    fam.gauge(
        "snapscope_index_scan_duration_seconds",
        "How long the last full scan of the folder took.",
        exporter.scan_seconds,
    )?;
    fam.gauge(
        "snapscope_index_updated_timestamp_seconds",
        "When these figures were computed (the index last changed).",
        seconds(exporter.updated),
    )?;
    let info = fam.gauge_vec(
        "snapscope_build_info",
        "Always 1; the snapscope version as a label.",
        &["version"],
    )?;
    info.with_label_values(&[crate::cmd::args::VERSION])
        .set(1.0);
    let mut buf = Vec::new();
    TextEncoder::new()
        .encode(&fam.registry.gather(), &mut buf)
        .map_err(exposition)?;
    String::from_utf8(buf).map_err(|e| HeadlessError::Exposition(e.to_string()))
}
