//! The configuration file end to end: where it is found, what it changes,
//! flags over file, warnings for unknown keys (in the explorer's status bar),
//! a clear exit 2 for an invalid file in headless mode; plus completions, the
//! man page and the version string generated from the clap definition.

use crate::common;
use common::run;

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers};
use ratatui::Terminal;
use snapscope::config::{self, Config, Marker, ThemeChoice};
use snapscope::parse::TimeZoneChoice;
use snapscope::tui::app::Effect;
use snapscope::tui::msg::Msg;
use snapscope::tui::theme::ThemeKind;
use snapscope::tui::{make_app, ui};

const T: Duration = Duration::from_secs(15);

/// Run the binary (isolated environment, no `NO_COLOR`) with the opt-ins in `env`.
fn run_with(env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut c = run::snapscope().args(args).env_remove("NO_COLOR");
    for (k, v) in env {
        c = c.env(k, v);
    }
    c.output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A temp HOME with `.config/snapscope/config.toml` holding `text`.
fn home_with(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join(".config/snapscope");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(cfg.join("config.toml"), text).unwrap();
    dir
}

fn first_timestamp(o: &Output) -> String {
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    v[0]["timestamp"].as_str().unwrap().to_string()
}

#[test]
fn parse_reads_every_key_and_rejects_bad_values() {
    let (c, w) = config::parse(
        r#"
        tz = "Asia/Tokyo"
        theme = "truecolor"
        ascii = true
        mouse = false
        marker = "dot"
        watch = "poll"
        poll_interval = 0.5
        max_file_size = 1048576
        [keys]
        quit = "x"
        help = ["F1", "?"]
        "#,
    )
    .unwrap();
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(c.tz, "Asia/Tokyo".parse::<TimeZoneChoice>().unwrap());
    assert_eq!(c.theme, ThemeChoice::Fixed(ThemeKind::TrueColor));
    assert!(c.ascii && !c.mouse);
    assert_eq!(c.marker, Marker::Dot);
    assert_eq!(c.watch.as_str(), "poll");
    assert_eq!(c.poll_interval, 0.5);
    assert_eq!(c.max_file_size, 1 << 20);
    assert_eq!(
        c.keys,
        [
            ("quit".to_string(), vec!["x".to_string()]),
            ("help".to_string(), vec!["F1".to_string(), "?".to_string()])
        ]
    );
    // Only what the file names changes.
    let (c, _) = config::parse("ascii = true").unwrap();
    assert_eq!(
        c,
        Config {
            ascii: true,
            ..Config::default()
        }
    );
    for bad in [
        "tz = \"Mars/Olympus\"",
        "theme = \"neon\"",
        "marker = \"star\"",
        "watch = \"sometimes\"",
        "poll_interval = 0",
        "poll_interval = \"fast\"",
        "max_file_size = \"12X\"",
        "ascii = \"yes\"",
        "[keys",
        "tz = 3",
    ] {
        let e = config::parse(bad).unwrap_err();
        assert!(!e.contains('\n'), "{bad}: {e}");
    }
}

#[test]
fn unknown_keys_and_actions_are_warnings() {
    let (c, w) = config::parse(
        "colour = \"red\"\n[keys]\nquit = \"x\"\nteleport = \"t\"\nhelp = \"Hyper-h\"\ncopy = 3\n[extra]\na = 1\n",
    )
    .unwrap();
    assert_eq!(c.tz, TimeZoneChoice::Local, "the rest still applies");
    let joined = w.join("\n");
    for needle in [
        "\"colour\"",
        "\"extra\"",
        "teleport",
        "Hyper-h",
        "keys.copy",
    ] {
        assert!(joined.contains(needle), "{needle} missing in {joined}");
    }
    assert_eq!(w.len(), 5, "{w:?}");
    // The key map keeps every default except the valid override.
    let km = c.keymap();
    let b = [snapscope::tui::keymap::Context::Browse];
    use snapscope::tui::keymap::{Action, Key};
    assert_eq!(km.lookup(&b, Key::ch('x')), Some(Action::Quit));
    assert_eq!(km.lookup(&b, Key::ch('?')), Some(Action::Help));
    assert_eq!(km.lookup(&b, Key::ch('y')), Some(Action::Copy));
}

#[test]
fn env_override_xdg_and_home_paths() {
    let home = home_with("tz = \"Asia/Tokyo\"\n");
    let h = home.path().to_str().unwrap();
    let args = ["snapshots", "sample_snapshots", "--json"];
    // Naive timestamps read in the configured zone (the file says 2024-03-19T02:23:30).
    let o = run_with(&[("HOME", h)], &args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        first_timestamp(&o).ends_with("+09:00"),
        "{}",
        first_timestamp(&o)
    );
    // A flag wins over the file.
    let mut with_flag = args.to_vec();
    with_flag.extend(["--tz", "utc"]);
    let o = run_with(&[("HOME", h)], &with_flag);
    assert!(
        first_timestamp(&o).ends_with("+00:00"),
        "{}",
        first_timestamp(&o)
    );
    // XDG_CONFIG_HOME is used instead of ~/.config when set.
    let xdg = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(xdg.path().join("snapscope")).unwrap();
    std::fs::write(
        xdg.path().join("snapscope/config.toml"),
        "tz = \"America/New_York\"\n",
    )
    .unwrap();
    let x = xdg.path().to_str().unwrap();
    let o = run_with(&[("HOME", h), ("XDG_CONFIG_HOME", x)], &args);
    assert!(
        first_timestamp(&o).ends_with("-04:00"),
        "{}",
        first_timestamp(&o)
    );
    // SNAPSCOPE_CONFIG names a file and wins over both.
    let named = xdg.path().join("other.toml");
    std::fs::write(&named, "tz = \"utc\"\n").unwrap();
    let n = named.to_str().unwrap();
    let env = [("HOME", h), ("XDG_CONFIG_HOME", x), ("SNAPSCOPE_CONFIG", n)];
    let o = run_with(&env, &args);
    assert!(
        first_timestamp(&o).ends_with("+00:00"),
        "{}",
        first_timestamp(&o)
    );
    let o = run_with(&env, &["--print-config"]);
    assert!(
        stdout(&o).contains(&format!("# config file: {n}\n")),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains("tz = \"UTC\""), "{}", stdout(&o));
    // A named file that does not exist is an error, not a silent default.
    let o = run_with(
        &[("HOME", h), ("SNAPSCOPE_CONFIG", "/no/such/snapscope.toml")],
        &args,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("/no/such/snapscope.toml"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn invalid_file_is_exit_2_with_one_line_in_headless_mode() {
    let home = home_with("theme = \"neon\"\n");
    let h = home.path().to_str().unwrap();
    let o = run_with(&[("HOME", h)], &["projects", "sample_snapshots"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    let e = stderr(&o);
    assert_eq!(e.trim_end().lines().count(), 1, "{e}");
    assert!(e.starts_with("snapscope: invalid config file "), "{e}");
    assert!(e.contains("theme = \"neon\""), "{e}");
    // Completions and the man page do not need a valid configuration.
    let o = run_with(&[("HOME", h)], &["completions", "bash"]);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn unknown_keys_warn_on_stderr_in_headless_mode_and_do_not_fail() {
    let home = home_with("colour = 1\ntz = \"utc\"\n");
    let h = home.path().to_str().unwrap();
    let o = run_with(&[("HOME", h)], &["projects", "sample_snapshots"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stderr(&o).contains("unknown key \"colour\""),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).contains("Diabetes progression regressor"));
}

#[test]
fn print_config_shows_effective_values_and_paths() {
    let home = home_with("theme = \"light\"\nmarker = \"dot\"\nfoo = 1\n[keys]\nquit = \"x\"\n");
    let h = home.path().to_str().unwrap();
    let o = run_with(
        &[("HOME", h), ("XDG_CACHE_HOME", "/tmp/snapscope-cache-test")],
        &["--print-config", "--watch", "poll", "--theme", "truecolor"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let cfg_path = home.path().join(".config/snapscope/config.toml");
    assert!(
        out.contains(&format!("# config file: {}", cfg_path.display())),
        "{out}"
    );
    assert!(out.contains("# log file:    /tmp/snapscope-cache-test/snapscope/snapscope.log"));
    assert!(out.contains("# cache dir:   /tmp/snapscope-cache-test/snapscope"));
    assert!(
        out.contains("# warning: config: unknown key \"foo\" ignored"),
        "{out}"
    );
    // The body is a configuration file itself: flags applied over the file.
    let (c, w) = config::parse(&out).unwrap();
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(c.theme, ThemeChoice::Fixed(ThemeKind::TrueColor));
    assert_eq!(c.marker, Marker::Dot);
    assert_eq!(c.watch.as_str(), "poll");
    assert_eq!(c.keys, [("quit".to_string(), vec!["x".to_string()])]);
    // --default prints the shipped file byte for byte, whatever the user's file says.
    let o = run_with(&[("HOME", h)], &["--print-config", "--default"]);
    assert_eq!(stdout(&o), config::DEFAULT_CONFIG);
    assert_eq!(
        config::DEFAULT_CONFIG,
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/config.toml"))
            .unwrap()
    );
    // --default alone is a usage error.
    assert_eq!(run_with(&[], &["--default"]).status.code(), Some(2));
}

#[test]
fn config_warnings_show_in_the_status_bar_until_a_key() {
    let (c, w) = config::parse("colour = 1\n[keys]\nquit = \"x\"\n").unwrap();
    let mut opts = common::options(ThemeKind::Default, false);
    opts.keymap = c.keymap();
    opts.notices = w;
    let mut app = make_app(&opts, (100, 30));
    app.apply_events(common::fixture_events(), common::now());
    let screen = |app: &snapscope::tui::app::App| {
        let mut t = Terminal::new(TestBackend::new(100, 30)).unwrap();
        t.draw(|f| ui::draw(f, app, common::now())).unwrap();
        t.backend().to_string()
    };
    let s = screen(&app);
    assert!(s.contains("config: unknown key \"colour\" ignored"), "{s}");
    let key = |c: char| {
        Msg::Key(KeyEvent {
            code: KeyCode::Char(c),
            modifiers: KeyModifiers::NONE,
            kind: KeyEventKind::Press,
            state: KeyEventState::NONE,
        })
    };
    // q is no longer quit (the config moved it to x), and any key hides the notice.
    assert!(!app.update(key('q'), common::now()).contains(&Effect::Quit));
    assert!(!screen(&app).contains("unknown key"));
    assert!(app.update(key('x'), common::now()).contains(&Effect::Quit));
}

#[test]
fn explorer_starts_on_an_invalid_config_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir_all(home.join("snapscope")).unwrap();
    std::fs::write(home.join("snapscope/config.toml"), "theme = [\n").unwrap();
    let h = home.to_str().unwrap();
    let ws = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tui-ws");
    let mut pty = common::pty::Pty::spawn(
        &run::bin(),
        &[ws.to_str().unwrap()],
        120,
        30,
        &[("TZ", "UTC"), ("XDG_CONFIG_HOME", h)],
        dir.path(),
    );
    pty.wait_for_text("invalid config file", common::pty::scaled(T));
    pty.wait_for_text("Diabetes progression regressor", common::pty::scaled(T));
    pty.send("q");
    assert_eq!(pty.wait_exit(common::pty::scaled(T)), 0);
}

// ---------------------------------------------------------------- packaging

#[test]
fn completions_for_each_shell_name_the_subcommands() {
    for shell in ["bash", "zsh", "fish"] {
        let o = run_with(&[], &["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}: {}", stderr(&o));
        let s = stdout(&o);
        for word in [
            "snapshots",
            "show",
            "trend",
            "scan",
            "watch",
            "max-file-size",
        ] {
            assert!(s.contains(word), "{shell} completion lacks {word}");
        }
    }
    // The bash script is valid bash.
    let o = run_with(&[], &["completions", "bash"]);
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("snapscope.bash");
    std::fs::write(&f, &o.stdout).unwrap();
    if let Ok(st) = Command::new("bash").arg("-n").arg(&f).status() {
        assert!(st.success(), "bash -n rejects the completion script");
    }
    assert_eq!(
        run_with(&[], &["completions", "tcsh"]).status.code(),
        Some(2)
    );
}

#[test]
fn man_page_is_roff_with_the_commands() {
    let o = run_with(&[], &["man"]);
    assert_eq!(o.status.code(), Some(0));
    let s = stdout(&o);
    assert!(s.contains(".TH snapscope 1"), "{s}");
    for word in [
        "snapshots",
        "completions",
        "max\\-file\\-size",
        "print\\-config",
    ] {
        assert!(s.contains(word), "man page lacks {word}");
    }
}

#[test]
fn version_carries_git_describe_in_a_checkout() {
    let o = run_with(&[], &["--version"]);
    let v = stdout(&o);
    let pkg = env!("CARGO_PKG_VERSION");
    assert!(v.starts_with(&format!("snapscope {pkg}")), "{v}");
    let root = env!("CARGO_MANIFEST_DIR");
    let describe = Command::new("git")
        .args(["describe", "--always", "--tags"])
        .current_dir(root)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    let top = Command::new("git")
        .args(["rev-parse", "--show-toplevel"])
        .current_dir(root)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| std::fs::canonicalize(String::from_utf8_lossy(&o.stdout).trim()).ok());
    let in_checkout = top.flatten() == std::fs::canonicalize(root).ok();
    match describe {
        Some(d) if in_checkout => assert!(v.contains(&format!("({d}")), "{v} lacks {d}"),
        _ => assert_eq!(v.trim(), format!("snapscope {pkg}")),
    }
}
