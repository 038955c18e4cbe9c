//! The in-memory index of a workspace: projects, their snapshots sorted by
//! time, and the files that could not be read. Knows nothing of disks being
//! watched or of terminals; it is updated by plain calls.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use chrono::{DateTime, Utc};

use crate::model::intern::intern;
use crate::model::{Project, Snapshot};

/// What tells one version of a file from another without reading it: size,
/// modification time and a [`ChangeStamp`]. Unchanged fingerprint,
/// unchanged content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Fingerprint {
    pub len: u64,
    pub mtime: Option<SystemTime>,
    pub stamp: ChangeStamp,
}

/// What moves on every write of a file even when its size and mtime are
/// put back (a copy tool restoring times, `touch -d`). A storage backend
/// without inodes adds its own variant here (a bucket: a hash of the
/// object's ETag or generation), keeping the type `Copy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChangeStamp {
    /// Nothing beyond size and mtime is known.
    #[default]
    None,
    /// A local file: its inode number and status-change time (ctime), which
    /// every write, rename and chmod moves and no tool can set back.
    Inode {
        ino: u64,
        ctime_sec: i64,
        ctime_nsec: u32,
    },
    /// An object in a bucket: a 64-bit hash of its ETag (and version, when
    /// the store keeps versions), which moves on every write of the object.
    Object { etag_hash: u64 },
}

/// A parsed snapshot and where it came from.
#[derive(Debug, Clone)]
pub struct SnapshotEntry {
    /// Shared with the catalog's path lookup (one copy of the text).
    pub path: Arc<Path>,
    pub fingerprint: Fingerprint,
    pub snapshot: Arc<Snapshot>,
}

impl SnapshotEntry {
    /// The order of runs everywhere: by timestamp, then id.
    pub fn run_order(&self) -> (DateTime<Utc>, &str) {
        (self.snapshot.timestamp, &self.snapshot.id)
    }
}

/// A file that looked like a snapshot (or project record) but could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub path: PathBuf,
    /// The project folder's id, when the file belongs to one.
    pub project_id: Option<String>,
    /// One-line reason.
    pub reason: String,
}

/// One project with its snapshots, sorted by (timestamp, id).
#[derive(Debug, Clone)]
pub struct ProjectEntry {
    pub project: Project,
    pub snapshots: Vec<SnapshotEntry>,
}

impl ProjectEntry {
    /// The newest snapshot, if any.
    pub fn latest(&self) -> Option<&SnapshotEntry> {
        self.snapshots.last()
    }

    /// Timestamp of the oldest and newest snapshots.
    pub fn span(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        Some((
            self.snapshots.first()?.snapshot.timestamp,
            self.snapshots.last()?.snapshot.timestamp,
        ))
    }

    /// Index of the snapshot with this id.
    pub fn position(&self, snapshot_id: &str) -> Option<usize> {
        self.snapshots
            .iter()
            .position(|s| s.snapshot.id == snapshot_id)
    }

    fn insert_sorted(&mut self, entry: SnapshotEntry) {
        let key = entry.run_order();
        let pos = self.snapshots.partition_point(|s| s.run_order() < key);
        self.snapshots.insert(pos, entry);
    }
}

/// The whole index.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// Projects keyed by id.
    projects: BTreeMap<String, ProjectEntry>,
    /// Unreadable files keyed by path.
    unreadable: BTreeMap<PathBuf, Unreadable>,
    /// Which project holds the snapshot read from a path (the entry's own
    /// path and the interned project id: no copies per snapshot).
    by_path: HashMap<Arc<Path>, Arc<str>>,
}

impl Catalog {
    /// An empty catalog.
    pub fn new() -> Catalog {
        Catalog::default()
    }

    /// Projects sorted by name (then id).
    pub fn projects(&self) -> Vec<&ProjectEntry> {
        let mut v: Vec<&ProjectEntry> = self.projects.values().collect();
        v.sort_by(|a, b| {
            a.project
                .name
                .to_lowercase()
                .cmp(&b.project.name.to_lowercase())
                .then_with(|| a.project.id.cmp(&b.project.id))
        });
        v
    }

    /// A project by id.
    pub fn project(&self, id: &str) -> Option<&ProjectEntry> {
        self.projects.get(id)
    }

    /// A project by id, or by name (exact, then case-insensitive).
    pub fn find_project(&self, name_or_id: &str) -> Option<&ProjectEntry> {
        if let Some(p) = self.projects.get(name_or_id) {
            return Some(p);
        }
        let lower = name_or_id.to_lowercase();
        self.projects
            .values()
            .find(|p| p.project.name == name_or_id)
            .or_else(|| {
                self.projects
                    .values()
                    .find(|p| p.project.name.to_lowercase() == lower)
            })
    }

    /// Insert or replace a project record (keeps its snapshots).
    pub fn upsert_project(&mut self, project: Project) {
        match self.projects.get_mut(&project.id) {
            Some(e) => e.project = project,
            None => {
                self.projects.insert(
                    project.id.clone(),
                    ProjectEntry {
                        project,
                        snapshots: Vec::new(),
                    },
                );
            }
        }
    }

    /// Remove a project and its snapshots; returns it.
    pub fn remove_project(&mut self, id: &str) -> Option<ProjectEntry> {
        let removed = self.projects.remove(id);
        if let Some(p) = &removed {
            for s in &p.snapshots {
                self.by_path.remove(&s.path);
            }
        }
        self.unreadable
            .retain(|_, u| u.project_id.as_deref() != Some(id));
        removed
    }

    /// Insert or replace the snapshot read from `entry.path`. The project must
    /// exist (it is created with a placeholder record otherwise). Clears any
    /// unreadable record for that path. Returns true when it replaced an entry.
    pub fn upsert_snapshot(&mut self, entry: SnapshotEntry) -> bool {
        self.unreadable.remove(&*entry.path);
        let replaced = self.remove_snapshot_path(&entry.path).is_some();
        let pid = entry.snapshot.project_id.clone();
        self.by_path.insert(entry.path.clone(), intern(&pid));
        let path = entry.path.clone();
        self.project_for(pid, &path).insert_sorted(entry);
        replaced
    }

    /// [`Catalog::upsert_snapshot`] for many entries at once, with the same
    /// result, but each touched project is sorted once (cheap when the
    /// entries come in time order).
    pub fn upsert_snapshots(&mut self, entries: impl IntoIterator<Item = SnapshotEntry>) {
        let entries = entries.into_iter();
        self.by_path.reserve(entries.size_hint().0);
        // The new entries of each project (and the path a placeholder
        // record would be made from: the project's first new entry).
        let mut added: HashMap<String, (Arc<Path>, Vec<SnapshotEntry>)> = HashMap::new();
        for entry in entries {
            if !self.unreadable.is_empty() {
                self.unreadable.remove(&*entry.path);
            }
            let pid = &entry.snapshot.project_id;
            if let Some(old) = self.by_path.insert(entry.path.clone(), intern(pid)) {
                // A replacement: drop the entry read before from that path.
                if let Some(p) = self.projects.get_mut(&*old) {
                    p.snapshots.retain(|s| s.path != entry.path);
                }
                if let Some((_, v)) = added.get_mut(&*old) {
                    v.retain(|s| s.path != entry.path);
                }
            }
            match added.get_mut(pid) {
                Some((_, v)) => v.push(entry),
                None => {
                    added.insert(pid.clone(), (entry.path.clone(), vec![entry]));
                }
            }
        }
        for (pid, (first_path, new)) in added {
            let p = self.project_for(pid, &first_path);
            p.snapshots.extend(new);
            p.snapshots
                .sort_by(|a, b| a.run_order().cmp(&b.run_order()));
        }
    }

    /// The project `pid`, created with a placeholder record (named after its
    /// id, folder taken from the snapshot's `path`) when it is not known.
    fn project_for(&mut self, pid: String, path: &Path) -> &mut ProjectEntry {
        self.projects.entry(pid).or_insert_with_key(|pid| {
            let folder = path
                .parent()
                .and_then(Path::parent)
                .map(Path::to_path_buf)
                .unwrap_or_default();
            ProjectEntry {
                project: Project {
                    id: pid.clone(),
                    name: pid.clone(),
                    description: None,
                    folder,
                    created_at: None,
                    warning: None,
                    dashboard: None,
                },
                snapshots: Vec::new(),
            }
        })
    }

    /// Drop the spare capacity of the entry lists (grown one entry at a
    /// time while a scan comes in): kept for the life of the index.
    pub fn shrink_to_fit(&mut self) {
        for p in self.projects.values_mut() {
            p.snapshots.shrink_to_fit();
        }
        self.by_path.shrink_to_fit();
    }

    /// Remove the snapshot read from `path`; returns it.
    pub fn remove_snapshot_path(&mut self, path: &Path) -> Option<SnapshotEntry> {
        let pid = self.by_path.remove(path)?;
        let p = self.projects.get_mut(&*pid)?;
        let i = p.snapshots.iter().position(|s| *s.path == *path)?;
        Some(p.snapshots.remove(i))
    }

    /// The entry read from `path`, if any.
    pub fn snapshot_by_path(&self, path: &Path) -> Option<&SnapshotEntry> {
        let pid = self.by_path.get(path)?;
        self.projects
            .get(&**pid)?
            .snapshots
            .iter()
            .find(|s| *s.path == *path)
    }

    /// Record a file that could not be read.
    pub fn set_unreadable(&mut self, u: Unreadable) {
        self.unreadable.insert(u.path.clone(), u);
    }

    /// Forget an unreadable record (file deleted or fixed).
    pub fn clear_unreadable(&mut self, path: &Path) -> Option<Unreadable> {
        self.unreadable.remove(path)
    }

    /// All unreadable files, sorted by path.
    pub fn unreadable(&self) -> impl Iterator<Item = &Unreadable> {
        self.unreadable.values()
    }

    /// Number of unreadable files in one project.
    pub fn unreadable_in(&self, project_id: &str) -> usize {
        self.unreadable
            .values()
            .filter(|u| u.project_id.as_deref() == Some(project_id))
            .count()
    }

    /// Total number of snapshots.
    pub fn snapshot_count(&self) -> usize {
        self.projects.values().map(|p| p.snapshots.len()).sum()
    }

    /// Every series key in a project with its number of points, sorted by key.
    pub fn series_keys(&self, project_id: &str) -> Vec<(String, usize)> {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        if let Some(p) = self.projects.get(project_id) {
            for s in &p.snapshots {
                for v in &s.snapshot.series {
                    *counts.entry(v.key.as_ref()).or_default() += 1;
                }
            }
        }
        counts
            .into_iter()
            .map(|(k, n)| (k.to_string(), n))
            .collect()
    }

    /// The points of one series in a project, in time order:
    /// (snapshot, value) for every snapshot that has the key.
    pub fn trend<'a>(
        &'a self,
        project_id: &str,
        key: &str,
    ) -> Vec<(&'a Arc<Snapshot>, Option<f64>)> {
        let Some(p) = self.projects.get(project_id) else {
            return Vec::new();
        };
        p.snapshots
            .iter()
            .filter_map(|s| s.snapshot.series_value(key).map(|v| (&s.snapshot, v.value)))
            .collect()
    }
}
