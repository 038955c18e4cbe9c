//! Logging to a file only (never the terminal the explorer draws on).
//! Level from `SNAPSCOPE_LOG` or `RUST_LOG` (default `info`).

use std::fs::{self, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tracing_subscriber::EnvFilter;

/// The default log file: `$XDG_CACHE_HOME/snapscope/snapscope.log`, else
/// `~/.cache/snapscope/snapscope.log`, else the temp dir.
pub fn default_log_path() -> PathBuf {
    crate::index::cache_dir().join("snapscope.log")
}

/// Send tracing output to `path` (or the default file). Returns the file in
/// use, or `None` when no log file could be opened (then nothing is logged).
pub fn init(path: Option<&Path>) -> Option<PathBuf> {
    let path = path.map(Path::to_path_buf).unwrap_or_else(default_log_path);
    if let Some(dir) = path.parent() {
        let _ = fs::create_dir_all(dir);
    }
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .ok()?;
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
