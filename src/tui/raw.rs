//! The Raw tab's document: a snapshot file pretty-printed by a tolerant
//! byte-level formatter (works on NaN, Infinity and truncated files, never
//! builds a serde value). Runs on a loader thread; the UI only slices lines.
//! Lines are capped in length and count so nothing huge reaches the terminal.

use crate::text::sanitize;

/// Longest stored line, in bytes of source text (the rest is summarised).
pub const MAX_LINE_BYTES: usize = 2048;
/// Most lines kept for one document.
pub const MAX_LINES: usize = 400_000;
/// Scalar arrays are printed on one line when they have at least this many items.
const INLINE_ARRAY_MIN: usize = 1;

/// One pretty-printed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawLine {
    /// Nesting depth (0 = top level).
    pub depth: u16,
    /// Sanitized text, without indentation.
    pub text: String,
    /// For a line that opens a multi-line object or array: the index of its closing line.
    pub close: Option<u32>,
    /// True for a line that only closes a container (`}` / `],`).
    pub is_close: bool,
}

/// A pretty-printed snapshot file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RawDoc {
    pub lines: Vec<RawLine>,
    /// Size of the source in bytes.
    pub bytes: u64,
    /// True when [`MAX_LINES`] cut the document short.
    pub truncated: bool,
}

struct Printer {
    lines: Vec<RawLine>,
    cur: Vec<u8>,
    /// Bytes dropped from the current line because of the cap.
    dropped: usize,
    depth: u16,
    stack: Vec<usize>,
    full: bool,
}

impl Printer {
    fn push_bytes(&mut self, b: &[u8]) {
        let room = MAX_LINE_BYTES.saturating_sub(self.cur.len());
        if b.len() <= room {
            self.cur.extend_from_slice(b);
        } else {
            // Cut on a char boundary so the lossy conversion stays clean.
            let mut cut = room;
            while cut > 0 && (b[cut] & 0xC0) == 0x80 {
                cut -= 1;
            }
            self.cur.extend_from_slice(&b[..cut]);
            self.dropped += b.len() - cut;
        }
    }

    fn end_line(&mut self, is_close: bool) {
        if self.cur.is_empty() && self.dropped == 0 {
            return;
        }
        if self.lines.len() >= MAX_LINES {
            self.full = true;
            self.cur.clear();
            self.dropped = 0;
            return;
        }
        let mut text = sanitize::clean(&String::from_utf8_lossy(&self.cur)).into_owned();
        if self.dropped > 0 {
            text.push_str(&format!(" … (+{} bytes)", self.dropped));
        }
        self.lines.push(RawLine {
            depth: self.depth,
            text,
            close: None,
            is_close,
        });
        self.cur.clear();
        self.dropped = 0;
    }
}

/// Length of the JSON string starting at `b[i] == '"'` (including both quotes,
/// or to the end of input when unterminated).
fn string_len(b: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            b'"' => return j + 1 - i,
            _ => j += 1,
        }
    }
    b.len() - i
}

/// If the array opening at `b[i] == '['` holds only scalars, its end index (exclusive) and item count.
fn scalar_array(b: &[u8], i: usize) -> Option<(usize, usize)> {
    let mut j = i + 1;
    let mut items = 0usize;
    let mut in_item = false;
    while j < b.len() {
        match b[j] {
            b'"' => {
                if !in_item {
                    items += 1;
                    in_item = true;
                }
                j += string_len(b, j);
                continue;
            }
            b'{' | b'[' => return None,
            b']' => return Some((j + 1, items)),
            b',' => in_item = false,
            c if c.is_ascii_whitespace() => {}
            _ => {
                if !in_item {
                    items += 1;
                    in_item = true;
                }
            }
        }
        j += 1;
    }
    None
}

/// Pretty-print JSON(-ish) bytes. Never fails: odd input gives odd lines.
pub fn pretty(b: &[u8]) -> RawDoc {
    let mut p = Printer {
        lines: Vec::new(),
        cur: Vec::new(),
        dropped: 0,
        depth: 0,
        stack: Vec::new(),
        full: false,
    };
    let mut i = 0usize;
    while i < b.len() && !p.full {
        let c = b[i];
        match c {
            b'"' => {
                let n = string_len(b, i);
                p.push_bytes(&b[i..i + n]);
                i += n;
                continue;
            }
            b'{' | b'[' => {
                let close = if c == b'{' { b'}' } else { b']' };
                let mut k = i + 1;
                while k < b.len() && b[k].is_ascii_whitespace() {
                    k += 1;
                }
                if k < b.len() && b[k] == close {
                    p.push_bytes(&[c, close]);
                    i = k + 1;
                    continue;
                }
                if c == b'[' {
                    if let Some((end, items)) = scalar_array(b, i) {
                        if items >= INLINE_ARRAY_MIN {
                            // Re-emit the items with single spaces after commas.
                            let mut j = i;
                            while j < end {
                                match b[j] {
                                    b'"' => {
                                        let n = string_len(b, j);
                                        p.push_bytes(&b[j..j + n]);
                                        j += n;
                                        continue;
                                    }
                                    b',' => p.push_bytes(b", "),
                                    w if w.is_ascii_whitespace() => {}
                                    other => p.push_bytes(&[other]),
                                }
                                j += 1;
                            }
                            if p.dropped > 0 {
                                p.dropped = 0;
                                p.cur
                                    .extend_from_slice(format!(" … {items} items]").as_bytes());
                            }
                            i = end;
                            continue;
                        }
                    }
                }
                p.push_bytes(&[c]);
                p.end_line(false);
                p.stack.push(p.lines.len().saturating_sub(1));
                p.depth = p.depth.saturating_add(1);
            }
            b'}' | b']' => {
                p.end_line(false);
                p.depth = p.depth.saturating_sub(1);
                p.push_bytes(&[c]);
                // A trailing comma belongs on the closing line.
                let mut k = i + 1;
                while k < b.len() && b[k].is_ascii_whitespace() {
                    k += 1;
                }
                if k < b.len() && b[k] == b',' {
                    p.push_bytes(b",");
                    i = k;
                }
                p.end_line(true);
                if let Some(open) = p.stack.pop() {
                    let close_idx = p.lines.len().saturating_sub(1);
                    if let Some(l) = p.lines.get_mut(open) {
                        l.close = Some(close_idx as u32);
                    }
                }
            }
            b',' => {
                p.push_bytes(b",");
                p.end_line(false);
            }
            b':' => p.push_bytes(b": "),
            w if w.is_ascii_whitespace() => {}
            _ => {
                let start = i;
                while i < b.len()
                    && !matches!(b[i], b',' | b'}' | b']' | b':' | b'"' | b'{' | b'[')
                    && !b[i].is_ascii_whitespace()
                {
                    i += 1;
                }
                p.push_bytes(&b[start..i]);
                continue;
            }
        }
        i += 1;
    }
    p.end_line(false);
    RawDoc {
        truncated: p.full,
        lines: p.lines,
        bytes: b.len() as u64,
    }
}

impl RawDoc {
    /// Indices of the lines shown at a fold level (`None` = everything).
    /// A container opened at depth `level` is shown as one line; its content and
    /// closing line are hidden.
    pub fn visible(&self, fold: Option<u16>) -> Vec<u32> {
        let Some(level) = fold else {
            return (0..self.lines.len() as u32).collect();
        };
        self.lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.depth < level || (l.depth == level && !l.is_close))
            .map(|(i, _)| i as u32)
            .collect()
    }

    /// Deepest nesting level in the document.
    pub fn max_depth(&self) -> u16 {
        self.lines.iter().map(|l| l.depth).max().unwrap_or(0)
    }

    /// Text of a line as displayed at a fold level: a folded opener shows
    /// `{…}` with its closing text (`},` keeps the comma).
    pub fn display_text(&self, idx: u32, fold: Option<u16>) -> String {
        let Some(l) = self.lines.get(idx as usize) else {
            return String::new();
        };
        match (fold, l.close) {
            (Some(level), Some(close)) if l.depth == level => {
                let closing = self
                    .lines
                    .get(close as usize)
                    .map(|c| c.text.as_str())
                    .unwrap_or("");
                let inner = close.saturating_sub(idx).saturating_sub(1);
                format!("{} … {} lines … {}", l.text, inner, closing)
            }
            _ => l.text.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(d: &RawDoc) -> Vec<String> {
        d.lines
            .iter()
            .map(|l| format!("{}{}", "  ".repeat(l.depth as usize), l.text))
            .collect()
    }

    #[test]
    fn pretty_prints_nested_json_with_nan_and_inline_scalar_arrays() {
        let d = pretty(br#"{"a":1,"b":{"c":[1,2,NaN],"d":"x,y:{"},"e":[],"f":[{"g":-Infinity}]}"#);
        assert_eq!(
            texts(&d),
            vec![
                "{",
                "  \"a\": 1,",
                "  \"b\": {",
                "    \"c\": [1, 2, NaN],",
                "    \"d\": \"x,y:{\"",
                "  },",
                "  \"e\": [],",
                "  \"f\": [",
                "    {",
                "      \"g\": -Infinity",
                "    }",
                "  ]",
                "}",
            ]
        );
        assert_eq!(d.lines[2].close, Some(5));
        assert_eq!(d.lines[0].close, Some(12));
        assert!(!d.truncated);
    }

    #[test]
    fn folding_hides_content_and_closers() {
        let d = pretty(br#"{"a":{"b":{"c":1}},"z":2}"#);
        let v = d.visible(Some(1));
        let shown: Vec<String> = v.iter().map(|i| d.display_text(*i, Some(1))).collect();
        assert_eq!(shown, vec!["{", "\"a\": { … 3 lines … },", "\"z\": 2", "}"]);
        assert_eq!(d.visible(None).len(), d.lines.len());
    }

    #[test]
    fn huge_lines_are_capped_and_truncated_input_is_tolerated() {
        let big = format!("{{\"s\":\"{}\",\"t\":[{{\"u\":", "x".repeat(100_000));
        let d = pretty(big.as_bytes());
        assert!(d.lines.iter().all(|l| l.text.len() < MAX_LINE_BYTES + 64));
        assert!(d.lines[1].text.contains("(+"));
        assert!(d.lines.last().is_some_and(|l| l.text.starts_with("\"u\"")));
    }

    #[test]
    fn control_characters_are_escaped() {
        let d = pretty(b"{\"a\":\"x\x1b[2Jy\"}");
        assert!(d.lines[1].text.contains("\\x1b"));
        assert!(!d.lines.iter().any(|l| l.text.contains('\x1b')));
    }

    #[test]
    fn long_scalar_arrays_stay_on_one_capped_line() {
        let arr: Vec<String> = (0..50_000).map(|i| i.to_string()).collect();
        let d = pretty(format!("{{\"v\":[{}]}}", arr.join(",")).as_bytes());
        assert_eq!(d.lines.len(), 3);
        assert!(d.lines[1].text.ends_with("… 50000 items]"));
    }
}
