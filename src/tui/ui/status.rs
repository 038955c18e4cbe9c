//! The top status bar (path, scan progress, pending / unreadable counts,
//! watch mode, zone, freeze) and the bottom hint bar (keys, filter input, messages).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::tui::app::{App, Screen, Tab};
use crate::tui::fmt;
use crate::tui::keymap::{Action, ActionText, ContextText};
use crate::tui::ui::widgets::put;

/// Rank of a status segment that always stays.
const KEEP: u8 = u8::MAX;

/// Draw the status bar.
pub fn status_bar(r: Rect, buf: &mut Buffer, app: &App) {
    let th = &app.cfg.theme;
    let bar = th.bar();
    buf.set_style(r, bar);
    // (text, style, rank): the lowest rank gives up its room first; the
    // freeze and a stopped index never do.
    let mut right: Vec<(String, Style, u8)> = Vec::new();
    if let Some(q) = &app.frozen {
        right.push((
            format!("FROZEN ({} queued, f)", q.len()),
            bar.patch(th.alert()),
            KEEP,
        ));
    }
    // A one-shot scan ends its channel on purpose; a live index should not.
    if !app.index_alive && (!app.scan.finished || app.watch_mode != "off") {
        right.push(("index stopped".into(), bar.patch(th.alert()), KEEP));
    }
    if !app.scan.finished {
        let s = if app.scan.total > 0 {
            format!("scanning {}/{}", app.scan.done, app.scan.total)
        } else {
            "scanning…".into()
        };
        right.push((s, bar.patch(th.alert()), 5));
    } else {
        right.push((
            format!("{} snapshots", app.catalog.snapshot_count()),
            bar,
            0,
        ));
    }
    if !app.pending.is_empty() {
        right.push((format!("{} pending", app.pending.len()), bar, 3));
    }
    let bad = app.unreadable_count();
    if bad > 0 {
        right.push((format!("{bad} unreadable (u)"), bar.patch(th.alert()), 4));
    }
    // A bucket that cannot be reached is news, not a note: it stays in view.
    let unreachable = app
        .watcher_message
        .as_deref()
        .filter(|m| m.starts_with(crate::index::REMOTE_UNREACHABLE));
    if let Some(m) = unreachable {
        right.push((
            crate::text::sanitize::clean(m).into_owned(),
            bar.patch(th.alert()),
            KEEP,
        ));
    }
    let watch = format!(
        "watch: {}",
        fmt::truncate(
            &crate::text::sanitize::clean(&app.watch_mode),
            12,
            th.ellipsis()
        )
    );
    let watch_index = right.len();
    right.push((watch.clone(), bar, 2));
    right.push((format!("tz {}", app.cfg.tz), bar, 1));

    let sep = th.sep();
    let w = r.width as usize;
    let title = " snapscope ";
    // The watcher's note is the first thing to give up when space is short.
    if let Some(m) = app
        .watcher_message
        .as_ref()
        .filter(|_| unreachable.is_none())
    {
        let mut with_note = right.clone();
        with_note[watch_index].0 = format!(
            "{watch} ({})",
            fmt::truncate(&crate::text::sanitize::clean(m), 28, th.ellipsis())
        );
        let needed: usize = with_note
            .iter()
            .map(|(s, _, _)| fmt::width(s) + fmt::width(sep))
            .sum::<usize>()
            + 1;
        if fmt::width(title) + 24 + needed <= w {
            right = with_note;
        }
    }
    // Drop segments from the left end of the right side until the path gets
    // some room, keeping the ones that must stay visible (freeze) to the last.
    let right_w = |segs: &[(String, Style, u8)]| -> usize {
        segs.iter()
            .map(|(s, _, _)| fmt::width(s) + fmt::width(sep))
            .sum::<usize>()
            + 1
    };
    while fmt::width(title) + 12 + right_w(&right) > w {
        let lowest = right
            .iter()
            .enumerate()
            .filter(|(_, seg)| seg.2 < KEEP)
            .min_by_key(|(_, seg)| seg.2)
            .map(|(i, _)| i);
        match lowest {
            Some(i) => {
                right.remove(i);
            }
            None => break,
        }
    }
    let segs = &right[..];
    let path_w = w
        .saturating_sub(fmt::width(title))
        .saturating_sub(right_w(segs));
    let path = fmt::pad(
        &fmt::truncate_left(&app.cfg.root_label, path_w, th.ellipsis()),
        path_w,
        th.ellipsis(),
    );
    let mut spans = vec![
        Span::styled(
            title,
            bar.patch(Style::default().add_modifier(ratatui::style::Modifier::BOLD)),
        ),
        Span::styled(path, bar),
    ];
    for (s, st, _) in segs {
        spans.push(Span::styled(sep, bar));
        spans.push(Span::styled(s.clone(), *st));
    }
    spans.push(Span::styled(" ", bar));
    put(buf, r, 0, Line::from(spans));
}

/// The actions worth a hint in the current context, most relevant first
/// (the key map's list for the context; the detail screen's by tab).
fn hint_actions(app: &App) -> Vec<Action> {
    match app.screen {
        Screen::Detail => {
            let mut v = vec![Action::NextPane, Action::PrevSnapshot, Action::NextSnapshot];
            match app.detail.tab {
                Tab::Drift => v.push(Action::SortDrift),
                Tab::Raw => {
                    v.push(Action::FoldLess);
                    v.push(Action::FoldMore);
                }
                _ => {}
            }
            v.extend([Action::Filter, Action::Back, Action::Help, Action::Quit]);
            v
        }
        _ => app
            .contexts()
            .first()
            .map(|c| c.hints().to_vec())
            .unwrap_or_default(),
    }
}

/// Draw the hint bar (or the filter being typed, or a transient message).
pub fn hint_bar(r: Rect, buf: &mut Buffer, app: &App) {
    let th = &app.cfg.theme;
    let w = r.width as usize;
    if let Some(input) = &app.input {
        let text = crate::text::sanitize::clean(&input.text);
        let head = format!("{}: ", input.target.prompt());
        let tail = "  (Enter keep, Esc cancel)";
        let room = w.saturating_sub(fmt::width(&head) + 1);
        let shown = fmt::truncate_left(&text, room, th.ellipsis());
        let line = Line::from(vec![
            Span::styled(head, th.key()),
            Span::raw(shown),
            Span::styled("█", th.text()),
            Span::styled(tail, th.dim()),
        ]);
        put(buf, r, 0, line);
        return;
    }
    // The series picker takes every printable key as search text, so `?`
    // and `q` type there: its own keys instead.
    if app.screen == Screen::Trend && app.trend.as_ref().is_some_and(|t| t.picker.is_some()) {
        let line = Line::from(vec![
            Span::styled("type", th.key()),
            Span::raw(" search  "),
            Span::styled("Enter", th.key()),
            Span::raw(" add/remove  "),
            Span::styled("Esc", th.key()),
            Span::raw(" close  "),
            Span::styled("Ctrl-C", th.key()),
            Span::raw(" quit"),
        ]);
        put(buf, r, 0, line);
        return;
    }
    let ctx = app.contexts();
    // `? help` and `q quit` end the bar at any width: the other hints and
    // a message give up their room first.
    let hint = |a: Action| -> Option<(String, &'static str)> {
        let k = app.cfg.keymap.first_key(&ctx, a)?;
        let label = ctx.first().map_or(a.hint(), |c| c.hint_label(a));
        Some((k.to_string(), label))
    };
    let cost = |(k, l): &(String, &str)| fmt::width(k) + 1 + fmt::width(l) + 2;
    let tail: Vec<(String, &'static str)> = [Action::Help, Action::Quit]
        .into_iter()
        .filter_map(hint)
        .collect();
    let tail_w: usize = tail.iter().map(cost).sum();
    let room = w.saturating_sub(tail_w);
    let mut spans = Vec::new();
    let mut used = 0usize;
    let message = app
        .message
        .as_ref()
        .map(|(m, _)| m.as_str())
        .or(app.notice.as_deref());
    if let Some(m) = message {
        let text = fmt::truncate(
            &crate::text::sanitize::clean(m),
            room.saturating_sub(2),
            th.ellipsis(),
        );
        used = fmt::width(&text) + 2;
        spans.push(Span::styled(text, th.alert()));
        spans.push(Span::raw("  "));
    } else {
        for a in hint_actions(app) {
            if matches!(a, Action::Help | Action::Quit) {
                continue;
            }
            let Some(h) = hint(a) else {
                continue;
            };
            let c = cost(&h);
            if used + c > room {
                break;
            }
            spans.push(Span::styled(h.0, th.key()));
            spans.push(Span::styled(format!(" {}  ", h.1), th.dim()));
            used += c;
        }
    }
    // The tail is drawn at the right end when a message shows, after the
    // hints otherwise.
    if message.is_some() {
        spans.push(Span::raw(" ".repeat(room.saturating_sub(used))));
    }
    for (k, l) in tail {
        spans.push(Span::styled(k, th.key()));
        spans.push(Span::styled(format!(" {l}  "), th.dim()));
    }
    put(buf, r, 0, Line::from(spans));
}
