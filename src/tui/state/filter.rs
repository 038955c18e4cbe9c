//! Filters: which list a filter applies to, the filter being typed (and
//! what a key does to it), and the term matching the pickers and history
//! filters use.

use std::collections::HashMap;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The active filter text of each list (absent when none).
pub type Filters = HashMap<FilterTarget, String>;

/// A list's filter text, lowercased ("" when none).
pub fn filter_lc(filters: &Filters, t: FilterTarget) -> String {
    filters
        .get(&t)
        .map(|f| f.to_lowercase())
        .unwrap_or_default()
}

/// Which list a filter applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FilterTarget {
    Projects,
    Snapshots,
    Tests,
    Drift,
    Metrics,
    Raw,
    TestHistory,
    DriftHistory,
}

impl FilterTarget {
    /// What the filter matches, for the input prompt.
    pub fn prompt(self) -> &'static str {
        match self {
            FilterTarget::Projects => "filter projects (name)",
            FilterTarget::Snapshots => "filter snapshots (time, name, tag, metadata)",
            FilterTarget::Tests => "filter tests",
            FilterTarget::Drift => "filter drift rows",
            FilterTarget::Metrics => "filter metrics (key)",
            FilterTarget::Raw => "search raw JSON",
            FilterTarget::TestHistory => "filter tests (name, column, type)",
            FilterTarget::DriftHistory => "filter columns",
        }
    }
}

/// The filter being typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub target: FilterTarget,
    pub text: String,
    /// The filter before editing began (restored on Esc).
    pub previous: String,
}

/// What a key does to the filter being typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputKey {
    /// Ctrl-C: leave the explorer.
    Quit,
    /// Still typing: apply this text live.
    Edited(String),
    /// Enter (this text) or Esc (the previous text): apply it and stop typing.
    Done(String),
}

impl Input {
    /// A key while typing.
    pub fn key(&mut self, k: KeyEvent) -> InputKey {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        match k.code {
            KeyCode::Char('c') if ctrl => return InputKey::Quit,
            KeyCode::Char('u') if ctrl => self.text.clear(),
            KeyCode::Char('w') if ctrl => {
                let t = self.text.trim_end();
                let cut = t.rfind(' ').map(|i| i + 1).unwrap_or(0);
                self.text.truncate(cut);
            }
            KeyCode::Char(c) if !ctrl => self.text.push(c),
            KeyCode::Backspace => {
                self.text.pop();
            }
            KeyCode::Enter => return InputKey::Done(self.text.clone()),
            KeyCode::Esc => return InputKey::Done(self.previous.clone()),
            _ => {}
        }
        InputKey::Edited(self.text.clone())
    }
}

/// True when every space-separated term of `filter` occurs in `key` (any case).
pub fn picker_matches(key: &str, filter_lc: &str) -> bool {
    let k = key.to_lowercase();
    filter_lc.split_whitespace().all(|t| k.contains(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn typing_edits_and_finishes() {
        let mut i = Input {
            target: FilterTarget::Tests,
            text: "old".into(),
            previous: "old".into(),
        };
        assert_eq!(
            i.key(key(KeyCode::Char(' '), KeyModifiers::NONE)),
            InputKey::Edited("old ".into())
        );
        i.key(key(KeyCode::Char('x'), KeyModifiers::NONE));
        assert_eq!(
            i.key(key(KeyCode::Char('w'), KeyModifiers::CONTROL)),
            InputKey::Edited("old ".into())
        );
        assert_eq!(
            i.key(key(KeyCode::Enter, KeyModifiers::NONE)),
            InputKey::Done("old ".into())
        );
        assert_eq!(
            i.key(key(KeyCode::Esc, KeyModifiers::NONE)),
            InputKey::Done("old".into())
        );
        assert_eq!(
            i.key(key(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            InputKey::Quit
        );
    }

    #[test]
    fn picker_terms_all_match() {
        assert!(picker_matches("ValueDrift{column=bmi}.value", "drift bmi"));
        assert!(!picker_matches("ValueDrift{column=bmi}.value", "drift age"));
        assert!(picker_matches("anything", ""));
    }
}
