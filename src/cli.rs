//! Command-line interface definition (clap derive). Parsing only: the
//! commands themselves live in [`crate::headless`].

use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};

use std::time::Duration;

use crate::index::{IndexOptions, DEFAULT_MAX_FILE_SIZE};
use crate::live::LiveOptions;
use crate::parse::{ParseOptions, TimeZoneChoice};
use crate::watch::WatchMode;

/// A terminal explorer for Evidently ML monitoring snapshots.
///
/// With no command, opens the interactive explorer on PATH (default:
/// `sample_snapshots/` when it exists in the current folder, else `.`); when
/// stdout is not a terminal, prints the projects view instead.
#[derive(Debug, Parser)]
#[command(
    name = "snapscope",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOpts,

    /// Workspace, project folder or flat folder of snapshot files.
    pub path: Option<PathBuf>,

    #[command(flatten)]
    pub tui: TuiArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options valid before or after any command.
#[derive(Debug, Clone, Args)]
pub struct GlobalOpts {
    /// Zone for timestamps written without one, and for display:
    /// `local`, `utc` or an IANA name such as `Europe/Berlin`.
    #[arg(long, global = true, value_name = "ZONE", default_value = "local")]
    pub tz: TimeZoneChoice,

    /// Skip snapshot files larger than this (bytes; suffixes K, M, G allowed).
    #[arg(long, global = true, value_name = "SIZE", default_value = "512M", value_parser = parse_size)]
    pub max_file_size: u64,

    /// Neither read nor write the index cache (kept in the user's cache
    /// folder, never in PATH): parse every snapshot file.
    #[arg(long, global = true, env = "SNAPSCOPE_NO_CACHE")]
    pub no_cache: bool,
}

impl GlobalOpts {
    /// Indexing options from the command line.
    pub fn index_options(&self) -> IndexOptions {
        IndexOptions {
            parse: ParseOptions { tz: self.tz },
            max_file_size: self.max_file_size,
            use_cache: !self.no_cache,
        }
    }
}

impl Default for GlobalOpts {
    fn default() -> Self {
        GlobalOpts {
            tz: TimeZoneChoice::Local,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            no_cache: false,
        }
    }
}

/// The headless commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List projects with snapshot counts and time span.
    Projects {
        /// Workspace, project folder or flat folder of snapshot files.
        path: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// List snapshots, sorted by timestamp then id.
    Snapshots(SnapshotsArgs),
    /// Show one snapshot: header, tests, series values and drift rows.
    Show {
        /// Workspace, project folder or flat folder of snapshot files.
        path: PathBuf,
        /// Snapshot id (the file name without `.json`).
        snapshot_id: String,
        /// Look only in this project (name or id).
        #[arg(long, value_name = "NAME_OR_ID")]
        project: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// List every series key in a project with its number of points.
    Series {
        /// Workspace, project folder or flat folder of snapshot files.
        path: PathBuf,
        /// Project name or id.
        #[arg(long, value_name = "NAME_OR_ID")]
        project: String,
        #[arg(long)]
        json: bool,
    },
    /// Print one series of a project over time.
    Trend {
        /// Workspace, project folder or flat folder of snapshot files.
        path: PathBuf,
        /// Series key, e.g. `DatasetDriftMetric.share_of_drifted_columns`.
        series_key: String,
        /// Project name or id.
        #[arg(long, value_name = "NAME_OR_ID")]
        project: String,
        #[arg(long)]
        json: bool,
    },
    /// Index PATH and report counts, timing and every unreadable file.
    Scan {
        /// Workspace, project folder or flat folder of snapshot files.
        path: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Follow PATH and print changes as they happen (not yet implemented).
    Watch(WatchArgs),
}

/// Arguments of `snapscope snapshots`.
#[derive(Debug, Args)]
pub struct SnapshotsArgs {
    /// Workspace, project folder or flat folder of snapshot files.
    pub path: PathBuf,
    /// Only this project (name or id).
    #[arg(long, value_name = "NAME_OR_ID")]
    pub project: Option<String>,
    /// Only snapshots at or after T: RFC 3339, `YYYY-MM-DD`,
    /// `YYYY-MM-DDTHH:MM[:SS]` (in --tz) or relative like `7d`, `24h`.
    #[arg(long, value_name = "T")]
    pub since: Option<String>,
    /// Only snapshots at or before T (inclusive; same forms as --since).
    #[arg(long, value_name = "T")]
    pub until: Option<String>,
    /// Only snapshots carrying this tag; repeat to require several.
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `snapscope watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Workspace, project folder or flat folder of snapshot files.
    pub path: PathBuf,
    /// One JSON event per line.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub follow: FollowOpts,
}

/// How a live view follows the folder (the explorer and `watch`).
#[derive(Debug, Clone, Args)]
pub struct FollowOpts {
    /// How to notice changes: auto (native notifications plus a slow safety
    /// rescan; polling on network/FUSE filesystems), notify, poll or off.
    #[arg(long = "watch", value_name = "MODE", default_value = "auto")]
    pub mode: WatchMode,
    /// Seconds between polls in poll mode.
    #[arg(long, value_name = "SECS", default_value_t = 2.0, value_parser = parse_interval)]
    pub poll_interval: f64,
}

impl FollowOpts {
    /// Live-index options from the command line.
    pub fn live_options(&self, global: &GlobalOpts) -> LiveOptions {
        LiveOptions {
            parse: ParseOptions { tz: global.tz },
            watch: self.mode,
            poll_interval: Duration::from_secs_f64(self.poll_interval),
            use_cache: !global.no_cache,
            ..LiveOptions::default()
        }
    }
}

/// Options of the interactive explorer (`snapscope [PATH]`).
#[derive(Debug, Clone, Args)]
pub struct TuiArgs {
    #[command(flatten)]
    pub follow: FollowOpts,
    /// Leave the mouse to the terminal (text selection) instead of capturing it.
    #[arg(long)]
    pub no_mouse: bool,
    /// ASCII symbols only (for fonts or terminals without ✓ ✗ ▁▂▃).
    #[arg(long)]
    pub ascii: bool,
    /// Draw charts with dots instead of braille (fonts that draw braille badly).
    #[arg(long)]
    pub dot_marker: bool,
    /// Write the log here (default: the user's cache dir, snapscope/snapscope.log).
    #[arg(long, value_name = "FILE")]
    pub log_file: Option<PathBuf>,
    /// Print the projects view instead of opening the explorer (also the
    /// behaviour when stdout is not a terminal).
    #[arg(long)]
    pub print: bool,
}

/// The folder used when no PATH is given: `sample_snapshots/` when it exists
/// in the current folder, else `.`.
pub fn default_path() -> PathBuf {
    let sample = Path::new("sample_snapshots");
    if sample.is_dir() {
        sample.to_path_buf()
    } else {
        PathBuf::from(".")
    }
}

/// Parse a byte size: a plain number or one with a K, M or G suffix (binary units).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (digits, mult) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let m: u64 = match c.to_ascii_uppercase() {
                'K' => 1 << 10,
                'M' => 1 << 20,
                'G' => 1 << 30,
                'B' => 1,
                _ => return Err(format!("unknown size suffix in {t:?} (use K, M or G)")),
            };
            (&t[..i], m)
        }
        _ => (t, 1),
    };
    digits
        .trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .ok_or_else(|| format!("invalid size {t:?} (examples: 1000000, 64M, 1G)"))
}

fn parse_interval(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 86_400.0 => Ok(v),
        _ => Err(format!(
            "invalid interval {s:?} (seconds, greater than 0, e.g. 2 or 0.5)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1000"), Ok(1000));
        assert_eq!(parse_size("64M"), Ok(64 << 20));
        assert_eq!(parse_size("1g"), Ok(1 << 30));
        assert!(parse_size("12X").is_err());
        assert!(parse_size("M").is_err());
        assert!(parse_size("99999999999999999999G").is_err());
    }

    #[test]
    fn top_level_path_and_subcommands_coexist() {
        let c = Cli::try_parse_from(["snapscope", "some/dir"]).unwrap();
        assert!(c.command.is_none());
        assert_eq!(c.path.as_deref(), Some(Path::new("some/dir")));
        let c = Cli::try_parse_from(["snapscope", "projects", "ws", "--tz", "utc"]).unwrap();
        assert!(matches!(c.command, Some(Command::Projects { .. })));
        assert_eq!(c.global.tz, TimeZoneChoice::Utc);
        let c = Cli::try_parse_from(["snapscope", "snapshots", "ws", "--tag", "a", "--tag", "b"])
            .unwrap();
        match c.command {
            Some(Command::Snapshots(a)) => assert_eq!(a.tags, ["a", "b"]),
            other => panic!("{other:?}"),
        }
        assert!(Cli::try_parse_from(["snapscope", "--tz", "Mars/Base", "projects", "x"]).is_err());
        assert!(Cli::try_parse_from(["snapscope", "watch", "x", "--poll-interval", "0"]).is_err());
    }
}
