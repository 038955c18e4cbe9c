//! Signals whose default action ends the process (SIGUSR1, SIGUSR2,
//! SIGALRM, ...) end the explorer like SIGTERM does: terminal restored,
//! exit status 128 + the signal. Without that the process died on the spot
//! and left the terminal on the alternate screen, cursor hidden.

use crate::common;
use common::pty::Pty;
use common::{copy_dir, fixture_root, run};

use std::time::Duration;

const T: Duration = Duration::from_secs(15);

fn signal_restores_the_terminal(name: &str, number: u32) {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    copy_dir(&fixture_root(), &ws);
    let mut p = Pty::spawn(
        &run::bin(),
        &[ws.to_str().unwrap(), "--no-cache"],
        100,
        30,
        &[("TZ", "UTC")],
        dir.path(),
    );
    p.wait_for_text("Diabetes progression regressor", T);
    assert!(!p.restored(), "the explorer is on the alternate screen");
    let pid = p.pid().expect("pid").to_string();
    let st = std::process::Command::new("kill")
        .args([&format!("-{name}"), &pid])
        .status()
        .unwrap();
    assert!(st.success());
    let code = p.wait_exit(T);
    assert!(
        p.restored(),
        "{name}: terminal not restored:\n{}",
        p.screen()
    );
    assert_eq!(code, 128 + number, "{name}");
}

#[test]
fn sigusr1_restores_the_terminal() {
    signal_restores_the_terminal("USR1", 10);
}

#[test]
fn sigusr2_restores_the_terminal() {
    signal_restores_the_terminal("USR2", 12);
}

#[test]
fn sigalrm_restores_the_terminal() {
    signal_restores_the_terminal("ALRM", 14);
}
