//! Colours and symbols. The default theme uses only the 16 ANSI colours so
//! it follows the user's palette; the monochrome theme (NO_COLOR) carries
//! meaning by symbols, bold and reverse only. Symbols have ASCII fallbacks.

use ratatui::style::{Color, Modifier, Style};

use crate::model::TestStatus;

/// Which palette to draw with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThemeKind {
    /// 16 ANSI colours (follows the terminal's palette).
    #[default]
    Default,
    /// No colours at all: bold / reverse / symbols.
    Mono,
}

impl ThemeKind {
    /// `Mono` when `NO_COLOR` is set and non-empty, else `Default`.
    pub fn from_env() -> ThemeKind {
        match std::env::var_os("NO_COLOR") {
            Some(v) if !v.is_empty() => ThemeKind::Mono,
            _ => ThemeKind::Default,
        }
    }
}

/// The styles and glyphs every view draws with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub kind: ThemeKind,
    /// Use ASCII glyphs instead of ✓ ✗ ▁▂▃ and friends.
    pub ascii: bool,
}

const SPARK_UNICODE: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
const SPARK_ASCII: [char; 8] = ['_', '.', ',', '-', '=', '+', '*', '#'];

impl Theme {
    /// A theme of this kind.
    pub fn new(kind: ThemeKind, ascii: bool) -> Theme {
        Theme { kind, ascii }
    }

    fn mono(&self) -> bool {
        self.kind == ThemeKind::Mono
    }

    fn fg(&self, c: Color) -> Style {
        if self.mono() {
            Style::default()
        } else {
            Style::default().fg(c)
        }
    }

    /// Plain text.
    pub fn text(&self) -> Style {
        Style::default()
    }

    /// Secondary text (ages, ids, units).
    pub fn dim(&self) -> Style {
        if self.mono() {
            Style::default()
        } else {
            Style::default().fg(Color::DarkGray)
        }
    }

    /// Column headers and group headers.
    pub fn header(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// The selected row of a focused list.
    pub fn selected(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }

    /// The selected row of an unfocused list.
    pub fn selected_unfocused(&self) -> Style {
        if self.mono() {
            Style::default().add_modifier(Modifier::UNDERLINED)
        } else {
            Style::default().bg(Color::DarkGray).fg(Color::White)
        }
    }

    /// Border of the focused pane.
    pub fn border_focused(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// Border of other panes.
    pub fn border(&self) -> Style {
        self.dim()
    }

    /// Status bars.
    pub fn bar(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }

    /// Key names in the hint bar and help.
    pub fn key(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    /// Marker for snapshots that arrived while the UI was open.
    pub fn new_marker(&self) -> Style {
        self.fg(Color::Magenta).add_modifier(Modifier::BOLD)
    }

    /// Warnings in the status bar (frozen, unreadable files, dead index).
    pub fn alert(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    /// Matches of the current filter.
    pub fn matched(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::UNDERLINED)
    }

    /// Style for a test status.
    pub fn status(&self, s: TestStatus) -> Style {
        match s {
            TestStatus::Fail => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            TestStatus::Error => self.fg(Color::Blue).add_modifier(Modifier::BOLD),
            TestStatus::Warning => self.fg(Color::Yellow),
            TestStatus::Success => self.fg(Color::Green),
            TestStatus::Skipped => self.fg(Color::Magenta),
        }
    }

    /// Style for a drifted / not drifted flag.
    pub fn drift(&self, drifted: Option<bool>) -> Style {
        match drifted {
            Some(true) => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            Some(false) => self.fg(Color::Green),
            None => self.dim(),
        }
    }

    /// One-cell symbol for a test status.
    pub fn status_symbol(&self, s: TestStatus) -> &'static str {
        match (s, self.ascii) {
            (TestStatus::Success, false) => "✓",
            (TestStatus::Success, true) => "+",
            (TestStatus::Fail, false) => "✗",
            (TestStatus::Fail, true) => "x",
            (TestStatus::Warning, _) => "!",
            (TestStatus::Error, _) => "E",
            (TestStatus::Skipped, _) => "-",
        }
    }

    /// Symbol for "this column drifted" (same glyph as a failure) / "did not".
    pub fn drift_symbol(&self, drifted: Option<bool>) -> &'static str {
        match drifted {
            Some(true) => self.status_symbol(TestStatus::Fail),
            Some(false) => self.status_symbol(TestStatus::Success),
            None => "?",
        }
    }

    /// Marker for the snapshot marked for compare.
    pub fn mark_symbol(&self) -> &'static str {
        if self.ascii {
            "M"
        } else {
            "◆"
        }
    }

    /// Marker for new snapshots.
    pub fn new_symbol(&self) -> &'static str {
        if self.ascii {
            "*"
        } else {
            "●"
        }
    }

    /// One sparkline cell for a level in 0.0..=1.0 (clamped).
    pub fn spark(&self, level: f64) -> char {
        let set = if self.ascii {
            &SPARK_ASCII
        } else {
            &SPARK_UNICODE
        };
        let l = if level.is_finite() {
            level.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let i = (l * 7.0).round() as usize;
        set[i.min(7)]
    }

    /// Separator used in bars.
    pub fn sep(&self) -> &'static str {
        if self.ascii {
            " | "
        } else {
            " │ "
        }
    }

    /// Ellipsis for truncated text.
    pub fn ellipsis(&self) -> &'static str {
        if self.ascii {
            "~"
        } else {
            "…"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mono_has_no_colours() {
        let t = Theme::new(ThemeKind::Mono, false);
        for s in [
            TestStatus::Fail,
            TestStatus::Error,
            TestStatus::Warning,
            TestStatus::Success,
            TestStatus::Skipped,
        ] {
            assert_eq!(t.status(s).fg, None);
        }
        assert_eq!(t.dim().fg, None);
        assert_eq!(t.drift(Some(true)).fg, None);
        assert!(t
            .status(TestStatus::Fail)
            .add_modifier
            .contains(Modifier::BOLD));
    }

    #[test]
    fn symbols_differ_by_status_and_fallback() {
        let u = Theme::new(ThemeKind::Default, false);
        let a = Theme::new(ThemeKind::Default, true);
        assert_eq!(u.status_symbol(TestStatus::Fail), "✗");
        assert_eq!(a.status_symbol(TestStatus::Fail), "x");
        assert!(a.status_symbol(TestStatus::Success).is_ascii());
        assert_eq!(u.spark(0.0), '▁');
        assert_eq!(u.spark(1.0), '█');
        assert_eq!(u.spark(f64::NAN), '▁');
        assert!(a.spark(0.5).is_ascii());
    }
}
