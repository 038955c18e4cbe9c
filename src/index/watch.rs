//! Watching a folder for changes: turns filesystem activity into "these paths
//! may have changed" and "rescan everything" signals for the live index.
//!
//! Modes: `notify` (the OS watcher, inotify on Linux), `poll` (periodic
//! rescans; the live index compares fingerprints), `auto` (native watcher
//! plus a slow safety rescan, polling on network or FUSE filesystems or
//! when the native watcher cannot start) and `off`. The native watcher
//! checks every `root_check` that the root is still the same folder; when
//! it was replaced (removed and created again, moved aside for another) it
//! asks for a rescan and watches the new folder once it is there.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{select, Receiver, Sender};
use notify::event::{AccessKind, AccessMode, EventKind, ModifyKind};
use notify::{RecursiveMode, Watcher as _};

use crate::index::scan;
use crate::text::duration::interval;

/// How a folder is watched for changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WatchMode {
    /// Native watcher plus a slow safety rescan; polling where the native
    /// watcher cannot work (network/FUSE filesystems, watch limit reached).
    #[default]
    Auto,
    /// The native watcher only (no fallback).
    Notify,
    /// Periodic rescans comparing size and modification time.
    Poll,
    /// No watching: the first scan only.
    Off,
}

impl WatchMode {
    /// The command-line spelling: `auto`, `notify`, `poll`, `off`.
    pub fn as_str(self) -> &'static str {
        match self {
            WatchMode::Auto => "auto",
            WatchMode::Notify => "notify",
            WatchMode::Poll => "poll",
            WatchMode::Off => "off",
        }
    }
}

impl fmt::Display for WatchMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for WatchMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(WatchMode::Auto),
            "notify" | "native" => Ok(WatchMode::Notify),
            "poll" | "polling" => Ok(WatchMode::Poll),
            "off" | "none" => Ok(WatchMode::Off),
            other => Err(format!(
                "unknown watch mode {other:?} (use auto, notify, poll or off)"
            )),
        }
    }
}

/// What the watcher tells the live index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchSignal {
    /// These paths may have been created, written, deleted or renamed; each
    /// with the time its latest event arrived.
    Changed(Vec<(PathBuf, Instant)>),
    /// Re-list everything and compare fingerprints (poll tick, safety rescan,
    /// or the OS dropped events).
    Rescan,
    /// The mode in effect (`notify`, `poll`, `off`), with a note or an error.
    Status {
        mode: String,
        message: Option<String>,
    },
}

/// Watcher settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WatchConfig {
    pub mode: WatchMode,
    /// Interval between rescans in poll mode.
    pub poll_interval: Duration,
    /// Interval between safety rescans in auto mode with the native watcher.
    pub safety_interval: Duration,
    /// Quiet time that ends a burst of native events (they are sent as one batch).
    pub coalesce: Duration,
    /// Longest time a batch of native events is held back during a continuous burst.
    pub max_batch_delay: Duration,
    /// Interval between checks that the watched root is still the same
    /// folder (a root replaced is watched again).
    pub root_check: Duration,
}

impl Default for WatchConfig {
    fn default() -> Self {
        WatchConfig {
            mode: WatchMode::Auto,
            poll_interval: Duration::from_secs(2),
            safety_interval: Duration::from_secs(30),
            coalesce: Duration::from_millis(20),
            max_batch_delay: Duration::from_millis(200),
            root_check: Duration::from_millis(200),
        }
    }
}

/// A running watcher thread. Dropping it stops the thread.
pub struct Watcher {
    stop_tx: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Watcher {
    /// Start watching `root`. The first signal is always a
    /// [`WatchSignal::Status`] with the mode in effect.
    pub fn start(
        root: &Path,
        cfg: WatchConfig,
    ) -> std::io::Result<(Watcher, Receiver<WatchSignal>)> {
        let (tx, rx) = crossbeam_channel::unbounded();
        let (stop_tx, stop_rx) = crossbeam_channel::bounded::<()>(0);
        let root = root.to_path_buf();
        let thread = std::thread::Builder::new()
            .name("snapscope-watch".into())
            .spawn(move || run(root, cfg, tx, stop_rx))?;
        Ok((
            Watcher {
                stop_tx: Some(stop_tx),
                thread: Some(thread),
            },
            rx,
        ))
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        drop(self.stop_tx.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

type RawEvent = notify::Result<notify::Event>;

fn status(mode: &str, message: Option<String>) -> WatchSignal {
    WatchSignal::Status {
        mode: mode.to_string(),
        message,
    }
}

fn start_native(root: &Path) -> notify::Result<(notify::RecommendedWatcher, Receiver<RawEvent>)> {
    let (raw_tx, raw_rx) = crossbeam_channel::unbounded::<RawEvent>();
    let mut w = notify::recommended_watcher(move |ev: RawEvent| {
        let _ = raw_tx.send(ev);
    })?;
    watch_tree(&mut w, root)?;
    Ok((w, raw_rx))
}

/// Watch `dir` and every folder below it (links followed), each on its
/// own: what notify's recursive mode watches, found without its `stat` of
/// every file (the folder listing says which entries are folders; only
/// links are looked up), so that starting the watch costs a listing of the
/// folders rather than of each snapshot again. Folders that appear later
/// are watched by [`watch_new_folders`].
fn watch_tree(w: &mut notify::RecommendedWatcher, dir: &Path) -> notify::Result<()> {
    let folders = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_dir());
    for folder in folders {
        w.watch(folder.path(), RecursiveMode::NonRecursive)?;
    }
    Ok(())
}

/// Watch the folders an event says were made or moved in, with what is
/// already in them. A watch that cannot be added (the OS limit) is left:
/// the safety rescan still finds what changes there.
fn watch_new_folders(w: &mut notify::RecommendedWatcher, ev: &notify::Event) {
    use notify::event::{CreateKind, RenameMode};
    let candidates: &[PathBuf] = match ev.kind {
        EventKind::Create(CreateKind::Folder) => &ev.paths,
        // A rename's last path is where it went.
        EventKind::Modify(ModifyKind::Name(RenameMode::To | RenameMode::Both))
        | EventKind::Create(CreateKind::Any | CreateKind::Other) => ev
            .paths
            .last()
            .map(std::slice::from_ref)
            .unwrap_or_default(),
        _ => &[],
    };
    let known_folder = matches!(ev.kind, EventKind::Create(CreateKind::Folder));
    for path in candidates {
        if known_folder || std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
            let _ = watch_tree(w, path);
        }
    }
}

/// Whether an event kind can mean that content, names or existence changed.
/// Opens, reads and read-closes (including our own) are noise.
fn is_relevant(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

fn is_watch_limit(e: &notify::Error) -> bool {
    match &e.kind {
        notify::ErrorKind::MaxFilesWatch => true,
        notify::ErrorKind::Io(io) => matches!(io.raw_os_error(), Some(24) | Some(28)), // EMFILE, ENOSPC
        _ => false,
    }
}

fn describe(e: &notify::Error) -> String {
    let mut s = e.to_string();
    if is_watch_limit(e) {
        s.push_str(
            " (raise fs.inotify.max_user_watches / max_user_instances, or use --watch poll)",
        );
    }
    s
}

/// The body of the watcher thread.
fn run(root: PathBuf, cfg: WatchConfig, tx: Sender<WatchSignal>, stop_rx: Receiver<()>) {
    match cfg.mode {
        WatchMode::Off => {
            let _ = tx.send(status("off", None));
            let _ = stop_rx.recv();
        }
        WatchMode::Poll => {
            let _ = tx.send(status(
                "poll",
                Some(format!("polling every {}", interval(cfg.poll_interval))),
            ));
            poll_loop(&cfg, &tx, &stop_rx);
        }
        WatchMode::Notify => native(&root, &cfg, &tx, &stop_rx, false),
        WatchMode::Auto => {
            if let Some(fs) = remote_fs_of(&root) {
                let note = format!("{} is on a {fs} filesystem", root.display());
                let _ = tx.send(status("poll", poll_note(&cfg, note)));
                poll_loop(&cfg, &tx, &stop_rx);
                return;
            }
            native(&root, &cfg, &tx, &stop_rx, true);
        }
    }
}

fn poll_note(cfg: &WatchConfig, why: String) -> Option<String> {
    Some(format!(
        "{why}; polling every {}",
        interval(cfg.poll_interval)
    ))
}

/// The native watcher until stopped, started again on the new folder
/// whenever the root is replaced (removed and created again, or moved
/// aside for another); in auto mode, polling when it fails.
fn native(
    root: &Path,
    cfg: &WatchConfig,
    tx: &Sender<WatchSignal>,
    stop_rx: &Receiver<()>,
    auto: bool,
) {
    let mut restarted = false;
    loop {
        let identity = scan::folder_identity(root);
        let exit = match start_native(root) {
            Ok((w, raw_rx)) => {
                let note = if restarted {
                    Some(format!(
                        "{} was replaced: watching the new folder",
                        root.display()
                    ))
                } else if auto {
                    Some(format!(
                        "native watcher, safety rescan every {}",
                        interval(cfg.safety_interval)
                    ))
                } else {
                    None
                };
                let _ = tx.send(status("notify", note));
                // Whatever the new folder got before the watch began.
                if restarted && tx.send(WatchSignal::Rescan).is_err() {
                    return;
                }
                native_loop(cfg, w, &raw_rx, tx, stop_rx, auto, root, identity)
            }
            // Gone again before the watch began: wait for it below.
            Err(_) if restarted && scan::folder_identity(root) != identity => {
                NativeExit::RootReplaced
            }
            Err(e) if auto => {
                NativeExit::Failed(format!("native watcher unavailable: {}", describe(&e)))
            }
            Err(e) => {
                NativeExit::Failed(format!("cannot start the native watcher: {}", describe(&e)))
            }
        };
        match exit {
            NativeExit::Stopped => return,
            NativeExit::RootReplaced => {
                // The indexer sees the folder gone (or another one) at once.
                if tx.send(WatchSignal::Rescan).is_err() || !wait_for_folder(root, cfg, stop_rx) {
                    return;
                }
                restarted = true;
            }
            NativeExit::Failed(why) if auto => {
                let _ = tx.send(status("poll", poll_note(cfg, why)));
                let _ = tx.send(WatchSignal::Rescan);
                poll_loop(cfg, tx, stop_rx);
                return;
            }
            NativeExit::Failed(why) => {
                let _ = tx.send(status("off", Some(why)));
                let _ = stop_rx.recv();
                return;
            }
        }
    }
}

/// Wait until `root` is a folder again; false when stopped first.
fn wait_for_folder(root: &Path, cfg: &WatchConfig, stop_rx: &Receiver<()>) -> bool {
    loop {
        if scan::folder_identity(root).is_some() {
            return true;
        }
        select! {
            recv(stop_rx) -> _ => return false,
            default(cfg.root_check) => {}
        }
    }
}

/// Sends a rescan every poll interval until stopped.
fn poll_loop(cfg: &WatchConfig, tx: &Sender<WatchSignal>, stop_rx: &Receiver<()>) {
    let interval = cfg.poll_interval.max(Duration::from_millis(10));
    loop {
        select! {
            recv(stop_rx) -> _ => return,
            default(interval) => {
                if tx.send(WatchSignal::Rescan).is_err() {
                    return;
                }
            }
        }
    }
}

enum NativeExit {
    Stopped,
    /// The native watcher failed (the OS limit, its thread ended).
    Failed(String),
    /// The root folder went away or is another folder now: the watch on the
    /// old one sees nothing of the new one.
    RootReplaced,
}

/// Coalesces native events into batches; in auto mode also sends safety
/// rescans. Ends when `root` itself is removed or moved away, or is no
/// longer the folder with `identity` (checked every `root_check`).
#[allow(clippy::too_many_arguments)]
fn native_loop(
    cfg: &WatchConfig,
    watcher: notify::RecommendedWatcher,
    raw_rx: &Receiver<RawEvent>,
    tx: &Sender<WatchSignal>,
    stop_rx: &Receiver<()>,
    auto: bool,
    root: &Path,
    identity: Option<scan::FolderIdentity>,
) -> NativeExit {
    let mut watcher = watcher; // kept alive for the loop's duration
    let mut batch: BTreeMap<PathBuf, Instant> = BTreeMap::new();
    let mut batch_start = Instant::now();
    let mut last_event = Instant::now();
    let mut next_safety = Instant::now() + cfg.safety_interval;
    let mut next_root_check = Instant::now() + cfg.root_check;
    loop {
        let now = Instant::now();
        let flush_at = if batch.is_empty() {
            None
        } else {
            Some((last_event + cfg.coalesce).min(batch_start + cfg.max_batch_delay))
        };
        let mut wake = next_root_check;
        if let Some(f) = flush_at {
            wake = wake.min(f);
        }
        if auto {
            wake = wake.min(next_safety);
        }
        let timeout = wake.saturating_duration_since(now);
        let (mut root_touched, mut root_gone) = (false, false);
        select! {
            recv(stop_rx) -> _ => return NativeExit::Stopped,
            recv(raw_rx) -> ev => match ev {
                Ok(Ok(ev)) => {
                    if ev.need_rescan() && tx.send(WatchSignal::Rescan).is_err() {
                        return NativeExit::Stopped;
                    }
                    if is_relevant(&ev.kind) && !ev.paths.is_empty() {
                        watch_new_folders(&mut watcher, &ev);
                        if batch.is_empty() {
                            batch_start = Instant::now();
                        }
                        last_event = Instant::now();
                        let at_root = ev.paths.iter().any(|p| p == root);
                        root_touched |= at_root;
                        // The root itself removed or moved away: its watch is dead,
                        // whatever identity a folder made again there has.
                        root_gone |= at_root
                            && matches!(ev.kind, EventKind::Remove(_) | EventKind::Modify(ModifyKind::Name(_)));
                        batch.extend(ev.paths.into_iter().map(|p| (p, last_event)));
                    }
                }
                Ok(Err(e)) => {
                    if auto && is_watch_limit(&e) {
                        return NativeExit::Failed(format!("native watcher failed: {}", describe(&e)));
                    }
                    let sent = tx.send(status("notify", Some(format!("watcher error: {}", describe(&e)))))
                        .and_then(|_| tx.send(WatchSignal::Rescan));
                    if sent.is_err() {
                        return NativeExit::Stopped;
                    }
                }
                Err(_) => {
                    // The native watcher's thread ended: nothing more will come.
                    return NativeExit::Failed("native watcher stopped".into());
                }
            },
            default(timeout) => {}
        }
        let now = Instant::now();
        if root_gone {
            return NativeExit::RootReplaced;
        }
        if root_touched || now >= next_root_check {
            next_root_check = now + cfg.root_check;
            if scan::folder_identity(root) != identity {
                return NativeExit::RootReplaced;
            }
        }
        if !batch.is_empty()
            && (now >= last_event + cfg.coalesce || now >= batch_start + cfg.max_batch_delay)
        {
            let paths: Vec<(PathBuf, Instant)> = std::mem::take(&mut batch).into_iter().collect();
            if tx.send(WatchSignal::Changed(paths)).is_err() {
                return NativeExit::Stopped;
            }
        }
        if auto && now >= next_safety {
            next_safety = now + cfg.safety_interval;
            if tx.send(WatchSignal::Rescan).is_err() {
                return NativeExit::Stopped;
            }
        }
    }
}

/// The filesystem type of `root` when it is a network or FUSE filesystem
/// (where the native watcher misses changes), from `/proc/self/mountinfo`.
/// `None` when local or unknown (non-Linux).
pub fn remote_fs_of(root: &Path) -> Option<String> {
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let fs = mount_fs_type(&mountinfo, &root)?;
    is_remote_fs(&fs).then_some(fs)
}

/// The filesystem type of the mount holding `path`, from the text of
/// `/proc/self/mountinfo`: the entry with the longest mount point that is a
/// prefix of `path` (component-wise); a later entry wins a tie (it is mounted on top).
pub fn mount_fs_type(mountinfo: &str, path: &Path) -> Option<String> {
    let mut best: Option<(usize, String)> = None;
    for line in mountinfo.lines() {
        let Some((mount_point, fs_type)) = parse_mountinfo_line(line) else {
            continue;
        };
        let mp = Path::new(&mount_point);
        if !path.starts_with(mp) {
            continue;
        }
        let depth = mp.components().count();
        let deeper = match &best {
            Some((d, _)) => depth >= *d,
            None => true,
        };
        if deeper {
            best = Some((depth, fs_type));
        }
    }
    best.map(|(_, fs)| fs)
}

/// (mount point, filesystem type) of one mountinfo line:
/// `ID PARENT MAJ:MIN ROOT MOUNT_POINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER_OPTIONS`.
fn parse_mountinfo_line(line: &str) -> Option<(String, String)> {
    let fields: Vec<&str> = line.split(' ').collect();
    let mount_point = fields.get(4)?;
    let sep = fields.iter().skip(6).position(|f| *f == "-")? + 6;
    let fs_type = fields.get(sep + 1)?;
    if fs_type.is_empty() {
        return None;
    }
    Some((unescape_octal(mount_point), (*fs_type).to_string()))
}

/// Undo the kernel's `\ooo` escapes (space, tab, newline, backslash) in mountinfo fields.
fn unescape_octal(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 3 < b.len() {
            let oct = &b[i + 1..i + 4];
            if oct.iter().all(|c| (b'0'..=b'7').contains(c)) {
                let v = (oct[0] - b'0') as u32 * 64
                    + (oct[1] - b'0') as u32 * 8
                    + (oct[2] - b'0') as u32;
                if let Ok(byte) = u8::try_from(v) {
                    out.push(byte);
                    i += 4;
                    continue;
                }
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// True for filesystems where the native watcher does not see all changes:
/// network filesystems, FUSE mounts, VM shared folders.
pub fn is_remote_fs(fs_type: &str) -> bool {
    let t = fs_type.to_ascii_lowercase();
    if t == "fuse" || t.starts_with("fuse.") {
        return true;
    }
    matches!(
        t.as_str(),
        "nfs"
            | "nfs4"
            | "cifs"
            | "smb"
            | "smb2"
            | "smb3"
            | "smbfs"
            | "sshfs"
            | "9p"
            | "virtiofs"
            | "ceph"
            | "glusterfs"
            | "lustre"
            | "gpfs"
            | "afs"
            | "ocfs2"
            | "gfs2"
            | "beegfs"
            | "ncpfs"
            | "coda"
            | "davfs"
            | "vboxsf"
            | "vmhgfs"
            | "drvfs"
            | "prl_fs"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
41 22 0:38 / /mnt/share rw,relatime shared:30 - nfs4 server:/export rw,vers=4.2
42 41 0:39 / /mnt/share/local rw,relatime shared:31 - tmpfs tmpfs rw
43 22 0:40 / /home/ann/remote rw,nosuid,nodev,relatime shared:32 - fuse.sshfs ann@host:/data rw,user_id=1000
44 22 0:41 / /mnt/with\\040space rw,relatime - cifs //srv/x rw
45 22 0:42 / /work rw,relatime - overlay overlay rw
46 45 0:43 / /work rw,relatime - 9p drvfs rw
47 22 0:44 / /mnt/sharedthing rw,relatime - ext4 /dev/sdb1 rw
";

    fn fs(p: &str) -> Option<String> {
        mount_fs_type(SAMPLE, Path::new(p))
    }

    #[test]
    fn longest_prefix_wins() {
        assert_eq!(fs("/home/ann/data").as_deref(), Some("ext4"));
        assert_eq!(fs("/mnt/share/ws").as_deref(), Some("nfs4"));
        assert_eq!(fs("/mnt/share").as_deref(), Some("nfs4"));
        assert_eq!(fs("/mnt/share/local/ws").as_deref(), Some("tmpfs"));
        assert_eq!(fs("/home/ann/remote/ws").as_deref(), Some("fuse.sshfs"));
        // component-wise: /mnt/sharedthing is not under /mnt/share
        assert_eq!(fs("/mnt/sharedthing/ws").as_deref(), Some("ext4"));
    }

    #[test]
    fn escapes_and_overmounts() {
        assert_eq!(fs("/mnt/with space/ws").as_deref(), Some("cifs"));
        // same mount point twice: the later (top) mount wins
        assert_eq!(fs("/work/ws").as_deref(), Some("9p"));
        assert_eq!(unescape_octal("a\\040b\\134c\\"), "a b\\c\\");
    }

    #[test]
    fn malformed_lines_are_skipped() {
        let text = "garbage\n1 2 3\n22 1 8:1 / / rw - \n30 1 8:1 / / rw shared:1 - xfs /dev/x rw\n";
        assert_eq!(mount_fs_type(text, Path::new("/a")).as_deref(), Some("xfs"));
        assert_eq!(mount_fs_type("", Path::new("/a")), None);
    }

    #[test]
    fn remote_types() {
        for t in [
            "nfs",
            "nfs4",
            "cifs",
            "smb3",
            "smbfs",
            "fuse.sshfs",
            "fuse",
            "9p",
            "ceph",
            "glusterfs",
        ] {
            assert!(is_remote_fs(t), "{t}");
        }
        for t in ["ext4", "xfs", "btrfs", "tmpfs", "overlay", "zfs", "fuseblk"] {
            assert!(!is_remote_fs(t), "{t}");
        }
    }

    #[test]
    fn mode_round_trip() {
        for m in [
            WatchMode::Auto,
            WatchMode::Notify,
            WatchMode::Poll,
            WatchMode::Off,
        ] {
            assert_eq!(m.to_string().parse::<WatchMode>(), Ok(m));
        }
        assert_eq!("POLL".parse::<WatchMode>(), Ok(WatchMode::Poll));
        assert!("sometimes".parse::<WatchMode>().is_err());
    }

    #[test]
    fn poll_mode_ticks_and_stops() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = WatchConfig {
            mode: WatchMode::Poll,
            poll_interval: Duration::from_millis(20),
            ..WatchConfig::default()
        };
        let (w, rx) = Watcher::start(dir.path(), cfg).unwrap();
        let first = rx.recv_timeout(Duration::from_secs(5)).unwrap();
        assert!(matches!(first, WatchSignal::Status { ref mode, .. } if mode == "poll"));
        assert_eq!(
            rx.recv_timeout(Duration::from_secs(5)).unwrap(),
            WatchSignal::Rescan
        );
        let t = Instant::now();
        drop(w);
        assert!(t.elapsed() < Duration::from_secs(1));
    }

    /// Signals until one matches `pred` (panics after 10 s).
    fn wait_for(rx: &Receiver<WatchSignal>, what: &str, pred: impl Fn(&WatchSignal) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(sig) if pred(&sig) => return,
                Ok(_) => continue,
                Err(e) => panic!("no {what}: {e}"),
            }
        }
    }

    #[test]
    fn a_replaced_root_is_watched_again() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("ws");
        std::fs::create_dir(&root).unwrap();
        let cfg = WatchConfig {
            mode: WatchMode::Notify,
            root_check: Duration::from_millis(20),
            ..WatchConfig::default()
        };
        let (_w, rx) = Watcher::start(&root, cfg).unwrap();
        let first = rx.recv_timeout(Duration::from_secs(5)).unwrap();
        if !matches!(&first, WatchSignal::Status { mode, .. } if mode == "notify") {
            eprintln!("native watcher unavailable: {first:?}");
            return;
        }
        std::fs::remove_dir_all(&root).unwrap();
        std::fs::create_dir(&root).unwrap();
        wait_for(
            &rx,
            "note that the root was replaced",
            |s| matches!(s, WatchSignal::Status { message: Some(m), .. } if m.contains("was replaced")),
        );
        wait_for(&rx, "rescan of the new root", |s| *s == WatchSignal::Rescan);
        std::fs::write(root.join("a.json"), b"{}").unwrap();
        wait_for(
            &rx,
            "change in the new root",
            |s| matches!(s, WatchSignal::Changed(p) if p.iter().any(|(p, _)| p.ends_with("a.json"))),
        );
    }

    #[test]
    fn native_mode_reports_changed_paths() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = WatchConfig {
            mode: WatchMode::Notify,
            ..WatchConfig::default()
        };
        let (_w, rx) = Watcher::start(dir.path(), cfg).unwrap();
        let first = rx.recv_timeout(Duration::from_secs(5)).unwrap();
        let WatchSignal::Status { mode, message } = first else {
            panic!("expected a status first, got {first:?}");
        };
        if mode != "notify" {
            // No inotify in this sandbox: nothing more to check.
            eprintln!("native watcher unavailable: {message:?}");
            return;
        }
        let file = dir.path().join("a.json");
        std::fs::write(&file, b"{}").unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(WatchSignal::Changed(paths))
                    if paths.iter().any(|(p, _)| p.ends_with("a.json")) =>
                {
                    break
                }
                Ok(_) => continue,
                Err(e) => panic!("no change signal for {}: {e}", file.display()),
            }
        }
    }
}
