//! Theme names as data: which palette the configuration asks for. The TUI
//! turns a [`ThemeKind`] into its styles (`tui::theme::Theme`).

/// Which palette to draw with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThemeKind {
    /// 16 ANSI colours (follows the terminal's palette).
    #[default]
    Default,
    /// No colours at all: bold / reverse / symbols.
    Mono,
    /// 16 ANSI colours chosen for light backgrounds (no yellow or cyan text).
    Light,
    /// Fixed 24-bit colours (for terminals with a palette that fights the default).
    TrueColor,
}

impl ThemeKind {
    /// Every kind, with its configuration name.
    pub const NAMES: [(&'static str, ThemeKind); 4] = [
        ("default", ThemeKind::Default),
        ("light", ThemeKind::Light),
        ("monochrome", ThemeKind::Mono),
        ("truecolor", ThemeKind::TrueColor),
    ];

    /// The configuration name (`default`, `light`, `monochrome`, `truecolor`).
    pub fn name(self) -> &'static str {
        match self {
            ThemeKind::Default => "default",
            ThemeKind::Light => "light",
            ThemeKind::Mono => "monochrome",
            ThemeKind::TrueColor => "truecolor",
        }
    }

    /// Parse a configuration name (`mono` is accepted for `monochrome`).
    pub fn from_name(s: &str) -> Option<ThemeKind> {
        let s = s.trim().to_ascii_lowercase();
        if s == "mono" {
            return Some(ThemeKind::Mono);
        }
        ThemeKind::NAMES
            .iter()
            .find(|(n, _)| *n == s)
            .map(|(_, k)| *k)
    }

    /// `Mono` when `NO_COLOR` is set and non-empty, else `Default`.
    pub fn from_env() -> ThemeKind {
        match std::env::var_os("NO_COLOR") {
            Some(v) if !v.is_empty() => ThemeKind::Mono,
            _ => ThemeKind::Default,
        }
    }
}
