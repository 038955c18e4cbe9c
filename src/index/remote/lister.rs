//! A bucket listing as the index sees a folder: the object keys under the
//! root become a tree of paths (`s3://bucket/prefix/<project>/snapshots/<id>.json`),
//! organised by the same rules as a folder on disk (`scan::detect_layout_in`,
//! `scan::project_dir`, `scan::name_role`), into a [`Listing`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::index::catalog::{Fingerprint, Unreadable};
use crate::index::scan::{self, Layout, Listing, NameRole, SnapshotFile, Tree};

use super::client::ObjectInfo;
use super::url::RemoteUrl;

/// The keys under a root as folders and files.
#[derive(Debug, Default)]
pub struct KeyTree {
    files: BTreeMap<PathBuf, Fingerprint>,
    dirs: BTreeSet<PathBuf>,
    /// Folder → the paths directly in it.
    children: BTreeMap<PathBuf, BTreeSet<PathBuf>>,
}

impl KeyTree {
    /// The tree of `objects` (keys relative to the bucket) under `url`.
    pub fn new(url: &RemoteUrl, objects: &[ObjectInfo]) -> KeyTree {
        let root = url.root_path();
        let prefix = url.list_prefix();
        let mut t = KeyTree::default();
        t.dirs.insert(root.clone());
        for o in objects {
            let Some(rel) = o.key.strip_prefix(&prefix) else {
                continue;
            };
            // A key ending in `/` is a folder marker; empty names are not paths.
            let is_dir = rel.ends_with('/');
            let parts: Vec<&str> = rel.split('/').filter(|p| !p.is_empty()).collect();
            let mut at = root.clone();
            for (i, part) in parts.iter().enumerate() {
                let next = at.join(part);
                t.children
                    .entry(at.clone())
                    .or_default()
                    .insert(next.clone());
                let last = i + 1 == parts.len();
                if last && !is_dir {
                    t.files.insert(next.clone(), o.fingerprint);
                } else {
                    t.dirs.insert(next.clone());
                }
                at = next;
            }
        }
        t
    }

    /// Every object (file) with its fingerprint.
    pub fn files(&self) -> &BTreeMap<PathBuf, Fingerprint> {
        &self.files
    }

    /// Every folder, the root included.
    pub fn dirs(&self) -> impl Iterator<Item = &PathBuf> {
        self.dirs.iter()
    }

    /// How many objects (files) the tree holds.
    pub fn file_count(&self) -> usize {
        self.files.len()
    }
}

impl Tree for KeyTree {
    fn is_dir(&self, p: &Path) -> bool {
        self.dirs.contains(p)
    }
    fn is_file(&self, p: &Path) -> bool {
        self.files.contains_key(p)
    }
    fn entries(&self, dir: &Path) -> Vec<PathBuf> {
        self.children
            .get(dir)
            .map(|c| c.iter().cloned().collect())
            .unwrap_or_default()
    }
}

/// The layout and listing of `tree` under `root`, by the rules of a folder on disk.
pub fn listing(tree: &KeyTree, root: &Path) -> (Layout, Listing) {
    let layout = scan::detect_layout_in(tree, root);
    let projects = match layout {
        Layout::Project | Layout::Flat => vec![scan::project_dir(tree, root, layout)],
        Layout::Workspace => tree
            .entries(root)
            .into_iter()
            .filter(|p| tree.is_dir(p))
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| !n.to_string_lossy().starts_with('.'))
            })
            .map(|p| scan::project_dir(tree, &p, layout))
            // As on disk: a folder is a project with `metadata.json` or `snapshots/`.
            .filter(|pd| pd.metadata.is_some() || tree.is_dir(&pd.snapshots_dir))
            .collect(),
    };
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for pd in &projects {
        for path in tree.entries(&pd.snapshots_dir) {
            let Some(name) = path.file_name() else {
                continue;
            };
            let Some(fingerprint) = tree.files.get(&path).copied() else {
                continue;
            };
            match scan::name_role(layout, name) {
                NameRole::Snapshot(id) => files.push(SnapshotFile {
                    path: path.into(),
                    id,
                    project_id: pd.id.as_str().into(),
                    fingerprint,
                }),
                NameRole::Misnamed => problems.push(Unreadable {
                    path,
                    project_id: Some(pd.id.clone()),
                    reason: scan::MISNAMED.to_string(),
                }),
                NameRole::Other => {}
            }
        }
    }
    (
        layout,
        Listing {
            projects,
            files,
            problems,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn objects(keys: &[&str]) -> Vec<ObjectInfo> {
        keys.iter()
            .map(|k| ObjectInfo {
                key: k.to_string(),
                fingerprint: Fingerprint::default(),
            })
            .collect()
    }

    const P: &str = "01a2230d-9847-7140-9b8f-4b00e3502eb7";
    const S: &str = "01a2230d-99bd-7f72-be6e-2d7bf8dac3f9";

    #[test]
    fn keys_take_the_three_layouts_of_a_folder() {
        let url = RemoteUrl::parse(Path::new("s3://b/ws")).unwrap().unwrap();
        let ws = objects(&[
            &format!("ws/{P}/metadata.json"),
            &format!("ws/{P}/snapshots/{S}.json"),
            &format!("ws/{P}/snapshots/notes.json"),
            &format!("ws/{P}/snapshots/{S}.links.json"),
            "ws/.hidden/snapshots/x.json",
        ]);
        let tree = KeyTree::new(&url, &ws);
        let (layout, l) = listing(&tree, &url.root_path());
        assert_eq!(layout, Layout::Workspace);
        assert_eq!(l.projects.len(), 1);
        assert_eq!(l.projects[0].id, P);
        assert_eq!(l.files.len(), 1);
        assert_eq!(
            *l.files[0].path,
            *PathBuf::from(format!("s3://b/ws/{P}/snapshots/{S}.json"))
        );
        assert_eq!(l.problems.len(), 1, "the misnamed notes.json");

        let url = RemoteUrl::parse(Path::new(&format!("s3://b/ws/{P}")))
            .unwrap()
            .unwrap();
        let (layout, l) = listing(&KeyTree::new(&url, &ws), &url.root_path());
        assert_eq!((layout, l.files.len()), (Layout::Project, 1));

        let url = RemoteUrl::parse(Path::new("s3://b/flat")).unwrap().unwrap();
        let flat = objects(&["flat/a.json", "flat/b.json", "flat/metadata.json"]);
        let (layout, l) = listing(&KeyTree::new(&url, &flat), &url.root_path());
        assert_eq!(layout, Layout::Project, "metadata.json makes a project");
        let flat = objects(&["flat/a.json", "flat/b.json"]);
        let (layout, l2) = listing(&KeyTree::new(&url, &flat), &url.root_path());
        assert_eq!((layout, l2.files.len()), (Layout::Flat, 2));
        assert_eq!(l2.projects[0].id, "flat");
        drop(l);
    }
}
