//! The project records of a bucket (`metadata.json`, `dashboard.json`) as
//! last fetched, kept beside its index cache file (`<hash>.records`), so
//! that a warm start sends no GET for an unchanged record either. Each
//! record is kept with the size and ETag hash it was listed with; one that
//! changed is fetched again. Holds object bytes only, never a credential.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::index::catalog::{ChangeStamp, Fingerprint};
use crate::index::open;

const MAGIC: &[u8; 8] = b"SSREC01\0";
/// A records file larger than this is not read.
const MAX_FILE: u64 = 256 << 20;

/// Listed size and ETag hash: what must match for kept bytes to be used.
pub type Version = (u64, u64);

/// The version of a listed object.
pub fn version(fp: &Fingerprint) -> Option<Version> {
    match fp.stamp {
        ChangeStamp::Object { etag_hash } => Some((fp.len, etag_hash)),
        _ => None,
    }
}

/// The records kept in `file`: path → (version, bytes). Empty when there
/// is none or it is damaged.
pub fn load(file: &Path) -> HashMap<PathBuf, (Version, Vec<u8>)> {
    let Ok(bytes) = open::read_regular(file, open::Links::Refuse, MAX_FILE) else {
        return HashMap::new();
    };
    decode(&bytes).unwrap_or_default()
}

fn decode(b: &[u8]) -> Option<HashMap<PathBuf, (Version, Vec<u8>)>> {
    let mut r = b.strip_prefix(MAGIC.as_slice())?;
    let mut take = |n: usize| -> Option<&[u8]> {
        let (head, rest) = (r.get(..n)?, r.get(n..)?);
        r = rest;
        Some(head)
    };
    let mut out = HashMap::new();
    let count = u32::from_le_bytes(take(4)?.try_into().ok()?);
    for _ in 0..count {
        let n = u32::from_le_bytes(take(4)?.try_into().ok()?) as usize;
        let path = PathBuf::from(String::from_utf8(take(n)?.to_vec()).ok()?);
        let len = u64::from_le_bytes(take(8)?.try_into().ok()?);
        let etag = u64::from_le_bytes(take(8)?.try_into().ok()?);
        let n = u32::from_le_bytes(take(4)?.try_into().ok()?) as usize;
        out.insert(path, ((len, etag), take(n)?.to_vec()));
    }
    Some(out)
}

/// Keep `records` in `file` (atomically: a temp file renamed over it).
pub fn save(file: &Path, records: &HashMap<PathBuf, (Version, Vec<u8>)>) -> io::Result<()> {
    let mut b = MAGIC.to_vec();
    b.extend_from_slice(&u32::try_from(records.len()).unwrap_or(0).to_le_bytes());
    for (path, ((len, etag), data)) in records {
        let p = path.to_string_lossy();
        b.extend_from_slice(&u32::try_from(p.len()).unwrap_or(0).to_le_bytes());
        b.extend_from_slice(p.as_bytes());
        b.extend_from_slice(&len.to_le_bytes());
        b.extend_from_slice(&etag.to_le_bytes());
        b.extend_from_slice(&u32::try_from(data.len()).unwrap_or(0).to_le_bytes());
        b.extend_from_slice(data);
    }
    let Some(dir) = file.parent() else {
        return Ok(());
    };
    open::create_private_dir(dir)?;
    let tmp = file.with_extension(format!("records.{}.tmp", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    let written = (|| {
        let mut f = open::create_private_file(&tmp)?;
        f.write_all(&b)?;
        drop(f);
        std::fs::rename(&tmp, file)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_damage_reads_as_none() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("x.records");
        let mut m = HashMap::new();
        m.insert(
            PathBuf::from("s3://b/p/metadata.json"),
            ((3, 7), b"{}\n".to_vec()),
        );
        save(&file, &m).unwrap();
        assert_eq!(load(&file), m);
        let mut bytes = std::fs::read(&file).unwrap();
        bytes.truncate(bytes.len() - 1);
        std::fs::write(&file, bytes).unwrap();
        assert!(load(&file).is_empty());
    }
}
