//! The `snapscope` binary: parse the command line, run, map errors to exit
//! codes (0 success, 1 when `check` finds a failing or stale project, 2 usage
//! or I/O error; clap exits 2 on usage errors too).

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;
use snapscope::cli::{self, Cli};
use snapscope::headless::{self, HeadlessError, Outcome};
use snapscope::live::LiveIndex;
use snapscope::logging;
use snapscope::sanitize::clean;
use snapscope::tui::{self, ExitReason, TuiOptions};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => code,
        // The reader closed stdout (`| head`): nothing left to say.
        Err(err)
            if err
                .downcast_ref::<HeadlessError>()
                .is_some_and(HeadlessError::is_broken_pipe) =>
        {
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("snapscope: {}", clean(&one_line(&err)));
            ExitCode::from(2)
        }
    }
}

fn run(cli: &Cli) -> anyhow::Result<ExitCode> {
    if cli.command.is_none() && !cli.tui.print && io::stdout().is_terminal() {
        return explore(cli);
    }
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let outcome = match &cli.command {
        Some(command) => headless::run(command, &cli.global, &mut out)?,
        // Not a terminal (or --print): the projects view.
        None => {
            headless::projects(&cli_path(cli), &cli.global, false, &mut out)?;
            Outcome::Ok
        }
    };
    out.flush().map_err(HeadlessError::from)?;
    Ok(match outcome {
        Outcome::Ok => ExitCode::SUCCESS,
        // `check` found a failing or stale project.
        Outcome::Failed => ExitCode::from(1),
    })
}

/// The interactive explorer on the live index.
fn explore(cli: &Cli) -> anyhow::Result<ExitCode> {
    let root = cli_path(cli);
    let args = &cli.tui;
    let log = logging::init(args.log_file.as_deref());
    let live_opts = args.follow.live_options(&cli.global);
    let (live, events) = LiveIndex::start(&root, live_opts)?;
    let mut opts = TuiOptions::new(live.root().to_path_buf());
    opts.tz = cli.global.tz;
    opts.ascii = args.ascii;
    opts.mouse = !args.no_mouse;
    opts.watch_mode = args.follow.mode.to_string();
    opts.dot_marker = args.dot_marker;
    opts.rescan = Some(Box::new(live.rescan_handle()));
    let reason = tui::run(opts, events);
    live.stop();
    if let Some(path) = log {
        tracing::info!("log at {}", path.display());
    }
    match reason? {
        ExitReason::Quit => Ok(ExitCode::SUCCESS),
        ExitReason::Signal(n) => Ok(ExitCode::from(u8::try_from(128 + n).unwrap_or(1))),
    }
}

fn cli_path(cli: &Cli) -> std::path::PathBuf {
    cli.path.clone().unwrap_or_else(cli::default_path)
}

/// The error and its causes on one line, skipping causes already quoted.
fn one_line(err: &anyhow::Error) -> String {
    let mut msg = err.to_string();
    for cause in err.chain().skip(1) {
        let c = cause.to_string();
        if !msg.contains(&c) {
            msg.push_str(": ");
            msg.push_str(&c);
        }
    }
    msg.replace('\n', " ")
}
