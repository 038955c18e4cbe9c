//! Locating projects and snapshot files on disk (format doc §2.3).
//!
//! PATH may be a workspace root (project folders), one project folder, or a
//! flat folder of snapshot files. Nothing here parses JSON or writes anything.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use walkdir::WalkDir;

use crate::index::catalog::{ChangeStamp, Fingerprint, Unreadable};
use crate::index::open;

/// How the folder given on the command line is organised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// A workspace: one sub-folder per project.
    Workspace,
    /// One project folder (`metadata.json`, `snapshots/`).
    Project,
    /// A flat folder of snapshot files; it forms one project named after the folder.
    Flat,
}

/// A project folder found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectDir {
    /// The project id used as key: the folder name.
    pub id: String,
    pub folder: PathBuf,
    /// `metadata.json`, when present.
    pub metadata: Option<PathBuf>,
    /// `dashboard.json` (v2), when present.
    pub dashboard: Option<PathBuf>,
    /// Where its snapshot files live.
    pub snapshots_dir: PathBuf,
    /// The folder itself could not be listed (a listing problem says why):
    /// what it holds, `metadata.json` included, is unknown.
    pub unlistable: bool,
}

/// A snapshot file found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotFile {
    /// Shared with the entry read from it (one copy of the text).
    pub path: Arc<Path>,
    /// Snapshot id: the file stem.
    pub id: String,
    /// Owning project's id (its folder name), one copy per project.
    pub project_id: Arc<str>,
    pub fingerprint: Fingerprint,
}

/// Everything a listing of the folder found.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    pub projects: Vec<ProjectDir>,
    pub files: Vec<SnapshotFile>,
    /// Folders or files that could not be listed or do not fit the layout.
    pub problems: Vec<Unreadable>,
}

/// What a changed path means to the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathRole {
    /// A snapshot file of the project with this id.
    Snapshot { project_id: String, id: String },
    /// A project's `metadata.json`.
    ProjectMetadata { project_id: String },
    /// A project's `dashboard.json`.
    Dashboard { project_id: String },
    /// A project folder itself (or its `snapshots/` folder, or a misnamed
    /// `*.json` in it): the project is listed again.
    ProjectFolder { project_id: String },
    /// Anything else: ignored.
    Ignored,
}

/// Why the folder could not be scanned at all.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}: not a folder")]
    NotADirectory(String),
    #[error("cannot list folder {path}: {source}")]
    Unlistable {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// A bucket could not be listed or read (`index::remote`).
    #[error(transparent)]
    Remote(#[from] crate::index::remote::RemoteError),
    /// A bucket URL that names no bucket.
    #[error(transparent)]
    BadUrl(crate::index::remote::UrlError),
}

/// Check that `root` is a folder this process may list: a PATH that cannot
/// be listed is an error, never an empty workspace.
pub fn check_root(root: &Path) -> Result<(), ScanError> {
    let meta = fs::metadata(root).map_err(|source| ScanError::Io {
        path: root.display().to_string(),
        source,
    })?;
    if !meta.is_dir() {
        return Err(ScanError::NotADirectory(root.display().to_string()));
    }
    fs::read_dir(root).map_err(|source| ScanError::Unlistable {
        path: root.display().to_string(),
        source,
    })?;
    Ok(())
}

/// True for a lowercase or uppercase hyphenated UUID.
pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

fn is_hidden_or_temp(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('~')
        || name.ends_with('~')
        || name.ends_with(".tmp")
        || name.ends_with(".swp")
        || name.ends_with(".part")
}

/// Snapshot id for a file name inside a project's `snapshots/` folder:
/// `<uuid>.json` exactly (no `.links.json`, temp or hidden files).
pub fn snapshot_id_in_project(name: &OsStr) -> Option<String> {
    let name = name.to_str()?;
    let stem = name.strip_suffix(".json")?;
    is_uuid(stem).then(|| stem.to_string())
}

/// Why a `.json` file in a project's `snapshots/` folder that is not
/// `<uuid>.json` is listed as unreadable.
pub const MISNAMED: &str =
    "file name is not a snapshot id (a project's snapshots/ holds <uuid>.json files)";

/// True for a name in a project's `snapshots/` folder that looks meant as
/// a snapshot but is not `<uuid>.json`: any other `*.json` except
/// `.links.json`, hidden and temp files.
fn misnamed_in_project(name: &OsStr) -> bool {
    let name = name.to_string_lossy();
    name.ends_with(".json")
        && !name.ends_with(".links.json")
        && !is_hidden_or_temp(&name)
        && snapshot_id_in_project(OsStr::new(name.as_ref())).is_none()
}

/// Snapshot id for a file in a flat folder: any `*.json` except project
/// records, `.links.json`, hidden and temp files. Non-UTF-8 names are lossy.
pub fn snapshot_id_in_flat(name: &OsStr) -> Option<String> {
    let name = name.to_string_lossy();
    if is_hidden_or_temp(&name) || name.ends_with(".links.json") {
        return None;
    }
    if name == "metadata.json" || name == "dashboard.json" {
        return None;
    }
    let stem = name.strip_suffix(".json")?;
    (!stem.is_empty()).then(|| stem.to_string())
}

/// A file's fingerprint from its metadata: size, mtime, and (on Unix) inode
/// and ctime, so that a rewrite which puts size and mtime back still shows.
pub fn fingerprint(meta: &fs::Metadata) -> Fingerprint {
    Fingerprint {
        len: meta.len(),
        mtime: meta.modified().ok(),
        stamp: change_stamp(meta),
    }
}

#[cfg(unix)]
fn change_stamp(meta: &fs::Metadata) -> ChangeStamp {
    use std::os::unix::fs::MetadataExt;
    ChangeStamp::Inode {
        ino: meta.ino(),
        ctime_sec: meta.ctime(),
        ctime_nsec: u32::try_from(meta.ctime_nsec()).unwrap_or(0),
    }
}

#[cfg(not(unix))]
fn change_stamp(_meta: &fs::Metadata) -> ChangeStamp {
    ChangeStamp::None
}

/// Which folder a path names: device, inode and, where the filesystem keeps
/// it, birth time (a folder removed and made again under the same name may
/// get the same inode number back, but not the same birth time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FolderIdentity {
    dev: u64,
    ino: u64,
    born: Option<SystemTime>,
}

/// The identity of the folder at `path`; `None` when it is not there or
/// not a folder.
pub fn folder_identity(path: &Path) -> Option<FolderIdentity> {
    let meta = fs::metadata(path).ok().filter(fs::Metadata::is_dir)?;
    #[cfg(unix)]
    let (dev, ino) = {
        use std::os::unix::fs::MetadataExt;
        (meta.dev(), meta.ino())
    };
    #[cfg(not(unix))]
    let (dev, ino) = (0, 0);
    Some(FolderIdentity {
        dev,
        ino,
        born: meta.created().ok(),
    })
}

fn folder_id(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.to_string_lossy().into_owned())
}

/// What layout detection asks of a tree of folders and files: the disk
/// ([`Disk`]), or the keys of a bucket listing (`remote::lister`), so that
/// both are organised by the same rules.
pub trait Tree {
    /// True when `p` is a folder (following links).
    fn is_dir(&self, p: &Path) -> bool;
    /// True when `p` is a regular file (following links).
    fn is_file(&self, p: &Path) -> bool;
    /// True when `p` is a file, or is there but cannot be looked at (so
    /// reading it reports why, instead of it passing for absent).
    fn file_or_unreadable(&self, p: &Path) -> bool {
        self.is_file(p)
    }
    /// The paths in folder `dir`; empty when it cannot be listed.
    fn entries(&self, dir: &Path) -> Vec<PathBuf>;
}

/// The local disk as a [`Tree`].
pub struct Disk;

impl Tree for Disk {
    fn is_dir(&self, p: &Path) -> bool {
        p.is_dir()
    }
    fn is_file(&self, p: &Path) -> bool {
        p.is_file()
    }
    fn file_or_unreadable(&self, p: &Path) -> bool {
        file_or_unreadable(p)
    }
    fn entries(&self, dir: &Path) -> Vec<PathBuf> {
        fs::read_dir(dir)
            .map(|rd| rd.flatten().map(|e| e.path()).collect())
            .unwrap_or_default()
    }
}

fn has_json_files(tree: &impl Tree, dir: &Path) -> bool {
    tree.entries(dir).iter().any(|p| {
        p.file_name()
            .is_some_and(|n| snapshot_id_in_flat(n).is_some())
            && tree.is_file(p)
    })
}

/// Decide how `root` is organised.
pub fn detect_layout(root: &Path) -> Layout {
    detect_layout_in(&Disk, root)
}

/// Decide how `root` of `tree` is organised: a `snapshots/` folder makes it
/// a project; a child folder with `metadata.json` or `snapshots/` makes it
/// a workspace; else `metadata.json` a project, snapshot files a flat folder.
pub fn detect_layout_in(tree: &impl Tree, root: &Path) -> Layout {
    if tree.is_dir(&root.join("snapshots")) {
        return Layout::Project;
    }
    let has_project_children = tree.entries(root).iter().any(|p| {
        tree.is_dir(p)
            && (tree.is_file(&p.join("metadata.json")) || tree.is_dir(&p.join("snapshots")))
    });
    if has_project_children {
        Layout::Workspace
    } else if tree.is_file(&root.join("metadata.json")) {
        Layout::Project
    } else if has_json_files(tree, root) {
        Layout::Flat
    } else {
        Layout::Workspace
    }
}

/// Where the records of the project in `folder` of `tree` are, for `layout`.
pub fn project_dir(tree: &impl Tree, folder: &Path, layout: Layout) -> ProjectDir {
    // A project's own `snapshots/` folder, pointed at directly: the project
    // is its parent (id, name and dashboard from there).
    if layout == Layout::Flat && folder.file_name().is_some_and(|n| n == "snapshots") {
        if let Some(parent) = folder
            .parent()
            .filter(|p| tree.is_file(&p.join("metadata.json")))
        {
            let mut pd = project_dir(tree, parent, Layout::Workspace);
            pd.snapshots_dir = folder.to_path_buf();
            return pd;
        }
    }
    let metadata = folder.join("metadata.json");
    let dashboard = folder.join("dashboard.json");
    ProjectDir {
        id: folder_id(folder),
        folder: folder.to_path_buf(),
        metadata: tree.file_or_unreadable(&metadata).then_some(metadata),
        dashboard: tree.file_or_unreadable(&dashboard).then_some(dashboard),
        snapshots_dir: if layout == Layout::Flat {
            folder.to_path_buf()
        } else {
            folder.join("snapshots")
        },
        unlistable: false,
    }
}

/// What a file name in a project's snapshot folder is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameRole {
    /// A snapshot with this id.
    Snapshot(String),
    /// A `*.json` meant as a snapshot but not named as one: listed unreadable.
    Misnamed,
    /// Anything else: passed over.
    Other,
}

/// The role of `name` in a snapshot folder of `layout`.
pub fn name_role(layout: Layout, name: &OsStr) -> NameRole {
    let id = match layout {
        Layout::Flat => snapshot_id_in_flat(name),
        _ => snapshot_id_in_project(name),
    };
    match id {
        Some(id) => NameRole::Snapshot(id),
        None if layout != Layout::Flat && misnamed_in_project(name) => NameRole::Misnamed,
        None => NameRole::Other,
    }
}

/// True when `path` is a file, or is there but cannot be looked at (so
/// reading it reports why, instead of it passing for absent).
fn file_or_unreadable(path: &Path) -> bool {
    match fs::metadata(path) {
        Ok(m) => m.is_file(),
        Err(e) => e.kind() != std::io::ErrorKind::NotFound,
    }
}

/// A workspace entry that is a project folder this process may not list:
/// named as Evidently names projects (a UUID), it is still a project, with
/// nothing known of it but its id; any other folder is only a problem.
fn unlistable_entry(
    folder: &Path,
    name: &str,
    reason: String,
    dirs: &mut Vec<ProjectDir>,
    problems: &mut Vec<Unreadable>,
) {
    let project = is_uuid(name).then(|| ProjectDir {
        id: name.to_string(),
        folder: folder.to_path_buf(),
        metadata: None,
        dashboard: None,
        snapshots_dir: folder.join("snapshots"),
        unlistable: true,
    });
    problems.push(Unreadable {
        path: folder.to_path_buf(),
        project_id: project.as_ref().map(|p| p.id.clone()),
        reason,
    });
    dirs.extend(project);
}

/// The project folders under `root` for its layout.
pub fn project_dirs(
    root: &Path,
    layout: Layout,
) -> Result<(Vec<ProjectDir>, Vec<Unreadable>), ScanError> {
    check_root(root)?;
    let mut problems = Vec::new();
    let dirs = match layout {
        Layout::Project | Layout::Flat => vec![project_dir(&Disk, root, layout)],
        Layout::Workspace => {
            let mut v = Vec::new();
            for entry in WalkDir::new(root)
                .min_depth(1)
                .max_depth(1)
                .sort_by_file_name()
            {
                let entry = match entry {
                    Ok(e) => e,
                    Err(err) => {
                        problems.push(walk_problem(root, None, &err));
                        continue;
                    }
                };
                let name = entry.file_name().to_string_lossy();
                if name.starts_with('.') {
                    continue;
                }
                // `fs::metadata` follows a symlinked project folder.
                match fs::metadata(entry.path()) {
                    Ok(m) if m.is_dir() => {}
                    Ok(_) => continue,
                    // A dangling link is no folder.
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                    Err(e) => {
                        let reason = format!("cannot read folder: {e}");
                        unlistable_entry(entry.path(), &name, reason, &mut v, &mut problems);
                        continue;
                    }
                }
                // A folder we may not list would vanish silently.
                if let Err(e) = fs::read_dir(entry.path()) {
                    let reason = format!("cannot list folder: {e}");
                    unlistable_entry(entry.path(), &name, reason, &mut v, &mut problems);
                    continue;
                }
                let pd = project_dir(&Disk, entry.path(), layout);
                // A folder without `metadata.json` is still a project when it
                // has a `snapshots/` folder (its record carries a warning, see
                // `project_record`); it is not an unreadable snapshot.
                if pd.metadata.is_none() && !pd.snapshots_dir.is_dir() {
                    continue;
                }
                v.push(pd);
            }
            v
        }
    };
    Ok((dirs, problems))
}

fn walk_problem(root: &Path, project_id: Option<&str>, err: &walkdir::Error) -> Unreadable {
    let path = err.path().unwrap_or(root).to_path_buf();
    let reason = if err.loop_ancestor().is_some() {
        "symlink loop".to_string()
    } else if let Some(io) = err.io_error() {
        if err.depth() > 0 {
            // An entry of the folder (e.g. a dangling symlink), not the folder itself.
            format!("cannot read file: {io}")
        } else {
            format!("cannot list folder: {io}")
        }
    } else {
        err.to_string()
    };
    Unreadable {
        path,
        project_id: project_id.map(str::to_string),
        reason,
    }
}

/// The snapshot files of one project folder, with their fingerprints.
pub fn snapshot_files(
    pd: &ProjectDir,
    layout: Layout,
    problems: &mut Vec<Unreadable>,
) -> Vec<SnapshotFile> {
    let mut files = Vec::new();
    let project_id: Arc<str> = pd.id.as_str().into();
    if pd.unlistable {
        return files;
    }
    match fs::metadata(&pd.snapshots_dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => return files,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return files,
        // There, but not to be looked at: say so (it would hide the project's runs).
        Err(e) => {
            problems.push(Unreadable {
                path: pd.snapshots_dir.clone(),
                project_id: Some(pd.id.clone()),
                reason: format!("cannot read folder: {e}"),
            });
            return files;
        }
    }
    for entry in WalkDir::new(&pd.snapshots_dir)
        .min_depth(1)
        .max_depth(1)
        .follow_links(true)
    {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                problems.push(walk_problem(&pd.snapshots_dir, Some(&pd.id), &err));
                continue;
            }
        };
        let problem = |reason: String| Unreadable {
            path: entry.path().to_path_buf(),
            project_id: Some(pd.id.clone()),
            reason,
        };
        let id = match name_role(layout, entry.file_name()) {
            NameRole::Snapshot(id) => id,
            // Only `<uuid>.json` files are a project's snapshots: another
            // `.json` there is listed, not silently passed over.
            NameRole::Misnamed if !entry.file_type().is_dir() => {
                problems.push(problem(MISNAMED.to_string()));
                continue;
            }
            _ => continue,
        };
        let t = entry.file_type();
        if !t.is_file() {
            // A FIFO, socket or device (or a link to one) is never opened.
            if !t.is_dir() {
                if let Ok(m) = entry.metadata() {
                    problems.push(problem(format!(
                        "not a regular file ({})",
                        open::file_kind(&m)
                    )));
                }
            }
            continue;
        }
        match entry.metadata() {
            Ok(m) => files.push(SnapshotFile {
                path: entry.path().into(),
                id,
                project_id: project_id.clone(),
                fingerprint: fingerprint(&m),
            }),
            Err(err) => problems.push(walk_problem(&pd.snapshots_dir, Some(&pd.id), &err)),
        }
    }
    files
}

/// List every project and snapshot file under `root`.
pub fn list(root: &Path) -> Result<(Layout, Listing), ScanError> {
    let layout = detect_layout(root);
    let (projects, mut problems) = project_dirs(root, layout)?;
    let mut files = Vec::new();
    for pd in &projects {
        files.extend(snapshot_files(pd, layout, &mut problems));
    }
    Ok((
        layout,
        Listing {
            projects,
            files,
            problems,
        },
    ))
}

/// What a path (from a watcher event) means under `root` with `layout`.
pub fn classify(root: &Path, layout: Layout, path: &Path) -> PathRole {
    let Ok(rel) = path.strip_prefix(root) else {
        return PathRole::Ignored;
    };
    let parts: Vec<&OsStr> = rel.iter().collect();
    let root_id = || folder_id(root);
    match layout {
        Layout::Flat => match parts.as_slice() {
            [name] => match snapshot_id_in_flat(name) {
                Some(id) => PathRole::Snapshot {
                    project_id: root_id(),
                    id,
                },
                None => PathRole::Ignored,
            },
            _ => PathRole::Ignored,
        },
        Layout::Project => classify_in_project(root_id(), &parts),
        Layout::Workspace => match parts.split_first() {
            Some((first, rest)) => {
                let name = first.to_string_lossy();
                if name.starts_with('.') {
                    return PathRole::Ignored;
                }
                classify_in_project(name.into_owned(), rest)
            }
            None => PathRole::Ignored,
        },
    }
}

fn classify_in_project(project_id: String, parts: &[&OsStr]) -> PathRole {
    match parts {
        [] => PathRole::ProjectFolder { project_id },
        [f] if *f == "metadata.json" => PathRole::ProjectMetadata { project_id },
        [f] if *f == "dashboard.json" => PathRole::Dashboard { project_id },
        [f] if *f == "snapshots" => PathRole::ProjectFolder { project_id },
        [d, name] if *d == "snapshots" => match snapshot_id_in_project(name) {
            Some(id) => PathRole::Snapshot { project_id, id },
            // A misnamed `*.json` is listed (unreadable) by a listing of
            // its project, so it is listed again; other names are ignored.
            None if Path::new(name).extension().is_some_and(|x| x == "json") => {
                PathRole::ProjectFolder { project_id }
            }
            None => PathRole::Ignored,
        },
        _ => PathRole::Ignored,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_names() {
        let ok = OsStr::new("01a2230d-99bd-7f72-be6e-2d7bf8dac3f9.json");
        assert!(snapshot_id_in_project(ok).is_some());
        assert!(snapshot_id_in_project(OsStr::new(
            "01a2230d-99bd-7f72-be6e-2d7bf8dac3f9.links.json"
        ))
        .is_none());
        assert!(snapshot_id_in_project(OsStr::new(
            ".01a2230d-99bd-7f72-be6e-2d7bf8dac3f9.json.swp"
        ))
        .is_none());
        assert!(snapshot_id_in_project(OsStr::new("notes.json")).is_none());
        assert_eq!(
            snapshot_id_in_flat(OsStr::new("nightly.json")).as_deref(),
            Some("nightly")
        );
        assert!(snapshot_id_in_flat(OsStr::new("x.links.json")).is_none());
        assert!(snapshot_id_in_flat(OsStr::new("metadata.json")).is_none());
        assert!(snapshot_id_in_flat(OsStr::new("x.json.tmp")).is_none());
    }

    #[test]
    fn symlinked_project_folders_are_projects() {
        let tmp = tempfile::tempdir().unwrap();
        let real = tmp.path().join("elsewhere");
        std::fs::create_dir_all(real.join("snapshots")).unwrap();
        std::fs::write(real.join("metadata.json"), b"{}").unwrap();
        let ws = tmp.path().join("ws");
        std::fs::create_dir(&ws).unwrap();
        std::os::unix::fs::symlink(&real, ws.join("linked")).unwrap();
        let (layout, listing) = list(&ws).unwrap();
        assert_eq!(layout, Layout::Workspace);
        let ids: Vec<&str> = listing.projects.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, vec!["linked"]);
    }

    #[test]
    fn classify_paths() {
        let root = Path::new("/ws");
        let p = "01a2230d-9847-7140-9b8f-4b00e3502eb7";
        let s = "01a2230d-99bd-7f72-be6e-2d7bf8dac3f9";
        assert_eq!(
            classify(
                root,
                Layout::Workspace,
                &root.join(p).join("snapshots").join(format!("{s}.json"))
            ),
            PathRole::Snapshot {
                project_id: p.into(),
                id: s.into()
            }
        );
        assert_eq!(
            classify(root, Layout::Workspace, &root.join(p).join("metadata.json")),
            PathRole::ProjectMetadata {
                project_id: p.into()
            }
        );
        assert_eq!(
            classify(
                root,
                Layout::Workspace,
                &root
                    .join(p)
                    .join("datasets")
                    .join("x")
                    .join("metadata.json")
            ),
            PathRole::Ignored
        );
        assert_eq!(
            classify(root, Layout::Flat, &root.join("a.json")),
            PathRole::Snapshot {
                project_id: "ws".into(),
                id: "a".into()
            }
        );
    }
}
