//! Logging to a file only (never the terminal the explorer draws on).
//! Level from `SNAPSCOPE_LOG` or `RUST_LOG` (default `info`).
//!
//! The log names workspace paths, so it is private: created `0600` in a
//! `0700` folder whatever the umask. The default log, in snapscope's own
//! cache folder, is never opened through a symbolic link and is tightened
//! when looser; a `--log-file` is the user's and only created private. A
//! log that is not a regular file (a FIFO, a terminal, `/dev/null`) is not
//! used: nothing is logged then.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tracing_subscriber::EnvFilter;

use crate::index::{self, Links};

/// The default log file: `$XDG_CACHE_HOME/snapscope/snapscope.log`, else
/// `~/.cache/snapscope/snapscope.log`, else the temp dir.
pub fn default_log_path() -> PathBuf {
    crate::index::cache_dir().join("snapscope.log")
}

/// Send tracing output to `path` (or the default file). Returns the file in
/// use, or `None` when no log file could be opened (then nothing is logged).
pub fn init(path: Option<&Path>) -> Option<PathBuf> {
    let own = path.is_none();
    let path = path.map(Path::to_path_buf).unwrap_or_else(default_log_path);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let _ = index::create_private_dir(dir);
        if own {
            index::tighten(dir, index::PRIVATE_DIR);
        }
    }
    let links = if own { Links::Refuse } else { Links::Follow };
    let file = index::open_log(&path, links).ok()?;
    let filter = std::env::var("SNAPSCOPE_LOG")
        .ok()
        .and_then(|v| EnvFilter::try_new(v).ok())
        .or_else(|| EnvFilter::try_from_default_env().ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(Mutex::new(file))
        .try_init()
        .ok()?;
    Some(path)
}
