//! Decoding a cache file back into entries: the blocks checked against
//! the trailer's checksum, their tables read in order (keys interned once,
//! key lists shared), then their entries decoded in parallel. Any malformed byte is a
//! [`CacheError::Corrupt`], never a panic.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use chrono::{DateTime, TimeZone, Utc};
use rayon::prelude::*;

use crate::index::catalog::{ChangeStamp, Fingerprint, SnapshotEntry};
use crate::model::intern::intern;
use crate::model::packed::PackedValues;
use crate::model::series::{self, KeyList};
use crate::model::{
    DriftRow, Generation, SeriesSet, Snapshot, SnapshotKind, TestOutcome, TestSpec, TestStatus,
};

use super::format::*;

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

/// The tables while decoding: keys interned, texts borrowed, key lists shared.
#[derive(Default)]
struct Table<'a> {
    keys: Vec<Arc<str>>,
    texts: Vec<&'a str>,
    lists: Vec<KeyList>,
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
    fn list(&self, i: u32) -> R<Option<&KeyList>> {
        if i == NONE_U32 {
            return Ok(None);
        }
        self.lists
            .get(i as usize)
            .map(Some)
            .ok_or(CacheError::Corrupt("key list index"))
    }

    /// Read the strings and key lists a block numbers first.
    fn read_fresh(&mut self, r: &mut Reader<'a>) -> R<()> {
        let n = r.count(4)?;
        self.keys.reserve(n);
        for _ in 0..n {
            self.keys.push(intern(r.str()?));
        }
        let n = r.count(4)?;
        self.texts.reserve(n);
        for _ in 0..n {
            self.texts.push(r.str()?);
        }
        let n = r.count(4)?;
        for _ in 0..n {
            let len = r.count(4)?;
            let mut keys = Vec::with_capacity(len);
            for _ in 0..len {
                keys.push(self.arc(r.u32()?)?);
            }
            self.lists.push(series::share(keys));
        }
        Ok(())
    }
}

pub(super) fn decode(
    bytes: &[u8],
    key: &[u8],
    root: &Path,
) -> Result<Vec<SnapshotEntry>, CacheError> {
    if !bytes.starts_with(MAGIC) {
        return Err(CacheError::Foreign);
    }
    if !bytes.starts_with(key) {
        return Err(CacheError::Stale);
    }
    // The blocks, checked against the trailer before anything is decoded.
    let mut r = Reader {
        buf: bytes,
        pos: key.len(),
    };
    let mut h = Hasher::new();
    let mut blocks: Vec<&[u8]> = Vec::new();
    loop {
        let len_bytes: [u8; 4] = r.array()?;
        let len = u32::from_le_bytes(len_bytes);
        if len == END_MARK {
            break;
        }
        let block = r.take(len as usize)?;
        h.update(&len_bytes);
        h.update(block);
        blocks.push(block);
    }
    let total = r.u64()?;
    let checksum = r.u64()?;
    if r.pos != bytes.len() {
        return Err(CacheError::Corrupt("trailing bytes"));
    }
    if total != (bytes.len() - key.len() - 20) as u64 {
        return Err(CacheError::Corrupt("length mismatch"));
    }
    if h.finish() != checksum {
        return Err(CacheError::Corrupt("checksum mismatch"));
    }
    // Tables in order (a block may use what earlier ones numbered), then
    // the entries of every block in parallel.
    let mut table = Table::default();
    let mut bodies = Vec::with_capacity(blocks.len());
    for block in blocks {
        let mut r = Reader { buf: block, pos: 0 };
        table.read_fresh(&mut r)?;
        let count = r.u32()? as usize;
        bodies.push((count, &block[r.pos..]));
    }
    let table = &table;
    let decoded: Vec<Vec<SnapshotEntry>> = bodies
        .par_iter()
        .map(|&(count, buf)| {
            let mut r = Reader { buf, pos: 0 };
            let mut out = Vec::with_capacity(count.min(BLOCK));
            for _ in 0..count {
                out.push(decode_entry(&mut r, table, root)?);
            }
            if r.pos != buf.len() {
                return Err(CacheError::Corrupt("block length"));
            }
            Ok(out)
        })
        .collect::<Result<_, _>>()?;
    Ok(decoded.into_iter().flatten().collect())
}

fn decode_entry(r: &mut Reader, t: &Table, root: &Path) -> R<SnapshotEntry> {
    let id = r.str()?.to_string();
    let path = match r.u8()? {
        PATH_USUAL => {
            let folder = t.str(r.u32()?)?;
            let name = format!("{id}.json");
            if folder.is_empty() {
                root.join(name)
            } else {
                root.join(folder).join(name)
            }
        }
        PATH_BYTES => root.join(path_from_bytes(r.bytes_with_len()?)),
        _ => return Err(CacheError::Corrupt("path kind")),
    };
    let len = r.u64()?;
    let secs = r.u64()?;
    let nanos = r.u32()?;
    if nanos >= 1_000_000_000 {
        return Err(CacheError::Corrupt("mtime"));
    }
    let mtime = UNIX_EPOCH.checked_add(Duration::new(secs, nanos));
    let stamp = match r.u8()? {
        0 => ChangeStamp::None,
        1 => ChangeStamp::Inode {
            ino: r.u64()?,
            ctime_sec: r.i64()?,
            ctime_nsec: r.u32()?,
        },
        2 => ChangeStamp::Object {
            etag_hash: r.u64()?,
        },
        _ => return Err(CacheError::Corrupt("change stamp")),
    };
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
        Default::default()
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
        let description = t.arc(r.u32()?)?;
        let column = t.opt_arc(r.u32()?)?;
        let condition = t.opt_arc(r.u32()?)?;
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
            spec: TestSpec {
                identity,
                test_type,
                name,
                column,
            }
            .shared(),
            description,
            status,
            value,
            condition,
        });
    }
    let series = match t.list(r.u32()?)? {
        None => SeriesSet::default(),
        Some(keys) => PackedValues::from_bytes(r.bytes_with_len()?)
            .and_then(|values| SeriesSet::from_packed(keys.clone(), values))
            .ok_or(CacheError::Corrupt("series values"))?,
    };
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
        path: path.into(),
        fingerprint: Fingerprint { len, mtime, stamp },
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
