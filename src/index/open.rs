//! Opening files so that no file can hang or flood the process: a FIFO, a
//! device or a link to `/dev/zero` where a file is expected is refused at
//! once, never waited on or read without end. Also snapscope's own private
//! files: its cache and log folders are `0700` and their files `0600`
//! whatever the umask (as the XDG base directory spec asks), and looser
//! ones it owns are tightened.
//!
//! Every read opens with `O_NONBLOCK` (opening a FIFO with no writer
//! returns at once instead of blocking), then checks the open handle
//! (`fstat`) is a regular file, then reads at most a given number of bytes.
//! [`Links::Refuse`] adds `O_NOFOLLOW`, for files snapscope itself names
//! inside its own folders (a cache file must not lead out of the cache).

use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

/// Whether the last component of a path may be a symbolic link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Links {
    /// Follow it (files the user names: snapshots, the config file).
    Follow,
    /// Refuse it (snapscope's own files inside its cache folder).
    Refuse,
}

/// Mode of snapscope's private folders (cache, log).
pub const PRIVATE_DIR: u32 = 0o700;
/// Mode of snapscope's private files (index caches, the log).
pub const PRIVATE_FILE: u32 = 0o600;

/// The error for a path that is there but is not a regular file.
fn not_regular(meta: &Metadata) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("not a regular file ({})", file_kind(meta)),
    )
}

/// What a file is, in a word, for messages: `FIFO`, `socket`, `device`, ...
pub fn file_kind(meta: &Metadata) -> &'static str {
    let t = meta.file_type();
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
    }
    if t.is_dir() {
        "a folder"
    } else if t.is_symlink() {
        "a symbolic link"
    } else if t.is_file() {
        "a regular file"
    } else {
        "a special file"
    }
}

/// Open `path` for reading without blocking and check it is a regular
/// file: a FIFO, socket, device or folder is an `InvalidInput` error saying
/// "not a regular file (a FIFO)"; with [`Links::Refuse`] a symbolic link is
/// an error too. Returns the file and its metadata from the open handle.
pub fn open_regular(path: &Path, links: Links) -> io::Result<(File, Metadata)> {
    let mut opts = OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let mut flags = libc::O_NONBLOCK;
        if links == Links::Refuse {
            flags |= libc::O_NOFOLLOW;
        }
        opts.custom_flags(flags);
    }
    let file = opts.open(path).map_err(|e| link_refused(path, links, e))?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    Ok((file, meta))
}

/// `O_NOFOLLOW` on a link fails with `ELOOP`: say what it means.
fn link_refused(path: &Path, links: Links, e: io::Error) -> io::Error {
    #[cfg(unix)]
    if links == Links::Refuse && e.raw_os_error() == Some(libc::ELOOP) {
        let is_link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        if is_link {
            return io::Error::new(
                io::ErrorKind::InvalidInput,
                "a symbolic link (not followed)",
            );
        }
    }
    let _ = (path, links);
    e
}

/// Read at most `limit` bytes of a regular file at `path` (opened as
/// [`open_regular`] does); a longer file is an error, unread beyond that.
pub fn read_regular(path: &Path, links: Links, limit: u64) -> io::Result<Vec<u8>> {
    let (file, meta) = open_regular(path, links)?;
    if meta.len() > limit {
        return Err(too_long(meta.len(), limit));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // The file may grow while it is read: never read past the limit.
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_long(bytes.len() as u64, limit));
    }
    Ok(bytes)
}

fn too_long(size: u64, limit: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("file too large ({size} bytes > limit {limit})"),
    )
}

/// Create `dir` and any missing parents as private folders ([`PRIVATE_DIR`]
/// for each one created; existing ones are left as they are).
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(PRIVATE_DIR);
    }
    b.create(dir)
}

/// Create a new private file ([`PRIVATE_FILE`]) for writing; fails if
/// `path` exists (a link there is never followed).
pub fn create_private_file(path: &Path) -> io::Result<File> {
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(PRIVATE_FILE);
    }
    opts.open(path)
}

/// Open a log file for appending: created private ([`PRIVATE_FILE`]) when
/// missing; it must be a regular file (a FIFO or a terminal is refused:
/// nothing may block a write or reach the screen). With [`Links::Refuse`]
/// (the default log, inside snapscope's own folder) a link is refused and
/// a looser mode is tightened.
pub fn open_log(path: &Path, links: Links) -> io::Result<File> {
    let mut opts = OpenOptions::new();
    opts.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let mut flags = libc::O_NONBLOCK;
        if links == Links::Refuse {
            flags |= libc::O_NOFOLLOW;
        }
        opts.custom_flags(flags).mode(PRIVATE_FILE);
    }
    let file = opts.open(path).map_err(|e| link_refused(path, links, e))?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    if links == Links::Refuse {
        tighten_open(&file, &meta, PRIVATE_FILE);
    }
    Ok(file)
}

/// True when the current user owns the file described by `meta`.
#[cfg(unix)]
fn owned(meta: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions and cannot fail.
    meta.uid() == unsafe { libc::geteuid() }
}

/// Remove from `path`'s mode every bit `mode` does not allow, if `path` is
/// a folder or regular file the current user owns (never a link, never
/// another user's file). Errors are ignored: this only ever tightens.
pub fn tighten(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let Ok(meta) = fs::symlink_metadata(path) else {
            return;
        };
        let t = meta.file_type();
        let cur = meta.permissions().mode() & 0o7777;
        if (t.is_dir() || t.is_file()) && owned(&meta) && cur & !mode != 0 {
            let _ = fs::set_permissions(path, fs::Permissions::from_mode(cur & mode));
        }
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}

/// [`tighten`] on an open file (no path to race on).
pub fn tighten_open(file: &File, meta: &Metadata, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let cur = meta.permissions().mode() & 0o7777;
        if meta.is_file() && owned(meta) && cur & !mode != 0 {
            let _ = file.set_permissions(fs::Permissions::from_mode(cur & mode));
        }
    }
    #[cfg(not(unix))]
    let _ = (file, meta, mode);
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;
    use std::time::{Duration, Instant};

    fn mkfifo(p: &Path) {
        let st = std::process::Command::new("mkfifo").arg(p).status();
        assert!(st.is_ok_and(|s| s.success()), "mkfifo {}", p.display());
    }

    #[test]
    fn a_fifo_is_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        mkfifo(&p);
        let t = Instant::now();
        let e = read_regular(&p, Links::Follow, 1 << 20).unwrap_err();
        assert!(t.elapsed() < Duration::from_secs(2));
        assert_eq!(e.to_string(), "not a regular file (a FIFO)");
    }

    #[test]
    fn a_link_to_dev_zero_is_refused_either_way() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("z");
        std::os::unix::fs::symlink("/dev/zero", &p).unwrap();
        let e = read_regular(&p, Links::Follow, 1 << 20).unwrap_err();
        assert_eq!(e.to_string(), "not a regular file (a device)");
        let e = read_regular(&p, Links::Refuse, 1 << 20).unwrap_err();
        assert_eq!(e.to_string(), "a symbolic link (not followed)");
    }

    #[test]
    fn reads_are_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        fs::write(&p, b"0123456789").unwrap();
        assert_eq!(read_regular(&p, Links::Refuse, 10).unwrap(), b"0123456789");
        let e = read_regular(&p, Links::Refuse, 9).unwrap_err();
        assert_eq!(e.to_string(), "file too large (10 bytes > limit 9)");
    }

    #[test]
    fn private_files_and_folders_and_tightening() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("a/b");
        create_private_dir(&d).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&d), 0o700);
        assert_eq!(mode(&dir.path().join("a")), 0o700);
        // An existing folder is left alone.
        fs::set_permissions(&d, fs::Permissions::from_mode(0o755)).unwrap();
        create_private_dir(&d).unwrap();
        assert_eq!(mode(&d), 0o755);
        tighten(&d, PRIVATE_DIR);
        assert_eq!(mode(&d), 0o700);
        let f = d.join("f");
        drop(create_private_file(&f).unwrap());
        assert_eq!(mode(&f), 0o600);
        assert!(
            create_private_file(&f).is_err(),
            "an existing file is not reused"
        );
        fs::set_permissions(&f, fs::Permissions::from_mode(0o644)).unwrap();
        tighten(&f, PRIVATE_FILE);
        assert_eq!(mode(&f), 0o600);
        // Never loosened.
        fs::set_permissions(&f, fs::Permissions::from_mode(0o400)).unwrap();
        tighten(&f, PRIVATE_FILE);
        assert_eq!(mode(&f), 0o400);
    }
}
