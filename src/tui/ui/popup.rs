//! Popups: the key help (generated from the live key map) and the list of
//! unreadable / pending files with their reasons.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Widget};

use crate::text::sanitize::{clean, clean_path};
use crate::tui::app::{App, Popup};
use crate::tui::fmt;
use crate::tui::keymap::{self, ContextText};
use crate::tui::ui::layout;
use crate::tui::ui::widgets::pane_block;
use crate::tui::ui::widgets::scroll_list;

/// Draw a popup over `area`.
pub fn render(area: Rect, buf: &mut Buffer, app: &App, p: Popup) {
    let th = &app.cfg.theme;
    let r = layout::popup(area, 84);
    Clear.render(r, buf);
    let (title, lines, scroll) = match p {
        Popup::Help(s) => ("Keys", help_lines(app), s),
        Popup::Unreadable(s) => (
            "Unreadable and pending files",
            unreadable_lines(app, r.width.saturating_sub(2) as usize),
            s,
        ),
    };
    let rows = r.height.saturating_sub(2) as usize;
    let n = lines.len();
    let pos = if n > rows {
        format!(
            "{}-{}/{n}, j/k scroll, ",
            scroll + 1,
            (scroll + rows).min(n)
        )
    } else {
        String::new()
    };
    let block = pane_block(
        Line::styled(format!(" {title}  ({pos}Esc closes) "), th.header()),
        true,
        th,
    );
    let inner = block.inner(r);
    block.render(r, buf);
    scroll_list(buf, inner, lines, scroll, None, |_, line, _| line);
}

fn help_lines(app: &App) -> Vec<Line<'static>> {
    let th = &app.cfg.theme;
    let mut out = Vec::new();
    for (ctx, rows) in keymap::help_sections(&app.cfg.keymap) {
        out.push(Line::styled(ctx.title().to_string(), th.header()));
        for (keys, desc) in rows {
            out.push(Line::from(vec![
                Span::styled(
                    format!("  {}", fmt::pad(&keys, 22, th.ellipsis())),
                    th.key(),
                ),
                Span::raw(desc),
            ]));
        }
        out.push(Line::default());
    }
    out
}

fn unreadable_lines(app: &App, w: usize) -> Vec<Line<'static>> {
    let th = &app.cfg.theme;
    let ell = th.ellipsis();
    let root = app.cfg.root.as_path();
    let show = |p: &std::path::Path| {
        let rel = p.strip_prefix(root).unwrap_or(p);
        fmt::truncate_left(&clean_path(rel), w.saturating_sub(2), ell)
    };
    let mut out = Vec::new();
    for u in app.catalog.unreadable() {
        out.push(Line::from(vec![
            Span::styled(
                format!("{} ", th.status_symbol(crate::model::TestStatus::Fail)),
                th.status(crate::model::TestStatus::Fail),
            ),
            Span::raw(show(&u.path)),
        ]));
        out.push(Line::styled(
            format!(
                "    {}",
                fmt::truncate(&clean(&u.reason), w.saturating_sub(4), ell)
            ),
            th.dim(),
        ));
    }
    for (p, reason) in &app.pending {
        out.push(Line::from(vec![
            Span::styled("… ", th.alert()),
            Span::raw(show(p)),
        ]));
        out.push(Line::styled(
            format!(
                "    pending: {}",
                fmt::truncate(&clean(reason), w.saturating_sub(13), ell)
            ),
            th.dim(),
        ));
    }
    if out.is_empty() {
        out.push(Line::styled("No unreadable or pending files.", th.dim()));
    }
    out
}
