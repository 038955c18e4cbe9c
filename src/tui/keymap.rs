//! The live key map as the TUI uses it: terminal key events are matched
//! against the bindings (`config::keys`, defaults plus the configuration's
//! overrides), and the help overlay and hint bar are generated from the same
//! map, so they never disagree with it. A new screen adds its context and
//! bindings in `config::keys` and its words here.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub use crate::config::keys::{Action, Binding, Context, Key, KeyMap};
use crate::config::keys::{KeyCode as Code, KeyModifiers as Mods};

/// How an action is described to the user.
pub trait ActionText {
    /// One-line description for the help overlay.
    fn description(self) -> &'static str;
    /// Short label for the hint bar.
    fn hint(self) -> &'static str;
}

impl ActionText for Action {
    fn description(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "show / hide this help",
            Action::Up => "move up",
            Action::Down => "move down",
            Action::Left => "left pane / previous tab",
            Action::Right => "right pane / next tab",
            Action::Top => "go to top",
            Action::Bottom => "go to bottom",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::NextPane => "next pane / tab",
            Action::PrevPane => "previous pane / tab",
            Action::Enter => "open (drill in)",
            Action::Back => "back / clear filter / close",
            Action::Filter => "filter the focused list",
            Action::NextMatch => "next match",
            Action::PrevMatch => "previous match",
            Action::PrevSnapshot => "older snapshot (keeps the tab)",
            Action::NextSnapshot => "newer snapshot (keeps the tab)",
            Action::Rescan => "rescan the folder now",
            Action::Freeze => "freeze / resume live updates",
            Action::Unreadable => "list unreadable and pending files",
            Action::SortDrift => "cycle sort order",
            Action::TabTests => "Tests tab",
            Action::TabDrift => "Drift tab",
            Action::TabMetrics => "Metrics tab",
            Action::TabRaw => "Raw tab",
            Action::FoldLess => "raw: fold one level more",
            Action::FoldMore => "raw: unfold one level",
            Action::ScrollLeft => "raw: scroll left",
            Action::ScrollRight => "raw: scroll right",
            Action::Trends => "trends of the project's series (chart)",
            Action::TestHistory => "test history of the project (matrix)",
            Action::DriftHistory => "drift history of the project's columns",
            Action::Dashboards => "the project's configured dashboard",
            Action::NowPanel => "focus / expand the Now panel (failing now)",
            Action::Mark => "mark / unmark the snapshot for compare",
            Action::Compare => "compare marked vs selected, else the failure's onset",
            Action::Copy => "copy path / row as text (OSC 52, clipboard tool)",
            Action::CopyId => "copy the snapshot id",
            Action::CycleWindow => "time window: all, 90d, 30d, 7d, 24h",
            Action::PickSeries => "pick series (add / remove, up to 4)",
            Action::RemoveSeries => "remove the active series",
        }
    }

    fn hint(self) -> &'static str {
        match self {
            Action::Enter => "open",
            Action::Back => "back",
            Action::Filter => "filter",
            Action::NextPane => "pane/tab",
            Action::Freeze => "freeze",
            Action::Help => "help",
            Action::Quit => "quit",
            Action::Right => "tab",
            Action::PrevSnapshot => "older",
            Action::NextSnapshot => "newer",
            Action::SortDrift => "sort",
            Action::FoldLess => "fold",
            Action::FoldMore => "unfold",
            Action::Unreadable => "unreadable",
            Action::Trends => "trends",
            Action::TestHistory => "tests",
            Action::DriftHistory => "drift",
            Action::Dashboards => "dashboard",
            Action::NowPanel => "now",
            Action::Compare => "compare",
            Action::CycleWindow => "window",
            Action::PickSeries => "series",
            Action::RemoveSeries => "remove",
            Action::Left => "left",
            other => other.name(),
        }
    }
}

/// How a context is named in the help.
pub trait ContextText {
    /// Heading in the help overlay.
    fn title(self) -> &'static str;
    /// The actions worth a hint in this context, most relevant first (the
    /// detail screen's depend on its tab and are chosen by the hint bar).
    fn hints(self) -> &'static [Action];
    /// The hint-bar label of an action in this context.
    fn hint_label(self, a: Action) -> &'static str;
}

impl ContextText for Context {
    fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::Browse => "Projects and snapshots",
            Context::Detail => "Snapshot detail",
            Context::Raw => "Raw tab",
            Context::Now => "Now panel",
            Context::Trend => "Trends",
            Context::TestHistory => "Test history",
            Context::DriftHistory => "Drift history",
            Context::Dashboard => "Dashboard",
            Context::Compare => "Compare",
        }
    }

    fn hints(self) -> &'static [Action] {
        use Action as A;
        match self {
            Context::Now => &[
                A::Enter,
                A::NowPanel,
                A::Compare,
                A::Copy,
                A::Back,
                A::Help,
                A::Quit,
            ],
            Context::Trend => &[
                A::Left,
                A::Right,
                A::Down,
                A::Enter,
                A::PickSeries,
                A::CycleWindow,
                A::RemoveSeries,
                A::Back,
                A::Help,
            ],
            Context::TestHistory => &[
                A::Enter,
                A::CycleWindow,
                A::Filter,
                A::Copy,
                A::Back,
                A::Help,
                A::Quit,
            ],
            Context::DriftHistory => &[
                A::Enter,
                A::SortDrift,
                A::Filter,
                A::Copy,
                A::Back,
                A::Help,
                A::Quit,
            ],
            Context::Dashboard => &[A::NextPane, A::Down, A::Back, A::Help, A::Quit],
            Context::Compare => &[
                A::Enter,
                A::Compare,
                A::SortDrift,
                A::Copy,
                A::Back,
                A::Help,
                A::Quit,
            ],
            Context::Browse => &[
                A::Enter,
                A::NextPane,
                A::Filter,
                A::NowPanel,
                A::Trends,
                A::TestHistory,
                A::DriftHistory,
                A::Compare,
                A::Help,
                A::Quit,
            ],
            Context::Global | Context::Detail | Context::Raw => &[],
        }
    }

    fn hint_label(self, a: Action) -> &'static str {
        match (self, a) {
            (Context::Trend, Action::Left) => "older point",
            (Context::Trend, Action::Right) => "newer",
            (Context::Trend, Action::Down) => "next series",
            (Context::Dashboard, Action::NextPane) => "tab",
            (Context::Dashboard, Action::Down) => "scroll",
            (Context::Compare, Action::Compare) => "other pair",
            _ => a.hint(),
        }
    }
}

/// The normalised key of a terminal key event (Shift dropped from characters
/// and Shift-Tab); `None` for keys no binding can name.
pub fn key_of(ev: &KeyEvent) -> Option<Key> {
    let mut mods = Mods::NONE;
    if ev.modifiers.contains(KeyModifiers::CONTROL) {
        mods |= Mods::CONTROL;
    }
    if ev.modifiers.contains(KeyModifiers::ALT) {
        mods |= Mods::ALT;
    }
    if ev.modifiers.contains(KeyModifiers::SHIFT) {
        mods |= Mods::SHIFT;
    }
    let code = match ev.code {
        KeyCode::Char(c) => {
            mods.remove(Mods::SHIFT);
            if mods.contains(Mods::CONTROL) {
                Code::Char(c.to_ascii_lowercase())
            } else {
                Code::Char(c)
            }
        }
        KeyCode::BackTab => {
            mods.remove(Mods::SHIFT);
            Code::BackTab
        }
        KeyCode::Up => Code::Up,
        KeyCode::Down => Code::Down,
        KeyCode::Left => Code::Left,
        KeyCode::Right => Code::Right,
        KeyCode::PageUp => Code::PageUp,
        KeyCode::PageDown => Code::PageDown,
        KeyCode::Home => Code::Home,
        KeyCode::End => Code::End,
        KeyCode::Tab => Code::Tab,
        KeyCode::Enter => Code::Enter,
        KeyCode::Esc => Code::Esc,
        KeyCode::Backspace => Code::Backspace,
        KeyCode::Delete => Code::Delete,
        KeyCode::Insert => Code::Insert,
        KeyCode::F(n) => Code::F(n),
        _ => return None,
    };
    Some(Key { code, mods })
}

/// Contexts in the order the help lists them.
const HELP_ORDER: [Context; 10] = [
    Context::Global,
    Context::Browse,
    Context::Now,
    Context::Detail,
    Context::Raw,
    Context::Trend,
    Context::TestHistory,
    Context::DriftHistory,
    Context::Dashboard,
    Context::Compare,
];

/// Help sections: (context, [(keys joined, description)]) for every bound
/// action; a context also lists the keys bound elsewhere that mean
/// something else in it (the trend's `h` / `l` step through points).
pub fn help_sections(km: &KeyMap) -> Vec<(Context, Vec<(String, &'static str)>)> {
    let joined = |keys: Vec<Key>| {
        let k: Vec<String> = keys.iter().map(Key::to_string).collect();
        k.join(", ")
    };
    let mut out = Vec::new();
    for ctx in HELP_ORDER {
        let mut rows: Vec<(String, &'static str)> = Action::ALL
            .iter()
            .filter_map(|a| {
                let keys = km.keys_for(ctx, *a);
                (!keys.is_empty()).then(|| (joined(keys), a.description()))
            })
            .collect();
        if ctx != Context::Global {
            for a in Action::ALL {
                let label = ctx.hint_label(a);
                let keys = km.keys_for(Context::Global, a);
                if label != a.hint() && km.keys_for(ctx, a).is_empty() && !keys.is_empty() {
                    rows.push((joined(keys), label));
                }
            }
        }
        if !rows.is_empty() {
            out.push((ctx, rows));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyEventKind;

    fn ev(code: KeyCode, mods: KeyModifiers) -> Key {
        key_of(&KeyEvent {
            code,
            modifiers: mods,
            kind: KeyEventKind::Press,
            state: ratatui::crossterm::event::KeyEventState::NONE,
        })
        .expect("a key")
    }

    #[test]
    fn table_of_defaults() {
        let km = KeyMap::default();
        let b = [Context::Browse];
        let cases = [
            (ev(KeyCode::Char('q'), KeyModifiers::NONE), Action::Quit),
            (ev(KeyCode::Char('c'), KeyModifiers::CONTROL), Action::Quit),
            (
                ev(
                    KeyCode::Char('C'),
                    KeyModifiers::CONTROL | KeyModifiers::SHIFT,
                ),
                Action::Quit,
            ),
            (ev(KeyCode::Char('G'), KeyModifiers::SHIFT), Action::Bottom),
            (
                ev(KeyCode::Char('N'), KeyModifiers::SHIFT),
                Action::PrevMatch,
            ),
            (ev(KeyCode::BackTab, KeyModifiers::SHIFT), Action::PrevPane),
            (ev(KeyCode::Char('j'), KeyModifiers::NONE), Action::Down),
            (ev(KeyCode::Down, KeyModifiers::NONE), Action::Down),
            (ev(KeyCode::PageDown, KeyModifiers::NONE), Action::PageDown),
            (
                ev(KeyCode::Char('!'), KeyModifiers::SHIFT),
                Action::Unreadable,
            ),
            (
                ev(KeyCode::Char(']'), KeyModifiers::NONE),
                Action::NextSnapshot,
            ),
        ];
        for (k, a) in cases {
            assert_eq!(km.lookup(&b, k), Some(a), "{k}");
        }
        // Tab keys exist only in the detail view.
        assert_eq!(km.lookup(&b, Key::ch('2')), None);
        assert_eq!(
            km.lookup(&[Context::Detail], Key::ch('2')),
            Some(Action::TabDrift)
        );
        // Fold keys only on the Raw tab.
        assert_eq!(km.lookup(&[Context::Detail], Key::ch('-')), None);
        assert_eq!(
            km.lookup(&[Context::Raw, Context::Detail], Key::ch('-')),
            Some(Action::FoldLess)
        );
    }

    #[test]
    fn every_bound_action_is_in_help_and_every_action_is_bound() {
        let km = KeyMap::default();
        let help = help_sections(&km);
        let described: Vec<&str> = help
            .iter()
            .flat_map(|(_, rows)| rows.iter().map(|r| r.1))
            .collect();
        for a in Action::ALL {
            assert!(
                km.bindings().iter().any(|b| b.action == a),
                "{} unbound",
                a.name()
            );
            assert!(
                described.contains(&a.description()),
                "{} not in help",
                a.name()
            );
        }
    }

    #[test]
    fn every_binding_is_in_its_context_section_of_the_help() {
        // Walk the key table itself: each (context, key, action) must show
        // up as a help row of that context naming the key and the action.
        let km = KeyMap::default();
        let help = help_sections(&km);
        for b in km.bindings() {
            let key = b.key.to_string();
            let rows = help
                .iter()
                .find(|(c, _)| *c == b.context)
                .map(|(_, r)| r.as_slice())
                .unwrap_or_default();
            assert!(
                rows.iter().any(|(keys, desc)| {
                    keys.split(", ").any(|k| k == key) && *desc == b.action.description()
                }),
                "{key} ({}) missing from the help of {:?}",
                b.action.name(),
                b.context
            );
        }
        // A key that means something else in a view is listed there with that meaning.
        let trend = &help.iter().find(|(c, _)| *c == Context::Trend).unwrap().1;
        assert!(
            trend.contains(&("h, ←".to_string(), "older point")),
            "{trend:?}"
        );
    }
}
