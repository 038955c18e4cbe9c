//! The selection and scroll offset of a list: the one cursor every
//! scrolling list of the explorer uses (rendered by `ui::widgets`), and the
//! rows a movement key steps it by.

use crate::tui::keymap::Action;

/// Rows a movement action moves a list's cursor by (`page` rows per page),
/// `None` for other actions.
pub fn list_step(a: Action, page: usize) -> Option<isize> {
    let page = (page as isize).max(1);
    Some(match a {
        Action::Up => -1,
        Action::Down => 1,
        Action::PageUp => -page,
        Action::PageDown => page,
        Action::Top => isize::MIN / 2,
        Action::Bottom => isize::MAX / 2,
        _ => return None,
    })
}

/// Selection and scroll offset of a list, by row index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cursor {
    pub sel: usize,
    pub offset: usize,
}

impl Cursor {
    /// Keep `sel` inside `len` rows and visible in a window of `height` rows.
    pub fn fit(&mut self, len: usize, height: usize) {
        if len == 0 {
            *self = Cursor::default();
            return;
        }
        self.sel = self.sel.min(len - 1);
        let h = height.max(1);
        if self.sel < self.offset {
            self.offset = self.sel;
        } else if self.sel >= self.offset + h {
            self.offset = self.sel + 1 - h;
        }
        self.offset = self.offset.min(len.saturating_sub(h));
    }

    /// Move by `delta` rows (clamped) and keep the selection visible.
    pub fn step(&mut self, delta: isize, len: usize, height: usize) {
        if len == 0 {
            return;
        }
        self.sel = (self.sel as isize + delta).clamp(0, len as isize - 1) as usize;
        self.fit(len, height);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn movement_actions_step() {
        assert_eq!(list_step(Action::Up, 10), Some(-1));
        assert_eq!(list_step(Action::PageDown, 10), Some(10));
        assert_eq!(list_step(Action::PageUp, 0), Some(-1));
        assert_eq!(list_step(Action::Enter, 10), None);
    }

    #[test]
    fn cursor_fits_window() {
        let mut c = Cursor { sel: 50, offset: 0 };
        c.fit(100, 10);
        assert_eq!((c.sel, c.offset), (50, 41));
        c.step(-45, 100, 10);
        assert_eq!((c.sel, c.offset), (5, 5));
        c.fit(3, 10);
        assert_eq!((c.sel, c.offset), (2, 0));
        c.fit(0, 10);
        assert_eq!(c, Cursor::default());
    }
}
