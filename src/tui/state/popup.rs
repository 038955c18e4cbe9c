//! Popups over the current screen (help, unreadable files) and their scroll.

/// A popup over the current screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Popup {
    /// Key help, generated from the key map; the value is the scroll offset.
    Help(usize),
    /// Unreadable and pending files with reasons; the value is the scroll offset.
    Unreadable(usize),
}
