//! A small pseudo-terminal harness for end-to-end tests: spawn a program in a
//! PTY of a fixed size, keep reading its output into a vt100 parser on a
//! background thread (an undrained PTY would block the program), type keys,
//! and wait for text to appear or disappear with deadlines (never fixed sleeps).
//! The environment is isolated as [`super::run`] describes.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use portable_pty::{native_pty_system, Child, CommandBuilder, MasterPty, PtySize};
use tempfile::TempDir;

use super::run;

/// Timeouts are multiplied by `SNAPSCOPE_TEST_TIMEOUT_SCALE` (default 1) for slow CI.
pub fn scaled(d: Duration) -> Duration {
    let k: f64 = std::env::var("SNAPSCOPE_TEST_TIMEOUT_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    d.mul_f64(k.max(0.1))
}

struct Shared {
    parser: vt100::Parser,
    /// All bytes received so far (their tail is shown when a wait times out).
    raw: Vec<u8>,
    eof: bool,
}

/// A program running in a pseudo-terminal.
pub struct Pty {
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    state: Arc<(Mutex<Shared>, Condvar)>,
    /// The program's temp `HOME`, removed after the program is killed.
    _home: TempDir,
}

impl Pty {
    /// Spawn `program args` in a `cols`x`rows` PTY, in `cwd`, with an isolated
    /// environment (a temp `HOME`, no inherited `XDG_*` or `SNAPSCOPE_*`),
    /// `TERM=xterm-256color`, no `NO_COLOR`, then the opt-ins in `env`.
    pub fn spawn(
        program: &Path,
        args: &[&str],
        cols: u16,
        rows: u16,
        env: &[(&str, &str)],
        cwd: &Path,
    ) -> Pty {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let mut cmd = CommandBuilder::new(program);
        cmd.args(args);
        cmd.cwd(cwd);
        for k in run::isolated_vars() {
            cmd.env_remove(k);
        }
        let home = run::empty_home();
        cmd.env("HOME", home.path());
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("NO_COLOR");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).expect("spawn in pty");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = pair.master.take_writer().expect("pty writer");
        let state = Arc::new((
            Mutex::new(Shared {
                parser: vt100::Parser::new(rows, cols, 0),
                raw: Vec::new(),
                eof: false,
            }),
            Condvar::new(),
        ));
        let st = state.clone();
        thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                let n = match reader.read(&mut buf) {
                    Ok(0) | Err(_) => 0,
                    Ok(n) => n,
                };
                let (lock, cv) = &*st;
                let mut s = lock.lock().unwrap();
                if n == 0 {
                    s.eof = true;
                    cv.notify_all();
                    return;
                }
                s.parser.process(&buf[..n]);
                s.raw.extend_from_slice(&buf[..n]);
                cv.notify_all();
            }
        });
        Pty {
            master: pair.master,
            writer,
            child,
            state,
            _home: home,
        }
    }

    /// [`Pty::spawn`] of the binary under test for a permission test: as
    /// `nobody` through `setpriv` when running as root (with `HOME`
    /// `/nonexistent`, then `env`), as the current user otherwise; `None`
    /// (with a SKIPPED line naming `test`) when privileges cannot be dropped.
    pub fn spawn_unprivileged(
        test: &str,
        args: &[&str],
        cols: u16,
        rows: u16,
        env: &[(&str, &str)],
        cwd: &Path,
    ) -> Option<Pty> {
        let bin = run::bin();
        if !run::can_drop_privileges(test)? {
            return Some(Pty::spawn(&bin, args, cols, rows, env, cwd));
        }
        let bin = bin.to_string_lossy().into_owned();
        let mut wrapped: Vec<&str> = run::AS_NOBODY.to_vec();
        wrapped.push(&bin);
        wrapped.extend_from_slice(args);
        let mut all_env = vec![("HOME", "/nonexistent")];
        all_env.extend_from_slice(env);
        Some(Pty::spawn(
            Path::new("setpriv"),
            &wrapped,
            cols,
            rows,
            &all_env,
            cwd,
        ))
    }

    /// Type bytes (keys). Use "\x1b" for Esc, "\t" for Tab, "\r" for Enter.
    pub fn send(&mut self, keys: &str) {
        self.writer
            .write_all(keys.as_bytes())
            .expect("write to pty");
        self.writer.flush().expect("flush pty");
    }

    /// The screen as text, one line per row (trailing spaces trimmed).
    pub fn screen(&self) -> String {
        let s = self.state.0.lock().unwrap();
        s.parser.screen().contents()
    }

    /// True when the terminal is on its main screen with the cursor visible.
    pub fn restored(&self) -> bool {
        let s = self.state.0.lock().unwrap();
        let sc = s.parser.screen();
        !sc.alternate_screen()
            && !sc.hide_cursor()
            && sc.mouse_protocol_mode() == vt100::MouseProtocolMode::None
    }

    fn wait_until<F: Fn(&Shared) -> bool>(&self, what: &str, timeout: Duration, f: F) {
        let deadline = Instant::now() + scaled(timeout);
        let (lock, cv) = &*self.state;
        let mut s = lock.lock().unwrap();
        loop {
            if f(&s) {
                return;
            }
            let now = Instant::now();
            if now >= deadline {
                let screen = s.parser.screen().contents();
                let tail = String::from_utf8_lossy(&s.raw[s.raw.len().saturating_sub(600)..])
                    .escape_debug()
                    .to_string();
                let (n, eof) = (s.raw.len(), s.eof);
                drop(s);
                panic!(
                    "timed out waiting for {what}; screen:\n{screen}\n\
                     ({n} bytes received, eof {eof}; last bytes: {tail})"
                );
            }
            s = cv.wait_timeout(s, deadline - now).unwrap().0;
        }
    }

    /// Wait until `text` is on screen.
    pub fn wait_for_text(&self, text: &str, timeout: Duration) {
        self.wait_until(&format!("{text:?}"), timeout, |s| {
            s.parser.screen().contents().contains(text)
        });
    }

    /// Wait until `text` is no longer on screen.
    pub fn wait_for_absent(&self, text: &str, timeout: Duration) {
        self.wait_until(&format!("{text:?} to go"), timeout, |s| {
            !s.parser.screen().contents().contains(text)
        });
    }

    /// Resize the terminal (the program gets SIGWINCH).
    pub fn resize(&mut self, cols: u16, rows: u16) {
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize pty");
        let mut s = self.state.0.lock().unwrap();
        s.parser.screen_mut().set_size(rows, cols);
    }

    /// The child's process id.
    pub fn pid(&self) -> Option<u32> {
        self.child.process_id()
    }

    /// Wait for the program to exit; returns its exit code.
    pub fn wait_exit(&mut self, timeout: Duration) -> u32 {
        let deadline = Instant::now() + scaled(timeout);
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                // Let the reader drain the last bytes (the restore sequences).
                self.wait_until("end of output", Duration::from_secs(5), |s| s.eof);
                return status.exit_code();
            }
            if Instant::now() >= deadline {
                let _ = self.child.kill();
                panic!("program did not exit; screen:\n{}", self.screen());
            }
            // Poll the child with a short wait on the output condvar.
            let (lock, cv) = &*self.state;
            let s = lock.lock().unwrap();
            let _ = cv.wait_timeout(s, Duration::from_millis(20)).unwrap();
        }
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
    }
}
