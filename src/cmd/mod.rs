//! The headless commands: index PATH, select, and print JSON or an aligned
//! text view. One file per command; [`select`] finds what the command line
//! names, [`output`] writes tables, JSON and CSV, [`error`] says how a
//! command ends. This file only dispatches: the files below it never use it.
//! Every untrusted string in text output goes through
//! [`sanitize`](crate::text::sanitize); JSON escapes on its own.

pub mod args;
pub mod check;
pub mod compare;
pub mod error;
pub mod generate;
pub mod junit;
pub mod metrics;
pub mod output;
pub mod projects;
pub mod scan;
pub mod select;
pub mod series;
pub mod serve;
pub mod show;
pub mod snapshots;
pub mod tests;
pub mod trend;
pub mod watch;

use std::io::Write;

use args::{Command, GlobalOpts};
pub use check::check;
pub use compare::compare;
use error::Result;
pub use error::{HeadlessError, Outcome};
pub use projects::projects;
pub use scan::scan;
pub use series::series;
pub use show::show;
pub use snapshots::snapshots;
pub use tests::tests;
pub use trend::{trend, TrendFormat};

/// Run one headless command, writing to `out`.
pub fn run(command: &Command, global: &GlobalOpts, out: &mut dyn Write) -> Result<Outcome> {
    match command {
        Command::Check(args) => check(args, global, out),
        other => run_plain(other, global, out).map(|()| Outcome::Ok),
    }
}

fn run_plain(command: &Command, global: &GlobalOpts, out: &mut dyn Write) -> Result<()> {
    match command {
        Command::Projects { path, json } => projects(path, global, *json, out),
        Command::Snapshots(args) => snapshots(args, global, out),
        Command::Show {
            path,
            snapshot_id,
            project,
            json,
        } => show(path, snapshot_id, project.as_deref(), global, *json, out),
        Command::Series {
            path,
            project,
            json,
        } => series(path, project, global, *json, out),
        Command::Trend {
            path,
            series_key,
            project,
            json,
            csv,
        } => {
            let format = match (*json, *csv) {
                (true, _) => TrendFormat::Json,
                (_, true) => TrendFormat::Csv,
                _ => TrendFormat::Text,
            };
            trend(path, project, series_key, global, format, out)
        }
        Command::Scan { path, json } => scan(path, global, *json, out),
        Command::Watch(args) => {
            let stop = watch::install_stop_signals()?;
            let opts = args.follow.live_options(global);
            if global.no_cache {
                crate::index::discard_cache(&args.path);
            }
            watch::run_watch(&args.path, &opts, args.json, out, &stop)?;
            Ok(())
        }
        Command::Completions { shell } => Ok(out.write_all(&generate::completions(*shell))?),
        Command::Man => Ok(out.write_all(&generate::man_page()?)?),
        Command::Tests(args) => tests(args, global, out),
        Command::Compare(args) => compare(args, global, out),
        Command::Metrics(args) => metrics::metrics(args, global, out),
        Command::Serve(args) => {
            let stop = watch::install_stop_signals()?;
            serve::serve(args, global, out, &stop)
        }
        // Handled by `run` (it sets the exit code); here for completeness.
        Command::Check(args) => check(args, global, out).map(|_| ()),
    }
}
