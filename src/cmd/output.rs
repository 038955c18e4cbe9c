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
use crate::text::width::{pad, pad_left, ELLIPSIS};

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

/// The text of `tests`, `check` and `compare` fits this many columns.
pub(crate) const WIDTH: usize = 80;

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
