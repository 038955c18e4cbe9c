//! Terminal setup and teardown. The terminal is restored on every exit path:
//! normal return (guard drop), error, panic (hook), and every signal whose
//! default action ends the process and that can be caught ([`QUIT_SIGNALS`]:
//! SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, ...; the
//! signal thread asks the UI loop to quit, and restores the terminal itself
//! and exits if the loop does not answer in time). SIGPIPE stays ignored, as
//! Rust sets it: a closed pipe is an error on the write, not a reason to quit.

use std::io::{self, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::Sender;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use ratatui::crossterm::terminal::{
    self, BeginSynchronizedUpdate, EndSynchronizedUpdate, EnterAlternateScreen,
    LeaveAlternateScreen,
};
use ratatui::crossterm::{cursor, execute, queue};
use ratatui::Terminal;

use crate::tui::msg::Msg;

/// The terminal type the explorer draws on.
pub type Term = Terminal<CrosstermBackend<Stdout>>;

static MOUSE_ON: AtomicBool = AtomicBool::new(false);
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// Put the terminal back: leave the alternate screen, show the cursor, end
/// raw mode and mouse capture. Safe to call more than once and from any thread.
pub fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = io::stdout();
    if MOUSE_ON.swap(false, Ordering::SeqCst) {
        let _ = execute!(out, DisableMouseCapture);
    }
    let _ = execute!(
        out,
        EndSynchronizedUpdate,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = terminal::disable_raw_mode();
    let _ = out.flush();
}

/// Restores the terminal when dropped.
#[derive(Debug)]
pub struct TermGuard(());

impl Drop for TermGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Enter raw mode and the alternate screen (with mouse capture when asked).
pub fn enter(mouse: bool) -> io::Result<(TermGuard, Term)> {
    terminal::enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    let guard = TermGuard(());
    let mut out = io::stdout();
    execute!(out, EnterAlternateScreen, cursor::Hide)?;
    if mouse {
        execute!(out, EnableMouseCapture)?;
        MOUSE_ON.store(true, Ordering::SeqCst);
    }
    // Clear without `Terminal::clear`, which asks the terminal for the cursor
    // position (a round trip over slow links, and a hang on terminals that never answer).
    execute!(out, terminal::Clear(terminal::ClearType::All))?;
    let t = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    Ok((guard, t))
}

/// Chain a panic hook that restores the terminal before the report is printed.
pub fn install_panic_hook() {
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        prev(info);
    }));
}

/// Draw one frame inside a synchronized update, so terminals that support it
/// never show a half-drawn screen.
pub fn draw_synced<F>(t: &mut Term, f: F) -> io::Result<()>
where
    F: FnOnce(&mut ratatui::Frame),
{
    queue!(t.backend_mut(), BeginSynchronizedUpdate)?;
    t.draw(f)?;
    execute!(t.backend_mut(), EndSynchronizedUpdate)?;
    Ok(())
}

/// Handle for the signal thread.
#[derive(Debug)]
pub struct SignalWatch {
    handle: signal_hook::iterator::Handle,
    /// Set by the UI loop once it has left (so the safety net stands down).
    pub done: Arc<AtomicBool>,
}

impl SignalWatch {
    /// Stop the signal thread (UI is shutting down normally).
    pub fn close(&self) {
        self.done.store(true, Ordering::SeqCst);
        self.handle.close();
    }
}

/// How long the UI loop gets to quit after a signal before the signal thread
/// restores the terminal and exits on its own.
const SIGNAL_GRACE: Duration = Duration::from_secs(2);

/// The signals that end the explorer with the terminal restored: every
/// catchable one whose default action would end the process on the spot.
pub const QUIT_SIGNALS: &[i32] = {
    use signal_hook::consts::*;
    &[
        SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF, SIGIO,
        SIGXCPU, SIGXFSZ,
    ]
};

/// Forward the [`QUIT_SIGNALS`] to the UI loop as `Msg::Signal`.
pub fn spawn_signal_thread(tx: Sender<Msg>) -> io::Result<SignalWatch> {
    let mut signals = signal_hook::iterator::Signals::new(QUIT_SIGNALS)?;
    let handle = signals.handle();
    let done = Arc::new(AtomicBool::new(false));
    let done2 = done.clone();
    thread::Builder::new()
        .name("snapscope-signals".into())
        .spawn(move || {
            if let Some(sig) = signals.forever().next() {
                if done2.load(Ordering::SeqCst) {
                    return;
                }
                tracing::info!("signal {sig}: leaving");
                let _ = tx.send(Msg::Signal(sig));
                let deadline = Instant::now() + SIGNAL_GRACE;
                while Instant::now() < deadline {
                    if done2.load(Ordering::SeqCst) {
                        return;
                    }
                    thread::sleep(Duration::from_millis(20));
                }
                // The UI loop is stuck (e.g. writing to a dead SSH session).
                restore();
                std::process::exit(128 + sig);
            }
        })?;
    Ok(SignalWatch { handle, done })
}
