//! The cheap poll of a bucket. Evidently names snapshots by uuid7, whose
//! first 48 bits are the creation time in milliseconds, so their keys sort
//! by creation: a poll asks each project's `snapshots/` folder only for the
//! keys after the newest known one (less a look-back window, for a job that
//! created its snapshot earlier than another but uploaded it later), plus
//! one delimited listing of the top to see projects come and go. An idle
//! poll is then `1 + projects` LIST requests, whatever the number of
//! snapshots. Rewrites and deletes of older keys are seen by the full
//! listing that the live index still runs every few polls.

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use crate::index::catalog::Fingerprint;
use crate::index::scan::{self, Layout, NameRole, ProjectDir, SnapshotFile};

use super::client::RemoteStore;
use super::RemoteError;

/// How far before the newest known snapshot's creation time a poll looks
/// again (snapshots created meanwhile and uploaded late).
pub const LOOKBACK_MS: u64 = 15 * 60 * 1000;

/// What a cheap poll found.
#[derive(Debug, PartialEq, Eq)]
pub enum Polled {
    /// The snapshot objects created since (about) the newest known ones,
    /// known ones among them; empty when idle.
    Recent(Vec<SnapshotFile>),
    /// A cheap poll cannot tell: the top folders changed (a project came
    /// or went), the store cannot list after a key, or a project holds a
    /// name that is not a uuid7. List the bucket whole.
    Relist,
}

/// The creation time (ms since the epoch) of a uuid7 snapshot file name
/// (`<uuid7>.json`), `None` for any other name.
pub fn uuid7_millis(name: &str) -> Option<u64> {
    let stem = name.strip_suffix(".json")?;
    let b = stem.as_bytes();
    let is_uuid = b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        });
    if !is_uuid || b[14] != b'7' {
        return None;
    }
    let hex: String = stem[..13].chars().filter(|c| *c != '-').collect();
    u64::from_str_radix(&hex, 16).ok()
}

/// The key prefix of a uuid7 created at `millis` (sorts before every uuid7
/// created at that millisecond or later).
fn uuid7_prefix(millis: u64) -> String {
    let hex = format!("{:012x}", millis & 0xffff_ffff_ffff);
    format!("{}-{}", &hex[..8], &hex[8..])
}

/// Poll `store` cheaply. `projects` are the known projects, each with the
/// file names of its known snapshots (any order).
pub fn poll_recent<'a>(
    store: &RemoteStore,
    layout: Layout,
    projects: impl IntoIterator<Item = (&'a ProjectDir, Vec<&'a OsStr>)>,
) -> Result<Polled, RemoteError> {
    if !store.lists_after() {
        return Ok(Polled::Relist);
    }
    let url = store.url();
    let mut asks = Vec::new();
    for (pd, names) in projects {
        let mut newest = None;
        for name in names {
            match name.to_str().and_then(uuid7_millis) {
                Some(ms) => newest = newest.max(Some(ms)),
                None => return Ok(Polled::Relist),
            }
        }
        let Some(dir) = store.key_of(&pd.snapshots_dir) else {
            return Ok(Polled::Relist);
        };
        let dir = format!("{}/", dir.trim_end_matches('/'));
        let after =
            newest.map(|ms| format!("{dir}{}", uuid7_prefix(ms.saturating_sub(LOOKBACK_MS))));
        asks.push((pd, dir, after));
    }
    if layout == Layout::Workspace {
        let prefix = url.list_prefix();
        let top = store.list_dir(&prefix, None)?;
        let dirs: BTreeSet<String> = top
            .iter()
            .filter_map(|o| o.key.strip_prefix(&prefix)?.strip_suffix('/'))
            .filter(|n| !n.is_empty() && !n.contains('/'))
            .map(str::to_string)
            .collect();
        if dirs != store.top_dirs() {
            return Ok(Polled::Relist);
        }
    }
    let mut found = Vec::new();
    let mut seen: Vec<(PathBuf, Fingerprint)> = Vec::new();
    for (pd, dir, after) in asks {
        for o in store.list_dir(&dir, after.as_deref())? {
            let Some(name) = o.key.rsplit('/').next().filter(|n| !n.is_empty()) else {
                continue;
            };
            let path = pd.snapshots_dir.join(name);
            if let NameRole::Snapshot(id) = scan::name_role(layout, OsStr::new(name)) {
                seen.push((path.clone(), o.fingerprint));
                found.push(SnapshotFile {
                    path: path.into(),
                    id,
                    project_id: pd.id.as_str().into(),
                    fingerprint: o.fingerprint,
                });
            }
        }
    }
    store.remember_more(&seen);
    Ok(Polled::Recent(found))
}

/// The folder names directly under `root` in a tree of object paths.
pub fn top_dirs_of<'a>(root: &Path, dirs: impl Iterator<Item = &'a PathBuf>) -> BTreeSet<String> {
    dirs.filter(|d| d.parent() == Some(root))
        .filter_map(|d| d.file_name()?.to_str().map(str::to_string))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid7_names_give_their_creation_time() {
        // 0x01a2230c81bf ms = 2026-...; the legacy-0.4 workspace's first snapshot.
        let name = "01a2230c-81bf-7165-ac6b-30834bced581.json";
        assert_eq!(uuid7_millis(name), Some(0x01a2_230c_81bf));
        assert_eq!(uuid7_prefix(0x01a2_230c_81bf), "01a2230c-81bf");
        assert!(uuid7_prefix(0x01a2_230c_81bf).as_str() < name);
        assert!(uuid7_prefix(0x01a2_230c_81c0).as_str() > name);
        // uuid4, a bad length, not hex, no .json: no time.
        assert_eq!(
            uuid7_millis("0e2f6e4c-3d5a-4f4e-9b1a-1c2d3e4f5a6b.json"),
            None
        );
        assert_eq!(
            uuid7_millis("01a2230c-81bf-7165-ac6b-30834bced58.json"),
            None
        );
        assert_eq!(
            uuid7_millis("01a2230c-81bf-7165-ac6b-30834bced58g.json"),
            None
        );
        assert_eq!(uuid7_millis("01a2230c-81bf-7165-ac6b-30834bced581"), None);
    }
}
