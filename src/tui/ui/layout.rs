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

/// Browse screen: projects pane and snapshots pane (outer rects, with borders).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Browse {
    pub projects: Rect,
    pub snapshots: Rect,
}

/// Width under which the projects pane narrows while the timeline has focus.
pub const NARROW_BROWSE: u16 = 110;

/// Split the main area for the browse screen. On narrow terminals the
/// projects pane shrinks while the timeline is focused, to give the
/// timeline room. Room is left for a future "Now" triage panel above the
/// projects list.
pub fn browse(main: Rect, timeline_focused: bool) -> Browse {
    let pw = if main.width < NARROW_BROWSE && timeline_focused {
        24
    } else {
        (main.width as u32 * 2 / 5).clamp(30, 46) as u16
    };
    let pw = pw.min(main.width);
    Browse {
        projects: Rect::new(main.x, main.y, pw, main.height),
        snapshots: Rect::new(main.x + pw, main.y, main.width - pw, main.height),
    }
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
    let w = if main.width <= max_w + 8 {
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
