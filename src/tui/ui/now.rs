//! The Now panel on the landing screen: projects whose latest run with tests
//! has FAIL or ERROR, worst first, with since when and what drifted, then
//! projects that cannot be read, with why. One line when nothing fails.

use chrono::{DateTime, Utc};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::model::TestStatus;
use crate::text::sanitize::clean;
use crate::tui::app::{App, Pane};
use crate::tui::fmt;
use crate::tui::state::now::{NowItem, NowState};
use crate::tui::ui::widgets::pane_block;
use crate::tui::ui::widgets::put;
use crate::tui::ui::widgets::scroll_list;

/// Draw the Now panel into `r` (its height was chosen by the layout).
pub fn render(r: Rect, buf: &mut Buffer, app: &App, now: DateTime<Utc>) {
    if r.height == 0 {
        return;
    }
    let th = &app.cfg.theme;
    let ell = th.ellipsis();
    let n = &app.now;
    if n.failing.is_empty() {
        let (sym, st, text) = if !app.scan.finished {
            ("…", th.dim(), "Now: scanning…".to_string())
        } else if n.projects == 0 {
            (" ", th.dim(), "Now: no projects yet".to_string())
        } else {
            (
                th.status_symbol(TestStatus::Success),
                th.status(TestStatus::Success),
                app.now_summary(now),
            )
        };
        put(
            buf,
            r,
            0,
            Line::from(vec![
                Span::styled(format!(" {sym} "), st.add_modifier(Modifier::BOLD)),
                Span::styled(
                    fmt::truncate(&text, (r.width as usize).saturating_sub(3), ell),
                    th.text(),
                ),
            ]),
        );
        return;
    }
    let focused = app.browse.focus == Pane::Now;
    let worst = n.failing[0].worst().unwrap_or(TestStatus::Fail);
    let mut title = vec![
        Span::styled(
            format!(" {} Now: ", th.status_symbol(worst)),
            th.status(worst).add_modifier(Modifier::BOLD),
        ),
        Span::styled(
            format!(
                "{} of {} projects failing{} ",
                n.failing.len(),
                n.projects,
                if n.failing.iter().any(|h| h.problem.is_some()) {
                    " or unreadable"
                } else {
                    ""
                }
            ),
            th.header(),
        ),
    ];
    let shown_projects = r.height.saturating_sub(2) as usize;
    if !focused && n.failing.len() > shown_projects {
        title.push(Span::styled(
            format!("(+{} more, 0 expands) ", n.failing.len() - shown_projects),
            th.dim(),
        ));
    } else if !focused {
        title.push(Span::styled("(0 expands) ", th.dim()));
    }
    let block = pane_block(Line::from(title), focused, th);
    let inner = block.inner(r);
    block.render(r, buf);
    let w = inner.width as usize;
    let name_w = n
        .failing
        .iter()
        .map(|h| fmt::width(&clean(&h.name)))
        .max()
        .unwrap_or(8)
        .clamp(8, (w / 3).max(8));
    if focused {
        let items = n.items(true);
        scroll_list(
            buf,
            inner,
            items.iter(),
            n.cursor.offset,
            Some(n.cursor.sel),
            |_, item, selected| {
                let base = if selected {
                    th.selected()
                } else {
                    Style::default()
                };
                match *item {
                    NowItem::Project(p) => project_line(app, n, p, name_w, w, base, now),
                    NowItem::Test(p, t) => test_line(app, n, p, t, w, base),
                }
            },
        );
    } else {
        // Unfocused: one line per project, no cursor.
        scroll_list(buf, inner, 0..n.failing.len(), 0, None, |_, p, _| {
            project_line(app, n, p, name_w, w, Style::default(), now)
        });
    }
}

fn project_line(
    app: &App,
    n: &NowState,
    p: usize,
    name_w: usize,
    w: usize,
    base: Style,
    now: DateTime<Utc>,
) -> Line<'static> {
    let th = &app.cfg.theme;
    let ell = th.ellipsis();
    let Some(h) = n.failing.get(p) else {
        return Line::default();
    };
    let worst = h.worst().unwrap_or(TestStatus::Fail);
    let sep = th.sep();
    let mut spans = vec![
        Span::styled(th.status_symbol(worst), th.status(worst).patch(base)),
        Span::styled(" ", base),
        Span::styled(
            fmt::pad(&clean(&h.name), name_w, ell),
            th.text().add_modifier(Modifier::BOLD).patch(base),
        ),
        Span::styled(" ", base),
    ];
    if let Some(u) = &h.problem {
        spans.push(Span::styled(
            format!("unreadable: {}", clean(&u.reason)),
            th.status(worst).patch(base),
        ));
        return fit(spans, w, ell, base);
    }
    spans.push(Span::styled(
        format!("{} failing", h.failing.len()),
        th.status(worst).patch(base),
    ));
    if let Some(t) = NowState::since(h) {
        spans.push(Span::styled(
            format!(
                "{sep}since {} ({})",
                fmt::time(app.cfg.tz, t, "%m-%d %H:%M"),
                fmt::age(now, t)
            ),
            base,
        ));
    }
    let run_age = h.timestamp.map(|t| {
        Span::styled(
            format!("{sep}run {} ago", fmt::age(now, t)),
            th.dim().patch(base),
        )
    });
    let cols: Vec<String> = h
        .drifted_columns
        .iter()
        .map(|c| clean(c).into_owned())
        .collect();
    match (&h.drift, cols.is_empty()) {
        (Some(c), true) if c.drifted > 0 => spans.push(Span::styled(
            format!("{sep}drift {}", c.short()),
            th.drift(Some(true)).patch(base),
        )),
        (Some(c), false) => spans.push(Span::styled(
            format!(
                "{sep}drift {}{} {}",
                c.short(),
                // Per-column rows may name only some of the drifted columns.
                if (cols.len() as u64) < u64::from(c.drifted) {
                    " incl."
                } else {
                    ":"
                },
                cols.join(", ")
            ),
            th.drift(Some(true)).patch(base),
        )),
        (None, false) => spans.push(Span::styled(
            format!("{sep}drifted {}: {}", cols.len(), cols.join(", ")),
            th.drift(Some(true)).patch(base),
        )),
        _ => {}
    }
    spans.extend(run_age);
    fit(spans, w, ell, base)
}

fn test_line(app: &App, n: &NowState, p: usize, t: usize, w: usize, base: Style) -> Line<'static> {
    let th = &app.cfg.theme;
    let ell = th.ellipsis();
    let Some(f) = n.failing.get(p).and_then(|h| h.failing.get(t)) else {
        return Line::default();
    };
    let name = clean(&crate::model::test_label(&f.name, f.column.as_deref())).into_owned();
    let mut spans = vec![
        Span::styled("   ", base),
        Span::styled(th.status_symbol(f.status), th.status(f.status).patch(base)),
        Span::styled(" ", base),
        Span::styled(name, base),
    ];
    if let Some(s) = f.failing_since {
        spans.push(Span::styled(
            format!(
                "{}since {}",
                th.sep(),
                fmt::time(app.cfg.tz, s, "%m-%d %H:%M")
            ),
            th.dim().patch(base),
        ));
    }
    fit(spans, w, ell, base)
}

/// Cut a line of spans to `w` columns and pad it (so the selection fills the row).
fn fit(spans: Vec<Span<'static>>, w: usize, ell: &str, base: Style) -> Line<'static> {
    let mut out = Vec::new();
    let mut used = 0usize;
    for s in spans {
        let sw = fmt::width(&s.content);
        if used + sw <= w {
            used += sw;
            out.push(s);
        } else {
            let room = w - used;
            if room > 0 {
                out.push(Span::styled(fmt::truncate(&s.content, room, ell), s.style));
                used = w;
            }
            break;
        }
    }
    out.push(Span::styled(" ".repeat(w - used), base));
    Line::from(out)
}
