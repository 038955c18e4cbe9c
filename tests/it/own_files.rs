//! snapscope's own files (index cache, log, configuration) when they are
//! not what they should be: a FIFO or a link to `/dev/zero` where the cache
//! file goes is ignored at once, in every command and in the explorer (which
//! still quits on `q` and SIGTERM); a FIFO config or log never blocks; the
//! cache and log are private (folders 0700, files 0600) whatever the umask,
//! and looser ones left by an older version are tightened.

use crate::common;
use common::deadline::{mkfifo, output_within};
use common::pty::Pty;
use common::{copy_dir, run};

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use snapscope::index::cache_file;

/// Long enough for a debug build on a busy machine; a hang is killed at it.
const T: Duration = Duration::from_secs(30);
/// A command over the small fixture needs far less; reading `/dev/zero`
/// crosses it in seconds.
const MAX_RSS: u64 = 1 << 30;

/// A copy of the TUI fixture workspace and an empty `XDG_CACHE_HOME`.
struct Setup {
    tmp: tempfile::TempDir,
    ws: PathBuf,
    xdg: PathBuf,
}

impl Setup {
    fn new() -> Setup {
        let tmp = tempfile::tempdir().unwrap();
        let ws = tmp.path().join("ws");
        copy_dir(&common::fixture_root(), &ws);
        let xdg = tmp.path().join("xdg");
        Setup { tmp, ws, xdg }
    }

    /// Where the binary keeps the index cache of the workspace.
    fn cache_file(&self) -> PathBuf {
        cache_file(&self.xdg.join("snapscope").join("index"), &self.ws)
    }

    fn run(&self, args: &[&str]) -> run::Run {
        run::snapscope()
            .args(args)
            .env("XDG_CACHE_HOME", &self.xdg)
            .env("TZ", "UTC")
    }
}

fn mode(p: &Path) -> u32 {
    fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777
}

/// `projects`, `snapshots` and `check` with the cache file replaced by
/// `plant`: each ends promptly with what `--no-cache` says.
fn commands_ignore_the_cache_file(plant: impl Fn(&Path)) {
    let s = Setup::new();
    let cache = s.cache_file();
    fs::create_dir_all(cache.parent().unwrap()).unwrap();
    let ws = s.ws.to_str().unwrap();
    for args in [
        vec!["projects", ws, "--json"],
        vec!["snapshots", ws, "--json"],
        vec!["check", ws],
    ] {
        let _ = fs::remove_file(&cache);
        plant(&cache);
        let (got, took) = output_within(s.run(&args), &args.join(" "), T, MAX_RSS);
        // Replaced by a real cache file, private (before `--no-cache`,
        // which removes it).
        let meta = fs::symlink_metadata(&cache).unwrap();
        assert!(meta.file_type().is_file(), "{args:?}: {meta:?}");
        assert_eq!(mode(&cache), 0o600);
        let mut plain_args = args.clone();
        plain_args.push("--no-cache");
        let (want, _) = output_within(s.run(&plain_args), "--no-cache", T, MAX_RSS);
        eprintln!("{}: {took:?}", args.join(" "));
        assert_eq!(got.status.code(), want.status.code(), "{args:?}");
        assert_eq!(
            String::from_utf8_lossy(&got.stdout),
            String::from_utf8_lossy(&want.stdout),
            "{args:?}"
        );
        assert!(took < Duration::from_secs(10), "{args:?} took {took:?}");
    }
}

#[test]
fn a_fifo_cache_file_is_ignored_at_once() {
    commands_ignore_the_cache_file(mkfifo);
}

#[test]
fn a_cache_file_linked_to_dev_zero_is_ignored_at_once() {
    commands_ignore_the_cache_file(|p| std::os::unix::fs::symlink("/dev/zero", p).unwrap());
}

/// The explorer at 100x30 on the workspace with this `XDG_CACHE_HOME`,
/// once its footer is drawn. `sh_prefix` runs it through `sh -c` (a umask).
fn explorer(s: &Setup, sh_prefix: Option<&str>) -> Pty {
    let bin = run::bin();
    let ws = s.ws.to_str().unwrap();
    let xdg = s.xdg.to_str().unwrap();
    let env = [("TZ", "UTC"), ("XDG_CACHE_HOME", xdg)];
    let pty = match sh_prefix {
        None => Pty::spawn(&bin, &[ws], 100, 30, &env, s.tmp.path()),
        Some(prefix) => {
            let script = format!("{prefix}; exec \"$0\" \"$@\"");
            let args = ["-c", script.as_str(), bin.to_str().unwrap(), ws];
            Pty::spawn(Path::new("sh"), &args, 100, 30, &env, s.tmp.path())
        }
    };
    pty.wait_for_text("q quit", T);
    pty
}

#[test]
fn the_explorer_quits_on_q_with_a_fifo_cache_file() {
    let s = Setup::new();
    fs::create_dir_all(s.cache_file().parent().unwrap()).unwrap();
    mkfifo(&s.cache_file());
    let mut p = explorer(&s, None);
    p.send("q");
    assert_eq!(p.wait_exit(T), 0);
    assert!(p.restored(), "terminal not restored:\n{}", p.screen());
}

#[test]
fn the_explorer_ends_on_sigterm_with_a_fifo_cache_file() {
    let s = Setup::new();
    fs::create_dir_all(s.cache_file().parent().unwrap()).unwrap();
    mkfifo(&s.cache_file());
    let mut p = explorer(&s, None);
    let pid = p.pid().expect("pid").to_string();
    let st = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(st.success());
    assert_eq!(p.wait_exit(T), 143);
    assert!(p.restored(), "terminal not restored:\n{}", p.screen());
}

#[test]
fn a_fifo_log_file_does_not_block_the_explorer() {
    let s = Setup::new();
    fs::create_dir_all(s.xdg.join("snapscope")).unwrap();
    mkfifo(&s.xdg.join("snapscope").join("snapscope.log"));
    let mut p = explorer(&s, None);
    p.wait_for_text("Diabetes progression regressor", T);
    p.send("q");
    assert_eq!(p.wait_exit(T), 0);
}

#[test]
fn a_fifo_config_file_is_an_error_at_once() {
    let s = Setup::new();
    let fifo = s.tmp.path().join("config.toml");
    mkfifo(&fifo);
    let ws = s.ws.to_str().unwrap();
    let (o, _) = output_within(
        s.run(&["projects", ws]).env("SNAPSCOPE_CONFIG", &fifo),
        "projects with a FIFO config",
        T,
        MAX_RSS,
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("not a regular file (a FIFO)"), "{err}");
}

#[test]
fn cache_and_log_are_private_whatever_the_umask() {
    let s = Setup::new();
    let ws = s.ws.to_str().unwrap();
    // A headless command writes the cache...
    let o = run::snapscope_via("sh", &["-c", "umask 000; exec \"$0\" \"$@\""])
        .args(["projects", ws])
        .env("XDG_CACHE_HOME", &s.xdg)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let dir = s.xdg.join("snapscope");
    assert_eq!(mode(&s.xdg), 0o700, "a missing XDG_CACHE_HOME is made 0700");
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join("index")), 0o700);
    assert_eq!(mode(&s.cache_file()), 0o600);
    // ... and the explorer the log.
    let mut p = explorer(&s, Some("umask 000"));
    p.send("q");
    assert_eq!(p.wait_exit(T), 0);
    assert_eq!(mode(&dir.join("snapscope.log")), 0o600);
    assert_eq!(mode(&s.cache_file()), 0o600);
    // A --log-file of the user's is created private too.
    let log = s.tmp.path().join("logs").join("mine.log");
    let bin = run::bin();
    let args = [
        "-c",
        "umask 000; exec \"$0\" \"$@\"",
        bin.to_str().unwrap(),
        ws,
        "--log-file",
        log.to_str().unwrap(),
    ];
    let xdg = s.xdg.to_str().unwrap();
    let mut p = Pty::spawn(
        Path::new("sh"),
        &args,
        100,
        30,
        &[("XDG_CACHE_HOME", xdg)],
        s.tmp.path(),
    );
    p.wait_for_text("q quit", T);
    p.send("q");
    assert_eq!(p.wait_exit(T), 0);
    assert_eq!(mode(&log), 0o600);
}

#[test]
fn looser_cache_and_log_left_by_an_older_version_are_tightened() {
    let s = Setup::new();
    let ws = s.ws.to_str().unwrap();
    let dir = s.xdg.join("snapscope");
    let mut p = explorer(&s, None);
    p.wait_for_text("Diabetes progression regressor", T);
    p.send("q");
    assert_eq!(p.wait_exit(T), 0);
    // As an older snapscope left them (umask 022), plus files not its own.
    let loose = |p: &Path, m: u32| fs::set_permissions(p, fs::Permissions::from_mode(m)).unwrap();
    let other_idx = dir.join("index").join("0123456789abcdef.idx");
    fs::write(&other_idx, b"another workspace's cache").unwrap();
    let notes = dir.join("index").join("notes.txt");
    fs::write(&notes, b"not snapscope's").unwrap();
    for (p, m) in [
        (&s.xdg, 0o755),
        (&dir, 0o755),
        (&dir.join("index"), 0o755),
        (&s.cache_file(), 0o644),
        (&other_idx, 0o644),
        (&notes, 0o644),
        (&dir.join("snapscope.log"), 0o644),
    ] {
        loose(p, m);
    }
    // A headless command fixes the cache folders and files...
    let o = s.run(&["projects", ws]).output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join("index")), 0o700);
    assert_eq!(mode(&s.cache_file()), 0o600);
    assert_eq!(mode(&other_idx), 0o600);
    // ... the explorer the log ...
    let mut p = explorer(&s, None);
    p.send("q");
    assert_eq!(p.wait_exit(T), 0);
    assert_eq!(mode(&dir.join("snapscope.log")), 0o600);
    // ... and nothing else is touched: XDG_CACHE_HOME is the user's.
    assert_eq!(mode(&s.xdg), 0o755);
    assert_eq!(mode(&notes), 0o644);
}
