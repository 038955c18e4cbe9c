//! Screen geometry, shared by rendering and by mouse hit-testing in `update`
//! so both always agree. Pure functions of the terminal area.

use ratatui::layout::Rect;

/// Smallest usable terminal; below it only a "too small" line is drawn.
pub const MIN_WIDTH: u16 = 60;
/// Smallest usable terminal height.
pub const MIN_HEIGHT: u16 = 15;

/// True when the area is too small for the normal screens.
pub fn too_small(area: Rect) -> bool {
    area.width < MIN_WIDTH || area.height < MIN_HEIGHT
}

/// The frame split: top status bar, main area, bottom hint bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame {
    pub status: Rect,
    pub main: Rect,
    pub hints: Rect,
}

/// Split the whole terminal area.
pub fn frame(area: Rect) -> Frame {
    let h = area.height;
    let status = Rect::new(area.x, area.y, area.width, h.min(1));
    let hints = Rect::new(area.x, area.y + h.saturating_sub(1), area.width, h.min(1));
    let main = Rect::new(area.x, area.y + 1, area.width, h.saturating_sub(2));
    Frame {
        status,
        main,
        hints,
    }
}

/// The inside of a bordered block.
pub fn inner(r: Rect) -> Rect {
    Rect::new(
        r.x.saturating_add(1),
        r.y.saturating_add(1),
        r.width.saturating_sub(2),
        r.height.saturating_sub(2),
    )
}

/// Rows of a list below its one-line header.
pub fn below_header(r: Rect) -> Rect {
    Rect::new(
        r.x,
        r.y.saturating_add(1),
        r.width,
        r.height.saturating_sub(1),
    )
}

/// Browse screen: the Now panel on top, projects pane and snapshots pane
/// below (outer rects, with borders; the Now panel has none when it is one line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Browse {
    pub now: Rect,
    pub projects: Rect,
    pub snapshots: Rect,
}

/// Width under which the projects pane narrows while the timeline has focus.
pub const NARROW_BROWSE: u16 = 110;

/// Rows the projects and snapshots panes keep however large the Now panel wants to be.
pub const MIN_LISTS: u16 = 9;

/// Height of the Now panel: one line when nothing fails; else a bordered
/// panel of `lines` rows (at most 3 when not focused), leaving the lists
/// at least [`MIN_LISTS`] rows.
pub fn now_height(main: Rect, lines: usize, failing: bool, focused: bool) -> u16 {
    if !failing {
        return main.height.min(1);
    }
    let want = if focused { lines } else { lines.min(3) };
    let max = main.height.saturating_sub(MIN_LISTS);
    (want as u16)
        .saturating_add(2)
        .min(max)
        .max(main.height.min(1))
}

/// Columns of a project row besides its name: status, runs, age, the
/// failure sparkline and the spaces between them.
pub const PROJECT_ROW_FIXED: usize = 19;

/// Split the main area for the browse screen: the Now panel (`now_h` rows)
/// on top, projects and snapshots below. The projects pane is as wide as
/// its longest name (`longest_name` columns) and its columns want, within
/// 30 columns and two fifths of the width (half below [`NARROW_BROWSE`]
/// columns); on narrow terminals it shrinks while the timeline is focused,
/// to give the timeline room.
pub fn browse(main: Rect, timeline_focused: bool, now_h: u16, longest_name: usize) -> Browse {
    let narrow = main.width < NARROW_BROWSE;
    let pw = if narrow && timeline_focused {
        24
    } else {
        let cap = if narrow {
            main.width / 2
        } else {
            (main.width as u32 * 2 / 5) as u16
        };
        let want = (longest_name + PROJECT_ROW_FIXED + 2).min(u16::MAX as usize) as u16;
        want.clamp(30, cap.max(30))
    };
    let pw = pw.min(main.width);
    let nh = now_h.min(main.height);
    let y = main.y + nh;
    let h = main.height - nh;
    Browse {
        now: Rect::new(main.x, main.y, main.width, nh),
        projects: Rect::new(main.x, y, pw, h),
        snapshots: Rect::new(main.x + pw, y, main.width - pw, h),
    }
}

/// A full-screen view (trend, histories, dashboard, compare): the inside of
/// its bordered block.
pub fn view(main: Rect) -> Rect {
    inner(main)
}

/// List rows (excluding borders and header) of a bordered list pane.
pub fn list_rows(pane: Rect) -> Rect {
    below_header(inner(pane))
}

/// Detail screen regions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detail {
    /// The bordered block around everything.
    pub block: Rect,
    /// Two info lines (time, kind, name, tags, metadata).
    pub info: Rect,
    /// The tab bar.
    pub tabs: Rect,
    /// The tab's body.
    pub body: Rect,
}

/// Split the main area for the detail screen.
pub fn detail(main: Rect) -> Detail {
    let i = inner(main);
    let info_h = i.height.min(2);
    let info = Rect::new(i.x, i.y, i.width, info_h);
    let tabs = Rect::new(
        i.x,
        i.y + info_h,
        i.width,
        i.height.saturating_sub(info_h).min(1),
    );
    let used = info_h + tabs.height;
    let body = Rect::new(i.x, i.y + used, i.width, i.height.saturating_sub(used));
    Detail {
        block: main,
        info,
        tabs,
        body,
    }
}

/// Tests tab: the list (with header) and the description box under it.
pub fn tests_split(body: Rect) -> (Rect, Rect) {
    let desc_h = if body.height >= 24 {
        8
    } else if body.height >= 14 {
        6
    } else if body.height >= 9 {
        4
    } else {
        0
    };
    let list = Rect::new(body.x, body.y, body.width, body.height - desc_h);
    let desc = Rect::new(body.x, body.y + list.height, body.width, desc_h);
    (list, desc)
}

/// Drift / Metrics / Raw: the list (with header) and a one-line footer.
pub fn with_footer(body: Rect) -> (Rect, Rect) {
    let f = body.height.min(1);
    (
        Rect::new(body.x, body.y, body.width, body.height - f),
        Rect::new(body.x, body.y + body.height - f, body.width, f),
    )
}

/// A popup between the status and hint bars: full width on narrow
/// terminals, centred and at most `max_w` wide on wide ones.
pub fn popup(area: Rect, max_w: u16) -> Rect {
    let main = frame(area).main;
    let w = if main.width <= max_w.saturating_add(8) {
        main.width
    } else {
        max_w
    };
    Rect::new(main.x + (main.width - w) / 2, main.y, w, main.height)
}

/// True when (col, row) lies inside `r`.
pub fn contains(r: Rect, col: u16, row: u16) -> bool {
    col >= r.x
        && col < r.x.saturating_add(r.width)
        && row >= r.y
        && row < r.y.saturating_add(r.height)
}

/// Test history regions (inside the view's block).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryView {
    /// Info line and column header (2 rows).
    pub head: Rect,
    /// Matrix rows.
    pub rows: Rect,
    /// Detail of the selected row.
    pub foot: Rect,
}

impl HistoryView {
    /// Stack head, rows and foot inside `i`; the rows take what is left.
    fn split(i: Rect, head_h: u16, foot_h: u16) -> HistoryView {
        let rows_h = i.height.saturating_sub(head_h + foot_h);
        HistoryView {
            head: Rect::new(i.x, i.y, i.width, head_h),
            rows: Rect::new(i.x, i.y + head_h, i.width, rows_h),
            foot: Rect::new(
                i.x,
                i.y + head_h + rows_h,
                i.width,
                foot_h.min(i.height - head_h),
            ),
        }
    }
}

/// Split a full-screen view's area for the test history.
pub fn test_history(main: Rect) -> HistoryView {
    let i = inner(main);
    // The project's state, the counts, the column header.
    let head_h = if i.height >= 10 { 3 } else { i.height.min(2) };
    let foot_h = if i.height >= 14 {
        4
    } else if i.height >= 8 {
        2
    } else {
        0
    };
    HistoryView::split(i, head_h, foot_h)
}

/// Split a full-screen view's area for the drift history: the dataset's
/// drift-share trend and the column header on top.
pub fn drift_history(main: Rect) -> HistoryView {
    let i = inner(main);
    let head_h = if i.height >= 14 { 5 } else { i.height.min(2) };
    let foot_h = if i.height >= 10 { 1 } else { 0 };
    HistoryView::split(i, head_h, foot_h)
}

/// Split a full-screen view's area for the compare view: two lines naming
/// A and B, the rows, a footer line.
pub fn compare(main: Rect) -> HistoryView {
    let i = inner(main);
    let head_h = i.height.min(2);
    let foot_h = if i.height >= 6 { 1 } else { 0 };
    HistoryView::split(i, head_h, foot_h)
}

/// Dashboard: the tab bar and the panels' area.
pub fn dashboard(main: Rect) -> (Rect, Rect) {
    let i = inner(main);
    let t = i.height.min(1);
    (
        Rect::new(i.x, i.y, i.width, t),
        Rect::new(i.x, i.y + t, i.width, i.height - t),
    )
}

/// Trend view: the charts (one per series, stacked) and the cursor line.
pub fn trend(main: Rect) -> (Rect, Rect) {
    let i = inner(main);
    let info_h = i.height.min(1);
    let chart_h = i.height - info_h;
    (
        Rect::new(i.x, i.y, i.width, chart_h),
        Rect::new(i.x, i.y + chart_h, i.width, info_h),
    )
}

/// The series picker box (over the trend view).
pub fn picker(main: Rect) -> Rect {
    let i = inner(main);
    // Keys run long (column lists, per-column paths): a wide terminal
    // gives the picker up to 140 columns.
    let w = i.width.min(90.max(i.width * 3 / 4).min(140));
    Rect::new(i.x + (i.width - w) / 2, i.y, w, i.height)
}

/// Rows of the series list inside the picker (below its input and header lines).
pub fn picker_rows(main: Rect) -> Rect {
    let b = inner(picker(main));
    Rect::new(
        b.x,
        b.y.saturating_add(2),
        b.width,
        b.height.saturating_sub(3),
    )
}
