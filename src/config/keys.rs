//! Key bindings as data: the actions a user can ask for, the contexts a
//! binding applies in, keys as the configuration spells them, and the
//! default (context, key) → action table with the `[keys]` overrides of the
//! configuration applied. Names only: no terminal types. The TUI matches
//! terminal events against this map and describes it in its help
//! (`tui::keymap`).

use std::fmt;

/// Everything a user can ask for. State changes only through these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    Help,
    Up,
    Down,
    Left,
    Right,
    Top,
    Bottom,
    PageUp,
    PageDown,
    NextPane,
    PrevPane,
    Enter,
    Back,
    Filter,
    NextMatch,
    PrevMatch,
    PrevSnapshot,
    NextSnapshot,
    Rescan,
    Freeze,
    Unreadable,
    SortDrift,
    TabTests,
    TabDrift,
    TabMetrics,
    TabRaw,
    FoldLess,
    FoldMore,
    ScrollLeft,
    ScrollRight,
    Trends,
    TestHistory,
    DriftHistory,
    Dashboards,
    NowPanel,
    Mark,
    Compare,
    Copy,
    CopyId,
    CycleWindow,
    PickSeries,
    RemoveSeries,
}

impl Action {
    /// Every action, in help order.
    pub const ALL: [Action; 43] = [
        Action::Up,
        Action::Down,
        Action::Left,
        Action::Right,
        Action::Top,
        Action::Bottom,
        Action::PageUp,
        Action::PageDown,
        Action::NextPane,
        Action::PrevPane,
        Action::Enter,
        Action::Back,
        Action::Filter,
        Action::NextMatch,
        Action::PrevMatch,
        Action::PrevSnapshot,
        Action::NextSnapshot,
        Action::TabTests,
        Action::TabDrift,
        Action::TabMetrics,
        Action::TabRaw,
        Action::SortDrift,
        Action::FoldLess,
        Action::FoldMore,
        Action::ScrollLeft,
        Action::ScrollRight,
        Action::Freeze,
        Action::Rescan,
        Action::Unreadable,
        Action::Help,
        Action::Quit,
        Action::NowPanel,
        Action::Trends,
        Action::TestHistory,
        Action::DriftHistory,
        Action::Dashboards,
        Action::Mark,
        Action::Compare,
        Action::Copy,
        Action::CopyId,
        Action::CycleWindow,
        Action::PickSeries,
        Action::RemoveSeries,
    ];

    /// The snake_case name (for a future config file).
    pub fn name(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "help",
            Action::Up => "up",
            Action::Down => "down",
            Action::Left => "left",
            Action::Right => "right",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::PageUp => "page_up",
            Action::PageDown => "page_down",
            Action::NextPane => "next_pane",
            Action::PrevPane => "prev_pane",
            Action::Enter => "enter",
            Action::Back => "back",
            Action::Filter => "filter",
            Action::NextMatch => "next_match",
            Action::PrevMatch => "prev_match",
            Action::PrevSnapshot => "prev_snapshot",
            Action::NextSnapshot => "next_snapshot",
            Action::Rescan => "rescan",
            Action::Freeze => "freeze",
            Action::Unreadable => "unreadable",
            Action::SortDrift => "sort",
            Action::TabTests => "tab_tests",
            Action::TabDrift => "tab_drift",
            Action::TabMetrics => "tab_metrics",
            Action::TabRaw => "tab_raw",
            Action::FoldLess => "fold",
            Action::FoldMore => "unfold",
            Action::ScrollLeft => "scroll_left",
            Action::ScrollRight => "scroll_right",
            Action::Trends => "trends",
            Action::TestHistory => "test_history",
            Action::DriftHistory => "drift_history",
            Action::Dashboards => "dashboards",
            Action::NowPanel => "now",
            Action::Mark => "mark",
            Action::Compare => "compare",
            Action::Copy => "copy",
            Action::CopyId => "copy_id",
            Action::CycleWindow => "time_window",
            Action::PickSeries => "pick_series",
            Action::RemoveSeries => "remove_series",
        }
    }

    /// The action with this snake_case name (as in the configuration file).
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == name)
    }
}

/// Where a binding applies. Lookups try the specific context first, then Global.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    Global,
    /// Projects and snapshots panes.
    Browse,
    /// Snapshot detail (all tabs).
    Detail,
    /// Snapshot detail, Raw tab.
    Raw,
    /// The Now panel (failing projects) on the browse screen.
    Now,
    /// Trend chart.
    Trend,
    /// Test history matrix.
    TestHistory,
    /// Drift history.
    DriftHistory,
    /// Configured dashboard.
    Dashboard,
    /// Comparison of two snapshots.
    Compare,
}

/// A key as the configuration names it (no terminal types here).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyCode {
    Char(char),
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    Tab,
    BackTab,
    Enter,
    Esc,
    Backspace,
    Delete,
    Insert,
    F(u8),
}

/// Modifier keys held with a key (a small bit set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct KeyModifiers(u8);

impl KeyModifiers {
    pub const NONE: KeyModifiers = KeyModifiers(0);
    pub const SHIFT: KeyModifiers = KeyModifiers(1);
    pub const CONTROL: KeyModifiers = KeyModifiers(2);
    pub const ALT: KeyModifiers = KeyModifiers(4);

    /// True when every modifier of `other` is held.
    pub fn contains(self, other: KeyModifiers) -> bool {
        self.0 & other.0 == other.0
    }

    /// Drop the modifiers of `other`.
    pub fn remove(&mut self, other: KeyModifiers) {
        self.0 &= !other.0;
    }
}

impl std::ops::BitOr for KeyModifiers {
    type Output = KeyModifiers;
    fn bitor(self, rhs: KeyModifiers) -> KeyModifiers {
        KeyModifiers(self.0 | rhs.0)
    }
}

impl std::ops::BitOrAssign for KeyModifiers {
    fn bitor_assign(&mut self, rhs: KeyModifiers) {
        self.0 |= rhs.0;
    }
}

/// A key with its modifiers, normalised (Shift dropped from characters and Shift-Tab).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    /// A plain key.
    pub const fn plain(code: KeyCode) -> Key {
        Key {
            code,
            mods: KeyModifiers::NONE,
        }
    }

    /// A character key.
    pub const fn ch(c: char) -> Key {
        Key::plain(KeyCode::Char(c))
    }

    /// Ctrl + a character.
    pub const fn ctrl(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            mods: KeyModifiers::CONTROL,
        }
    }
}

impl std::str::FromStr for Key {
    type Err = String;

    /// Parse a key as the help shows it: `q`, `G`, `Ctrl-c`, `Alt-x`, `Enter`,
    /// `Esc`, `Tab`, `Shift-Tab`, `Space`, `Backspace`, `Up`/`↑`, `PgUp`,
    /// `Home`, `F5`... Modifier and key names ignore case; a single character
    /// is taken as typed.
    fn from_str(s: &str) -> Result<Key, String> {
        let bad = || format!("unknown key {:?}", crate::text::sanitize::clean(s));
        let mut mods = KeyModifiers::NONE;
        let mut rest = s;
        loop {
            let lower = rest.to_ascii_lowercase();
            let skip = ["ctrl-", "ctrl+", "c-"]
                .iter()
                .find(|p| lower.starts_with(*p) && rest.len() > p.len())
                .map(|p| (p.len(), KeyModifiers::CONTROL))
                .or_else(|| {
                    ["alt-", "alt+", "m-"]
                        .iter()
                        .find(|p| lower.starts_with(*p) && rest.len() > p.len())
                        .map(|p| (p.len(), KeyModifiers::ALT))
                });
            match skip {
                Some((n, m)) => {
                    mods |= m;
                    rest = &rest[n..];
                }
                None => break,
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => match c {
                '↑' => KeyCode::Up,
                '↓' => KeyCode::Down,
                '←' => KeyCode::Left,
                '→' => KeyCode::Right,
                c if c.is_control() => return Err(bad()),
                c if mods.contains(KeyModifiers::CONTROL) => KeyCode::Char(c.to_ascii_lowercase()),
                c => KeyCode::Char(c),
            },
            (None, _) => return Err(bad()),
            _ => match rest.to_ascii_lowercase().as_str() {
                "space" => KeyCode::Char(' '),
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "pgup" | "pageup" => KeyCode::PageUp,
                "pgdn" | "pgdown" | "pagedown" => KeyCode::PageDown,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "tab" => KeyCode::Tab,
                "shift-tab" | "shift+tab" | "backtab" => KeyCode::BackTab,
                "enter" | "return" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "backspace" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                "insert" | "ins" => KeyCode::Insert,
                f if f.starts_with('f') => match f[1..].parse::<u8>() {
                    Ok(n @ 1..=12) => KeyCode::F(n),
                    _ => return Err(bad()),
                },
                _ => return Err(bad()),
            },
        };
        Ok(Key { code, mods })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("Ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("Alt-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Backspace => f.write_str("Backspace"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// One binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding {
    pub context: Context,
    pub key: Key,
    pub action: Action,
}

/// The live key map.
#[derive(Debug, Clone)]
pub struct KeyMap {
    bindings: Vec<Binding>,
}

impl Default for KeyMap {
    fn default() -> Self {
        use Action as A;
        use Context::*;
        use KeyCode as K;
        let table: &[(Context, Key, Action)] = &[
            (Global, Key::ch('q'), A::Quit),
            (Global, Key::ctrl('c'), A::Quit),
            (Global, Key::ch('?'), A::Help),
            (Global, Key::ch('k'), A::Up),
            (Global, Key::plain(K::Up), A::Up),
            (Global, Key::ch('j'), A::Down),
            (Global, Key::plain(K::Down), A::Down),
            (Global, Key::ch('h'), A::Left),
            (Global, Key::plain(K::Left), A::Left),
            (Global, Key::ch('l'), A::Right),
            (Global, Key::plain(K::Right), A::Right),
            (Global, Key::ch('g'), A::Top),
            (Global, Key::plain(K::Home), A::Top),
            (Global, Key::ch('G'), A::Bottom),
            (Global, Key::plain(K::End), A::Bottom),
            (Global, Key::plain(K::PageUp), A::PageUp),
            (Global, Key::ctrl('u'), A::PageUp),
            (Global, Key::plain(K::PageDown), A::PageDown),
            (Global, Key::ctrl('d'), A::PageDown),
            (Global, Key::plain(K::Tab), A::NextPane),
            (Global, Key::plain(K::BackTab), A::PrevPane),
            (Global, Key::plain(K::Enter), A::Enter),
            (Global, Key::plain(K::Esc), A::Back),
            (Global, Key::ch('/'), A::Filter),
            (Global, Key::ch('n'), A::NextMatch),
            (Global, Key::ch('N'), A::PrevMatch),
            (Global, Key::ch('['), A::PrevSnapshot),
            (Global, Key::ch(']'), A::NextSnapshot),
            (Global, Key::ch('f'), A::Freeze),
            (Global, Key::ch('r'), A::Rescan),
            (Global, Key::ch('u'), A::Unreadable),
            (Global, Key::ch('!'), A::Unreadable),
            (Detail, Key::ch('1'), A::TabTests),
            (Detail, Key::ch('2'), A::TabDrift),
            (Detail, Key::ch('3'), A::TabMetrics),
            (Detail, Key::ch('4'), A::TabRaw),
            (Detail, Key::ch('s'), A::SortDrift),
            (Raw, Key::ch('-'), A::FoldLess),
            (Raw, Key::ch('+'), A::FoldMore),
            (Raw, Key::ch('='), A::FoldMore),
            (Raw, Key::ch('<'), A::ScrollLeft),
            (Raw, Key::ch('>'), A::ScrollRight),
            (Global, Key::ch('T'), A::Trends),
            (Global, Key::ch('H'), A::TestHistory),
            (Global, Key::ch('D'), A::DriftHistory),
            (Global, Key::ch('B'), A::Dashboards),
            (Global, Key::ch('m'), A::Mark),
            (Global, Key::ch('c'), A::Compare),
            (Global, Key::ch('y'), A::Copy),
            (Global, Key::ch('Y'), A::CopyId),
            (Browse, Key::ch('0'), A::NowPanel),
            (Now, Key::ch('0'), A::NowPanel),
            (Trend, Key::ch('t'), A::CycleWindow),
            (Trend, Key::ch('a'), A::PickSeries),
            (Trend, Key::ch('/'), A::PickSeries),
            (Trend, Key::ch('x'), A::RemoveSeries),
            (TestHistory, Key::ch('t'), A::CycleWindow),
            (DriftHistory, Key::ch('s'), A::SortDrift),
            (Compare, Key::ch('s'), A::SortDrift),
        ];
        KeyMap {
            bindings: table
                .iter()
                .map(|&(context, key, action)| Binding {
                    context,
                    key,
                    action,
                })
                .collect(),
        }
    }
}

impl KeyMap {
    /// Rebind actions by name: each `(action name, keys)` replaces that
    /// action's keys in every context where it is bound by default; all other
    /// actions keep theirs (a key taken over is removed from its old action in
    /// that context). Returns one warning per unknown action, unparsable key or
    /// action left without any key; nothing here fails.
    pub fn apply_overrides(&mut self, overrides: &[(String, Vec<String>)]) -> Vec<String> {
        let mut warnings = Vec::new();
        for (name, keys) in overrides {
            let Some(action) = Action::from_name(name) else {
                warnings.push(format!(
                    "keys: unknown action {:?} (see the help, ?)",
                    crate::text::sanitize::clean(name)
                ));
                continue;
            };
            let mut parsed = Vec::new();
            for k in keys {
                match k.parse::<Key>() {
                    Ok(key) => parsed.push(key),
                    Err(e) => warnings.push(format!("keys.{name}: {e}")),
                }
            }
            if parsed.is_empty() {
                if keys.is_empty() {
                    warnings.push(format!("keys.{name}: no keys given, default kept"));
                }
                continue;
            }
            let mut contexts: Vec<Context> = Vec::new();
            for b in &self.bindings {
                if b.action == action && !contexts.contains(&b.context) {
                    contexts.push(b.context);
                }
            }
            self.bindings.retain(|b| {
                !(b.action == action || contexts.contains(&b.context) && parsed.contains(&b.key))
            });
            for ctx in contexts {
                for key in &parsed {
                    self.bindings.push(Binding {
                        context: ctx,
                        key: *key,
                        action,
                    });
                }
            }
        }
        for a in Action::ALL {
            if !self.bindings.iter().any(|b| b.action == a) {
                warnings.push(format!("keys: {} has no key any more", a.name()));
            }
        }
        warnings
    }

    /// All bindings, in definition order.
    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// The action for a key in a chain of contexts (most specific first); Global is tried last.
    pub fn lookup(&self, contexts: &[Context], key: Key) -> Option<Action> {
        contexts
            .iter()
            .chain(std::iter::once(&Context::Global))
            .find_map(|ctx| {
                self.bindings
                    .iter()
                    .find(|b| b.context == *ctx && b.key == key)
                    .map(|b| b.action)
            })
    }

    /// The keys bound to an action in a context, in definition order.
    pub fn keys_for(&self, context: Context, action: Action) -> Vec<Key> {
        self.bindings
            .iter()
            .filter(|b| b.context == context && b.action == action)
            .map(|b| b.key)
            .collect()
    }

    /// The first key for an action in a context chain (for hints).
    pub fn first_key(&self, contexts: &[Context], action: Action) -> Option<Key> {
        contexts
            .iter()
            .chain(std::iter::once(&Context::Global))
            .find_map(|ctx| self.keys_for(*ctx, action).into_iter().next())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_as_the_help_prints_them() {
        let km = KeyMap::default();
        for b in km.bindings() {
            let shown = b.key.to_string();
            assert_eq!(shown.parse::<Key>(), Ok(b.key), "{shown}");
        }
        assert_eq!("ctrl+X".parse::<Key>(), Ok(Key::ctrl('x')));
        assert_eq!("PageDown".parse::<Key>(), Ok(Key::plain(KeyCode::PageDown)));
        assert_eq!("F5".parse::<Key>(), Ok(Key::plain(KeyCode::F(5))));
        assert!("".parse::<Key>().is_err());
        assert!("F13".parse::<Key>().is_err());
        assert!("hyper-q".parse::<Key>().is_err());
        assert!("\u{1b}".parse::<Key>().is_err(), "a raw control character");
    }

    #[test]
    fn overrides_replace_only_the_named_actions() {
        let mut km = KeyMap::default();
        let w = km.apply_overrides(&[
            ("quit".into(), vec!["x".into()]),
            // `s` is sort in Detail; giving it to tab_tests takes it from sort there.
            ("tab_tests".into(), vec!["s".into(), "F1".into()]),
            ("frobnicate".into(), vec!["z".into()]),
            ("help".into(), vec!["Hyper-h".into()]),
        ]);
        let b = [Context::Browse];
        assert_eq!(km.lookup(&b, Key::ch('x')), Some(Action::Quit));
        assert_eq!(km.lookup(&b, Key::ch('q')), None, "q no longer quits");
        assert_eq!(km.lookup(&b, Key::ctrl('c')), None);
        let d = [Context::Detail];
        assert_eq!(km.lookup(&d, Key::ch('s')), Some(Action::TabTests));
        assert_eq!(
            km.lookup(&d, Key::plain(KeyCode::F(1))),
            Some(Action::TabTests)
        );
        assert_eq!(km.lookup(&d, Key::ch('1')), None);
        // Untouched actions keep their defaults, in every context.
        assert_eq!(km.lookup(&d, Key::ch('2')), Some(Action::TabDrift));
        assert_eq!(
            km.lookup(&[Context::DriftHistory], Key::ch('s')),
            Some(Action::SortDrift)
        );
        assert_eq!(
            km.lookup(&b, Key::ch('?')),
            Some(Action::Help),
            "bad key: default kept"
        );
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[0].contains("frobnicate"), "{w:?}");
        assert!(w[1].contains("Hyper-h"), "{w:?}");
        // An action that loses its last key is reported.
        let w = km.apply_overrides(&[("copy".into(), vec!["?".into()])]);
        assert_eq!(w, ["keys: help has no key any more"]);
    }

    #[test]
    fn no_key_bound_twice_in_one_context() {
        let km = KeyMap::default();
        for (i, a) in km.bindings().iter().enumerate() {
            for b in &km.bindings()[i + 1..] {
                assert!(
                    !(a.context == b.context && a.key == b.key),
                    "{} bound twice",
                    a.key
                );
            }
        }
    }
}
