//! Full indexing of a folder into a [`Catalog`]: list it with [`scan::list`],
//! read every file once and parse on all cores. Also the one-file entry point
//! the live layer reuses when a file changes.
//!
//! Memory: files are read inside a rayon `par_iter`, so only about one file's
//! bytes per worker thread are alive at a time; what is kept is the parsed
//! [`Snapshot`](crate::model::Snapshot), without plot data.

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use crate::index::cache::{self, IndexCache};
use crate::index::catalog::{Catalog, Fingerprint, SnapshotEntry, Unreadable};
use crate::index::open::{self, Links};
use crate::index::remote;
use crate::index::scan::{self, Layout, ProjectDir, ScanError};
use crate::model::dashboard::Dashboard;
use crate::model::Project;
use crate::parse::{self, ParseError, ParseOptions, ProjectMeta, TimeZoneChoice};

/// Files larger than this are skipped by default (512 MiB).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 512 * 1024 * 1024;

/// How to index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexOptions {
    /// Parsing options (zone for naive timestamps).
    pub parse: ParseOptions,
    /// Files larger than this many bytes are reported as skipped.
    pub max_file_size: u64,
    /// Read and write the persistent index cache (`index::cache`) in the
    /// user's cache folder: files whose size and mtime match are not parsed.
    /// Off by default (the binary turns it on unless `--no-cache`).
    pub use_cache: bool,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            parse: ParseOptions::default(),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            use_cache: false,
        }
    }
}

/// Why one file could not be indexed. `Display` is the one-line reason.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// Opening or reading failed (permission denied, vanished, ...).
    #[error("cannot read file: {0}")]
    Io(#[from] io::Error),
    /// The bytes are not a usable snapshot / project record.
    #[error("{0}")]
    Parse(#[from] ParseError),
    /// The file changed while it was read (its size, mtime or ctime): it is
    /// being written.
    #[error("file changed while being read")]
    Changed(Fingerprint),
}

impl FileError {
    /// True when the file looks half-written (empty or truncated): the live
    /// layer retries such files before calling them unreadable.
    pub fn is_incomplete(&self) -> bool {
        match self {
            FileError::Parse(e) => e.is_incomplete(),
            FileError::Io(e) => e.kind() == io::ErrorKind::NotFound,
            FileError::Changed(_) => true,
        }
    }
}

/// What a full index found, for `snapscope scan` and status lines.
#[derive(Debug, Clone)]
pub struct ScanReport {
    /// The folder indexed (as given, or canonical when it had no name, like `.`).
    pub root: PathBuf,
    pub layout: Layout,
    pub projects: usize,
    pub snapshots: usize,
    /// Everything that could not be read or does not fit the layout, sorted by path.
    pub unreadable: Vec<Unreadable>,
    pub elapsed_ms: u64,
    /// Bytes read from disk (snapshot files and project records).
    pub bytes_read: u64,
    /// Snapshot files read and parsed.
    pub parsed: usize,
    /// Snapshots taken from the index cache without reading their file.
    pub from_cache: usize,
}

/// Read a whole file once, with its fingerprint taken from the open handle.
/// Refuses files over `limit` bytes without reading them.
pub fn read_limited(path: &Path, limit: u64) -> Result<(Vec<u8>, Fingerprint), FileError> {
    let mut bytes = Vec::new();
    let fingerprint = read_limited_into(path, limit, &mut bytes)?;
    Ok((bytes, fingerprint))
}

/// The first step of reading a file larger than this: enough to see whether
/// it starts like a JSON object before the rest is read.
pub(crate) const FIRST_STEP: u64 = 64 * 1024;

/// [`read_limited`] into a caller's buffer (cleared first), so that one
/// allocation serves many files. Only a regular file is read (a FIFO or a
/// device is an error at once, see [`open`](crate::index::open)); a large
/// file is read in two steps, and one that does not start like a JSON
/// object (a binary, an archive, HTML) fails after the first, unread beyond.
pub fn read_limited_into(
    path: &Path,
    limit: u64,
    bytes: &mut Vec<u8>,
) -> Result<Fingerprint, FileError> {
    bytes.clear();
    let (mut file, meta) = open::open_regular(path, Links::Follow)?;
    if meta.len() > limit {
        return Err(ParseError::TooLarge {
            size: meta.len(),
            limit,
        }
        .into());
    }
    // The file may grow while we read it: never read past the limit.
    let mut rest = (&mut file).take(limit + 1);
    if meta.len() > FIRST_STEP {
        bytes.reserve(FIRST_STEP as usize);
        (&mut rest).take(FIRST_STEP).read_to_end(bytes)?;
        parse::check_prefix(bytes)?;
    }
    bytes.reserve(
        usize::try_from(meta.len())
            .unwrap_or(0)
            .saturating_sub(bytes.len()),
    );
    rest.read_to_end(bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ParseError::TooLarge {
            size: bytes.len() as u64,
            limit,
        }
        .into());
    }
    // The fingerprint as read; one that moved while reading (size, mtime,
    // ctime) means a writer is at work: the bytes may be neither version.
    let opened = scan::fingerprint(&meta);
    let fingerprint = file
        .metadata()
        .map(|m| scan::fingerprint(&m))
        .unwrap_or(opened);
    if fingerprint.len != bytes.len() as u64 || fingerprint != opened {
        return Err(FileError::Changed(fingerprint));
    }
    Ok(fingerprint)
}

/// Run `f` with this thread's reusable file buffer. Reusing it keeps the
/// allocator from fetching (and the kernel from zeroing) fresh pages for
/// every file; a buffer grown past 16 MiB is released afterwards. What `f`
/// read counts towards this thread's next return of free pages
/// ([`crate::index::memory::parsed`]).
pub fn with_read_buffer<R>(f: impl FnOnce(&mut Vec<u8>) -> R) -> R {
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BUFFER.with(|cell| {
        // Re-entrant use gets a fresh buffer instead of a panic.
        let Ok(mut buf) = cell.try_borrow_mut() else {
            return f(&mut Vec::new());
        };
        let r = f(&mut buf);
        crate::index::memory::parsed(buf.len() as u64);
        if buf.capacity() > 16 << 20 {
            *buf = Vec::new();
        }
        r
    })
}

/// Index one snapshot file: read it once and parse it. `id` is the snapshot
/// id (file stem), `project_id` the owning project's id.
pub fn index_file(
    path: &Path,
    id: &str,
    project_id: &str,
    opts: &IndexOptions,
) -> Result<SnapshotEntry, FileError> {
    index_file_counted(&path.into(), id, project_id, opts).map(|(e, _)| e)
}

/// Files parsed between two hand-overs to the catalog by the headless index.
const PARSE_CHUNK: usize = 512;

/// [`index_file`] sharing `path` with the entry; also says how many bytes
/// it read.
fn index_file_counted(
    path: &Arc<Path>,
    id: &str,
    project_id: &str,
    opts: &IndexOptions,
) -> Result<(SnapshotEntry, u64), FileError> {
    let (snapshot, fingerprint, n) = with_read_buffer(|bytes| {
        let fingerprint = read_limited_into(path, opts.max_file_size, bytes)?;
        let snapshot = parse::parse_snapshot(bytes, id, project_id, &opts.parse)?;
        Ok::<_, FileError>((snapshot, fingerprint, bytes.len() as u64))
    })?;
    Ok((
        SnapshotEntry {
            path: path.clone(),
            fingerprint,
            snapshot: Arc::new(snapshot),
        },
        n,
    ))
}

/// Build a project record from its folder and (optional) `metadata.json`.
/// Returns the project, the problems with its `metadata.json` and
/// `dashboard.json` (none when both read or are absent), and bytes read.
/// The project id is always the folder name; the name falls back to it.
pub fn load_project(pd: &ProjectDir, opts: &IndexOptions) -> (Project, Vec<Unreadable>, u64) {
    load_project_with(pd, opts, |path| {
        read_limited(path, opts.max_file_size).map(|(bytes, _)| bytes)
    })
}

/// [`load_project`] with the records' bytes from `read` (a file, an object).
pub(crate) fn load_project_with(
    pd: &ProjectDir,
    opts: &IndexOptions,
    read: impl Fn(&Path) -> Result<Vec<u8>, FileError>,
) -> (Project, Vec<Unreadable>, u64) {
    let mut n = 0u64;
    let mut problem = None;
    let meta = match &pd.metadata {
        None => None,
        Some(meta_path) => {
            let parsed = read(meta_path).and_then(|bytes| {
                n = bytes.len() as u64;
                parse::parse_project_metadata(&bytes).map_err(FileError::from)
            });
            match parsed {
                Ok(meta) => Some(meta),
                Err(e) => {
                    problem = Some(Unreadable {
                        path: meta_path.clone(),
                        project_id: Some(pd.id.clone()),
                        reason: format!("project metadata: {e}"),
                    });
                    None
                }
            }
        }
    };
    let mut problems: Vec<Unreadable> = problem.into_iter().collect();
    let v2_dashboard = pd.dashboard.as_ref().and_then(|path| {
        let parsed = read(path).and_then(|bytes| {
            n += bytes.len() as u64;
            parse::dashboard::v2_file(&bytes).map_err(FileError::Parse)
        });
        match parsed {
            Ok(d) => d.map(Arc::new),
            Err(e) => {
                // A dashboard that cannot be read is listed, as the live index lists it.
                problems.push(Unreadable {
                    path: path.clone(),
                    project_id: Some(pd.id.clone()),
                    reason: format!("project dashboard: {e}"),
                });
                None
            }
        }
    });
    let project = project_record(pd, meta.as_ref(), v2_dashboard, opts.parse.tz);
    (project, problems, n)
}

/// The project record of a folder: id = folder name; name, description and
/// creation time from `metadata.json` when readable; the dashboard from
/// `metadata.json` (legacy) or `dashboard.json` (v2).
pub fn project_record(
    pd: &ProjectDir,
    meta: Option<&ProjectMeta>,
    v2_dashboard: Option<Arc<Dashboard>>,
    tz: TimeZoneChoice,
) -> Project {
    let name = meta
        .and_then(|m| m.name.as_deref())
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(&pd.id)
        .to_string();
    let created_at = meta
        .and_then(|m| m.created_at.as_deref())
        .and_then(|s| parse::parse_timestamp(s, tz))
        .map(|(t, _)| t);
    let warning = match meta.and_then(|m| m.id.as_deref()) {
        Some(id) if id != pd.id => Some(format!(
            "metadata.json says id {id}, but the folder is named {}; using the folder name",
            pd.id
        )),
        // A folder that cannot be listed says so as a listing problem.
        _ if pd.metadata.is_none() && pd.snapshots_dir != pd.folder && !pd.unlistable => {
            Some("project folder has no metadata.json: named after its folder".to_string())
        }
        _ => None,
    };
    let legacy_dashboard = meta
        .and_then(|m| m.dashboard.as_ref())
        .and_then(|d| parse::dashboard::legacy(d).ok())
        .map(Arc::new);
    Project {
        id: pd.id.clone(),
        name,
        description: meta
            .and_then(|m| m.description.clone())
            .filter(|s| !s.is_empty()),
        folder: pd.folder.clone(),
        created_at,
        warning,
        dashboard: v2_dashboard.or(legacy_dashboard),
    }
}

/// Index everything under `root` (a workspace, one project folder, or a flat
/// folder of snapshot files). Fails only when `root` itself cannot be listed;
/// every per-file problem is recorded in the catalog and the report.
pub fn index_path(root: &Path, opts: &IndexOptions) -> Result<(Catalog, ScanReport), ScanError> {
    let dir = opts.use_cache.then(cache::default_dir);
    index_path_with_cache(root, opts, dir.as_deref())
}

/// [`index_path`] with the index cache kept in `cache_dir` (`None`: no
/// cache, whatever `opts.use_cache` says). The cache is read before the scan
/// and written back when anything was parsed or went away.
pub fn index_path_with_cache(
    root: &Path,
    opts: &IndexOptions,
    cache_dir: Option<&Path>,
) -> Result<(Catalog, ScanReport), ScanError> {
    let started = Instant::now();
    // A bucket URL is read through its store; its root written one way.
    let store = remote::is_remote(root)
        .then(|| remote::connect(root))
        .transpose()?;
    let root = match &store {
        Some(s) => s.url().root_path(),
        // `.` or `..` have no folder name to name a flat project after.
        None if root.file_name().is_none() => {
            root.canonicalize().unwrap_or_else(|_| root.to_path_buf())
        }
        None => root.to_path_buf(),
    };
    // The cache loads on its own thread while the folder is listed.
    let loading = cache_dir.map(|dir| {
        let (dir, root, parse) = (dir.to_path_buf(), root.clone(), opts.parse);
        std::thread::Builder::new()
            .name("snapscope-cache".into())
            .spawn(move || IndexCache::load(&dir, &root, &parse))
    });
    let (layout, listing) = match &store {
        Some(s) => remote::list(s)?,
        None => scan::list(&root)?,
    };
    // Joined before anything else runs on rayon's pool, which decoding uses.
    let mut cache = match (loading, cache_dir) {
        (Some(Ok(thread)), _) => thread.join().unwrap_or_default(),
        (_, Some(d)) => IndexCache::load(d, &root, &opts.parse),
        (_, None) => IndexCache::default(),
    };
    let mut catalog = Catalog::new();
    let mut bytes_read = 0u64;

    let projects: Vec<_> = match &store {
        Some(s) => {
            let kept = cache_dir.map(|d| cache::cache_file(d, &root).with_extension("records"));
            remote::projects(s, &listing.projects, opts, kept.as_deref())?
        }
        None => listing
            .projects
            .par_iter()
            .map(|pd| load_project(pd, opts))
            .collect(),
    };
    for (project, problems, n) in projects {
        bytes_read += n;
        catalog.upsert_project(project);
        for p in problems {
            catalog.set_unreadable(p);
        }
    }
    for p in listing.problems {
        catalog.set_unreadable(p);
    }

    let had_cache = !cache.is_empty();
    let (hits, found) = cache::take_listed(&mut cache, &listing.files);
    let mut todo = Vec::new();
    let mut from_cache = 0;
    let mut cached = Vec::with_capacity(hits.len());
    for e in hits {
        // A file over the size limit now is reported, not served from the cache.
        if e.fingerprint.len <= opts.max_file_size {
            from_cache += 1;
            cached.push(e);
        }
    }
    catalog.upsert_snapshots(cached);
    for (f, found) in listing.files.iter().zip(found) {
        if !found || f.fingerprint.len > opts.max_file_size {
            todo.push(f);
        }
    }
    // Whatever is left in the cache is stale (changed or deleted files).
    let cache_dirty = !cache.is_empty() || !todo.is_empty() || !had_cache;
    drop(cache);
    let parsed = todo.len();
    let mut record =
        |f: &scan::SnapshotFile, result: Result<(SnapshotEntry, u64), FileError>| match result {
            Ok((entry, n)) => {
                bytes_read += n;
                catalog.upsert_snapshot(entry);
            }
            Err(e) => catalog.set_unreadable(Unreadable {
                path: f.path.to_path_buf(),
                project_id: Some(f.project_id.to_string()),
                reason: e.to_string(),
            }),
        };
    match &store {
        Some(s) => {
            for (f, result) in remote::snapshots(s, &todo, opts)? {
                record(f, result);
            }
        }
        // In chunks, so that only a chunk's results wait to go in.
        None => {
            for chunk in todo.chunks(PARSE_CHUNK) {
                let results: Vec<_> = chunk
                    .par_iter()
                    .map(|f| index_file_counted(&f.path, &f.id, &f.project_id, opts))
                    .collect();
                for (f, result) in chunk.iter().zip(results) {
                    record(f, result);
                }
            }
        }
    }

    // The listing is not needed any more: its memory goes before the cache
    // write's, keeping the peak near the steady state.
    drop(todo);
    drop(listing.files);
    crate::index::memory::return_free_memory();
    if let (Some(dir), true) = (cache_dir, cache_dirty) {
        let entries = catalog
            .projects()
            .into_iter()
            .flat_map(|p| p.snapshots.iter());
        if let Err(e) = cache::save(dir, &root, &opts.parse, entries) {
            tracing::info!("index cache not written: {e}");
        }
    }
    catalog.shrink_to_fit();
    crate::index::memory::return_free_memory();

    let report = ScanReport {
        root,
        layout,
        projects: catalog.projects().len(),
        snapshots: catalog.snapshot_count(),
        unreadable: catalog.unreadable().cloned().collect(),
        elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        bytes_read,
        parsed,
        from_cache,
    };
    Ok((catalog, report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_large_files_are_refused_unread() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.json");
        std::fs::write(&p, vec![b' '; 100]).unwrap();
        match read_limited(&p, 10) {
            Err(FileError::Parse(ParseError::TooLarge { size, limit })) => {
                assert_eq!((size, limit), (100, 10));
            }
            other => panic!("expected TooLarge, got {other:?}"),
        }
        let (bytes, fp) = read_limited(&p, 100).unwrap();
        assert_eq!(bytes.len(), 100);
        assert_eq!(fp.len, 100);
    }

    #[test]
    fn a_large_file_that_is_not_json_is_not_read_past_its_first_step() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.json");
        std::fs::write(&p, b"PK\x03\x04").unwrap();
        let f = std::fs::File::options().write(true).open(&p).unwrap();
        f.set_len(64 << 20).unwrap();
        let mut buf = Vec::new();
        let e = read_limited_into(&p, DEFAULT_MAX_FILE_SIZE, &mut buf).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid JSON at line 1, column 1: does not start with a JSON object"
        );
        assert_eq!(
            buf.len() as u64,
            FIRST_STEP,
            "read no further than the first step"
        );
        // A large JSON file is read whole, in the same two steps.
        let mut doc = b"{\"a\": \"".to_vec();
        doc.resize(3 * FIRST_STEP as usize, b'x');
        doc.extend_from_slice(b"\"}");
        std::fs::write(&p, &doc).unwrap();
        let fp = read_limited_into(&p, DEFAULT_MAX_FILE_SIZE, &mut buf).unwrap();
        assert_eq!(buf, doc);
        assert_eq!(fp.len, doc.len() as u64);
    }

    #[test]
    fn a_fifo_is_an_error_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f.json");
        let st = std::process::Command::new("mkfifo")
            .arg(&p)
            .status()
            .unwrap();
        assert!(st.success());
        let e = read_limited(&p, DEFAULT_MAX_FILE_SIZE).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot read file: not a regular file (a FIFO)"
        );
    }

    #[test]
    fn missing_file_is_an_io_error() {
        let e = read_limited(Path::new("/nonexistent/snapscope/x.json"), 10).unwrap_err();
        assert!(matches!(e, FileError::Io(_)));
        assert!(e.to_string().starts_with("cannot read file: "));
    }

    #[test]
    fn broken_metadata_keeps_project_under_folder_name() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("p1");
        std::fs::create_dir_all(folder.join("snapshots")).unwrap();
        std::fs::write(folder.join("metadata.json"), b"{\"id\": ").unwrap();
        let pd = ProjectDir {
            id: "p1".into(),
            folder: folder.clone(),
            metadata: Some(folder.join("metadata.json")),
            dashboard: None,
            snapshots_dir: folder.join("snapshots"),
            unlistable: false,
        };
        let (project, problem, _) = load_project(&pd, &IndexOptions::default());
        assert_eq!(project.id, "p1");
        assert_eq!(project.name, "p1");
        assert_eq!(problem.len(), 1, "{problem:?}");
        assert!(problem[0]
            .reason
            .starts_with("project metadata: truncated JSON"));
    }

    #[test]
    fn metadata_id_mismatch_warns_and_keeps_folder_id() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("copy");
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(
            folder.join("metadata.json"),
            br#"{"id": "orig", "name": "Shop", "description": ""}"#,
        )
        .unwrap();
        let pd = ProjectDir {
            id: "copy".into(),
            folder: folder.clone(),
            metadata: Some(folder.join("metadata.json")),
            dashboard: None,
            snapshots_dir: folder.join("snapshots"),
            unlistable: false,
        };
        let (project, problem, _) = load_project(&pd, &IndexOptions::default());
        assert!(problem.is_empty());
        assert_eq!(project.id, "copy");
        assert_eq!(project.name, "Shop");
        assert_eq!(project.description, None);
        assert!(project.warning.unwrap().contains("orig"));
    }
}
