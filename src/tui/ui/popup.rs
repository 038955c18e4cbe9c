//! Popups: the key help (generated from the live key map, in as many
//! columns as the terminal's width holds) and the list of unreadable /
//! pending files with their project, path and reason, with a cursor. The
//! geometry here is also what `update` scrolls by, so `G` shows the last
//! full page.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Widget};

use crate::text::sanitize::{clean, clean_path};
use crate::tui::app::{App, Popup};
use crate::tui::fmt;
use crate::tui::keymap::{self, ContextText};
use crate::tui::state::popup::problem_files;
use crate::tui::ui::layout;
use crate::tui::ui::widgets::pane_block;
use crate::tui::ui::widgets::{project_name, put};

/// Width of one column of the help (keys and description), gap included.
pub const HELP_COL_W: u16 = 76;
/// Width of the keys part of a help line.
const HELP_KEYS_W: usize = 16;
/// Most help columns side by side.
const HELP_MAX_COLS: u16 = 4;

/// The popup's box over the whole terminal `area`: the full width between
/// the status and hint bars.
fn boxed(area: Rect) -> Rect {
    layout::popup(area, u16::MAX)
}

/// Columns of the help in a box of this inner width.
fn help_columns(inner_w: u16) -> u16 {
    (inner_w / HELP_COL_W).clamp(1, HELP_MAX_COLS)
}

/// Rows (help lines, or files) a popup shows at once in `area`.
pub fn page(area: Rect, p: Popup) -> usize {
    let inner = layout::inner(boxed(area));
    let rows = inner.height as usize;
    match p {
        Popup::Help(_) => rows * help_columns(inner.width) as usize,
        Popup::Unreadable(_) => (rows / 2).max(1),
    }
}

/// Rows of a popup: help lines, or files of the unreadable list.
pub fn len(app: &App, p: Popup) -> usize {
    match p {
        Popup::Help(_) => help_lines(app).len(),
        Popup::Unreadable(_) => problem_files(&app.catalog, &app.pending).len(),
    }
}

/// Draw a popup over `area`.
pub fn render(area: Rect, buf: &mut Buffer, app: &App, p: Popup) {
    let th = &app.cfg.theme;
    let r = boxed(area);
    Clear.render(r, buf);
    let n = len(app, p);
    let shown = page(area, p);
    let (title, first) = match p {
        Popup::Help(s) => ("Keys", s),
        Popup::Unreadable(c) => ("Unreadable and pending files", c.offset),
    };
    let pos = if n > shown {
        format!("{}-{}/{n}, j/k scroll, ", first + 1, (first + shown).min(n))
    } else {
        String::new()
    };
    let extra = match p {
        Popup::Unreadable(_) if n > 0 => "y copies the path, ",
        _ => "",
    };
    let block = pane_block(
        Line::styled(format!(" {title}  ({pos}{extra}Esc closes) "), th.header()),
        true,
        th,
    );
    let inner = block.inner(r);
    block.render(r, buf);
    match p {
        Popup::Help(s) => help(inner, buf, app, s),
        Popup::Unreadable(c) => unreadable(inner, buf, app, c),
    }
}

/// The help lines flow down the first column, then the next.
fn help(inner: Rect, buf: &mut Buffer, app: &App, scroll: usize) {
    let lines = help_lines(app);
    let cols = help_columns(inner.width);
    let col_w = inner.width / cols;
    let rows = inner.height as usize;
    for c in 0..cols {
        let x = inner.x + c * col_w;
        let w = if c + 1 == cols {
            inner.width - c * col_w
        } else {
            col_w.saturating_sub(2)
        };
        let region = Rect::new(x, inner.y, w, inner.height);
        let start = scroll + c as usize * rows;
        for (row, line) in lines.iter().skip(start).take(rows).enumerate() {
            put(buf, region, row as u16, line.clone());
        }
    }
}

/// Every line of the help: a heading per context, then its keys.
pub fn help_lines(app: &App) -> Vec<Line<'static>> {
    let th = &app.cfg.theme;
    let mut out = Vec::new();
    for (ctx, rows) in keymap::help_sections(&app.cfg.keymap) {
        if !out.is_empty() {
            out.push(Line::default());
        }
        out.push(Line::styled(ctx.title().to_string(), th.header()));
        for (keys, desc) in rows {
            out.push(row(app, &keys, desc));
        }
    }
    // Keys outside the key map: the filter line and the mouse.
    for (title, rows) in FIXED_HELP {
        out.push(Line::default());
        out.push(Line::styled(title.to_string(), th.header()));
        for (keys, desc) in *rows {
            out.push(row(app, keys, desc));
        }
    }
    out
}

/// Help for what the key map does not bind (fixed keys of the filter line, the mouse).
const FIXED_HELP: &[(&str, &[(&str, &str)])] = &[
    (
        "Typing a filter (after /)",
        &[
            ("Enter", "keep the filter"),
            ("Esc", "cancel (back to the previous filter)"),
            ("Backspace", "erase a character"),
            ("Ctrl-w, Ctrl-u", "erase a word, everything"),
        ],
    ),
    (
        "Mouse",
        &[
            ("click", "select a row (again: open it), pick a tab"),
            ("wheel", "scroll the list under the pointer"),
        ],
    ),
];

fn row(app: &App, keys: &str, desc: &str) -> Line<'static> {
    let th = &app.cfg.theme;
    Line::from(vec![
        Span::styled(
            format!("  {} ", fmt::pad(keys, HELP_KEYS_W, th.ellipsis())),
            th.key(),
        ),
        Span::raw(desc.to_string()),
    ])
}

/// The unreadable list: per file, its project and path (relative to the
/// project folder, else to the explored folder), then its reason; the
/// selected file is highlighted.
fn unreadable(inner: Rect, buf: &mut Buffer, app: &App, c: crate::tui::app::Cursor) {
    let th = &app.cfg.theme;
    let ell = th.ellipsis();
    let w = inner.width as usize;
    let files = problem_files(&app.catalog, &app.pending);
    if files.is_empty() {
        put(
            buf,
            inner,
            0,
            Line::styled("No unreadable or pending files.", th.dim()),
        );
        return;
    }
    let root = app.cfg.root.as_path();
    let per_page = (inner.height as usize / 2).max(1);
    for (i, f) in files.iter().enumerate().skip(c.offset).take(per_page) {
        let row = ((i - c.offset) * 2) as u16;
        let selected = i == c.sel;
        let base = if selected {
            th.selected()
        } else {
            ratatui::style::Style::default()
        };
        let project = f.project_id.and_then(|id| app.catalog.project(id));
        // The path under the project's snapshots folder when it is there.
        let (name, rel) = match project {
            Some(p) => {
                let rel = f.path.strip_prefix(&p.project.folder).unwrap_or(f.path);
                (
                    project_name(app, &p.project.id),
                    rel.strip_prefix("snapshots").unwrap_or(rel),
                )
            }
            None => (
                "(no project)".to_string(),
                f.path.strip_prefix(root).unwrap_or(f.path),
            ),
        };
        let (sym, sym_style) = if f.pending {
            ("…", th.alert())
        } else {
            (
                th.status_symbol(crate::model::TestStatus::Fail),
                th.status(crate::model::TestStatus::Fail),
            )
        };
        // The path is what `y` copies: the name gives up its room first
        // (down to 16 columns), then the path is cut on the left.
        let rel = clean_path(rel);
        let room = w.saturating_sub(4);
        let name_w = fmt::width(&name)
            .min(room.saturating_sub(fmt::width(&rel)).max(16))
            .min(room);
        let name = fmt::truncate(&name, name_w, ell);
        let path_w = room.saturating_sub(fmt::width(&name));
        let path = fmt::pad(&fmt::truncate_left(&rel, path_w, ell), path_w, ell);
        put(
            buf,
            inner,
            row,
            Line::from(vec![
                Span::styled(format!("{sym} "), sym_style.patch(base)),
                Span::styled(name, th.header().patch(base)),
                Span::styled("  ", base),
                Span::styled(path, base),
            ]),
        );
        let what = if f.pending { "pending: " } else { "" };
        let reason = format!("    {what}{}", clean(f.reason));
        put(
            buf,
            inner,
            row + 1,
            Line::styled(
                fmt::pad(&fmt::truncate(&reason, w, ell), w, ell),
                th.dim().patch(base),
            ),
        );
    }
}
