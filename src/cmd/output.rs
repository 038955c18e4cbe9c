//! Output: the shapes every command writes. Aligned text tables, pretty
//! JSON, CSV fields, and the time, count and number forms shared by the text
//! views. Callers sanitize untrusted strings before they reach a table.

use std::borrow::Cow;
use std::io::{self, Write};
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use crate::cmd::error::Result;
use crate::model::TestCounts;
use crate::parse::TimeZoneChoice;
use crate::text::width::{pad, pad_left, truncate, ELLIPSIS};

/// `value` as pretty JSON and a newline.
pub(crate) fn write_json<T: Serialize>(out: &mut dyn Write, value: &T) -> Result<()> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(io::Error::from)?;
    writeln!(out)?;
    Ok(())
}

/// RFC 3339 in the chosen zone, with its offset.
pub(crate) fn rfc3339(t: DateTime<Utc>, tz: TimeZoneChoice) -> String {
    tz.to_fixed(t).to_rfc3339()
}

/// The value when finite: JSON has no NaN or infinity, so those are null.
pub(crate) fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}

/// A path as JSON text (lossy on non-UTF-8 names).
pub(crate) fn path_string(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// Something of PATH that could not be read, in JSON: where and why.
#[derive(Debug, Clone, Serialize)]
pub struct ProblemJson {
    pub path: String,
    pub reason: String,
}

/// `YYYY-MM-DD HH:MM` in the chosen zone, for text tables.
pub(crate) fn short_time(t: DateTime<Utc>, tz: TimeZoneChoice) -> String {
    tz.to_fixed(t).format("%Y-%m-%d %H:%M").to_string()
}

/// Test counts as text, worst first: `2 fail, 1 warn, 15 ok`; `-` when none ran.
pub fn counts_text(c: &TestCounts) -> String {
    let parts: Vec<String> = [
        (c.fail, "fail"),
        (c.error, "error"),
        (c.warning, "warn"),
        (c.success, "ok"),
        (c.skipped, "skip"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, l)| format!("{n} {l}"))
    .collect();
    if parts.is_empty() {
        "-".into()
    } else {
        parts.join(", ")
    }
}

/// One CSV field per RFC 4180: quoted (inner quotes doubled) when it holds a
/// comma, quote, CR or LF.
pub fn csv_field(s: &str) -> Cow<'_, str> {
    if s.contains([',', '"', '\r', '\n']) {
        Cow::Owned(format!("\"{}\"", s.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(s)
    }
}

/// A minimal aligned text table (display-width aware). Rows may carry
/// full-width note lines printed right after them.
pub(crate) struct Table {
    headers: Vec<String>,
    right: Vec<usize>,
    rows: Vec<(Vec<String>, Vec<String>)>,
}

impl Table {
    /// A table with these column headers, all left-aligned.
    pub(crate) fn new(headers: &[&str]) -> Table {
        Table {
            headers: headers.iter().map(|h| h.to_string()).collect(),
            right: Vec::new(),
            rows: Vec::new(),
        }
    }

    /// Right-align these columns (numbers).
    pub(crate) fn right(&mut self, cols: &[usize]) {
        self.right.extend_from_slice(cols);
    }

    /// Add a row, one cell per header.
    pub(crate) fn row(&mut self, cells: Vec<String>) {
        self.rows.push((cells, Vec::new()));
    }

    /// A full-width line printed under the last row.
    pub(crate) fn note(&mut self, line: String) {
        if let Some((_, notes)) = self.rows.last_mut() {
            notes.push(line);
        }
    }

    /// The header, then each row and its notes, trailing spaces trimmed.
    pub(crate) fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        let n = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.width()).collect();
        for (cells, _) in &self.rows {
            for (i, c) in cells.iter().enumerate().take(n) {
                widths[i] = widths[i].max(c.width());
            }
        }
        let line = |cells: &[String]| {
            let mut s = String::new();
            for (i, c) in cells.iter().enumerate().take(n) {
                let last = i + 1 == n;
                if self.right.contains(&i) {
                    s.push_str(&pad_left(c, widths[i], ELLIPSIS));
                } else if last {
                    s.push_str(c);
                } else {
                    s.push_str(&pad(c, widths[i], ELLIPSIS));
                }
                if !last {
                    s.push_str("  ");
                }
            }
            s.trim_end().to_string()
        };
        writeln!(out, "{}", line(&self.headers))?;
        for (cells, notes) in &self.rows {
            writeln!(out, "{}", line(cells))?;
            for note in notes {
                writeln!(out, "{note}")?;
            }
        }
        Ok(())
    }
}

/// The text of `compare` fits this many columns; `tests` and `check` take
/// theirs from [`text_width`] (this when a terminal's width is unknown).
pub(crate) const WIDTH: usize = 80;

/// How wide the text of `tests` and `check` may be: `--width N` when given
/// (0: no limit); else, when stdout is a terminal, `COLUMNS` or the
/// terminal's width ([`WIDTH`] when neither is known); else no limit, so
/// piped output is never cut. `None` is no limit.
pub(crate) fn text_width(flag: Option<usize>) -> Option<usize> {
    use std::io::IsTerminal;
    let terminal = io::stdout().is_terminal();
    let columns = std::env::var("COLUMNS").ok();
    let size = || {
        crossterm::terminal::size()
            .ok()
            .map(|(w, _)| usize::from(w))
    };
    width_from(flag, terminal, columns.as_deref(), size)
}

/// [`text_width`] from its inputs (a pure function, for tests).
fn width_from(
    flag: Option<usize>,
    terminal: bool,
    columns: Option<&str>,
    size: impl FnOnce() -> Option<usize>,
) -> Option<usize> {
    let w = match flag {
        Some(0) => return None,
        Some(w) => w,
        None if !terminal => return None,
        None => columns
            .and_then(|c| c.trim().parse::<usize>().ok())
            .filter(|w| *w > 0)
            .or_else(size)
            .filter(|w| *w > 0)
            .unwrap_or(WIDTH),
    };
    // Below this no line reads anyway; the name keeps a few columns.
    Some(w.max(MIN_TEXT_WIDTH))
}

/// The narrowest width [`text_width`] gives.
pub(crate) const MIN_TEXT_WIDTH: usize = 40;

/// `name` followed by `keep` within `room` columns: the name is cut (to no
/// less than `min_name` columns), `keep` never is. No limit when `room` is
/// `None`.
pub(crate) fn name_then(name: &str, keep: &str, room: Option<usize>, min_name: usize) -> String {
    match room {
        Some(r) => {
            let name_room = r.saturating_sub(keep.width()).max(min_name);
            format!("{}{keep}", truncate(name, name_room, ELLIPSIS))
        }
        None => format!("{name}{keep}"),
    }
}

/// A test's label split into what may be cut and what may not: Evidently
/// 0.7 names hold the condition after the last `: ` (`Mean value of 'x':
/// Equal 0.5 ± 0.1`), kept whole; otherwise the condition in brackets when
/// `bracket` asks for it (`Mean Value (age) [gt 40]`). Sanitized.
pub(crate) fn label_parts(label: &str, condition: Option<&str>, bracket: bool) -> (String, String) {
    let label = crate::text::sanitize::clean(label);
    match (condition, label.rsplit_once(": ")) {
        (Some(_), Some((head, tail))) if !head.is_empty() && !tail.is_empty() => {
            (head.to_string(), format!(": {tail}"))
        }
        (Some(c), _) if bracket => (
            label.into_owned(),
            format!(" [{}]", crate::text::sanitize::clean(c)),
        ),
        _ => (label.into_owned(), String::new()),
    }
}

/// Items joined by `, ` within `room` columns; when some do not fit, the
/// rest are counted instead: `a, b and 23 more`. At least one item is shown
/// (cut when it alone passes the room).
pub(crate) fn join_fit(items: &[String], room: Option<usize>) -> String {
    let Some(room) = room else {
        return items.join(", ");
    };
    let all = items.join(", ");
    if all.width() <= room {
        return all;
    }
    for shown in (1..items.len()).rev() {
        let s = format!(
            "{} and {} more",
            items[..shown].join(", "),
            items.len() - shown
        );
        if s.width() <= room || shown == 1 {
            if s.width() <= room {
                return s;
            }
            let tail = format!(" and {} more", items.len() - 1);
            return name_then(&items[0], &tail, Some(room), 8);
        }
    }
    truncate(&all, room, ELLIPSIS)
}

/// Split text into lines of at most `first` columns, then `rest` columns,
/// at spaces; a word longer than a line stays whole (nothing is cut). One
/// line when `first` is `None`.
pub(crate) fn wrap(text: &str, first: Option<usize>, rest: usize) -> Vec<String> {
    let Some(first) = first else {
        return vec![text.to_string()];
    };
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let room = if lines.is_empty() { first } else { rest };
        if !line.is_empty() && line.width() + 1 + word.width() > room {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::num::fmt_num;

    #[test]
    fn numbers_and_counts_read_well() {
        assert_eq!(fmt_num(3.0), "3");
        assert_eq!(fmt_num(0.16666666), "0.1667");
        assert_eq!(fmt_num(0.05), "0.05");
        assert_eq!(fmt_num(0.00001234), "1.234e-5");
        assert_eq!(fmt_num(-2.5), "-2.5");
        assert_eq!(fmt_num(f64::NAN), "null");
        let mut c = TestCounts::default();
        assert_eq!(counts_text(&c), "-");
        c.success = 15;
        c.fail = 2;
        c.warning = 3;
        assert_eq!(counts_text(&c), "2 fail, 3 warn, 15 ok");
    }

    #[test]
    fn csv_fields_are_quoted_per_rfc_4180() {
        assert_eq!(csv_field("plain-id"), "plain-id");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn width_comes_from_the_flag_the_terminal_or_nowhere() {
        let none = || None;
        // Piped: never cut, whatever COLUMNS says, unless --width is given.
        assert_eq!(width_from(None, false, Some("50"), none), None);
        assert_eq!(width_from(Some(100), false, None, none), Some(100));
        assert_eq!(width_from(Some(0), true, Some("50"), none), None);
        // A terminal: COLUMNS, then its size, then 80.
        assert_eq!(width_from(None, true, Some("120"), || Some(90)), Some(120));
        assert_eq!(width_from(None, true, Some("junk"), || Some(90)), Some(90));
        assert_eq!(width_from(None, true, None, none), Some(WIDTH));
        assert_eq!(width_from(Some(5), false, None, none), Some(MIN_TEXT_WIDTH));
    }

    #[test]
    fn names_are_cut_before_what_follows_them() {
        assert_eq!(
            name_then("Mean Value (age)", " [gt 40]", Some(16), 4),
            // 8 columns of name (the ellipsis one of them), 8 of condition.
            "Mean Va… [gt 40]"
        );
        assert_eq!(name_then("Mean", " [gt 40]", None, 4), "Mean [gt 40]");
        let parts = |l, c, b| label_parts(l, c, b);
        assert_eq!(
            parts("Mean value of 'x': Equal 0.5", Some("eq 0.5"), false),
            ("Mean value of 'x'".to_string(), ": Equal 0.5".to_string())
        );
        assert_eq!(
            parts("Missing label", Some("gte 0.9 for label 2"), true),
            (
                "Missing label".to_string(),
                " [gte 0.9 for label 2]".to_string()
            )
        );
        assert_eq!(
            parts("Mean Value (age)", Some("gt 40"), false),
            ("Mean Value (age)".to_string(), String::new())
        );
        assert_eq!(
            parts("Mean: x", None, true),
            ("Mean: x".to_string(), String::new())
        );
        let items: Vec<String> = ["alpha", "beta", "gamma", "delta"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(join_fit(&items, None), "alpha, beta, gamma, delta");
        assert_eq!(join_fit(&items, Some(40)), "alpha, beta, gamma, delta");
        // 4 items do not fit in 24; 2 and a count do (11 + 11 columns).
        assert_eq!(join_fit(&items, Some(24)), "alpha, beta and 2 more");
        assert_eq!(join_fit(&items, Some(16)), "alpha and 3 more");
        assert_eq!(wrap("a bb ccc", Some(4), 4), ["a bb", "ccc"]);
        assert_eq!(wrap("a bb ccc", None, 4), ["a bb ccc"]);
    }

    #[test]
    fn table_aligns_columns() {
        let mut t = Table::new(&["A", "NUM", "C"]);
        t.right(&[1]);
        t.row(vec!["xx".into(), "5".into(), "last".into()]);
        t.row(vec!["y".into(), "123".into(), "".into()]);
        let mut buf = Vec::new();
        t.write(&mut buf).unwrap();
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            "A   NUM  C\nxx    5  last\ny   123\n"
        );
    }
}
