//! Copying text: an OSC 52 sequence written to the terminal (works over SSH,
//! and inside tmux with `set-clipboard on`), then a local clipboard tool when
//! one fits the session (wl-copy, xclip, xsel, pbcopy). The tool runs on its
//! own thread, so a slow or hanging tool never blocks the UI; a missing one is
//! ignored.

use std::io::Write;
use std::process::{Command, Stdio};

use base64::Engine;

/// Largest text sent with OSC 52 (terminals cap the sequence length).
pub const OSC52_MAX_BYTES: usize = 75_000;

/// The OSC 52 sequence that puts `text` on the system clipboard.
pub fn osc52(text: &str) -> String {
    let b = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("\x1b]52;c;{b}\x07")
}

/// Clipboard tools to try, in order, for this session.
pub fn local_tools(
    wayland: bool,
    x11: bool,
    macos: bool,
) -> Vec<(&'static str, &'static [&'static str])> {
    let mut v: Vec<(&'static str, &'static [&'static str])> = Vec::new();
    if macos {
        v.push(("pbcopy", &[]));
    }
    if wayland {
        v.push(("wl-copy", &[]));
    }
    if x11 {
        v.push(("xclip", &["-selection", "clipboard"]));
        v.push(("xsel", &["--clipboard", "--input"]));
    }
    v
}

/// Copy `text`: OSC 52 on stdout now, a local tool in the background.
pub fn copy(text: &str) {
    if text.len() <= OSC52_MAX_BYTES {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(osc52(text).as_bytes());
        let _ = out.flush();
    }
    let tools = local_tools(
        std::env::var_os("WAYLAND_DISPLAY").is_some(),
        std::env::var_os("DISPLAY").is_some(),
        cfg!(target_os = "macos"),
    );
    if tools.is_empty() {
        return;
    }
    let text = text.to_string();
    let spawned = std::thread::Builder::new()
        .name("snapscope-clipboard".into())
        .spawn(move || {
            for (cmd, args) in tools {
                let child = Command::new(cmd)
                    .args(args)
                    .stdin(Stdio::piped())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn();
                let Ok(mut child) = child else { continue };
                if let Some(mut stdin) = child.stdin.take() {
                    let _ = stdin.write_all(text.as_bytes());
                }
                match child.wait() {
                    Ok(st) if st.success() => return,
                    Ok(st) => tracing::debug!("{cmd} exited with {st}"),
                    Err(e) => tracing::debug!("{cmd}: {e}"),
                }
            }
        });
    if let Err(e) = spawned {
        tracing::warn!("cannot start clipboard helper: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_is_base64_of_the_bytes() {
        // printf 'héllo\tx' | base64  ->  aMOpbGxvCXg=
        assert_eq!(osc52("héllo\tx"), "\x1b]52;c;aMOpbGxvCXg=\x07");
        assert_eq!(osc52(""), "\x1b]52;c;\x07");
    }

    #[test]
    fn tools_follow_the_session() {
        assert!(local_tools(false, false, false).is_empty());
        let names: Vec<&str> = local_tools(true, true, false).iter().map(|t| t.0).collect();
        assert_eq!(names, ["wl-copy", "xclip", "xsel"]);
        assert_eq!(local_tools(false, false, true)[0].0, "pbcopy");
    }
}
