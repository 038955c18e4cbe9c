//! The browse screen: projects pane (left) and the selected project's
//! snapshots timeline (right), newest first. Only visible rows are built.

use chrono::{DateTime, Utc};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::index::{ProjectEntry, SnapshotEntry};
use crate::model::{Snapshot, TestStatus};
use crate::text::sanitize::clean;
use crate::tui::app::{App, FilterTarget, Pane};
use crate::tui::fmt;
use crate::tui::ui::layout;
use crate::tui::ui::widgets::put;
use crate::tui::ui::widgets::{counts_spans, pane_block, title_with_filter};
use crate::tui::ui::widgets::{empty_hint, scroll_list};

/// Runs shown in a project's failure sparkline.
pub const SPARK_RUNS: usize = 6;

/// Worst status of the newest snapshot that carries tests.
pub fn latest_test_status(p: &ProjectEntry) -> Option<TestStatus> {
    p.snapshots
        .iter()
        .rev()
        .map(|s| s.snapshot.test_counts())
        .find(|c| c.total() > 0)
        .and_then(|c| c.worst())
}

/// Failure share (FAIL + ERROR over all tests) of the last `n` runs that carry tests, oldest first.
pub fn failure_levels(p: &ProjectEntry, n: usize) -> Vec<f64> {
    let mut v: Vec<f64> = p
        .snapshots
        .iter()
        .rev()
        .filter_map(|s| {
            let c = s.snapshot.test_counts();
            (c.total() > 0).then(|| (c.fail + c.error) as f64 / c.total() as f64)
        })
        .take(n)
        .collect();
    v.reverse();
    v
}

/// Columns of a project name that read well enough to keep the short
/// sparkline rather than show the rest of the name.
pub const READABLE_NAME: usize = 28;

/// The columns of the projects pane besides the name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProjectCols {
    pub runs: bool,
    pub age: bool,
    /// Runs in the failure sparkline (0: none).
    pub spark: usize,
}

impl ProjectCols {
    /// Columns taken besides the name (status mark and spaces included).
    fn fixed(self) -> usize {
        2 + if self.runs { 5 } else { 0 }
            + if self.age { 5 } else { 0 }
            + if self.spark > 0 { self.spark + 1 } else { 0 }
    }

    /// The columns for a pane `w` wide whose longest name is `longest`
    /// wide, and the name column's width: the names are cut last, so the
    /// run count goes first, then the sparkline shrinks to three runs, the
    /// age goes, then the sparkline. A name longer than
    /// [`READABLE_NAME`] may be cut after that many columns to keep the
    /// short sparkline.
    pub fn fit(w: usize, longest: usize) -> (ProjectCols, usize) {
        let want = longest.min(READABLE_NAME);
        let c = |runs, age, spark| ProjectCols { runs, age, spark };
        let choices = [
            c(true, true, SPARK_RUNS),
            c(false, true, SPARK_RUNS),
            c(false, true, 3),
            c(false, false, 3),
            c(false, false, 0),
        ];
        let cols = choices
            .into_iter()
            .find(|c| w.saturating_sub(c.fixed()) >= want)
            .unwrap_or(c(false, false, 0));
        (cols, w.saturating_sub(cols.fixed()))
    }
}

/// Draw the browse screen.
pub fn render(main: Rect, buf: &mut Buffer, app: &App, now: DateTime<Utc>) {
    let b = layout::browse(
        main,
        app.browse.focus == Pane::Snapshots,
        app.now_height(main),
        app.longest_project_name(),
    );
    crate::tui::ui::now::render(b.now, buf, app, now);
    projects(b.projects, buf, app, now);
    snapshots(b.snapshots, buf, app, now);
}

fn row_style(app: &App, selected: bool, focused: bool) -> Style {
    let th = &app.cfg.theme;
    match (selected, focused) {
        (true, true) => th.selected(),
        (true, false) => th.selected_unfocused(),
        _ => Style::default(),
    }
}

fn projects(r: Rect, buf: &mut Buffer, app: &App, now: DateTime<Utc>) {
    let th = &app.cfg.theme;
    let ell = th.ellipsis();
    let focused = app.browse.focus == Pane::Projects;
    let list = app.visible_projects();
    let total = app.catalog.projects().len();
    let title = title_with_filter(
        app,
        "Projects".into(),
        list.len(),
        total,
        FilterTarget::Projects,
    );
    let block = pane_block(title, focused, th);
    let inner = block.inner(r);
    block.render(r, buf);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let w = inner.width as usize;
    let (cols, name_w) = ProjectCols::fit(w, app.longest_project_name());
    let mut header = format!("  {}", fmt::pad("name", name_w, ell));
    if cols.runs {
        header.push_str(&format!(" {}", fmt::pad_left("runs", 4, ell)));
    }
    if cols.age {
        header.push_str(&format!(" {}", fmt::pad_left("age", 4, ell)));
    }
    if cols.spark >= 5 {
        header.push_str(&format!(" {}", fmt::pad("fails", cols.spark, ell)));
    }
    put(
        buf,
        inner,
        0,
        Line::styled(fmt::truncate(&header, w, ell), th.header()),
    );
    let rows = layout::below_header(inner);
    if list.is_empty() {
        let msg = if !app.scan.finished {
            "scanning…"
        } else if !app.filter(FilterTarget::Projects).is_empty() {
            "no project matches the filter (Esc clears it)"
        } else {
            "no projects found in this folder"
        };
        empty_hint(buf, rows, msg, th);
        return;
    }
    let sel = app.project_index();
    scroll_list(
        buf,
        rows,
        list.iter(),
        app.browse.project_offset,
        sel,
        |_, p, selected| {
            let base = row_style(app, selected, focused);
            let (sym, sym_style) = match latest_test_status(p) {
                Some(s) => (th.status_symbol(s), th.status(s)),
                // Unreadable: as bad as a failure.
                None if app.unreadable_problem(&p.project.id).is_some() => (
                    th.status_symbol(TestStatus::Fail),
                    th.status(TestStatus::Fail),
                ),
                None => ("·", th.dim()),
            };
            let has_new = p
                .snapshots
                .iter()
                .any(|s| app.new_ids.contains(&s.snapshot.id));
            let mut name = clean(&p.project.name).into_owned();
            if has_new {
                name = format!("{} {name}", th.new_symbol());
            }
            let age = p
                .latest()
                .map(|s| fmt::age(now, s.snapshot.timestamp))
                .unwrap_or_else(|| "—".into());
            let mut spans = vec![
                Span::styled(sym, sym_style.patch(base)),
                Span::styled(" ", base),
                Span::styled(fmt::pad(&name, name_w, ell), base),
            ];
            if cols.runs {
                spans.push(Span::styled(
                    format!(" {}", fmt::pad_left(&p.snapshots.len().to_string(), 4, ell)),
                    base,
                ));
            }
            if cols.age {
                spans.push(Span::styled(" ", base));
                spans.push(Span::styled(
                    fmt::pad_left(&age, 4, ell),
                    th.dim().patch(base),
                ));
            }
            if cols.spark > 0 {
                spans.push(Span::styled(" ", base));
                let levels = failure_levels(p, cols.spark);
                for l in &levels {
                    let st = if *l > 0.0 {
                        th.status(TestStatus::Fail)
                    } else {
                        th.status(TestStatus::Success)
                    };
                    spans.push(Span::styled(th.spark(*l).to_string(), st.patch(base)));
                }
                spans.push(Span::styled(
                    " ".repeat(cols.spark.saturating_sub(levels.len())),
                    base,
                ));
            }
            Line::from(spans)
        },
    );
}

fn snapshots(r: Rect, buf: &mut Buffer, app: &App, now: DateTime<Utc>) {
    let th = &app.cfg.theme;
    let ell = th.ellipsis();
    let focused = app.browse.focus == Pane::Snapshots;
    let list = app.visible_snapshots();
    let (pname, total) = match app.current_project() {
        Some(p) => (clean(&p.project.name).into_owned(), p.snapshots.len()),
        None => ("Snapshots".into(), 0),
    };
    // Runs that arrived above the cursor while it was not on the top row.
    let above = app.browse.new_above_count();
    let up = if th.ascii { "^" } else { "↑" };
    let marker = (above > 0).then(|| format!(" {up} {above} new above (g) "));
    let marker_w = marker.as_deref().map_or(0, fmt::width);
    let title = title_with_filter(
        app,
        fmt::truncate(
            &pname,
            (r.width as usize).saturating_sub(24 + marker_w),
            ell,
        ),
        list.len(),
        total,
        FilterTarget::Snapshots,
    );
    let mut block = pane_block(title, focused, th);
    if let Some(m) = marker {
        block = block.title_top(Line::styled(m, th.new_marker()).right_aligned());
    }
    let inner = block.inner(r);
    block.render(r, buf);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let w = inner.width as usize;
    let wide = w >= 70;
    let show_kind = w >= 56;
    let (tpat, tw) = if wide {
        ("%Y-%m-%d %H:%M", 16)
    } else {
        ("%m-%d %H:%M", 11)
    };
    // The drift column as wide as its widest label (`drift` at least), and
    // left out when the pane is too narrow for it and a name.
    let drift_w = if w >= 46 {
        list.iter()
            .map(|e| fmt::width(&drift_cell(&e.snapshot, DRIFT_W)))
            .max()
            .unwrap_or(0)
            .max(5)
    } else {
        0
    };
    let mut header = format!("  {}", fmt::pad("time", tw, ell));
    if show_kind {
        header.push_str(" kind  ");
    }
    header.push_str(&format!(" {} ", fmt::pad("tests", 12, ell)));
    if drift_w > 0 {
        header.push_str(&format!("{} ", fmt::pad_left("drift", drift_w, ell)));
    }
    header.push_str("name / tags");
    put(
        buf,
        inner,
        0,
        Line::styled(fmt::truncate(&header, w, ell), th.header()),
    );
    let rows = layout::below_header(inner);
    if list.is_empty() {
        let msg = if app.current_project().is_none() {
            "no project selected"
        } else if !app.filter(FilterTarget::Snapshots).is_empty() {
            "no snapshot matches the filter (Esc clears it)"
        } else if !app.scan.finished {
            "scanning…"
        } else {
            "no snapshots in this project"
        };
        let problem = app
            .current_project()
            .and_then(|p| app.unreadable_problem(&p.project.id))
            .map(|u| format!("cannot be read: {} (u lists why)", clean(&u.reason)));
        empty_hint(buf, rows, problem.as_deref().unwrap_or(msg), th);
        return;
    }
    // Runs dated beyond this are flagged, and shown with their year.
    let horizon = now + crate::analysis::triage::future_slack();
    let sel = app.snapshot_index();
    scroll_list(
        buf,
        rows,
        list.iter(),
        app.browse.snapshot_offset,
        sel,
        |_, e, selected| {
            let base = row_style(app, selected, focused);
            let time = TimeColumn {
                pattern: tpat,
                width: tw,
                horizon,
            };
            snapshot_row(app, e, w, &time, show_kind, drift_w, base)
        },
    );
}

/// Widest drift column: fits `120/240`.
const DRIFT_W: usize = 7;

/// The drift label: drifted columns out of columns measured (`6/13`), or the
/// share when the count is wider than `max`; "" when the run reports none.
fn drift_cell(s: &Snapshot, max: usize) -> String {
    let text = match s.drift_count() {
        None => String::new(),
        Some(c) => {
            let short = c.short();
            match c.share {
                Some(sh) if fmt::width(&short) > max => format!("{:.0}%", sh * 100.0),
                _ => short,
            }
        }
    };
    text
}

/// The time column of the timeline: its strftime pattern and width, and
/// the time past which a run is dated in the future (flagged, and shown
/// with its year).
struct TimeColumn<'p> {
    pattern: &'p str,
    width: usize,
    horizon: DateTime<Utc>,
}

fn snapshot_row<'a>(
    app: &App,
    e: &SnapshotEntry,
    w: usize,
    time: &TimeColumn<'_>,
    show_kind: bool,
    drift_w: usize,
    base: Style,
) -> Line<'a> {
    let th = &app.cfg.theme;
    let ell = th.ellipsis();
    let s = &e.snapshot;
    let future = s.timestamp > time.horizon;
    let tw = time.width;
    // A year that is not this one's is part of what looks wrong.
    let tpat = match future && !time.pattern.contains("%Y") {
        true => "%Y-%m-%d",
        false => time.pattern,
    };
    let is_new = app.new_ids.contains(&s.id);
    let marked = app
        .mark
        .as_ref()
        .is_some_and(|(p, id)| *id == s.id && *p == s.project_id);
    let (sym, sym_style) = if marked {
        (th.mark_symbol(), th.key())
    } else if is_new {
        (th.new_symbol(), th.new_marker())
    } else if future {
        // Dated in the future: flagged, never the newest run.
        (
            th.status_symbol(TestStatus::Warning),
            th.status(TestStatus::Warning),
        )
    } else {
        (" ", th.new_marker())
    };
    let mut spans = vec![
        Span::styled(sym, sym_style.patch(base)),
        Span::styled(" ", base),
        Span::styled(
            fmt::pad(&fmt::time(app.cfg.tz, s.timestamp, tpat), tw, ell),
            base,
        ),
        Span::styled(" ", base),
    ];
    let mut used = 2 + tw + 1;
    if show_kind {
        spans.push(Span::styled(
            fmt::pad(s.kind.label(), 6, ell),
            th.dim().patch(base),
        ));
        spans.push(Span::styled(" ", base));
        used += 7;
    }
    spans.extend(counts_spans(th, s, base));
    used += 12;
    spans.push(Span::styled(" ", base));
    used += 1;
    if drift_w > 0 {
        let cell = fmt::pad_left(&drift_cell(s, DRIFT_W), drift_w, "");
        spans.push(Span::styled(format!("{cell} "), base));
        used += drift_w + 1;
    }
    let rest = w.saturating_sub(used);
    let name = s.name.as_deref().map(|n| clean(n).into_owned());
    let tags: Vec<String> = s.tags.iter().map(|t| clean(t).into_owned()).collect();
    let mut text = match &name {
        Some(n) if !n.is_empty() => n.clone(),
        _ => clean(&s.id).chars().take(8).collect(),
    };
    if !tags.is_empty() {
        text.push_str(&format!(" [{}]", tags.join(",")));
    }
    let name_style = if name.as_deref().is_some_and(|n| !n.is_empty()) {
        base
    } else {
        th.dim().patch(base)
    };
    spans.push(Span::styled(fmt::pad(&text, rest, ell), name_style));
    Line::from(spans)
}
