//! The persistent index cache: what a scan parsed, kept in the user's cache
//! folder (never inside the snapshot folder) so a restart re-parses only the
//! files that changed.
//!
//! One file per workspace root, named after a hash of the canonical root
//! path, in `<cache dir>/index/`. Entries are keyed by file path and
//! [`Fingerprint`] (size + mtime): an entry is used only when the file on disk
//! still has exactly that fingerprint. The header holds a format version, the
//! crate version, the root path and a key of the parse options (time zone);
//! any mismatch, truncation, checksum error or malformed content discards the
//! whole file (never fatal). Writes go to a temporary file in the cache folder
//! that is then renamed over the old one.
//!
//! Format (little endian): header (magic, versions, options key, root),
//! payload length and checksum, then the payload: two string tables (keys,
//! interned once at load: series keys, identities, test names, columns;
//! texts: descriptions, conditions, tags, project ids) and blocks of entries
//! decoded in parallel. Each snapshot's values are `(u32 key index, f64)`
//! pairs (NaN = no value); its metadata is JSON text.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, TimeZone, Utc};
use rayon::prelude::*;

use crate::index::catalog::{Fingerprint, SnapshotEntry};
use crate::index::scan::SnapshotFile;
use crate::model::intern::{intern, FxBuild};
use crate::model::{
    DriftRow, Generation, SeriesValue, Snapshot, SnapshotKind, TestOutcome, TestStatus,
};
use crate::parse::{ParseOptions, TimeZoneChoice};

const MAGIC: &[u8; 8] = b"SNSCIDX\0";
/// Bumped whenever the layout below or the parser's output changes meaning.
const FORMAT_VERSION: u32 = 2;
/// At most this many cache files are kept; the least recently written go first.
const MAX_CACHE_FILES: usize = 64;
/// Files modified this recently are not cached: a write within the same
/// mtime tick could otherwise go unnoticed.
const RACY_WINDOW: Duration = Duration::from_secs(2);
const NONE_U32: u32 = u32::MAX;

/// Why a cache file was not used (or not written). Never fatal to a scan.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("cache I/O: {0}")]
    Io(#[from] io::Error),
    #[error("not a snapscope index cache")]
    Foreign,
    #[error("cache written by another version or with other options")]
    Stale,
    #[error("cache file is corrupt: {0}")]
    Corrupt(&'static str),
}

/// snapscope's cache folder (`$XDG_CACHE_HOME/snapscope` or `~/.cache/snapscope`),
/// which also holds the log file.
pub fn cache_dir() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("snapscope")
}

/// The folder holding index caches: `<snapscope cache dir>/index`.
pub fn default_dir() -> PathBuf {
    cache_dir().join("index")
}

/// The cache file for workspace `root` inside `dir`.
pub fn cache_file(dir: &Path, root: &Path) -> PathBuf {
    let canon = canonical_root(root);
    dir.join(format!("{:016x}.idx", hash64(path_bytes(&canon).as_ref())))
}

fn canonical_root(root: &Path) -> PathBuf {
    root.canonicalize()
        .or_else(|_| std::path::absolute(root))
        .unwrap_or_else(|_| root.to_path_buf())
}

/// The cached entries of one workspace, in the order they were saved
/// (oldest run first).
#[derive(Debug, Default)]
pub struct IndexCache {
    entries: Vec<SnapshotEntry>,
}

impl IndexCache {
    /// Load the cache of `root` from `dir`; empty when there is none or it
    /// cannot be used (the reason is logged).
    pub fn load(dir: &Path, root: &Path, opts: &ParseOptions) -> IndexCache {
        let file = cache_file(dir, root);
        match Self::load_file(&file, root, opts) {
            Ok(c) => {
                tracing::debug!(file = %file.display(), entries = c.len(), "index cache loaded");
                c
            }
            Err(CacheError::Io(e)) if e.kind() == io::ErrorKind::NotFound => IndexCache::default(),
            Err(e) => {
                tracing::info!(file = %file.display(), "index cache discarded: {e}");
                let _ = fs::remove_file(&file);
                IndexCache::default()
            }
        }
    }

    /// Load one cache file written for `root` with `opts`.
    pub fn load_file(file: &Path, root: &Path, opts: &ParseOptions) -> Result<Self, CacheError> {
        let bytes = fs::read(file)?;
        decode(&bytes, &header_key(root, opts), root)
    }

    /// Number of cached entries (not taken out).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when nothing is cached (or everything was taken out).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Take out the entries whose file is unchanged: `unchanged(path, fp)`
    /// says whether the file at `path` still has fingerprint `fp` (only
    /// entries with a modification time are offered). They come in saved
    /// order; what stays is stale.
    pub fn take_unchanged(
        &mut self,
        mut unchanged: impl FnMut(&Path, &Fingerprint) -> bool,
    ) -> Vec<SnapshotEntry> {
        let (hits, stale) = std::mem::take(&mut self.entries)
            .into_iter()
            .partition(|e| e.fingerprint.mtime.is_some() && unchanged(&e.path, &e.fingerprint));
        self.entries = stale;
        hits
    }
}

/// Take the entries of the listed `files` that are unchanged out of
/// `cache` (each path at most once), with a flag per file telling whether
/// it was found.
pub fn take_listed(
    cache: &mut IndexCache,
    files: &[SnapshotFile],
) -> (Vec<SnapshotEntry>, Vec<bool>) {
    // By the bytes of the path (quicker to hash than its components): both
    // sides are the same root joined with the same names.
    let listed: HashMap<&OsStr, usize, FxBuild> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.path.as_os_str(), i))
        .collect();
    let mut found = vec![false; files.len()];
    let hits = cache.take_unchanged(|path, fp| match listed.get(path.as_os_str()) {
        Some(&i) if !found[i] && files[i].fingerprint == *fp => {
            found[i] = true;
            true
        }
        _ => false,
    });
    (hits, found)
}

/// Write the cache of `root` into `dir` atomically (temp file + rename), then
/// prune old cache files. Entries whose file changed in the last moments are
/// left out (they are parsed again next time).
pub fn save<'a>(
    dir: &Path,
    root: &Path,
    opts: &ParseOptions,
    entries: impl IntoIterator<Item = &'a SnapshotEntry>,
) -> Result<PathBuf, CacheError> {
    let limit = SystemTime::now()
        .checked_sub(RACY_WINDOW)
        .unwrap_or(UNIX_EPOCH);
    let mut entries: Vec<&SnapshotEntry> = entries
        .into_iter()
        .filter(|e| e.fingerprint.mtime.is_some_and(|m| m <= limit))
        .collect();
    // Oldest run first: the order entries are taken out in at load.
    entries.sort_by(|a, b| {
        (a.snapshot.timestamp, &a.snapshot.id).cmp(&(b.snapshot.timestamp, &b.snapshot.id))
    });
    let bytes = encode(&header_key(root, opts), root, &entries);
    fs::create_dir_all(dir)?;
    let file = cache_file(dir, root);
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        file.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        std::process::id()
    ));
    let written = (|| {
        let mut f = fs::File::create(&tmp)?;
        // No fsync: a file cut short by a crash fails its length or checksum
        // test on the next load and is discarded.
        f.write_all(&bytes)?;
        drop(f);
        fs::rename(&tmp, &file)
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(e.into());
    }
    prune(dir, &file);
    Ok(file)
}

/// Keep at most [`MAX_CACHE_FILES`] cache files (never removing `keep`).
fn prune(dir: &Path, keep: &Path) {
    let Ok(rd) = fs::read_dir(dir) else { return };
    let mut files: Vec<(SystemTime, PathBuf)> = rd
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "idx") && p != keep)
        .filter_map(|p| Some((fs::metadata(&p).ok()?.modified().ok()?, p)))
        .collect();
    if files.len() < MAX_CACHE_FILES {
        return;
    }
    files.sort();
    let excess = files.len() + 1 - MAX_CACHE_FILES;
    for (_, p) in files.into_iter().take(excess) {
        let _ = fs::remove_file(p);
    }
}

/// What must match for a cache to be used: format, crate version, root and
/// the parse options (for `local`, the zone's offsets at two dates, so a
/// changed `TZ` invalidates it).
fn header_key(root: &Path, opts: &ParseOptions) -> Vec<u8> {
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

// ---- encoding ---------------------------------------------------------------

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

/// Strings shared across entries, numbered in order of first use.
#[derive(Default)]
struct Strings<'a> {
    index: HashMap<&'a str, u32>,
    list: Vec<&'a str>,
}

impl<'a> Strings<'a> {
    fn id(&mut self, s: &'a str) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.list.len() as u32;
        self.index.insert(s, i);
        self.list.push(s);
        i
    }
    fn opt(&mut self, s: Option<&'a str>) -> u32 {
        s.map_or(NONE_U32, |s| self.id(s))
    }
}

/// The two string tables: `keys` become shared `Arc<str>` (interned once
/// at load), `texts` plain strings.
#[derive(Default)]
struct Tables<'a> {
    keys: Strings<'a>,
    texts: Strings<'a>,
}

/// Entries per block; blocks are decoded in parallel.
const BLOCK: usize = 512;

fn encode(key: &[u8], root: &Path, entries: &[&SnapshotEntry]) -> Vec<u8> {
    let mut st = Tables::default();
    let mut body = Writer::default();
    let blocks: Vec<&[&SnapshotEntry]> = entries.chunks(BLOCK).collect();
    body.u32(blocks.len() as u32);
    for block in blocks {
        let mut w = Writer::default();
        for e in block {
            encode_entry(&mut w, &mut st, root, e);
        }
        body.u32(block.len() as u32);
        body.bytes_with_len(&w.buf);
    }
    let mut payload = Writer::default();
    for table in [&st.keys, &st.texts] {
        payload.u32(table.list.len() as u32);
        for s in &table.list {
            payload.str(s);
        }
    }
    let mut payload = payload.buf;
    payload.extend_from_slice(&body.buf);
    drop(body);
    let mut h = Hasher::new();
    h.update(&payload);
    let mut out = Writer::default();
    out.buf.reserve(key.len() + 16 + payload.len());
    out.bytes(key);
    out.u64(payload.len() as u64);
    out.u64(h.finish());
    out.bytes(&payload);
    out.buf
}

fn encode_entry<'a>(w: &mut Writer, st: &mut Tables<'a>, root: &Path, e: &'a SnapshotEntry) {
    // Paths relative to the root: the same workspace named another way still hits.
    let rel = e.path.strip_prefix(root).unwrap_or(&e.path);
    w.bytes_with_len(path_bytes(rel).as_ref());
    w.u64(e.fingerprint.len);
    let (secs, nanos) = e
        .fingerprint
        .mtime
        .and_then(|m| m.duration_since(UNIX_EPOCH).ok())
        .map_or((0, 0), |d| (d.as_secs(), d.subsec_nanos()));
    w.u64(secs);
    w.u32(nanos);
    let s: &'a Snapshot = &e.snapshot;
    w.str(&s.id);
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
            st.keys.id(&t.identity),
            st.keys.id(&t.test_type),
            st.keys.id(&t.name),
            st.texts.id(&t.description),
            st.keys.opt(t.column.as_deref()),
            st.texts.opt(t.condition.as_deref()),
        ] {
            w.u32(i);
        }
        w.u8(status_code(t.status));
        w.f64(t.value);
    }
    w.u32(s.series.len() as u32);
    for v in &s.series {
        let i = st.keys.id(&v.key);
        w.u32(i);
        w.f64(v.value);
    }
    w.u32(s.drift.len() as u32);
    for d in &s.drift {
        for i in [
            st.keys.id(&d.column),
            st.keys.opt(d.column_type.as_deref()),
            st.keys.opt(d.method.as_deref()),
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

fn status_code(s: TestStatus) -> u8 {
    match s {
        TestStatus::Fail => 0,
        TestStatus::Error => 1,
        TestStatus::Warning => 2,
        TestStatus::Success => 3,
        TestStatus::Skipped => 4,
    }
}

// ---- decoding ---------------------------------------------------------------

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

type R<T> = Result<T, CacheError>;

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> R<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or(CacheError::Corrupt("truncated"))?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn array<const N: usize>(&mut self) -> R<[u8; N]> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }
    fn u8(&mut self) -> R<u8> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> R<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    fn u64(&mut self) -> R<u64> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    fn i64(&mut self) -> R<i64> {
        Ok(i64::from_le_bytes(self.array()?))
    }
    fn f64(&mut self) -> R<Option<f64>> {
        let v = f64::from_le_bytes(self.array()?);
        Ok((!v.is_nan()).then_some(v))
    }
    fn bytes_with_len(&mut self) -> R<&'a [u8]> {
        let n = self.u32()? as usize;
        self.take(n)
    }
    fn str(&mut self) -> R<&'a str> {
        std::str::from_utf8(self.bytes_with_len()?).map_err(|_| CacheError::Corrupt("not UTF-8"))
    }
    fn opt_str(&mut self) -> R<Option<&'a str>> {
        match self.u8()? {
            0 => Ok(None),
            1 => self.str().map(Some),
            _ => Err(CacheError::Corrupt("bad option tag")),
        }
    }
    /// A count of items each at least `min_size` bytes long, checked against
    /// what is left (no huge allocations from a corrupt count).
    fn count(&mut self, min_size: usize) -> R<usize> {
        let n = self.u32()? as usize;
        if n.saturating_mul(min_size) > self.buf.len() - self.pos {
            return Err(CacheError::Corrupt("count beyond end"));
        }
        Ok(n)
    }
}

/// The string tables while decoding: keys interned, texts borrowed.
struct Table<'a> {
    keys: Vec<Arc<str>>,
    texts: Vec<&'a str>,
}

impl<'a> Table<'a> {
    fn str(&self, i: u32) -> R<&'a str> {
        self.texts
            .get(i as usize)
            .copied()
            .ok_or(CacheError::Corrupt("string index"))
    }
    fn arc(&self, i: u32) -> R<Arc<str>> {
        self.keys
            .get(i as usize)
            .cloned()
            .ok_or(CacheError::Corrupt("string index"))
    }
    fn opt_arc(&self, i: u32) -> R<Option<Arc<str>>> {
        if i == NONE_U32 {
            Ok(None)
        } else {
            self.arc(i).map(Some)
        }
    }
    fn opt_string(&self, i: u32) -> R<Option<String>> {
        if i == NONE_U32 {
            Ok(None)
        } else {
            self.str(i).map(|s| Some(s.to_string()))
        }
    }
}

fn decode(bytes: &[u8], key: &[u8], root: &Path) -> Result<IndexCache, CacheError> {
    if !bytes.starts_with(MAGIC) {
        return Err(CacheError::Foreign);
    }
    if !bytes.starts_with(key) {
        return Err(CacheError::Stale);
    }
    let mut r = Reader {
        buf: bytes,
        pos: key.len(),
    };
    let payload_len = r.u64()?;
    let checksum = r.u64()?;
    let payload = &bytes[r.pos..];
    if payload.len() as u64 != payload_len {
        return Err(CacheError::Corrupt("length mismatch"));
    }
    let mut h = Hasher::new();
    h.update(payload);
    if h.finish() != checksum {
        return Err(CacheError::Corrupt("checksum mismatch"));
    }
    let mut r = Reader {
        buf: payload,
        pos: 0,
    };
    let n = r.count(4)?;
    let mut keys = Vec::with_capacity(n);
    for _ in 0..n {
        keys.push(intern(r.str()?));
    }
    let n = r.count(4)?;
    let mut texts = Vec::with_capacity(n);
    for _ in 0..n {
        texts.push(r.str()?);
    }
    let table = Table { keys, texts };
    let n = r.count(8)?;
    let mut blocks = Vec::with_capacity(n);
    for _ in 0..n {
        let count = r.u32()? as usize;
        blocks.push((count, r.bytes_with_len()?));
    }
    if r.pos != payload.len() {
        return Err(CacheError::Corrupt("trailing bytes"));
    }
    let decoded: Vec<Vec<SnapshotEntry>> = blocks
        .par_iter()
        .map(|&(count, buf)| {
            let mut r = Reader { buf, pos: 0 };
            let mut out = Vec::with_capacity(count.min(BLOCK));
            for _ in 0..count {
                out.push(decode_entry(&mut r, &table, root)?);
            }
            if r.pos != buf.len() {
                return Err(CacheError::Corrupt("block length"));
            }
            Ok(out)
        })
        .collect::<Result<_, _>>()?;
    Ok(IndexCache {
        entries: decoded.into_iter().flatten().collect(),
    })
}

fn decode_entry(r: &mut Reader, t: &Table, root: &Path) -> R<SnapshotEntry> {
    let path = root.join(path_from_bytes(r.bytes_with_len()?));
    let len = r.u64()?;
    let secs = r.u64()?;
    let nanos = r.u32()?;
    if nanos >= 1_000_000_000 {
        return Err(CacheError::Corrupt("mtime"));
    }
    let mtime = UNIX_EPOCH.checked_add(Duration::new(secs, nanos));
    let id = r.str()?.to_string();
    let inner_id_mismatch = r.opt_str()?.map(str::to_string);
    let project_id = t.str(r.u32()?)?.to_string();
    let ts_secs = r.i64()?;
    let ts_nanos = r.u32()?;
    let timestamp: DateTime<Utc> = Utc
        .timestamp_opt(ts_secs, ts_nanos)
        .single()
        .ok_or(CacheError::Corrupt("timestamp"))?;
    let timestamp_naive = r.u8()? != 0;
    let name = r.opt_str()?.map(str::to_string);
    let n = r.count(4)?;
    let mut tags = Vec::with_capacity(n);
    for _ in 0..n {
        tags.push(t.str(r.u32()?)?.to_string());
    }
    let meta_text = r.bytes_with_len()?;
    let metadata = if meta_text.is_empty() {
        serde_json::Map::new()
    } else {
        serde_json::from_slice(meta_text).map_err(|_| CacheError::Corrupt("metadata"))?
    };
    let generation = match r.u8()? {
        0 => Generation::Legacy,
        1 => Generation::V2,
        _ => return Err(CacheError::Corrupt("generation")),
    };
    let kind = match r.u8()? {
        0 => SnapshotKind::Report,
        1 => SnapshotKind::TestSuite,
        2 => SnapshotKind::Run,
        _ => return Err(CacheError::Corrupt("kind")),
    };
    let n = r.count(33)?;
    let mut tests = Vec::with_capacity(n);
    for _ in 0..n {
        let identity = t.arc(r.u32()?)?;
        let test_type = t.arc(r.u32()?)?;
        let name = t.arc(r.u32()?)?;
        let description = t.str(r.u32()?)?.to_string();
        let column = t.opt_arc(r.u32()?)?;
        let condition = t.opt_string(r.u32()?)?;
        let status = match r.u8()? {
            0 => TestStatus::Fail,
            1 => TestStatus::Error,
            2 => TestStatus::Warning,
            3 => TestStatus::Success,
            4 => TestStatus::Skipped,
            _ => return Err(CacheError::Corrupt("test status")),
        };
        let value = r.f64()?;
        tests.push(TestOutcome {
            identity,
            test_type,
            name,
            description,
            status,
            column,
            value,
            condition,
        });
    }
    let n = r.count(12)?;
    let mut series = Vec::with_capacity(n);
    for _ in 0..n {
        let key = t.arc(r.u32()?)?;
        let value = r.f64()?;
        series.push(SeriesValue { key, value });
    }
    let n = r.count(30)?;
    let mut drift = Vec::with_capacity(n);
    for _ in 0..n {
        let column = t.arc(r.u32()?)?;
        let column_type = t.opt_arc(r.u32()?)?;
        let method = t.opt_arc(r.u32()?)?;
        let score = r.f64()?;
        let threshold = r.f64()?;
        let drifted = match r.u8()? {
            0 => None,
            1 => Some(false),
            2 => Some(true),
            _ => return Err(CacheError::Corrupt("drift flag")),
        };
        let inferred = r.u8()? != 0;
        drift.push(DriftRow {
            column,
            column_type,
            method,
            score,
            threshold,
            drifted,
            inferred,
        });
    }
    Ok(SnapshotEntry {
        path,
        fingerprint: Fingerprint { len, mtime },
        snapshot: Arc::new(Snapshot {
            id,
            inner_id_mismatch,
            project_id,
            timestamp,
            timestamp_naive,
            name,
            tags,
            metadata,
            generation,
            kind,
            tests,
            series,
            drift,
        }),
    })
}

// ---- helpers ----------------------------------------------------------------

#[cfg(unix)]
fn path_bytes(p: &Path) -> std::borrow::Cow<'_, [u8]> {
    use std::os::unix::ffi::OsStrExt;
    std::borrow::Cow::Borrowed(p.as_os_str().as_bytes())
}

#[cfg(not(unix))]
fn path_bytes(p: &Path) -> std::borrow::Cow<'_, [u8]> {
    std::borrow::Cow::Owned(p.to_string_lossy().into_owned().into_bytes())
}

#[cfg(unix)]
fn path_from_bytes(b: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(b))
}

#[cfg(not(unix))]
fn path_from_bytes(b: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(b).into_owned())
}

/// FNV-1a over bytes (file names).
fn hash64(b: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &x in b {
        h ^= u64::from(x);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// A fast 64-bit checksum over 8-byte words (detects truncation and bit rot,
/// not tampering).
struct Hasher {
    h: u64,
    len: u64,
}

impl Hasher {
    fn new() -> Hasher {
        Hasher {
            h: 0x9E37_79B9_7F4A_7C15,
            len: 0,
        }
    }
    fn update(&mut self, b: &[u8]) {
        let mut chunks = b.chunks_exact(8);
        for c in &mut chunks {
            let mut a = [0u8; 8];
            a.copy_from_slice(c);
            self.mix(u64::from_le_bytes(a));
        }
        for &x in chunks.remainder() {
            self.mix(u64::from(x) | 0x100);
        }
        self.len += b.len() as u64;
    }
    fn mix(&mut self, w: u64) {
        self.h = (self.h ^ w)
            .wrapping_mul(0xFF51_AFD7_ED55_8CCD)
            .rotate_left(29);
    }
    fn finish(&self) -> u64 {
        let mut h = self.h ^ self.len;
        h ^= h >> 33;
        h = h.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
        h ^ (h >> 33)
    }
}
