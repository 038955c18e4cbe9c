//! Everything that enters the UI thread is a [`Msg`]. The input thread turns
//! terminal events into messages (key presses only, never releases).

use std::thread;

use crossbeam_channel::Sender;
use ratatui::crossterm::event::{self, Event, KeyEvent, KeyEventKind, MouseEvent};

use crate::index::IndexEvent;
use crate::tui::raw::RawDoc;

/// A message for the UI thread.
#[derive(Debug)]
pub enum Msg {
    /// A key press.
    Key(KeyEvent),
    /// A mouse event (scroll, click).
    Mouse(MouseEvent),
    /// The terminal was resized to (columns, rows).
    Resize(u16, u16),
    /// A change from the index.
    Index(IndexEvent),
    /// The index channel closed (the indexer stopped).
    IndexClosed,
    /// A raw-JSON load finished (request id, result).
    RawLoaded {
        request: u64,
        result: Result<RawDoc, String>,
    },
    /// About a second passed without other messages (refreshes relative ages).
    Tick,
    /// SIGTERM / SIGHUP / SIGINT arrived.
    Signal(i32),
    /// Reading the terminal failed.
    InputError(String),
}

/// Start the input thread: forwards crossterm events until the receiver is dropped.
pub fn spawn_input_thread(tx: Sender<Msg>) -> std::io::Result<thread::JoinHandle<()>> {
    thread::Builder::new()
        .name("snapscope-input".into())
        .spawn(move || loop {
            let msg = match event::read() {
                Ok(Event::Key(k)) if k.kind == KeyEventKind::Press => Msg::Key(k),
                Ok(Event::Key(_)) => continue,
                Ok(Event::Mouse(m)) => Msg::Mouse(m),
                Ok(Event::Resize(w, h)) => Msg::Resize(w, h),
                Ok(_) => continue,
                Err(e) => {
                    let _ = tx.send(Msg::InputError(e.to_string()));
                    return;
                }
            };
            if tx.send(msg).is_err() {
                return;
            }
        })
}
