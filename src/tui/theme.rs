//! Colours and symbols. The default theme uses only the 16 ANSI colours so
//! it follows the user's palette; `light` swaps the colours that read badly
//! on a light background; `truecolor` uses fixed RGB colours; the monochrome
//! theme (NO_COLOR) carries meaning by symbols, bold and reverse only.
//! Symbols have ASCII fallbacks.

use ratatui::style::{Color, Modifier, Style};

use crate::model::TestStatus;

pub use crate::config::theme::ThemeKind;

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

    /// The colour this theme draws for one of the 16 base colours.
    pub fn color(&self, c: Color) -> Color {
        match self.kind {
            ThemeKind::Default | ThemeKind::Mono => c,
            ThemeKind::Light => match c {
                Color::Cyan => Color::Blue,
                Color::Yellow => Color::Magenta,
                Color::White => Color::Black,
                Color::DarkGray => Color::DarkGray,
                other => other,
            },
            ThemeKind::TrueColor => match c {
                Color::Red => Color::Rgb(235, 87, 87),
                Color::Green => Color::Rgb(87, 200, 120),
                Color::Yellow => Color::Rgb(235, 190, 80),
                Color::Blue => Color::Rgb(100, 145, 245),
                Color::Magenta => Color::Rgb(200, 120, 225),
                Color::Cyan => Color::Rgb(90, 195, 225),
                Color::DarkGray => Color::Rgb(125, 125, 135),
                Color::White => Color::Rgb(235, 235, 235),
                other => other,
            },
        }
    }

    fn fg(&self, c: Color) -> Style {
        if self.mono() {
            Style::default()
        } else {
            Style::default().fg(self.color(c))
        }
    }

    /// Plain text.
    pub fn text(&self) -> Style {
        Style::default()
    }

    /// Secondary text (ages, ids, units).
    pub fn dim(&self) -> Style {
        self.fg(Color::DarkGray)
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
        match self.kind {
            ThemeKind::Mono => Style::default().add_modifier(Modifier::UNDERLINED),
            ThemeKind::Light => Style::default().bg(Color::Gray).fg(Color::Black),
            _ => Style::default()
                .bg(self.color(Color::DarkGray))
                .fg(self.color(Color::White)),
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
    /// Separator in breadcrumb titles: `›`, or `>` in ASCII mode.
    pub fn arrow(&self) -> &'static str {
        if self.ascii {
            ">"
        } else {
            "›"
        }
    }

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
    fn theme_names_round_trip_and_palettes_differ() {
        for (name, kind) in ThemeKind::NAMES {
            assert_eq!(ThemeKind::from_name(name), Some(kind));
            assert_eq!(kind.name(), name);
        }
        assert_eq!(ThemeKind::from_name("Mono"), Some(ThemeKind::Mono));
        assert_eq!(ThemeKind::from_name("solarized"), None);
        let fail = |k| Theme::new(k, false).status(TestStatus::Fail).fg;
        assert_eq!(fail(ThemeKind::Default), Some(Color::Red));
        assert!(matches!(fail(ThemeKind::TrueColor), Some(Color::Rgb(..))));
        // Light never draws yellow or cyan text (unreadable on white).
        let light = Theme::new(ThemeKind::Light, false);
        for st in [
            light.key(),
            light.header(),
            light.alert(),
            light.status(TestStatus::Warning),
        ] {
            assert!(
                !matches!(st.fg, Some(Color::Yellow | Color::Cyan)),
                "{st:?}"
            );
        }
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
