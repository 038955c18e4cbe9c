//! Popups over the current screen (help, unreadable files): their scroll
//! or cursor, the files the unreadable list shows, and what a key does to
//! them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::index::Catalog;
use crate::tui::keymap::Action;
use crate::tui::state::cursor::Cursor;

/// A popup over the current screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Popup {
    /// Key help, generated from the key map; the value is the scroll offset
    /// in lines.
    Help(usize),
    /// Unreadable and pending files with reasons; the cursor is on the
    /// selected file.
    Unreadable(Cursor),
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
    /// Copy the path of the selected file (the unreadable list).
    Copy,
}

/// One row of the unreadable list: a file that could not be read, or one
/// still pending (being written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemFile<'a> {
    pub path: &'a Path,
    /// The project folder the file belongs to, when known.
    pub project_id: Option<&'a str>,
    pub reason: &'a str,
    /// True for a pending file, false for an unreadable one.
    pub pending: bool,
}

/// The rows of the unreadable list: unreadable files (by path), then the
/// pending ones (by path); a pending file's project is the one whose
/// folder holds it.
pub fn problem_files<'a>(
    catalog: &'a Catalog,
    pending: &'a BTreeMap<PathBuf, String>,
) -> Vec<ProblemFile<'a>> {
    let mut out: Vec<ProblemFile<'a>> = catalog
        .unreadable()
        .map(|u| ProblemFile {
            path: &u.path,
            project_id: u.project_id.as_deref(),
            reason: &u.reason,
            pending: false,
        })
        .collect();
    let projects = catalog.projects();
    for (p, reason) in pending {
        let project_id = projects
            .iter()
            .find(|e| p.starts_with(&e.project.folder))
            .map(|e| e.project.id.as_str());
        out.push(ProblemFile {
            path: p,
            project_id,
            reason,
            pending: true,
        });
    }
    out
}

impl Popup {
    /// The unreadable list, its cursor on the first file.
    pub fn unreadable() -> Popup {
        Popup::Unreadable(Cursor::default())
    }

    /// An action (looked up in the global context; `ctrl_c` when the key
    /// was Ctrl-C) on a popup of `len` rows (help lines, or files) of which
    /// `page` fit on screen at once.
    pub fn key(self, action: Option<Action>, ctrl_c: bool, page: usize, len: usize) -> PopupKey {
        let step = match action {
            Some(Action::Quit) if ctrl_c => return PopupKey::Quit,
            Some(Action::Quit | Action::Back) => return PopupKey::Close,
            Some(Action::Help) if matches!(self, Popup::Help(_)) => return PopupKey::Close,
            Some(Action::Unreadable) if matches!(self, Popup::Unreadable(_)) => {
                return PopupKey::Close
            }
            Some(Action::Help) => return PopupKey::Show(Popup::Help(0)),
            Some(Action::Copy) if matches!(self, Popup::Unreadable(_)) => return PopupKey::Copy,
            Some(a) => crate::tui::state::cursor::list_step(a, page).unwrap_or(0),
            None => 0,
        };
        PopupKey::Show(match self {
            // The help scrolls by lines, never past its last page.
            Popup::Help(s) => {
                let last = len.saturating_sub(page.max(1));
                Popup::Help((s as isize).saturating_add(step).clamp(0, last as isize) as usize)
            }
            Popup::Unreadable(mut c) => {
                c.step(step, len, page);
                Popup::Unreadable(c)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_scroll_clamp_and_close() {
        let p = Popup::unreadable();
        let at = |sel, offset| PopupKey::Show(Popup::Unreadable(Cursor { sel, offset }));
        assert_eq!(p.key(Some(Action::Down), false, 5, 3), at(1, 0));
        assert_eq!(p.key(Some(Action::Bottom), false, 5, 3), at(2, 0));
        assert_eq!(p.key(Some(Action::Bottom), false, 2, 9), at(8, 7));
        assert_eq!(p.key(Some(Action::Copy), false, 5, 3), PopupKey::Copy);
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

    #[test]
    fn help_bottom_shows_the_last_full_page() {
        // 65 lines, 20 on screen: G puts lines 46..=65 on screen, not one line.
        let h = Popup::Help(0);
        assert_eq!(
            h.key(Some(Action::Bottom), false, 20, 65),
            PopupKey::Show(Popup::Help(45))
        );
        assert_eq!(
            Popup::Help(45).key(Some(Action::Down), false, 20, 65),
            PopupKey::Show(Popup::Help(45))
        );
        assert_eq!(
            Popup::Help(45).key(Some(Action::PageUp), false, 20, 65),
            PopupKey::Show(Popup::Help(25))
        );
        // Everything fits: nothing to scroll.
        assert_eq!(
            h.key(Some(Action::Bottom), false, 80, 65),
            PopupKey::Show(Popup::Help(0))
        );
    }
}
