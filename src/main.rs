//! The `snapscope` binary: parse the command line, run, map errors to exit
//! codes (0 success, 2 usage or I/O error; clap exits 2 on usage errors too).

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;
use snapscope::cli::{self, Cli};
use snapscope::headless::{self, HeadlessError};
use snapscope::sanitize::clean;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
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

fn run(cli: &Cli) -> anyhow::Result<()> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    match &cli.command {
        Some(command) => headless::run(command, &cli.global, &mut out)?,
        // Without a command: the projects view (the TUI takes over here later).
        None => headless::projects(&cli_path(cli), &cli.global, false, &mut out)?,
    }
    out.flush().map_err(HeadlessError::from)?;
    Ok(())
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
