//! The snapshot detail: info lines, tab bar and the Tests / Drift / Metrics /
//! Raw bodies. Lists are virtualised (only visible rows are built).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use crate::model::{Snapshot, TestStatus};
use crate::parse::score_kind;
use crate::text::sanitize::clean;
use crate::tui::app::{App, FilterTarget, MetricRow, RawState, Tab};
use crate::tui::fmt;
use crate::tui::ui::layout;
use crate::tui::ui::widgets::put;
use crate::tui::ui::widgets::{counts_spans, pane_block};
use crate::tui::ui::widgets::{empty_hint, scroll_list};

/// Draw the detail screen.
pub fn render(main: Rect, buf: &mut Buffer, app: &App) {
    let th = &app.cfg.theme;
    let ell = th.ellipsis();
    let d = layout::detail(main);
    let Some(e) = app.current_snapshot() else {
        let block = pane_block(Line::from(" Snapshot "), true, th);
        block.render(main, buf);
        return;
    };
    let s = &e.snapshot;
    let pname = app
        .current_project()
        .map(|p| clean(&p.project.name).into_owned())
        .unwrap_or_default();
    let sname = s
        .name
        .as_deref()
        .filter(|n| !n.is_empty())
        .map(|n| clean(n).into_owned())
        .unwrap_or_else(|| clean(&s.id).into_owned());
    let pos = app.snapshot_index().map(|i| i + 1).unwrap_or(0);
    let n = app.visible_snapshots().len();
    let arrow = th.arrow();
    let title = Line::from(vec![
        Span::styled(
            format!(
                " {} ",
                fmt::truncate(
                    &format!("{pname} {arrow} {sname}"),
                    (main.width as usize).saturating_sub(16),
                    ell
                )
            ),
            th.header(),
        ),
        Span::styled(format!("{pos}/{n} "), th.dim()),
    ]);
    let block = pane_block(title, true, th);
    block.render(main, buf);

    info_lines(d.info, buf, app, s);
    tab_bar(d.tabs, buf, app);
    match app.detail.tab {
        Tab::Tests => tests(d.body, buf, app, s),
        Tab::Drift => drift(d.body, buf, app, s),
        Tab::Metrics => metrics(d.body, buf, app),
        Tab::Raw => raw(d.body, buf, app),
    }
}

fn info_lines(r: Rect, buf: &mut Buffer, app: &App, s: &Snapshot) {
    let th = &app.cfg.theme;
    let ell = th.ellipsis();
    let w = r.width as usize;
    let mut ts = fmt::time(app.cfg.tz, s.timestamp, "%Y-%m-%d %H:%M:%S %:z");
    if s.timestamp_naive {
        ts.push_str(&format!(" (naive, read as {})", app.cfg.tz));
    }
    let mut spans = vec![Span::styled(ts, th.text().add_modifier(Modifier::BOLD))];
    let sep = th.sep();
    spans.push(Span::styled(
        format!("{sep}{}{sep}{}{sep}", s.kind.label(), s.generation.as_str()),
        th.dim(),
    ));
    spans.extend(counts_spans(th, s, Style::default()));
    // Optional segments, each shown only when it fits whole.
    let mut extra = Vec::new();
    if let Some(c) = s.drift_count() {
        let pct = c
            .share
            .map(|sh| format!(" ({:.0}%)", sh * 100.0))
            .unwrap_or_default();
        extra.push(Span::styled(
            format!("{sep}drift {} columns{pct}", c.short()),
            th.text(),
        ));
    }
    extra.push(Span::styled(format!("{sep}{}", clean(&s.id)), th.dim()));
    let mut used: usize = spans.iter().map(|s| fmt::width(&s.content)).sum();
    for e in extra {
        let ew = fmt::width(&e.content);
        if used + ew <= w {
            used += ew;
            spans.push(e);
        }
    }
    put(buf, r, 0, Line::from(spans));

    let mut parts: Vec<String> = Vec::new();
    if !s.tags.is_empty() {
        let tags: Vec<String> = s.tags.iter().map(|t| clean(t).into_owned()).collect();
        parts.push(format!("tags: {}", tags.join(", ")));
    }
    let meta: Vec<String> = s
        .metadata
        .iter()
        .map(|(k, v)| {
            let vs = match v {
                serde_json::Value::String(x) => x.clone(),
                other => other.to_string(),
            };
            format!("{}={}", clean(k), clean(&vs))
        })
        .collect();
    if !meta.is_empty() {
        parts.push(meta.join(" "));
    }
    if let Some(m) = &s.inner_id_mismatch {
        parts.push(format!("inner id {}", clean(m)));
    }
    let text = if parts.is_empty() {
        "no tags or metadata".to_string()
    } else {
        parts.join("  ")
    };
    put(
        buf,
        r,
        1,
        Line::styled(fmt::truncate(&text, w, ell), th.dim()),
    );
}

fn tab_bar(r: Rect, buf: &mut Buffer, app: &App) {
    let th = &app.cfg.theme;
    let mut spans = Vec::new();
    for (i, (t, label)) in crate::tui::state::detail::tab_labels(
        app.current_snapshot().map(|e| &*e.snapshot),
        &app.cfg.theme,
    )
    .into_iter()
    .enumerate()
    {
        if i > 0 {
            spans.push(Span::styled(th.sep(), th.dim()));
        }
        let st = if t == app.detail.tab {
            th.selected().add_modifier(Modifier::BOLD)
        } else {
            th.text()
        };
        spans.push(Span::styled(format!(" {label} "), st));
    }
    put(buf, r, 0, Line::from(spans));
}

fn sel_style(app: &App, selected: bool) -> Style {
    if selected {
        app.cfg.theme.selected()
    } else {
        Style::default()
    }
}

fn filter_note(app: &App, t: FilterTarget) -> String {
    let f = app.filter(t);
    if f.is_empty() {
        String::new()
    } else {
        format!("  filter /{}", clean(f))
    }
}

fn tests(body: Rect, buf: &mut Buffer, app: &App, s: &Snapshot) {
    let th = &app.cfg.theme;
    let ell = th.ellipsis();
    let (list_r, desc_r) = layout::tests_split(body);
    let w = list_r.width as usize;
    let rows = app.test_rows();
    // The condition column fits the longest condition (a by-label one names
    // its label: `gte 0.9 for label 2`), up to a third of the width.
    let longest = rows
        .iter()
        .filter_map(|t| t.condition.as_deref())
        .map(|c| fmt::width(&clean(c)))
        .max()
        .unwrap_or(0);
    let cond_w = 16.max(w.saturating_sub(60) / 3).max(longest.min(w / 3));
    // The column column only when some test is about a column.
    let col_w = if rows.iter().any(|t| t.column.is_some()) {
        13
    } else {
        0
    };
    let val_w = 9;
    let fixed = 1 + 1 + 7 + 1 + 1 + col_w + val_w + 1 + cond_w;
    let name_w = w.saturating_sub(fixed);
    let header = format!(
        "  {} {} {}{} {}",
        fmt::pad("status", 7, ell),
        fmt::pad("test", name_w, ell),
        fmt::pad("column", col_w, ell),
        fmt::pad_left("value", val_w, ell),
        fmt::pad("condition", cond_w, ell),
    );
    put(
        buf,
        list_r,
        0,
        Line::styled(fmt::truncate(&header, w, ell), th.header()),
    );
    let rows_r = layout::below_header(list_r);
    if rows.is_empty() {
        let msg = if s.tests.is_empty() {
            "no tests in this snapshot (see the Drift and Metrics tabs)"
        } else {
            "no test matches the filter (Esc clears it)"
        };
        empty_hint(buf, layout::below_header(list_r), msg, th);
        return;
    }
    scroll_list(
        buf,
        rows_r,
        rows.iter(),
        app.detail.tests.offset,
        Some(app.detail.tests.sel),
        |_, t, selected| {
            let base = sel_style(app, selected);
            let st = th.status(t.status);
            Line::from(vec![
                Span::styled(th.status_symbol(t.status), st.patch(base)),
                Span::styled(" ", base),
                Span::styled(fmt::pad(t.status.as_str(), 7, ell), st.patch(base)),
                Span::styled(" ", base),
                Span::styled(fmt::pad(&clean(&t.name), name_w, ell), base),
                Span::styled(" ", base),
                Span::styled(
                    fmt::pad(&clean(t.column.as_deref().unwrap_or("")), col_w, ell),
                    th.dim().patch(base),
                ),
                Span::styled(fmt::pad_left(&fmt::opt_num(t.value), val_w, ell), base),
                Span::styled(" ", base),
                Span::styled(
                    fmt::pad(&clean(t.condition.as_deref().unwrap_or("")), cond_w, ell),
                    base,
                ),
            ])
        },
    );
    if desc_r.height == 0 {
        return;
    }
    let Some(t) = rows.get(app.detail.tests.sel) else {
        return;
    };
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(th.border())
        .title(Span::styled(
            format!(
                " {} {} {} ",
                th.status_symbol(t.status),
                fmt::truncate(&clean(&t.name), w.saturating_sub(12), ell),
                filter_note(app, FilterTarget::Tests)
            ),
            th.status(t.status),
        ));
    let mut lines = vec![Line::from(clean(&t.description).into_owned())];
    let mut facts = vec![format!("type {}", clean(&t.test_type))];
    if let Some(c) = &t.column {
        facts.push(format!("column {}", clean(c)));
    }
    match t.value {
        Some(v) => facts.push(format!("value {}", fmt::num(v))),
        // The metric has no value for what the test asks (a missing label).
        None if t.status == TestStatus::Error => facts.push("no measured value".to_string()),
        None => {}
    }
    if let Some(c) = &t.condition {
        facts.push(format!("condition {}", clean(c)));
    }
    lines.push(Line::styled(facts.join(th.sep()), th.dim()));
    Paragraph::new(lines)
        .block(block)
        .wrap(Wrap { trim: true })
        .render(desc_r, buf);
}

fn drift(body: Rect, buf: &mut Buffer, app: &App, s: &Snapshot) {
    let th = &app.cfg.theme;
    let ell = th.ellipsis();
    let (list_r, foot_r) = layout::with_footer(body);
    let w = list_r.width as usize;
    // Column and method share what the fixed columns leave; the method gets
    // up to 30 (enough for "Wasserstein distance (normed)").
    let avail = w.saturating_sub(2 + 1 + 1 + 5 + 1 + 1 + 10 + 1 + 8 + 1 + 9);
    let method_w = avail.saturating_sub(18).clamp(12, 30);
    let col_w = avail.saturating_sub(method_w);
    let header = format!(
        "   {} {} {} {} {} {}",
        fmt::pad("column", col_w, ell),
        fmt::pad("type", 5, ell),
        fmt::pad("method", method_w, ell),
        fmt::pad_left("score", 10, ell),
        fmt::pad("kind", 8, ell),
        fmt::pad_left("threshold", 9, ell),
    );
    put(
        buf,
        list_r,
        0,
        Line::styled(fmt::truncate(&header, w, ell), th.header()),
    );
    let rows_r = layout::below_header(list_r);
    let rows = app.drift_rows();
    if rows.is_empty() {
        let msg = if s.drift.is_empty() {
            "no per-column drift in this snapshot"
        } else {
            "no drift row matches the filter (Esc clears it)"
        };
        empty_hint(buf, layout::below_header(list_r), msg, th);
    }
    scroll_list(
        buf,
        rows_r,
        rows.iter(),
        app.detail.drift.offset,
        Some(app.detail.drift.sel),
        |_, d, selected| {
            let base = sel_style(app, selected);
            let kind = d.method.as_deref().map(score_kind);
            Line::from(vec![
                Span::styled(th.drift_symbol(d.drifted), th.drift(d.drifted).patch(base)),
                Span::styled(if d.inferred { "~" } else { " " }, th.dim().patch(base)),
                Span::styled(" ", base),
                Span::styled(fmt::pad(&clean(&d.column), col_w, ell), base),
                Span::styled(" ", base),
                Span::styled(
                    fmt::pad(&clean(d.column_type.as_deref().unwrap_or("")), 5, ell),
                    th.dim().patch(base),
                ),
                Span::styled(" ", base),
                Span::styled(
                    fmt::pad(&clean(d.method.as_deref().unwrap_or("")), method_w, ell),
                    base,
                ),
                Span::styled(" ", base),
                Span::styled(
                    fmt::pad_left(&fmt::opt_num(d.score), 10, ell),
                    th.drift(d.drifted).patch(base),
                ),
                Span::styled(" ", base),
                Span::styled(
                    fmt::pad(kind.map(|k| k.label()).unwrap_or(""), 8, ell),
                    th.dim().patch(base),
                ),
                Span::styled(" ", base),
                Span::styled(fmt::pad_left(&fmt::opt_num(d.threshold), 9, ell), base),
            ])
        },
    );
    let drifted = s.drift.iter().filter(|d| d.drifted == Some(true)).count();
    let mut foot = format!(
        "{drifted}/{} columns drifted{}sort: {} (s){}",
        s.drift.len(),
        th.sep(),
        app.detail.drift_sort.label(),
        filter_note(app, FilterTarget::Drift)
    );
    if s.drift.iter().any(|d| d.inferred) {
        foot.push_str(&format!("{}~ inferred from method", th.sep()));
    }
    put(
        buf,
        foot_r,
        0,
        Line::styled(fmt::truncate(&foot, w, ell), th.dim()),
    );
}

fn metrics(body: Rect, buf: &mut Buffer, app: &App) {
    let th = &app.cfg.theme;
    let ell = th.ellipsis();
    let (list_r, foot_r) = layout::with_footer(body);
    let w = list_r.width as usize;
    let val_w = 14;
    let key_w = w.saturating_sub(val_w + 5);
    let header = format!(
        "  {} {}",
        fmt::pad("metric / field", key_w + 2, ell),
        fmt::pad_left("value", val_w, ell)
    );
    put(
        buf,
        list_r,
        0,
        Line::styled(fmt::truncate(&header, w, ell), th.header()),
    );
    let rows_r = layout::below_header(list_r);
    let rows = app.metric_rows();
    if rows.is_empty() {
        let msg = if app.filter(FilterTarget::Metrics).is_empty() {
            "no numeric values in this snapshot"
        } else {
            "no metric matches the filter (Esc clears it)"
        };
        empty_hint(buf, layout::below_header(list_r), msg, th);
    }
    let mut groups = 0usize;
    let mut values = 0usize;
    for r in &rows {
        match r {
            MetricRow::Group(..) => groups += 1,
            MetricRow::Value(..) => values += 1,
        }
    }
    let open = if th.ascii { "v" } else { "▾" };
    scroll_list(
        buf,
        rows_r,
        rows.iter(),
        app.detail.metrics.offset,
        Some(app.detail.metrics.sel),
        |_, r, selected| {
            let base = sel_style(app, selected);
            match r {
                MetricRow::Group(g, n) => Line::from(vec![
                    Span::styled(format!("{open} "), th.header().patch(base)),
                    Span::styled(
                        fmt::pad(&format!("{} ({n})", clean(g)), w.saturating_sub(2), ell),
                        th.header().patch(base),
                    ),
                ]),
                MetricRow::Value(v, field) => {
                    let f = if field.is_empty() { "(value)" } else { field };
                    Line::from(vec![
                        Span::styled("    ", base),
                        Span::styled(fmt::pad(&clean(f), key_w, ell), base),
                        Span::styled(" ", base),
                        Span::styled(fmt::pad_left(&fmt::opt_num(v.value), val_w, ell), base),
                    ])
                }
            }
        },
    );
    let foot = format!(
        "{values} values in {groups} metrics{}",
        filter_note(app, FilterTarget::Metrics)
    );
    put(
        buf,
        foot_r,
        0,
        Line::styled(fmt::truncate(&foot, w, ell), th.dim()),
    );
}

fn raw(body: Rect, buf: &mut Buffer, app: &App) {
    let th = &app.cfg.theme;
    let ell = th.ellipsis();
    let (list_r, foot_r) = layout::with_footer(body);
    let w = list_r.width as usize;
    let v = match &app.detail.raw {
        RawState::Idle => {
            put(
                buf,
                list_r,
                0,
                Line::styled("raw JSON not loaded", th.dim()),
            );
            return;
        }
        RawState::Loading { path, .. } => {
            let msg = format!("loading {}…", crate::text::sanitize::clean_path(path));
            put(
                buf,
                list_r,
                0,
                Line::styled(fmt::truncate_left(&msg, w, ell), th.dim()),
            );
            return;
        }
        RawState::Failed { path, message } => {
            let msg = format!(
                "cannot read {}: {}",
                crate::text::sanitize::clean_path(path),
                clean(message)
            );
            put(
                buf,
                list_r,
                0,
                Line::styled(fmt::truncate(&msg, w, ell), th.alert()),
            );
            return;
        }
        RawState::Loaded(v) => v,
    };
    let fold = match v.fold {
        Some(l) => format!("fold level {l}"),
        None => "unfolded".into(),
    };
    let mut header = format!(
        "{} lines{sep}{}{sep}{fold} (- +){sep}{}",
        v.doc.lines.len(),
        fmt::bytes(v.doc.bytes),
        crate::text::sanitize::clean_path(
            v.path
                .file_name()
                .map(std::path::Path::new)
                .unwrap_or(&v.path)
        ),
        sep = th.sep(),
    );
    if v.doc.truncated {
        header.push_str("  (cut: too many lines)");
    }
    put(
        buf,
        list_r,
        0,
        Line::styled(fmt::truncate(&header, w, ell), th.header()),
    );
    let rows_r = layout::below_header(list_r);
    // The line-number gutter fits the file's last line number (7 digits and more).
    let digits = v.doc.lines.len().to_string().len().max(5);
    let num_w = digits + 1;
    let text_w = w.saturating_sub(num_w);
    let search = app.filter(FilterTarget::Raw);
    scroll_list(
        buf,
        rows_r,
        v.visible.iter(),
        v.cursor.offset,
        Some(v.cursor.sel),
        |_, line_idx, selected| {
            let Some(l) = v.doc.lines.get(*line_idx as usize) else {
                return Line::default();
            };
            let is_match = !search.is_empty() && v.matches.binary_search(line_idx).is_ok();
            let base = if selected {
                th.selected()
            } else if is_match {
                th.matched()
            } else {
                Style::default()
            };
            let indent = "  ".repeat((l.depth as usize).min(20));
            let full = format!("{indent}{}", v.doc.display_text(*line_idx, v.fold));
            let shown = fmt::skip_take(&full, v.hscroll, text_w);
            Line::from(vec![
                Span::styled(format!("{:>digits$} ", line_idx + 1), th.dim().patch(base)),
                Span::styled(fmt::pad(&shown, text_w, ell), base),
            ])
        },
    );
    let cur_line = v.visible.get(v.cursor.sel).map(|l| l + 1).unwrap_or(0);
    let mut foot = format!("line {cur_line}/{}", v.doc.lines.len());
    if v.hscroll > 0 {
        foot.push_str(&format!("  col +{}", v.hscroll));
    }
    foot.push_str("  < > scroll sideways");
    if !search.is_empty() {
        foot.push_str(&format!(
            "  search /{}: {} lines (n N)",
            clean(search),
            v.matches.len()
        ));
    }
    put(
        buf,
        foot_r,
        0,
        Line::styled(fmt::truncate(&foot, w, ell), th.dim()),
    );
}
