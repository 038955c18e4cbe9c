//! The `snapscope` binary: parse the command line, run, map errors to exit
//! codes (0 success, 1 when `check` finds a failing, stale or unreadable project, 2 usage
//! or I/O error; clap exits 2 on usage errors too).

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use snapscope::cmd::args::{self, Cli, Command};
use snapscope::cmd::{self, HeadlessError, Outcome};
use snapscope::config::logging;
use snapscope::config::{self, Loaded};
use snapscope::index::LiveIndex;
use snapscope::text::sanitize::{clean, clean_path};
use snapscope::tui::{self, ExitReason, TuiOptions};

/// mimalloc: parsing allocates and frees many small values per file, and
/// glibc's malloc spent a fifth of the indexing time on them.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let mut cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    match run(&mut cli, &matches) {
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

fn run(cli: &mut Cli, matches: &clap::ArgMatches) -> anyhow::Result<ExitCode> {
    if cli.print_config && cli.default_config {
        print!("{}", config::DEFAULT_CONFIG);
        return Ok(ExitCode::SUCCESS);
    }
    let generated = matches!(
        cli.command,
        Some(Command::Completions { .. } | Command::Man)
    );
    let interactive =
        cli.command.is_none() && !cli.tui.print && !cli.print_config && io::stdout().is_terminal();
    // The configuration file: an error stops a headless command (exit 2);
    // the explorer starts on the defaults and shows the error.
    let loaded = if generated {
        Loaded {
            config: config::Config::default(),
            warnings: Vec::new(),
            path: None,
        }
    } else {
        match config::load() {
            Ok(l) => l,
            Err(e) if interactive => Loaded {
                config: config::Config::default(),
                warnings: vec![format!("{e}; using the defaults")],
                path: None,
            },
            Err(e) => return Err(e.into()),
        }
    };
    cli.apply_config(&loaded.config, matches);
    snapscope::index::set_remote_settings(loaded.config.remote.clone());
    if cli.print_config {
        print_config(cli, &loaded)?;
        return Ok(ExitCode::SUCCESS);
    }
    if interactive {
        return explore(cli, &loaded);
    }
    for w in &loaded.warnings {
        eprintln!("snapscope: {}", clean(w));
    }
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let outcome = match &cli.command {
        Some(command) => cmd::run(command, &cli.global, &mut out)?,
        // Not a terminal (or --print): the projects view.
        None => {
            cmd::projects(&cli_path(cli), &cli.global, false, &mut out)?;
            Outcome::Ok
        }
    };
    out.flush().map_err(HeadlessError::from)?;
    Ok(match outcome {
        Outcome::Ok => ExitCode::SUCCESS,
        // `check` found a failing, stale or unreadable project.
        Outcome::Failed => ExitCode::from(1),
    })
}

/// `--print-config`: the configuration in effect as TOML, after comments
/// naming the paths used and any warnings.
fn print_config(cli: &Cli, loaded: &Loaded) -> anyhow::Result<()> {
    let mut out = String::new();
    out.push_str("# snapscope configuration in effect (file, then command-line flags)\n");
    let file = match (&loaded.path, config::config_path()) {
        (Some(p), _) => clean_path(p),
        (None, Some(cp)) => format!("{} (not found: built-in defaults)", clean_path(&cp.path)),
        (None, None) => "none (no HOME): built-in defaults".into(),
    };
    out.push_str(&format!("# config file: {file}\n"));
    let log = cli
        .tui
        .log_file
        .clone()
        .unwrap_or_else(logging::default_log_path);
    out.push_str(&format!("# log file:    {}\n", clean_path(&log)));
    out.push_str(&format!(
        "# cache dir:   {}\n",
        clean_path(&snapscope::index::cache_dir())
    ));
    for w in &loaded.warnings {
        out.push_str(&format!("# warning: {}\n", clean(w)));
    }
    out.push('\n');
    out.push_str(&cli.effective_config(&loaded.config).to_toml());
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(out.as_bytes())
        .and_then(|_| stdout.flush())
        .map_err(HeadlessError::from)?;
    Ok(())
}

/// The interactive explorer on the live index.
fn explore(cli: &Cli, loaded: &Loaded) -> anyhow::Result<ExitCode> {
    let root = cli_path(cli);
    let args = &cli.tui;
    let log = logging::init(args.log_file.as_deref());
    let live_opts = args.follow.live_options(&cli.global);
    if cli.global.no_cache {
        snapscope::index::discard_cache(&root);
    }
    let (live, events) = LiveIndex::start(&root, live_opts)?;
    let mut opts = TuiOptions::new(live.root().to_path_buf());
    opts.tz = cli.global.tz;
    if let Some(t) = args.theme {
        opts.theme = t.resolve();
    }
    opts.keymap = loaded.config.keymap();
    opts.notices = loaded.warnings.clone();
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
    cli.path.clone().unwrap_or_else(args::default_path)
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
