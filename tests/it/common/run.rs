//! The one runner that starts the `snapscope` binary: [`snapscope`] (or
//! [`snapscope_via`] behind a wrapper such as `setpriv`) with piped output,
//! and [`super::pty::Pty::spawn`] in a pseudo-terminal.
//!
//! Every start gets a fresh, empty `HOME` and none of the inherited `HOME`,
//! `XDG_*` or `SNAPSCOPE_*` variables, so a developer's own config file,
//! cache or settings cannot change a result. A test that needs one sets it
//! explicitly (`.env("SNAPSCOPE_CONFIG", …)`, `.env("XDG_CACHE_HOME", …)`).
//! Other variables (`PATH`, `TERM`, `TZ`, `NO_COLOR`, …) are inherited
//! unless the test sets or removes them. The working directory is the
//! package root, as for the tests themselves.

use std::ffi::{OsStr, OsString};
use std::io;
use std::ops::{Deref, DerefMut};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};

use tempfile::TempDir;

/// The binary under test.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_snapscope"))
}

/// The inherited variables a started program must not see: `HOME`, every
/// `XDG_*` and every `SNAPSCOPE_*`.
pub fn isolated_vars() -> Vec<OsString> {
    std::env::vars_os()
        .map(|(k, _)| k)
        .filter(|k| {
            let k = k.to_string_lossy();
            k == "HOME" || k.starts_with("XDG_") || k.starts_with("SNAPSCOPE_")
        })
        .collect()
}

/// A fresh, empty folder to be a started program's `HOME` (removed on drop).
pub fn empty_home() -> TempDir {
    tempfile::Builder::new()
        .prefix("snapscope-home-")
        .tempdir()
        .expect("a temp HOME")
}

/// `snapscope`, ready to run with an isolated environment.
pub fn snapscope() -> Run {
    Run::new(Command::new(bin()))
}

/// `program wrapper_args… snapscope`, e.g. `setpriv --reuid=65534 … snapscope`,
/// isolated the same way.
pub fn snapscope_via(program: &str, wrapper_args: &[&str]) -> Run {
    let mut cmd = Command::new(program);
    cmd.args(wrapper_args).arg(bin());
    Run::new(cmd)
}

/// A command line for the binary being built (the [`Command`] methods tests
/// use, by value); it owns the temp `HOME`.
pub struct Run {
    cmd: Command,
    home: TempDir,
}

impl Run {
    fn new(mut cmd: Command) -> Run {
        let home = empty_home();
        for k in isolated_vars() {
            cmd.env_remove(k);
        }
        cmd.env("HOME", home.path())
            .current_dir(env!("CARGO_MANIFEST_DIR"));
        Run { cmd, home }
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Run {
        self.cmd.arg(arg);
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.cmd.args(args);
        self
    }

    /// Opt in to a variable (it wins over the isolation, `HOME` included).
    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Run {
        self.cmd.env(key, value);
        self
    }

    pub fn env_remove(mut self, key: impl AsRef<OsStr>) -> Run {
        self.cmd.env_remove(key);
        self
    }

    pub fn stdout(mut self, cfg: Stdio) -> Run {
        self.cmd.stdout(cfg);
        self
    }

    pub fn stderr(mut self, cfg: Stdio) -> Run {
        self.cmd.stderr(cfg);
        self
    }

    /// Run to completion, capturing stdout and stderr.
    pub fn output(mut self) -> io::Result<Output> {
        self.cmd.output()
    }

    /// Start it; the temp `HOME` lives as long as the returned [`Running`].
    pub fn spawn(mut self) -> io::Result<Running> {
        let child = self.cmd.spawn()?;
        Ok(Running {
            child,
            _home: self.home,
        })
    }
}

/// A started binary: its [`Child`] (by deref) and its temp `HOME`.
pub struct Running {
    child: Child,
    _home: TempDir,
}

impl Deref for Running {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.child
    }
}

impl DerefMut for Running {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.child
    }
}

/// `snapscope` as user `nobody` (uid/gid 65534, no supplementary groups),
/// through `setpriv`: root reads mode-000 files, so permission tests drop
/// privileges. Its `HOME` is `/nonexistent`; give it a cache with
/// `XDG_CACHE_HOME` (a folder `nobody` can write) or `--no-cache`.
pub fn nobody() -> Run {
    snapscope_via("setpriv", &AS_NOBODY).env("HOME", "/nonexistent")
}

/// `setpriv`'s arguments that make the program it starts run as `nobody`.
pub const AS_NOBODY: [&str; 3] = ["--reuid=65534", "--regid=65534", "--clear-groups"];

/// True when this process runs as root (permission bits do not bind it).
pub fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false)
}

/// `snapscope` for a permission test: as `nobody` when the tests run as
/// root, as the current user otherwise; `None` (with a SKIPPED line naming
/// `test`) when running as root and `setpriv` cannot drop privileges.
pub fn unprivileged(test: &str) -> Option<Run> {
    match can_drop_privileges(test)? {
        true => Some(nobody()),
        false => Some(snapscope()),
    }
}

/// For a permission test: `Some(true)` when running as root and `setpriv`
/// can start programs as `nobody`, `Some(false)` when not root (permission
/// bits bind already), `None` (with a SKIPPED line naming `test`) when
/// running as root without a way to drop privileges.
pub fn can_drop_privileges(test: &str) -> Option<bool> {
    if !is_root() {
        return Some(false);
    }
    let ok = Command::new("setpriv")
        .args(AS_NOBODY)
        .arg("true")
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if ok {
        Some(true)
    } else {
        println!("SKIPPED {test}: running as root and cannot drop privileges with setpriv");
        None
    }
}
