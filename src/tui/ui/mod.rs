//! Rendering: pure functions of `&App` and "now". Nothing here changes state
//! or touches the filesystem; every string from a snapshot or file name goes
//! through `sanitize::clean` before it is drawn.

pub mod browse;
pub mod chart;
pub mod compare;
pub mod dashboard;
pub mod detail;
pub mod history;
pub mod layout;
pub mod now;
pub mod popup;
pub mod status;
pub mod trend;
pub mod widgets;

use chrono::{DateTime, Utc};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::Frame;

use crate::tui::app::{App, Screen};
use crate::tui::ui::widgets::put;

/// Draw the whole screen.
pub fn draw(f: &mut Frame, app: &App, now: DateTime<Utc>) {
    let area = f.area();
    render(area, f.buffer_mut(), app, now);
}

/// Draw into a buffer region (used by [`draw`] and by tests).
pub fn render(area: Rect, buf: &mut Buffer, app: &App, now: DateTime<Utc>) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    if layout::too_small(area) {
        too_small(area, buf);
        return;
    }
    let fr = layout::frame(area);
    status::status_bar(fr.status, buf, app);
    match app.screen {
        Screen::Browse => browse::render(fr.main, buf, app, now),
        Screen::Detail => detail::render(fr.main, buf, app),
        Screen::Trend => trend::render(fr.main, buf, app),
        Screen::TestHistory => history::render_tests(fr.main, buf, app, now),
        Screen::DriftHistory => history::render_drift(fr.main, buf, app),
        Screen::Dashboard => dashboard::render(fr.main, buf, app),
        Screen::Compare => compare::render(fr.main, buf, app),
    }
    status::hint_bar(fr.hints, buf, app);
    if let Some(p) = app.popup {
        popup::render(area, buf, app, p);
    }
}

fn too_small(area: Rect, buf: &mut Buffer) {
    let msg = format!(
        "terminal too small ({}x{}); need {}x{}",
        area.width,
        area.height,
        layout::MIN_WIDTH,
        layout::MIN_HEIGHT
    );
    let y = area.y + area.height / 2;
    put(buf, Rect::new(area.x, y, area.width, 1), 0, Line::from(msg));
}
