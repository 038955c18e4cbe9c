//! The pieces every screen draws with: a line clipped to a region, the pane
//! block (title, focus border), a title showing the active filter, test
//! counts, a matrix cell, names sanitized for the terminal, the scrolling
//! list with a cursor and the hint an empty list shows. Pure
//! functions; no screen file draws these its own way.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};

use crate::model::TestStatus;
use crate::text::sanitize::clean;
use crate::tui::app::{App, FilterTarget};
use crate::tui::fmt;
use crate::tui::theme::Theme;

/// Draw one line at `row` of `r`, clipped to its width (no-op outside).
pub fn put(buf: &mut Buffer, r: Rect, row: u16, line: Line<'_>) {
    if row >= r.height || r.width == 0 {
        return;
    }
    buf.set_line(r.x, r.y + row, &line, r.width);
}

/// A project's name, sanitized for the terminal (empty when unknown).
pub fn project_name(app: &App, project_id: &str) -> String {
    app.catalog
        .project(project_id)
        .map(|p| clean(&p.project.name).into_owned())
        .unwrap_or_default()
}

/// A bordered pane with a title; focused panes get a bold border.
pub fn pane_block<'a>(title: Line<'a>, focused: bool, th: &Theme) -> Block<'a> {
    let style = if focused {
        th.border_focused()
    } else {
        th.border()
    };
    let b = Block::default()
        .borders(Borders::ALL)
        .border_style(style)
        .title(title);
    if th.ascii {
        b.border_set(ratatui::symbols::border::Set {
            top_left: "+",
            top_right: "+",
            bottom_left: "+",
            bottom_right: "+",
            vertical_left: "|",
            vertical_right: "|",
            horizontal_top: "-",
            horizontal_bottom: "-",
        })
    } else {
        b
    }
}

/// " Title (n) " plus the active filter, for pane titles.
pub fn title_with_filter<'a>(
    app: &App,
    title: String,
    shown: usize,
    total: usize,
    target: FilterTarget,
) -> Line<'a> {
    let th = &app.cfg.theme;
    let f = app.filter(target);
    let mut spans = vec![Span::styled(format!(" {title} "), th.header())];
    if f.is_empty() {
        spans.push(Span::styled(format!("({total}) "), th.dim()));
    } else {
        spans.push(Span::styled(
            format!(
                "/{} {shown}/{total} ",
                fmt::truncate(&clean(f), 16, th.ellipsis())
            ),
            th.matched(),
        ));
    }
    Line::from(spans)
}

/// The counts cell: failures (FAIL+ERROR), warnings, successes.
pub fn counts_spans(th: &Theme, s: &crate::model::Snapshot, base: Style) -> Vec<Span<'static>> {
    let c = s.test_counts();
    if c.total() == 0 {
        return vec![Span::styled(
            fmt::pad("no tests", 12, th.ellipsis()),
            th.dim().patch(base),
        )];
    }
    let part = |sym: &str, n: u32, st: Style| {
        let style = if n == 0 { th.dim() } else { st };
        Span::styled(format!("{sym}{:<3}", n), style.patch(base))
    };
    vec![
        part(
            th.status_symbol(TestStatus::Fail),
            c.fail + c.error,
            th.status(TestStatus::Fail),
        ),
        part(
            th.status_symbol(TestStatus::Warning),
            c.warning,
            th.status(TestStatus::Warning),
        ),
        part(
            th.status_symbol(TestStatus::Success),
            c.success,
            th.status(TestStatus::Success),
        ),
    ]
}

/// One matrix cell: the status symbol, or `·` where the run did not have the test.
pub fn cell(th: &Theme, s: Option<TestStatus>) -> (&'static str, Style) {
    match s {
        Some(TestStatus::Skipped) => ("S", th.status(TestStatus::Skipped)),
        Some(s) => (th.status_symbol(s), th.status(s)),
        None => (if th.ascii { "." } else { "·" }, th.dim()),
    }
}

/// Draw a scrolling list: the items from `offset` on that fit in `r`, one
/// per row, each drawn by `line(index, item, selected)` (`sel` is the
/// selected index, if any). Every list with a cursor draws through this.
pub fn scroll_list<'a, I: IntoIterator>(
    buf: &mut Buffer,
    r: Rect,
    items: I,
    offset: usize,
    sel: Option<usize>,
    mut line: impl FnMut(usize, I::Item, bool) -> Line<'a>,
) {
    for (row, (i, item)) in items
        .into_iter()
        .enumerate()
        .skip(offset)
        .take(r.height as usize)
        .enumerate()
    {
        let l = line(i, item, sel == Some(i));
        put(buf, r, row as u16, l);
    }
}

/// The hint an empty list shows on its first row: dimmed, cut to the
/// width with the theme's ellipsis.
pub fn empty_hint(buf: &mut Buffer, r: Rect, msg: &str, th: &Theme) {
    put(
        buf,
        r,
        0,
        Line::styled(
            fmt::truncate(msg, r.width as usize, th.ellipsis()),
            th.dim(),
        ),
    );
}
