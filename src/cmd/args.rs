//! Command-line interface definition (clap derive). Parsing only: the
//! commands themselves live in the other files of [`crate::cmd`].

use std::path::{Path, PathBuf};

use clap::parser::ValueSource;
use clap::{ArgMatches, Args, Parser, Subcommand};

use std::time::Duration;

use crate::config::{Config, Marker};
use crate::index::LiveOptions;
use crate::index::WatchMode;
use crate::index::{IndexOptions, DEFAULT_MAX_FILE_SIZE};
use crate::parse::{ParseOptions, TimeZoneChoice};
use crate::text::size::parse_size;

/// A terminal explorer for Evidently ML monitoring snapshots.
///
/// With no command, opens the interactive explorer on PATH (default:
/// `sample_snapshots/` when it exists in the current folder, else `.`); when
/// stdout is not a terminal, prints the projects view instead.
#[derive(Debug, Parser)]
#[command(
    name = "snapscope",
    version = VERSION,
    about,
    subcommand_precedence_over_arg = true
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

    /// Print the configuration in effect (file, flags) and the paths used, then exit.
    #[arg(long)]
    pub print_config: bool,

    /// With --print-config: print the built-in default configuration file instead.
    #[arg(long = "default", requires = "print_config")]
    pub default_config: bool,
}

/// The version shown by `--version`: the crate version, plus `git describe`
/// when built from a git checkout (set by build.rs).
pub const VERSION: &str = env!("SNAPSCOPE_VERSION");

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

    /// Do not use the index cache (kept in the user's cache folder, never in
    /// PATH): parse every snapshot file, and remove PATH's cache file so
    /// that none written before is used later.
    #[arg(long, global = true, env = "SNAPSCOPE_NO_CACHE", action = clap::ArgAction::SetTrue, value_parser = clap::builder::BoolishValueParser::new())]
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
        /// CSV with the header `snapshot,timestamp,value` (RFC 4180; empty value for null).
        #[arg(long, conflicts_with = "json")]
        csv: bool,
    },
    /// Index PATH and report counts, timing and every unreadable file.
    Scan {
        /// Workspace, project folder or flat folder of snapshot files.
        path: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Follow PATH and print changes as they happen, until interrupted (Ctrl-C).
    Watch(WatchArgs),
    /// Print shell completions to stdout (e.g. `snapscope completions bash
    /// > /etc/bash_completion.d/snapscope`).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to stdout (e.g. `snapscope man | man -l -`).
    Man,
    /// Per-test history of a project: latest status, failing since, fail count.
    Tests(TestsArgs),
    /// Exit 1 when any project's latest run with tests fails (or is too old).
    Check(CheckArgs),
    /// What changed between two snapshots of a project.
    Compare(CompareArgs),
    /// Print the workspace's state once in the Prometheus text format
    /// (for node_exporter's textfile collector or a cron job).
    Metrics(MetricsArgs),
    /// Serve `GET /metrics` (Prometheus text format) from a live index of
    /// PATH, until interrupted (Ctrl-C).
    Serve(ServeArgs),
}

/// Which series values `metrics` and `serve` export.
#[derive(Debug, Clone, Args)]
pub struct ExportOpts {
    /// Also export the latest value of every series key matching PATTERN
    /// (`*` matches any run of characters; repeat for more). The series a
    /// project's dashboard panels use are exported anyway.
    #[arg(long = "series", value_name = "PATTERN")]
    pub series: Vec<String>,
    /// Export at most N series values; what the cap leaves out is counted
    /// in `snapscope_series_dropped`.
    #[arg(long, value_name = "N", default_value_t = crate::analysis::metrics::DEFAULT_MAX_SERIES)]
    pub max_series: usize,
    /// Leave out the series the projects' dashboards use.
    #[arg(long)]
    pub no_dashboard_series: bool,
}

impl ExportOpts {
    /// The series choice these flags make.
    pub fn choice(&self) -> crate::analysis::metrics::SeriesChoice {
        crate::analysis::metrics::SeriesChoice {
            dashboard: !self.no_dashboard_series,
            patterns: self.series.clone(),
            max_series: self.max_series,
        }
    }
}

/// Arguments of `snapscope metrics`.
#[derive(Debug, Args)]
pub struct MetricsArgs {
    /// Workspace, project folder or flat folder of snapshot files.
    pub path: PathBuf,
    #[command(flatten)]
    pub export: ExportOpts,
}

/// The address `snapscope serve` listens on by default (loopback only).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:9775";

/// Arguments of `snapscope serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Workspace, project folder or flat folder of snapshot files.
    pub path: PathBuf,
    /// Address to listen on, `HOST:PORT`. Loopback unless told otherwise
    /// (`0.0.0.0:9775` listens on every interface).
    #[arg(long, value_name = "ADDR", default_value = DEFAULT_LISTEN)]
    pub listen: String,
    #[command(flatten)]
    pub export: ExportOpts,
    #[command(flatten)]
    pub follow: FollowOpts,
}

/// Arguments of `snapscope tests`.
#[derive(Debug, Args)]
pub struct TestsArgs {
    /// Workspace, project folder or flat folder of snapshot files.
    pub path: PathBuf,
    /// Project name or id (may be left out when PATH holds one project).
    #[arg(long, value_name = "NAME_OR_ID")]
    pub project: Option<String>,
    /// Count runs and failures from T on (same forms as `snapshots --since`).
    #[arg(long, value_name = "T")]
    pub since: Option<String>,
    /// Count runs and failures up to T (inclusive).
    #[arg(long, value_name = "T")]
    pub until: Option<String>,
    /// Cut text lines to N columns (0: never cut). Default: the terminal's
    /// width (`COLUMNS` when set); piped output is never cut.
    #[arg(long, value_name = "N")]
    pub width: Option<usize>,
    #[arg(long)]
    pub json: bool,
}

/// What `snapscope check` counts as failing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum FailOn {
    /// FAIL or ERROR tests.
    #[default]
    Fail,
    /// WARNING tests too.
    Warning,
}

/// Arguments of `snapscope check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Workspace, project folder or flat folder of snapshot files.
    pub path: PathBuf,
    /// Check only this project (name or id).
    #[arg(long, value_name = "NAME_OR_ID")]
    pub project: Option<String>,
    /// Fail when a project's newest snapshot is older than this (`90m`, `6h`, `2d`, `1w`).
    #[arg(long, value_name = "DURATION", value_parser = parse_max_age)]
    pub max_age: Option<chrono::Duration>,
    /// Lowest test status that fails the check.
    #[arg(long, value_name = "LEVEL", value_enum, default_value_t = FailOn::Fail)]
    pub fail_on: FailOn,
    /// Cut text lines to N columns (0: never cut). Default: the terminal's
    /// width (`COLUMNS` when set); piped output is never cut.
    #[arg(long, value_name = "N")]
    pub width: Option<usize>,
    #[arg(long)]
    pub json: bool,
    /// Also write a JUnit XML report to FILE: one testsuite per project, one
    /// testcase per test of its latest run with tests.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
}

/// Arguments of `snapscope compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Workspace, project folder or flat folder of snapshot files.
    pub path: PathBuf,
    /// Before: a snapshot id (or unique prefix), `latest`, `latest-pass` or
    /// `latest-fail`. Without A and B: the onset of the current failure
    /// streak (the last run that passed against the first failing run after it).
    #[arg(requires = "b")]
    pub a: Option<String>,
    /// After (same forms as A).
    pub b: Option<String>,
    /// Project name or id (found from the ids when left out).
    #[arg(long, value_name = "NAME_OR_ID")]
    pub project: Option<String>,
    /// Without A and B: compare the latest failing run with the last run
    /// before it that passed (the default before the onset rule).
    #[arg(long, conflicts_with = "a")]
    pub latest_failure: bool,
    #[arg(long)]
    pub json: bool,
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
    /// `--poll-interval` was given (it then applies to a bucket too).
    #[arg(skip)]
    pub poll_interval_given: bool,
}

impl FollowOpts {
    /// Live-index options from the command line.
    pub fn live_options(&self, global: &GlobalOpts) -> LiveOptions {
        LiveOptions {
            parse: ParseOptions { tz: global.tz },
            watch: self.mode,
            poll_interval: Duration::from_secs_f64(self.poll_interval),
            max_file_size: global.max_file_size,
            use_cache: !global.no_cache,
            poll_interval_given: self.poll_interval_given,
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
    /// Colours: auto (monochrome when NO_COLOR is set), default (16 ANSI
    /// colours), light, monochrome or truecolor.
    #[arg(long, value_name = "THEME", value_parser = parse_theme)]
    pub theme: Option<crate::config::ThemeChoice>,
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

fn parse_theme(s: &str) -> Result<crate::config::ThemeChoice, String> {
    crate::config::ThemeChoice::from_name(s)
        .ok_or_else(|| format!("unknown theme {s:?} (auto, default, light, monochrome, truecolor)"))
}

/// True when the argument `id` was given on the command line (or through
/// its environment variable) at any level of `matches`, not defaulted.
pub fn given(matches: &ArgMatches, id: &str) -> bool {
    let here = matches.try_get_raw(id).ok().flatten().is_some_and(|_| {
        matches!(
            matches.value_source(id),
            Some(ValueSource::CommandLine | ValueSource::EnvVariable)
        )
    });
    here || matches.subcommand().is_some_and(|(_, sub)| given(sub, id))
}

impl Cli {
    /// Fill every option the command line left at its default from the
    /// configuration file: flags given explicitly win.
    pub fn apply_config(&mut self, cfg: &Config, matches: &ArgMatches) {
        if !given(matches, "tz") {
            self.global.tz = cfg.tz;
        }
        if !given(matches, "max_file_size") {
            self.global.max_file_size = cfg.max_file_size;
        }
        let follow = |f: &mut FollowOpts| {
            if !given(matches, "mode") {
                f.mode = cfg.watch;
            }
            f.poll_interval_given = given(matches, "poll_interval");
            if !f.poll_interval_given {
                f.poll_interval = cfg.poll_interval;
            }
        };
        follow(&mut self.tui.follow);
        match &mut self.command {
            Some(Command::Watch(w)) => follow(&mut w.follow),
            Some(Command::Serve(s)) => follow(&mut s.follow),
            _ => {}
        }
        self.tui.ascii |= cfg.ascii;
        self.tui.no_mouse |= !cfg.mouse;
        self.tui.dot_marker |= cfg.marker == Marker::Dot;
        if self.tui.theme.is_none() {
            self.tui.theme = Some(cfg.theme);
        }
    }

    /// The configuration in effect for the explorer: `file` with this
    /// command line's flags applied over it.
    pub fn effective_config(&self, file: &Config) -> Config {
        Config {
            tz: self.global.tz,
            theme: self.tui.theme.unwrap_or(file.theme),
            ascii: self.tui.ascii,
            mouse: !self.tui.no_mouse,
            marker: if self.tui.dot_marker {
                Marker::Dot
            } else {
                Marker::Braille
            },
            watch: self.tui.follow.mode,
            poll_interval: self.tui.follow.poll_interval,
            max_file_size: self.global.max_file_size,
            keys: file.keys.clone(),
            remote: file.remote.clone(),
        }
    }
}

fn parse_max_age(s: &str) -> Result<chrono::Duration, String> {
    crate::text::time::parse_duration(s)
        .filter(|d| *d > chrono::Duration::zero())
        .ok_or_else(|| format!("invalid duration {s:?} (examples: 90m, 6h, 2d, 1w)"))
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
