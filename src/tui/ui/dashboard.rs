//! A project's configured Evidently dashboard as terminal panels: tabs,
//! full / half width, counters, line and bar plots, test-suite panels per
//! time bucket. Panels that cannot be evaluated here say so in place.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{GraphType, Paragraph, Widget, Wrap};

use crate::analysis::dashboard::{
    CounterAgg, PanelContent, PanelSize, PanelView, PlotType, StatusBucket,
};
use crate::model::TestStatus;
use crate::text::sanitize::clean;
use crate::tui::app::App;
use crate::tui::fmt;
use crate::tui::state::dashboard::{panel_rows, DashState};
use crate::tui::theme::Theme;
use crate::tui::ui::chart::{self, ChartLine};
use crate::tui::ui::layout;
use crate::tui::ui::widgets::cell;
use crate::tui::ui::widgets::pane_block;
use crate::tui::ui::widgets::put;

/// Rows a panel `width` columns wide wants (with its border).
pub fn panel_height(p: &PanelView, width: u16) -> u16 {
    let notes = p.notes.len().min(2) as u16;
    let body: u16 = match &p.content {
        PanelContent::Text(t) => {
            let inner = (width as usize).saturating_sub(2).max(1);
            // Wrapped lines, with some slack for word breaks; at most 5.
            (fmt::width(t) * 11 / 10 / inner + 1).clamp(1, 5) as u16
        }
        PanelContent::Counter { values, .. } => values.len().clamp(1, 4) as u16,
        PanelContent::Plot { lines, .. } => 7 + lines.len().clamp(1, 3) as u16,
        PanelContent::TestSuiteAggregate { .. } => 8,
        PanelContent::TestSuiteDetailed { tests, .. } => 1 + tests.len().clamp(1, 8) as u16,
        PanelContent::TestSuiteCounter { .. } => 1,
        PanelContent::NotEvaluable(_) => 2,
    };
    let text = match (&p.content, &p.text) {
        (PanelContent::Text(_), _) | (_, None) => 0,
        (_, Some(t)) if t.is_empty() => 0,
        _ => 1,
    };
    body + notes + text + 2
}

/// Draw the dashboard view.
pub fn render(main: Rect, buf: &mut Buffer, app: &App) {
    let th = &app.cfg.theme;
    let ell = th.ellipsis();
    let Some(d) = &app.dash else { return };
    let pname = crate::tui::ui::widgets::project_name(app, &d.project_id);
    let arrow = th.arrow();
    let name = d
        .dashboard
        .name
        .as_deref()
        .map(|n| format!(" {arrow} {n}"))
        .unwrap_or_default();
    let title = format!(" Dashboard {arrow} {pname}{name} ");
    pane_block(
        Line::styled(
            fmt::truncate(&title, (main.width as usize).saturating_sub(4), ell),
            th.header(),
        ),
        true,
        th,
    )
    .render(main, buf);
    let (tabs_r, body) = layout::dashboard(main);
    tab_bar(tabs_r, buf, app, d);
    render_body(body, buf, app, d);
}

fn tab_bar(r: Rect, buf: &mut Buffer, app: &App, d: &DashState) {
    let th = &app.cfg.theme;
    let mut spans = Vec::new();
    for (i, t) in d.dashboard.tabs.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(th.sep(), th.dim()));
        }
        let st = if i == d.tab {
            th.selected().add_modifier(Modifier::BOLD)
        } else {
            th.text()
        };
        let n = t.panel_ids.len();
        spans.push(Span::styled(format!(" {} ({n}) ", t.title), st));
    }
    spans.push(Span::styled("  h/l tab  j/k scroll", th.dim()));
    put(buf, r, 0, Line::from(spans));
}

/// Draw the selected tab's panels from the scroll position down.
pub fn render_body(body: Rect, buf: &mut Buffer, app: &App, d: &DashState) {
    let th = &app.cfg.theme;
    let views = d.tab_views();
    let rows = panel_rows(&views);
    if rows.is_empty() {
        put(
            buf,
            body,
            0,
            Line::styled("this tab has no panels", th.dim()),
        );
        return;
    }
    let mut y = body.y;
    let bottom = body.y + body.height;
    let mut shown_last = d.scroll;
    for (i, row) in rows.iter().enumerate().skip(d.scroll) {
        let pw = |p: &PanelView| {
            if row.len() == 2 || p.size == PanelSize::Half {
                body.width / 2
            } else {
                body.width
            }
        };
        let want = row
            .iter()
            .map(|p| panel_height(p, pw(p)))
            .max()
            .unwrap_or(3);
        let h = want.min(bottom - y);
        if h < 3 {
            break;
        }
        let w = body.width;
        let mut x = body.x;
        for (k, p) in row.iter().enumerate() {
            let pw = if row.len() == 2 && k == 0 {
                w / 2
            } else if row.len() == 2 {
                w - w / 2
            } else if p.size == PanelSize::Half {
                w / 2
            } else {
                w
            };
            panel(Rect::new(x, y, pw, h), buf, app, p);
            x += pw;
        }
        y += h;
        shown_last = i;
        if y >= bottom {
            break;
        }
    }
    if shown_last + 1 < rows.len() {
        let more = format!(" {} more below (j) ", rows.len() - shown_last - 1);
        let x = (body.x + body.width).saturating_sub(fmt::width(&more) as u16 + 1);
        buf.set_string(x, bottom.saturating_sub(1), more, th.key());
    }
}

fn panel(r: Rect, buf: &mut Buffer, app: &App, p: &PanelView) {
    let th = &app.cfg.theme;
    let ell = th.ellipsis();
    let title = fmt::truncate(&clean(&p.title), (r.width as usize).saturating_sub(4), ell);
    let block = pane_block(Line::styled(format!(" {title} "), th.header()), false, th);
    let inner = block.inner(r);
    block.render(r, buf);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let mut area = inner;
    // Subtitle (not for text panels, whose text is the content).
    if let (Some(t), false) = (&p.text, matches!(p.content, PanelContent::Text(_))) {
        if !t.is_empty() && area.height > 1 {
            put(
                buf,
                area,
                0,
                Line::styled(fmt::truncate(&clean(t), area.width as usize, ell), th.dim()),
            );
            area = Rect::new(area.x, area.y + 1, area.width, area.height - 1);
        }
    }
    // Notes at the bottom.
    let notes: Vec<&String> = p.notes.iter().take(2).collect();
    let nh = (notes.len() as u16).min(area.height.saturating_sub(1));
    for (i, n) in notes.iter().take(nh as usize).enumerate() {
        let row = area.height - nh + i as u16;
        put(
            buf,
            area,
            row,
            Line::styled(
                fmt::truncate(&format!("note: {}", clean(n)), area.width as usize, ell),
                th.dim(),
            ),
        );
    }
    area.height -= nh;
    match &p.content {
        PanelContent::Text(t) => {
            Paragraph::new(clean(t).into_owned())
                .wrap(Wrap { trim: true })
                .render(area, buf);
        }
        PanelContent::NotEvaluable(why) => {
            let sym = th.status_symbol(TestStatus::Warning);
            Paragraph::new(Line::from(vec![
                Span::styled(format!("{sym} not shown here: "), th.alert()),
                Span::raw(clean(why).into_owned()),
            ]))
            .wrap(Wrap { trim: true })
            .render(area, buf);
        }
        PanelContent::Counter { agg, values } => counter(area, buf, th, *agg, values),
        PanelContent::TestSuiteCounter {
            agg,
            statuses,
            count,
            total,
            at,
        } => {
            let names: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
            let when = at
                .map(|t| format!(" at {}", fmt::time(app.cfg.tz, t, "%Y-%m-%d %H:%M")))
                .unwrap_or_default();
            put(
                buf,
                area,
                0,
                Line::from(vec![
                    Span::styled(format!("{count}"), th.text().add_modifier(Modifier::BOLD)),
                    Span::styled(
                        fmt::truncate(
                            &format!(
                                " of {total} tests {} ({}){when}",
                                names.join("/"),
                                agg_label(*agg)
                            ),
                            (area.width as usize).saturating_sub(6),
                            ell,
                        ),
                        th.dim(),
                    ),
                ]),
            );
        }
        PanelContent::Plot { plot_type, lines } => plot(area, buf, app, *plot_type, lines),
        PanelContent::TestSuiteAggregate { buckets } => aggregate(area, buf, app, buckets),
        PanelContent::TestSuiteDetailed { buckets, tests } => {
            let w = area.width as usize;
            let name_w = (w / 2).clamp(8, 40);
            let n = w.saturating_sub(name_w + 1).min(buckets.len());
            let start = buckets.len() - n;
            let head = match (buckets.get(start), buckets.last()) {
                (Some(a), Some(b)) => format!(
                    "{} {} {} {}",
                    fmt::pad("test", name_w, ell),
                    fmt::time(app.cfg.tz, *a, "%m-%d"),
                    if th.ascii { "->" } else { "→" },
                    fmt::time(app.cfg.tz, *b, "%m-%d")
                ),
                _ => "no runs".into(),
            };
            put(
                buf,
                area,
                0,
                Line::styled(fmt::truncate(&head, w, ell), th.header()),
            );
            for (i, t) in tests
                .iter()
                .take(area.height.saturating_sub(1) as usize)
                .enumerate()
            {
                let mut spans = vec![
                    Span::raw(fmt::pad(&clean(&t.name), name_w, ell)),
                    Span::raw(" "),
                ];
                for s in &t.statuses[start.min(t.statuses.len())..] {
                    let (sym, st) = cell(th, *s);
                    spans.push(Span::styled(sym, st));
                }
                put(buf, area, i as u16 + 1, Line::from(spans));
            }
        }
    }
}

fn agg_label(a: CounterAgg) -> &'static str {
    match a {
        CounterAgg::Last => "last",
        CounterAgg::Sum => "sum",
        CounterAgg::Avg => "mean",
        CounterAgg::None => "all runs",
    }
}

fn counter(
    area: Rect,
    buf: &mut Buffer,
    th: &Theme,
    agg: CounterAgg,
    values: &[crate::analysis::dashboard::CounterValue],
) {
    let ell = th.ellipsis();
    let w = area.width as usize;
    for (i, v) in values.iter().take(area.height as usize).enumerate() {
        let val = v.value.map(fmt::num).unwrap_or_else(|| "—".into());
        let label = format!(
            "  {} ({}, {} pts)",
            clean(&v.legend),
            agg_label(agg),
            v.points
        );
        put(
            buf,
            area,
            i as u16,
            Line::from(vec![
                Span::styled(val.clone(), th.text().add_modifier(Modifier::BOLD)),
                Span::styled(
                    fmt::truncate(&label, w.saturating_sub(fmt::width(&val)), ell),
                    th.dim(),
                ),
            ]),
        );
    }
    if values.is_empty() {
        put(buf, area, 0, Line::styled("no values", th.dim()));
    }
}

fn plot(
    area: Rect,
    buf: &mut Buffer,
    app: &App,
    pt: PlotType,
    lines: &[crate::analysis::dashboard::Line],
) {
    let th = &app.cfg.theme;
    let ell = th.ellipsis();
    let leg_h = (lines.len() as u16)
        .clamp(1, 3)
        .min(area.height.saturating_sub(3));
    let chart_r = Rect::new(area.x, area.y, area.width, area.height - leg_h);
    let leg_r = Rect::new(area.x, area.y + chart_r.height, area.width, leg_h);
    let data: Vec<Vec<(f64, f64)>> = lines
        .iter()
        .map(|l| {
            l.points
                .iter()
                .map(|p| (chart::tx(p.timestamp), p.value))
                .collect()
        })
        .collect();
    let bar = matches!(
        pt,
        PlotType::Bar { .. } | PlotType::Histogram | PlotType::Pie
    );
    let ys = data.iter().flatten().map(|p| p.1);
    let Some(mut y) = (if bar {
        chart::y_bounds(ys.chain([0.0]))
    } else {
        chart::y_bounds(ys)
    }) else {
        put(buf, area, 0, Line::styled("no points", th.dim()));
        return;
    };
    // Bars grow from zero when every value is positive.
    if bar && data.iter().flatten().all(|p| p.1 >= 0.0) {
        y[0] = 0.0;
    }
    let xs = data.iter().flatten().map(|p| p.0);
    let (lo, hi) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
        (a.min(x), b.max(x))
    });
    let mut x = chart::x_bounds(lo, hi);
    if bar {
        // Room for the first and last bar.
        let pad = (x[1] - x[0]) * 0.03;
        x = [x[0] - pad, x[1] + pad];
    }
    let graph = match pt {
        PlotType::Line => GraphType::Line,
        PlotType::Scatter => GraphType::Scatter,
        _ => GraphType::Bar,
    };
    let cols = area.width as usize * 2;
    let thinned: Vec<Vec<(f64, f64)>> = data.iter().map(|d| chart::decimate(d, x, cols)).collect();
    let cl: Vec<ChartLine> = thinned
        .iter()
        .enumerate()
        .map(|(i, d)| ChartLine {
            data: d,
            style: chart::series_style(th, i),
            graph,
        })
        .collect();
    let marker = if app.cfg.dot_marker || graph == GraphType::Scatter {
        Marker::Dot
    } else {
        Marker::Braille
    };
    chart::draw(chart_r, buf, th, app.cfg.tz, &cl, x, y, marker);
    let swatch = if th.ascii { "--" } else { "━━" };
    for (i, l) in lines.iter().take(leg_h as usize).enumerate() {
        let last = l
            .points
            .last()
            .map(|p| fmt::num(p.value))
            .unwrap_or_else(|| "—".into());
        let text = format!(" {}  last {last}  n {}", clean(&l.legend), l.points.len());
        put(
            buf,
            leg_r,
            i as u16,
            Line::from(vec![
                Span::styled(swatch, chart::series_style(th, i)),
                Span::raw(fmt::truncate(
                    &text,
                    (area.width as usize).saturating_sub(2),
                    ell,
                )),
            ]),
        );
    }
    if lines.len() > leg_h as usize && leg_h > 0 {
        let more = format!(" +{} ", lines.len() - leg_h as usize);
        let x = (leg_r.x + leg_r.width).saturating_sub(fmt::width(&more) as u16);
        buf.set_string(x, leg_r.y + leg_h - 1, more, th.dim());
    }
}

/// Fill glyph per status for stacked bars (distinct even without colour).
fn fill(th: &Theme, s: TestStatus) -> &'static str {
    if th.ascii {
        return th.status_symbol(s);
    }
    match s {
        TestStatus::Fail => "█",
        TestStatus::Error => "▓",
        TestStatus::Warning => "▒",
        TestStatus::Success => "░",
        TestStatus::Skipped => "·",
    }
}

fn aggregate(area: Rect, buf: &mut Buffer, app: &App, buckets: &[StatusBucket]) {
    let th = &app.cfg.theme;
    let ell = th.ellipsis();
    if area.height < 3 || buckets.is_empty() {
        put(buf, area, 0, Line::styled("no runs", th.dim()));
        return;
    }
    let bars_h = area.height - 2;
    let w = area.width as usize;
    let n = buckets.len().min(w / 2).max(1).min(buckets.len());
    let shown = &buckets[buckets.len() - n..];
    let max = shown
        .iter()
        .map(|b| b.counts.total())
        .max()
        .unwrap_or(1)
        .max(1);
    let order = [
        TestStatus::Fail,
        TestStatus::Error,
        TestStatus::Warning,
        TestStatus::Success,
        TestStatus::Skipped,
    ];
    for (i, b) in shown.iter().enumerate() {
        let c = &b.counts;
        let count = |s: TestStatus| match s {
            TestStatus::Fail => c.fail,
            TestStatus::Error => c.error,
            TestStatus::Warning => c.warning,
            TestStatus::Success => c.success,
            TestStatus::Skipped => c.skipped,
        };
        let total_rows = ((c.total() as f64 / max as f64) * bars_h as f64).round() as u16;
        let mut row = 0u16;
        let mut acc = 0u32;
        for s in order {
            acc += count(s);
            let upto = ((acc as f64 / c.total().max(1) as f64) * total_rows as f64).round() as u16;
            // At least one cell for a status that is present.
            let upto = if count(s) > 0 {
                upto.max(row + 1).min(bars_h)
            } else {
                upto
            };
            while row < upto {
                let x = area.x + (i * 2) as u16;
                let y = area.y + bars_h - 1 - row;
                buf.set_string(x, y, fill(th, s), th.status(s));
                row += 1;
            }
        }
    }
    let first = fmt::time(app.cfg.tz, shown[0].start, "%m-%d");
    let last = fmt::time(app.cfg.tz, shown[n - 1].start, "%m-%d");
    let span = (n * 2).saturating_sub(1);
    let axis = if span > first.len() + last.len() + 1 {
        format!(
            "{first}{}{last}",
            " ".repeat(span - first.len() - last.len())
        )
    } else {
        format!(
            "{first} {} {last}  ({n} time buckets)",
            if th.ascii { "->" } else { "→" }
        )
    };
    put(
        buf,
        area,
        bars_h,
        Line::styled(fmt::truncate(&axis, w, ell), th.dim()),
    );
    let lc = shown[n - 1].counts;
    let mut spans = Vec::new();
    for s in order {
        spans.push(Span::styled(fill(th, s), th.status(s)));
        spans.push(Span::styled(
            format!(" {} ", s.as_str().to_lowercase()),
            th.dim(),
        ));
    }
    spans.push(Span::styled(
        format!(
            "{}latest: {}{} {}{} {}{}",
            th.sep(),
            th.status_symbol(TestStatus::Fail),
            lc.fail + lc.error,
            th.status_symbol(TestStatus::Warning),
            lc.warning,
            th.status_symbol(TestStatus::Success),
            lc.success
        ),
        th.text(),
    ));
    let line = Line::from(spans);
    put(buf, area, bars_h + 1, line);
}
