//! The cache file's format: magic and version, the error type, the
//! status and path encodings and the checksum shared by [`super::encode`]
//! and [`super::decode`].

use std::io;
use std::path::{Path, PathBuf};

use crate::model::TestStatus;

pub(super) const MAGIC: &[u8; 8] = b"SNSCIDX\0";
/// Bumped whenever the layout below or the parser's output changes meaning.
pub(super) const FORMAT_VERSION: u32 = 11;
pub(super) const NONE_U32: u32 = u32::MAX;
/// Entries per block; blocks are decoded in parallel.
pub(super) const BLOCK: usize = 128;
/// How an entry's path is written: `<folder>/<id>.json` with the folder
/// from the texts table, or the relative path's bytes.
pub(super) const PATH_USUAL: u8 = 0;
pub(super) const PATH_BYTES: u8 = 1;
/// Where a block's length would be: the blocks have ended (a block is never
/// empty: it holds its table and entry counts).
pub(super) const END_MARK: u32 = 0;

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

pub(super) fn status_code(s: TestStatus) -> u8 {
    match s {
        TestStatus::Fail => 0,
        TestStatus::Error => 1,
        TestStatus::Warning => 2,
        TestStatus::Success => 3,
        TestStatus::Skipped => 4,
    }
}

#[cfg(unix)]
pub(super) fn path_bytes(p: &Path) -> std::borrow::Cow<'_, [u8]> {
    use std::os::unix::ffi::OsStrExt;
    std::borrow::Cow::Borrowed(p.as_os_str().as_bytes())
}

#[cfg(not(unix))]
pub(super) fn path_bytes(p: &Path) -> std::borrow::Cow<'_, [u8]> {
    std::borrow::Cow::Owned(p.to_string_lossy().into_owned().into_bytes())
}

#[cfg(unix)]
pub(super) fn path_from_bytes(b: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(b))
}

#[cfg(not(unix))]
pub(super) fn path_from_bytes(b: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(b).into_owned())
}

/// FNV-1a over bytes (file names).
pub(super) fn hash64(b: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &x in b {
        h ^= u64::from(x);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// A fast 64-bit checksum over 8-byte words (detects truncation and bit rot,
/// not tampering). Streaming: the bytes may come in pieces of any size, the
/// sum is that of their concatenation.
#[derive(Clone, Copy)]
pub(super) struct Hasher {
    h: u64,
    len: u64,
    /// The bytes of a word not complete yet.
    tail: [u8; 8],
    tail_len: usize,
}

impl Hasher {
    pub(super) fn new() -> Hasher {
        Hasher {
            h: 0x9E37_79B9_7F4A_7C15,
            len: 0,
            tail: [0; 8],
            tail_len: 0,
        }
    }
    pub(super) fn update(&mut self, mut b: &[u8]) {
        self.len += b.len() as u64;
        if self.tail_len > 0 {
            let n = (8 - self.tail_len).min(b.len());
            self.tail[self.tail_len..self.tail_len + n].copy_from_slice(&b[..n]);
            self.tail_len += n;
            b = &b[n..];
            if self.tail_len < 8 {
                return;
            }
            self.mix(u64::from_le_bytes(self.tail));
            self.tail_len = 0;
        }
        let mut chunks = b.chunks_exact(8);
        for c in &mut chunks {
            let mut a = [0u8; 8];
            a.copy_from_slice(c);
            self.mix(u64::from_le_bytes(a));
        }
        let rest = chunks.remainder();
        self.tail[..rest.len()].copy_from_slice(rest);
        self.tail_len = rest.len();
    }
    fn mix(&mut self, w: u64) {
        self.h = (self.h ^ w)
            .wrapping_mul(0xFF51_AFD7_ED55_8CCD)
            .rotate_left(29);
    }
    pub(super) fn finish(&self) -> u64 {
        // The bytes of an incomplete last word go in one by one, marked.
        let mut last = *self;
        for &x in &self.tail[..self.tail_len] {
            last.mix(u64::from(x) | 0x100);
        }
        let mut h = last.h ^ self.len;
        h ^= h >> 33;
        h = h.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
        h ^ (h >> 33)
    }
}

/// The root as cached: canonical when it can be resolved, else absolute.
pub(super) fn canonical_root(root: &Path) -> PathBuf {
    // A bucket URL is its own key: there is nothing to resolve.
    if crate::index::remote::is_remote(root) {
        return crate::index::remote::normalized_root(root);
    }
    root.canonicalize()
        .or_else(|_| std::path::absolute(root))
        .unwrap_or_else(|_| root.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::Hasher;

    #[test]
    fn the_checksum_of_pieces_is_that_of_the_whole() {
        let data: Vec<u8> = (0..100u8).collect();
        let mut whole = Hasher::new();
        whole.update(&data);
        for cuts in [[1, 2], [7, 8], [3, 50], [0, 99], [13, 13]] {
            let mut h = Hasher::new();
            h.update(&data[..cuts[0]]);
            h.update(&data[cuts[0]..cuts[1]]);
            h.update(&data[cuts[1]..]);
            assert_eq!(h.finish(), whole.finish(), "{cuts:?}");
        }
        let mut other = Hasher::new();
        other.update(&data[1..]);
        assert_ne!(other.finish(), whole.finish());
    }
}
