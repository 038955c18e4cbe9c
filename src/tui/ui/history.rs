//! The test-history matrix (tests × runs) and the drift history (per-column
//! drift across runs, the dataset's drift share on top).

use chrono::{DateTime, Utc};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Sparkline, Widget, Wrap};

use crate::model::TestStatus;
use crate::text::sanitize::clean;
use crate::tui::app::{App, FilterTarget};
use crate::tui::fmt;
use crate::tui::state::history::{order_label, DRIFT_LAST_N};
use crate::tui::ui::layout;
use crate::tui::ui::widgets::{cell, project_name, put, scroll_list};
use crate::tui::ui::widgets::{pane_block, title_with_filter};

fn short_time(app: &App, t: DateTime<Utc>) -> String {
    fmt::time(app.cfg.tz, t, "%m-%d %H:%M")
}

/// Draw the test-history matrix.
pub fn render_tests(main: Rect, buf: &mut Buffer, app: &App, now: DateTime<Utc>) {
    let th = &app.cfg.theme;
    let ell = th.ellipsis();
    let Some(h) = &app.thist else { return };
    let Some(p) = app.catalog.project(&h.project_id) else {
        return;
    };
    let rows = app.history_rows();
    let arrow = th.arrow();
    let title = title_with_filter(
        app,
        format!("Test history {arrow} {}", project_name(app, &h.project_id)),
        rows.len(),
        h.rows.len(),
        FilterTarget::TestHistory,
    );
    pane_block(title, true, th).render(main, buf);
    let v = layout::test_history(main);
    let w = v.rows.width as usize;
    let sep = th.sep();
    // The project by the run rule; each row's since is its own (per test).
    let pass = match &h.streak.last_pass {
        Some(r) => format!("last pass {}", short_time(app, r.timestamp)),
        None => "no run with tests passed".to_string(),
    };
    let project = match &h.streak.failing_since {
        Some(r) => format!(
            "project failing since {} (run rule){sep}{pass}",
            short_time(app, r.timestamp)
        ),
        None => format!("project passing{sep}{pass}"),
    };
    let gone = h.not_in_latest();
    let gone = if gone > 0 {
        format!(", {gone} not in latest run")
    } else {
        String::new()
    };
    let info = format!(
        "{} tests: {} failing now{gone}{sep}{} runs with tests in window {} (t){sep}h/l pick a run",
        h.rows.len(),
        h.failing_now(),
        h.columns.len(),
        app.window.label(),
    );
    let mut head_lines = vec![info];
    if v.head.height >= 3 {
        head_lines.insert(0, project);
    }
    for (i, l) in head_lines.iter().enumerate() {
        let style = if i == 0 && head_lines.len() == 2 && h.streak.failing_since.is_some() {
            th.status(TestStatus::Fail)
        } else {
            th.dim()
        };
        put(
            buf,
            v.head,
            i as u16,
            Line::styled(fmt::truncate(l, w, ell), style),
        );
    }
    let header_y = head_lines.len() as u16;

    // status(1) sp name sp fails(7) sp since(11) sp cells; the name gets
    // what the cells do not need.
    let name_w = w
        .saturating_sub(23 + h.columns.len().min(w / 2))
        // (at least a third of the width, 16..=60 columns; on a very wide
        // terminal the lower bound must not pass the upper one)
        .clamp((w / 3).clamp(16, 60), 60);
    let fixed = 1 + 1 + name_w + 1 + 7 + 1 + 11 + 1;
    let ncells = w.saturating_sub(fixed);
    let len = h.columns.len();
    let sel_idx = len.saturating_sub(1 + h.col_back);
    let end = if len == 0 || sel_idx + ncells >= len {
        len
    } else {
        sel_idx + 1
    };
    let start = end.saturating_sub(ncells);
    let shown = &h.columns[start..end];
    let mut header = format!(
        "  {} {} {} ",
        fmt::pad("test", name_w, ell),
        fmt::pad_left("failed", 7, ell),
        fmt::pad("test since", 11, ell),
    );
    for &c in shown {
        let selected = h.columns.get(sel_idx) == Some(&c);
        header.push_str(if selected {
            if th.ascii {
                "v"
            } else {
                "▼"
            }
        } else {
            " "
        });
    }
    put(
        buf,
        v.head,
        header_y,
        Line::styled(fmt::truncate(&header, w, ell), th.header()),
    );
    if rows.is_empty() {
        put(
            buf,
            v.rows,
            0,
            Line::styled("no test matches the filter (Esc clears it)", th.dim()),
        );
    }
    // Rows with the same label (same test, other configuration) show the
    // condition of their newest run to tell them apart.
    let label = |r: &crate::analysis::history::TestHistory| {
        let l = r.label();
        let twin = h.rows.iter().filter(|o| o.label() == l).count() > 1;
        let cond = twin
            .then(|| {
                let i = r.cells.iter().rposition(Option::is_some)?;
                crate::tui::state::compare::test_condition(
                    &p.snapshots.get(i)?.snapshot,
                    &r.identity,
                )
            })
            .flatten();
        match cond {
            Some(c) => format!("{l} [{c}]"),
            None => l,
        }
    };
    scroll_list(
        buf,
        v.rows,
        rows.iter(),
        h.cursor.offset,
        Some(h.cursor.sel),
        |_, r, selected| {
            let base = if selected {
                th.selected()
            } else {
                Style::default()
            };
            // Not in the latest run: when it last ran, dimmed (not failing now).
            let since = if r.in_latest {
                r.failing_since
                    .map(|t| short_time(app, t))
                    .unwrap_or_default()
            } else {
                format!("ran {}", fmt::time(app.cfg.tz, r.latest_timestamp, "%m-%d"))
            };
            let since_style = if r.in_latest {
                base
            } else {
                th.dim().patch(base)
            };
            let symbol_style = if r.in_latest {
                th.status(r.latest_status)
            } else {
                th.dim()
            };
            let mut spans = vec![
                Span::styled(th.status_symbol(r.latest_status), symbol_style.patch(base)),
                Span::styled(" ", base),
                Span::styled(
                    fmt::pad(&fit_label(&label(r), name_w, ell), name_w, ell),
                    base,
                ),
                Span::styled(" ", base),
                Span::styled(
                    fmt::pad_left(&format!("{}/{}", r.fail_count, r.runs), 7, ell),
                    if r.fail_count > 0 {
                        th.status(TestStatus::Fail).patch(base)
                    } else {
                        th.dim().patch(base)
                    },
                ),
                Span::styled(" ", base),
                Span::styled(fmt::pad(&since, 11, ell), since_style),
                Span::raw(" "),
            ];
            for &c in shown {
                let (sym, st) = cell(th, r.cells.get(c).copied().flatten());
                let st = if h.columns.get(sel_idx) == Some(&c) {
                    st.add_modifier(Modifier::REVERSED)
                } else {
                    st
                };
                spans.push(Span::styled(sym, st));
            }
            Line::from(spans)
        },
    );
    // Detail of the selected row and run.
    if v.foot.height == 0 {
        return;
    }
    let Some(r) = rows.get(h.cursor.sel) else {
        return;
    };
    let run = h
        .columns
        .get(sel_idx)
        .and_then(|c| p.snapshots.get(*c))
        .map(|e| &e.snapshot);
    let mut lines = Vec::new();
    let mut l1 = vec![
        Span::styled(
            format!("{} ", th.status_symbol(r.latest_status)),
            th.status(r.latest_status),
        ),
        Span::styled(
            clean(&r.label()).into_owned(),
            th.text().add_modifier(Modifier::BOLD),
        ),
        Span::styled(format!("{sep}{}", clean(&r.test_type)), th.dim()),
    ];
    if let Some(rate) = r.fail_rate() {
        l1.push(Span::styled(
            format!(
                "{sep}failed {}/{} runs in window ({:.0}%)",
                r.fail_count,
                r.runs,
                rate * 100.0
            ),
            th.text(),
        ));
    }
    lines.push(Line::from(l1));
    let since = match r.failing_since {
        _ if !r.in_latest => format!(
            "not in latest run{sep}last ran {} ({})",
            fmt::time(app.cfg.tz, r.latest_timestamp, "%Y-%m-%d %H:%M"),
            r.latest_status
        ),
        Some(t) => format!(
            "test since {} (per-test rule, {} run{}, {} ago)",
            fmt::time(app.cfg.tz, t, "%Y-%m-%d %H:%M"),
            r.failing_streak,
            if r.failing_streak == 1 { "" } else { "s" },
            crate::text::duration::age(now - t),
        ),
        None => format!("not failing now (latest {})", r.latest_status),
    };
    let run_txt = match run {
        Some(s) => {
            let st = r
                .cells
                .get(h.columns.get(sel_idx).copied().unwrap_or(usize::MAX))
                .copied()
                .flatten()
                .map_or("not run", |s| s.as_str());
            format!(
                "{sep}run {} {}: {st} (Enter opens)",
                short_time(app, s.timestamp),
                clean(&s.id.chars().take(13).collect::<String>())
            )
        }
        None => String::new(),
    };
    lines.push(Line::styled(format!("{since}{run_txt}"), th.dim()));
    if let Some(d) = &r.latest_failure {
        lines.push(Line::from(vec![
            Span::styled("latest failure: ", th.status(TestStatus::Fail)),
            Span::raw(clean(d).into_owned()),
        ]));
    }
    let rect = v.foot;
    // A rule above the detail.
    let rule = if th.ascii { "-" } else { "─" }.repeat(rect.width as usize);
    put(buf, rect, 0, Line::styled(rule, th.border()));
    let body = Rect::new(
        rect.x,
        rect.y + 1,
        rect.width,
        rect.height.saturating_sub(1),
    );
    Paragraph::new(lines)
        .wrap(Wrap { trim: true })
        .render(body, buf);
}

/// A test label in `w` columns: an Evidently 0.7 name ends in its condition
/// (`Mean value of 'x': Equal 0.5 ± 0.1`), which stays whole while the
/// part before it is cut; other labels are cut in the middle.
fn fit_label(label: &str, w: usize, ell: &str) -> String {
    let l = clean(label);
    match l.rsplit_once(": ") {
        Some((head, tail)) if !head.is_empty() && fmt::width(tail) + 2 + 4 <= w => {
            let room = w - fmt::width(tail) - 2;
            format!("{}: {tail}", fmt::truncate(head, room, ell))
        }
        _ => fmt::truncate_mid(&l, w, ell),
    }
}

/// Sparkline bar glyphs in ASCII.
const ASCII_BARS: ratatui::symbols::bar::Set = ratatui::symbols::bar::Set {
    full: "#",
    seven_eighths: "#",
    three_quarters: "=",
    five_eighths: "=",
    half: "-",
    three_eighths: "-",
    one_quarter: "_",
    one_eighth: "_",
    empty: " ",
};

/// The top of the drift-share axis: the smallest of 5%, 10%, 20%, 25%, 50%
/// and 100% that holds `max`, so small shares are not a flat line.
pub fn share_axis_top(max: f64) -> f64 {
    [0.05, 0.1, 0.2, 0.25, 0.5]
        .into_iter()
        .find(|t| max <= *t)
        .unwrap_or(1.0)
}

/// Draw the drift history.
pub fn render_drift(main: Rect, buf: &mut Buffer, app: &App) {
    let th = &app.cfg.theme;
    let ell = th.ellipsis();
    let Some(h) = &app.dhist else { return };
    let rows = app.drift_history_rows();
    let arrow = th.arrow();
    let title = title_with_filter(
        app,
        format!("Drift history {arrow} {}", project_name(app, &h.project_id)),
        rows.len(),
        h.rows.len(),
        FilterTarget::DriftHistory,
    );
    pane_block(title, true, th).render(main, buf);
    let v = layout::drift_history(main);
    let w = v.rows.width as usize;
    // Drifted columns over time, the share on an axis scaled to the data.
    let shares: Vec<f64> = h.counts.iter().filter_map(|c| c.1.share).collect();
    let with_drift = h.counts.iter().filter(|c| c.1.drifted > 0).count();
    let head = match (h.counts.last(), shares.iter().copied().reduce(f64::max)) {
        (Some((_, last)), max) => {
            let max = max
                .map(|m| format!("  max {:.0}%", m * 100.0))
                .unwrap_or_default();
            format!(
                "drifted columns: last {}{max}{}{with_drift}/{} runs with drift",
                last.long(),
                th.sep(),
                h.counts.len()
            )
        }
        _ => "drifted columns: no run reports them".into(),
    };
    put(
        buf,
        v.head,
        0,
        Line::styled(fmt::truncate(&head, w, ell), th.header()),
    );
    if v.head.height >= 5 && !shares.is_empty() {
        let top = share_axis_top(shares.iter().copied().fold(0.0, f64::max));
        let label = format!("{:>3.0}%", top * 100.0);
        let lw = fmt::width(&label) + 1;
        let sw = (w.saturating_sub(lw)).min(shares.len().max(1));
        let data: Vec<u64> = shares[shares.len().saturating_sub(sw)..]
            .iter()
            .map(|s| (s.clamp(0.0, top) / top * 1000.0).round() as u64)
            .collect();
        let r = Rect::new(v.head.x + lw as u16, v.head.y + 1, sw as u16, 3);
        put(buf, v.head, 1, Line::styled(label, th.dim()));
        put(
            buf,
            v.head,
            3,
            Line::styled(fmt::pad_left("0%", lw - 1, ""), th.dim()),
        );
        let mut sp = Sparkline::default()
            .data(&data)
            .max(1000)
            .style(th.drift(Some(true)));
        if th.ascii {
            sp = sp.bar_set(ASCII_BARS);
        }
        sp.render(r, buf);
    }
    if h.rows.is_empty() {
        put(
            buf,
            v.rows,
            0,
            Line::styled(
                "no per-column drift in these runs: they report only the dataset-level count",
                th.dim(),
            ),
        );
        return;
    }
    // Column header.
    let col_w = (w / 4).clamp(12, 32);
    let method_w = if w >= 100 { 22 } else { 0 };
    let fixed = 2 + col_w + 1 + 7 + 1 + 10 + 1 + if method_w > 0 { method_w + 1 } else { 0 };
    let spark_w = w.saturating_sub(fixed);
    let mut header = format!(
        "  {} {} {} ",
        fmt::pad("column", col_w, ell),
        fmt::pad_left("drifted", 7, ell),
        fmt::pad_left("latest", 10, ell),
    );
    if method_w > 0 {
        header.push_str(&format!("{} ", fmt::pad("method", method_w, ell)));
    }
    header.push_str("score per run (newest right; red = drifted)");
    put(
        buf,
        v.head,
        v.head.height.saturating_sub(1),
        Line::styled(fmt::truncate(&header, w, ell), th.header()),
    );
    if rows.is_empty() {
        put(
            buf,
            v.rows,
            0,
            Line::styled("no column matches the filter (Esc clears it)", th.dim()),
        );
    }
    scroll_list(
        buf,
        v.rows,
        rows.iter(),
        h.cursor.offset,
        Some(h.cursor.sel),
        |_, r, selected| {
            let base = if selected {
                th.selected()
            } else {
                Style::default()
            };
            let measured: Vec<(Option<f64>, Option<bool>)> = r
                .scores
                .iter()
                .zip(&r.drifted)
                .filter(|(s, d)| s.is_some() || d.is_some())
                .map(|(s, d)| (*s, *d))
                .collect();
            let latest = measured.last().and_then(|m| m.0);
            let mut name = clean(&r.column).into_owned();
            if r.newly_drifted {
                name = format!("{} {name}", th.new_symbol());
            }
            let mut spans = vec![
                Span::styled(
                    th.drift_symbol(r.latest_drifted),
                    th.drift(r.latest_drifted).patch(base),
                ),
                Span::styled(" ", base),
                Span::styled(fmt::pad(&name, col_w, ell), base),
                Span::styled(" ", base),
                Span::styled(
                    fmt::pad_left(&format!("{}/{}", r.drifted_count, r.runs), 7, ell),
                    if r.drifted_count > 0 {
                        th.drift(Some(true)).patch(base)
                    } else {
                        base
                    },
                ),
                Span::styled(" ", base),
                Span::styled(fmt::pad_left(&fmt::opt_num(latest), 10, ell), base),
                Span::styled(" ", base),
            ];
            if method_w > 0 {
                spans.push(Span::styled(
                    fmt::pad(&clean(r.method.as_deref().unwrap_or("")), method_w, ell),
                    th.dim().patch(base),
                ));
                spans.push(Span::styled(" ", base));
            }
            let shown = &measured[measured.len().saturating_sub(spark_w)..];
            let max = shown
                .iter()
                .filter_map(|m| m.0)
                .fold(0.0f64, f64::max)
                .max(f64::MIN_POSITIVE);
            for (s, d) in shown {
                let ch = match s {
                    Some(x) => th.spark(x / max).to_string(),
                    None => "?".into(),
                };
                spans.push(Span::styled(ch, th.drift(*d)));
            }
            Line::from(spans)
        },
    );
    let mut foot = format!(
        "drifted = in k of the last {DRIFT_LAST_N} runs measuring it{}sort: {} (s){}{} = newly drifted{}Enter opens the newest run's drift table",
        th.sep(),
        order_label(h.order),
        th.sep(),
        th.new_symbol(),
        th.sep()
    );
    if let Some(r) = rows.get(h.cursor.sel) {
        if let Some(m) = &r.method {
            foot = format!("{}: {}{}{foot}", clean(&r.column), clean(m), th.sep());
        }
    }
    put(
        buf,
        v.foot,
        0,
        Line::styled(fmt::truncate(&foot, w, ell), th.dim()),
    );
}
