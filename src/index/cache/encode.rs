//! Encoding a workspace's entries into the cache file, block by block:
//! each block carries the strings and key lists first used in it, then
//! its entries.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::UNIX_EPOCH;

use crate::index::catalog::{ChangeStamp, SnapshotEntry};
use crate::model::intern::FxBuild;
use crate::model::series::KeyList;
use crate::model::{Generation, Snapshot, SnapshotKind};
use crate::parse::{ParseOptions, TimeZoneChoice};

use super::format::*;

#[derive(Default)]
struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    fn bytes(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }
    fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    fn i64(&mut self, v: i64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    fn f64(&mut self, v: Option<f64>) {
        self.buf
            .extend_from_slice(&v.unwrap_or(f64::NAN).to_le_bytes());
    }
    fn bytes_with_len(&mut self, b: &[u8]) {
        self.u32(u32::try_from(b.len()).unwrap_or(u32::MAX));
        self.buf
            .extend_from_slice(&b[..b.len().min(u32::MAX as usize)]);
    }
    fn str(&mut self, s: &str) {
        self.bytes_with_len(s.as_bytes());
    }
    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => {
                self.u8(1);
                self.str(s);
            }
            None => self.u8(0),
        }
    }
}

/// Strings shared across entries, numbered in order of first use; those
/// numbered since the last block was written are `fresh`.
#[derive(Default)]
struct Strings<'a> {
    index: HashMap<&'a str, u32, FxBuild>,
    /// Numbers by the address and length of a shared (interned) string:
    /// the many copies of a test's description or name are one allocation,
    /// found without hashing its text again.
    by_address: HashMap<(usize, usize), u32, FxBuild>,
    len: u32,
    fresh: Vec<&'a str>,
}

impl<'a> Strings<'a> {
    fn id(&mut self, s: &'a str) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.len;
        self.len += 1;
        self.index.insert(s, i);
        self.fresh.push(s);
        i
    }
    /// [`Strings::id`] of a string shared by many entries (interned): by
    /// its address first, by its text once per allocation. Equal texts in
    /// two allocations still get one number.
    fn shared(&mut self, s: &'a str) -> u32 {
        let at = (s.as_ptr() as usize, s.len());
        if let Some(&i) = self.by_address.get(&at) {
            return i;
        }
        let i = self.id(s);
        self.by_address.insert(at, i);
        i
    }
    fn opt_shared(&mut self, s: Option<&'a str>) -> u32 {
        s.map_or(NONE_U32, |s| self.shared(s))
    }
}

/// The tables: `keys` become shared `Arc<str>` (interned once at load),
/// `texts` plain strings, `lists` the shared key lists of series values
/// (each a list of key numbers; told apart by address: they are shared).
#[derive(Default)]
struct Tables<'a> {
    keys: Strings<'a>,
    texts: Strings<'a>,
    lists: HashMap<*const Arc<str>, u32, FxBuild>,
    lists_len: u32,
    fresh_lists: Vec<Vec<u32>>,
}

impl<'a> Tables<'a> {
    fn list(&mut self, keys: &'a KeyList) -> u32 {
        if keys.is_empty() {
            return NONE_U32;
        }
        // The address of the first key slot names the shared list (with its
        // length: a list is never a prefix of another allocation).
        let at = keys.as_ptr();
        if let Some(&i) = self.lists.get(&at) {
            return i;
        }
        let ids = keys.iter().map(|k| self.keys.id(k)).collect();
        let i = self.lists_len;
        self.lists_len += 1;
        self.lists.insert(at, i);
        self.fresh_lists.push(ids);
        i
    }

    /// Write what was numbered since the last block, and forget it.
    fn write_fresh(&mut self, w: &mut Writer) {
        for table in [&mut self.keys, &mut self.texts] {
            w.u32(table.fresh.len() as u32);
            for s in table.fresh.drain(..) {
                w.str(s);
            }
        }
        w.u32(self.fresh_lists.len() as u32);
        for ids in self.fresh_lists.drain(..) {
            w.u32(ids.len() as u32);
            for i in ids {
                w.u32(i);
            }
        }
    }
}

/// Encode `entries` into `out` as they are encoded, one block at a time
/// (never the whole cache in memory): the header `key`, then each block's
/// length and bytes, then an end mark, the blocks' total length and their
/// checksum. Returns the bytes written.
pub(super) fn encode(
    key: &[u8],
    root: &Path,
    entries: &[&SnapshotEntry],
    out: &mut impl Write,
) -> io::Result<u64> {
    out.write_all(key)?;
    let mut written = key.len() as u64;
    let mut st = Tables::default();
    let mut h = Hasher::new();
    let mut body = Writer::default();
    let mut head = Writer::default();
    for chunk in entries.chunks(BLOCK) {
        body.buf.clear();
        for e in chunk {
            encode_entry(&mut body, &mut st, root, e);
        }
        // The block: its tables and entry count (`head`), then the entries.
        head.buf.clear();
        st.write_fresh(&mut head);
        head.u32(chunk.len() as u32);
        let len = u32::try_from(head.buf.len() + body.buf.len())
            .map_err(|_| io::Error::other("cache block over 4 GiB"))?
            .to_le_bytes();
        for part in [&len[..], &head.buf, &body.buf] {
            h.update(part);
            out.write_all(part)?;
        }
        written += 4 + (head.buf.len() + body.buf.len()) as u64;
    }
    let mut end = Writer::default();
    end.u32(END_MARK);
    end.u64(written - key.len() as u64);
    end.u64(h.finish());
    out.write_all(&end.buf)?;
    Ok(written + end.buf.len() as u64)
}

fn encode_entry<'a>(w: &mut Writer, st: &mut Tables<'a>, root: &Path, e: &'a SnapshotEntry) {
    let s: &'a Snapshot = &e.snapshot;
    w.str(&s.id);
    // Paths relative to the root: the same workspace named another way still
    // hits. Mostly `<folder>/<id>.json`: the folder from the texts table.
    let rel = e.path.strip_prefix(root).unwrap_or(&e.path);
    let folder = rel.parent().and_then(Path::to_str);
    let usual = rel
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.strip_suffix(".json") == Some(s.id.as_str()));
    match folder {
        Some(folder) if usual => {
            w.u8(PATH_USUAL);
            w.u32(st.texts.id(folder));
        }
        _ => {
            w.u8(PATH_BYTES);
            w.bytes_with_len(path_bytes(rel).as_ref());
        }
    }
    w.u64(e.fingerprint.len);
    let (secs, nanos) = e
        .fingerprint
        .mtime
        .and_then(|m| m.duration_since(UNIX_EPOCH).ok())
        .map_or((0, 0), |d| (d.as_secs(), d.subsec_nanos()));
    w.u64(secs);
    w.u32(nanos);
    match e.fingerprint.stamp {
        ChangeStamp::None => w.u8(0),
        ChangeStamp::Inode {
            ino,
            ctime_sec,
            ctime_nsec,
        } => {
            w.u8(1);
            w.u64(ino);
            w.i64(ctime_sec);
            w.u32(ctime_nsec);
        }
        ChangeStamp::Object { etag_hash } => {
            w.u8(2);
            w.u64(etag_hash);
        }
    }
    w.opt_str(s.inner_id_mismatch.as_deref());
    let pid = st.texts.id(&s.project_id);
    w.u32(pid);
    w.i64(s.timestamp.timestamp());
    w.u32(s.timestamp.timestamp_subsec_nanos());
    w.u8(u8::from(s.timestamp_naive));
    w.opt_str(s.name.as_deref());
    w.u32(s.tags.len() as u32);
    for t in &s.tags {
        let i = st.texts.id(t);
        w.u32(i);
    }
    if s.metadata.is_empty() {
        w.u32(0);
    } else {
        let text = serde_json::to_string(&s.metadata).unwrap_or_default();
        w.str(&text);
    }
    w.u8(match s.generation {
        Generation::Legacy => 0,
        Generation::V2 => 1,
    });
    w.u8(match s.kind {
        SnapshotKind::Report => 0,
        SnapshotKind::TestSuite => 1,
        SnapshotKind::Run => 2,
    });
    w.u32(s.tests.len() as u32);
    for t in &s.tests {
        for i in [
            st.keys.shared(&t.identity),
            st.keys.shared(&t.test_type),
            st.keys.shared(&t.name),
            st.keys.shared(&t.description),
            st.keys.opt_shared(t.column.as_deref()),
            st.keys.opt_shared(t.condition.as_deref()),
        ] {
            w.u32(i);
        }
        w.u8(status_code(t.status));
        w.f64(t.value);
    }
    let list = st.list(s.series.keys());
    w.u32(list);
    if list != NONE_U32 {
        // The values exactly as they are held (`model::packed`).
        w.bytes_with_len(s.series.packed().as_bytes());
    }
    w.u32(s.drift.len() as u32);
    for d in &s.drift {
        for i in [
            st.keys.shared(&d.column),
            st.keys.opt_shared(d.column_type.as_deref()),
            st.keys.opt_shared(d.method.as_deref()),
        ] {
            w.u32(i);
        }
        w.f64(d.score);
        w.f64(d.threshold);
        w.u8(match d.drifted {
            None => 0,
            Some(false) => 1,
            Some(true) => 2,
        });
        w.u8(u8::from(d.inferred));
    }
}

/// What must match for a cache to be used: format, crate version, root and
/// the parse options (for `local`, the zone's offsets at two dates, so a
/// changed `TZ` invalidates it).
pub(super) fn header_key(root: &Path, opts: &ParseOptions) -> Vec<u8> {
    let tz = match opts.tz {
        TimeZoneChoice::Local => {
            let probe = |m: u32| {
                chrono::NaiveDate::from_ymd_opt(2024, m, 1)
                    .and_then(|d| d.and_hms_opt(12, 0, 0))
                    .map(|n| TimeZoneChoice::Local.to_utc(n).timestamp())
                    .unwrap_or(0)
            };
            format!("local{}/{}", probe(1), probe(7))
        }
        other => other.to_string(),
    };
    let mut w = Writer::default();
    w.bytes(MAGIC);
    w.u32(FORMAT_VERSION);
    w.str(env!("CARGO_PKG_VERSION"));
    w.str(&tz);
    w.bytes_with_len(path_bytes(&canonical_root(root)).as_ref());
    w.buf
}
