//! The persistent index cache: what a scan parsed, kept in the user's cache
//! folder (never inside the snapshot folder) so a restart re-parses only the
//! files that changed.
//!
//! One file per workspace root, named after a hash of the canonical root
//! path, in `<cache dir>/index/`. Entries are keyed by file path and
//! [`Fingerprint`] (size, mtime, inode and ctime): an entry is used only
//! when the file on disk still has exactly that fingerprint, so a rewrite
//! that puts size and mtime back is not served from the cache. The header
//! holds a format version, the crate version, the root path and a key of
//! the parse options (time zone); any mismatch, truncation, checksum error
//! or malformed content discards the whole file (never fatal). Writes go to
//! a temporary file in the cache folder that is then renamed over the old
//! one. [`discard`] removes a root's file (`--no-cache`).
//!
//! The cache holds the workspace's paths, metadata and tags verbatim, so
//! it is private: its folders are `0700` and its files `0600` whatever the
//! umask, and looser ones snapscope owns are tightened when a cache is
//! loaded or saved. A cache file is opened only when it is a regular file
//! (never a FIFO or a device, never through a symbolic link) of at most
//! [`MAX_CACHE_BYTES`]; anything else is discarded like a corrupt cache.
//!
//! Format (little endian): header (magic, versions, options key, root),
//! then blocks of entries, each with its length, written as they are
//! encoded (the cache is never whole in memory), then an end mark, the
//! blocks' total length and their checksum. A block starts with what it
//! numbers first: strings of two tables (keys, interned once at load:
//! series keys, identities, test names, columns, test descriptions and
//! conditions; texts: tags, project ids, folders) and key lists (the shared key list of a
//! snapshot's series values, as key numbers). Blocks are decoded in
//! parallel once their tables are read. Each entry starts with its id, its
//! path (mostly the folder's number and `<id>.json`) and fingerprint; a
//! snapshot's values are its key list's number and the values' bytes exactly
//! as they are held in memory (`model::packed`: a code byte per value,
//! which is the value for a small whole number, offsets, then the `f32` and
//! `f64` values), checked in one pass at load; its metadata is JSON text.
//!
//! Files: `format` (constants, error, checksum), `encode`, `decode`.

mod decode;
mod encode;
mod format;

use std::collections::HashMap;
use std::ffi::OsStr;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::index::catalog::{Fingerprint, SnapshotEntry};
use crate::index::open::{self, Links, PRIVATE_DIR, PRIVATE_FILE};
use crate::index::scan::SnapshotFile;
use crate::model::intern::FxBuild;
use crate::parse::ParseOptions;

use decode::decode;
use encode::{encode, header_key};
pub use format::CacheError;
use format::*;

/// At most this many cache files are kept; the least recently written go first.
const MAX_CACHE_FILES: usize = 64;
/// Files modified this recently are not cached: a write within the same
/// mtime tick could otherwise go unnoticed.
const RACY_WINDOW: Duration = Duration::from_secs(2);
/// A cache file larger than this is discarded unread (one of 100,000
/// snapshots with a hundred values each is a few tens of MiB).
pub const MAX_CACHE_BYTES: u64 = 1 << 30;

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

/// Remove the cache file of workspace `root` from `dir`, if there is one, so
/// that no cache written before is used later (`--no-cache`: the next run
/// with the cache parses every file and writes it anew). Best effort.
pub fn discard(dir: &Path, root: &Path) {
    let file = cache_file(dir, root);
    match fs::remove_file(&file) {
        Ok(()) => tracing::debug!(file = %file.display(), "index cache removed"),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => tracing::info!(file = %file.display(), "index cache not removed: {e}"),
    }
    // A bucket's project records, kept beside its cache (`index::remote`).
    let _ = fs::remove_file(file.with_extension("records"));
}

/// [`discard`] in the default folder ([`default_dir`]): what `--no-cache` does.
pub fn discard_cache(root: &Path) {
    discard(&default_dir(), root);
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
        secure(dir);
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

    /// Load one cache file written for `root` with `opts`. It must be a
    /// regular file (not a link, FIFO or device) of at most [`MAX_CACHE_BYTES`].
    pub fn load_file(file: &Path, root: &Path, opts: &ParseOptions) -> Result<Self, CacheError> {
        let bytes = open::read_regular(file, Links::Refuse, MAX_CACHE_BYTES)?;
        let entries = decode(&bytes, &header_key(root, opts), root)?;
        Ok(IndexCache { entries })
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
    entries.sort_by(|a, b| a.run_order().cmp(&b.run_order()));
    open::create_private_dir(dir)?;
    secure(dir);
    let file = cache_file(dir, root);
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        file.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        std::process::id()
    ));
    let written = (|| {
        // A leftover of a crashed run with the same pid is replaced.
        let f = match open::create_private_file(&tmp) {
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                fs::remove_file(&tmp)?;
                open::create_private_file(&tmp)?
            }
            other => other?,
        };
        // No fsync: a file cut short by a crash fails its length or checksum
        // test on the next load and is discarded.
        let mut out = io::BufWriter::with_capacity(1 << 16, f);
        encode(&header_key(root, opts), root, &entries, &mut out)?;
        out.into_inner().map_err(io::IntoInnerError::into_error)?;
        fs::rename(&tmp, &file)
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(e.into());
    }
    prune(dir, &file);
    Ok(file)
}

/// Make the cache folder `dir` private, with the cache files in it (and
/// snapscope's cache folder above it when `dir` is the default one). Only
/// folders and files the user owns, only snapscope's names, only tighter.
fn secure(dir: &Path) {
    open::tighten(dir, PRIVATE_DIR);
    if dir == default_dir() {
        open::tighten(&cache_dir(), PRIVATE_DIR);
    }
    let Ok(rd) = fs::read_dir(dir) else { return };
    for e in rd.filter_map(Result::ok) {
        let name = e.file_name();
        let name = name.to_string_lossy();
        if name.ends_with(".idx") || (name.starts_with('.') && name.ends_with(".tmp")) {
            open::tighten(&e.path(), PRIVATE_FILE);
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::catalog::ChangeStamp;
    use crate::model::intern::intern;
    use crate::model::{Generation, SeriesSet, SeriesValue, Snapshot, SnapshotKind};
    use chrono::TimeZone;
    use std::sync::Arc;

    /// Every kind of value the short encodings could get wrong comes back
    /// bit for bit: signed zero, both ends of `i16` and just past them,
    /// what `f32` holds exactly and what it does not, tiny and huge values.
    #[test]
    fn series_values_come_back_bit_for_bit() {
        let values = [
            Some(0.0),
            Some(-0.0),
            Some(1.0),
            Some(-32768.0),
            Some(32767.0),
            Some(32768.0),
            Some(-32769.0),
            Some(0.5),
            Some(0.1),
            Some(16_777_217.0),
            Some(1e300),
            Some(-1e-310),
            Some(f64::from(f32::MAX)),
            None,
            Some(2.5e-8),
        ];
        let root = tempfile::tempdir().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = root.path().join("p/snapshots/s1.json");
        let series = SeriesSet::from_values(
            values
                .iter()
                .enumerate()
                .map(|(i, v)| SeriesValue {
                    key: intern(&format!("M.v{i}")),
                    value: *v,
                })
                .collect(),
        );
        let entry = SnapshotEntry {
            path: path.as_path().into(),
            fingerprint: Fingerprint {
                len: 10,
                mtime: Some(UNIX_EPOCH + Duration::from_secs(1_700_000_000)),
                stamp: ChangeStamp::None,
            },
            snapshot: Arc::new(Snapshot {
                id: "s1".into(),
                inner_id_mismatch: None,
                project_id: "p".into(),
                timestamp: chrono::Utc.with_ymd_and_hms(2024, 3, 1, 2, 0, 0).unwrap(),
                timestamp_naive: false,
                name: None,
                tags: vec![],
                metadata: Default::default(),
                generation: Generation::V2,
                kind: SnapshotKind::Run,
                tests: vec![],
                series,
                drift: vec![],
            }),
        };
        let opts = ParseOptions::default();
        save(dir.path(), root.path(), &opts, [&entry]).unwrap();
        let loaded = IndexCache::load(dir.path(), root.path(), &opts);
        assert_eq!(loaded.len(), 1);
        let back = &loaded.entries[0];
        assert_eq!(*back.path, *path);
        let got: Vec<Option<u64>> = back
            .snapshot
            .series
            .iter()
            .map(|v| v.value.map(f64::to_bits))
            .collect();
        let want: Vec<Option<u64>> = values.iter().map(|v| v.map(f64::to_bits)).collect();
        assert_eq!(got, want);
    }
}
