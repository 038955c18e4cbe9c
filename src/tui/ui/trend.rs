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
use crate::tui::state::trend::{PickerRow, TrendState, MAX_SERIES};
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
    let (chart_r, info_r) = layout::trend(main);
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
    }
    if t.picker.is_some() {
        picker(main, buf, app, t);
    }
}

/// The charts: one per series (small multiples), stacked, each with its own
/// y-range, a title line (key and min / max / last) and the failing runs of
/// its series; one shared time axis under the last; the cursor's time as a
/// guide through all of them.
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
    let all_x = || data.iter().flatten().map(|p| p.0);
    let (x0, x1) = match (w.since, all_x().reduce(f64::max)) {
        (Some(s), Some(hi)) => (chart::tx(s), hi),
        (None, Some(hi)) => (all_x().reduce(f64::min).unwrap_or(hi), hi),
        _ => {
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
        }
    };
    let x = chart::x_bounds(x0, x1);
    let ys: Vec<Option<[f64; 2]>> = data
        .iter()
        .map(|d| chart::y_bounds(d.iter().map(|p| p.1)))
        .collect();
    let gutter = ys.iter().flatten().map(|y| chart::gutter(*y)).max();
    let n = t.series.len().max(1) as u16;
    // The last row is the shared time axis; the rest is split evenly.
    let body = r.height.saturating_sub(1);
    let per = body / n;
    let extra = body % n;
    let cursor = app
        .trend_cursor()
        .and_then(|i| t.series.get(t.active)?.points.get(i));
    let mut top = r.y;
    for (i, s) in t.series.iter().enumerate() {
        let h = per + u16::from((i as u16) < extra) + u16::from(i as u16 == n - 1);
        let pane = Rect::new(r.x, top, r.width, h.min(r.y + r.height - top));
        top += pane.height;
        if pane.height == 0 {
            continue;
        }
        title_line(pane, buf, app, t, i);
        let area = Rect::new(pane.x, pane.y + 1, pane.width, pane.height - 1);
        let (Some(d), Some(Some(y))) = (data.get(i), ys.get(i)) else {
            put(
                buf,
                area,
                0,
                Line::styled("no values of this series in the window", th.dim()),
            );
            continue;
        };
        let thinned = chart::decimate(d, x, (area.width as usize) * 2);
        let lines = [ChartLine {
            data: &thinned,
            style: chart::series_style(th, i),
            graph: GraphType::Line,
        }];
        let marker = if app.cfg.dot_marker {
            Marker::Dot
        } else {
            Marker::Braille
        };
        let axes = chart::Axes {
            time_labels: i as u16 == n - 1,
            gutter,
        };
        let Some(plot) = chart::draw_with(area, buf, th, app.cfg.tz, &lines, x, *y, marker, axes)
        else {
            continue;
        };
        marks(&plot, buf, app, s, cursor, i == t.active);
    }
}

/// The failing runs of one chart's series, and the cursor's guide and point.
fn marks(
    plot: &chart::Plot,
    buf: &mut Buffer,
    app: &App,
    s: &crate::tui::state::trend::TrendSeries,
    cursor: Option<&crate::tui::state::trend::TrendPoint>,
    active: bool,
) {
    let th = &app.cfg.theme;
    let w = app.trend_window();
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
    let Some(cp) = cursor else { return };
    let Some((col, _)) = plot.cell(chart::tx(cp.t), plot.y[0]) else {
        return;
    };
    let guide = if th.ascii { ":" } else { "┊" };
    for row in plot.graph.y..plot.graph.y + plot.graph.height {
        if let Some(cell) = buf.cell_mut((col, row)) {
            if cell.symbol() == " " {
                cell.set_symbol(guide).set_style(th.dim());
            }
        }
    }
    // This series' value in the run under the cursor.
    let here = s
        .points
        .iter()
        .find(|p| p.snapshot_id == cp.snapshot_id)
        .and_then(|p| p.value);
    if let Some(c) = here.and_then(|v| plot.cell(chart::tx(cp.t), v)) {
        if let Some(cell) = buf.cell_mut(c) {
            let sym = if cell.symbol() == " " || cell.symbol() == guide {
                if th.ascii { "o" } else { "●" }.to_string()
            } else {
                cell.symbol().to_string()
            };
            let st = if active {
                th.selected().add_modifier(Modifier::BOLD)
            } else {
                th.selected()
            };
            cell.set_symbol(&sym).set_style(st);
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

/// One chart's title: active mark, number, swatch, key, and the
/// last / min / max / n of its values in the window.
fn title_line(r: Rect, buf: &mut Buffer, app: &App, t: &TrendState, i: usize) {
    let th = &app.cfg.theme;
    let ell = th.ellipsis();
    let w = app.trend_window();
    let Some(s) = t.series.get(i) else { return };
    let active = i == t.active;
    let vals: Vec<f64> = s.points[s.range(&w)]
        .iter()
        .filter_map(|p| p.value)
        .collect();
    let stats = stats_text(&vals);
    let mark = match (active, th.ascii) {
        (true, true) => ">",
        (true, false) => "▶",
        (false, _) => " ",
    };
    let swatch = if th.ascii { "--" } else { "━━" };
    let head = 2 + fmt::width(&format!("{}", i + 1)) + 1 + 2 + 1;
    let room = (r.width as usize).saturating_sub(head);
    // The key first; the stats take what is left (whole, or not at all).
    let stats_w = fmt::width(&stats) + 2;
    let key_full = clean(&s.key);
    let last = vals
        .last()
        .map(|v| format!("last {}", fmt::num(*v)))
        .unwrap_or_default();
    let key_w = fmt::width(&key_full);
    let (key, stats) = if key_w + stats_w <= room {
        (key_full.to_string(), stats)
    } else if key_w + fmt::width(&last) + 2 <= room {
        (key_full.to_string(), last)
    } else if room > fmt::width(&last) + 2 + 24 {
        let w = room - fmt::width(&last) - 2;
        (fmt::truncate_mid(&key_full, w, ell), last)
    } else {
        (fmt::truncate_mid(&key_full, room, ell), String::new())
    };
    let key_style = if active {
        th.text().add_modifier(Modifier::BOLD)
    } else {
        th.text()
    };
    put(
        buf,
        r,
        0,
        Line::from(vec![
            Span::styled(mark, th.key()),
            Span::styled(format!("{} ", i + 1), th.dim()),
            Span::styled(swatch, chart::series_style(th, i)),
            Span::raw(" "),
            Span::styled(key, key_style),
            Span::raw("  "),
            Span::styled(stats, th.dim()),
        ]),
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
    let list = t.picker_rows();
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
                "type to search  ↑↓ PgUp PgDn Home End move  Enter add/remove+close  Tab add/remove  Esc close",
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
        list.iter(),
        p.cursor.offset,
        Some(p.cursor.sel),
        |_, row, selected| {
            let (k, n) = match row {
                PickerRow::Heading(g, n) => {
                    let text = format!("{} {} ({n})", th.arrow(), g.heading());
                    return Line::styled(fmt::truncate(&text, w, ell), th.header());
                }
                PickerRow::Key(k) => (&k.key, k.points),
            };
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
