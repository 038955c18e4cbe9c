//! The compare view: what changed from run A (before) to run B (after).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::model::{Snapshot, TestStatus};
use crate::text::sanitize::clean;
use crate::tui::app::App;
use crate::tui::fmt;
use crate::tui::state::compare::{CompareRow, CompareSection};
use crate::tui::theme::Theme;
use crate::tui::ui::layout;
use crate::tui::ui::widgets::put;
use crate::tui::ui::widgets::scroll_list;
use crate::tui::ui::widgets::{counts_spans, pane_block};

fn status_spans(th: &Theme, s: Option<TestStatus>) -> Span<'static> {
    match s {
        Some(s) => Span::styled(
            format!("{} {:<7}", th.status_symbol(s), s.as_str()),
            th.status(s),
        ),
        None => Span::styled(format!("{:<9}", "· not run"), th.dim()),
    }
}

fn drift_label(d: Option<bool>, s: &Snapshot, column: &str) -> &'static str {
    match d {
        Some(true) => "drifted",
        Some(false) => "not drifted",
        None if s.drift.iter().any(|r| &*r.column == column) => "unknown",
        None => "not measured",
    }
}

fn side(app: &App, label: &str, role: Option<&str>, s: &Snapshot, w: usize) -> Line<'static> {
    let th = &app.cfg.theme;
    let mut spans = vec![
        Span::styled(format!("{label} "), th.key()),
        Span::styled(
            role.map(|r| format!("{r:<15}")).unwrap_or_default(),
            th.dim(),
        ),
        Span::styled(
            fmt::time(app.cfg.tz, s.timestamp, "%Y-%m-%d %H:%M"),
            th.text().add_modifier(Modifier::BOLD),
        ),
        Span::raw(" "),
    ];
    spans.extend(counts_spans(th, s, Style::default()));
    let used: usize = spans.iter().map(|s| fmt::width(&s.content)).sum();
    let name = s
        .name
        .as_deref()
        .filter(|n| !n.is_empty())
        .map(|n| format!("{} ", clean(n)))
        .unwrap_or_default();
    spans.push(Span::styled(
        fmt::truncate(
            &format!("{name}{}", clean(&s.id)),
            w.saturating_sub(used),
            th.ellipsis(),
        ),
        th.dim(),
    ));
    Line::from(spans)
}

/// Draw the compare view.
pub fn render(main: Rect, buf: &mut Buffer, app: &App) {
    let th = &app.cfg.theme;
    let ell = th.ellipsis();
    let Some(c) = &app.compare else { return };
    let pname = crate::tui::ui::widgets::project_name(app, &c.project_id);
    let arrow = th.arrow();
    // The project name gives way to how the pair was chosen.
    let room = (main.width as usize).saturating_sub(4);
    let fixed = format!(" Compare {arrow}  · {} ", c.how);
    let name = fmt::truncate(&pname, room.saturating_sub(fmt::width(&fixed)).max(8), ell);
    let title = format!(" Compare {arrow} {name} · {} ", c.how);
    pane_block(
        Line::styled(fmt::truncate(&title, room, ell), th.header()),
        true,
        th,
    )
    .render(main, buf);
    let v = layout::compare(main);
    let w = v.rows.width as usize;
    let roles = c.rule.map(|r| r.roles());
    put(buf, v.head, 0, side(app, "A", roles.map(|r| r.0), &c.a, w));
    put(buf, v.head, 1, side(app, "B", roles.map(|r| r.1), &c.b, w));
    let to = if th.ascii { "->" } else { "→" };
    let rows = c.rows();
    // indent, a, " →", b, delta, relative
    let key_w = w.saturating_sub(2 + 12 + 2 + 12 + 13 + 9);
    scroll_list(
        buf,
        v.rows,
        rows.iter(),
        c.cursor.offset,
        Some(c.cursor.sel),
        |_, row, selected| {
            let base = if selected {
                th.selected()
            } else {
                Style::default()
            };
            match *row {
                CompareRow::Heading(s, n) => {
                    let extra = match s {
                        CompareSection::Moved if c.by_abs => ", largest absolute change first (s)",
                        CompareSection::Moved => ", largest relative change first (s)",
                        _ => "",
                    };
                    Line::from(Span::styled(
                        fmt::truncate(&format!("{} ({n}){extra}", s.title()), w, ell),
                        th.header().patch(base),
                    ))
                }
                CompareRow::Nothing => Line::styled("  nothing differs", th.dim().patch(base)),
                CompareRow::Blank => Line::default(),
                CompareRow::Flip(j) => {
                    let Some(f) = c.cmp.flipped.get(j) else {
                        return Line::default();
                    };
                    let mut spans = vec![Span::styled("  ", base)];
                    spans.push(status_spans(th, f.from).patch_style(base));
                    spans.push(Span::styled(format!(" {to} "), base));
                    spans.push(status_spans(th, f.to).patch_style(base));
                    spans.push(Span::styled(" ", base));
                    let used: usize = spans.iter().map(|s| fmt::width(&s.content)).sum();
                    // Same name, other configuration: the condition tells them apart.
                    let twin = c.cmp.flipped.iter().filter(|g| g.test == f.test).count() > 1;
                    let changed = f.condition_changed.as_ref().map(|cc| {
                        format!(
                            "  [condition changed: {} {to} {}]",
                            clean(cc.from.as_deref().unwrap_or("?")),
                            clean(cc.to.as_deref().unwrap_or("?"))
                        )
                    });
                    let cond = changed
                        .or_else(|| {
                            twin.then(|| {
                                let s = if f.to.is_some() { &c.b } else { &c.a };
                                crate::tui::state::compare::test_condition(s, &f.identity)
                            })
                            .flatten()
                            .map(|c| format!("  [{}]", clean(c)))
                        })
                        .unwrap_or_default();
                    spans.push(Span::styled(
                        fmt::pad(
                            &format!("{}{cond}", clean(&f.test)),
                            w.saturating_sub(used),
                            ell,
                        ),
                        base,
                    ));
                    Line::from(spans)
                }
                CompareRow::Move(j) => {
                    let Some(m) = c.cmp.moved.get(j) else {
                        return Line::default();
                    };
                    let rel = m
                        .relative
                        .map(|r| format!("{:+.1}%", r * 100.0))
                        .unwrap_or_else(|| "new≠0".into());
                    Line::from(vec![
                        Span::styled("  ", base),
                        Span::styled(fmt::pad(&clean(&m.series), key_w, ell), base),
                        Span::styled(fmt::pad_left(&fmt::num(m.a), 12, ell), th.dim().patch(base)),
                        Span::styled(format!(" {}", if th.ascii { ">" } else { "→" }), base),
                        Span::styled(fmt::pad_left(&fmt::num(m.b), 12, ell), base),
                        Span::styled(fmt::pad_left(&Delta(m.delta).to_string(), 13, ell), base),
                        Span::styled(
                            fmt::pad_left(&rel, 9, ell),
                            th.text().add_modifier(Modifier::BOLD).patch(base),
                        ),
                    ])
                }
                CompareRow::Drift(j) => {
                    let Some(d) = c.cmp.drift_changed.get(j) else {
                        return Line::default();
                    };
                    let what = match (d.a, d.b) {
                        (_, Some(true)) => "newly drifted",
                        (Some(true), _) => "stopped drifting",
                        _ => "changed",
                    };
                    Line::from(vec![
                        Span::styled("  ", base),
                        Span::styled(th.drift_symbol(d.a), th.drift(d.a).patch(base)),
                        Span::styled(format!(" {to} "), base),
                        Span::styled(th.drift_symbol(d.b), th.drift(d.b).patch(base)),
                        Span::styled(" ", base),
                        Span::styled(
                            fmt::pad(
                                &format!(
                                    "{}  ({what}: {} {to} {})",
                                    clean(&d.column),
                                    drift_label(d.a, &c.a, &d.column),
                                    drift_label(d.b, &c.b, &d.column)
                                ),
                                w.saturating_sub(8),
                                ell,
                            ),
                            base,
                        ),
                    ])
                }
                CompareRow::Meta(j) => {
                    let Some(m) = c.cmp.tags_metadata.get(j) else {
                        return Line::default();
                    };
                    let text = format!(
                        "  {} {}: {} {to} {}",
                        m.kind,
                        clean(&m.key),
                        clean(m.a.as_deref().unwrap_or("absent")),
                        clean(m.b.as_deref().unwrap_or("absent"))
                    );
                    Line::styled(fmt::pad(&text, w, ell), base)
                }
            }
        },
    );
    let foot = format!(
        "Enter on a test opens it{sep}s moved order{sep}y copies the row{sep}m marks a run, c compares",
        sep = th.sep()
    );
    put(
        buf,
        v.foot,
        0,
        Line::styled(fmt::truncate(&foot, w, ell), th.dim()),
    );
}

/// A change formatted like [`fmt::num`] but always signed.
struct Delta(f64);

impl std::fmt::Display for Delta {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = fmt::num(self.0);
        if self.0 > 0.0 {
            write!(f, "+{s}")
        } else {
            f.write_str(&s)
        }
    }
}
