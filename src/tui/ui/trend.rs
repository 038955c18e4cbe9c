//! The trend view: up to four series of the selected project over time,
//! failing runs marked on the active series, a cursor walking its points,
//! the legend with min / max / last, and the series picker.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, GraphType, Widget};

use crate::model::TestStatus;
use crate::text::sanitize::clean;
use crate::tui::app::App;
use crate::tui::fmt;
use crate::tui::state::trend::{TrendState, MAX_SERIES};
use crate::tui::ui::chart::{self, ChartLine};
use crate::tui::ui::layout;
use crate::tui::ui::widgets::pane_block;
use crate::tui::ui::widgets::put;
use crate::tui::ui::widgets::scroll_list;

/// Draw the trend view.
pub fn render(main: Rect, buf: &mut Buffer, app: &App) {
    let th = &app.cfg.theme;
    let ell = th.ellipsis();
    let Some(t) = &app.trend else { return };
    let pname = crate::tui::ui::widgets::project_name(app, &t.project_id);
    let arrow = th.arrow();
    let title = format!(" Trends {arrow} {pname}");
    let right = format!(
        "{}window {} (t){}{} series ",
        th.sep(),
        app.window.label(),
        th.sep(),
        t.keys.len()
    );
    let tw = (main.width as usize).saturating_sub(fmt::width(&right) + 4);
    let block = pane_block(
        Line::from(vec![
            Span::styled(fmt::truncate(&title, tw, ell), th.header()),
            Span::styled(right, th.dim()),
        ]),
        t.picker.is_none(),
        th,
    );
    block.render(main, buf);
    let (chart_r, info_r, legend_r) = layout::trend(main, t.series.len());
    if t.series.is_empty() {
        put(
            buf,
            chart_r,
            0,
            Line::styled("no series selected: press a to pick one", th.dim()),
        );
    } else {
        chart_area(chart_r, buf, app, t);
        info_line(info_r, buf, app, t);
        legend(legend_r, buf, app, t);
    }
    if t.picker.is_some() {
        picker(main, buf, app, t);
    }
}

fn chart_area(r: Rect, buf: &mut Buffer, app: &App, t: &TrendState) {
    let th = &app.cfg.theme;
    let w = app.trend_window();
    // Visible (windowed, finite) points of every series.
    let data: Vec<Vec<(f64, f64)>> = t
        .series
        .iter()
        .map(|s| {
            s.points[s.range(&w)]
                .iter()
                .filter_map(|p| Some((chart::tx(p.t), p.value?)))
                .collect()
        })
        .collect();
    let Some(y) = chart::y_bounds(data.iter().flatten().map(|p| p.1)) else {
        put(
            buf,
            r,
            0,
            Line::styled(
                format!(
                    "no values in the window {} (t changes it)",
                    app.window.label()
                ),
                th.dim(),
            ),
        );
        return;
    };
    let (x0, x1) = match (w.since, data.iter().flatten().map(|p| p.0).reduce(f64::max)) {
        (Some(s), Some(hi)) => (chart::tx(s), hi),
        (None, Some(hi)) => (
            data.iter()
                .flatten()
                .map(|p| p.0)
                .reduce(f64::min)
                .unwrap_or(hi),
            hi,
        ),
        _ => return,
    };
    let x = chart::x_bounds(x0, x1);
    let cols = (r.width as usize) * 2;
    let thinned: Vec<Vec<(f64, f64)>> = data.iter().map(|d| chart::decimate(d, x, cols)).collect();
    let marker = if app.cfg.dot_marker {
        Marker::Dot
    } else {
        Marker::Braille
    };
    // The active series last, so it is drawn on top.
    let mut order: Vec<usize> = (0..t.series.len()).filter(|i| *i != t.active).collect();
    order.push(t.active);
    let lines: Vec<ChartLine> = order
        .iter()
        .filter_map(|&i| {
            Some(ChartLine {
                data: thinned.get(i)?,
                style: chart::series_style(th, i),
                graph: GraphType::Line,
            })
        })
        .collect();
    let Some(plot) = chart::draw(r, buf, th, app.cfg.tz, &lines, x, y, marker) else {
        return;
    };
    let Some(s) = t.series.get(t.active) else {
        return;
    };
    // Failing runs on the active series.
    let fail_sym = th.status_symbol(TestStatus::Fail);
    let fail_st = th.status(TestStatus::Fail);
    let mut last_cell = None;
    for p in &s.points[s.range(&w)] {
        if !p.failing {
            continue;
        }
        let Some(v) = p.value else { continue };
        let Some(c) = plot.cell(chart::tx(p.t), v) else {
            continue;
        };
        if last_cell == Some(c) {
            continue;
        }
        last_cell = Some(c);
        buf.set_string(c.0, c.1, fail_sym, fail_st);
    }
    // The cursor: a dim vertical guide and the point in reverse video.
    if let Some(p) = app.trend_cursor().and_then(|i| s.points.get(i)) {
        let col = plot
            .cell(chart::tx(p.t), p.value.unwrap_or(plot.y[0]))
            .map(|c| c.0);
        if let Some(col) = col {
            let guide = if th.ascii { ":" } else { "┊" };
            for row in plot.graph.y..plot.graph.y + plot.graph.height {
                if let Some(cell) = buf.cell_mut((col, row)) {
                    if cell.symbol() == " " {
                        cell.set_symbol(guide).set_style(th.dim());
                    }
                }
            }
            if let Some(c) = p.value.and_then(|v| plot.cell(chart::tx(p.t), v)) {
                if let Some(cell) = buf.cell_mut(c) {
                    let sym = if cell.symbol() == " " || cell.symbol() == guide {
                        if th.ascii { "o" } else { "●" }.to_string()
                    } else {
                        cell.symbol().to_string()
                    };
                    cell.set_symbol(&sym)
                        .set_style(th.selected().add_modifier(Modifier::BOLD));
                }
            }
        }
    }
}

fn info_line(r: Rect, buf: &mut Buffer, app: &App, t: &TrendState) {
    let th = &app.cfg.theme;
    let ell = th.ellipsis();
    let Some(s) = t.series.get(t.active) else {
        return;
    };
    let range = s.range(&app.trend_window());
    let Some(i) = app.trend_cursor() else {
        put(
            buf,
            r,
            0,
            Line::styled("no points of the active series in this window", th.dim()),
        );
        return;
    };
    let Some(p) = s.points.get(i) else { return };
    let sep = th.sep();
    let mut spans = vec![
        Span::styled(
            fmt::time(app.cfg.tz, p.t, "%Y-%m-%d %H:%M:%S %:z"),
            th.text().add_modifier(Modifier::BOLD),
        ),
        Span::styled(sep, th.dim()),
        Span::styled(
            format!(
                "value {}",
                p.value.map(fmt::num).unwrap_or_else(|| "null".into())
            ),
            chart::series_style(th, t.active).add_modifier(Modifier::BOLD),
        ),
    ];
    if p.failing {
        spans.push(Span::styled(sep, th.dim()));
        spans.push(Span::styled(
            format!("{} failing tests", th.status_symbol(TestStatus::Fail)),
            th.status(TestStatus::Fail),
        ));
    }
    spans.push(Span::styled(
        format!("{sep}{}/{}", i + 1 - range.start, range.len()),
        th.dim(),
    ));
    let used: usize = spans.iter().map(|s| fmt::width(&s.content)).sum();
    let room = (r.width as usize).saturating_sub(used + fmt::width(sep));
    if room > 8 {
        spans.push(Span::styled(sep, th.dim()));
        spans.push(Span::styled(
            fmt::truncate(&clean(&p.snapshot_id), room, ell),
            th.dim(),
        ));
    }
    put(buf, r, 0, Line::from(spans));
}

fn legend(r: Rect, buf: &mut Buffer, app: &App, t: &TrendState) {
    let th = &app.cfg.theme;
    let ell = th.ellipsis();
    let w = app.trend_window();
    let all_stats: Vec<String> = t
        .series
        .iter()
        .map(|s| {
            let vals: Vec<f64> = s.points[s.range(&w)]
                .iter()
                .filter_map(|p| p.value)
                .collect();
            stats_text(&vals)
        })
        .collect();
    let stats_w = all_stats.iter().map(|s| fmt::width(s)).max().unwrap_or(0);
    scroll_list(
        buf,
        r,
        t.series.iter(),
        0,
        Some(t.active),
        |i, s, active| {
            let stats = all_stats.get(i).cloned().unwrap_or_default();
            let mark = match (active, th.ascii) {
                (true, true) => ">",
                (true, false) => "▶",
                (false, _) => " ",
            };
            let swatch = if th.ascii { "--" } else { "━━" };
            let key_w = (r.width as usize).saturating_sub(stats_w + 9);
            let key_style = if active {
                th.text().add_modifier(Modifier::BOLD)
            } else {
                th.text()
            };
            let key = fmt::truncate_mid(&clean(&s.key), key_w, ell);
            Line::from(vec![
                Span::styled(mark, th.key()),
                Span::styled(format!("{} ", i + 1), th.dim()),
                Span::styled(swatch, chart::series_style(th, i)),
                Span::raw(" "),
                Span::styled(fmt::pad(&key, key_w, ell), key_style),
                Span::raw("  "),
                Span::styled(stats, th.dim()),
            ])
        },
    );
}

/// `last · min · max · n` of a series' values in the window.
fn stats_text(vals: &[f64]) -> String {
    match (
        vals.iter().copied().reduce(f64::min),
        vals.iter().copied().reduce(f64::max),
        vals.last(),
    ) {
        (Some(lo), Some(hi), Some(last)) => format!(
            "last {}  min {}  max {}  n {}",
            fmt::num(*last),
            fmt::num(lo),
            fmt::num(hi),
            vals.len()
        ),
        _ => "no values".into(),
    }
}

fn picker(main: Rect, buf: &mut Buffer, app: &App, t: &TrendState) {
    let th = &app.cfg.theme;
    let ell = th.ellipsis();
    let Some(p) = &t.picker else { return };
    let r = layout::picker(main);
    Clear.render(r, buf);
    let keys = t.picker_keys();
    let block = pane_block(
        Line::styled(
            format!(
                " Pick series ({}/{}, {} of {MAX_SERIES} chosen) ",
                keys.len(),
                t.keys.len(),
                t.series.len()
            ),
            th.header(),
        ),
        true,
        th,
    );
    let inner = block.inner(r);
    block.render(r, buf);
    let w = inner.width as usize;
    put(
        buf,
        inner,
        0,
        Line::from(vec![
            Span::styled("search: ", th.key()),
            Span::raw(fmt::truncate_left(
                &clean(&p.text),
                w.saturating_sub(10),
                ell,
            )),
            Span::styled("█", th.text()),
        ]),
    );
    put(
        buf,
        inner,
        1,
        Line::styled(
            fmt::truncate(
                "Enter add/remove+close  Tab add/remove  ↑↓ move  Esc close",
                w,
                ell,
            ),
            th.dim(),
        ),
    );
    let rows = layout::picker_rows(main);
    if keys.is_empty() {
        put(
            buf,
            rows,
            0,
            Line::styled("no series key matches", th.dim()),
        );
    }
    scroll_list(
        buf,
        rows,
        keys.iter(),
        p.cursor.offset,
        Some(p.cursor.sel),
        |_, (k, n), selected| {
            let chosen = t.series.iter().position(|s| &s.key == k);
            let base = if selected {
                th.selected()
            } else {
                Style::default()
            };
            let tag = match chosen {
                Some(c) => format!("[{}]", c + 1),
                None => "   ".into(),
            };
            let count = format!("{n:>5}");
            let kw = w.saturating_sub(4 + 1 + count.len());
            let st = chosen.map_or(base, |c| chart::series_style(th, c).patch(base));
            Line::from(vec![
                Span::styled(tag, st.add_modifier(Modifier::BOLD)),
                Span::styled(" ", base),
                Span::styled(
                    fmt::pad(&fmt::truncate_mid(&clean(k), kw, ell), kw, ell),
                    base,
                ),
                Span::styled(" ", base),
                Span::styled(count, th.dim().patch(base)),
            ])
        },
    );
    let foot = Rect::new(
        inner.x,
        inner.y + inner.height.saturating_sub(1),
        inner.width,
        1,
    );
    if inner.height > 4 {
        put(
            buf,
            foot,
            0,
            Line::styled("key = Metric{params}.field   number = points", th.dim()),
        );
    }
}
