//! Popups over the current screen (help, unreadable files): their scroll
//! and what a key does to them.

use crate::tui::keymap::Action;

/// A popup over the current screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Popup {
    /// Key help, generated from the key map; the value is the scroll offset.
    Help(usize),
    /// Unreadable and pending files with reasons; the value is the scroll offset.
    Unreadable(usize),
}

/// What a key does while a popup is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PopupKey {
    /// Ctrl-C: leave the explorer.
    Quit,
    /// Close the popup.
    Close,
    /// Show this popup (scrolled, or another one).
    Show(Popup),
}

impl Popup {
    /// The scroll offset.
    pub fn scroll(self) -> usize {
        match self {
            Popup::Help(s) | Popup::Unreadable(s) => s,
        }
    }

    /// The same popup scrolled to `s`.
    fn at(self, s: usize) -> Popup {
        match self {
            Popup::Help(_) => Popup::Help(s),
            Popup::Unreadable(_) => Popup::Unreadable(s),
        }
    }

    /// An action (looked up in the global context; `ctrl_c` when the key
    /// was Ctrl-C) on a popup of `len` lines showing `page` lines.
    pub fn key(self, action: Option<Action>, ctrl_c: bool, page: usize, len: usize) -> PopupKey {
        let scroll = self.scroll();
        let new_scroll = match action {
            Some(Action::Quit) if ctrl_c => return PopupKey::Quit,
            Some(Action::Quit | Action::Back) => return PopupKey::Close,
            Some(Action::Help) if matches!(self, Popup::Help(_)) => return PopupKey::Close,
            Some(Action::Unreadable) if matches!(self, Popup::Unreadable(_)) => {
                return PopupKey::Close
            }
            Some(Action::Help) => return PopupKey::Show(Popup::Help(0)),
            Some(Action::Up) => scroll.saturating_sub(1),
            Some(Action::Down) => scroll + 1,
            Some(Action::PageUp) => scroll.saturating_sub(page),
            Some(Action::PageDown) => scroll + page,
            Some(Action::Top) => 0,
            Some(Action::Bottom) => usize::MAX / 2,
            _ => scroll,
        };
        PopupKey::Show(self.at(new_scroll.min(len.saturating_sub(1))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_scroll_clamp_and_close() {
        let p = Popup::Unreadable(0);
        assert_eq!(
            p.key(Some(Action::Down), false, 5, 3),
            PopupKey::Show(Popup::Unreadable(1))
        );
        assert_eq!(
            p.key(Some(Action::Bottom), false, 5, 3),
            PopupKey::Show(Popup::Unreadable(2))
        );
        assert_eq!(
            p.key(Some(Action::Help), false, 5, 3),
            PopupKey::Show(Popup::Help(0))
        );
        assert_eq!(
            p.key(Some(Action::Unreadable), false, 5, 3),
            PopupKey::Close
        );
        assert_eq!(
            Popup::Help(4).key(Some(Action::Help), false, 5, 9),
            PopupKey::Close
        );
        assert_eq!(p.key(Some(Action::Quit), true, 5, 3), PopupKey::Quit);
        assert_eq!(p.key(Some(Action::Quit), false, 5, 3), PopupKey::Close);
    }
}
